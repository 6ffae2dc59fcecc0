"""Shifts from requirements: the integer program against brute force, patterns against the roster,
the honest loop, the schema's errors, unpaid breaks, and the schedule written back as a scenario."""

from __future__ import annotations

import copy
import itertools
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

import callsim
from callsim.cli.commands import app
from callsim.model.roster import build_roster
from callsim.model.timegrid import time_grid
from callsim.planning.cover import Limit, solve_cover
from callsim.planning.patterns import Pattern, coverage_matrix, enumerate_patterns, paid_hours
from callsim.planning.requirement_file import RequirementError, read_requirement
from callsim.planning.schedule import build_schedule, erlang_requirement
from callsim.scenario.files import ScenarioError, load_scenario
from callsim.scenario.schema import Scenario

runner = CliRunner()
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

# A four-hour line of about two Erlangs: one group, a two-hour template at three starts and a
# four-hour one with a break at one of two places.
BASE: dict[str, Any] = {
    "name": "tiny line",
    "horizon": {"interval_min": 30, "open": "08:00", "close": "12:00"},
    "arrivals": {"rate_per_hour": 40},
    "reasons": {"any": {"share": 1.0, "talk": {"dist": "exponential", "mean_s": 180}}},
    "customers": {"patience": {"dist": "exponential", "mean_s": 300}},
    "agents": {
        "groups": {
            "team": {
                "wage_per_hour": 20,
                "shifts": [{"start": "08:00", "end": "12:00", "count": 3}],
            }
        }
    },
    "scheduling": {
        "groups": {
            "team": {
                "templates": {
                    "short": {
                        "start": {"earliest": "08:00", "latest": "10:00", "step_min": 60},
                        "lengths_h": [2],
                    },
                    "long": {
                        "start": {"earliest": "08:00", "latest": "08:00"},
                        "lengths_h": [4],
                        "breaks": [
                            {
                                "duration_min": 30,
                                "earliest_min": 60,
                                "latest_min": 120,
                                "step_min": 60,
                            }
                        ],
                    },
                }
            }
        }
    },
    "simulation": {"replications": 5, "seed": 7},
}


def scenario(**changes: Any) -> Scenario:
    """BASE with ``a__b=value`` setting ``data["a"]["b"]``."""
    data = copy.deepcopy(BASE)
    for path, value in changes.items():
        node = data
        keys = path.split("__")
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        node[keys[-1]] = value
    return load_scenario(data)


def plain(text: str) -> str:
    return " ".join(ANSI.sub("", text).split())


# -- the integer program -----------------------------------------------------------------------


def brute_force(
    coverage: np.ndarray,
    cost: np.ndarray,
    requirement: np.ndarray,
    limits: list[Limit],
    penalty: float | None,
    most: int,
) -> tuple[float, float]:
    """The best of every headcount 0..most per pattern within the limits: (cost + penalty ×
    shortfall, 0) at its least, or without a penalty (shortfall, cost) at the least shortfall,
    then the least cost."""
    best: tuple[float, float] | None = None
    for counts in itertools.product(range(most + 1), repeat=coverage.shape[1]):
        x = np.array(counts)
        if any(
            not (lim.low <= x[lim.patterns].sum() <= (np.inf if lim.high is None else lim.high))
            for lim in limits
        ):
            continue
        short = float(np.clip(requirement - coverage @ x, 0, None).sum())
        key = (float(cost @ x) + penalty * short, 0.0) if penalty else (short, float(cost @ x))
        if best is None or key < best:
            best = key
    assert best is not None
    return best


CYCLE: dict[str, Any] = {
    "horizon": {"interval_min": 60, "open": "00:00", "close": "24:00"},
    "scheduling": {
        "groups": {
            "team": {
                "templates": {
                    # 16-hour shifts at 00:00, 08:00 and 16:00 on a line that repeats every day:
                    # each covers two of the day's three thirds, the last one across midnight.
                    "long": {
                        "start": {"earliest": "00:00", "latest": "16:00", "step_min": 480},
                        "lengths_h": [16],
                    },
                    "half": {
                        "start": {"earliest": "04:00", "latest": "04:00"},
                        "lengths_h": [12],
                        "breaks": [
                            {
                                "duration_min": 60,
                                "earliest_min": 240,
                                "latest_min": 360,
                                "step_min": 120,
                            }
                        ],
                    },
                }
            }
        }
    },
}


def instance(name: str) -> Scenario:
    data = copy.deepcopy(BASE)
    if name == "cycle":
        data.update(copy.deepcopy(CYCLE))
        data["agents"]["groups"]["team"]["shifts"] = [
            {"start": "00:00", "end": "08:00", "count": 1}
        ]
    return load_scenario(data)


@pytest.mark.parametrize("penalty", [None, 15.0, 200.0])
@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("name", ["windows", "cycle"])
def test_milp_equals_brute_force_on_a_tiny_instance(
    name: str, penalty: float | None, seed: int
) -> None:
    """Two tiny instances, each headcount 0-4 tried against every other: start and break
    windows on a line that closes, and shifts around the clock whose cover is an odd cycle
    (fractional in the linear relaxation: half an agent on each shift covers every hour)."""
    sc = instance(name)
    patterns = enumerate_patterns(sc)
    # windows: three two-hour starts and a four-hour shift with two break places; cycle: three
    # 16-hour starts and a 12-hour shift with two break places.
    assert len(patterns) == 5
    coverage = coverage_matrix(patterns, time_grid(sc), 1)
    cost = paid_hours(patterns, 1) * 20.0
    top = 4 if name == "windows" else 2
    requirement = np.random.default_rng(seed).integers(0, top, size=coverage.shape[0]) * 1.0
    # At most three agents on the last template: a limit the brute force must honour too.
    limits = [Limit(np.array([3, 4]), 0, 3)]
    cover = solve_cover(coverage, cost, requirement, limits, penalty, rel_gap=0.0)  # exact
    short = float(cover.shortfall.sum())
    expected = brute_force(coverage, cost, requirement, limits, penalty, most=4)
    if penalty is None:
        assert (short, cover.cost) == pytest.approx(expected)
    else:
        assert cover.cost + penalty * short == pytest.approx(expected[0])
    assert cover.status == "optimal"
    assert cover.counts[[3, 4]].sum() <= 3
    np.testing.assert_allclose(
        cover.shortfall, np.clip(requirement - coverage @ cover.counts, 0, None)
    )


def test_an_odd_cycle_needs_two_shifts_where_the_relaxation_takes_one_and_a_half() -> None:
    sc = instance("cycle")
    patterns = enumerate_patterns(sc)[:3]
    coverage = coverage_matrix(patterns, time_grid(sc), 1)
    cover = solve_cover(coverage, np.full(3, 16.0), np.ones(24), [], None)
    assert sorted(cover.counts) == [0, 1, 1]
    assert cover.cost == 32.0
    assert cover.shortfall.sum() == 0


def test_a_small_penalty_trades_coverage_for_cost() -> None:
    """One agent-interval short costs 5, a two-hour shift 40: leaving an interval short of one
    agent beats a shift for it; coverage first covers it."""
    sc = scenario()
    patterns = enumerate_patterns(sc)
    coverage = coverage_matrix(patterns, time_grid(sc), 1)
    cost = paid_hours(patterns, 1) * 20.0
    requirement = np.zeros(coverage.shape[0])
    requirement[0] = 1.0  # 08:00 only
    cheap = solve_cover(coverage, cost, requirement, [], penalty=5.0)
    assert cheap.counts.sum() == 0
    assert cheap.shortfall[0] == 1.0
    first = solve_cover(coverage, cost, requirement, [], penalty=None)
    assert first.shortfall.sum() == 0
    assert first.cost == 40.0  # the two-hour shift at 08:00


# -- patterns against the roster -----------------------------------------------------------------


NIGHT: dict[str, Any] = {
    "horizon": {"interval_min": 60, "open": "00:00", "close": "24:00"},
    "scheduling": {
        "groups": {
            "team": {
                "templates": {
                    "night": {
                        "start": {"earliest": "20:00", "latest": "26:00", "step_min": 180},
                        "lengths_h": [8.5],
                        "breaks": [
                            {
                                "duration_min": 30,
                                "paid": False,
                                "earliest_min": 180,
                                "latest_min": 300,
                                "step_min": 60,
                            },
                            {"duration_min": 15, "earliest_min": 360, "latest_min": 420},
                        ],
                    }
                }
            }
        }
    },
}


def night_scenario(days: int) -> Any:
    data = copy.deepcopy(BASE)
    data.update(copy.deepcopy(NIGHT))
    data["horizon"]["days"] = days
    data["agents"]["groups"]["team"]["shifts"] = [{"start": "00:00", "end": "08:00", "count": 1}]
    return load_scenario(data)


@pytest.mark.parametrize("days", [1, 2])
def test_each_pattern_covers_and_costs_what_the_roster_makes_of_it(days: int) -> None:
    """Every pattern, written as a shift and built by the roster (shrinkage 0), is on the phones
    exactly where its coverage column says and paid as long as its paid hours: midnight, the
    night before a one-day horizon, the last night past the horizon, unpaid breaks."""
    sc = night_scenario(days)
    grid = time_grid(sc)
    patterns = enumerate_patterns(sc)
    # Starts 20:00, 23:00 and 02:00 (26:00 wraps to the morning), three places for the meal
    # break and two for the rest break, on each day.
    assert len(patterns) == 3 * 3 * 2 * days
    assert any(p.end > 24 * 60 for p in patterns)
    coverage = coverage_matrix(patterns, grid, days)
    hours = paid_hours(patterns, days)
    for k, pattern in enumerate(patterns):
        days_list = None if pattern.day is None else [pattern.day]
        shift = pattern.shift(1, days_list).model_dump(mode="json", exclude_none=True)
        one = sc.model_dump(mode="json", exclude_none=True)
        one["agents"]["groups"]["team"]["shifts"] = [shift]
        model = load_scenario(one)
        roster = build_roster(model, grid)
        on = np.zeros(len(grid))
        for _, s, e in roster.sessions:
            on += np.clip(np.minimum(grid.ends, e) - np.maximum(grid.starts, s), 0, None)
        np.testing.assert_allclose(coverage[:, k], on / grid.length_s, err_msg=str(pattern))
        paid = sum(e - s for _, s, e in roster.paid) / 3600
        assert hours[k] == pytest.approx(paid), pattern


def test_a_night_shift_of_a_one_day_line_covers_the_early_hours_as_the_night_before() -> None:
    sc = night_scenario(1)
    patterns = enumerate_patterns(sc)
    k = next(i for i, p in enumerate(patterns) if p.start == 20 * 60)
    column = coverage_matrix(patterns, time_grid(sc), 1)[:, k]
    # 20:00-04:30 with a 30-min meal break and a 15-min rest break: 00:00-04:00 and 20:00-24:00
    # are covered, apart from the breaks.
    assert column[20:24].sum() + column[0:5].sum() == pytest.approx(8.5 - 0.75)
    assert column[5:20].sum() == 0
    assert paid_hours(patterns, 1)[k] == pytest.approx(8.0)  # the meal break is unpaid


def test_a_multi_day_night_shift_belongs_to_its_day_and_stops_at_the_horizon() -> None:
    sc = night_scenario(2)
    patterns = enumerate_patterns(sc)
    coverage = coverage_matrix(patterns, time_grid(sc), 2)
    hours = paid_hours(patterns, 2)
    day1 = next(i for i, p in enumerate(patterns) if p.day == 1 and p.start == 20 * 60)
    day2 = next(i for i, p in enumerate(patterns) if p.day == 2 and p.start == 20 * 60)
    assert coverage[0:5, day1].sum() == 0  # day 1's early hours: nobody's night before
    assert coverage[24:29, day1].sum() > 0  # day 2's early hours: day 1's night
    # Day 2's night is on the horizon for 20:00-24:00 only, less its meal break at 23:00.
    assert patterns[day2].breaks[0][0] == 180
    assert coverage[:, day2].sum() == pytest.approx(3.5)
    assert hours[day2] == pytest.approx(3.5)


# -- unpaid breaks -------------------------------------------------------------------------------


def test_unpaid_breaks_are_not_paid_time_nor_cost() -> None:
    shift = {
        "start": "08:00",
        "end": "12:00",
        "count": 2,
        "breaks": [{"start": "10:00", "duration_min": 30, "paid": False}],
    }
    paid_break = copy.deepcopy(shift)
    paid_break["breaks"][0]["paid"] = True
    costs = {}
    for name, row in (("unpaid", shift), ("paid", paid_break)):
        data = copy.deepcopy(BASE)
        data["agents"]["groups"]["team"]["shifts"] = [row]
        data["horizon"]["at_close"] = {"waiting": "lost"}  # nobody stays to serve a queue
        model = load_scenario(data)
        roster = build_roster(model, time_grid(model))
        # A paid period ends at the unpaid break, but the shift's end is the only shift end.
        assert roster.shift_ends() == {(0, 12 * 3600.0), (1, 12 * 3600.0)}
        result = callsim.simulate(model, replications=2, workers=1)
        # Calls in hand at the close run past the shift's end: overtime, at the premium.
        overtime = result.per_replication["overtime_hours"]
        paid = result.per_replication["paid_hours"] - overtime
        np.testing.assert_allclose(paid, 2 * (3.5 if name == "unpaid" else 4.0))
        cost = result.per_replication["staff_cost"] - overtime * 20 * 1.5
        costs[name] = float(cost.mean())
    assert costs == {"unpaid": pytest.approx(2 * 3.5 * 20), "paid": pytest.approx(2 * 4 * 20)}


def test_staffing_tables_end_shifts_where_their_runs_end() -> None:
    """Overtime is time past a shift's end; an agent of a staffing table has one at the end of
    every run of intervals they are scheduled in."""
    data = copy.deepcopy(BASE)
    data["horizon"]["close"] = "10:00"
    data["agents"]["groups"]["team"] = {"staffing": [2, 2, 0, 1]}
    del data["scheduling"]
    model = load_scenario(data)
    roster = build_roster(model, time_grid(model))
    hour = 3600.0
    assert roster.shift_ends() == {(0, 9 * hour), (0, 10 * hour), (1, 9 * hour)}


def test_breaks_are_paid_unless_they_say_otherwise() -> None:
    model = scenario()
    brk = {"start": "10:00", "duration_min": 30}
    data = model.model_dump(mode="json", exclude_none=True)
    data["agents"]["groups"]["team"]["shifts"][0]["breaks"] = [brk]
    assert load_scenario(data).agents.groups["team"].shifts[0].breaks[0].paid  # type: ignore[index]


# -- the honest loop -----------------------------------------------------------------------------


def test_the_loop_raises_the_requirement_where_the_simulation_misses_the_goal() -> None:
    """Agents 40% slower than Erlang assumes: the first schedule misses, each missed interval's
    requirement becomes one more than the agents it had, and the loop ends meeting the goal."""
    slow = {**BASE["agents"]["groups"]["team"], "handle_time_factor": 1.4}
    sc = scenario(agents__groups={"team": slow})
    result = build_schedule(sc, workers=1)
    first, second = result.rounds[0], result.rounds[1]
    assert first.missed.any()
    expected = np.where(
        first.missed & (first.cover.shortfall == 0),
        np.maximum(first.requirement, np.floor(first.coverage + 1e-9) + 1),
        first.requirement,
    )
    np.testing.assert_array_equal(second.requirement, expected)
    assert all((b.requirement >= a.requirement).all() for a, b in itertools.pairwise(result.rounds))
    assert result.status == "met"
    assert not result.final.missed.any()
    target = sc.service_level.target
    sl = result.final.service_level
    assert (np.isnan(sl) | (sl >= target)).all()
    np.testing.assert_array_equal(result.coverage()["meets_goal"], True)


def test_the_schedule_is_the_same_whatever_the_workers() -> None:
    sc = scenario()
    one, two = build_schedule(sc, workers=1), build_schedule(sc, workers=2)
    assert one.overrides == two.overrides
    pd.testing.assert_frame_equal(one.coverage(), two.coverage())


def test_too_few_agents_give_the_best_schedule_and_name_the_short_intervals() -> None:
    """Two agents cannot cover about four: the schedule uses both, the intervals they cannot
    cover are short, and the loop stops there instead of raising them for nothing."""
    sc = scenario(scheduling__max_agents=2)
    result = build_schedule(sc, workers=1)
    assert result.final.cover.counts.sum() == 2
    assert result.status == "short"
    short = result.final.cover.shortfall > 0
    assert short.any()
    unmet = result.unmet()
    assert unmet
    day, start = time_grid(sc).labels()
    assert {(u["day"], u["start"]) for u in unmet} <= {
        (int(day[i]), start[i]) for i in np.flatnonzero(short)
    }
    assert all(u["reason"] == "the templates and limits cannot cover it" for u in unmet)
    # The best with two agents: as much of the requirement covered as two agents can.
    requirement = erlang_requirement(sc)
    assert result.final.cover.shortfall.sum() == pytest.approx(
        np.clip(requirement - result.final.coverage, 0, None).sum()
    )
    best_two = min(
        np.clip(requirement - coverage_pair, 0, None).sum() for coverage_pair in _pairs(sc)
    )
    assert result.final.cover.shortfall.sum() == pytest.approx(best_two)


def _pairs(sc: Any) -> list[np.ndarray]:
    """Coverage of every way to put two agents on the patterns."""
    patterns = enumerate_patterns(sc)
    coverage = coverage_matrix(patterns, time_grid(sc), 1)
    return [
        coverage[:, a] + coverage[:, b]
        for a, b in itertools.combinations_with_replacement(range(len(patterns)), 2)
    ]


@pytest.mark.parametrize("days", [1, 2])
def test_the_written_roster_is_the_programs_schedule(days: int) -> None:
    """The shifts written back (rows merged across days, night shifts, unpaid breaks) give the
    roster the coverage and the cost the program counted."""
    sc = night_scenario(days)
    grid = time_grid(sc)
    rng = np.random.default_rng(days)
    requirement = rng.integers(0, 4, size=len(grid)).astype(float)
    result = build_schedule(sc, requirement, replications=2, workers=1, max_iterations=1)
    assert result.final.cover.counts.sum() > 0
    unshrunk = result.scheduled.agents.model_copy(update={"shrinkage": 0.0})
    roster = build_roster(result.scheduled.model_copy(update={"agents": unshrunk}), grid)
    on = np.zeros(len(grid))
    for _, s, e in roster.sessions:
        on += np.clip(np.minimum(grid.ends, e) - np.maximum(grid.starts, s), 0, None)
    np.testing.assert_allclose(on / grid.length_s, result.final.coverage)
    paid = sum((e - s) / 3600 * roster.wage[a] for a, s, e in roster.paid)
    assert paid == pytest.approx(result.planned_cost)
    rows = result.overrides["agents"]["groups"]["team"]["shifts"]
    past_midnight = [row for row in rows if row["end"] > "24:00"]
    assert past_midnight
    # One day: every day (the night before included); more: the days each is worked.
    assert all(bool(row.get("days")) == (days > 1) for row in past_midnight)


def test_groups_without_templates_keep_their_roster_and_count_in_the_coverage() -> None:
    data = copy.deepcopy(BASE)
    data["agents"]["groups"]["fixed"] = {
        "wage_per_hour": 30,
        "shifts": [{"start": "08:00", "end": "12:00", "count": 2}],
    }
    sc = load_scenario(data)
    requirement = np.full(8, 3.0)
    result = build_schedule(sc, requirement, workers=1, max_iterations=1)
    assert "fixed" not in result.overrides["agents"]["groups"]
    np.testing.assert_allclose(result.final.coverage, 3.0)  # 2 fixed, 1 scheduled
    assert result.program.fixed_cost == pytest.approx(2 * 4 * 30)
    assert result.scheduled.agents.groups["fixed"] == sc.agents.groups["fixed"]


# -- the schema ----------------------------------------------------------------------------------


TEMPLATE = ("scheduling", "groups", "team", "templates", "short")


@pytest.mark.parametrize(
    ("where", "value", "message"),
    [
        (
            (*TEMPLATE, "start"),
            {"earliest": "10:00", "latest": "09:00"},
            "scheduling.groups.team.templates.short.start: empty start window: latest 09:00 "
            "is before earliest 10:00",
        ),
        (
            (*TEMPLATE, "start"),
            {"earliest": "13:00", "latest": "15:00"},
            "scheduling.groups.team.templates.short.start: 13:00-15:00 lies outside the "
            "opening hours 08:00-12:00",
        ),
        (
            (*TEMPLATE, "lengths_h"),
            [2, 5],
            "scheduling.groups.team.templates.short.lengths_h: a 5 h shift starting "
            "08:00-10:00 does not fit in the opening hours 08:00-12:00",
        ),
        (
            (*TEMPLATE, "lengths_h"),
            [2.01],
            "scheduling.groups.team.templates.short.lengths_h: 2.01 h is not a whole number "
            "of minutes",
        ),
        (
            (*TEMPLATE, "breaks"),
            [{"duration_min": 30, "earliest_min": 100, "latest_min": 110}],
            "scheduling.groups.team.templates.short.breaks.0: a 30-min break from 100 min "
            "after the start does not fit in a 2 h shift",
        ),
        (
            (*TEMPLATE, "breaks"),
            [
                {"duration_min": 30, "earliest_min": 30, "latest_min": 30},
                {"duration_min": 30, "earliest_min": 30, "latest_min": 30},
            ],
            "scheduling.groups.team.templates.short.breaks: no placement of the breaks, in "
            "order and not overlapping, fits in a 2 h shift",
        ),
        (
            (*TEMPLATE, "breaks"),
            [{"duration_min": 15, "earliest_min": 60, "latest_min": 30}],
            "scheduling.groups.team.templates.short.breaks.0: empty break window: latest_min "
            "30 is before earliest_min 60",
        ),
        (
            (*TEMPLATE, "min_agents"),
            5,
            "scheduling.groups.team.templates.short: min_agents 5 is more than max_agents 2",
        ),
        (
            ("scheduling", "groups", "nobody"),
            {
                "templates": {
                    "t": {"start": {"earliest": "08:00", "latest": "08:00"}, "lengths_h": [2]}
                }
            },
            "scheduling.groups.nobody: no agent group 'nobody' in agents.groups",
        ),
        (
            ("scheduling", "groups", "team", "max_agents"),
            1,
            "scheduling.groups.team: the group needs at least 2 agents a day (its and its "
            "templates' min_agents) but may have at most 1 (max_agents)",
        ),
        (
            ("scheduling", "max_agents"),
            1,
            "scheduling: max_agents 1 is fewer than the 2 agents a day the groups' min_agents need",
        ),
        (
            ("scheduling", "under_coverage_penalty"),
            0,
            "scheduling.under_coverage_penalty: Input should be greater than 0 (got 0)",
        ),
    ],
)
def test_bad_templates_are_one_line_errors_naming_the_field(
    where: tuple[str, ...], value: Any, message: str, in_tmp: Path
) -> None:
    data = copy.deepcopy(BASE)
    short = data["scheduling"]["groups"]["team"]["templates"]["short"]
    short["max_agents"] = 2
    data["scheduling"]["groups"]["team"]["templates"]["long"]["min_agents"] = 2
    node = data
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = value
    (in_tmp / "bad.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(ScenarioError) as error:
        load_scenario("bad.yaml")
    assert str(error.value).startswith("bad.yaml: " + message)
    result = runner.invoke(app, ["schedule", "bad.yaml"])
    assert result.exit_code == 2
    assert plain(result.stderr).startswith(f"error: bad.yaml: {message}")
    assert len(result.stderr.strip().splitlines()) == 1


# -- the command and what it writes --------------------------------------------------------------


@pytest.fixture
def line(in_tmp: Path) -> Path:
    path = in_tmp / "plans" / "line.yaml"
    path.parent.mkdir()
    path.write_text(yaml.safe_dump(BASE, sort_keys=False), encoding="utf-8")
    return path


BASE_TARGET = 0.8  # the schema's default goal, which BASE keeps


def test_schedule_writes_a_scenario_that_runs_and_meets_its_goal(
    line: Path, in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = runner.invoke(app, ["schedule", str(line), "-w", "1", "--out", "out/sched"])
    assert result.exit_code == 0, result.output
    folder = in_tmp / "out" / "sched"
    assert sorted(p.name for p in folder.iterdir()) == [
        "coverage.csv",
        "manifest.json",
        "plotly.min.js",  # the report loads it from beside it
        "report.html",
        "schedule.csv",
        "schedule.yaml",
        "summary.json",
    ]
    written = yaml.safe_load((folder / "schedule.yaml").read_text(encoding="utf-8"))
    assert written["extends"] == "../../plans/line.yaml"
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "met"
    assert summary["intervals_short"] == []
    coverage = pd.read_csv(folder / "coverage.csv")
    shifts = pd.read_csv(folder / "schedule.csv")
    assert coverage["meets_goal"].all()
    assert shifts["agents"].sum() == summary["agents"]
    # The written file runs as it is, from another folder (its extends is relative to
    # itself), with the numbers the schedule was checked with: the same roster, the same
    # callers.
    (in_tmp / "elsewhere").mkdir()
    monkeypatch.chdir(in_tmp / "elsewhere")
    ran = runner.invoke(app, ["run", "../out/sched/schedule.yaml", "-w", "1", "--out", "run"])
    assert ran.exit_code == 0, ran.output
    intervals = pd.read_csv(in_tmp / "elsewhere" / "run" / "intervals.csv")
    np.testing.assert_allclose(
        intervals["service_level_mean"], coverage["service_level_mean"], rtol=1e-12
    )
    run_summary = json.loads((in_tmp / "elsewhere" / "run" / "summary.json").read_text("utf-8"))
    assert run_summary["scenario"] == "tiny line (scheduled)"
    cost = run_summary["kpis"]["staff_cost"]
    simulated = summary["simulated"]["staff_cost"]
    assert {k: cost[k] for k in simulated} == pytest.approx(simulated)
    target = BASE_TARGET
    assert (intervals["service_level_mean"].fillna(1.0) >= target).all()
    compared = runner.invoke(app, ["compare", str(line), str(folder / "schedule.yaml"), "-w", "1"])
    assert compared.exit_code == 0, compared.output
    assert "tiny line (scheduled)" in plain(compared.stdout)


def test_a_requirement_file_from_staff_gives_the_same_schedule(line: Path, in_tmp: Path) -> None:
    staffed = runner.invoke(app, ["staff", str(line), "--method", "erlang", "--out", "need"])
    assert staffed.exit_code == 0, staffed.output
    sc = load_scenario(line)
    need = in_tmp / "need" / "requirements.csv"
    np.testing.assert_array_equal(read_requirement(need, time_grid(sc)), erlang_requirement(sc))
    by_file = runner.invoke(app, ["schedule", str(line), "--requirement", str(need), "-w", "1"])
    by_erlang = runner.invoke(app, ["schedule", str(line), "--method", "erlang", "-w", "1"])
    assert by_file.exit_code == 0, by_file.output
    assert by_file.stdout == by_erlang.stdout


def _requirement_csv(rows: list[str]) -> str:
    return "day,start,required_scheduled\n" + "\n".join(rows) + "\n"


GOOD_ROWS = [f"1,{h:02d}:{m:02d},3" for h in (8, 9, 10, 11) for m in (0, 30)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "day,start,agents\n1,08:00,3\n",
            "no column 'required_scheduled' (columns: day, start, required_scheduled)",
        ),
        (_requirement_csv(GOOD_ROWS[:-1]), "no row for day 1 11:30"),
        (
            _requirement_csv([*GOOD_ROWS, "1,12:00,3"]),
            "row 9: day '1' '12:00' is not an interval of the scenario's horizon",
        ),
        (_requirement_csv([*GOOD_ROWS, GOOD_ROWS[0]]), "row 9: day 1 08:00 is listed twice"),
        (
            _requirement_csv(["1,08:00,-1", *GOOD_ROWS[1:]]),
            "row 1: required_scheduled must be a number ≥ 0 (got '-1')",
        ),
        (
            _requirement_csv(["1,08:00,many", *GOOD_ROWS[1:]]),
            "row 1: required_scheduled must be a number ≥ 0 (got 'many')",
        ),
    ],
)
def test_a_bad_requirement_file_is_one_line(
    line: Path, in_tmp: Path, text: str, message: str
) -> None:
    (in_tmp / "need.csv").write_text(text, encoding="utf-8")
    with pytest.raises(RequirementError, match=re.escape(message)):
        read_requirement(in_tmp / "need.csv", time_grid(load_scenario(line)))
    result = runner.invoke(app, ["schedule", str(line), "--requirement", "need.csv"])
    assert result.exit_code == 2
    assert plain(result.stderr) == f"error: need.csv: {message}"


def test_bad_schedule_input_exits_2_with_one_line(line: Path, in_tmp: Path) -> None:
    cases = []
    data = copy.deepcopy(BASE)
    del data["scheduling"]
    (in_tmp / "plain.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    cases.append(
        (
            ["schedule", "plain.yaml"],
            "error: plain.yaml: scheduling: the scenario has no "
            "scheduling section (shift templates to build the roster from)",
        )
    )
    data = copy.deepcopy(BASE)
    data["agents"]["scale"] = 1.2
    (in_tmp / "scaled.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    cases.append(
        (
            ["schedule", "scaled.yaml"],
            "error: scaled.yaml: agents.scale: is 1.2; the schedule "
            "sets whole agents, so schedule at scale 1",
        )
    )
    cases.append(
        (["schedule", str(line), "--requirement", "none.csv"], "error: none.csv: no such file")
    )
    (in_tmp / "full").mkdir()
    (in_tmp / "full" / "notes.txt").write_text("mine", encoding="utf-8")
    cases.append(
        (
            ["schedule", str(line), "--out", "full"],
            "error: full: directory is not empty (earlier results?); use --force to replace it",
        )
    )
    for args, message in cases:
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert plain(result.stderr) == message
        assert len(result.stderr.strip().splitlines()) == 1


def test_force_replaces_an_earlier_schedule(line: Path, in_tmp: Path) -> None:
    first = runner.invoke(app, ["schedule", str(line), "-w", "1", "--out", "s"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(app, ["schedule", str(line), "-w", "1", "--out", "s"])
    assert again.exit_code == 2
    forced = runner.invoke(app, ["schedule", str(line), "-w", "1", "--out", "s", "--force"])
    assert forced.exit_code == 0, forced.output


def test_schedule_prints_the_shifts_and_the_verdict(line: Path) -> None:
    result = runner.invoke(app, ["schedule", str(line), "-w", "1"])
    assert result.exit_code == 0, result.output
    out = plain(result.stdout)
    assert "Schedule — tiny line" in out
    assert "every interval meets the goal after" in out
    assert "Coverage and simulated service level (80/20, mean over replications)" in out


def test_the_bundled_scenario_has_templates() -> None:
    sc = load_scenario(Path(__file__).parent.parent / "scenarios" / "credit_card_hotline.yaml")
    patterns = enumerate_patterns(sc)
    assert {p.group for p in patterns} == set(sc.agents.groups)
    assert all(isinstance(p, Pattern) for p in patterns)


@pytest.mark.slow
def test_the_default_scenario_schedule_meets_the_goal_on_fresh_callers() -> None:
    """Built on the scenario's seed, checked on another seed and twice the replications: the
    day's service level is met with confidence, and no interval misses the target with
    confidence (its interval's upper end reaches it)."""
    sc = load_scenario(Path(__file__).parent.parent / "scenarios" / "credit_card_hotline.yaml")
    result = build_schedule(sc)
    assert result.status == "met"
    fresh = callsim.simulate(result.scheduled, replications=40, seed=sc.simulation.seed + 1)
    assert fresh.verdict == "met"
    target = sc.service_level.target
    assert (fresh.intervals["service_level_ci_high"] >= target).all()
    assert result.planned_cost < 8848  # the bundled roster's paid hours × wages
