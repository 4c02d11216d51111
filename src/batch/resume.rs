//! Re-running into the same output: the content hash of each study's input
//! files, and the results of the previous run for studies whose hash is
//! unchanged (`batch --resume`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::{BatchItem, SummaryRow};
use crate::error::{Error, Result};
use crate::model::Report;

/// A fixed 64-bit hash in the FNV-1a family, so a hash is the same on
/// every run and machine (std's hasher is not).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fnv(u64);

impl Fnv {
    pub fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    /// Mixes in `bytes` eight at a time (FNV-1a over little-endian words,
    /// then the tail byte by byte): a whole archive is hashed on every
    /// batch, and byte-wise FNV cost a tenth of the run.
    pub fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            let word = u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
            self.0 = (self.0 ^ word).wrapping_mul(0x0100_0000_01b3);
        }
        for &b in words.remainder() {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    pub fn finish(self) -> u64 {
        self.0
    }
}

/// The content hash of a study's input: every CSV file of a folder in name
/// order (name and bytes), or the single file.
///
/// # Errors
///
/// [`Error::Io`] when a file cannot be read.
pub fn input_hash(path: &Path) -> Result<String> {
    let files = if path.is_dir() {
        crate::io::study_files(path)?
    } else {
        vec![path.to_path_buf()]
    };
    let mut h = Fnv::new();
    for f in files {
        let name = f.file_name().map(|n| n.to_string_lossy().into_owned());
        h.write(name.unwrap_or_default().as_bytes());
        h.write(&[0]);
        h.write(&std::fs::read(&f).map_err(|e| Error::io(&f, e))?);
    }
    Ok(format!("{:016x}", h.finish()))
}

/// The results of an earlier run, by study path.
#[derive(Debug, Default)]
pub struct Previous {
    by_path: HashMap<PathBuf, (String, Vec<Earlier>)>,
}

/// One study of an earlier run.
#[derive(Debug, Clone)]
struct Earlier {
    split_id: Option<String>,
    note: Option<String>,
    report: Report,
}

impl Previous {
    /// The results in an earlier batch output folder: every study scored
    /// without error there, with its input hash and its report. A folder
    /// without `summary.csv` has none.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] or [`Error::Resume`] when the summary or a report it
    /// lists cannot be read.
    pub fn load(out: &Path) -> Result<Previous> {
        let summary = out.join("summary.csv");
        if !summary.is_file() {
            return Ok(Previous::default());
        }
        let mut reader = csv::Reader::from_path(&summary).map_err(|e| resume_err(&summary, e))?;
        let mut by_path: HashMap<PathBuf, (String, Vec<Earlier>)> = HashMap::new();
        let mut reports = ReportSource::default();
        let mut failed: Vec<PathBuf> = Vec::new();
        for row in reader.deserialize::<SummaryRow>() {
            let row = row.map_err(|e| resume_err(&summary, e))?;
            let path = PathBuf::from(unescape(&row.path));
            if row.status != "ok" || row.input_hash.is_empty() || row.report.is_empty() {
                failed.push(path);
                continue;
            }
            let report = reports.get(out, &unescape(&row.report))?;
            let entry = by_path
                .entry(path.clone())
                .or_insert_with(|| (row.input_hash.clone(), Vec::new()));
            entry.1.push(Earlier {
                split_id: row.note.is_some().then(|| report.study.id.clone()),
                note: row.note.as_deref().map(unescape),
                report,
            });
        }
        // A folder with any failed study is scored again as a whole.
        for path in failed {
            by_path.remove(&path);
        }
        Ok(Previous { by_path })
    }

    /// The earlier results of `path` when its input is unchanged.
    pub(crate) fn unchanged(&self, path: &Path, hash: &str) -> Option<Vec<BatchItem>> {
        let (previous_hash, items) = self.by_path.get(path)?;
        (previous_hash == hash).then(|| {
            items
                .iter()
                .map(|e| BatchItem {
                    path: path.to_path_buf(),
                    split_id: e.split_id.clone(),
                    note: e.note.clone(),
                    input_hash: hash.to_string(),
                    resumed: true,
                    outcome: Ok(e.report.clone()),
                })
                .collect()
        })
    }

    /// How many studies the earlier run left to re-use.
    pub fn len(&self) -> usize {
        self.by_path.values().map(|v| v.1.len()).sum()
    }

    /// Whether there is nothing to re-use.
    pub fn is_empty(&self) -> bool {
        self.by_path.is_empty()
    }
}

/// The reports of an earlier output: lines of `studies.jsonl` (read once)
/// or files under `reports/`.
#[derive(Default)]
pub(crate) struct ReportSource {
    lines: Option<Vec<String>>,
}

impl ReportSource {
    /// The report a summary's `report` cell points at in `out`.
    pub fn bytes(&mut self, out: &Path, reference: &str) -> Result<Vec<u8>> {
        let prefix = format!("{}:", super::JSONL);
        let Some(n) = reference.strip_prefix(&prefix) else {
            let file = out.join(reference);
            return std::fs::read(&file).map_err(|e| Error::io(&file, e));
        };
        let file = out.join(super::JSONL);
        if self.lines.is_none() {
            let text = std::fs::read_to_string(&file).map_err(|e| Error::io(&file, e))?;
            self.lines = Some(text.lines().map(str::to_string).collect());
        }
        let line = n
            .parse::<usize>()
            .ok()
            .and_then(|n| self.lines.as_ref()?.get(n.checked_sub(1)?))
            .ok_or_else(|| resume_err(&file, format!("no line {n}")))?;
        Ok(line.clone().into_bytes())
    }

    /// As [`ReportSource::bytes`], parsed.
    pub fn get(&mut self, out: &Path, reference: &str) -> Result<Report> {
        let bytes = self.bytes(out, reference)?;
        serde_json::from_slice(&bytes).map_err(|e| resume_err(&out.join(reference), e))
    }
}

/// A text cell as written, without the quote that kept a spreadsheet from
/// reading it as a formula.
fn unescape(cell: &str) -> String {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(crate::render::FORMULA_STARTS) => rest.to_string(),
        _ => cell.to_string(),
    }
}

fn resume_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Resume {
        path: path.to_path_buf(),
        detail: e.to_string(),
    }
}
