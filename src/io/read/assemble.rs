//! From what a reader found to a [`Recording`]: the metadata every format
//! shares (the caller's overrides, the clinical record, the protocol and
//! its rate), checked the same way whichever reader found the sweeps.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use ndarray::Array2;

use crate::error::{show, Error, Location, Result};
use crate::io::options::ReadOptions;
use crate::io::plausible::{
    check_response_count, within, EXERCISE_RANGE_S, MAX_METADATA_CHARS, PYRIDOSTIGMINE_RANGE_H,
    STIM_DURATION_RANGE_MS, STIM_INTENSITY_RANGE_MA, STIM_RATE_RANGE_HZ, TEMPERATURE_RANGE_C,
    TRAIN_RANGE,
};
use crate::model::{
    is_identifying, Delimiter, ExercisePhase, Polarity, Protocol, ProtocolSource, Recording,
    ResponseLabel, SourceInfo, TestRecord, VoltUnit, HIGH_RATE_MIN_HZ,
};

/// The sweeps a reader found: one time axis (relative to each stimulus)
/// and one row of mV values per response.
pub(crate) struct Sweeps {
    /// Time of the first sample of each sweep relative to its stimulus.
    pub t0_ms: f64,
    /// Sampling interval.
    pub dt_ms: f64,
    /// One label per row.
    pub labels: Vec<ResponseLabel>,
    /// One row per response, in mV.
    pub samples_mv: Array2<f64>,
    /// Where the labels were written, for errors about them.
    pub labels_at: LabelsAt,
}

/// Where a file names its responses.
pub(crate) enum LabelsAt {
    /// A wide header: one column per response (the first is column 2).
    Columns(u64),
    /// A line (the long layout's header).
    Line(u64),
    /// Nowhere: the labels follow from the stimuli of a continuous
    /// recording.
    Stimuli,
}

impl LabelsAt {
    fn at(&self, path: &Path, index: usize) -> Location {
        match self {
            LabelsAt::Columns(line) => Location::cell(path, *line, index as u64 + 2),
            LabelsAt::Line(line) => Location::line(path, *line),
            LabelsAt::Stimuli => Location::file(path),
        }
    }
}

/// Builds the recording: the caller's overrides applied to the metadata,
/// every value checked against its plausible range, the protocol resolved
/// and the labels checked against it.
pub(crate) fn build(
    path: &Path,
    mut meta: Meta,
    source: SourceInfo,
    sweeps: Sweeps,
    options: &ReadOptions,
) -> Result<Recording> {
    check_response_count(Location::file(path), sweeps.labels.len())?;
    let sampling_rate_hz = 1000.0 / sweeps.dt_ms;
    let ours = |e: Error| record_error(path, options, e);
    let fields = metadata_fields(path, &mut meta, sampling_rate_hz, options).map_err(ours)?;
    let sweep_ms = sweeps.samples_mv.ncols() as f64 * sweeps.dt_ms;
    let (protocol, protocol_source) =
        resolve_protocol(path, &meta, &sweeps, fields.stim_rate_hz, sweep_ms, options)
            .map_err(ours)?;
    check_labels(path, &sweeps, protocol)?;
    let mut record = record_fields(path, &meta).map_err(ours)?;
    let mut source = source;
    // Judged once, here: a key that identifies (the lab's own included)
    // fills no field a report shows.
    source.withheld = meta
        .all
        .keys()
        .filter(|k| is_identifying(k, &options.identifying_keys))
        .cloned()
        .collect();
    let shown = |key: &str| !source.withheld.iter().any(|k| k == key);
    if !shown("medication") {
        record.medication = None;
    }
    let text = |key: &str| {
        meta.all
            .get(key)
            .filter(|v| !v.is_empty() && shown(key))
            .cloned()
    };
    Ok(Recording {
        sampling_rate_hz,
        t0_ms: sweeps.t0_ms,
        labels: sweeps.labels,
        samples_mv: sweeps.samples_mv,
        protocol,
        protocol_source,
        stim_rate_hz: fields.stim_rate_hz,
        exercise_s: fields.exercise_s,
        temperature_c: fields.temperature_c,
        polarity: fields.polarity,
        muscle: text("muscle"),
        nerve: text("nerve"),
        side: text("side"),
        study_id: text("study_id"),
        record,
        metadata: meta.all,
        source,
        markers: None,
    })
}

/// The file name of a path, for [`SourceInfo::file_name`].
pub(crate) fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Metadata read from the `# key: value` lines.
#[derive(Debug, Default)]
pub(crate) struct Meta {
    /// Every key (normalised) and its value.
    pub all: BTreeMap<String, String>,
    /// The file line of each key that came from one.
    pub lines: BTreeMap<String, u64>,
    /// The `units` key, read.
    pub units: Option<VoltUnit>,
    /// The delimiter an Excel `sep=;` first line declares.
    pub sep: Option<Delimiter>,
    /// Where each value the record file gave was written.
    pub given: BTreeMap<String, Location>,
}

impl Meta {
    /// Where `key` was written: its line in the record file or the file,
    /// else the file (a value a flag or a binary header gave).
    pub fn at(&self, path: &Path, key: &str) -> Location {
        if let Some(at) = self.given.get(key) {
            return at.clone();
        }
        match self.lines.get(key) {
            Some(line) => Location::line(path, *line),
            None => Location::file(path),
        }
    }
}

/// Adds one `# key: value` line; a key given twice or a value longer than
/// [`MAX_METADATA_CHARS`] is an error.
pub(crate) fn add_metadata(
    path: &Path,
    meta: &mut Meta,
    key: String,
    value: &str,
    line: u64,
) -> Result<()> {
    let bad = |detail: String| Error::BadMetadata {
        at: Location::line(path, line),
        key: key.clone(),
        detail,
    };
    if let Some(first) = meta.lines.get(&key) {
        return Err(bad(format!(
            "given twice (first on line {first}); which one holds is unknown"
        )));
    }
    let chars = value.chars().count();
    if chars > MAX_METADATA_CHARS {
        return Err(bad(format!(
            "{chars} characters; at most {MAX_METADATA_CHARS} are accepted"
        )));
    }
    meta.all.insert(key.clone(), value.to_string());
    meta.lines.insert(key, line);
    Ok(())
}

/// The metadata values the analysis uses, after the caller's overrides.
struct Fields {
    stim_rate_hz: Option<f64>,
    exercise_s: Option<f64>,
    temperature_c: Option<f64>,
    polarity: Polarity,
}

/// Reads the numeric and enumerated metadata, applying the overrides (which
/// are also written back into the metadata map, so every output shows the
/// value used).
fn metadata_fields(
    path: &Path,
    meta: &mut Meta,
    sampling_rate_hz: f64,
    options: &ReadOptions,
) -> Result<Fields> {
    apply_overrides(path, meta, options);
    let meta_at = |key: &str| meta.at(path, key);
    let number = |key: &str| -> Result<Option<f64>> {
        match meta.all.get(key) {
            None => Ok(None),
            Some(v) => match v.replace(',', ".").parse::<f64>().ok() {
                Some(x) if x.is_finite() && x > 0.0 => Ok(Some(x)),
                _ => Err(Error::BadMetadata {
                    at: meta_at(key),
                    key: key.to_string(),
                    detail: format!("expected a positive number, found {v:?}"),
                }),
            },
        }
    };
    let ranged = |key: &str, range: (f64, f64), unit: &str| -> Result<Option<f64>> {
        match number(key)? {
            Some(x) if !within(x, range) => Err(Error::BadMetadata {
                at: meta_at(key),
                key: key.to_string(),
                detail: format!(
                    "{} {unit} is outside the plausible {}-{} {unit}",
                    show(x),
                    range.0,
                    range.1
                ),
            }),
            x => Ok(x),
        }
    };
    let stim_rate_hz = ranged("stim_rate_hz", STIM_RATE_RANGE_HZ, "Hz")?;
    let exercise_s = ranged("exercise_s", EXERCISE_RANGE_S, "s")?;
    let temperature_c = ranged("temperature_c", TEMPERATURE_RANGE_C, "C")?;
    if let Some(fs) = number("sampling_rate_hz")? {
        if (fs - sampling_rate_hz).abs() > 0.01 * sampling_rate_hz {
            return Err(Error::BadMetadata {
                at: meta_at("sampling_rate_hz"),
                key: "sampling_rate_hz".to_string(),
                detail: format!(
                    "{fs} Hz disagrees with the time column ({} Hz)",
                    round_to(sampling_rate_hz, 3)
                ),
            });
        }
    }
    let polarity = match meta.all.get("polarity").map(|s| s.to_lowercase()) {
        None => Polarity::Normal,
        Some(p) if p == "normal" => Polarity::Normal,
        Some(p) if p == "inverted" => Polarity::Inverted,
        Some(p) => {
            return Err(Error::BadMetadata {
                at: meta_at("polarity"),
                key: "polarity".to_string(),
                detail: format!("expected normal or inverted, found {p:?}"),
            })
        }
    };
    Ok(Fields {
        stim_rate_hz,
        exercise_s,
        temperature_c,
        polarity,
    })
}

/// The test's clinical record (`docs/formats.md`): each value checked
/// against its plausible range, an error naming the key's line otherwise.
fn record_fields(path: &Path, meta: &Meta) -> Result<TestRecord> {
    let bad = |key: &str, detail: String| Error::BadMetadata {
        at: meta.at(path, key),
        key: key.to_string(),
        detail,
    };
    let value = |key: &str| {
        meta.all
            .get(key)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    };
    let ranged = |key: &str, (lo, hi): (f64, f64), unit: &str| -> Result<Option<f64>> {
        let Some(v) = value(key) else {
            return Ok(None);
        };
        match v.replace(',', ".").parse::<f64>() {
            Ok(x) if within(x, (lo, hi)) => Ok(Some(x)),
            _ => Err(bad(key, format!("expected {lo}-{hi} {unit}, found {v:?}"))),
        }
    };
    let supramaximal = match value("supramaximal").map(str::to_lowercase).as_deref() {
        None => None,
        Some("yes" | "y" | "true" | "1") => Some(true),
        Some("no" | "n" | "false" | "0") => Some(false),
        Some(v) => {
            return Err(bad(
                "supramaximal",
                format!("expected yes or no, found {v:?}"),
            ))
        }
    };
    let train = match value("train") {
        None => None,
        Some(v) => match v.parse::<u32>() {
            Ok(n) if (TRAIN_RANGE.0..=TRAIN_RANGE.1).contains(&n) => Some(n),
            _ => {
                let (lo, hi) = TRAIN_RANGE;
                return Err(bad(
                    "train",
                    format!("expected a repeat number {lo}-{hi}, found {v:?}"),
                ));
            }
        },
    };
    let exercise_phase = match value("exercise_phase") {
        None => None,
        Some(v) => Some(ExercisePhase::parse(v).ok_or_else(|| {
            bad(
                "exercise_phase",
                format!(
                    "expected rest, post_0s, post_60s, post_2min ... (whole seconds or minutes, up to 30 min), found {v:?}"
                ),
            )
        })?),
    };
    Ok(TestRecord {
        stim_intensity_ma: ranged("stim_intensity_ma", STIM_INTENSITY_RANGE_MA, "mA")?,
        stim_duration_ms: ranged("stim_duration_ms", STIM_DURATION_RANGE_MS, "ms")?,
        supramaximal,
        train,
        exercise_phase,
        // `pyridostigmine_h`, as the flag is spelt, is read too.
        pyridostigmine_last_dose_h: match ranged(
            "pyridostigmine_last_dose_h",
            PYRIDOSTIGMINE_RANGE_H,
            "h",
        )? {
            Some(h) => Some(h),
            None => ranged("pyridostigmine_h", PYRIDOSTIGMINE_RANGE_H, "h")?,
        },
        medication: value("medication").map(str::to_string),
    })
}

/// Writes the caller's values into the metadata map (they win over the
/// file's): the flags, then the record file's for this file (`[study]`,
/// its `[muscle]`, its `[file]`: [`crate::io::RecordFile::values_for`]), each
/// replacing the one before. A record value keeps its place in the record
/// file, for errors about it.
fn apply_overrides(path: &Path, meta: &mut Meta, options: &ReadOptions) {
    for (key, _, value) in options.overrides.given() {
        meta.all.insert(key.to_string(), value);
        meta.lines.remove(key);
        meta.given.remove(key);
    }
    let Some(record) = &options.record else {
        return;
    };
    let muscle = meta.all.get("muscle").cloned();
    for v in record.values_for(&file_name(path), muscle.as_deref()) {
        meta.all.insert(v.key.to_string(), v.value.clone());
        meta.lines.remove(v.key);
        meta.given.insert(v.key.to_string(), record.at(v));
    }
}

/// An error about a value the record file gave is the record file's: it
/// names the record file's line, and the file it was applied to.
fn record_error(path: &Path, options: &ReadOptions, err: Error) -> Error {
    let from_record = |at: &Location| options.record.as_ref().is_some_and(|r| r.path == at.path);
    match err {
        Error::BadMetadata { at, key, detail } if from_record(&at) => Error::RecordFile {
            at,
            detail: format!("{key}: {detail} (applied to {})", file_name(path)),
        },
        other => other,
    }
}

/// A train this long cannot be a low-rate one (2-5 Hz trains have 5-10
/// stimuli) when its sweeps are this short: the rate must be given.
const HIGH_RATE_MIN_RESPONSES: usize = 20;
/// Sweeps shorter than this (ms) fit a high-rate train (100 ms is the
/// interval at 10 Hz).
const HIGH_RATE_MAX_SWEEP_MS: f64 = 100.0;

/// The labels a protocol's measures rest on: a train is `r1, r2, ...` in
/// order, with none missing (the decrement is to the 4th *recorded*
/// response, so a shuffled or gapped train would change the diagnosis); an
/// exercise test has one `pre` and at least one `post`/`post_<N>s`, and
/// nothing else (the increment is measured against `pre`).
fn check_labels(path: &Path, parsed: &Sweeps, protocol: Protocol) -> Result<()> {
    let at = |i: usize| parsed.labels_at.at(path, i);
    let bad = |i: usize, detail: String| Err(Error::BadHeader { at: at(i), detail });
    match protocol {
        Protocol::Exercise => {
            for (i, label) in parsed.labels.iter().enumerate() {
                if !label.is_exercise() {
                    return bad(i, format!(
                        "response {label:?} in an exercise test; expected pre, post or post_<seconds>s (e.g. post_30s)",
                        label = label.to_string()
                    ));
                }
            }
            let pres = parsed
                .labels
                .iter()
                .filter(|l| **l == ResponseLabel::Pre)
                .count();
            if pres != 1 || parsed.labels.len() < 2 {
                return bad(0, format!(
                    "an exercise test needs one pre-exercise response (`pre`) and at least one after (`post_0s`, ...); found {pres} pre and {} after",
                    parsed.labels.len() - pres
                ));
            }
            // `post` is `post_0s`: two CMAPs at one time after exercise
            // would each be "the" immediate one, and which one the
            // increment is read from would be a guess.
            let mut seen: HashMap<u32, &ResponseLabel> = HashMap::new();
            for (j, label) in parsed.labels.iter().enumerate() {
                let ResponseLabel::Post(s) = label else {
                    continue;
                };
                if let Some(earlier) = seen.insert(s.unwrap_or(0), label) {
                    return bad(
                        j,
                        format!(
                            "responses {:?} and {:?} are both {} s after exercise; keep one",
                            earlier.to_string(),
                            label.to_string(),
                            label.post_time_s().unwrap_or(0.0)
                        ),
                    );
                }
            }
        }
        _ => {
            for (i, label) in parsed.labels.iter().enumerate() {
                if *label != ResponseLabel::Train(i as u32 + 1) {
                    return bad(i, format!(
                        "response {:?} where r{} belongs: a train's responses are r1, r2, r3, ... in order, none missing",
                        label.to_string(),
                        i + 1
                    ));
                }
            }
        }
    }
    Ok(())
}

/// A declared protocol and rate must agree: a 50 Hz `rns` or a 3 Hz
/// `hfrns` would be judged by the wrong criterion.
fn check_rate_fits(
    path: &Path,
    meta: &Meta,
    protocol: Protocol,
    stim_rate_hz: Option<f64>,
    from_flag: bool,
) -> Result<()> {
    let Some(rate) = stim_rate_hz else {
        return Ok(());
    };
    if protocol.accepts_rate(rate) {
        return Ok(());
    }
    let rule = format!("rns is below {HIGH_RATE_MIN_HZ} Hz, hfrns at or above");
    if from_flag {
        // The flag is what is wrong, not the file's line.
        let said = match meta.lines.get("protocol") {
            Some(line) => format!(
                "the protocol {} of {}, line {line}",
                protocol.code(),
                path.display()
            ),
            None => format!("the protocol {}", protocol.code()),
        };
        return Err(Error::ReadOption {
            key: "stim_rate_hz",
            flag: "--rate",
            detail: format!(
                "{rate} Hz contradicts {said} ({rule}): give the rate the train was recorded at"
            ),
        });
    }
    let key = if meta.lines.contains_key("stim_rate_hz") || meta.given.contains_key("stim_rate_hz")
    {
        "stim_rate_hz"
    } else {
        "protocol"
    };
    Err(Error::BadMetadata {
        at: meta.at(path, key),
        key: "stim_rate_hz".to_string(),
        detail: format!(
            "{rate} Hz contradicts protocol {} ({rule})",
            protocol.code()
        ),
    })
}

/// The protocol: declared, else the caller's, else inferred when the data
/// make it certain; a long train of short sweeps with no rate is refused.
fn resolve_protocol(
    path: &Path,
    meta: &Meta,
    parsed: &Sweeps,
    stim_rate_hz: Option<f64>,
    sweep_ms: f64,
    options: &ReadOptions,
) -> Result<(Protocol, ProtocolSource)> {
    let meta_at = |key: &str| meta.at(path, key);
    let declared = match meta.all.get("protocol") {
        None => None,
        Some(p) => Some(Protocol::parse(p).ok_or_else(|| Error::BadMetadata {
            at: meta_at("protocol"),
            key: "protocol".to_string(),
            detail: format!("expected rns, hfrns or exercise, found {p:?}"),
        })?),
    };
    let chosen = match (declared, options.protocol) {
        (Some(p), _) => Some((p, ProtocolSource::Metadata)),
        (None, Some(p)) => Some((p, ProtocolSource::Option)),
        (None, None) => None,
    };
    if let Some((protocol, source)) = chosen {
        let from_flag =
            options.overrides.stim_rate_hz.is_some() && !meta.given.contains_key("stim_rate_hz");
        check_rate_fits(path, meta, protocol, stim_rate_hz, from_flag)?;
        return Ok((protocol, source));
    }
    let n = parsed.labels.len();
    let exercise = parsed.labels.iter().any(ResponseLabel::is_exercise);
    if !exercise
        && stim_rate_hz.is_none()
        && n >= HIGH_RATE_MIN_RESPONSES
        && sweep_ms < HIGH_RATE_MAX_SWEEP_MS
    {
        return Err(Error::BadMetadata {
            at: parsed.labels_at.at(path, 0),
            key: "stim_rate_hz".to_string(),
            detail: format!(
                "{n} responses in {sweep_ms:.1} ms sweeps cannot be a low-rate (2-5 Hz) train, and the file gives no rate: add `# stim_rate_hz: <Hz>` (and `# protocol: hfrns`) or pass --rate"
            ),
        });
    }
    Ok((
        infer_protocol(&parsed.labels, stim_rate_hz),
        ProtocolSource::Inferred,
    ))
}

fn infer_protocol(labels: &[ResponseLabel], stim_rate_hz: Option<f64>) -> Protocol {
    if labels.iter().any(ResponseLabel::is_exercise) {
        Protocol::Exercise
    } else if stim_rate_hz.is_some_and(|r| r >= HIGH_RATE_MIN_HZ) {
        Protocol::Hfrns
    } else {
        Protocol::Rns
    }
}

pub(crate) fn round_to(value: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (value * f).round() / f
}
