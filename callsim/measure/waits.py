"""The wait-time distribution: the share of offered calls answered within t, for t from 0 to a
few minutes, as counts per replication (a few numbers each, whatever the calls: no per-call
data is kept across replications for it)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from callsim.measure.confidence import t_interval

WAIT_POINTS_S = np.arange(0.0, 301.0, 10.0)
"""Assumption: every 10 s from 0 to 5 minutes, around the usual 10-60 s service-level
thresholds and as far as most callers' patience."""


def answered_within(wait: np.ndarray, answered: np.ndarray) -> np.ndarray:
    """How many of these calls were answered within each of ``WAIT_POINTS_S`` (wait ≤ t, as
    the service level counts them)."""
    waits = wait[np.asarray(answered, dtype=bool)]
    slot = np.searchsorted(WAIT_POINTS_S, waits, side="left")
    counts = np.bincount(slot, minlength=len(WAIT_POINTS_S) + 1)[: len(WAIT_POINTS_S)]
    result: np.ndarray = np.cumsum(counts).astype(float)
    return result


def wait_distribution(within: np.ndarray, offered: np.ndarray) -> pd.DataFrame:
    """The share answered within t of each replication (rows of ``within``, over its offered
    calls), as a mean and 95% interval over replications per t."""
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = within / offered[:, None]
    mean, low, high = t_interval(shares)
    return pd.DataFrame(
        {
            "wait_s": WAIT_POINTS_S,
            "answered_within_mean": mean,
            "answered_within_ci_low": low,
            "answered_within_ci_high": high,
        }
    )
