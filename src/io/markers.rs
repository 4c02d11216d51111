//! Markers set by hand: a test's `<file>.markers.toml` sidecar
//! (`docs/markers.md`), found beside it by every reader of a study or a
//! file. Read and checked alone ([`parse_markers`]: keys, types, who and
//! when, the order of the marks), then against the test it belongs to
//! ([`check_markers`]: the response exists, once, and every mark lies
//! inside its sweep). Every refusal is one line naming the file and line
//! ([`Error::MarkersFile`]).

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::error::{Error, Location, Result};
use crate::model::{MarkEntry, Markers, Recording, ResponseLabel, ResponseRef};

/// What a sidecar's name ends with, after its test's file name.
pub const MARKERS_SUFFIX: &str = ".markers.toml";

/// Fewest samples a baseline window set by hand may hold: its level is
/// their median, and the median of fewer is one sample's noise.
const MIN_BASELINE_SAMPLES: usize = 3;

/// Longest text kept from `by`, `at` and `excluded`.
const MAX_TEXT_CHARS: usize = 200;

/// The sidecar of a test file: `<file name>.markers.toml` beside it.
pub fn markers_path(test: &Path) -> PathBuf {
    let mut name = test.file_name().unwrap_or(test.as_os_str()).to_os_string();
    name.push(MARKERS_SUFFIX);
    test.with_file_name(name)
}

/// Whether a path names a markers sidecar.
pub fn is_markers_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.len() > MARKERS_SUFFIX.len() && n.ends_with(MARKERS_SUFFIX))
}

/// The test file name a sidecar belongs to (`1_rns_3hz.csv`).
pub fn markers_test_name(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    name.strip_suffix(MARKERS_SUFFIX).map(str::to_string)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    response: Vec<Spanned<RawEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    response: Option<Spanned<toml::Value>>,
    onset_ms: Option<Spanned<f64>>,
    negative_peak_ms: Option<Spanned<f64>>,
    end_ms: Option<Spanned<f64>>,
    baseline_ms: Option<Spanned<Vec<f64>>>,
    excluded: Option<Spanned<String>>,
    by: Option<Spanned<String>>,
    at: Option<Spanned<toml::Value>>,
}

/// Reads and checks a sidecar's text alone; `path` names it.
///
/// # Errors
///
/// [`Error::MarkersFile`] naming the line: TOML that does not parse, an
/// unknown key, an entry without `response`, `by` or `at`, a mark that is
/// not a finite number, a negative peak before its onset, an end before
/// its peak (or onset), `excluded` together with marks, an entry that sets
/// nothing.
pub fn parse_markers(path: &Path, text: &str) -> Result<Markers> {
    let line = |offset: usize| super::toml_text::line_at(text, offset);
    let raw: Raw = super::toml_text::parse(path, text)
        .map_err(|(at, detail)| Error::MarkersFile { at, detail })?;
    let bad = |offset: usize, detail: String| Error::MarkersFile {
        at: Location::line(path, line(offset)),
        detail,
    };
    let mut entries = Vec::with_capacity(raw.response.len());
    for spanned in &raw.response {
        let at_entry = spanned.span().start;
        let e = spanned.get_ref();
        let response = match &e.response {
            None => {
                return Err(bad(
                    at_entry,
                    "an entry without `response` (its number or label)".into(),
                ))
            }
            Some(v) => response_ref(v.get_ref()).map_err(|d| bad(v.span().start, d))?,
        };
        let mark = |m: &Option<Spanned<f64>>, key: &str| -> Result<Option<f64>> {
            match m {
                Some(v) if !v.get_ref().is_finite() => Err(bad(
                    v.span().start,
                    format!("`{key}` is not a finite number"),
                )),
                Some(v) => Ok(Some(*v.get_ref())),
                None => Ok(None),
            }
        };
        let entry = MarkEntry {
            response,
            line: line(at_entry),
            onset_ms: mark(&e.onset_ms, "onset_ms")?,
            negative_peak_ms: mark(&e.negative_peak_ms, "negative_peak_ms")?,
            end_ms: mark(&e.end_ms, "end_ms")?,
            baseline_ms: e
                .baseline_ms
                .as_ref()
                .map(|v| window(v.get_ref()).map_err(|d| bad(v.span().start, d)))
                .transpose()?,
            excluded: e
                .excluded
                .as_ref()
                .map(|v| text_value(v.get_ref(), "excluded").map_err(|d| bad(v.span().start, d)))
                .transpose()?,
            by: match &e.by {
                None => {
                    return Err(bad(
                        at_entry,
                        "an entry without `by` (who set its markers)".into(),
                    ))
                }
                Some(v) => text_value(v.get_ref(), "by").map_err(|d| bad(v.span().start, d))?,
            },
            at: match &e.at {
                None => {
                    return Err(bad(
                        at_entry,
                        "an entry without `at` (when its markers were set)".into(),
                    ))
                }
                Some(v) => when(v.get_ref()).map_err(|d| bad(v.span().start, d))?,
            },
        };
        order(&entry).map_err(|d| bad(at_entry, d))?;
        entries.push(entry);
    }
    Ok(Markers {
        file: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string()),
        hash: format!("{:016x}", xxhash_rust::xxh3::xxh3_64(text.as_bytes())),
        entries,
    })
}

/// `baseline_ms = [start, end]`: two finite times, the start first.
fn window(v: &[f64]) -> std::result::Result<[f64; 2], String> {
    match v {
        [a, b] if a.is_finite() && b.is_finite() && a < b => Ok([*a, *b]),
        [a, b] if a.is_finite() && b.is_finite() => Err(format!(
            "baseline_ms = [{}, {}]: the window's start comes first",
            crate::words::number(*a),
            crate::words::number(*b)
        )),
        _ => Err("`baseline_ms` is a window of two times in ms, [start, end]".into()),
    }
}

/// `response = 3` or `response = "pre"`.
fn response_ref(v: &toml::Value) -> std::result::Result<ResponseRef, String> {
    match v {
        toml::Value::Integer(n) if *n >= 1 => Ok(ResponseRef::Number(
            usize::try_from(*n).map_err(|_| format!("response {n} does not exist"))?,
        )),
        toml::Value::Integer(n) => Err(format!(
            "response {n}: responses are numbered from 1 in the file's order"
        )),
        toml::Value::String(s) if !s.trim().is_empty() => {
            Ok(ResponseRef::Label(ResponseLabel::parse(s)))
        }
        _ => {
            Err("`response` is a number (1 for the first) or a label (\"pre\", \"post_0s\")".into())
        }
    }
}

/// Text of `by` or `excluded`: not empty, one line, not too long.
fn text_value(s: &str, key: &str) -> std::result::Result<String, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err(format!("`{key}` is empty"));
    }
    if t.chars().any(char::is_control) {
        return Err(format!(
            "`{key}` holds a control character (a line break, a tab or a terminal escape): give it as plain text"
        ));
    }
    if t.chars().count() > MAX_TEXT_CHARS {
        return Err(format!(
            "`{key}` is longer than {MAX_TEXT_CHARS} characters"
        ));
    }
    Ok(t.to_string())
}

/// `at`: a TOML date-time or a text (`"2026-12-07T10:15"`).
fn when(v: &toml::Value) -> std::result::Result<String, String> {
    match v {
        toml::Value::Datetime(d) => Ok(d.to_string()),
        toml::Value::String(s) => text_value(s, "at"),
        _ => Err("`at` is a date and time (\"2026-12-07T10:15\")".into()),
    }
}

/// The marks of one entry in their order, and an exclusion alone.
fn order(e: &MarkEntry) -> std::result::Result<(), String> {
    let marked = !e.marks().is_empty();
    if e.excluded.is_some() && marked {
        return Err(
            "an excluded response has no markers: give `excluded` or marks, not both".into(),
        );
    }
    if e.excluded.is_none() && !marked {
        return Err(
            "the entry sets nothing: give onset_ms, negative_peak_ms, end_ms, baseline_ms or excluded"
                .into(),
        );
    }
    let ms = crate::words::number;
    if let (Some(o), Some(p)) = (e.onset_ms, e.negative_peak_ms) {
        if p <= o {
            return Err(format!(
                "the negative peak ({} ms) is not after its onset ({} ms)",
                ms(p),
                ms(o)
            ));
        }
    }
    let before_end = e
        .negative_peak_ms
        .map(|p| (p, "peak"))
        .or(e.onset_ms.map(|o| (o, "onset")));
    if let (Some((b, what)), Some(end)) = (before_end, e.end_ms) {
        if end <= b {
            return Err(format!(
                "the end ({} ms) is not after its {what} ({} ms)",
                ms(end),
                ms(b)
            ));
        }
    }
    Ok(())
}

/// Checks a sidecar against the test it belongs to: each response exists
/// and is named once, and every mark lies inside its sweep.
///
/// # Errors
///
/// [`Error::MarkersFile`] naming the entry's line.
pub fn check_markers(path: &Path, markers: &Markers, recording: &Recording) -> Result<()> {
    let n = recording.n_responses();
    let first = recording.t0_ms;
    let last = recording.time_ms(recording.sweep_len().saturating_sub(1));
    let mut seen: Vec<(usize, u64)> = Vec::new();
    let bad = |line: u64, detail: String| Error::MarkersFile {
        at: Location::line(path, line),
        detail,
    };
    for e in &markers.entries {
        let index = match &e.response {
            ResponseRef::Number(k) if *k <= n => k - 1,
            ResponseRef::Number(k) => {
                return Err(bad(
                    e.line,
                    format!(
                        "response {k} does not exist: {} has {n}",
                        recording.source.file_name
                    ),
                ))
            }
            ResponseRef::Label(l) => {
                recording
                    .labels
                    .iter()
                    .position(|x| x == l)
                    .ok_or_else(|| {
                        bad(
                            e.line,
                            format!(
                                "no response is labelled \"{l}\" in {}",
                                recording.source.file_name
                            ),
                        )
                    })?
            }
        };
        if let Some((_, earlier)) = seen.iter().find(|(i, _)| *i == index) {
            return Err(bad(
                e.line,
                format!(
                    "response {} has an entry already, at line {earlier}",
                    index + 1
                ),
            ));
        }
        seen.push((index, e.line));
        if let Some([a, b]) = e.baseline_ms {
            if (b - a) / recording.dt_ms() < (MIN_BASELINE_SAMPLES - 1) as f64 {
                return Err(bad(
                    e.line,
                    format!(
                        "baseline_ms = [{}, {}] holds fewer than {MIN_BASELINE_SAMPLES} samples",
                        crate::words::number(a),
                        crate::words::number(b)
                    ),
                ));
            }
        }
        for (v, key) in [
            (e.onset_ms, "onset_ms"),
            (e.negative_peak_ms, "negative_peak_ms"),
            (e.end_ms, "end_ms"),
            (e.baseline_ms.map(|w| w[0]), "baseline_ms"),
            (e.baseline_ms.map(|w| w[1]), "baseline_ms"),
        ] {
            if let Some(t) = v.filter(|t| *t < first || *t > last) {
                return Err(bad(
                    e.line,
                    format!(
                        "{key} = {} lies outside the sweep ({} to {} ms)",
                        crate::words::number(t),
                        crate::words::number(first),
                        crate::words::number(last)
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Reads the sidecars among a study's files and sets each on its test.
///
/// # Errors
///
/// [`Error::MarkersFile`] for a sidecar that is not UTF-8, is refused by
/// [`parse_markers`] or [`check_markers`], or belongs to no test read.
pub(crate) fn attach(sidecars: &[&(PathBuf, Vec<u8>)], tests: &mut [Recording]) -> Result<()> {
    for (path, bytes) in sidecars.iter().map(|f| (&f.0, &f.1)) {
        let text = std::str::from_utf8(bytes).map_err(|_| Error::MarkersFile {
            at: Location::file(path),
            detail: "not UTF-8 text".to_string(),
        })?;
        let markers = parse_markers(path, text)?;
        let name = markers_test_name(path).unwrap_or_default();
        let Some(k) = tests.iter().position(|t| t.source.file_name == name) else {
            return Err(Error::MarkersFile {
                at: Location::file(path),
                detail: format!(
                    "no test file {name} was read beside it; a markers file is named after its test ({})",
                    test_names(tests)
                ),
            });
        };
        let test = &mut tests[k];
        check_markers(path, &markers, test)?;
        test.markers = Some(markers);
    }
    Ok(())
}

/// A folder of markers files kept apart from the recordings (`--markers
/// DIR`, Python's `markers=`): it mirrors the folder read, so the sidecar
/// of `ROOT/a/1_rns_3hz.csv` is `DIR/a/1_rns_3hz.csv.markers.toml`. One
/// found there is used in place of the one beside the test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkersDir {
    /// The folder of markers files.
    pub dir: PathBuf,
    /// The folder its layout mirrors: the study or archive read (a single
    /// file's own folder).
    pub root: PathBuf,
    /// A study's markers folder (`analyze --markers DIR`) must hold some
    /// for it: one that holds none was given wrong (the archive's layout,
    /// another study's folder). An archive's may hold none for a study.
    pub strict: bool,
}

impl MarkersDir {
    /// Markers in `dir` for the study read at `path` (a folder, or a file:
    /// its folder is the root); the folder must hold some for it.
    pub fn for_study(dir: &Path, path: &Path) -> MarkersDir {
        MarkersDir {
            strict: true,
            ..MarkersDir::new(dir, path)
        }
    }

    /// Markers in `dir`, laid out as the archive at `root`; a study may
    /// have none there.
    pub fn for_archive(dir: &Path, root: &Path) -> MarkersDir {
        MarkersDir::new(dir, root)
    }

    fn new(dir: &Path, path: &Path) -> MarkersDir {
        let root = if path.is_dir() {
            path.to_path_buf()
        } else {
            path.parent().map(Path::to_path_buf).unwrap_or_default()
        };
        MarkersDir {
            dir: dir.to_path_buf(),
            root,
            strict: false,
        }
    }

    /// Where the sidecar of `test` (a path under the root) would be.
    pub fn sidecar_for(&self, test: &Path) -> Option<PathBuf> {
        let rel = test.strip_prefix(&self.root).ok()?;
        (!rel.as_os_str().is_empty()).then(|| markers_path(&self.dir.join(rel)))
    }

    /// The mirror of the study folder `folder` (a folder under the root).
    fn mirror_of(&self, folder: &Path) -> Option<PathBuf> {
        let rel = folder.strip_prefix(&self.root).ok()?;
        Some(self.dir.join(rel))
    }
}

/// The markers files of a study folder: every one in it (`found`), and
/// every one in its mirror in the markers folder, which replaces the one
/// of the same name beside the tests. Each is later matched to its test by
/// name ([`attach`]), and one that names no test is refused: a misspelt
/// file, or one named after a CFWB sweep rather than its series, is never
/// passed over.
///
/// # Errors
///
/// [`Error::Io`] or [`Error::TooLarge`] for one that cannot be read, or a
/// mirror folder that cannot be listed.
pub(crate) fn folder_sidecars(
    folder: &Path,
    found: &[PathBuf],
    dir: Option<&MarkersDir>,
) -> Result<Vec<(PathBuf, Vec<u8>)>> {
    let mut given: Vec<PathBuf> = Vec::new();
    if let Some(d) = dir {
        let mirror = d.mirror_of(folder).unwrap_or_default();
        if mirror.is_dir() {
            for entry in std::fs::read_dir(&mirror).map_err(|e| Error::io(&mirror, e))? {
                let p = entry.map_err(|e| Error::io(&mirror, e))?.path();
                if is_markers_file(&p) {
                    given.push(p);
                }
            }
            given.sort();
        }
        if d.strict && given.is_empty() {
            return Err(Error::MarkersFile {
                at: Location::file(&mirror),
                detail: format!(
                    "no markers file here for the tests of {} (<file>{MARKERS_SUFFIX}, laid out as the study)",
                    folder.display()
                ),
            });
        }
    }
    let replaced = |p: &PathBuf| given.iter().any(|g| g.file_name() == p.file_name());
    let beside = found.iter().filter(|p| !replaced(p)).cloned();
    given
        .clone()
        .into_iter()
        .chain(beside)
        .map(|p| read_regular(&p).map(|bytes| (p, bytes)))
        .collect()
}

/// A markers file's bytes: a regular file only. A link is refused, not
/// followed: it could bring another study's marks without a word.
fn read_regular(path: &Path) -> Result<Vec<u8>> {
    let meta = std::fs::symlink_metadata(path).map_err(|e| Error::io(path, e))?;
    if !meta.is_file() {
        let what = if meta.file_type().is_symlink() {
            "a symbolic link"
        } else {
            "not a regular file"
        };
        return Err(Error::MarkersFile {
            at: Location::file(path),
            detail: format!("{what}: a markers file is read only as a regular file beside its test (copy it there)"),
        });
    }
    super::read::text::read_bounded(path)
}

/// The tests' names as the report gives them, for a refusal: the first
/// few, `<file>.markers.toml` names one of them.
fn test_names(tests: &[Recording]) -> String {
    const SHOWN: usize = 4;
    let mut names: Vec<String> = tests
        .iter()
        .take(SHOWN)
        .map(|t| format!("{}{MARKERS_SUFFIX}", t.source.file_name))
        .collect();
    if tests.len() > SHOWN {
        names.push(format!("and {} more", tests.len() - SHOWN));
    }
    names.join(", ")
}

/// The sidecar of each test file that has one (a regular file, never a
/// link), read: from the markers folder when one is given and holds it,
/// else from beside the test.
///
/// # Errors
///
/// [`Error::Io`] or [`Error::TooLarge`] for a sidecar that cannot be read.
pub(crate) fn read_sidecars(
    tests: &[PathBuf],
    dir: Option<&MarkersDir>,
) -> Result<Vec<(PathBuf, Vec<u8>)>> {
    let exists = |p: &Path| std::fs::symlink_metadata(p).is_ok();
    let mut out = Vec::new();
    for t in tests {
        let given = dir.and_then(|d| d.sidecar_for(t)).filter(|p| exists(p));
        if let (Some(d), None) = (dir.filter(|d| d.strict), &given) {
            let at = d.sidecar_for(t).unwrap_or_else(|| d.dir.clone());
            return Err(Error::MarkersFile {
                detail: format!("no markers file for {} in {}", t.display(), d.dir.display()),
                at: Location::file(&at),
            });
        }
        let p = given.unwrap_or_else(|| markers_path(t));
        if exists(&p) {
            out.push((p.clone(), read_regular(&p)?));
        }
    }
    Ok(out)
}

/// Sets the markers of `file` (any name) on the one test of `study`, in
/// place of those beside it (`analyze FILE --markers OTHER.toml`).
///
/// # Errors
///
/// [`Error::MarkersFile`] when the study holds more than one test, or the
/// file is refused by [`parse_markers`] or [`check_markers`]; [`Error::Io`]
/// when it cannot be read.
pub fn apply_markers_file(file: &Path, study: &mut crate::model::Study) -> Result<()> {
    let bytes = read_regular(file)?;
    let n = study.tests.len();
    let [test] = study.tests.as_mut_slice() else {
        return Err(Error::MarkersFile {
            at: Location::file(file),
            detail: format!(
                "a markers file gives the markers of one test, and {} holds {n}: give a folder of <file>{MARKERS_SUFFIX} files",
                study.path.display()
            ),
        });
    };
    let text = std::str::from_utf8(&bytes).map_err(|_| Error::MarkersFile {
        at: Location::file(file),
        detail: "not UTF-8 text".to_string(),
    })?;
    let markers = parse_markers(file, text)?;
    check_markers(file, &markers, test)?;
    test.markers = Some(markers);
    Ok(())
}

/// The signature line of a markers file `nmjscope markers` writes.
pub const MARKERS_SIGNATURE: &str = "# generator: nmjscope markers";

/// The automatic markers of a measured test in the sidecar format, as a
/// starting point (`nmjscope markers`): one entry per response, commented
/// out, so the file changes nothing until a person uncomments an entry,
/// moves its marks and says who and when. A response already marked by
/// hand shows its automatic values.
pub fn automatic_markers_toml(test: &crate::model::TestMeasures) -> String {
    use std::fmt::Write;
    let ms = |v: Option<f64>| v.map(|t| format!("{:.3}", t));
    let mut s = format!(
        "# markers for {}: the automatic ones, each entry commented out;\n# uncomment one, move its marks (or give `excluded = \"reason\"` alone),\n# and say who and when (docs/markers.md)\n{MARKERS_SIGNATURE}\n",
        test.file
    );
    for (i, r) in test.responses.iter().enumerate() {
        let (onset, peak, end) = match &r.manual {
            Some(m) => (
                m.automatic_onset_ms,
                m.automatic_negative_peak_ms,
                m.automatic_end_ms,
            ),
            None => (
                r.onset_ms,
                r.negative_peak_ms,
                r.onset_ms.zip(r.duration_ms).map(|(o, d)| o + d),
            ),
        };
        // A train's responses by number (a train is measured in the
        // file's order); others by label (`pre` is measured first).
        let number = match &r.label {
            ResponseLabel::Train(_) => (i + 1).to_string(),
            other => format!("\"{other}\""),
        };
        let _ = write!(s, "\n# [[response]]\n# response = {number}\n");
        for (key, v) in [
            ("onset_ms", onset),
            ("negative_peak_ms", peak),
            ("end_ms", end),
        ] {
            match ms(v) {
                Some(t) => {
                    let _ = writeln!(s, "# {key} = {t}");
                }
                None => {
                    let _ = writeln!(s, "# ({key}: none found)");
                }
            }
        }
        s.push_str("# by = \"\"\n# at = \"\"\n");
    }
    s
}

/// Writes the automatic markers `text` ([`automatic_markers_toml`]) to
/// `path`, replacing only a file this command wrote (its signature line)
/// that still holds no entry: one that holds an entry in any TOML form
/// (`[[response]]`, `[[ response ]]`, an inline array), or no longer reads
/// as a markers file, is a person's work and is kept.
///
/// # Errors
///
/// [`Error::OutputNotOurs`] for a file it must not replace; what
/// [`super::fs::write_own_file`] refuses; [`Error::Io`].
#[cfg(feature = "native")]
pub fn write_automatic_markers(path: &Path, text: &str) -> Result<()> {
    if let Ok(old) = std::fs::read_to_string(path) {
        let refuse = |detail: String| Error::OutputNotOurs {
            path: path.to_path_buf(),
            detail,
        };
        match parse_markers(path, &old) {
            Ok(m) if !m.entries.is_empty() => {
                return Err(refuse(format!(
                    "it holds markers set by hand ({} entries): not replaced",
                    m.entries.len()
                )))
            }
            Err(e) => {
                return Err(refuse(format!(
                    "it does not read as a markers file as written ({e}): not replaced"
                )))
            }
            Ok(_) => {}
        }
    }
    super::fs::write_own_file(path, text.as_bytes(), MARKERS_SIGNATURE)
}

/// Markers set by hand in the sidecar format, for a page or a script
/// that edits them (the web page's marker editor): one entry per
/// response, times written in full so that the file reads back to the
/// same marks.
pub fn markers_toml(test_file: &str, entries: &[MarkEntry]) -> String {
    use std::fmt::Write;
    let mut s = format!("# markers for {test_file} (docs/markers.md)\n");
    for e in entries {
        let response = match &e.response {
            ResponseRef::Number(n) => n.to_string(),
            ResponseRef::Label(l) => quoted(&l.to_string()),
        };
        let _ = write!(s, "\n[[response]]\nresponse = {response}\n");
        for (key, v) in [
            ("onset_ms", e.onset_ms),
            ("negative_peak_ms", e.negative_peak_ms),
            ("end_ms", e.end_ms),
        ] {
            if let Some(t) = v {
                let _ = writeln!(s, "{key} = {t:?}");
            }
        }
        if let Some([a, b]) = e.baseline_ms {
            let _ = writeln!(s, "baseline_ms = [{a:?}, {b:?}]");
        }
        if let Some(reason) = &e.excluded {
            let _ = writeln!(s, "excluded = {}", quoted(reason));
        }
        let _ = writeln!(s, "by = {}\nat = {}", quoted(&e.by), quoted(&e.at));
    }
    s
}

/// A TOML basic string.
fn quoted(text: &str) -> String {
    let mut s = String::with_capacity(text.len() + 2);
    s.push('"');
    for c in text.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            c if c.is_control() => s.push_str(&format!("\\u{:04X}", c as u32)),
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> std::result::Result<Markers, String> {
        parse_markers(Path::new("a.csv.markers.toml"), text).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_numbers_labels_and_dates() {
        let m = parse(
            "[[response]]\nresponse = \"pre\"\nnegative_peak_ms = 6\nend_ms = 9.5\nby = \"KH\"\nat = 2026-12-07T10:15:00\n\n[[response]]\nresponse = 3\nexcluded = \" noise \"\nby = \"KH\"\nat = \"2026-12-07\"\n",
        )
        .unwrap();
        assert_eq!(m.entries.len(), 2);
        let (a, b) = (&m.entries[0], &m.entries[1]);
        assert_eq!(a.response, ResponseRef::Label(ResponseLabel::Pre));
        assert_eq!(a.negative_peak_ms, Some(6.0));
        assert_eq!(
            a.marks(),
            vec![crate::model::Mark::NegativePeak, crate::model::Mark::End]
        );
        assert_eq!(a.at, "2026-12-07T10:15:00");
        assert_eq!((b.line, b.excluded.as_deref()), (8, Some("noise")));
        assert_eq!(m.hash.len(), 16);
        assert_eq!(
            markers_test_name(&markers_path(Path::new("/x/1.csv"))).as_deref(),
            Some("1.csv")
        );
        assert!(!is_markers_file(Path::new(".markers.toml")));
    }

    #[test]
    fn refuses_marks_out_of_order_and_entries_that_say_nothing() {
        for (text, what) in [
            ("[[response]]\nresponse = 1\nonset_ms = 4\nend_ms = 3\nby = \"K\"\nat = \"x\"\n", "line 1: the end (3 ms) is not after its onset (4 ms)"),
            ("[[response]]\nresponse = 1\nnegative_peak_ms = 6\nend_ms = 6\nby = \"K\"\nat = \"x\"\n", "the end (6 ms) is not after its peak (6 ms)"),
            ("[[response]]\nresponse = 1\nby = \"K\"\nat = \"x\"\n", "the entry sets nothing"),
            ("[[response]]\nresponse = 0\nonset_ms = 3\nby = \"K\"\nat = \"x\"\n", "line 2: response 0: responses are numbered from 1"),
            ("[[response]]\nonset_ms = 3\nby = \"K\"\nat = \"x\"\n", "an entry without `response`"),
            ("[[response]]\nresponse = 1\nonset_ms = 3\nby = \"  \"\nat = \"x\"\n", "line 4: `by` is empty"),
            ("[[response]]\nresponse = 1\nonset_ms = nan\nby = \"K\"\nat = \"x\"\n", "line 3: `onset_ms` is not a finite number"),
            ("[study]\nx = 1\n", "line 1: unknown field `study`"),
        ] {
            let err = parse(text).unwrap_err();
            assert!(err.starts_with("a.csv.markers.toml, line ") && err.contains(what), "{err}");
        }
    }
}
