//! The per-muscle table every human format prints first under the
//! conclusion: one row per muscle and side, its resting CMAP against its
//! limit, the decrement and increment that decided its reading (with the
//! file), and that reading. Words come from the same helpers as the rest
//! of the view, so a number reads the same here as in the findings.

use serde::Serialize;

use crate::model::{JitterVerdict, LemsCriterion, MuscleReading, Part, PartStatus, Report};
use crate::words::{mv, number, pct_beside, signed_pct_beside};

/// The columns of the table.
pub(crate) const MUSCLE_COLUMNS: [&str; 7] = [
    "Muscle",
    "Nerve",
    "Side",
    "Resting CMAP (mV)",
    "Decrement",
    "Increment",
    "Reading",
];

/// The table: its rows, one per muscle and side.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct MuscleTable {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// The table of a report (empty rows when no test names a muscle and the
/// study has none), with a jitter column before the reading when the study
/// recorded jitter.
pub(crate) fn muscle_table(report: &Report) -> MuscleTable {
    let muscles = &report.interpretation.muscles;
    let with_jitter = muscles.iter().any(|m| !m.jitter.is_empty());
    let mut columns: Vec<String> = MUSCLE_COLUMNS.iter().map(|c| c.to_string()).collect();
    if with_jitter {
        columns.insert(columns.len() - 1, "Jitter".to_string());
    }
    let rows = muscles
        .iter()
        .map(|m| {
            let mut r = row(m, &report.settings.interpret);
            if with_jitter {
                r.insert(r.len() - 1, jitter(m));
            }
            r
        })
        .collect();
    MuscleTable { columns, rows }
}

/// A muscle's jitter in a cell: per method and electrode, the mean against
/// its limit, the abnormal pairs and the verdict ("mean 48.2 µs (limit
/// 34), 7 of 20 pairs abnormal: abnormal, concentric needle, voluntary
/// activation").
fn jitter(m: &MuscleReading) -> String {
    if m.jitter.is_empty() {
        return "not tested".to_string();
    }
    let cells: Vec<String> = m
        .jitter
        .iter()
        .map(|j| {
            let limits: Vec<f64> = j.limit_mean_us.into_iter().collect();
            let few = !j.mean_judged;
            let mean = match j.mean_jitter_us {
                None => "no counted pair".to_string(),
                Some(v) if few => format!(
                    "mean {} µs of {} counted pairs (too few for the mean criterion)",
                    crate::words::number_beside(v, 1, &limits),
                    j.counted
                ),
                Some(v) => format!(
                    "mean {} µs{}",
                    crate::words::number_beside(v, 1, &limits),
                    j.limit_mean_us
                        .map_or(String::new(), |l| format!(" (limit {})", number(l)))
                ),
            };
            let verdict = match j.verdict {
                JitterVerdict::Normal => "normal",
                JitterVerdict::Abnormal => "abnormal",
                JitterVerdict::NotJudged => "not judged",
            };
            format!(
                "{verdict}: {mean}, {} of {} judged pairs abnormal; {}, {}",
                j.abnormal_pairs,
                j.judged,
                crate::interpret::jitter::electrode_words(j.electrode),
                crate::interpret::jitter::method_words(j.method)
            )
        })
        .collect();
    cells.join("; ")
}

fn row(m: &MuscleReading, c: &crate::interpret::InterpretConfig) -> Vec<String> {
    let dash = || "-".to_string();
    vec![
        m.muscle
            .clone()
            .unwrap_or_else(|| "not recorded".to_string()),
        m.nerve.clone().unwrap_or_else(dash),
        m.side.clone().unwrap_or_else(dash),
        resting(m),
        decrement(&m.decrement, c.decrement_abnormal_pct),
        increment(&m.increment, c),
        reading(m),
    ]
}

/// A muscle's reading in words; a muscle only jitter was recorded from
/// and not found abnormal says what it has, not what it lacks.
fn reading(m: &MuscleReading) -> String {
    let no_rns =
        m.decrement.status == PartStatus::NotTested && m.increment.status == PartStatus::NotTested;
    if no_rns && !m.jitter.is_empty() && m.pattern != crate::model::Pattern::AbnormalJitter {
        let normal =
            JitterVerdict::worst(m.jitter.iter().map(|j| j.verdict)) == JitterVerdict::Normal;
        let what = if normal {
            "normal jitter"
        } else {
            "jitter not judged"
        };
        return format!("{what}; no repetitive stimulation of this muscle");
    }
    super::view::pattern_words(m.pattern).to_string()
}

fn resting(m: &MuscleReading) -> String {
    let Some(a) = m.resting_cmap_mv else {
        return "not measured".to_string();
    };
    match (m.lower_limit_mv, m.low_cmap) {
        (Some(l), Some(true)) => format!("{}, low (limit {})", mv(a), number(l)),
        (Some(l), _) => format!("{} (limit {})", mv(a), number(l)),
        (None, _) => format!("{} (no limit on file)", mv(a)),
    }
}

/// How a part's value stands, in the few words a table cell holds.
fn standing(p: &Part<impl Copy>) -> &'static str {
    match p.status {
        PartStatus::Measured => "",
        PartStatus::Inconclusive => ", cannot exclude",
        PartStatus::Unreliable => ", not relied on",
        PartStatus::NotTested => "",
    }
}

fn file(p: &Part<impl Copy>) -> String {
    match (&p.file, &p.file_note) {
        (Some(f), Some(n)) => format!(" in {f} ({n})"),
        (Some(f), None) => format!(" in {f}"),
        _ => String::new(),
    }
}

fn decrement(p: &Part<crate::model::DecrementGrade>, study_cut_pct: f64) -> String {
    let Some(v) = p.value_pct.filter(|_| p.status != PartStatus::NotTested) else {
        return "not tested".to_string();
    };
    let cut = p.limit_pct.unwrap_or(study_cut_pct);
    let grade = match p.grade {
        Some(crate::model::DecrementGrade::Abnormal) => format!("abnormal (> {}%)", number(cut)),
        _ => format!("normal (<= {}%)", number(cut)),
    };
    format!(
        "{}, {grade}{}{}",
        pct_beside(v, 1, &[cut]),
        standing(p),
        file(p)
    )
}

fn increment(p: &Part<LemsCriterion>, c: &crate::interpret::InterpretConfig) -> String {
    let Some(v) = p.value_pct.filter(|_| p.status != PartStatus::NotTested) else {
        return "not tested".to_string();
    };
    let cuts = c.increment_cuts();
    let grade = match (p.pseudofacilitation, p.grade) {
        (true, _) => "pseudofacilitation, not counted".to_string(),
        (_, Some(LemsCriterion::Specific)) => {
            format!("specific (>= {}%)", number(c.increment_specific_pct))
        }
        (_, Some(LemsCriterion::Suggestive)) => {
            format!("suggestive (>= {}%)", number(c.increment_suggestive_pct))
        }
        (_, Some(LemsCriterion::Equivocal)) => format!(
            "equivocal ({}-{}%)",
            number(c.increment_equivocal_pct),
            number(c.increment_suggestive_pct)
        ),
        _ => format!("none (< {}%)", number(c.increment_equivocal_pct)),
    };
    format!(
        "{}, {grade}{}{}",
        signed_pct_beside(v, &cuts),
        standing(p),
        file(p)
    )
}

/// The reference table (`interpret::REFERENCE_VALUES`) as the Markdown
/// block `docs/reference-values.md` holds (a test keeps the two equal).
pub fn reference_values_markdown() -> String {
    let mut s = String::from(
        "| muscle | nerve | lower limit (mV) | mean ± SD (mV) | decrement cut-off | depends on | source of the limit | other sources |\n|---|---|---|---|---|---|---|---|\n",
    );
    for r in crate::interpret::REFERENCE_VALUES {
        let limit = r
            .lower_limit_mv
            .map_or("none published".to_string(), number);
        let mean = r.mean_sd_mv.map_or("-".to_string(), |(m, sd)| {
            format!("{} ± {}", number(m), number(sd))
        });
        let cut = r
            .decrement_abnormal_pct
            .map_or("study-wide".to_string(), |v| format!("> {}%", number(v)));
        let depends = if r.depends_on.is_empty() {
            "-"
        } else {
            r.depends_on
        };
        let others: Vec<String> = [("mean", r.mean_source), ("cut-off", r.decrement_source)]
            .into_iter()
            .filter_map(|(what, s)| Some(format!("{what}: {}", s?)))
            .collect();
        let others = if others.is_empty() {
            "-".to_string()
        } else {
            others.join("; ")
        };
        s.push_str(&format!(
            "| {} | {} | {limit} | {mean} | {cut} | {depends} | {} | {others} |\n",
            r.muscle, r.nerve, r.source
        ));
    }
    s
}
