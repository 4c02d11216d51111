//! The recording-conditions matrix: measurement against exact truth in every
//! cell (pre-stimulus span x artifact shape x rate x sampling rate), studies
//! read as their condition in every cell, and the differential test against
//! the numpy peer on files this code did not shape.
//!
//! Tolerances (stated once in `nmjscope::simulate::matrix::tolerance`):
//! amplitude 2% + 3 noise SDs + 1.5 hum amplitudes; onset 0.3 ms plus the
//! time the edge takes to rise 2 noise SDs; area 5% plus the amplitude
//! allowance over the negative phase; decrement and increment 1 percentage
//! point plus what the two responses' noise allowances can move them.

use nmjscope::measure::Measurer;
use nmjscope::simulate::matrix::{cells, score_train, Cell, Score};
use nmjscope::simulate::{simulate_study, Condition, SimConfig};
use nmjscope::{analyze_recording, analyze_study, Pattern, Settings};

use super::util::TempDir;

/// Scores `seeds` draws of every cell; prints the worst case per cell.
fn run_matrix(seeds: std::ops::Range<u64>) -> Score {
    let settings = Settings::default();
    let mut measurer = Measurer::new();
    let mut total = Score::default();
    for cell in cells() {
        let mut s = Score::default();
        for seed in seeds.clone() {
            let draw = cell.draw(seed, false);
            let test = analyze_recording(&draw.recording(seed), &settings, &mut measurer);
            s.merge(&score_train(&draw, &test));
        }
        eprintln!(
            "{cell}: {} responses, worst amplitude {:.2}% ({:.2} of allowance), onset {:.3} ms, area {:.2}%, change {:.2} pp",
            s.responses,
            s.worst_amplitude_pct,
            s.worst_amplitude_use,
            s.worst_onset_ms,
            s.worst_area_pct,
            s.worst_change_pp
        );
        total.merge(&s);
    }
    eprintln!(
        "matrix: {} trains, {} responses, {} misses; worst amplitude {:.2}% of truth ({:.2} of allowance), onset {:.3} ms ({:.2} of allowance), area {:.2}%, change {:.2} pp",
        total.trains,
        total.responses,
        total.misses.len(),
        total.worst_amplitude_pct,
        total.worst_amplitude_use,
        total.worst_onset_ms,
        total.worst_onset_use,
        total.worst_area_pct,
        total.worst_change_pp
    );
    total
}

#[test]
fn every_cell_meets_every_tolerance() {
    // 3 seeds per cell: 480 trains, 14,400 responses, every one clean and
    // within tolerance, no artifact_overlap, clipped or no_response flag.
    let total = run_matrix(0..3);
    assert_eq!(total.trains, 480);
    assert!(
        total.misses.is_empty(),
        "{} misses:\n{}",
        total.misses.len(),
        total.misses.join("\n")
    );
}

#[test]
#[ignore = "long run: 200 seeds per cell, 960,000 responses (cargo test -- --ignored)"]
fn every_cell_over_200_seeds() {
    // Measured (docs/measurement.md): 12 misses in 960,000 responses, listed
    // there. The budget keeps that from growing unseen.
    let total = run_matrix(0..200);
    assert_eq!(total.trains, 32_000);
    assert!(
        total.misses.len() <= 12,
        "{} misses:\n{}",
        total.misses.len(),
        total.misses.join("\n")
    );
}

#[test]
fn noise_free_trains_give_decrement_and_increment_within_one_point() {
    let settings = Settings::default();
    let mut measurer = Measurer::new();
    let mut worst: f64 = 0.0;
    for cell in cells() {
        let mut draw = cell.draw(7, false);
        draw.conditions.noise_mv = 0.0;
        draw.conditions.hum_mv = 0.0;
        draw.conditions.adc = None;
        let test = analyze_recording(&draw.recording(7), &settings, &mut measurer);
        let s = score_train(&draw, &test);
        worst = worst.max(s.worst_change_pp);
        assert!(s.misses.is_empty(), "{cell}: {:?}", s.misses);
        assert!(s.worst_change_pp <= 1.0, "{cell}: {} pp", s.worst_change_pp);
    }
    eprintln!("noise-free trains: worst decrement/increment error {worst:.3} pp");
}

/// The study of `condition` recorded in the conditions of `cell`.
fn recorded_study(condition: Condition, severity: f64, cell: &Cell, seed: u64) -> SimConfig {
    SimConfig {
        condition,
        severity,
        seed,
        recording: Some(cell.draw(seed, false).conditions),
        ..SimConfig::default()
    }
}

/// The exercise increment of the noise-free physiology (%).
fn true_increment(truth: &[Option<nmjscope::simulate::Truth>]) -> f64 {
    let amp = |t: &Option<nmjscope::simulate::Truth>| t.map(|t| t.amplitude_mv).unwrap_or(0.0);
    let pre = amp(&truth[0]);
    let post = truth[1..].iter().map(amp).fold(0.0, f64::max);
    (post - pre) / pre * 100.0
}

#[test]
fn studies_read_as_their_condition_in_every_cell() {
    // Every cell, one seed each; the default run takes every 4th cell (40
    // cells, 120 studies); --ignored runs all 160.
    let all = std::env::var("NMJSCOPE_ALL_CELLS").is_ok();
    let mut counts = std::collections::BTreeMap::new();
    for (i, cell) in cells().iter().enumerate() {
        if !all && i % 4 != 0 {
            continue;
        }
        for (condition, severity, want) in [
            (Condition::Normal, 0.0, Pattern::Normal),
            (Condition::Mg, 0.9, Pattern::Postsynaptic),
            (Condition::Lems, 0.85, Pattern::Presynaptic),
        ] {
            let config = recorded_study(condition, severity, cell, i as u64);
            let sim = simulate_study(&config).unwrap();
            let (study, truths) = (sim.study, sim.truth);
            let r = analyze_study(&study, &Settings::default()).unwrap();
            let got = r.interpretation.pattern;
            // Simulated MG now and then shows an equivocal post-exercise
            // increment (25-60%) in its noise-free physiology: then LEMS is
            // rightly not excluded. Within 3 points of the 25% floor either
            // reading is right.
            let inc = true_increment(&truths[1]);
            let ok = match condition {
                Condition::Mg if (inc - 25.0).abs() < 3.0 => {
                    matches!(got, Pattern::Postsynaptic | Pattern::NmjUnspecified)
                }
                Condition::Mg if inc >= 25.0 => got == Pattern::NmjUnspecified,
                _ => got == want,
            };
            *counts.entry(format!("{condition:?} -> {got}")).or_insert(0) += 1;
            assert!(
                ok,
                "{condition:?} in {cell} (true exercise increment {inc:.1}%): {got}: {}",
                r.interpretation.summary
            );
        }
    }
    eprintln!("{counts:?}");
}

#[test]
fn clean_recordings_never_read_indeterminate_and_match_the_numpy_peer() {
    // Files written by the simulator in a sample of cells (every 7th), read
    // by both tools. Wherever the peer measures a response within tolerance
    // of the truth, nmjscope must too; nmjscope never reads a clean study as
    // indeterminate. Needs python3 with numpy (.ci/run installs it).
    let peer = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peer/peer_numpy.py");
    let dir = TempDir::new();
    let (mut both, mut only_us, mut neither, mut clipped) = (0, 0, 0, 0);
    let mut only_peer = Vec::new();
    for (i, cell) in cells().iter().enumerate().filter(|(i, _)| i % 7 == 3) {
        for (condition, severity) in [(Condition::Normal, 0.0), (Condition::Lems, 0.85)] {
            let config = recorded_study(condition, severity, cell, i as u64);
            let study_dir = dir.path().join(format!("{i}_{condition:?}"));
            let sim = simulate_study(&config).unwrap();
            for (name, bytes) in nmjscope::io::write::study_csv(&sim.study, Default::default()) {
                std::fs::create_dir_all(&study_dir).unwrap();
                std::fs::write(study_dir.join(name), bytes).unwrap();
            }
            let truths = sim.truth;
            let ours = analyze_study(
                &nmjscope::read_study(&study_dir, &Default::default()).unwrap(),
                &Settings::default(),
            )
            .unwrap();
            assert_ne!(
                ours.interpretation.pattern,
                Pattern::Indeterminate,
                "{condition:?} in {cell}: {}",
                ours.interpretation.summary
            );
            let out = std::process::Command::new("python3")
                .arg(&peer)
                .arg("analyze")
                .arg(&study_dir)
                .output()
                .expect("python3 must be installed for the differential test");
            assert!(
                out.status.success(),
                "the numpy peer failed (pip install numpy): {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let theirs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            let rc = config.recording.as_ref().unwrap();
            let allow_of = |truth: f64| 0.02 * truth + 3.0 * rc.noise_mv + 1.5 * rc.hum_mv;
            for (t, (test, truth)) in ours.tests.iter().zip(&truths).enumerate() {
                for (k, (r, tr)) in test.responses.iter().zip(truth).enumerate() {
                    let Some(tr) = tr else { continue };
                    // A CMAP beyond the amplifier's rail is clipped in the
                    // file: neither tool can measure it, and nmjscope says so.
                    if r.has(nmjscope::Flag::Clipped) {
                        clipped += 1;
                        continue;
                    }
                    let allow = allow_of(tr.amplitude_mv);
                    let peer_amp = theirs["tests"][t]["responses"][k]["amplitude_mv"]
                        .as_f64()
                        .unwrap_or(f64::NAN);
                    let peer_ok = (peer_amp - tr.amplitude_mv).abs() <= allow;
                    let our_ok = r
                        .amplitude_mv
                        .is_some_and(|a| (a - tr.amplitude_mv).abs() <= allow);
                    match (peer_ok, our_ok) {
                        (true, true) => both += 1,
                        (true, false) => only_peer.push(format!(
                            "{condition:?} in {cell}, test {t} r{}: peer {peer_amp:.4}, nmjscope {:?}, truth {:.4}",
                            k + 1,
                            r.amplitude_mv,
                            tr.amplitude_mv
                        )),
                        (false, true) => only_us += 1,
                        (false, false) => {
                            neither += 1;
                            eprintln!(
                                "neither: {condition:?} in {cell}, test {t} r{}: peer {peer_amp:.4}, nmjscope {:?}, truth {:.4}",
                                k + 1,
                                r.amplitude_mv,
                                tr.amplitude_mv
                            );
                        }
                    }
                }
            }
        }
    }
    eprintln!(
        "responses within tolerance: both {both}, nmjscope only {only_us}, peer only {}, neither {neither}; flagged clipped {clipped}",
        only_peer.len()
    );
    assert!(both + only_us > 0);
    assert!(
        only_peer.is_empty(),
        "the peer measured right where nmjscope did not:\n{}",
        only_peer.join("\n")
    );
}

#[test]
fn an_artifact_running_into_the_response_is_measured_right_or_flagged() {
    // Draws whose artifact still decays 0.5-1.5 ms into the response: each
    // response is within tolerance, or carries artifact_overlap (or
    // baseline_unstable): never a silent wrong number.
    let settings = Settings::default();
    let mut measurer = Measurer::new();
    let (mut right, mut flagged, mut silent) = (0, 0, Vec::new());
    for cell in cells()
        .into_iter()
        .filter(|c| c.artifact != nmjscope::simulate::matrix::ArtifactKind::None)
    {
        for seed in 0..3 {
            let draw = cell.draw(seed, true);
            let test = analyze_recording(&draw.recording(seed), &settings, &mut measurer);
            let rc = &draw.conditions;
            for (k, (r, t)) in test.responses.iter().zip(draw.truths()).enumerate() {
                let allow = 0.02 * t.amplitude_mv + 3.0 * rc.noise_mv + 1.5 * rc.hum_mv;
                let ok = r
                    .amplitude_mv
                    .is_some_and(|a| (a - t.amplitude_mv).abs() <= allow);
                let warned = r.has(nmjscope::Flag::ArtifactOverlap)
                    || r.has(nmjscope::Flag::BaselineUnstable);
                match (ok, warned) {
                    (true, _) => right += 1,
                    (false, true) => flagged += 1,
                    (false, false) => silent.push(format!(
                        "{cell} seed {seed} r{}: {:?} vs {:.4}",
                        k + 1,
                        r.amplitude_mv,
                        t.amplitude_mv
                    )),
                }
            }
        }
    }
    eprintln!(
        "overlapping artifacts: {right} measured right, {flagged} wrong but flagged, {} silent",
        silent.len()
    );
    // Measured: 10,794 right, 4 flagged, 2 silent (docs/measurement.md).
    // The budget keeps that from growing unseen.
    assert!(silent.len() <= 2, "{}", silent.join("\n"));
}
