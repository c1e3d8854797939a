#!/usr/bin/env bash
# `make test-fleet`: dist/'s fleet integrations run for real on this machine (issue 16).
#   harness/tests/fleet.sh [ansible] [gitlab] [jenkins]     (default: all three)
# ansible  the playbook against three hosts: two docker containers from a Debian root made
#          here with mmdebstrap (cached in build/fleet/), one that does not exist; a second
#          run must change nothing on the hosts but the reports.
# gitlab   dist/gitlab's template under gitlab-ci-local (npm, into build/fleet/node).
# jenkins  dist/jenkins/Jenkinsfile parsed by Groovy (no Jenkins server here).
# Every docker object is labelled isocheck.run=<run id> of the run record this script holds
# (isocheck --hold-run), so other runs' recovery leaves them alone and --cleanup sweeps
# them if this script is killed; the script removes them itself on exit.
# Ends with "N passed, N failed, N skipped".
set -u
cd "$(dirname "$0")/../.." || exit 99
top=$PWD
if [ -z "${ISOCHECK_HELD_RUN_ID:-}" ]; then
        exec "$top/build/isocheck" --hold-run "$top/harness/tests/fleet.sh" "$@"
fi
run=$ISOCHECK_HELD_RUN_ID
. harness/tests/lib.sh
parts=${*:-ansible gitlab jenkins}
want() { case " $parts " in *" $1 "*) return 0 ;; esac; return 1; }

# Containers and the image of this run, whatever happens (lib.sh's restore, then ours).
fleet_restore() {
        local ids
        ids=$(docker ps -aq --filter "label=isocheck.run=$run" 2>/dev/null)
        [ -n "$ids" ] && docker rm -f $ids >/dev/null 2>&1
        docker rmi -f "isocheck-$run-fleet-root" >/dev/null 2>&1
        restore
}
trap fleet_restore EXIT INT TERM

# ---------------------------------------------------------------- Ansible
# The hosts' root: Debian minbase with python3 (Ansible's modules), python3-apt (its apt
# module) and isocheck's shared libraries, from this machine's own apt sources. Cached by
# its recipe: a second run reuses the tarball.
root_packages="python3,python3-apt,libpcap0.8,libxml2,libjson-c5,libmnl0,libarchive13,procps"
sources=/etc/apt/sources.list.d/debian.sources
[ -f "$sources" ] || sources=/etc/apt/sources.list
fleet_root() {
        local key tar
        key=$(printf '%s\n' "minbase bookworm $root_packages" | cat - "$sources" | sha256sum | cut -c1-16)
        tar=build/fleet/root-$key.tar
        # A directory of that name is an older run's mistake (mmdebstrap picks the format by
        # the target's name unless told, and "*.tar.part" is not a tarball's).
        [ -d "$tar" ] && rm -rf "$tar"
        if [ ! -s "$tar" ]; then
                mkdir -p build/fleet
                rm -rf "$tar.part"
                timeout 900 mmdebstrap --quiet --variant=minbase --format=tar --include="$root_packages" \
                        bookworm "$tar.part" "$sources" >&2 || { rm -rf "$tar.part"; return 1; }
                mv "$tar.part" "$tar"
        fi
        echo "$tar"
}

# The capabilities the host can grant (docker run --privileged is refused when the
# host's bounding set lacks one): every one but those, no seccomp/AppArmor profile.
privileged_flags() {
        local bnd drop="" pair bit
        bnd=$(awk '/^CapBnd:/ {print $2}' /proc/self/status)
        for pair in 24:SYS_RESOURCE 21:SYS_ADMIN 12:NET_ADMIN 25:SYS_TIME 38:PERFMON 39:BPF 40:CHECKPOINT_RESTORE; do
                bit=${pair%%:*}
                [ $(((0x$bnd >> bit) & 1)) -eq 0 ] && drop="$drop --cap-drop ${pair#*:}"
        done
        [ -z "$drop" ] && { echo --privileged; return; }
        echo "--cap-add ALL $drop --security-opt seccomp=unconfined --security-opt apparmor=unconfined --security-opt systempaths=unconfined"
}

# start_host NAME: a long-lived container named after this run, cgroupfs made writable
# (docker mounts it read-only without --privileged; the private cgroup namespace keeps
# writes to the container's own subtree).
start_host() {
        # shellcheck disable=SC2046 # the flags are words on purpose
        docker run -d --name "isocheck-$run-$1" --hostname "$1" --label "isocheck.run=$run" \
                $(privileged_flags) --cgroupns=private "isocheck-$run-fleet-root" sleep infinity >/dev/null || return 1
        docker exec "isocheck-$run-$1" sh -c 'for m in /sys/fs/cgroup /sys/fs/cgroup/*; do
                [ -d "$m" ] || continue
                mount -o remount,rw,bind "$m" 2>/dev/null || mount -o remount,rw "$m" || exit 1
        done'
}

ansible_part() {
        local tar t0 t1 t2 rc1 rc2 fleet=$work/fleet
        command -v ansible-playbook >/dev/null || { skipped "fleet ansible" "ansible-playbook not installed (scripts/deps.sh fleet)"; return; }
        timeout 10 docker info >/dev/null 2>&1 || { skipped "fleet ansible" "no Docker daemon answers (docker info)"; return; }
        t0=$(date +%s)
        if ! tar=$(fleet_root); then not_ok "fleet root: mmdebstrap made no root"; return; fi
        t1=$(date +%s)
        echo "# fleet: root $tar ready in $((t1 - t0)) s"
        docker import --change "LABEL isocheck.run=$run" "$tar" "isocheck-$run-fleet-root" >/dev/null ||
                { not_ok "fleet root: docker import of $tar"; return; }
        start_host fleet-pass && start_host fleet-fail ||
                { not_ok "fleet hosts: containers did not start"; return; }
        # The failing host's isocheck is the self-test build: its selftest.verdict.fail case
        # fails on purpose, a real failing verdict from a real run.
        docker cp build/fleet/isocheck-selftest "isocheck-$run-fleet-fail:/usr/local/bin/isocheck-selftest" >/dev/null ||
                { not_ok "fleet hosts: docker cp of the self-test build"; return; }
        cat >"$work/inventory.yml" <<INV
isocheck_hosts:
  vars:
    ansible_connection: community.docker.docker
    ansible_python_interpreter: /usr/bin/python3
    isocheck_filters: ["pidns.*"]
  hosts:
    fleet-pass:
      ansible_host: isocheck-$run-fleet-pass
    fleet-fail:
      ansible_host: isocheck-$run-fleet-fail
      isocheck_binary: /usr/local/bin/isocheck-selftest
      isocheck_filters: ["selftest.verdict.pass", "selftest.verdict.fail"]
    fleet-gone:
      ansible_host: isocheck-$run-fleet-gone
INV
        export ANSIBLE_HOME=$work/ansible-home ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0
        local play=(ansible-playbook -i "$work/inventory.yml" dist/ansible/site.yml
                -e isocheck_hosts=isocheck_hosts -e "isocheck_fleet_dir=$fleet"
                -e "isocheck_stage_dir=$work/stage")
        t1=$(date +%s)
        ANSIBLE_CALLBACKS_ENABLED=ansible.posix.profile_tasks "${play[@]}" >"$work/play1.log" 2>&1
        rc1=$?
        t2=$(date +%s)
        echo "# fleet: first playbook run $((t2 - t1)) s, exit $rc1"
        ANSIBLE_STDOUT_CALLBACK=json "${play[@]}" >"$work/play2.log" 2>&1
        rc2=$?
        echo "# fleet: second playbook run $(($(date +%s) - t2)) s, exit $rc2"
        # The playbook fails (exit 2: a failed task) when a host failed or was unreachable,
        # after writing the matrix.
        check "fleet playbook: exit 2 (a host failed, one unreachable), matrix written" \
                sh -c "[ $rc1 -eq 2 ] && [ -s '$fleet/matrix.md' ] && [ -s '$fleet/matrix.json' ] || { tail -40 '$work/play1.log'; exit 1; }"
        local h
        for h in fleet-pass fleet-fail fleet-gone; do
                # junit10_ok (lib.sh): Jenkins' schema after the view that drops the CI
                # attributes it does not list.
                check "fleet $h: JUnit on the controller, valid against junit-10.xsd" \
                        junit10_ok "$fleet/$h/isocheck.junit.xml"
        done
        for h in fleet-pass fleet-fail; do
                check "fleet $h: TAP, artifacts and exit status fetched" \
                        sh -c "[ -s '$fleet/$h/isocheck.tap' ] && [ -d '$fleet/$h/artifacts' ] && grep -qx 'rc=[0-9]*' '$fleet/$h/isocheck.log'"
        done
        check "fleet matrix: three columns; pass, fail, unreachable each in its own column" \
                $PY - "$fleet/matrix.json" <<'PYEOF'
import json, sys
m = json.load(open(sys.argv[1]))
cols = [c["properties"].get("hostname") for c in m["configurations"]]
assert sorted(cols) == ["fleet-fail", "fleet-gone", "fleet-pass"], cols
col = {h: i for i, h in enumerate(cols)}
def cells(h):
    return {c["name"]: c["cells"][col[h]] for c in m["cases"] if c["cells"][col[h]]["verdict"] != "absent"}
p, f, g = cells("fleet-pass"), cells("fleet-fail"), cells("fleet-gone")
assert p and all(c["verdict"] in ("pass", "skip") for c in p.values()), p
assert any(n.startswith("pidns.") and c["verdict"] == "pass" for n, c in p.items()), p
assert f["selftest.verdict.fail"]["verdict"] == "fail", f
assert f["selftest.verdict.pass"]["verdict"] == "pass", f
assert list(g) == ["fleet.host.reached"] and g["fleet.host.reached"]["verdict"] == "error", g
assert "unreachable" in g["fleet.host.reached"]["message"], g
print("columns", cols)
PYEOF
        check "fleet exit statuses: pass host 0, failing host 1" \
                sh -c "grep -qx rc=0 '$fleet/fleet-pass/isocheck.log' && grep -qx rc=1 '$fleet/fleet-fail/isocheck.log'"
        # Idempotence: the second run's install tasks changed nothing on any host.
        check "fleet second run: the install tasks report changed=0, exit 2 again" \
                sh -c "[ $rc2 -eq 2 ] && ansible_json() { # the json callback's output, after any warning
                        sed -n '/^{/,\$p' \"\$1\"; }; ansible_json '$work/play2.log' | $PY -c '
import json, sys
d = json.load(sys.stdin)
install = {\"Install the packages isocheck needs\", \"Make the isocheck cache directory on the host\", \"Copy the build to the host\", \"Unpack the build on the host\",
           \"Copy the package to the host\", \"Install the package\"}
seen = 0
for play in d[\"plays\"]:
    for t in play[\"tasks\"]:
        if t[\"task\"][\"name\"].split(\" : \")[-1] in install:
            for h, r in t[\"hosts\"].items():
                seen += 1
                assert not r.get(\"changed\"), (t[\"task\"][\"name\"], h, r.get(\"msg\"))
assert seen >= 8, seen
print(\"install results\", seen, \"none changed\")
'"
        [ -n "${FLEET_KEEP:-}" ] && mkdir -p "$FLEET_KEEP" && cp -r "$fleet" "$work"/play?.log "$FLEET_KEEP"
        # Leave nothing: containers, image, and the hosts' cgroups (their run ids).
        local ids
        ids=$(docker ps -aq --filter "label=isocheck.run=$run")
        [ -n "$ids" ] && docker rm -f $ids >/dev/null
        docker rmi -f "isocheck-$run-fleet-root" >/dev/null 2>&1
        check "fleet leaves no container, image or cgroup of its run" \
                sh -c "[ -z \"\$(docker ps -aq --filter label=isocheck.run=$run)\" ] &&
                       [ -z \"\$(docker images -q --filter label=isocheck.run=$run)\" ]"
        no_cgroups_of "$fleet/fleet-pass/isocheck.junit.xml" "$fleet/fleet-fail/isocheck.junit.xml" >/dev/null &&
                ok "fleet: no cgroup named after the hosts' runs" || not_ok "fleet: cgroups of the hosts' runs left"
}

# ---------------------------------------------------------------- GitLab CI
# gitlab-ci-local 4.60.1 (newer ones crash on Node 20), installed once into build/fleet/node.
gcl=$top/build/fleet/node/node_modules/.bin/gitlab-ci-local
gitlab_ci_local() {
        [ -x "$gcl" ] && return 0
        command -v npm >/dev/null || { echo "npm not installed"; return 1; }
        case "$(node --version 2>/dev/null)" in
        v20.*) ;;
        *) echo "gitlab-ci-local 4.60.1 needs Node 20, found $(node --version 2>&1)"; return 1 ;;
        esac
        mkdir -p build/fleet/node && [ -f build/fleet/node/package.json ] ||
                echo '{"private": true}' >build/fleet/node/package.json
        (cd build/fleet/node && timeout 600 npm install --no-audit --no-fund gitlab-ci-local@4.60.1 >&2) &&
                [ -x "$gcl" ] || { echo "npm install gitlab-ci-local@4.60.1 failed"; return 1; }
}

# junit_cases FILE CASE=VERDICT...: FILE holds each CASE (classname.name) with that verdict.
junit_cases() {
        $PY - "$@" <<'PYEOF'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
got = {}
for tc in root.iter("testcase"):
    v = "pass"
    for tag in ("failure", "error", "skipped"):
        if tc.find(tag) is not None:
            v = {"failure": "fail", "error": "error", "skipped": "skip"}[tag]
    got[tc.get("classname") + "." + tc.get("name")] = v
for want in sys.argv[2:]:
    name, verdict = want.split("=")
    assert got.get(name) == verdict, (name, verdict, got)
PYEOF
}

gitlab_part() {
        local why gl=$work/gl rc t0 art
        command -v rsync >/dev/null || { skipped "fleet gitlab" "rsync not installed (gitlab-ci-local copies the project with it; scripts/deps.sh fleet)"; return; }
        why=$(gitlab_ci_local) || { skipped "fleet gitlab" "$why"; return; }
        mkdir -p "$gl" "$work/gl-home"
        cp dist/gitlab/isocheck.gitlab-ci.yml "$gl/"
        cat >"$gl/.gitlab-ci.yml" <<GLEOF
include:
  - local: isocheck.gitlab-ci.yml
variables:
  ISOCHECK_DIR: "$top"
  ISOCHECK_VM_ARGS: "--accel tcg"
GLEOF
        (cd "$gl" && git init -q && git add -A &&
                git -c user.name=fleet -c user.email=fleet@localhost commit -qm fleet) ||
                { not_ok "fleet gitlab: a git project for gitlab-ci-local"; return; }
        # gitlab-ci-local validates against GitLab's CI JSON schema (it ships one) before
        # running: a job with an invalid `when:` must be refused, the template accepted.
        sed 's/^  when: always$/  when: sometimes/' "$gl/isocheck.gitlab-ci.yml" >"$work/bad.yml"
        mkdir -p "$work/glbad" && cp "$work/bad.yml" "$work/glbad/isocheck.gitlab-ci.yml" &&
                cp "$gl/.gitlab-ci.yml" "$work/glbad/" &&
                (cd "$work/glbad" && git init -q && git add -A &&
                        git -c user.name=fleet -c user.email=fleet@localhost commit -qm bad)
        check "fleet gitlab: GitLab's CI schema refuses an invalid when: (the validation is live)" \
                sh -c "! grep -q 'when: sometimes' '$work/bad.yml' && exit 1;
                       cd '$work/glbad' && ! HOME='$work/gl-home' timeout 120 '$gcl' --list >'$work/glbad.log' 2>&1 &&
                       grep -qi 'schema' '$work/glbad.log'"
        check "fleet gitlab: the template validates against GitLab's CI schema and lists its jobs" \
                sh -c "cd '$gl' && HOME='$work/gl-home' timeout 120 '$gcl' --list >'$work/gllist.log' 2>&1 &&
                       grep -q 'json schema validated' '$work/gllist.log' &&
                       grep -q '^isocheck-host ' '$work/gllist.log' &&
                       grep -q '^isocheck-check-vm: \[default,v2\]' '$work/gllist.log' &&
                       grep -q '^isocheck-matrix ' '$work/gllist.log' || { cat '$work/gllist.log'; exit 1; }"
        # The host job, passing: exit 0, the JUnit artifact valid and holding the cases.
        t0=$(date +%s)
        (cd "$gl" && HOME=$work/gl-home timeout 300 "$gcl" --shell-executor-no-image \
                --variable "ISOCHECK_ARGS=--filter pidns.init.*" isocheck-host >"$work/gl-host.log" 2>&1)
        rc=$?
        echo "# fleet: gitlab-ci-local isocheck-host $(($(date +%s) - t0)) s, exit $rc"
        art=$gl/.gitlab-ci-local/artifacts/isocheck-host/reports/ci/host
        check "fleet gitlab host job: exit 0, JUnit artifact valid with pidns.init.pid1 passing" \
                sh -c "[ $rc -eq 0 ] && $PY harness/tests/junit10_view.py '$art/isocheck.junit.xml' | xmllint --noout --schema '$JUNIT_XSD' - &&
                       grep -q '| pidns.init.pid1 | pass |' '$work/gl-host.log' || { tail -20 '$work/gl-host.log'; exit 1; }"
        junit_cases "$art/isocheck.junit.xml" pidns.init.pid1=pass >"$work/jc.log" 2>&1 &&
                ok "fleet gitlab host job: the JUnit holds pidns.init.pid1, passed" ||
                not_ok "fleet gitlab host job: JUnit cases" "$(tail -3 "$work/jc.log")"
        # A failing case fails the pipeline; the matrix job still runs and says which.
        rm -rf "$gl/reports" "$gl/.gitlab-ci-local/artifacts"
        (cd "$gl" && HOME=$work/gl-home timeout 300 "$gcl" --shell-executor-no-image \
                --variable "ISOCHECK_BINARY=$top/build/fleet/isocheck-selftest" \
                --variable "ISOCHECK_ARGS=--filter selftest.verdict.pass --filter selftest.verdict.fail" \
                isocheck-host isocheck-matrix >"$work/gl-fail.log" 2>&1)
        rc=$?
        art=$gl/.gitlab-ci-local/artifacts
        check "fleet gitlab failing run: pipeline exit non-zero, matrix job ran and shows the failure" \
                sh -c "[ $rc -ne 0 ] && [ -s '$art/isocheck-matrix/reports/ci/matrix.json' ] &&
                       grep -q '| selftest.verdict.fail | \*\*fail\*\* |' '$work/gl-fail.log' || { tail -20 '$work/gl-fail.log'; exit 1; }"
        junit_cases "$art/isocheck-host/reports/ci/host/isocheck.junit.xml" \
                selftest.verdict.fail=fail selftest.verdict.pass=pass >"$work/jc.log" 2>&1 &&
                ok "fleet gitlab failing run: the JUnit artifact holds the failing and the passing case" ||
                not_ok "fleet gitlab failing run: JUnit cases" "$(tail -3 "$work/jc.log")"
        # One check-vm job: Debian's kernel under qemu (TCG), cgroup v2.
        rm -rf "$gl/reports" "$gl/.gitlab-ci-local/artifacts"
        t0=$(date +%s)
        (cd "$gl" && HOME=$work/gl-home timeout 400 "$gcl" --shell-executor-no-image \
                --variable "ISOCHECK_ARGS=--filter pidns.init.*" "isocheck-check-vm: [default,v2]" >"$work/gl-vm.log" 2>&1)
        rc=$?
        echo "# fleet: gitlab-ci-local isocheck-check-vm v2 $(($(date +%s) - t0)) s, exit $rc"
        local vmj
        vmj=$(find "$gl/.gitlab-ci-local/artifacts" -path '*/vm-*/vm-*/isocheck.junit.xml' | head -n 1)
        check "fleet gitlab check-vm v2 job: exit 0, JUnit artifact valid, cgroup v2, pidns.init.pid1 passing" \
                sh -c "[ $rc -eq 0 ] && [ -n '$vmj' ] && $PY harness/tests/junit10_view.py '$vmj' | xmllint --noout --schema '$JUNIT_XSD' - &&
                       grep -q 'name=\"cgroup.mode\" value=\"unified\"' '$vmj' || { tail -20 '$work/gl-vm.log'; exit 1; }"
        [ -n "$vmj" ] && junit_cases "$vmj" pidns.init.pid1=pass >"$work/jc.log" 2>&1 &&
                ok "fleet gitlab check-vm v2 job: the JUnit holds pidns.init.pid1, passed" ||
                not_ok "fleet gitlab check-vm v2 job: JUnit cases" "$(tail -3 "$work/jc.log")"
        no_qemu_under "$work" && ok "fleet gitlab: no qemu left running" || not_ok "fleet gitlab: a qemu of this test still runs"
}

# ---------------------------------------------------------------- Jenkins
# No Jenkins server here: Groovy (Debian's 2.4) parses the Jenkinsfile; a copy cut short
# must not parse, so the check can fail.
jenkins_part() {
        command -v groovy >/dev/null || { skipped "fleet jenkins" "groovy not installed (scripts/deps.sh fleet)"; return; }
        local parse='new GroovyShell().parse(new File(args[0])); println "parsed"'
        if ! timeout 120 groovy -e 'println "ok"' >"$work/groovy.log" 2>&1; then
                skipped "fleet jenkins" "groovy does not start: $(tail -n 1 "$work/groovy.log")"
                return
        fi
        check "fleet jenkins: the Jenkinsfile parses as Groovy" \
                timeout 120 groovy -e "$parse" dist/jenkins/Jenkinsfile
        head -c -3 dist/jenkins/Jenkinsfile >"$work/broken.Jenkinsfile"
        check "fleet jenkins: a Jenkinsfile cut short does not parse" \
                sh -c "! timeout 120 groovy -e '$parse' '$work/broken.Jenkinsfile'"
        check "fleet jenkins: junit with keepLongStdio, the HTML matrix archived, the check-vm matrix" \
                sh -c "grep -q 'keepLongStdio: true' dist/jenkins/Jenkinsfile &&
                       grep -q 'matrix.html' dist/jenkins/Jenkinsfile && grep -q 'matrix {' dist/jenkins/Jenkinsfile"
}

want ansible && ansible_part
want gitlab && gitlab_part
want jenkins && jenkins_part
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
