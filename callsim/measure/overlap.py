"""Sweeps over time spans [start, end): how much of them falls in each bin.

Queue length, busy agents and logged-in agents are all "how many spans are open at t"; measuring
them from the spans after the run keeps bookkeeping out of the engine's hot path.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


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
    return _before(start, end, w, hi) - _before(start, end, w, lo)


def _before(
    start: np.ndarray, end: np.ndarray, w: np.ndarray, t: np.ndarray
) -> npt.NDArray[np.float64]:
    """Σ over spans of w × the part of [start, end) before t, for each t (a sorted sweep)."""
    so, eo = np.argsort(start), np.argsort(end)
    s, e = start[so], end[eo]
    ws, we = w[so], w[eo]
    cw_s = np.concatenate([[0.0], np.cumsum(ws)])
    cw_e = np.concatenate([[0.0], np.cumsum(we)])
    cs = np.concatenate([[0.0], np.cumsum(ws * s)])
    ce = np.concatenate([[0.0], np.cumsum(we * e)])
    ks = np.searchsorted(s, t, side="left")
    ke = np.searchsorted(e, t, side="left")
    finite_t = np.where(np.isinf(t), 0.0, t)
    part = (cw_s[ks] * finite_t - cs[ks]) - (cw_e[ke] * finite_t - ce[ke])
    return np.where(np.isinf(t), float((w * (end - start)).sum()), part)
