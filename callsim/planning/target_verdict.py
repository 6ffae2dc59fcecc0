"""Whether a simulated KPI meets a target, by the rule of every verdict: on the whole 95%
interval, so "met" means the simulation shows it kept, not that its mean happens to be."""

from __future__ import annotations

import math

from callsim.measure.catalogue import better


def target_verdict(kpi: str, target: float, mean: float, low: float, high: float) -> str:
    """``met``, ``missed`` or ``inconclusive`` for a KPI where more is better (service level)
    or less is (ASA, abandonment); without an interval (one replication) the mean decides."""
    more = better(kpi) >= 0
    if math.isnan(low) or math.isnan(high):
        return "met" if (mean >= target if more else mean <= target) else "missed"
    if (low >= target) if more else (high <= target):
        return "met"
    if (high < target) if more else (low > target):
        return "missed"
    return "inconclusive"
