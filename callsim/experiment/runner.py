"""Running replications: in this process, on a pool of local worker processes, or on Dask.

Each replication depends only on (scenario, seed, replication index), so results are identical
whatever the number of workers; they are put back in order before aggregation. Several plans run
on one pool, replication r of every plan on the same streams: the same callers meet every plan
(common random numbers), which is what makes paired comparisons sharp.

Where the tasks run is the caller's choice: local processes (``workers``) or a Dask cluster
(``cluster``, see :mod:`callsim.experiment.cluster`); a run to a precision (see
:mod:`callsim.experiment.precision`) sends its batches to the same place.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from callsim.errors import UserError
from callsim.experiment.cluster import Cluster, opened
from callsim.experiment.pool import Interrupted, Progress, run_tasks
from callsim.experiment.precision import (
    PrecisionOutcome,
    StoppingRule,
    half_widths,
    next_total,
    reached,
    stopping_rule,
)
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
    precision: Mapping[str, float] | None = None,
    max_replications: int | None = None,
    cluster: Cluster | str | Any = None,
) -> SimulationResult:
    """Run a scenario's replications and summarise them with 95% confidence intervals.

    ``replications`` and ``seed`` default to the scenario's ``simulation`` section; ``workers``
    defaults to every core. ``precision`` (KPI → largest 95% half-width, in the KPI's unit;
    default the scenario's ``simulation.precision``) runs batches of replications, the first
    of ``replications``, until every target is met or ``max_replications`` are run; the
    result's ``precision`` says how it ended. ``cluster`` runs the replications on Dask: a
    scheduler's address, ``"local:N"``, a ``distributed.Client`` or an opened
    :class:`~callsim.experiment.cluster.Cluster`.
    """
    model = load_scenario(scenario)
    return simulate_many(
        [model],
        replications=replications,
        seed=seed,
        workers=workers,
        keep_calls=keep_calls,
        progress=progress,
        precision=precision,
        max_replications=max_replications,
        cluster=cluster,
    )[0]


def simulate_many(
    scenarios: list[Scenario],
    *,
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    keep_calls: bool = False,
    progress: Progress | None = None,
    precision: Mapping[str, float] | None = None,
    max_replications: int | None = None,
    cluster: Cluster | str | Any = None,
) -> list[SimulationResult]:
    """Run several plans with common random numbers; replications, seed and precision default
    to the first plan's ``simulation`` section and are the same for all (to a precision, every
    plan runs until the widest plan meets the targets)."""
    first = scenarios[0].simulation
    n = replications if replications is not None else first.replications
    seed = seed if seed is not None else first.seed
    if n < 1:
        raise ValueError("replications must be at least 1")
    if seed < 0:
        raise ValueError("seed must be ≥ 0")
    if workers is not None and workers < 1:
        raise ValueError("workers must be at least 1")
    if workers is not None and cluster is not None:
        raise UserError("workers and cluster exclude each other: a cluster has its own workers")
    if precision is not None:
        rule = stopping_rule(precision, max_replications, n)
    else:
        rule = stopping_rule(
            first.precision,
            max_replications if max_replications is not None else first.max_replications,
            n,
            where=f"{scenarios[0].name}: simulation.precision",
        )
    with _backend(workers, cluster) as execute:
        outputs, outcome = _replicate(scenarios, seed, n, keep_calls, rule, execute, progress)
    results = []
    for scenario, runs in zip(scenarios, outputs, strict=True):
        grid = time_grid(scenario)
        result = assemble(scenario, seed, runs, grid, build_roster(scenario, grid))
        results.append(result if outcome is None else replace(result, precision=outcome))
    return results


Execute = Callable[[Callable[..., Any], Sequence[tuple[Any, ...]], Progress | None], list[Any]]
"""Runs ``func(*task)`` for every task and returns the results in the tasks' order."""


@contextmanager
def _backend(workers: int | None, cluster: Cluster | str | Any) -> Iterator[Execute]:
    if cluster is None:
        cores = workers or os.cpu_count() or 1
        yield lambda func, tasks, progress: run_tasks(func, tasks, min(len(tasks), cores), progress)
    else:
        with opened(cluster) as on:
            yield on.run


def _replicate(
    scenarios: list[Scenario],
    seed: int,
    n: int,
    keep_calls: bool,
    rule: StoppingRule | None,
    execute: Execute,
    progress: Progress | None,
) -> tuple[list[list[ReplicationOutput]], PrecisionOutcome | None]:
    """Every plan's replications, in batches when there is a stopping rule: replication r of
    every plan is the task (plan, seed, r), whichever batch it falls in."""
    plans = len(scenarios)
    outputs: list[list[ReplicationOutput]] = [[] for _ in scenarios]
    batches: list[int] = []
    names = list(rule.targets) if rule else []
    while True:
        done = len(outputs[0])
        tasks = [(s, seed, r, keep_calls) for s in scenarios for r in range(done, n)]
        new = _batch(execute, tasks, progress, plans * done, plans * n)
        for p in range(plans):
            outputs[p] += new[p * (n - done) : (p + 1) * (n - done)]
        batches.append(n)
        if rule is None:
            return outputs, None
        values = [np.array([[o.kpis.horizon[k] for k in names] for o in runs]) for runs in outputs]
        widths = half_widths(values, names)
        if reached(widths, rule) or n >= rule.max_replications:
            return outputs, PrecisionOutcome(
                targets=rule.targets,
                max_replications=rule.max_replications,
                reached=reached(widths, rule),
                half_widths=widths,
                batches=tuple(batches),
            )
        n = next_total(n, widths, rule)


def _batch(
    execute: Execute,
    tasks: list[tuple[Any, ...]],
    progress: Progress | None,
    before: int,
    total: int,
) -> list[ReplicationOutput]:
    """One batch, its progress and its interruption counted over the whole run."""
    step = None if progress is None else (lambda d, _: progress(before + d, total))
    try:
        return execute(run_replication, tasks, step)
    except Interrupted as exc:
        raise Interrupted(before + exc.done, total) from None
