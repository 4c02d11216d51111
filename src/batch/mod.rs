//! Batch scoring of an archive: every study under a folder, in parallel
//! across studies (never inside one), in a fixed order, and never a lost
//! study: one that cannot be read becomes an error row, not a stopped run.
//!
//! Progress is reported through a callback; the library draws nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError, TryLockError};

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::io::{describe_groups, parse_study_groups, read_study_in, ReadOptions};
use crate::model::Report;
use crate::pipeline::analyze_study;
use crate::settings::Settings;

mod manifest;
mod merge;
mod output;
mod resume;
mod summary;
mod walk;

pub use manifest::{settings_hash, RunCounts, RunInfo, RunManifest, ShardOf, RUN_JSON, RUN_SCHEMA};
pub use merge::{in_shard, merge};
pub use output::{write_results, Counts, OutputRules, Prepared, ResultsWriter};
use resume::Fnv;
pub use resume::{hash_files, input_hash, Previous};
pub use summary::{relative_path, summary_row, SummaryRow, SUMMARY_COLUMNS};
use walk::is_folder_link;
pub use walk::{find_studies, survey_archive, Archive};

/// The outcome of one study.
#[derive(Debug)]
pub struct BatchItem {
    /// The study's path.
    pub path: PathBuf,
    /// The study's id when its folder held several studies (files whose
    /// `study_id`, `patient_id` or `date` disagree), which were split.
    pub split_id: Option<String>,
    /// Why the folder was split, for the summary.
    pub note: Option<String>,
    /// The content hash of its input files ([`input_hash`]; empty when
    /// they could not be read).
    pub input_hash: String,
    /// Whether the result was re-used from an earlier run (`--resume`).
    pub resumed: bool,
    /// Its report, or the error that stopped it (with file and line).
    pub outcome: std::result::Result<Report, Error>,
}

/// Reads one path and analyses each study in it: usually one item, several
/// when the folder mixes studies.
fn score_path(path: &Path, job: &BatchJob<'_>) -> Vec<BatchItem> {
    let failed = |hash: String, e: Error| {
        vec![BatchItem {
            path: path.to_path_buf(),
            split_id: None,
            note: None,
            input_hash: hash,
            resumed: false,
            outcome: Err(e),
        }]
    };
    // Each file is read once, for its hash and for parsing.
    if walk::is_dangling(path) {
        let why = std::io::Error::other(
            "a symbolic link to nothing (an unmounted share, or a moved folder)",
        );
        return failed(String::new(), Error::io(path, why));
    }
    if is_folder_link(path) {
        let why = std::io::Error::other(
            "a symbolic link to a folder, not followed (a link can loop or score a study twice); give the folder itself as a root",
        );
        return failed(String::new(), Error::io(path, why));
    }
    let (files, folder) = match guarded(path, || read_study_in(path, job.options)) {
        Ok(f) => f,
        Err(e) => return failed(String::new(), e),
    };
    let hash = hash_files(&files, job.options);
    if let Some(items) = job.previous.unchanged(path, &hash, job.settings) {
        return items;
    }
    let groups = match guarded(path, || parse_study_groups(path, &files, job.options)) {
        Ok(g) => g,
        Err(e) => return failed(hash, e),
    };
    drop(files);
    let split = groups.len() > 1;
    let split_note = split.then(|| {
        format!(
            "split into {} studies by study_id/patient_id/date: {}",
            groups.len(),
            describe_groups(&groups)
        )
    });
    let skipped = folder.describe_skipped().map(|s| format!("not read: {s}"));
    let note = match (split_note, skipped) {
        (Some(a), Some(b)) => Some(format!("{a}; {b}")),
        (a, b) => a.or(b),
    };
    groups
        .iter()
        .map(|study| BatchItem {
            path: path.to_path_buf(),
            split_id: split.then(|| study.id.clone()),
            note: note.clone(),
            input_hash: hash.clone(),
            resumed: false,
            outcome: guarded(path, || analyze_study(study, job.settings)),
        })
        .collect()
}

/// Runs `work`, turning a panic into an error of this study, so one bad
/// study never stops the batch.
fn guarded<T>(path: &Path, work: impl FnOnce() -> Result<T>) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        Err(Error::Panicked {
            path: path.to_path_buf(),
            message,
        })
    })
}

/// Progress of a batch, as reported to the callback after each study.
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    /// Studies finished so far.
    pub done: usize,
    /// Studies in the batch.
    pub total: usize,
    /// The study just finished.
    pub path: &'a Path,
    /// Whether it failed.
    pub failed: bool,
}

/// Analyses every study on `threads` worker threads (all cores when
/// `None`), calling `progress` after each. The result is in the order of
/// `studies`, whatever the scheduling.
///
/// # Errors
///
/// [`Error::Settings`] when the worker threads cannot be started.
pub fn run_batch(
    studies: &[PathBuf],
    settings: &Settings,
    options: &ReadOptions,
    threads: Option<usize>,
    progress: &(dyn Fn(Progress<'_>) + Sync),
) -> Result<Vec<BatchItem>> {
    let previous = Previous::default();
    let job = BatchJob {
        settings,
        options,
        threads,
        previous: &previous,
    };
    job.run(studies, progress)
}

/// What every study of a batch is scored with, and on how many threads.
#[derive(Debug, Clone, Copy)]
pub struct BatchJob<'a> {
    /// Thresholds and signal settings.
    pub settings: &'a Settings,
    /// How the files are read.
    pub options: &'a ReadOptions,
    /// Worker threads (all cores when `None`).
    pub threads: Option<usize>,
    /// The results of an earlier run, re-used for every study whose input
    /// files are unchanged (same [`input_hash`]); empty for a fresh run.
    pub previous: &'a Previous,
}

impl BatchJob<'_> {
    /// Scores every study, calling `progress` after each; the result is in
    /// the order of `studies`, whatever the scheduling.
    ///
    /// # Errors
    ///
    /// [`Error::Settings`] when the worker threads cannot be started.
    pub fn run(
        &self,
        studies: &[PathBuf],
        progress: &(dyn Fn(Progress<'_>) + Sync),
    ) -> Result<Vec<BatchItem>> {
        let mut items = Vec::with_capacity(studies.len());
        self.run_each(studies, progress, &|_| (), &mut |item, ()| {
            items.push(item);
            Ok(())
        })?;
        Ok(items)
    }

    /// Scores every study and hands each result to `each` in the order of
    /// `studies` as soon as it and every study before it are done, so a
    /// batch holds only the studies in flight, not the archive.
    /// `prepare` runs on the worker thread that scored the study (render
    /// its output there); `each` runs on the workers too, on one at a time;
    /// `progress` is called after each study.
    ///
    /// # Errors
    ///
    /// [`Error::Settings`] when the worker threads cannot be started;
    /// [`Error::RecordFile`] for a record file with `[muscle]` or `[file]`
    /// sections (they describe one study); the first error of `each`,
    /// after which no further study is started.
    pub fn run_each<T: Send>(
        &self,
        studies: &[PathBuf],
        progress: &(dyn Fn(Progress<'_>) + Sync),
        prepare: &(dyn Fn(&BatchItem) -> T + Sync),
        each: &mut (dyn FnMut(BatchItem, T) -> Result<()> + Send),
    ) -> Result<()> {
        if let Some(record) = &self.options.record {
            record.check_for_batch()?;
        }
        let pool = rayon::ThreadPoolBuilder::new()
            // More threads than studies only costs stacks; 0 is all cores.
            .num_threads(self.threads.map_or(0, |n| n.clamp(1, studies.len().max(1))))
            .build()
            .map_err(|e| Error::Settings {
                path: PathBuf::from("<jobs>"),
                detail: e.to_string(),
            })?;
        let done = AtomicUsize::new(0);
        let mut take = |(item, t): (BatchItem, T)| each(item, t);
        let order = InOrder::new(&mut take);
        // Studies are handed out in order (not split in halves), so the
        // ones finished early wait only for a few in flight.
        pool.install(|| {
            studies
                .iter()
                .enumerate()
                .par_bridge()
                .for_each(|(i, path)| {
                    if order.stop.load(Ordering::Relaxed) {
                        return;
                    }
                    let items = score_path(path, self);
                    let n = done.fetch_add(1, Ordering::SeqCst) + 1;
                    progress(Progress {
                        done: n,
                        total: studies.len(),
                        path,
                        failed: items.iter().any(|i| i.outcome.is_err()),
                    });
                    let ready = items.into_iter().map(|i| {
                        let t = prepare(&i);
                        (i, t)
                    });
                    order.finished(i, ready.collect());
                });
        });
        order.into_result()
    }
}

/// What takes each result in order ([`BatchJob::run_each`]).
type Each<'e, I> = dyn FnMut(I) -> Result<()> + Send + 'e;

/// Hands results to `each` in study order, on the worker thread that finds
/// the next one ready: a writer thread woken for every study cost 2% of a
/// batch in wake-ups alone. On the first error of `each`, sets `stop` and
/// drops the rest.
struct InOrder<'e, I> {
    /// Finished studies not yet handed over, by index.
    waiting: Mutex<BTreeMap<usize, Vec<I>>>,
    /// The study `each` gets next.
    next: AtomicUsize,
    /// `each` and its first error; held by one worker at a time.
    writer: Mutex<(&'e mut Each<'e, I>, Result<()>)>,
    stop: AtomicBool,
}

impl<'e, I> InOrder<'e, I> {
    fn new(each: &'e mut Each<'e, I>) -> Self {
        InOrder {
            waiting: Mutex::new(BTreeMap::new()),
            next: AtomicUsize::new(0),
            writer: Mutex::new((each, Ok(()))),
            stop: AtomicBool::new(false),
        }
    }

    /// Study `i` is done: hands over what is ready, unless another worker
    /// is handing over (it then takes this one too).
    fn finished(&self, i: usize, items: Vec<I>) {
        lock(&self.waiting).insert(i, items);
        self.hand_over();
    }

    fn hand_over(&self) {
        loop {
            let mut writer = match self.writer.try_lock() {
                Ok(writer) => writer,
                Err(TryLockError::WouldBlock) => return,
                Err(TryLockError::Poisoned(e)) => e.into_inner(),
            };
            let (each, result) = &mut *writer;
            loop {
                let next = self.next.load(Ordering::SeqCst);
                let Some(items) = lock(&self.waiting).remove(&next) else {
                    break;
                };
                self.next.store(next + 1, Ordering::SeqCst);
                for item in items {
                    if result.is_ok() {
                        *result = each(item);
                        if result.is_err() {
                            self.stop.store(true, Ordering::Relaxed);
                        }
                    }
                }
            }
            drop(writer);
            // A study that finished while this worker held the writer
            // found it busy and left its result here: take it now. (One
            // finishing after this look finds the writer free.)
            if !lock(&self.waiting).contains_key(&self.next.load(Ordering::SeqCst)) {
                return;
            }
        }
    }

    /// After every study: the first error of `each`, if any.
    fn into_result(self) -> Result<()> {
        // Every study is done, so this hands over all that is left.
        self.hand_over();
        let (_, result) = self
            .writer
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        result
    }
}

/// A lock whose holder panicked still guards whole data here (results are
/// inserted and removed whole).
fn lock<V>(m: &Mutex<V>) -> MutexGuard<'_, V> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The file of all reports of a batch, one JSON document per line.
pub const JSONL: &str = "studies.jsonl";

/// Longest report name (bytes, before `.json`): file systems allow 255.
const MAX_NAME_BYTES: usize = 200;

/// A study's report name, unique and stable: its path under the archive
/// with `%`, separators, `@`, a leading `.` and characters file systems
/// refuse percent-escaped (`site1/p001` is `site1%2Fp001`), then
/// `@<id>` for a study split out of a mixed folder. A name longer than
/// 200 bytes keeps its first 180 and a hash of the whole.
pub fn report_name(root: &Path, item: &BatchItem) -> String {
    let relative = item.path.strip_prefix(root).unwrap_or(&item.path);
    let mut name = String::new();
    for (i, part) in relative.components().enumerate() {
        if i > 0 {
            name.push_str("%2F");
        }
        escape_os(part.as_os_str(), &mut name);
    }
    if name.is_empty() {
        escape_into(&relative.to_string_lossy(), &mut name);
    }
    if let Some(id) = &item.split_id {
        name.push('@');
        escape_into(id, &mut name);
    }
    shorten(name)
}

/// As [`escape_into`], for a name that may not be UTF-8: its invalid
/// bytes written `%XX` (two folders named by bytes 0xFF and 0xFE are two
/// reports, never one `�`).
fn escape_os(part: &std::ffi::OsStr, out: &mut String) {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        for chunk in part.as_bytes().utf8_chunks() {
            escape_into(chunk.valid(), out);
            for b in chunk.invalid() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    #[cfg(not(unix))]
    escape_into(&part.to_string_lossy(), out);
}

fn escape_into(part: &str, out: &mut String) {
    for (i, c) in part.char_indices() {
        let unsafe_char = matches!(
            c,
            '%' | '/' | '\\' | '@' | ':' | '*' | '?' | '"' | '<' | '>' | '|'
        ) || c.is_control()
            || (i == 0 && c == '.');
        if unsafe_char {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
}

fn shorten(name: String) -> String {
    if name.len() <= MAX_NAME_BYTES {
        return name;
    }
    // FNV-1a: a fixed function, so the name is the same on every run.
    let mut fnv = Fnv::new();
    fnv.write(name.as_bytes());
    let hash = fnv.finish();
    let mut cut = MAX_NAME_BYTES - 20;
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    // Never end inside a %XX escape.
    if let Some(p) = name[..cut].rfind('%').filter(|&p| p + 3 > cut) {
        cut = p;
    }
    format!("{}~{hash:016x}", &name[..cut])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicking_study_becomes_an_error_of_that_study() {
        let path = Path::new("archive/p1");
        let out: Result<()> = guarded(path, || panic!("index out of bounds"));
        let e = out.unwrap_err();
        assert!(matches!(e, Error::Panicked { .. }), "{e}");
        assert_eq!(e.kind(), crate::ErrorKind::Internal);
        let text = e.to_string();
        assert!(
            text.contains("archive/p1") && text.contains("index out of bounds"),
            "{text}"
        );
        assert_eq!(guarded(path, || Ok(7)).unwrap(), 7);
    }

    #[test]
    fn a_folder_that_cannot_be_listed_is_one_error_row() {
        // Root reads any folder, so a folder gone between the listing and
        // its reading stands for one without permission (lost+found).
        let mut archive = Archive::default();
        let lost = Path::new("/nonexistent/nmjscope/lost+found");
        walk::collect_dirs(lost, Path::new("/"), &mut archive);
        let found = archive.studies;
        assert_eq!(found, [PathBuf::from("/nonexistent/nmjscope/lost+found")]);
        let (settings, options, previous) = (
            Settings::default(),
            ReadOptions::default(),
            Previous::default(),
        );
        let job = BatchJob {
            settings: &settings,
            options: &options,
            threads: Some(1),
            previous: &previous,
        };
        let items = score_path(&found[0], &job);
        assert_eq!(items.len(), 1);
        let e = items[0].outcome.as_ref().unwrap_err();
        assert!(e.to_string().contains("lost+found"), "{e}");
    }

    fn item(path: &str, split_id: Option<&str>) -> BatchItem {
        BatchItem {
            path: PathBuf::from(path),
            split_id: split_id.map(String::from),
            note: None,
            input_hash: String::new(),
            resumed: false,
            outcome: Err(Error::EmptyStudy {
                path: PathBuf::from(path),
            }),
        }
    }

    #[cfg(unix)]
    #[test]
    fn folders_named_by_invalid_bytes_have_reports_of_their_own() {
        use std::os::unix::ffi::OsStrExt;
        let root = Path::new("/a");
        let at = |b: &[u8]| {
            let path = root.join(std::ffi::OsStr::from_bytes(b));
            let mut it = item("", None);
            it.path = path;
            report_name(root, &it)
        };
        assert_ne!(at(b"\xff"), at(b"\xfe"));
        assert_eq!(at(b"p\xff1"), "p%FF1");
    }

    #[test]
    fn report_names_are_unique_stable_and_short() {
        let root = Path::new("/a");
        let name = |p: &str, id: Option<&str>| report_name(root, &item(p, id));
        let names = [
            name("/a/patient.001", None),
            name("/a/patient.002", None),
            name("/a/x", None),
            name("/a/x.csv", None),
            name("/a/b/c", None),
            name("/a/b__c", None),
            name("/a/b%2Fc", None),
            name("/a/m", Some("s1")),
            name("/a/m@s1", None),
        ];
        let mut unique = names.to_vec();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "{names:?}");
        assert_eq!(names[4], "b%2Fc");
        assert_eq!(names[7], "m@s1");
        let long = format!("/a/{}/{}", "é".repeat(150), "z".repeat(150));
        let short = name(&long, None);
        assert!(short.len() <= MAX_NAME_BYTES, "{}", short.len());
        assert_eq!(short, name(&long, None), "stable");
        assert_ne!(short, name(&format!("{long}y"), None));
    }
}

#[cfg(test)]
mod shard_tests {
    use super::*;

    #[test]
    fn shards_partition_the_archive_and_stay_put() {
        let root = Path::new("/archive");
        let paths: Vec<PathBuf> = (0..200).map(|i| root.join(format!("p{i}"))).collect();
        let n = 7;
        let mut counts = vec![0; n as usize];
        for p in &paths {
            let owners: Vec<u32> = (0..n).filter(|&i| in_shard(root, p, (i, n))).collect();
            assert_eq!(owners.len(), 1, "{}", p.display());
            counts[owners[0] as usize] += 1;
        }
        // A hash spreads 200 studies over 7 shards: none empty, none double.
        assert!(counts.iter().all(|&c| (10..=50).contains(&c)), "{counts:?}");
        // The same study, the same shard, whatever else is in the archive.
        assert!(in_shard(root, &paths[3], (0, 1)));
    }

    #[test]
    fn every_result_is_handed_over_once_in_order() {
        // Four threads finishing 3,000 studies out of order, the slower
        // ones by a seeded few microseconds of spinning.
        let total = 3_000;
        let mut got = Vec::new();
        let mut each = |i: usize| {
            got.push(i);
            Ok(())
        };
        let order = InOrder::new(&mut each);
        let claimed = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| loop {
                    let i = claimed.fetch_add(1, Ordering::SeqCst);
                    if i >= total {
                        return;
                    }
                    let spin = (i * 7919) % 13 * 50;
                    (0..spin).for_each(|k| {
                        std::hint::black_box(k);
                    });
                    order.finished(i, vec![i]);
                });
            }
        });
        order.into_result().unwrap();
        assert_eq!(got, (0..total).collect::<Vec<_>>());
    }

    #[test]
    fn the_first_failed_hand_over_stops_the_rest() {
        let mut got = Vec::new();
        let mut each = |i: usize| {
            got.push(i);
            if i == 5 {
                return Err(Error::io(
                    Path::new("out/summary.csv"),
                    std::io::Error::other("full"),
                ));
            }
            Ok(())
        };
        let order = InOrder::new(&mut each);
        for i in (0..10).rev() {
            order.finished(i, vec![i]);
        }
        assert!(order.stop.load(Ordering::SeqCst));
        assert!(order.into_result().is_err());
        assert_eq!(got, [0, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn input_hashes_change_with_content_and_names() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.csv"), b"1").unwrap();
        let h1 = input_hash(dir.path(), &ReadOptions::default()).unwrap();
        assert_eq!(h1, input_hash(dir.path(), &ReadOptions::default()).unwrap());
        std::fs::write(dir.path().join("a.csv"), b"2").unwrap();
        let h2 = input_hash(dir.path(), &ReadOptions::default()).unwrap();
        assert_ne!(h1, h2);
        std::fs::rename(dir.path().join("a.csv"), dir.path().join("b.csv")).unwrap();
        let h3 = input_hash(dir.path(), &ReadOptions::default()).unwrap();
        assert_ne!(h2, h3);
        // Other read options, another input.
        let mut options = ReadOptions::default();
        options.overrides.supramaximal = Some(false);
        assert_ne!(h3, input_hash(dir.path(), &options).unwrap());
    }
}
