"""Confidence intervals over independent replications."""

from __future__ import annotations

from collections.abc import Callable

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


def jackknife_interval(
    statistic: Callable[[dict[str, np.ndarray]], dict[str, np.ndarray]],
    samples: dict[str, np.ndarray],
) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """A smooth function of means (a ratio of totals, such as answered within T over offered)
    at the pooled means, with a 95% jackknife interval over replications (axis 0 of each
    sample).

    The jackknife is the delta method's interval computed numerically: to first order they
    agree, and it needs no derivative of the statistic, so one rule serves every KPI a
    function of sums gives. For a plain mean it is exactly the t-interval. Fewer than two
    replications give an undefined interval (NaN)."""
    n = len(next(iter(samples.values())))
    totals = {k: v.sum(axis=0) for k, v in samples.items()}
    point = statistic({k: t / n for k, t in totals.items()})
    if n < 2:
        return {k: (v, np.full_like(v, np.nan), np.full_like(v, np.nan)) for k, v in point.items()}
    from scipy.special import stdtrit

    left_out = statistic({k: (totals[k] - v) / (n - 1) for k, v in samples.items()})
    quantile = stdtrit(n - 1, 0.5 + LEVEL / 2)
    out = {}
    with np.errstate(invalid="ignore"):
        for name, value in point.items():
            loo = left_out[name]
            se = np.sqrt((n - 1) / n * np.sum((loo - loo.mean(axis=0)) ** 2, axis=0))
            out[name] = (value, value - quantile * se, value + quantile * se)
    return out
