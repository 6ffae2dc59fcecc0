"""An exact oracle for the engine: the Kiefer–Wolfowitz recursion of FCFS G/G/c+G.

With one class of callers served first come first served by c identical agents who are logged in
for the whole horizon, every call's fate follows from the earlier calls alone. Keep the agents'
next-free times in a heap. A call arriving at ``a`` with patience ``p`` would wait
``w = max(0, earliest_free − a)``; if ``w > p`` it hangs up and frees nobody, otherwise it is
answered at ``a + w`` by the earliest-free agent, who is next free at ``a + w + talk + wrap``.
The recursion is fed the very draws the engine used (arrival, patience, talk and wrap-up of
every first attempt, read from the call log) and must reproduce each wait and outcome to 1e-9.

The close (``horizon.at_close``): with ``waiting: served`` the agents on at the close stay until
the queue is empty, so the recursion simply runs on past it and every call is decided; with
``waiting: lost`` a caller neither answered nor gone by the close is told the line is closed then
(counted as abandoned, after a wait up to the close).
"""

from __future__ import annotations

import heapq
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callsim.experiment.replication import run_replication
from callsim.model.calllog import ABANDONED, ANSWERED, WAITING
from callsim.model.timegrid import time_grid
from callsim.scenario.files import load_scenario

TOL = 1e-9


def scenario(
    *,
    agents: int,
    rate_per_hour: float,
    mean_talk_s: float,
    wrap_s: float,
    mean_patience_s: float,
    open_: str = "08:00",
    close: str = "20:00",
) -> dict[str, Any]:
    """Single class, FCFS, exponential talk and patience, fixed wrap-up, one shift covering the
    whole horizon (nobody logs in or out mid-run)."""
    return {
        "name": "oracle",
        "horizon": {"open": open_, "close": close, "interval_min": 30, "warmup_min": 0},
        "arrivals": {"rate_per_hour": rate_per_hour},
        "reasons": {"any": {"share": 1.0, "talk": {"dist": "exponential", "mean_s": mean_talk_s}}},
        "wrapup": {"dist": "fixed", "value_s": wrap_s},
        "customers": {"patience": {"dist": "exponential", "mean_s": mean_patience_s}},
        "agents": {
            "groups": {"desk": {"shifts": [{"start": open_, "end": close, "count": agents}]}}
        },
    }


def kiefer_wolfowitz(
    arrival: np.ndarray,
    patience: np.ndarray,
    talk: np.ndarray,
    wrap: np.ndarray,
    agents: int,
    opens: float,
    closes: float,
    served_after_close: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Wait and outcome of each call (arrival order)."""
    free = [opens] * agents
    n = len(arrival)
    wait = np.full(n, np.nan)
    outcome = np.full(n, WAITING)
    for i in range(n):
        a = float(arrival[i])
        w = max(0.0, free[0] - a)
        if not served_after_close and a + min(w, float(patience[i])) >= closes:
            outcome[i], wait[i] = ABANDONED, closes - a  # still waiting at the close: sent away
            continue
        if w > patience[i]:
            outcome[i], wait[i] = ABANDONED, float(patience[i])
            continue  # hangs up: frees no agent
        outcome[i], wait[i] = ANSWERED, w
        heapq.heapreplace(free, a + w + (float(talk[i]) + float(wrap[i])))
    return wait, outcome


def check_against_oracle(spec: dict[str, Any], seed: int, replication: int = 0) -> pd.DataFrame:
    """Run one replication and compare every call with the recursion; returns the calls."""
    model = load_scenario(spec)
    grid = time_grid(model)
    calls = run_replication(model, seed, replication, keep_calls=True).calls
    assert calls is not None
    assert (calls["attempt"] == 0).all(), "no retrials in an oracle scenario"
    calls = calls.sort_values("arrival", kind="stable").reset_index(drop=True)
    (agents,) = [s.count for g in model.agents.groups.values() for s in g.shifts]
    wait, outcome = kiefer_wolfowitz(
        calls["arrival"].to_numpy(),
        calls["patience"].to_numpy(),
        calls["talk"].to_numpy(),
        calls["wrap"].to_numpy(),
        agents,
        grid.horizon_start,
        grid.horizon_end,
        model.horizon.at_close.waiting == "served",
    )
    got = calls["outcome"].to_numpy()
    assert (outcome != WAITING).all() and (got != WAITING).all(), "nobody waits at the end"
    mismatch = np.flatnonzero(got != outcome)
    assert mismatch.size == 0, (
        f"{mismatch.size} outcomes differ, first at call {mismatch[0]}: "
        f"engine {got[mismatch[0]]}, oracle {outcome[mismatch[0]]}"
    )
    abandoned = outcome == ABANDONED
    np.testing.assert_allclose(
        calls["patience"].to_numpy()[abandoned], wait[abandoned], rtol=0, atol=TOL
    )

    answered = outcome == ANSWERED
    sim_wait = (calls["answer"] - calls["arrival"]).to_numpy()
    np.testing.assert_allclose(sim_wait[answered], wait[answered], rtol=0, atol=TOL)
    end = calls["end"].to_numpy()[answered]
    expected_end = (calls["arrival"] + wait + calls["talk"] + calls["wrap"]).to_numpy()[answered]
    np.testing.assert_allclose(end, expected_end, rtol=0, atol=1e-6)
    assert np.all(np.isnan(calls["answer"].to_numpy()[outcome == ABANDONED]))
    return calls.assign(oracle_wait=wait, oracle_outcome=outcome)


def test_heavy_load_queueing_and_abandonment_frequent() -> None:
    """7.5 Erlangs of work (talk 150 s + wrap 30 s at 150 calls/h) for 5 agents: almost every
    caller waits and about a third hang up."""
    spec = scenario(agents=5, rate_per_hour=150, mean_talk_s=150, wrap_s=30, mean_patience_s=90)
    calls = check_against_oracle(spec, seed=11)
    outcome = calls["oracle_outcome"]
    assert len(calls) > 1500
    assert (outcome == ABANDONED).mean() > 0.25
    assert (calls["oracle_wait"] > 0).mean() > 0.75


def test_light_load_few_wait() -> None:
    """3 Erlangs for 8 agents: most callers are answered at once, a few wait, hardly anyone
    hangs up."""
    spec = scenario(agents=8, rate_per_hour=60, mean_talk_s=160, wrap_s=20, mean_patience_s=60)
    calls = check_against_oracle(spec, seed=12)
    outcome = calls["oracle_outcome"]
    waited = calls["oracle_wait"][outcome == ANSWERED] > 0
    assert 0 < waited.mean() < 0.1
    assert (outcome == ANSWERED).mean() > 0.98


FULL_DAY_OVERLOAD = scenario(
    agents=10,
    rate_per_hour=300,
    mean_talk_s=170,
    wrap_s=10,
    mean_patience_s=600,
    open_="00:00",
    close="24:00",
)


def test_full_day_with_a_queue_at_the_close_served_after_it() -> None:
    """A 24-hour line in overload (15 Erlangs, 10 agents): the close falls with a queue, and the
    agents on then serve it (``at_close: served``, the default) — some callers are answered after
    the close, others hang up while waiting, and nobody is left waiting at the end."""
    calls = check_against_oracle(FULL_DAY_OVERLOAD, seed=13)
    assert len(calls) > 7000
    assert (calls["oracle_outcome"] == ABANDONED).mean() > 0.2
    after = calls[calls["arrival"] + calls["oracle_wait"] >= 86_400.0]
    assert (after["outcome"] == ANSWERED).sum() >= 10
    assert (after["outcome"] == ABANDONED).sum() >= 1


def test_callers_queued_at_the_close_are_told_when_the_line_closes() -> None:
    """``at_close: lost``: the queue at the close is sent away at that moment; nobody is
    answered after it."""
    spec = {**FULL_DAY_OVERLOAD, "horizon": {**FULL_DAY_OVERLOAD["horizon"]}}
    spec["horizon"]["at_close"] = {"waiting": "lost"}
    calls = check_against_oracle(spec, seed=13)
    sent = calls[calls["closed_out"] == 1]
    assert len(sent) >= 10
    assert np.allclose(sent["arrival"] + sent["patience"], 86_400.0)
    answered = calls[calls["outcome"] == ANSWERED]
    assert (answered["answer"] < 86_400.0).all()


@settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    agents=st.integers(1, 10),
    load=st.floats(0.3, 1.8),
    mean_talk_s=st.floats(30, 600),
    wrap_s=st.floats(0.5, 120),
    mean_patience_s=st.floats(5, 900),
    seed=st.integers(0, 2**32 - 1),
)
def test_random_centres_match_the_recursion(
    agents: int, load: float, mean_talk_s: float, wrap_s: float, mean_patience_s: float, seed: int
) -> None:
    rate_per_hour = load * agents * 3600.0 / (mean_talk_s + wrap_s)
    spec = scenario(
        agents=agents,
        rate_per_hour=rate_per_hour,
        mean_talk_s=mean_talk_s,
        wrap_s=wrap_s,
        mean_patience_s=mean_patience_s,
        open_="09:00",
        close="13:00",
    )
    check_against_oracle(spec, seed=seed)
    spec["horizon"]["at_close"] = {"waiting": "lost"}
    check_against_oracle(spec, seed=seed)
