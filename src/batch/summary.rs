//! `summary.csv`: one row per study, one clearly named column per
//! quantity (`docs/batch.md` lists them).

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{report_name, BatchItem};
use crate::model::{MuscleReading, Report, ValidityCode};
use crate::render::text_cell;

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
    /// LEMS criterion (graded even when its test cannot be relied on:
    /// `increment_status` says whether it can).
    pub lems_criterion: Option<String>,
    /// How the decrement part stands: `measured`, `unreliable`,
    /// `inconclusive` or `not_tested`.
    #[serde(default)]
    pub decrement_status: Option<String>,
    /// How the increment part stands (as `decrement_status`).
    #[serde(default)]
    pub increment_status: Option<String>,
    /// Low CMAP.
    pub low_cmap: Option<bool>,
    /// Number of tests.
    pub tests: Option<usize>,
    /// Responses whose markers a person set or which a person excluded
    /// (markers files, `docs/markers.md`).
    #[serde(default)]
    pub manual_responses: Option<usize>,
    /// The decrement the conclusion rests on (%, 1 decimal, as the report
    /// prints it): the resting one, or a train in post-exercise exhaustion
    /// when only that one is abnormal.
    pub decrement_pct: Option<f64>,
    /// The decrement of the trains at rest (%).
    #[serde(default)]
    pub rest_decrement_pct: Option<f64>,
    /// The largest decrement from 1 minute after exercise on (%).
    #[serde(default)]
    pub max_exhaustion_pct: Option<f64>,
    /// The increment that counted (%): none when the rise was
    /// pseudofacilitation.
    pub increment_pct: Option<f64>,
    /// The largest amplitude-only rise not counted as an increment (%).
    #[serde(default)]
    pub pseudofacilitation_pct: Option<f64>,
    /// The muscles tested, `;`-separated, in study order.
    #[serde(default)]
    pub muscle: String,
    /// Their sides, `;`-separated, one per muscle (empty where not recorded).
    #[serde(default)]
    pub side: String,
    /// The first muscle's resting CMAP (mV, 2 decimals).
    #[serde(default)]
    pub first_cmap_mv: Option<f64>,
    /// The study's other metadata (`StudyInfo::metadata`), as
    /// `key=value` pairs joined by `;`.
    #[serde(default)]
    pub metadata: String,
    /// Union of test flags.
    pub flags: String,
    /// The tests' verdicts: `valid` when every test is valid, else
    /// `<code>:<file>` for each test that is not, `;`-separated (codes:
    /// `limited`, `out_of_protocol`, `unreliable`, `not_done`); empty for
    /// a study that failed.
    #[serde(default)]
    pub validity: String,
    /// The error, for failed studies.
    pub error: Option<String>,
    /// Anything the batch did to the study (a split folder).
    pub note: Option<String>,
    /// Where the study's full report is: `studies.jsonl:<line>`, or
    /// `reports/<name>.json` (see [`report_name`]) when per-study reports
    /// were asked for; empty for a study that failed.
    pub report: String,
    /// The hash of the study's input files and read options
    /// ([`input_hash`]), which `--resume` compares.
    pub input_hash: String,
    /// A jitter study's verdict: `abnormal` when any muscle's is, else
    /// `not_judged` when any muscle's is, else `normal`; empty for a CMAP
    /// study (`docs/jitter.md`).
    #[serde(default)]
    pub jitter_verdict: Option<String>,
    /// The largest mean jitter of its muscles (µs, 1 decimal).
    #[serde(default)]
    pub jitter_mean_us: Option<f64>,
    /// Pairs judged, over its muscles.
    #[serde(default)]
    pub jitter_pairs: Option<usize>,
    /// Judged pairs above the pair limit or blocking, over its muscles.
    #[serde(default)]
    pub jitter_abnormal_pairs: Option<usize>,
}

/// The columns of `summary.csv`, written even when no study was found.
pub const SUMMARY_COLUMNS: &[&str] = &[
    "study",
    "path",
    "status",
    "pattern",
    "lems_criterion",
    "decrement_status",
    "increment_status",
    "low_cmap",
    "tests",
    "manual_responses",
    "decrement_pct",
    "rest_decrement_pct",
    "max_exhaustion_pct",
    "increment_pct",
    "pseudofacilitation_pct",
    "muscle",
    "side",
    "first_cmap_mv",
    "metadata",
    "flags",
    "validity",
    "error",
    "note",
    "report",
    "input_hash",
    "jitter_verdict",
    "jitter_mean_us",
    "jitter_pairs",
    "jitter_abnormal_pairs",
];

/// A study's path under the archive's `root`, as the `path` column gives
/// it: relative (`clinic2/p7`; `.` for a root that is itself a study), so
/// one study has one path however the root was typed (`archive`,
/// `./archive`, `/data/archive`), and shards typed differently merge.
/// The root itself is in the run's manifest (`run.json`).
///
/// A name that is not UTF-8 keeps its bytes: each invalid byte is written
/// `\xNN` (two folders `M\xfcller` and `M\xf6ller` stay two rows; a
/// lossy `M�ller` made them one).
pub fn relative_path(root: &Path, path: &Path) -> String {
    match path.strip_prefix(root) {
        Ok(r) if r.as_os_str().is_empty() => ".".to_string(),
        Ok(r) => lossless(r.as_os_str()),
        Err(_) => lossless(path.as_os_str()),
    }
}

/// `text` as UTF-8, each byte that is not written `\xNN`.
fn lossless(text: &std::ffi::OsStr) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let mut out = String::with_capacity(text.len());
        for chunk in text.as_bytes().utf8_chunks() {
            out.push_str(chunk.valid());
            for b in chunk.invalid() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        }
        out
    }
    #[cfg(not(unix))]
    {
        text.to_string_lossy().into_owned()
    }
}

/// The summary row of one batch item of the archive under `root`. Text
/// cells that a spreadsheet would take for a formula are neutralised
/// ([`text_cell`]).
pub fn summary_row(root: &Path, item: &BatchItem) -> SummaryRow {
    // A BIDS session is named for its subject and session, as a read one
    // is: two subjects' `ses-01` are never one name.
    let fallback_id = match crate::io::bids::dataset_of(&item.path) {
        Some(_) => crate::io::bids::session_id(&item.path),
        None => item
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    match &item.outcome {
        Ok(r) => {
            let q = &r.interpretation.quantities;
            // One decimal, more where a cut-off needs it: a cell never
            // rounds across the threshold the report judged it by.
            let i = &r.settings.interpret;
            let dec_cut = [r
                .interpretation
                .decrement
                .limit_pct
                .unwrap_or(i.decrement_abnormal_pct)];
            let inc_cuts = i.increment_cuts();
            let mut flags: Vec<String> = r.tests.iter().flat_map(|t| t.flag_codes()).collect();
            flags.sort_unstable();
            flags.dedup();
            SummaryRow {
                study: text_cell(&r.study.id),
                path: text_cell(&relative_path(root, &item.path)),
                status: "ok".to_string(),
                pattern: Some(r.interpretation.pattern.code().to_string()),
                lems_criterion: Some(r.interpretation.lems_criterion.code().to_string()),
                decrement_status: Some(r.interpretation.decrement.status.code()),
                increment_status: Some(r.interpretation.increment.status.code()),
                low_cmap: r.interpretation.low_cmap,
                tests: Some(r.tests.len()),
                manual_responses: Some(
                    r.tests
                        .iter()
                        .flat_map(|t| &t.responses)
                        .filter(|x| x.manual.is_some())
                        .count(),
                ),
                decrement_pct: r
                    .interpretation
                    .decrement
                    .value_pct
                    .map(|v| beside(v, &dec_cut)),
                rest_decrement_pct: q.rest_decrement_pct.map(|v| beside(v, &dec_cut)),
                max_exhaustion_pct: q.max_exhaustion_pct.map(|v| beside(v, &dec_cut)),
                increment_pct: q.increment_pct.map(|v| beside(v, &inc_cuts)),
                pseudofacilitation_pct: q.pseudofacilitation_pct.map(round_1),
                muscle: text_cell(&joined(r, |m| m.muscle.clone())),
                side: text_cell(&joined(r, |m| m.side.clone())),
                first_cmap_mv: q.first_cmap_mv.map(round_2),
                metadata: text_cell(&metadata_cell(r)),
                flags: flags.join(";"),
                validity: text_cell(&validity_cell(r)),
                error: None,
                note: item.note.as_deref().map(text_cell),
                report: text_cell(&format!("reports/{}.json", report_name(root, item))),
                // `summary_csv` points it at `studies.jsonl` unless each
                // study has its own file.
                input_hash: item.input_hash.clone(),
                jitter_verdict: r.jitter.as_ref().map(|j| j.worst_verdict().code()),
                jitter_mean_us: r.jitter.as_ref().and_then(|j| {
                    j.muscles
                        .iter()
                        .filter_map(|m| m.mean_jitter_us)
                        .reduce(f64::max)
                        .map(round_1)
                }),
                jitter_pairs: r
                    .jitter
                    .as_ref()
                    .map(|j| j.muscles.iter().map(|m| m.judged).sum()),
                jitter_abnormal_pairs: r
                    .jitter
                    .as_ref()
                    .map(|j| j.muscles.iter().map(|m| m.abnormal_pairs).sum()),
            }
        }
        Err(e) => SummaryRow {
            study: text_cell(&fallback_id),
            path: text_cell(&relative_path(root, &item.path)),
            status: "error".to_string(),
            pattern: None,
            lems_criterion: None,
            decrement_status: None,
            increment_status: None,
            low_cmap: None,
            tests: None,
            manual_responses: None,
            decrement_pct: None,
            rest_decrement_pct: None,
            max_exhaustion_pct: None,
            increment_pct: None,
            pseudofacilitation_pct: None,
            muscle: String::new(),
            side: String::new(),
            first_cmap_mv: None,
            metadata: String::new(),
            flags: String::new(),
            validity: String::new(),
            error: Some(text_cell(&e.to_string())),
            note: item.note.as_deref().map(text_cell),
            report: String::new(),
            input_hash: item.input_hash.clone(),
            jitter_verdict: None,
            jitter_mean_us: None,
            jitter_pairs: None,
            jitter_abnormal_pairs: None,
        },
    }
}

/// The summary's `validity` cell: `valid`, or each test that is not as
/// `<code>:<file>`.
fn validity_cell(r: &Report) -> String {
    let not_valid: Vec<String> = r
        .tests
        .iter()
        .filter(|t| t.validity.code != ValidityCode::Valid)
        .map(|t| format!("{}:{}", t.validity.code, t.file))
        .collect();
    if not_valid.is_empty() {
        "valid".to_string()
    } else {
        not_valid.join(";")
    }
}

/// One decimal, as every report prints a percentage.
fn round_1(v: f64) -> f64 {
    let r = (v * 10.0).round() / 10.0;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

/// One decimal beside `cuts`, as the reports print it.
fn beside(v: f64, cuts: &[f64]) -> f64 {
    crate::words::rounded_beside(v, 1, cuts)
}

/// Two decimals, as every report prints an amplitude.
fn round_2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// One value per muscle of the study, `;`-separated (empty where absent).
fn joined(r: &Report, f: impl Fn(&MuscleReading) -> Option<String>) -> String {
    let values: Vec<String> = r
        .interpretation
        .muscles
        .iter()
        .map(|m| f(m).unwrap_or_default())
        .collect();
    if values.iter().all(String::is_empty) {
        String::new()
    } else {
        values.join(";")
    }
}

/// The study's passed-through metadata as `key=value;key=value`, with
/// `%`, `;`, `=` and control characters in keys and values written as
/// `%XX` (percent-encoding), so that every pair splits back as written.
fn metadata_cell(r: &Report) -> String {
    r.study
        .metadata
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join(";")
}

fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | ';' | '=') || c.is_control() {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}
