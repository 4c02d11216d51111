//! Numbered references for the human formats (text, Markdown, HTML): each
//! finding and validity reason cites `[1]`, `[1, 3]`, and one list prints
//! each distinct source once, numbered in the order first cited. A full
//! citation printed under every finding made a one-muscle report repeat
//! the same reference seven times.
//!
//! JSON and CSV keep each finding's `source` string as it is.

use crate::interpret::sources;

/// The sources one citation names, in the order they appear.
///
/// A citation joins several sources with "; ", but a single source's text
/// holds "; " too ("AAEM Quality Assurance Committee; Chiou-Tan FY, ..."),
/// so it is never split at "; ": each known source ([`sources::ALL`]) is
/// found as a substring, and each stretch of text between them (a lab's
/// own limit, a source not in the list) is one source of its own.
pub(crate) fn split_sources(citation: &str) -> Vec<String> {
    let mut found: Vec<(usize, usize)> = sources::ALL
        .iter()
        .flat_map(|s| citation.match_indices(s).map(|(i, m)| (i, i + m.len())))
        .collect();
    // At one start the longest wins; a match inside one taken is skipped.
    found.sort_by_key(|&(start, end)| (start, std::cmp::Reverse(end)));
    let mut out = Vec::new();
    let mut at = 0;
    for (start, end) in found {
        if start < at {
            continue;
        }
        push_rest(&citation[at..start], &mut out);
        out.push(citation[start..end].to_string());
        at = end;
    }
    push_rest(&citation[at..], &mut out);
    out
}

/// Text between known sources, less the separators around it.
fn push_rest(rest: &str, out: &mut Vec<String>) {
    let rest = rest.trim_matches(|c: char| c.is_whitespace() || c == ';');
    if !rest.is_empty() {
        out.push(rest.to_string());
    }
}

/// The reference list of one report, built as the report is read: a
/// source gets the next number the first time it is cited.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct References {
    /// Each distinct source once; number `n` is `list[n - 1]`.
    pub list: Vec<String>,
}

impl References {
    /// The numbers of the sources `citation` names (ascending, each once),
    /// numbering those not cited before.
    pub fn cite(&mut self, citation: &str) -> Vec<usize> {
        let mut numbers: Vec<usize> = split_sources(citation)
            .into_iter()
            .map(|s| match self.list.iter().position(|x| *x == s) {
                Some(i) => i + 1,
                None => {
                    self.list.push(s);
                    self.list.len()
                }
            })
            .collect();
        numbers.sort_unstable();
        numbers.dedup();
        numbers
    }

    /// [`References::cite`] as the marker printed after a criterion:
    /// `[1]`, `[1, 3]`, or nothing for a citation naming no source.
    pub fn marker(&mut self, citation: &str) -> String {
        let numbers = self.cite(citation);
        if numbers.is_empty() {
            return String::new();
        }
        let list: Vec<String> = numbers.iter().map(usize::to_string).collect();
        format!("[{}]", list.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interpret::sources::{
        AAEM_2001, KONG_2009, LIPKA_2020, MCCOMAS_1994, OH_2005, TOOL_RULE,
    };

    #[test]
    fn a_source_with_its_own_semicolon_is_one_source() {
        assert!(AAEM_2001.contains("; "));
        assert_eq!(split_sources(AAEM_2001), vec![AAEM_2001.to_string()]);
    }

    #[test]
    fn joined_sources_are_split_in_their_order() {
        let joined = format!("{OH_2005}; {LIPKA_2020}; {AAEM_2001}");
        assert_eq!(split_sources(&joined), vec![OH_2005, LIPKA_2020, AAEM_2001]);
        let two = format!("{TOOL_RULE}; {KONG_2009}");
        assert_eq!(split_sources(&two), vec![TOOL_RULE, KONG_2009]);
    }

    #[test]
    fn text_that_is_no_known_source_is_a_source_of_its_own() {
        assert_eq!(
            split_sources("lab limit: lab norms 2024"),
            vec!["lab limit: lab norms 2024"]
        );
        let mixed = format!("a local protocol; {MCCOMAS_1994}; lab norms 2024");
        assert_eq!(
            split_sources(&mixed),
            vec!["a local protocol", MCCOMAS_1994, "lab norms 2024"]
        );
        assert!(split_sources("").is_empty());
        assert!(split_sources(" ; ").is_empty());
    }

    #[test]
    fn a_source_cited_seven_times_is_listed_once() {
        let mut refs = References::default();
        for _ in 0..7 {
            assert_eq!(refs.marker(AAEM_2001), "[1]");
        }
        assert_eq!(refs.list, vec![AAEM_2001]);
    }

    #[test]
    fn joined_sources_get_two_numbers_in_order_of_first_use() {
        let mut refs = References::default();
        assert_eq!(refs.marker(LIPKA_2020), "[1]");
        assert_eq!(refs.marker(&format!("{TOOL_RULE}; {LIPKA_2020}")), "[1, 2]");
        assert_eq!(refs.marker(TOOL_RULE), "[2]");
        assert_eq!(refs.marker(""), "");
        assert_eq!(refs.list, vec![LIPKA_2020, TOOL_RULE]);
    }
}
