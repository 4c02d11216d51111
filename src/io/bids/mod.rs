//! BIDS-EMG datasets (BIDS 1.11, the EMG extension BEP042): read as the
//! dataset says, and written by the simulator (`docs/bids.md`).
//!
//! A dataset is a folder with `dataset_description.json`. Its studies are
//! the subject's sessions (`sub-01/ses-01`), or the subject when it has
//! none; each `emg/*_emg.edf|.bdf` in one is a test. Each test is read
//! with its sidecars, found by the inheritance principle (the nearest
//! `_emg.json` values win over those above; the nearest `_channels.tsv`
//! and `_events.tsv` alone apply): the measured channel from
//! `_channels.tsv` (type `EMG`, its `target_muscle` the muscle), the
//! stimuli from `_events.tsv` (`onset`, `trial_type`), the protocol and
//! its rate from the task label (`task-rns3hz`), and the subject's
//! `participants.tsv` columns into the test's metadata, identifying ones
//! withheld. Every sidecar key and column not used is named in a note.

mod derivatives;
mod events;
mod names;
mod participants;
mod read;
mod sidecars;
mod write;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

#[cfg(feature = "native")]
pub use derivatives::prepare_derivatives;
pub use derivatives::{derivatives_description, is_our_description};
pub use names::{read_task, task_label, BidsName};
pub use read::{parse_session, read_session_in};
pub use sidecars::PARTICIPANTS;
pub use write::{dataset_files, BidsSubject};

/// The file that makes a folder a BIDS dataset.
pub const DESCRIPTION: &str = "dataset_description.json";

/// The BIDS version this tool reads and writes.
pub const BIDS_VERSION: &str = "1.11.0";

/// Whether `root` is a BIDS dataset (holds `dataset_description.json`).
pub fn is_dataset(root: &Path) -> bool {
    root.join(DESCRIPTION).is_file()
}

/// The label of a BIDS `key-label` folder (`01` of `sub-01`), when the
/// folder is one.
fn entity_label<'a>(path: &'a Path, key: &str) -> Option<&'a str> {
    path.file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_prefix(key)?.strip_prefix('-'))
        .filter(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric()))
}

fn is_entity_dir(path: &Path, key: &str) -> bool {
    entity_label(path, key).is_some()
}

/// A subject or session folder's subject and session labels: `("01",
/// Some("02"))` for `sub-01/ses-02`, `("01", None)` for `sub-01`. The one
/// reading of a study folder's entities: its id, its subject and the
/// check of its files' names all come from it.
pub fn folder_entities(path: &Path) -> (Option<String>, Option<String>) {
    match entity_label(path, "ses") {
        Some(ses) => (
            path.parent()
                .and_then(|p| entity_label(p, "sub"))
                .map(str::to_string),
            Some(ses.to_string()),
        ),
        None => (entity_label(path, "sub").map(str::to_string), None),
    }
}

/// The subject folder's name (`sub-01`) of a subject or session folder.
pub fn subject_of(path: &Path) -> String {
    folder_entities(path)
        .0
        .map(|l| format!("sub-{l}"))
        .unwrap_or_default()
}

/// The dataset a study folder belongs to, when it is a subject
/// (`sub-01`) or a session (`sub-01/ses-01`) folder of one.
pub fn dataset_of(path: &Path) -> Option<PathBuf> {
    // `sub-01` typed in the dataset's folder: its parent is `.`, not "".
    let up = |p: &Path| -> Option<PathBuf> {
        let parent = p.parent()?;
        Some(if parent.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            parent.to_path_buf()
        })
    };
    let parent = up(path)?;
    if is_entity_dir(path, "sub") && is_dataset(&parent) {
        return Some(parent);
    }
    // `sub-01/ses-01` typed there: its grandparent is `.`; `.`'s own
    // parent is none.
    let grandparent = if parent == Path::new(".") {
        return None;
    } else {
        up(&parent)?
    };
    (is_entity_dir(path, "ses") && is_entity_dir(&parent, "sub") && is_dataset(&grandparent))
        .then_some(grandparent)
}

/// The studies of a dataset: each subject's sessions that hold an `emg`
/// folder, or the subject when it does (no sessions), sorted.
///
/// # Errors
///
/// [`Error::Io`] when the dataset or a subject's folder cannot be listed.
pub fn find_sessions(root: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for subject in sorted_dirs(root)? {
        if !is_entity_dir(&subject, "sub") {
            continue;
        }
        // A link to nothing (an unmounted annex) is a study whose reading
        // fails: an error row, never a subject passed over.
        if !subject.is_dir() {
            out.push(subject);
            continue;
        }
        if subject.join("emg").is_dir() {
            out.push(subject.clone());
        }
        for session in sorted_dirs(&subject)? {
            let broken = !session.is_dir();
            if is_entity_dir(&session, "ses") && (broken || session.join("emg").is_dir()) {
                out.push(session);
            }
        }
    }
    Ok(out)
}

/// The folders in `dir`, sorted, links to folders among them: a linked
/// subject or session (DataLad links them) is a study, never passed over;
/// whether a link out of the dataset is read is [`read_session_in`]'s
/// rule, which names it. Only two levels are walked, so a link cannot
/// loop.
fn sorted_dirs(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_dir() || std::fs::symlink_metadata(p).is_ok_and(|m| m.is_symlink()))
        .collect();
    dirs.sort();
    Ok(dirs)
}

/// A session's study id: its subject and session (`sub-01_ses-01`), as
/// BIDS names them; the labels are the dataset's pseudonyms.
pub fn session_id(path: &Path) -> String {
    match folder_entities(path) {
        (Some(sub), Some(ses)) => format!("sub-{sub}_ses-{ses}"),
        (Some(sub), None) => format!("sub-{sub}"),
        // Not a BIDS folder name: its own name.
        (None, _) => path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_and_session_folders_belong_to_their_dataset() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join(DESCRIPTION), "{}").unwrap();
        std::fs::create_dir_all(root.join("sub-01/ses-01/emg")).unwrap();
        std::fs::create_dir_all(root.join("sub-02/emg")).unwrap();
        std::fs::create_dir_all(root.join("derivatives")).unwrap();
        assert_eq!(dataset_of(&root.join("sub-01/ses-01")), Some(root.into()));
        assert_eq!(dataset_of(&root.join("sub-02")), Some(root.into()));
        assert_eq!(dataset_of(&root.join("derivatives")), None);
        assert_eq!(
            find_sessions(root).unwrap(),
            vec![root.join("sub-01/ses-01"), root.join("sub-02")]
        );
        assert_eq!(session_id(&root.join("sub-01/ses-01")), "sub-01_ses-01");
        assert_eq!(session_id(&root.join("sub-02")), "sub-02");
    }
}
