//! Reading a BIDS session: its files and sidecars ([`read_session_in`]),
//! then each run as a test ([`parse_session`]), cut at the stimuli its
//! `_events.tsv` gives, on the channel its `_channels.tsv` names.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::events::{apply_events, decode_plan, read_events, take_task};
use super::names::BidsName;
use super::participants::participant_values;
use super::sidecars::{
    levels, merged_json, resolve, Table, KINDS, PARTICIPANTS, PARTICIPANTS_JSON,
};
use crate::error::{show, Error, Location, Result};
use crate::io::read::signals::SignalFile;
use crate::io::{ChannelChoice, FileBytes, ReadOptions, SkipReason, Skipped, StudyFolder};
use crate::model::{InputFormat, Study};

/// `_emg.json` keys this tool reads: the task's name (the task label
/// decides the protocol) and the sampling rate (checked against the
/// file's).
const USED_JSON_KEYS: [&str; 2] = ["TaskName", "SamplingFrequency"];

/// `_channels.tsv` columns this tool reads.
const USED_CHANNEL_COLUMNS: [&str; 5] = ["name", "type", "units", "target_muscle", "status"];

/// A session's files, each read once: its tests (`emg/*_emg.edf|.bdf`),
/// every sidecar of the kinds a test reads at any level from the dataset's
/// root down, the session's `_scans.tsv` and `participants.tsv`; with the
/// other paths in its `emg` folder, and every link not followed, and why.
/// A symbolic link is followed to a regular file inside the dataset (a
/// DataLad or git-annex dataset is links into `.git/annex`), and to one
/// outside only with `follow_links` (`--follow-links`).
///
/// # Errors
///
/// [`Error::Io`] when a folder or file cannot be read;
/// [`Error::EmptyStudy`] for a session with no EDF or BDF test.
pub fn read_session_in(
    path: &Path,
    root: &Path,
    follow_links: bool,
) -> Result<(FileBytes, StudyFolder)> {
    let emg = path.join("emg");
    let within = root.canonicalize().map_err(|e| Error::io(root, e))?;
    // A session or its emg folder linked out of the dataset is read only
    // when asked, as a file linked out is; one linked inside (DataLad) is.
    let Ok(real) = emg.canonicalize() else {
        return Err(Error::EmptyStudy { path: emg });
    };
    if !follow_links && !real.starts_with(&within) {
        let why = std::io::Error::other(
            "a symbolic link to a folder outside the dataset, not followed without --follow-links",
        );
        return Err(Error::io(&emg, why));
    }
    let mut folder = StudyFolder::default();
    let mut sidecars = Vec::new();
    let (entries, skipped) = listed(&emg, &within, follow_links)?;
    folder.skipped.extend(skipped);
    for entry in entries {
        let name = entry
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(BidsName::parse);
        match name {
            Some(n) if n.suffix == "emg" && matches!(n.extension.as_str(), ".edf" | ".bdf") => {
                folder.files.push(entry)
            }
            Some(n) if is_sidecar_kind(&n) => sidecars.push(entry),
            _ => folder.skipped.push(Skipped {
                path: entry,
                reason: SkipReason::NotATrace,
            }),
        }
    }
    if folder.files.is_empty() {
        return Err(Error::EmptyStudy { path: emg });
    }
    for level in levels(&emg, root) {
        let (entries, skipped) = listed(&level, &within, follow_links)?;
        let ours = |p: &Path| {
            p.file_name()
                .and_then(|n| n.to_str())
                .and_then(BidsName::parse)
                .is_some_and(|n| is_sidecar_kind(&n) || (level == path && n.suffix == "scans"))
                || p.file_name()
                    .is_some_and(|n| (n == PARTICIPANTS || n == PARTICIPANTS_JSON) && level == root)
        };
        folder
            .skipped
            .extend(skipped.into_iter().filter(|s| ours(&s.path)));
        sidecars.extend(entries.into_iter().filter(|e| ours(e)));
    }
    let mut files = Vec::with_capacity(folder.files.len() + sidecars.len());
    for f in folder.files.iter().chain(&sidecars) {
        files.push((f.clone(), crate::io::read::text::read_bounded(f)?));
    }
    Ok((files, folder))
}

/// The regular files of `dir` to read, sorted, and the links not
/// followed: a link to a regular file inside the dataset `within` is
/// read, one outside only when `follow_links`; a link to nothing or to a
/// folder is named. None when `dir` does not exist.
fn listed(dir: &Path, within: &Path, follow_links: bool) -> Result<(Vec<PathBuf>, Vec<Skipped>)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok((Vec::new(), Vec::new()));
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    paths.sort();
    let (mut files, mut skipped) = (Vec::new(), Vec::new());
    for p in paths {
        let Ok(meta) = std::fs::symlink_metadata(&p) else {
            continue;
        };
        if meta.is_file() {
            files.push(p);
            continue;
        }
        if !meta.file_type().is_symlink() {
            continue;
        }
        let reason = match (std::fs::metadata(&p), p.canonicalize()) {
            (Ok(m), Ok(target)) if m.is_file() => {
                if follow_links || target.starts_with(within) {
                    files.push(p);
                    continue;
                }
                SkipReason::LinkOutsideDataset
            }
            (Ok(m), _) if m.is_dir() => SkipReason::LinkToFolder,
            (Ok(_), _) => SkipReason::LinkToNonFile,
            (Err(_), _) => SkipReason::DanglingLink,
        };
        skipped.push(Skipped { path: p, reason });
    }
    Ok((files, skipped))
}

/// A session's `_scans.tsv` (in the session's folder).
fn is_scans(file: &Path, session: &Path) -> bool {
    file.parent() == Some(session)
        && file
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(BidsName::parse)
            .is_some_and(|n| n.suffix == "scans" && n.extension == ".tsv")
}

fn is_sidecar_kind(n: &BidsName) -> bool {
    KINDS
        .iter()
        .any(|(s, e)| n.suffix == *s && n.extension == *e)
}

/// A session's tests, from the files [`read_session_in`] read: each run
/// read with its sidecars, the study named for its subject and session.
///
/// # Errors
///
/// Any reader error of a run; [`Error::BidsFile`] for a sidecar that
/// cannot be read or contradicts its run.
pub fn parse_session(
    path: &Path,
    root: &Path,
    files: &[(PathBuf, Vec<u8>)],
    options: &ReadOptions,
) -> Result<Study> {
    let bytes_of = |p: &Path| {
        files
            .iter()
            .find(|(f, _)| f == p)
            .map(|(_, b)| b.as_slice())
    };
    let paths: Vec<&Path> = files.iter().map(|(p, _)| p.as_path()).collect();
    let participants = bytes_of(&root.join(PARTICIPANTS))
        .map(|b| Table::parse(&root.join(PARTICIPANTS), b))
        .transpose()?;
    let described: Vec<String> = match bytes_of(&root.join(PARTICIPANTS_JSON)) {
        Some(b) => merged_json(&[(&root.join(PARTICIPANTS_JSON), b)])?
            .keys()
            .cloned()
            .collect(),
        None => Vec::new(),
    };
    let subject = super::subject_of(path);
    let participant = participants
        .as_ref()
        .map(|t| participant_values(t, &described, &subject, options));
    let mut tests = Vec::new();
    for (data, bytes) in files {
        let is_run = data.parent().is_some_and(|d| d == path.join("emg"))
            && data
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(BidsName::parse)
                .is_some_and(|n| n.suffix == "emg" && n.extension != ".json");
        if !is_run {
            continue;
        }
        check_entities(data, path)?;
        let sidecars = resolve(data, root, &paths)?;
        let mut run = Run::default();
        let json: Vec<(&Path, &[u8])> = sidecars
            .json
            .iter()
            .filter_map(|p| Some((p.as_path(), bytes_of(p)?)))
            .collect();
        run.json = merged_json(&json)?;
        run.json_files = sidecars.json.clone();
        for (slot, p) in [
            (&mut run.channels, &sidecars.channels),
            (&mut run.events, &sidecars.events),
        ] {
            if let Some(p) = p {
                *slot = bytes_of(p).map(|b| Table::parse(p, b)).transpose()?;
            }
        }
        run.participant = participant.clone();
        tests.push(read_run(data, bytes, &run, options)?);
    }
    let scans = files
        .iter()
        .find(|(f, _)| is_scans(f, path))
        .map(|(f, b)| Table::parse(f, b))
        .transpose()?;
    order_runs(&mut tests, scans.as_ref());
    Ok(Study {
        id: super::session_id(path),
        path: path.to_path_buf(),
        tests,
        jitter: None,
    })
}

/// The runs in the order they were recorded: by `acq_time` in the
/// session's `_scans.tsv` (BIDS writes it `YYYY-MM-DDThh:mm:ss`, so text
/// order is time order), then by name; a run the table does not list, or
/// lists without a time, after those it does. Order decides which train
/// is a series' first, and which exercise test comes first.
fn order_runs(tests: &mut [crate::model::Recording], scans: Option<&Table>) {
    let time = |file: &str| -> Option<String> {
        let t = scans?;
        let name = t.column("filename")?;
        t.rows
            .iter()
            .find(|(_, r)| r[name].rsplit('/').next() == Some(file))
            .and_then(|(_, r)| t.value(r, "acq_time"))
            .map(str::to_string)
    };
    tests.sort_by(|a, b| {
        let (ta, tb) = (time(&a.source.file_name), time(&b.source.file_name));
        let key = |t: &Option<String>| (t.is_none(), t.clone());
        key(&ta)
            .cmp(&key(&tb))
            .then_with(|| a.source.file_name.cmp(&b.source.file_name))
    });
}

/// Refuses a run whose name says another subject or session than its
/// folder: it would be scored, and its participant's values read, as the
/// folder's.
fn check_entities(data: &Path, session: &Path) -> Result<()> {
    let name = data
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(BidsName::parse);
    let said = |k: &str| name.as_ref().and_then(|n| n.get(k)).map(str::to_string);
    let folder = super::folder_entities(session);
    if (said("sub"), said("ses")) != folder {
        return Err(Error::BidsFile {
            at: Location::file(data),
            detail: format!(
                "its name says {}, and it is in the folder of {}: BIDS names a file for the subject and session it belongs to",
                describe_entities(said("sub"), said("ses")),
                describe_entities(folder.0, folder.1)
            ),
        });
    }
    Ok(())
}

fn describe_entities(sub: Option<String>, ses: Option<String>) -> String {
    match (sub, ses) {
        (Some(a), Some(b)) => format!("sub-{a} ses-{b}"),
        (Some(a), None) => format!("sub-{a} (no session)"),
        (None, _) => "no subject".to_string(),
    }
}

/// A subject's `participants.tsv` values (key, value), and notes on the
/// table.
pub(super) type Participant = (Vec<(String, String)>, Vec<String>);

/// What applies to one run besides its own bytes.
#[derive(Debug, Default)]
pub(super) struct Run {
    pub(super) json: serde_json::Map<String, Value>,
    pub(super) json_files: Vec<PathBuf>,
    pub(super) channels: Option<Table>,
    pub(super) events: Option<Table>,
    /// The subject's `participants.tsv` values, and notes on the table.
    pub(super) participant: Option<Participant>,
}

/// One run as a test: the file's signals, with the stimuli, channel,
/// protocol and metadata its sidecars give, cut as any continuous
/// recording is.
fn read_run(
    data: &Path,
    bytes: &[u8],
    run: &Run,
    options: &ReadOptions,
) -> Result<crate::model::Recording> {
    options.validate()?;
    let format = crate::io::detect_format(bytes);
    if !matches!(format, InputFormat::Edf | InputFormat::Bdf) {
        return Err(Error::BadFile {
            at: Location::file(data),
            format,
            detail: "a BIDS-EMG recording is EDF or BDF, and this file's header is neither"
                .to_string(),
        });
    }
    let mut notes = Vec::new();
    let stimuli = match &run.events {
        Some(table) => read_events(table, &mut notes)?,
        None => {
            notes.push("BIDS: no _events.tsv applies: the stimuli were found in the file".into());
            Vec::new()
        }
    };
    let plan = decode_plan(run, &stimuli, options);
    let (mut file, mut meta) = crate::io::read::edf::parse_planned(data, bytes, format, &plan)?;
    // BIDS keeps dates in scans.tsv, often shifted; an EDF header's date
    // and codes would name the patient session the dataset pseudonymises.
    for key in crate::io::IDENTITY_KEYS {
        meta.all.remove(key);
    }
    check_json(data, &run.json, &file)?;
    note_unused_json(run, &mut notes);
    let mut options = options.clone();
    if let Some(table) = &run.channels {
        choose_channel(table, &file, &mut options, &mut meta.all, &mut notes)?;
    } else {
        notes.push("BIDS: no _channels.tsv applies: the channel was chosen as for any EDF".into());
    }
    take_task(data, &stimuli, &mut meta.all, &mut notes)?;
    if run.events.is_some() {
        apply_events(stimuli, &mut file, &mut notes);
    }
    if let Some((values, said)) = &run.participant {
        for (k, v) in values {
            meta.all.entry(k.clone()).or_insert_with(|| v.clone());
        }
        notes.extend(said.iter().cloned());
    }
    file.warnings.extend(notes);
    super::super::read::continuous::cut(data, file, meta, None, &options)
}

/// Refuses a run whose `_emg.json` gives another sampling rate than the
/// file holds: one of them describes another recording.
fn check_json(data: &Path, json: &serde_json::Map<String, Value>, file: &SignalFile) -> Result<()> {
    let Some(said) = json.get("SamplingFrequency") else {
        return Ok(());
    };
    let Some(said) = said.as_f64() else {
        return Err(Error::BidsFile {
            at: Location::file(data),
            detail: format!("its _emg.json SamplingFrequency is {said}, not a number"),
        });
    };
    let rates: Vec<f64> = file
        .channels
        .iter()
        .filter_map(|c| c.waveform().map(|(fs, _)| fs))
        .collect();
    // BIDS: "The sampling frequency of data channels that deviate from the
    // main sampling frequency SHOULD be specified in the channels.tsv
    // file": so one channel at the said rate is enough.
    if !rates.is_empty() && !rates.iter().any(|fs| (fs - said).abs() <= 1e-6 * said) {
        return Err(Error::BidsFile {
            at: Location::file(data),
            detail: format!(
                "its _emg.json says SamplingFrequency {} Hz, and the file's channels are sampled at {} Hz: the sidecar describes another recording",
                show(said),
                rates.iter().map(|r| show(*r)).collect::<Vec<_>>().join(", ")
            ),
        });
    }
    Ok(())
}

/// A note naming the `names` not among `used` (`what`: "_emg.json
/// keys"), when there are any.
pub(super) fn note_unused<'a>(
    notes: &mut Vec<String>,
    what: &str,
    names: impl Iterator<Item = &'a String>,
    used: &[&str],
) {
    let unused: Vec<&str> = names
        .map(String::as_str)
        .filter(|n| !used.contains(n))
        .collect();
    if !unused.is_empty() {
        notes.push(format!(
            "BIDS: {what} not used: {}",
            crate::error::printable(&unused.join(", "))
        ));
    }
}

fn note_unused_json(run: &Run, notes: &mut Vec<String>) {
    note_unused(notes, "_emg.json keys", run.json.keys(), &USED_JSON_KEYS);
    if run.json_files.is_empty() {
        notes.push("BIDS: no _emg.json applies (BIDS requires one)".into());
    }
}

/// The measured channel: the `_channels.tsv` row of type `EMG` (not
/// `bad`), unless `--channel` names one; its `target_muscle` is the
/// test's muscle.
fn choose_channel(
    table: &Table,
    file: &SignalFile,
    options: &mut ReadOptions,
    meta: &mut std::collections::BTreeMap<String, String>,
    notes: &mut Vec<String>,
) -> Result<()> {
    let name_col = table.require("name")?;
    table.require("type")?;
    let emg: Vec<&(u64, Vec<String>)> = table
        .rows
        .iter()
        .filter(|(_, r)| {
            table
                .value(r, "type")
                .is_some_and(|t| t.eq_ignore_ascii_case("EMG"))
        })
        .filter(|(_, r)| table.value(r, "status") != Some("bad"))
        .collect();
    note_unused(
        notes,
        "_channels.tsv columns",
        table.columns.iter(),
        &USED_CHANNEL_COLUMNS,
    );
    let chosen = match &options.continuous.channel {
        Some(ChannelChoice::Name(n)) => table
            .rows
            .iter()
            .find(|(_, r)| r[name_col].eq_ignore_ascii_case(n)),
        Some(ChannelChoice::Index(i)) => file.channels.get(i.wrapping_sub(1)).and_then(|c| {
            table
                .rows
                .iter()
                .find(|(_, r)| r[name_col].eq_ignore_ascii_case(&c.name))
        }),
        None => emg.first().copied(),
    };
    let Some((line, row)) = chosen else {
        if options.continuous.channel.is_none() {
            return Err(Error::BidsFile {
                at: Location::file(&table.path),
                detail: "no channel of type EMG (status not bad): name the one to measure with --channel".into(),
            });
        }
        return Ok(());
    };
    let name = &row[name_col];
    let Some(channel) = file
        .channels
        .iter()
        .find(|c| c.name.eq_ignore_ascii_case(name))
    else {
        return Err(Error::BidsFile {
            at: Location::line(&table.path, *line),
            detail: format!(
                "names channel {:?}, and the recording holds {}",
                crate::error::printable(name),
                file.list_channels()
            ),
        });
    };
    if options.continuous.channel.is_none() {
        if emg.len() > 1 {
            notes.push(format!(
                "BIDS: {} channels of type EMG; measured the first, {:?} (--channel measures another)",
                emg.len(),
                crate::error::printable(name)
            ));
        }
        options.continuous.channel = Some(ChannelChoice::Name(name.clone()));
    }
    if let Some(units) = table.value(row, "units") {
        take_units(units, channel, options, notes);
    }
    if let Some(muscle) = table.value(row, "target_muscle") {
        meta.entry("muscle".into())
            .or_insert_with(|| muscle.to_string());
    }
    Ok(())
}

/// The unit `_channels.tsv` gives the measured channel: used when the
/// file gives none (BIDS requires it in the table, an EDF may leave its
/// own empty), noted when the two disagree (`uV` and `µV` agree).
fn take_units(
    units: &str,
    channel: &crate::io::Channel,
    options: &mut ReadOptions,
    notes: &mut Vec<String>,
) {
    use crate::model::VoltUnit;
    let name = &channel.name;
    let (said, file_unit) = (VoltUnit::parse(units), VoltUnit::parse(&channel.unit));
    if channel.unit.trim().is_empty() && said.is_some() && options.overrides.units.is_none() {
        options.overrides.units = said;
        notes.push(format!(
            "BIDS: the file gives channel {:?} no unit; _channels.tsv's {:?} was used",
            crate::error::printable(name),
            crate::error::printable(units)
        ));
    } else if said.is_none() || said != file_unit {
        notes.push(format!(
            "BIDS: _channels.tsv gives {:?} units {:?}, the file {:?}: the file's were used",
            crate::error::printable(name),
            crate::error::printable(units),
            crate::error::printable(&channel.unit)
        ));
    }
}
