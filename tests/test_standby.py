"""The standby surge pool: called up on the signal, on the phones after the delay, released after
the minimum stay once the signal is back, paid from the call-up; nothing changes without it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers import merge

import callsim
from callsim.experiment.pairing import compare_results
from callsim.experiment.replication import run_replication
from callsim.model import replication
from callsim.model.demand import Demand
from callsim.model.replication import run_model
from callsim.scenario.files import ScenarioError, load_plans, load_scenario

SCENARIOS = Path(callsim.__file__).resolve().parent.parent / "scenarios"
H = 3600.0
T0 = 8 * H  # 08:00, the line's opening

POOL: dict[str, Any] = {
    "count": 2,
    "call_up_delay_min": 5,
    "min_stay_min": 20,
    "handle_time_factor": 1.5,
    "cost_per_hour": 30,
    "signal": "queue",
    "call_up_at": 2,
    "release_at": 0,
}

TINY: dict[str, Any] = {
    "name": "tiny standby",
    "horizon": {"interval_min": 30, "open": "08:00", "close": "10:00"},
    "arrivals": {"rate_per_hour": 1},  # replaced by the hand-placed calls below
    "reasons": {"bill": {"share": 1.0, "talk": {"dist": "fixed", "value_s": 600}}},
    "agents": {
        "groups": {
            "regular": {
                "wage_per_hour": 20,
                "shifts": [{"start": "08:00", "end": "10:00", "count": 1}],
            }
        }
    },
    "standby": POOL,
}


def _fixed_calls(minutes: list[float]) -> Any:
    """Callers at these minutes after 08:00, 10 minutes of talk each, never hanging up."""
    n = len(minutes)

    def draw(scenario: Any, grid: Any, rng: Any) -> Demand:
        return Demand(
            arrival=T0 + 60.0 * np.asarray(minutes, dtype=float),
            reason=np.zeros(n, dtype=np.int64),
            segment=np.zeros(n, dtype=np.int64),
            patience=np.full(n, np.inf),
            talk=np.full(n, 600.0),
            wrap=np.zeros(n),
            customer=np.arange(n, dtype=np.int64),
        )

    return draw


def test_hand_worked_call_up_stay_and_release(monkeypatch: pytest.MonkeyPatch) -> None:
    # 08:00 A goes to the regular agent (busy until 08:10); 08:01 B waits; 08:02 C waits: two
    # waiting, the pool is called. Both members sit down at 08:07 and take B and C (10 min at
    # ×1.5: until 08:22). The regular agent is free at 08:10, the queue is empty: back at the
    # release level, but the members' minimum stay runs to 08:27. At 08:23 D goes to the regular
    # agent (idle longest) and at 08:23:30 E to standby#1 (free first at 08:22), until 08:38:30.
    # At 08:27 both are released: #2 at once, #1 after E.
    monkeypatch.setattr(replication, "draw_demand", _fixed_calls([0, 1, 2, 23, 23.5]))
    scenario = load_scenario(TINY)
    run = run_model(scenario, seed=1, replication=0)
    labels = run.roster.label
    assert labels == ["regular/08:00-10:00#1", "standby#1", "standby#2"]
    agent = run.calls.column("agent").tolist()
    answer = (run.calls.column("answer") - T0) / 60
    assert agent == [0, 1, 2, 0, 1]
    assert answer.tolist() == [0, 7, 7, 23, 23.5]
    np.testing.assert_allclose(run.calls.column("end")[[1, 2, 4]] - T0, [22 * 60, 22 * 60, 2310])
    s = run.sessions
    pool = s.agent >= 1
    start, end = (s.start[pool] - T0) / 60, (s.end[pool] - T0) / 60
    got = sorted(zip(s.agent[pool], start, end, strict=True))
    assert got == [(1, 7.0, 38.5), (2, 7.0, 27.0)]
    np.testing.assert_array_equal(run.timelines.standby_callups, [[1, T0 + 120], [2, T0 + 120]])
    # Paid from the call-up (08:02) to the end of the stay: 36.5 and 25 minutes at 30 an hour.
    kpis = run_replication(scenario, 1, 0).kpis  # the same calls: draw_demand is still patched
    assert kpis.horizon["standby_hours"] == pytest.approx((36.5 + 25) / 60)
    assert kpis.horizon["standby_cost"] == pytest.approx((36.5 + 25) / 60 * 30)
    assert kpis.horizon["standby_calls"] == 3
    assert kpis.horizon["standby_answer_share"] == pytest.approx(3 / 5)
    assert kpis.horizon["standby_callups"] == 2
    # Staff cost is the regular agent's two hours at 20 plus the pool's paid time.
    assert kpis.horizon["staff_cost"] == pytest.approx(2 * 20 + (36.5 + 25) / 60 * 30)
    assert kpis.agents["paid_h"].tolist() == pytest.approx([2.0, 36.5 / 60, 25 / 60])


def test_one_member_a_step_and_the_next_only_once_the_first_is_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # step 1: at 08:02 one member is called (on at 08:07, takes B); C still waits, so the queue
    # is 1 < 2 and nobody else is called... until F and G at 08:08 make it 3: the second member
    # is called at 08:08 and sits down at 08:13.
    monkeypatch.setattr(replication, "draw_demand", _fixed_calls([0, 1, 2, 8, 8]))
    scenario = load_scenario(merge(TINY, {"standby": {"step": 1}}))
    run = run_model(scenario, seed=1, replication=0)
    np.testing.assert_array_equal(run.timelines.standby_callups, [[1, T0 + 120], [2, T0 + 480]])
    s = run.sessions
    assert sorted((s.start[s.agent >= 1] - T0) / 60) == [7.0, 13.0]


BUSY: dict[str, Any] = {
    "name": "busy standby",
    "horizon": {"interval_min": 30, "open": "08:00", "close": "14:00"},
    "arrivals": {"volume": [60, 90, 120, 150, 90, 60, 60, 140, 160, 100, 60, 50]},
    "reasons": {"bill": {"share": 1.0, "talk": {"dist": "exponential", "mean_s": 240}}},
    "customers": {"patience": {"dist": "exponential", "mean_s": 300}},
    "agents": {
        "groups": {
            "regular": {
                "wage_per_hour": 20,
                "shifts": [{"start": "08:00", "end": "14:00", "count": 9}],
            }
        }
    },
    "standby": {
        "count": 4,
        "call_up_delay_min": 10,
        "min_stay_min": 30,
        "cost_per_hour": 30,
        "signal": "queue",
        "call_up_at": 8,
        "release_at": 1,
    },
}


def _waiting_at(run: Any, t: float) -> int:
    """Callers waiting at ``t`` by the call log alone: arrived, not yet answered, not gone."""
    c = run.calls
    arrival, answer = c.column("arrival"), c.column("answer")
    agent, patience = c.column("agent"), c.column("patience")
    gone = np.where(agent >= 0, answer, arrival + patience)
    return int(((arrival <= t) & (gone > t)).sum())


def test_hysteresis_calls_up_only_past_the_level_and_members_stay_their_minimum() -> None:
    scenario = load_scenario(BUSY)
    for r in range(3):
        run = run_model(scenario, seed=7, replication=r)
        callups = run.timelines.standby_callups
        assert len(callups) >= 4  # the two peaks call the pool
        for _, t in callups:
            assert _waiting_at(run, t) >= 8
        s = run.sessions
        pool = s.agent >= 9
        end_of_day = T0 + 6 * H
        stays = s.end[pool] - s.start[pool]
        # Every stay lasts the minimum at least, unless the day ended it; a member is called
        # again only after a session of its own ended, and never twice in one minimum stay.
        assert ((stays >= 30 * 60 - 1e-9) | (s.end[pool] >= end_of_day)).all()
        for member in range(9, 13):
            times = callups[callups[:, 0] == member, 1]
            assert (np.diff(times) >= 40 * 60 - 1e-9).all()  # delay + minimum stay apart
        # A member sent back while idle (not at the end of a call) was sent back at the release
        # level: at most one caller waiting.
        call_ends = set(zip(run.calls.column("agent"), run.calls.column("end"), strict=True))
        released = [
            t
            for a, t in zip(s.agent[pool], s.end[pool], strict=True)
            if (a, t) not in call_ends and t < end_of_day
        ]
        assert released
        assert all(_waiting_at(run, t) <= 1 for t in released)
        # The pool is paid for each call-up, delay included: hours = stays + 10 min per call-up.
        kpis = run_replication(scenario, 7, r).kpis.horizon
        logged = float(np.sum(np.minimum(s.end[pool], end_of_day) - s.start[pool]))
        assert kpis["standby_hours"] == pytest.approx((logged + 600 * len(callups)) / H)
        assert kpis["standby_cost"] == pytest.approx(kpis["standby_hours"] * 30)


@pytest.mark.parametrize("signal", ["service_level", "expected_wait_s"])
def test_a_supervisor_reviews_on_the_period_only(signal: str) -> None:
    levels = {"service_level": (0.5, 0.9), "expected_wait_s": (120, 10)}[signal]
    over = {"signal": signal, "call_up_at": levels[0], "release_at": levels[1]}
    scenario = load_scenario(merge(BUSY, {"standby": {**over, "review_every_min": 5}}))
    run = run_model(scenario, seed=7, replication=0)
    callups = run.timelines.standby_callups
    assert len(callups) > 0
    assert np.allclose((callups[:, 1] - T0) % 300, 0)  # reviews at 08:05, 08:10, ...
    s = run.sessions
    starts = np.sort(s.start[s.agent >= 9])
    np.testing.assert_allclose(starts, np.sort(callups[:, 1]) + 600)  # on after the delay


def test_a_pool_never_called_changes_nothing() -> None:
    # The same callers without a pool and with one whose level is never reached: the same calls
    # answered by the same agents at the same times, and every KPI the plain run has is equal.
    plain = load_scenario({k: v for k, v in BUSY.items() if k != "standby"})
    idle = load_scenario(merge(BUSY, {"standby": {"call_up_at": 100_000}}))
    a, b = run_replication(plain, 7, 0, keep_calls=True), run_replication(idle, 7, 0, True)
    assert a.calls is not None and b.calls is not None
    assert a.calls.equals(b.calls)
    for name, value in a.kpis.horizon.items():
        assert b.kpis.horizon[name] == pytest.approx(value, nan_ok=True), name
    assert b.kpis.horizon["standby_hours"] == 0
    assert b.kpis.horizon["standby_callups"] == 0
    assert "standby_hours" not in a.kpis.horizon


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"count": 0}, "standby.count"),
        ({"count": "8"}, "standby.count"),
        ({"call_up_delay_min": -5}, "standby.call_up_delay_min"),
        ({"handle_time_factor": 0}, "standby.handle_time_factor"),
        ({"cost_per_hour": -1}, "standby.cost_per_hour"),
        ({"signal": "idle_agents"}, "standby.signal"),
        ({"release_at": 2}, "release_at must be ≥ 0 and below call_up_at"),
        ({"signal": "service_level", "call_up_at": 0.8, "release_at": 0.6}, "call_up_at must be"),
        ({"signal": "service_level", "call_up_at": 60, "release_at": 80}, "fraction from 0 to 1"),
        ({"step": 0}, "standby.step"),
        ({"resolution_skill": 1.2}, "no effect without a resolution block"),
        ({"pool_size": 3}, "standby.pool_size"),
    ],
)
def test_bad_standby_input_is_one_line_naming_the_field(over: dict[str, Any], message: str) -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario(merge(TINY, {"standby": over}))
    text = str(err.value)
    assert message in text
    assert "\n" not in text.strip()


@pytest.mark.parametrize(
    ("window", "message"),
    [
        ({"start": "14:00", "end": "13:00"}, "must be after start"),
        ({"start": "14:10", "end": "16:00"}, "interval boundary"),
        ({"start": "14:00", "end": "25:00"}, "past 24:00"),
        ({"start": "2pm", "end": "16:00"}, "not a time of day"),
    ],
)
def test_bad_window_is_one_line(window: dict[str, str], message: str) -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario(merge(TINY, {"window": window}))
    assert message in str(err.value)
    assert "\n" not in str(err.value).strip()


def test_a_group_may_not_take_the_pools_name() -> None:
    groups = {"standby": TINY["agents"]["groups"]["regular"]}
    with pytest.raises(ScenarioError, match=r"agents\.groups\.standby"):
        load_scenario(merge(TINY, {"agents": {"groups": groups}}))


def test_the_window_kpis_are_those_of_the_calls_arriving_in_it() -> None:
    # Counted from the call log alone: the calls that arrived 11:30-12:30, those answered
    # within the 20 s threshold, those who hung up, and the answered ones' mean wait.
    scenario = load_scenario(merge(BUSY, {"window": {"start": "11:30", "end": "12:30"}}))
    kpis = run_replication(scenario, 7, 0).kpis.horizon
    c = run_model(scenario, seed=7, replication=0).calls
    arrival, answer, agent = c.column("arrival"), c.column("answer"), c.column("agent")
    inside = (arrival >= 11.5 * H) & (arrival < 12.5 * H)
    answered = inside & (agent >= 0)
    wait = answer - arrival
    assert kpis["window_offered"] == inside.sum() > 0
    assert kpis["window_service_level"] == pytest.approx(
        (answered & (wait <= 20)).sum() / inside.sum()
    )
    assert kpis["window_abandon_rate"] == pytest.approx((inside & (agent < 0)).sum() / inside.sum())
    assert kpis["window_asa_s"] == pytest.approx(wait[answered].mean())


@pytest.mark.slow
def test_the_outage_pool_saves_service_level_in_the_outage_hours() -> None:
    plans = load_plans(SCENARIOS / "utility_outage_standby.yaml")
    results = {
        name: callsim.simulate(plan, replications=8, seed=95598, workers=1)
        for name, plan in plans.items()
    }
    table = compare_results(results).table
    row = table[(table.kpi == "window_service_level") & (table.plan == "standby pool of 8")]
    assert len(row) == 1
    assert row.diff_ci_low.iloc[0] > 0  # paired 95% interval of the gain above zero
    pool = results["standby pool of 8"].summary
    assert pool.loc["standby_hours", "mean"] > 0
    assert pool.loc["standby_cost", "mean"] == pytest.approx(30 * pool.loc["standby_hours", "mean"])
