"""Replications to a precision: batches until each named KPI's 95% half-width meets its target.

The half-widths are recomputed here from the replications' values with scipy's t quantile (an
oracle independent of callsim's interval code), and the batch rule of
:mod:`callsim.experiment.precision` is replayed from them.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats
from typer.testing import CliRunner

from callsim.cli.commands import app
from callsim.errors import UserError
from callsim.experiment.compare import compare
from callsim.experiment.results import SimulationResult
from callsim.experiment.runner import simulate
from callsim.scenario.files import ScenarioError, load_plans
from callsim.store.read import load_run
from callsim.store.write import write_run

DATA = Path(__file__).parent / "data"
SMALL = DATA / "small.yaml"
runner = CliRunner()
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
TARGET = 0.03  # three points of service level: 36 replications of the tiny scenario, seed 5
FRAMES = ("summary", "per_replication", "intervals", "agents", "replication_sums")


def half_width(values: np.ndarray) -> float:
    """The 95% t half-width of a mean, from first principles."""
    n = len(values)
    return float(stats.t.ppf(0.975, n - 1) * np.std(values, ddof=1) / math.sqrt(n))


def assert_same(a: SimulationResult, b: SimulationResult) -> None:
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)
    for kind, table in a.slices.items():
        pd.testing.assert_frame_equal(table, b.slices[kind], check_exact=True)


@pytest.fixture(scope="module")
def reached() -> SimulationResult:
    return simulate(
        SMALL,
        replications=10,
        seed=5,
        workers=1,
        precision={"service_level": TARGET},
        max_replications=200,
    )


def test_a_reachable_target_stops_early_with_the_half_width_below_it(
    reached: SimulationResult,
) -> None:
    outcome = reached.precision
    assert outcome is not None and outcome.reached
    n = reached.replications
    assert n < 200
    assert outcome.batches[-1] == n and outcome.batches[0] == 10
    sl = reached.per_replication["service_level"].to_numpy()
    assert half_width(sl) <= TARGET
    assert outcome.half_widths["service_level"] == pytest.approx(half_width(sl), rel=1e-9)
    row = reached.summary.loc["service_level"]
    assert (row["ci_high"] - row["ci_low"]) / 2 <= TARGET
    # It stopped at the first batch that met the target, and each batch followed the rule.
    for before, after in zip(outcome.batches, outcome.batches[1:], strict=False):
        h = half_width(sl[:before])
        assert h > TARGET, f"the target was already met after {before} replications"
        projected = math.ceil(before * (h / TARGET) ** 2)
        assert after == min(max(projected, before + math.ceil(before / 10)), 2 * before, 200)


def test_the_result_equals_a_fixed_run_of_the_replications_used(
    reached: SimulationResult,
) -> None:
    fixed = simulate(SMALL, replications=reached.replications, seed=5, workers=1)
    assert fixed.precision is None
    assert_same(reached, fixed)


def test_the_replications_used_do_not_depend_on_the_workers(reached: SimulationResult) -> None:
    pooled = simulate(
        SMALL,
        replications=10,
        seed=5,
        workers=2,
        precision={"service_level": TARGET},
        max_replications=200,
    )
    assert pooled.precision == reached.precision
    assert_same(pooled, reached)


def test_an_unreachable_target_stops_at_the_maximum_and_says_so() -> None:
    result = simulate(
        SMALL, replications=3, workers=1, precision={"asa_s": 1e-6}, max_replications=9
    )
    assert result.replications == 9
    assert result.precision is not None and not result.precision.reached
    assert result.precision.batches == (3, 6, 9)
    summary = result.to_summary_dict()["precision"]
    assert summary["reached"] is False and summary["max_replications"] == 9
    assert summary["half_widths"]["asa_s"] > 1e-6


def test_every_target_must_be_met() -> None:
    """A KPI that never varies (no short abandons) is met at once; the run goes on for the
    service level."""
    both = simulate(
        SMALL,
        replications=4,
        seed=5,
        workers=1,
        precision={"short_abandons": 0.5, "service_level": TARGET},
    )
    alone = simulate(SMALL, replications=4, workers=1, precision={"short_abandons": 0.5})
    assert alone.replications == 4 and alone.precision is not None and alone.precision.reached
    assert both.precision is not None and both.precision.reached
    assert both.replications > 4
    assert both.precision.half_widths["short_abandons"] == 0


def test_the_scenario_sets_the_precision_and_the_api_can_turn_it_off() -> None:
    data = yaml.safe_load(SMALL.read_text(encoding="utf-8"))
    data["simulation"] = {
        "replications": 4,
        "seed": 5,
        "precision": {"service_level": TARGET},
        "max_replications": 10,
    }
    capped = simulate(data, workers=1)
    assert capped.replications == 10
    assert capped.precision is not None and capped.precision.max_replications == 10
    assert not capped.precision.reached
    assert simulate(data, workers=1, precision={}).replications == 4
    # The argument's targets replace the scenario's.
    other = simulate(data, workers=1, precision={"short_abandons": 1.0})
    assert other.precision is not None and list(other.precision.targets) == ["short_abandons"]


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"precision": {"service_levl": 0.01}}, "did you mean service_level?"),
        ({"precision": {"service_level": 0}}, "must be above 0"),
        ({"precision": {"service_level": 0.01}, "replications": 1}, "at least 2 replications"),
        ({"precision": {"service_level": 0.01}, "max_replications": 2}, "below the first batch"),
        ({"max_replications": 50}, "only used with precision"),
    ],
)
def test_bad_precision_arguments_are_user_errors(kwargs: dict, fragment: str) -> None:
    with pytest.raises(UserError, match=re.escape(fragment)):
        simulate(SMALL, workers=1, **kwargs)


def test_the_outcome_is_written_and_read_back(reached: SimulationResult, tmp_path: Path) -> None:
    write_run(reached, tmp_path / "out")
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["replications"] == reached.replications
    assert summary["precision"]["reached"] is True
    assert load_run(tmp_path / "out").precision == reached.precision


# -- the command line --------------------------------------------------------------------------


def plain(text: str) -> str:
    return " ".join(ANSI.sub("", text).split())


@pytest.fixture
def small(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "small.yaml"
    path.write_text(SMALL.read_text(encoding="utf-8"), encoding="utf-8")
    return path


def test_run_reports_the_replications_used_and_whether_the_target_was_met(small: Path) -> None:
    args = ["run", "small.yaml", "-w", "1", "--seed", "5", "-r", "4"]
    met = runner.invoke(app, [*args, "--precision", f"service_level={TARGET}"])
    assert met.exit_code == 0, met.output
    used = simulate(SMALL, replications=4, seed=5, workers=1, precision={"service_level": TARGET})
    assert f"Precision reached with {used.replications} replications" in plain(met.stdout)
    assert f"— {used.replications} replication(s)" in plain(met.stdout)
    missed = runner.invoke(
        app, [*args, "--precision", "asa_s=0.000001", "--max-replications", "8", "--json"]
    )
    assert missed.exit_code == 0, missed.output
    summary = json.loads(missed.stdout)
    assert summary["replications"] == 8 and summary["precision"]["reached"] is False
    text = runner.invoke(app, [*args, "--precision", "asa_s=0.000001", "--max-replications", "8"])
    assert "Precision NOT reached: stopped at the maximum of 8 replications" in plain(text.stdout)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--precision", "bogus=0.01"], "--precision: unknown KPI 'bogus'"),
        (["--precision", "service_level"], "--precision: expected KPI=HALFWIDTH"),
        (["--precision", "service_level=abc"], "--precision: service_level: expected a number"),
        (["--precision", "asa_s=1", "--precision", "asa_s=2"], "asa_s: given twice"),
        (["--max-replications", "50"], "--max-replications: only used with --precision"),
        (["--precision", "asa_s=1", "-r", "1"], "at least 2 replications in the first batch"),
        (["--precision", "asa_s=1", "--max-replications", "2"], "below the first batch of 3"),
    ],
)
def test_bad_precision_options_are_one_line_errors(
    small: Path, args: list[str], fragment: str
) -> None:
    result = runner.invoke(app, ["run", "small.yaml", *args])
    assert result.exit_code == 2, result.output
    lines = ANSI.sub("", result.stderr).strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], result.stderr
    assert "Traceback" not in result.output


def test_a_bad_precision_setting_names_the_file_and_the_field(small: Path) -> None:
    data = yaml.safe_load(small.read_text(encoding="utf-8"))
    data["simulation"]["precision"] = {"bogus": 0.01}
    small.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = runner.invoke(app, ["run", "small.yaml"])
    assert result.exit_code == 2
    line = ANSI.sub("", result.stderr).strip()
    assert line.startswith("error: small.yaml: simulation.precision: unknown KPI 'bogus'"), line
    data["simulation"] = {"replications": 3, "max_replications": 10}
    small.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ScenarioError, match="max_replications: only used with precision"):
        simulate(small)


def test_a_comparison_runs_every_plan_until_the_widest_meets_the_targets() -> None:
    data = yaml.safe_load(SMALL.read_text(encoding="utf-8"))
    data["simulation"] = {
        "replications": 5,
        "seed": 2,
        "precision": {"service_level": 0.04},
        "max_replications": 200,
    }
    four = [{"start": "08:00", "end": "10:00", "count": 4}]  # a busier plan, a wider interval
    data["variants"] = {"four agents": {"agents": {"groups": {"team": {"shifts": four}}}}}
    results = list(compare(load_plans(data), workers=1).results.values())
    outcome = results[0].precision
    assert outcome is not None and outcome.reached and len(outcome.batches) > 1
    assert all(r.precision == outcome and r.replications == outcome.batches[-1] for r in results)
    sl = [r.per_replication["service_level"].to_numpy() for r in results]
    assert max(half_width(v) for v in sl) <= 0.04
    assert max(half_width(v[: outcome.batches[-2]]) for v in sl) > 0.04
    # The five agents alone would have stopped sooner: the wider plan decided.
    before = outcome.batches[-2]
    assert half_width(sl[0][:before]) <= 0.04 < half_width(sl[1][:before])
