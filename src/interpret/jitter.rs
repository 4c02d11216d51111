//! Jitter judged: the reference limits by muscle, method, electrode and
//! age (published, or the lab's own in the thresholds file), a muscle's
//! figures and its verdict, and what a reader must know beside it.
//!
//! The rule, as the Norwegian guideline states it: "Jitter betraktes som
//! unormal dersom: 1) mean-MCD for 20 fiberpar er høyere enn øvre 95
//! %-grense; eller 2) jitterverdier i mer enn 10 % av fiberpar er høyere
//! enn øvre 95 %-grense for individuelle fiberpar" (mean above the limit,
//! or more than 10% of pairs above the pair limit). Bollu 2019 counts
//! pairs with "increased jitter or blocking" toward the 10%; so does
//! nmjscope.

use serde::Serialize;

use super::sources;
use crate::model::{
    Electrode, JitterFinding, JitterFindingCode, JitterLimits, JitterMethod, JitterReason,
    JitterVerdict, MuscleJitter, PairMeasures,
};
use crate::train::jitter::JitterConfig;

/// One row of the published reference table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct JitterReference {
    /// The muscle, as `canonical_muscle` names it.
    pub muscle: &'static str,
    /// Voluntary or stimulated.
    pub method: JitterMethod,
    /// Single-fibre or concentric needle.
    pub electrode: Electrode,
    /// The age band the row holds for (`None`: the source gives none).
    pub ages: Option<(u32, u32)>,
    /// Upper limit of the mean (µs).
    pub mean_us: f64,
    /// Upper limit of one pair (µs).
    pub pair_us: f64,
    /// The source key (`stalberg_2016_cne`, `gilchrist_1992_sfemg`).
    pub source: &'static str,
}

macro_rules! cne {
    ($m:literal, $method:ident, $mean:literal, $pair:literal) => {
        JitterReference {
            muscle: $m,
            method: JitterMethod::$method,
            electrode: Electrode::Concentric,
            ages: None,
            mean_us: $mean,
            pair_us: $pair,
            source: "stalberg_2016_cne",
        }
    };
}

macro_rules! sf {
    ($m:literal, $lo:literal, $hi:literal, $mean:literal, $pair:literal) => {
        JitterReference {
            muscle: $m,
            method: JitterMethod::Voluntary,
            electrode: Electrode::SingleFibre,
            ages: Some(($lo, $hi)),
            mean_us: $mean,
            pair_us: $pair,
            source: "gilchrist_1992_sfemg",
        }
    };
}

/// The published limits nmjscope judges by; each number was read in its
/// source (`docs/jitter.md`, "Criteria"). Stålberg et al. 2016 give no age
/// bands; the single-fibre values are by decade of age.
pub const JITTER_REFERENCE: &[JitterReference] = &[
    cne!("orbicularis oculi", Voluntary, 31.0, 45.0),
    cne!("orbicularis oculi", Stimulated, 27.0, 36.0),
    cne!("frontalis", Voluntary, 28.0, 38.0),
    cne!("frontalis", Stimulated, 21.0, 28.0),
    cne!("EDC", Voluntary, 30.0, 43.0),
    cne!("EDC", Stimulated, 24.0, 35.0),
    sf!("frontalis", 10, 19, 33.6, 49.7),
    sf!("frontalis", 20, 29, 33.9, 50.1),
    sf!("frontalis", 30, 39, 34.4, 51.3),
    sf!("frontalis", 40, 49, 35.5, 53.5),
    sf!("frontalis", 50, 59, 37.3, 57.5),
    sf!("frontalis", 60, 69, 40.0, 63.9),
    sf!("frontalis", 70, 79, 43.8, 74.1),
    sf!("orbicularis oculi", 10, 19, 39.8, 54.6),
    sf!("orbicularis oculi", 20, 29, 39.8, 54.7),
    sf!("orbicularis oculi", 30, 39, 40.0, 54.7),
    sf!("orbicularis oculi", 40, 49, 40.4, 54.8),
    sf!("orbicularis oculi", 50, 59, 40.9, 55.0),
    sf!("orbicularis oculi", 60, 69, 41.8, 55.3),
    sf!("orbicularis oculi", 70, 79, 43.0, 55.8),
    sf!("EDC", 10, 19, 34.9, 50.0),
    sf!("EDC", 20, 29, 34.9, 50.1),
    sf!("EDC", 30, 39, 35.1, 50.5),
    sf!("EDC", 40, 49, 35.4, 51.3),
    sf!("EDC", 50, 59, 35.9, 52.5),
    sf!("EDC", 60, 69, 36.6, 54.4),
    sf!("EDC", 70, 79, 37.7, 57.2),
    sf!("EDC", 80, 89, 39.1, 61.1),
    sf!("EDC", 90, 99, 40.9, 66.5),
];

/// A published row's citation.
pub fn jitter_source(key: &str) -> &'static str {
    match key {
        "stalberg_2016_cne" => sources::STALBERG_2016_CNE,
        "gilchrist_1992_sfemg" => sources::GILCHRIST_1992_SFEMG,
        _ => sources::TOOL_RULE,
    }
}

/// The muscle's name as the tables key it: the one key every muscle table
/// uses (`muscle_side_key`: canonical when known, else as written).
fn muscle_key(muscle: &str) -> String {
    crate::model::muscle_side_key(Some(muscle), None).0
}

/// The limits a muscle is judged by: the lab's own first, then the
/// published row for its method, electrode and age.
pub fn limits_for(
    muscle: &str,
    method: JitterMethod,
    electrode: Electrode,
    age: Option<f64>,
    config: &JitterConfig,
) -> Result<JitterLimits, JitterReason> {
    let key = muscle_key(muscle);
    if let Some(lab) = config
        .limits
        .iter()
        .find(|l| muscle_key(&l.muscle) == key && l.method == method && l.electrode == electrode)
    {
        return Ok(JitterLimits {
            mean_us: lab.mean_us,
            pair_us: lab.pair_us,
            source: format!("the lab's own limits: {}", lab.source),
            ages: None,
        });
    }
    let rows = reference_rows(muscle, method, electrode);
    if rows.is_empty() {
        return Err(JitterReason::NoReference);
    }
    let row = match rows.iter().find(|r| r.ages.is_none()) {
        Some(row) => row,
        None => {
            let age = age.ok_or(JitterReason::AgeNeeded)?;
            // An age past the last band is judged by the oldest band
            // (the limits only grow with age); one below the first, by
            // the youngest.
            rows.iter()
                .find(|r| {
                    r.ages
                        .is_some_and(|(lo, hi)| age >= f64::from(lo) && age < f64::from(hi) + 1.0)
                })
                .or_else(|| {
                    if age < 10.0 {
                        rows.first()
                    } else {
                        rows.last()
                    }
                })
                .ok_or(JitterReason::NoReference)?
        }
    };
    Ok(row_limits(row))
}

/// The published rows of a muscle, method and electrode (by age band for
/// single-fibre limits).
fn reference_rows(
    muscle: &str,
    method: JitterMethod,
    electrode: Electrode,
) -> Vec<&'static JitterReference> {
    let key = muscle_key(muscle);
    JITTER_REFERENCE
        .iter()
        .filter(|r| {
            r.muscle.to_lowercase() == key && r.method == method && r.electrode == electrode
        })
        .collect()
}

fn row_limits(row: &JitterReference) -> JitterLimits {
    JitterLimits {
        mean_us: row.mean_us,
        pair_us: row.pair_us,
        source: jitter_source(row.source).into(),
        ages: row.ages,
    }
}

/// A muscle's figures and verdict from its pairs' measures. Without an
/// age, single-fibre limits are tried band by band: when every band gives
/// the same verdict, that is the verdict (judged by the band that decides
/// it: the most lenient for abnormal, the strictest for normal).
pub fn judge_muscle(
    muscle: &str,
    side: Option<&str>,
    method: JitterMethod,
    electrode: Electrode,
    pairs: Vec<PairMeasures>,
    age: Option<f64>,
    config: &JitterConfig,
) -> MuscleJitter {
    let limits = limits_for(muscle, method, electrode, age, config);
    let mut judged = match limits {
        Err(JitterReason::AgeNeeded) => every_band(muscle, method, electrode, &pairs, config),
        _ => None,
    }
    .unwrap_or_else(|| assess(pairs, limits, config));
    judged.muscle = muscle.to_string();
    judged.side = side.map(str::to_string);
    judged.method = method;
    judged.electrode = electrode;
    judged
}

/// The verdict by every age band of a single-fibre muscle given no age,
/// when they all agree (`None` when they do not, or give no verdict).
fn every_band(
    muscle: &str,
    method: JitterMethod,
    electrode: Electrode,
    pairs: &[PairMeasures],
    config: &JitterConfig,
) -> Option<MuscleJitter> {
    let bands: Vec<MuscleJitter> = reference_rows(muscle, method, electrode)
        .into_iter()
        .filter(|r| r.ages.is_some())
        .map(|r| assess(pairs.to_vec(), Ok(row_limits(r)), config))
        .collect();
    let first = bands.first()?.verdict;
    if first == JitterVerdict::NotJudged || bands.iter().any(|b| b.verdict != first) {
        return None;
    }
    let mean_limit = |b: &MuscleJitter| b.limits.as_ref().map_or(0.0, |l| l.mean_us);
    let deciding = match first {
        JitterVerdict::Abnormal => bands
            .into_iter()
            .max_by(|a, b| mean_limit(a).total_cmp(&mean_limit(b))),
        _ => bands
            .into_iter()
            .min_by(|a, b| mean_limit(a).total_cmp(&mean_limit(b))),
    };
    deciding.map(|mut m| {
        m.reasons.push(JitterReason::EveryAgeBand);
        m
    })
}

/// A muscle's figures and verdict against `limits` (the name, side,
/// method and electrode are the caller's).
fn assess(
    mut pairs: Vec<PairMeasures>,
    limits: Result<JitterLimits, JitterReason>,
    config: &JitterConfig,
) -> MuscleJitter {
    let counted: Vec<f64> = pairs
        .iter()
        .filter(|p| p.counted)
        .filter_map(|p| p.jitter_us)
        .collect();
    let mean_jitter_us =
        (!counted.is_empty()).then(|| counted.iter().sum::<f64>() / counted.len() as f64);
    let pairs_blocking = pairs.iter().filter(|p| p.blocked > 0).count();
    let mut above = None;
    if let Ok(l) = &limits {
        for p in &mut pairs {
            p.above_pair_limit = p
                .counted
                .then(|| p.jitter_us.is_some_and(|j| j > l.pair_us));
        }
        above = Some(
            pairs
                .iter()
                .filter(|p| p.above_pair_limit == Some(true))
                .count(),
        );
    }
    // What the share rule counts (Bollu 2019: "increased jitter or
    // blocking"): the counted pairs, and the pairs not counted only because
    // they blocked too often to give a jitter (enough discharges recorded,
    // too few conducted); a pair too short to measure, or whose
    // measurement is in doubt, is not judged at all.
    let judged: Vec<&PairMeasures> = pairs
        .iter()
        .filter(|p| {
            p.counted
                || (p.blocked > 0
                    && p.discharges >= config.min_discharges
                    && !p.flags.iter().any(|f| f.doubts_measurement()))
        })
        .collect();
    let abnormal_pairs = judged
        .iter()
        .filter(|p| p.above_pair_limit == Some(true) || p.blocked > 0)
        .count();
    let counts = Counts {
        mean: mean_jitter_us,
        mean_judged: counted.len() >= config.min_pairs,
        judged: judged.len(),
        abnormal: abnormal_pairs,
        blocking: pairs_blocking,
    };
    let (verdict, reasons) = verdict(&limits, &counts, config);
    let n_pairs = pairs.len();
    MuscleJitter {
        muscle: String::new(),
        side: None,
        method: JitterMethod::Voluntary,
        electrode: Electrode::Concentric,
        counted: counted.len(),
        judged: counts.judged,
        abnormal_pairs,
        mean_jitter_us,
        mean_judged: counts.mean_judged,
        pairs_above_limit: above,
        above_limit_pct: above
            .filter(|_| !counted.is_empty())
            .map(|a| 100.0 * a as f64 / counted.len() as f64),
        pairs_blocking,
        blocking_pairs_pct: if n_pairs == 0 {
            0.0
        } else {
            100.0 * pairs_blocking as f64 / n_pairs as f64
        },
        pairs,
        limits: limits.ok(),
        verdict,
        reasons,
    }
}

/// A muscle's counts the verdict reads.
struct Counts {
    mean: Option<f64>,
    mean_judged: bool,
    judged: usize,
    abnormal: usize,
    blocking: usize,
}

/// The verdict and its reasons. The mean is judged over at least
/// `min_pairs` counted pairs, the share over at least `min_pairs` judged
/// pairs; with fewer, a muscle is still abnormal when its abnormal pairs
/// are already more than the allowed share of `min_pairs` (normal pairs
/// still to come could not bring it under), and never normal. Without
/// limits, blocking is still seen: blocking is abnormal in any muscle, so
/// a muscle whose blocking pairs alone pass the share rule is abnormal.
fn verdict(
    limits: &Result<JitterLimits, JitterReason>,
    c: &Counts,
    config: &JitterConfig,
) -> (JitterVerdict, Vec<JitterReason>) {
    let mut reasons = Vec::new();
    if c.blocking > 0 {
        reasons.push(JitterReason::Blocking);
    }
    let share = config.pairs_above_pct / 100.0;
    let pairs_high = c.abnormal as f64 > share * c.judged.max(config.min_pairs) as f64;
    let l = match limits {
        Ok(l) => l,
        Err(why) if pairs_high => {
            reasons.extend([JitterReason::PairsAbnormal, *why]);
            return (JitterVerdict::Abnormal, reasons);
        }
        Err(why) => {
            reasons.push(*why);
            return (JitterVerdict::NotJudged, reasons);
        }
    };
    let mean_high = c.mean_judged && c.mean.is_some_and(|m| m > l.mean_us);
    if mean_high {
        reasons.push(JitterReason::MeanAboveLimit);
    }
    if pairs_high {
        reasons.push(JitterReason::PairsAbnormal);
    }
    let v = if mean_high || pairs_high {
        JitterVerdict::Abnormal
    } else if c.mean_judged {
        JitterVerdict::Normal
    } else {
        reasons.push(JitterReason::TooFewPairs);
        JitterVerdict::NotJudged
    };
    (v, reasons)
}

/// The findings of a jitter study: each muscle's verdict with its figures,
/// then what a reader must weigh beside them, each with its source.
pub fn findings(
    muscles: &[MuscleJitter],
    age: Option<f64>,
    config: &JitterConfig,
) -> Vec<JitterFinding> {
    let mut out: Vec<JitterFinding> = muscles
        .iter()
        .flat_map(|m| muscle_findings(m, age, config))
        .collect();
    let general = |code, text: &str, source: &str| JitterFinding {
        code,
        muscle: None,
        text: text.to_string(),
        source: source.to_string(),
    };
    let any = |v: JitterVerdict| muscles.iter().any(|m| m.verdict == v);
    if any(JitterVerdict::Abnormal) {
        out.push(general(
            JitterFindingCode::NotSpecific,
            "Abnormal jitter shows impaired neuromuscular transmission but not its cause: it is also seen in diseases of nerve and muscle (ongoing reinnervation, motor neuron disease, neuropathy, myopathy) and after botulinum toxin; conventional EMG of the muscle should look for them before it is read as a junction disorder.",
            &format!("{}; {}", sources::AAEE_1986_SFEMG, sources::AANEM_MM74),
        ));
        out.push(general(
            JitterFindingCode::SiteNotShown,
            "Jitter does not tell a presynaptic from a postsynaptic disorder: it is often abnormal in both myasthenia gravis and Lambert-Eaton myasthenia. The increment after 10 s of exercise or at 20-50 Hz, and the resting CMAP, tell them apart; a low-rate decrement occurs in both.",
            &format!(
                "{}; {}; {}; {}",
                sources::JUEL_2019,
                sources::OH_2005,
                sources::ONEILL_1988,
                sources::SUN_LEMS
            ),
        ));
    }
    if any(JitterVerdict::Normal) {
        out.push(general(
            JitterFindingCode::NormalInWeakMuscle,
            "Normal jitter in a clinically weak muscle excludes a neuromuscular junction disorder as the cause of that muscle's weakness.",
            &format!("{}; {}", sources::JUEL_2019, sources::AAEE_1986_SFEMG),
        ));
    }
    if muscles.iter().any(|m| m.electrode == Electrode::Concentric) {
        out.push(general(
            JitterFindingCode::ConcentricNeedle,
            "Concentric-needle spikes are often summations of several single-fibre potentials (apparent single-fibre potentials), whose jitter is somewhat lower: they are judged by concentric-needle reference values, and spikes with a notch or shoulder should not be measured.",
            sources::AANEM_MM74,
        ));
    }
    out
}

/// A muscle's verdict sentence and its notes.
fn muscle_findings(
    m: &MuscleJitter,
    age: Option<f64>,
    config: &JitterConfig,
) -> Vec<JitterFinding> {
    let f = |code, text: String, source: String| JitterFinding {
        code,
        muscle: Some(m.muscle.clone()),
        text,
        source,
    };
    let rule = format!("{}; {}", sources::NFKNF_SFEMG_NORMALS, sources::BOLLU_2019);
    let mut out = vec![f(
        JitterFindingCode::MuscleVerdict,
        verdict_sentence(m, config),
        match &m.limits {
            Some(l) => format!("{}; {rule}", l.source),
            None => sources::TOOL_RULE.to_string(),
        },
    )];
    let trend = m
        .pairs
        .iter()
        .filter(|p| p.jitter_value == crate::model::JitterValue::Msd)
        .count();
    if trend > 0 {
        out.push(f(
            JitterFindingCode::RateTrend,
            format!("{trend} pair(s) had an MCD/MSD ratio above {}: the intervals varied with the firing (the inter-discharge interval), which inflates the MCD, and their MSD is used. Voluntary jitter includes interdischarge-interval-dependent jitter, which axonal stimulation avoids.", crate::words::number(config.trend_ratio)),
            format!("{}; the ratio rule and the MSD as nmjscope computes it: {}", sources::TRONTELJ_1992, sources::TOOL_RULE),
        ));
    }
    let excluded: Vec<String> = m
        .pairs
        .iter()
        .filter(|p| !p.counted)
        .map(|p| {
            let why: Vec<&str> = p
                .flags
                .iter()
                .filter(|f| f.excludes())
                .map(|f| flag_words(*f))
                .collect();
            format!("{} ({})", p.id, why.join("; "))
        })
        .collect();
    if !excluded.is_empty() {
        out.push(f(
            JitterFindingCode::PairsExcluded,
            format!(
                "{} of {} pairs are not counted: {}.",
                excluded.len(),
                m.pairs.len(),
                excluded.join(", ")
            ),
            format!(
                "{}; {}; the overlap, shape, noise and sampling rules: {}",
                sources::EKSTEDT_1974,
                sources::BOLLU_2019,
                sources::TOOL_RULE
            ),
        ));
    }
    out.extend(age_band_note(m, age).map(|text| {
        f(
            JitterFindingCode::AgeBand,
            text,
            sources::GILCHRIST_1992_SFEMG.into(),
        )
    }));
    out
}

/// Which single-fibre age band judged the muscle, or why none did.
fn age_band_note(m: &MuscleJitter, age: Option<f64>) -> Option<String> {
    if m.electrode != Electrode::SingleFibre {
        return None;
    }
    if m.reasons.contains(&JitterReason::AgeNeeded) {
        return Some("Single-fibre limits rise with age and no age was given, and the age bands do not agree on this muscle: it is not judged on its jitter (give `# age:` in a file of the study, or `nmjscope jitter --age`).".into());
    }
    let (lo, hi) = m.limits.as_ref().and_then(|l| l.ages)?;
    let verdict = match m.verdict {
        JitterVerdict::Abnormal => "abnormal even by the most lenient band",
        _ => "normal even by the strictest band",
    };
    Some(match age {
        _ if m.reasons.contains(&JitterReason::EveryAgeBand) => format!(
            "No age was given, and every age band's single-fibre limits give the same verdict: {verdict}, ages {lo}-{hi}, whose limits are shown."
        ),
        Some(a) if a < f64::from(lo) || a > f64::from(hi) + 1.0 => format!(
            "The age ({}) is outside the published bands: the limits of the nearest band, ages {lo}-{hi}, were used.",
            crate::words::number(a)
        ),
        _ => format!("Single-fibre limits for ages {lo}-{hi} were used."),
    })
}

/// "Jitter in EDC (concentric needle, voluntary) is abnormal: mean 52.1 µs
/// (limit 30), 8 of 20 pairs above 43 µs, 5 with blocking."
fn verdict_sentence(m: &MuscleJitter, config: &JitterConfig) -> String {
    // Enough decimals to keep a value on its side of the limit it is read
    // against (30.04 is not "30.0" beside a limit of 30).
    let limits: Vec<f64> = m
        .limits
        .iter()
        .flat_map(|l| [l.mean_us, l.pair_us])
        .collect();
    let us = |v: f64| crate::words::number_beside(v, 1, &limits);
    let head = format!(
        "Jitter in {} ({}, {})",
        muscle_label(m),
        electrode_words(m.electrode),
        method_words(m.method)
    );
    // A mean of fewer pairs than the mean criterion needs is not read
    // against its limit: the sentence says so.
    let few = !m.mean_judged;
    let mean = match (m.mean_jitter_us, few) {
        (None, _) => "no counted pair".to_string(),
        (Some(v), false) => format!("mean {} µs", us(v)),
        (Some(v), true) => format!(
            "mean {} µs of {} counted pairs, fewer than the {} the mean criterion needs",
            us(v),
            m.counted,
            config.min_pairs
        ),
    };
    let blocking = format!(
        "{} of {} pairs with blocking",
        m.pairs_blocking,
        m.pairs.len()
    );
    let figures = match &m.limits {
        Some(l) => format!(
            "{mean}{}; {} of {} judged pairs abnormal ({} of {} counted pairs above {} µs; {blocking})",
            if few { String::new() } else { format!(" (limit {})", crate::words::number(l.mean_us)) },
            m.abnormal_pairs,
            m.judged,
            m.pairs_above_limit.unwrap_or(0),
            m.counted,
            crate::words::number(l.pair_us)
        ),
        None => format!("{mean}; {blocking}"),
    };
    let verdict = match m.verdict {
        JitterVerdict::Normal => "is normal".to_string(),
        JitterVerdict::Abnormal if m.limits.is_none() => {
            "is abnormal by its blocking alone (no limits for its jitter)".to_string()
        }
        JitterVerdict::Abnormal => "is abnormal".to_string(),
        JitterVerdict::NotJudged if m.reasons.contains(&JitterReason::TooFewPairs) => format!(
            "is not judged: {} counted pairs, {} needed for a normal reading",
            m.counted, config.min_pairs
        ),
        JitterVerdict::NotJudged if m.reasons.contains(&JitterReason::AgeNeeded) => {
            "is not judged: single-fibre limits depend on age and none was given (`# age:` in a file of the study, or `nmjscope jitter --age`)".to_string()
        }
        JitterVerdict::NotJudged => "is not judged: no reference limits for this muscle, electrode and method (a lab's own can be set in its thresholds file, `docs/jitter.md`)".to_string(),
    };
    format!("{head} {verdict}: {figures}.")
}

/// What a study's jitter brings to its reading, for
/// `conclusion::with_jitter` and the summary: each muscle's verdict, the
/// muscles where it is abnormal, and each muscle's verdict sentence.
pub(crate) fn jitter_part(j: Option<&crate::model::JitterReport>) -> super::conclusion::JitterPart {
    let Some(j) = j else {
        return super::conclusion::JitterPart::default();
    };
    super::conclusion::JitterPart {
        verdicts: j.muscles.iter().map(|m| m.verdict).collect(),
        abnormal_in: j
            .muscles
            .iter()
            .filter(|m| m.verdict == JitterVerdict::Abnormal)
            .map(muscle_label)
            .collect(),
        not_judged_in: j
            .muscles
            .iter()
            .filter(|m| m.verdict == JitterVerdict::NotJudged)
            .map(muscle_label)
            .collect(),
        sentences: verdict_findings(j).map(|f| f.text.clone()).collect(),
    }
}

/// What a study's reader must weigh beside its jitter: a normal jitter
/// answers for the muscle it was recorded from (Juel 2019; AAEE 1986), and
/// a normal jitter beside an abnormal decrement of the same muscle and side
/// is discordant (nmjscope's own rule: jitter is the more sensitive test,
/// AAEM 2001), unless the reading is presynaptic.
pub(crate) fn study_caveats(
    j: Option<&crate::model::JitterReport>,
    muscles: &[crate::model::MuscleReading],
    pattern: crate::model::Pattern,
) -> Vec<String> {
    let Some(j) = j else {
        return Vec::new();
    };
    let of = |v: JitterVerdict| -> Vec<String> {
        j.muscles
            .iter()
            .filter(|m| m.verdict == v)
            .map(muscle_label)
            .collect()
    };
    let normal = of(JitterVerdict::Normal);
    let mut out = Vec::new();
    if !normal.is_empty() {
        out.push(format!(
            "Jitter is normal in {}: in a clinically weak muscle, normal jitter excludes a neuromuscular junction disorder as the cause of that muscle's weakness; it says nothing of muscles not tested ({}; {}).",
            normal.join(", "),
            sources::JUEL_2019,
            sources::AAEE_1986_SFEMG
        ));
    }
    let discordant: Vec<String> = muscles
        .iter()
        .filter(|m| {
            m.decrement.valid_grade() == Some(crate::model::DecrementGrade::Abnormal)
                && !m.jitter.is_empty()
                && JitterVerdict::worst(m.jitter.iter().map(|b| b.verdict)) == JitterVerdict::Normal
        })
        .map(super::muscles::label)
        .collect();
    if !discordant.is_empty() && pattern != crate::model::Pattern::Presynaptic {
        out.push(format!(
            "The findings are discordant: an abnormal decrement with normal jitter in the same muscle, {} (jitter is the more sensitive test: {}). Check the decrement's technique and that it reproduces, and consider causes other than a junction disorder (nmjscope's own reading).",
            discordant.join(", "),
            sources::AAEM_2001
        ));
    }
    out
}

/// Each muscle's jitter verdict as a finding of the study's reading, with
/// the rule and the source of its limits.
pub(crate) fn study_findings(j: &crate::model::JitterReport) -> Vec<crate::model::Finding> {
    let rule = format!(
        "mean jitter above its limit, or more than {}% of the judged pairs above the pair limit or blocking",
        crate::words::number(j.settings.pairs_above_pct)
    );
    verdict_findings(j)
        .map(|f| crate::model::Finding {
            code: crate::model::FindingCode::Jitter,
            text: f.text.clone(),
            criterion: rule.clone(),
            source: f.source.clone(),
        })
        .collect()
}

fn verdict_findings(j: &crate::model::JitterReport) -> impl Iterator<Item = &JitterFinding> {
    j.findings
        .iter()
        .filter(|f| f.code == JitterFindingCode::MuscleVerdict)
}

/// "frontalis (right)", "EDC"; "Left EDC" when the name says the side.
pub(crate) fn muscle_label(m: &MuscleJitter) -> String {
    match &m.side {
        Some(side) if !m.muscle.to_lowercase().contains(side.as_str()) => {
            format!("{} ({side})", m.muscle)
        }
        _ => m.muscle.clone(),
    }
}

/// Why a flag keeps a pair out, in words.
fn flag_words(f: crate::model::PairFlag) -> &'static str {
    use crate::model::PairFlag as F;
    match f {
        F::TooFewDischarges => "too few conducted discharges",
        F::Overlap => "its potentials overlap, or another comes too close",
        F::ShapeChange => "a potential changes shape",
        F::FiringRateTrend => "irregular firing inflated its MCD (its MSD used)",
        F::MostlyBlocked => "more blocked than conducted discharges",
        F::BelowFloor => "jitter under the floor: split fibres or direct muscle stimulation",
        F::LowSignal => "potentials too small beside the noise",
        F::NoSecondPotential => "no second potential in any sweep",
        F::CoarseSampling => "sampled below 20 kHz",
    }
}

/// The electrode in words.
pub fn electrode_words(e: Electrode) -> &'static str {
    match e {
        Electrode::SingleFibre => "single-fibre electrode",
        Electrode::Concentric => "concentric needle",
    }
}

/// The method in words.
pub fn method_words(m: JitterMethod) -> &'static str {
    match m {
        JitterMethod::Voluntary => "voluntary activation",
        JitterMethod::Stimulated => "axonal stimulation",
    }
}
