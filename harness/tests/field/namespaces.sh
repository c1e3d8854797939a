# The namespaces beyond the lab (issue 18): user, UTS, IPC, network, mount, cgroup and
# time namespaces, each with a syscall case and a .tool case running util-linux's own
# command. Every case passes here (or skips naming what the kernel lacks); each .tool case
# fails, naming the claim, when its command does not make the namespace (an `unshare` that
# only runs the command); user.max_user_namespaces=0 gives a skip naming the setting.
# Sourced by run.sh and field.sh: expects $top, $work and lib.sh's helpers.
ns_dir=$work/namespaces
mkdir -p "$ns_dir"
ns_cases='userns.* uts.* ipc.* netns.* mntns.* cgroupns.* timens.*'

# ns_run NAME ISOCHECK-ARGS...: one run of the test build, kept under $ns_dir as NAME.*.
ns_run() {
        local name=$1
        shift
        build/san/isocheck "$@" --tap "$ns_dir/$name.tap" --junit "$ns_dir/$name.xml" \
                --artifacts "$ns_dir/art-$name" >"$ns_dir/$name.out" 2>&1
        echo $? >"$ns_dir/$name.rc"
}

ns_filters() { local g; for g in $ns_cases; do printf -- '--filter %s ' "$g"; done; }

# --- every new case passes on this kernel ------------------------------------------------
# shellcheck disable=SC2046
ns_run all $(ns_filters)
ns_all_pass() {
        [ "$(cat "$ns_dir/all.rc")" = 0 ] || { cat "$ns_dir/all.out"; return 1; }
        local n
        n=$(grep -c '^ok [0-9]* - ' "$ns_dir/all.tap")
        [ "$n" = 14 ] || { echo "expected 14 cases ok, got $n"; grep -v '^ ' "$ns_dir/all.tap"; return 1; }
        if grep '^ok .* # SKIP' "$ns_dir/all.tap"; then echo "a namespace case skipped here"; return 1; fi
}
check "namespaces: the 14 namespace cases pass on this kernel" ns_all_pass
check "namespaces: their TAP parses clean" tap_ok "$ns_dir/all.tap"
check "namespaces: their JUnit is valid" xml_ok "$ns_dir/all.xml"
check "namespaces: no cgroup of the run is left" no_cgroups_of "$ns_dir/all.xml"
ns_no_mounts_left() {
        local id
        id=$(run_id "$ns_dir/all.xml")
        if grep "isocheck-$id" /proc/self/mountinfo; then return 1; fi
        if ls -d /tmp/isocheck-"$id"-* 2>/dev/null; then return 1; fi
        if grep -E ' (isocheck-shared|isocheck-private) ' /proc/self/mountinfo; then return 1; fi
}
check "namespaces: mntns leaves no mount and no mount point on the host" ns_no_mounts_left

# --- user.max_user_namespaces=0 ------------------------------------------------------------
# Set in a user namespace of this test's own (identity-mapped, so the run is still root
# there): the limit holds for every namespace below it, and the host's value never changes.
ns_before=$(cat /proc/sys/user/max_user_namespaces)
rm -f "$ns_dir/go"
mkfifo "$ns_dir/go"
unshare --user sh -c 'read x <"$0"; exec sh -c "echo 0 >/proc/sys/user/max_user_namespaces &&
        build/san/isocheck --filter \"userns.*\" --tap $1/limit.tap --junit $1/limit.xml \
        --artifacts $1/art-limit >$1/limit.out 2>&1; echo \$? >$1/limit.rc"' "$ns_dir/go" "$ns_dir" &
ns_pid=$!
# The maps are written from outside, as newuidmap would (not installed here).
sleep 0.2
echo "0 0 65536" >"/proc/$ns_pid/uid_map" && echo "0 0 65536" >"/proc/$ns_pid/gid_map"
echo go >"$ns_dir/go"
ns_waited=0
while kill -0 "$ns_pid" 2>/dev/null && [ $ns_waited -lt 300 ]; do sleep 0.1; ns_waited=$((ns_waited + 1)); done
kill -9 "$ns_pid" 2>/dev/null
wait "$ns_pid" 2>/dev/null
ns_limit_skips() {
        local c
        for c in userns.map.root userns.map.root.tool; do
                grep -q "^ok [0-9]* - $c # SKIP .*user.max_user_namespaces.* is 0" "$ns_dir/limit.tap" ||
                        { echo "$c: no skip naming user.max_user_namespaces"; cat "$ns_dir/limit.tap" "$ns_dir/limit.out"; return 1; }
        done
        [ "$(cat /proc/sys/user/max_user_namespaces)" = "$ns_before" ] || { echo "the host's limit changed"; return 1; }
}
check "namespaces: user.max_user_namespaces=0 makes both userns cases skip naming it" ns_limit_skips

# --- an unshare that makes no namespace ----------------------------------------------------
# A shim first on PATH runs the command without unsharing anything (its --help is the real
# one, so option probes still see util-linux). Only the read-only .tool cases are run this
# way: the UTS and IPC ones would change the host's name and queues.
mkdir -p "$ns_dir/shim"
cat >"$ns_dir/shim/unshare" <<SHIM
#!/bin/sh
case "\$1" in --help|-h|--version|-V) exec $(command -v unshare) "\$@";; esac
while [ \$# -gt 0 ]; do
        case "\$1" in
        --propagation|--monotonic|--boottime) shift 2;;
        -*) shift;;
        *) break;;
        esac
done
exec "\$@"
SHIM
chmod +x "$ns_dir/shim/unshare"
PATH="$ns_dir/shim:$PATH" ns_run shim --filter netns.loopback.only.tool --filter cgroupns.root.tool \
        --filter timens.offset.tool --filter userns.map.root.tool --filter mntns.propagation.tool
ns_shim_fails() { # CASE TEXT: CASE failed (not error, not skip), a failed check names TEXT
        grep -q "^not ok [0-9]* - $1\$" "$ns_dir/shim.tap" || { echo "$1 did not fail"; cat "$ns_dir/shim.tap"; return 1; }
        sed -n "/^# Subtest: $1\$/,/^[a-z]/p" "$ns_dir/shim.tap" | grep -q "^    not ok .*$2" ||
                { echo "$1: no failed check names \"$2\""; sed -n "/^# Subtest: $1\$/,/^  \.\.\./p" "$ns_dir/shim.tap"; return 1; }
        sed -n "/^not ok [0-9]* - $1\$/,/^  \.\.\./p" "$ns_dir/shim.tap" | grep -q 'severity: "fail"' ||
                { echo "$1: not a fail"; return 1; }
}
check "namespaces: netns.loopback.only.tool fails when unshare --net makes no namespace" \
        ns_shim_fails netns.loopback.only.tool "ip link inside lists one device"
check "namespaces: cgroupns.root.tool fails when unshare --cgroup makes no namespace" \
        ns_shim_fails cgroupns.root.tool "every hierarchy's path inside is /"
check "namespaces: timens.offset.tool fails when unshare --time makes no namespace" \
        ns_shim_fails timens.offset.tool "uptime inside is the boottime offset"
check "namespaces: userns.map.root.tool fails when unshare --user makes no namespace" \
        ns_shim_fails userns.map.root.tool "id -u inside prints 0"
check "namespaces: mntns.propagation.tool fails when unshare --mount makes no namespace" \
        ns_shim_fails mntns.propagation.tool "does not reach the peer namespace"
check "namespaces: the shim run leaves no mount on the host" \
        sh -c "! grep -E ' (isocheck-shared|isocheck-private) ' /proc/self/mountinfo"
