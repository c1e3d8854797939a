#!/usr/bin/python3
"""Judge the JSON events `tap-parser -j` produced from an isocheck TAP stream.

  tap_summary.py EVENTS.json [--expect-clean]

Fails when the parser met lines it could not read ("extra" events), a parse error
(tapError), a plan that does not match the count, at the top or in any subtest; with
--expect-clean also when any test point failed. Prints the top-level counts.
"""
import json
import sys


def walk(events, depth, problems):
    complete = None
    for kind, *rest in events:
        data = rest[0] if rest else None
        if kind == "extra":
            problems.append(f"depth {depth}: unparsed line {data!r}")
        elif kind == "child":
            walk(data, depth + 1, problems)
        elif kind == "complete":
            complete = data
    if complete is None:
        problems.append(f"depth {depth}: no complete event")
        return None
    for f in complete.get("failures", []):
        if "tapError" in f:
            problems.append(f"depth {depth}: {f['tapError']}: {f}")
    plan = complete.get("plan") or {}
    if plan.get("end") != complete.get("count") and not plan.get("skipAll"):
        problems.append(f"depth {depth}: plan 1..{plan.get('end')} but {complete.get('count')} points")
    return complete


def main():
    events = json.load(open(sys.argv[1], encoding="utf-8"))
    problems = []
    top = walk(events, 0, problems)
    if top and "--expect-clean" in sys.argv and not top.get("ok"):
        problems.append(f"not ok: {top.get('fail')} failed of {top.get('count')}")
    if top:
        print(f"count={top['count']} pass={top['pass']} fail={top['fail']} skip={top['skip']}")
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
