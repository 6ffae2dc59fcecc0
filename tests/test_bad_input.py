"""Bad input ends in one line naming the file and the field, and exit code 2 — never a traceback.

Every bad scenario is a small mutation of one valid base scenario, written to a temporary
directory; the same file is then fed to ``callsim validate``, ``callsim run`` and the Python API,
which must all report the same one-line message.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

import callsim
from callsim.cli.commands import app

runner = CliRunner()
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

BASE: dict[str, Any] = {
    "name": "tiny",
    "horizon": {"interval_min": 30, "open": "08:00", "close": "10:00"},
    "arrivals": {"rate_per_hour": 60},
    "reasons": {"general": {"share": 1.0, "talk": {"dist": "exponential", "mean_s": 180}}},
    "customers": {"patience": {"dist": "exponential", "mean_s": 300}},
    "agents": {"groups": {"team": {"shifts": [{"start": "08:00", "end": "10:00", "count": 5}]}}},
    "simulation": {"replications": 2, "seed": 1},
}

VOLUME_CSV = "interval_start,calls\n08:00,25\n08:30,30\n09:00,35\n09:30,30\n"
STAFFING_CSV = "interval_start,agents\n08:00,4\n08:30,5\n09:00,6\n09:30,5\n"


def mutate(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    change(data)
    return data


def setting(path: str, value: Any) -> dict[str, Any]:
    """The base scenario with the dotted ``path`` set to ``value`` (list indices as numbers)."""

    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node.setdefault(key, {})
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return mutate(change)


def without(path: str) -> dict[str, Any]:
    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = data
        for key in parents:
            node = node[key]
        del node[last]

    return mutate(change)


def with_volume_csv(text: str) -> tuple[dict[str, Any], dict[str, str]]:
    return setting("arrivals", {"volume_csv": "volume.csv"}), {"volume.csv": text}


def service_level_toggle(on_at: float, off_at: float) -> dict[str, Any]:
    """The base scenario selling by a load toggle on the service-level signal."""

    def change(data: dict[str, Any]) -> None:
        data["products"] = {
            "card": {"value": 10, "conversion": 0.1, "pitch": {"dist": "fixed", "value_s": 30}}
        }
        data["agents"]["groups"]["team"]["trained_to_sell"] = True
        data["selling"] = {
            "policy": {
                "kind": "load_toggle",
                "signal": "service_level",
                "on_at": on_at,
                "off_at": off_at,
            }
        }

    return mutate(change)


def nested_mapping(depth: int) -> str:
    """The base scenario as YAML text, with a mapping nested ``depth`` levels deep."""
    data: dict[str, Any] = {"leaf": 1}
    for _ in range(depth):
        data = {"deeper": data}
    return yaml.safe_dump({**copy.deepcopy(BASE), "description": data}, sort_keys=False)


@dataclass
class Case:
    """A bad scenario file: its content (a dict written as YAML, text or bytes) and its CSVs."""

    content: dict[str, Any] | list[Any] | str | bytes | None
    fragments: tuple[str, ...]
    name: str = "plan.yaml"
    files: dict[str, str] = field(default_factory=dict)
    blame: str = ""  # the file the message must name, if not the scenario itself

    def write(self, where: Path) -> Path:
        path = where / self.name
        if isinstance(self.content, bytes):
            path.write_bytes(self.content)
        elif isinstance(self.content, str):
            path.write_text(self.content, encoding="utf-8")
        elif self.content is not None:
            path.write_text(yaml.safe_dump(self.content, sort_keys=False), encoding="utf-8")
        for name, text in self.files.items():
            (where / name).write_text(text, encoding="utf-8")
        return path


def csv_case(text: str, *fragments: str) -> Case:
    data, files = with_volume_csv(text)
    return Case(data, ("arrivals.volume_csv", "volume.csv", *fragments), files=files)


CASES: dict[str, Case] = {
    # The file itself.
    "missing_file": Case(None, ("no such file",)),
    "empty_file": Case("", ("mapping",)),
    "only_a_comment": Case("# nothing here yet\n", ("mapping",)),
    "yaml_list_at_top": Case([copy.deepcopy(BASE)], ("mapping",)),
    "yaml_scalar_at_top": Case("just some notes about next week\n", ("mapping",)),
    "malformed_yaml": Case("name: tiny\narrivals: {rate_per_hour: 60\n", ("YAML", "line")),
    "tab_indentation": Case("name: tiny\narrivals:\n\trate_per_hour: 60\n", ("YAML", "line 3")),
    "csv_given_as_scenario": Case(VOLUME_CSV, ("mapping",), name="forecast.csv"),
    "binary_file": Case(b"PK\x03\x04\x14\x00\x06\x00\xb5\x8e\xff\xfe", (), name="roster.xlsx"),
    # Types, ranges and keys.
    "wrong_type": Case(setting("arrivals.rate_per_hour", "lots"), ("arrivals.rate_per_hour",)),
    "negative_rate": Case(setting("arrivals.rate_per_hour", -5), ("arrivals.rate_per_hour", "-5")),
    "unknown_objective": Case(
        setting("objective.maximise", "revenue"), ("objective.maximise", "net_contribution")
    ),
    "negative_max_cost": Case(setting("objective.max_cost", -100), ("objective.max_cost",)),
    "zero_rate": Case(setting("arrivals.rate_per_hour", 0), ("arrivals.rate_per_hour",)),
    "unknown_key": Case(setting("arrivals.rate_per_hr", 60), ("arrivals.rate_per_hr", "unknown")),
    "unknown_top_level_key": Case(setting("agnets", {}), ("agnets", "unknown")),
    "missing_required_section": Case(without("agents"), ("agents", "missing")),
    "unknown_interval_length": Case(setting("horizon.interval_min", 45), ("horizon.interval_min",)),
    "clock_not_hh_mm": Case(setting("horizon.open", "8am"), ("horizon.open", "8am")),
    "negative_shift_count": Case(
        setting("agents.groups.team.shifts.0.count", -1), ("agents.groups.team.shifts.0.count",)
    ),
    "shrinkage_of_one": Case(setting("agents.shrinkage", 1.0), ("agents.shrinkage",)),
    "service_level_target_above_one": Case(
        setting("service_level.target", 80), ("service_level.target", "80")
    ),
    "unknown_service_level_definition": Case(
        setting("service_level.definition", "answered_within"),
        ("service_level.definition", "answered_within"),
    ),
    # Durations.
    "duration_without_unit": Case(
        setting("reasons.general.talk", {"dist": "exponential", "mean": 5}),
        ("reasons.general.talk", "mean"),
    ),
    "duration_in_both_units": Case(
        setting("reasons.general.talk", {"dist": "exponential", "mean_s": 300, "mean_min": 5}),
        ("reasons.general.talk", "mean_s", "mean_min"),
    ),
    "unknown_distribution": Case(
        setting("reasons.general.talk", {"dist": "weibull", "mean_s": 180}),
        ("reasons.general.talk", "weibull"),
    ),
    "negative_duration": Case(
        setting("customers.patience", {"dist": "exponential", "mean_s": -30}),
        ("customers.patience", "mean_s"),
    ),
    # Arrivals.
    "negative_volume_entry": Case(
        setting("arrivals", {"volume": [10, -1, 10, 10]}), ("arrivals.volume.1", "-1")
    ),
    "volume_of_wrong_length": Case(
        setting("arrivals", {"volume": [10, 10, 10]}), ("arrivals.volume", "3")
    ),
    "two_arrival_sources": Case(
        setting("arrivals.volume", [10, 10, 10, 10]), ("arrivals", "rate_per_hour", "volume")
    ),
    # Shares.
    "reason_shares_not_summing_to_one": Case(
        setting("reasons.other", {"share": 0.5, "talk": {"dist": "fixed", "value_s": 60}}),
        ("reasons", "1.5"),
    ),
    "segment_shares_not_summing_to_one": Case(
        setting("customers.segments", {"vip": {"share": 0.3}, "regular": {"share": 0.5}}),
        ("customers.segments", "0.8"),
    ),
    # Time.
    "close_before_open": Case(setting("horizon.close", "07:00"), ("horizon", "close", "07:00")),
    "warmup_longer_than_horizon": Case(
        setting("horizon.warmup_min", 500), ("horizon", "warmup_min")
    ),
    "shift_ending_before_it_starts": Case(
        setting("agents.groups.team.shifts.0.end", "07:00"),
        ("agents.groups.team.shifts.0", "07:00"),
    ),
    "break_outside_its_shift": Case(
        setting("agents.groups.team.shifts.0.breaks", [{"start": "11:00", "duration_min": 15}]),
        ("agents.groups.team.shifts.0", "break", "11:00"),
    ),
    "shift_day_past_horizon": Case(
        setting("agents.groups.team.shifts.0.days", [1, 3]),
        ("agents.groups.team.shifts.0.days", "3"),
    ),
    "staffing_of_wrong_length": Case(
        setting("agents.groups.team", {"staffing": [5, 5, 5]}),
        ("agents.groups.team.staffing", "3"),
    ),
    # CSV tables.
    "missing_csv": Case(
        setting("arrivals", {"volume_csv": "nope.csv"}), ("arrivals.volume_csv", "nope.csv")
    ),
    "csv_missing_a_column": csv_case("interval_start,volume\n08:00,25\n", "calls"),
    "csv_non_numeric_cell": csv_case(
        "interval_start,calls\n08:00,25\n08:30,lots\n09:00,35\n09:30,30\n", "line 3", "lots"
    ),
    "csv_negative_cell": csv_case(
        "interval_start,calls\n08:00,25\n08:30,30\n09:00,-35\n09:30,30\n", "line 4"
    ),
    "csv_missing_an_interval_row": csv_case(
        "interval_start,calls\n08:00,25\n08:30,30\n09:00,35\n", "09:30"
    ),
    "csv_interval_listed_twice": csv_case(
        "interval_start,calls\n08:00,25\n08:30,30\n08:30,30\n09:00,35\n09:30,30\n", "once"
    ),
    "csv_row_outside_opening_hours": csv_case(VOLUME_CSV + "10:00,5\n", "10:00"),
    "csv_empty_file": csv_case(""),
    "csv_ragged_row": csv_case("interval_start,calls\n08:00,25\n08:30,30,7\n09:00,35\n09:30,30\n"),
    "csv_unclosed_quote": csv_case('"interval_start,calls\n08:00,25\n'),
    "staffing_csv_missing_a_column": Case(
        setting("agents.groups.team", {"staffing_csv": "staffing.csv"}),
        ("agents.groups.team.staffing_csv", "staffing.csv", "agents"),
        files={"staffing.csv": "interval_start,people\n08:00,4\n08:30,5\n09:00,6\n09:30,5\n"},
    ),
    # Legal to the schema, but a slip callsim cannot honour (issue 8).
    "overlapping_breaks": Case(
        setting(
            "agents.groups.team.shifts.0.breaks",
            [{"start": "08:30", "duration_min": 30}, {"start": "08:45", "duration_min": 15}],
        ),
        ("agents.groups.team.shifts.0", "breaks.1", "08:45", "overlaps", "breaks.0"),
    ),
    "duplicate_breaks": Case(
        setting(
            "agents.groups.team.shifts.0.breaks",
            [{"start": "09:00", "duration_min": 15}, {"start": "09:00", "duration_min": 15}],
        ),
        ("agents.groups.team.shifts.0", "breaks.1", "09:00", "repeats"),
    ),
    "service_level_toggle_in_percent": Case(
        service_level_toggle(90, 80), ("selling.policy", "on_at", "fraction", "90")
    ),
    "service_level_toggle_off_in_percent": Case(
        service_level_toggle(0.9, 80), ("selling.policy", "off_at", "fraction", "80")
    ),
    "lognormal_cv_absurd": Case(
        setting("reasons.general.talk", {"dist": "lognormal", "mean_s": 180, "cv": 1000}),
        ("reasons.general.talk.cv", "1000", "10"),
    ),
    "gamma_patience_cv_absurd": Case(
        setting("customers.patience", {"dist": "gamma", "mean_s": 300, "cv": 50}),
        ("customers.patience.cv", "50"),
    ),
    "absurd_rate": Case(
        setting("arrivals.rate_per_hour", 1e308), ("arrivals.rate_per_hour", "1e+308", "1,000,000")
    ),
    "absurd_rate_by_scale": Case(
        setting("arrivals.scale", 1e6), ("arrivals.rate_per_hour", "scale", "1,000,000")
    ),
    "absurd_volume": Case(
        setting("arrivals", {"volume": [1e7, 1e7, 1e7, 1e7]}), ("arrivals.volume", "1,000,000")
    ),
    "absurd_shift_count": Case(
        setting("agents.groups.team.shifts.0.count", 10**9),
        ("agents.groups.team.shifts", "1,000,000,000 agents", "simulation.limits.agents"),
    ),
    "absurd_staffing_entry": Case(
        setting("agents.groups.team", {"staffing": [5, 5, 10**12, 5]}),
        ("agents.groups.team.staffing", "1,000,000,000,000 agents"),
    ),
    "absurd_scale_of_the_roster": Case(
        setting("agents.scale", 1e5), ("agents.groups", "500,000 agents")
    ),
    "review_every_nanosecond": Case(
        setting(
            "selling",
            {"policy": {"kind": "overtime_training", "review_every_min": 1e-9}},
        ),
        ("selling.policy", "review_every_min"),
    ),
    "absurd_population": Case(
        setting("selling.population", 10**10), ("selling.population", "2,147,483,647")
    ),
    "yaml_nested_20000_deep": Case("a: " + "[" * 20000 + "]" * 20000 + "\n", ("YAML", "deep")),
    "yaml_nested_too_deep": Case(nested_mapping(60), ("description.deeper", "nested")),
    "csv_negative_cell_after_a_blank_line": csv_case(
        "interval_start,calls\n08:00,25\n\n08:30,30\n09:00,-30\n09:30,30\n", "line 5", "(got -30)"
    ),
    "csv_empty_cell_after_blank_lines": csv_case(
        "\ninterval_start,calls\n08:00,25\n\n\n08:30,\n09:00,30\n09:30,30\n", "line 6", "empty"
    ),
    # Scenarios built on other scenarios.
    "variant_with_a_bad_value": Case(
        setting("variants", {"big": {"arrivals": {"rate_per_hour": -1}}}),
        ("variants.big", "arrivals.rate_per_hour", "-1"),
    ),
    "variant_with_an_unknown_key": Case(
        setting("variants", {"big": {"agents": {"shrinkgae": 0.3}}}),
        ("variants.big", "agents.shrinkgae", "unknown"),
    ),
    "extends_itself": Case({"extends": "plan.yaml", "name": "x"}, ("extends", "cycle")),
    "extends_not_a_path": Case({"extends": ["base.yaml"], "name": "x"}, ("extends",)),
    "extends_a_bad_scenario": Case(
        {"extends": "base.yaml", "name": "x"},
        ("arrivals.rate_per_hour", "-5"),
        files={"base.yaml": yaml.safe_dump(setting("arrivals.rate_per_hour", -5))},
        blame="base.yaml",
    ),
    "override_of_an_extended_scenario": Case(
        {"extends": "base.yaml", "arrivals": {"rate_per_hour": -3}},
        ("arrivals.rate_per_hour", "-3"),
        files={"base.yaml": yaml.safe_dump(BASE)},
    ),
}


def one_line(text: str) -> str:
    """The single line of ``text`` (colour codes removed); fails if there are more or none."""
    lines = ANSI.sub("", text).splitlines()
    assert len(lines) == 1, f"expected exactly one line, got {len(lines)}:\n{text}"
    return lines[0]


def check_error_line(line: str, case: Case) -> None:
    assert "Traceback" not in line
    assert "np." not in line, f"a numpy repr in: {line}"
    blame = case.blame or case.name
    assert blame in line, f"file name {blame!r} missing from: {line}"
    for fragment in case.fragments:
        assert fragment in line, f"{fragment!r} missing from: {line}"


def api_message(path: str) -> str:
    with pytest.raises(callsim.ScenarioError) as info:
        callsim.load_scenario(path)
    return str(info.value)


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work in an empty directory so messages show short relative file names."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_base_scenario_is_valid(in_tmp: Path) -> None:
    Path("plan.yaml").write_text(yaml.safe_dump(BASE), encoding="utf-8")
    assert runner.invoke(app, ["validate", "plan.yaml"]).exit_code == 0
    with_csv = copy.deepcopy(BASE)
    with_csv["arrivals"] = {"volume_csv": "volume.csv"}
    with_csv["agents"]["groups"]["team"] = {"staffing_csv": "staffing.csv"}
    Path("csv.yaml").write_text(yaml.safe_dump(with_csv), encoding="utf-8")
    Path("volume.csv").write_text(VOLUME_CSV, encoding="utf-8")
    Path("staffing.csv").write_text(STAFFING_CSV, encoding="utf-8")
    assert runner.invoke(app, ["validate", "csv.yaml"]).exit_code == 0


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_validate_reports_one_line_and_exits_2(in_tmp: Path, case: Case) -> None:
    case.write(in_tmp)
    result = runner.invoke(app, ["validate", case.name])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    check_error_line(one_line(result.stderr), case)


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_run_reports_one_line_and_exits_2(in_tmp: Path, case: Case) -> None:
    case.write(in_tmp)
    result = runner.invoke(app, ["run", case.name, "-r", "1", "-w", "1", "--out", "results"])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    check_error_line(one_line(result.stderr), case)
    assert not Path("results").exists(), "a bad scenario must not create a results directory"


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_api_raises_scenario_error_with_the_same_message(in_tmp: Path, case: Case) -> None:
    case.write(in_tmp)
    message = api_message(case.name)
    assert "\n" not in message
    check_error_line(message, case)
    cli_line = one_line(runner.invoke(app, ["validate", case.name]).stderr)
    assert cli_line.endswith(message), f"CLI said {cli_line!r}, API said {message!r}"
    with pytest.raises(callsim.ScenarioError):
        callsim.simulate(case.name, replications=1, workers=1)


DICT_CASES = {
    k: c
    for k, c in CASES.items()
    if isinstance(c.content, dict) and not re.search(r"_csv|extends", str(c.content))
}


@pytest.mark.parametrize("case", DICT_CASES.values(), ids=DICT_CASES.keys())
def test_api_on_a_dict_names_the_field(in_tmp: Path, case: Case) -> None:
    with pytest.raises(callsim.ScenarioError) as info:
        callsim.load_scenario(copy.deepcopy(case.content))
    message = str(info.value)
    assert "\n" not in message
    for fragment in case.fragments:
        assert fragment in message


def test_api_ok_on_base_dict() -> None:
    model = callsim.load_scenario(copy.deepcopy(BASE))
    assert model.name == "tiny"
    assert model.horizon.intervals_per_day == 4


def console(exe: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": str(Path(exe).parent), "NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "40"}
    return subprocess.run(
        [exe, *args], capture_output=True, text=True, timeout=120, env=env, check=False
    )


def test_console_script_prints_one_line_without_traceback(tmp_path: Path) -> None:
    """The installed command, in a narrow terminal, with a long path holding spaces."""
    exe = shutil.which("callsim")
    if exe is None:
        pytest.skip("the callsim console script is not installed")
    folder = tmp_path / "week 12 plans, second draft" / ("very long folder name " * 4).strip()
    folder.mkdir(parents=True)
    for key, command in (("wrong_type", "validate"), ("csv_missing_an_interval_row", "run")):
        case = CASES[key]
        path = case.write(folder)
        extra = ["-r", "1", "-w", "1"] if command == "run" else []
        done = console(exe, command, str(path), *extra)
        assert done.returncode == 2, done.stderr
        assert done.stdout == ""
        assert "Traceback" not in done.stderr
        line = one_line(done.stderr)
        assert str(path) in line
        check_error_line(line, case)


# ------------------------------------------------------------------------------------------
# Traps found in review: each test states the behaviour the rule asks for.


def test_fractional_agents_in_staffing_csv_are_rejected(in_tmp: Path) -> None:
    case = Case(
        setting("agents.groups.team", {"staffing_csv": "staffing.csv"}),
        ("agents.groups.team.staffing_csv", "staffing.csv", "2.5"),
        files={"staffing.csv": "interval_start,agents\n08:00,2.5\n08:30,5\n09:00,6\n09:30,5\n"},
    )
    case.write(in_tmp)
    result = runner.invoke(app, ["validate", case.name])
    assert result.exit_code == 2, "2.5 agents must not silently become 2"
    check_error_line(one_line(result.stderr), case)


def test_a_huge_staffing_csv_cell_is_refused_and_limits_can_be_raised(in_tmp: Path) -> None:
    case = Case(
        setting("agents.groups.team", {"staffing_csv": "staffing.csv"}),
        ("agents.groups.team.staffing_csv", "1,000,000,000,000 agents"),
        files={"staffing.csv": "interval_start,agents\n08:00,1e12\n08:30,5\n09:00,6\n09:30,5\n"},
    )
    case.write(in_tmp)
    result = runner.invoke(app, ["validate", case.name])
    assert result.exit_code == 2
    check_error_line(one_line(result.stderr), case)
    # A centre really that large says so in its scenario.
    big = setting("agents.groups.team.shifts.0.count", 30_000)
    big["simulation"]["limits"] = {"agents": 50_000}
    assert callsim.load_scenario(big).simulation.limits.agents == 50_000
    with pytest.raises(ValueError, match="30,000 agents"):
        callsim.load_scenario(setting("agents.groups.team.shifts.0.count", 30_000))


def test_duplicate_yaml_key_is_rejected(in_tmp: Path) -> None:
    text = yaml.safe_dump(BASE, sort_keys=False) + "arrivals:\n  rate_per_hour: 600\n"
    Path("plan.yaml").write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["validate", "plan.yaml"])
    assert result.exit_code == 2, "a repeated key must not silently replace the first one"
    line = one_line(result.stderr)
    assert "plan.yaml" in line
    assert "arrivals" in line


INFINITE = {
    "infinite_rate": ("arrivals.rate_per_hour", ".inf"),
    "infinite_talk_time": ("reasons.general.talk.mean_s", ".inf"),
    "infinite_threshold": ("service_level.threshold_s", ".inf"),
}


@pytest.mark.parametrize(("path", "value"), INFINITE.values(), ids=INFINITE.keys())
def test_infinite_numbers_are_rejected(in_tmp: Path, path: str, value: str) -> None:
    text = yaml.safe_dump(setting(path, "PLACEHOLDER"), sort_keys=False)
    Path("plan.yaml").write_text(text.replace("PLACEHOLDER", value), encoding="utf-8")
    result = runner.invoke(app, ["validate", "plan.yaml"])
    assert result.exit_code == 2, f"{path}: {value} was accepted"
    line = one_line(result.stderr)
    assert "plan.yaml" in line
    assert path in line


@pytest.mark.parametrize("key", ["[/]", "[bold]rate"], ids=["closing_tag", "style_tag"])
def test_square_brackets_in_an_error_are_printed_verbatim(in_tmp: Path, key: str) -> None:
    case = Case(setting(f"arrivals.{key}", 1), (f"arrivals.{key}", "unknown"))
    case.write(in_tmp)
    result = runner.invoke(app, ["validate", case.name])
    assert result.exit_code == 2
    line = one_line(result.stderr)
    check_error_line(line, case)
    assert line.endswith(api_message(case.name))


def test_path_of_a_duration_error_is_the_path_in_the_file(in_tmp: Path) -> None:
    case = Case(
        setting("reasons.general.talk", {"dist": "exponential", "mean": 5}),
        ("reasons.general.talk.mean",),
    )
    case.write(in_tmp)
    message = api_message(case.name)
    check_error_line(message, case)
    assert ".exponential." not in message


def test_unquoted_clock_time_is_accepted_or_explained(in_tmp: Path) -> None:
    text = yaml.safe_dump(BASE, sort_keys=False).replace("close: '10:00'", "close: 10:00")
    assert "close: 10:00" in text
    Path("plan.yaml").write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["validate", "plan.yaml"])
    if result.exit_code != 0:
        assert "10:00" in one_line(result.stderr), "YAML reads 10:00 as 600; say so"


def test_missing_extended_file_names_the_extending_file(in_tmp: Path) -> None:
    case = Case({"extends": "nope.yaml", "name": "x"}, ("extends", "nope.yaml"))
    case.write(in_tmp)
    result = runner.invoke(app, ["validate", case.name])
    assert result.exit_code == 2
    check_error_line(one_line(result.stderr), case)


# ------------------------------------------------------------------------------------------
# Issue 8: commands that slipped past the rule.


def write_base(name: str = "plan.yaml", **extra: Any) -> Path:
    path = Path(name)
    path.write_text(yaml.safe_dump({**copy.deepcopy(BASE), **extra}), encoding="utf-8")
    return path


BAD_SWEEPS = {
    "empty_values": ({"agents.scale": []}, ("sweep.agents.scale", "no values")),
    "unknown_path": ({"agents.scael": [1, 2]}, ("sweep.agents.scael", "unknown key")),
    "bad_value": ({"agents.scale": "lots"}, ("sweep.agents.scale", "lots")),
    "negative_value": ({"arrivals.rate_per_hour": [60, -5]}, ("arrivals.rate_per_hour", "-5")),
    "not_a_mapping": ([1, 2], ("sweep", "mapping")),
    "empty_range": ({"selling.policy.k": "3:1"}, ("sweep.selling.policy.k", "empty range")),
}


@pytest.mark.parametrize(("sweep", "fragments"), BAD_SWEEPS.values(), ids=BAD_SWEEPS.keys())
@pytest.mark.parametrize("command", ["validate", "sweep"])
def test_a_broken_sweep_section_is_a_one_line_error(
    in_tmp: Path, command: str, sweep: Any, fragments: tuple[str, ...]
) -> None:
    write_base(sweep=sweep)
    args = [command, "plan.yaml"] + (["-r", "1", "-w", "1"] if command == "sweep" else [])
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    check_error_line(one_line(result.stderr), Case(None, fragments))


@pytest.mark.parametrize(
    ("param", "fragments"),
    [
        ("agents.scale=", ("--param agents.scale", "no values")),
        ("agents.scael=1,2", ("--param agents.scael=1", "unknown key")),
    ],
    ids=["empty", "unknown_path"],
)
def test_a_broken_sweep_param_is_a_one_line_error(
    in_tmp: Path, param: str, fragments: tuple[str, ...]
) -> None:
    write_base()
    result = runner.invoke(app, ["sweep", "plan.yaml", "--param", param, "-r", "1", "-w", "1"])
    assert result.exit_code == 2, result.output
    line = one_line(result.stderr)
    for fragment in fragments:
        assert fragment in line


def test_validate_reports_the_variants_and_sweep_it_checked(in_tmp: Path) -> None:
    write_base(variants={"big": {"arrivals": {"scale": 1.2}}}, sweep={"agents.scale": "0.9,1.1"})
    result = runner.invoke(app, ["validate", "plan.yaml"])
    assert result.exit_code == 0, result.output
    assert "1 variant(s)" in result.stdout
    assert "sweep of 2 point(s)" in result.stdout


def test_schema_lists_the_keys_only_files_have() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    properties = json.loads(result.stdout)["properties"]
    for key in ("extends", "variants", "sweep"):
        assert key in properties, f"{key} missing: an editor would flag it"
        assert properties[key]["description"]


@pytest.fixture
def two_runs(in_tmp: Path) -> tuple[Path, Path]:
    """The same scenario run into two folders that share their name (jan/out, feb/out)."""
    write_base()
    folders = (Path("jan/out"), Path("feb/out"))
    for folder in folders:
        result = runner.invoke(app, ["run", "plan.yaml", "-w", "1", "--out", str(folder)])
        assert result.exit_code == 0, result.output
    return folders


def test_compare_keeps_both_plans_of_same_named_folders(two_runs: tuple[Path, Path]) -> None:
    result = runner.invoke(app, ["compare", *map(str, two_runs), "--out", "cmp"])
    assert result.exit_code == 0, result.output
    assert "tiny (jan/out)" in result.stdout
    assert "tiny (feb/out)" in result.stdout
    plans = json.loads(Path("cmp/manifest.json").read_text(encoding="utf-8"))["plans"]
    assert plans == ["tiny (jan/out)", "tiny (feb/out)"]


@pytest.mark.parametrize(
    "args",
    [["jan/out"], ["jan/out", "jan/out"], ["jan/out", "./jan/out/"], ["plan.yaml", "plan.yaml"]],
    ids=["one_folder", "folder_twice", "folder_twice_spelt_differently", "file_twice"],
)
def test_compare_of_one_plan_or_a_plan_with_itself_is_an_error(
    two_runs: tuple[Path, Path], args: list[str]
) -> None:
    result = runner.invoke(app, ["compare", *args, "-w", "1"])
    assert result.exit_code == 2, result.output
    line = one_line(result.stderr)
    assert args[-1].strip("./").removesuffix("/") in line


BAD_RESULTS = {
    "manifest_a_list": ("manifest.json", "[1, 2]", ("manifest.json", "object")),
    "manifest_without_kind": ("manifest.json", '{"seed": 1, "replications": 2}', ("kind",)),
    "manifest_without_seed": ("manifest.json", '{"kind": "run", "replications": 2}', ("seed",)),
    "manifest_seed_text": (
        "manifest.json",
        '{"kind": "run", "seed": "one", "replications": 2}',
        ("seed", "whole number"),
    ),
    "summary_a_list": ("summary.json", "[1]", ("summary.json", "object")),
    "summary_kpis_a_list": (
        "summary.json",
        '{"seed": 1, "replications": 2, "kpis": [1]}',
        ("summary.json", "kpis"),
    ),
    "summary_lacks_kpis": (
        "summary.json",
        '{"seed": 1, "replications": 2, "kpis": {"offered": {"mean": 5}}}',
        ("summary.json", "kpis.answered", "missing"),
    ),
    "summary_seed_null": ("summary.json", '{"seed": null}', ("summary.json", "seed")),
}


@pytest.mark.parametrize(("name", "text", "fragments"), BAD_RESULTS.values(), ids=BAD_RESULTS)
def test_report_on_a_broken_results_folder_is_a_one_line_error(
    in_tmp: Path, name: str, text: str, fragments: tuple[str, ...]
) -> None:
    write_base()
    assert runner.invoke(app, ["run", "plan.yaml", "-w", "1", "--out", "res"]).exit_code == 0
    Path("res", name).write_text(text, encoding="utf-8")
    for args in (["report", "res"], ["compare", "res", "res2"]):
        if args[0] == "compare":
            shutil.copytree("res", "res2", dirs_exist_ok=True)
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        line = one_line(result.stderr)
        assert "res" in line
        for fragment in fragments:
            assert fragment in line, f"{fragment!r} missing from: {line}"


def test_report_of_a_sweep_with_a_bad_params_list_is_an_error(in_tmp: Path) -> None:
    write_base()
    args = ["sweep", "plan.yaml", "-p", "agents.scale=0.9,1.1", "-r", "2", "-w", "1", "--out", "sw"]
    assert runner.invoke(app, args).exit_code == 0
    manifest = json.loads(Path("sw/manifest.json").read_text(encoding="utf-8"))
    manifest["params"] = "agents.scale"
    Path("sw/manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = runner.invoke(app, ["report", "sw"])
    assert result.exit_code == 2, result.output
    assert "params" in one_line(result.stderr)


def test_intervals_stay_within_the_values_a_kpi_can_take() -> None:
    from callsim.cli.commands import _ci, _diff_ci
    from callsim.report.i18n import Words

    words = Words("en")
    for show in (_ci, words.interval):
        assert show("service_level", 0.101, 1.602) == "10.1% – 100.0%"
        assert show("abandon_rate", -0.05, 0.2) == "0.0% – 20.0%"
        assert show("offered", -22.6, 270.0) == "0.0 – 270"
        assert show("asa_s", -3.0, 12.0).startswith("0.0 s – ")
        assert show("paid_hours", -1.0, 2.0).startswith("0.0 h – ")
        # Money may be negative (net contribution): not clipped.
        assert show("net_contribution", -500.0, 800.0) in ("-500 – 800", "−500 – 800")
    # A difference may be negative: not clipped either.
    assert _diff_ci("service_level", -0.2, 0.1) == "-20.0% – 10.0%"


@pytest.mark.parametrize(("replications", "noted"), [(2, True), (5, False)])
def test_too_few_replications_for_an_interval_are_noted(
    in_tmp: Path, replications: int, noted: bool
) -> None:
    write_base()
    result = runner.invoke(app, ["run", "plan.yaml", "-r", str(replications), "-w", "1"])
    assert result.exit_code == 0, result.output
    assert ("too few" in result.stdout) == noted
    shares = [float(v) for v in re.findall(r"(-?\d+\.\d)%", result.stdout)]
    assert shares and all(0 <= v <= 100 for v in shares), shares


def test_report_lang_writes_report_html_in_that_language(in_tmp: Path) -> None:
    """One rule for every command: report.html, in the language of --lang."""
    write_base()
    args = ["run", "plan.yaml", "-w", "1", "--lang", "zh", "--out", "res"]
    assert runner.invoke(app, args).exit_code == 0
    assert 'lang="zh-CN"' in Path("res/report.html").read_text(encoding="utf-8")
    assert runner.invoke(app, ["report", "res", "--lang", "en"]).exit_code == 0
    assert 'lang="en"' in Path("res/report.html").read_text(encoding="utf-8")
    assert runner.invoke(app, ["report", "res", "--lang", "zh"]).exit_code == 0
    assert 'lang="zh-CN"' in Path("res/report.html").read_text(encoding="utf-8")
    assert not Path("res/report.zh.html").exists()
