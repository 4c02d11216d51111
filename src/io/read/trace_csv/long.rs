//! The long layout: one row per sample, `response, time, value`, the rows
//! of one response together.

use std::collections::HashSet;
use std::path::Path;

use super::{text, time_unit_of, Ctx, Parsed, Rows};
use crate::error::{Error, Location, Result};
use crate::io::read::header::{value_column, HeaderCell, TimeUnit};
use crate::model::{Layout, ResponseLabel, VoltUnit};

pub(super) fn read_long(
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
pub(super) fn long_header(
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
pub(super) fn long_groups(
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
pub(super) fn check_long_axes(
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
pub(super) fn long_label(cell: &str) -> ResponseLabel {
    let id = cell.trim();
    if !id.is_empty() && id.chars().all(|c| c.is_ascii_digit()) {
        ResponseLabel::parse(&format!("r{id}"))
    } else {
        ResponseLabel::parse(id)
    }
}
