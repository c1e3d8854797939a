#!/usr/bin/python3
"""Open isocheck's report page from disk in headless Chromium (selenium + chromedriver) and
check what a person would see: one cell per testcase of the inputs, a failing cell showing
its expected and got, the OOM chart with points and a kill marker, the ladder with the
exchange's packets, the process tables linked, a hostile name kept as text, and that the page
made no network request and logged no console error.

  html_browser.py PAGE --testcases N --configs N --expected TEXT --got TEXT
                  [--hostile NAME] [--ladder-packets N] [--screenshot PNG] [--profile DIR]

Exit 0 when every check holds, 1 naming the first that does not, 77 when the browser cannot
start (the caller says why it skips).
"""
import argparse
import json
import os
import signal
import sys
import time

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
except ImportError as exc:  # python3-selenium missing
    print("selenium: %s" % exc)
    sys.exit(77)


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def start(profile):
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--window-size=1500,1050", "--user-data-dir=" + profile,
              "--no-first-run", "--disable-background-networking", "--disable-sync",
              "--disable-component-update", "--disable-default-apps"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    try:
        return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    except Exception as exc:  # chromium or its driver cannot run here
        print("chromium did not start: %s" % str(exc).splitlines()[0])
        sys.exit(77)


def cell(drv, case, verdict=None):
    sel = 'td.cell[data-case="%s"]' % case.replace('"', '\\"')
    if verdict:
        sel += '[data-verdict="%s"]' % verdict
    found = drv.find_elements(By.CSS_SELECTOR, sel)
    if not found:
        fail("no cell %s" % sel)
    return found[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("page")
    ap.add_argument("--testcases", type=int, required=True)
    ap.add_argument("--configs", type=int, required=True)
    ap.add_argument("--expected", required=True)
    ap.add_argument("--got", required=True)
    ap.add_argument("--hostile")
    ap.add_argument("--ladder-packets", type=int, help="segments of the first connection")
    ap.add_argument("--screenshot")
    ap.add_argument("--profile", default="/tmp/isocheck-html-profile")
    a = ap.parse_args()

    url = "file://" + os.path.abspath(a.page)
    # timeout(1)'s SIGTERM ends the checks through `finally`, so the browser is quit too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("FAIL: stopped by SIGTERM (timeout)"))
    drv = start(a.profile)
    try:
        drv.get(url)
        deadline = time.time() + 20
        while not drv.find_elements(By.CSS_SELECTOR, "td.cell") and time.time() < deadline:
            time.sleep(0.1)

        cells = drv.find_elements(By.CSS_SELECTOR, "td.cell")
        ran = [c for c in cells if c.get_attribute("data-verdict") != "absent"]
        rows = drv.find_elements(By.CSS_SELECTOR, "#matrix tbody tr")
        if len(ran) != a.testcases:
            fail("%d cells with a verdict, the inputs hold %d testcases" % (len(ran), a.testcases))
        if len(cells) != len(rows) * a.configs:
            fail("%d cells for %d rows x %d configurations" % (len(cells), len(rows), a.configs))
        print("cells: %d (%d with a verdict) = testcases in the inputs" % (len(cells), len(ran)))

        # A failing cell shows its checks with expected and got.
        cell(drv, "cgroup.memory.oom_kill", "fail").click()
        bad = drv.find_elements(By.CSS_SELECTOR, "#detail table.checks tr.failed")
        if not bad:
            fail("the failing cell's detail shows no failed check")
        exp = bad[0].find_element(By.CSS_SELECTOR, "td.expected").text
        got = bad[0].find_element(By.CSS_SELECTOR, "td.got").text
        if exp != a.expected or got != a.got:
            fail("failed check shows expected %r got %r; the JUnit says %r / %r"
                 % (exp, got, a.expected, a.got))
        print("failing cell: expected %r, got %r" % (exp, got))
        # Its chart: the process died without an OOM count, the last sample marked.
        if not drv.find_elements(By.CSS_SELECTOR, "#detail svg.oom-chart .kill-marker"):
            fail("the failing OOM cell's chart has no kill marker")
        if a.screenshot:
            drv.save_screenshot(a.screenshot)
            print("screenshot: " + a.screenshot)

        # The OOM chart of the passing run: points, the limit, one kill marker.
        cell(drv, "cgroup.memory.oom_kill", "pass").click()
        pts = drv.find_elements(By.CSS_SELECTOR, "#detail svg.oom-chart circle.point")
        kill = drv.find_elements(By.CSS_SELECTOR, "#detail svg.oom-chart .kill-marker")
        limit = drv.find_elements(By.CSS_SELECTOR, "#detail svg.oom-chart line.limit")
        if len(pts) < 2 or len(kill) != 1 or len(limit) != 1:
            fail("OOM chart: %d points, %d kill markers, %d limit lines" % (len(pts), len(kill), len(limit)))
        print("OOM chart: %d points, a limit line, a kill marker" % len(pts))

        # The ladder: the handshake, the request and the 200 of the captured exchange.
        cell(drv, "sidecar.capture.http", "pass").click()
        labels = [g.get_attribute("data-label") for g in
                  drv.find_elements(By.CSS_SELECTOR, "#detail svg.ladder-chart g.packet")]
        want = ["SYN", "SYN-ACK"]
        if labels[:2] != want or not any(l.startswith("GET ") for l in labels) or \
                not any(l.startswith("HTTP/1.") and " 200" in l for l in labels):
            fail("ladder packets %r: want SYN, SYN-ACK, a GET and a 200" % labels)
        if a.ladder_packets is not None and len(labels) != a.ladder_packets:
            fail("ladder: %d packets drawn, the capture's first connection has %d"
                 % (len(labels), a.ladder_packets))
        if not drv.find_elements(By.CSS_SELECTOR, "#detail a.pcap[download]"):
            fail("the ladder has no download link to its pcap")
        print("ladder: %d packets: %s" % (len(labels), ", ".join(labels)))

        # Process tables side by side: each process inside linked to its host PID.
        cell(drv, "pidns.view.isolated", "pass").click()
        linked = drv.find_elements(By.CSS_SELECTOR, '#detail table.procs tr[data-linked="differs"]')
        if len(linked) < 1:
            fail("the process tables link no PID that differs")
        print("process tables: %d processes linked to another host PID" % len(linked))

        # A hostile case name is text, not markup: no element it could have made.
        if a.hostile:
            names = [th.text for th in drv.find_elements(By.CSS_SELECTOR, "#matrix th.case")]
            if a.hostile not in names:
                fail("the hostile case name is not shown as written: %r" % names)
            if drv.find_elements(By.CSS_SELECTOR, "img, #props b, #matrix b"):
                fail("a string of the data became markup")
            print("hostile name shown as text")

        # The verdict filter hides what it unticks.
        box = drv.find_element(By.CSS_SELECTOR, 'input[data-filter="verdict"][value="pass"]')
        box.click()
        seen = [c for c in drv.find_elements(By.CSS_SELECTOR, 'td.cell[data-verdict="pass"]')
                if c.is_displayed()]
        if seen:
            fail("%d pass cells still shown with pass unticked" % len(seen))
        box.click()

        # Nothing fetched but the page itself; nothing logged as an error. The browser's own
        # pages (the new tab's chrome:// resources, loaded before it) are other documents:
        # only requests of the page's own navigation (its loaderId) count.
        fetched, loaders = [], set()
        events = [json.loads(e["message"])["message"] for e in drv.get_log("performance")]
        sent = [m["params"] for m in events if m.get("method") == "Network.requestWillBeSent"]
        loaders = {p.get("loaderId") for p in sent if p["request"]["url"] == url}
        if not loaders:
            fail("the performance log shows no request for the page itself: cannot judge")
        for p in sent:
            if p.get("loaderId") not in loaders:
                continue
            u = p["request"]["url"]
            if u != url:
                fetched.append(u)
        if fetched:
            fail("the page requested %r" % fetched)
        errors = [e["message"] for e in drv.get_log("browser") if e.get("level") == "SEVERE"]
        if errors:
            fail("console errors: %r" % errors)
        print("no network request, no console error")
    finally:
        drv.quit()


if __name__ == "__main__":
    main()
