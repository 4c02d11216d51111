//! Spreading an archive over machines: deterministic shards of the study
//! list (`batch --shard I/N`), and joining the shards' outputs into what
//! one unsharded run writes (`nmjscope merge`).

use std::path::{Path, PathBuf};

use super::resume::Fnv;
use crate::error::{Error, Result};
use crate::model::Report;

/// Whether the study at `path` belongs to shard `i` of `n`: by a fixed hash
/// of its path under `root`, so a study stays in its shard when others are
/// added or removed, and every run on every machine agrees.
pub fn in_shard(root: &Path, path: &Path, (i, n): (u32, u32)) -> bool {
    let relative = path.strip_prefix(root).unwrap_or(path);
    let mut h = Fnv::new();
    h.write(relative.to_string_lossy().as_bytes());
    h.finish() % u64::from(n.max(1)) == u64::from(i)
}

/// Joins batch output folders into the files of one: `summary.csv` with
/// every row in the order an unsharded run writes them (by study path),
/// `measurements.csv` in the same order, and every report under
/// `reports/`. The result is for [`crate::io::fs::write_set`].
///
/// # Errors
///
/// [`Error::Resume`] or [`Error::Io`] when a part's summary or a report it
/// lists cannot be read.
pub fn merge(parts: &[PathBuf]) -> Result<Vec<(String, Vec<u8>)>> {
    let mut header: Option<csv::StringRecord> = None;
    let mut rows: Vec<(PathBuf, PathBuf, csv::StringRecord)> = Vec::new();
    for part in parts {
        let summary = part.join("summary.csv");
        let mut reader = csv::Reader::from_path(&summary).map_err(|e| merge_err(&summary, e))?;
        let h = reader
            .headers()
            .map_err(|e| merge_err(&summary, e))?
            .clone();
        if header.as_ref().is_some_and(|first| *first != h) {
            return Err(merge_err(
                &summary,
                "its columns differ from the first part's",
            ));
        }
        let path_col = column(&h, "path", &summary)?;
        for record in reader.records() {
            let record = record.map_err(|e| merge_err(&summary, e))?;
            let path = PathBuf::from(record.get(path_col).unwrap_or_default());
            rows.push((path, part.clone(), record));
        }
        header.get_or_insert(h);
    }
    let header = header.unwrap_or_else(|| csv::StringRecord::from(super::SUMMARY_COLUMNS.to_vec()));
    // Studies sort by path as the archive walk finds them; the sort is
    // stable, so the studies of one split folder keep their order.
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let report_col = header.iter().position(|c| c == "report");
    let mut summary = csv::Writer::from_writer(Vec::new());
    let _ = summary.write_record(&header);
    let mut measurements = crate::render::measurements_csv_header();
    let mut files = Vec::new();
    for (_, part, record) in &rows {
        let _ = summary.write_record(record);
        let Some(name) = report_col
            .and_then(|c| record.get(c))
            .filter(|n| !n.is_empty())
        else {
            continue;
        };
        let file = part.join(name);
        let bytes = std::fs::read(&file).map_err(|e| Error::io(&file, e))?;
        let report: Report = serde_json::from_slice(&bytes).map_err(|e| merge_err(&file, e))?;
        let block = crate::render::measurements_csv(&report);
        if let Some(newline) = block.iter().position(|b| *b == b'\n') {
            measurements.extend_from_slice(&block[newline + 1..]);
        }
        files.push((name.to_string(), bytes));
    }
    let summary = summary.into_inner().unwrap_or_default();
    let mut out = vec![
        ("summary.csv".to_string(), summary),
        ("measurements.csv".to_string(), measurements),
    ];
    out.extend(files);
    Ok(out)
}

fn column(header: &csv::StringRecord, name: &str, file: &Path) -> Result<usize> {
    header
        .iter()
        .position(|c| c == name)
        .ok_or_else(|| merge_err(file, format!("no {name} column")))
}

fn merge_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Resume {
        path: path.to_path_buf(),
        detail: e.to_string(),
    }
}
