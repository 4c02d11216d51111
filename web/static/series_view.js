// Teach: the myasthenia work-up after exercise (the library's
// teach_series): two slow trains at rest, a minute of exercise, trains
// right after it and at 1-4 minutes, on one simulated muscle. The numbers
// come from the library; these words say why they look so.
"use strict";

window.seriesView = (() => {
  const EXPLAIN = {
    normal: "A healthy end plate keeps its safety margin through the whole work-up: the slow trains at rest, right after a minute of maximal exercise and at 1-4 minutes all stay flat.",
    mg: "Two slow trains at rest show the decrement and that it repeats. Right after a minute of maximal exercise, calcium left in the terminal raises release: the decrement is smaller (repair, post-exercise facilitation). Over the next minutes release is depressed and the decrement grows above the one at rest, most at 2-4 minutes (post-exercise exhaustion). The change is a few points, and not always present; in a patient whose decrement at rest is just under 10% it can be the only abnormal train.",
    lems: "In LEMS the resting CMAP is small and the slow trains decrement. Right after exercise the CMAP is much larger and the decrement smaller (facilitation); the effect fades within a minute or two. This series is the myasthenia work-up: LEMS is shown by the increment after 10 s of exercise or at a fast rate.",
  };

  // The train whose stack is shown: kept across redraws of one series.
  let shownTrain = 0;

  const pct = (v) => (v == null ? "not measured" : `${v.toFixed(1)}%`);

  // A difference in points, with the decimals that keep it on its side of
  // the margin the reading judged it by ("5.04", not "5.0", when more
  // than 5 was called exhaustion).
  const points = (pp, r) => pctBeside(Math.abs(pp), [r.reproducible_within_pp]).replace("%", "");

  // The sentence under the headline: repair, then exhaustion, each with
  // the library's measure and the margin the reading used.
  function course(r) {
    const after = r.trains.find((t) => t.seconds_after === 0);
    const parts = [];
    if (r.rest_index == null) parts.push("No train at rest can be relied on: repair and exhaustion cannot be judged.");
    if (after) {
      const pp = r.repair_pp;
      const repair = pp == null ? ""
        : Math.abs(pp) < 0.05 ? " (the same as at rest)"
        : ` (${points(pp, r)} points ${pp >= 0 ? "smaller" : "larger"} than at rest)`;
      parts.push(`Right after exercise ${pct(after.decrement_pct)}${after.flagged ? " (not relied on)" : repair}.`);
    }
    if (r.exhaustion_pct != null && r.exhaustion_after_s != null) {
      const pp = r.exhaustion_pp;
      const over = pp == null ? "" : `, ${points(pp, r)} points ${pp >= 0 ? "above" : "below"} rest`;
      parts.push(`Largest from 1 minute on: ${pct(r.exhaustion_pct)} at ${r.exhaustion_after_s / 60} min${over}. Exhaustion is called when it is more than ${r.reproducible_within_pp} points above rest (the spread of repeated trains at rest).`);
    }
    return parts.join(" ");
  }

  // One button per train; the chosen one's stack is drawn.
  function chooser(r, c, seed) {
    const bar = document.getElementById("series-trains");
    bar.hidden = false;
    bar.replaceChildren(...r.trains.map((t, i) => {
      const b = Object.assign(document.createElement("button"), { type: "button", textContent: t.label });
      // A train the library does not rely on is struck through, and the
      // series measures leave it out.
      if (t.flagged) Object.assign(b, { className: "flagged", title: "not relied on: the reading leaves this train out" });
      b.setAttribute("aria-pressed", String(i === shownTrain));
      b.addEventListener("click", () => { shownTrain = i; chooser(r, c, seed); });
      return b;
    }));
    const t = r.trains[shownTrain] || r.trains[0];
    setFigure(document.getElementById("teach-stack"), t.stack_svg, () => figureName(c, seed, `series-train${shownTrain + 1}`));
    document.getElementById("teach-stack").dataset.train = t.label;
  }

  function show(r, c, seed) {
    const $ = (id) => document.getElementById(id);
    // The train at rest the library's measures start from.
    const rest = r.trains[r.rest_index ?? 0];
    const which = r.rest_index == null ? " (not relied on)" : r.rest_index > 0 ? ` (${rest.label.replace(/^At rest, /, "")}: the first is not relied on)` : "";
    $("measure-name").textContent = `Decrement at rest${which} (1st to ${ordinal(r.decrement_response)})`;
    const shown = $("measure-value");
    shown.textContent = rest.decrement_pct == null ? "not measured" : pctBeside(rest.decrement_pct, [r.decrement_abnormal_pct]);
    shown.dataset.value = rest.decrement_pct == null ? "" : String(rest.decrement_pct);
    shown.dataset.kind = "decrement";
    $("measure-criterion").textContent = `(abnormal above ${r.decrement_abnormal_pct}%)`;
    $("measure-change").textContent = "";
    $("series-course").textContent = course(r);
    $("series-course").hidden = false;
    $("first-amplitude").textContent = rest.first_amplitude_mv == null ? "-" : `${rest.first_amplitude_mv.toFixed(2)} mV`;
    $("first-amplitude").classList.remove("low-cmap");
    $("first-limit").textContent = "";
    showPattern($("teach-pattern"), r.pattern, true);
    // The series has slow trains only: the sentences about increment
    // tests not done go, as for a single test.
    $("teach-summary").textContent = r.summary.split(/(?<=\.) (?=[A-Z])/).filter((s) => !/not tested|cannot be concluded/.test(s)).join(" ");
    listItems($("teach-findings"), r.findings);
    listItems($("teach-caveats"), r.caveats.filter((text) => !/not (been )?(tested|done|performed)/i.test(text)));
    $("explain").replaceChildren(...[EXPLAIN[c.condition], "The chart on the right is the decrement of each train against the 10% threshold; the buttons above the traces show each train."]
      .map((text) => Object.assign(document.createElement("p"), { textContent: text })));
    chooser(r, c, seed);
    setFigure($("teach-chart"), r.series_svg, () => figureName(c, seed, "series"));
    $("teach-endplate").hidden = true;
  }

  return { show };
})();
