//! All settings of one analysis: one config struct per stage, each with
//! documented defaults. The whole struct is echoed under `settings` in every
//! report, so a reader can see every threshold that was used.
//!
//! A thresholds file (TOML or JSON) may set any subset; unknown keys are an
//! error, so a typo never silently falls back to a default.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::interpret::InterpretConfig;
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
}

impl Settings {
    /// Reads settings from a TOML (`.toml`) or JSON (any other extension)
    /// file; keys not given keep their defaults.
    pub fn from_file(path: &Path) -> Result<Settings> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let is_toml = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
        let settings: Settings = if is_toml {
            toml::from_str(&text).map_err(|e| Error::Settings {
                path: path.to_path_buf(),
                detail: e.to_string(),
            })?
        } else {
            serde_json::from_str(&text).map_err(|e| Error::Settings {
                path: path.to_path_buf(),
                detail: format!("{e}"),
            })?
        };
        settings.validate(path)?;
        Ok(settings)
    }

    /// Checks that thresholds make sense together.
    pub fn validate(&self, origin: &Path) -> Result<()> {
        let bad = |detail: String| {
            Err(Error::Settings {
                path: origin.to_path_buf(),
                detail,
            })
        };
        let i = &self.interpret;
        if !(i.increment_equivocal_pct <= i.increment_suggestive_pct
            && i.increment_suggestive_pct <= i.increment_specific_pct)
        {
            return bad(format!(
                "increment thresholds must rise: equivocal {} <= suggestive {} <= specific {}",
                i.increment_equivocal_pct, i.increment_suggestive_pct, i.increment_specific_pct
            ));
        }
        if !(i.decrement_abnormal_pct.is_finite() && i.decrement_abnormal_pct > 0.0) {
            return bad(format!(
                "decrement_abnormal_pct must be positive, found {}",
                i.decrement_abnormal_pct
            ));
        }
        if self.train.decrement_response < 2 {
            return bad("train.decrement_response must be 2 or more".to_string());
        }
        if self.signal.artifact_max_ms <= 0.0 || self.measure.smoothing_ms < 0.0 {
            return bad("artifact_max_ms must be positive and smoothing_ms not negative".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
