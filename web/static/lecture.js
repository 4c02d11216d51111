// The teaching view in a lecture hall: presentation mode, full screen, the
// keyboard, the Compare view (two simulated tests side by side, the same
// seed) and the Quiz (one hidden patient's three tests; the student names
// the pattern, the page reveals the library's reading and keeps a score).
// Every number and word about a test comes from the library (teach,
// teach_study); this file only moves controls and shows what comes back.
"use strict";

const lecture = { view: "explore" };

// ---- presentation mode and full screen ----------------------------------

function setPresenting(on) {
  document.body.classList.toggle("presenting", on);
  $("present").setAttribute("aria-pressed", String(on));
  try { localStorage.setItem("nmjscope-presenting", on ? "1" : ""); } catch { /* private mode */ }
}

async function toggleFullscreen() {
  try {
    if (document.fullscreenElement) await document.exitFullscreen();
    else await document.documentElement.requestFullscreen();
  } catch (e) {
    $("teach-status").textContent = "Full screen was refused by the browser: " + e.message;
  }
}

function fullscreenChanged() {
  const on = Boolean(document.fullscreenElement);
  $("fullscreen").firstChild.textContent = on ? "Leave full screen " : "Full screen ";
  $("fullscreen").setAttribute("aria-pressed", String(on));
}

// ---- views --------------------------------------------------------------

function showView(name) {
  lecture.view = name;
  for (const v of VIEWS) {
    $(v).hidden = v !== name;
    $("view-" + v).setAttribute("aria-selected", String(v === name));
    $("view-" + v).tabIndex = v === name ? 0 : -1;
  }
  if (document.body.dataset.ready !== "true") return;
  if (name === "compare" && !compare.drawn) compare.preset("mg-lems");
  if (name === "quiz" && !quiz.questions) quiz.start();
  if (name === "jitter") jitterView.draw();
}

// The views' tabs: Left and Right move to the neighbour and open it, as
// a tab list does; only the selected tab is in the Tab order.
const VIEWS = ["explore", "compare", "quiz", "jitter"];

function viewArrows(e) {
  const step = { ArrowLeft: -1, ArrowRight: 1 }[e.key];
  if (!step) return;
  e.preventDefault();
  const next = VIEWS[(VIEWS.indexOf(lecture.view) + step + VIEWS.length) % VIEWS.length];
  showView(next);
  $("view-" + next).focus();
}

// ---- keyboard -----------------------------------------------------------

// Keys act on the view shown; typing in a field is left alone.
function onKey(e) {
  if (e.ctrlKey || e.metaKey || e.altKey || $("teach").hidden) return;
  if (e.target.closest?.("select, textarea, input:not([type=radio]):not([type=range]):not([type=checkbox])")) return;
  if (document.body.dataset.ready !== "true") return;
  const done = globalKey(e.key) || (lecture.view === "explore" ? exploreKey(e.key) : lecture.view === "quiz" ? quizKey(e.key) : false);
  if (done) e.preventDefault();
}

function globalKey(key) {
  if (key === "p" || key === "P") setPresenting(!document.body.classList.contains("presenting"));
  else if (key === "F") toggleFullscreen();
  else return false;
  return true;
}

const KEY_CONDITION = { 1: "normal", 2: "mg", 3: "lems" };
const KEY_PROTOCOL = { s: "rns", f: "hfrns", e: "exercise", x: "series" };

function exploreKey(key) {
  const form = $("controls");
  if (KEY_CONDITION[key]) form.querySelector(`input[name=condition][value=${KEY_CONDITION[key]}]`).click();
  else if (KEY_PROTOCOL[key]) form.querySelector(`input[name=protocol][value=${KEY_PROTOCOL[key]}]`).click();
  else if (key === "+" || key === "=") step($("severity"), 1);
  else if (key === "-" || key === "_") step($("severity"), -1);
  // The rate is hidden (and unused) for the exercise test and the series.
  else if ((key === "]" || key === "[") && !$("rate-control").hidden) step($("rate"), key === "]" ? 1 : -1);
  else if (key === "n") $("new-patient").click();
  else return false;
  return true;
}

// One step of a slider, as the user's own move: the form hears an input.
function step(slider, by) {
  if (slider.disabled || slider.closest("[hidden]")) return;
  const before = slider.value;
  if (by > 0) slider.stepUp(); else slider.stepDown();
  if (slider.value !== before) slider.dispatchEvent(new Event("input", { bubbles: true }));
}

function quizKey(key) {
  const answer = { 1: "normal", 2: "postsynaptic", 3: "presynaptic" }[key];
  if (!quiz.reading) return false;
  if (answer && !quiz.answered) quiz.answer(answer);
  else if (key === "n" && quiz.answered) quiz.next();
  else return false;
  return true;
}

// ---- compare ------------------------------------------------------------

const PRESETS = {
  "mg-lems": [{ condition: "mg", severity: 0.6, protocol: "hfrns", rate: 50 }, { condition: "lems", severity: 0.6, protocol: "hfrns", rate: 50 }],
  "slow-fast": [{ condition: "lems", severity: 0.6, protocol: "rns", rate: 3 }, { condition: "lems", severity: 0.6, protocol: "hfrns", rate: 50 }],
  "rest-exercise": [{ condition: "lems", severity: 0.6, protocol: "rns", rate: 3 }, { condition: "lems", severity: 0.6, protocol: "exercise", rate: 3 }],
  severities: [{ condition: "mg", severity: 0.25, protocol: "rns", rate: 3 }, { condition: "mg", severity: 0.9, protocol: "rns", rate: 3 }],
};

const compare = {
  seed: 3,
  drawn: false,
  panels: [],
  init() {
    this.panels = ["cmp-a", "cmp-b"].map((id, i) => makePanel($(id), i === 0 ? "A" : "B"));
    for (const b of document.querySelectorAll("#compare [data-preset]")) {
      b.addEventListener("click", () => this.preset(b.dataset.preset));
    }
    $("cmp-patient").addEventListener("click", () => { this.seed += 1; this.drawAll(); });
  },
  preset(name) {
    PRESETS[name].forEach((c, i) => setPanel(this.panels[i], c));
    document.querySelectorAll("#compare [data-preset]").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.preset === name)));
    this.drawAll();
  },
  drawAll() {
    this.drawn = true;
    for (const p of this.panels) drawPanel(p, this.seed);
  },
};

function makePanel(root, label) {
  root.append($("cmp-template").content.cloneNode(true));
  root.querySelector(".cmp-controls").prepend(Object.assign(document.createElement("h3"), { textContent: label }));
  const panel = { root, el: (name) => root.querySelector(`[name=${name}]`) };
  root.addEventListener("input", () => drawPanel(panel, compare.seed));
  root.addEventListener("change", (e) => {
    if (e.target.name === "protocol") setRateRange(panel.el("rate"), e.target.value);
    drawPanel(panel, compare.seed);
  });
  return panel;
}

function setRateRange(slider, protocol) {
  const r = RATES[protocol];
  if (r) Object.assign(slider, { min: r.min, max: r.max, step: r.step, value: r.value });
}

function setPanel(panel, c) {
  panel.el("condition").value = c.condition;
  panel.el("protocol").value = c.protocol;
  setRateRange(panel.el("rate"), c.protocol);
  panel.el("severity").value = String(c.severity);
  if (c.protocol !== "exercise") panel.el("rate").value = String(c.rate);
}

function panelControls(panel) {
  return {
    condition: panel.el("condition").value,
    protocol: panel.el("protocol").value,
    severity: Number(panel.el("severity").value),
    rate: Number(panel.el("rate").value),
  };
}

function drawPanel(panel, seed) {
  const c = panelControls(panel);
  const q = (sel) => panel.root.querySelector(sel);
  panel.el("severity-value").textContent = c.condition === "normal" ? "(none)" : c.severity.toFixed(2);
  panel.el("severity").disabled = c.condition === "normal";
  panel.el("rate-value").textContent = `${c.rate} Hz`;
  q(".cmp-rate").hidden = c.protocol === "exercise";
  const r = JSON.parse(nmj.teach(c.condition, c.severity, c.protocol, c.rate, seed));
  if (!r.ok) { q(".cmp-summary").textContent = "error: " + r.error.message; return; }
  showPattern(q(".pattern"), r.pattern, true);
  q(".cmp-measure").textContent = measureText(r, c.protocol);
  q(".cmp-first").textContent = r.first_amplitude_mv == null ? "" : `first CMAP ${r.first_amplitude_mv.toFixed(1)} mV`;
  q(".cmp-summary").textContent = singleTestSummary(r, c);
  setFigure(q(".cmp-stack"), r.stack_svg, () => figureName(c, seed, "stack"));
  setFigure(q(".cmp-chart"), r.chart_svg, () => figureName(c, seed, "chart"));
  panel.root.dataset.pattern = r.pattern;
  panel.root.dataset.protocol = c.protocol;
  axesNote();
}

// Two charts of one protocol share their axes unless one's data go past
// the teaching range (teach.rs): then the page says so, as the 100% line
// no longer sits at one height in both.
function axesNote() {
  const ticks = (id) => [...document.querySelectorAll(`#${id} .cmp-chart svg text`)]
    .map((t) => t.textContent.trim()).filter((t) => /^-?\d+$/.test(t)).join(",");
  const [a, b] = ["cmp-a", "cmp-b"].map((id) => document.getElementById(id));
  const differ = a.dataset.protocol && a.dataset.protocol === b.dataset.protocol && ticks("cmp-a") !== ticks("cmp-b");
  const note = $("cmp-axes");
  note.hidden = !differ;
  note.textContent = differ ? "The two charts have different vertical scales: one test's change goes past the range both are drawn on (+300%). Compare the numbers, not the heights." : "";
}

// The test's measure as one short line: a decrement or an increment.
function measureText(r, protocol) {
  const fmt = (v) => (v == null ? "not measured" : pctBeside(v, cutsOf(r, protocol === "rns")));
  if (protocol === "rns") return `decrement ${fmt(r.decrement_pct)}`;
  return `${protocol === "exercise" ? "increment after exercise" : "increment"} ${fmt(r.increment_pct)}`;
}

// ---- quiz ---------------------------------------------------------------

// The page's own generator (mulberry32), seeded by the round number, so a
// lecturer can replay a round: the same patients in the same order.
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const QUIZ_SIZE = 5;

function roundPatients(round, n) {
  const rnd = mulberry32(Math.imul(round, 2654435761) ^ 0x5eed);
  return Array.from({ length: n }, () => {
    const condition = ["normal", "mg", "lems"][Math.floor(rnd() * 3)];
    // 0.4-0.7: mild disease may read normal, and MG from about 0.8 may
    // have an equivocal increment after exercise and read "LEMS not
    // excluded" (docs/simulation.md): lessons for Explore, not fair
    // quiz questions.
    const severity = condition === "normal" ? 0 : Math.round((0.4 + rnd() * 0.3) * 20) / 20;
    return { condition, severity, seed: 1 + Math.floor(rnd() * 1e6) };
  });
}

const CONDITION_WORDS = { normal: "a healthy muscle", mg: "myasthenia gravis", lems: "Lambert-Eaton myasthenic syndrome" };
const CONDITION_PATTERN = { normal: "normal", mg: "postsynaptic", lems: "presynaptic" };
const TEST_TITLES = { rns: "Slow train", hfrns: "Fast train", exercise: "10 s exercise" };

const quiz = {
  questions: null,
  start() {
    // The box's own range (1-99999): a typed 1e9 is held to it.
    this.round = Math.min(99999, Math.max(1, Math.floor(Number($("quiz-round").value) || 1)));
    $("quiz-round").value = String(this.round);
    this.questions = roundPatients(this.round, QUIZ_SIZE);
    Object.assign(this, { index: 0, score: 0, asked: 0 });
    this.show();
  },
  show() {
    const p = this.questions[this.index];
    const r = JSON.parse(nmj.teach_study(p.condition, p.severity, p.seed));
    if (!r.ok) { $("quiz-verdict").textContent = "error: " + r.error.message; return; }
    this.reading = r;
    this.answered = false;
    $("quiz-reveal").hidden = true;
    for (const b of $("quiz-answer").querySelectorAll("button")) { b.disabled = false; b.className = ""; }
    drawQuizTests(r.tests, this.round, this.index);
    this.progress();
  },
  // The answer the criteria give: the library's reading of the three
  // tests; if it names none of the three choices, the simulated condition.
  correct() {
    const code = this.reading.pattern;
    return ["normal", "postsynaptic", "presynaptic"].includes(code) ? code : CONDITION_PATTERN[this.questions[this.index].condition];
  },
  answer(choice) {
    this.answered = true;
    this.asked += 1;
    const right = choice === this.correct();
    if (right) this.score += 1;
    revealQuiz(this, choice, right);
    this.progress();
  },
  next() {
    if (this.index + 1 >= this.questions.length) {
      $("quiz-round").value = String(this.round + 1);
      this.start();
      return;
    }
    this.index += 1;
    this.show();
  },
  progress() {
    $("quiz-progress").textContent = `Round ${this.round}, question ${this.index + 1} of ${this.questions.length}`;
    $("quiz-score").textContent = `Score ${this.score} of ${this.asked}`;
    $("quiz-score").dataset.score = String(this.score);
    $("quiz-score").dataset.asked = String(this.asked);
  },
};

function drawQuizTests(tests, round, index) {
  const box = $("quiz-tests");
  box.replaceChildren();
  for (const t of tests) {
    const col = document.createElement("article");
    col.className = "quiz-test";
    const rate = t.rate_hz ? ` ${t.rate_hz} Hz` : "";
    col.append(
      Object.assign(document.createElement("h3"), { textContent: TEST_TITLES[t.protocol] + rate }),
      Object.assign(document.createElement("p"), { className: "quiz-measure", textContent: `${measureText(t, t.protocol)}; first CMAP ${t.first_amplitude_mv?.toFixed(1) ?? "-"} mV` }),
    );
    for (const what of ["stack", "chart"]) {
      const fig = Object.assign(document.createElement("figure"), { className: what });
      col.append(fig);
      setFigure(fig, t[what + "_svg"], () => `nmjscope-quiz-round${round}-q${index + 1}-${t.protocol}-${what}`);
    }
    box.append(col);
  }
}

function revealQuiz(q, choice, right) {
  const r = q.reading;
  const p = q.questions[q.index];
  for (const b of $("quiz-answer").querySelectorAll("button")) {
    b.disabled = true;
    if (b.dataset.answer === q.correct()) b.className = "right";
    else if (b.dataset.answer === choice) b.className = "wrong";
  }
  const who = p.condition === "normal" ? CONDITION_WORDS.normal : `${CONDITION_WORDS[p.condition]}, severity ${p.severity.toFixed(2)}`;
  $("quiz-verdict").textContent = `${right ? "Right" : "Not this time"}: the answer is ${PATTERN_WORDS[q.correct()]}. The simulated patient had ${who}.`;
  $("quiz-verdict").className = "quiz-verdict " + (right ? "right" : "wrong");
  showPattern($("quiz-pattern"), r.pattern, false);
  $("quiz-summary").textContent = r.summary;
  listItems($("quiz-findings"), r.findings);
  $("quiz-next").firstChild.textContent = q.index + 1 >= q.questions.length ? `Round over (${q.score} of ${q.asked}): next round ` : "Next question ";
  $("quiz-reveal").hidden = false;
  $("quiz-reveal").dataset.pattern = r.pattern;
  $("quiz-next").focus({ preventScroll: true });
}

// ---- wiring -------------------------------------------------------------

function wireLecture() {
  $("present").addEventListener("click", () => setPresenting(!document.body.classList.contains("presenting")));
  $("fullscreen").addEventListener("click", toggleFullscreen);
  document.addEventListener("fullscreenchange", fullscreenChanged);
  for (const v of VIEWS) $("view-" + v).addEventListener("click", () => showView(v));
  jitterView.wire();
  document.querySelector(".views").addEventListener("keydown", viewArrows);
  document.addEventListener("keydown", onKey);
  compare.init();
  $("quiz-start").addEventListener("click", () => quiz.start());
  $("quiz-round").addEventListener("keydown", (e) => { if (e.key === "Enter") quiz.start(); });
  for (const b of $("quiz-answer").querySelectorAll("button")) b.addEventListener("click", () => quiz.answer(b.dataset.answer));
  $("quiz-next").addEventListener("click", () => quiz.next());
  try { if (localStorage.getItem("nmjscope-presenting")) setPresenting(true); } catch { /* private mode */ }
  showView("explore");
  if (document.body.dataset.ready === "true") lectureReady();
  else document.addEventListener("nmjscope:ready", lectureReady, { once: true });
}

// A view opened before the module was ready is drawn once it is.
function lectureReady() {
  if (lecture.view !== "explore") showView(lecture.view);
}

wireLecture();
