"""Sweeps over time spans [start, end): how much of them falls in each bin.

Queue length, busy agents and logged-in agents are all "how many spans are open at t"; measuring
them from the spans after the run keeps bookkeeping out of the engine's hot path.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

_DIRECT_BINS = 8
"""Up to this many bins, one pass over the spans per bin is cheaper than sorting them."""


def overlap(
    start: np.ndarray,
    end: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    weight: np.ndarray | None = None,
) -> np.ndarray:
    """Total length of the spans [start, end) inside each bin [lo, hi), each span counted
    ``weight`` times (a wage per second turns agent time into cost)."""
    w = np.ones(len(start)) if weight is None else np.asarray(weight, dtype=float)
    if len(lo) <= _DIRECT_BINS:
        return np.array(
            [
                float((w * np.clip(np.minimum(end, b) - np.maximum(start, a), 0.0, None)).sum())
                for a, b in zip(lo, hi, strict=True)
            ]
        )
    before = _sweep(start, end, w)
    return before(hi) - before(lo)


def _sweep(
    start: np.ndarray, end: np.ndarray, w: np.ndarray
) -> Callable[[np.ndarray], npt.NDArray[np.float64]]:
    """Σ over spans of w × the part of [start, end) before t, as a function of t (the spans
    sorted once, for both edges of every bin)."""
    so, eo = np.argsort(start), np.argsort(end)
    s, e = start[so], end[eo]
    ws, we = w[so], w[eo]
    cw_s = np.concatenate([[0.0], np.cumsum(ws)])
    cw_e = np.concatenate([[0.0], np.cumsum(we)])
    cs = np.concatenate([[0.0], np.cumsum(ws * s)])
    ce = np.concatenate([[0.0], np.cumsum(we * e)])
    total = float((w * (end - start)).sum())

    def before(t: np.ndarray) -> npt.NDArray[np.float64]:
        ks = np.searchsorted(s, t, side="left")
        ke = np.searchsorted(e, t, side="left")
        finite_t = np.where(np.isinf(t), 0.0, t)
        part = (cw_s[ks] * finite_t - cs[ks]) - (cw_e[ke] * finite_t - ce[ke])
        return np.where(np.isinf(t), total, part)

    return before
