//! The single-fibre simulator's calibration: per condition, severity and
//! method, the mean MCD of its pairs, the share of pairs above the
//! concentric-needle pair limit, the share with any blocking, and the
//! verdicts over seeds (docs/jitter.md, "Simulator"). `cargo run --release
//! --example jitter_calibration`.

use nmjscope::model::{JitterMethod, JitterVerdict};
use nmjscope::simulate::jitter::{simulate_pairs, JitterSimConfig};
use nmjscope::simulate::Condition;

/// Sweeps against the truth: counted pairs, worst MCD error (µs, %), the
/// median error, and blocking mismatches among counted pairs.
fn sweeps_accuracy() {
    use nmjscope::measure::jitter::{measure_sweeps, JitterSweeps};
    use nmjscope::simulate::jitter::sweeps_of;
    use nmjscope::train::jitter::{measure_pair, JitterConfig};
    let cfg = JitterConfig::default();
    println!("\ncondition severity method noise_mv rate_hz pairs counted worst_err_us worst_err_pct median_err_us blocking_mismatches");
    for (condition, severity) in [
        (Condition::Normal, 0.0),
        (Condition::Mg, 0.25),
        (Condition::Mg, 0.5),
        (Condition::Lems, 0.3),
    ] {
        for method in [JitterMethod::Voluntary, JitterMethod::Stimulated] {
            for (noise_mv, rate) in [
                (0.01, 50_000.0),
                (0.02, 50_000.0),
                (0.03, 50_000.0),
                (0.05, 50_000.0),
                (0.02, 25_000.0),
            ] {
                let (mut n, mut counted, mut worst, mut worst_pct, mut errs, mut mism) =
                    (0, 0, 0.0f64, 0.0f64, Vec::new(), 0);
                for seed in 1..=5u64 {
                    let c = JitterSimConfig {
                        condition,
                        severity,
                        method,
                        noise_mv,
                        sampling_rate_hz: rate,
                        seed,
                        ..Default::default()
                    };
                    for (i, p) in simulate_pairs(&c).expect("valid").iter().enumerate() {
                        n += 1;
                        let (t0_ms, samples_mv) =
                            sweeps_of(&c, p, 1000 * seed + i as u64).expect("valid");
                        let s = JitterSweeps {
                            id: p.pair.id.clone(),
                            muscle: c.muscle.clone(),
                            side: None,
                            method,
                            electrode: c.electrode,
                            sampling_rate_hz: rate,
                            t0_ms,
                            samples_mv,
                        };
                        let got = measure_pair(&measure_sweeps(&s, &cfg).0, &cfg);
                        if !got.counted {
                            continue;
                        }
                        let truth = measure_pair(&p.pair, &cfg);
                        counted += 1;
                        let (g, t) = (
                            got.mcd_us.unwrap_or(f64::NAN),
                            truth.mcd_us.unwrap_or(f64::NAN),
                        );
                        worst = worst.max((g - t).abs());
                        worst_pct = worst_pct.max(100.0 * (g - t).abs() / t);
                        errs.push((g - t).abs());
                        mism += usize::from(got.blocked != truth.blocked);
                    }
                }
                errs.sort_by(f64::total_cmp);
                let median = errs.get(errs.len() / 2).copied().unwrap_or(f64::NAN);
                println!("{condition} {severity} {method} {noise_mv} {rate} {n} {counted} {worst:.2} {worst_pct:.1} {median:.2} {mism}");
            }
        }
    }
}

fn main() {
    sweeps_accuracy();
    let seeds = 20u64;
    println!(
        "condition severity method rate_hz mean_mcd_us pairs_blocking_pct abnormal_of_{seeds}"
    );
    for (condition, severity) in [
        (Condition::Normal, 0.0),
        (Condition::Mg, 0.1),
        (Condition::Mg, 0.25),
        (Condition::Mg, 0.5),
        (Condition::Mg, 0.9),
        (Condition::Lems, 0.5),
    ] {
        for method in [JitterMethod::Voluntary, JitterMethod::Stimulated] {
            for rate_hz in [5.0, 10.0, 20.0] {
                let (mut mean, mut blocking, mut abnormal) = (0.0, 0.0, 0);
                for seed in 1..=seeds {
                    let c = JitterSimConfig {
                        condition,
                        severity,
                        method,
                        rate_hz,
                        seed,
                        ..Default::default()
                    };
                    let pairs = simulate_pairs(&c)
                        .expect("valid config")
                        .into_iter()
                        .map(|p| p.pair)
                        .collect();
                    let input = nmjscope::io::jitter::JitterInput::of_pairs(pairs);
                    let a = nmjscope::pipeline::jitter::analyze_jitter(
                        &input,
                        None,
                        &nmjscope::Settings::default(),
                    )
                    .expect("default settings");
                    let m = &a.report.muscles[0];
                    mean += m.mean_jitter_us.unwrap_or(f64::NAN) / seeds as f64;
                    blocking += m.blocking_pairs_pct / seeds as f64;
                    abnormal += usize::from(m.verdict == JitterVerdict::Abnormal);
                }
                println!(
                    "{condition} {severity} {method} {rate_hz} {mean:.1} {blocking:.1} {abnormal}"
                );
            }
        }
    }
}
