"""The ``callsim`` command: validate, schema, run, staff, erlang."""

from __future__ import annotations

import json
import math
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import callsim
from callsim import analytic
from callsim.cli.commands import DEFAULT_SCENARIO, app
from callsim.planning.requirement import staffing_requirement

DATA = Path(__file__).parent / "data"
runner = CliRunner()
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

KPIS = (
    "offered",
    "answered",
    "abandoned",
    "service_level",
    "asa_s",
    "mean_wait_s",
    "p_wait",
    "abandon_rate",
    "occupancy",
    "aht_s",
)


def plain(text: str) -> str:
    """Output without colour codes and with Rich's line wrapping undone."""
    return " ".join(ANSI.sub("", text).split())


@pytest.fixture
def scenarios(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory holding copies of the test scenarios and their CSV files."""
    for name in ("small.yaml", "small_csv.yaml", "volume.csv", "staffing.csv"):
        shutil.copy(DATA / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_json(*args: str) -> dict:
    result = runner.invoke(app, ["run", "small.yaml", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# -- validate and schema ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["small.yaml", "small_csv.yaml"])
def test_validate_good_file_exits_0(scenarios: Path, name: str) -> None:
    result = runner.invoke(app, ["validate", name])
    assert result.exit_code == 0, result.output
    out = plain(result.stdout)
    assert f"{name}: OK" in out
    assert "4 × 30-min intervals" in out
    assert result.stderr == ""


def test_validate_inlines_the_csv_tables(scenarios: Path) -> None:
    model = callsim.load_scenario("small_csv.yaml")
    assert model.arrivals.volume == [25, 30, 35, 30]
    assert model.agents.groups["team"].staffing == [4, 5, 6, 5]


def test_schema_is_json_with_the_sections() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert {"arrivals", "agents", "reasons", "horizon"} <= set(schema["properties"])
    assert {"arrivals", "agents"} <= set(schema["required"])


# -- run -------------------------------------------------------------------------------------


def test_run_json_summary(scenarios: Path) -> None:
    summary = run_json("-r", "3", "-w", "1", "--seed", "5")
    assert {"scenario", "seed", "replications", "callsim_version", "kpis"} <= set(summary)
    assert summary["scenario"] == "tiny"
    assert summary["seed"] == 5
    assert summary["replications"] == 3
    assert summary["callsim_version"] == callsim.__version__
    for kpi in KPIS:
        row = summary["kpis"][kpi]
        assert set(row) == {"mean", "ci_low", "ci_high"}, kpi
        assert None not in row.values(), kpi
        slack = 1e-9 * max(1.0, abs(row["mean"]))
        assert row["ci_low"] - slack <= row["mean"] <= row["ci_high"] + slack, (kpi, row)
    kpis = summary["kpis"]
    assert kpis["offered"]["mean"] == pytest.approx(
        kpis["answered"]["mean"]
        + kpis["abandoned"]["mean"]
        + kpis.get("waiting_at_end", {"mean": 0})["mean"]
        + kpis.get("short_abandons", {"mean": 0})["mean"]
    )
    # 60 calls an hour for two hours.
    assert 80 < kpis["offered"]["mean"] < 160
    for share in ("service_level", "p_wait", "abandon_rate", "occupancy"):
        assert 0 <= kpis[share]["mean"] <= 1, share


def test_run_defaults_come_from_the_scenario(scenarios: Path) -> None:
    summary = run_json("-w", "1")
    assert summary["seed"] == 1
    assert summary["replications"] == 3


def test_run_is_reproducible_and_independent_of_workers(scenarios: Path) -> None:
    first = run_json("-r", "3", "-w", "1", "--seed", "5")
    again = run_json("-r", "3", "-w", "1", "--seed", "5")
    two_workers = run_json("-r", "3", "-w", "2", "--seed", "5")
    assert again["kpis"] == first["kpis"]
    assert two_workers["kpis"] == first["kpis"]
    other_seed = run_json("-r", "3", "-w", "1", "--seed", "6")
    assert other_seed["kpis"] != first["kpis"]


def test_run_table_shows_kpis_and_verdict(scenarios: Path) -> None:
    summary = run_json("-r", "3", "-w", "1", "--seed", "5")
    verdict = summary["service_level_goal"]["verdict"]
    result = runner.invoke(app, ["run", "small.yaml", "-r", "3", "-w", "1", "--seed", "5"])
    assert result.exit_code == 0, result.output
    out = plain(result.stdout)
    assert "tiny — 3 replication(s), seed 5" in out
    assert "Service level 80/20 (offered)" in out
    assert "Calls offered" in out
    assert f"Service-level goal 80% within 20 s: {verdict}" in out
    assert verdict in ("met", "missed", "inconclusive")


def test_run_json_keeps_stdout_pure(scenarios: Path) -> None:
    result = runner.invoke(app, ["run", "small.yaml", "-r", "2", "-w", "1", "--json"])
    assert result.exit_code == 0
    json.loads(result.stdout)  # nothing but the JSON document


def test_save_calls_without_out_is_refused(scenarios: Path) -> None:
    result = runner.invoke(app, ["run", "small.yaml", "-r", "1", "--save-calls"])
    assert result.exit_code == 2
    lines = ANSI.sub("", result.stderr).splitlines()
    assert len(lines) == 1
    assert "--out" in lines[0]
    assert "Traceback" not in result.output


@pytest.mark.skipif(not DEFAULT_SCENARIO.exists(), reason="the bundled scenario is not there yet")
def test_run_without_a_scenario_uses_the_bundled_one() -> None:
    result = runner.invoke(app, ["run", "-r", "2", "-w", "2", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["scenario"] == callsim.load_scenario(DEFAULT_SCENARIO).name
    assert summary["replications"] == 2
    assert summary["kpis"]["offered"]["mean"] > 0


def test_bundled_scenario_path() -> None:
    assert DEFAULT_SCENARIO.name == "credit_card_hotline.yaml"
    assert DEFAULT_SCENARIO.parent.name == "scenarios"


# -- staff -----------------------------------------------------------------------------------


def test_staff_prints_a_table(scenarios: Path) -> None:
    result = runner.invoke(app, ["staff", "small.yaml"])
    assert result.exit_code == 0, result.output
    out = plain(result.stdout)
    assert "Staffing requirement — tiny" in out
    for start in ("08:00", "08:30", "09:00", "09:30"):
        assert start in out


def test_staff_writes_csv_and_refuses_to_overwrite(scenarios: Path) -> None:
    result = runner.invoke(app, ["staff", "small_csv.yaml", "--out", "need.csv"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv("need.csv", dtype={"start": str})
    expected = staffing_requirement(callsim.load_scenario("small_csv.yaml"))
    assert list(table.columns) == list(expected.columns)
    assert list(table["start"]) == ["08:00", "08:30", "09:00", "09:30"]
    assert list(table["calls"]) == [25, 30, 35, 30]
    assert list(table["required_on_phones"]) == list(expected["required_on_phones"])
    assert list(table["planned_scheduled"]) == pytest.approx([4, 5, 6, 5])

    before = Path("need.csv").read_bytes()
    refused = runner.invoke(app, ["staff", "small.yaml", "--out", "need.csv"])
    assert refused.exit_code == 2
    lines = ANSI.sub("", refused.stderr).splitlines()
    assert len(lines) == 1
    assert "need.csv" in lines[0]
    assert "--force" in lines[0]
    assert Path("need.csv").read_bytes() == before

    forced = runner.invoke(app, ["staff", "small.yaml", "--out", "need.csv", "--force"])
    assert forced.exit_code == 0, forced.output
    assert Path("need.csv").read_bytes() != before
    assert list(pd.read_csv("need.csv")["calls"]) == [30, 30, 30, 30]
    assert sorted(p.name for p in scenarios.iterdir() if p.name.startswith(".")) == []


def test_staff_out_into_a_missing_folder_is_one_line(scenarios: Path) -> None:
    result = runner.invoke(app, ["staff", "small.yaml", "--out", "nowhere/need.csv"])
    assert result.exit_code == 2, result.exception
    assert len(ANSI.sub("", result.stderr).splitlines()) == 1


def test_staff_out_onto_a_directory_is_one_line(scenarios: Path) -> None:
    Path("need.csv").mkdir()
    result = runner.invoke(app, ["staff", "small.yaml", "--out", "need.csv", "--force"])
    assert result.exit_code == 2, result.exception
    assert len(ANSI.sub("", result.stderr).splitlines()) == 1


# -- erlang ----------------------------------------------------------------------------------


def erlang_c_by_hand(c: int, load: float) -> float:
    """P(wait) of M/M/c from the textbook sum, sharing no code with callsim."""
    top = load**c / math.factorial(c) * c / (c - load)
    return top / (sum(load**k / math.factorial(k) for k in range(c)) + top)


def service_level_by_hand(calls_per_hour: float, aht_s: float, c: int, t_s: float) -> float:
    load = calls_per_hour * aht_s / 3600
    return 1 - erlang_c_by_hand(c, load) * math.exp(-(c - load) * t_s / aht_s)


def test_erlang_sizes_for_80_20() -> None:
    result = runner.invoke(app, ["erlang", "--calls-per-hour", "200", "--aht-s", "180"])
    assert result.exit_code == 0, result.output
    need = analytic.agents_for_service_level(200 / 3600, 180, 20, 0.8)
    out = plain(result.stdout)
    assert f"Agents on the phones for 80/20: {need}" in out
    assert "10.00 Erlangs" in out
    # 10 Erlangs: 13 agents answer 79.6% within 20 s, just short of 80%; 14 answer 88.8%.
    assert service_level_by_hand(200, 180, 13, 20) == pytest.approx(0.796, abs=5e-4)
    assert service_level_by_hand(200, 180, 14, 20) == pytest.approx(0.888, abs=5e-4)
    assert need == 14
    assert "79.6%" in out
    assert "88.8%" in out


def test_erlang_grosses_up_for_shrinkage() -> None:
    result = runner.invoke(
        app, ["erlang", "--calls-per-hour", "200", "--aht-s", "180", "--shrinkage", "0.3"]
    )
    assert result.exit_code == 0, result.output
    assert "to schedule with 30% shrinkage: 20" in plain(result.stdout)  # ceil(14 / 0.7)


def test_erlang_for_given_agents() -> None:
    result = runner.invoke(
        app, ["erlang", "--calls-per-hour", "200", "--aht-s", "180", "--agents", "13"]
    )
    assert result.exit_code == 0, result.output
    out = plain(result.stdout)
    assert "79.6%" in out
    assert "Agents on the phones" not in out


def test_erlang_with_patience_is_erlang_a() -> None:
    result = runner.invoke(
        app, ["erlang", "--calls-per-hour", "200", "--aht-s", "180", "--patience-s", "300"]
    )
    assert result.exit_code == 0, result.output
    out = plain(result.stdout)
    assert "Erlang A" in out
    need = analytic.agents_for_service_level(200 / 3600, 180, 20, 0.8, 300)
    assert f"Agents on the phones for 80/20: {need}" in out
