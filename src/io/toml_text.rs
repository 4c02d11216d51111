//! TOML sidecars read with their lines (the record file, the markers
//! file): one way to parse and to name the line a value or an error is
//! on, so that every refusal says the same "file, line N".

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::error::Location;

/// The 1-based line of byte `offset` of `text`.
pub(crate) fn line_at(text: &str, offset: usize) -> u64 {
    let before = text.get(..offset).unwrap_or(text);
    before.bytes().filter(|b| *b == b'\n').count() as u64 + 1
}

/// `text` parsed as `T`, or where and why it does not parse (the line when
/// TOML gives one, and the message on one line).
pub(crate) fn parse<T: DeserializeOwned>(
    path: &Path,
    text: &str,
) -> std::result::Result<T, (Location, String)> {
    toml::from_str(text).map_err(|e| {
        let at = e.span().map_or_else(
            || Location::file(path),
            |s| Location::line(path, line_at(text, s.start)),
        );
        (at, e.message().trim().replace('\n', " "))
    })
}
