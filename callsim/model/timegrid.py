"""The planning intervals of a scenario on the simulation clock (seconds after day 1, 00:00)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from callsim.scenario.schema import SECONDS_PER_DAY, Scenario, minutes


@dataclass(frozen=True)
class TimeGrid:
    """Interval starts of the open hours of every day, and the window KPIs are counted in."""

    starts: np.ndarray
    length_s: float
    warmup_end: float

    @property
    def ends(self) -> np.ndarray:
        return self.starts + self.length_s

    @property
    def horizon_start(self) -> float:
        return float(self.starts[0])

    @property
    def horizon_end(self) -> float:
        return float(self.starts[-1] + self.length_s)

    def __len__(self) -> int:
        return len(self.starts)

    def index_of(self, times: np.ndarray) -> np.ndarray:
        """Interval of each time, or -1 outside open hours."""
        idx = np.searchsorted(self.starts, times, side="right") - 1
        inside = (idx >= 0) & (times < self.ends[np.clip(idx, 0, None)])
        return np.where(inside, idx, -1)

    def counted(self, arrivals: np.ndarray) -> np.ndarray:
        """Which calls every call KPI counts: arrived after the warm-up, in an open interval."""
        counted: np.ndarray = (arrivals >= self.warmup_end) & (self.index_of(arrivals) >= 0)
        return counted

    def labels(self) -> tuple[np.ndarray, list[str]]:
        """Day (1-based) and ``HH:MM`` of each interval start."""
        day = (self.starts // SECONDS_PER_DAY).astype(int) + 1
        clock = self.starts % SECONDS_PER_DAY
        return day, [f"{int(s // 3600):02d}:{int(s % 3600 // 60):02d}" for s in clock]


def time_grid(scenario: Scenario) -> TimeGrid:
    h = scenario.horizon
    per_day = np.arange(h.intervals_per_day) * h.interval_min * 60.0 + minutes(h.open) * 60.0
    starts = (np.arange(h.days)[:, None] * SECONDS_PER_DAY + per_day[None, :]).ravel()
    open_s = h.interval_min * 60.0 * h.intervals_per_day
    # The warm-up counts open time: a warm-up longer than a day reaches into the next day's hours.
    warm_days, warm_rest = divmod(h.warmup_min * 60.0, open_s)
    warmup_end = warm_days * SECONDS_PER_DAY + minutes(h.open) * 60.0 + warm_rest
    return TimeGrid(starts=starts, length_s=h.interval_min * 60.0, warmup_end=float(warmup_end))
