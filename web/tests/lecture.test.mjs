// The teaching view in a lecture hall (issue 32), in headless Chromium at
// 1280x720, driven by playwright-core with real key presses and clicks:
// presentation mode enlarges the page's text and the plots' labels; the
// documented keys move the controls; each figure downloads as SVG and as
// PNG; Compare shows two panels that read differently for "MG vs LEMS"; a
// quiz round keeps its score and reveals the library's reading, and a
// round replays; the student reads no file name and no "incomplete"; the
// clinical report of the simulated test opens; no console error, no
// request beyond the page's own files. Screenshots go to target/lecture-*.png.
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

// Presses a key and waits for the teaching view's redraw it causes.
async function press(key) {
  await page.evaluate(() => delete document.body.dataset.redrawMs);
  await page.keyboard.press(key);
  await page.waitForFunction(() => document.body.dataset.redrawMs);
}

// Presentation mode on or off, by its key.
async function presenting(on) {
  if ((await page.getAttribute("#present", "aria-pressed")) !== String(on)) await page.keyboard.press("p");
  assert.equal(await page.getAttribute("#present", "aria-pressed"), String(on));
}

const controls = () => page.evaluate(() => ({ ...teach.controls(), seed: teach.seed }));

// The rendered height (px) of the stack's first tick label and the
// computed size of the page's text.
const sizes = () => page.evaluate(() => {
  const label = document.querySelector("#teach-stack svg > text:nth-of-type(3)");
  return {
    label: label.getBoundingClientRect().height,
    body: parseFloat(getComputedStyle(document.querySelector(".measure p")).fontSize),
  };
});

test("keys move the teaching controls", async () => {
  await page.focus("#view-explore");
  await press("2");
  assert.equal((await controls()).condition, "mg");
  await press("3");
  assert.equal((await controls()).condition, "lems");
  await press("f");
  const fast = await controls();
  assert.equal(fast.protocol, "hfrns");
  assert.equal(fast.rate, 50);
  await press("[");
  assert.equal((await controls()).rate, 40);
  await press("]");
  assert.equal((await controls()).rate, 50);
  await press("-");
  assert.equal((await controls()).severity, 0.45);
  await press("+");
  assert.equal((await controls()).severity, 0.5);
  const seed = (await controls()).seed;
  await press("n");
  assert.equal((await controls()).seed, seed + 1);
  await press("e");
  assert.equal((await controls()).protocol, "exercise");
  assert.equal(await page.isVisible("#rate"), false);
  await press("s");
  await press("2");
  const slow = await controls();
  assert.deepEqual([slow.condition, slow.protocol, slow.rate], ["mg", "rns", 3]);
  // A key typed into a field is the field's.
  await page.click("#view-quiz");
  await page.waitForSelector("#quiz-tests svg");
  await page.focus("#quiz-round");
  await page.keyboard.press("3");
  assert.equal(await page.evaluate(() => quiz.answered), false, "a digit typed in the round field is no answer");
  await page.click("#view-explore");
});

test("presentation mode enlarges the text and the plots' labels", async () => {
  await page.screenshot({ path: path.join(shots, "lecture-teach.png") });
  const before = await sizes();
  await page.keyboard.press("p");
  assert.equal(await page.getAttribute("#present", "aria-pressed"), "true");
  const after = await sizes();
  // At 1280 px a label of the library's plot is about 6 px high; it must
  // read from the back of a room.
  assert.ok(before.label < 10, `label before ${before.label}`);
  assert.ok(after.label > 1.8 * before.label && after.label >= 14, `label ${before.label} -> ${after.label} px`);
  assert.ok(after.body >= 1.3 * before.body, `text ${before.body} -> ${after.body} px`);
  // The stack's traces are drawn thicker.
  const stroke = await page.evaluate(() => getComputedStyle(document.querySelector('#teach-stack polyline[stroke-width="1"]')).strokeWidth);
  assert.ok(parseFloat(stroke) >= 2, `trace stroke ${stroke}`);
  await page.screenshot({ path: path.join(shots, "lecture-present.png") });
  await page.click("#present");
  assert.equal(await page.getAttribute("#present", "aria-pressed"), "false");
  assert.equal((await sizes()).label, before.label);
});

test("full screen by its button and Shift+F", async () => {
  // The button follows the fullscreenchange event, which comes after the
  // element is set: wait for the button.
  await page.keyboard.press("Shift+F");
  await page.waitForSelector('#fullscreen[aria-pressed="true"]', { timeout: 5000 });
  assert.ok(await page.evaluate(() => document.fullscreenElement === document.documentElement));
  await page.click("#fullscreen");
  await page.waitForSelector('#fullscreen[aria-pressed="false"]', { timeout: 5000 });
  assert.equal(await page.evaluate(() => document.fullscreenElement), null);
});

// Clicks a figure's download button and returns the file's name and bytes.
async function download(figure, kind) {
  const [file] = await Promise.all([
    page.waitForEvent("download"),
    page.click(`${figure} .fig-dl button[data-kind=${kind}]`),
  ]);
  return { name: file.suggestedFilename(), bytes: fs.readFileSync(await file.path()) };
}

test("each figure downloads as SVG and as PNG, made in the page", async () => {
  const svg = await download("#teach-stack", "svg");
  assert.match(svg.name, /^nmjscope-mg-s0\.50-rns-3hz-seed\d+-stack\.svg$/);
  const text = svg.bytes.toString("utf8");
  assert.match(text, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(text, /<\/svg>\s*$/);
  assert.ok(!text.includes('class="legend"'), "the library's SVG, not the page's copy");
  const png = await download("#teach-chart", "png");
  assert.match(png.name, /-chart\.png$/);
  assert.deepEqual([...png.bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  // Twice the SVG's 900 x 560.
  assert.deepEqual([png.bytes.readUInt32BE(16), png.bytes.readUInt32BE(20)], [1800, 1120]);
  assert.ok(png.bytes.length > 20000, `${png.bytes.length} bytes`);
});

test("the student reads tests, not files, and what one test can tell", async () => {
  const words = await page.evaluate(() => document.getElementById("teach").innerText);
  assert.ok(!/\.csv/.test(words), "a file name on the page");
  assert.match(words, /A single slow train can show a decrement; it cannot tell a presynaptic disorder/);
  await press("1");
  const normal = await page.evaluate(() => ({
    pill: document.getElementById("teach-pattern").textContent,
    code: document.getElementById("teach-pattern").dataset.code,
    summary: document.getElementById("teach-summary").textContent,
  }));
  assert.equal(normal.code, "incomplete");
  assert.ok(!/incomplete/i.test(normal.pill + normal.summary), JSON.stringify(normal));
  assert.match(normal.summary, /^No decrement in this slow train\./);
  await press("2");
});

test("the clinical report of the simulated test opens in a new tab", async () => {
  const [report] = await Promise.all([page.waitForEvent("popup"), page.click("#teach-report")]);
  await report.waitForLoadState();
  const got = await report.evaluate(() => ({ svgs: document.querySelectorAll("svg").length, text: document.body.innerText }));
  assert.ok(got.svgs >= 2, `${got.svgs} plots`);
  assert.match(got.text, /Slow train/);
  await report.close();
});

test("Compare: MG vs LEMS side by side, the same seed, different readings", async () => {
  await page.click("#view-compare");
  await page.click("#compare [data-preset=mg-lems]");
  const panels = await page.evaluate(() => [...document.querySelectorAll(".cmp-panel")].map((p) => ({
    pattern: p.dataset.pattern,
    measure: p.querySelector(".cmp-measure").textContent,
    svgs: p.querySelectorAll("svg").length,
    left: p.getBoundingClientRect().left,
  })));
  assert.equal(panels.length, 2);
  assert.ok(panels[1].left > panels[0].left + 400, "side by side");
  for (const p of panels) assert.equal(p.svgs, 2);
  assert.notEqual(panels[0].pattern, panels[1].pattern);
  assert.equal(panels[1].pattern, "presynaptic");
  const inc = panels.map((p) => Number(p.measure.match(/([\d.]+)%/)[1]));
  assert.ok(inc[1] > 100 && inc[0] < 60, `increments ${inc}`);
  // The two charts share their axes (a teaching view's fixed range), so
  // a 29% and a 263% increment compare by eye: the same tick labels.
  const ticks = (id) => page.evaluate((id) => [...document.querySelectorAll(`#${id} .cmp-chart svg text`)]
    .map((t) => t.textContent.trim()).filter((t) => /^-?\d+$/.test(t)), id);
  const [a, b] = [await ticks("cmp-a"), await ticks("cmp-b")];
  assert.ok(a.length > 5, `ticks ${a}`);
  assert.deepEqual(a, b);
  // Slow trains of two severities too.
  assert.equal(await page.isHidden("#cmp-axes"), true);
  await page.click("#compare [data-preset=severities]");
  assert.deepEqual(await ticks("cmp-a"), await ticks("cmp-b"));
  // LEMS at severity 1 goes past the shared range: the page says so.
  await page.click("#compare [data-preset=mg-lems]");
  await page.evaluate(() => {
    const s = document.querySelector("#cmp-b input[name=severity]");
    s.value = "1";
    s.dispatchEvent(new Event("input", { bubbles: true }));
  });
  assert.notDeepEqual(await ticks("cmp-a"), await ticks("cmp-b"));
  assert.match(await page.textContent("#cmp-axes"), /different vertical scales/);
  await page.click("#compare [data-preset=mg-lems]");
  assert.equal(await page.isHidden("#cmp-axes"), true);
  // A panel's own control redraws that panel only.
  await page.selectOption("#cmp-a select[name=protocol]", "rns");
  assert.match(await page.textContent("#cmp-a .cmp-measure"), /^decrement/);
  assert.match(await page.textContent("#cmp-b .cmp-measure"), /^increment/);
  await page.click("#compare [data-preset=mg-lems]");
  await presenting(true);
  await page.screenshot({ path: path.join(shots, "lecture-compare.png") });
  await presenting(false);
});

test("Quiz: a round of five keeps the score and reveals the library's reading; a round replays", async () => {
  await page.click("#view-quiz");
  await page.fill("#quiz-round", "7");
  await page.click("#quiz-start");
  const first = await page.evaluate(() => document.querySelector("#quiz-tests svg").outerHTML);
  let expected = 0;
  for (let i = 0; i < 5; i++) {
    const q = await page.evaluate(() => ({ ...quiz.questions[quiz.index], progress: document.getElementById("quiz-progress").textContent }));
    assert.equal(q.progress, `Round 7, question ${i + 1} of 5`);
    assert.equal(await page.locator("#quiz-tests svg").count(), 6, "three tests, two figures each");
    assert.equal(await page.isVisible("#quiz-reveal"), false, "the answer is hidden");
    if (i === 0) { await presenting(true); await page.screenshot({ path: path.join(shots, "lecture-quiz.png") }); }
    await page.keyboard.press(String(1 + (i % 3)));
    const shown = await page.evaluate(() => ({
      pattern: document.getElementById("quiz-reveal").dataset.pattern,
      verdict: document.getElementById("quiz-verdict").textContent,
      findings: document.querySelectorAll("#quiz-findings li").length,
      score: Number(document.getElementById("quiz-score").dataset.score),
      asked: Number(document.getElementById("quiz-score").dataset.asked),
    }));
    const library = await page.evaluate((q) => JSON.parse(nmj.teach_study(q.condition, q.severity, q.seed)).pattern, q);
    assert.equal(shown.pattern, library, "the library's reading of the same patient");
    assert.ok(shown.findings >= 3, "the findings that decide it");
    const answer = ["normal", "postsynaptic", "presynaptic"][i % 3];
    const correct = ["normal", "postsynaptic", "presynaptic"].includes(library) ? library : { normal: "normal", mg: "postsynaptic", lems: "presynaptic" }[q.condition];
    if (answer === correct) expected += 1;
    assert.match(shown.verdict, answer === correct ? /^Right/ : /^Not this time/);
    assert.deepEqual([shown.score, shown.asked], [expected, i + 1]);
    if (i === 0) { await page.screenshot({ path: path.join(shots, "lecture-answer.png") }); await presenting(false); }
    if (i < 4) await page.keyboard.press("n");
  }
  assert.match(await page.textContent("#quiz-next"), /Round over \(\d of 5\)/);
  // The same round number, the same patients.
  await page.fill("#quiz-round", "7");
  await page.click("#quiz-start");
  assert.equal(await page.evaluate(() => document.querySelector("#quiz-tests svg").outerHTML), first);
  assert.equal(await page.textContent("#quiz-score"), "Score 0 of 0");
});

test("the views are a tab list: Left and Right open the neighbour", async () => {
  await page.click("#view-quiz");
  await page.keyboard.press("ArrowRight");
  assert.equal(await page.getAttribute("#view-jitter", "aria-selected"), "true");
  await page.keyboard.press("ArrowRight");
  assert.equal(await page.getAttribute("#view-explore", "aria-selected"), "true");
  assert.equal(await page.evaluate(() => document.activeElement.id), "view-explore");
  assert.ok(await page.isVisible("#explore") && !(await page.isVisible("#quiz")) && !(await page.isVisible("#jitter")));
  await page.keyboard.press("ArrowLeft");
  assert.equal(await page.getAttribute("#view-jitter", "aria-selected"), "true");
  await page.keyboard.press("ArrowLeft");
  assert.equal(await page.getAttribute("#view-quiz", "aria-selected"), "true");
  assert.deepEqual(await page.evaluate(() => [...document.querySelectorAll(".views button")].map((b) => b.tabIndex)), [-1, -1, 0, -1]);
  await page.click("#view-explore");
});

test("no console error and no request beyond the page's files", () => {
  assert.deepEqual(consoleErrors, []);
});
