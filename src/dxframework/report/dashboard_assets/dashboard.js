// The dxf dashboard: lays out the data of the JSON element #dxf-data (built and formatted by
// dxframework.report.dashboard). Text is only ever set with textContent: nothing from the data
// is parsed as HTML. No network: everything is in the page.
(function () {
  "use strict";
  var ALL = JSON.parse(document.getElementById("dxf-data").textContent);
  var SVG = "http:" + "//www.w3.org/2000/svg"; // the SVG namespace (a name, never fetched)
  var state = { lang: ALL["default"], level: null, period: null, query: "", group: "",
                unit: null, indicator: null, trendCode: null };
  var D, L, LV; // the language's data, its labels, the level shown

  // Search as dxframework.model.text.fold_text: NFD, đ → d, no combining marks, case, spaces.
  function fold(text) {
    return String(text).normalize("NFD").replace(/đ/g, "d").replace(/Đ/g, "D")
      .replace(/\p{Mn}/gu, "").toLowerCase().replace(/ß/g, "ss").replace(/\s+/g, " ").trim();
  }
  function matches(query, texts) {
    var words = fold(query).split(" ").filter(Boolean);
    var hay = texts.filter(Boolean).map(fold).join(" | ");
    return words.every(function (w) { return hay.indexOf(w) >= 0; });
  }
  window.dxfDashboard = { fold: fold, matches: matches, state: state };

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) {
      if (k === "text") e.textContent = attrs[k];
      else if (k === "class") e.className = attrs[k];
      else e.setAttribute(k, attrs[k]);
    }
    (children || []).forEach(function (c) { if (c) e.appendChild(c); });
    return e;
  }
  function svg(tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    for (var k in attrs) {
      if (k === "text") e.textContent = attrs[k]; else e.setAttribute(k, attrs[k]);
    }
    return e;
  }
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (m, k) {
      return k in values ? String(values[k]) : m;
    });
  }
  function natural(a, b) { return a.localeCompare(b, undefined, { numeric: true }); }
  function codeInfo(code) {
    for (var i = 0; i < LV.codes.length; i++) if (LV.codes[i].code === code) return LV.codes[i];
    return { code: code, label: code, kind: "indicator", unit: "" };
  }
  function unitIndex(code) {
    for (var i = 0; i < LV.units.length; i++) if (LV.units[i].code === code) return i;
    return -1;
  }
  function section(id, title) {
    var s = el("section", { id: id, class: "card" }, [el("h2", { text: title })]);
    return s;
  }
  function table(id, head, rows) {
    var thead = el("thead", {}, [el("tr", {}, head.map(function (h) {
      return el("th", { text: h.text, class: h.num ? "num" : "" });
    }))]);
    var t = el("table", { id: id }, [thead, el("tbody", {}, rows)]);
    return el("div", { class: "scroll" }, [t]);
  }
  function td(text, cls) { return el("td", { text: text == null ? "—" : text, class: cls || "" }); }
  function bar(value, max, marker) {
    var box = el("div", { class: "bar" });
    var inner = el("div", { class: "fill" });
    inner.style.width = (max > 0 && value != null ? Math.max(0, Math.min(1, value / max)) * 100 : 0) + "%";
    box.appendChild(inner);
    if (marker != null && max > 0) {
      var m = el("div", { class: "marker" });
      m.style.left = Math.max(0, Math.min(1, marker / max)) * 100 + "%";
      box.appendChild(m);
    }
    return box;
  }
  function scaleOf(values) {
    var max = 0;
    values.forEach(function (v) { if (v != null && v > max) max = v; });
    return max <= 1 ? 1 : max;
  }

  // ---- the header: language, level, period
  function header() {
    var langs = el("div", { class: "langs", role: "group", "aria-label": L.language },
      ALL.langs.map(function (x) {
        var b = el("button", { id: "lang-" + x, type: "button", text: x === "vi" ? "Tiếng Việt" : "English",
                               "aria-pressed": String(x === state.lang) });
        b.addEventListener("click", function () { state.lang = x; render(); });
        return b;
      }));
    var level = el("select", { id: "level" }, D.levels.map(function (lv) {
      var o = el("option", { value: lv.name, text: lv.title });
      if (lv.name === state.level) o.selected = true;
      return o;
    }));
    level.addEventListener("change", function () {
      state.level = level.value; state.period = null; state.unit = null; state.group = "";
      state.indicator = null; state.trendCode = null; render();
    });
    var period = el("select", { id: "period" }, LV.periods.map(function (p, i) {
      var o = el("option", { value: String(i), text: String(p) });
      if (i === state.period) o.selected = true;
      return o;
    }));
    period.disabled = LV.periods.length < 2;
    period.addEventListener("change", function () { state.period = Number(period.value); render(); });
    return el("header", {}, [
      el("div", {}, [el("h1", { text: D.title }), el("p", { class: "sub", text: L.dashboard })]),
      el("div", { class: "controls" }, [
        el("label", {}, [el("span", { text: L.level }), level]),
        el("label", {}, [el("span", { text: L.period }), period]),
        langs
      ])
    ]);
  }

  // ---- ranking with search and group filter
  function groupOf(i) {
    if (!state.group) return true;
    var cut = state.group.indexOf("\u0001");
    var key = state.group.slice(0, cut), value = state.group.slice(cut + 1);
    for (var g = 0; g < LV.groupings.length; g++) {
      if (LV.groupings[g].key === key) return LV.groupings[g].of[i] === value;
    }
    return true;
  }
  function groupTexts(i) { return LV.groupings.map(function (g) { return g.of[i]; }); }
  function ranking() {
    var s = section("ranking", L.ranking);
    var search = el("input", { id: "search", type: "search", placeholder: L.search_placeholder,
                               autocomplete: "off", "aria-label": L.search });
    search.value = state.query;
    var group = el("select", { id: "group", "aria-label": L.group },
      [el("option", { value: "", text: L.all_groups })]);
    LV.groupings.forEach(function (g) {
      var og = el("optgroup", { label: g.label });
      g.values.forEach(function (v) {
        var o = el("option", { value: g.key + "\u0001" + v, text: v });
        if (o.value === state.group) o.selected = true;
        og.appendChild(o);
      });
      group.appendChild(og);
    });
    group.disabled = LV.groupings.length === 0;
    var count = el("p", { id: "count", class: "note" });
    var pillars = LV.profile.filter(function (c) { return codeInfo(c).kind === "pillar"; });
    var cols = [LV.index].concat(pillars);
    var head = [{ text: L.rank, num: true }, { text: L.unit }];
    var first = LV.groupings[0];
    if (first) head.push({ text: first.label });
    cols.forEach(function (c) { head.push({ text: codeInfo(c).label, num: true }); });
    var tbody = [];
    var p = state.period, idx = LV.series[LV.index];
    var order = LV.units.map(function (u, i) { return i; }).sort(function (a, b) {
      var ra = idx.r[p][a], rb = idx.r[p][b];
      if (ra == null && rb != null) return 1;
      if (rb == null && ra != null) return -1;
      return (ra - rb) || natural(LV.units[a].code, LV.units[b].code);
    });
    order.forEach(function (i) {
      var u = LV.units[i];
      var name = el("button", { type: "button", class: "unit-link", text: u.name });
      var tr = el("tr", { "data-unit": u.code }, [td(idx.r[p][i], "num"), el("td", {}, [name])]);
      if (first) tr.appendChild(td(first.of[i] || ""));
      cols.forEach(function (c) { tr.appendChild(td(LV.series[c].t[p][i], "num")); });
      if (u.code === state.unit) tr.classList.add("selected");
      tr.addEventListener("click", function () { choose(u.code); });
      tbody.push(tr);
    });
    var box = table("ranking-table", head, tbody);
    var none = el("p", { id: "no-match", class: "note", text: L.no_match });
    function update() {
      var shown = 0;
      order.forEach(function (i, k) {
        var u = LV.units[i];
        var ok = groupOf(i) && (!state.query.trim() ||
          matches(state.query, [u.code, u.name].concat(groupTexts(i))));
        tbody[k].hidden = !ok;
        if (ok) shown++;
      });
      count.textContent = fill(L.shown, { n: shown, total: LV.units.length });
      none.hidden = shown > 0;
    }
    search.addEventListener("input", function () { state.query = search.value; update(); });
    group.addEventListener("change", function () { state.group = group.value; update(); });
    update();
    s.appendChild(el("div", { class: "filters" }, [
      el("label", {}, [el("span", { text: L.search }), search]),
      el("label", {}, [el("span", { text: L.group }), group]), count]));
    s.appendChild(box);
    s.appendChild(none);
    return s;
  }
  function choose(code) {
    state.unit = code;
    var rows = document.querySelectorAll("#ranking-table tbody tr");
    rows.forEach(function (r) { r.classList.toggle("selected", r.getAttribute("data-unit") === code); });
    replace("profile", profile());
    replace("trend", trend());
    replace("drill", drill());
  }
  function replace(id, node) {
    var old = document.getElementById(id);
    if (old) old.replaceWith(node);
  }

  // ---- a unit's profile against the median
  function profile() {
    var s = section("profile", L.profile);
    var i = unitIndex(state.unit);
    if (i < 0) { s.appendChild(el("p", { class: "note", text: L.profile_hint })); return s; }
    var p = state.period, u = LV.units[i], n = LV.units.length;
    var rank = LV.series[LV.index].r[p][i];
    s.appendChild(el("h3", { id: "profile-name", text: u.name + " (" + u.code + ")" }));
    s.appendChild(el("p", { class: "badge", text: fill(L.rank_of, { rank: rank == null ? "—" : rank, n: n }) }));
    var head = [{ text: L.component }, { text: L.score, num: true }, { text: L.median, num: true },
                { text: L.difference, num: true }, { text: L.rank, num: true }];
    var rows = LV.profile.map(function (c) {
      var e = LV.series[c], info = codeInfo(c);
      var tr = el("tr", { "data-code": c, class: "kind-" + info.kind }, [
        td(info.label), td(e.t[p][i], "num value"), td(e.medt[p], "num median"),
        td(e.d[p][i], "num diff"), td(e.r[p][i] == null ? "—" : e.r[p][i] + "/" + n, "num")]);
      return tr;
    });
    s.appendChild(table("profile-table", head, rows));
    // the bars: one row per component, the unit's score and a line at the median
    var rowH = 22, labelW = 190, barW = 300, h = LV.profile.length * rowH + 8;
    var chart = svg("svg", { viewBox: "0 0 " + (labelW + barW + 70) + " " + h, role: "img",
                             class: "profile-bars", "aria-label": fill(L.bar_legend, { n: n }) });
    LV.profile.forEach(function (c, k) {
      var e = LV.series[c], max = scaleOf(e.v[p].concat([e.med[p]])), y = 4 + k * rowH;
      var v = e.v[p][i], med = e.med[p];
      var label = codeInfo(c).label;
      chart.appendChild(svg("text", { x: labelW - 6, y: y + 14, "text-anchor": "end", class: "lab",
                                      text: label.length > 30 ? label.slice(0, 29) + "…" : label }));
      chart.appendChild(svg("rect", { x: labelW, y: y + 3, width: barW, height: 14, class: "track" }));
      chart.appendChild(svg("rect", { x: labelW, y: y + 3, height: 14, class: "val " + (v != null && med != null && v < med ? "below" : "above"),
                                      width: v == null ? 0 : Math.max(0, Math.min(1, v / max)) * barW }));
      if (med != null) {
        var mx = labelW + Math.max(0, Math.min(1, med / max)) * barW;
        chart.appendChild(svg("line", { x1: mx, x2: mx, y1: y, y2: y + 20, class: "med" }));
      }
      chart.appendChild(svg("text", { x: labelW + barW + 6, y: y + 14, class: "num", text: e.t[p][i] }));
    });
    s.appendChild(el("figure", {}, [chart, el("figcaption", { text: fill(L.bar_legend, { n: n }) })]));
    return s;
  }

  // ---- one indicator across units
  function drill() {
    var s = section("drill", L.drill);
    var code = state.indicator || LV.index;
    var select = el("select", { id: "indicator", "aria-label": L.choose });
    ["index", "pillar", "main", "aggregate", "indicator"].forEach(function (kind) {
      var codes = LV.codes.filter(function (c) { return c.kind === kind; });
      if (!codes.length) return;
      var og = el("optgroup", { label: L["kind_" + kind] });
      codes.forEach(function (c) {
        var o = el("option", { value: c.code, text: c.label + " (" + c.code + ")" });
        if (c.code === code) o.selected = true;
        og.appendChild(o);
      });
      select.appendChild(og);
    });
    select.addEventListener("change", function () { state.indicator = select.value; replace("drill", drill()); });
    s.appendChild(el("label", { class: "filters" }, [el("span", { text: L.choose }), select]));
    var e = LV.series[code], p = state.period, info = codeInfo(code);
    var max = scaleOf(e.v[p]);
    var head = [{ text: L.rank, num: true }, { text: L.unit }, { text: L.score, num: true }];
    if (e.raw) head.push({ text: L.raw + (info.unit ? " (" + info.unit + ")" : ""), num: true });
    head.push({ text: "" });
    var order = LV.units.map(function (u, i) { return i; }).sort(function (a, b) {
      var ra = e.r[p][a], rb = e.r[p][b];
      if (ra == null && rb != null) return 1;
      if (rb == null && ra != null) return -1;
      return (ra - rb) || natural(LV.units[a].code, LV.units[b].code);
    });
    var rows = order.map(function (i) {
      var tr = el("tr", { "data-unit": LV.units[i].code }, [td(e.r[p][i], "num"), td(LV.units[i].name),
        td(e.t[p][i], "num")]);
      if (e.raw) tr.appendChild(td(e.raw[p][i], "num"));
      tr.appendChild(el("td", { class: "barcell" }, [bar(e.v[p][i], max, e.med[p])]));
      if (LV.units[i].code === state.unit) tr.classList.add("selected");
      return tr;
    });
    s.appendChild(el("p", { class: "note", text: L.median + ": " + e.medt[p] }));
    s.appendChild(table("drill-table", head, rows));
    return s;
  }

  // ---- trend over the periods: the median and the chosen unit
  function trend() {
    var s = section("trend", L.trend);
    if (LV.periods.length < 2) { s.appendChild(el("p", { class: "note", text: L.one_period })); return s; }
    var code = state.trendCode || LV.index;
    var select = el("select", { id: "trend-code", "aria-label": L.component }, LV.profile.map(function (c) {
      var o = el("option", { value: c, text: codeInfo(c).label });
      if (c === code) o.selected = true;
      return o;
    }));
    select.addEventListener("change", function () { state.trendCode = select.value; replace("trend", trend()); });
    s.appendChild(el("label", { class: "filters" }, [el("span", { text: L.component }), select]));
    var e = LV.series[code], i = unitIndex(state.unit), n = LV.periods.length;
    var lines = [{ name: L.trend_median, v: e.med, t: e.medt, cls: "median-line" }];
    if (i >= 0) {
      lines.push({ name: LV.units[i].name, cls: "unit-line",
                   v: e.v.map(function (row) { return row[i]; }), t: e.t.map(function (row) { return row[i]; }) });
    }
    var all = [];
    lines.forEach(function (l) { l.v.forEach(function (v) { if (v != null) all.push(v); }); });
    var lo = Math.min.apply(null, all.concat([Infinity])), hi = Math.max.apply(null, all.concat([-Infinity]));
    if (!(hi > lo)) { lo = lo - 1; hi = hi + 1; }
    var pad = (hi - lo) * 0.1; lo -= pad; hi += pad;
    var W = 560, H = 220, left = 50, right = 20, top = 14, bottom = 30;
    var chart = svg("svg", { viewBox: "0 0 " + W + " " + H, role: "img", class: "trend-chart",
                             "aria-label": L.trend });
    function X(k) { return left + (n === 1 ? 0 : k * (W - left - right) / (n - 1)); }
    function Y(v) { return top + (hi - v) / (hi - lo) * (H - top - bottom); }
    chart.appendChild(svg("line", { x1: left, x2: W - right, y1: H - bottom, y2: H - bottom, class: "axis" }));
    [[lo + pad, 0], [hi - pad, 1]].forEach(function (tick) {
      var texts = [], best = null;
      lines.forEach(function (l) { l.v.forEach(function (v, k) {
        if (v != null && (best == null || Math.abs(v - tick[0]) < Math.abs(best - tick[0]))) { best = v; texts[0] = l.t[k]; }
      }); });
      chart.appendChild(svg("line", { x1: left, x2: W - right, y1: Y(best), y2: Y(best), class: "grid" }));
      chart.appendChild(svg("text", { x: left - 4, y: Y(best) + 4, "text-anchor": "end", class: "num", text: texts[0] }));
    });
    LV.periods.forEach(function (year, k) {
      chart.appendChild(svg("text", { x: X(k), y: H - 10, "text-anchor": "middle", class: "lab", text: String(year) }));
    });
    lines.forEach(function (l) {
      var pts = [];
      l.v.forEach(function (v, k) { if (v != null) pts.push(X(k) + "," + Y(v)); });
      chart.appendChild(svg("polyline", { points: pts.join(" "), class: l.cls }));
      l.v.forEach(function (v, k) {
        if (v != null) chart.appendChild(svg("circle", { cx: X(k), cy: Y(v), r: 3, class: l.cls }));
      });
    });
    s.appendChild(el("figure", {}, [chart, el("figcaption", {
      text: i >= 0 ? fill(L.trend_of, { name: LV.units[i].name }) : L.trend_median })]));
    var head = [{ text: L.period }].concat(lines.map(function (l) { return { text: l.name, num: true }; }));
    var rows = LV.periods.map(function (year, k) {
      return el("tr", {}, [td(String(year))].concat(lines.map(function (l) { return td(l.t[k], "num"); })));
    });
    s.appendChild(table("trend-table", head, rows));
    return s;
  }

  // ---- targets and gaps
  function targets() {
    var s = section("targets", L.targets), T = D.targets;
    if (!T.goals.length && !T.indicators.length) {
      s.appendChild(el("p", { class: "note", text: L.no_targets })); return s;
    }
    s.appendChild(el("p", { class: "note", text: fill(L.targets_of, { level: T.level, year: T.year }) }));
    if (T.goals.length) {
      var years = T.goals[0].targets.map(function (t) { return t.year; });
      var head = [{ text: L.component }, { text: L.current + " " + T.year, num: true }];
      years.forEach(function (y) {
        head.push({ text: fill(L.target, { year: y }), num: true }, { text: L.gap, num: true });
      });
      var rows = T.goals.map(function (g) {
        var tr = el("tr", { "data-code": g.code }, [td(g.label), td(g.current, "num")]);
        g.targets.forEach(function (t) {
          tr.appendChild(td(t.value, "num"));
          tr.appendChild(t.met ? td(L.met, "num met") : td(t.gap, "num gap"));
        });
        return tr;
      });
      s.appendChild(table("targets-table", head, rows));
    }
    if (T.indicators.length) {
      s.appendChild(el("h3", { text: L.indicator_targets }));
      var ihead = [{ text: L.indicator }, { text: L.current, num: true }, { text: fill(L.target, { year: "" }).trim(), num: true },
                   { text: L.gap, num: true }];
      var irows = T.indicators.map(function (t) {
        var unit = t.unit === "%" ? "%" : t.unit ? " " + t.unit : "";
        return el("tr", { "data-code": t.code }, [td(t.label), td(t.current + unit + " (" + t.year + ")", "num"),
          td(t.target + unit + " (" + t.target_year + ")", "num"), t.met ? td(L.met, "num met") : td(t.gap + unit, "num gap")]);
      });
      s.appendChild(table("indicator-targets-table", ihead, irows));
    }
    return s;
  }

  // ---- task progress
  function tasks() {
    var s = section("tasks", L.tasks), T = D.tasks;
    if (!T.rows.length) { s.appendChild(el("p", { class: "note", text: L.no_tasks })); return s; }
    var summary = T.summary.map(function (x) { return x.label + ": " + x.count; }).join(" · ");
    s.appendChild(el("p", { class: "note", text: summary }));
    s.appendChild(el("p", { class: "note", text: fill(L.mean_progress, { value: T.mean }) + "; " +
      fill(L.late_count, { n: T.late, year: T.plan_year }) }));
    var head = [{ text: L.code }, { text: L.task }, { text: L.pillar }, { text: L.timeline },
                { text: L.status }, { text: L.progress, num: true }, { text: "" }];
    var rows = T.rows.map(function (r) {
      var status = el("td", {}, [el("span", { class: "status status-" + r.status, text: r.status_label })]);
      if (r.late) status.appendChild(el("span", { class: "late", text: L.late }));
      return el("tr", { "data-task": r.id, class: r.late ? "is-late" : "" }, [td(r.id), td(r.name), td(r.pillar),
        td(r.years), status, td(r.progress_t, "num"), el("td", { class: "barcell" }, [bar(r.progress, 100)])]);
    });
    s.appendChild(table("tasks-table", head, rows));
    return s;
  }

  function render() {
    D = ALL[state.lang]; L = D.labels;
    var names = D.levels.map(function (lv) { return lv.name; });
    if (names.indexOf(state.level) < 0) state.level = names[0];
    LV = D.levels[names.indexOf(state.level)];
    if (state.period == null || state.period >= LV.periods.length) state.period = LV.periods.length - 1;
    if (unitIndex(state.unit) < 0) state.unit = null;
    document.documentElement.lang = state.lang;
    document.title = D.title + " · " + L.dashboard;
    var app = document.getElementById("app");
    app.replaceChildren(header(), el("main", {}, [
      ranking(), profile(), drill(), trend(), targets(), tasks()]),
      el("footer", { text: fill(L.footer, { version: ALL.version }) }));
  }
  render();
})();
