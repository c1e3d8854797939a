#!/usr/bin/python3
"""Read an isocheck JUnit report back with python3-junitparser (a consumer we did not write).

  junit_check.py FILE --tap TAPFILE        counts per verdict match the TAP stream's
  junit_check.py FILE --case NAME --verdict pass|fail|error|skip [--text TEXT]
                                           that testcase has that verdict (and TEXT in its
                                           message or body)
Exits 0 when the claim holds, 1 with a reason otherwise.
"""
import argparse
import re
import sys

from junitparser import Error, Failure, JUnitXml, Skipped


def verdict_of(case):
    kinds = {Failure: "fail", Error: "error", Skipped: "skip"}
    found = [kinds[type(r)] for r in case.result if type(r) in kinds]
    if len(found) > 1:
        raise SystemExit(f"{case.classname}.{case.name}: more than one result element: {found}")
    return found[0] if found else "pass"


def cases(xml):
    for suite in xml:
        for case in suite:
            yield suite, case


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--tap")
    ap.add_argument("--case")
    ap.add_argument("--verdict")
    ap.add_argument("--text")
    a = ap.parse_args()
    xml = JUnitXml.fromfile(a.file)

    if a.tap:
        counts = {"pass": 0, "fail": 0, "error": 0, "skip": 0}
        for _, case in cases(xml):
            counts[verdict_of(case)] += 1
        with open(a.tap, encoding="utf-8") as f:
            points = [l for l in f if re.match(r"(not )?ok \d+ - ", l)]
        plan = None
        with open(a.tap, encoding="utf-8") as f:
            for l in f:
                m = re.match(r"1\.\.(\d+)$", l)
                if m:
                    plan = int(m.group(1))
        tap_ok = sum(1 for l in points if l.startswith("ok ") and "# SKIP" not in l)
        tap_skip = sum(1 for l in points if l.startswith("ok ") and "# SKIP" in l)
        tap_not_ok = sum(1 for l in points if l.startswith("not ok"))
        total = sum(counts.values())
        problems = []
        if total != len(points) or total != plan:
            problems.append(f"{total} testcases, {len(points)} TAP points, plan {plan}")
        if counts["pass"] != tap_ok or counts["skip"] != tap_skip:
            problems.append(f"junit {counts}, tap ok={tap_ok} skip={tap_skip}")
        if counts["fail"] + counts["error"] != tap_not_ok:
            problems.append(f"junit {counts}, tap not ok={tap_not_ok}")
        for suite in xml:
            if int(suite.tests) != total or int(suite.failures) != counts["fail"] or \
               int(suite.errors) != counts["error"]:
                problems.append(f"testsuite attributes tests={suite.tests} failures="
                                f"{suite.failures} errors={suite.errors}, counted {counts}")
        if problems:
            print("; ".join(problems))
            return 1
        print(f"{total} testcases: {counts}")
        return 0

    for _, case in cases(xml):
        full = f"{case.classname}.{case.name}" if case.classname != case.name else case.name
        if full != a.case:
            continue
        got = verdict_of(case)
        if got != a.verdict:
            msgs = [(r.message, r.text) for r in case.result]
            print(f"{a.case}: expected verdict {a.verdict}, got {got}: {msgs}")
            return 1
        if a.text:
            hay = " ".join(f"{r.message or ''} {r.text or ''}" for r in case.result)
            if a.text not in hay:
                print(f"{a.case}: {a.text!r} not in {hay!r}")
                return 1
        return 0
    print(f"{a.case}: no such testcase in {a.file}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
