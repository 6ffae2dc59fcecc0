"""Slices a planner drills into (issue 8, item 10): KPIs by reason, segment, day, agent group and
shift, and how stable and how often the goal held.

Every slice is checked against the call or agent table it summarises, computed here with
pandas, and the slices of a kind must add up to the whole.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import callsim
from callsim.experiment.replication import run_replication
from callsim.experiment.results import SimulationResult
from callsim.model.calllog import ANSWERED
from callsim.scenario.files import load_scenario
from callsim.store.read import load_run
from callsim.store.write import write_run

SCENARIO: dict[str, Any] = {
    "name": "sliced",
    "horizon": {"days": 2, "interval_min": 30, "open": "08:00", "close": "12:00"},
    "arrivals": {"rate_per_hour": 90},
    "reasons": {
        "billing": {"share": 0.6, "talk": {"dist": "exponential", "mean_s": 150}},
        "cards": {"share": 0.4, "talk": {"dist": "exponential", "mean_s": 260}},
    },
    "wrapup": {"dist": "fixed", "value_s": 20},
    "customers": {
        "segments": {
            "vip": {"share": 0.2, "priority": 1},
            "regular": {"share": 0.8},
        },
        "patience": {"dist": "exponential", "mean_s": 200},
    },
    "agents": {
        "groups": {
            "senior": {
                "wage_per_hour": 30,
                "handle_time_factor": 0.8,
                "shifts": [{"start": "08:00", "end": "12:00", "count": 3}],
            },
            "junior": {
                "wage_per_hour": 20,
                "handle_time_factor": 1.2,
                "shifts": [
                    {"start": "08:00", "end": "10:00", "count": 3},
                    {"start": "10:00", "end": "12:00", "count": 2},
                ],
            },
        }
    },
    "simulation": {"replications": 4, "seed": 11},
}


@pytest.fixture(scope="module")
def result() -> SimulationResult:
    return callsim.simulate(SCENARIO, workers=1, keep_calls=True)


def test_reasons_and_segments_add_up_to_the_whole(result: SimulationResult) -> None:
    for kind in ("reason", "segment"):
        table = result.by(kind)
        for name in ("offered", "answered", "abandoned"):
            assert table[f"{name}_mean"].sum() == pytest.approx(result.kpi(name)["mean"])


def test_a_segments_service_level_is_its_calls(result: SimulationResult) -> None:
    calls = result.calls
    assert calls is not None
    vip = calls[calls["segment"] == 0]
    per_rep = [
        float(((g["outcome"] == ANSWERED) & (g["answer"] - g["arrival"] <= 20)).mean())
        for _, g in vip.groupby("replication")
    ]
    row = result.by("segment").set_index("segment").loc["vip"]
    assert row["service_level_mean"] == pytest.approx(np.mean(per_rep), rel=1e-9)
    # Priority is what the slice must show: VIPs wait less than regular callers.
    regular = result.by("segment").set_index("segment").loc["regular"]
    assert row["asa_s_mean"] < regular["asa_s_mean"]


def test_aht_by_reason_is_the_reason_s_handle_time(result: SimulationResult) -> None:
    calls = result.calls
    assert calls is not None
    answered = calls[calls["outcome"] == ANSWERED]
    cards = answered[answered["reason"] == 1]
    per_rep = [float((g["end"] - g["answer"]).mean()) for _, g in cards.groupby("replication")]
    row = result.by("reason").set_index("reason").loc["cards"]
    assert row["aht_s_mean"] == pytest.approx(np.mean(per_rep), rel=1e-9)


def test_groups_and_shifts_are_their_agents(result: SimulationResult) -> None:
    groups = result.by("group").set_index("group")
    assert groups["agents_mean"].to_dict() == {"senior": 3.0, "junior": 5.0}
    agents = result.agents
    for name, g in agents.groupby("group"):
        assert groups.loc[name, "calls_mean"] == pytest.approx(g["calls"].sum())
        assert groups.loc[name, "cost_mean"] == pytest.approx(g["cost"].sum())
    # Faster agents have the shorter handle time: the slice is by who answered.
    assert groups.loc["senior", "aht_s_mean"] < groups.loc["junior", "aht_s_mean"]
    shifts = result.by("shift").set_index("shift")
    assert shifts["agents_mean"].to_dict() == {
        "senior/08:00-12:00": 3.0,
        "junior/08:00-10:00": 3.0,
        "junior/10:00-12:00": 2.0,
    }
    assert shifts["calls_mean"].sum() == pytest.approx(agents["calls"].sum())


def test_a_group_s_occupancy_is_its_busy_time_over_its_logged_in_time() -> None:
    scenario = load_scenario(SCENARIO)
    kpis = run_replication(scenario, 11, 0).kpis
    junior = np.array([label.startswith("junior") for label in _labels(scenario)])
    busy = kpis.agents["busy_h"][junior].sum()
    logged = kpis.agents["logged_in_h"][junior].sum()
    assert kpis.slices["group"]["occupancy"][1] == pytest.approx(busy / logged)


def _labels(scenario: Any) -> list[str]:
    from callsim.model.roster import build_roster
    from callsim.model.timegrid import time_grid

    return build_roster(scenario, time_grid(scenario)).label


def test_days_add_up_and_identical_days_agree(result: SimulationResult) -> None:
    days = result.by("day")
    assert list(days["day"]) == ["1", "2"]
    assert days["offered_mean"].sum() == pytest.approx(result.kpi("offered")["mean"])
    assert days["staff_cost_mean"].sum() == pytest.approx(result.kpi("staff_cost")["mean"])
    # The two days are the same plan: each day's SL lies in the other's interval, widened by
    # its own (two intervals of the same quantity overlap).
    one, two = days.iloc[0], days.iloc[1]
    assert one["service_level_ci_low"] <= two["service_level_ci_high"]
    assert two["service_level_ci_low"] <= one["service_level_ci_high"]


def test_how_often_the_goal_held_from_the_intervals_of_each_replication() -> None:
    scenario = load_scenario(SCENARIO)
    out = run_replication(scenario, 11, 1, keep_calls=True)
    calls = out.calls
    assert calls is not None
    start = calls["arrival"] % 86_400
    interval = (calls["arrival"] // 86_400) * 8 + (start - 8 * 3600) // 1800
    met = (calls["outcome"] == ANSWERED) & (calls["answer"] - calls["arrival"] <= 20)
    sl = met.groupby(interval).mean()
    target = scenario.service_level.target
    h = out.kpis.horizon
    assert h["intervals_meeting_goal"] == (sl >= target).sum()
    assert h["intervals_meeting_goal_share"] == pytest.approx((sl >= target).mean())
    assert h["sl_worst_interval"] == pytest.approx(sl.min())
    assert h["sl_interval_sd"] == pytest.approx(sl.std(ddof=0))
    day_sl = met.groupby(calls["arrival"] // 86_400).mean()
    assert h["days_meeting_goal_share"] == pytest.approx((day_sl >= target).mean())
    occupancy = out.kpis.agents["occupancy"]
    assert h["occupancy_agent_sd"] == pytest.approx(np.std(occupancy))


def test_slices_are_written_and_read_back(result: SimulationResult, tmp_path: Path) -> None:
    write_run(result, tmp_path / "out")
    for kind in ("reason", "segment", "day", "group", "shift"):
        assert (tmp_path / "out" / f"by_{kind}.csv").is_file()
    back = load_run(tmp_path / "out")
    for kind, table in result.slices.items():
        pd.testing.assert_frame_equal(back.by(kind), table, check_dtype=False)


def test_an_unknown_slice_names_the_known_ones(result: SimulationResult) -> None:
    with pytest.raises(KeyError, match="reason, segment, day, group, shift"):
        result.by("team")
    assert result.by("interval") is result.intervals


def test_each_slice_computes_exactly_its_catalogue_group() -> None:
    from callsim.measure.catalogue import kpis_in
    from callsim.measure.slices import KPI_GROUP

    kpis = run_replication(load_scenario(SCENARIO), 11, 0).kpis
    for kind, group in KPI_GROUP.items():
        assert set(kpis.slices[kind]) == set(kpis_in(group)), kind
