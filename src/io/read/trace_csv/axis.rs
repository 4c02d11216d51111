//! The time axis: one uniform grid for every sample (rounding tolerated,
//! jitter refused), within the plausible sampling rates, sweep lengths and
//! first-sample times.

use std::path::Path;

use super::{Parsed, MIN_SAMPLES};
use crate::error::{show, Error, Location, Result};
use crate::io::plausible::{within, FIRST_SAMPLE_RANGE_MS, SAMPLING_RANGE_HZ, SWEEP_RANGE_MS};
use crate::io::read::assemble::round_to;
use crate::io::read::header::TimeUnit;
use crate::model::Layout;

/// Largest deviation of a sample time from the uniform grid, as a fraction of
/// the sampling interval.
pub(super) const GRID_TOLERANCE: f64 = 0.01;

/// Time values are often written rounded to 1 µs; a deviation of up to half
/// that is rounding, not jitter.
pub(super) const TIME_ROUNDING_MS: f64 = 0.0005;

/// Checks the time column (enough samples, increasing, uniform) and returns
/// the first time and the sampling interval, both in ms.
pub(super) fn time_axis(path: &Path, parsed: &Parsed, continuous: bool) -> Result<(f64, f64)> {
    let n = parsed.times.len();
    if n < MIN_SAMPLES {
        return Err(Error::TooFewSamples {
            at: Location::line(path, parsed.header_line),
            found: n,
            min: MIN_SAMPLES,
        });
    }
    let to_ms = match parsed.time_unit {
        TimeUnit::Ms => 1.0,
        TimeUnit::S => 1000.0,
    };
    for pair in parsed.times.windows(2) {
        let ((_, previous), (line, found)) = (pair[0], pair[1]);
        if found <= previous {
            return Err(Error::TimeNotIncreasing {
                at: Location::cell(path, line, time_column_index(parsed.layout)),
                previous,
                found,
            });
        }
    }
    let t0_ms = parsed.times[0].1 * to_ms;
    // The uniform grid that fits the times best (least squares), so that
    // rounding of the first or last value does not tilt it.
    let (grid_start, dt_ms) = fit_grid(&parsed.times, to_ms);
    check_axis_ranges(path, parsed, t0_ms, dt_ms, continuous)?;
    let tolerance = GRID_TOLERANCE * dt_ms + TIME_ROUNDING_MS;
    let off_grid = |start: f64, step: f64| {
        parsed.times.iter().enumerate().find_map(|(i, (line, t))| {
            let ideal = start + i as f64 * step;
            ((t * to_ms - ideal).abs() > tolerance).then_some((*line, t * to_ms, ideal, step))
        })
    };
    if off_grid(grid_start, dt_ms).is_some() {
        // Not uniform. Say where it departs from the grid its first
        // intervals set (the best-fit grid spreads a drift over the file).
        let step = first_step_ms(&parsed.times, to_ms);
        let (line, found, ideal, step) = off_grid(t0_ms, step)
            .or_else(|| off_grid(grid_start, dt_ms))
            .unwrap_or((parsed.header_line, t0_ms, t0_ms, dt_ms));
        return Err(Error::NonUniformTime {
            at: Location::cell(path, line, time_column_index(parsed.layout)),
            expected_ms: significant(ideal, 9),
            found_ms: significant(found, 9),
            off_ms: significant(found - ideal, 3),
            step_ms: significant(step, 9),
        });
    }
    Ok((t0_ms, dt_ms))
}

/// The time axis against the plausible ranges: sampling rate, sweep length
/// and where the first sample lies relative to the stimulus.
pub(super) fn check_axis_ranges(
    path: &Path,
    parsed: &Parsed,
    t0_ms: f64,
    dt_ms: f64,
    continuous: bool,
) -> Result<()> {
    let column = time_column_index(parsed.layout);
    let first_line = parsed.times.first().map_or(parsed.header_line, |t| t.0);
    let bad = |line: u64, detail: String| {
        Err(Error::Implausible {
            at: Location::cell(path, line, column),
            detail,
        })
    };
    let seconds_hint = match parsed.time_unit {
        TimeUnit::Ms => "; if the time column is in seconds, name it time_s or \"Time (s)\"",
        TimeUnit::S => "",
    };
    let fs_hz = 1000.0 / dt_ms;
    if !(dt_ms.is_finite() && t0_ms.is_finite() && within(fs_hz, SAMPLING_RANGE_HZ)) {
        return bad(
            parsed.header_line,
            format!(
                "the time column gives a sampling interval of {} ms ({} Hz); EMG recordings are sampled at {}-{} kHz{seconds_hint}",
                show(dt_ms),
                show(fs_hz),
                SAMPLING_RANGE_HZ.0 / 1000.0,
                SAMPLING_RANGE_HZ.1 / 1000.0
            ),
        );
    }
    if continuous {
        // A recording of any length, starting at any time: its stimuli,
        // not its first sample, set each sweep's time 0.
        return Ok(());
    }
    let sweep_ms = parsed.times.len() as f64 * dt_ms;
    if !within(sweep_ms, SWEEP_RANGE_MS) {
        return bad(
            parsed.header_line,
            format!(
                "the sweep lasts {} ms; sweeps of {}-{} ms are read (a longer one is a continuous recording){seconds_hint}",
                show(sweep_ms),
                SWEEP_RANGE_MS.0,
                SWEEP_RANGE_MS.1
            ),
        );
    }
    if !within(t0_ms, FIRST_SAMPLE_RANGE_MS) {
        return bad(
            first_line,
            format!(
                "the first sample is at {} ms; time 0 must be the stimulus, with the first sample between {} and {} ms",
                show(t0_ms),
                FIRST_SAMPLE_RANGE_MS.0,
                FIRST_SAMPLE_RANGE_MS.1
            ),
        );
    }
    Ok(())
}

/// Least-squares line through (index, time in ms): (intercept, slope).
pub(super) fn fit_grid(times: &[(u64, f64)], to_ms: f64) -> (f64, f64) {
    let n = times.len() as f64;
    let mean_i = (n - 1.0) / 2.0;
    let mean_t = times.iter().map(|(_, t)| t * to_ms).sum::<f64>() / n;
    let mut sxy = 0.0;
    let mut sxx = 0.0;
    for (i, (_, t)) in times.iter().enumerate() {
        let dx = i as f64 - mean_i;
        sxy += dx * (t * to_ms - mean_t);
        sxx += dx * dx;
    }
    let slope = sxy / sxx;
    (mean_t - slope * mean_i, slope)
}

/// Intervals that set the step a non-uniform file starts with.
pub(super) const FIRST_INTERVALS: usize = 10;

/// The median of the first intervals (ms): the step the file starts with.
pub(super) fn first_step_ms(times: &[(u64, f64)], to_ms: f64) -> f64 {
    let mut steps: Vec<f64> = times
        .windows(2)
        .take(FIRST_INTERVALS)
        .map(|w| (w[1].1 - w[0].1) * to_ms)
        .collect();
    steps.sort_by(f64::total_cmp);
    steps.get(steps.len() / 2).copied().unwrap_or(0.0)
}

pub(super) fn time_column_index(layout: Layout) -> u64 {
    match layout {
        Layout::Wide => 1,
        Layout::Long | Layout::Continuous => 2,
    }
}

/// `value` to `digits` significant digits (for messages: enough digits to
/// show how two numbers differ).
pub(super) fn significant(value: f64, digits: i32) -> f64 {
    if value == 0.0 || !value.is_finite() {
        return value;
    }
    let decimals = digits - 1 - value.abs().log10().floor() as i32;
    round_to(value, decimals.clamp(-300, 300))
}
