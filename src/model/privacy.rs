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

/// Metadata keys that identify a person, as exports and labs write them.
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
];

/// Parts of a key that make it identifying wherever they appear in it.
/// None of the keys nmjscope reads contains one.
pub const IDENTIFYING_FRAGMENTS: &[&str] = &[
    "name",
    "patient",
    "birth",
    "address",
    "phone",
    "email",
    "e_mail",
    "mrn",
    "nhs",
    "insurance",
    "ssn",
    "initials",
    "postcode",
    "passport",
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
    IDENTIFYING_KEYS.contains(&key.as_str())
        || IDENTIFYING_FRAGMENTS.iter().any(|f| key.contains(f))
        || extra.iter().any(|k| normalise_key(k) == key)
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
        ] {
            assert!(!is_identifying(key, &[]), "{key}");
        }
        let extra = ["Kenni-tala".to_string()];
        assert!(is_identifying("kenni_tala", &extra));
        assert!(!is_identifying("kenni_tala", &[]));
    }
}
