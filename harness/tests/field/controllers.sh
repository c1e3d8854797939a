# The cgroup controllers a kernel validator checks beyond the lab's memory limit (issue
# 18): cpu.max, cpuset.cpus, the freezer, cgroup.kill, memory.high, memory.events.local,
# memory.reclaim, memory.min/low protection, memory.swap.max.
# Here (cgroup v1 memory, a v2 hierarchy without memory) the cpu, cpuset, freezer and kill
# cases pass, the v2 memory cases skip naming where the memory controller is, and the swap
# case (v1 and v2) skips naming the missing swap where there is none; the VM
# target runs them on v2 (make check-vm). No case may be named like a cgroup interface
# file: its cgroup directory, named after it, would collide with that file.
# Sourced by run.sh and field.sh: expects $top, $work and lib.sh's helpers.
ctl_dir=$work/controllers
mkdir -p "$ctl_dir"
build/san/isocheck --filter 'cgroup.cpu.max' --filter 'cgroup.cpuset.cpus' --filter 'cgroup.freezer' \
        --filter 'cgroup.kill.all' --filter 'cgroup.memory.high' --filter 'cgroup.memory.events_local' \
        --filter 'cgroup.memory.reclaim' --filter 'cgroup.memory.protection' --filter 'cgroup.memory.swap_max' \
        --tap "$ctl_dir/run.tap" --junit "$ctl_dir/run.xml" --artifacts "$ctl_dir/art" \
        >"$ctl_dir/run.out" 2>&1
echo $? >"$ctl_dir/run.rc"

ctl_verdicts() {
        local c want line
        for c in cgroup.cpu.max:pass cgroup.cpuset.cpus:pass cgroup.freezer:pass cgroup.kill.all:pass \
                cgroup.memory.high:skip cgroup.memory.events_local:skip cgroup.memory.reclaim:skip \
                cgroup.memory.protection:skip cgroup.memory.swap_max:noswap; do
                want=${c#*:}
                c=${c%%:*}
                line=$(grep -E "^(not )?ok [0-9]+ - $c( |\$)" "$ctl_dir/run.tap")
                case "$want:$line" in
                pass:"ok "*" - $c") ;;
                skip:"ok "*" - $c # SKIP "*"memory controller on cgroup v2"*) ;;
                noswap:"ok "*" - $c # SKIP needs swap: SwapTotal"*) ;;
                noswap:"ok "*" - $c") ;;
                *) echo "$c: expected $want, got: $line"; cat "$ctl_dir/run.out"; return 1 ;;
                esac
        done
}
# cpuset needs two CPUs this process may use; with one it skips naming that.
if [ "$(nproc)" -ge 2 ]; then
        check "controllers: cpu, cpuset, freezer and kill pass; the v2 memory cases skip naming v1" ctl_verdicts
else
        skipped "controllers: verdicts" "one CPU: cgroup.cpuset.cpus skips"
fi
check "controllers: the TAP parses clean" tap_ok "$ctl_dir/run.tap"
check "controllers: the JUnit is valid" xml_ok "$ctl_dir/run.xml"
check "controllers: no cgroup of the run is left" no_cgroups_of "$ctl_dir/run.xml"
ctl_cpu_csv() {
        local f=$ctl_dir/art/cgroup.cpu.max/cpu.csv
        head -1 "$f" | grep -qx 't_s,cpu_s,quota_share' || { echo "no cpu.csv header in $f"; return 1; }
        [ "$(wc -l <"$f")" -ge 10 ] || { echo "too few samples in $f"; return 1; }
}
check "controllers: cgroup.cpu.max keeps the loop's CPU time over time as cpu.csv" ctl_cpu_csv

# Names against the v2 core files and every controller's files seen on this machine.
ctl_no_file_names() {
        local files clash
        files=$(find /sys/fs/cgroup -maxdepth 2 -type f -printf '%f\n' 2>/dev/null | sort -u)
        files="$files
cgroup.kill
cgroup.freeze
cgroup.events
cgroup.procs
cgroup.threads
cgroup.type
cgroup.stat
cgroup.pressure"
        clash=$(build/isocheck --list | awk '{print $1}' | grep -Fxf <(printf '%s\n' "$files") || true)
        [ -z "$clash" ] || { echo "cases named like cgroup interface files: $clash"; return 1; }
}
check "controllers: no case is named like a cgroup interface file" ctl_no_file_names
