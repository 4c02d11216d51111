//! BIDS file names: `sub-01_ses-01_task-rns3hz_run-1_emg.edf` is the
//! entities (key-label pairs, in order), a suffix and an extension (BIDS
//! 1.11, "File name structure"; the schema's `rules/files/raw/emg.yaml`).

/// A BIDS file name, taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BidsName {
    /// The entities in file-name order (`("sub", "01")`).
    pub entities: Vec<(String, String)>,
    /// The suffix (`emg`, `channels`, `events`).
    pub suffix: String,
    /// The extension with its dot (`.edf`, `.tsv`, `.json`).
    pub extension: String,
}

impl BidsName {
    /// Takes `name` apart; `None` when it is no BIDS name (an entity
    /// without `-`, a label that is not alphanumeric, no suffix).
    pub fn parse(name: &str) -> Option<BidsName> {
        let dot = name.find('.')?;
        let (stem, extension) = name.split_at(dot);
        let mut parts: Vec<&str> = stem.split('_').collect();
        let suffix = parts.pop()?;
        if suffix.is_empty() || !suffix.chars().all(|c| c.is_ascii_alphanumeric()) {
            return None;
        }
        let entities = parts
            .into_iter()
            .map(|p| {
                let (key, label) = p.split_once('-')?;
                let ok = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric());
                (ok(key) && ok(label)).then(|| (key.to_string(), label.to_string()))
            })
            .collect::<Option<Vec<_>>>()?;
        Some(BidsName {
            entities,
            suffix: suffix.to_string(),
            extension: extension.to_string(),
        })
    }

    /// An entity's label.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entities
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Whether a sidecar named `self` applies to a data file named `data`
    /// (the inheritance principle): every entity of the sidecar is the
    /// data file's, with the same label.
    pub fn applies_to(&self, data: &BidsName) -> bool {
        self.entities.iter().all(|(k, v)| data.get(k) == Some(v))
    }

    /// The name again, with another suffix and extension.
    pub fn with(&self, suffix: &str, extension: &str) -> String {
        let mut s: String = self
            .entities
            .iter()
            .map(|(k, v)| format!("{k}-{v}_"))
            .collect();
        s.push_str(suffix);
        s.push_str(extension);
        s
    }
}

/// The task label for a protocol and its rate or exercise length: the
/// convention this tool writes and reads (`docs/bids.md`): `rns3hz`,
/// `hfrns50hz`, `exercise10s`. BIDS labels are alphanumeric, so a rate
/// with a fraction (2.5 Hz) is written `rns2p5hz`.
pub fn task_label(protocol: crate::model::Protocol, value: Option<f64>) -> String {
    let number = |v: f64| crate::error::show(v).replace('.', "p");
    match (protocol, value) {
        (crate::model::Protocol::Exercise, Some(s)) => format!("exercise{}s", number(s)),
        (crate::model::Protocol::Exercise, None) => "exercise".to_string(),
        (p, Some(hz)) => format!("{}{}hz", p.code(), number(hz)),
        (p, None) => p.code(),
    }
}

/// What a task label says: the protocol, and the rate (Hz) or exercise
/// length (s) it names. `None` for a task this tool does not know (the
/// protocol then comes from the events and the file).
pub fn read_task(label: &str) -> Option<(crate::model::Protocol, Option<f64>)> {
    use crate::model::Protocol;
    let l = label.to_ascii_lowercase();
    let number = |s: &str| s.replace('p', ".").parse::<f64>().ok().filter(|v| *v > 0.0);
    for p in [Protocol::Hfrns, Protocol::Rns] {
        if let Some(rest) = l.strip_prefix(&p.code()) {
            return match rest.strip_suffix("hz") {
                Some(n) => Some((p, Some(number(n)?))),
                None if rest.is_empty() => Some((p, None)),
                None => None,
            };
        }
    }
    let rest = l.strip_prefix("exercise")?;
    match rest.strip_suffix('s') {
        Some(n) => Some((Protocol::Exercise, Some(number(n)?))),
        None if rest.is_empty() => Some((Protocol::Exercise, None)),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Protocol;

    #[test]
    fn names_are_taken_apart_and_put_back() {
        let n = BidsName::parse("sub-01_ses-02_task-rns3hz_run-1_emg.edf").unwrap();
        assert_eq!(n.get("sub"), Some("01"));
        assert_eq!(n.get("task"), Some("rns3hz"));
        assert_eq!(n.suffix, "emg");
        assert_eq!(n.extension, ".edf");
        assert_eq!(
            n.with("channels", ".tsv"),
            "sub-01_ses-02_task-rns3hz_run-1_channels.tsv"
        );
        // A name of a suffix alone is one (`participants.tsv`).
        assert!(BidsName::parse("notes.txt").is_some_and(|n| n.entities.is_empty()));
        assert!(BidsName::parse("notes").is_none());
        assert!(BidsName::parse("sub-0_1_emg.edf").is_none());
        assert!(BidsName::parse("sub-01_task-a-b_emg.edf").is_none());
    }

    #[test]
    fn a_sidecar_applies_when_its_entities_are_the_files() {
        let data = BidsName::parse("sub-01_ses-01_task-rns3hz_emg.edf").unwrap();
        let top = BidsName::parse("task-rns3hz_emg.json").unwrap();
        let other = BidsName::parse("task-exercise10s_emg.json").unwrap();
        assert!(top.applies_to(&data));
        assert!(!other.applies_to(&data));
    }

    #[test]
    fn task_labels_round_trip() {
        for (p, v, label) in [
            (Protocol::Rns, Some(3.0), "rns3hz"),
            (Protocol::Rns, Some(2.5), "rns2p5hz"),
            (Protocol::Hfrns, Some(50.0), "hfrns50hz"),
            (Protocol::Exercise, Some(10.0), "exercise10s"),
        ] {
            assert_eq!(task_label(p, v), label);
            assert_eq!(read_task(label), Some((p, v)));
        }
        assert_eq!(read_task("rest"), None);
        assert_eq!(read_task("rnsfast"), None);
    }
}
