"""The call-reason mix interval by interval, as WFM tools forecast by queue.

Bill inquiries peak in the morning and card activations after work: one share per reason for the
whole day would send the wrong calls to the wrong hours, and size each interval on the day's mean
handle time. ``arrivals.reason_mix`` gives each reason a weight per interval (calls forecast for
it, or its share; each interval is normalised on its own), and replaces the reasons' ``share``
interval by interval. The weights are read from a volume CSV with one column per reason, or from
a share table (``arrivals.reason_mix_csv``), in :mod:`callsim.scenario.files`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from callsim.scenario.clock import minutes

if TYPE_CHECKING:
    from callsim.scenario.schema import Horizon, Scenario

SHARE_SUM_TOLERANCE = 0.005
"""assumption: a share table exported with shares rounded to 0.1% (three reasons at 33.3% sum to
99.9%) still reads as summing to 1; a row off by more is a slip, not rounding."""


def interval_label(horizon: Horizon, k: int) -> str:
    """``day 2 09:30`` (or ``09:30`` on a one-day horizon) for the k-th interval."""
    n_day = horizon.intervals_per_day
    start = minutes(horizon.open) + (k % n_day) * horizon.interval_min
    clock = f"{start // 60:02d}:{start % 60:02d}"
    return clock if horizon.days == 1 else f"day {k // n_day + 1} {clock}"


def check_reason_mix(
    mix: Mapping[str, Sequence[float]],
    reasons: Sequence[str],
    volume: Sequence[float] | None,
    horizon: Horizon,
) -> None:
    """A weight for every reason and no other, for one day or every day, and some weight in
    every interval that has calls; a ``ValueError`` naming the field otherwise."""
    for name in mix:
        if name not in reasons:
            raise ValueError(f"arrivals.reason_mix: unknown call reason '{name}'")
    for name in reasons:
        if name not in mix:
            raise ValueError(f"arrivals.reason_mix: no weights for call reason '{name}'")
    n_day = horizon.intervals_per_day
    n_all = n_day * horizon.days
    lengths = {len(weights) for weights in mix.values()}
    for name, weights in mix.items():
        if len(weights) not in (n_day, n_all) or len(lengths) > 1:
            expected = f"{n_day}" if n_day == n_all else f"{n_day} (one day) or {n_all} (every day)"
            raise ValueError(
                f"arrivals.reason_mix.{name} has {len(weights)} entries; expected {expected}, "
                "the same for every reason"
            )
    n = lengths.pop()
    totals = [math.fsum(mix[name][k] for name in reasons) for k in range(n)]
    calls = list(volume) if volume is not None else [1.0] * n_day
    for k in range(max(n, len(calls))):
        total = totals[k % n]
        if not math.isfinite(total):
            raise ValueError(
                f"arrivals.reason_mix: the weights of {interval_label(horizon, k % n)} add up to "
                "more than a float holds"
            )
        if total == 0 and calls[k % len(calls)] > 0:
            raise ValueError(
                f"arrivals.reason_mix: {interval_label(horizon, k)} has calls but no weight for "
                "any reason"
            )


def reason_shares(scenario: Scenario, n_intervals: int) -> np.ndarray:
    """Share of each reason (columns, in the scenario's order) per interval (rows): the mix
    normalised, or the reasons' own shares in every interval without one (and in an interval
    with no weight at all, which has no calls)."""
    fixed = np.array([r.share for r in scenario.reasons.values()], dtype=float)
    fixed = fixed / fixed.sum()
    mix = scenario.arrivals.reason_mix
    if mix is None:
        return np.tile(fixed, (n_intervals, 1))
    weights = np.array([mix[name] for name in scenario.reasons], dtype=float).T
    weights = np.tile(weights, (n_intervals // len(weights), 1))
    total = weights.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares: np.ndarray = np.where(total > 0, weights / total, fixed)
    return shares


def handle_per_interval(scenario: Scenario, n_intervals: int) -> np.ndarray:
    """Mean talk plus wrap-up of a call arriving in each interval, at handle-time factor 1: the
    mix's reasons weighted by their shares there (every interval is ``mean_handle_s`` without a
    mix)."""
    if scenario.arrivals.reason_mix is None:
        return np.full(n_intervals, scenario.mean_handle_s())
    handle = np.array(
        [r.talk.mean + (r.wrapup or scenario.wrapup).mean for r in scenario.reasons.values()]
    )
    result: np.ndarray = reason_shares(scenario, n_intervals) @ handle
    return result
