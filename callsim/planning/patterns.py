"""Shift patterns: every shift a scenario's templates allow, and what each covers and costs.

A pattern is one template at one start, one length and one placement of its breaks, on one day
(or on every day of a one-day horizon). Its coverage of an interval is the share of the interval
it spends on shift and not on a break: agents *scheduled* in the requirement's sense, before
shrinkage, which the roster then takes over the whole roster. Coverage and paid time follow the
roster's own rules (:mod:`callsim.model.roster`), so what the integer program counts is what the
simulation gets: on a one-day horizon a shift past midnight also covers the early hours as the
tail of the night before (the day repeats); on a longer horizon a shift belongs to the day it
starts, the first morning is covered by shifts starting that day, and the last night's tail past
the horizon is neither covered nor paid.

The count stays small because starts and breaks move by a step (the horizon's interval unless a
template says otherwise): a template with a 6-hour start window at 30 minutes, two lengths and a
break with five places gives 13 × 2 × 5 = 130 patterns a day.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from callsim.model.timegrid import TimeGrid
from callsim.scenario.clock import clock, minutes
from callsim.scenario.scheduling import DAY_MIN
from callsim.scenario.schema import Break, Scenario, Shift


@dataclass(frozen=True)
class Pattern:
    group: str
    template: str
    day: int | None
    """Day of the horizon (1-based) the shift starts on; None: every day of a one-day horizon."""
    start: int
    """Minutes after its day's midnight."""
    length: int
    """Minutes, breaks included."""
    breaks: tuple[tuple[int, int, bool], ...]
    """(start, duration, paid) of each break, start in minutes after the shift's start."""

    @property
    def end(self) -> int:
        return self.start + self.length

    def shift(self, count: int, days: list[int] | None) -> Shift:
        """The roster row of ``count`` agents working this pattern on ``days``."""
        return Shift(
            start=clock(self.start),
            end=clock(self.end),
            count=count,
            days=days,
            breaks=[
                Break(start=clock(self.start + at), duration_min=float(length), paid=paid)
                for at, length, paid in self.breaks
            ],
        )

    def spans(self, paid: bool) -> list[tuple[int, int]]:
        """Minutes of its own day it is on the phones (``paid=False``: not on any break) or
        paid (``paid=True``: not on an unpaid break)."""
        out, cursor = [], self.start
        for at, length, is_paid in self.breaks:
            if paid and is_paid:
                continue
            out.append((cursor, self.start + at))
            cursor = self.start + at + length
        out.append((cursor, self.end))
        return [(s, e) for s, e in out if e > s]


def enumerate_patterns(scenario: Scenario) -> list[Pattern]:
    """The patterns of every template in ``scheduling``, in the section's order: template by
    template, then day, length, start and break placement. On a line that closes, a pattern
    lies inside the opening hours."""
    if scenario.scheduling is None:
        return []
    h = scenario.horizon
    open_m, close_m = minutes(h.open), minutes(h.close)
    always_open = open_m == 0 and close_m == DAY_MIN
    days: list[int | None] = [None] if h.days == 1 else list(range(1, h.days + 1))
    out: list[Pattern] = []
    for group, spec in scenario.scheduling.groups.items():
        for name, template in spec.templates.items():
            for day in days:
                for length in template.length_minutes():
                    for start in template.start.starts(h.interval_min):
                        if not always_open and not (open_m <= start and start + length <= close_m):
                            continue
                        for offsets in template.placements(length, h.interval_min):
                            breaks = tuple(
                                (at, rule.duration_min, rule.paid)
                                for at, rule in zip(offsets, template.breaks, strict=True)
                            )
                            out.append(Pattern(group, name, day, start, length, breaks))
    return out


def _days_worked(pattern: Pattern) -> list[int]:
    """Days whose midnight the pattern counts from; as the roster does, a shift of a one-day
    horizon that runs past midnight is also the night before's (day 0)."""
    if pattern.day is not None:
        return [pattern.day]
    return [0, 1] if pattern.end > DAY_MIN else [1]


def _absolute(pattern: Pattern, paid: bool, horizon_s: float) -> list[tuple[float, float]]:
    """The pattern's spans on the simulation clock, in seconds, clipped to the horizon."""
    out = []
    for day in _days_worked(pattern):
        base = (day - 1) * DAY_MIN
        for s, e in pattern.spans(paid):
            lo, hi = max((base + s) * 60.0, 0.0), min((base + e) * 60.0, horizon_s)
            if hi > lo:
                out.append((lo, hi))
    return out


def coverage_matrix(patterns: list[Pattern], grid: TimeGrid, days: int) -> np.ndarray:
    """(interval, pattern): share of each interval one agent of the pattern is on the phones
    (on shift, not on a break), before shrinkage."""
    horizon_s = days * DAY_MIN * 60.0
    lo, hi = grid.starts, grid.ends
    out = np.zeros((len(grid), len(patterns)))
    for p, pattern in enumerate(patterns):
        for s, e in _absolute(pattern, False, horizon_s):
            out[:, p] += np.clip(np.minimum(hi, e) - np.maximum(lo, s), 0.0, None)
    return out / grid.length_s


def paid_hours(patterns: list[Pattern], days: int) -> np.ndarray:
    """Paid hours of one agent of each pattern inside the horizon (unpaid breaks excluded)."""
    horizon_s = days * DAY_MIN * 60.0
    return np.array(
        [sum(e - s for s, e in _absolute(p, True, horizon_s)) / 3600.0 for p in patterns]
    )
