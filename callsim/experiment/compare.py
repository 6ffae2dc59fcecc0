"""Run plans on common random numbers and compare them (see :mod:`callsim.experiment.pairing`).

Replication r of every plan meets the same callers, so the per-replication differences cancel the
noise the plans share.
"""

from __future__ import annotations

from typing import Any

from callsim.experiment.cluster import Cluster
from callsim.experiment.pairing import Comparison, compare_results
from callsim.experiment.runner import Progress, simulate_many
from callsim.measure.money import one_currency
from callsim.scenario.objective import Objective
from callsim.scenario.schema import Scenario


def compare(
    plans: dict[str, Scenario],
    *,
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    cluster: Cluster | str | Any = None,
    objective: Objective | None = None,
) -> Comparison:
    """Run every plan on the same seed; the first plan is the baseline. ``cluster`` runs them
    on Dask (see :func:`~callsim.experiment.runner.simulate`). ``objective`` picks the
    recommended plan (default: the baseline scenario's ``objective:``)."""
    one_currency(plans)  # refused before anything runs
    results = simulate_many(
        list(plans.values()),
        replications=replications,
        seed=seed,
        workers=workers,
        progress=progress,
        cluster=cluster,
    )
    return compare_results(dict(zip(plans, results, strict=True)), objective=objective)
