//! The one place a jitter study is analysed: sweeps measured into
//! discharges, every pair measured, each muscle judged, the findings
//! written, and what the plots draw handed over with the report.

use serde::Serialize;

use crate::error::Result;
use crate::interpret::jitter::{findings, judge_muscle};
use crate::io::jitter::JitterInput;
use crate::measure::jitter::{measure_sweeps, SweepReading};
use crate::model::{
    muscle_side_key, JitterMethod, JitterPair, JitterReport, ToolInfo, JITTER_SCHEMA,
};
use crate::settings::Settings;
use crate::train::jitter::measure_pair;

/// Sweeps kept per pair for the superimposed plot: a jitter program shows
/// the last few dozen; all of them would only darken the picture.
const SWEEPS_SHOWN: usize = 50;

/// A jitter report and what its plots draw.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JitterAnalysis {
    /// The report.
    pub report: JitterReport,
    /// One display per pair, in the report's order (muscle by muscle).
    pub displays: Vec<PairDisplay>,
}

/// What the plots of one pair draw.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairDisplay {
    /// The muscle, as the report names it.
    pub muscle: String,
    /// The pair's name.
    pub id: String,
    /// Each discharge's interval (µs), `None`: blocked.
    pub ipis_us: Vec<Option<f64>>,
    /// The sweeps, for a pair measured from them.
    pub sweeps: Option<SweepsDisplay>,
}

/// A pair's sweeps as the superimposed plot draws them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweepsDisplay {
    /// Time of each sweep's first sample (ms).
    pub t0_ms: f64,
    /// Sampling interval (ms).
    pub dt_ms: f64,
    /// The first [`SWEEPS_SHOWN`] sweeps (mV, baseline not removed).
    pub rows_mv: Vec<Vec<f64>>,
    /// What was found in every sweep (the crossings the plot aligns on
    /// and marks).
    pub reading: SweepReading,
    /// The level of the rising phase timed (% of the peak).
    pub level_pct: f64,
    /// Voluntary (aligned on the trigger potential) or stimulated.
    pub method: JitterMethod,
}

/// Analyses a jitter study. `age_years` (the caller's) takes the place of
/// the files' own.
///
/// # Errors
///
/// [`crate::Error::Settings`] when a setting is out of its range.
pub fn analyze_jitter(
    input: &JitterInput,
    age_years: Option<f64>,
    settings: &Settings,
) -> Result<JitterAnalysis> {
    settings.validate(std::path::Path::new("<settings>"))?;
    let config = &settings.jitter;
    let mut pairs: Vec<(JitterPair, Option<SweepsDisplay>)> =
        input.pairs.iter().cloned().map(|p| (p, None)).collect();
    for s in &input.sweeps {
        let (pair, reading) = measure_sweeps(s, config);
        let display = SweepsDisplay {
            t0_ms: s.t0_ms,
            dt_ms: 1000.0 / s.sampling_rate_hz,
            rows_mv: s
                .samples_mv
                .rows()
                .into_iter()
                .take(SWEEPS_SHOWN)
                .map(|r| r.to_vec())
                .collect(),
            reading,
            level_pct: config.level_pct,
            method: s.method,
        };
        pairs.push((pair, Some(display)));
    }
    let age = age_years.or(input.age_years);
    let mut muscles = Vec::new();
    let mut displays = Vec::new();
    for first in groups(&pairs) {
        let members: Vec<&(JitterPair, Option<SweepsDisplay>)> =
            pairs.iter().filter(|(p, _)| same_group(p, first)).collect();
        let measures = members
            .iter()
            .map(|(p, _)| measure_pair(p, config))
            .collect();
        muscles.push(judge_muscle(
            &first.muscle,
            first.side.as_deref(),
            first.method,
            first.electrode,
            measures,
            age,
            config,
        ));
        displays.extend(members.into_iter().map(|(p, sweeps)| PairDisplay {
            muscle: first.muscle.clone(),
            id: p.id.clone(),
            ipis_us: p.discharges.iter().map(|d| d.ipi_us).collect(),
            sweeps: sweeps.clone(),
        }));
    }
    let mut warnings = input.warnings.clone();
    warnings.extend(sweep_warnings(&pairs));
    let report = JitterReport {
        schema: JITTER_SCHEMA.to_string(),
        tool: ToolInfo::current(),
        files: input.files.clone(),
        age_years: age,
        findings: findings(&muscles, age, config),
        muscles,
        warnings,
        settings: config.clone(),
    };
    Ok(JitterAnalysis { report, displays })
}

/// The first pair of each group (muscle, side, method, electrode), in the
/// order first read: one muscle's names, `EDC` and `extensor digitorum`,
/// are one group; its two sides are two.
fn groups(pairs: &[(JitterPair, Option<SweepsDisplay>)]) -> Vec<&JitterPair> {
    let mut out: Vec<&JitterPair> = Vec::new();
    for (p, _) in pairs {
        if !out.iter().any(|first| same_group(p, first)) {
            out.push(p);
        }
    }
    out
}

fn same_group(p: &JitterPair, first: &JitterPair) -> bool {
    p.method == first.method
        && p.electrode == first.electrode
        && muscle_side_key(Some(&p.muscle), p.side.as_deref())
            == muscle_side_key(Some(&first.muscle), first.side.as_deref())
}

/// What the measurement of sweeps leaves a reader to know: sweeps without
/// a trigger potential near time zero, left out; pairs whose second
/// potential was never found.
fn sweep_warnings(pairs: &[(JitterPair, Option<SweepsDisplay>)]) -> Vec<String> {
    let mut out = Vec::new();
    for (p, d) in pairs {
        let Some(d) = d else { continue };
        let n = d.reading.first_us.len();
        if d.reading.untriggered > 0 {
            out.push(format!(
                "pair {} ({}): no trigger potential within 0.3 ms of time zero in {} of {n} sweeps; they are left out (is time zero the trigger?)",
                p.id, p.muscle, d.reading.untriggered
            ));
        }
        for other in &d.reading.others_us {
            out.push(format!(
                "pair {} ({}): another potential at {:.2} ms in most sweeps was not measured (a pair of its own?)",
                p.id,
                p.muscle,
                other / 1000.0
            ));
        }
        if p.sweep_flags
            .contains(&crate::model::PairFlag::NoSecondPotential)
        {
            out.push(format!(
                "pair {} ({}): no second potential in any of {n} sweeps; not judged",
                p.id, p.muscle
            ));
        }
    }
    out
}
