//! Small robust statistics on slices, using a caller-owned scratch buffer so
//! that the hot path does not allocate.

/// Median of `values`, using `scratch` (cleared and refilled). `None` for an
/// empty slice.
pub fn median(values: &[f64], scratch: &mut Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    scratch.clear();
    scratch.extend_from_slice(values);
    Some(median_in_place(scratch))
}

/// Median of the values an iterator yields, using `scratch`. `None` when
/// it yields none.
pub fn median_of(values: impl Iterator<Item = f64>, scratch: &mut Vec<f64>) -> Option<f64> {
    scratch.clear();
    scratch.extend(values);
    (!scratch.is_empty()).then(|| median_in_place(scratch))
}

/// Up to this many values, [`median_of_nonnegative`] sorts a copy on the
/// stack.
const SMALL: usize = 32;

/// Median of non-negative values (absolute values, SDs) an iterator
/// yields, using `scratch`: the same as [`median_of`], faster. Non-negative
/// floats (and NaN with its sign bit clear) order by their bit patterns as
/// `f64::total_cmp` orders them, and integer comparisons cost a fraction.
pub fn median_of_nonnegative(
    values: impl Iterator<Item = f64>,
    scratch: &mut Vec<f64>,
) -> Option<f64> {
    if values.size_hint() == (NETWORK_N, Some(NETWORK_N)) {
        // A noise block's 18 second differences, the commonest case by far.
        let mut bits = [0u64; NETWORK_N];
        for (b, v) in bits.iter_mut().zip(values) {
            *b = v.to_bits();
        }
        let (lower, upper) = middle_pair(&mut bits);
        return Some(0.5 * (f64::from_bits(lower) + f64::from_bits(upper)));
    }
    scratch.clear();
    scratch.extend(values);
    if scratch.is_empty() {
        return None;
    }
    let n = scratch.len();
    let mid = n / 2;
    if n <= SMALL {
        // A noise block's 18 differences: sorting integers on the stack
        // beats a selection's bookkeeping.
        let mut bits = [0u64; SMALL];
        for (b, v) in bits.iter_mut().zip(scratch.iter()) {
            *b = v.to_bits();
        }
        let bits = &mut bits[..n];
        bits.sort_unstable();
        let upper = f64::from_bits(bits[mid]);
        return Some(if n % 2 == 1 {
            upper
        } else {
            0.5 * (f64::from_bits(bits[mid - 1]) + upper)
        });
    }
    let (lower, upper, _) = scratch.select_nth_unstable_by_key(mid, |v| v.to_bits());
    let upper = *upper;
    if n % 2 == 1 {
        return Some(upper);
    }
    let lower = lower.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Some(0.5 * (lower + upper))
}

/// How many values [`middle_pair`] takes: the second differences of a
/// 20-sample noise block.
const NETWORK_N: usize = 18;

/// Compare-exchanges on `$v`, one after another, each written out: looped
/// over a table the network ran from memory, nearly three times as slow as
/// with its values in registers.
macro_rules! network {
    ($v:ident; $(($a:literal, $b:literal)),* $(,)?) => {
        $({
            let (x, y) = ($v[$a], $v[$b]);
            $v[$a] = x.min(y);
            $v[$b] = x.max(y);
        })*
    };
}

/// The 9th and 10th smallest of 18: Batcher's odd-even merge sort for 32
/// inputs, cut to 18 (the rest are taken as +inf, so comparators reaching
/// them do nothing) and then to the 77 comparators that lead to outputs 8
/// and 9: the middle pair costs two thirds of a sort and no branch
/// (`middle_pair_is_the_sorted_middle`).
fn middle_pair(v: &mut [u64; NETWORK_N]) -> (u64, u64) {
    network!(v;
        (0, 1), (2, 3), (4, 5), (6, 7), (8, 9), (10, 11), (12, 13), (14, 15), (16, 17), (0, 2),
        (1, 3), (4, 6), (5, 7), (8, 10), (9, 11), (12, 14), (13, 15), (1, 2), (5, 6), (9, 10),
        (13, 14), (0, 4), (1, 5), (2, 6), (3, 7), (8, 12), (9, 13), (10, 14), (11, 15), (2, 4),
        (3, 5), (10, 12), (11, 13), (1, 2), (3, 4), (5, 6), (9, 10), (11, 12), (13, 14), (0, 8),
        (1, 9), (2, 10), (3, 11), (4, 12), (5, 13), (6, 14), (7, 15), (4, 8), (5, 9), (6, 10),
        (7, 11), (2, 4), (3, 5), (6, 8), (7, 9), (10, 12), (11, 13), (1, 2), (3, 4), (5, 6),
        (7, 8), (9, 10), (11, 12), (0, 16), (1, 17), (8, 16), (9, 17), (4, 8), (5, 9), (6, 10),
        (7, 11), (12, 16), (6, 8), (7, 9), (10, 12), (7, 8), (9, 10),
    );
    (v[8], v[9])
}

/// Median of a non-empty buffer, reordering it.
fn median_in_place(buf: &mut [f64]) -> f64 {
    let n = buf.len();
    let mid = n / 2;
    if n <= SMALL {
        return median_of_few(buf);
    }
    let (_, upper, _) = buf.select_nth_unstable_by(mid, f64::total_cmp);
    let upper = *upper;
    if n % 2 == 1 {
        upper
    } else {
        let lower = buf[..mid].iter().copied().fold(f64::NEG_INFINITY, f64::max);
        0.5 * (lower + upper)
    }
}

/// The median of at most [`SMALL`] values, as [`median_in_place`] takes it:
/// sorted as integers that order as `f64::total_cmp` orders the values
/// (the windows and quiet stretches a sweep takes medians of are short, and
/// a selection with a comparison closure cost more than the sort).
fn median_of_few(values: &[f64]) -> f64 {
    // `total_cmp`'s own key: negative values' other bits flipped.
    let key = |b: u64| b ^ ((((b as i64) >> 63) as u64) >> 1);
    let mut keys = [0i64; SMALL];
    let n = values.len().min(SMALL);
    for (k, v) in keys.iter_mut().zip(values) {
        *k = key(v.to_bits()) as i64;
    }
    let keys = &mut keys[..n];
    keys.sort_unstable();
    // The key is its own inverse.
    let value = |k: i64| f64::from_bits(key(k as u64));
    let mid = n / 2;
    let upper = value(keys[mid]);
    if n % 2 == 1 {
        upper
    } else {
        // The larger of the lower half, as `f64::max` takes it (NaN aside).
        let lower = keys[..mid]
            .iter()
            .map(|&k| value(k))
            .fold(f64::NEG_INFINITY, f64::max);
        0.5 * (lower + upper)
    }
}

/// Smallest and largest value (`(inf, -inf)` for an empty slice).
pub fn range(values: &[f64]) -> (f64, f64) {
    // Eight running extremes, each its own chain: one chain waits on every
    // comparison before it (a sweep's range took 7 times as long), eight
    // fill vector registers. Plain comparisons (NaN is skipped, as by
    // `f64::min`) are single min and max instructions; `f64::min` is not.
    // The extremes are the same numbers in any order (a zero's sign aside).
    const LANES: usize = 8;
    let mut lo = [f64::INFINITY; LANES];
    let mut hi = [f64::NEG_INFINITY; LANES];
    let chunks = values.chunks_exact(LANES);
    let (mut l, mut h) = range_in_order(chunks.remainder());
    for c in chunks {
        for k in 0..LANES {
            lo[k] = if c[k] < lo[k] { c[k] } else { lo[k] };
            hi[k] = if c[k] > hi[k] { c[k] } else { hi[k] };
        }
    }
    for k in 0..LANES {
        l = if lo[k] < l { lo[k] } else { l };
        h = if hi[k] > h { hi[k] } else { h };
    }
    (l, h)
}

/// [`range`] one value at a time (for a few).
fn range_in_order(values: &[f64]) -> (f64, f64) {
    values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (if v < lo { v } else { lo }, if v > hi { v } else { hi })
        })
}

/// Centred moving average over `width` samples (odd), into `out`; the ends
/// use the samples that exist. One pass with a running sum; the full-width
/// middle multiplies by a precomputed reciprocal.
pub fn moving_average(values: &[f64], width: usize, out: &mut Vec<f64>) {
    out.clear();
    let n = values.len();
    if width <= 1 || n == 0 {
        out.extend_from_slice(values);
        return;
    }
    let half = width / 2;
    if n <= width {
        // Every window is clipped by an end: the plain running sum.
        for i in 0..n {
            let (lo, hi) = (i.saturating_sub(half), (i + half + 1).min(n));
            out.push(values[lo..hi].iter().sum::<f64>() / (hi - lo) as f64);
        }
        return;
    }
    // Written in place with the running sum in a register: a sum captured
    // by closures is spilled to memory on every sample, which doubles the
    // loop's latency. The zero-fill first costs far less.
    out.resize(n, 0.0);
    let mut sum: f64 = values[..half].iter().sum();
    // Head: the window grows to full width.
    for (i, o) in out[..=half].iter_mut().enumerate() {
        sum += values[i + half];
        *o = sum / (i + half + 1) as f64;
    }
    // Middle: full windows; the sample entering and the one leaving walk
    // together.
    let inv = 1.0 / width as f64;
    let middle = out[half + 1..].iter_mut().zip(&values[width..]).zip(values);
    for ((o, enter), leave) in middle {
        sum += enter - leave;
        *o = sum * inv;
    }
    // Tail: the window shrinks.
    for i in n - half..n {
        sum -= values[i - half - 1];
        out[i] = sum / (n - (i - half)) as f64;
    }
}

/// Least-squares parabola through `y[centre-h ..= centre+h]`; returns the
/// vertex (fractional index, value) when it lies inside the window, else the
/// sample at `centre`. Sub-sample peak timing and a noise-averaged height.
pub fn parabola_vertex(y: &[f64], centre: usize, h: usize) -> (f64, f64) {
    let lo = centre.saturating_sub(h);
    let hi = (centre + h).min(y.len().saturating_sub(1));
    if hi < lo + 2 {
        return (centre as f64, y[centre]);
    }
    // Fit y = a + b x + c x^2 with x centred on `centre`.
    let (mut s0, mut s1, mut s2, mut s3, mut s4) = (0.0, 0.0, 0.0, 0.0, 0.0);
    let (mut t0, mut t1, mut t2) = (0.0, 0.0, 0.0);
    for (i, &v) in y.iter().enumerate().take(hi + 1).skip(lo) {
        let x = i as f64 - centre as f64;
        let x2 = x * x;
        s0 += 1.0;
        s1 += x;
        s2 += x2;
        s3 += x2 * x;
        s4 += x2 * x2;
        t0 += v;
        t1 += v * x;
        t2 += v * x2;
    }
    // Solve the 3x3 normal equations by Cramer's rule.
    let det = s0 * (s2 * s4 - s3 * s3) - s1 * (s1 * s4 - s3 * s2) + s2 * (s1 * s3 - s2 * s2);
    if det.abs() < 1e-12 {
        return (centre as f64, y[centre]);
    }
    let a = (t0 * (s2 * s4 - s3 * s3) - s1 * (t1 * s4 - s3 * t2) + s2 * (t1 * s3 - s2 * t2)) / det;
    let b = (s0 * (t1 * s4 - t2 * s3) - t0 * (s1 * s4 - s3 * s2) + s2 * (s1 * t2 - t1 * s2)) / det;
    let c = (s0 * (s2 * t2 - s3 * t1) - s1 * (s1 * t2 - s3 * t0) + t0 * (s1 * s3 - s2 * s2)) / det;
    if c.abs() < 1e-15 {
        return (centre as f64, y[centre]);
    }
    let xv = -b / (2.0 * c);
    if xv.abs() > h as f64 {
        return (centre as f64, y[centre]);
    }
    (centre as f64 + xv, a + b * xv + c * xv * xv)
}

/// Least-squares parabola `a + b x + c x^2` through the points; `None` when
/// they do not determine one.
pub fn fit_parabola(points: impl Iterator<Item = (f64, f64)>) -> Option<[f64; 3]> {
    let (mut s, mut t) = ([0.0f64; 5], [0.0f64; 3]);
    for (x, y) in points {
        let mut p = 1.0;
        for (k, sk) in s.iter_mut().enumerate() {
            *sk += p;
            if k < 3 {
                t[k] += p * y;
            }
            p *= x;
        }
    }
    let m = [[s[0], s[1], s[2]], [s[1], s[2], s[3]], [s[2], s[3], s[4]]];
    let det3 = |m: [[f64; 3]; 3]| {
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    };
    let det = det3(m);
    if det.abs() < 1e-12 {
        return None;
    }
    // Cramer's rule: replace each column by the right-hand side.
    let mut out = [0.0; 3];
    for (col, o) in out.iter_mut().enumerate() {
        let mut mc = m;
        for (row, r) in mc.iter_mut().enumerate() {
            r[col] = t[row];
        }
        *o = det3(mc) / det;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The next value of a fixed-seed xorshift generator (in place).
    fn xorshift(x: &mut u64) {
        *x ^= *x << 13;
        *x ^= *x >> 7;
        *x ^= *x << 17;
    }

    #[test]
    fn median_of_nonnegative_values_is_the_median() {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        // Fixed seed; lengths odd and even, ties, zeros and infinities.
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for len in 1..60 {
            let values: Vec<f64> = (0..len)
                .map(|i| {
                    xorshift(&mut x);
                    match i % 7 {
                        0 => 0.0,
                        1 => f64::INFINITY,
                        2 => 0.5,
                        _ => (x >> 11) as f64 / 1e12,
                    }
                })
                .collect();
            let fast = median_of_nonnegative(values.iter().copied(), &mut a);
            let plain = median_of(values.iter().copied(), &mut b);
            assert_eq!(
                fast.map(f64::to_bits),
                plain.map(f64::to_bits),
                "{values:?}"
            );
        }
        assert_eq!(median_of_nonnegative(std::iter::empty(), &mut a), None);
    }

    #[test]
    fn a_few_values_have_the_selected_median() {
        // Every length a short median takes, signs, ties and zeros of both
        // signs: the same value as the selection (`median_in_place` above
        // the short lengths).
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for n in 1..=SMALL {
            for _ in 0..200 {
                let v: Vec<f64> = (0..n)
                    .map(|_| {
                        xorshift(&mut x);
                        ((x % 9) as f64 - 4.0) * 0.25
                    })
                    .collect();
                let mut selected = v.clone();
                let mid = n / 2;
                let (_, upper, _) = selected.select_nth_unstable_by(mid, f64::total_cmp);
                let upper = *upper;
                let want = if n % 2 == 1 {
                    upper
                } else {
                    let lower = selected[..mid]
                        .iter()
                        .copied()
                        .fold(f64::NEG_INFINITY, f64::max);
                    0.5 * (lower + upper)
                };
                assert_eq!(median_of_few(&v), want, "{v:?}");
            }
        }
    }

    #[test]
    fn middle_pair_is_the_sorted_middle() {
        // Random values with many ties (a quantised sweep repeats its
        // differences), 20,000 seeded draws: the network's pair is the
        // sorted array's.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for round in 0..20_000 {
            let mut v = [0u64; NETWORK_N];
            for b in &mut v {
                xorshift(&mut x);
                *b = if round % 2 == 0 { x >> 1 } else { x % 5 };
            }
            let mut sorted = v;
            sorted.sort_unstable();
            assert_eq!(middle_pair(&mut v), (sorted[8], sorted[9]), "round {round}");
        }
    }

    #[test]
    fn median_odd_and_even() {
        let mut s = Vec::new();
        assert_eq!(median(&[3.0, 1.0, 2.0], &mut s), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0], &mut s), Some(2.5));
        assert_eq!(median(&[], &mut s), None);
    }

    #[test]
    fn range_is_the_smallest_and_largest() {
        // Every length up to a few lanes past eight, extremes anywhere,
        // NaN skipped.
        for n in 0..40 {
            for at in 0..n {
                let mut v: Vec<f64> = (0..n).map(|i| ((i * 37) % 11) as f64 - 5.0).collect();
                v[at] = -100.0;
                v[n - 1 - at] = 100.0 + at as f64;
                if n > 2 {
                    v[(at + 1) % n] = f64::NAN;
                }
                let want = v
                    .iter()
                    .filter(|x| !x.is_nan())
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                        (a.min(x), b.max(x))
                    });
                assert_eq!(range(&v), want, "{v:?}");
            }
        }
        assert_eq!(range(&[]), (f64::INFINITY, f64::NEG_INFINITY));
    }

    #[test]
    fn moving_average_matches_naive() {
        for (n, width) in [(50, 5), (50, 1), (7, 5), (5, 5), (4, 9), (6, 3), (1, 3)] {
            let v: Vec<f64> = (0..n).map(|i| ((i * 37) % 11) as f64).collect();
            let mut out = Vec::new();
            moving_average(&v, width, &mut out);
            assert_eq!(out.len(), n);
            let half = width / 2;
            for (i, got) in out.iter().enumerate() {
                let lo = i.saturating_sub(half);
                let hi = (i + half + 1).min(v.len());
                let naive: f64 = v[lo..hi].iter().sum::<f64>() / (hi - lo) as f64;
                assert!((got - naive).abs() < 1e-12, "n {n} width {width} i {i}");
            }
        }
    }

    #[test]
    fn parabola_vertex_is_exact_on_a_parabola() {
        let y: Vec<f64> = (0..20)
            .map(|i| {
                let x = i as f64 - 7.3;
                2.0 - 0.5 * x * x
            })
            .collect();
        let (x, v) = parabola_vertex(&y, 7, 3);
        assert!((x - 7.3).abs() < 1e-9);
        assert!((v - 2.0).abs() < 1e-9);
    }

    #[test]
    fn fit_parabola_recovers_a_parabola() {
        let pts = [-3.0, -2.0, 2.0, 3.0].map(|x: f64| (x, 1.0 + 0.5 * x - 2.0 * x * x));
        let [a, b, c] = fit_parabola(pts.into_iter()).unwrap();
        assert!((a - 1.0).abs() < 1e-9 && (b - 0.5).abs() < 1e-9 && (c + 2.0).abs() < 1e-9);
        assert!(fit_parabola([(1.0, 1.0), (1.0, 2.0)].into_iter()).is_none());
    }
}
