//! The CSV reader, layout by layout.

use super::*;
use crate::io::parse_trace;
use crate::model::{Polarity, Protocol, ProtocolSource};
use std::path::PathBuf;

fn parse(text: &str) -> Result<Recording> {
    parse_trace(
        &PathBuf::from("t.csv"),
        text.as_bytes(),
        &ReadOptions::default(),
    )
}

fn wide(n: usize) -> String {
    let mut s = String::from("time_ms,r1,r2\n");
    for i in 0..n {
        s.push_str(&format!(
            "{},{},{}\n",
            i as f64 * 0.05 - 1.0,
            i,
            -(i as f64)
        ));
    }
    s
}

#[test]
fn reads_a_plain_wide_file() {
    let r = parse(&format!(
        "# protocol: rns\n# Stim-Rate_Hz: 3\n{}",
        wide(200)
    ))
    .unwrap();
    assert_eq!(r.labels, ["r1", "r2"]);
    assert_eq!(r.samples_mv.dim(), (2, 200));
    assert!((r.sampling_rate_hz - 20_000.0).abs() < 1e-6);
    assert!((r.t0_ms + 1.0).abs() < 1e-12);
    assert_eq!(r.stim_rate_hz, Some(3.0));
    assert_eq!(r.protocol_source, ProtocolSource::Metadata);
    assert_eq!(r.samples_mv[[1, 3]], -3.0);
}

#[test]
fn infers_protocol_from_rate_and_labels() {
    let r = parse(&format!("# stim_rate_hz: 50\n{}", wide(200))).unwrap();
    assert_eq!(
        (r.protocol, r.protocol_source),
        (Protocol::Hfrns, ProtocolSource::Inferred)
    );
    let ex = wide(200).replace("r1,r2", "pre,post_10s");
    assert_eq!(parse(&ex).unwrap().protocol, Protocol::Exercise);
    let forced_as = |protocol| {
        let options = ReadOptions {
            protocol: Some(protocol),
            ..ReadOptions::default()
        };
        parse_trace(&PathBuf::from("t.csv"), wide(200).as_bytes(), &options)
    };
    let opt = forced_as(Protocol::Rns).unwrap();
    assert_eq!(opt.protocol_source, ProtocolSource::Option);
    // Labels must fit the protocol: a train forced to be an exercise
    // test has no `pre`.
    let forced = forced_as(Protocol::Exercise).unwrap_err();
    assert!(forced.to_string().contains("exercise test"), "{forced}");
}

/// A train of `n` responses of `samples` samples at 20 kHz.
fn train(n: usize, samples: usize) -> String {
    let mut s = String::from("time_ms");
    for k in 1..=n {
        s.push_str(&format!(",r{k}"));
    }
    s.push('\n');
    for i in 0..samples {
        s.push_str(&format!("{}", i as f64 * 0.05));
        for _ in 0..n {
            s.push_str(",0");
        }
        s.push('\n');
    }
    s
}

#[test]
fn a_long_train_of_short_sweeps_needs_a_rate() {
    // 50 responses of 19.5 ms cannot be a 3 Hz train.
    let e = parse(&train(50, 390)).unwrap_err().to_string();
    assert!(e.contains("stim_rate_hz") && e.contains("--rate"), "{e}");
    assert!(e.contains("line 1"), "{e}");
    // With the rate it is a high-rate train; ten responses stay rns.
    let r = parse(&format!("# stim_rate_hz: 50\n{}", train(50, 390))).unwrap();
    assert_eq!(r.protocol, Protocol::Hfrns);
    let opts = ReadOptions {
        overrides: crate::io::options::Overrides {
            stim_rate_hz: Some(50.0),
            ..Default::default()
        },
        ..ReadOptions::default()
    };
    let r = parse_trace(&PathBuf::from("t.csv"), train(50, 390).as_bytes(), &opts).unwrap();
    assert_eq!((r.protocol, r.stim_rate_hz), (Protocol::Hfrns, Some(50.0)));
    assert_eq!(r.metadata["stim_rate_hz"], "50");
    assert_eq!(parse(&train(10, 390)).unwrap().protocol, Protocol::Rns);
}

#[test]
fn overrides_win_over_the_file() {
    let text = format!(
        "# units: mV\n# muscle: APB\n# temperature_c: 33\n{}",
        wide(200).replace("r1,r2", "R1 (mV),R2 (mV)")
    );
    let opts = ReadOptions {
        overrides: crate::io::options::Overrides {
            units: Some(VoltUnit::Microvolt),
            muscle: Some("ADM".into()),
            temperature_c: Some(31.5),
            polarity: Some(Polarity::Inverted),
            ..Default::default()
        },
        ..ReadOptions::default()
    };
    let r = parse_trace(&PathBuf::from("t.csv"), text.as_bytes(), &opts).unwrap();
    assert_eq!(r.samples_mv[[0, 3]], 0.003, "3 uV");
    assert_eq!(r.muscle.as_deref(), Some("ADM"));
    assert_eq!(r.temperature_c, Some(31.5));
    assert_eq!(r.polarity, Polarity::Inverted);
    let plain = parse(&text).unwrap();
    assert_eq!(
        (plain.samples_mv[[0, 3]], plain.temperature_c),
        (3.0, Some(33.0))
    );
    let cold = format!("# temperature_c: 3.2\n{}", wide(200));
    let e = parse(&cold).unwrap_err().to_string();
    assert!(e.contains("line 1") && e.contains("temperature"), "{e}");
}

#[test]
fn rounded_time_values_are_uniform_enough() {
    // 48 kHz written with 3 decimals: up to 0.5 us rounding per sample.
    let mut s = String::from("time_ms,r1\n");
    for i in 0..300 {
        s.push_str(&format!("{:.3},0\n", i as f64 / 48.0));
    }
    let r = parse(&s).unwrap();
    assert!((r.sampling_rate_hz - 48_000.0).abs() < 48.0);
}

/// A continuous recording at 5 kHz: a 3 Hz train of 10 on a trigger
/// column, each stimulus followed by a 5 mV CMAP; `emg` heads the
/// measured column.
fn continuous(emg: &str) -> String {
    let mut s = format!("time_s,{emg},stim [V]\n");
    let fs = 5000.0;
    for i in 0..17_500 {
        let t = f64::from(i) / fs;
        let since = (t - 0.05).rem_euclid(1.0 / 3.0);
        let on = (0.05..0.05 + 10.0 / 3.0).contains(&t);
        let cmap = if on {
            -5.0 * (-((since * 1e3 - 5.0) / 1.5).powi(2)).exp()
        } else {
            0.0
        };
        let noise = if i % 2 == 0 { 0.01 } else { -0.01 };
        let stim = if on && since < 0.0005 { 5.0 } else { 0.0 };
        s.push_str(&format!("{t:.4},{:.4},{stim}\n", cmap + noise));
    }
    s
}

#[test]
fn a_continuous_channel_without_a_unit_is_refused_not_read_as_mv() {
    let err = parse(&continuous("EMG")).unwrap_err().to_string();
    assert!(err.starts_with("t.csv: "), "{err}");
    assert!(
        err.contains("channel \"emg\" has no unit; pass --units"),
        "{err}"
    );
    for (text, mv) in [
        (continuous("EMG [mV]"), 5.0),
        (continuous("EMG_uv"), 0.005),
        (format!("# units: V\n{}", continuous("EMG")), 5000.0),
    ] {
        let r = parse(&text).unwrap();
        assert_eq!(r.n_responses(), 10);
        let peak = r.trace(0).iter().copied().fold(f64::INFINITY, f64::min);
        assert!((peak + mv).abs() < 0.01 * mv, "{peak} vs {mv}");
    }
    // `--units` scales the columns once.
    let options = ReadOptions {
        overrides: crate::io::options::Overrides {
            units: Some(VoltUnit::Microvolt),
            ..Default::default()
        },
        ..ReadOptions::default()
    };
    let r = parse_trace(
        &PathBuf::from("t.csv"),
        continuous("EMG").as_bytes(),
        &options,
    )
    .unwrap();
    let peak = r.trace(0).iter().copied().fold(f64::INFINITY, f64::min);
    assert!((peak + 0.005).abs() < 1e-4, "{peak}");
}

#[test]
fn an_exercise_file_with_post_and_post_0s_is_refused() {
    let body = |header: &str| {
        let mut s = format!("# protocol: exercise\ntime_ms,{header}\n");
        for i in 0..400 {
            let t = -5.0 + f64::from(i) * 0.1;
            let v = -4.0 * (-((t - 6.0) / 2.0).powi(2)).exp();
            s.push_str(&format!("{t:.1},{v:.4},{:.4},{:.4}\n", 1.5 * v, 1.4 * v));
        }
        s
    };
    let err = parse(&body("pre,post,post_0s")).unwrap_err().to_string();
    assert!(
        err.contains("responses \"post\" and \"post_0s\" are both 0 s after exercise"),
        "{err}"
    );
    // Column 4 of the header line (line 2) is the second one.
    assert!(err.starts_with("t.csv, line 2, column 4: "), "{err}");
    let r = parse(&body("pre,post,post_30s")).unwrap();
    assert_eq!(r.n_responses(), 3);
}
