"""Facts that hold in every run of the engine, whatever the scenario and the seed.

* Conservation: every counted call is answered, abandoned or still waiting at the end, in the call
  log and in the KPIs alike.
* Agents: nobody serves two calls at once, and an agent starts a call only while logged in (a call
  in hand may run past a logout: the agent finishes it first). Occupancy is at most 1.
* Times: waits are never negative, a call ends after it is answered, nobody is answered after
  the close.
* Queue discipline: when a call is answered, no call of a higher priority is waiting, and no call
  of the same priority that arrived earlier is still waiting (FCFS within a priority).
* Reproducibility: the same seed gives identical results whatever the number of workers.

They are checked on hand-made scenarios (per-interval staffing, shifts with breaks over two days,
three priority classes, retrials, all at once) and on small random centres drawn by hypothesis.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import callsim
from callsim.model.calllog import ABANDONED, ANSWERED, WAITING
from callsim.model.opening_hours import OpeningHours
from callsim.model.roster import build_roster
from callsim.model.timegrid import time_grid
from callsim.scenario.schema import Scenario

SEED = 7
REPLICATIONS = 4
EPS = 1e-6  # seconds: end times are re-summed after the run, so they may differ in the last bits

# --------------------------------------------------------------------------------------------
# scenarios

BASE: dict[str, Any] = {
    "horizon": {"open": "08:00", "close": "20:00", "interval_min": 30, "warmup_min": 30},
    "arrivals": {"rate_per_hour": 90},
    "reasons": {
        "billing": {"share": 0.7, "talk": {"dist": "lognormal", "mean_s": 200, "cv": 1.0}},
        "complaint": {
            "share": 0.3,
            "talk": {"dist": "gamma", "mean_min": 6, "cv": 0.8},
            "wrapup": {"dist": "fixed", "value_s": 45},
        },
    },
    "wrapup": {"dist": "exponential", "mean_s": 20},
    "customers": {"patience": {"dist": "exponential", "mean_s": 180}},
}

# Staffing per 30-minute interval, 08:00-20:00 (24 intervals), with a dip at lunch.
STAFFING_DAY = [3, 4, 6, 8, 8, 9, 9, 7, 5, 4, 6, 8, 8, 8, 7, 6, 6, 5, 4, 4, 3, 3, 2, 2]
STAFFING_SLOW = [0, 0, 2, 2, 3, 3, 3, 3, 2, 0, 0, 2, 2, 3, 3, 3, 1, 1, 1, 0, 0, 0, 0, 0]
VOLUME = [20, 30, 45, 60, 70, 75, 70, 55, 40, 35, 45, 60, 65, 65, 60, 50, 45, 40, 30, 25, 20, 15]
VOLUME += [12, 10]


def _with(**sections: Any) -> dict[str, Any]:
    spec = copy.deepcopy(BASE)
    spec.update(sections)
    return spec


SCENARIOS: dict[str, dict[str, Any]] = {
    "staffing": _with(
        name="per-interval staffing",
        arrivals={"volume": VOLUME},
        agents={
            "shrinkage": 0.2,
            "groups": {
                "regular": {"staffing": STAFFING_DAY},
                "slow": {"handle_time_factor": 1.3, "staffing": STAFFING_SLOW},
            },
        },
    ),
    "shifts_breaks": _with(
        name="shifts with breaks over two days",
        horizon={"days": 2, "open": "08:00", "close": "20:00", "interval_min": 15},
        arrivals={"rate_per_hour": 100},
        customers={"patience": {"dist": "gamma", "mean_s": 150, "cv": 1.5}},
        agents={
            "groups": {
                "early": {
                    "shifts": [
                        {
                            "start": "08:00",
                            "end": "16:00",
                            "count": 6,
                            "breaks": [
                                {"start": "10:00", "duration_min": 15},
                                {"start": "12:00", "duration_min": 30},
                            ],
                        }
                    ]
                },
                "late": {
                    "handle_time_factor": 0.9,
                    "shifts": [
                        {
                            "start": "12:00",
                            "end": "20:00",
                            "count": 5,
                            "breaks": [{"start": "15:45", "duration_min": 30}],
                        },
                        {"start": "17:00", "end": "20:00", "count": 3, "days": [2]},
                    ],
                },
            }
        },
    ),
    "priorities": _with(
        name="three priority classes",
        arrivals={"rate_per_hour": 150},
        customers={
            "patience": {"dist": "exponential", "mean_s": 150},
            "segments": {
                "vip": {"share": 0.15, "priority": 2, "patience": {"dist": "none"}},
                "gold": {"share": 0.25, "priority": 1},
                "regular": {"share": 0.6, "priority": 0},
            },
        },
        agents={"groups": {"desk": {"shifts": [{"start": "08:00", "end": "20:00", "count": 10}]}}},
    ),
    "retrials": _with(
        name="retrials after hanging up",
        arrivals={"rate_per_hour": 140},
        customers={
            "patience": {"dist": "exponential", "mean_s": 90},
            "retrial": {"probability": 0.6, "delay": {"dist": "exponential", "mean_min": 4}},
        },
        agents={"groups": {"desk": {"shifts": [{"start": "08:00", "end": "20:00", "count": 9}]}}},
    ),
    "everything": _with(
        name="staffing, breaks, priorities and retrials together",
        arrivals={"volume": [v * 1.3 for v in VOLUME]},
        customers={
            "patience": {"dist": "lognormal", "mean_s": 200, "cv": 1.2},
            "segments": {
                "vip": {"share": 0.2, "priority": 5},
                "regular": {"share": 0.5, "priority": 0},
                "web": {"share": 0.3, "priority": 0, "patience": {"dist": "fixed", "value_s": 60}},
            },
            "retrial": {"probability": 0.4, "delay": {"dist": "fixed", "value_min": 3}},
        },
        agents={
            "shrinkage": 0.1,
            "groups": {
                "regular": {"staffing": STAFFING_DAY},
                "seniors": {
                    "handle_time_factor": 0.8,
                    "shifts": [
                        {
                            "start": "09:00",
                            "end": "17:30",
                            "count": 4,
                            "breaks": [{"start": "13:00", "duration_min": 45}],
                        }
                    ],
                },
            },
        },
    ),
}


@cache
def run(name: str, workers: int = 2) -> callsim.SimulationResult:
    return callsim.simulate(
        SCENARIOS[name], replications=REPLICATIONS, seed=SEED, workers=workers, keep_calls=True
    )


# --------------------------------------------------------------------------------------------
# the invariants, on one run's results


def leave_time(calls: pd.DataFrame) -> np.ndarray:
    """When each call stopped waiting: answered, hung up, or never (still waiting at the end)."""
    outcome = calls["outcome"].to_numpy()
    return np.where(
        outcome == ANSWERED,
        calls["answer"].to_numpy(),
        np.where(outcome == ABANDONED, (calls["arrival"] + calls["patience"]).to_numpy(), np.inf),
    )


def check_times(calls: pd.DataFrame, hours: OpeningHours) -> None:
    outcome = calls["outcome"].to_numpy()
    assert set(np.unique(outcome)) <= {WAITING, ANSWERED, ABANDONED}
    answered = outcome == ANSWERED
    assert np.array_equal(answered, calls["agent"].to_numpy() >= 0)
    assert np.array_equal(answered, calls["answer"].notna().to_numpy())
    assert calls["end"].notna().to_numpy()[answered].all()
    a = calls[answered]
    assert (a["answer"] >= a["arrival"] - EPS).all(), "negative wait"
    # Nobody waits through the night: a call answered after a close was waiting at that close
    # and is answered before the next opening (the queue left at the close is served).
    for arrival, answer in zip(a["arrival"], a["answer"], strict=True):
        if not hours.is_open(answer):
            close = hours.close_before(answer)
            assert close is not None and arrival < close, "answered after a close it came after"
            opening = hours.next_open_after(close)
            assert opening is None or answer < opening, "waited through the night"
    assert (a["end"] >= a["answer"]).all()
    assert (calls["patience"] >= 0).all()
    assert all(hours.is_open(t) for t in calls["arrival"]), "a call in closed hours"


def check_agents(
    calls: pd.DataFrame, sessions: list[tuple[int, float, float]], hours: OpeningHours
) -> None:
    """One call at a time per agent, and every call started inside one of the agent's login
    sessions (start ≤ answer ≤ end; it may then run past the session's end) or, in closed hours,
    by an agent who was on at the close serving the queue left then."""
    a = calls[calls["outcome"] == ANSWERED].sort_values(["agent", "answer"], kind="stable")
    agent = a["agent"].to_numpy()
    answer, end = a["answer"].to_numpy(), a["end"].to_numpy()
    same = agent[1:] == agent[:-1]
    overlap = same & (answer[1:] < end[:-1] - EPS)
    assert not overlap.any(), f"agent {agent[1:][overlap][0]} on two calls at once"

    by_agent: dict[int, list[tuple[float, float]]] = {}
    for who, start, stop in sessions:
        by_agent.setdefault(int(who), []).append((start, stop))
    for who, t in zip(agent, answer, strict=True):
        spans = by_agent.get(int(who), [])
        at = t if hours.is_open(t) else hours.close_before(t)
        assert at is not None and any(s - EPS <= at <= e + EPS for s, e in spans), (
            f"agent {who} started a call at {t:.3f} s while logged out (sessions {spans})"
        )


def check_discipline(calls: pd.DataFrame, priority_of_segment: list[int]) -> None:
    """At each answer, the answered call heads the highest non-empty queue."""
    prio = np.asarray(priority_of_segment)[calls["segment"].to_numpy()]
    arrival = calls["arrival"].to_numpy()
    leave = leave_time(calls)
    answered = calls["outcome"].to_numpy() == ANSWERED
    for level in np.unique(prio):
        # FCFS within a priority: every earlier arrival of the class has left by the answer.
        mine = np.flatnonzero(prio == level)
        mine = mine[np.argsort(arrival[mine], kind="stable")]
        left_before = np.maximum.accumulate(np.concatenate([[-np.inf], leave[mine][:-1]]))
        late = answered[mine] & (left_before > leave[mine] + EPS)
        assert not late.any(), f"priority {level}: an earlier caller was still waiting"

        # No higher-priority caller is waiting (arrived before t, leaves after t) at an answer.
        higher = (prio > level) & (leave > arrival)
        if not higher.any():
            continue
        starts = np.sort(arrival[higher])
        stops = np.sort(leave[higher])
        t = leave[mine][answered[mine]]
        waiting = np.searchsorted(starts, t - EPS, side="left") - np.searchsorted(
            stops, t + EPS, side="right"
        )
        assert (waiting <= 0).all(), f"priority {level} answered while a higher one waited"


def check_conservation(result: callsim.SimulationResult, scenario: Scenario) -> None:
    grid = time_grid(scenario)
    per_rep = result.per_replication
    kpi = per_rep[["offered", "answered", "abandoned", "waiting_at_end"]]
    np.testing.assert_array_equal(
        kpi["offered"], kpi["answered"] + kpi["abandoned"] + kpi["waiting_at_end"]
    )
    mean = result.summary["mean"]
    assert mean["offered"] == pytest.approx(
        mean["answered"] + mean["abandoned"] + mean["waiting_at_end"], rel=1e-12
    )
    calls = result.calls
    assert calls is not None
    for r, frame in calls.groupby("replication"):
        arrival = frame["arrival"].to_numpy()
        counted = (
            (arrival >= grid.warmup_end)
            & (arrival < grid.horizon_end)
            & (grid.index_of(arrival) >= 0)
        )
        outcome = frame["outcome"].to_numpy()[counted]
        assert counted.sum() == per_rep.loc[r, "offered"]
        assert (outcome == ANSWERED).sum() == per_rep.loc[r, "answered"]
        assert (outcome == ABANDONED).sum() == per_rep.loc[r, "abandoned"]
        assert (outcome == WAITING).sum() == per_rep.loc[r, "waiting_at_end"]


def check_retrials(calls: pd.DataFrame) -> None:
    """A retrial follows an abandonment: never more retrials than calls that hung up."""
    again = calls["attempt"] > 0
    assert again.sum() <= (calls["outcome"] == ABANDONED).sum()


def check_kpi_ranges(result: callsim.SimulationResult) -> None:
    per_rep = result.per_replication
    for k in ("occupancy", "p_wait", "abandon_rate", "service_level"):
        v = per_rep[k].dropna()
        assert ((v >= 0) & (v <= 1 + 1e-12)).all(), k
    for k in ("sl_offered", "sl_answered", "sl_offered_abandons_ok"):
        v = per_rep[k].dropna()
        assert ((v >= 0) & (v <= 1 + 1e-12)).all(), k
    occ = result.intervals["occupancy_mean"].dropna()
    assert (occ <= 1 + 1e-9).all(), "an interval with occupancy above 1"
    agents = result.agents
    assert (agents["occupancy"].dropna() <= 1 + 1e-9).all()
    assert (agents["busy_h"] <= agents["logged_in_h"] + 1e-9).all()
    assert (per_rep["asa_s"].dropna() >= 0).all()
    assert (per_rep["mean_wait_s"].dropna() >= 0).all()


def check_all(result: callsim.SimulationResult) -> None:
    scenario = result.scenario
    grid = time_grid(scenario)
    sessions = build_roster(scenario, grid).sessions
    priorities = [s.priority for s in scenario.customers.segments.values()]
    check_conservation(result, scenario)
    check_kpi_ranges(result)
    assert result.calls is not None
    hours = OpeningHours(grid, scenario.horizon.intervals_per_day)
    for _, calls in result.calls.groupby("replication"):
        check_times(calls, hours)
        check_agents(calls, sessions, hours)
        check_discipline(calls, priorities)
        check_retrials(calls)


# --------------------------------------------------------------------------------------------
# tests


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_invariants(name: str) -> None:
    check_all(run(name))


def test_scenarios_exercise_what_they_claim() -> None:
    """Guard against invariants that pass vacuously: queues form, callers hang up, retrials
    happen, low priorities wait while high ones are served, staffing changes mid-day."""
    for name in SCENARIOS:
        calls = run(name).calls
        answered = calls[calls["outcome"] == ANSWERED]
        assert ((answered["answer"] - answered["arrival"]) > 0).mean() > 0.2, name
        assert (calls["outcome"] == ABANDONED).any(), name
    assert (run("retrials").calls["attempt"] > 0).sum() > 100
    assert (run("everything").calls["attempt"] > 0).sum() > 50
    prio = run("priorities").calls
    wait = prio["answer"] - prio["arrival"]
    vip, gold, regular = (prio["segment"] == k for k in range(3))
    hung_up = prio["outcome"] == ABANDONED
    assert hung_up[gold].mean() < 0.7 * hung_up[regular].mean()
    assert (wait[vip] > 60).mean() < 0.7 * (wait[regular] > 60).mean()
    model = callsim.load_scenario(SCENARIOS["staffing"])
    roster = build_roster(model, time_grid(model))
    assert len(roster) == max(STAFFING_DAY) + max(STAFFING_SLOW)
    assert len({start for _, start, _ in roster.sessions}) > 5  # logins all through the day
    assert len({end for _, _, end in roster.sessions}) > 5  # and logouts


@pytest.mark.parametrize("name", ["everything", "shifts_breaks"])
def test_same_seed_same_results_whatever_the_workers(name: str) -> None:
    one, two = run(name, workers=1), run(name, workers=2)
    pd.testing.assert_frame_equal(one.summary, two.summary, check_exact=True)
    pd.testing.assert_frame_equal(one.per_replication, two.per_replication, check_exact=True)
    pd.testing.assert_frame_equal(one.intervals, two.intervals, check_exact=True)
    pd.testing.assert_frame_equal(one.agents, two.agents, check_exact=True)
    pd.testing.assert_frame_equal(one.calls, two.calls, check_exact=True)


def test_checks_catch_broken_logs() -> None:
    """The checks are not vacuous: each one rejects a call log broken on purpose."""
    result = run("everything")
    scenario = result.scenario
    grid = time_grid(scenario)
    sessions = build_roster(scenario, grid).sessions
    hours = OpeningHours(grid, scenario.horizon.intervals_per_day)
    priorities = [s.priority for s in scenario.customers.segments.values()]
    calls = result.calls[result.calls["replication"] == 0].reset_index(drop=True)
    check_agents(calls, sessions, hours)
    check_discipline(calls, priorities)

    answered = calls[calls["outcome"] == ANSWERED].sort_values(["agent", "answer"])
    first, second = answered.index[0], answered.index[1]  # same agent, back to back
    assert calls.loc[first, "agent"] == calls.loc[second, "agent"]
    broken = calls.copy()
    broken.loc[second, "answer"] = calls.loc[first, "end"] - 1.0
    with pytest.raises(AssertionError, match="two calls at once"):
        check_agents(broken, sessions, hours)

    broken = calls.copy()
    broken.loc[first, ["answer", "end"]] = [1.0, 2.0]  # 00:00:01, before anyone logs in
    with pytest.raises(AssertionError, match="logged out"):
        check_agents(broken, sessions, hours)

    queued = calls[(calls["outcome"] == ANSWERED) & (calls["answer"] > calls["arrival"])]
    same = queued[queued["segment"] == 1].sort_values("arrival")
    early, late = same.index[0], same.index[-1]
    broken = calls.copy()
    broken.loc[[early, late], "answer"] = calls.loc[[late, early], "answer"].to_numpy()
    with pytest.raises(AssertionError, match="earlier caller"):
        check_discipline(broken, priorities)

    with pytest.raises(AssertionError, match="higher one waited"):
        check_discipline(calls, [0, 5, 5])  # as if the VIPs had the lowest priority


def test_busy_time_is_paid() -> None:
    """One agent, rostered 09:00-09:15 and 09:30-10:00, takes a 40-minute call at about 09:01:
    the call runs through the unrostered quarter hour, which must be paid (as overtime)."""
    spec = {
        "name": "gap in the roster",
        "horizon": {"open": "09:00", "close": "10:00", "interval_min": 15},
        "arrivals": {"rate_per_hour": 60},
        "reasons": {"any": {"share": 1.0, "talk": {"dist": "fixed", "value_min": 40}}},
        "agents": {"groups": {"desk": {"wage_per_hour": 20, "staffing": [1, 0, 1, 1]}}},
    }
    result = callsim.simulate(spec, replications=1, seed=1, workers=1, keep_calls=True)
    first = result.calls.sort_values("answer").iloc[0]
    assert first["answer"] < 9.25 * 3600 and first["end"] > 9.5 * 3600  # spans the gap
    agents = result.agents
    assert (agents["busy_h"] <= agents["paid_h"] + 1e-9).all()
    assert result.summary.loc["utilisation", "mean"] <= 1.0
    assert (result.intervals["utilisation_mean"].dropna() <= 1.0).all()


# --------------------------------------------------------------------------------------------
# random small centres


@st.composite
def small_centres(draw: st.DrawFn) -> dict[str, Any]:
    """A 4-hour centre: 1-2 agent groups on shifts (with a break) or per-interval staffing,
    1-3 segments with priorities, optional retrials, load from quiet to overloaded."""
    intervals = 16  # 15-minute intervals, 09:00-13:00
    groups: dict[str, Any] = {}
    capacity = 0.0
    for g in range(draw(st.integers(1, 2))):
        factor = draw(st.sampled_from([0.8, 1.0, 1.25]))
        if draw(st.booleans()):
            count = draw(st.integers(1, 10))
            shift: dict[str, Any] = {"start": "09:00", "end": "13:00", "count": count}
            if draw(st.booleans()):
                shift["breaks"] = [
                    {
                        "start": draw(st.sampled_from(["10:00", "10:50", "11:30"])),
                        "duration_min": draw(st.sampled_from([10, 15, 30])),
                    }
                ]
            groups[f"g{g}"] = {"handle_time_factor": factor, "shifts": [shift]}
            capacity += count / factor
        else:
            staffing = draw(st.lists(st.integers(0, 10), min_size=intervals, max_size=intervals))
            groups[f"g{g}"] = {"handle_time_factor": factor, "staffing": staffing}
            capacity += np.mean(staffing) / factor
    mean_talk_s = draw(st.floats(60, 400))
    load = draw(st.floats(0.3, 1.6))
    rate = max(1.0, load * max(capacity, 1.0) * 3600.0 / (mean_talk_s + 10.0))
    n_segments = draw(st.integers(1, 3))
    shares = [1.0 / n_segments] * n_segments
    shares[-1] = 1.0 - sum(shares[:-1])
    segments = {
        f"s{k}": {"share": shares[k], "priority": draw(st.integers(0, 2))}
        for k in range(n_segments)
    }
    patience = draw(
        st.one_of(
            st.just({"dist": "none"}),
            st.floats(10, 900).map(lambda m: {"dist": "exponential", "mean_s": m}),
        )
    )
    customers: dict[str, Any] = {"patience": patience, "segments": segments}
    if draw(st.booleans()):
        customers["retrial"] = {
            "probability": draw(st.floats(0.1, 0.9)),
            "delay": {"dist": "exponential", "mean_s": draw(st.floats(10, 600))},
        }
    return {
        "name": "random centre",
        "horizon": {"open": "09:00", "close": "13:00", "interval_min": 15, "warmup_min": 15},
        "arrivals": {"rate_per_hour": rate},
        "reasons": {"any": {"share": 1.0, "talk": {"dist": "exponential", "mean_s": mean_talk_s}}},
        "wrapup": {"dist": "fixed", "value_s": 10},
        "customers": customers,
        "agents": {"shrinkage": draw(st.sampled_from([0.0, 0.25])), "groups": groups},
    }


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(spec=small_centres(), seed=st.integers(0, 2**31 - 1))
def test_invariants_on_random_centres(spec: dict[str, Any], seed: int) -> None:
    result = callsim.simulate(spec, replications=2, seed=seed, workers=1, keep_calls=True)
    check_all(result)
