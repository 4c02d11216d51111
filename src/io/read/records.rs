//! Records of a text body in memory, each with its exact file line.
//!
//! A body without quotes (every record one line, as machines export
//! numbers) is tokenised by `simd-csv`, which finds delimiters and line ends
//! many bytes at a time; its fields are read in place, without a copy. A
//! body with quotes is tokenised by `csv_core` (the `csv` crate's own
//! tokeniser), which unquotes fields into one reused buffer and counts the
//! newlines quotes hide. Both give the records the `csv` crate gives (a
//! proptest checks each against it).

use std::cell::RefCell;

use csv_core::ReadRecordResult;

/// Field bytes a record starts with room for (grown as needed).
const FIRST_CAPACITY: usize = 1024;

/// Bytes `simd-csv` reads ahead at a time: most files fit in a few reads.
const SIMD_BUFFER: usize = 64 * 1024;

/// A UTF-8 byte-order mark, which `simd-csv` drops at the start of a text
/// and `csv_core` keeps.
const BOM: &[u8] = b"\xef\xbb\xbf";

thread_local! {
    /// Tokenisers this thread has built, by delimiter, for the next file:
    /// building one (its DFA) cost as much as reading a small file. (A
    /// clone would be cheaper, but a cloned `csv_core::Reader` reads an
    /// empty text as one empty record.)
    static SPARE: RefCell<Vec<(u8, csv_core::Reader)>> = const { RefCell::new(Vec::new()) };
}

/// A tokeniser for `delimiter`, in its start state.
fn tokeniser(delimiter: u8) -> csv_core::Reader {
    let spare = SPARE
        .try_with(|spare| {
            let mut spare = spare.try_borrow_mut().ok()?;
            let at = spare.iter().position(|(d, _)| *d == delimiter)?;
            Some(spare.swap_remove(at).1)
        })
        .ok()
        .flatten();
    match spare {
        Some(mut reader) => {
            reader.reset();
            reader
        }
        None => csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
    }
}

/// Keeps `reader` for the thread's next file.
fn keep(delimiter: u8, reader: csv_core::Reader) {
    // At most one per delimiter a file may use; nothing is kept while the
    // thread is ending.
    let _ = SPARE.try_with(|spare| {
        if let Ok(mut spare) = spare.try_borrow_mut() {
            if spare.len() < 4 && spare.iter().all(|(d, _)| *d != delimiter) {
                spare.push((delimiter, reader));
            }
        }
    });
}

/// Whether a `\r` ends a line by itself somewhere in `text`: `csv_core`
/// ends a record there, `simd-csv` does not. (Readers hand over texts whose
/// line ends are normalised, so this is a safeguard.)
fn has_lone_cr(text: &[u8]) -> bool {
    memchr::memchr_iter(b'\r', text).any(|i| text.get(i + 1) != Some(&b'\n'))
}

/// Which tokeniser reads the text.
// The variants' sizes differ by target (simd-csv's reader is a third of
// `csv_core`'s on wasm32, larger than a box on x86-64); one lives per file
// being read, never in a collection, so neither is boxed.
#[allow(clippy::large_enum_variant)]
enum Tokeniser<'a> {
    /// A quote-free text: fields are read in place in the text.
    Simd(simd_csv::ZeroCopyReader<&'a [u8]>),
    /// Any other text: fields are unquoted into the field buffer.
    Core(csv_core::Reader),
}

/// One record at a time from `text`.
pub(crate) struct Records<'a> {
    /// Taken back to the thread's spares when the records are dropped.
    tokeniser: Option<Tokeniser<'a>>,
    delimiter: u8,
    text: &'a [u8],
    /// Bytes of `text` tokenised so far.
    pos: usize,
    /// The file line `pos` is on.
    line: u64,
    /// `csv_core`'s fields, back to back (and old bytes after).
    fields: Vec<u8>,
    /// End of each field: in `fields` (`csv_core`) or in `text` (in place).
    ends: Vec<usize>,
    /// Where the current record's first field starts (in the same bytes).
    first: usize,
    /// Bytes between a field's end and the next one's start: the delimiter
    /// when fields are read in place, none in `fields`.
    gap: usize,
    /// How many fields the current record has.
    len: usize,
}

impl<'a> Records<'a> {
    /// Records of `text`, whose first byte is on `first_line`, split at
    /// `delimiter`.
    pub(crate) fn new(text: &'a [u8], first_line: u64, delimiter: u8) -> Self {
        let in_place =
            memchr::memchr(b'"', text).is_none() && !text.starts_with(BOM) && !has_lone_cr(text);
        let tokeniser = if in_place {
            Tokeniser::Simd(
                simd_csv::ZeroCopyReaderBuilder::with_capacity(SIMD_BUFFER.min(text.len() + 1))
                    .delimiter(delimiter)
                    .has_headers(false)
                    .flexible(true)
                    .from_reader(text),
            )
        } else {
            Tokeniser::Core(tokeniser(delimiter))
        };
        Records {
            tokeniser: Some(tokeniser),
            delimiter,
            text,
            pos: 0,
            line: first_line,
            fields: if in_place {
                Vec::new()
            } else {
                vec![0; FIRST_CAPACITY]
            },
            ends: vec![0; 64],
            first: 0,
            gap: 0,
            len: 0,
        }
    }

    /// Reads the next record; its file line, or `None` at the end.
    pub(crate) fn next_record(&mut self) -> Option<u64> {
        // Line ends before the record (both tokenisers skip blank lines)
        // are counted here, so the record's line is its first byte's.
        while let Some(&b) = self
            .text
            .get(self.pos)
            .filter(|b| matches!(b, b'\r' | b'\n'))
        {
            self.line += u64::from(b == b'\n');
            self.pos += 1;
        }
        let line = self.line;
        let read = match self.tokeniser.as_mut()? {
            Tokeniser::Simd(reader) => {
                Self::read_in_place(reader, self.text, self.pos, &mut self.ends)
            }
            Tokeniser::Core(_) => return self.read_unquoted().map(|()| line),
        };
        match read {
            Ok(Some((end, len))) => {
                self.first = self.pos;
                self.gap = 1;
                self.len = len;
                // The line end stays for the next call to count.
                self.pos = end;
                Some(line)
            }
            Ok(None) => None,
            Err(()) => {
                // Not expected of a quote-free text; `csv_core` reads on
                // from the same byte rather than lose a record.
                self.tokeniser = Some(Tokeniser::Core(tokeniser(self.delimiter)));
                self.fields.resize(FIRST_CAPACITY, 0);
                self.ends.resize(self.ends.len().max(64), 0);
                self.read_unquoted().map(|()| line)
            }
        }
    }

    /// One record of a quote-free text by `simd-csv`, which starts at
    /// `start` in `text`: the ends of its fields into `ends` (positions in
    /// `text`); where it ends and how many fields it has. `Err` when the
    /// tokeniser's record is not the text's line at `start`.
    #[allow(clippy::type_complexity)]
    fn read_in_place(
        reader: &mut simd_csv::ZeroCopyReader<&'a [u8]>,
        text: &[u8],
        start: usize,
        ends: &mut Vec<usize>,
    ) -> Result<Option<(usize, usize)>, ()> {
        let Some(record) = reader.read_byte_record().map_err(|_| ())? else {
            return Ok(None);
        };
        let line = record.as_slice();
        let end = start + line.len();
        // Without quotes a record is its line, as it stands in the text.
        if text.get(start..end) != Some(line) {
            return Err(());
        }
        let base = line.as_ptr() as usize;
        // Sized first and written in place: pushing checked the capacity
        // at every field.
        ends.clear();
        ends.resize(record.len(), 0);
        for (e, f) in ends.iter_mut().zip(record.iter()) {
            *e = start + (f.as_ptr() as usize - base) + f.len();
        }
        Ok(Some((end, ends.len())))
    }

    /// One record by `csv_core` into the field buffer.
    fn read_unquoted(&mut self) -> Option<()> {
        let start = self.pos;
        let (mut out, mut n) = (0, 0);
        let Some(Tokeniser::Core(core)) = self.tokeniser.as_mut() else {
            return None;
        };
        loop {
            let input = self.text.get(self.pos..).unwrap_or_default();
            let (result, nin, nout, nend) =
                core.read_record(input, &mut self.fields[out..], &mut self.ends[n..]);
            self.pos += nin;
            out += nout;
            n += nend;
            match result {
                // An empty input tells the tokeniser the text has ended.
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => {
                    let grown = 2 * self.fields.len();
                    self.fields.resize(grown, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    let grown = 2 * self.ends.len();
                    self.ends.resize(grown, 0);
                }
                ReadRecordResult::Record => break,
                ReadRecordResult::End => return None,
            }
        }
        self.len = n;
        self.first = 0;
        self.gap = 0;
        self.line += self.newlines_in(start, out);
        Some(())
    }

    /// Newlines in the text of the record just read (from `start`, `out`
    /// field bytes). Without quotes, the text before its line end is the
    /// fields with a delimiter between each two, and only the line end can
    /// hold a newline: nothing else is scanned. Quotes take bytes out of
    /// fields (and may hide newlines in them): the whole text is counted.
    fn newlines_in(&self, start: usize, out: usize) -> u64 {
        let span = self.text.get(start..self.pos).unwrap_or_default();
        let line_end = span
            .iter()
            .rev()
            .take_while(|b| matches!(b, b'\r' | b'\n'))
            .count();
        let body_len = span.len() - line_end;
        let counted = if body_len == out + self.len.saturating_sub(1) {
            &span[body_len..]
        } else {
            span
        };
        memchr::memchr_iter(b'\n', counted).count() as u64
    }

    /// How many fields the current record has.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The byte range of field `i` in [`Records::bytes`].
    #[inline]
    pub(crate) fn range(&self, i: usize) -> std::ops::Range<usize> {
        let end = self.ends.get(i).copied().unwrap_or(0);
        let start = match i.checked_sub(1) {
            Some(j) => self.ends.get(j).map_or(0, |e| e + self.gap),
            None => self.first,
        };
        start.min(end)..end
    }

    /// The byte ranges in [`Records::bytes`] of the current record's fields
    /// after the first.
    pub(crate) fn rest(&self) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
        let gap = self.gap;
        self.ends
            .get(..self.len)
            .unwrap_or_default()
            .windows(2)
            .map(move |w| (w[0] + gap).min(w[1])..w[1])
    }

    /// Field `i` of the current record (empty past the last).
    pub(crate) fn field(&self, i: usize) -> &[u8] {
        if i >= self.len {
            return &[];
        }
        self.bytes().get(self.range(i)).unwrap_or_default()
    }

    /// The fields of the current record, in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &[u8]> + '_ {
        (0..self.len).map(|i| self.field(i))
    }

    /// The bytes the fields are in: the whole text when they are read in
    /// place, else the field buffer (the fields back to back). Either way a
    /// number reader may look at the bytes before a field too.
    pub(crate) fn bytes(&self) -> &[u8] {
        if self.gap == 1 {
            self.text
        } else {
            &self.fields
        }
    }

    /// Bytes of the current record's fields and the delimiters between
    /// them (what its line holds, without quotes).
    pub(crate) fn record_bytes(&self) -> usize {
        let Some(last) = self.len.checked_sub(1) else {
            return 0;
        };
        let end = self.ends.get(last).copied().unwrap_or(0);
        if self.gap == 1 {
            end - self.first.min(end)
        } else {
            end + last
        }
    }

    /// Drops the last field of the current record.
    pub(crate) fn drop_last(&mut self) {
        self.len = self.len.saturating_sub(1);
    }
}

impl Drop for Records<'_> {
    fn drop(&mut self) {
        if let Some(Tokeniser::Core(core)) = self.tokeniser.take() {
            keep(self.delimiter, core);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn all(text: &str, delimiter: u8) -> Vec<(u64, Vec<String>)> {
        let mut r = Records::new(text.as_bytes(), 1, delimiter);
        let mut out = Vec::new();
        while let Some(line) = r.next_record() {
            let fields = r
                .iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect();
            assert!(r.bytes().len() >= r.record_bytes());
            out.push((line, fields));
        }
        out
    }

    #[test]
    fn gives_fields_and_the_line_each_record_starts_on() {
        let got = all("a,b\n1,2\n\n\r\n3,\"x\ny\"\r\n4,5", b',');
        let want = [
            (1, vec!["a", "b"]),
            (2, vec!["1", "2"]),
            (5, vec!["3", "x\ny"]),
            (7, vec!["4", "5"]),
        ];
        assert_eq!(got.len(), want.len());
        for ((line, fields), (wl, wf)) in got.iter().zip(want) {
            assert_eq!(*line, wl, "{fields:?}");
            assert_eq!(fields, &wf);
        }
    }

    #[test]
    fn quotes_spaces_and_doubled_quotes_keep_the_count() {
        // Trailing spaces, quoted delimiters and doubled quotes change
        // field lengths, never the line count; a quoted newline counts.
        let text = "t;v \n1;\"2;3\" \n\"a\"\"b\";4\n\"x\ny\";\"z\"  \n5;6";
        let got = all(text, b';');
        let lines: Vec<u64> = got.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [1, 2, 3, 4, 6]);
        assert_eq!(got[1].1, ["1", "2;3 "]);
        assert_eq!(got[2].1, ["a\"b", "4"]);
        assert_eq!(got[3].1, ["x\ny", "z  "]);
    }

    #[test]
    fn long_records_grow_the_buffers() {
        let row: Vec<String> = (0..500).map(|i| format!("{i}.25")).collect();
        let text = format!("{}\n{}\n", row.join(","), row.join(","));
        let got = all(&text, b',');
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].0, 2);
        assert_eq!(got[1].1.len(), 500);
        assert_eq!(got[1].1[499], "499.25");
    }

    #[test]
    fn an_empty_text_has_no_records() {
        assert!(all("", b',').is_empty());
        assert!(all("\n\r\n", b'\t').is_empty());
    }

    #[test]
    fn a_kept_tokeniser_starts_afresh() {
        // A record cut off at the end of one text must not leak into the
        // next one read with the same (kept) tokeniser.
        for _ in 0..3 {
            assert_eq!(all("a,\"b", b',').len(), 1);
            assert_eq!(all("x,y\n", b',')[0], (1, vec!["x".into(), "y".into()]));
            assert!(all("", b',').is_empty());
        }
    }

    /// Records and lines as the `csv` crate reads them, lines counted from
    /// its byte positions (`LineCounter`, the previous reader's way).
    fn by_csv_crate(text: &str, delimiter: u8) -> Vec<(u64, Vec<String>)> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(text.as_bytes());
        let mut lines = crate::io::read::text::LineCounter::new(text.as_bytes(), 1);
        let mut record = csv::ByteRecord::new();
        let mut out = Vec::new();
        while reader.read_byte_record(&mut record).unwrap() {
            let line = lines.line_of(record.position().unwrap().byte());
            let fields = record
                .iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect();
            out.push((line, fields));
        }
        out
    }

    #[test]
    fn quote_free_text_is_read_in_place() {
        let text = "t,a\r\n\r\n-0.5,1.25\n,\n 2 ,3";
        let r = Records::new(text.as_bytes(), 1, b',');
        assert!(matches!(r.tokeniser, Some(Tokeniser::Simd(_))));
        assert_eq!(
            all(text, b','),
            [
                (1, vec!["t".into(), "a".into()]),
                (3, vec!["-0.5".into(), "1.25".into()]),
                (4, vec![String::new(), String::new()]),
                (5, vec![" 2 ".into(), "3".into()]),
            ]
        );
        for unquoted_by_csv_core in ["a,\"b\"\n", "a\rb\n", "\u{feff}a,b\n"] {
            let r = Records::new(unquoted_by_csv_core.as_bytes(), 1, b',');
            assert!(matches!(r.tokeniser, Some(Tokeniser::Core(_))));
        }
    }

    proptest! {
        // Quote-free texts with `\n` and `\r\n` line ends (what readers
        // hand over), read in place: the `csv` crate's records and lines.
        #[test]
        fn reads_in_place_as_the_csv_crate_does(
            parts in proptest::collection::vec("[0-9 .;,-]{0,9}|\r\n|\n", 0..24),
            semicolon in any::<bool>(),
        ) {
            let text = parts.concat();
            let delimiter = if semicolon { b';' } else { b',' };
            let r = Records::new(text.as_bytes(), 1, delimiter);
            prop_assert!(matches!(r.tokeniser, Some(Tokeniser::Simd(_))));
            prop_assert_eq!(all(&text, delimiter), by_csv_crate(&text, delimiter), "{:?}", text);
        }

        // Texts of numbers, spaces, delimiters, quotes, `\r` and `\n` in
        // any order: the same records, fields and lines as the `csv` crate
        // gives (seeded by proptest's fixed configuration).
        #[test]
        fn reads_as_the_csv_crate_does(
            text in "[0-9 .;,\"\r\n-]{0,60}",
            semicolon in any::<bool>(),
        ) {
            let delimiter = if semicolon { b';' } else { b',' };
            prop_assert_eq!(all(&text, delimiter), by_csv_crate(&text, delimiter), "{:?}", text);
        }
    }
}
