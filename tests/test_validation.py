"""The simulator against Erlang C (M/M/c) and Erlang A (M/M/c+M) on their own models (SPEC §5).

Each scenario in ``scenarios/validation/mm*.yaml`` is a Markovian centre: constant Poisson
arrivals over a 24-hour day, one call reason with exponential talk, no wrap-up, one agent group on
a single all-day shift, and either infinitely patient callers (Erlang C) or exponential patience
(Erlang A). The exact figures come from ``callsim.analytic``; the rates, handle time, agents and
patience are read from the scenario file itself, so the file and the formula cannot drift apart.

Tolerance: the simulator reports a 95% Student-t interval over independent replications, a
half-width of 1.96 standard errors. A check passes when

    |simulated mean − exact| ≤ CI_FACTOR × half-width + allowance.

* ``CI_FACTOR`` = 1.5 half-widths is 2.9 standard errors: an unbiased estimate misses by more with
  probability 0.3%. The seed is fixed, so the outcome never changes from run to run; the checks
  also pass with seeds 1, 2 and 3, the worst within 0.61 of its tolerance. The scenarios share
  the seed and so the random streams (common random numbers): their errors are correlated.
* The allowance covers what the interval does not, the bias of a finite day: the day starts
  empty and is measured after a warm-up; calls in hand at the close finish after it with their
  agents logged in, which moves occupancy by about u(1−u)·E[S]/window < 0.001 (u the
  utilisation); calls still waiting at the close are offered but neither answered nor abandoned
  (< 0.1% of calls); and each replication's KPI is a ratio of sums, biased by O(1/calls per
  day). Together these stay well below 0.002 on a share (probabilities, service levels,
  occupancy) and 1% on a time or a queue length; the allowance is that much and no more.

A modelling error moves the estimates by many half-widths: answering LIFO instead of FCFS leaves
P(wait) alone but spreads the waits (the service level moves by several points), and measuring the
wait of an abandoned call from the wrong clock moves the Erlang A service levels apart.
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import pytest

import callsim
from callsim.analytic import SERVICE_LEVEL_DEFINITIONS
from callsim.analytic.erlang import QueueMetrics, mmc, mmc_m
from callsim.scenario.distributions import Exponential, Fixed, NoPatience
from callsim.scenario.schema import Scenario, minutes

VALIDATION = Path(__file__).parents[1] / "scenarios" / "validation"
ERLANG_C = ("mmc_load70", "mmc_load90")
ERLANG_A = ("mmcm_load85", "mmcm_critical", "mmcm_overloaded")
SEED = 20240601
REPLICATIONS = 200
WORKERS = 2
CI_FACTOR = 1.5
SHARE_ALLOWANCE = 0.002  # absolute, on probabilities, service levels and occupancy
RELATIVE_ALLOWANCE = 0.01  # relative, on times and queue lengths

SHARES = ("p_wait", "abandon_rate", "occupancy", *(f"sl_{d}" for d in SERVICE_LEVEL_DEFINITIONS))
AMOUNTS = ("asa_s", "mean_wait_s", "mean_queue", "aht_s")


def markov_parameters(scenario: Scenario) -> dict[str, float]:
    """Rate (per second), mean talk, agents, mean patience and threshold of a validation scenario,
    after checking that it really is the Markovian model the formulas are about."""
    h = scenario.horizon
    assert h.days == 1 and minutes(h.open) == 0 and minutes(h.close) == 24 * 60
    assert scenario.arrivals.rate_per_hour is not None and scenario.arrivals.busyness is None
    assert len(scenario.reasons) == 1
    (reason,) = scenario.reasons.values()
    assert isinstance(reason.talk, Exponential)
    wrap = reason.wrapup or scenario.wrapup
    assert isinstance(wrap, Fixed) and wrap.mean == 0
    assert len(scenario.customers.segments) == 1 and scenario.customers.retrial is None
    (segment,) = scenario.customers.segments.values()
    patience = segment.patience or scenario.customers.patience
    assert isinstance(patience, Exponential | NoPatience)
    assert scenario.agents.shrinkage == 0 and len(scenario.agents.groups) == 1
    (group,) = scenario.agents.groups.values()
    assert group.handle_time_factor == 1 and group.shifts is not None and len(group.shifts) == 1
    (shift,) = group.shifts
    assert (shift.start, shift.end, shift.breaks) == ("00:00", "24:00", [])
    assert scenario.selling.policy.kind == "never" and not scenario.products
    assert scenario.service_level.short_abandon_s == 0
    return {
        "rate": scenario.arrivals.rate_per_hour * scenario.arrivals.scale / 3600.0,
        "mean_talk_s": reason.talk.mean,
        "agents": shift.count,
        "mean_patience_s": patience.mean,
        "threshold_s": scenario.service_level.threshold_s,
    }


def exact(name: str) -> dict[str, float]:
    """The analytic value of every checked KPI, under the simulator's KPI names."""
    p = markov_parameters(callsim.load_scenario(VALIDATION / f"{name}.yaml"))
    if math.isinf(p["mean_patience_s"]):
        m: QueueMetrics = mmc(p["rate"], p["mean_talk_s"], p["agents"], p["threshold_s"])
    else:
        m = mmc_m(p["rate"], p["mean_talk_s"], p["agents"], p["mean_patience_s"], p["threshold_s"])
    return {
        "p_wait": m.p_wait,
        "asa_s": m.asa_s,
        "mean_wait_s": m.mean_wait_s,
        "abandon_rate": m.abandon_rate,
        "occupancy": m.occupancy,
        "mean_queue": m.mean_queue,
        "aht_s": p["mean_talk_s"],
        **{f"sl_{d}": m.service_level[d] for d in SERVICE_LEVEL_DEFINITIONS},
    }


@cache
def simulated(name: str) -> callsim.SimulationResult:
    return callsim.simulate(
        VALIDATION / f"{name}.yaml", replications=REPLICATIONS, seed=SEED, workers=WORKERS
    )


def tolerance(kpi: str, half_width: float, value: float) -> float:
    allowance = SHARE_ALLOWANCE if kpi in SHARES else RELATIVE_ALLOWANCE * abs(value)
    return CI_FACTOR * half_width + allowance


CHECKS = [
    *(
        (name, kpi)
        for name in ERLANG_C
        for kpi in ("p_wait", "occupancy", "sl_offered", "sl_answered", *AMOUNTS)
    ),
    *((name, kpi) for name in ERLANG_A for kpi in (*SHARES, *AMOUNTS)),
]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "kpi"), CHECKS)
def test_simulation_matches_erlang(name: str, kpi: str) -> None:
    want = exact(name)[kpi]
    row = simulated(name).summary.loc[kpi]
    half_width = (row["ci_high"] - row["ci_low"]) / 2
    assert half_width > 0
    gap = abs(row["mean"] - want)
    tol = tolerance(kpi, half_width, want)
    assert gap <= tol, (
        f"{name} {kpi}: exact {want:.6g}, simulated {row['mean']:.6g} "
        f"[{row['ci_low']:.6g}, {row['ci_high']:.6g}], off by {gap:.3g} > {tol:.3g}"
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", ERLANG_C)
def test_erlang_c_nobody_abandons_and_definitions_coincide(name: str) -> None:
    """Without abandonment every service-level definition is the same number (answered ≤ T over
    answered differs only by the few calls still waiting at the close)."""
    summary = simulated(name).summary["mean"]
    assert summary["abandoned"] == 0 and summary["abandon_rate"] == 0
    assert summary["sl_offered"] == summary["sl_offered_abandons_ok"]
    assert summary["sl_offered"] == summary["sl_offered_minus_early_abandons"]
    assert summary["sl_answered"] == pytest.approx(summary["sl_offered"], abs=1e-3)
    assert summary["asa_s"] == summary["mean_wait_s"]


@pytest.mark.slow
@pytest.mark.parametrize("name", ERLANG_A)
def test_erlang_a_definitions_ordered(name: str) -> None:
    """With abandonment the four definitions differ and keep their order: counting quick
    abandons as good, or leaving them out, can only raise the strict answered ≤ T / offered."""
    sl = simulated(name).summary["mean"]
    assert sl["sl_offered"] < sl["sl_offered_minus_early_abandons"] < sl["sl_offered_abandons_ok"]
    assert sl["sl_offered"] < sl["sl_answered"]


def test_overloaded_scenario_is_overloaded() -> None:
    """The overload case must really offer more work than the agents can do."""
    p = markov_parameters(callsim.load_scenario(VALIDATION / "mmcm_overloaded.yaml"))
    assert p["rate"] * p["mean_talk_s"] > 1.2 * p["agents"]
