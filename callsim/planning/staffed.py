"""A scenario staffed by a per-interval requirement instead of its own shifts.

A requirement is one number per interval for the whole centre; the scenario's agent groups
differ (handle-time factors, sales skill, who may sell), so the number is split over them. The
rule is the simplest honest one: each group keeps its share of the scenario's own roster in that
interval (its share of paid agent time there, or over the whole horizon where the roster has
nobody in the interval), by largest remainder, so the groups add up to the requirement exactly.
Staffing a centre differently (more seniors at the peak) is a planning choice the shift
scheduler and ``compare`` are for, not something a requirement should decide silently.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from callsim.measure.overlap import overlap
from callsim.model.roster import build_roster
from callsim.model.timegrid import time_grid
from callsim.scenario.schema import Scenario


def group_shares(scenario: Scenario) -> np.ndarray:
    """(interval, group): each group's share of the roster's paid agent time in the interval."""
    grid = time_grid(scenario)
    roster = build_roster(scenario, grid)
    paid = np.asarray(roster.paid, dtype=float).reshape(-1, 3)
    group = np.asarray(roster.group, dtype=int)[paid[:, 0].astype(int)]
    n_groups = len(scenario.agents.groups)
    time = np.zeros((len(grid), n_groups))
    for g in range(n_groups):
        rows = paid[group == g]
        time[:, g] = overlap(rows[:, 1], rows[:, 2], grid.starts, grid.ends)
    overall = time.sum(axis=0)
    if overall.sum() <= 0:  # nobody on the roster at all: the groups share alike
        overall = np.ones(n_groups)
    per_interval = time.sum(axis=1, keepdims=True)
    shares = np.where(per_interval > 0, time, overall[None, :])
    normalised: np.ndarray = shares / shares.sum(axis=1, keepdims=True)
    return normalised


def split(total: int, shares: np.ndarray) -> list[int]:
    """``total`` agents over groups by largest remainder; ties go to the earlier group."""
    quotas = total * np.asarray(shares, dtype=float)
    base = [math.floor(q + 1e-9) for q in quotas]
    order = sorted(range(len(quotas)), key=lambda g: (-(quotas[g] - base[g]), g))
    for g in order[: total - sum(base)]:
        base[g] += 1
    return base


def with_staffing(
    scenario: Scenario, agents: Sequence[int], *, shrinkage: float | None = None
) -> Scenario:
    """The scenario with ``agents[k]`` scheduled in interval k (every interval of the horizon),
    split over its groups by :func:`group_shares`, in place of its shifts or staffing tables.

    ``shrinkage`` defaults to the scenario's: give the scheduled requirement to plan with it,
    or the on-phone requirement with ``shrinkage=0`` to simulate exactly those agents on the
    phones. ``agents.scale`` is reset to 1 (the numbers are the agents wanted)."""
    grid = time_grid(scenario)
    if len(agents) != len(grid):
        raise ValueError(f"agents has {len(agents)} entries; the horizon has {len(grid)} intervals")
    if any(int(a) != a or a < 0 for a in agents):
        raise ValueError("agents must be whole numbers ≥ 0")
    shares = group_shares(scenario)
    per_group = np.array(
        [split(int(a), shares[k]) for k, a in enumerate(agents)], dtype=int
    ).reshape(len(grid), len(scenario.agents.groups))
    data = scenario.model_dump(mode="json", exclude_none=True)
    section = data["agents"]
    section["scale"] = 1.0
    if shrinkage is not None:
        section["shrinkage"] = shrinkage
    for g, spec in enumerate(section["groups"].values()):
        for source in ("shifts", "staffing_csv"):
            spec.pop(source, None)
        spec["staffing"] = per_group[:, g].tolist()
    return Scenario.model_validate(data)
