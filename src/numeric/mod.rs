//! Numeric helpers below both [`crate::signal`] and [`crate::measure`]:
//! robust statistics, running means, parabola fits ([`stats`]) and spans
//! in samples. Neither stage reaches into the other for them.

pub(crate) mod stats;

/// Converts a span in ms to a whole number of samples, at most `limit`;
/// `NaN`, negative or infinite spans are 0 or `limit`.
pub(crate) fn samples_in(span_ms: f64, dt_ms: f64, limit: usize) -> usize {
    let x = (span_ms / dt_ms).round();
    if x.is_nan() || x <= 0.0 {
        0
    } else if x >= limit as f64 {
        limit
    } else {
        x as usize
    }
}
