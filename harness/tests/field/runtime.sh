# The runtime seam (issue 12): behaviours written once keep their case names per runtime,
# and the recovery finds and sweeps a runtime's objects through its scan and reclaim only.
# Sourced by run.sh and field.sh.
RT=$work/runtime
mkdir -p "$RT"

# --- names: one case per behaviour and runtime, the names reports and filters know --------
build/san/isocheck --list 2>/dev/null | awk '{ print $1 }' |
        grep -E '^(container|sidecar)\.' >"$RT/names"
# Every behaviour once per registered runtime: native without a suffix, the others with
# theirs (the runtimes are those --env lists); the names of before the seam among them.
runtimes=$(build/san/isocheck --env 2>/dev/null | awk '$1 == "runtime" { print $2 }')
for b in container.app.noshell container.app.serves sidecar.capture.http \
        sidecar.capture.isolated sidecar.netns.shared; do
        for r in $runtimes; do
                if [ "$r" = native ]; then echo "$b"; else echo "$b.$r"; fi
        done
done | sort >"$RT/want"
sort "$RT/names" >"$RT/names.sorted"
check "runtime: each behaviour is one case per runtime, with the names it had" sh -c "
        diff '$RT/want' '$RT/names.sorted' &&
        for n in container.app.serves container.app.serves.docker sidecar.capture.http.docker; do
                grep -qx \"\$n\" '$RT/names.sorted' || { echo \"\$n is gone\"; exit 1; }
        done"

# --- the recovery sweeps a dead run's native roots through the runtime's scan -------------
# A run id whose PID is not running (the highest PID plus one is free for this instant) and
# whose record has no lock file: dead, as a run that ended mid-way leaves it.
rt_dead_id() {
        local pid
        pid=$(( $(cat /proc/sys/kernel/pid_max) - 1 ))
        while [ -d "/proc/$pid" ]; do pid=$((pid - 1)); done
        printf '%d-%016x' "$pid" "$(( (RANDOM << 30) | (RANDOM << 15) | RANDOM ))"
}
dead=$(rt_dead_id)
mkdir -p "/run/isocheck/$dead" "/tmp/isocheck-$dead-root-rtfld1"
build/san/isocheck --cleanup >"$RT/sweep.out" 2>&1
# (Another run on this machine may sweep it first: each run starts with the recovery.)
check "runtime: --cleanup removes a dead run's native root and then its record" sh -c "
        [ ! -e '/tmp/isocheck-$dead-root-rtfld1' ] && [ ! -e '/run/isocheck/$dead' ] ||
                { cat '$RT/sweep.out'; exit 1; }"
rmdir "/tmp/isocheck-$dead-root-rtfld1" "/run/isocheck/$dead" 2>/dev/null

# An OCI container's cgroup left busy past its delete (seen once: cpuset, under load), its
# run since dead with nothing else left: the scan finds the run by the cgroup's name and the
# OCI runtime's reclaim removes it (it was invisible to --cleanup and to the leak audit).
cg_parent=$(awk '$9 == "cgroup" && $NF ~ /cpuset/ { print $5; exit }' /proc/self/mountinfo)
if [ -n "$cg_parent" ]; then
        dead=$(rt_dead_id)
        mkdir -p "/run/isocheck/$dead" "$cg_parent/isocheck-$dead-sidecar0"
        build/san/isocheck --cleanup >"$RT/ocicg.out" 2>&1
        check "runtime: --cleanup removes a dead run's leftover OCI container cgroup" sh -c "
                [ ! -e '$cg_parent/isocheck-$dead-sidecar0' ] || { cat '$RT/ocicg.out'; exit 1; }"
        rmdir "$cg_parent/isocheck-$dead-sidecar0" "/run/isocheck/$dead" 2>/dev/null
else
        skipped "runtime: a dead run's leftover OCI container cgroup" "no cpuset v1 hierarchy here"
fi

# A root with no record: the scan finds its run id, and the run is left alone (it may be
# alive where this view cannot see), naming it.
alone=$(rt_dead_id)
mkdir -p "/tmp/isocheck-$alone-root-rtfld2"
build/san/isocheck --cleanup >"$RT/alone.out" 2>&1
check "runtime: a root without a record is found by the scan and left alone, named" sh -c "
        [ -d '/tmp/isocheck-$alone-root-rtfld2' ] &&
        grep -q 'left run $alone alone' '$RT/alone.out' || { cat '$RT/alone.out'; exit 1; }"
rmdir "/tmp/isocheck-$alone-root-rtfld2" 2>/dev/null
