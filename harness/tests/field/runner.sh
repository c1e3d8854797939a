# Field faults of the runner (issue 11b, items 8, 9, 12 and 14): what a case cut short had
# printed, processes dying with the runner, and command lines refused with exit 2.
# Sourced by run.sh and field.sh.
RUN=$work/runner
mkdir -p "$RUN/bin"

# --- 8. a case cut short keeps what its tools printed ---------------------------------------
# Input from the field: a fake stress-ng first on PATH printing a line, then exec sleep 1000;
# build/isocheck --filter cgroup.memory.oom_kill.stress-ng --timeout-mult 0.1 timed out and its
# <system-out> held only the process list.
printf '#!/bin/sh\necho "fake stress-ng: dispatching 1 vm hog (field-line-8)"\nexec sleep 1000\n' \
        >"$RUN/bin/stress-ng"
chmod +x "$RUN/bin/stress-ng"
PATH="$RUN/bin:$PATH" build/san/isocheck --filter cgroup.memory.oom_kill.stress-ng --timeout-mult 0.1 \
        --tap "$RUN/tool.tap" --junit "$RUN/tool.xml" --artifacts "$RUN/tool-art" \
        >"$RUN/tool.out" 2>"$RUN/tool.err"
if grep -q '^ok [0-9]* - cgroup.memory.oom_kill.stress-ng # SKIP' "$RUN/tool.tap"; then
        skipped "runner: a timed-out case keeps its tool's output" \
                "$(grep -o 'SKIP.*' "$RUN/tool.tap")"
else
        check "runner: a timed-out case keeps its tool's output" sh -c "
                $PY harness/tests/junit_check.py '$RUN/tool.xml' \
                        --case cgroup.memory.oom_kill.stress-ng --verdict error --text 'timed out' &&
                grep -q 'field-line-8' '$RUN/tool.xml' &&
                grep -q 'what the case.s tools printed before it was cut short' '$RUN/tool.xml'"
fi
# Further input of the kind: a tool read through tool.c (iso_tool_run) printing a line, then
# hanging past the case's timeout (selftest.verdict.timeout.toolout).
build/san/isocheck-selftest --filter selftest.verdict.timeout.toolout --tap "$RUN/self.tap" \
        --junit "$RUN/self.xml" --artifacts "$RUN/self-art" >/dev/null 2>"$RUN/self.err"
check "runner: a tool read through tool.c keeps its line when the case times out" sh -c "
        $PY harness/tests/junit_check.py '$RUN/self.xml' \
                --case selftest.verdict.timeout.toolout --verdict error --text 'timed out' &&
        grep -q 'the tool said: halfway there' '$RUN/self.xml'"

# --- 9. a case's processes die with a runner killed outright ---------------------------------
# runner_cg_pids PID: every process in the cgroups of the run whose runner is PID.
runner_cg_pids() {
        find /sys/fs/cgroup -maxdepth 5 -type d -name "isocheck-$1-*" 2>/dev/null |
                while read -r d; do find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null; done
}
# runner_proc PID PATTERN: a process of that run whose command line matches the grep PATTERN,
# once there is one (15 s at most).
runner_proc() {
        local i p
        for i in $(seq 150); do
                for p in $(runner_cg_pids "$1"); do
                        { tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null | grep -q -- "$2" &&
                                { echo "$p"; return 0; }
                done
                sleep 0.1
        done
        return 1
}
# runner_killed NAME WAITFOR ISOCHECK-ARGS...: start a run in its own session; once its native
# app (and a process matching WAITFOR) runs, SIGKILL the runner; then nothing of it may run
# 2 s later and the host end of the app's veth must be gone. The fault native.linger holds the
# case 10 s after each start with the app running (the field run was caught by timing alone).
runner_killed() {
        local name=$1 waitfor=$2 rpid app peer left i
        shift 2
        ISOCHECK_FAULT=native.linger setsid build/san/isocheck "$@" --tap "$RUN/$name.tap" \
                --junit "$RUN/$name.xml" --artifacts "$RUN/$name-art" >"$RUN/$name.out" \
                2>"$RUN/$name.err" &
        rpid=$!
        if ! app=$(runner_proc $rpid '^/app 8000 $') || ! runner_proc $rpid "$waitfor" >/dev/null; then
                kill -9 $rpid 2>/dev/null
                wait $rpid 2>/dev/null
                build/san/isocheck --cleanup >/dev/null 2>&1
                echo "the app or $waitfor not seen in the run of PID $rpid within 15 s"
                cat "$RUN/$name.err"
                return 1
        fi
        # The host end of the app's veth, by index: "isoXXXXXXc0@if42" inside the app.
        peer=$(nsenter -t "$app" -n ip -o link show type veth 2>/dev/null |
                sed -n 's/.*@if\([0-9]*\):.*/\1/p' | head -n 1)
        kill -9 $rpid
        wait $rpid 2>/dev/null
        for i in $(seq 20); do
                left=$(runner_cg_pids $rpid)
                [ -z "$left" ] && ! kill -0 "$app" 2>/dev/null && break
                sleep 0.1
        done
        # Whatever the verdict, what the dead run left goes now (--cleanup), not at a later run.
        if [ -n "$left" ] || kill -0 "$app" 2>/dev/null; then
                build/san/isocheck --cleanup >/dev/null 2>&1
                echo "left running after the runner's SIGKILL: app $app; in its cgroups: $left"
                for p in $left; do { tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null; echo; done
                return 1
        fi
        # A network namespace is dismantled after its last process, asynchronously: 5 s.
        for i in $(seq 50); do
                [ -n "$peer" ] && ip -o link show | grep -q "^$peer: " || break
                sleep 0.1
        done
        if [ -n "$peer" ] && ip -o link show | grep -q "^$peer: "; then
                echo "the app's veth (host index $peer) outlived it: $(ip -o link show | grep "^$peer: ")"
                build/san/isocheck --cleanup >/dev/null 2>&1
                return 1
        fi
        build/san/isocheck --cleanup >/dev/null 2>&1
        return 0
}
# Input from the field: setsid build/isocheck --exclude '*.docker' & sleep 2.0; kill -9 $!
# left /app 8000 (PPID 1) running in sidecar.capture.http/app0, its veth on the host.
check "runner: the app and sidecar of sidecar.capture.http die with a SIGKILLed runner" \
        runner_killed sidecar ' -i any ' --filter sidecar.capture.http --exclude '*.docker'
# Further input of the kind: the native app of a container case (no sidecar).
check "runner: the app of container.app.serves dies with a SIGKILLed runner" \
        runner_killed serves '^/app 8000 $' --filter container.app.serves --exclude '*.docker'

# --- 12 and 14. refused command lines ---------------------------------------------------------
# runner_usage ARGS...: isocheck exits 2 with exactly one line on stderr.
runner_usage() {
        local rc
        build/san/isocheck "$@" --tap "$RUN/u.tap" --junit "$RUN/u.xml" \
                --artifacts "$RUN/u-art" >"$RUN/u.out" 2>"$RUN/u.err"
        rc=$?
        [ $rc -eq 2 ] && [ "$(wc -l <"$RUN/u.err")" -eq 1 ] && return 0
        echo "exit $rc, stderr:"
        cat "$RUN/u.err"
        return 1
}
# Input from the field: a second run.id in the JUnit properties.
check "runner: --property run.id=evil is refused" runner_usage --property run.id=evil --list
# Further input of the kind: an environment property.
check "runner: --property kernel.release=x is refused" runner_usage --property kernel.release=x --list
# Input from the field: --timeout-mult 0x10 was taken as 16.
check "runner: --timeout-mult 0x10 is refused" runner_usage --timeout-mult 0x10 --list
# Input from the field: --env and --cleanup ignored --filter.
check "runner: --env --filter is refused" runner_usage --env --filter 'cgroup.*'
check "runner: --cleanup --exclude is refused" runner_usage --cleanup --exclude 'cgroup.*'

# --- 14. isocheck-vm counts errors apart from failures --------------------------------------
# Input from the field: a configuration that ended in error was counted "failed" in the
# summary. Here the configuration's report directory is a planted link (refused: an error,
# the environment's), qemu is /bin/false: nothing boots.
runner_vm_k=$(ls /boot/vmlinuz-6.1.* 2>/dev/null | tail -n 1)
if [ "$(id -u)" -ne 0 ] || [ -z "$runner_vm_k" ] || [ ! -x build/isocheck-vm ]; then
        skipped "runner: isocheck-vm's summary counts errors" "needs root and /boot/vmlinuz-6.1.*"
else
        mkdir -p "$RUN/vm/out" "$RUN/vm/elsewhere"
        ln -s "$RUN/vm/elsewhere" "$RUN/vm/out/vm-${runner_vm_k#/boot/vmlinuz-}-v2"
        check "runner: isocheck-vm's summary counts a configuration in error as an error" bash -c "
                TMPDIR='$RUN/vm' build/isocheck-vm -o '$RUN/vm/out' --qemu /bin/false \
                        --kernel '$runner_vm_k' -c v2 >'$RUN/vm/out.txt' 2>&1
                rc=\$?
                grep -q '^1 configurations: 0 passed, 0 failed, 1 errors, 0 skipped' '$RUN/vm/out.txt' &&
                        [ \$rc -eq 1 ] || { echo exit \$rc; cat '$RUN/vm/out.txt'; exit 1; }"
fi
