//! Numbers for readers: the one rounding every sentence (`interpret`) and
//! every table (`render`) uses, so that a finding and the table under it
//! print the same value, and no reader ever sees "-0.0".

/// `v` rounded to `decimals`, with a negative zero made positive.
fn rounded(v: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    let r = (v * scale).round() / scale;
    // -0.04 rounds to -0.0, which would print with its sign.
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

/// A percentage with 1 decimal: "12.3%", never "-0.0%".
pub(crate) fn pct(v: f64) -> String {
    format!("{:.1}%", rounded(v, 1))
}

/// The decimals, from `min` up to 3, that put the printed `v` on the same
/// side of every threshold as `v` itself: 10.04 is "10.04%" beside a 10%
/// cut-off, never "10.0%" called "above 10%".
fn decimals_beside(v: f64, min: i32, thresholds: &[f64]) -> i32 {
    (min..=3)
        .find(|d| {
            let p = rounded(v, *d);
            thresholds
                .iter()
                .all(|t| v.partial_cmp(t) == p.partial_cmp(t))
        })
        .unwrap_or(3)
}

/// `v` rounded to `min` decimals, or more where a threshold needs them: the
/// number a table or a CSV cell holds, on the same side of every cut-off as
/// `v` (10.04 stays 10.04 beside 10). Used by the batch summary.
#[cfg(feature = "native")]
pub(crate) fn rounded_beside(v: f64, min: i32, thresholds: &[f64]) -> f64 {
    rounded(v, decimals_beside(v, min, thresholds))
}

/// A number with `min` decimals, or more where a threshold needs them
/// ("30.04" beside a limit of 30, never "30.0").
pub(crate) fn number_beside(v: f64, min: i32, thresholds: &[f64]) -> String {
    let d = decimals_beside(v, min, thresholds);
    format!("{:.*}", d as usize, rounded(v, d))
}

/// A percentage with `min` decimals, or more where a threshold needs them.
pub(crate) fn pct_beside(v: f64, min: i32, thresholds: &[f64]) -> String {
    let d = decimals_beside(v, min, thresholds);
    format!("{:.*}%", d as usize, rounded(v, d))
}

/// A signed percentage with 1 decimal, or more where a threshold needs them.
pub(crate) fn signed_pct_beside(v: f64, thresholds: &[f64]) -> String {
    let d = decimals_beside(v, 1, thresholds);
    let r = rounded(v, d);
    if r > 0.0 {
        format!("+{r:.*}%", d as usize)
    } else {
        format!("{r:.*}%", d as usize)
    }
}

/// A percentage with no decimal: "82%", never "-0%".
pub(crate) fn pct0(v: f64) -> String {
    format!("{}%", whole(v))
}

/// A whole number (axis ticks): "12", never "-0".
pub(crate) fn whole(v: f64) -> String {
    format!("{:.0}", rounded(v, 0))
}

/// A change with its sign: "+177.2%", "-8.1%", "0.0%".
pub(crate) fn signed_pct(v: f64) -> String {
    format!("{}%", signed(v))
}

/// A change without its unit, for a column that carries it: "+177.2",
/// "-8.1", "0.0".
pub(crate) fn signed(v: f64) -> String {
    let r = rounded(v, 1);
    if r > 0.0 {
        format!("+{r:.1}")
    } else {
        format!("{r:.1}")
    }
}

/// One decimal (percentage points, temperatures): "5.2", never "-0.0".
pub(crate) fn fixed1(v: f64) -> String {
    format!("{:.1}", rounded(v, 1))
}

/// A whole-number change with its sign (plot labels): "+82%", "-8%", "0%".
pub(crate) fn signed_pct0(v: f64) -> String {
    let r = rounded(v, 0);
    if r > 0.0 {
        format!("+{r:.0}%")
    } else {
        format!("{r:.0}%")
    }
}

/// An amplitude with 2 decimals: "5.39".
pub(crate) fn mv(v: f64) -> String {
    // Formatted directly (ties to even, as every table has always printed
    // them); only a negative zero is mended.
    let s = format!("{v:.2}");
    if s == "-0.00" {
        "0.00".to_string()
    } else {
        s
    }
}

/// A plain number without trailing zeros (rates, durations, limits):
/// "3", "0.5", "32".
pub(crate) fn number(v: f64) -> String {
    format!("{}", rounded(v, 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_negative_zero_anywhere() {
        for v in [-0.0, -0.04, -0.004, -1e-9] {
            assert_eq!(pct(v), "0.0%");
            assert_eq!(signed_pct(v), "0.0%");
            assert_eq!(signed(v), "0.0");
            assert_eq!(fixed1(v), "0.0");
            assert_eq!(signed_pct0(v), "0%");
        }
        for v in [-0.0, -0.004, -1e-9] {
            assert_eq!(mv(v), "0.00");
            assert_eq!(number(v), "0");
        }
        assert_eq!(pct0(-0.4), "0%");
        assert_eq!(whole(-0.2), "0");
        assert_eq!(signed_pct(177.24), "+177.2%");
        assert_eq!(signed_pct(-8.06), "-8.1%");
        assert_eq!(pct(12.34), "12.3%");
        assert_eq!(mv(2.375), "2.38");
        assert_eq!(number(32.0), "32");
        assert_eq!(number(0.5), "0.5");
        assert_eq!(pct_beside(10.04, 1, &[10.0]), "10.04%");
        assert_eq!(pct_beside(9.97, 1, &[10.0]), "9.97%");
        assert_eq!(pct_beside(12.34, 1, &[10.0]), "12.3%");
        assert_eq!(pct_beside(99.6, 0, &[60.0, 100.0]), "99.6%");
        assert_eq!(pct_beside(82.4, 0, &[60.0, 100.0]), "82%");
        assert_eq!(signed_pct_beside(59.96, &[25.0, 60.0]), "+59.96%");
        assert_eq!(signed_pct_beside(-0.01, &[25.0]), "0.0%");
    }
}
