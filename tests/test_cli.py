"""The ``callsim`` command: validate, schema, run, staff, erlang."""

from __future__ import annotations

import json
import math
import re
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
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


def cli_schema() -> dict[str, Any]:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema: dict[str, Any] = json.loads(result.stdout)
    return schema


def missing_keys(
    schema: dict[str, Any], data: Any, root: dict[str, Any], where: str = ""
) -> list[str]:
    """The keys ``data`` lacks under the schema's ``required``, ``if``/``then``/``else``,
    ``properties``, ``additionalProperties`` and ``$ref``: enough of JSON Schema for the
    required-key logic, as the ``jsonschema`` package is not a dependency."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        return missing_keys(root["$defs"][name], data, root, where)
    if not isinstance(data, dict):
        return []
    missing = [f"{where}{key}" for key in schema.get("required", []) if key not in data]
    if "if" in schema:
        branch = "then" if not missing_keys(schema["if"], data, root) else "else"
        missing += missing_keys(schema.get(branch, {}), data, root, where)
    properties = schema.get("properties", {})
    others = schema.get("additionalProperties")
    for key, value in data.items():
        sub = properties.get(key, others if isinstance(others, dict) else {})
        missing += missing_keys(sub, value, root, f"{where}{key}.")
    return missing


def test_schema_is_json_with_the_sections() -> None:
    schema = cli_schema()
    assert {"arrivals", "agents", "reasons", "horizon"} <= set(schema["properties"])
    assert {"extends", "variants", "sweep"} <= set(schema["properties"])
    assert schema["if"] == {"required": ["extends"]}
    assert {"name", "arrivals", "reasons", "agents"} <= set(schema["else"]["required"])


def test_schema_requires_the_sections_only_without_extends() -> None:
    schema = cli_schema()
    assert missing_keys(schema, {"extends": "base.yaml", "name": "x"}, schema) == []
    assert {"arrivals", "reasons", "agents"} <= set(missing_keys(schema, {"name": "x"}, schema))


BUNDLED_FILES = sorted(
    (Path(__file__).resolve().parent.parent / "scenarios").rglob("*.yaml"),
    key=lambda path: str(path),
)


@pytest.mark.parametrize("path", BUNDLED_FILES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_every_bundled_file_has_the_keys_the_schema_requires(path: Path) -> None:
    schema = cli_schema()
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert set(data) <= set(schema["properties"]), path
    assert missing_keys(schema, data, schema) == [], path


def test_the_bundled_files_include_ones_that_extend() -> None:
    # The case the conditional requirement exists for must stay covered by the check above.
    assert any("extends" in yaml.safe_load(path.read_text()) for path in BUNDLED_FILES)


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
        assert set(row) == {
            "mean",
            "ci_low",
            "ci_high",
            "call_weighted",
            "call_weighted_ci_low",
            "call_weighted_ci_high",
        }, kpi
        assert None not in row.values(), kpi
        slack = 1e-9 * max(1.0, abs(row["mean"]))
        assert row["ci_low"] - slack <= row["mean"] <= row["ci_high"] + slack, (kpi, row)
        low, high = row["call_weighted_ci_low"], row["call_weighted_ci_high"]
        assert low - slack <= row["call_weighted"] <= high + slack, (kpi, row)
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


def test_staff_writes_a_results_directory_and_refuses_to_overwrite(scenarios: Path) -> None:
    result = runner.invoke(app, ["staff", "small_csv.yaml", "--out", "need"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in Path("need").iterdir()) == [
        "manifest.json",
        "requirements.csv",
        "summary.json",
    ]
    table = pd.read_csv("need/requirements.csv", dtype={"start": str})
    expected = staffing_requirement(callsim.load_scenario("small_csv.yaml"))
    assert list(table.columns) == list(expected.columns)
    assert list(table["start"]) == ["08:00", "08:30", "09:00", "09:30"]
    assert list(table["calls"]) == [25, 30, 35, 30]
    assert list(table["required_on_phones"]) == list(expected["required_on_phones"])
    assert list(table["planned_scheduled"]) == pytest.approx([4, 5, 6, 5])
    summary = json.loads(Path("need/summary.json").read_text(encoding="utf-8"))
    assert (summary["method"], summary["scenario"]) == ("erlang", "tiny-csv")
    manifest = json.loads(Path("need/manifest.json").read_text(encoding="utf-8"))
    assert (manifest["kind"], manifest["method"]) == ("staff", "erlang")
    assert manifest["command"] == "callsim staff small_csv.yaml --out need"

    before = Path("need/requirements.csv").read_bytes()
    refused = runner.invoke(app, ["staff", "small.yaml", "--out", "need"])
    assert refused.exit_code == 2
    lines = ANSI.sub("", refused.stderr).splitlines()
    assert len(lines) == 1
    assert "need" in lines[0]
    assert "--force" in lines[0]
    assert Path("need/requirements.csv").read_bytes() == before

    forced = runner.invoke(app, ["staff", "small.yaml", "--out", "need", "--force"])
    assert forced.exit_code == 0, forced.output
    assert Path("need/requirements.csv").read_bytes() != before
    assert list(pd.read_csv("need/requirements.csv")["calls"]) == [30, 30, 30, 30]
    assert sorted(p.name for p in scenarios.iterdir() if p.name.startswith(".")) == []


def test_staff_out_is_a_directory_not_a_csv_file(scenarios: Path) -> None:
    result = runner.invoke(app, ["staff", "small.yaml", "--out", "need.csv"])
    assert result.exit_code == 2, result.exception
    lines = ANSI.sub("", result.stderr).splitlines()
    assert len(lines) == 1
    assert "results directory" in lines[0]
    assert not Path("need.csv").exists()


def test_staff_out_through_a_file_is_one_line(scenarios: Path) -> None:
    Path("plain.txt").write_text("not a folder", encoding="utf-8")
    for target in ("plain.txt", "plain.txt/need"):
        result = runner.invoke(app, ["staff", "small.yaml", "--out", target, "--force"])
        assert result.exit_code == 2, result.exception
        assert len(ANSI.sub("", result.stderr).splitlines()) == 1


RETRIALS = "customers:\n  patience: {dist: exponential, mean_s: 300}\n"


def test_staff_sizes_by_simulation_when_callers_call_again(scenarios: Path) -> None:
    text = Path("small.yaml").read_text(encoding="utf-8")
    again = "  retrial: {probability: 0.5, delay: {dist: exponential, mean_s: 120}}\n"
    Path("again.yaml").write_text(text.replace(RETRIALS, RETRIALS + again), encoding="utf-8")
    args = ["-r", "2", "-w", "1", "--max-iterations", "2", "--out", "need", "--lang", "zh"]
    result = runner.invoke(app, ["staff", "again.yaml", *args])
    assert result.exit_code == 0, result.output
    out = plain(result.stdout)
    assert "Staffing requirement by simulation (ISA) — tiny" in out
    assert "2 replications each" in out
    table = pd.read_csv("need/requirements.csv", dtype={"start": str})
    for column in ("isa_on_phones", "erlang_on_phones", "required_scheduled", "sl_mean"):
        assert column in table.columns
    summary = json.loads(Path("need/summary.json").read_text(encoding="utf-8"))
    assert summary["method"] == "isa"
    assert 1 <= summary["iterations"] <= 2
    staffed = callsim.load_scenario("need/staffed.yaml")
    assert staffed.agents.groups["team"].staffing == list(table["required_scheduled"])
    manifest = json.loads(Path("need/manifest.json").read_text(encoding="utf-8"))
    assert (manifest["kind"], manifest["replications"]) == ("staff", 2)
    # The report is one of the files written, in the language asked for.
    assert "report.html" in manifest["files"]
    report = Path("need/report.html").read_text(encoding="utf-8")
    assert 'data-report="staff"' in report and 'lang="zh-CN"' in report

    erlang = runner.invoke(app, ["staff", "again.yaml", "--method", "erlang"])
    assert erlang.exit_code == 0, erlang.output
    no_report = runner.invoke(app, ["staff", "again.yaml", "--method", "erlang", "--lang", "zh"])
    assert no_report.exit_code == 2
    assert "--lang is for --method isa" in plain(no_report.output)
    bad = runner.invoke(app, ["staff", "again.yaml", "--lang", "fr"])
    assert bad.exit_code == 2 and "--lang: expected en or zh" in plain(bad.output)
    assert "by simulation" not in plain(erlang.stdout)
    plain_file = runner.invoke(app, ["staff", "small.yaml"])  # neither sells nor calls again
    assert "by simulation" not in plain(plain_file.stdout)


def test_staff_takes_other_targets(scenarios: Path) -> None:
    result = runner.invoke(app, ["staff", "small.yaml", "--target", "p_wait", "--p-wait", "0.2"])
    assert result.exit_code == 0, result.output
    assert "P(wait) ≤ 20%" in plain(result.stdout)
    result = runner.invoke(app, ["staff", "small.yaml", "--target", "asa", "--asa-s", "15"])
    assert result.exit_code == 0, result.output
    assert "ASA ≤ 15 s" in plain(result.stdout)


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--target", "asa"], "--asa-s"),
        (["--asa-s", "20"], "--asa-s"),
        (["--target", "p_wait", "--p-wait", "1.5"], "--p-wait"),
        (["--target", "speed"], "--target"),
        (["--method", "fast"], "--method"),
        (["--method", "erlang", "-r", "5"], "--replications"),
        (["--seed", "4"], "--seed"),
    ],
)
def test_staff_bad_options_are_one_line(scenarios: Path, args: list[str], named: str) -> None:
    result = runner.invoke(app, ["staff", "small.yaml", *args])
    assert result.exit_code == 2, result.output
    lines = ANSI.sub("", result.stderr).splitlines()
    assert len(lines) == 1, lines
    assert named in lines[0]


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


def test_staff_and_erlang_schedule_the_same_for_shrinkage(scenarios: Path) -> None:
    """21 agents on the phones at 30% shrinkage: 21 / 0.7 is 30.000000000000004 in floating
    point, and a plain ceil made `callsim staff` ask for 31 where `callsim erlang` said 30."""
    Path("busy.yaml").write_text(
        """
name: busy
horizon: {interval_min: 30, open: "08:00", close: "09:00"}
arrivals: {rate_per_hour: 330}
reasons:
  general: {share: 1.0, talk: {dist: exponential, mean_s: 180}}
agents:
  shrinkage: 0.3
  groups:
    team:
      wage_per_hour: 20
      shifts: [{start: "08:00", end: "09:00", count: 30}]
""",
        encoding="utf-8",
    )
    staff_run = runner.invoke(app, ["staff", "busy.yaml", "--out", "need"])
    assert staff_run.exit_code == 0, staff_run.output
    table = pd.read_csv("need/requirements.csv")
    assert list(table["required_on_phones"]) == [21, 21]
    assert list(table["required_scheduled"]) == [30, 30]

    erlang_run = runner.invoke(
        app, ["erlang", "--calls-per-hour", "330", "--aht-s", "180", "--shrinkage", "0.3"]
    )
    assert erlang_run.exit_code == 0, erlang_run.output
    out = plain(erlang_run.stdout)
    assert "Agents on the phones for 80/20: 21" in out
    assert "to schedule with 30% shrinkage: 30" in out


# -- bundled scenarios by name, callsim scenarios, callsim init -----------------------------


def test_run_takes_a_bundled_name(in_tmp: Path) -> None:
    result = runner.invoke(app, ["run", "validation/mmc_load70", "-r", "2", "-w", "1", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["scenario"] == "M/M/c validation, 70% utilisation"


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "policies/threshold"],
        ["validate", "policies/threshold.yaml"],
        ["staff", "validation/mmc_load70"],
        ["compare", "validation/mmc_load70", "validation/mmc_load90", "-r", "2", "-w", "1"],
        ["sweep", "validation/mmc_load70", "-p", "arrivals.scale=0.9,1.0", "-r", "2", "-w", "1"],
    ],
)
def test_commands_take_bundled_names(in_tmp: Path, args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output


def test_a_file_of_that_path_wins_over_the_bundled_name(scenarios: Path) -> None:
    Path("policies").mkdir()
    shutil.copy("small.yaml", "policies/threshold.yaml")
    result = runner.invoke(app, ["validate", "policies/threshold.yaml"])
    assert result.exit_code == 0, result.output
    assert "'tiny'" in plain(result.stdout)


def test_an_unknown_name_is_reported_as_a_missing_file(in_tmp: Path) -> None:
    result = runner.invoke(app, ["validate", "policies/nope"])
    assert result.exit_code == 2
    assert "policies/nope" in ANSI.sub("", result.stderr).splitlines()[0]


def test_scenarios_lists_the_bundled_ones() -> None:
    from callsim.scenario import bundled

    result = runner.invoke(app, ["scenarios"])
    assert result.exit_code == 0, result.output
    out = plain(result.stdout)
    for name in bundled.names():
        assert name in out, name
    assert "Credit-card service line (weekday)" in out
    assert "Policy: threshold K=-3" in out
    assert "Armony & Gurvich's threshold rule" in out  # from its leading comment


def test_init_copies_a_runnable_scenario(in_tmp: Path) -> None:
    result = runner.invoke(app, ["init", "proj"])
    assert result.exit_code == 0, result.output
    files = {p.relative_to(in_tmp / "proj").as_posix() for p in (in_tmp / "proj").rglob("*")}
    assert files == {"credit_card_hotline.yaml", "credit_card_volume.csv"}
    assert "callsim run proj/credit_card_hotline.yaml" in plain(result.stdout)
    ran = runner.invoke(app, ["run", "proj/credit_card_hotline.yaml", "-r", "1", "-w", "1"])
    assert ran.exit_code == 0, ran.output


def test_init_keeps_the_relative_places_of_what_a_scenario_extends(in_tmp: Path) -> None:
    result = runner.invoke(app, ["init", "proj", "--scenario", "policies/threshold"])
    assert result.exit_code == 0, result.output
    files = {p.relative_to(in_tmp / "proj").as_posix() for p in (in_tmp / "proj").rglob("*")}
    assert files == {
        "policies",
        "policies/threshold.yaml",
        "credit_card_hotline.yaml",
        "credit_card_volume.csv",
    }
    checked = runner.invoke(app, ["validate", "proj/policies/threshold.yaml"])
    assert checked.exit_code == 0, checked.output


def test_init_never_replaces_a_file(in_tmp: Path) -> None:
    Path("proj").mkdir()
    Path("proj/credit_card_volume.csv").write_text("mine", encoding="utf-8")
    result = runner.invoke(app, ["init", "proj"])
    assert result.exit_code == 2
    lines = ANSI.sub("", result.stderr).splitlines()
    assert len(lines) == 1
    assert "proj/credit_card_volume.csv" in lines[0]
    assert Path("proj/credit_card_volume.csv").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in Path("proj").iterdir()) == ["credit_card_volume.csv"]


def test_init_of_an_unknown_scenario_is_one_line(in_tmp: Path) -> None:
    result = runner.invoke(app, ["init", "proj", "--scenario", "nope"])
    assert result.exit_code == 2
    assert len(ANSI.sub("", result.stderr).splitlines()) == 1
    assert not Path("proj").exists()


# -- only user errors are reported as the user's ----------------------------------------------


def _internal_bug(*args: object, **kwargs: object) -> None:
    raise ValueError("an internal bug, not the user's input")


@pytest.mark.parametrize(
    ("target", "args"),
    [
        ("callsim.cli.commands.simulate", ["run", "small.yaml", "-r", "1"]),
        ("callsim.cli.commands.compare", ["compare", "small.yaml", "small_csv.yaml", "-r", "1"]),
        ("callsim.cli.commands.sweep", ["sweep", "small.yaml", "-p", "arrivals.scale=1,2"]),
        ("callsim.cli.commands.staffing_requirement", ["staff", "small.yaml"]),
        ("callsim.cli.commands.load_scenario", ["validate", "small.yaml"]),
    ],
)
def test_an_internal_value_error_is_not_reported_as_a_user_error(
    scenarios: Path, monkeypatch: pytest.MonkeyPatch, target: str, args: list[str]
) -> None:
    monkeypatch.setattr(target, _internal_bug)
    result = runner.invoke(app, args)
    assert result.exit_code != 2, result.output
    assert isinstance(result.exception, ValueError)
    assert "internal bug" in str(result.exception)
    assert "error:" not in ANSI.sub("", result.stderr)


def test_erlang_reports_a_bad_number_as_the_users() -> None:
    result = runner.invoke(
        app, ["erlang", "--calls-per-hour", "200", "--aht-s", "180", "--target", "0"]
    )
    assert result.exit_code == 2, result.output
    lines = ANSI.sub("", result.stderr).splitlines()
    assert len(lines) == 1
    assert "target" in lines[0]


def _results(folder: str, seed: str) -> None:
    made = runner.invoke(
        app, ["run", "small.yaml", "-r", "2", "-w", "1", "--seed", seed, "--out", folder]
    )
    assert made.exit_code == 0, made.output


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["validate", "missing.yaml"], "missing.yaml"),
        (["sweep", "small.yaml", "-p", "selling.policy.k"], "selling.policy.k"),
        (["sweep", "small.yaml", "-p", "arrivals.scale=3:1"], "arrivals.scale"),
        (["report", "nowhere"], "nowhere"),
        (["report", "."], "manifest.json"),
        (["compare", "seed1", "seed2"], "seed"),
        (["run", "small.yaml", "-r", "1", "--out", "seed1"], "seed1"),
        (["init", "seed1"], "seed1"),
    ],
)
def test_each_user_error_is_one_line_and_exit_2(
    scenarios: Path, args: list[str], names: str
) -> None:
    _results("seed1", "1")
    _results("seed2", "2")
    Path("seed1/credit_card_hotline.yaml").write_text("mine", encoding="utf-8")
    result = runner.invoke(app, args)
    assert result.exit_code == 2, (result.output, result.exception)
    lines = ANSI.sub("", result.stderr).splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert names in lines[0]


def test_user_errors_are_one_class() -> None:
    from callsim.errors import UserError
    from callsim.scenario.bundled import InitTargetExistsError
    from callsim.scenario.files import ScenarioError
    from callsim.scenario.sweep_grammar import parse_param
    from callsim.store.read import ResultsError
    from callsim.store.write import OutputExistsError

    for error in (ScenarioError, ResultsError, OutputExistsError, InitTargetExistsError):
        assert issubclass(error, UserError), error
    assert issubclass(OutputExistsError, FileExistsError)  # as before, for who catches that
    assert issubclass(UserError, ValueError)  # as before, for API users catching ValueError
    with pytest.raises(UserError, match="PATH=VALUES"):
        parse_param("no-equals-sign")
    with pytest.raises(UserError, match="empty range"):
        parse_param("k=3:1")


def test_comparing_results_of_other_seeds_is_a_user_error() -> None:
    from callsim.errors import UserError
    from callsim.experiment.pairing import compare_results

    a = callsim.simulate(DATA / "small.yaml", replications=2, seed=1, workers=1)
    b = callsim.simulate(DATA / "small.yaml", replications=2, seed=2, workers=1)
    with pytest.raises(UserError, match="same seed"):
        compare_results({"a": a, "b": b})


@pytest.mark.parametrize("command", ["run", "compare", "sweep", "staff", "schedule", "plan"])
def test_help_names_the_cluster_extra_as_it_is_installed(command: str) -> None:
    """rich reads "[cluster]" as markup and drops it unless escaped, leaving a command that
    installs callsim without Dask."""
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "300"})
    assert result.exit_code == 0
    assert 'pip install "callsim[cluster]"' in " ".join(result.output.split()).replace("│ ", "")


def test_the_command_list_rewraps_each_summary_to_the_terminal() -> None:
    """Rich mode keeps a docstring's line breaks in the list of commands, so a summary broke at
    the source's 100th column whatever the terminal's width, leaving ragged half-empty lines."""
    result = runner.invoke(app, ["--help"], env={"COLUMNS": "300"})
    assert result.exit_code == 0
    rows = [line.strip("│ ") for line in ANSI.sub("", result.output).splitlines()]
    for command in app.registered_commands:
        summary = " ".join((command.callback.__doc__ or "").split("\n\n")[0].split())
        if len(summary) < 250:
            assert any(row.endswith(summary) for row in rows), (command.name, summary)
