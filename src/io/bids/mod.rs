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

/// Whether a folder name is a BIDS `key-label` folder of `key`.
fn is_entity_dir(path: &Path, key: &str) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_prefix(key)?.strip_prefix('-'))
        .is_some_and(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// The dataset a study folder belongs to, when it is a subject
/// (`sub-01`) or a session (`sub-01/ses-01`) folder of one.
pub fn dataset_of(path: &Path) -> Option<PathBuf> {
    let parent = path.parent()?;
    if is_entity_dir(path, "sub") && is_dataset(parent) {
        return Some(parent.to_path_buf());
    }
    let grandparent = parent.parent()?;
    (is_entity_dir(path, "ses") && is_entity_dir(parent, "sub") && is_dataset(grandparent))
        .then(|| grandparent.to_path_buf())
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
    let name = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    if is_entity_dir(path, "ses") {
        let subject = path.parent().map(name).unwrap_or_default();
        format!("{subject}_{}", name(path))
    } else {
        name(path)
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
