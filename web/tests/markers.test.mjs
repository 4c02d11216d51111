// The marker editor of the web page (web/static/markers.js) in headless
// Chromium, driven by playwright-core with real mouse and keyboard events:
// dragging the 4th response's negative peak down its rising flank lowers its
// amplitude and raises the decrement; an arrow key moves the mark one
// sample; excluding the 4th reads the decrement to the 5th; a baseline
// window edge and the onset dragged are set by hand; the downloaded
// sidecar, saved beside a copy of the sample, gives `nmjscope analyze` the
// decrement the page showed. A sidecar dropped with the study shows its
// marks in purple; a refused one names its file and line. The time of each
// set_markers + reading() (one drag frame's library work) is written to
// target/web-markers.json, measured, not asserted.
//
// usage: node --test web/tests/   (after scripts/build_web.sh and
// `cargo build --release`; the CLI is $CARGO_TARGET_DIR/release/nmjscope,
// else target/release/nmjscope; CHROMIUM=/path/to/chromium)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { dist, openPage, root } from "./browser.mjs";

const target = process.env.CARGO_TARGET_DIR ? path.resolve(root, process.env.CARGO_TARGET_DIR) : path.join(root, "target");
const cli = path.join(target, "release/nmjscope");
const MANUAL = "rgb(148, 0, 211)";
const TEST = "1_rns_3hz.csv";

let browser;
let page;
let consoleErrors = [];
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "nmjscope-markers-"));

before(async () => {
  assert.ok(fs.existsSync(cli), `${cli} is missing: run cargo build --release`);
  ({ browser, page, consoleErrors } = await openPage({ width: 1200, height: 1000 }));
});

after(async () => {
  await browser?.close();
  fs.rmSync(scratch, { recursive: true, force: true });
});

const mgFiles = () => fs.readdirSync(path.join(root, "samples/mg")).sort().map((f) => path.join(root, "samples/mg", f));

// Gives the page files and waits for the editor to open on them.
async function load(files) {
  await page.evaluate(() => {
    delete document.body.dataset.analyseMs;
    delete document.body.dataset.markersReady;
  });
  await page.setInputFiles("#files", files);
  await page.waitForFunction(() => document.body.dataset.analyseMs);
}

// The test's headline as shown: its words and the value it prints.
const train = () => page.evaluate(() => {
  const el = document.getElementById("mk-train");
  return { text: el.textContent, value: Number(el.dataset.value) };
});

const handle = (mark) => `#mk-large .mk-handle[data-mark="${mark}"]`;

// Where a mark is (ms) and the centre of its grip on the screen.
async function grip(mark) {
  const box = await page.locator(`${handle(mark)} .mk-grip`).boundingBox();
  const t = Number(await page.getAttribute(handle(mark), "data-t"));
  return { t, x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

// Drags `mark` to time `to` (ms) with the mouse, in small steps as a hand
// does; the screen scale comes from two marks' grips.
async function drag(mark, to) {
  await page.locator("#mk-large").scrollIntoViewIfNeeded();
  const a = await grip("onset");
  const b = await grip("end");
  const from = await grip(mark);
  const x = from.x + ((to - from.t) * (b.x - a.x)) / (b.t - a.t);
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  for (let i = 1; i <= 12; i++) await page.mouse.move(from.x + ((x - from.x) * i) / 12, from.y + i);
  await page.mouse.up();
}

// The decrement text changed from `old`: the reading after a move landed.
const changedFrom = (old) => page.waitForFunction((old) => document.getElementById("mk-train").textContent !== old, old.text);

// The sidecar the page offers, saved beside a copy of the study's files.
async function downloadBeside(name) {
  const dir = path.join(scratch, name);
  fs.mkdirSync(dir, { recursive: true });
  for (const f of mgFiles()) fs.copyFileSync(f, path.join(dir, path.basename(f)));
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#mk-download")]);
  assert.equal(download.suggestedFilename(), `${TEST}.markers.toml`);
  await download.saveAs(path.join(dir, download.suggestedFilename()));
  return dir;
}

// The CLI's reading of the study folder's slow train.
function cliTrain(dir) {
  const r = JSON.parse(execFileSync(cli, ["analyze", dir, "--format", "json"]).toString());
  return { test: r.tests.find((t) => t.file === TEST), interpretation: r.interpretation };
}

const measure = (name) => page.textContent(`#mk-values dd[data-measure="${name}"]`);

test("dragging the 4th response's negative peak changes the decrement; an arrow key moves it one sample; the CLI reads the sidecar the same", async () => {
  await load(mgFiles());
  await page.waitForSelector("body[data-markers-ready=true]");
  const start = await train();
  const cliBefore = cliTrain(path.join(root, "samples/mg"));
  assert.equal(start.text, `Decrement ${cliBefore.test.decrement_pct.toFixed(1)}% (1st to 4th)`);
  const summary = await page.textContent("#summary");
  await page.fill("#mk-by", "KH");
  await page.click('#mk-stack [data-response="4"]');
  await page.waitForSelector("#mk-detail:not([hidden])");
  const amplitude = parseFloat(await measure("Amplitude"));
  const onset = await grip("onset");
  const peak = await grip("negative_peak");
  // Down the rising flank, a third of the way from the peak to the onset.
  await drag("negative_peak", peak.t - (peak.t - onset.t) / 3);
  await changedFrom(start);
  const dragged = await train();
  const moved = await grip("negative_peak");
  assert.ok(moved.t < peak.t - 0.3, `the peak moved from ${peak.t} to ${moved.t} ms`);
  assert.ok(parseFloat(await measure("Amplitude")) < amplitude - 0.5, await measure("Amplitude"));
  assert.ok(dragged.value > start.value + 5, `decrement ${start.value} -> ${dragged.value}`);
  assert.notEqual(await page.textContent("#summary"), summary, "the conclusion follows the decrement");
  assert.match(await page.textContent("#summary"), new RegExp(`Decrement ${dragged.value.toFixed(1)}%`));
  // Set by hand: purple on the large view and on the stack.
  assert.equal(await page.$eval(`${handle("negative_peak")} .mk-line`, (e) => getComputedStyle(e).stroke), MANUAL);
  assert.equal(await page.$eval('#mk-stack [data-response="4"] .mk-ring', (e) => getComputedStyle(e).stroke), MANUAL);
  // A peak set on the rising flank is not the lowest point of its phase:
  // the library flags it and the test is not relied on; the page says so,
  // with the automatic reading beside the marked one.
  assert.match(dragged.text, /\(automatic markers: 30\.0%\) — unreliable: it is flagged .*mark_implausible/);
  assert.match(await measure("Flags"), /mark implausible/);
  // The grip kept the focus: Left moves the mark one sample (0.05 ms at 20 kHz).
  await page.keyboard.press("ArrowLeft");
  await changedFrom(dragged);
  const stepped = await grip("negative_peak");
  assert.ok(Math.abs(stepped.t - (moved.t - 0.05)) < 1e-9, `${moved.t} -> ${stepped.t}`);
  assert.match(await page.textContent("#mk-live"), /negative peak at/);
  const shown = await train();
  const cli = cliTrain(await downloadBeside("moved"));
  assert.equal(cli.test.decrement_pct.toFixed(1), shown.value.toFixed(1));
  assert.ok(Math.abs(cli.test.decrement_pct - shown.value) < 1e-9, `CLI ${cli.test.decrement_pct}, page ${shown.value}`);
  assert.equal(cli.test.responses[3].manual.set.join(), "negative_peak");
  assert.equal(cli.test.validity.code, "unreliable");
  assert.ok(cli.test.responses[3].flags.includes("mark_implausible"));
  assert.equal(cli.test.responses[3].negative_peak_ms, stepped.t);
});

test("excluding the 4th response reads the decrement to the 5th, as the CLI does; reset brings it back", async () => {
  const before = await train();
  await page.fill("#mk-reason", "movement artifact");
  await page.click("#mk-exclude button");
  await changedFrom(before);
  const excluded = await train();
  assert.match(excluded.text, /read to the 5th/);
  assert.match(await page.textContent('#mk-stack [data-response="4"]'), /excluded/);
  assert.equal(await page.isVisible(handle("negative_peak")), false, "an excluded response has no marks to move");
  const cli = cliTrain(await downloadBeside("excluded"));
  assert.equal(cli.test.decrement_read_to, 5);
  assert.equal(cli.test.decrement_pct.toFixed(1), excluded.value.toFixed(1));
  assert.equal(cli.test.responses[3].manual.excluded, "movement artifact");
  await page.click("#mk-reset");
  await changedFrom(excluded);
  assert.equal((await train()).text, "Decrement 30.0% (1st to 4th)");
  assert.equal(await page.isDisabled("#mk-download"), true, "no marks left: no file to download");
  await page.screenshot({ path: path.join(target, "web-markers-reset.png"), fullPage: true });
});

test("dragging the baseline window's start and the onset sets them by hand, as the CLI reads them", async () => {
  const start = await grip("baseline_start");
  await drag("baseline_start", start.t - 0.5);
  // The band turns purple; the decrement may not change in its printed digit.
  await page.waitForFunction(() => document.querySelector("#mk-large .mk-band").classList.contains("manual"));
  assert.ok((await grip("baseline_start")).t < start.t - 0.4);
  const onset = await grip("onset");
  await drag("onset", onset.t + 0.2);
  await page.waitForFunction(() => document.querySelector('#mk-large .mk-handle[data-mark="onset"]').classList.contains("manual"));
  const shown = await train();
  const amplitude = parseFloat(await measure("Amplitude"));
  const window = (await measure("Baseline window")).split(" ms")[0];
  const cli = cliTrain(await downloadBeside("baseline"));
  const r4 = cli.test.responses[3];
  assert.deepEqual(r4.manual.set, ["onset", "baseline"]);
  assert.equal(r4.baseline_window_ms.map((t) => t.toFixed(2)).join(" to "), window);
  assert.equal(r4.amplitude_mv.toFixed(2), amplitude.toFixed(2));
  assert.equal(cli.test.decrement_pct.toFixed(1), shown.value.toFixed(1));
  await page.click("#mk-reset");
});

test("a markers file dropped with the study shows its marks in purple and reads as the CLI reads it", async () => {
  const dir = path.join(scratch, "dropped");
  fs.mkdirSync(dir, { recursive: true });
  for (const f of mgFiles()) fs.copyFileSync(f, path.join(dir, path.basename(f)));
  const sidecar = [
    `# markers for ${TEST}`,
    "[[response]]",
    "response = 3",
    "onset_ms = 2.5",
    "negative_peak_ms = 4.6",
    'by = "AB"',
    'at = "2026-12-07T10:15"',
    "[[response]]",
    "response = 6",
    'excluded = "electrode moved"',
    'by = "AB"',
    'at = "2026-12-07T10:16"',
    "",
  ].join("\n");
  fs.writeFileSync(path.join(dir, `${TEST}.markers.toml`), sidecar);
  await load(fs.readdirSync(dir).sort().map((f) => path.join(dir, f)));
  await page.waitForSelector("body[data-markers-ready=true]");
  const cli = cliTrain(dir);
  assert.equal((await train()).value.toFixed(6), cli.test.decrement_pct.toFixed(6));
  assert.equal(await page.textContent("#summary"), cli.interpretation.summary);
  const rings = await page.$$eval('#mk-stack [data-response="3"] .mk-ring', (rs) => rs.map((r) => getComputedStyle(r).stroke));
  assert.deepEqual(rings, [MANUAL, MANUAL], "onset and peak set by hand");
  assert.match(await page.textContent('#mk-stack [data-response="6"]'), /excluded/);
  await page.click('#mk-stack [data-response="3"]');
  for (const mark of ["onset", "negative_peak"]) {
    assert.equal(await page.$eval(handle(mark), (e) => e.classList.contains("manual")), true, mark);
  }
  assert.equal(await page.$eval(handle("end"), (e) => e.classList.contains("manual")), false);
  // Looked at by a person: docs/web.md, "Checking and moving markers".
  await page.locator("#markers").screenshot({ path: path.join(target, "web-markers.png") });
  // Offered for download as it came, comments and all.
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#mk-download")]);
  assert.equal(fs.readFileSync(await download.path(), "utf8"), sidecar);
});

test("a refused markers file shows its file and line, as the CLI does", async () => {
  const dir = path.join(scratch, "refused");
  fs.mkdirSync(dir, { recursive: true });
  for (const f of mgFiles()) fs.copyFileSync(f, path.join(dir, path.basename(f)));
  fs.writeFileSync(path.join(dir, `${TEST}.markers.toml`), '[[response]]\nresponse = 2\nby = "KH"\nat = "x"\nonset_ms = 900\n');
  let message = "";
  try {
    execFileSync(cli, ["analyze", dir], { stdio: "pipe" });
  } catch (e) {
    message = e.stderr.toString().trim();
  }
  assert.match(message, /outside the sweep/);
  await load(fs.readdirSync(dir).sort().map((f) => path.join(dir, f)));
  const got = await page.evaluate(() => ({
    visible: !document.getElementById("error").hidden,
    message: document.getElementById("error-message").textContent,
    file: document.getElementById("error").dataset.file,
    line: document.getElementById("error").dataset.line,
    editor: !document.getElementById("markers").hidden && !document.getElementById("result").hidden,
  }));
  assert.ok(got.visible);
  assert.ok(message.endsWith(got.message), `page: ${got.message}\ncli: ${message}`);
  assert.equal(got.file, `${TEST}.markers.toml`);
  assert.equal(got.line, "1");
  assert.equal(got.editor, false);
});

test("a drag frame's library work is timed, and the page logged no console error", async () => {
  await load(mgFiles());
  await page.waitForSelector("body[data-markers-ready=true]");
  await page.click('#mk-stack [data-response="4"]');
  await page.focus(handle("negative_peak"));
  for (let i = 0; i < 21; i++) await page.keyboard.press(i % 2 ? "ArrowLeft" : "ArrowRight");
  const ms = (await page.evaluate(() => markerEditor.timings())).sort((a, b) => a - b);
  const median = ms[ms.length >> 1];
  fs.writeFileSync(path.join(target, "web-markers.json"), JSON.stringify({ reading_ms_median: median, reading_ms: ms }, null, 2) + "\n");
  console.log(`set_markers + reading(): median ${median.toFixed(1)} ms over ${ms.length} moves (max ${ms.at(-1).toFixed(1)})`);
  assert.deepEqual(consoleErrors, []);
});
