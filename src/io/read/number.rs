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

    proptest! {
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
