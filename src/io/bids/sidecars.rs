//! A test's sidecars by the inheritance principle (BIDS 1.11, "The
//! Inheritance Principle"): "Any metadata file (such as .json, .bvec or
//! .tsv) may be defined at any directory level, but no more than one
//! applicable file may be defined at a given level"; for JSON "the values
//! from the top level are inherited by all lower levels unless they are
//! overridden", and a tabular file applies from the nearest level alone.
//! Also the two tabular files read here, `_channels.tsv`/`_events.tsv`
//! and `participants.tsv`.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::names::BidsName;
use crate::error::{Error, Location, Result};

/// The dataset's participants table.
pub const PARTICIPANTS: &str = "participants.tsv";

/// The description of its columns.
pub const PARTICIPANTS_JSON: &str = "participants.json";

/// The sidecar kinds a test reads: (suffix, extension).
pub(super) const KINDS: [(&str, &str); 3] =
    [("emg", ".json"), ("channels", ".tsv"), ("events", ".tsv")];

/// The sidecars that apply to one test.
#[derive(Debug, Default)]
pub(super) struct Sidecars {
    /// `_emg.json` files, from the top level down.
    pub json: Vec<PathBuf>,
    /// The nearest `_channels.tsv`.
    pub channels: Option<PathBuf>,
    /// The nearest `_events.tsv`.
    pub events: Option<PathBuf>,
}

/// The levels a test's sidecars may sit at, nearest first: its own
/// folder up to the dataset's root.
pub(super) fn levels(data: &Path, root: &Path) -> Vec<PathBuf> {
    data.ancestors()
        .skip(1)
        .take_while(|d| d.starts_with(root))
        .map(Path::to_path_buf)
        .collect()
}

/// Of `candidates` (paths), the sidecars of `data` under `root`.
///
/// # Errors
///
/// [`Error::BidsFile`] when two files of one kind apply at one level: the
/// dataset does not say which holds.
pub(super) fn resolve(data: &Path, root: &Path, candidates: &[&Path]) -> Result<Sidecars> {
    let name = data
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(BidsName::parse);
    let Some(name) = name else {
        return Ok(Sidecars::default());
    };
    let mut out = Sidecars::default();
    for level in levels(data, root) {
        for (suffix, extension) in KINDS {
            let here: Vec<&Path> = candidates
                .iter()
                .copied()
                .filter(|c| c.parent() == Some(level.as_path()))
                .filter(|c| {
                    c.file_name()
                        .and_then(|n| n.to_str())
                        .and_then(BidsName::parse)
                        .is_some_and(|n| {
                            n.suffix == suffix && n.extension == extension && n.applies_to(&name)
                        })
                })
                .collect();
            let found = match here.as_slice() {
                [] => continue,
                [one] => one.to_path_buf(),
                [first, second, ..] => {
                    return Err(Error::BidsFile {
                        at: Location::file(second),
                        detail: format!(
                            "{} applies to {} too, at the same level: BIDS allows one, and which holds is not said",
                            crate::error::printable(&first.display().to_string()),
                            crate::error::printable(&data.display().to_string())
                        ),
                    })
                }
            };
            match suffix {
                "emg" => out.json.insert(0, found),
                "channels" => {
                    out.channels.get_or_insert(found);
                }
                _ => {
                    out.events.get_or_insert(found);
                }
            }
        }
    }
    Ok(out)
}

/// The `_emg.json` values of a test, top level first, the nearer
/// overriding.
///
/// # Errors
///
/// [`Error::BidsFile`] for a file that is not UTF-8 JSON holding an
/// object, with its line and column.
pub(super) fn merged_json(files: &[(&Path, &[u8])]) -> Result<Map<String, Value>> {
    let mut out = Map::new();
    for (path, bytes) in files {
        let value: Value = serde_json::from_slice(bytes).map_err(|e| Error::BidsFile {
            at: Location::cell(path, e.line() as u64, e.column() as u64),
            detail: format!("not JSON: {e}"),
        })?;
        let Value::Object(map) = value else {
            return Err(Error::BidsFile {
                at: Location::file(path),
                detail: "a sidecar holds a JSON object".to_string(),
            });
        };
        out.extend(map);
    }
    Ok(out)
}

/// A BIDS table: its columns and rows (with their lines).
#[derive(Debug, Clone, Default)]
pub(super) struct Table {
    /// The file.
    pub path: PathBuf,
    /// The header's column names.
    pub columns: Vec<String>,
    /// Each row's line and values.
    pub rows: Vec<(u64, Vec<String>)>,
}

impl Table {
    /// Reads a tab-separated table whose first line names its columns.
    ///
    /// # Errors
    ///
    /// [`Error::BidsFile`] naming the line: not UTF-8, a row with another
    /// number of fields than the header, a column named twice.
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<Table> {
        let bad = |line: u64, detail: String| Error::BidsFile {
            at: Location::line(path, line),
            detail,
        };
        let text = std::str::from_utf8(bytes)
            .map_err(|_| bad(1, "not UTF-8 text (BIDS tables are UTF-8)".into()))?;
        // A spreadsheet saves UTF-8 with a byte-order mark.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut lines = text.lines().enumerate();
        let Some((_, header)) = lines.next() else {
            return Err(bad(
                1,
                "empty: a BIDS table starts with its column names".into(),
            ));
        };
        let columns: Vec<String> = header.split('\t').map(|c| c.trim().to_string()).collect();
        for (i, c) in columns.iter().enumerate() {
            if columns[..i].contains(c) {
                return Err(bad(1, format!("the column {c:?} is named twice")));
            }
        }
        let mut rows = Vec::new();
        for (i, line) in lines {
            if line.trim().is_empty() {
                continue;
            }
            let values: Vec<String> = line.split('\t').map(|v| v.trim().to_string()).collect();
            if values.len() != columns.len() {
                return Err(bad(
                    i as u64 + 1,
                    format!(
                        "{} values for {} columns (BIDS tables are tab-separated, every row whole)",
                        values.len(),
                        columns.len()
                    ),
                ));
            }
            rows.push((i as u64 + 1, values));
        }
        Ok(Table {
            path: path.to_path_buf(),
            columns,
            rows,
        })
    }

    /// The index of a column.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// A row's value in a column; `None` for `n/a`, empty, or no column.
    pub fn value<'a>(&self, row: &'a [String], name: &str) -> Option<&'a str> {
        let i = self.column(name)?;
        row.get(i)
            .map(String::as_str)
            .filter(|v| !v.is_empty() && *v != "n/a")
    }

    /// Requires a column: BIDS makes it so.
    ///
    /// # Errors
    ///
    /// [`Error::BidsFile`] naming the header line.
    pub fn require(&self, name: &str) -> Result<usize> {
        self.column(name).ok_or_else(|| Error::BidsFile {
            at: Location::line(&self.path, 1),
            detail: format!(
                "no {name:?} column (it has {}): BIDS requires it",
                self.columns.join(", ")
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_table_and_every_json_apply() {
        let root = Path::new("/d");
        let data = Path::new("/d/sub-01/ses-01/emg/sub-01_ses-01_task-rns3hz_emg.edf");
        let c = [
            Path::new("/d/task-rns3hz_emg.json"),
            Path::new("/d/task-exercise10s_emg.json"),
            Path::new("/d/sub-01/ses-01/emg/sub-01_ses-01_task-rns3hz_emg.json"),
            Path::new("/d/task-rns3hz_channels.tsv"),
            Path::new("/d/sub-01/ses-01/emg/sub-01_ses-01_task-rns3hz_channels.tsv"),
        ];
        let s = resolve(data, root, &c).unwrap();
        assert_eq!(s.json, vec![PathBuf::from(c[0]), PathBuf::from(c[2])]);
        assert_eq!(s.channels.as_deref(), Some(c[4]));
        assert!(s.events.is_none());
        let merged = merged_json(&[
            (c[0], br#"{"TaskName": "a", "PowerLineFrequency": 50}"#),
            (c[2], br#"{"PowerLineFrequency": 60}"#),
        ])
        .unwrap();
        assert_eq!(merged["PowerLineFrequency"], 60);
        assert_eq!(merged["TaskName"], "a");
    }

    #[test]
    fn two_sidecars_at_one_level_are_refused() {
        let data = Path::new("/d/sub-01/emg/sub-01_task-rns3hz_run-1_emg.edf");
        let c = [
            Path::new("/d/sub-01/emg/sub-01_task-rns3hz_emg.json"),
            Path::new("/d/sub-01/emg/sub-01_run-1_emg.json"),
        ];
        let e = resolve(data, Path::new("/d"), &c).unwrap_err();
        assert!(e.to_string().contains("at the same level"), "{e}");
    }

    #[test]
    fn tables_keep_their_lines_and_refuse_ragged_rows() {
        let t = Table::parse(Path::new("e.tsv"), b"onset\tduration\n0.5\tn/a\n1.0\t0\n").unwrap();
        assert_eq!(t.rows[1].0, 3);
        assert_eq!(t.value(&t.rows[0].1, "duration"), None);
        let e = Table::parse(Path::new("e.tsv"), b"onset\tduration\n0.5\n").unwrap_err();
        assert!(e.to_string().contains("e.tsv, line 2"), "{e}");
    }
}
