//! The record of a batch run: `run.json` in every batch output (`batch`,
//! `merge`, Python's `batch(out=...)`). It says what scored the studies
//! (version, command line, settings and their hash), over which archive
//! (the root as a full path) and which part of it (the shard), how the
//! studies fared, and when. `merge` reads it to refuse a set of parts
//! that is not one run, whole.

use std::path::Path;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::output::Counts;
use crate::error::{Error, Result};
use crate::settings::Settings;

/// The manifest's file name in a batch output.
pub const RUN_JSON: &str = "run.json";

/// The manifest's schema: a reader refuses another.
pub const RUN_SCHEMA: &str = "nmjscope.run/1";

/// What the caller of a batch knows of its run: how it was asked for and
/// the settings it scores with (`None` only in tests that write results
/// by hand; the manifest then records no settings).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunInfo {
    /// The command line (`nmjscope batch ...`), or for Python the call:
    /// recorded as [`command_shape`] gives it, without values.
    pub command: Vec<String>,
    /// The settings every study is scored with.
    pub settings: Option<Settings>,
    /// How every file is read (`--rate`, `--units`, `--channel`,
    /// `--identifying-key` ...), as [`options_hash`] gives it.
    pub read_options: Option<String>,
    /// Study paths in the whole archive, before any shard took its part.
    pub in_archive: usize,
    /// Whether each study's report is also a file of its own (`--reports`).
    pub reports: bool,
}

/// A command line as the manifest records it: the program, the
/// subcommand and each option's name, every value (a path, a threshold,
/// an examiner's name or a date given as an override) left out as `…`.
/// The values that matter are recorded apart (settings, read options'
/// hash, root, shard); a value typed on the command line may identify a
/// patient or an examiner, and never leaves in a file.
pub fn command_shape(args: &[String]) -> Vec<String> {
    args.iter()
        .enumerate()
        .map(|(i, a)| match a.split_once('=') {
            _ if i < 2 && !a.starts_with('-') => short_program(a, i),
            Some((name, _)) if name.starts_with("--") => format!("{name}=…"),
            _ if a.starts_with('-') && a.len() > 1 => a.clone(),
            _ => "…".to_string(),
        })
        .collect()
}

/// The program (its file name, not where it is installed) and the
/// subcommand.
fn short_program(arg: &str, i: usize) -> String {
    if i == 0 {
        Path::new(arg)
            .file_name()
            .map_or_else(|| arg.to_string(), |n| n.to_string_lossy().into_owned())
    } else {
        arg.to_string()
    }
}

/// A fixed hash of how the files were read (the read options' full
/// description, XXH3, hex): shards read with other overrides are other
/// runs.
pub fn options_hash(description: &str) -> String {
    format!(
        "{:016x}",
        xxhash_rust::xxh3::xxh3_64(description.as_bytes())
    )
}

/// Shard `index` of `count` (`batch --shard I/N`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ShardOf {
    /// From 0.
    pub index: u32,
    /// How many shards the run has.
    pub count: u32,
}

/// How the studies of a run fared.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunCounts {
    /// Study paths in the whole archive (every shard of a run records
    /// the same: `merge` checks that its parts' `found` add up to it).
    pub in_archive: usize,
    /// Study paths this run was given (its shard's, for a shard): a
    /// folder holding several patients' files is one path and several
    /// rows.
    pub found: usize,
    /// Summary rows scored (error rows left out).
    pub scored: usize,
    /// Summary rows that failed (error rows in `summary.csv`).
    pub failed: usize,
    /// Studies re-used unchanged from the previous run (`--resume`).
    pub reused: usize,
}

/// `run.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunManifest {
    /// [`RUN_SCHEMA`].
    pub schema: String,
    /// The version of nmjscope that wrote it.
    pub version: String,
    /// The command line, or for Python the call.
    pub command: Vec<String>,
    /// The archive scored, as a full path without `.` or `..` (one
    /// archive however its path was typed); for a merge, its parts'.
    pub root: Option<String>,
    /// The shard this run scored (none for a whole run or a merge).
    pub shard: Option<ShardOf>,
    /// For a merge, how many parts it joined (none for a run).
    pub merged_parts: Option<usize>,
    /// Whether each study's report is also a file of its own
    /// (`reports/`, `--reports`).
    pub reports: bool,
    /// [`settings_hash`] of `settings`.
    pub settings_hash: Option<String>,
    /// [`options_hash`] of how the files were read.
    pub read_options_hash: Option<String>,
    /// The settings every study was scored with.
    pub settings: Option<Settings>,
    /// How the studies fared.
    pub counts: RunCounts,
    /// When the run began (UTC, RFC 3339, seconds).
    pub started: String,
    /// When it ended.
    pub finished: String,
}

/// A fixed hash of `settings` (XXH3 of their JSON, hex): two runs with the
/// same hash scored with the same thresholds and options.
pub fn settings_hash(settings: &Settings) -> String {
    let json = serde_json::to_vec(settings).unwrap_or_default();
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(&json))
}

/// Now, as the manifest writes a time.
pub(super) fn now() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}

/// The archive's full path, as the manifest records it: canonical where it
/// exists (links and `..` resolved), else made absolute.
pub(super) fn full_root(root: &Path) -> String {
    let full = root
        .canonicalize()
        .or_else(|_| std::path::absolute(root))
        .unwrap_or_else(|_| root.to_path_buf());
    full.display().to_string()
}

impl RunManifest {
    /// The manifest of a run that began at `started`.
    pub(super) fn of_run(
        info: &RunInfo,
        (root, shard): (Option<&Path>, Option<(u32, u32)>),
        (found, counts): (usize, Counts),
        started: String,
    ) -> RunManifest {
        RunManifest {
            schema: RUN_SCHEMA.to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            command: command_shape(&info.command),
            root: root.map(full_root),
            shard: shard.map(|(index, count)| ShardOf { index, count }),
            merged_parts: None,
            reports: info.reports,
            settings_hash: info.settings.as_ref().map(settings_hash),
            read_options_hash: info.read_options.as_deref().map(options_hash),
            settings: info.settings.clone(),
            counts: RunCounts {
                in_archive: info.in_archive,
                found,
                scored: counts.studies - counts.failed,
                failed: counts.failed,
                reused: counts.resumed,
            },
            started,
            finished: now(),
        }
    }

    /// Reads the manifest of the batch output `dir`.
    ///
    /// # Errors
    ///
    /// [`Error::MergeParts`] when the folder has none (an output written
    /// before manifests, or not by a batch) or it is not a manifest;
    /// [`Error::Io`] when the folder or the file cannot be read.
    pub fn read(dir: &Path) -> Result<RunManifest> {
        let path = dir.join(RUN_JSON);
        let refused = |detail: String| Error::MergeParts {
            path: dir.to_path_buf(),
            detail,
        };
        let text = match std::fs::read(&path) {
            Ok(bytes) => String::from_utf8(bytes)
                .map_err(|_| refused(format!("its {RUN_JSON} is not UTF-8 text")))?,
            // A part that is there, without a manifest: not a run's.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && dir.is_dir() => {
                return Err(refused(format!("it has no {RUN_JSON}: a batch output written before nmjscope recorded its runs, or not a batch output; score the archive again")));
            }
            // Not there at all, not readable, a folder: the file system's.
            Err(e) => return Err(Error::io(&path, e)),
        };
        let manifest: RunManifest = serde_json::from_str(&text)
            .map_err(|e| refused(format!("its {RUN_JSON} cannot be read: {e}")))?;
        if manifest.schema != RUN_SCHEMA {
            return Err(refused(format!(
                "its {RUN_JSON} has schema {:?}; this nmjscope reads {RUN_SCHEMA:?}",
                manifest.schema
            )));
        }
        Ok(manifest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_settings_hash_follows_every_setting() {
        let a = Settings::default();
        let mut b = Settings::default();
        assert_eq!(settings_hash(&a), settings_hash(&b));
        b.interpret.decrement_abnormal_pct = 8.0;
        assert_ne!(settings_hash(&a), settings_hash(&b));
        assert_eq!(settings_hash(&a).len(), 16);
    }

    #[test]
    fn a_root_is_recorded_whole_however_it_was_typed() {
        let here = std::env::current_dir().unwrap();
        let typed = [Path::new("."), Path::new("./"), &here];
        let full: Vec<String> = typed.iter().map(|p| full_root(p)).collect();
        assert!(full.iter().all(|f| f == &full[0]), "{full:?}");
        assert!(Path::new(&full[0]).is_absolute());
    }

    #[test]
    fn the_command_is_recorded_without_its_values() {
        let args: Vec<String> = [
            "/usr/local/bin/nmjscope",
            "batch",
            "/data/Jane_Roe",
            "--examiner",
            "Jane Roe",
            "--date=2031-07-19",
            "-q",
            "--out",
            "x",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            command_shape(&args),
            [
                "nmjscope",
                "batch",
                "…",
                "--examiner",
                "…",
                "--date=…",
                "-q",
                "--out",
                "…"
            ]
        );
    }

    #[test]
    fn times_are_rfc3339_utc() {
        let t = now();
        assert_eq!(t.len(), 20, "{t}");
        assert!(t.ends_with('Z') && t.as_bytes()[10] == b'T', "{t}");
    }
}
