"""The load the formulas size: the forecast less the menu's calls, plus the repeat calls.

Checked against cases worked by hand and against the simulation, which makes none of the
estimate's approximations.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest
from helpers import merge

import callsim
from callsim.model.demand import expected_volume
from callsim.model.timegrid import time_grid
from callsim.planning.agent_load import agent_calls_by_reason, agent_load
from callsim.planning.requirement import staffing_requirement
from callsim.scenario.reason_mix import handle_per_interval
from callsim.scenario.schema import Scenario

BASE: dict[str, Any] = {
    "name": "agent load",
    "horizon": {"days": 1, "interval_min": 60, "open": "08:00", "close": "16:00"},
    "arrivals": {"rate_per_hour": 100},
    "reasons": {
        "bill": {"share": 0.6, "talk": {"dist": "fixed", "value_s": 200}},
        "complaint": {"share": 0.4, "talk": {"dist": "fixed", "value_s": 400}},
    },
    "wrapup": {"dist": "fixed", "value_s": 0},
    "agents": {"groups": {"team": {"shifts": [{"start": "08:00", "end": "16:00", "count": 20}]}}},
    "simulation": {"replications": 4, "seed": 3},
}


def scenario(**overrides: Any) -> Scenario:
    return Scenario.model_validate(merge(copy.deepcopy(BASE), overrides))


def test_without_menu_or_resolution_the_forecast_is_what_the_agents_get() -> None:
    s = scenario()
    grid = time_grid(s)
    volume, handle = agent_load(s, grid)
    assert np.array_equal(volume, expected_volume(s, grid))
    assert np.array_equal(handle, handle_per_interval(s, len(grid)))


def test_the_menu_takes_its_share_of_each_reason_worked_by_hand() -> None:
    s = scenario(ivr={"containment": {"bill": 0.5}})
    volume, handle = agent_load(s, time_grid(s))
    # 100 an hour: 60 bills of which 30 reach agents, and 40 complaints.
    assert volume == pytest.approx(np.full(8, 70.0))
    assert handle == pytest.approx(np.full(8, (30 * 200 + 40 * 400) / 70))


def test_repeats_one_interval_later_worked_by_hand() -> None:
    # Every call is unresolved with chance 0.5 and comes back exactly an hour later: interval k
    # gets the forecast's 100 and the repeats of every earlier interval's chain,
    # 100 × (1 + 1/2 + ... + 1/2^k).
    s = scenario(
        resolution={"probability": 0.5, "repeat_delay": {"dist": "fixed", "value_s": 3600}}
    )
    calls = agent_calls_by_reason(s, time_grid(s)).sum(axis=1)
    expected = [100 * sum(0.5**g for g in range(k + 1)) for k in range(8)]
    assert calls == pytest.approx(expected)


def test_repeats_past_the_close_are_lost_and_the_next_day_gets_them() -> None:
    s = scenario(
        horizon={"days": 2},
        resolution={"probability": 0.5, "repeat_delay": {"dist": "fixed", "value_s": 12 * 3600}},
    )
    calls = agent_calls_by_reason(s, time_grid(s)).sum(axis=1)
    # A repeat 12 h after 08:30 lands at 20:30, closed: it counts at the next opening (day 2's
    # first interval), as do those of 09:30 ... 15:30 (landing before 04:00 the next day); day 2's
    # repeats fall past the horizon.
    assert calls[:8] == pytest.approx(np.full(8, 100.0))
    assert calls[8] == pytest.approx(100 + 8 * 50)
    assert calls[9:] == pytest.approx(np.full(7, 100.0))


def test_the_erlang_requirement_sizes_what_reaches_the_agents() -> None:
    plain = staffing_requirement(scenario())
    menu = staffing_requirement(scenario(ivr={"containment": {"bill": 0.5, "complaint": 0.5}}))
    assert menu["calls"].to_numpy() == pytest.approx(plain["calls"].to_numpy() / 2)
    assert (menu["required_on_phones"] < plain["required_on_phones"]).all()


def test_the_estimate_matches_the_simulated_calls_to_the_agents() -> None:
    # Nobody hangs up, so every call reaching the queue is answered (the estimate's premise);
    # exponential delays and random arrival times within the interval are the simulation's.
    s = scenario(
        ivr={"containment": {"bill": 0.4}},
        resolution={
            "probability": 0.7,
            "by_reason": {"complaint": 0.5},
            "repeat_delay": {"dist": "exponential", "mean_min": 90},
        },
        simulation={"replications": 30},
    )
    result = callsim.simulate(s, workers=1)
    estimate = agent_calls_by_reason(s, time_grid(s)).sum()
    row = result.kpi("offered")
    half = (row["ci_high"] - row["ci_low"]) / 2
    # The CI of the simulated mean, widened by the estimate's own rounding of arrival times to
    # mid-interval (assumption: under 1% of the calls, which moves few repeats across the close).
    assert abs(row["mean"] - estimate) <= half + 0.01 * estimate, (row, estimate)
