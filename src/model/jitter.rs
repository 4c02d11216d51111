//! Jitter: the types every stage of the single-fibre and concentric-needle
//! jitter analysis shares. A pair's discharges (read from an
//! interpotential-interval list or measured from raw sweeps), its measures
//! and flags, a muscle's summary and its judgement against a reference.

use ndarray::Array2;
use serde::{Deserialize, Serialize};

/// How the potentials were made to fire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum JitterMethod {
    /// A slight voluntary contraction; the interval is between two
    /// potentials of one motor unit (two end plates).
    Voluntary,
    /// Axonal stimulation; the interval is from the stimulus to one
    /// potential (one end plate).
    Stimulated,
}

impl JitterMethod {
    /// Every method, as a flag's possible values list them.
    pub const ALL: &'static [JitterMethod] = &[JitterMethod::Voluntary, JitterMethod::Stimulated];
}

/// The recording electrode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Electrode {
    /// A single-fibre EMG electrode (25 µm recording surface).
    SingleFibre,
    /// A concentric (or facial) needle electrode, with a high-pass filter
    /// that leaves apparent single-fibre potentials.
    Concentric,
}

impl Electrode {
    /// Every electrode, as a flag's possible values list them.
    pub const ALL: &'static [Electrode] = &[Electrode::SingleFibre, Electrode::Concentric];
}

/// One discharge of a pair: its interpotential interval, or none when the
/// second potential (voluntary) or the potential (stimulated) was blocked.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Discharge {
    /// Interpotential interval (voluntary) or latency from the stimulus
    /// (stimulated), in microseconds; `None`: blocked.
    pub ipi_us: Option<f64>,
    /// The interval from the previous discharge of the motor unit (the
    /// inter-discharge interval), in milliseconds, when known: the key the
    /// sorted difference (MSD) orders by.
    pub isi_ms: Option<f64>,
}

/// A pair's discharges with what was recorded about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JitterPair {
    /// The pair's name as the file gives it (`1`, `p03`).
    pub id: String,
    /// The muscle, as written (canonicalised where it is looked up).
    pub muscle: String,
    /// The side (`left`, `right`), from a `side` column or metadata line,
    /// or a side word in the muscle's name ("Left EDC"); the two sides of
    /// one muscle are judged apart.
    #[serde(default)]
    pub side: Option<String>,
    /// Voluntary or stimulated.
    pub method: JitterMethod,
    /// Single-fibre or concentric needle.
    pub electrode: Electrode,
    /// The discharges in recorded order.
    pub discharges: Vec<Discharge>,
    /// Flags the measurement of raw sweeps raised (overlap, shape change);
    /// empty for an interval list.
    pub sweep_flags: Vec<PairFlag>,
}

/// Why a pair's jitter is not counted, or how it was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PairFlag {
    /// Fewer conducted discharges than the minimum: the MCD of a short
    /// run is too uncertain to judge (not counted).
    TooFewDischarges,
    /// The potentials overlap or another potential comes into the
    /// measured window, so the level crossing moves with the other
    /// potential's shape (not counted).
    Overlap,
    /// A potential's amplitude or rise changes from sweep to sweep beyond
    /// the limit: a different fibre or a moving needle (not counted).
    ShapeChange,
    /// MCD over MSD above the ratio limit: a slow trend (firing rate)
    /// inflates the MCD, so the pair's jitter is its MSD (counted).
    FiringRateTrend,
    /// More blocked discharges than conducted ones leave too few intervals
    /// (the blocking is counted, the jitter not).
    MostlyBlocked,
    /// Jitter below the floor: split muscle fibres (voluntary) or the
    /// muscle stimulated directly (stimulated), not neuromuscular
    /// transmission (not counted).
    BelowFloor,
    /// The potentials are so small beside the noise that the noise alone
    /// would give more jitter than the floor (raw sweeps; not counted).
    LowSignal,
    /// No second potential was found in any sweep, or a listed pair is
    /// blocked in every discharge: no pair to measure, and no block to
    /// count (not judged).
    NoSecondPotential,
    /// Sampled too coarsely to time a potential to a few µs (raw sweeps
    /// below 20 kHz; not counted).
    CoarseSampling,
}

impl PairFlag {
    /// Whether the flag doubts the measurement itself (the potentials, not
    /// the transmission): a pair so flagged is not judged at all, its
    /// blocking included, since an overlap or a noisy potential can look
    /// like a block.
    pub fn doubts_measurement(self) -> bool {
        match self {
            PairFlag::Overlap
            | PairFlag::ShapeChange
            | PairFlag::LowSignal
            | PairFlag::BelowFloor
            | PairFlag::NoSecondPotential
            | PairFlag::CoarseSampling => true,
            PairFlag::TooFewDischarges | PairFlag::FiringRateTrend | PairFlag::MostlyBlocked => {
                false
            }
        }
    }

    /// Whether the flag keeps the pair's jitter out of the muscle's
    /// figures (its row is still shown, struck through).
    pub fn excludes(self) -> bool {
        match self {
            PairFlag::TooFewDischarges
            | PairFlag::Overlap
            | PairFlag::ShapeChange
            | PairFlag::MostlyBlocked
            | PairFlag::BelowFloor
            | PairFlag::LowSignal
            | PairFlag::NoSecondPotential
            | PairFlag::CoarseSampling => true,
            PairFlag::FiringRateTrend => false,
        }
    }
}

/// Which figure a pair's jitter is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum JitterValue {
    /// The mean consecutive difference.
    Mcd,
    /// The mean sorted difference (the MCD/MSD ratio showed a trend).
    Msd,
}

/// One pair's measures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairMeasures {
    /// The pair's name.
    pub id: String,
    /// Discharges recorded (conducted and blocked).
    pub discharges: usize,
    /// Discharges blocked.
    pub blocked: usize,
    /// Blocked discharges, % of those recorded.
    pub blocking_pct: f64,
    /// Mean consecutive difference of the conducted intervals, over the
    /// consecutive pairs of discharges that both conducted (µs).
    pub mcd_us: Option<f64>,
    /// Mean sorted difference: the intervals ordered by their preceding
    /// inter-discharge interval, then as the MCD (µs); needs every
    /// conducted discharge's `isi_ms`.
    pub msd_us: Option<f64>,
    /// MCD / MSD.
    pub mcd_msd_ratio: Option<f64>,
    /// The pair's jitter: the MCD, or the MSD when the ratio shows a trend.
    pub jitter_us: Option<f64>,
    /// Which figure `jitter_us` is.
    pub jitter_value: JitterValue,
    /// Mean interval (µs), for the plots and the reader.
    pub mean_ipi_us: Option<f64>,
    /// The flags raised, in code order.
    pub flags: Vec<PairFlag>,
    /// Whether the pair counts in the muscle's figures (no excluding flag).
    pub counted: bool,
    /// Whether its jitter is above the reference's pair limit (`None`
    /// without a reference or when it is not counted).
    pub above_pair_limit: Option<bool>,
}

/// A reference's upper limits for one muscle, method and electrode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JitterLimits {
    /// Upper limit of a muscle's mean jitter (µs).
    pub mean_us: f64,
    /// Upper limit of one pair's jitter (µs).
    pub pair_us: f64,
    /// Where the limits come from: a source key of
    /// `interpret::sources` (`stalberg_2016_cnemg`) or `lab` for a lab's
    /// own limits file.
    pub source: String,
    /// The age range the limits hold for, when the source gives one.
    pub ages: Option<(u32, u32)>,
}

/// The verdict on a muscle's jitter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum JitterVerdict {
    /// The mean and the share of pairs above the pair limit are within
    /// the reference's limits.
    Normal,
    /// The mean jitter is above its limit, or too many pairs are above the
    /// pair limit.
    Abnormal,
    /// No judgement: no reference for the muscle and method, or too few
    /// counted pairs.
    NotJudged,
}

/// Why a muscle's jitter was judged as it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum JitterReason {
    /// The mean jitter is above the limit for the mean.
    MeanAboveLimit,
    /// More than the allowed share of the judged pairs is above the pair
    /// limit or blocks.
    PairsAbnormal,
    /// Some pairs block (always beyond the normal: reported with the
    /// verdict, which it does not change by itself).
    Blocking,
    /// No published or lab limits for this muscle, method and electrode.
    NoReference,
    /// Fewer counted pairs than the minimum for a judgement.
    TooFewPairs,
    /// Single-fibre limits depend on age, and none was given.
    AgeNeeded,
    /// No age was given, and every age band's limits give the same
    /// verdict: the limits shown are the band that decides it (the most
    /// lenient for abnormal, the strictest for normal).
    EveryAgeBand,
}

/// One muscle's jitter, as a method and electrode recorded it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MuscleJitter {
    /// The muscle as the files write it.
    pub muscle: String,
    /// The side, when the files give one.
    pub side: Option<String>,
    /// Voluntary or stimulated.
    pub method: JitterMethod,
    /// Single-fibre or concentric needle.
    pub electrode: Electrode,
    /// Every pair, in file order.
    pub pairs: Vec<PairMeasures>,
    /// Pairs whose jitter is counted (no excluding flag).
    pub counted: usize,
    /// Pairs judged: those counted, and those not counted only for their
    /// blocking (too few conducted discharges), whose blocking is seen.
    pub judged: usize,
    /// Judged pairs above the pair limit or blocking: what the share rule
    /// counts.
    pub abnormal_pairs: usize,
    /// Mean of the counted pairs' jitter (µs).
    pub mean_jitter_us: Option<f64>,
    /// Whether the mean is over enough counted pairs (`min_pairs`) to be
    /// read against its limit: every writer and plot reads this, not the
    /// count.
    #[serde(default)]
    pub mean_judged: bool,
    /// Counted pairs above the pair limit (with a reference).
    pub pairs_above_limit: Option<usize>,
    /// Their share of the counted pairs (%).
    pub above_limit_pct: Option<f64>,
    /// Pairs with any blocking (counted or not: a blocked discharge is
    /// seen whatever the jitter's quality).
    pub pairs_blocking: usize,
    /// Their share of all pairs (%).
    pub blocking_pairs_pct: f64,
    /// The limits judged against, when there are any.
    pub limits: Option<JitterLimits>,
    /// The verdict.
    pub verdict: JitterVerdict,
    /// Its reasons, in code order.
    pub reasons: Vec<JitterReason>,
}

/// A lab's own limits (`[[jitter.limits]]` in the thresholds file): they
/// take the place of the published ones for their muscle, method and
/// electrode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabJitterLimits {
    /// The muscle (any name `canonical_muscle` knows, or the lab's own).
    pub muscle: String,
    /// Voluntary or stimulated.
    pub method: JitterMethod,
    /// Single-fibre or concentric needle.
    pub electrode: Electrode,
    /// Upper limit of the mean (µs).
    pub mean_us: f64,
    /// Upper limit of one pair (µs).
    pub pair_us: f64,
    /// Where the limits come from (the lab's reference study), echoed in
    /// the report.
    pub source: String,
}

/// What a jitter finding says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum JitterFindingCode {
    /// A muscle's verdict, its figures and the limits.
    MuscleVerdict,
    /// Abnormal jitter is not specific to a junction disorder.
    NotSpecific,
    /// Jitter does not tell where transmission fails; RNS does.
    SiteNotShown,
    /// Normal jitter in a weak muscle rules out a junction disorder there.
    NormalInWeakMuscle,
    /// Concentric-needle signals and their reference values.
    ConcentricNeedle,
    /// Pairs whose MCD/MSD ratio showed a firing-rate trend.
    RateTrend,
    /// Pairs left out of the figures, with why.
    PairsExcluded,
    /// The age band whose single-fibre limits were used, or none given.
    AgeBand,
}

/// One finding of a jitter study, with its source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JitterFinding {
    /// What it is.
    pub code: JitterFindingCode,
    /// The muscle it is about, when it is about one.
    pub muscle: Option<String>,
    /// The sentence.
    pub text: String,
    /// Its source (a citation, or nmjscope's own rule).
    pub source: String,
}

/// Schema of a jitter report's JSON.
pub const JITTER_SCHEMA: &str = "nmjscope.jitter/1";

/// A jitter study's report: every muscle, its pairs, verdict and findings,
/// and the settings it was judged by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JitterReport {
    /// [`JITTER_SCHEMA`].
    pub schema: String,
    /// The tool and version.
    pub tool: super::ToolInfo,
    /// The files read, as named (relative as given).
    pub files: Vec<String>,
    /// The subject's age (years), when a file gave it or the caller did.
    pub age_years: Option<f64>,
    /// Each muscle, method and electrode, in the order first read.
    pub muscles: Vec<MuscleJitter>,
    /// The findings, muscle by muscle, then the general ones.
    pub findings: Vec<JitterFinding>,
    /// What the readers and the measurement tolerated or doubted.
    pub warnings: Vec<String>,
    /// The settings (`[jitter]`) the pairs were measured and judged by.
    pub settings: crate::train::jitter::JitterConfig,
}

/// A pair recorded as raw sweeps.
#[derive(Debug, Clone, PartialEq)]
pub struct JitterSweeps {
    /// The pair's name.
    pub id: String,
    /// The muscle.
    pub muscle: String,
    /// The side, when the file gives one.
    pub side: Option<String>,
    /// Voluntary (time zero: the trigger potential) or stimulated (the
    /// stimulus).
    pub method: JitterMethod,
    /// The electrode.
    pub electrode: Electrode,
    /// Sampling rate (Hz).
    pub sampling_rate_hz: f64,
    /// Time of each sweep's first sample (ms).
    pub t0_ms: f64,
    /// One sweep per row (mV), negative as recorded.
    pub samples_mv: Array2<f64>,
}

/// A jitter study as read: interval lists and raw sweeps, from one file or
/// a folder of them.
#[derive(Debug, Clone, PartialEq)]
pub struct JitterInput {
    /// The files read, as named.
    pub files: Vec<String>,
    /// The pairs of every interval list, in file order.
    pub pairs: Vec<JitterPair>,
    /// Every sweeps file, one pair each, in file order.
    pub sweeps: Vec<JitterSweeps>,
    /// The age the files give (all that give one must agree).
    pub age_years: Option<f64>,
    /// The study identity each file gives, in `files`' order
    /// (`io::IDENTITY_KEYS`: study id, patient id, date; `None` where the
    /// file does not say): checked against the CMAP tests it joins, and
    /// never written anywhere.
    pub identities: Vec<Vec<Option<String>>>,
    /// What a reader tolerated, each naming its file.
    pub warnings: Vec<String>,
}

/// A muscle's jitter as the CMAP report's per-muscle table shows it: one
/// method and electrode, its mean against its limit, and the verdict (the
/// pairs are in the jitter report).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JitterBrief {
    /// Voluntary or stimulated.
    pub method: JitterMethod,
    /// Single-fibre or concentric needle.
    pub electrode: Electrode,
    /// Mean jitter of the counted pairs (µs).
    pub mean_jitter_us: Option<f64>,
    /// The limit for the mean (µs), when a reference applies.
    pub limit_mean_us: Option<f64>,
    /// The pairs whose jitter counts (the mean's pairs).
    pub counted: usize,
    /// Whether the mean is over enough pairs to be read against its limit.
    #[serde(default)]
    pub mean_judged: bool,
    /// The pairs judged against the pair limit.
    pub judged: usize,
    /// Judged pairs above the pair limit or blocking.
    pub abnormal_pairs: usize,
    /// The muscle's verdict.
    pub verdict: JitterVerdict,
}

impl From<&MuscleJitter> for JitterBrief {
    fn from(m: &MuscleJitter) -> Self {
        JitterBrief {
            method: m.method,
            electrode: m.electrode,
            mean_jitter_us: m.mean_jitter_us,
            limit_mean_us: m.limits.as_ref().map(|l| l.mean_us),
            counted: m.counted,
            mean_judged: m.mean_judged,
            judged: m.judged,
            abnormal_pairs: m.abnormal_pairs,
            verdict: m.verdict,
        }
    }
}

impl JitterReport {
    /// The study's jitter verdict: `abnormal` when any muscle's is, else
    /// `not_judged` when any muscle's is (or there is none), else `normal`:
    /// the one answer the batch summary and the web page show.
    pub fn worst_verdict(&self) -> JitterVerdict {
        JitterVerdict::worst(self.muscles.iter().map(|m| m.verdict))
    }
}

impl JitterVerdict {
    /// The worst of several verdicts: `abnormal` when any is, else
    /// `not_judged` when any is (or there is none), else `normal`. The one
    /// rule a study's, a muscle's and a batch row's jitter verdict follow.
    pub fn worst(verdicts: impl IntoIterator<Item = JitterVerdict>) -> JitterVerdict {
        let all: Vec<JitterVerdict> = verdicts.into_iter().collect();
        if all.contains(&JitterVerdict::Abnormal) {
            JitterVerdict::Abnormal
        } else if all.is_empty() || all.contains(&JitterVerdict::NotJudged) {
            JitterVerdict::NotJudged
        } else {
            JitterVerdict::Normal
        }
    }
}

impl JitterInput {
    /// Interval-list pairs already in hand (a simulation, a test), with no
    /// file, age, identity or warning.
    pub fn of_pairs(pairs: Vec<JitterPair>) -> JitterInput {
        JitterInput {
            files: Vec::new(),
            pairs,
            sweeps: Vec::new(),
            age_years: None,
            identities: Vec::new(),
            warnings: Vec::new(),
        }
    }
}
