//! The protocols and record of a neuromuscular work-up (issue 12): the
//! post-exercise series, repeated trains, the record fields and their
//! caveats, the train flags for a changing shape or a drifting train.
//! Studies are simulated and read back from the files the simulator
//! writes, as a lab's export would be.

use nmjscope::model::{ExercisePhase, FindingCode, TrainFlag};
use nmjscope::simulate::{simulate_exhaustion_series, Condition, SimConfig};
use nmjscope::{Analyzer, ReadOptions, Report};

use predicates::prelude::*;

use super::util::{nmjscope, test_file, TempDir};

/// `nmjscope analyze --format json ARGS`, which must succeed, read back.
fn analyze_json(args: &[&std::ffi::OsStr]) -> Report {
    let out = nmjscope()
        .args(["analyze", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The report's finding with `code` (the test fails without one).
fn finding(r: &Report, code: FindingCode) -> &nmjscope::model::Finding {
    r.interpretation
        .findings
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("no {code:?} finding"))
}

/// Writes the exhaustion series of `condition` and reads it back.
fn series(condition: Condition, severity: f64, seed: u64) -> (TempDir, Report) {
    let sim = simulate_exhaustion_series(&SimConfig {
        condition,
        severity,
        seed,
        ..SimConfig::default()
    })
    .unwrap();
    let dir = TempDir::new();
    for (name, bytes) in nmjscope::io::write::study_csv(&sim.study, Default::default()) {
        dir.write(&name, bytes);
    }
    let study = nmjscope::read_study(dir.path(), &ReadOptions::default()).unwrap();
    let report = Analyzer::default().analyze(&study).unwrap();
    (dir, report)
}

#[test]
fn an_mg_series_shows_repair_then_exhaustion() {
    // Tolerances: the simulator's release is random (Poisson), so a train's
    // decrement varies by a few points between seeds; the bounds below hold
    // for every seed tried (3-8) with room to spare.
    let mut worst_repair = f64::INFINITY;
    let mut worst_exhaustion = f64::INFINITY;
    for seed in [3, 4, 5] {
        let (_dir, r) = series(Condition::Mg, 0.5, seed);
        let s = &r.series.exhaustion[0];
        assert_eq!(s.points.len(), 7);
        assert_eq!(s.points[0].phase, ExercisePhase::Rest);
        assert_eq!(s.points[2].phase, ExercisePhase::Post { seconds: 0 });
        let repair = s.repair_pp.unwrap();
        let extra = s.exhaustion_pp.unwrap();
        worst_repair = worst_repair.min(repair);
        worst_exhaustion = worst_exhaustion.min(extra);
        assert!(repair > 3.0, "seed {seed}: repair {repair:.1} pp");
        // A few points, not tens: the mean worsening after exercise in
        // MG is 1.9% (PubMed 17024676), and the model is calibrated to
        // it (docs/simulation.md, "Cohorts").
        assert!(
            (3.0..15.0).contains(&extra),
            "seed {seed}: exhaustion {extra:.1} pp over rest"
        );
        let when = s.exhaustion_phase.unwrap().seconds_after().unwrap();
        assert!((60..=240).contains(&when), "seed {seed}: at {when} s");
        let codes: Vec<FindingCode> = r.interpretation.findings.iter().map(|f| f.code).collect();
        assert!(codes.contains(&FindingCode::PostExerciseFacilitation));
        assert!(codes.contains(&FindingCode::PostExerciseExhaustion));
        // The two trains at rest are a reproducible pair.
        assert_eq!(r.series.repeats.len(), 1);
        assert!(
            codes.contains(&FindingCode::DecrementReproducible),
            "{codes:?}"
        );
    }
    eprintln!(
        "MG 0.5, seeds 3-5: smallest repair {worst_repair:.1} pp, smallest exhaustion {worst_exhaustion:.1} pp over rest"
    );
}

#[test]
fn mild_mg_shows_a_decrement_only_after_exercise_and_normal_none() {
    // Severity 0.15: below the mild (0.25) of the severity mapping, the 3 Hz
    // decrement at rest stays under 10% (docs/simulation.md), and the few
    // points of exhaustion take it over.
    let (_dir, mild) = series(Condition::Mg, 0.15, 3);
    let s = &mild.series.exhaustion[0];
    let rest = s.points[0].decrement_pct.unwrap();
    assert!(rest < 10.0, "rest {rest:.1}%");
    assert!(s.exhaustion_pct.unwrap() > 10.0, "{s:?}");
    let exhaustion = finding(&mild, FindingCode::PostExerciseExhaustion);
    assert!(
        exhaustion.text.contains("above the 10% threshold"),
        "{}",
        exhaustion.text
    );
    assert!(exhaustion.criterion.contains("no separate validated"));
    assert!(exhaustion.source.contains("Muscle Nerve 2014;50(3):413"));
    let (_dir, normal) = series(Condition::Normal, 0.0, 3);
    let worst = normal.series.exhaustion[0].exhaustion_pct.unwrap();
    assert!(worst < 10.0, "normal exhaustion {worst:.1}%");
}

#[test]
fn repeated_trains_that_disagree_are_said_to() {
    let (_dir, r) = series(Condition::Mg, 0.9, 3);
    let mut tests = r.tests.clone();
    // The second train at rest 12 points off the first.
    tests[1].decrement_pct = tests[0].decrement_pct.map(|d| d - 12.0);
    let reading = nmjscope::interpret::interpret(&mut tests, 4, &Default::default());
    assert!(reading.series.repeats[0].spread_pp.unwrap() > 11.9);
    let i = reading.interpretation;
    let f = i
        .findings
        .iter()
        .find(|f| f.code == FindingCode::DecrementNotReproducible)
        .unwrap();
    assert!(f.text.contains("disagree") && f.criterion.contains("5 percentage points"));
}

#[test]
fn a_single_abnormal_train_must_be_reproduced() {
    let dir = TempDir::new();
    let mg = test_file(&SimConfig {
        condition: Condition::Mg,
        severity: 0.9,
        seed: 5,
        ..SimConfig::default()
    });
    let path = dir.write("1_rns.csv", mg);
    let out = nmjscope().arg("analyze").arg(&path).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("should be reproducible"), "{text}");
}

/// A 3 Hz MG train with extra metadata lines after the generator's.
fn with_metadata(lines: &str) -> Vec<u8> {
    let file = String::from_utf8(test_file(&SimConfig {
        condition: Condition::Mg,
        severity: 0.9,
        seed: 5,
        ..SimConfig::default()
    }))
    .unwrap();
    format!("{lines}{file}").into_bytes()
}

#[test]
fn the_record_is_read_shown_and_used() {
    let dir = TempDir::new();
    let path = dir.write(
        "t.csv",
        with_metadata(
            "# stim_intensity_ma: 35\n# stim_duration_ms: 0.2\n# supramaximal: no\n# medication: pyridostigmine 60 mg x4\n# pyridostigmine_last_dose_h: 3\n# indication: fluctuating ptosis\n# side: left\n",
        ),
    );
    let r = analyze_json(&[path.as_os_str()]);
    let rec = &r.tests[0].record;
    assert_eq!(rec.stim_intensity_ma, Some(35.0));
    assert_eq!(rec.stim_duration_ms, Some(0.2));
    assert_eq!(rec.supramaximal, Some(false));
    assert_eq!(rec.pyridostigmine_last_dose_h, Some(3.0));
    assert_eq!(rec.medication.as_deref(), Some("pyridostigmine 60 mg x4"));
    assert_eq!(r.study.indication.as_deref(), Some("fluctuating ptosis"));
    assert_eq!(r.tests[0].side.as_deref(), Some("left"));
    let caveats = r.interpretation.caveats.join("\n");
    assert!(caveats.contains("not supramaximal"), "{caveats}");
    assert!(caveats.contains("taken 3 h before") && caveats.contains("12 h without it"));
    // The command line wins over the file, and is checked like it.
    let r = analyze_json(&[
        "--pyridostigmine-h".as_ref(),
        "24".as_ref(),
        "--supramaximal".as_ref(),
        "yes".as_ref(),
        path.as_os_str(),
    ]);
    assert_eq!(r.tests[0].record.supramaximal, Some(true));
    let caveats = r.interpretation.caveats.join("\n");
    assert!(!caveats.contains("not supramaximal") && !caveats.contains("taken 24 h"));
    nmjscope()
        .args(["analyze", "--stim-intensity-ma", "500"])
        .arg(&path)
        .assert()
        .code(5)
        .stderr(predicates::str::contains(
            "--stim-intensity-ma (stim_intensity_ma): 500 is outside",
        ));
}

#[test]
fn bad_record_values_name_their_line() {
    let dir = TempDir::new();
    for (line, needle) in [
        ("# supramaximal: maybe\n", "expected yes or no"),
        ("# train: 0\n", "repeat number 1-99"),
        ("# exercise_phase: during\n", "expected rest, post_0s"),
        ("# stim_duration_ms: 5\n", "expected 0.01-2 ms"),
        ("# pyridostigmine_last_dose_h: -1\n", "expected 0-720 h"),
    ] {
        let path = dir.write("bad.csv", with_metadata(line));
        nmjscope()
            .arg("analyze")
            .arg(&path)
            .assert()
            .code(3)
            .stderr(
                predicates::str::contains("bad.csv, line 1").and(predicates::str::contains(needle)),
            );
    }
}

#[test]
fn increment_criteria_outside_their_protocol_are_qualified() {
    let dir = TempDir::new();
    let hf = test_file(&SimConfig {
        condition: Condition::Lems,
        severity: 0.9,
        seed: 2,
        protocol: nmjscope::Protocol::Hfrns,
        rate_hz: Some(10.0),
        ..SimConfig::default()
    });
    let path = dir.write("hf.csv", hf);
    let out = nmjscope().arg("analyze").arg(&path).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("a train at 10 Hz, outside the 20-50 Hz")
            && text.contains("cannot exclude LEMS"),
        "{text}"
    );
    let ex = test_file(&SimConfig {
        condition: Condition::Lems,
        severity: 0.9,
        seed: 2,
        protocol: nmjscope::Protocol::Exercise,
        ..SimConfig::default()
    });
    let path = dir.write("ex.csv", ex);
    let out = nmjscope()
        .args(["analyze", "--exercise-s", "30"])
        .arg(&path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("30 s of exercise, outside the 5-15 s") && text.contains("84% after 30 s"),
        "{text}"
    );
}

#[test]
fn a_drifting_or_reshaped_train_is_flagged_unreliable() {
    let sim = nmjscope::simulate::simulate_test(&SimConfig {
        condition: Condition::Mg,
        severity: 0.9,
        seed: 5,
        ..SimConfig::default()
    })
    .unwrap();
    // The baseline of each sweep raised a little more than the last (a
    // limb sliding on its electrodes): 0.15 mV per response.
    let mut drifting = sim.recording.clone();
    for (i, mut row) in drifting.samples_mv.rows_mut().into_iter().enumerate() {
        row.mapv_inplace(|v| v + 0.15 * i as f64);
    }
    let t = Analyzer::default()
        .analyze(&nmjscope::Study {
            id: "d".into(),
            path: "d".into(),
            tests: vec![drifting],
            jitter: None,
        })
        .unwrap();
    assert!(
        t.tests[0].has_train_flag(TrainFlag::BaselineDrift),
        "{:?}",
        t.tests[0].train_flags
    );
    assert_eq!(
        t.interpretation.decrement.status,
        nmjscope::model::PartStatus::Unreliable
    );
    // The clean train carries none of the new flags.
    let clean = Analyzer::default()
        .analyze(&nmjscope::Study {
            id: "c".into(),
            path: "c".into(),
            tests: vec![sim.recording],
            jitter: None,
        })
        .unwrap();
    assert!(
        clean.tests[0].train_flags.is_empty(),
        "{:?}",
        clean.tests[0].train_flags
    );
}

#[test]
fn the_exhaustion_sample_reads_as_a_decrement_only_after_exercise() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/mg_exhaustion");
    let study = nmjscope::read_study(&path, &ReadOptions::default()).unwrap();
    let r = Analyzer::default().analyze(&study).unwrap();
    let s = &r.series.exhaustion[0];
    assert!(s.points[0].decrement_pct.unwrap() < 10.0);
    assert!(s.exhaustion_pct.unwrap() > 10.0);
    assert_eq!(
        r.interpretation.decrement.grade,
        Some(nmjscope::model::DecrementGrade::Abnormal)
    );
    // No shape finding for trains after exercise, and no "one train"
    // caveat: the series is the repeat.
    let shapes = r.interpretation.findings.iter().filter(|f| {
        matches!(
            f.code,
            FindingCode::UShapedDecrement | FindingCode::ProgressiveDecrement
        )
    });
    assert_eq!(shapes.count(), 0);
    assert!(!r
        .interpretation
        .caveats
        .iter()
        .any(|c| c.contains("should be reproducible")));
    // The report set draws the series.
    let files = nmjscope::render::report_set(&r, &[]).unwrap();
    assert!(files
        .iter()
        .any(|(n, _)| n == "plots/series1_decrement.svg"));
    let html = &files.iter().find(|(n, _)| n == "report.html").unwrap().1;
    let html = String::from_utf8_lossy(html);
    assert!(html.contains("Post-exercise series (ADM)") && html.contains("Largest exhaustion"));
}

#[test]
fn lab_limits_are_used_cited_and_echoed() {
    let dir = TempDir::new();
    let path = dir.write("t.csv", with_metadata(""));
    let limits = dir.write(
        "limits.toml",
        "[\"abductor digiti minimi\"]\nlower_limit_mv = 9.5\nsource = \"Example lab norms 2024 (n = 80)\"\n",
    );
    let r = analyze_json(&["--limits".as_ref(), limits.as_os_str(), path.as_os_str()]);
    // The simulated myasthenic ADM's resting CMAP (about 7 mV) is above
    // the built-in 6 mV and below this lab's 9.5 mV.
    assert_eq!(r.interpretation.low_cmap, Some(true));
    let low = finding(&r, FindingCode::LowCmap);
    assert!(
        low.source.contains("lab limit: Example lab norms 2024"),
        "{}",
        low.source
    );
    let echoed = &r.settings.interpret.lab_limits["abductor digiti minimi"];
    assert_eq!(echoed.lower_limit_mv, 9.5);
    for (text, needle) in [
        ("[ADM]\nlower_limit_mv = 9.5\n", "missing field `source`"),
        (
            "[ADM]\nlower_limit_mv = 90\nsource = \"x\"\n",
            "outside 0.1 to 50 mV",
        ),
        ("[ADM]\nlower_limit_mv = \nsource = \"x\"\n", "line 2"),
        ("", "no limit"),
    ] {
        let bad = dir.write("bad.toml", text);
        nmjscope()
            .args(["analyze", "--limits"])
            .arg(&bad)
            .arg(&path)
            .assert()
            .code(5)
            .stderr(predicates::str::contains("bad.toml").and(predicates::str::contains(needle)));
    }
}

#[test]
fn both_sides_of_a_muscle_are_compared() {
    let dir = TempDir::new();
    let left = test_file(&SimConfig {
        condition: Condition::Normal,
        seed: 1,
        ..SimConfig::default()
    });
    let right = test_file(&SimConfig {
        condition: Condition::Lems,
        severity: 0.9,
        seed: 1,
        ..SimConfig::default()
    });
    let side = |bytes: Vec<u8>, s: &str| {
        let text = String::from_utf8(bytes).unwrap();
        format!(
            "# side: {s}\n{}",
            text.replace("sim-lems-1", "sim-normal-1")
        )
        .into_bytes()
    };
    dir.write("study/1_left.csv", side(left, "left"));
    dir.write("study/2_right.csv", side(right, "right"));
    let study = nmjscope::read_study(&dir.path().join("study"), &ReadOptions::default()).unwrap();
    let r = Analyzer::default().analyze(&study).unwrap();
    let f = finding(&r, FindingCode::SideToSide);
    assert!(
        f.text.contains("left") && f.text.contains("right") && f.text.contains("asymmetric"),
        "{}",
        f.text
    );
    assert!(f.criterion.contains("below 50%"));
}

#[test]
fn a_series_is_read_whatever_the_muscle_is_called_and_needs_a_rest_train() {
    let (dir, _) = series(Condition::Mg, 0.9, 3);
    // Half the files name the muscle in full; the rest trains lose their
    // phase (a train with none is at rest).
    for entry in std::fs::read_dir(dir.path()).unwrap().flatten() {
        let path = entry.path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let mut text = std::fs::read_to_string(&path).unwrap();
        if name.starts_with('4') || name.starts_with('5') {
            text = text.replace("# muscle: ADM", "# muscle: abductor digiti minimi");
        }
        text = text.replace("# exercise_phase: rest\n", "");
        // One side, written two ways.
        let side = if name.starts_with('6') { "L" } else { "left" };
        std::fs::write(&path, format!("# side: {side}\n{text}")).unwrap();
    }
    let study = nmjscope::read_study(dir.path(), &ReadOptions::default()).unwrap();
    let r = Analyzer::default().analyze(&study).unwrap();
    assert_eq!(r.series.exhaustion.len(), 1, "one muscle, one side");
    let s = &r.series.exhaustion[0];
    assert_eq!(s.points.len(), 7);
    assert!(s.repair_pp.is_some() && s.exhaustion_pp.is_some(), "{s:?}");
    // Without the rest trains, the series says what it cannot measure.
    std::fs::remove_file(dir.path().join("1_rest_train1.csv")).unwrap();
    std::fs::remove_file(dir.path().join("2_rest_train2.csv")).unwrap();
    let study = nmjscope::read_study(dir.path(), &ReadOptions::default()).unwrap();
    let r = Analyzer::default().analyze(&study).unwrap();
    assert!(r.series.exhaustion[0].exhaustion_pp.is_none());
    let caveats = r.interpretation.caveats.join("\n");
    assert!(caveats.contains("no usable train at rest"), "{caveats}");
}

#[test]
fn only_resting_trains_of_recognised_sides_give_low_cmap_and_side_findings() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/mg_exhaustion");
    let mut settings = nmjscope::Settings::default();
    settings.interpret.lab_limits.insert(
        "ADM".into(),
        nmjscope::interpret::LabLimit {
            lower_limit_mv: 12.0,
            source: "a strict lab".into(),
        },
    );
    let study = nmjscope::read_study(&path, &ReadOptions::default()).unwrap();
    let r = Analyzer::new(settings).unwrap().analyze(&study).unwrap();
    let low: Vec<&str> = r
        .interpretation
        .findings
        .iter()
        .filter(|f| f.code == FindingCode::LowCmap)
        .map(|f| f.text.as_str())
        .collect();
    assert_eq!(low.len(), 2, "{low:?}");
    assert!(low.iter().all(|t| t.contains("rest_train")), "{low:?}");
    // A side that is not left or right is not compared.
    let mut tests = r.tests.clone();
    tests[0].side = Some("left".into());
    tests[1].side = Some("bilateral".into());
    let i = nmjscope::interpret::interpret(&mut tests, 4, &Default::default()).interpretation;
    assert!(!i.findings.iter().any(|f| f.code == FindingCode::SideToSide));
}

#[test]
fn one_muscle_twice_in_a_limits_file_is_refused() {
    let dir = TempDir::new();
    let path = dir.write("t.csv", with_metadata(""));
    let limits = dir.write(
        "twice.toml",
        "[ADM]\nlower_limit_mv = 6\nsource = \"a\"\n[\"abductor digiti minimi\"]\nlower_limit_mv = 5\nsource = \"b\"\n",
    );
    nmjscope()
        .args(["analyze", "--limits"])
        .arg(&limits)
        .arg(&path)
        .assert()
        .code(5)
        .stderr(predicates::str::contains("are the same muscle"));
}

#[test]
fn a_series_key_on_a_test_that_is_no_low_rate_train_is_said_to_be_unused() {
    let dir = TempDir::new();
    let ex = String::from_utf8(test_file(&SimConfig {
        condition: Condition::Lems,
        severity: 0.9,
        seed: 2,
        protocol: nmjscope::Protocol::Exercise,
        ..SimConfig::default()
    }))
    .unwrap();
    let path = dir.write("ex.csv", format!("# exercise_phase: post_60s\n{ex}"));
    let study = nmjscope::read_study(&path, &ReadOptions::default()).unwrap();
    let r = Analyzer::default().analyze(&study).unwrap();
    assert!(r.series.exhaustion.is_empty());
    let caveats = r.interpretation.caveats.join("\n");
    assert!(caveats.contains("left out of any series"), "{caveats}");
}
