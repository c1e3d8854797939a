# Parallel cases (isocheck -j, issue 14) and live progress (issue 13): reports identical to a
# serial run's apart from times, each OOM case seeing only its own kill, nothing left after
# parallel runs, timeouts and SIGINT per case, exclusive cases alone, --progress.
# Sourced by run.sh and field.sh.
J=$work/jobs
mkdir -p "$J"

# What only a run's times and identities change: run ids, PIDs, durations, timestamps, and
# the artifacts directory each run was given.
jobs_norm() {
        sed -E 's/[0-9]+-[0-9a-f]{16}/RUN/g; s/(duration_s|duration_ms): .*/\1: T/
                s/ (time|timestamp)="[^"]*"/ \1="T"/g; s/(pid|ctl:) [0-9]+/\1 N/g
                s#'"$J"'/[a-z0-9]+-art#ART#g' "$1"
}
# jobs_native NAME ARGS...: the native suite (no container runtime) into $J/NAME.*
jobs_native() {
        local name=$1
        shift
        build/san/isocheck --exclude '*.docker' --exclude '*.podman*' --exclude '*.oci' "$@" \
                --tap "$J/$name.tap" --junit "$J/$name.xml" --artifacts "$J/$name-art" \
                >"$J/$name.out" 2>"$J/$name.err"
        echo $? >"$J/$name.rc"
}
# The status lines a terminal was sent, one per line (each redraw starts with \r).
jobs_frames() { tr '\r' '\n' <"$1" | sed "s/$(printf '\033')\\[K//g"; }
# The test points and checks of a TAP file (a real case's diagnostics hold counters).
jobs_points() { grep -E '^ *(not )?ok ' "$1" | sed -E 's/[0-9]+-[0-9a-f]{16}/RUN/g'; }

# --- -j4 and -j1 give the same reports -----------------------------------------------------
# Input (issue 14): "the TAP stream and reports stay in list order and identical in content
# to a serial run (only times differ)". The self-test cases pass, fail, crash, time out,
# leak and print hostile bytes: every way a result is made.
for j in 1 4; do
        build/san/isocheck-selftest -j$j --filter 'selftest.*' --tap "$J/self$j.tap" \
                --junit "$J/self$j.xml" --artifacts "$J/self$j-art" >"$J/self$j.out" 2>"$J/self$j.err"
        echo $? >"$J/self$j.rc"
        jobs_norm "$J/self$j.tap" >"$J/self$j.tap.n"
        jobs_norm "$J/self$j.xml" >"$J/self$j.xml.n"
done
check "jobs: self-test runs at -j1 and -j4 both exit 1 (cases fail on purpose)" \
        sh -c "[ \$(cat '$J/self1.rc') = 1 ] && [ \$(cat '$J/self4.rc') = 1 ]"
check "jobs: self-test TAP at -j4 is -j1's apart from times and PIDs" \
        sh -c "[ -s '$J/self1.tap.n' ] && diff '$J/self1.tap.n' '$J/self4.tap.n'"
check "jobs: self-test JUnit at -j4 is -j1's apart from times and PIDs" \
        sh -c "[ -s '$J/self1.xml.n' ] && diff '$J/self1.xml.n' '$J/self4.xml.n'"
check "jobs: the -j4 JUnit is valid against both schemas" xml_ok "$J/self4.xml"
check "jobs: junitparser reads -j4's JUnit with counts matching its TAP" \
        $PY harness/tests/junit_check.py "$J/self4.xml" --tap "$J/self4.tap"
check "jobs: the -j4 TAP stream on stdout is the file's" cmp "$J/self4.out" "$J/self4.tap"

# The real cases: same verdicts and checks in the same order (their diagnostics hold
# counters that differ between any two runs).
jobs_native n1 -j1
jobs_native n4 -j4
jobs_same_points() { diff <(jobs_points "$J/n1.tap") <(jobs_points "$J/n4.tap") &&
        [ "$(cat "$J/n1.rc")" = "$(cat "$J/n4.rc")" ] && [ "$(jobs_points "$J/n1.tap" | wc -l)" -gt 20 ]; }
check "jobs: native suite at -j4 has -j1's verdicts and checks, in order" jobs_same_points
check "jobs: native suite at -j4: tap-parser reads it clean" tap_ok "$J/n4.tap"

# --- a case that times out does not disturb the others --------------------------------------
# Further input of the kind: three cases time out at once (one waiting in `sleep 60`) while
# others run beside them; each keeps its own verdict and its program is killed.
jv() { $PY harness/tests/junit_check.py "$J/self4.xml" --case "$1" --verdict "$2" ${3:+--text "$3"}; }
jobs_timeouts() {
        jv selftest.verdict.timeout error 'timed out after 1 s' &&
                jv selftest.verdict.timeout.tool error 'running `sleep 60`' &&
                jv selftest.verdict.timeout.toolout error 'timed out after 1 s'
}
jobs_beside() {
        jv selftest.verdict.pass pass && jv selftest.verdict.fail fail &&
                jv selftest.verdict.crash error 'killed by signal 9' && jv selftest.stack.deep pass
}
check "jobs: timeouts in parallel each say 'timed out after 1 s'" jobs_timeouts
check "jobs: the cases beside them keep their verdicts" jobs_beside

# --- an exclusive case runs alone ------------------------------------------------------------
check "jobs: an exclusive case sees no other case of its run beside it (-j4)" jv selftest.exclusive.alone pass
ISOCHECK_FAULT=runner.exclusive.ignored build/san/isocheck-selftest -j4 --filter 'selftest.*' \
        --tap "$J/excl.tap" --junit "$J/excl.xml" --artifacts "$J/excl-art" >/dev/null 2>&1
check "jobs: with the runner ignoring .exclusive, that case fails naming who ran beside it" \
        sh -c "$PY harness/tests/junit_check.py '$J/excl.xml' --case selftest.exclusive.alone \
                --verdict fail --text 'no other case of the run is running' &&
               grep -q 'running beside it: selftest\.' '$J/excl.xml'"

# --- two OOM cases at once each see only their own kill -----------------------------------
# Input (issue 14): "everything that matches kernel-log lines ... keeps matching only its own
# case's objects under concurrency". Two OOM cases run together under a terminal (script(1)),
# whose status line shows both running; each one's kmsg-oom.txt names its own cgroup only.
oom_a=cgroup.memory.oom_kill oom_b=cgroup.memory.oom_kill.stress
script -qec "stty cols 200; build/san/isocheck -j2 --filter $oom_a --filter $oom_b --tap '$J/oom.tap' \
        --junit '$J/oom.xml' --artifacts '$J/oom-art' >'$J/oom.out'" "$J/oom.tty" >/dev/null 2>&1
if grep -q "^ok [0-9]* - $oom_a # SKIP" "$J/oom.tap" || grep -q "^ok [0-9]* - $oom_b # SKIP" "$J/oom.tap"; then
        skipped "jobs: two OOM cases at once each see only their own kill" \
                "$(grep -o 'SKIP.*' "$J/oom.tap" | head -n 1)"
elif grep -q 'SKIP /dev/kmsg unreadable' "$J/oom.tap"; then
        skipped "jobs: two OOM cases at once each see only their own kill" "/dev/kmsg unreadable"
else
        id=$(run_id "$J/oom.xml")
        check "jobs: both OOM cases pass at -j2" sh -c "
                $PY harness/tests/junit_check.py '$J/oom.xml' --case $oom_a --verdict pass &&
                $PY harness/tests/junit_check.py '$J/oom.xml' --case $oom_b --verdict pass"
        jobs_oom_both() { jobs_frames "$J/oom.tty" | grep -q -E "running: ($oom_a, $oom_b|$oom_b, $oom_a)\$"; }
        check "jobs: the status line showed both OOM cases running at once" jobs_oom_both
        check "jobs: each OOM case's kmsg-oom.txt names its own cgroup and not the other's" sh -c "
                grep -q 'oom_memcg=/isocheck-$id/$oom_a/' '$J/oom-art/$oom_a/kmsg-oom.txt' &&
                ! grep -q '/$oom_b/' '$J/oom-art/$oom_a/kmsg-oom.txt' &&
                grep -q 'oom_memcg=/isocheck-$id/$oom_b/' '$J/oom-art/$oom_b/kmsg-oom.txt' &&
                ! grep -q '/$oom_a/' '$J/oom-art/$oom_b/kmsg-oom.txt'"
fi
# Further input of the kind (field: the memcg tests' 30M container limit killed the runner
# when two hogs ran at once): under a memory limit of its own, as in a container, the OOM
# cases run one at a time, since an OOM there may pick any task below that limit.
jobs_mem=/sys/fs/cgroup/memory/isocheck-test-jobs-$$
if [ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ] && mkdir "$jobs_mem" 2>/dev/null; then
        echo 1G >"$jobs_mem/memory.limit_in_bytes"
        sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$jobs_mem" \
                script -qec "stty cols 200; build/san/isocheck -j2 --filter 'cgroup.memory.oom_kill*' \
                --tap '$J/lim.tap' --junit '$J/lim.xml' --artifacts '$J/lim-art' >/dev/null" \
                "$J/lim.tty" >/dev/null 2>&1
        for _ in 1 2 3 4 5 6 7 8 9 10; do rmdir "$jobs_mem" 2>/dev/null && break; sleep 0.2; done
        jobs_lim() {
                [ "$(grep -c -E '^(not )?ok [0-9]+ - cgroup.memory.oom_kill' "$J/lim.tap")" -eq 3 ] &&
                        grep -q 'running: cgroup.memory.oom_kill' "$J/lim.tty" &&
                        ! jobs_frames "$J/lim.tty" | grep -q -E 'running: .*cgroup.memory.oom.*, .*cgroup.memory.oom' &&
                        [ ! -d "$jobs_mem" ]
        }
        check "jobs: under a memory limit of its own the OOM cases run one at a time" jobs_lim
else
        skipped "jobs: under a memory limit of its own the OOM cases run one at a time" \
                "no cgroup v1 memory hierarchy at /sys/fs/cgroup/memory"
fi
# A report the kernel's printk rate limit dropped (it then logs "callbacks suppressed"): the
# kernel-log check is a skip naming that line, the case still passes on its counters.
ISOCHECK_FAULT=kmsg.oom.suppressed build/san/isocheck -j2 --filter $oom_a --filter $oom_b \
        --tap "$J/sup.tap" --junit "$J/sup.xml" --artifacts "$J/sup-art" >/dev/null 2>&1
if grep -q -E "^ok [0-9]* - cgroup.memory.oom_kill(.stress)? # SKIP" "$J/sup.tap" ||
        grep -q 'SKIP /dev/kmsg unreadable' "$J/sup.tap"; then
        skipped "jobs: a suppressed OOM report skips the kernel-log check" \
                "$(grep -o 'SKIP.*' "$J/sup.tap" | head -n 1)"
else
        check "jobs: a suppressed OOM report skips the kernel-log check, naming the line" sh -c "
                [ \$(grep -c 'names the killed process # SKIP .*oom_kill_process: 1 callbacks suppressed' '$J/sup.tap') -eq 2 ] &&
                $PY harness/tests/junit_check.py '$J/sup.xml' --case $oom_a --verdict pass"
fi

# --- variants of a runtime that names its objects per run run one at a time -----------------
# Input (field, envcause.sh at the default -j2): two docker variants at once both named their
# container "isocheck-<run>-app1"; the second failed with docker's "Conflict. The container
# name ... is already in use". Native variants (names of their own) still run together.
script -qec "stty cols 250; build/san/isocheck -j4 --filter 'container.app.*' --exclude '*podman*' \
        --exclude '*.oci' --tap '$J/rt.tap' --junit '$J/rt.xml' --artifacts '$J/rt-art' >/dev/null" \
        "$J/rt.tty" >/dev/null 2>&1
if grep -q -E '^ok [0-9]+ - container.app.noshell.docker # SKIP' "$J/rt.tap"; then
        skipped "jobs: docker variants run one at a time, native ones together" \
                "$(grep -o 'SKIP.*' "$J/rt.tap" | head -n 1)"
else
        jobs_rt() {
                local both
                both=$(jobs_frames "$J/rt.tty" | grep -c -E 'running: .*\.docker.*, .*\.docker')
                [ "$both" -eq 0 ] || { echo "two docker variants ran at once"; return 1; }
                jobs_frames "$J/rt.tty" | grep -q -E \
                        'running: container.app.noshell, .*container.app.serves|running: container.app.serves, .*container.app.noshell' || { echo "the native variants never ran together"; return 1; }
                [ "$(grep -c -E '^ok [0-9]+ - container.app' "$J/rt.tap")" -eq 4 ] ||
                        { grep -E '^not ok' -A8 "$J/rt.tap"; return 1; }
        }
        check "jobs: docker variants run one at a time, native ones together" jobs_rt
fi

# --- --progress --------------------------------------------------------------------------
# Input (issue 13): "a one-line status on stderr when stderr is a TTY ..., plain lines
# otherwise, nothing on stdout (the TAP stream stays clean)".
jobs_native always -j2 --progress=always
jobs_always() {
        local n
        n=$(grep -c -E '^(not )?ok ' "$J/always.tap")
        [ "$n" -gt 5 ] || { echo "only $n cases"; return 1; }
        [ "$(grep -c -E "^isocheck: \[[0-9]+/$n\] (pass|fail|skip|error) [a-z0-9._-]+ \([0-9.]+ s\)$" \
                "$J/always.err")" -eq "$n" ] || { cat "$J/always.err"; return 1; }
        cmp "$J/always.out" "$J/always.tap" # stdout holds the TAP stream, nothing else
}
jobs_slowest() {
        grep -A5 '^isocheck: slowest cases:$' "$J/always.err" | tail -n 5 |
                grep -c -E '^isocheck: +[0-9]+\.[0-9]{3} s  [a-z0-9._-]+$' | grep -qx 5
}
check "jobs: --progress=always off a terminal: one line per case on stderr, TAP clean" jobs_always
check "jobs: the TAP on stdout with --progress=always is read clean" tap_ok "$J/always.out"
check "jobs: the run ends with the 5 slowest cases on stderr" jobs_slowest
jobs_native never -j2 --progress=never
check "jobs: --progress=never: no status lines, no slowest cases" sh -c "
        [ -s '$J/never.tap' ] && ! grep -q -e '^isocheck: \[' -e 'slowest' -e \"\$(printf '\r')\" '$J/never.err'"
# On a terminal: redrawn in place (\r ... ESC[K) and cleared at the end; stdout untouched.
script -qec "build/san/isocheck -j2 --filter 'pidns.*' --tap - --junit '$J/tty.xml' \
        --artifacts '$J/tty-art' >'$J/tty.out'" "$J/tty.log" >/dev/null 2>&1
jobs_tty() {
        local cr esc
        cr=$(printf '\r') esc=$(printf '\033')
        grep -q "$cr\[[0-9]*/[0-9]*\] [0-9.]* s" "$J/tty.log" || { cat -v "$J/tty.log"; return 1; }
        grep -q "$cr$esc\[Kisocheck: [0-9]* passed" "$J/tty.log" || { cat -v "$J/tty.log"; return 1; }
        ! grep -q -e "$cr" -e "$esc" "$J/tty.out" && tap_ok "$J/tty.out"
}
check "jobs: on a terminal the status line is redrawn and cleared, stdout stays TAP" jobs_tty
# stdout on the same terminal (the plain `sudo build/isocheck`): what shows of each line
# after the last \r, less ESC[K, is the TAP stream, each line whole.
script -qec "build/san/isocheck -j2 --filter 'pidns.*' --tap '$J/same.tap' --junit '$J/same.xml' \
        --artifacts '$J/same-art'" "$J/same.log" >/dev/null 2>&1
jobs_same_tty() {
        local esc
        esc=$(printf '\033')
        sed "s/\r\$//; s/.*\r//; s/$esc\[K//g" "$J/same.log" | grep -E '^(TAP|1\.\.|# Subtest|ok|not ok)' >"$J/same.seen"
        grep -E '^(TAP|1\.\.|# Subtest|ok|not ok)' "$J/same.tap" | diff - "$J/same.seen" &&
                grep -q '^ok' "$J/same.seen"
}
check "jobs: with stdout on the same terminal, every TAP line shows whole" jobs_same_tty

# --- SIGINT stops every running case and cleans up -----------------------------------------
# Further input of the kind: two cases running at -j2 (each waiting in a program) and one
# waiting for a slot when the user presses ^C.
build/san/isocheck-selftest -j2 --filter 'selftest.verdict.timeout*' --timeout-mult 30 \
        --tap "$J/int.tap" --junit "$J/int.xml" --artifacts "$J/int-art" >/dev/null 2>"$J/int.err" &
rpid=$!
for _ in $(seq 100); do # two tracking leaves of this runner's run: both cases started
        [ "$(find /sys/fs/cgroup -maxdepth 5 -type d -path "*/isocheck-$rpid-*/ctl" 2>/dev/null |
                sort -u | wc -l)" -ge 2 ] && break
        sleep 0.1
done
kill -INT $rpid
wait $rpid
int_rc=$?
jobs_int() {
        [ $int_rc -eq 1 ] || { echo "exit $int_rc"; return 1; }
        [ "$(grep -c 'interrupted: the run was stopped by a signal' "$J/int.tap")" -ge 2 ] &&
                [ "$(grep -c -E '^not ok' "$J/int.tap")" -eq 3 ] && xml_ok "$J/int.xml"
}
check "jobs: SIGINT at -j2 ends the run with exit 1, every case reported interrupted" jobs_int

# --- nothing is left after the parallel runs -----------------------------------------------
jobs_left() { # XML...: a live process (not a zombie init has yet to reap) of those runs
        local x id f
        for x in "$@"; do
                id=$(run_id "$x")
                [ -n "$id" ] || { echo "no run.id in $x"; return 0; }
                for f in $(grep -l "isocheck-$id" /proc/[0-9]*/cgroup 2>/dev/null); do
                        grep -q '^State:.*[ZX]' "${f%/cgroup}/status" 2>/dev/null && continue
                        echo "${f%/cgroup}: $(tr '\0' ' ' <"${f%/cgroup}/cmdline" 2>/dev/null)"
                        return 0
                done
        done
        return 1
}
check "jobs: no cgroup of the parallel runs is left" \
        no_cgroups_of "$J/self4.xml" "$J/n4.xml" "$J/excl.xml" "$J/oom.xml" "$J/always.xml" "$J/int.xml" "$J/rt.xml"
jobs_none_left() { ! jobs_left "$J/self4.xml" "$J/n4.xml" "$J/excl.xml" "$J/oom.xml" "$J/always.xml" "$J/int.xml" "$J/rt.xml"; }
jobs_no_container() { # the docker run's label: nothing of it is left
        command -v docker >/dev/null || return 0
        local id
        id=$(run_id "$J/rt.xml")
        [ -n "$id" ] && [ -z "$(docker ps -aq --filter "label=isocheck.run=$id" 2>/dev/null)" ]
}
check "jobs: no container of the parallel docker run is left" jobs_no_container
check "jobs: no process of the parallel runs is left" jobs_none_left
