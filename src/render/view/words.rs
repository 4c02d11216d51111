//! The words for codes: patterns, criteria, protocols, shapes, flags and
//! response labels, as every human format prints them.

use crate::model::{Flag, LemsCriterion, Pattern, Protocol, ResponseLabel, TrainFlag, TrainShape};
use crate::settings::Settings;
use crate::words::number;

/// A response label in words: `r3` is "3", `pre` "before exercise",
/// `post_0s` "immediately after", `post_30s` "30 s after".
pub(crate) fn label_words(label: &ResponseLabel) -> String {
    match label {
        ResponseLabel::Train(n) => n.to_string(),
        ResponseLabel::Pre => "before exercise".to_string(),
        ResponseLabel::Post(Some(0)) => "immediately after".to_string(),
        ResponseLabel::Post(Some(s)) => format!("{s} s after"),
        ResponseLabel::Post(None) => "after exercise".to_string(),
        ResponseLabel::Other(s) => s.clone(),
    }
}

pub(crate) fn pattern_words(p: Pattern) -> &'static str {
    match p {
        Pattern::Normal => "normal",
        Pattern::Presynaptic => "presynaptic, as in Lambert-Eaton myasthenic syndrome",
        Pattern::Postsynaptic => "postsynaptic, as in myasthenia gravis",
        Pattern::NmjUnspecified => "disorder of neuromuscular transmission, site not determined",
        Pattern::Equivocal => "equivocal",
        Pattern::Incomplete => {
            "incomplete: a test that decides is missing, failed or cannot exclude a disorder"
        }
        Pattern::Indeterminate => "indeterminate: the recordings are not reliable enough",
        Pattern::AbnormalJitter => {
            "abnormal jitter: transmission impaired, site and cause not determined"
        }
    }
}

pub(crate) fn lems_words(c: LemsCriterion, s: &Settings) -> String {
    let i = &s.interpret;
    match c {
        LemsCriterion::NotTested => "not tested".to_string(),
        LemsCriterion::None => "not met".to_string(),
        LemsCriterion::Equivocal => format!(
            "equivocal (increment {}-{}%)",
            number(i.increment_equivocal_pct),
            number(i.increment_suggestive_pct)
        ),
        LemsCriterion::Suggestive => format!(
            "suggestive (increment at least {}%)",
            number(i.increment_suggestive_pct)
        ),
        LemsCriterion::Specific => format!(
            "specific (increment at least {}%)",
            number(i.increment_specific_pct)
        ),
    }
}

pub(super) fn protocol_words(p: Protocol) -> &'static str {
    match p {
        Protocol::Rns => "low-rate repetitive nerve stimulation",
        Protocol::Hfrns => "high-rate repetitive nerve stimulation",
        Protocol::Exercise => "CMAP before and after exercise",
    }
}

pub(super) fn shape_words(s: TrainShape) -> &'static str {
    match s {
        TrainShape::Flat => "flat",
        TrainShape::UShaped => {
            "U-shaped (largest fall by the 4th-5th response, then a partial recovery)"
        }
        TrainShape::Progressive => "progressive (still falling after the 5th response)",
        TrainShape::Incrementing => "incrementing",
    }
}

pub(crate) fn flag_words(f: Flag) -> &'static str {
    match f {
        Flag::Clipped => "clipped",
        Flag::LowSnr => "low signal-to-noise",
        Flag::ArtifactOverlap => "stimulus artifact overlaps the response",
        Flag::NoResponse => "no response",
        Flag::PolarityInverted => "polarity inverted",
        Flag::BaselineUnstable => "unstable baseline",
        Flag::PeakAtSweepEnd => "peak at the end of the sweep (CMAP cut off)",
        Flag::EarlyOnset => "starts too soon after the stimulus (stimulus time wrong?)",
        Flag::Excluded => "excluded by hand",
        Flag::MarkImplausible => "a mark set by hand that the trace does not bear out",
    }
}

/// The words for a flag's or a train flag's code (`irregular_train`),
/// none for any other text: a client that shows the findings to a reader
/// who does not know the codes (the teaching view) puts these in.
pub fn flag_code_words(code: &str) -> Option<&'static str> {
    let value = || serde_json::Value::String(code.to_string());
    if let Ok(f) = serde_json::from_value::<Flag>(value()) {
        return Some(flag_words(f));
    }
    serde_json::from_value::<TrainFlag>(value())
        .ok()
        .map(train_flag_words)
}

pub(super) fn train_flag_words(f: TrainFlag) -> &'static str {
    match f {
        TrainFlag::IrregularTrain => {
            "irregular train (steps up and down: check the stimulus and the electrodes)"
        }
        TrainFlag::AreaDisagrees => {
            "area and amplitude decrements disagree (a change of shape: check the electrodes)"
        }
        TrainFlag::BaselineDrift => "baseline drifts through the train (limb or electrode moved)",
        TrainFlag::AmplitudeDrift => {
            "amplitude rises steadily through the train (limb warming or moving, or a submaximal stimulus)"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_words() {
        assert_eq!(
            label_words(&ResponseLabel::parse("post_0s")),
            "immediately after"
        );
        assert_eq!(label_words(&ResponseLabel::parse("post_60s")), "60 s after");
        assert_eq!(label_words(&ResponseLabel::parse("pre")), "before exercise");
        assert_eq!(label_words(&ResponseLabel::parse("r4")), "4");
    }

    #[test]
    fn flag_codes_have_words_and_other_text_none() {
        assert_eq!(flag_code_words("low_snr"), Some("low signal-to-noise"));
        assert!(flag_code_words("irregular_train")
            .unwrap()
            .starts_with("irregular train"));
        assert_eq!(flag_code_words("train"), None);
    }
}
