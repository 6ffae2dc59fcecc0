"""One replication of the model: draw the callers, build the roster, run the engine.

Depends only on (scenario, seed, replication index): every random decision draws from the
streams of that key, so results do not depend on where or in which order replications run.
"""

from __future__ import annotations

from dataclasses import dataclass

from callsim.model.calllog import CallLog
from callsim.model.demand import draw_demand
from callsim.model.engine import Engine
from callsim.model.offers import SalesDesk
from callsim.model.opening_hours import OpeningHours
from callsim.model.roster import Roster, build_roster
from callsim.model.run_record import Sessions, Timelines
from callsim.model.streams import streams
from callsim.model.timegrid import TimeGrid, time_grid
from callsim.policies import make_policy
from callsim.scenario.schema import Scenario


@dataclass(frozen=True)
class ModelRun:
    """Everything one replication produced, as numpy arrays and plain records."""

    calls: CallLog
    sessions: Sessions
    timelines: Timelines
    roster: Roster
    grid: TimeGrid


def run_model(scenario: Scenario, seed: int, replication: int) -> ModelRun:
    grid = time_grid(scenario)
    rng = streams(seed, replication)
    demand = draw_demand(scenario, grid, rng)
    roster = build_roster(scenario, grid)
    segments = list(scenario.customers.segments.values())
    sales = None
    if scenario.products:
        sales = SalesDesk(scenario, rng["offers"], rng["history"], callers=demand)
    engine = Engine(
        grid,
        demand,
        roster,
        hours=OpeningHours(grid, scenario.horizon.intervals_per_day),
        closing=scenario.horizon.at_close,
        priorities=[s.priority for s in segments],
        segments=list(scenario.customers.segments),
        reasons=list(scenario.reasons),
        retrial=scenario.customers.retrial,
        patience_of_segment=[s.patience or scenario.customers.patience for s in segments],
        policy=make_policy(scenario.selling.policy),
        sales=sales,
        mean_handle_s=scenario.mean_handle_s(),
        threshold_s=scenario.service_level.threshold_s,
    )
    calls, sessions, timelines = engine.run()
    return ModelRun(calls, sessions, timelines, roster, grid)
