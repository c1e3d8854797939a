/* isocheck report page: draws the matrix and each case's evidence from the JSON in
 * #isocheck-data. Every string from the data goes into the page as text (textContent,
 * setAttribute), never as markup, so a hostile test name stays a name. No network. */
"use strict";
(function () {
  var SVGNS = "http://www.w3.org/2000/svg";
  var VERDICTS = ["fail", "error", "skip", "pass", "absent"];
  var data = JSON.parse(document.getElementById("isocheck-data").textContent);
  var configs = data.configurations || [];
  var cases = data.cases || [];
  var state = { verdict: {}, area: {}, config: {}, text: "", sel: null };

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) if (attrs[k] !== undefined && attrs[k] !== null) e.setAttribute(k, attrs[k]);
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVGNS, tag);
    if (attrs) for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function str(v) { return v === undefined || v === null ? "" : String(v); }
  function verdictOf(cell) { return cell && cell.verdict ? String(cell.verdict) : "absent"; }
  function areaOf(c) { return c.area ? String(c.area) : String(c.name || "").split(".")[0]; }
  function labelOf(cfg, i) { return cfg && cfg.label ? String(cfg.label) : "configuration " + (i + 1); }
  // Properties come as an object or as a list of {name, value}.
  function propsOf(cfg) {
    var p = (cfg && cfg.properties) || {}, out = [];
    if (Array.isArray(p)) p.forEach(function (x) { out.push([str(x.name), str(x.value)]); });
    else for (var k in p) out.push([k, str(p[k])]);
    return out;
  }
  function bytes(n) {
    var u = ["B", "KiB", "MiB", "GiB"], i = 0;
    while (Math.abs(n) >= 1024 && i < u.length - 1) { n /= 1024; i++; }
    return (i ? n.toFixed(1) : String(Math.round(n))) + " " + u[i];
  }

  /* ------------------------------------------------------------------ summary, filters */
  function summary() {
    var n = {}, total = 0;
    VERDICTS.forEach(function (v) { n[v] = 0; });
    cases.forEach(function (c) { (c.cells || []).forEach(function (cell) { n[verdictOf(cell)]++; total++; }); });
    var s = document.getElementById("summary");
    function plural(n, w) { return n + " " + w + (n === 1 ? "" : "s"); }
    s.appendChild(el("b", null, plural(cases.length, "case") + " \u00d7 " + plural(configs.length, "configuration")));
    s.appendChild(document.createTextNode(": " + VERDICTS.filter(function (v) { return n[v]; })
      .map(function (v) { return n[v] + " " + v; }).join(", ") + ". Rows marked \u25cf differ across configurations. Click a cell for its checks and evidence."));
    return n;
  }
  function checkbox(box, group, key, text) {
    var l = el("label"), c = el("input", { type: "checkbox", "data-filter": group, value: key });
    c.checked = true;
    state[group][key] = true;
    c.addEventListener("change", function () { state[group][key] = c.checked; draw(); });
    l.appendChild(c);
    l.appendChild(document.createTextNode(" " + text));
    box.appendChild(l);
  }
  function filters(counts) {
    var fv = document.getElementById("f-verdict");
    VERDICTS.forEach(function (v) { if (counts[v]) checkbox(fv, "verdict", v, v + " (" + counts[v] + ")"); });
    var areas = [];
    cases.forEach(function (c) { var a = areaOf(c); if (areas.indexOf(a) < 0) areas.push(a); });
    areas.sort().forEach(function (a) { checkbox(document.getElementById("f-area"), "area", a, a); });
    configs.forEach(function (cfg, i) { checkbox(document.getElementById("f-config"), "config", String(i), labelOf(cfg, i)); });
    var t = document.getElementById("f-text");
    t.addEventListener("input", function () { state.text = t.value.toLowerCase(); draw(); });
  }

  /* ------------------------------------------------------------------ the matrix */
  function draw() {
    var table = document.getElementById("matrix");
    table.textContent = "";
    var shown = configs.map(function (c, i) { return i; }).filter(function (i) { return state.config[String(i)]; });
    var head = el("thead"), hr = el("tr");
    hr.appendChild(el("th", { scope: "col" }, "case"));
    shown.forEach(function (i) { hr.appendChild(el("th", { scope: "col", title: labelOf(configs[i], i) }, labelOf(configs[i], i))); });
    head.appendChild(hr);
    table.appendChild(head);
    var body = el("tbody");
    cases.forEach(function (c, ci) {
      if (!state.area[areaOf(c)]) return;
      if (state.text && String(c.name).toLowerCase().indexOf(state.text) < 0) return;
      var cells = c.cells || [];
      // A row is shown when one of its shown cells has a shown verdict.
      if (!shown.some(function (i) { return state.verdict[verdictOf(cells[i])]; })) return;
      var tr = el("tr", { "data-case": c.name });
      if (c.differs) tr.className = "differs";
      var th = el("th", { scope: "row", "class": "case", title: c.file ? c.file + (c.line ? ":" + c.line : "") : null }, c.name);
      tr.appendChild(th);
      shown.forEach(function (i) {
        var cell = cells[i], v = verdictOf(cell);
        var td = el("td", { "class": "cell v-" + v, tabindex: "0", role: "button",
          "data-verdict": v, "data-case": c.name, "data-config": labelOf(configs[i], i),
          title: labelOf(configs[i], i) + ": " + v + (cell && cell.message ? " \u2014 " + cell.message : "") }, v);
        if (cell && (cell.baseline_differs || cell.differs_from_baseline)) td.classList.add("baseline-differs");
        if (!state.verdict[v]) td.style.visibility = "hidden";
        if (state.sel && state.sel[0] === ci && state.sel[1] === i) td.classList.add("selected");
        var open = function () { select(ci, i); };
        td.addEventListener("click", open);
        td.addEventListener("keydown", function (ev) { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); open(); } });
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    table.appendChild(body);
  }

  function select(ci, i) {
    state.sel = [ci, i];
    draw();
    detail(cases[ci], (cases[ci].cells || [])[i], configs[i], i);
    // Below a wide matrix the case would open out of sight.
    var d = document.getElementById("detail");
    if (d.getBoundingClientRect().top > window.innerHeight) d.scrollIntoView({ block: "start" });
  }

  /* ------------------------------------------------------------------ one case */
  function detail(c, cell, cfg, i) {
    var d = document.getElementById("detail");
    d.textContent = "";
    d.hidden = false;
    var v = verdictOf(cell);
    d.appendChild(el("h2", null, c.name));
    var p = el("p");
    p.appendChild(el("span", { "class": "verdict v-" + v }, v));
    p.appendChild(document.createTextNode(" in " + labelOf(cfg, i) + (cell && cell.time !== undefined ? ", " + Number(cell.time).toFixed(3) + " s" : "")));
    d.appendChild(p);
    if (c.file) d.appendChild(el("p", { "class": "mono" }, c.file + (c.line ? ":" + c.line : "")));
    if (!cell) { d.appendChild(el("p", null, "This configuration did not run this case.")); return; }
    if (cell.message) d.appendChild(el("p", { "class": "message" }, cell.message));
    var ev = cell.evidence || {};
    if (ev.memory) d.appendChild(memoryChart(ev.memory));
    if (ev.processes) d.appendChild(processTable(ev.processes));
    (ev.ladders || []).forEach(function (l) { d.appendChild(ladder(l)); });
    checks(d, cell.checks || []);
    // The whole text of the failure, error or skip as the JUnit holds it, folded.
    if (cell.detail && cell.detail !== cell.message) {
      var det = el("details", { "class": "detail-text" });
      det.appendChild(el("summary", null, v === "skip" ? "Skip reason as reported" : "Failure text as reported"));
      det.appendChild(el("pre", { "class": "log" }, cell.detail));
      d.appendChild(det);
    }
    if (cell.log) { d.appendChild(el("h3", null, "Log")); d.appendChild(el("pre", { "class": "log" }, cell.log)); }
    var arts = cell.artifacts || [];
    if (arts.length) {
      d.appendChild(el("h3", null, "Artifacts"));
      var ul = el("ul", { "class": "artifacts" });
      arts.forEach(function (a) {
        var li = el("li");
        li.appendChild(el("a", { href: safeHref(a.path), "class": "artifact" }, a.name || a.path));
        if (a.kind) li.appendChild(document.createTextNode(" (" + a.kind + ")"));
        ul.appendChild(li);
      });
      d.appendChild(ul);
    }
  }
  // Artifact paths are relative to the page; a scheme (javascript:, http:) is not followed.
  function safeHref(path) {
    var s = str(path);
    if (/^[a-z][a-z0-9+.-]*:/i.test(s)) return "#";
    return s.split("/").map(encodeURIComponent).join("/");
  }
  function checks(d, list) {
    if (!list.length) return;
    d.appendChild(el("h3", null, "Checks"));
    var t = el("table", { "class": "checks" }), h = el("tr");
    ["", "check", "expected", "got", "where"].forEach(function (x) { h.appendChild(el("th", null, x)); });
    t.appendChild(h);
    list.forEach(function (k) {
      var tr = el("tr", { "class": k.skipped ? "skipped" : k.ok ? "passed" : "failed" });
      tr.appendChild(el("td", { "class": k.ok ? "ok" : "notok" }, k.skipped ? "skip" : k.ok ? "ok" : "not ok"));
      tr.appendChild(el("td", null, k.what));
      tr.appendChild(el("td", { "class": "val expected" }, k.expected));
      tr.appendChild(el("td", { "class": "val got" }, k.got));
      tr.appendChild(el("td", { "class": "mono" }, k.where));
      t.appendChild(tr);
    });
    d.appendChild(t);
  }

  /* ------------------------------------------------------------------ OOM: usage over time */
  function memoryChart(m) {
    var box = el("figure", { "class": "evidence memory" });
    box.appendChild(el("h3", null, "Memory usage of the cgroup up to the OOM kill"));
    if (m.error) { box.appendChild(el("p", { "class": "message evidence-error" }, m.error)); return box; }
    var t = m.t || [], u = m.usage || [];
    var W = 560, H = 240, L = 70, R = 16, T = 14, B = 34;
    var s = svg("svg", { viewBox: "0 0 " + W + " " + H, width: W, height: H, role: "img", "class": "oom-chart" });
    var tmax = t.length ? Math.max(t[t.length - 1], 1e-6) : 1;
    var limMax = Number(m.limit) || 0;
    var ymax = Math.max(limMax, Math.max.apply(null, u.concat([1]))) * 1.1;
    function X(x) { return L + (W - L - R) * x / tmax; }
    function Y(y) { return H - B - (H - T - B) * y / ymax; }
    s.appendChild(svg("line", { "class": "axis", x1: L, y1: H - B, x2: W - R, y2: H - B }));
    s.appendChild(svg("line", { "class": "axis", x1: L, y1: T, x2: L, y2: H - B }));
    for (var k = 0; k <= 4; k++) {
      var yv = ymax * k / 4;
      s.appendChild(svg("text", { x: L - 4, y: Y(yv) + 4, "text-anchor": "end", "class": "muted" }, bytes(yv)));
      var tv = tmax * k / 4;
      s.appendChild(svg("text", { x: X(tv), y: H - B + 14, "text-anchor": k === 4 ? "end" : "middle", "class": "muted" }, (tv * 1000).toFixed(tmax < 0.1 ? 1 : 0) + " ms"));
    }
    s.appendChild(svg("text", { x: (L + W - R) / 2, y: H - 4, "text-anchor": "middle", "class": "muted" }, "time since the memory hog started"));
    if (limMax > 0) {
      s.appendChild(svg("line", { "class": "limit", x1: L, y1: Y(limMax), x2: W - R, y2: Y(limMax) }));
      s.appendChild(svg("text", { x: L + 6, y: Y(limMax) - 4, fill: "#b42318" }, "limit " + bytes(limMax)));
    }
    var pts = [];
    for (var i = 0; i < t.length && i < u.length; i++) pts.push(X(t[i]).toFixed(1) + "," + Y(u[i]).toFixed(1));
    s.appendChild(svg("polyline", { "class": "usage", points: pts.join(" ") }));
    var g = svg("g", { "class": "points" });
    for (i = 0; i < t.length && i < u.length; i++) g.appendChild(svg("circle", { "class": "point", cx: X(t[i]).toFixed(1), cy: Y(u[i]).toFixed(1), r: 1.6 }));
    s.appendChild(g);
    if (m.kill !== undefined && m.kill !== null && m.kill >= 0 && m.kill < t.length) {
      var kx = X(t[m.kill]), ky = Y(u[m.kill]);
      var mk = svg("circle", { "class": "kill-marker", cx: kx.toFixed(1), cy: ky.toFixed(1), r: 6 });
      mk.appendChild(svg("title", null, "OOM kill at " + (t[m.kill] * 1000).toFixed(1) + " ms"));
      s.appendChild(mk);
      // Below and left of the marker: the limit's label is above the line on the left.
      s.appendChild(svg("text", { x: kx - 8, y: Math.min(ky + 20, H - B - 6), "text-anchor": "end", fill: "#b42318", "font-weight": "600" },
        m.by_counter === false ? "process died (no OOM count)" : "OOM kill"));
    }
    box.appendChild(s);
    var cap = el("figcaption", { "class": "hint" }, t.length + " samples" + (m.sampled_from && m.sampled_from > t.length ? " (of " + m.sampled_from + ")" : "") +
      "; dashed line: the cgroup's limit; red dot: " + (m.by_counter === false ? "the last sample before the process died" : "the first sample where the oom_kill counter rose") + ".");
    box.appendChild(cap);
    if (m.source) { var a = el("a", { href: safeHref(m.source) }, "memory.csv"); cap.appendChild(document.createTextNode(" Data: ")); cap.appendChild(a); }
    return box;
  }

  /* ------------------------------------------------------------------ PID namespaces */
  function processTable(p) {
    var box = el("figure", { "class": "evidence processes" });
    box.appendChild(el("h3", null, "Process table inside the namespace and on the host"));
    if (p.error) { box.appendChild(el("p", { "class": "message evidence-error" }, p.error)); return box; }
    var rows = p.rows || [], byHost = {}, order = [];
    rows.forEach(function (r) {
      var k = r.host_pid !== undefined && r.host_pid !== null && r.host_pid !== "" ? "h" + r.host_pid : "x" + order.length;
      if (!byHost[k]) { byHost[k] = {}; order.push(k); }
      byHost[k][r.view === "inside" ? "inside" : "host"] = r;
    });
    // Processes seen inside first (the namespace's own view), then the host's others.
    order.sort(function (a, b) { return (byHost[a].inside ? 0 : 1) - (byHost[b].inside ? 0 : 1); });
    var t = el("table", { "class": "procs" }), h1 = el("tr"), h2 = el("tr");
    h1.appendChild(el("th", { colspan: 3 }, "inside the PID namespace"));
    h1.appendChild(el("th", null, ""));
    h1.appendChild(el("th", { colspan: 3 }, "on the host"));
    ["PID", "PPID", "command", "same process", "PID", "PPID", "command"].forEach(function (x) { h2.appendChild(el("th", null, x)); });
    t.appendChild(h1); t.appendChild(h2);
    var linked = 0;
    order.forEach(function (k) {
      var r = byHost[k], tr = el("tr", { "class": "proc" }), a = r.inside, b = r.host;
      var differs = a && b && String(a.pid) !== String(b.pid);
      [a, null, b].forEach(function (x, idx) {
        if (idx === 1) {
          tr.appendChild(el("td", { "class": "link" }, a && b ? (differs ? "\u27f7" : "=") : ""));
          return;
        }
        if (!x) { var e = el("td", { colspan: 3, "class": "empty" }, idx === 0 ? "not visible inside" : ""); tr.appendChild(e); return; }
        tr.appendChild(el("td", { "class": "mono pid" + (differs ? " differs" : "") }, x.pid));
        tr.appendChild(el("td", { "class": "mono" }, x.ppid));
        tr.appendChild(el("td", { "class": "mono" }, x.cmd));
      });
      if (a && b) {
        linked++;
        tr.setAttribute("data-linked", differs ? "differs" : "same");
        tr.title = "inside PID " + a.pid + " is host PID " + b.pid;
        tr.addEventListener("mouseenter", function () { tr.classList.add("hl"); });
        tr.addEventListener("mouseleave", function () { tr.classList.remove("hl"); });
      }
      t.appendChild(tr);
    });
    box.appendChild(t);
    var cap = el("figcaption", { "class": "hint" }, linked + " processes seen from both sides; \u27f7 links a process's PID inside to its PID on the host.");
    if (p.source) { cap.appendChild(document.createTextNode(" Data: ")); cap.appendChild(el("a", { href: safeHref(p.source) }, "processes.csv")); }
    box.appendChild(cap);
    return box;
  }

  /* ------------------------------------------------------------------ sidecar: ladder */
  function ladder(l) {
    var box = el("figure", { "class": "evidence ladder" });
    box.appendChild(el("h3", null, "Captured exchange: " + str(l.name)));
    var pk = l.packets || [], ends = l.endpoints || [];
    if (l.error) box.appendChild(el("p", { "class": "message" }, l.error));
    if (!pk.length && !l.error) box.appendChild(el("p", null, "The capture holds no TCP segment" + (l.port ? " to or from port " + l.port : "") + "."));
    if (pk.length) {
      var W = 560, top = 40, step = 26, H = top + step * pk.length + 14;
      var x0 = 120, x1 = W - 120;
      var s = svg("svg", { viewBox: "0 0 " + W + " " + H, width: W, height: H, role: "img", "class": "ladder-chart" });
      var xs = {};
      xs[ends[0]] = x0; xs[ends[1]] = x1;
      [0, 1].forEach(function (j) {
        var x = j ? x1 : x0;
        s.appendChild(svg("text", { x: x, y: 14, "text-anchor": "middle", "font-weight": "600" }, j ? "server" : "client"));
        s.appendChild(svg("text", { x: x, y: 28, "text-anchor": "middle", "class": "muted" }, str(ends[j])));
        s.appendChild(svg("line", { "class": "lifeline", x1: x, y1: top, x2: x, y2: H - 4 }));
      });
      pk.forEach(function (p, i) {
        var y = top + step * (i + 0.7);
        var xa = p.from === ends[1] ? x1 : x0, xb = p.from === ends[1] ? x0 : x1;
        var cls = "packet" + (p.kind === "request" ? " data" : p.kind === "response" ? " ok200" : "");
        var g = svg("g", { "class": cls, "data-label": str(p.label) });
        g.appendChild(svg("line", { x1: xa, y1: y - 6, x2: xb, y2: y + 6 }));
        var dir = xb > xa ? -1 : 1;
        g.appendChild(svg("polygon", { points: [xb + "," + (y + 6), (xb + dir * 9) + "," + (y + 1), (xb + dir * 7) + "," + (y + 8)].join(" "), fill: "currentColor" }));
        g.appendChild(svg("text", { x: (x0 + x1) / 2, y: y - 6, "text-anchor": "middle" }, str(p.label)));
        g.appendChild(svg("text", { x: 4, y: y + 3, "class": "muted" }, "+" + (Number(p.t) * 1000).toFixed(2) + " ms"));
        g.appendChild(svg("title", null, str(p.from) + " \u2192 " + str(p.to) + ", " + str(p.len) + " bytes"));
        s.appendChild(g);
      });
      box.appendChild(s);
    }
    var cap = el("figcaption", { "class": "hint" }, (l.total !== undefined ? l.total + " records in the file" : "") +
      (l.connections > 1 ? "; the first of its " + l.connections + " connections is drawn" : "") +
      (l.truncated ? "; its first " + pk.length + " segments" : "") + ". ");
    if (l.path) cap.appendChild(el("a", { href: safeHref(l.path), download: "", "class": "pcap" }, "download the pcap"));
    box.appendChild(cap);
    return box;
  }

  /* ------------------------------------------------------------------ configurations */
  function properties() {
    var t = document.getElementById("props");
    var names = [], vals = configs.map(function (cfg) {
      var m = {};
      propsOf(cfg).forEach(function (kv) { if (names.indexOf(kv[0]) < 0) names.push(kv[0]); m[kv[0]] = kv[1]; });
      return m;
    });
    // The ones people look for first: kernel, cgroups, kernel config, tools, then the rest.
    function rank(n) {
      if (/^(target|hostname|kernel\.)/.test(n)) return 0;
      if (/^cgroup\./.test(n)) return 1;
      if (/^kconfig\./.test(n)) return 2;
      if (/^tool\./.test(n)) return 3;
      return 4;
    }
    names.sort(function (a, b) { return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0); });
    t.className = "props";
    var h = el("tr");
    h.appendChild(el("th", null, "property"));
    configs.forEach(function (cfg, i) { h.appendChild(el("th", null, labelOf(cfg, i))); });
    t.appendChild(h);
    var groups = ["machine and kernel", "cgroups", "kernel config", "tools", "other"], last = -1;
    names.forEach(function (n) {
      var r = rank(n);
      if (r !== last) {
        var gr = el("tr");
        gr.appendChild(el("th", { colspan: configs.length + 1, "class": "group" }, groups[r]));
        t.appendChild(gr);
        last = r;
      }
      var tr = el("tr");
      tr.appendChild(el("th", { "class": "mono" }, n));
      vals.forEach(function (m) { tr.appendChild(el("td", { "class": "mono" }, m[n] === undefined ? "" : m[n])); });
      t.appendChild(tr);
    });
  }

  filters(summary());
  draw();
  properties();
  // The first failing cell is opened, so a page with a failure shows why at once.
  for (var ci = 0; ci < cases.length; ci++) {
    var cells = cases[ci].cells || [], hit = -1;
    for (var i = 0; i < cells.length; i++) if (verdictOf(cells[i]) === "fail" || verdictOf(cells[i]) === "error") { hit = i; break; }
    if (hit >= 0) { select(ci, hit); break; }
  }
})();
