//! The archive walk: which folders are studies, and which folders hold
//! files but nothing to score.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::io::SkipReason;

/// The studies under `root`, sorted by path: every sub-folder that holds
/// trace files ([`crate::io::is_trace_file`]: CSV, EDF, BDF, LabChart,
/// Spike2 or CFWB exports; searched recursively, a study's own sub-folders
/// too), every folder that cannot be listed and every link to a folder
/// outside `root` (their rows say why), and every trace file directly in
/// `root` (a study of one test).
pub fn find_studies(root: &Path) -> Result<Vec<PathBuf>> {
    Ok(survey_archive(root)?.studies)
}

/// What an archive holds: its studies ([`find_studies`]), and the folders
/// that hold files but no trace file and no study below (`x.tsv`, a
/// folder of PDFs), each with what it holds, so none is passed over
/// without a word.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Archive {
    /// The studies, sorted by path.
    pub studies: Vec<PathBuf>,
    /// Folders with files but nothing to score, and what they hold.
    pub passed_over: Vec<(PathBuf, String)>,
}

/// Walks `root` for [`Archive`]: each folder listed once
/// ([`crate::io::list_study`], which sorts its entries into traces,
/// folders and links).
///
/// # Errors
///
/// [`Error::Io`] when `root` cannot be listed.
pub fn survey_archive(root: &Path) -> Result<Archive> {
    if crate::io::bids::is_dataset(root) {
        return bids_archive(root);
    }
    let mut archive = Archive::default();
    let within = root.canonicalize().map_err(|e| Error::io(root, e))?;
    let top = crate::io::list_study(root, true)?;
    archive.studies.extend(top.files.iter().cloned());
    // Each trace file here is a study of its own, read with the markers
    // file named after it; one named after none would be passed over.
    let orphans: Vec<String> = top
        .markers
        .iter()
        .filter(|m| {
            let test = crate::io::markers_test_name(m).unwrap_or_default();
            !top.files
                .iter()
                .any(|f| f.file_name().is_some_and(|n| n.to_string_lossy() == test))
        })
        .filter_map(|m| m.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    if !orphans.is_empty() {
        archive.passed_over.push((
            root.to_path_buf(),
            format!(
                "{} (a markers file that names no trace file here)",
                crate::error::printable(&orphans.join(", "))
            ),
        ));
    }
    descend(&top, &within, false, &mut archive);
    archive.studies.sort();
    Ok(archive)
}

/// A BIDS dataset's studies: its subjects' sessions with an `emg` folder
/// ([`crate::io::bids::find_sessions`]); the other top-level folders are
/// named as passed over, except those BIDS keeps beside the data
/// (`derivatives`, `sourcedata`, `code`, `stimuli`, `phenotype`).
fn bids_archive(root: &Path) -> Result<Archive> {
    const BESIDE_THE_DATA: [&str; 5] =
        ["derivatives", "sourcedata", "code", "stimuli", "phenotype"];
    let studies = crate::io::bids::find_sessions(root)?;
    let mut passed_over = Vec::new();
    let entries = std::fs::read_dir(root).map_err(|e| Error::io(root, e))?;
    let mut names: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect();
    names.sort();
    for dir in names {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let holds_study = studies.iter().any(|s| s.starts_with(&dir));
        if holds_study || BESIDE_THE_DATA.contains(&name.as_str()) || name.starts_with('.') {
            continue;
        }
        passed_over.push((
            dir,
            "a folder of a BIDS dataset with no EMG session (sub-*/[ses-*/]emg) in it".to_string(),
        ));
    }
    Ok(Archive {
        studies,
        passed_over,
    })
}

/// A folder this tool wrote as output (a report set or batch results,
/// with a manifest that says so, or one being written or left by a killed
/// run: `.NAME.partial-*`, `.NAME.old-*`): never scored, so `--out` inside
/// the archive is safe. A simulated study and the samples
/// (`nmjscope samples`) are input, and scored; so is a folder whose
/// `.nmjscope-set` is not a manifest.
fn is_output(dir: &Path) -> bool {
    let ours_in_making = dir.file_name().is_some_and(|n| {
        let n = n.to_string_lossy();
        n.starts_with('.') && (n.contains(".partial-") || n.contains(".old-"))
    });
    ours_in_making
        || crate::io::fs::set_kind(dir).is_some_and(|kind| !crate::io::fs::is_input_kind(&kind))
}

/// The folders and links a listed folder holds: each real folder walked
/// (links to folders never followed, so a loop cannot score a study
/// twice); a link to a folder outside the archive `within`, or to
/// nothing (an unmounted share), a row of its own that says so, so no
/// study behind it vanishes without a word. A link to a folder inside the
/// archive (`up -> ..`) is passed over: its target is scored where it is.
/// In a study (`in_study`) a broken link is named in the study's note.
fn descend(folder: &crate::io::StudyFolder, within: &Path, in_study: bool, out: &mut Archive) {
    for s in &folder.skipped {
        let row = match s.reason {
            SkipReason::Folder => {
                if !is_output(&s.path) {
                    collect_dirs(&s.path, within, out);
                }
                false
            }
            SkipReason::LinkToFolder => s.path.canonicalize().is_ok_and(|t| !t.starts_with(within)),
            SkipReason::DanglingLink => !in_study,
            _ => false,
        };
        if row {
            out.studies.push(s.path.clone());
        }
    }
}

/// A folder with trace files is a study; its sub-folders are searched
/// too, so a stray file at a site's level never hides the patients'
/// folders below it (both are scored, and the stray one shows in the
/// summary). A folder that cannot be listed is a study whose reading
/// fails: one error row, and the batch goes on. A folder with files but
/// nothing to score below it is noted.
pub(super) fn collect_dirs(dir: &Path, within: &Path, out: &mut Archive) {
    // Any link to a trace counts here: whether it is read is the study's
    // own question (an error row that names it, never a silent skip).
    let Ok(folder) = crate::io::list_study(dir, true) else {
        out.studies.push(dir.to_path_buf());
        return;
    };
    let before = out.studies.len();
    let study = !folder.files.is_empty();
    if study {
        out.studies.push(dir.to_path_buf());
    }
    descend(&folder, within, study, out);
    if out.studies.len() == before {
        let files_only = crate::io::StudyFolder {
            files: Vec::new(),
            skipped: folder
                .skipped
                .into_iter()
                .filter(|s| !matches!(s.reason, SkipReason::Folder | SkipReason::LinkToFolder))
                .collect(),
            ..crate::io::StudyFolder::default()
        };
        if let Some(held) = files_only.describe_skipped() {
            out.passed_over.push((dir.to_path_buf(), held));
        }
    }
}

/// A symbolic link to nothing.
pub(super) fn is_dangling(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
        && std::fs::metadata(path).is_err()
}

pub(super) fn is_folder_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) && path.is_dir()
}
