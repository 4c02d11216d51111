//! `nmjscope._native`: the Rust core for Python (PyO3). The public API is
//! the `nmjscope` package (`nmjscope/__init__.py`), which wraps these
//! functions and turns their results into pandas DataFrames.
//!
//! Every call that reads or analyses releases the GIL, so a thread pool
//! (or Dask's threaded scheduler) scores studies in parallel.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use numpy::{PyArray1, PyArray2};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use nmjscope::io::{ChannelChoice, ContinuousOptions, Overrides};
use nmjscope::model::{InputFormat, Polarity, Protocol, StimulusSource, Study, VoltUnit};
use nmjscope::render::{self, Format};
use nmjscope::simulate::{Condition, SimConfig};
use nmjscope::{Analysis, Analyzer, ErrorKind, ReadOptions, Recording, Settings};

create_exception!(
    nmjscope,
    NmjscopeError,
    PyException,
    "Any nmjscope error; `file`, `line`, `column` and `byte` say where."
);
create_exception!(
    nmjscope,
    InputError,
    NmjscopeError,
    "An input file's content (the CLI's exit code 3)."
);
create_exception!(
    nmjscope,
    FileError,
    NmjscopeError,
    "The file system: a path that cannot be read or written (exit code 4)."
);
create_exception!(
    nmjscope,
    SettingsError,
    NmjscopeError,
    "Settings or options out of range (exit code 5)."
);

/// The Python exception of a library error: the CLI's message, and where.
fn to_py(e: nmjscope::Error) -> PyErr {
    let message = nmjscope::error::printable(&e.to_string());
    let err = match e.kind() {
        ErrorKind::Input => InputError::new_err(message),
        ErrorKind::Io => FileError::new_err(message),
        ErrorKind::Settings => SettingsError::new_err(message),
        _ => NmjscopeError::new_err(message),
    };
    let at = e.location();
    Python::attach(|py| {
        let value = err.value(py);
        // Settings and options have no file (`<python>`, `<flags>`).
        let file = at
            .as_ref()
            .map(|l| l.path.display().to_string())
            .filter(|f| !f.starts_with('<'));
        let _ = value.setattr("file", file);
        let _ = value.setattr("line", at.as_ref().and_then(|l| l.line));
        let _ = value.setattr("column", at.as_ref().and_then(|l| l.column));
        let _ = value.setattr("byte", at.as_ref().and_then(|l| l.byte));
    });
    err
}

fn settings_error(detail: String) -> PyErr {
    to_py(nmjscope::Error::Settings {
        path: PathBuf::from("<python>"),
        detail,
    })
}

/// One test as read: its responses on one time axis, and its metadata.
#[pyclass(frozen, name = "Recording", module = "nmjscope._native")]
struct PyRecording {
    inner: Recording,
}

#[pymethods]
impl PyRecording {
    /// The file name.
    #[getter]
    fn file(&self) -> String {
        self.inner.source.file_name.clone()
    }

    /// `rns`, `hfrns` or `exercise`.
    #[getter]
    fn protocol(&self) -> String {
        self.inner.protocol.code()
    }

    /// Sampling rate (Hz).
    #[getter]
    fn sampling_rate_hz(&self) -> f64 {
        self.inner.sampling_rate_hz
    }

    /// Stimulation rate (Hz), when known.
    #[getter]
    fn stim_rate_hz(&self) -> Option<f64> {
        self.inner.stim_rate_hz
    }

    /// Response labels (`r1`, `pre`, `post_30s`), one per row of
    /// `responses`.
    #[getter]
    fn labels(&self) -> Vec<String> {
        self.inner.labels.iter().map(ToString::to_string).collect()
    }

    /// Every metadata key and value (identifying keys included: this is
    /// the file as read).
    #[getter]
    fn metadata<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (k, v) in &self.inner.metadata {
            d.set_item(k, v)?;
        }
        Ok(d)
    }

    /// What the reader tolerated in the file (each a sentence naming
    /// where), as `nmjscope inspect` lists them.
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.inner.source.warnings.clone()
    }

    /// The file's format (`csv`, `edf`, `bdf`, `labchart`, `spike2`,
    /// `cfwb`).
    #[getter]
    fn format(&self) -> String {
        self.inner.source.format.code()
    }

    /// The channel measured, in a multi-channel file.
    #[getter]
    fn channel(&self) -> Option<String> {
        self.inner.source.channel.clone()
    }

    /// Time of each sample from the stimulus (ms).
    #[getter]
    fn times_ms<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        let t: Vec<f64> = (0..self.inner.sweep_len())
            .map(|i| self.inner.time_ms(i))
            .collect();
        PyArray1::from_vec(py, t)
    }

    /// The responses in mV, one row per response: a view of the
    /// recording's own memory (no copy), read-only.
    #[getter]
    fn responses<'py>(slf: Bound<'py, Self>) -> Bound<'py, PyArray2<f64>> {
        let container = slf.clone().into_any();
        let samples = &slf.get().inner.samples_mv;
        // SAFETY: `container` (this frozen object) owns `samples` and is
        // kept alive by the array; the array is made read-only below, so
        // the recording is never changed through it.
        let array = unsafe { PyArray2::borrow_from_array(samples, container) };
        if let Ok(flags) = array.getattr("flags") {
            let _ = flags.setattr("writeable", false);
        }
        array
    }

    fn __repr__(&self) -> String {
        format!(
            "<Recording {} {} {} responses x {} samples at {} Hz>",
            self.inner.source.file_name,
            self.inner.protocol.code(),
            self.inner.n_responses(),
            self.inner.sweep_len(),
            self.inner.sampling_rate_hz
        )
    }
}

/// A report: the same document as the CLI's JSON, and the report set.
#[pyclass(frozen, name = "Report", module = "nmjscope._native")]
struct PyReport {
    analysis: Analysis,
}

#[pymethods]
impl PyReport {
    /// The `nmjscope.report` JSON document, as the CLI writes it.
    fn json(&self) -> PyResult<String> {
        let bytes = render::serialize(Format::Json, &self.analysis.report, &[]).map_err(to_py)?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// `measurements.csv`: one row per response.
    fn measurements_csv(&self) -> PyResult<String> {
        let bytes = render::serialize(Format::Csv, &self.analysis.report, &[]).map_err(to_py)?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// The text report, as `nmjscope analyze` prints it.
    fn text(&self) -> PyResult<String> {
        let bytes = render::serialize(Format::Text, &self.analysis.report, &[]).map_err(to_py)?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// The pattern code (`presynaptic`, `postsynaptic`, `normal`, ...).
    #[getter]
    fn pattern(&self) -> String {
        self.analysis.report.interpretation.pattern.code()
    }

    /// The LEMS criterion code (`specific`, `suggestive`, `not_met`, ...).
    #[getter]
    fn lems_criterion(&self) -> String {
        self.analysis.report.interpretation.lems_criterion.code()
    }

    /// The conclusion in words.
    #[getter]
    fn summary(&self) -> String {
        self.analysis.report.interpretation.summary.clone()
    }

    /// Writes the report set (HTML, Markdown, JSON, text, CSV, plots) into
    /// `out_dir`, as `nmjscope analyze --out` does; returns the folder.
    fn write(&self, py: Python<'_>, out_dir: PathBuf) -> PyResult<PathBuf> {
        py.detach(|| {
            let files = render::analysis_set(&self.analysis)?;
            nmjscope::io::fs::write_set(&out_dir, &files, "report")
        })
        .map_err(to_py)
    }
}

/// A string field of the options JSON.
fn text(v: &serde_json::Value, key: &str) -> Option<String> {
    v.get(key).and_then(|x| match x {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// A number option: absent, or a finite number (a string or NaN is an
/// error, not silently ignored).
fn number(v: &serde_json::Value, key: &str) -> PyResult<Option<f64>> {
    match v.get(key) {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(x) => x
            .as_f64()
            .filter(|f| f.is_finite())
            .map(Some)
            .ok_or_else(|| settings_error(format!("{key}={x}: expected a number"))),
    }
}

fn parse<T: std::str::FromStr>(v: &serde_json::Value, key: &str) -> PyResult<Option<T>> {
    match text(v, key) {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| settings_error(format!("{key}={s:?} is not a valid value"))),
    }
}

/// Read options from the keyword arguments: the keys of the library's one
/// table of read options (`nmjscope::io::READ_OPTIONS`), each parsed into
/// its type here and checked by `ReadOptions::validate`, as the CLI's flags
/// are; an unknown name is an error.
fn read_options(json: Option<&str>) -> PyResult<ReadOptions> {
    use nmjscope::io::READ_OPTIONS;
    let v: serde_json::Value = match json {
        Some(j) => serde_json::from_str(j).map_err(|e| settings_error(e.to_string()))?,
        None => serde_json::Value::Null,
    };
    if let Some(map) = v.as_object() {
        if let Some(k) = map
            .keys()
            .find(|k| !READ_OPTIONS.iter().any(|o| o.key == k.as_str()))
        {
            let keys: Vec<&str> = READ_OPTIONS.iter().map(|o| o.key).collect();
            return Err(settings_error(format!(
                "unknown read option {k:?}; the options are {}",
                keys.join(", ")
            )));
        }
    }
    let units = match text(&v, "units") {
        None => None,
        Some(u) => Some(
            VoltUnit::parse(&u)
                .ok_or_else(|| settings_error(format!("units={u:?}: expected mV, uV or V")))?,
        ),
    };
    let supramaximal = match v.get("supramaximal") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::Bool(b)) => Some(*b),
        Some(x) => {
            return Err(settings_error(format!(
                "supramaximal={x}: expected True or False"
            )))
        }
    };
    let stimulus_count = match number(&v, "stimulus_count")? {
        None => None,
        Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= 1e9 => Some(n as usize),
        Some(n) => {
            return Err(settings_error(format!(
                "stimulus_count={n}: expected a whole number"
            )))
        }
    };
    let options = ReadOptions {
        markers: None,
        protocol: parse::<Protocol>(&v, "protocol")?,
        overrides: Overrides {
            stim_rate_hz: number(&v, "stim_rate_hz")?,
            muscle: text(&v, "muscle"),
            nerve: text(&v, "nerve"),
            units,
            polarity: parse::<Polarity>(&v, "polarity")?,
            exercise_s: number(&v, "exercise_s")?,
            temperature_c: number(&v, "temperature_c")?,
            side: text(&v, "side"),
            examiner: text(&v, "examiner"),
            indication: text(&v, "indication"),
            medication: text(&v, "medication"),
            stim_intensity_ma: number(&v, "stim_intensity_ma")?,
            stim_duration_ms: number(&v, "stim_duration_ms")?,
            supramaximal,
            pyridostigmine_last_dose_h: number(&v, "pyridostigmine_h")?,
            date: text(&v, "date"),
        },
        format: parse::<InputFormat>(&v, "input_format")?,
        continuous: ContinuousOptions {
            channel: text(&v, "channel").map(|c| ChannelChoice::parse(&c)),
            stimuli: parse::<StimulusSource>(&v, "stimuli")?,
            first_stimulus_ms: number(&v, "first_stimulus_ms")?,
            stimulus_count,
            pre_stimulus_ms: number(&v, "pre_stimulus_ms")?,
            sweep_ms: number(&v, "sweep_ms")?,
        },
        identifying_keys: keys(&v, "identifying_keys")?,
        follow_links: match v.get("follow_links") {
            None | Some(serde_json::Value::Null) => false,
            Some(serde_json::Value::Bool(b)) => *b,
            Some(x) => {
                return Err(settings_error(format!(
                    "follow_links={x}: expected True or False"
                )))
            }
        },
        record: match text(&v, "record") {
            Some(path) => Some(nmjscope::io::RecordFile::read(Path::new(&path)).map_err(to_py)?),
            None => None,
        },
    };
    options.validate().map_err(to_py)?;
    Ok(options)
}

/// A list of metadata keys (a str is one key).
fn keys(v: &serde_json::Value, key: &str) -> PyResult<Vec<String>> {
    match v.get(key) {
        None | Some(serde_json::Value::Null) => Ok(Vec::new()),
        Some(serde_json::Value::String(k)) => Ok(vec![k.clone()]),
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| settings_error(format!("{key}: {i} is not a key (a str)")))
            })
            .collect(),
        Some(x) => Err(settings_error(format!(
            "{key}={x}: expected a list of keys"
        ))),
    }
}

/// Settings: a thresholds file, or sections as in one (JSON), and a lab's
/// lower limits of normal.
fn settings(json: Option<&str>) -> PyResult<Settings> {
    let v: serde_json::Value = match json {
        Some(j) => serde_json::from_str(j).map_err(|e| settings_error(e.to_string()))?,
        None => serde_json::Value::Object(Default::default()),
    };
    let mut sections = v.as_object().cloned().unwrap_or_default();
    let file = sections.remove("thresholds");
    let limits = sections.remove("limits");
    let mut s: Settings = match file.as_ref().and_then(|f| f.as_str()) {
        Some(_) if !sections.is_empty() => {
            return Err(settings_error(
                "give either thresholds= (a file) or settings sections, not both".to_string(),
            ))
        }
        Some(f) => Settings::from_file(Path::new(f)).map_err(to_py)?,
        None => serde_json::from_value(serde_json::Value::Object(sections))
            .map_err(|e| settings_error(format!("settings: {e}")))?,
    };
    if let Some(f) = limits.as_ref().and_then(|f| f.as_str()) {
        s.interpret.lab_limits =
            nmjscope::settings::lab_limits_from_file(Path::new(f)).map_err(to_py)?;
    }
    s.validate(Path::new("<python>")).map_err(to_py)?;
    Ok(s)
}

/// Reads one trace file (any format nmjscope reads).
#[pyfunction]
#[pyo3(signature = (path, options=None))]
fn read(py: Python<'_>, path: PathBuf, options: Option<&str>) -> PyResult<PyRecording> {
    let options = read_options(options)?;
    let inner = py
        .detach(|| nmjscope::read_trace_file(&path, &options))
        .map_err(to_py)?;
    Ok(PyRecording { inner })
}

/// Reads a study: a folder of tests, or one file.
#[pyfunction]
#[pyo3(signature = (path, options=None))]
fn read_study(py: Python<'_>, path: PathBuf, options: Option<&str>) -> PyResult<Vec<PyRecording>> {
    let options = read_options(options)?;
    let study = py
        .detach(|| nmjscope::read_study(&path, &options))
        .map_err(to_py)?;
    Ok(study
        .tests
        .into_iter()
        .map(|inner| PyRecording { inner })
        .collect())
}

/// Reads and analyses a study at `path`.
#[pyfunction]
#[pyo3(signature = (path, settings_json=None, options=None, identified=false, markers=None))]
fn analyze_path(
    py: Python<'_>,
    path: PathBuf,
    settings_json: Option<&str>,
    options: Option<&str>,
    identified: bool,
    markers: Option<PathBuf>,
) -> PyResult<PyReport> {
    let settings = settings(settings_json)?;
    let mut options = read_options(options)?;
    // A folder mirrors the study's layout; a file is one test's markers
    // (as `nmjscope analyze --markers`).
    if let Some(dir) = markers.as_deref().filter(|m| m.is_dir()) {
        options.markers = Some(nmjscope::io::MarkersDir::for_study(dir, &path));
    }
    let analysis = py
        .detach(|| {
            let mut study = nmjscope::read_study(&path, &options)?;
            if let Some(file) = markers.as_deref().filter(|m| !m.is_dir()) {
                nmjscope::io::apply_markers_file(file, &mut study)?;
            }
            Analyzer::new(settings)?
                .identified(identified)
                .analyze_with_display(&study)
        })
        .map_err(to_py)?;
    Ok(PyReport { analysis })
}

/// Recordings of one patient session: they disagree on no identity key
/// (`study_id`, `patient_id`, `date`), as the CLI requires of a folder.
fn one_session(tests: &[Recording]) -> PyResult<()> {
    for key in nmjscope::io::IDENTITY_KEYS {
        let mut values: Vec<(&str, &str)> = tests
            .iter()
            .filter_map(|t| {
                t.metadata
                    .get(key)
                    .filter(|v| !v.is_empty())
                    .map(|v| (t.source.file_name.as_str(), v.as_str()))
            })
            .collect();
        values.sort_by(|a, b| a.1.cmp(b.1));
        values.dedup_by(|a, b| a.1 == b.1);
        if values.len() > 1 {
            let detail = values
                .iter()
                .map(|(f, v)| format!("{f} ({key} {v})"))
                .collect::<Vec<_>>()
                .join("; ");
            return Err(to_py(nmjscope::Error::MixedStudies {
                path: PathBuf::from("<recordings>"),
                detail,
            }));
        }
    }
    Ok(())
}

/// Analyses recordings already read (or simulated) as one study.
#[pyfunction]
#[pyo3(signature = (recordings, study_id=None, settings_json=None))]
fn analyze_recordings(
    py: Python<'_>,
    recordings: Vec<Py<PyRecording>>,
    study_id: Option<String>,
    settings_json: Option<&str>,
) -> PyResult<PyReport> {
    let settings = settings(settings_json)?;
    let tests: Vec<Recording> = recordings.iter().map(|r| r.get().inner.clone()).collect();
    if tests.is_empty() {
        return Err(settings_error("no recordings to analyse".to_string()));
    }
    one_session(&tests)?;
    // The files' own study id, when they agree on one.
    let study_id = study_id.unwrap_or_else(|| {
        tests
            .iter()
            .find_map(|t| t.study_id.clone())
            .unwrap_or_else(|| "study".to_string())
    });
    let study = Study {
        id: study_id,
        path: PathBuf::from("<python>"),
        tests,
        jitter: None,
    };
    let analysis = py
        .detach(|| Analyzer::new(settings)?.analyze_with_display(&study))
        .map_err(to_py)?;
    Ok(PyReport { analysis })
}

/// Simulates one test.
// The Python signature's keyword arguments, one per simulation setting.
#[allow(clippy::too_many_arguments)]
#[pyfunction]
#[pyo3(signature = (condition="normal", severity=0.7, protocol="rns", seed=1, rate_hz=None, muscle="ADM", noise_mv=0.01))]
fn simulate(
    py: Python<'_>,
    condition: &str,
    severity: f64,
    protocol: &str,
    seed: u64,
    rate_hz: Option<f64>,
    muscle: &str,
    noise_mv: f64,
) -> PyResult<PyRecording> {
    let condition: Condition = condition.parse().map_err(|_| {
        settings_error(format!(
            "condition={condition:?}: expected normal, mg or lems"
        ))
    })?;
    let protocol = Protocol::parse(protocol).ok_or_else(|| {
        settings_error(format!(
            "protocol={protocol:?}: expected rns, hfrns or exercise"
        ))
    })?;
    let config = SimConfig {
        condition,
        severity,
        protocol,
        rate_hz,
        muscle: muscle.to_string(),
        seed,
        noise_mv,
        ..SimConfig::default()
    };
    let test = py
        .detach(|| nmjscope::simulate::simulate_test(&config))
        .map_err(to_py)?;
    Ok(PyRecording {
        inner: test.recording,
    })
}

/// Analyses a jitter study (an interval list, one pair's sweeps, or a
/// folder of them): returns the report as JSON (`nmjscope.jitter/1`) and
/// the tidy pairs table as CSV, from which Python builds its frames.
#[pyfunction]
#[pyo3(signature = (path, settings_json=None, options=None, age=None))]
fn jitter_path(
    py: Python<'_>,
    path: PathBuf,
    settings_json: Option<&str>,
    options: Option<&str>,
    age: Option<f64>,
) -> PyResult<(String, String)> {
    let settings = settings(settings_json)?;
    let options = read_options(options)?;
    py.detach(|| {
        let input = nmjscope::io::jitter::read_jitter(&path, &options)?;
        let a = nmjscope::pipeline::jitter::analyze_jitter(&input, age, &settings)?;
        let json = String::from_utf8_lossy(&nmjscope::render::jitter::jitter_json(&a.report)).into_owned();
        let csv = String::from_utf8_lossy(&nmjscope::render::jitter::jitter_csv(&a.report)).into_owned();
        Ok((json, csv))
    })
    .map_err(to_py)
}

/// Simulates single-fibre pairs: returns the interval list as the CSV
/// contract writes it (`docs/jitter.md`).
#[pyfunction]
#[pyo3(signature = (condition="normal", severity=0.5, method="voluntary", electrode="concentric", pairs=24, discharges=100, seed=1, muscle="EDC"))]
#[allow(clippy::too_many_arguments)]
fn simulate_jitter(
    py: Python<'_>,
    condition: &str,
    severity: f64,
    method: &str,
    electrode: &str,
    pairs: usize,
    discharges: usize,
    seed: u64,
    muscle: &str,
) -> PyResult<String> {
    let bad = |what: &str, v: &str, expected: &str| settings_error(format!("{what}={v:?}: expected {expected}"));
    let condition: Condition = condition.parse().map_err(|_| bad("condition", condition, "normal, mg or lems"))?;
    let method = nmjscope::io::jitter::parse_method(method).ok_or_else(|| bad("method", method, "voluntary or stimulated"))?;
    let electrode = nmjscope::io::jitter::parse_electrode(electrode)
        .ok_or_else(|| bad("electrode", electrode, "single_fibre or concentric"))?;
    let config = nmjscope::simulate::jitter::JitterSimConfig {
        condition,
        severity,
        method,
        electrode,
        pairs,
        discharges,
        seed,
        muscle: muscle.to_string(),
        ..Default::default()
    };
    let simulated = py.detach(|| nmjscope::simulate::jitter::simulate_pairs(&config)).map_err(to_py)?;
    let list: Vec<_> = simulated.into_iter().map(|p| p.pair).collect();
    Ok(nmjscope::io::jitter::ipi_csv(&list, &[("condition", condition.to_string()), ("seed", seed.to_string())]))
}

/// What `nmjscope batch` takes besides the archive and the settings, as
/// Python gives it: the CLI's `--force`, `--resume`, `--shard I/N` and
/// `--reports`, with the CLI's rules (one `OutputRules`).
#[derive(Debug, Clone, Copy, Default)]
struct RunFlags {
    force: bool,
    resume: bool,
    shard: Option<(u32, u32)>,
    reports: bool,
}

/// Scores every study under `root` (the shard `I/N` of them with `shard`)
/// into `out` (summary.csv, measurements.csv, studies.jsonl, run.json;
/// `reports/` with `reports`), calling `progress(done, total)` after each
/// study; returns (studies, failed). Finished results in `out` are
/// replaced only with `force`, or re-used for unchanged studies with
/// `resume`, as the CLI's `batch` does.
#[pyfunction]
#[pyo3(signature = (root, out, jobs=None, progress=None, settings_json=None, options=None, force=false, markers=None, resume=false, shard=None, reports=false))]
#[allow(clippy::too_many_arguments)]
fn batch(
    py: Python<'_>,
    root: PathBuf,
    out: PathBuf,
    jobs: Option<usize>,
    progress: Option<Py<PyAny>>,
    settings_json: Option<&str>,
    options: Option<&str>,
    force: bool,
    markers: Option<PathBuf>,
    resume: bool,
    shard: Option<(u32, u32)>,
    reports: bool,
) -> PyResult<(usize, usize)> {
    if let Some((i, n)) = shard {
        if n == 0 || i >= n {
            return Err(to_py(nmjscope::Error::Settings {
                path: PathBuf::from("<shard>"),
                detail: format!("shard {i}/{n}: I must be below N, and N at least 1"),
            }));
        }
    }
    let flags = RunFlags {
        force,
        resume,
        shard,
        reports,
    };
    let settings = settings(settings_json)?;
    let mut options = read_options(options)?;
    if let Some(dir) = markers {
        if !dir.is_dir() {
            return Err(to_py(nmjscope::Error::MarkersFile {
                at: nmjscope::Location::file(&dir),
                detail: "batch takes a folder of markers files laid out as root".into(),
            }));
        }
        options.markers = Some(nmjscope::io::MarkersDir::for_archive(&dir, &root));
    }
    // Before any output is begun (`BatchJob::run_each` checks it too).
    if let Some(record) = &options.record {
        record.check_for_batch().map_err(to_py)?;
    }
    let interrupted = AtomicBool::new(false);
    let run = || -> nmjscope::Result<nmjscope::batch::Counts> {
        let mut studies = nmjscope::batch::find_studies(&root)?;
        let in_archive = studies.len();
        if let Some(shard) = flags.shard {
            studies.retain(|s| nmjscope::batch::in_shard(&root, s, shard));
        }
        let previous = if flags.resume {
            nmjscope::batch::Previous::load(&out, &root)?
        } else {
            nmjscope::batch::Previous::default()
        };
        let job = nmjscope::batch::BatchJob {
            settings: &settings,
            options: &options,
            threads: jobs,
            previous: &previous,
        };
        let rules = nmjscope::batch::OutputRules {
            force: flags.force,
            resume: flags.resume,
            shard: flags.shard,
            can_resume: true,
            root: Some(root.clone()),
            studies: studies.len(),
            run: nmjscope::batch::RunInfo {
                command: vec![
                    "nmjscope.batch (Python)".to_string(),
                    root.display().to_string(),
                    format!("out={}", out.display()),
                    format!("{flags:?}"),
                ],
                settings: Some(settings.clone()),
                read_options: Some(format!("{options:?}")),
                in_archive,
                reports: flags.reports,
            },
        };
        let mut writer = nmjscope::batch::ResultsWriter::begin(&out, rules)?;
        let report = |p: nmjscope::batch::Progress<'_>| {
            if let Some(cb) = &progress {
                Python::attach(|py| {
                    let _ = cb.call1(py, (p.done, p.total));
                });
            }
        };
        job.run_each(
            &studies,
            &report,
            &|item| nmjscope::batch::Prepared::of(&root, item, flags.reports),
            &mut |_, prepared| {
                if interrupted.load(Ordering::SeqCst) {
                    return Err(nmjscope::Error::Settings {
                        path: PathBuf::from("<python>"),
                        detail: "interrupted".to_string(),
                    });
                }
                writer.push(prepared)
            },
        )?;
        writer.finish()
    };
    // The batch runs on its own thread; this (the interpreter's main)
    // thread watches for Ctrl-C, which Python delivers only to it: no
    // further study is written, and `out` keeps what it held.
    let counts = py.detach(|| {
        std::thread::scope(|scope| {
            let worker = scope.spawn(run);
            while !worker.is_finished() {
                std::thread::sleep(SIGNAL_POLL);
                Python::attach(|py| {
                    if py.check_signals().is_err() {
                        interrupted.store(true, Ordering::SeqCst);
                    }
                });
            }
            worker.join().unwrap_or_else(|_| {
                Err(nmjscope::Error::Settings {
                    path: PathBuf::from("<python>"),
                    detail: "the batch thread panicked".to_string(),
                })
            })
        })
    });
    if interrupted.load(Ordering::SeqCst) {
        return Err(pyo3::exceptions::PyKeyboardInterrupt::new_err(
            "batch interrupted; the output folder keeps what it held before",
        ));
    }
    let counts = counts.map_err(to_py)?;
    Ok((counts.studies, counts.failed))
}

/// How often a batch looks for Ctrl-C: a person waits no longer.
const SIGNAL_POLL: std::time::Duration = std::time::Duration::from_millis(50);

/// The studies under `root`, as `batch` finds them.
#[pyfunction]
fn find_studies(py: Python<'_>, root: PathBuf) -> PyResult<Vec<PathBuf>> {
    py.detach(|| nmjscope::batch::find_studies(&root))
        .map_err(to_py)
}

/// The Rust core of the `nmjscope` package.
/// Joins the outputs of `batch(shard=...)` (or `nmjscope batch --shard`)
/// into `out`, as `nmjscope merge` does: only the shards of one run,
/// whole; finished results in `out` replaced only with `force`. Returns
/// (studies, failed).
#[pyfunction]
#[pyo3(signature = (parts, out, force=false))]
fn merge(
    py: Python<'_>,
    parts: Vec<PathBuf>,
    out: PathBuf,
    force: bool,
) -> PyResult<(usize, usize)> {
    let mut command = vec!["nmjscope.merge (Python)".to_string()];
    command.extend(parts.iter().map(|p| p.display().to_string()));
    let counts = py
        .detach(|| nmjscope::batch::merge(&parts, &out, force, command))
        .map_err(to_py)?;
    Ok((counts.studies, counts.failed))
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyRecording>()?;
    m.add_class::<PyReport>()?;
    m.add_function(wrap_pyfunction!(read, m)?)?;
    m.add_function(wrap_pyfunction!(read_study, m)?)?;
    m.add_function(wrap_pyfunction!(analyze_path, m)?)?;
    m.add_function(wrap_pyfunction!(analyze_recordings, m)?)?;
    m.add_function(wrap_pyfunction!(simulate, m)?)?;
    m.add_function(wrap_pyfunction!(jitter_path, m)?)?;
    m.add_function(wrap_pyfunction!(simulate_jitter, m)?)?;
    m.add_function(wrap_pyfunction!(batch, m)?)?;
    m.add_function(wrap_pyfunction!(merge, m)?)?;
    m.add_function(wrap_pyfunction!(find_studies, m)?)?;
    let py = m.py();
    m.add("NmjscopeError", py.get_type::<NmjscopeError>())?;
    m.add("InputError", py.get_type::<InputError>())?;
    m.add("FileError", py.get_type::<FileError>())?;
    m.add("SettingsError", py.get_type::<SettingsError>())?;
    m.add("version", env!("CARGO_PKG_VERSION"))?;
    let keys: Vec<&str> = nmjscope::io::READ_OPTIONS.iter().map(|o| o.key).collect();
    m.add("READ_OPTIONS", keys)?;
    Ok(())
}
