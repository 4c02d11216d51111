//! Jitter: interval lists with known answers (exact), raw sweeps from the
//! simulator against its truth under noise and sampling rates, the study
//! rule and the references, the reader's refusals, and the command line.

use std::path::Path;

use nmjscope::io::jitter::{parse_ipi_list, parse_sweeps, read_jitter, sweeps_csv, SweepsHeader};
use nmjscope::measure::jitter::{measure_sweeps, JitterSweeps};
use nmjscope::model::{Electrode, JitterMethod, JitterReason, JitterVerdict, PairFlag};
use nmjscope::pipeline::jitter::analyze_jitter;
use nmjscope::simulate::jitter::{simulate_pairs, sweeps_of, JitterSimConfig};
use nmjscope::simulate::Condition;
use nmjscope::train::jitter::{measure_pair, JitterConfig};
use nmjscope::{ReadOptions, Settings};

use crate::util::{nmjscope, TempDir};

fn list(body: &str) -> nmjscope::io::jitter::IpiList {
    let text = format!(
        "# nmjscope: jitter\n# muscle: EDC\n# method: voluntary\n# electrode: concentric\n{body}"
    );
    parse_ipi_list(Path::new("t.csv"), text.as_bytes()).unwrap()
}

#[test]
fn an_interval_list_gives_its_mcd_msd_and_blocking_exactly() {
    // IPIs 500, 520, 490, blocked, 540, 530: consecutive differences over
    // conducted neighbours 20, 30, 10: MCD 20 exactly.
    let l = list(
        "pair,ipi_us,isi_ms\n1,500,100\n1,520,110\n1,490,90\n1,blocked,100\n1,540,105\n1,530,95\n",
    );
    assert_eq!(l.pairs.len(), 1);
    let m = measure_pair(&l.pairs[0], &JitterConfig::default());
    assert_eq!(m.mcd_us, Some(20.0));
    // Conducted, by isi: 90 -> 490, 95 -> 530, 100 -> 500, 105 -> 540, 110 -> 520:
    // differences 40, 30, 40, 20: MSD 32.5.
    assert_eq!(m.msd_us, Some(32.5));
    assert_eq!((m.discharges, m.blocked), (6, 1));
    assert!((m.blocking_pct - 100.0 / 6.0).abs() < 1e-12);
    assert!(
        m.flags.contains(&PairFlag::TooFewDischarges),
        "5 conducted of 50 needed"
    );
}

#[test]
fn a_blocked_column_and_per_row_muscles_are_read() {
    let l =
        list("pair,muscle,ipi_us,blocked\na,frontalis,800,0\na,frontalis,810,1\nb,EDC,1000,no\n");
    assert_eq!(l.pairs.len(), 2);
    assert_eq!(l.pairs[0].muscle, "frontalis");
    assert_eq!(l.pairs[0].discharges[1].ipi_us, None);
    assert_eq!(l.pairs[1].muscle, "EDC");
}

#[test]
fn simulated_interval_lists_read_back_to_the_truth() {
    for condition in [Condition::Normal, Condition::Mg, Condition::Lems] {
        let c = JitterSimConfig {
            condition,
            severity: 0.5,
            seed: 3,
            ..Default::default()
        };
        let pairs = simulate_pairs(&c).unwrap();
        let truth: Vec<_> = pairs.iter().map(|p| p.pair.clone()).collect();
        let csv = nmjscope::io::jitter::ipi_csv(&truth, &[]);
        let back = parse_ipi_list(Path::new("ipi.csv"), csv.as_bytes()).unwrap();
        assert_eq!(
            back.pairs, truth,
            "{condition:?}: the list is the truth, to 1 ns"
        );
    }
}

/// Measures every pair of `c` from its sweeps; returns (counted pairs, the
/// largest MCD error among them in µs and in %, and blocking mismatches
/// among counted pairs).
fn sweep_accuracy(c: &JitterSimConfig) -> (usize, f64, f64, usize) {
    let cfg = JitterConfig::default();
    let (mut counted, mut err_us, mut err_pct, mut blocking) = (0, 0.0f64, 0.0f64, 0);
    for (i, p) in simulate_pairs(c).unwrap().iter().enumerate() {
        let (t0_ms, samples_mv) = sweeps_of(c, p, 77 + i as u64).unwrap();
        let s = JitterSweeps {
            id: p.pair.id.clone(),
            muscle: c.muscle.clone(),
            side: None,
            method: c.method,
            electrode: c.electrode,
            sampling_rate_hz: c.sampling_rate_hz,
            t0_ms,
            samples_mv,
        };
        let (pair, _) = measure_sweeps(&s, &cfg);
        let got = measure_pair(&pair, &cfg);
        if !got.counted {
            continue;
        }
        let truth = measure_pair(&p.pair, &cfg);
        counted += 1;
        let (g, t) = (got.mcd_us.unwrap(), truth.mcd_us.unwrap());
        err_us = err_us.max((g - t).abs());
        err_pct = err_pct.max(100.0 * (g - t).abs() / t);
        blocking += usize::from(got.blocked != truth.blocked || got.discharges != truth.discharges);
    }
    (counted, err_us, err_pct, blocking)
}

#[test]
fn raw_sweeps_measure_the_simulated_jitter_within_tolerance_and_count_blocking_exactly() {
    // Tolerance (docs/jitter.md): a counted pair's MCD within 3 µs; its
    // blocks counted exactly.
    for condition in [
        (Condition::Normal, 0.0),
        (Condition::Mg, 0.25),
        (Condition::Mg, 0.5),
        (Condition::Lems, 0.3),
    ] {
        for method in [JitterMethod::Voluntary, JitterMethod::Stimulated] {
            for (noise_mv, rate_hz) in [
                (0.01, 50_000.0),
                (0.02, 50_000.0),
                (0.03, 50_000.0),
                (0.02, 25_000.0),
            ] {
                let c = JitterSimConfig {
                    condition: condition.0,
                    severity: condition.1,
                    method,
                    noise_mv,
                    sampling_rate_hz: rate_hz,
                    seed: 11,
                    ..Default::default()
                };
                let (counted, err_us, err_pct, blocking) = sweep_accuracy(&c);
                let what = format!("{condition:?} {method:?} noise {noise_mv} mV at {rate_hz} Hz");
                assert!(counted >= 3, "{what}: only {counted} pairs counted");
                assert!(
                    err_us <= 3.0 || err_pct <= 5.0,
                    "{what}: MCD off by {err_us:.2} µs ({err_pct:.1}%)"
                );
                assert_eq!(
                    blocking, 0,
                    "{what}: blocking miscounted in {blocking} counted pairs"
                );
            }
        }
    }
}

#[test]
fn noisy_sweeps_are_not_counted_rather_than_misread() {
    // At 50 µV of noise most simulated potentials (0.3-2 mV) are too small
    // to time within 5 µs: they are flagged, and what is counted is right.
    let c = JitterSimConfig {
        noise_mv: 0.05,
        seed: 11,
        ..Default::default()
    };
    let (counted, err_us, err_pct, blocking) = sweep_accuracy(&c);
    assert!(counted < c.pairs / 2, "{counted} of {} counted", c.pairs);
    assert!(err_us <= 3.0, "{err_us:.2} µs ({err_pct:.1}%)");
    assert_eq!(blocking, 0);
}

#[test]
fn sweeps_read_from_a_file_measure_as_in_memory() {
    let dir = TempDir::new();
    let c = JitterSimConfig {
        condition: Condition::Mg,
        severity: 0.25,
        pairs: 3,
        ..Default::default()
    };
    let pairs = simulate_pairs(&c).unwrap();
    for (i, p) in pairs.iter().enumerate() {
        let (t0_ms, samples) = sweeps_of(&c, p, i as u64).unwrap();
        let header = SweepsHeader {
            pair: &p.pair.id,
            muscle: "EDC",
            method: c.method,
            electrode: c.electrode,
            sampling_rate_hz: c.sampling_rate_hz,
            extra: &[("age", "44".to_string())],
        };
        let path = dir.write(&format!("p{i}.csv"), sweeps_csv(&header, t0_ms, &samples));
        let bytes = std::fs::read(&path).unwrap();
        let (sweeps, age) = parse_sweeps(&path, &bytes, &ReadOptions::default()).unwrap();
        assert_eq!(age, Some(44.0));
        assert_eq!(
            (sweeps.method, sweeps.electrode, sweeps.id.as_str()),
            (c.method, c.electrode, p.pair.id.as_str())
        );
        let in_memory = JitterSweeps {
            samples_mv: samples,
            ..sweeps.clone()
        };
        let cfg = JitterConfig::default();
        let (a, b) = (
            measure_pair(&measure_sweeps(&sweeps, &cfg).0, &cfg),
            measure_pair(&measure_sweeps(&in_memory, &cfg).0, &cfg),
        );
        assert_eq!(
            (a.blocked, a.discharges, &a.flags),
            (b.blocked, b.discharges, &b.flags),
            "pair {i}"
        );
        // The file holds 0.1 µV steps: the crossings move by far less than a µs.
        assert!(
            (a.mcd_us.unwrap_or(0.0) - b.mcd_us.unwrap_or(0.0)).abs() < 0.05,
            "pair {i}"
        );
    }
    let input = read_jitter(dir.path(), &ReadOptions::default()).unwrap();
    assert_eq!(input.sweeps.len(), 3);
}

fn verdict_of(c: &JitterSimConfig) -> (JitterVerdict, Vec<JitterReason>, f64) {
    let pairs = simulate_pairs(c)
        .unwrap()
        .into_iter()
        .map(|p| p.pair)
        .collect();
    let input = nmjscope::io::jitter::JitterInput::of_pairs(pairs);
    let a = analyze_jitter(&input, None, &Settings::default()).unwrap();
    let m = &a.report.muscles[0];
    (
        m.verdict,
        m.reasons.clone(),
        m.mean_jitter_us.unwrap_or(f64::NAN),
    )
}

#[test]
fn a_normal_muscle_reads_normal_and_moderate_mg_abnormal_by_the_published_limits() {
    for seed in 1..=5 {
        for method in [JitterMethod::Voluntary, JitterMethod::Stimulated] {
            let normal = JitterSimConfig {
                condition: Condition::Normal,
                method,
                seed,
                ..Default::default()
            };
            let (v, reasons, mean) = verdict_of(&normal);
            assert_eq!(
                v,
                JitterVerdict::Normal,
                "seed {seed} {method:?}: {reasons:?}, mean {mean:.1}"
            );
            let mg = JitterSimConfig {
                condition: Condition::Mg,
                severity: 0.5,
                method,
                seed,
                ..Default::default()
            };
            let (v, reasons, _) = verdict_of(&mg);
            assert_eq!(v, JitterVerdict::Abnormal, "seed {seed} {method:?}");
            assert!(reasons.contains(&JitterReason::PairsAbnormal));
        }
    }
}

/// A list of pairs with the MCDs asked for (each pair 60 discharges
/// alternating +/- mcd/2 around 1000 µs: an MCD of exactly `mcd`).
fn pairs_with(mcds: &[f64], discharges: usize) -> String {
    let mut s = String::from("pair,ipi_us\n");
    for (i, mcd) in mcds.iter().enumerate() {
        for d in 0..discharges {
            let ipi = 1000.0 + if d % 2 == 0 { mcd / 2.0 } else { -mcd / 2.0 };
            s.push_str(&format!("{},{ipi}\n", i + 1));
        }
    }
    s
}

fn judge(mcds: &[f64], discharges: usize) -> nmjscope::model::MuscleJitter {
    let l = list(&pairs_with(mcds, discharges));
    let input = nmjscope::io::jitter::JitterInput::of_pairs(l.pairs);
    analyze_jitter(&input, None, &Settings::default())
        .unwrap()
        .report
        .muscles
        .remove(0)
}

#[test]
fn the_study_rule_counts_pairs_above_the_limit_and_never_a_flagged_pair() {
    // Concentric EDC voluntary: mean limit 30, pair limit 43 (Stålberg 2016).
    let mut mcds = vec![20.0; 18];
    mcds.extend([50.0, 50.0]);
    let m = judge(&mcds, 60);
    assert_eq!(
        m.limits.as_ref().map(|l| (l.mean_us, l.pair_us)),
        Some((30.0, 43.0))
    );
    assert_eq!(
        (m.verdict, m.pairs_above_limit),
        (JitterVerdict::Normal, Some(2)),
        "2 of 20 is 10%, not more"
    );
    mcds[0] = 50.0;
    assert_eq!(judge(&mcds, 60).verdict, JitterVerdict::Abnormal, "3 of 20");
    let m = judge(&[35.0; 20], 60);
    assert_eq!(
        (m.verdict, m.reasons.clone()),
        (JitterVerdict::Abnormal, vec![JitterReason::MeanAboveLimit])
    );
    // Three pairs above the limit among 12 are already more than 10% of 20.
    let mut few = vec![20.0; 9];
    few.extend([60.0; 3]);
    assert_eq!(judge(&few, 60).verdict, JitterVerdict::Abnormal);
    let m = judge(&[20.0; 12], 60);
    assert_eq!(
        (m.verdict, m.reasons.clone()),
        (JitterVerdict::NotJudged, vec![JitterReason::TooFewPairs])
    );
    // A pair with too few discharges never counts, however high.
    let text = format!(
        "{}{}",
        pairs_with(&[20.0; 20], 60),
        pairs_with(&[400.0], 30)
            .replace("pair,ipi_us\n", "")
            .replace("1,", "x,")
    );
    let l = list(&text);
    let input = nmjscope::io::jitter::JitterInput::of_pairs(l.pairs);
    let m = analyze_jitter(&input, None, &Settings::default())
        .unwrap()
        .report
        .muscles
        .remove(0);
    let x = m.pairs.iter().find(|p| p.id == "x").unwrap();
    assert!(!x.counted && x.flags.contains(&PairFlag::TooFewDischarges));
    assert_eq!(
        (m.verdict, m.counted, m.mean_jitter_us),
        (JitterVerdict::Normal, 20, Some(20.0))
    );
}

#[test]
fn single_fibre_limits_follow_age_and_wait_for_it() {
    let cfg = JitterConfig::default();
    let l = nmjscope::interpret::jitter::limits_for(
        "extensor digitorum communis",
        JitterMethod::Voluntary,
        Electrode::SingleFibre,
        Some(45.0),
        &cfg,
    )
    .unwrap();
    assert_eq!((l.mean_us, l.pair_us, l.ages), (35.4, 51.3, Some((40, 49))));
    let none = nmjscope::interpret::jitter::limits_for(
        "EDC",
        JitterMethod::Voluntary,
        Electrode::SingleFibre,
        None,
        &cfg,
    );
    assert_eq!(none, Err(JitterReason::AgeNeeded));
    // Through the whole analysis: without an age, three pairs at 60 µs are
    // above the pair limit of the young (49.7 µs at 10-19) and within that
    // of the old (63.9 µs at 60-69): the bands disagree, and the sentence
    // says what is missing.
    let sf = |mcd: f64| {
        let l = parse_ipi_list(
            Path::new("sf.csv"),
            format!("# nmjscope: jitter\n# muscle: frontalis\n# method: voluntary\n# electrode: single_fibre\n{}", pairs_with(&[mcd; 3], 60)).as_bytes(),
        )
        .unwrap();
        nmjscope::io::jitter::JitterInput::of_pairs(l.pairs)
    };
    let r = analyze_jitter(&sf(60.0), None, &Settings::default())
        .unwrap()
        .report;
    assert_eq!(r.muscles[0].verdict, JitterVerdict::NotJudged);
    assert!(
        r.findings[0].text.contains("depend on age"),
        "{}",
        r.findings[0].text
    );
    // At 80 µs every band (up to 74.1 µs at 70-79) finds the three pairs
    // above its limit: abnormal at any age, judged by the most lenient band.
    let any_age = analyze_jitter(&sf(80.0), None, &Settings::default())
        .unwrap()
        .report;
    let m = &any_age.muscles[0];
    assert_eq!(m.verdict, JitterVerdict::Abnormal);
    assert!(m.reasons.contains(&JitterReason::EveryAgeBand));
    assert_eq!(m.limits.as_ref().unwrap().ages, Some((70, 79)));
    let input = sf(80.0);
    // Aged 45: three pairs at 80 µs are above 53.5 µs, more than 10% of 20.
    let aged = analyze_jitter(&input, Some(45.0), &Settings::default())
        .unwrap()
        .report;
    assert_eq!(aged.muscles[0].verdict, JitterVerdict::Abnormal);
    let stim = nmjscope::interpret::jitter::limits_for(
        "EDC",
        JitterMethod::Stimulated,
        Electrode::SingleFibre,
        Some(45.0),
        &cfg,
    );
    assert_eq!(
        stim,
        Err(JitterReason::NoReference),
        "no verified stimulated single-fibre table"
    );
    let oo = nmjscope::interpret::jitter::limits_for(
        "OO",
        JitterMethod::Stimulated,
        Electrode::Concentric,
        None,
        &cfg,
    )
    .unwrap();
    assert_eq!((oo.mean_us, oo.pair_us), (27.0, 36.0));
}

#[test]
fn a_lab_s_own_limits_replace_the_published_ones() {
    let dir = TempDir::new();
    let t = dir.write("t.toml", "[jitter]\nmin_pairs = 10\n[[jitter.limits]]\nmuscle = \"EDC\"\nmethod = \"voluntary\"\nelectrode = \"concentric\"\nmean_us = 25\npair_us = 35\nsource = \"St Elsewhere, 2020 (n = 40)\"\n");
    let s = Settings::from_file(&t).unwrap();
    let l = nmjscope::interpret::jitter::limits_for(
        "EDC",
        JitterMethod::Voluntary,
        Electrode::Concentric,
        None,
        &s.jitter,
    )
    .unwrap();
    assert_eq!((l.mean_us, l.pair_us), (25.0, 35.0));
    assert!(l.source.contains("St Elsewhere"));
}

#[test]
fn interval_lists_are_refused_with_the_line_and_what_is_wrong() {
    let refuse = |body: &str| {
        parse_ipi_list(Path::new("bad.csv"), body.as_bytes())
            .unwrap_err()
            .to_string()
    };
    let head = "# nmjscope: jitter\n# muscle: EDC\n# method: voluntary\n# electrode: concentric\n";
    assert!(refuse(&format!("{head}pair,value\n1,3\n")).contains("no `ipi_us` column"));
    let e = refuse(&format!("{head}pair,ipi_us\n1,500\n1,5x0\n"));
    assert!(
        e.contains("line 7") && e.contains("column 2") && e.contains("5x0"),
        "{e}"
    );
    let e = refuse("# nmjscope: jitter\n# method: sometimes\npair,ipi_us\n1,500\n");
    assert!(
        e.contains("line 2") && e.contains("voluntary or stimulated"),
        "{e}"
    );
    let e = refuse("# nmjscope: jitter\n# muscle: EDC\n# method: voluntary\npair,ipi_us\n1,500\n");
    assert!(e.contains("no electrode"), "{e}");
    let e = refuse(&format!("{head}pair,ipi_us\n1,500,7\n"));
    assert!(
        e.contains("line 6") && e.contains("expected 2 fields"),
        "{e}"
    );
    let e = refuse(&format!("{head}pair,ipi_us\n1,NaN\n"));
    assert!(e.contains("finite"), "{e}");
}

#[test]
fn the_command_line_simulates_and_reports_a_jitter_study() {
    let dir = TempDir::new();
    let sim = dir.path().join("mg");
    nmjscope()
        .args([
            "simulate",
            "--condition",
            "mg",
            "--severity",
            "0.5",
            "--pairs",
            "8",
            "--sweeps",
            "--jitter",
        ])
        .arg(&sim)
        .assert()
        .success();
    let out = dir.path().join("report");
    let run = nmjscope()
        .arg("jitter")
        .arg(sim.join("sweeps"))
        .args(["--format", "json", "-o"])
        .arg(&out)
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_slice(&run.get_output().stdout).unwrap();
    assert_eq!(json["schema"], "nmjscope.jitter/1");
    assert_eq!(json["muscles"][0]["verdict"], "abnormal");
    for f in [
        "jitter.html",
        "jitter.md",
        "jitter.json",
        "jitter.txt",
        "jitter_pairs.csv",
        "plots/jitter1_pairs.svg",
        "plots/jitter1_pair1_sweeps.svg",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    // `analyze` reads a jitter file as a jitter study (its sweeps are never
    // read as a train of CMAPs): no test, the verdict as a finding.
    let read = nmjscope()
        .arg("analyze")
        .arg(sim.join("sweeps"))
        .args(["--format", "json"])
        .assert()
        .success();
    let r: serde_json::Value = serde_json::from_slice(&read.get_output().stdout).unwrap();
    assert_eq!(
        (
            r["tests"].as_array().unwrap().len(),
            r["interpretation"]["pattern"].as_str()
        ),
        (0, Some("abnormal_jitter"))
    );
    assert_eq!(r["jitter"]["muscles"][0]["verdict"], "abnormal");
    assert!(r["interpretation"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["code"] == "jitter"));
    // Re-running over a folder it did not write is refused.
    let foreign = dir.write("foreign/notes.txt", "mine");
    let refused = nmjscope()
        .arg("jitter")
        .arg(sim.join("ipi.csv"))
        .arg("-o")
        .arg(foreign.parent().unwrap())
        .assert()
        .failure();
    assert_eq!(refused.get_output().status.code(), Some(4));
}

#[test]
fn what_a_hostile_pass_found_is_refused_or_said() {
    let head = "# nmjscope: jitter\n# muscle: EDC\n# method: voluntary\n# electrode: concentric\n";
    let refuse = |body: &str| {
        parse_ipi_list(Path::new("h.csv"), body.as_bytes())
            .unwrap_err()
            .to_string()
    };
    // A blocked mark the reader does not know is refused, not read as conducted.
    assert!(refuse(&format!("{head}pair,ipi_us,blocked\n1,810,maybe\n")).contains("blocked"));
    // A metadata key given twice.
    let e = refuse(
        "# nmjscope: jitter\n# method: voluntary\n# method: stimulated\npair,ipi_us\n1,800\n",
    );
    assert!(e.contains("line 3") && e.contains("given again"), "{e}");
    // Milliseconds written where microseconds belong; an overflow.
    assert!(refuse(&format!("{head}pair,ipi_us\n1,0.8\n1,0.82\n")).contains("milliseconds"));
    assert!(refuse(&format!("{head}pair,ipi_us\n1,1e308\n")).contains("beyond"));
    // Left and right are judged apart.
    let l = list(
        "pair,muscle,ipi_us\n1,Left EDC,800\n1,Left EDC,840\n2,Right EDC,900\n2,Right EDC,910\n",
    );
    let input = nmjscope::io::jitter::JitterInput::of_pairs(l.pairs);
    let a = analyze_jitter(&input, None, &Settings::default()).unwrap();
    let sides: Vec<_> = a.report.muscles.iter().map(|m| m.side.clone()).collect();
    assert_eq!(sides, [Some("left".to_string()), Some("right".to_string())]);
    // One pair given twice (a copied file) is refused, naming the first file.
    let dir = TempDir::new();
    let body = format!("{head}pair,ipi_us\n1,800\n1,820\n");
    dir.write("a.csv", &body);
    dir.write("b.csv", &body);
    let e = read_jitter(dir.path(), &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("b.csv") && e.contains("a.csv") && e.contains("read once"),
        "{e}"
    );
}

#[test]
fn sweeps_without_a_pair_coarse_or_with_an_artifact_are_said_not_misread() {
    let cfg = JitterConfig::default();
    let c = JitterSimConfig {
        method: JitterMethod::Stimulated,
        pairs: 2,
        ..Default::default()
    };
    let pairs = simulate_pairs(&c).unwrap();
    let sweeps = |p: &nmjscope::simulate::jitter::SimulatedPair, rate: f64| {
        let c = JitterSimConfig {
            sampling_rate_hz: rate,
            ..c.clone()
        };
        let (t0_ms, samples_mv) = sweeps_of(&c, p, 5).unwrap();
        JitterSweeps {
            id: "p".into(),
            muscle: "EDC".into(),
            side: None,
            method: c.method,
            electrode: c.electrode,
            sampling_rate_hz: rate,
            t0_ms,
            samples_mv,
        }
    };
    // A stimulus artifact at time zero is not taken for the potential.
    let mut s = sweeps(&pairs[0], 50_000.0);
    let zero = (-s.t0_ms * 50.0).round() as usize;
    for mut row in s.samples_mv.rows_mut() {
        row[zero] -= 5.0;
        row[zero + 2] += 3.0;
    }
    let (with_artifact, _) = measure_sweeps(&s, &cfg);
    let truth = measure_pair(&pairs[0].pair, &cfg);
    let got = measure_pair(&with_artifact, &cfg);
    assert!(got.counted, "{:?}", got.flags);
    assert!((got.mcd_us.unwrap() - truth.mcd_us.unwrap()).abs() < 3.0);
    // Sampled at 10 kHz: flagged, not counted.
    let (coarse, _) = measure_sweeps(&sweeps(&pairs[0], 10_000.0), &cfg);
    assert!(coarse.sweep_flags.contains(&PairFlag::CoarseSampling));
    // No second potential at all: no pair, not 100% blocking.
    let mut empty = sweeps(&pairs[1], 50_000.0);
    empty.samples_mv.fill(0.0);
    let (none, _) = measure_sweeps(&empty, &cfg);
    assert!(none.sweep_flags.contains(&PairFlag::NoSecondPotential));
    let m = measure_pair(&none, &cfg);
    assert!(!m.counted && m.flags.iter().any(|f| f.doubts_measurement()));
}

#[test]
fn batch_scores_jitter_studies_into_the_summary() {
    let dir = TempDir::new();
    let root = dir.path().join("archive");
    for (name, condition) in [("p1", "normal"), ("p2", "mg")] {
        nmjscope()
            .args([
                "simulate",
                "--condition",
                condition,
                "--severity",
                "0.5",
                "--jitter",
            ])
            .arg(root.join(name))
            .assert()
            .success();
    }
    let out = dir.path().join("out");
    nmjscope()
        .arg("batch")
        .arg(&root)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let mut rows = csv::Reader::from_path(out.join("summary.csv")).unwrap();
    let head = rows.headers().unwrap().clone();
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    let got: Vec<(String, String, String)> = rows
        .records()
        .map(|r| {
            let r = r.unwrap();
            (
                r[col("study")].to_string(),
                r[col("jitter_verdict")].to_string(),
                r[col("tests")].to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("p1".to_string(), "normal".to_string(), "0".to_string()),
            ("p2".to_string(), "abnormal".to_string(), "0".to_string())
        ]
    );
    let first = std::fs::read_to_string(out.join("studies.jsonl")).unwrap();
    let report: serde_json::Value = serde_json::from_str(first.lines().next().unwrap()).unwrap();
    assert_eq!(report["jitter"]["schema"], "nmjscope.jitter/1");
}

/// A simulated study of `condition` (3 Hz train, exercise, 50 Hz train of
/// ADM) with a simulated EDC jitter list of `jitter` beside it, in `dir`.
fn study_with_jitter(dir: &Path, (condition, severity): (&str, &str), jitter: (&str, &str)) {
    nmjscope()
        .args(["simulate", "--condition", condition, "--severity", severity])
        .args(["--seed", "3", "--study"])
        .arg(dir)
        .assert()
        .success();
    let j = dir.join("j");
    nmjscope()
        .args(["simulate", "--condition", jitter.0, "--severity", jitter.1])
        .args(["--muscle", "EDC", "--jitter"])
        .arg(&j)
        .assert()
        .success();
    std::fs::rename(j.join("ipi.csv"), dir.join("jitter_edc.csv")).unwrap();
    std::fs::remove_dir_all(&j).unwrap();
}

fn analyze_json(dir: &Path) -> serde_json::Value {
    let run = nmjscope()
        .arg("analyze")
        .arg(dir)
        .args(["--format", "json"])
        .assert()
        .success();
    serde_json::from_slice(&run.get_output().stdout).unwrap()
}

#[test]
fn jitter_joins_the_pattern_the_summary_and_the_muscle_table() {
    let dir = TempDir::new();
    // The common MG finding: no decrement in ADM (MG 0.1 decrements 5.6%),
    // abnormal jitter in EDC.
    let mg = dir.path().join("mg");
    study_with_jitter(&mg, ("mg", "0.1"), ("mg", "0.1"));
    let r = analyze_json(&mg);
    let i = &r["interpretation"];
    assert_eq!(i["decrement"]["grade"], "normal");
    assert_eq!(i["pattern"], "abnormal_jitter");
    let summary = i["summary"].as_str().unwrap();
    assert!(
        summary.starts_with("Jitter is abnormal in EDC"),
        "{summary}"
    );
    assert!(summary.contains("does not tell a presynaptic from a postsynaptic"));
    let muscles = i["muscles"].as_array().unwrap();
    let pattern_of = |name: &str| {
        let m = muscles.iter().find(|m| m["muscle"] == name).unwrap();
        (
            m["pattern"].clone(),
            m["jitter"].as_array().map_or(0, Vec::len),
        )
    };
    assert_eq!(pattern_of("ADM"), (serde_json::json!("normal"), 0));
    assert_eq!(pattern_of("EDC"), (serde_json::json!("abnormal_jitter"), 1));
    assert_eq!(i["differential"][0]["condition"], "myasthenia_gravis");
    // The increment test was valid and below the floor: LEMS is not named.
    assert!(!i["differential"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["condition"] == "lems"));
    let text = nmjscope().arg("analyze").arg(&mg).assert().success();
    let text = String::from_utf8_lossy(&text.get_output().stdout).to_string();
    assert!(text.contains("Jitter: abnormal: mean"), "{text}");
    assert!(
        !text.contains("] rule:"),
        "a source split from its citation"
    );
    // Normal beside normal stays normal, and says the jitter.
    let normal = dir.path().join("normal");
    study_with_jitter(&normal, ("normal", "0.5"), ("normal", "0.5"));
    let r = analyze_json(&normal);
    assert_eq!(r["interpretation"]["pattern"], "normal");
    assert!(r["interpretation"]["summary"]
        .as_str()
        .unwrap()
        .contains("Jitter in EDC (concentric needle, voluntary activation) is normal"));
    // A decrement says more than jitter: MG 0.5 stays a decrement reading.
    let moderate = dir.path().join("moderate");
    study_with_jitter(&moderate, ("mg", "0.5"), ("mg", "0.5"));
    let r = analyze_json(&moderate);
    assert_eq!(r["interpretation"]["pattern"], "postsynaptic");
    assert!(r["interpretation"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["code"] == "jitter" && f["text"].as_str().unwrap().contains("is abnormal")));
}

#[test]
fn a_jitter_file_of_another_subject_is_refused_without_its_value() {
    let dir = TempDir::new();
    let study = dir.path().join("s");
    study_with_jitter(&study, ("normal", "0.5"), ("normal", "0.5"));
    let add = |file: &str, line: &str| {
        let p = study.join(file);
        let body = std::fs::read_to_string(&p).unwrap();
        std::fs::write(&p, format!("{line}\n{body}")).unwrap();
    };
    add("1_rns_3hz.csv", "# patient_id: 4711");
    // The same patient: joined.
    add("jitter_edc.csv", "# patient_id: 4711");
    assert_eq!(
        analyze_json(&study)["jitter"]["muscles"][0]["muscle"],
        "EDC"
    );
    let p = study.join("jitter_edc.csv");
    let body = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, body.replace("# patient_id: 4711", "# patient_id: 5822")).unwrap();
    let refused = nmjscope().arg("analyze").arg(&study).assert().failure();
    let said = String::from_utf8_lossy(&refused.get_output().stderr).to_string();
    assert!(
        said.contains("jitter_edc.csv") && said.contains("patient_id"),
        "{said}"
    );
    assert!(!said.contains("4711") && !said.contains("5822"), "{said}");
}

#[test]
fn jitter_takes_the_flags_of_how_files_are_read_and_refuses_a_cmap_test_s() {
    let dir = TempDir::new();
    let sim = dir.path().join("j");
    nmjscope()
        .args(["simulate", "--pairs", "3", "--sweeps", "--jitter"])
        .arg(&sim)
        .assert()
        .success();
    // --muscle and --side name the muscle of a list as of sweeps.
    for path in [sim.join("ipi.csv"), sim.join("sweeps")] {
        let run = nmjscope()
            .arg("jitter")
            .arg(&path)
            .args(["--muscle", "frontalis", "--side", "L", "--format", "json"])
            .assert()
            .success();
        let r: serde_json::Value = serde_json::from_slice(&run.get_output().stdout).unwrap();
        let m = &r["muscles"][0];
        assert_eq!(
            (&m["muscle"], &m["side"]),
            (&"frontalis".into(), &"left".into()),
            "{path:?}"
        );
    }
    // A stimulation rate is a CMAP test's: refused, not ignored.
    let refused = nmjscope()
        .arg("jitter")
        .arg(sim.join("ipi.csv"))
        .args(["--rate", "3"])
        .assert()
        .failure();
    let said = String::from_utf8_lossy(&refused.get_output().stderr).to_string();
    assert!(said.contains("--rate") && said.contains("CMAP"), "{said}");
}

/// A simulated normal study (ADM: 3 Hz train, exercise, 50 Hz train) in
/// `dir`.
fn normal_study(dir: &Path) {
    nmjscope()
        .args([
            "simulate",
            "--condition",
            "normal",
            "--seed",
            "3",
            "--study",
        ])
        .arg(dir)
        .assert()
        .success();
}

/// An interval list of `muscle` with `meta` lines, pairs of the given MCDs.
fn list_file(muscle: &str, meta: &str, mcds: &[f64]) -> String {
    format!(
        "# nmjscope: jitter\n# muscle: {muscle}\n# method: voluntary\n# electrode: concentric\n{meta}{}",
        pairs_with(mcds, 60)
    )
}

#[test]
fn what_the_second_hostile_pass_found_is_read_right() {
    let dir = TempDir::new();
    let s = dir.path().join("s");
    normal_study(&s);
    // A jitter not judged (no limits for biceps) beside a normal RNS: the
    // study is not called normal.
    std::fs::write(s.join("j.csv"), list_file("biceps", "", &[30.0; 24])).unwrap();
    let r = analyze_json(&s);
    assert_eq!(r["interpretation"]["pattern"], "incomplete");
    assert!(r["interpretation"]["summary"]
        .as_str()
        .unwrap()
        .contains("the jitter of biceps was not judged"));
    // `analyze --muscle` names the CMAP tests' muscle, not the jitter's.
    std::fs::write(s.join("j.csv"), list_file("EDC", "", &[80.0; 24])).unwrap();
    let run = nmjscope()
        .arg("analyze")
        .arg(&s)
        .args(["--muscle", "ADM", "--format", "json"])
        .assert()
        .success();
    let r: serde_json::Value = serde_json::from_slice(&run.get_output().stdout).unwrap();
    assert_eq!(r["jitter"]["muscles"][0]["muscle"], "EDC");
    assert_eq!(r["interpretation"]["pattern"], "abnormal_jitter");
    // A header line that is a metadata line without its `#` is quoted
    // without its value.
    std::fs::write(
        s.join("j.csv"),
        "# nmjscope: jitter\n# muscle: EDC\n# method: voluntary\n# electrode: concentric\npatient_name: Leakname\n1,1000\n",
    )
    .unwrap();
    let refused = nmjscope().arg("analyze").arg(&s).assert().failure();
    let said = String::from_utf8_lossy(&refused.get_output().stderr).to_string();
    assert!(!said.to_lowercase().contains("leakname"), "{said}");
    // The file that names another patient is the one blamed; --date is
    // every file's date.
    std::fs::write(s.join("j.csv"), list_file("EDC", "", &[30.0; 24])).unwrap();
    std::fs::write(
        s.join("k.csv"),
        list_file(
            "frontalis",
            "# patient_id: P2\n# date: 2024-03-01\n",
            &[30.0; 24],
        ),
    )
    .unwrap();
    for f in ["1_rns_3hz.csv", "2_exercise_10s.csv", "3_hfrns_50hz.csv"] {
        let body = std::fs::read_to_string(s.join(f)).unwrap();
        std::fs::write(s.join(f), format!("# patient_id: P1\n{body}")).unwrap();
    }
    let refused = nmjscope().arg("analyze").arg(&s).assert().failure();
    let said = String::from_utf8_lossy(&refused.get_output().stderr).to_string();
    assert!(
        said.contains("k.csv") && said.contains("patient_id"),
        "{said}"
    );
    assert!(!said.contains("P2") && !said.contains("P1"), "{said}");
    let body = std::fs::read_to_string(s.join("k.csv")).unwrap();
    std::fs::write(s.join("k.csv"), body.replace("P2", "P1")).unwrap();
    nmjscope()
        .arg("analyze")
        .arg(&s)
        .args(["--date", "2024-03-05"])
        .assert()
        .success();
}

#[test]
fn jitter_files_join_the_study_they_name_in_a_folder_of_two() {
    let dir = TempDir::new();
    let s = dir.path().join("archive").join("s");
    normal_study(&s);
    for (f, who) in [
        ("1_rns_3hz.csv", "A1"),
        ("2_exercise_10s.csv", "B2"),
        ("3_hfrns_50hz.csv", "B2"),
    ] {
        let body = std::fs::read_to_string(s.join(f)).unwrap();
        std::fs::write(s.join(f), body.replace("sim-normal-3", who)).unwrap();
    }
    std::fs::write(
        s.join("j.csv"),
        list_file("EDC", "# study_id: B2\n", &[80.0; 24]),
    )
    .unwrap();
    let out = dir.path().join("out");
    nmjscope()
        .arg("batch")
        .arg(dir.path().join("archive"))
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let row = |id: &str| {
        summary
            .lines()
            .find(|l| l.starts_with(id))
            .unwrap()
            .to_string()
    };
    assert!(row("B2").contains("abnormal_jitter"), "{summary}");
    assert!(!row("A1").contains("jitter"), "{summary}");
    // Naming no study of the two, they are refused, without batch advice.
    std::fs::write(s.join("j.csv"), list_file("EDC", "", &[80.0; 24])).unwrap();
    let refused = nmjscope().arg("analyze").arg(&s).assert().failure();
    let said = String::from_utf8_lossy(&refused.get_output().stderr).to_string();
    assert!(said.contains("do not name exactly one of them"), "{said}");
}

#[test]
fn what_the_retest_found_is_read_right() {
    // Pairs too short to measure are not judged, however they block.
    let tiny = parse_ipi_list(
        Path::new("tiny.csv"),
        b"# nmjscope: jitter\n# muscle: EDC\n# method: voluntary\n# electrode: concentric\npair,ipi_us\n1,blocked\n1,1000\n2,blocked\n2,1000\n3,blocked\n3,1000\n",
    )
    .unwrap();
    let r = analyze_jitter(
        &nmjscope::io::jitter::JitterInput::of_pairs(tiny.pairs),
        None,
        &Settings::default(),
    )
    .unwrap()
    .report;
    assert_eq!(
        (r.muscles[0].verdict, r.muscles[0].judged),
        (JitterVerdict::NotJudged, 0)
    );
    // A CSV-style identifying line read as the header: nothing after its key.
    let dir = TempDir::new();
    for line in [
        "patient_name,Smith",
        "mrn;55512345",
        "Patient name,Smith,John",
    ] {
        let f = dir.write(
            "e.csv",
            format!("# nmjscope: jitter\n# muscle: EDC\n# method: voluntary\n# electrode: concentric\n{line}\npair,ipi_us\n1,1000\n"),
        );
        let refused = nmjscope().arg("jitter").arg(&f).assert().failure();
        let said = String::from_utf8_lossy(&refused.get_output().stderr).to_lowercase();
        assert!(!said.contains("smith") && !said.contains("555"), "{said}");
    }
    // The odd file out is blamed: the CMAP tests and j2 agree on the date.
    let s = dir.path().join("s");
    normal_study(&s);
    for f in ["1_rns_3hz.csv", "2_exercise_10s.csv", "3_hfrns_50hz.csv"] {
        let body = std::fs::read_to_string(s.join(f)).unwrap();
        std::fs::write(s.join(f), format!("# date: 2024-01-01\n{body}")).unwrap();
    }
    std::fs::write(
        s.join("j1.csv"),
        list_file("EDC", "# date: 2024-09-09\n", &[30.0; 12]),
    )
    .unwrap();
    std::fs::write(
        s.join("j2.csv"),
        list_file("frontalis", "# date: 2024-01-01\n", &[30.0; 12]),
    )
    .unwrap();
    let refused = nmjscope().arg("analyze").arg(&s).assert().failure();
    let said = String::from_utf8_lossy(&refused.get_output().stderr).to_string();
    assert!(said.contains("j1.csv") && said.contains("date"), "{said}");
    // --date is every file's date, the jitter files' among themselves too.
    nmjscope()
        .arg("analyze")
        .arg(&s)
        .args(["--date", "2024-05-05"])
        .assert()
        .success();
}

#[test]
fn a_discordant_decrement_is_said_only_for_its_own_muscle() {
    let dir = TempDir::new();
    let run = |muscle: &str| {
        let s = dir.path().join(muscle);
        nmjscope()
            .args([
                "simulate",
                "--condition",
                "mg",
                "--severity",
                "0.6",
                "--seed",
                "2",
            ])
            .args(["--muscle", muscle, "--study"])
            .arg(&s)
            .assert()
            .success();
        std::fs::write(s.join("j.csv"), list_file("EDC", "", &[20.0; 24])).unwrap();
        let r = analyze_json(&s);
        let caveats = r["interpretation"]["caveats"].to_string();
        (
            r["interpretation"]["pattern"].clone(),
            caveats.contains("discordant"),
        )
    };
    // The decrement of EDC beside EDC's normal jitter: discordant.
    let (pattern, discordant) = run("EDC");
    assert_eq!(pattern, "postsynaptic");
    assert!(discordant);
    // ADM's decrement beside EDC's normal jitter: two muscles, no discord.
    assert!(!run("ADM").1);
}
