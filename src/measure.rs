//! Per-response CMAP measures and quality flags.
//!
//! Works on a conditioned trace (baseline at zero, artifact located; see
//! [`crate::signal`]). Definitions follow the clinical convention (Preston &
//! Shapiro): onset is the takeoff from baseline, amplitude is baseline to
//! negative peak, area and duration are those of the negative phase (onset to
//! the first return through baseline), peak-to-peak is negative peak to the
//! following positive peak.

use serde::{Deserialize, Serialize};

use crate::signal::{stats, BaselineSource, ConditionInfo, Conditioner, SignalConfig};

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
        }
    }
}

/// Quality flags, with stable snake_case codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// A flat top at the amplifier rail: the amplitude is underestimated.
    Clipped,
    /// The response is small against the baseline noise.
    LowSnr,
    /// The stimulus artifact had not settled before the response began.
    ArtifactOverlap,
    /// No response could be found.
    NoResponse,
    /// The trace looked inverted (positive first) and was measured flipped.
    PolarityInverted,
    /// The baseline wanders (hum, movement, drift) against the response.
    BaselineUnstable,
    /// A train whose amplitudes jump up and down, as artifacts do.
    IrregularTrain,
}

impl Flag {
    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            Flag::Clipped => "clipped",
            Flag::LowSnr => "low_snr",
            Flag::ArtifactOverlap => "artifact_overlap",
            Flag::NoResponse => "no_response",
            Flag::PolarityInverted => "polarity_inverted",
            Flag::BaselineUnstable => "baseline_unstable",
            Flag::IrregularTrain => "irregular_train",
        }
    }

    /// Flags that make a measured value unreliable for interpretation.
    pub fn is_disqualifying(self) -> bool {
        matches!(
            self,
            Flag::Clipped
                | Flag::IrregularTrain
                | Flag::NoResponse
                | Flag::LowSnr
                | Flag::ArtifactOverlap
        )
    }
}

impl std::fmt::Display for Flag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// The measures of one response. `None` where the response did not allow a
/// measure (no response).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseMeasures {
    /// Response label.
    pub label: String,
    /// Takeoff from baseline, ms after the stimulus.
    pub onset_ms: Option<f64>,
    /// Time of the negative peak, ms after the stimulus.
    pub negative_peak_ms: Option<f64>,
    /// Baseline to negative peak (mV, positive).
    pub amplitude_mv: Option<f64>,
    /// Negative peak to the following positive peak (mV).
    pub peak_to_peak_mv: Option<f64>,
    /// Area of the negative phase (mV·ms, positive).
    pub area_mv_ms: Option<f64>,
    /// Duration of the negative phase (ms).
    pub duration_ms: Option<f64>,
    /// Amplitude change from the first response of the test (%, negative for
    /// a fall). Filled in by the protocol stage.
    pub change_pct: Option<f64>,
    /// Quality flags.
    pub flags: Vec<Flag>,
    /// Baseline noise SD (mV).
    pub noise_mv: f64,
    /// Where the stimulus artifact ended (ms after the stimulus).
    pub artifact_end_ms: f64,
    /// The baseline level removed (mV, as recorded, after a declared
    /// inversion).
    pub baseline_mv: f64,
    /// Where the baseline came from.
    pub baseline_source: BaselineSource,
    /// The window the baseline was taken from (ms after the stimulus, start
    /// and end).
    pub baseline_window_ms: [f64; 2],
    /// Linear drift removed with the baseline (mV per ms, pivoting on the
    /// middle of `baseline_window_ms`): the baseline under sample time `t`
    /// is `baseline_mv + drift_mv_per_ms * (t - pivot)`.
    pub drift_mv_per_ms: f64,
}

impl ResponseMeasures {
    /// The baseline under `t_ms` (mV, as recorded after a declared
    /// inversion): the level plus the drift from the window's middle.
    pub fn baseline_at(&self, t_ms: f64) -> f64 {
        let pivot = 0.5 * (self.baseline_window_ms[0] + self.baseline_window_ms[1]);
        self.baseline_mv + self.drift_mv_per_ms * (t_ms - pivot)
    }

    /// Whether a flag is set.
    pub fn has(&self, flag: Flag) -> bool {
        self.flags.contains(&flag)
    }
}

/// Reusable measurement workspace: conditioning buffers plus the smoothed
/// trace.
#[derive(Debug, Default)]
pub struct Measurer {
    conditioner: Conditioner,
    raw: Vec<f64>,
    smooth: Vec<f64>,
    flipped: Vec<f64>,
}

impl Measurer {
    /// A measurer with empty buffers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Conditions and measures one response.
    #[allow(clippy::too_many_arguments)]
    pub fn measure<I>(
        &mut self,
        signal: &SignalConfig,
        config: &MeasureConfig,
        label: &str,
        raw: I,
        t0_ms: f64,
        dt_ms: f64,
        invert: bool,
    ) -> ResponseMeasures
    where
        I: IntoIterator<Item = f64>,
    {
        self.raw.clear();
        self.raw.extend(raw);
        let (y, info) =
            self.conditioner
                .condition(signal, self.raw.iter().copied(), t0_ms, dt_ms, invert);
        let clipped = is_clipped(&self.raw, t0_ms, dt_ms, signal, config, info.noise_sd_mv);
        let mut m = measure_conditioned(
            config,
            label,
            y,
            &info,
            t0_ms,
            dt_ms,
            &mut self.smooth,
            &mut self.flipped,
        );
        if clipped {
            m.flags.insert(0, Flag::Clipped);
        }
        m
    }
}

/// A flat run at the rail: at least `clip_min_ms` of equal samples at the
/// extreme of the sweep after the stimulus, far from the start level, that
/// whose surrounding samples describe a peak far beyond it (a quantised
/// export flattens a smooth peak too, but only by a step or so).
fn is_clipped(
    raw: &[f64],
    t0_ms: f64,
    dt_ms: f64,
    signal: &SignalConfig,
    c: &MeasureConfig,
    noise_sd: f64,
) -> bool {
    // Three equal quantised samples at a noisy peak happen by chance (about one
    // response in 3,000 at 5 kHz); four do not.
    let min_run = crate::signal::samples_in(c.clip_min_ms, dt_ms, raw.len()).max(4);
    // Skip the artifact's own rail: only runs after the latest artifact end
    // count.
    let start_ms = signal.artifact_max_ms.min(2.0);
    let skip = crate::signal::samples_in(start_ms - t0_ms, dt_ms, raw.len());
    let w = &raw[skip..];
    if w.len() < min_run + 2 {
        return false;
    }
    let ((lo, lo_run), (hi, hi_run)) = extremes_with_runs(w, min_run);
    let span = hi - lo;
    [(lo, lo_run), (hi, hi_run)]
        .iter()
        .any(|&(rail, (start, len))| {
            // A rail is far from the baseline: runs of baseline samples in a
            // noise-free trace are not clipping.
            if span <= 0.0 || (rail - w[0]).abs() <= 0.5 * span {
                return false;
            }
            let k = (len / 2).max(3);
            if len < min_run || start < k || start + len + k > w.len() {
                return false;
            }
            // Around a rail, the samples on either side of the flat run describe
            // a peak far beyond it; around a smooth peak flattened by
            // quantisation or noise, they describe one within a few steps of it.
            let q = w
                .windows(2)
                .map(|p| (p[1] - p[0]).abs())
                .filter(|d| *d > 0.0)
                .fold(f64::INFINITY, f64::min);
            let beyond = CLIP_EXCESS * q.max(noise_sd);
            let sides = (start - k..start).chain(start + len..start + len + k);
            let centre = start as f64 + 0.5 * len as f64;
            let Some([a, b, c]) = stats::fit_parabola(sides.map(|i| (i as f64 - centre, w[i])))
            else {
                return false;
            };
            let dir = (rail - w[0]).signum();
            // The peak of the parabola, when it curves back (a true extreme).
            (c * dir < 0.0) && ((a - b * b / (4.0 * c)) - rail) * dir > beyond
        })
}

/// How far past the rail (in noise SDs or quantisation steps) the peak the
/// samples around a flat run describe must lie for the run to be clipping.
const CLIP_EXCESS: f64 = 5.0;

/// The smallest and largest sample, each with its longest run of equal
/// samples `(start, length)` if one reaches `min_run`.
type Extreme = (f64, (usize, usize));

fn extremes_with_runs(w: &[f64], min_run: usize) -> (Extreme, Extreme) {
    let (lo, hi) = stats::range(w);
    (
        (lo, longest_run(w, lo, min_run)),
        (hi, longest_run(w, hi, min_run)),
    )
}

/// The longest run of samples equal to `v` among runs of at least
/// `min_run`, as `(start, length)` (`(0, 0)` when there is none). Any
/// `min_run` consecutive indices hold a multiple of `min_run`, so only those
/// samples are looked at until one matches.
fn longest_run(w: &[f64], v: f64, min_run: usize) -> (usize, usize) {
    let step = min_run.max(1);
    let mut best = (0, 0);
    let mut i = 0;
    while i < w.len() {
        if w[i] != v {
            i += step;
            continue;
        }
        let start = i - w[..i].iter().rev().take_while(|x| **x == v).count();
        let len = w[start..].iter().take_while(|x| **x == v).count();
        if len >= min_run && len > best.1 {
            best = (start, len);
        }
        // Past the run, on to the next multiple of the step.
        i = (start + len).div_ceil(step) * step;
    }
    best
}

#[allow(clippy::too_many_arguments)]
fn measure_conditioned(
    c: &MeasureConfig,
    label: &str,
    y_in: &[f64],
    info: &ConditionInfo,
    t0_ms: f64,
    dt_ms: f64,
    smooth: &mut Vec<f64>,
    flipped: &mut Vec<f64>,
) -> ResponseMeasures {
    let n = y_in.len();
    let time = |x: f64| t0_ms + x * dt_ms;
    let a = info.artifact_end.min(n.saturating_sub(1));
    let mut flags = Vec::new();
    let mut out = ResponseMeasures {
        label: label.to_string(),
        onset_ms: None,
        negative_peak_ms: None,
        amplitude_mv: None,
        peak_to_peak_mv: None,
        area_mv_ms: None,
        duration_ms: None,
        change_pct: None,
        flags: Vec::new(),
        noise_mv: info.noise_sd_mv,
        artifact_end_ms: time(a as f64),
        baseline_mv: info.baseline_mv,
        baseline_source: info.baseline_source,
        baseline_window_ms: [
            time(info.baseline_window.0 as f64),
            time(info.baseline_window.1 as f64),
        ],
        drift_mv_per_ms: info.drift_mv_per_ms,
    };
    if n < 4 || a + 3 >= n {
        out.flags.push(Flag::NoResponse);
        return out;
    }
    let width = (((c.smoothing_ms / dt_ms).round() as usize).max(1)) | 1;
    stats::moving_average(y_in, width, smooth);
    let (imin, imax) = extremes(&smooth[a..]);
    let (mut imin, imax) = (imin + a, imax + a);
    let mut y: &[f64] = y_in;
    // Polarity: the first major phase must be the negative one.
    let looks_inverted = smooth[imax] > 0.0
        && (smooth[imin] >= 0.0
            || (imax < imin && smooth[imax] >= c.polarity_ratio * -smooth[imin]));
    if looks_inverted {
        flags.push(Flag::PolarityInverted);
        for v in smooth.iter_mut() {
            *v = -*v;
        }
        flipped.clear();
        flipped.extend(y_in.iter().map(|v| -v));
        y = flipped;
        imin = extremes(&smooth[a..]).0 + a;
    }
    let h = ((c.peak_fit_ms / dt_ms).round() as usize).max(1);
    let (peak_x, peak_v) = stats::parabola_vertex(y, imin, h);
    let amplitude = -peak_v;
    let sigma = info.noise_sd_mv;
    out.amplitude_mv = Some(amplitude.max(0.0));
    if amplitude < c.no_response_mv.max(4.0 * sigma) {
        flags.push(Flag::NoResponse);
        out.flags = flags;
        return out;
    }
    out.negative_peak_ms = Some(time(peak_x));

    // Onset: first cross a threshold that noise cannot, then walk back to
    // where the smoothed trace leaves the noise band around zero.
    let threshold = (c.onset_noise_factor * sigma).max(c.onset_fraction * amplitude);
    // The noise band: white noise after smoothing, and at least half the
    // baseline's own wander (hum, residual artifact).
    let sigma_s = sigma / (width as f64).sqrt();
    let floor = sigma_s
        .max(0.5 * info.baseline_spread_mv)
        .max(1e-4 * amplitude);
    let mut j = imin;
    while j > a && smooth[j] < -threshold {
        j -= 1;
    }
    // Walk back while the trace is below the band and still rising towards
    // zero going backwards faster than noise, hum or a residual artifact
    // tail can make it: the takeoff is where the steep edge ends.
    let slope_step = (3.0 * std::f64::consts::SQRT_2 * sigma / width as f64)
        .max(c.onset_min_slope_per_ms * amplitude * dt_ms);
    while j > a && smooth[j - 1] < -floor && smooth[j] - smooth[j - 1] < -slope_step {
        j -= 1;
    }
    let onset_x = if smooth[j] < -floor && j + 1 < n {
        // Stopped on the edge (the slope fell to noise level) rather than at
        // the noise band: extrapolate the edge back, by at most one sample,
        // to the level just before it (the local baseline, which residual
        // hum or drift may hold off zero). This halves the lateness of a
        // gradual takeoff.
        let level = if j > a { smooth[j - 1].min(0.0) } else { 0.0 };
        let drop = smooth[j] - smooth[j + 1];
        let back = if drop > 1e-12 {
            ((level - smooth[j]) / drop).clamp(0.0, 1.0)
        } else {
            0.0
        };
        (j as f64 - back).max(a as f64)
    } else if j > a || smooth[a] >= -floor {
        // Interpolate the crossing of -floor between j and j+1.
        let (v0, v1) = (smooth[j], smooth[(j + 1).min(n - 1)]);
        let frac = if (v0 - v1).abs() > 1e-12 {
            ((v0 + floor) / (v0 - v1)).clamp(0.0, 1.0)
        } else {
            0.0
        };
        j as f64 + frac
    } else {
        a as f64
    };
    // A CMAP leaves its baseline like a parabola: where noise hides the
    // first tenth of a millisecond, the 8% and 32% crossings of the edge
    // extrapolate back to where it left (for y ~ t^2 the 8% point is as far
    // after the takeoff as the 32% point is after the 8% point).
    let onset_x = match (
        crossing_before(smooth, imin, a, -EDGE_LOW * amplitude),
        crossing_before(smooth, imin, a, -EDGE_HIGH * amplitude),
    ) {
        (Some(x5), Some(x20)) if x20 > x5 => onset_x.min(x5 - (x20 - x5)).max(a as f64),
        _ => onset_x,
    };
    if info.artifact_unsettled || (j <= a && smooth[a] < -threshold) {
        flags.push(Flag::ArtifactOverlap);
    }

    // End of the negative phase: first return through baseline.
    let mut e = imin;
    while e + 1 < n && smooth[e + 1] < 0.0 {
        e += 1;
    }
    let end_x = if e + 1 < n {
        let (v0, v1) = (smooth[e], smooth[e + 1]);
        e as f64 + (v0 / (v0 - v1)).clamp(0.0, 1.0)
    } else {
        (n - 1) as f64
    };
    // Area: trapezoids over the samples inside [onset, end], plus the partial
    // sample intervals at each end.
    let first = onset_x.ceil() as usize;
    let last = (end_x.floor() as usize).min(n - 1);
    let mut area = 0.0;
    if last > first {
        for w in y[first..=last].windows(2) {
            area -= 0.5 * (w[0] + w[1]) * dt_ms;
        }
    }
    if first >= 1 && first < n {
        area -= 0.5 * y[first] * (first as f64 - onset_x) * dt_ms;
    }
    if last + 1 < n {
        area -= 0.5 * y[last] * (end_x - last as f64) * dt_ms;
    }
    // The positive peak that follows the negative one.
    let after = &smooth[imin..];
    let (_, pmax) = extremes(after);
    let (_, pos_v) = stats::parabola_vertex(y, pmax + imin, h);
    out.onset_ms = Some(time(onset_x));
    out.duration_ms = Some((end_x - onset_x) * dt_ms);
    out.area_mv_ms = Some(area);
    out.peak_to_peak_mv = Some(amplitude + pos_v.max(0.0));

    if amplitude < c.low_snr_ratio * sigma {
        flags.push(Flag::LowSnr);
    }
    if info.baseline_spread_mv > c.baseline_unstable_fraction * amplitude
        && info.baseline_spread_mv > 8.0 * sigma
    {
        flags.push(Flag::BaselineUnstable);
    }
    out.flags = flags;
    out
}

/// Low and high points of the leading edge used to extrapolate the takeoff
/// (fractions of the amplitude); sqrt(0.32 / 0.08) = 2 makes the parabola's
/// extrapolation one interval back.
const EDGE_LOW: f64 = 0.08;
const EDGE_HIGH: f64 = 0.32;

/// The fractional index where `s` last rises above `level` walking back
/// from `from` (going backwards, the first sample at or above it), linearly
/// interpolated; `None` when it stays below down to `stop`.
fn crossing_before(s: &[f64], from: usize, stop: usize, level: f64) -> Option<f64> {
    let mut k = from;
    while k > stop && s[k] < level {
        k -= 1;
    }
    if s[k] < level || k + 1 >= s.len() {
        return None;
    }
    let (v0, v1) = (s[k], s[k + 1]);
    let frac = if (v0 - v1).abs() > 1e-12 {
        ((v0 - level) / (v0 - v1)).clamp(0.0, 1.0)
    } else {
        0.0
    };
    Some(k as f64 + frac)
}

/// Indices of the minimum and maximum.
fn extremes(v: &[f64]) -> (usize, usize) {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_run_matches_a_plain_scan() {
        // Coarsely quantised random walks have many runs at their extremes.
        use rand::{Rng, SeedableRng};
        let naive = |w: &[f64], v: f64, min_run: usize| {
            let mut best = (0, 0);
            let mut i = 0;
            while i < w.len() {
                let len = w[i..].iter().take_while(|x| **x == v).count();
                if len >= min_run && len > best.1 {
                    best = (i, len);
                }
                i += len.max(1);
            }
            best
        };
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        for _ in 0..2000 {
            let n = rng.random_range(1..60);
            let w: Vec<f64> = (0..n).map(|_| rng.random_range(0..3) as f64).collect();
            for min_run in 1..6 {
                let ((lo, lo_run), (hi, hi_run)) = extremes_with_runs(&w, min_run);
                assert_eq!(lo_run, naive(&w, lo, min_run), "{w:?} {min_run}");
                assert_eq!(hi_run, naive(&w, hi, min_run), "{w:?} {min_run}");
            }
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
        let r = m.measure(
            &SignalConfig::default(),
            &MeasureConfig::default(),
            "r1",
            y.iter().copied(),
            -5.0,
            dt,
            false,
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
        let r = m.measure(&s, &c, "r1", y.iter().copied(), -5.0, dt, false);
        assert!(r.has(Flag::Clipped));
        let y = cmap(dt, -5.0, 1000, 3.0, 8.0);
        let r = m.measure(&s, &c, "r1", y.iter().map(|v| -v), -5.0, dt, false);
        assert!(r.has(Flag::PolarityInverted));
        let peak = -y.iter().copied().fold(f64::INFINITY, f64::min);
        assert!((r.amplitude_mv.unwrap() - peak).abs() < 0.01 * peak);
        let flat = vec![0.0; 1000];
        let r = m.measure(&s, &c, "r1", flat.iter().copied(), -5.0, dt, false);
        assert!(r.has(Flag::NoResponse));
    }
}
