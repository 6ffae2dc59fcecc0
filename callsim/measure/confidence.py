"""Confidence intervals over independent replications."""

from __future__ import annotations

import numpy as np

LEVEL = 0.95

MIN_REPLICATIONS_FOR_CI = 5
"""Assumption (no source gives it): below 5 replications an interval is too rough to read.
With so few, the t quantile is large (12.7 with 2, 2.8 with 5) and the standard deviation it
multiplies is itself a poor estimate, so the interval says little, and the CLI and the reports
say so."""


def t_interval(samples: np.ndarray, axis: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and 95% Student-t interval along ``axis``, ignoring replications where a KPI is
    undefined (an interval with no answered call has no ASA). With one replication the interval is
    undefined (NaN), never a misleading zero width."""
    samples = np.asarray(samples, dtype=float)
    n = np.sum(~np.isnan(samples), axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(samples, axis=axis) / n
        if not (n > 1).any():
            return mean, np.full(mean.shape, np.nan), np.full(mean.shape, np.nan)
        from scipy.special import stdtrit  # imported when needed: one replication skips it

        dev = np.where(np.isnan(samples), 0.0, samples - np.expand_dims(mean, axis))
        sd = np.sqrt(np.sum(dev**2, axis=axis) / (n - 1))
        quantile = stdtrit(np.maximum(n - 1, 1), 0.5 + LEVEL / 2)
        half = np.where(n > 1, quantile * sd / np.sqrt(n), np.nan)
    return mean, mean - half, mean + half
