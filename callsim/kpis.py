"""Service KPIs of one replication, for the whole horizon and per planning interval (SPEC §3).

Calls belong to the interval they arrive in; time-based measures (occupancy, queue length, agents
logged in) are split across intervals by how much of each span falls in them. Everything before the
warm-up's end is left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from callsim.engine import Sessions
from callsim.records import ABANDONED, ANSWERED, WAITING, CallLog
from callsim.roster import Roster
from callsim.scenario import SL_DEFINITIONS, ServiceLevelGoal
from callsim.spans import max_level, overlap
from callsim.timegrid import TimeGrid

CALL_KPIS = (
    "offered",
    "answered",
    "abandoned",
    "short_abandons",
    "waiting_at_end",
    "retrials",
    "service_level",
    *(f"sl_{d}" for d in SL_DEFINITIONS),
    "asa_s",
    "mean_wait_s",
    "p_wait",
    "abandon_rate",
    "aht_s",
)
TIME_KPIS = ("mean_queue", "max_queue", "occupancy", "utilisation")
HORIZON_KPIS = (*CALL_KPIS, *TIME_KPIS, "agent_hours", "paid_hours", "overtime_hours", "staff_cost")
INTERVAL_KPIS = (*CALL_KPIS, *TIME_KPIS, "agents_logged_in", "agents_paid")
AGENT_KPIS = ("calls", "busy_h", "logged_in_h", "paid_h", "overtime_h", "occupancy", "cost")


@dataclass(frozen=True)
class ReplicationKpis:
    horizon: np.ndarray  # (len(HORIZON_KPIS),)
    intervals: np.ndarray  # (n_intervals, len(INTERVAL_KPIS))
    agents: np.ndarray  # (n_agents, len(AGENT_KPIS))


def compute_kpis(
    calls: CallLog,
    sessions: Sessions,
    roster: Roster,
    grid: TimeGrid,
    goal: ServiceLevelGoal,
    overtime_premium: float,
) -> ReplicationKpis:
    arrival = calls.column("arrival")
    counted = (arrival >= grid.warmup_end) & (arrival < grid.horizon_end)
    interval = grid.index_of(arrival)
    counted &= interval >= 0
    outcome = calls.column("outcome")[counted]
    interval = interval[counted]
    arrival = arrival[counted]
    answer = calls.column("answer")[counted]
    end = calls.column("end")[counted]
    patience = calls.column("patience")[counted]
    answered = outcome == ANSWERED
    abandoned = outcome == ABANDONED
    waiting = outcome == WAITING
    wait = np.where(answered, answer - arrival, np.where(abandoned, patience, 0.0))
    wait = np.where(waiting, grid.horizon_end - arrival, wait)

    short = abandoned & (wait < goal.short_abandon_s)
    ans_t = answered & (wait <= goal.threshold_s)
    ab_t = abandoned & (wait <= goal.threshold_s) & ~short
    columns = {
        "offered": np.ones_like(wait),
        "answered": answered,
        "abandoned": abandoned,
        "short": short,
        "waiting": waiting,
        "retrial": calls.column("attempt")[counted] > 0,
        "ans_t": ans_t,
        "ab_t": ab_t,
        "waited": wait > 0,
        "wait_answered": np.where(answered, wait, 0.0),
        "wait_resolved": np.where(waiting, 0.0, wait),
        "handle": np.where(answered, end - answer, 0.0),
    }
    n = len(grid)
    per_interval = {k: np.bincount(interval, weights=v, minlength=n) for k, v in columns.items()}
    totals = {k: np.array([v.sum()]) for k, v in per_interval.items()}

    # Time-based measures: queue, busy agents, logged-in agents, paid agents.
    leave = np.where(answered, answer, np.where(abandoned, arrival + patience, grid.horizon_end))
    queued = leave > arrival
    all_answer = calls.column("answer")
    busy_mask = ~np.isnan(all_answer)
    busy_start, busy_end = all_answer[busy_mask], calls.column("end")[busy_mask]
    paid = np.asarray(roster.paid, dtype=float).reshape(-1, 3)
    spill = sessions.overtime > 0
    paid_start = np.concatenate([paid[:, 1], sessions.end[spill] - sessions.overtime[spill]])
    paid_end = np.concatenate([paid[:, 2], sessions.end[spill]])

    lo, hi = grid.starts, grid.ends
    per_interval["queue_s"] = overlap(arrival[queued], leave[queued], lo, hi)
    per_interval["busy_s"] = overlap(busy_start, busy_end, lo, hi)
    per_interval["logged_s"] = overlap(sessions.start, sessions.end, lo, hi)
    per_interval["paid_s"] = overlap(paid_start, paid_end, lo, hi)
    per_interval["max_queue"] = max_level(arrival[queued], leave[queued], lo, hi)

    w0, w1 = np.array([grid.warmup_end]), np.array([np.inf])
    totals["busy_s"] = overlap(busy_start, busy_end, w0, w1)
    totals["logged_s"] = overlap(sessions.start, sessions.end, w0, w1)
    totals["paid_s"] = overlap(paid_start, paid_end, w0, w1)
    window = grid.horizon_end - grid.warmup_end
    totals["queue_s"] = overlap(arrival[queued], leave[queued], w0, np.array([grid.horizon_end]))
    totals["max_queue"] = max_level(
        arrival[queued], leave[queued], w0, np.array([grid.horizon_end])
    )

    agents = _agent_kpis(calls, sessions, roster, grid, overtime_premium, paid_start, paid_end)
    intervals = _table(per_interval, goal.definition, grid.length_s)
    intervals = np.column_stack(
        [
            intervals,
            per_interval["logged_s"] / grid.length_s,
            per_interval["paid_s"] / grid.length_s,
        ]
    )
    intervals[grid.ends <= grid.warmup_end] = np.nan  # wholly inside the warm-up: not measured
    horizon = _table(totals, goal.definition, window)[0]
    horizon = np.concatenate(
        [
            horizon,
            [
                totals["logged_s"][0] / 3600,
                totals["paid_s"][0] / 3600,
                sessions.overtime.sum() / 3600,
                agents[:, AGENT_KPIS.index("cost")].sum(),
            ],
        ]
    )
    return ReplicationKpis(horizon=horizon, intervals=intervals, agents=agents)


def _table(s: dict[str, np.ndarray], definition: str, span_s: float) -> np.ndarray:
    """CALL_KPIS and TIME_KPIS, one row per bin, from the summed indicator columns."""
    with np.errstate(invalid="ignore", divide="ignore"):
        base = s["offered"] - s["short"]
        sl = {
            "offered": s["ans_t"] / base,
            "answered": s["ans_t"] / s["answered"],
            "offered_abandons_ok": (s["ans_t"] + s["ab_t"]) / base,
            "offered_minus_early_abandons": s["ans_t"] / (base - s["ab_t"]),
        }
        resolved = s["answered"] + s["abandoned"]
        values = [
            s["offered"],
            s["answered"],
            s["abandoned"],
            s["short"],
            s["waiting"],
            s["retrial"],
            sl[definition],
            *(sl[d] for d in SL_DEFINITIONS),
            s["wait_answered"] / s["answered"],
            s["wait_resolved"] / resolved,
            s["waited"] / s["offered"],
            s["abandoned"] / s["offered"],
            s["handle"] / s["answered"],
            s["queue_s"] / span_s,
            s["max_queue"],
            s["busy_s"] / s["logged_s"],
            s["busy_s"] / s["paid_s"],
        ]
    return np.column_stack(values)


def _agent_kpis(
    calls: CallLog,
    sessions: Sessions,
    roster: Roster,
    grid: TimeGrid,
    premium: float,
    paid_start: np.ndarray,
    paid_end: np.ndarray,
) -> np.ndarray:
    n = len(roster)
    agent = calls.column("agent")
    answer = calls.column("answer")
    end = calls.column("end")
    served = agent >= 0
    in_window = served & (calls.column("arrival") >= grid.warmup_end)
    w0 = grid.warmup_end
    busy = np.clip(end[served], w0, None) - np.clip(answer[served], w0, None)
    logged = np.clip(sessions.end, w0, None) - np.clip(sessions.start, w0, None)
    paid_agents = np.concatenate(
        [
            np.asarray([a for a, _, _ in roster.paid], dtype=int),
            sessions.agent[sessions.overtime > 0],
        ]
    )
    paid = np.clip(paid_end, w0, None) - np.clip(paid_start, w0, None)
    overtime_s = np.bincount(sessions.agent, weights=sessions.overtime, minlength=n)
    paid_s = np.bincount(paid_agents, weights=paid, minlength=n)
    busy_s = np.bincount(agent[served], weights=busy, minlength=n)
    logged_s = np.bincount(sessions.agent, weights=logged, minlength=n)
    wage = np.asarray(roster.wage, dtype=float)
    cost = wage * ((paid_s - overtime_s) + premium * overtime_s) / 3600
    with np.errstate(invalid="ignore", divide="ignore"):
        occupancy = busy_s / logged_s
    return np.column_stack(
        [
            np.bincount(agent[in_window], minlength=n),
            busy_s / 3600,
            logged_s / 3600,
            paid_s / 3600,
            overtime_s / 3600,
            occupancy,
            cost,
        ]
    )
