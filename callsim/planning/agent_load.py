"""What reaches the agents per interval: the forecast less the calls the self-service menu
resolves, plus the repeat calls that unresolved answers bring back. This is the load a formula
must size: sizing the forecast itself would staff for calls the menu takes and miss the ones
that come back.

The forecast counts calls into the line. Per reason, a share ``ivr.containment`` is resolved in
the menu and the rest reach the queue. An answered call resolves the request with probability
``p`` (``resolution.by_reason`` or ``probability``), so each call reaching the agents brings a
chain of repeat calls: each generation is (1 − p) of the one before, arriving
``resolution.repeat_delay`` later, in total (1 − p)/p per call when the whole chain falls inside
the horizon.

Approximations, each an assumption of this estimate (the simulation makes none of them):
every call reaching the queue is answered (abandonment lowers the repeats a little), agents are
of resolution skill 1, a call arrives mid-interval, the repeat delay is taken at
:data:`DELAY_POINTS` equally likely quantiles, a repeat falling in closed hours counts in the
next open interval and one falling past the horizon is lost. Without a menu and without
resolution the forecast and its handle times are returned unchanged.
"""

from __future__ import annotations

import numpy as np

from callsim.model.demand import expected_volume
from callsim.model.timegrid import TimeGrid
from callsim.scenario.reason_mix import handle_per_interval, reason_shares
from callsim.scenario.schema import Scenario

DELAY_POINTS = 64
"""Quantiles of the repeat delay the repeats are spread over (assumption: fine enough that the
estimate moves by well under a call when doubled)."""
_NEGLIGIBLE = 1e-9
"""Repeats in a generation below which the chain's next generation is dropped."""
_GENERATIONS = 1000
"""At most this many generations of repeats (a chain that never resolves within zero delay
would otherwise never end; the simulation has the same chain, cut by the horizon)."""


def agent_calls_by_reason(scenario: Scenario, grid: TimeGrid) -> np.ndarray:
    """Expected calls reaching the agents, per interval (rows) and reason (columns)."""
    first: np.ndarray = expected_volume(scenario, grid)[:, None] * reason_shares(
        scenario, len(grid)
    )
    reasons = list(scenario.reasons)
    if scenario.ivr is not None:
        contained = np.array([scenario.ivr.containment.get(r, 0.0) for r in reasons])
        first = first * (1.0 - contained)
    if scenario.resolution is None:
        return first
    res = scenario.resolution
    unresolved = 1.0 - np.array([res.by_reason.get(r, res.probability) for r in reasons])
    u = (np.arange(DELAY_POINTS) + 0.5) / DELAY_POINTS
    delays = np.array([res.repeat_delay.quantile(float(x)) for x in u])
    # Where a repeat of a call from interval k lands, for each delay point: the first interval
    # ending after it (closed hours roll to the next opening); len(grid) means past the horizon.
    landing = np.searchsorted(grid.ends, (grid.starts + grid.length_s / 2)[:, None] + delays)
    total: np.ndarray = first.copy()
    generation = first
    for _ in range(_GENERATIONS):
        if generation.sum() <= _NEGLIGIBLE:
            break
        sent = generation * unresolved / DELAY_POINTS
        landed = np.zeros((len(grid) + 1, len(reasons)))
        for j in range(DELAY_POINTS):
            np.add.at(landed, landing[:, j], sent)
        generation = landed[:-1]
        total += generation
    return total


def agent_load(scenario: Scenario, grid: TimeGrid) -> tuple[np.ndarray, np.ndarray]:
    """Calls reaching the agents per interval and their mean handle time (talk plus wrap-up at
    handle-time factor 1), the reasons weighted by the calls that reach the agents."""
    if scenario.ivr is None and scenario.resolution is None:
        return expected_volume(scenario, grid), handle_per_interval(scenario, len(grid))
    calls = agent_calls_by_reason(scenario, grid)
    per_reason = np.array(
        [r.talk.mean + (r.wrapup or scenario.wrapup).mean for r in scenario.reasons.values()]
    )
    volume = calls.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        handle = np.where(volume > 0, calls @ per_reason / volume, scenario.mean_handle_s())
    return volume, handle
