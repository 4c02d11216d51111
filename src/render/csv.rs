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

fn num(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.4}")).unwrap_or_default()
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
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut rows: Vec<Vec<String>> = Vec::new();
    rows.push(COLUMNS.iter().map(|c| c.to_string()).collect());
    for t in &report.tests {
        for (i, (r, change)) in t.responses.iter().zip(&t.change_pct).enumerate() {
            rows.push(vec![
                text_cell(&report.study.id),
                text_cell(&t.file),
                t.protocol.to_string(),
                text_cell(t.muscle.as_deref().unwrap_or_default()),
                t.stim_rate_hz.map(|v| v.to_string()).unwrap_or_default(),
                text_cell(&r.label.to_string()),
                (i + 1).to_string(),
                num(r.onset_ms),
                num(r.negative_peak_ms),
                num(r.amplitude_mv),
                num(r.peak_to_peak_mv),
                num(r.area_mv_ms),
                num(r.duration_ms),
                num(*change),
                num(Some(r.noise_mv)),
                num(Some(r.artifact_end_ms)),
                num(Some(r.baseline_mv)),
                r.baseline_source.code(),
                r.flags
                    .iter()
                    .map(|f| f.code())
                    .collect::<Vec<_>>()
                    .join(";"),
            ]);
        }
    }
    for row in rows {
        // Writing to a Vec cannot fail.
        let _ = w.write_record(&row);
    }
    w.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
