#!/bin/bash
# A clean Debian root with the isocheck package, for `make image` and `make test-package`.
#   scripts/pkgroot.sh base BUILD              print the cached minbase tarball, making it
#                                              first (mmdebstrap, this machine's own apt
#                                              sources; kept per day under BUILD/pkgroot/)
#   scripts/pkgroot.sh root BUILD DIR DEB [PKG...]
#                                              DIR: that root with DEB installed by
#                                              `apt-get install ./DEB` (and PKG...), /proc,
#                                              /sys and /dev mounted only while apt runs
#   scripts/pkgroot.sh run DIR COMMAND...      COMMAND chrooted in DIR, mounted as above
#   scripts/pkgroot.sh image BUILD NAME        the root of build/deb/isocheck_*.deb with the
#                                              recommended tools, imported as image NAME
# Every mount made here is undone on exit, whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
suite=bookworm

mounted=()
umount_all() {
        local i
        for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
                umount -R "${mounted[i]}" 2>/dev/null || umount -lR "${mounted[i]}" 2>/dev/null || true
        done
        mounted=()
}
trap umount_all EXIT

# mount_into ROOT: ROOT bound onto itself (a chroot's / must be a mount point: isocheck makes
# its cases' mounts slaves of it, as a container runtime does), then what apt and isocheck
# need from the kernel, recursive binds so that cgroupfs under /sys comes along; each
# recorded for umount_all, which undoes them in reverse.
mount_into() {
        local r=$1 d
        mount --bind "$r" "$r"
        mount --make-private "$r"
        mounted+=("$r")
        for d in proc sys dev; do
                mkdir -p "$r/$d"
                if [ "$d" = proc ]; then mount -t proc proc "$r/proc"; else mount --rbind "/$d" "$r/$d"; fi
                mount --make-rslave "$r/$d"
                mounted+=("$r/$d")
        done
}

sources() {
        # The machine's own Debian sources (deb822 or one-line), nothing else.
        if [ -f /etc/apt/sources.list.d/debian.sources ]; then
                echo /etc/apt/sources.list.d/debian.sources
        elif [ -s /etc/apt/sources.list ]; then
                echo /etc/apt/sources.list
        fi
}

base() {
        local build=$1 dir key tar src
        dir=$build/pkgroot
        src=$(sources)
        key=$(date -u +%Y%m%d)-$( (cat "$src" 2>/dev/null; echo $suite) | md5sum | cut -c1-8)
        tar=$dir/$suite-minbase-$key.tar
        if [ ! -s "$tar" ]; then
                command -v mmdebstrap >/dev/null ||
                        { echo "pkgroot: mmdebstrap is needed (apt-get install mmdebstrap)" >&2; exit 1; }
                mkdir -p "$dir"
                rm -f "$dir"/$suite-minbase-*.tar "$tar.part"
                echo "pkgroot: making $tar (mmdebstrap --variant=minbase $suite)" >&2
                # shellcheck disable=SC2046
                mmdebstrap --quiet --variant=minbase --format=tar $suite "$tar.part" \
                        ${src:+"$src"} >&2
                mv "$tar.part" "$tar"
        fi
        echo "$tar"
}

root() {
        local build=$1 dir=$2 deb=$3
        shift 3
        local tar
        tar=$(base "$build")
        rm -rf "$dir"
        mkdir -p "$dir"
        tar -C "$dir" -xf "$tar"
        cp "$deb" "$dir/tmp/"
        cp -L /etc/resolv.conf "$dir/etc/resolv.conf"
        mount_into "$dir"
        # mmdebstrap leaves no package lists in the root: fetch them (its own sources).
        # apt's output goes to DIR.apt.log, shown when it fails.
        if ! { chroot "$dir" apt-get update -q &&
                chroot "$dir" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
                        --no-install-recommends "/tmp/$(basename "$deb")" "$@"; } >"$dir.apt.log" 2>&1; then
                echo "pkgroot: apt-get in $dir failed; the end of $dir.apt.log:" >&2
                tail -n 20 "$dir.apt.log" >&2
                exit 1
        fi
        rm -f "$dir.apt.log"
        rm -f "$dir/tmp/$(basename "$deb")"
        umount_all
}

run() {
        local dir=$1 rc=0
        shift
        mount_into "$dir"
        chroot "$dir" "$@" || rc=$?
        umount_all
        return $rc
}

image() {
        local build=$1 name=$2 deb dir
        deb=$(ls "$build"/deb/isocheck_*.deb | head -n 1)
        [ -f "$deb" ] || { echo "pkgroot: no $build/deb/isocheck_*.deb (make deb)" >&2; exit 1; }
        timeout 10 docker info >/dev/null 2>&1 ||
                { echo "pkgroot: no Docker daemon answers (docker info)" >&2; exit 77; }
        dir=$build/pkgroot/image-root
        # The tools the .tool cases and the sidecar use, as a course VM would have them.
        root "$build" "$dir" "$deb" stress-ng stress tcpdump
        rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir/etc/resolv.conf"
        # WORKDIR /: the reports go to /reports, where `-v "$PWD/reports:/reports"` puts them.
        tar -C "$dir" -c . | docker import \
                --change 'ENTRYPOINT ["/usr/bin/isocheck"]' --change 'WORKDIR /' \
                --change "LABEL org.opencontainers.image.version=$(dpkg-deb -f "$deb" Version)" \
                - "$name" >/dev/null
        rm -rf "$dir"
        echo "pkgroot: image $name: isocheck $(dpkg-deb -f "$deb" Version) in a $suite minbase root" >&2
}

case ${1:-} in
base) base "$2" ;;
root) root "${@:2}" ;;
run) run "${@:2}" ;;
image) image "$2" "$3" ;;
*) echo "usage: $0 base BUILD | root BUILD DIR DEB [PKG...] | run DIR COMMAND... | image BUILD NAME" >&2; exit 2 ;;
esac
