//! Writing files: atomically, so a failure never leaves a half-written
//! report, and nothing already written is lost.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Writes files atomically into `dir` (created if needed): each is written
/// to a temporary file in the same directory, then renamed into place.
/// Returns the paths written.
///
/// # Errors
///
/// [`Error::Io`] naming the directory or file that could not be created or
/// written; files written before the failure stay complete.
pub fn write_files(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut written = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        let target = dir.join(name);
        let parent = target.parent().unwrap_or(dir);
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        let mut tmp = tempfile::NamedTempFile::new_in(parent).map_err(|e| Error::io(parent, e))?;
        std::io::Write::write_all(&mut tmp, bytes).map_err(|e| Error::io(&target, e))?;
        // Temporary files are private; reports are ordinary files.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = tmp
                .as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o644));
        }
        tmp.persist(&target)
            .map_err(|e| Error::io(&target, e.error))?;
        written.push(target);
    }
    Ok(written)
}

/// Writes a whole set of files (a report set, a batch's results) so that
/// `dir` always holds one complete set: the files go into a fresh hidden
/// folder beside `dir`, which then replaces it. Two runs into the same
/// folder never mix their files, an interrupted run leaves the previous set
/// whole (and a hidden `.<name>.partial-*` folder), and no file of an older
/// set lingers beside the new one.
///
/// `signature` names the file every set holds (`report.json`,
/// `summary.csv`): a non-empty `dir` without it is not a set this tool
/// wrote, and is refused rather than replaced.
///
/// # Errors
///
/// [`Error::OutputNotASet`] for a folder of other files; [`Error::Io`]
/// naming what could not be written or renamed. On error `dir` is as it was.
pub fn write_set(dir: &Path, files: &[(String, Vec<u8>)], signature: &str) -> Result<PathBuf> {
    if !is_replaceable(dir, signature)? {
        return Err(Error::OutputNotASet {
            path: dir.to_path_buf(),
            signature: signature.to_string(),
        });
    }
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Error::OutputNotASet {
            path: dir.to_path_buf(),
            signature: signature.to_string(),
        })?;
    std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
    let partial = tempfile::Builder::new()
        .prefix(&format!(".{name}.partial-"))
        .tempdir_in(&parent)
        .map_err(|e| Error::io(&parent, e))?;
    write_files(partial.path(), files)?;
    swap_in(partial.keep(), dir, &parent, &name)?;
    Ok(dir.to_path_buf())
}

/// Whether `dir` may be replaced: absent, empty, or holding `signature`.
/// Looked at a few times, as another run may be swapping its set in.
fn is_replaceable(dir: &Path, signature: &str) -> Result<bool> {
    for _ in 0..SWAP_ATTEMPTS {
        if !dir.exists() || dir.join(signature).is_file() {
            return Ok(true);
        }
        if !dir.is_dir() {
            return Ok(false);
        }
        match std::fs::read_dir(dir) {
            Ok(mut entries) => {
                if entries.next().is_none() {
                    return Ok(true);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(true),
            Err(e) => return Err(Error::io(dir, e)),
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    Ok(false)
}

/// Tries this often to swap a finished set in while another run swaps its
/// own (each attempt is two renames; losing the race twice in a row is rare).
const SWAP_ATTEMPTS: usize = 8;

/// Replaces `dir` with `ready`: the old set is renamed aside, the new one
/// renamed in, the old one removed.
fn swap_in(ready: PathBuf, dir: &Path, parent: &Path, name: &str) -> Result<()> {
    let mut last = None;
    for _ in 0..SWAP_ATTEMPTS {
        // A fresh empty folder to rename the old set onto (rename may
        // replace an empty folder): a name no other run can pick.
        let old = tempfile::Builder::new()
            .prefix(&format!(".{name}.old-"))
            .tempdir_in(parent)
            .map_err(|e| cleanup(&ready, Error::io(parent, e)))?
            .keep();
        let moved_aside = match std::fs::rename(dir, &old) {
            Ok(()) => true,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&old);
                return Err(cleanup(&ready, Error::io(dir, e)));
            }
        };
        match std::fs::rename(&ready, dir) {
            Ok(()) => {
                // The new set is in place; an old one that cannot be
                // removed is only clutter.
                let _ = std::fs::remove_dir_all(&old);
                return Ok(());
            }
            // Another run put its set in between the two renames: retry.
            Err(e) => {
                if moved_aside && !dir.exists() {
                    let _ = std::fs::rename(&old, dir);
                }
                let _ = std::fs::remove_dir_all(&old);
                last = Some(e);
            }
        }
    }
    let e = last.unwrap_or_else(|| std::io::Error::other("could not replace the folder"));
    Err(cleanup(&ready, Error::io(dir, e)))
}

fn cleanup(ready: &Path, error: Error) -> Error {
    let _ = std::fs::remove_dir_all(ready);
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(tag: &str, names: &[&str]) -> Vec<(String, Vec<u8>)> {
        names
            .iter()
            .map(|n| (n.to_string(), tag.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn a_new_set_replaces_the_old_one_whole() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        write_set(
            &out,
            &set("a", &["report.json", "plots/a.svg"]),
            "report.json",
        )
        .unwrap();
        write_set(
            &out,
            &set("b", &["report.json", "plots/b.svg"]),
            "report.json",
        )
        .unwrap();
        assert_eq!(std::fs::read(out.join("report.json")).unwrap(), b"b");
        assert!(!out.join("plots/a.svg").exists(), "an old plot lingered");
        let names: Vec<_> = std::fs::read_dir(root.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "nothing left beside the set");
    }

    #[test]
    fn a_folder_of_other_files_is_refused_and_kept() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("thesis.docx"), b"x").unwrap();
        let e = write_set(root.path(), &set("a", &["report.json"]), "report.json").unwrap_err();
        assert!(matches!(e, Error::OutputNotASet { .. }), "{e}");
        assert!(root.path().join("thesis.docx").exists());
    }

    #[test]
    fn concurrent_sets_never_mix() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        let files = ["report.json", "report.html", "plots/x.svg"];
        std::thread::scope(|s| {
            for tag in ["a", "b", "c", "d"] {
                let out = &out;
                s.spawn(move || {
                    for _ in 0..20 {
                        write_set(out, &set(tag, &files), "report.json").unwrap();
                    }
                });
            }
        });
        let first = std::fs::read(out.join(files[0])).unwrap();
        for f in files {
            assert_eq!(std::fs::read(out.join(f)).unwrap(), first, "{f}");
        }
    }
}
