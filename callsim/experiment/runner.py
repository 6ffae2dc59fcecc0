"""Running replications, in this process or on a pool of local worker processes.

Each replication depends only on (scenario, seed, replication index), so results are identical
whatever the number of workers; they are put back in order before aggregation. Several plans run
on one pool, replication r of every plan on the same streams: the same callers meet every plan
(common random numbers), which is what makes paired comparisons sharp.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from callsim.experiment.pool import Progress, run_tasks
from callsim.experiment.replication import ReplicationOutput, run_replication
from callsim.experiment.results import SimulationResult, assemble
from callsim.model.roster import build_roster
from callsim.model.timegrid import time_grid
from callsim.scenario.files import load_scenario
from callsim.scenario.schema import Scenario


def simulate(
    scenario: Scenario | dict[str, Any] | str | Path,
    *,
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    keep_calls: bool = False,
    progress: Progress | None = None,
) -> SimulationResult:
    """Run a scenario's replications and summarise them with 95% confidence intervals.

    ``replications`` and ``seed`` default to the scenario's ``simulation`` section; ``workers``
    defaults to every core.
    """
    model = load_scenario(scenario)
    return simulate_many(
        [model],
        replications=replications,
        seed=seed,
        workers=workers,
        keep_calls=keep_calls,
        progress=progress,
    )[0]


def simulate_many(
    scenarios: list[Scenario],
    *,
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    keep_calls: bool = False,
    progress: Progress | None = None,
) -> list[SimulationResult]:
    """Run several plans with common random numbers; replications and seed default to the
    first plan's ``simulation`` section and are the same for all."""
    first = scenarios[0].simulation
    n = replications if replications is not None else first.replications
    seed = seed if seed is not None else first.seed
    if n < 1:
        raise ValueError("replications must be at least 1")
    if seed < 0:
        raise ValueError("seed must be ≥ 0")
    if workers is not None and workers < 1:
        raise ValueError("workers must be at least 1")
    tasks = [(scenarios[p], seed, r, keep_calls) for p in range(len(scenarios)) for r in range(n)]
    workers = min(len(tasks), workers or os.cpu_count() or 1)
    outputs: list[ReplicationOutput] = run_tasks(run_replication, tasks, workers, progress)
    results = []
    for p, scenario in enumerate(scenarios):
        grid = time_grid(scenario)
        runs = outputs[p * n : (p + 1) * n]
        results.append(assemble(scenario, seed, runs, grid, build_roster(scenario, grid)))
    return results
