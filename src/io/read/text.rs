//! From a file's bytes to text the CSV tokeniser can trust: the file kind
//! and size, byte-order marks (one or several), UTF-16 with or without a
//! mark, CR-only or mixed line endings, and the delimiter of the header
//! (counted outside quotes).

use std::borrow::Cow;
use std::io::Read;
use std::path::Path;

use crate::error::{Error, Location, Result};
use crate::model::Delimiter;

/// Largest trace file read (bytes). A 50-response train at 200 kHz over
/// 500 ms sweeps written with 10 characters per value is about 50 MB; four
/// times that is no export but a wrong file (`/dev/zero`, a disk image).
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

const BOM: char = '\u{feff}';

/// Reads a regular file of at most [`MAX_FILE_BYTES`]. A FIFO, a device or
/// a directory is refused before it is opened (opening a FIFO blocks).
pub fn read_bounded(path: &Path) -> Result<Vec<u8>> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if !meta.is_file() {
        return Err(Error::NotAFile {
            path: path.to_path_buf(),
        });
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(Error::TooLarge {
            path: path.to_path_buf(),
            bytes: meta.len(),
            max: MAX_FILE_BYTES,
        });
    }
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // The file may grow while it is read: never take more than the limit.
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Error::TooLarge {
            path: path.to_path_buf(),
            bytes: bytes.len() as u64,
            max: MAX_FILE_BYTES,
        });
    }
    Ok(bytes)
}

/// The text of a trace file: UTF-8 (or UTF-16 with or without a mark)
/// without byte-order marks, with `\n` or `\r\n` line endings only.
pub fn decode<'a>(path: &Path, bytes: &'a [u8]) -> Result<Cow<'a, str>> {
    let text: Cow<str> = match utf16_order(bytes) {
        Some(little) => Cow::Owned(decode_utf16(path, bytes, little)?),
        None => Cow::Borrowed(std::str::from_utf8(bytes).map_err(|e| {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64
                + 1;
            Error::InvalidUtf8 {
                at: Location::line(path, line),
            }
        })?),
    };
    // Some exporters write the mark twice (once per encoding pass).
    let text = match text {
        Cow::Borrowed(t) => Cow::Borrowed(t.trim_start_matches(BOM)),
        Cow::Owned(t) => Cow::Owned(t.trim_start_matches(BOM).to_string()),
    };
    Ok(normalise_line_endings(text))
}

/// The file line of each record the `csv` crate reads. Its own line count
/// is wrong after a blank line or a `\r\n` ending (it is taken where the
/// previous record ended), so lines are counted from byte offsets: each
/// byte is looked at once, forward.
pub(crate) struct LineCounter<'a> {
    text: &'a [u8],
    /// Byte up to which newlines have been counted.
    byte: usize,
    /// The line `byte` is on.
    line: u64,
    first_line: u64,
}

impl<'a> LineCounter<'a> {
    /// Lines of `text`, whose first byte is on `first_line`.
    pub(crate) fn new(text: &'a [u8], first_line: u64) -> Self {
        LineCounter {
            text,
            byte: 0,
            line: first_line,
            first_line,
        }
    }

    /// The line of the record the `csv` crate places at `byte`: its first
    /// byte that ends no line.
    pub(crate) fn line_of(&mut self, byte: u64) -> u64 {
        let mut start = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        while matches!(self.text.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        if start < self.byte {
            self.byte = 0;
            self.line = self.first_line;
        }
        self.line += memchr::memchr_iter(b'\n', &self.text[self.byte..start]).count() as u64;
        self.byte = start;
        self.line
    }
}

/// A finite number with `.` or `,` as its decimal mark (instrument text
/// exports write either, by locale).
pub(crate) fn locale_number(text: &str) -> Option<f64> {
    let t = text.trim();
    t.parse::<f64>()
        .ok()
        .or_else(|| t.replace(',', ".").parse::<f64>().ok())
        .filter(|v| v.is_finite())
}

/// As [`decode`], but text that is not UTF-8 is read as Latin-1 (Windows
/// exporters write `µV` so), with a warning naming the first line that is
/// not: instrument exports are not always UTF-8, and Latin-1 misreads no
/// number.
pub fn decode_lenient<'a>(path: &Path, bytes: &'a [u8]) -> Result<(Cow<'a, str>, Option<String>)> {
    match decode(path, bytes) {
        Ok(text) => Ok((text, None)),
        Err(Error::InvalidUtf8 { at }) if utf16_order(bytes).is_none() => {
            let text: String = bytes.iter().map(|&b| char::from(b)).collect();
            let text = normalise_line_endings(Cow::Owned(text)).into_owned();
            let line = at.line.unwrap_or(1);
            let warning = format!("line {line}: not UTF-8; the file is read as Latin-1");
            Ok((Cow::Owned(text), Some(warning)))
        }
        Err(e) => Err(e),
    }
}

/// The first bytes of a file as UTF-8 for sniffing its format: UTF-16
/// (a LabChart or Spike2 export saved as Unicode) transcoded, anything
/// else as it is.
pub(crate) fn sniff_head(bytes: &[u8]) -> Cow<'_, [u8]> {
    /// Enough for every format's signature.
    const HEAD_BYTES: usize = 8192;
    let head = &bytes[..bytes.len().min(HEAD_BYTES)];
    match utf16_order(head) {
        Some(little) => {
            let units = head.chunks_exact(2).map(|p| {
                if little {
                    u16::from_le_bytes([p[0], p[1]])
                } else {
                    u16::from_be_bytes([p[0], p[1]])
                }
            });
            let text: String = char::decode_utf16(units)
                .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
                .collect();
            Cow::Owned(text.trim_start_matches('\u{feff}').as_bytes().to_vec())
        }
        None => Cow::Borrowed(head),
    }
}

/// `Some(little_endian)` when the bytes are UTF-16: a byte-order mark, or
/// (no mark) text whose every other byte in the first line is zero.
fn utf16_order(bytes: &[u8]) -> Option<bool> {
    match bytes {
        [0xFF, 0xFE, ..] => return Some(true),
        [0xFE, 0xFF, ..] => return Some(false),
        _ => {}
    }
    let head = &bytes[..bytes.len().min(64) & !1];
    if head.len() < 4 {
        return None;
    }
    let zeros_at = |parity: usize| {
        head.iter()
            .skip(parity)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count()
    };
    let pairs = head.len() / 2;
    // ASCII text in UTF-16 has a zero in every pair; UTF-8 text never has
    // NULs at all, so most of them is decisive.
    if zeros_at(1) * 4 >= pairs * 3 {
        Some(true)
    } else if zeros_at(0) * 4 >= pairs * 3 {
        Some(false)
    } else {
        None
    }
}

fn decode_utf16(path: &Path, bytes: &[u8], little: bool) -> Result<String> {
    let units = bytes.chunks_exact(2).map(|pair| {
        let pair = [pair[0], pair[1]];
        if little {
            u16::from_le_bytes(pair)
        } else {
            u16::from_be_bytes(pair)
        }
    });
    let mut text = String::with_capacity(bytes.len() / 2);
    let mut line = 1u64;
    for unit in char::decode_utf16(units) {
        match unit {
            Ok(c) => {
                line += u64::from(c == '\n');
                text.push(c);
            }
            Err(_) => {
                return Err(Error::InvalidUtf8 {
                    at: Location::line(path, line),
                })
            }
        }
    }
    if bytes.len() % 2 == 1 {
        return Err(Error::InvalidUtf8 {
            at: Location::line(path, line),
        });
    }
    Ok(text)
}

/// CR-only (classic Mac) and mixed line endings become `\n`; `\r\n` stays,
/// so the common case is not copied.
fn normalise_line_endings(text: Cow<'_, str>) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    // `memchr` scans a word at a time: a byte-by-byte look for `\r` cost
    // a twentieth of reading a file.
    let lone_cr = memchr::memchr_iter(b'\r', bytes).any(|i| bytes.get(i + 1) != Some(&b'\n'));
    if !lone_cr {
        return text;
    }
    Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
}

/// The delimiter of the header line: `;`, else tab, else `,`, counting only
/// characters outside double quotes (`"Amplitude; mV"` is one cell).
pub fn detect_delimiter(body: &str) -> Delimiter {
    let header = body
        .lines()
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .unwrap_or("");
    let mut quoted = false;
    let (mut semicolons, mut tabs) = (0, 0);
    for c in header.chars() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => semicolons += 1,
            '\t' if !quoted => tabs += 1,
            _ => {}
        }
    }
    if semicolons > 0 {
        Delimiter::Semicolon
    } else if tabs > 0 {
        Delimiter::Tab
    } else {
        Delimiter::Comma
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(text: &str, little: bool, mark: bool) -> Vec<u8> {
        let mut out = Vec::new();
        let units = mark
            .then_some(0xFEFF)
            .into_iter()
            .chain(text.encode_utf16());
        for u in units {
            out.extend(if little {
                u.to_le_bytes()
            } else {
                u.to_be_bytes()
            });
        }
        out
    }

    #[test]
    fn utf16_with_and_without_a_mark_decodes() {
        let text = "# protocol: rns\ntime_ms,r1\n0,1\n";
        for little in [true, false] {
            for mark in [true, false] {
                let bytes = utf16(text, little, mark);
                let got = decode(Path::new("f.csv"), &bytes).unwrap();
                assert_eq!(got, text, "little {little} mark {mark}");
            }
        }
    }

    #[test]
    fn marks_and_line_endings_are_normalised() {
        let doubled = "\u{feff}\u{feff}# protocol: hfrns\n";
        assert_eq!(
            decode(Path::new("f"), doubled.as_bytes()).unwrap(),
            "# protocol: hfrns\n"
        );
        let cr = "a\rb\r\nc\rd";
        assert_eq!(decode(Path::new("f"), cr.as_bytes()).unwrap(), "a\nb\nc\nd");
        let crlf = "a\r\nb\r\n";
        assert!(matches!(
            decode(Path::new("f"), crlf.as_bytes()).unwrap(),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn delimiters_inside_quotes_do_not_count() {
        assert_eq!(detect_delimiter("\"time; ms\",r1\n0,1\n"), Delimiter::Comma);
        assert_eq!(detect_delimiter("time_ms;r1\n"), Delimiter::Semicolon);
        assert_eq!(detect_delimiter("time_ms\tr1\n"), Delimiter::Tab);
    }

    #[test]
    fn pipes_and_devices_are_refused_before_opening() {
        let e = read_bounded(Path::new("/dev/zero")).unwrap_err();
        assert!(matches!(e, Error::NotAFile { .. }), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let e = read_bounded(dir.path()).unwrap_err();
        assert!(e.to_string().contains("not a regular file"), "{e}");
    }
}
