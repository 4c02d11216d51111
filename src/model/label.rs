//! Response labels: a response's place in a train (`r1`, `r2`, ...) or in
//! an exercise series (`pre`, `post`, `post_30s`), or any other column name
//! kept as written. Labels key everything that follows a response through
//! the pipeline (measures, changes, display traces), never positions.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The label of one response.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ResponseLabel {
    /// The n-th response of a train (`r1` is the first).
    Train(u32),
    /// Before exercise (`pre`).
    Pre,
    /// After exercise: `post`, or `post_<N>s` with the whole seconds after
    /// its end (`post_30` is read as `post_30s`).
    Post(Option<u32>),
    /// Any other column name, lower-cased, as written.
    Other(String),
}

impl ResponseLabel {
    /// Reads a label (case and surrounding space ignored). Never fails: a
    /// name that is no train or exercise label is [`ResponseLabel::Other`].
    pub fn parse(text: &str) -> ResponseLabel {
        let t = text.trim().to_lowercase();
        let number = |s: &str| {
            s.parse::<u32>()
                .ok()
                .filter(|_| s.chars().all(|c| c.is_ascii_digit()))
        };
        if let Some(n) = t.strip_prefix('r').and_then(number).filter(|n| *n > 0) {
            return ResponseLabel::Train(n);
        }
        match t.as_str() {
            "pre" => return ResponseLabel::Pre,
            "post" => return ResponseLabel::Post(None),
            _ => {}
        }
        let seconds = t
            .strip_prefix("post_")
            .map(|rest| rest.strip_suffix('s').unwrap_or(rest))
            .and_then(number);
        match seconds {
            Some(s) => ResponseLabel::Post(Some(s)),
            None => ResponseLabel::Other(t),
        }
    }

    /// Whether the label belongs to an exercise series.
    pub fn is_exercise(&self) -> bool {
        matches!(self, ResponseLabel::Pre | ResponseLabel::Post(_))
    }

    /// Seconds after the end of exercise: 0 for a bare `post`, `None` for
    /// anything but a post-exercise label.
    pub fn post_time_s(&self) -> Option<f64> {
        match self {
            ResponseLabel::Post(s) => Some(f64::from(s.unwrap_or(0))),
            _ => None,
        }
    }
}

impl fmt::Display for ResponseLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResponseLabel::Train(n) => write!(f, "r{n}"),
            ResponseLabel::Pre => f.write_str("pre"),
            ResponseLabel::Post(None) => f.write_str("post"),
            ResponseLabel::Post(Some(s)) => write!(f, "post_{s}s"),
            ResponseLabel::Other(s) => f.write_str(s),
        }
    }
}

impl FromStr for ResponseLabel {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(ResponseLabel::parse(s))
    }
}

impl From<&str> for ResponseLabel {
    fn from(s: &str) -> Self {
        ResponseLabel::parse(s)
    }
}

impl PartialEq<str> for ResponseLabel {
    fn eq(&self, other: &str) -> bool {
        *self == ResponseLabel::parse(other)
    }
}

impl PartialEq<&str> for ResponseLabel {
    fn eq(&self, other: &&str) -> bool {
        *self == ResponseLabel::parse(other)
    }
}

/// One serde mapping: the label as written in files and reports.
impl Serialize for ResponseLabel {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ResponseLabel {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(ResponseLabel::parse(&s))
    }
}

#[cfg(test)]
mod tests {
    use super::ResponseLabel as L;

    #[test]
    fn labels_read_and_write_back() {
        for (text, label, written) in [
            ("r1", L::Train(1), "r1"),
            (" R12 ", L::Train(12), "r12"),
            ("pre", L::Pre, "pre"),
            ("POST", L::Post(None), "post"),
            ("post_30s", L::Post(Some(30)), "post_30s"),
            ("post_60", L::Post(Some(60)), "post_60s"),
            ("r0", L::Other("r0".into()), "r0"),
            ("r1a", L::Other("r1a".into()), "r1a"),
            ("post_x", L::Other("post_x".into()), "post_x"),
            ("r+1", L::Other("r+1".into()), "r+1"),
        ] {
            assert_eq!(L::parse(text), label, "{text}");
            assert_eq!(label.to_string(), written);
            let json = serde_json::to_string(&label).unwrap();
            assert_eq!(serde_json::from_str::<L>(&json).unwrap(), label);
        }
        assert_eq!(L::Post(None).post_time_s(), Some(0.0));
        assert_eq!(L::Post(Some(30)).post_time_s(), Some(30.0));
        assert!(L::Pre.is_exercise() && !L::Train(1).is_exercise());
    }
}
