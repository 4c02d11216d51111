// "Inside the end plate": what the simulator holds behind each response of
// the test on screen (the `endplate` series of `teach`, averaged over the
// end plates), drawn as four small aligned panels against the response:
// quanta released, the releasable store available, the safety margin (a
// line at 1, the threshold) and the fibres that fail. Pure drawing: an SVG
// string, shown and downloaded like the library's figures (figures.js).
// Its texts are inside groups, so presentation mode's rules for the
// library's figures leave them alone: they are drawn large enough here.
"use strict";

window.epDraw = (() => {
  const W = 1000;
  const H = 250;
  const PANEL_W = W / 4;
  const M = { left: 50, right: 14, top: 40, bottom: 44 };
  const INK = "#263238";
  const MUTED = "#607d8b";
  const GRID = "#e3e8ec";

  const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

  // Ticks at a round step (1, 2 or 5 times a power of ten), about `count`.
  function ticks(lo, hi, count) {
    const raw = (hi - lo) / count || 1;
    const p = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw);
    const out = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(Number(v.toFixed(10)));
    return out;
  }

  // The responses labelled on the x axis: all of a short train, the 1st
  // and round numbers of a long one.
  function xTicks(n) {
    if (n <= 10) return [...Array(n).keys()].map((i) => i + 1);
    const step = n <= 20 ? 5 : 10;
    const out = [1];
    for (let v = step; v <= n; v += step) out.push(v);
    return out;
  }

  const PANELS = [
    { key: "quantal_content", title: "Quanta released", colour: "#1565c0", scale: 1, fixed: null, digits: 0 },
    { key: "store_fraction", title: "Store available (%)", colour: "#6a1b9a", scale: 100, fixed: 100, digits: 0 },
    { key: "safety_factor", title: "Safety margin (EPP/threshold)", colour: "#2e7d32", scale: 1, fixed: null, digits: 1, threshold: true },
    { key: "failed_fraction", title: "Fibres failing (%)", colour: "#c62828", scale: 100, fixed: 100, digits: 0 },
  ];

  // The SVG of `states` (one per response); `labels` names the x axis of
  // an exercise test's responses (pre, 0 s, ...), else they are numbered.
  function svg(states, labels) {
    const n = states.length;
    const parts = [];
    const data = [];
    PANELS.forEach((p, k) => {
      const values = states.map((s) => s[p.key] * p.scale);
      data.push(`data-${p.key.replace(/_/g, "-")}="${values.map((v) => v.toFixed(p.digits + 2)).join(",")}"`);
      const x0 = k * PANEL_W + M.left;
      const x1 = (k + 1) * PANEL_W - M.right;
      const y0 = H - M.bottom;
      const y1 = M.top;
      const top = p.fixed ?? niceTop(Math.max(...values, p.threshold ? 2 : 1));
      const x = (i) => (n === 1 ? (x0 + x1) / 2 : x0 + ((x1 - x0) * i) / (n - 1));
      const y = (v) => y0 - ((y0 - y1) * Math.min(Math.max(v, 0), top)) / top;
      const g = [];
      g.push(`<text x="${k * PANEL_W + 8}" y="22" font-size="16" font-weight="600" fill="${INK}">${esc(p.title)}</text>`);
      for (const t of ticks(0, top, 4)) {
        g.push(`<line x1="${x0}" x2="${x1}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="${GRID}" stroke-width="1"/>`);
        g.push(`<text x="${x0 - 6}" y="${(y(t) + 5).toFixed(1)}" font-size="14" text-anchor="end" fill="${MUTED}">${t}</text>`);
      }
      g.push(`<line x1="${x0}" x2="${x0}" y1="${y1}" y2="${y0}" stroke="${MUTED}" stroke-width="1"/>`);
      g.push(`<line x1="${x0}" x2="${x1}" y1="${y0}" y2="${y0}" stroke="${MUTED}" stroke-width="1"/>`);
      const xt = labels ? labels.map((_, i) => i + 1) : xTicks(n);
      for (const r of xt) {
        const label = labels ? labels[r - 1] : String(r);
        g.push(`<text x="${x(r - 1).toFixed(1)}" y="${y0 + 18}" font-size="14" text-anchor="middle" fill="${MUTED}">${esc(label)}</text>`);
      }
      g.push(`<text x="${(x0 + x1) / 2}" y="${H - 6}" font-size="14" text-anchor="middle" fill="${MUTED}">response</text>`);
      if (p.threshold) {
        const yt = y(1).toFixed(1);
        g.push(`<line class="threshold" x1="${x0}" x2="${x1}" y1="${yt}" y2="${yt}" stroke="#c62828" stroke-width="1.5" stroke-dasharray="6 4"/>`);
        g.push(`<text x="${x1}" y="${(y(1) - 5).toFixed(1)}" font-size="13" text-anchor="end" fill="#c62828">threshold</text>`);
      }
      const pts = values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
      g.push(`<polyline points="${pts}" fill="none" stroke="${p.colour}" stroke-width="2.5" stroke-linejoin="round"/>`);
      if (n <= 20) {
        values.forEach((v, i) => g.push(`<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3.5" fill="${p.colour}"/>`));
      }
      parts.push(`<g class="ep-panel" data-key="${p.key}">${g.join("")}</g>`);
    });
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" class="endplate-svg" ${data.join(" ")}>`
      + `<rect width="${W}" height="${H}" fill="#fff"/>${parts.join("")}</svg>`;
  }

  // A round top for an axis, a little above `v` (1, 1.5, 2, 2.5, 3, 4, 5,
  // 6, 8 or 10 times a power of ten).
  function niceTop(v) {
    const p = 10 ** Math.floor(Math.log10(v));
    return [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].map((m) => m * p).find((s) => s >= v * 1.05) ?? 10 * p;
  }

  // What to look at, for the condition and protocol on screen.
  function caption(c) {
    if (c.condition === "mg") {
      return c.protocol === "rns"
        ? "In MG the safety margin starts low, so as the store runs down through the first 4-5 responses more fibres fail: the CMAP falls."
        : "In MG the safety margin starts low: the store running down and the calcium building up pull against each other, so the fibres failing, and the CMAP, change little.";
    }
    if (c.condition === "lems" && c.protocol === "exercise") {
      return "In LEMS each impulse releases few quanta; 10 s of contraction fire the nerve at about 30 Hz, calcium builds up and right after it the quantal content is higher: fewer fibres fail and the CMAP grows, then fades within a minute.";
    }
    if (c.condition === "lems") {
      return c.protocol === "rns"
        ? "In LEMS each impulse releases few quanta, so many fibres fail from the first response; at a slow rate the store runs down and more fail: the CMAP falls."
        : "In LEMS each impulse releases few quanta, but at fast rates calcium builds up and the quantal content rises: fewer fibres fail and the CMAP grows.";
    }
    return "A healthy end plate releases several times the quanta it needs: its safety margin stays far above 1 as the store runs down, so no fibre fails and the CMAP does not change.";
  }

  return { svg, caption };
})();
