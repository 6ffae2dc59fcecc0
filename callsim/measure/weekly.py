"""KPIs by week, and the workforce's: who held the seats, who left, who started and trained.

A week is seven days of the horizon from day 1 (the last may be shorter). Its call and time KPIs
are those of its days' sums (:func:`callsim.measure.slices.day_totals`), so they are exactly
the day table's, pooled; its workforce counts are time averages over the week of the seats'
holders (:mod:`callsim.model.workforce`): headcount = tenured + new on the phones + in training,
and headcount + empty seats = the roster's seats. Without ``workforce:`` every seat is held by
its tenured agent all along.
"""

from __future__ import annotations

import math

import numpy as np

from callsim.measure.overlap import overlap
from callsim.measure.slices import day_windows, pooled
from callsim.measure.tables import Sums, kpi_table
from callsim.model.roster import Roster
from callsim.model.standby import standby_agents
from callsim.model.timegrid import TimeGrid
from callsim.model.workforce import SECONDS_PER_WEEK, Holder
from callsim.scenario.schema import SECONDS_PER_DAY, Scenario

WEEK = "week"
"""The slice's name: ``by_week.csv``, ``result.slices["week"]``."""
SHOWN = (
    "headcount",
    "new_on_phones",
    "in_training",
    "vacant",
    "leavers",
    "hires",
    "offered",
    "service_level",
    "abandon_rate",
    "aht_s",
    "staff_cost",
)
"""The week table's columns in the command line and the report: the headcount and its mix
beside the service it gave and what it cost."""


def has_weeks(scenario: Scenario) -> bool:
    """Two weeks or more, or a workforce that changes over the weeks."""
    return scenario.workforce is not None or scenario.horizon.days >= 14


def members(scenario: Scenario) -> list[str]:
    return [str(w + 1) for w in range(math.ceil(scenario.horizon.days / 7))]


def by_week(
    days: Sums, grid: TimeGrid, roster: Roster, scenario: Scenario, definition: str
) -> dict[str, np.ndarray]:
    """One replication's weeks: ``days`` are its days' sums."""
    week = np.arange(len(days["offered"])) // 7
    n = int(week.max()) + 1
    sums = pooled(days, week, n)
    lo, _, close = day_windows(grid)
    table = kpi_table(sums, definition, np.bincount(week, weights=close - lo, minlength=n))
    table.update(workforce_by_week(roster, scenario, n))
    return table


def _windows(scenario: Scenario, n: int) -> tuple[np.ndarray, np.ndarray]:
    end = scenario.horizon.days * SECONDS_PER_DAY
    lo = np.arange(n) * SECONDS_PER_WEEK
    return lo, np.minimum(lo + SECONDS_PER_WEEK, end)


def _holders(roster: Roster, scenario: Scenario) -> list[list[Holder]]:
    if roster.turnover is not None:
        return roster.turnover.holders
    pool = len(standby_agents(roster, scenario)) if scenario.standby is not None else 0
    return [[Holder(-math.inf, -math.inf, math.inf)] for _ in range(len(roster) - pool)]


def workforce_by_week(roster: Roster, scenario: Scenario, n: int) -> dict[str, np.ndarray]:
    lo, hi = _windows(scenario, n)
    end = float(hi[-1])
    seats = _holders(roster, scenario)
    held = [h for seat in seats for h in seat]

    def mean_count(spans: list[tuple[float, float]]) -> np.ndarray:
        s = np.clip(np.array([a for a, _ in spans], dtype=float), 0.0, end)
        e = np.clip(np.array([b for _, b in spans], dtype=float), 0.0, end)
        counts: np.ndarray = overlap(s, e, lo, hi) / (hi - lo)
        return counts

    tenured = mean_count([(0.0, h.gone) for h in held if not h.new])
    in_training = mean_count([(h.hired, min(h.on_phones, h.gone)) for h in held if h.new])
    # A trainee who leaves before taking calls is never on them.
    new_on_phones = mean_count(
        [(h.on_phones, h.gone) for h in held if h.new and h.gone > h.on_phones]
    )
    headcount = tenured + in_training + new_on_phones
    gone = np.array([h.gone for h in held if h.gone < math.inf], dtype=float)
    hired = np.array([h.hired for h in held if h.new], dtype=float)
    return {
        "headcount": headcount,
        "tenured": tenured,
        "new_on_phones": new_on_phones,
        "in_training": in_training,
        "vacant": len(seats) - headcount,
        # A leaver is gone from the day after their last: counted in the week of that day.
        "leavers": np.histogram(gone - 1.0, bins=np.append(lo, end))[0].astype(float),
        "hires": np.histogram(hired, bins=np.append(lo, end))[0].astype(float),
        "training_paid_hours": _training_paid(roster, lo, hi) / 3600,
    }


def _training_paid(roster: Roster, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Paid time of the seats' holders while in training, per week."""
    turnover = roster.turnover
    if turnover is None:
        return np.zeros(len(lo))
    spans = []
    paid = np.asarray(roster.paid, dtype=float).reshape(-1, 3)
    for agent in range(len(turnover.holders)):
        mine = paid[paid[:, 0] == agent]
        for start, end in turnover.away(agent)[1]:
            s, e = np.maximum(mine[:, 1], start), np.minimum(mine[:, 2], end)
            spans.append(np.column_stack([s, e])[e > s])
    if not spans:
        return np.zeros(len(lo))
    both = np.concatenate(spans)
    return overlap(both[:, 0], both[:, 1], lo, hi)


def workforce_totals(week: dict[str, np.ndarray], scenario: Scenario) -> dict[str, float]:
    """The horizon's workforce KPIs from its weeks': counts averaged over time, people and
    hours summed."""
    lo, hi = _windows(scenario, len(week["headcount"]))
    length = hi - lo
    totals = {
        name: float(np.average(week[name], weights=length))
        for name in ("headcount", "tenured", "new_on_phones", "in_training", "vacant")
    }
    totals.update(
        {name: float(week[name].sum()) for name in ("leavers", "hires", "training_paid_hours")}
    )
    return totals
