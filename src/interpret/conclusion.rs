//! The pattern and the summary, built from the two parts of the conclusion
//! (decrement, increment) so that nothing is called normal that was not
//! measured, and nothing postsynaptic unless LEMS was looked for.

use super::InterpretConfig;
use crate::model::{DecrementGrade, JitterVerdict, LemsCriterion, Part, PartStatus, Pattern};
use crate::words::{number, pct_beside, signed_pct_beside};

/// Decides the pattern from the two parts.
pub(crate) fn pattern(dec: &Part<DecrementGrade>, inc: &Part<LemsCriterion>) -> Pattern {
    let inc_valid = inc.valid_grade();
    let dec_valid = dec.valid_grade();
    if inc_valid >= Some(LemsCriterion::Suggestive) {
        return Pattern::Presynaptic;
    }
    // A valid abnormal decrement is a disorder of transmission whatever an
    // unreliable increment test says; only its site stays open.
    if dec_valid == Some(DecrementGrade::Abnormal) {
        return if inc_valid == Some(LemsCriterion::None) {
            Pattern::Postsynaptic
        } else {
            Pattern::NmjUnspecified
        };
    }
    let unreliable_positive =
        inc.status == PartStatus::Unreliable && inc.grade >= Some(LemsCriterion::Suggestive);
    if unreliable_positive {
        return Pattern::Indeterminate;
    }
    if dec.status == PartStatus::Unreliable || inc.status == PartStatus::Unreliable {
        return Pattern::Indeterminate;
    }
    // An equivocal increment is equivocal whether or not its test could
    // have excluded LEMS: a cold limb or another protocol only hides more.
    let equivocal = inc.grade == Some(LemsCriterion::Equivocal)
        && matches!(inc.status, PartStatus::Measured | PartStatus::Inconclusive);
    if equivocal {
        return Pattern::Equivocal;
    }
    // A part that cannot exclude is, for "normal", as good as not tested.
    match (dec.status, inc.status) {
        (PartStatus::Measured, PartStatus::Measured) => Pattern::Normal,
        (PartStatus::NotTested, PartStatus::NotTested) => Pattern::Indeterminate,
        _ => Pattern::Incomplete,
    }
}

/// What the study's jitter brings to its reading: each muscle's verdict,
/// the muscles where it is abnormal ("frontalis (right)"), and each
/// muscle's verdict sentence for the summary.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct JitterPart {
    pub verdicts: Vec<JitterVerdict>,
    pub abnormal_in: Vec<String>,
    pub not_judged_in: Vec<String>,
    pub sentences: Vec<String>,
}

/// The pattern once jitter is weighed in: the one rule the study and each
/// muscle read. Jitter changes only a reading in which repetitive
/// stimulation established no abnormality (normal, incomplete, equivocal,
/// indeterminate): an abnormal jitter there makes it `abnormal_jitter`,
/// since "SFEMG is more sensitive than RNS" (AAEM 2001) and an abnormal
/// jitter establishes impaired transmission that those readings deny or
/// leave open. A normal jitter in a study without repetitive stimulation
/// makes it `incomplete` (nothing abnormal in the tests performed), and so
/// does a jitter not judged beside a normal one: a test done and not read
/// cannot be part of "normal". A
/// decrement or an increment says more than jitter, which "does not tell a
/// presynaptic from a postsynaptic disorder" (docs/jitter.md), so a reading
/// they make stands, with jitter's findings beside it.
pub(crate) fn with_jitter(
    p: Pattern,
    (dec, inc): (&Part<DecrementGrade>, &Part<LemsCriterion>),
    verdicts: &[JitterVerdict],
) -> Pattern {
    let any = |v: JitterVerdict| verdicts.contains(&v);
    let no_rns = dec.status == PartStatus::NotTested && inc.status == PartStatus::NotTested;
    match p {
        Pattern::Normal | Pattern::Incomplete | Pattern::Equivocal | Pattern::Indeterminate
            if any(JitterVerdict::Abnormal) =>
        {
            Pattern::AbnormalJitter
        }
        Pattern::Indeterminate if no_rns && any(JitterVerdict::Normal) => Pattern::Incomplete,
        Pattern::Normal if any(JitterVerdict::NotJudged) => Pattern::Incomplete,
        _ => p,
    }
}

/// What repetitive stimulation showed, as the clause of an abnormal-jitter
/// headline.
fn rns_clause(
    dec: &Part<DecrementGrade>,
    inc: &Part<LemsCriterion>,
    c: &InterpretConfig,
) -> String {
    if dec.status == PartStatus::NotTested && inc.status == PartStatus::NotTested {
        return "repetitive stimulation was not done".to_string();
    }
    let dec_words = match dec.status {
        PartStatus::Measured => "no abnormal decrement",
        PartStatus::NotTested => "no low-rate train (the decrement was not tested)",
        PartStatus::Unreliable => "a decrement test that cannot be relied on",
        PartStatus::Inconclusive => "a decrement test that cannot exclude one",
    };
    let inc_words = match (inc.status, inc.grade) {
        (PartStatus::NotTested, _) => "no increment test".to_string(),
        (PartStatus::Unreliable, _) => "an increment test that cannot be relied on".to_string(),
        (_, Some(LemsCriterion::Equivocal)) => format!(
            "an equivocal increment of {}, which leaves LEMS open",
            pct_beside(value(inc), 0, &c.increment_cuts())
        ),
        (PartStatus::Inconclusive, _) => "an increment test that cannot exclude LEMS".to_string(),
        (PartStatus::Measured, _) => "no significant increment".to_string(),
    };
    format!("repetitive stimulation gave {dec_words} and {inc_words}")
}

fn value(p: &Part<impl Copy>) -> f64 {
    p.value_pct.unwrap_or(0.0)
}

/// The file of a part, with its note ("5_post_120s.csv (2 min after
/// exercise)").
pub(crate) fn file(p: &Part<impl Copy>) -> String {
    let f = p.file.as_deref().unwrap_or("?");
    match &p.file_note {
        Some(n) => format!("{f} ({n})"),
        None => f.to_string(),
    }
}

fn detail(p: &Part<impl Copy>) -> &str {
    p.detail.as_deref().unwrap_or("flagged")
}

/// One sentence on the decrement part.
fn decrement_sentence(dec: &Part<DecrementGrade>, c: &InterpretConfig) -> String {
    let cut = dec.limit_pct.unwrap_or(c.decrement_abnormal_pct);
    let limit = number(cut);
    let pct = |v: f64| pct_beside(v, 1, &[cut]);
    match dec.status {
        PartStatus::NotTested => format!(
            "Decrement not tested: {}.",
            dec.detail.as_deref().unwrap_or("no value")
        ),
        PartStatus::Unreliable => format!(
            "Decrement {} in {} cannot be relied on: {}.",
            pct(value(dec)),
            file(dec),
            detail(dec)
        ),
        PartStatus::Inconclusive => format!(
            "Decrement {} in {}, not abnormal (abnormal above {limit}%), but it cannot exclude a decrement: {}.",
            pct(value(dec)),
            file(dec),
            detail(dec)
        ),
        PartStatus::Measured => match dec.grade {
            Some(DecrementGrade::Abnormal) => format!(
                "Decrement {} in {}, abnormal (above {limit}%).",
                pct(value(dec)),
                file(dec)
            ),
            _ => format!(
                "Decrement {} in {}, not abnormal (abnormal above {limit}%).",
                pct(value(dec)),
                file(dec)
            ),
        },
    }
}

/// The grade of an increment in words.
fn increment_grade_words(g: Option<LemsCriterion>, c: &InterpretConfig) -> String {
    match g {
        Some(LemsCriterion::Specific) => format!(
            "at or above the specific cut-off ({}%)",
            number(c.increment_specific_pct)
        ),
        Some(LemsCriterion::Suggestive) => format!(
            "at or above the suggestive cut-off ({}%)",
            number(c.increment_suggestive_pct)
        ),
        Some(LemsCriterion::Equivocal) => format!(
            "equivocal ({}-{}%)",
            number(c.increment_equivocal_pct),
            number(c.increment_suggestive_pct)
        ),
        _ => format!(
            "no significant increment (below {}%)",
            number(c.increment_equivocal_pct)
        ),
    }
}

/// A graded-none value at or above the equivocal floor can only be a
/// discounted (pseudofacilitated) one.
fn discounted(inc: &Part<LemsCriterion>, c: &InterpretConfig) -> bool {
    inc.grade == Some(LemsCriterion::None) && value(inc) >= c.increment_equivocal_pct
}

/// One sentence on the increment part.
fn increment_sentence(inc: &Part<LemsCriterion>, c: &InterpretConfig) -> String {
    let grade = increment_grade_words(inc.grade, c);
    let signed_pct = |v: f64| signed_pct_beside(v, &c.increment_cuts());
    match inc.status {
        PartStatus::NotTested => format!(
            "Increment not tested: {}; LEMS is not excluded.",
            inc.detail.as_deref().unwrap_or("no value")
        ),
        PartStatus::Unreliable => format!(
            "Increment {} in {} cannot be relied on: {}.",
            signed_pct(value(inc)),
            file(inc),
            detail(inc)
        ),
        PartStatus::Inconclusive if discounted(inc, c) => format!(
            "Amplitude increment {} in {}: pseudofacilitation (the area did not rise), not counted, but the test cannot exclude LEMS: {}.",
            signed_pct(value(inc)),
            file(inc),
            detail(inc)
        ),
        PartStatus::Inconclusive => format!(
            "Increment {} in {}: {grade}, but it cannot exclude LEMS: {}.",
            signed_pct(value(inc)),
            file(inc),
            detail(inc)
        ),
        PartStatus::Measured if discounted(inc, c) => {
            format!(
                "Amplitude increment {} in {}: pseudofacilitation (the area did not rise), not counted as an increment.",
                signed_pct(value(inc)),
                file(inc)
            )
        }
        PartStatus::Measured => format!(
            "Increment {} in {}: {grade}.",
            signed_pct(value(inc)),
            file(inc)
        ),
    }
}

/// The caveat of a deciding value from outside its validated protocol, as
/// a clause for the headline ("" when it has none).
fn protocol_clause(p: &Part<impl Copy>) -> String {
    p.caveat
        .as_deref()
        .map(|c| format!(" The deciding test is outside its validated protocol ({c}); the abnormal result counts, but confirm it with a test inside the protocol."))
        .unwrap_or_default()
}

/// Why LEMS is not excluded, for a decrement without a valid increment test.
fn lems_open(inc: &Part<LemsCriterion>) -> String {
    match inc.status {
        PartStatus::NotTested => "no valid increment test was done".to_string(),
        PartStatus::Unreliable => "the increment test is unreliable".to_string(),
        PartStatus::Inconclusive => {
            format!("the increment test cannot exclude it ({})", detail(inc))
        }
        PartStatus::Measured => "the increment is equivocal".to_string(),
    }
}

/// Why normal cannot be concluded in an incomplete study: each part that
/// was not tested or cannot exclude.
fn incomplete_why(
    dec: &Part<DecrementGrade>,
    inc: &Part<LemsCriterion>,
    jitter: &JitterPart,
) -> String {
    let mut why = Vec::new();
    if !jitter.not_judged_in.is_empty() {
        why.push(format!(
            "the jitter of {} was not judged (below)",
            jitter.not_judged_in.join(", ")
        ));
    }
    for (what, status, detail) in [
        ("the decrement", dec.status, dec.detail.as_deref()),
        ("the increment", inc.status, inc.detail.as_deref()),
    ] {
        let detail = detail.unwrap_or("no value");
        match status {
            PartStatus::NotTested => why.push(format!("{what} was not tested ({detail})")),
            PartStatus::Inconclusive => {
                why.push(format!("{what} test cannot exclude a disorder ({detail})"))
            }
            _ => {}
        }
    }
    why.join("; ")
}

/// Why no conclusion can be drawn: the parts that cannot be relied on,
/// or that nothing could be measured.
fn indeterminate_why(dec: &Part<DecrementGrade>, inc: &Part<LemsCriterion>) -> String {
    let mut why = Vec::new();
    if inc.status == PartStatus::Unreliable {
        why.push(if inc.grade >= Some(LemsCriterion::Suggestive) {
            "the increment that would point to LEMS cannot be relied on"
        } else {
            "the increment test cannot be relied on"
        });
    }
    if dec.status == PartStatus::Unreliable {
        why.push("the decrement test cannot be relied on");
    }
    if why.is_empty() {
        "neither a decrement nor an increment could be measured".to_string()
    } else {
        why.join(", and ")
    }
}

/// The opening sentence for a pattern.
fn opening(
    p: Pattern,
    (dec, inc): (&Part<DecrementGrade>, &Part<LemsCriterion>),
    jitter: &JitterPart,
    c: &InterpretConfig,
) -> String {
    let cut = dec.limit_pct.unwrap_or(c.decrement_abnormal_pct);
    let dec_pct = |v: f64| pct_beside(v, 0, &[cut]);
    let inc_pct = |v: f64| pct_beside(v, 0, &c.increment_cuts());
    match p {
        Pattern::Presynaptic => format!(
            "Findings are consistent with a presynaptic disorder of neuromuscular transmission, as in Lambert-Eaton myasthenic syndrome: the CMAP increased by {}.{}",
            inc_pct(value(inc)),
            protocol_clause(inc)
        ),
        Pattern::Postsynaptic => format!(
            "Findings are consistent with a disorder of neuromuscular transmission of postsynaptic type: a low-rate decrement of {} without a significant increment after LEMS was looked for.{} A decrement of this size also occurs in motor neuron disease, neuropathies and myopathies; the clinical picture, antibodies and needle EMG decide between them.",
            dec_pct(value(dec)),
            protocol_clause(dec)
        ),
        Pattern::NmjUnspecified => format!(
            "Findings are consistent with a disorder of neuromuscular transmission: a low-rate decrement of {}. Presynaptic and postsynaptic causes cannot be told apart, and LEMS is not excluded, because {}.{}",
            dec_pct(value(dec)),
            lems_open(inc),
            protocol_clause(dec)
        ),
        Pattern::Equivocal => format!(
            "No abnormality of neuromuscular transmission is established, but the increment of {} is equivocal: LEMS is not excluded.{}",
            inc_pct(value(inc)),
            match inc.status {
                PartStatus::Inconclusive => format!(
                    " Its test could not have excluded LEMS either ({})",
                    detail(inc)
                ) + ".",
                _ => String::new(),
            }
        ),
        Pattern::Incomplete => format!(
            "No abnormality of neuromuscular transmission was established in the tests performed, but normal transmission cannot be concluded: {}.",
            incomplete_why(dec, inc, jitter)
        ),
        Pattern::Normal => "Findings are consistent with normal neuromuscular transmission in the muscles tested: no abnormal decrement and no significant increment.".to_string(),
        Pattern::Indeterminate => format!(
            "No conclusion can be drawn: {}; the measures are reported for reference.",
            indeterminate_why(dec, inc)
        ),
        Pattern::AbnormalJitter => format!(
            "Jitter is abnormal in {}: neuromuscular transmission is impaired, while {}. Jitter does not tell a presynaptic from a postsynaptic disorder, and diseases of nerve and muscle raise it too: a nerve conduction study and needle EMG should look for them.",
            jitter.abnormal_in.join(", "),
            rns_clause(dec, inc, c)
        ),
    }
}

/// A low resting CMAP that no abnormality of transmission explains: what
/// else lowers it (Mallik & Weir 2005; Caress 2007, in the differential)
/// and what to do.
const LOW_WITHOUT_NMJ: &str = " The resting CMAP is below the lower limit of normal without an abnormality of transmission to explain it: axon loss or a conduction block lowers a CMAP, and so does technique (a submaximal stimulus, a recording electrode off the motor point); a nerve conduction study and needle EMG are advised, with the stimulus and the electrode position checked.";

/// Patterns in which a low CMAP has no abnormality of transmission to
/// explain it.
pub(crate) fn unexplained_low(p: Pattern) -> bool {
    matches!(p, Pattern::Normal | Pattern::Incomplete)
}

/// The summary paragraph: the pattern, then (for more than one muscle)
/// what the muscles show together, then one sentence per part, then the
/// resting CMAP.
pub(crate) fn summary(
    p: Pattern,
    (dec, inc): (&Part<DecrementGrade>, &Part<LemsCriterion>),
    jitter: &JitterPart,
    low_cmap: Option<bool>,
    (across, asked): (Option<&str>, Option<&str>),
    c: &InterpretConfig,
) -> String {
    let mut s = opening(p, (dec, inc), jitter, c);
    s.push(' ');
    if let Some(a) = across {
        s.push_str(a);
        s.push(' ');
    }
    s.push_str(&decrement_sentence(dec, c));
    s.push(' ');
    s.push_str(&increment_sentence(inc, c));
    for j in &jitter.sentences {
        s.push(' ');
        s.push_str(j);
    }
    match low_cmap {
        Some(true) if unexplained_low(p) => s.push_str(LOW_WITHOUT_NMJ),
        Some(true) => s.push_str(" The resting CMAP is below the lower limit of normal."),
        Some(false) => s.push_str(" The resting CMAP is within normal limits."),
        None => {}
    }
    if let Some(a) = asked {
        s.push(' ');
        s.push_str(a);
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
            file_note: None,
            detail: None,
            caveat: None,
            limit_pct: None,
            pseudofacilitation: false,
        }
    }
    fn inc(status: PartStatus, grade: Option<LemsCriterion>) -> Part<LemsCriterion> {
        Part {
            status,
            grade,
            value_pct: grade.map(|_| 20.0),
            file: None,
            file_note: None,
            detail: None,
            caveat: None,
            limit_pct: None,
            pseudofacilitation: false,
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
            // A valid abnormal decrement stands whatever an unreliable
            // increment test says; only the site stays open.
            (
                dec(Measured, Some(Abnormal)),
                inc(Unreliable, Some(L::Specific)),
                Pattern::NmjUnspecified,
            ),
            (
                dec(Measured, Some(Normal)),
                inc(Unreliable, Some(L::Specific)),
                Pattern::Indeterminate,
            ),
            // A test that cannot exclude is, for normal, not a test.
            (
                dec(Inconclusive, Some(Normal)),
                inc(Measured, Some(L::None)),
                Pattern::Incomplete,
            ),
            (
                dec(Measured, Some(Abnormal)),
                inc(Inconclusive, Some(L::None)),
                Pattern::NmjUnspecified,
            ),
            (
                dec(Measured, Some(Normal)),
                inc(Inconclusive, Some(L::Equivocal)),
                Pattern::Equivocal,
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

    #[test]
    fn jitter_changes_only_a_reading_without_an_established_abnormality() {
        use DecrementGrade::*;
        use JitterVerdict as J;
        use LemsCriterion as L;
        use PartStatus::*;
        let normal = (dec(Measured, Some(Normal)), inc(Measured, Some(L::None)));
        let none = (dec(NotTested, None), inc(NotTested, None));
        let decrement = (dec(Measured, Some(Abnormal)), inc(Measured, Some(L::None)));
        let lems = (
            dec(Measured, Some(Normal)),
            inc(Measured, Some(L::Specific)),
        );
        let equivocal = (
            dec(Measured, Some(Normal)),
            inc(Measured, Some(L::Equivocal)),
        );
        let unreliable = (dec(Unreliable, Some(Normal)), inc(Measured, Some(L::None)));
        let cases = [
            (&normal, vec![J::Abnormal], Pattern::AbnormalJitter),
            (
                &normal,
                vec![J::Normal, J::Abnormal],
                Pattern::AbnormalJitter,
            ),
            (&normal, vec![J::Normal], Pattern::Normal),
            // A jitter recorded and not judged cannot be part of "normal".
            (&normal, vec![J::NotJudged], Pattern::Incomplete),
            (&normal, vec![], Pattern::Normal),
            (&none, vec![J::Abnormal], Pattern::AbnormalJitter),
            (&none, vec![J::Normal, J::NotJudged], Pattern::Incomplete),
            (&none, vec![J::NotJudged], Pattern::Indeterminate),
            (&equivocal, vec![J::Abnormal], Pattern::AbnormalJitter),
            (&unreliable, vec![J::Abnormal], Pattern::AbnormalJitter),
            // A normal jitter does not mend a test that cannot be relied on.
            (&unreliable, vec![J::Normal], Pattern::Indeterminate),
            // A decrement or an increment says more than jitter.
            (&decrement, vec![J::Abnormal], Pattern::Postsynaptic),
            (&decrement, vec![J::Normal], Pattern::Postsynaptic),
            (&lems, vec![J::Abnormal], Pattern::Presynaptic),
        ];
        for ((d, i), verdicts, want) in cases {
            let p = with_jitter(pattern(d, i), (d, i), &verdicts);
            assert_eq!(p, want, "{d:?} {i:?} {verdicts:?}");
        }
    }
}
