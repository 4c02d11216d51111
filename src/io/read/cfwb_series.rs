//! A triggered (scope-mode) recording saved as CFWB: one file per sweep.
//! A CFWB file holds one block, so a train recorded one sweep per stimulus
//! leaves as numbered files (`rns_3hz_01.adibin`, `rns_3hz_02.adibin`, ...),
//! each with its trigger's date and time and its pre-trigger span in the
//! header. Such files are read together as one test, each file one
//! response, its time zero its trigger, as LabChart text blocks are.
//!
//! Files form a series when two or more in one study share a name up to
//! their trailing number and an extension, read as CFWB, and each is no
//! longer than a sweep ([`SWEEP_RANGE_MS`]). A series with a number missing
//! (or one that does not start at 0 or 1) is refused: a lost sweep would
//! renumber the train, and the 4th response decides the decrement.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::assemble::Meta;
use super::cfwb;
use super::signals::{ChannelData, SignalFile, TriggeredBlocks};
use crate::error::{show, Error, Location, Result};
use crate::io::options::ReadOptions;
use crate::io::plausible::SWEEP_RANGE_MS;
use crate::model::InputFormat;

/// A study's files, with the sweep files of each series gathered.
pub(crate) enum Item<'a> {
    /// A file read on its own.
    One(&'a Path, &'a [u8]),
    /// The sweep files of one triggered recording.
    Series(Series<'a>),
}

/// The numbered sweep files of one triggered recording.
pub(crate) struct Series<'a> {
    /// The name the test is reported under: the files' common name and
    /// the span of their numbers (`rns_3hz_01-10.adibin`).
    pub name: PathBuf,
    /// Each file's number, path and bytes, in number order.
    pub files: Vec<(u64, &'a Path, &'a [u8])>,
}

/// A sweep file's name split at its trailing number: the folder, the
/// name before the number and the extension (together the series), and
/// the number as written.
fn numbered(path: &Path) -> Option<((PathBuf, String, String), String)> {
    let stem = path.file_stem()?.to_str()?;
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    let base = stem.trim_end_matches(|c: char| c.is_ascii_digit());
    let digits = &stem[base.len()..];
    let wanted = !base.is_empty() && (1..=6).contains(&digits.len());
    let folder = path.parent().map(Path::to_path_buf).unwrap_or_default();
    wanted.then(|| ((folder, base.to_string(), ext), digits.to_string()))
}

/// Whether a file is a CFWB file no longer than a sweep.
fn is_sweep(bytes: &[u8], options: &ReadOptions) -> bool {
    let cfwb = match options.format {
        Some(f) => f == InputFormat::Cfwb,
        None => cfwb::sniff(bytes),
    };
    cfwb && cfwb::header(Path::new(""), bytes)
        .is_ok_and(|h| h.samples as f64 * h.secs_per_tick * 1e3 <= SWEEP_RANGE_MS.1)
}

/// The study's files in their order, each sweep series gathered where its
/// first file stands.
pub(crate) fn group<'a>(files: &'a [(PathBuf, Vec<u8>)], options: &ReadOptions) -> Vec<Item<'a>> {
    type Key = (PathBuf, String, String);
    let mut series: BTreeMap<Key, Vec<(String, usize)>> = BTreeMap::new();
    for (i, (path, bytes)) in files.iter().enumerate() {
        if let Some((key, digits)) = numbered(path).filter(|_| is_sweep(bytes, options)) {
            series.entry(key).or_default().push((digits, i));
        }
    }
    series.retain(|_, members| members.len() >= 2);
    let mut first_of: BTreeMap<usize, Series<'a>> = BTreeMap::new();
    let mut member = vec![false; files.len()];
    for ((folder, base, ext), mut members) in series {
        members.sort_by_key(|(digits, _)| digits.parse::<u64>().unwrap_or(u64::MAX));
        let span = format!("{}-{}", members[0].0, members[members.len() - 1].0);
        let first = members.iter().map(|(_, i)| *i).min().unwrap_or(0);
        let files = members
            .iter()
            .map(|(digits, i)| {
                member[*i] = true;
                let (path, bytes) = &files[*i];
                (
                    digits.parse().unwrap_or(u64::MAX),
                    path.as_path(),
                    &bytes[..],
                )
            })
            .collect();
        let name = folder.join(format!("{base}{span}.{ext}"));
        first_of.insert(first, Series { name, files });
    }
    let mut items = Vec::new();
    for (i, (path, bytes)) in files.iter().enumerate() {
        if let Some(s) = first_of.remove(&i) {
            items.push(Item::Series(s));
        } else if !member[i] {
            items.push(Item::One(path, bytes));
        }
    }
    items
}

fn bad(path: &Path, detail: String) -> Error {
    Error::BadFile {
        at: Location::file(path),
        format: InputFormat::Cfwb,
        detail,
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The numbers run from 0 or 1 without a gap.
fn check_numbering(series: &Series) -> Result<()> {
    let (first, path, _) = series.files[0];
    if first > 1 {
        return Err(bad(
            path,
            format!(
                "the sweep files of {} start at number {first}: the sweeps before it are missing, and the train would be read renumbered; number the files from 1 if the train starts here",
                file_name(&series.name)
            ),
        ));
    }
    for pair in series.files.windows(2) {
        let ((a, first, _), (b, path, _)) = (pair[0], pair[1]);
        if b == a {
            return Err(bad(
                path,
                format!(
                    "this file and {} both hold sweep {b}: the train cannot be numbered",
                    file_name(first)
                ),
            ));
        }
        if b != a + 1 {
            return Err(bad(
                path,
                format!(
                    "sweep {} of {} is missing (this file is number {b}): a lost sweep renumbers the train; restore it: a train with a sweep missing cannot be numbered",
                    a + 1,
                    file_name(&series.name)
                ),
            ));
        }
    }
    Ok(())
}

/// One sweep file read: its header and channels.
struct Sweep<'a> {
    path: &'a Path,
    header: cfwb::Header,
    file: SignalFile,
    meta: Meta,
}

/// Each sweep's time zero (s from the first trigger): from the trigger
/// times in the headers, else from the stimulation rate the caller gives.
fn zeros(series: &Series, sweeps: &[Sweep], options: &ReadOptions) -> Result<Vec<f64>> {
    let clocks: Option<Vec<f64>> = sweeps.iter().map(|s| s.header.trigger_clock_s).collect();
    let Some(clocks) = clocks else {
        let Some(rate) = options.overrides.stim_rate_hz else {
            let undated = sweeps.iter().find(|s| s.header.trigger_clock_s.is_none());
            return Err(bad(
                undated.map_or(&series.name, |s| s.path),
                "this sweep file's header gives no trigger date and time, so the interval between the sweeps is unknown: give the stimulation rate (--rate)".to_string(),
            ));
        };
        let first = series.files[0].0;
        return Ok(series
            .files
            .iter()
            .map(|(n, _, _)| (n - first) as f64 / rate)
            .collect());
    };
    for (pair, sweep) in clocks.windows(2).zip(&sweeps[1..]) {
        if pair[1] <= pair[0] {
            return Err(bad(
                sweep.path,
                format!(
                    "this sweep's trigger time is {} s after the previous file's: the files are not numbered in the order they were recorded",
                    show(pair[1] - pair[0])
                ),
            ));
        }
    }
    Ok(clocks.iter().map(|c| c - clocks[0]).collect())
}

/// Every sweep has the first sweep's channels, units and sampling rate.
fn check_channels(first: &Sweep, sweep: &Sweep) -> Result<()> {
    let shape = |f: &SignalFile| -> Vec<(String, String, Option<f64>)> {
        f.channels
            .iter()
            .map(|c| (c.name.clone(), c.unit.clone(), c.waveform().map(|w| w.0)))
            .collect()
    };
    if shape(&first.file) == shape(&sweep.file) {
        return Ok(());
    }
    Err(bad(
        sweep.path,
        format!(
            "this sweep's channels are {}, those of {} are {}: the sweeps of one train are recorded alike",
            sweep.file.list_channels(),
            file_name(first.path),
            first.file.list_channels()
        ),
    ))
}

/// The sweeps as one triggered recording: each file's samples placed so
/// its trigger falls at its time zero.
fn join(name: &Path, sweeps: Vec<Sweep>, zeros: &[f64]) -> Result<(SignalFile, Meta)> {
    for sweep in sweeps.iter().skip(1) {
        check_channels(&sweeps[0], sweep)?;
    }
    let pre_trigger = sweeps.iter().all(|s| s.header.pretrigger_s > 0.0);
    let mut sweeps = sweeps.into_iter().zip(zeros);
    let Some((first, zero)) = sweeps.next() else {
        return Err(bad(name, "a series of no sweep files".to_string()));
    };
    let mut file = first.file;
    let mut meta = first.meta;
    // The pre-trigger span places the stimulus of a single file; here the
    // blocks' time zeros do.
    meta.all.remove("first_stimulus_ms");
    shift(&mut file, zero - first.header.pretrigger_s);
    for (sweep, zero) in sweeps {
        let mut next = sweep.file;
        shift(&mut next, zero - sweep.header.pretrigger_s);
        file.warnings.extend(
            next.warnings
                .into_iter()
                .map(|w| format!("{}: {w}", file_name(sweep.path))),
        );
        for (into, from) in file.channels.iter_mut().zip(next.channels) {
            if let (
                ChannelData::Waveform { segments, .. },
                ChannelData::Waveform { segments: more, .. },
            ) = (&mut into.data, from.data)
            {
                segments.extend(more);
            }
        }
    }
    file.blocks = Some(TriggeredBlocks {
        zeros_s: zeros.to_vec(),
        pre_trigger,
    });
    Ok((file, meta))
}

/// Moves a file's segments to start at `start_s`.
fn shift(file: &mut SignalFile, start_s: f64) {
    for channel in &mut file.channels {
        if let ChannelData::Waveform { segments, .. } = &mut channel.data {
            for segment in segments {
                segment.start_s += start_s;
            }
        }
    }
}

/// Reads a series of sweep files into one triggered recording, named as
/// the series.
pub(crate) fn read(series: &Series, options: &ReadOptions) -> Result<(SignalFile, Meta)> {
    check_numbering(series)?;
    let sweeps = series
        .files
        .iter()
        .map(|&(_, path, bytes)| {
            let header = cfwb::header(path, bytes)?;
            let (file, meta) = cfwb::parse(path, bytes)?;
            Ok(Sweep {
                path,
                header,
                file,
                meta,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let zeros = zeros(series, &sweeps, options)?;
    join(&series.name, sweeps, &zeros)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sweep_file_name_splits_at_its_trailing_number() {
        let split =
            |name: &str| numbered(Path::new(name)).map(|((_, base, ext), n)| (base, ext, n));
        assert_eq!(
            split("d/rns_3hz_007.ADIBIN"),
            Some((
                "rns_3hz_".to_string(),
                "adibin".to_string(),
                "007".to_string()
            ))
        );
        assert_eq!(
            split("sweep12.bin"),
            Some(("sweep".to_string(), "bin".to_string(), "12".to_string()))
        );
        // No name before the number, no number, or no extension: not a
        // sweep file's name.
        for name in ["123.adibin", "rns_3hz.adibin", "rns_01", "a_1234567.adibin"] {
            assert_eq!(split(name), None, "{name}");
        }
    }
}
