//! LabChart's binary export, CFWB (ADInstruments' `ADIBinaryFormat.h`,
//! "Translate Binary"): a 68-byte file header (`CFWB`, version, sampling
//! interval, trigger date and time, pre-trigger seconds, channels, samples
//! per channel, a time-column flag, the data format), a 96-byte header per
//! channel (title, units, scale, offset, range), then the samples
//! interleaved: doubles, floats, or 16-bit integers scaled as
//! `scale * (sample + offset)`. Little-endian, packed.

use std::path::Path;

use super::assemble::Meta;
use super::signals::{Channel, ChannelData, Segment, SignalFile};
use crate::error::{Error, Location, Result};
use crate::model::InputFormat;

const FILE_HEADER_BYTES: usize = 68;
const CHANNEL_HEADER_BYTES: usize = 96;
/// Most channels a header may declare; a larger count is a corrupt field.
const MAX_CHANNELS: usize = 256;

/// Whether the bytes start like a CFWB file.
pub(crate) fn sniff(bytes: &[u8]) -> bool {
    bytes.starts_with(b"CFWB")
}

fn bad(path: &Path, offset: usize, detail: String) -> Error {
    Error::BadFile {
        at: Location::byte(path, offset as u64),
        format: InputFormat::Cfwb,
        detail,
    }
}

fn i32_at(bytes: &[u8], at: usize) -> Option<i32> {
    Some(i32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn f64_at(bytes: &[u8], at: usize) -> Option<f64> {
    Some(f64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
}

/// A fixed-width text field, up to its first NUL, as Latin-1.
fn text_at(bytes: &[u8], at: usize, len: usize) -> String {
    let raw = bytes.get(at..at + len).unwrap_or_default();
    let end = raw.iter().position(|b| *b == 0).unwrap_or(raw.len());
    raw[..end]
        .iter()
        .map(|&b| char::from(b))
        .collect::<String>()
        .trim()
        .to_string()
}

/// What the file header says.
pub(crate) struct Header {
    pub secs_per_tick: f64,
    /// Recorded span before the trigger (s); 0 when none was set.
    pub pretrigger_s: f64,
    /// The trigger's date and time, in seconds from 1970-01-01 (the
    /// header's year, month, day, hour, minute and second); `None` when the
    /// header leaves the date empty (year 0) or gives an impossible one.
    pub trigger_clock_s: Option<f64>,
    channels: usize,
    pub samples: usize,
    time_channel: bool,
    /// Bytes per value: 8 (double), 4 (float) or 2 (16-bit integer).
    width: usize,
}

pub(crate) fn header(path: &Path, bytes: &[u8]) -> Result<Header> {
    let short = || {
        bad(
            path,
            bytes.len(),
            "the file ends inside its header".to_string(),
        )
    };
    let secs_per_tick = f64_at(bytes, 8).ok_or_else(short)?;
    let pretrigger_s = f64_at(bytes, 44).ok_or_else(short)?;
    let channels = i32_at(bytes, 52).ok_or_else(short)?;
    let samples = i32_at(bytes, 56).ok_or_else(short)?;
    let time_channel = i32_at(bytes, 60).ok_or_else(short)?;
    let format = i32_at(bytes, 64).ok_or_else(short)?;
    if !(secs_per_tick.is_finite() && secs_per_tick > 0.0) {
        return Err(bad(
            path,
            8,
            format!("the sampling interval is {secs_per_tick} s"),
        ));
    }
    let channels = usize::try_from(channels)
        .ok()
        .filter(|n| (1..=MAX_CHANNELS).contains(n))
        .ok_or_else(|| {
            bad(
                path,
                52,
                format!("{channels} channels; expected 1-{MAX_CHANNELS}"),
            )
        })?;
    let samples = usize::try_from(samples)
        .map_err(|_| bad(path, 56, format!("{samples} samples per channel")))?;
    let width = match format {
        1 => 8,
        2 => 4,
        3 => 2,
        f => {
            return Err(bad(
                path,
                64,
                format!("data format {f}; expected 1 (double), 2 (float) or 3 (16-bit integer)"),
            ))
        }
    };
    Ok(Header {
        secs_per_tick,
        pretrigger_s: if pretrigger_s.is_finite() {
            pretrigger_s.max(0.0)
        } else {
            0.0
        },
        trigger_clock_s: trigger_clock_s(bytes),
        channels,
        samples,
        time_channel: time_channel == 1 && width != 2,
        width,
    })
}

/// The header's trigger date and time (year, month, day, hour and minute
/// as 32-bit integers at bytes 16-35, the second as a double at 36), in
/// seconds from 1970-01-01.
fn trigger_clock_s(bytes: &[u8]) -> Option<f64> {
    let field = |at| i32_at(bytes, at).map(i64::from);
    let (year, month, day) = (field(16)?, field(20)?, field(24)?);
    let (hour, minute, second) = (field(28)?, field(32)?, f64_at(bytes, 36)?);
    let valid = (1900..=9999).contains(&year)
        && (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && (0..24).contains(&hour)
        && (0..60).contains(&minute)
        && (0.0..61.0).contains(&second);
    valid.then(|| {
        let days = days_from_civil(year, month, day);
        (days * 86_400 + hour * 3_600 + minute * 60) as f64 + second
    })
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar
/// (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms",
/// `days_from_civil`): eras of 400 years, years starting in March so the
/// leap day ends the year.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Reads a CFWB file into its channels. The pre-trigger span, when there is
/// one, is where the first stimulus is (`first_stimulus_ms`, used with a
/// given rate).
pub(crate) fn parse(path: &Path, bytes: &[u8]) -> Result<(SignalFile, Meta)> {
    let h = header(path, bytes)?;
    let data_at = FILE_HEADER_BYTES + CHANNEL_HEADER_BYTES * h.channels;
    let columns = h.channels + usize::from(h.time_channel);
    let frame = columns * h.width;
    let data = bytes.get(data_at..).ok_or_else(|| {
        bad(
            path,
            bytes.len(),
            "the file ends inside its channel headers".to_string(),
        )
    })?;
    let mut warnings = Vec::new();
    let frames = data.len() / frame;
    let samples = if frames < h.samples {
        warnings.push(format!(
            "the header says {} samples per channel, the file holds {frames}; read {frames}",
            h.samples
        ));
        frames
    } else {
        if data.len() > h.samples * frame {
            warnings.push(format!(
                "{} bytes after the {} samples per channel the header says; not read",
                data.len() - h.samples * frame,
                h.samples
            ));
        }
        h.samples
    };
    let mut channels = Vec::with_capacity(h.channels);
    for c in 0..h.channels {
        let at = FILE_HEADER_BYTES + CHANNEL_HEADER_BYTES * c;
        let scale = f64_at(bytes, at + 64).unwrap_or(1.0);
        let offset = f64_at(bytes, at + 72).unwrap_or(0.0);
        if h.width == 2 && !(scale.is_finite() && scale != 0.0 && offset.is_finite()) {
            return Err(bad(
                path,
                at + 64,
                format!(
                    "channel {} has scale {scale} and offset {offset}: its values cannot be scaled",
                    c + 1
                ),
            ));
        }
        let column = c + usize::from(h.time_channel);
        let values = (0..samples)
            .map(|i| value(data, i * frame + column * h.width, h.width, scale, offset))
            .collect();
        channels.push(Channel {
            name: text_at(bytes, at, 32),
            unit: text_at(bytes, at + 32, 32),
            data: ChannelData::Waveform {
                sampling_rate_hz: 1.0 / h.secs_per_tick,
                segments: vec![Segment {
                    start_s: 0.0,
                    samples: values,
                }],
            },
        });
    }
    let mut meta = Meta::default();
    if h.pretrigger_s > 0.0 {
        meta.all.insert(
            "first_stimulus_ms".to_string(),
            crate::error::show(h.pretrigger_s * 1e3),
        );
    }
    let file = SignalFile {
        format: InputFormat::Cfwb,
        channels,
        annotations: Vec::new(),
        warnings,
        blocks: None,
        events: None,
    };
    Ok((file, meta))
}

/// One value: a double or float as written, a 16-bit integer scaled.
fn value(data: &[u8], at: usize, width: usize, scale: f64, offset: f64) -> f64 {
    let b = &data[at..at + width];
    match width {
        8 => f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
        4 => f64::from(f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
        _ => scale * (f64::from(i16::from_le_bytes([b[0], b[1]])) + offset),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(format: i32, time: bool, values: &[f64]) -> Vec<u8> {
        let mut b = b"CFWB".to_vec();
        b.extend(1i32.to_le_bytes());
        b.extend(0.001f64.to_le_bytes());
        for v in [2026i32, 11, 2, 9, 30] {
            b.extend(v.to_le_bytes());
        }
        b.extend(0.0f64.to_le_bytes());
        b.extend(0.005f64.to_le_bytes());
        b.extend(1i32.to_le_bytes());
        b.extend((values.len() as i32).to_le_bytes());
        b.extend(i32::from(time).to_le_bytes());
        b.extend(format.to_le_bytes());
        assert_eq!(b.len(), FILE_HEADER_BYTES);
        let mut title = b"EMG".to_vec();
        title.resize(32, 0);
        let mut units = b"mV".to_vec();
        units.resize(32, 0);
        b.extend(title);
        b.extend(units);
        for v in [0.01f64, 0.5, 10.0, -10.0] {
            b.extend(v.to_le_bytes());
        }
        for (i, v) in values.iter().enumerate() {
            if time {
                b.extend((i as f32 * 0.001).to_le_bytes());
            }
            match format {
                1 => b.extend(v.to_le_bytes()),
                2 => b.extend((*v as f32).to_le_bytes()),
                _ => b.extend((*v as i16).to_le_bytes()),
            }
        }
        b
    }

    fn samples(f: &SignalFile) -> Vec<f64> {
        f.channels[0].waveform().unwrap().1[0].samples.clone()
    }

    #[test]
    fn every_data_format_is_read() {
        let bytes = file(1, false, &[1.5, -2.25]);
        assert!(sniff(&bytes));
        let (f, meta) = parse(Path::new("a.adibin"), &bytes).unwrap();
        assert_eq!(samples(&f), [1.5, -2.25]);
        assert_eq!(f.channels[0].name, "EMG");
        assert_eq!(f.channels[0].unit, "mV");
        assert_eq!(meta.all["first_stimulus_ms"], "5");
        let (f, _) = parse(Path::new("a.adibin"), &file(2, true, &[1.5, -2.25])).unwrap();
        assert_eq!(samples(&f), [1.5, -2.25]);
        // 16-bit: 0.01 * (sample + 0.5).
        let (f, _) = parse(Path::new("a.adibin"), &file(3, false, &[100.0, -100.0])).unwrap();
        for (got, want) in samples(&f).iter().zip([1.005, -0.995]) {
            assert!((got - want).abs() < 1e-12, "{got} vs {want}");
        }
    }

    #[test]
    fn the_trigger_time_is_read_as_seconds_from_1970() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(2026, 11, 2), 20_759);
        let bytes = file(1, false, &[1.0]);
        let h = header(Path::new("a.adibin"), &bytes).unwrap();
        // 2026-11-02 09:30:00.
        assert_eq!(h.trigger_clock_s, Some(20_759.0 * 86_400.0 + 34_200.0));
        let mut undated = bytes.clone();
        undated[16..20].copy_from_slice(&0i32.to_le_bytes());
        let h = header(Path::new("a.adibin"), &undated).unwrap();
        assert_eq!(h.trigger_clock_s, None);
    }

    #[test]
    fn a_bad_header_is_refused_at_its_byte() {
        let mut bytes = file(1, false, &[1.0]);
        bytes[64..68].copy_from_slice(&7i32.to_le_bytes());
        let err = parse(Path::new("a.adibin"), &bytes).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("a.adibin, byte 64: not a readable CFWB file: data format 7"),
            "{err}"
        );
    }

    #[test]
    fn a_short_file_is_read_with_a_warning() {
        let mut bytes = file(1, false, &[1.0, 2.0, 3.0]);
        bytes.truncate(bytes.len() - 4);
        let (f, _) = parse(Path::new("a.adibin"), &bytes).unwrap();
        assert_eq!(samples(&f), [1.0, 2.0]);
        assert!(f.warnings[0].contains("the header says 3 samples per channel, the file holds 2"));
    }
}
