"""Axes of shares zoomed to what is drawn: a service level between 70% and 95%, or an
abandonment of 2% to 9%, drawn on 0-100% is a flat line, and the manager cannot see the
intervals that fall short. The target stays in view, so the eye still measures against it."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

PAD_SHARE = 0.08
"""Assumption: room above and below the data, as a share of its spread, so marks and the
target's label do not sit on the frame."""
MIN_PAD = 0.02
"""Assumption: at least two points of room on a share axis, for data that hardly varies."""


def zoom(values: Iterable[float], bounds: tuple[float, float], min_pad: float = 0.0) -> list[float]:
    """An axis range around the finite ``values`` (include the target among them to keep it in
    view), within what the measure can take (``bounds``)."""
    finite = [float(v) for v in values if math.isfinite(v)]
    if not finite:
        return list(bounds)
    low, high = min(finite), max(finite)
    pad = max(min_pad, PAD_SHARE * (high - low)) or max(abs(high) * PAD_SHARE, 0.01)
    return [max(bounds[0], low - pad), min(bounds[1], high + pad)]


def share_range(values: Iterable[object], targets: Iterable[float] = ()) -> list[float]:
    """The [low, high] of a share axis holding every finite value and target, within 0-100%,
    with a point more on top for the target's label."""
    data = [np.ravel(np.asarray(v, dtype=float)) for v in [*values, list(targets)]]
    flat = np.concatenate(data).tolist() if data else []
    low, high = zoom(flat or [0.0, 1.0], (0.0, 1.0), MIN_PAD)
    return [low, high + 0.01]
