"""Call-weighted KPIs beside the mean of the replications' values (issue 8, item 15).

The mean of per-day ratios and the ratio of totals differ when busy days carry more calls and
a worse service level: a planner's monthly report is the second. Each call-weighted figure is
checked against the call table itself (every call counted once, across replications), and its
interval against the delta method's and the t-interval's, which the jackknife must reproduce.
"""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.special import stdtrit

import callsim
from callsim.experiment.results import SimulationResult
from callsim.measure.confidence import jackknife_interval, t_interval
from callsim.model.calllog import ABANDONED, ANSWERED
from callsim.scenario.files import load_scenario
from callsim.store.read import load_run
from callsim.store.write import write_run

DATA = Path(__file__).parent / "data"

BUSY: dict[str, Any] = {
    "name": "busy days",
    "horizon": {"interval_min": 30, "open": "08:00", "close": "12:00"},
    # Day-level busyness: some days 40% busier, some quieter, on the same five agents.
    "arrivals": {"rate_per_hour": 80, "busyness": {"dist": "gamma", "cv": 0.3}},
    "reasons": {"general": {"share": 1.0, "talk": {"dist": "exponential", "mean_s": 180}}},
    "customers": {"patience": {"dist": "exponential", "mean_s": 240}},
    "agents": {
        "groups": {
            "team": {
                "wage_per_hour": 20,
                "shifts": [{"start": "08:00", "end": "12:00", "count": 5}],
            }
        }
    },
    "simulation": {"replications": 40, "seed": 7},
}


@pytest.fixture(scope="module")
def busy() -> SimulationResult:
    return callsim.simulate(BUSY, workers=1, keep_calls=True)


def _pooled_from_calls(result: SimulationResult) -> dict[str, float]:
    """Service level, ASA and abandonment with every call of every replication counted once,
    straight from the call table."""
    calls = result.calls
    assert calls is not None
    answered = calls["outcome"] == ANSWERED
    abandoned = calls["outcome"] == ABANDONED
    wait = calls["answer"] - calls["arrival"]
    threshold = result.scenario.service_level.threshold_s
    return {
        "service_level": float((answered & (wait <= threshold)).sum() / len(calls)),
        "asa_s": float(wait[answered].mean()),
        "abandon_rate": float(abandoned.sum() / len(calls)),
    }


def test_call_weighted_counts_every_call_once(busy: SimulationResult) -> None:
    pooled = _pooled_from_calls(busy)
    for name, value in pooled.items():
        assert busy.kpi(name, "call_weighted")["mean"] == pytest.approx(value, rel=1e-9), name
    # ... and differs from the mean of the days' own ratios: busy days weigh more.
    calls = busy.calls
    assert calls is not None
    per_day = [
        float(((g["outcome"] == ANSWERED) & (g["answer"] - g["arrival"] <= 20)).mean())
        for _, g in calls.groupby("replication")
    ]
    assert busy.kpi("service_level")["mean"] == pytest.approx(np.mean(per_day), rel=1e-9)


def test_busy_days_pull_the_call_weighted_service_level_down(busy: SimulationResult) -> None:
    """With day-level busyness the days with more calls have the worse service level, so the
    call-weighted ratio lies below the mean of the days' ratios (the CallCC benchmark's 0.844
    against 0.896). The paired difference per replication is a deterministic function of the
    seed; its sign must hold beyond the noise of the mean's interval half-width."""
    mean = busy.kpi("service_level")
    weighted = busy.kpi("service_level", "call_weighted")
    half = (mean["ci_high"] - mean["ci_low"]) / 2
    assert weighted["mean"] < mean["mean"] - half / 4
    # Days busier than average miss more: the correlation the gap comes from.
    offered = busy.per_replication["offered"].to_numpy()
    sl = busy.per_replication["service_level"].to_numpy()
    assert np.corrcoef(offered, sl)[0, 1] < -0.5


def test_linear_kpis_have_one_value_and_one_interval(busy: SimulationResult) -> None:
    """For a total (offered calls, cost) the pooled mean is the mean: the jackknife interval of
    a mean is exactly the t-interval."""
    for name in ("offered", "answered", "staff_cost", "revenue"):
        row = busy.summary.loc[name]
        assert row["call_weighted"] == pytest.approx(row["mean"], rel=1e-12)
        assert row["call_weighted_ci_low"] == pytest.approx(row["ci_low"], rel=1e-9)
        assert row["call_weighted_ci_high"] == pytest.approx(row["ci_high"], rel=1e-9)


def test_jackknife_reproduces_the_t_interval_and_the_delta_method() -> None:
    rng = np.random.default_rng(3)
    x = rng.gamma(20, 5, size=(60, 1))  # offered per day
    y = rng.binomial(x.astype(int), 0.8).astype(float)  # answered within T
    out = jackknife_interval(lambda s: {"mean": s["x"], "ratio": s["y"] / s["x"]}, {"x": x, "y": y})
    _, lo, hi = t_interval(x)
    assert out["mean"][1] == pytest.approx(lo) and out["mean"][2] == pytest.approx(hi)
    # Delta method for a ratio of means: se = sd(y − R x) / (sqrt(n) · mean(x)).
    ratio = y.sum() / x.sum()
    se = np.std(y - ratio * x, ddof=1) / (np.sqrt(len(x)) * x.mean())
    half = stdtrit(len(x) - 1, 0.975) * se
    value, low, high = (float(v[0]) for v in out["ratio"])
    assert value == pytest.approx(ratio)
    assert (high - low) / 2 == pytest.approx(half, rel=0.05)
    # One replication: no interval.
    one = jackknife_interval(lambda s: {"r": s["y"] / s["x"]}, {"x": x[:1], "y": y[:1]})
    assert np.isnan(one["r"][1]).all()


def test_per_interval_call_weighted_from_the_call_table(busy: SimulationResult) -> None:
    calls = busy.calls
    assert calls is not None
    k = 3  # 09:30-10:00
    start = 8 * 3600 + k * 1800
    inside = (calls["arrival"] >= start) & (calls["arrival"] < start + 1800)
    c = calls[inside]
    met = (c["outcome"] == ANSWERED) & (c["answer"] - c["arrival"] <= 20)
    value = busy.intervals.loc[k, "service_level_call_weighted"]
    assert value == pytest.approx(met.sum() / len(c), rel=1e-9)
    low = busy.intervals.loc[k, "service_level_call_weighted_ci_low"]
    high = busy.intervals.loc[k, "service_level_call_weighted_ci_high"]
    assert low < value < high


def test_the_goal_names_the_estimate_its_verdict_uses(busy: SimulationResult) -> None:
    summary = busy.summary.copy()
    target = busy.scenario.service_level.target
    summary.loc["service_level", ["mean", "ci_low", "ci_high"]] = [target + 0.1, target + 0.05, 1]
    summary.loc[
        "service_level", ["call_weighted", "call_weighted_ci_low", "call_weighted_ci_high"]
    ] = [target - 0.1, target - 0.15, target - 0.05]
    by_mean = dataclasses.replace(busy, summary=summary)
    assert by_mean.verdict == "met"
    goal = busy.scenario.service_level.model_copy(update={"verdict_on": "call_weighted"})
    by_calls = dataclasses.replace(
        by_mean, scenario=busy.scenario.model_copy(update={"service_level": goal})
    )
    assert by_calls.verdict == "missed"
    assert by_calls.to_summary_dict()["service_level_goal"]["verdict_on"] == "call_weighted"


def test_verdict_on_is_a_scenario_setting() -> None:
    raw = {**BUSY, "service_level": {"verdict_on": "call_weighted"}}
    assert load_scenario(raw).service_level.verdict_on == "call_weighted"
    with pytest.raises(ValueError, match="verdict_on"):
        load_scenario({**BUSY, "service_level": {"verdict_on": "per_call"}})


def test_call_weighted_figures_survive_the_results_directory(tmp_path: Path) -> None:
    result = callsim.simulate(DATA / "small.yaml", replications=3, workers=1)
    write_run(result, tmp_path / "out")
    back = load_run(tmp_path / "out")
    assert np.allclose(
        back.summary["call_weighted"], result.summary["call_weighted"], equal_nan=True
    )
    assert np.allclose(back.replication_sums, result.replication_sums)


def test_comparisons_pair_the_call_weighted_figures_and_judge_the_named_one() -> None:
    from callsim.experiment.pairing import compare_results
    from callsim.experiment.runner import simulate_many

    plans = {**BUSY, "simulation": {"replications": 12, "seed": 7}}
    six = copy.deepcopy(plans)
    six["name"] = "six"
    six["agents"]["groups"]["team"]["shifts"][0]["count"] = 6
    a, b = simulate_many([load_scenario(plans), load_scenario(six)], workers=1)
    table = compare_results({"five": a, "six": b}).table.set_index(["kpi", "plan"])
    sl = table.loc[("service_level", "six")]
    expected = b.kpi("service_level", "call_weighted")["mean"]
    expected -= a.kpi("service_level", "call_weighted")["mean"]
    assert sl["call_weighted_diff"] == pytest.approx(expected)
    assert sl["call_weighted_diff_ci_low"] < expected < sl["call_weighted_diff_ci_high"]
    assert sl["verdict_on"] == "replication_mean" and sl["verdict"] == "better"
    # For a total the paired jackknife is the paired t-interval.
    cost = table.loc[("staff_cost", "six")]
    assert cost["call_weighted_diff_ci_low"] == pytest.approx(cost["diff_ci_low"])
    # Halve the second plan's calls answered within T in its totals only: the call-weighted
    # difference turns worse while each replication's own SL still says better, and a goal
    # judged call-weighted follows the totals.
    sums = b.replication_sums.copy()
    sums["ans_t"] *= 0.5
    b_halved = dataclasses.replace(b, replication_sums=sums)
    goal = a.scenario.service_level.model_copy(update={"verdict_on": "call_weighted"})
    a_calls = dataclasses.replace(a, scenario=a.scenario.model_copy(update={"service_level": goal}))
    for base, judged, verdict in (
        (a, "replication_mean", "better"),
        (a_calls, "call_weighted", "worse"),
    ):
        row = compare_results({"five": base, "six": b_halved}).table.set_index(["kpi", "plan"])
        assert row.loc[("service_level", "six"), "verdict_on"] == judged
        assert row.loc[("service_level", "six"), "verdict"] == verdict
