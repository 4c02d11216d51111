//! The muscle a simulation records from: its nerve and the size of its
//! CMAP, from the reference table the interpretation judges them by
//! ([`crate::interpret::REFERENCE_VALUES`]), and how much of the
//! myasthenic loss its end plates take. `--muscle` changes the physiology,
//! not only the label.
//!
//! Myasthenia does not reach every muscle alike. In 28 patients with
//! generalised MG the decrement was "higher in the median compared with
//! the ulnar nerve (17.3% vs 9.6%)" and abnormal in 60.7% against 35.7%
//! (Muscle Nerve 2021;64:490-493, PMID 34196418); facial and proximal
//! muscles are abnormal more often than hand muscles (Witoonpanich et al.,
//! 156 generalised MG: ADM 53%, anconeus 77%, trapezius 79%, orbicularis
//! oculi 79%, nasalis 85%). Each muscle's `mg_weight` scales the severity
//! its end plates see; the weights are nmjscope's own calibration to those
//! figures (`docs/simulation.md`, "Muscles"), not published values.

use crate::interpret::limits::reference_value;

/// How a muscle shapes a simulated recording.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MuscleProfile {
    /// The nerve stimulated (the reference table's).
    pub nerve: &'static str,
    /// The CMAP of the fully activated, healthy muscle (mV).
    pub cmap_mv: f64,
    /// Where `cmap_mv` comes from.
    pub cmap_source: &'static str,
    /// The share of an MG severity its end plates see (1 for the ADM).
    pub mg_weight: f64,
}

/// The ADM's CMAP when nothing else is known: the simulator's long-standing
/// 10 mV, inside Buschbacher's 11.6 +/- 2.1 mV.
const DEFAULT_CMAP_MV: f64 = 10.0;

/// Muscles without a published mean: a CMAP set by nmjscope, with the
/// reason, and every muscle's MG weight.
const OWN: &[(&str, Option<f64>, f64)] = &[
    // (canonical name, CMAP when the table has no mean, MG weight)
    ("ADM", None, 1.0),
    ("APB", None, 1.5),
    ("FDI", Some(12.0), 1.0),
    ("EIP", Some(5.0), 1.3),
    ("anconeus", Some(4.0), 2.3),
    ("trapezius", None, 2.4),
    // Deltoid: the table gives lower limits only (7.6 mV in men, 6.5 mV
    // in women); 10 mV sits above both. Proximal, weighted as trapezius.
    ("deltoid", Some(10.0), 2.4),
    // Facial muscles: small CMAPs (nasalis at least 1 mV, Lew & Tsai);
    // 3 mV and 2 mV are nmjscope's own, comfortably above the limits.
    ("nasalis", Some(3.0), 3.0),
    ("frontalis", Some(2.0), 2.5),
    ("orbicularis oculi", Some(2.0), 2.4),
];

/// The profile of `muscle` (any name the tool knows); an unknown muscle is
/// simulated as the ADM, on the ulnar nerve.
pub fn muscle_profile(muscle: &str) -> MuscleProfile {
    let reference = reference_value(muscle);
    let own = reference.and_then(|r| OWN.iter().find(|(name, _, _)| *name == r.muscle));
    let (cmap_mv, cmap_source) = match (reference.and_then(|r| r.mean_sd_mv), own) {
        (Some((mean, _)), _) if reference.is_some_and(|r| r.muscle != "ADM") => {
            (mean, "the reference table's published mean")
        }
        (_, Some((_, Some(own_mv), _))) => (*own_mv, "nmjscope's own (no published mean)"),
        _ => (DEFAULT_CMAP_MV, "the simulator's ADM"),
    };
    MuscleProfile {
        nerve: reference.map_or("ulnar", |r| r.nerve),
        cmap_mv,
        cmap_source,
        mg_weight: own.map_or(1.0, |(_, _, w)| *w),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn muscles_take_their_nerve_size_and_weight() {
        let adm = muscle_profile("ADM");
        assert_eq!(
            (adm.nerve, adm.cmap_mv, adm.mg_weight),
            ("ulnar", 10.0, 1.0)
        );
        let apb = muscle_profile("abductor pollicis brevis");
        assert_eq!((apb.nerve, apb.cmap_mv), ("median", 10.2));
        assert!(apb.mg_weight > 1.0);
        let nasalis = muscle_profile("M. nasalis");
        assert_eq!(nasalis.nerve, "facial");
        assert!(nasalis.cmap_mv < 5.0 && nasalis.mg_weight > apb.mg_weight);
        assert_eq!(muscle_profile("trapezius").cmap_mv, 8.02);
        assert_eq!(muscle_profile("nonesuch").nerve, "ulnar");
    }
}
