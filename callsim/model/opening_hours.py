"""When the line is open: each day's opening and close on the simulation clock.

A 24-hour line's days run into each other, so it closes only at the horizon's end; any other line
closes every evening, and what happens then is the scenario's ``horizon.at_close``.
"""

from __future__ import annotations

import bisect

from callsim.model.timegrid import TimeGrid


class OpeningHours:
    def __init__(self, grid: TimeGrid, intervals_per_day: int) -> None:
        starts = grid.starts[::intervals_per_day].tolist()
        ends = (grid.starts[intervals_per_day - 1 :: intervals_per_day] + grid.length_s).tolist()
        # Join days whose close is the next day's opening (a 24-hour line).
        self.opens: list[float] = [starts[0]]
        self.closes: list[float] = []
        for close, next_open in zip(ends, [*starts[1:], None], strict=True):
            if next_open is not None and close == next_open:
                continue
            self.closes.append(close)
            if next_open is not None:
                self.opens.append(next_open)

    def is_open(self, t: float) -> bool:
        k = bisect.bisect_right(self.opens, t) - 1
        return k >= 0 and t < self.closes[k]

    def next_open_after(self, t: float) -> float | None:
        """The first opening after ``t``; None past the last one."""
        k = bisect.bisect_right(self.opens, t)
        return self.opens[k] if k < len(self.opens) else None

    def close_before(self, t: float) -> float | None:
        """The last close at or before ``t``; None before the first."""
        k = bisect.bisect_right(self.closes, t)
        return self.closes[k - 1] if k else None
