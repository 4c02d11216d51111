//! EDF, EDF+ (continuous and discontinuous), BDF and BDF+ from the
//! specifications (edfplus.info/specs/edf.html and edfplus.html; BioSemi's
//! BDF notes): a 256-byte header, 256 bytes per signal, then data records
//! of 16-bit (EDF) or 24-bit (BDF) little-endian integers scaled to
//! physical units. `EDF Annotations` signals hold time-stamped annotation
//! lists (TALs): the first of each record gives the record's start, the
//! others are stimulus markers or `key: value` metadata.
//!
//! Lenient where it is safe, each time with a warning: Latin-1 text in the
//! header, a comma decimal mark, a record count of -1 or one that disagrees
//! with the file's length (the records present are read; a partial last
//! record is dropped). Strict where the data would be misread: a header
//! length that disagrees with the number of signals, an unreadable number,
//! a digital range that is empty or a physical range of zero width.

use std::path::Path;

use super::assemble::Meta;
use super::signals::{Annotation, Channel, ChannelData, Segment, SignalFile};
use crate::error::{Error, Location, Result};
use crate::model::InputFormat;

/// Bytes of the fixed header, and of each signal's header.
const HEADER_BYTES: usize = 256;
/// Most signals a header may declare: 256 bytes each, and no EMG file has
/// more than a few; a larger count is a corrupt field.
const MAX_SIGNALS: usize = 512;
/// Two records are one segment when the second starts within this many
/// seconds of the first's end (EDF+ times are written to 100 ns).
const CONTIGUOUS_S: f64 = 1e-6;

/// Whether the bytes start like an EDF or BDF header.
pub(crate) fn sniff(bytes: &[u8]) -> Option<InputFormat> {
    let version = bytes.get(..8)?;
    if version == b"0       " {
        Some(InputFormat::Edf)
    } else if version.first() == Some(&0xFF) && &version[1..] == b"BIOSEMI" {
        Some(InputFormat::Bdf)
    } else {
        None
    }
}

/// One signal's header fields.
struct SignalHeader {
    label: String,
    unit: String,
    physical: (f64, f64),
    digital: (f64, f64),
    samples_per_record: usize,
}

impl SignalHeader {
    fn is_annotations(&self) -> bool {
        self.label == "EDF Annotations" || self.label == "BDF Annotations"
    }
}

/// Reads the header fields in order, each as text, with its byte offset
/// for errors.
struct Fields<'a> {
    path: &'a Path,
    bytes: &'a [u8],
    format: InputFormat,
    warnings: Vec<String>,
}

impl Fields<'_> {
    fn bad(&self, offset: usize, detail: String) -> Error {
        Error::BadFile {
            at: Location::byte(self.path, offset as u64),
            format: self.format,
            detail,
        }
    }

    /// A text field: ASCII as the specification asks, else Latin-1 (with a
    /// warning); surrounding spaces trimmed.
    fn text(&mut self, offset: usize, len: usize, what: &str) -> Result<String> {
        let raw = self
            .bytes
            .get(offset..offset + len)
            .ok_or_else(|| self.bad(offset, format!("the file ends inside the header ({what})")))?;
        let text: String = if raw.iter().all(|b| (32..127).contains(b)) {
            raw.iter().map(|&b| char::from(b)).collect()
        } else {
            self.warnings.push(format!(
                "byte {offset}: the {what} holds non-ASCII bytes; read as Latin-1"
            ));
            raw.iter()
                .map(|&b| if b < 32 { ' ' } else { char::from(b) })
                .collect()
        };
        Ok(text.trim().to_string())
    }

    /// A number field (a comma decimal mark is read with a warning).
    fn number(&mut self, offset: usize, len: usize, what: &str) -> Result<f64> {
        let text = self.text(offset, len, what)?;
        if let Ok(v) = text.parse::<f64>() {
            if v.is_finite() {
                return Ok(v);
            }
        }
        if let Ok(v) = text.replace(',', ".").parse::<f64>() {
            if v.is_finite() {
                self.warnings.push(format!(
                    "byte {offset}: the {what} {text:?} has a decimal comma; read as {v}"
                ));
                return Ok(v);
            }
        }
        Err(self.bad(offset, format!("the {what} is {text:?}, not a number")))
    }

    /// A whole-number field.
    fn count(&mut self, offset: usize, len: usize, what: &str) -> Result<i64> {
        let v = self.number(offset, len, what)?;
        if v.fract() != 0.0 || v.abs() > 1e15 {
            return Err(self.bad(offset, format!("the {what} is {v}, not a whole number")));
        }
        Ok(v as i64)
    }
}

/// The file header: what the data records hold.
struct Header {
    format: InputFormat,
    plus: Option<char>,
    records: usize,
    record_s: f64,
    signals: Vec<SignalHeader>,
    meta: Meta,
}

/// Reads an EDF or BDF file into its channels.
pub(crate) fn parse(path: &Path, bytes: &[u8], format: InputFormat) -> Result<(SignalFile, Meta)> {
    parse_planned(path, bytes, format, &DecodePlan::default())
}

/// What to turn into physical values when the caller already knows what
/// it will measure (a BIDS run: its channel from `_channels.tsv`, its
/// stimuli from `_events.tsv`): a 75 s exercise test needs four sweeps.
/// A channel not decoded is listed with no samples; a record outside every
/// span leaves a gap, as an EDF+D file's do. Annotations are read from
/// every record.
#[derive(Debug, Clone, Default)]
pub(crate) struct DecodePlan {
    /// The channels to decode, by label (case ignored); `None`: all.
    pub channels: Option<Vec<String>>,
    /// The spans to decode (s from the start); `None`: all.
    pub spans_s: Option<Vec<(f64, f64)>>,
}

impl DecodePlan {
    fn channel(&self, label: &str) -> bool {
        self.channels
            .as_ref()
            .is_none_or(|c| c.iter().any(|n| n.eq_ignore_ascii_case(label.trim())))
    }

    fn record(&self, start_s: f64, end_s: f64) -> bool {
        self.spans_s
            .as_ref()
            .is_none_or(|spans| spans.iter().any(|(a, b)| *a < end_s && *b > start_s))
    }
}

/// As [`parse`], decoding what `plan` says.
pub(crate) fn parse_planned(
    path: &Path,
    bytes: &[u8],
    format: InputFormat,
    plan: &DecodePlan,
) -> Result<(SignalFile, Meta)> {
    let mut f = Fields {
        path,
        bytes,
        format,
        warnings: Vec::new(),
    };
    let header = read_header(&mut f)?;
    // The signals' reserved fields close the header and are never read, so
    // a file cut inside them passes every field read above.
    let header_len = HEADER_BYTES * (header.signals.len() + 1);
    let data = bytes.get(header_len..).ok_or_else(|| {
        f.bad(
            bytes.len(),
            format!("the file ends inside the header ({header_len} bytes, the signals' reserved fields)"),
        )
    })?;
    let sample_bytes = if format == InputFormat::Bdf { 3 } else { 2 };
    let record_bytes: usize = header
        .signals
        .iter()
        .map(|s| s.samples_per_record * sample_bytes)
        .sum();
    let records = record_count(&mut f, &header, data.len(), record_bytes)?;
    let layout = Layout {
        records,
        record_bytes,
        sample_bytes,
    };
    let mut file = decode_records(&f, &header, data, &layout, plan)?;
    file.warnings = std::mem::take(&mut f.warnings);
    Ok((file, header.meta))
}

fn read_header(f: &mut Fields) -> Result<Header> {
    let format = f.format;
    let patient = f.text(8, 80, "patient field")?;
    let recording = f.text(88, 80, "recording field")?;
    let date = f.text(168, 8, "start date")?;
    let header_bytes = f.count(184, 8, "header bytes")?;
    let reserved = f.text(192, 44, "reserved field")?;
    let records = f.count(236, 8, "number of data records")?;
    let record_s = f.number(244, 8, "data record duration")?;
    let ns = f.count(252, 4, "number of signals")?;
    let ns = usize::try_from(ns)
        .ok()
        .filter(|n| (1..=MAX_SIGNALS).contains(n))
        .ok_or_else(|| f.bad(252, format!("{ns} signals; expected 1-{MAX_SIGNALS}")))?;
    if header_bytes != (HEADER_BYTES * (ns + 1)) as i64 {
        return Err(f.bad(
            184,
            format!(
                "the header is said to be {header_bytes} bytes, but {ns} signals make it {}",
                HEADER_BYTES * (ns + 1)
            ),
        ));
    }
    if record_s.is_nan() || record_s < 0.0 {
        return Err(f.bad(244, format!("a data record lasts {record_s} s")));
    }
    let plus = ["EDF+", "BDF+"]
        .iter()
        .find_map(|p| reserved.strip_prefix(p))
        .and_then(|r| r.chars().next())
        .filter(|c| *c == 'C' || *c == 'D');
    let signals = (0..ns)
        .map(|i| signal_header(f, ns, i))
        .collect::<Result<Vec<_>>>()?;
    let records = match usize::try_from(records) {
        Ok(n) => n,
        Err(_) => {
            f.warnings.push(format!(
                "byte 236: the number of data records is {records}; counted from the file's length"
            ));
            usize::MAX
        }
    };
    let mut meta = Meta::default();
    header_metadata(&mut meta, &patient, &recording, &date, plus.is_some());
    Ok(Header {
        format,
        plus,
        records,
        record_s,
        signals,
        meta,
    })
}

/// Signal `i`'s fields: each field of every signal is stored together
/// (all labels, then all transducers, ...).
fn signal_header(f: &mut Fields, ns: usize, i: usize) -> Result<SignalHeader> {
    let mut offset = HEADER_BYTES;
    let mut field = |len: usize| {
        let at = offset + i * len;
        offset += ns * len;
        at
    };
    let n = i + 1;
    let label_at = field(16);
    let _transducer = field(80);
    let unit_at = field(8);
    let (pmin_at, pmax_at, dmin_at, dmax_at) = (field(8), field(8), field(8), field(8));
    let _prefilter = field(80);
    let spr_at = field(8);
    let label = f.text(label_at, 16, &format!("label of signal {n}"))?;
    let unit = f.text(unit_at, 8, &format!("physical dimension of signal {n}"))?;
    let physical = (
        f.number(pmin_at, 8, &format!("physical minimum of signal {n}"))?,
        f.number(pmax_at, 8, &format!("physical maximum of signal {n}"))?,
    );
    let digital = (
        f.number(dmin_at, 8, &format!("digital minimum of signal {n}"))?,
        f.number(dmax_at, 8, &format!("digital maximum of signal {n}"))?,
    );
    let spr = f.count(spr_at, 8, &format!("samples per record of signal {n}"))?;
    let samples_per_record = usize::try_from(spr)
        .ok()
        .filter(|s| *s > 0)
        .ok_or_else(|| f.bad(spr_at, format!("signal {n} has {spr} samples per record")))?;
    let s = SignalHeader {
        label,
        unit,
        physical,
        digital,
        samples_per_record,
    };
    if !s.is_annotations() {
        check_scaling(f, &s, n, (pmin_at, dmin_at, dmax_at))?;
    }
    Ok(s)
}

/// A signal's values can be scaled only from a digital range that is not
/// empty, lies within what its samples can hold (16 bits in EDF, 24 in
/// BDF: a digital maximum of 99999 in a 16-bit file would silently halve
/// every amplitude) and maps to a physical range of some width.
fn check_scaling(
    f: &Fields,
    s: &SignalHeader,
    n: usize,
    (pmin_at, dmin_at, dmax_at): (usize, usize, usize),
) -> Result<()> {
    let bits = if f.format == InputFormat::Bdf { 24 } else { 16 };
    let (lowest, highest) = (-(2f64.powi(bits - 1)), 2f64.powi(bits - 1) - 1.0);
    let (label, (dmin, dmax)) = (&s.label, s.digital);
    if dmax <= dmin {
        let why = format!("signal {n} ({label:?}) has digital minimum {dmin} and maximum {dmax}: its values cannot be scaled");
        return Err(f.bad(dmin_at, why));
    }
    for (v, at, what) in [(dmin, dmin_at, "minimum"), (dmax, dmax_at, "maximum")] {
        if !(lowest..=highest).contains(&v) {
            let why = format!("signal {n} ({label:?}) has digital {what} {v}, beyond the {bits}-bit samples of {} file ({lowest} to {highest}): its values cannot be scaled", if bits == 16 { "an EDF" } else { "a BDF" });
            return Err(f.bad(at, why));
        }
    }
    if s.physical.1 == s.physical.0 {
        let why = format!("signal {n} ({label:?}) has physical minimum and maximum both {}: its values cannot be scaled", s.physical.0);
        return Err(f.bad(pmin_at, why));
    }
    Ok(())
}

/// What the header says of the session: the start date (an identity key:
/// files of other dates are other studies) and, in EDF+, the patient code.
fn header_metadata(meta: &mut Meta, patient: &str, recording: &str, date: &str, plus: bool) {
    let mut put = |k: &str, v: String| {
        if !v.is_empty() {
            meta.all.insert(k.to_string(), v);
        }
    };
    // dd.mm.yy, years 85-99 in the 1900s (the EDF rule).
    let parts: Vec<&str> = date.split('.').collect();
    if let [d, m, y] = parts[..] {
        if let (Ok(d), Ok(m), Ok(y)) = (d.parse::<u32>(), m.parse::<u32>(), y.parse::<u32>()) {
            let year = if y >= 85 { 1900 + y } else { 2000 + y };
            put("date", format!("{year:04}-{m:02}-{d:02}"));
        }
    }
    if plus {
        // "code sex birthdate name": the code alone; "X" means unknown.
        if let Some(code) = patient.split_whitespace().next().filter(|c| *c != "X") {
            put("patient_id", code.to_string());
        }
        // "Startdate dd-MMM-yyyy admincode technician equipment".
        let fields: Vec<&str> = recording.split_whitespace().collect();
        if let Some(code) = fields.get(2).filter(|c| **c != "X") {
            put("study_id", code.to_string());
        }
    }
}

/// The records present: the header's count when the file holds it, else
/// what the length holds (with a warning).
fn record_count(
    f: &mut Fields,
    header: &Header,
    data_len: usize,
    record_bytes: usize,
) -> Result<usize> {
    if record_bytes == 0 {
        return Err(f.bad(HEADER_BYTES, "the signals hold no samples".to_string()));
    }
    let whole = data_len / record_bytes;
    let partial = data_len % record_bytes;
    if header.records == whole && partial == 0 {
        return Ok(whole);
    }
    if whole == 0 {
        return Err(f.bad(
            HEADER_BYTES * (header.signals.len() + 1),
            format!("the file holds no whole data record ({data_len} bytes of data, a record is {record_bytes})"),
        ));
    }
    if header.records != usize::MAX {
        f.warnings.push(format!(
            "the header says {} data records, the file holds {whole}; read {whole}",
            header.records
        ));
    }
    if partial != 0 {
        f.warnings.push(format!(
            "the last {partial} bytes are a partial data record (a record is {record_bytes} bytes); not read"
        ));
    }
    Ok(whole)
}

/// How the data records are laid out.
struct Layout {
    records: usize,
    record_bytes: usize,
    sample_bytes: usize,
}

fn decode_records(
    f: &Fields,
    header: &Header,
    data: &[u8],
    layout: &Layout,
    plan: &DecodePlan,
) -> Result<SignalFile> {
    let Layout {
        records,
        record_bytes,
        sample_bytes,
    } = *layout;
    let ns = header.signals.len();
    let mut segments: Vec<Vec<Segment>> = vec![Vec::new(); ns];
    let mut annotations = Vec::new();
    let mut first_start = None;
    for r in 0..records {
        let at = HEADER_BYTES * (ns + 1) + r * record_bytes;
        let record = &data[r * record_bytes..(r + 1) * record_bytes];
        let (stamp, notes) = record_annotations(f, header, record, at, sample_bytes)?;
        annotations.extend(notes);
        // EDF+D: each record where its stamp says; EDF+C and EDF: after
        // the first (whose stamp may be a fraction of a second).
        let first = *first_start.get_or_insert(stamp.unwrap_or(0.0));
        let start = match (header.plus, stamp) {
            (Some('D'), Some(t)) => t,
            // A discontinuous record's place in time is its stamp alone.
            (Some('D'), None) => {
                return Err(Error::BadFile {
                    at: Location::byte(f.path, at as u64),
                    format: f.format,
                    detail: format!(
                        "data record {} of this EDF+D file has no time-keeping annotation (its first TAL must be a signed onset with an empty text): its place in time is unknown",
                        r + 1
                    ),
                })
            }
            _ => first + r as f64 * header.record_s,
        };
        let mut offset = 0;
        let wanted = plan.record(start, start + header.record_s);
        for (i, s) in header.signals.iter().enumerate() {
            let len = s.samples_per_record * sample_bytes;
            if !s.is_annotations() && wanted && plan.channel(&s.label) {
                // Spans decode a part of the file: no room for all of it.
                let left = if plan.spans_s.is_some() {
                    1
                } else {
                    records - r
                };
                let seg = segment_at(&mut segments[i], start, header, left, s);
                scale_into(
                    &mut seg.samples,
                    &record[offset..offset + len],
                    s,
                    sample_bytes,
                );
            }
            offset += len;
        }
    }
    let channels = header
        .signals
        .iter()
        .zip(segments)
        .filter(|(s, _)| !s.is_annotations())
        .map(|(s, segments)| Channel {
            name: s.label.clone(),
            unit: s.unit.clone(),
            data: ChannelData::Waveform {
                sampling_rate_hz: s.samples_per_record as f64 / header.record_s,
                segments,
            },
        })
        .collect();
    annotations.sort_by(|a: &Annotation, b| a.onset_s.total_cmp(&b.onset_s));
    Ok(SignalFile {
        format: header.format,
        channels,
        annotations,
        warnings: Vec::new(),
        blocks: None,
        events: None,
    })
}

/// The annotation signals of one record: its time-keeping stamp and its
/// annotations.
fn record_annotations(
    f: &Fields,
    header: &Header,
    record: &[u8],
    at: usize,
    sample_bytes: usize,
) -> Result<(Option<f64>, Vec<Annotation>)> {
    let mut offset = 0;
    let mut stamp = None;
    let mut notes = Vec::new();
    for s in &header.signals {
        let len = s.samples_per_record * sample_bytes;
        if s.is_annotations() {
            let (keeping, more) = tals(f, &record[offset..offset + len], at + offset)?;
            stamp = stamp.or(keeping);
            notes.extend(more);
        }
        offset += len;
    }
    Ok((stamp, notes))
}

/// The segment a record starting at `start` continues, or a new one when
/// it starts elsewhere (a gap in an EDF+D file).
fn segment_at<'a>(
    segs: &'a mut Vec<Segment>,
    start: f64,
    header: &Header,
    records_left: usize,
    s: &SignalHeader,
) -> &'a mut Segment {
    let fs = s.samples_per_record as f64 / header.record_s;
    let continues = segs.last().is_some_and(|seg| {
        (seg.start_s + seg.samples.len() as f64 / fs - start).abs() <= CONTIGUOUS_S
    });
    if !continues {
        // A contiguous file is one segment: room for all of it at once
        // (growing by doubling would hold twice the samples at its peak).
        let room = if header.plus == Some('D') {
            s.samples_per_record
        } else {
            s.samples_per_record.saturating_mul(records_left)
        };
        segs.push(Segment {
            start_s: start,
            samples: Vec::with_capacity(room),
        });
    }
    let last = segs.len() - 1;
    &mut segs[last]
}

/// Digital to physical: the line through (digital min, physical min) and
/// (digital max, physical max), as the specification defines it.
fn scale_into(out: &mut Vec<f64>, raw: &[u8], s: &SignalHeader, sample_bytes: usize) {
    let gain = (s.physical.1 - s.physical.0) / (s.digital.1 - s.digital.0);
    let offset = s.physical.0 - gain * s.digital.0;
    if sample_bytes == 2 {
        out.extend(
            raw.chunks_exact(2)
                .map(|b| gain * f64::from(i16::from_le_bytes([b[0], b[1]])) + offset),
        );
    } else {
        out.extend(raw.chunks_exact(3).map(|b| {
            // Sign-extend the 24-bit value through the top byte.
            let v = i32::from_le_bytes([0, b[0], b[1], b[2]]) >> 8;
            gain * f64::from(v) + offset
        }));
    }
}

/// The TALs of one record's annotation bytes: the time-keeping onset (the
/// first TAL's, when its first annotation is empty) and the annotations.
fn tals(f: &Fields, raw: &[u8], at: usize) -> Result<(Option<f64>, Vec<Annotation>)> {
    let mut keeping = None;
    let mut notes = Vec::new();
    let mut pos = 0;
    for (k, tal) in raw.split(|b| *b == 0).enumerate() {
        let here = at + pos;
        pos += tal.len() + 1;
        if tal.is_empty() {
            continue;
        }
        let mut parts = tal.split(|b| *b == 0x14);
        let timing = parts.next().unwrap_or_default();
        let onset_bytes = timing.split(|b| *b == 0x15).next().unwrap_or_default();
        let onset_text = String::from_utf8_lossy(onset_bytes);
        let onset = onset_text
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && matches!(onset_bytes.first(), Some(b'+' | b'-')))
            .ok_or_else(|| Error::BadFile {
                at: Location::byte(f.path, here as u64),
                format: f.format,
                detail: format!(
                    "an annotation's onset is {onset_text:?}; EDF+ onsets are signed seconds such as +1.5"
                ),
            })?;
        let texts: Vec<String> = parts
            .map(|p| String::from_utf8_lossy(p).trim().to_string())
            .collect();
        if k == 0 && texts.first().is_some_and(|t| t.is_empty()) {
            keeping = Some(onset);
        }
        notes.extend(
            texts
                .into_iter()
                .filter(|t| !t.is_empty())
                .map(|text| Annotation {
                    onset_s: onset,
                    text,
                }),
        );
    }
    Ok((keeping, notes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(text: &str, width: usize) -> Vec<u8> {
        let mut b = text.as_bytes().to_vec();
        b.resize(width, b' ');
        b
    }

    /// An EDF(+)/BDF(+) file of one signal (`spr` samples per record, ±10
    /// mV over the digital range) and an annotation signal of 30 bytes.
    fn file(bdf: bool, reserved: &str, records: &[(Vec<i32>, &[u8])]) -> Vec<u8> {
        let spr = records[0].0.len();
        let (dmin, dmax) = if bdf {
            (-8388608, 8388607)
        } else {
            (-32768, 32767)
        };
        let mut h = Vec::new();
        h.extend(if bdf {
            let mut v = vec![0xFF];
            v.extend(b"BIOSEMI");
            v
        } else {
            field("0", 8)
        });
        h.extend(field("X X X X", 80));
        h.extend(field("Startdate 02-NOV-2026 S-17 X X", 80));
        h.extend(field("02.11.26", 8));
        h.extend(field("09.30.00", 8));
        h.extend(field("768", 8));
        h.extend(field(reserved, 44));
        h.extend(field(&records.len().to_string(), 8));
        h.extend(field("0.01", 8));
        h.extend(field("2", 4));
        let ann = if bdf {
            "BDF Annotations"
        } else {
            "EDF Annotations"
        };
        for (a, b, w) in [
            ("EMG", ann, 16),
            ("", "", 80),
            ("mV", "", 8),
            ("-10", "-1", 8),
            ("10", "1", 8),
            (&dmin.to_string(), &dmin.to_string(), 8),
            (&dmax.to_string(), &dmax.to_string(), 8),
            ("", "", 80),
            (&spr.to_string(), "10", 8),
            ("", "", 32),
        ] {
            h.extend(field(a, w));
            h.extend(field(b, w));
        }
        for (samples, tal) in records {
            for s in samples {
                if bdf {
                    h.extend(&s.to_le_bytes()[..3]);
                } else {
                    h.extend((*s as i16).to_le_bytes());
                }
            }
            let mut t = tal.to_vec();
            t.resize(if bdf { 30 } else { 20 }, 0);
            h.extend(t);
        }
        h
    }

    #[test]
    fn samples_are_scaled_and_tals_read() {
        let bytes = file(
            false,
            "EDF+C",
            &[
                (
                    vec![-32768, 0, 32767, 1],
                    b"+0\x14\x14\x00+0.005\x15\x30\x14stim\x14\x00",
                ),
                (vec![0, 0, 0, 0], b"+0.01\x14\x14\x00"),
            ],
        );
        assert_eq!(sniff(&bytes), Some(InputFormat::Edf));
        let (f, meta) = parse(Path::new("a.edf"), &bytes, InputFormat::Edf).unwrap();
        assert!(f.warnings.is_empty(), "{:?}", f.warnings);
        let (sampling_rate_hz, segments) = f.channels[0].waveform().unwrap();
        assert_eq!(sampling_rate_hz, 400.0);
        assert_eq!(segments.len(), 1);
        let s = &segments[0].samples;
        assert_eq!(s[0], -10.0);
        assert_eq!(s[2], 10.0);
        // Digital 0 is half a step above the middle of an even range.
        assert!((s[1] - 20.0 / 65535.0 * 0.5).abs() < 1e-12);
        assert_eq!(f.annotations.len(), 1);
        assert_eq!(f.annotations[0].text, "stim");
        assert_eq!(f.annotations[0].onset_s, 0.005);
        assert_eq!(meta.all["date"], "2026-11-02");
        assert_eq!(meta.all["study_id"], "S-17");
    }

    #[test]
    fn an_edf_plus_c_file_starts_where_its_first_record_says() {
        let bytes = file(
            false,
            "EDF+C",
            &[
                (vec![0; 4], b"+0.5\x14\x14\x00"),
                (vec![0; 4], b"+0.51\x14\x14\x00"),
            ],
        );
        let (f, _) = parse(Path::new("a.edf"), &bytes, InputFormat::Edf).unwrap();
        let (_, segments) = f.channels[0].waveform().unwrap();
        assert_eq!(segments.len(), 1);
        assert_eq!(segments[0].start_s, 0.5);
        assert_eq!(segments[0].samples.len(), 8);
    }

    #[test]
    fn bdf_samples_are_24_bit_signed() {
        let bytes = file(
            true,
            "BDF+C",
            &[(vec![-8388608, -1, 8388607, 0], b"+0\x14\x14\x00")],
        );
        assert_eq!(sniff(&bytes), Some(InputFormat::Bdf));
        let (f, _) = parse(Path::new("a.bdf"), &bytes, InputFormat::Bdf).unwrap();
        let (_, segments) = f.channels[0].waveform().unwrap();
        let s = &segments[0].samples;
        assert_eq!(s[0], -10.0);
        assert_eq!(s[2], 10.0);
        assert!(s[1] < 0.0 && s[1] > -1e-5, "{}", s[1]);
    }

    #[test]
    fn discontinuous_records_start_where_their_tal_says() {
        let bytes = file(
            false,
            "EDF+D",
            &[
                (vec![0; 4], b"+0\x14\x14\x00"),
                (vec![0; 4], b"+0.01\x14\x14\x00"),
                (vec![0; 4], b"+2.5\x14\x14\x00"),
            ],
        );
        let (f, _) = parse(Path::new("a.edf"), &bytes, InputFormat::Edf).unwrap();
        let (_, segments) = f.channels[0].waveform().unwrap();
        assert_eq!(segments.len(), 2);
        assert_eq!(segments[0].samples.len(), 8);
        assert_eq!(segments[1].start_s, 2.5);
        // A record whose first TAL is an annotation, not its time stamp:
        // its place is unknown, and the file is refused at that record.
        let bytes = file(
            false,
            "EDF+D",
            &[
                (vec![0; 4], b"+0\x14\x14\x00"),
                (vec![0; 4], b"+2.5\x14stim\x14\x00"),
            ],
        );
        let err = parse(Path::new("a.edf"), &bytes, InputFormat::Edf)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("data record 2 of this EDF+D file has no time-keeping annotation"),
            "{err}"
        );
    }

    #[test]
    fn bad_fields_are_refused_at_their_byte() {
        let mut bytes = file(false, "", &[(vec![0; 4], b"")]);
        bytes[244..252].copy_from_slice(b"abc     ");
        let err = parse(Path::new("a.edf"), &bytes, InputFormat::Edf).unwrap_err();
        assert!(
            err.to_string().contains(
                "a.edf, byte 244: not a readable EDF file: the data record duration is \"abc\""
            ),
            "{err}"
        );
        let mut bytes = file(false, "EDF+C", &[(vec![0; 4], b"1.5\x14\x14\x00")]);
        bytes.truncate(bytes.len());
        let err = parse(Path::new("a.edf"), &bytes, InputFormat::Edf).unwrap_err();
        assert!(err.to_string().contains("EDF+ onsets are signed"), "{err}");
    }

    #[test]
    fn a_decimal_comma_in_a_number_field_is_read_with_a_warning() {
        let mut bytes = file(false, "", &[(vec![0; 4], b"")]);
        bytes[244..252].copy_from_slice(b"0,01    ");
        let (f, _) = parse(Path::new("a.edf"), &bytes, InputFormat::Edf).unwrap();
        assert!(f.warnings[0].contains("decimal comma"), "{:?}", f.warnings);
    }

    #[test]
    fn a_file_cut_anywhere_is_refused_never_panics() {
        for bdf in [false, true] {
            let (format, name) = if bdf {
                (InputFormat::Bdf, "a.bdf")
            } else {
                (InputFormat::Edf, "a.edf")
            };
            let bytes = file(bdf, "EDF+C", &[(vec![0; 4], b"+0\x14\x14\x00")]);
            for n in 0..bytes.len() {
                let err = parse(Path::new(name), &bytes[..n], format).unwrap_err();
                assert!(err.to_string().contains(name), "{n}: {err}");
            }
            // Cut inside the signals' reserved fields (bytes 704-767 of a
            // file of two signals), the header's last bytes.
            let err = parse(Path::new(name), &bytes[..740], format).unwrap_err();
            assert!(err.to_string().contains("reserved fields"), "{err}");
        }
    }

    #[test]
    fn a_digital_range_beyond_the_samples_bits_is_refused() {
        let mut bytes = file(false, "", &[(vec![0; 4], b"")]);
        // The digital maximum of signal 1 (the header's field at 256 + 2 *
        // (16 + 80 + 8 + 8 + 8 + 8) bytes).
        let at = 256 + 2 * (16 + 80 + 8 + 8 + 8 + 8);
        bytes[at..at + 8].copy_from_slice(b"99999   ");
        let err = parse(Path::new("a.edf"), &bytes, InputFormat::Edf).unwrap_err();
        let text = err.to_string();
        assert!(text.contains(&format!("a.edf, byte {at}")), "{text}");
        assert!(
            text.contains("digital maximum 99999, beyond the 16-bit"),
            "{text}"
        );
        // A BDF file may use 24 bits.
        let bytes = file(true, "", &[(vec![0; 4], b"")]);
        assert!(parse(Path::new("a.bdf"), &bytes, InputFormat::Bdf).is_ok());
    }
}
