"""The callers of one replication, drawn before the clock starts.

Drawing every first-attempt caller up front (arrival, reason, segment, patience, talk and wrap-up
time) is what lets two plans on the same seed face the very same callers, and keeps random draws
out of the engine's hot path.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from callsim.model.timegrid import TimeGrid
from callsim.scenario.schema import Scenario


@dataclass(frozen=True)
class Demand:
    arrival: np.ndarray
    reason: np.ndarray
    segment: np.ndarray
    patience: np.ndarray
    talk: np.ndarray
    wrap: np.ndarray
    customer: np.ndarray

    def __len__(self) -> int:
        return len(self.arrival)


def expected_volume(scenario: Scenario, grid: TimeGrid) -> np.ndarray:
    """Forecast calls per interval (before any day-level busyness)."""
    a = scenario.arrivals
    if a.rate_per_hour is not None:
        volume = np.full(len(grid), a.rate_per_hour * grid.length_s / 3600.0)
    else:
        volume = np.asarray(a.volume, dtype=float)
        if len(volume) != len(grid):
            volume = np.tile(volume, scenario.horizon.days)
    return volume * a.scale


def draw_demand(scenario: Scenario, grid: TimeGrid, rng: dict[str, np.random.Generator]) -> Demand:
    """Non-homogeneous Poisson arrivals: a Poisson count per interval, spread uniformly in it."""
    volume = expected_volume(scenario, grid)
    busyness = scenario.arrivals.busyness
    if busyness is not None:
        per_day = busyness.sample(rng["busyness"], scenario.horizon.days)
        volume = volume * np.repeat(per_day, scenario.horizon.intervals_per_day)
    counts = rng["arrivals"].poisson(volume)
    n = int(counts.sum())
    arrival = np.repeat(grid.starts, counts) + rng["arrivals"].random(n) * grid.length_s
    arrival.sort()

    reasons = list(scenario.reasons.values())
    reason = rng["reasons"].choice(len(reasons), n, p=_shares(reasons)).astype(np.int16)
    segments = list(scenario.customers.segments.values())
    segment = rng["segments"].choice(len(segments), n, p=_shares(segments)).astype(np.int16)

    patience = np.empty(n)
    for k, seg in enumerate(segments):
        mask = segment == k
        dist = seg.patience or scenario.customers.patience
        patience[mask] = dist.sample(rng["patience"], int(mask.sum()))
    talk = np.empty(n)
    wrap = np.empty(n)
    for k, r in enumerate(reasons):
        mask = reason == k
        talk[mask] = r.talk.sample(rng["talk"], int(mask.sum()))
        wrap[mask] = (r.wrapup or scenario.wrapup).sample(rng["wrapup"], int(mask.sum()))
    population = scenario.selling.population
    if population is None:
        customer = np.arange(n, dtype=np.int32)  # every first call is a different customer
    else:
        customer = rng["customers"].integers(0, population, n, dtype=np.int32)
    return Demand(arrival, reason, segment, patience, talk, wrap, customer)


def _shares(items: list) -> np.ndarray:
    p = np.array([i.share for i in items], dtype=float)
    return p / float(p.sum())
