//! Typed errors of the library.
//!
//! Every error that comes from an input file names the file and, where it
//! applies, the 1-based line and column, so that a user can open the file and
//! see what is wrong. The binary adds context and maps errors to exit codes.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where in an input file an error was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file.
    pub path: PathBuf,
    /// 1-based line number, when the error belongs to a line.
    pub line: Option<u64>,
    /// 1-based column (field) number, when the error belongs to a cell.
    pub column: Option<u64>,
    /// 0-based byte offset, when the error belongs to a binary file's
    /// header field or data record (EDF, BDF).
    pub byte: Option<u64>,
}

impl Location {
    /// A location naming only the file.
    pub fn file(path: &Path) -> Self {
        Location {
            path: path.to_path_buf(),
            line: None,
            column: None,
            byte: None,
        }
    }

    /// A location naming the file and a line.
    pub fn line(path: &Path, line: u64) -> Self {
        Location {
            path: path.to_path_buf(),
            line: Some(line),
            column: None,
            byte: None,
        }
    }

    /// A location naming the file, a line and a column.
    pub fn cell(path: &Path, line: u64, column: u64) -> Self {
        Location {
            path: path.to_path_buf(),
            line: Some(line),
            column: Some(column),
            byte: None,
        }
    }
}

impl Location {
    /// A location naming the file and a byte offset (binary formats).
    pub fn byte(path: &Path, offset: u64) -> Self {
        Location {
            path: path.to_path_buf(),
            line: None,
            column: None,
            byte: Some(offset),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if let Some(col) = self.column {
            write!(f, ", column {col}")?;
        }
        if let Some(byte) = self.byte {
            write!(f, ", byte {byte}")?;
        }
        Ok(())
    }
}

/// What kind of failure an error is: what the caller (or the command
/// line's exit code) does about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The content of an input file (exit code 3): fix the file or say
    /// what it leaves out (`--rate`, `--units`, ...).
    Input,
    /// The file system (exit code 4): a path that cannot be read or
    /// written, a directory without studies.
    Io,
    /// Settings or parameters out of range (exit code 5).
    Settings,
    /// The tool itself: a plot or template that failed (exit code 1).
    Internal,
}

impl ErrorKind {
    /// The command line's exit code for this kind (2 is clap's usage
    /// error).
    pub fn exit_code(self) -> u8 {
        match self {
            ErrorKind::Input => 3,
            ErrorKind::Io => 4,
            ErrorKind::Settings => 5,
            ErrorKind::Internal => 1,
        }
    }
}

/// Everything that can go wrong in the library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file or directory could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The path is not a regular file (a directory, a pipe, a device).
    #[error("{path}: not a regular file; expected a CSV export")]
    NotAFile {
        /// The path.
        path: PathBuf,
    },
    /// The file is larger than any export (see `io::MAX_FILE_BYTES`).
    #[error("{path}: {bytes} bytes is larger than any trace export ({max} bytes at most)")]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size, or how much was read before stopping.
        bytes: u64,
        /// The limit.
        max: u64,
    },
    /// The analysis of a study stopped on a bug (a panic), caught so the
    /// rest of a batch goes on.
    #[error("{path}: internal error, please report it with this file: {message}")]
    Panicked {
        /// The study.
        path: PathBuf,
        /// The panic's message.
        message: String,
    },
    /// An earlier batch output cannot be read back (`--resume`, `merge`).
    #[error("{path}: cannot read the earlier batch output: {detail}")]
    Resume {
        /// The summary or report.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// Parts given to `merge` that are not the shards of one run, whole:
    /// a shard missing or given twice, an unsharded run, another archive,
    /// a study in two parts, a part without its run manifest.
    #[error("{path}: not merged: {detail}")]
    MergeParts {
        /// The part (or the first of the run, for a missing shard).
        path: PathBuf,
        /// What is wrong, and what to give instead.
        detail: String,
    },
    /// Parts given to `merge` scored with different settings: their rows
    /// would not be comparable.
    #[error("{path}: not merged: {detail}")]
    MergeSettings {
        /// The part whose settings differ from the first part's.
        path: PathBuf,
        /// Which parts, and their settings hashes.
        detail: String,
    },
    /// An output folder that is not a set this tool wrote: it is never
    /// replaced.
    #[error("{path}: not used for output: {detail}; choose a new or empty folder, so nothing of yours is replaced")]
    OutputNotASet {
        /// The folder.
        path: PathBuf,
        /// What makes it not ours.
        detail: String,
    },
    /// An output file that is not one this tool wrote (a device, a FIFO,
    /// a read-only file, someone's data): it is never replaced.
    #[error(
        "{path}: not written: {detail}; give a new file name, so nothing of yours is replaced"
    )]
    OutputNotOurs {
        /// The file.
        path: PathBuf,
        /// What makes it not ours.
        detail: String,
    },
    /// The file has no content (or only metadata lines).
    #[error("{at}: the file is empty; expected a header row and data rows")]
    Empty {
        /// Where.
        at: Location,
    },
    /// The file is not valid UTF-8.
    #[error("{at}: invalid UTF-8 text (a Windows-1252 or Latin-1 export, where µ is byte 0xB5?); save the file as \"CSV UTF-8\" or convert it with `iconv -f WINDOWS-1252 -t UTF-8`")]
    InvalidUtf8 {
        /// Where the first invalid byte is.
        at: Location,
    },
    /// A `#` line below the header: metadata belongs above it.
    #[error("{at}: a '#' line after the header; metadata lines (# key: value) go above the header, and a file holds one table")]
    MetadataAfterData {
        /// Where the line is.
        at: Location,
    },
    /// The header row is present but no data row follows.
    #[error("{at}: the header has no data rows under it")]
    NoData {
        /// Where the header is.
        at: Location,
    },
    /// A cell that must hold a number does not.
    #[error("{at}: expected a number, found {found:?}")]
    NotANumber {
        /// Where the cell is.
        at: Location,
        /// The cell's text.
        found: String,
    },
    /// A cell holds NaN or an infinity.
    #[error("{at}: expected a finite number, found {found:?}")]
    NonFinite {
        /// Where the cell is.
        at: Location,
        /// The cell's text.
        found: String,
    },
    /// A data row has a different number of fields from the header.
    #[error("{at}: expected {expected} fields as in the header, found {found}")]
    Ragged {
        /// Where the row is.
        at: Location,
        /// Fields in the header.
        expected: usize,
        /// Fields in this row.
        found: usize,
    },
    /// The time column does not increase.
    #[error("{at}: time must increase from row to row ({previous} then {found})")]
    TimeNotIncreasing {
        /// Where the offending row is.
        at: Location,
        /// The previous time value.
        previous: f64,
        /// This row's time value.
        found: f64,
    },
    /// The sampling interval is not uniform.
    #[error(
        "{at}: sample time {found_ms} ms is {off_ms} ms off the uniform grid of {step_ms} ms steps (expected {expected_ms} ms here); the sampling interval is not constant"
    )]
    NonUniformTime {
        /// The first row off the grid.
        at: Location,
        /// The time the grid puts there (ms).
        expected_ms: f64,
        /// The time found (ms).
        found_ms: f64,
        /// How far off (ms).
        off_ms: f64,
        /// The grid's step (ms).
        step_ms: f64,
    },
    /// Too few samples to measure a response.
    #[error("{at}: only {found} samples per response; at least {min} are needed")]
    TooFewSamples {
        /// The file.
        at: Location,
        /// Samples found.
        found: usize,
        /// Samples needed.
        min: usize,
    },
    /// A unit is not one the reader knows.
    #[error("{at}: unknown unit {unit:?}; expected {expected}")]
    UnknownUnit {
        /// Where the unit was given.
        at: Location,
        /// The unit text.
        unit: String,
        /// What is accepted.
        expected: &'static str,
    },
    /// Two response columns (or groups) have the same label.
    #[error("{at}: duplicate response label {label:?}")]
    DuplicateLabel {
        /// Where the second occurrence is.
        at: Location,
        /// The label.
        label: String,
    },
    /// The header names no response column.
    #[error(
        "{at}: no response columns; expected a time column followed by one column per response"
    )]
    NoResponses {
        /// Where the header is.
        at: Location,
    },
    /// The file mixes the wide and the long layout.
    #[error("{at}: mixed layouts: {detail}")]
    MixedLayout {
        /// Where.
        at: Location,
        /// What was found.
        detail: String,
    },
    /// The header does not fit either layout.
    #[error("{at}: bad header: {detail}")]
    BadHeader {
        /// Where.
        at: Location,
        /// What was expected.
        detail: String,
    },
    /// A metadata value is not valid for its key.
    #[error("{at}: metadata {key:?}: {detail}")]
    BadMetadata {
        /// Where the metadata line is.
        at: Location,
        /// The key.
        key: String,
        /// What was expected.
        detail: String,
    },
    /// Responses of a long-layout file are not alike (rows not grouped, or
    /// different time axes).
    #[error("{at}: {detail}")]
    BadLongLayout {
        /// Where.
        at: Location,
        /// What is wrong.
        detail: String,
    },
    /// The files of a directory belong to different studies (their
    /// `study_id`, `patient_id` or `date` disagree).
    #[error("{path}: the files belong to different studies and are not merged: {detail}. Analyse each study on its own, or run `nmjscope batch`, which splits them")]
    MixedStudies {
        /// The directory.
        path: PathBuf,
        /// The files and their identities.
        detail: String,
    },
    /// A measured value no recording of a CMAP can have (wrong units, most
    /// often).
    #[error("{at}: {detail}")]
    Implausible {
        /// The file (and response).
        at: Location,
        /// What was found and what to do.
        detail: String,
    },
    /// A file of a binary or sectioned format (EDF, BDF, LabChart, Spike2)
    /// whose structure cannot be read without misreading the data.
    #[error("{at}: not a readable {} file: {detail}", format.name())]
    BadFile {
        /// The file, and the line or byte.
        at: Location,
        /// The format it was read as.
        format: crate::model::InputFormat,
        /// What is wrong, and what the reader expected.
        detail: String,
    },
    /// The channel asked for (`--channel`) is not in the file, or no
    /// channel holds a voltage to measure.
    #[error("{at}: {detail}")]
    NoChannel {
        /// The file.
        at: Location,
        /// What was asked for and which channels the file has.
        detail: String,
    },
    /// A continuous recording whose stimuli cannot be found, or whose
    /// stimuli leave no room for a sweep.
    #[error("{at}: {detail}")]
    NoStimuli {
        /// The file.
        at: Location,
        /// What was tried and what to do.
        detail: String,
    },
    /// A directory holds no trace file.
    #[error("{path}: no trace files (*.csv, *.edf, *.bdf, *.txt, *.adibin) in the directory")]
    EmptyStudy {
        /// The directory.
        path: PathBuf,
    },
    /// The settings (thresholds file or flags) are not valid.
    #[error("{path}: {detail}")]
    Settings {
        /// The settings file, or `<flags>`.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// A read option (a flag, a Python keyword) out of its range
    /// ([`crate::io::READ_OPTIONS`]).
    #[error("{flag} ({key}): {detail}")]
    ReadOption {
        /// Its key (Python, JSON).
        key: &'static str,
        /// Its command-line flag.
        flag: &'static str,
        /// What is wrong, and the range.
        detail: String,
    },
    /// A record file (`--record`) that cannot be read as one, or whose
    /// section or value is refused, or a value of it a file's checks
    /// refuse.
    #[error("{at}: {detail}")]
    RecordFile {
        /// The record file and the line.
        at: Location,
        /// What is wrong.
        detail: String,
    },
    /// A test's markers file (`<file>.markers.toml`, `docs/markers.md`)
    /// that cannot be read as one, or whose entry is refused.
    #[error("{at}: {detail}")]
    MarkersFile {
        /// The markers file and the line.
        at: Location,
        /// What is wrong.
        detail: String,
    },
    /// A BIDS dataset's file (`dataset_description.json`, a sidecar,
    /// `participants.tsv`) that cannot be read as BIDS says, or that
    /// contradicts the recording it describes (`docs/bids.md`).
    #[error("{at}: {detail}")]
    BidsFile {
        /// The file and the line.
        at: Location,
        /// What is wrong.
        detail: String,
    },
    /// A simulation parameter is out of range.
    #[error("simulation: {0}")]
    Simulation(String),
    /// A plot could not be drawn.
    #[error("plot {name}: {detail}")]
    Plot {
        /// The plot.
        name: String,
        /// What went wrong.
        detail: String,
    },
    /// A report could not be rendered.
    #[error("report {format}: {detail}")]
    Render {
        /// The format.
        format: String,
        /// What went wrong.
        detail: String,
    },
}

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// Where in an input file the error was found (file, and line and
    /// column or byte where they apply), for errors that come from a file's
    /// content; the path alone for file-system errors.
    pub fn location(&self) -> Option<Location> {
        match self {
            Error::InvalidUtf8 { at }
            | Error::Empty { at, .. }
            | Error::MetadataAfterData { at, .. }
            | Error::NoData { at, .. }
            | Error::NotANumber { at, .. }
            | Error::NonFinite { at, .. }
            | Error::Ragged { at, .. }
            | Error::TimeNotIncreasing { at, .. }
            | Error::NonUniformTime { at, .. }
            | Error::TooFewSamples { at, .. }
            | Error::UnknownUnit { at, .. }
            | Error::DuplicateLabel { at, .. }
            | Error::NoResponses { at, .. }
            | Error::MixedLayout { at, .. }
            | Error::BadHeader { at, .. }
            | Error::BadMetadata { at, .. }
            | Error::BadLongLayout { at, .. }
            | Error::Implausible { at, .. }
            | Error::BadFile { at, .. }
            | Error::NoChannel { at, .. }
            | Error::NoStimuli { at, .. }
            | Error::RecordFile { at, .. }
            | Error::MarkersFile { at, .. }
            | Error::BidsFile { at, .. } => Some(at.clone()),
            Error::Io { path, .. }
            | Error::NotAFile { path }
            | Error::TooLarge { path, .. }
            | Error::MixedStudies { path, .. }
            | Error::EmptyStudy { path }
            | Error::OutputNotASet { path, .. }
            | Error::OutputNotOurs { path, .. }
            | Error::Settings { path, .. }
            | Error::Panicked { path, .. }
            | Error::MergeParts { path, .. }
            | Error::MergeSettings { path, .. }
            | Error::Resume { path, .. } => Some(Location::file(path)),
            Error::Simulation(_)
            | Error::ReadOption { .. }
            | Error::Plot { .. }
            | Error::Render { .. } => None,
        }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Io { .. }
            | Error::EmptyStudy { .. }
            | Error::OutputNotASet { .. }
            | Error::OutputNotOurs { .. }
            | Error::Resume { .. } => ErrorKind::Io,
            Error::Settings { .. }
            | Error::MergeSettings { .. }
            | Error::Simulation(_)
            | Error::ReadOption { .. }
            | Error::RecordFile { .. }
            | Error::MarkersFile { .. } => ErrorKind::Settings,
            Error::Plot { .. } | Error::Render { .. } | Error::Panicked { .. } => {
                ErrorKind::Internal
            }
            Error::NotAFile { .. }
            | Error::MergeParts { .. }
            | Error::TooLarge { .. }
            | Error::Empty { .. }
            | Error::InvalidUtf8 { .. }
            | Error::MetadataAfterData { .. }
            | Error::NoData { .. }
            | Error::NotANumber { .. }
            | Error::NonFinite { .. }
            | Error::Ragged { .. }
            | Error::TimeNotIncreasing { .. }
            | Error::NonUniformTime { .. }
            | Error::TooFewSamples { .. }
            | Error::UnknownUnit { .. }
            | Error::DuplicateLabel { .. }
            | Error::NoResponses { .. }
            | Error::MixedLayout { .. }
            | Error::BadHeader { .. }
            | Error::BadMetadata { .. }
            | Error::BadLongLayout { .. }
            | Error::MixedStudies { .. }
            | Error::Implausible { .. }
            | Error::BadFile { .. }
            | Error::NoChannel { .. }
            | Error::NoStimuli { .. }
            | Error::BidsFile { .. } => ErrorKind::Input,
        }
    }

    /// What is wrong, without the file and place [`Error::location`]
    /// gives (for lists that name the file once).
    pub fn detail(&self) -> String {
        let text = self.to_string();
        match self.location() {
            Some(at) => text
                .strip_prefix(&format!("{at}: "))
                .map_or_else(|| text.clone(), str::to_string),
            None => text,
        }
    }

    /// True for errors caused by the content of an input file (as opposed to
    /// the file system, settings or the tool itself).
    pub fn is_input(&self) -> bool {
        self.kind() == ErrorKind::Input
    }
}

/// The library's result type.
pub type Result<T> = std::result::Result<T, Error>;

/// A message as a terminal or log shows it: control characters (a line
/// break or a terminal escape in a file name) written as escapes, so a
/// message stays one line and cannot drive the terminal. Tabs too.
pub fn printable(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_string();
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_debug().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// A number for a message: six significant digits, in scientific notation
/// when it is very large or very small (`1e30`, not thirty-one digits).
pub(crate) fn show(value: f64) -> String {
    let magnitude = value.abs();
    if value == 0.0 || !value.is_finite() || (1e-4..1e7).contains(&magnitude) {
        let digits = 5 - magnitude.log10().floor().clamp(-10.0, 10.0) as i32;
        let f = 10f64.powi(digits.max(0));
        format!(
            "{}",
            if value.is_finite() && value != 0.0 {
                (value * f).round() / f
            } else {
                value
            }
        )
    } else {
        format!("{value:.5e}")
    }
}

#[cfg(test)]
mod tests {
    use super::show;

    #[test]
    fn numbers_in_messages_stay_short() {
        assert_eq!(show(1e30), "1.00000e30");
        assert_eq!(show(1e-300), "1.00000e-300");
        assert_eq!(show(0.050241234), "0.0502412");
        assert_eq!(show(150.0), "150");
        assert_eq!(show(f64::INFINITY), "inf");
        assert_eq!(show(0.0), "0");
    }
}
