"""The per-interval agent requirement of a scenario, next to what its roster actually plans.

Each interval is sized on its own as a steady queue (Erlang A with the callers' mean patience, or
Erlang C when nobody hangs up): the planner's usual first cut, which the simulation then checks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from callsim.analytic import agents_for_service_level, scheduled_for
from callsim.measure.overlap import overlap
from callsim.model.demand import expected_volume
from callsim.model.roster import build_roster
from callsim.model.timegrid import time_grid
from callsim.scenario.schema import Scenario


def staffing_requirement(scenario: Scenario) -> pd.DataFrame:
    grid = time_grid(scenario)
    goal = scenario.service_level
    shrinkage = scenario.agents.shrinkage
    volume = expected_volume(scenario, grid)
    handle = scenario.mean_handle_s()
    patience = scenario.mean_patience_s()
    on_phones = [
        agents_for_service_level(
            v / grid.length_s, handle, goal.threshold_s, goal.target, patience, goal.definition
        )
        for v in volume
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
