//! All settings of one analysis: one config struct per stage, each with
//! documented defaults. The whole struct is echoed under `settings` in every
//! report, so a reader can see every threshold that was used.
//!
//! A thresholds file (TOML or JSON) may set any subset; unknown keys are an
//! error, so a typo never silently falls back to a default.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{show, Error, Result};
use crate::interpret::{InterpretConfig, LabLimit};
use crate::io::plausible::MAX_METADATA_CHARS;
use crate::measure::MeasureConfig;
use crate::signal::SignalConfig;
use crate::train::TrainConfig;

/// Settings of every stage.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Baseline, artifact and filter settings.
    pub signal: SignalConfig,
    /// Per-response measurement settings.
    pub measure: MeasureConfig,
    /// Decrement, increment and train-shape settings (`[train]`; the
    /// older name `[protocol]` is read too).
    #[serde(alias = "protocol")]
    pub train: TrainConfig,
    /// Interpretation thresholds.
    pub interpret: InterpretConfig,
    /// Jitter: the fewest discharges, the trend ratio, the timing level,
    /// the shape and overlap rules, the pairs a judgement needs.
    pub jitter: crate::train::jitter::JitterConfig,
}

impl Settings {
    /// Reads settings from a TOML (`.toml`) or JSON (any other extension)
    /// file; keys not given keep their defaults.
    pub fn from_file(path: &Path) -> Result<Settings> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let text = String::from_utf8(bytes).map_err(|e| Error::Settings {
            path: path.to_path_buf(),
            detail: format!(
                "not UTF-8 text (invalid byte at offset {}); save the settings file as UTF-8",
                e.utf8_error().valid_up_to()
            ),
        })?;
        let text = text.trim_start_matches('\u{feff}');
        let is_toml = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
        let bad = |detail: String| Error::Settings {
            path: path.to_path_buf(),
            detail,
        };
        // serde fills a struct from a list by position: a list would set
        // thresholds without naming them, so lists are refused first.
        let list = |at: String| {
            bad(format!(
                "{at} is a list; settings are tables of named keys (e.g. decrement_abnormal_pct = 8)"
            ))
        };
        let settings: Settings = if is_toml {
            let value: toml::Value =
                toml::from_str(text).map_err(|e| bad(one_line(&e.to_string())))?;
            if let Some(at) = first_toml_list(&value, "") {
                return Err(list(at));
            }
            value
                .try_into()
                .map_err(|e: toml::de::Error| bad(one_line(&e.to_string())))?
        } else {
            // TOML refuses a key given twice; JSON parsers keep the last.
            serde_json::from_str::<NoDuplicateKeys>(text)
                .map_err(|e| bad(one_line(&e.to_string())))?;
            let value: serde_json::Value =
                serde_json::from_str(text).map_err(|e| bad(one_line(&e.to_string())))?;
            if let Some(at) = first_json_list(&value, "") {
                return Err(list(at));
            }
            serde_json::from_value(value).map_err(|e| bad(one_line(&e.to_string())))?
        };
        settings.validate(path)?;
        Ok(settings)
    }

    /// Checks every setting against its accepted range ([`BOUNDS`]) and the
    /// thresholds against each other; the error names the key.
    ///
    /// # Errors
    ///
    /// [`Error::Settings`] naming `origin`, the key, the value and the range.
    pub fn validate(&self, origin: &Path) -> Result<()> {
        let bad = |detail: String| {
            Err(Error::Settings {
                path: origin.to_path_buf(),
                detail,
            })
        };
        for bound in BOUNDS {
            for value in (bound.get)(self) {
                if !(bound.min..=bound.max).contains(&value) {
                    return bad(format!(
                        "{} = {} is outside the accepted range {} to {}{} ({})",
                        bound.key,
                        show(value),
                        bound.min,
                        bound.max,
                        bound.unit,
                        bound.why
                    ));
                }
            }
        }
        for (muscle, &limit) in &self.interpret.lower_limits_mv {
            if !(LOWER_LIMIT_RANGE_MV.0..=LOWER_LIMIT_RANGE_MV.1).contains(&limit) {
                return bad(format!(
                    "interpret.lower_limits_mv.{muscle} = {limit} is outside the accepted range {} to {} mV (no surface CMAP has a lower limit outside it)",
                    LOWER_LIMIT_RANGE_MV.0, LOWER_LIMIT_RANGE_MV.1
                ));
            }
        }
        for (i, lab) in self.jitter.limits.iter().enumerate() {
            if let Some(why) = crate::train::jitter::lab_limits_problem(lab) {
                return bad(format!("jitter.limits [{}]: {why}", lab.muscle));
            }
            let same = |o: &crate::model::LabJitterLimits| {
                crate::model::muscle_side_key(Some(&o.muscle), None)
                    == crate::model::muscle_side_key(Some(&lab.muscle), None)
                    && (o.method, o.electrode) == (lab.method, lab.electrode)
            };
            if self.jitter.limits[..i].iter().any(same) {
                return bad(format!(
                    "jitter.limits [{}] ({}, {}) is given twice; give each muscle, method and electrode once",
                    lab.muscle, lab.method, lab.electrode
                ));
            }
        }
        for (muscle, &cut) in &self.interpret.muscle_decrement_abnormal_pct {
            // The same range as the study-wide threshold, for the same reason.
            if !(1.0..=50.0).contains(&cut) || muscle.trim().is_empty() {
                return bad(format!(
                    "interpret.muscle_decrement_abnormal_pct.{muscle} = {} is outside the accepted range 1 to 50 % (published criteria are 5-15%)",
                    show(cut)
                ));
            }
        }
        for (muscle, lab) in &self.interpret.lab_limits {
            if let Some(why) = lab_limit_problem(muscle, lab) {
                return bad(format!("interpret.lab_limits.{muscle}: {why}"));
            }
        }
        let i = &self.interpret;
        if !(i.increment_equivocal_pct <= i.increment_suggestive_pct
            && i.increment_suggestive_pct <= i.increment_specific_pct)
        {
            return bad(format!(
                "increment thresholds must rise: equivocal {} <= suggestive {} <= specific {}",
                i.increment_equivocal_pct, i.increment_suggestive_pct, i.increment_specific_pct
            ));
        }
        for (what, lo, hi) in [
            ("low_rate", i.low_rate_min_hz, i.low_rate_max_hz),
            ("high_rate", i.high_rate_min_hz, i.high_rate_max_hz),
            ("exercise", i.exercise_min_s, i.exercise_max_s),
        ] {
            if lo > hi {
                return bad(format!(
                    "interpret.{what}_min ({}) must not exceed interpret.{what}_max ({}): the validated range would hold nothing",
                    show(lo),
                    show(hi)
                ));
            }
        }
        let f = &self.signal.filter;
        if let (Some(high), Some(low)) = (f.highpass_hz, f.lowpass_hz) {
            if high >= low {
                return bad(format!(
                    "signal.filter.highpass_hz ({high}) must be below signal.filter.lowpass_hz ({low}): the band would pass nothing"
                ));
            }
        }
        let mut muscles = std::collections::HashSet::new();
        for muscle in self.interpret.lower_limits_mv.keys() {
            // Muscles are matched ignoring case: `ADM` and `adm` would be
            // one muscle with two limits.
            if muscle.trim() != muscle
                || muscle.is_empty()
                || !muscles.insert(muscle.to_lowercase())
            {
                return bad(format!(
                    "interpret.lower_limits_mv key {muscle:?}: muscle names are matched ignoring case, so each must be given once, without surrounding spaces"
                ));
            }
        }
        if self.signal.artifact_min_ms > self.signal.artifact_max_ms {
            return bad(format!(
                "signal.artifact_min_ms ({}) must not exceed signal.artifact_max_ms ({})",
                self.signal.artifact_min_ms, self.signal.artifact_max_ms
            ));
        }
        Ok(())
    }
}

/// The settings that are lists of tables, each table of named keys: the
/// lab's jitter limits, one table per muscle, method and electrode.
const TABLE_LISTS: &[&str] = &["jitter.limits"];

/// Where the first list is in a JSON settings document.
/// Reads a lab's lower limits (`--limits FILE.toml`): one table per muscle
/// with `lower_limit_mv` and `source`, e.g.
///
/// ```toml
/// [ADM]
/// lower_limit_mv = 5.6
/// source = "St Elsewhere EMG lab norms, 2019 (n = 120)"
/// ```
///
/// # Errors
///
/// [`Error::Io`] when the file cannot be read; [`Error::Settings`] naming
/// the file, and the muscle and key or the line and column, for anything
/// else.
pub fn lab_limits_from_file(path: &Path) -> Result<BTreeMap<String, LabLimit>> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let bad = |detail: String| Error::Settings {
        path: path.to_path_buf(),
        detail,
    };
    let text = String::from_utf8(bytes)
        .map_err(|_| bad("not UTF-8 text; save the limits file as UTF-8".to_string()))?;
    let limits: BTreeMap<String, LabLimit> = toml::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| bad(e.to_string().trim_end().replace('\n', " ")))?;
    if limits.is_empty() {
        return Err(bad(
            "no limit: expected a table per muscle, e.g. [ADM] with lower_limit_mv and source"
                .to_string(),
        ));
    }
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for (muscle, lab) in &limits {
        if let Some(why) = lab_limit_problem(muscle, lab) {
            return Err(bad(format!("[{muscle}]: {why}")));
        }
        // `[ADM]`, `[adm]` and `["abductor digiti minimi"]` are one muscle.
        let key = crate::model::canonical_muscle(muscle)
            .map_or_else(|| muscle.trim().to_lowercase(), str::to_lowercase);
        if let Some(first) = seen.insert(key, muscle) {
            return Err(bad(format!(
                "[{first}] and [{muscle}] are the same muscle; give its limit once"
            )));
        }
    }
    Ok(limits)
}

/// What is wrong with one lab limit, if anything.
fn lab_limit_problem(muscle: &str, lab: &LabLimit) -> Option<String> {
    let (lo, hi) = LOWER_LIMIT_RANGE_MV;
    if muscle.trim().is_empty() {
        return Some("a muscle needs a name".to_string());
    }
    if !(lo..=hi).contains(&lab.lower_limit_mv) {
        return Some(format!(
            "lower_limit_mv = {} is outside {lo} to {hi} mV (no surface CMAP has a lower limit outside it)",
            show(lab.lower_limit_mv)
        ));
    }
    if lab.source.trim().is_empty() || lab.source.chars().count() > MAX_METADATA_CHARS {
        return Some(format!(
            "source must say where the limit comes from (1-{MAX_METADATA_CHARS} characters)"
        ));
    }
    None
}

fn first_json_list(value: &serde_json::Value, at: &str) -> Option<String> {
    match value {
        // A list of tables, each of named keys (`[[jitter.limits]]`).
        serde_json::Value::Array(items) if TABLE_LISTS.contains(&at) => {
            items.iter().find_map(|v| match v {
                serde_json::Value::Object(_) => first_json_list(v, at),
                _ => Some(name_of(at)),
            })
        }
        serde_json::Value::Array(_) => Some(name_of(at)),
        serde_json::Value::Object(map) => map
            .iter()
            .find_map(|(k, v)| first_json_list(v, &join(at, k))),
        _ => None,
    }
}

/// Where the first list is in a TOML settings document.
fn first_toml_list(value: &toml::Value, at: &str) -> Option<String> {
    match value {
        toml::Value::Array(items) if TABLE_LISTS.contains(&at) => {
            items.iter().find_map(|v| match v {
                toml::Value::Table(_) => first_toml_list(v, at),
                _ => Some(name_of(at)),
            })
        }
        toml::Value::Array(_) => Some(name_of(at)),
        toml::Value::Table(map) => map
            .iter()
            .find_map(|(k, v)| first_toml_list(v, &join(at, k))),
        _ => None,
    }
}

fn join(at: &str, key: &str) -> String {
    if at.is_empty() {
        key.to_string()
    } else {
        format!("{at}.{key}")
    }
}

fn name_of(at: &str) -> String {
    if at.is_empty() {
        "the document".to_string()
    } else {
        at.to_string()
    }
}

/// The accepted range of one numeric setting.
#[derive(Debug, Clone, Copy)]
pub struct Bound {
    /// The setting's key, `section.name`.
    pub key: &'static str,
    /// Smallest accepted value.
    pub min: f64,
    /// Largest accepted value.
    pub max: f64,
    /// Unit, with a leading space (or empty).
    pub unit: &'static str,
    /// Why the range is what it is.
    pub why: &'static str,
    /// The value(s) in a settings struct (none when an optional one is off).
    get: fn(&Settings) -> Vec<f64>,
}

/// Accepted lower limits of normal (mV), for `interpret.lower_limits_mv`.
pub const LOWER_LIMIT_RANGE_MV: (f64, f64) = (0.1, 50.0);

/// Reasons shared by several bounds.
const SPAN: &str = "a span outside it is a typo or a unit mistake";
const FACTOR: &str = "a multiple of the noise beyond it detects nothing or everything";
const PCT: &str = "a percentage of the first response";

macro_rules! bound {
    ($key:literal, $min:expr, $max:expr, $unit:literal, $why:expr, |$s:ident| $get:expr) => {
        Bound {
            key: $key,
            min: $min,
            max: $max,
            unit: $unit,
            why: $why,
            get: |$s: &Settings| $get,
        }
    };
}

/// Every numeric setting and the range it must lie in; `validate` checks
/// them all (NaN is never in range) and `docs/settings.md` lists them.
pub const BOUNDS: &[Bound] = &[
    bound!("signal.min_pre_stimulus_ms", 0.1, 50.0, " ms", SPAN, |s| vec![s.signal.min_pre_stimulus_ms]),
    bound!("signal.pre_stimulus_guard_ms", 0.0, 2.0, " ms", SPAN, |s| vec![s.signal.pre_stimulus_guard_ms]),
    bound!("signal.artifact_min_ms", 0.0, 5.0, " ms", SPAN, |s| vec![s.signal.artifact_min_ms]),
    bound!("signal.artifact_max_ms", 0.2, 20.0, " ms", "every CMAP starts within 20 ms of the stimulus", |s| vec![s.signal.artifact_max_ms]),
    bound!("signal.artifact_min_mv", 0.001, 50.0, " mV", "the range of surface CMAP amplitudes", |s| vec![s.signal.artifact_min_mv]),
    bound!("signal.settle_window_ms", 0.02, 5.0, " ms", SPAN, |s| vec![s.signal.settle_window_ms]),
    bound!("signal.settle_noise_factor", 1.0, 100.0, "", FACTOR, |s| vec![s.signal.settle_noise_factor]),
    bound!("signal.settle_floor_mv", 0.0, 5.0, " mV", "the range of surface CMAP amplitudes", |s| vec![s.signal.settle_floor_mv]),
    bound!("signal.drift_window_ms", 0.2, 100.0, " ms", SPAN, |s| vec![s.signal.drift_window_ms]),
    bound!("signal.drift_min_start_ms", 5.0, 500.0, " ms", "the range of sweep lengths read", |s| vec![s.signal.drift_min_start_ms]),
    bound!("signal.filter.highpass_hz", 0.01, 1000.0, " Hz", "above 1 kHz a high-pass removes the CMAP itself", |s| s.signal.filter.highpass_hz.into_iter().collect()),
    bound!("signal.filter.lowpass_hz", 100.0, 100_000.0, " Hz", "below 100 Hz a low-pass removes the CMAP itself", |s| s.signal.filter.lowpass_hz.into_iter().collect()),
    bound!("signal.filter.notch_hz", 40.0, 70.0, " Hz", "mains is 50 or 60 Hz", |s| s.signal.filter.notch_hz.into_iter().collect()),
    bound!("signal.filter.notch_harmonics", 1.0, 20.0, "", "each harmonic costs a filter pass; hum above the 20th is below the noise", |s| vec![f64::from(s.signal.filter.notch_harmonics)]),
    bound!("signal.filter.notch_width_hz", 0.1, 20.0, " Hz", "a wider notch cuts into the CMAP's spectrum", |s| vec![s.signal.filter.notch_width_hz]),
    bound!("measure.smoothing_ms", 0.0, 2.0, " ms", "a wider average flattens the negative peak", |s| vec![s.measure.smoothing_ms]),
    bound!("measure.peak_fit_ms", 0.01, 2.0, " ms", "a wider parabola no longer fits a peak", |s| vec![s.measure.peak_fit_ms]),
    bound!("measure.polarity_ratio", 0.1, 2.0, "", "a ratio of phase sizes", |s| vec![s.measure.polarity_ratio]),
    bound!("measure.onset_noise_factor", 1.0, 100.0, "", FACTOR, |s| vec![s.measure.onset_noise_factor]),
    bound!("measure.onset_fraction", 0.001, 0.5, "", "a fraction of the amplitude", |s| vec![s.measure.onset_fraction]),
    bound!("measure.onset_min_slope_per_ms", 0.0001, 1.0, "", "a fraction of the amplitude per ms", |s| vec![s.measure.onset_min_slope_per_ms]),
    bound!("measure.no_response_mv", 0.001, 5.0, " mV", "the range of surface CMAP amplitudes", |s| vec![s.measure.no_response_mv]),
    bound!("measure.low_snr_ratio", 1.0, 1000.0, "", FACTOR, |s| vec![s.measure.low_snr_ratio]),
    bound!("measure.clip_min_ms", 0.01, 5.0, " ms", SPAN, |s| vec![s.measure.clip_min_ms]),
    bound!("measure.min_onset_ms", 0.0, 10.0, " ms", "a floor of 10 ms would flag the CMAPs of proximal muscles", |s| vec![s.measure.min_onset_ms]),
    bound!("measure.baseline_unstable_fraction", 0.01, 1.0, "", "a fraction of the amplitude", |s| vec![s.measure.baseline_unstable_fraction]),
    bound!("train.decrement_response", 2.0, 50.0, "", "trains in use have 3 to 50 stimuli", |s| vec![s.train.decrement_response as f64]),
    bound!("train.flat_pct", 0.0, 50.0, " %", PCT, |s| vec![s.train.flat_pct]),
    bound!("train.progressive_fall_pct", 0.0, 50.0, " %", PCT, |s| vec![s.train.progressive_fall_pct]),
    bound!("train.irregular_step_pct", 0.1, 50.0, " %", PCT, |s| vec![s.train.irregular_step_pct]),
    bound!("train.outlier_pct", 1.0, 100.0, " %", "a percentage of the neighbouring responses", |s| vec![s.train.outlier_pct]),
    bound!("train.irregular_min_jumps", 1.0, 50.0, "", "trains in use have 3 to 50 stimuli", |s| vec![s.train.irregular_min_jumps as f64]),
    bound!("interpret.side_ratio_min_pct", 1.0, 100.0, " %", "a share of the other side's CMAP", |s| vec![s.interpret.side_ratio_min_pct]),
    bound!("interpret.reproducible_within_pp", 0.5, 50.0, " pp", "a difference of two percentages", |s| vec![s.interpret.reproducible_within_pp]),
    bound!("interpret.resting_cmap_margin_pct", 5.0, 90.0, " %", "a share of the muscle's largest resting CMAP: below 5% is the noise of a repeat, beyond 90% nothing is ever suspect", |s| vec![s.interpret.resting_cmap_margin_pct]),
    bound!("interpret.min_temperature_c", 20.0, 40.0, " C", "the range of limb temperatures a study is done at", |s| vec![s.interpret.min_temperature_c]),
    bound!("interpret.low_rate_min_hz", 0.1, 10.0, " Hz", "low-rate trains run below 10 Hz", |s| vec![s.interpret.low_rate_min_hz]),
    bound!("interpret.low_rate_max_hz", 0.1, 10.0, " Hz", "low-rate trains run below 10 Hz", |s| vec![s.interpret.low_rate_max_hz]),
    bound!("interpret.high_rate_min_hz", 10.0, 100.0, " Hz", "high-rate trains run at 10-100 Hz", |s| vec![s.interpret.high_rate_min_hz]),
    bound!("interpret.high_rate_max_hz", 10.0, 100.0, " Hz", "high-rate trains run at 10-100 Hz", |s| vec![s.interpret.high_rate_max_hz]),
    bound!("interpret.exercise_min_s", 1.0, 120.0, " s", "an exercise test lasts seconds to a minute", |s| vec![s.interpret.exercise_min_s]),
    bound!("interpret.exercise_max_s", 1.0, 120.0, " s", "an exercise test lasts seconds to a minute", |s| vec![s.interpret.exercise_max_s]),
    bound!("interpret.pyridostigmine_withhold_h", 0.0, 72.0, " h", "the half-life of pyridostigmine is hours", |s| vec![s.interpret.pyridostigmine_withhold_h]),
    bound!("train.area_disagreement_pp", 1.0, 100.0, " pp", "a difference of two percentages", |s| vec![s.train.area_disagreement_pp]),
    bound!("train.drift_pct", 1.0, 100.0, " %", PCT, |s| vec![s.train.drift_pct]),
    bound!("train.pseudofacilitation_min_rise_pct", 0.0, 500.0, " %", PCT, |s| vec![s.train.pseudofacilitation_min_rise_pct]),
    bound!("train.pseudofacilitation_max_area_rise_pct", 0.0, 500.0, " %", PCT, |s| vec![s.train.pseudofacilitation_max_area_rise_pct]),
    bound!("interpret.decrement_abnormal_pct", 1.0, 50.0, " %", "published criteria are 5-15%; a threshold beyond 50% would call every myasthenic train normal", |s| vec![s.interpret.decrement_abnormal_pct]),
    bound!("interpret.increment_equivocal_pct", 1.0, 1000.0, " %", "an increment threshold must be positive", |s| vec![s.interpret.increment_equivocal_pct]),
    bound!("interpret.increment_suggestive_pct", 1.0, 1000.0, " %", "an increment threshold must be positive", |s| vec![s.interpret.increment_suggestive_pct]),
    bound!("interpret.increment_specific_pct", 1.0, 1000.0, " %", "an increment threshold must be positive", |s| vec![s.interpret.increment_specific_pct]),
    bound!("interpret.increment_healthy_max_pct", 1.0, 1000.0, " %", "an increment threshold must be positive", |s| vec![s.interpret.increment_healthy_max_pct]),
    bound!("jitter.min_discharges", 10.0, 1000.0, "", "fewer than 10 intervals give no MCD worth the name; more than 1000 no study records", |s| vec![s.jitter.min_discharges as f64]),
    bound!("jitter.trend_ratio", 1.0, 3.0, "", "below 1 every pair would show a trend; 3 is a trend no rule waits for", |s| vec![s.jitter.trend_ratio]),
    bound!("jitter.level_pct", 10.0, 90.0, " %", "near the baseline or the peak the crossing is lost in noise", |s| vec![s.jitter.level_pct]),
    bound!("jitter.shape_cv_pct", 1.0, 100.0, " %", "a coefficient of variation of a potential's amplitude", |s| vec![s.jitter.shape_cv_pct]),
    bound!("jitter.overlap_us", 0.0, 5000.0, " us", "a single-fibre potential lasts under 5 ms", |s| vec![s.jitter.overlap_us]),
    bound!("jitter.min_jitter_us", 0.0, 20.0, " us", "a floor above 20 us would drop normal pairs (normal limits are 28-45 us)", |s| vec![s.jitter.min_jitter_us]),
    bound!("jitter.noise_jitter_us", 0.5, 50.0, " us", "the noise's share of a pair's jitter, from nothing to the whole normal range", |s| vec![s.jitter.noise_jitter_us]),
    bound!("jitter.min_pairs", 1.0, 100.0, "", "the reference studies collected 20 pairs per muscle", |s| vec![s.jitter.min_pairs as f64]),
    bound!("jitter.pairs_above_pct", 0.0, 50.0, " %", "published rules allow one pair in ten (10%) above the pair limit", |s| vec![s.jitter.pairs_above_pct]),
];

/// A parser's message on one line: its line breaks and runs of spaces as
/// one space (a TOML error draws the line with a caret below it).
fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A JSON document walked only to refuse an object that gives a key twice.
struct NoDuplicateKeys;

impl<'de> serde::Deserialize<'de> for NoDuplicateKeys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(NoDuplicateKeys)
    }
}

impl<'de> serde::de::Visitor<'de> for NoDuplicateKeys {
    type Value = NoDuplicateKeys;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(serde::de::Error::custom(format!(
                    "the key {key:?} is given twice; give each setting once"
                )));
            }
            map.next_value::<NoDuplicateKeys>()?;
        }
        Ok(NoDuplicateKeys)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        while seq.next_element::<NoDuplicateKeys>()?.is_some() {}
        Ok(NoDuplicateKeys)
    }

    fn visit_bool<E>(self, _: bool) -> std::result::Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }
    fn visit_i64<E>(self, _: i64) -> std::result::Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }
    fn visit_u64<E>(self, _: u64) -> std::result::Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }
    fn visit_f64<E>(self, _: f64) -> std::result::Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }
    fn visit_str<E>(self, _: &str) -> std::result::Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }
    fn visit_unit<E>(self) -> std::result::Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each hostile value is refused with its key named (issue 13).
    #[test]
    fn every_setting_is_bounded() {
        type Spoil = fn(&mut Settings);
        let cases: &[(&str, Spoil)] = &[
            ("signal.settle_window_ms", |s| {
                s.signal.settle_window_ms = 1e30
            }),
            ("signal.settle_window_ms", |s| {
                s.signal.settle_window_ms = f64::INFINITY
            }),
            ("signal.drift_window_ms", |s| {
                s.signal.drift_window_ms = 1e30
            }),
            ("signal.artifact_max_ms", |s| {
                s.signal.artifact_max_ms = f64::NAN
            }),
            ("measure.smoothing_ms", |s| {
                s.measure.smoothing_ms = f64::NAN
            }),
            ("measure.polarity_ratio", |s| {
                s.measure.polarity_ratio = f64::NAN
            }),
            ("signal.filter.highpass_hz", |s| {
                s.signal.filter.highpass_hz = Some(f64::NAN)
            }),
            ("signal.filter.lowpass_hz", |s| {
                s.signal.filter.lowpass_hz = Some(f64::NAN)
            }),
            ("signal.filter.notch_harmonics", |s| {
                s.signal.filter.notch_harmonics = 4_000_000_000
            }),
            ("interpret.decrement_abnormal_pct", |s| {
                s.interpret.decrement_abnormal_pct = 150.0
            }),
            ("interpret.increment_equivocal_pct", |s| {
                s.interpret.increment_equivocal_pct = -100.0;
                s.interpret.increment_suggestive_pct = -50.0;
                s.interpret.increment_specific_pct = -10.0;
            }),
            ("interpret.lower_limits_mv.adm", |s| {
                s.interpret.lower_limits_mv.insert("adm".into(), -1.0);
            }),
            ("train.decrement_response", |s| {
                s.train.decrement_response = 1
            }),
        ];
        for (key, spoil) in cases {
            let mut s = Settings::default();
            spoil(&mut s);
            let e = s.validate(Path::new("t.toml")).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::Settings);
            let text = e.to_string();
            assert!(
                text.contains(key) && text.contains("t.toml"),
                "{key}: {text}"
            );
        }
        Settings::default().validate(Path::new("d")).unwrap();
    }

    #[test]
    fn docs_list_every_bound() {
        let doc = include_str!("../docs/settings.md");
        for b in BOUNDS {
            let row = format!("| `{}` | {} | {} |", b.key, b.min, b.max);
            assert!(doc.contains(&row), "docs/settings.md lacks {row}");
        }
    }

    #[test]
    fn every_default_is_inside_its_bound() {
        let s = Settings::default();
        for b in BOUNDS {
            for v in (b.get)(&s) {
                assert!((b.min..=b.max).contains(&v), "{}", b.key);
            }
        }
        let mut on = Settings::default();
        on.signal.filter.notch_hz = Some(50.0);
        on.validate(Path::new("d")).unwrap();
    }

    #[test]
    fn a_utf16_settings_file_is_a_settings_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.toml");
        let utf16: Vec<u8> = "[interpret]\ndecrement_abnormal_pct = 8.0\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        std::fs::write(&p, [&[0xFF, 0xFE][..], &utf16].concat()).unwrap();
        let e = Settings::from_file(&p).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Settings, "{e}");
        assert!(e.to_string().contains("UTF-8"), "{e}");
    }

    #[test]
    fn partial_toml_keeps_defaults_and_rejects_typos() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.toml");
        std::fs::write(&p, "[interpret]\ndecrement_abnormal_pct = 8.0\n").unwrap();
        let s = Settings::from_file(&p).unwrap();
        assert_eq!(s.interpret.decrement_abnormal_pct, 8.0);
        assert_eq!(s.interpret.increment_specific_pct, 100.0);
        std::fs::write(&p, "[interpret]\ndecrement_abnormal = 8.0\n").unwrap();
        let e = Settings::from_file(&p).unwrap_err().to_string();
        assert!(
            e.contains("t.toml") && e.contains("decrement_abnormal"),
            "{e}"
        );
        let j = dir.path().join("t.json");
        std::fs::write(&j, r#"{"interpret": {"increment_suggestive_pct": 120}}"#).unwrap();
        assert!(
            Settings::from_file(&j).is_err(),
            "suggestive above specific"
        );
    }
}
