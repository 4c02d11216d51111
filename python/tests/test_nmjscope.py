"""Tests of the Python package (run by .ci/run after `pip install ./python[test]`)."""

import json
import os
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import nmjscope

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
FORMATS = ROOT / "tests" / "data" / "formats"


def cli(*args):
    """The CLI built from the same sources (cargo run --release)."""
    exe = ROOT / "target" / "release" / "nmjscope"
    if not exe.exists():
        subprocess.run(["cargo", "build", "--release", "-q"], cwd=ROOT, check=True)
    return subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("study,pattern", [("lems", "presynaptic"), ("mg", "postsynaptic"), ("normal", "normal")])
def test_each_sample_is_analysed_as_the_cli_does(study, pattern):
    report = nmjscope.analyze(SAMPLES / study)
    assert report.pattern == pattern
    ours = report.to_dict()
    theirs = json.loads(cli("analyze", SAMPLES / study, "--format", "json"))
    for doc in (ours, theirs):
        doc["tool"].pop("version", None)
    assert ours == theirs


def test_read_gives_the_traces_without_a_copy():
    rec = nmjscope.read(SAMPLES / "lems" / "1_rns_3hz.csv")
    assert rec.protocol == "rns"
    assert rec.labels[:2] == ["r1", "r2"]
    assert rec.sampling_rate_hz == 20000.0
    assert rec.metadata["muscle"] == "ADM"
    a = rec.responses
    assert a.shape == (10, 900) and a.dtype == np.float64
    assert not a.flags.owndata, "a view of the recording's memory"
    assert not a.flags.writeable
    assert rec.times_ms[0] == pytest.approx(-5.0)
    assert len(rec.times_ms) == a.shape[1]


def test_every_format_reads():
    for f in ["edf/1_rns_5hz.edf", "labchart/1_rns_5hz.txt", "spike2/1_rns_5hz.txt", "cfwb/1_rns_5hz.adibin"]:
        rec = nmjscope.read(FORMATS / f)
        assert rec.labels == [f"r{i}" for i in range(1, 11)], f
        assert rec.channel is not None


def test_dataframes_have_the_columns_and_dtypes_of_the_csv():
    report = nmjscope.analyze(SAMPLES / "lems")
    responses = report.responses()
    header = cli("analyze", SAMPLES / "lems", "--format", "csv").splitlines()[0].split(",")
    assert list(responses.columns) == header
    for c in ["amplitude_mv", "area_mv_ms", "onset_ms", "duration_ms", "change_pct"]:
        assert responses[c].dtype == np.float64, c
    assert responses["index"].dtype == np.int64
    assert len(responses) == 10 + 4 + 50
    tests = report.tests()
    assert list(tests.columns) == list(nmjscope.TEST_COLUMNS)
    assert tests["decrement_pct"].dtype == np.float64
    assert str(tests["pseudofacilitation"].dtype) == "boolean"
    assert tests.loc[2, "increment_pct"] == pytest.approx(report.to_dict()["tests"][2]["increment_pct"])
    assert list(tests["validity"]) == ["valid", "valid", "valid"]


def test_a_cold_test_is_judged_limited_and_the_reading_is_not_normal():
    report = nmjscope.analyze(SAMPLES / "normal", temperature_c=28)
    assert report.pattern == "incomplete"
    assert set(report.tests()["validity"]) == {"limited"}
    reasons = report.to_dict()["tests"][0]["validity"]["reasons"]
    assert reasons[0]["code"] == "cold" and "28 °C" in reasons[0]["text"]


def test_settings_are_sections_of_a_thresholds_file_and_echoed():
    report = nmjscope.analyze(SAMPLES / "mg", interpret={"decrement_abnormal_pct": 30.0})
    assert report.to_dict()["settings"]["interpret"]["decrement_abnormal_pct"] == 30.0
    default = nmjscope.analyze(SAMPLES / "mg").to_dict()["settings"]["interpret"]
    assert default["decrement_abnormal_pct"] == 10.0
    with pytest.raises(nmjscope.SettingsError) as err:
        nmjscope.analyze(SAMPLES / "mg", interpret={"decrement_abnormal_pct": -5.0})
    assert "decrement_abnormal_pct" in str(err.value)


def test_errors_name_the_file_and_line_as_the_cli_does(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("time_ms,r1\n0,1\n0.05,x\n")
    with pytest.raises(nmjscope.InputError) as err:
        nmjscope.read(bad)
    assert err.value.file == str(bad)
    assert err.value.line == 3 and err.value.column == 2
    run = subprocess.run([str(ROOT / "target" / "release" / "nmjscope"), "inspect", str(bad)],
                         capture_output=True, text=True)
    assert run.returncode == 3
    assert str(err.value) in run.stderr
    with pytest.raises(nmjscope.FileError):
        nmjscope.read(tmp_path / "absent.csv")
    assert issubclass(nmjscope.InputError, nmjscope.NmjscopeError)


def test_simulate_is_seeded_and_analysable():
    a = nmjscope.simulate("lems", 0.8, "hfrns", seed=7)
    b = nmjscope.simulate("lems", 0.8, "hfrns", seed=7)
    assert np.array_equal(a.responses, b.responses)
    report = nmjscope.analyze(a)
    assert report.tests()["increment_pct"][0] > 60
    # Severe MG (0.7 in the simulator's severity mapping) that stays postsynaptic.
    study = [nmjscope.simulate("mg", 0.7, p, seed=3) for p in ("rns", "exercise", "hfrns")]
    assert nmjscope.analyze(study, study_id="mg-3").pattern == "postsynaptic"
    with pytest.raises(nmjscope.SettingsError):
        nmjscope.simulate("flu")


def test_batch_returns_the_summary_the_cli_writes(tmp_path):
    frame = nmjscope.batch(SAMPLES, jobs=2, progress=False, out=tmp_path / "py")
    cli("batch", SAMPLES, "--out", tmp_path / "cli", "--quiet")
    theirs = pd.read_csv(tmp_path / "cli" / "summary.csv", keep_default_na=False, na_values=[""])
    assert list(frame.columns) == list(theirs.columns)
    assert frame["status"].tolist() == theirs["status"].tolist()
    assert frame["pattern"].tolist() == theirs["pattern"].tolist()
    assert (tmp_path / "py" / "studies.jsonl").is_file()
    # Both outputs record their run, with the same settings and archive.
    py_run = json.loads((tmp_path / "py" / "run.json").read_text())
    cli_run = json.loads((tmp_path / "cli" / "run.json").read_text())
    assert py_run["command"][0] == "nmjscope.batch (Python)"
    assert py_run["settings_hash"] == cli_run["settings_hash"]
    assert py_run["root"] == cli_run["root"] == str(SAMPLES.resolve())
    # Rows: a folder holding several patients' files is several studies.
    assert py_run["counts"]["scored"] + py_run["counts"]["failed"] == len(frame)
    assert py_run["counts"]["found"] == len(nmjscope._native.find_studies(str(SAMPLES)))
    calls = []
    nmjscope._native.batch(str(SAMPLES), str(tmp_path / "cb"), 1, lambda d, t: calls.append((d, t)))
    assert calls[-1][0] == calls[-1][1] == len(nmjscope._native.find_studies(str(SAMPLES)))


def test_the_summary_names_each_quantity_and_passes_the_metadata_through(tmp_path):
    frame = nmjscope.batch(SAMPLES, jobs=2, progress=False, out=tmp_path / "py")
    mg = frame[frame["path"].str.endswith("mg")].iloc[0]
    report = nmjscope.analyze(SAMPLES / "mg").to_dict()
    q = report["interpretation"]["quantities"]
    assert mg["rest_decrement_pct"] == round(q["rest_decrement_pct"], 1)
    # The MG sample's rise after exercise is pseudofacilitation: not an increment.
    assert pd.isna(mg["increment_pct"])
    assert mg["pseudofacilitation_pct"] == round(q["pseudofacilitation_pct"], 1)
    assert mg["muscle"] == "ADM"
    assert "condition=mg" in mg["metadata"]
    cohort = nmjscope.spread_metadata(frame)
    assert cohort.loc[frame["path"].str.endswith("mg"), "meta.condition"].tolist() == ["mg"]
    assert list(cohort.columns[: len(frame.columns)]) == list(frame.columns)


def test_muscles_gives_one_row_per_muscle():
    muscles = nmjscope.analyze(SAMPLES / "lems").muscles()
    assert muscles["muscle"].tolist() == ["ADM"]
    assert muscles["lower_limit_mv"].tolist() == [6.0]
    assert bool(muscles["low_cmap"].iloc[0]) is True
    assert muscles["pattern"].tolist() == ["presynaptic"]


def test_a_markers_sidecar_beside_a_test_is_applied_and_counted(tmp_path):
    study = tmp_path / "mg"
    study.mkdir()
    for name in os.listdir(SAMPLES / "mg"):
        (study / name).write_bytes((SAMPLES / "mg" / name).read_bytes())
    (study / "1_rns_3hz.csv.markers.toml").write_text(
        '[[response]]\nresponse = 4\nexcluded = "movement artifact"\nby = "KH"\nat = "2026-12-07T10:16"\n'
    )
    train = nmjscope.analyze(study).to_dict()["tests"][0]
    assert train["responses"][3]["manual"]["excluded"] == "movement artifact"
    assert train["decrement_read_to"] == 5
    summary = nmjscope.batch(tmp_path, progress=False)
    assert summary["manual_responses"].tolist() == [1]


def test_markers_given_apart_from_the_recordings(tmp_path):
    # A folder of markers laid out as the archive, for analyze and batch;
    # a file for one test.
    archive = tmp_path / "archive"
    marks = tmp_path / "marks"
    (marks / "mg").mkdir(parents=True)
    for study in ("mg", "normal"):
        (archive / study).mkdir(parents=True)
        for name in os.listdir(SAMPLES / study):
            (archive / study / name).write_bytes((SAMPLES / study / name).read_bytes())
    entry = '[[response]]\nresponse = 4\nexcluded = "movement"\nby = "KH"\nat = "2026-12-07T10:16"\n'
    (marks / "mg" / "1_rns_3hz.csv.markers.toml").write_text(entry)
    plain = nmjscope.analyze(archive / "mg").to_dict()["tests"][0]
    assert plain.get("decrement_read_to") is None
    marked = nmjscope.analyze(archive / "mg", markers=marks / "mg").to_dict()["tests"][0]
    assert marked["decrement_read_to"] == 5
    one = nmjscope.analyze(archive / "mg" / "1_rns_3hz.csv",
                           markers=marks / "mg" / "1_rns_3hz.csv.markers.toml")
    assert one.to_dict()["tests"][0]["decrement_read_to"] == 5
    summary = nmjscope.batch(archive, progress=False, markers=marks)
    counted = dict(zip(summary["path"].map(os.path.basename), summary["manual_responses"]))
    assert counted == {"mg": 1, "normal": 0}
    # A markers file that names no test is refused, with its name.
    (marks / "mg" / "9_typo.csv.markers.toml").write_text(entry)
    with pytest.raises(nmjscope.SettingsError, match="9_typo.csv.markers.toml"):
        nmjscope.analyze(archive / "mg", markers=marks / "mg")
    with pytest.raises(nmjscope.SettingsError, match="folder of markers"):
        nmjscope.batch(archive, progress=False, markers=marks / "mg" / "1_rns_3hz.csv.markers.toml")


def test_report_write_writes_the_report_set(tmp_path):
    out = nmjscope.analyze(SAMPLES / "lems").write(tmp_path / "report")
    names = sorted(os.listdir(out))
    assert {"report.html", "report.json", "report.md", "report.txt", "measurements.csv", "plots"} <= set(names)


def test_the_gil_is_released_so_threads_run_in_parallel(tmp_path):
    # Four analyses on four threads: while one is in Rust, another runs.
    inside = []
    lock = threading.Lock()

    def one(study):
        with lock:
            inside.append(threading.get_ident())
        return nmjscope.analyze(SAMPLES / study).pattern

    with ThreadPoolExecutor(4) as pool:
        patterns = list(pool.map(one, ["lems", "mg", "normal", "lems"]))
    assert patterns == ["presynaptic", "postsynaptic", "normal", "presynaptic"]
    # A Python callback runs on a Rust worker thread during a batch: it
    # could not if the calling thread held the GIL.
    seen = set()
    nmjscope._native.batch(str(SAMPLES), str(tmp_path / "gil"), 2,
                           lambda d, t: seen.add(threading.get_ident()))
    assert seen


def test_recordings_of_different_patients_are_refused_as_the_cli_refuses_them():
    mixed = nmjscope.read_study(SAMPLES / "lems") + nmjscope.read_study(SAMPLES / "mg")
    with pytest.raises(nmjscope.InputError) as err:
        nmjscope.analyze(mixed)
    assert "different studies" in str(err.value)
    with pytest.raises(nmjscope.SettingsError):
        nmjscope.analyze([])
    lems = nmjscope.analyze(iter(nmjscope.read_study(SAMPLES / "lems")))
    assert lems.to_dict()["study"]["id"] == "sim-lems-303"


def test_options_are_checked_as_the_cli_checks_its_flags():
    path = SAMPLES / "lems" / "1_rns_3hz.csv"
    assert nmjscope.read(path, stim_rate_hz=5).stim_rate_hz == 5.0
    assert nmjscope.read(path, identifying_keys=["Hospital No"]).stim_rate_hz == 3.0
    for bad, words in [
        ({"rate": 5}, 'unknown read option "rate"'),
        ({"stim_rate_hz": "5"}, "expected a number"),
        ({"stim_rate_hz": 1000}, "--rate (stim_rate_hz): 1000 is outside the plausible 0.1-100 Hz"),
        ({"stimulus_count": 2.7}, "expected a whole number"),
        ({"stimulus_count": 0}, "--stimulus-count (stimulus_count): 0 is outside 1-2000"),
        ({"sweep_ms": 1000}, "--sweep-ms (sweep_ms): 1000 is outside the plausible 5-500 ms"),
        ({"units": "furlongs"}, "expected mV, uV or V"),
        ({"protocol": "xyz"}, "protocol"),
        ({"identifying_keys": [1]}, "is not a key"),
        ({"follow_links": "yes"}, "expected True or False"),
        ({"identifying_keys": [""]}, "--identifying-key (identifying_keys): a key is 1-64 characters"),
    ]:
        with pytest.raises(nmjscope.SettingsError) as err:
            nmjscope.read(path, **bad)
        assert words in str(err.value), (bad, str(err.value))
        assert err.value.file is None
    with pytest.raises(nmjscope.SettingsError):
        nmjscope.analyze(SAMPLES / "lems", interpret={"decrement_abnormal_pct": float("nan")})
    # Read options go as keywords to analyze too.
    report = nmjscope.analyze(SAMPLES / "lems", muscle="APB")
    assert report.tests()["muscle"].tolist() == ["APB"] * 3


def test_dtypes_do_not_depend_on_the_values(tmp_path):
    frame = nmjscope.batch(SAMPLES, progress=False)
    assert frame.dtypes.to_dict() == {c: np.dtype(t) if t in ("object", "float64") else frame.dtypes[c]
                                      for c, t in nmjscope.SUMMARY_COLUMNS.items()}
    assert str(frame["tests"].dtype) == "Int64" and str(frame["low_cmap"].dtype) == "boolean"
    assert frame["error"].map(type).eq(str).all()
    (tmp_path / "empty").mkdir()
    with pytest.raises(nmjscope.FileError):
        nmjscope.batch(tmp_path / "empty", progress=False)
    responses = nmjscope.analyze(SAMPLES / "lems").responses()
    assert responses["stim_rate_hz"].dtype == np.float64
    assert responses["response"].dtype == object


def test_batch_output_is_replaced_only_with_force_and_messages_are_escaped(tmp_path):
    out = tmp_path / "out"
    nmjscope.batch(SAMPLES / "lems", progress=False, out=out)
    with pytest.raises(nmjscope.FileError) as err:
        nmjscope.batch(SAMPLES / "lems", progress=False, out=out)
    assert "add --force to replace them" in str(err.value)
    nmjscope.batch(SAMPLES / "lems", progress=False, out=out, force=True)
    odd = tmp_path / "e\nm\x1b[31m"
    odd.mkdir()
    with pytest.raises(nmjscope.FileError) as err:
        nmjscope.batch(odd, progress=False)
    assert "\n" not in str(err.value) and "\x1b" not in str(err.value)


def test_python_batch_is_at_parity_with_the_cli(tmp_path):
    # A finished CLI batch scored with other settings is never replaced
    # by a Python batch without force=True.
    cli("batch", SAMPLES, "--decrement-pct", "8", "--out", tmp_path / "cli", "--quiet")
    before = (tmp_path / "cli" / "summary.csv").read_bytes()
    with pytest.raises(nmjscope.FileError) as err:
        nmjscope.batch(SAMPLES, progress=False, out=tmp_path / "cli")
    assert "add --force to replace them" in str(err.value)
    assert (tmp_path / "cli" / "summary.csv").read_bytes() == before
    # resume= re-uses what is unchanged, as --resume does.
    full = nmjscope.batch(SAMPLES, progress=False, out=tmp_path / "full")
    again = nmjscope.batch(SAMPLES, progress=False, out=tmp_path / "full", resume=True)
    run = json.loads((tmp_path / "full" / "run.json").read_text())
    assert run["counts"]["reused"] == len(full) and again.equals(full)
    # shard= and reports=: the shards merged by the CLI are the whole run.
    parts = []
    for i in range(3):
        part = tmp_path / f"shard-{i}"
        nmjscope.batch(SAMPLES, progress=False, out=part, shard=f"{i}/3", reports=True)
        assert json.loads((part / "run.json").read_text())["shard"] == {"index": i, "count": 3}
        parts.append(part)
    cli("merge", *parts, "--out", tmp_path / "merged")
    merged = pd.read_csv(tmp_path / "merged" / "summary.csv", keep_default_na=False, na_values=[""])
    assert merged["path"].tolist() == full["path"].tolist()
    assert merged["pattern"].tolist() == full["pattern"].tolist()
    assert any((tmp_path / "merged" / "reports").iterdir())
    with pytest.raises(nmjscope.SettingsError):
        nmjscope.batch(SAMPLES, progress=False, out=tmp_path / "bad", shard="3/3")
    with pytest.raises(nmjscope.SettingsError):
        nmjscope.batch(SAMPLES, progress=False, shard="0/2")


def test_a_distributed_run_gives_the_unsharded_summary(tmp_path):
    # Worker processes (not threads), as on a cluster: the shards are
    # scored in other interpreters, merged here, and the summary is the
    # one an unsharded run writes, byte for byte.
    distributed = pytest.importorskip("distributed")
    cli("batch", SAMPLES, "--out", tmp_path / "whole", "--quiet")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            summary = nmjscope.batch_on(client, SAMPLES, tmp_path / "dist", shards=3)
    for name in ["summary.csv", "measurements.csv", "studies.jsonl"]:
        assert (tmp_path / "dist" / name).read_bytes() == (tmp_path / "whole" / name).read_bytes(), name
    run = json.loads((tmp_path / "dist" / "run.json").read_text())
    assert run["merged_parts"] == 3 and run["command"][0] == "nmjscope.merge (Python)"
    assert len(summary) == run["counts"]["scored"] + run["counts"]["failed"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".nmjscope-shards")] == []
    # A shard left out is refused by the merge, as by the CLI's.
    parts = []
    for i in range(3):
        nmjscope.batch(SAMPLES, progress=False, out=tmp_path / f"s{i}", shard=(i, 3))
        parts.append(tmp_path / f"s{i}")
    with pytest.raises(nmjscope.InputError, match="1 of the run's 3 shards is missing"):
        nmjscope.merge(parts[:2], tmp_path / "m")


def test_errors_pickle_and_warnings_show():
    import pickle

    try:
        nmjscope.read(FORMATS / "hostile" / "header_length_wrong.edf")
    except nmjscope.InputError as err:
        again = pickle.loads(pickle.dumps(err))
        assert type(again) is nmjscope.InputError and str(again) == str(err)
    rec = nmjscope.read(FORMATS / "hostile" / "truncated.edf")
    assert rec.format == "edf"
    assert any("partial data record" in w for w in rec.warnings)


def test_ctrl_c_stops_a_batch_and_keeps_the_output_folder(tmp_path):
    import signal

    root = tmp_path / "archive"
    for i in range(600):
        study = root / f"s{i:04d}"
        study.mkdir(parents=True)
        for f in (SAMPLES / "lems").iterdir():
            (study / f.name).symlink_to(f)
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    # 600 studies take seconds on one thread: the interrupt comes first.
    # (The studies are links to the samples: followed only when asked.)
    with pytest.raises(KeyboardInterrupt):
        nmjscope.batch(root, jobs=1, progress=False, out=tmp_path / "out", follow_links=True)
    assert not (tmp_path / "out").exists(), "nothing half-written"


def test_a_record_file_describes_a_bilateral_study_by_file(tmp_path):
    study = tmp_path / "study"
    study.mkdir()
    for name in ("a.csv", "b.csv"):
        (study / name).write_bytes((SAMPLES / "lems" / "1_rns_3hz.csv").read_bytes())
    record = tmp_path / "record.toml"
    record.write_text(
        '[study]\nexaminer = "KH"\n[muscle.ADM]\ntemperature_c = 33.5\n'
        '[file."a.csv"]\nside = "left"\n[file."b.csv"]\nside = "right"\n'
    )
    report = nmjscope.analyze(study, record=record, date="2026-11-30")
    tests = report.tests()
    assert tests["side"].tolist() == ["left", "right"]
    assert tests["temperature_c"].tolist() == [33.5, 33.5]
    doc = report.to_dict()
    assert doc["study"]["date"] == "2026-11-30" and doc["study"]["examiner"] == "KH"
    assert "side_to_side" in [f["code"] for f in doc["interpretation"]["findings"]]
    # A date object is a date; the same as the CLI's flags.
    import datetime
    assert nmjscope.analyze(study, date=datetime.date(2026, 11, 30)).to_dict()["study"]["date"] == "2026-11-30"
    with pytest.raises(nmjscope.SettingsError) as err:
        nmjscope.analyze(study, date="2026-02-30")
    assert "--date (date): 2026-02-30 is no calendar date" in str(err.value)
    record.write_text('[study]\nexaminer = "KH"\ncolour = "red"\n')
    with pytest.raises(nmjscope.SettingsError) as err:
        nmjscope.analyze(study, record=str(record))
    assert 'unknown key "colour"' in str(err.value)
    assert err.value.file == str(record) and err.value.line == 3
    record.write_text('[file."c.csv"]\nside = "left"\n')
    with pytest.raises(nmjscope.SettingsError) as err:
        nmjscope.analyze(study, record=record)
    assert '[file."c.csv"] names no file of the study' in str(err.value)
    assert err.value.line == 1


def test_a_bids_dataset_is_batched_and_read_as_the_cli_reads_it(tmp_path):
    cli("simulate", "--cohort", "lems", "--n", "3", "--bids", tmp_path / "ds")
    frame = nmjscope.batch(tmp_path / "ds", jobs=2, progress=False, out=tmp_path / "py")
    assert frame["study"].tolist() == ["sub-001_ses-01", "sub-002_ses-01", "sub-003_ses-01"]
    assert set(frame["pattern"]) == {"presynaptic"}
    assert frame["metadata"].str.contains("condition=lems").all()
    study = nmjscope.read_study(tmp_path / "ds" / "sub-002" / "ses-01")
    assert [t.file for t in study][0] == "sub-002_ses-01_task-rns3hz_emg.edf"
