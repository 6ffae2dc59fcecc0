"""A sweep picks its best point by the rule every verdict uses, and shows what each point costs."""

from __future__ import annotations

from pathlib import Path

import callsim
from callsim.experiment.sweep import sweep
from callsim.model.roster import build_roster
from callsim.model.timegrid import time_grid
from callsim.scenario.schema import Scenario

DATA = Path(__file__).resolve().parent / "data"
GRID = {"agents.scale": [0.8, 1.0, 1.2, 1.6]}


def _with_target(target: float) -> Scenario:
    data = callsim.load_scenario(DATA / "small.yaml").model_dump(mode="json", exclude_none=True)
    data["service_level"] = {"target": target}
    return callsim.load_scenario(data)


def test_best_point_meets_the_goal_by_the_verdicts_rule_unless_asked_to_pick_by_mean() -> None:
    # A pilot run with a goal every point meets, to place the target where the cheapest point's
    # mean meets it but its confidence interval does not: its verdict is then inconclusive.
    pilot = sweep(_with_target(0.01), GRID, replications=3, seed=5, workers=1).points
    cheapest = pilot.loc[pilot["net_contribution_mean"].idxmax()]
    assert cheapest["service_level_ci_low"] < cheapest["service_level_mean"]
    target = (cheapest["service_level_mean"] + cheapest["service_level_ci_low"]) / 2
    base = _with_target(float(target))

    run = sweep(base, GRID, replications=3, seed=5, workers=1)
    confident = run.points
    by_mean = sweep(base, GRID, replications=3, seed=5, workers=1, pick="mean").points
    i = int(cheapest.name)
    assert confident.loc[i, "verdict"] == "inconclusive"
    # By the mean the cheapest point wins, and the table says the risk: inconclusive.
    assert bool(by_mean.loc[i, "best"]) and by_mean.loc[i, "verdict"] == "inconclusive"
    # By the rule of the verdict it cannot be best; the best, if any, is a point that is met.
    assert not confident.loc[i, "best"]
    assert (confident.loc[confident["best"], "verdict"] == "met").all()
    # Each point's verdict is the one its own run reports.
    assert confident["verdict"].tolist() == [r.verdict for r in run.results]


def test_each_point_shows_its_agents_and_paid_hours() -> None:
    base = _with_target(0.8)
    points = sweep(base, GRID, replications=2, seed=1, workers=1).points
    for scale, agents, paid in zip(
        points["agents.scale"], points["agents"], points["paid_hours_mean"], strict=True
    ):
        data = base.model_dump(mode="json", exclude_none=True)
        data["agents"]["scale"] = scale
        plan = callsim.load_scenario(data)
        assert agents == len(build_roster(plan, time_grid(plan)))
        # every agent on the 08:00-10:00 shift, plus overtime serving the queue at the close
        assert agents * 2.0 <= paid <= agents * 2.5
    assert points["agents"].is_monotonic_increasing
