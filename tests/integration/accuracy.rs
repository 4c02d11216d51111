//! Accuracy of the measures against analytic CMAPs whose onset, amplitude
//! and area are known exactly, under noise, hum, offset, drift and stimulus
//! artifacts, at several sampling rates, with and without a pre-stimulus
//! baseline, in both polarities. All randomness is seeded.

use nmjscope::measure::{MeasureConfig, Measurer, Sweep};
use nmjscope::model::{ResponseLabel, ResponseMeasures};
use nmjscope::signal::SignalConfig;
use nmjscope::Flag;
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

/// The analytic CMAP with exact truth, from the simulator's public API.
pub use nmjscope::simulate::AnalyticCmap as Cmap;

/// Conditions and measures one sweep of response `r1`.
fn measure_one(
    m: &mut Measurer,
    signal: &SignalConfig,
    config: &MeasureConfig,
    samples: impl IntoIterator<Item = f64>,
    t0_ms: f64,
    dt_ms: f64,
    inverted: bool,
) -> ResponseMeasures {
    let samples: Vec<f64> = samples.into_iter().collect();
    let label = ResponseLabel::Train(1);
    let sweep = Sweep {
        label: &label,
        samples_mv: &samples,
        t0_ms,
        dt_ms,
        inverted,
    };
    m.measure(&sweep, signal, config)
}

/// Everything added to the clean CMAP.
#[derive(Debug, Clone, Copy)]
pub struct Disturbance {
    pub noise_sd_mv: f64,
    pub hum_mv: f64,
    pub offset_mv: f64,
    pub drift_mv: f64,
    pub artifact_mv: f64,
    pub artifact_tau_ms: f64,
    /// Amplifier rail relative to the offset (clips the artifact).
    pub rail_mv: Option<f64>,
}

pub fn render(
    cmap: &Cmap,
    d: &Disturbance,
    fs_hz: f64,
    t0_ms: f64,
    sweep_ms: f64,
    sign: f64,
    seed: u64,
) -> Vec<f64> {
    let dt = 1000.0 / fs_hz;
    let n = (sweep_ms / dt) as usize;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let normal = Normal::new(0.0, d.noise_sd_mv.max(1e-12)).unwrap();
    let phase: f64 = rng.random::<f64>() * std::f64::consts::TAU;
    (0..n)
        .map(|i| {
            let t = t0_ms + i as f64 * dt;
            let mut v = sign * cmap.at(t);
            if t >= 0.0 {
                v += d.artifact_mv * (-t / d.artifact_tau_ms).exp();
            }
            v += d.hum_mv * (std::f64::consts::TAU * 50.0 * t / 1000.0 + phase).sin();
            v += d.drift_mv * (t - t0_ms) / sweep_ms;
            if d.noise_sd_mv > 0.0 {
                v += normal.sample(&mut rng);
            }
            if let Some(rail) = d.rail_mv {
                v = v.clamp(-rail, rail);
            }
            v + d.offset_mv
        })
        .collect()
}

/// Worst errors over a batch, and the traces that missed a tolerance.
#[derive(Default)]
struct Outcome {
    cases: usize,
    worst_amp: f64,
    worst_onset: f64,
    worst_area: f64,
    failures: Vec<String>,
}

/// 192 random traces from one seed: every sampling rate, with and without a
/// pre-stimulus baseline, both polarities, declared or found.
fn accuracy_batch(seed: u64) -> Outcome {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let signal = SignalConfig::default();
    let config = MeasureConfig::default();
    let mut measurer = Measurer::new();
    let mut out = Outcome::default();
    for &fs in &[5_000.0, 10_000.0, 20_000.0, 48_000.0] {
        for &pre in &[true, false] {
            for &sign in &[1.0, -1.0] {
                for &declared in &[true, false] {
                    for _ in 0..6 {
                        // Physiological shapes: the positive phase is
                        // smaller than the negative one.
                        let amp_mv = rng.random_range(2.0..8.0);
                        let cmap = Cmap {
                            onset_ms: rng.random_range(3.0..4.0),
                            amp_mv,
                            neg_ms: rng.random_range(4.5..7.0),
                            pos_mv: amp_mv * rng.random_range(0.3..0.9),
                            pos_ms: rng.random_range(6.0..10.0),
                        };
                        let art_sign = if rng.random::<bool>() { 1.0 } else { -1.0 };
                        let d = Disturbance {
                            noise_sd_mv: rng.random_range(0.0..0.025),
                            hum_mv: rng.random_range(0.0..0.01),
                            offset_mv: rng.random_range(-5.0..5.0),
                            drift_mv: rng.random_range(-0.3..0.3),
                            artifact_mv: art_sign * rng.random_range(1.0..15.0),
                            artifact_tau_ms: rng.random_range(0.1..0.4),
                            rail_mv: if rng.random::<bool>() {
                                Some(10.0)
                            } else {
                                None
                            },
                        };
                        let t0 = if pre { -5.0 } else { 0.0 };
                        let raw = render(&cmap, &d, fs, t0, 50.0, sign, rng.random());
                        // An inverted trace is either declared (flipped on
                        // reading) or found (flagged).
                        let invert = sign < 0.0 && declared;
                        let r = measure_one(
                            &mut measurer,
                            &signal,
                            &config,
                            raw.iter().copied(),
                            t0,
                            1000.0 / fs,
                            invert,
                        );
                        out.cases += 1;
                        let ctx = format!("seed {seed} fs {fs} pre {pre} sign {sign} declared {declared}: {cmap:?} {d:?} -> {r:?}");
                        let (Some(amp), Some(onset), Some(area), Some(peak)) =
                            (r.amplitude_mv, r.onset_ms, r.area_mv_ms, r.negative_peak_ms)
                        else {
                            out.failures.push(format!("unmeasured: {ctx}"));
                            continue;
                        };
                        let amp_err = (amp - cmap.amp_mv).abs();
                        let onset_err = (onset - cmap.onset_ms).abs();
                        let area_err =
                            (area - cmap.truth().area_mv_ms).abs() / cmap.truth().area_mv_ms;
                        let peak_err = (peak - cmap.truth().negative_peak_ms).abs();
                        let mut missed = Vec::new();
                        if amp_err > 0.02 * cmap.amp_mv + 3.0 * d.noise_sd_mv {
                            missed.push("amplitude");
                        }
                        if onset_err > 0.3 {
                            missed.push("onset");
                        }
                        if area_err > 0.05 {
                            missed.push("area");
                        }
                        if peak_err > 0.3 {
                            missed.push("peak time");
                        }
                        if r.has(Flag::PolarityInverted) != (sign < 0.0 && !declared) {
                            missed.push("polarity flag");
                        }
                        if r.has(Flag::NoResponse) || r.has(Flag::Clipped) {
                            missed.push("false flag");
                        }
                        if !missed.is_empty() {
                            out.failures.push(format!("{}: {ctx}", missed.join(", ")));
                        }
                        out.worst_amp = out.worst_amp.max(amp_err / cmap.amp_mv);
                        out.worst_onset = out.worst_onset.max(onset_err);
                        out.worst_area = out.worst_area.max(area_err);
                    }
                }
            }
        }
    }
    out
}

#[test]
fn measures_match_the_truth_under_realistic_disturbances() {
    // 50 seeds x 192 traces; every one must meet every tolerance. (Seeds
    // 0-199 all pass; of seeds 200-599, one trace in 76,800 misses the onset
    // tolerance by under a microsecond: see docs/measurement.md.)
    let mut all = Outcome::default();
    for seed in 0..50 {
        let o = accuracy_batch(seed);
        all.cases += o.cases;
        all.worst_amp = all.worst_amp.max(o.worst_amp);
        all.worst_onset = all.worst_onset.max(o.worst_onset);
        all.worst_area = all.worst_area.max(o.worst_area);
        all.failures.extend(o.failures);
    }
    assert_eq!(all.cases, 50 * 192);
    eprintln!(
        "accuracy over {} traces: worst amplitude error {:.2}%, onset {:.3} ms, area {:.2}%",
        all.cases,
        all.worst_amp * 100.0,
        all.worst_onset,
        all.worst_area * 100.0
    );
    assert!(
        all.failures.is_empty(),
        "{} of {} traces missed a tolerance:\n{}",
        all.failures.len(),
        all.cases,
        all.failures.join("\n")
    );
}

fn clean(onset: f64, amp: f64) -> Cmap {
    Cmap {
        onset_ms: onset,
        amp_mv: amp,
        neg_ms: 6.0,
        pos_mv: amp * 0.4,
        pos_ms: 8.0,
    }
}

const QUIET: Disturbance = Disturbance {
    noise_sd_mv: 0.0,
    hum_mv: 0.0,
    offset_mv: 0.0,
    drift_mv: 0.0,
    artifact_mv: 0.0,
    artifact_tau_ms: 0.2,
    rail_mv: None,
};

#[test]
fn clipped_and_absent_responses_are_flagged() {
    let mut m = Measurer::new();
    let (s, c) = (SignalConfig::default(), MeasureConfig::default());
    let d = Disturbance {
        rail_mv: Some(4.0),
        ..QUIET
    };
    let raw = render(&clean(3.5, 6.0), &d, 20_000.0, -5.0, 50.0, 1.0, 1);
    let r = measure_one(&mut m, &s, &c, raw.iter().copied(), -5.0, 0.05, false);
    assert!(r.has(Flag::Clipped), "{r:?}");
    let d = Disturbance {
        noise_sd_mv: 0.01,
        artifact_mv: 8.0,
        ..QUIET
    };
    let raw = render(&clean(3.5, 0.0), &d, 20_000.0, -5.0, 50.0, 1.0, 2);
    let r = measure_one(&mut m, &s, &c, raw.iter().copied(), -5.0, 0.05, false);
    assert!(
        r.has(Flag::NoResponse),
        "the artifact is never the CMAP: {r:?}"
    );
    let d = Disturbance {
        noise_sd_mv: 0.025,
        ..QUIET
    };
    let raw = render(&clean(3.5, 0.18), &d, 20_000.0, -5.0, 50.0, 1.0, 3);
    let r = measure_one(&mut m, &s, &c, raw.iter().copied(), -5.0, 0.05, false);
    assert!(r.has(Flag::LowSnr), "{r:?}");
    // Hum of a tenth of the response: the baseline cannot be trusted.
    let d = Disturbance {
        hum_mv: 0.3,
        noise_sd_mv: 0.005,
        ..QUIET
    };
    let raw = render(&clean(3.5, 2.0), &d, 20_000.0, -5.0, 50.0, 1.0, 5);
    let r = measure_one(&mut m, &s, &c, raw.iter().copied(), -5.0, 0.05, false);
    assert!(r.has(Flag::BaselineUnstable), "{r:?}");
    let d = Disturbance {
        hum_mv: 0.005,
        noise_sd_mv: 0.005,
        ..QUIET
    };
    let raw = render(&clean(3.5, 2.0), &d, 20_000.0, -5.0, 50.0, 1.0, 5);
    let r = measure_one(&mut m, &s, &c, raw.iter().copied(), -5.0, 0.05, false);
    assert!(!r.has(Flag::BaselineUnstable), "{r:?}");
    // An artifact that has not settled when the response starts.
    let d = Disturbance {
        artifact_mv: 15.0,
        artifact_tau_ms: 1.5,
        ..QUIET
    };
    let raw = render(&clean(1.5, 3.0), &d, 20_000.0, -5.0, 50.0, 1.0, 4);
    let r = measure_one(&mut m, &s, &c, raw.iter().copied(), -5.0, 0.05, false);
    assert!(r.has(Flag::ArtifactOverlap), "{r:?}");
}

#[test]
fn zero_phase_filtering_does_not_move_onset_or_peak() {
    let mut m = Measurer::new();
    let c = MeasureConfig::default();
    let plain = SignalConfig::default();
    let mut filtered = SignalConfig::default();
    filtered.filter.enabled = true;
    filtered.filter.lowpass_hz = Some(3_000.0);
    filtered.filter.highpass_hz = Some(2.0);
    let d = Disturbance {
        noise_sd_mv: 0.01,
        hum_mv: 0.0,
        artifact_mv: 5.0,
        ..QUIET
    };
    let raw = render(&clean(3.2, 5.0), &d, 20_000.0, -5.0, 50.0, 1.0, 9);
    let a = measure_one(&mut m, &plain, &c, raw.iter().copied(), -5.0, 0.05, false);
    let b = measure_one(
        &mut m,
        &filtered,
        &c,
        raw.iter().copied(),
        -5.0,
        0.05,
        false,
    );
    assert!(
        (a.negative_peak_ms.unwrap() - b.negative_peak_ms.unwrap()).abs() < 0.05,
        "{a:?} {b:?}"
    );
    assert!(
        (a.onset_ms.unwrap() - b.onset_ms.unwrap()).abs() < 0.1,
        "{a:?} {b:?}"
    );
    assert!((a.amplitude_mv.unwrap() - b.amplitude_mv.unwrap()).abs() < 0.02 * 5.0);
}

/// A train whose responses are the same CMAP scaled by known factors.
fn train(factors: &[f64], protocol: nmjscope::Protocol) -> nmjscope::Recording {
    use nmjscope::model::*;
    let fs = 20_000.0;
    let n = 1000;
    let mut samples = ndarray::Array2::<f64>::zeros((factors.len(), n));
    for (k, f) in factors.iter().enumerate() {
        let d = Disturbance {
            artifact_mv: 4.0,
            offset_mv: 0.3,
            ..QUIET
        };
        let raw = render(&clean(3.0, 6.0 * f), &d, fs, -5.0, 50.0, 1.0, k as u64);
        for (i, v) in raw.into_iter().enumerate() {
            samples[[k, i]] = v;
        }
    }
    let labels = if protocol == nmjscope::Protocol::Exercise {
        let mut l = vec![ResponseLabel::Pre];
        l.extend((1..factors.len() as u32).map(|i| ResponseLabel::Post(Some((i - 1) * 30))));
        l
    } else {
        (1..=factors.len() as u32)
            .map(ResponseLabel::Train)
            .collect()
    };
    Recording {
        source: SourceInfo::contract_csv(std::path::Path::new("train.csv"), Layout::Wide),
        sampling_rate_hz: fs,
        t0_ms: -5.0,
        labels,
        samples_mv: samples,
        protocol,
        protocol_source: ProtocolSource::Metadata,
        stim_rate_hz: Some(3.0),
        exercise_s: None,
        temperature_c: None,
        polarity: Polarity::Normal,
        muscle: Some("ADM".into()),
        nerve: None,
        side: None,
        study_id: None,
        record: Default::default(),
        metadata: Default::default(),
        markers: None,
    }
}

#[test]
fn decrement_and_increment_within_one_point() {
    let s = nmjscope::Settings::default();
    let mut m = Measurer::new();
    let factors = [1.0, 0.85, 0.78, 0.75, 0.74, 0.76, 0.78, 0.79, 0.8, 0.8];
    let t = nmjscope::analyze_recording(&train(&factors, nmjscope::Protocol::Rns), &s, &mut m);
    assert!(
        (t.decrement_pct.unwrap() - 25.0).abs() < 1.0,
        "{:?}",
        t.decrement_pct
    );
    assert!((t.max_decrement_pct.unwrap() - 26.0).abs() < 1.0);
    assert!((t.area_decrement_pct.unwrap() - 25.0).abs() < 1.0);
    assert_eq!(t.shape, Some(nmjscope::model::TrainShape::UShaped));
    assert!((t.change_pct[1].unwrap() + 15.0).abs() < 1.0);
    let factors = [1.0, 1.4, 1.9, 2.3, 2.2];
    let t = nmjscope::analyze_recording(&train(&factors, nmjscope::Protocol::Hfrns), &s, &mut m);
    assert!(
        (t.increment_pct.unwrap() - 130.0).abs() < 1.0,
        "{:?}",
        t.increment_pct
    );
    assert!((t.last_increment_pct.unwrap() - 120.0).abs() < 1.0);
    assert_eq!(t.pseudofacilitation, Some(false));
    let factors = [1.0, 1.65, 1.2, 1.05];
    let t = nmjscope::analyze_recording(&train(&factors, nmjscope::Protocol::Exercise), &s, &mut m);
    assert!(
        (t.increment_pct.unwrap() - 65.0).abs() < 1.0,
        "{:?}",
        t.increment_pct
    );
    let post = t.post_exercise.as_ref().unwrap();
    assert_eq!(post.len(), 3);
    assert_eq!(post[1].time_s, Some(30.0));
    assert!((post[1].change_pct.unwrap() - 20.0).abs() < 1.0);
    assert_eq!(t.decrement_pct, None);
}

#[test]
fn irregular_trains_are_flagged_but_still_reported() {
    let s = nmjscope::Settings::default();
    let mut m = Measurer::new();
    let factors = [1.0, 0.9, 0.96, 0.88, 0.95, 0.87, 0.94, 0.89, 0.93, 0.88];
    let t = nmjscope::analyze_recording(&train(&factors, nmjscope::Protocol::Rns), &s, &mut m);
    assert!(t.has_train_flag(nmjscope::model::TrainFlag::IrregularTrain));
    assert!((t.decrement_pct.unwrap() - 12.0).abs() < 1.0);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, .. ProptestConfig::default() })]

    #[test]
    fn scaling_scales_amplitude_and_area(k in 0.2f64..5.0, amp in 1.0f64..10.0, seed in 0u64..1000) {
        let d = Disturbance { noise_sd_mv: 0.01, ..QUIET };
        let raw = render(&clean(3.3, amp), &d, 20_000.0, -5.0, 50.0, 1.0, seed);
        let (s, c) = (SignalConfig::default(), MeasureConfig::default());
        let mut m = Measurer::new();
        let a = measure_one(&mut m, &s, &c, raw.iter().copied(), -5.0, 0.05, false);
        let b = measure_one(&mut m, &s, &c, raw.iter().map(|v| v * k), -5.0, 0.05, false);
        prop_assert!((b.amplitude_mv.unwrap() - k * a.amplitude_mv.unwrap()).abs() < 1e-6 * k * amp);
        prop_assert!((b.area_mv_ms.unwrap() - k * a.area_mv_ms.unwrap()).abs() < 1e-6 * k * amp * 10.0);
        prop_assert!((b.onset_ms.unwrap() - a.onset_ms.unwrap()).abs() < 1e-6);
    }

    #[test]
    fn adding_a_constant_changes_nothing(c0 in -50.0f64..50.0, pre in any::<bool>(), seed in 0u64..1000) {
        let d = Disturbance { noise_sd_mv: 0.01, artifact_mv: 3.0, ..QUIET };
        let t0 = if pre { -5.0 } else { 0.0 };
        let raw = render(&clean(3.3, 4.0), &d, 20_000.0, t0, 50.0, 1.0, seed);
        let (s, c) = (SignalConfig::default(), MeasureConfig::default());
        let mut m = Measurer::new();
        let a = measure_one(&mut m, &s, &c, raw.iter().copied(), t0, 0.05, false);
        let b = measure_one(&mut m, &s, &c, raw.iter().map(|v| v + c0), t0, 0.05, false);
        prop_assert!((a.amplitude_mv.unwrap() - b.amplitude_mv.unwrap()).abs() < 1e-6);
        prop_assert!((a.area_mv_ms.unwrap() - b.area_mv_ms.unwrap()).abs() < 1e-6);
        prop_assert!((a.onset_ms.unwrap() - b.onset_ms.unwrap()).abs() < 1e-6);
    }

    #[test]
    fn shifting_in_time_shifts_onset_and_peak(shift in 0usize..40, amp in 1.0f64..10.0) {
        let dt = 0.05;
        let base = render(&clean(3.0, amp), &QUIET, 20_000.0, -5.0, 50.0, 1.0, 0);
        let shifted = render(&clean(3.0 + shift as f64 * dt, amp), &QUIET, 20_000.0, -5.0, 50.0, 1.0, 0);
        let (s, c) = (SignalConfig::default(), MeasureConfig::default());
        let mut m = Measurer::new();
        let a = measure_one(&mut m, &s, &c, base.iter().copied(), -5.0, dt, false);
        let b = measure_one(&mut m, &s, &c, shifted.iter().copied(), -5.0, dt, false);
        let d = shift as f64 * dt;
        prop_assert!((b.onset_ms.unwrap() - a.onset_ms.unwrap() - d).abs() < 1e-6);
        prop_assert!((b.negative_peak_ms.unwrap() - a.negative_peak_ms.unwrap() - d).abs() < 1e-6);
        prop_assert!((b.amplitude_mv.unwrap() - a.amplitude_mv.unwrap()).abs() < 1e-9 * amp);
    }
}
