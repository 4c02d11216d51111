//! The report of a study: what the pipeline produces and every writer
//! renders.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Interpretation, TestMeasures};
use crate::settings::Settings;

/// The report schema identifier.
/// Version 2: each test's `change_pct` is a list in response
/// order (the train stage's output), train flags are in `train_flags`, and
/// each response shows its baseline (`baseline_mv`, `baseline_source`,
/// `baseline_window_ms`, `drift_mv_per_ms`, `artifact_end_ms`).
pub const SCHEMA: &str = "nmjscope.report/3";

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
    /// Date of the study (`date` metadata), when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Who performed the study (`examiner` metadata), when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub examiner: Option<String>,
    /// Why the study was done (`indication`), when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indication: Option<String>,
    /// The study's other metadata, passed through for research (e.g.
    /// `condition`, `severity`, a lab's own keys): every key of its files
    /// that is not identifying and not one the report shows elsewhere (the
    /// recording's own fields and the record). Files that disagree give
    /// their distinct values joined by `|`, in file order.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: BTreeMap<String, String>,
    /// Identifying metadata (`patient_name`, `mrn`, `dob`, ...): empty
    /// unless the caller asked for an identified report
    /// ([`crate::pipeline::Analyzer::identified`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub identifying: BTreeMap<String, String>,
    /// The markers files the measures used (`docs/markers.md`): each
    /// test's sidecar and the XXH3 hash of its bytes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub markers: Vec<super::MarkersUsed>,
}

/// A whole report, schema `nmjscope.report/3`.
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
    /// What several low-rate trains of one muscle say together (the
    /// post-exercise series, repeated trains).
    #[serde(default)]
    pub series: super::StudySeries,
    /// The reading.
    pub interpretation: Interpretation,
    /// A jitter study scored by `batch` (a folder of jitter files,
    /// `docs/jitter.md`): its report, with no CMAP test beside it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jitter: Option<super::JitterReport>,
}
