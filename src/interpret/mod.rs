//! Interpretation: from the measures of a study to the reading an expert
//! would write, with the criterion and source behind every finding.
//!
//! The conclusion is built from the tests performed. It has two parts, the
//! low-rate decrement and the increment (after exercise or at high rate),
//! each `measured`, `unreliable` or `not_tested` with the reason
//! ([`Part`](crate::model::Part)); the [`Pattern`](crate::model::Pattern) follows from both, so a study is never called
//! normal on a test that was not measured, and a decrement is never called
//! postsynaptic unless LEMS was looked for. The rules, with their thresholds
//! and sources, are listed in `docs/interpretation.md`.

mod advice;
mod assess;
mod conclusion;
mod differential;
mod findings;
pub mod jitter;
pub(crate) mod limits;
mod muscles;
mod protocols;
pub(crate) mod sources;
mod validity;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub(crate) use assess::ordinal;
/// The reference values by muscle: the one table the report, the web page
/// and `docs/reference-values.md` read.
pub use limits::TABLE as REFERENCE_VALUES;
pub use limits::{decrement_limit, lower_limit, reference_value, ReferenceValue};

use crate::model::{
    Interpretation, JitterReport, LemsCriterion, PartStatus, StudySeries, TestMeasures,
};
use crate::train::series::study_series;

/// Interpretation thresholds, with the defaults documented per field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InterpretConfig {
    /// A low-rate decrement above this is abnormal (default 10%, AAEM 2001).
    pub decrement_abnormal_pct: f64,
    /// An increment at or above this is suggestive of LEMS (default 60%,
    /// Oh 2005, Lipka 2020).
    pub increment_suggestive_pct: f64,
    /// An increment at or above this is specific for LEMS (default 100%).
    pub increment_specific_pct: f64,
    /// An increment from this up to the suggestive cut-off is equivocal
    /// (default 25%: AAEM 2001, a LEMS increment is at least 25%).
    pub increment_equivocal_pct: f64,
    /// Healthy muscle stays below this increment (default 40%, Norwegian
    /// guideline as cited by the project reference). An amplitude-only rise
    /// (pseudofacilitation) at or above it is a technical finding, not a
    /// discount.
    pub increment_healthy_max_pct: f64,
    /// Repeated low-rate trains at rest agree when their decrements lie
    /// within this many percentage points (default 5; nmjscope's own rule).
    pub reproducible_within_pp: f64,
    /// Hours without pyridostigmine the guideline asks for before a study
    /// (default 12, Norwegian guideline); fewer give a caveat.
    pub pyridostigmine_withhold_h: f64,
    /// A side's resting CMAP below this share of the other side's (same
    /// muscle) is asymmetric (default 50%; nmjscope's own rule).
    pub side_ratio_min_pct: f64,
    /// A resting CMAP more than this much smaller than the largest resting
    /// CMAP of the same muscle and side in the study's other tests was
    /// probably recorded with a submaximal stimulus (default 25%;
    /// nmjscope's own rule: a supramaximal CMAP of one muscle changes little
    /// within a session, and even between sessions, with the electrodes
    /// placed again, it varied by 15.6-19.8% in the one study cited in
    /// `docs/interpretation.md`).
    pub resting_cmap_margin_pct: f64,
    /// Limb temperature below which a normal low-rate result cannot be
    /// called normal (default 32 C, Norwegian guideline: the recording site
    /// above 32 C; a lab may set its own).
    pub min_temperature_c: f64,
    /// The low-rate train the decrement criterion holds for (Hz; default
    /// 2-5, AAEM 2001). A train outside it cannot exclude a decrement.
    pub low_rate_min_hz: f64,
    /// See `low_rate_min_hz`.
    pub low_rate_max_hz: f64,
    /// The high-rate train the increment criteria hold for (Hz; default
    /// 20-50: Oh 2005 used 50 Hz). A train outside it cannot exclude LEMS.
    pub high_rate_min_hz: f64,
    /// See `high_rate_min_hz`.
    pub high_rate_max_hz: f64,
    /// The exercise the increment criteria hold after (s; default 5-15:
    /// Hatanaka and Oh found 5 and 10 s equal, 30 s far smaller). An
    /// exercise outside it cannot exclude LEMS.
    pub exercise_min_s: f64,
    /// See `exercise_min_s`.
    pub exercise_max_s: f64,
    /// A decrement cut-off of a muscle's own (%), by muscle, replacing
    /// `decrement_abnormal_pct` for its trains. Empty by default: the
    /// built-in table's cut-offs (nasalis 8%, frontalis 7%: Abraham et al.
    /// 2017, specificity 95-96%) apply unless a muscle is given here.
    pub muscle_decrement_abnormal_pct: BTreeMap<String, f64>,
    /// Extra or overriding lower limits of normal CMAP amplitude by muscle
    /// (mV), e.g. `anconeus = 1.5`. Empty by default.
    pub lower_limits_mv: BTreeMap<String, f64>,
    /// The lab's own lower limits, by muscle, each with its source
    /// (`--limits FILE.toml`); they win over every other limit. Empty by
    /// default.
    pub lab_limits: BTreeMap<String, LabLimit>,
}

/// A lab's lower limit of normal for one muscle's CMAP amplitude.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabLimit {
    /// Lower limit of normal (mV).
    pub lower_limit_mv: f64,
    /// Where the limit comes from (the lab's normative study), as the
    /// report cites it.
    pub source: String,
}

impl InterpretConfig {
    /// The increment cut-offs (equivocal, suggestive, specific): a printed
    /// increment must not cross one by rounding.
    pub fn increment_cuts(&self) -> [f64; 3] {
        [
            self.increment_equivocal_pct,
            self.increment_suggestive_pct,
            self.increment_specific_pct,
        ]
    }
}

impl Default for InterpretConfig {
    fn default() -> Self {
        InterpretConfig {
            decrement_abnormal_pct: 10.0,
            increment_suggestive_pct: 60.0,
            increment_specific_pct: 100.0,
            increment_equivocal_pct: 25.0,
            increment_healthy_max_pct: 40.0,
            reproducible_within_pp: 5.0,
            pyridostigmine_withhold_h: 12.0,
            side_ratio_min_pct: 50.0,
            resting_cmap_margin_pct: 25.0,
            min_temperature_c: 32.0,
            low_rate_min_hz: 2.0,
            low_rate_max_hz: 5.0,
            high_rate_min_hz: 20.0,
            high_rate_max_hz: 50.0,
            exercise_min_s: 5.0,
            exercise_max_s: 15.0,
            muscle_decrement_abnormal_pct: BTreeMap::new(),
            lower_limits_mv: BTreeMap::new(),
            lab_limits: BTreeMap::new(),
        }
    }
}

/// A study read: its series of trains and its interpretation.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    /// The post-exercise series and repeated trains, read from the tests
    /// as judged.
    pub series: StudySeries,
    /// The interpretation.
    pub interpretation: Interpretation,
}

/// Interprets the measures of a study. Each test is judged first, once:
/// its verdict ([`crate::model::Validity`]) is stored on it, and every rule
/// after reads only that. `decrement_response` is the response the
/// decrement compares with the first (the protocol setting), so that a
/// train too short for it is reported as not tested with that reason.
pub fn interpret(
    tests: &mut [TestMeasures],
    decrement_response: usize,
    config: &InterpretConfig,
) -> Reading {
    interpret_study(tests, decrement_response, config, None, None)
}

/// [`interpret`], for a whole study: the record's `indication` (free
/// text, e.g. "suspected ALS") changes the wording and the order of the
/// differential, never a measurement or a grade; its `jitter`, judged on
/// its own ([`jitter`]), joins the pattern (`abnormal_jitter` where
/// repetitive stimulation established no abnormality), the summary, the
/// findings and the per-muscle readings.
pub fn interpret_study(
    tests: &mut [TestMeasures],
    decrement_response: usize,
    config: &InterpretConfig,
    indication: Option<&str>,
    jitter: Option<&JitterReport>,
) -> Reading {
    let k = decrement_response.max(2);
    let verdicts = validity::judge(tests, k, config);
    for (t, v) in tests.iter_mut().zip(verdicts) {
        t.validity = v;
    }
    let tests: &[TestMeasures] = tests;
    let series = study_series(tests);
    let decrement = assess::decrement_part(tests, config);
    let increment = assess::increment_part(tests, config);
    let jitter_part = jitter::jitter_part(jitter);
    let pattern = conclusion::with_jitter(
        conclusion::pattern(&decrement, &increment),
        (&decrement, &increment),
        &jitter_part.verdicts,
    );
    let lems_criterion = match increment.status {
        PartStatus::NotTested => LemsCriterion::NotTested,
        _ => increment.grade.unwrap_or(LemsCriterion::NotTested),
    };
    let (low_cmap, low_findings) = findings::low_cmap_findings(tests, config);
    let mut all = findings::increment_findings(tests, config);
    all.extend(findings::decrement_findings(tests, k, pattern, config));
    all.extend(findings::resting_cmap_findings(tests, config));
    all.extend(low_findings);
    all.extend(protocols::series_findings(&series, config));
    all.extend(findings::side_to_side(tests, config));
    all.extend(jitter.map(jitter::study_findings).unwrap_or_default());
    let recommendations =
        advice::recommendations(tests, pattern, &decrement, &increment, low_cmap, config);
    let mut caveats = advice::caveats(tests, pattern, &decrement, &increment, low_cmap, config);
    caveats.extend(muscles_without_limit(tests, config));
    caveats.extend(protocols::protocol_caveats(
        tests,
        &series,
        (&decrement, pattern),
        jitter.is_some(),
    ));
    let muscles = muscles::muscle_readings(tests, jitter, config);
    caveats.extend(jitter::study_caveats(jitter, &muscles, pattern));
    let first_cmap = muscles.iter().find_map(|m| m.resting_cmap_mv);
    let quantities = assess::quantities(tests, &series, &increment, first_cmap, config);
    let across = muscles::synthesis(&muscles, config);
    let parts = (&decrement, &increment);
    let asked = differential::read_indication(indication);
    let asked_words = differential::indication_sentence(asked, pattern, &increment);
    let extra = (across.as_deref(), asked_words.as_deref());
    let summary = conclusion::summary(pattern, parts, &jitter_part, low_cmap, extra, config);
    let differential = differential::differential(pattern, &increment, low_cmap, asked, config);
    Reading {
        series,
        interpretation: Interpretation {
            pattern,
            lems_criterion,
            decrement,
            increment,
            low_cmap,
            quantities,
            muscles,
            summary,
            findings: all,
            indication: asked,
            differential,
            recommendations,
            caveats,
        },
    }
}

/// A caveat naming the muscles whose resting amplitude could not be judged.
fn muscles_without_limit(tests: &[TestMeasures], config: &InterpretConfig) -> Option<String> {
    let mut names: Vec<String> = tests
        .iter()
        .filter_map(|t| t.muscle.clone())
        .filter(|m| limits::lower_limit(m, config).is_none())
        .collect();
    names.sort();
    names.dedup();
    (!names.is_empty()).then(|| {
        format!(
            "No lower limit of normal is on file for {}; the resting amplitude was not judged there (give the lab's limit with --limits FILE.toml).",
            names.join(", ")
        )
    })
}
