"""The bundled scenarios load and give the figures of a plausible hotline.

The ranges are deliberately wide: they catch a scenario (or an engine change) that makes the
centre absurd, not a few points of drift. Short runs with a fixed seed keep the file fast.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import callsim
from callsim.scenario.schema import minutes

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
CREDIT_CARD = SCENARIOS / "credit_card_hotline.yaml"
UTILITY = SCENARIOS / "utility_hotline_24h.yaml"

OUTAGE = ["14:00", "14:30", "15:00", "15:30"]


def weighted(intervals: pd.DataFrame, kpi: str, mask: pd.Series) -> float:
    """A per-interval KPI over several intervals, weighted by the calls offered in each."""
    offered = intervals.loc[mask, "offered_mean"]
    return float((intervals.loc[mask, f"{kpi}_mean"] * offered).sum() / offered.sum())


@pytest.fixture(scope="module")
def credit_card() -> callsim.SimulationResult:
    return callsim.simulate(CREDIT_CARD, replications=6, seed=1, workers=2)


@pytest.fixture(scope="module")
def utility() -> callsim.SimulationResult:
    return callsim.simulate(UTILITY, replications=4, seed=1, workers=2)


# -- loading -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [CREDIT_CARD, UTILITY], ids=lambda p: p.stem)
def test_bundled_scenario_loads(path: Path) -> None:
    scenario = callsim.load_scenario(path)
    assert scenario.horizon.interval_min == 30
    assert len(scenario.arrivals.volume) == scenario.horizon.intervals_per_day
    assert scenario.service_level.target == 0.8
    assert scenario.service_level.threshold_s == 20
    assert scenario.service_level.definition == "offered"
    close = minutes(scenario.horizon.close)
    for group in scenario.agents.groups.values():
        assert group.shifts, "the bundled centres are rostered by shifts"
        for shift in group.shifts:
            assert minutes(shift.end) <= close, "no shift is paid past the close"


def test_credit_card_day_has_two_peaks() -> None:
    # SPEC §5: peaks around 10:00 and 14:00-16:00, with a dip between them.
    scenario = callsim.load_scenario(CREDIT_CARD)
    volume = dict(zip(range(8 * 60, 22 * 60, 30), scenario.arrivals.volume, strict=True))
    morning, midday, afternoon = volume[10 * 60], volume[12 * 60 + 30], volume[14 * 60 + 30]
    assert midday < 0.8 * morning and midday < 0.8 * afternoon
    assert max(volume, key=volume.get) in (10 * 60, 10 * 60 + 30)
    assert 2000 <= sum(scenario.arrivals.volume) <= 4000  # a mid-size line


def test_utility_outage_is_several_times_normal_volume() -> None:
    scenario = callsim.load_scenario(UTILITY)
    volume = np.asarray(scenario.arrivals.volume)
    outage = volume[28:32]  # 14:00-16:00
    before, after = volume[27], volume[32]  # 13:30 and 16:00, normal intervals either side
    assert outage.min() >= 3 * max(before, after)
    assert scenario.customers.retrial is not None and scenario.customers.retrial.probability > 0


# -- the default centre: a plausible weekday -------------------------------------------------


def test_credit_card_kpis_are_plausible(credit_card: callsim.SimulationResult) -> None:
    kpi = {name: credit_card.kpi(name)["mean"] for name in credit_card.summary.index}
    # A centre planned to 80/20 lands somewhere around it over the day (the scenario gives ~81%);
    # below 50% or above 95% would be a broken or a gold-plated plan.
    assert 0.5 <= kpi["service_level"] <= 0.95
    # Some callers always hang up (the Anonymous Bank lost 12.9%, SPEC §5); a fifth would be a
    # centre in crisis.
    assert 0.005 < kpi["abandon_rate"] < 0.2
    # Agents busy most of the time they are logged in, but not pinned at 100%.
    assert 0.6 <= kpi["occupancy"] <= 0.97
    # Mean wait of answered calls: seconds, not minutes.
    assert 1.0 <= kpi["asa_s"] <= 60.0
    assert kpi["staff_cost"] > 0
    assert kpi["offered"] == pytest.approx(2800, rel=0.15)


def test_credit_card_misses_the_goal_at_some_peaks(credit_card: callsim.SimulationResult) -> None:
    # Real rosters cannot follow the curve exactly: the peaks are where the plan is tightest,
    # while other intervals are comfortably above 80/20. (How many intervals miss varies with
    # the day's busyness.)
    sl = credit_card.intervals.set_index("start")["service_level_mean"]
    peaks = sl[["10:00", "10:30", "14:30", "15:00", "15:30"]]
    assert peaks.min() < 0.85
    assert (sl >= 0.8).sum() >= 5


def test_credit_card_repeat_calls_move_load_into_the_afternoon(
    credit_card: callsim.SimulationResult,
) -> None:
    # Unresolved callers ring again about two hours later, so the repeats of the morning land
    # in the afternoon and evening: the roster, sized on the forecast's shape, is tighter there
    # than at the morning peak, which had the tightest spots before repeats were modelled.
    iv = credit_card.intervals
    morning = iv["start"].isin(["10:00", "10:30", "11:00"])
    late = iv["start"].isin(["15:30", "16:00", "16:30", "17:00", "17:30", "18:00", "18:30"])
    repeats = iv["repeat_calls_mean"]
    assert repeats[late].mean() > 1.3 * repeats[morning].mean()
    assert weighted(iv, "service_level", late) < weighted(iv, "service_level", morning)


# -- the utility line: the outage breaks service, then it recovers --------------------------


def test_utility_outage_breaks_service(utility: callsim.SimulationResult) -> None:
    iv = utility.intervals
    outage = iv["start"].isin(OUTAGE)
    # Intervals before the outage, on the normal-day plan the roster was sized for.
    normal = ~outage & (iv["start"] < "14:00")
    sl_outage = weighted(iv, "service_level", outage)
    sl_normal = weighted(iv, "service_level", normal)
    ab_outage = weighted(iv, "abandon_rate", outage)
    ab_normal = weighted(iv, "abandon_rate", normal)
    # Staffed for a normal day (~85% within 20 s, a few percent lost); four times the calls
    # leave a few percent answered in time and most callers hanging up.
    assert sl_normal >= 0.7
    assert sl_outage <= 0.3
    assert sl_outage < sl_normal - 0.4
    assert ab_normal <= 0.1
    assert ab_outage >= 0.4
    assert ab_outage > ab_normal + 0.3


def test_utility_redials_and_recovery(utility: callsim.SimulationResult) -> None:
    # Cut-off callers redial: the line is offered more attempts than the forecast holds.
    assert utility.kpi("retrials")["mean"] > 500
    forecast = sum(callsim.load_scenario(UTILITY).arrivals.volume)
    assert utility.kpi("offered")["mean"] > forecast
    # By the evening the backlog is gone and the line runs on plan again.
    iv = utility.intervals
    evening = iv["start"] >= "18:00"
    assert weighted(iv, "service_level", evening) >= 0.7
    assert weighted(iv, "abandon_rate", evening) <= 0.1


# -- resolve more, add agents, or push the menu: the comparison the planner asks for --------


def test_resolution_vs_agents_answers_its_question() -> None:
    from callsim.experiment.compare import compare
    from callsim.scenario.files import load_plans

    plans = load_plans(SCENARIOS / "resolution_vs_agents.yaml")
    _, train, add, ivr = plans
    assert [train, add, ivr] == [
        "train to resolve 10 points more",
        "add two agents",
        "push the IVR",
    ]
    t = compare(plans, replications=6, seed=1, workers=2).table.set_index(["kpi", "plan"])

    def verdict(kpi: str, plan: str) -> str:
        return str(t.loc[(kpi, plan), "verdict"])

    # Each lever does what it is: training raises first-contact resolution and cuts repeats,
    # the menu resolves more in self-service, the agents cost more; each relieves the queue.
    assert verdict("fcr", train) == "better"
    assert verdict("repeats_per_first_call", train) == "better"
    assert verdict("deflected_calls", ivr) == "better"
    assert verdict("deflected_calls", add) == "no significant difference"
    assert verdict("staff_cost", add) == "worse"
    assert verdict("staff_cost", train) == "no significant difference"
    for plan in (train, add, ivr):
        assert verdict("service_level", plan) == "better", plan


# -- where the seniors work: the skill mix per shift as a planning choice ---------------------


def test_skill_mix_pair_moves_only_who_works_which_shift() -> None:
    """The two plans differ in who fills the shift places, nothing else: the same places
    (start, end, break) with the same head count, the same agents per group, the same paid
    hours per group; and the seniors of the peak plan all cover the 10:00 peak."""
    from collections import Counter

    from callsim.model.roster import build_roster
    from callsim.model.timegrid import time_grid
    from callsim.scenario.files import load_plans

    spread, peak = load_plans(SCENARIOS / "skill_mix_per_shift.yaml").values()
    assert peak.name == "seniors on the peak shifts"

    def places(plan: callsim.Scenario, only: str | None = None) -> Counter[tuple]:
        counts: Counter[tuple] = Counter()
        for name, group in plan.agents.groups.items():
            for s in group.shifts or []:
                if only in (None, name):
                    counts[
                        (s.start, s.end, tuple((b.start, b.duration_min) for b in s.breaks))
                    ] += s.count
        return counts

    assert places(spread) == places(peak)
    assert sum(places(spread, "senior").values()) == sum(places(peak, "senior").values()) == 16

    def paid_hours(plan: callsim.Scenario) -> dict[int, float]:
        roster = build_roster(plan, time_grid(plan))
        hours: Counter[int] = Counter()
        for agent, start, end in roster.paid:
            hours[roster.group[agent]] += (end - start) / 3600
        return dict(hours)

    assert paid_hours(spread) == pytest.approx(paid_hours(peak))
    assert all(
        s.start <= "09:00" or s.start == "12:00" for s in peak.agents.groups["senior"].shifts or []
    )
    assert len({s.start for s in spread.agents.groups["senior"].shifts or []}) == 7


def test_twelve_weeks_is_the_weekday_roster_with_weekday_part_timers() -> None:
    """The 12-week plan is the bundled weekday over 84 days: the same shift places, the peak
    part-timers on Monday to Friday only, a workforce that turns over, and a variant that hires
    in one week instead of four."""
    from callsim.scenario.files import load_plans

    slow, fast = load_plans(SCENARIOS / "credit_card_12_weeks.yaml").values()
    day = callsim.load_scenario(CREDIT_CARD)
    assert slow.horizon.days == 84 and slow.workforce is not None and fast.workforce is not None
    assert (slow.workforce.hiring_delay_weeks, fast.workforce.hiring_delay_weeks) == (4, 1)

    def rows(plan: callsim.Scenario) -> list[tuple]:
        return [
            (name, s.start, s.end, s.count, s.breaks)
            for name, g in plan.agents.groups.items()
            for s in g.shifts or []
        ]

    assert sorted(rows(slow), key=str) == sorted(rows(day), key=str)
    weekday_only = [s for s in slow.agents.groups["junior"].shifts or [] if s.weekdays]
    assert {(s.start, s.end) for s in weekday_only} == {("08:00", "12:00"), ("09:00", "13:00")}
    assert all(s.weekdays == [1, 2, 3, 4, 5] for s in weekday_only)


def test_twelve_weeks_plans_share_their_leavers() -> None:
    """Common random numbers: in both plans every seat's first holder leaves on the same day,
    and its replacement takes calls exactly three weeks sooner where hiring takes one week."""
    from callsim.model.roster import build_roster
    from callsim.model.timegrid import time_grid
    from callsim.model.workforce import Turnover
    from callsim.scenario.files import load_plans

    slow, fast = load_plans(SCENARIOS / "credit_card_12_weeks.yaml").values()
    a, b = (
        build_roster(plan, time_grid(plan), Turnover.for_run(plan, 1, 0)).turnover
        for plan in (slow, fast)
    )
    assert a is not None and b is not None
    left = 0
    for seat_a, seat_b in zip(a.holders, b.holders, strict=True):
        assert seat_a[0].gone == seat_b[0].gone
        if len(seat_a) > 1 and len(seat_b) > 1:
            left += 1
            assert seat_a[1].on_phones - seat_b[1].on_phones == 21 * 86_400
    assert left > 0
