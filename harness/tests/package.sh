#!/usr/bin/env bash
# `make test-package` (issue 15), run by .ci/run after `make test`: what takes minutes.
#   - the install field file (harness/tests/field/install.sh: pages, DESTDIR install, ...);
#   - `make deb`, lintian with no error;
#   - the .deb installed with `apt-get install ./isocheck_*.deb` in a clean bookworm minbase
#     root (mmdebstrap from this machine's apt sources, cached per day under build/pkgroot/),
#     `isocheck --list` and `isocheck --filter 'pidns.*'` run there (scripts/pkgroot.sh run:
#     chroot, /proc /sys /dev mounted and unmounted whatever happens), the package purged and nothing of it left;
#   - `make image`, the image run against this kernel, its JUnit validated.
# Needs root. Ends with "N passed, N failed, N skipped" like run.sh.
set -u
cd "$(dirname "$0")/../.." || exit 99
top=$PWD
. harness/tests/lib.sh
MAKE_CMD=${MAKE:-make}

. harness/tests/field/install.sh

P=$work/package
mkdir -p "$P"
roots=()
image=""
package_restore() {
        local i
        for i in "${roots[@]}"; do rm -rf --one-file-system "$i"; done
        [ -n "$image" ] && docker rmi -f "$image" >/dev/null 2>&1
        restore
}
trap package_restore EXIT

# --- the package -------------------------------------------------------------------------
git status --porcelain --ignored | grep -v -E ' (build|reports)/' >"$P/status.before"
$MAKE_CMD -s deb >"$P/deb.out" 2>&1
deb=$(ls build/deb/isocheck_*.deb 2>/dev/null | head -n 1)
check "package: make deb builds build/deb/isocheck_*.deb (dpkg-buildpackage -us -uc -b)" sh -c "
        cat '$P/deb.out'; [ -f '$deb' ] && dpkg-deb -I '$deb' >/dev/null"
git status --porcelain --ignored | grep -v -E ' (build|reports)/' >"$P/status.after"
check "package: ... and writes nothing in the checkout outside build/ (git status the same)" \
        diff "$P/status.before" "$P/status.after"
check "package: it depends on the run-time tools and libraries, recommends the optional ones" sh -c "
        d=\$(dpkg-deb -f '$deb' Depends); r=\$(dpkg-deb -f '$deb' Recommends)
        for p in util-linux iproute2 libpcap0.8 libxml2; do
                echo \"\$d\" | grep -q \"\$p\" || { echo \"Depends lacks \$p: \$d\"; exit 1; }
        done
        for p in stress-ng stress 'docker.io | podman' qemu-system-x86; do
                echo \"\$r\" | grep -qF \"\$p\" || { echo \"Recommends lacks \$p: \$r\"; exit 1; }
        done"
# lintian refuses to run some checks as root; its verdict is what matters: no error.
lintian --fail-on error "$deb" >"$P/lintian.out" 2>&1
echo $? >"$P/lintian.rc"
check "package: lintian reports no error" sh -c "
        cat '$P/lintian.out'; [ \$(cat '$P/lintian.rc') -eq 0 ] && ! grep -q '^E: ' '$P/lintian.out'"

# --- a clean root ------------------------------------------------------------------------
R=$top/build/pkgroot/test-$$
roots+=("$R")
scripts/pkgroot.sh root build "$R" "$deb" >"$P/root.out" 2>&1
echo $? >"$P/root.rc"
check "package: apt-get install ./isocheck_*.deb in a clean bookworm minbase root" sh -c "
        [ \$(cat '$P/root.rc') -eq 0 ] && [ -x '$R/usr/bin/isocheck' ] || { tail -n 20 '$P/root.out'; exit 1; }"
if [ -x "$R/usr/bin/isocheck" ]; then
        # Each command chrooted with /proc, /sys and /dev mounted, all unmounted after it.
        inroot() { scripts/pkgroot.sh run "$R" "$@"; }
        inroot isocheck --list >"$P/root-list.txt" 2>"$P/root-list.err"
        check "package: isocheck --list there lists what build/isocheck lists" sh -c "
                cat '$P/root-list.err'; awk '{ print \$1 }' '$P/root-list.txt' | sort | diff '$INS/list.txt' -"
        inroot sh -c "mkdir -p /root/run && cd /root/run && isocheck --filter 'pidns.*'" \
                >"$P/root-pidns.tap" 2>"$P/root-pidns.err"
        echo $? >"$P/root-pidns.rc"
        cp "$R/root/run/reports/isocheck.junit.xml" "$P/root-pidns.xml" 2>/dev/null
        check "package: isocheck --filter 'pidns.*' there passes (exit 0, every case ok)" sh -c "
                [ \$(cat '$P/root-pidns.rc') -eq 0 ] && grep -q '^ok ' '$P/root-pidns.tap' &&
                ! grep -q '^not ok' '$P/root-pidns.tap' || { cat '$P/root-pidns.err'; grep -A4 '^not ok' '$P/root-pidns.tap'; exit 1; }"
        check "package: ... its TAP stream is read by tap-parser, its JUnit valid" sh -c "
                tap-parser --strict -j 0 <'$P/root-pidns.tap' >/dev/null && xmllint --noout --schema '$OWN_XSD' '$P/root-pidns.xml' &&
                { [ ! -f '$JUNIT_XSD' ] || $PY harness/tests/junit10_view.py '$P/root-pidns.xml' | xmllint --noout --schema '$JUNIT_XSD' -; }"
        check "package: ... and nothing of that run is left" no_cgroups_of "$P/root-pidns.xml"
        check "package: ... and no mount of the root is left" sh -c "! grep -F ' $R' /proc/mounts"
        rm -rf "$R/root/run"
        # What the package holds: its files (directories may be shared with others).
        inroot dpkg -L isocheck | while IFS= read -r f; do
                [ -d "$R$f" ] || echo "$f"
        done >"$P/root-files.txt"
        inroot env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q isocheck \
                >"$P/root-purge.out" 2>&1
        check "package: apt-get purge isocheck removes it" sh -c "
                cat '$P/root-purge.out'
                ! scripts/pkgroot.sh run '$R' dpkg-query -W -f='\${Status}' isocheck 2>/dev/null | grep -q 'ok installed'"
        check "package: ... and nothing of it is left: no file it held, no isocheck directory" sh -c "
                [ -s '$P/root-files.txt' ] || { echo 'dpkg -L listed no file'; exit 1; }
                while IFS= read -r f; do [ ! -e '$R'\"\$f\" ] || echo \"left: \$f\"; done <'$P/root-files.txt' >'$P/left.txt'
                find '$R/usr' '$R/etc' '$R/var/lib/dpkg/info' -name '*isocheck*' >>'$P/left.txt'
                cat '$P/left.txt'; [ ! -s '$P/left.txt' ]"
fi

# --- the image ---------------------------------------------------------------------------
if timeout 10 docker info >/dev/null 2>&1; then
        image=isocheck-test-$$-$(date +%s)
        $MAKE_CMD -s image IMAGE="$image" >"$P/image.out" 2>&1
        check "package: make image builds an image of the package" sh -c "
                docker image inspect '$image' >/dev/null 2>&1 || { tail -n 20 '$P/image.out'; exit 1; }"
        # The documented flags for a host where --privileged is refused (this one: no
        # CAP_SYS_RESOURCE in the bounding set), as scripts/container-target.sh grants them.
        caps=""
        bnd=$(awk '/^CapBnd:/ {print $2}' /proc/self/status)
        for pair in 24:SYS_RESOURCE 21:SYS_ADMIN 12:NET_ADMIN 25:SYS_TIME 38:PERFMON 39:BPF 40:CHECKPOINT_RESTORE; do
                [ $(((0x$bnd >> ${pair%%:*}) & 1)) -eq 0 ] && caps="$caps --cap-drop ${pair#*:}"
        done
        if [ -z "$caps" ]; then
                flags="--privileged"
        else
                flags="--cap-add ALL $caps --security-opt seccomp=unconfined --security-opt apparmor=unconfined --security-opt systempaths=unconfined --device /dev/kmsg -v /sys/fs/cgroup:/sys/fs/cgroup"
        fi
        mkdir -p "$P/reports"
        # shellcheck disable=SC2086
        timeout 600 docker run --rm --name "$image" $flags --cgroupns=host \
                -v "$P/reports:/reports" "$image" --filter 'pidns.*' --filter 'cgroup.memory.create' \
                --filter container.app.serves >"$P/image.tap" 2>"$P/image.err"
        echo $? >"$P/image.rc"
        check "package: the image runs against this kernel (flags: ${flags%% *}...), exit 0" sh -c "
                [ \$(cat '$P/image.rc') -eq 0 ] || { cat '$P/image.err'; grep -A4 '^not ok' '$P/image.tap'; exit 1; }"
        check "package: ... its JUnit in reports/ is valid against junit-10.xsd and ours" \
                xml_ok "$P/reports/isocheck.junit.xml"
        check "package: ... and names the version it was built as ($ver)" \
                grep -qF "name=\"isocheck.version\" value=\"$ver\"" "$P/reports/isocheck.junit.xml"
        check "package: ... and nothing of that run is left" no_cgroups_of "$P/reports/isocheck.junit.xml"
else
        skipped "package: make image and run it" "no Docker daemon answers (docker info)"
fi

echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
