"""Running replications, in this process or on a pool of local worker processes.

Each replication depends only on (scenario, seed, replication index), so results are identical
whatever the number of workers; they are put back in replication order before aggregation.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from callsim.loading import load_scenario
from callsim.replication import ReplicationOutput, run_replication
from callsim.results import SimulationResult, assemble
from callsim.roster import build_roster
from callsim.scenario import Scenario
from callsim.timegrid import time_grid

Progress = Callable[[int, int], None]
"""Called with (replications done, replications in all) as each one finishes."""


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
    scenario = load_scenario(scenario)
    n = replications if replications is not None else scenario.simulation.replications
    seed = seed if seed is not None else scenario.simulation.seed
    if n < 1:
        raise ValueError("replications must be at least 1")
    if seed < 0:
        raise ValueError("seed must be ≥ 0")
    workers = min(n, workers or os.cpu_count() or 1)
    if workers < 1:
        raise ValueError("workers must be at least 1")
    outputs: list[ReplicationOutput | None] = [None] * n
    if workers == 1:
        for r in range(n):
            outputs[r] = run_replication(scenario, seed, r, keep_calls)
            if progress:
                progress(r + 1, n)
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {
                pool.submit(run_replication, scenario, seed, r, keep_calls): r for r in range(n)
            }
            for done, future in enumerate(as_completed(futures), start=1):
                outputs[futures[future]] = future.result()
                if progress:
                    progress(done, n)
    grid = time_grid(scenario)
    return assemble(scenario, seed, outputs, grid, build_roster(scenario, grid))  # type: ignore[arg-type]
