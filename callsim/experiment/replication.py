"""One replication as an experiment sees it: the model's run, measured, in tables to send back
from a worker process."""

from __future__ import annotations

import gc
import weakref
from dataclasses import dataclass

import pandas as pd

from callsim.measure.kpis import ReplicationKpis, compute_kpis
from callsim.model.calllog import CallLog
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
    kpis = compute_kpis(run.calls, run.sessions, run.timelines, run.roster, run.grid, scenario)
    output = ReplicationOutput(
        kpis=kpis,
        calls=pd.DataFrame(run.calls.columns(), copy=False) if keep_calls else None,
        switch=pd.DataFrame(run.timelines.switch, columns=["time_s", "on"]),
    )
    log = weakref.ref(run.calls)
    del run
    _free(log)
    return output


def _free(log: weakref.ref[CallLog]) -> None:
    """Free the call log as the replication ends, not at the interpreter's next full garbage
    collection: the engine's processes and its view for the policy refer to each other, and
    through them to the log, so it outlives the run, and the calls of replication after
    replication would pile up in a long study until a full collection came.

    A collection of the young generations finds them at almost no cost; only a run long
    enough for them to age into the oldest one needs a full collection, which then costs
    little beside the run."""
    gc.collect(1)
    if log() is not None:
        gc.collect()
