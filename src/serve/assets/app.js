// coopetition serve: the page. Plain JavaScript, no libraries; everything it shows comes
// from the JSON API (docs/SERVE.md). The page's state (view, scenario, changed parameters,
// runs, seed, fan metrics, story choice) lives in the URL's query string.
"use strict";

const OUTCOMES = ["symbiosis", "decoupling", "acquisition", "divestiture"];
const $ = (id) => document.getElementById(id);
const state = {
  view: "whatif", scenario: "baseline", runs: 1000, seed: 42, set: {}, fans: null,
  storyOutcome: "divestiture", storyRuns: 1000, storyRun: null,
};
let params = [];          // the current scenario's parameters (flat)
let metricNames = [];
let defaultFans = [];
let running = null;       // AbortController of the request in flight

// ---- errors: shown on the page (and read by the browser test) ----
function showError(msg) {
  const e = $("errors");
  e.hidden = false;
  e.textContent = (e.textContent ? e.textContent + " | " : "") + msg;
}
window.addEventListener("error", (ev) => showError("script error: " + ev.message));
window.addEventListener("unhandledrejection", (ev) => showError("script error: " + (ev.reason && ev.reason.message || ev.reason)));

// ---- URL state ----
function readUrl() {
  const q = new URLSearchParams(location.search);
  state.view = q.get("view") || "whatif";
  state.scenario = q.get("scenario") || "baseline";
  state.runs = parseInt(q.get("runs") || "1000", 10) || 1000;
  state.seed = parseInt(q.get("seed") || "42", 10) || 0;
  state.fans = q.has("fans") ? q.get("fans").split(",").filter(Boolean) : null;
  state.set = {};
  for (const [k, v] of q) if (k.startsWith("set.")) state.set[k.slice(4)] = v;
  state.storyOutcome = q.get("outcome") || "divestiture";
  state.storyRuns = parseInt(q.get("story_runs") || String(state.runs), 10) || 1000;
  state.storyRun = q.has("run") ? parseInt(q.get("run"), 10) : null;
  return q;
}
function writeUrl() {
  const q = new URLSearchParams();
  if (state.view !== "whatif") q.set("view", state.view);
  q.set("scenario", state.scenario);
  q.set("runs", state.runs);
  q.set("seed", state.seed);
  for (const k of Object.keys(state.set).sort()) q.set("set." + k, state.set[k]);
  if (state.fans) q.set("fans", state.fans.join(","));
  if (state.view === "story") {
    if (state.storyRun !== null) q.set("run", state.storyRun);
    else { q.set("outcome", state.storyOutcome); q.set("story_runs", state.storyRuns); }
  }
  history.replaceState(null, "", "?" + q.toString() + location.hash);
}

// ---- API ----
async function api(path, body, signal) {
  const init = body === undefined ? {} : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
  if (signal) init.signal = signal;
  const r = await fetch(path, init);
  const j = await r.json();
  if (!r.ok) throw Object.assign(new Error(j.error || r.statusText), { field: j.field, status: r.status });
  return j;
}
// POST with ?progress=1: NDJSON lines of progress, then the result (or an error).
async function apiProgress(path, body, signal, onProgress) {
  const r = await fetch(path + "?progress=1", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal });
  if (!r.ok) {
    const j = await r.json();
    throw Object.assign(new Error(j.error || r.statusText), { field: j.field, status: r.status });
  }
  const reader = r.body.getReader();
  const dec = new TextDecoder();
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (value) buf += dec.decode(value, { stream: true });
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, i); buf = buf.slice(i + 1);
      if (!line.trim()) continue;
      const m = JSON.parse(line);
      if (m.progress) onProgress(m.progress.done, m.progress.of);
      else if (m.result) return m.result;
      else if (m.error) throw Object.assign(new Error(m.error), { field: m.field, status: m.status });
    }
    if (done) throw new Error("the server closed the answer early");
  }
}

// ---- helpers ----
const pct = (p) => (100 * p).toFixed(1) + "%";
const pp = (d) => (d >= 0 ? "+" : "") + (100 * d).toFixed(1) + " pp";
function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else if (k === "text") e.textContent = v;
    else if (k.startsWith("data-")) e.setAttribute(k, v); else e[k] = v;
  }
  for (const k of kids) if (k !== null && k !== undefined) e.append(k);
  return e;
}
function valueText(v) { return Array.isArray(v) ? JSON.stringify(v) : String(v); }
function label() {
  const ks = Object.keys(state.set).sort();
  return state.scenario + ks.map((k) => " + " + k + "=" + state.set[k]).join("");
}

// ---- parameter form ----
function check(p, text) {
  if (p.kind === "word") return p.words.includes(text) ? null : "one of " + p.words.join(", ");
  if (p.kind === "bool") return text === "true" || text === "false" ? null : "true or false";
  const inRange = (x) => {
    if (!Number.isFinite(x)) return "not a number";
    if (p.kind === "integer" && !Number.isInteger(x)) return "a whole number";
    if (p.min !== null && x < p.min) return "at least " + p.min;
    if (p.max !== null && x > p.max) return "at most " + p.max;
    return null;
  };
  if (p.kind === "list") {
    let xs;
    try { xs = JSON.parse(text); } catch (e) { return "a list such as [0.5, 0.9]"; }
    if (!Array.isArray(xs)) return "a list such as [0.5, 0.9]";
    for (const x of xs) { const why = inRange(x); if (why) return "each element " + why; }
    return null;
  }
  if (p.kind === "integer" || p.kind === "number") return text.trim() === "" ? "a number" : inRange(Number(text));
  return null;
}
function setValue(p, text) {
  // The value as the API takes it: numbers as numbers, lists as lists, words as words.
  if (p.kind === "integer" || p.kind === "number") return Number(text);
  if (p.kind === "list") return JSON.parse(text);
  if (p.kind === "bool") return text === "true";
  return text;
}
function renderParams(groups) {
  const box = $("params");
  box.textContent = "";
  params = [];
  for (const g of groups) {
    const det = el("details", { class: "group" }, el("summary", { text: g.group + " (" + g.params.length + ")" }));
    for (const p of g.params) {
      params.push(p);
      const base = valueText(p.value);
      let input;
      if (p.kind === "word" || p.kind === "bool") {
        input = el("select", {}, ...(p.kind === "bool" ? ["true", "false"] : p.words).map((w) => el("option", { value: w, text: w })));
      } else {
        input = el("input", { type: "text", inputMode: p.kind === "list" ? "text" : "decimal" });
      }
      input.setAttribute("data-path", p.path);
      input.setAttribute("aria-label", p.path);
      const shown = state.set[p.path] !== undefined ? state.set[p.path] : base;
      input.value = shown;
      const range = p.min !== null ? " [" + p.min + " … " + p.max + "]" : "";
      const unit = p.unit && p.unit !== "-" && p.unit !== "enum" ? " " + p.unit : "";
      const name = p.company ? p.path.split(".").slice(2).join(".") : p.path.replace(/^[^.]+\./, "");
      const row = el("div", { class: "param", title: p.meaning },
        el("span", { class: "name", text: name }), input,
        el("span", { class: "help", text: "default " + base + unit + range + (p.start_only ? " · start only" : "") + " — " + p.meaning }),
        el("span", { class: "why" }));
      const update = () => {
        const why = check(p, input.value);
        row.classList.toggle("invalid", !!why);
        row.querySelector(".why").textContent = why ? "expected " + why : "";
        input.setCustomValidity(why || "");
        const changed = input.value.trim() !== base;
        row.classList.toggle("changed", changed);
        if (changed) state.set[p.path] = input.value.trim(); else delete state.set[p.path];
        if (changed) det.open = true;
        refresh();
      };
      input.addEventListener("input", update);
      input.addEventListener("change", update);
      det.append(row);
      if (shown !== base) { row.classList.add("changed"); det.open = true; }
      const why0 = check(p, String(shown));
      if (why0) { row.classList.add("invalid"); row.querySelector(".why").textContent = "expected " + why0; }
    }
    box.append(det);
  }
  // Changes in the URL that name no parameter of this scenario are dropped with a note.
  for (const k of Object.keys(state.set)) {
    if (!params.some((p) => p.path === k)) { showStatus("status", "ignored unknown parameter " + k, true); delete state.set[k]; }
  }
  refresh();
}
function invalid() { return document.querySelectorAll("#params .param.invalid").length + (validRunsSeed() ? 0 : 1); }
function validRunsSeed() {
  const runs = Number($("runs").value), seed = Number($("seed").value);
  const ok = Number.isInteger(runs) && runs >= 1 && Number.isInteger(seed) && seed >= 0;
  $("runs").classList.toggle("bad", !ok);
  return ok;
}
function refresh() {
  $("label").textContent = label();
  $("run").disabled = running !== null || invalid() > 0;
  state.runs = Number($("runs").value) || state.runs;
  state.seed = Number($("seed").value) || 0;
  writeUrl();
}
function showStatus(id, text, isError) {
  const s = $(id);
  s.textContent = text;
  s.classList.toggle("error", !!isError);
}

// ---- fan metric picker ----
function renderFanPicker() {
  const box = $("fan-metrics");
  box.textContent = "";
  const chosen = state.fans || defaultFans;
  for (const m of metricNames) {
    const cb = el("input", { type: "checkbox", checked: chosen.includes(m) });
    cb.addEventListener("change", () => {
      state.fans = [...box.querySelectorAll("input")].filter((c) => c.checked).map((c) => c.value);
      writeUrl();
    });
    cb.value = m;
    box.append(el("label", {}, cb, " " + m));
  }
}

// ---- what-if ----
async function loadScenario() {
  const g = await api("/api/params?scenario=" + encodeURIComponent(state.scenario));
  renderParams(g.groups);
}
async function runWhatIf() {
  if (invalid() > 0) return;
  const changes = {};
  for (const p of params) if (state.set[p.path] !== undefined) changes[p.path] = setValue(p, state.set[p.path]);
  const fans = state.fans || defaultFans;
  const body = Object.keys(changes).length
    ? { a: { scenario: state.scenario }, b: { scenario: state.scenario, set: changes }, runs: state.runs, seed: state.seed, fans }
    : { scenario: state.scenario, runs: state.runs, seed: state.seed, fans };
  const path = Object.keys(changes).length ? "/api/compare" : "/api/run";
  running = new AbortController();
  $("cancel").disabled = false;
  $("run").disabled = true;
  $("progress").hidden = false;
  $("progress").value = 0;
  $("status").setAttribute("data-state", "running");
  showStatus("status", "running " + state.runs + " runs…");
  const t0 = performance.now();
  document.querySelectorAll(".param.invalid-server").forEach((r) => r.classList.remove("invalid-server", "invalid"));
  try {
    const res = await apiProgress(path, body, running.signal, (done, of) => {
      $("progress").max = of; $("progress").value = done;
      showStatus("status", "running… " + done + " of " + of + " runs");
    });
    const secs = ((performance.now() - t0) / 1000).toFixed(2);
    showResult(path === "/api/compare" ? res : null, path === "/api/compare" ? res.b : res, res.charts, state.runs);
    showStatus("status", "done in " + secs + " s");
    $("status").setAttribute("data-state", "done");
    $("status").setAttribute("data-seconds", secs);
  } catch (e) {
    if (e.name === "AbortError") { showStatus("status", "cancelled"); $("status").setAttribute("data-state", "cancelled"); }
    else {
      showStatus("status", (e.field ? e.field + ": " : "") + e.message, true);
      $("status").setAttribute("data-state", "error");
      const path = e.field && e.field.replace(/^b\.set\.|^set\./, "");
      const input = path && document.querySelector('#params [data-path="' + CSS.escape(path) + '"]');
      if (input) input.closest(".param").classList.add("invalid", "invalid-server");
    }
  } finally {
    running = null;
    $("cancel").disabled = true;
    $("progress").hidden = true;
    refresh();
  }
}
function showResult(cmp, side, charts, runs) {
  $("result-empty").hidden = true;
  $("result").hidden = false;
  $("result-title").textContent = side.scenario + " — " + runs + " runs, seed " + state.seed + (side.failed ? " (" + side.failed + " failed)" : "");
  const tb = $("outcomes").querySelector("tbody");
  tb.textContent = "";
  for (const o of OUTCOMES) {
    const r = side.outcomes[o], m = side.months[o], ex = side.examples[o];
    const months = m.median === null ? "—" : m.median + " (" + m.p05 + "–" + m.p95 + ")";
    const story = ex.length ? el("a", { href: "#", text: "run " + ex[0], onclick: (ev) => { ev.preventDefault(); gotoStory(ex[0]); } }) : "—";
    tb.append(el("tr", { "data-outcome": o, "data-count": r.count, "data-p": r.p },
      el("td", { text: o }), el("td", { text: r.count }), el("td", { class: "p", text: pct(r.p) }),
      el("td", { text: "[" + pct(r.lo) + ", " + pct(r.hi) + "]" }), el("td", { text: months }), el("td", {}, story)));
  }
  $("diff-block").hidden = !cmp;
  if (cmp) {
    $("diff-title").textContent = "Against " + cmp.a.scenario + " on the same " + cmp.pairs + " seeds (paired)";
    const dt = $("differences").querySelector("tbody");
    dt.textContent = "";
    for (const o of OUTCOMES) {
      const d = cmp.differences[o];
      dt.append(el("tr", { "data-outcome": o, "data-diff": d.diff },
        el("td", { text: o }), el("td", { text: pct(d.p_a) }), el("td", { text: pct(d.p_b) }), el("td", { text: pp(d.diff) }),
        el("td", { text: "[" + pp(d.lo) + ", " + pp(d.hi) + "]" }), el("td", { text: "[" + pp(d.unpaired_lo) + ", " + pp(d.unpaired_hi) + "]" })));
    }
    $("chart-differences").innerHTML = charts.differences;
  }
  $("chart-outcomes").innerHTML = charts.outcomes;
  const fans = $("charts-fans");
  fans.textContent = "";
  for (const [m, svg] of Object.entries(charts.fans)) {
    const d = el("div", { class: "fan", "data-metric": m });
    d.innerHTML = svg;
    fans.append(d);
  }
}

// ---- run story ----
function gotoStory(run) {
  state.storyRun = run;
  for (const r of document.querySelectorAll("input[name=story-pick]")) r.checked = r.value === "run";
  $("story-run").value = run;
  show("story");
  tellStory();
}
let storyCtl = null;
async function tellStory() {
  const byRun = document.querySelector("input[name=story-pick]:checked").value === "run";
  state.storyRun = byRun ? Number($("story-run").value) : null;
  state.storyOutcome = $("story-outcome").value;
  state.storyRuns = Number($("story-runs").value) || 1000;
  writeUrl();
  const set = {};
  for (const p of params) if (state.set[p.path] !== undefined) set[p.path] = setValue(p, state.set[p.path]);
  const body = { scenario: state.scenario, set, seed: state.seed };
  if (byRun) body.run = state.storyRun; else { body.outcome = state.storyOutcome; body.runs = state.storyRuns; }
  storyCtl = new AbortController();
  $("story-cancel").disabled = false;
  $("story-go").disabled = true;
  showStatus("story-status", "simulating…");
  try {
    const s = await apiProgress("/api/story", body, storyCtl.signal, (done, of) => showStatus("story-status", "searching… " + done + " of " + of + " runs"));
    showStory(s);
    showStatus("story-status", "");
  } catch (e) {
    showStatus("story-status", e.name === "AbortError" ? "cancelled" : (e.field ? e.field + ": " : "") + e.message, e.name !== "AbortError");
  } finally {
    storyCtl = null;
    $("story-cancel").disabled = true;
    $("story-go").disabled = false;
  }
}
function when(s, tick) { const d = s.dates[tick - 1]; return "month " + tick + (d ? " (" + d + ")" : ""); }
function showStory(s) {
  $("story-title").textContent = s.scenario + " — run " + s.run + " (seed " + s.seed + "): " + s.outcome + " at " + when(s, s.outcome_tick);
  const tl = $("timeline");
  tl.textContent = "";
  for (const e of s.events) {
    const who = [e.actor, e.target].filter(Boolean).join(" → ");
    const li = el("li", { "data-tick": e.tick },
      el("div", { class: "when", text: when(s, e.tick) }),
      el("span", { class: "kind", text: e.kind }), who ? " " + who : "", e.detail ? el("div", { text: e.detail }) : null);
    li.addEventListener("click", () => mark(e.tick));
    tl.append(li);
  }
  if (!s.events.length) tl.append(el("li", { text: "no dated events in this run" }));
  const box = $("story-series");
  box.textContent = "";
  const ticks = s.events.map((e) => e.tick);
  for (const [m, ys] of Object.entries(s.series)) box.append(sparkline(m, ys, ticks, s.outcome_tick));
}
// A line chart of one series with the months of events marked (drawn here: it needs the
// clicks of the timeline; the other charts are the server's SVG).
function sparkline(name, ys, ticks, outcomeTick) {
  const W = 600, H = 120, L = 50, R = 8, T = 18, B = 18;
  const vals = ys.filter((y) => y !== null);
  let lo = Math.min(...vals), hi = Math.max(...vals);
  if (!Number.isFinite(lo)) { lo = 0; hi = 1; }
  if (hi === lo) { hi = lo + 1; }
  const x = (t) => L + (W - L - R) * (t - 1) / Math.max(1, ys.length - 1);
  const y = (v) => T + (H - T - B) * (1 - (v - lo) / (hi - lo));
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 " + W + " " + H);
  const add = (tag, attrs, text) => {
    const e = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    svg.append(e);
    return e;
  };
  for (const t of new Set(ticks)) add("line", { x1: x(t), x2: x(t), y1: T, y2: H - B, stroke: "#c9d6ea", "data-tick": t, class: "mark" });
  add("line", { x1: x(outcomeTick), x2: x(outcomeTick), y1: T, y2: H - B, stroke: "#c83232", "stroke-dasharray": "4 3" });
  let d = "";
  ys.forEach((v, i) => { if (v !== null) d += (d ? "L" : "M") + x(i + 1).toFixed(1) + "," + y(v).toFixed(1); });
  add("path", { d, fill: "none", stroke: "#1f77b4", "stroke-width": 2 });
  add("text", { x: L, y: 12, "font-size": 12, "font-family": "sans-serif" }, name);
  add("text", { x: L - 4, y: T + 4, "font-size": 10, "text-anchor": "end", "font-family": "sans-serif" }, +hi.toPrecision(3));
  add("text", { x: L - 4, y: H - B, "font-size": 10, "text-anchor": "end", "font-family": "sans-serif" }, +lo.toPrecision(3));
  add("text", { x: W - R, y: H - 4, "font-size": 10, "text-anchor": "end", "font-family": "sans-serif" }, "month " + ys.length);
  return el("div", { class: "series", "data-metric": name }, svg);
}
function mark(tick) {
  for (const li of document.querySelectorAll("#timeline li")) li.classList.toggle("hl", Number(li.getAttribute("data-tick")) === tick);
  for (const l of document.querySelectorAll("#story-series line.mark")) {
    const on = Number(l.getAttribute("data-tick")) === tick;
    l.setAttribute("stroke", on ? "#f0a000" : "#c9d6ea");
    l.setAttribute("stroke-width", on ? 3 : 1);
  }
}

// ---- results ----
async function loadResults() {
  const r = await api("/api/results");
  const ul = $("result-dirs");
  ul.textContent = "";
  if (!r.results.length) ul.append(el("li", { class: "hint", text: "nothing under output/ yet: run `coopetition run` or `compare` in this directory" }));
  for (const d of r.results) {
    const a = el("a", { href: "#", text: d.dir });
    a.addEventListener("click", (ev) => { ev.preventDefault(); openReport(d); });
    ul.append(el("li", {}, a, el("span", { class: "kind", text: d.kind + (d.report ? "" : " · no report yet") })));
  }
}
async function openReport(d) {
  showStatus("results-status", d.report ? "" : "analysing " + d.dir + "…");
  try {
    const r = d.report ? d : await api("/api/analyze", { dir: d.dir });
    $("report").src = r.report;
    $("report").hidden = false;
    showStatus("results-status", "");
    if (!d.report) loadResults();
  } catch (e) {
    showStatus("results-status", (e.field ? e.field + ": " : "") + e.message, true);
  }
}

// ---- views ----
function show(view) {
  state.view = view;
  for (const v of ["whatif", "story", "results"]) {
    $("view-" + v).hidden = v !== view;
    $("nav-" + v).classList.toggle("active", v === view);
  }
  $("story-scenario").textContent = label() + " · seed " + state.seed;
  if (view === "results") loadResults().catch((e) => showStatus("results-status", e.message, true));
  writeUrl();
}

async function main() {
  const q = readUrl();
  for (const a of document.querySelectorAll("nav a")) a.addEventListener("click", (ev) => { ev.preventDefault(); show(a.getAttribute("data-view")); });
  $("runs").value = state.runs;
  $("seed").value = state.seed;
  $("story-outcome").value = state.storyOutcome;
  $("story-runs").value = state.storyRuns;
  if (state.storyRun !== null) {
    $("story-run").value = state.storyRun;
    for (const r of document.querySelectorAll("input[name=story-pick]")) r.checked = r.value === "run";
  }
  for (const id of ["runs", "seed"]) $(id).addEventListener("input", refresh);
  $("run").addEventListener("click", runWhatIf);
  $("cancel").addEventListener("click", () => running && running.abort());
  $("reset").addEventListener("click", () => { state.set = {}; loadScenario(); });
  $("story-go").addEventListener("click", tellStory);
  $("story-cancel").addEventListener("click", () => storyCtl && storyCtl.abort());
  const [sc, mt] = await Promise.all([api("/api/scenarios"), api("/api/metrics")]);
  metricNames = mt.metrics;
  defaultFans = mt.default;
  const sel = $("scenario");
  for (const s of sc.scenarios) {
    const o = el("option", { value: s.name, text: s.name + (s.source === "file" ? " (file)" : ""), title: s.description || s.error || "", disabled: !!s.error });
    sel.append(o);
  }
  if (![...sel.options].some((o) => o.value === state.scenario)) {
    showStatus("status", "unknown scenario " + state.scenario + ": showing baseline", true);
    state.scenario = "baseline";
    state.set = {};
  }
  sel.value = state.scenario;
  sel.addEventListener("change", () => { state.scenario = sel.value; state.set = {}; loadScenario(); });
  renderFanPicker();
  await loadScenario();
  show(state.view);
  // `autorun=1` presses Run (or Tell the story) once the page has loaded: a link can
  // reproduce a result, and the browser test drives the page with it.
  if (q.get("autorun") === "1") {
    if (state.view === "story") await tellStory(); else await runWhatIf();
  }
}
main().catch((e) => showError(e.message));
