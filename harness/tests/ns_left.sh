#!/usr/bin/env bash
# ns_left.sh MARK REPORT.xml...: is a `sleep 30`, unshare or nsenter of these runs still
# running? Prints "left: PID CMDLINE" for each and exits 1 if any, else 0.
#
# Only processes of the runs that wrote the reports count: another isocheck may run on
# this machine meanwhile, with its own `sleep 30` (make test once failed on one). A process
# is ours when its /proc/PID/cgroup names one of our runs' cgroups (isocheck-<run.id>,
# where the runner starts every case) or its environment holds MARK (NAME=VALUE), which
# the caller set for our runs alone: that survives reparenting, a cgroup move, and
# machines without a cgroupfs, where the runner tracks cases by process group only.
set -u
mark=$1
shift
ids=()
for x in "$@"; do
        id=$(grep -o 'name="run.id" value="[^"]*"' "$x" | sed 's/.*value="//; s/"$//')
        [ -n "$id" ] || { echo "no run.id in $x"; exit 2; }
        ids+=("$id")
done
ours() { # PID: 0 when the process belongs to one of our runs
        local id
        tr '\0' '\n' 2>/dev/null <"/proc/$1/environ" | grep -q -x -F -e "$mark" && return 0
        for id in "${ids[@]}"; do
                grep -q -E "/isocheck-$id(/|\$)" "/proc/$1/cgroup" 2>/dev/null && return 0
        done
        return 1
}
left=0
for p in /proc/[0-9]*; do
        c=$(tr '\0' ' ' 2>/dev/null <"$p/cmdline") || continue
        case "$c" in
        "sleep 30 "* | unshare* | nsenter*)
                if ours "${p#/proc/}"; then
                        echo "left: ${p#/proc/} $c"
                        left=1
                fi
                ;;
        esac
done
exit $left
