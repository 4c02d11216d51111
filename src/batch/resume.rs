//! Re-running into the same output: the content hash of each study's input
//! files, and the results of the previous run for studies whose hash is
//! unchanged (`batch --resume`).

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::{BatchItem, SummaryRow};
use crate::error::{Error, Result};
use crate::io::ReadOptions;
use crate::model::Report;
use crate::settings::Settings;

/// A fixed 64-bit hash in the FNV-1a family, so a hash is the same on
/// every run and machine (std's hasher is not).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fnv(u64);

impl Fnv {
    pub fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    /// Mixes in `bytes` eight at a time (FNV-1a over little-endian words,
    /// then the tail byte by byte).
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
pub fn input_hash(path: &Path, options: &ReadOptions) -> Result<String> {
    Ok(hash_files(
        &crate::io::read_study_bytes(path, options)?,
        options,
    ))
}

/// [`input_hash`] of files already read ([`crate::io::read_study_bytes`]).
/// The read options (protocol, `--rate`, `--supramaximal` ...) are part of
/// the input: a study read with other overrides is another study.
pub fn hash_files(files: &[(PathBuf, Vec<u8>)], options: &ReadOptions) -> String {
    // XXH3: fixed on every run and machine; word-wise FNV-1a, a serial
    // multiply chain, cost 2.5% of a batch, XXH3 about 1%. (Summaries
    // written with FNV hashes are re-scored once by `--resume`, never
    // mixed.)
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(format!("{options:?}").as_bytes());
    h.update(&[0]);
    for (f, bytes) in files {
        let name = f.file_name().map(|n| n.to_string_lossy().into_owned());
        h.update(name.unwrap_or_default().as_bytes());
        h.update(&[0]);
        h.update(bytes);
    }
    format!("{:016x}", h.digest())
}

/// The results of an earlier run, by study path. Only the summary is held
/// in memory; a report is read from the earlier output when its study is
/// re-used.
#[derive(Debug, Default)]
pub struct Previous {
    out: PathBuf,
    /// The archive, as this run typed it.
    root: PathBuf,
    by_path: HashMap<PathBuf, (String, Vec<Earlier>)>,
    reports: ReportSource,
}

/// One study of an earlier run.
#[derive(Debug, Clone)]
struct Earlier {
    /// Whether it was split out of a mixed folder.
    split: bool,
    note: Option<String>,
    /// Where its report is (the summary's `report` cell).
    reference: String,
}

impl Previous {
    /// The results in an earlier batch output folder of the archive under
    /// `root`: every study scored without error there, with its input hash
    /// and where its report is. A folder without `summary.csv` has none.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] or [`Error::Resume`] when the summary cannot be read.
    pub fn load(out: &Path, root: &Path) -> Result<Previous> {
        let summary = out.join("summary.csv");
        if !summary.is_file() {
            return Ok(Previous::default());
        }
        let mut reader = csv::Reader::from_path(&summary).map_err(|e| resume_err(&summary, e))?;
        let mut by_path: HashMap<PathBuf, (String, Vec<Earlier>)> = HashMap::new();
        let mut failed: Vec<PathBuf> = Vec::new();
        for row in reader.deserialize::<SummaryRow>() {
            let row = row.map_err(|e| resume_err(&summary, e))?;
            // The column is relative to the root (`.` for the root).
            let path = root.join(unescape(&row.path));
            if row.status != "ok" || row.input_hash.is_empty() || row.report.is_empty() {
                failed.push(path);
                continue;
            }
            let entry = by_path
                .entry(path.clone())
                .or_insert_with(|| (row.input_hash.clone(), Vec::new()));
            let earlier = Earlier {
                split: row.note.is_some(),
                note: row.note.as_deref().map(unescape),
                reference: unescape(&row.report),
            };
            // A row given twice (an edited summary) is one study, not two;
            // two rows of one unsplit study that differ are scored again.
            if entry.1.iter().any(|e| e.reference == earlier.reference) {
                continue;
            }
            let unsplit = !earlier.split || entry.1.iter().any(|e| !e.split);
            if unsplit && !entry.1.is_empty() {
                failed.push(path);
            }
            entry.1.push(earlier);
        }
        // A folder with any failed study is scored again as a whole.
        for path in failed {
            by_path.remove(&path);
        }
        Ok(Previous {
            out: out.to_path_buf(),
            root: root.to_path_buf(),
            by_path,
            reports: ReportSource::default(),
        })
    }

    /// The earlier results of `path` when its input is unchanged, every
    /// report of it can still be read, is about this study, and was scored
    /// with `settings` into the current report schema.
    pub(crate) fn unchanged(
        &self,
        path: &Path,
        hash: &str,
        settings: &Settings,
    ) -> Option<Vec<BatchItem>> {
        let (previous_hash, earlier) = self.by_path.get(path)?;
        if previous_hash != hash {
            return None;
        }
        earlier
            .iter()
            .map(|e| {
                let report = self
                    .reports
                    .get(&self.out, &e.reference)
                    .ok()
                    .filter(|r| self.is_report_of(r, path))
                    .filter(|r| r.settings == *settings)
                    // A report of another schema was read by other rules
                    // (one before each test carried its verdict): scored again.
                    .filter(|r| r.schema == crate::model::SCHEMA)?;
                Some(BatchItem {
                    path: path.to_path_buf(),
                    split_id: e.split.then(|| report.study.id.clone()),
                    note: e.note.clone(),
                    input_hash: hash.to_string(),
                    resumed: true,
                    outcome: Ok(report),
                })
            })
            .collect()
    }

    /// Whether `report` is the study at `path`: its recorded path ends with
    /// the study's path under the root, however either run typed the root
    /// (`archive`, `./archive`, `/data/archive`).
    fn is_report_of(&self, report: &Report, path: &Path) -> bool {
        let theirs = Path::new(&report.study.path);
        match path.strip_prefix(&self.root) {
            Ok(r) if !r.as_os_str().is_empty() => theirs.ends_with(r),
            // The root is itself the study: its own name.
            _ => theirs.file_name() == path.file_name() || theirs == path,
        }
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

/// The reports of an earlier output: lines of `studies.jsonl`, read one at
/// a time through an index of where each line starts (built on first use),
/// or files under `reports/`.
#[derive(Debug, Default)]
pub(crate) struct ReportSource {
    jsonl: Mutex<Option<JsonlIndex>>,
}

/// An open `studies.jsonl` and the offset of each line's start, then of
/// its end.
#[derive(Debug)]
struct JsonlIndex {
    file: File,
    starts: Vec<u64>,
}

impl JsonlIndex {
    fn open(path: &Path) -> std::io::Result<JsonlIndex> {
        let mut reader = BufReader::with_capacity(1 << 16, File::open(path)?);
        let mut starts = vec![0];
        let mut offset = 0u64;
        loop {
            let chunk = reader.fill_buf()?;
            if chunk.is_empty() {
                break;
            }
            for (i, b) in chunk.iter().enumerate() {
                if *b == b'\n' {
                    starts.push(offset + i as u64 + 1);
                }
            }
            let n = chunk.len();
            offset += n as u64;
            reader.consume(n);
        }
        if starts.last() != Some(&offset) {
            starts.push(offset);
        }
        Ok(JsonlIndex {
            file: reader.into_inner(),
            starts,
        })
    }

    /// Line `n` (from 1), without its newline.
    fn line(&mut self, n: usize) -> Option<std::io::Result<Vec<u8>>> {
        let start = *self.starts.get(n.checked_sub(1)?)?;
        let end = *self.starts.get(n)?;
        let mut bytes = vec![0; usize::try_from(end - start).ok()?];
        let read = self
            .file
            .seek(SeekFrom::Start(start))
            .and_then(|_| self.file.read_exact(&mut bytes));
        Some(read.map(|()| {
            if bytes.last() == Some(&b'\n') {
                bytes.pop();
            }
            bytes
        }))
    }
}

impl ReportSource {
    /// The report a summary's `report` cell points at in `out`.
    pub fn bytes(&self, out: &Path, reference: &str) -> Result<Vec<u8>> {
        let prefix = format!("{}:", super::JSONL);
        let Some(n) = reference.strip_prefix(&prefix) else {
            let file = out.join(reference);
            // A report file of the earlier output, never a path out of it.
            let inside = std::path::Path::new(reference)
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)));
            if !inside {
                return Err(resume_err(
                    &out.join("summary.csv"),
                    format!("the report reference {reference:?} leads out of the output folder"),
                ));
            }
            return std::fs::read(&file).map_err(|e| Error::io(&file, e));
        };
        let file = out.join(super::JSONL);
        // A poisoned lock only means another study panicked mid-read; the
        // index is still whole, as every read seeks first.
        let mut index = self.jsonl.lock().unwrap_or_else(|p| p.into_inner());
        if index.is_none() {
            *index = Some(JsonlIndex::open(&file).map_err(|e| Error::io(&file, e))?);
        }
        n.parse::<usize>()
            .ok()
            .and_then(|n| index.as_mut()?.line(n))
            .ok_or_else(|| resume_err(&file, format!("no line {n}")))?
            .map_err(|e| Error::io(&file, e))
    }

    /// As [`ReportSource::bytes`], parsed.
    pub fn get(&self, out: &Path, reference: &str) -> Result<Report> {
        let bytes = self.bytes(out, reference)?;
        serde_json::from_slice(&bytes).map_err(|e| resume_err(&out.join(reference), e))
    }
}

/// A text cell as written, without the quote that kept a spreadsheet from
/// reading it as a formula.
pub(crate) fn unescape(cell: &str) -> String {
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
