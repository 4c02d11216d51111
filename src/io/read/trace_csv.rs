//! The CSV trace reader of input contract v1 (`docs/formats.md`).
//!
//! Metadata lines (`# key: value`) are taken off the top line by line; the
//! rest is tokenised by the `csv` crate, and every error names the file line
//! it came from.

use std::collections::HashSet;
use std::path::Path;

use ndarray::Array2;

use super::assemble::{add_metadata, build, file_name, round_to, LabelsAt, Meta, Sweeps};
use super::continuous;
use super::header::{
    is_response_id, normalise_key, response_label, time_column, value_column, HeaderCell, TimeUnit,
};
use super::number;
use super::records::Records;
use super::signals::{Channel, ChannelData, Segment, SignalFile};
use super::text::{decode, detect_delimiter};
use crate::error::{show, Error, Location, Result};
use crate::io::plausible::{
    check_response_count, within, FIRST_SAMPLE_RANGE_MS, MAX_ABS_SAMPLE_MV, SAMPLING_RANGE_HZ,
    SWEEP_RANGE_MS,
};
use crate::io::ReadOptions;
use crate::model::{
    Delimiter, InputFormat, Layout, Recording, ResponseLabel, SourceInfo, VoltUnit,
};

/// Fewest samples per response the reader accepts.
pub const MIN_SAMPLES: usize = 20;

/// Largest deviation of a sample time from the uniform grid, as a fraction of
/// the sampling interval.
const GRID_TOLERANCE: f64 = 0.01;

/// Time values are often written rounded to 1 µs; a deviation of up to half
/// that is rounding, not jitter.
const TIME_ROUNDING_MS: f64 = 0.0005;

/// Parses one test from the bytes of a CSV file; `path` names it in errors.
pub(crate) fn parse_csv(path: &Path, bytes: &[u8], options: &ReadOptions) -> Result<Recording> {
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
    /// Per label: whether the file (or `--units`) gave its unit, or it is
    /// mV by default. A continuous channel needs a stated one.
    stated: Vec<bool>,
    header_line: u64,
    /// (line, time in the file's unit) per sample.
    times: Vec<(u64, f64)>,
    labels: Vec<ResponseLabel>,
    /// Column-major: one vector of mV values per label.
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
    default_unit: Option<VoltUnit>,
) -> Result<Parsed> {
    let path = ctx.path;
    let time_unit = time_unit_of(path, header_line, 0, &cells[0])?;
    let (labels, stated_units) = wide_columns(ctx, header_line, cells, default_unit)?;
    let stated: Vec<bool> = stated_units.iter().map(Option::is_some).collect();
    // The traces layout's documented default: mV.
    let units: Vec<VoltUnit> = stated_units
        .iter()
        .map(|u| u.unwrap_or(VoltUnit::Millivolt))
        .collect();
    let scales: Vec<f64> = units.iter().map(|u| u.to_mv()).collect();
    let mut times = Vec::new();
    let mut columns: Vec<Vec<f64>> = vec![Vec::new(); labels.len()];
    // Short decimals read as one word: `.` files only (a decimal-comma
    // file's marks are checked cell by cell).
    let fast = !ctx.decimal_comma;
    while let Some(line) = rows.next_data()? {
        let record = &rows.records;
        if times.is_empty() {
            // Room for as many rows as the body holds lines like this one:
            // growing 50 columns by doubling cost a tenth of reading.
            let row_bytes = record.record_bytes() + 1;
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
        // Cells as ranges of the record's bytes: a short number is read
        // as one word, with the bytes before it.
        let bytes = record.bytes();
        times.push((line, ctx.number_in(bytes, record.range(0), line, 0)?));
        let cells = record.rest();
        for (j, ((column, scale), cell)) in columns.iter_mut().zip(&scales).zip(cells).enumerate() {
            // The common cell inline, its value in a register: through a
            // call returning `Result`, each waited on the one before.
            let quick = if fast {
                number::short_decimal(bytes, cell.start, cell.end)
                    .map(|v| v * scale)
                    .filter(|mv| mv.abs() <= MAX_ABS_SAMPLE_MV)
            } else {
                None
            };
            let mv = match quick {
                Some(mv) => mv,
                // Anything else, and every error, by the general path.
                None => ctx.sample(bytes.get(cell).unwrap_or_default(), line, j + 1, *scale)?,
            };
            column.push(mv);
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
        stated,
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
    default_unit: Option<VoltUnit>,
) -> Result<(Vec<ResponseLabel>, Vec<Option<VoltUnit>>)> {
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
        let unit = ctx.volt_unit(header_line, i, cell, suffix_unit.or(default_unit))?;
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
    check_response_count(Location::line(path, header_line), labels.len())?;
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
        // Only a wide file can be a continuous recording.
        stated: Vec::new(),
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
    let unit = ctx.volt_unit(header_line, 2, &cells[2], name_unit)?;
    Ok((time_unit, unit.unwrap_or(default_unit)))
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
    while let Some(line) = rows.next_data()? {
        let record = &rows.records;
        if record.len() != 3 {
            return Err(Error::Ragged {
                at: Location::line(path, line),
                expected: 3,
                found: record.len(),
            });
        }
        let id = text(record.field(0));
        let id = id.trim();
        if id.is_empty() {
            return Err(Error::BadLongLayout {
                at: Location::cell(path, line, 1),
                detail: "an empty response id".to_string(),
            });
        }
        let time = ctx.number(record.field(1), line, 1)?;
        let value = ctx.sample(record.field(2), line, 2, scale)?;
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
    meta: Meta,
    parsed: Parsed,
    options: &ReadOptions,
) -> Result<Recording> {
    if is_continuous(&parsed) {
        return continuous_csv(path, delimiter, meta, parsed, options);
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
    build(path, meta, source, sweeps, options)
}

/// A wide file whose columns name no response (`time_ms, EMG, trigger`)
/// is a continuous recording: one column per channel.
fn is_continuous(parsed: &Parsed) -> bool {
    parsed.layout == Layout::Wide
        && parsed
            .labels
            .iter()
            .all(|l| matches!(l, ResponseLabel::Other(_)))
}

/// A continuous CSV recording, cut at its stimuli. Its columns are in mV
/// already (scaled by their units as they were read).
fn continuous_csv(
    path: &Path,
    delimiter: Delimiter,
    meta: Meta,
    parsed: Parsed,
    options: &ReadOptions,
) -> Result<Recording> {
    let runs = gap_runs(&parsed.times);
    let mut starts_s = Vec::with_capacity(runs.len());
    let mut step_ms: Option<f64> = None;
    for run in &runs {
        let part = Parsed {
            times: parsed.times[run.clone()].to_vec(),
            labels: Vec::new(),
            columns: Vec::new(),
            stated: Vec::new(),
            ..parsed
        };
        let (t0_ms, dt_ms) = time_axis(path, &part, true)?;
        if let Some(first) = step_ms.filter(|f| (f - dt_ms).abs() > GRID_TOLERANCE * f) {
            let line = part.times.first().map_or(parsed.header_line, |t| t.0);
            return Err(Error::Implausible {
                at: Location::cell(path, line, 1),
                detail: format!(
                    "the samples from here on are {} ms apart, those before {} ms: a continuous recording has one sampling rate",
                    significant(dt_ms, 6),
                    significant(first, 6)
                ),
            });
        }
        step_ms.get_or_insert(dt_ms);
        starts_s.push(t0_ms / 1e3);
    }
    let sampling_rate_hz = 1000.0 / step_ms.unwrap_or(1.0);
    let channels = parsed
        .labels
        .into_iter()
        .zip(parsed.columns)
        .zip(parsed.stated)
        .map(|((label, samples), stated)| Channel {
            name: label.to_string(),
            // Scaled to mV as they were read; a column whose unit nothing
            // gave has none, and is refused if it is the one measured.
            unit: if stated { "mV" } else { "" }.to_string(),
            data: ChannelData::Waveform {
                sampling_rate_hz,
                segments: runs
                    .iter()
                    .zip(&starts_s)
                    .map(|(run, start_s)| Segment {
                        start_s: *start_s,
                        samples: samples[run.clone()].to_vec(),
                    })
                    .collect(),
            },
        })
        .collect();
    let file = SignalFile {
        format: InputFormat::Csv,
        channels,
        annotations: Vec::new(),
        warnings: Vec::new(),
        blocks: None,
    };
    let mut options = options.clone();
    // The columns were scaled to mV as they were read (by `--units` too):
    // the channels' own units say so.
    options.overrides.units = None;
    continuous::cut(path, file, meta, Some(delimiter), &options)
}

/// A time step this many times the typical one is a gap: the recording
/// stopped and resumed (sweeps exported with their times).
const GAP_STEPS: f64 = 1.5;

/// The runs of a continuous recording's rows between gaps in its time
/// column.
fn gap_runs(times: &[(u64, f64)]) -> Vec<std::ops::Range<usize>> {
    let mut steps: Vec<f64> = times.windows(2).map(|w| w[1].1 - w[0].1).collect();
    steps.sort_by(f64::total_cmp);
    let Some(&median) = steps.get(steps.len() / 2) else {
        return std::iter::once(0..times.len()).collect();
    };
    let mut runs = Vec::new();
    let mut start = 0;
    for (i, w) in times.windows(2).enumerate() {
        if median > 0.0 && w[1].1 - w[0].1 > GAP_STEPS * median {
            runs.push(start..i + 1);
            start = i + 1;
        }
    }
    runs.push(start..times.len());
    runs
}

/// Checks the time column (enough samples, increasing, uniform) and returns
/// the first time and the sampling interval, both in ms.
fn time_axis(path: &Path, parsed: &Parsed, continuous: bool) -> Result<(f64, f64)> {
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
    check_axis_ranges(path, parsed, t0_ms, dt_ms, continuous)?;
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
fn check_axis_ranges(
    path: &Path,
    parsed: &Parsed,
    t0_ms: f64,
    dt_ms: f64,
    continuous: bool,
) -> Result<()> {
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
    if continuous {
        // A recording of any length, starting at any time: its stimuli,
        // not its first sample, set each sweep's time 0.
        return Ok(());
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
        Layout::Long | Layout::Continuous => 2,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::parse_trace;
    use crate::model::{Polarity, Protocol, ProtocolSource};
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

    /// A continuous recording at 5 kHz: a 3 Hz train of 10 on a trigger
    /// column, each stimulus followed by a 5 mV CMAP; `emg` heads the
    /// measured column.
    fn continuous(emg: &str) -> String {
        let mut s = format!("time_s,{emg},stim [V]\n");
        let fs = 5000.0;
        for i in 0..17_500 {
            let t = f64::from(i) / fs;
            let since = (t - 0.05).rem_euclid(1.0 / 3.0);
            let on = (0.05..0.05 + 10.0 / 3.0).contains(&t);
            let cmap = if on {
                -5.0 * (-((since * 1e3 - 5.0) / 1.5).powi(2)).exp()
            } else {
                0.0
            };
            let noise = if i % 2 == 0 { 0.01 } else { -0.01 };
            let stim = if on && since < 0.0005 { 5.0 } else { 0.0 };
            s.push_str(&format!("{t:.4},{:.4},{stim}\n", cmap + noise));
        }
        s
    }

    #[test]
    fn a_continuous_channel_without_a_unit_is_refused_not_read_as_mv() {
        let err = parse(&continuous("EMG")).unwrap_err().to_string();
        assert!(err.starts_with("t.csv: "), "{err}");
        assert!(
            err.contains("channel \"emg\" has no unit; pass --units"),
            "{err}"
        );
        for (text, mv) in [
            (continuous("EMG [mV]"), 5.0),
            (continuous("EMG_uv"), 0.005),
            (format!("# units: V\n{}", continuous("EMG")), 5000.0),
        ] {
            let r = parse(&text).unwrap();
            assert_eq!(r.n_responses(), 10);
            let peak = r.trace(0).iter().copied().fold(f64::INFINITY, f64::min);
            assert!((peak + mv).abs() < 0.01 * mv, "{peak} vs {mv}");
        }
        // `--units` scales the columns once.
        let options = ReadOptions {
            overrides: crate::io::Overrides {
                units: Some(VoltUnit::Microvolt),
                ..Default::default()
            },
            ..ReadOptions::default()
        };
        let r = parse_trace(
            &PathBuf::from("t.csv"),
            continuous("EMG").as_bytes(),
            &options,
        )
        .unwrap();
        let peak = r.trace(0).iter().copied().fold(f64::INFINITY, f64::min);
        assert!((peak + 0.005).abs() < 1e-4, "{peak}");
    }

    #[test]
    fn an_exercise_file_with_post_and_post_0s_is_refused() {
        let body = |header: &str| {
            let mut s = format!("# protocol: exercise\ntime_ms,{header}\n");
            for i in 0..400 {
                let t = -5.0 + f64::from(i) * 0.1;
                let v = -4.0 * (-((t - 6.0) / 2.0).powi(2)).exp();
                s.push_str(&format!("{t:.1},{v:.4},{:.4},{:.4}\n", 1.5 * v, 1.4 * v));
            }
            s
        };
        let err = parse(&body("pre,post,post_0s")).unwrap_err().to_string();
        assert!(
            err.contains("responses \"post\" and \"post_0s\" are both 0 s after exercise"),
            "{err}"
        );
        // Column 4 of the header line (line 2) is the second one.
        assert!(err.starts_with("t.csv, line 2, column 4: "), "{err}");
        let r = parse(&body("pre,post,post_30s")).unwrap();
        assert_eq!(r.n_responses(), 3);
    }
}
