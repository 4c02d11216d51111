//! Spreading an archive over machines: deterministic shards of the study
//! list (`batch --shard I/N`), and joining the shards' outputs into what
//! one unsharded run writes (`nmjscope merge`).

use std::path::{Path, PathBuf};

use super::manifest::{RunInfo, RunManifest};
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
pub fn merge(parts: &[PathBuf], out: &Path, force: bool, command: Vec<String>) -> Result<Counts> {
    let run = one_run(parts)?;
    let mut rows = summary_rows(parts)?;
    rows_as_recorded(parts, &run, &rows)?;
    // Studies sort by path as the archive walk finds them; the sort is
    // stable, so the studies of one split folder keep their order.
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    refuse_duplicates(parts, &rows)?;
    let sources: Vec<ReportSource> = parts.iter().map(|_| ReportSource::default()).collect();
    let found = run.iter().map(|m| m.counts.found).sum();
    let rules = OutputRules {
        force,
        root: run[0].root.as_ref().map(PathBuf::from),
        studies: rows.len(),
        run: RunInfo {
            command,
            settings: run[0].settings.clone(),
            read_options: None,
            in_archive: run[0].counts.in_archive,
            reports: run[0].reports,
        },
        ..OutputRules::default()
    };
    let mut writer = ResultsWriter::begin(out, rules.clone())?;
    let started = super::manifest::now();
    // Every shard must have been scored with the same settings: the
    // manifests say so, and each report is checked against the first.
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
        // A summary row and the report it points at are one study's.
        if crate::render::text_cell(&report.study.id) != row.study {
            return Err(Error::MergeParts {
                path: part.clone(),
                detail: format!(
                    "its summary row of {} points at {reference}, the report of study {}",
                    row.path, report.study.id
                ),
            });
        }
        match &first {
            Some((q, settings)) if *settings != report.settings => {
                return Err(Error::MergeSettings {
                    path: part.clone(),
                    detail: format!(
                        "its studies were scored with other settings than {}'s; merge shards of one run (same thresholds and flags)",
                        parts[*q].display()
                    ),
                });
            }
            Some(_) => {}
            None => first = Some((p, report.settings.clone())),
        }
        // A report of its own stays one; a line of a part's studies.jsonl
        // gets its line in the merged one.
        let file = (!reference.starts_with(super::JSONL)).then_some((reference, bytes));
        writer.push(Prepared::from_report(row, Some(&report), file))?;
    }
    let counts = writer.counts();
    let mut manifest = RunManifest::of_run(&rules.run, (None, None), (found, counts), started);
    manifest.root = run[0].root.clone();
    manifest.read_options_hash = run[0].read_options_hash.clone();
    manifest.merged_parts = Some(parts.len());
    manifest.counts.reused = run.iter().map(|m| m.counts.reused).sum();
    writer.finish_with(manifest)
}

/// A study in two parts (a part given twice, or shards of different runs)
/// would be counted twice.
fn refuse_duplicates(parts: &[PathBuf], rows: &[Row]) -> Result<()> {
    for pair in rows.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if a.0 == b.0 && a.2.study == b.2.study && a.2.note == b.2.note {
            return Err(Error::MergeParts {
                path: parts[b.1].clone(),
                detail: format!(
                    "study {} is also in {}; each study must be in one part",
                    a.0.display(),
                    parts[a.1].display()
                ),
            });
        }
    }
    Ok(())
}

/// Each part's summary is the one its run wrote: as many rows scored and
/// failed as its manifest records, every scored row pointing at a report
/// of its own, every path inside the archive.
fn rows_as_recorded(parts: &[PathBuf], run: &[RunManifest], rows: &[Row]) -> Result<()> {
    let refuse = |p: usize, detail: String| Error::MergeParts {
        path: parts[p].clone(),
        detail,
    };
    for (p, manifest) in run.iter().enumerate() {
        let own: Vec<&Row> = rows.iter().filter(|r| r.1 == p).collect();
        let ok = own.iter().filter(|r| r.2.status == "ok").count();
        let (scored, failed) = (manifest.counts.scored, manifest.counts.failed);
        if (ok, own.len() - ok) != (scored, failed) {
            return Err(refuse(p, format!("its summary.csv has {ok} scored and {} failed rows, its run.json records {scored} and {failed}: the summary was changed after the run", own.len() - ok)));
        }
        let mut references = std::collections::HashSet::new();
        for (path, _, row) in own {
            if row.status == "ok" && row.report.is_empty() {
                return Err(refuse(
                    p,
                    format!("its summary row of {} points at no report", row.path),
                ));
            }
            if !row.report.is_empty() && !references.insert(row.report.as_str()) {
                return Err(refuse(
                    p,
                    format!("two of its summary rows point at {}", row.report),
                ));
            }
            let inside = path.components().all(|c| {
                matches!(
                    c,
                    std::path::Component::Normal(_) | std::path::Component::CurDir
                )
            });
            if !inside {
                return Err(refuse(
                    p,
                    format!("its summary row path {} leads out of the archive", row.path),
                ));
            }
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

/// The parts are the shards of one run, whole: their manifests
/// (`run.json`) name one archive and one set of settings, and their shards
/// cover 0..N-1 of one count exactly once (or the one part is a whole
/// run). Returns the manifests, in the order of `parts`.
fn one_run(parts: &[PathBuf]) -> Result<Vec<RunManifest>> {
    let manifests = parts
        .iter()
        .map(|p| RunManifest::read(p))
        .collect::<Result<Vec<_>>>()?;
    refuse_other_runs(parts, &manifests)?;
    refuse_gaps(parts, &manifests)?;
    Ok(manifests)
}

/// Every part is of the first part's run: one version, read options,
/// archive (and its size when each ran), settings and root.
fn refuse_other_runs(parts: &[PathBuf], manifests: &[RunManifest]) -> Result<()> {
    let (Some(first), Some(part0)) = (manifests.first(), parts.first()) else {
        return Ok(());
    };
    let refuse = |path: &PathBuf, detail: String| Error::MergeParts {
        path: path.clone(),
        detail,
    };
    for (m, part) in manifests.iter().zip(parts).skip(1) {
        let other = |what: &str, a: Option<&str>, b: Option<&str>| Error::MergeSettings {
            path: part.clone(),
            detail: format!(
                "it was {what} than {} ({} against {}); merge the shards of one run",
                part0.display(),
                a.unwrap_or("none"),
                b.unwrap_or("none")
            ),
        };
        if m.root != first.root {
            return Err(refuse(
                part,
                format!(
                "it scored another archive than {} ({} against {}); merge the shards of one run",
                part0.display(),
                m.root.as_deref().unwrap_or("none"),
                first.root.as_deref().unwrap_or("none")
            ),
            ));
        }
        if m.version != first.version {
            let v = (Some(m.version.as_str()), Some(first.version.as_str()));
            return Err(other("scored by another version of nmjscope", v.0, v.1));
        }
        if m.read_options_hash != first.read_options_hash {
            let (a, b) = (
                m.read_options_hash.as_deref(),
                first.read_options_hash.as_deref(),
            );
            return Err(other(
                "read with other options (--rate, --units, --channel, --identifying-key ...)",
                a,
                b,
            ));
        }
        if m.reports != first.reports {
            let with = |r: bool| if r { "with" } else { "without" };
            return Err(refuse(part, format!(
                "it was run {} --reports and {} {}: every study's report would be a file in some parts only; run the shards alike",
                with(m.reports), part0.display(), with(first.reports)
            )));
        }
        if m.counts.in_archive != first.counts.in_archive {
            return Err(refuse(part, format!(
                "its archive held {} studies when it ran, and {}'s held {} (was the archive mounted, or changed between the runs?); score the shards again",
                m.counts.in_archive, part0.display(), first.counts.in_archive
            )));
        }
        if m.settings_hash != first.settings_hash {
            return Err(Error::MergeSettings {
                path: part.clone(),
                detail: format!(
                    "its studies were scored with other settings than {}'s (settings hash {} against {}); merge the shards of one run",
                    part0.display(),
                    m.settings_hash.as_deref().unwrap_or("none"),
                    first.settings_hash.as_deref().unwrap_or("none")
                ),
            });
        }
    }
    Ok(())
}

/// The parts are the run's shards 0..N-1, each once, and found every
/// study of the archive between them (or the one part is a whole run).
fn refuse_gaps(parts: &[PathBuf], manifests: &[RunManifest]) -> Result<()> {
    let (Some(first), Some(part0)) = (manifests.first(), parts.first()) else {
        return Ok(());
    };
    let refuse = |path: &PathBuf, detail: String| Error::MergeParts {
        path: path.clone(),
        detail,
    };
    if parts.len() == 1 && first.shard.is_none() {
        return Ok(());
    }
    let mut seen: std::collections::BTreeMap<u32, &PathBuf> = Default::default();
    let count = first.shard.map_or(0, |s| s.count);
    for (m, part) in manifests.iter().zip(parts) {
        let Some(shard) = m.shard else {
            return Err(refuse(
                part,
                "it is a whole run (no --shard), not a shard; merge the shards of one run"
                    .to_string(),
            ));
        };
        if shard.index >= shard.count {
            return Err(refuse(
                part,
                format!(
                    "its run.json names shard {}/{}, which no run makes",
                    shard.index, shard.count
                ),
            ));
        }
        if shard.count != count {
            return Err(refuse(
                part,
                format!(
                "it is shard {}/{} and {} is shard {}/{count}: shards of one run share their count",
                shard.index, shard.count, part0.display(), first.shard.map_or(0, |s| s.index)
            ),
            ));
        }
        if let Some(other) = seen.insert(shard.index, part) {
            return Err(refuse(
                part,
                format!(
                    "it is shard {}/{count}, as {} is: give each shard once",
                    shard.index,
                    other.display()
                ),
            ));
        }
    }
    // Every index below the count not given (listed up to ten: a count
    // read from a file may be large).
    let missing: Vec<String> = (0..count)
        .filter(|i| !seen.contains_key(i))
        .take(10)
        .map(|i| format!("{i}/{count}"))
        .collect();
    if !missing.is_empty() {
        let absent = count as usize - seen.len();
        return Err(refuse(part0, format!(
            "{} of the run's {count} shards {} missing ({}{}): merge every shard of the run (a shard that found no study has an output too)",
            absent,
            if absent == 1 { "is" } else { "are" },
            missing.join(", "),
            if absent > missing.len() { ", ..." } else { "" }
        )));
    }
    // The parts found every study of the archive between them.
    let found: usize = manifests.iter().map(|m| m.counts.found).sum();
    if found != first.counts.in_archive {
        return Err(refuse(part0, format!(
            "the parts found {found} of the archive's {} study paths: merge the shards of one run, each as it was written",
            first.counts.in_archive
        )));
    }
    Ok(())
}

fn merge_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Resume {
        path: path.to_path_buf(),
        detail: e.to_string(),
    }
}
