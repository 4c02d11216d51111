//! Lower limits of normal for the distal CMAP amplitude, by muscle.
//!
//! Only muscles with a published limit are listed; anything else gives
//! `low_cmap: null`. Users may add or override limits in the thresholds file
//! (`interpret.lower_limits_mv`).

use super::sources;
use super::InterpretConfig;

/// One muscle's lower limit of normal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LowerLimit {
    /// Canonical short name.
    pub muscle: &'static str,
    /// Lower limit of normal, distal stimulation (mV).
    pub amplitude_mv: f64,
    /// Where the number comes from.
    pub source: &'static str,
}

/// The built-in table.
pub const TABLE: &[LowerLimit] = &[
    LowerLimit {
        muscle: "ADM",
        amplitude_mv: 6.0,
        source: sources::PRESTON_SHAPIRO,
    },
    LowerLimit {
        muscle: "APB",
        amplitude_mv: 4.0,
        source: sources::PRESTON_SHAPIRO,
    },
    LowerLimit {
        muscle: "FDI",
        amplitude_mv: 7.0,
        source: sources::PRESTON_SHAPIRO,
    },
    LowerLimit {
        muscle: "EIP",
        amplitude_mv: 2.0,
        source: sources::PRESTON_SHAPIRO,
    },
    LowerLimit {
        muscle: "trapezius",
        amplitude_mv: 3.6,
        source: sources::DERIVED_TRAPEZIUS,
    },
];

pub use crate::model::canonical_muscle;

/// The lower limit for a muscle: the lab's (`--limits`), then the
/// thresholds file's, then the table. Returns (limit mV, source).
pub fn lower_limit(muscle: &str, config: &InterpretConfig) -> Option<(f64, String)> {
    let key = canonical_muscle(muscle)
        .map(str::to_string)
        .unwrap_or_else(|| muscle.trim().to_string());
    let same = |k: &str| {
        k.eq_ignore_ascii_case(&key)
            || k.eq_ignore_ascii_case(muscle.trim())
            || canonical_muscle(k).is_some_and(|c| c == key)
    };
    if let Some((_, lab)) = config.lab_limits.iter().find(|(k, _)| same(k)) {
        return Some((lab.lower_limit_mv, format!("lab limit: {}", lab.source)));
    }
    let overrides = &config.lower_limits_mv;
    if let Some((_, v)) = overrides
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(&key) || k.eq_ignore_ascii_case(muscle.trim()))
    {
        return Some((
            *v,
            "thresholds file (interpret.lower_limits_mv)".to_string(),
        ));
    }
    TABLE
        .iter()
        .find(|l| l.muscle.eq_ignore_ascii_case(&key))
        .map(|l| (l.amplitude_mv, l.source.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_overrides() {
        let none = InterpretConfig::default();
        assert_eq!(lower_limit("Abductor digiti minimi", &none).unwrap().0, 6.0);
        assert_eq!(lower_limit("apb", &none).unwrap().0, 4.0);
        assert!(
            lower_limit("anconeus", &none).is_none(),
            "no published limit"
        );
        assert!(lower_limit("biceps", &none).is_none());
        let mut o = InterpretConfig::default();
        o.lower_limits_mv.insert("anconeus".to_string(), 1.5);
        o.lower_limits_mv.insert("ADM".to_string(), 7.0);
        assert_eq!(lower_limit("anconeus", &o).unwrap().0, 1.5);
        assert_eq!(lower_limit("adm", &o).unwrap().0, 7.0);
        // The lab's limit wins, under any name of the muscle, with its source.
        o.lab_limits.insert(
            "abductor digiti minimi".to_string(),
            super::super::LabLimit {
                lower_limit_mv: 5.2,
                source: "lab norms 2024".to_string(),
            },
        );
        let (v, source) = lower_limit("ADM", &o).unwrap();
        assert_eq!(v, 5.2);
        assert_eq!(source, "lab limit: lab norms 2024");
    }
}
