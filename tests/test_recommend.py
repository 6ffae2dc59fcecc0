"""Which plan a comparison recommends: hand-worked cases of the objective's rule, and the same
answer on the command line, in summary.json and after the results are read back."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from callsim.cli.commands import app
from callsim.errors import UserError
from callsim.experiment.pairing import Comparison
from callsim.experiment.recommend import check_objective, recommend
from callsim.scenario.objective import Objective

# Four plans, worked by hand. (service level mean, its CI, net contribution, staff cost)
PLANS = {
    "base": (0.85, 0.82, 0.88, 100.0, 500.0),  # met
    "A": (0.90, 0.86, 0.94, 150.0, 600.0),  # met, the most net contribution of those met
    "B": (0.95, 0.93, 0.97, 120.0, 700.0),  # met, the best service level
    "C": (0.78, 0.70, 0.86, 300.0, 400.0),  # inconclusive, though the most net and cheapest
}
TARGET = 0.8
SELLS = {"card": "a product"}


def fake_result(sl: float, low: float, high: float, net: float, cost: float) -> Any:
    values = {
        "service_level": (sl, low, high),
        "net_contribution": (net, net - 10, net + 10),
        "staff_cost": (cost, cost - 5, cost + 5),
    }
    verdict = "met" if low >= TARGET else "missed" if high < TARGET else "inconclusive"
    goal = SimpleNamespace(target=TARGET, threshold_s=20.0, verdict_on="replication_mean")
    scenario = SimpleNamespace(service_level=goal, currency=None, objective=None, products=SELLS)

    def kpi(name: str, estimate: str = "mean") -> dict[str, float]:
        m, lo, hi = values[name]
        return {"mean": m, "ci_low": lo, "ci_high": hi}

    return SimpleNamespace(kpi=kpi, verdict=verdict, scenario=scenario)


def fake_comparison(plans: dict[str, tuple[float, ...]] = PLANS, **kw: Any) -> Comparison:
    results = {name: fake_result(*v) for name, v in plans.items()}
    base = next(iter(plans))
    rows = []
    for kpi, column in (("service_level", 0), ("net_contribution", 3), ("staff_cost", 4)):
        for name, v in plans.items():
            diff = v[column] - plans[base][column]
            rows.append(
                {
                    "kpi": kpi,
                    "plan": name,
                    **results[name].kpi(kpi),
                    "diff": diff,
                    "diff_ci_low": diff - 1,
                    "diff_ci_high": diff + 1,
                    "call_weighted": math.nan,
                    "verdict_on": "replication_mean",
                    "verdict": "baseline" if name == base else "better",
                }
            )
    return Comparison(baseline=base, results=results, table=pd.DataFrame(rows), **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("maximise", "max_cost", "plan"),
    [
        ("net_contribution", None, "A"),  # C earns more but does not surely meet the goal
        ("net_contribution", 550.0, "base"),  # only base and C cost so little; C is unsure
        ("service_level", None, "B"),
        ("service_level", 650.0, "A"),
        ("service_level", 450.0, "C"),  # the best service level within the cost, goal or not
    ],
)
def test_the_objective_picks_the_plan_worked_by_hand(
    maximise: str, max_cost: float | None, plan: str
) -> None:
    rec = recommend(fake_comparison(), Objective(maximise=maximise, max_cost=max_cost))  # type: ignore[arg-type]
    assert rec.plan == plan
    assert rec.verdict == ("inconclusive" if plan == "C" else "met")
    assert rec.value.mean == pytest.approx(PLANS[plan][0 if maximise == "service_level" else 3])
    expected = (
        PLANS[plan][0 if maximise == "service_level" else 3]
        - PLANS["base"][0 if maximise == "service_level" else 3]
    )
    assert rec.difference.mean == pytest.approx(expected)


def test_the_sentence_names_the_plan_its_difference_and_verdict() -> None:
    rec = recommend(fake_comparison())
    assert rec.sentence() == (
        "Recommended: A, the most net contribution among plans meeting the 80/20 goal: +50 "
        "(95% CI +49 to +51) against the baseline base, better; service level 90.0% "
        "(95% CI 86.0% to 94.0%), met."
    )
    rec = recommend(fake_comparison(), Objective(maximise="service_level"))
    assert rec.sentence().startswith("Recommended: B, the best service level: +10.0 pp")
    base = recommend(fake_comparison(), Objective(max_cost=550))
    assert base.sentence().startswith("Recommended: base (the baseline), the most net")
    assert "within a staff cost of 550" in base.sentence()


def test_with_no_plan_qualifying_the_nearest_is_named_and_none_recommended() -> None:
    unsure = {k: (0.79, 0.75, 0.83, *v[3:]) for k, v in PLANS.items()}
    unsure["B"] = (0.81, 0.77, 0.85, 120.0, 700.0)
    rec = recommend(fake_comparison(unsure))
    assert (rec.plan, rec.closest, rec.verdict) == (None, "B", "inconclusive")
    assert rec.sentence().startswith("No plan meets the 80/20 goal with confidence; the nearest")
    poor = recommend(fake_comparison(), Objective(max_cost=100))
    assert (poor.plan, poor.closest) == (None, "C")
    assert poor.sentence().startswith("No plan's staff cost is within 100; the cheapest is C: 400")


def test_where_nothing_is_sold_the_most_net_contribution_is_the_lowest_cost(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(f"{__name__}.SELLS", {})
    rec = recommend(fake_comparison())
    # Of the plans meeting the goal (base, A, B), base costs least.
    assert (rec.plan, rec.kpi, rec.rule) == ("base", "staff_cost", "staff_cost")
    assert rec.sentence().startswith(
        "Recommended: base (the baseline), the lowest staff cost among plans meeting the 80/20 "
        "goal (nothing is sold)"
    )


def test_the_comparison_takes_its_own_objective_before_the_scenario_default() -> None:
    assert fake_comparison().recommendation.plan == "A"
    chosen = fake_comparison(objective=Objective(maximise="service_level"))
    assert chosen.recommendation.plan == "B"


@pytest.mark.parametrize(
    ("maximise", "max_cost", "message"),
    [("revenue", None, "objective: expected"), ("service_level", -1.0, "max-cost: expected")],
)
def test_a_bad_objective_is_refused(maximise: str, max_cost: float | None, message: str) -> None:
    with pytest.raises(UserError, match=message):
        check_objective(maximise, max_cost)


# -- the command line ---------------------------------------------------------------------------

SCENARIO: dict[str, Any] = {
    "name": "two desks",
    "horizon": {"interval_min": 30, "open": "08:00", "close": "10:00"},
    "arrivals": {"rate_per_hour": 60},
    "reasons": {"general": {"share": 1.0, "talk": {"dist": "exponential", "mean_s": 180}}},
    "customers": {"patience": {"dist": "exponential", "mean_s": 300}},
    "agents": {
        "groups": {
            "team": {
                "wage_per_hour": 20,
                "shifts": [{"start": "08:00", "end": "10:00", "count": 5}],
            }
        }
    },
    "variants": {
        "more agents": {"agents": {"scale": 1.4}},
        "fewer agents": {"agents": {"scale": 0.8}},
    },
    "simulation": {"replications": 4, "seed": 3},
}


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("recommend") / "desks.yaml"
    path.write_text(yaml.safe_dump(copy.deepcopy(SCENARIO)), encoding="utf-8")
    return path


def test_compare_prints_and_writes_the_same_recommendation(
    scenario_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "cmp"
    args = ["compare", str(scenario_file), "-w", "1", "--objective", "service_level"]
    result = CliRunner().invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    rec = summary["recommendation"]
    assert rec["objective"] == "service_level"
    assert rec["plan"] == "more agents"  # the most agents give the best service level
    assert " ".join(rec["sentence"].split()) in " ".join(result.stdout.split())
    # Read back, the comparison recommends by the objective it was made with.
    rebuilt = CliRunner().invoke(app, ["report", str(out)])
    assert rebuilt.exit_code == 0, rebuilt.output
    page = (out / "report.html").read_text(encoding="utf-8")
    assert 'data-plan="more agents"' in page


def test_a_cost_ceiling_below_every_plan_recommends_none(scenario_file: Path) -> None:
    result = CliRunner().invoke(app, ["compare", str(scenario_file), "-w", "1", "--max-cost", "1"])
    assert result.exit_code == 0, result.output
    assert "No plan's staff cost is within 1; the cheapest is fewer agents" in " ".join(
        result.stdout.split()
    )


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--objective", "revenue", "--objective: expected net_contribution or service_level"),
        ("--max-cost", "-5", "--max-cost: expected a positive amount, got '-5'"),
        ("--max-cost", "lots", "--max-cost: expected a positive amount, got 'lots'"),
        ("--max-cost", "nan", "--max-cost: expected a positive amount, got 'nan'"),
    ],
)
def test_a_bad_objective_option_is_one_line_and_exit_2(
    scenario_file: Path, option: str, value: str, message: str
) -> None:
    result = CliRunner().invoke(app, ["compare", str(scenario_file), "-w", "1", option, value])
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], result.stderr
