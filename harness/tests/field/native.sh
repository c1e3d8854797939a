# Field faults of the native runtime and its sidecar (issue 11: items 3, 6, 7 and 8 for
# container.* and sidecar.* without .docker). Sourced by run.sh and field.sh.
# These runs are about the native runtime: the podman and OCI variants of the same
# behaviours are excluded with docker's (harness/tests/field/runtimes.sh has them).
NAT=$work/native
mkdir -p "$NAT"

# nat_run NAME ISOCHECK-ARGS...: one run of the test build, its reports under $NAT/NAME.*, its
# exit status in $NAT/NAME.rc. The environment (ISOCHECK_FAULT...) is the caller's.
nat_run() {
        local name=$1
        shift
        build/san/isocheck "$@" --tap "$NAT/$name.tap" --junit "$NAT/$name.xml" \
                --artifacts "$NAT/$name-art" >"$NAT/$name.out" 2>"$NAT/$name.err"
        echo $? >"$NAT/$name.rc"
}
nat_rc() { cat "$NAT/$1.rc"; }
# nat_all_pass NAME COUNT: the run exited 0 with COUNT cases passed; what went wrong otherwise.
nat_all_pass() {
        local n
        n=$(grep -c -E '^ok [0-9]+ - [a-z.]+$' "$NAT/$1.tap")
        [ "$(nat_rc "$1")" -eq 0 ] && [ "$n" -eq "$2" ] && return 0
        echo "exit $(nat_rc "$1"), $n of $2 passed"
        grep -A3 '^not ok' "$NAT/$1.tap"
        tail -n 5 "$NAT/$1.err" 2>/dev/null
        return 1
}
# nat_verdict NAME CASE VERDICT [TEXT]: the case has that verdict (and TEXT in its message).
nat_verdict() {
        local name=$1 case=$2 v=$3
        shift 3
        $PY harness/tests/junit_check.py "$NAT/$name.xml" --case "$case" --verdict "$v" \
                ${1:+--text "$1"}
}
# Nothing of these runs left: no cgroup named after them, no app or sidecar of ours running.
nat_nothing_left() { # NAME...
        local n p exe
        for n in "$@"; do no_cgroups_of "$NAT/$n.xml" || return 1; done
        for p in /proc/[0-9]*; do
                exe=$(readlink "$p/exe" 2>/dev/null) || continue
                case "$exe" in "$NAT"/*) echo "left running: $p $exe"; return 1 ;; esac
        done
}
nat_no_left_behind() { # NAME: the run's report names nothing left behind
        [ -s "$NAT/$1.tap" ] && ! grep -i 'left behind' "$NAT/$1.tap"
}

# --- 3. CAP_NET_RAW is a requirement of the sidecar ----------------------------------------
# Input from the field: capsh --drop=cap_net_raw -- -c 'build/isocheck --filter "sidecar.*"
# --exclude "*.docker"' gave three errors from pcap_activate.
if command -v capsh >/dev/null; then
        capsh --drop=cap_net_raw -- -c "build/san/isocheck --filter 'sidecar.*' --exclude '*.docker' --exclude '*.podman*' --exclude '*.oci' \
                --tap '$NAT/noraw.tap' --junit '$NAT/noraw.xml' --artifacts '$NAT/noraw-art' \
                >'$NAT/noraw.out' 2>'$NAT/noraw.err'; echo \$? >'$NAT/noraw.rc'"
else
        setpriv --inh-caps=-net_raw --bounding-set=-net_raw build/san/isocheck \
                --filter 'sidecar.*' --exclude '*.docker' --exclude '*.podman*' --exclude '*.oci' --tap "$NAT/noraw.tap" \
                --junit "$NAT/noraw.xml" --artifacts "$NAT/noraw-art" >"$NAT/noraw.out" 2>"$NAT/noraw.err"
        echo $? >"$NAT/noraw.rc"
fi
check "native: without CAP_NET_RAW the three sidecar cases skip naming it" sh -c "
        [ \$(grep -c -E '^ok [0-9]+ - sidecar\.[a-z.]+ # SKIP needs CAP_NET_RAW' '$NAT/noraw.tap') -eq 3 ] &&
        ! grep -q '^not ok' '$NAT/noraw.tap'"
check "native: ... and nothing of that run is left" nat_nothing_left noraw
# Further input of the kind: setpriv dropping only net_raw, with the container cases too:
# those capture nothing and still run (and pass) while the sidecar cases skip.
setpriv --inh-caps=-net_raw --bounding-set=-net_raw build/san/isocheck \
        --filter 'container.*' --filter 'sidecar.capture.http' --exclude '*.docker' --exclude '*.podman*' --exclude '*.oci' \
        --tap "$NAT/noraw2.tap" --junit "$NAT/noraw2.xml" --artifacts "$NAT/noraw2-art" \
        >"$NAT/noraw2.out" 2>"$NAT/noraw2.err"
echo $? >"$NAT/noraw2.rc"
check "native: without CAP_NET_RAW the container cases still pass, the capture skips" sh -c "
        [ $(nat_rc noraw2) -eq 0 ] &&
        grep -q -E '^ok [0-9]+ - container\.app\.serves$' '$NAT/noraw2.tap' &&
        grep -q -E '^ok [0-9]+ - container\.app\.noshell$' '$NAT/noraw2.tap' &&
        grep -q -E '^ok [0-9]+ - sidecar\.capture\.http # SKIP needs CAP_NET_RAW' '$NAT/noraw2.tap'"

# Further input of the kind: without CAP_NET_ADMIN no veth can be made (rtnetlink(7));
# the native cases failed as errors "create veth pair ...: Operation not permitted".
setpriv --inh-caps=-net_admin --bounding-set=-net_admin build/san/isocheck \
        --filter 'container.*' --filter 'sidecar.*' --exclude '*.docker' --exclude '*.podman*' --exclude '*.oci' \
        --tap "$NAT/noadmin.tap" --junit "$NAT/noadmin.xml" --artifacts "$NAT/noadmin-art" \
        >"$NAT/noadmin.out" 2>"$NAT/noadmin.err"
check "native: without CAP_NET_ADMIN the five native cases skip naming it" sh -c "
        [ \$(grep -c -E '^ok [0-9]+ - (container|sidecar)\.[a-z.]+ # SKIP needs CAP_NET_ADMIN' '$NAT/noadmin.tap') -eq 5 ] &&
        ! grep -q '^not ok' '$NAT/noadmin.tap'"

# A sidecar that cannot start: sidecar.capture.isolated left its second app (and its
# cgroup) behind when its first sidecar failed (the item above, seen in that run).
# Fixtures from ISOCHECK_FIXTURES: the real app, a sidecar that fails as pcap_activate did.
mkdir -p "$NAT/fx-first" "$NAT/fx-second"
cp build/fixtures/app "$NAT/fx-first/app"
cp build/fixtures/app "$NAT/fx-second/app"
printf '#!/bin/sh\necho "sidecar: pcap_activate any: Operation not permitted (injected)" >&2\nexit 1\n' \
        >"$NAT/fx-first/sidecar"
# Further input of the kind: the first sidecar starts, the second fails.
printf '#!/bin/sh\ncase "$*" in\n*elsewhere.pcap*) echo "sidecar: second one fails (injected)" >&2; exit 1 ;;\nesac\nexec %s/build/fixtures/sidecar "$@"\n' \
        "$top" >"$NAT/fx-second/sidecar"
chmod +x "$NAT/fx-first/sidecar" "$NAT/fx-second/sidecar"
ISOCHECK_FIXTURES=$NAT/fx-first nat_run first --filter sidecar.capture.isolated
ISOCHECK_FIXTURES=$NAT/fx-second nat_run second --filter sidecar.capture.isolated
check "native: capture.isolated whose first sidecar fails is an error naming it" \
        nat_verdict first sidecar.capture.isolated error "pcap_activate any: Operation not permitted"
check "native: ... and it leaves neither app behind" nat_no_left_behind first
check "native: capture.isolated whose second sidecar fails is an error naming it" \
        nat_verdict second sidecar.capture.isolated error "second one fails"
check "native: ... and it leaves no app or sidecar behind" nat_no_left_behind second
check "native: ... nothing of either run is left running" nat_nothing_left first second

# --- 6. ISOCHECK_LINK_NET is checked before any case runs ----------------------------------
# Input from the field: ISOCHECK_LINK_NET=10.0.0.0 (or 169.254.169.0) made every container
# case an error. Further input of the kind: 169.254.192.0, whose /18 would run past
# 169.254.254.x, and 169.254.64.1, not the start of a block.
for net in 10.0.0.0 169.254.169.0 169.254.192.0 169.254.64.1; do
        ISOCHECK_LINK_NET=$net nat_run "net-$net" --filter 'container.*' --filter 'sidecar.*'
        check "native: ISOCHECK_LINK_NET=$net is refused before any case runs: exit 2, one line" sh -c "
                [ $(nat_rc "net-$net") -eq 2 ] && [ \$(wc -l <'$NAT/net-$net.err') -eq 1 ] &&
                grep -q 'ISOCHECK_LINK_NET=$net: expected 169.254.N.0 with N from 1 to 105 or 170 to 191' '$NAT/net-$net.err' &&
                ! grep -q -E '^(not )?ok ' '$NAT/net-$net.out'"
done
# What the rule allows still works: a base above 169.254.169.x.
ISOCHECK_LINK_NET=169.254.170.0 nat_run net-ok --filter container.app.serves
# Its /18 is 169.254.170.0 to 169.254.233.255.
check "native: ISOCHECK_LINK_NET=169.254.170.0 is allowed and the app answers there" sh -c "
        [ $(nat_rc net-ok) -eq 0 ] && grep -o '169\.254\.[0-9]*\.[0-9]*:8000' '$NAT/net-ok.xml' |
                awk -F. '{ if (\$3 < 170 || \$3 > 233) bad = 1 } END { exit bad || !NR }'"

# --- 6. A missing fixture is a broken installation, not a skip ------------------------------
# Input from the field: an installed isocheck that cannot find its fixtures skipped the ten
# container cases ("run make") and exited 0. Here: the release binary copied alone.
mkdir -p "$NAT/inst/bin"
cp build/isocheck "$NAT/inst/bin/isocheck"
"$NAT/inst/bin/isocheck" --filter 'container.*' --filter 'sidecar.*' --tap "$NAT/inst.tap" \
        --junit "$NAT/inst.xml" --artifacts "$NAT/inst-art" >"$NAT/inst.out" 2>"$NAT/inst.err"
echo $? >"$NAT/inst.rc"
check "native: an installation without fixtures fails the run (exit 1), skips none for it" sh -c "
        [ $(nat_rc inst) -eq 1 ] && ! grep -E '# SKIP.*(fixture|image context|run make)' '$NAT/inst.tap'"
for c in container.app.serves container.app.noshell sidecar.netns.shared sidecar.capture.http \
        sidecar.capture.isolated; do
        check "native: ... $c is an error naming the missing fixture" \
                nat_verdict inst "$c" error "missing: looked in $NAT/inst/bin/fixtures"
done
if timeout 10 docker info >/dev/null 2>&1; then
        check "native: ... and so is container.app.serves.docker (its image context)" \
                nat_verdict inst container.app.serves.docker error "expected the app image context"
fi
check "native: ... and nothing of that run is left" nat_nothing_left inst
# Further input of the kind: what `make install` installs is an installation that finds
# its fixtures (it used to install the binary alone), here under DESTDIR.
${MAKE:-make} -s install DESTDIR="$NAT/dest" PREFIX=/usr >"$NAT/install.out" 2>&1
"$NAT/dest/usr/bin/isocheck" --filter container.app.serves --filter sidecar.capture.http \
        --tap "$NAT/installed.tap" --junit "$NAT/installed.xml" --artifacts "$NAT/installed-art" \
        >/dev/null 2>"$NAT/installed.err"
echo $? >"$NAT/installed.rc"
check "native: make install (DESTDIR) gives an isocheck that finds its fixtures" \
        nat_all_pass installed 2
# Further input of the kind: ISOCHECK_FIXTURES naming a directory without the fixtures.
mkdir -p "$NAT/empty"
ISOCHECK_FIXTURES=$NAT/empty nat_run emptyfx --filter container.app.serves --filter sidecar.netns.shared
check "native: ISOCHECK_FIXTURES without the app is an error naming the directory" \
        nat_verdict emptyfx container.app.serves error "$NAT/empty/app"
check "native: ... and without the sidecar too" \
        nat_verdict emptyfx sidecar.netns.shared error "$NAT/empty/"

# --- 7. Root never writes the capture through a link ---------------------------------------
# Input from the field: a link planted at art/sidecar.capture.http/capture.pcap had root
# write the capture into the file it points to.
mkdir -p "$NAT/link-art/sidecar.capture.http"
echo original >"$NAT/victim"
ln -s "$NAT/victim" "$NAT/link-art/sidecar.capture.http/capture.pcap"
build/san/isocheck --filter sidecar.capture.http --artifacts "$NAT/link-art" --tap "$NAT/link.tap" \
        --junit "$NAT/link.xml" >/dev/null 2>&1
check "native: a planted capture.pcap link is not followed (the victim keeps its bytes)" \
        sh -c "[ \"\$(cat '$NAT/victim')\" = original ]"
check "native: ... and the case passes on a capture of its own, or errors naming the path" sh -c "
        $PY harness/tests/junit_check.py '$NAT/link.xml' --case sidecar.capture.http --verdict pass ||
        $PY harness/tests/junit_check.py '$NAT/link.xml' --case sidecar.capture.http --verdict error \
                --text '$NAT/link-art/sidecar.capture.http'"
# Further input of the kind: a dangling link, which O_CREAT alone would follow to create
# a file wherever it points.
mkdir -p "$NAT/link-art/sidecar.netns.shared"
ln -s "$NAT/created-by-root" "$NAT/link-art/sidecar.netns.shared/netns.pcap"
build/san/isocheck --filter sidecar.netns.shared --artifacts "$NAT/link-art" --tap "$NAT/link2.tap" \
        --junit "$NAT/link2.xml" >/dev/null 2>&1
check "native: a dangling netns.pcap link does not make root create its target" \
        test ! -e "$NAT/created-by-root"
# And the capture an earlier run left in the same artifacts directory is replaced, not a
# reason to refuse (the sidecar creates its file exclusively).
nat_run again1 --filter 'sidecar.*' --exclude '*.docker' --exclude '*.podman*' --exclude '*.oci'
build/san/isocheck --filter 'sidecar.*' --exclude '*.docker' --exclude '*.podman*' --exclude '*.oci' --tap "$NAT/again2.tap" \
        --junit "$NAT/again2.xml" --artifacts "$NAT/again1-art" >/dev/null 2>"$NAT/again2.err"
echo $? >"$NAT/again2.rc"
check "native: the sidecar cases pass into a fresh artifacts directory" nat_all_pass again1 3
check "native: ... and again into the same one" nat_all_pass again2 3

# --- 8. Every native container and sidecar case shows it can fail --------------------------
# Fault hooks of the test build (include/isocheck/fault.h) make the runtime or the kernel
# misbehave as each case exists to catch; the case must then fail, naming it.
nat_run control --filter 'container.*' --filter 'sidecar.*' --exclude '*.docker' --exclude '*.podman*' --exclude '*.oci'
check "native: without a fault the five native cases pass" nat_all_pass control 5
# The binary make install ships honours no fault hook: with every hook listed, the same
# five cases pass.
ISOCHECK_FAULT=container.app.hung,container.root.shell,sidecar.setns.noop,sidecar.capture.misses \
        build/isocheck --filter 'container.*' --filter 'sidecar.*' --exclude '*.docker' --exclude '*.podman*' --exclude '*.oci' \
        --tap "$NAT/shipped.tap" --junit "$NAT/shipped.xml" --artifacts "$NAT/shipped-art" \
        >/dev/null 2>"$NAT/shipped.err" </dev/null
echo $? >"$NAT/shipped.rc"
check "native: the shipped build ignores ISOCHECK_FAULT (five cases pass with every hook)" \
        nat_all_pass shipped 5
while IFS=' ' read -r fault case text; do
        ISOCHECK_FAULT=$fault nat_run "fault-$case" --filter "$case"
        check "native: $case fails under fault $fault, naming it" \
                nat_verdict "fault-$case" "$case" fail "$text"
        check "native: ... and leaves nothing behind" nat_nothing_left "fault-$case"
done <<'EOF'
container.app.hung container.app.serves no answer within 3 s
container.root.shell container.app.noshell the app's root has no /bin/sh: expected absent, got present
sidecar.setns.noop sidecar.netns.shared the sidecar's network namespace is the app's
sidecar.capture.misses sidecar.capture.http the capture holds one SYN to port 8000 per request: expected 5, got 0
sidecar.setns.noop sidecar.capture.isolated the capture in the other namespace sees no packet
EOF
