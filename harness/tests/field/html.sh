# The report page of issue 13 (`isocheck report --format html`, and reports/index.html
# that every run leaves beside its JUnit). Sourced by run.sh / field.sh with $top as the
# working directory. The browser part needs chromium, chromium-driver and python3-selenium
# (scripts/deps.sh test); ISOCHECK_UPDATE_SCREENSHOT=1 also copies the screenshot it makes
# to docs/report.png (the README's picture).
H=$work/html
mkdir -p "$H"
F=fixtures/reports/html
# The data of the page: the JSON in its <script type="application/json"> element.
page_data() { # PAGE [PYTHON-EXPR on d]: print the expression (default: the whole JSON)
        $PY -c '
import json, re, sys
html = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r"<script type=\"application/json\" id=\"isocheck-data\">(.*?)</script>", html, re.S)
d = json.loads(m.group(1))
print(eval(sys.argv[2]) if len(sys.argv) > 2 else json.dumps(d))' "$@"
}
testcases_in() { cat "$@" | grep -c '<testcase '; }

# --- the page of two configurations (fixtures/reports/html: a host run and a VM run with a
# failure, an error, a skip, absent cases and a hostile case name) ------------------------
build/san/isocheck report --format html -o "$H/index.html" $F/host $F/vm-v2 >"$H/out" 2>"$H/err"
rc=$?
check "html: report --format html exits 1 over inputs with a fail cell" test $rc -eq 1
check "html: ... and writes one page, nothing on stdout" sh -c "test -s '$H/index.html' && ! test -s '$H/out'"
n_tc=$(testcases_in $F/host/isocheck.junit.xml $F/vm-v2/isocheck.junit.xml)
check "html: the page's data holds one cell per testcase of the inputs ($n_tc)" \
        test "$(page_data "$H/index.html" 'sum(1 for c in d["cases"] for x in c["cells"] if x["verdict"] != "absent")')" = "$n_tc"
# The evidence was read in C: the OOM samples, the process rows, the captured exchange.
check "html: ... the OOM case carries its memory samples and the kill" \
        test "$(page_data "$H/index.html" '[ (len(x["evidence"]["memory"]["t"]), x["evidence"]["memory"]["kill"]) for c in d["cases"] if c["name"] == "cgroup.memory.oom_kill" for x in c["cells"]][0]')" = "(40, 33)"
check "html: ... the sidecar case carries the exchange's segments, SYN first" \
        test "$(page_data "$H/index.html" '[l["packets"][0]["label"] for c in d["cases"] if c["name"] == "sidecar.capture.http" for x in c["cells"] for l in x["evidence"]["ladders"]]')" = "['SYN', 'SYN']"
# No byte of the data can end its element: the hostile name's "</script>" is escaped.
check "html: the data has no '<', so no '</script>' in a name ends it" \
        sh -c "test \$(grep -c '</script>' '$H/index.html') -eq 2 && ! grep -q 'onerror=alert(1)>' '$H/index.html'"

# --- the page in a real browser: Debian's chromium, driven by selenium ------------------
browser_why=""
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
        browser_why="chromium or chromium-driver is not installed (scripts/deps.sh test installs them)"
elif ! /usr/bin/python3 -c 'import selenium' 2>/dev/null; then
        browser_why="python3-selenium is not installed (scripts/deps.sh test installs it)"
fi
browse() { # PAGE [more options]: the browser check of html_browser.py on PAGE
        local page=$1
        shift
        timeout 120 /usr/bin/python3 harness/tests/html_browser.py "$page" \
                --testcases "$n_tc" --configs 2 --profile "$H/profile.$RANDOM" \
                --expected "memory.events oom_kill 1" \
                --got "memory.events oom_kill 0 (the hog died of SIGKILL without an OOM count)" "$@"
}
if [ -n "$browser_why" ]; then
        skipped "html: the page in headless chromium" "$browser_why"
else
        # What tcpdump counts in the first connection of the host's capture: the ladder's packets.
        pcap=$F/host/artifacts/sidecar.capture.http/capture.pcap
        sport=$(tcpdump -nr "$pcap" 'tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn' 2>/dev/null |
                head -n 1 | sed -E 's/.* IP6? [^ ]*\.([0-9]+) > .*/\1/')
        n_seg=$(tcpdump -nr "$pcap" "tcp port $sport" 2>/dev/null | wc -l)
        browse "$H/index.html" --screenshot "$H/report.png" --ladder-packets "$n_seg" \
                --hostile "hostile.</script><!--<img src=x onerror=alert(1)>\"'&" >"$H/browser" 2>&1
        rc=$?
        if [ $rc -eq 77 ]; then
                skipped "html: the page in headless chromium" "$(tail -n 1 "$H/browser")"
        else
                check "html: in chromium: cells = testcases, a failing cell shows expected and got, OOM chart with points and kill, ladder, linked PIDs, no request, no console error" \
                        sh -c "test $rc -eq 0 || { cat '$H/browser'; exit 1; }"
                check "html: ... the screenshot is a PNG" sh -c "head -c 8 '$H/report.png' | od -An -c | grep -q 'P   N   G'"
                if [ "${ISOCHECK_UPDATE_SCREENSHOT:-}" = 1 ] && [ -s "$H/report.png" ]; then
                        cp "$H/report.png" docs/report.png
                fi
                # The checks can fail: a page that loads an image from the network (CSP
                # off, so the request is made) and one that logs an error are refused.
                sed -e '/http-equiv="Content-Security-Policy"/d' \
                        -e 's|</body>|<img src="http://127.0.0.1:9/probe.png" alt=""></body>|' \
                        "$H/index.html" >"$H/fetches.html"
                browse "$H/fetches.html" >"$H/fetches" 2>&1
                rc=$?
                check "html: ... a page that requests http://127.0.0.1:9/probe.png is refused, naming it" \
                        sh -c "test $rc -eq 1 && grep -q 'requested.*127.0.0.1:9/probe.png' '$H/fetches' || { cat '$H/fetches'; exit 1; }"
                sed 's|</body>|<script>console.error("planted")</script></body>|' "$H/index.html" >"$H/logs.html"
                browse "$H/logs.html" >"$H/logs" 2>&1
                rc=$?
                check "html: ... a page that logs a console error is refused, naming it" \
                        sh -c "test $rc -eq 1 && grep -q 'console errors.*planted' '$H/logs' || { cat '$H/logs'; exit 1; }"
        fi
fi

# --- a run leaves index.html beside its JUnit (what `make check` leaves in reports/) -----
# Quoted input: `sudo make check`, then opening reports/index.html.
mkdir -p "$H/run"
build/san/isocheck --filter cgroup.memory.limit --filter 'pidns.view.*' \
        --junit "$H/run/isocheck.junit.xml" --tap "$H/run/isocheck.tap" \
        --artifacts "$H/run/artifacts" >"$H/run/out" 2>"$H/run/err"
rc=$?
check "html: a run exits 0 and leaves index.html beside isocheck.junit.xml" \
        sh -c "test $rc -eq 0 && test -s '$H/run/index.html' || { tail -5 '$H/run/err'; exit 1; }"
check "html: ... its page has one cell per testcase the run wrote" \
        test "$(page_data "$H/run/index.html" 'sum(len(c["cells"]) for c in d["cases"])')" = "$(testcases_in "$H/run/isocheck.junit.xml")"
check "html: ... the TAP on stdout is untouched by the page (first line TAP version)" \
        sh -c "head -n 1 '$H/run/out' | grep -qx 'TAP version 14'"
check "html: ... the run left no cgroup" no_cgroups_of "$H/run/isocheck.junit.xml"
# A page that cannot be written is a note and changes no verdict: index.html is a directory.
mkdir -p "$H/blocked/index.html"
build/san/isocheck --filter cgroup.memory.limit --junit "$H/blocked/isocheck.junit.xml" \
        --tap "$H/blocked/isocheck.tap" --artifacts "$H/blocked/artifacts" >/dev/null 2>"$H/blocked/err"
rc=$?
check "html: index.html unwritable (a directory): the run still exits 0, a note names it" \
        sh -c "test $rc -eq 0 && grep -q 'note: the report page was not written: .*index.html' '$H/blocked/err' || { cat '$H/blocked/err'; exit 1; }"
check "html: ... and the JUnit is there" test -s "$H/blocked/isocheck.junit.xml"
# A link planted at index.html is replaced by the page, never written through.
mkdir -p "$H/link"
echo "not yours" >"$H/victim"
ln -s "$H/victim" "$H/link/index.html"
build/san/isocheck --filter cgroup.memory.limit --junit "$H/link/isocheck.junit.xml" \
        --tap "$H/link/isocheck.tap" --artifacts "$H/link/artifacts" >/dev/null 2>"$H/link/err"
check "html: a link at index.html is replaced by the page; its target is untouched" \
        sh -c "test -f '$H/link/index.html' && ! test -L '$H/link/index.html' && test \"\$(cat '$H/victim')\" = 'not yours'"
