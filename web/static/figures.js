// The teaching view's figures: the library's SVG put on the page, with a
// small control under each that saves it as SVG (the library's text, as a
// Blob) or as PNG (the SVG drawn into a canvas at twice its size). Both
// files are made in the browser: nothing leaves the page.
"use strict";

// The SVG text each figure shows, as the library wrote it.
const figureSvg = new WeakMap();

// Shows `svg` in `figure` with its download control; `name()` gives the
// file name without extension when a download is asked for.
function setFigure(figure, svg, name) {
  figureSvg.set(figure, svg);
  const host = figure.querySelector(".fig-svg") || figure.appendChild(Object.assign(document.createElement("div"), { className: "fig-svg" }));
  host.innerHTML = svg;
  const root = host.querySelector("svg");
  if (root) { groupLegends(root); markAxisTitle(root); fitRightLabels(root); }
  figure.fileName = name;
  if (!figure.querySelector(".fig-dl")) figure.appendChild(downloadControl(figure));
  figure.querySelector(".fig-dl").hidden = !svg;
}

// Each legend (a framed box and the texts and keys inside it) put in a
// group, so presentation mode can enlarge it as a whole: its texts, drawn
// larger alone, would run out of their box. The downloads keep the
// library's own SVG text.
function groupLegends(svg) {
  for (const frame of svg.querySelectorAll(':scope > rect[fill="none"]')) {
    const box = ["x", "y", "width", "height"].map((a) => Number(frame.getAttribute(a)));
    const inside = (x, y) => x >= box[0] && x <= box[0] + box[2] && y >= box[1] && y <= box[1] + box[3];
    const g = document.createElementNS("http://www.w3.org/2000/svg", "g");
    g.setAttribute("class", "legend");
    const back = frame.previousElementSibling;
    frame.before(g);
    if (back?.tagName === "rect" && back.getAttribute("x") === frame.getAttribute("x")) g.append(back);
    g.append(frame);
    let next = g.nextElementSibling;
    while (next && next.tagName !== "rect" && inside(...firstPoint(next))) {
      const el = next;
      next = next.nextElementSibling;
      g.append(el);
    }
  }
}

// The x axis's title (the lowest text): presentation mode moves it down,
// below its tick labels, which grow downwards.
function markAxisTitle(svg) {
  const texts = [...svg.querySelectorAll(":scope > text:not([transform])")];
  const lowest = Math.max(...texts.map((t) => Number(t.getAttribute("y"))));
  for (const t of texts) if (Number(t.getAttribute("y")) === lowest) t.classList.add("axis-x");
}

// The labels right of a stack's traces ("r4  6.02 mV", "immediately after
// 7.81 mV"), larger in presentation mode, would run past the plot's right
// edge: each is moved left by what it would overflow (about 0.55 of its
// size a character, sans-serif), over the flat end of the sweeps.
const RIGHT_LABEL_SIZE = 18;

function fitRightLabels(svg) {
  const width = Number(svg.getAttribute("width")) || 900;
  const texts = [...svg.querySelectorAll(':scope > text[text-anchor="start"]')];
  const atX = (x) => texts.filter((t) => t.getAttribute("x") === x).length;
  for (const t of texts) {
    const x = Number(t.getAttribute("x"));
    const chars = t.textContent.trim().length;
    // A column of three or more labels at one x, in the right part: a
    // stack's rows (a bar chart's labels each have their own x).
    if (x < 0.6 * width || chars === 0 || atX(t.getAttribute("x")) < 3) continue;
    t.classList.add("right-label");
    const over = x + 0.55 * RIGHT_LABEL_SIZE * chars - (width - 4);
    t.style.setProperty("--shift", `${Math.max(0, over).toFixed(0)}px`);
  }
}

// Where an element of the plot starts (its x, y or its first point).
function firstPoint(el) {
  const pts = el.getAttribute("points");
  if (pts) return pts.trim().split(/[\s,]+/).slice(0, 2).map(Number);
  const x = el.getAttribute("x") ?? el.getAttribute("cx");
  const y = el.getAttribute("y") ?? el.getAttribute("cy");
  return x == null || y == null ? [NaN, NaN] : [Number(x), Number(y)];
}

function downloadControl(figure) {
  const cap = document.createElement("figcaption");
  cap.className = "fig-dl";
  cap.append("Download ");
  for (const kind of ["SVG", "PNG"]) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = kind;
    b.dataset.kind = kind.toLowerCase();
    b.setAttribute("aria-label", `Download this figure as ${kind}`);
    b.addEventListener("click", () => downloadFigure(figure, kind.toLowerCase()));
    cap.append(b, " ");
  }
  return cap;
}

async function downloadFigure(figure, kind) {
  const text = svgDocument(figureSvg.get(figure) || "");
  const name = `${figure.fileName ? figure.fileName() : "figure"}.${kind}`;
  try {
    const blob = kind === "svg" ? new Blob([text], { type: "image/svg+xml" }) : await svgToPng(text, 2);
    saveBlob(blob, name);
  } catch (e) {
    const cap = figure.querySelector(".fig-dl");
    cap.dataset.error = e.message;
    cap.title = "The figure could not be saved: " + e.message;
  }
}

// A standalone SVG file: the namespace a browser needs to open it alone.
function svgDocument(svg) {
  return /^<svg[^>]*\sxmlns=/.test(svg) ? svg : svg.replace(/^<svg/, '<svg xmlns="http://www.w3.org/2000/svg"');
}

// The SVG drawn at `scale` times its size on a white ground, as PNG.
async function svgToPng(text, scale) {
  const url = URL.createObjectURL(new Blob([text], { type: "image/svg+xml" }));
  try {
    const img = new Image();
    await new Promise((resolve, reject) => {
      img.onload = resolve;
      img.onerror = () => reject(new Error("the SVG could not be drawn"));
      img.src = url;
    });
    const canvas = document.createElement("canvas");
    canvas.width = Math.round((img.naturalWidth || 800) * scale);
    canvas.height = Math.round((img.naturalHeight || 600) * scale);
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    return await new Promise((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("the PNG could not be made"))), "image/png"));
  } finally {
    URL.revokeObjectURL(url);
  }
}

function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = Object.assign(document.createElement("a"), { href: url, download: name });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// A file name from the controls: condition, severity, protocol, rate, seed.
function figureName(c, seed, what) {
  const parts = ["nmjscope", c.condition];
  if (c.condition !== "normal") parts.push("s" + Number(c.severity).toFixed(2));
  parts.push(c.protocol);
  if (c.protocol !== "exercise" && c.protocol !== "series" && c.rate) parts.push(c.rate + "hz");
  parts.push("seed" + seed, what);
  return parts.join("-");
}
