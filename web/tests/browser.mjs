// The page under test: web/dist/index.html opened from its folder in
// headless Chromium (CHROMIUM=/path chooses the browser), with every
// console error, page error and request beyond the page's own files
// collected, so a test can assert that nothing went wrong and nothing left
// the page. Shared by the browser tests; not a test itself.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const dist = path.join(root, "web/dist");

/// Opens the built page at `viewport` and waits for the module to load.
export async function openPage(viewport) {
  assert.ok(fs.existsSync(path.join(dist, "index.html")), "web/dist is missing: run scripts/build_web.sh");
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu"],
  });
  const page = await browser.newPage({ viewport, acceptDownloads: true });
  const consoleErrors = [];
  page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  // Nothing leaves the page: any request but its own files is an error.
  page.on("request", (r) => { if (!/^(file|blob|data):/.test(r.url())) consoleErrors.push("request " + r.url()); });
  await page.goto(pathToFileURL(path.join(dist, "index.html")).href);
  await page.waitForSelector("body[data-ready=true]", { timeout: 20000 });
  return { browser, page, consoleErrors };
}
