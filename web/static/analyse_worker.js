// The first analysis of a dropped study, off the page's thread, so a large
// file does not freeze the page (app.js starts this worker when the page
// is served over http(s); a page opened from a folder cannot start one and
// analyses on its own thread). It loads its own copy of the module and
// answers each {id, name, files: [{name, bytes}]} with {id, reply}: the
// JSON of StudyFiles.analyze, as on the page's thread.
"use strict";
importScripts("pkg/nmjscope.js");

// The plots measure each label as a page would: a <span> in the document,
// its offsetWidth and offsetHeight (plotters' web font code). A worker has
// no document: this stands in for the few calls it makes, measuring the
// text with an OffscreenCanvas in the same font, white space collapsed as
// the page's layout collapses it, and the height of a line of the page's
// body (style.css: line-height 1.45), so the report's layout is the one
// the page's own thread draws.
const LINE_HEIGHT = 1.45;

class MeasuredSpan {
  constructor() { this.textContent = ""; this.size = 10; this.font = "10px sans-serif"; }
  setAttribute(name, value) {
    if (name !== "style") return;
    const get = (key) => (value.match(new RegExp(`${key}:\\s*([^;]+)`)) || [])[1]?.trim();
    const style = ["italic", "oblique"].includes(get("font-style")) ? get("font-style") : "normal";
    this.size = parseFloat(get("font-size")) || 10;
    this.font = `${style} ${this.size}px ${get("font-family") || "sans-serif"}`;
  }
  get offsetWidth() {
    MeasuredSpan.ctx ??= new OffscreenCanvas(1, 1).getContext("2d");
    MeasuredSpan.ctx.font = this.font;
    return Math.round(MeasuredSpan.ctx.measureText(String(this.textContent ?? "").replace(/\s+/g, " ").trim()).width);
  }
  get offsetHeight() { return Math.round(this.size * LINE_HEIGHT); }
  remove() {}
}
self.Window = self.constructor;
self.HTMLElement = MeasuredSpan;
self.document = { body: { append() {} }, createElement: () => new MeasuredSpan() };

const ready = wasm_bindgen({ module_or_path: "pkg/nmjscope_bg.wasm" }); // eslint-disable-line no-undef

self.onmessage = async (e) => {
  const { id, name, files } = e.data;
  let reply;
  let failed = false;
  try {
    await ready;
    const study = new wasm_bindgen.StudyFiles(name); // eslint-disable-line no-undef
    for (const f of files) study.add(f.name, f.bytes);
    reply = study.analyze();
    study.free();
  } catch (err) {
    // A trap leaves the module unusable: the page starts a new worker.
    failed = true;
    reply = JSON.stringify({ ok: false, error: { message: "the analysis thread failed: " + err.message } });
  }
  self.postMessage({ id, reply, failed });
};
