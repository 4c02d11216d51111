"""Jitter from Python: the interval list a simulation writes, read back
into DataFrames with the CLI's figures."""

import json
import subprocess
from pathlib import Path

import pytest

import nmjscope


def test_an_interval_list_gives_exact_measures(tmp_path):
    path = tmp_path / "ipi.csv"
    path.write_text(
        "# nmjscope: jitter\n# muscle: EDC\n# method: voluntary\n# electrode: concentric\n"
        "pair,ipi_us\n" + "".join(f"1,{1000 + (10 if i % 2 else -10)}\n" for i in range(60))
    )
    result = nmjscope.jitter(path)
    pairs = result.pairs
    assert list(pairs.columns) == list(nmjscope.JITTER_COLUMNS)
    assert pairs.loc[0, "mcd_us"] == 20.0
    assert pairs.loc[0, "blocked"] == 0
    assert bool(pairs.loc[0, "counted"])
    # One pair is too few to call a muscle normal.
    assert result.report["muscles"][0]["verdict"] == "not_judged"


def test_simulated_mg_reads_abnormal_and_normal_normal(tmp_path):
    for condition, verdict in [("normal", "normal"), ("mg", "abnormal")]:
        path = tmp_path / f"{condition}.csv"
        path.write_text(nmjscope.simulate_jitter(condition, severity=0.5, seed=2))
        result = nmjscope.jitter(path)
        muscles = result.muscles
        assert muscles.loc[0, "verdict"] == verdict
        assert muscles.loc[0, "mean_limit_us"] == 30.0
        assert len(result.pairs) == 24


def test_settings_and_refusals_are_the_clis(tmp_path):
    path = tmp_path / "mg.csv"
    path.write_text(nmjscope.simulate_jitter("mg", severity=0.5))
    strict = nmjscope.jitter(path, jitter={"min_discharges": 100})
    assert strict.report["settings"]["min_discharges"] == 100
    with pytest.raises(nmjscope.SettingsError):
        nmjscope.jitter(path, jitter={"trend_ratio": 9})
    bad = tmp_path / "bad.csv"
    bad.write_text("# nmjscope: jitter\n# muscle: EDC\n# method: sometimes\npair,ipi_us\n1,5\n")
    with pytest.raises(nmjscope.InputError, match="line 3"):
        nmjscope.jitter(bad)


def test_the_frames_match_the_command_line(tmp_path):
    path = tmp_path / "lems.csv"
    path.write_text(nmjscope.simulate_jitter("lems", severity=0.3, method="stimulated", seed=5))
    ours = nmjscope.jitter(path).report
    root = Path(__file__).resolve().parents[2]
    built = [root / "target" / kind / "nmjscope" for kind in ("release", "debug")]
    binary = next((b for b in built if b.is_file()), None)
    if binary is None:
        pytest.skip("no built nmjscope command (cargo build) to compare with")
    cli = subprocess.run([str(binary), "jitter", str(path), "--format", "json"], capture_output=True, text=True, check=True)
    theirs = json.loads(cli.stdout)
    ours.pop("tool"), theirs.pop("tool")
    ours.pop("files"), theirs.pop("files")
    assert ours == theirs


def test_a_study_with_jitter_reads_it_into_its_pattern_and_muscles(tmp_path):
    import shutil

    root = Path(__file__).resolve().parents[2]
    study = tmp_path / "study"
    shutil.copytree(root / "samples" / "normal", study)
    (study / "jitter_edc.csv").write_text(nmjscope.simulate_jitter("mg", severity=0.5, seed=2))
    report = nmjscope.analyze(study)
    assert report.pattern == "abnormal_jitter"
    muscles = report.muscles().set_index("muscle")
    assert muscles.loc["EDC", "jitter_verdict"] == "abnormal"
    assert muscles.loc["EDC", "jitter_limit_us"] == 30.0
    assert muscles.loc["EDC", "jitter_abnormal_pairs"] > 2
    assert muscles.loc["EDC", "decrement_status"] == "not_tested"
    assert muscles.loc["ADM", "pattern"] == "normal"
    assert muscles["jitter_verdict"].isna().loc["ADM"]
    out = tmp_path / "out"
    report.write(out)
    assert (out / "jitter.html").is_file() and (out / "jitter_pairs.csv").is_file()
    assert "Appendix: jitter" in (out / "report.html").read_text()
