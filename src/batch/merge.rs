//! Spreading an archive over machines: deterministic shards of the study
//! list (`batch --shard I/N`), and joining the shards' outputs into what
//! one unsharded run writes (`nmjscope merge`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::resume::{Fnv, ReportSource};
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
    let (header, mut rows) = summary_rows(parts)?;
    // Studies sort by path as the archive walk finds them; the sort is
    // stable, so the studies of one split folder keep their order.
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let report_col = header.iter().position(|c| c == "report");
    let mut summary = csv::Writer::from_writer(Vec::new());
    let _ = summary.write_record(&header);
    let mut measurements = crate::render::measurements_csv_header();
    let mut jsonl = Vec::new();
    let mut files = Vec::new();
    let mut sources: HashMap<PathBuf, ReportSource> = HashMap::new();
    let mut line = 0;
    for (_, part, record) in &rows {
        let reference = report_col.and_then(|c| record.get(c)).unwrap_or_default();
        if reference.is_empty() {
            let _ = summary.write_record(record);
            continue;
        }
        let bytes = sources
            .entry(part.clone())
            .or_default()
            .bytes(part, reference)?;
        let report: Report =
            serde_json::from_slice(&bytes).map_err(|e| merge_err(&part.join(reference), e))?;
        let block = crate::render::measurements_csv(&report);
        if let Some(newline) = block.iter().position(|b| *b == b'\n') {
            measurements.extend_from_slice(&block[newline + 1..]);
        }
        let _ = serde_json::to_writer(&mut jsonl, &report);
        jsonl.push(b'\n');
        // A line of a part's studies.jsonl gets its line in the merged one.
        line += 1;
        let mut row = record.clone();
        if reference.starts_with(super::JSONL) {
            let cells: Vec<String> = record
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    if Some(i) == report_col {
                        format!("{}:{line}", super::JSONL)
                    } else {
                        c.to_string()
                    }
                })
                .collect();
            row = csv::StringRecord::from(cells);
        } else {
            files.push((reference.to_string(), bytes));
        }
        let _ = summary.write_record(&row);
    }
    let summary = summary.into_inner().unwrap_or_default();
    let mut out = vec![
        ("summary.csv".to_string(), summary),
        ("measurements.csv".to_string(), measurements),
        (super::JSONL.to_string(), jsonl),
    ];
    out.extend(files);
    Ok(out)
}

/// One summary row of a part: the study path, the part, the row.
type Row = (PathBuf, PathBuf, csv::StringRecord);

/// The header and every row of the parts' summaries (their columns must
/// agree).
fn summary_rows(parts: &[PathBuf]) -> Result<(csv::StringRecord, Vec<Row>)> {
    let mut header: Option<csv::StringRecord> = None;
    let mut rows = Vec::new();
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
    Ok((header, rows))
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
