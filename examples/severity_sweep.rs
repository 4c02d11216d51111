//! Prints how the simulated decrement and increments change with severity:
//! `cargo run --release --example severity_sweep`.

use nmjscope::simulate::{simulate_study, Condition, SimConfig};
use nmjscope::{analyze_study, io, ReadOptions, Settings};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("condition severity  A1_mV  dec3Hz%  inc_ex%  inc50Hz% area50% pattern");
    for condition in [Condition::Normal, Condition::Mg, Condition::Lems] {
        for severity in [0.0, 0.2, 0.4, 0.6, 0.8, 1.0] {
            let sim = SimConfig {
                condition,
                severity,
                seed: 3,
                ..SimConfig::default()
            };
            // Through the files, as a user's exports would come.
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
            };
            let r = analyze_study(&study, &Settings::default())?;
            let f = |v: Option<f64>| {
                v.map(|v| format!("{v:7.1}"))
                    .unwrap_or_else(|| "      -".into())
            };
            println!(
                "{:9} {:8.1} {:6.2} {} {} {} {} {}",
                condition.to_string(),
                severity,
                r.tests[0].first_amplitude_mv().unwrap_or(0.0),
                f(r.tests[0].decrement_pct),
                f(r.tests[1].increment_pct),
                f(r.tests[2].increment_pct),
                f(r.tests[2].area_increment_pct),
                r.interpretation.pattern.code()
            );
        }
    }
    Ok(())
}
