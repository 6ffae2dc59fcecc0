"""KPIs of one replication, for the whole horizon and per planning interval (SPEC §3).

Calls belong to the interval they arrive in; time-based measures (occupancy, queue length, agents
logged in, staff cost, the marketing switch) are split across intervals by how much of each span
falls in them. Everything before the warm-up's end is left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from callsim.analytic import SERVICE_LEVEL_DEFINITIONS
from callsim.measure.overlap import overlap
from callsim.measure.satisfaction import call_scores, repeated_offers
from callsim.model.calllog import ABANDONED, ANSWERED, WAITING, CallLog
from callsim.model.run_record import Sessions, Timelines
from callsim.model.roster import Roster
from callsim.model.timegrid import TimeGrid
from callsim.scenario.schema import Scenario

CALL_KPIS = (
    "offered",
    "answered",
    "abandoned",
    "short_abandons",
    "waiting_at_end",
    "retrials",
    "repeat_calls",
    "service_level",
    *(f"sl_{d}" for d in SERVICE_LEVEL_DEFINITIONS),
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
    """Per-call measures are summed a chunk of calls at a time (sums and span overlaps add up),
    so the pass needs a few bytes per call beyond the call log itself."""
    goal = scenario.service_level
    n = len(grid)
    value = np.array([p.value for p in scenario.products.values()] + [0.0])
    weight = np.array([p.kpi_weight for p in scenario.products.values()] + [0.0])
    repeated = repeated_offers(
        calls.column("customer"),
        calls.column("answer"),
        calls.column("product"),
        scenario.selling.contact_rules.window_days,
    )
    per_interval: dict[str, np.ndarray] = {}
    totals: dict[str, np.ndarray] = {}
    agent_sums = np.zeros((len(roster), len(_AGENT_CALL_SUMS)))
    edges = (grid.starts, grid.ends)
    window = (np.array([grid.warmup_end]), np.array([np.inf]))
    queue_edges = (grid.starts, np.minimum(grid.ends, grid.horizon_end))
    queue_window = (window[0], np.array([grid.horizon_end]))

    def add(into: dict[str, np.ndarray], key: str, values: np.ndarray) -> None:
        into[key] = into[key] + values if key in into else values

    for lo in range(0, calls.size, _CHUNK):
        rows = slice(lo, min(lo + _CHUNK, calls.size))
        col = {name: calls.column(name)[rows] for name in _CALL_COLUMNS}
        # Agents are busy on every answered call, whenever it arrived.
        busy = col["agent"] >= 0
        b_start, b_end = col["answer"][busy], col["end"][busy]
        add(per_interval, "busy_s", overlap(b_start, b_end, *edges))
        add(totals, "busy_s", overlap(b_start, b_end, *window))
        _add_agent_sums(agent_sums, col, busy, grid.warmup_end, value, weight)

        interval = grid.index_of(col["arrival"])
        counted = (col["arrival"] >= grid.warmup_end) & (interval >= 0)
        if not counted.all():
            col = {name: v[counted] for name, v in col.items()}
            interval = interval[counted]
        indicators, queued = _call_indicators(
            col, repeated[rows][counted], grid, scenario, value, weight
        )
        for key, values in indicators.items():
            add(per_interval, key, np.bincount(interval, weights=values, minlength=n))
        q_start, q_end = queued
        add(per_interval, "queue_s", overlap(q_start, q_end, *queue_edges))
        add(totals, "queue_s", overlap(q_start, q_end, *queue_window))

    for key in (*_INDICATORS, "queue_s", "busy_s"):
        per_interval.setdefault(key, np.zeros(n))
        totals.setdefault(key, np.zeros(1))
    for key in _INDICATORS:
        totals[key] = np.array([per_interval[key].sum()])

    pay = _pay_spans(sessions, roster, scenario.agents.overtime_premium)
    switch_start, switch_end = _on_spans(timelines.switch, grid.horizon_end)
    for into, (lo_t, hi_t) in ((per_interval, edges), (totals, window)):
        into["logged_s"] = overlap(sessions.start, sessions.end, lo_t, hi_t)
        into["paid_s"] = overlap(pay.start, pay.end, lo_t, hi_t)
        into["cost"] = overlap(pay.start, pay.end, lo_t, hi_t, pay.cost_per_s)
        into["switch_s"] = overlap(
            switch_start, switch_end, lo_t, np.minimum(hi_t, grid.horizon_end)
        )
    per_interval["max_queue"] = timelines.queue_peaks
    measured = grid.ends > grid.warmup_end
    totals["max_queue"] = np.array([timelines.queue_peaks[measured].max(initial=0.0)])

    intervals = np.column_stack(
        [
            _table(per_interval, goal.definition, np.full(n, grid.length_s)),
            per_interval["logged_s"] / grid.length_s,
            per_interval["paid_s"] / grid.length_s,
        ]
    )
    intervals[~measured] = np.nan  # wholly inside the warm-up: not measured
    training = timelines.training
    training_s = overlap(training[:, 1], training[:, 2], *window)
    horizon = np.concatenate(
        [
            _table(totals, goal.definition, np.array([grid.horizon_end - grid.warmup_end]))[0],
            [
                totals["logged_s"][0] / 3600,
                totals["paid_s"][0] / 3600,
                sessions.overtime.sum() / 3600,
                training_s[0] / 3600,
                _outbound_per_agent_hour(scenario),
            ],
        ]
    )
    agents = _agent_kpis(agent_sums, sessions, roster, grid, pay)
    return ReplicationKpis(horizon=horizon, intervals=intervals, agents=agents)


_CHUNK = 1 << 14
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
    "agent",
)
_INDICATORS = (
    "offered",
    "answered",
    "abandoned",
    "short",
    "waiting",
    "retrial",
    "repeat",
    "ans_t",
    "ab_t",
    "waited",
    "wait_answered",
    "wait_resolved",
    "handle",
    "offers",
    "conversions",
    "revenue",
    "score",
    "satisfaction",
    "top_box",
    "rated",
)


def _call_indicators(
    col: dict[str, np.ndarray],
    repeated: np.ndarray,
    grid: TimeGrid,
    scenario: Scenario,
    value: np.ndarray,
    weight: np.ndarray,
) -> tuple[dict[str, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Per counted call: the indicators summed per interval, and its span in the queue."""
    goal = scenario.service_level
    arrival = col["arrival"]
    answered = col["outcome"] == ANSWERED
    abandoned = col["outcome"] == ABANDONED
    waiting = col["outcome"] == WAITING
    wait = np.where(answered, col["answer"] - arrival, np.where(abandoned, col["patience"], 0.0))
    wait = np.where(waiting, grid.horizon_end - arrival, wait)
    product = col["product"].astype(int)  # -1 picks the trailing zero of value and weight
    sold = col["converted"] == 1
    score, rated = call_scores(col, wait, answered, abandoned, repeated, scenario)
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
        "offers": product >= 0,
        "conversions": sold,
        "revenue": np.where(sold, value[product], 0.0),
        "score": np.where(sold, weight[product], 0.0),
        "satisfaction": np.where(rated, score, 0.0),
        "top_box": rated & (score >= 1.0),
        "rated": rated,
    }
    leave = arrival + wait  # answer, abandonment, or the close for callers still waiting
    queued = leave > arrival
    return indicators, (arrival[queued], leave[queued])


_AGENT_CALL_SUMS = ("calls", "busy_s", "offers", "conversions", "revenue", "sales_score")


def _add_agent_sums(
    sums: np.ndarray,
    col: dict[str, np.ndarray],
    busy: np.ndarray,
    warmup_end: float,
    value: np.ndarray,
    weight: np.ndarray,
) -> None:
    n = len(sums)
    agent = col["agent"][busy]
    answer, end = col["answer"][busy], col["end"][busy]
    in_window = col["arrival"][busy] >= warmup_end
    by = agent[in_window]
    product = col["product"][busy][in_window].astype(int)
    sold = col["converted"][busy][in_window] == 1
    busy_s = np.clip(end, warmup_end, None) - np.clip(answer, warmup_end, None)
    sums += np.column_stack(
        [
            np.bincount(by, minlength=n),
            np.bincount(agent, weights=busy_s, minlength=n),
            np.bincount(by, weights=product >= 0, minlength=n),
            np.bincount(by, weights=sold, minlength=n),
            np.bincount(by, weights=np.where(sold, value[product], 0.0), minlength=n),
            np.bincount(by, weights=np.where(sold, weight[product], 0.0), minlength=n),
        ]
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
            *(sl[d] for d in SERVICE_LEVEL_DEFINITIONS),
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
    sums: np.ndarray, sessions: Sessions, roster: Roster, grid: TimeGrid, pay: _Pay
) -> np.ndarray:
    n = len(roster)
    w0 = grid.warmup_end
    logged = np.clip(sessions.end, w0, None) - np.clip(sessions.start, w0, None)
    paid = np.clip(pay.end, w0, None) - np.clip(pay.start, w0, None)
    c = {k: sums[:, i] for i, k in enumerate(_AGENT_CALL_SUMS)}
    logged_s = np.bincount(sessions.agent, weights=logged, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        occupancy = c["busy_s"] / logged_s
    return np.column_stack(
        [
            c["calls"],
            c["busy_s"] / 3600,
            logged_s / 3600,
            np.bincount(pay.agent, weights=paid, minlength=n) / 3600,
            np.bincount(sessions.agent, weights=sessions.overtime, minlength=n) / 3600,
            occupancy,
            np.bincount(pay.agent, weights=paid * pay.cost_per_s, minlength=n),
            c["offers"],
            c["conversions"],
            c["revenue"],
            c["sales_score"],
        ]
    )
