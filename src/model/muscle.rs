//! Muscle and side names as files write them, reduced to one name, so that
//! `ADM` and `abductor digiti minimi` (or `L` and `left`) are one everywhere.

/// The canonical short name of a muscle as written in a file, when known:
/// the whole name, else the words in brackets, else the words before them
/// (`Abductor digiti minimi (ADM)` is `ADM`).
pub fn canonical_muscle(name: &str) -> Option<&'static str> {
    known_muscle(name).or_else(|| {
        let (outer, rest) = name.split_once('(')?;
        let inner = rest.split(')').next().unwrap_or("");
        known_muscle(inner).or_else(|| known_muscle(outer))
    })
}

/// Words around a muscle's name that do not change which muscle it is
/// ("M. nasalis", "nasalis muscle", "right frontalis"): labs write them,
/// and a muscle not recognised would lose its cut-off and limit.
const NOT_THE_NAME: [&str; 14] = [
    "m",
    "mm",
    "musc",
    "muscle",
    "musculus",
    "right",
    "left",
    "r",
    "l",
    "rt",
    "lt",
    "dx",
    "sin",
    "bilateral",
];

/// [`canonical_muscle`] of a name without brackets.
fn known_muscle(name: &str) -> Option<&'static str> {
    let n: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let words: Vec<&str> = n
        .split_whitespace()
        .filter(|w| !NOT_THE_NAME.contains(w))
        .collect();
    let n = words.join(" ");
    let n = n.as_str();
    match n {
        "adm" | "abductor digiti minimi" | "abductor digiti quinti" | "adq" => Some("ADM"),
        "apb" | "abductor pollicis brevis" => Some("APB"),
        "fdi" | "first dorsal interosseous" | "1st dorsal interosseous" | "fdio" => Some("FDI"),
        "eip" | "ei" | "extensor indicis" | "extensor indicis proprius" => Some("EIP"),
        "trapezius" | "upper trapezius" | "trap" => Some("trapezius"),
        "anconeus" => Some("anconeus"),
        "deltoid" | "middle deltoid" => Some("deltoid"),
        "frontalis" => Some("frontalis"),
        "orbicularis oculi" | "oculi" | "oo" => Some("orbicularis oculi"),
        "nasalis" => Some("nasalis"),
        "edc" | "ed" | "extensor digitorum" | "extensor digitorum communis" => Some("EDC"),
        _ => None,
    }
}

/// `left` or `right` as labs write them (`L`, `lt`, `sin`, `dx` ...).
pub fn canonical_side(side: &str) -> Option<String> {
    match side.trim().to_lowercase().as_str() {
        "left" | "l" | "lt" | "sin" | "sinister" | "venstre" | "v" => Some("left".to_string()),
        "right" | "r" | "rt" | "dx" | "dexter" | "høyre" | "h" => Some("right".to_string()),
        _ => None,
    }
}

/// The muscle and side of a test as one key, so that tests of one muscle
/// and side are found together (case, spaces and the muscle's other names
/// ignored: `ADM` is `abductor digiti minimi`, `L` is `left`).
pub fn muscle_side_key(muscle: Option<&str>, side: Option<&str>) -> (String, String) {
    let norm = |s: Option<&str>| s.unwrap_or("").trim().to_lowercase();
    let m = muscle
        .and_then(canonical_muscle)
        .map_or_else(|| norm(muscle), str::to_lowercase);
    let s = side.and_then(canonical_side).unwrap_or_else(|| norm(side));
    (m, s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn muscle_names_in_brackets_are_known() {
        assert_eq!(
            canonical_muscle("Abductor digiti minimi (ADM)"),
            Some("ADM")
        );
        assert_eq!(
            canonical_muscle("ADM (abductor digiti minimi)"),
            Some("ADM")
        );
        assert_eq!(canonical_muscle("APB (median)"), Some("APB"));
        assert_eq!(canonical_muscle("biceps (long head)"), None);
        for name in [
            "M. nasalis",
            "nasalis muscle",
            "right nasalis",
            "Nasalis (R)",
        ] {
            assert_eq!(canonical_muscle(name), Some("nasalis"), "{name}");
        }
        assert_eq!(canonical_muscle("m. frontalis"), Some("frontalis"));
        assert_eq!(
            canonical_muscle("Abductor digiti minimi, left"),
            Some("ADM")
        );
        assert_eq!(canonical_muscle("1st dorsal interosseous"), Some("FDI"));
    }
}
