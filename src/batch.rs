//! Batch scoring of an archive: every study under a folder, in parallel
//! across studies (never inside one), in a fixed order, and never a lost
//! study: one that cannot be read becomes an error row, not a stopped run.
//!
//! Progress is reported through a callback; the library draws nothing.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::io::{describe_groups, read_study_groups, ReadOptions};
use crate::model::Report;
use crate::pipeline::analyze_study;
use crate::settings::Settings;

/// The studies under `root`, sorted by path: every sub-folder that holds
/// `*.csv` files (searched recursively; a folder with CSV files is one study
/// and is not searched further), and every `*.csv` directly in `root` (a
/// study of one test).
pub fn find_studies(root: &Path) -> Result<Vec<PathBuf>> {
    let mut studies = Vec::new();
    let entries = std::fs::read_dir(root).map_err(|e| Error::io(root, e))?;
    let mut paths: Vec<PathBuf> = entries
        .map(|e| e.map(|e| e.path()).map_err(|err| Error::io(root, err)))
        .collect::<Result<_>>()?;
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect_dirs(&path, &mut studies)?;
        } else if is_csv(&path) {
            studies.push(path);
        }
    }
    Ok(studies)
}

fn is_csv(path: &Path) -> bool {
    path.is_file()
        && path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
}

fn collect_dirs(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let mut children: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .map(|e| e.map(|e| e.path()).map_err(|err| Error::io(dir, err)))
        .collect::<Result<_>>()?;
    children.sort();
    if children.iter().any(|p| is_csv(p)) {
        out.push(dir.to_path_buf());
        return Ok(());
    }
    for child in children.iter().filter(|p| p.is_dir()) {
        collect_dirs(child, out)?;
    }
    Ok(())
}

/// The outcome of one study.
#[derive(Debug)]
pub struct BatchItem {
    /// The study's path.
    pub path: PathBuf,
    /// The study's id when its folder held several studies (files whose
    /// `study_id`, `patient_id` or `date` disagree), which were split.
    pub split_id: Option<String>,
    /// Why the folder was split, for the summary.
    pub note: Option<String>,
    /// Its report, or the error that stopped it (with file and line).
    pub outcome: std::result::Result<Report, Error>,
}

/// Reads one path and analyses each study in it: usually one item, several
/// when the folder mixes studies.
fn score_path(path: &Path, settings: &Settings, options: &ReadOptions) -> Vec<BatchItem> {
    let groups = match read_study_groups(path, options) {
        Ok(g) => g,
        Err(e) => {
            return vec![BatchItem {
                path: path.to_path_buf(),
                split_id: None,
                note: None,
                outcome: Err(e),
            }]
        }
    };
    let split = groups.len() > 1;
    let note = split.then(|| {
        format!(
            "split into {} studies by study_id/patient_id/date: {}",
            groups.len(),
            describe_groups(&groups)
        )
    });
    groups
        .iter()
        .map(|study| BatchItem {
            path: path.to_path_buf(),
            split_id: split.then(|| study.id.clone()),
            note: note.clone(),
            outcome: analyze_study(study, settings),
        })
        .collect()
}

/// Progress of a batch, as reported to the callback after each study.
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    /// Studies finished so far.
    pub done: usize,
    /// Studies in the batch.
    pub total: usize,
    /// The study just finished.
    pub path: &'a Path,
    /// Whether it failed.
    pub failed: bool,
}

/// Analyses every study on `threads` worker threads (all cores when
/// `None`), calling `progress` after each. The result is in the order of
/// `studies`, whatever the scheduling.
pub fn run_batch(
    studies: &[PathBuf],
    settings: &Settings,
    options: &ReadOptions,
    threads: Option<usize>,
    progress: &(dyn Fn(Progress<'_>) + Sync),
) -> Result<Vec<BatchItem>> {
    let done = AtomicUsize::new(0);
    let total = studies.len();
    let work = || {
        let per_path: Vec<Vec<BatchItem>> = studies
            .par_iter()
            .map(|path| {
                let items = score_path(path, settings, options);
                let n = done.fetch_add(1, Ordering::SeqCst) + 1;
                progress(Progress {
                    done: n,
                    total,
                    path,
                    failed: items.iter().any(|i| i.outcome.is_err()),
                });
                items
            })
            .collect();
        per_path.into_iter().flatten().collect()
    };
    match threads {
        Some(n) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n.max(1))
                .build()
                .map_err(|e| Error::Settings {
                    path: PathBuf::from("<jobs>"),
                    detail: e.to_string(),
                })?;
            Ok(pool.install(work))
        }
        None => Ok(work()),
    }
}

/// One row of `summary.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryRow {
    /// Study identifier (or the folder name when it could not be read).
    pub study: String,
    /// Path as found.
    pub path: String,
    /// `ok` or `error`.
    pub status: String,
    /// Interpretation pattern.
    pub pattern: Option<String>,
    /// LEMS criterion.
    pub lems_criterion: Option<String>,
    /// Low CMAP.
    pub low_cmap: Option<bool>,
    /// Number of tests.
    pub tests: Option<usize>,
    /// Largest low-rate decrement.
    pub max_decrement_pct: Option<f64>,
    /// Largest increment (exercise or high rate).
    pub max_increment_pct: Option<f64>,
    /// Union of test flags.
    pub flags: String,
    /// The error, for failed studies.
    pub error: Option<String>,
    /// Anything the batch did to the study (a split folder).
    pub note: Option<String>,
}

/// The summary row of one batch item.
pub fn summary_row(item: &BatchItem) -> SummaryRow {
    let fallback_id = item
        .path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    match &item.outcome {
        Ok(r) => {
            let max = |f: fn(&crate::model::TestMeasures) -> Option<f64>| {
                r.tests.iter().filter_map(f).reduce(f64::max)
            };
            let mut flags: Vec<String> = r.tests.iter().flat_map(|t| t.flag_codes()).collect();
            flags.sort_unstable();
            flags.dedup();
            SummaryRow {
                study: r.study.id.clone(),
                path: item.path.display().to_string(),
                status: "ok".to_string(),
                pattern: Some(r.interpretation.pattern.code().to_string()),
                lems_criterion: Some(r.interpretation.lems_criterion.code().to_string()),
                low_cmap: r.interpretation.low_cmap,
                tests: Some(r.tests.len()),
                max_decrement_pct: max(|t| t.decrement_pct),
                max_increment_pct: max(|t| t.increment_pct),
                flags: flags.join(";"),
                error: None,
                note: item.note.clone(),
            }
        }
        Err(e) => SummaryRow {
            study: fallback_id,
            path: item.path.display().to_string(),
            status: "error".to_string(),
            pattern: None,
            lems_criterion: None,
            low_cmap: None,
            tests: None,
            max_decrement_pct: None,
            max_increment_pct: None,
            flags: String::new(),
            error: Some(e.to_string()),
            note: item.note.clone(),
        },
    }
}

/// `summary.csv`: one row per study, failed ones included.
pub fn summary_csv(items: &[BatchItem]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for item in items {
        // Serialising plain rows into a Vec cannot fail.
        let _ = w.serialize(summary_row(item));
    }
    w.into_inner().unwrap_or_default()
}

/// All studies' per-response measurements in one tidy CSV (one header).
pub fn measurements_csv(items: &[BatchItem]) -> Vec<u8> {
    let mut out = Vec::new();
    for r in items.iter().filter_map(|i| i.outcome.as_ref().ok()) {
        let bytes = crate::render::measurements_csv(r);
        if out.is_empty() {
            out.extend_from_slice(&bytes);
        } else if let Some(newline) = bytes.iter().position(|b| *b == b'\n') {
            out.extend_from_slice(&bytes[newline + 1..]);
        }
    }
    if out.is_empty() {
        out = crate::render::measurements_csv_header();
    }
    out
}
