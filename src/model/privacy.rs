//! What identifies a person, judged in one place: every output, file name
//! and message that could carry a metadata value asks [`is_identifying`].
//!
//! The policy (`docs/privacy.md`): a metadata key identifies when it is
//! one of [`IDENTIFYING_KEYS`], when it contains one of
//! [`IDENTIFYING_FRAGMENTS`] (so `patient_surname`, `home_address` or
//! `contact_email` are caught however a lab spells them), or when the lab
//! names it (`--identifying-key`, the read option `identifying_keys`).
//! Identifying values are read (files are grouped by `patient_id`) but
//! never written, unless an identified report is asked for.

/// Metadata keys that identify a person, as exports and labs write them;
/// free text (`notes`, `comment`) among them, as a name is often in it.
pub const IDENTIFYING_KEYS: &[&str] = &[
    "patient_name",
    "name",
    "patient",
    "first_name",
    "last_name",
    "surname",
    "given_name",
    "forename",
    "initials",
    "mrn",
    "medical_record_number",
    "hospital_number",
    "patient_id",
    "nhs_number",
    "insurance_id",
    "insurance_number",
    "national_id",
    "ssn",
    "dob",
    "date_of_birth",
    "birth_date",
    "birthdate",
    "address",
    "postcode",
    "zip_code",
    "phone",
    "email",
    "city",
    "town",
    "street",
    "ip",
    "notes",
    "note",
    "comment",
    "comments",
    "remarks",
];

/// Parts of a key that make it identifying wherever they appear in it,
/// compared with the key's letters and digits only (`Post Code`,
/// `post_code` and `postcode` alike; `D.O.B.` is `dob`). None of the keys
/// nmjscope reads contains one.
pub const IDENTIFYING_FRAGMENTS: &[&str] = &[
    "name",
    "patient",
    "birth",
    "dob",
    "address",
    "phone",
    "mobile",
    "email",
    "mrn",
    "nhs",
    "insurance",
    "ssn",
    "initials",
    "postcode",
    "zip",
    "passport",
    "recordno",
    "recordnumber",
    "medicalrecord",
    "idcard",
    "ipaddress",
];

/// A metadata key as the readers store it: trimmed, lower case, `-` and
/// spaces as `_` (`" Stim-Rate Hz"` is `stim_rate_hz`).
pub fn normalise_key(key: &str) -> String {
    key.trim()
        .to_lowercase()
        .chars()
        .map(|c| if c == '-' || c == ' ' { '_' } else { c })
        .collect()
}

/// Whether a metadata key identifies a person: a built-in key, a key
/// holding a built-in fragment, or one of the lab's `extra` keys (all
/// compared as [`normalise_key`] writes them).
pub fn is_identifying(key: &str, extra: &[String]) -> bool {
    let key = normalise_key(key);
    let compact: String = key.chars().filter(|c| c.is_alphanumeric()).collect();
    IDENTIFYING_KEYS.contains(&key.as_str())
        || IDENTIFYING_FRAGMENTS.iter().any(|f| compact.contains(f))
        || extra.iter().any(|k| normalise_key(k) == key)
}

/// A piece of a file quoted in a message, with what may identify
/// withheld: a metadata line that lost its `#` (`key: value`, `key =
/// value`) is quoted with its key alone, since the lab's own identifying
/// keys are not known where files are quoted; a line that starts with an
/// identifying key (`patient_name John Smith`) with that key alone.
pub fn quotable(text: &str) -> String {
    if let Some(i) = text.find([':', '=']) {
        let (key, rest) = text.split_at(i);
        return format!("{key}{} (withheld)", &rest[..1]);
    }
    let first = text
        .split(|c: char| c.is_whitespace() || c == '-')
        .find(|w| !w.is_empty())
        .unwrap_or_default();
    let key_words = text.split(" - ").next().unwrap_or_default();
    if is_identifying(first, &[]) || is_identifying(key_words, &[]) {
        return format!("{} (withheld)", first.trim());
    }
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_catches_the_keys_labs_write() {
        for key in [
            "patient_name",
            "Surname",
            "email",
            "nhs_number",
            "insurance_id",
            "initials",
            "patient_surname",
            "home_address",
            "contact_email",
            "date_of_birth",
            "mother_maiden_name",
            "Post Code",
            "zipcode",
            "record_no",
            "D.O.B.",
            "mobile",
            "e-mail",
            "Record Number",
        ] {
            assert!(is_identifying(key, &[]), "{key}");
        }
        // The keys the tool reads are not identifying.
        for key in [
            "study_id",
            "date",
            "examiner",
            "protocol",
            "muscle",
            "nerve",
            "side",
            "stim_rate_hz",
            "temperature_c",
            "exercise_s",
            "indication",
            "medication",
            "record",
            "label",
            "first_stimulus_ms",
            "pyridostigmine_last_dose_h",
            "supramaximal",
            "exercise_phase",
            "stim_intensity_ma",
            "stim_duration_ms",
            "sampling_rate_hz",
            "polarity",
            "units",
            "generator",
            "condition",
            "severity",
            "seed",
            "train",
        ] {
            assert!(!is_identifying(key, &[]), "{key}");
        }
        assert_eq!(
            quotable("patient_name: john smith"),
            "patient_name: (withheld)"
        );
        assert_eq!(quotable("# DOB = 1950"), "# DOB = (withheld)");
        assert_eq!(quotable("date: 2031-07-19"), "date: (withheld)");
        assert_eq!(
            quotable("patient_name John Smith"),
            "patient_name (withheld)"
        );
        assert_eq!(quotable("PATIENT NAME - John Smith"), "PATIENT (withheld)");
        assert_eq!(quotable("time (ms)"), "time (ms)");
        assert_eq!(quotable("x"), "x");
        let extra = ["Kenni-tala".to_string()];
        assert!(is_identifying("kenni_tala", &extra));
        assert!(!is_identifying("kenni_tala", &[]));
    }
}
