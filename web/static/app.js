// nmjscope's page: loads the WebAssembly build of the library, analyses a
// dropped study, and runs the simulator for the teaching view. Every number
// and word about the study comes from the library (the same code as the
// CLI); this file only moves files in and shows what comes back.
"use strict";

const $ = (id) => document.getElementById(id);
// pkg/nmjscope.js (wasm-bindgen, no-modules) declares `wasm_bindgen`.
const nmj = wasm_bindgen; // eslint-disable-line no-undef

// ---- loading ------------------------------------------------------------

// Served over http(s), the .wasm is fetched beside this page; opened from a
// folder (file://), fetch is refused, so the module comes from a script
// that carries it (pkg/nmjscope_wasm.js, written by scripts/build_web.sh).
async function loadWasm() {
  if (location.protocol !== "file:") {
    await nmj({ module_or_path: "pkg/nmjscope_bg.wasm" });
    return;
  }
  await new Promise((resolve, reject) => {
    const s = document.createElement("script");
    s.src = "pkg/nmjscope_wasm.js";
    s.onload = resolve;
    s.onerror = () => reject(new Error("pkg/nmjscope_wasm.js could not be loaded"));
    document.head.appendChild(s);
  });
  const text = atob(self.NMJSCOPE_WASM);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  delete self.NMJSCOPE_WASM;
  nmj.initSync({ module: bytes });
}

// ---- tabs ---------------------------------------------------------------

function showTab(name) {
  for (const tab of ["analyse", "teach"]) {
    $(tab).hidden = tab !== name;
    $("tab-" + tab).setAttribute("aria-selected", String(tab === name));
  }
  if (name === "teach") teach.schedule();
}

// ---- analyse ------------------------------------------------------------

const downloads = [];

// Reads the dropped or picked files (File objects, each with the path
// inside a dropped folder when there is one) and shows the report.
async function analyseFiles(entries) {
  if (entries.length === 0) {
    $("status").textContent = "No files were found in what was given: a study is a folder of trace files, or the files themselves.";
    return;
  }
  $("status").textContent = `Reading ${entries.length} file(s)...`;
  const read = await Promise.all(
    entries.map(async ({ file, path }) => ({ path, bytes: new Uint8Array(await file.arrayBuffer()) })),
  );
  const t0 = performance.now();
  currentName = studyName(entries) || "study";
  // The editor's copy of the study stays on this thread; the first full
  // analysis (reading, analysis and the report set) runs in the worker
  // when there is one, else here.
  const study = openStudy(currentName, read);
  const reply = JSON.parse(await analyseOffPage(currentName, read) ?? await analyseHere(study, read.length));
  if (study !== currentStudy) return; // another study was dropped meanwhile
  // Timed from the files in hand to the report drawn in its frame (or the
  // error shown): what the user waits for.
  const done = () => {
    const ms = performance.now() - t0;
    $("status").textContent = reply.ok
      ? `${read.length} file(s) analysed and drawn in ${ms.toFixed(0)} ms, in this browser.`
      : "";
    document.body.dataset.analyseMs = ms.toFixed(1);
  };
  if (reply.ok && reply.kind === "jitter") {
    // A jitter study has no CMAP to mark: its report alone.
    showReport(reply, done);
  } else if (reply.ok) {
    // The marker editor opens once the report is on screen (it reads the
    // study again, a few ms the conclusion need not wait for).
    const openEditor = () => markerEditor.open(study, { showConclusion, refresh: () => refresh(study) }, sidecars(read));
    showReport(reply, () => {
      done();
      if (study !== currentStudy) return;
      // A large study analysed in the worker: the editor, which reads it
      // again on this thread, opens when asked, so the page stays usable.
      const bytes = read.reduce((n, f) => n + f.bytes.length, 0);
      if (document.body.dataset.analyseWhere === "worker" && bytes > analyser.largeBytes) offerEditor(openEditor, bytes);
      else openEditor();
    });
  } else {
    showError(reply.error);
    done();
  }
}

// ---- the analysis thread ----


function offerEditor(open, bytes) {
  const p = $("mk-later");
  p.hidden = false;
  $("mk-later-size").textContent = `${(bytes / 1e6).toFixed(0)} MB`;
  $("mk-open").onclick = () => { p.hidden = true; open(); };
}

// The worker (analyse_worker.js), started at the first study. A page
// opened from a folder (file://) may not start one: the analysis then runs
// here, and the page says so.
// Above `largeBytes` of files, a study analysed in the worker opens the
// marker editor only when asked (docs/web.md, "The analysis thread").
const analyser = { worker: undefined, next: 0, waiting: new Map(), largeBytes: 8e6 };

function analysisWorker() {
  if (analyser.worker !== undefined) return analyser.worker;
  analyser.worker = null;
  if (location.protocol === "file:" || typeof Worker !== "function") return null;
  try {
    const w = new Worker("analyse_worker.js");
    w.onmessage = (e) => {
      analyser.waiting.get(e.data.id)?.(e.data.reply);
      analyser.waiting.delete(e.data.id);
      if (e.data.failed) { w.terminate(); analyser.worker = undefined; }
    };
    // A worker that fails to load: what it was given is analysed here.
    w.onerror = (e) => {
      e.preventDefault();
      analyser.worker = null;
      for (const done of analyser.waiting.values()) done(null);
      analyser.waiting.clear();
    };
    analyser.worker = w;
  } catch {
    analyser.worker = null;
  }
  return analyser.worker;
}

// The reply's JSON from the worker, or null when there is no worker.
async function analyseOffPage(name, files) {
  const w = analysisWorker();
  if (!w) return null;
  $("status").textContent = `Analysing ${files.length} file(s) in a background thread...`;
  document.body.dataset.analyseWhere = "worker";
  const id = ++analyser.next;
  const copies = files.map((f) => ({ name: baseName(f.path), bytes: f.bytes.slice() }));
  return new Promise((resolve) => {
    analyser.waiting.set(id, resolve);
    w.postMessage({ id, name, files: copies }, copies.map((f) => f.bytes.buffer));
  });
}

// The analysis on this thread: say so, and let the words paint first.
async function analyseHere(study, count) {
  $("status").textContent = `Analysing ${count} file(s) on this page's thread (a page opened from a folder cannot start a background thread)...`;
  document.body.dataset.analyseWhere = "page";
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
  return study.analyze();
}

// The study's files stay in the module while it is shown: the marker
// editor changes its sidecars and reads it again. The last one is freed.
let currentStudy = null;

function openStudy(name, files) {
  markerEditor.close();
  $("mk-later").hidden = true;
  currentStudy?.free();
  currentStudy = new nmj.StudyFiles(name);
  for (const f of files) currentStudy.add(baseName(f.path), f.bytes);
  return currentStudy;
}

// The markers files dropped with the study, by test file name: the
// editor offers them for download as they came until a mark moves.
function sidecars(files) {
  const out = new Map();
  for (const f of files) {
    const name = baseName(f.path);
    if (name.endsWith(".markers.toml")) out.set(name.slice(0, -".markers.toml".length), new TextDecoder().decode(f.bytes));
  }
  return out;
}

// After the markers changed: the report and its downloads again.
function refresh(study) {
  if (study !== currentStudy) return;
  const reply = JSON.parse(study.analyze());
  if (reply.ok) showReport(reply, () => {});
}

// The folder the files came from names the study (its default id), as the
// CLI names a study after its folder.
// The study's default name, as the CLI gives it: its folder's, or a single
// file's stem (`nmjscope analyze FILE`). The files' own study_id wins over
// it in the library.
function studyName(entries) {
  const dirs = new Set(entries.map((e) => e.path.split("/").slice(0, -1).pop() || ""));
  if (dirs.size === 1 && [...dirs][0]) return [...dirs][0];
  const traces = entries.filter((e) => !e.path.endsWith(".markers.toml"));
  return traces.length === 1 ? baseName(traces[0].path).replace(/\.[^.]+$/, "") : "";
}

const baseName = (path) => path.split("/").pop();

// A percentage with 1 decimal, or more where a cut-off needs them, as the
// library prints it: 10.03 is "10.03%" beside a 10% cut-off, never "10.0%"
// called "above 10%".
function pctBeside(v, cuts) {
  const side = (x, c) => Math.sign(x - c);
  for (let d = 1; d <= 3; d++) {
    const shown = Number(v.toFixed(d));
    if (cuts.every((c) => side(shown, c) === side(v, c))) return `${v.toFixed(d)}%`;
  }
  return `${v.toFixed(3)}%`;
}

// The cut-offs a teaching reading is judged against.
const cutsOf = (r, isDecrement) =>
  (isDecrement ? [r.decrement_abnormal_pct] : [r.increment_suggestive_pct, r.increment_specific_pct]).filter((c) => c != null);

// The name the current study was given (its folder's, or "study").
let currentName = "study";

// A picked folder is read one level deep, as a dropped one and the CLI's
// folder reading are: files in its sub-folders (an earlier report set, other
// studies) are not this study's.
const topLevel = (entries) => entries.filter((e) => e.path.split("/").length <= 2);

function showError(error) {
  $("result").hidden = true;
  $("error").hidden = false;
  $("error-message").textContent = error.message;
  const where = [];
  // The message names its file and line already; a folder-wide error names
  // the study, which is not a file.
  const named = !error.file || error.file === currentName || error.message.includes(error.file);
  if (error.file) where.push(`file ${error.file}`);
  if (error.line) where.push(`line ${error.line}`);
  if (error.column) where.push(`column ${error.column}`);
  if (error.byte != null) where.push(`byte ${error.byte}`);
  $("error-where").textContent = named ? "" : where.join(", ");
  $("error").dataset.file = error.file || "";
  $("error").dataset.line = error.line || "";
}

function showReport(r, drawn) {
  $("error").hidden = true;
  $("result").hidden = false;
  $("study-id").textContent = r.id;
  showConclusion(r.pattern, r.summary);
  $("skipped").hidden = r.skipped.length === 0;
  $("skipped").textContent = "Not traces, left out: " + r.skipped.join(", ");
  showDownloads(r.files, r.id);
  // The report as the CLI writes it, in a shadow root so its styles and
  // the page's stay apart (faster than a frame: no second document). Its
  // plots below the fold are drawn as they scroll into view.
  const host = $("report");
  const root = host.shadowRoot || host.attachShadow({ mode: "open" });
  root.innerHTML = r.files.find((f) => f.name === "report.html" || f.name === "jitter.html").text;
  host.getBoundingClientRect();
  requestAnimationFrame(() => drawn());
}

function showConclusion(code, summary) {
  const pattern = $("pattern");
  pattern.textContent = code.replace(/_/g, " ");
  pattern.className = "pattern " + code;
  pattern.dataset.code = code;
  $("summary").textContent = summary;
}

function showDownloads(files, id) {
  for (const url of downloads.splice(0)) URL.revokeObjectURL(url);
  const box = $("downloads");
  box.replaceChildren();
  for (const f of files) {
    const url = URL.createObjectURL(new Blob([f.text], { type: f.mime }));
    downloads.push(url);
    const a = document.createElement("a");
    a.href = url;
    // Each file named after its study, so a second study's files do not
    // collide with the first's in the downloads folder.
    a.download = `${id.replace(/[^A-Za-z0-9._-]+/g, "_")}_${f.name}`;
    a.textContent = f.name;
    box.appendChild(a);
  }
}

// A dropped folder is walked one level down (a study is one folder of
// trace files); dropped files are taken as they are.
async function droppedEntries(dataTransfer) {
  const items = [...(dataTransfer.items || [])];
  const entries = items.map((i) => (i.webkitGetAsEntry ? i.webkitGetAsEntry() : null));
  if (entries.length === 0 || entries.some((e) => !e)) {
    return [...dataTransfer.files].map((file) => ({ file, path: file.name }));
  }
  const out = [];
  for (const entry of entries) {
    if (entry.isFile) out.push({ file: await asFile(entry), path: entry.name });
    else for (const child of await children(entry)) {
      if (child.isFile) out.push({ file: await asFile(child), path: `${entry.name}/${child.name}` });
    }
  }
  return out;
}

const asFile = (entry) => new Promise((resolve, reject) => entry.file(resolve, reject));

async function children(dir) {
  const reader = dir.createReader();
  const all = [];
  for (;;) {
    const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

function wireAnalyse() {
  const drop = $("drop");
  // A file dropped beside the box must not replace the page.
  for (const type of ["dragover", "drop"]) document.addEventListener(type, (e) => e.preventDefault());
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", async (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    await analyseFiles(await droppedEntries(e.dataTransfer));
  });
  for (const id of ["files", "folder"]) {
    $(id).addEventListener("change", (e) => {
      const files = [...e.target.files];
      e.target.value = "";
      analyseFiles(topLevel(files.map((file) => ({ file, path: file.webkitRelativePath || file.name }))));
    });
  }
}

// ---- teach --------------------------------------------------------------

// What the student sees, by condition and protocol. The numbers on the
// page come from the simulated recording; these words say why they look so.
const EXPLAIN = {
  normal: {
    rns: "A healthy end plate releases several times the transmitter needed to fire its fibre (a safety factor of 3-4). Release falls over the first few stimuli of a slow train as the store of ready quanta empties, but every fibre still fires: the CMAP does not change.",
    hfrns: "At fast rates (most clearly at 20-50 Hz) the CMAP grows taller and narrower: the muscle fibres fire more synchronously. Its area barely changes. This is pseudofacilitation, not facilitation: an amplitude increase of up to about 40% with an unchanged area is normal.",
    exercise: "After 10 s of maximal contraction a healthy muscle's CMAP is almost unchanged: every fibre already fired at rest.",
  },
  mg: {
    rns: "Antibodies remove acetylcholine receptors, so each quantum depolarises the end plate less and the safety factor falls. During a slow train release falls as the store empties and the weakest end plates stop reaching threshold: the CMAP falls, most from the 1st to the 2nd response, to the 4th or 5th, then levels off or recovers a little as the store is refilled. This is the U-shaped decrement; more than 10% is abnormal.",
    hfrns: "At fast rates calcium left in the terminal from one impulse raises release at the next, which partly offsets the emptying store: the CMAP changes little, or falls (most at 10-20 Hz and in severe disease). There is no large increment in myasthenia: well under 60%.",
    exercise: "A short contraction leaves calcium in the terminal (post-activation facilitation): end plates just below threshold fire again, so the CMAP grows a little after exercise, more in severe disease, but stays under the 60% that suggests LEMS. (In the clinic, a slow train after exercise shows the decrement repaired for a minute, then worse at 2-4 minutes: post-exercise exhaustion.)",
  },
  lems: {
    rns: "Antibodies block the presynaptic P/Q-type calcium channels, so one impulse releases few quanta and many fibres do not fire: the resting CMAP is small. During a slow train release falls further and the CMAP decrements, in most patients by more than 15%. With so few fibres near threshold the responses also vary from one stimulus to the next, which can make a train irregular.",
    hfrns: "At fast rates (20-50 Hz) calcium accumulates in the terminal faster than it is cleared, release climbs and more and more fibres fire: the CMAP grows, amplitude and area together. An increment of 60% or more suggests LEMS; 100% or more is highly specific. At 10 Hz the build-up is slower and smaller.",
    exercise: "Ten seconds of maximal contraction drive the nerve at about 30 Hz, with the effect of a fast train: the CMAP right after exercise is much larger than at rest (post-exercise facilitation), and fades within a minute.",
  },
};

const RATES = { rns: { min: 2, max: 5, step: 1, value: 3 }, hfrns: { min: 10, max: 50, step: 10, value: 50 } };

const teach = {
  seed: 3,
  pending: false,
  protocol: "rns",
  // Redraws at most once per frame however fast a slider moves; the
  // redraw is timed from the first control change it answers.
  schedule(since = performance.now()) {
    if (this.pending) return;
    this.pending = true;
    this.since = since;
    requestAnimationFrame(() => { this.pending = false; this.draw(); });
  },
  controls() {
    const form = $("controls");
    return {
      condition: form.elements.condition.value,
      protocol: form.elements.protocol.value,
      severity: Number($("severity").value),
      rate: Number($("rate").value),
    };
  },
  draw() {
    const c = this.controls();
    const t0 = this.since ?? performance.now();
    this.since = undefined;
    const series = c.protocol === "series";
    const reply = JSON.parse(series
      ? nmj.teach_series(c.condition, c.severity, this.seed)
      : nmj.teach(c.condition, c.severity, c.protocol, c.rate, this.seed));
    if (!reply.ok) { $("teach-summary").textContent = "error: " + reply.error.message; return; }
    $("rate-control").hidden = series || c.protocol === "exercise";
    $("series-trains").hidden = !series;
    $("series-course").hidden = !series;
    if (series) {
      $("severity-value").textContent = c.condition === "normal" ? "(none)" : c.severity.toFixed(2);
      $("severity").disabled = c.condition === "normal";
      seriesView.show(reply, c, this.seed);
    } else showTeach(reply, c);
    $("teach-chart").getBoundingClientRect(); // lay the new plots out before the clock stops
    const ms = performance.now() - t0;
    document.body.dataset.redrawMs = ms.toFixed(1);
    $("redraw").textContent = `Simulated, analysed and drawn in ${ms.toFixed(0)} ms.`;
  },
};

function showTeach(r, c) {
  $("severity-value").textContent = c.condition === "normal" ? "(none)" : c.severity.toFixed(2);
  $("severity").disabled = c.condition === "normal";
  $("rate-value").textContent = c.protocol === "exercise" ? "" : `${c.rate} Hz`;
  $("rate-control").hidden = c.protocol === "exercise";
  const isDecrement = c.protocol === "rns";
  const value = isDecrement ? r.decrement_pct : r.increment_pct;
  $("measure-name").textContent = isDecrement
    ? `Decrement (1st to ${ordinal(r.decrement_response)})`
    : c.protocol === "exercise" ? "Increment after exercise" : "Increment (largest over 1st)";
  const shown = $("measure-value");
  // A test the reading cannot rely on keeps its number, said to be so.
  const unreliable = r.pattern === "indeterminate" ? " (not relied on)" : "";
  shown.textContent = value == null ? "not measured" : pctBeside(value, cutsOf(r, isDecrement)) + unreliable;
  shown.dataset.value = value == null ? "" : String(value);
  shown.dataset.kind = isDecrement ? "decrement" : "increment";
  $("measure-criterion").textContent = isDecrement
    ? `(abnormal above ${r.decrement_abnormal_pct}%)`
    : `(LEMS: ${r.increment_suggestive_pct}% suggestive, ${r.increment_specific_pct}% highly specific${r.area_increment_pct != null ? `; area ${r.area_increment_pct.toFixed(0)}%` : ""})`;
  $("measure-change").textContent = changeNote(r, c);
  $("first-amplitude").textContent = r.first_amplitude_mv == null ? "-" : `${r.first_amplitude_mv.toFixed(2)} mV`;
  // Below the muscle's lower limit: the small CMAP is the sign to point at.
  $("first-amplitude").classList.toggle("low-cmap", r.lower_limit_mv != null && r.first_amplitude_mv < r.lower_limit_mv);
  // The limit the reading used, from the library's reference table.
  const limit = $("first-limit");
  limit.textContent = r.lower_limit_mv == null ? "" : `(normal ${r.limit_muscle} at least ${r.lower_limit_mv} mV)`;
  limit.title = r.limit_source || "";
  showPattern($("teach-pattern"), r.pattern, true);
  $("teach-summary").textContent = singleTestSummary(r, c);
  listItems($("teach-findings"), r.findings);
  listItems($("teach-caveats"), r.caveats.filter((text) => !/not (been )?(tested|done|performed)/i.test(text)));
  const explain = $("explain");
  explain.replaceChildren(...[EXPLAIN[c.condition][c.protocol], severityNote(c), singleTestNote(r, c)]
    .filter(Boolean).map((text) => Object.assign(document.createElement("p"), { textContent: text })));
  setFigure($("teach-stack"), r.stack_svg, () => figureName(c, teach.seed, "stack"));
  setFigure($("teach-chart"), r.chart_svg, () => figureName(c, teach.seed, "chart"));
  showEndplate(r, c);
}

// "Inside the end plate": the simulator's end plates behind each response
// (endplate_draw.js), with a sentence on what to look at.
function showEndplate(r, c) {
  const fig = $("teach-endplate");
  const states = r.endplate || [];
  fig.hidden = states.length === 0;
  if (!states.length) return;
  const labels = c.protocol === "exercise" && states.length === 4 ? ["pre", "0 s", "30 s", "60 s"] : null;
  $("endplate-caption").textContent = epDraw.caption(c);
  setFigure(fig, epDraw.svg(states, labels), () => figureName(c, teach.seed, "endplate"));
  fig.dataset.condition = c.condition;
  fig.dataset.protocol = c.protocol;
}

// The library's pattern code, in words a student reads. A single test
// that shows nothing abnormal is "incomplete" for the library (a study
// needs a slow train and an increment test): one test says so instead.
const PATTERN_WORDS = {
  normal: "normal",
  presynaptic: "presynaptic (LEMS-like)",
  postsynaptic: "postsynaptic (MG-like)",
  nmj_unspecified: "neuromuscular transmission disorder, site not determined",
  equivocal: "equivocal",
  incomplete: "nothing abnormal in this test",
  indeterminate: "cannot be read",
  abnormal_jitter: "abnormal jitter: transmission impaired, site not determined",
};

function showPattern(el, code, single) {
  el.textContent = single || code !== "incomplete" ? PATTERN_WORDS[code] || code.replace(/_/g, " ") : "incomplete";
  el.className = "pattern " + (single && code === "incomplete" ? "single" : code);
  el.dataset.code = code;
}

function listItems(list, texts) {
  list.replaceChildren(...texts.map((text) => Object.assign(document.createElement("li"), { textContent: text })));
}

// The library's conclusion for a study with one test names what is
// missing; a student is told what this one test shows.
function singleTestSummary(r, c) {
  const lead = r.pattern !== "incomplete" ? [] : c.protocol === "rns"
    ? ["No decrement in this slow train."]
    : [`No increment in this ${c.protocol === "exercise" ? "exercise test" : "fast train"}.`];
  // The sentences about the tests a single test lacks go: the note
  // beside it says what one test can and cannot tell.
  const rest = r.summary.split(/(?<=\.) (?=[A-Z])/).filter((s) => !/not tested|cannot be concluded/.test(s));
  return [...lead, ...rest].join(" ");
}

const ordinal = (n) => n + (n === 1 ? "st" : n === 2 ? "nd" : n === 3 ? "rd" : "th");

function severityNote(c) {
  if (c.condition === "normal") return "";
  if (c.severity === 0) return "At severity 0 the simulated end plates are healthy: the recording is normal.";
  return "Move the severity: mild disease may stay within the normal range; the changes grow as it worsens.";
}

// Why one test alone reads as it does: the tool's conclusion weighs a
// slow train and an increment test together.
function singleTestNote(r, c) {
  return c.protocol === "rns"
    ? "This is one test read alone. A single slow train can show a decrement; it cannot tell a presynaptic disorder (LEMS) from a postsynaptic one (MG) without an exercise or fast-train test."
    : "This is one test read alone. A single fast train or exercise test can show the increment of a presynaptic disorder (LEMS); it cannot show the decrement of a postsynaptic one (MG): that needs a slow train.";
}

// A fast train that falls: the change at its last response, which the
// increment (the largest response over the first) cannot show.
function changeNote(r, c) {
  const last = r.change_pct.filter((v) => v != null).at(-1);
  if (c.protocol !== "hfrns" || last == null || last >= 0) return "";
  return `The last response is ${(-last).toFixed(1)}% below the first: a fall during a fast train, which the criteria do not grade (decrement criteria are for 2-5 Hz trains).`;
}

function wireTeach() {
  const form = $("controls");
  form.addEventListener("submit", (e) => e.preventDefault());
  form.addEventListener("input", (e) => teach.schedule(e.timeStamp));
  form.addEventListener("change", (e) => {
    if (e.target.name === "protocol" && e.target.value !== teach.protocol) {
      teach.protocol = e.target.value;
      const r = RATES[teach.protocol];
      if (r) Object.assign($("rate"), { min: r.min, max: r.max, step: r.step, value: r.value });
    }
    teach.schedule(e.timeStamp);
  });
  // Another patient keeps the series' chosen train: the same moment of
  // the work-up, in another muscle.
  $("new-patient").addEventListener("click", (e) => { teach.seed += 1; teach.schedule(e.timeStamp); });
  $("teach-report").addEventListener("click", openTeachReport);
}

// The full report of the test on screen, as `nmjscope analyze` writes
// it, opened in a new tab (a Blob: nothing leaves the page).
function openTeachReport() {
  const c = teach.controls();
  const reply = JSON.parse(c.protocol === "series"
    ? nmj.teach_series_report(c.condition, c.severity, teach.seed)
    : nmj.teach_report(c.condition, c.severity, c.protocol, c.rate, teach.seed));
  if (!reply.ok) { $("teach-status").textContent = "error: " + reply.error.message; return; }
  const url = URL.createObjectURL(new Blob([reply.html], { type: "text/html" }));
  const win = window.open(url, "_blank");
  if (!win) saveBlob(new Blob([reply.html], { type: "text/html" }), figureName(c, teach.seed, "report") + ".html");
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

// ---- start --------------------------------------------------------------

async function main() {
  $("tab-analyse").addEventListener("click", () => showTab("analyse"));
  $("tab-teach").addEventListener("click", () => showTab("teach"));
  wireAnalyse();
  wireTeach();
  try {
    await loadWasm();
  } catch (e) {
    $("status").textContent = "The WebAssembly module could not be loaded: " + e.message;
    throw e;
  }
  $("version").textContent = "v" + nmj.version();
  // The teaching view is drawn once now, hidden: it shows at once when its
  // tab opens, and the browser has compiled the analysis and plotting code
  // before the first study is dropped.
  teach.draw();
  // Served, the analysis worker loads its module now, in the background,
  // so the first study does not wait for it.
  analysisWorker();
  document.body.dataset.ready = "true";
  // lecture.js may load after the module (served, it is fetched too).
  document.dispatchEvent(new Event("nmjscope:ready"));
  if (location.hash === "#teach") showTab("teach");
}

main();
