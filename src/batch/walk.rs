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

/// Walks `root` for [`Archive`].
///
/// # Errors
///
/// [`Error::Io`] when `root` cannot be listed.
pub fn survey_archive(root: &Path) -> Result<Archive> {
    let mut archive = Archive::default();
    let within = root.canonicalize().map_err(|e| Error::io(root, e))?;
    for path in children(root)? {
        if is_real_dir(&path) && !is_output(&path) {
            collect_dirs(&path, &within, &mut archive);
        } else if is_link_out_of(&path, &within) {
            archive.studies.push(path);
        }
    }
    archive
        .studies
        .extend(crate::io::list_study(root, true)?.files);
    archive.studies.sort();
    Ok(archive)
}

/// A folder this tool wrote as output (a report set or batch results,
/// with a manifest that says so, or one being written or left by a killed
/// run: `.NAME.partial-*`, `.NAME.old-*`): never scored, so `--out` inside
/// the archive is safe. A simulated study is input, and scored; so is a
/// folder whose `.nmjscope-set` is not a manifest.
fn is_output(dir: &Path) -> bool {
    let ours_in_making = dir.file_name().is_some_and(|n| {
        let n = n.to_string_lossy();
        n.starts_with('.') && (n.contains(".partial-") || n.contains(".old-"))
    });
    ours_in_making
        || crate::io::fs::set_kind(dir).is_some_and(|kind| kind != crate::io::fs::SIMULATED_STUDY)
}

/// A folder's entries, sorted.
fn children(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .map(|e| e.map(|e| e.path()).map_err(|err| Error::io(dir, err)))
        .collect::<Result<_>>()?;
    paths.sort();
    Ok(paths)
}

/// A directory that is not a symbolic link: links to folders are not
/// followed, so a loop (`nest/up -> ..`) cannot score a study twice.
fn is_real_dir(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
}

/// A folder with trace files is a study; its sub-folders are searched
/// too, so a stray file at a site's level never hides the patients'
/// folders below it (both are scored, and the stray one shows in the
/// summary). A folder that cannot be listed is a study whose reading
/// fails: one error row, and the batch goes on.
pub(super) fn collect_dirs(dir: &Path, within: &Path, out: &mut Archive) {
    let Ok(children) = children(dir) else {
        out.studies.push(dir.to_path_buf());
        return;
    };
    // Any link to a trace counts here: whether it is read is the study's
    // own question (an error row that names it, never a silent skip).
    let before = out.studies.len();
    let folder = crate::io::list_study(dir, true).unwrap_or_default();
    if !folder.files.is_empty() {
        out.studies.push(dir.to_path_buf());
    }
    let study = !folder.files.is_empty();
    for child in &children {
        if is_real_dir(child) && !is_output(child) {
            collect_dirs(child, within, out);
        } else if is_link_out_of(child, within) && !(study && is_dangling(child)) {
            // (A broken link in a study is named in the study's note.)
            out.studies.push(child.clone());
        }
    }
    let files_only = crate::io::StudyFolder {
        files: Vec::new(),
        skipped: folder
            .skipped
            .into_iter()
            .filter(|s| !matches!(s.reason, SkipReason::Folder | SkipReason::LinkToFolder))
            .collect(),
    };
    if out.studies.len() == before {
        if let Some(held) = files_only.describe_skipped() {
            out.passed_over.push((dir.to_path_buf(), held));
        }
    }
}

/// A symbolic link to a folder outside the archive `within`: never
/// followed (a link can loop, or score a study twice), but a row of its
/// own says so, so no study behind it vanishes without a word. A link to
/// a folder inside the archive (`up -> ..`) is passed over: its target is
/// scored where it is. A link to nothing (an unmounted share) is a row
/// too: its reading fails, naming it.
fn is_link_out_of(path: &Path, within: &Path) -> bool {
    is_dangling(path)
        || (is_folder_link(path) && path.canonicalize().is_ok_and(|t| !t.starts_with(within)))
}

/// A symbolic link to nothing.
pub(super) fn is_dangling(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
        && std::fs::metadata(path).is_err()
}

pub(super) fn is_folder_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) && path.is_dir()
}
