// Teach: jitter. Single-fibre pairs of one simulated muscle (the library's
// teach_jitter): one pair's sweeps superimposed on its trigger potential,
// and every pair's jitter against the concentric-needle limits. As
// severity rises the second potential drifts more from sweep to sweep,
// then fails (blocks). The numbers come from the library; these words say
// why they look so.
"use strict";

window.jitterView = (() => {
  const EXPLAIN = {
    normal: "Each end-plate potential reaches the fibre's threshold with a wide margin, so the moment the fibre fires varies by only a few tens of microseconds: the second potential stays in place from sweep to sweep.",
    mg: "With fewer acetylcholine receptors each end-plate potential is smaller, and the quantal scatter from one discharge to the next now moves the moment it reaches threshold: the jitter grows. When a potential falls short of threshold the fibre does not fire at all: blocking, the single-fibre picture of the decrement. In this model jitter is abnormal at severities whose slow-train decrement is still under 10%.",
    lems: "Fewer calcium channels release fewer quanta, so the end-plate potential is small and scatters widely: jitter and blocking are marked. A faster firing rate builds up calcium in the terminal and raises release, so jitter and blocking can lessen as the rate rises (try the firing rate).",
  };
  let seed = 1;
  let wired = false;

  const value = (name) => document.querySelector(`input[name=${name}]:checked`).value;

  function draw() {
    if (document.body.dataset.ready !== "true") return;
    const condition = value("jt-condition");
    const method = value("jt-method");
    const severity = Number($("jt-severity").value);
    const rate = Number($("jt-rate").value);
    $("jt-severity-value").textContent = condition === "normal" ? "-" : severity.toFixed(2);
    $("jt-rate-value").textContent = `${rate} Hz`;
    const r = JSON.parse(nmj.teach_jitter(condition, severity, method, rate, seed));
    if (!r.ok) {
      $("jt-sentence").textContent = r.error.message;
      return;
    }
    $("jt-mean").textContent = r.mean_us == null ? "no pair counted" : `${r.mean_us.toFixed(1)} µs`;
    $("jt-blocking").textContent = `${r.blocking[0]} of ${r.blocking[1]}`;
    const verdict = $("jt-verdict");
    verdict.textContent = r.verdict.replace(/_/g, " ");
    verdict.className = "pattern " + (r.verdict === "abnormal" ? "postsynaptic" : r.verdict);
    verdict.dataset.code = r.verdict;
    $("jt-sentence").textContent = r.sentence;
    $("jt-explain").textContent = EXPLAIN[condition];
    $("jt-sweeps").innerHTML = r.sweeps_svg;
    $("jt-pairs").innerHTML = r.pairs_svg;
    document.body.dataset.jitterDrawn = String(Number(document.body.dataset.jitterDrawn || 0) + 1);
  }

  function wire() {
    if (wired) return;
    wired = true;
    for (const el of $("jt-controls").querySelectorAll("input")) el.addEventListener("input", draw);
    $("jt-patient").addEventListener("click", () => { seed += 1; draw(); });
  }

  return { draw, wire };
})();
