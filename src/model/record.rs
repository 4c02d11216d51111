//! The clinical record of a test beyond its traces: the stimulus, the
//! train's place in a protocol (which repeat, how long after exercise) and
//! the medication. Read from metadata keys (`docs/formats.md`), each with a
//! command-line override.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What was written down about a test. Every field is `None` (JSON `null`)
/// when the file does not say.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TestRecord {
    /// Stimulus intensity (mA).
    pub stim_intensity_ma: Option<f64>,
    /// Stimulus duration (ms).
    pub stim_duration_ms: Option<f64>,
    /// Whether the examiner judged the stimulus supramaximal.
    pub supramaximal: Option<bool>,
    /// Which repeat of the same train this is (`train: 2`), for the
    /// reproducibility of a decrement.
    pub train: Option<u32>,
    /// When the train was recorded relative to exercise.
    pub exercise_phase: Option<ExercisePhase>,
    /// Hours since the last dose of pyridostigmine.
    pub pyridostigmine_last_dose_h: Option<f64>,
    /// Medication, as written.
    pub medication: Option<String>,
}

/// A low-rate train's time relative to a period of maximal exercise (the
/// post-exercise facilitation and exhaustion protocol): at rest before it,
/// or so many seconds after it ended. Written `rest`, `post_0s`,
/// `post_60s`, `post_2min`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ExercisePhase {
    /// Before the exercise.
    Rest,
    /// This many seconds after the exercise ended.
    Post {
        /// Seconds after the end of the exercise.
        seconds: u32,
    },
}

/// Longest time after exercise a phase may name (s): exhaustion is over
/// within about 10 minutes; 30 minutes leaves room.
pub const MAX_PHASE_S: u32 = 1800;

impl ExercisePhase {
    /// Reads `rest` (or `pre`), `post` (immediately: 0 s), `post_<N>s`,
    /// `post_<N>min`, case and spaces ignored; `None` for anything else.
    pub fn parse(text: &str) -> Option<ExercisePhase> {
        let t: String = text
            .trim()
            .to_lowercase()
            .chars()
            .map(|c| if c == ' ' || c == '-' { '_' } else { c })
            .collect();
        match t.as_str() {
            "rest" | "pre" | "baseline" => return Some(ExercisePhase::Rest),
            "post" | "post_0" | "immediately" => return Some(ExercisePhase::Post { seconds: 0 }),
            _ => {}
        }
        let rest = t.strip_prefix("post_")?;
        let (number, scale) = if let Some(n) = rest.strip_suffix("min") {
            (n, 60)
        } else if let Some(n) = rest.strip_suffix('s') {
            (n, 1)
        } else {
            return None;
        };
        let n: u32 = number.trim_end_matches('_').parse().ok()?;
        let seconds = n.checked_mul(scale).filter(|s| *s <= MAX_PHASE_S)?;
        Some(ExercisePhase::Post { seconds })
    }

    /// The stable code: `rest` or `post_<N>s`.
    pub fn code(self) -> String {
        match self {
            ExercisePhase::Rest => "rest".to_string(),
            ExercisePhase::Post { seconds } => format!("post_{seconds}s"),
        }
    }

    /// Seconds after the exercise (`None` at rest).
    pub fn seconds_after(self) -> Option<u32> {
        match self {
            ExercisePhase::Rest => None,
            ExercisePhase::Post { seconds } => Some(seconds),
        }
    }
}

impl std::fmt::Display for ExercisePhase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExercisePhase::Rest => f.write_str("at rest"),
            ExercisePhase::Post { seconds: 0 } => f.write_str("immediately after exercise"),
            ExercisePhase::Post { seconds } if seconds % 60 == 0 => {
                write!(f, "{} min after exercise", seconds / 60)
            }
            ExercisePhase::Post { seconds } => write!(f, "{seconds} s after exercise"),
        }
    }
}

impl Serialize for ExercisePhase {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.code())
    }
}

impl<'de> Deserialize<'de> for ExercisePhase {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        ExercisePhase::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown exercise phase {text:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_read_and_write_one_way() {
        let cases = [
            ("rest", ExercisePhase::Rest, "rest"),
            ("Pre", ExercisePhase::Rest, "rest"),
            ("post", ExercisePhase::Post { seconds: 0 }, "post_0s"),
            ("post_0s", ExercisePhase::Post { seconds: 0 }, "post_0s"),
            ("post_60s", ExercisePhase::Post { seconds: 60 }, "post_60s"),
            (
                "post 2min",
                ExercisePhase::Post { seconds: 120 },
                "post_120s",
            ),
            (
                "POST-4MIN",
                ExercisePhase::Post { seconds: 240 },
                "post_240s",
            ),
        ];
        for (text, phase, code) in cases {
            assert_eq!(ExercisePhase::parse(text), Some(phase), "{text}");
            assert_eq!(phase.code(), code);
            assert_eq!(ExercisePhase::parse(code), Some(phase));
            let json = serde_json::to_string(&phase).unwrap();
            assert_eq!(serde_json::from_str::<ExercisePhase>(&json).unwrap(), phase);
        }
        for bad in [
            "",
            "post_",
            "post_x s",
            "during",
            "post_-5s",
            "post_31min",
            "post_60",
        ] {
            assert_eq!(ExercisePhase::parse(bad), None, "{bad}");
        }
        assert_eq!(
            ExercisePhase::Post { seconds: 120 }.to_string(),
            "2 min after exercise"
        );
        assert!(ExercisePhase::Rest < ExercisePhase::Post { seconds: 0 });
    }
}
