//! `measurements.csv`: one row per response in tidy long form (study, file,
//! protocol, response, every measure and flag), ready for R or pandas.

use super::{Exporter, Plot};
use crate::error::Result;
use crate::model::Report;

/// Writes `measurements.csv`.
pub(crate) struct CsvExporter;

impl Exporter for CsvExporter {
    fn serialize(&self, report: &Report, _plots: &[Vec<Plot>]) -> Result<Vec<u8>> {
        Ok(measurements_csv(report))
    }
}

/// The column names, in order.
pub const COLUMNS: &[&str] = &[
    "study",
    "path",
    "file",
    "protocol",
    "muscle",
    "stim_rate_hz",
    "response",
    "index",
    "onset_ms",
    "negative_peak_ms",
    "amplitude_mv",
    "peak_to_peak_mv",
    "area_mv_ms",
    "duration_ms",
    "change_pct",
    "noise_mv",
    "artifact_end_ms",
    "baseline_mv",
    "baseline_source",
    "flags",
    "manual",
    "automatic_amplitude_mv",
];

/// What each column of [`COLUMNS`] holds, and its unit (`None`: no
/// unit), in the same order: the JSON sidecar of a BIDS derivative's
/// measurements (`nmjscope bids`) describes its columns with them.
pub const COLUMN_MEANINGS: &[(&str, &str, Option<&str>)] = &[
    ("study", "The study: a BIDS dataset's subject and session (sub-01_ses-01)", None),
    ("path", "The study's folder, relative to the dataset or archive", None),
    ("file", "The recording's file name", None),
    ("protocol", "rns (2-5 Hz train), hfrns (10-50 Hz train) or exercise (before and after brief exercise)", None),
    ("muscle", "The recorded muscle, as the recording names it", None),
    ("stim_rate_hz", "The train's stimulation rate", Some("Hz")),
    ("response", "The response: rN the N-th of a train; pre, post_Ns around exercise", None),
    ("index", "The response's place in the recording, from 1", None),
    ("onset_ms", "Onset of the CMAP after the stimulus", Some("ms")),
    ("negative_peak_ms", "Time of the negative peak after the stimulus", Some("ms")),
    ("amplitude_mv", "Baseline to negative peak", Some("mV")),
    ("peak_to_peak_mv", "Negative peak to the following positive peak", Some("mV")),
    ("area_mv_ms", "Area of the negative phase, onset to its return through the baseline", Some("mV*ms")),
    ("duration_ms", "Duration of the negative phase", Some("ms")),
    ("change_pct", "Change of the measure the protocol is judged on from the first response (decrement negative)", Some("%")),
    ("noise_mv", "Noise SD of the pre-stimulus baseline", Some("mV")),
    ("artifact_end_ms", "End of the stimulus artifact after the stimulus", Some("ms")),
    ("baseline_mv", "The baseline level the response is measured from", Some("mV")),
    ("baseline_source", "Where the baseline was taken: pre_stimulus, post_artifact, tail_fit or manual", None),
    ("flags", "Why the response cannot be relied on, ;-separated codes (docs/measurement.md)", None),
    ("manual", "What a person set by hand: the marks (onset;end), or excluded", None),
    ("automatic_amplitude_mv", "The automatic amplitude, where a person moved the marks", Some("mV")),
];

/// Characters that make a spreadsheet read a cell as a formula (OWASP,
/// "CSV Injection"): `=`, `+`, `-`, `@`, tab and carriage return.
pub(crate) const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A text cell that a spreadsheet shows as text: one starting like a
/// formula gets a leading `'`, as OWASP recommends. Numbers are never passed
/// through it (a negative number stays a number).
pub fn text_cell(text: &str) -> String {
    if text.starts_with(FORMULA_STARTS) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// A measure with 4 decimals, as `format!("{v:.4}")` writes it (but never
/// "-0.0000"), without its
/// cost (its exact mode fell back to bignum arithmetic for most small
/// values, a tenth of a batch): the value times 10^4, rounded, written as an
/// integer. Near a rounding tie the rounding is decided exactly; exact ties,
/// large values and non-finite ones go through `format!`, so every cell is
/// the same as before.
fn fixed4(v: f64, out: &mut String) {
    use std::fmt::Write;
    /// Below this, `v * 10^4` is off by under 1.2e-7, far from the 1e-6
    /// margin kept around ties.
    const MAX_FAST: f64 = 1e5;
    const TIE_MARGIN: f64 = 1e-6;
    let scaled = v.abs() * 1e4;
    let fraction = scaled - scaled.floor();
    let fast = v.is_finite() && v.abs() < MAX_FAST;
    // Under 10^9, exact in u64.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let k = if !fast {
        None
    } else if (fraction - 0.5).abs() < TIE_MARGIN {
        // Quantised samples make these common: the median of an even
        // count of 0.1 µV steps ends in 0.05 µV.
        round_near_tie(v.abs(), scaled.floor() as u64)
    } else {
        Some(scaled.round() as u64)
    };
    let Some(k) = k else {
        let _ = write!(out, "{v:.4}");
        return;
    };
    // A value that rounds to zero is written "0.0000", never "-0.0000".
    if v.is_sign_negative() && k != 0 {
        out.push('-');
    }
    out.push_str(itoa::Buffer::new().format(k / 10_000));
    out.push('.');
    let f = k % 10_000;
    for d in [f / 1000, f / 100 % 10, f / 10 % 10, f % 10] {
        out.push(char::from(b'0' + (d as u8)));
    }
}

/// `x * 10^4` rounded to an integer, for `x >= 0` with `k <= x * 10^4 < k + 1`
/// near `k + 1/2`, decided in integers on `x`'s exact binary value; `None`
/// for an exact tie (`format!` rounds those half to even) or an `x` out of
/// range.
fn round_near_tie(x: f64, k: u64) -> Option<u64> {
    let bits = x.to_bits();
    let biased = i32::try_from((bits >> 52) & 0x7ff).ok()?;
    let fraction_bits = bits & ((1 << 52) - 1);
    // x = mantissa * 2^exp.
    let (mantissa, exp) = if biased == 0 {
        (fraction_bits, -1074)
    } else {
        (fraction_bits | (1 << 52), biased - 1075)
    };
    // x * 10^4 against k + 1/2, both times 2^-(exp + 1): mantissa * 10^4
    // against (2k + 1) * 2^-(exp + 1). Near a tie x >= 4.9e-5, so the
    // shift stays under 70 bits and neither side overflows 128.
    let shift = u32::try_from(-(exp + 1)).ok().filter(|s| *s < 90)?;
    let lhs = u128::from(mantissa) * 10_000;
    let rhs = u128::from(2 * k + 1).checked_shl(shift)?;
    match lhs.cmp(&rhs) {
        std::cmp::Ordering::Less => Some(k),
        std::cmp::Ordering::Greater => Some(k + 1),
        std::cmp::Ordering::Equal => None,
    }
}

fn num(v: Option<f64>, out: &mut String) {
    if let Some(v) = v {
        fixed4(v, out);
    }
}

/// The header line alone (for a batch where no study could be read).
pub fn measurements_csv_header() -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(COLUMNS);
    w.into_inner().unwrap_or_default()
}

/// Renders `measurements.csv` (empty cells for missing values; flags joined
/// with `;`).
pub fn measurements_csv(report: &Report) -> Vec<u8> {
    let mut out = measurements_csv_header();
    measurement_rows(report, &text_cell(&report.study.path), &mut out);
    out
}

/// Appends the rows of `measurements.csv`, without its header, to `out`;
/// `path_cell` is the study's `path` cell (a batch gives the summary's,
/// relative to the archive's root, so the two tables join on it).
pub(crate) fn measurement_rows(report: &Report, path_cell: &str, out: &mut Vec<u8>) {
    rows(report, path_cell, &Table::Csv, out);
}

/// Which table the rows are written for.
enum Table {
    /// `measurements.csv`: every test, commas, empty cells for none.
    Csv,
    /// A BIDS table of one test (its index): tabs, `n/a` for none.
    BidsTest(usize),
}

/// One test's rows as a BIDS table (tab-separated, `n/a` for a missing
/// value), with the header: a BIDS derivative's measurements
/// (`nmjscope bids`); `path` is the study's path relative to the dataset.
pub fn measurements_tsv(report: &Report, test: usize, path: &str) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b'\t')
        .from_writer(Vec::new());
    let _ = w.write_record(COLUMNS);
    let mut out = w.into_inner().unwrap_or_default();
    rows(report, &text_cell(path), &Table::BidsTest(test), &mut out);
    out
}

fn rows(report: &Report, path_cell: &str, table: &Table, out: &mut Vec<u8>) {
    let (delimiter, only) = match table {
        Table::Csv => (b',', None),
        Table::BidsTest(i) => (b'\t', Some(*i)),
    };
    let mut w = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_writer(std::mem::take(out));
    // One reused set of cells, not a vector of strings per row.
    let mut cells: Vec<String> = vec![String::new(); COLUMNS.len()];
    for (k, t) in report.tests.iter().enumerate() {
        if only.is_some_and(|o| o != k) {
            continue;
        }
        for (i, (r, change)) in t.responses.iter().zip(&t.change_pct).enumerate() {
            cells.iter_mut().for_each(String::clear);
            // The study's name and path: the key of its summary row (two
            // sites' `p1`, or two studies sharing a `study_id`, differ in
            // one of them).
            cells[0].push_str(&text_cell(&report.study.id));
            cells[1].push_str(path_cell);
            cells[2].push_str(&text_cell(&t.file));
            cells[3].push_str(&t.protocol.to_string());
            cells[4].push_str(&text_cell(t.muscle.as_deref().unwrap_or_default()));
            if let Some(rate) = t.stim_rate_hz {
                cells[5].push_str(&rate.to_string());
            }
            cells[6].push_str(&text_cell(&r.label.to_string()));
            cells[7].push_str(&(i + 1).to_string());
            let measures = [
                r.onset_ms,
                r.negative_peak_ms,
                r.amplitude_mv,
                r.peak_to_peak_mv,
                r.area_mv_ms,
                r.duration_ms,
                *change,
                Some(r.noise_mv),
                Some(r.artifact_end_ms),
                Some(r.baseline_mv),
            ];
            for (cell, v) in cells[8..18].iter_mut().zip(measures) {
                num(v, cell);
            }
            cells[18].push_str(&r.baseline_source.code());
            for (k, f) in r.flags.iter().enumerate() {
                if k > 0 {
                    cells[19].push(';');
                }
                cells[19].push_str(&f.code());
            }
            if let Some(m) = &r.manual {
                manual_cell(m, &mut cells[20]);
                num(m.automatic_amplitude_mv, &mut cells[21]);
            }
            if only.is_some() {
                cells
                    .iter_mut()
                    .filter(|c| c.is_empty())
                    .for_each(|c| c.push_str("n/a"));
            }
            // Writing to a Vec cannot fail.
            let _ = w.write_record(&cells);
        }
    }
    *out = w.into_inner().unwrap_or_default();
}

/// What a person changed on a response: the marks set (`onset;end`), or
/// `excluded`.
fn manual_cell(m: &crate::model::ManualMarks, cell: &mut String) {
    if m.excluded.is_some() {
        cell.push_str("excluded");
        return;
    }
    for (k, mark) in m.set.iter().enumerate() {
        if k > 0 {
            cell.push(';');
        }
        cell.push_str(&mark.code());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_has_its_meaning_in_order() {
        let named: Vec<&str> = COLUMN_MEANINGS.iter().map(|(n, _, _)| *n).collect();
        assert_eq!(named, COLUMNS);
    }

    #[test]
    fn formula_cells_are_neutralised() {
        for bad in [
            "=1+2*cmd|'/C calc'!A0",
            "@SUM(A1)",
            "+1",
            "-2+3",
            "\tx",
            "\rx",
        ] {
            assert_eq!(text_cell(bad), format!("'{bad}"));
        }
        assert_eq!(text_cell("ADM"), "ADM");
        assert_eq!(text_cell("r1"), "r1");
    }

    #[test]
    fn four_decimals_as_format_writes_them() {
        let mut special = vec![
            0.0,
            -0.0,
            0.00005,
            -0.00005,
            0.00015,
            1.23445,
            99_999.999_95,
            1e5,
            1e12,
            -7.5e-5,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            2.5e-5,
            0.99995,
            12.34565,
        ];
        // Fixed seed: the same values on every run.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let unit = (x >> 11) as f64 / (1u64 << 53) as f64;
            let scale = [1e-5, 1e-3, 1.0, 50.0, 1e4][(x % 5) as usize];
            special.push((unit - 0.5) * scale);
            // Exact ties of the fourth decimal, and their neighbours.
            let tie = ((x % 2_000_000) as f64 + 0.5) / 1e4;
            special.extend([tie, f64::from_bits(tie.to_bits() + 1), -tie]);
            // Quantised values near ties, as a median of 0.1 µV steps
            // gives them, made three ways.
            let n = (x % 400_000) as f64 * 2.0 + 1.0;
            special.extend([n / 20_000.0, n * 5e-5, (n * 1e-4 + (n + 1.0) * 1e-4) / 2.0]);
        }
        for v in special {
            let mut fast = String::new();
            fixed4(v, &mut fast);
            let slow = format!("{v:.4}");
            let want = if slow == "-0.0000" { "0.0000" } else { &slow };
            assert_eq!(fast, want, "{v:e}");
        }
    }
}
