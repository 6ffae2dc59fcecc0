"""Who is paid and who is on the phones, when: shifts, breaks, shrinkage, per-interval staffing.

Agents are individuals, not a capacity number: each has login sessions, and the engine logs an
agent out only after the call in hand, so staffing can change every interval.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from callsim.model.timegrid import TimeGrid
from callsim.scenario.schema import SECONDS_PER_DAY, AgentGroup, Scenario, minutes


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

    def __len__(self) -> int:
        return len(self.group)

    def add_agent(self, group: int, label: str, spec: AgentGroup) -> int:
        self.group.append(group)
        self.label.append(label)
        self.factor.append(spec.handle_time_factor)
        self.wage.append(spec.wage_per_hour)
        self.sales_skill.append(spec.sales_skill)
        self.trained.append(spec.trained_to_sell)
        return len(self.group) - 1

    def shift_ends(self) -> set[tuple[int, float]]:
        """(agent, time) pairs at which a paid period ends: staying past one is overtime."""
        return {(a, end) for a, _, end in self.paid}


def _round(x: float) -> int:
    """Round half up (Python's round() would send 2.5 and 3.5 the same way)."""
    return int(np.floor(x + 0.5))


def on_phones(scheduled: int, shrinkage: float) -> int:
    """Agents actually taking calls out of those scheduled."""
    return _round(scheduled * (1.0 - shrinkage))


def build_roster(scenario: Scenario, grid: TimeGrid) -> Roster:
    roster = Roster()
    shrinkage, scale = scenario.agents.shrinkage, scenario.agents.scale
    for g, (name, spec) in enumerate(scenario.agents.groups.items()):
        if spec.shifts is not None:
            _add_shifts(roster, g, name, spec, scenario.horizon.days, shrinkage, scale)
        else:
            _add_staffing(roster, g, name, spec, grid, scenario.horizon.days, shrinkage, scale)
    return roster


def _add_shifts(
    roster: Roster,
    g: int,
    name: str,
    spec: AgentGroup,
    days: int,
    shrinkage: float,
    scale: float,
) -> None:
    for shift in spec.shifts or []:
        count = _round(shift.count * scale)
        working = on_phones(count, shrinkage)
        for k in range(count):
            agent = roster.add_agent(g, f"{name}/{shift.start}-{shift.end}#{k + 1}", spec)
            for day in shift.days or range(1, days + 1):
                base = (day - 1) * SECONDS_PER_DAY
                start = base + minutes(shift.start) * 60.0
                end = base + minutes(shift.end) * 60.0
                roster.paid.append((agent, start, end))
                if k >= working:
                    continue
                cursor = start
                for brk in sorted(shift.breaks, key=lambda b: minutes(b.start)):
                    b_start = base + minutes(brk.start) * 60.0
                    if b_start > cursor:
                        roster.sessions.append((agent, cursor, b_start))
                    cursor = max(cursor, b_start + brk.duration_min * 60.0)
                if end > cursor:
                    roster.sessions.append((agent, cursor, end))


def _add_staffing(
    roster: Roster,
    g: int,
    name: str,
    spec: AgentGroup,
    grid: TimeGrid,
    days: int,
    shrinkage: float,
    scale: float,
) -> None:
    scheduled = np.asarray(spec.staffing, dtype=float)
    if len(scheduled) != len(grid):
        scheduled = np.tile(scheduled, days)
    scheduled = np.floor(scheduled * scale + 0.5).astype(int)
    working = np.array([on_phones(n, shrinkage) for n in scheduled])
    for k in range(int(scheduled.max(initial=0))):
        agent = roster.add_agent(g, f"{name}#{k + 1}", spec)
        roster.paid.extend((agent, s, e) for s, e in _runs(grid, scheduled > k))
        roster.sessions.extend((agent, s, e) for s, e in _runs(grid, working > k))


def _runs(grid: TimeGrid, on: np.ndarray) -> list[tuple[float, float]]:
    """Maximal stretches of back-to-back intervals where ``on`` holds."""
    runs: list[tuple[float, float]] = []
    for start, end, flag in zip(grid.starts, grid.ends, on, strict=True):
        if not flag:
            continue
        if runs and runs[-1][1] == start:
            runs[-1] = (runs[-1][0], float(end))
        else:
            runs.append((float(start), float(end)))
    return runs
