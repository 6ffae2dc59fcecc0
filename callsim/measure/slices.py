"""The KPIs a planner drills into (SPEC §3): by call reason, customer segment, day, agent group
and shift, for one replication.

Reasons and segments are sets of calls, so they get the calls' own KPIs (service level, waits,
handle time, sales, satisfaction); time on the phones belongs to agents, not to calls, so
occupancy and cost are sliced by group and shift. A day is a set of intervals and gets every
KPI an interval has.
"""

from __future__ import annotations

import numpy as np

from callsim.measure.tables import Sums
from callsim.model.roster import Roster
from callsim.model.standby import group_names
from callsim.model.timegrid import TimeGrid
from callsim.scenario.schema import SECONDS_PER_DAY, Scenario

SLICES = ("reason", "segment", "day", "group", "shift")
"""Slice kinds in the order the results directory and the report list them."""

CALL_SLICES = ("reason", "segment")
KPI_GROUP = {
    "reason": "by_calls",
    "segment": "by_calls",
    "day": "by_day",
    "group": "by_agents",
    "shift": "by_agents",
}
"""Each slice's KPIs, as a group of the catalogue."""


def members(kind: str, scenario: Scenario, roster: Roster, grid: TimeGrid) -> list[str]:
    """The names of a slice's members, in the order their values are kept."""
    if kind == "reason":
        return list(scenario.reasons)
    if kind == "segment":
        return list(scenario.customers.segments)
    if kind == "day":
        return [str(d) for d in range(1, scenario.horizon.days + 1)]
    if kind == "group":
        return group_names(scenario)
    if kind == "shift":
        return _shift_names(roster)
    raise KeyError(f"unknown slice {kind!r}; slices are {', '.join(SLICES)}")


def agent_key(kind: str, roster: Roster) -> np.ndarray:
    """Each agent's member index in the group or shift slice."""
    if kind == "group":
        return np.asarray(roster.group, dtype=int)
    names = _shift_names(roster)
    return np.array([names.index(_shift_of(label)) for label in roster.label], dtype=int)


def _shift_of(label: str) -> str:
    """``group/08:00-16:00(2)#3`` works the shift ``group/08:00-16:00(2)``; agents of a staffing
    table (``group#3``) work their group's table."""
    return label.rsplit("#", 1)[0]


def _shift_names(roster: Roster) -> list[str]:
    return list(dict.fromkeys(_shift_of(label) for label in roster.label))


def by_agents(agents: dict[str, np.ndarray], key: np.ndarray, n: int) -> dict[str, np.ndarray]:
    """Group or shift KPIs from the agents' own: totals summed, ratios taken of the totals (a
    group's occupancy is its busy time over its logged-in time, not the mean of its agents')."""

    def total(name: str) -> np.ndarray:
        return np.bincount(key, weights=np.nan_to_num(agents[name]), minlength=n)

    calls, offers = total("calls"), total("offers")
    handle = np.bincount(key, weights=np.nan_to_num(agents["aht_s"] * agents["calls"]), minlength=n)
    contacts = total("first_contacts")
    resolved = np.bincount(
        key, weights=np.nan_to_num(agents["fcr"] * agents["first_contacts"]), minlength=n
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "agents": np.bincount(key, minlength=n).astype(float),
            "calls": calls,
            "aht_s": handle / calls,
            "occupancy": total("busy_h") / total("logged_in_h"),
            "busy_h": total("busy_h"),
            "logged_in_h": total("logged_in_h"),
            "paid_h": total("paid_h"),
            "overtime_h": total("overtime_h"),
            "cost": total("cost"),
            "offers": offers,
            "offer_rate": offers / calls,
            "conversions": total("conversions"),
            "conversion_rate": total("conversions") / offers,
            "revenue": total("revenue"),
            "sales_score": total("sales_score"),
            "first_contacts": contacts,
            "fcr": resolved / contacts,
        }


def day_windows(grid: TimeGrid) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each day's measured window: from its opening (or the warm-up's end) to the next day's
    opening, so that time worked after a close (overtime, the queue served out) belongs to
    its day; and the day's close, which bounds the queue's time as it does the intervals'."""
    day = (grid.starts // SECONDS_PER_DAY).astype(int)
    n = int(day.max()) + 1
    opening = np.array([grid.starts[day == d].min() for d in range(n)])
    close = np.array([grid.ends[day == d].max() for d in range(n)])
    lo = np.maximum(opening, grid.warmup_end)
    hi = np.append(opening[1:], np.inf)
    return lo, hi, np.maximum(close, lo)


def day_totals(interval_sums: Sums, day_sums: Sums, grid: TimeGrid) -> Sums:
    """Each day's sums, which its KPIs (and a week's) are ratios of: its measured intervals'
    call indicators (the warm-up's left out, as in the interval table) and its window's time
    (``day_sums``, :func:`day_windows`)."""
    day = (grid.starts // SECONDS_PER_DAY).astype(int)
    measured = grid.ends > grid.warmup_end
    n = int(day.max()) + 1
    from_intervals = {k: v[measured] for k, v in interval_sums.items() if k not in day_sums}
    sums = pooled(from_intervals, day[measured], n)
    sums.update(day_sums)
    return sums


def pooled(sums: Sums, key: np.ndarray, n: int) -> Sums:
    """Bins' sums pooled into ``n`` larger ones by ``key`` (intervals into days, days into
    weeks): totals add up, but the longest queue is the longest of its bins' (NaN where no bin
    measured one), not their sum."""
    out = {
        name: np.bincount(key, weights=v, minlength=n)
        for name, v in sums.items()
        if name != "max_queue"
    }
    peaks = np.full(n, -np.inf)
    np.maximum.at(peaks, key, np.nan_to_num(sums["max_queue"], nan=-np.inf))
    out["max_queue"] = np.where(np.isfinite(peaks), peaks, np.nan)
    return out
