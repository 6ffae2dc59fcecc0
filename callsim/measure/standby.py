"""KPIs of the standby surge pool and of the scenario's KPI window, computed only for scenarios
that have them (``standby:``, ``window:``; :func:`callsim.measure.catalogue.extra_kpis`), so every
other result keeps its columns.

The pool's hours and cost are its paid spans (from each call-up, :mod:`callsim.model.standby`),
counted after the warm-up; its calls are the answered calls counted as every call KPI counts
them (arrived after the warm-up, inside the horizon). The window's KPIs are the calls' own KPIs
(``tables.call_kpis``) of the intervals inside the window on every day: the counts the interval
table is made of, summed, so they are exactly the interval table's over those hours.
"""

from __future__ import annotations

import numpy as np

from callsim.measure.overlap import overlap
from callsim.measure.tables import Sums, call_kpis
from callsim.model.calllog import CallLog
from callsim.model.roster import Roster
from callsim.model.standby import standby_agents
from callsim.model.timegrid import TimeGrid
from callsim.scenario.clock import minutes
from callsim.scenario.schema import SECONDS_PER_DAY, Scenario

_WINDOW = {
    "window_offered": "offered",
    "window_service_level": "service_level",
    "window_abandon_rate": "abandon_rate",
    "window_asa_s": "asa_s",
}
"""Each window KPI and the call KPI it is over the window's calls."""


def standby_kpis(
    calls: CallLog, roster: Roster, grid: TimeGrid, scenario: Scenario, callups: np.ndarray
) -> dict[str, float]:
    config = scenario.standby
    assert config is not None  # computed only for a scenario with a pool
    pool = np.asarray(standby_agents(roster, scenario), dtype=int)
    paid = np.asarray(roster.paid, dtype=float).reshape(-1, 3)
    paid = paid[np.isin(paid[:, 0].astype(int), pool)]
    start, end = np.array([grid.warmup_end]), np.array([np.inf])
    hours = float(overlap(paid[:, 1], paid[:, 2], start, end)[0]) / 3600
    agent, arrival = calls.column("agent"), calls.column("arrival")
    counted = grid.counted(arrival) & (agent >= 0)
    answered = int(counted.sum())
    by_pool = int((counted & np.isin(agent, pool)).sum())
    return {
        "standby_hours": hours,
        "standby_cost": hours * config.cost_per_hour,
        "standby_calls": float(by_pool),
        "standby_answer_share": by_pool / answered if answered else np.nan,
        "standby_callups": float(np.sum(callups[:, 1] >= grid.warmup_end)),
    }


def window_kpis(per_interval: Sums, grid: TimeGrid, scenario: Scenario) -> dict[str, float]:
    window = scenario.window
    assert window is not None  # computed only for a scenario with a window
    clock = grid.starts % SECONDS_PER_DAY
    inside = (
        (clock >= minutes(window.start) * 60.0)
        & (clock + grid.length_s <= minutes(window.end) * 60.0)
        & (grid.ends > grid.warmup_end)
    )
    sums = {name: np.array([values[inside].sum()]) for name, values in per_interval.items()}
    kpis = call_kpis(sums, scenario.service_level.definition)
    return {name: float(kpis[of][0]) for name, of in _WINDOW.items()}
