// The web page's speed, as a user meets it, in headless Chromium: a study
// analysed and drawn (files in hand to the report laid out in its frame),
// and a teaching redraw (control change to the new plots laid out). Medians
// of N runs after the first, which is reported on its own (the browser
// compiles the module's code as it first runs). docs/performance.md quotes
// the output.
//
// usage: node web/tests/bench.mjs [N]   (after scripts/build_web.sh)
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const runs = Number(process.argv[2] || 11);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu"],
});
const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
await page.goto(pathToFileURL(path.join(root, "web/dist/index.html")).href);
await page.waitForSelector("body[data-ready=true]");

async function analyse(dir) {
  const folder = path.join(root, "samples", dir);
  const files = fs.readdirSync(folder).sort().map((f) => path.join(folder, f));
  await page.evaluate(() => delete document.body.dataset.analyseMs);
  await page.setInputFiles("#files", files);
  await page.waitForFunction(() => document.body.dataset.analyseMs);
  return Number(await page.evaluate(() => document.body.dataset.analyseMs));
}

const result = { runs, analyse_ms: {}, redraw_ms: {} };
result.first_analysis_ms = await analyse("lems");
for (const dir of ["normal", "mg", "lems"]) {
  const times = [];
  for (let i = 0; i < runs; i++) times.push(await analyse(dir));
  result.analyse_ms[dir] = median(times);
}

await page.click("#tab-teach");
const cases = [
  ["mg", "rns", 3],
  ["lems", "hfrns", 50],
  ["lems", "exercise", null],
];
for (const [condition, protocol, rate] of cases) {
  const times = await page.evaluate(async ({ condition, protocol, rate, runs }) => {
    const form = document.getElementById("controls");
    form.querySelector(`input[name=condition][value=${condition}]`).click();
    form.querySelector(`input[name=protocol][value=${protocol}]`).click();
    const wait = () => new Promise((r) => setTimeout(r, 60));
    if (rate) {
      const el = document.getElementById("rate");
      el.value = String(rate);
      el.dispatchEvent(new Event("input", { bubbles: true }));
    }
    await wait();
    const out = [];
    for (let i = 0; i <= runs; i++) {
      delete document.body.dataset.redrawMs;
      const el = document.getElementById("severity");
      el.value = String(0.5 + (i % 5) * 0.1);
      el.dispatchEvent(new Event("input", { bubbles: true }));
      while (!document.body.dataset.redrawMs) await new Promise((r) => setTimeout(r, 2));
      if (i > 0) out.push(Number(document.body.dataset.redrawMs));
      await wait();
    }
    return out;
  }, { condition, protocol, rate, runs });
  result.redraw_ms[`${condition} ${protocol}${rate ? " " + rate + " Hz" : ""}`] = median(times);
}
result.wasm_bytes = fs.statSync(path.join(root, "web/dist/pkg/nmjscope_bg.wasm")).size;
await browser.close();
fs.mkdirSync(path.join(root, "target"), { recursive: true });
fs.writeFileSync(path.join(root, "target/web-bench.json"), JSON.stringify(result, null, 2) + "\n");
console.log(JSON.stringify(result, null, 2));
