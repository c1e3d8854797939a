#!/usr/bin/env bash
# `make test`: the unit tests, lint, then (as root) real runs of the suite and of the
# self-test cases, whose reports are checked by consumers isocheck did not write:
# tap-parser, prove, xmllint with two schemas, python3-junitparser.
# Ends with one line: "N passed, N failed, N skipped"; exits non-zero on any failure.
set -u
cd "$(dirname "$0")/../.." || exit 99
top=$PWD
. harness/tests/lib.sh

# --- unit tests (cmocka, TAP output, sanitizers on) -----------------------------------
for t in build/san/tests/test_*; do
        [ -x "$t" ] || continue
        out=$(CMOCKA_MESSAGE_OUTPUT=TAP "$t" 2>&1)
        rc=$?
        name=$(basename "$t")
        while IFS= read -r line; do
                case "$line" in
                "ok "*"# SKIP"* | "not ok "*"# SKIP"*) skip=$((skip + 1)); echo "ok - $name: ${line#ok }" ;;
                "ok "*) pass=$((pass + 1)); echo "ok - $name: ${line#ok }" ;;
                "not ok "*) fail=$((fail + 1)); echo "not ok - $name: ${line#not ok }" ;;
                esac
        done <<<"$out"
        if [ $rc -ne 0 ] && ! grep -q '^not ok' <<<"$out"; then
                not_ok "$name exited $rc" "$(tail -n 15 <<<"$out")"
        elif grep -q -E 'ERROR: (Address|Undefined|Leak)Sanitizer|runtime error:' <<<"$out"; then
                not_ok "$name: sanitizer report" "$(grep -m5 -E 'Sanitizer|runtime error' <<<"$out")"
        fi
done

check "lint: clang-format and cppcheck" harness/tests/lint.sh

# --- a short, bounded fuzz run of every libFuzzer target (make fuzz runs them longer) -----
while IFS= read -r line; do
        case "$line" in
        "ok - fuzz # SKIP"*) skip=$((skip + 1)); echo "$line" ;;
        "ok - fuzz "*) pass=$((pass + 1)); echo "$line" ;;
        "not ok - fuzz "*) fail=$((fail + 1)); echo "$line" ;;
        "    "*) echo "$line" ;;
        esac
done < <(MAKE=${MAKE:-make} harness/tests/fuzz_smoke.sh 2>&1)

# --- the suite as root ------------------------------------------------------------------
if [ "$(id -u)" -ne 0 ]; then
        skipped "suite runs" "needs root (running as uid $(id -u)); run: sudo make test"
        echo "$pass passed, $fail failed, $skip skipped"
        [ $fail -eq 0 ]
        exit
fi

S=$work/suite
mkdir -p "$S"
build/san/isocheck --tap "$S/run.tap" --junit "$S/run.xml" --artifacts "$S/art" \
        >"$S/stdout.tap" 2>"$S/stderr"
rc=$?
check "suite: exits 0 on this machine" sh -c "[ $rc -eq 0 ] || { grep -A4 '^not ok' '$S/run.tap'; exit 1; }"
check "suite: pidns.init.pid1 passes" grep -q -E '^ok [0-9]+ - pidns\.init\.pid1$' "$S/stdout.tap"
check "suite: stdout and the TAP file are the same stream" cmp "$S/stdout.tap" "$S/run.tap"
check "suite: tap-parser accepts the TAP 14 stream" tap_ok "$S/run.tap"
check "suite: JUnit valid against both schemas" xml_ok "$S/run.xml"
check "suite: junitparser reads the same counts as the TAP" \
        $PY harness/tests/junit_check.py "$S/run.xml" --tap "$S/run.tap"
check "suite: no isocheck cgroup left" no_cgroups_of "$S/run.xml"
check "suite: no temporary report file left" \
        sh -c "! ls '$S' | grep -F .tmp."

build/san/isocheck --tap-version 13 --tap - --junit "$S/run13.xml" >"$S/run13.tap" 2>/dev/null
check "suite: prove (TAP 13) passes the stream" \
        sh -c "prove -e cat '$S/run13.tap' 2>&1 | tee /dev/stderr | grep -q '^Result: PASS'"
check "suite: TAP 13 stream starts with its version line" \
        sh -c "head -n1 '$S/run13.tap' | grep -qx 'TAP version 13'"

# --- the cgroup cases (issue: twice in a row, nothing left, evidence kept) --------------
G=$work/cgroup
mkdir -p "$G"
for round in 1 2; do
        build/san/isocheck --filter 'cgroup.*' --tap "$G/r$round.tap" --junit "$G/r$round.xml" \
                --artifacts "$G/art$round" >/dev/null 2>&1
        echo $? >"$G/rc$round"
done
check "cgroup: --filter 'cgroup.*' exits 0, twice in a row" \
        sh -c "[ \$(cat '$G/rc1') -eq 0 ] && [ \$(cat '$G/rc2') -eq 0 ]"
check "cgroup: no isocheck cgroup left after two runs" no_cgroups_of "$G/r1.xml" "$G/r2.xml"
check "cgroup: the OOM kill's kernel log lines are kept as an artifact" \
        grep -q "Memory cgroup out of memory" "$G/art2/cgroup.memory.oom_kill/kmsg-oom.txt"
mem_version=$(awk '$9 == "cgroup" && $NF ~ /memory/ {print 1; exit}' /proc/self/mountinfo)
if [ "$mem_version" = 1 ]; then
        check "cgroup: oom_group skips on v1 with its v2 reason" \
                grep -q -E '^ok [0-9]+ - cgroup\.memory\.oom_group # SKIP needs the memory controller on cgroup v2' "$G/r1.tap"
fi
if [ "$(cat /proc/sys/kernel/dmesg_restrict 2>/dev/null)" = 1 ] && command -v setpriv >/dev/null; then
        setpriv --inh-caps=-syslog --bounding-set=-syslog build/san/isocheck \
                --filter cgroup.memory.oom_kill --tap "$G/nokmsg.tap" --junit "$G/nokmsg.xml" \
                --artifacts "$G/art3" >/dev/null 2>&1
        rc=$?
        check "cgroup: without CAP_SYSLOG the OOM case still passes on its counters" test $rc -eq 0
        check "cgroup: ... and its kernel log check skips with the reason" \
                grep -q '# SKIP /dev/kmsg unreadable' "$G/nokmsg.tap"
else
        skipped "cgroup: unreadable /dev/kmsg" "kernel.dmesg_restrict is 0: dropping CAP_SYSLOG would not close /dev/kmsg"
fi

# --- the namespace cases (twice in a row, nothing left) ---------------------------------
N=$work/ns
mkdir -p "$N"
# Marks what these runs start, for the leftover check below (harness/tests/ns_left.sh).
ns_mark=ISOCHECK_TEST_MARK=ns-$$
for round in 1 2; do
        env "$ns_mark" build/san/isocheck --filter 'pidns.*' --filter 'nsenter.*' --tap "$N/r$round.tap" \
                --junit "$N/r$round.xml" --artifacts "$N/art" >/dev/null 2>&1
        echo $? >"$N/rc$round"
done
check "ns: --filter 'pidns.*' --filter 'nsenter.*' exits 0, twice in a row" \
        sh -c "[ \$(cat '$N/rc1') -eq 0 ] && [ \$(cat '$N/rc2') -eq 0 ]"
check "ns: syscall and tool variants all ran (none skipped here)" \
        sh -c "! grep -q '# SKIP' '$N/r1.tap' && [ \$(grep -c -E '^ok [0-9]+ - (pidns|nsenter)\.' '$N/r1.tap') -ge 12 ]"
# Only these runs' processes: another run's `sleep 30` on the machine is not a leak of ours.
check "ns: no sleep, unshare or nsenter of these runs left running" \
        harness/tests/ns_left.sh "$ns_mark" "$N/r1.xml" "$N/r2.xml"
check "ns: no proc mount left" sh -c '[ "$(grep -c " /proc proc " /proc/self/mountinfo)" -le 1 ]'

# --- the container and sidecar cases, native runtime --------------------------------------
K=$work/containers
mkdir -p "$K"
for round in 1 2; do
        build/san/isocheck --filter 'container.*' --filter 'sidecar.*' --exclude '*.docker' \
                --exclude '*.podman*' --exclude '*.oci' --tap "$K/r$round.tap" --junit "$K/r$round.xml" --artifacts "$K/art$round" \
                >/dev/null 2>&1
        echo $? >"$K/rc$round"
done
check "containers: native container and sidecar cases exit 0, twice in a row" \
        sh -c "[ \$(cat '$K/rc1') -eq 0 ] && [ \$(cat '$K/rc2') -eq 0 ]"
check "containers: every native case ran (none skipped here)" \
        sh -c "! grep -q '# SKIP' '$K/r1.tap' && [ \$(grep -c -E '^ok [0-9]+ - (container|sidecar)\.' '$K/r1.tap') -ge 5 ]"
check "containers: the sidecar's capture is kept and tcpdump reads it" \
        sh -c "tcpdump -nn -r '$K/art1/sidecar.capture.http/capture.pcap' 2>/dev/null | grep -q 'HTTP: GET / HTTP/1.0' || tcpdump -nn -r '$K/art1/sidecar.capture.http/capture.pcap' | grep -q '8000'"
id1=$(run_id "$K/r1.xml")
check "containers: no interface, app or root directory of these runs left" sh -c "
        ! ip -o link | grep -E ': iso[0-9a-f]{6}[hc]' || exit 1
        for p in /proc/[0-9]*; do [ \"\$(readlink \$p/exe 2>/dev/null)\" = '$top/build/fixtures/app' ] && exit 1; done
        [ -z \"\$(ls -d /tmp/isocheck-root-* 2>/dev/null)\" ]"
check "containers: no cgroup of these runs left" no_cgroups_of "$K/r1.xml" "$K/r2.xml"

# --- the docker runtime: with a daemon every case passes; without, each says why -----------
D=$work/docker
mkdir -p "$D"
build/san/isocheck --filter '*.docker' --tap "$D/d.tap" --junit "$D/d.xml" --artifacts "$D/art" \
        >/dev/null 2>&1
rc=$?
if timeout 10 docker info >/dev/null 2>&1; then
        check "docker: every docker case passes with a daemon" test $rc -eq 0
        check "docker: no container or image of the run left" sh -c "
                id=\$(grep -o 'name=\"run.id\" value=\"[^\"]*\"' '$D/d.xml' | sed 's/.*value=\"//; s/\"\$//')
                [ -n \"\$id\" ] || exit 1
                [ -z \"\$(docker ps -aq --filter label=isocheck.run=\$id)\" ] &&
                [ -z \"\$(docker images -q --filter label=isocheck.run=\$id)\" ]"
        check "docker: the sidecar container's pcap came back" \
                sh -c "[ -s '$D/art/sidecar.capture.http.docker/capture.pcap' ]"
else
        check "docker: without a daemon every docker case skips saying so" sh -c "
                [ $rc -eq 77 ] && ! grep -E '^(not )?ok [0-9]+ - ' '$D/d.tap' | grep -v '# SKIP needs a Docker daemon'"
fi

# --- the container target: the suite inside a privileged container ------------------------
if timeout 10 docker info >/dev/null 2>&1; then
        scripts/container-target.sh >"$work/container.out" 2>&1
        rc=$?
        check "container target: the suite passes inside a privileged container" \
                sh -c "[ $rc -eq 0 ] || { grep -A4 '^not ok' reports/container/isocheck.tap; tail -3 '$work/container.out'; exit 1; }"
        check "container target: its reports come back and validate" \
                sh -c "xmllint --noout --schema '$OWN_XSD' reports/container/isocheck.junit.xml &&
                tap-parser -j 0 <reports/container/isocheck.tap >'$work/ct.json' && $PY harness/tests/tap_summary.py '$work/ct.json' --expect-clean"
        check "container target: the probe inside sees the container" \
                grep -q 'name="container" value="docker' reports/container/isocheck.junit.xml
        check "container target: no image or container of it left" \
                sh -c "! docker ps -a --format '{{.Names}}' | grep -q '^isocheck-.*-target\$' && ! docker images --format '{{.Repository}}' | grep -q '^isocheck-suite\$'"
else
        skipped "container target" "no Docker daemon reachable"
fi

# --- the VM target: cgroup v2 with the memory controller, in qemu ------------------------
if command -v qemu-system-x86_64 >/dev/null && ls /boot/vmlinuz-* >/dev/null 2>&1; then
        make -s check-vm VM_CGROUP=v2 VM_OUT="$work/vm" VM_ARGS="--accel tcg" \
                >"$work/vm.out" 2>&1
        rc=$?
        check "vm: the suite passes on cgroup v2 in qemu (TCG)" \
                sh -c "[ $rc -eq 0 ] || { grep -h -A4 '^not ok' '$work'/vm/vm-*/isocheck.tap; tail -5 '$work/vm.out'; exit 1; }"
        check "vm: cgroup.memory.oom_group runs and passes there (v2 only)" \
                sh -c "grep -h -E '^ok [0-9]+ - cgroup\.memory\.oom_group\$' '$work'/vm/vm-*/isocheck.tap"
        check "vm: the merged JUnit names kernel and cgroup mode" \
                sh -c "grep -q 'name=\"cgroup\" value=\"v2\"' '$work/vm/isocheck-vm.junit.xml' && grep -q 'name=\"kernel\"' '$work/vm/isocheck-vm.junit.xml'"
        check "vm: no qemu of that run left" no_qemu_under "$work/vm"
else
        skipped "vm: cgroup v2 in qemu" "qemu-system-x86_64 or a kernel in /boot missing"
fi

# --- faults: kill -9 mid-case, SIGINT, two runs at once ----------------------------------
F=$work/faults
mkdir -p "$F"
leftovers_of() { # RUN-ID: what of that run is still on the machine
        find /sys/fs/cgroup -maxdepth 4 -type d -name "isocheck-$1" 2>/dev/null
        ls -d /tmp/isocheck-"$1"-root-* /run/isocheck/"$1" 2>/dev/null
}
# kill -9 once the victim case's own cgroup exists (bounded: 500 x 10 ms).
kill_during() { # PID CGROUP-NAME
        for _ in $(seq 1 500); do
                ls -d /sys/fs/cgroup/*/isocheck-"$1"-*/*/"$2" >/dev/null 2>&1 && break
                sleep 0.01
        done
        kill -9 "$1"
}
for victim in cgroup.memory.oom_kill.stress-ng:tool sidecar.capture.http:app0; do
        build/isocheck --filter "${victim%%:*}" --tap "$F/k.tap" --junit "$F/k.xml" \
                --artifacts "$F/art" >/dev/null 2>&1 &
        kpid=$!
        kill_during $kpid "${victim##*:}"
        victim=${victim%%:*}
        wait $kpid 2>/dev/null
        kid=$(ls /run/isocheck 2>/dev/null | grep "^$kpid-" | head -n1)
        check "faults: kill -9 during $victim leaves a record of the dead run" test -n "$kid"
        build/isocheck --cleanup >"$F/cleanup.out" 2>&1
        check "faults: --cleanup after kill -9 during $victim removes all it left" \
                sh -c "[ -n '$kid' ] && [ -z \"\$(leftovers_of '$kid')\" ] && grep -q 'run $kid is gone\|record of run $kid' '$F/cleanup.out'" 
        rm -f "$F"/k.tap.tmp.* "$F"/k.xml.tmp.*
done
# The next run cleans up by itself too.
build/isocheck --filter cgroup.memory.oom_kill.stress-ng --tap "$F/k.tap" --junit "$F/k.xml" \
        --artifacts "$F/art" >/dev/null 2>&1 &
kpid=$!
kill_during $kpid tool
wait $kpid 2>/dev/null
kid=$(ls /run/isocheck 2>/dev/null | grep "^$kpid-" | head -n1)
build/isocheck --filter pidns.init.pid1 --tap "$F/n.tap" --junit "$F/n.xml" --artifacts "$F/art" \
        >/dev/null 2>"$F/next.err"
check "faults: the next run removes what a killed run left" \
        sh -c "[ -n '$kid' ] && [ -z \"\$(leftovers_of '$kid')\" ] && grep -q 'cleaned up after dead runs' '$F/next.err'"
rm -f "$F"/k.tap.tmp.* "$F"/k.xml.tmp.*
# A live run is one that holds its record's lock: --hold-run holds one while sleep runs.
check "faults: --cleanup leaves a live run alone" sh -c "
        build/isocheck --hold-run sleep 30 & sp=\$!
        for i in \$(seq 1 200); do ls /run/isocheck | grep -q \"^\$sp-\" && break; sleep 0.05; done
        id=\$(ls /run/isocheck | grep \"^\$sp-\")
        out=\$(build/isocheck --cleanup)
        ok=0; [ -n \"\$id\" ] && [ -f /run/isocheck/\$id/owner ] && ok=1
        kill \$sp; wait \$sp
        [ \$ok -eq 1 ] && [ ! -e /run/isocheck/\$id ]"

build/san/isocheck-selftest --filter 'selftest.verdict.timeout' --filter 'selftest.verdict.pass' \
        --timeout-mult 20 --tap "$F/int.tap" --junit "$F/int.xml" --artifacts "$F/art" \
        >/dev/null 2>&1 &
ipid=$!
sleep 1
kill -INT $ipid
wait $ipid
rc=$?
check "faults: SIGINT stops the run with exit 1" test $rc -eq 1
check "faults: ... the running case is an error, \"interrupted\"" \
        $PY harness/tests/junit_check.py "$F/int.xml" --case selftest.verdict.timeout --verdict error --text interrupted
check "faults: ... and both reports are valid" sh -c "tap-parser -j 0 <'$F/int.tap' >'$F/int.json'; $PY harness/tests/tap_summary.py '$F/int.json' && xmllint --noout --schema '$OWN_XSD' '$F/int.xml'"
check "faults: ... leaving nothing of that run" no_cgroups_of "$F/int.xml"

build/isocheck --exclude '*.docker' --tap "$F/c1.tap" --junit "$F/c1.xml" --artifacts "$F/a1" >/dev/null 2>&1 &
c1=$!
build/isocheck --exclude '*.docker' --tap "$F/c2.tap" --junit "$F/c2.xml" --artifacts "$F/a2" >/dev/null 2>&1 &
c2=$!
wait $c1; r1=$?
wait $c2; r2=$?
check "faults: two runs at once both pass" sh -c "[ $r1 -eq 0 ] && [ $r2 -eq 0 ] || { grep -h -A3 '^not ok' '$F/c1.tap' '$F/c2.tap'; exit 1; }"
check "faults: ... with two complete, valid reports" sh -c "
        for x in c1 c2; do
                tap-parser -j 0 <'$F/'\$x.tap >'$F/'\$x.json && $PY harness/tests/tap_summary.py '$F/'\$x.json --expect-clean >/dev/null || exit 1
                $PY harness/tests/junit_check.py '$F/'\$x.xml --tap '$F/'\$x.tap >/dev/null || exit 1
        done"
check "faults: ... and nothing of either left" no_cgroups_of "$F/c1.xml" "$F/c2.xml"

# --- hostile environments: each ends in precise skips or passes, never a crash -----------
H=$work/hostile
mkdir -p "$H"
setpriv --inh-caps=-sys_admin --bounding-set=-sys_admin build/isocheck --exclude '*.docker' \
        --tap "$H/nocap.tap" --junit "$H/nocap.xml" --artifacts "$H/art" >/dev/null 2>&1
rc=$?
check "hostile: root without CAP_SYS_ADMIN exits 0: cgroup cases pass, the rest skip" test $rc -eq 0
check "hostile: ... namespace cases skip naming CAP_SYS_ADMIN" \
        grep -q -E '^ok [0-9]+ - pidns\.init\.pid1 # SKIP needs CAP_SYS_ADMIN' "$H/nocap.tap"
check "hostile: ... cgroup cases still run and pass" \
        grep -q -E '^ok [0-9]+ - cgroup\.memory\.oom_kill$' "$H/nocap.tap"

mem_mount=$(awk '$9 == "cgroup" && $NF ~ /memory/ {print $5; exit}' /proc/self/mountinfo)
if [ -n "$mem_mount" ]; then
        unshare -m sh -c "mount --make-rprivate / && mount -o remount,bind,ro '$mem_mount' &&
                exec build/isocheck --filter 'cgroup.memory.create' --tap '$H/ro.tap' \
                --junit '$H/ro.xml' --artifacts '$H/art'" >/dev/null 2>&1
        rc=$?
        check "hostile: a read-only memory cgroupfs makes cgroup cases skip, exit 77" test $rc -eq 77
        check "hostile: ... naming the read-only mount" grep -q "SKIP needs a writable cgroupfs: $mem_mount is mounted read-only" "$H/ro.tap"
fi

mkdir -p "$H/bin"
PATH=$H/bin build/isocheck --filter 'cgroup.memory.oom_kill.stress-ng' --tap "$H/path.tap" \
        --junit "$H/path.xml" --artifacts "$H/art" >/dev/null 2>&1
check "hostile: without stress-ng on PATH its case skips saying so" \
        grep -q 'SKIP needs stress-ng: not found on PATH' "$H/path.tap"

unshare -m sh -c "mount --make-rprivate / && mount -t proc -o hidepid=2 proc /proc &&
        exec build/isocheck --filter 'pidns.*' --filter 'nsenter.*' --tap '$H/hide.tap' \
        --junit '$H/hide.xml' --artifacts '$H/art'" >/dev/null 2>&1
rc=$?
check "hostile: /proc mounted with hidepid=2: the namespace cases still pass as root" test $rc -eq 0

binds=""
for cfg in /proc/config.gz "/boot/config-$(uname -r)"; do
        [ -e "$cfg" ] && binds="$binds mount --bind /dev/null '$cfg' &&"
done
unshare -m sh -c "mount --make-rprivate / && ${binds:-true &&} build/isocheck --env | grep -q 'kernel config *unknown\|kernel config *none' &&
        exec build/isocheck --filter 'pidns.*' --tap '$H/nocfg.tap' --junit '$H/nocfg.xml' \
        --artifacts '$H/art'" >"$H/nocfg.out" 2>&1
rc=$?
check "hostile: no readable kernel config: --env says so and the cases still run" test $rc -eq 0

mkdir -p "$H/full"
unshare -m sh -c "mount --make-rprivate / && mount -t tmpfs -o size=8k isocheck-full '$H/full' &&
        head -c 8192 /dev/zero >'$H/full/filler' 2>/dev/null;
        build/isocheck --filter 'pidns.*' --tap '$H/full/r.tap' --junit '$H/full/r.xml' \
        --artifacts '$H/art' >/dev/null 2>'$H/full.err'; echo \$? >'$H/full.rc'; ls -A '$H/full' >'$H/full.ls'"
check "hostile: reports on a full filesystem: exit 99 with the reason, no report file left" \
        sh -c "[ \$(cat '$H/full.rc') -eq 99 ] && grep -q 'No space left' '$H/full.err' && [ \"\$(cat '$H/full.ls')\" = filler ]"

if dd if=/dev/zero of="$swapfile" bs=1M count=64 status=none && chmod 600 "$swapfile" &&
        mkswap -q "$swapfile" >/dev/null && swapon "$swapfile"; then
        build/isocheck --filter 'cgroup.memory.*' --tap "$H/swap.tap" --junit "$H/swap.xml" \
                --artifacts "$H/art" >/dev/null 2>&1
        rc=$?
        swapoff "$swapfile"
        rm -f "$swapfile"
        check "hostile: with a swapfile on, the OOM cases pass (swap limited too) or skip saying why" \
                sh -c "[ $rc -eq 0 ] || grep -q 'swap enabled, swap accounting unavailable' '$H/swap.tap'"
        check "hostile: ... and swap is off again" sh -c "! grep -q isocheck-test-swap /proc/swaps"
else
        skipped "hostile: swapfile" "could not enable a swapfile at $swapfile"
        rm -f "$swapfile"
fi

# --- the command line --------------------------------------------------------------------
C=$work/cli
mkdir -p "$C"
(cd "$C" && "$top/build/san/isocheck" --bogus >out 2>err; echo $? >rc)
check "cli: --bogus exits 2" test "$(cat "$C/rc")" -eq 2
check "cli: --bogus prints one line on stderr and nothing on stdout" \
        sh -c "[ \$(wc -l <'$C/err') -eq 1 ] && [ ! -s '$C/out' ]"
check "cli: --bogus writes no report" test ! -e "$C/reports"
(cd "$C" && "$top/build/san/isocheck" --timeout-mult -1 >/dev/null 2>err2; echo $? >rc2)
check "cli: a negative --timeout-mult exits 2" test "$(cat "$C/rc2")" -eq 2
(cd "$C" && "$top/build/san/isocheck" --filter 'nomatch.*' >/dev/null 2>err3; echo $? >rc3)
check "cli: a filter matching nothing exits 2" test "$(cat "$C/rc3")" -eq 2
check "cli: --junit into a missing, uncreatable directory exits 2" \
        sh -c "build/san/isocheck --junit /proc/isocheck/x.xml >/dev/null 2>&1; [ \$? -eq 2 ]"
check "cli: --list names pidns.init.pid1" sh -c 'build/san/isocheck --list | grep -q "^pidns.init.pid1 "'
check "cli: --help and --version exit 0" sh -c 'build/san/isocheck --help >/dev/null && build/san/isocheck --version | grep -q "^isocheck "'

env_out=$(build/san/isocheck --env 2>&1)
fs=$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)
want_mode=none
if [ "$fs" = cgroup2fs ]; then want_mode=unified
elif [ "$fs" = tmpfs ]; then
        want_mode=legacy
        [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ] && want_mode=hybrid
fi
check "env: --env reports the cgroup mode statfs gives ($want_mode)" \
        grep -q -E "^cgroup mode +$want_mode" <<<"$env_out"
if awk '$9 == "cgroup" && $NF ~ /memory/' /proc/self/mountinfo | grep -q .; then
        check "env: --env puts the memory controller on cgroup v1" \
                grep -q -E '^memory +cgroup v1' <<<"$env_out"
fi

# --- unprivileged: every case skipped, exit 77, reports still valid ----------------------
U=$work/unpriv
mkdir -p "$U" && chmod 0755 "$work" && chmod 0777 "$U"
if command -v setpriv >/dev/null; then
        setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
                build/isocheck --tap "$U/u.tap" --junit "$U/u.xml" --artifacts "$U/a" \
                >"$U/stdout" 2>"$U/stderr"
        rc=$?
        check "unprivileged: exits 77" test $rc -eq 77
        check "unprivileged: every case skipped, saying it needs root" \
                sh -c "! grep -E '^(not )?ok [0-9]+ - ' '$U/u.tap' | grep -v 'needs root: running as uid 65534'"
        check "unprivileged: tap-parser accepts the TAP" tap_ok "$U/u.tap"
        check "unprivileged: JUnit valid against both schemas" xml_ok "$U/u.xml"
else
        skipped "unprivileged run" "setpriv (util-linux) not found"
fi

# --- the runner's own behaviour, through cases that misbehave on purpose -----------------
T=$work/self
mkdir -p "$T"
build/san/isocheck-selftest --filter 'selftest.*' --tap "$T/self.tap" --junit "$T/self.xml" \
        --artifacts "$T/art" >/dev/null 2>"$T/stderr"
rc=$?
check "selftest: exits 1 when cases fail" test $rc -eq 1
check "selftest: tap-parser parses the stream without errors" \
        sh -c "tap-parser -j 0 <'$T/self.tap' >'$T/self.json'; $PY harness/tests/tap_summary.py '$T/self.json'"
check "selftest: JUnit valid against both schemas" xml_ok "$T/self.xml"
build/san/isocheck-selftest --filter 'selftest.*' --tap-version 13 --tap - --junit "$T/self13.xml" \
        --artifacts "$T/art13" >"$T/self13.tap" 2>/dev/null
check "selftest: prove (TAP 13) reads the hostile stream without parse errors" sh -c "
        prove -e cat '$T/self13.tap' >'$T/prove.out' 2>&1
        grep -q 'Parse errors' '$T/prove.out' && { cat '$T/prove.out'; exit 1; }
        grep -q 'Tests=' '$T/prove.out'"
check "selftest: tappy (python3-tap) loads the stream" $PY -c "
import sys
from tap.parser import Parser
n = sum(1 for _ in Parser().parse_file('$T/self.tap'))
sys.exit(0 if n > 0 else 1)"
check "selftest: junitparser reads the hostile report with counts matching the TAP" \
        $PY harness/tests/junit_check.py "$T/self.xml" --tap "$T/self.tap"
verdict() { # CASE VERDICT [TEXT]: the JUnit report gives CASE that verdict (and TEXT)
        $PY harness/tests/junit_check.py "$T/self.xml" --case "$1" --verdict "$2" ${3:+--text "$3"}
}
check "selftest: passing checks give pass" verdict selftest.verdict.pass pass
check "selftest: artifact written and listed" \
        sh -c "grep -qx hello '$T/art/selftest.verdict.pass/note.txt' && grep -q selftest.verdict.pass/note.txt '$T/self.xml'"
check "selftest: a check that cannot be made shows as a subtest SKIP" \
        grep -q '^    ok 3 - a check that cannot be made here # SKIP needs a \\# unicorn$' "$T/self.tap"
check "selftest: a failed check gives fail with expected and got" \
        verdict selftest.verdict.fail fail "the answer: expected 42, got 41"
check "selftest: failed check reported with file:line" grep -q 'at: "harness/tests/selfcases.c:[0-9]*"' "$T/self.tap"
check "selftest: iso_skip gives skip with the reason" \
        verdict selftest.verdict.skip skip "needs a unicorn"
check "selftest: an unmet requirement skips without running" \
        verdict selftest.verdict.unmet skip "needs isocheck-no-such-tool: not found on PATH"
check "selftest: iso_broken gives error, keeping earlier checks" \
        verdict selftest.verdict.broken error "expected open(/nonexistent) to work"
check "selftest: a crash gives error naming the signal" \
        verdict selftest.verdict.crash error "killed by signal 9"
check "selftest: checks made before a crash are reported" \
        grep -q '    ok 1 - recorded before the crash' "$T/self.tap"
check "selftest: a hang gives error after its timeout" \
        verdict selftest.verdict.timeout error "timed out after 1 s"
check "selftest: a case with no checks is an error" \
        verdict selftest.verdict.nochecks error "without recording a check"
check "selftest: a leaked process is an error, and is killed" \
        verdict selftest.leak.process error "process(es) still running"
check "selftest: a mount a case forgets never reaches the host" \
        sh -c "$PY harness/tests/junit_check.py '$T/self.xml' --case selftest.contained.mount --verdict pass && ! grep -q isocheck-selftest /proc/self/mountinfo"
check "selftest: hostile strings give a plain failure" verdict selftest.strings.hostile fail
self_exe=$top/build/san/isocheck-selftest
check "selftest: no mount, process or cgroup survives" sh -c "
        ! grep -q isocheck-selftest /proc/self/mountinfo || exit 1
        for p in /proc/[0-9]*; do [ \"\$(readlink \$p/exe 2>/dev/null)\" = '$self_exe' ] && exit 1; done
        exit 0"
check "selftest: no cgroup of the self-test run left" no_cgroups_of "$T/self.xml"
build/san/isocheck-selftest --filter 'selftest.verdict.timeout' --timeout-mult 2 \
        --tap - --junit "$T/mult.xml" >/dev/null 2>&1
check "selftest: --timeout-mult scales the timeout" \
        $PY harness/tests/junit_check.py "$T/mult.xml" --case selftest.verdict.timeout \
        --verdict error --text "timed out after 2 s"

# --- field faults: one file per area under harness/tests/field/ ----------------------
for f in harness/tests/field/*.sh; do
        [ -f "$f" ] || continue
        . "$f"
done

echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
