//! Report model and its writers.
//!
//! The model is plain serde structs ([`Report`]); each writer is a pure
//! function from the model to bytes. Files are written in one place,
//! [`write_files`], atomically (a temporary file in the target directory,
//! then a rename), so a failure never leaves a half-written report.

mod csv_long;
mod html;

mod json;
mod markdown;
mod text;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::interpret::Interpretation;
use crate::protocol::TestMeasures;
use crate::settings::Settings;

pub use csv_long::{measurements_csv, measurements_csv_header};
pub use html::html;

pub use json::json;
pub use markdown::markdown;
pub use text::text;

/// The report schema identifier.
pub const SCHEMA: &str = "nmjscope.report/1";

/// The tool that wrote a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolInfo {
    /// `nmjscope`.
    pub name: String,
    /// The crate version.
    pub version: String,
}

impl ToolInfo {
    /// This build.
    pub fn current() -> Self {
        ToolInfo {
            name: env!("CARGO_PKG_NAME").to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}

/// The study a report is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudyInfo {
    /// Identifier.
    pub id: String,
    /// Path as given.
    pub path: String,
}

/// A whole report, schema `nmjscope.report/1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// The tool.
    pub tool: ToolInfo,
    /// The study.
    pub study: StudyInfo,
    /// Every setting and threshold used.
    pub settings: Settings,
    /// One entry per test.
    pub tests: Vec<TestMeasures>,
    /// The reading.
    pub interpretation: Interpretation,
}

/// The full report set of a study as (file name, bytes): `report.html`,
/// `report.md`, `report.json`, `report.txt`, `measurements.csv`, and every
/// plot as PNG and SVG under `plots/`. Pure: nothing is written here.
pub fn report_set(report: &Report, study: &crate::model::Study) -> Result<Vec<(String, Vec<u8>)>> {
    let mut plots = Vec::with_capacity(report.tests.len());
    for (rec, test) in study.tests.iter().zip(&report.tests) {
        plots.push(crate::plot::plots_for_test(rec, test)?);
    }
    let mut files = vec![
        ("report.html".to_string(), html(report, &plots)?),
        ("report.md".to_string(), markdown(report)),
        ("report.json".to_string(), json(report)),
        ("report.txt".to_string(), text(report)),
        ("measurements.csv".to_string(), measurements_csv(report)),
    ];
    for plot in plots.into_iter().flatten() {
        files.push((format!("plots/{}.svg", plot.name), plot.svg.into_bytes()));
        files.push((format!("plots/{}.png", plot.name), plot.png));
    }
    Ok(files)
}

/// Writes files atomically into `dir` (created if needed): each is written
/// to a temporary file in the same directory, then renamed into place.
/// Returns the paths written.
pub fn write_files(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut written = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        let target = dir.join(name);
        let parent = target.parent().unwrap_or(dir);
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        let mut tmp = tempfile::NamedTempFile::new_in(parent).map_err(|e| Error::io(parent, e))?;
        std::io::Write::write_all(&mut tmp, bytes).map_err(|e| Error::io(&target, e))?;
        // Temporary files are private; reports are ordinary files.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = tmp
                .as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o644));
        }
        tmp.persist(&target)
            .map_err(|e| Error::io(&target, e.error))?;
        written.push(target);
    }
    Ok(written)
}

/// The cells of one response row, shared by every tabular writer: onset,
/// peak, amplitude, peak-to-peak, area, duration, change, flags.
pub(crate) fn response_cells(r: &crate::measure::ResponseMeasures) -> [String; 8] {
    [
        fmt_opt(r.onset_ms, 2),
        fmt_opt(r.negative_peak_ms, 2),
        fmt_opt(r.amplitude_mv, 2),
        fmt_opt(r.peak_to_peak_mv, 2),
        fmt_opt(r.area_mv_ms, 2),
        fmt_opt(r.duration_ms, 2),
        fmt_opt(r.change_pct, 1),
        r.flags
            .iter()
            .map(|f| f.code())
            .collect::<Vec<_>>()
            .join(", "),
    ]
}

/// Formats an optional number with `decimals`, `-` when absent.
pub(crate) fn fmt_opt(value: Option<f64>, decimals: usize) -> String {
    value
        .map(|v| format!("{v:.decimals$}"))
        .unwrap_or_else(|| "-".to_string())
}
