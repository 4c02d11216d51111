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
