// The marker editor of the Analyse view ("Check markers"): a person checks
// the automatic onset, negative peak, end and baseline window of each
// response, moves them or excludes a response, and downloads the test's
// sidecar (<test>.markers.toml, docs/markers.md). Every number comes from
// the library: a move is sent as the response's entry (set_markers) and the
// study is read again (reading()), so the page, the download and the CLI
// measure the same marks the same way. This file only draws and forwards.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);

  // The marks a person can move: its key in the report's `manual.set`, the
  // sidecar key it writes, and what a screen reader calls it.
  const MARKS = [
    { id: "onset", set: "onset", field: "onset_ms", name: "onset", tag: "onset" },
    { id: "negative_peak", set: "negative_peak", field: "negative_peak_ms", name: "negative peak", tag: "peak" },
    { id: "end", set: "end", field: "end_ms", name: "end of the negative phase", tag: "end" },
    { id: "baseline_start", set: "baseline", field: "baseline_ms", edge: 0, name: "start of the baseline window", tag: "" },
    { id: "baseline_end", set: "baseline", field: "baseline_ms", edge: 1, name: "end of the baseline window", tag: "" },
  ];

  const state = {
    study: null, // the StudyFiles the page analysed (app.js owns and frees it)
    hooks: null, // { showConclusion(pattern, summary), refresh() } from app.js
    reading: null, // the last reading() that succeeded
    test: null, // the chosen test's file name
    open: null, // the opened response's index (0-based), or null
    entries: new Map(), // test file -> the sidecar's entries as the page holds them
    sidecars: new Map(), // test file -> { file, text }: a dropped sidecar, or the last written
    frame: 0, // a requestAnimationFrame pending for a drag, or 0
    pendingMove: null, // the latest { mark, t } a drag asked for
    timings: [], // ms per set_markers + reading(), for the tests
  };

  // ---- the study's reading -----------------------------------------------

  // Sends the chosen test's entries and reads the study again. False when
  // the library refused the marks (shown with the sidecar's file and line).
  function send() {
    const t0 = performance.now();
    const list = state.entries.get(state.test) || [];
    const put = JSON.parse(state.study.set_markers(state.test, JSON.stringify(list)));
    if (!put.ok) return refused(put.error);
    state.sidecars.set(state.test, put);
    const ok = read();
    state.timings.push(performance.now() - t0);
    document.body.dataset.readingMs = state.timings.at(-1).toFixed(1);
    return ok;
  }

  function read() {
    const r = JSON.parse(state.study.reading());
    if (!r.ok) return refused(r.error);
    state.reading = r;
    $("mk-error").hidden = true;
    return true;
  }

  function refused(error) {
    const box = $("mk-error");
    box.hidden = false;
    $("mk-error-message").textContent = error.message;
    const where = [error.file && `file ${error.file}`, error.line && `line ${error.line}`].filter(Boolean);
    $("mk-error-where").textContent = where.join(", ");
    box.dataset.file = error.file || "";
    box.dataset.line = error.line || "";
    // A file the CLI would refuse is not offered for saving.
    $("mk-download").disabled = true;
    announce("Refused: " + error.message);
    return false;
  }

  // The chosen test: its report and its display traces.
  function current() {
    const { report, displays } = state.reading;
    const i = report.tests.findIndex((t) => t.file === state.test);
    return { test: report.tests[i], display: displays.find((d) => d.file === state.test) };
  }

  // A response's display trace, found by label as the library finds it.
  const traceOf = (display, response) => display.traces.find((t) => t.label === response.label);

  // ---- entries -----------------------------------------------------------

  // An entry names its response by number, or by label in a sidecar written
  // by hand; either is kept as it came.
  const matches = (e, n, label) => e.response === n || e.response === label;

  function entryFor(n, label) {
    return (state.entries.get(state.test) || []).find((e) => matches(e, n, label));
  }

  // Replaces (or with null removes) the entry of response n; the others
  // are kept as they are.
  function putEntry(n, label, entry) {
    const list = (state.entries.get(state.test) || []).filter((e) => !matches(e, n, label));
    if (entry) list.push(entry);
    list.sort((a, b) => number(a) - number(b));
    state.entries.set(state.test, list);
  }

  // The response number of an entry, for a stable order in the file.
  function number(e) {
    if (typeof e.response === "number") return e.response;
    const i = current().test.responses.findIndex((r) => r.label === e.response);
    return i + 1;
  }

  // The local date and time to the minute, as the sidecar's `at`.
  function now() {
    const d = new Date();
    const p = (v) => String(v).padStart(2, "0");
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
  }

  // Who makes a change: required before any, so each entry says who.
  function examiner() {
    const by = $("mk-by").value.trim();
    if (by) return by;
    $("mk-by-note").textContent = "Enter your initials first: each change records who made it.";
    $("mk-by").focus();
    return "";
  }

  // ---- the marks of a response --------------------------------------------

  // Where each mark is now (ms), from the report; null when not measured.
  function marksOf(r) {
    const end = r.onset_ms != null && r.duration_ms != null ? r.onset_ms + r.duration_ms : null;
    return {
      onset: r.onset_ms,
      negative_peak: r.negative_peak_ms,
      end,
      baseline_start: r.baseline_window_ms[0],
      baseline_end: r.baseline_window_ms[1],
    };
  }

  const isManual = (r, mark) => Boolean(r.manual?.set?.includes(mark.set));

  // The range a mark may move in: inside the sweep, onset before peak
  // before end, a baseline window of at least three samples; so a drag
  // does not ask for marks the library would refuse.
  function range(mark, at, sweep) {
    const { t0, t1, dt } = sweep;
    const first = (...v) => v.find((x) => x != null);
    switch (mark.id) {
      case "onset": return [t0, first(at.negative_peak, at.end, t1 + dt) - dt];
      case "negative_peak": return [first(at.onset, t0 - dt) + dt, first(at.end, t1 + dt) - dt];
      case "end": return [first(at.negative_peak, at.onset, t0 - dt) + dt, t1];
      case "baseline_start": return [t0, at.baseline_end - 2 * dt];
      default: return [at.baseline_start + 2 * dt, t1];
    }
  }

  // Where marks may go: the part of the sweep the test's views show.
  function sweepOf(display) {
    const t = display.times_ms;
    return { t0: state.view.t0, t1: state.view.t1, dt: t[1] - t[0] };
  }

  // The part of the sweep drawn for a test: from just before the stimulus
  // (or the earliest baseline window) to well past the latest response's
  // positive phase, so the CMAP fills the view; every mark is inside it.
  function viewOf(test, display) {
    const t = display.times_ms;
    const dt = t[1] - t[0];
    let t0 = -1;
    let t1 = 0;
    let artifactEnd = t[0];
    for (const r of test.responses) {
      const at = Object.values(marksOf(r)).filter((v) => v != null);
      t0 = Math.min(t0, ...at.map((v) => v - 1));
      const end = marksOf(r).end;
      if (end != null) t1 = Math.max(t1, ...at, end + 2.5 * r.duration_ms);
      artifactEnd = Math.max(artifactEnd, r.artifact_end_ms ?? t[0]);
    }
    if (t1 <= t0 + 10 * dt) t1 = t[t.length - 1];
    return { t0: Math.max(t[0], t0), t1: Math.min(t[t.length - 1], t1), artifactEnd };
  }

  // Times kept to a millionth of a ms: no float noise in the sidecar.
  const tidy = (t) => Number(t.toFixed(6));

  // Moves `mark` of the opened response to `t` (clamped): its entry keeps
  // the marks moved before and gains this one. False when nothing moved.
  function move(mark, t) {
    const by = examiner();
    if (!by) return false;
    const { test, display } = current();
    const n = state.open + 1;
    const r = test.responses[state.open];
    if (r.manual?.excluded) return false;
    const at = marksOf(r);
    const [lo, hi] = range(mark, at, sweepOf(display));
    const to = tidy(Math.min(hi, Math.max(lo, t)));
    const old = { ...(entryFor(n, r.label) || { response: n }) };
    if (mark.edge == null) old[mark.field] = to;
    else old.baseline_ms = mark.edge === 0 ? [to, tidy(at.baseline_end)] : [tidy(at.baseline_start), to];
    putEntry(n, r.label, { ...old, by, at: now() });
    return true;
  }

  // ---- drawing --------------------------------------------------------------

  const ordinal = (n) => n + (n === 1 ? "st" : n === 2 ? "nd" : n === 3 ? "rd" : "th");
  const fixed = (v, digits, unit) => (v == null ? "-" : `${v.toFixed(digits)} ${unit}`);

  // The marks set by hand on a response, as the report lists them.
  const manualOf = (r) => new Set(r.manual?.set || []);

  // Everything that follows a reading: the stack, the open response, the
  // test's decrement or increment and the study's conclusion.
  function redraw() {
    const { test, display } = current();
    const rows = test.responses.map((r, i) => ({
      n: i + 1,
      response: r,
      trace: traceOf(display, r),
      manual: manualOf(r),
      excluded: Boolean(r.manual?.excluded),
      reason: r.manual?.excluded || "",
    })).filter((row) => row.trace);
    mkDraw.stack($("mk-stack"), display.times_ms, rows, state.view, state.open == null ? null : state.open + 1);
    showTrain(test);
    const { pattern, summary } = state.reading.report.interpretation;
    state.hooks.showConclusion(pattern, summary);
    if (state.open != null) drawOpen();
    $("mk-download").disabled = !(state.sidecars.get(state.test)?.text);
  }

  // The test's headline: the decrement (to the response it was read to) or
  // the increment, as the report gives it.
  function showTrain(test) {
    const out = $("mk-train");
    const settings = state.reading.report.settings.train;
    let words;
    let value;
    if (test.protocol === "rns") {
      value = test.decrement_pct;
      const to = test.decrement_read_to ?? settings.decrement_response;
      words = value == null ? "Decrement: not measured" : `Decrement ${value.toFixed(1)}% (1st to ${ordinal(to)})`;
      if (test.decrement_read_to) words += `: read to the ${ordinal(to)}, the ${ordinal(to === 5 ? 4 : 5)} is excluded`;
    } else {
      value = test.increment_pct;
      words = value == null ? "Increment: not measured" : `Increment ${value.toFixed(1)}%`;
    }
    // With marks set by hand, the reading the automatic markers give; and
    // whether the test can be relied on, in the library's words.
    const auto = test.automatic?.[test.protocol === "rns" ? "decrement_pct" : "increment_pct"];
    if (auto != null && value != null && auto.toFixed(1) !== value.toFixed(1)) {
      words += ` (automatic markers: ${auto.toFixed(1)}%)`;
    }
    const validity = test.validity;
    out.classList.toggle("mk-unreliable", validity?.code === "unreliable");
    if (validity && validity.code !== "valid") {
      const why = validity.reasons.map((r) => r.text).join("; ");
      words += ` — ${validity.code.replaceAll("_", " ")}${why ? `: ${why}` : ""}`;
    }
    out.textContent = words;
    out.dataset.value = value == null ? "" : String(value);
    return words;
  }

  // Opens response `index` (0-based) large.
  function openResponse(index) {
    state.open = index;
    const { test, display } = current();
    const r = test.responses[index];
    $("mk-detail").hidden = false;
    $("mk-detail").dataset.response = String(index + 1);
    const label = /^r\d+$/.test(r.label) ? "" : ` (${r.label})`;
    $("mk-title").textContent = `Response ${index + 1}${label} of ${test.file}`;
    state.parts = mkDraw.large($("mk-large"), display.times_ms, traceOf(display, r), state.view, MARKS);
    redraw();
    // The large view opens below the stack: bring it into sight.
    $("mk-detail").scrollIntoView({ block: "nearest" });
  }

  // The open response: its handles and its measures.
  function drawOpen() {
    const { test, display } = current();
    const r = test.responses[state.open];
    const excluded = r.manual?.excluded;
    mkDraw.updateLarge(state.parts, traceOf(display, r), marksOf(r), manualOf(r), Boolean(excluded));
    $("mk-excluded").hidden = !excluded;
    $("mk-excluded").textContent = excluded ? `Excluded by ${r.manual.by} (${r.manual.at}): ${excluded}` : "";
    $("mk-exclude").hidden = Boolean(excluded);
    $("mk-reset").disabled = !entryFor(state.open + 1, r.label);
    showMeasures(r);
  }

  // The measures of the open response; beside a mark set by hand, the
  // automatic value it replaced.
  function showMeasures(r) {
    const m = r.manual || {};
    const auto = (v) => (v == null ? "" : ` (automatic ${v.toFixed(2)})`);
    const rows = [
      ["Onset", fixed(r.onset_ms, 2, "ms"), isManual(r, MARKS[0]) ? auto(m.automatic_onset_ms) : ""],
      ["Negative peak", fixed(r.negative_peak_ms, 2, "ms"), isManual(r, MARKS[1]) ? auto(m.automatic_negative_peak_ms) : ""],
      ["End of negative phase", fixed(marksOf(r).end, 2, "ms"), isManual(r, MARKS[2]) ? auto(m.automatic_end_ms) : ""],
      ["Amplitude", fixed(r.amplitude_mv, 2, "mV"), m.set?.length ? auto(m.automatic_amplitude_mv) : ""],
      ["Duration", fixed(r.duration_ms, 2, "ms"), ""],
      ["Area", fixed(r.area_mv_ms, 2, "mV·ms"), ""],
      ["Baseline window", r.baseline_window_ms.map((t) => t.toFixed(2)).join(" to ") + " ms", isManual(r, MARKS[3]) ? " (set by hand)" : ""],
    ];
    // The response's flags: a mark the trace does not bear out makes the
    // test unreliable, and says so here beside the mark.
    if (r.flags.length) rows.push(["Flags", r.flags.map((f) => f.replaceAll("_", " ")).join(", "), ""]);
    $("mk-values").replaceChildren(...rows.flatMap(([name, value, note]) => {
      const dt = Object.assign(document.createElement("dt"), { textContent: name });
      const dd = Object.assign(document.createElement("dd"), { textContent: value });
      dd.dataset.measure = name;
      if (note) dd.append(Object.assign(document.createElement("span"), { className: "note", textContent: note }));
      return [dt, dd];
    }));
  }

  // ---- moving marks ------------------------------------------------------------

  // A drag asks for a place per pointer event; the library reads the study
  // once per frame with the latest one.
  function schedule(mark, t) {
    state.pendingMove = { mark, t };
    if (!state.frame) state.frame = requestAnimationFrame(flush);
  }

  // Applies the latest place a drag asked for (at a frame, or at once when
  // the pointer is let go, so the mark stays where it was released).
  function flush() {
    cancelAnimationFrame(state.frame);
    state.frame = 0;
    const next = state.pendingMove;
    state.pendingMove = null;
    if (next && move(next.mark, next.t)) changed();
  }

  // After a mark moved: read, redraw; the report and its downloads follow
  // when the moves pause (rendering them takes longer than a frame).
  function changed() {
    if (send()) redraw();
    clearTimeout(state.refreshTimer);
    state.refreshTimer = setTimeout(() => state.hooks.refresh(), 300);
  }

  // What a screen reader hears after a move: the mark, the amplitude and
  // the test's headline.
  function tell(mark) {
    const { test } = current();
    const r = test.responses[state.open];
    const t = marksOf(r)[mark.id];
    const place = t == null ? "" : ` at ${t.toFixed(2)} ms`;
    announce(`Response ${state.open + 1}: ${mark.name}${place}; amplitude ${fixed(r.amplitude_mv, 2, "mV")}. ${$("mk-train").textContent}.`);
  }

  // The sample grid of the sweep: a drag lands on a sample.
  function snap(t) {
    const t0 = current().display.times_ms[0];
    const { dt } = sweepOf(current().display);
    return t0 + Math.round((t - t0) / dt) * dt;
  }

  function markOf(target) {
    const g = target.closest?.(".mk-handle");
    return g ? { g, mark: MARKS.find((m) => m.id === g.dataset.mark) } : null;
  }

  function wireHandles() {
    const svg = $("mk-large");
    svg.addEventListener("pointerdown", (e) => {
      const hit = markOf(e.target);
      if (!hit) return;
      hit.g.focus();
      if (!examiner()) return;
      e.preventDefault();
      hit.g.setPointerCapture(e.pointerId);
      state.dragging = hit.mark;
      state.dragFrom = e.clientX;
    });
    svg.addEventListener("pointermove", (e) => {
      if (!state.dragging) return;
      // A click that trembles is not a move: a mark is set by hand only
      // once the pointer has travelled a few pixels.
      if (state.dragFrom != null && Math.abs(e.clientX - state.dragFrom) < 3) return;
      state.dragFrom = null;
      const p = new DOMPoint(e.clientX, e.clientY).matrixTransform(svg.getScreenCTM().inverse());
      schedule(state.dragging, snap(state.parts.tOf(p.x)));
    });
    const end = (e) => {
      if (!state.dragging) return;
      const mark = state.dragging;
      state.dragging = null;
      flush();
      if (e.target.hasPointerCapture?.(e.pointerId)) e.target.releasePointerCapture(e.pointerId);
      tell(mark);
    };
    svg.addEventListener("pointerup", end);
    svg.addEventListener("pointercancel", end);
    svg.addEventListener("keydown", onKey);
  }

  // Left and Right move the focused mark by one sample; with Shift, by ten.
  function onKey(e) {
    const hit = markOf(e.target);
    if (!hit || (e.key !== "ArrowLeft" && e.key !== "ArrowRight")) return;
    e.preventDefault();
    const { test, display } = current();
    const t = marksOf(test.responses[state.open])[hit.mark.id];
    const steps = (e.key === "ArrowLeft" ? -1 : 1) * (e.shiftKey ? 10 : 1);
    if (t == null || !move(hit.mark, t + steps * sweepOf(display).dt)) return;
    changed();
    tell(hit.mark);
  }

  // ---- excluding, resetting, downloading -------------------------------------

  function exclude(e) {
    e.preventDefault();
    const reason = $("mk-reason").value.trim();
    if (!reason) {
      $("mk-reason").focus();
      return announce("Give a reason to exclude the response.");
    }
    const by = examiner();
    if (!by) return;
    const r = current().test.responses[state.open];
    putEntry(state.open + 1, r.label, { response: state.open + 1, excluded: reason, by, at: now() });
    $("mk-reason").value = "";
    changed();
    announce(`Response ${state.open + 1} excluded. ${$("mk-train").textContent}.`);
  }

  function reset() {
    const r = current().test.responses[state.open];
    putEntry(state.open + 1, r.label, null);
    changed();
    announce(`Response ${state.open + 1} back to its automatic marks. ${$("mk-train").textContent}.`);
  }

  // The test's sidecar as a file named for it, to save beside the test.
  function download() {
    const sidecar = state.sidecars.get(state.test);
    if (!sidecar?.text) return;
    const url = URL.createObjectURL(new Blob([sidecar.text], { type: "application/toml" }));
    const a = Object.assign(document.createElement("a"), { href: url, download: sidecar.file });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  // ---- wiring ------------------------------------------------------------------

  function wireStack() {
    const svg = $("mk-stack");
    const pick = (target) => target.closest?.(".mk-row");
    svg.addEventListener("click", (e) => {
      const row = pick(e.target);
      if (row) openResponse(Number(row.dataset.response) - 1);
    });
    svg.addEventListener("keydown", (e) => {
      const row = pick(e.target);
      if (!row || (e.key !== "Enter" && e.key !== " ")) return;
      e.preventDefault();
      openResponse(Number(row.dataset.response) - 1);
      $("mk-large").querySelector(".mk-handle")?.focus();
    });
  }

  function wire() {
    const by = $("mk-by");
    try { by.value = localStorage.getItem("nmjscope.examiner") || ""; } catch { /* storage refused: type it */ }
    by.addEventListener("input", () => {
      $("mk-by-note").textContent = "";
      try { localStorage.setItem("nmjscope.examiner", by.value.trim()); } catch { /* not kept */ }
    });
    $("mk-test").addEventListener("change", (e) => {
      chooseTest(e.target.value);
      closeResponse();
      redraw();
    });
    $("mk-close").addEventListener("click", () => { closeResponse(); redraw(); });
    $("mk-exclude").addEventListener("submit", exclude);
    $("mk-reset").addEventListener("click", reset);
    $("mk-download").addEventListener("click", download);
    wireStack();
    wireHandles();
    // The views are drawn at their pixel width: again when it changes.
    let pending = 0;
    window.addEventListener("resize", () => {
      if (pending || !state.reading || $("markers").hidden) return;
      pending = requestAnimationFrame(() => {
        pending = 0;
        if (state.open != null) openResponse(state.open);
        else redraw();
      });
    });
  }

  function closeResponse() {
    state.open = null;
    $("mk-detail").hidden = true;
  }

  function fillTests() {
    const select = $("mk-test");
    const tests = state.reading.report.tests;
    select.replaceChildren(...tests.map((t) => new Option(`${t.file} (${protocolName(t)})`, t.file)));
    // A slow train first: its decrement is what a moved mark changes most.
    chooseTest((tests.find((t) => t.protocol === "rns") || tests[0]).file);
  }

  function chooseTest(file) {
    state.test = file;
    $("mk-test").value = file;
    const { test, display } = current();
    state.view = viewOf(test, display);
  }

  function protocolName(t) {
    const rate = t.stim_rate_hz ? `, ${t.stim_rate_hz} Hz` : "";
    if (t.protocol === "rns") return "slow train" + rate;
    if (t.protocol === "hfrns") return "fast train" + rate;
    return "exercise";
  }

  function announce(text) {
    $("mk-live").textContent = text;
  }

  window.markerEditor = {
    // A study was analysed: its files, what the page does on a change
    // ({ showConclusion(pattern, summary), refresh() }), and the sidecars
    // dropped with it (test file -> text).
    open(study, hooks, dropped) {
      Object.assign(state, { study, hooks, reading: null, timings: [] });
      state.entries = new Map();
      state.sidecars = new Map([...dropped].map(([test, text]) => [test, { file: test + ".markers.toml", text }]));
      closeResponse();
      if (!read()) return;
      for (const m of state.reading.markers) if (m.entries.length) state.entries.set(m.test, m.entries);
      $("markers").hidden = state.reading.report.tests.length === 0;
      if (state.reading.report.tests.length === 0) return;
      fillTests();
      redraw();
      document.body.dataset.markersReady = "true";
    },
    close() {
      Object.assign(state, { study: null, reading: null });
      clearTimeout(state.refreshTimer);
      closeResponse();
      $("markers").hidden = true;
      delete document.body.dataset.markersReady;
    },
    // ms per set_markers + reading() since the study was opened.
    timings: () => state.timings.slice(),
  };

  wire();
})();
