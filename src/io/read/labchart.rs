//! The text export of ADInstruments LabChart (File > Export > Text): each
//! block opens with `Key=` lines (`Interval=`, `ExcelDateTime=`,
//! `TimeFormat=`, `ChannelTitle=`, `Range=`, `UnitName=`, ...), tab
//! separated with one value per channel, then rows of a time in seconds
//! (when exported) and one value per channel. A row may end with a comment
//! (`#* text` for all channels, `#2 text` for one), read as an annotation
//! at the row's time. Empty, `*` and `NaN` values are gaps.
//!
//! A block is one sweep or one continuous stretch; blocks are placed in
//! time by their `ExcelDateTime=` (days), else end to end.

use std::collections::HashMap;
use std::path::Path;

use super::assemble::Meta;
use super::signals::{Annotation, Channel, ChannelData, Segment, SignalFile, TriggeredBlocks};
use super::text::{decode_lenient, locale_number as number, LineCounter};
use crate::error::{show, Error, Location, Result};
use crate::io::plausible::{FIRST_SAMPLE_RANGE_MS, SWEEP_RANGE_MS};
use crate::model::InputFormat;

/// Lines looked at for an `Interval=` header before deciding a text file
/// is no LabChart export.
const SNIFF_LINES: usize = 12;
/// Seconds per day, for `ExcelDateTime=` (a day count).
const SECONDS_PER_DAY: f64 = 86_400.0;

/// Whether the text starts like a LabChart export.
pub(crate) fn sniff(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    head.trim_start_matches('\u{feff}')
        .lines()
        .take(SNIFF_LINES)
        .any(|l| l.starts_with("Interval=") || l.starts_with("ChannelTitle="))
}

/// One block: its header values and its rows.
#[derive(Default)]
struct Block {
    header: HashMap<String, Vec<String>>,
    header_line: u64,
    /// The first row's time (s), when the export has a time column.
    first_time: Option<f64>,
    /// Whether the rows start with a time, decided by the first row: every
    /// row of a block is laid out alike.
    has_time: Option<bool>,
    /// Rows read.
    rows: usize,
    /// The sampling interval (s), read at the first row of a block with a
    /// time column, to check every row's time against it.
    dt_s: Option<f64>,
    /// One column of values per channel (a row of values each would cost
    /// an allocation per row, and 40 times the file's size).
    columns: Vec<Vec<f64>>,
    /// (time in s or None, row, text) of each comment.
    comments: Vec<(Option<f64>, usize, String)>,
}

/// Reads a LabChart text export into its channels.
pub(crate) fn parse(path: &Path, bytes: &[u8]) -> Result<(SignalFile, Meta)> {
    let (text, warning) = decode_lenient(path, bytes)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .quoting(false)
        .delimiter(b'\t')
        .from_reader(text.as_bytes());
    let mut blocks: Vec<Block> = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut lines = LineCounter::new(text.as_bytes(), 1);
    loop {
        let more = reader
            .read_record(&mut record)
            .map_err(|e| Error::BadFile {
                at: Location::line(path, e.position().map_or(1, |p| p.line())),
                format: InputFormat::Labchart,
                detail: e.to_string(),
            })?;
        if !more {
            break;
        }
        let line = record.position().map_or(1, |p| lines.line_of(p.byte()));
        let first = record.get(0).unwrap_or_default().trim();
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if let Some(key) = first.strip_suffix('=') {
            header_row(path, line, key, &record, &mut blocks)?;
            continue;
        }
        let Some(block) = blocks.last_mut() else {
            return Err(bad(
                path,
                line,
                "data before any header line (Interval=, ChannelTitle=)".to_string(),
            ));
        };
        data_row(path, line, &record, block)?;
    }
    if blocks.is_empty() {
        return Err(bad(
            path,
            1,
            "no header lines (Interval=, ChannelTitle=)".to_string(),
        ));
    }
    if blocks.iter().all(|b| b.rows == 0) {
        return Err(bad(
            path,
            blocks[0].header_line,
            "header lines but no data rows".to_string(),
        ));
    }
    blocks.retain(|b| b.rows > 0);
    let mut file = assemble(path, &blocks)?;
    file.warnings.extend(warning);
    Ok((file, Meta::default()))
}

/// A `Key=` row: it opens a new block after data rows, and a key given
/// twice in one block (a second `Interval=`) would silently replace the
/// first, so it is refused.
fn header_row(
    path: &Path,
    line: u64,
    key: &str,
    record: &csv::StringRecord,
    blocks: &mut Vec<Block>,
) -> Result<()> {
    if blocks.last().is_none_or(|b| b.rows > 0) {
        blocks.push(Block {
            header_line: line,
            ..Block::default()
        });
    }
    let Some(b) = blocks.last_mut() else {
        return Ok(());
    };
    let values = record
        .iter()
        .skip(1)
        .map(|v| v.trim().to_string())
        .collect();
    if b.header.insert(key.trim().to_string(), values).is_none() {
        return Ok(());
    }
    Err(bad(
        path,
        line,
        format!(
            "{}= is given twice in the block that starts on line {}; which one holds is unknown",
            key.trim(),
            b.header_line
        ),
    ))
}

fn bad(path: &Path, line: u64, detail: String) -> Error {
    Error::BadFile {
        at: Location::line(path, line),
        format: InputFormat::Labchart,
        detail,
    }
}

/// The channel titles of a block (the `ChannelTitle=` values).
fn titles(block: &Block) -> Vec<String> {
    let mut t = block
        .header
        .get("ChannelTitle")
        .cloned()
        .unwrap_or_default();
    while t.last().is_some_and(|s| s.is_empty()) {
        t.pop();
    }
    t
}

/// One data row: a time when the export has one, a value per channel, and
/// a trailing comment.
fn data_row(path: &Path, line: u64, record: &csv::StringRecord, block: &mut Block) -> Result<()> {
    let channels = titles(block).len().max(1);
    let mut fields: Vec<&str> = record.iter().map(str::trim).collect();
    let mut comment = None;
    if let Some(pos) = fields.iter().position(|f| f.starts_with('#')) {
        comment = Some(fields[pos..].join(" "));
        fields.truncate(pos);
    }
    let has_time = row_layout(path, line, &mut fields, channels, block.has_time)?;
    block.has_time = Some(has_time);
    let time = if has_time {
        Some(number(fields[0]).ok_or_else(|| {
            bad(
                path,
                line,
                format!("the time {:?} is not a number of seconds", fields[0]),
            )
        })?)
    } else {
        None
    };
    if let Some(t) = time {
        check_row_time(path, line, block, t)?;
    }
    let first_value = usize::from(has_time);
    block.columns.resize_with(channels, Vec::new);
    for (i, f) in fields.iter().enumerate().skip(first_value) {
        let v = value(f).ok_or_else(|| Error::BadFile {
            at: Location::cell(path, line, i as u64 + 1),
            format: InputFormat::Labchart,
            detail: format!("the value {f:?} is not a number (an empty cell, * or NaN is a gap)"),
        })?;
        block.columns[i - first_value].push(v);
    }
    if let Some(c) = comment {
        block.comments.push((time, block.rows, comment_text(&c)));
    }
    if block.rows == 0 {
        block.first_time = time;
    }
    block.rows += 1;
    Ok(())
}

/// Every row's time is the block's first time plus its row number of
/// intervals (within half an interval): a missing row, or an `Interval=`
/// that is not the rows', would otherwise put every later sample at the
/// wrong time.
fn check_row_time(path: &Path, line: u64, block: &mut Block, t: f64) -> Result<()> {
    let dt = match block.dt_s {
        Some(dt) => dt,
        None => *block.dt_s.insert(interval_s(path, block)?),
    };
    let Some(first) = block.first_time else {
        return Ok(());
    };
    let expected = first + block.rows as f64 * dt;
    if (t - expected).abs() <= 0.5 * dt {
        return Ok(());
    }
    Err(bad(
        path,
        line,
        format!(
            "the time {} s is not the block's row {} at its Interval= of {} s (expected {} s): a row is missing, or the interval is not the rows'",
            show(t),
            block.rows + 1,
            show(dt),
            show(expected)
        ),
    ))
}

/// Whether a row starts with a time, its trailing empty fields dropped.
///
/// The first row of a block decides, and every later row must agree: a row
/// of one value more than its neighbours would otherwise shift its values
/// one channel along. A trailing tab (an empty field after the last
/// channel) is dropped; on the first row, `value<TAB>` is a trailing tab,
/// not a time and a gap (a block whose first sample is a gap would then
/// disagree with its second row and be refused, not misread).
fn row_layout(
    path: &Path,
    line: u64,
    fields: &mut Vec<&str>,
    channels: usize,
    block_has_time: Option<bool>,
) -> Result<bool> {
    let expected = block_has_time.map(|t| channels + usize::from(t));
    let keep = expected.unwrap_or(channels + 1);
    while fields.len() > keep && fields.last().is_some_and(|f| f.is_empty()) {
        fields.pop();
    }
    if block_has_time.is_none()
        && fields.len() == channels + 1
        && fields.last().is_some_and(|f| f.is_empty())
    {
        fields.pop();
    }
    let n = fields.len();
    let fits = match expected {
        Some(e) => n == e,
        None => n == channels || n == channels + 1,
    };
    if !fits {
        let values = |k: usize| format!("{k} value{}", if k == 1 { "" } else { "s" });
        let layout = match block_has_time {
            Some(true) => format!("a time and {}, as the block's first row", values(channels)),
            Some(false) => format!("{} and no time, as the block's first row", values(channels)),
            None => format!("{}, after a time or not", values(channels)),
        };
        let of = if channels == 1 { "channel" } else { "channels" };
        return Err(bad(
            path,
            line,
            format!(
                "{} on a row of a block with {channels} {of}; expected {layout}",
                values(n)
            ),
        ));
    }
    Ok(n == channels + 1)
}

/// `#* text` or `#3 text`: the text.
fn comment_text(c: &str) -> String {
    let c = c.trim_start_matches('#');
    let c = c.trim_start_matches(|ch: char| ch == '*' || ch.is_ascii_digit());
    c.trim().to_string()
}

/// A value: a number, or a gap (empty, `*`, `NaN`) as NaN.
fn value(text: &str) -> Option<f64> {
    let t = text.trim();
    if t.is_empty() || t == "*" || t.eq_ignore_ascii_case("nan") || t.eq_ignore_ascii_case("-nan") {
        return Some(f64::NAN);
    }
    number(t)
}

/// The sampling interval of a block, in seconds (`Interval=<TAB>0.1 ms`).
fn interval_s(path: &Path, block: &Block) -> Result<f64> {
    let text = block
        .header
        .get("Interval")
        .and_then(|v| v.first())
        .ok_or_else(|| {
            bad(
                path,
                block.header_line,
                "the block has no Interval= line".to_string(),
            )
        })?;
    let mut parts = text.split_whitespace();
    let n = parts.next().and_then(number);
    let scale = match parts.next().unwrap_or("s") {
        "s" | "sec" => Some(1.0),
        "ms" => Some(1e-3),
        "us" | "µs" | "μs" => Some(1e-6),
        "min" => Some(60.0),
        "hr" | "h" => Some(3600.0),
        _ => None,
    };
    match (n, scale) {
        (Some(n), Some(scale)) if n > 0.0 => Ok(n * scale),
        _ => Err(bad(
            path,
            block.header_line,
            format!("Interval= {text:?}: expected a positive number and s, ms or us"),
        )),
    }
}

/// Each channel's unit: `UnitName=`, else the unit of its `Range=`.
fn units(block: &Block, n: usize) -> Vec<String> {
    let names = block.header.get("UnitName");
    let ranges = block.header.get("Range");
    (0..n)
        .map(|i| {
            let name = names.and_then(|v| v.get(i)).map(|s| s.trim()).unwrap_or("");
            if !name.is_empty() && name != "*" {
                return name.to_string();
            }
            ranges
                .and_then(|v| v.get(i))
                .and_then(|r| r.split_whitespace().nth(1))
                .unwrap_or("")
                .to_string()
        })
        .collect()
}

/// Every block holds the first block's channels, in its order and units:
/// otherwise its columns would be read under another channel's name.
fn same_channels(path: &Path, block: &Block, names: &[String], unit: &[String]) -> Result<()> {
    let (these, n) = (titles(block), names.len().max(1));
    let refuse = |what: String| Err(bad(path, block.header_line, what));
    if these.len().max(1) != n {
        return refuse(format!(
            "this block has {} channels, the first has {n}",
            these.len()
        ));
    }
    if !these.is_empty() && these != names {
        return refuse(format!(
            "this block's channels are {these:?}, the first block's {names:?}: its columns would be read under the wrong names; export the blocks with one channel order"
        ));
    }
    let these_units = units(block, n);
    let given = |u: &[String]| u.iter().any(|u| !u.is_empty());
    if given(&these_units) && these_units != unit {
        return refuse(format!(
            "this block's units are {these_units:?}, the first block's {unit:?}; export the blocks with one unit per channel"
        ));
    }
    Ok(())
}

/// The blocks as channels on one time line.
fn assemble(path: &Path, blocks: &[Block]) -> Result<SignalFile> {
    let names = titles(&blocks[0]);
    let n = names.len().max(1);
    let unit = units(&blocks[0], n);
    let first_day = excel_day(&blocks[0]);
    let mut segments: Vec<Vec<Segment>> = vec![Vec::new(); n];
    let mut annotations = Vec::new();
    let mut fs = None;
    // (time zero, first row's time, length) of each block, all in s.
    let mut zeros: Vec<(f64, f64, f64)> = Vec::new();
    for block in blocks {
        same_channels(path, block, &names, &unit)?;
        let dt = interval_s(path, block)?;
        check_rate(path, block, dt, *fs.get_or_insert(1.0 / dt))?;
        let of_block = match (excel_day(block), first_day, start_of_block(block)) {
            (_, _, false) => 0.0,
            (Some(d), Some(d0), true) => (d - d0) * SECONDS_PER_DAY,
            _ if blocks.len() == 1 => 0.0,
            (Some(_), None, true) => return Err(undated(path, &blocks[0])),
            _ => return Err(undated(path, block)),
        };
        let t_first = block.first_time.unwrap_or(0.0);
        let start = of_block + t_first;
        zeros.push((of_block, t_first, block.rows as f64 * dt));
        for (c, segs) in segments.iter_mut().enumerate() {
            split_gaps(segs, block, c, start, dt);
        }
        annotations.extend(block.comments.iter().map(|(t, row, text)| Annotation {
            onset_s: of_block + t.unwrap_or(*row as f64 * dt),
            text: text.clone(),
        }));
    }
    let fs = fs.unwrap_or(0.0);
    let channels = segments
        .into_iter()
        .enumerate()
        .map(|(c, segs)| Channel {
            name: names
                .get(c)
                .cloned()
                .unwrap_or_else(|| format!("Channel {}", c + 1)),
            unit: unit[c].clone(),
            data: ChannelData::Waveform {
                sampling_rate_hz: fs,
                segments: segs,
            },
        })
        .collect();
    let blocks = blocks
        .iter()
        .all(start_of_block)
        .then(|| triggered(&zeros))
        .flatten();
    Ok(SignalFile {
        format: InputFormat::Labchart,
        channels,
        annotations,
        warnings: Vec::new(),
        blocks,
        events: None,
    })
}

/// Blocks laid out as a triggered (scope-mode) recording: several, each
/// no longer than a sweep, whose times run from a pre-trigger span (or
/// zero) through the sweep. Each block is then one response, its time zero
/// the stimulus.
fn triggered(zeros: &[(f64, f64, f64)]) -> Option<TriggeredBlocks> {
    let first_lo_ms = FIRST_SAMPLE_RANGE_MS.0;
    let sweep_like = |&(_, first, length): &(f64, f64, f64)| {
        length * 1e3 <= SWEEP_RANGE_MS.1 && (first_lo_ms..=0.0).contains(&(first * 1e3))
    };
    (zeros.len() >= 2 && zeros.iter().all(sweep_like)).then(|| TriggeredBlocks {
        zeros_s: zeros.iter().map(|z| z.0).collect(),
        pre_trigger: zeros.iter().all(|z| z.1 < 0.0),
    })
}

/// Every block is sampled at the first block's rate.
fn check_rate(path: &Path, block: &Block, dt: f64, first_hz: f64) -> Result<()> {
    if ((1.0 / dt) - first_hz).abs() <= 1e-6 * first_hz {
        return Ok(());
    }
    Err(bad(
        path,
        block.header_line,
        format!(
            "this block is sampled at {} Hz, the first at {} Hz; export blocks of one rate",
            show(1.0 / dt),
            show(first_hz)
        ),
    ))
}

/// A block's channel `c` as segments: a gap (NaN) ends one.
fn split_gaps(segs: &mut Vec<Segment>, block: &Block, c: usize, start: f64, dt: f64) {
    let mut current: Option<Segment> = None;
    let column = block.columns.get(c).map_or(&[][..], Vec::as_slice);
    for (i, &v) in column.iter().enumerate() {
        if v.is_finite() {
            current
                .get_or_insert_with(|| Segment {
                    start_s: start + i as f64 * dt,
                    samples: Vec::new(),
                })
                .samples
                .push(v);
        } else if let Some(seg) = current.take() {
            segs.push(seg);
        }
    }
    segs.extend(current);
}

/// Blocks whose times restart at zero are placed by their dates; without
/// one, the pause between blocks is unknown, and joining them end to end
/// would turn stimuli 30 s apart into a fast train.
fn undated(path: &Path, block: &Block) -> Error {
    let written = block
        .header
        .get("ExcelDateTime")
        .and_then(|v| v.first())
        .map_or("no ExcelDateTime= line".to_string(), |d| {
            format!("the ExcelDateTime= {d:?}, not a day number")
        });
    bad(
        path,
        block.header_line,
        format!(
            "this block's times start at zero and it has {written}: the time between blocks is unknown; export with the block dates (ExcelDateTime=), or one block per file"
        ),
    )
}

fn excel_day(block: &Block) -> Option<f64> {
    block
        .header
        .get("ExcelDateTime")
        .and_then(|v| v.first())
        .and_then(|s| number(s))
}

/// Whether the time column restarts at each block (LabChart's default).
fn start_of_block(block: &Block) -> bool {
    block
        .header
        .get("TimeFormat")
        .and_then(|v| v.first())
        .is_none_or(|f| f.eq_ignore_ascii_case("StartOfBlock"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_BLOCKS: &str = "Interval=\t0,5 ms\r\nExcelDateTime=\t4.6328000000000000e+04\t11/02/26\r\nTimeFormat=\tStartOfBlock\r\nChannelTitle=\tEMG\tTrig\r\nRange=\t10.000 mV\t5.000 V\r\nUnitName=\t*\t*\r\n0\t0.5\t0\r\n0.0005\t*\t5\t#* stim\r\n0.001\t0.7\t0\r\nInterval=\t0.5 ms\r\nExcelDateTime=\t4.6328000011574074e+04\r\nTimeFormat=\tStartOfBlock\r\nChannelTitle=\tEMG\tTrig\r\nRange=\t10.000 mV\t5.000 V\r\n0.1\t1.5\t0\r\n";

    #[test]
    fn blocks_are_placed_by_their_date_and_gaps_split_segments() {
        assert!(sniff(TWO_BLOCKS.as_bytes()));
        let (f, _) = parse(Path::new("a.txt"), TWO_BLOCKS.as_bytes()).unwrap();
        assert_eq!(f.channels.len(), 2);
        assert_eq!(
            f.channels[0].unit, "mV",
            "the unit of Range= when UnitName= is *"
        );
        assert_eq!(f.channels[1].unit, "V");
        let (sampling_rate_hz, segments) = f.channels[0].waveform().unwrap();
        assert_eq!(sampling_rate_hz, 2000.0);
        // The `*` splits the first block; the second block is 1 s later
        // (1/86400 day) and its time column starts at 0.1 s.
        assert_eq!(segments.len(), 3);
        assert_eq!(segments[1].start_s, 0.001);
        assert!(
            (segments[2].start_s - 1.1).abs() < 1e-6,
            "{}",
            segments[2].start_s
        );
        assert_eq!(f.annotations[0].text, "stim");
        assert_eq!(f.annotations[0].onset_s, 0.0005);
    }

    #[test]
    fn a_bad_row_is_refused_at_its_line() {
        let text = "Interval=\t1 ms\nChannelTitle=\tEMG\n0\t0.1\n0.001\t0.x2\n";
        let err = parse(Path::new("a.txt"), text.as_bytes()).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("a.txt, line 4, column 2: not a readable LabChart text file"),
            "{err}"
        );
        let text = "Interval=\t1 ms\nChannelTitle=\tEMG\n0\t0.1\t0.2\t0.3\n";
        let err = parse(Path::new("a.txt"), text.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("line 3"), "{err}");
        assert!(
            err.to_string()
                .contains("4 values on a row of a block with 1 channel;"),
            "{err}"
        );
    }

    #[test]
    fn rows_without_a_time_column_are_read() {
        let text = "Interval=\t1 ms\nChannelTitle=\tEMG\nUnitName=\tuV\n10\n20\n30\n";
        let (f, _) = parse(Path::new("a.txt"), text.as_bytes()).unwrap();
        let (_, segments) = f.channels[0].waveform().unwrap();
        assert_eq!(segments[0].samples, [10.0, 20.0, 30.0]);
        assert_eq!(f.channels[0].unit, "uV");
    }

    #[test]
    fn a_row_of_one_value_more_is_refused_not_shifted() {
        // A file without a time column: one row with an extra value would
        // otherwise read as a time and the next channel's value.
        let text = "Interval=\t1 ms\nChannelTitle=\tEMG\n10\n20\n30\t40\n50\n";
        let err = parse(Path::new("a.txt"), text.as_bytes()).unwrap_err();
        assert!(
            err.to_string().starts_with("a.txt, line 5:")
                && err.to_string().contains(
                    "2 values on a row of a block with 1 channel; expected 1 value and no time"
                ),
            "{err}"
        );
        // With a time column, a row with a third value is refused too.
        let text = "Interval=\t1 ms\nChannelTitle=\tEMG\n0\t10\n0.001\t20\t30\n";
        let err = parse(Path::new("a.txt"), text.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("line 4"), "{err}");
    }

    #[test]
    fn a_trailing_tab_on_every_row_is_not_a_time() {
        let text = "Interval=\t1 ms\t\nChannelTitle=\tEMG\t\n10\t\n20\t\n30\t\n";
        let (f, _) = parse(Path::new("a.txt"), text.as_bytes()).unwrap();
        let (_, segments) = f.channels[0].waveform().unwrap();
        assert_eq!(segments[0].samples, [10.0, 20.0, 30.0]);
        let text = "Interval=\t1 ms\nChannelTitle=\tEMG\n0\t10\t\n0.001\t20\t\n";
        let (f, _) = parse(Path::new("a.txt"), text.as_bytes()).unwrap();
        let (_, segments) = f.channels[0].waveform().unwrap();
        assert_eq!(segments[0].samples, [10.0, 20.0]);
    }

    #[test]
    fn blocks_without_dates_are_refused_not_joined() {
        let block = |date: &str| {
            format!("Interval=\t1 ms\n{date}TimeFormat=\tStartOfBlock\nChannelTitle=\tEMG\n0\t1\n0.001\t2\n")
        };
        let text = block("") + &block("");
        let err = parse(Path::new("a.txt"), text.as_bytes()).unwrap_err();
        assert!(
            err.to_string().starts_with("a.txt, line 1:")
                && err
                    .to_string()
                    .contains("no ExcelDateTime= line: the time between blocks is unknown"),
            "{err}"
        );
        let text = block("ExcelDateTime=\t46328.5\n") + &block("ExcelDateTime=\t11/02/26 10:00\n");
        let err = parse(Path::new("a.txt"), text.as_bytes()).unwrap_err();
        assert!(
            err.to_string().starts_with("a.txt, line 7:")
                && err
                    .to_string()
                    .contains("the ExcelDateTime= \"11/02/26 10:00\", not a day number"),
            "{err}"
        );
        // One block needs no date.
        assert!(parse(Path::new("a.txt"), block("").as_bytes()).is_ok());
    }
}
