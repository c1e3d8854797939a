# Field faults, issue 11 round 2: root never follows a path another user controls (reports,
# artifacts, fixtures), never writes into a kernel interface, and refuses two reports naming
# one file before anything runs. Sourced by run.sh / field.sh with $top as the working
# directory. `nobody` stands for the other user; "victim" for any directory of root's.
L=$work/links
mkdir -p "$L"
chmod 0755 "$work" "$L"
# victim DIR: a root directory holding a case's old artifacts and reports, all "precious".
victim() {
        mkdir -p "$1/cgroup.memory.oom_kill"
        echo precious >"$1/cgroup.memory.oom_kill/precious"
        echo precious >"$1/isocheck.tap"
        echo precious >"$1/isocheck.junit.xml"
}
# untouched DIR: the victim is as victim() left it (nothing added, nothing replaced).
untouched() {
        [ "$(cat "$1/cgroup.memory.oom_kill/precious")" = precious ] &&
                [ "$(cat "$1/isocheck.tap")" = precious ] &&
                [ "$(cat "$1/isocheck.junit.xml")" = precious ] &&
                [ "$(find "$1" | wc -l)" -eq 5 ] || { find "$1" -ls; return 1; }
}
# refused RC ERR PATTERN: exit 2 and exactly one line on stderr, matching PATTERN.
refused() {
        [ "$1" -eq 2 ] && [ "$(wc -l <"$2")" -eq 1 ] && grep -q -- "$3" "$2" ||
                { echo "rc $1"; cat "$2"; return 1; }
}

# --- 1. --artifacts through a link of another user's -------------------------------------
# Quoted input: `ln -s /srv/victim /tmp/art; chown -h nobody /tmp/art;
# build/isocheck --filter cgroup.memory.oom_kill --artifacts /tmp/art`. Before: rc 0,
# "precious" gone, replaced by kmsg-oom.txt.
victim "$L/v1"
ln -s "$L/v1" "$L/art"
chown -h nobody "$L/art"
build/isocheck --filter cgroup.memory.oom_kill --artifacts "$L/art" --tap "$L/1.tap" \
        --junit "$L/1.xml" >/dev/null 2>"$L/1.err"
check "links: --artifacts, a link owned by nobody, is refused in one line, exit 2" \
        refused $? "$L/1.err" "art is a link owned by uid 65534"
check "links: ... and the directory it points to is untouched" untouched "$L/v1"
# Further input: a link of root's, but on the way (not the last component) and in a
# directory nobody owns, who could replace it: refused too.
victim "$L/v1b"
mkdir -p "$L/nob"
chown nobody "$L/nob"
ln -s "$L/v1b" "$L/nob/lnk"
build/isocheck --filter pidns.init.pid1 --artifacts "$L/nob/lnk/art" --tap "$L/1b.tap" \
        --junit "$L/1b.xml" >/dev/null 2>"$L/1b.err"
check "links: --artifacts through root's link in nobody's directory is refused, exit 2" \
        refused $? "$L/1b.err" "lnk is a link in a directory another user can change"
check "links: ... and nothing is made where it points" untouched "$L/v1b"
# What stays accepted: a link of root's in a directory of root's.
mkdir -p "$L/real"
ln -s "$L/real" "$L/rootlink"
build/isocheck --filter pidns.init.pid1 --artifacts "$L/rootlink/art" --tap "$L/1c.tap" \
        --junit "$L/1c.xml" >/dev/null 2>"$L/1c.err"
check "links: --artifacts through root's own link in root's directory still runs (exit 0)" \
        sh -c "[ $? -eq 0 ] && [ -d '$L/real/art' ] || { cat '$L/1c.err'; exit 1; }"

# --- 2. the default reports/ is a link of another user's ----------------------------------
# Quoted input: `mkdir co; chown nobody co; ln -s /srv/victim co/reports; chown -h nobody
# co/reports; cd co && build/isocheck --filter cgroup.memory.oom_kill`. Before: root wrote
# isocheck.tap, isocheck.junit.xml (renamed over the old ones) and artifacts/ there.
victim "$L/v2"
mkdir -p "$L/co"
chown nobody "$L/co"
ln -s "$L/v2" "$L/co/reports"
chown -h nobody "$L/co/reports"
(cd "$L/co" && "$top/build/isocheck" --filter cgroup.memory.oom_kill >"$L/2.out" 2>"$L/2.err")
check "links: reports/, a link owned by nobody, is refused in one line, exit 2" \
        refused $? "$L/2.err" "reports is a link owned by uid 65534"
check "links: ... no case ran" sh -c "! grep -q '^ok\|^not ok' '$L/2.out'"
check "links: ... and the directory it points to is untouched" untouched "$L/v2"
# Further input: --tap naming a file below such a link (the link is not the file's own
# directory but one above it).
victim "$L/v2b"
ln -s "$L/v2b" "$L/co/up"
chown -h nobody "$L/co/up"
build/isocheck --filter pidns.init.pid1 --tap "$L/co/up/sub/x.tap" --junit "$L/2b.xml" \
        --artifacts "$L/2b.art" >/dev/null 2>"$L/2b.err"
check "links: --tap below nobody's link is refused, exit 2" \
        refused $? "$L/2b.err" "up is a link owned by uid 65534"
check "links: ... and nothing is made where it points" untouched "$L/v2b"
# Further input: the VM target's -o, under a link of nobody's on the way (qemu is
# /bin/false: nothing boots). Before: isocheck-vm made its reports where the link points.
k61=$(ls /boot/vmlinuz-6.1.* 2>/dev/null | tail -n 1)
if [ -n "$k61" ] && [ -x build/isocheck-vm ]; then
        mkdir -p "$L/v2vm"
        ln -s "$L/v2vm" "$L/co/vmup"
        chown -h nobody "$L/co/vmup"
        TMPDIR=$L build/isocheck-vm -o "$L/co/vmup/out" --qemu /bin/false --kernel "$k61" -c v2 \
                >"$L/2vm.out" 2>&1
        check "links: isocheck-vm -o below nobody's link is refused, exit 2, nothing made there" \
                sh -c "[ $? -eq 2 ] && grep -q 'vmup is a link owned by uid 65534' '$L/2vm.out' &&
                        [ -z \"\$(ls -A '$L/v2vm')\" ] || { cat '$L/2vm.out'; exit 1; }"
else
        skipped "links: isocheck-vm -o below nobody's link" "no /boot/vmlinuz-6.1.* or build/isocheck-vm"
fi
# What stays accepted (README, reports): a user's checkout, where reports/ is the user's
# real directory, as in `sudo make check` there.
mkdir -p "$L/checkout/reports"
chown -R nobody "$L/checkout"
(cd "$L/checkout" && "$top/build/isocheck" --filter pidns.init.pid1 >/dev/null 2>"$L/2c.err")
check "links: a user's real reports/ directory is still written (exit 0, both reports there)" \
        sh -c "[ $? -eq 0 ] && [ -s '$L/checkout/reports/isocheck.tap' ] &&
                [ -s '$L/checkout/reports/isocheck.junit.xml' ] || { cat '$L/2c.err'; exit 1; }"

# --- 10. fixtures another user can change -------------------------------------------------
# Quoted input: a copy of build/fixtures owned by nobody, named by ISOCHECK_FIXTURES. Before:
# root ran nobody's app and sidecar binaries.
cp -a build/fixtures "$L/fx"
chown -R nobody "$L/fx"
ISOCHECK_FIXTURES=$L/fx build/isocheck --filter sidecar.netns.shared --tap "$L/10.tap" \
        --junit "$L/10.xml" --artifacts "$L/10.art" >/dev/null 2>&1
check "links: ISOCHECK_FIXTURES owned by nobody: the case errs naming it, nothing run" \
        sh -c "grep -q '^not ok 1 - sidecar.netns.shared' '$L/10.tap' &&
                grep -q 'severity: \"error\"' '$L/10.tap' &&
                grep -q 'fx is owned by uid 65534' '$L/10.tap' || { cat '$L/10.tap'; exit 1; }"
# Further input: root's copy, but the app binary writable by everyone.
cp -a build/fixtures "$L/fx2"
chmod o+w "$L/fx2/app"
ISOCHECK_FIXTURES=$L/fx2 build/isocheck --filter sidecar.netns.shared --tap "$L/10b.tap" \
        --junit "$L/10b.xml" --artifacts "$L/10b.art" >/dev/null 2>&1
check "links: a fixture binary writable by others: the case errs naming it" \
        sh -c "grep -q '^not ok 1 - sidecar.netns.shared' '$L/10b.tap' &&
                grep -q 'fx2/app is writable by group or others' '$L/10b.tap' || { cat '$L/10b.tap'; exit 1; }"
# Further input: a library deep in an image context (it goes into an image run as root)
# writable by others. The case errs before anything is built.
if docker info >/dev/null 2>&1; then
        cp -a build/fixtures "$L/fx3"
        chmod o+w "$L/fx3/sidecar-image/lib/x86_64-linux-gnu/libc.so.6"
        ISOCHECK_FIXTURES=$L/fx3 build/isocheck --filter sidecar.netns.shared.docker \
                --tap "$L/10d.tap" --junit "$L/10d.xml" --artifacts "$L/10d.art" >/dev/null 2>&1
        check "links: an image context's library writable by others: the docker case errs naming it" \
                sh -c "grep -q '^not ok 1 - sidecar.netns.shared.docker' '$L/10d.tap' &&
                        grep -q 'libc.so.6 is writable by group or others' '$L/10d.tap' || { cat '$L/10d.tap'; exit 1; }"
else
        skipped "links: an image context's library writable by others" "no Docker daemon"
fi
# What stays accepted: root's own copy.
chmod o-w "$L/fx2/app"
ISOCHECK_FIXTURES=$L/fx2 build/isocheck --filter sidecar.netns.shared --tap "$L/10c.tap" \
        --junit "$L/10c.xml" --artifacts "$L/10c.art" >/dev/null 2>&1
check "links: root's own ISOCHECK_FIXTURES still runs (exit 0)" \
        sh -c "[ $? -eq 0 ] || { cat '$L/10c.tap'; exit 1; }"

# --- 13. a kernel interface as --artifacts; a lost artifact ------------------------------
# Quoted input: `--artifacts /sys/fs/cgroup/memory`. Before: rc 0, the artifact lost to
# EACCES, said only in a -v log line.
# Further input: the cgroup v2 mount (a cgroup2 file system; root may write there, access(2)
# says yes, yet no regular file can be made).
for d in /sys/fs/cgroup/memory /sys/fs/cgroup/unified; do
        [ -d "$d" ] || { skipped "links: --artifacts $d refused" "no $d here"; continue; }
        build/isocheck --filter cgroup.memory.oom_kill --artifacts "$d" --tap "$L/13.tap" \
                --junit "$L/13.xml" >/dev/null 2>"$L/13.err"
        check "links: --artifacts $d (a kernel interface) is refused in one line, exit 2" \
                refused $? "$L/13.err" "is on a cgroup2\? file system"
done
# A write that fails all the same (fault hook: EACCES) shows in both reports, the case
# still passing.
ISOCHECK_FAULT=artifact.write.lost build/san/isocheck-selftest --filter selftest.verdict.pass \
        --tap "$L/13b.tap" --junit "$L/13b.xml" --artifacts "$L/13b.art" >/dev/null 2>&1
check "links: a lost artifact shows in the TAP and the JUnit, the case passing" \
        sh -c "grep -q '^ok 1 - selftest.verdict.pass' '$L/13b.tap' &&
                grep -q 'keep the artifact # SKIP note.txt not kept: .*Permission denied' '$L/13b.tap' &&
                grep -q 'note.txt not kept' '$L/13b.xml' || { cat '$L/13b.tap'; exit 1; }"

# --- 6. --tap and --junit naming one file that does not exist yet ----------------------
# Quoted input: `rm -f x.tap; build/isocheck --filter pidns.init.pid1 --tap x.tap --junit
# ./x.tap`. Before: the cases ran, then rc 99 and the TAP lost.
(cd "$L" && rm -f x.tap && "$top/build/isocheck" --filter pidns.init.pid1 --tap x.tap \
        --junit ./x.tap --artifacts 6.art >"$L/6.out" 2>"$L/6.err")
check "links: --tap x.tap --junit ./x.tap (no x.tap yet) exits 2 in one line" \
        refused $? "$L/6.err" "name the same file"
check "links: ... before any case ran" sh -c "! grep -q '^ok\|^not ok' '$L/6.out'"
# Further input: in a directory not made yet, one path with a doubled slash.
build/isocheck --filter pidns.init.pid1 --tap "$L/new6/x.tap" --junit "$L/new6//x.tap" \
        --artifacts "$L/6b.art" >"$L/6b.out" 2>"$L/6b.err"
check "links: --tap D/x.tap --junit D//x.tap (D not made yet) exits 2, nothing run" \
        sh -c "[ $? -eq 2 ] && grep -q 'name the same file' '$L/6b.err' && ! grep -q '^ok' '$L/6b.out'"
