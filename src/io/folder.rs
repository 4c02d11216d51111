//! What a study folder holds: its trace files, and every other path in it
//! with the reason it is not read, so no file is passed over without a
//! word (the batch summary's note, `inspect`, `analyze`'s note).
//!
//! Symbolic links are followed only to regular files inside the study's
//! own folder, unless asked (`--follow-links`): a link to a system file
//! outside would echo what it holds into errors and summaries.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::InputFormat;

use super::read::detect_format;

/// Why a path in a study folder is not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// Its extension is not one of a trace (`notes.pdf`).
    NotATrace,
    /// A `.txt` or `.bin` file that is no LabChart, Spike2 or CFWB export.
    NotAnExport,
    /// A folder: read as studies of its own by `batch`.
    Folder,
    /// A FIFO, device or socket: reading it could block or never end.
    NotRegular,
    /// A symbolic link to nothing.
    DanglingLink,
    /// A symbolic link to a folder: never followed (a link can loop, or
    /// score a study twice).
    LinkToFolder,
    /// A symbolic link to something other than a regular file.
    LinkToNonFile,
    /// A symbolic link to a file outside the study's folder.
    LinkOutside,
    /// A symbolic link to a file outside the BIDS dataset the study is
    /// part of (`docs/bids.md`).
    LinkOutsideDataset,
    /// It could not be looked at (permissions).
    Unreadable,
}

impl SkipReason {
    /// The reason in words, for notes and `inspect`.
    pub fn words(self) -> &'static str {
        match self {
            SkipReason::NotATrace => "not a trace file",
            SkipReason::NotAnExport => "not a LabChart, Spike2 or CFWB export",
            SkipReason::Folder => "a folder: batch scores the studies in it on their own",
            SkipReason::NotRegular => "a FIFO, device or socket, not a regular file",
            SkipReason::DanglingLink => "a symbolic link to nothing",
            SkipReason::LinkToFolder => {
                "a symbolic link to a folder, not followed (give the folder itself)"
            }
            SkipReason::LinkToNonFile => "a symbolic link to something not a regular file",
            SkipReason::LinkOutside => {
                "a symbolic link to a file outside this folder, not followed without --follow-links"
            }
            SkipReason::LinkOutsideDataset => {
                "a symbolic link to a file outside the dataset, not followed without --follow-links"
            }
            SkipReason::Unreadable => "cannot be looked at",
        }
    }
}

/// A path in a study folder that is not read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Skipped {
    /// The path.
    pub path: PathBuf,
    /// Why it is not read.
    pub reason: SkipReason,
}

/// A study folder's trace files (in name order) and what else it holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StudyFolder {
    /// The trace files.
    pub files: Vec<PathBuf>,
    /// Every other path, with its reason ([`super::fs::MANIFEST`] aside).
    pub skipped: Vec<Skipped>,
    /// The markers files (`*.markers.toml`), read with the tests they
    /// name: one that names no test, or is not a regular file, is refused,
    /// never passed over (`io::markers`).
    #[serde(skip)]
    pub markers: Vec<PathBuf>,
}

impl StudyFolder {
    /// "notes.txt (not a trace file); pipe.csv (...)", for notes.
    pub fn describe_skipped(&self) -> Option<String> {
        (!self.skipped.is_empty()).then(|| {
            self.skipped
                .iter()
                .map(|s| {
                    let name = s.path.file_name().unwrap_or(s.path.as_os_str());
                    format!(
                        "{} ({})",
                        crate::error::printable(&name.to_string_lossy()),
                        s.reason.words()
                    )
                })
                .collect::<Vec<_>>()
                .join("; ")
        })
    }
}

/// Lists a study folder: its trace files, and every other path with why it
/// is not read. A symbolic link is followed to a regular file inside `dir`;
/// to one outside only with `follow_links` (`--follow-links`).
///
/// # Errors
///
/// [`Error::Io`] when the folder cannot be listed.
pub fn list_study(dir: &Path, follow_links: bool) -> Result<StudyFolder> {
    let within = if follow_links {
        None
    } else {
        Some(dir.canonicalize().map_err(|e| Error::io(dir, e))?)
    };
    let mut folder = StudyFolder::default();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        // The manifest is no trace and no file passed over; a test's
        // markers are read with their test (`io::markers`).
        if path.file_name().is_some_and(|n| n == super::MANIFEST_NAME) {
            continue;
        }
        if super::is_markers_file(&path) {
            folder.markers.push(path);
            continue;
        }
        match classify(&path, within.as_deref()) {
            Ok(()) => folder.files.push(path),
            Err(reason) => folder.skipped.push(Skipped { path, reason }),
        }
    }
    folder
        .files
        .sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    folder
        .skipped
        .sort_by(|a, b| a.path.file_name().cmp(&b.path.file_name()));
    folder.markers.sort();
    Ok(folder)
}

/// The trace files of a directory ([`is_trace_file`]), in name order.
///
/// # Errors
///
/// [`Error::Io`] when it cannot be listed, [`Error::EmptyStudy`] when it
/// holds no trace file.
pub fn study_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let folder = list_study(dir, false)?;
    if folder.files.is_empty() {
        return Err(Error::EmptyStudy {
            path: dir.to_path_buf(),
        });
    }
    Ok(folder.files)
}

/// Whether a path in a study is read, or why not; a link is followed to a
/// file `within` that folder (anywhere when `None`).
fn classify(path: &Path, within: Option<&Path>) -> std::result::Result<(), SkipReason> {
    let meta = std::fs::symlink_metadata(path).map_err(|_| SkipReason::Unreadable)?;
    if meta.file_type().is_symlink() {
        let target = std::fs::metadata(path).map_err(|_| SkipReason::DanglingLink)?;
        if !target.is_file() {
            return Err(if target.is_dir() {
                SkipReason::LinkToFolder
            } else {
                SkipReason::LinkToNonFile
            });
        }
        let real = path.canonicalize().map_err(|_| SkipReason::DanglingLink)?;
        if within.is_some_and(|w| !real.starts_with(w)) {
            return Err(SkipReason::LinkOutside);
        }
    } else if meta.is_dir() {
        return Err(SkipReason::Folder);
    } else if !meta.is_file() {
        return Err(SkipReason::NotRegular);
    }
    match name_says(path) {
        NameSays::Trace => Ok(()),
        NameSays::Sniff if is_text_export(&head_of(path)) => Ok(()),
        NameSays::Sniff => Err(SkipReason::NotAnExport),
        NameSays::Other => Err(SkipReason::NotATrace),
    }
}

/// Whether a path is a trace file a study folder may hold: a regular
/// `*.csv`, `*.edf`, `*.bdf` or `*.adibin` file, or a `*.txt` LabChart or
/// Spike2 export or a `*.bin` CFWB file (other `.txt` and `.bin` files, such
/// as notes, are not traces). Links are followed (see [`list_study`] for
/// the rule inside an archive).
pub fn is_trace_file(path: &Path) -> bool {
    let wanted = match name_says(path) {
        NameSays::Trace => true,
        NameSays::Sniff => is_text_export(&head_of(path)),
        NameSays::Other => false,
    };
    wanted && path.is_file()
}

/// As [`is_trace_file`], for a file in memory (a browser's dropped files):
/// its name and its bytes.
pub fn is_trace_content(path: &Path, bytes: &[u8]) -> bool {
    match name_says(path) {
        NameSays::Trace => true,
        NameSays::Sniff => is_text_export(bytes),
        NameSays::Other => false,
    }
}

/// What a file's extension says: a trace, perhaps one (its content
/// decides), or something else.
enum NameSays {
    Trace,
    Sniff,
    Other,
}

fn name_says(path: &Path) -> NameSays {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("csv" | "edf" | "bdf" | "adibin") => NameSays::Trace,
        Some("txt" | "bin") => NameSays::Sniff,
        _ => NameSays::Other,
    }
}

/// The first bytes of a file (none when it cannot be read).
fn head_of(path: &Path) -> Vec<u8> {
    use std::io::Read;
    let mut head = vec![0u8; 4096];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .unwrap_or(0);
    head.truncate(n);
    head
}

/// Whether a `.txt` or `.bin` file starts like a LabChart or Spike2 export.
fn is_text_export(head: &[u8]) -> bool {
    let head = &head[..head.len().min(4096)];
    matches!(
        detect_format(head),
        InputFormat::Labchart | InputFormat::Spike2 | InputFormat::Cfwb
    )
}
