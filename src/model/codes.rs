//! One mapping from a unit enum to its stable snake_case code: serde's.
//! [`codes!`] gives each enum `code()`, `Display` and `FromStr` through it,
//! so no hand-kept table can drift from what the JSON says.

use serde::de::DeserializeOwned;
use serde::Serialize;

/// A code that names no variant of the enum asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} `{code}`")]
pub struct UnknownCode {
    /// The enum (`Pattern`, `Flag`, ...).
    pub kind: &'static str,
    /// The code given.
    pub code: String,
}

/// The stable snake_case code of a unit enum variant, from its serde name.
pub(crate) fn serde_code<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// The variant whose serde name is `code`.
pub(crate) fn from_code<T: DeserializeOwned>(
    kind: &'static str,
    code: &str,
) -> Result<T, UnknownCode> {
    serde_json::from_value(serde_json::Value::String(code.to_string())).map_err(|_| UnknownCode {
        kind,
        code: code.to_string(),
    })
}

macro_rules! codes {
    ($($t:ident),* $(,)?) => {$(
        impl $t {
            /// The stable snake_case code (the serde name).
            pub fn code(self) -> String {
                $crate::model::codes::serde_code(&self)
            }
        }
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.code())
            }
        }
        impl std::str::FromStr for $t {
            type Err = $crate::model::UnknownCode;
            fn from_str(code: &str) -> std::result::Result<Self, Self::Err> {
                $crate::model::codes::from_code(stringify!($t), code)
            }
        }
    )*};
}
pub(crate) use codes;

#[cfg(test)]
mod tests {
    use crate::model::{Flag, Pattern, Protocol};

    #[test]
    fn codes_round_trip_through_serde() {
        assert_eq!(Flag::ArtifactOverlap.code(), "artifact_overlap");
        assert_eq!(
            "artifact_overlap".parse::<Flag>(),
            Ok(Flag::ArtifactOverlap)
        );
        assert_eq!(Pattern::NmjUnspecified.to_string(), "nmj_unspecified");
        assert_eq!("hfrns".parse::<Protocol>(), Ok(Protocol::Hfrns));
        let err = "u_shaped".parse::<Flag>().unwrap_err();
        assert_eq!(err.to_string(), "unknown Flag `u_shaped`");
    }
}
