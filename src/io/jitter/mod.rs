//! Jitter files: the interpotential-interval list (`docs/jitter.md`,
//! "The interval-list contract") read into pairs, and raw sweeps handed to
//! `measure::jitter` through the trace readers.
//!
//! The list is a CSV read by the `csv` crate: `# key: value` metadata lines
//! (`muscle`, `method`, `electrode`, `age`), a header with `pair` and
//! `ipi_us` (and optionally `isi_ms`, `blocked`, `muscle`, `method`,
//! `electrode`), then one row per discharge in recorded order. A blocked
//! discharge is `blocked` in `ipi_us`, or `1`/`yes`/`true` in `blocked`.

mod study;
mod sweeps;

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{Error, Location, Result};
use crate::model::{Discharge, Electrode, JitterMethod, JitterPair};

/// Largest interval read, in its column's unit (100 ms as µs in `ipi_us`;
/// 100 s in `isi_ms`): beyond it a value is a typo or a unit mistake.
const MAX_INTERVAL: f64 = 100_000.0;

/// A file whose every interval is shorter than this (µs) was written in
/// milliseconds: two potentials that close overlap, and a stimulated
/// latency is never that short.
const MIN_LARGEST_IPI_US: f64 = 50.0;

/// The first line that marks a file as a jitter interval list.
pub const IPI_SIGNATURE: &str = "# nmjscope: jitter";

/// What an interval list holds.
#[derive(Debug, Clone, PartialEq)]
pub struct IpiList {
    /// The pairs, in the order their first rows come.
    pub pairs: Vec<JitterPair>,
    /// The subject's age in years, when the file gives it (single-fibre
    /// limits depend on it).
    pub age_years: Option<f64>,
    /// Every metadata key and value, as written (normalised keys).
    pub metadata: BTreeMap<String, String>,
}

/// Whether bytes look like an interval list: the signature line, or a
/// header naming `ipi_us` among its first lines.
pub fn is_ipi_list(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}');
    text.lines().take(40).any(|l| {
        let l = l.trim().to_ascii_lowercase();
        l.starts_with(IPI_SIGNATURE)
            || (!l.starts_with('#') && header_cells(&l).any(|c| c == "ipi_us"))
    })
}

fn header_cells(line: &str) -> impl Iterator<Item = String> + '_ {
    line.split([',', ';', '\t'])
        .map(|c| c.trim().trim_matches('"').to_ascii_lowercase())
}

/// Reads an interval list from its bytes; `path` names it in errors.
///
/// # Errors
///
/// [`Error::BadMetadata`] for a method, electrode or age not understood,
/// [`Error::BadHeader`] for a missing `pair` or `ipi_us` column,
/// [`Error::NotANumber`], [`Error::NonFinite`], [`Error::Ragged`] for a
/// cell or row, [`Error::NoData`] for a header without rows, each with
/// its line and column.
pub fn parse_ipi_list(path: &Path, bytes: &[u8]) -> Result<IpiList> {
    let text = crate::io::read::text::decode(path, bytes)?;
    let mut metadata = BTreeMap::new();
    let mut meta_lines = BTreeMap::new();
    let mut body_start = 0usize;
    let mut line_no = 0u64;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        if !(t.starts_with('#') || t.is_empty()) {
            break;
        }
        line_no += 1;
        body_start += line.len();
        if let Some((k, v)) = t.trim_start_matches('#').split_once(':') {
            let key = crate::model::normalise_key(k);
            if let Some(first) = meta_lines.insert(key.clone(), line_no) {
                return Err(Error::BadMetadata {
                    at: Location::line(path, line_no),
                    key,
                    detail: format!("given again (first on line {first}); give it once"),
                });
            }
            metadata.insert(key, v.trim().to_string());
        }
    }
    let defaults = Defaults::from_metadata(path, &metadata, &meta_lines)?;
    let body = &text[body_start..];
    let delimiter = sniff_delimiter(body.lines().next().unwrap_or(""));
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(body.as_bytes());
    let header_line = line_no + 1;
    let headers = reader
        .headers()
        .map_err(|e| csv_error(path, header_line, &e))?
        .clone();
    let columns = Columns::find(path, header_line, &headers)?;
    let pairs = read_rows(path, &mut reader, &columns, &defaults, header_line)?;
    let largest = pairs
        .iter()
        .flat_map(|p| p.discharges.iter().filter_map(|d| d.ipi_us))
        .fold(0.0f64, |m, v| m.max(v.abs()));
    if largest > 0.0 && largest < MIN_LARGEST_IPI_US {
        return Err(Error::Implausible {
            at: Location::line(path, header_line),
            detail: format!("every ipi_us is under {MIN_LARGEST_IPI_US} (the largest {largest}): intervals in milliseconds? ipi_us is in microseconds"),
        });
    }
    if pairs.is_empty() {
        return Err(Error::NoData {
            at: Location::line(path, header_line),
        });
    }
    Ok(IpiList {
        pairs,
        age_years: defaults.age,
        metadata,
    })
}

fn sniff_delimiter(header: &str) -> u8 {
    [b'\t', b';', b',']
        .into_iter()
        .max_by_key(|d| header.bytes().filter(|b| b == d).count())
        .filter(|d| header.bytes().any(|b| b == *d))
        .unwrap_or(b',')
}

fn csv_error(path: &Path, line: u64, e: &csv::Error) -> Error {
    let line = e.position().map_or(line, |p| p.line() + line - 1);
    Error::BadHeader {
        at: Location::line(path, line),
        detail: format!("not a readable CSV row ({e})"),
    }
}

/// The file-wide muscle, method, electrode and age.
struct Defaults {
    muscle: Option<String>,
    side: Option<String>,
    method: Option<JitterMethod>,
    electrode: Option<Electrode>,
    age: Option<f64>,
}

impl Defaults {
    fn from_metadata(
        path: &Path,
        meta: &BTreeMap<String, String>,
        lines: &BTreeMap<String, u64>,
    ) -> Result<Defaults> {
        let at = |k: &str| Location::line(path, lines.get(k).copied().unwrap_or(1));
        let bad = |k: &str, detail: String| Error::BadMetadata {
            at: at(k),
            key: k.to_string(),
            detail,
        };
        let method = meta
            .get("method")
            .map(|v| parse_method(v).ok_or_else(|| bad("method", expected_method(v))))
            .transpose()?;
        let electrode = meta
            .get("electrode")
            .map(|v| parse_electrode(v).ok_or_else(|| bad("electrode", expected_electrode(v))))
            .transpose()?;
        let age = meta
            .get("age")
            .map(|v| match v.parse::<f64>() {
                Ok(a) if (0.0..=120.0).contains(&a) => Ok(a),
                _ => Err(bad("age", format!("{v:?} is not an age in years (0-120)"))),
            })
            .transpose()?;
        Ok(Defaults {
            muscle: meta.get("muscle").filter(|m| !m.is_empty()).cloned(),
            side: meta
                .get("side")
                .and_then(|v| crate::model::canonical_side(v)),
            method,
            electrode,
            age,
        })
    }
}

/// A side word in a muscle's name ("Left EDC", "EDC dx"), as
/// [`crate::model::canonical_side`] reads it.
pub fn side_in(name: &str) -> Option<String> {
    name.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 1 || matches!(*w, "L" | "R" | "l" | "r"))
        .find_map(crate::model::canonical_side)
}

/// `voluntary`/`stimulated` as labs write them.
pub fn parse_method(v: &str) -> Option<JitterMethod> {
    match v.trim().to_ascii_lowercase().as_str() {
        "voluntary" | "vol" | "v" | "voluntary activation" => Some(JitterMethod::Voluntary),
        "stimulated" | "stim" | "s" | "axonal stimulation" | "electrical stimulation" => {
            Some(JitterMethod::Stimulated)
        }
        _ => None,
    }
}

/// `single_fibre`/`concentric` as labs write them.
pub fn parse_electrode(v: &str) -> Option<Electrode> {
    let v = v.trim().to_ascii_lowercase().replace(['-', ' '], "_");
    match v.as_str() {
        "single_fibre" | "single_fiber" | "sf" | "sfemg" => Some(Electrode::SingleFibre),
        "concentric" | "concentric_needle" | "cn" | "cne" | "facial" => Some(Electrode::Concentric),
        _ => None,
    }
}

fn expected_method(v: &str) -> String {
    format!("{v:?}: expected voluntary or stimulated")
}

fn expected_electrode(v: &str) -> String {
    format!("{v:?}: expected single_fibre or concentric")
}

/// Where each known column is (0-based).
struct Columns {
    pair: usize,
    ipi: usize,
    isi: Option<usize>,
    blocked: Option<usize>,
    muscle: Option<usize>,
    side: Option<usize>,
    method: Option<usize>,
    electrode: Option<usize>,
}

/// A header's names as a message quotes them. A metadata line without
/// its `#` may be read as the header (`patient_name,Smith`): from the
/// first name that may identify on, nothing is quoted.
fn quoted_header(names: &[String]) -> String {
    let mut out = Vec::new();
    for n in names {
        let quoted = crate::model::privacy::quotable(n);
        if quoted != *n || crate::model::is_identifying(n, &[]) {
            let key = n.split([':', '=']).next().unwrap_or_default();
            out.push(format!("{key} (withheld, with what follows)"));
            break;
        }
        out.push(quoted);
    }
    out.join(", ")
}

impl Columns {
    fn find(path: &Path, line: u64, headers: &csv::StringRecord) -> Result<Columns> {
        let names: Vec<String> = headers.iter().map(crate::model::normalise_key).collect();
        let find = |n: &str| names.iter().position(|h| h == n);
        let need = |n: &str| {
            find(n).ok_or_else(|| Error::BadHeader {
                at: Location::line(path, line),
                detail: format!(
                    "no `{n}` column; an interval list needs `pair` and `ipi_us` (docs/jitter.md), found {}",
                    quoted_header(&names)
                ),
            })
        };
        Ok(Columns {
            pair: need("pair")?,
            ipi: need("ipi_us")?,
            isi: find("isi_ms"),
            blocked: find("blocked"),
            muscle: find("muscle"),
            side: find("side"),
            method: find("method"),
            electrode: find("electrode"),
        })
    }
}

/// Every row into its pair, in order.
fn read_rows(
    path: &Path,
    reader: &mut csv::Reader<&[u8]>,
    cols: &Columns,
    defaults: &Defaults,
    header_line: u64,
) -> Result<Vec<JitterPair>> {
    let width = reader.headers().map(csv::StringRecord::len).unwrap_or(0);
    let mut pairs: Vec<JitterPair> = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut row = 0u64;
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(path, header_line + row + 1, &e)),
        }
        row += 1;
        let line = record
            .position()
            .map_or(header_line + row, |p| p.line() + header_line - 1);
        if record.iter().all(str::is_empty) {
            continue;
        }
        if record.len() != width {
            return Err(Error::Ragged {
                at: Location::line(path, line),
                expected: width,
                found: record.len(),
            });
        }
        let cell = |c: usize| Location::cell(path, line, c as u64 + 1);
        let (id, discharge) = read_row(&record, cols, &cell)?;
        let key = row_key(&record, cols, defaults, &cell)?;
        let side = cols
            .side
            .and_then(|c| crate::model::canonical_side(&record[c]))
            .or_else(|| side_in(&key.0))
            .or_else(|| defaults.side.clone());
        match pairs.iter_mut().rev().find(|p| p.id == id) {
            Some(p)
                if (p.muscle.as_str(), &p.side, p.method, p.electrode)
                    == (key.0.as_str(), &side, key.1, key.2) =>
            {
                p.discharges.push(discharge);
            }
            Some(_) => {
                return Err(Error::BadHeader {
                    at: Location::line(path, line),
                    detail: format!(
                    "pair {id:?} changes its muscle, side, method or electrode; give each pair one"
                ),
                })
            }
            None => pairs.push(JitterPair {
                id,
                muscle: key.0,
                side,
                method: key.1,
                electrode: key.2,
                discharges: vec![discharge],
                sweep_flags: Vec::new(),
            }),
        }
    }
    Ok(pairs)
}

/// A row's pair and discharge.
fn read_row(
    record: &csv::StringRecord,
    cols: &Columns,
    cell: &dyn Fn(usize) -> Location,
) -> Result<(String, Discharge)> {
    let id = record[cols.pair].to_string();
    if id.is_empty() {
        return Err(Error::NotANumber {
            at: cell(cols.pair),
            found: String::new(),
        });
    }
    let number = |c: usize| -> Result<Option<f64>> {
        let t = &record[c];
        if t.is_empty() {
            return Ok(None);
        }
        // An interval may be negative: the second potential can fire
        // before the trigger potential when both jitter widely.
        let v: f64 = t.parse().map_err(|_| Error::NotANumber {
            at: cell(c),
            found: t.to_string(),
        })?;
        if !v.is_finite() {
            return Err(Error::NonFinite {
                at: cell(c),
                found: t.to_string(),
            });
        }
        if v.abs() > MAX_INTERVAL {
            return Err(Error::Implausible {
                at: cell(c),
                detail: format!("{t} is beyond {MAX_INTERVAL}: no interpotential interval (µs) or firing interval (ms) is that long"),
            });
        }
        Ok(Some(v))
    };
    let flagged = match cols.blocked {
        None => false,
        Some(c) => match record[c].to_ascii_lowercase().as_str() {
            "1" | "yes" | "y" | "true" | "t" | "blocked" | "b" | "x" => true,
            "0" | "no" | "n" | "false" | "f" | "" => false,
            other => {
                return Err(Error::BadMetadata {
                    at: cell(c),
                    key: "blocked".into(),
                    detail: format!("{other:?}: expected 1/yes/true/blocked or 0/no/false"),
                })
            }
        },
    };
    let ipi_text = record[cols.ipi].to_ascii_lowercase();
    let ipi_us = if flagged || ipi_text == "blocked" || ipi_text == "b" {
        None
    } else {
        Some(number(cols.ipi)?.ok_or_else(|| Error::NotANumber {
            at: cell(cols.ipi),
            found: String::new(),
        })?)
    };
    let isi_ms = cols.isi.map(number).transpose()?.flatten();
    Ok((id, Discharge { ipi_us, isi_ms }))
}

/// A row's muscle, method and electrode: its own cells, else the file's.
fn row_key(
    record: &csv::StringRecord,
    cols: &Columns,
    d: &Defaults,
    cell: &dyn Fn(usize) -> Location,
) -> Result<(String, JitterMethod, Electrode)> {
    let own = |c: Option<usize>| c.map(|c| (c, &record[c])).filter(|(_, t)| !t.is_empty());
    let bad = |c: usize, detail: String| Error::BadMetadata {
        at: cell(c),
        key: "method/electrode".into(),
        detail,
    };
    let muscle = own(cols.muscle)
        .map(|(_, t)| t.to_string())
        .or_else(|| d.muscle.clone())
        .ok_or_else(|| {
            bad(
                cols.pair,
                "no muscle: add `# muscle: <name>` or a muscle column".into(),
            )
        })?;
    let method = match own(cols.method) {
        Some((c, t)) => parse_method(t).ok_or_else(|| bad(c, expected_method(t)))?,
        None => d.method.ok_or_else(|| {
            bad(
                cols.pair,
                "no method: add `# method: voluntary` (or stimulated) or a method column".into(),
            )
        })?,
    };
    let electrode = match own(cols.electrode) {
        Some((c, t)) => parse_electrode(t).ok_or_else(|| bad(c, expected_electrode(t)))?,
        None => d.electrode.ok_or_else(|| {
            bad(cols.pair, "no electrode: add `# electrode: concentric` (or single_fibre) or an electrode column".into())
        })?,
    };
    Ok((muscle, method, electrode))
}

/// An interval list as CSV (the contract's layout), for the simulator and
/// the web page's example: metadata lines, then `pair,ipi_us,isi_ms`.
pub fn ipi_csv(pairs: &[JitterPair], metadata: &[(&str, String)]) -> String {
    let mut out = format!("{IPI_SIGNATURE}\n");
    if let Some(p) = pairs.first() {
        out.push_str(&format!(
            "# muscle: {}\n# method: {}\n# electrode: {}\n",
            p.muscle, p.method, p.electrode
        ));
    }
    for (k, v) in metadata {
        out.push_str(&format!("# {k}: {v}\n"));
    }
    out.push_str("pair,ipi_us,isi_ms\n");
    for p in pairs {
        for d in &p.discharges {
            let ipi = d
                .ipi_us
                .map_or("blocked".to_string(), |v| format!("{v:.3}"));
            let isi = d.isi_ms.map_or(String::new(), |v| format!("{v:.3}"));
            out.push_str(&format!("{},{ipi},{isi}\n", p.id));
        }
    }
    out
}

pub use crate::model::JitterInput;
pub(crate) use study::{check_identities, parse_jitter_files};
pub use study::{is_jitter_file, parse_jitter, read_jitter};
pub use sweeps::{parse_sweeps, sweeps_csv, SweepsHeader};
