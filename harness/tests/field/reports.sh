# Field faults of issue 11 about reports, logs and artifacts a root run can trust
# (sections 5, 6 and 7). Sourced by run.sh / field.sh with $top as the working directory.
R=$work/reports
mkdir -p "$R"
chmod 0755 "$work"
jcase() { # XML CASE VERDICT [TEXT]: junitparser reads that verdict (and TEXT) for CASE
        $PY harness/tests/junit_check.py "$1" --case "$2" --verdict "$3" ${4:+--text "$4"}
}
# The <system-out> of CASE (by "classname" and "name") in XML, as text.
system_out() {
        $PY -c '
import sys
from junitparser import JUnitXml
for suite in JUnitXml.fromfile(sys.argv[1]):
    for case in suite:
        if f"{case.classname}.{case.name}" == sys.argv[2]:
            print(case.system_out or "")' "$1" "$2"
}
# XML CASE PATTERN: the <system-out> of CASE has a line matching the grep PATTERN.
out_has() { system_out "$1" "$2" | grep -q -- "$3"; }
# Every artifact XML lists (the lines after "artifacts:" in <system-out>) exists.
listed_exist() {
        local a n=0
        for a in $(sed -n '/^artifacts:$/,/^<\/system-out>/s/^  \(\/.*\)$/\1/p' "$1" |
                sed 's/<\/system-out>$//' | sort -u); do
                n=$((n + 1))
                [ -e "$a" ] || { echo "listed but missing: $a"; return 1; }
        done
        echo "$n listed, all there"
}

# --- 5: a report that cannot be written shows in the others --------------------------
# Quoted input: `build/isocheck --filter pidns.init.pid1 --junit /dev/full > run.tap`
# (in a directory of its own, whose reports/ it writes by default).
mkdir -p "$R/bail"
(cd "$R/bail" && "$top/build/isocheck" --filter pidns.init.pid1 --junit /dev/full >run.tap 2>err)
rc=$?
check "reports: --junit /dev/full exits 99" test $rc -eq 99
check "reports: ... the TAP on stdout ends with Bail out! naming the JUnit and the error" \
        sh -c "tail -n 1 '$R/bail/run.tap' | grep -qx 'Bail out! writing the JUnit report /dev/full failed: No space left on device'"
check "reports: ... and so does the TAP file" \
        sh -c "tail -n 1 '$R/bail/reports/isocheck.tap' | grep -q '^Bail out! writing the JUnit report /dev/full'"
check "reports: ... tap-parser -t no longer accepts it" \
        sh -c "! tap-parser -t <'$R/bail/run.tap' >/dev/null 2>&1"
# Further input, the other way round: the TAP file cannot be written (--tap /dev/full), and
# stdout cannot be (> /dev/full): the JUnit carries an error, valid against both schemas.
build/isocheck --filter pidns.init.pid1 --tap /dev/full --junit "$R/bail/j1.xml" \
        --artifacts "$R/bail/art" >/dev/null 2>&1
rc=$?
check "reports: --tap /dev/full exits 99 and the JUnit has an error naming it" \
        sh -c "[ $rc -eq 99 ] && $PY harness/tests/junit_check.py '$R/bail/j1.xml' --case isocheck.harness --verdict error --text 'writing the TAP report /dev/full failed: No space left on device'"
check "reports: ... that JUnit is valid against both schemas" xml_ok "$R/bail/j1.xml"
build/isocheck --filter pidns.init.pid1 --tap "$R/bail/t2.tap" --junit "$R/bail/j2.xml" \
        --artifacts "$R/bail/art" >/dev/full 2>/dev/null
rc=$?
check "reports: stdout on /dev/full: exit 99, Bail out! in the TAP file, an error in the JUnit" \
        sh -c "[ $rc -eq 99 ] && tail -n 1 '$R/bail/t2.tap' | grep -q '^Bail out! writing the TAP stream on standard output failed' &&
               $PY harness/tests/junit_check.py '$R/bail/j2.xml' --case isocheck.harness --verdict error"
check "reports: ... leaving no cgroup of those runs" no_cgroups_of "$R/bail/j1.xml" "$R/bail/j2.xml"

# Further input: the JUnit goes to a full file system (it fails when flushed and synced,
# not at open): the TAP still ends with Bail out! naming it, and no temporary file stays.
mkdir -p "$R/bail/full"
unshare -m sh -c "mount --make-rprivate / && mount -t tmpfs -o size=8k isocheck-full '$R/bail/full' &&
        head -c 8192 /dev/zero >'$R/bail/full/filler' 2>/dev/null;
        build/isocheck --filter pidns.init.pid1 --tap '$R/bail/f.tap' --junit '$R/bail/full/r.xml' \
        --artifacts '$R/bail/art' >/dev/null 2>&1; echo \$? >'$R/bail/f.rc'; ls -A '$R/bail/full' >'$R/bail/f.ls'"
check "reports: JUnit on a full file system: exit 99, Bail out! in the TAP naming it, no temporary file" \
        sh -c "[ \$(cat '$R/bail/f.rc') -eq 99 ] && tail -n 1 '$R/bail/f.tap' | grep -q '^Bail out! writing the JUnit report $R/bail/full/r.xml failed: No space left on device' && [ \"\$(cat '$R/bail/f.ls')\" = filler ]"

# --- 5: a case log longer than its cap ------------------------------------------------
# Quoted input: a case log longer than its cap (selftest.log.long logs 200 KiB with
# iso_log). Further input: what the case's process prints, 150 KiB (selftest.log.output).
S=$R/self
build/san/isocheck-selftest --filter 'selftest.log.*' --filter selftest.artifact.unwritten \
        --filter selftest.verdict.timeout --tap "$S.tap" --junit "$S.xml" --artifacts "$S.art" \
        >/dev/null 2>&1
for c in long output; do
        check "reports: selftest.log.$c: the report's log is cut with the mark and the count" \
                out_has "$S.xml" selftest.log.$c "^\[… [0-9]* bytes truncated; the whole log: $S.art/selftest.log.$c/case.log …\]$"
        check "reports: ... and the whole log is kept as the artifact case.log, listed" \
                sh -c "grep -q '$S.art/selftest.log.$c/case.log' '$S.xml' &&
                       [ \$(grep -c ' line [0-9]* of ' '$S.art/selftest.log.$c/case.log') -ge 1500 ]"
done
check "reports: ... the log keeps its last lines after the mark" \
        sh -c "grep -q 'log line 1999 of 2000' '$S.xml'"

# --- 6: a case that times out keeps its log and the step it was in --------------------
# Quoted input: a case that times out (selftest.verdict.timeout: logs one line, then hangs).
check "reports: a timed-out case keeps its log in <system-out>" \
        out_has "$S.xml" selftest.verdict.timeout "waiting for an answer that never comes"
check "reports: ... and its error names the step it was in" \
        jcase "$S.xml" selftest.verdict.timeout error "timed out after 1 s; last step: waiting for an answer that never comes"
# Further input: a case that hangs in a program it started names that program.
build/san/isocheck-selftest --filter selftest.verdict.timeout.tool --tap "$R/tt.tap" \
        --junit "$R/tt.xml" --artifacts "$R/tt.art" >/dev/null 2>&1
check "reports: a case timed out in a program names it, and its log lists the processes" \
        sh -c "$PY harness/tests/junit_check.py '$R/tt.xml' --case selftest.verdict.timeout.tool --verdict error --text 'timed out after 1 s; last step: after check 1' &&
               grep -q 'running \`sleep 60\` (pid [0-9]*)' '$R/tt.xml' && grep -q '^  pid [0-9]*: sleep 60$' '$R/tt.xml'"
# Further input: the same case interrupted by SIGINT names its step too.
build/san/isocheck-selftest --filter selftest.verdict.timeout --timeout-mult 20 \
        --tap "$R/int.tap" --junit "$R/int.xml" --artifacts "$R/int.art" >/dev/null 2>&1 &
ipid=$!
sleep 1
kill -INT $ipid
wait $ipid
check "reports: an interrupted case names its last step" \
        jcase "$R/int.xml" selftest.verdict.timeout error "interrupted: the run was stopped by a signal; last step: waiting for an answer"

# --- 6: only artifacts that exist are listed ----------------------------------------------
# Further input (deterministic): a case registers never.pcap for a tool that never writes it.
check "reports: an artifact never written is not listed" \
        sh -c "! grep -q never.pcap '$S.xml' && grep -q '$S.art/selftest.artifact.unwritten/written.txt' '$S.xml'"
check "reports: ... every artifact the self-test run lists exists" listed_exist "$S.xml"
check "reports: ... and no temporary artifact directory is left" \
        sh -c "! ls -A '$S.art' | grep -F .tmp."
check "reports: ... and the JUnit is valid against both schemas" xml_ok "$S.xml"
# Quoted input: SIGINT during sidecar.capture.http.docker (capture.pcap listed, not there).
# The window is between the capture's path being given and the sidecar writing it, so a
# few delays around the end of the image build are tried.
if timeout 10 docker info >/dev/null 2>&1; then
        for d in 1.5 2.0 2.5 3.0; do
                build/isocheck --filter sidecar.capture.http.docker --tap "$R/d$d.tap" \
                        --junit "$R/d$d.xml" --artifacts "$R/d$d.art" >/dev/null 2>&1 &
                dpid=$!
                sleep $d
                kill -INT $dpid 2>/dev/null
                wait $dpid
                check "reports: SIGINT after $d s of sidecar.capture.http.docker lists only artifacts that exist" \
                        listed_exist "$R/d$d.xml"
        done
        check "reports: ... leaving no cgroup of those runs" no_cgroups_of "$R"/d*.xml
else
        skipped "reports: SIGINT during sidecar.capture.http.docker" "no Docker daemon reachable"
fi

# --- 6: an unprivileged run in a checkout where root ran before -----------------------
# Quoted input: root ran in the checkout (reports/artifacts is root's), then a user runs.
U=$R/co
mkdir -p "$U/reports"
chown 65534:65534 "$U" "$U/reports"
(cd "$U" && "$top/build/isocheck" --filter pidns.init.pid1 >/dev/null 2>&1)
if command -v setpriv >/dev/null && [ "$(stat -c %u "$U/reports/artifacts" 2>/dev/null)" = 0 ]; then
        (cd "$U" && setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
                "$top/build/isocheck" >"$U/stdout" 2>"$U/stderr")
        rc=$?
        check "reports: unprivileged after root, in the same checkout: exit 77" test $rc -eq 77
        check "reports: ... every case skipped, needing root" \
                sh -c "grep -q '^ok' '$U/reports/isocheck.tap' && ! grep -E '^(not )?ok [0-9]+ - ' '$U/reports/isocheck.tap' | grep -v 'needs root: running as uid 65534'"
        check "reports: ... reports written where it can, valid" \
                sh -c "[ \$(stat -c %u '$U/reports/isocheck.junit.xml') = 65534 ] && tap-parser --strict <'$U/reports/isocheck.tap' >/dev/null && xmllint --noout --schema '$OWN_XSD' '$U/reports/isocheck.junit.xml'"
        check "reports: ... one line says no artifacts are kept and how to keep them" \
                sh -c "[ \$(grep -c . '$U/stderr') -eq 2 ] && grep -q 'no artifacts will be kept: reports/artifacts is owned by uid 0.*--artifacts DIR' '$U/stderr'"
        # Further input: the reports directory itself is root's: one line says where to write.
        chown 0:0 "$U/reports"
        (cd "$U" && setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
                "$top/build/isocheck" >/dev/null 2>"$U/stderr2")
        rc=$?
        check "reports: ... with reports/ root's too: exit 2, one line naming --tap and --junit" \
                sh -c "[ $rc -eq 2 ] && [ \$(grep -c . '$U/stderr2') -eq 1 ] && grep -q 'cannot write the report reports/isocheck.tap: Permission denied (name a file you can write with --tap FILE and --junit FILE)' '$U/stderr2'"
else
        skipped "reports: unprivileged run after root" "setpriv missing or the root run made no reports/artifacts"
fi

# --- 7: root never writes through a link it did not make ------------------------------
# Quoted input: a link planted at art/sidecar.capture.http/capture.pcap, pointing at a victim.
L=$R/link
mkdir -p "$L/art/sidecar.capture.http"
echo original >"$L/victim"
ln -s "$L/victim" "$L/art/sidecar.capture.http/capture.pcap"
(cd "$L" && "$top/build/isocheck" --filter sidecar.capture.http --artifacts art \
        --tap q.tap --junit q.xml >/dev/null 2>&1)
check "reports: a link planted at the capture's path is not written through" \
        sh -c "[ \"\$(cat '$L/victim')\" = original ]"
if grep -q '^ok 1 - sidecar.capture.http$' "$L/q.tap"; then
        check "reports: ... the capture replaced the link with a file of the run's own" \
                sh -c "[ -f '$L/art/sidecar.capture.http/capture.pcap' ] && [ ! -L '$L/art/sidecar.capture.http/capture.pcap' ]"
else
        skipped "reports: ... the capture replaced the link" "sidecar.capture.http did not pass here: $(grep -m1 '^ok 1\|^not ok 1' "$L/q.tap")"
fi
# Further input: the kernel-log copy (kmsg-oom.txt of cgroup.memory.oom_kill) with a link
# planted at its name.
mkdir -p "$L/art/cgroup.memory.oom_kill"
ln -s "$L/victim" "$L/art/cgroup.memory.oom_kill/kmsg-oom.txt"
(cd "$L" && "$top/build/isocheck" --filter cgroup.memory.oom_kill --artifacts art \
        --tap k.tap --junit k.xml >/dev/null 2>&1)
check "reports: a link planted at the kernel-log copy's name is not written through" \
        sh -c "[ \"\$(cat '$L/victim')\" = original ] && [ ! -L '$L/art/cgroup.memory.oom_kill/kmsg-oom.txt' ]"
# Further input: the case's whole artifact directory is a link to someone else's directory.
mkdir -p "$L/theirs"
ln -s "$L/theirs" "$L/art/selftest.verdict.pass"
build/san/isocheck-selftest --filter selftest.verdict.pass --artifacts "$L/art" \
        --tap "$L/p.tap" --junit "$L/p.xml" >/dev/null 2>&1
check "reports: an artifact directory that is a link is replaced, not written through" \
        sh -c "[ -z \"\$(ls -A '$L/theirs')\" ] && [ ! -L '$L/art/selftest.verdict.pass' ] && grep -qx hello '$L/art/selftest.verdict.pass/note.txt'"
# Further input: --artifacts names a directory owned by another user: one line, exit 2.
mkdir -p "$L/users/selftest.verdict.pass"
ln -s "$L/victim" "$L/users/selftest.verdict.pass/note.txt"
chown -R 65534:65534 "$L/users"
build/san/isocheck-selftest --filter selftest.verdict.pass --artifacts "$L/users" \
        --tap "$L/u.tap" --junit "$L/u.xml" >/dev/null 2>"$L/u.err"
rc=$?
check "reports: an artifacts directory of another user is refused: exit 2, one line" \
        sh -c "[ $rc -eq 2 ] && [ \$(grep -c . '$L/u.err') -eq 1 ] && grep -q 'refusing to write artifacts under $L/users: $L/users is owned by uid 65534' '$L/u.err' && [ \"\$(cat '$L/victim')\" = original ]"
# Further input: --artifacts names root's directory that anyone may write (0777, not
# sticky: a user could rename the case's directory and plant a link): refused; /tmp-like
# (1777) is fine.
mkdir -p "$L/open" "$L/sticky"
chmod 0777 "$L/open"
chmod 1777 "$L/sticky"
build/san/isocheck-selftest --filter selftest.verdict.pass --artifacts "$L/open" \
        --tap "$L/o.tap" --junit "$L/o.xml" >/dev/null 2>"$L/o.err"
rc=$?
check "reports: an artifacts directory anyone may write is refused: exit 2, one line" \
        sh -c "[ $rc -eq 2 ] && [ \$(grep -c . '$L/o.err') -eq 1 ] && grep -q '$L/open is writable by others (mode 0777) and not sticky' '$L/o.err'"
build/san/isocheck-selftest --filter selftest.verdict.pass --artifacts "$L/sticky" \
        --tap "$L/s.tap" --junit "$L/s.xml" >/dev/null 2>&1
check "reports: ... a sticky one (1777) is used" \
        sh -c "grep -qx hello '$L/sticky/selftest.verdict.pass/note.txt'"
# Further input: a report path that is a link of another user's to a device: refused.
ln -s /dev/null "$L/junit-link.xml"
chown -h 65534:65534 "$L/junit-link.xml"
build/isocheck --filter pidns.init.pid1 --tap "$L/r.tap" --junit "$L/junit-link.xml" \
        --artifacts "$L/art" >/dev/null 2>"$L/r.err"
rc=$?
check "reports: a report path that is another user's link to a device is refused: exit 2" \
        sh -c "[ $rc -eq 2 ] && grep -q 'refusing to write the report through $L/junit-link.xml: a link owned by uid 65534' '$L/r.err'"
check "reports: ... no cgroup of the link runs left" \
        sh -c "for x in '$L/q.xml' '$L/k.xml' '$L/p.xml'; do [ -f \"\$x\" ] || continue; id=\$(grep -o 'name=\"run.id\" value=\"[^\"]*\"' \"\$x\" | sed 's/.*value=\"//; s/\"\$//'); find /sys/fs/cgroup -maxdepth 4 -type d -name \"isocheck-\$id\" | grep . && exit 1; done; exit 0"

# Further input: the VM target stores what the guest sends (reports, the kernel-log copy
# kmsg-oom.txt, the console log) under the host's report directory, as root: a link planted
# at a case's artifact directory is refused, naming it (an error, not a kernel failure),
# and one at console.log is replaced, never written through.
kernel=$(ls /boot/vmlinuz-* 2>/dev/null | head -n 1)
if command -v qemu-system-x86_64 >/dev/null && [ -n "$kernel" ] && [ -x build/isocheck-vm ]; then
        V=$R/vm
        rel=${kernel#/boot/vmlinuz-}
        mkdir -p "$V/out/vm-$rel-v2/artifacts" "$V/theirs"
        echo original >"$V/victim"
        ln -s "$V/theirs" "$V/out/vm-$rel-v2/artifacts/cgroup.memory.oom_kill"
        ln -s "$V/victim" "$V/out/vm-$rel-v2/console.log"
        timeout 900 build/isocheck-vm --kernel "$kernel" -c v2 --accel tcg -o "$V/out" \
                -- --filter cgroup.memory.oom_kill >"$V/out.txt" 2>&1
        rc=$?
        check "reports: vm: a link at a case's artifact directory on the host is refused, as an error naming it" \
                sh -c "[ $rc -eq 1 ] && grep -q 'vm-$rel-v2: error - expected $V/out/vm-$rel-v2/artifacts/cgroup.memory.oom_kill to be a directory, found a symbolic link: refused' '$V/out.txt'"
        check "reports: vm: ... nothing written through the links" \
                sh -c "[ -z \"\$(ls -A '$V/theirs')\" ] && [ \"\$(cat '$V/victim')\" = original ] && [ -f '$V/out/vm-$rel-v2/console.log' ] && [ ! -L '$V/out/vm-$rel-v2/console.log' ]"
        check "reports: vm: ... no qemu of that run left" no_qemu_under "$V/out"
else
        skipped "reports: vm: links planted in the host's report directory" "qemu, a kernel in /boot or build/isocheck-vm missing"
fi
