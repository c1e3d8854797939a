# Issue 14, speed: container runtimes at their own cost (the docker image cache) and a
# start-up in proportion to what is selected. Sourced by run.sh and field.sh: $work,
# check/ok/not_ok/skipped, run_id, no_cgroups_of, $PY come from lib.sh. Everything is found
# by this file's own run ids or its own unique image keys; other runs may use docker
# meanwhile, and a check that another run could change says so and skips.
SP=$work/speed
mkdir -p "$SP"

sp_run() { # NAME ISOCHECK-ARGS...: one run of the test build into $SP/NAME.{tap,xml,out,rc}
        local name=$1
        shift
        build/san/isocheck "$@" --tap "$SP/$name.tap" --junit "$SP/$name.xml" \
                --artifacts "$SP/$name.art" >"$SP/$name.out" 2>&1
        echo $? >"$SP/$name.rc"
}
sp_passed() { # NAME CASE: the run exited 0 and junitparser reads CASE as passed
        [ "$(cat "$SP/$1.rc")" = 0 ] || { echo "exit $(cat "$SP/$1.rc"): $(tail -n 5 "$SP/$1.out")"; return 1; }
        $PY harness/tests/junit_check.py "$SP/$1.xml" --case "$2" --verdict pass
}
# The case log's line about the app image: "docker image TAG (ID): reused, 0 builds" or
# "... built, 1 build in S s" (runtime_docker_cache.c).
sp_image_line() { grep -o 'docker image isocheck-app:[^&<]*' "$SP/$1.xml" | head -n 1; }
sp_image_id() { sp_image_line "$1" | sed -n 's/.*(\(sha256:[0-9a-f]*\)).*/\1/p'; }
sp_builds() { sp_image_line "$1" | sed -n 's/.*, \([0-9]*\) builds\{0,1\}.*/\1/p'; }
sp_left() { # XML...: containers labelled with those runs, and their cgroups
        local x id
        for x in "$@"; do
                id=$(run_id "$x")
                [ -n "$id" ] || { echo "no run.id in $x"; return 1; }
                docker ps -aq --filter "label=isocheck.run=$id" | sed "s/^/container of $id: /"
                docker images -aq --filter "label=isocheck.run=$id" | sed "s/^/image of $id: /"
        done | grep . && return 1
        no_cgroups_of "$@"
}
# Remove a cached image this file made (its key is unique to this file's run), with the
# intermediate images of its build: by its key label only.
sp_drop_key() {
        docker image prune -a -f --filter "label=isocheck.key=$1" >/dev/null 2>&1
        local i
        i=$(docker images -aq --filter "label=isocheck.key=$1")
        [ -z "$i" ] || docker rmi -f $i >/dev/null 2>&1
}

# --- start-up in proportion to what is selected ----------------------------------------
# Input (issue 14): one native case ran seven --version calls, docker info/ps/images and
# every runtime's probe before its 5 ms of work. Shims first on PATH record every call of
# the programs isocheck could run; the native case must run none of them, and --env (the
# control that shows the shims are called at all) must still run them and list them all.
SHIMS=$SP/shims
mkdir -p "$SHIMS"
for p in docker qemu-system-x86_64 unshare nsenter stress-ng stress ip runc crun podman conmon; do
        real=$(command -v "$p" 2>/dev/null) || continue
        printf '#!/bin/sh\necho "%s $*" >>"%s"\nexec "%s" "$@"\n' "$p" "$SP/calls.log" "$real" >"$SHIMS/$p"
        chmod 755 "$SHIMS/$p"
done
: >"$SP/calls.log"
PATH=$SHIMS:$PATH sp_run native --filter pidns.init.pid1
cp "$SP/calls.log" "$SP/calls.native"
check "speed: one native case passes" sp_passed native pidns.init.pid1
check "speed: one native case runs no tool, docker, qemu or runtime client" sh -c "
        [ ! -s '$SP/calls.native' ] || { echo 'it ran:'; head -n 12 '$SP/calls.native'; exit 1; }"
check "speed: the JUnit properties say which versions were not asked" sh -c "
        grep -q 'name=\"tool.docker\" value=\"found, version not asked' '$SP/native.xml' ||
        grep -q 'name=\"tool.docker\" value=\"not found\"' '$SP/native.xml'"
: >"$SP/calls.log"
PATH=$SHIMS:$PATH build/san/isocheck --env >"$SP/env.out" 2>&1
cp "$SP/calls.log" "$SP/calls.env"
check "speed: --env still runs every tool's --version" sh -c "
        for t in unshare nsenter ip; do
                command -v \$t >/dev/null || continue
                grep -q \"^\$t \" '$SP/calls.env' || { echo \"--env did not run \$t\"; exit 1; }
        done"
check "speed: --env still lists every tool with its version and every runtime" sh -c "
        for t in unshare nsenter stress-ng stress ip docker qemu-system-x86_64; do
                grep -E -q \"^(tools)? +\$t +\" '$SP/env.out' || { echo \"no line for \$t\"; exit 1; }
        done
        ! grep -q 'version not asked' '$SP/env.out' || { grep 'version not asked' '$SP/env.out'; exit 1; }
        for r in docker native oci podman; do
                grep -q \"^runtime \$r \" '$SP/env.out' || { echo \"no runtime \$r\"; exit 1; }
        done"
if command -v docker >/dev/null && timeout 10 docker info >/dev/null 2>&1; then
        check "speed: --env asks the docker daemon (the shims see it)" \
                grep -q '^docker info' "$SP/calls.env"
else
        skipped "speed: --env asks the docker daemon" "no Docker daemon answers docker info here"
fi
check "speed: nothing of the native run is left" sp_left "$SP/native.xml"

# --- the docker image cache ------------------------------------------------------------
if ! command -v docker >/dev/null || ! timeout 10 docker info >/dev/null 2>&1; then
        for t in "a second run reuses the image" "a changed fixture gives a new image" \
                "two concurrent runs build once" "--cleanup keeps the cache a live run uses" \
                "--cleanup removes the cache"; do
                skipped "speed: docker: $t" "no Docker daemon answers docker info here"
        done
else
        # Two runs of one case: the second neither builds nor changes the image.
        sp_run reuse1 --filter container.app.serves.docker
        sp_run reuse2 --filter container.app.serves.docker
        check "speed: docker: a second run reuses the image (same id, 0 builds)" sh -c "
                r1=\$(cat '$SP/reuse1.rc') r2=\$(cat '$SP/reuse2.rc')
                [ \"\$r1\" = 0 ] && [ \"\$r2\" = 0 ] || { echo \"exit \$r1, \$r2\"; exit 1; }
                a='$(sp_image_id reuse1)' b='$(sp_image_id reuse2)' n='$(sp_builds reuse2)'
                [ -n \"\$a\" ] && [ \"\$a\" = \"\$b\" ] || { echo \"image ids '\$a' and '\$b'\"; exit 1; }
                [ \"\$n\" = 0 ] || { echo 'second run: $(sp_image_line reuse2)'; exit 1; }"

        # A changed fixture (the app binary with bytes of this test appended: ELF ignores
        # them, so the app still runs) is a new content key, so a new image, built once.
        FX=$SP/fixtures
        cp -a build/fixtures "$FX"
        printf 'isocheck speed field test %s %s\n' "$$" "$(date +%s%N)" >>"$FX/app-image/app"
        ISOCHECK_FIXTURES=$FX sp_run changed --filter container.app.serves.docker
        key_changed=$(docker image inspect -f '{{index .Config.Labels "isocheck.key"}}' \
                "$(grep -o 'docker image isocheck-app:[0-9a-f]*' "$SP/changed.xml" | head -n 1 | sed 's/docker image //')" 2>/dev/null)
        check "speed: docker: a changed fixture gives a new image, built once" sh -c "
                [ \"\$(cat '$SP/changed.rc')\" = 0 ] || { tail -n 5 '$SP/changed.out'; exit 1; }
                a='$(sp_image_id reuse1)' c='$(sp_image_id changed)' n='$(sp_builds changed)'
                [ -n \"\$c\" ] && [ \"\$a\" != \"\$c\" ] || { echo \"ids '\$a' and '\$c'\"; exit 1; }
                [ \"\$n\" = 1 ] || { echo 'changed: $(sp_image_line changed)'; exit 1; }
                [ -n '$key_changed' ] || { echo 'the new image carries no isocheck.key label'; exit 1; }"

        # Two runs at once needing one missing image (another new fixture): both pass, and
        # between them it is built once (the build lock; the other waits and reuses it).
        FX2=$SP/fixtures2
        cp -a build/fixtures "$FX2"
        printf 'isocheck speed field test two %s %s\n' "$$" "$(date +%s%N)" >>"$FX2/app-image/app"
        ISOCHECK_FIXTURES=$FX2 sp_run twin1 --filter container.app.serves.docker &
        t1=$!
        ISOCHECK_FIXTURES=$FX2 sp_run twin2 --filter container.app.serves.docker &
        t2=$!
        wait $t1 $t2
        key_twin=$(docker image inspect -f '{{index .Config.Labels "isocheck.key"}}' \
                "$(grep -o 'docker image isocheck-app:[0-9a-f]*' "$SP/twin1.xml" | head -n 1 | sed 's/docker image //')" 2>/dev/null)
        check "speed: docker: two concurrent runs sharing the image both pass" sh -c "
                '$PY' harness/tests/junit_check.py '$SP/twin1.xml' --case container.app.serves.docker --verdict pass &&
                '$PY' harness/tests/junit_check.py '$SP/twin2.xml' --case container.app.serves.docker --verdict pass"
        check "speed: docker: two concurrent runs build the image once, with one id" sh -c "
                a='$(sp_image_id twin1)' b='$(sp_image_id twin2)'
                n=\$(( $(sp_builds twin1 || echo 9) + $(sp_builds twin2 || echo 9) ))
                [ -n \"\$a\" ] && [ \"\$a\" = \"\$b\" ] || { echo \"ids '\$a' and '\$b'\"; exit 1; }
                [ \"\$n\" = 1 ] || { echo \"\$n builds: $(sp_image_line twin1) / $(sp_image_line twin2)\"; exit 1; }"
        check "speed: docker: the shared image outlives both runs (kept by content key)" \
                docker image inspect "$(grep -o 'docker image isocheck-app:[0-9a-f]*' "$SP/twin1.xml" | head -n 1 | sed 's/docker image //')"

        # --cleanup and the cache: while a run holds the in-use lock (this file holds it,
        # as every run that uses docker does), the cached images stay.
        # The holder is one process (no child that would keep the lock after it is
        # killed), up 60 s at most; it says when it holds the lock.
        $PY -c 'import fcntl, sys, time
f = open("/var/lib/isocheck/lock/docker-images.lock", "a")
fcntl.flock(f, fcntl.LOCK_SH)
open(sys.argv[1], "w").close()
time.sleep(60)' "$SP/held" &
        holder=$!
        for _ in $(seq 1 100); do [ -e "$SP/held" ] && break; sleep 0.05; done # bounded: 5 s
        build/san/isocheck --cleanup >"$SP/cleanup-held.out" 2>&1
        check "speed: docker: --cleanup keeps the cache a live run uses" sh -c "
                grep -q 'kept the cached docker images' '$SP/cleanup-held.out' || { cat '$SP/cleanup-held.out'; exit 1; }
                [ -n \"\$(docker images -q --filter label=isocheck.key=$key_twin)\" ] ||
                        { echo 'the image of key $key_twin is gone'; exit 1; }"
        kill $holder 2>/dev/null
        wait $holder 2>/dev/null
        # Without a holder it removes them, unless another session's run uses docker now
        # (it then holds the lock too): that is said, and the check skips.
        build/san/isocheck --cleanup >"$SP/cleanup.out" 2>&1
        if grep -q 'kept the cached docker images' "$SP/cleanup.out"; then
                skipped "speed: docker: --cleanup removes the cache" \
                        "another run uses docker now and holds the in-use lock"
        else
                check "speed: docker: --cleanup removes the cache" sh -c "
                        grep -q 'cached docker image' '$SP/cleanup.out' || { cat '$SP/cleanup.out'; exit 1; }
                        for k in $key_changed $key_twin; do
                                [ -z \"\$(docker images -aq --filter label=isocheck.key=\$k)\" ] ||
                                        { echo \"images of key \$k are left\"; exit 1; }
                        done"
        fi
        check "speed: docker: nothing of the runs is left (containers, images, cgroups by run id)" \
                sp_left "$SP/reuse1.xml" "$SP/reuse2.xml" "$SP/changed.xml" "$SP/twin1.xml" "$SP/twin2.xml"
        for k in $key_changed $key_twin; do sp_drop_key "$k"; done
fi
