"""Axes of shares zoomed to what is drawn: a service level between 70% and 95%, or an
abandonment of 2% to 9%, drawn on 0-100% is a flat line, and the manager cannot see the
intervals that fall short. The target stays in view, so the eye still measures against it."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

PAD_SHARE = 0.08
"""Assumption: room above and below the data, as a share of its spread, so marks and the
target's label do not sit on the frame."""
MIN_PAD = 0.02
"""Assumption: at least two points of room, for data that hardly varies."""


def share_range(values: Iterable[object], targets: Iterable[float] = ()) -> list[float]:
    """The [low, high] of a share axis holding every finite value and target, within 0-100%."""
    data = np.concatenate(
        [np.ravel(np.asarray(v, dtype=float)) for v in [*values, list(targets)]] or [np.zeros(0)]
    )
    data = data[np.isfinite(data)]
    low, high = (float(data.min()), float(data.max())) if len(data) else (0.0, 1.0)
    pad = max(MIN_PAD, PAD_SHARE * (high - low))
    return [max(0.0, low - pad), min(1.0, high + pad) + 0.01]
