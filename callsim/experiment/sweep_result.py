"""What a sweep returns, and which of its points are efficient: light enough to read back from a
results directory without importing the runner."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # in annotations only: the command line reads Pick without importing numpy
    import numpy as np
    import pandas as pd

    from callsim.experiment.results import SimulationResult
    from callsim.scenario.schema import Scenario

Pick = Literal["confident", "mean"]
"""How a sweep decides which points meet the goal, to choose the best among them: ``confident``
by the rule of every verdict (the service level's CI reaches the target with its lower end),
``mean`` by the mean alone, which may pick a point whose verdict is inconclusive."""
PICKS: tuple[Pick, ...] = ("confident", "mean")


@dataclass(frozen=True)
class Sweep:
    base: Scenario
    params: list[str]
    points: pd.DataFrame
    """One row per point: the parameters, ``agents`` in its roster, its service-level
    ``verdict``, paid hours and each compared KPI's mean and CI, ``frontier`` (no other point has
    both higher service level and higher net contribution) and ``best`` (the highest net
    contribution among points meeting the goal: by the verdict's rule, or by the mean alone if the
    sweep was asked to pick so)."""
    results: list[SimulationResult]
    seed: int
    replications: int
    created: str
    pick: Pick
    """The rule that chose the ``best`` point, which every table and report of it states."""


def frontier(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Points not dominated: no other point is at least as good in both and better in one."""
    import numpy as np

    keep = np.ones(len(x), dtype=bool)
    for i in range(len(x)):
        dominated = (x >= x[i]) & (y >= y[i]) & ((x > x[i]) | (y > y[i]))
        keep[i] = not dominated.any()
    return keep
