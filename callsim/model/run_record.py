"""What one replication's run leaves behind beside the call log: agents' sessions and the rare
events of the day. Measurement reads these; nothing here knows how they were produced."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Sessions:
    """Time each agent actually spent logged in; ``overtime`` is time past a paid shift end."""

    agent: np.ndarray
    start: np.ndarray
    end: np.ndarray
    overtime: np.ndarray


@dataclass(frozen=True)
class Timelines:
    """Rare events a run records beside the calls: training spans, the marketing switch, and
    calls made again that fell in closed hours."""

    training: np.ndarray  # rows of (agent, start, end)
    switch: np.ndarray  # rows of (time, on)
    queue_peaks: np.ndarray  # most callers waiting at once, per interval
    again_moved: int = 0  # calls again moved from closed hours to the next opening
    again_lost: int = 0  # calls again lost: the line was closed then, by ``at_close.redials``
    standby_callups: np.ndarray | None = None  # rows of (agent, time called), with a pool
