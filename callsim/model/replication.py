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
        announcement=scenario.announcement if scenario.announcement.enabled else None,
    )
    calls, sessions, timelines = engine.run()
    # The engine's processes, scheduled events and the policy's view of the centre all refer
    # back to it: left as it is, it and everything it holds (the call log, the sales desk's
    # offer history) would wait in reference cycles for the interpreter's next full garbage
    # collection, which in a long study comes many replications later (the peak grew with them)
    # and costs a sizeable share of a short replication when forced. The run is over: dropping
    # its state breaks the cycles, so all that is freed as soon as the caller lets go of it.
    vars(engine).clear()
    return ModelRun(calls, sessions, timelines, roster, grid)
