//! Spreading an archive over machines: deterministic shards of the study
//! list (`batch --shard I/N`), and joining the shards' outputs into what
//! one unsharded run writes (`nmjscope merge`).

use std::path::{Path, PathBuf};

use super::output::{Counts, OutputRules, Prepared, ResultsWriter};
use super::resume::{unescape, Fnv, ReportSource};
use super::SummaryRow;
use crate::error::{Error, Result};
use crate::model::Report;
use crate::settings::Settings;

/// Whether the study at `path` belongs to shard `i` of `n`: by a fixed hash
/// of its path under `root`, so a study stays in its shard when others are
/// added or removed, and every run on every machine agrees.
pub fn in_shard(root: &Path, path: &Path, (i, n): (u32, u32)) -> bool {
    let relative = path.strip_prefix(root).unwrap_or(path);
    let mut h = Fnv::new();
    h.write(relative.to_string_lossy().as_bytes());
    h.finish() % u64::from(n.max(1)) == u64::from(i)
}

/// Joins batch output folders into one at `out`, as one unsharded run
/// writes it: `summary.csv` with every row in the order of the archive walk
/// (by study path), `measurements.csv` and `studies.jsonl` in the same
/// order, and the per-study report files the parts had. Reports are read
/// one at a time, so memory stays flat in the number of studies.
///
/// # Errors
///
/// [`Error::Resume`] or [`Error::Io`] when a part's summary or a report it
/// lists cannot be read, or the result cannot be written; `out` is then
/// as it was.
pub fn merge(parts: &[PathBuf], out: &Path, force: bool) -> Result<Counts> {
    let mut rows = summary_rows(parts)?;
    // Studies sort by path as the archive walk finds them; the sort is
    // stable, so the studies of one split folder keep their order.
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    refuse_duplicates(parts, &rows)?;
    let root = one_run(parts)?;
    let sources: Vec<ReportSource> = parts.iter().map(|_| ReportSource::default()).collect();
    let rules = OutputRules {
        force,
        root,
        studies: rows.len(),
        ..OutputRules::default()
    };
    let mut writer = ResultsWriter::begin(out, rules)?;
    // Every shard must have been scored with the same settings.
    let mut first: Option<(usize, Settings)> = None;
    for (_, p, row) in rows {
        if row.report.is_empty() {
            writer.push(Prepared::from_report(row, None, None))?;
            continue;
        }
        let (part, source) = (&parts[p], &sources[p]);
        let reference = unescape(&row.report);
        let bytes = source.bytes(part, &reference)?;
        let report: Report =
            serde_json::from_slice(&bytes).map_err(|e| merge_err(&part.join(&reference), e))?;
        match &first {
            Some((q, settings)) if *settings != report.settings => {
                return Err(merge_err(
                    part,
                    format!(
                        "its studies were scored with other settings than {}'s; merge shards of one run (same thresholds and flags)",
                        parts[*q].display()
                    ),
                ));
            }
            Some(_) => {}
            None => first = Some((p, report.settings.clone())),
        }
        // A report of its own stays one; a line of a part's studies.jsonl
        // gets its line in the merged one.
        let file = (!reference.starts_with(super::JSONL)).then_some((reference, bytes));
        writer.push(Prepared::from_report(row, Some(&report), file))?;
    }
    writer.finish()
}

/// A study in two parts (a part given twice, or shards of different runs)
/// would be counted twice.
fn refuse_duplicates(parts: &[PathBuf], rows: &[Row]) -> Result<()> {
    for pair in rows.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if a.0 == b.0 && a.2.study == b.2.study && a.2.note == b.2.note {
            return Err(merge_err(
                &parts[b.1],
                format!(
                    "study {} is also in {}; each study must be in one part",
                    a.0.display(),
                    parts[a.1].display()
                ),
            ));
        }
    }
    Ok(())
}

/// One summary row of a part: the study path, the part's index, the row.
type Row = (PathBuf, usize, SummaryRow);

/// Every row of the parts' summaries.
fn summary_rows(parts: &[PathBuf]) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    for (p, part) in parts.iter().enumerate() {
        let summary = part.join("summary.csv");
        let mut reader = csv::Reader::from_path(&summary).map_err(|e| merge_err(&summary, e))?;
        for row in reader.deserialize::<SummaryRow>() {
            let row = row.map_err(|e| merge_err(&summary, e))?;
            rows.push((PathBuf::from(unescape(&row.path)), p, row));
        }
    }
    Ok(rows)
}

/// The parts are the shards of one run: one archive (where they record
/// it) and one shard count, each shard once. Returns the archive, for the
/// merged set's own record.
fn one_run(parts: &[PathBuf]) -> Result<Option<PathBuf>> {
    let mut root: Option<(String, &PathBuf)> = None;
    let mut shards: Vec<((u32, u32), &PathBuf)> = Vec::new();
    for part in parts {
        if let Ok(record) = std::fs::read_to_string(part.join(super::output::RUN_FILE)) {
            match &root {
                Some((r, first)) if *r != record => {
                    return Err(merge_err(part, format!("it scored another archive than {} ({} against {}); merge the shards of one run", first.display(), record.trim(), r.trim())));
                }
                Some(_) => {}
                None => root = Some((record, part)),
            }
        }
        let kind = crate::io::fs::set_kind(part).unwrap_or_default();
        let Some(shard) = kind.strip_prefix("batch shard ").and_then(parse_shard) else {
            continue;
        };
        if let Some((other, first)) = shards
            .iter()
            .find(|(s, _)| s.1 != shard.1 || s.0 == shard.0)
        {
            let why = if other.1 != shard.1 {
                format!(
                    "it is shard {}/{} and {} is shard {}/{}: shards of one run share their count",
                    shard.0,
                    shard.1,
                    first.display(),
                    other.0,
                    other.1
                )
            } else {
                format!(
                    "it is shard {}/{}, as {} is",
                    shard.0,
                    shard.1,
                    first.display()
                )
            };
            return Err(merge_err(part, why));
        }
        shards.push((shard, part));
    }
    Ok(root.and_then(|(r, _)| r.trim().strip_prefix("root: ").map(PathBuf::from)))
}

/// `I/N` of a shard set's kind.
fn parse_shard(text: &str) -> Option<(u32, u32)> {
    let (i, n) = text.split_once('/')?;
    Some((i.parse().ok()?, n.parse().ok()?))
}

fn merge_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Resume {
        path: path.to_path_buf(),
        detail: e.to_string(),
    }
}
