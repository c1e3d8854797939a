# Field faults of the docker runtime (issue 11: items 2, 3, 5 and 6 on docker, section 8
# for the *.docker cases). Sourced by run.sh and field.sh: $work, check/ok/not_ok/skipped,
# run_id, $PY come from lib.sh. Every test skips saying so when no daemon answers, finds
# what a run left only by that run's id, and removes only objects labelled with its runs.
DK=$work/docker-field
mkdir -p "$DK"
REAL_DOCKER=$(command -v docker 2>/dev/null)

dk_verdict() { # XML CASE VERDICT [TEXT]: the JUnit report gives CASE that verdict (and TEXT)
        $PY harness/tests/junit_check.py "$1" --case "$2" --verdict "$3" ${4:+--text "$4"}
}
# dk_run NAME ISOCHECK-ARGS...: one run of the test build into $DK/NAME.{tap,xml,out},
# then whatever it left removed by its own run id (it should have left nothing).
dk_run() {
        local name=$1
        shift
        build/san/isocheck "$@" --tap "$DK/$name.tap" --junit "$DK/$name.xml" \
                --artifacts "$DK/$name.art" >"$DK/$name.out" 2>&1
        echo $? >"$DK/$name.rc"
}
dk_left() { # XML: containers and images (intermediate ones too) labelled with its run
        local id
        id=$(run_id "$1")
        [ -n "$id" ] || { echo "no run.id in $1"; return 1; }
        {
                docker ps -aq --filter "label=isocheck.run=$id"
                docker images -aq --filter "label=isocheck.run=$id"
        } 2>/dev/null
}
dk_reclaim() { # XML...: remove what those runs left, by their label only
        local x id c i
        for x in "$@"; do
                id=$(run_id "$x")
                [ -n "$id" ] || continue
                c=$(docker ps -aq --filter "label=isocheck.run=$id")
                [ -z "$c" ] || docker rm -f $c >/dev/null 2>&1
                docker image prune -a -f --filter "label=isocheck.run=$id" >/dev/null 2>&1
                i=$(docker images -aq --filter "label=isocheck.run=$id")
                [ -z "$i" ] || docker rmi -f $i >/dev/null 2>&1
        done
}
dk_nothing_left() { # XML...: nothing of those runs is left
        local x left
        for x in "$@"; do
                left=$(dk_left "$x") || return 1
                [ -z "$left" ] || { echo "left behind by $(run_id "$x"): $left"; return 1; }
        done
}
# A copy of the fixtures whose WHAT (app or sidecar) differs from every other run's (a line
# of this test appended: ELF ignores it), so its image is not in the image cache and a case
# builds it (runtime_docker.h).
dk_changed_fixtures() { # DIR WHAT
        rm -rf "$1"
        cp -a build/fixtures "$1"
        printf 'docker field test %s %s\n' "$$" "$(date +%s%N)" >>"$1/$2-image/$2"
}
# A fake docker first on PATH: forwards to the real client, with one verb rewritten by the
# shell function body given as $2 (it gets the arguments; REAL is the real client).
dk_wrapper() { # DIR BODY
        mkdir -p "$1"
        {
                echo '#!/bin/bash'
                echo "REAL='$REAL_DOCKER'"
                printf '%s\n' "$2"
        } >"$1/docker"
        chmod 755 "$1/docker"
}

if [ -z "$REAL_DOCKER" ] || ! timeout 10 docker info >/dev/null 2>&1; then
        for t in "builder: DOCKER_BUILDKIT=1" "environment pins" "noshell wording" \
                "build output" "restarted app" "SIGINT during the builds" "every docker case can fail"; do
                skipped "docker: $t" "no Docker daemon answers docker info here"
        done
else
        # --- 3: DOCKER_BUILDKIT=1 with a client that has no buildx plugin ----------------
        # Input (issue): DOCKER_BUILDKIT=1 and no buildx: every docker case was an error
        # ("BuildKit is enabled but the buildx component is missing or broken"). The
        # builder that works is pinned and --env names it.
        DOCKER_BUILDKIT=1 dk_run bk1 --filter container.app.serves.docker
        check "docker: DOCKER_BUILDKIT=1 without buildx still builds (serves.docker passes)" \
                dk_verdict "$DK/bk1.xml" container.app.serves.docker pass
        DOCKER_BUILDKIT=1 build/san/isocheck --env >"$DK/env1.txt" 2>&1
        if docker buildx version >/dev/null 2>&1; then
                check "docker: --env names the builder (BuildKit, buildx present)" \
                        grep -q '^docker builder *BuildKit' "$DK/env1.txt"
        else
                check "docker: --env says DOCKER_BUILDKIT=1 was overridden for want of buildx" \
                        grep -q '^docker builder *legacy (no buildx plugin; DOCKER_BUILDKIT=1 overridden' "$DK/env1.txt"
        fi
        check "docker: the JUnit report carries the builder as a property" \
                grep -q 'name="docker.builder" value="' "$DK/bk1.xml"
        # And the user's own choice of DOCKER_BUILDKIT=0 (the legacy builder) still works
        # (a guard: it passed before too).
        DOCKER_BUILDKIT=0 dk_run bk0 --filter container.app.serves.docker
        check "docker: DOCKER_BUILDKIT=0 builds too (serves.docker passes)" \
                dk_verdict "$DK/bk0.xml" container.app.serves.docker pass
        dk_reclaim "$DK/bk1.xml" "$DK/bk0.xml"

        # --- 3, the kind: every variable that changes a tool's behaviour is pinned or
        # reported. Further input: DOCKER_CONTENT_TRUST=1 (docker run of our unsigned local
        # tag asked notary.docker.io and every docker case was an error): pinned off.
        DOCKER_CONTENT_TRUST=1 dk_run trust --filter container.app.serves.docker
        check "docker: DOCKER_CONTENT_TRUST=1 is pinned off for our local images" \
                dk_verdict "$DK/trust.xml" container.app.serves.docker pass
        dk_reclaim "$DK/trust.xml"
        # Further input: make check-container's own FROM-scratch image under the same two
        # variables (its build failed for want of buildx, its run asked a notary).
        check "docker: check-container builds and runs under DOCKER_BUILDKIT=1 DOCKER_CONTENT_TRUST=1" \
                env DOCKER_BUILDKIT=1 DOCKER_CONTENT_TRUST=1 timeout 300 \
                scripts/container-target.sh --filter pidns.init.pid1
        # Reported: Docker's variables, util-linux's locale, TMPDIR.
        DOCKER_CONTENT_TRUST=1 LC_ALL=C.UTF-8 TMPDIR=/var/tmp build/san/isocheck --env \
                >"$DK/env2.txt" 2>&1
        check "docker: --env reports DOCKER_*, the locale and TMPDIR as set" sh -c "
                grep '^tool variables' '$DK/env2.txt' | grep -q DOCKER_CONTENT_TRUST=1 &&
                grep '^tool variables' '$DK/env2.txt' | grep -q LC_ALL=C.UTF-8 &&
                grep '^tool variables' '$DK/env2.txt' | grep -q TMPDIR=/var/tmp &&
                grep -q '^docker builder.*pinned: DOCKER_CONTENT_TRUST=0' '$DK/env2.txt'"

        # Reporting them must not publish a credential: GitLab's DOCKER_AUTH_CONFIG holds
        # registry passwords, and DOCKER_HOST may carry user:password@ (which the docker
        # line of --env and the JUnit properties used to print as it was).
        DOCKER_HOST=tcp://me:hunter2@127.0.0.1:1 \
                DOCKER_AUTH_CONFIG='{"auths":{"r.example":{"auth":"c2VjcmV0LWF1dGg="}}}' \
                dk_run secret --filter container.app.serves.docker
        DOCKER_HOST=tcp://me:hunter2@127.0.0.1:1 \
                DOCKER_AUTH_CONFIG='{"auths":{"r.example":{"auth":"c2VjcmV0LWF1dGg="}}}' \
                build/san/isocheck --env >"$DK/secret.env" 2>&1
        check "docker: --env and the reports name DOCKER_HOST and DOCKER_AUTH_CONFIG, no secret" sh -c "
                ! grep -l -e hunter2 -e c2VjcmV0LWF1dGg '$DK/secret.env' '$DK/secret.xml' '$DK/secret.tap' '$DK/secret.out' &&
                grep -q 'DOCKER_HOST=tcp://me:\*\*\*@127.0.0.1:1' '$DK/secret.env' &&
                grep -q 'DOCKER_AUTH_CONFIG=(set, not shown)' '$DK/secret.xml'"

        # --- 3: a docker-compatible CLI with other words --------------------------------
        # Input (issue): exec's error reads "failed to exec bash: No such file or directory
        # (os error 2)": container.app.noshell.docker failed on the wording.
        dk_wrapper "$DK/cli1" '
if [ "$1" = exec ]; then
        "$REAL" "$@" >/dev/null 2>&1
        rc=$?
        [ $rc -eq 0 ] || echo "Error: failed to exec bash: No such file or directory (os error 2)" >&2
        exit $rc
fi
exec "$REAL" "$@"'
        PATH=$DK/cli1:$PATH dk_run cli1 --filter container.app.noshell.docker
        check "docker: noshell rests on status and files, not on exec's wording" \
                dk_verdict "$DK/cli1.xml" container.app.noshell.docker pass
        # Further input: a client that answers in German, with exit 127 as podman does.
        dk_wrapper "$DK/cli2" '
if [ "$1" = exec ]; then
        if "$REAL" "$@" >/dev/null 2>&1; then exit 0; fi
        echo "Fehler: ausführbare Datei „bash“ wurde nicht gefunden" >&2
        exit 127
fi
exec "$REAL" "$@"'
        PATH=$DK/cli2:$PATH dk_run cli2 --filter container.app.noshell.docker
        check "docker: noshell passes with exit 127 and a German message" \
                dk_verdict "$DK/cli2.xml" container.app.noshell.docker pass
        dk_reclaim "$DK/cli1.xml" "$DK/cli2.xml"

        # --- 5: a failed docker build -----------------------------------------------------
        # Input (issue): a failed build reported only the first 300 bytes of the client's
        # output, Docker's deprecation banner. The whole output is an artifact; the message
        # has its last lines.
        dk_wrapper "$DK/build1" '
if [ "$1" = build ]; then
        cat >/dev/null
        cat >&2 <<EOF
DEPRECATED: The legacy builder is deprecated and will be removed in a future release.
            Install the buildx component to build images with BuildKit:
            https://docs.docker.com/go/buildx/

EOF
        echo "Sending build context to Docker daemon  918.1kB"
        echo "Step 1/5 : FROM scratch"
        echo "failed to register layer: write /app: no space left on device (isocheck-test)"
        exit 1
fi
exec "$REAL" "$@"'
        dk_changed_fixtures "$DK/build1.fx" app
        ISOCHECK_FIXTURES=$DK/build1.fx PATH=$DK/build1:$PATH dk_run build1 --filter container.app.serves.docker
        check "docker: a failed build is an error whose message ends with docker's last words" \
                dk_verdict "$DK/build1.xml" container.app.serves.docker error \
                "no space left on device (isocheck-test)"
        check "docker: the whole build output is kept as an artifact and listed" sh -c "
                f='$DK/build1.art/container.app.serves.docker/docker-build-app.log'
                grep -q '^DEPRECATED: The legacy builder' \"\$f\" &&
                grep -q 'no space left on device (isocheck-test)' \"\$f\" &&
                grep -q 'docker-build-app.log' '$DK/build1.xml'"
        # Further input: 200 KB of output before the error (the old buffer held 4 KiB).
        dk_wrapper "$DK/build2" '
if [ "$1" = build ]; then
        cat >/dev/null
        for i in $(seq 1 4000); do echo "Step $i/4000 : RUN echo a line of fifty bytes or so, padded"; done
        echo "isocheck-test: the last line after 200 KB" >&2
        exit 1
fi
exec "$REAL" "$@"'
        dk_changed_fixtures "$DK/build2.fx" app
        ISOCHECK_FIXTURES=$DK/build2.fx PATH=$DK/build2:$PATH dk_run build2 --filter container.app.serves.docker
        check "docker: a long failed build keeps every line, the message the last one" sh -c "
                f='$DK/build2.art/container.app.serves.docker/docker-build-app.log'
                [ \"\$(grep -c '^Step ' \"\$f\" 2>/dev/null)\" = 4000 ] &&
                grep -q 'isocheck-test: the last line after 200 KB' \"\$f\" &&
                $PY harness/tests/junit_check.py '$DK/build2.xml' --case container.app.serves.docker \
                        --verdict error --text 'the last line after 200 KB'"
        dk_reclaim "$DK/build1.xml" "$DK/build2.xml"

        # --- 2: the app container restarted while its sidecar is attached --------------------
        # Input (issue): `docker restart -t 0` of the -app container during
        # sidecar.netns.shared.docker gave three kernel failures "sidecar net:[...], app
        # net:[0]". Expected: an error naming both namespaces. The racer is a docker wrapper:
        # right after the case asks for the sidecar's PID (its last docker call before it
        # reads the namespaces) it restarts that run's app container, once.
        dk_wrapper "$DK/restart" "FLAG='$DK/restart.done'"'
if [ "$1" = inspect ] && [ "$2" = -f ] && [ "$3" = "{{.State.Pid}}" ] && case $4 in *-sidecar*) true ;; *) false ;; esac && [ ! -e "$FLAG" ]; then
        "$REAL" "$@"
        rc=$?
        : >"$FLAG"
        for app in $("$REAL" ps -q --filter "name=^${4%-sidecar*}-app"); do
                "$REAL" restart -t 0 "$app" >/dev/null 2>&1
        done
        exit $rc
fi
exec "$REAL" "$@"'
        PATH=$DK/restart:$PATH dk_run restart1 --filter sidecar.netns.shared.docker
        check "docker: a restarted app is an error naming the old and the new net:[inode]" sh -c "
                [ -e '$DK/restart.done' ] || { echo 'the wrapper never restarted the app'; exit 1; }
                $PY harness/tests/junit_check.py '$DK/restart1.xml' --case sidecar.netns.shared.docker \
                        --verdict error --text 'changed under its sidecar' &&
                [ \$(grep -o 'net:\[[0-9]*\]' '$DK/restart1.tap' | sort -u | wc -l) -ge 2 ]"
        # Further input: the same restart during sidecar.capture.http.docker (the capture's
        # counts failed as if the kernel had lost the packets).
        rm -f "$DK/restart.done"
        PATH=$DK/restart:$PATH dk_run restart2 --filter sidecar.capture.http.docker
        check "docker: a restart during the capture is an error, not lost packets" sh -c "
                [ -e '$DK/restart.done' ] || { echo 'the wrapper never restarted the app'; exit 1; }
                $PY harness/tests/junit_check.py '$DK/restart2.xml' --case sidecar.capture.http.docker \
                        --verdict error --text 'changed under its sidecar'"
        check "docker: nothing of the restart runs is left" \
                dk_nothing_left "$DK/restart1.xml" "$DK/restart2.xml"
        dk_reclaim "$DK/restart1.xml" "$DK/restart2.xml"

        # --- 6: SIGINT while the images build ---------------------------------------------
        # Input (issue): SIGINT one second into --filter sidecar.capture.http.docker, while
        # its image builds, left unlabelled intermediate images and --cleanup said "nothing
        # to clean up". To interrupt inside the build whatever the machine's speed, a
        # wrapper passes the build on (without -q, so its steps show) and drops a flag at
        # step 3 of the app image; the SIGINT follows the flag. Further input: the same at
        # step 3 of the sidecar image (the case's second build).
        for which in app sidecar; do
                flag=$DK/int-$which.flag
                dk_wrapper "$DK/int-$which" "FLAG='$flag' WHICH=$which"'
if [ "$1" = build ]; then
        args=()
        for a in "$@"; do [ "$a" = -q ] || args+=("$a"); done
        "$REAL" "${args[@]}" 2>&1 | while IFS= read -r l; do
                printf "%s\n" "$l"
                case "$l:$*" in "Step 3/"*"$WHICH-image"*) : >"$FLAG" ;; esac
        done
        exit "${PIPESTATUS[0]}"
fi
exec "$REAL" "$@"'
                docker images -aq --no-trunc | sort >"$DK/int-$which.before"
                # Images are cached by the content of their context (runtime_docker.h): a
                # fixture changed for this test alone makes sure this one is built.
                dk_changed_fixtures "$DK/int-$which.fx" $which
                ISOCHECK_FIXTURES=$DK/int-$which.fx \
                PATH=$DK/int-$which:$PATH build/san/isocheck --filter sidecar.capture.http.docker \
                        --tap "$DK/int-$which.tap" --junit "$DK/int-$which.xml" \
                        --artifacts "$DK/int-$which.art" >"$DK/int-$which.out" 2>&1 &
                pid=$!
                for _ in $(seq 1 600); do # bounded: 60 s
                        [ -e "$flag" ] && break
                        kill -0 $pid 2>/dev/null || break
                        sleep 0.1
                done
                kill -INT $pid 2>/dev/null
                wait $pid
                if [ ! -e "$flag" ]; then
                        not_ok "docker: SIGINT during the $which image's build" \
                                "the build never reached step 3: $(tail -n 3 "$DK/int-$which.out")"
                        dk_reclaim "$DK/int-$which.xml"
                        continue
                fi
                build/san/isocheck --cleanup >"$DK/int-$which.cleanup" 2>&1
                docker images -aq --no-trunc | sort >"$DK/int-$which.after"
                id=$(run_id "$DK/int-$which.xml")
                # New images: ours must all be gone; an unlabelled one is ours unless another
                # run built images meanwhile (then whose it is cannot be told: skip).
                others=0 unlabelled="" keys=""
                for img in $(comm -13 "$DK/int-$which.before" "$DK/int-$which.after"); do
                        l=$(docker image inspect -f '{{index .Config.Labels "isocheck.run"}}' "$img" 2>/dev/null) || continue
                        # A cache build's images carry isocheck.image and isocheck.key, no
                        # run: --cleanup takes them when no live run uses docker.
                        k=$(docker image inspect -f '{{index .Config.Labels "isocheck.key"}}' "$img" 2>/dev/null)
                        [ -z "$k" ] || { keys="$keys $k"; continue; }
                        case $l in
                        "") unlabelled="$unlabelled $img" ;;
                        "$id") ;;
                        *) others=1 ;;
                        esac
                done
                check "docker: SIGINT during the $which image's build: nothing of the run is left" \
                        dk_nothing_left "$DK/int-$which.xml"
                if [ -n "$unlabelled" ] && [ $others -eq 1 ]; then
                        skipped "docker: SIGINT during the $which image's build: no unlabelled image" \
                                "another run built images meanwhile; unlabelled ones cannot be attributed"
                else
                        check "docker: SIGINT during the $which image's build: no unlabelled image" \
                                sh -c "[ -z '$unlabelled' ] || { echo 'unlabelled:$unlabelled'; exit 1; }"
                fi
                dk_reclaim "$DK/int-$which.xml"
                # The interrupted build's images (its key has no tagged image; this test's
                # changed fixture made the key): gone with this test.
                for k in $(printf '%s\n' $keys | sort -u); do
                        docker images --filter "label=isocheck.key=$k" --format '{{.Repository}}' |
                                grep -qv '<none>' && continue
                        docker image prune -a -f --filter "label=isocheck.key=$k" >/dev/null 2>&1
                        i=$(docker images -aq --filter "label=isocheck.key=$k")
                        [ -z "$i" ] || docker rmi -f $i >/dev/null 2>&1
                done
        done

        # Further input: a run SIGKILLed inside a build leaves nameless intermediate images
        # carrying only labels; --cleanup found dead runs' images by name and missed them.
        # A run id of the runner's shape whose PID is not alive stands for the dead run, with
        # the record a killed run leaves: its directory and an owner file nobody locks any
        # more (a run without a visible record is left alone: it may be alive elsewhere).
        dead_pid=4194000
        while [ -e /proc/$dead_pid ] && [ $dead_pid -lt 4194300 ]; do dead_pid=$((dead_pid + 1)); done
        dead=$dead_pid-$(printf '%04x%04x%04x%04x' $RANDOM $RANDOM $RANDOM $RANDOM)
        printf 'FROM scratch\nLABEL isocheck.run="%s" isocheck.case="field.docker"\nCOPY app /app\n' \
                "$dead" | docker build -q -f - build/fixtures/app-image >"$DK/dead.build" 2>&1
        if [ -z "$(docker images -aq --filter "label=isocheck.run=$dead")" ]; then
                not_ok "docker: --cleanup removes a dead run's nameless images" \
                        "could not make one: $(tail -n 3 "$DK/dead.build")"
        else
                # The record last: with it, any --cleanup on the machine may take the images,
                # and during the build they would vanish under it.
                mkdir -p /run/isocheck && mkdir -m 0700 "/run/isocheck/$dead" && : >"/run/isocheck/$dead/owner"
                build/san/isocheck --cleanup >"$DK/dead.cleanup" 2>&1
                check "docker: --cleanup removes a dead run's nameless images" sh -c "
                        [ -z \"\$(docker images -aq --filter label=isocheck.run=$dead)\" ] ||
                        { cat '$DK/dead.cleanup'; exit 1; }"
                docker image prune -a -f --filter "label=isocheck.run=$dead" >/dev/null 2>&1
        fi
        rm -rf "/run/isocheck/$dead"

        # --- 8: every docker case shows it can fail ---------------------------------------
        # The misbehaviour each exists to catch, injected by the test build's hooks; the
        # case must FAIL (not error, not skip) with a message naming it.
        while read -r hook dcase text; do
                ISOCHECK_FAULT=$hook dk_run "f-$hook" --filter "$dcase"
                check "docker: $dcase fails under $hook" \
                        dk_verdict "$DK/f-$hook.xml" "$dcase" fail "$text"
                dk_reclaim "$DK/f-$hook.xml"
        done <<'EOF'
docker.app.not_serving container.app.serves.docker answered 200 every time
docker.image.has_shell container.app.noshell.docker the app's root has no /bin/bash: expected absent, got present
docker.sidecar.own_netns sidecar.netns.shared.docker the sidecar's network namespace is the app's
docker.sidecar.misses_syn sidecar.capture.http.docker the capture holds one SYN to port 8000 per request
docker.sidecar.joined sidecar.capture.isolated.docker the capture in the other namespace sees no packet
EOF
fi
