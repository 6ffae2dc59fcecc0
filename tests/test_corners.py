"""Corners the rest of the suite left open, each pinned by a hand-worked case that a plausible
slip in the code would break: the short-abandon boundary, wrap-up in AHT, which idle agent takes
the next call, what the expected-wait signal counts, the sweep grammar and resampled durations.
"""

from __future__ import annotations

import copy
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest

import callsim
from callsim.model.calllog import ABANDONED, ANSWERED
from callsim.model.view import CentreView
from callsim.scenario.distributions import Empirical
from callsim.scenario.sweep_grammar import parse_values

BUSY: dict[str, Any] = {
    "name": "corners",
    "horizon": {"interval_min": 30, "open": "08:00", "close": "10:00"},
    "arrivals": {"rate_per_hour": 120},
    "reasons": {"any": {"share": 1.0, "talk": {"dist": "fixed", "value_s": 100}}},
    "wrapup": {"dist": "fixed", "value_s": 20},
    "customers": {
        "segments": {
            # Patience exactly at the short-abandon threshold, and well under it.
            "at": {"share": 0.5, "patience": {"dist": "fixed", "value_s": 10}},
            "under": {"share": 0.5, "patience": {"dist": "fixed", "value_s": 4}},
        }
    },
    "agents": {
        "groups": {
            "desk": {
                "handle_time_factor": 1.5,
                "shifts": [{"start": "08:00", "end": "10:00", "count": 3}],
            }
        }
    },
    "service_level": {"threshold_s": 20, "short_abandon_s": 10},
}


@pytest.fixture(scope="module")
def busy() -> callsim.SimulationResult:
    return callsim.simulate(BUSY, replications=2, seed=3, workers=1, keep_calls=True)


def test_short_abandons_are_those_strictly_under_the_threshold(
    busy: callsim.SimulationResult,
) -> None:
    """A caller hanging up after exactly ``short_abandon_s`` is a real abandon, not a short one;
    one hanging up sooner is neither answered nor lost."""
    calls = busy.calls
    assert calls is not None
    for rep, one in calls.groupby("replication"):
        kpi = busy.per_replication.loc[rep]
        gone = one[one["outcome"] == ABANDONED]
        at, under = gone[gone["patience"] == 10.0], gone[gone["patience"] == 4.0]
        assert len(at) > 0 and len(under) > 0
        assert kpi["abandoned"] == len(gone)
        assert kpi["short_abandons"] == len(under)
        answered = one[one["outcome"] == ANSWERED]
        within = int((answered["answer"] - answered["arrival"] <= 20).sum())
        offered = len(one)
        assert kpi["offered"] == offered == kpi["answered"] + kpi["abandoned"]
        assert kpi["waiting_at_end"] == 0
        # Every definition by hand, short abandons left out of the base.
        base = offered - len(under)
        assert kpi["sl_offered"] == pytest.approx(within / base)
        assert kpi["sl_answered"] == pytest.approx(within / len(answered))
        # Abandons within T that are not short: all of those at the threshold (10 s ≤ 20 s).
        assert kpi["sl_offered_abandons_ok"] == pytest.approx((within + len(at)) / base)
        assert kpi["sl_offered_minus_early_abandons"] == pytest.approx(within / (base - len(at)))


def test_aht_is_talk_times_the_agents_factor_plus_wrap_up(busy: callsim.SimulationResult) -> None:
    # 100 s of talk at a handle-time factor of 1.5, and 20 s of wrap-up: 170 s, on every call.
    assert busy.per_replication["aht_s"].tolist() == pytest.approx([170.0, 170.0])
    calls = busy.calls
    assert calls is not None
    answered = calls[calls["outcome"] == ANSWERED]
    assert np.allclose(answered["end"] - answered["answer"], 170.0)


def test_the_longest_idle_agent_takes_the_next_call() -> None:
    """Replayed from the call records: whenever a caller is answered on arrival, the agent who
    takes the call is the one who has been free the longest."""
    data = copy.deepcopy(BUSY)
    data["arrivals"] = {"rate_per_hour": 50}
    data["reasons"]["any"]["talk"] = {"dist": "exponential", "mean_s": 150}
    data["agents"]["groups"]["desk"]["shifts"][0]["count"] = 4
    res = callsim.simulate(data, replications=1, seed=9, workers=1, keep_calls=True)
    calls = res.calls
    assert calls is not None
    served = calls[calls["outcome"] == ANSWERED].sort_values("answer")
    free_since = dict.fromkeys(range(4), 8 * 3600.0)  # all logged in at 08:00
    busy_until = dict.fromkeys(range(4), 0.0)
    checked = 0
    for row in served.itertuples():
        idle = {
            a: max(free_since[a], busy_until[a]) for a in range(4) if busy_until[a] <= row.answer
        }
        if row.answer == row.arrival and len(idle) > 1:
            longest = min(idle.values())
            if sum(v == longest for v in idle.values()) == 1:
                assert idle[row.agent] == longest, row
                checked += 1
        busy_until[row.agent] = row.end
    assert checked > 30


def test_expected_wait_counts_the_joining_caller() -> None:
    """Three waiting, two agents on, 100 s of handle time: the fourth caller, joining now, waits
    (3 + 1) × 100 / 2 = 200 s; with an agent idle nobody waits."""
    engine = SimpleNamespace(idle={}, n_waiting=3, n_logged_in=2)
    view = CentreView(engine, ["regular"], ["any"], mean_handle_s=100.0, threshold_s=20.0)  # type: ignore[arg-type]
    assert view.expected_wait_s() == pytest.approx(200.0)
    engine.idle = {0: None}
    assert view.expected_wait_s() == 0.0


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("-3:3", [-3, -2, -1, 0, 1, 2, 3]),
        ("0.8:1.2:0.1", [0.8, 0.9, 1.0, 1.1, 1.2]),
        ("10:20:5", [10, 15, 20]),
        ("1:2:0.3", [1.0, 1.3, 1.6, 1.9]),
        ("a,b,c", ["a", "b", "c"]),
        ("1,2.5,x", [1, 2.5, "x"]),
    ],
)
def test_sweep_grammar(text: str, values: list[Any]) -> None:
    assert (
        parse_values(text) == pytest.approx(values)
        if values and not any(isinstance(v, str) for v in values)
        else parse_values(text) == values
    )


@pytest.mark.parametrize("text", ["3:1", "1:2:0", "1:2:-1", "1:x", "1:2:3:4"])
def test_sweep_grammar_refuses_empty_or_malformed_ranges(text: str) -> None:
    with pytest.raises(ValueError):
        parse_values(text)


def test_empirical_durations_resample_the_values_with_their_weights() -> None:
    dist = Empirical(dist="empirical", values_min=[1, 2, 4], weights=[1, 1, 2])
    assert dist.mean == pytest.approx((60 + 120 + 2 * 240) / 4)
    draws = dist.sample(np.random.default_rng(1), 40_000)
    assert set(np.unique(draws)) == {60.0, 120.0, 240.0}
    share = pd.Series(draws).value_counts(normalize=True)
    # binomial 95% half-width at n = 40,000 is at most 0.005
    assert share[240.0] == pytest.approx(0.5, abs=0.01)
    assert share[60.0] == pytest.approx(0.25, abs=0.01)


def test_a_retrial_draws_fresh_patience() -> None:
    """Each attempt of a caller has its own patience: the caller who hung up after 40 s may hold
    on longer, or shorter, the next time."""
    data = copy.deepcopy(BUSY)
    data["customers"] = {
        "patience": {"dist": "exponential", "mean_s": 60},
        "retrial": {"probability": 1.0, "delay": {"dist": "exponential", "mean_min": 3}},
    }
    res = callsim.simulate(data, replications=1, seed=4, workers=1, keep_calls=True)
    calls = res.calls
    assert calls is not None
    # Every first call is a new customer, so a customer's rows are one caller's attempts.
    chains = calls.groupby("customer")["patience"]
    attempts = chains.size()
    assert (attempts > 1).sum() > 20
    distinct = chains.nunique()
    assert (distinct[attempts > 1] == attempts[attempts > 1]).all()
