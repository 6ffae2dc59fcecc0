"""Times of day as planners write them, ``HH:MM``, shared by the roster and the scheduling
sections (hours up to 48 reach into the next day, for shifts that run past midnight)."""

from __future__ import annotations

import re

_TIME = re.compile(r"^(\d{1,2}):([0-5]\d)$")


def minutes(clock: str) -> int:
    """Minutes after midnight of an ``HH:MM`` string; hours up to 48 reach into the next day."""
    h, m = _TIME.match(clock).groups()  # type: ignore[union-attr]
    return int(h) * 60 + int(m)


def check_clock(value: str) -> str:
    match = _TIME.match(value)
    if match is None or int(match.group(1)) > 48:
        raise ValueError(f"'{value}' is not a time of day HH:MM")
    return value


def clock(total_minutes: int) -> str:
    """The ``HH:MM`` of minutes after midnight (past 24:00 for the next day)."""
    return f"{total_minutes // 60:02d}:{total_minutes % 60:02d}"
