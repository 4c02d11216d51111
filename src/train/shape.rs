//! The shape of a train (flat, U-shaped, progressive, incrementing) and the
//! irregular steps that movement and technical artifacts make.

use super::TrainConfig;
use crate::model::TrainShape;

/// Changes from the first response in % of it.
fn changes(amps: &[Option<f64>]) -> Option<Vec<f64>> {
    let first = amps.first().copied().flatten().filter(|a| *a > 0.0)?;
    amps.iter()
        .map(|a| a.map(|a| (a - first) / first * 100.0))
        .collect()
}

/// The shape of a train's amplitudes; `low_rate` tells a U shape from a
/// progressive fall (at high rate a fall is only progressive).
pub fn shape(amps: &[Option<f64>], config: &TrainConfig, low_rate: bool) -> Option<TrainShape> {
    let c = changes(amps)?;
    if c.len() < 3 {
        return None;
    }
    if c.iter().all(|v| v.abs() < config.flat_pct) {
        return Some(TrainShape::Flat);
    }
    let (nadir, min) = c
        .iter()
        .copied()
        .enumerate()
        .min_by(|a, b| a.1.total_cmp(&b.1))?;
    let max = c.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if max >= config.flat_pct && max >= -min {
        return Some(TrainShape::Incrementing);
    }
    if !low_rate {
        return Some(TrainShape::Progressive);
    }
    let last = c[c.len() - 1];
    let fifth = c[4.min(c.len() - 1)];
    let still_falling = nadir == c.len() - 1 && fifth - last >= config.progressive_fall_pct;
    if still_falling || c.len() <= 5 && nadir == c.len() - 1 {
        Some(TrainShape::Progressive)
    } else {
        Some(TrainShape::UShaped)
    }
}

/// A rise then a fall, each at least `irregular_step_pct` of A1, happening
/// `irregular_min_jumps` times: steps a true decrement never shows.
pub fn irregular(amps: &[Option<f64>], config: &TrainConfig) -> bool {
    let Some(c) = changes(amps) else {
        return false;
    };
    let steps: Vec<f64> = c.windows(2).map(|w| w[1] - w[0]).collect();
    let jumps = steps
        .windows(2)
        .filter(|s| s[0] >= config.irregular_step_pct && s[1] <= -config.irregular_step_pct)
        .count();
    jumps >= config.irregular_min_jumps
}

/// One response that stands out from both its neighbours, the same way,
/// by more than `outlier_pct` of their mean: a missed, partial or doubled
/// sweep, never a step of a physiological train (a decrement falls and
/// levels smoothly; a facilitating train builds and plateaus). Measured
/// against the neighbours, not A1, so that a train that has tripled may
/// wobble by what a small first CMAP would call large.
pub fn isolated_response(amps: &[Option<f64>], config: &TrainConfig) -> bool {
    amps.windows(3).any(|w| {
        let (Some(a), Some(b), Some(c)) = (w[0], w[1], w[2]) else {
            return false;
        };
        let level = 0.5 * (a + c);
        if level <= 0.0 {
            return false;
        }
        let limit = config.outlier_pct / 100.0 * level;
        (b - a > limit && b - c > limit) || (a - b > limit && c - b > limit)
    })
}

/// Of a drift's steps, at least this share go its way: a smooth drift,
/// not the jumps of an irregular train.
const DRIFT_STEADY_SHARE: f64 = 0.8;

/// Whether `values` move one way through the train (most steps the way of
/// the net change) by more than `pct` of `reference`.
pub fn drifts(values: &[f64], reference: f64, pct: f64) -> bool {
    let (Some(first), Some(last)) = (values.first(), values.last()) else {
        return false;
    };
    let net = last - first;
    if values.len() < 3 || reference <= 0.0 || net.abs() * 100.0 / reference <= pct {
        return false;
    }
    let steps = values.len() - 1;
    let along = values
        .windows(2)
        .filter(|w| (w[1] - w[0]) * net > 0.0)
        .count();
    along as f64 >= DRIFT_STEADY_SHARE * steps as f64
}

/// Whether the amplitudes of a low-rate train rise steadily by more than
/// `pct` of the first (every amplitude measured).
pub fn rises_steadily(amps: &[Option<f64>], pct: f64) -> bool {
    let Some(values) = amps.iter().copied().collect::<Option<Vec<f64>>>() else {
        return false;
    };
    let first = values.first().copied().unwrap_or(0.0);
    values.last().is_some_and(|last| last > &first) && drifts(&values, first, pct)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amps(v: &[f64]) -> Vec<Option<f64>> {
        v.iter().map(|&a| Some(a)).collect()
    }

    #[test]
    fn shapes() {
        let c = TrainConfig::default();
        let mg = amps(&[10.0, 8.5, 7.8, 7.5, 7.4, 7.6, 7.8, 7.9, 8.0, 8.0]);
        assert_eq!(shape(&mg, &c, true), Some(TrainShape::UShaped));
        let prog = amps(&[10.0, 9.5, 9.0, 8.5, 8.0, 7.5, 7.0, 6.5, 6.0, 5.5]);
        assert_eq!(shape(&prog, &c, true), Some(TrainShape::Progressive));
        let flat = amps(&[10.0, 9.9, 10.1, 9.8, 9.9, 10.0, 9.9, 10.0, 10.1, 10.0]);
        assert_eq!(shape(&flat, &c, true), Some(TrainShape::Flat));
        let up = amps(&[2.0, 2.5, 3.0, 3.5, 4.0]);
        assert_eq!(shape(&up, &c, false), Some(TrainShape::Incrementing));
    }

    #[test]
    fn drifts_are_smooth_and_large() {
        // A baseline creeping up 0.12 mV per response under a 6 mV CMAP:
        // 1.1 mV over the train, 18% of A1.
        let creeping: Vec<f64> = (0..10).map(|i| 0.12 * i as f64).collect();
        assert!(drifts(&creeping, 6.0, 10.0));
        assert!(!drifts(&creeping, 20.0, 10.0), "small against a large CMAP");
        // Noise about a level: no drift.
        let wobble = [0.0, 0.3, -0.2, 0.25, -0.3, 0.2, -0.1, 0.3, -0.25, 0.1];
        assert!(!drifts(&wobble, 1.0, 10.0));
        let warming = amps(&[8.0, 8.2, 8.4, 8.5, 8.7, 8.8, 9.0, 9.1, 9.3, 9.4]);
        assert!(rises_steadily(&warming, 10.0));
        let mg = amps(&[10.0, 8.5, 7.8, 7.5, 7.4, 7.6, 7.8, 7.9, 8.0, 8.0]);
        assert!(!rises_steadily(&mg, 10.0), "a U-shaped decrement");
    }

    #[test]
    fn a_lone_response_out_of_line_is_irregular() {
        let c = TrainConfig::default();
        let dip = amps(&[9.7, 9.7, 9.7, 4.85, 9.7, 9.7, 9.7, 9.7, 9.7, 9.7]);
        assert!(isolated_response(&dip, &c));
        let mut spike: Vec<Option<f64>> = (0..50)
            .map(|i| Some(10.0 + 2.5 * (i as f64 / 50.0)))
            .collect();
        spike[24] = Some(27.0);
        assert!(isolated_response(&spike, &c));
        let mg = amps(&[10.0, 8.5, 7.8, 7.5, 7.4, 7.6, 7.8, 7.9, 8.0, 8.0]);
        assert!(!isolated_response(&mg, &c));
        let lems: Vec<Option<f64>> = (0..50)
            .map(|i| Some(2.0 * (1.0 + 3.0 * (1.0 - (-(i as f64) / 10.0).exp()))))
            .collect();
        assert!(!isolated_response(&lems, &c));
    }

    #[test]
    fn irregular_trains() {
        let c = TrainConfig::default();
        let jumpy = amps(&[10.0, 9.0, 9.6, 8.8, 9.5, 8.7, 9.4, 8.9, 9.3, 8.8]);
        assert!(irregular(&jumpy, &c));
        let mg = amps(&[10.0, 8.5, 7.8, 7.5, 7.4, 7.6, 7.8, 7.9, 8.0, 8.0]);
        assert!(!irregular(&mg, &c));
    }
}
