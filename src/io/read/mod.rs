//! One reader per format, each into the [`Recording`](crate::Recording)
//! model. Today there is one format, the CSV trace export of input contract
//! v1 (`docs/formats.md`): [`trace_csv`], with the header and metadata
//! rules it shares in [`header`], the text decoding in [`text`], plain
//! decimals read from bytes in [`number`] and the
//! plausible ranges of a recording in [`plausible`].

pub(crate) mod header;
pub(crate) mod number;
pub mod plausible;
pub(crate) mod text;
pub(crate) mod trace_csv;
