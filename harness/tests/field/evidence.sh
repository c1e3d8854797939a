# What the runner records for people and CI front ends (issue 13): the OOM cases' memory.csv,
# the PID namespace cases' processes.csv, the JUnit attributes GitLab and Jenkins read, `at:`
# locations, renamed variants, and notes kept off every run's stderr. Sourced by run.sh /
# field.sh with $top as the working directory; everything is read back by a consumer we did
# not write (Python's csv and xml.etree, xmllint, tap-parser, junitparser).
EV=$work/evidence
mkdir -p "$EV"
ev_iso=build/san/isocheck
# ev_run NAME ARGS...: the test build, reports in $EV/NAME.{tap,xml}, artifacts in $EV/NAME.art.
ev_run() {
        local name=$1
        shift
        $ev_iso --tap "$EV/$name.tap" --junit "$EV/$name.xml" --artifacts "$EV/$name.art" \
                "$@" >"$EV/$name.out" 2>"$EV/$name.err"
}
# ev_py SCRIPT ARGS...: Debian's python3 on a script read from stdin.
ev_py() { $PY - "$@"; }
# ev_verdict NAME CASE: the case's verdict in that run's JUnit (pass, fail, error, skip).
ev_verdict() {
        $PY - "$EV/$1.xml" "$2" <<'PYEOF'
import sys, xml.etree.ElementTree as ET
doc, want = sys.argv[1], sys.argv[2]
for tc in ET.parse(doc).iter("testcase"):
    if tc.get("classname") + "." + tc.get("name") == want:
        for tag, v in (("failure", "fail"), ("error", "error"), ("skipped", "skip")):
            if tc.find(tag) is not None:
                print(v); break
        else:
            print("pass")
PYEOF
}

# --- memory.csv: the OOM cases sample the climb to the kill ------------------------------
# Input (issue 13): "a student sees 30 ok lines and cannot see the OOM kill happen". Each
# OOM case that passes keeps memory.csv: the header, a climb to near the limit, t_s rising,
# the limit constant, and the oom_kill counter rising by the end.
ev_memory_csv() { # CSV LIMIT
        ev_py "$@" <<'PYEOF'
import csv, sys
path, limit = sys.argv[1], int(sys.argv[2])
with open(path, newline="") as f:
    r = csv.reader(f)
    head = next(r)
    rows = list(r)
if head != ["t_s", "usage_bytes", "limit_bytes", "oom_kill"]:
    sys.exit(f"{path}: header {head}")
if len(rows) < 5:
    sys.exit(f"{path}: only {len(rows)} samples: the climb is not shown")
t = [float(x[0]) for x in rows]
if any(b < a for a, b in zip(t, t[1:])):
    sys.exit(f"{path}: t_s goes back")
if {x[2] for x in rows} != {str(limit)}:
    sys.exit(f"{path}: limit_bytes is not {limit} throughout: {sorted({x[2] for x in rows})}")
usage = [int(x[1]) for x in rows if x[1]]
if max(usage) < limit // 2:
    sys.exit(f"{path}: usage peaks at {max(usage)}, not near the limit {limit}")
kills = [int(x[3]) for x in rows if x[3]]
if not kills or kills[-1] <= kills[0]:
    sys.exit(f"{path}: oom_kill does not rise from the first sample to the last: {kills[:1]} {kills[-1:]}")
# The kill comes after the climb: the first sample that counts it follows the peak's rise.
first_kill = next(i for i, x in enumerate(rows) if x[3] and int(x[3]) > kills[0])
if max(int(x[1]) for x in rows[:first_kill + 1] if x[1]) < limit // 2:
    sys.exit(f"{path}: the kill is counted before usage climbed")
PYEOF
}
ev_run oom --filter 'cgroup.memory.oom_kill*'
n_oom=0
for c in cgroup.memory.oom_kill cgroup.memory.oom_kill.stress cgroup.memory.oom_kill.stress-ng; do
        v=$(ev_verdict oom "$c")
        if [ "$v" != pass ]; then
                skipped "evidence: $c keeps memory.csv" "the case did not pass here ($v)"
                continue
        fi
        n_oom=$((n_oom + 1))
        check "evidence: $c keeps memory.csv showing the climb and the kill" \
                ev_memory_csv "$EV/oom.art/$c/memory.csv" $((32 << 20))
done
# The consumer's side: a sampler that does nothing would fail the lines above, and so does a
# CSV with a kill before the climb.
printf 't_s,usage_bytes,limit_bytes,oom_kill\n0.0,0,100,1\n0.1,10,100,2\n0.2,20,100,2\n0.3,30,100,2\n0.4,40,100,2\n0.5,90,100,2\n' >"$EV/early.csv"
ev_not() { ! "$@" >/dev/null 2>&1; }
check "evidence: the memory.csv check refuses a kill counted before the climb" \
        ev_not ev_memory_csv "$EV/early.csv" 100

# --- processes.csv: inside and host, the same processes linked by host_pid ----------------
# Input (issue 13): "the process table inside and outside, side by side, with the PIDs that
# differ linked". Every inside row that names a host_pid is a host row too (same process);
# init is PID 1 inside and another PID on the host; in pidns.view.isolated, nothing above 3
# is listed inside.
ev_processes_csv() { # CSV PARENT-CMD [MAX-PID]
        ev_py "$@" <<'PYEOF'
import csv, sys
path, parent_cmd = sys.argv[1], sys.argv[2]
max_pid = int(sys.argv[3]) if len(sys.argv) > 3 else 0
with open(path, newline="") as f:
    r = csv.DictReader(f)
    if r.fieldnames != ["view", "pid", "ppid", "host_pid", "cmd"]:
        sys.exit(f"{path}: header {r.fieldnames}")
    rows = list(r)
inside = [x for x in rows if x["view"] == "inside"]
host = {x["pid"]: x for x in rows if x["view"] == "host"}
if {x["view"] for x in rows} != {"inside", "host"}:
    sys.exit(f"{path}: views {sorted({x['view'] for x in rows})}")
if any(x["host_pid"] != x["pid"] for x in host.values()):
    sys.exit(f"{path}: a host row whose host_pid is not its pid")
init = [x for x in inside if x["pid"] == "1"]
if len(init) != 1 or init[0]["ppid"] != "0":
    sys.exit(f"{path}: inside, no PID 1 with parent 0")
if not init[0]["host_pid"] or init[0]["host_pid"] == "1":
    sys.exit(f"{path}: init's host PID is {init[0]['host_pid']!r}")
if max_pid and any(int(x["pid"]) > max_pid for x in inside):
    sys.exit(f"{path}: a PID above {max_pid} is listed inside")
for x in inside:
    h = host.get(x["host_pid"])
    if x["host_pid"] and (not h or h["cmd"] != x["cmd"]):
        sys.exit(f"{path}: inside PID {x['pid']} ({x['cmd']}) names host PID {x['host_pid']}, "
                 f"which the host rows list as {h and h['cmd']}")
# The namespace's init is a child, on the host, of the process that made it.
h_init = host[init[0]["host_pid"]]
p = host.get(h_init["ppid"])
if not p or p["cmd"] != parent_cmd:
    sys.exit(f"{path}: on the host, init's parent is {p and p['cmd']}, not {parent_cmd}")
PYEOF
}
ev_run pidns --filter 'pidns.view.isolated*' --filter 'pidns.parent.visible*' \
        --filter 'pidns.pid.differs*' --filter 'nsenter.*' -v
for cp in pidns.view.isolated:isocheck:3 pidns.view.isolated.tool:unshare:3 \
        pidns.parent.visible:isocheck pidns.parent.visible.tool:unshare \
        pidns.pid.differs:isocheck pidns.pid.differs.tool:unshare \
        nsenter.view.matches:isocheck nsenter.view.matches.tool:unshare \
        nsenter.pidns.same:isocheck nsenter.pidns.same.tool:unshare; do
        IFS=: read -r c parent max <<<"$cp"
        v=$(ev_verdict pidns "$c")
        if [ "$v" != pass ]; then
                skipped "evidence: $c keeps processes.csv" "the case did not pass here ($v)"
                continue
        fi
        check "evidence: $c keeps processes.csv, inside and host linked by host_pid" \
                ev_processes_csv "$EV/pidns.art/$c/processes.csv" "$parent" $max
done

# --- JUnit for CI front ends --------------------------------------------------------------
# Input (issue 13): "every <testcase> carries file and line of the case, a timestamp and
# assertions; artifacts as [[ATTACHMENT|path]] lines; <testsuites> carries skipped".
ev_junit_front_ends() { # XML
        ev_py "$@" <<'PYEOF'
import os, re, sys, xml.etree.ElementTree as ET
doc = sys.argv[1]
root = ET.parse(doc).getroot()
skipped = sum(int(s.get("skipped")) for s in root.iter("testsuite"))
if root.get("skipped") != str(skipped):
    sys.exit(f"<testsuites skipped={root.get('skipped')!r}>, the suites say {skipped}")
for tc in root.iter("testcase"):
    key = tc.get("classname") + "." + tc.get("name")
    f, line = tc.get("file"), tc.get("line")
    if not f or os.path.isabs(f) or not os.path.isfile(f):
        sys.exit(f"{key}: file={f!r} is not a repository-relative file")
    text = open(f).read().split("\n")
    if not line or not (1 <= int(line) <= len(text)) or \
            f'"{key}"' not in "\n".join(text[int(line) - 1:int(line) + 1]):
        sys.exit(f"{key}: {f}:{line} does not declare the case")
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", tc.get("timestamp") or ""):
        sys.exit(f"{key}: timestamp={tc.get('timestamp')!r}")
    out = tc.findtext("system-out") or ""
    n = len(re.findall(r"^(?:not )?ok \d+ - ", out.split("checks:\n", 1)[-1], re.M)) \
        if "checks:\n" in out else 0
    if tc.get("assertions") != str(n):
        sys.exit(f"{key}: assertions={tc.get('assertions')!r}, {n} checks listed")
    listed = re.findall(r"^  (\S.*)$", out.split("artifacts:\n", 1)[1], re.M) \
        if "artifacts:\n" in out else []
    attached = re.findall(r"^\[\[ATTACHMENT\|(.*)\]\]$", out, re.M)
    if listed[:len(attached)] != attached or len(attached) != len(listed):
        sys.exit(f"{key}: artifacts {listed} but attachments {attached}")
    for a in attached:
        if not os.path.exists(a):
            sys.exit(f"{key}: attachment {a} does not exist")
PYEOF
}
for r in oom pidns; do
        check "evidence: $r JUnit: file, line, timestamp, assertions, attachments, skipped" \
                ev_junit_front_ends "$EV/$r.xml"
        check "evidence: $r JUnit is valid (isocheck's schema; junit-10 less the extensions)" \
                xml_ok "$EV/$r.xml"
        check "evidence: $r JUnit read back by junitparser agrees with the TAP" \
                $PY harness/tests/junit_check.py "$EV/$r.xml" --tap "$EV/$r.tap"
done
# The junit-10 view drops only the documented extensions: anything else still fails there.
sed 's/<testcase /<testcase bogus="1" /' "$EV/pidns.xml" >"$EV/bogus.xml"
check "evidence: an attribute junit-10.xsd does not know, other than ours, still fails it" \
        sh -c "[ ! -f '$JUNIT_XSD' ] || ! { $PY harness/tests/junit10_view.py '$EV/bogus.xml' | xmllint --noout --schema '$JUNIT_XSD' - 2>/dev/null; }"

# --- TAP: -v shows what passed; at: names the case's line ---------------------------------
# Input (issue 13): "a -v run shows expected and got for passing checks too"; "at: gives the
# repository-relative path of the case's line, not of a shared helper".
check "evidence: the -v TAP parses (tap-parser) with every point passing" tap_ok "$EV/pidns.tap"
ev_tap_verbose() { # TAP
        ev_py "$@" <<'PYEOF'
import os, re, sys
lines = open(sys.argv[1]).read().split("\n")
n_ok = n_yaml = 0
for i, l in enumerate(lines):
    if re.match(r"    ok \d+ - ", l) and "# SKIP" not in l:
        n_ok += 1
        block = lines[i + 1:i + 8]
        if block[0].strip() != "---" or not any(b.strip().startswith("expected:") for b in block) \
                or not any(b.strip().startswith("got:") for b in block):
            sys.exit(f"passing check without expected/got: {l}")
        n_yaml += 1
    m = re.match(r'\s+at: "(.*):(\d+)"$', l)
    if m:
        f, n = m.group(1), int(m.group(2))
        if os.path.isabs(f) or not f.startswith("cases/") or not os.path.isfile(f):
            sys.exit(f"at: {f}:{n} is not a case file of the repository")
        if n > len(open(f).read().split("\n")):
            sys.exit(f"at: {f}:{n} is past the file's end")
if n_ok == 0:
    sys.exit("no passing check in the stream")
PYEOF
}
check "evidence: -v gives every passing check its expected, got and a case-file at:" \
        ev_tap_verbose "$EV/pidns.tap"
# Input (issue 13): "today all sidecar checks point at fixtures.c:78". The joined-namespace
# checks, recorded by a shared helper, now point at the sidecar case's line.
ev_run sidecar -v --filter sidecar.netns.shared
if [ "$(ev_verdict sidecar sidecar.netns.shared)" = pass ]; then
        check "evidence: the sidecar's helper-made checks are reported at cases/sidecar.c" \
                sh -c "[ \$(grep -c 'at: \"cases/sidecar.c:[0-9]*\"' '$EV/sidecar.tap') -ge 3 ] &&
                        ! grep 'at: \"harness/' '$EV/sidecar.tap'"
else
        skipped "evidence: the sidecar's helper-made checks are reported at cases/sidecar.c" \
                "sidecar.netns.shared did not pass here ($(ev_verdict sidecar sidecar.netns.shared))"
fi
# Further input: a fixture (iso_fixture_*) that ends the case reports the case's line too.
build/san/isocheck-selftest --filter selftest.where.fixture --tap "$EV/where.tap" \
        --junit "$EV/where.xml" --artifacts "$EV/where.art" >/dev/null 2>&1
ev_line=$(grep -n 'iso_fixture_fresh_artifact(t, "not/a/name"' harness/tests/selfcases.c | cut -d: -f1)
check "evidence: an error raised in a fixture is reported at the calling case's line" \
        grep -q "at: \"harness/tests/selfcases.c:$ev_line\"" "$EV/where.tap"
check "evidence: no check of any case is reported at a shared helper (harness/)" \
        sh -c "! grep -h 'at: \"harness/' '$EV/pidns.tap' '$EV/oom.tap'"

# --- renamed variant: .tool is now .stress-ng; the old name still selects it --------------
# Input (issue 13): "today .tool is stress-ng while .stress is stress ... the old name still
# accepted by --filter for a while".
$ev_iso -l --filter cgroup.memory.oom_kill.tool >"$EV/alias.out" 2>"$EV/alias.err"
check "evidence: --filter with the old name selects cgroup.memory.oom_kill.stress-ng" \
        sh -c "[ \"\$(cut -d' ' -f1 '$EV/alias.out')\" = cgroup.memory.oom_kill.stress-ng ]"
check "evidence: ... and says the old name is deprecated, on stderr" \
        grep -q 'cgroup.memory.oom_kill.tool is the former name of cgroup.memory.oom_kill.stress-ng.*deprecated' "$EV/alias.err"
$ev_iso -l --filter 'cgroup.memory.oom_kill*' --exclude cgroup.memory.oom_kill.tool >"$EV/alias2.out" 2>&1
check "evidence: --exclude with the old name leaves it out" \
        sh -c "grep -q '^cgroup.memory.oom_kill.stress ' '$EV/alias2.out' && ! grep -q 'stress-ng ' '$EV/alias2.out'"
check "evidence: the run's reports use the new name only" \
        sh -c "! grep -q 'oom_kill\.tool' '$EV/oom.tap' '$EV/oom.xml'"

# --- a note that changes no verdict stays off every run's stderr ---------------------------
# Input (issue 13): "the oom_score_adj line on every run".
check "evidence: a run without -v says nothing about oom_score_adj on stderr" \
        sh -c "! grep -q oom_score_adj '$EV/oom.err'"
if $ev_iso --env | grep -q '^oom_score_adj .*keeps its own'; then
        check "evidence: -v says it, and --env explains it" grep -q "note: the runner's oom_score_adj" "$EV/pidns.err"
else
        check "evidence: --env says the runner shields itself" sh -c "$ev_iso --env | grep -q '^oom_score_adj .*can shield'"
fi

# --- properties: which kernel, which config ----------------------------------------------
# Input (issue 13): "Record uname -v, the kernel package version when known, and the kernel
# config symbols the cases depend on".
ev_props() { # XML
        ev_py "$@" <<'PYEOF'
import gzip, os, sys, xml.etree.ElementTree as ET
props = {p.get("name"): p.get("value") for p in ET.parse(sys.argv[1]).iter("property")}
if props.get("kernel.version") != os.uname().version:
    sys.exit(f"kernel.version {props.get('kernel.version')!r}, uname -v {os.uname().version!r}")
if not props.get("kernel.package"):
    sys.exit("no kernel.package property")
src = props.get("kconfig.source")
if src in (None, "none"):
    sys.exit(0)
opener = gzip.open if src.endswith(".gz") else open
cfg = {}
with opener(src, "rt") as f:
    for l in f:
        if l.startswith("CONFIG_") and "=" in l:
            k, v = l.strip().split("=", 1)
            cfg[k] = v
for sym in ("CONFIG_MEMCG", "CONFIG_MEMCG_V1", "CONFIG_PID_NS", "CONFIG_VETH",
            "CONFIG_PREEMPT_RT", "CONFIG_CGROUP_PIDS"):
    want = cfg.get(sym, "not set")
    got = props.get("kconfig." + sym)
    if got != want:
        sys.exit(f"kconfig.{sym} is {got!r}, {src} says {want!r}")
PYEOF
}
check "evidence: properties carry uname -v, the kernel package and kconfig symbols as configured" \
        ev_props "$EV/pidns.xml"

check "evidence: the runs left no cgroup behind" no_cgroups_of "$EV"/oom.xml "$EV"/pidns.xml \
        "$EV"/sidecar.xml "$EV"/where.xml
