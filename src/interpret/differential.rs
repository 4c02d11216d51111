//! The differential diagnosis of a pattern: which conditions fit what was
//! found, most likely first, each with its source; and what the question
//! the study was asked (`indication`) changes in the wording. Nothing here
//! measures or grades: the pattern and the parts are decided before.

use super::sources;
use super::InterpretConfig;
use crate::model::{Condition, Differential, Indication, LemsCriterion, Part, PartStatus, Pattern};
use crate::words::{number, signed_pct0};

/// Botulism's increment is "most often" this large (20-60%, Norwegian
/// guideline, presynaptic disorders): an increment in this band with a
/// normal resting CMAP names botulism first.
const BOTULISM_INCREMENT_PCT: (f64, f64) = (20.0, 60.0);

/// Words that turn a clause of an indication into what is not asked
/// ("ALS excluded", "no evidence of LEMS").
const NEGATIONS: [&str; 9] = [
    "excluded", "no", "not", "without", "negative", "ruled", "unlikely", "exclude", "non",
];

/// Reads the question from the record's `indication` (case and spelling
/// of the common forms ignored); `None` when none was given. Clauses
/// (split at `;`, `,`, `/` and "or") that negate are skipped; clauses that
/// ask about different conditions ask nothing one can act on: `Other`.
pub(crate) fn read_indication(text: Option<&str>) -> Option<Indication> {
    let t = text?.to_lowercase();
    let negated = |c: &&str| {
        c.split(|ch: char| !ch.is_alphanumeric())
            .any(|w| NEGATIONS.contains(&w))
    };
    let mut asked: Vec<Indication> = t
        .split([';', ',', '/', '\n'])
        .flat_map(|c| c.split(" or "))
        .filter(|c| !negated(c))
        .map(clause)
        .filter(|i| *i != Indication::Other)
        .collect();
    asked.dedup();
    Some(match asked.as_slice() {
        [one] => *one,
        _ => Indication::Other,
    })
}

/// The condition one clause of an indication names.
fn clause(t: &str) -> Indication {
    let has = |w: &[&str]| w.iter().any(|x| t.contains(x));
    let word = |w: &str| t.split(|c: char| !c.is_alphanumeric()).any(|x| x == w);
    if has(&["lambert", "eaton"]) || word("lems") {
        Indication::SuspectedLems
    } else if has(&["botul"]) {
        Indication::SuspectedBotulism
    } else if has(&["amyotrophic", "motor neuron", "motor neurone"]) || word("als") || word("mnd") {
        Indication::SuspectedMnd
    } else if has(&["myasthen"]) || word("mg") {
        Indication::SuspectedMg
    } else {
        Indication::Other
    }
}

fn item(condition: Condition, text: String, source: &str) -> Differential {
    Differential {
        condition,
        text,
        source: source.to_string(),
    }
}

/// The increment that stands, in the botulism band, with a resting CMAP
/// judged normal.
fn botulism_like(inc: &Part<LemsCriterion>, low_cmap: Option<bool>) -> bool {
    let v = inc.value_pct.unwrap_or(0.0);
    inc.status == PartStatus::Measured
        && !inc.pseudofacilitation
        && (BOTULISM_INCREMENT_PCT.0..BOTULISM_INCREMENT_PCT.1).contains(&v)
        && low_cmap == Some(false)
}

fn botulism(inc: &Part<LemsCriterion>, low_cmap: Option<bool>) -> Differential {
    let lead = if botulism_like(inc, low_cmap) {
        format!(
            "Botulism: an increment of {} with a normal resting CMAP is what botulism most often gives",
            signed_pct0(inc.value_pct.unwrap_or(0.0))
        )
    } else {
        "Botulism".to_string()
    };
    item(
        Condition::Botulism,
        format!("{lead}: the increment is usually smaller than in LEMS (20-60%), the CMAP may be normal, and exhaustion is not prominent; test several muscles, over several days if needed."),
        &format!("{}; {}", sources::NFKNF_BOTULISM, sources::CHERINGTON_1982),
    )
}

fn presynaptic_others() -> [Differential; 2] {
    [
        item(
            Condition::MagnesiumOrDrugs,
            "Hypermagnesaemia (magnesium blocks calcium entry at the nerve terminal and resembles LEMS) and drugs that reduce acetylcholine release, aminoglycosides among them: check the serum magnesium and the drug list.".to_string(),
            &format!("{}; {}", sources::MGFA_DRUGS, sources::MILLER_ANTIBIOTICS),
        ),
        item(
            Condition::CongenitalMyasthenic,
            "A presynaptic congenital myasthenic syndrome, in lifelong or familial weakness: facilitation occurs with VAMP1, UNC13A, SYT2, AGRN and LAMA5 mutations.".to_string(),
            sources::NICOLAU_MILONE_2019,
        ),
    ]
}

fn lems(c: &InterpretConfig) -> Differential {
    item(
        Condition::Lems,
        format!(
            "Lambert-Eaton myasthenic syndrome: an increment of {}% or more after 10 s of exercise or at 20-50 Hz in 97% of 34 patients; the resting CMAP is usually low (below the lower limit in 48 of 50 patients in one series).",
            number(c.increment_suggestive_pct)
        ),
        &format!("{}; {}", sources::OH_2005, sources::ONEILL_1988),
    )
}

/// The conditions a decrement fits.
fn decrement_conditions(p: Pattern, c: &InterpretConfig) -> Vec<Differential> {
    let mut out = vec![item(
        Condition::MyastheniaGravis,
        "Myasthenia gravis: a decrement at 2-5 Hz, largest by the 4th-5th response, with little increment; facilitation right after exercise and exhaustion 3-4 minutes after.".to_string(),
        sources::NFKNF_MG_FINDINGS,
    )];
    if p == Pattern::NmjUnspecified {
        let mut l = lems(c);
        l.text.push_str(
            " A low-rate decrement is common in LEMS too: the increment test tells them apart.",
        );
        out.push(l);
    }
    out.extend([
        item(
            Condition::CongenitalMyasthenic,
            "Congenital myasthenic syndromes, in lifelong or familial weakness: most show a decrement at low rates.".to_string(),
            &format!("{}; {}", sources::FINSTERER_2019, sources::NICOLAU_MILONE_2019),
        ),
        item(
            Condition::MotorNeuronDisease,
            "Motor neuron disease: a decrement of 10% or more in at least one muscle in 41% of 150 patients with ALS (20% or more in 11%).".to_string(),
            sources::SHANG_2020,
        ),
        item(
            Condition::NeuropathyOrMyopathy,
            "Neuropathies and myopathies also impair transmission: a decrement is specific for a junction disorder only once a nerve conduction study and needle EMG have excluded them.".to_string(),
            sources::LEGEHANDBOKA_RNS,
        ),
        item(
            Condition::Myotonia,
            "Myotonic disorders: the CMAP falls after brief exercise and at high rates; myotonia on needle EMG tells them apart.".to_string(),
            sources::TAN_2011,
        ),
    ]);
    out
}

/// The conditions an abnormal jitter fits when repetitive stimulation
/// established no abnormality: myasthenia gravis first, LEMS while the
/// increment test has not excluded it (first when it was equivocal, or
/// the resting CMAP low), then the diseases of nerve and muscle.
fn jitter_conditions(
    inc: &Part<LemsCriterion>,
    low_cmap: Option<bool>,
    c: &InterpretConfig,
) -> Vec<Differential> {
    let mut out = vec![item(
        Condition::MyastheniaGravis,
        "Myasthenia gravis: jitter studies are more sensitive than repetitive stimulation and often abnormal in muscles that are not weak, so an abnormal jitter fits it whether or not a decrement is found; antibodies and the clinical picture decide.".to_string(),
        &format!("{}; {}", sources::AAEM_2001, sources::JUEL_2019),
    )];
    let excluded = inc.status == PartStatus::Measured && inc.grade == Some(LemsCriterion::None);
    if !excluded {
        let mut l = lems(c);
        l.text.push_str(&format!(
            " Jitter is abnormal in LEMS too ({}): the increment test tells them apart.",
            sources::JUEL_2019
        ));
        let first = inc.grade == Some(LemsCriterion::Equivocal) || low_cmap == Some(true);
        out.insert(usize::from(!first), l);
    }
    out.extend([
        item(
            Condition::MotorNeuronDisease,
            "Motor neuron disease and other causes of ongoing reinnervation raise jitter: needle EMG shows them.".to_string(),
            &format!("{}; {}", sources::AANEM_MM74, sources::AAEE_1986_SFEMG),
        ),
        item(
            Condition::NeuropathyOrMyopathy,
            "Neuropathies and some myopathies raise jitter too, and so do botulinum toxin injections: a nerve conduction study, needle EMG and the history tell; with one of them present, abnormal jitter does not show that myasthenia gravis is present as well.".to_string(),
            &format!("{}; {}", sources::AAEE_1986_SFEMG, sources::AANEM_MM74),
        ),
    ]);
    out
}

/// What else lowers a resting CMAP when transmission was not shown to be
/// abnormal.
fn low_cmap_conditions(inc: &Part<LemsCriterion>, c: &InterpretConfig) -> Vec<Differential> {
    let mut out = vec![
        item(
            Condition::AxonLoss,
            "Axon loss (a neuropathy, motor neuron disease) or a conduction block lowers the CMAP: a nerve conduction study and needle EMG tell.".to_string(),
            sources::MALLIK_WEIR_2005,
        ),
        item(
            Condition::Technique,
            "Technique: a submaximal stimulus or a recording electrode off the motor point gives a small CMAP; check both before reading it as low.".to_string(),
            sources::CARESS_2007,
        ),
    ];
    // A valid increment test has looked for LEMS already.
    if inc.status != PartStatus::Measured {
        let mut l = lems(c);
        l.text.push_str(
            " A low CMAP may be its first sign: an increment test is needed to exclude it.",
        );
        out.insert(0, l);
    }
    out
}

/// The differential of a study's pattern, most likely first, the
/// condition the indication asks about moved to the front.
pub(crate) fn differential(
    p: Pattern,
    inc: &Part<LemsCriterion>,
    low_cmap: Option<bool>,
    indication: Option<Indication>,
    c: &InterpretConfig,
) -> Vec<Differential> {
    let mut out = match p {
        Pattern::Presynaptic => {
            let mut v = vec![lems(c), botulism(inc, low_cmap)];
            // LEMS's resting CMAP is usually low; botulism's may be normal.
            if low_cmap == Some(false) {
                v.swap(0, 1);
            }
            v.extend(presynaptic_others());
            v
        }
        Pattern::Equivocal => {
            let mut v = vec![botulism(inc, low_cmap), lems(c)];
            if !botulism_like(inc, low_cmap) {
                v.swap(0, 1);
            }
            v.extend(presynaptic_others());
            v
        }
        Pattern::Postsynaptic | Pattern::NmjUnspecified => decrement_conditions(p, c),
        Pattern::AbnormalJitter => jitter_conditions(inc, low_cmap, c),
        Pattern::Normal | Pattern::Incomplete if low_cmap == Some(true) => {
            low_cmap_conditions(inc, c)
        }
        _ if botulism_like(inc, low_cmap) => vec![botulism(inc, low_cmap)],
        _ => Vec::new(),
    };
    if let Some(asked) = indication.and_then(asked_condition) {
        if let Some(i) = out.iter().position(|d| d.condition == asked) {
            let d = out.remove(i);
            out.insert(0, d);
        }
    }
    out
}

/// The condition an indication asks about.
fn asked_condition(i: Indication) -> Option<Condition> {
    match i {
        Indication::SuspectedMg => Some(Condition::MyastheniaGravis),
        Indication::SuspectedLems => Some(Condition::Lems),
        Indication::SuspectedBotulism => Some(Condition::Botulism),
        Indication::SuspectedMnd => Some(Condition::MotorNeuronDisease),
        Indication::Other => None,
    }
}

/// What the question asked changes in the summary: one sentence after the
/// headline, or none.
pub(crate) fn indication_sentence(
    indication: Option<Indication>,
    p: Pattern,
    inc: &Part<LemsCriterion>,
) -> Option<String> {
    let decrement = matches!(p, Pattern::Postsynaptic | Pattern::NmjUnspecified);
    match indication? {
        Indication::SuspectedMnd if decrement => Some(format!(
            "The study was asked for suspected motor neuron disease, in which a decrement is common (10% or more in 41% of 150 patients with ALS: {}): the decrement does not by itself indicate myasthenia gravis, and needle EMG decides.",
            sources::SHANG_2020
        )),
        Indication::SuspectedLems if inc.status != PartStatus::Measured => Some(
            "The study was asked for suspected LEMS, and the test that answers it, an increment after 10 s of exercise or at 20-50 Hz, has not given a result that can be relied on.".to_string(),
        ),
        Indication::SuspectedBotulism => Some(format!(
            "The study was asked for suspected botulism: its increment is often small (20-60%) or absent when severe, so test several muscles, over several days if needed ({}).",
            sources::NFKNF_BOTULISM
        )),
        Indication::SuspectedMg if p == Pattern::Presynaptic => Some(
            "The study was asked for suspected myasthenia gravis; the findings point to a presynaptic disorder, as in LEMS, instead.".to_string(),
        ),
        Indication::SuspectedLems if p == Pattern::Postsynaptic => Some(
            "The study was asked for suspected LEMS; an increment was looked for and not found, and the decrement points to a postsynaptic disorder.".to_string(),
        ),
        Indication::SuspectedMnd if p == Pattern::AbnormalJitter => Some(format!(
            "The study was asked for suspected motor neuron disease, in which ongoing reinnervation raises jitter ({}): the abnormal jitter does not by itself indicate a junction disorder, and needle EMG decides.",
            sources::AANEM_MM74
        )),
        Indication::SuspectedMnd if !decrement => Some(
            "The study was asked for suspected motor neuron disease, which repetitive stimulation does not test for: needle EMG decides.".to_string(),
        ),
        Indication::SuspectedMg if p == Pattern::AbnormalJitter => Some(
            "The study was asked for suspected myasthenia gravis; the abnormal jitter fits it without proving it: it does not tell myasthenia gravis from LEMS, nor from diseases of nerve and muscle (see the differential).".to_string(),
        ),
        Indication::SuspectedMg if p == Pattern::Normal || p == Pattern::Incomplete => Some(
            "The study was asked for suspected myasthenia gravis; a normal repetitive stimulation study does not exclude it (see the recommendations).".to_string(),
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indications_are_read_from_common_wordings() {
        let read = |s: &str| read_indication(Some(s));
        assert_eq!(read("Suspected ALS"), Some(Indication::SuspectedMnd));
        assert_eq!(
            read("motor neurone disease?"),
            Some(Indication::SuspectedMnd)
        );
        assert_eq!(read("?LEMS, SCLC"), Some(Indication::SuspectedLems));
        assert_eq!(
            read("Lambert-Eaton myasthenic syndrome"),
            Some(Indication::SuspectedLems)
        );
        assert_eq!(read("ocular myasthenia"), Some(Indication::SuspectedMg));
        assert_eq!(read("query MG"), Some(Indication::SuspectedMg));
        assert_eq!(read("infant botulism"), Some(Indication::SuspectedBotulism));
        // "falls" holds "als", "smg" holds "mg": whole words only.
        assert_eq!(read("falls, weakness"), Some(Indication::Other));
        // A negated clause asks nothing; two conditions ask nothing one
        // can act on.
        assert_eq!(read("ALS excluded; ?MG"), Some(Indication::SuspectedMg));
        assert_eq!(
            read("no evidence of LEMS, ?myasthenia"),
            Some(Indication::SuspectedMg)
        );
        assert_eq!(read("MG or LEMS?"), Some(Indication::Other));
        assert_eq!(read("not ALS"), Some(Indication::Other));
        assert_eq!(read_indication(None), None);
    }
}
