//! An artifact's tail still decaying into the response: fitted as
//! `level + a exp(-t / tau)` over the stretch between the artifact's steep
//! part and the response's takeoff, and used only when it explains that
//! stretch without structured residuals (a runs test on the residuals' signs)
//! and its time constant is short enough for the stretch to pin the level.
//! The tail may have either sign, so a biphasic artifact's overshoot is
//! fitted as the tail it is, never taken for the baseline.

/// Shortest and longest time constants tried (ms).
const TAU_MIN_MS: f64 = 0.05;
const TAU_MAX_MS: f64 = 3.0;
/// Time constants on the geometric grid.
const TAU_STEPS: usize = 40;
/// The fit must explain this many noise variances more than a constant.
const MIN_GAIN_VARIANCES: f64 = 16.0;
/// Residuals with an RMS below this many noise SDs are negligible.
const NEGLIGIBLE_RESIDUAL_SDS: f64 = 0.25;
/// A tail decaying slower than this fraction of the stretch cannot be told
/// from a level: the level would be a guess.
const MAX_TAU_FRACTION: f64 = 0.4;

/// A fitted decay.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Decay {
    /// The level it decays to (the baseline, mV).
    pub level: f64,
    /// Its size at `from` (mV).
    pub amplitude: f64,
    /// Time constant (ms).
    pub tau_ms: f64,
    /// First sample of the fitted stretch.
    pub from: usize,
    /// Standard error of `level` (mV) for the fitted time constant, from
    /// the larger of the noise and the residuals: few samples or a slow
    /// tail leave the level loose.
    pub level_se_mv: f64,
}

impl Decay {
    /// The tail's value at sample `i` (0 before `from`).
    pub fn at(&self, i: usize, dt_ms: f64) -> f64 {
        if i < self.from {
            0.0
        } else {
            self.amplitude * (-((i - self.from) as f64) * dt_ms / self.tau_ms).exp()
        }
    }
}

/// Fits a decay to `y[from..to]`; `None` when it does not explain the
/// stretch clearly better than a constant, leaves structure behind, or
/// decays too slowly for the stretch (its best time constant is the
/// slowest allowed).
pub(crate) fn fit(y: &[f64], from: usize, to: usize, dt_ms: f64, noise_sd: f64) -> Option<Decay> {
    let w = y.get(from..to)?;
    let n = w.len();
    if n < 8 {
        return None;
    }
    let fit = LinearFit::new(w, dt_ms);
    let tau_max = (MAX_TAU_FRACTION * n as f64 * dt_ms).min(TAU_MAX_MS);
    let grid = |step: usize| {
        TAU_MIN_MS * (TAU_MAX_MS / TAU_MIN_MS).powf(step as f64 / (TAU_STEPS - 1) as f64)
    };
    let steps = (0..TAU_STEPS).take_while(|&k| grid(k) <= tau_max).count();
    let (best_step, _) = (0..steps)
        .filter_map(|k| fit.at(grid(k)).map(|f| (k, f.sse)))
        .min_by(|a, b| a.1.total_cmp(&b.1))?;
    // Best at the slowest time constant allowed: the decay is slower still
    // (or not one exponential), and the level is not pinned.
    if best_step + 1 == steps {
        return None;
    }
    // The grid is coarse (11% steps): a time constant 5% off leaves a
    // residual shaped like the tail, which the runs test rightly rejects.
    let lo = grid(best_step.saturating_sub(1)).ln();
    let hi = grid(best_step + 1).ln();
    let tau_ms = golden_min(lo, hi, |x| fit.at(x.exp()).map_or(f64::INFINITY, |f| f.sse)).exp();
    let f = fit.at(tau_ms)?;
    let sd = (f.sse.max(0.0) / (n as f64 - 3.0)).sqrt().max(noise_sd);
    let d = Decay {
        level: f.level,
        amplitude: f.amplitude,
        tau_ms,
        from,
        level_se_mv: f.level_se_per_sd * sd,
    };
    let explains = fit.sse_const - f.sse > MIN_GAIN_VARIANCES * noise_sd * noise_sd + 1e-12;
    // Residuals far inside the noise cannot move the level, whatever their
    // pattern.
    let negligible = f.sse / n as f64 <= (NEGLIGIBLE_RESIDUAL_SDS * noise_sd).powi(2);
    (explains && (negligible || unstructured(w, &d, dt_ms))).then_some(d)
}

/// The stretch's sums, for least squares of `level + amplitude x^k` with
/// `x = exp(-dt / tau)` at any `tau`.
struct LinearFit<'a> {
    w: &'a [f64],
    dt_ms: f64,
    sy: f64,
    syy: f64,
    sse_const: f64,
}

/// One least-squares solution at a given time constant.
struct Solved {
    level: f64,
    amplitude: f64,
    sse: f64,
    /// The level's standard error per unit of residual SD.
    level_se_per_sd: f64,
}

impl<'a> LinearFit<'a> {
    fn new(w: &'a [f64], dt_ms: f64) -> Self {
        let nf = w.len() as f64;
        let sy: f64 = w.iter().sum();
        let syy: f64 = w.iter().map(|v| v * v).sum();
        Self {
            w,
            dt_ms,
            sy,
            syy,
            sse_const: syy - sy * sy / nf,
        }
    }

    fn at(&self, tau_ms: f64) -> Option<Solved> {
        let nf = self.w.len() as f64;
        let ratio = (-self.dt_ms / tau_ms).exp();
        let (mut sx, mut sxx, mut sxy, mut x) = (0.0, 0.0, 0.0, 1.0);
        for &v in self.w {
            sx += x;
            sxx += x * x;
            sxy += x * v;
            x *= ratio;
        }
        let det = nf * sxx - sx * sx;
        if det < 1e-12 {
            return None;
        }
        let amplitude = (nf * sxy - sx * self.sy) / det;
        let level = (self.sy - amplitude * sx) / nf;
        Some(Solved {
            level,
            amplitude,
            sse: self.syy - level * self.sy - amplitude * sxy,
            level_se_per_sd: (sxx / det).sqrt(),
        })
    }
}

/// The minimum of a unimodal `f` on `[lo, hi]` by golden-section search.
fn golden_min(mut lo: f64, mut hi: f64, f: impl Fn(f64) -> f64) -> f64 {
    /// 20 steps shrink the bracket 0.618^20: ~1e-4 of 0.2 in ln(tau).
    const STEPS: usize = 20;
    let g = 0.5 * (5f64.sqrt() - 1.0);
    let (mut a, mut b) = (hi - g * (hi - lo), lo + g * (hi - lo));
    let (mut fa, mut fb) = (f(a), f(b));
    for _ in 0..STEPS {
        if fa < fb {
            hi = b;
            (b, fb) = (a, fa);
            a = hi - g * (hi - lo);
            fa = f(a);
        } else {
            lo = a;
            (a, fa) = (b, fb);
            b = lo + g * (hi - lo);
            fb = f(b);
        }
    }
    0.5 * (lo + hi)
}

/// Wald-Wolfowitz runs test on the residuals' signs: a model that misses
/// the shape leaves long runs of one sign.
fn unstructured(w: &[f64], d: &Decay, dt_ms: f64) -> bool {
    let signs: Vec<bool> = w
        .iter()
        .enumerate()
        .map(|(k, v)| v - d.level - d.at(d.from + k, dt_ms) >= 0.0)
        .collect();
    let pos = signs.iter().filter(|s| **s).count() as f64;
    let neg = signs.len() as f64 - pos;
    if pos == 0.0 || neg == 0.0 {
        return false;
    }
    let n = pos + neg;
    let runs = 1 + signs.windows(2).filter(|p| p[0] != p[1]).count();
    let expected = 1.0 + 2.0 * pos * neg / n;
    let var = 2.0 * pos * neg * (2.0 * pos * neg - n) / (n * n * (n - 1.0));
    runs as f64 >= expected - 3.0 * var.max(0.0).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_distr::{Distribution, Normal};

    #[test]
    fn fits_a_decay_of_either_sign_and_refuses_a_ramp() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let noise = Normal::new(0.0, 0.01).unwrap();
        for amp in [0.8, -0.5] {
            let y: Vec<f64> = (0..60)
                .map(|i| 2.0 + amp * (-(i as f64) * 0.05 / 0.4).exp() + noise.sample(&mut rng))
                .collect();
            let d = fit(&y, 0, 60, 0.05, 0.01).unwrap();
            assert!((d.level - 2.0).abs() < 0.02, "{d:?}");
            assert!((d.tau_ms - 0.4).abs() < 0.04, "{d:?}");
        }
        // A flat stretch: nothing to fit.
        let flat: Vec<f64> = (0..60).map(|_| 1.0 + noise.sample(&mut rng)).collect();
        assert!(fit(&flat, 0, 60, 0.05, 0.01).is_none());
        // A parabola is not a decay: the residuals keep their sign in runs.
        let bowl: Vec<f64> = (0..60)
            .map(|i| {
                let x = i as f64 / 30.0 - 1.0;
                1.0 + 0.5 * x * x
            })
            .collect();
        assert!(fit(&bowl, 0, 60, 0.05, 0.001).is_none());
    }

    #[test]
    fn a_decay_slower_than_the_stretch_allows_is_refused() {
        // 60 samples of 0.05 ms: time constants up to 1.2 ms are tried; a
        // 5 ms decay is nearly a ramp here and its level is a guess.
        let y: Vec<f64> = (0..60)
            .map(|i| 1.0 + 0.5 * (-(i as f64) * 0.05 / 5.0).exp())
            .collect();
        assert!(fit(&y, 0, 60, 0.05, 0.001).is_none());
    }

    #[test]
    fn the_time_constant_is_refined_between_grid_points() {
        // 0.4 ms lies between grid points (0.37, 0.41 ms); without noise the
        // refined fit recovers it, and the level, almost exactly.
        let y: Vec<f64> = (0..60)
            .map(|i| 2.0 + 0.8 * (-(i as f64) * 0.05 / 0.4).exp())
            .collect();
        let d = fit(&y, 0, 60, 0.05, 1e-4).unwrap();
        assert!((d.tau_ms - 0.4).abs() < 1e-3, "{d:?}");
        assert!((d.level - 2.0).abs() < 1e-4, "{d:?}");
    }

    #[test]
    fn golden_section_finds_the_minimum() {
        let x = golden_min(-1.0, 3.0, |x| (x - 0.7) * (x - 0.7));
        assert!((x - 0.7).abs() < 1e-3, "{x}");
    }
}
