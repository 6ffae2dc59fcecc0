"""The selling policies in the engine: what each one decides, and what no policy may break.

Small scenarios, a few replications, fixed seeds: every assertion is deterministic. Expectations
are either exact (two runs on the same seed, hand-computed overtime of a single agent) or
qualitative with a wide margin (more selling as K rises).
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from helpers import merge

import callsim
from callsim.model.calllog import ABANDONED
from callsim.policies.always import Always
from callsim.policies.contract import SellingPolicy
from callsim.policies.threshold import Threshold

ROOT = Path(__file__).resolve().parent.parent
SEED = 4
OPEN_S = 8 * 3600.0


BASE: dict[str, Any] = {
    "name": "policies",
    "horizon": {"interval_min": 30, "open": "08:00", "close": "12:00"},
    "arrivals": {"rate_per_hour": 140},
    "reasons": {
        "bill": {"share": 0.6, "talk": {"dist": "exponential", "mean_s": 180}},
        "activation": {"share": 0.25, "talk": {"dist": "lognormal", "mean_s": 120, "cv": 0.6}},
        "complaint": {
            "share": 0.15,
            "talk": {"dist": "exponential", "mean_s": 240},
            "wrapup": {"dist": "fixed", "value_s": 60},
        },
    },
    "wrapup": {"dist": "exponential", "mean_s": 20},
    "customers": {
        "patience": {"dist": "exponential", "mean_s": 300},
        "retrial": {"probability": 0.3, "delay": {"dist": "exponential", "mean_min": 5}},
    },
    "agents": {
        "overtime_premium": 1.5,
        "groups": {
            "sellers": {
                "wage_per_hour": 30,
                "trained_to_sell": True,
                "handle_time_factor": 1.1,
                "sales_skill": 1.2,
                "shifts": [{"start": "08:00", "end": "12:00", "count": 9}],
            }
        },
    },
    "products": {
        "plan": {
            "value": 100,
            "kpi_weight": 2,
            "pitch": {"dist": "exponential", "mean_s": 90},
            "conversion": 0.2,
        },
        "alerts": {
            "value": 20,
            "pitch": {"dist": "fixed", "value_s": 30},
            "conversion": 0.5,
            "reasons": ["activation"],
        },
    },
    # Contact rules that never bind: every caller is a new customer, any number of offers.
    "selling": {"contact_rules": {"max_offers": 1000, "cooldown_after_refusal_days": 0.0}},
}

# Two groups on staggered shifts with breaks, one of them untrained: the invariants below must
# survive logins, logouts and breaks in the middle of calls.
MIXED: dict[str, Any] = {
    "agents": {
        "groups": {
            "sellers": {
                "shifts": [
                    {
                        "start": "08:00",
                        "end": "11:00",
                        "count": 5,
                        "breaks": [{"start": "09:30", "duration_min": 15}],
                    },
                    {"start": "09:00", "end": "12:00", "count": 3},
                ]
            },
            "rookies": {
                "wage_per_hour": 20,
                "handle_time_factor": 1.3,
                "shifts": [
                    {
                        "start": "08:00",
                        "end": "12:00",
                        "count": 3,
                        "breaks": [{"start": "10:00", "duration_min": 20}],
                    }
                ],
            },
        }
    }
}

POLICIES: dict[str, dict[str, Any]] = {
    "never": {"kind": "never"},
    "always": {"kind": "always"},
    "threshold K=0": {"kind": "threshold", "k": 0},
    "threshold K=-2": {"kind": "threshold", "k": -2},
    "load_toggle real time": {
        "kind": "load_toggle",
        "signal": "queue",
        "on_at": 0,
        "off_at": 3,
        "min_dwell_min": 5,
    },
    "load_toggle reviews": {
        "kind": "load_toggle",
        "signal": "idle_agents",
        "on_at": 2,
        "off_at": 0,
        "review_every_min": 10,
    },
    "overtime_training": {"kind": "overtime_training", "sells": "always"},
    "talk_flex": {"kind": "talk_flex", "sells": "always"},
}


def run(
    policy: dict[str, Any],
    over: dict[str, Any] | None = None,
    *,
    replications: int = 3,
    seed: int = SEED,
) -> callsim.SimulationResult:
    data = merge(BASE, over or {})
    data["selling"]["policy"] = policy
    return callsim.simulate(data, replications=replications, seed=seed, workers=1, keep_calls=True)


def answered(calls: pd.DataFrame) -> pd.DataFrame:
    return calls[calls["agent"] >= 0]


def offer_time(calls: pd.DataFrame) -> pd.Series:
    """When the talk phase ended and the offer was (or was not) made."""
    return calls["end"] - calls["pitch"] - calls["wrap"]


# --------------------------------------------------------------------------------------------
# invariants, for every policy


@pytest.fixture(scope="module", params=list(POLICIES))
def mixed_run(request: pytest.FixtureRequest) -> tuple[str, callsim.SimulationResult]:
    name = request.param
    return name, run(POLICIES[name], MIXED)


def test_every_call_is_answered_abandoned_or_still_waiting(
    mixed_run: tuple[str, callsim.SimulationResult],
) -> None:
    _, res = mixed_run
    per = res.per_replication
    assert (per["offered"] == per["answered"] + per["abandoned"] + per["waiting_at_end"]).all()
    assert (per["answered"] > 0).all()
    calls = res.calls
    assert calls is not None
    counts = calls.groupby("replication")["outcome"].value_counts().unstack(fill_value=0)
    assert (counts.sum(axis=1).to_numpy() == per["offered"].to_numpy()).all()


def test_no_agent_serves_two_calls_at_once(
    mixed_run: tuple[str, callsim.SimulationResult],
) -> None:
    name, res = mixed_run
    calls = answered(res.calls).sort_values(["replication", "agent", "answer"])
    following = calls.groupby(["replication", "agent"])["answer"].shift(-1)
    overlap = (calls["end"] - following).dropna()
    assert (overlap <= 1e-6).all(), f"{name}: overlaps up to {overlap.max():.3g} s"


def test_end_is_answer_plus_talk_pitch_and_wrap(
    mixed_run: tuple[str, callsim.SimulationResult],
) -> None:
    _, res = mixed_run
    calls = answered(res.calls)
    groups = res.scenario.agents.groups
    factor_of_group = {g: spec.handle_time_factor for g, spec in groups.items()}
    factor = res.agents["group"].map(factor_of_group).to_numpy()[calls["agent"].to_numpy()]
    expected = (
        calls["answer"]
        + calls["talk"] * factor * calls["talk_factor"].astype(float)
        + calls["pitch"]
        + calls["wrap"]
    )
    assert np.allclose(calls["end"], expected, rtol=0, atol=1e-6)
    assert (calls["answer"] >= calls["arrival"]).all()
    assert (calls["answer"] - calls["arrival"] <= calls["patience"] + 1e-9).all()
    unanswered = res.calls[res.calls["agent"] < 0]
    assert unanswered["answer"].isna().all() and unanswered["end"].isna().all()


def test_offers_only_by_trained_agents_and_never_on_complaints(
    mixed_run: tuple[str, callsim.SimulationResult],
) -> None:
    name, res = mixed_run
    calls = res.calls
    offered = calls[calls["product"] >= 0]
    group = res.agents["group"].to_numpy()
    assert (group[offered["agent"].to_numpy()] == "sellers").all()
    complaint = list(res.scenario.reasons).index("complaint")
    assert (offered["reason"] != complaint).all()
    assert (offered["pitch"] > 0).all()
    assert (calls.loc[calls["product"] < 0, "pitch"] == 0).all()
    assert (calls.loc[calls["product"] < 0, "converted"] == 0).all()
    rookies = res.agents["group"] == "rookies"
    assert (res.agents.loc[rookies, "offers"] == 0).all()
    per = res.per_replication
    assert (per["conversions"] <= per["offers"]).all()
    assert (per["offers"] <= per["answered"]).all()
    sells = name not in ("never",)
    assert (per["offers"] > 0).all() == sells


def test_no_calls_are_answered_during_breaks_or_after_the_shift(
    mixed_run: tuple[str, callsim.SimulationResult],
) -> None:
    """Breaks: sellers of the 08:00 shift 09:30–09:45, rookies 10:00–10:20."""
    name, res = mixed_run
    calls = answered(res.calls)
    label = res.agents["agent"].to_numpy()[calls["agent"].to_numpy()]
    early = pd.Series(label, index=calls.index).str.startswith("sellers/08:00")
    rookie = pd.Series(label, index=calls.index).str.startswith("rookies/")
    t = calls["answer"]
    in_break = (early & (t > 9.5 * 3600) & (t < 9.75 * 3600)) | (
        rookie & (t > 10 * 3600) & (t < 10 * 3600 + 1200)
    )
    assert not in_break.any(), f"{name}: {int(in_break.sum())} calls answered during a break"
    if name != "overtime_training":  # the only policy that keeps agents on past a shift's end
        assert not (early & (t > 11 * 3600)).any()


def test_hours_add_up(mixed_run: tuple[str, callsim.SimulationResult]) -> None:
    """Logged-in plus training time fits in paid time, and occupancy is a share."""
    name, res = mixed_run
    per = res.per_replication
    assert (per["agent_hours"] + per["training_hours"] <= per["paid_hours"] + 1e-9).all(), name
    assert (per["occupancy"] <= 1 + 1e-9).all(), name
    assert (per["utilisation"] <= per["occupancy"] + 1e-9).all(), name


# --------------------------------------------------------------------------------------------
# never and always


def test_never_makes_no_offers_and_serves_like_a_line_without_products() -> None:
    never = run({"kind": "never"})
    plain = merge(BASE, {})
    del plain["products"]
    without = callsim.simulate(plain, replications=3, seed=SEED, workers=1, keep_calls=True)
    assert (never.per_replication["offers"] == 0).all()
    assert (never.per_replication["revenue"] == 0).all()
    assert (never.calls["product"] == -1).all()
    assert never.per_replication.equals(without.per_replication)
    pd.testing.assert_frame_equal(never.calls, without.calls)


def test_always_offers_every_eligible_call() -> None:
    top = merge(MIXED, {"selling": {"recommender": {"rule": "top"}}})
    res = run({"kind": "always"}, top)
    calls = answered(res.calls)
    complaint = list(res.scenario.reasons).index("complaint")
    trained = res.agents["group"].to_numpy()[calls["agent"].to_numpy()] == "sellers"
    eligible = trained & (calls["reason"] != complaint).to_numpy()
    assert eligible.sum() > 100
    assert (calls.loc[eligible, "product"] >= 0).all()
    assert (calls.loc[~eligible, "product"] == -1).all()
    # The recommender's top choice: alerts (20 × 0.5 = 10) loses to the plan (100 × 0.2 = 20).
    assert (calls.loc[eligible, "product"] == 0).all()


def test_always_respects_contact_rules() -> None:
    """With a small customer base and at most one offer per customer in 30 days, most eligible
    calls of a repeat caller get nothing: the contact rule, not the policy, has the last word."""
    res = run(
        {"kind": "always"}, {"selling": {"population": 40, "contact_rules": {"max_offers": 1}}}
    )
    calls = answered(res.calls)
    offered = calls[calls["product"] >= 0]
    assert offered.groupby(["replication", "customer"]).size().max() == 1
    assert len(offered) < 0.5 * len(calls)


# --------------------------------------------------------------------------------------------
# threshold


def test_threshold_sells_more_and_serves_worse_as_k_rises() -> None:
    res = {k: run({"kind": "threshold", "k": k}, replications=5) for k in (-3, 0, 3)}
    offers = [res[k].summary.loc["offers", "mean"] for k in (-3, 0, 3)]
    sl = [res[k].summary.loc["service_level", "mean"] for k in (-3, 0, 3)]
    assert offers[0] > 0
    assert offers[0] * 1.5 < offers[1] and offers[1] * 1.2 < offers[2], offers
    assert sl[0] > sl[1] > sl[2], sl
    for k in (-3, 3):  # the same first callers every time: common random numbers
        first = res[k].calls.loc[res[k].calls["attempt"] == 0, "arrival"].to_numpy()
        assert (first == res[0].calls.loc[res[0].calls["attempt"] == 0, "arrival"]).all()


def test_threshold_extremes_are_always_and_never() -> None:
    big = run({"kind": "threshold", "k": 10_000})
    always = run({"kind": "always"})
    assert big.per_replication.equals(always.per_replication)
    impossible = run({"kind": "threshold", "k": -100})  # 100 other idle agents: never
    never = run({"kind": "never"})
    assert (impossible.per_replication["offers"] == 0).all()
    service = ["offered", "answered", "abandoned", "service_level", "asa_s", "aht_s", "occupancy"]
    pd.testing.assert_frame_equal(
        impossible.per_replication[service], never.per_replication[service], rtol=1e-9
    )


def test_threshold_k_zero_offers_only_when_nobody_waits() -> None:
    """At each offer, the queue was empty: no caller arrived before the offer and was answered
    after it."""
    res = run({"kind": "threshold", "k": 0}, replications=2)
    calls = res.calls
    for _, one in calls.groupby("replication"):
        served = one[one["agent"] >= 0]
        at = offer_time(served[served["product"] >= 0]).to_numpy()
        arrival = one["arrival"].to_numpy()
        left = np.where(
            one["agent"] >= 0,
            one["answer"],
            np.where(one["outcome"] == ABANDONED, one["arrival"] + one["patience"], np.inf),
        )
        for t in at:
            waiting = (arrival < t - 1e-9) & (left > t + 1e-9)
            assert not waiting.any(), t


class _Load:
    """A centre with nothing but a load: what a gate may read."""

    def __init__(self, waiting: int, idle: int) -> None:
        self._waiting, self._idle = waiting, idle

    def waiting(self, level: int | None = None) -> int:
        return self._waiting

    def n_idle(self) -> int:
        return self._idle


@pytest.mark.parametrize("policy", [Threshold(k) for k in (-3, -1, 0, 2)] + [Always()])
def test_a_load_gate_answers_as_the_policy_does(policy: SellingPolicy) -> None:
    gate = policy.offer_gate()
    assert gate is not None
    for waiting in range(6):
        for idle in range(6):
            policy.centre = _Load(waiting, idle)  # type: ignore[assignment]
            by_gate = waiting <= gate.max_waiting and idle >= gate.min_idle
            assert by_gate == policy.may_offer(0, None), (waiting, idle)  # type: ignore[arg-type]


@pytest.mark.parametrize("policy", [{"kind": "threshold", "k": k} for k in (-2, 0, 1)])
def test_the_engine_checks_a_gate_as_the_policy_would_decide(
    policy: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same run, call for call, whether the engine checks the gate or asks ``may_offer``."""
    gated = run(policy, MIXED, replications=2).calls
    monkeypatch.setattr(Threshold, "offer_gate", lambda self: None)
    asked = run(policy, MIXED, replications=2).calls
    assert (gated["product"] >= 0).sum() > 0
    pd.testing.assert_frame_equal(gated, asked)


# --------------------------------------------------------------------------------------------
# load toggle


def _state_at(switch: pd.DataFrame, t: np.ndarray) -> np.ndarray:
    times = switch["time_s"].to_numpy()
    idx = np.searchsorted(times, t, side="right") - 1
    return switch["on"].to_numpy()[idx] > 0


@pytest.mark.parametrize(
    "policy",
    [
        {"kind": "load_toggle", "signal": "queue", "on_at": 0, "off_at": 3, "min_dwell_min": 10},
        {"kind": "load_toggle", "signal": "idle_agents", "on_at": 2, "off_at": 0},
        {
            "kind": "load_toggle",
            "signal": "service_level",
            "on_at": 0.9,
            "off_at": 0.6,
            "min_dwell_min": 4,
            "window_min": 20,
        },
    ],
    ids=["queue", "idle_agents", "service_level"],
)
def test_load_toggle_real_time(policy: dict[str, Any]) -> None:
    res = run(policy)
    dwell = policy.get("min_dwell_min", 0) * 60.0
    switch = res.switch
    assert set(switch["replication"]) == {0, 1, 2}
    for rep, tl in switch.groupby("replication"):
        tl = tl.reset_index(drop=True)
        times, on = tl["time_s"].to_numpy(), tl["on"].to_numpy() > 0
        assert times[0] == OPEN_S  # the screen's state is set at opening
        assert (np.diff(times) >= 0).all()
        assert (on[1:] != on[:-1]).all(), "switches alternate on and off"
        assert len(times) >= 3, "the signal should flip the switch at least twice"
        # Dwell: between two switches (the opening state is not a switch unless it is on).
        switches = times[1:] if not on[0] else times
        assert (np.diff(switches) >= dwell - 1e-6).all()
        # Offers are made exactly while the screen is on.
        calls = res.calls[res.calls["replication"] == rep]
        served = answered(calls)
        eligible = served[served["reason"] != list(res.scenario.reasons).index("complaint")]
        t = offer_time(eligible).to_numpy() + 1e-6
        state = _state_at(tl, t)
        made = (eligible["product"] >= 0).to_numpy()
        assert (made == state).all(), (rep, int((made != state).sum()))
        # switch_on_share is the on-time of the timeline over the horizon (08:00–12:00).
        horizon_end = OPEN_S + 4 * 3600
        spans = np.append(times[1:], horizon_end)
        on_time = np.clip(np.minimum(spans, horizon_end) - times, 0, None)[on].sum()
        share = res.per_replication.loc[rep, "switch_on_share"]
        assert share == pytest.approx(on_time / (horizon_end - OPEN_S))


def _queue_path(calls: pd.DataFrame, close: float) -> tuple[np.ndarray, np.ndarray]:
    """Times at which the number waiting changed, and the number waiting just after each,
    rebuilt from the call records alone."""
    arrival = calls["arrival"].to_numpy()
    left = np.where(
        calls["agent"] >= 0,
        calls["answer"],
        np.where(calls["outcome"] == ABANDONED, arrival + calls["patience"], close),
    )
    queued = left > arrival
    times = np.concatenate([arrival[queued], left[queued]])
    steps = np.concatenate([np.ones(queued.sum()), -np.ones(queued.sum())])
    order = np.argsort(times, kind="stable")
    return times[order], np.cumsum(steps[order])


def test_real_time_toggle_follows_every_change_of_its_signal() -> None:
    """With no review period and no dwell, the switch's timeline is the hysteresis rule applied
    to the queue at every change of it: replaying the rule on the queue path rebuilt from the
    call records gives the same switches at the same times, so switch_on_share measures the
    signal (the engine used to look only at talk completions)."""
    policy = {"kind": "load_toggle", "signal": "queue", "on_at": 0, "off_at": 2}
    res = run(policy, {"arrivals": {"rate_per_hour": 170}})
    close = OPEN_S + 4 * 3600
    for rep, tl in res.switch.groupby("replication"):
        times, level = _queue_path(res.calls[res.calls["replication"] == rep], close)
        expected = [(OPEN_S, True)]  # nobody waits at opening: on
        on = True
        for t, q in zip(times, level, strict=True):
            if t >= close:
                break
            if (on and q >= 2) or (not on and q <= 0):
                on = not on
                expected.append((t, on))
        before_close = tl["time_s"] < close  # switching on after the close is not measured
        got = list(zip(tl["time_s"][before_close], tl["on"][before_close] > 0, strict=True))
        assert len(got) == len(expected) > 20, rep
        assert np.allclose([g[0] for g in got], [e[0] for e in expected], rtol=0, atol=1e-6)
        assert [g[1] for g in got] == [e[1] for e in expected]


@pytest.mark.parametrize("period_min", [5, 15])
def test_load_toggle_switches_only_at_reviews(period_min: int) -> None:
    policy = {
        "kind": "load_toggle",
        "signal": "queue",
        "on_at": 0,
        "off_at": 2,
        "review_every_min": period_min,
        "min_dwell_min": 0,
    }
    res = run(policy)
    period = period_min * 60.0
    for rep, tl in res.switch.groupby("replication"):
        times, on = tl["time_s"].to_numpy(), tl["on"].to_numpy() > 0
        assert (on[1:] != on[:-1]).all()
        assert len(times) >= 3
        k = (times - OPEN_S) / period
        assert np.allclose(k, np.round(k), atol=1e-9), times
        calls = res.calls[res.calls["replication"] == rep]
        served = answered(calls)
        eligible = served[served["reason"] != list(res.scenario.reasons).index("complaint")]
        state = _state_at(tl, offer_time(eligible).to_numpy())
        assert ((eligible["product"] >= 0).to_numpy() == state).all()


def test_load_toggle_min_dwell_between_reviews() -> None:
    policy = {
        "kind": "load_toggle",
        "signal": "queue",
        "on_at": 0,
        "off_at": 1,
        "review_every_min": 5,
        "min_dwell_min": 12,
    }
    res = run(policy)
    for _, tl in res.switch.groupby("replication"):
        times = tl["time_s"].to_numpy()
        on = tl["on"].to_numpy() > 0
        switches = times if on[0] else times[1:]
        assert len(switches) >= 2
        gaps = np.diff(switches)
        assert (gaps >= 12 * 60 - 1e-6).all()
        assert np.allclose(gaps / 300, np.round(gaps / 300))  # still on review ticks: ≥ 15 min
        assert (gaps >= 15 * 60 - 1e-6).all()


def test_expected_wait_signal_turns_selling_on_when_agents_are_idle() -> None:
    """A quiet centre (70 calls an hour on 9 agents: most agents idle most of the time): a caller
    joining now waits nothing, so a switch set to sell while the expected wait is at most 10 s
    should be on for most of the day."""
    policy = {"kind": "load_toggle", "signal": "expected_wait_s", "on_at": 10, "off_at": 60}
    res = run(policy, {"arrivals": {"rate_per_hour": 70}})
    assert res.summary.loc["p_wait", "mean"] < 0.2
    assert res.summary.loc["switch_on_share", "mean"] > 0.5
    assert res.summary.loc["offers", "mean"] > 0


# --------------------------------------------------------------------------------------------
# overtime and training

# A quiet morning, a surge after noon, and a shift that ends while the surge still queues.
DAY_SHAPE: dict[str, Any] = {
    "name": "quiet morning, busy afternoon",
    "horizon": {"interval_min": 30, "open": "08:00", "close": "16:00"},
    "arrivals": {"volume": [8] * 8 + [60, 70, 80, 80, 80, 80, 30, 30]},
    "reasons": {"bill": {"share": 1.0, "talk": {"dist": "exponential", "mean_s": 240}}},
    "customers": {"patience": {"dist": "exponential", "mean_s": 1200}},
    "agents": {
        "overtime_premium": 1.5,
        "groups": {
            "team": {
                "wage_per_hour": 20,
                "shifts": [{"start": "08:00", "end": "15:00", "count": 8}],
            }
        },
    },
}
OVERTIME_TRAINING = {
    "kind": "overtime_training",
    "review_every_min": 15,
    "train_when_idle_share": 0.3,
    "train_share": 0.5,
    "recall_when_queue": 5,
    "decision_lag_min": 10,
    "sign_in_delay_min": 5,
    "overtime_when_queue": 3,
    "max_overtime_min": 60,
}


def test_overtime_training_trains_when_quiet_and_keeps_shifts_on_when_busy() -> None:
    data = copy.deepcopy(DAY_SHAPE)
    data["selling"] = {"policy": OVERTIME_TRAINING}
    res = callsim.simulate(data, replications=3, seed=SEED, workers=1, keep_calls=True)
    data["selling"] = {"policy": {"kind": "never"}}
    base = callsim.simulate(data, replications=3, seed=SEED, workers=1, keep_calls=True)
    per, ref = res.per_replication, base.per_replication
    assert (per["training_hours"] > 1).all()
    assert (ref["training_hours"] == 0).all()
    assert (per["overtime_hours"] > ref["overtime_hours"]).all()
    assert (per["overtime_hours"] <= 8 * 1.0 + 8 * 0.5).all()  # an hour each, and a last call
    # Staff cost: the scheduled 8 × 7 h at the wage, overtime at 1.5 × the wage.
    scheduled = per["paid_hours"] - per["overtime_hours"]
    assert np.allclose(scheduled, 56.0)
    assert np.allclose(per["staff_cost"], 20 * scheduled + 1.5 * 20 * per["overtime_hours"])
    assert np.allclose(ref["staff_cost"], 20 * 56.0 + 1.5 * 20 * ref["overtime_hours"])
    # Training is paid time off the phones: logged-in + training = paid (no breaks, no shrinkage).
    assert np.allclose(per["agent_hours"] + per["training_hours"], per["paid_hours"])
    assert np.allclose(per["net_contribution"], per["revenue"] - per["staff_cost"])
    # The lag: trainees come back too late for the surge, so service suffers against `never`.
    assert (per["service_level"] < ref["service_level"]).all()
    # Agents answer calls past 15:00 only because the policy kept them on.
    assert (answered(res.calls)["answer"] > 15 * 3600).any()
    assert not (answered(base.calls)["answer"] > 15 * 3600).any()


def test_overtime_is_not_taken_at_a_break() -> None:
    """A break is not the end of a shift: an agent going on break with callers queueing takes the
    break (and is not paid overtime for skipping it), and comes back as one agent, not two."""
    data = {
        "name": "breaks under a backlog",
        "horizon": {"interval_min": 30, "open": "08:00", "close": "12:00"},
        "arrivals": {"rate_per_hour": 150},
        "reasons": {"bill": {"share": 1.0, "talk": {"dist": "exponential", "mean_s": 200}}},
        "customers": {"patience": {"dist": "exponential", "mean_s": 600}},
        "agents": {
            "groups": {
                "team": {
                    "wage_per_hour": 20,
                    "shifts": [
                        {
                            "start": "08:00",
                            "end": "12:00",
                            "count": 6,
                            "breaks": [{"start": "10:00", "duration_min": 15}],
                        }
                    ],
                }
            }
        },
        "selling": {"policy": {"kind": "overtime_training", "overtime_when_queue": 3}},
    }
    res = callsim.simulate(data, replications=2, seed=1, workers=1, keep_calls=True)
    calls = answered(res.calls)
    t = calls["answer"]
    assert not ((t > 10 * 3600) & (t < 10.25 * 3600)).any(), "calls answered during the break"
    ordered = calls.sort_values(["replication", "agent", "answer"])
    following = ordered.groupby(["replication", "agent"])["answer"].shift(-1)
    assert ((ordered["end"] - following).dropna() <= 1e-6).all(), "two calls at once"
    per = res.per_replication
    assert (per["occupancy"] <= 1 + 1e-9).all()
    # 6 agents × (4 h − 15 min) logged in, plus at most the call in hand at the close.
    assert (per["agent_hours"] >= 6 * 3.75 - 1e-6).all()


ONE_AGENT: dict[str, Any] = {
    "name": "one agent",
    "horizon": {"interval_min": 30, "open": "08:00", "close": "10:00"},
    "arrivals": {"volume": [20, 0, 0, 0]},
    "reasons": {"bill": {"share": 1.0, "talk": {"dist": "fixed", "value_s": 600}}},
    "agents": {
        "overtime_premium": 2.0,
        "groups": {
            "solo": {
                "wage_per_hour": 30,
                "shifts": [{"start": "08:00", "end": "09:00", "count": 1}],
            }
        },
    },
}


@pytest.mark.parametrize("kept_on", [True, False])
def test_overtime_cost_of_one_agent_by_hand(kept_on: bool) -> None:
    """One agent, 08:00–09:00, ten-minute calls from a burst of callers at 08:00–08:30 who never
    hang up. Busy without a break from the first arrival t0, the agent finishes calls at
    t0 + 600 k. Kept on while anyone waits, for at most 30 minutes (checked every 5), the agent
    leaves after the call in hand at 09:30; without the policy, after the call in hand at 09:00.
    Cost = 30 × 1 h + 2.0 × 30 × overtime."""
    data = copy.deepcopy(ONE_AGENT)
    if kept_on:
        data["selling"] = {
            "policy": {
                "kind": "overtime_training",
                "review_every_min": 60,
                "overtime_when_queue": 1,
                "max_overtime_min": 30,
            }
        }
    res = callsim.simulate(data, replications=3, seed=2, workers=1, keep_calls=True)
    until = 9 * 3600 + (1800 if kept_on else 0)
    for rep, calls in res.calls.groupby("replication"):
        assert len(calls) >= 12  # enough callers to keep the queue non-empty until 09:30
        t0 = calls["arrival"].min()
        last_end = t0 + 600 * math.ceil((until - t0) / 600)
        overtime_h = (last_end - 9 * 3600) / 3600
        per = res.per_replication.loc[rep]
        assert per["overtime_hours"] == pytest.approx(overtime_h)
        assert per["paid_hours"] == pytest.approx(1 + overtime_h)
        assert per["agent_hours"] == pytest.approx(1 + overtime_h)
        assert per["staff_cost"] == pytest.approx(30 * 1 + 2.0 * 30 * overtime_h)
        assert calls["end"].max() == pytest.approx(last_end)
        assert res.agents.loc[0, "cost"] == pytest.approx(res.per_replication["staff_cost"].mean())


def _leave_by_hand(calls: pd.DataFrame, shift_end: float, max_s: float, check_s: float) -> float:
    """When a single agent kept on "while anyone waits" leaves: at the first check (shift end,
    then every ``check_s``) where nobody waits or the limit is reached, or after the call then
    in hand."""
    served = calls[calls["agent"] >= 0]
    c = shift_end
    while True:
        waiting = ((calls["arrival"] < c) & ~(calls["answer"] <= c)).sum()
        if waiting < 1 or c - shift_end >= max_s:
            in_hand = served[(served["answer"] <= c) & (served["end"] > c)]
            return float(in_hand["end"].max()) if len(in_hand) else c
        c += check_s


def test_overtime_stops_when_the_queue_clears_or_at_the_limit() -> None:
    data = copy.deepcopy(ONE_AGENT)
    data["arrivals"] = {"volume": [8, 0, 0, 0]}  # about as many callers as the agent can serve
    data["selling"] = {
        "policy": {
            "kind": "overtime_training",
            "review_every_min": 60,
            "overtime_when_queue": 1,
            "max_overtime_min": 30,
        }
    }
    res = callsim.simulate(data, replications=6, seed=2, workers=1, keep_calls=True)
    cleared = 0
    for rep, calls in res.calls.groupby("replication"):
        leave = _leave_by_hand(calls, 9 * 3600.0, 1800.0, 300.0)
        expected_h = max(leave - 9 * 3600.0, 0.0) / 3600
        assert res.per_replication.loc[rep, "overtime_hours"] == pytest.approx(expected_h)
        cleared += leave < 9.5 * 3600
    assert 0 < cleared < 6  # both ways of stopping occur among the replications


# --------------------------------------------------------------------------------------------
# talk-time flex

BUSY: dict[str, Any] = {"arrivals": {"rate_per_hour": 190}}
FLEX = {
    "kind": "talk_flex",
    "busy_when_queue": 3,
    "idle_when_idle_agents": 3,
    "busy_factor": 0.7,
    "idle_factor": 1.3,
    "repeat_per_cut": 0.5,
}


def test_talk_flex_factors_take_only_the_three_values() -> None:
    res = run(FLEX, BUSY)
    factor = answered(res.calls)["talk_factor"].to_numpy(dtype=float)
    values = np.array([0.7, 1.0, 1.3])
    nearest = values[np.abs(factor[:, None] - values[None, :]).argmin(axis=1)]
    assert np.allclose(factor, nearest, rtol=0, atol=1e-6)
    assert (np.isclose(factor, 0.7)).sum() > 50  # busy: many calls were cut
    # Calls that were never answered keep the neutral factor.
    assert (res.calls.loc[res.calls["agent"] < 0, "talk_factor"] == 1.0).all()


def test_talk_flex_records_the_configured_factor_exactly() -> None:
    res = run(FLEX, BUSY, replications=1)
    factor = set(answered(res.calls)["talk_factor"].astype(float).unique().tolist())
    assert factor <= {0.7, 1.0, 1.3}, factor


def test_talk_flex_when_busy_cuts_aht_and_brings_repeat_calls() -> None:
    flex = run(FLEX, BUSY, replications=3)
    never = run({"kind": "never"}, BUSY, replications=3)
    assert (flex.per_replication["repeat_calls"] > 0).all()
    assert (never.per_replication["repeat_calls"] == 0).all()
    assert (flex.per_replication["aht_s"] < never.per_replication["aht_s"]).all()
    # Only calls that were cut short come back.
    no_cut = run(dict(FLEX, busy_factor=1.0), BUSY, replications=3)
    assert (no_cut.per_replication["repeat_calls"] == 0).all()
    repeats = flex.calls[flex.calls["repeat"] > 0]
    assert len(repeats) > 0 and (repeats["attempt"] == 0).all()


def test_talk_flex_idle_stretch_costs_satisfaction() -> None:
    quiet = {"arrivals": {"rate_per_hour": 60}}
    penalty = {"satisfaction": {"long_talk": 0.2}}  # a whole level: visible on a plain call
    stretch = run(dict(FLEX, idle_factor=1.5), merge(quiet, penalty))
    plain = run(dict(FLEX, idle_factor=1.0), merge(quiet, penalty))
    assert (stretch.per_replication["aht_s"] > plain.per_replication["aht_s"]).all()
    assert (stretch.per_replication["satisfaction"] < plain.per_replication["satisfaction"]).all()


def test_training_ends_with_the_session_even_when_it_runs_to_the_close() -> None:
    """Agents still in training at the close are off the phones until their shift ends, not
    until the last call in hand is finished (the old engine let training run into the drain)."""
    from callsim.model.replication import run_model
    from callsim.scenario.files import load_scenario

    scenario = load_scenario(ROOT / "scenarios" / "policies" / "overtime_training.yaml")
    closed_in_training = 0
    for replication in range(3):
        run = run_model(scenario, seed=5, replication=replication)
        paid = np.asarray(run.roster.paid, dtype=float).reshape(-1, 3)
        for agent, start, end in run.timelines.training:
            mine = paid[paid[:, 0] == agent]
            inside = (mine[:, 1] <= start) & (end <= mine[:, 2])
            assert inside.any(), f"training of agent {agent} {start}-{end} outside paid time"
            closed_in_training += end == run.grid.horizon_end
    assert closed_in_training > 0  # the case the test is about did occur


def _most_at_once(spans: np.ndarray) -> int:
    if len(spans) == 0:
        return 0
    times = np.concatenate([spans[:, 1], spans[:, 2]])
    steps = np.concatenate([np.ones(len(spans)), -np.ones(len(spans))])
    order = np.lexsort((steps, times))  # a span ending at t is gone before one starting at t
    return int(np.cumsum(steps[order]).max())


@pytest.mark.parametrize(("share", "most"), [(0.6, 4), (0.0, None)])
def test_overtime_training_keeps_a_floor_on_the_phones(share: float, most: int | None) -> None:
    """10 agents, a quiet day, an eager supervisor: with a floor of 60% on the phones at most 4
    are ever in training at once; without it (share 0, one agent) the same day trains more."""
    from callsim.model.replication import run_model
    from callsim.scenario.files import load_scenario

    data = copy.deepcopy(DAY_SHAPE)
    data["agents"]["groups"]["team"]["shifts"][0]["count"] = 10
    data["selling"] = {
        "policy": {
            **OVERTIME_TRAINING,
            "train_when_idle_share": 0.1,
            "train_share": 1.0,
            "decision_lag_min": 0,
            "min_on_phones": 1,
            "min_on_phones_share": share,
        }
    }
    scenario = load_scenario(data)
    peaks = [
        _most_at_once(run_model(scenario, seed=SEED, replication=r).timelines.training)
        for r in range(3)
    ]
    if most is not None:
        assert max(peaks) == most
    else:
        assert max(peaks) > 4
