//! Lower limits of normal for the distal CMAP amplitude, by muscle.
//!
//! Only muscles with a published limit are listed; anything else gives
//! `low_cmap: null`. Users may add or override limits in the thresholds file
//! (`interpret.lower_limits_mv`).

use serde::Serialize;

use super::sources;
use super::InterpretConfig;

/// What is known of one muscle: its nerve, the lower limit of normal of
/// its distal CMAP amplitude (when a source gives one), its mean, and a
/// decrement cut-off of its own (when a source gives one). The one table
/// the report, the web page and `docs/reference-values.md` read.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ReferenceValue {
    /// Canonical short name ([`canonical_muscle`]).
    pub muscle: &'static str,
    /// The nerve stimulated.
    pub nerve: &'static str,
    /// Lower limit of normal of the CMAP amplitude (mV), when published.
    pub lower_limit_mv: Option<f64>,
    /// Published mean and SD (mV), when given.
    pub mean_sd_mv: Option<(f64, f64)>,
    /// A low-rate decrement above this (%) is abnormal in this muscle,
    /// where a source gives a cut-off of its own; else the study-wide one.
    pub decrement_abnormal_pct: Option<f64>,
    /// Age or sex, where the source says the values depend on them.
    pub depends_on: &'static str,
    /// Where the lower limit comes from (or that none was found).
    pub source: &'static str,
    /// Where the mean comes from, when it is another source.
    pub mean_source: Option<&'static str>,
    /// Where the muscle's own decrement cut-off comes from.
    pub decrement_source: Option<&'static str>,
}

/// An entry with no cut-off of its own and one source.
const fn reference(
    muscle: &'static str,
    nerve: &'static str,
    lower_limit_mv: Option<f64>,
    mean_sd_mv: Option<(f64, f64)>,
    depends_on: &'static str,
    source: &'static str,
) -> ReferenceValue {
    ReferenceValue {
        muscle,
        nerve,
        lower_limit_mv,
        mean_sd_mv,
        decrement_abnormal_pct: None,
        depends_on,
        source,
        mean_source: None,
        decrement_source: None,
    }
}

/// The built-in table. A muscle without a published lower limit is listed
/// with none (its CMAP is not judged low or normal); the deltoid's limit is
/// the lower (women's) one, as the record carries no sex.
pub const TABLE: &[ReferenceValue] = &[
    ReferenceValue {
        mean_source: Some(sources::BUSCHBACHER_ADM),
        ..reference(
            "ADM",
            "ulnar",
            Some(6.0),
            Some((11.6, 2.1)),
            "",
            sources::PRESTON_SHAPIRO,
        )
    },
    ReferenceValue {
        mean_source: Some(sources::BUSCHBACHER_APB),
        ..reference(
            "APB",
            "median",
            Some(4.0),
            Some((10.2, 3.6)),
            "age",
            sources::PRESTON_SHAPIRO,
        )
    },
    reference(
        "FDI",
        "ulnar",
        Some(7.0),
        None,
        "",
        sources::PRESTON_SHAPIRO,
    ),
    reference(
        "EIP",
        "radial",
        Some(2.0),
        None,
        "",
        sources::PRESTON_SHAPIRO,
    ),
    reference(
        "trapezius",
        "accessory",
        Some(3.6),
        Some((8.02, 2.2)),
        "body mass index",
        sources::DERIVED_TRAPEZIUS,
    ),
    reference(
        "deltoid",
        "axillary",
        Some(6.5),
        None,
        "sex (7.6 mV in men, 6.5 mV in women) and age",
        sources::ZIS_2018,
    ),
    ReferenceValue {
        decrement_abnormal_pct: Some(8.0),
        decrement_source: Some(sources::ABRAHAM_2017),
        ..reference(
            "nasalis",
            "facial",
            Some(1.0),
            None,
            "",
            sources::LEW_TSAI_2007,
        )
    },
    ReferenceValue {
        decrement_abnormal_pct: Some(7.0),
        decrement_source: Some(sources::ABRAHAM_2017),
        ..reference(
            "frontalis",
            "facial",
            None,
            None,
            "",
            sources::NO_LIMIT_FOUND,
        )
    },
    reference(
        "orbicularis oculi",
        "facial",
        None,
        None,
        "",
        sources::NO_LIMIT_FOUND,
    ),
    reference(
        "anconeus",
        "radial",
        None,
        None,
        "",
        sources::NO_LIMIT_FOUND,
    ),
];

/// The table's entry for a muscle, under any of its names.
pub fn reference_value(muscle: &str) -> Option<&'static ReferenceValue> {
    let key = canonical_muscle(muscle)?;
    TABLE.iter().find(|r| r.muscle == key)
}

/// The decrement above which a train of `muscle` is abnormal: the
/// settings' own cut-off for the muscle, else the table's, else the
/// study-wide threshold. A lab that raised or lowered the study-wide
/// threshold keeps the table's facial cut-offs unless it sets them too
/// (they are published for facial muscles, not derived from 10%).
pub fn decrement_limit(muscle: Option<&str>, c: &InterpretConfig) -> f64 {
    decrement_cut(muscle, c).0
}

/// [`decrement_limit`] with its source: the lab's setting, the table's
/// source, or AAEM 2001 for the study-wide threshold.
pub(crate) fn decrement_cut(muscle: Option<&str>, c: &InterpretConfig) -> (f64, &'static str) {
    let study = (c.decrement_abnormal_pct, sources::AAEM_2001);
    let Some(m) = muscle else {
        return study;
    };
    let key = canonical_muscle(m).unwrap_or(m.trim());
    let own = c.muscle_decrement_abnormal_pct.iter().find(|(k, _)| {
        k.eq_ignore_ascii_case(key) || canonical_muscle(k).is_some_and(|ck| ck == key)
    });
    if let Some((_, v)) = own {
        return (*v, sources::SETTINGS_MUSCLE_DECREMENT);
    }
    reference_value(key)
        .and_then(|r| Some((r.decrement_abnormal_pct?, r.decrement_source?)))
        .unwrap_or(study)
}

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
        .and_then(|l| Some((l.lower_limit_mv?, l.source.to_string())))
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
        assert_eq!(lower_limit("Nasalis", &none).unwrap().0, 1.0);
        assert_eq!(lower_limit("deltoid", &none).unwrap().0, 6.5);
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
