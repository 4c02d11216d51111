//! A batch's results written as the studies finish, in archive order, so
//! memory stays flat however large the archive: `summary.csv`,
//! `measurements.csv`, `studies.jsonl` and (on request) one report file per
//! study, into a set that replaces the output folder only once complete.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::manifest::{RunInfo, RunManifest, RUN_JSON};
use super::{report_name, summary_row, BatchItem, SummaryRow, JSONL};
use crate::error::{Error, Result};
use crate::io::fs::SetWriter;
use crate::model::Report;

/// What one study adds to the results, made on the worker thread that
/// scored it so that the writer only appends bytes.
#[derive(Debug)]
pub struct Prepared {
    row: SummaryRow,
    measurements: Vec<u8>,
    json_line: Option<Vec<u8>>,
    report_file: Option<(String, Vec<u8>)>,
    failed: bool,
    resumed: bool,
}

impl Prepared {
    /// The results of `item` of the archive under `root`; with
    /// `per_study`, its report is also written to a file of its own.
    pub fn of(root: &Path, item: &BatchItem, per_study: bool) -> Prepared {
        let row = summary_row(root, item);
        let report = item.outcome.as_ref().ok();
        let report_file = report.filter(|_| per_study).map(|r| {
            let name = format!("reports/{}.json", report_name(root, item));
            (name, crate::render::report_json(r))
        });
        let mut prepared = Prepared::from_report(row, report, report_file);
        prepared.resumed = item.resumed;
        prepared
    }

    /// The results of a study scored in an earlier run (`merge`): its
    /// summary row and report, and the report file it had, if any.
    pub(crate) fn from_report(
        row: SummaryRow,
        report: Option<&Report>,
        report_file: Option<(String, Vec<u8>)>,
    ) -> Prepared {
        Prepared {
            failed: report.is_none(),
            resumed: false,
            measurements: report
                .map(|r| measurement_rows(r, &row.path))
                .unwrap_or_default(),
            json_line: report
                .and_then(|r| serde_json::to_vec(r).ok())
                .map(|mut bytes| {
                    crate::render::positive_zeros(&mut bytes);
                    bytes
                }),
            report_file,
            row,
        }
    }
}

/// A report's rows of `measurements.csv`, without the header.
fn measurement_rows(report: &Report, path_cell: &str) -> Vec<u8> {
    let mut rows = Vec::new();
    crate::render::csv::measurement_rows(report, path_cell, &mut rows);
    rows
}

/// How many studies a batch wrote, and how they fared.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Studies (summary rows).
    pub studies: usize,
    /// Studies that failed (error rows).
    pub failed: usize,
    /// Studies re-used unchanged from the previous run.
    pub resumed: usize,
}

/// One output file being written, with the path its errors name.
struct Stream<W> {
    path: PathBuf,
    writer: W,
}

/// What a batch may do with results already in its output folder. One
/// rule for `batch`, `merge` and Python's `batch(out=...)`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OutputRules {
    /// Replace finished results (`--force`): whatever batch results are
    /// there at the swap.
    pub force: bool,
    /// The results there are this run's input (`--resume`): replaced, and
    /// only they (not results another run put in meanwhile).
    pub resume: bool,
    /// The shard this run scores (`--shard I/N`), recorded in the set's
    /// kind: a folder holding another shard's results, or a whole run's,
    /// is never replaced by it.
    pub shard: Option<(u32, u32)>,
    /// Whether the caller can re-use results (`batch --resume`; `merge`
    /// cannot), for the message.
    pub can_resume: bool,
    /// The archive scored (`None` for `merge`), recorded in the set: a
    /// `--resume` over another archive's results is refused.
    pub root: Option<PathBuf>,
    /// How many studies this run found: none never replaces finished
    /// results (an unmounted or mistyped root would erase them).
    pub studies: usize,
    /// The command line and settings, for the run's manifest (`run.json`).
    pub run: RunInfo,
}

/// The set's record of the run that wrote it (its archive).
pub(super) const RUN_FILE: &str = ".nmjscope-run";

impl OutputRules {
    /// The set's kind: `batch`, or `batch shard I/N`.
    fn kind(&self) -> String {
        match self.shard {
            None => "batch".to_string(),
            Some((i, n)) => format!("batch shard {i}/{n}"),
        }
    }

    /// Why finished results in `out` may not be replaced, if they may not.
    fn refuse_finished(&self, out: &Path) -> Option<String> {
        let finished = crate::io::fs::set_kind(out).is_some_and(|k| k.starts_with("batch"))
            && out.join("summary.csv").is_file();
        if !finished {
            return None;
        }
        if self.studies == 0 && self.root.is_some() {
            return Some(
                "no study was found to score, and the finished batch results there are kept (is the archive mounted?)"
                    .to_string(),
            );
        }
        if self.resume && !self.force {
            let theirs = std::fs::read_to_string(out.join(RUN_FILE)).ok();
            let ours = self.run_record();
            if let (Some(theirs), Some(ours)) = (theirs, ours) {
                if theirs != ours {
                    let root = theirs.trim().strip_prefix("root: ").unwrap_or(&theirs);
                    return Some(format!("it holds the results of another archive ({root}): --resume re-uses only a run's own; add --force to replace them"));
                }
            }
        }
        (!self.force && !self.resume).then(|| {
            let resume = if self.can_resume {
                "add --resume to re-use them for unchanged studies, or "
            } else {
                ""
            };
            format!("it holds finished batch results: {resume}add --force to replace them")
        })
    }

    /// What the set records of its run: the archive, as a full path.
    fn run_record(&self) -> Option<String> {
        let root = self.root.as_ref()?;
        let full = root.canonicalize().unwrap_or_else(|_| root.clone());
        Some(format!(
            "root: {}\n",
            crate::error::printable(&full.display().to_string())
        ))
    }
}

/// Writes a batch's results into a new set that replaces `out` at
/// [`ResultsWriter::finish`]; dropped before that, `out` is untouched.
pub struct ResultsWriter {
    set: SetWriter,
    /// What `run.json` records, and when the run began.
    rules: OutputRules,
    started: String,
    summary: Stream<csv::Writer<BufWriter<std::fs::File>>>,
    measurements: Stream<BufWriter<std::fs::File>>,
    jsonl: Stream<BufWriter<std::fs::File>>,
    line: usize,
    counts: Counts,
}

impl ResultsWriter {
    /// Starts the results that will replace `out` (a batch set: see
    /// [`SetWriter`]) as `rules` allow, writing the headers. Finished
    /// results are replaced only with `force` or `resume`, checked now and
    /// again at the swap: results another run finished there meanwhile
    /// are kept (with `force`, replaced).
    ///
    /// # Errors
    ///
    /// [`Error::OutputNotASet`] when `out` is not a folder this tool
    /// wrote, holds another shard's results, or holds finished results
    /// `rules` do not let it replace; [`Error::Io`] naming a file that
    /// could not be created.
    pub fn begin(out: &Path, rules: OutputRules) -> Result<ResultsWriter> {
        if let Some(detail) = rules.refuse_finished(out) {
            return Err(Error::OutputNotASet {
                path: out.to_path_buf(),
                detail,
            });
        }
        let guard = if rules.force {
            crate::io::fs::SwapGuard::AnyOfItsKind
        } else {
            crate::io::fs::SwapGuard::AsBegun
        };
        let mut set = SetWriter::begin_guarded(out, &rules.kind(), guard)?;
        if let Some(record) = rules.run_record() {
            set.add(RUN_FILE, record.as_bytes())?;
        }
        let (path, file) = set.create("summary.csv")?;
        let mut summary = Stream {
            writer: csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(BufWriter::new(file)),
            path,
        };
        summary
            .writer
            .write_record(super::SUMMARY_COLUMNS)
            .map_err(|e| csv_err(&summary.path, e))?;
        let (path, file) = set.create("measurements.csv")?;
        let mut measurements = Stream {
            writer: BufWriter::new(file),
            path,
        };
        let header = crate::render::measurements_csv_header();
        write_all(&mut measurements, &header)?;
        let (path, file) = set.create(JSONL)?;
        let jsonl = Stream {
            writer: BufWriter::new(file),
            path,
        };
        Ok(ResultsWriter {
            set,
            rules,
            started: super::manifest::now(),
            summary,
            measurements,
            jsonl,
            line: 0,
            counts: Counts::default(),
        })
    }

    /// Appends one study. Its summary row points at its report: its own
    /// file when it has one, else its line of `studies.jsonl`.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] naming the file that could not be written.
    pub fn push(&mut self, prepared: Prepared) -> Result<()> {
        let Prepared {
            mut row,
            measurements,
            json_line,
            report_file,
            failed,
            resumed,
        } = prepared;
        if let Some(json) = &json_line {
            self.line += 1;
            write_all(&mut self.jsonl, json)?;
            write_all(&mut self.jsonl, b"\n")?;
            row.report = format!("{JSONL}:{}", self.line);
        }
        if let Some((name, bytes)) = report_file {
            self.set.add(&name, &bytes)?;
            row.report = crate::render::text_cell(&name);
        }
        write_all(&mut self.measurements, &measurements)?;
        self.summary
            .writer
            .serialize(row)
            .map_err(|e| csv_err(&self.summary.path, e))?;
        self.counts.studies += 1;
        self.counts.failed += usize::from(failed);
        self.counts.resumed += usize::from(resumed);
        Ok(())
    }

    /// The studies written so far, and how they fared.
    pub fn counts(&self) -> Counts {
        self.counts
    }

    /// Flushes every file and puts the set in place of the output folder.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] naming the file that could not be flushed or the
    /// folder that could not be replaced; the old results are then whole.
    pub fn finish(self) -> Result<Counts> {
        let manifest = RunManifest::of_run(
            &self.rules.run,
            (self.rules.root.as_deref(), self.rules.shard),
            (self.rules.studies, self.counts),
            self.started.clone(),
        );
        self.finish_with(manifest)
    }

    /// As [`ResultsWriter::finish`], with the manifest given (`merge`
    /// records its parts').
    pub(super) fn finish_with(self, manifest: RunManifest) -> Result<Counts> {
        let ResultsWriter {
            mut set,
            summary,
            measurements,
            jsonl,
            counts,
            ..
        } = self;
        let json = serde_json::to_vec_pretty(&manifest).map_err(|e| Error::Render {
            format: RUN_JSON.into(),
            detail: e.to_string(),
        })?;
        set.add(RUN_JSON, &json)?;
        let mut summary = summary;
        summary
            .writer
            .flush()
            .map_err(|e| Error::io(&summary.path, e))?;
        for mut stream in [measurements, jsonl] {
            stream
                .writer
                .flush()
                .map_err(|e| Error::io(&stream.path, e))?;
        }
        set.commit()?;
        Ok(counts)
    }
}

fn write_all(stream: &mut Stream<BufWriter<std::fs::File>>, bytes: &[u8]) -> Result<()> {
    stream
        .writer
        .write_all(bytes)
        .map_err(|e| Error::io(&stream.path, e))
}

fn csv_err(path: &Path, e: csv::Error) -> Error {
    Error::io(path, std::io::Error::other(e.to_string()))
}

/// Writes the results of studies already scored (in memory) to `out`, as
/// `batch` does while it runs.
///
/// # Errors
///
/// As [`ResultsWriter::begin`] and [`ResultsWriter::push`].
pub fn write_results(
    out: &Path,
    root: &Path,
    items: &[BatchItem],
    per_study: bool,
    rules: OutputRules,
) -> Result<Counts> {
    let mut writer = ResultsWriter::begin(out, rules)?;
    for item in items {
        writer.push(Prepared::of(root, item, per_study))?;
    }
    writer.finish()
}
