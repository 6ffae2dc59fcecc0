"""Sweeps: run a grid of plans that differ in a few parameters, and find the efficient ones.

A parameter is a dotted path into the scenario (``selling.policy.k``, ``agents.scale``) with a list
of values; the grid is their product. Every point runs on the same seed (common random numbers), so
neighbouring points differ by the plan, not by luck.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from callsim.labels import COMPARE_KPIS
from callsim.loading import scenario_from_dict
from callsim.overrides import deep_merge
from callsim.results import SimulationResult
from callsim.runner import Progress, simulate_many
from callsim.scenario import Scenario

Value = int | float | str


@dataclass(frozen=True)
class Sweep:
    base: Scenario
    params: list[str]
    points: pd.DataFrame
    """One row per point: the parameters, each COMPARE_KPI's mean and CI, ``frontier`` (no other
    point has both higher service level and higher net contribution) and ``best`` (the highest
    net contribution among points whose mean service level meets the goal)."""
    results: list[SimulationResult]
    seed: int
    replications: int
    created: str


def parse_values(text: str) -> list[Value]:
    """``-3:3`` (integers, inclusive), ``0.8:1.2:0.1`` (with a step) or ``a,b,c``."""
    if ":" in text and "," not in text:
        parts = [_number(p) for p in text.split(":")]
        if len(parts) not in (2, 3) or not all(isinstance(p, int | float) for p in parts):
            raise ValueError(f"'{text}' is not a range lo:hi or lo:hi:step")
        lo, hi = parts[0], parts[1]
        step = parts[2] if len(parts) == 3 else 1
        if step <= 0 or hi < lo:  # type: ignore[operator]
            raise ValueError(f"'{text}' is an empty range")
        count = int(np.floor((hi - lo) / step + 1e-9)) + 1  # type: ignore[operator]
        values = [lo + k * step for k in range(count)]  # type: ignore[operator]
        if all(isinstance(p, int) for p in parts):
            return [int(v) for v in values]
        return [round(float(v), 12) for v in values]
    return [_number(v.strip()) for v in text.split(",") if v.strip()]


def parse_param(spec: str) -> tuple[str, list[Value]]:
    """``path=values`` as given on the command line."""
    path, sep, values = spec.partition("=")
    if not sep or not path.strip():
        raise ValueError(f"--param '{spec}': expected PATH=VALUES, e.g. selling.policy.k=-3:3")
    try:
        return path.strip(), parse_values(values)
    except ValueError as exc:
        raise ValueError(f"--param {path.strip()}: {exc}") from None


def _number(text: str) -> Value:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def nested(path: str, value: Any) -> dict[str, Any]:
    """``a.b.c`` = v as {"a": {"b": {"c": v}}}."""
    out: Any = value
    for key in reversed(path.split(".")):
        out = {key: out}
    return out


def sweep(
    base: Scenario,
    params: dict[str, list[Value]],
    *,
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> Sweep:
    names = list(params)
    combos = list(itertools.product(*params.values()))
    resolved = base.model_dump(mode="json", exclude_none=True)
    plans = []
    for combo in combos:
        label = ", ".join(f"{n}={v}" for n, v in zip(names, combo, strict=True))
        data = resolved
        for name, value in zip(names, combo, strict=True):
            data = deep_merge(data, nested(name, value))
        data = {**data, "name": f"{base.name} [{label}]"}
        # The base is resolved (tables inlined), so no file paths are left to resolve.
        plans.append(scenario_from_dict(data, label=f"sweep point {label}", base_dir=Path.cwd()))
    results = simulate_many(
        plans, replications=replications, seed=seed, workers=workers, progress=progress
    )
    rows = []
    for combo, result in zip(combos, results, strict=True):
        row: dict[str, Any] = dict(zip(names, combo, strict=True))
        for kpi in COMPARE_KPIS:
            k = result.kpi(kpi)
            row[f"{kpi}_mean"], row[f"{kpi}_ci_low"], row[f"{kpi}_ci_high"] = (
                k["mean"],
                k["ci_low"],
                k["ci_high"],
            )
        rows.append(row)
    points = pd.DataFrame(rows)
    sl, net = points["service_level_mean"].to_numpy(), points["net_contribution_mean"].to_numpy()
    points["frontier"] = frontier(sl, net)
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
    )


def frontier(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Points not dominated: no other point is at least as good in both and better in one."""
    keep = np.ones(len(x), dtype=bool)
    for i in range(len(x)):
        dominated = (x >= x[i]) & (y >= y[i]) & ((x > x[i]) | (y > y[i]))
        keep[i] = not dominated.any()
    return keep
