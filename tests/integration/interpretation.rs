//! Every interpretation rule and boundary, table-driven, the conclusion
//! built from the tests performed (never normal by omission), and end-to-end
//! runs of `analyze` on whole studies.

use nmjscope::interpret::{interpret, InterpretConfig};
use nmjscope::model::{FindingCode, PartStatus, ResponseLabel, TestMeasures, TrainFlag};
use nmjscope::{Flag, LemsCriterion, Pattern, Protocol, ResponseMeasures};

fn response(label: &str, amp: f64, flags: &[Flag]) -> ResponseMeasures {
    ResponseMeasures {
        label: ResponseLabel::parse(label),
        onset_ms: Some(3.0),
        negative_peak_ms: Some(6.0),
        amplitude_mv: Some(amp),
        peak_to_peak_mv: Some(amp * 1.4),
        area_mv_ms: Some(amp * 3.0),
        duration_ms: Some(6.0),
        flags: flags.to_vec(),
        noise_mv: 0.01,
        artifact_end_ms: 1.0,
        baseline_mv: 0.0,
        baseline_source: nmjscope::model::BaselineSource::PreStimulus,
        baseline_window_ms: [-5.0, 0.0],
        drift_mv_per_ms: 0.0,
        manual: None,
    }
}

/// A test whose protocol value is `value`: a train of ten (rns, hfrns) or a
/// pre/post pair (exercise), first amplitude `amp`.
fn test(protocol: Protocol, value: f64, muscle: &str, amp: f64, flags: &[Flag]) -> TestMeasures {
    let responses = match protocol {
        Protocol::Exercise => vec![
            response("pre", amp, &[]),
            response("post_0s", amp * (1.0 + value / 100.0), &[]),
        ],
        _ => (1..=10)
            .map(|i| response(&format!("r{i}"), amp, &[]))
            .collect(),
    };
    TestMeasures {
        source: None,
        file: format!("{protocol}.csv"),
        protocol,
        protocol_inferred: false,
        stim_rate_hz: match protocol {
            Protocol::Rns => Some(3.0),
            Protocol::Hfrns => Some(50.0),
            _ => None,
        },
        exercise_s: Some(10.0),
        muscle: Some(muscle.to_string()),
        nerve: None,
        side: None,
        temperature_c: Some(33.0),
        record: Default::default(),
        sampling_rate_hz: 20_000.0,
        change_pct: responses.iter().map(|_| Some(0.0)).collect(),
        responses,
        decrement_pct: (protocol == Protocol::Rns).then_some(value),
        max_decrement_pct: (protocol == Protocol::Rns).then_some(value),
        decrement_4th_pct: (protocol == Protocol::Rns).then_some(value),
        decrement_5th_pct: None,
        decrement_read_to: None,
        automatic: None,
        area_decrement_pct: None,
        shape: None,
        increment_pct: (protocol != Protocol::Rns).then_some(value),
        increment_reference: None,
        last_increment_pct: None,
        area_increment_pct: Some(value),
        pseudofacilitation: (protocol != Protocol::Rns).then_some(false),
        post_exercise: None,
        deciding_response: Some(0),
        flags: flags.to_vec(),
        train_flags: Vec::new(),
        validity: Default::default(),
    }
}

/// A train flagged irregular as a whole.
fn irregular(mut t: TestMeasures) -> TestMeasures {
    t.train_flags.push(TrainFlag::IrregularTrain);
    t
}

fn rns(dec: f64) -> TestMeasures {
    test(Protocol::Rns, dec, "ADM", 8.0, &[])
}
fn ex(inc: f64) -> TestMeasures {
    test(Protocol::Exercise, inc, "ADM", 8.0, &[])
}
fn pseudo(inc: f64) -> TestMeasures {
    let mut t = test(Protocol::Hfrns, inc, "ADM", 8.0, &[]);
    t.pseudofacilitation = Some(true);
    t.area_increment_pct = Some(3.0);
    t
}
fn run(tests: &[TestMeasures]) -> nmjscope::Interpretation {
    run_with(tests, 4, &InterpretConfig::default())
}

/// Judges and interprets copies of `tests` (the verdicts are set on them).
fn run_with(tests: &[TestMeasures], k: usize, c: &InterpretConfig) -> nmjscope::Interpretation {
    interpret(&mut tests.to_vec(), k, c).interpretation
}

#[test]
fn rules_and_boundaries() {
    use LemsCriterion as L;
    use Pattern as P;
    let cases: Vec<(&str, Vec<TestMeasures>, P, L)> = vec![
        (
            "decrement 9.9%, no increment test",
            vec![rns(9.9)],
            P::Incomplete,
            L::NotTested,
        ),
        (
            "decrement 10.0% is not above 10",
            vec![rns(10.0), ex(5.0)],
            P::Normal,
            L::None,
        ),
        (
            "decrement 10.1%, no increment test",
            vec![rns(10.1)],
            P::NmjUnspecified,
            L::NotTested,
        ),
        (
            "decrement 10.1%, increment 20%",
            vec![rns(10.1), ex(20.0)],
            P::Postsynaptic,
            L::None,
        ),
        (
            "decrement 30%, increment 24.9%",
            vec![rns(30.0), ex(24.9)],
            P::Postsynaptic,
            L::None,
        ),
        (
            "decrement 30%, increment 25% (equivocal)",
            vec![rns(30.0), ex(25.0)],
            P::NmjUnspecified,
            L::Equivocal,
        ),
        (
            "increment 59.9%",
            vec![rns(5.0), ex(59.9)],
            P::Equivocal,
            L::Equivocal,
        ),
        (
            "increment 60%",
            vec![rns(5.0), ex(60.0)],
            P::Presynaptic,
            L::Suggestive,
        ),
        (
            "increment 99.9% alone",
            vec![ex(99.9)],
            P::Presynaptic,
            L::Suggestive,
        ),
        (
            "increment 100%",
            vec![ex(100.0)],
            P::Presynaptic,
            L::Specific,
        ),
        (
            "increment 100% with decrement 30%",
            vec![rns(30.0), ex(100.0)],
            P::Presynaptic,
            L::Specific,
        ),
        (
            "pseudofacilitation within the healthy range does not count",
            vec![rns(3.0), pseudo(30.0)],
            P::Normal,
            L::None,
        ),
        (
            "pseudofacilitation with a decrement",
            vec![rns(20.0), pseudo(30.0)],
            P::Postsynaptic,
            L::None,
        ),
        (
            "an amplitude-only rise of 70% is a technical finding",
            vec![rns(3.0), pseudo(70.0)],
            P::Indeterminate,
            L::Suggestive,
        ),
        ("no tests at all", vec![], P::Indeterminate, L::NotTested),
        (
            "deciding increment clipped",
            vec![test(
                Protocol::Exercise,
                150.0,
                "ADM",
                8.0,
                &[Flag::Clipped],
            )],
            P::Indeterminate,
            L::Specific,
        ),
        (
            "deciding decrement irregular",
            vec![
                irregular(test(Protocol::Rns, 25.0, "ADM", 8.0, &[])),
                ex(10.0),
            ],
            P::Indeterminate,
            L::None,
        ),
        (
            "normal reading with a low-SNR increment test",
            vec![
                rns(2.0),
                test(Protocol::Exercise, 5.0, "ADM", 8.0, &[Flag::LowSnr]),
            ],
            P::Indeterminate,
            L::None,
        ),
        (
            "artifact overlap on a non-deciding test is fine",
            vec![
                test(Protocol::Rns, 3.0, "ADM", 8.0, &[Flag::ArtifactOverlap]),
                ex(120.0),
            ],
            P::Presynaptic,
            L::Specific,
        ),
        (
            "no response flagged on the deciding train",
            vec![test(Protocol::Rns, 40.0, "ADM", 8.0, &[Flag::NoResponse])],
            P::Indeterminate,
            L::NotTested,
        ),
        (
            "decrement with a low-SNR increment test",
            vec![
                rns(30.0),
                test(Protocol::Exercise, 5.0, "ADM", 8.0, &[Flag::LowSnr]),
            ],
            P::NmjUnspecified,
            L::None,
        ),
        (
            "polarity and baseline flags do not disqualify",
            vec![
                test(
                    Protocol::Rns,
                    20.0,
                    "ADM",
                    8.0,
                    &[Flag::PolarityInverted, Flag::BaselineUnstable],
                ),
                ex(5.0),
            ],
            P::Postsynaptic,
            L::None,
        ),
    ];
    for (name, tests, pattern, criterion) in cases {
        let i = run(&tests);
        assert_eq!(i.pattern, pattern, "{name}: {i:#?}");
        assert_eq!(i.lems_criterion, criterion, "{name}");
        assert!(
            i.summary.contains("does not replace, clinical judgement"),
            "{name}"
        );
        if !matches!(
            pattern,
            Pattern::Indeterminate | Pattern::Incomplete | Pattern::Equivocal
        ) && !tests.is_empty()
        {
            assert!(
                i.summary.contains("consistent with"),
                "{name}: {}",
                i.summary
            );
        }
        assert!(
            !i.summary.contains("as in myasthenia gravis"),
            "{name}: {}",
            i.summary
        );
        for f in &i.findings {
            assert!(
                !f.criterion.is_empty() && !f.source.is_empty(),
                "{name}: {f:?}"
            );
        }
    }
}

#[test]
fn never_normal_on_a_test_that_was_not_measured() {
    // A 3 Hz train of three responses beside a normal exercise test.
    let mut short = rns(2.0);
    short.responses.truncate(3);
    short.decrement_pct = None;
    let i = run(&[short, ex(10.0)]);
    assert_eq!(i.pattern, Pattern::Incomplete, "{}", i.summary);
    assert_eq!(i.decrement.status, PartStatus::NotTested);
    assert!(i.summary.contains("Decrement not tested"), "{}", i.summary);
    assert!(i.summary.contains("3 responses"), "{}", i.summary);
    assert!(
        !i.summary.contains("no abnormal decrement"),
        "{}",
        i.summary
    );

    // --decrement-response 12 on a train of ten names the 12th, not the 4th.
    let tests = [rns(2.0), ex(10.0)];
    let i = run_with(&tests, 12, &InterpretConfig::default());
    assert_eq!(i.pattern, Pattern::Incomplete);
    let why = i.decrement.detail.clone().unwrap();
    assert!(
        why.contains("12th") && why.contains("10 responses"),
        "{why}"
    );
    assert!(!i.summary.contains("4th"), "{}", i.summary);

    // RNS only: the increment is not tested, never "no significant increment".
    let i = run(&[rns(2.0)]);
    assert_eq!(
        (i.pattern, i.lems_criterion),
        (Pattern::Incomplete, LemsCriterion::NotTested)
    );
    assert!(i.summary.contains("Increment not tested"), "{}", i.summary);
    assert!(
        !i.summary.contains("no significant increment"),
        "{}",
        i.summary
    );
    assert!(i
        .recommendations
        .iter()
        .any(|r| r.contains("10 s of maximal voluntary exercise")));

    // Exercise only: the decrement is not tested.
    let i = run(&[ex(5.0)]);
    assert_eq!(i.pattern, Pattern::Incomplete);
    assert!(i.summary.contains("Decrement not tested"), "{}", i.summary);
    assert!(
        !i.summary.contains("no abnormal decrement"),
        "{}",
        i.summary
    );
}

#[test]
fn a_failed_increment_test_is_not_tested_and_never_feeds_low_cmap() {
    // An exercise file with no response at all.
    let mut failed = ex(0.0);
    for r in &mut failed.responses {
        r.amplitude_mv = Some(0.0);
        r.flags = vec![Flag::NoResponse];
    }
    failed.increment_pct = None;
    failed.flags = vec![Flag::NoResponse];
    let i = run(&[rns(30.0), failed]);
    assert_eq!(i.lems_criterion, LemsCriterion::NotTested);
    assert_eq!(i.increment.status, PartStatus::NotTested);
    assert_eq!(i.pattern, Pattern::NmjUnspecified, "{}", i.summary);
    assert!(
        i.findings.iter().all(|f| f.code != FindingCode::LowCmap),
        "{:?}",
        i.findings
    );
    assert!(i.summary.contains("LEMS is not excluded"), "{}", i.summary);
    assert!(
        i.summary.contains("no pre-exercise response"),
        "{}",
        i.summary
    );
}

#[test]
fn postsynaptic_only_when_lems_was_looked_for() {
    // An equivocal increment beside a decrement.
    let i = run(&[rns(30.0), ex(46.0)]);
    assert_eq!(i.pattern, Pattern::NmjUnspecified);
    assert!(i.summary.contains("LEMS is not excluded"), "{}", i.summary);
    assert!(
        !i.summary.contains("without a significant increment"),
        "{}",
        i.summary
    );
    assert!(i
        .recommendations
        .iter()
        .any(|r| r.contains("repeat the test after exactly 10 s")));
    // The decrement's differential is stated; the U shape only supports.
    let mut mg = rns(30.0);
    mg.shape = Some(nmjscope::model::TrainShape::UShaped);
    let i = run(&[mg.clone(), ex(5.0)]);
    assert_eq!(i.pattern, Pattern::Postsynaptic);
    assert!(i.summary.contains("motor neuron disease"), "{}", i.summary);
    assert!(i
        .caveats
        .iter()
        .any(|c| c.contains("amyotrophic lateral sclerosis") && c.contains("Shang")));
    let u = i
        .findings
        .iter()
        .find(|f| f.code == FindingCode::UShapedDecrement)
        .unwrap();
    assert!(
        u.text
            .contains("more often seen in myasthenia gravis than in LEMS"),
        "{}",
        u.text
    );
    // A non-significant decrement gets no shape label.
    let mut small = rns(6.0);
    small.shape = Some(nmjscope::model::TrainShape::UShaped);
    let i = run(&[small, ex(5.0)]);
    assert!(i
        .findings
        .iter()
        .all(|f| f.code != FindingCode::UShapedDecrement));
}

#[test]
fn pseudofacilitation_is_reported_not_silently_discounted() {
    let i = run(&[rns(3.0), pseudo(30.0)]);
    let f = i
        .findings
        .iter()
        .find(|f| f.code == FindingCode::Pseudofacilitation)
        .unwrap();
    assert!(
        f.source.contains("own rule") && f.source.contains("McComas"),
        "{}",
        f.source
    );
    let i = run(&[rns(3.0), pseudo(70.0)]);
    let f = i
        .findings
        .iter()
        .find(|f| f.code == FindingCode::AmplitudeOnlyIncrement)
        .unwrap();
    assert!(
        f.text.contains("+70.0%") && f.text.contains("submaximal"),
        "{}",
        f.text
    );
    // The same rule after exercise.
    let mut e = ex(70.0);
    e.pseudofacilitation = Some(true);
    e.area_increment_pct = Some(2.0);
    assert_eq!(run(&[rns(3.0), e]).pattern, Pattern::Indeterminate);
}

#[test]
fn citations_say_what_the_sources_say() {
    for tests in [
        vec![ex(120.0)],
        vec![pseudo(30.0)],
        vec![rns(30.0), test(Protocol::Hfrns, 70.0, "ADM", 3.0, &[])],
    ] {
        let i = run(&tests);
        for f in &i.findings {
            assert!(!f.criterion.contains("0 of 538"), "{}", f.criterion);
            assert!(!f.source.contains("Tim RW, Sanders"), "{}", f.source);
            assert!(!f.source.contains("Verschuuren JJGM et al"), "{}", f.source);
        }
    }
    let i = run(&[test(Protocol::Hfrns, 120.0, "ADM", 3.0, &[])]);
    let f = i
        .findings
        .iter()
        .find(|f| f.code == FindingCode::IncrementSpecific)
        .unwrap();
    assert!(
        f.criterion.contains("at 50 Hz in 4 of 538 MG tests"),
        "{}",
        f.criterion
    );
    assert!(f.criterion.contains("77.8%") && f.criterion.contains("58.7%"));
    assert!(f
        .source
        .contains("Lipka AF, Titulaer MJ, Tannemaat MR, Verschuuren JJGM. "));
    assert!(f.source.contains("10.1002/mus.20389") && f.source.contains("10.1002/mus.1140"));
    let i = run(&[ex(120.0)]);
    let f = i
        .findings
        .iter()
        .find(|f| f.code == FindingCode::IncrementSpecific)
        .unwrap();
    assert!(
        f.criterion
            .contains("after exercise in none of the MG tests"),
        "{}",
        f.criterion
    );
    let trap = run(&[test(Protocol::Rns, 2.0, "trapezius", 3.0, &[]), ex(5.0)]);
    let low = trap
        .findings
        .iter()
        .find(|f| f.code == FindingCode::LowCmap)
        .unwrap();
    assert!(low.source.contains("derived by nmjscope"), "{}", low.source);
}

#[test]
fn temperature_is_judged_or_said_to_be_missing() {
    let mut cold = rns(4.0);
    cold.temperature_c = Some(29.5);
    let i = run(&[cold, ex(5.0)]);
    assert!(
        i.caveats
            .iter()
            .any(|c| c.contains("below 32 °C") && c.contains("29.5")),
        "{:?}",
        i.caveats
    );
    let mut unknown = rns(4.0);
    unknown.temperature_c = None;
    let i = run(&[unknown, ex(5.0)]);
    assert!(
        i.caveats.iter().any(|c| c.contains("not recorded")),
        "{:?}",
        i.caveats
    );
    let i = run(&[rns(4.0), ex(5.0)]);
    assert!(
        i.caveats.iter().all(|c| !c.contains("temperature")),
        "{:?}",
        i.caveats
    );
}

#[test]
fn low_cmap_by_muscle() {
    let low = run(&[test(Protocol::Rns, 2.0, "ADM", 5.9, &[])]);
    assert_eq!(low.low_cmap, Some(true));
    assert!(
        low.recommendations
            .iter()
            .any(|r| r.contains("10 s of maximal voluntary exercise")),
        "{:?}",
        low.recommendations
    );
    assert!(low
        .findings
        .iter()
        .any(|f| f.code == FindingCode::LowCmap && f.source.contains("Preston")));
    let ok = run(&[test(Protocol::Rns, 2.0, "ADM", 6.0, &[])]);
    assert_eq!(ok.low_cmap, Some(false));
    let apb = run(&[test(
        Protocol::Rns,
        2.0,
        "abductor pollicis brevis",
        3.9,
        &[],
    )]);
    assert_eq!(apb.low_cmap, Some(true));
    let unknown = run(&[test(Protocol::Rns, 2.0, "biceps", 1.0, &[])]);
    assert_eq!(unknown.low_cmap, None);
    assert!(unknown.caveats.iter().any(|c| c.contains("biceps")));
    let mut custom = InterpretConfig::default();
    custom.lower_limits_mv.insert("biceps".into(), 2.0);
    assert_eq!(
        run_with(&[test(Protocol::Rns, 2.0, "biceps", 1.0, &[])], 4, &custom).low_cmap,
        Some(true)
    );
}

#[test]
fn equivocal_increment_and_thresholds_from_settings() {
    let i = run(&[rns(2.0), ex(40.0)]);
    assert!(i
        .findings
        .iter()
        .any(|f| f.code == FindingCode::IncrementEquivocal));
    assert!(i
        .recommendations
        .iter()
        .any(|r| r.contains("repeat the test after exactly 10 s")));
    let below = run(&[rns(2.0), ex(24.9)]);
    assert!(below
        .findings
        .iter()
        .all(|f| f.code != FindingCode::IncrementEquivocal));
    let strict = InterpretConfig {
        decrement_abnormal_pct: 5.0,
        ..InterpretConfig::default()
    };
    assert_eq!(
        run_with(&[rns(6.0)], 4, &strict).pattern,
        Pattern::NmjUnspecified
    );
    let f = run(&[ex(120.0)]);
    assert!(f.summary.contains("100%"), "{}", f.summary);
}

#[test]
fn analyze_reads_the_sample_studies_end_to_end() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    for (dir, pattern) in [
        ("normal", Pattern::Normal),
        ("mg", Pattern::Postsynaptic),
        ("lems", Pattern::Presynaptic),
    ] {
        let study =
            nmjscope::read_study(&root.join(dir), &nmjscope::ReadOptions::default()).unwrap();
        let report = nmjscope::analyze_study(&study, &nmjscope::Settings::default()).unwrap();
        assert_eq!(
            report.interpretation.pattern, pattern,
            "{dir}: {}",
            report.interpretation.summary
        );
        assert_eq!(report.tests.len(), 3);
    }
}

#[test]
fn a_u_shape_is_worded_by_the_reading_and_read_only_where_it_can_be() {
    use nmjscope::model::TrainShape;
    let mut u = rns(30.0);
    u.shape = Some(TrainShape::UShaped);
    // In a presynaptic reading a U shape never argues for a postsynaptic
    // disorder: LEMS trains show an early decrement too.
    let i = run(&[u.clone(), ex(150.0)]);
    assert_eq!(i.pattern, Pattern::Presynaptic);
    let f = i
        .findings
        .iter()
        .find(|f| f.code == FindingCode::UShapedDecrement)
        .unwrap();
    assert!(
        f.text
            .contains("does not argue against a presynaptic disorder")
            && !f.text.contains("supports a postsynaptic"),
        "{}",
        f.text
    );
    // The 8th response not measured: the decrement to the 4th stands, the
    // shape of the train cannot be read.
    let mut gap = u.clone();
    gap.responses[7].flags = vec![Flag::NoResponse];
    let i = run(&[gap, ex(5.0)]);
    assert_eq!(i.pattern, Pattern::Postsynaptic, "{}", i.summary);
    assert!(i
        .findings
        .iter()
        .all(|f| f.code != FindingCode::UShapedDecrement));
    // A failed train (responses 2-10 lost): no decrement to rely on, no
    // shape.
    let mut failed = u;
    for r in &mut failed.responses[1..] {
        r.flags = vec![Flag::NoResponse];
    }
    failed.flags = vec![Flag::NoResponse];
    let i = run(&[failed, ex(5.0)]);
    assert_eq!(i.decrement.status, PartStatus::Unreliable, "{}", i.summary);
    assert!(i
        .findings
        .iter()
        .all(|f| f.code != FindingCode::UShapedDecrement));
}

#[test]
fn a_fall_beyond_the_threshold_only_at_the_5th_response_is_said() {
    // 8% at the 4th, 11.7% at the 5th: the report decides at the 4th and
    // says what the 5th shows.
    let mut t = rns(8.0);
    t.decrement_5th_pct = Some(11.7);
    let i = run(&[t.clone(), ex(5.0)]);
    assert_eq!(i.pattern, Pattern::Normal);
    let f = i
        .findings
        .iter()
        .find(|f| f.code == FindingCode::DecrementNormal)
        .unwrap();
    assert!(
        f.text
            .contains("The 5th response falls 11.7%, beyond 10%: abnormal if read at the 5th"),
        "{}",
        f.text
    );
    assert!(
        f.text
            .contains("this report reads the 4th (train.decrement_response)"),
        "{}",
        f.text
    );
    // Decided at the 5th (the train's decrement is then the 5th's), the
    // train is abnormal and nothing more is said.
    let mut at_5th = t.clone();
    at_5th.decrement_pct = Some(11.7);
    let i = run_with(&[at_5th, ex(5.0)], 5, &InterpretConfig::default());
    let f = i
        .findings
        .iter()
        .find(|f| f.code == FindingCode::DecrementAbnormal);
    assert!(
        f.is_some_and(|f| !f.text.contains("if read at")),
        "{:?}",
        i.findings
    );
    // A 5th within the threshold adds nothing.
    t.decrement_5th_pct = Some(9.0);
    let i = run(&[t, ex(5.0)]);
    assert!(i.findings.iter().all(|f| !f.text.contains("if read at")));
}
