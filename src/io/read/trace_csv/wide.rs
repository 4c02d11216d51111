//! The wide layout: a time column, then one column per response (or, in a
//! continuous recording, per channel).

use std::collections::HashSet;

use super::{time_unit_of, Ctx, Parsed, Rows};
use crate::error::{Error, Location, Result};
use crate::io::plausible::{check_response_count, MAX_ABS_SAMPLE_MV};
use crate::io::read::header::{
    is_response_id, response_label, time_column, value_column, HeaderCell,
};
use crate::io::read::number;
use crate::model::{Layout, ResponseLabel, VoltUnit};

pub(super) fn read_wide(
    ctx: &Ctx,
    header_line: u64,
    cells: &[HeaderCell],
    rows: &mut Rows<'_>,
    default_unit: Option<VoltUnit>,
) -> Result<Parsed> {
    let path = ctx.path;
    let time_unit = time_unit_of(path, header_line, 0, &cells[0])?;
    let (labels, stated) = wide_columns(ctx, header_line, cells, default_unit)?;
    let (units, scales) = column_scales(&labels, &stated);
    let mut times = Vec::new();
    let mut columns: Vec<Vec<f64>> = vec![Vec::new(); labels.len()];
    // Short decimals read as one word: `.` files only (a decimal-comma
    // file's marks are checked cell by cell).
    let fast = !ctx.decimal_comma;
    while let Some(line) = rows.next_data()? {
        let record = &rows.records;
        if times.is_empty() {
            reserve_rows(
                rows.body_bytes,
                record.record_bytes(),
                &mut times,
                &mut columns,
            );
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
        for (j, ((column, &(to_mv, kept)), cell)) in
            columns.iter_mut().zip(&scales).zip(cells).enumerate()
        {
            // The common cell inline, its value in a register: through a
            // call returning `Result`, each waited on the one before.
            let quick = if fast {
                number::short_decimal(bytes, cell.start, cell.end)
                    .filter(|v| (v * to_mv).abs() <= MAX_ABS_SAMPLE_MV)
            } else {
                None
            };
            let value = match quick {
                Some(v) => v,
                // Anything else, and every error, by the general path.
                None => ctx.checked(bytes.get(cell).unwrap_or_default(), line, j + 1, to_mv)?,
            };
            column.push(value * kept);
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

/// Each column's unit (mV, the traces layout's documented default, when
/// none is given) and its (check, keep) scales: each value is checked in
/// mV; a response is kept in mV, a channel of a continuous recording as
/// written (its unit goes with it, and the cutting scales it, as for every
/// continuous format).
fn column_scales(
    labels: &[ResponseLabel],
    stated: &[Option<VoltUnit>],
) -> (Vec<VoltUnit>, Vec<(f64, f64)>) {
    let units: Vec<VoltUnit> = stated
        .iter()
        .map(|u| u.unwrap_or(VoltUnit::Millivolt))
        .collect();
    let continuous = labels.iter().all(|l| matches!(l, ResponseLabel::Other(_)));
    let scales = units
        .iter()
        .map(|u| (u.to_mv(), if continuous { 1.0 } else { u.to_mv() }))
        .collect();
    (units, scales)
}

/// Room for as many rows as the body holds lines like the first: growing
/// 50 columns by doubling cost a tenth of reading.
fn reserve_rows(
    body_bytes: usize,
    row_bytes: usize,
    times: &mut Vec<(u64, f64)>,
    columns: &mut [Vec<f64>],
) {
    let rows_left = body_bytes / (row_bytes + 1) + 1;
    times.reserve(rows_left);
    columns.iter_mut().for_each(|c| c.reserve(rows_left));
}

/// The wide layout's response columns after the time column: each label
/// (unique) and its unit.
pub(super) fn wide_columns(
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
