// "Inside the end plate" (issue 32), in headless Chromium at 1280x720: the
// Explore view's third figure plots the simulator's end plates through the
// train. MG at 3 Hz: the safety margin falls and the fibres failing rise
// to their most by the 4th-5th response; LEMS at 50 Hz: the quantal
// content rises and fewer fibres fail. It downloads as SVG and PNG; no
// console error. Screenshots in presentation mode go to
// target/endplate-*.png.
//
// usage: node --test web/tests/   (after scripts/build_web.sh; CHROMIUM=/path)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { dist, openPage, root } from "./browser.mjs";

const shots = path.join(root, "target");

let browser;
let page;
let consoleErrors = [];

before(async () => {
  fs.mkdirSync(shots, { recursive: true });
  ({ browser, page, consoleErrors } = await openPage({ width: 1280, height: 720 }));
  await page.click("#tab-teach");
});

after(async () => {
  await browser?.close();
});

// Sets the teaching controls and redraws; returns the figure's series.
async function show(condition, protocol, rate, severity) {
  return page.evaluate(([condition, protocol, rate, severity]) => {
    const form = document.getElementById("controls");
    form.elements.condition.value = condition;
    form.elements.protocol.value = protocol;
    // As a click on the protocol does: the rate slider takes its range.
    [...form.elements.protocol].find((r) => r.checked).dispatchEvent(new Event("change", { bubbles: true }));
    document.getElementById("rate").value = String(rate);
    document.getElementById("severity").value = String(severity);
    teach.draw();
    const fig = document.getElementById("teach-endplate");
    const svg = fig.querySelector(".fig-svg svg");
    const series = (k) => svg.getAttribute("data-" + k).split(",").map(Number);
    return {
      hidden: fig.hidden,
      visible: fig.getBoundingClientRect().height > 100,
      caption: document.getElementById("endplate-caption").textContent,
      panels: svg.querySelectorAll(".ep-panel").length,
      threshold: svg.querySelectorAll(".threshold").length,
      quantal: series("quantal-content"),
      store: series("store-fraction"),
      safety: series("safety-factor"),
      failed: series("failed-fraction"),
    };
  }, [condition, protocol, rate, severity]);
}

async function presenting(on) {
  if ((await page.getAttribute("#present", "aria-pressed")) !== String(on)) await page.keyboard.press("p");
  assert.equal(await page.getAttribute("#present", "aria-pressed"), String(on));
}

test("MG at 3 Hz: the safety margin falls, failures peak by the 4th-5th response", async () => {
  const s = await show("mg", "rns", 3, 0.8);
  assert.equal(s.hidden, false);
  assert.ok(s.visible);
  assert.equal(s.panels, 4);
  assert.equal(s.threshold, 1, "a line at 1 in the safety-margin panel");
  assert.equal(s.failed.length, 10);
  assert.match(s.caption, /In MG the safety margin starts low/);
  assert.ok(s.safety[4] < s.safety[0], `safety ${s.safety}`);
  assert.ok(s.store[4] < s.store[0], `store ${s.store}`);
  assert.ok(s.failed[4] > s.failed[0] + 10, `failed ${s.failed}`);
  const peak = s.failed.indexOf(Math.max(...s.failed));
  const early = Math.max(s.failed[3], s.failed[4]);
  assert.ok(peak <= 5 || early >= Math.max(...s.failed) - 3, `failed ${s.failed}`);
  await presenting(true);
  await page.locator("#teach-endplate").scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(shots, "endplate-mg-3hz.png") });
  await presenting(false);
});

test("LEMS at 50 Hz: the quantal content rises and fewer fibres fail", async () => {
  const s = await show("lems", "hfrns", 50, 0.8);
  assert.equal(s.quantal.length, 50);
  assert.match(s.caption, /quantal content rises/);
  assert.ok(s.quantal.at(-1) > 1.3 * s.quantal[0], `quantal ${s.quantal}`);
  assert.ok(s.failed.at(-1) < s.failed[0], `failed ${s.failed}`);
  await presenting(true);
  await page.locator("#teach-endplate").scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(shots, "endplate-lems-50hz.png") });
  // The panel titles stay readable on the projected page (px on screen).
  const title = await page.evaluate(() =>
    document.querySelector("#teach-endplate .ep-panel text").getBoundingClientRect().height);
  assert.ok(title >= 16, `panel title ${title}px`);
  await presenting(false);
});

test("the end-plate figure downloads as SVG and PNG; no console error", async () => {
  await show("normal", "rns", 3, 0);
  for (const kind of ["svg", "png"]) {
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.click(`#teach-endplate .fig-dl button[data-kind=${kind}]`),
    ]);
    assert.match(download.suggestedFilename(), new RegExp(`endplate\\.${kind}$`));
    const file = await download.path();
    const bytes = fs.readFileSync(file);
    if (kind === "svg") assert.match(bytes.toString(), /Inside|Quanta released/);
    else assert.equal(bytes.subarray(1, 4).toString(), "PNG");
  }
  assert.deepEqual(consoleErrors, []);
});
