"""Who is paid and who is on the phones, when: shifts, breaks, shrinkage, per-interval staffing.

Agents are individuals, not a capacity number: each has login sessions, and the engine logs an
agent out only after the call in hand, so staffing can change every interval.

How the numbers are kept right:

* **Scale** (``agents.scale``) multiplies the shift rows of the whole roster at once, by largest
  remainder: the roster gets ``round(total × scale)`` agents, each group the floor or the ceiling
  of its share and each row the floor or the ceiling of its own ``count × scale``. Rounding each
  row on its own would drift (51 agents at 1.1 gave 53, not 56). Staffing tables scale entry by
  entry, rounded half up.
* **Shrinkage** is taken over the whole roster, instant by instant, never row by row (10 rows of 2
  agents at 25% rounded per row put all 20 on the phones). The horizon is cut into stretches
  where nobody starts, ends or breaks, none longer than a planning interval. In each stretch the
  number of agents off the phones is the floor or the ceiling of ``available × shrinkage``
  (available: on shift and not on a break), the roster's first, then split over the groups, each
  group also getting the floor or the ceiling of its own share. The choice between floor and
  ceiling carries the rounding error forward (the error in agent-seconds never exceeds half an
  agent-interval), so the count off is right in every interval within one agent and over the
  day within one agent-interval, for the roster and, nearly always, for each group.
  Who is off rotates: every agent owes ``shrinkage ×`` their own available time, and in a group
  the agents with the largest share of it still to take, for the time they have left, go off
  first (so a four-hour part-timer takes an hour off, a full-timer about two). An agent who went
  off stays off for up to an hour (:data:`HOLD_S`) while the group's count allows, so time off
  comes in blocks (a meeting, a coaching session) rather than a login and logout every interval.
  The allocation is deterministic rather than drawn at random: shrinkage is a planning figure,
  every replication sees the same roster (the spread between replications is the callers', and
  two plans on the same seed still differ only by the plan), and no random stream is added.
* **Paid time is the horizon's**: a shift is paid only for what lies inside the horizon's days
  (day 1 00:00 to the last day's 24:00), less its unpaid breaks (``paid: false``, a meal break):
  its paid periods are the stretches between them, and only the shift's own end is a shift end,
  past which a call in hand is overtime. A shift past midnight carries into the next day, and a
  shift worked every day is also on at the start of day 1 as the tail of the night before (a
  22:00-06:00 shift is on 00:00-06:00 of day 1 and from 22:00 until the end of the horizon).
* **Identities**: ``group/start-end#k``; a second row of the same group with the same times is
  ``group/start-end(2)#k``; staffing-table agents are ``group#k``. Labels are unique.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from callsim.model.standby import add_standby
from callsim.model.timegrid import TimeGrid
from callsim.model.workforce import Turnover, subtract
from callsim.scenario.schema import SECONDS_PER_DAY, AgentGroup, Scenario, minutes


class AgentTerms(Protocol):
    """What the roster keeps of an agent: a scheduled group's terms, or the standby pool's."""

    @property
    def handle_time_factor(self) -> float: ...
    @property
    def wage_per_hour(self) -> float: ...
    @property
    def sales_skill(self) -> float: ...
    @property
    def trained_to_sell(self) -> bool: ...


HOLD_S = 3600.0
"""Grace an agent already off the phones gets before another agent takes their turn."""

_EPS = 1e-9

Span = tuple[float, float]


@dataclass
class Roster:
    group: list[int] = field(default_factory=list)
    label: list[str] = field(default_factory=list)
    factor: list[float] = field(default_factory=list)
    wage: list[float] = field(default_factory=list)
    sales_skill: list[float] = field(default_factory=list)
    trained: list[bool] = field(default_factory=list)
    # Login sessions (on the phones) and paid periods, one row each: agent, start, end.
    sessions: list[tuple[int, float, float]] = field(default_factory=list)
    paid: list[tuple[int, float, float]] = field(default_factory=list)
    # (agent, time) of every shift's end inside the horizon; a paid period may also end at an
    # unpaid break, which is not one.
    ends: set[tuple[int, float]] = field(default_factory=set)
    turnover: Turnover | None = None
    """With ``workforce:``: who held each seat when (leavers, hires, trainees)."""

    def __len__(self) -> int:
        return len(self.group)

    def add_agent(self, group: int, label: str, spec: AgentTerms) -> int:
        self.group.append(group)
        self.label.append(label)
        self.factor.append(spec.handle_time_factor)
        self.wage.append(spec.wage_per_hour)
        self.sales_skill.append(spec.sales_skill)
        self.trained.append(spec.trained_to_sell)
        return len(self.group) - 1

    def shift_ends(self) -> set[tuple[int, float]]:
        """(agent, time) pairs at which a shift ends: staying past one is overtime."""
        return set(self.ends)


def _round(x: float) -> int:
    """Round half up (Python's round() would send 2.5 and 3.5 the same way)."""
    return math.floor(x + 0.5 + _EPS)


def build_roster(scenario: Scenario, grid: TimeGrid, turnover: Turnover | None = None) -> Roster:
    """The plan's roster; with ``turnover`` (a replication's draw of ``workforce:``), without
    the time its seats stand empty or their new holders train."""
    roster = Roster()
    days = scenario.horizon.days
    counts = scaled_counts(scenario)
    available: list[list[Span]] = []  # per agent: on shift and not on a break
    for g, (name, spec) in enumerate(scenario.agents.groups.items()):
        if spec.shifts is not None:
            _add_shifts(roster, available, g, name, spec, counts[name], days)
        else:
            _add_staffing(roster, available, g, name, spec, grid, days, scenario.agents.scale)
    if turnover is not None:
        _take_turnover(roster, available, turnover)
    on = _take_shrinkage(roster.group, available, scenario.agents.shrinkage, _cuts(grid, days))
    roster.sessions = [(a, s, e) for a, spans in enumerate(on) for s, e in spans]
    if scenario.standby is not None:  # no sessions: called up during the run
        add_standby(roster, scenario.standby, len(scenario.agents.groups))
    return roster


# -- scale -----------------------------------------------------------------------------------


def scaled_counts(scenario: Scenario) -> dict[str, list[int]]:
    """Agents of every shift row after ``agents.scale``, by largest remainder over the roster.

    The total is ``round(total × scale)``; each group gets the floor or the ceiling of its share
    and each row the floor or the ceiling of its ``count × scale``."""
    scale = scenario.agents.scale
    rows = {
        n: [s.count for s in g.shifts]
        for n, g in scenario.agents.groups.items()
        if g.shifts is not None
    }
    quotas = {n: [c * scale for c in counts] for n, counts in rows.items()}
    group_quota = [sum(q) for q in quotas.values()]
    total = _round(sum(sum(c) for c in rows.values()) * scale)
    group_total = _largest_remainder(group_quota, total)
    out: dict[str, list[int]] = {}
    for (name, q), n_group in zip(quotas.items(), group_total, strict=True):
        out[name] = _largest_remainder(q, n_group)
    return out


def _largest_remainder(quotas: list[float], total: int) -> list[int]:
    """Integers summing to ``total``, each the floor or the ceiling of its quota (``total`` must
    lie between the sums of floors and of ceilings); ties go to the larger quota, then the
    first."""
    base = [math.floor(q + _EPS) for q in quotas]
    frac = [max(q - b, 0.0) if q - b > _EPS else 0.0 for q, b in zip(quotas, base, strict=True)]
    extra = total - sum(base)
    order = sorted(range(len(quotas)), key=lambda i: (-frac[i], -quotas[i], i))
    for i in order[: max(extra, 0)]:
        base[i] += 1
    return base


# -- shifts and staffing tables ----------------------------------------------------------------


def _add_shifts(
    roster: Roster,
    available: list[list[Span]],
    g: int,
    name: str,
    spec: AgentGroup,
    counts: list[int],
    days: int,
) -> None:
    seen: dict[tuple[str, str], int] = {}
    horizon_end = days * SECONDS_PER_DAY
    for shift, count in zip(spec.shifts or [], counts, strict=True):
        times = (shift.start, shift.end)
        seen[times] = seen.get(times, 0) + 1
        tag = f"{name}/{shift.start}-{shift.end}" + (f"({seen[times]})" if seen[times] > 1 else "")
        worked = shift.days_worked(days)
        for k in range(count):
            agent = roster.add_agent(g, f"{tag}#{k + 1}", spec)
            spans: list[Span] = []
            paid: list[Span] = []
            for day in worked:
                base = (day - 1) * SECONDS_PER_DAY
                start = base + minutes(shift.start) * 60.0
                end = base + minutes(shift.end) * 60.0
                if min(end, horizon_end) > max(start, 0.0):
                    roster.ends.add((agent, min(end, horizon_end)))
                cursor, paid_from = start, start
                for brk in sorted(shift.breaks, key=lambda b: minutes(b.start)):
                    b_start = base + minutes(brk.start) * 60.0
                    b_end = b_start + brk.duration_min * 60.0
                    if b_start > cursor:
                        spans.append((cursor, b_start))
                    cursor = max(cursor, b_end)
                    if not brk.paid:
                        paid.append((paid_from, b_start))
                        paid_from = b_end
                if end > cursor:
                    spans.append((cursor, end))
                paid.append((paid_from, end))
            available.append(_clip(spans, 0.0, horizon_end))
            roster.paid.extend((agent, s, e) for s, e in _clip(paid, 0.0, horizon_end))


def _clip(spans: list[Span], lo: float, hi: float) -> list[Span]:
    """The spans' union inside ``[lo, hi]``, as disjoint spans in time order."""
    out: list[Span] = []
    for s, e in sorted(spans):
        s, e = max(s, lo), min(e, hi)
        if e <= s:
            continue
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _add_staffing(
    roster: Roster,
    available: list[list[Span]],
    g: int,
    name: str,
    spec: AgentGroup,
    grid: TimeGrid,
    days: int,
    scale: float,
) -> None:
    scheduled = np.asarray(spec.staffing, dtype=float)
    if len(scheduled) != len(grid):
        scheduled = np.tile(scheduled, days)
    scheduled = np.floor(scheduled * scale + 0.5 + _EPS).astype(int)
    for k in range(int(scheduled.max(initial=0))):
        agent = roster.add_agent(g, f"{name}#{k + 1}", spec)
        runs = _runs(grid, scheduled > k)
        roster.paid.extend((agent, s, e) for s, e in runs)
        roster.ends.update((agent, e) for _, e in runs)
        available.append(runs)


def _runs(grid: TimeGrid, on: np.ndarray) -> list[Span]:
    """Maximal stretches of back-to-back intervals where ``on`` holds."""
    runs: list[Span] = []
    for start, end, flag in zip(grid.starts, grid.ends, on, strict=True):
        if not flag:
            continue
        if runs and runs[-1][1] == start:
            runs[-1] = (runs[-1][0], float(end))
        else:
            runs.append((float(start), float(end)))
    return runs


# -- turnover --------------------------------------------------------------------------------


def _take_turnover(roster: Roster, available: list[list[Span]], turnover: Turnover) -> None:
    """Seats are off the phones while empty or in training, and unpaid while empty; a shift's
    end in an empty seat is nobody's."""
    turnover.take(list(zip(roster.label, roster.trained, strict=True)))
    roster.turnover = turnover
    away = [turnover.away(a) for a in range(len(roster))]
    empty = [gaps for gaps, _ in away]
    for a, (gaps, training) in enumerate(away):
        available[a] = subtract(available[a], [*gaps, *training])
    roster.paid = [
        (a, s, e) for a, s0, e0 in roster.paid for s, e in subtract([(s0, e0)], empty[a])
    ]
    roster.ends = {(a, t) for a, t in roster.ends if not any(lo < t <= hi for lo, hi in empty[a])}


# -- shrinkage -------------------------------------------------------------------------------


def _cuts(grid: TimeGrid, days: int) -> list[float]:
    """Planning-interval boundaries over the whole horizon's days, open hours or not, so that
    no stretch of the shrinkage allocation is longer than an interval."""
    step = grid.length_s
    first = float(grid.starts[0]) % step
    return [float(t) for t in np.arange(first, days * SECONDS_PER_DAY + step, step)]


def _take_shrinkage(
    group: list[int], available: list[list[Span]], shrinkage: float, cuts: list[float]
) -> list[list[Span]]:
    """Each agent's time on the phones: available time minus the shrinkage allocated to them."""
    n_groups = max(group, default=-1) + 1
    events: list[tuple[float, int, int]] = []  # (time, +1 starts / -1 ends, agent)
    for a, spans in enumerate(available):
        for s, e in spans:
            events += [(s, 1, a), (e, -1, a)]
    if not events:
        return [[] for _ in available]
    events.sort()
    lo, hi = events[0][0], events[-1][0]
    times = sorted({t for t, _, _ in events} | {t for t in cuts if lo < t < hi})
    active: list[set[int]] = [set() for _ in range(n_groups)]
    on: list[list[Span]] = [[] for _ in available]
    # Each agent's shrinkage still to take (seconds) and available time still to come.
    need = [shrinkage * sum(e - s for s, e in spans) for spans in available]
    left = [sum(e - s for s, e in spans) for spans in available]
    off_since = [math.nan] * len(available)  # start of the agent's stretch off, if off now
    debt_roster, debt_group = 0.0, [0.0] * n_groups  # expected minus actual off, agent-seconds
    i = 0
    for t0, t1 in itertools.pairwise(times):
        while i < len(events) and events[i][0] <= t0:
            _, kind, a = events[i]
            if kind > 0:
                active[group[a]].add(a)
            else:
                active[group[a]].discard(a)
                off_since[a] = math.nan  # a break or the shift's end ends a stretch off
            i += 1
        length = t1 - t0
        expected = [shrinkage * len(members) for members in active]
        total = _floor_or_ceil(sum(expected), debt_roster, length)
        off_count = _split(total, expected, debt_group, length)
        debt_roster += (sum(expected) - total) * length
        for g, members in enumerate(active):
            if not members:
                continue
            debt_group[g] += (expected[g] - off_count[g]) * length

            def rank(a: int, t0: float = t0) -> tuple[bool, float, int]:
                holding = t0 - off_since[a] < HOLD_S and need[a] > 0
                return (not holding, -need[a] / max(left[a], _EPS), a)

            off = set(sorted(members, key=rank)[: off_count[g]])
            for a in members:
                left[a] -= length
                if a in off:
                    need[a] -= length
                    if math.isnan(off_since[a]):
                        off_since[a] = t0
                    continue
                off_since[a] = math.nan
                if on[a] and on[a][-1][1] == t0:
                    on[a][-1] = (on[a][-1][0], t1)
                else:
                    on[a].append((t0, t1))
    return on


def _floor_or_ceil(x: float, debt: float, length: float) -> int:
    """Floor or ceiling of ``x``, whichever leaves the carried error nearer zero."""
    low, high = math.floor(x + _EPS), math.ceil(x - _EPS)
    if low >= high:
        return low
    return high if abs(debt + (x - high) * length) <= abs(debt + (x - low) * length) else low


def _split(total: int, expected: list[float], debt: list[float], length: float) -> list[int]:
    """``total`` agents off over the groups, each the floor or ceiling of its expected count;
    the extra ones go to the groups furthest behind."""
    base = [math.floor(x + _EPS) for x in expected]
    frac = [x - b for x, b in zip(expected, base, strict=True)]
    behind = [g for g in range(len(expected)) if frac[g] > _EPS]
    behind.sort(key=lambda g: (-(debt[g] + frac[g] * length), g))
    for g in behind[: total - sum(base)]:
        base[g] += 1
    return base
