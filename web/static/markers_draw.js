// SVG drawing for the marker editor (markers.js): the stack of a test's
// responses and one response large, with its marks as handles. Negative is
// drawn up, as EMG screens show a CMAP. Marks set by hand are purple, the
// colour of the CLI's plots (docs/markers.md, "On the plots"); the
// automatic ones keep the plots' colours (onset green, peak red, baseline
// window orange). Pure drawing: no state, no library calls.
"use strict";

window.mkDraw = (() => {
  const NS = "http://www.w3.org/2000/svg";
  const ROW_H = 46;
  // The strip at the bottom of the large plot where the baseline window's
  // edges are grabbed (px).
  const EDGE_STRIP = 34;

  function el(tag, attrs, parent) {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (parent) parent.appendChild(e);
    return e;
  }

  function text(parent, attrs, words) {
    const t = el("text", attrs, parent);
    t.textContent = words;
    return t;
  }

  // Ticks at a round step (1, 2 or 5 times a power of ten), about `count`.
  function ticks(lo, hi, count) {
    const raw = (hi - lo) / count;
    const p = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw);
    const out = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(Number(v.toFixed(10)));
    return out;
  }

  // The trace inside the view as a path, every `step`-th sample, its
  // values clamped to [lo, hi] so a stimulus artifact does not cross the
  // neighbouring traces.
  function pathOf(times, values, x, y, step, { lo, hi }, view) {
    let d = "";
    for (let i = 0; i < values.length; i += step) {
      if (times[i] < view.t0 || times[i] > view.t1) continue;
      const v = Math.min(hi, Math.max(lo, values[i]));
      d += (d ? "L" : "M") + x(times[i]).toFixed(1) + "," + y(v).toFixed(1);
    }
    return d;
  }

  // The lowest and highest values in the view after the stimulus artifact
  // (the artifact would squash the response), over all the traces given.
  function range(times, traces, view) {
    let lo = 0;
    let hi = 0;
    for (const tr of traces) {
      for (let i = 0; i < times.length; i++) {
        if (times[i] < view.artifactEnd || times[i] > view.t1) continue;
        lo = Math.min(lo, tr.values_mv[i]);
        hi = Math.max(hi, tr.values_mv[i]);
      }
    }
    return { lo, hi: Math.max(hi, 1e-6 - lo * 0.05) };
  }

  // The value of a trace at t (linear between samples).
  function valueAt(times, values, t) {
    const dt = times[1] - times[0];
    const x = Math.max(0, Math.min(values.length - 1, (t - times[0]) / dt));
    const i = Math.floor(x);
    const j = Math.min(values.length - 1, i + 1);
    return values[i] + (x - i) * (values[j] - values[i]);
  }

  // Symbols: the onset a triangle, the peak a dot, the end a bar; a mark
  // set by hand a purple ring in their place (as on the CLI's plots).
  function symbol(parent, kind, size, cls) {
    if (kind === "onset") return el("path", { d: `M0,${-size}L${size},${size}L${-size},${size}Z`, class: cls }, parent);
    if (kind === "end") return el("rect", { x: -size / 2, y: -size, width: size, height: 2 * size, class: cls }, parent);
    return el("circle", { r: size, class: cls }, parent);
  }

  function ring(parent, x, y, r) {
    return el("circle", { cx: x, cy: y, r, class: "mk-ring" }, parent);
  }

  // ---- the stack ----------------------------------------------------------

  // rows: [{ n, trace, response, manual: Set, excluded, reason }];
  // the open response (number) is highlighted. Returns the row groups.
  // Drawn at the pixel width it is shown at, so its words keep their size
  // on a narrow window: columns of ten rows, none narrower than 190 px.
  function stack(svg, times, rows, view, open) {
    const width = Math.round(svg.getBoundingClientRect().width) || 1000;
    const fit = Math.max(1, Math.floor(width / 190));
    const cols = Math.min(fit, Math.max(2, Math.ceil(rows.length / 10)));
    const per = Math.ceil(rows.length / cols);
    const cw = width / cols;
    svg.setAttribute("viewBox", `0 0 ${width} ${per * ROW_H + 4}`);
    svg.replaceChildren();
    const { lo, hi } = range(times, rows.map((r) => r.trace), view);
    const scale = (ROW_H - 12) / (hi - lo);
    const step = Math.max(1, Math.ceil(((view.t1 - view.t0) / (times[1] - times[0])) / 260));
    return rows.map((row, k) => {
      const cell = { x: Math.floor(k / per) * cw, y: (k % per) * ROW_H, w: cw };
      const y0 = cell.y + 6 - lo * scale; // zero: the negative peak room above it
      return stackRow(svg, cell, row, { times, view, step, lo, hi, scale, y0, open });
    });
  }

  function stackRow(svg, cell, row, s) {
    const g = el("g", { class: "mk-row", role: "button", tabindex: "0", "data-response": row.n }, svg);
    if (row.n === s.open) g.classList.add("selected");
    if (row.excluded) g.classList.add("excluded");
    el("rect", { x: cell.x + 1, y: cell.y + 1, width: cell.w - 2, height: ROW_H - 2, rx: 4, class: "mk-row-bg" }, g);
    el("title", {}, g).textContent = `Response ${row.n} (${row.response.label})`;
    // A response a person changed shows it from afar: a purple edge.
    if (row.manual.size || row.excluded) {
      g.classList.add("by-hand");
      el("rect", { x: cell.x + 1, y: cell.y + 1, width: 5, height: ROW_H - 2, class: "mk-manual-edge" }, g);
    }
    text(g, { x: cell.x + 8, y: cell.y + ROW_H / 2 + 5, class: "mk-num" }, String(row.n));
    const left = cell.x + 34;
    const span = cell.w - 34 - 78;
    const { t0, t1 } = s.view;
    const x = (t) => left + ((t - t0) / (t1 - t0)) * span;
    const y = (v) => s.y0 + v * s.scale;
    el("path", { d: pathOf(s.times, row.trace.values_mv, x, y, s.step, s, s.view), class: "mk-thumb" }, g);
    const amp = row.response.amplitude_mv;
    const words = row.excluded ? "excluded" : amp == null ? "not measured" : `${amp.toFixed(2)} mV`;
    text(g, { x: cell.x + cell.w - 8, y: cell.y + ROW_H / 2 + 5, class: "mk-amp", "text-anchor": "end" }, words);
    g.setAttribute("aria-label", `Response ${row.n}: ${row.excluded ? "excluded, " + row.reason : words}${row.manual.size ? ", marks set by hand" : ""}`);
    stackMarks(g, row, x, y, s);
    return g;
  }

  // The onset and peak on each small trace; marks set by hand as rings, a
  // baseline window set by hand as a purple bar under the trace.
  function stackMarks(g, row, x, y, s) {
    const tr = row.trace;
    const at = (t) => y(Math.min(s.hi, Math.max(s.lo, valueAt(s.times, tr.values_mv, t))));
    const marks = [["onset", tr.onset?.[0]], ["negative_peak", tr.negative_peak?.[0]], ["end", endOf(row.response)]];
    for (const [kind, t] of marks) {
      if (t == null || row.excluded) continue;
      if (row.manual.has(kind)) ring(g, x(t).toFixed(1), at(t).toFixed(1), 5);
      else if (kind !== "end") {
        const sym = symbol(g, kind, 3, "mk-sym " + kind);
        sym.setAttribute("transform", `translate(${x(t).toFixed(1)},${at(t).toFixed(1)})`);
      }
    }
    if (row.manual.has("baseline")) {
      const [a, b] = tr.baseline_window_ms;
      el("rect", { x: x(a), y: s.y0 + 4, width: Math.max(2, x(b) - x(a)), height: 3, class: "mk-manual-bar" }, g);
    }
  }

  // ---- one response large -------------------------------------------------

  // Builds the large view of one response: axes in ms and mV, the baseline
  // window as a band, the trace, and a handle per mark. Returns the parts
  // updateLarge moves, so a handle keeps its focus while it is moved. Drawn
  // at its pixel width, as the stack.
  function large(svg, times, trace, view, marks) {
    const L = { w: Math.round(svg.getBoundingClientRect().width) || 1000, h: 430, left: 66, right: 18, top: 34, bottom: 50 };
    svg.setAttribute("viewBox", `0 0 ${L.w} ${L.h}`);
    svg.replaceChildren();
    const { t0, t1 } = view;
    const { lo, hi } = range(times, [trace], view);
    const pad = (hi - lo) * 0.1;
    const [v0, v1] = [lo - pad, hi + pad];
    const pw = L.w - L.left - L.right;
    const ph = L.h - L.top - L.bottom;
    const x = (t) => L.left + ((t - t0) / (t1 - t0)) * pw;
    const y = (v) => L.top + ((v - v0) / (v1 - v0)) * ph;
    const tOf = (px) => t0 + ((px - L.left) / pw) * (t1 - t0);
    axes(svg, L, { x, y, t0, t1, v0, v1, pw, ph });
    const band = el("rect", { y: L.top, height: ph, class: "mk-band" }, svg);
    const bandTag = text(svg, { y: L.top + ph - 34, class: "mk-tag", "text-anchor": "middle" }, "baseline");
    el("line", { x1: L.left, x2: L.left + pw, y1: y(0), y2: y(0), class: "mk-zero" }, svg);
    const path = el("path", { class: "mk-trace" }, svg);
    const handles = {};
    for (const m of marks) handles[m.id] = handle(svg, m, L.top, L.top + ph, [t0, t1]);
    return { svg, times, view, x, y, tOf, v0, v1, path, band, bandTag, handles };
  }

  function axes(svg, L, s) {
    const g = el("g", { class: "mk-axes" }, svg);
    const bottom = L.top + s.ph;
    for (const t of ticks(s.t0, s.t1, Math.max(4, Math.round(s.pw / 80)))) {
      el("line", { x1: s.x(t), x2: s.x(t), y1: L.top, y2: bottom, class: "mk-grid" }, g);
      text(g, { x: s.x(t), y: bottom + 17, "text-anchor": "middle" }, String(t));
    }
    for (const v of ticks(s.v0, s.v1, 6)) {
      el("line", { x1: L.left, x2: L.left + s.pw, y1: s.y(v), y2: s.y(v), class: "mk-grid" }, g);
      text(g, { x: L.left - 8, y: s.y(v) + 4, "text-anchor": "end" }, String(v));
    }
    el("rect", { x: L.left, y: L.top, width: s.pw, height: s.ph, class: "mk-frame" }, g);
    text(g, { x: L.left + s.pw / 2, y: L.h - 8, "text-anchor": "middle", class: "mk-title" }, "ms after the stimulus");
    const mid = L.top + s.ph / 2;
    text(g, { x: 16, y: mid, transform: `rotate(-90 16 ${mid})`, "text-anchor": "middle", class: "mk-title" }, "mV (negative up)");
  }

  // A mark as a slider: a line across the plot with a wide invisible hit
  // area, a grip (at the top; the baseline window's edges at the bottom),
  // its symbol on the trace and its name. The baseline edges are grabbed
  // in the bottom strip only and the other marks above it, so an onset a
  // few pixels from the window's end can still be taken.
  function handle(svg, mark, top, bottom, [t0, t1]) {
    const g = el("g", { class: "mk-handle " + mark.id, tabindex: "0", role: "slider", "data-mark": mark.id }, svg);
    g.setAttribute("aria-label", mark.name[0].toUpperCase() + mark.name.slice(1));
    g.setAttribute("aria-valuemin", t0.toFixed(2));
    g.setAttribute("aria-valuemax", t1.toFixed(2));
    const edge = mark.edge != null;
    const strip = bottom - EDGE_STRIP;
    el("line", { y1: edge ? strip : top - 4, y2: edge ? bottom : strip, class: "mk-hit" }, g);
    // The band shows the window above the strip; an edge's line stays in
    // it, clear of the marks' lines.
    el("line", { y1: edge ? strip : top, y2: bottom, class: "mk-line" }, g);
    el("rect", { x: -6, y: edge ? bottom - 26 : top - 2, width: 12, height: 24, rx: 3, class: "mk-grip" }, g);
    if (mark.tag) text(g, { y: top - 8, "text-anchor": "middle", class: "mk-tag" }, mark.tag);
    if (edge) return { g };
    return { g, sym: symbol(g, mark.id, 7, "mk-sym " + mark.id), ring: el("circle", { r: 10, class: "mk-ring" }, g) };
  }

  // Moves the parts to a new reading: the trace, the band, each handle
  // (hidden when its mark is not measured or the response is excluded).
  // `at`: mark id -> ms; `manual`: the marks set by hand.
  function updateLarge(p, trace, at, manual, excluded) {
    p.path.setAttribute("d", pathOf(p.times, trace.values_mv, p.x, p.y, 1, { lo: p.v0, hi: p.v1 }, p.view));
    p.path.classList.toggle("excluded", excluded);
    const [a, b] = [p.x(at.baseline_start), p.x(at.baseline_end)];
    Object.entries({ x: a, width: Math.max(1, b - a) }).forEach(([k, v]) => p.band.setAttribute(k, v.toFixed(2)));
    p.band.classList.toggle("manual", manual.has("baseline"));
    p.bandTag.setAttribute("x", ((a + b) / 2).toFixed(2));
    for (const [id, h] of Object.entries(p.handles)) {
      const t = at[id];
      h.g.style.display = t == null || excluded ? "none" : "";
      if (t == null) continue;
      const byHand = manual.has(id.startsWith("baseline") ? "baseline" : id);
      h.g.setAttribute("transform", `translate(${p.x(t).toFixed(2)},0)`);
      h.g.classList.toggle("manual", byHand);
      h.g.dataset.t = String(t);
      h.g.setAttribute("aria-valuenow", t.toFixed(2));
      h.g.setAttribute("aria-valuetext", `${t.toFixed(2)} ms${byHand ? ", set by hand" : ""}`);
      if (!h.sym) continue;
      const v = id === "negative_peak" && trace.negative_peak ? trace.negative_peak[1] : valueAt(p.times, trace.values_mv, t);
      const vy = p.y(Math.min(p.v1, Math.max(p.v0, v))).toFixed(2);
      h.sym.setAttribute("transform", `translate(0,${vy})`);
      h.ring.setAttribute("cy", vy);
    }
  }

  const endOf = (r) => (r.onset_ms != null && r.duration_ms != null ? r.onset_ms + r.duration_ms : null);

  return { stack, large, updateLarge, endOf };
})();
