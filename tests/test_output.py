"""Results directories: complete, re-loadable, atomic, and never overwritten by accident."""

from __future__ import annotations

import itertools
import json
import re
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import callsim
from callsim.cli.commands import app
from callsim.experiment.compare import compare
from callsim.experiment.sweep import sweep
from callsim.store.write import (
    OutputExistsError,
    check_target,
    write_compare,
    write_directory,
    write_run,
    write_sweep,
)

DATA = Path(__file__).parent / "data"
runner = CliRunner()
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
RUN_FILES = {"summary.json", "intervals.csv", "agents.csv", "scenario.yaml"}


@pytest.fixture
def scenarios(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("small.yaml", "small_csv.yaml", "volume.csv", "staffing.csv"):
        shutil.copy(DATA / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> object:
    return runner.invoke(app, ["run", "small.yaml", "-r", "3", "-w", "1", "--seed", "5", *args])


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def one_line(text: str) -> str:
    lines = ANSI.sub("", text).splitlines()
    assert len(lines) == 1, text
    return lines[0]


# -- what a results directory holds ----------------------------------------------------------


def test_out_writes_the_results(scenarios: Path) -> None:
    result = run("--out", "res", "--json")
    assert result.exit_code == 0, result.output
    out = scenarios / "res"
    names = {p.name for p in out.iterdir()}
    assert names >= RUN_FILES
    assert "calls.csv.gz" not in names
    assert hidden(scenarios) == []

    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary == json.loads(result.stdout)
    assert summary["seed"] == 5
    assert summary["replications"] == 3

    intervals = pd.read_csv(out / "intervals.csv", dtype={"start": str})
    assert len(intervals) == 4
    assert list(intervals["start"]) == ["08:00", "08:30", "09:00", "09:30"]
    for column in ("service_level_mean", "service_level_ci_low", "service_level_ci_high"):
        assert column in intervals.columns
    assert {"offered_mean", "asa_s_mean", "occupancy_mean"} <= set(intervals.columns)
    assert intervals["offered_mean"].sum() == pytest.approx(summary["kpis"]["offered"]["mean"])

    agents = pd.read_csv(out / "agents.csv")
    assert len(agents) == 5
    assert {"agent", "group", "occupancy"} <= set(agents.columns)
    assert set(agents["group"]) == {"team"}


@pytest.mark.parametrize("name", ["small.yaml", "small_csv.yaml"])
def test_scenario_yaml_loads_back_to_the_same_model(scenarios: Path, name: str) -> None:
    result = runner.invoke(app, ["run", name, "-r", "2", "-w", "1", "--out", "res"])
    assert result.exit_code == 0, result.output
    original = callsim.load_scenario(name)
    # Read back from somewhere else: the saved scenario needs none of the CSV files.
    elsewhere = scenarios / "archive"
    elsewhere.mkdir()
    shutil.copy(scenarios / "res" / "scenario.yaml", elsewhere / "scenario.yaml")
    assert callsim.load_scenario(elsewhere / "scenario.yaml") == original


def test_save_calls_writes_one_row_per_call_per_replication(scenarios: Path) -> None:
    result = run("--out", "res", "--save-calls")
    assert result.exit_code == 0, result.output
    calls = pd.read_csv(scenarios / "res" / "calls.csv.gz")
    assert set(calls["replication"]) == {0, 1, 2}
    expected = callsim.simulate("small.yaml", replications=3, seed=5, workers=1)
    per_rep = calls.groupby("replication").size()
    assert list(per_rep) == list(expected.per_replication["offered"].astype(int))
    assert {"arrival", "answer", "end", "outcome"} <= set(calls.columns)


# -- manifest.json: how the results were made ------------------------------------------------


def manifest_of(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def test_api_manifest_records_the_call_not_the_process_argv(tmp_path: Path) -> None:
    """Through the API, sys.argv is whatever runs the API (here pytest's command line): the
    manifest must record the call's own parameters instead."""
    result = callsim.simulate(DATA / "small.yaml", replications=2, seed=11, workers=1)
    write_run(result, tmp_path / "res")
    manifest = manifest_of(tmp_path / "res")
    text = json.dumps(manifest)
    assert "pytest" not in text
    assert not any(arg in text for arg in sys.argv[1:] if len(arg) > 3)
    assert "command" not in manifest
    assert manifest["kind"] == "run"
    assert manifest["call"] == {
        "function": "simulate",
        "scenario": "tiny",
        "seed": 11,
        "replications": 2,
        "keep_calls": False,
    }
    assert (manifest["seed"], manifest["replications"]) == (11, 2)
    assert "workers" not in manifest["call"]  # results do not depend on it


def test_api_manifest_of_a_sweep_records_the_grid(tmp_path: Path) -> None:
    base = callsim.load_scenario(DATA / "small.yaml")
    result = sweep(base, {"arrivals.scale": [0.9, 1.1]}, replications=2, seed=3, workers=1)
    write_sweep(result, tmp_path / "res")
    call = manifest_of(tmp_path / "res")["call"]
    assert call == {
        "function": "sweep",
        "scenario": "tiny",
        "params": {"arrivals.scale": [0.9, 1.1]},
        "seed": 3,
        "replications": 2,
        "pick": "confident",
    }


def test_api_manifest_of_a_comparison_records_the_plans(tmp_path: Path) -> None:
    plans = {
        "a": callsim.load_scenario(DATA / "small.yaml"),
        "b": callsim.load_scenario(DATA / "small_csv.yaml"),
    }
    write_compare(compare(plans, replications=2, seed=4, workers=1), tmp_path / "res")
    manifest = manifest_of(tmp_path / "res")
    assert manifest["call"] == {
        "function": "compare",
        "plans": ["a", "b"],
        "seed": 4,
        "replications": 2,
        # what picked the recommended plan: the scenarios' default, none being stated
        "objective": {"maximise": "net_contribution", "max_cost": None},
    }
    assert "pytest" not in json.dumps(manifest)


def test_cli_manifest_records_the_callsim_command(scenarios: Path) -> None:
    result = run("--out", "res")
    assert result.exit_code == 0, result.output
    manifest = manifest_of(scenarios / "res")
    assert manifest["command"] == (
        "callsim run small.yaml --replications 3 --seed 5 --workers 1 --out res"
    )
    assert manifest["call"]["seed"] == 5
    assert manifest["call"]["replications"] == 3


def test_cli_manifest_of_a_sweep_records_its_params(scenarios: Path) -> None:
    result = runner.invoke(
        app,
        ["sweep", "small.yaml", "-p", "arrivals.scale=0.9,1.1", "-r", "2", "-w", "1", "-o", "sw"],
    )
    assert result.exit_code == 0, result.output
    manifest = manifest_of(scenarios / "sw")
    assert manifest["command"] == (
        "callsim sweep small.yaml --param arrivals.scale=0.9,1.1 --replications 2 --workers 1 "
        "--out sw"
    )
    assert manifest["call"]["params"] == {"arrivals.scale": [0.9, 1.1]}


@pytest.mark.parametrize(
    ("args", "kind", "what"),
    [
        (["run", "small.yaml"], "run", "Results"),
        (["compare", "small.yaml", "small_csv.yaml"], "compare", "Comparison"),
        (["sweep", "small.yaml", "-p", "arrivals.scale=0.9,1.1"], "sweep", "Sweep"),
    ],
    ids=["run", "compare", "sweep"],
)
def test_every_command_saves_its_results_report_and_command_alike(
    scenarios: Path, args: list[str], kind: str, what: str
) -> None:
    result = runner.invoke(app, [*args, "-r", "2", "-w", "1", "--lang", "zh", "--out", "res"])
    assert result.exit_code == 0, result.output
    assert f"{what} and report.html written to res/" in " ".join(result.stderr.split())
    manifest = manifest_of(scenarios / "res")
    assert manifest["kind"] == kind
    assert manifest["command"].startswith(f"callsim {args[0]} {args[1]} ")
    assert {"--out res", "--lang zh"} <= {
        " ".join(p) for p in itertools.pairwise(manifest["command"].split())
    }
    page = (scenarios / "res" / "report.html").read_text(encoding="utf-8")
    assert f'data-report="{kind}" data-lang="zh"' in page


# -- never overwrite silently ----------------------------------------------------------------


def test_second_run_into_the_same_directory_is_refused_before_simulating(
    scenarios: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("--out", "res").exit_code == 0
    before = snapshot(scenarios / "res")

    def must_not_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("simulated although the results directory was going to be refused")

    monkeypatch.setattr("callsim.cli.commands.simulate", must_not_run)
    result = runner.invoke(app, ["run", "small.yaml", "-r", "2", "--seed", "9", "--out", "res"])
    assert result.exit_code == 2, result.output
    line = one_line(result.stderr)
    assert "res" in line
    assert "--force" in line
    assert "Traceback" not in result.output
    assert snapshot(scenarios / "res") == before


def test_force_replaces_the_directory(scenarios: Path) -> None:
    assert run("--out", "res", "--save-calls").exit_code == 0
    assert (scenarios / "res" / "calls.csv.gz").exists()
    result = runner.invoke(
        app, ["run", "small.yaml", "-r", "2", "-w", "1", "--seed", "9", "--out", "res", "--force"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((scenarios / "res" / "summary.json").read_text(encoding="utf-8"))
    assert summary["seed"] == 9
    assert summary["replications"] == 2
    # Nothing of the earlier run may remain to be mistaken for part of this one.
    assert not (scenarios / "res" / "calls.csv.gz").exists()
    assert hidden(scenarios) == []


def test_out_into_an_existing_empty_directory(scenarios: Path) -> None:
    (scenarios / "res").mkdir()
    result = run("--out", "res")
    assert result.exit_code == 0, result.output
    assert {p.name for p in (scenarios / "res").iterdir()} >= RUN_FILES


def test_out_creates_missing_parent_folders(scenarios: Path) -> None:
    result = run("--out", "runs/week-12/base")
    assert result.exit_code == 0, result.output
    assert {p.name for p in (scenarios / "runs/week-12/base").iterdir()} >= RUN_FILES


def test_out_onto_a_file_is_refused(scenarios: Path) -> None:
    (scenarios / "res").write_text("my notes", encoding="utf-8")
    result = run("--out", "res")
    assert result.exit_code == 2
    assert "res" in one_line(result.stderr)
    assert (scenarios / "res").read_text(encoding="utf-8") == "my notes"


def test_out_below_a_file_is_refused_in_one_line(scenarios: Path) -> None:
    (scenarios / "notes.txt").write_text("my notes", encoding="utf-8")
    result = run("--out", "notes.txt/res")
    assert result.exit_code == 2, result.exception
    assert "notes.txt" in one_line(result.stderr)
    assert (scenarios / "notes.txt").read_text(encoding="utf-8") == "my notes"


# -- write_directory: atomic -----------------------------------------------------------------


def write_text(text: str):
    return lambda path: path.write_text(text, encoding="utf-8")


def explode(path: Path) -> None:
    path.write_text("half", encoding="utf-8")
    raise OSError("disk full")


def test_write_directory_writes_every_file(tmp_path: Path) -> None:
    out = tmp_path / "res"
    assert write_directory(out, False, {"a.txt": write_text("A"), "b.txt": write_text("B")}) == out
    assert snapshot(out) == {"a.txt": b"A", "b.txt": b"B"}
    assert hidden(tmp_path) == []


def test_write_directory_into_an_existing_empty_directory(tmp_path: Path) -> None:
    out = tmp_path / "res"
    out.mkdir()
    write_directory(out, False, {"a.txt": write_text("A")})
    assert snapshot(out) == {"a.txt": b"A"}
    assert hidden(tmp_path) == []


def test_failed_write_leaves_no_directory_and_no_staging(tmp_path: Path) -> None:
    out = tmp_path / "res"
    with pytest.raises(OSError, match="disk full"):
        write_directory(out, False, {"a.txt": write_text("A"), "b.txt": explode})
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_failed_write_into_an_empty_directory_leaves_it_empty(tmp_path: Path) -> None:
    out = tmp_path / "res"
    out.mkdir()
    with pytest.raises(OSError, match="disk full"):
        write_directory(out, False, {"a.txt": write_text("A"), "b.txt": explode})
    assert list(out.iterdir()) == []
    assert hidden(tmp_path) == []


def test_failed_forced_write_keeps_the_old_results(tmp_path: Path) -> None:
    out = tmp_path / "res"
    old = {"manifest.json": write_text("{}"), "c.txt": write_text("old C")}
    write_directory(out, False, old)
    before = snapshot(out)
    with pytest.raises(OSError, match="disk full"):
        write_directory(out, True, {"manifest.json": write_text("{}"), "b.txt": explode})
    assert snapshot(out) == before
    assert hidden(tmp_path) == []


def test_write_directory_refuses_a_non_empty_directory(tmp_path: Path) -> None:
    out = tmp_path / "res"
    write_directory(out, False, {"manifest.json": write_text("old")})
    with pytest.raises(OutputExistsError, match="--force"):
        write_directory(out, False, {"manifest.json": write_text("new")})
    assert snapshot(out) == {"manifest.json": b"old"}
    write_directory(out, True, {"b.txt": write_text("new")})
    assert snapshot(out) == {"b.txt": b"new"}
    assert hidden(tmp_path) == []


def test_force_never_replaces_a_folder_of_other_files(tmp_path: Path) -> None:
    out = tmp_path / "documents"
    out.mkdir()
    (out / "thesis.txt").write_text("years of work", encoding="utf-8")
    with pytest.raises(OutputExistsError, match="not a callsim results directory"):
        write_directory(out, True, {"b.txt": write_text("new")})
    assert snapshot(out) == {"thesis.txt": b"years of work"}


def test_check_target(tmp_path: Path) -> None:
    check_target(tmp_path / "new", False)
    (tmp_path / "empty").mkdir()
    check_target(tmp_path / "empty", False)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "summary.json").write_text("{}", encoding="utf-8")
    with pytest.raises(OutputExistsError):
        check_target(tmp_path / "full", False)
    check_target(tmp_path / "full", True)
    (tmp_path / "file").write_text("x", encoding="utf-8")
    for force in (False, True):
        with pytest.raises(OutputExistsError):
            check_target(tmp_path / "file", force)


# -- --force replaces only what callsim wrote ------------------------------------------------


def test_force_keeps_files_the_user_added(scenarios: Path) -> None:
    assert run("--out", "res", "--save-calls").exit_code == 0
    out = scenarios / "res"
    (out / "notes.txt").write_text("why we ran this", encoding="utf-8")
    (out / "analysis").mkdir()
    (out / "analysis" / "pivot.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (out / "drafts").mkdir()  # an empty folder of the user's
    result = runner.invoke(
        app, ["run", "small.yaml", "-r", "2", "-w", "1", "--seed", "9", "--out", "res", "--force"]
    )
    assert result.exit_code == 0, result.output
    assert (out / "notes.txt").read_text(encoding="utf-8") == "why we ran this"
    assert (out / "analysis" / "pivot.csv").read_text(encoding="utf-8") == "a,b\n1,2\n"
    assert (out / "drafts").is_dir()
    # What callsim wrote before is replaced: nothing left to mistake for this run's.
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["seed"] == 9
    assert not (out / "calls.csv.gz").exists()
    files = manifest_of(out)["files"]
    assert "summary.json" in files and "notes.txt" not in files
    assert hidden(scenarios) == []


def test_force_refuses_to_replace_a_users_file_named_as_a_result(
    scenarios: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("--out", "res").exit_code == 0
    mine = scenarios / "res" / "calls.csv.gz"  # not written by that run: the user's
    mine.write_bytes(b"my own extract")

    def must_not_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("simulated although the directory was going to be refused")

    monkeypatch.setattr("callsim.cli.commands.simulate", must_not_run)
    result = run("--out", "res", "--force", "--save-calls")
    assert result.exit_code == 2, result.output
    line = one_line(result.stderr)
    assert "calls.csv.gz" in line and "not written by callsim" in line
    assert mine.read_bytes() == b"my own extract"


def test_force_over_a_comparison_keeps_a_note_in_a_plan_folder(scenarios: Path) -> None:
    plans = {"a": callsim.load_scenario("small.yaml"), "b": callsim.load_scenario("small.yaml")}
    comparison = compare(plans, replications=2, workers=1)
    out = write_compare(comparison, scenarios / "cmp")
    note = next((out / "plans").iterdir()) / "note.md"
    note.write_text("checked by Li", encoding="utf-8")
    write_compare(comparison, out, force=True)
    assert note.read_text(encoding="utf-8") == "checked by Li"


def test_force_on_results_whose_manifest_lists_no_files(tmp_path: Path) -> None:
    """Results written before manifests listed their files: callsim's names are replaced,
    anything else is kept."""
    out = tmp_path / "res"
    write_directory(
        out,
        False,
        {
            "manifest.json": write_text('{"kind": "run"}'),
            "summary.json": write_text("old"),
            "mine.txt": write_text("keep me"),
        },
    )
    write_directory(
        out, True, {"manifest.json": write_text("{}"), "summary.json": write_text("new")}
    )
    assert snapshot(out) == {"manifest.json": b"{}", "summary.json": b"new", "mine.txt": b"keep me"}
    assert hidden(tmp_path) == []
