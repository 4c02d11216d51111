//! The text export of CED Spike2 (File > Export As > Text): tab-separated,
//! strings in double quotes. An `"INFORMATION"` section, a `"SUMMARY"`
//! (one line per channel), then one `"CHANNEL" "n"` section per channel:
//! its kind (`"Waveform"`, `"Marker"`, `"Evt+"`, ...), a comment and its
//! title; a waveform then gives its unit (and rate) and `"START" <start
//! s> <interval s>` followed by one value per line (a later `"START"` or
//! `"GAP" <s>` starts a new segment); a marker or event channel gives one
//! line per event, its time in seconds first.

use std::path::Path;

use super::assemble::Meta;
use super::signals::{Channel, ChannelData, Segment, SignalFile, TriggeredBlocks};
use super::text::{decode_lenient, locale_number as number, LineCounter};
use crate::error::{Error, Location, Result};
use crate::io::plausible::SWEEP_RANGE_MS;
use crate::model::InputFormat;

/// Whether the text starts like a Spike2 export.
pub(crate) fn sniff(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(256)]);
    let head = head.trim_start_matches('\u{feff}').trim_start();
    ["\"INFORMATION\"", "\"SUMMARY\"", "\"CHANNEL\""]
        .iter()
        .any(|s| head.starts_with(s))
}

fn bad(path: &Path, line: u64, detail: String) -> Error {
    Error::BadFile {
        at: Location::line(path, line),
        format: InputFormat::Spike2,
        detail,
    }
}

/// What a channel section holds, as far as it has been read.
enum Kind {
    Waveform,
    Events,
    /// WaveMark, RealMark and other kinds nmjscope does not use.
    Other(String),
}

/// A channel section being read.
struct Section {
    number: String,
    line: u64,
    kind: Option<Kind>,
    /// Strings after the kind: the comment, then the title, then (for a
    /// waveform) the unit.
    strings: Vec<String>,
    interval_s: Option<f64>,
    segments: Vec<Segment>,
    events: Vec<f64>,
}

/// Reads a Spike2 text export into its channels.
pub(crate) fn parse(path: &Path, bytes: &[u8]) -> Result<(SignalFile, Meta)> {
    let (text, warning) = decode_lenient(path, bytes)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(b'\t')
        .from_reader(text.as_bytes());
    let mut sections: Vec<Section> = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut lines = LineCounter::new(text.as_bytes(), 1);
    let mut warnings: Vec<String> = warning.into_iter().collect();
    loop {
        let more = reader
            .read_record(&mut record)
            .map_err(|e| bad(path, e.position().map_or(1, |p| p.line()), e.to_string()))?;
        if !more {
            break;
        }
        let line = record.position().map_or(1, |p| lines.line_of(p.byte()));
        let first = record.get(0).unwrap_or_default().trim();
        if first == "CHANNEL" {
            sections.push(Section {
                number: record.get(1).unwrap_or_default().trim().to_string(),
                line,
                kind: None,
                strings: Vec::new(),
                interval_s: None,
                segments: Vec::new(),
                events: Vec::new(),
            });
            continue;
        }
        let Some(section) = sections.last_mut() else {
            continue; // INFORMATION and SUMMARY: nothing the channels do not repeat
        };
        section_line(path, line, &record, section)?;
    }
    let channels = channels(path, sections, &mut warnings)?;
    if channels.is_empty() {
        return Err(bad(
            path,
            1,
            "no waveform or marker channel sections (\"CHANNEL\")".to_string(),
        ));
    }
    let blocks = triggered(&channels);
    let file = SignalFile {
        format: InputFormat::Spike2,
        channels,
        annotations: Vec::new(),
        warnings,
        blocks,
        events: None,
    };
    Ok((file, Meta::default()))
}

/// Segments laid out as a triggered recording (Spike2's triggered
/// sampling): several, each no longer than a sweep. A text export does not
/// say how long before its trigger a segment starts, so each segment's
/// start is taken as its trigger only when nothing else marks the stimuli
/// (a marker channel holding the triggers comes first).
fn triggered(channels: &[Channel]) -> Option<TriggeredBlocks> {
    let (fs, segments) = channels.iter().find_map(Channel::waveform)?;
    let sweep_like = |s: &Segment| s.samples.len() as f64 / fs * 1e3 <= SWEEP_RANGE_MS.1;
    (segments.len() >= 2 && segments.iter().all(sweep_like)).then(|| TriggeredBlocks {
        zeros_s: segments.iter().map(|s| s.start_s).collect(),
        pre_trigger: false,
    })
}

/// The sections read as channels; kinds nmjscope does not use are
/// reported and left out.
fn channels(
    path: &Path,
    sections: Vec<Section>,
    warnings: &mut Vec<String>,
) -> Result<Vec<Channel>> {
    let mut channels = Vec::new();
    for s in sections {
        match s.kind {
            Some(Kind::Waveform) => {
                let fs = s.interval_s.map_or(0.0, |dt| 1.0 / dt);
                channels.push(Channel {
                    name: s.strings.get(1).cloned().unwrap_or_default(),
                    unit: unit_name(s.strings.get(2).map(String::as_str).unwrap_or("")),
                    data: ChannelData::Waveform {
                        sampling_rate_hz: fs,
                        segments: s.segments,
                    },
                });
            }
            Some(Kind::Events) => channels.push(Channel {
                name: s.strings.get(1).cloned().unwrap_or_default(),
                unit: String::new(),
                data: ChannelData::Events { times_s: s.events },
            }),
            Some(Kind::Other(kind)) => warnings.push(format!(
                "line {}: channel {} is a {kind} channel; not read",
                s.line, s.number
            )),
            None => {
                return Err(bad(
                    path,
                    s.line,
                    format!(
                        "channel {} has no kind line (\"Waveform\", \"Marker\")",
                        s.number
                    ),
                ))
            }
        }
    }
    Ok(channels)
}

/// Spike2 writes units as typed: `" volt"`, `"mV"`, `"uV"`.
fn unit_name(raw: &str) -> String {
    match raw.trim().to_lowercase().as_str() {
        "volt" | "volts" => "V".to_string(),
        "millivolt" | "millivolts" | "mvolt" => "mV".to_string(),
        "microvolt" | "microvolts" => "uV".to_string(),
        _ => raw.trim().to_string(),
    }
}

/// A section's kind. A TextMark channel holds the examiner's typed notes,
/// not stimuli: it is not read as an event channel (its times would pass
/// for stimuli), and is reported as not read.
fn kind_of(text: &str) -> Kind {
    match text {
        "Waveform" | "RealWave" | "Adc" => Kind::Waveform,
        "Marker" | "Evt+" | "Evt-" | "Event+" | "Event-" | "Level" | "EvtBoth" => Kind::Events,
        other => Kind::Other(other.to_string()),
    }
}

/// One line of a channel section.
fn section_line(path: &Path, line: u64, record: &csv::StringRecord, s: &mut Section) -> Result<()> {
    let first = record.get(0).unwrap_or_default().trim();
    let Some(kind) = &s.kind else {
        s.kind = Some(kind_of(first));
        return Ok(());
    };
    // The comment and the title follow the kind, even when empty (`""`).
    if s.strings.len() < 2 {
        s.strings.push(first.to_string());
        return Ok(());
    }
    if record.iter().all(|c| c.trim().is_empty()) {
        return Ok(());
    }
    match kind {
        Kind::Other(_) => Ok(()),
        Kind::Events => {
            let t = number(first).ok_or_else(|| {
                bad(
                    path,
                    line,
                    format!("an event time {first:?} is not a number of seconds"),
                )
            })?;
            s.events.push(t);
            Ok(())
        }
        Kind::Waveform => waveform_line(path, line, record, s),
    }
}

fn waveform_line(
    path: &Path,
    line: u64,
    record: &csv::StringRecord,
    s: &mut Section,
) -> Result<()> {
    let first = record.get(0).unwrap_or_default().trim();
    let field = |i: usize| record.get(i).and_then(number);
    match first {
        "START" => {
            let (Some(start), Some(dt)) = (field(1), field(2)) else {
                return Err(bad(
                    path,
                    line,
                    "a START line needs the start time and the sample interval (s)".to_string(),
                ));
            };
            if dt.is_nan() || dt <= 0.0 || s.interval_s.is_some_and(|d| (d - dt).abs() > 1e-9 * d) {
                return Err(bad(path, line, format!("sample interval {dt} s")));
            }
            s.interval_s = Some(dt);
            s.segments.push(Segment {
                start_s: start,
                samples: Vec::new(),
            });
            Ok(())
        }
        "GAP" => {
            let start =
                field(1).ok_or_else(|| bad(path, line, "a GAP line without a time".to_string()))?;
            s.segments.push(Segment {
                start_s: start,
                samples: Vec::new(),
            });
            Ok(())
        }
        _ if s.segments.is_empty() => {
            // The unit (and rate) line, after the comment and the title.
            if s.strings.len() < 3 && number(first).is_none() {
                s.strings.push(first.to_string());
                return Ok(());
            }
            Err(bad(
                path,
                line,
                format!("the value {first:?} comes before any \"START\" line (which gives the start time and the sample interval)"),
            ))
        }
        _ => {
            if record.iter().filter(|c| !c.trim().is_empty()).count() > 1 {
                return Err(bad(
                    path,
                    line,
                    "several waveform columns in one section; export each channel in its own section".to_string(),
                ));
            }
            let v = number(first)
                .ok_or_else(|| bad(path, line, format!("the value {first:?} is not a number")))?;
            if let Some(seg) = s.segments.last_mut() {
                seg.samples.push(v);
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXPORT: &str = "\"INFORMATION\"\r\n\"a.smr\"\r\n\"\"\r\n\r\n\"SUMMARY\"\r\n\"1\"\t\"Waveform\"\t\"EMG\"\t\" volt\"\t1000\t1000\t1\t0\r\n\"2\"\t\"Marker\"\t\"Stim\"\r\n\r\n\"CHANNEL\"\t\"1\"\r\n\"Waveform\"\r\n\"No comment\"\r\n\"EMG\"\r\n\r\n\" volt\"\t1000\r\n\"START\"\t0.50000\t0.00100\r\n0.001\r\n-0.002\r\n\"GAP\"\t2.00000\r\n0.003\r\n\r\n\"CHANNEL\"\t\"2\"\r\n\"Marker\"\r\n\"No comment\"\r\n\"Stim\"\r\n\r\n0.50100\t\"01??\"\t1\t0\t0\t0\r\n2.00000\t\"01??\"\t1\t0\t0\t0\r\n\r\n\"CHANNEL\"\t\"3\"\r\n\"WaveMark\"\r\n";

    #[test]
    fn waveforms_markers_and_gaps_are_read() {
        assert!(sniff(EXPORT.as_bytes()));
        let (f, _) = parse(Path::new("a.txt"), EXPORT.as_bytes()).unwrap();
        assert_eq!(f.channels.len(), 2);
        assert_eq!(f.channels[0].name, "EMG");
        assert_eq!(f.channels[0].unit, "V", "\" volt\" is volts");
        let (sampling_rate_hz, segments) = f.channels[0].waveform().unwrap();
        assert_eq!(sampling_rate_hz, 1000.0);
        assert_eq!(segments.len(), 2);
        assert_eq!(segments[0].start_s, 0.5);
        assert_eq!(segments[0].samples, [0.001, -0.002]);
        assert_eq!(segments[1].start_s, 2.0);
        let ChannelData::Events { times_s } = &f.channels[1].data else {
            panic!()
        };
        assert_eq!(times_s, &[0.501, 2.0]);
        assert!(f.warnings[0].contains("channel 3 is a WaveMark channel; not read"));
    }

    #[test]
    fn an_empty_comment_is_a_comment_and_the_keyboard_is_no_stimulus() {
        let text = EXPORT
            .replace("\"Marker\"\r\n\"No comment\"", "\"Marker\"\r\n\"\"")
            .replace("\"CHANNEL\"\t\"3\"\r\n\"WaveMark\"\r\n", "");
        let (f, _) = parse(Path::new("a.txt"), text.as_bytes()).unwrap();
        assert_eq!(f.channels[1].name, "Stim");
        let ChannelData::Events { times_s } = &f.channels[1].data else {
            panic!()
        };
        assert_eq!(times_s.len(), 2, "no event taken for the title");
    }

    #[test]
    fn a_bad_value_is_refused_at_its_line() {
        let text = EXPORT.replace("-0.002", "-0.0x2");
        let err = parse(Path::new("a.txt"), text.as_bytes()).unwrap_err();
        assert!(
            err.to_string().starts_with(
                "a.txt, line 17: not a readable Spike2 text file: the value \"-0.0x2\""
            ),
            "{err}"
        );
    }
}
