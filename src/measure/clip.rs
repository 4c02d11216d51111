//! Clipping: a CMAP beyond the amplifier's rail has a flat top, and its
//! amplitude is underestimated. Judged on the raw samples.

use super::MeasureConfig;
use crate::numeric::stats;
use crate::signal::SignalConfig;

/// A flat run at the rail: at least `clip_min_ms` of equal samples at the
/// extreme of the sweep after the stimulus, far from the start level, whose
/// surrounding samples describe a peak far beyond it (a quantised export
/// flattens a smooth peak too, but only by a step or so).
pub(super) fn is_clipped(
    raw: &[f64],
    t0_ms: f64,
    dt_ms: f64,
    signal: &SignalConfig,
    c: &MeasureConfig,
    noise_sd: f64,
) -> bool {
    // Three equal quantised samples at a noisy peak happen by chance (about one
    // response in 3,000 at 5 kHz); four do not.
    let min_run = crate::numeric::samples_in(c.clip_min_ms, dt_ms, raw.len()).max(4);
    // Skip the artifact's own rail: only runs after the latest artifact end
    // count.
    let start_ms = signal.artifact_max_ms.min(2.0);
    let skip = crate::numeric::samples_in(start_ms - t0_ms, dt_ms, raw.len());
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
}
