"""One replication as an experiment sees it: the model's run, measured, in tables to send back
from a worker process."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from callsim.measure.kpis import ReplicationKpis, compute_kpis
from callsim.model.replication import run_model
from callsim.scenario.schema import Scenario


@dataclass(frozen=True)
class ReplicationOutput:
    kpis: ReplicationKpis
    calls: pd.DataFrame | None
    switch: pd.DataFrame  # the marketing switch's (time, on) timeline


def run_replication(
    scenario: Scenario, seed: int, replication: int, keep_calls: bool = False
) -> ReplicationOutput:
    """The replication's KPIs, and its calls only if ``keep_calls`` (the model's columns
    themselves, not a copy)."""
    run = run_model(scenario, seed, replication)
    kpis = compute_kpis(
        run.calls,
        run.sessions,
        run.timelines,
        run.roster,
        run.grid,
        scenario,
        held_at_sales=run.held_at_sales,
    )
    return ReplicationOutput(
        kpis=kpis,
        calls=pd.DataFrame(run.calls.columns(), copy=False) if keep_calls else None,
        switch=pd.DataFrame(run.timelines.switch, columns=["time_s", "on"]),
    )
