//! Every interpretation rule and boundary, table-driven, and end-to-end runs
//! of `analyze` on whole studies.

use nmjscope::interpret::{interpret, InterpretConfig};
use nmjscope::protocol::TestMeasures;
use nmjscope::{Flag, LemsCriterion, Pattern, Protocol, ResponseMeasures};

fn response(amp: f64, flags: &[Flag]) -> ResponseMeasures {
    ResponseMeasures {
        label: "r1".into(),
        onset_ms: Some(3.0),
        negative_peak_ms: Some(6.0),
        amplitude_mv: Some(amp),
        peak_to_peak_mv: Some(amp * 1.4),
        area_mv_ms: Some(amp * 3.0),
        duration_ms: Some(6.0),
        change_pct: Some(0.0),
        flags: flags.to_vec(),
        noise_mv: 0.01,
        artifact_end_ms: 1.0,
    }
}

fn test(protocol: Protocol, value: f64, muscle: &str, amp: f64, flags: &[Flag]) -> TestMeasures {
    TestMeasures {
        file: format!("{protocol}.csv"),
        protocol,
        protocol_inferred: false,
        stim_rate_hz: None,
        exercise_s: Some(10.0),
        muscle: Some(muscle.to_string()),
        nerve: None,
        side: None,
        sampling_rate_hz: 20_000.0,
        responses: vec![response(amp, &[])],
        decrement_pct: (protocol == Protocol::Rns).then_some(value),
        max_decrement_pct: (protocol == Protocol::Rns).then_some(value),
        area_decrement_pct: None,
        shape: None,
        increment_pct: (protocol != Protocol::Rns).then_some(value),
        last_increment_pct: None,
        area_increment_pct: Some(value),
        pseudofacilitation: (protocol == Protocol::Hfrns).then_some(false),
        post_exercise: None,
        deciding_response: Some(0),
        flags: flags.to_vec(),
    }
}

fn rns(dec: f64) -> TestMeasures {
    test(Protocol::Rns, dec, "ADM", 8.0, &[])
}
fn ex(inc: f64) -> TestMeasures {
    test(Protocol::Exercise, inc, "ADM", 8.0, &[])
}

#[test]
fn rules_and_boundaries() {
    use LemsCriterion as L;
    use Pattern as P;
    let pf = {
        let mut t = test(Protocol::Hfrns, 70.0, "ADM", 8.0, &[]);
        t.pseudofacilitation = Some(true);
        t
    };
    let cases: Vec<(&str, Vec<TestMeasures>, P, L)> = vec![
        (
            "decrement 9.9%, no increment test",
            vec![rns(9.9)],
            P::Normal,
            L::NotTested,
        ),
        (
            "decrement 10.0% is not above 10",
            vec![rns(10.0)],
            P::Normal,
            L::NotTested,
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
            "increment 59.9%",
            vec![rns(5.0), ex(59.9)],
            P::Normal,
            L::None,
        ),
        (
            "increment 60%",
            vec![rns(5.0), ex(60.0)],
            P::Presynaptic,
            L::Suggestive,
        ),
        (
            "increment 99.9%",
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
            "pseudofacilitation does not count",
            vec![rns(3.0), pf.clone()],
            P::Normal,
            L::None,
        ),
        (
            "pseudofacilitation with a decrement",
            vec![rns(20.0), pf],
            P::Postsynaptic,
            L::None,
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
                test(Protocol::Rns, 25.0, "ADM", 8.0, &[Flag::IrregularTrain]),
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
            "no response on the deciding train",
            vec![test(Protocol::Rns, 40.0, "ADM", 8.0, &[Flag::NoResponse])],
            P::Indeterminate,
            L::NotTested,
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
    let config = InterpretConfig::default();
    for (name, tests, pattern, criterion) in cases {
        let i = interpret(&tests, &config);
        assert_eq!(i.pattern, pattern, "{name}: {i:#?}");
        assert_eq!(i.lems_criterion, criterion, "{name}");
        assert!(
            i.summary.contains("does not replace, clinical judgement"),
            "{name}"
        );
        if pattern != Pattern::Indeterminate && !tests.is_empty() {
            assert!(
                i.summary.contains("consistent with"),
                "{name}: {}",
                i.summary
            );
        }
        for f in &i.findings {
            assert!(
                !f.criterion.is_empty() && !f.source.is_empty(),
                "{name}: {f:?}"
            );
        }
    }
}

#[test]
fn low_cmap_by_muscle() {
    let c = InterpretConfig::default();
    let low = interpret(&[test(Protocol::Rns, 2.0, "ADM", 5.9, &[])], &c);
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
        .any(|f| f.code == "low_cmap" && f.source.contains("Preston")));
    let ok = interpret(&[test(Protocol::Rns, 2.0, "ADM", 6.0, &[])], &c);
    assert_eq!(ok.low_cmap, Some(false));
    let apb = interpret(
        &[test(
            Protocol::Rns,
            2.0,
            "abductor pollicis brevis",
            3.9,
            &[],
        )],
        &c,
    );
    assert_eq!(apb.low_cmap, Some(true));
    let unknown = interpret(&[test(Protocol::Rns, 2.0, "biceps", 1.0, &[])], &c);
    assert_eq!(unknown.low_cmap, None);
    assert!(unknown.caveats.iter().any(|c| c.contains("biceps")));
    let mut custom = InterpretConfig::default();
    custom.lower_limits_mv.insert("biceps".into(), 2.0);
    assert_eq!(
        interpret(&[test(Protocol::Rns, 2.0, "biceps", 1.0, &[])], &custom).low_cmap,
        Some(true)
    );
}

#[test]
fn equivocal_increment_and_thresholds_from_settings() {
    let c = InterpretConfig::default();
    let i = interpret(&[rns(2.0), ex(40.0)], &c);
    assert!(i.findings.iter().any(|f| f.code == "increment_equivocal"));
    assert!(i
        .recommendations
        .iter()
        .any(|r| r.contains("repeat the test after exactly 10 s")));
    let below = interpret(&[rns(2.0), ex(24.9)], &c);
    assert!(below
        .findings
        .iter()
        .all(|f| f.code != "increment_equivocal"));
    let strict = InterpretConfig {
        decrement_abnormal_pct: 5.0,
        ..InterpretConfig::default()
    };
    assert_eq!(
        interpret(&[rns(6.0)], &strict).pattern,
        Pattern::NmjUnspecified
    );
    let cites = interpret(&[ex(120.0)], &c);
    let f = cites
        .findings
        .iter()
        .find(|f| f.code == "increment_specific")
        .unwrap();
    assert!(
        f.criterion.contains("77.8%")
            && f.criterion.contains("58.7%")
            && f.criterion.contains("538")
    );
    assert!(f.source.contains("Lipka") && f.source.contains("Oh"));
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
        let report = nmjscope::analyze_study(&study, &nmjscope::Settings::default());
        assert_eq!(
            report.interpretation.pattern, pattern,
            "{dir}: {}",
            report.interpretation.summary
        );
        assert_eq!(report.tests.len(), 3);
    }
}
