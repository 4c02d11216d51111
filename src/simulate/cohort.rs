//! Cohorts: patients drawn from a stated distribution of severity, one
//! simulated study each, so the simulator can be set beside published
//! cohorts (`docs/simulation.md`, "Cohorts"; `nmjscope simulate --cohort`).
//!
//! The distributions are nmjscope's own, chosen so that the cohort is the
//! one the publications describe: patients referred with generalised MG
//! (most mild to moderate, RNS of a hand muscle abnormal in about half),
//! and patients diagnosed with LEMS (the disease established, the resting
//! CMAP low in nearly all).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{Condition, SimConfig};

/// A cohort to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct CohortSpec {
    /// The condition every patient has.
    pub condition: Condition,
    /// How many patients.
    pub n: usize,
    /// The muscle recorded (any name the tool knows).
    pub muscle: String,
    /// The cohort's seed: same seed, same patients.
    pub seed: u64,
}

/// Severities of a generalised-MG cohort as a hand-muscle RNS series sees
/// it, uniform: up to 0.32, where an ADM decrement is about 17% (the
/// series compared with it were mostly mild, MGFA class II, and an ADM
/// decrement was abnormal in 35.7-53% of them).
pub const MG_SEVERITY: (f64, f64) = (0.02, 0.32);

/// Severities of a LEMS cohort, uniform: from 0.27, where the ADM CMAP is
/// about 6.5 mV, just above its 6 mV limit (O'Neill et al. 1988 found it
/// low in 48 of 50, and Lipka et al. 2020 an increment under 100% in 41%).
pub const LEMS_SEVERITY: (f64, f64) = (0.27, 1.0);

/// The severity range of a cohort of `condition` (none for `Normal`).
pub fn severity_range(condition: Condition) -> (f64, f64) {
    match condition {
        Condition::Mg => MG_SEVERITY,
        Condition::Lems => LEMS_SEVERITY,
        _ => (0.0, 0.0),
    }
}

/// The patients of a cohort: each a simulation of its own seed and
/// severity, recorded from the cohort's muscle.
pub fn cohort(spec: &CohortSpec) -> Vec<SimConfig> {
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let (lo, hi) = severity_range(spec.condition);
    (0..spec.n)
        .map(|i| SimConfig {
            condition: spec.condition,
            severity: lo + (hi - lo) * rng.random::<f64>(),
            muscle: spec.muscle.clone(),
            seed: spec.seed.wrapping_mul(1_000_003).wrapping_add(i as u64),
            ..SimConfig::default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cohort_is_seeded_and_inside_its_range() {
        let spec = CohortSpec {
            condition: Condition::Mg,
            n: 50,
            muscle: "APB".into(),
            seed: 7,
        };
        let a = cohort(&spec);
        assert_eq!(a, cohort(&spec));
        assert!(a
            .iter()
            .all(|c| (MG_SEVERITY.0..MG_SEVERITY.1).contains(&c.severity)));
        let mut seeds: Vec<u64> = a.iter().map(|c| c.seed).collect();
        seeds.dedup();
        assert_eq!(seeds.len(), 50);
    }
}
