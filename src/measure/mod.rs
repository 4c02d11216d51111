//! Per-response CMAP measures and quality flags.
//!
//! Works on a conditioned trace (baseline at zero, artifact located; see
//! [`crate::signal`]). Definitions follow the clinical convention (Preston &
//! Shapiro): onset is the takeoff from baseline, amplitude is baseline to
//! negative peak, area and duration are those of the negative phase (onset to
//! the first return through baseline), peak-to-peak is negative peak to the
//! following positive peak. The steps: clipping on the raw samples
//! (`clip.rs`), then orientation, the negative peak, the onset (`onset.rs`),
//! the end of the negative phase, its area, the positive peak, and the
//! quality flags.

mod clip;
pub mod jitter;
mod onset;

use serde::{Deserialize, Serialize};

use crate::model::{BaselineSource, Flag, ManualMarks, MarkEntry, ResponseLabel, ResponseMeasures};
use crate::numeric::{samples_in, stats};
use crate::signal::{ConditionInfo, Conditioner, SignalConfig};

/// Measurement settings, with the defaults documented per field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MeasureConfig {
    /// Moving-average width used to find peaks, onset and the baseline
    /// crossing (default 0.2 ms). Centred, so it moves nothing in time.
    pub smoothing_ms: f64,
    /// Half-width of the parabola fitted at each peak (default 0.2 ms).
    pub peak_fit_ms: f64,
    /// A positive phase first is taken as inverted polarity when it is at
    /// least this fraction of the negative one (default 0.6).
    pub polarity_ratio: f64,
    /// The response must cross this many noise SDs to count as started
    /// (default 4).
    pub onset_noise_factor: f64,
    /// ... and this fraction of the amplitude (default 0.05).
    pub onset_fraction: f64,
    /// The takeoff is where the edge becomes shallower than this fraction of
    /// the amplitude per ms (default 0.02), or than noise allows.
    pub onset_min_slope_per_ms: f64,
    /// No response below this amplitude (default 0.05 mV, and at least 4 x
    /// noise).
    pub no_response_mv: f64,
    /// `low_snr` below this amplitude-to-noise-SD ratio (default 10).
    pub low_snr_ratio: f64,
    /// A flat run at the extreme this long is clipping (default 0.15 ms).
    pub clip_min_ms: f64,
    /// `baseline_unstable` when the baseline window wanders by more than
    /// this fraction of the amplitude (default 0.1) and more than 8 noise SDs.
    pub baseline_unstable_fraction: f64,
    /// `early_onset` when the response starts sooner than this after the
    /// stimulus (default 1 ms).
    pub min_onset_ms: f64,
}

impl Default for MeasureConfig {
    fn default() -> Self {
        MeasureConfig {
            smoothing_ms: 0.2,
            peak_fit_ms: 0.2,
            polarity_ratio: 0.6,
            onset_noise_factor: 4.0,
            onset_fraction: 0.05,
            onset_min_slope_per_ms: 0.02,
            no_response_mv: 0.05,
            low_snr_ratio: 10.0,
            clip_min_ms: 0.15,
            baseline_unstable_fraction: 0.1,
            min_onset_ms: MIN_ONSET_MS,
        }
    }
}

/// The tool's own floor for a CMAP's onset latency: the impulse travels
/// from the stimulating cathode along the nerve to the muscle and crosses
/// the junction, which together take more than a millisecond at any site
/// stimulated in these tests; an onset sooner than that is an artifact
/// taken for a CMAP, or a CMAP taken for the stimulus.
pub const MIN_ONSET_MS: f64 = 1.0;

/// One recorded sweep, as the measurement reads it.
#[derive(Debug, Clone, Copy)]
pub struct Sweep<'a> {
    /// The response's label.
    pub label: &'a ResponseLabel,
    /// Samples (mV), as recorded.
    pub samples_mv: &'a [f64],
    /// Time of the first sample relative to the stimulus (ms).
    pub t0_ms: f64,
    /// Sampling interval (ms).
    pub dt_ms: f64,
    /// The file declares the recording inverted (flip before measuring).
    pub inverted: bool,
}

/// Reusable measurement workspace: conditioning buffers plus the smoothed
/// trace.
#[derive(Debug, Default)]
pub struct Measurer {
    conditioner: Conditioner,
    smooth: Vec<f64>,
    flipped: Vec<f64>,
    /// The conditioned trace re-levelled on a baseline window set by hand.
    relevelled: Vec<f64>,
}

impl Measurer {
    /// A measurer with empty buffers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Conditions and measures one response.
    pub fn measure(
        &mut self,
        sweep: &Sweep,
        signal: &SignalConfig,
        config: &MeasureConfig,
    ) -> ResponseMeasures {
        self.measure_marked(sweep, signal, config, None)
    }

    /// Conditions and measures one response with the markers a person set
    /// on it (`docs/markers.md`): the automatic measures first, kept in
    /// [`ResponseMeasures::manual`], then the measures from the marks (a
    /// manual onset, the negative peak searched after it; a manual
    /// negative peak, its time and the conditioned trace's value there; a
    /// manual end; duration and area from onset and end), or no measures
    /// and [`Flag::Excluded`] for an excluded response.
    pub fn measure_marked(
        &mut self,
        sweep: &Sweep,
        signal: &SignalConfig,
        config: &MeasureConfig,
        marks: Option<&MarkEntry>,
    ) -> ResponseMeasures {
        let (y, info) = self.conditioner.condition(
            signal,
            sweep.samples_mv.iter().copied(),
            sweep.t0_ms,
            sweep.dt_ms,
            sweep.inverted,
        );
        let clipped = clip::is_clipped(
            sweep.samples_mv,
            sweep.t0_ms,
            sweep.dt_ms,
            signal,
            config,
            info.noise_sd_mv,
        );
        let bufs = Buffers {
            smooth: &mut self.smooth,
            flipped: &mut self.flipped,
        };
        let mut m = measure_conditioned(config, sweep, y, &info, bufs, None);
        if let Some(e) = marks {
            let mut manual = ManualMarks {
                automatic_onset_ms: m.onset_ms,
                automatic_negative_peak_ms: m.negative_peak_ms,
                automatic_end_ms: m.onset_ms.zip(m.duration_ms).map(|(o, d)| o + d),
                automatic_amplitude_mv: m.amplitude_mv,
                automatic_baseline_window_ms: None,
                set: e.marks(),
                excluded: e.excluded.clone(),
                by: e.by.clone(),
                at: e.at.clone(),
            };
            if e.excluded.is_some() {
                exclude(&mut m);
            } else {
                let relevel = e.baseline_ms.and_then(|w| {
                    let (lo, hi) = window_samples(sweep, w, y.len());
                    stats::median(&y[lo..hi], &mut self.relevelled)
                });
                let bufs = Buffers {
                    smooth: &mut self.smooth,
                    flipped: &mut self.flipped,
                };
                let y = match relevel {
                    Some(level) => {
                        self.relevelled.clear();
                        self.relevelled.extend(y.iter().map(|v| v - level));
                        &self.relevelled[..]
                    }
                    None => y,
                };
                let automatic_window = m.baseline_window_ms;
                m = measure_conditioned(config, sweep, y, &info, bufs, Some(e));
                if let (Some(level), Some(w)) = (relevel, e.baseline_ms) {
                    manual.automatic_baseline_window_ms = Some(automatic_window);
                    set_baseline(&mut m, level, w);
                }
                if !borne_out(&m, e, y, sweep) {
                    m.flags.push(Flag::MarkImplausible);
                }
            }
            m.manual = Some(manual);
        }
        if clipped {
            m.flags.insert(0, Flag::Clipped);
        }
        m
    }
}

/// A mark set by hand may miss the trace's lowest point by what an
/// amplitude is held to elsewhere: 2% of it plus 3 noise SDs.
const MARK_TOLERANCE_FRACTION: f64 = 0.02;
const MARK_TOLERANCE_SDS: f64 = 3.0;

/// Whether the trace `y` (conditioned, as measured) bears out the marks of
/// `e` as measured in `m`: they leave a response; a negative peak set by
/// hand is the lowest point between onset and end (within the
/// tolerance); the end comes after the peak; a baseline window set by
/// hand does not lie on the negative phase.
fn borne_out(m: &ResponseMeasures, e: &MarkEntry, y: &[f64], sweep: &Sweep) -> bool {
    let (Some(onset), Some(peak), Some(amp), Some(duration)) = (
        m.onset_ms,
        m.negative_peak_ms,
        m.amplitude_mv,
        m.duration_ms,
    ) else {
        return false;
    };
    let end = onset + duration;
    if m.has(Flag::NoResponse) || end <= peak {
        return false;
    }
    if e.negative_peak_ms.is_some() {
        let sign = if m.has(Flag::PolarityInverted) {
            -1.0
        } else {
            1.0
        };
        let tolerance = MARK_TOLERANCE_FRACTION * amp + MARK_TOLERANCE_SDS * m.noise_mv;
        let lowest = y
            .iter()
            .enumerate()
            .filter(|(i, _)| (onset..=end).contains(&(sweep.t0_ms + *i as f64 * sweep.dt_ms)))
            .map(|(_, v)| sign * v)
            .fold(f64::INFINITY, f64::min);
        if lowest < -amp - tolerance {
            return false;
        }
    }
    !e.baseline_ms.is_some_and(|[a, b]| a < end && b > onset)
}

/// An excluded response: its number and flags, no measures.
fn exclude(m: &mut ResponseMeasures) {
    m.onset_ms = None;
    m.negative_peak_ms = None;
    m.amplitude_mv = None;
    m.peak_to_peak_mv = None;
    m.area_mv_ms = None;
    m.duration_ms = None;
    m.flags.push(Flag::Excluded);
}

/// The samples of a window given in ms (end inclusive), clamped to the
/// sweep and never empty.
fn window_samples(sweep: &Sweep, [from_ms, to_ms]: [f64; 2], n: usize) -> (usize, usize) {
    let last = n.saturating_sub(1);
    let index = |t: f64| (((t - sweep.t0_ms) / sweep.dt_ms).round().max(0.0) as usize).min(last);
    let lo = index(from_ms);
    (lo, (index(to_ms).max(lo) + 1).min(n))
}

/// Records a baseline window set by hand: the level removed grows by the
/// extra `level` taken off at the window, and the drift now pivots on its
/// middle (so `baseline_at` stays the baseline under every sample).
fn set_baseline(m: &mut ResponseMeasures, level: f64, window_ms: [f64; 2]) {
    let pivot = |w: [f64; 2]| 0.5 * (w[0] + w[1]);
    m.baseline_mv += level + m.drift_mv_per_ms * (pivot(window_ms) - pivot(m.baseline_window_ms));
    m.baseline_window_ms = window_ms;
    m.baseline_source = BaselineSource::Manual;
}

/// The measurer's buffers, lent to one measurement.
struct Buffers<'a> {
    smooth: &'a mut Vec<f64>,
    flipped: &'a mut Vec<f64>,
}

/// The measures of a response as far as conditioning knows them: no CMAP
/// measured yet.
fn blank(sweep: &Sweep, info: &ConditionInfo, artifact_end: usize) -> ResponseMeasures {
    let time = |x: f64| sweep.t0_ms + x * sweep.dt_ms;
    ResponseMeasures {
        label: sweep.label.clone(),
        onset_ms: None,
        negative_peak_ms: None,
        amplitude_mv: None,
        peak_to_peak_mv: None,
        area_mv_ms: None,
        duration_ms: None,
        flags: Vec::new(),
        noise_mv: info.noise_sd_mv,
        artifact_end_ms: time(artifact_end as f64),
        baseline_mv: info.baseline_mv,
        baseline_source: info.baseline_source,
        baseline_window_ms: [
            time(info.baseline_window.0 as f64),
            time(info.baseline_window.1 as f64),
        ],
        drift_mv_per_ms: info.drift_mv_per_ms,
        manual: None,
    }
}

fn measure_conditioned(
    c: &MeasureConfig,
    sweep: &Sweep,
    y_in: &[f64],
    info: &ConditionInfo,
    bufs: Buffers,
    marks: Option<&MarkEntry>,
) -> ResponseMeasures {
    let (n, dt_ms) = (y_in.len(), sweep.dt_ms);
    let time = |x: f64| sweep.t0_ms + x * dt_ms;
    let a = info.artifact_end.min(n.saturating_sub(1));
    let mut out = blank(sweep, info, a);
    if n < 4 || a + 3 >= n {
        out.flags.push(Flag::NoResponse);
        return out;
    }
    let width = samples_in(c.smoothing_ms, dt_ms, n).max(1) | 1;
    stats::moving_average(y_in, width, bufs.smooth);
    let (y, imin, imax) = orient(c, y_in, a, bufs.smooth, bufs.flipped, &mut out.flags);
    let smooth: &[f64] = bufs.smooth;
    let h = samples_in(c.peak_fit_ms, dt_ms, n).max(1);
    // Marks set by hand, as fractional samples inside the sweep.
    let x_of = |t: f64| ((t - sweep.t0_ms) / dt_ms).clamp(0.0, (n - 1) as f64);
    let manual_onset = marks.and_then(|m| m.onset_ms).map(x_of);
    let manual_end = marks.and_then(|m| m.end_ms).map(x_of);
    let manual_peak = marks.and_then(|m| m.negative_peak_ms).map(x_of);
    let (imin, peak_x, peak_v) = negative_peak(y, smooth, imin, h, manual_onset, manual_peak);
    let amplitude = -peak_v;
    let sigma = info.noise_sd_mv;
    out.amplitude_mv = Some(amplitude.max(0.0));
    if amplitude < c.no_response_mv.max(4.0 * sigma) {
        out.flags.push(Flag::NoResponse);
        return out;
    }
    // A mark is kept as written, not as its sample's time.
    let marked = |t: Option<f64>, x: f64| Some(t.unwrap_or_else(|| time(x)));
    out.negative_peak_ms = marked(marks.and_then(|m| m.negative_peak_ms), peak_x);
    let edge = onset::Edge {
        smooth,
        start: a,
        peak: imin,
        amplitude,
        noise_sd: sigma,
        baseline_spread: info.baseline_spread_mv,
        width,
        dt_ms,
    };
    let onset = match manual_onset {
        Some(x) => onset::Onset {
            x,
            under_artifact: x < a as f64,
        },
        None => onset::find(&edge, c),
    };
    if info.artifact_unsettled || onset.under_artifact {
        out.flags.push(Flag::ArtifactOverlap);
    }
    let end_x = manual_end.unwrap_or_else(|| phase_end(smooth, imin));
    // The positive peak that follows the negative one: the sweep's largest
    // value when it comes after the negative peak, as it mostly does.
    let pmax = if imax >= imin {
        imax - imin
    } else {
        extremes(&smooth[imin..]).1
    };
    let (_, pos_v) = stats::parabola_vertex(y, pmax + imin, h);
    out.onset_ms = marked(marks.and_then(|m| m.onset_ms), onset.x);
    if time(onset.x) < c.min_onset_ms {
        out.flags.push(Flag::EarlyOnset);
    }
    if imin + h >= n - 1 {
        // The trace still falls at its last samples: the peak is beyond.
        out.flags.push(Flag::PeakAtSweepEnd);
    }
    out.duration_ms = Some((end_x - onset.x) * dt_ms);
    out.area_mv_ms = Some(negative_area(y, onset.x, end_x, dt_ms));
    out.peak_to_peak_mv = Some(amplitude + pos_v.max(0.0));
    quality_flags(c, info, amplitude, &mut out.flags);
    out
}

/// The negative peak: its sample, fractional index and value. A manual
/// peak is where it is set (the trace's value there); after a manual onset
/// the peak is the smallest value after it, as the automatic one is after
/// the artifact; else the automatic one, `imin`. A parabola refines all
/// but a manual peak.
fn negative_peak(
    y: &[f64],
    smooth: &[f64],
    imin: usize,
    h: usize,
    manual_onset: Option<f64>,
    manual_peak: Option<f64>,
) -> (usize, f64, f64) {
    let n = smooth.len();
    if let Some(p) = manual_peak {
        return ((p.round() as usize).min(n - 1), p, interpolate(y, p));
    }
    let imin = match manual_onset {
        Some(o) => {
            let from = (o.ceil() as usize).min(n - 1);
            from + extremes(&smooth[from..]).0
        }
        None => imin,
    };
    let (x, v) = stats::parabola_vertex(y, imin, h);
    (imin, x, v)
}

/// The trace's value at fractional sample `x` (linear between samples).
fn interpolate(y: &[f64], x: f64) -> f64 {
    let last = y.len().saturating_sub(1);
    let i = (x.max(0.0).floor() as usize).min(last);
    let j = (i + 1).min(last);
    let f = (x - i as f64).clamp(0.0, 1.0);
    match (y.get(i), y.get(j)) {
        (Some(a), Some(b)) => a + f * (b - a),
        _ => 0.0,
    }
}

/// Polarity: the first major phase must be the negative one. A trace that
/// looks inverted is flipped (the smoothed copy in place, the samples into
/// `flipped`) and flagged. Returns the trace to measure, and the samples of
/// its negative and positive peaks after the artifact (the first of equal
/// ones).
fn orient<'a>(
    c: &MeasureConfig,
    y_in: &'a [f64],
    a: usize,
    smooth: &mut [f64],
    flipped: &'a mut Vec<f64>,
    flags: &mut Vec<Flag>,
) -> (&'a [f64], usize, usize) {
    let (imin, imax) = extremes(&smooth[a..]);
    let (imin, imax) = (imin + a, imax + a);
    let looks_inverted = smooth[imax] > 0.0
        && (smooth[imin] >= 0.0
            || (imax < imin && smooth[imax] >= c.polarity_ratio * -smooth[imin]));
    if !looks_inverted {
        return (y_in, imin, imax);
    }
    flags.push(Flag::PolarityInverted);
    for v in smooth.iter_mut() {
        *v = -*v;
    }
    flipped.clear();
    flipped.extend(y_in.iter().map(|v| -v));
    let (imin, imax) = extremes(&smooth[a..]);
    (flipped, imin + a, imax + a)
}

/// End of the negative phase: its first return through the baseline after
/// the peak (fractional index), or the end of the sweep.
fn phase_end(smooth: &[f64], peak: usize) -> f64 {
    let n = smooth.len();
    let mut e = peak;
    while e + 1 < n && smooth[e + 1] < 0.0 {
        e += 1;
    }
    if e + 1 < n {
        let (v0, v1) = (smooth[e], smooth[e + 1]);
        e as f64 + (v0 / (v0 - v1)).clamp(0.0, 1.0)
    } else {
        (n - 1) as f64
    }
}

/// Area of the negative phase (mV·ms, positive): trapezoids over the
/// samples inside `[from, to]`, plus the partial intervals at each end.
fn negative_area(y: &[f64], from: f64, to: f64, dt_ms: f64) -> f64 {
    let n = y.len();
    // Saturating casts: NaN is 0, a span past the sweep ends at its end.
    let first = from.ceil().max(0.0) as usize;
    let last = (to.floor().max(0.0) as usize).min(n.saturating_sub(1));
    let mut area = 0.0;
    if last > first {
        for w in y[first..=last].windows(2) {
            area -= 0.5 * (w[0] + w[1]) * dt_ms;
        }
    }
    if first >= 1 && first < n {
        area -= 0.5 * y[first] * (first as f64 - from) * dt_ms;
    }
    if last + 1 < n {
        area -= 0.5 * y[last] * (to - last as f64) * dt_ms;
    }
    area
}

/// `low_snr` and `baseline_unstable`.
fn quality_flags(c: &MeasureConfig, info: &ConditionInfo, amplitude: f64, flags: &mut Vec<Flag>) {
    let sigma = info.noise_sd_mv;
    if amplitude < c.low_snr_ratio * sigma {
        flags.push(Flag::LowSnr);
    }
    /// Wander below this many noise SDs is the noise itself.
    const UNSTABLE_MIN_SDS: f64 = 8.0;
    if info.baseline_spread_mv > c.baseline_unstable_fraction * amplitude
        && info.baseline_spread_mv > UNSTABLE_MIN_SDS * sigma
    {
        flags.push(Flag::BaselineUnstable);
    }
}

/// Indices of the minimum and maximum (the first of equal ones; NaN is
/// skipped).
fn extremes(v: &[f64]) -> (usize, usize) {
    // The values first, in independent lanes (`stats::range`), then where
    // each first occurs: a running (value, index) pair per lane is a chain
    // of dependent selects, and the batch ran 2% slower with it. `==`
    // finds a zero of either sign, as the first smaller value would be.
    let (lo, hi) = stats::range(v);
    let first = |x: f64| v.iter().position(|&y| y == x).unwrap_or(0);
    // Nothing below +inf (above -inf) leaves the index at 0, as a running
    // pair starting there would.
    let imin = if lo == f64::INFINITY { 0 } else { first(lo) };
    let imax = if hi == f64::NEG_INFINITY {
        0
    } else {
        first(hi)
    };
    (imin, imax)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extremes_are_the_first_smallest_and_largest() {
        let naive = |v: &[f64]| {
            let (mut imin, mut imax) = (0, 0);
            let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
            for (i, &x) in v.iter().enumerate() {
                if x < lo {
                    (lo, imin) = (x, i);
                }
                if x > hi {
                    (hi, imax) = (x, i);
                }
            }
            (imin, imax)
        };
        // Ties (values mod 5), extremes in lanes and in the remainder,
        // NaN and an all-NaN sweep.
        for n in 0..40 {
            for shift in 0..7 {
                let mut v: Vec<f64> = (0..n).map(|i| ((i * 7 + shift) % 5) as f64).collect();
                if n > 3 {
                    v[shift % n] = f64::NAN;
                }
                assert_eq!(extremes(&v), naive(&v), "{v:?}");
            }
        }
        assert_eq!(extremes(&[f64::NAN; 11]), (0, 0));
        for v in [
            vec![f64::NAN, f64::INFINITY],
            vec![1.0, f64::INFINITY, f64::NEG_INFINITY],
            vec![f64::NEG_INFINITY, f64::NAN, f64::NEG_INFINITY],
            vec![f64::INFINITY, f64::INFINITY],
        ] {
            assert_eq!(extremes(&v), naive(&v), "{v:?}");
        }
    }

    fn sweep<'a>(label: &'a ResponseLabel, y: &'a [f64], dt: f64) -> Sweep<'a> {
        Sweep {
            label,
            samples_mv: y,
            t0_ms: -5.0,
            dt_ms: dt,
            inverted: false,
        }
    }

    /// A negative gamma-shaped phase then a positive one; returns (samples,
    /// onset, amplitude, area of the negative phase).
    fn cmap(dt: f64, t0: f64, n: usize, onset: f64, amp: f64) -> Vec<f64> {
        (0..n)
            .map(|i| {
                let t = t0 + i as f64 * dt - onset;
                if t <= 0.0 {
                    0.0
                } else {
                    let x = t / 3.0;
                    -amp * x * x * (2.0 * (1.0 - x)).exp() * (1.0 - t / 6.0)
                }
            })
            .collect()
    }

    #[test]
    fn measures_a_clean_cmap() {
        let dt = 0.05;
        let y = cmap(dt, -5.0, 1000, 3.0, 8.0);
        let mut m = Measurer::new();
        let r1 = ResponseLabel::Train(1);
        let r = m.measure(
            &sweep(&r1, &y, dt),
            &SignalConfig::default(),
            &MeasureConfig::default(),
        );
        assert!(r.flags.is_empty(), "{:?}", r.flags);
        let onset = r.onset_ms.unwrap();
        assert!((onset - 3.0).abs() < 0.15, "onset {onset}");
        // The negative phase ends where (1 - t/6) = 0, at 9 ms.
        let end = onset + r.duration_ms.unwrap();
        assert!((end - 9.0).abs() < 0.1, "end {end}");
        let peak = y.iter().copied().fold(f64::INFINITY, f64::min);
        assert!((r.amplitude_mv.unwrap() + peak).abs() < 0.01 * 8.0);
    }

    #[test]
    fn flags_clipping_and_inversion() {
        let dt = 0.05;
        let mut y = cmap(dt, -5.0, 1000, 3.0, 8.0);
        let rail = 0.8 * y.iter().copied().fold(f64::INFINITY, f64::min);
        for v in &mut y {
            *v = v.max(rail);
        }
        let mut m = Measurer::new();
        let s = SignalConfig::default();
        let c = MeasureConfig::default();
        let r1 = ResponseLabel::Train(1);
        let r = m.measure(&sweep(&r1, &y, dt), &s, &c);
        assert!(r.has(Flag::Clipped));
        let y = cmap(dt, -5.0, 1000, 3.0, 8.0);
        let minus: Vec<f64> = y.iter().map(|v| -v).collect();
        let r = m.measure(&sweep(&r1, &minus, dt), &s, &c);
        assert!(r.has(Flag::PolarityInverted));
        let peak = -y.iter().copied().fold(f64::INFINITY, f64::min);
        assert!((r.amplitude_mv.unwrap() - peak).abs() < 0.01 * peak);
        let flat = vec![0.0; 1000];
        let r = m.measure(&sweep(&r1, &flat, dt), &s, &c);
        assert!(r.has(Flag::NoResponse));
    }

    #[test]
    fn flags_a_peak_cut_off_by_the_sweep_and_an_onset_too_soon() {
        let dt = 0.05;
        let (s, c) = (SignalConfig::default(), MeasureConfig::default());
        let mut m = Measurer::new();
        let r1 = ResponseLabel::Train(1);
        // The peak is at 6 ms; a sweep to 5 ms cuts it off, one to 7 ms
        // holds it.
        for (n, cut) in [(200, true), (240, false), (1000, false)] {
            let y = cmap(dt, -5.0, n, 3.0, 8.0);
            let r = m.measure(&sweep(&r1, &y, dt), &s, &c);
            assert_eq!(r.has(Flag::PeakAtSweepEnd), cut, "{n}: {:?}", r.flags);
            assert!(Flag::PeakAtSweepEnd.is_disqualifying());
        }
        // A CMAP 0.3 ms after the "stimulus" is the stimulus time gone
        // wrong; one at 1.5 ms is a short latency.
        for (onset, early) in [(0.3, true), (1.5, false)] {
            let y = cmap(dt, -5.0, 1000, onset, 8.0);
            let r = m.measure(&sweep(&r1, &y, dt), &s, &c);
            assert_eq!(r.has(Flag::EarlyOnset), early, "{onset}: {:?}", r.flags);
        }
    }
}
