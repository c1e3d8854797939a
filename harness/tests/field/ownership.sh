# Field faults, issue 11: ownership across namespaces and targets (sections 1, 5's
# --cleanup item, 6's *.tmp.<pid> item, 7 for run records). Sourced by run.sh / field.sh.
#
# Fake records and cgroups made here are named after a live `isocheck --hold-run` (its PID
# starts the fake id), and their records live in a private /run: runs of older isocheck
# builds elsewhere on this machine then judge them alive and leave them alone.
O=$work/ownership
mkdir -p "$O"

# own_id PID: the run id recorded in /run/isocheck by the isocheck whose PID is PID.
own_id() { ls /run/isocheck 2>/dev/null | grep "^$1-" | head -n1; }
# wait_for COMMAND...: until it succeeds, 10 s at most.
wait_for() {
        local i
        for i in $(seq 1 200); do "$@" >/dev/null 2>&1 && return 0; sleep 0.05; done
        return 1
}
# A live isocheck process for fake ids, for the length of this file.
build/isocheck --hold-run sleep 600 >/dev/null 2>&1 &
holder=$!
wait_for sh -c "ls /run/isocheck | grep -q '^$holder-'"
fake=$holder-00000000f00d$(printf %04x $((RANDOM)))
fake_cgroups() { # ID: the cgroups named after ID, removed (members thawed and killed first)
        local d
        for d in /sys/fs/cgroup/isocheck-"$1" /sys/fs/cgroup/*/isocheck-"$1"; do
                [ -d "$d" ] || continue
                find "$d" -depth -type d | while read -r c; do
                        [ -f "$c/freezer.state" ] && echo THAWED >"$c/freezer.state" 2>/dev/null
                        for p in $(cat "$c/cgroup.procs" 2>/dev/null); do [ "$p" -gt 0 ] && kill -9 "$p"; done
                        for _ in $(seq 1 100); do rmdir "$c" 2>/dev/null && break; sleep 0.02; done
                done
        done
}

# --- 1. the quoted input: two runs in their own PID namespaces at once --------------------
# Before: the second judged the first dead from its own /proc, removed its cgroups and
# sent SIGKILL to process group 0, its own caller ("survived" never written).
(
        cd "$O" || exit
        setsid sh -c "unshare -pf --mount-proc $top/build/isocheck --exclude '*.docker' --tap a.tap --junit a.xml --artifacts art-a >a.out 2>&1; echo \$? >a.rc" &
        sleep 0.4
        setsid sh -c "unshare -pf --mount-proc $top/build/isocheck --filter pidns.init.pid1 --tap b.tap --junit b.xml --artifacts art-b >b.out 2>&1; echo \$? >b.rc; echo survived >>b.out"
        wait
)
check "ownership: two runs in their own PID namespaces: the second survives (\"survived\" written)" \
        grep -qx survived "$O/b.out"
check "ownership: ... both pass" sh -c "[ \"\$(cat '$O/a.rc')\" = 0 ] && [ \"\$(cat '$O/b.rc')\" = 0 ] || { grep -h -A3 '^not ok' '$O/a.out' '$O/b.out'; exit 1; }"
a_id=$(run_id "$O/a.xml") b_id=$(run_id "$O/b.xml")
check "ownership: ... neither cleaned up after the other" \
        sh -c "[ -n '$a_id' ] && [ -n '$b_id' ] && ! grep -e '$a_id' '$O/b.out' && ! grep -e '$b_id' '$O/a.out'"
check "ownership: ... and left no cgroup" no_cgroups_of "$O/a.xml" "$O/b.xml"

# --- 1. ids: two runs in different PID namespaces in the same millisecond -------------------
# The clock is frozen (an LD_PRELOAD shim) so both start "in the same millisecond"; before,
# both were 1-<ms>.
if command -v cc >/dev/null; then
        cat >"$O/frozen.c" <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <time.h>
/* CLOCK_REALTIME frozen at one instant: every run starts in the same millisecond. */
int clock_gettime(clockid_t clk, struct timespec *ts)
{
        static int (*real)(clockid_t, struct timespec *);
        if (!real)
                real = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
        if (clk != CLOCK_REALTIME)
                return real(clk, ts);
        ts->tv_sec = 1700000000;
        ts->tv_nsec = 123000000;
        return 0;
}
EOF
        cc -shared -fPIC -o "$O/frozen.so" "$O/frozen.c" -ldl
        ms_pids=
        for n in 1 2; do
                LD_PRELOAD=$O/frozen.so unshare -pf --mount-proc build/isocheck --filter pidns.init.pid1 \
                        --tap "$O/ms$n.tap" --junit "$O/ms$n.xml" --artifacts "$O/art-ms" >/dev/null 2>&1 &
                ms_pids="$ms_pids $!"
        done
        wait $ms_pids
        m1=$(run_id "$O/ms1.xml") m2=$(run_id "$O/ms2.xml")
        check "ownership: two PID-namespace runs in the same millisecond get different ids" \
                sh -c "echo '$m1 / $m2'; [ -n '$m1' ] && [ '$m1' != '$m2' ]"
        check "ownership: ... and both pass" sh -c "grep -q '^ok 1 - pidns.init.pid1' '$O/ms1.tap' && grep -q '^ok 1 - pidns.init.pid1' '$O/ms2.tap'"
else
        skipped "ownership: two PID-namespace runs in the same millisecond get different ids" "no C compiler for the clock shim"
fi

# --- 1. further input of the kind: a run in private PID and mount namespaces with its own
# /run (its record invisible to the host) while the host runs --cleanup over and over.
# Before: no record, PID 1 of its id is the host's init, not isocheck: "dead", its cgroups
# removed under it.
setsid sh -c "unshare -pfm --mount-proc sh -c 'mount -t tmpfs tmpfs /run && exec $top/build/isocheck --exclude \"*.docker\" --tap $O/p.tap --junit $O/p.xml --artifacts $O/art-p' >$O/p.out 2>&1; echo \$? >$O/p.rc" &
ppid=$!
: >"$O/p.cleanup"
for _ in $(seq 1 300); do
        kill -0 $ppid 2>/dev/null || break
        build/isocheck --cleanup >>"$O/p.cleanup" 2>&1
done
wait $ppid
pid_p=$(run_id "$O/p.xml" 2>/dev/null)
check "ownership: a run with a private /run passes while the host runs --cleanup" \
        sh -c "[ \"\$(cat '$O/p.rc')\" = 0 ] || { grep -A3 '^not ok' '$O/p.out'; exit 1; }"
check "ownership: ... and --cleanup said it left that run alone" \
        sh -c "[ -n '$pid_p' ] && grep -m1 'left run $pid_p alone: no record' '$O/p.cleanup'"
check "ownership: ... leaving no cgroup of it" no_cgroups_of "$O/p.xml"

# --- 1. recovery never signals process group 0: a dead run's cgroup whose member this PID
# namespace cannot see (cgroup.procs lists it as 0). Before: kill(0, SIGKILL) killed the
# caller's own process group ("survived" never written) and the member lived on anyway.
# cgroup v2 lists such a member as 0 (v1 leaves it out).
v2=
for m in /sys/fs/cgroup/unified /sys/fs/cgroup; do
        [ "$(stat -f -c %T $m 2>/dev/null)" = cgroup2fs ] && { v2=$m; break; }
done
if [ -n "$v2" ]; then
        mkdir -p "$v2"/isocheck-"$fake"
        sleep 300 &
        hidden=$!
        disown $hidden # ended by fake_cgroups; no job notice
        echo $hidden >"$v2"/isocheck-"$fake"/cgroup.procs
        setsid sh -c "unshare -pfm --mount-proc sh -c 'mount -t tmpfs tmpfs /run && mkdir -p /run/isocheck/$fake && echo \"1 0\" >/run/isocheck/$fake/owner && $top/build/isocheck --cleanup; echo survived'" \
                >"$O/pg0.out" 2>&1
        check "ownership: --cleanup in a PID namespace never kills its own process group" grep -qx survived "$O/pg0.out"
        check "ownership: ... refuses to empty a cgroup of processes it cannot see, and says so" \
                grep -q "isocheck-$fake: 1 of them are in a PID namespace this one cannot see" "$O/pg0.out"
        check "ownership: ... and the unseen process lives" kill -0 $hidden
        kill -9 $hidden 2>/dev/null
        fake_cgroups "$fake"
else
        skipped "ownership: --cleanup in a PID namespace never kills its own process group" "no cgroup2 mount"
fi

# --- 7. run records are never written through a link nor into someone else's directory --
# /run/isocheck a symlink, then a directory owned by uid 65534 (each in a private /run).
# Before: the record was written through the link / into the other user's directory.
mkdir -p "$O/elsewhere"
unshare -m sh -c "mount -t tmpfs tmpfs /run && ln -s '$O/elsewhere' /run/isocheck && exec build/isocheck --filter pidns.init.pid1 --tap '$O/l.tap' --junit '$O/l.xml' --artifacts '$O/art-l'" \
        >"$O/link.out" 2>"$O/link.err"
rc=$?
check "ownership: /run/isocheck a symlink: the run is refused, exit 2, one line" \
        sh -c "[ $rc -eq 2 ] && [ \$(wc -l <'$O/link.err') -eq 1 ] && grep -q 'refusing /run/isocheck' '$O/link.err'"
check "ownership: ... and nothing is written through the link" \
        sh -c "[ -z \"\$(ls -A '$O/elsewhere')\" ] && [ ! -e '$O/l.tap' ]"
unshare -m sh -c "mount -t tmpfs tmpfs /run && mkdir /run/isocheck && chown 65534:65534 /run/isocheck && build/isocheck --filter pidns.init.pid1 --tap '$O/u.tap' --junit '$O/u.xml' --artifacts '$O/art-u'; echo \"rc=\$?\"; ls -A /run/isocheck" \
        >"$O/uid.out" 2>"$O/uid.err"
check "ownership: /run/isocheck owned by uid 65534: refused with one line naming the owner, exit 2" \
        sh -c "grep -qx 'rc=2' '$O/uid.out' && [ \$(wc -l <'$O/uid.err') -eq 1 ] && grep -q 'owned by uid 65534' '$O/uid.err'"
check "ownership: ... and no record is made in it" sh -c "[ \$(wc -l <'$O/uid.out') -eq 1 ]"

# --- 7. records isocheck did not make are not judged: a record that is a symlink (to a
# directory holding an "owner" file) and a record directory owned by uid 65534, each
# with a cgroup of that id. Before: both "dead", their cgroups removed.
link_id=$holder-00000000beef$(printf %04x $((RANDOM)))
mkdir -p "$O/victim" /sys/fs/cgroup/pids/isocheck-"$fake" /sys/fs/cgroup/pids/isocheck-"$link_id"
echo "1 0" >"$O/victim/owner"
unshare -m sh -c "mount -t tmpfs tmpfs /run && mkdir -p /run/isocheck/$fake && echo '1 0' >/run/isocheck/$fake/owner && chown -R 65534:65534 /run/isocheck/$fake && ln -s '$O/victim' /run/isocheck/$link_id && build/isocheck --cleanup; ls -A /run/isocheck" \
        >"$O/foreign.out" 2>&1
check "ownership: --cleanup leaves a record dir owned by uid 65534, and its run's cgroup, alone" \
        sh -c "grep -q 'left run $fake alone: /run/isocheck/$fake is a directory owned by uid 65534' '$O/foreign.out' && [ -d /sys/fs/cgroup/pids/isocheck-$fake ] && grep -qx '$fake' '$O/foreign.out'"
check "ownership: --cleanup leaves a record that is a symlink, its target, and its run's cgroup alone" \
        sh -c "grep -q 'left run $link_id alone: /run/isocheck/$link_id is a symlink' '$O/foreign.out' && [ -d /sys/fs/cgroup/pids/isocheck-$link_id ] && [ -f '$O/victim/owner' ] && grep -qx '$link_id' '$O/foreign.out'"
fake_cgroups "$fake"
fake_cgroups "$link_id"

# --- 5. --cleanup names the PIDs that hold a busy cgroup: a dead run (record unlocked)
# whose cgroup holds a process frozen by the v1 freezer, which SIGKILL cannot end.
# Before: "still there after 3.0 s:: Device or resource busy", no PID.
if [ -d /sys/fs/cgroup/freezer ]; then
        mkdir -p /sys/fs/cgroup/freezer/isocheck-"$fake"/case/hog
        sleep 300 &
        frozen=$!
        disown $frozen
        echo $frozen >/sys/fs/cgroup/freezer/isocheck-"$fake"/case/hog/cgroup.procs
        echo FROZEN >/sys/fs/cgroup/freezer/isocheck-"$fake"/case/hog/freezer.state
        unshare -m sh -c "mount -t tmpfs tmpfs /run && mkdir -p /run/isocheck/$fake && echo '1 0' >/run/isocheck/$fake/owner && build/isocheck --cleanup" \
                >"$O/busy.out" 2>&1
        check "ownership: --cleanup names the PID that holds a busy cgroup" \
                grep -q "still there after 3.0 s: $frozen (sleep)" "$O/busy.out"
        fake_cgroups "$fake"
else
        skipped "ownership: --cleanup names the PID that holds a busy cgroup" "no v1 freezer hierarchy to hold one"
fi

# --- 6. --cleanup removes the temporary reports of dead runs (*.tmp.<run id>), and keeps
# those of a live one (a run stopped with SIGSTOP: alive, only not running). A self-test
# case that outlives its timeout keeps each run busy long enough.
# Before: k.tap.tmp.<pid> stayed after --cleanup.
tmp_run() { # NAME: a run writing NAME.tap / NAME.xml under $O; $tpid once its case runs
        build/san/isocheck-selftest --filter selftest.verdict.timeout --timeout-mult 20 \
                --tap "$O/$1.tap" --junit "$O/$1.xml" --artifacts "$O/art-$1" >/dev/null 2>&1 &
        tpid=$!
        wait_for sh -c "ls '$O/$1.tap.tmp.'* && ls -d /sys/fs/cgroup/*/isocheck-$tpid-*/selftest.verdict.timeout"
}
tmp_run dead
kill -9 $tpid
wait $tpid 2>/dev/null
dead_id=$(own_id $tpid)
build/isocheck --cleanup >"$O/tmp-dead.out" 2>&1
check "ownership: --cleanup removes the temporary reports of a killed run" \
        sh -c "[ -n '$dead_id' ] && ! ls '$O'/dead.*.tmp.* 2>/dev/null && grep -q 'dead.tap.tmp.$dead_id (a temporary report of run $dead_id)' '$O/tmp-dead.out'"
tmp_run live
kill -STOP $tpid
live_id=$(own_id $tpid)
build/isocheck --cleanup >"$O/tmp-live.out" 2>&1
check "ownership: ... and keeps those, the cgroups and the record of a live (stopped) run" \
        sh -c "[ -n '$live_id' ] && ls '$O/live.tap.tmp.$live_id' && [ -d /run/isocheck/$live_id ] && ls -d /sys/fs/cgroup/*/isocheck-$live_id && ! grep '$live_id' '$O/tmp-live.out'"
kill -CONT $tpid
kill -INT $tpid
wait $tpid
trc=$?
check "ownership: ... which then ends by itself, removing its own (exit 1, interrupted)" \
        sh -c "[ $trc -eq 1 ] && ! ls '$O'/live.*.tmp.* 2>/dev/null && [ ! -e /run/isocheck/$live_id ] && [ -s '$O/live.xml' ]"
no_cgroups_of "$O/live.xml" >/dev/null || not_ok "ownership: ... and its cgroups went with it"

# --- 1. make check-container runs while --cleanup and a plain run's start-up recovery
# do: the container survives. Before: labelled with a shell PID and no record, it was
# "dead" and removed mid-run. The container is paused while they run, so it is surely
# there to be judged.
if timeout 10 docker info >/dev/null 2>&1; then
        ISOCHECK_CONTAINER_OUT=$O/ct-reports scripts/container-target.sh --exclude '*.docker' \
                >"$O/ct.out" 2>&1 &
        cpid=$!
        ct_id=
        wait_for sh -c "ls /run/isocheck | grep -q '^$cpid-'" && ct_id=$(own_id $cpid)
        for _ in $(seq 1 600); do
                [ -n "$ct_id" ] && [ -n "$(docker ps -a -q --filter label=isocheck.run="$ct_id")" ] && break
                kill -0 $cpid 2>/dev/null || break
                sleep 0.05
        done
        paused=$(docker ps -q --filter label=isocheck.run="$ct_id" --filter status=running)
        [ -n "$paused" ] && docker pause $paused >/dev/null
        build/isocheck --cleanup >"$O/ct-cleanup.out" 2>&1
        build/isocheck --filter pidns.init.pid1 --tap "$O/ct.tap" --junit "$O/ct.xml" \
                --artifacts "$O/art-ct" >/dev/null 2>"$O/ct-run.err"
        still=$(docker ps -a -q --filter label=isocheck.run="$ct_id")
        [ -n "$paused" ] && docker unpause $paused >/dev/null
        wait $cpid
        crc=$?
        check "ownership: make check-container survives a concurrent --cleanup and run" \
                sh -c "[ -n '$ct_id' ] && [ -n '$still' ] && [ $crc -eq 0 ] && ! grep '$ct_id' '$O/ct-cleanup.out' '$O/ct-run.err'"
        check "ownership: ... and leaves no record, container or image of its run" \
                sh -c "[ ! -e /run/isocheck/$ct_id ] && [ -z \"\$(docker ps -a -q --filter label=isocheck.run=$ct_id)\" ] && [ -z \"\$(docker images -q --filter label=isocheck.run=$ct_id)\" ]"
else
        skipped "ownership: make check-container survives a concurrent --cleanup and run" "no Docker daemon answers"
fi

kill $holder 2>/dev/null
wait $holder 2>/dev/null
