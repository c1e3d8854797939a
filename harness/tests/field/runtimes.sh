# The podman and OCI (crun/runc) runtimes, through the runtime seam only (issue 12): their
# variants pass here, and nothing of a run is left, whether it ends or is killed (then
# `isocheck --cleanup` finds it by labels and state directories). Sourced by run.sh and
# field.sh: $work, check/ok/not_ok/skipped, run_id, $PY come from lib.sh. Everything is
# looked up by our own runs' ids; other runs on this machine are left alone.
RT=$work/runtimes-field
mkdir -p "$RT"
OCI_DIR=/run/isocheck-oci

rt_run() { # NAME ISOCHECK-ARGS...: one run of the test build into $RT/NAME.{tap,xml,out}
        local name=$1
        shift
        build/san/isocheck "$@" --tap "$RT/$name.tap" --junit "$RT/$name.xml" \
                --artifacts "$RT/$name.art" >"$RT/$name.out" 2>&1
        echo $? >"$RT/$name.rc"
}
rt_verdict() { # XML CASE VERDICT
        $PY harness/tests/junit_check.py "$1" --case "$2" --verdict "$3"
}
rt_left_id() { # RUN-ID: what the podman and OCI runtimes hold of that run
        local id=$1
        [ -n "$id" ] || { echo "no run id"; return 0; }
        if command -v podman >/dev/null; then
                podman ps -aq --filter "label=isocheck.run=$id" 2>/dev/null | sed 's/^/podman container /'
                podman images -aq --filter "label=isocheck.run=$id" 2>/dev/null | sed 's/^/podman image /'
        fi
        [ ! -e "$OCI_DIR/$id" ] || echo "state directory $OCI_DIR/$id"
        # The run's cgroups and the OCI containers' (/isocheck-<run>-appN in each hierarchy).
        find /sys/fs/cgroup -maxdepth 3 -type d \( -name "isocheck-$id" -o -name "isocheck-$id-*" \) \
                2>/dev/null | sed 's/^/cgroup /'
        grep -F "$OCI_DIR/$id" /proc/self/mountinfo | sed 's/^/mount /'
        # A container's processes (and with them its network namespace and veth) have their
        # root in one of the run's bundles.
        local p
        for p in /proc/[0-9]*; do
                case "$(readlink "$p/root" 2>/dev/null)" in
                "$OCI_DIR/$id/"*) echo "process ${p#/proc/} rooted in $(readlink "$p/root")" ;;
                esac
        done
        return 0
}
rt_nothing_left() { # XML...: nothing of those runs is left
        local x id left
        for x in "$@"; do
                id=$(run_id "$x")
                [ -n "$id" ] || { echo "no run.id in $x"; return 1; }
                left=$(rt_left_id "$id")
                [ -z "$left" ] || { echo "left behind by $id: $left"; return 1; }
        done
}
rt_made() { # RUNTIME RUN-ID: how many containers the run has made so far
        case $1 in
        podman) podman ps -aq --filter "label=isocheck.run=$2" 2>/dev/null | wc -l ;;
        oci) ls -d "$OCI_DIR/$2"/*/isocheck-* 2>/dev/null | wc -l ;;
        esac
}
rt_kill_cgroups() { # RUN-ID: every process in the run's cgroups (ours: we started the run)
        local d c p
        for d in /sys/fs/cgroup/isocheck-"$1" /sys/fs/cgroup/*/isocheck-"$1"; do
                [ -d "$d" ] || continue
                find "$d" -depth -type d | while read -r c; do
                        [ -f "$c/freezer.state" ] && echo THAWED >"$c/freezer.state" 2>/dev/null
                        for p in $(cat "$c/cgroup.procs" 2>/dev/null); do [ "$p" -gt 0 ] && kill -9 "$p"; done
                done
        done
}
rt_gone() { # RUN-ID CLEANUP-OUTPUT: nothing of the run is left after --cleanup
        local left
        left=$(rt_left_id "$1")
        [ -z "$left" ] || { echo "left behind by $1: $left"; cat "$2"; return 1; }
}
rt_wrapper() { # DIR NAME REAL PATTERN: DIR/NAME runs REAL, after 60 s when its arguments match PATTERN
        mkdir -p "$1"
        {
                echo '#!/bin/sh'
                echo "case \" \$* \" in $4) sleep 60 ;; esac"
                echo "exec '$3' \"\$@\""
        } >"$1/$2"
        chmod 755 "$1/$2"
}
rt_killed_run() { # (in its own mount namespace; $RT $OCI_DIR $rt): verdict in $RT/k-$rt.verdict
        # The run's id starts with its PID, which is the group leader's (exec). A wrapper
        # first on PATH (podman) or named by ISOCHECK_OCI_RUNTIME holds the run
        # once its app and sidecar exist: podman's `logs` (the sidecar's readiness) and the
        # OCI runtime's `start` of the sidecar wait 60 s, so the kill finds both up.
        case $rt in
        podman)
                rt_wrapper "$RT/bin-$rt" podman "$(command -v podman)" '*" logs "*'
                wrap_env="PATH=$RT/bin-$rt:$PATH"
                ;;
        oci)
                real=$(build/san/isocheck --env 2>/dev/null | sed -n 's/^runtime oci *usable: \(crun\|runc\) .*/\1/p')
                rt_wrapper "$RT/bin-$rt" oci "$(command -v "${real:-runc}")" '*" start "*sidecar*'
                wrap_env="ISOCHECK_OCI_RUNTIME=$RT/bin-$rt/oci"
                ;;
        esac
        # In a subshell, so the kill below is no job of this shell's to report.
        (setsid env "$wrap_env" sh -c "exec build/san/isocheck --filter 'sidecar.capture.http.$rt' \
                --tap $RT/k-$rt.tap --junit $RT/k-$rt.xml --artifacts $RT/k-$rt.art \
                >$RT/k-$rt.out 2>&1" &
                echo $! >"$RT/k-$rt.pid")
        leader=$(cat "$RT/k-$rt.pid")
        kid=""
        for _ in $(seq 900); do # bounded: 90 s for the app and the sidecar to be made
                [ -n "$kid" ] || kid=$(ls /run/isocheck 2>/dev/null | grep "^$leader-" | head -n 1)
                [ -n "$kid" ] && [ "$(rt_made "$rt" "$kid")" -ge 2 ] && break
                sleep 0.1
        done
        caught=0
        [ -n "$kid" ] && [ "$(rt_made "$rt" "$kid")" -ge 2 ] && caught=1
        # The whole run: its main process (our group) and its case, which runs in a group of
        # its own inside the run's cgroups; then --cleanup.
        kill -KILL "$leader" 2>/dev/null
        [ -n "$kid" ] && rt_kill_cgroups "$kid"
        for _ in $(seq 100); do kill -0 "$leader" 2>/dev/null || break; sleep 0.02; done
        build/san/isocheck --cleanup >"$RT/c-$rt.out" 2>&1
        if [ $caught -eq 0 ]; then
                echo "fail could not catch run ${kid:-(unknown id)} with its containers up in 90 s: $(tail -n 3 "$RT/k-$rt.out" | tr '\n' ' ')" >"$RT/k-$rt.verdict"
                return
        fi
        left=$(rt_left_id "$kid")
        if [ -n "$left" ]; then
                echo "fail left behind by $kid: $(echo "$left" | tr '\n' ' ') -- $(tr '\n' ' ' <"$RT/c-$rt.out")" >"$RT/k-$rt.verdict"
        else
                echo pass >"$RT/k-$rt.verdict"
        fi
}
rt_cases="container.app.serves container.app.noshell sidecar.netns.shared sidecar.capture.http
sidecar.capture.isolated"

rt_probe() { # RUNTIME: why its cases would skip here, empty when they can run
        case $1 in
        podman)
                command -v podman >/dev/null || { echo "podman is not installed"; return; }
                timeout 20 podman version >/dev/null 2>&1 || echo "podman version does not answer"
                ;;
        oci)
                command -v crun >/dev/null || command -v runc >/dev/null || echo "neither crun nor runc is installed"
                ;;
        esac
}

for rt in podman oci; do
        why=$(rt_probe $rt)
        if [ "$(id -u)" -ne 0 ]; then
                why="not root"
        fi
        if [ -n "$why" ]; then
                for c in $rt_cases; do skipped "runtimes: $c.$rt passes" "$why"; done
                skipped "runtimes: $rt: nothing of the run is left" "$why"
                skipped "runtimes: $rt: a killed run is reclaimed by --cleanup" "$why"
                continue
        fi
        rt_run "$rt" --filter "*.$rt"
        for c in $rt_cases; do
                check "runtimes: $c.$rt passes" rt_verdict "$RT/$rt.xml" "$c.$rt" pass
        done
        check "runtimes: $rt: the reports are well formed" tap_ok "$RT/$rt.tap"
        check "runtimes: $rt: nothing of the run is left (containers, images, state dirs, cgroups, mounts)" \
                rt_nothing_left "$RT/$rt.xml"

        # A run killed while its containers run: --cleanup finds them by the run's labels
        # (podman) or its state directory (OCI) and removes them. In a mount namespace with
        # a private /run/isocheck: another run's recovery (any run's start does one) must not
        # take the dead run's record before our --cleanup does.
        rm -f "$RT/k-$rt.verdict"
        RT=$RT OCI_DIR=$OCI_DIR rt=$rt unshare -m --propagation private bash -c \
                "mount -t tmpfs -o mode=0755 tmpfs /run/isocheck || exit 1
                $(declare -f rt_made rt_left_id rt_kill_cgroups rt_wrapper rt_killed_run)
                rt_killed_run" >"$RT/k-$rt.log" 2>&1
        read -r verdict detail <"$RT/k-$rt.verdict" 2>/dev/null
        case $verdict in
        pass) ok "runtimes: $rt: a killed run is reclaimed by --cleanup" ;;
        *) not_ok "runtimes: $rt: a killed run is reclaimed by --cleanup" \
                "${detail:-no verdict: $(tail -n 5 "$RT/k-$rt.log")}" ;;
        esac
done

# Rootless podman: where `--env` says it is usable its variants pass and leave nothing;
# elsewhere each skips with the probe's own reason, and on a host whose /sys/fs/cgroup is
# not cgroup2 (this one: hybrid v1) that reason is the missing cgroup v2.
rl=podman-rootless
rl_line=$(build/san/isocheck --env 2>/dev/null | sed -n "s/^runtime $rl *//p")
if [ "$(id -u)" -ne 0 ]; then
        for c in $rt_cases; do skipped "runtimes: $c.$rl passes or skips saying why" "not root"; done
else
        rt_run $rl --filter "*.$rl"
        case $rl_line in
        usable:*)
                for c in $rt_cases; do
                        check "runtimes: $c.$rl passes" rt_verdict "$RT/$rl.xml" "$c.$rl" pass
                done
                check "runtimes: $rl: nothing of the run is left" rt_nothing_left "$RT/$rl.xml"
                ;;
        *)
                rl_why="needs rootless podman: ${rl_line#*: }"
                for c in $rt_cases; do
                        check "runtimes: $c.$rl skips saying why" $PY harness/tests/junit_check.py \
                                "$RT/$rl.xml" --case "$c.$rl" --verdict skip --text "$rl_why"
                done
                if [ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ]; then
                        check "runtimes: $rl: the reason here is the missing cgroup v2" \
                                grep -q "cgroup v2 is not the only hierarchy: /sys/fs/cgroup is" \
                                "$RT/$rl.tap"
                fi
                ;;
        esac
        check "runtimes: $rl: the reports are well formed" tap_ok "$RT/$rl.tap"
fi
