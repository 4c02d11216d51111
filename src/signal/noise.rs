//! The white-noise level of a sweep, from second differences: slow waves
//! (hum, drift, a CMAP's slopes, a previous response's tail) barely move
//! them, steps and steep curvature do.

/// Scales the MAD of second differences of white noise (SD 1, whose second
/// differences have SD sqrt 6) to an SD.
const MAD_TO_SD_SECOND_DIFF: f64 = 1.4826 / 2.449_489_742_783_178;

/// Samples per block of the block estimate.
pub(crate) const BLOCK: usize = 20;

/// The lower quartile of the block estimates of white noise averages this
/// fraction of its SD (20-sample blocks; measured over 2,000 trials).
const LOWER_QUARTILE_BIAS: f64 = 0.79;

/// Noise SD from the MAD of the second differences of `values`.
pub(crate) fn second_diff_sd(values: &[f64], scratch: &mut Vec<f64>) -> f64 {
    if values.len() < 3 {
        return 0.0;
    }
    let d2 = values.windows(3).map(|w| (w[2] - 2.0 * w[1] + w[0]).abs());
    crate::numeric::stats::median_of_nonnegative(d2, scratch).unwrap_or(0.0) * MAD_TO_SD_SECOND_DIFF
}

/// Noise SD of a stretch that may hold a response: the lower quartile of
/// 20-sample block estimates, corrected for its bias. The quiet blocks
/// decide, so a CMAP filling most of a short sweep does not inflate it.
pub(crate) fn block_sd(values: &[f64], scratch: &mut Vec<f64>, blocks: &mut Vec<f64>) -> f64 {
    let n_blocks = values.len() / BLOCK;
    if n_blocks < 4 {
        return second_diff_sd(values, scratch);
    }
    blocks.clear();
    for b in 0..n_blocks {
        blocks.push(second_diff_sd(&values[b * BLOCK..(b + 1) * BLOCK], scratch));
    }
    let q = (n_blocks - 1) / 4;
    // SDs are non-negative: their bits order as `total_cmp` does, faster.
    let (_, v, _) = blocks.select_nth_unstable_by_key(q, |v| v.to_bits());
    *v / LOWER_QUARTILE_BIAS
}

/// The quantisation step of a sweep: the smallest non-zero difference
/// between neighbouring samples (0 when all are equal). For unquantised
/// data it is negligibly small.
pub(crate) fn quantum(values: &[f64]) -> f64 {
    // Four running minima, each its own chain (as `stats::range`); a zero
    // difference counts as none.
    const LANES: usize = 4;
    let step = |m: f64, d: f64| if d > 0.0 && d < m { d } else { m };
    let (Some(before), Some(after)) = (
        values.get(..values.len().saturating_sub(1)),
        values.get(1..),
    ) else {
        return 0.0;
    };
    let (a, b) = (before.chunks_exact(LANES), after.chunks_exact(LANES));
    let rest = a
        .remainder()
        .iter()
        .zip(b.remainder())
        .fold(f64::INFINITY, |m, (x, y)| step(m, (y - x).abs()));
    let mut lanes = [f64::INFINITY; LANES];
    for (x, y) in a.zip(b) {
        for k in 0..LANES {
            lanes[k] = step(lanes[k], (y[k] - x[k]).abs());
        }
    }
    let q = lanes.into_iter().fold(rest, step);
    if q.is_finite() {
        q
    } else {
        0.0
    }
}

/// Uniform quantisation noise of step `q` has SD `q / sqrt 12`: the noise
/// of a quantised sweep is never below it, even where the samples repeat.
pub(crate) fn with_quantisation(sd: f64, q: f64) -> f64 {
    let floor = if q.is_finite() { q / 12f64.sqrt() } else { 0.0 };
    sd.max(floor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_distr::{Distribution, Normal};

    fn white(n: usize, sd: f64, seed: u64) -> Vec<f64> {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let normal = Normal::new(0.0, sd).unwrap();
        (0..n).map(|_| normal.sample(&mut rng)).collect()
    }

    #[test]
    fn both_estimates_find_the_sd_of_white_noise() {
        let (mut s, mut b) = (Vec::new(), Vec::new());
        let mut sum = 0.0;
        for seed in 0..200 {
            let v = white(400, 0.02, seed);
            let whole = second_diff_sd(&v, &mut s);
            assert!((whole - 0.02).abs() < 0.004, "{whole}");
            sum += block_sd(&v, &mut s, &mut b);
        }
        let mean = sum / 200.0;
        assert!((mean - 0.02).abs() < 0.001, "block estimate mean {mean}");
    }

    #[test]
    fn quantised_flat_data_has_the_quantisation_noise() {
        let v: Vec<f64> = (0..100)
            .map(|i| if i % 7 == 0 { 0.01 } else { 0.0 })
            .collect();
        let q = quantum(&v);
        assert_eq!(q, 0.01);
        assert_eq!(second_diff_sd(&v, &mut Vec::new()), 0.0);
        assert!((with_quantisation(0.0, q) - 0.01 / 12f64.sqrt()).abs() < 1e-12);
        assert_eq!(with_quantisation(0.0, quantum(&[1.0, 1.0])), 0.0);
        assert_eq!(quantum(&[]), 0.0);
        // The smallest step anywhere, in a lane or in the remainder.
        for n in 2..20 {
            for at in 0..n - 1 {
                let mut v: Vec<f64> = (0..n).map(|i| (i * i) as f64).collect();
                v[at + 1] = v[at] + 0.25;
                let naive = v
                    .windows(2)
                    .map(|w| (w[1] - w[0]).abs())
                    .filter(|d| *d > 0.0)
                    .fold(f64::INFINITY, f64::min);
                assert_eq!(quantum(&v), naive, "{v:?}");
            }
        }
    }

    #[test]
    fn a_response_filling_the_sweep_does_not_inflate_the_block_estimate() {
        // 5 kHz, a 10 mV wave over most of a 20 ms sweep, 10 uV noise.
        let mut v = white(100, 0.01, 3);
        for (i, x) in v.iter_mut().enumerate().skip(15) {
            let t = (i - 15) as f64 * 0.2;
            *x -= 10.0 * (t / 3.0).powi(2) * (-(t / 3.0)).exp();
        }
        let sd = block_sd(&v, &mut Vec::new(), &mut Vec::new());
        assert!(sd < 0.03, "{sd}");
    }
}
