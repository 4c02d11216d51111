//! The ranges a recording of a CMAP can have. A value outside is a wrong
//! unit, a wrong column or a damaged file, never a recording condition, so
//! the reader refuses it and names the line. `docs/formats.md` lists them.

use crate::error::{Error, Location, Result};

/// Sampling rates (Hz) of EMG machines and lab amplifiers: below 1 kHz a
/// CMAP's rise is a few samples; above 200 kHz no EMG hardware samples.
pub const SAMPLING_RANGE_HZ: (f64, f64) = (1_000.0, 200_000.0);

/// Sweep lengths (ms): a 50 Hz sweep is 20 ms and a 100 Hz one 10 ms, but
/// never under 5 ms (the CMAP itself lasts that long); over 500 ms is a
/// continuous recording, not a sweep.
pub const SWEEP_RANGE_MS: (f64, f64) = (5.0, 500.0);

/// The first sample's time (ms, stimulus at 0): up to 100 ms of
/// pre-stimulus baseline; a sweep starting more than 1 ms after the
/// stimulus may have lost the onset (or time 0 is not the stimulus).
pub const FIRST_SAMPLE_RANGE_MS: (f64, f64) = (-100.0, 1.0);

/// Stimulation rates (Hz) of RNS protocols in use: 0.1 Hz single shocks to
/// 100 Hz trains.
pub const STIM_RATE_RANGE_HZ: (f64, f64) = (0.1, 100.0);

/// Exercise durations (s): 10 s for LEMS, 30-60 s for post-exercise
/// exhaustion; two minutes is the longest protocol described.
pub const EXERCISE_RANGE_S: (f64, f64) = (1.0, 120.0);

/// Limb temperatures (C): a value outside is a typo or another unit.
pub const TEMPERATURE_RANGE_C: (f64, f64) = (15.0, 45.0);

/// Stimulus intensities (mA): constant-current stimulators deliver up to
/// 100 mA.
pub const STIM_INTENSITY_RANGE_MA: (f64, f64) = (0.1, 100.0);

/// Stimulus durations (ms): pulses of 0.05-1 ms are used; 2 ms is the
/// longest a stimulator offers.
pub const STIM_DURATION_RANGE_MS: (f64, f64) = (0.01, 2.0);

/// Hours since the last dose of pyridostigmine: up to 30 days (a larger
/// value means it is not taken).
pub const PYRIDOSTIGMINE_RANGE_H: (f64, f64) = (0.0, 720.0);

/// Repeats of one train (`train: N`).
pub const TRAIN_RANGE: (u32, u32) = (1, 99);

/// Most responses one test has, in every format: 40 s of a 50 Hz train.
/// More is no neuromuscular junction test (or a wrong rate, or columns
/// that are not responses), and holding them costs memory in proportion.
pub const MAX_RESPONSES: usize = 2000;

/// Largest magnitude of a sample (mV): no EMG amplifier's input range
/// reaches 10 V; larger values are another unit or a damaged file.
pub const MAX_ABS_SAMPLE_MV: f64 = 10_000.0;

/// Longest metadata value (characters). Values are copied into every
/// report and every row of `measurements.csv`.
pub const MAX_METADATA_CHARS: usize = 256;

/// A test of more than [`MAX_RESPONSES`] responses is refused at `at` (the
/// header line, or the file), before its samples are held.
pub fn check_response_count(at: Location, n: usize) -> Result<()> {
    if n <= MAX_RESPONSES {
        return Ok(());
    }
    Err(Error::Implausible {
        at,
        detail: format!(
            "{n} responses; no test has more than {MAX_RESPONSES} (40 s of a 50 Hz train): split the file by test"
        ),
    })
}

/// Whether `value` lies in the closed `range` (NaN never does). A value
/// computed through floating point (200 kHz from a 0.005 ms step is
/// 200000.00000000003) counts at a bound it misses by a part in 10^9:
/// a recording at the bound is plausible.
pub fn within(value: f64, range: (f64, f64)) -> bool {
    let slack = BOUND_SLACK * range.0.abs().max(range.1.abs());
    (range.0 - slack..=range.1 + slack).contains(&value)
}

/// Years a study date may have (`--date`, a record file's `date`).
pub const DATE_YEARS: (u32, u32) = (1900, 2100);

/// What is wrong with a study date, if anything: it must be a calendar
/// date written `YYYY-MM-DD` (2026-02-30 is none), in [`DATE_YEARS`].
pub fn date_problem(text: &str) -> Option<String> {
    let parts: Vec<&str> = text.split('-').collect();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let shaped =
        parts.len() == 3 && digits(parts[0], 4) && digits(parts[1], 2) && digits(parts[2], 2);
    if !shaped {
        return Some(format!("{text:?} is not a date written YYYY-MM-DD"));
    }
    let number = |s: &str| s.parse::<u32>().unwrap_or(0);
    let (y, m, d) = (number(parts[0]), number(parts[1]), number(parts[2]));
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 0,
    };
    if !(1..=days).contains(&d) {
        return Some(format!("{text} is no calendar date (YYYY-MM-DD)"));
    }
    let (lo, hi) = DATE_YEARS;
    if !(lo..=hi).contains(&y) {
        return Some(format!("{text}: the year is outside {lo}-{hi}"));
    }
    None
}

/// How far (relative to the range's magnitude) a computed value may miss
/// a bound and still count as at it.
const BOUND_SLACK: f64 = 1e-9;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_computed_at_a_bound_is_within_it() {
        assert!(within(1000.0 / 0.005, SAMPLING_RANGE_HZ));
        assert!(within(1000.0, SAMPLING_RANGE_HZ));
        assert!(!within(200_001.0, SAMPLING_RANGE_HZ));
        assert!(!within(999.0, SAMPLING_RANGE_HZ));
        assert!(!within(f64::NAN, SAMPLING_RANGE_HZ));
    }

    #[test]
    fn a_study_date_is_a_calendar_date() {
        assert_eq!(date_problem("2026-11-30"), None);
        assert_eq!(date_problem("2024-02-29"), None);
        assert_eq!(date_problem("2000-02-29"), None);
        for (bad, words) in [
            ("2026-02-30", "no calendar date"),
            ("2025-02-29", "no calendar date"),
            ("1900-02-29", "no calendar date"),
            ("2026-13-01", "no calendar date"),
            ("2026-04-31", "no calendar date"),
            ("2026-00-10", "no calendar date"),
            ("30.11.2026", "not a date written YYYY-MM-DD"),
            ("2026-11-30T10:00", "not a date"),
            ("2026-1-30", "not a date"),
            ("", "not a date"),
            ("1850-01-01", "year is outside 1900-2100"),
        ] {
            let problem = date_problem(bad).unwrap_or_default();
            assert!(problem.contains(words), "{bad}: {problem}");
        }
    }
}
