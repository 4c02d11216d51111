//! The recording-conditions matrix: every combination of pre-stimulus span,
//! artifact shape, stimulation rate and sampling rate that the measurement
//! must handle, with seeded draws of everything else (noise, hum, offset,
//! drift, quantisation, polarity, the CMAP itself). Tests, benches and the
//! `matrix` example use it; `docs/measurement.md` gives its figures.
//!
//! Each draw is a train of analytic CMAPs ([`AnalyticCmap`], exact truth)
//! scaled by known factors, recorded through [`RecordingConditions`]. The
//! onset is placed after the artifact has settled (to within 5 uV) plus 0.5
//! ms, unless the draw is asked to overlap.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::conditions::{Adc, AnalyticCmap, Artifact, RecordingConditions, Truth, BETA_PEAK};
use crate::model::{
    Layout, Polarity, Protocol, ProtocolSource, Recording, ResponseLabel, SourceInfo,
};

/// Pre-stimulus spans of the matrix (ms).
pub const PRE_STIMULUS_MS: [f64; 5] = [0.0, 0.5, 1.0, 2.0, 5.0];
/// Sampling rates of the matrix (Hz).
pub const SAMPLING_HZ: [f64; 4] = [5_000.0, 10_000.0, 20_000.0, 48_000.0];
/// Stimulation rates of the matrix (Hz): a 3 Hz train and a 50 Hz train.
pub const RATES_HZ: [f64; 2] = [3.0, 50.0];

/// The artifact shape of a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArtifactKind {
    /// No artifact.
    None,
    /// One decaying exponential, 1-20 mV, tau 0.05-0.3 ms.
    Monophasic,
    /// Spike plus an opposite-sign overshoot of 10-30% decaying in 0.3-0.6
    /// ms (visible for 1-2 ms).
    Biphasic,
    /// A 20-60 mV spike clipped at a 12-20 mV rail (above any CMAP), with a
    /// slow recovery.
    Clipped,
}

/// Every artifact kind.
pub const ARTIFACTS: [ArtifactKind; 4] = [
    ArtifactKind::None,
    ArtifactKind::Monophasic,
    ArtifactKind::Biphasic,
    ArtifactKind::Clipped,
];

/// One cell of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    /// Pre-stimulus span (ms).
    pub pre_stimulus_ms: f64,
    /// Artifact shape.
    pub artifact: ArtifactKind,
    /// Stimulation rate (Hz).
    pub rate_hz: f64,
    /// Sampling rate (Hz).
    pub sampling_rate_hz: f64,
}

impl std::fmt::Display for Cell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} Hz, pre {} ms, {:?} artifact, {} kHz",
            self.rate_hz,
            self.pre_stimulus_ms,
            self.artifact,
            self.sampling_rate_hz / 1000.0
        )
    }
}

/// All 160 cells, in a fixed order.
pub fn cells() -> Vec<Cell> {
    let mut out = Vec::new();
    for &rate_hz in &RATES_HZ {
        for &artifact in &ARTIFACTS {
            for &pre_stimulus_ms in &PRE_STIMULUS_MS {
                for &sampling_rate_hz in &SAMPLING_HZ {
                    out.push(Cell {
                        pre_stimulus_ms,
                        artifact,
                        rate_hz,
                        sampling_rate_hz,
                    });
                }
            }
        }
    }
    out
}

/// One seeded draw of a cell: how the train is recorded, its CMAP and the
/// amplitude factor of each response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draw {
    /// The cell.
    pub cell: Cell,
    /// The recording conditions.
    pub conditions: RecordingConditions,
    /// The first response's CMAP.
    pub cmap: AnalyticCmap,
    /// Each response's amplitude relative to the first.
    pub factors: Vec<f64>,
    /// Whether the inversion (if any) is declared in the file.
    pub polarity_declared: bool,
    /// Time by which the artifact is within 5 uV of zero (ms).
    pub artifact_settled_ms: f64,
    /// The seed it was drawn from.
    pub seed: u64,
}

/// An artifact has settled once it stays within this of zero (mV).
const SETTLED_MV: f64 = 0.005;

fn artifact_of(kind: ArtifactKind, rng: &mut ChaCha8Rng) -> Artifact {
    let sign = if rng.random::<bool>() { 1.0 } else { -1.0 };
    match kind {
        ArtifactKind::None => Artifact::None,
        ArtifactKind::Monophasic => Artifact::Monophasic {
            amplitude_mv: sign * rng.random_range(1.0..20.0),
            tau_ms: rng.random_range(0.05..0.3),
        },
        ArtifactKind::Biphasic => Artifact::Biphasic {
            amplitude_mv: sign * rng.random_range(1.0..20.0),
            tau_ms: rng.random_range(0.05..0.2),
            overshoot: rng.random_range(0.1..0.3),
            overshoot_tau_ms: rng.random_range(0.3..0.6),
        },
        ArtifactKind::Clipped => Artifact::Clipped {
            amplitude_mv: sign * rng.random_range(20.0..60.0),
            tau_ms: rng.random_range(0.1..0.3),
            rail_mv: rng.random_range(12.0..20.0),
            recovery_ms: rng.random_range(0.3..0.6),
        },
    }
}

/// The artifact with every time constant multiplied by `k`.
fn stretched(a: &Artifact, k: f64) -> Artifact {
    match *a {
        Artifact::Monophasic {
            amplitude_mv,
            tau_ms,
        } => Artifact::Monophasic {
            amplitude_mv,
            tau_ms: tau_ms * k,
        },
        Artifact::Biphasic {
            amplitude_mv,
            tau_ms,
            overshoot,
            overshoot_tau_ms,
        } => Artifact::Biphasic {
            amplitude_mv,
            tau_ms: tau_ms * k,
            overshoot,
            overshoot_tau_ms: overshoot_tau_ms * k,
        },
        Artifact::Clipped {
            amplitude_mv,
            tau_ms,
            rail_mv,
            recovery_ms,
        } => Artifact::Clipped {
            amplitude_mv,
            tau_ms: tau_ms * k,
            rail_mv,
            recovery_ms: recovery_ms * k,
        },
        other => other,
    }
}

/// The last time (ms) the artifact is farther than 5 uV from zero.
pub fn settle_time_ms(a: &Artifact) -> f64 {
    (0..2_000)
        .rev()
        .map(|i| i as f64 * 0.005)
        .find(|&t| a.at(t).abs() > SETTLED_MV)
        .unwrap_or(0.0)
}

/// Responses in a 3 Hz train and in a 50 Hz train.
const TRAIN_LEN: [usize; 2] = [10, 50];

/// Amplitude factors: a U-shaped decrement (3 Hz) or a rising train (50 Hz),
/// of random depth.
fn factors(rate_hz: f64, rng: &mut ChaCha8Rng) -> Vec<f64> {
    if rate_hz < crate::model::HIGH_RATE_MIN_HZ {
        let depth: f64 = rng.random_range(0.0..0.4);
        (0..TRAIN_LEN[0])
            .map(|i| {
                let x = i as f64;
                // Nadir at the 5th response, partial recovery after it.
                1.0 - depth * (1.0 - (-(x / 1.5)).exp()) + depth * 0.04 * (x - 4.0).max(0.0)
            })
            .collect()
    } else {
        let gain: f64 = rng.random_range(0.0..2.5);
        (0..TRAIN_LEN[1])
            .map(|i| 1.0 + gain * (1.0 - (-(i as f64) / 12.0).exp()))
            .collect()
    }
}

impl Cell {
    /// The seeded draw `seed` of this cell. With `overlap`, the artifact is
    /// slowed so that it is still decaying 0.5-1.5 ms into the response (for
    /// the accurate-or-flagged rule).
    pub fn draw(&self, seed: u64, overlap: bool) -> Draw {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut artifact = artifact_of(self.artifact, &mut rng);
        let mut settled = settle_time_ms(&artifact);
        let onset_ms = if overlap {
            // A slow artifact (its time constants stretched) still decaying
            // 0.5-1.5 ms into a response that starts 2.5-4 ms after the
            // stimulus.
            let onset: f64 = rng.random_range(2.5..4.0);
            let target = onset + rng.random_range(0.5..1.5);
            if settled > 0.0 {
                artifact = stretched(&artifact, target / settled);
                settled = settle_time_ms(&artifact);
            }
            onset
        } else {
            // Hand and foot CMAPs start 2.5-4.5 ms after the stimulus; never
            // before the artifact has settled plus 0.5 ms.
            rng.random_range(2.5..4.5f64).max(settled + 0.5)
        };
        let factors = factors(self.rate_hz, &mut rng);
        // A small 50 Hz response is the hard case: down to 1 mV. The largest
        // response of the train stays within 10 mV (and so within the
        // amplifier's range).
        let largest = factors.iter().copied().fold(1.0, f64::max);
        let amp_mv = rng.random_range(1.0..(10.0 / largest).max(1.5));
        let cmap = AnalyticCmap {
            onset_ms,
            amp_mv,
            neg_ms: rng.random_range(4.0..7.0),
            pos_mv: amp_mv * rng.random_range(0.3..0.9),
            pos_ms: rng.random_range(6.0..10.0),
        };
        let isi_ms = 1000.0 / self.rate_hz;
        // 3 Hz sweeps: 40-50 ms. 50 Hz: up to 0.5 ms before the next
        // stimulus, so the CMAP runs to the end of the sweep.
        let sweep_ms = if self.rate_hz < crate::model::HIGH_RATE_MIN_HZ {
            rng.random_range(40.0..50.0)
        } else {
            isi_ms - 0.5
        };
        let span_ms = sweep_ms;
        let high = self.rate_hz >= crate::model::HIGH_RATE_MIN_HZ;
        let conditions = RecordingConditions {
            sampling_rate_hz: self.sampling_rate_hz,
            pre_stimulus_ms: self.pre_stimulus_ms,
            post_stimulus_ms: sweep_ms - self.pre_stimulus_ms,
            artifact,
            offset_mv: rng.random_range(-5.0..5.0),
            // Electrode drift: up to 6 mV/s in a 3 Hz sweep (0.3 mV over 50
            // ms, removed with the late end of the sweep as a second anchor);
            // up to 1 mV/s in a 50 Hz sweep, where nothing anchors it.
            drift_mv: rng.random_range(-1.0..1.0) * span_ms * if high { 0.001 } else { 0.006 },
            hum_mv: rng.random_range(0.0..0.01),
            hum_hz: if rng.random::<bool>() { 50.0 } else { 60.0 },
            noise_mv: rng.random_range(0.0..0.03),
            adc: rng.random::<bool>().then_some(Adc {
                bits: 12,
                range_mv: 20.0,
            }),
            inverted: rng.random::<bool>(),
            carry_over: high,
        };
        Draw {
            cell: *self,
            factors,
            cmap,
            polarity_declared: rng.random::<bool>(),
            conditions,
            artifact_settled_ms: settled,
            seed,
        }
    }
}

impl Draw {
    /// The truth of each response.
    pub fn truths(&self) -> Vec<Truth> {
        self.factors
            .iter()
            .map(|f| self.cmap.scaled(*f).truth())
            .collect()
    }

    /// The train as a recording (what a reader would produce), with noise
    /// drawn from `seed`.
    pub fn recording(&self, seed: u64) -> Recording {
        let rc = &self.conditions;
        let times = rc.times_ms();
        let isi_ms = 1000.0 / self.cell.rate_hz;
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed);
        let mut samples = ndarray::Array2::<f64>::zeros((self.factors.len(), times.len()));
        let mut previous: Option<Vec<f64>> = None;
        for (k, f) in self.factors.iter().enumerate() {
            let c = self.cmap.scaled(*f);
            let physio: Vec<f64> = times.iter().map(|&t| c.at(t)).collect();
            let trace = rc.record(&physio, previous.as_deref(), &mut rng);
            for (d, s) in samples.row_mut(k).iter_mut().zip(trace) {
                *d = s;
            }
            previous = Some(times.iter().map(|&t| c.at(t + isi_ms)).collect());
        }
        let high = self.cell.rate_hz >= crate::model::HIGH_RATE_MIN_HZ;
        Recording {
            source: SourceInfo::contract_csv(std::path::Path::new("matrix.csv"), Layout::Wide),
            sampling_rate_hz: rc.sampling_rate_hz,
            t0_ms: times.first().copied().unwrap_or(0.0),
            labels: (1..=self.factors.len() as u32)
                .map(ResponseLabel::Train)
                .collect(),
            samples_mv: samples,
            protocol: if high { Protocol::Hfrns } else { Protocol::Rns },
            protocol_source: ProtocolSource::Metadata,
            stim_rate_hz: Some(self.cell.rate_hz),
            exercise_s: None,
            temperature_c: None,
            polarity: if rc.inverted && self.polarity_declared {
                Polarity::Inverted
            } else {
                Polarity::Normal
            },
            muscle: Some("ADM".to_string()),
            nerve: None,
            side: None,
            study_id: None,
            record: Default::default(),
            metadata: Default::default(),
            markers: None,
        }
    }
}

/// The tolerances a measurement must meet against the truth, stated once.
pub mod tolerance {
    /// Amplitude: this fraction of the truth ...
    pub const AMPLITUDE_FRACTION: f64 = 0.02;
    /// ... plus this many noise SDs ...
    pub const NOISE_SDS: f64 = 3.0;
    /// ... plus this many hum amplitudes (mV).
    pub const HUM_AMPLITUDES: f64 = 1.5;
    /// Onset (ms), plus the time the edge takes to rise two noise SDs out
    /// of the baseline (no method can see a takeoff sooner).
    pub const ONSET_MS: f64 = 0.3;
    /// Noise SDs the edge must rise before a takeoff can be seen.
    pub const ONSET_NOISE_SDS: f64 = 2.0;
    /// Area: this fraction of the truth, plus the amplitude allowance over
    /// the negative phase.
    pub const AREA_FRACTION: f64 = 0.05;
    /// Decrement and increment (percentage points), plus what the noise
    /// allowance of the two responses can move them.
    pub const PERCENT_POINTS: f64 = 1.0;
}

/// The worst errors over many trains, and the misses.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// Trains measured.
    pub trains: usize,
    /// Responses measured.
    pub responses: usize,
    /// Worst amplitude error (% of the truth).
    pub worst_amplitude_pct: f64,
    /// Worst amplitude error as a fraction of its allowance (1 = at the
    /// tolerance).
    pub worst_amplitude_use: f64,
    /// Worst onset error (ms).
    pub worst_onset_ms: f64,
    /// Worst onset error as a fraction of its allowance.
    pub worst_onset_use: f64,
    /// Worst area error (% of the truth).
    pub worst_area_pct: f64,
    /// Worst decrement or increment error (percentage points).
    pub worst_change_pp: f64,
    /// Responses flagged `artifact_overlap`.
    pub overlap_flags: usize,
    /// What missed a tolerance, one line each.
    pub misses: Vec<String>,
}

impl Score {
    /// Adds another score.
    pub fn merge(&mut self, o: &Score) {
        self.trains += o.trains;
        self.responses += o.responses;
        self.worst_amplitude_pct = self.worst_amplitude_pct.max(o.worst_amplitude_pct);
        self.worst_amplitude_use = self.worst_amplitude_use.max(o.worst_amplitude_use);
        self.worst_onset_ms = self.worst_onset_ms.max(o.worst_onset_ms);
        self.worst_onset_use = self.worst_onset_use.max(o.worst_onset_use);
        self.worst_area_pct = self.worst_area_pct.max(o.worst_area_pct);
        self.worst_change_pp = self.worst_change_pp.max(o.worst_change_pp);
        self.overlap_flags += o.overlap_flags;
        self.misses.extend(o.misses.iter().cloned());
    }
}

/// Scores one measured train of a clean draw (artifact settled 0.5 ms before
/// the onset): every response must be measured within tolerance and carry
/// no `artifact_overlap`; the decrement (3 Hz) or increment (50 Hz) must
/// match the truth's.
pub fn score_train(draw: &Draw, test: &crate::model::TestMeasures) -> Score {
    let truths = draw.truths();
    let mut s = Score {
        trains: 1,
        ..Score::default()
    };
    for (k, (r, t)) in test.responses.iter().zip(&truths).enumerate() {
        score_response(draw, k, r, t, &mut s);
    }
    score_change(draw, test, &truths, &mut s);
    s
}

/// What noise and hum may move an amplitude by (mV).
fn noise_allowance(rc: &RecordingConditions) -> f64 {
    tolerance::NOISE_SDS * rc.noise_mv + tolerance::HUM_AMPLITUDES * rc.hum_mv
}

/// Scores response `k` against its truth into `s`.
fn score_response(
    draw: &Draw,
    k: usize,
    r: &crate::model::ResponseMeasures,
    t: &Truth,
    s: &mut Score,
) {
    use crate::model::Flag;
    use tolerance as tol;
    let rc = &draw.conditions;
    let mut miss = |what: String| {
        s.misses.push(format!(
            "{} seed {} r{}: {what}",
            draw.cell,
            draw.seed,
            k + 1
        ))
    };
    let (Some(amp), Some(onset), Some(area)) = (r.amplitude_mv, r.onset_ms, r.area_mv_ms) else {
        miss(format!("unmeasured {:?}", r.flags));
        return;
    };
    let noise_allow = noise_allowance(rc);
    let allow = tol::AMPLITUDE_FRACTION * t.amplitude_mv + noise_allow;
    let amp_err = (amp - t.amplitude_mv).abs();
    let onset_err = (onset - t.onset_ms).abs();
    // Near its start the analytic edge is A u^2 / 0.03456 (u = t/neg).
    let rise_ms =
        draw.cmap.neg_ms * (tol::ONSET_NOISE_SDS * rc.noise_mv * BETA_PEAK / t.amplitude_mv).sqrt();
    let onset_allow = tol::ONSET_MS + rise_ms;
    let area_allow = tol::AREA_FRACTION * t.area_mv_ms + noise_allow * draw.cmap.neg_ms;
    let area_err = (area - t.area_mv_ms).abs();
    if amp_err > allow {
        miss(format!(
            "amplitude {amp:.4} vs {:.4} (allowed {allow:.4})",
            t.amplitude_mv
        ));
    }
    if onset_err > onset_allow {
        miss(format!(
            "onset {onset:.3} vs {:.3} (amplitude {:.2} mV, noise {:.1} uV)",
            t.onset_ms,
            t.amplitude_mv,
            rc.noise_mv * 1000.0
        ));
    }
    if area_err > area_allow {
        miss(format!("area {area:.3} vs {:.3}", t.area_mv_ms));
    }
    for f in [Flag::Clipped, Flag::NoResponse] {
        if r.has(f) {
            miss(format!("false {f} flag"));
        }
    }
    if r.has(Flag::ArtifactOverlap) {
        miss("artifact_overlap on a clean recording".to_string());
        s.overlap_flags += 1;
    }
    s.worst_amplitude_pct = s.worst_amplitude_pct.max(amp_err / t.amplitude_mv * 100.0);
    s.worst_amplitude_use = s.worst_amplitude_use.max(amp_err / allow);
    s.worst_onset_ms = s.worst_onset_ms.max(onset_err);
    s.worst_area_pct = s.worst_area_pct.max(area_err / t.area_mv_ms * 100.0);
    s.worst_onset_use = s.worst_onset_use.max(onset_err / onset_allow);
    s.responses += 1;
}

/// Scores the train's decrement or increment against the truth's.
fn score_change(draw: &Draw, test: &crate::model::TestMeasures, truths: &[Truth], s: &mut Score) {
    let a1 = truths[0].amplitude_mv;
    let (measured, truth, k) = if let Some(d) = test.decrement_pct {
        let k = 3.min(truths.len() - 1);
        (d, (a1 - truths[k].amplitude_mv) / a1 * 100.0, k)
    } else if let (Some(i), Some(k)) = (test.increment_pct, test.deciding_response) {
        (i, (truths[k].amplitude_mv - a1) / a1 * 100.0, k)
    } else {
        return;
    };
    let ak = truths[k].amplitude_mv;
    let noise_allow = noise_allowance(&draw.conditions);
    let allow_pp = tolerance::PERCENT_POINTS + 100.0 * noise_allow * (1.0 / a1 + ak / (a1 * a1));
    let err = (measured - truth).abs();
    s.worst_change_pp = s.worst_change_pp.max(err);
    if err > allow_pp {
        s.misses.push(format!(
            "{} seed {}: change {measured:.2}% vs {truth:.2}% (allowed {allow_pp:.2} pp)",
            draw.cell, draw.seed
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_matrix_has_every_cell_once() {
        let c = cells();
        assert_eq!(c.len(), 5 * 4 * 2 * 4);
        let d = c[7].draw(3, false);
        assert_eq!(d, c[7].draw(3, false), "seeded");
        assert!(d.cmap.onset_ms >= d.artifact_settled_ms + 0.5);
        let r = d.recording(3);
        assert_eq!(r.n_responses(), d.factors.len());
        assert_eq!(r.samples_mv, d.recording(3).samples_mv);
    }
}
