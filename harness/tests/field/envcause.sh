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

# ---- item 3: a runtime's PIDs from another PID namespace -------------------------------
# Input: `unshare -pf --mount-proc isocheck --filter container.app.noshell.docker --filter
# sidecar.netns.shared.docker` failed both ("got /app absent, ..." and "net:[0]"): docker's
# PIDs are the daemon's, absent from this /proc. Further input (test build): the PID names
# another process here (docker.app.pid_elsewhere: PID 1), which only docker's own account
# of the container (its PID and start time) tells apart. Both: a skip naming the
# requirement, and nothing of the run left in docker.
if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
        unshare -pf --mount-proc build/san/isocheck --filter container.app.noshell.docker \
                --filter sidecar.netns.shared.docker --junit "$EC/pidns.xml" >"$EC/pidns.out" 2>&1
        for c in container.app.noshell.docker sidecar.netns.shared.docker; do
                check "envcause: unshare -pf --mount-proc: $c skips: processes not visible" \
                        $PY harness/tests/junit_check.py "$EC/pidns.xml" --case $c --verdict skip \
                        --text "processes visible from here"
        done
        check "envcause: unshare -pf --mount-proc: no container of the run left" \
                sh -c "[ -z \"\$(docker ps -aq --filter label=isocheck.run=$(run_id "$EC/pidns.xml"))\" ] && [ -n '$(run_id "$EC/pidns.xml")' ]"
        ISOCHECK_FAULT=docker.app.pid_elsewhere build/san/isocheck \
                --filter container.app.noshell.docker --junit "$EC/pid1.xml" >"$EC/pid1.out" 2>&1
        check "envcause: a docker PID naming another process here skips, naming both" \
                $PY harness/tests/junit_check.py "$EC/pid1.xml" --case container.app.noshell.docker \
                --verdict skip --text "/proc/1 here is a process started at"
        check "envcause: ... and no container of that run is left" \
                sh -c "[ -z \"\$(docker ps -aq --filter label=isocheck.run=$(run_id "$EC/pid1.xml"))\" ] && [ -n '$(run_id "$EC/pid1.xml")' ]"
else
        skipped "envcause: docker PIDs from another PID namespace" "no Docker daemon answers"
fi

# ---- item 4: a mid-range RLIMIT_AS and a tool's mappings --------------------------------
# Input: `ulimit -v 400000` with cgroup.memory.oom_kill.stress-ng failed "oom_kill counter rises:
# expected >= +1, got +0 (exited with status 0 after touching 100663296 bytes ...)":
# stress-ng's mmap was refused (its 300 MiB cache besides the hog) and it exited 0. Further
# input: `ulimit -v 150000`, where stress-ng exits 1. Both: a skip naming RLIMIT_AS, from
# what was measured (the cgroup's peak), and "asked to touch", not "after touching". And
# the stress variant at `ulimit -v 300000`, which fits, runs (the old 256 MiB guess skipped
# it). The plain build: ASan's shadow cannot map under such limits.
if command -v stress-ng >/dev/null 2>&1; then
        for v in 400000 150000; do
                bash -c "ulimit -v $v && exec $ec_plain --filter cgroup.memory.oom_kill.stress-ng \
                        --junit $EC/as$v.xml" >"$EC/as$v.out" 2>&1
                check "envcause: ulimit -v $v: cgroup.memory.oom_kill.stress-ng skips naming RLIMIT_AS" \
                        $PY harness/tests/junit_check.py "$EC/as$v.xml" \
                        --case cgroup.memory.oom_kill.stress-ng --verdict skip \
                        --text "RLIMIT_AS is $((v * 1024)) bytes (ulimit -v $v)"
                check "envcause: ulimit -v $v: ... measured: asked to touch, the cgroup's peak" \
                        grep -q "asked to touch 100663296 bytes, and the cgroup's peak was" "$EC/as$v.xml"
        done
else
        skipped "envcause: ulimit -v with cgroup.memory.oom_kill.stress-ng" "stress-ng not on PATH"
fi
if command -v stress >/dev/null 2>&1; then
        bash -c "ulimit -v 300000 && exec $ec_plain --filter cgroup.memory.oom_kill.stress \
                --junit $EC/as300.xml" >"$EC/as300.out" 2>&1
        check "envcause: ulimit -v 300000: cgroup.memory.oom_kill.stress, which fits, passes" \
                $PY harness/tests/junit_check.py "$EC/as300.xml" \
                --case cgroup.memory.oom_kill.stress --verdict pass
else
        skipped "envcause: ulimit -v 300000 with cgroup.memory.oom_kill.stress" "stress not on PATH"
fi
