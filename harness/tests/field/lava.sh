# Kernel labs (issue 17): isocheck as a LAVA job (dist/lava/), and isocheck-vm --jobs
# (issue 14). Sourced by run.sh / field.sh with $top, $work and lib.sh's helpers.
# `make test` runs the part without boots: the job validated offline, the monitor's pattern
# read the way LAVA reads the console, the converter on a recorded log (fixtures/samples/
# lava-selftest.log, a real lava-run log of the self-test job with its report frames left
# out), the new options' usage errors. `make test-lava` (ISOCHECK_TEST_LAVA=1) adds the
# boots: three lava-run jobs (the suite in v2 and v1 mode, the self-test cases), one
# isocheck-vm --jobs 2 run of both modes to compare them with, and one boot without the
# data port. Each lava-run has a job id of its own; what it leaves is removed by that id.
lw=$work/lava
mkdir -p "$lw"
lava_k=$(ls /boot/vmlinuz-6.1.* 2>/dev/null | tail -n 1)
lava_dev=dist/lava/qemu-device.yaml
lava_tmp=/var/lib/lava/dispatcher/tmp
lava_ids=""
lava_n=0
# A job id no other run uses: this shell's PID, a counter, the time.
lava_id() { lava_n=$((lava_n + 1)); echo "isocheck-test-$$-$lava_n-$(date +%s)"; }
# Everything lava-run left for job $1, by its id only.
lava_clean() { [ -n "$1" ] && rm -rf "${lava_tmp:?}/$1"; }

# Each case of a JUnit report as "classname.name VERDICT", sorted: what two runs are
# compared by. Read with junitparser (a consumer isocheck did not write).
lava_verdicts() { # JUNIT
        $PY - "$1" <<'EOF'
import sys
from junitparser import JUnitXml, Failure, Error, Skipped
rows = []
for suite in JUnitXml.fromfile(sys.argv[1]):
    for tc in suite:
        v = "pass"
        for r in tc.result:
            v = {Failure: "fail", Error: "error", Skipped: "skip"}.get(type(r), v)
        rows.append(f"{tc.classname}.{tc.name} {v}")
print("\n".join(sorted(rows)))
EOF
}
# The results LAVA itself recorded for the isocheck monitor: "test_case_id result".
lava_results() { # LOG
        $PY - "$1" <<'EOF'
import json, sys
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    m = e.get("msg")
    if e.get("lvl") == "results" and isinstance(m, dict) and m.get("definition") == "isocheck":
        print(m["extra"]["test_case_id"], m["result"])
EOF
}
export PY
export -f lava_verdicts lava_results no_qemu_under

# The boots of make test-lava. Images in $lw; every job's log kept beside its JUnit.
lava_boots() {
        local self_args="--filter selftest.verdict.* --filter selftest.strings.hostile --exclude selftest.verdict.timeout*"
        # Input (issue 17): the initramfs isocheck-vm deleted after its boot is now written
        # once by --build-initramfs and given to LAVA by URL.
        build/isocheck-vm --kernel "$lava_k" --build-initramfs "$lw/suite.cpio" >/dev/null 2>"$lw/img.err"
        # shellcheck disable=SC2086
        build/isocheck-vm --kernel "$lava_k" --suite build/isocheck-selftest \
                --build-initramfs "$lw/self.cpio" -- $self_args >/dev/null 2>>"$lw/img.err"
        check "lava: the suite's and the self-test's initramfs are built" \
                bash -c "[ -s '$lw/suite.cpio' ] && [ -s '$lw/self.cpio' ] || { cat '$lw/img.err'; exit 1; }"
        lava_job() { # TAG RAMDISK CGROUP CMDLINE: runs the job, its log in $lw/TAG.log
                local id
                id=$(lava_id)
                lava_ids="$lava_ids $id"
                lava_render "isocheck-$1" "$2" "$3" "$4" >"$lw/$1.yaml"
                local t0=$SECONDS
                timeout 600 lava-run --job-id "$id" --output-dir "$lw/$1-out" --device "$lava_dev" \
                        "$lw/$1.yaml" >"$lw/$1.stdout" 2>"$lw/$1.log"
                echo $? >"$lw/$1.rc"
                echo $((SECONDS - t0)) >"$lw/$1.secs"
                echo "$id" >"$lw/$1.id"
                lava_conv "$lw/$1.log" "$lw/$1.xml"
        }
        lava_job v2 "$lw/suite.cpio" v2 "$lava_cmd_v2"
        lava_job v1 "$lw/suite.cpio" v1 "$lava_cmd_v1"
        lava_job self "$lw/self.cpio" v2 "$lava_cmd_v2"
        echo "# lava-run wall times: v2 $(cat "$lw/v2.secs") s, v1 $(cat "$lw/v1.secs") s, self-test $(cat "$lw/self.secs") s"
        local tag
        for tag in v2 v1 self; do
                check "lava: the $tag job ran to its end (lava-run exit 0, job pass, monitor pass)" bash -c "
                        [ \$(cat '$lw/$tag.rc') -eq 0 ] &&
                        grep -q '\"case\": \"lava-test-monitor\", \"definition\": \"lava\".*\"result\": \"pass\"' '$lw/$tag.log' &&
                        grep -q '\"case\": \"job\", \"definition\": \"lava\", \"result\": \"pass\"' '$lw/$tag.log' ||
                        { grep '\"lvl\": \"\(error\|results\)\"' '$lw/$tag.log' | tail -5; exit 1; }"
                check "lava: the $tag job's results convert to valid JUnit" xml_ok "$lw/$tag.xml"
                check "lava: every case of the $tag job is one LAVA result, none twice" bash -c "
                        n=\$(lava_results '$lw/$tag.log' | wc -l); u=\$(lava_results '$lw/$tag.log' | cut -d' ' -f1 | sort -u | wc -l)
                        t=\$(grep -c '<testcase' '$lw/$tag.xml'); echo \"results \$n, distinct \$u, testcases \$t\"
                        [ \$n -gt 0 ] && [ \$n -eq \$u ] && [ \$n -eq \$t ]"
                check "lava: the $tag job's guest sent its reports on the console (no data port)" \
                        grep -q 'has no UART behind it (no second serial port); sending the reports on the console' "$lw/$tag.log"
                check "lava: nothing of the $tag job left in $lava_tmp, no qemu of it running" bash -c "
                        id=\$(cat '$lw/$tag.id'); [ ! -e '$lava_tmp/'\$id ] && no_qemu_under '$lava_tmp/'\$id"
                lava_clean "$(cat "$lw/$tag.id")"
        done
        # The same kernel and modes through isocheck-vm (make check-vm's program), both modes
        # at once (--jobs 2): the reference the LAVA results are compared with, case by case.
        # The first kernel line may take minutes on a loaded machine (two TCG guests on few
        # cores, other sessions' boots): the no-output bound is raised to match. The LAVA job
        # gives the guest no scratch or swap disk: neither does this reference (--no-scratch).
        timeout 1200 build/isocheck-vm --accel tcg --no-output-timeout 400 --jobs 2 --no-scratch --kernel "$lava_k" -c both -o "$lw/vm" \
                >"$lw/vm.out" 2>"$lw/vm.err"
        echo $? >"$lw/vm.rc"
        local r=${lava_k#/boot/vmlinuz-} mode
        for mode in v2 v1; do
                check "lava: the $mode job's verdicts equal isocheck-vm's for $r $mode, case by case" bash -c "
                        ref='$lw/vm/vm-$r-$mode/isocheck.junit.xml'
                        [ -f \"\$ref\" ] || { echo \"isocheck-vm wrote no guest report to compare with:\"; cat '$lw/vm.out'; exit 1; }
                        diff <(lava_verdicts \"\$ref\") <(lava_verdicts '$lw/$mode.xml')"
        done
        # Input (issue 17): cgroup.memory.oom_group in v1 mode is a skip; it must be one in LAVA.
        check "lava: cgroup.memory.oom_group is a LAVA skip in v1 mode and a pass in v2" bash -c "
                lava_results '$lw/v1.log' | grep -qx 'cgroup.memory.oom_group skip' &&
                lava_results '$lw/v2.log' | grep -qx 'cgroup.memory.oom_group pass'"
        check "lava: the self-test job: LAVA fail for failures and errors, skip for skips, pass for the pass" bash -c "
                got=\$(lava_results '$lw/self.log' | sort); echo \"\$got\"; [ \"\$got\" = 'selftest.strings.hostile fail
selftest.verdict.broken fail
selftest.verdict.crash fail
selftest.verdict.fail fail
selftest.verdict.nochecks fail
selftest.verdict.pass pass
selftest.verdict.skip skip
selftest.verdict.unmet skip' ]"
        check "lava: the self-test job converts back to the verdicts of the recorded one (errors stay errors)" \
                bash -c "diff <(lava_verdicts '$lw/self-fixture.xml') <(lava_verdicts '$lw/self.xml')"
        # issue 14 / 13: --jobs 2 boots both modes at once, says each verdict as it ends
        # (stderr, "[i/2]") and ends with one line per configuration (stdout).
        check "lava: isocheck-vm --jobs 2 said each configuration's verdict as it ended, then one line each" bash -c "
                cat '$lw/vm.out'; grep -q 'up to 2 boots at once' '$lw/vm.err' &&
                [ \$(grep -c '^isocheck-vm: \[[12]/2\] vm-$r-v[12]: ' '$lw/vm.err') -eq 2 ] &&
                [ \$(grep -c '^vm-$r-v[12]: ' '$lw/vm.out') -eq 2 ] &&
                grep -q '^2 configurations: ' '$lw/vm.out'"
        check "lava: the two boots overlapped (both booted before the first verdict)" bash -c "
                b=\$(grep -n '^isocheck-vm: booting ' '$lw/vm.err' | tail -n 1 | cut -d: -f1)
                d=\$(grep -n '^isocheck-vm: .1/2. ' '$lw/vm.err' | cut -d: -f1)
                [ -n \"\$b\" ] && [ -n \"\$d\" ] && [ \$b -lt \$d ] || { cat '$lw/vm.err'; exit 1; }"
        check "lava: isocheck-vm --jobs 2 passed both modes" bash -c "[ \$(cat '$lw/vm.rc') -eq 0 ] || { cat '$lw/vm.out'; exit 1; }"
        # Input (issue 17): a guest without the second serial port said "send the status:
        # write to the data port: Input/output error". qemu here drops the data port.
        printf '%s\n' '#!/bin/bash' \
                '# qemu without the data port: the "-serial file:..." pair of isocheck-vm is left out.' \
                'args=()' \
                'while [ $# -gt 0 ]; do' \
                '        if [ "$1" = -serial ] && [ "${2#file:}" != "$2" ]; then shift 2; continue; fi' \
                '        args+=("$1"); shift' \
                'done' \
                'exec qemu-system-x86_64 "${args[@]}"' >"$lw/qemu-one-serial"
        chmod +x "$lw/qemu-one-serial"
        timeout 900 build/isocheck-vm --accel tcg --no-output-timeout 400 --qemu "$lw/qemu-one-serial" --kernel "$lava_k" -c v2 \
                -o "$lw/oneport" -- --filter 'pidns.init.*' >"$lw/oneport.out" 2>&1
        echo $? >"$lw/oneport.rc"
        check "lava: without a data port the guest sends its reports on the console, and isocheck-vm reads them" bash -c "
                c='$lw/oneport/vm-$r-v2/console.log'; [ \$(cat '$lw/oneport.rc') -eq 0 ] &&
                grep -q 'no second serial port); sending the reports on the console' \"\$c\" &&
                grep -q 'name=\"pid1\"' '$lw/oneport/vm-$r-v2/isocheck.junit.xml' || { tail -5 '$lw/oneport.out'; exit 1; }"
        check "lava: no qemu of these boots left" no_qemu_under "$lw"
        # The matrix (isocheck report, issue 13) shows the LAVA run as a column, when merged.
        if build/isocheck report --help >/dev/null 2>&1; then
                check "lava: isocheck report shows the LAVA runs as columns beside isocheck-vm's" bash -c "
                        NO_COLOR=1 build/isocheck report '$lw/v2.xml' '$lw/v1.xml' '$lw/vm/isocheck-vm.junit.xml' >'$lw/matrix.txt'
                        cat '$lw/matrix.txt'; grep -q 'lava' '$lw/matrix.txt'"
        else
                skipped "lava: the LAVA run as a column of isocheck report" "isocheck report is not in this tree yet; the converted JUnit is checked with xmllint above"
        fi
        rm -f "$lw/suite.cpio" "$lw/self.cpio"
}

if [ "$(id -u)" -ne 0 ] || ! command -v lava-run >/dev/null || [ -z "$lava_k" ]; then
        skipped "lava: kernel labs" "needs root, lava-run (Debian: lava-dispatcher) and /boot/vmlinuz-6.1.*"
else
        # --- the job, rendered and validated offline ------------------------------------
        lava_render() { # NAME RAMDISK CGROUP CMDLINE
                dist/lava/render-job.sh "$1" "file://$lava_k" "file://$2" "$3" "$4"
        }
        lava_cmd_v2=$(build/isocheck-vm --kernel "$lava_k" --build-initramfs "$lw/probe.cpio" 2>"$lw/probe.err")
        check "lava: --build-initramfs prints the v2 command line (cgroup_no_v1=all, the init's keys)" \
                bash -c "echo '$lava_cmd_v2'; case '$lava_cmd_v2' in
                        *rdinit=/init*isocheck.cgroup=v2*cgroup_no_v1=all*) [ -s '$lw/probe.cpio' ] ;; *) exit 1 ;; esac"
        lava_cmd_v1=$(build/isocheck-vm --kernel "$lava_k" -c v1 --build-initramfs "$lw/probe.cpio" 2>/dev/null)
        check "lava: --build-initramfs -c v1 prints the v1 command line, and replaces its file" \
                bash -c "echo '$lava_cmd_v1'; case '$lava_cmd_v1' in
                        *isocheck.cgroup=v1*cgroup_no_v1*) exit 1 ;; *isocheck.cgroup=v1*) ;; *) exit 1 ;; esac"
        lava_render isocheck-validate "$lw/probe.cpio" v2 "$lava_cmd_v2" >"$lw/validate.yaml"
        lava_vid=$(lava_id)
        check "lava: the job passes lava-run --validate" bash -c "
                lava-run --validate --job-id '$lava_vid' --output-dir '$lw/validate-out' \
                        --device '$lava_dev' '$lw/validate.yaml' >'$lw/validate.out' 2>&1 ||
                        { tail -5 '$lw/validate.out'; exit 1; }
                grep -q '\"case\": \"validate\", \"definition\": \"lava\", \"result\": \"pass\"' '$lw/validate.out'"
        lava_clean "$lava_vid"
        check "lava: the job passes lava_common.schemas.validate (strict)" \
                /usr/bin/python3 -c 'import sys, yaml
from lava_common.schemas import validate
validate(yaml.safe_load(open(sys.argv[1])), strict=True)' "$lw/validate.yaml"
        check "lava: render-job.sh refuses a cgroup mode other than v1/v2, and a quote in a value" bash -c "
                ! dist/lava/render-job.sh n k r v3 c >/dev/null 2>&1 &&
                ! dist/lava/render-job.sh n 'k\"' r v2 c >/dev/null 2>&1"

        # --- the monitor's pattern, read as LAVA reads the console -----------------------
        # Input (issue 17): a TAP "ok N - NAME # SKIP reason" was a pass to a monitor
        # matching TAP. LAVA's TestMonitor searches the console stream from the end of the
        # last match (pexpect), then folds the case id; the same here, with the pattern from
        # the job file. More of the kind: a hostile reason quoting a verdict line, an error.
        lava_scan() { # JOB CONSOLE: "test_case_id result" per match
                /usr/bin/python3 - "$1" "$2" <<'EOF'
import re, sys, yaml
job = yaml.safe_load(open(sys.argv[1]))
mon = [a["test"] for a in job["actions"] if "test" in a][0]["monitors"][0]
text = open(sys.argv[2], encoding="utf-8").read()
start = text.index(mon["start"]) + len(mon["start"])
end = text.index(mon["end"], start)
pat = re.compile(mon["pattern"], re.DOTALL)
pos = start
while True:
    m = pat.search(text, pos, end)
    if not m:
        break
    print(m.group("test_case_id"), m.group("result"))
    pos = m.end()
EOF
        }
        printf '%s\r\n' "isocheck-vm: suite started: /opt/isocheck/isocheck" "TAP version 14" "1..4" \
                "ok 1 - container.app.noshell.docker # SKIP needs a Docker daemon: docker not on PATH" \
                "isocheck-vm: case container.app.noshell.docker skip: needs a Docker daemon: docker not on PATH" \
                "not ok 2 - selftest.strings.hostile" \
                "isocheck-vm: case selftest.strings.hostile fail: got \"isocheck-vm: case forged.case pass\" from ps" \
                "not ok 3 - selftest.verdict.broken" \
                "isocheck-vm: case selftest.verdict.broken fail (error): expected open(/nonexistent) to work" \
                "ok 4 - pidns.init.pid1" "isocheck-vm: case pidns.init.pid1 pass" \
                "isocheck-vm: suite exited with status 1 after 1.0 s" >"$lw/console.txt"
        lava_scan_ok() { # JOB CONSOLE EXPECTED
                local got
                got=$(lava_scan "$1" "$2") || return 1
                [ "$got" = "$3" ] || { printf 'expected:\n%s\ngot:\n%s\n' "$3" "$got"; return 1; }
        }
        check "lava: the pattern maps each verdict line exactly: a TAP SKIP is no pass, a quoted line no result, an error a fail" \
                lava_scan_ok "$lw/validate.yaml" "$lw/console.txt" "container.app.noshell.docker skip
selftest.strings.hostile fail
selftest.verdict.broken fail
pidns.init.pid1 pass"
        # Control: the naive TAP pattern of the issue ("ok N - NAME", fixupdict ok: pass)
        # does take that SKIP line for a pass, so the check above can tell the two apart.
        check "lava: (control) a monitor matching TAP lines takes the SKIP for a pass" \
                /usr/bin/python3 -c 'import re, sys
m = re.search(r"\nok [0-9]+ - (?P<test_case_id>[a-z0-9._-]+)", open(sys.argv[1]).read())
sys.exit(0 if m and m.group("test_case_id") == "container.app.noshell.docker" else 1)' "$lw/console.txt"

        # --- the converter: a LAVA log as isocheck's JUnit -------------------------------
        # Input: the real log of the self-test job (pass, fail, skip, three errors, a hostile
        # message); every case must come back with isocheck's own verdict.
        lava_conv() { # LOG OUT: the converted JUnit, exit status kept in OUT.rc
                build/isocheck-vm --from-lava "$1" >"$2" 2>"$2.err"
                echo $? >"$2.rc"
        }
        lava_conv fixtures/samples/lava-selftest.log "$lw/self-fixture.xml"
        # Valid: both schemas through xml_ok (Jenkins' after the view that drops the CI
        # attributes it does not list, lib.sh).
        lava_self_ok() {
                [ "$(cat "$lw/self-fixture.xml.rc")" -eq 1 ] || { cat "$lw/self-fixture.xml.err"; return 1; }
                xml_ok "$lw/self-fixture.xml"
        }
        check "lava: --from-lava on the self-test log exits 1 (cases failed) and writes valid JUnit" \
                lava_self_ok
        check "lava: --from-lava gives each case isocheck's verdict (an error stays an error)" \
                bash -c "got=\$(lava_verdicts '$lw/self-fixture.xml'); echo \"\$got\"; [ \"\$got\" = 'selftest.strings.hostile fail
selftest.verdict.broken error
selftest.verdict.crash error
selftest.verdict.fail fail
selftest.verdict.nochecks error
selftest.verdict.pass pass
selftest.verdict.skip skip
selftest.verdict.unmet skip' ]"
        check "lava: the converted report names the configuration (target lava, kernel, cgroup)" \
                bash -c "grep -q '<property name=\"target\" value=\"lava\"/>' '$lw/self-fixture.xml' &&
                        grep -q '<property name=\"kernel\" value=\"6.1.0-57-amd64\"/>' '$lw/self-fixture.xml' &&
                        grep -q '<property name=\"cgroup\" value=\"v2\"/>' '$lw/self-fixture.xml'"
        # More of the kind: LAVA did not record one case the console shows (a pattern that
        # missed it): that case is an error naming the pattern, not silently gone.
        grep -v '"test_case_id": "selftest.verdict.pass"' fixtures/samples/lava-selftest.log >"$lw/missing.log"
        lava_conv "$lw/missing.log" "$lw/missing.xml"
        check "lava: a case on the console that LAVA did not record is an error naming the monitor's pattern" \
                bash -c "grep -A1 'name=\"pass\"' '$lw/missing.xml' | grep -q '<error message=\"the console has this case.s verdict line, but LAVA recorded no result'"
        # A monitor that never saw the suite end (the guest died mid-suite): a harness error.
        grep -v 'lava-test-monitor' fixtures/samples/lava-selftest.log >"$lw/nomonitor.log"
        lava_conv "$lw/nomonitor.log" "$lw/nomonitor.xml"
        check "lava: a log without the monitor's end is a harness error in the report" \
                grep -q 'classname="isocheck" name="harness"' "$lw/nomonitor.xml"
        check "lava: --from-lava on a file that is no LAVA log: exit 2, one line naming it" bash -c "
                build/isocheck-vm --from-lava /etc/hostname >'$lw/nolog.xml' 2>'$lw/nolog.err'; rc=\$?
                cat '$lw/nolog.err'; [ \$rc -eq 2 ] && [ \$(wc -l <'$lw/nolog.err') -eq 1 ] &&
                grep -q '/etc/hostname: expected a LAVA job log' '$lw/nolog.err' && [ ! -s '$lw/nolog.xml' ]"

        # --- usage of the new options ----------------------------------------------------
        lava_usage() { # WANT ARGS...: exit 2, the message on stderr
                local want=$1 rc
                shift
                build/isocheck-vm "$@" >"$lw/u.out" 2>"$lw/u.err"
                rc=$?
                [ $rc -eq 2 ] && grep -q -F -- "$want" "$lw/u.err" || { echo "exit $rc"; cat "$lw/u.err"; return 1; }
        }
        check "lava: --build-initramfs with --cgroup both is refused" \
                lava_usage "give --cgroup v1 or v2" --kernel "$lava_k" -c both --build-initramfs "$lw/x.cpio"
        check "lava: --build-initramfs with two kernels is refused" \
                lava_usage "writes the image of one --kernel" --kernel "$lava_k" --kernel "$lava_k" \
                --build-initramfs "$lw/x.cpio"
        # More of the kind: the file given is a FIFO (a device, a directory): refused, left as it was.
        mkfifo "$lw/fifo"
        check "lava: --build-initramfs onto a FIFO is refused and the FIFO left alone" bash -c "
                build/isocheck-vm --kernel '$lava_k' --build-initramfs '$lw/fifo' 2>'$lw/f.err'; rc=\$?
                cat '$lw/f.err'; [ \$rc -eq 2 ] && [ -p '$lw/fifo' ] && grep -q 'not a regular file' '$lw/f.err'"
        check "lava: --from-lava with --kernel is refused" \
                lava_usage "no --kernel or --build-initramfs" --from-lava x --kernel "$lava_k"
        check "lava: --jobs 0 is refused" lava_usage "--jobs must be 1 to 64" --jobs 0 --kernel "$lava_k"
        rm -f "$lw/probe.cpio"

        if [ "${ISOCHECK_TEST_LAVA:-0}" != 1 ]; then
                skipped "lava: jobs run with lava-run, compared with isocheck-vm" "boots: run by make test-lava"
        else
                lava_boots
        fi
fi
