//! The CSV trace reader of input contract v1 (`docs/formats.md`).
//!
//! Metadata lines (`# key: value`) are taken off the top line by line; the
//! rest is tokenised by the `csv` crate, and every error names the file line
//! it came from.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use ndarray::Array2;

use super::header::{
    is_response_id, normalise_key, response_label, time_column, value_column, HeaderCell, TimeUnit,
};
use super::number;
use super::plausible::{
    within, EXERCISE_RANGE_S, FIRST_SAMPLE_RANGE_MS, MAX_ABS_SAMPLE_MV, MAX_METADATA_CHARS,
    PYRIDOSTIGMINE_RANGE_H, SAMPLING_RANGE_HZ, STIM_DURATION_RANGE_MS, STIM_INTENSITY_RANGE_MA,
    STIM_RATE_RANGE_HZ, SWEEP_RANGE_MS, TEMPERATURE_RANGE_C, TRAIN_RANGE,
};
use super::text::{decode, detect_delimiter, read_bounded};
use crate::error::{show, Error, Location, Result};
use crate::io::ReadOptions;
use crate::model::{
    Delimiter, ExercisePhase, Layout, Polarity, Protocol, ProtocolSource, Recording, ResponseLabel,
    SourceInfo, TestRecord, VoltUnit, HIGH_RATE_MIN_HZ,
};

/// Fewest samples per response the reader accepts.
pub const MIN_SAMPLES: usize = 20;

/// Largest deviation of a sample time from the uniform grid, as a fraction of
/// the sampling interval.
const GRID_TOLERANCE: f64 = 0.01;

/// Time values are often written rounded to 1 µs; a deviation of up to half
/// that is rounding, not jitter.
const TIME_ROUNDING_MS: f64 = 0.0005;

/// Reads one test from a CSV file.
pub fn read_trace_file(path: &Path, options: &ReadOptions) -> Result<Recording> {
    let bytes = read_bounded(path)?;
    parse_trace(path, &bytes, options)
}

/// Parses one test from the bytes of a CSV file; `path` names it in errors.
pub fn parse_trace(path: &Path, bytes: &[u8], options: &ReadOptions) -> Result<Recording> {
    let text = decode(path, bytes)?;
    let (meta, body_offset, body_first_line) = split_metadata(path, &text)?;
    let body = &text[body_offset..];
    if body.trim().is_empty() {
        return Err(Error::Empty {
            at: Location::file(path),
        });
    }
    let delimiter = meta.sep.unwrap_or_else(|| detect_delimiter(body));
    let reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter.byte())
        // No `Trim::All`: it copies every record; cells are trimmed where
        // they are read, as slices.
        .from_reader(body.as_bytes());
    let mut rows = Rows {
        reader,
        body_bytes: body.len(),
        record: csv::ByteRecord::new(),
        path,
        first_line: body_first_line,
        trailing: false,
    };
    let Some(header_line) = rows.advance()? else {
        return Err(Error::Empty {
            at: Location::file(path),
        });
    };
    let mut header = csv::StringRecord::from_byte_record_lossy(rows.record.clone());
    // Spreadsheets end every line with the delimiter: an empty last header
    // cell is no column, and neither is the empty last cell of each row.
    if header.len() > 1
        && header
            .get(header.len() - 1)
            .is_some_and(|c| c.trim().is_empty())
    {
        header.truncate(header.len() - 1);
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
    let cells: Vec<HeaderCell> = header.iter().map(HeaderCell::parse).collect();
    let default_unit = meta.units.unwrap_or(VoltUnit::Millivolt);
    let parsed = if cells.first().is_some_and(is_response_id) {
        read_long(&ctx, header_line, &cells, &mut rows, default_unit)?
    } else {
        read_wide(&ctx, header_line, &cells, &mut rows, default_unit)?
    };
    finish(path, delimiter, meta, parsed, options)
}

/// The data rows of a file, one at a time into one reused record (holding
/// every record at once cost an allocation per row): blank rows skipped, a
/// `#` row refused, a spreadsheet's empty trailing cell dropped.
struct Rows<'a> {
    reader: csv::Reader<&'a [u8]>,
    /// Length of the body, to size the columns.
    body_bytes: usize,
    /// Bytes, not a `StringRecord`: the text is already valid UTF-8, and
    /// checking it again per row cost as much as reading the numbers.
    record: csv::ByteRecord,
    path: &'a Path,
    first_line: u64,
    trailing: bool,
}

impl Rows<'_> {
    /// Reads the next non-blank row into `self.record`; its file line.
    fn advance(&mut self) -> Result<Option<u64>> {
        loop {
            let more = self
                .reader
                .read_byte_record(&mut self.record)
                .map_err(|e| csv_error(self.path, self.first_line, e))?;
            if !more {
                return Ok(None);
            }
            if self.record.iter().all(is_blank) {
                continue;
            }
            let line = self
                .record
                .position()
                .map(|p| p.line() + self.first_line - 1)
                .unwrap_or(self.first_line);
            if self
                .record
                .get(0)
                .is_some_and(|c| c.contains(&b'#') && text(c).trim_start().starts_with('#'))
            {
                return Err(Error::MetadataAfterData {
                    at: Location::line(self.path, line),
                });
            }
            let n = self.record.len();
            if self.trailing && n > 1 && self.record.get(n - 1).is_some_and(is_blank) {
                self.record.truncate(n - 1);
            }
            return Ok(Some(line));
        }
    }
}

/// A cell of only spaces (Unicode ones too).
fn is_blank(cell: &[u8]) -> bool {
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
    /// else `fallback` (a suffix or the `units` key).
    fn volt_unit(
        &self,
        line: u64,
        column: usize,
        cell: &HeaderCell,
        fallback: VoltUnit,
    ) -> Result<VoltUnit> {
        match (self.forced_unit, &cell.bracket_unit) {
            (Some(u), _) => Ok(u),
            (None, Some(u)) => VoltUnit::parse(u).ok_or_else(|| Error::UnknownUnit {
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
        let mv = self.number(cell, line, column)? * to_mv;
        if mv.is_finite() && mv.abs() <= MAX_ABS_SAMPLE_MV {
            return Ok(mv);
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
    header_line: u64,
    /// (line, time in the file's unit) per sample.
    times: Vec<(u64, f64)>,
    labels: Vec<ResponseLabel>,
    /// Column-major: one vector of mV values per label.
    columns: Vec<Vec<f64>>,
}

/// Metadata read from the `# key: value` lines.
#[derive(Default)]
struct Meta {
    all: BTreeMap<String, String>,
    lines: BTreeMap<String, u64>,
    units: Option<VoltUnit>,
    /// The delimiter an Excel `sep=;` first line declares.
    sep: Option<Delimiter>,
}

/// Adds one `# key: value` line; a key given twice or a value longer than
/// [`MAX_METADATA_CHARS`] is an error.
fn add_metadata(path: &Path, meta: &mut Meta, key: String, value: &str, line: u64) -> Result<()> {
    let bad = |detail: String| Error::BadMetadata {
        at: Location::line(path, line),
        key: key.clone(),
        detail,
    };
    if let Some(first) = meta.lines.get(&key) {
        return Err(bad(format!(
            "given twice (first on line {first}); which one holds is unknown"
        )));
    }
    let chars = value.chars().count();
    if chars > MAX_METADATA_CHARS {
        return Err(bad(format!(
            "{chars} characters; at most {MAX_METADATA_CHARS} are accepted"
        )));
    }
    meta.all.insert(key.clone(), value.to_string());
    meta.lines.insert(key, line);
    Ok(())
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

fn csv_error(path: &Path, first_line: u64, e: csv::Error) -> Error {
    let line = e
        .position()
        .map(|p| p.line() + first_line - 1)
        .unwrap_or(first_line);
    Error::BadHeader {
        at: Location::line(path, line),
        detail: e.to_string(),
    }
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
                cell.name
            ),
        }),
    }
}

fn read_wide(
    ctx: &Ctx,
    header_line: u64,
    cells: &[HeaderCell],
    rows: &mut Rows<'_>,
    default_unit: VoltUnit,
) -> Result<Parsed> {
    let path = ctx.path;
    let time_unit = time_unit_of(path, header_line, 0, &cells[0])?;
    let (labels, units) = wide_columns(ctx, header_line, cells, default_unit)?;
    let scales: Vec<f64> = units.iter().map(|u| u.to_mv()).collect();
    let mut times = Vec::new();
    let mut columns: Vec<Vec<f64>> = vec![Vec::new(); labels.len()];
    while let Some(line) = rows.advance()? {
        let record = &rows.record;
        if times.is_empty() {
            // Room for as many rows as the body holds lines like this one:
            // growing 50 columns by doubling cost a tenth of reading.
            let row_bytes = record.as_slice().len() + record.len();
            let rows_left = rows.body_bytes / row_bytes.max(1) + 1;
            times.reserve(rows_left);
            columns.iter_mut().for_each(|c| c.reserve(rows_left));
        }
        if record.len() != cells.len() {
            return Err(Error::Ragged {
                at: Location::line(path, line),
                expected: cells.len(),
                found: record.len(),
            });
        }
        let mut cells = record.iter();
        let time = cells.next().unwrap_or_default();
        times.push((line, ctx.number(time, line, 0)?));
        // Cells in order, not indexed: each index looks up both ends.
        for (j, ((column, cell), scale)) in columns.iter_mut().zip(cells).zip(&scales).enumerate() {
            column.push(ctx.sample(cell, line, j + 1, *scale)?);
        }
    }
    if times.is_empty() {
        return Err(Error::NoData {
            at: Location::line(path, header_line),
        });
    }
    Ok(Parsed {
        layout: Layout::Wide,
        time_unit,
        units: units[0],
        header_line,
        times,
        labels,
        columns,
    })
}

/// The wide layout's response columns after the time column: each label
/// (unique) and its unit.
fn wide_columns(
    ctx: &Ctx,
    header_line: u64,
    cells: &[HeaderCell],
    default_unit: VoltUnit,
) -> Result<(Vec<ResponseLabel>, Vec<VoltUnit>)> {
    let path = ctx.path;
    let mut labels: Vec<ResponseLabel> = Vec::new();
    let mut seen: HashSet<ResponseLabel> = HashSet::new();
    let mut units = Vec::new();
    for (i, cell) in cells.iter().enumerate().skip(1) {
        let at = || Location::cell(path, header_line, i as u64 + 1);
        if is_response_id(cell) || value_column(cell).is_some() {
            return Err(Error::MixedLayout {
                at: at(),
                detail: format!(
                    "column {:?} belongs to the long layout, but the first column is time (wide layout)",
                    cell.name
                ),
            });
        }
        let bad_header = |detail: &str| Error::BadHeader {
            at: at(),
            detail: detail.to_string(),
        };
        if time_column(cell).is_some() {
            return Err(bad_header("a second time column"));
        }
        if cell.name.is_empty() {
            return Err(bad_header(
                "an empty column name; expected a response label (r1, pre, post_30s)",
            ));
        }
        let (name, suffix_unit) = response_label(&cell.name);
        let label = ResponseLabel::parse(&name);
        let unit = ctx.volt_unit(header_line, i, cell, suffix_unit.unwrap_or(default_unit))?;
        if !seen.insert(label.clone()) {
            return Err(Error::DuplicateLabel {
                at: at(),
                label: label.to_string(),
            });
        }
        labels.push(label);
        units.push(unit);
    }
    if labels.is_empty() {
        return Err(Error::NoResponses {
            at: Location::line(path, header_line),
        });
    }
    Ok((labels, units))
}

fn read_long(
    ctx: &Ctx,
    header_line: u64,
    cells: &[HeaderCell],
    rows: &mut Rows<'_>,
    default_unit: VoltUnit,
) -> Result<Parsed> {
    let (time_unit, unit) = long_header(ctx, header_line, cells, default_unit)?;
    let (labels, groups) = long_groups(ctx, rows, unit.to_mv())?;
    if groups.is_empty() {
        return Err(Error::NoData {
            at: Location::line(ctx.path, header_line),
        });
    }
    check_long_axes(ctx.path, header_line, &labels, &groups)?;
    let times = groups[0].0.clone();
    let columns = groups.into_iter().map(|g| g.1).collect();
    Ok(Parsed {
        layout: Layout::Long,
        time_unit,
        units: unit,
        header_line,
        times,
        labels,
        columns,
    })
}

/// The long layout's header: exactly response, time, value; the time and
/// value units.
fn long_header(
    ctx: &Ctx,
    header_line: u64,
    cells: &[HeaderCell],
    default_unit: VoltUnit,
) -> Result<(TimeUnit, VoltUnit)> {
    let path = ctx.path;
    if cells.len() != 3 {
        return Err(Error::MixedLayout {
            at: Location::line(path, header_line),
            detail: format!(
                "the first column {:?} starts the long layout, which has exactly three columns (response, time, value); found {}",
                cells[0].name,
                cells.len()
            ),
        });
    }
    let time_unit = time_unit_of(path, header_line, 1, &cells[1])?;
    let Some(name_unit) = value_column(&cells[2]) else {
        return Err(Error::BadHeader {
            at: Location::cell(path, header_line, 3),
            detail: format!(
                "expected a value column (value_mv, value_uv, value, mv, uv), found {:?}",
                cells[2].name
            ),
        });
    };
    let unit = ctx.volt_unit(header_line, 2, &cells[2], name_unit.unwrap_or(default_unit))?;
    Ok((time_unit, unit))
}

/// The long layout's rows, grouped by response (each response's rows
/// together), values scaled to mV.
fn long_groups(
    ctx: &Ctx,
    rows: &mut Rows<'_>,
    scale: f64,
) -> Result<(Vec<ResponseLabel>, Vec<Group>)> {
    let path = ctx.path;
    let mut labels: Vec<ResponseLabel> = Vec::new();
    // Seen labels: a linear search made reading quadratic in responses.
    let mut seen: HashSet<ResponseLabel> = HashSet::new();
    let mut groups: Vec<Group> = Vec::new();
    // The id of the group being filled, as written: a label is parsed only
    // when the id changes, not on every row.
    let mut current_id = String::new();
    while let Some(line) = rows.advance()? {
        let record = &rows.record;
        if record.len() != 3 {
            return Err(Error::Ragged {
                at: Location::line(path, line),
                expected: 3,
                found: record.len(),
            });
        }
        let id = text(&record[0]);
        let id = id.trim();
        if id.is_empty() {
            return Err(Error::BadLongLayout {
                at: Location::cell(path, line, 1),
                detail: "an empty response id".to_string(),
            });
        }
        let time = ctx.number(&record[1], line, 1)?;
        let value = ctx.sample(&record[2], line, 2, scale)?;
        if groups.is_empty() || id != current_id {
            let label = long_label(id);
            if labels.last() != Some(&label) {
                if !seen.insert(label.clone()) {
                    return Err(Error::DuplicateLabel {
                        at: Location::cell(path, line, 1),
                        label: format!("{label} (rows of one response must be together)"),
                    });
                }
                labels.push(label);
                groups.push((Vec::new(), Vec::new()));
            }
            current_id.clear();
            current_id.push_str(id);
        }
        if let Some(group) = groups.last_mut() {
            group.0.push((line, time));
            group.1.push(value);
        }
    }
    Ok((labels, groups))
}

/// Every response of a long file on the first response's time axis.
fn check_long_axes(
    path: &Path,
    header_line: u64,
    labels: &[ResponseLabel],
    groups: &[Group],
) -> Result<()> {
    let (times, _) = &groups[0];
    for (label, (group_times, _)) in labels.iter().zip(groups).skip(1) {
        let first_line = group_times.first().map(|t| t.0).unwrap_or(header_line);
        if group_times.len() != times.len() {
            return Err(Error::BadLongLayout {
                at: Location::line(path, first_line),
                detail: format!(
                    "response \"{label}\" has {} samples, the first response {}; every response needs the same time axis",
                    group_times.len(),
                    times.len()
                ),
            });
        }
        let step = (times[times.len() - 1].1 - times[0].1).abs() / times.len().max(2) as f64;
        for ((line, t), (_, t_first)) in group_times.iter().zip(times) {
            // Times agree to a hundredth of a sample step.
            if (t - t_first).abs() > 0.01 * step + 1e-9 {
                return Err(Error::BadLongLayout {
                    at: Location::cell(path, *line, 2),
                    detail: format!(
                        "response \"{label}\" has time {t} where the first response has {t_first}; every response needs the same time axis"
                    ),
                });
            }
        }
    }
    Ok(())
}

/// One long-layout response: (line, time) per sample, and its values.
type Group = (Vec<(u64, f64)>, Vec<f64>);

/// Long-layout ids: `1` and `r1` are the same response.
fn long_label(cell: &str) -> ResponseLabel {
    let id = cell.trim();
    if !id.is_empty() && id.chars().all(|c| c.is_ascii_digit()) {
        ResponseLabel::parse(&format!("r{id}"))
    } else {
        ResponseLabel::parse(id)
    }
}

fn finish(
    path: &Path,
    delimiter: Delimiter,
    mut meta: Meta,
    parsed: Parsed,
    options: &ReadOptions,
) -> Result<Recording> {
    let (t0_ms, dt_ms) = time_axis(path, &parsed)?;
    let sampling_rate_hz = 1000.0 / dt_ms;
    let fields = metadata_fields(path, &mut meta, sampling_rate_hz, options)?;
    let sweep_ms = parsed.times.len() as f64 * dt_ms;
    let (protocol, protocol_source) =
        resolve_protocol(path, &meta, &parsed, fields.stim_rate_hz, sweep_ms, options)?;
    check_labels(path, &parsed, protocol)?;
    let n = parsed.times.len();
    // Every column holds `n` samples (the layout readers check it).
    let samples_mv = Array2::from_shape_fn((parsed.labels.len(), n), |(i, j)| {
        parsed.columns[i].get(j).copied().unwrap_or(f64::NAN)
    });
    let record = record_fields(path, &meta)?;
    let text = |key: &str| meta.all.get(key).filter(|v| !v.is_empty()).cloned();
    Ok(Recording {
        source: SourceInfo {
            path: path.to_path_buf(),
            file_name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string()),
            layout: parsed.layout,
            delimiter,
            decimal_comma: delimiter != Delimiter::Comma,
            units: parsed.units,
            time_in_seconds: parsed.time_unit == TimeUnit::S,
        },
        sampling_rate_hz,
        t0_ms,
        labels: parsed.labels,
        samples_mv,
        protocol,
        protocol_source,
        stim_rate_hz: fields.stim_rate_hz,
        exercise_s: fields.exercise_s,
        temperature_c: fields.temperature_c,
        polarity: fields.polarity,
        muscle: text("muscle"),
        nerve: text("nerve"),
        side: text("side"),
        study_id: text("study_id"),
        record,
        metadata: meta.all,
    })
}

/// Checks the time column (enough samples, increasing, uniform) and returns
/// the first time and the sampling interval, both in ms.
fn time_axis(path: &Path, parsed: &Parsed) -> Result<(f64, f64)> {
    let n = parsed.times.len();
    if n < MIN_SAMPLES {
        return Err(Error::TooFewSamples {
            at: Location::line(path, parsed.header_line),
            found: n,
            min: MIN_SAMPLES,
        });
    }
    let to_ms = match parsed.time_unit {
        TimeUnit::Ms => 1.0,
        TimeUnit::S => 1000.0,
    };
    for pair in parsed.times.windows(2) {
        let ((_, previous), (line, found)) = (pair[0], pair[1]);
        if found <= previous {
            return Err(Error::TimeNotIncreasing {
                at: Location::cell(path, line, time_column_index(parsed.layout)),
                previous,
                found,
            });
        }
    }
    let t0_ms = parsed.times[0].1 * to_ms;
    // The uniform grid that fits the times best (least squares), so that
    // rounding of the first or last value does not tilt it.
    let (grid_start, dt_ms) = fit_grid(&parsed.times, to_ms);
    check_axis_ranges(path, parsed, t0_ms, dt_ms)?;
    let tolerance = GRID_TOLERANCE * dt_ms + TIME_ROUNDING_MS;
    let off_grid = |start: f64, step: f64| {
        parsed.times.iter().enumerate().find_map(|(i, (line, t))| {
            let ideal = start + i as f64 * step;
            ((t * to_ms - ideal).abs() > tolerance).then_some((*line, t * to_ms, ideal, step))
        })
    };
    if off_grid(grid_start, dt_ms).is_some() {
        // Not uniform. Say where it departs from the grid its first
        // intervals set (the best-fit grid spreads a drift over the file).
        let step = first_step_ms(&parsed.times, to_ms);
        let (line, found, ideal, step) = off_grid(t0_ms, step)
            .or_else(|| off_grid(grid_start, dt_ms))
            .unwrap_or((parsed.header_line, t0_ms, t0_ms, dt_ms));
        return Err(Error::NonUniformTime {
            at: Location::cell(path, line, time_column_index(parsed.layout)),
            expected_ms: significant(ideal, 9),
            found_ms: significant(found, 9),
            off_ms: significant(found - ideal, 3),
            step_ms: significant(step, 9),
        });
    }
    Ok((t0_ms, dt_ms))
}

/// The time axis against the plausible ranges: sampling rate, sweep length
/// and where the first sample lies relative to the stimulus.
fn check_axis_ranges(path: &Path, parsed: &Parsed, t0_ms: f64, dt_ms: f64) -> Result<()> {
    let column = time_column_index(parsed.layout);
    let first_line = parsed.times.first().map_or(parsed.header_line, |t| t.0);
    let bad = |line: u64, detail: String| {
        Err(Error::Implausible {
            at: Location::cell(path, line, column),
            detail,
        })
    };
    let seconds_hint = match parsed.time_unit {
        TimeUnit::Ms => "; if the time column is in seconds, name it time_s or \"Time (s)\"",
        TimeUnit::S => "",
    };
    let fs_hz = 1000.0 / dt_ms;
    if !(dt_ms.is_finite() && t0_ms.is_finite() && within(fs_hz, SAMPLING_RANGE_HZ)) {
        return bad(
            parsed.header_line,
            format!(
                "the time column gives a sampling interval of {} ms ({} Hz); EMG recordings are sampled at {}-{} kHz{seconds_hint}",
                show(dt_ms),
                show(fs_hz),
                SAMPLING_RANGE_HZ.0 / 1000.0,
                SAMPLING_RANGE_HZ.1 / 1000.0
            ),
        );
    }
    let sweep_ms = parsed.times.len() as f64 * dt_ms;
    if !within(sweep_ms, SWEEP_RANGE_MS) {
        return bad(
            parsed.header_line,
            format!(
                "the sweep lasts {} ms; sweeps of {}-{} ms are read (a longer one is a continuous recording){seconds_hint}",
                show(sweep_ms),
                SWEEP_RANGE_MS.0,
                SWEEP_RANGE_MS.1
            ),
        );
    }
    if !within(t0_ms, FIRST_SAMPLE_RANGE_MS) {
        return bad(
            first_line,
            format!(
                "the first sample is at {} ms; time 0 must be the stimulus, with the first sample between {} and {} ms",
                show(t0_ms),
                FIRST_SAMPLE_RANGE_MS.0,
                FIRST_SAMPLE_RANGE_MS.1
            ),
        );
    }
    Ok(())
}

/// The metadata values the analysis uses, after the caller's overrides.
struct Fields {
    stim_rate_hz: Option<f64>,
    exercise_s: Option<f64>,
    temperature_c: Option<f64>,
    polarity: Polarity,
}

/// Reads the numeric and enumerated metadata, applying the overrides (which
/// are also written back into the metadata map, so every output shows the
/// value used).
fn metadata_fields(
    path: &Path,
    meta: &mut Meta,
    sampling_rate_hz: f64,
    options: &ReadOptions,
) -> Result<Fields> {
    apply_overrides(meta, options);
    let meta_at = |key: &str| Location::line(path, meta.lines.get(key).copied().unwrap_or(1));
    let number = |key: &str| -> Result<Option<f64>> {
        match meta.all.get(key) {
            None => Ok(None),
            Some(v) => match v.replace(',', ".").parse::<f64>().ok() {
                Some(x) if x.is_finite() && x > 0.0 => Ok(Some(x)),
                _ => Err(Error::BadMetadata {
                    at: meta_at(key),
                    key: key.to_string(),
                    detail: format!("expected a positive number, found {v:?}"),
                }),
            },
        }
    };
    let ranged = |key: &str, range: (f64, f64), unit: &str| -> Result<Option<f64>> {
        match number(key)? {
            Some(x) if !within(x, range) => Err(Error::BadMetadata {
                at: meta_at(key),
                key: key.to_string(),
                detail: format!(
                    "{} {unit} is outside the plausible {}-{} {unit}",
                    show(x),
                    range.0,
                    range.1
                ),
            }),
            x => Ok(x),
        }
    };
    let stim_rate_hz = ranged("stim_rate_hz", STIM_RATE_RANGE_HZ, "Hz")?;
    let exercise_s = ranged("exercise_s", EXERCISE_RANGE_S, "s")?;
    let temperature_c = ranged("temperature_c", TEMPERATURE_RANGE_C, "C")?;
    if let Some(fs) = number("sampling_rate_hz")? {
        if (fs - sampling_rate_hz).abs() > 0.01 * sampling_rate_hz {
            return Err(Error::BadMetadata {
                at: meta_at("sampling_rate_hz"),
                key: "sampling_rate_hz".to_string(),
                detail: format!(
                    "{fs} Hz disagrees with the time column ({} Hz)",
                    round_to(sampling_rate_hz, 3)
                ),
            });
        }
    }
    let polarity = match meta.all.get("polarity").map(|s| s.to_lowercase()) {
        None => Polarity::Normal,
        Some(p) if p == "normal" => Polarity::Normal,
        Some(p) if p == "inverted" => Polarity::Inverted,
        Some(p) => {
            return Err(Error::BadMetadata {
                at: meta_at("polarity"),
                key: "polarity".to_string(),
                detail: format!("expected normal or inverted, found {p:?}"),
            })
        }
    };
    Ok(Fields {
        stim_rate_hz,
        exercise_s,
        temperature_c,
        polarity,
    })
}

/// The test's clinical record (`docs/formats.md`): each value checked
/// against its plausible range, an error naming the key's line otherwise.
fn record_fields(path: &Path, meta: &Meta) -> Result<TestRecord> {
    let bad = |key: &str, detail: String| Error::BadMetadata {
        at: Location::line(path, meta.lines.get(key).copied().unwrap_or(1)),
        key: key.to_string(),
        detail,
    };
    let value = |key: &str| {
        meta.all
            .get(key)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    };
    let ranged = |key: &str, (lo, hi): (f64, f64), unit: &str| -> Result<Option<f64>> {
        let Some(v) = value(key) else {
            return Ok(None);
        };
        match v.replace(',', ".").parse::<f64>() {
            Ok(x) if within(x, (lo, hi)) => Ok(Some(x)),
            _ => Err(bad(key, format!("expected {lo}-{hi} {unit}, found {v:?}"))),
        }
    };
    let supramaximal = match value("supramaximal").map(str::to_lowercase).as_deref() {
        None => None,
        Some("yes" | "y" | "true" | "1") => Some(true),
        Some("no" | "n" | "false" | "0") => Some(false),
        Some(v) => {
            return Err(bad(
                "supramaximal",
                format!("expected yes or no, found {v:?}"),
            ))
        }
    };
    let train = match value("train") {
        None => None,
        Some(v) => match v.parse::<u32>() {
            Ok(n) if (TRAIN_RANGE.0..=TRAIN_RANGE.1).contains(&n) => Some(n),
            _ => {
                let (lo, hi) = TRAIN_RANGE;
                return Err(bad(
                    "train",
                    format!("expected a repeat number {lo}-{hi}, found {v:?}"),
                ));
            }
        },
    };
    let exercise_phase = match value("exercise_phase") {
        None => None,
        Some(v) => Some(ExercisePhase::parse(v).ok_or_else(|| {
            bad(
                "exercise_phase",
                format!(
                    "expected rest, post_0s, post_60s, post_2min ... (whole seconds or minutes, up to 30 min), found {v:?}"
                ),
            )
        })?),
    };
    Ok(TestRecord {
        stim_intensity_ma: ranged("stim_intensity_ma", STIM_INTENSITY_RANGE_MA, "mA")?,
        stim_duration_ms: ranged("stim_duration_ms", STIM_DURATION_RANGE_MS, "ms")?,
        supramaximal,
        train,
        exercise_phase,
        // `pyridostigmine_h`, as the flag is spelt, is read too.
        pyridostigmine_last_dose_h: match ranged(
            "pyridostigmine_last_dose_h",
            PYRIDOSTIGMINE_RANGE_H,
            "h",
        )? {
            Some(h) => Some(h),
            None => ranged("pyridostigmine_h", PYRIDOSTIGMINE_RANGE_H, "h")?,
        },
        medication: value("medication").map(str::to_string),
    })
}

/// Writes the caller's overrides into the metadata map (they win).
fn apply_overrides(meta: &mut Meta, options: &ReadOptions) {
    let o = &options.overrides;
    let mut set = |key: &str, value: Option<String>| {
        if let Some(v) = value {
            meta.all.insert(key.to_string(), v);
            meta.lines.remove(key);
        }
    };
    set("stim_rate_hz", o.stim_rate_hz.map(|v| v.to_string()));
    set("exercise_s", o.exercise_s.map(|v| v.to_string()));
    set("temperature_c", o.temperature_c.map(|v| v.to_string()));
    set("muscle", o.muscle.clone());
    set("nerve", o.nerve.clone());
    set("side", o.side.clone());
    set("examiner", o.examiner.clone());
    set("indication", o.indication.clone());
    set("medication", o.medication.clone());
    set(
        "stim_intensity_ma",
        o.stim_intensity_ma.map(|v| v.to_string()),
    );
    set(
        "stim_duration_ms",
        o.stim_duration_ms.map(|v| v.to_string()),
    );
    set(
        "supramaximal",
        o.supramaximal
            .map(|s| if s { "yes" } else { "no" }.to_string()),
    );
    set(
        "pyridostigmine_last_dose_h",
        o.pyridostigmine_last_dose_h.map(|v| v.to_string()),
    );
    set(
        "polarity",
        o.polarity.map(|p| match p {
            Polarity::Normal => "normal".to_string(),
            Polarity::Inverted => "inverted".to_string(),
        }),
    );
    if let Some(u) = o.units {
        let name = match u {
            VoltUnit::Millivolt => "mV",
            VoltUnit::Microvolt => "uV",
            VoltUnit::Volt => "V",
        };
        set("units", Some(name.to_string()));
    }
}

/// A train this long cannot be a low-rate one (2-5 Hz trains have 5-10
/// stimuli) when its sweeps are this short: the rate must be given.
const HIGH_RATE_MIN_RESPONSES: usize = 20;
/// Sweeps shorter than this (ms) fit a high-rate train (100 ms is the
/// interval at 10 Hz).
const HIGH_RATE_MAX_SWEEP_MS: f64 = 100.0;

/// The labels a protocol's measures rest on: a train is `r1, r2, ...` in
/// order, with none missing (the decrement is to the 4th *recorded*
/// response, so a shuffled or gapped train would change the diagnosis); an
/// exercise test has one `pre` and at least one `post`/`post_<N>s`, and
/// nothing else (the increment is measured against `pre`).
fn check_labels(path: &Path, parsed: &Parsed, protocol: Protocol) -> Result<()> {
    let at = |i: usize| match parsed.layout {
        Layout::Wide => Location::cell(path, parsed.header_line, i as u64 + 2),
        _ => Location::line(path, parsed.header_line),
    };
    let bad = |i: usize, detail: String| Err(Error::BadHeader { at: at(i), detail });
    match protocol {
        Protocol::Exercise => {
            for (i, label) in parsed.labels.iter().enumerate() {
                if !label.is_exercise() {
                    return bad(i, format!(
                        "response {label:?} in an exercise test; expected pre, post or post_<seconds>s (e.g. post_30s)",
                        label = label.to_string()
                    ));
                }
            }
            let pres = parsed
                .labels
                .iter()
                .filter(|l| **l == ResponseLabel::Pre)
                .count();
            if pres != 1 || parsed.labels.len() < 2 {
                return bad(0, format!(
                    "an exercise test needs one pre-exercise response (`pre`) and at least one after (`post_0s`, ...); found {pres} pre and {} after",
                    parsed.labels.len() - pres
                ));
            }
        }
        _ => {
            for (i, label) in parsed.labels.iter().enumerate() {
                if *label != ResponseLabel::Train(i as u32 + 1) {
                    return bad(i, format!(
                        "response {:?} where r{} belongs: a train's responses are r1, r2, r3, ... in order, none missing",
                        label.to_string(),
                        i + 1
                    ));
                }
            }
        }
    }
    Ok(())
}

/// A declared protocol and rate must agree: a 50 Hz `rns` or a 3 Hz
/// `hfrns` would be judged by the wrong criterion.
fn check_rate_fits(
    path: &Path,
    meta: &Meta,
    protocol: Protocol,
    stim_rate_hz: Option<f64>,
) -> Result<()> {
    let Some(rate) = stim_rate_hz else {
        return Ok(());
    };
    if protocol.accepts_rate(rate) {
        return Ok(());
    }
    let line = meta
        .lines
        .get("stim_rate_hz")
        .or_else(|| meta.lines.get("protocol"))
        .copied()
        .unwrap_or(1);
    Err(Error::BadMetadata {
        at: Location::line(path, line),
        key: "stim_rate_hz".to_string(),
        detail: format!(
            "{rate} Hz contradicts protocol {} (rns is below {HIGH_RATE_MIN_HZ} Hz, hfrns at or above)",
            protocol.code()
        ),
    })
}

/// The protocol: declared, else the caller's, else inferred when the data
/// make it certain; a long train of short sweeps with no rate is refused.
fn resolve_protocol(
    path: &Path,
    meta: &Meta,
    parsed: &Parsed,
    stim_rate_hz: Option<f64>,
    sweep_ms: f64,
    options: &ReadOptions,
) -> Result<(Protocol, ProtocolSource)> {
    let meta_at = |key: &str| Location::line(path, meta.lines.get(key).copied().unwrap_or(1));
    let declared = match meta.all.get("protocol") {
        None => None,
        Some(p) => Some(Protocol::parse(p).ok_or_else(|| Error::BadMetadata {
            at: meta_at("protocol"),
            key: "protocol".to_string(),
            detail: format!("expected rns, hfrns or exercise, found {p:?}"),
        })?),
    };
    let chosen = match (declared, options.protocol) {
        (Some(p), _) => Some((p, ProtocolSource::Metadata)),
        (None, Some(p)) => Some((p, ProtocolSource::Option)),
        (None, None) => None,
    };
    if let Some((protocol, source)) = chosen {
        check_rate_fits(path, meta, protocol, stim_rate_hz)?;
        return Ok((protocol, source));
    }
    let n = parsed.labels.len();
    let exercise = parsed.labels.iter().any(ResponseLabel::is_exercise);
    if !exercise
        && stim_rate_hz.is_none()
        && n >= HIGH_RATE_MIN_RESPONSES
        && sweep_ms < HIGH_RATE_MAX_SWEEP_MS
    {
        return Err(Error::BadMetadata {
            at: Location::line(path, parsed.header_line),
            key: "stim_rate_hz".to_string(),
            detail: format!(
                "{n} responses in {sweep_ms:.1} ms sweeps cannot be a low-rate (2-5 Hz) train, and the file gives no rate: add `# stim_rate_hz: <Hz>` (and `# protocol: hfrns`) or pass --rate"
            ),
        });
    }
    Ok((
        infer_protocol(&parsed.labels, stim_rate_hz),
        ProtocolSource::Inferred,
    ))
}

/// Least-squares line through (index, time in ms): (intercept, slope).
fn fit_grid(times: &[(u64, f64)], to_ms: f64) -> (f64, f64) {
    let n = times.len() as f64;
    let mean_i = (n - 1.0) / 2.0;
    let mean_t = times.iter().map(|(_, t)| t * to_ms).sum::<f64>() / n;
    let mut sxy = 0.0;
    let mut sxx = 0.0;
    for (i, (_, t)) in times.iter().enumerate() {
        let dx = i as f64 - mean_i;
        sxy += dx * (t * to_ms - mean_t);
        sxx += dx * dx;
    }
    let slope = sxy / sxx;
    (mean_t - slope * mean_i, slope)
}

/// Intervals that set the step a non-uniform file starts with.
const FIRST_INTERVALS: usize = 10;

/// The median of the first intervals (ms): the step the file starts with.
fn first_step_ms(times: &[(u64, f64)], to_ms: f64) -> f64 {
    let mut steps: Vec<f64> = times
        .windows(2)
        .take(FIRST_INTERVALS)
        .map(|w| (w[1].1 - w[0].1) * to_ms)
        .collect();
    steps.sort_by(f64::total_cmp);
    steps.get(steps.len() / 2).copied().unwrap_or(0.0)
}

fn time_column_index(layout: Layout) -> u64 {
    match layout {
        Layout::Wide => 1,
        Layout::Long => 2,
    }
}

fn infer_protocol(labels: &[ResponseLabel], stim_rate_hz: Option<f64>) -> Protocol {
    if labels.iter().any(ResponseLabel::is_exercise) {
        Protocol::Exercise
    } else if stim_rate_hz.is_some_and(|r| r >= HIGH_RATE_MIN_HZ) {
        Protocol::Hfrns
    } else {
        Protocol::Rns
    }
}

/// `value` to `digits` significant digits (for messages: enough digits to
/// show how two numbers differ).
fn significant(value: f64, digits: i32) -> f64 {
    if value == 0.0 || !value.is_finite() {
        return value;
    }
    let decimals = digits - 1 - value.abs().log10().floor() as i32;
    round_to(value, decimals.clamp(-300, 300))
}

fn round_to(value: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (value * f).round() / f
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn parse(text: &str) -> Result<Recording> {
        parse_trace(
            &PathBuf::from("t.csv"),
            text.as_bytes(),
            &ReadOptions::default(),
        )
    }

    fn wide(n: usize) -> String {
        let mut s = String::from("time_ms,r1,r2\n");
        for i in 0..n {
            s.push_str(&format!(
                "{},{},{}\n",
                i as f64 * 0.05 - 1.0,
                i,
                -(i as f64)
            ));
        }
        s
    }

    #[test]
    fn reads_a_plain_wide_file() {
        let r = parse(&format!(
            "# protocol: rns\n# Stim-Rate_Hz: 3\n{}",
            wide(200)
        ))
        .unwrap();
        assert_eq!(r.labels, ["r1", "r2"]);
        assert_eq!(r.samples_mv.dim(), (2, 200));
        assert!((r.sampling_rate_hz - 20_000.0).abs() < 1e-6);
        assert!((r.t0_ms + 1.0).abs() < 1e-12);
        assert_eq!(r.stim_rate_hz, Some(3.0));
        assert_eq!(r.protocol_source, ProtocolSource::Metadata);
        assert_eq!(r.samples_mv[[1, 3]], -3.0);
    }

    #[test]
    fn infers_protocol_from_rate_and_labels() {
        let r = parse(&format!("# stim_rate_hz: 50\n{}", wide(200))).unwrap();
        assert_eq!(
            (r.protocol, r.protocol_source),
            (Protocol::Hfrns, ProtocolSource::Inferred)
        );
        let ex = wide(200).replace("r1,r2", "pre,post_10s");
        assert_eq!(parse(&ex).unwrap().protocol, Protocol::Exercise);
        let forced_as = |protocol| {
            let options = ReadOptions {
                protocol: Some(protocol),
                ..ReadOptions::default()
            };
            parse_trace(&PathBuf::from("t.csv"), wide(200).as_bytes(), &options)
        };
        let opt = forced_as(Protocol::Rns).unwrap();
        assert_eq!(opt.protocol_source, ProtocolSource::Option);
        // Labels must fit the protocol: a train forced to be an exercise
        // test has no `pre`.
        let forced = forced_as(Protocol::Exercise).unwrap_err();
        assert!(forced.to_string().contains("exercise test"), "{forced}");
    }

    /// A train of `n` responses of `samples` samples at 20 kHz.
    fn train(n: usize, samples: usize) -> String {
        let mut s = String::from("time_ms");
        for k in 1..=n {
            s.push_str(&format!(",r{k}"));
        }
        s.push('\n');
        for i in 0..samples {
            s.push_str(&format!("{}", i as f64 * 0.05));
            for _ in 0..n {
                s.push_str(",0");
            }
            s.push('\n');
        }
        s
    }

    #[test]
    fn a_long_train_of_short_sweeps_needs_a_rate() {
        // 50 responses of 19.5 ms cannot be a 3 Hz train.
        let e = parse(&train(50, 390)).unwrap_err().to_string();
        assert!(e.contains("stim_rate_hz") && e.contains("--rate"), "{e}");
        assert!(e.contains("line 1"), "{e}");
        // With the rate it is a high-rate train; ten responses stay rns.
        let r = parse(&format!("# stim_rate_hz: 50\n{}", train(50, 390))).unwrap();
        assert_eq!(r.protocol, Protocol::Hfrns);
        let opts = ReadOptions {
            overrides: crate::io::Overrides {
                stim_rate_hz: Some(50.0),
                ..Default::default()
            },
            ..ReadOptions::default()
        };
        let r = parse_trace(&PathBuf::from("t.csv"), train(50, 390).as_bytes(), &opts).unwrap();
        assert_eq!((r.protocol, r.stim_rate_hz), (Protocol::Hfrns, Some(50.0)));
        assert_eq!(r.metadata["stim_rate_hz"], "50");
        assert_eq!(parse(&train(10, 390)).unwrap().protocol, Protocol::Rns);
    }

    #[test]
    fn overrides_win_over_the_file() {
        let text = format!(
            "# units: mV\n# muscle: APB\n# temperature_c: 33\n{}",
            wide(200).replace("r1,r2", "R1 (mV),R2 (mV)")
        );
        let opts = ReadOptions {
            overrides: crate::io::Overrides {
                units: Some(VoltUnit::Microvolt),
                muscle: Some("ADM".into()),
                temperature_c: Some(31.5),
                polarity: Some(Polarity::Inverted),
                ..Default::default()
            },
            ..ReadOptions::default()
        };
        let r = parse_trace(&PathBuf::from("t.csv"), text.as_bytes(), &opts).unwrap();
        assert_eq!(r.samples_mv[[0, 3]], 0.003, "3 uV");
        assert_eq!(r.muscle.as_deref(), Some("ADM"));
        assert_eq!(r.temperature_c, Some(31.5));
        assert_eq!(r.polarity, Polarity::Inverted);
        let plain = parse(&text).unwrap();
        assert_eq!(
            (plain.samples_mv[[0, 3]], plain.temperature_c),
            (3.0, Some(33.0))
        );
        let cold = format!("# temperature_c: 3.2\n{}", wide(200));
        let e = parse(&cold).unwrap_err().to_string();
        assert!(e.contains("line 1") && e.contains("temperature"), "{e}");
    }

    #[test]
    fn rounded_time_values_are_uniform_enough() {
        // 48 kHz written with 3 decimals: up to 0.5 us rounding per sample.
        let mut s = String::from("time_ms,r1\n");
        for i in 0..300 {
            s.push_str(&format!("{:.3},0\n", i as f64 / 48.0));
        }
        let r = parse(&s).unwrap();
        assert!((r.sampling_rate_hz - 48_000.0).abs() < 48.0);
    }
}
