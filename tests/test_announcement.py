"""Announcing the expected wait: who balks, how the others wait, how the KPIs count them.

Oracles: the balking curve and the patience stretch worked out by hand; the engine's decisions
replayed from the call log (the queue each caller found, their own uniform); the service-level
definitions recomputed from the counts; paired replications on the same seed for what
announcing does to abandonment, with the tolerance taken from the paired confidence interval.
"""

from __future__ import annotations

import copy
import itertools
import math
from typing import Any

import numpy as np
import pytest
import yaml
from scipy import stats
from typer.testing import CliRunner

import callsim
from callsim.cli import app
from callsim.measure.kpis import compute_kpis
from callsim.model.announcement import balk_probability, stretched_patience
from callsim.model.calllog import ABANDONED, ANSWERED, BALKED
from callsim.model.demand import draw_demand
from callsim.model.replication import run_model
from callsim.model.streams import streams
from callsim.model.timegrid import time_grid

BASE: dict[str, Any] = {
    "name": "announced",
    "horizon": {"interval_min": 30, "open": "08:00", "close": "12:00"},
    "arrivals": {"rate_per_hour": 120},
    "reasons": {"bill": {"share": 1.0, "talk": {"dist": "exponential", "mean_s": 180}}},
    "customers": {"patience": {"dist": "exponential", "mean_s": 120}},
    "agents": {"groups": {"team": {"shifts": [{"start": "08:00", "end": "12:00", "count": 6}]}}},
    "simulation": {"replications": 1, "seed": 11},
}
ON = {"enabled": True, "balking": {"tolerance_s": 120.0}}


def scenario(announcement: dict[str, Any] | None = None, **over: Any) -> Any:
    data = copy.deepcopy(BASE)
    if announcement is not None:
        data["announcement"] = announcement
    for key, value in over.items():
        data[key] = value
    return callsim.load_scenario(data)


# -- the curve and the stretch, by hand ----------------------------------------------------


def test_balk_probability_by_hand() -> None:
    assert balk_probability(0.0, 300.0, 2.0) == 0.0
    assert balk_probability(300.0, 300.0, 2.0) == pytest.approx(0.5)  # half at the tolerance
    assert balk_probability(600.0, 300.0, 2.0) == pytest.approx(1 - 2**-4)  # (2)^2 = 4
    assert balk_probability(150.0, 300.0, 1.0) == pytest.approx(1 - 2**-0.5)
    waits = np.linspace(0, 2000, 201)
    p = [balk_probability(float(w), 300.0, 2.0) for w in waits]
    assert all(b > a for a, b in itertools.pairwise(p))  # increasing
    assert balk_probability(200.0, 600.0, 2.0) < balk_probability(200.0, 300.0, 2.0)


def test_stretched_patience_by_hand() -> None:
    assert stretched_patience(60.0, 200.0, 0.5) == pytest.approx(130.0)  # halfway up to 200
    assert stretched_patience(60.0, 200.0, 0.0) == pytest.approx(60.0)
    assert stretched_patience(60.0, 200.0, 1.0) == pytest.approx(200.0)
    assert stretched_patience(300.0, 200.0, 0.5) == pytest.approx(300.0)  # never shortened
    assert stretched_patience(math.inf, 200.0, 0.5) == math.inf


# -- the engine's decisions, replayed from the call log -------------------------------------


def _run(sc: Any, replication: int = 0) -> Any:
    return run_model(sc, sc.simulation.seed, replication)


def test_each_caller_balks_iff_their_uniform_is_below_the_curve() -> None:
    sc = scenario(ON)
    calls = _run(sc).calls
    announced = calls.column("announced")
    told = ~np.isnan(announced)
    assert told.sum() > 100
    p = np.array([balk_probability(a, 120.0, 2.0) for a in announced[told]])
    u = calls.draws["u_balk"][: calls.size][told]
    balked = calls.column("outcome")[told] == BALKED
    assert np.array_equal(balked, u < p)
    # Nobody answered at once hears anything, and only those told can balk.
    assert not (calls.column("outcome")[~told] == BALKED).any()
    assert np.all(np.isnan(announced[calls.column("answer") == calls.column("arrival")]))


def test_balking_share_matches_the_curve() -> None:
    """Balks are a sum of independent Bernoulli(p_i) given what each caller was told: the count
    lies within four standard deviations of the sum of the p_i."""
    sc = scenario(ON)
    balked, expected, variance = 0, 0.0, 0.0
    for r in range(4):
        calls = _run(sc, r).calls
        announced = calls.column("announced")
        told = ~np.isnan(announced)
        p = np.array([balk_probability(a, 120.0, 2.0) for a in announced[told]])
        balked += int((calls.column("outcome") == BALKED).sum())
        expected += float(p.sum())
        variance += float((p * (1 - p)).sum())
    assert expected > 50
    assert abs(balked - expected) <= 4 * math.sqrt(variance), (balked, expected)


TWO_PRIORITIES = {
    **BASE["customers"],
    "segments": {"vip": {"share": 0.3, "priority": 1}, "regular": {"share": 0.7}},
}


@pytest.mark.parametrize("customers", [BASE["customers"], TWO_PRIORITIES], ids=["one", "two"])
def test_announced_wait_is_the_queue_ahead_times_handle_over_agents(
    customers: dict[str, Any],
) -> None:
    """Rebuild the queue each caller found from the call log (who had arrived and not yet
    left, at this caller's priority or above): six agents on all morning, the mean handle of
    180 s."""
    sc = scenario(ON, customers=customers)
    priority = np.array([s.priority for s in sc.customers.segments.values()])
    calls = _run(sc).calls
    rank = priority[calls.column("segment")]
    arrival = calls.column("arrival")
    outcome = calls.column("outcome")
    leave = np.where(
        outcome == ANSWERED,
        calls.column("answer"),
        np.where(outcome == ABANDONED, arrival + calls.column("patience"), arrival),
    )
    announced = calls.column("announced")
    close = 4 * 3600.0 + 8 * 3600.0
    checked = 0
    for i in np.flatnonzero(~np.isnan(announced) & (arrival < close - 600)):
        waiting = (arrival < arrival[i]) & (leave > arrival[i])
        ahead = int(np.sum(waiting & (rank >= rank[i])))
        assert announced[i] == pytest.approx((ahead + 1) * 180.0 / 6), i
        checked += 1
    assert checked > 100


def test_stayers_patience_is_stretched_towards_the_announcement() -> None:
    sc = scenario({**ON, "patience_stretch": 0.25})
    grid = time_grid(sc)
    drawn = draw_demand(sc, grid, streams(sc.simulation.seed, 0)).patience
    calls = _run(sc).calls
    n = len(drawn)
    announced = calls.column("announced")[:n]
    stayed = ~np.isnan(announced) & (calls.column("outcome")[:n] != BALKED)
    expected = drawn + 0.25 * np.maximum(announced - drawn, 0.0)
    assert stayed.sum() > 100
    np.testing.assert_allclose(calls.column("patience")[:n][stayed], expected[stayed])
    np.testing.assert_array_equal(calls.column("patience")[:n][~stayed], drawn[~stayed])


def test_an_announcement_nobody_reacts_to_changes_nothing() -> None:
    """Tolerance far past any wait and no stretch: every call as without announcing (the
    balking uniforms are a stream of their own, so nobody else's draws move)."""
    quiet = {"enabled": True, "balking": {"tolerance_s": 1e12}, "patience_stretch": 0.0}
    off, on = _run(scenario()).calls, _run(scenario(quiet)).calls
    assert on.size == off.size
    for name in ("arrival", "answer", "end", "outcome", "agent", "patience"):
        np.testing.assert_array_equal(on.column(name), off.column(name), err_msg=name)
    assert np.isnan(off.column("announced")).all()
    assert off.announced.strides == (0,)  # without announcing, the column takes no memory
    assert (~np.isnan(on.column("announced"))).sum() > 100


def test_balkers_call_again_by_the_retrial_model() -> None:
    retrial = {"probability": 1.0, "delay": {"dist": "fixed", "value_s": 600}}
    sc = scenario(ON, customers={**BASE["customers"], "retrial": retrial})
    calls = _run(sc).calls
    outcome, attempt = calls.column("outcome"), calls.column("attempt")
    gave_up = int(np.isin(outcome, (BALKED, ABANDONED)).sum())
    # Everyone who hung up calls again ten minutes later unless that falls past the close.
    arrival = calls.column("arrival")
    late = np.isin(outcome, (BALKED, ABANDONED)) & (arrival > 12 * 3600.0 - 600)
    assert int((attempt > 0).sum()) >= gave_up - int(late.sum()) - 10
    assert (outcome == BALKED).sum() > 0 and (outcome[attempt > 0] == BALKED).sum() > 0


# -- KPIs --------------------------------------------------------------------------------


def _horizon(sc: Any, replication: int = 0) -> dict[str, float]:
    run = _run(sc, replication)
    return compute_kpis(run.calls, run.sessions, run.timelines, run.roster, run.grid, sc).horizon


def test_balked_calls_are_neither_answered_nor_abandoned() -> None:
    k = _horizon(scenario(ON))
    assert k["balked"] > 0
    assert k["offered"] == k["answered"] + k["abandoned"] + k["balked"] + k["waiting_at_end"]
    assert k["balk_rate"] == pytest.approx(k["balked"] / k["offered"])
    assert k["abandon_rate"] == pytest.approx(k["abandoned"] / k["offered"])


def test_balked_count_in_the_service_level_as_the_scenario_says() -> None:
    goal = {"threshold_s": 20.0}
    k = {
        mode: _horizon(scenario(ON, service_level={**goal, "balked": mode}))
        for mode in ("offered", "excluded", "abandoned")
    }
    offered, balked = k["offered"]["offered"], k["offered"]["balked"]
    assert balked > 0
    ans_t = k["offered"]["sl_offered"] * offered
    assert k["excluded"]["sl_offered"] == pytest.approx(ans_t / (offered - balked))
    assert k["abandoned"]["sl_offered"] == pytest.approx(k["offered"]["sl_offered"])
    ok = k["offered"]["sl_offered_abandons_ok"] * offered
    assert k["abandoned"]["sl_offered_abandons_ok"] == pytest.approx((ok + balked) / offered)
    early = offered - ans_t / k["offered"]["sl_offered_minus_early_abandons"]
    assert k["abandoned"]["sl_offered_minus_early_abandons"] == pytest.approx(
        ans_t / (offered - early - balked)
    )
    assert k["excluded"]["short_abandons"] == k["offered"]["short_abandons"]


def _paired(kpi: str, a: Any, b: Any, n: int) -> tuple[float, float, float]:
    """Mean of b − a over replications on the same seed, and its 95% interval."""
    d = np.array([_horizon(b, r)[kpi] - _horizon(a, r)[kpi] for r in range(n)])
    half = stats.t.ppf(0.975, n - 1) * d.std(ddof=1) / math.sqrt(n)
    return float(d.mean()), float(d.mean() - half), float(d.mean() + half)


def test_announcing_lowers_abandonment_and_raises_balking() -> None:
    off, on = scenario(), scenario(ON)
    _, _, high = _paired("abandon_rate", off, on, 8)
    assert high < 0  # the whole paired interval below zero
    _, low, _ = _paired("balk_rate", off, on, 8)
    assert low > 0


def test_announcing_raises_the_satisfaction_of_those_who_wait() -> None:
    """At the same waits, an announced wait is perceived shorter; ``balked`` at the top of the
    scale isolates that from the balkers' own scores."""
    sat = {"balked": 1.0, "abandoned": 1.0}
    still = {**ON, "balking": {"tolerance_s": 1e12}, "patience_stretch": 0.0}
    told = {**still, "wait_discount": 0.8}
    _, low, _ = _paired(
        "satisfaction", scenario(still, satisfaction=sat), scenario(told, satisfaction=sat), 4
    )
    assert low > 0


# -- scenario keys ---------------------------------------------------------------------------

runner = CliRunner()

BAD = {
    "unknown_segment": (
        {"announcement": {"enabled": True, "balking": {"segments": {"gold": 60.0}}}},
        "announcement.balking.segments",
    ),
    "zero_tolerance": (
        {"announcement": {"enabled": True, "balking": {"tolerance_s": 0}}},
        "announcement.balking.tolerance_s",
    ),
    "stretch_above_one": (
        {"announcement": {"enabled": True, "patience_stretch": 1.5}},
        "announcement.patience_stretch",
    ),
    "unknown_estimator": (
        {"announcement": {"enabled": True, "estimator": "crystal_ball"}},
        "announcement.estimator",
    ),
    "unknown_balked_mode": ({"service_level": {"balked": "ignored"}}, "service_level.balked"),
}


@pytest.mark.parametrize(("over", "field"), BAD.values(), ids=BAD.keys())
def test_bad_announcement_keys_fail_with_the_file_and_field(
    tmp_path: Any, over: dict[str, Any], field: str
) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump({**BASE, **over}), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
    assert "Traceback" not in result.stderr
    assert "plan.yaml" in result.stderr and field in " ".join(lines)
