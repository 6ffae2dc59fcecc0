"""The per-interval agent requirement of a scenario, next to what its roster actually plans.

Each interval is sized on its own as a steady queue (Erlang A with the callers' mean patience, or
Erlang C when nobody hangs up) on the calls that reach the agents
(:mod:`callsim.planning.agent_load`): the planner's usual first cut, which the simulation then
checks (:mod:`callsim.planning.isa` sizes by simulation instead).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from callsim.analytic import scheduled_for
from callsim.measure.overlap import overlap
from callsim.model.roster import build_roster
from callsim.model.timegrid import time_grid
from callsim.planning.agent_load import agent_load
from callsim.planning.sizing import Target, erlang_for
from callsim.scenario.schema import Scenario
from callsim.version import __version__


def staffing_requirement(scenario: Scenario, target: Target | None = None) -> pd.DataFrame:
    """``target`` defaults to the scenario's service-level goal."""
    grid = time_grid(scenario)
    target = target or Target.of(scenario)
    shrinkage = scenario.agents.shrinkage
    # What reaches the agents: the interval's own reason mix, less the menu, plus repeat calls.
    volume, handle = agent_load(scenario, grid)
    patience = scenario.mean_patience_s()
    on_phones = [
        erlang_for(v / grid.length_s, float(h), patience, target)
        for v, h in zip(volume, handle, strict=True)
    ]
    roster = build_roster(scenario, grid)
    paid = np.asarray(roster.paid, dtype=float).reshape(-1, 3)
    sessions = np.asarray(roster.sessions, dtype=float).reshape(-1, 3)
    day, start = grid.labels()
    table = pd.DataFrame(
        {
            "day": day,
            "start": start,
            "calls": volume,
            "load_erlangs": volume * handle / grid.length_s,
            "required_on_phones": on_phones,
            "required_scheduled": [scheduled_for(n, shrinkage) for n in on_phones],
            "planned_scheduled": overlap(paid[:, 1], paid[:, 2], grid.starts, grid.ends)
            / grid.length_s,
            "planned_on_phones": overlap(sessions[:, 1], sessions[:, 2], grid.starts, grid.ends)
            / grid.length_s,
        }
    )
    table["gap_on_phones"] = table["planned_on_phones"] - table["required_on_phones"]
    return table


def erlang_summary(scenario: Scenario, table: pd.DataFrame, target: Target) -> dict[str, Any]:
    """The whole horizon of a per-interval Erlang requirement, as ``summary.json`` holds it."""
    step = time_grid(scenario).length_s / 3600
    return {
        "scenario": scenario.name,
        "method": "erlang",
        "target": target.as_dict(),
        "callsim_version": __version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "shrinkage": scenario.agents.shrinkage,
        "intervals": len(table),
        "agent_hours_on_phones": {"erlang": float(table["required_on_phones"].sum() * step)},
        "scheduled_hours": float(table["required_scheduled"].sum() * step),
    }
