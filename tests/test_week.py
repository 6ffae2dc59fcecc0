"""A week's calendar over a multi-week horizon: ``arrivals.day_factors`` and shift ``weekdays``.

Expected volumes, paid days and shift starts are worked out by hand here (a rate times the open
hours times a day's factor; the days of the week listed), not by the code under test, and the
drawn arrivals are held to the forecast within a bound from the Poisson spread.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from pydantic import ValidationError
from typer.testing import CliRunner

import callsim
from callsim.cli.commands import app
from callsim.model.demand import draw_demand, expected_volume
from callsim.model.roster import build_roster
from callsim.model.streams import streams
from callsim.model.timegrid import time_grid
from callsim.planning.requirement import staffing_requirement
from callsim.scenario.files import ScenarioError
from callsim.scenario.schema import SECONDS_PER_DAY, Scenario

DAY = SECONDS_PER_DAY
HOUR = 3600.0
WEEKEND_HALF = [1, 1, 1, 1, 1, 0.5, 0.5]

BASE: dict[str, Any] = {
    "name": "week",
    "horizon": {"days": 14, "open": "08:00", "close": "12:00", "interval_min": 60},
    "arrivals": {"rate_per_hour": 30},
    "reasons": {"any": {"share": 1.0, "talk": {"dist": "exponential", "mean_s": 180}}},
    "customers": {"patience": {"dist": "exponential", "mean_s": 300}},
    "agents": {"groups": {"desk": {"shifts": [{"start": "08:00", "end": "12:00", "count": 3}]}}},
    "simulation": {"replications": 1, "seed": 1},
}


def data(**changes: Any) -> dict[str, Any]:
    """The base scenario with ``section={key: value}`` merged into its sections (an arrivals
    source given replaces the base's rate)."""
    out = copy.deepcopy(BASE)
    for section, value in changes.items():
        if section == "arrivals" and {"volume", "volume_csv"} & set(value):
            del out["arrivals"]["rate_per_hour"]
        if isinstance(value, dict):
            out[section].update(value)
        else:
            out[section] = value
    return out


def make(**changes: Any) -> Scenario:
    return callsim.load_scenario(data(**changes))


def per_day(values: np.ndarray, days: int) -> np.ndarray:
    return np.asarray(values, dtype=float).reshape(days, -1).sum(axis=1)


# -- day_factors -----------------------------------------------------------------------------

# 30 calls an hour over 4 open hours is 120 calls a day; weekends (days 6, 7, 13, 14) half that.
HAND_DAYS = [120.0] * 5 + [60.0] * 2 + [120.0] * 5 + [60.0] * 2


def test_a_weekly_profile_repeats_over_two_weeks() -> None:
    s = make(arrivals={"day_factors": WEEKEND_HALF})
    volume = expected_volume(s, time_grid(s))
    assert per_day(volume, 14).tolist() == HAND_DAYS
    assert volume[:4].tolist() == [30.0] * 4  # day 1, every open hour
    assert volume[5 * 4 : 6 * 4].tolist() == [15.0] * 4  # day 6


def test_factors_apply_to_a_volume_table_and_to_a_volume_csv(tmp_path: Path) -> None:
    one_day = [10.0, 20.0, 30.0, 40.0]  # 100 calls a day
    hand = [100.0 * f for f in WEEKEND_HALF * 2]
    s = make(arrivals={"volume": one_day, "day_factors": WEEKEND_HALF})
    assert per_day(expected_volume(s, time_grid(s)), 14).tolist() == hand
    (tmp_path / "volume.csv").write_text(
        "interval_start,calls\n08:00,10\n09:00,20\n10:00,30\n11:00,40\n", encoding="utf-8"
    )
    scenario = data(arrivals={"volume_csv": "volume.csv", "day_factors": WEEKEND_HALF})
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(scenario), encoding="utf-8")
    from_csv = callsim.load_scenario(tmp_path / "s.yaml")
    volume = expected_volume(from_csv, time_grid(from_csv))
    assert per_day(volume, 14).tolist() == hand
    assert volume[5 * 4 : 6 * 4].tolist() == [5.0, 10.0, 15.0, 20.0]


def test_one_factor_per_day_of_the_horizon_and_scale_on_top() -> None:
    factors = [1.0 + d / 10 for d in range(14)]  # 1.0, 1.1, ..., 2.3
    s = make(arrivals={"day_factors": factors, "scale": 2.0})
    got = per_day(expected_volume(s, time_grid(s)), 14)
    assert got == pytest.approx([240.0 * f for f in factors], rel=1e-12)


def test_a_weekly_profile_on_a_horizon_shorter_than_a_week() -> None:
    s = make(horizon={"days": 3}, arrivals={"day_factors": [2, 1, 1, 1, 1, 1, 1]})
    assert per_day(expected_volume(s, time_grid(s)), 3).tolist() == [240.0, 120.0, 120.0]


def test_drawn_arrivals_follow_the_factors() -> None:
    s = make(arrivals={"day_factors": WEEKEND_HALF})
    grid = time_grid(s)
    reps = 200
    counts = np.zeros(14)
    for r in range(reps):
        arrival = draw_demand(s, grid, streams(7, r)).arrival
        counts += np.bincount((arrival // DAY).astype(int), minlength=14)
    mean = counts / reps
    for day, expected in enumerate(HAND_DAYS):
        # Poisson: the mean of `reps` days has standard deviation sqrt(expected / reps).
        assert abs(mean[day] - expected) < 4 * math.sqrt(expected / reps), (day, mean[day])
    weekday, weekend = mean[[0, 1, 2, 3, 4]].mean(), mean[[5, 6]].mean()
    assert weekend / weekday == pytest.approx(0.5, abs=0.05)


def test_staffing_requirement_sees_the_factors() -> None:
    table = staffing_requirement(make(arrivals={"day_factors": WEEKEND_HALF}))
    calls = table.groupby("day")["calls"].sum().tolist()
    assert calls == HAND_DAYS
    weekday, saturday = table[table.day == 1], table[table.day == 6]
    assert (saturday.required_on_phones.to_numpy() < weekday.required_on_phones.to_numpy()).all()


def test_without_factors_the_forecast_is_untouched() -> None:
    plain = make()
    ones = make(arrivals={"day_factors": [1] * 7})
    grid = time_grid(plain)
    assert np.array_equal(expected_volume(plain, grid), expected_volume(ones, grid))
    assert plain.arrivals.day_factors is None
    assert plain.arrivals.factor_per_day(14) is None


def test_the_size_limit_counts_the_busiest_day() -> None:
    # 30 calls an hour × 4 h = 120 a day; the limit of 200 holds unless a day is doubled.
    limits = {"replications": 1, "limits": {"calls_per_day": 200}}
    make(simulation=limits, arrivals={"day_factors": [1, 1, 1, 1, 1, 1, 1.5]})
    with pytest.raises(callsim.ScenarioError, match=r"day_factors is 240 calls a day"):
        make(simulation=limits, arrivals={"day_factors": [1, 1, 1, 1, 1, 1, 2]})


# -- weekdays --------------------------------------------------------------------------------


def shift_row(start: str, end: str, **extra: Any) -> dict[str, Any]:
    return {"start": start, "end": end, "count": 1, **extra}


def agents(*rows: dict[str, Any]) -> dict[str, Any]:
    return {"groups": {"desk": {"shifts": list(rows)}}}


def test_a_weekday_shift_is_paid_on_days_1_to_5_and_8_to_12() -> None:
    s = make(agents=agents(shift_row("08:00", "12:00", weekdays=[1, 2, 3, 4, 5])))
    paid = build_roster(s, time_grid(s)).paid
    expected = [(0, (d - 1) * DAY + 8 * HOUR, (d - 1) * DAY + 12 * HOUR) for d in HAND_WORKDAYS]
    assert sorted(paid) == expected


HAND_WORKDAYS = [1, 2, 3, 4, 5, 8, 9, 10, 11, 12]


def test_weekdays_give_what_the_same_days_listed_give() -> None:
    by_week = make(agents=agents(shift_row("08:00", "12:00", weekdays=[1, 2, 3, 4, 5])))
    by_day = make(agents=agents(shift_row("08:00", "12:00", days=HAND_WORKDAYS)))
    a, b = build_roster(by_week, time_grid(by_week)), build_roster(by_day, time_grid(by_day))
    assert a.paid == b.paid
    assert a.sessions == b.sessions
    assert a.ends == b.ends


def test_a_sunday_night_shift_starts_the_night_before_the_horizon_and_on_day_7() -> None:
    # A 24-hour line over 10 days: weekday 7 is day 7, and day 0 (the night before day 1).
    s = make(
        horizon={"days": 10, "open": "00:00", "close": "24:00"},
        agents=agents(shift_row("22:00", "30:00", weekdays=[7])),
    )
    paid = sorted(build_roster(s, time_grid(s)).paid)
    assert paid == [
        (0, 0.0, 6 * HOUR),  # day 0's tail, 00:00-06:00 of day 1
        (0, 6 * DAY + 22 * HOUR, 7 * DAY + 6 * HOUR),  # day 7, 22:00 to day 8 06:00
    ]


def test_a_night_shift_not_on_weekday_7_has_no_tail_on_day_1() -> None:
    s = make(
        horizon={"days": 10, "open": "00:00", "close": "24:00"},
        agents=agents(shift_row("22:00", "30:00", weekdays=[1])),
    )
    paid = sorted(build_roster(s, time_grid(s)).paid)
    assert paid == [(0, 22 * HOUR, DAY + 6 * HOUR), (0, 7 * DAY + 22 * HOUR, 8 * DAY + 6 * HOUR)]


# -- bad input -------------------------------------------------------------------------------

BAD: dict[str, tuple[dict[str, Any], str]] = {
    "factors_wrong_length": (
        {"arrivals": {"day_factors": [1, 1, 1]}},
        "arrivals.day_factors has 3 entries; expected 7 (a week) or 14 (every day)",
    ),
    "factor_negative": (
        {"arrivals": {"day_factors": [1, 1, 1, 1, 1, -0.5, 1]}},
        "arrivals.day_factors.5",
    ),
    "factor_zero": ({"arrivals": {"day_factors": [1, 1, 1, 1, 1, 1, 0]}}, "arrivals.day_factors.6"),
    "weekday_0": (
        {"agents": agents(shift_row("08:00", "12:00", weekdays=[0, 1]))},
        "agents.groups.desk.shifts.0.weekdays.0",
    ),
    "weekday_8": (
        {"agents": agents(shift_row("08:00", "12:00", weekdays=[1, 8]))},
        "agents.groups.desk.shifts.0.weekdays.1",
    ),
    "weekday_twice": (
        {"agents": agents(shift_row("08:00", "12:00", weekdays=[1, 2, 1]))},
        "weekdays: weekday 1 is listed twice",
    ),
    "weekdays_empty": (
        {"agents": agents(shift_row("08:00", "12:00", weekdays=[]))},
        "agents.groups.desk.shifts.0.weekdays",
    ),
    "days_and_weekdays": (
        {"agents": agents(shift_row("08:00", "12:00", days=[1], weekdays=[1]))},
        "weekdays: give days (of the horizon) or weekdays, not both",
    ),
}


@pytest.mark.parametrize("case", BAD.values(), ids=BAD.keys())
def test_bad_input_is_a_validation_error_naming_the_field(case: tuple[dict, str]) -> None:
    changes, fragment = case
    with pytest.raises(ValidationError) as info:
        Scenario.model_validate(data(**changes))
    field = "day_factors" if "arrivals" in changes else "weekdays"
    assert field in str(info.value)
    if fragment.startswith(("arrivals.", "agents.")) and " " not in fragment:
        loc = ".".join(str(p) for p in info.value.errors()[0]["loc"])
        assert loc == fragment
    else:
        assert fragment in str(info.value)


def test_infinite_factor_is_refused() -> None:
    with pytest.raises(ValidationError, match="day_factors"):
        Scenario.model_validate(data(arrivals={"day_factors": [1, 1, 1, 1, 1, 1, math.inf]}))


@pytest.mark.parametrize("case", BAD.values(), ids=BAD.keys())
def test_validate_says_one_line_naming_file_and_field_and_exits_2(
    case: tuple[dict, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    changes, fragment = case
    monkeypatch.chdir(tmp_path)
    Path("week.yaml").write_text(yaml.safe_dump(data(**changes)), encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", "week.yaml"])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "week.yaml: " in lines[0], lines[0]
    assert fragment.split(":")[0] in lines[0]
    assert "Traceback" not in lines[0]


def test_validate_accepts_the_new_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    good = data(
        arrivals={"day_factors": WEEKEND_HALF},
        agents=agents(shift_row("08:00", "12:00", weekdays=[1, 2, 3, 4, 5])),
    )
    Path("week.yaml").write_text(yaml.safe_dump(good), encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", "week.yaml"])
    assert result.exit_code == 0, result.output


def test_a_week_runs_end_to_end() -> None:
    s = make(
        arrivals={"day_factors": WEEKEND_HALF},
        agents={
            "groups": {
                "desk": {
                    "shifts": [
                        shift_row("08:00", "12:00", weekdays=[1, 2, 3, 4, 5]) | {"count": 6},
                        shift_row("08:00", "12:00", weekdays=[6, 7]) | {"count": 3},
                    ]
                }
            }
        },
    )
    result = callsim.simulate(s, replications=2, workers=1)
    offered = result.by("day")["offered_mean"].to_numpy(dtype=float)
    assert len(offered) == 14
    assert offered[[5, 6, 12, 13]].mean() < 0.75 * offered[[0, 1, 2, 3, 4]].mean()


def test_weekdays_outside_a_short_horizon_are_an_error() -> None:
    # Days 1-3 are weekdays 1-3: a weekend shift would never work, a setting that does nothing.
    weekend = [{"start": "08:00", "end": "12:00", "count": 3, "weekdays": [6, 7]}]
    with pytest.raises(ScenarioError, match=r"shifts\.0\.weekdays: none of them falls"):
        make(horizon={"days": 3}, agents={"groups": {"desk": {"shifts": weekend}}})
    # A night shift of weekday 7 is on in day 1 (the tail of day 0's night): it works.
    night = [{"start": "22:00", "end": "30:00", "count": 1, "weekdays": [7]}]
    make(
        horizon={"days": 3, "open": "00:00", "close": "24:00"},
        agents={"groups": {"desk": {"shifts": night}}},
    )
