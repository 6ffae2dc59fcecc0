"""Sweeps: run a grid of plans that differ in a few parameters, and find the efficient ones.

A parameter is a dotted path into the scenario (``selling.policy.k``, ``agents.scale``) with a list
of values; the grid is their product. Every point runs on the same seed (common random numbers), so
neighbouring points differ by the plan, not by luck.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from callsim.experiment.cluster import Cluster
from callsim.experiment.runner import Progress, simulate_many
from callsim.experiment.sweep_result import PICKS, Pick, Sweep, frontier
from callsim.measure.catalogue import kpis_in
from callsim.measure.money import one_currency
from callsim.model.roster import build_roster
from callsim.model.timegrid import time_grid
from callsim.scenario.files import scenario_from_dict
from callsim.scenario.overrides import deep_merge
from callsim.scenario.schema import Scenario
from callsim.scenario.sweep_grammar import Value, nested


def sweep(
    base: Scenario,
    params: dict[str, list[Value]],
    *,
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    cluster: Cluster | str | Any = None,
    pick: Pick = "confident",
) -> Sweep:
    """Run every point of the grid on the same seed. ``pick`` decides which points meet the
    goal: ``confident`` by the rule of every verdict (the CI's lower end reaches the target),
    ``mean`` by the mean alone — the ``verdict`` column then shows the risk taken. ``cluster``
    runs the points on Dask (see :func:`~callsim.experiment.runner.simulate`)."""
    if pick not in PICKS:
        raise ValueError(f"pick must be one of {', '.join(PICKS)}, not {pick!r}")
    names = list(params)
    combos = list(itertools.product(*params.values()))
    resolved = base.model_dump(mode="json", exclude_none=True)
    plans, labels = [], []
    for combo in combos:
        label = ", ".join(f"{n}={v}" for n, v in zip(names, combo, strict=True))
        data = resolved
        for name, value in zip(names, combo, strict=True):
            data = deep_merge(data, nested(name, value))
        # A point keeps the base's name: its parameters identify it in the points table.
        # The base is resolved (tables inlined), so no file paths are left to resolve.
        plans.append(scenario_from_dict(data, label=f"sweep point {label}", base_dir=Path.cwd()))
        labels.append(label)
    one_currency(dict(zip(labels, plans, strict=True)))  # net contribution is compared
    results = simulate_many(
        plans,
        replications=replications,
        seed=seed,
        workers=workers,
        progress=progress,
        cluster=cluster,
    )
    # Ratios are shown as the goal judges them: the mean of the replications' values, or
    # call-weighted (``service_level.verdict_on``), so the frontier and the pick agree with
    # each point's verdict.
    weighted = base.service_level.verdict_on == "call_weighted"
    ratios = kpis_in("ratios")
    rows = []
    for plan, combo, result in zip(plans, combos, results, strict=True):
        row: dict[str, Any] = dict(zip(names, combo, strict=True))
        row["agents"] = len(build_roster(plan, time_grid(plan)))
        row["verdict"] = result.verdict
        for kpi in ("paid_hours", *kpis_in("compare")):
            k = result.kpi(kpi, "call_weighted" if weighted and kpi in ratios else "mean")
            row[f"{kpi}_mean"], row[f"{kpi}_ci_low"], row[f"{kpi}_ci_high"] = (
                k["mean"],
                k["ci_low"],
                k["ci_high"],
            )
        rows.append(row)
    points = pd.DataFrame(rows)
    sl, net = points["service_level_mean"].to_numpy(), points["net_contribution_mean"].to_numpy()
    points["frontier"] = frontier(sl, net)
    if pick == "confident":
        meets = (points["verdict"] == "met").to_numpy()
    else:
        meets = sl >= base.service_level.target
    points["best"] = False
    if meets.any():
        points.loc[int(np.flatnonzero(meets)[np.argmax(net[meets])]), "best"] = True
    return Sweep(
        base=base,
        params=names,
        points=points,
        results=results,
        seed=results[0].seed,
        replications=results[0].replications,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        pick=pick,
    )
