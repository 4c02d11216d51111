//! The quiet stretch before the response, found from the response
//! backwards: the first major phase's peak, then the takeoff (walking back
//! while the trace still moves towards the baseline), then the flat stretch
//! before it (walking back while the trace stays at the takeoff's level).
//! Where that flat stretch begins, the artifact (or the previous response's
//! tail) has ended. Nothing here depends on a level taken far from the
//! response: not the end of a short sweep, not an artifact's overshoot.

use super::grid::Grid;
use crate::numeric::stats;

/// No CMAP peaks this soon after the stimulus (ms): the shortest distal
/// motor latencies are about 2 ms, and the artifact's spike lives here.
const EARLIEST_PEAK_MS: f64 = 1.5;
/// Span over which the walk back to the takeoff asks for progress (ms).
const PROGRESS_SPAN_MS: f64 = 0.3;
/// Gap between the takeoff and the end of the baseline window (ms).
const TAKEOFF_GAP_MS: f64 = 0.3;
/// Longest baseline window (ms): close to the response, long enough to
/// average noise.
const QUIET_SPAN_MS: f64 = 0.8;
/// A trend or offset this fraction of the response moves its amplitude by
/// well under the 2% that matters.
const TREND_FRACTION: f64 = 0.005;
/// Samples straying from the level this long in a row (ms) end the flat
/// stretch before the takeoff.
const STRAY_RUN_MS: f64 = 0.1;
/// Fewest samples a trend before the takeoff is judged on.
const MIN_TREND_SAMPLES: usize = 6;
/// A response must reach this many noise SDs to be looked for at all.
const MIN_RESPONSE_SDS: f64 = 5.0;

/// The stretch before the response.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Quiet {
    /// Start of the baseline window.
    pub lo: usize,
    /// End of the baseline window (exclusive).
    pub hi: usize,
    /// Where the flat stretch before the takeoff begins: the artifact (or a
    /// previous response's tail) has ended there.
    pub settled_from: usize,
    /// The window has no trend beyond noise and a small fraction of the
    /// response.
    pub flat: bool,
    /// The window trends beyond noise alone (a tail may be decaying).
    pub trending: bool,
    /// The response's first phase, from the sweep's median (mV): what a
    /// baseline error is weighed against.
    pub size_mv: f64,
}

/// The response as first seen: its leading edge, its first phase's size
/// and direction.
struct Response {
    /// A sample on the steep leading edge (half the largest excursion).
    edge: usize,
    /// The first phase's size (mV).
    size: f64,
    /// +1 for a positive first phase, -1 for a negative one.
    dir: f64,
}

/// The smoothed samples from `floor` on: `at(i)` is sample `i`.
struct Smoothed<'a> {
    smooth: &'a [f64],
    floor: usize,
}

impl Smoothed<'_> {
    fn at(&self, i: usize) -> f64 {
        self.smooth[i - self.floor]
    }

    fn mean(&self, a: usize, b: usize) -> f64 {
        (a..b).map(|i| self.at(i)).sum::<f64>() / (b - a) as f64
    }
}

/// Finds the quiet stretch before the response in `y`, searching for the
/// response from `from` (the artifact's end as first found, or later) and
/// for the flat stretch down to `floor` (the stimulus plus the artifact's
/// least duration). `None` when no response stands out of the noise.
pub(crate) fn quiet_stretch(
    y: &[f64],
    g: &Grid,
    from: usize,
    floor: usize,
    noise_sd: f64,
    smooth: &mut Vec<f64>,
    scratch: &mut Vec<f64>,
) -> Option<Quiet> {
    let n = y.len();
    let start = from.max(g.stim + g.samples(EARLIEST_PEAK_MS));
    if start + 4 >= n || floor >= n {
        return None;
    }
    let r = find_response(y, start, noise_sd, scratch)?;
    let width = g.samples(0.2) | 1;
    // Smoothed from `floor` to the edge: all the walks need.
    stats::moving_average(&y[floor..(r.edge + width).min(n)], width, smooth);
    let s = Smoothed { smooth, floor };
    let span = g.samples(PROGRESS_SPAN_MS).max(3);
    // The takeoff is within the span before where the walk stopped.
    let j = walk_to_takeoff(&s, &r, span, noise_sd).saturating_sub(span / 2);
    let hi = j.saturating_sub(g.samples(TAKEOFF_GAP_MS)).max(floor);
    if hi < floor + 2 {
        return Some(Quiet {
            lo: floor,
            hi: (floor + 2).min(n),
            settled_from: floor,
            flat: false,
            trending: true,
            size_mv: r.size,
        });
    }
    let level = stats::median(&y[hi.saturating_sub(span).max(floor)..hi], scratch)?;
    let near = 3.0 * noise_sd / (width as f64).sqrt() + 2.0 * TREND_FRACTION * r.size;
    let a = flat_start(&s, hi, level, near, g.samples(STRAY_RUN_MS).max(2));
    Some(judge(y, g, (floor, a, hi), &r, noise_sd, scratch))
}

/// The response's first phase, on the raw samples (noise is small against
/// half a response); `None` when nothing stands out of the noise.
fn find_response(
    y: &[f64],
    start: usize,
    noise_sd: f64,
    scratch: &mut Vec<f64>,
) -> Option<Response> {
    // Every 16th sample is plenty for a reference level that only has to
    // split the sweep's excursions.
    let reference = stats::median_of(y[start..].iter().step_by(16).copied(), scratch)?;
    let (lo, hi) = stats::range(&y[start..]);
    let largest = (hi - reference).max(reference - lo);
    if largest <= MIN_RESPONSE_SDS * noise_sd || largest <= 0.0 {
        return None;
    }
    let (edge, peak) = first_phase(&|i| y[i], start, y.len(), reference, largest);
    Some(Response {
        edge,
        size: (y[peak] - reference).abs(),
        dir: (y[peak] - reference).signum(),
    })
}

/// From the leading edge (steep, unlike the peak), walks back while the
/// trace still moves towards the baseline: the span before `j` sits closer
/// to it than the span ending at `j`. Going back, an edge slows down to its
/// takeoff; if it speeds up again, that is an artifact's tail moving the
/// same way, and the takeoff is where the movement was least.
fn walk_to_takeoff(s: &Smoothed, r: &Response, span: usize, noise_sd: f64) -> usize {
    // The means of two neighbouring spans differ by noise with SD
    // sigma sqrt(2 / span) (smoothing barely helps at low sampling rates).
    let tol = 3.0 * noise_sd * (2.0 / span as f64).sqrt() + TREND_FRACTION * r.size;
    let progress = |j: usize| (s.mean(j - span, j) - s.mean(j - 2 * span, j - span)) * r.dir;
    let lowest = s.floor + 2 * span;
    if r.edge < lowest {
        // Too few samples before the edge to walk (a low sampling rate and
        // a short latency): the edge is as close to the takeoff as it gets.
        return r.edge;
    }
    let mut j = r.edge;
    let mut least = (r.edge, f64::INFINITY);
    while j >= lowest {
        let p = progress(j);
        if p < least.1 {
            least = (j, p);
        }
        if p <= tol || p > 2.0 * least.1.max(0.0) + tol {
            break;
        }
        j -= 1;
    }
    if progress(j.max(lowest)) <= tol {
        j
    } else {
        least.0
    }
}

/// Walks back from `hi` while the trace stays within `near` of `level`;
/// one noisy sample does not end the stretch, `run` of them in a row do.
/// Returns where the flat stretch begins.
fn flat_start(s: &Smoothed, hi: usize, level: f64, near: f64, run: usize) -> usize {
    let mut a = hi - 1;
    let mut strays = 0;
    while a > s.floor && strays < run {
        strays = if (s.at(a - 1) - level).abs() > near {
            strays + 1
        } else {
            0
        };
        a -= 1;
    }
    a + strays
}

/// The quiet stretch `[a, hi)` (above `floor`): its baseline window, and
/// whether it is flat or still trending.
fn judge(
    y: &[f64],
    g: &Grid,
    (floor, a, hi): (usize, usize, usize),
    r: &Response,
    noise_sd: f64,
    scratch: &mut Vec<f64>,
) -> Quiet {
    let lo = hi.saturating_sub(g.samples(QUIET_SPAN_MS)).max(a);
    // The whole flat stretch tells its own noise better than a sweep-wide
    // estimate from a few blocks.
    let local_sd = if hi - a >= 8 {
        super::noise::second_diff_sd(&y[a..hi], scratch).max(noise_sd)
    } else {
        noise_sd
    };
    // Trends are judged on at least 0.8 ms (and six samples), reaching back
    // before the flat stretch if it is shorter: a tail that merely looks
    // flat over a few samples is still seen.
    let judge_len = g.samples(QUIET_SPAN_MS).max(MIN_TREND_SAMPLES);
    let w = &y[hi.saturating_sub(judge_len).min(lo).max(floor)..hi];
    Quiet {
        lo,
        hi,
        settled_from: a,
        flat: hi - lo >= 2 && halves_agree(w, local_sd, 2.0 * TREND_FRACTION * r.size),
        trending: w.len() < 4 || !halves_agree(w, local_sd, TREND_FRACTION * r.size),
        size_mv: r.size,
    }
}

/// The first phase that reaches half the largest excursion: where it
/// crosses that half (its leading edge) and its extreme.
fn first_phase(
    s: &impl Fn(usize) -> f64,
    start: usize,
    n: usize,
    reference: f64,
    largest: f64,
) -> (usize, usize) {
    let half = 0.5 * largest;
    let Some(first) = (start..n).find(|&i| (s(i) - reference).abs() >= half) else {
        return (start, start);
    };
    let dir = (s(first) - reference).signum();
    let mut best = first;
    let mut i = first;
    while i < n && (s(i) - reference) * dir >= half {
        if (s(i) - reference) * dir > (s(best) - reference) * dir {
            best = i;
        }
        i += 1;
    }
    (first, best)
}

/// Whether the two halves of `w` have the same mean within noise (3 SDs of
/// the difference) plus `allowance`: no trend.
fn halves_agree(w: &[f64], noise_sd: f64, allowance: f64) -> bool {
    if w.len() < 4 {
        return true;
    }
    let h = w.len() / 2;
    let a = w[..h].iter().sum::<f64>() / h as f64;
    let b = w[h..].iter().sum::<f64>() / (w.len() - h) as f64;
    let sd = noise_sd * (1.0 / h as f64 + 1.0 / (w.len() - h) as f64).sqrt();
    (a - b).abs() <= 3.0 * sd + allowance
}
