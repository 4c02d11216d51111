//! Prints how the simulated decrement and increments change with severity:
//! `cargo run --release --example severity_sweep` (seed 3, through the
//! files), or `... -- 12` for the means over seeds 0-11.

use nmjscope::simulate::{simulate_study, Condition, SimConfig};
use nmjscope::{analyze_study, io, ReadOptions, Report, Settings};

const SEVERITIES: [f64; 6] = [0.0, 0.1, 0.25, 0.5, 0.75, 1.0];

/// The report of one simulated study, read through the files as a user's
/// exports would be.
fn report(
    condition: Condition,
    severity: f64,
    seed: u64,
) -> Result<Report, Box<dyn std::error::Error>> {
    let sim = SimConfig {
        condition,
        severity,
        seed,
        ..SimConfig::default()
    };
    let written = io::write::study_csv(&simulate_study(&sim)?.study, Default::default());
    let mut tests = Vec::new();
    for (name, bytes) in written {
        tests.push(io::parse_trace(
            name.as_ref(),
            &bytes,
            &ReadOptions::default(),
        )?);
    }
    let study = nmjscope::Study {
        id: "s".into(),
        path: "s".into(),
        tests,
        jitter: None,
    };
    Ok(analyze_study(&study, &Settings::default())?)
}

/// A1 (mV), 3 Hz decrement, exercise increment, 50 Hz increment and area
/// increment (%), NaN where not measured.
fn measures(r: &Report) -> [f64; 5] {
    let nan = |v: Option<f64>| v.unwrap_or(f64::NAN);
    [
        r.tests[0].first_amplitude_mv().unwrap_or(0.0),
        nan(r.tests[0].decrement_pct),
        nan(r.tests[1].increment_pct),
        nan(r.tests[2].increment_pct),
        nan(r.tests[2].area_increment_pct),
    ]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seeds: Option<u64> = std::env::args().nth(1).map(|a| a.parse()).transpose()?;
    println!("condition severity  A1_mV  dec3Hz%  inc_ex%  inc50Hz% area50% pattern");
    for condition in [Condition::Normal, Condition::Mg, Condition::Lems] {
        for severity in SEVERITIES {
            let (m, pattern) = match seeds {
                None => {
                    let r = report(condition, severity, 3)?;
                    (measures(&r), r.interpretation.pattern.code().to_string())
                }
                Some(n) => {
                    let mut sum = [0.0; 5];
                    let mut patterns = std::collections::BTreeMap::new();
                    for seed in 0..n {
                        let r = report(condition, severity, seed)?;
                        for (s, v) in sum.iter_mut().zip(measures(&r)) {
                            *s += v / n as f64;
                        }
                        *patterns
                            .entry(r.interpretation.pattern.code().to_string())
                            .or_insert(0) += 1;
                    }
                    (sum, format!("{patterns:?}"))
                }
            };
            println!(
                "{:9} {:8.2} {:6.2} {:7.1} {:7.1} {:8.1} {:7.1} {}",
                condition.to_string(),
                severity,
                m[0],
                m[1],
                m[2],
                m[3],
                m[4],
                pattern
            );
        }
    }
    Ok(())
}
