//! One reader per format, each into the [`Recording`](crate::Recording)
//! model (`docs/formats.md`): [`trace_csv`] (input contract v1, and
//! continuous CSV), [`edf`] (EDF, EDF+, BDF), [`labchart`] and [`spike2`]
//! (text exports). The multi-channel readers produce a
//! [`signals::SignalFile`], which [`continuous`] cuts into one sweep per
//! stimulus; every reader ends in [`assemble`], which applies the caller's
//! overrides and checks the metadata the same way. Shared: the header and
//! metadata rules in [`header`], the text decoding in [`text`], plain
//! decimals read from bytes in [`number`]; the plausible ranges of a
//! recording are in [`crate::io::plausible`].

pub(crate) mod assemble;
pub(crate) mod cfwb;
pub(crate) mod cfwb_series;
pub(crate) mod continuous;
pub(crate) mod edf;
pub(crate) mod header;
pub(crate) mod labchart;
pub(crate) mod number;
pub(crate) mod records;
pub mod signals;
pub(crate) mod spike2;
pub(crate) mod text;
pub(crate) mod trace_csv;

use std::path::Path;

use crate::error::Result;
use crate::io::options::ReadOptions;
use crate::model::{InputFormat, Recording};

/// Reads one test from a file of any format nmjscope reads, with the
/// markers of its sidecar (`<file>.markers.toml`) when it has one. A record
/// file's `[file]` and `[muscle]` sections must match it.
pub fn read_trace_file(path: &Path, options: &ReadOptions) -> Result<Recording> {
    let bytes = text::read_bounded(path)?;
    let mut recording = parse_trace(path, &bytes, options)?;
    let sidecars =
        crate::io::markers::read_sidecars(&[path.to_path_buf()], options.markers.as_ref())?;
    crate::io::markers::attach(
        &sidecars.iter().collect::<Vec<_>>(),
        std::slice::from_mut(&mut recording),
    )?;
    if let Some(record) = &options.record {
        record.check_used(std::slice::from_ref(&recording))?;
    }
    Ok(recording)
}

/// Parses one test from the bytes of a file: the format asked for
/// (`--input-format`), else the one its content shows ([`detect_format`]);
/// `path` names it in errors.
pub fn parse_trace(path: &Path, bytes: &[u8], options: &ReadOptions) -> Result<Recording> {
    options.validate()?;
    let format = options.format.unwrap_or_else(|| detect_format(bytes));
    let (file, meta, delimiter) = match multi_channel(path, bytes, format)? {
        Some((file, meta)) => {
            let delimiter = matches!(format, InputFormat::Labchart | InputFormat::Spike2)
                .then_some(crate::model::Delimiter::Tab);
            (file, meta, delimiter)
        }
        None => match trace_csv::parse_csv(path, bytes, options)? {
            trace_csv::CsvRead::Test(recording) => return Ok(*recording),
            trace_csv::CsvRead::Continuous {
                file,
                meta,
                delimiter,
            } => (*file, meta, Some(delimiter)),
        },
    };
    continuous::cut(path, file, meta, delimiter, options)
}

/// Parses the tests of a study's files: each file one test, except the
/// numbered sweep files of a triggered CFWB recording, which are read
/// together as one ([`cfwb_series`]).
pub(crate) fn parse_tests(
    files: &[(std::path::PathBuf, Vec<u8>)],
    options: &ReadOptions,
) -> Result<Vec<Recording>> {
    // A jitter file's sweeps would read as a train of CMAPs, and be
    // measured as one without a word: it is refused, naming the command
    // that reads it.
    if let Some((path, _)) = files
        .iter()
        .find(|(_, b)| crate::io::jitter::is_jitter_file(b))
    {
        return Err(crate::error::Error::BadHeader {
            at: crate::error::Location::file(path),
            detail: "a jitter file (an interval list or a pair's sweeps, docs/jitter.md), not a CMAP test: read it with `nmjscope jitter`".into(),
        });
    }
    cfwb_series::group(files, options)
        .into_iter()
        .map(|item| match item {
            cfwb_series::Item::One(path, bytes) => parse_trace(path, bytes, options),
            cfwb_series::Item::Series(series) => {
                options.validate()?;
                let (file, meta) = cfwb_series::read(&series, options)?;
                continuous::cut(&series.name, file, meta, None, options)
            }
        })
        .collect()
}

/// A multi-channel file read by its format's reader; `None` for CSV, which
/// its own reader reads (as sweeps, or as a continuous recording).
fn multi_channel(
    path: &Path,
    bytes: &[u8],
    format: InputFormat,
) -> Result<Option<(signals::SignalFile, assemble::Meta)>> {
    Ok(Some(match format {
        InputFormat::Csv => return Ok(None),
        InputFormat::Edf | InputFormat::Bdf => edf::parse(path, bytes, format)?,
        InputFormat::Labchart => labchart::parse(path, bytes)?,
        InputFormat::Spike2 => spike2::parse(path, bytes)?,
        InputFormat::Cfwb => cfwb::parse(path, bytes)?,
    }))
}

/// What a multi-channel file (EDF, BDF, LabChart, Spike2, CFWB) holds:
/// every channel and whether it can be measured, and what each stimulus
/// source finds, whether or not the file can be cut into a test.
/// `Ok(None)` for a CSV file.
///
/// # Errors
///
/// The reader's errors, when the file's structure cannot be read at all.
pub fn survey_file(path: &Path, options: &ReadOptions) -> Result<Option<continuous::Survey>> {
    options.validate()?;
    let bytes = text::read_bounded(path)?;
    let format = options.format.unwrap_or_else(|| detect_format(&bytes));
    Ok(multi_channel(path, &bytes, format)?
        .map(|(file, meta)| continuous::survey(path, &file, meta, options)))
}

/// The format a file's first bytes show: an EDF or BDF header, `CFWB`, a Spike2
/// text export's `"INFORMATION"`/`"SUMMARY"`/`"CHANNEL"` section, a
/// LabChart text export's `Interval=` line; CSV otherwise.
pub fn detect_format(bytes: &[u8]) -> InputFormat {
    if let Some(f) = edf::sniff(bytes) {
        return f;
    }
    if cfwb::sniff(bytes) {
        return InputFormat::Cfwb;
    }
    // Text exports may be saved as UTF-16 ("Unicode text").
    let bytes = &text::sniff_head(bytes)[..];
    if spike2::sniff(bytes) {
        return InputFormat::Spike2;
    }
    if labchart::sniff(bytes) {
        return InputFormat::Labchart;
    }
    InputFormat::Csv
}

/// The channels and annotations of a multi-channel file (EDF, BDF,
/// LabChart, Spike2), before it is cut into sweeps: what `inspect
/// --channels` lists and what the parity tests compare.
///
/// # Errors
///
/// The reader's errors; [`crate::Error::BadFile`] for a CSV file (read it
/// with [`read_trace_file`]).
pub fn read_signal_file(path: &Path, options: &ReadOptions) -> Result<signals::SignalFile> {
    let bytes = text::read_bounded(path)?;
    let format = options.format.unwrap_or_else(|| detect_format(&bytes));
    match multi_channel(path, &bytes, format)? {
        Some((file, _)) => Ok(file),
        None => Err(crate::Error::BadFile {
            at: crate::error::Location::file(path),
            format,
            detail: "a CSV file is read as a test (nmjscope inspect)".to_string(),
        }),
    }
}
