"""From a per-interval requirement to shifts, checked by simulating them.

A requirement sized interval by interval, then covered by shifts, leaves a gap: the requirement
ignores that congestion carries over from one interval to the next, that agents differ in speed,
that some days are busier than the forecast. So the schedule is simulated (common random
numbers: every round sees the same callers), and each interval whose service level misses the
target has its requirement raised to one more agent than it had, then the program is solved
again (Atlason, Epelman & Henderson 2004 close the same gap with simulation). The loop stops
when every interval meets the goal, when the intervals still missing are ones the templates
cannot cover anyway (their shortfall is positive: raising them changes nothing), or at
``scheduling.max_iterations``; the intervals missing at the end are named.

**An interval meets the goal** when its service level, averaged over the replications, reaches
the target; intervals without calls count as met. The mean, not the confidence interval: one
interval's confidence interval over 20 replications is 10-20 points wide, and demanding that its
lower end reach the target would staff every interval for its worst day; the width is reported
beside the mean in ``coverage.csv``. The requirement only rises, so the loop ends, and with
common random numbers it ends in the same place for the same seed.

The requirement is any vector of scheduled agents per interval, passed as ``requirement=``:
Erlang's by default (:func:`erlang_requirement`), a file's
(:func:`~callsim.planning.requirement_file.read_requirement`), or a simulation-based method's.

Size and speed (``benchmarks/bench_schedule.py``, 2 cores): on the bundled credit-card scenario
(28 half-hour intervals, three groups, four templates) the templates give 183 patterns, so 211
variables (183 integer) and 32 constraints (28 intervals, 4 headcount limits); HiGHS solves a
round's two programs in 0.04-0.1 s, the loop takes 4 rounds, and the whole command about 7 s,
nearly all of it simulation. The same templates over seven days give 1,281 patterns, 1,477
variables and 224 constraints, solved in under 2 s.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from callsim.errors import UserError
from callsim.experiment.results import SimulationResult
from callsim.experiment.runner import simulate_many
from callsim.model.roster import build_roster
from callsim.model.timegrid import TimeGrid, time_grid
from callsim.planning.cover import TIME_LIMIT_S, Cover, Limit, solve_cover
from callsim.planning.patterns import Pattern, coverage_matrix, enumerate_patterns, paid_hours
from callsim.planning.requirement import staffing_requirement
from callsim.scenario.clock import clock
from callsim.scenario.files import scenario_from_dict
from callsim.scenario.overrides import deep_merge
from callsim.scenario.scheduling import DAY_MIN
from callsim.scenario.schema import Scenario

Progress = Callable[[int, int, int], None]
"""Called with (round, replications done, replications in the round) as each one finishes."""

_TOL = 1e-9


class ScheduleError(UserError):
    """The scenario cannot be scheduled as it stands; one line naming the field."""


def erlang_requirement(scenario: Scenario) -> np.ndarray:
    """Scheduled agents per interval by Erlang A (or C), shrinkage applied: ``callsim staff``."""
    return staffing_requirement(scenario)["required_scheduled"].to_numpy(dtype=float)


@dataclass(frozen=True)
class Round:
    """One round of the loop: the requirement solved for, the schedule, its simulation."""

    number: int
    requirement: np.ndarray
    cover: Cover
    coverage: np.ndarray
    """Scheduled agents on shift and not on a break, per interval, every group."""
    service_level: np.ndarray
    """Mean over the replications, per interval (NaN: no calls counted)."""
    result: SimulationResult

    @property
    def missed(self) -> np.ndarray:
        target = self.result.scenario.service_level.target
        sl = self.service_level
        missed: np.ndarray = ~np.isnan(sl) & (sl < target - _TOL)
        return missed


@dataclass(frozen=True)
class Schedule:
    scenario: Scenario
    """The input."""
    scheduled: Scenario
    """The input with the scheduled groups' shifts replaced: what ``schedule.yaml`` runs."""
    overrides: dict[str, Any]
    """What ``schedule.yaml`` writes over the scenario it extends."""
    program: Program
    rounds: list[Round]
    status: str
    """``met`` (every interval meets the goal), ``short`` (those missing cannot be covered by
    the templates and limits) or ``iteration cap``."""

    @property
    def patterns(self) -> list[Pattern]:
        return self.program.patterns

    @property
    def final(self) -> Round:
        return self.rounds[-1]

    @property
    def result(self) -> SimulationResult:
        return self.final.result

    @property
    def planned_cost(self) -> float:
        """Paid hours × cost per hour of the whole roster (overtime comes on top in the
        simulation)."""
        return self.final.cover.cost + self.program.fixed_cost

    def roster_cost(self) -> float | None:
        """What the scenario's own roster would cost at the schedule's costs per hour (its paid
        hours), the figure a planner weighs the schedule's planned cost against; None when the
        roster has nobody in the scheduled groups."""
        roster = build_roster(self.scenario, time_grid(self.scenario))
        groups = list(self.scenario.agents.groups)
        per_hour = self.program.cost_per_hour
        scheduled = [(a, s, e) for a, s, e in roster.paid if groups[roster.group[a]] in per_hour]
        if not scheduled:
            return None
        cost = sum((e - s) / 3600.0 * per_hour[groups[roster.group[a]]] for a, s, e in scheduled)
        return float(cost) + self.program.fixed_cost

    def shifts(self) -> pd.DataFrame:
        """The roster: one row per group, pattern and day with agents."""
        rows = []
        hours = paid_hours(self.patterns, self.scenario.horizon.days)
        for p, n in enumerate(self.final.cover.counts):
            if n == 0:
                continue
            pattern = self.patterns[p]
            rows.append(
                {
                    "group": pattern.group,
                    "template": pattern.template,
                    "day": "all" if pattern.day is None else pattern.day,
                    "start": clock(pattern.start),
                    "end": clock(pattern.end),
                    "breaks": "; ".join(
                        f"{clock(pattern.start + at)} {length} min" + ("" if paid else " unpaid")
                        for at, length, paid in pattern.breaks
                    ),
                    "agents": int(n),
                    "paid_hours": float(hours[p] * n),
                    "cost": float(hours[p] * n * self.program.cost_per_hour[pattern.group]),
                }
            )
        columns = ["group", "template", "day", "start", "end", "breaks", "agents"]
        return pd.DataFrame(rows, columns=[*columns, "paid_hours", "cost"])

    def coverage(self) -> pd.DataFrame:
        """Per interval: the requirement given and as raised, the schedule's coverage and
        shortfall, and the simulated service level."""
        first, last = self.rounds[0], self.final
        grid = time_grid(self.scenario)
        day, start = grid.labels()
        iv = last.result.intervals
        return pd.DataFrame(
            {
                "day": day,
                "start": start,
                "required_scheduled": first.requirement,
                "raised_to": last.requirement,
                "coverage": last.coverage,
                "shortfall": last.cover.shortfall,
                "service_level_mean": iv["service_level_mean"].to_numpy(),
                "service_level_ci_low": iv["service_level_ci_low"].to_numpy(),
                "service_level_ci_high": iv["service_level_ci_high"].to_numpy(),
                "meets_goal": ~last.missed,
            }
        )

    def unmet(self) -> list[dict[str, Any]]:
        """The intervals missing the goal at the end, and why."""
        last = self.final
        day, start = time_grid(self.scenario).labels()
        out = []
        for i in np.flatnonzero(last.missed):
            short = last.cover.shortfall[i] > 0
            out.append(
                {
                    "day": int(day[i]),
                    "start": start[i],
                    "service_level": float(last.service_level[i]),
                    "reason": "the templates and limits cannot cover it"
                    if short
                    else f"still short of the goal after {len(self.rounds)} round(s)",
                }
            )
        return out

    def to_summary_dict(self) -> dict[str, Any]:
        result = self.result
        goal = self.scenario.service_level
        last = self.final
        kpis = {k: result.kpi(k) for k in ("service_level", "staff_cost", "paid_hours")}
        return {
            "scenario": self.scenario.name,
            "status": self.status,
            "rounds": len(self.rounds),
            "seed": result.seed,
            "replications": result.replications,
            "service_level_goal": {
                "target": goal.target,
                "threshold_s": goal.threshold_s,
                "definition": goal.definition,
                "verdict": result.verdict,
                "rule": "an interval meets the goal when its mean service level over the "
                "replications reaches the target",
            },
            "planned_cost": self.planned_cost,
            "agents": int(last.cover.counts.sum()),
            "simulated": {k: _finite(v) for k, v in kpis.items()},
            "intervals_short": self.unmet(),
            "program": {
                "patterns": len(self.patterns),
                "variables": last.cover.variables,
                "integer_variables": len(self.patterns),
                "constraints": last.cover.constraints,
                "status": last.cover.status,
                "gap": last.cover.gap,
                "solve_s": [r.cover.solve_s for r in self.rounds],
            },
            "history": [
                {
                    "round": r.number,
                    "required_agent_intervals": float(r.requirement.sum()),
                    "planned_cost": r.cover.cost + self.program.fixed_cost,
                    "service_level": _finite(r.result.kpi("service_level")),
                    "intervals_missed": int(r.missed.sum()),
                    "agent_intervals_short": float(r.cover.shortfall.sum()),
                }
                for r in self.rounds
            ],
        }


def build_schedule(
    scenario: Scenario,
    requirement: np.ndarray | None = None,
    *,
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    cluster: Any = None,
    max_iterations: int | None = None,
    time_limit_s: float = TIME_LIMIT_S,
    progress: Progress | None = None,
) -> Schedule:
    """Shifts for the groups in ``scenario.scheduling`` meeting ``requirement`` (scheduled
    agents per interval; default :func:`erlang_requirement`), raised where the simulated
    schedule misses the service-level goal. ``replications`` and ``seed`` default to the
    scenario's; ``max_iterations`` to ``scheduling.max_iterations``."""
    program = shift_program(scenario)  # a ScheduleError without a scheduling section
    spec = scenario.scheduling
    assert spec is not None
    if scenario.agents.scale != 1:
        raise ScheduleError(
            f"agents.scale: is {scenario.agents.scale:g}; the schedule sets whole agents, so "
            f"schedule at scale 1"
        )
    grid = time_grid(scenario)
    needed = erlang_requirement(scenario) if requirement is None else np.asarray(requirement)
    if needed.shape != (len(grid),):
        raise ValueError(f"requirement has shape {needed.shape}; expected ({len(grid)},)")
    needed = needed.astype(float)
    patterns, coverage = program.patterns, program.coverage
    cap = spec.max_iterations if max_iterations is None else max_iterations
    rounds: list[Round] = []
    status = "iteration cap"
    for number in range(1, cap + 1):
        cover = solve_cover(
            coverage,
            program.cost,
            needed - program.fixed_coverage,
            program.limits,
            spec.under_coverage_penalty,
            time_limit_s,
        )
        scheduled = _scheduled(scenario, _overrides(scenario, patterns, cover.counts))
        on_call = None if progress is None else _round_progress(progress, number)
        result = simulate_many(
            [scheduled],
            replications=replications,
            seed=seed,
            workers=workers,
            progress=on_call,
            cluster=cluster,
        )[0]
        rounds.append(
            Round(
                number=number,
                requirement=needed.copy(),
                cover=cover,
                coverage=program.fixed_coverage + coverage @ cover.counts,
                service_level=result.intervals["service_level_mean"].to_numpy(dtype=float),
                result=result,
            )
        )
        last = rounds[-1]
        missed = last.missed
        if not missed.any():
            status = "met"
            break
        raise_at = missed & (cover.shortfall <= 0)
        if not raise_at.any():
            status = "short"
            break
        needed = np.where(
            raise_at, np.maximum(needed, np.floor(last.coverage + _TOL) + 1.0), needed
        )
    return Schedule(
        scenario=scenario,
        scheduled=rounds[-1].result.scenario,
        overrides=_overrides(scenario, patterns, rounds[-1].cover.counts),
        program=program,
        rounds=rounds,
        status=status,
    )


@dataclass(frozen=True)
class Program:
    """What the integer program is made of, the same in every round (only the requirement
    rises)."""

    patterns: list[Pattern]
    coverage: np.ndarray
    """(interval, pattern): see :func:`~callsim.planning.patterns.coverage_matrix`."""
    cost: np.ndarray
    """Per agent of each pattern: paid hours × the group's cost per hour."""
    limits: list[Limit]
    cost_per_hour: dict[str, float]
    fixed_coverage: np.ndarray
    """Coverage per interval of the groups that keep their roster (before shrinkage)."""
    fixed_cost: float
    """Their planned cost."""


def shift_program(scenario: Scenario) -> Program:
    """The patterns of ``scenario.scheduling``, their coverage, cost and headcount limits, and
    what the groups without templates already cover."""
    spec = scenario.scheduling
    if spec is None:
        raise ScheduleError(
            "scheduling: the scenario has no scheduling section (shift templates to build "
            "the roster from)"
        )
    grid = time_grid(scenario)
    days = scenario.horizon.days
    patterns = enumerate_patterns(scenario)
    wage = {name: g.wage_per_hour for name, g in scenario.agents.groups.items()}
    per_hour = {
        name: wage[name] if g.cost_per_hour is None else g.cost_per_hour
        for name, g in spec.groups.items()
    }
    fixed_coverage, fixed_cost = _fixed_groups(scenario, grid)
    return Program(
        patterns=patterns,
        coverage=coverage_matrix(patterns, grid, days),
        cost=paid_hours(patterns, days) * np.array([per_hour[p.group] for p in patterns]),
        limits=_limits(scenario, patterns),
        cost_per_hour=per_hour,
        fixed_coverage=fixed_coverage,
        fixed_cost=fixed_cost,
    )


def _round_progress(progress: Progress, number: int) -> Callable[[int, int], None]:
    return lambda done, total: progress(number, done, total)


def _finite(kpi: dict[str, float]) -> dict[str, float | None]:
    return {k: (None if math.isnan(v) else v) for k, v in kpi.items()}


def _fixed_groups(scenario: Scenario, grid: TimeGrid) -> tuple[np.ndarray, float]:
    """Coverage per interval (before shrinkage) and planned cost of the groups the schedule
    leaves as they are, from their own roster."""
    scheduling = scenario.scheduling
    assert scheduling is not None
    groups = list(scenario.agents.groups)
    fixed = {g for g, name in enumerate(groups) if name not in scheduling.groups}
    if not fixed:
        return np.zeros(len(grid)), 0.0
    unshrunk = scenario.agents.model_copy(update={"shrinkage": 0.0})
    roster = build_roster(scenario.model_copy(update={"agents": unshrunk}), grid)
    coverage = np.zeros(len(grid))
    for agent, s, e in roster.sessions:
        if roster.group[agent] in fixed:
            coverage += np.clip(np.minimum(grid.ends, e) - np.maximum(grid.starts, s), 0, None)
    cost = sum(
        (e - s) / 3600.0 * roster.wage[agent]
        for agent, s, e in roster.paid
        if roster.group[agent] in fixed
    )
    return coverage / grid.length_s, float(cost)


def _limits(scenario: Scenario, patterns: list[Pattern]) -> list[Limit]:
    """Headcount limits of templates, groups and the roster, on each day."""
    spec = scenario.scheduling
    assert spec is not None
    index = np.arange(len(patterns))
    out: list[Limit] = []

    def add(where: np.ndarray, low: int, high: int | None) -> None:
        if where.any() and (low > 0 or high is not None):
            out.append(Limit(index[where], low, high))

    for day in sorted({p.day or 0 for p in patterns}):
        on_day = np.array([(p.day or 0) == day for p in patterns])
        for name, group in spec.groups.items():
            in_group = on_day & np.array([p.group == name for p in patterns])
            for t_name, t in group.templates.items():
                in_template = in_group & np.array([p.template == t_name for p in patterns])
                add(in_template, t.min_agents, t.max_agents)
            add(in_group, group.min_agents, group.max_agents)
        add(on_day, 0, spec.max_agents)
    return out


def _overrides(scenario: Scenario, patterns: list[Pattern], counts: np.ndarray) -> dict[str, Any]:
    """The scheduled groups' shifts, as a scenario file writes them over the input: one row
    per pattern and headcount, with the days it is worked (a multi-day horizon's pattern worked
    alike every day, not past midnight, is written once for every day)."""
    spec = scenario.scheduling
    assert spec is not None
    days = scenario.horizon.days
    per_day: dict[tuple[Any, ...], dict[int | None, int]] = {}
    for pattern, n in zip(patterns, counts, strict=True):
        if n > 0:
            key = (pattern.group, pattern.start, pattern.length, pattern.breaks)
            counted = per_day.setdefault(key, {})  # two templates may share a pattern
            counted[pattern.day] = counted.get(pattern.day, 0) + int(n)
    shifts: dict[str, list[dict[str, Any]]] = {name: [] for name in spec.groups}
    first = {p.group: p for p in patterns}
    for key in sorted(per_day, key=lambda k: (k[1], k[2], k[3])):
        group, start, length, breaks = key
        pattern = Pattern(group, first[group].template, None, start, length, breaks)
        by_count: dict[int, list[int | None]] = {}
        for day, n in sorted(per_day[key].items(), key=lambda dn: dn[0] or 0):
            by_count.setdefault(n, []).append(day)
        for n, worked in by_count.items():
            listed = [d for d in worked if d is not None]
            every_day = len(listed) == days and pattern.end <= DAY_MIN
            row = pattern.shift(n, None if not listed or every_day else listed)
            shifts[group].append(row.model_dump(mode="json", exclude_defaults=True))
    name = f"{scenario.name[:66]} (scheduled)"
    return {"name": name, "agents": {"groups": {g: {"shifts": s} for g, s in shifts.items()}}}


def _scheduled(scenario: Scenario, overrides: dict[str, Any]) -> Scenario:
    merged = deep_merge(scenario.model_dump(mode="json", exclude_none=True), overrides)
    return scenario_from_dict(merged, label="the schedule", base_dir=Path.cwd())
