# Field faults of the memory and pids cgroup cases (issue 11 items 2, 3 and 8).
# Sourced by run.sh and field.sh (see README.md): every name here starts with memcg_.
# Cgroups these tests make are named isocheck-test-memcg-<pid>-<n> and are removed by the
# test that made them, whatever its outcome; memcg_sweep at the end removes any left.
memcg_iso=${MEMCG_ISO:-build/san/isocheck} # MEMCG_ISO: another build, to show a test fails there
memcg_mem=/sys/fs/cgroup/memory
memcg_n=0
memcg_dir=$work/memcg
mkdir -p "$memcg_dir"

# A fresh name for a test cgroup below the v1 memory hierarchy.
memcg_name() {
        memcg_n=$((memcg_n + 1))
        echo "isocheck-test-memcg-$$-$memcg_n"
}
# Remove a test cgroup and anything below it, leaf first; bounded retries while a
# killed process is still charged (EBUSY).
memcg_rm() {
        local d=$1 i
        [ -d "$d" ] || return 0
        for i in 1 2 3 4 5 6 7 8 9 10; do
                find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
                [ -d "$d" ] || return 0
                sleep 0.2
        done
        echo "memcg.sh: could not remove $d" >&2
        return 1
}
memcg_sweep() {
        local d
        for d in "$memcg_mem"/isocheck-test-memcg-$$-*; do
                [ -d "$d" ] && memcg_rm "$d"
        done
        return 0
}
# memcg_run NAME ARGS...: the test build with its reports under $memcg_dir/NAME.*, run
# through the command in the array memcg_wrap when set; its exit status goes to
# $memcg_dir/NAME.rc.
memcg_wrap=()
memcg_run() {
        local name=$1
        shift
        "${memcg_wrap[@]}" "$memcg_iso" --tap "$memcg_dir/$name.tap" --junit "$memcg_dir/$name.xml" \
                --artifacts "$memcg_dir/$name.art" "$@" >"$memcg_dir/$name.out" 2>&1
        echo $? >"$memcg_dir/$name.rc"
}
# memcg_verdict NAME CASE: "ok", "fail", "error" or "skip" of CASE in NAME's TAP.
memcg_verdict() {
        local line
        line=$(grep -E "^(not )?ok [0-9]+ - $(printf '%s' "$2" | sed 's/\./\\./g')( |$)" \
                "$memcg_dir/$1.tap")
        case "$line" in
        *"# SKIP"*) echo skip ;;
        "ok "*) echo ok ;;
        "not ok "*) if grep -A6 -F -- "- $2" "$memcg_dir/$1.tap" | grep -q 'severity: "error"'; then
                echo error; else echo fail; fi ;;
        *) echo missing ;;
        esac
}
# memcg_passes NAME CASE...: each CASE passed in run NAME, the reports are well formed,
# and the run left no cgroup.
memcg_passes() {
        local name=$1 c v
        shift
        for c in "$@"; do
                v=$(memcg_verdict "$name" "$c")
                [ "$v" = ok ] || { echo "$c: $v"; grep -A12 -F -- "- $c" "$memcg_dir/$name.tap"; return 1; }
        done
        tap_ok "$memcg_dir/$name.tap" && xml_ok "$memcg_dir/$name.xml" &&
                no_cgroups_of "$memcg_dir/$name.xml"
}
# memcg_fails NAME CASE TEXT: CASE *failed* (not error, not skip) in run NAME, with a
# message holding TEXT; the reports are still well formed and nothing was left.
memcg_fails() {
        local v
        v=$(memcg_verdict "$1" "$2")
        [ "$v" = fail ] || { echo "$2: expected fail, got $v"; grep -A12 -F -- "- $2" "$memcg_dir/$1.tap"; return 1; }
        grep -q -F -- "$3" "$memcg_dir/$1.tap" || { echo "no \"$3\" in:"; grep -A20 -F -- "- $2" "$memcg_dir/$1.tap"; return 1; }
        xml_ok "$memcg_dir/$1.xml" && no_cgroups_of "$memcg_dir/$1.xml"
}

if [ ! -d "$memcg_mem" ] || ! grep -qw memory "$memcg_mem/cgroup.controllers" 2>/dev/null &&
        [ ! -f "$memcg_mem/memory.limit_in_bytes" ]; then
        skipped "memcg: v1 memory hierarchy tests" "no cgroup v1 memory hierarchy at $memcg_mem"
else

# Issue 11 item 2, as quoted: run from a non-root v1 memory cgroup under
# `unshare --cgroup`; /proc/PID/cgroup then reads "/../isocheck-<run>/...".
# Further input of the kind: two levels down (t1/t2, "/../../isocheck-..."), with the
# under_limit case whose `cat /proc/self/cgroup` is compared in the same frame.
memcg_viewer() {
        local depth=$1 name rel d rc=0
        shift
        name=$(memcg_name)
        rel=$name
        [ "$depth" -eq 2 ] && rel=$name/t2
        mkdir -p "$memcg_mem/$rel" || return 1
        memcg_wrap=(sh -c 'echo $$ > "$1/cgroup.procs" && shift && exec unshare --cgroup "$@"'
                sh "$memcg_mem/$rel")
        memcg_run "viewer$depth" "$@"
        memcg_wrap=()
        memcg_rm "$memcg_mem/$name" || rc=1
        [ $rc -eq 0 ] || return 1
        memcg_passes "viewer$depth" cgroup.memory.oom_kill cgroup.memory.under_limit
}

check "memcg: a run under unshare --cgroup from a non-root memory cgroup passes" \
        memcg_viewer 1 --filter cgroup.memory.oom_kill --filter cgroup.memory.under_limit
check "memcg: the same two levels down (/../../isocheck-...)" \
        memcg_viewer 2 --filter cgroup.memory.oom_kill --filter cgroup.memory.under_limit

fi
memcg_sweep
