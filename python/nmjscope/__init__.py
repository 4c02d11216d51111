"""nmjscope for Python: read, analyse, simulate and batch-score
electrodiagnostic studies of the neuromuscular junction, with the Rust core
of the `nmjscope` command line (the same numbers, the same report).

>>> import nmjscope
>>> report = nmjscope.analyze("samples/lems")
>>> report.pattern
'presynaptic'

Errors are exceptions with the CLI's message and where it happened
(``err.file``, ``err.line``, ``err.column``, ``err.byte``):
:class:`InputError` (a file's content), :class:`SettingsError` (a setting
or option out of range), :class:`FileError` (the file system), all
subclasses of :class:`NmjscopeError`.

The GIL is released while a study is read and analysed, so a thread pool
(or Dask's threaded scheduler) scores studies in parallel.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import shutil
import tempfile
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from . import _native
from ._native import FileError, InputError, NmjscopeError, Recording, SettingsError

__all__ = [
    "read",
    "read_study",
    "analyze",
    "simulate",
    "jitter",
    "simulate_jitter",
    "Jitter",
    "batch",
    "batch_on",
    "merge",
    "spread_metadata",
    "Recording",
    "Report",
    "NmjscopeError",
    "READ_OPTIONS",
    "InputError",
    "SettingsError",
    "FileError",
    "__version__",
]

__version__: str = _native.version

if TYPE_CHECKING:
    import pandas as pd


def _pandas() -> Any:
    # pandas is imported when a DataFrame is asked for: it takes a third of
    # a second, ten times the rest of `import nmjscope`.
    import pandas

    return pandas

PathLike = Union[str, "os.PathLike[str]"]

#: Columns of :meth:`Report.tests`, with their dtypes.
TEST_COLUMNS: Dict[str, str] = {
    "file": "object",
    "protocol": "object",
    "stim_rate_hz": "float64",
    "exercise_s": "float64",
    "muscle": "object",
    "nerve": "object",
    "side": "object",
    "temperature_c": "float64",
    "sampling_rate_hz": "float64",
    "responses": "int64",
    "decrement_pct": "float64",
    "decrement_4th_pct": "float64",
    "decrement_5th_pct": "float64",
    "max_decrement_pct": "float64",
    "area_decrement_pct": "float64",
    "shape": "object",
    "increment_pct": "float64",
    "last_increment_pct": "float64",
    "area_increment_pct": "float64",
    "pseudofacilitation": "boolean",
    "flags": "object",
    "validity": "object",
}


#: The read options (keyword arguments of :func:`read`, or ``options=`` of
#: :func:`analyze` and :func:`batch`): the keys of the library's one table
#: of read options (``docs/formats.md``), checked as the CLI's flags are.
READ_OPTIONS = tuple(_native.READ_OPTIONS)


def _plain(value: Any) -> Any:
    # A date (``date=datetime.date(2026, 11, 30)``) as YYYY-MM-DD; a path
    # (``record=Path("record.toml")``) as text.
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.isoformat()
    return os.fspath(value)


def _json(value: Dict[str, Any], what: str) -> Optional[str]:
    if not value:
        return None
    try:
        return json.dumps(value, allow_nan=False, default=_plain)
    except (TypeError, ValueError) as err:
        raise SettingsError(_printable(f"{what}: {err}")) from None


def _options_json(options: Dict[str, Any]) -> Optional[str]:
    return _json(options, "read options")


def read(path: PathLike, **options: Any) -> Recording:
    """Reads one trace file of any format nmjscope reads (contract-v1 CSV,
    EDF/EDF+/BDF, LabChart text or CFWB, Spike2 text, continuous CSV).

    Keyword options are the CLI's read flags: ``protocol``, ``stim_rate_hz``,
    ``muscle``, ``nerve``, ``units``, ``polarity``, ``exercise_s``,
    ``temperature_c``, ``side``, ``date`` (YYYY-MM-DD), ``record`` (a
    record file: docs/formats.md, "Record file"), ``input_format``, ``channel``,
    ``stimuli``, ``first_stimulus_ms``, ``stimulus_count``,
    ``pre_stimulus_ms``, ``sweep_ms``.
    """
    return _native.read(os.fspath(path), _options_json(options))


def read_study(path: PathLike, **options: Any) -> List[Recording]:
    """Reads a study (a folder of tests, or one file): one
    :class:`Recording` per test, in file-name order (a BIDS session:
    in the order its ``_scans.tsv`` records)."""
    return _native.read_study(os.fspath(path), _options_json(options))


class Report:
    """The analysis of a study: the same document as ``nmjscope analyze
    --format json``, with pandas views of its tests and responses."""

    def __init__(self, native: "_native.Report") -> None:
        self._native = native
        self._dict: Optional[Dict[str, Any]] = None

    @property
    def pattern(self) -> str:
        """``normal``, ``postsynaptic``, ``presynaptic``, ``indeterminate``, ..."""
        return self._native.pattern

    @property
    def lems_criterion(self) -> str:
        """``specific``, ``suggestive``, ``equivocal``, ``not_met``, ..."""
        return self._native.lems_criterion

    @property
    def summary(self) -> str:
        """The conclusion in words."""
        return self._native.summary

    def to_dict(self) -> Dict[str, Any]:
        """The ``nmjscope.report`` JSON document, as a dict."""
        if self._dict is None:
            self._dict = json.loads(self._native.json())
        return self._dict

    def to_json(self) -> str:
        """The ``nmjscope.report`` JSON document, as the CLI writes it."""
        return self._native.json()

    def text(self) -> str:
        """The text report, as ``nmjscope analyze`` prints it."""
        return self._native.text()

    def responses(self) -> "pd.DataFrame":
        """One row per response: ``measurements.csv``'s columns and values
        (4 decimals, as the CLI writes them; :meth:`to_dict` has every
        digit). Measures are float64 (NaN where not measured), ``index``
        int64, text columns object."""
        return _typed_csv(io.StringIO(self._native.measurements_csv()), _RESPONSE_TYPES)

    def tests(self) -> "pd.DataFrame":
        """One row per test: protocol, rate, decrement and increment, and
        the test's verdict (``validity``: ``valid``, ``limited``,
        ``out_of_protocol``, ``unreliable`` or ``not_done``; the reasons are
        in :meth:`to_dict`)."""
        rows = []
        for t in self.to_dict()["tests"]:
            row = {c: t.get(c) for c in TEST_COLUMNS}
            row["responses"] = len(t["responses"])
            row["flags"] = ";".join(t.get("flags", []) + t.get("train_flags", []))
            row["validity"] = t["validity"]["code"]
            rows.append(row)
        frame = _pandas().DataFrame(rows, columns=list(TEST_COLUMNS))
        return frame.astype(TEST_COLUMNS)

    def muscles(self) -> "pd.DataFrame":
        """One row per muscle and side (``interpretation.muscles``): the
        resting CMAP and its limit, the decrement and increment that decided
        the muscle's reading (value, status, file), its jitter (the entry
        with the worst verdict, when several methods were recorded) and that
        reading."""
        rows = []
        worst = {"abnormal": 0, "not_judged": 1, "normal": 2}
        for m in self.to_dict()["interpretation"]["muscles"]:
            dec, inc = m["decrement"], m["increment"]
            jitter = sorted(m.get("jitter", []), key=lambda j: worst.get(j["verdict"], 3))
            j = jitter[0] if jitter else {}
            rows.append(
                {
                    "muscle": m.get("muscle"),
                    "nerve": m.get("nerve"),
                    "side": m.get("side"),
                    "resting_cmap_mv": m.get("resting_cmap_mv"),
                    "lower_limit_mv": m.get("lower_limit_mv"),
                    "low_cmap": m.get("low_cmap"),
                    "decrement_pct": dec.get("value_pct"),
                    "decrement_status": dec["status"],
                    "decrement_file": dec.get("file"),
                    "increment_pct": inc.get("value_pct"),
                    "increment_status": inc["status"],
                    "increment_file": inc.get("file"),
                    "max_exhaustion_pct": m.get("max_exhaustion_pct"),
                    "jitter_verdict": j.get("verdict"),
                    "jitter_mean_us": j.get("mean_jitter_us"),
                    "jitter_limit_us": j.get("limit_mean_us"),
                    "jitter_abnormal_pairs": j.get("abnormal_pairs"),
                    "jitter_judged_pairs": j.get("judged"),
                    "pattern": m["pattern"],
                }
            )
        return _pandas().DataFrame(rows, columns=list(_MUSCLE_COLUMNS)).astype(_MUSCLE_COLUMNS)

    def write(self, out_dir: PathLike) -> str:
        """Writes the report set (HTML, Markdown, JSON, text, CSV and plots)
        into ``out_dir``, replacing an earlier report set there whole."""
        return os.fspath(self._native.write(os.fspath(out_dir)))

    def __repr__(self) -> str:
        return f"<Report {self.to_dict()['study']['id']}: {self.pattern}>"


#: The non-float columns of :meth:`Report.responses` (every other column
#: is a measure: float64, NaN where not measured).
_RESPONSE_TYPES: Dict[str, str] = {
    **{c: "object" for c in ("study", "path", "file", "protocol", "muscle", "response", "baseline_source", "flags", "manual")},
    "index": "int64",
}


def _printable(text: str) -> str:
    """A message with its control characters escaped, as the library's
    messages are: a folder name cannot break the line or drive a terminal."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def _split(
    kwargs: Dict[str, Any], options: Optional[Dict[str, Any]]
) -> "tuple[Dict[str, Any], Dict[str, Any]]":
    """Keyword arguments that name read options (``muscle="ADM"``) join
    ``options``; the rest are settings sections."""
    opts = dict(options or {})
    settings = {}
    for key, value in kwargs.items():
        if key in READ_OPTIONS:
            opts[key] = value
        else:
            settings[key] = value
    return opts, settings


def analyze(
    source: Union[PathLike, Recording, Iterable[Recording]],
    *,
    options: Optional[Dict[str, Any]] = None,
    study_id: Optional[str] = None,
    thresholds: Optional[PathLike] = None,
    limits: Optional[PathLike] = None,
    identified: bool = False,
    markers: Optional[PathLike] = None,
    **settings: Any,
) -> Report:
    """Analyses a study: a path (a folder of tests, or one file), or
    recordings already read or simulated (one patient session: recordings
    whose ``study_id``, ``patient_id`` or ``date`` disagree are refused,
    as the CLI refuses such a folder).

    ``settings`` are sections of a thresholds file (``docs/settings.md``),
    e.g. ``interpret={"decrement_abnormal_pct": 8}``, or ``thresholds=`` a
    thresholds file; ``limits=`` a lab's lower limits of normal (TOML).
    Read options (:data:`READ_OPTIONS`) go as keywords (``muscle="ADM"``) or
    in ``options=``, and apply when a path is read. ``study_id`` names a
    study of recordings (by default their own ``study_id``);
    ``identified=True`` keeps identifying metadata in the report.
    ``markers=`` gives markers set by hand (``docs/markers.md``) in place of
    the ``<file>.markers.toml`` beside each test: a file for a single test,
    or a folder laid out as the study (``DIR/<file>.markers.toml``).
    """
    opts, sections = _split(settings, options)
    if thresholds is not None:
        sections["thresholds"] = os.fspath(thresholds)
    if limits is not None:
        sections["limits"] = os.fspath(limits)
    settings_json = _json(sections, "settings")
    if isinstance(source, (str, os.PathLike)):
        return Report(
            _native.analyze_path(
                os.fspath(source),
                settings_json,
                _options_json(opts),
                identified,
                None if markers is None else os.fspath(markers),
            )
        )
    if markers is not None:
        raise SettingsError("markers= applies when a path is read; recordings carry their own")
    recordings = [source] if isinstance(source, Recording) else list(source)
    if opts:
        raise SettingsError(
            f"read options ({', '.join(sorted(opts))}) apply when a path is read; "
            "pass them to nmjscope.read for recordings"
        )
    return Report(_native.analyze_recordings(recordings, study_id, settings_json))


def simulate(
    condition: str = "normal",
    severity: float = 0.7,
    protocol: str = "rns",
    seed: int = 1,
    rate_hz: Optional[float] = None,
    muscle: str = "ADM",
    noise_mv: float = 0.01,
) -> Recording:
    """Simulates one test of ``condition`` (``normal``, ``mg``, ``lems``)
    at ``severity`` (0-1): ``protocol`` ``rns`` (3 Hz), ``hfrns`` (50 Hz) or
    ``exercise``. The same seed gives the same recording."""
    return _native.simulate(condition, severity, protocol, seed, rate_hz, muscle, noise_mv)


#: The pairs table's columns and their dtypes (``docs/jitter.md``).
JITTER_COLUMNS: Dict[str, str] = {
    "muscle": "object",
    "side": "object",
    "method": "object",
    "electrode": "object",
    "pair": "object",
    "discharges": "Int64",
    "blocked": "Int64",
    "blocking_pct": "float64",
    "mcd_us": "float64",
    "msd_us": "float64",
    "mcd_msd_ratio": "float64",
    "jitter_us": "float64",
    "jitter_value": "object",
    "counted": "boolean",
    "above_pair_limit": "boolean",
    "flags": "object",
    "verdict": "object",
}


class Jitter:
    """A jitter study's result: ``report`` (the ``nmjscope.jitter/1``
    JSON as a dict), ``pairs`` (one row per pair) and ``muscles`` (one row
    per muscle, method and electrode) as DataFrames."""

    def __init__(self, report_json: str, pairs_csv: str) -> None:
        self.report: Dict[str, Any] = json.loads(report_json)
        self._pairs_csv = pairs_csv

    @property
    def pairs(self) -> "pd.DataFrame":
        return _typed_csv(io.StringIO(self._pairs_csv), JITTER_COLUMNS)

    @property
    def muscles(self) -> "pd.DataFrame":
        rows = []
        for m in self.report["muscles"]:
            limits = m.get("limits") or {}
            rows.append(
                {
                    "muscle": m["muscle"],
                    "side": m.get("side"),
                    "method": m["method"],
                    "electrode": m["electrode"],
                    "pairs": len(m["pairs"]),
                    "counted": m["counted"],
                    "mean_jitter_us": m["mean_jitter_us"],
                    "pairs_above_limit": m["pairs_above_limit"],
                    "above_limit_pct": m["above_limit_pct"],
                    "pairs_blocking": m["pairs_blocking"],
                    "blocking_pairs_pct": m["blocking_pairs_pct"],
                    "mean_limit_us": limits.get("mean_us"),
                    "pair_limit_us": limits.get("pair_us"),
                    "verdict": m["verdict"],
                }
            )
        return _pandas().DataFrame(rows)

    def __repr__(self) -> str:
        verdicts = ", ".join(f"{m['muscle']} {m['verdict']}" for m in self.report["muscles"])
        return f"<nmjscope.Jitter {verdicts}>"


def jitter(
    path: PathLike,
    *,
    age: Optional[float] = None,
    options: Optional[Dict[str, Any]] = None,
    thresholds: Optional[PathLike] = None,
    **settings: Any,
) -> Jitter:
    """Measures and judges jitter from an interval list, one pair's raw
    sweeps, or a folder of them (``docs/jitter.md``), as ``nmjscope
    jitter`` does. ``age`` (years) replaces the files' own (single-fibre
    limits depend on it); ``jitter={"min_discharges": 100}`` and the other
    sections of a thresholds file go as keywords."""
    opts, sections = _split(settings, options)
    if thresholds is not None:
        sections["thresholds"] = os.fspath(thresholds)
    report, pairs = _native.jitter_path(os.fspath(path), _json(sections, "settings"), _options_json(opts), age)
    return Jitter(report, pairs)


def simulate_jitter(
    condition: str = "normal",
    severity: float = 0.5,
    method: str = "voluntary",
    electrode: str = "concentric",
    pairs: int = 24,
    discharges: int = 100,
    seed: int = 1,
    muscle: str = "EDC",
) -> str:
    """Simulated single-fibre pairs as an interval list (the CSV contract's
    text): write it to a file and read it with :func:`jitter`."""
    return _native.simulate_jitter(condition, severity, method, electrode, pairs, discharges, seed, muscle)


def _progress_bar(total: int, enabled: bool) -> Any:
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit="folder")


def batch(
    root: PathLike,
    jobs: Optional[int] = None,
    progress: bool = True,
    out: Optional[PathLike] = None,
    options: Optional[Dict[str, Any]] = None,
    force: bool = False,
    markers: Optional[PathLike] = None,
    resume: bool = False,
    shard: Optional[Union[str, Tuple[int, int]]] = None,
    reports: bool = False,
    **settings: Any,
) -> "pd.DataFrame":
    """Scores every study under ``root`` in parallel (``jobs`` threads, all
    cores by default) and returns the summary (:data:`SUMMARY_COLUMNS`):
    one row per study (a folder mixing studies gives a row each), a failed
    study as a row with its error (file and line). With ``out``, the
    results stay there as ``nmjscope batch`` writes them (summary.csv,
    measurements.csv, studies.jsonl); finished results already in ``out``
    are replaced only with ``force=True``. A progress bar over the folders shows
    in notebooks and terminals when tqdm is installed; Ctrl-C (a notebook's
    interrupt) stops the batch after the study in hand, leaving ``out`` as
    it was. ``markers=`` a folder of markers files laid out as ``root``
    (``DIR/<study>/<file>.markers.toml``), used in place of those beside
    the tests. Read options and settings as for :func:`analyze`.

    As the CLI's ``batch``: ``resume=True`` re-uses the results in ``out``
    for studies whose files are unchanged (``--resume``); ``shard="I/N"``
    (or ``(I, N)``) scores only that shard (``--shard``), to be joined by
    ``nmjscope merge``; ``reports=True`` writes each study's report to
    ``out/reports/`` (``--reports``). ``out`` then records the run in
    ``run.json``."""
    root = os.fspath(root)
    if (resume or shard is not None or reports) and out is None:
        raise SettingsError("resume=, shard= and reports= keep their results in out=; give out=")
    shard_pair = _shard(shard)
    folders = _count_studies(root)
    if not folders:
        err = FileError(f"{_printable(root)}: no study found (folders with trace files, or trace files)")
        err.file, err.line, err.column, err.byte = root, None, None, None
        raise err
    opts, sections = _split(settings, options)
    settings_json = _json(sections, "settings")
    options_json = _options_json(opts)

    def run(folder: str) -> "pd.DataFrame":
        bar = _progress_bar(len(folders), progress)
        update = None if bar is None else (lambda done, _total: bar.update(done - bar.n))
        try:
            _native.batch(
                root,
                folder,
                jobs,
                update,
                settings_json,
                options_json,
                force,
                None if markers is None else os.fspath(markers),
                resume,
                shard_pair,
                reports,
            )
        finally:
            if bar is not None:
                bar.close()
        return _summary(os.path.join(folder, "summary.csv"))

    if out is not None:
        return run(os.fspath(out))
    with tempfile.TemporaryDirectory(prefix="nmjscope-batch-") as tmp:
        return run(os.path.join(tmp, "results"))


def merge(parts: Sequence[PathLike], out: PathLike, force: bool = False) -> "pd.DataFrame":
    """Joins the outputs of sharded batches (``batch(shard=...)`` or
    ``nmjscope batch --shard``) into ``out`` as ``nmjscope merge`` does, and
    returns the merged summary: only the shards of one run, whole (a
    missing or doubled shard, another archive: :class:`InputError`; other
    settings: :class:`SettingsError`); finished results in ``out`` are
    replaced only with ``force=True``."""
    _native.merge([os.fspath(p) for p in parts], os.fspath(out), force)
    return _summary(os.path.join(os.fspath(out), "summary.csv"))


def _shard_task(root: str, part: str, shard: Tuple[int, int], settings: Dict[str, Any]) -> str:
    """One shard of :func:`batch_on`, run on a worker: its output folder."""
    batch(root, progress=False, out=part, shard=shard, **settings)
    return part


def batch_on(client: Any, root: PathLike, out: PathLike, shards: Optional[int] = None, **settings: Any) -> "pd.DataFrame":
    """Scores the archive under ``root`` on a ``dask.distributed`` cluster
    (``client``): ``shards`` tasks (one per worker by default), each
    ``batch(shard="I/N")`` into a folder of its own beside ``out`` (the
    workers must see ``root`` and ``out``'s parent, as on a cluster's shared
    file system), then :func:`merge` into ``out``, as the Slurm recipe of
    ``docs/cluster.md`` does with the CLI. Returns the merged summary, the
    one an unsharded ``batch(root, out=out)`` gives. The shards' folders
    are removed once merged (the function made them). Settings as for
    :func:`batch`."""
    root, out = os.fspath(root), os.fspath(out)
    n = shards or max(1, len(client.scheduler_info().get("workers", {})))
    parent = os.path.dirname(os.path.abspath(out))
    work = tempfile.mkdtemp(prefix=".nmjscope-shards-", dir=parent)
    try:
        futures = [
            client.submit(_shard_task, root, os.path.join(work, f"shard-{i}"), (i, n), settings, pure=False)
            for i in range(n)
        ]
        parts = client.gather(futures)
        return merge(parts, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _shard(shard: Optional[Union[str, Tuple[int, int]]]) -> Optional[Tuple[int, int]]:
    """``"I/N"`` or ``(I, N)`` as the pair the library takes."""
    if shard is None:
        return None
    try:
        i, n = shard.split("/") if isinstance(shard, str) else shard
        return int(i), int(n)
    except (ValueError, TypeError):
        raise SettingsError(f"shard {shard!r}: expected 'I/N' or (I, N), e.g. '0/4'") from None


#: Columns of :meth:`Report.muscles`, with their dtypes.
_MUSCLE_COLUMNS: Dict[str, str] = {
    "muscle": "object",
    "nerve": "object",
    "side": "object",
    "resting_cmap_mv": "float64",
    "lower_limit_mv": "float64",
    "low_cmap": "boolean",
    "decrement_pct": "float64",
    "decrement_status": "object",
    "decrement_file": "object",
    "increment_pct": "float64",
    "increment_status": "object",
    "increment_file": "object",
    "max_exhaustion_pct": "float64",
    "jitter_verdict": "object",
    "jitter_mean_us": "float64",
    "jitter_limit_us": "float64",
    "jitter_abnormal_pairs": "Int64",
    "jitter_judged_pairs": "Int64",
    "pattern": "object",
}

#: Columns of the batch summary (``summary.csv``), with their dtypes.
SUMMARY_COLUMNS: Dict[str, str] = {
    "study": "object",
    "path": "object",
    "status": "object",
    "pattern": "object",
    "lems_criterion": "object",
    "decrement_status": "object",
    "increment_status": "object",
    "low_cmap": "boolean",
    "tests": "Int64",
    "manual_responses": "Int64",
    "decrement_pct": "float64",
    "rest_decrement_pct": "float64",
    "max_exhaustion_pct": "float64",
    "increment_pct": "float64",
    "pseudofacilitation_pct": "float64",
    "muscle": "object",
    "side": "object",
    "first_cmap_mv": "float64",
    "metadata": "object",
    "flags": "object",
    "validity": "object",
    "error": "object",
    "note": "object",
    "report": "object",
    "input_hash": "object",
    "jitter_verdict": "object",
    "jitter_mean_us": "float64",
    "jitter_pairs": "Int64",
    "jitter_abnormal_pairs": "Int64",
}


def _summary(path: str) -> "pd.DataFrame":
    return _typed_csv(path, SUMMARY_COLUMNS)


def spread_metadata(summary: "pd.DataFrame") -> "pd.DataFrame":
    """A copy of a batch summary with its ``metadata`` cell
    (``key=value;...``, the files' own keys such as ``condition``) spread
    into one text column ``meta.<key>`` per key ("" where a study lacks
    it), so that a cohort can be grouped on it."""
    frame = summary.copy()
    parsed = [_metadata_pairs(cell) for cell in frame["metadata"]]
    for key in sorted({k for pairs in parsed for k in pairs}):
        frame["meta." + key] = _object_column([pairs.get(key, "") for pairs in parsed])
    return frame


def _object_column(values: List[str]) -> "pd.Series":
    """Text values as an object column."""
    return _pandas().Series(values, dtype=object)


def _metadata_pairs(cell: str) -> Dict[str, str]:
    """``"condition=mg;severity=0.6"`` as a dict (``%XX`` decoded: the CLI
    percent-encodes ``%``, ``;``, ``=`` and control characters)."""
    from urllib.parse import unquote

    pairs: Dict[str, str] = {}
    for item in (cell or "").split(";"):
        key, sep, value = item.partition("=")
        if sep and key:
            pairs[unquote(key)] = unquote(value)
    return pairs


def _typed_csv(source: Any, dtypes: Dict[str, str]) -> "pd.DataFrame":
    """A CSV the CLI wrote, with the same dtypes whatever its values: each
    column as ``dtypes`` says (float64 when it does not say), text columns
    object (an empty cell is ""), numbers NaN (or <NA>) when empty."""
    pd = _pandas()
    frame = pd.read_csv(source, dtype=str, keep_default_na=False)
    for column in frame.columns:
        dtype = dtypes.get(column, "float64")
        if dtype == "object":
            frame[column] = frame[column].astype(object)
            continue
        values = frame[column].replace("", None)
        if dtype == "boolean":
            frame[column] = values.map({"true": True, "false": False}).astype("boolean")
        else:
            frame[column] = pd.to_numeric(values).astype(dtype)
    return frame


def _count_studies(root: str) -> Iterable[str]:
    """The studies under ``root`` (for the progress bar's total)."""
    return _native.find_studies(root)
