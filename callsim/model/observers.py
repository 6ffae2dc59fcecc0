"""Listeners the engine tells what happened, so that measuring stays out of dispatching.

As in ContactCenters, statistics are collected by observers: the engine calls one method at the
moment something changes and the observer keeps whatever it needs. Each here is cheap enough for
the hot path (a comparison, an append).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

from callsim.model.run_record import Sessions
from callsim.model.timegrid import TimeGrid


class QueuePeaks:
    """The most callers waiting at once in each planning interval, the queue carried into an
    interval included."""

    def __init__(self, grid: TimeGrid) -> None:
        self.grid = grid
        self.peaks = np.zeros(len(grid))
        self.interval = -1
        self.peak = 0

    def start(self, env: simpy.Environment, waiting: Any) -> None:
        """Follow the interval edges; ``waiting()`` tells the queue length at each start."""
        env.process(self._intervals(env, waiting))

    def joined(self, n_waiting: int) -> None:
        if n_waiting > self.peak:
            self.peak = n_waiting

    def close(self) -> np.ndarray:
        self._end_interval()
        return self.peaks

    def _intervals(self, env: simpy.Environment, waiting: Any) -> Generator[simpy.Event]:
        grid = self.grid
        for k, (start, end) in enumerate(zip(grid.starts, grid.ends, strict=True)):
            if start > env.now:
                yield env.timeout(start - env.now)
            self.interval, self.peak = k, waiting()
            yield env.timeout(end - env.now)
            self._end_interval()

    def _end_interval(self) -> None:
        if self.interval >= 0:
            self.peaks[self.interval] = self.peak
            self.interval = -1


class SessionLog:
    """Every login session as it ends: who, from when to when, and the scheduled end (time past
    a paid shift's end is overtime; past a break's start it is not)."""

    def __init__(self, shift_ends: set[tuple[int, float]]) -> None:
        self.shift_ends = shift_ends
        self.rows: list[tuple[int, float, float, float]] = []

    def ended(self, agent: int, start: float, end: float, scheduled_end: float) -> None:
        self.rows.append((agent, start, end, scheduled_end))

    def sessions(self) -> Sessions:
        log = np.array(self.rows, dtype=float).reshape(-1, 4)
        agent, start, end, scheduled = log.T
        ends_shift = np.array(
            [(int(a), s) in self.shift_ends for a, s in zip(agent, scheduled, strict=True)],
            dtype=bool,
        )
        overtime = np.where(ends_shift, np.maximum(end - scheduled, 0.0), 0.0)
        return Sessions(agent.astype(int), start, end, overtime)
