"""One replication of the model: draw the callers, build the roster, run the engine.

Depends only on (scenario, seed, replication index): every random decision draws from the
streams of that key, so results do not depend on where or in which order replications run.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial

import numpy as np

from callsim.model.calllog import CallLog
from callsim.model.demand import draw_demand, expected_volume
from callsim.model.engine import Engine
from callsim.model.ivr import through_ivr
from callsim.model.offers import SalesDesk
from callsim.model.opening_hours import OpeningHours
from callsim.model.resolution import Resolver
from callsim.model.roster import Roster, build_roster
from callsim.model.routing import RoutedEngine
from callsim.model.routing_plan import plan_routing
from callsim.model.run_record import Sessions, Timelines
from callsim.model.standby import StandbyPool, WithStandby, standby_agents
from callsim.model.steering import SteeringDesk
from callsim.model.streams import streams
from callsim.model.timegrid import TimeGrid, time_grid
from callsim.model.workforce import Turnover
from callsim.policies import make_policy
from callsim.scenario.reason_mix import handle_per_interval
from callsim.scenario.schema import Scenario


@dataclass(frozen=True)
class ModelRun:
    """Everything one replication produced, as numpy arrays and plain records."""

    calls: CallLog
    sessions: Sessions
    timelines: Timelines
    roster: Roster
    grid: TimeGrid
    held_at_sales: np.ndarray | None = None
    """With retention: per call, the catalogue's products the customer held just before its
    sale (-1 without one), which the sale's retention value depends on."""


def _mean_handle_s(scenario: Scenario, grid: TimeGrid) -> float:
    """The mean handle time the policies' expected-wait signal assumes: the reasons' shares,
    or with a reason mix per interval its calls' mean over the horizon."""
    if scenario.arrivals.reason_mix is None:
        return scenario.mean_handle_s()
    volume = expected_volume(scenario, grid)
    if volume.sum() <= 0:
        return scenario.mean_handle_s()
    return float(np.average(handle_per_interval(scenario, len(grid)), weights=volume))


def run_model(scenario: Scenario, seed: int, replication: int) -> ModelRun:
    grid = time_grid(scenario)
    rng = streams(seed, replication)
    demand = draw_demand(scenario, grid, rng)
    if scenario.ivr is not None:
        demand = through_ivr(demand, scenario.ivr, list(scenario.reasons), grid, rng)
    roster = build_roster(scenario, grid, Turnover.for_run(scenario, seed, replication))
    policy = make_policy(scenario.selling.policy)
    resolver = None
    if scenario.resolution is not None:
        per_cut = policy.repeats.per_cut if policy.repeats is not None else 0.0
        resolver = Resolver(scenario, roster.group, per_cut)
    steering = None
    if scenario.ivr is not None and scenario.ivr.steering is not None:
        steering = SteeringDesk(scenario.ivr.steering, list(scenario.reasons))
    segments = list(scenario.customers.segments.values())
    sales = None
    if scenario.products:
        sales = SalesDesk(scenario, rng["offers"], rng["history"], callers=demand)
    hours = OpeningHours(grid, scenario.horizon.intervals_per_day)
    pool = None
    if scenario.standby is not None:
        agents = standby_agents(roster, scenario)
        pool = StandbyPool(scenario.standby, agents, hours.closes, grid.horizon_end)
        policy = WithStandby(policy, pool)
    # Skills-based routing only where the scenario routes: the plain engine is the fast path.
    engine = (
        Engine
        if scenario.routing is None
        else partial(RoutedEngine, routing=plan_routing(scenario))
    )(
        grid,
        demand,
        roster,
        hours=hours,
        closing=scenario.horizon.at_close,
        priorities=[s.priority for s in segments],
        segments=list(scenario.customers.segments),
        reasons=list(scenario.reasons),
        retrial=scenario.customers.retrial,
        patience_of_segment=[s.patience or scenario.customers.patience for s in segments],
        policy=policy,
        sales=sales,
        mean_handle_s=_mean_handle_s(scenario, grid),
        threshold_s=scenario.service_level.threshold_s,
        resolver=resolver,
        steering=steering,
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
    if pool is not None:  # the pool's members are paid for the time they were called up
        roster.paid.extend(pool.paid_spans(sessions, grid.horizon_end))
        callups = np.array(pool.callups, dtype=float).reshape(-1, 2)
        timelines = replace(timelines, standby_callups=callups)
    held = None
    if sales is not None and scenario.retention is not None:
        held = sales.held_at_sales(calls)
    return ModelRun(calls, sessions, timelines, roster, grid, held)
