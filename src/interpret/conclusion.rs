//! The pattern and the summary, built from the two parts of the conclusion
//! (decrement, increment) so that nothing is called normal that was not
//! measured, and nothing postsynaptic unless LEMS was looked for.

use super::InterpretConfig;
use crate::model::{DecrementGrade, LemsCriterion, Part, PartStatus, Pattern};

/// Decides the pattern from the two parts.
pub(crate) fn pattern(dec: &Part<DecrementGrade>, inc: &Part<LemsCriterion>) -> Pattern {
    let inc_valid = inc.valid_grade();
    let dec_valid = dec.valid_grade();
    if inc_valid >= Some(LemsCriterion::Suggestive) {
        return Pattern::Presynaptic;
    }
    let unreliable_positive =
        inc.status == PartStatus::Unreliable && inc.grade >= Some(LemsCriterion::Suggestive);
    if unreliable_positive {
        return Pattern::Indeterminate;
    }
    if dec_valid == Some(DecrementGrade::Abnormal) {
        return if inc_valid == Some(LemsCriterion::None) {
            Pattern::Postsynaptic
        } else {
            Pattern::NmjUnspecified
        };
    }
    if dec.status == PartStatus::Unreliable || inc.status == PartStatus::Unreliable {
        return Pattern::Indeterminate;
    }
    if inc_valid == Some(LemsCriterion::Equivocal) {
        return Pattern::Equivocal;
    }
    match (dec.status, inc.status) {
        (PartStatus::Measured, PartStatus::Measured) => Pattern::Normal,
        (PartStatus::NotTested, PartStatus::NotTested) => Pattern::Indeterminate,
        _ => Pattern::Incomplete,
    }
}

fn value(p: &Part<impl Copy>) -> f64 {
    p.value_pct.unwrap_or(0.0)
}

fn file(p: &Part<impl Copy>) -> &str {
    p.file.as_deref().unwrap_or("?")
}

/// One sentence on the decrement part.
fn decrement_sentence(dec: &Part<DecrementGrade>, c: &InterpretConfig) -> String {
    match dec.status {
        PartStatus::NotTested => format!(
            "Decrement not tested: {}.",
            dec.detail.as_deref().unwrap_or("no value")
        ),
        PartStatus::Unreliable => format!(
            "Decrement {:.1}% in {} cannot be relied on: {}.",
            value(dec),
            file(dec),
            dec.detail.as_deref().unwrap_or("flagged")
        ),
        PartStatus::Measured => match dec.grade {
            Some(DecrementGrade::Abnormal) => format!(
                "Decrement {:.1}% in {}, abnormal (above {}%).",
                value(dec),
                file(dec),
                c.decrement_abnormal_pct
            ),
            _ => format!(
                "Decrement {:.1}% in {}, not abnormal (abnormal above {}%).",
                value(dec),
                file(dec),
                c.decrement_abnormal_pct
            ),
        },
    }
}

/// One sentence on the increment part.
fn increment_sentence(inc: &Part<LemsCriterion>, c: &InterpretConfig) -> String {
    let grade = match inc.grade {
        Some(LemsCriterion::Specific) => format!(
            "at or above the specific cut-off ({}%)",
            c.increment_specific_pct
        ),
        Some(LemsCriterion::Suggestive) => format!(
            "at or above the suggestive cut-off ({}%)",
            c.increment_suggestive_pct
        ),
        Some(LemsCriterion::Equivocal) => format!(
            "equivocal ({}-{}%)",
            c.increment_equivocal_pct, c.increment_suggestive_pct
        ),
        _ => format!(
            "no significant increment (below {}%)",
            c.increment_equivocal_pct
        ),
    };
    match inc.status {
        PartStatus::NotTested => format!(
            "Increment not tested: {}; LEMS is not excluded.",
            inc.detail.as_deref().unwrap_or("no value")
        ),
        PartStatus::Unreliable => format!(
            "Increment {:+.1}% in {} cannot be relied on: {}.",
            value(inc),
            file(inc),
            inc.detail.as_deref().unwrap_or("flagged")
        ),
        // A graded-none value at or above the equivocal floor can only be a
        // discounted (pseudofacilitated) one.
        PartStatus::Measured
            if inc.grade == Some(LemsCriterion::None)
                && value(inc) >= c.increment_equivocal_pct =>
        {
            format!(
                "Amplitude increment {:+.1}% in {}: pseudofacilitation (the area did not rise), not counted as an increment.",
                value(inc),
                file(inc)
            )
        }
        PartStatus::Measured => format!("Increment {:+.1}% in {}: {grade}.", value(inc), file(inc)),
    }
}

/// The opening sentence for a pattern.
fn opening(p: Pattern, dec: &Part<DecrementGrade>, inc: &Part<LemsCriterion>) -> String {
    match p {
        Pattern::Presynaptic => format!(
            "Findings are consistent with a presynaptic disorder of neuromuscular transmission, as in Lambert-Eaton myasthenic syndrome: the CMAP increased by {:.0}%.",
            value(inc)
        ),
        Pattern::Postsynaptic => format!(
            "Findings are consistent with a disorder of neuromuscular transmission of postsynaptic type: a low-rate decrement of {:.0}% without a significant increment after LEMS was looked for. A decrement of this size also occurs in motor neuron disease, neuropathies and myopathies; the clinical picture, antibodies and needle EMG decide between them.",
            value(dec)
        ),
        Pattern::NmjUnspecified => format!(
            "Findings are consistent with a disorder of neuromuscular transmission: a low-rate decrement of {:.0}%. Presynaptic and postsynaptic causes cannot be told apart, and LEMS is not excluded, because {}.",
            value(dec),
            match inc.status {
                PartStatus::NotTested => "no valid increment test was done",
                PartStatus::Unreliable => "the increment test is unreliable",
                PartStatus::Measured => "the increment is equivocal",
            }
        ),
        Pattern::Equivocal => format!(
            "No abnormality of neuromuscular transmission is established, but the increment of {:.0}% is equivocal: LEMS is not excluded.",
            value(inc)
        ),
        Pattern::Incomplete => "No abnormality was found in the tests performed, but the study is incomplete, so normal neuromuscular transmission cannot be concluded.".to_string(),
        Pattern::Normal => "Findings are consistent with normal neuromuscular transmission in the muscles tested: no abnormal decrement and no significant increment.".to_string(),
        Pattern::Indeterminate => "No conclusion can be drawn: a test needed for the reading is technically unreliable or could not be measured (see caveats); the measures are reported for reference.".to_string(),
    }
}

/// The summary paragraph: the pattern, then one sentence per part, then the
/// resting CMAP.
pub(crate) fn summary(
    p: Pattern,
    dec: &Part<DecrementGrade>,
    inc: &Part<LemsCriterion>,
    low_cmap: Option<bool>,
    c: &InterpretConfig,
) -> String {
    let mut s = opening(p, dec, inc);
    s.push(' ');
    s.push_str(&decrement_sentence(dec, c));
    s.push(' ');
    s.push_str(&increment_sentence(inc, c));
    match low_cmap {
        Some(true) => s.push_str(" The resting CMAP is below the lower limit of normal."),
        Some(false) => s.push_str(" The resting CMAP is within normal limits."),
        None => {}
    }
    s.push_str(" This report supports, and does not replace, clinical judgement.");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(status: PartStatus, grade: Option<DecrementGrade>) -> Part<DecrementGrade> {
        Part {
            status,
            grade,
            value_pct: grade.map(|_| 20.0),
            file: None,
            detail: None,
        }
    }
    fn inc(status: PartStatus, grade: Option<LemsCriterion>) -> Part<LemsCriterion> {
        Part {
            status,
            grade,
            value_pct: grade.map(|_| 20.0),
            file: None,
            detail: None,
        }
    }

    #[test]
    fn never_normal_or_postsynaptic_by_omission() {
        use DecrementGrade::*;
        use LemsCriterion as L;
        use PartStatus::*;
        let nt_d = dec(NotTested, None);
        let nt_i = inc(NotTested, None);
        let cases = [
            (
                dec(Measured, Some(Normal)),
                nt_i.clone(),
                Pattern::Incomplete,
            ),
            (
                nt_d.clone(),
                inc(Measured, Some(L::None)),
                Pattern::Incomplete,
            ),
            (
                dec(Measured, Some(Abnormal)),
                nt_i.clone(),
                Pattern::NmjUnspecified,
            ),
            (
                dec(Measured, Some(Abnormal)),
                inc(Measured, Some(L::Equivocal)),
                Pattern::NmjUnspecified,
            ),
            (
                dec(Measured, Some(Abnormal)),
                inc(Unreliable, Some(L::None)),
                Pattern::NmjUnspecified,
            ),
            (
                dec(Measured, Some(Abnormal)),
                inc(Measured, Some(L::None)),
                Pattern::Postsynaptic,
            ),
            (
                dec(Measured, Some(Normal)),
                inc(Measured, Some(L::Equivocal)),
                Pattern::Equivocal,
            ),
            (
                dec(Measured, Some(Normal)),
                inc(Measured, Some(L::None)),
                Pattern::Normal,
            ),
            (nt_d.clone(), nt_i.clone(), Pattern::Indeterminate),
            (
                dec(Unreliable, Some(Normal)),
                inc(Measured, Some(L::None)),
                Pattern::Indeterminate,
            ),
            (
                dec(Measured, Some(Abnormal)),
                inc(Unreliable, Some(L::Specific)),
                Pattern::Indeterminate,
            ),
            (
                nt_d,
                inc(Measured, Some(L::Suggestive)),
                Pattern::Presynaptic,
            ),
        ];
        for (d, i, want) in cases {
            assert_eq!(pattern(&d, &i), want, "{d:?} {i:?}");
        }
    }
}
