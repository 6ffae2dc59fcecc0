"""Attrition, hiring, training and learning over the weeks (``workforce:``).

Checked against what must hold whatever the draws (seats empty and in training are off the
phones, empty seats unpaid, the hiring delay and training exact to the day, headcount plus empty
seats equal to the seats), against the rate the leavers must leave at (a binomial interval),
against the learning curve worked by hand, and against the engine's own timing (an agent's next
call starts when the last one ends, so the handle-time factor the call log records is the one
the engine ran with).
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from helpers import merge
from typer.testing import CliRunner

import callsim
from callsim.cli.commands import app
from callsim.experiment.replication import run_replication
from callsim.experiment.runner import simulate
from callsim.measure.weekly import workforce_by_week
from callsim.model.replication import run_model
from callsim.model.resolution import resolution_chance
from callsim.model.timegrid import time_grid
from callsim.model.workforce import SECONDS_PER_WEEK, Holder, Turnover, subtract
from callsim.scenario.files import load_scenario
from callsim.scenario.schema import SECONDS_PER_DAY
from callsim.store.read import load_run

DAY = SECONDS_PER_DAY
WORKFORCE: dict[str, Any] = {
    "attrition_per_week": 0.1,
    "hiring_delay_weeks": 1,
    "training_weeks": 2,
    "new_hire": {"handle_time_factor": 1.4, "sales_skill": 0.5, "resolution_skill": 0.6},
    "learning_half_life_weeks": 2,
}
CENTRE: dict[str, Any] = {
    "name": "four weeks",
    "horizon": {"days": 28, "interval_min": 60, "open": "08:00", "close": "16:00"},
    "arrivals": {"rate_per_hour": 40},
    "reasons": {"bill": {"share": 1.0, "talk": {"dist": "exponential", "mean_s": 300}}},
    "customers": {"patience": {"dist": "exponential", "mean_s": 600}},
    "agents": {
        "shrinkage": 0.2,
        "groups": {
            "agents": {
                "wage_per_hour": 20,
                "handle_time_factor": 0.9,
                "shifts": [
                    {"start": "08:00", "end": "12:00", "count": 6},
                    {"start": "12:00", "end": "16:00", "count": 6},
                ],
            }
        },
    },
    "workforce": WORKFORCE,
    "simulation": {"replications": 4, "seed": 3},
}


def _turnover(config: dict[str, Any], days: int = 84, seed: int = 1) -> Turnover:
    scenario = load_scenario(merge(CENTRE, {"horizon": {"days": days}, "workforce": config}))
    turnover = Turnover.for_run(scenario, seed, 0)
    assert turnover is not None
    return turnover


# -- the seats' histories -----------------------------------------------------------------------


def test_histories_keep_the_hiring_delay_and_training_to_the_day() -> None:
    turnover = _turnover(WORKFORCE)
    turnover.take([(f"seat#{k}", False) for k in range(300)])
    seen = 0
    for seat in turnover.holders:
        assert not seat[0].new
        for before, after in itertools.pairwise(seat):
            seen += 1
            assert before.gone % DAY == 0  # gone from the start of a day
            assert after.hired == before.gone + 7 * DAY
            assert after.on_phones == after.hired + 14 * DAY
        assert all(h.gone < math.inf for h in seat[:-1])
    assert seen > 100  # the check saw many replacements


def test_leavers_leave_at_the_weekly_rate() -> None:
    # A holder decides to leave in week k with chance p(1-p)^(k-1) and is gone from the next
    # day: over 4,000 seats the share gone by the end of week 4 (day 29's start) is binomial
    # around 1 - (1-p)^4 less those deciding on the very last day, within its 99.9% interval.
    p = 0.05
    turnover = _turnover(merge(WORKFORCE, {"attrition_per_week": p}))
    n = 4000
    turnover.take([(f"seat#{k}", False) for k in range(n)])
    gone_by = sum(seat[0].gone <= 28 * DAY for seat in turnover.holders)
    rate = -math.log1p(-p) / 7  # per day
    expected = 1 - math.exp(-rate * 27)  # decided in days 1-27: gone by day 28's end
    sd = math.sqrt(expected * (1 - expected) / n)
    assert abs(gone_by / n - expected) < 3.3 * sd


def test_the_same_seat_sees_the_same_people_in_any_plan() -> None:
    a, b = _turnover(WORKFORCE), _turnover(WORKFORCE)
    a.take([("x#1", False), ("x#2", False)])
    b.take([("x#2", False), ("y#1", False), ("x#1", False)])
    assert a.holders[0] == b.holders[2] and a.holders[1] == b.holders[0]
    other = _turnover(WORKFORCE, seed=2)
    other.take([("x#1", False)])
    assert other.holders[0] != a.holders[0]


def test_selling_factor_scales_the_decision_time_exactly() -> None:
    # The same exponential draw over half the rate: the decision comes twice as late.
    factor = merge(WORKFORCE, {"selling_attrition_factor": 0.5, "attrition_per_week": 0.3})
    plain = _turnover(factor, days=366)
    selling = _turnover(factor, days=366)
    selling.sells = True
    plain.take([("s#1", True)])
    selling.take([("s#1", True)])
    first = plain.holders[0][0].gone
    decided_in = math.floor(first / DAY) - 1  # the day index the decision fell on
    later = selling.holders[0][0].gone / DAY - 1
    assert 2 * decided_in <= later <= 2 * (decided_in + 1)


def test_learning_curve_by_hand() -> None:
    turnover = _turnover(WORKFORCE)
    start = 10 * DAY
    turnover.holders = [[Holder(-math.inf, -math.inf, 3 * DAY), Holder(-2 * DAY, start, math.inf)]]
    assert turnover.skills(0, 0.0) == (1.0, 1.0, 1.0)
    assert turnover.skills(0, start) == pytest.approx((1.4, 0.5, 0.6))
    half = start + 2 * SECONDS_PER_WEEK  # one half-life on the phones: half the gap closed
    assert turnover.skills(0, half) == pytest.approx((1.2, 0.75, 0.8))
    assert turnover.skills(0, start + 20 * SECONDS_PER_WEEK) == pytest.approx(
        (1.0 + 0.4 / 1024, 1.0 - 0.5 / 1024, 1.0 - 0.4 / 1024)
    )


def test_subtract_spans() -> None:
    assert subtract([(0, 10), (20, 30)], [(5, 25)]) == [(0, 5), (25, 30)]
    assert subtract([(0, 10)], [(0, 10)]) == []
    assert subtract([(0, 10)], [(math.inf, math.inf)]) == [(0, 10)]


# -- the roster and the run ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def run() -> Any:
    return run_model(load_scenario(CENTRE), seed=3, replication=0)


def test_empty_and_training_seats_are_off_the_phones_and_empty_ones_unpaid(run: Any) -> None:
    roster = run.roster
    assert roster.turnover is not None
    replaced = 0
    for agent, seat in enumerate(roster.turnover.holders):
        empty, training = roster.turnover.away(agent)
        replaced += len(seat) - 1
        for _, s, e in (x for x in roster.sessions if x[0] == agent):
            for lo, hi in [*empty, *training]:
                assert e <= lo or s >= hi
        paid = [(s, e) for a, s, e in roster.paid if a == agent]
        for lo, hi in empty:
            assert all(e <= lo or s >= hi for s, e in paid)
        for lo, hi in training:  # paid for the seat's shifts while training: 8 h every day
            inside = sum(max(0.0, min(e, hi) - max(s, lo)) for s, e in paid)
            days = (min(hi, 28 * DAY) - lo) / DAY
            assert inside == pytest.approx(4 * 3600 * days)
    assert replaced > 0


def test_the_engine_runs_calls_at_the_factor_the_call_log_records() -> None:
    # Overloaded (nobody hangs up, far more calls than agents): an agent takes the next call the
    # moment the last one ends, so within a session each answer is the previous call's end. If
    # the call log's factor were not the one the engine used, the two would part.
    busy = merge(
        CENTRE,
        {
            "arrivals": {"rate_per_hour": 200},
            "workforce": merge(WORKFORCE, {"attrition_per_week": 0.4}),
        },
    )
    busy["customers"] = {"patience": {"dist": "none"}}
    run = run_model(load_scenario(busy), seed=3, replication=0)
    calls = run.calls
    agent, answer, end = calls.column("agent"), calls.column("answer"), calls.column("end")
    sessions = run.sessions
    checked = new_hire_calls = 0
    turnover = run.roster.turnover
    for a in range(len(run.roster)):
        mine = np.flatnonzero(agent == a)
        mine = mine[np.argsort(answer[mine])]
        own = sessions.agent == a
        for s, e in zip(sessions.start[own], sessions.end[own], strict=True):
            rows = mine[(answer[mine] >= s) & (answer[mine] < e)]
            # The next call was waiting when the last one ended: the agent took it then.
            back_to_back = calls.column("arrival")[rows[1:]] < end[rows[:-1]] - 1e-6
            np.testing.assert_allclose(
                answer[rows[1:]][back_to_back], end[rows[:-1]][back_to_back], rtol=0, atol=1e-6
            )
            checked += int(back_to_back.sum())
            handle = turnover.skills(a, float(s))[0]
            if handle != 1.0:
                new_hire_calls += len(rows)
                talk = (end - answer - calls.column("wrap"))[rows]
                np.testing.assert_allclose(talk, calls.column("talk")[rows] * 0.9 * handle)
    assert checked > 1000 and new_hire_calls > 50


def test_no_attrition_changes_nothing() -> None:
    still = merge(CENTRE, {"workforce": {"attrition_per_week": 0.0}})
    without = {k: v for k, v in CENTRE.items() if k != "workforce"}
    a = run_model(load_scenario(still), seed=3, replication=1)
    b = run_model(load_scenario(without), seed=3, replication=1)
    assert a.roster.sessions == b.roster.sessions and a.roster.paid == b.roster.paid
    for name, column in a.calls.columns().items():
        np.testing.assert_array_equal(column, b.calls.columns()[name], err_msg=name)


# -- weekly KPIs --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def result() -> callsim.SimulationResult:
    return simulate(CENTRE, workers=1)


def test_weekly_table_adds_up(result: callsim.SimulationResult) -> None:
    week = result.slices["week"]
    assert list(week["week"]) == ["1", "2", "3", "4"]
    np.testing.assert_allclose(week["headcount_mean"] + week["vacant_mean"], 12.0)
    np.testing.assert_allclose(
        week["headcount_mean"],
        week["tenured_mean"] + week["new_on_phones_mean"] + week["in_training_mean"],
    )
    days = result.slices["day"]
    assert week["offered_mean"].sum() == pytest.approx(days["offered_mean"].sum())
    assert week["staff_cost_mean"].sum() == pytest.approx(days["staff_cost_mean"].sum())
    assert result.kpi("leavers")["mean"] == pytest.approx(week["leavers_mean"].sum())
    assert result.kpi("hires")["mean"] == pytest.approx(week["hires_mean"].sum())
    # Nobody is hired in week 1: a leaver's seat stays empty a week, then training takes two.
    assert week["hires_mean"].iloc[0] == 0 and week["new_on_phones_mean"].iloc[:3].sum() == 0


def test_a_weeks_service_level_pools_its_intervals_calls() -> None:
    scenario = load_scenario(CENTRE)
    kpis = run_replication(scenario, seed=3, replication=0).kpis
    week = kpis.slices["week"]
    per_interval = kpis.interval_sums
    grid = time_grid(scenario)
    of_week = (grid.starts // (7 * DAY)).astype(int)
    for w in range(4):
        mine = of_week == w
        expected = per_interval["ans_t"][mine].sum() / per_interval["offered"][mine].sum()
        assert week["service_level"][w] == pytest.approx(expected, rel=1e-12)
        assert week["offered"][w] == per_interval["offered"][mine].sum()


def test_weekly_counts_match_the_holders(run: Any) -> None:
    weeks = workforce_by_week(run.roster, load_scenario(CENTRE), 4)
    holders = [h for seat in run.roster.turnover.holders for h in seat]
    assert weeks["leavers"].sum() == sum(h.gone < math.inf for h in holders)
    assert weeks["hires"].sum() == sum(h.new for h in holders)


def test_results_directory_has_the_weekly_table(tmp_path: Path) -> None:
    path = tmp_path / "weeks.yaml"
    path.write_text(yaml.safe_dump(merge(CENTRE, {"simulation": {"replications": 2}})))
    out = tmp_path / "out"
    outcome = CliRunner().invoke(app, ["run", str(path), "--out", str(out), "--workers", "1"])
    assert outcome.exit_code == 0, outcome.output
    assert "By week" in outcome.output
    assert (out / "by_week.csv").is_file()
    again = load_run(out)
    assert list(again.slices["week"]["week"]) == ["1", "2", "3", "4"]


# -- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"attrition_per_week": 1.5}, "workforce.attrition_per_week"),
        ({"attrition_per_week": "high"}, "workforce.attrition_per_week"),
        ({"learning_half_life_weeks": 0}, "workforce.learning_half_life_weeks"),
        ({"new_hire": {"handle_time_factor": 0.5, "sales_skill": 0.5}}, "handle_time_factor"),
        ({"hiring_weeks": 2}, "workforce.hiring_weeks"),
    ],
)
def test_bad_workforce_is_one_line_naming_the_field(
    tmp_path: Path, over: dict[str, Any], field: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(merge(CENTRE, {"workforce": over})))
    outcome = CliRunner().invoke(app, ["validate", str(path)])
    assert outcome.exit_code == 2
    lines = outcome.output.strip().splitlines()
    assert len(lines) == 1 and "bad.yaml" in lines[0] and field in lines[0], outcome.output


def test_new_hires_resolve_at_their_learning_odds() -> None:
    # Each call a new hire answers resolves with the configured chance moved by the odds the
    # learning curve gives at the session's start: over the new hires' calls, the share resolved
    # is the mean of those chances within its binomial 99.9% interval (fixed seed).
    resolving = merge(
        CENTRE,
        {
            "horizon": {"days": 56},
            "resolution": {"probability": 0.8, "repeat_delay": {"dist": "fixed", "value_s": 60}},
            "workforce": merge(WORKFORCE, {"attrition_per_week": 0.4, "hiring_delay_weeks": 0}),
        },
    )
    run = run_model(load_scenario(resolving), seed=5, replication=0)
    calls, sessions, turnover = run.calls, run.sessions, run.roster.turnover
    agent, answer = calls.column("agent"), calls.column("answer")
    chances, outcomes = [], []
    for s, e, a in zip(sessions.start, sessions.end, sessions.agent, strict=True):
        odds = turnover.skills(int(a), float(s))[2]
        if odds == 1.0:
            continue
        rows = np.flatnonzero((agent == a) & (answer >= s) & (answer < e))
        chances += [resolution_chance(0.8, odds)] * len(rows)
        outcomes += list(calls.column("resolved")[rows] == 1)
    p = np.mean(chances)
    assert len(outcomes) > 500 and p < 0.78
    assert abs(np.mean(outcomes) - p) < 3.3 * math.sqrt(p * (1 - p) / len(outcomes))


def test_staffing_sizes_the_seats_as_written() -> None:
    # The ISA's state laws are read off one roster; a workforce changes it replication by
    # replication, so the requirement is for the plan's seats without the attrition.
    from callsim.planning.isa import isa_requirement

    short = merge(CENTRE, {"horizon": {"days": 14}})
    without = {k: v for k, v in short.items() if k != "workforce"}
    a = isa_requirement(load_scenario(short), replications=2, max_iterations=2, workers=1)
    b = isa_requirement(load_scenario(without), replications=2, max_iterations=2, workers=1)
    assert a.history == b.history
    assert a.table["required_scheduled"].tolist() == b.table["required_scheduled"].tolist()


def test_trainees_who_leave_are_never_counted_on_the_phones() -> None:
    # At 60% a week many leave during their two weeks of training: they count in training until
    # they go, and never on the phones (no count is below zero).
    # Ten weeks: more weeks than the overlap's direct sum takes, so its sweep is what counts.
    churn = merge(
        CENTRE,
        {
            "horizon": {"days": 70},
            "workforce": {"attrition_per_week": 0.6, "hiring_delay_weeks": 0},
        },
    )
    run = run_model(load_scenario(churn), seed=3, replication=0)
    holders = [h for seat in run.roster.turnover.holders for h in seat]
    assert any(h.new and h.gone < h.on_phones for h in holders)  # the case is there
    weeks = workforce_by_week(run.roster, load_scenario(churn), 10)
    for name, counts in weeks.items():
        assert (counts >= -1e-9).all(), name
    lo = np.arange(10) * SECONDS_PER_WEEK
    on_phones = [
        sum(max(0.0, min(h.gone, b) - max(h.on_phones, a)) for h in holders if h.new)
        for a, b in zip(lo, lo + SECONDS_PER_WEEK, strict=True)
    ]
    np.testing.assert_allclose(weeks["new_on_phones"], np.array(on_phones) / SECONDS_PER_WEEK)
