# `isocheck report` (issue 13): the matrix over many runs. Golden outputs for the terminal
# (no TTY), Markdown and JSON over the JUnit fixtures in fixtures/reports/ (configurations
# that differ, a merged VM file of two suites in both classname shapes, a failure and an
# error, a hostile-string report, a report directory); the exit statuses; then the reader
# against the real JUnit writer (a selftest run of this build). Sourced by run.sh /
# field.sh with $top as the working directory.
# MATRIX_GOLDEN=update rewrites the goldens from this build (then review the diff).
MX=$work/matrix
mkdir -p "$MX"
R=fixtures/reports
G=$R/golden
BIN=build/san/isocheck
MXF="$R/host-hybrid.junit.xml $R/vm-6.1.junit.xml $R/vm-6.12-v1.junit.xml $R/hostile.junit.xml"

# golden NAME RC ARGS...: run the report, compare stdout with $G/NAME, expect exit RC.
golden() {
        local name=$1 want=$2 rc
        shift 2
        $BIN report "$@" >"$MX/$name" 2>"$MX/$name.err"
        rc=$?
        if [ "${MATRIX_GOLDEN:-}" = update ]; then cp "$MX/$name" "$G/$name"; fi
        [ "$rc" -eq "$want" ] || { echo "exit $rc, expected $want"; cat "$MX/$name.err"; return 1; }
        [ ! -s "$MX/$name.err" ] || { echo "stderr:"; cat "$MX/$name.err"; return 1; }
        diff -u "$G/$name" "$MX/$name"
}
# refused WANT_PATTERN ARGS...: exit 2, one line on stderr matching the pattern, no stdout.
refused2() {
        local pat=$1 rc
        shift
        $BIN report "$@" >"$MX/r.out" 2>"$MX/r.err"
        rc=$?
        [ "$rc" -eq 2 ] && [ ! -s "$MX/r.out" ] && [ "$(wc -l <"$MX/r.err")" -eq 1 ] &&
                grep -q -- "$pat" "$MX/r.err" || { echo "rc $rc"; cat "$MX/r.err" "$MX/r.out"; return 1; }
}

# --- goldens -------------------------------------------------------------------------
# shellcheck disable=SC2086
check "matrix: text table (no TTY) of 4 reports, 5 configurations, equals the golden; exit 1 (a fail)" \
        golden matrix.txt 1 $MXF
# shellcheck disable=SC2086
check "matrix: --details --baseline 1 marks each differing cell and lists the reasons; golden" \
        golden matrix-details.txt 1 --details --baseline 1 $MXF
# shellcheck disable=SC2086
check "matrix: Markdown equals the golden" golden matrix.md 1 --format markdown $MXF
# shellcheck disable=SC2086
check "matrix: JSON equals the golden" golden matrix.json 1 --format json $MXF
check "matrix: a report directory (host + vm-*/ + container/) equals the golden; exit 0" \
        golden matrix-dir.txt 0 $R/dir

# --- what the goldens hold, checked by consumers ------------------------------------------
check "matrix: the JSON is valid for python's json.tool" $PY -m json.tool "$MX/matrix.json"
# Every testcase of the inputs is one non-absent cell; every row has a cell per column;
# differing rows come first; the merged VM file's prefixed classnames ("vm-...-v2.") are
# the same rows as the plain ones; the failed check keeps its expected and got.
json_model_ok() {
        $PY - "$MX/matrix.json" $MXF <<'PY'
import json, sys, xml.etree.ElementTree as ET
d = json.load(open(sys.argv[1]))
n_tc = sum(len(ET.parse(f).getroot().findall('.//testcase')) for f in sys.argv[2:])
n_suites = sum(len(ET.parse(f).getroot().findall('.//testsuite')) for f in sys.argv[2:])
cfgs, cases = d['configurations'], d['cases']
assert len(cfgs) == n_suites == d['summary']['configurations'], (len(cfgs), n_suites)
assert all(len(c['cells']) == len(cfgs) for c in cases)
cells = [x for c in cases for x in c['cells'] if x['verdict'] != 'absent']
assert len(cells) == n_tc, (len(cells), n_tc)
assert len({c['label'] for c in cfgs}) == len(cfgs), 'labels not unique'
diff = [c['differs'] for c in cases]
assert diff == sorted(diff, reverse=True), 'differing rows are not first'
assert not any(c['name'].startswith('vm-') for c in cases), [c['name'] for c in cases]
row = {c['name']: c for c in cases}
v2 = [i for i, c in enumerate(cfgs) if c['suite'] == 'vm-6.1.0-28-amd64-v2'][0]
assert row['cgroup.memory.oom_group']['cells'][v2]['verdict'] == 'pass'
fail = [x for x in row['pidns.view.isolated']['cells'] if x['verdict'] == 'fail'][0]
bad = [k for k in fail['checks'] if not k['ok']][0]
assert bad['expected'] == 'only PIDs 1..3 listed inside' and bad['got'].startswith('PIDs 1, 2, 3, 812'), bad
assert d['summary']['exit_status'] == 1
host = row['cgroup.memory.oom_kill']['cells'][0]
assert [a['name'] for a in host['artifacts']] == ['kmsg-oom.txt', 'memory.csv'], host['artifacts']
assert all(a['exists'] for a in host['artifacts'])
hostile = [c for c in cfgs if c['source'].endswith('hostile.junit.xml')][0]
assert hostile['properties']['hostname'] == 'h"<b>&' and hostile['properties']['kernel.release'] == '6.18.44-caf\u00e9'
assert '\u009b' in hostile['properties']['cgroup.mode']
PY
}
check "matrix: JSON model: one cell per testcase, a cell per column, differing rows first, both VM classname shapes, expected/got, artifacts found" \
        json_model_ok
# The Markdown table: a header, a separator and one line per case, each with a cell per
# configuration plus the case's (cells split on unescaped pipes, as GFM does).
md_table_ok() {
        $PY - "$MX/matrix.md" "$MX/matrix.json" <<'PY'
import json, re, sys
md = open(sys.argv[1], encoding='utf-8').read().splitlines()
d = json.load(open(sys.argv[2]))
rows = [l for l in md if l.startswith('|')]
want = len(d['cases']) + 2
assert len(rows) == want, (len(rows), want)
first = md.index(rows[0])
assert md[first:first + want] == rows, 'the table is not one block'
for l in rows:
    cells = re.split(r'(?<!\\)\|', l)[1:-1]
    assert len(cells) == len(d['configurations']) + 1, (len(cells), l)
assert re.fullmatch(r'\|(---\|)+', rows[1]), rows[1]
text = '\n'.join(md)
assert '<b>' not in text and '</script>' not in text, 'raw markup from a report'
PY
}
check "matrix: Markdown is one table of cases+2 lines, configurations+1 cells each, no raw markup" \
        md_table_ok
# Nothing from a report reaches the terminal as a control: no ESC, no C1 (U+009B is CSI).
no_controls() { ! LC_ALL=C grep -q -P '\x1b|\xc2[\x80-\x9f]' "$@"; }
check "matrix: text, Markdown and JSON hold no ESC and no C1 control byte from the hostile report" \
        no_controls "$MX/matrix.txt" "$MX/matrix-details.txt" "$MX/matrix.md" "$MX/matrix.json"

# --- exit statuses and refusals --------------------------------------------------------
check "matrix: a JUnit cut short is exit 2 naming the file and libxml2's line" \
        refused2 "broken.junit.xml:9: expected an isocheck JUnit file" $R/host-hybrid.junit.xml $R/broken.junit.xml
check "matrix: a missing input is exit 2 naming it" refused2 "no-such.xml: expected a JUnit file" $MX/no-such.xml
check "matrix: a directory without a report is exit 2 naming it" \
        refused2 "expected a report directory holding isocheck.junit.xml" $R/golden
check "matrix: --format pdf is exit 2" refused2 "format pdf: expected text, markdown, json or html" --format pdf $R/dir
check "matrix: --baseline 9 of 4 columns is exit 2" refused2 "expected a column in 1..4" --baseline 9 $R/dir
check "matrix: no input is exit 2" refused2 "expected at least one JUnit file"
check "matrix: an unknown option is exit 2" refused2 "unknown option" --colour $R/dir
baseline_label() {
        $BIN report --baseline "vm isocheck-vm 6.1.0-28-amd64 unified" $R/dir >"$MX/bl.txt" || return 1
        grep -q '^  \[4\] .*  baseline$' "$MX/bl.txt" && grep -q '^  pidns.view.isolated  *pass\*  *pass\*  *pass\*  *skip$' "$MX/bl.txt" ||
                { cat "$MX/bl.txt"; return 1; }
}
check "matrix: --baseline by label marks the other columns' differing cells" baseline_label

# --- -o FILE and colour ------------------------------------------------------------------
out_file() {
        mkdir -p "$MX/out"
        $BIN report --format json -o "$MX/out/m.json" $R/host-hybrid.junit.xml >"$MX/o.stdout" || return 1
        [ ! -s "$MX/o.stdout" ] || { echo "stdout not empty"; return 1; }
        # The artifact paths are relative to the output file's directory.
        $PY - "$MX/out/m.json" <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1]))
arts = [a for c in d['cases'] for x in c['cells'] for a in x.get('artifacts', [])]
assert len(arts) == 3, arts
for a in arts:
    p = os.path.join(os.path.dirname(sys.argv[1]), a['path'])
    assert os.path.isfile(p), (a, p)
PY
}
check "matrix: -o FILE writes the JSON there, artifact paths relative to that file's directory" out_file
out_nodir() {
        $BIN report -o "$MX/none/m.txt" $R/dir 2>"$MX/nd.err"
        [ $? -eq 2 ] && [ ! -e "$MX/none" ] && grep -q "$MX/none/m.txt" "$MX/nd.err" || { cat "$MX/nd.err"; return 1; }
}
check "matrix: -o into a missing directory is exit 2 naming the file, nothing written" out_nodir
# On a terminal (script(1) gives one) the verdicts are coloured; NO_COLOR turns it off.
colour_tty() {
        command -v script >/dev/null || { echo "no script(1)"; return 1; }
        script -q -e -c "$BIN report $R/vm-6.12-v1.junit.xml" /dev/null >"$MX/tty.out" </dev/null
        grep -q $'\x1b\\[1;31mfail' "$MX/tty.out" || { cat -v "$MX/tty.out"; return 1; }
        NO_COLOR=1 script -q -e -c "$BIN report $R/vm-6.12-v1.junit.xml" /dev/null >"$MX/tty2.out" </dev/null
        ! grep -q $'\x1b' "$MX/tty2.out" || { cat -v "$MX/tty2.out"; return 1; }
}
if command -v script >/dev/null; then
        check "matrix: on a TTY the verdicts are coloured, with NO_COLOR set they are not" colour_tty
else
        skipped "matrix: colour on a TTY" "script(1) (util-linux) is not installed"
fi

# --- the reader against the real writer -----------------------------------------------
# A selftest run of this build writes a JUnit with a pass (an artifact), a fail (expected
# 42, got 41), an error, a skip and hostile bytes; the report reads each back.
build/san/isocheck-selftest --filter selftest.verdict.pass --filter selftest.verdict.fail \
        --filter selftest.verdict.broken --filter selftest.verdict.skip \
        --filter selftest.strings.hostile --junit "$MX/run/isocheck.junit.xml" \
        --tap "$MX/run/isocheck.tap" --artifacts "$MX/run/artifacts" >/dev/null 2>"$MX/run.err"
real_run() {
        $BIN report --format json -o "$MX/real.json" "$MX/run"
        [ $? -eq 1 ] || { echo "expected exit 1: the run has a fail"; return 1; }
        $PY - "$MX/real.json" "$MX/run/isocheck.junit.xml" <<'PY'
import json, os, sys, xml.etree.ElementTree as ET
d = json.load(open(sys.argv[1]))
n_tc = len(ET.parse(sys.argv[2]).getroot().findall('.//testcase'))
row = {c['name']: c['cells'][0] for c in d['cases']}
assert len(row) == n_tc == 5, (sorted(row), n_tc)
want = {'selftest.verdict.pass': 'pass', 'selftest.verdict.fail': 'fail',
        'selftest.verdict.broken': 'error', 'selftest.verdict.skip': 'skip',
        'selftest.strings.hostile': 'fail'}
assert {k: v['verdict'] for k, v in row.items()} == want, row
bad = [k for k in row['selftest.verdict.fail']['checks'] if not k['ok']]
assert [(k['what'], k['expected'], k['got']) for k in bad] == [('the answer', '42', '41')], bad
assert row['selftest.verdict.fail']['checks'][0]['where'].startswith('harness/tests/selfcases.c:'), row['selftest.verdict.fail']['checks'][0]
p = row['selftest.verdict.pass']
skip = [k for k in p['checks'] if k['skipped']]
assert skip and skip[0]['got'] == 'needs a # unicorn', p['checks']
arts = p['artifacts']
assert [a['name'] for a in arts] == ['note.txt'] and arts[0]['exists'], arts
assert os.path.isfile(os.path.join(os.path.dirname(sys.argv[1]), arts[0]['path']))
assert row['selftest.verdict.skip']['message'].startswith('needs a unicorn')
PY
}
check "matrix: a real selftest run's JUnit reads back: verdicts, checks with expected/got, skip reason, artifact" \
        real_run
check "matrix: its text table holds no control byte from the hostile case" \
        bash -c "$BIN report --details $MX/run >$MX/real.txt; [ \$? -eq 1 ] && ! LC_ALL=C grep -q -P '\\x1b|\\xc2[\\x80-\\x9f]' $MX/real.txt"
