//! Report model and its writers.
//!
//! The model is plain serde structs ([`Report`]); each writer is a pure
//! function from the model to bytes. Files are written in one place,
//! [`write_files`], atomically (a temporary file in the target directory,
//! then a rename), so a failure never leaves a half-written report.

mod csv_long;

mod json;
mod markdown;
mod text;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::interpret::Interpretation;
use crate::protocol::TestMeasures;
use crate::settings::Settings;

pub use csv_long::measurements_csv;

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

/// Writes files atomically into `dir` (created if needed): each is written
/// to a temporary file in the same directory, then renamed into place.
/// Returns the paths written.
pub fn write_files(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut written = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        let target = dir.join(name);
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io(dir, e))?;
        std::io::Write::write_all(&mut tmp, bytes).map_err(|e| Error::io(&target, e))?;
        tmp.persist(&target)
            .map_err(|e| Error::io(&target, e.error))?;
        written.push(target);
    }
    Ok(written)
}

/// Formats an optional number with `decimals`, `-` when absent.
pub(crate) fn fmt_opt(value: Option<f64>, decimals: usize) -> String {
    value
        .map(|v| format!("{v:.decimals$}"))
        .unwrap_or_else(|| "-".to_string())
}
