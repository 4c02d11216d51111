//! Files in and out: readers (one per format, into the
//! [`Recording`] model), grouping files into studies,
//! [`inspect`], the input-contract writer ([`mod@write`]), and atomic writes
//! ([`fs`]).
//!
//! The formats (`docs/formats.md`): CSV of *input contract v1*, EDF/EDF+,
//! BDF, LabChart and Spike2 text exports, and continuous CSV recordings,
//! detected from each file's content. [`read_trace_file`] reads one test,
//! [`read_study`] a file or a directory of tests.

pub mod bids;
pub(crate) mod folder;
#[cfg(feature = "native")]
pub mod fs;
mod inspect;
pub mod jitter;
mod markers;
mod options;
pub mod plausible;
pub(crate) mod read;
mod record;
mod toml_text;
pub mod write;
pub mod write_edf;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::model::{is_identifying, Recording, Study};

pub use folder::{
    is_trace_content, is_trace_file, list_study, study_files, SkipReason, Skipped, StudyFolder,
};
pub use inspect::{inspect, Inspection};
#[cfg(feature = "native")]
pub use markers::write_automatic_markers;
pub use markers::{
    apply_markers_file, automatic_markers_toml, check_markers, is_markers_file, markers_path,
    markers_test_name, markers_toml, parse_markers, MarkersDir, MARKERS_SIGNATURE, MARKERS_SUFFIX,
};
pub use options::{
    ChannelChoice, ContinuousOptions, OptionKind, Overrides, ReadOption, ReadOptions, READ_OPTIONS,
};
pub use read::continuous::{ChannelSurvey, ChannelUse, SourceSurvey, Survey};
pub use read::signals::{Annotation, Channel, ChannelData, Segment, SignalFile};
pub use read::text::MAX_FILE_BYTES;
pub use read::trace_csv::MIN_SAMPLES;
pub use read::{detect_format, parse_trace, read_signal_file, read_trace_file, survey_file};
pub(crate) use record::is_record_key;
pub use record::{RecordFile, RecordSection, RecordValue};

/// The manifest every set this tool writes holds ([`fs::MANIFEST`]): a
/// study folder's own is not listed as skipped.
pub(crate) const MANIFEST_NAME: &str = ".nmjscope-set";

/// Metadata keys that identify the patient session: files that disagree on
/// any of them are different studies.
pub const IDENTITY_KEYS: [&str; 3] = ["study_id", "patient_id", "date"];

/// Reads a study: a directory (each `*.csv` one test, in name order) or a
/// single file (a study of one test).
///
/// # Errors
///
/// Any reader error of any file (with file, line and column), and
/// [`Error::MixedStudies`] when the files' `study_id`, `patient_id` or
/// `date` disagree: one study is one patient session.
pub fn read_study(path: &Path, options: &ReadOptions) -> Result<Study> {
    parse_study(path, &read_study_bytes(path, options)?, options)
}

/// As [`read_study`], from files already in memory (a browser's dropped
/// files, an archive member): `path` names the study (its folder) in
/// messages and gives its default id; each file's path names the file.
///
/// # Errors
///
/// Any reader error of any file, [`Error::MixedStudies`] as
/// [`read_study`], and [`Error::EmptyStudy`] when `files` is empty.
pub fn parse_study(
    path: &Path,
    files: &[(PathBuf, Vec<u8>)],
    options: &ReadOptions,
) -> Result<Study> {
    if files.is_empty() {
        return Err(Error::EmptyStudy {
            path: path.to_path_buf(),
        });
    }
    let mut groups = parse_study_groups(path, files, options)?;
    if groups.len() > 1 {
        return Err(Error::MixedStudies {
            path: path.to_path_buf(),
            detail: describe_groups(&groups),
        });
    }
    groups.pop().ok_or_else(|| Error::EmptyStudy {
        path: path.to_path_buf(),
    })
}

/// Reads a file or directory and splits its tests into studies by their
/// identity keys ([`IDENTITY_KEYS`]): files that agree (or say nothing) on
/// every key form one study. Files without any identity join the only study
/// when there is one, and form their own otherwise.
///
/// # Errors
///
/// Any reader error of any file.
pub fn read_study_groups(path: &Path, options: &ReadOptions) -> Result<Vec<Study>> {
    let files = read_study_bytes(path, options)?;
    parse_study_groups(path, &files, options)
}

/// Files and their bytes, in order.
pub type FileBytes = Vec<(PathBuf, Vec<u8>)>;

/// The files of a study and their bytes: a directory's trace files in
/// name order (links followed as `options.follow_links` says), or the
/// single file; then the markers sidecar of each that has one
/// (`<file>.markers.toml`, [`markers_path`]). Reading them once lets a batch hash what it parses.
///
/// # Errors
///
/// [`Error::Io`], [`Error::NotAFile`], [`Error::TooLarge`] or
/// [`Error::EmptyStudy`] naming the file or folder.
pub fn read_study_bytes(path: &Path, options: &ReadOptions) -> Result<FileBytes> {
    Ok(read_study_in(path, options)?.0)
}

/// As [`read_study_bytes`], with the folder's paths that are not read,
/// and why ([`list_study`]).
///
/// # Errors
///
/// As [`read_study_bytes`].
pub fn read_study_in(path: &Path, options: &ReadOptions) -> Result<(FileBytes, StudyFolder)> {
    if let Some(root) = bids::dataset_of(path) {
        return bids::read_session_in(path, &root, options.follow_links);
    }
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    let folder = if meta.is_dir() {
        let folder = list_study(path, options.follow_links)?;
        if folder.files.is_empty() {
            return Err(Error::EmptyStudy {
                path: path.to_path_buf(),
            });
        }
        folder
    } else {
        StudyFolder {
            files: vec![path.to_path_buf()],
            ..StudyFolder::default()
        }
    };
    let mut files: FileBytes = folder
        .files
        .iter()
        .map(|f| read::text::read_bounded(f).map(|bytes| (f.clone(), bytes)))
        .collect::<Result<_>>()?;
    if meta.is_dir() {
        files.extend(markers::folder_sidecars(
            path,
            &folder.markers,
            options.markers.as_ref(),
        )?);
    } else {
        files.extend(markers::read_sidecars(
            &folder.files,
            options.markers.as_ref(),
        )?);
    }
    Ok((files, folder))
}

/// As [`read_study_groups`], from the files [`read_study_bytes`] read at
/// `path`.
///
/// # Errors
///
/// Any reader error of any file.
pub fn parse_study_groups(
    path: &Path,
    files: &[(PathBuf, Vec<u8>)],
    options: &ReadOptions,
) -> Result<Vec<Study>> {
    if let Some(root) = bids::dataset_of(path) {
        return Ok(vec![bids::parse_session(path, &root, files, options)?]);
    }
    let (sidecars, traces): (Vec<_>, Vec<_>) = files.iter().partition(|(f, _)| is_markers_file(f));
    // A study's jitter files (docs/jitter.md) are read by their own reader
    // and judged beside its CMAP tests.
    let (jitter_files, traces): (Vec<_>, Vec<_>) = traces
        .into_iter()
        .partition(|(_, b)| jitter::is_jitter_file(b));
    let jitter = study_jitter(&jitter_files, options)?;
    let mut tests = if sidecars.is_empty() && jitter.is_none() {
        read::parse_tests(files, options)?
    } else {
        let traces: FileBytes = traces.into_iter().cloned().collect();
        read::parse_tests(&traces, options)?
    };
    markers::attach(&sidecars, &mut tests)?;
    if let Some(record) = &options.record {
        record.check_used(&tests)?;
    }
    let is_dir = files.first().is_some_and(|(f, _)| f != path);
    let default_id = default_study_id(path, is_dir);
    let mut groups: Vec<(Vec<Option<String>>, Vec<Recording>)> = Vec::new();
    let mut anonymous = Vec::new();
    for t in tests {
        let key = identity(&t);
        if key.iter().all(Option::is_none) {
            anonymous.push(t);
            continue;
        }
        match groups.iter_mut().find(|(k, _)| compatible(k, &key)) {
            Some((k, members)) => {
                for (slot, v) in k.iter_mut().zip(key) {
                    if slot.is_none() {
                        *slot = v;
                    }
                }
                members.push(t);
            }
            None => groups.push((key, vec![t])),
        }
    }
    match groups.len() {
        0 => groups.push((vec![None; IDENTITY_KEYS.len()], anonymous)),
        1 => groups[0].1.extend(anonymous),
        _ if !anonymous.is_empty() => groups.push((vec![None; IDENTITY_KEYS.len()], anonymous)),
        _ => {}
    }
    let split = groups.len() > 1;
    let withheld = |k: &str| is_identifying(k, &options.identifying_keys);
    let mut studies: Vec<Study> = groups
        .into_iter()
        .map(|(key, mut tests)| {
            tests.sort_by(|a, b| a.source.file_name.cmp(&b.source.file_name));
            (key, tests)
        })
        .collect::<Vec<_>>()
        .into_iter()
        .enumerate()
        .map(|(k, (key, tests))| {
            let id = study_name(&key, split, k, &default_id, &withheld);
            Study {
                id,
                path: path.to_path_buf(),
                tests,
                jitter: None,
            }
        })
        .collect();
    studies.sort_by(|a, b| a.id.cmp(&b.id));
    if let Some(jitter) = jitter {
        join_jitter(&mut studies, jitter)?;
    }
    Ok(studies)
}

/// A study's jitter files read (`None` without any). `--muscle` and
/// `--side` name the CMAP tests' muscle: the jitter files keep their own
/// (`nmjscope jitter --muscle` renames them).
fn study_jitter(
    files: &[&(PathBuf, Vec<u8>)],
    options: &ReadOptions,
) -> Result<Option<crate::model::JitterInput>> {
    if files.is_empty() {
        return Ok(None);
    }
    let owned: FileBytes = files.iter().map(|f| (*f).clone()).collect();
    let mut own = options.clone();
    own.overrides.muscle = None;
    own.overrides.side = None;
    jitter::parse_jitter_files(&owned, &own).map(Some)
}

/// Gives a folder's jitter files to their study: the one study of the
/// folder, or, when the folder splits, the one study whose identity the
/// jitter files name. A jitter file whose `study_id`, `patient_id` or
/// `date` differs from its study's is refused, naming the file and the
/// key, never the value.
fn join_jitter(studies: &mut [Study], jitter: crate::model::JitterInput) -> Result<()> {
    let study_identity = |s: &Study| {
        let mut own = Vec::new();
        for t in &s.tests {
            merge_identity(&mut own, &identity(t));
        }
        own
    };
    let named = |s: &Study| {
        let own = study_identity(s);
        jitter
            .identities
            .iter()
            .any(|id| own.iter().zip(id).any(|(a, b)| a.is_some() && a == b))
    };
    let at = match studies.len() {
        1 => 0,
        _ => match studies.iter().filter(|s| named(s)).count() {
            1 => studies.iter().position(named).unwrap_or(0),
            _ => {
                let first = jitter.files.first().cloned().unwrap_or_default();
                return Err(Error::BadMetadata {
                    at: crate::error::Location::file(Path::new(&first)),
                    key: "study_id, patient_id or date".into(),
                    detail: format!(
                        "the folder holds {} studies ({}) and the jitter files ({}) do not name exactly one of them: give them the study_id or patient_id of their study, or keep each study in a folder of its own",
                        studies.len(),
                        describe_groups(studies),
                        jitter.files.join(", ")
                    ),
                });
            }
        },
    };
    jitter::check_identities(&jitter, &study_identity(&studies[at]))?;
    studies[at].jitter = Some(jitter);
    Ok(())
}

/// The name of one study of a folder (the `k`-th group, in the order its
/// first file was met): its `study_id`, else the folder's name; when the
/// folder splits, the identity values that tell the studies apart. An
/// identifying value (`patient_id`: [`is_identifying`]) is never part of
/// it: a study it sets apart is "patient N", N counting the groups in the
/// order of their first file. A hash of the value would be no safer: a
/// record number of seven digits is found by trying them all in seconds.
fn study_name(
    key: &[Option<String>],
    split: bool,
    k: usize,
    default_id: &str,
    withheld: &dyn Fn(&str) -> bool,
) -> String {
    let shown: Vec<&str> = IDENTITY_KEYS
        .iter()
        .zip(key)
        .filter(|(name, _)| !withheld(name))
        .filter_map(|(_, v)| v.as_deref())
        .collect();
    let hidden = IDENTITY_KEYS
        .iter()
        .zip(key)
        .any(|(name, v)| withheld(name) && v.is_some());
    let study_id = key[0].as_deref().filter(|_| !withheld(IDENTITY_KEYS[0]));
    match (split, study_id) {
        (false, Some(id)) => id.to_string(),
        (false, None) => default_id.to_string(),
        (true, _) if shown.is_empty() && !hidden => format!("{default_id} (no study id)"),
        (true, _) => {
            let mut parts = shown;
            let patient = format!("patient {}", k + 1);
            if hidden {
                parts.push(&patient);
            }
            if study_id.is_none() {
                parts.insert(0, default_id);
            }
            parts.join(" / ")
        }
    }
}

/// The identity values of a recording, in the order of [`IDENTITY_KEYS`].
fn identity(r: &Recording) -> Vec<Option<String>> {
    identity_of(&r.metadata)
}

/// The identity keys' values ([`IDENTITY_KEYS`]) in a file's metadata.
pub(crate) fn identity_of(metadata: &BTreeMap<String, String>) -> Vec<Option<String>> {
    IDENTITY_KEYS
        .iter()
        .map(|k| {
            metadata
                .get(*k)
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        })
        .collect()
}

/// Whether two identities can be one study's: no key given by both with
/// different values (an empty identity is anyone's).
fn compatible(a: &[Option<String>], b: &[Option<String>]) -> bool {
    a.iter()
        .zip(b)
        .all(|(x, y)| x.is_none() || y.is_none() || x == y)
}

/// Two compatible identities as one: each key from whichever gives it.
pub(crate) fn merge_identity(a: &mut Vec<Option<String>>, b: &[Option<String>]) {
    if a.is_empty() {
        *a = b.to_vec();
        return;
    }
    for (slot, v) in a.iter_mut().zip(b) {
        if slot.is_none() {
            slot.clone_from(v);
        }
    }
}

/// The identity keys on which two identities disagree, by name only (a
/// value may identify the patient).
pub(crate) fn disagreeing_keys(a: &[Option<String>], b: &[Option<String>]) -> Vec<&'static str> {
    IDENTITY_KEYS
        .iter()
        .zip(a.iter().zip(b))
        .filter(|(_, (x, y))| x.is_some() && y.is_some() && x != y)
        .map(|(k, _)| *k)
        .collect()
}

/// "files (name); ..." for each study of a split, each named as
/// [`parse_study_groups`] names it (no identifying value).
pub fn describe_groups(groups: &[Study]) -> String {
    groups
        .iter()
        .map(|s| {
            let files: Vec<String> = s.tests.iter().map(|t| t.source.file_name.clone()).collect();
            format!("{} ({})", files.join(", "), s.id)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn default_study_id(path: &Path, is_dir: bool) -> String {
    let name = if is_dir {
        // A folder that is not on disk (files from memory) is named as given.
        path.canonicalize()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .or_else(|| path.file_name().map(|n| n.to_string_lossy().into_owned()))
    } else {
        path.file_stem().map(|n| n.to_string_lossy().into_owned())
    };
    name.unwrap_or_else(|| "study".to_string())
}
