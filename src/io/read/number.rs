//! Plain decimals read straight from a cell's bytes: the numbers an EMG
//! export is made of (`-0.0123`, `12.50`, `3,25` in a decimal-comma file).
//! Reading them through `str::parse` was a fifth of a batch; this path takes
//! a twentieth and gives the same `f64`. Anything else (exponents, more
//! than 15 digits, `inf`, Unicode spaces) returns `None` and takes the
//! general path, which also words the errors.

/// Most significant digits read here: below 10^15, every mantissa is an
/// exact `f64` (under 2^53), so one division by an exact power of ten
/// rounds correctly (Clinger's fast path), as `str::parse` does.
const MAX_DIGITS: usize = 15;

/// 10^0 ..= 10^15, all exact in `f64`.
const POW10: [f64; MAX_DIGITS + 1] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// A plain decimal, `[+-]digits[mark digits]` (ASCII spaces around it
/// allowed), with `.` as its decimal mark or, when `comma` is set, `,`;
/// the value and the mark it used. `None` when the cell is anything else.
pub(crate) fn plain_decimal(cell: &[u8], comma: bool) -> Option<(f64, Option<u8>)> {
    let cell = cell.trim_ascii();
    let (negative, digits) = match cell.split_first()? {
        (b'-', rest) => (true, rest),
        (b'+', rest) => (false, rest),
        _ => (false, cell),
    };
    // Digits and one mark: longer cells have too many digits (and the
    // mantissa below cannot overflow: 16 digits fit in a u64).
    if digits.len() > MAX_DIGITS + 1 {
        return None;
    }
    let mut mantissa: u64 = 0;
    let mut count = 0;
    let mut mark: Option<(u8, usize)> = None;
    for (i, &b) in digits.iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                count += 1;
                mantissa = mantissa * 10 + u64::from(b - b'0');
            }
            b'.' | b',' if mark.is_none() && (b == b'.' || comma) => mark = Some((b, i)),
            _ => return None,
        }
    }
    if count == 0 || count > MAX_DIGITS {
        return None;
    }
    let decimals = mark.map_or(0, |(_, at)| digits.len() - at - 1);
    // `mantissa` < 10^15 < 2^53 converts exactly.
    #[allow(clippy::cast_precision_loss)]
    let magnitude = mantissa as f64 / POW10[decimals];
    let value = if negative { -magnitude } else { magnitude };
    Some((value, mark.map(|(b, _)| b)))
}

/// Each byte of a `u64` set to `b`.
const fn splat(b: u8) -> u64 {
    u64::from_le_bytes([b; 8])
}

/// The low `n` bytes of a `u64` (all of them from n = 8).
fn low_bytes(n: usize) -> u64 {
    // `checked_shl`: at n = 8 the shift would be the whole width.
    1u64.checked_shl(8 * n as u32)
        .map_or(u64::MAX, |bit| bit - 1)
}

/// The high `n` bytes of a `u64` (none for n = 0).
fn high_bytes(n: usize) -> u64 {
    !low_bytes(8usize.saturating_sub(n))
}

/// The plain decimal `buf[start..end]` when it has at most 8 characters
/// after a `-` and uses `.` as its mark (`-0.0123`, `2.9970`, `12`): the
/// cells a sweep is made of, read as one word without a branch per digit.
/// The word is the 8 bytes that end where the cell ends, so the digits
/// arrive aligned, the last in the top byte (whatever precedes the cell
/// is masked off). `None` for anything else, and for a cell ending within
/// 8 bytes of the buffer's start, which [`plain_decimal`] then reads; the
/// value is the one `str::parse` gives.
#[inline(always)]
pub(crate) fn short_decimal(buf: &[u8], start: usize, end: usize) -> Option<f64> {
    let negative = *buf.get(start)? == b'-';
    let digits = end
        .checked_sub(start + usize::from(negative))
        .filter(|n| (1..=8).contains(n))?;
    let word = u64::from_le_bytes(buf.get(end.checked_sub(8)?..end)?.try_into().ok()?);
    let x = word & high_bytes(digits);
    // The `.`: the lowest zero byte of `x ^ '.'` (the bit trick is exact
    // at the lowest one; a second `.` fails the digit check below).
    let t = x ^ splat(b'.');
    let dots = t.wrapping_sub(splat(1)) & !t & splat(0x80);
    let at = (dots.trailing_zeros() / 8) as usize;
    let (x, count, decimals) = if at < 8 {
        // The integer digits move up one byte, over the mark.
        let below = low_bytes(at);
        let fraction = x & !(below | (0xFF << (8 * at)));
        (fraction | ((x & below) << 8), digits - 1, 7 - at)
    } else {
        (x, digits, 0)
    };
    let keep = high_bytes(count);
    // Every kept byte a digit: high nibble 3, and still 3 after adding 6
    // to the low one. A carry out of a non-digit byte only reaches bytes
    // above it, and the check fails at that byte anyway.
    let nibbles = splat(0x30) & keep;
    let is_digits = x & splat(0xF0) & keep == nibbles
        && x.wrapping_add(splat(0x06)) & splat(0xF0) & keep == nibbles;
    if count == 0 || !is_digits {
        return None;
    }
    // Digit values, zeros below the first; then pairs, quads and all
    // eight (Lemire's SWAR reduction: the lowest byte is the leading digit).
    let v = (x - nibbles).wrapping_mul(1 + (10 << 8)) >> 8;
    let v = (v & 0x00FF_00FF_00FF_00FF).wrapping_mul(1 + (100 << 16)) >> 16;
    let mantissa = (v & 0x0000_FFFF_0000_FFFF).wrapping_mul(1 + (10_000 << 32)) >> 32;
    // Below 10^8 < 2^53: exact, and one division by an exact power of ten
    // rounds as `str::parse` does (the fast path of `plain_decimal`).
    #[allow(clippy::cast_precision_loss)]
    let magnitude = mantissa as f64 / POW10[decimals];
    // The sign bit set without a branch: half the samples are negative.
    Some(f64::from_bits(
        magnitude.to_bits() | (u64::from(negative) << 63),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn std_value(cell: &str) -> f64 {
        cell.trim().replace(',', ".").parse().unwrap()
    }

    #[test]
    fn reads_what_exports_write() {
        for (cell, mark) in [
            ("0", None),
            ("-0.0123", Some(b'.')),
            ("12.50", Some(b'.')),
            (" 7.", Some(b'.')),
            (".5", Some(b'.')),
            ("+3.25 ", Some(b'.')),
            ("-0.000", Some(b'.')),
            ("999999999999999", None),
            ("0.00000000000001", Some(b'.')),
        ] {
            let (v, m) = plain_decimal(cell.as_bytes(), false).unwrap();
            assert_eq!(v.to_bits(), std_value(cell).to_bits(), "{cell}");
            assert_eq!(m, mark, "{cell}");
        }
        let (v, m) = plain_decimal(b"-3,25", true).unwrap();
        assert_eq!((v, m), (-3.25, Some(b',')));
    }

    #[test]
    fn leaves_everything_else_to_the_general_path() {
        for cell in [
            "",
            " ",
            "-",
            "+",
            ".",
            "1e3",
            "1.2.3",
            "1,2",
            "inf",
            "NaN",
            "--1",
            "1 2",
            "0x10",
            "1234567890123456",
            "\u{a0}1",
        ] {
            assert_eq!(plain_decimal(cell.as_bytes(), false), None, "{cell:?}");
        }
        assert_eq!(plain_decimal(b"1,2,3", true), None);
        assert_eq!(plain_decimal(b"1.2,3", true), None);
    }

    /// `short_decimal` over a cell after `head` in its buffer.
    fn short(cell: &str, head: &str) -> Option<f64> {
        let buf = format!("{head}{cell}");
        short_decimal(buf.as_bytes(), head.len(), buf.len())
    }

    #[test]
    fn reads_short_cells_eight_bytes_at_a_time() {
        for cell in [
            "0",
            "-0.0123",
            "2.9970",
            "12",
            "7.",
            ".5",
            "-.5",
            "-0.000",
            "12345678",
            "-1234567.",
            "999.9999",
            "-0.000001",
            "1.0",
            "00000000",
        ] {
            for head in ["12345678", "x,-0.0123,", "9.9999999\n"] {
                let got = short(cell, head).unwrap_or_else(|| panic!("{head:?}{cell:?}"));
                assert_eq!(got.to_bits(), std_value(cell).to_bits(), "{cell}");
            }
        }
        let buf = b"time,x,-0.0123,y";
        assert_eq!(short_decimal(buf, 7, 14), Some(-0.0123));
        // Ending within 8 bytes of the start: left to the plain path.
        assert_eq!(short_decimal(b"-1.5,2", 0, 4), None);
    }

    #[test]
    fn leaves_other_short_cells_to_the_plain_path() {
        for cell in [
            "",
            "-",
            ".",
            "-.",
            "+1",
            " 1",
            "1 ",
            "1.2.3",
            "1,5",
            "1e3",
            "123456789",
            "-123456789",
            "inf",
            "NaN",
            "--1",
            "1-",
            "0x1",
            ":",
            "/",
            "1..",
        ] {
            assert_eq!(short(cell, "0.000001,"), None, "{cell:?}");
        }
    }

    proptest! {
        // Every cell of up to 9 characters of digits, `.`, `-` and a few
        // others: read as `str::parse` reads it, or left to the plain path.
        #[test]
        fn short_matches_str_parse(
            cell in "[-0-9.+e ]{0,9}",
            head in "[-0-9.,]{8,12}",
        ) {
            let expected: Option<f64> = cell.parse().ok();
            match (short(&cell, &head), expected) {
                (Some(g), Some(e)) => prop_assert_eq!(g.to_bits(), e.to_bits(), "{}", cell),
                (Some(g), None) => prop_assert!(false, "{} read as {} but str::parse refuses it", cell, g),
                (None, Some(_)) => prop_assert!(
                    cell.len() > 9 || cell.contains(['+', 'e', ' ']) || cell.trim_start_matches('-').len() > 8,
                    "{} left to the plain path", cell
                ),
                (None, None) => {}
            }
        }

        // Well-formed decimals of every length: all of eight characters or
        // fewer after the sign are read here, with `str::parse`'s bits.
        #[test]
        fn short_reads_every_short_decimal(
            negative in any::<bool>(),
            int in "[0-9]{0,8}",
            frac in prop::option::of("[0-9]{0,7}"),
            head in "[-0-9.,]{8,12}",
        ) {
            let sign = if negative { "-" } else { "" };
            let cell = match &frac {
                Some(f) => format!("{sign}{int}.{f}"),
                None => format!("{sign}{int}"),
            };
            let digits = cell.len() - sign.len();
            let expected: Option<f64> = cell.parse().ok();
            match (short(&cell, &head), expected) {
                (Some(g), Some(e)) => prop_assert_eq!(g.to_bits(), e.to_bits(), "{}", cell),
                (None, Some(_)) => prop_assert!(digits > 8, "{} left to the plain path", cell),
                (got, None) => prop_assert_eq!(got, None, "{}", cell),
            }
        }

        // The oracle is `str::parse`: every plain decimal reads to the same
        // bits (seeded by proptest's fixed configuration per test name).
        #[test]
        fn matches_str_parse(
            sign in prop::sample::select(vec!["", "-", "+"]),
            int in "[0-9]{0,8}",
            frac in prop::option::of("[0-9]{0,8}"),
        ) {
            let cell = match &frac {
                Some(f) => format!("{sign}{int}.{f}"),
                None => format!("{sign}{int}"),
            };
            let expected: Option<f64> = cell.parse().ok();
            let got = plain_decimal(cell.as_bytes(), false).map(|(v, _)| v);
            match (got, expected) {
                (Some(g), Some(e)) => prop_assert_eq!(g.to_bits(), e.to_bits(), "{}", cell),
                (None, _) => {}
                (Some(g), None) => prop_assert!(false, "{} read as {} but str::parse refuses it", cell, g),
            }
        }
    }
}
