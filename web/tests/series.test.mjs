// The exhaustion series in Teach (issue 32), in headless Chromium at
// 1280x720: the keys 2 and X show MG's work-up after exercise; the
// headline is the decrement at rest, the sentence under it the repair and
// the exhaustion the library measured, the chart each train's decrement,
// and a button per train draws that train's stack. A healthy muscle stays
// flat. The chart downloads as SVG and PNG; no console error. Screenshots
// in presentation mode go to target/series-*.png.
//
// usage: node --test web/tests/   (after scripts/build_web.sh; CHROMIUM=/path)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { openPage, root } from "./browser.mjs";

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

// Waits for the redraw a key schedules (the next animation frame).
const settle = () => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

// What the series view shows, read from the page.
async function shown() {
  return page.evaluate(() => {
    const $ = (id) => document.getElementById(id);
    return {
      protocol: document.getElementById("controls").elements.protocol.value,
      trains: [...document.querySelectorAll("#series-trains button")].map((b) => b.textContent),
      pressed: document.querySelector("#series-trains button[aria-pressed=true]")?.textContent,
      rest: Number($("measure-value").dataset.value),
      name: $("measure-name").textContent,
      course: $("series-course").textContent,
      courseTop: $("series-course").getBoundingClientRect().top,
      flagged: [...document.querySelectorAll("#series-trains button.flagged")].map((b) => b.textContent),
      chart: $("teach-chart").querySelector(".fig-svg svg")?.outerHTML.length ?? 0,
      stackTrain: $("teach-stack").dataset.train,
      endplateHidden: $("teach-endplate").hidden,
      rateHidden: $("rate-control").hidden,
      explain: $("explain").textContent,
    };
  });
}

test("MG: keys 2 and X show repair, then exhaustion, with the library's measures", async () => {
  await page.keyboard.press("2");
  await page.evaluate(() => { document.getElementById("severity").value = "0.5"; teach.draw(); });
  await page.keyboard.press("x");
  await page.waitForFunction(() => document.querySelectorAll("#series-trains button").length === 7);
  const s = await shown();
  assert.equal(s.protocol, "series");
  assert.deepEqual(s.trains.slice(0, 3), ["At rest, train 1", "At rest, train 2", "Right after exercise"]);
  assert.equal(s.trains[4], "2 min after exercise");
  assert.match(s.name, /Decrement at rest \(1st to 4th\)/);
  assert.ok(s.rest > 10, `rest ${s.rest}`);
  // The repair and the exhaustion, as numbers a student can check on the chart.
  const after = Number(s.course.match(/Right after exercise ([\d.]+)%/)[1]);
  assert.ok(after < s.rest, `${s.course}`);
  const largest = Number(s.course.match(/Largest from 1 minute on: ([\d.]+)% at (\d) min/)[1]);
  assert.ok(largest > s.rest, `${s.course}`);
  assert.match(s.course, /more than 5 points above rest/);
  assert.ok(s.chart > 1000);
  assert.ok(s.endplateHidden && s.rateHidden);
  assert.match(s.explain, /post-exercise exhaustion/);
  // A train's button draws its stack.
  await page.click("#series-trains button:nth-child(5)");
  const two = await shown();
  assert.equal(two.stackTrain, "2 min after exercise");
  assert.equal(two.pressed, "2 min after exercise");
  // The chosen train stays when the severity moves or another patient
  // comes: the same moment of the work-up.
  await page.keyboard.press("+");
  await page.keyboard.press("n");
  await settle();
  assert.equal((await shown()).pressed, "2 min after exercise");
  await page.keyboard.press("p");
  await page.evaluate(() => document.getElementById("controls").scrollIntoView());
  // Projected, the repair and exhaustion sentence is on the first screen.
  const projected = await shown();
  assert.ok(projected.courseTop < 720, `sentence at ${projected.courseTop}px`);
  await page.screenshot({ path: path.join(shots, "series-mg.png") });
  await page.keyboard.press("p");
});

test("severe LEMS: a train not relied on is struck through, and the headline is the train the reading used", async () => {
  await page.keyboard.press("3");
  await page.evaluate(() => { document.getElementById("severity").value = "0.8"; teach.draw(); });
  const s = await shown();
  // Seed 4 (the test above moved on one patient): whichever trains the
  // library leaves out are the ones struck, and the headline says which
  // train at rest it is when it is not the first.
  const r = await page.evaluate(() => JSON.parse(nmj.teach_series("lems", 0.8, teach.seed)));
  const left = r.trains.filter((t) => t.flagged).map((t) => t.label);
  assert.deepEqual(s.flagged, left);
  assert.equal(s.rest, r.trains[r.rest_index].decrement_pct);
  if (r.rest_index > 0) assert.match(s.name, /the first is not relied on/);
  assert.ok(left.length > 0, "severe LEMS leaves a train out at seed " + (await page.evaluate(() => teach.seed)));
});

test("a healthy muscle stays flat through the series", async () => {
  await page.keyboard.press("1");
  await settle();
  const s = await shown();
  assert.equal(s.protocol, "series");
  assert.ok(s.rest < 5, `rest ${s.rest}`);
  const largest = Number(s.course.match(/Largest from 1 minute on: ([\d.]+)%/)[1]);
  assert.ok(largest < 10, s.course);
  assert.match(s.explain, /stay flat/);
});

test("the series chart downloads as SVG and PNG; the report opens; no console error", async () => {
  for (const kind of ["svg", "png"]) {
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.click(`#teach-chart .fig-dl button[data-kind=${kind}]`),
    ]);
    assert.match(download.suggestedFilename(), new RegExp(`^nmjscope-normal-series-seed\\d+-series\\.${kind}$`));
    const bytes = fs.readFileSync(await download.path());
    if (kind === "svg") assert.match(bytes.toString(), /decrement before and after exercise/);
    else assert.equal(bytes.subarray(1, 4).toString(), "PNG");
  }
  // Printed, the page's controls go and the figures stay.
  await page.emulateMedia({ media: "print" });
  assert.equal(await page.isHidden("#teach-chart .fig-dl"), true);
  assert.equal(await page.isVisible("#teach-chart svg"), true);
  await page.emulateMedia({ media: "screen" });
  const [popup] = await Promise.all([page.waitForEvent("popup"), page.click("#teach-report")]);
  await popup.waitForLoadState();
  assert.match(await popup.content(), /immediately after exercise/);
  await popup.close();
  // Back to a single test: the trains' buttons go, the end plate returns.
  await page.keyboard.press("s");
  await settle();
  const s = await shown();
  assert.equal(s.trains.length, 7, "buttons kept, hidden");
  assert.equal(await page.isHidden("#series-trains"), true);
  assert.equal(await page.isHidden("#teach-endplate"), false);
  assert.deepEqual(consoleErrors, []);
});
