#!/bin/sh
# `make check-container`: run the suite inside a privileged Docker container (private
# cgroup namespace), the way CI images and some course environments do, and bring the
# reports back to reports/container/.
#
# The image is FROM scratch: build/isocheck and its fixtures, plus the tools the cases
# use and their ldd closures, each at its own absolute path. No registry is needed.
# Exit status: isocheck's own inside the container; 77 when no Docker daemon answers.
#
# Ownership: the script runs under `isocheck --hold-run`, which records a run in
# /run/isocheck and holds its lock until the script ends; every docker object here is
# labelled isocheck.run=<that run id> (images also named isocheck-<run id>-*), so
# `isocheck --cleanup` and the start-up recovery of other runs leave them alone while the
# container runs, and remove them if this script is killed.
set -eu
cd "$(dirname "$0")/.."
top=$PWD
out=${ISOCHECK_CONTAINER_OUT:-$top/reports/container} # tests point it elsewhere
# Pinned as harness/docker.c pins them for the docker cases: BuildKit needs the buildx
# plugin (DOCKER_BUILDKIT=1 without it fails the build), content trust would send our
# local image to a notary, and the image holds this machine's binaries.
if ! docker buildx version >/dev/null 2>&1; then
        DOCKER_BUILDKIT=0
        export DOCKER_BUILDKIT
fi
DOCKER_CONTENT_TRUST=0
export DOCKER_CONTENT_TRUST
unset DOCKER_DEFAULT_PLATFORM

if ! timeout 10 docker info >/dev/null 2>&1; then
        echo "check-container: skipped: no Docker daemon reachable (docker info failed)" >&2
        exit 77
fi

if [ -z "${ISOCHECK_HELD_RUN_ID:-}" ]; then
        exec "$top/build/isocheck" --hold-run "$top/scripts/container-target.sh" "$@"
fi
run_id=$ISOCHECK_HELD_RUN_ID
ctx=$(mktemp -d /tmp/isocheck-$run_id-image.XXXXXX)
image="isocheck-$run_id-suite"
name="isocheck-$run_id-target"
cleanup() {
        docker rm -f "$name" >/dev/null 2>&1 || true
        docker rmi -f "$image" >/dev/null 2>&1 || true
        rm -rf "$ctx"
}
trap cleanup EXIT INT TERM

root=$ctx/rootfs
mkdir -p "$root/isocheck" "$root/tmp" "$root/run" "$root/var/tmp" "$root/etc" "$root/proc" \
        "$root/sys" "$root/dev"
chmod 1777 "$root/tmp" "$root/var/tmp"
cp build/isocheck "$root/isocheck/isocheck"
cp -r build/fixtures "$root/isocheck/fixtures"
printf 'root:x:0:0:root:/root:/bin/sh\ntcpdump:x:105:105::/nonexistent:/bin/false\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$root/etc/passwd"
printf 'root:x:0:\ntcpdump:x:105:\nnogroup:x:65534:\n' >"$root/etc/group"

# copy FILE: the file at its own path in the rootfs, symlinks resolved.
copy() {
        mkdir -p "$root$(dirname "$1")"
        cp -L "$1" "$root$1"
}
# closure BINARY: the binary and every library ldd resolves for it.
closure() {
        copy "$1"
        ldd "$1" 2>/dev/null | while IFS= read -r line; do
                case $line in
                *"=> /"*) p=${line#*=> }; p=${p%% (*} ;;
                *" => "*) continue ;;
                *) p=$(printf '%s\n' "$line" | sed -n 's,^[[:space:]]*\(/[^[:space:]]*\).*,\1,p') ;;
                esac
                [ -n "$p" ] && copy "$p"
        done
}
# Programs, not shell builtins: look in the directories themselves.
for tool in sh ps sleep ls cat true readlink unshare nsenter stress-ng stress tcpdump; do
        for dir in /usr/local/bin /usr/bin /bin /usr/sbin /sbin; do
                if [ -x "$dir/$tool" ] && [ ! -d "$dir/$tool" ]; then
                        closure "$dir/$tool"
                        break
                fi
        done
done
closure "$top/build/fixtures/sidecar" >/dev/null
closure "$top/build/isocheck" >/dev/null
# The loader also under /lib64 whatever ldd printed.
[ -e /lib64/ld-linux-x86-64.so.2 ] && copy /lib64/ld-linux-x86-64.so.2

# Merged /usr, as on the host: #!/bin/sh and /sbin paths resolve.
for d in bin sbin; do
        [ -e "$root/$d" ] || ln -s "usr/$d" "$root/$d"
done

cat >"$ctx/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY rootfs/ /
ENV PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin
ENTRYPOINT ["/isocheck/entry.sh"]
DOCKERFILE

rm -rf "$out"
mkdir -p "$out"
# Privileged, the way --privileged means it: every capability the host can grant, no
# seccomp or AppArmor profile, /proc and /sys unmasked, cgroupfs writable. --privileged
# itself asks for every capability there is, and runc fails on a host whose own bounding
# set lacks one (this VM's root has no CAP_SYS_RESOURCE): so spell it out, dropping those.
cap_drop=""
bnd=$(awk '/^CapBnd:/ {print $2}' /proc/self/status)
for pair in 24:SYS_RESOURCE 21:SYS_ADMIN 12:NET_ADMIN 25:SYS_TIME 38:PERFMON 39:BPF 40:CHECKPOINT_RESTORE; do
        bit=${pair%%:*}
        if [ $(( (0x$bnd >> bit) & 1 )) -eq 0 ]; then
                cap_drop="$cap_drop --cap-drop ${pair#*:}"
        fi
done
if [ -z "$cap_drop" ]; then
        privileged="--privileged"
else
        echo "check-container: this host cannot grant every capability (${cap_drop# }): running with all the others" >&2
        privileged="--cap-add ALL $cap_drop --security-opt seccomp=unconfined --security-opt apparmor=unconfined --security-opt systempaths=unconfined --device /dev/kmsg"
fi
# Without --privileged docker mounts cgroupfs read-only: remount it writable first (the
# private cgroup namespace keeps that to the container's own subtree).
cat >"$root/isocheck/entry.sh" <<'ENTRY'
#!/bin/sh
for m in /sys/fs/cgroup /sys/fs/cgroup/*; do
        mount -o remount,rw,bind "$m" 2>/dev/null || mount -o remount,rw "$m" ||
                echo "entry: could not make $m writable" >&2
done
exec /isocheck/isocheck "$@"
ENTRY
chmod +x "$root/isocheck/entry.sh"
for tool in mount; do
        for dir in /usr/bin /bin; do
                [ -x "$dir/$tool" ] && { closure "$dir/$tool"; break; }
        done
done
docker build -q -t "$image" --label "isocheck.run=$run_id" "$ctx" >/dev/null
set +e
docker run --name "$name" --label "isocheck.run=$run_id" $privileged --cgroupns=private \
        -v "$out:/reports" "$image" --target container --property runtime=docker-privileged \
        --tap /reports/isocheck.tap --junit /reports/isocheck.junit.xml \
        --artifacts /reports/artifacts "$@"
rc=$?
set -e
echo "check-container: reports in $out (exit $rc)" >&2
exit $rc
