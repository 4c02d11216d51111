//! Jitter measures of one pair: the mean consecutive difference (MCD), the
//! mean sorted difference (MSD), their ratio, blocking; and the flags that
//! keep a pair out of a muscle's figures. Reads discharges, whatever made
//! them (an interval list or raw sweeps measured by `measure::jitter`).
//!
//! Definitions (`docs/jitter.md`): the MCD is the mean of |IPI(i) -
//! IPI(i-1)| over consecutive discharges that both conducted (Ekstedt,
//! Nilsson & Stålberg 1974: "the mean value of consecutive differences
//! (MCD)"); the MSD is the same mean after the intervals are ordered by
//! the inter-discharge interval that preceded each, so a drift that
//! follows the firing rate no longer adds to it.

use serde::{Deserialize, Serialize};

use crate::model::{Discharge, JitterPair, JitterValue, LabJitterLimits, PairFlag, PairMeasures};

/// Jitter settings (`[jitter]` in a thresholds file), defaults per field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JitterConfig {
    /// Fewest conducted discharges for a pair's jitter to count (default
    /// 50: Ekstedt et al. 1974 recommend "preferably 50 or, if the jitter
    /// is not changing, 200").
    pub min_discharges: usize,
    /// MCD/MSD above this shows a slow trend, and the pair's jitter is its
    /// MSD (default 1.25, `docs/jitter.md`).
    pub trend_ratio: f64,
    /// Level of the rising phase, % of the potential's peak, at which raw
    /// sweeps are timed (default 50: the steepest, least noise-sensitive
    /// part of a single-fibre potential's rise; nmjscope's choice).
    pub level_pct: f64,
    /// A potential whose peak amplitude varies by more than this
    /// coefficient of variation (%) across sweeps changes shape (default
    /// 20; nmjscope's own rule).
    pub shape_cv_pct: f64,
    /// Potentials whose median separation is under this (µs) overlap
    /// (default 500: a single-fibre potential's rising phase and peak last
    /// about 0.3-0.5 ms; nmjscope's own rule).
    pub overlap_us: f64,
    /// A pair's jitter below this (µs) is split fibres or direct muscle
    /// stimulation, not transmission (default 5: Bollu 2019, "should not be
    /// included").
    pub min_jitter_us: f64,
    /// A pair from raw sweeps whose noise alone would give an MCD above this
    /// (µs) is not counted (default 5: the floor below which Bollu 2019
    /// counts no jitter; added in quadrature, 5 µs moves a 20 µs MCD by
    /// 0.6 µs). nmjscope's own rule.
    pub noise_jitter_us: f64,
    /// Counted pairs needed for a muscle to be called normal (default 20,
    /// the number of pairs the reference studies collected per muscle).
    pub min_pairs: usize,
    /// A muscle is abnormal when more than this share of its counted pairs
    /// (%) is above the pair limit (default 10: "more than 10% of pairs").
    pub pairs_above_pct: f64,
    /// The lab's own limits (`[[jitter.limits]]`), used in place of the
    /// published ones for their muscle, method and electrode.
    pub limits: Vec<LabJitterLimits>,
}

impl Default for JitterConfig {
    fn default() -> Self {
        JitterConfig {
            min_discharges: 50,
            trend_ratio: 1.25,
            level_pct: 50.0,
            shape_cv_pct: 20.0,
            overlap_us: 500.0,
            min_jitter_us: 5.0,
            noise_jitter_us: 5.0,
            min_pairs: 20,
            pairs_above_pct: 10.0,
            limits: Vec::new(),
        }
    }
}

/// What is wrong with a lab's jitter limits, if anything: limits outside
/// 5-500 µs, a pair limit below the mean's, or no source.
pub fn lab_limits_problem(l: &LabJitterLimits) -> Option<String> {
    let range = 5.0..=500.0;
    if l.muscle.trim().is_empty() {
        return Some("a muscle needs a name".into());
    }
    if !range.contains(&l.mean_us) || !range.contains(&l.pair_us) {
        return Some(format!(
            "mean_us = {} and pair_us = {} must be 5-500 µs (published limits are 20-75 µs)",
            l.mean_us, l.pair_us
        ));
    }
    if l.pair_us < l.mean_us {
        return Some(format!(
            "pair_us = {} is below mean_us = {}: one pair's limit is never below the mean's",
            l.pair_us, l.mean_us
        ));
    }
    if l.source.trim().is_empty() {
        return Some("source is empty: name the study the limits come from".into());
    }
    None
}

/// The mean of |x(i) - x(i-1)| over consecutive values that are both
/// present: a blocked discharge breaks the chain on both sides.
pub fn mean_consecutive_difference(values: &[Option<f64>]) -> Option<f64> {
    let (mut sum, mut n) = (0.0, 0usize);
    for w in values.windows(2) {
        if let (Some(a), Some(b)) = (w[0], w[1]) {
            sum += (b - a).abs();
            n += 1;
        }
    }
    (n > 0).then(|| sum / n as f64)
}

/// The MSD: conducted intervals ordered by their preceding inter-discharge
/// interval, then their mean consecutive difference. `None` unless every
/// conducted discharge has one (a partial order would mix the two).
pub fn mean_sorted_difference(discharges: &[Discharge]) -> Option<f64> {
    let mut keyed: Vec<(f64, f64)> = Vec::with_capacity(discharges.len());
    for d in discharges {
        if let Some(ipi) = d.ipi_us {
            keyed.push((d.isi_ms?, ipi));
        }
    }
    // Stable: equal inter-discharge intervals keep their recorded order.
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
    let sorted: Vec<Option<f64>> = keyed.into_iter().map(|(_, ipi)| Some(ipi)).collect();
    mean_consecutive_difference(&sorted)
}

/// One pair's measures and flags (the limit is applied by `interpret`).
pub fn measure_pair(pair: &JitterPair, config: &JitterConfig) -> PairMeasures {
    let ipis: Vec<Option<f64>> = pair.discharges.iter().map(|d| d.ipi_us).collect();
    let discharges = ipis.len();
    let conducted: Vec<f64> = ipis.iter().flatten().copied().collect();
    let blocked = discharges - conducted.len();
    let mcd_us = mean_consecutive_difference(&ipis);
    let msd_us = mean_sorted_difference(&pair.discharges);
    let mcd_msd_ratio = match (mcd_us, msd_us) {
        (Some(c), Some(s)) if s > 0.0 => Some(c / s),
        _ => None,
    };
    let mut flags = pair.sweep_flags.clone();
    // A list pair blocked in every discharge shows no second potential at
    // all, as a sweeps pair with none: no pair to judge, as there.
    if conducted.is_empty() && discharges > 0 && !flags.contains(&PairFlag::NoSecondPotential) {
        flags.push(PairFlag::NoSecondPotential);
    }
    if conducted.len() < config.min_discharges {
        flags.push(PairFlag::TooFewDischarges);
    }
    if blocked * 2 > discharges {
        flags.push(PairFlag::MostlyBlocked);
    }
    let trend = mcd_msd_ratio.is_some_and(|r| r > config.trend_ratio);
    if trend {
        flags.push(PairFlag::FiringRateTrend);
    }
    let (jitter_us, jitter_value) = if trend {
        (msd_us, JitterValue::Msd)
    } else {
        (mcd_us, JitterValue::Mcd)
    };
    if jitter_us.is_some_and(|j| j < config.min_jitter_us) {
        flags.push(PairFlag::BelowFloor);
    }
    flags.sort();
    flags.dedup();
    let counted = jitter_us.is_some() && !flags.iter().any(|f| f.excludes());
    PairMeasures {
        id: pair.id.clone(),
        discharges,
        blocked,
        blocking_pct: if discharges == 0 {
            0.0
        } else {
            100.0 * blocked as f64 / discharges as f64
        },
        mcd_us,
        msd_us,
        mcd_msd_ratio,
        jitter_us,
        jitter_value,
        mean_ipi_us: (!conducted.is_empty())
            .then(|| conducted.iter().sum::<f64>() / conducted.len() as f64),
        flags,
        counted,
        above_pair_limit: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Electrode, JitterMethod};

    fn pair(ipis: &[Option<f64>], isis: Option<&[f64]>) -> JitterPair {
        JitterPair {
            id: "1".into(),
            muscle: "EDC".into(),
            side: None,
            method: JitterMethod::Voluntary,
            electrode: Electrode::SingleFibre,
            discharges: ipis
                .iter()
                .enumerate()
                .map(|(i, &ipi_us)| Discharge {
                    ipi_us,
                    isi_ms: isis.map(|s| s[i]),
                })
                .collect(),
            sweep_flags: vec![],
        }
    }

    #[test]
    fn mcd_is_exact_and_a_block_breaks_the_chain() {
        // |520-500| + |490-520| = 50 over 2; the pair around the block is skipped,
        // then |530-540| = 10: (20 + 30 + 10) / 3 = 20.
        let v = [
            Some(500.0),
            Some(520.0),
            Some(490.0),
            None,
            Some(540.0),
            Some(530.0),
        ];
        assert_eq!(mean_consecutive_difference(&v), Some(20.0));
        assert_eq!(
            mean_consecutive_difference(&[Some(1.0), None, Some(2.0)]),
            None
        );
    }

    #[test]
    fn msd_orders_by_the_preceding_interval_and_removes_a_rate_trend() {
        // The interval follows the firing interval exactly (a pure rate
        // effect): sorted by it, consecutive differences are the steps of
        // the rate, far smaller than the MCD of the alternating firing.
        let isis = [100.0, 60.0, 100.0, 60.0, 100.0, 60.0];
        let ipis: Vec<Option<f64>> = isis.iter().map(|&i| Some(400.0 + i)).collect();
        let p = pair(&ipis, Some(&isis));
        let m = measure_pair(&p, &JitterConfig::default());
        assert_eq!(m.mcd_us, Some(40.0));
        // Sorted: 460,460,460,500,500,500: one step of 40 over 5 differences.
        assert_eq!(m.msd_us, Some(8.0));
        assert_eq!(m.mcd_msd_ratio, Some(5.0));
        assert!(m.flags.contains(&PairFlag::FiringRateTrend));
        assert_eq!(m.jitter_value, JitterValue::Msd);
        assert_eq!(m.jitter_us, Some(8.0));
    }

    #[test]
    fn blocking_and_too_few_discharges_are_counted_exactly() {
        let mut ipis: Vec<Option<f64>> = (0..60)
            .map(|i| Some(500.0 + 10.0 * f64::from(i % 2)))
            .collect();
        for i in [3, 10, 11, 40] {
            ipis[i] = None;
        }
        let m = measure_pair(&pair(&ipis, None), &JitterConfig::default());
        assert_eq!((m.discharges, m.blocked), (60, 4));
        assert!((m.blocking_pct - 100.0 * 4.0 / 60.0).abs() < 1e-12);
        assert!(m.counted, "56 conducted of 60: counted");
        assert_eq!(m.msd_us, None, "no inter-discharge intervals");
        let short = measure_pair(&pair(&ipis[..40], None), &JitterConfig::default());
        assert!(short.flags.contains(&PairFlag::TooFewDischarges));
        assert!(!short.counted);
    }
}
