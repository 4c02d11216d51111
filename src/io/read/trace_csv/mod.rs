//! The CSV reader (`docs/formats.md`): input contract v1 in its wide
//! ([`wide`]) and long ([`long`]) layouts, and continuous recordings
//! ([`continuous`]), all on one checked time axis ([`axis`]).
//!
//! Metadata lines (`# key: value`) are taken off the top line by line; the
//! rest is tokenised by the `csv` crate, and every error names the file line
//! it came from.

use std::path::Path;

use ndarray::Array2;

mod axis;
mod continuous;
mod long;
mod wide;

use axis::time_axis;
use continuous::{continuous_csv, is_continuous};
use long::read_long;
use wide::read_wide;

use crate::error::{show, Error, Location, Result};
use crate::io::options::ReadOptions;
use crate::io::plausible::MAX_ABS_SAMPLE_MV;
use crate::io::read::assemble::{add_metadata, build, file_name, LabelsAt, Meta, Sweeps};
use crate::io::read::header::{is_response_id, normalise_key, time_column, HeaderCell, TimeUnit};
use crate::io::read::number;
use crate::io::read::records::Records;
use crate::io::read::signals::SignalFile;
use crate::io::read::text::{decode, detect_delimiter};
use crate::model::{
    Delimiter, InputFormat, Layout, Recording, ResponseLabel, SourceInfo, VoltUnit,
};

/// Fewest samples per response the reader accepts.
pub const MIN_SAMPLES: usize = 20;

/// What a CSV file holds: a test's sweeps, or a continuous recording's
/// channels, which the reader cuts at the stimuli as it does every
/// continuous format.
pub(crate) enum CsvRead {
    /// One test, one column (or group of rows) per response.
    Test(Box<Recording>),
    /// A continuous recording: a time column and one column per channel.
    Continuous {
        /// The channels, as written (each with its unit).
        file: Box<SignalFile>,
        /// The `# key: value` lines.
        meta: Meta,
        /// The delimiter, for the report.
        delimiter: Delimiter,
    },
}

/// Parses the bytes of a CSV file; `path` names it in errors.
pub(crate) fn parse_csv(path: &Path, bytes: &[u8], options: &ReadOptions) -> Result<CsvRead> {
    let text = decode(path, bytes)?;
    let (meta, body_offset, body_first_line) = split_metadata(path, &text)?;
    let body = &text[body_offset..];
    if body.trim().is_empty() {
        return Err(Error::Empty {
            at: Location::file(path),
        });
    }
    let delimiter = meta.sep.unwrap_or_else(|| detect_delimiter(body));
    // No trimming by the tokeniser: cells are trimmed where they are read.
    let mut rows = Rows {
        records: Records::new(body.as_bytes(), body_first_line, delimiter.byte()),
        body_bytes: body.len(),
        path,
        trailing: false,
    };
    let Some(header_line) = rows.next_data()? else {
        return Err(Error::Empty {
            at: Location::file(path),
        });
    };
    let mut header: Vec<String> = rows
        .records
        .iter()
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    // Spreadsheets end every line with the delimiter: an empty last header
    // cell is no column, and neither is the empty last cell of each row.
    if header.len() > 1 && header.last().is_some_and(|c| c.trim().is_empty()) {
        header.pop();
        rows.trailing = true;
    }
    if header.iter().any(|cell| cell.contains('\n')) {
        return Err(Error::BadHeader {
            at: Location::line(path, header_line),
            detail: "a quote (\") opened in the header is never closed".to_string(),
        });
    }
    let ctx = Ctx {
        path,
        decimal_comma: delimiter != Delimiter::Comma,
        forced_unit: options.overrides.units,
        decimal_mark: std::cell::Cell::new(None),
    };
    let cells: Vec<HeaderCell> = header.iter().map(|c| HeaderCell::parse(c)).collect();
    let parsed = if cells.first().is_some_and(is_response_id) {
        let default_unit = meta.units.unwrap_or(VoltUnit::Millivolt);
        read_long(&ctx, header_line, &cells, &mut rows, default_unit)?
    } else {
        read_wide(&ctx, header_line, &cells, &mut rows, meta.units)?
    };
    finish(path, delimiter, meta, parsed, options)
}

/// The data rows of a file, one at a time into one reused record (holding
/// every record at once cost an allocation per row): blank rows skipped, a
/// `#` row refused, a spreadsheet's empty trailing cell dropped.
struct Rows<'a> {
    records: Records<'a>,
    /// Length of the body, to size the columns.
    body_bytes: usize,
    path: &'a Path,
    trailing: bool,
}

impl Rows<'_> {
    /// Reads the next non-blank row into `self.records`; its file line.
    fn advance(&mut self) -> Option<u64> {
        loop {
            let line = self.records.next_record()?;
            if self.records.iter().all(is_blank) {
                continue;
            }
            let n = self.records.len();
            if self.trailing && n > 1 && is_blank(self.records.field(n - 1)) {
                self.records.drop_last();
            }
            return Some(line);
        }
    }

    /// [`Rows::advance`], refusing a `#` row: metadata lines come first.
    fn next_data(&mut self) -> Result<Option<u64>> {
        let Some(line) = self.advance() else {
            return Ok(None);
        };
        let first = self.records.field(0);
        if first.contains(&b'#') && text(first).trim_start().starts_with('#') {
            return Err(Error::MetadataAfterData {
                at: Location::line(self.path, line),
            });
        }
        Ok(Some(line))
    }
}

/// A cell of only spaces (Unicode ones too).
fn is_blank(cell: &[u8]) -> bool {
    // A visible ASCII byte settles it without decoding (every number).
    if cell.iter().any(u8::is_ascii_graphic) {
        return false;
    }
    cell.trim_ascii().is_empty() || text(cell).trim().is_empty()
}

/// A cell as text: the file was decoded to UTF-8 and split at ASCII
/// delimiters, so this never replaces anything.
fn text(cell: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(cell)
}

struct Ctx<'a> {
    path: &'a Path,
    decimal_comma: bool,
    /// `--units`: the unit of every value column, whatever the file says.
    forced_unit: Option<VoltUnit>,
    /// The decimal mark first seen in a `;` or tab file, and its line: a
    /// file uses one (`-7.624` in a decimal-comma file is a thousands
    /// separator, and reading it as a decimal is 1000 times off).
    decimal_mark: std::cell::Cell<Option<(char, u64)>>,
}

impl Ctx<'_> {
    /// The unit of a value column: the forced one, else its bracketed unit,
    /// else `fallback` (a suffix or the `units` key); `None` when nothing
    /// gives one.
    fn volt_unit(
        &self,
        line: u64,
        column: usize,
        cell: &HeaderCell,
        fallback: Option<VoltUnit>,
    ) -> Result<Option<VoltUnit>> {
        match (self.forced_unit, &cell.bracket_unit) {
            (Some(u), _) => Ok(Some(u)),
            (None, Some(u)) => VoltUnit::parse(u)
                .map(Some)
                .ok_or_else(|| Error::UnknownUnit {
                    at: Location::cell(self.path, line, column as u64 + 1),
                    unit: u.clone(),
                    expected: "mV, uV, µV or V",
                }),
            (None, None) => Ok(fallback),
        }
    }

    /// A number: a plain decimal read from its bytes, anything else
    /// through `str::parse`, which also words the errors.
    #[inline]
    fn number(&self, cell: &[u8], line: u64, column: usize) -> Result<f64> {
        if let Some((value, mark)) = number::plain_decimal(cell, self.decimal_comma) {
            if let Some(mark) = mark.filter(|_| self.decimal_comma) {
                self.note_decimal_mark(char::from(mark), &text(cell), line, column)?;
            }
            return Ok(value);
        }
        self.general_number(&text(cell), line, column)
    }

    /// The number in `bytes[cell]`: a short decimal read as one word with
    /// the bytes before it (a `.` file only), else as [`Ctx::number`]
    /// reads it.
    #[inline]
    fn number_in(
        &self,
        bytes: &[u8],
        cell: std::ops::Range<usize>,
        line: u64,
        column: usize,
    ) -> Result<f64> {
        match number::short_decimal(bytes, cell.start, cell.end) {
            Some(value) if !self.decimal_comma => Ok(value),
            _ => self.number(bytes.get(cell).unwrap_or_default(), line, column),
        }
    }

    #[cold]
    fn general_number(&self, cell: &str, line: u64, column: usize) -> Result<f64> {
        let cell = cell.trim();
        let at = || Location::cell(self.path, line, column as u64 + 1);
        if self.decimal_comma {
            self.check_decimal_mark(cell, line, column)?;
        }
        let owned;
        let text = if self.decimal_comma && cell.contains(',') {
            owned = cell.replace(',', ".");
            owned.as_str()
        } else {
            cell
        };
        let value: f64 = text.parse().map_err(|_| Error::NotANumber {
            at: at(),
            found: cell.to_string(),
        })?;
        if !value.is_finite() {
            return Err(Error::NonFinite {
                at: at(),
                found: cell.to_string(),
            });
        }
        Ok(value)
    }
}

impl Ctx<'_> {
    /// A sample in mV: a number, times the column's scale, finite and no
    /// larger than any amplifier records.
    #[inline]
    fn sample(&self, cell: &[u8], line: u64, column: usize, to_mv: f64) -> Result<f64> {
        Ok(self.checked(cell, line, column, to_mv)? * to_mv)
    }

    /// A value as written, checked as a sample in mV would be.
    #[inline]
    fn checked(&self, cell: &[u8], line: u64, column: usize, to_mv: f64) -> Result<f64> {
        let value = self.number(cell, line, column)?;
        let mv = value * to_mv;
        if mv.is_finite() && mv.abs() <= MAX_ABS_SAMPLE_MV {
            return Ok(value);
        }
        Err(self.implausible_sample(cell, mv, line, column))
    }

    #[cold]
    fn implausible_sample(&self, cell: &[u8], mv: f64, line: u64, column: usize) -> Error {
        let cell = text(cell);
        Error::Implausible {
            at: Location::cell(self.path, line, column as u64 + 1),
            detail: format!(
                "{cell} is {}, beyond the {MAX_ABS_SAMPLE_MV} mV no EMG amplifier records; check the units (--units, a unit in the header or # units:)",
                if mv.is_finite() {
                    format!("{} mV", show(mv))
                } else {
                    "too large to hold in mV".to_string()
                }
            ),
        }
    }
}

impl Ctx<'_> {
    fn check_decimal_mark(&self, cell: &str, line: u64, column: usize) -> Result<()> {
        let mark = if cell.contains(',') {
            ','
        } else if cell.contains('.') {
            '.'
        } else {
            return Ok(());
        };
        self.note_decimal_mark(mark, cell, line, column)
    }

    /// Records the decimal mark of the first number that has one; a later
    /// number with the other mark is an error.
    fn note_decimal_mark(&self, mark: char, cell: &str, line: u64, column: usize) -> Result<()> {
        match self.decimal_mark.get() {
            None => self.decimal_mark.set(Some((mark, line))),
            Some((first, first_line)) if first != mark => {
                return Err(Error::Implausible {
                    at: Location::cell(self.path, line, column as u64 + 1),
                    detail: format!(
                        "{cell:?} has the decimal mark '{mark}' where line {first_line} has '{first}'; a file uses one decimal mark (a '.' in a decimal-comma file is a thousands separator): export without thousands separators"
                    ),
                })
            }
            Some(_) => {}
        }
        Ok(())
    }
}

/// What the layout readers hand over: one time axis and one trace per label.
struct Parsed {
    layout: Layout,
    time_unit: TimeUnit,
    units: VoltUnit,
    /// Per label: the unit the file (or `--units`) gave, or `None` (mV by
    /// default for a response; a continuous channel needs one).
    stated: Vec<Option<VoltUnit>>,
    header_line: u64,
    /// (line, time in the file's unit) per sample.
    times: Vec<(u64, f64)>,
    labels: Vec<ResponseLabel>,
    /// Column-major: one vector of values per label, in mV (a continuous
    /// recording's channels as written, in their `stated` units).
    columns: Vec<Vec<f64>>,
}

/// Takes the metadata lines off the top; returns them, the byte offset of the
/// body and the file line the body starts on.
fn split_metadata(path: &Path, text: &str) -> Result<(Meta, usize, u64)> {
    let mut meta = Meta::default();
    let mut offset = 0;
    let mut line_no = 1u64;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        // Excel's "sep=;" first line names the delimiter.
        if line_no == 1 {
            if let Some(sep) = trimmed.strip_prefix("sep=") {
                meta.sep = match sep {
                    ";" => Some(Delimiter::Semicolon),
                    "," => Some(Delimiter::Comma),
                    "\t" | "" => Some(Delimiter::Tab),
                    _ => None,
                };
                if meta.sep.is_some() {
                    offset += line.len();
                    line_no += 1;
                    continue;
                }
            }
        }
        if let Some(comment) = trimmed.strip_prefix('#') {
            if let Some((key, value)) = comment.split_once(':') {
                let key = normalise_key(key);
                if !key.is_empty() {
                    // A spreadsheet ends every row with the delimiter,
                    // metadata rows included.
                    let value = value.trim().trim_end_matches([';', ',', '\t']).trim_end();
                    add_metadata(path, &mut meta, key, value, line_no)?;
                }
            }
        } else if !trimmed.is_empty() {
            break;
        }
        offset += line.len();
        line_no += 1;
    }
    if let Some(units) = meta.all.get("units") {
        let at = Location::line(path, meta.lines["units"]);
        meta.units = Some(VoltUnit::parse(units).ok_or_else(|| Error::UnknownUnit {
            at,
            unit: units.clone(),
            expected: "mV, uV, µV or V",
        })?);
    }
    Ok((meta, offset, line_no))
}

fn time_unit_of(path: &Path, line: u64, column: usize, cell: &HeaderCell) -> Result<TimeUnit> {
    match time_column(cell) {
        Some(Ok(unit)) => Ok(unit),
        Some(Err(unit)) => Err(Error::UnknownUnit {
            at: Location::cell(path, line, column as u64 + 1),
            unit,
            expected: "ms or s for the time column",
        }),
        None => Err(Error::BadHeader {
            at: Location::cell(path, line, column as u64 + 1),
            detail: format!(
                "expected a time column (time_ms, time_s, time, t, \"Time (ms)\"), found {:?}",
                crate::model::privacy::quotable(&cell.name)
            ),
        }),
    }
}

fn finish(
    path: &Path,
    delimiter: Delimiter,
    meta: Meta,
    parsed: Parsed,
    options: &ReadOptions,
) -> Result<CsvRead> {
    if is_continuous(&parsed) {
        let file = continuous_csv(path, parsed)?;
        return Ok(CsvRead::Continuous {
            file: Box::new(file),
            meta,
            delimiter,
        });
    }
    let (t0_ms, dt_ms) = time_axis(path, &parsed, false)?;
    let n = parsed.times.len();
    // Every column holds `n` samples (the layout readers check it); they
    // are copied whole, one after another (element by element through
    // `from_shape_fn` this cost 2% of a batch).
    let mut flat = Vec::with_capacity(parsed.labels.len() * n);
    for column in parsed.columns.iter().take(parsed.labels.len()) {
        let k = column.len().min(n);
        flat.extend_from_slice(&column[..k]);
        flat.resize(flat.len() + n - k, f64::NAN);
    }
    flat.resize(parsed.labels.len() * n, f64::NAN);
    let samples_mv =
        Array2::from_shape_vec((parsed.labels.len(), n), flat).map_err(|e| Error::BadFile {
            at: Location::file(path),
            format: InputFormat::Csv,
            detail: e.to_string(),
        })?;
    let source = SourceInfo {
        path: path.to_path_buf(),
        file_name: file_name(path),
        format: InputFormat::Csv,
        layout: parsed.layout,
        delimiter: Some(delimiter),
        decimal_comma: delimiter != Delimiter::Comma,
        units: parsed.units,
        time_in_seconds: parsed.time_unit == TimeUnit::S,
        channel: None,
        channels: Vec::new(),
        stimuli: None,
        warnings: Vec::new(),
        withheld: Vec::new(),
    };
    let labels_at = match parsed.layout {
        Layout::Wide => LabelsAt::Columns(parsed.header_line),
        _ => LabelsAt::Line(parsed.header_line),
    };
    let sweeps = Sweeps {
        t0_ms,
        dt_ms,
        labels: parsed.labels,
        samples_mv,
        labels_at,
    };
    Ok(CsvRead::Test(Box::new(build(
        path, meta, source, sweeps, options,
    )?)))
}

#[cfg(test)]
mod tests;
