"""The roster's numbers: shrinkage at the configured rate, scale, unique agents, paid time.

Scheduled headcounts are worked out here from the scenario's own shift rows and staffing tables
(count × the share of the interval a shift covers, less its breaks), not from the roster, and
compared with the roster's sessions and paid periods.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import callsim
from callsim.cli.commands import app
from callsim.model.roster import build_roster
from callsim.model.timegrid import time_grid
from callsim.scenario import bundled
from callsim.scenario.files import ScenarioError
from callsim.scenario.schema import SECONDS_PER_DAY, Scenario, minutes

DAY = SECONDS_PER_DAY
HOUR = 3600.0

BASE: dict[str, Any] = {
    "name": "roster",
    "horizon": {"open": "08:00", "close": "20:00", "interval_min": 30},
    "arrivals": {"rate_per_hour": 60},
    "reasons": {"any": {"share": 1.0, "talk": {"dist": "exponential", "mean_s": 180}}},
    "customers": {"patience": {"dist": "exponential", "mean_s": 300}},
    "simulation": {"replications": 1, "seed": 1},
}


def make(agents: dict[str, Any], **horizon: Any) -> Scenario:
    data = copy.deepcopy(BASE)
    data["horizon"].update(horizon)
    data["agents"] = agents
    return callsim.load_scenario(data)


def row(start: str, end: str, count: int, *breaks: tuple[str, float]) -> dict[str, Any]:
    shift: dict[str, Any] = {"start": start, "end": end, "count": count}
    if breaks:
        shift["breaks"] = [{"start": s, "duration_min": d} for s, d in breaks]
    return shift


# -- shrinkage -------------------------------------------------------------------------------

SHAPES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    # 10 rows of 2 at 25%: rounded per row, all 20 were on the phones.
    "many_small_rows": (
        {"shrinkage": 0.25, "groups": {"desk": {"shifts": [row("08:00", "16:00", 2)] * 10}}},
        {},
    ),
    "one_big_row": (
        {"shrinkage": 0.25, "groups": {"desk": {"shifts": [row("08:00", "20:00", 20)]}}},
        {},
    ),
    "staggered_rows_with_breaks": (
        {
            "shrinkage": 0.3,
            "groups": {
                "desk": {
                    "shifts": [
                        row("08:00", "16:00", 3, ("12:00", 30)),
                        row("08:00", "16:00", 1, ("11:30", 45)),
                        row("09:15", "13:15", 2),
                        row("11:00", "19:00", 3, ("15:00", 30), ("17:20", 15)),
                        row("12:00", "20:00", 1, ("16:00", 60)),
                        row("16:00", "20:00", 5),
                    ]
                }
            },
        },
        {},
    ),
    # Rounded per interval, 2 agents at 25% put both on the phones all day.
    "staffing_table": (
        {"shrinkage": 0.25, "groups": {"desk": {"staffing": [2] * 12 + [3] * 6 + [1] * 6}}},
        {},
    ),
    "several_groups": (
        {
            "shrinkage": 0.35,
            "groups": {
                "senior": {"shifts": [row("08:00", "14:00", 1), row("14:00", "20:00", 1)] * 3},
                "junior": {"shifts": [row("10:00", "18:00", 2, ("13:00", 30))] * 4},
                "table": {"staffing": [1, 2, 3, 2] * 6},
            },
        },
        {},
    ),
    "two_days_15_min": (
        {
            "shrinkage": 0.2,
            "groups": {
                "desk": {
                    "shifts": [
                        row("08:00", "14:00", 3),
                        {**row("12:00", "20:00", 2, ("16:00", 30)), "days": [2]},
                        row("14:00", "20:00", 3),
                    ]
                }
            },
        },
        {"days": 2, "interval_min": 15},
    ),
}


def scheduled_per_interval(sc: Scenario, group: str) -> np.ndarray:
    """Headcount on shift and not on a break, per interval, from the scenario alone."""
    grid = time_grid(sc)
    starts, ends = grid.starts, grid.ends
    spec = sc.agents.groups[group]
    if spec.staffing is not None:
        return np.tile(np.asarray(spec.staffing, dtype=float), sc.horizon.days)
    out = np.zeros(len(starts))
    for shift in spec.shifts or []:
        for day in shift.days or range(1, sc.horizon.days + 1):
            base = (day - 1) * DAY
            pieces = [(base + minutes(shift.start) * 60, base + minutes(shift.end) * 60, 1.0)]
            pieces += [
                (
                    base + minutes(b.start) * 60,
                    base + minutes(b.start) * 60 + b.duration_min * 60,
                    -1.0,
                )
                for b in shift.breaks
            ]
            for s, e, sign in pieces:
                cover = np.clip(np.minimum(ends, e) - np.maximum(starts, s), 0, None)
                out += sign * shift.count * cover / grid.length_s
    return out


def on_phones_per_interval(sc: Scenario, sessions: list[tuple[int, float, float]]) -> np.ndarray:
    grid = time_grid(sc)
    out = np.zeros(len(grid))
    for _, s, e in sessions:
        out += np.clip(np.minimum(grid.ends, e) - np.maximum(grid.starts, s), 0, None)
    return out / grid.length_s


@pytest.mark.parametrize("shape", list(SHAPES))
def test_shrinkage_holds_in_every_interval_and_over_the_day(shape: str) -> None:
    agents, horizon = SHAPES[shape]
    sc = make(agents, **horizon)
    s = sc.agents.shrinkage
    roster = build_roster(sc, time_grid(sc))
    names = list(sc.agents.groups)
    total_sched = np.zeros(len(time_grid(sc)))
    total_on = np.zeros_like(total_sched)
    for g, name in enumerate(names):
        sched = scheduled_per_interval(sc, name)
        on = on_phones_per_interval(sc, [r for r in roster.sessions if roster.group[r[0]] == g])
        # Each group, each interval: within one agent of scheduled × (1 − s).
        assert np.abs(on - sched * (1 - s)).max() < 1.0, name
        total_sched += sched
        total_on += on
    expected = total_sched * (1 - s)
    assert np.abs(total_on - expected).max() < 1.0
    # Over the day: on-phone agent-intervals equal scheduled ones × (1 − s) within one.
    assert abs(total_on.sum() - expected.sum()) <= 1.0
    # Nobody on the phones outside their scheduled time.
    assert (total_on <= total_sched + 1e-9).all()


@pytest.mark.parametrize("shape", list(SHAPES))
def test_shrinkage_rotates_over_the_agents(shape: str) -> None:
    """Every agent takes a fair part of it: no agent stays off the phones a whole shift while
    another never leaves them (rounding per row took whole agents off for the day)."""
    agents, horizon = SHAPES[shape]
    sc = make(agents, **horizon)
    s = sc.agents.shrinkage
    roster = build_roster(sc, time_grid(sc))
    on = np.zeros(len(roster))
    for a, start, end in roster.sessions:
        on[a] += end - start
    available = np.zeros(len(roster))
    for g, name in enumerate(sc.agents.groups):
        spec = sc.agents.groups[name]
        members = [a for a in range(len(roster)) if roster.group[a] == g]
        if spec.staffing is not None:  # agent k of a table: every interval with more than k
            table = np.tile(np.asarray(spec.staffing), sc.horizon.days)
            for k, a in enumerate(members):
                available[a] = (table > k).sum() * sc.horizon.interval_min * 60
            continue
        rows = [(shift, k) for shift in spec.shifts or [] for k in range(shift.count)]
        for (shift, _), a in zip(rows, members, strict=True):
            n_days = len(shift.days or range(sc.horizon.days))
            length = (minutes(shift.end) - minutes(shift.start)) * 60
            available[a] = n_days * (length - sum(b.duration_min * 60 for b in shift.breaks))
    off = available - on
    assert (on > 0).all()
    # Each agent's time off is their share of shrinkage within an hour.
    assert np.abs(off - s * available).max() <= HOUR + 1e-6


def test_half_an_agent_of_shrinkage_is_not_rounded_to_even() -> None:
    """Ten agents at 25% owe 2.5 off the phones in every interval. Rounded half to even (as
    Python's round() does) that is 2 in each, 48 agent-intervals off in the day instead of 60;
    rounded half up, 3 in each, 72. The roster takes 2 or 3 so that the day comes out right,
    over the whole roster (split in rows of one, each 0.25 would round to nobody off)."""
    sc = make(
        {
            "shrinkage": 0.25,
            "groups": {
                "singles": {"shifts": [row("08:00", "20:00", 1)] * 5},
                "team": {"shifts": [row("08:00", "20:00", 5)]},
            },
        }
    )
    roster = build_roster(sc, time_grid(sc))
    intervals = len(time_grid(sc))
    off = 10 - on_phones_per_interval(sc, roster.sessions)
    assert sorted(set(np.round(off, 9))) == [2.0, 3.0]
    assert off.sum() == pytest.approx(2.5 * intervals)
    for g, name in enumerate(sc.agents.groups):
        mine = [r for r in roster.sessions if roster.group[r[0]] == g]
        group_off = 5 - on_phones_per_interval(sc, mine)
        assert abs(group_off.sum() - 1.25 * intervals) <= 1.0, name


def test_default_scenario_runs_at_its_configured_shrinkage() -> None:
    """The bundled default: 25% configured; rounded per row it ran at 28.4% of the hours on shift
    (37 of 51 agents on the phones)."""
    sc = callsim.load_scenario(bundled.path_of(bundled.DEFAULT))
    roster = build_roster(sc, time_grid(sc))
    paid = sum(e - s for _, s, e in roster.paid)
    breaks = sum(
        shift.count * sum(b.duration_min * 60 for b in shift.breaks)
        for g in sc.agents.groups.values()
        for shift in g.shifts or []
    )
    on = sum(e - s for _, s, e in roster.sessions)
    assert abs(on - (paid - breaks) * (1 - sc.agents.shrinkage)) <= 0.5 * HOUR


# -- scale -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("scale", "agents"), [(0.9, 46), (1.0, 51), (1.1, 56), (0.5, 26)])
def test_scale_rounds_the_whole_roster(scale: float, agents: int) -> None:
    """51 agents on the default: 45.9 → 46 and 56.1 → 56 (rounding each row gave 50 and 53)."""
    sc = callsim.load_scenario(bundled.path_of(bundled.DEFAULT))
    scaled = sc.model_copy(update={"agents": sc.agents.model_copy(update={"scale": scale})})
    roster = build_roster(scaled, time_grid(scaled))
    assert len(roster) == agents == math.floor(51 * scale + 0.5)
    for g, (name, group) in enumerate(sc.agents.groups.items()):
        n = sum(1 for x in roster.group if x == g)
        quota = scale * sum(shift.count for shift in group.shifts or [])
        assert math.floor(quota) <= n <= math.ceil(quota)
        # Each row gets its own share: the floor or the ceiling of count × scale.
        prefixes = [label.rsplit("#", 1)[0] for label in roster.label]
        for shift, tag in zip(group.shifts or [], _row_tags(name, group), strict=True):
            k = prefixes.count(tag)
            assert math.floor(shift.count * scale) <= k <= math.ceil(shift.count * scale)


def _row_tags(name: str, group: Any) -> list[str]:
    """Each shift row's label prefix: ``group/start-end``, ``(2)`` for a second row of the
    same times."""
    seen: list[tuple[str, str]] = []
    tags = []
    for shift in group.shifts:
        seen.append((shift.start, shift.end))
        n = seen.count((shift.start, shift.end))
        tags.append(f"{name}/{shift.start}-{shift.end}" + (f"({n})" if n > 1 else ""))
    return tags


def test_scale_gives_rows_their_shares() -> None:
    # Three rows of 1 at 1.5: 4.5 → 5 agents, each row 1 or 2.
    sc = make({"scale": 1.5, "groups": {"desk": {"shifts": [row("08:00", "12:00", 1)] * 3}}})
    roster = build_roster(sc, time_grid(sc))
    assert len(roster) == 5
    counts = pd.Series([label.rsplit("#", 1)[0] for label in roster.label]).value_counts()
    assert sorted(counts) == [1, 2, 2]


# -- identities ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", bundled.names())
def test_agent_labels_are_unique_on_every_bundled_scenario(name: str) -> None:
    sc = callsim.load_scenario(bundled.path_of(name))
    labels = build_roster(sc, time_grid(sc)).label
    assert len(set(labels)) == len(labels)


def test_labels_name_group_shift_row_and_number() -> None:
    sc = make(
        {
            "groups": {
                "senior": {"shifts": [row("08:00", "16:00", 2), row("08:00", "16:00", 1)]},
                "table": {"staffing": [2] * 24},
            }
        }
    )
    assert build_roster(sc, time_grid(sc)).label == [
        "senior/08:00-16:00#1",
        "senior/08:00-16:00#2",
        "senior/08:00-16:00(2)#1",
        "table#1",
        "table#2",
    ]


def test_agents_csv_has_one_row_per_agent(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["run", bundled.DEFAULT, "-r", "2", "-w", "1", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "agents.csv")
    sc = callsim.load_scenario(bundled.path_of(bundled.DEFAULT))
    assert len(table) == sum(s.count for g in sc.agents.groups.values() for s in g.shifts or [])
    assert table["agent"].is_unique


# -- paid time is the horizon's ----------------------------------------------------------------

NIGHT_LINE = {"open": "00:00", "close": "24:00"}


def test_night_shift_is_paid_inside_the_horizon_and_carries_over() -> None:
    # 22:00-06:00 every day on a 24-hour line, one day: on from 00:00 to 06:00 (the night
    # before) and from 22:00 to the horizon's end; 8 hours paid, not 22:00-06:00 of day 2.
    sc = make(
        {"groups": {"night": {"wage_per_hour": 10, "shifts": [row("22:00", "30:00", 1)]}}},
        **NIGHT_LINE,
    )
    roster = build_roster(sc, time_grid(sc))
    assert sorted(roster.paid) == [(0, 0.0, 6 * HOUR), (0, 22 * HOUR, 24 * HOUR)]
    assert sorted(roster.sessions) == [(0, 0.0, 6 * HOUR), (0, 22 * HOUR, 24 * HOUR)]


def test_night_shift_carries_into_the_next_day() -> None:
    sc = make({"groups": {"night": {"shifts": [row("22:00", "30:00", 1)]}}}, days=2, **NIGHT_LINE)
    roster = build_roster(sc, time_grid(sc))
    assert sorted(roster.paid) == [
        (0, 0.0, 6 * HOUR),
        (0, 22 * HOUR, 30 * HOUR),
        (0, 46 * HOUR, 48 * HOUR),
    ]


def test_night_shift_on_given_days_has_no_night_before() -> None:
    sc = make(
        {"groups": {"night": {"shifts": [{**row("22:00", "30:00", 1), "days": [1]}]}}},
        **NIGHT_LINE,
    )
    assert build_roster(sc, time_grid(sc)).paid == [(0, 22 * HOUR, 24 * HOUR)]


@pytest.mark.parametrize(
    ("days", "paid_h"),
    [(None, 8.0), ([1], 2.0)],  # every day: 00:00-06:00 and 22:00-24:00; day 1 only: 22:00-24:00
)
def test_staff_cost_counts_only_the_horizon(days: list[int] | None, paid_h: float) -> None:
    # A call every few hours, none of them long: the cost is the paid hours at the wage (an
    # overtime minute or two at most).
    data = copy.deepcopy(BASE)
    data["horizon"].update(NIGHT_LINE)
    data["arrivals"] = {"rate_per_hour": 0.01}
    shift = {**row("22:00", "30:00", 1), "days": days}
    data["agents"] = {"groups": {"night": {"wage_per_hour": 10, "shifts": [shift]}}}
    result = callsim.simulate(callsim.load_scenario(data), replications=1, seed=1, workers=1)
    assert result.kpi("paid_hours")["mean"] == pytest.approx(paid_h)
    assert result.kpi("staff_cost")["mean"] == pytest.approx(10 * paid_h, abs=1.0)


def test_shift_outside_the_opening_hours_is_refused() -> None:
    with pytest.raises(ScenarioError, match=r"agents\.groups\.desk\.shifts\.1 \(22:00-30:00\)"):
        make({"groups": {"desk": {"shifts": [row("08:00", "16:00", 2), row("22:00", "30:00", 1)]}}})
    with pytest.raises(ScenarioError, match="outside the opening hours 08:00-20:00"):
        make({"groups": {"desk": {"shifts": [row("05:00", "08:00", 1)]}}})


def test_shift_partly_inside_the_opening_hours_is_accepted() -> None:
    make({"groups": {"desk": {"shifts": [row("07:00", "09:00", 1)]}}})
    make({"groups": {"desk": {"shifts": [row("19:00", "21:00", 1)]}}})
    # Ends on the next morning after the opening (a shift of the night before, on day 1).
    make({"groups": {"desk": {"shifts": [row("23:00", "33:00", 1)]}}})
    # A 24-hour line is always open.
    make({"groups": {"desk": {"shifts": [row("22:00", "30:00", 1)]}}}, **NIGHT_LINE)
