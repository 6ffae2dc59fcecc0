"""One replication: draw the callers, build the roster, run the engine, measure."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from callsim.demand import draw_demand
from callsim.engine import Engine
from callsim.kpis import ReplicationKpis, compute_kpis
from callsim.roster import build_roster
from callsim.scenario import Scenario
from callsim.streams import streams
from callsim.timegrid import time_grid


@dataclass(frozen=True)
class ReplicationOutput:
    kpis: ReplicationKpis
    calls: pd.DataFrame | None


def run_replication(
    scenario: Scenario, seed: int, replication: int, keep_calls: bool = False
) -> ReplicationOutput:
    grid = time_grid(scenario)
    rng = streams(seed, replication)
    demand = draw_demand(scenario, grid, rng)
    roster = build_roster(scenario, grid)
    segments = list(scenario.customers.segments.values())
    engine = Engine(
        grid,
        demand,
        roster,
        priorities=[s.priority for s in segments],
        retrial=scenario.customers.retrial,
        retrial_rng=rng["retrial"],
        patience_of_retrial=[s.patience or scenario.customers.patience for s in segments],
    )
    calls, sessions = engine.run()
    kpis = compute_kpis(
        calls,
        sessions,
        roster,
        grid,
        scenario.service_level,
        scenario.agents.overtime_premium,
    )
    return ReplicationOutput(kpis=kpis, calls=calls.frame() if keep_calls else None)
