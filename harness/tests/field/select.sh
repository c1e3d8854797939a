# Selection and repetition options (issue 14, "Runner features"): --last-failed, --skip-file,
# --timeout NAME=S, -k, --list/--env --format json, --repeat, --until-fail, --shuffle/--seed.
# Sourced by run.sh and field.sh. Self-test cases (harness/tests/selfcases.c) misbehave on
# purpose; the real native cases show an order that does not matter.
SEL=$work/select
mkdir -p "$SEL"
SELF=build/san/isocheck-selftest
# sel_run NAME ARGS...: a self-test run writing $SEL/NAME.{tap,xml,err}, its status in $SEL/NAME.rc
sel_run() {
        local name=$1
        shift
        "$SELF" "$@" --tap "$SEL/$name.tap" --junit "$SEL/$name.xml" --artifacts "$SEL/$name-art" \
                >"$SEL/$name.out" 2>"$SEL/$name.err"
        echo $? >"$SEL/$name.rc"
}
# junit_names FILE: "classname.name verdict" per testcase, read back by junitparser.
junit_names() {
        $PY - "$1" <<'EOF'
import sys
from junitparser import Error, Failure, JUnitXml, Skipped
kinds = {Failure: "fail", Error: "error", Skipped: "skip"}
for suite in JUnitXml.fromfile(sys.argv[1]):
    for c in suite:
        v = [kinds[type(r)] for r in c.result if type(r) in kinds]
        name = c.name if c.classname == c.name else c.classname + "." + c.name
        print(name, v[0] if v else "pass")
EOF
}
# tap_points FILE: the top-level test points' descriptions, as tap-parser reads them.
tap_points() {
        tap-parser -j 0 <"$1" | $PY -c '
import json, sys
for ev in json.load(sys.stdin):
    if ev[0] == "assert":
        print(ev[1]["name"], "ok" if ev[1]["ok"] else "not ok")'
}

# --- --last-failed: exactly what failed, from TAP, JUnit and a merged multi-configuration JUnit
# Input: a run of a passing and a failing self-test case; the rerun must run the failing one
# alone, whichever of the run's reports it is given.
sel_run lf0 --filter selftest.verdict.pass --filter selftest.verdict.fail --filter selftest.verdict.skip
# rc_is NAME N: sel_run NAME exited N
rc_is() { grep -qx "$2" "$SEL/$1.rc"; }
check "select: the report to rerun from has one failure" sh -c "
        grep -qx 1 '$SEL/lf0.rc' && [ \$(grep -c '^not ok' '$SEL/lf0.tap') -eq 1 ]"
# lf_reran SRC: the rerun from lf0.SRC ran selftest.verdict.fail alone (and it failed again)
lf_reran() {
        rc_is "lf-$1" 1 && [ "$(junit_names "$SEL/lf-$1.xml")" = "selftest.verdict.fail fail" ] &&
                [ "$(tap_points "$SEL/lf-$1.tap")" = "selftest.verdict.fail not ok" ]
}
for src in xml tap; do
        sel_run "lf-$src" --last-failed "$SEL/lf0.$src"
        check "select: --last-failed (${src}) reruns exactly the failed self-test case" lf_reran "$src"
done
# Further input of the kind: check-vm's merged file (two configurations, classnames prefixed
# with the configuration) holding repetitions (NAME#2): each maps back to its case, once.
$PY - "$SEL/lf0.xml" "$SEL/merged.xml" <<'EOF'
import re, sys
doc = open(sys.argv[1]).read()
suite = re.search(r"<testsuite .*?</testsuite>", doc, re.S).group(0)
out = []
for cfg in ("vm-6.1-v1", "vm-6.1-v2"):
    s = suite.replace('classname="', 'classname="%s.' % cfg)
    s = re.sub(r'name="(fail|pass|skip)"', r'name="\1#2"', s)
    out.append(s)
open(sys.argv[2], "w").write('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n'
                             + "\n".join(out) + "\n</testsuites>\n")
EOF
check "select: --last-failed maps a merged JUnit's prefixed, repeated names to the case" sh -c "
        '$SELF' --last-failed '$SEL/merged.xml' --list >'$SEL/merged.list' &&
        [ \"\$(awk '{print \$1}' '$SEL/merged.list')\" = selftest.verdict.fail ]"
# A report where nothing failed: nothing to run, exit 77, and no report written over.
sel_run lfpass --filter selftest.verdict.pass
sel_run lfnone --last-failed "$SEL/lfpass.xml"
check "select: --last-failed of a report without failures runs nothing (77, said why)" sh -c "
        grep -qx 77 '$SEL/lfnone.rc' && grep -q 'no case failed or errored' '$SEL/lfnone.err' &&
        [ ! -e '$SEL/lfnone.tap' ] && [ ! -e '$SEL/lfnone.xml' ]"
printf 'TAP version 14\n1..1\nthis is no TAP line\n' >"$SEL/bad.tap"
printf '<testsuites>\n<testsuite name="x">\n<testcase name="a">\n</testsuite>\n' >"$SEL/bad.xml"
for f in bad.tap bad.xml; do
        sel_run "lfbad-$f" --last-failed "$SEL/$f"
        check "select: --last-failed of a malformed $f is a usage error naming file:line" sh -c "
                grep -qx 2 '$SEL/lfbad-$f.rc' && grep -q '$SEL/$f:[34]: expected' '$SEL/lfbad-$f.err'"
done

# --- --skip-file: a glob and a reason, reported as skips with that reason ---------------------
printf '# known to fail here\n\nselftest.verdict.f*   the answer is 41 on this # host\nselftest.none.* not a case\n' \
        >"$SEL/skips"
sel_run skip --skip-file "$SEL/skips" --filter selftest.verdict.fail --filter selftest.verdict.pass
check "select: --skip-file skips the glob's cases with the reason (TAP # SKIP, JUnit <skipped>)" sh -c "
        grep -qx 0 '$SEL/skip.rc' &&
        grep -qx 'ok 1 - selftest.verdict.fail # SKIP the answer is 41 on this \\\\# host' '$SEL/skip.tap' &&
        $PY harness/tests/junit_check.py '$SEL/skip.xml' --case selftest.verdict.fail --verdict skip \
                --text 'the answer is 41 on this # host' &&
        $PY harness/tests/junit_check.py '$SEL/skip.xml' --case selftest.verdict.pass --verdict pass"
# TAP by tap-parser, JUnit by both schemas (xml_ok: Jenkins' after the view that drops the
# attributes it does not list, lib.sh).
sel_reports_ok() { tap-parser --strict -j 0 <"$1" >/dev/null && xml_ok "$2"; }
check "select: --skip-file reports read by tap-parser and both schemas" \
        sel_reports_ok "$SEL/skip.tap" "$SEL/skip.xml"
check "select: a skip-file line that matches no case is named (file:line)" \
        grep -q "skips:4: selftest.none.\* matches no case" "$SEL/skip.err"
printf 'selftest.verdict.fail\n' >"$SEL/skips-bad"
sel_run skipbad --skip-file "$SEL/skips-bad"
check "select: a skip-file line without a reason is a usage error naming file:line" sh -c "
        grep -qx 2 '$SEL/skipbad.rc' && grep -q 'skips-bad:1: expected GLOB and a reason' '$SEL/skipbad.err'"

# --- --timeout NAME=SECONDS ------------------------------------------------------------------
# selftest.verdict.timeout hangs past its declared 1 s: the override is the limit it meets.
sel_run to --filter selftest.verdict.timeout --timeout 'selftest.verdict.time*=2'
check "select: --timeout NAME=2 makes the hanging self-test case time out after 2 s, not 1" sh -c "
        $PY harness/tests/junit_check.py '$SEL/to.xml' --case selftest.verdict.timeout \
                --verdict error --text 'timed out after 2 s' &&
        grep -q 'time=\"[2-9]\.' '$SEL/to.xml'"

# --- --repeat and --until-fail ---------------------------------------------------------------
sel_run rep --filter selftest.verdict.pass --repeat 3
rep_named() {
        local i want
        want=$(printf 'selftest.verdict.pass#%s ok\n' 1 2 3)
        rc_is rep 0 && [ "$(tap_points "$SEL/rep.tap")" = "$want" ] &&
                [ "$(junit_names "$SEL/rep.xml")" = "${want//ok/pass}" ] || return 1
        for i in 1 2 3; do grep -qx hello "$SEL/rep-art/selftest.verdict.pass#$i/note.txt" || return 1; done
}
check "select: --repeat 3 names three results NAME#1..#3 (TAP, JUnit, artifacts)" rep_named
sel_rep_ok() { sel_reports_ok "$SEL/rep.tap" "$SEL/rep.xml" && grep -q '<property name="repeat" value="3"/>' "$SEL/rep.xml"; }
check "select: --repeat reports valid (tap-parser clean, both schemas), repeat property set" sel_rep_ok
# A real case that makes cgroups and matches the kernel's OOM report, twice: each repetition's
# cgroups live under its own name (t.scope "isocheck-<run>/NAME#N"), so each report it kept
# names its own cgroup, and nothing is left.
if [ "$(id -u)" -eq 0 ]; then
        build/san/isocheck --filter cgroup.memory.oom_kill --repeat 2 --tap "$SEL/oom.tap" \
                --junit "$SEL/oom.xml" --artifacts "$SEL/oom-art" >/dev/null 2>"$SEL/oom.err"
        echo $? >"$SEL/oom.rc"
        if grep -q '^ok 1 - cgroup.memory.oom_kill\\#1 # SKIP' "$SEL/oom.tap"; then
                skipped "select: --repeat 2 of the OOM case: each repetition in its own cgroups" \
                        "$(grep -o 'SKIP.*' "$SEL/oom.tap" | head -n 1)"
        else
                oom_own() {
                        local i
                        rc_is oom 0 || return 1
                        for i in 1 2; do
                                grep -q "oom_memcg=/isocheck-[^/]*/cgroup.memory.oom_kill#$i/" \
                                        "$SEL/oom-art/cgroup.memory.oom_kill#$i/kmsg-oom.txt" || return 1
                        done
                        no_cgroups_of "$SEL/oom.xml"
                }
                check "select: --repeat 2 of the OOM case: each repetition in its own cgroups" oom_own
        fi
fi
sel_run uf --filter selftest.verdict.pass --filter selftest.verdict.crash --until-fail
sel_run uf3 --filter selftest.verdict.pass --until-fail --repeat 3
check "select: --until-fail stops after the failing round; without failure runs --repeat rounds" sh -c "
        grep -qx 1 '$SEL/uf.rc' && [ \$(grep -c '^\(not \)\?ok ' '$SEL/uf.tap') -eq 2 ] &&
        tail -n 1 '$SEL/uf.tap' | grep -qx '1..2' &&
        grep -qx 0 '$SEL/uf3.rc' && tail -n 1 '$SEL/uf3.tap' | grep -qx '1..3' &&
        tap-parser --strict -j 0 <'$SEL/uf3.tap' >/dev/null"

# --- --shuffle --seed: real native cases pass in a shuffled order, the same one twice ------------
if [ "$(id -u)" -eq 0 ]; then
        for k in 1 2; do
                build/san/isocheck --filter 'pidns.*' --filter 'cgroup.memory.*' -x '*.tool' \
                        -x '*.stress' --shuffle --seed 1 --tap "$SEL/sh$k.tap" --junit "$SEL/sh$k.xml" \
                        --artifacts "$SEL/sh-art" >/dev/null 2>"$SEL/sh$k.err"
                echo $? >"$SEL/sh$k.rc"
        done
        build/san/isocheck --filter 'pidns.*' --filter 'cgroup.memory.*' -x '*.tool' -x '*.stress' \
                --list | awk '{print $1}' >"$SEL/registry.order"
        tap_points "$SEL/sh1.tap" | awk '{print $1}' >"$SEL/sh1.order"
        tap_points "$SEL/sh2.tap" | awk '{print $1}' >"$SEL/sh2.order"
        check "select: --shuffle --seed 1 passes (native pidns and memcg cases)" sh -c "
                grep -qx 0 '$SEL/sh1.rc' && grep -qx 0 '$SEL/sh2.rc' &&
                grep -q 'shuffled with --seed 1' '$SEL/sh1.err' &&
                grep -q '<property name=\"shuffle.seed\" value=\"1\"/>' '$SEL/sh1.xml'"
        check "select: --seed 1 replays the same order, which is not the registry's" sh -c "
                cmp -s '$SEL/sh1.order' '$SEL/sh2.order' && ! cmp -s '$SEL/sh1.order' '$SEL/registry.order' &&
                sort '$SEL/sh1.order' | cmp -s - '$SEL/registry.order'"
        check "select: the shuffled runs leave no cgroup behind" no_cgroups_of "$SEL/sh1.xml" "$SEL/sh2.xml"
else
        skipped "select: --shuffle --seed 1 passes" "needs root: uid $(id -u)"
fi

# --- --list / --env --format json, read by Python's json -----------------------------------------
check "select: --list --format json: every case with summary, lab step, needs, timeout, file:line" sh -c "
        '$SELF' --list --format json >'$SEL/list.json' && '$SELF' --list | awk '{print \$1}' >'$SEL/list.txt' &&
        /usr/bin/python3 - '$SEL/list.json' '$SEL/list.txt' <<'EOF'
import json, sys
cases = json.load(open(sys.argv[1]))
names = open(sys.argv[2]).read().split()
assert [c['name'] for c in cases] == names, 'names differ from --list'
for c in cases:
    for k in ('summary', 'lab_step', 'needs', 'timeout_s', 'file', 'line'):
        assert k in c, (c['name'], k)
    assert c['file'].endswith('.c') and c['line'] > 0 and c['timeout_s'] > 0
unmet = [c for c in cases if c['name'] == 'selftest.verdict.unmet'][0]
assert unmet['needs'] == [{'kind': 'tool', 'name': 'isocheck-no-such-tool'}], unmet['needs']
EOF"
check "select: --list --format json shows --timeout and --skip-file as the run would" sh -c "
        '$SELF' --list --format json --filter 'selftest.verdict.*' --timeout 'selftest.verdict.pass=7' \
                --skip-file '$SEL/skips' 2>/dev/null | /usr/bin/python3 -c '
import json, sys
c = {x[\"name\"]: x for x in json.load(sys.stdin)}
assert c[\"selftest.verdict.pass\"][\"timeout_s\"] == 7
assert c[\"selftest.verdict.fail\"][\"skip_reason\"] == \"the answer is 41 on this # host\"
assert \"skip_reason\" not in c[\"selftest.verdict.pass\"]'"
check "select: --env --format json is one object of the probe's facts and the runtimes" sh -c "
        build/san/isocheck --env --format json | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d[\"kernel.release\"] and d[\"cgroup.mode\"] in (\"legacy\", \"hybrid\", \"unified\"), d
assert d[\"runtimes\"][\"native\"][\"state\"] in (\"usable\", \"not usable\", \"not installed\", \"broken\")'"

# --- -k, and the nearest names when a selection matches nothing ---------------------------------
check "select: -k selects by substring, ANDed with --filter" sh -c "
        [ \"\$('$SELF' -k TIMEOUT.TOOL --filter 'selftest.verdict.*' --list | awk '{print \$1}' | tr '\n' ' ')\" = \
                'selftest.verdict.timeout.tool selftest.verdict.timeout.toolout ' ]"
for bad in "-k tiemout|-k tiemout matches no case (nearest: selftest.verdict.timeout" \
        "--filter selftest.verdict.pas|--filter selftest.verdict.pas matches no case (nearest: selftest.verdict.pass)" \
        "--timeout selftest.verdict.pss=3|--timeout selftest.verdict.pss=3: selftest.verdict.pss matches no case (nearest: selftest.verdict.pass)"; do
        args=${bad%%|*}
        want=${bad#*|}
        # shellcheck disable=SC2086
        "$SELF" $args --tap "$SEL/near.tap" --junit "$SEL/near.xml" >/dev/null 2>"$SEL/near.err"
        rc=$?
        check "select: $args is a usage error suggesting the nearest name" sh -c "
                [ $rc -eq 2 ] && grep -qF -- '$want' '$SEL/near.err'"
done

# --- bad values of each option: usage error 2, saying what was expected -------------------------
while IFS='|' read -r args want; do
        # shellcheck disable=SC2086
        "$SELF" $args >/dev/null 2>"$SEL/bad.err"
        rc=$?
        check "select: '$args' refused (2: $want)" sh -c "
                [ $rc -eq 2 ] && grep -qF -- '$want' '$SEL/bad.err'"
done <<'EOF'
--repeat 0|--repeat needs a whole number from 1 to 1000, not "0"
--repeat 1001|--repeat needs a whole number from 1 to 1000
--repeat 2x|--repeat needs a whole number
--seed -1|--seed needs a whole number from 0 to 4294967295
--seed 4294967296|--seed needs a whole number from 0 to 4294967295
--timeout selftest.verdict.pass|--timeout needs NAME=SECONDS
--timeout selftest.verdict.pass=0|SECONDS must be a whole number from 1 to 86400, not "0"
--timeout selftest.verdict.pass=inf|SECONDS must be a whole number from 1 to 86400, not "inf"
--timeout selftest.verdict.pass=1.5|SECONDS must be a whole number from 1 to 86400
--timeout =5|--timeout needs NAME=SECONDS
--format yaml --list|--format must be text or json, not "yaml"
--format json|--format applies to --list and --env only
--list --repeat 2|--list cannot be combined with --repeat
--env -k pid|--env cannot be combined with -k
--skip-file /nonexistent/skips|--skip-file: open /nonexistent/skips
--last-failed /nonexistent/report.xml|--last-failed: open /nonexistent/report.xml
EOF
