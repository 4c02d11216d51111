//! Writing files: atomically, so a failure never leaves a half-written
//! report, and only over what this tool wrote, so nothing of the user's is
//! lost. Every command that writes goes through here: a folder is a set
//! with its manifest ([`write_set`]), a single file carries the tool's
//! signature line ([`write_own_file`]).

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Writes one file the tool owns, atomically: `path` must be absent, or a
/// regular, writable file with a `signature` line among the `#` lines it
/// starts with (one this tool wrote). Anything else (someone's data, a read-only file, a device, a
/// FIFO, a folder, a symbolic link) is refused and not touched; the check
/// is made again just before the new file is renamed into place.
///
/// # Errors
///
/// [`Error::OutputNotOurs`] naming what makes `path` not ours;
/// [`Error::Io`] naming what could not be written.
pub fn write_own_file(path: &Path, bytes: &[u8], signature: &str) -> Result<()> {
    let refuse = |detail: String| Error::OutputNotOurs {
        path: path.to_path_buf(),
        detail,
    };
    if let Some(why) = not_our_file(path, signature)? {
        return Err(refuse(why));
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    let mut tmp = tempfile::NamedTempFile::new_in(parent).map_err(|e| Error::io(parent, e))?;
    std::io::Write::write_all(&mut tmp, bytes).map_err(|e| Error::io(path, e))?;
    // Temporary files are private (0600); the file gets the mode of the
    // one it replaces, else what the user's umask gives.
    #[cfg(unix)]
    {
        keep_group(path, tmp.path());
        if let Some(mode) = mode_for(path, parent, false) {
            use std::os::unix::fs::PermissionsExt;
            let _ = tmp
                .as_file()
                .set_permissions(std::fs::Permissions::from_mode(mode));
        }
    }
    if let Some(why) = not_our_file(path, signature)? {
        return Err(refuse(why));
    }
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

/// Gives `new` the group of the `target` it will replace, so a lab's
/// group keeps its access (a setgid folder's mode is kept by
/// [`mode_for`], its group here). Best effort: a user may only give a
/// group they belong to.
#[cfg(unix)]
fn keep_group(target: &Path, new: &Path) {
    use std::os::unix::fs::MetadataExt;
    if let Ok(m) = std::fs::symlink_metadata(target) {
        if !m.file_type().is_symlink() {
            let _ = std::os::unix::fs::chown(new, None, Some(m.gid()));
        }
    }
}

/// The mode a new file or folder at `target` gets: that of the one it
/// replaces, else what the user's umask gives a new one in `parent` (a
/// probe made and removed: the umask cannot be read without changing it).
#[cfg(unix)]
fn mode_for(target: &Path, parent: &Path, folder: bool) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    use std::sync::atomic::{AtomicU64, Ordering};
    static PROBES: AtomicU64 = AtomicU64::new(0);
    if let Ok(m) = std::fs::symlink_metadata(target) {
        if m.is_dir() == folder && !m.file_type().is_symlink() {
            return Some(m.permissions().mode() & 0o7777);
        }
    }
    let probe = parent.join(format!(
        ".nmjscope-probe-{}-{}",
        std::process::id(),
        PROBES.fetch_add(1, Ordering::Relaxed)
    ));
    let made = if folder {
        std::fs::create_dir(&probe)
    } else {
        std::fs::File::create_new(&probe).map(|_| ())
    };
    made.ok()?;
    let mode = std::fs::metadata(&probe)
        .ok()
        .map(|m| m.permissions().mode() & 0o777);
    let _ = if folder {
        std::fs::remove_dir(&probe)
    } else {
        std::fs::remove_file(&probe)
    };
    mode
}

/// Why the file at `path` may not be replaced, or `None` when it may.
fn not_our_file(path: &Path, signature: &str) -> Result<Option<String>> {
    let meta = match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(path, e)),
        Ok(m) => m,
    };
    let kind = meta.file_type();
    if !kind.is_file() {
        return Ok(Some(format!("it is {}", not_a_file(&kind))));
    }
    if meta.permissions().readonly() {
        return Ok(Some("it is read-only".to_string()));
    }
    let mut head = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| std::io::Read::read_to_end(&mut std::io::Read::take(f, 4096), &mut head))
        .map_err(|e| Error::io(path, e))?;
    // Among the metadata lines it starts with (after an Excel `sep=`),
    // never further in: a note that quotes the line is not ours.
    let ours = String::from_utf8_lossy(&head)
        .lines()
        .skip_while(|l| l.starts_with("sep="))
        .take_while(|l| l.starts_with('#'))
        .any(|l| l.trim_end() == signature);
    Ok((!ours).then(|| {
        format!("it holds data nmjscope did not write (no \"{signature}\" line at its start)")
    }))
}

/// What a path that is no regular file is, in words.
fn not_a_file(kind: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_symlink() {
        "a symbolic link; give the file itself"
    } else if kind.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

/// The file every set holds: its kind, then the files the set wrote. A
/// folder is replaced only when it holds nothing else.
pub const MANIFEST: &str = super::MANIFEST_NAME;

/// The kind of set `simulate --study` writes: input, scored by `batch`
/// like any study (the other kinds are output, never scored).
pub const SIMULATED_STUDY: &str = "simulated study";

/// The kind of set `nmjscope samples` writes ([`crate::samples::write`]):
/// input too, the sample studies of `samples/`.
pub const SAMPLES: &str = "samples";

/// Whether a set of `kind` holds input (studies to read and score: a
/// [`SIMULATED_STUDY`], [`SAMPLES`]) rather than output.
pub fn is_input_kind(kind: &str) -> bool {
    kind == SIMULATED_STUDY || kind == SAMPLES
}

/// The kind of set a folder holds (`report`, `batch`,
/// [`SIMULATED_STUDY`]), from its manifest's first line; `None` when it
/// holds no manifest.
pub fn set_kind(dir: &Path) -> Option<String> {
    let manifest = std::fs::read_to_string(dir.join(MANIFEST)).ok()?;
    let first = manifest.lines().next()?;
    first
        .strip_prefix("nmjscope ")
        .and_then(|k| k.strip_suffix(" set"))
        .map(str::to_string)
}

/// Writes a whole set of files (a report set, a batch's results) so that
/// `dir` always holds one complete set: the files go into a fresh hidden
/// folder beside `dir`, which then replaces it. Two runs into the same
/// folder never mix their files, an interrupted run leaves the previous set
/// whole (and a hidden `.<name>.partial-*` folder), and no file of an older
/// set lingers beside the new one.
///
/// Only a folder this tool wrote is replaced: absent, empty, or holding a
/// [`MANIFEST`] of the same `kind` and no file the manifest does not list.
/// Anything else (input traces, a note the user added, another kind of
/// set) is refused, and nothing is touched.
///
/// # Errors
///
/// [`Error::OutputNotASet`] naming what makes the folder not ours;
/// [`Error::Io`] naming what could not be written or renamed. On error
/// `dir` is as it was.
pub fn write_set(dir: &Path, files: &[(String, Vec<u8>)], kind: &str) -> Result<PathBuf> {
    let mut set = SetWriter::begin(dir, kind)?;
    for (name, bytes) in files {
        set.add(name, bytes)?;
    }
    set.commit()
}

/// A set written file by file, for one too large to hold in memory (a
/// batch's results): the same guarantees as [`write_set`]. Its files go
/// into a hidden folder beside `dir`, which replaces `dir` at
/// [`SetWriter::commit`]; dropped before that (an error, a panic), the
/// hidden folder is removed and `dir` is as it was.
#[derive(Debug)]
pub struct SetWriter {
    dir: PathBuf,
    parent: PathBuf,
    name: String,
    kind: String,
    partial: tempfile::TempDir,
    files: Vec<String>,
    guard: SwapGuard,
    /// The folder `dir` was when the set began (`None`: absent).
    begun: Option<FolderId>,
}

/// Which folder a set may replace when it is put in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SwapGuard {
    /// Any set of its kind: the latest run wins (a report set).
    AnyOfItsKind,
    /// Only what was there when the set began (nothing, or the same
    /// folder): a set another run put in meanwhile is kept, and this one
    /// refused (a batch's finished results).
    AsBegun,
}

/// A folder's identity: its device and inode (its modification time where
/// there are none). A set swapped in by another run is another folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FolderId(u64, u64);

fn folder_id(dir: &Path) -> Option<FolderId> {
    let meta = std::fs::symlink_metadata(dir).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some(FolderId(meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let t = meta
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?;
        Some(FolderId(t.as_secs(), u64::from(t.subsec_nanos())))
    }
}

impl SetWriter {
    /// Starts a `kind` set that will replace `dir`.
    ///
    /// # Errors
    ///
    /// As [`write_set`]: a `dir` that is not ours is refused before
    /// anything is written.
    pub fn begin(dir: &Path, kind: &str) -> Result<SetWriter> {
        SetWriter::begin_guarded(dir, kind, SwapGuard::AnyOfItsKind)
    }

    /// As [`SetWriter::begin`], replacing at [`SetWriter::commit`] only
    /// what `guard` allows.
    ///
    /// # Errors
    ///
    /// As [`SetWriter::begin`].
    pub fn begin_guarded(dir: &Path, kind: &str, guard: SwapGuard) -> Result<SetWriter> {
        let begun = folder_id(dir);
        let refuse = |detail: String| Error::OutputNotASet {
            path: dir.to_path_buf(),
            detail,
        };
        // Named first: `/` or `.` is never listed (all of a disk).
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| refuse("it has no folder name (`.`, `..` or `/`)".to_string()))?;
        if let Some(why) = not_replaceable(dir, kind)? {
            return Err(refuse(why));
        }
        let parent = match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        let partial = tempfile::Builder::new()
            .prefix(&format!(".{name}.partial-"))
            .tempdir_in(&parent)
            .map_err(|e| Error::io(&parent, e))?;
        Ok(SetWriter {
            dir: dir.to_path_buf(),
            parent,
            name,
            kind: kind.to_string(),
            partial,
            files: Vec::new(),
            guard,
            begun,
        })
    }

    /// Creates the file `name` (a `/`-separated path in the set) for
    /// writing; returns where it will be once the set is in place (for
    /// error messages) and the file.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] naming the file that could not be created.
    pub fn create(&mut self, name: &str) -> Result<(PathBuf, std::fs::File)> {
        let path = self.partial.path().join(name);
        let shown = self.dir.join(name);
        // A name is a path inside the set: never `..`, a root or a drive
        // (a reference read from a shard's summary must not write beside
        // the set).
        let inside = !name.is_empty()
            && Path::new(name)
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)));
        if !inside {
            return Err(Error::OutputNotASet {
                path: shown,
                detail: format!("{name:?} is not a path inside the set"),
            });
        }
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder).map_err(|e| Error::io(&shown, e))?;
        }
        let file = std::fs::File::create(&path).map_err(|e| Error::io(&shown, e))?;
        self.files.push(name.to_string());
        Ok((shown, file))
    }

    /// Writes the whole file `name`.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] naming the file that could not be written.
    pub fn add(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        let (shown, mut file) = self.create(name)?;
        std::io::Write::write_all(&mut file, bytes).map_err(|e| Error::io(&shown, e))
    }

    /// Writes the manifest and puts the set in place of `dir`.
    ///
    /// # Errors
    ///
    /// [`Error::OutputNotASet`] when `dir` stopped being ours meanwhile,
    /// [`Error::Io`] when the set could not be put in place; `dir` is then
    /// as it was.
    pub fn commit(mut self) -> Result<PathBuf> {
        let mut manifest = format!("nmjscope {} set\n", self.kind);
        for name in &self.files {
            manifest.push_str(name);
            manifest.push('\n');
        }
        self.add(MANIFEST, manifest.as_bytes())?;
        if let Some(why) = not_replaceable(&self.dir, &self.kind)? {
            return Err(Error::OutputNotASet {
                path: self.dir.clone(),
                detail: why,
            });
        }
        // The hidden folder is private (0700); the set gets the mode of
        // the folder it replaces (a user's 0700 stays 0700), else what the
        // user's umask gives.
        #[cfg(unix)]
        {
            keep_group(&self.dir, self.partial.path());
            if let Some(mode) = mode_for(&self.dir, &self.parent, true) {
                use std::os::unix::fs::PermissionsExt;
                let _ = std::fs::set_permissions(
                    self.partial.path(),
                    std::fs::Permissions::from_mode(mode),
                );
            }
        }
        let expect = (self.guard == SwapGuard::AsBegun).then_some(self.begun);
        let place = Place {
            dir: &self.dir,
            parent: &self.parent,
            name: &self.name,
        };
        swap_in(self.partial.keep(), &place, expect)?;
        Ok(self.dir)
    }
}

/// Why `dir` may not be replaced, or `None` when it may. Looked at a few
/// times, as another run may be swapping its set in.
fn not_replaceable(dir: &Path, kind: &str) -> Result<Option<String>> {
    let mut why = None;
    for _ in 0..SWAP_ATTEMPTS {
        why = match std::fs::symlink_metadata(dir) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(dir, e)),
            Ok(m) if m.file_type().is_symlink() => {
                return Ok(Some("it is a symbolic link; give the folder itself".into()))
            }
            Ok(m) if !m.is_dir() => return Ok(Some("it is a file, not a folder".into())),
            Ok(_) => foreign_content(dir, kind),
        };
        if why.is_none() {
            return Ok(None);
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    Ok(why)
}

/// What in `dir` this tool did not write (for a `kind` set), if anything.
fn foreign_content(dir: &Path, kind: &str) -> Option<String> {
    let mut found = Vec::new();
    if list_files(dir, Path::new(""), &mut found).is_err() {
        // Vanished while being listed: another run is swapping it.
        return Some("it changed while being read".into());
    }
    if found.is_empty() {
        return None;
    }
    let Ok(manifest) = std::fs::read_to_string(dir.join(MANIFEST)) else {
        let first = found.first().cloned().unwrap_or_default();
        return Some(format!(
            "it holds files nmjscope did not write ({first}; no {MANIFEST})"
        ));
    };
    let mut lines = manifest.lines();
    let header = format!("nmjscope {kind} set");
    if lines.next() != Some(header.as_str()) {
        return Some(format!(
            "it holds another kind of nmjscope output, not a {kind} set"
        ));
    }
    let ours: std::collections::HashSet<&str> = lines.chain([MANIFEST]).collect();
    found
        .iter()
        .find(|f| !ours.contains(f.as_str()))
        .map(|f| format!("it holds {f}, which nmjscope did not write"))
}

/// Every file under `dir`, as `/`-separated paths relative to it, and
/// every empty folder (`name/`): a set never holds one, so it is the
/// user's.
fn list_files(dir: &Path, prefix: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
    let mut empty = true;
    for entry in std::fs::read_dir(dir.join(prefix))? {
        let entry = entry?;
        empty = false;
        let relative = prefix.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            list_files(dir, &relative, out)?;
        } else {
            out.push(relative.to_string_lossy().replace('\\', "/"));
        }
    }
    if empty && !prefix.as_os_str().is_empty() {
        out.push(format!("{}/", prefix.to_string_lossy().replace('\\', "/")));
    }
    Ok(())
}

/// Tries this often to swap a finished set in while another run swaps its
/// own (each attempt is two renames; losing the race twice in a row is rare).
const SWAP_ATTEMPTS: usize = 8;

/// Waits before swap attempt `attempt` (from 1): 1, 2, 4 ... 64 ms, 127 ms
/// in all. Retried at once, a run could lose all eight attempts to runs
/// swapping in turn (`concurrent_sets_never_mix`, four threads writing one
/// folder 20 times each, failed about one run in 20 of the full suite).
fn backoff(attempt: usize) {
    if attempt > 0 {
        std::thread::sleep(std::time::Duration::from_millis(1 << (attempt - 1).min(6)));
    }
}

/// A lock older than this (s) was left by a run killed in its swap, which
/// takes milliseconds: it is broken.
const STALE_LOCK_S: u64 = 10;

/// How long a run waits for its turn to swap (s): more than a stale lock
/// lives, so a killed run's lock is always outlived.
const LOCK_WAIT_S: u64 = 2 * STALE_LOCK_S;

/// A run's turn to swap a set into a folder: a file beside it, made only
/// if absent, removed when the turn ends.
struct SwapLock {
    path: PathBuf,
}

impl SwapLock {
    fn take(parent: &Path, name: &str) -> Result<SwapLock> {
        let path = parent.join(format!(".{name}.swap-lock"));
        let start = std::time::Instant::now();
        loop {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(_) => return Ok(SwapLock { path }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let age = std::fs::metadata(&path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| t.elapsed().ok());
                    if age.is_some_and(|a| a.as_secs() >= STALE_LOCK_S) {
                        let _ = std::fs::remove_file(&path);
                        continue;
                    }
                    if start.elapsed().as_secs() >= LOCK_WAIT_S {
                        let busy = std::io::Error::other(
                            "another run has held its turn to swap results in for too long",
                        );
                        return Err(Error::io(&path, busy));
                    }
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
                Err(e) => return Err(Error::io(&path, e)),
            }
        }
    }
}

impl Drop for SwapLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Where a set goes: the folder, its parent and its name.
struct Place<'a> {
    dir: &'a Path,
    parent: &'a Path,
    name: &'a str,
}

/// Replaces `dir` with `ready`: the old set is renamed aside, the new one
/// renamed in, the old one removed, in this run's turn ([`SwapLock`]).
/// With `expect` (a guarded set), the folder must still be the one the
/// run began with (`None`: none): another run's set, put in meanwhile,
/// is kept and this set refused.
fn swap_in(ready: PathBuf, place: &Place, expect: Option<Option<FolderId>>) -> Result<()> {
    let (dir, parent, name) = (place.dir, place.parent, place.name);
    // Runs that share a folder swap in turn: none finds it missing between
    // another's two renames (three runs at once could otherwise each see
    // what they expected).
    let _turn = SwapLock::take(parent, name).map_err(|e| cleanup(&ready, e))?;
    // Checked once, in this run's turn: no other run swaps until it ends.
    if let Some(expected) = expect {
        if folder_id(dir) != expected {
            return Err(cleanup(
                &ready,
                Error::OutputNotASet {
                    path: dir.to_path_buf(),
                    detail: "another run put its results here while this one ran; they are kept"
                        .into(),
                },
            ));
        }
    }
    let mut last = None;
    for attempt in 0..SWAP_ATTEMPTS {
        backoff(attempt);
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
        write_set(&out, &set("a", &["report.json", "plots/a.svg"]), "report").unwrap();
        write_set(&out, &set("b", &["report.json", "plots/b.svg"]), "report").unwrap();
        assert_eq!(std::fs::read(out.join("report.json")).unwrap(), b"b");
        assert!(!out.join("plots/a.svg").exists(), "an old plot lingered");
        let names: Vec<_> = std::fs::read_dir(root.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "nothing left beside the set");
    }

    #[test]
    fn a_folder_of_other_files_is_refused_and_kept() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("thesis.docx"), b"x").unwrap();
        let e = write_set(root.path(), &set("a", &["report.json"]), "report").unwrap_err();
        assert!(matches!(e, Error::OutputNotASet { .. }), "{e}");
        assert!(root.path().join("thesis.docx").exists());
        // A report.json of someone else's is no proof either.
        let other = root.path().join("other");
        std::fs::create_dir(&other).unwrap();
        std::fs::write(other.join("report.json"), b"{}").unwrap();
        std::fs::write(other.join("trace.csv"), b"x").unwrap();
        assert!(write_set(&other, &set("a", &["report.json"]), "report").is_err());
        assert!(other.join("trace.csv").exists());
        // A note added to our own set keeps the set from being replaced.
        let out = root.path().join("out");
        write_set(&out, &set("a", &["report.json"]), "report").unwrap();
        std::fs::write(out.join("notes.txt"), b"mine").unwrap();
        let e = write_set(&out, &set("b", &["report.json"]), "report").unwrap_err();
        assert!(e.to_string().contains("notes.txt"), "{e}");
        assert!(out.join("notes.txt").exists());
        // Nor is a set of another kind.
        let batch = root.path().join("batch");
        write_set(&batch, &set("a", &["summary.csv"]), "batch").unwrap();
        assert!(write_set(&batch, &set("b", &["report.json"]), "report").is_err());
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
                        write_set(out, &set(tag, &files), "report").unwrap();
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
