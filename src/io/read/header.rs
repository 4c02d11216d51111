//! Header-cell grammar of input contract v1: names, units in brackets or as
//! suffixes, and what role a column plays.

use crate::model::VoltUnit;

/// A header cell split into its lower-case name and an optional unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HeaderCell {
    /// Lower-case name without the bracketed unit, trimmed.
    pub name: String,
    /// The unit in brackets, as written (trimmed).
    pub bracket_unit: Option<String>,
}

impl HeaderCell {
    pub fn parse(cell: &str) -> HeaderCell {
        let cell = cell.trim();
        for (open, close) in [('(', ')'), ('[', ']')] {
            if cell.ends_with(close) {
                if let Some(start) = cell.rfind(open) {
                    let unit = cell[start + open.len_utf8()..cell.len() - close.len_utf8()].trim();
                    return HeaderCell {
                        name: cell[..start].trim().to_lowercase(),
                        bracket_unit: Some(unit.to_string()),
                    };
                }
            }
        }
        HeaderCell {
            name: cell.to_lowercase(),
            bracket_unit: None,
        }
    }
}

/// Unit of the time column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimeUnit {
    Ms,
    S,
}

/// The role a time column's name and unit give it; `Err` carries an unknown
/// unit. `None` when the cell does not name a time column.
pub(crate) fn time_column(cell: &HeaderCell) -> Option<Result<TimeUnit, String>> {
    let (base, suffix_unit) = match cell.name.as_str() {
        "time" | "t" => (true, None),
        "time_ms" | "t_ms" => (true, Some(TimeUnit::Ms)),
        "time_s" | "t_s" => (true, Some(TimeUnit::S)),
        _ => (false, None),
    };
    if !base {
        return None;
    }
    // A unit in brackets wins over one in the name.
    match &cell.bracket_unit {
        Some(u) => match u.to_lowercase().as_str() {
            "ms" => Some(Ok(TimeUnit::Ms)),
            "s" | "sec" => Some(Ok(TimeUnit::S)),
            _ => Some(Err(u.clone())),
        },
        None => Some(Ok(suffix_unit.unwrap_or(TimeUnit::Ms))),
    }
}

/// Whether the name is a long-layout response-id column.
pub(crate) fn is_response_id(cell: &HeaderCell) -> bool {
    matches!(cell.name.as_str(), "response" | "sweep" | "trace")
}

/// The long-layout value column: `Some(unit in the name)` when the cell is
/// one (`value` has no unit of its own).
pub(crate) fn value_column(cell: &HeaderCell) -> Option<Option<VoltUnit>> {
    match cell.name.as_str() {
        "value" => Some(None),
        "value_mv" | "mv" => Some(Some(VoltUnit::Millivolt)),
        "value_uv" | "uv" | "value_µv" | "µv" => Some(Some(VoltUnit::Microvolt)),
        _ => None,
    }
}

/// Splits a unit suffix (`_mv`, `_uv`, `_v`) off a response column name.
pub(crate) fn response_label(name: &str) -> (String, Option<VoltUnit>) {
    for (suffix, unit) in [
        ("_mv", VoltUnit::Millivolt),
        ("_uv", VoltUnit::Microvolt),
        ("_µv", VoltUnit::Microvolt),
    ] {
        if let Some(stem) = name.strip_suffix(suffix) {
            if !stem.is_empty() {
                return (stem.to_string(), Some(unit));
            }
        }
    }
    (name.to_string(), None)
}

pub(crate) use crate::model::normalise_key;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_cells_split_units() {
        let c = HeaderCell::parse(" Time (ms) ");
        assert_eq!(c.name, "time");
        assert_eq!(c.bracket_unit.as_deref(), Some("ms"));
        assert_eq!(time_column(&c), Some(Ok(TimeUnit::Ms)));
        let c = HeaderCell::parse("R1 [µV]");
        assert_eq!(c.name, "r1");
        assert_eq!(c.bracket_unit.as_deref(), Some("µV"));
        assert_eq!(
            time_column(&HeaderCell::parse("time_s")),
            Some(Ok(TimeUnit::S))
        );
        assert_eq!(time_column(&HeaderCell::parse("t")), Some(Ok(TimeUnit::Ms)));
        assert_eq!(
            time_column(&HeaderCell::parse("time_ms (s)")),
            Some(Ok(TimeUnit::S)),
            "a bracketed unit wins"
        );
        assert_eq!(
            time_column(&HeaderCell::parse("time (min)")),
            Some(Err("min".to_string()))
        );
        assert_eq!(time_column(&HeaderCell::parse("r1")), None);
    }

    #[test]
    fn keys_and_unit_suffixes() {
        assert_eq!(normalise_key(" Stim-Rate Hz"), "stim_rate_hz");
        assert_eq!(
            response_label("r1_uv"),
            ("r1".into(), Some(VoltUnit::Microvolt))
        );
    }
}
