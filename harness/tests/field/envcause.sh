# Environment causes named, not blamed on the kernel (issue 11b: items 3, 4, 5, 7, 11).
# Sourced by run.sh and field.sh: $work, check/ok/not_ok/skipped, run_id, $PY from lib.sh.
# Each test runs isocheck under one limit or setting of the environment and expects a skip
# or an error naming it, never a failure; what a run left is found by its PID-led run id.
EC=$work/envcause
mkdir -p "$EC"
ec_plain=${ENVCAUSE_ISO_PLAIN:-build/isocheck} # the shipped build: ASan needs a larger stack

# ---- item 7: RLIMIT_STACK --------------------------------------------------------------
# Input: `ulimit -s 128; isocheck --help` (and --list) segfaulted; `ulimit -s 256` with
# --filter pidns.pid.differs was "killed by signal 11" (a 297 KB frame).
for args in --help --list --env; do
        check "envcause: ulimit -s 128: isocheck $args works" \
                bash -c "ulimit -s 128 && exec $ec_plain $args >/dev/null"
done
check "envcause: ulimit -s 128: --env lists STACK 131072" \
        sh -c "bash -c 'ulimit -s 128 && exec $ec_plain --env' | grep -q '^rlimits .*STACK 131072'"
for s in 256 128; do
        bash -c "ulimit -s $s && exec $ec_plain --filter pidns.pid.differs --junit $EC/stack$s.xml" \
                >"$EC/stack$s.out" 2>&1
        rc=$?
        if [ $rc -eq 0 ] && $PY harness/tests/junit_check.py "$EC/stack$s.xml" \
                --case pidns.pid.differs --verdict pass >/dev/null 2>&1; then
                ok "envcause: ulimit -s $s: pidns.pid.differs passes"
        else
                not_ok "envcause: ulimit -s $s: pidns.pid.differs passes" "rc $rc" \
                        "$(tail -n 5 "$EC/stack$s.out")"
        fi
done
# Further input of the kind: the cgroup.memory OOM cases (40 KiB frames) at 128 KiB.
bash -c "ulimit -s 128 && exec $ec_plain --filter 'cgroup.memory.oom_kill' --filter 'cgroup.memory.oom_group' --junit $EC/stackoom.xml" \
        >"$EC/stackoom.out" 2>&1
if grep -q 'killed by signal' "$EC/stackoom.xml" "$EC/stackoom.out"; then
        not_ok "envcause: ulimit -s 128: the OOM cases are not killed by a signal" \
                "$(grep -m1 'killed by signal' "$EC/stackoom.xml" "$EC/stackoom.out")"
else
        ok "envcause: ulimit -s 128: the OOM cases are not killed by a signal"
fi
# A case that still runs out of stack names the limit: selftest.stack.deep uses 1 MiB
# (ASan's handler off, so the kernel's SIGSEGV reaches the runner as it would unsanitized).
bash -c "ulimit -s 256 && ASAN_OPTIONS=handle_segv=0 exec build/san/isocheck-selftest \
        --filter selftest.stack.deep --junit $EC/deep.xml" >"$EC/deep.out" 2>&1
check "envcause: a case killed by SIGSEGV under ulimit -s 256 is an error naming RLIMIT_STACK" \
        $PY harness/tests/junit_check.py "$EC/deep.xml" --case selftest.stack.deep \
        --verdict error --text "RLIMIT_STACK is 262144 bytes (ulimit -s 256)"

# ---- item 5: RLIMIT_FSIZE --------------------------------------------------------------
# Input: `ulimit -f 1; exec isocheck --filter pidns.init.pid1 --filter cgroup.memory.create
# --tap t.tap --junit t.xml` died of SIGXFSZ (rc 153): no Bail out!, temp files and the run
# record left. Further input: `ulimit -f 2` with the JUnit report alone (TAP on stdout).
fsize_run() { # NAME ULIMIT-F ISOCHECK-ARGS...: in $EC/NAME/, stdout through a pipe
        local name=$1 blocks=$2
        shift 2
        mkdir -p "$EC/$name"
        (
                cd "$EC/$name" || exit
                bash -c "ulimit -f $blocks && exec $top/build/san/isocheck $*" 2>err &
                echo $! >pid
                wait $!
                echo $? >rc
        ) | cat >"$EC/$name/out"
}
fsize_check() { # NAME: rc 99, Bail out! naming RLIMIT_FSIZE, no temp file or run record left
        local d=$EC/$1 rc pid
        rc=$(cat "$d/rc") pid=$(cat "$d/pid")
        check "envcause: $1: exits 99 (not SIGXFSZ's 153)" test "$rc" = 99
        check "envcause: $1: standard output ends with a Bail out! naming RLIMIT_FSIZE" \
                grep -q '^Bail out! .*File too large: RLIMIT_FSIZE is' "$d/out"
        check "envcause: $1: stderr names RLIMIT_FSIZE" grep -q 'RLIMIT_FSIZE is' "$d/err"
        check "envcause: $1: no temporary report left" \
                sh -c "! ls '$d' | grep -q '\.tmp\.'"
        check "envcause: $1: the run record /run/isocheck/$pid-* is gone" \
                sh -c "! ls -d /run/isocheck/$pid-* 2>/dev/null"
}
fsize_run fsize1 1 --filter pidns.init.pid1 --filter cgroup.memory.create --tap t.tap --junit t.xml
fsize_check fsize1
fsize_run fsize2 2 --filter pidns.init.pid1 --filter cgroup.memory.create --junit t.xml
fsize_check fsize2
check "envcause: ulimit -f 1: --env lists FSIZE 1024" \
        sh -c "bash -c 'ulimit -f 1 && exec $ec_plain --env' | grep -q '^rlimits .*FSIZE 1024'"

# ---- item 11: DOCKER_CONTEXT and DOCKER_HOST named -------------------------------------
# Input: DOCKER_CONTEXT=bogus skipped with "no Docker daemon reachable at
# unix:///var/run/docker.sock", a socket never asked. Further input: DOCKER_HOST=bogus://
# (malformed). Both are a setting the user made that is broken: an error naming it. A
# well-formed DOCKER_HOST where no daemon answers stays a skip, naming DOCKER_HOST.
if command -v docker >/dev/null 2>&1; then
        dk_case=container.app.serves.docker
        DOCKER_CONTEXT=bogus build/san/isocheck --filter $dk_case --junit "$EC/ctx.xml" \
                >"$EC/ctx.out" 2>&1
        check "envcause: DOCKER_CONTEXT=bogus: $dk_case is an error naming DOCKER_CONTEXT=bogus" \
                $PY harness/tests/junit_check.py "$EC/ctx.xml" --case $dk_case --verdict error \
                --text "cannot use DOCKER_CONTEXT=bogus"
        check "envcause: DOCKER_CONTEXT=bogus: the reason does not blame the default socket" \
                sh -c "! grep -q 'docker.sock' '$EC/ctx.xml'"
        DOCKER_HOST=bogus:// build/san/isocheck --filter $dk_case --junit "$EC/host.xml" \
                >"$EC/host.out" 2>&1
        check "envcause: DOCKER_HOST=bogus://: $dk_case is an error naming DOCKER_HOST" \
                $PY harness/tests/junit_check.py "$EC/host.xml" --case $dk_case --verdict error \
                --text "cannot use DOCKER_HOST=bogus://"
        DOCKER_HOST=tcp://127.0.0.1:1 build/san/isocheck --filter $dk_case \
                --junit "$EC/nohost.xml" >"$EC/nohost.out" 2>&1
        check "envcause: DOCKER_HOST=tcp://127.0.0.1:1 (nothing there): a skip naming DOCKER_HOST" \
                $PY harness/tests/junit_check.py "$EC/nohost.xml" --case $dk_case --verdict skip \
                --text "reachable at DOCKER_HOST=tcp://127.0.0.1:1"
else
        skipped "envcause: DOCKER_CONTEXT and DOCKER_HOST named" "docker not on PATH"
fi
