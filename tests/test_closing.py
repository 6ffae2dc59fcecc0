"""Every day closes the same way (``horizon.at_close``): nobody waits through the night.

The old engine let the queue of day 1 wait overnight (callers with no patience were answered the
next morning after about 20 hours, and day 2 opened with SL 0.03 against 0.96 on day 1), dropped
retrials due while the line was closed, and discarded the last day's queue as "waiting at end".
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import callsim
from callsim.model.calllog import ABANDONED, ANSWERED, WAITING

DAY = 86_400.0
OPEN, CLOSE = 8 * 3600.0, 20 * 3600.0

# Identical days: a rush in the last hour leaves a queue at every close.
VOLUME = [40] * 22 + [75, 75]
THREE_DAYS: dict[str, Any] = {
    "name": "three identical days",
    "horizon": {"days": 3, "interval_min": 30, "open": "08:00", "close": "20:00"},
    "arrivals": {"volume": VOLUME},
    "reasons": {"any": {"share": 1.0, "talk": {"dist": "exponential", "mean_s": 240}}},
    "customers": {"patience": {"dist": "none"}},
    "agents": {
        "groups": {
            "desk": {
                "wage_per_hour": 20,
                "shifts": [{"start": "08:00", "end": "20:00", "count": 8}],
            }
        }
    },
}


def _day_sl(calls: pd.DataFrame, threshold_s: float = 20.0) -> pd.DataFrame:
    """Service level (answered within T / offered) per replication and day, from the calls."""
    day = (calls["arrival"] // DAY).astype(int) + 1
    good = (calls["outcome"] == ANSWERED) & (calls["answer"] - calls["arrival"] <= threshold_s)
    frame = pd.DataFrame({"rep": calls["replication"], "day": day, "good": good})
    return frame.groupby(["rep", "day"])["good"].mean().unstack()


def test_nobody_waits_through_the_night_and_identical_days_look_alike() -> None:
    res = callsim.simulate(THREE_DAYS, replications=30, seed=2, workers=2, keep_calls=True)
    calls = res.calls
    assert calls is not None
    answered = calls[calls["outcome"] == ANSWERED]
    wait = answered["answer"] - answered["arrival"]
    # Served the same evening: the queue left at 20:00 is gone well before midnight.
    assert wait.max() < 3 * 3600
    day_of_arrival = answered["arrival"] // DAY
    assert (answered["answer"] // DAY == day_of_arrival).all()
    assert ((answered["answer"] % DAY) > CLOSE).any(), "the rush leaves a queue at the close"
    assert not (calls["outcome"] == WAITING).any()
    # Day 2 starts as day 1 did: the difference of their SL is within its 95% interval.
    sl = _day_sl(calls)
    assert sl[1].mean() > 0.6
    for day in (2, 3):
        test = stats.ttest_ind(sl[day], sl[1], equal_var=False)
        assert test.pvalue > 0.05, (day, sl[day].mean(), sl[1].mean())
    first_interval = calls[(calls["arrival"] % DAY) < OPEN + 1800]
    assert _day_sl(first_interval).mean().min() > 0.8  # no morning backlog


@pytest.mark.parametrize("rule", ["call_back", "lost"])
def test_the_queue_at_the_close_is_sent_away_and_calls_back_next_morning(rule: str) -> None:
    data = copy.deepcopy(THREE_DAYS)
    data["horizon"]["at_close"] = {"waiting": rule}
    data["customers"]["retrial"] = {
        "probability": 1.0,
        "delay": {"dist": "fixed", "value_min": 5},
    }
    res = callsim.simulate(data, replications=3, seed=2, workers=1, keep_calls=True)
    calls = res.calls
    assert calls is not None
    for _, one in calls.groupby("replication"):
        sent = one[one["closed_out"] == 1]
        assert len(sent) > 0
        assert (sent["outcome"] == ABANDONED).all()
        leave = sent["arrival"] + sent["patience"]
        assert np.allclose(leave % DAY, CLOSE)  # told at the close
        answered = one[one["outcome"] == ANSWERED]
        assert ((answered["answer"] % DAY) <= CLOSE).all(), "nobody is answered after it"
        retrials = one[one["attempt"] > 0]
        morning = retrials[(retrials["arrival"] % DAY) < OPEN + 300 + 1e-6]
        if rule == "call_back":
            # Those told on days 1 and 2 ring again at 08:05 the next morning (5 minutes after
            # the opening, as the 5-minute delay fell after the close); day 3's are lost.
            told_early = int((leave < 2 * DAY + CLOSE).sum())
            assert np.allclose(morning["arrival"] % DAY, OPEN + 300)
            assert len(morning) == told_early
        else:
            assert len(morning) == 0
    per_rep = res.per_replication
    told = calls.groupby("replication")["closed_out"].sum().to_numpy()
    assert np.array_equal(per_rep["sent_away_at_close"].to_numpy(), told)


@pytest.mark.parametrize("rule", ["next_opening", "lost"])
def test_retrials_due_in_closed_hours_move_to_the_next_opening_or_are_lost(rule: str) -> None:
    """Callers hanging up in the evening retry after 3 hours, which falls in the night."""
    data = copy.deepcopy(THREE_DAYS)
    data["horizon"]["at_close"] = {"redials": rule}
    data["customers"]["patience"] = {"dist": "exponential", "mean_s": 120}
    data["customers"]["retrial"] = {
        "probability": 1.0,
        "delay": {"dist": "fixed", "value_min": 180},
    }
    res = callsim.simulate(data, replications=2, seed=3, workers=1, keep_calls=True)
    calls = res.calls
    assert calls is not None
    retrials = calls[calls["attempt"] > 0]
    clock = retrials["arrival"] % DAY
    assert ((clock >= OPEN) & (clock < CLOSE)).all(), "a retrial in closed hours"
    moved = retrials[clock < OPEN + 3 * 3600]
    # Hung up in the last 3 hours before a close of day 1 or 2 (later ones are lost): retry
    # the next morning, as long after the opening as the retry fell after the close.
    leave = calls["arrival"] + calls["patience"]
    evening_abandons = calls[
        (calls["outcome"] == ABANDONED)
        & (leave % DAY > CLOSE - 3 * 3600)
        & (leave % DAY <= CLOSE)
        & (leave < 2 * DAY)
    ]
    if rule == "next_opening":
        assert len(moved) > 0
        assert len(moved) == len(evening_abandons)
    else:
        assert len(moved) == 0
    # Every hang-up retries 3 hours later; those retries that fall in closed hours are counted:
    # moved when an opening follows within the horizon (and the rule moves them), else lost.
    due = leave[calls["outcome"] == ABANDONED] + 3 * 3600
    clock, day = due % DAY, due // DAY
    closed = (clock < OPEN) | (clock >= CLOSE)
    next_day = np.where(clock < OPEN, day, day + 1)
    movable = closed & (next_day <= 2)
    per_rep = res.per_replication
    if rule == "next_opening":
        assert per_rep["calls_again_moved"].sum() == movable.sum()
        assert per_rep["calls_again_lost"].sum() == (closed & ~movable).sum()
    else:
        assert per_rep["calls_again_moved"].sum() == 0
        assert per_rep["calls_again_lost"].sum() == closed.sum() > 0


def test_the_last_close_keeps_agents_on_like_every_other() -> None:
    """One day ending in a backlog: callers queued at the last close are served by the agents
    kept on (the old engine stopped at the horizon's end and left them 'waiting at end')."""
    data = copy.deepcopy(THREE_DAYS)
    data["horizon"]["days"] = 1
    data["customers"]["patience"] = {"dist": "exponential", "mean_s": 900}
    res = callsim.simulate(data, replications=3, seed=4, workers=1, keep_calls=True)
    per = res.per_replication
    assert (per["waiting_at_end"] == 0).all()
    assert (per["overtime_hours"] > 0).all()
    calls = res.calls
    assert calls is not None
    assert (calls[calls["outcome"] == ANSWERED]["answer"] > CLOSE).any()


def test_a_line_open_until_midnight_serves_its_queue_after_midnight() -> None:
    """The close at 24:00 is a close like any other: the queue left at midnight is answered
    by agents kept on past it (overtime), on every day including the last, not cut off."""
    data = copy.deepcopy(THREE_DAYS)
    data["horizon"].update(open="08:00", close="24:00")
    data["arrivals"] = {"volume": [40] * 30 + [75, 75]}
    data["agents"]["groups"]["desk"]["shifts"] = [{"start": "08:00", "end": "24:00", "count": 8}]
    res = callsim.simulate(data, replications=5, seed=2, workers=1, keep_calls=True)
    calls = res.calls
    assert calls is not None
    assert not (calls["outcome"] == WAITING).any()
    answered = calls[calls["outcome"] == ANSWERED]
    after_midnight = answered[answered["answer"] // DAY > answered["arrival"] // DAY]
    assert len(after_midnight) > 0
    assert ((after_midnight["answer"] % DAY) < 2 * 3600).all()
    last_day = after_midnight["arrival"] // DAY == 2
    assert last_day.any(), "the last day's midnight queue is served too"
    assert res.kpi("overtime_hours")["mean"] > 0
