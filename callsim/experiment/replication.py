"""One replication: draw the callers, build the roster, run the engine, measure."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from callsim.measure.kpis import ReplicationKpis, compute_kpis
from callsim.model.demand import draw_demand
from callsim.model.engine import Engine, Repeats
from callsim.model.offers import SalesDesk
from callsim.model.roster import build_roster
from callsim.model.streams import streams
from callsim.model.timegrid import time_grid
from callsim.policies import make_policy
from callsim.scenario.schema import Scenario


@dataclass(frozen=True)
class ReplicationOutput:
    kpis: ReplicationKpis
    calls: pd.DataFrame | None
    switch: pd.DataFrame  # the marketing switch's (time, on) timeline


def run_replication(
    scenario: Scenario, seed: int, replication: int, keep_calls: bool = False
) -> ReplicationOutput:
    grid = time_grid(scenario)
    rng = streams(seed, replication)
    demand = draw_demand(scenario, grid, rng)
    roster = build_roster(scenario, grid)
    segments = list(scenario.customers.segments.values())
    policy = scenario.selling.policy
    engine = Engine(
        grid,
        demand,
        roster,
        priorities=[s.priority for s in segments],
        retrial=scenario.customers.retrial,
        patience_of_segment=[s.patience or scenario.customers.patience for s in segments],
        rng=rng,
        policy=make_policy(policy),
        sales=SalesDesk(scenario, rng["offers"], rng["history"]) if scenario.products else None,
        repeats=Repeats.of(policy),
        mean_handle_s=scenario.mean_handle_s(),
        threshold_s=scenario.service_level.threshold_s,
    )
    calls, sessions, timelines = engine.run()
    kpis = compute_kpis(calls, sessions, timelines, roster, grid, scenario)
    return ReplicationOutput(
        kpis=kpis,
        calls=calls.frame() if keep_calls else None,
        switch=pd.DataFrame(timelines.switch, columns=["time_s", "on"]),
    )
