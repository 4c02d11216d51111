//! A subject's `participants.tsv` values: what passes into its tests'
//! metadata, and what is withheld (`docs/bids.md`, `docs/privacy.md`).

use super::read::Participant;
use super::sidecars::Table;
use crate::io::ReadOptions;

/// The `participants.tsv` columns BIDS 1.11 recommends besides
/// `participant_id` (schema `rules/tabular_data/modality_agnostic.yaml`):
/// they describe a participant without identifying them, and pass
/// through whether or not `participants.json` describes them.
const DESCRIBING_COLUMNS: [&str; 6] = [
    "species",
    "age",
    "sex",
    "handedness",
    "strain",
    "strain_rrid",
];

/// The subject's `participants.tsv` values to pass into each test's
/// metadata, and notes: a column passes when it is a standard describing
/// one ([`DESCRIBING_COLUMNS`]) or `participants.json` describes it, and it
/// is neither identifying ([`crate::model::is_identifying`]) nor a key
/// that would set what the recording is (a record key, `protocol`). A
/// table is not trusted to hold only what it should: a column nobody
/// described (`notes`, a national number under a name of its own) is
/// withheld, and named. A subject with no row, or with two, gets none.
pub(super) fn participant_values(
    table: &Table,
    described: &[String],
    subject: &str,
    options: &ReadOptions,
) -> Participant {
    let Some(id) = table.column("participant_id") else {
        return (
            Vec::new(),
            vec!["BIDS: participants.tsv has no participant_id column: not used".into()],
        );
    };
    let rows: Vec<&Vec<String>> = table
        .rows
        .iter()
        .filter(|(_, r)| r.get(id).is_some_and(|v| v == subject))
        .map(|(_, r)| r)
        .collect();
    let row = match rows.as_slice() {
        [row] => *row,
        [] => {
            return (
                Vec::new(),
                vec![format!("BIDS: participants.tsv has no row for {subject}")],
            )
        }
        many => {
            return (
                Vec::new(),
                vec![format!(
                    "BIDS: participants.tsv has {} rows for {subject}: none used",
                    many.len()
                )],
            )
        }
    };
    let (mut values, mut withheld, mut undescribed, mut not_used) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (i, column) in table.columns.iter().enumerate() {
        let key = crate::model::normalise_key(column);
        if key == "participant_id" {
            continue;
        }
        // A participant's dates identify (BIDS gives an age instead).
        let dated = key.contains("date") || key.contains("time");
        if dated || crate::model::is_identifying(&key, &options.identifying_keys) {
            withheld.push(column.as_str());
        } else if crate::io::is_record_key(&key)
            || crate::io::write::OWN_KEYS.contains(&key.as_str())
        {
            not_used.push(column.as_str());
        } else if !DESCRIBING_COLUMNS.contains(&key.as_str()) && !described.contains(column) {
            undescribed.push(column.as_str());
        } else if let Some(v) = row.get(i).filter(|v| !v.is_empty() && *v != "n/a") {
            values.push((key, v.clone()));
        }
    }
    let mut notes = Vec::new();
    let mut say = |what: &str, columns: &[&str]| {
        if !columns.is_empty() {
            notes.push(format!(
                "BIDS: participants.tsv columns {what}: {}",
                crate::error::printable(&columns.join(", "))
            ));
        }
    };
    say("withheld as identifying", &withheld);
    say(
        "withheld, not described in participants.json (describe one there to pass it on)",
        &undescribed,
    );
    say(
        "not used (they would describe the recording, not the participant)",
        &not_used,
    );
    (values, notes)
}
