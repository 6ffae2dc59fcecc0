"""KPIs of one replication, for the whole horizon and per planning interval (SPEC §3).

Calls belong to the interval they arrive in; time-based measures (occupancy, queue length, agents
logged in, staff cost, the marketing switch) are split across intervals by how much of each span
falls in them. Everything before the warm-up's end is left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from callsim.engine import Sessions, Timelines
from callsim.records import ABANDONED, ANSWERED, WAITING, CallLog
from callsim.roster import Roster
from callsim.satisfaction import call_scores
from callsim.scenario import SL_DEFINITIONS, Scenario
from callsim.spans import max_level, overlap
from callsim.timegrid import TimeGrid

CALL_KPIS = (
    "offered",
    "answered",
    "abandoned",
    "short_abandons",
    "waiting_at_end",
    "retrials",
    "repeat_calls",
    "service_level",
    *(f"sl_{d}" for d in SL_DEFINITIONS),
    "asa_s",
    "mean_wait_s",
    "p_wait",
    "abandon_rate",
    "aht_s",
    "offers",
    "offer_rate",
    "conversions",
    "conversion_rate",
    "revenue",
    "sales_score",
    "satisfaction",
    "satisfaction_top_box",
)
TIME_KPIS = (
    "mean_queue",
    "max_queue",
    "occupancy",
    "utilisation",
    "staff_cost",
    "net_contribution",
    "revenue_per_agent_hour",
    "switch_on_share",
)
HORIZON_KPIS = (
    *CALL_KPIS,
    *TIME_KPIS,
    "agent_hours",
    "paid_hours",
    "overtime_hours",
    "training_hours",
    "outbound_revenue_per_agent_hour",
)
INTERVAL_KPIS = (*CALL_KPIS, *TIME_KPIS, "agents_logged_in", "agents_paid")
AGENT_KPIS = (
    "calls",
    "busy_h",
    "logged_in_h",
    "paid_h",
    "overtime_h",
    "occupancy",
    "cost",
    "offers",
    "conversions",
    "revenue",
    "sales_score",
)


@dataclass(frozen=True)
class ReplicationKpis:
    horizon: np.ndarray  # (len(HORIZON_KPIS),)
    intervals: np.ndarray  # (n_intervals, len(INTERVAL_KPIS))
    agents: np.ndarray  # (n_agents, len(AGENT_KPIS))


def compute_kpis(
    calls: CallLog,
    sessions: Sessions,
    timelines: Timelines,
    roster: Roster,
    grid: TimeGrid,
    scenario: Scenario,
) -> ReplicationKpis:
    goal = scenario.service_level
    arrival = calls.column("arrival")
    interval = grid.index_of(arrival)
    counted = (arrival >= grid.warmup_end) & (arrival < grid.horizon_end) & (interval >= 0)
    col = {name: calls.column(name)[counted] for name in _CALL_COLUMNS}
    interval = interval[counted]
    arrival = col["arrival"]
    answered = col["outcome"] == ANSWERED
    abandoned = col["outcome"] == ABANDONED
    waiting = col["outcome"] == WAITING
    wait = np.where(answered, col["answer"] - arrival, np.where(abandoned, col["patience"], 0.0))
    wait = np.where(waiting, grid.horizon_end - arrival, wait)

    value = np.array([p.value for p in scenario.products.values()] + [0.0])
    weight = np.array([p.kpi_weight for p in scenario.products.values()] + [0.0])
    product = col["product"].astype(int)  # -1 picks the trailing zero
    offered = product >= 0
    sold = col["converted"] == 1
    score, rated = call_scores(col, wait, answered, abandoned, scenario)

    short = abandoned & (wait < goal.short_abandon_s)
    indicators = {
        "offered": np.ones_like(wait),
        "answered": answered,
        "abandoned": abandoned,
        "short": short,
        "waiting": waiting,
        "retrial": col["attempt"] > 0,
        "repeat": col["repeat"] > 0,
        "ans_t": answered & (wait <= goal.threshold_s),
        "ab_t": abandoned & (wait <= goal.threshold_s) & ~short,
        "waited": wait > 0,
        "wait_answered": np.where(answered, wait, 0.0),
        "wait_resolved": np.where(waiting, 0.0, wait),
        "handle": np.where(answered, col["end"] - col["answer"], 0.0),
        "offers": offered,
        "conversions": sold,
        "revenue": np.where(sold, value[product], 0.0),
        "score": np.where(sold, weight[product], 0.0),
        "satisfaction": np.where(rated, score, 0.0),
        "top_box": rated & (score >= 1.0),
        "rated": rated,
    }
    n = len(grid)
    per_interval = {k: np.bincount(interval, weights=v, minlength=n) for k, v in indicators.items()}
    totals = {k: np.array([v.sum()]) for k, v in per_interval.items()}

    # Spans: waiting callers, busy agents, logged-in agents, paid agents (wage-weighted for cost).
    leave = np.where(answered, col["answer"], np.where(abandoned, arrival + col["patience"], 0.0))
    leave = np.where(waiting, grid.horizon_end, leave)
    queued = leave > arrival
    q_start, q_end = arrival[queued], leave[queued]
    all_answer = calls.column("answer")
    busy = ~np.isnan(all_answer)
    busy_start, busy_end = all_answer[busy], calls.column("end")[busy]
    pay = _pay_spans(sessions, roster, scenario.agents.overtime_premium)
    switch_start, switch_end = _on_spans(timelines.switch, grid.horizon_end)

    def spans(lo: np.ndarray, hi: np.ndarray, into: dict[str, np.ndarray]) -> None:
        into["queue_s"] = overlap(q_start, q_end, lo, np.minimum(hi, grid.horizon_end))
        into["max_queue"] = max_level(q_start, q_end, lo, np.minimum(hi, grid.horizon_end))
        into["busy_s"] = overlap(busy_start, busy_end, lo, hi)
        into["logged_s"] = overlap(sessions.start, sessions.end, lo, hi)
        into["paid_s"] = overlap(pay.start, pay.end, lo, hi)
        into["cost"] = overlap(pay.start, pay.end, lo, hi, pay.cost_per_s)
        into["switch_s"] = overlap(switch_start, switch_end, lo, np.minimum(hi, grid.horizon_end))

    spans(grid.starts, grid.ends, per_interval)
    spans(np.array([grid.warmup_end]), np.array([np.inf]), totals)
    window = grid.horizon_end - grid.warmup_end

    intervals = np.column_stack(
        [
            _table(per_interval, goal.definition, np.full(n, grid.length_s)),
            per_interval["logged_s"] / grid.length_s,
            per_interval["paid_s"] / grid.length_s,
        ]
    )
    intervals[grid.ends <= grid.warmup_end] = np.nan  # wholly inside the warm-up: not measured
    training = timelines.training
    training_s = overlap(
        training[:, 1], training[:, 2], np.array([grid.warmup_end]), np.array([np.inf])
    )
    horizon = np.concatenate(
        [
            _table(totals, goal.definition, np.array([window]))[0],
            [
                totals["logged_s"][0] / 3600,
                totals["paid_s"][0] / 3600,
                sessions.overtime.sum() / 3600,
                training_s[0] / 3600,
                _outbound_per_agent_hour(scenario),
            ],
        ]
    )
    agents = _agent_kpis(calls, sessions, roster, grid, pay, value, weight)
    return ReplicationKpis(horizon=horizon, intervals=intervals, agents=agents)


_CALL_COLUMNS = (
    "arrival",
    "answer",
    "end",
    "patience",
    "outcome",
    "attempt",
    "repeat",
    "product",
    "converted",
    "reason",
    "customer",
    "talk_factor",
)


def _table(s: dict[str, np.ndarray], definition: str, span_s: np.ndarray) -> np.ndarray:
    """CALL_KPIS and TIME_KPIS, one row per bin, from the summed indicators and spans."""
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
            s["repeat"],
            sl[definition],
            *(sl[d] for d in SL_DEFINITIONS),
            s["wait_answered"] / s["answered"],
            s["wait_resolved"] / resolved,
            s["waited"] / s["offered"],
            s["abandoned"] / s["offered"],
            s["handle"] / s["answered"],
            s["offers"],
            s["offers"] / s["answered"],
            s["conversions"],
            s["conversions"] / s["offers"],
            s["revenue"],
            s["score"],
            s["satisfaction"] / s["rated"],
            s["top_box"] / s["rated"],
            s["queue_s"] / span_s,
            s["max_queue"],
            s["busy_s"] / s["logged_s"],
            s["busy_s"] / s["paid_s"],
            s["cost"],
            s["revenue"] - s["cost"],
            s["revenue"] / (s["logged_s"] / 3600),
            s["switch_s"] / span_s,
        ]
    return np.column_stack(values)


@dataclass(frozen=True)
class _Pay:
    agent: np.ndarray
    start: np.ndarray
    end: np.ndarray
    cost_per_s: np.ndarray
    overtime: np.ndarray  # bool: paid at the premium


def _pay_spans(sessions: Sessions, roster: Roster, premium: float) -> _Pay:
    """Scheduled paid periods at the wage, plus time kept past a shift's end at the premium."""
    paid = np.asarray(roster.paid, dtype=float).reshape(-1, 3)
    spill = sessions.overtime > 0
    agent = np.concatenate([paid[:, 0].astype(int), sessions.agent[spill]])
    wage = np.asarray(roster.wage, dtype=float)[agent] / 3600
    overtime = np.concatenate([np.zeros(len(paid), bool), np.ones(int(spill.sum()), bool)])
    return _Pay(
        agent=agent,
        start=np.concatenate([paid[:, 1], sessions.end[spill] - sessions.overtime[spill]]),
        end=np.concatenate([paid[:, 2], sessions.end[spill]]),
        cost_per_s=np.where(overtime, wage * premium, wage),
        overtime=overtime,
    )


def _on_spans(switch: np.ndarray, horizon_end: float) -> tuple[np.ndarray, np.ndarray]:
    """The marketing switch's timeline (time, on) as spans when it was on."""
    if len(switch) == 0:
        return np.empty(0), np.empty(0)
    times, on = switch[:, 0], switch[:, 1] > 0
    ends = np.append(times[1:], horizon_end)
    return times[on], ends[on]


def _outbound_per_agent_hour(scenario: Scenario) -> float:
    """Revenue an agent-hour of outbound calling would bring, for the same products."""
    out = scenario.outbound
    if out is None or not scenario.products:
        return np.nan
    mean_value = np.mean([p.value for p in scenario.products.values()])
    return out.dials_per_hour * out.contact_rate * out.conversion * mean_value


def _agent_kpis(
    calls: CallLog,
    sessions: Sessions,
    roster: Roster,
    grid: TimeGrid,
    pay: _Pay,
    value: np.ndarray,
    weight: np.ndarray,
) -> np.ndarray:
    n = len(roster)
    agent = calls.column("agent")
    served = agent >= 0
    in_window = served & (calls.column("arrival") >= grid.warmup_end)
    w0 = grid.warmup_end
    answer, end = calls.column("answer")[served], calls.column("end")[served]
    busy = np.clip(end, w0, None) - np.clip(answer, w0, None)
    logged = np.clip(sessions.end, w0, None) - np.clip(sessions.start, w0, None)
    paid = np.clip(pay.end, w0, None) - np.clip(pay.start, w0, None)
    product = calls.column("product")[in_window].astype(int)
    sold = calls.column("converted")[in_window] == 1
    by = agent[in_window]
    with np.errstate(invalid="ignore", divide="ignore"):
        busy_s = np.bincount(agent[served], weights=busy, minlength=n)
        logged_s = np.bincount(sessions.agent, weights=logged, minlength=n)
        return np.column_stack(
            [
                np.bincount(by, minlength=n),
                busy_s / 3600,
                logged_s / 3600,
                np.bincount(pay.agent, weights=paid, minlength=n) / 3600,
                np.bincount(sessions.agent, weights=sessions.overtime, minlength=n) / 3600,
                busy_s / logged_s,
                np.bincount(pay.agent, weights=paid * pay.cost_per_s, minlength=n),
                np.bincount(by, weights=product >= 0, minlength=n),
                np.bincount(by, weights=sold, minlength=n),
                np.bincount(by, weights=np.where(sold, value[product], 0.0), minlength=n),
                np.bincount(by, weights=np.where(sold, weight[product], 0.0), minlength=n),
            ]
        )
