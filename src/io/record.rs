//! The record file (`--record FILE.toml`, the read option `record`): record
//! values for the whole study, for one muscle's tests or for one file,
//! where a flag gives one value to every file (a bilateral study's sides).
//!
//! Read and checked alone once ([`RecordFile::read`]: sections, keys,
//! value types, text, dates); applied where each file's metadata is
//! assembled (`io/read/assemble.rs`), whose checks its values pass as a
//! file's own do; checked against what was read ([`RecordFile::check_used`]):
//! a section that matches nothing is refused, since a silent no-op would
//! leave the study described wrong. Precedence, most specific first:
//! `[file."name"]`, `[muscle.NAME]`, `[study]` or a flag, the file's own
//! metadata (`docs/formats.md`, "Record file").

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::error::{Error, Location, Result};
use crate::io::plausible::{date_problem, MAX_METADATA_CHARS};
use crate::model::{muscle_side_key, Recording};

/// What a record key holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Text (a string).
    Text,
    /// A number (checked against its range where it is applied).
    Number,
    /// `true`/`false` or `"yes"`/`"no"`.
    YesNo,
    /// A whole number.
    Whole,
    /// A date, `"YYYY-MM-DD"` or a bare TOML date.
    Date,
}

/// The keys a record file may set: those the record flags set, and the
/// repeat number, exercise phase and study date.
const RECORD_KEYS: &[(&str, Kind)] = &[
    ("side", Kind::Text),
    ("temperature_c", Kind::Number),
    ("muscle", Kind::Text),
    ("nerve", Kind::Text),
    ("examiner", Kind::Text),
    ("indication", Kind::Text),
    ("medication", Kind::Text),
    ("stim_intensity_ma", Kind::Number),
    ("stim_duration_ms", Kind::Number),
    ("supramaximal", Kind::YesNo),
    ("pyridostigmine_last_dose_h", Kind::Number),
    ("exercise_s", Kind::Number),
    ("stim_rate_hz", Kind::Number),
    ("exercise_phase", Kind::Text),
    ("train", Kind::Whole),
    ("date", Kind::Date),
];

/// Whether `key` is one the record sets (a flag, or a record file's key).
pub(crate) fn is_record_key(key: &str) -> bool {
    RECORD_KEYS.iter().any(|(k, _)| *k == key)
}

/// Largest record file read (bytes): a study's record is a few lines.
const MAX_RECORD_BYTES: u64 = 1 << 20;

/// A record file, read and checked alone.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecordFile {
    /// The file, for messages.
    pub path: PathBuf,
    /// `[study]`: every file.
    pub study: Vec<RecordValue>,
    /// `[muscle.NAME]`: the tests of one muscle (its canonical name).
    pub muscles: Vec<RecordSection>,
    /// `[file."name"]`: one file, by its name in the study folder.
    pub files: Vec<RecordSection>,
}

/// A `[muscle.NAME]` or `[file."name"]` section.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordSection {
    /// The name as written.
    pub name: String,
    /// The line of its name.
    pub line: u64,
    /// Its values.
    pub values: Vec<RecordValue>,
}

/// One value, as the metadata holds it (`yes`, `33.5`, `left`).
#[derive(Debug, Clone, PartialEq)]
pub struct RecordValue {
    /// The metadata key.
    pub key: &'static str,
    /// The value.
    pub value: String,
    /// Its line in the record file.
    pub line: u64,
}

type Table = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

/// The file as TOML lays it out, every name and value with its place.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    study: Option<Table>,
    #[serde(default)]
    muscle: BTreeMap<Spanned<String>, Table>,
    #[serde(default)]
    file: BTreeMap<Spanned<String>, Table>,
}

impl RecordFile {
    /// Reads and checks a record file.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when it cannot be read; [`Error::RecordFile`] naming
    /// its line for TOML that does not parse, an unknown section or key, a
    /// value of the wrong type, text too long or a date that is none, a
    /// muscle section naming its muscle twice or renaming it.
    pub fn read(path: &Path) -> Result<RecordFile> {
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let mut text = String::new();
        let read = std::io::Read::read_to_string(
            &mut std::io::Read::take(file, MAX_RECORD_BYTES + 1),
            &mut text,
        );
        match read {
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => Err(Error::RecordFile {
                at: Location::file(path),
                detail: "not UTF-8 text".to_string(),
            }),
            Err(e) => Err(Error::io(path, e)),
            Ok(n) if n as u64 > MAX_RECORD_BYTES => Err(Error::RecordFile {
                at: Location::file(path),
                detail: format!("over {MAX_RECORD_BYTES} bytes; a record file is a few lines"),
            }),
            Ok(_) => RecordFile::parse(path, &text),
        }
    }

    /// Checks a record file's text; `path` names it.
    ///
    /// # Errors
    ///
    /// As [`RecordFile::read`].
    pub fn parse(path: &Path, text: &str) -> Result<RecordFile> {
        let line = |offset: usize| super::toml_text::line_at(text, offset);
        let raw: Raw = super::toml_text::parse(path, text)
            .map_err(|(at, detail)| Error::RecordFile { at, detail })?;
        let bad = |offset: usize, detail: String| Error::RecordFile {
            at: Location::line(path, line(offset)),
            detail,
        };
        let values = |table: &Table| -> Result<Vec<RecordValue>> {
            let mut out = Vec::new();
            for (key, value) in table {
                let v = record_value(key.get_ref(), value.get_ref())
                    .map_err(|d| bad(key.span().start, d))?;
                out.push(RecordValue {
                    key: v.0,
                    value: v.1,
                    line: line(value.span().start),
                });
            }
            Ok(out)
        };
        let sections = |map: &BTreeMap<Spanned<String>, Table>| -> Result<Vec<RecordSection>> {
            map.iter()
                .map(|(name, table)| {
                    Ok(RecordSection {
                        name: name.get_ref().clone(),
                        line: line(name.span().start),
                        values: values(table)?,
                    })
                })
                .collect()
        };
        let record = RecordFile {
            path: path.to_path_buf(),
            study: raw
                .study
                .as_ref()
                .map(values)
                .transpose()?
                .unwrap_or_default(),
            muscles: sections(&raw.muscle)?,
            files: sections(&raw.file)?,
        };
        record.check_muscles()?;
        Ok(record)
    }

    /// A muscle section that renames its muscle, or names one another
    /// section names too (`ADM`, `abductor digiti minimi`), is ambiguous.
    fn check_muscles(&self) -> Result<()> {
        for (i, m) in self.muscles.iter().enumerate() {
            if let Some(v) = m.values.iter().find(|v| v.key == "muscle") {
                return Err(self.error(
                    v.line,
                    format!(
                        "[muscle.{:?}] sets muscle = {:?}: which tests it describes is ambiguous; rename the muscle in [study] or a [file] section",
                        m.name, v.value
                    ),
                ));
            }
            let twin = self.muscles[..i]
                .iter()
                .find(|o| muscle_key(&o.name) == muscle_key(&m.name));
            if let Some(o) = twin {
                return Err(self.error(
                    m.line,
                    format!(
                        "[muscle.{:?}] is the muscle of [muscle.{:?}] (line {}): give its values once",
                        m.name, o.name, o.line
                    ),
                ));
            }
        }
        Ok(())
    }

    fn error(&self, line: u64, detail: String) -> Error {
        Error::RecordFile {
            at: Location::line(&self.path, line),
            detail,
        }
    }

    /// Where a value of this file was written.
    pub(crate) fn at(&self, value: &RecordValue) -> Location {
        Location::line(&self.path, value.line)
    }

    /// The values for one file, in the order they apply (a later one
    /// replaces an earlier): `[study]`, the `[muscle.NAME]` of its muscle
    /// (as `muscle` says, after `[study]` and its `[file]` section), its
    /// `[file."name"]`.
    pub(crate) fn values_for(&self, file_name: &str, muscle: Option<&str>) -> Vec<&RecordValue> {
        let file = self.files.iter().find(|f| f.name == file_name);
        let renamed = file
            .and_then(|f| f.values.iter().find(|v| v.key == "muscle"))
            .or_else(|| self.study.iter().find(|v| v.key == "muscle"))
            .map(|v| v.value.as_str());
        let muscle = renamed.or(muscle).map(muscle_key);
        let by_muscle = self
            .muscles
            .iter()
            .find(|m| muscle.as_ref() == Some(&muscle_key(&m.name)));
        let mut out: Vec<&RecordValue> = self.study.iter().collect();
        out.extend(by_muscle.iter().flat_map(|m| &m.values));
        out.extend(file.iter().flat_map(|f| &f.values));
        out
    }

    /// A flag and a `[study]` value for one key are two values for the
    /// whole study: refused, as a key given twice in a file is.
    ///
    /// # Errors
    ///
    /// [`Error::RecordFile`] naming the `[study]` line and the flag.
    pub(crate) fn check_flags(&self, flags: &[(&str, &str)]) -> Result<()> {
        for v in &self.study {
            if let Some((_, flag)) = flags.iter().find(|(k, _)| *k == v.key) {
                return Err(self.error(
                    v.line,
                    format!(
                        "[study] {} is given by {flag} too; which one holds is unknown: give it once",
                        v.key
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Every `[file]` section must name a file read, and every `[muscle]`
    /// section a muscle of a test read.
    ///
    /// # Errors
    ///
    /// [`Error::RecordFile`] naming the section's line and name.
    pub fn check_used(&self, tests: &[Recording]) -> Result<()> {
        let names: Vec<&str> = tests.iter().map(|t| t.source.file_name.as_str()).collect();
        if let Some(f) = self
            .files
            .iter()
            .find(|f| !names.contains(&f.name.as_str()))
        {
            return Err(self.error(
                f.line,
                format!(
                    "[file.{:?}] names no file of the study (its files: {})",
                    f.name,
                    names.join(", ")
                ),
            ));
        }
        let muscles: Vec<String> = tests
            .iter()
            .filter_map(|t| t.metadata.get("muscle"))
            .map(|m| muscle_key(m))
            .collect();
        if let Some(m) = self
            .muscles
            .iter()
            .find(|m| !muscles.contains(&muscle_key(&m.name)))
        {
            return Err(self.error(
                m.line,
                format!("[muscle.{:?}] matches no test's muscle", m.name),
            ));
        }
        Ok(())
    }

    /// A batch reads many studies: `[muscle]` and `[file]` sections
    /// describe one study's tests, and would match nothing in the others.
    ///
    /// # Errors
    ///
    /// [`Error::RecordFile`] naming the first such section.
    pub fn check_for_batch(&self) -> Result<()> {
        let first = self
            .muscles
            .iter()
            .map(|m| ("muscle", m))
            .chain(self.files.iter().map(|f| ("file", f)))
            .min_by_key(|(_, s)| s.line);
        match first {
            None => Ok(()),
            Some((kind, s)) => Err(self.error(
                s.line,
                format!(
                    "[{kind}.{:?}] describes tests of one study, and a batch reads many: give [study] values only, or analyze the study on its own",
                    s.name
                ),
            )),
        }
    }
}

/// A muscle name as tests are matched: the canonical name (`ADM` for
/// `abductor digiti minimi`), else the name in lower case.
fn muscle_key(name: &str) -> String {
    muscle_side_key(Some(name), None).0
}

/// A record key and its value as the metadata holds it, or what is wrong.
fn record_value(
    key: &str,
    value: &toml::Value,
) -> std::result::Result<(&'static str, String), String> {
    let Some(&(key, kind)) = RECORD_KEYS.iter().find(|(k, _)| *k == key) else {
        let keys: Vec<&str> = RECORD_KEYS.iter().map(|(k, _)| *k).collect();
        return Err(format!(
            "unknown key {key:?}; a record file sets {}",
            keys.join(", ")
        ));
    };
    let wrong = |expected: &str| {
        Err(format!(
            "{key}: expected {expected}, found {}",
            value.type_str()
        ))
    };
    let text = match (kind, value) {
        (Kind::Text, toml::Value::String(s)) => s.clone(),
        (Kind::Text, _) => return wrong("text in quotes"),
        (Kind::Number, toml::Value::Float(x)) => x.to_string(),
        (Kind::Number, toml::Value::Integer(n)) => n.to_string(),
        (Kind::Number, _) => return wrong("a number"),
        (Kind::YesNo, toml::Value::Boolean(b)) => if *b { "yes" } else { "no" }.to_string(),
        (Kind::YesNo, toml::Value::String(s)) => s.clone(),
        (Kind::YesNo, _) => return wrong("true or false"),
        (Kind::Whole, toml::Value::Integer(n)) => n.to_string(),
        (Kind::Whole, _) => return wrong("a whole number"),
        (Kind::Date, toml::Value::String(s)) => s.clone(),
        (Kind::Date, toml::Value::Datetime(d)) if d.time.is_none() && d.offset.is_none() => {
            d.to_string()
        }
        (Kind::Date, _) => return wrong("a date, \"YYYY-MM-DD\""),
    };
    if kind == Kind::Date {
        if let Some(problem) = date_problem(&text) {
            return Err(format!("{key}: {problem}"));
        }
    }
    if text.trim().is_empty() {
        return Err(format!(
            "{key}: empty; leave the key out to keep the files' value"
        ));
    }
    if text.chars().count() > MAX_METADATA_CHARS || text.chars().any(char::is_control) {
        return Err(format!(
            "{key}: at most {MAX_METADATA_CHARS} characters, without line breaks or control characters"
        ));
    }
    Ok((key, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"# applies to the whole study (like the flags)
[study]
date = "2026-11-30"
examiner = "KH"
indication = "suspected LEMS"
# per muscle
[muscle.ADM]
temperature_c = 33.5
# per file
[file."1_rns_3hz.csv"]
side = "left"
[file."4_rns_3hz_right.csv"]
side = "right"
supramaximal = true
"#;

    fn parse(text: &str) -> Result<RecordFile> {
        RecordFile::parse(Path::new("rec.toml"), text)
    }

    #[test]
    fn the_example_reads_with_each_value_and_its_line() {
        let r = parse(EXAMPLE).unwrap();
        let keys: Vec<(&str, &str, u64)> = r
            .study
            .iter()
            .map(|v| (v.key, v.value.as_str(), v.line))
            .collect();
        assert_eq!(
            keys,
            [
                ("date", "2026-11-30", 3),
                ("examiner", "KH", 4),
                ("indication", "suspected LEMS", 5)
            ]
        );
        assert_eq!((r.muscles[0].name.as_str(), r.muscles[0].line), ("ADM", 7));
        assert_eq!(r.muscles[0].values[0].value, "33.5");
        assert_eq!(r.files.len(), 2);
        let right: Vec<&str> = r
            .values_for("4_rns_3hz_right.csv", Some("abductor digiti minimi"))
            .iter()
            .map(|v| v.value.as_str())
            .collect();
        // [study], then [muscle.ADM], then the file's own.
        assert_eq!(
            right,
            ["2026-11-30", "KH", "suspected LEMS", "33.5", "right", "yes"]
        );
        let other = r.values_for("x.csv", Some("APB"));
        assert_eq!(other.len(), 3);
    }

    #[test]
    fn what_is_wrong_is_refused_with_its_line() {
        for (text, words) in [
            ("[study]\nexaminer = \"KH\"\ncolour = \"red\"\n", "rec.toml, line 3: unknown key \"colour\""),
            ("[studdy]\nside = \"left\"\n", "rec.toml, line 1: unknown field `studdy`"),
            ("[study]\ntemperature_c = \"warm\"\n", "rec.toml, line 2: temperature_c: expected a number"),
            ("[study]\ndate = \"2026-02-30\"\n", "rec.toml, line 2: date: 2026-02-30 is no calendar date"),
            ("[study]\ndate = \"30/11/2026\"\n", "rec.toml, line 2: date: \"30/11/2026\" is not a date written YYYY-MM-DD"),
            ("[study]\ndate = 2026-02-30\n", "rec.toml, line 2:"),
            ("[study]\nside = \"\"\n", "rec.toml, line 2: side: empty"),
            ("[muscle.ADM]\nmuscle = \"APB\"\n", "rec.toml, line 2: [muscle.\"ADM\"] sets muscle = \"APB\": which tests it describes is ambiguous"),
            ("[muscle.ADM]\nside = \"left\"\n[muscle.\"abductor digiti minimi\"]\nside = \"right\"\n", "rec.toml, line 3: [muscle.\"abductor digiti minimi\"] is the muscle of [muscle.\"ADM\"] (line 1)"),
            ("[study]\nside = \"left\"\nside = \"right\"\n", "rec.toml, line 3:"),
            ("side = \"left\"\n", "rec.toml, line 1: unknown field `side`"),
        ] {
            let err = parse(text).unwrap_err();
            assert!(err.to_string().starts_with(words) || err.to_string().contains(words), "{text}: {err}");
            assert_eq!(err.kind(), crate::error::ErrorKind::Settings);
        }
        // A bare TOML date is a date.
        let r = parse("[study]\ndate = 2026-11-30\n").unwrap();
        assert_eq!(r.study[0].value, "2026-11-30");
    }

    #[test]
    fn a_batch_takes_study_values_only_and_a_flag_is_not_given_twice() {
        let r = parse(EXAMPLE).unwrap();
        let err = r.check_for_batch().unwrap_err().to_string();
        assert!(
            err.starts_with("rec.toml, line 7: [muscle.\"ADM\"] describes tests of one study"),
            "{err}"
        );
        assert!(parse("[study]\nexaminer = \"KH\"\n")
            .unwrap()
            .check_for_batch()
            .is_ok());
        let err = r
            .check_flags(&[("date", "--date")])
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("rec.toml, line 3: [study] date is given by --date too"),
            "{err}"
        );
        assert!(r.check_flags(&[("side", "--side")]).is_ok());
    }
}
