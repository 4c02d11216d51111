// Jitter on the page (issue 34), in headless Chromium at 1280x720: a
// dropped interval list reads as `nmjscope jitter` reads it (verdict,
// sentence, report with its plots, downloads); Teach's Jitter view moves
// from a normal muscle to MG's drifting and blocking potentials with the
// library's numbers. No console error. Screenshots go to target/jitter-*.png.
//
// usage: node --test web/tests/   (after scripts/build_web.sh; CHROMIUM=/path)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openPage, root } from "./browser.mjs";

const cli = path.join(root, "target/release/nmjscope");
let browser;
let page;
let consoleErrors = [];

before(async () => {
  ({ browser, page, consoleErrors } = await openPage({ width: 1280, height: 720 }));
});

after(async () => {
  await browser?.close();
});

test("a dropped interval list reads as the CLI reads it", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nmjscope-jitter-"));
  const sim = path.join(dir, "mg");
  execFileSync(cli, ["simulate", "--jitter", sim, "--condition", "mg", "--severity", "0.4", "--seed", "3"]);
  const file = path.join(sim, "ipi.csv");
  const want = JSON.parse(execFileSync(cli, ["jitter", file, "--format", "json"]).toString());
  await page.setInputFiles("#files", [file]);
  await page.waitForFunction(() => document.body.dataset.analyseMs);
  const got = await page.evaluate(() => ({
    pattern: document.getElementById("pattern").dataset.code,
    summary: document.getElementById("summary").textContent,
    downloads: [...document.querySelectorAll("#downloads a")].map((a) => a.textContent),
    svgs: document.getElementById("report").shadowRoot?.querySelectorAll("svg").length ?? 0,
    report: document.getElementById("report").shadowRoot?.textContent ?? "",
  }));
  assert.equal(want.muscles[0].verdict, "abnormal");
  assert.equal(got.pattern, "jitter_abnormal");
  const sentence = want.findings.find((f) => f.code === "muscle_verdict").text;
  assert.equal(got.summary, sentence);
  for (const f of ["jitter.html", "jitter.json", "jitter_pairs.csv"]) assert.ok(got.downloads.includes(f), f);
  // The pairs chart and one interval chart per pair.
  assert.equal(got.svgs, 1 + want.muscles[0].pairs.length);
  assert.ok(got.report.includes("Stålberg"), "the limits' source is in the report");
  await page.screenshot({ path: path.join(root, "target/jitter-analyse.png"), fullPage: false });
  assert.deepEqual(consoleErrors, []);
});

test("a study dropped with its jitter file reads jitter into its pattern, as the CLI does", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nmjscope-mixed-"));
  const study = path.join(dir, "study");
  execFileSync(cli, ["simulate", "--study", study, "--condition", "mg", "--severity", "0.1", "--seed", "3"]);
  const sim = path.join(dir, "j");
  execFileSync(cli, ["simulate", "--jitter", sim, "--condition", "mg", "--severity", "0.1", "--muscle", "EDC"]);
  fs.copyFileSync(path.join(sim, "ipi.csv"), path.join(study, "jitter_edc.csv"));
  const want = JSON.parse(execFileSync(cli, ["analyze", study, "--format", "json"]).toString());
  const files = fs.readdirSync(study).map((f) => path.join(study, f));
  // The drop before this one left its time: wait for this one's.
  await page.evaluate(() => delete document.body.dataset.analyseMs);
  await page.setInputFiles("#files", files);
  await page.waitForFunction(() => document.body.dataset.analyseMs);
  const got = await page.evaluate(() => ({
    pattern: document.getElementById("pattern").dataset.code,
    report: document.getElementById("report").shadowRoot?.textContent ?? "",
  }));
  assert.equal(want.interpretation.pattern, "abnormal_jitter");
  assert.equal(got.pattern, want.interpretation.pattern);
  assert.ok(got.report.includes("Appendix: jitter"), "the jitter appendix is in the report");
  assert.ok(got.report.includes("Jitter is abnormal in EDC"), "the impression says it");
  await page.screenshot({ path: path.join(root, "target/jitter-mixed.png"), fullPage: false });
  assert.deepEqual(consoleErrors, []);
});

async function jitterShown() {
  return page.evaluate(() => ({
    verdict: document.getElementById("jt-verdict").dataset.code,
    mean: parseFloat(document.getElementById("jt-mean").textContent),
    blocking: Number(document.getElementById("jt-blocking").textContent.split(" ")[0]),
    sweeps: document.getElementById("jt-sweeps").querySelector("svg")?.outerHTML.length ?? 0,
    pairs: document.getElementById("jt-pairs").querySelector("svg")?.outerHTML.length ?? 0,
    drawn: Number(document.body.dataset.jitterDrawn || 0),
  }));
}

test("Teach's Jitter view: the potentials drift and block as severity rises", async () => {
  await page.click("#tab-teach");
  await page.click("#view-jitter");
  await page.waitForFunction(() => Number(document.body.dataset.jitterDrawn || 0) > 0);
  const normal = await jitterShown();
  assert.equal(normal.verdict, "normal");
  assert.ok(normal.sweeps > 1000 && normal.pairs > 1000);
  const lib = JSON.parse(await page.evaluate(() => nmj.teach_jitter("normal", 0.3, "voluntary", 10, 1)));
  assert.equal(normal.mean.toFixed(1), lib.mean_us.toFixed(1), "the page shows the library's mean");
  await page.screenshot({ path: path.join(root, "target/jitter-teach-normal.png") });
  await page.check("input[name=jt-condition][value=mg]");
  await page.evaluate(() => { document.getElementById("jt-severity").value = "0.6"; document.getElementById("jt-severity").dispatchEvent(new Event("input")); });
  const mg = await jitterShown();
  assert.equal(mg.verdict, "abnormal");
  assert.ok(mg.mean > 2 * normal.mean, `MG ${mg.mean} against normal ${normal.mean}`);
  assert.ok(mg.blocking > normal.blocking);
  await page.screenshot({ path: path.join(root, "target/jitter-teach-mg.png") });
  await page.emulateMedia({ media: "print" });
  await page.screenshot({ path: path.join(root, "target/jitter-teach-print.png"), fullPage: true });
  await page.emulateMedia({ media: "screen" });
  assert.deepEqual(consoleErrors, []);
});
