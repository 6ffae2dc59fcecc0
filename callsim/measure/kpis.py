"""KPIs of one replication, for the whole horizon and per planning interval (SPEC §3).

Calls belong to the interval they arrive in; time-based measures (occupancy, queue length, agents
logged in, staff cost, the marketing switch) are split across intervals by how much of each span
falls in them. Everything before the warm-up's end is left out.

Money: revenue counts each sale at its product's value over the product's stated horizon
(``Product.value_per_sale``: one-off, or yearly times years, undiscounted), so it is the value
of the horizon's sales, set against the horizon's staff cost. With ``retention``, each sale's
retention value (the customer-years it adds over the retention horizon, valued) is counted apart
from revenue, and the net contribution is given with and without it. Selling hours are the agent
time spent in offers, counted like the sales they bring: in the interval the call arrived in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from callsim.measure import resolution, weekly
from callsim.measure import routing as routing_kpis
from callsim.measure.overlap import overlap
from callsim.measure.products import product_counts
from callsim.measure.satisfaction import call_scores, repeated_offers
from callsim.measure.slices import (
    CALL_SLICES,
    agent_key,
    by_agents,
    day_totals,
    day_windows,
    members,
)
from callsim.measure.standby import standby_kpis, window_kpis
from callsim.measure.tables import call_kpis, kpi_table
from callsim.measure.waits import WAIT_POINTS_S, answered_within
from callsim.model.calllog import ABANDONED, ANSWERED, BALKED, WAITING, CallLog
from callsim.model.roster import Roster
from callsim.model.run_record import Sessions, Timelines
from callsim.model.timegrid import TimeGrid
from callsim.scenario.schema import Scenario


@dataclass(frozen=True)
class ReplicationKpis:
    """KPIs by their catalogue names (``callsim.measure.catalogue``), so no reader depends on
    the order they were computed in.

    ``sums`` and ``interval_sums`` are the counts and spans the ratios are made of (answered
    within T, offered, busy seconds, ...): pooled over replications they give the call-weighted
    ratios a planner's monthly report shows, beside the average of each replication's ratio.
    """

    horizon: dict[str, float]
    intervals: dict[str, np.ndarray]  # one value per interval
    agents: dict[str, np.ndarray]  # one value per agent
    sums: dict[str, float]
    interval_sums: dict[str, np.ndarray]
    slices: dict[str, dict[str, np.ndarray]]
    """Per slice kind (``SLICES``): one value per member (each reason, segment, day, ...)."""
    answered_within: np.ndarray | None = None
    """Calls answered within each wait of ``waits.WAIT_POINTS_S``: the wait-time distribution."""
    products: dict[str, np.ndarray] | None = None
    """Offers and sales of each product, in the scenario's order (``products.product_counts``)."""


def compute_kpis(
    calls: CallLog,
    sessions: Sessions,
    timelines: Timelines,
    roster: Roster,
    grid: TimeGrid,
    scenario: Scenario,
    held_at_sales: np.ndarray | None = None,
) -> ReplicationKpis:
    """Per-call measures are summed a chunk of calls at a time (sums and span overlaps add up),
    so the pass needs a few bytes per call beyond the call log itself.

    ``held_at_sales`` (with ``scenario.retention``): per call, the catalogue's products the
    customer held before its sale, which prices the sale's retention value."""
    goal = scenario.service_level
    n = len(grid)
    value = np.array([p.value_per_sale for p in scenario.products.values()] + [0.0])
    weight = np.array([p.kpi_weight for p in scenario.products.values()] + [0.0])
    repeated = repeated_offers(
        calls.column("customer"),
        calls.column("answer"),
        calls.column("product"),
        scenario.selling.contact_rules.window_days,
    )
    per_interval: dict[str, np.ndarray] = {}
    totals: dict[str, np.ndarray] = {}
    by_member: dict[str, dict[str, np.ndarray]] = {kind: {} for kind in CALL_SLICES}
    sizes = {kind: len(members(kind, scenario, roster, grid)) for kind in CALL_SLICES}
    cells_n = n * sizes["reason"] * sizes["segment"]
    agent_sums = {key: np.zeros(len(roster)) for key in _AGENT_CALL_SUMS}
    resolution_sums = resolution.measured(scenario)
    edges = (grid.starts, grid.ends)
    window = (np.array([grid.warmup_end]), np.array([np.inf]))
    queue_edges = (grid.starts, np.minimum(grid.ends, grid.horizon_end))
    queue_window = (window[0], np.array([grid.horizon_end]))
    day_lo, day_hi, day_close = day_windows(grid)
    per_day: dict[str, np.ndarray] = {}
    kept = retention_values(scenario) if held_at_sales is not None else None
    summed = _INDICATORS if kept is None else (*_INDICATORS, "retention")
    within = np.zeros(len(WAIT_POINTS_S))
    per_product = product_counts(np.zeros(0, dtype=int), np.zeros(0, dtype=bool), len(value) - 1)
    by_pair: dict[str, np.ndarray] = {}  # routed only: per (reason, segment), for call types

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
        add(per_day, "busy_s", overlap(b_start, b_end, day_lo, day_hi))
        _add_agent_sums(
            agent_sums, col, busy, grid.warmup_end, value, weight, resolution_sums=resolution_sums
        )

        interval = grid.index_of(col["arrival"])
        counted = (col["arrival"] >= grid.warmup_end) & (interval >= 0)
        if not counted.all():
            col = {name: v[counted] for name, v in col.items()}
            interval = interval[counted]
        indicators, queued = _call_indicators(
            col, repeated[rows][counted], grid, scenario, value, weight
        )
        if kept is not None and held_at_sales is not None:
            held = held_at_sales[rows][counted]
            worth = kept[col["segment"].astype(np.intp), np.maximum(held, 0)]
            indicators["retention"] = np.where(held >= 0, worth, 0.0)
        within += answered_within(indicators["wait_answered"], indicators["answered"])
        sold = product_counts(col["product"].astype(int), col["converted"] == 1, len(value) - 1)
        for key, counts in sold.items():
            add(per_product, key, counts)
        # One pass per indicator over (interval, reason, segment) cells; the interval and
        # slice totals are sums of the cells (three passes each cost a fifth of the run).
        cell = (interval * sizes["reason"] + col["reason"]) * sizes["segment"] + col["segment"]
        shape = (n, sizes["reason"], sizes["segment"])
        for key, values in indicators.items():
            cells = np.bincount(cell, weights=values, minlength=cells_n).reshape(shape)
            add(per_interval, key, cells.sum(axis=(1, 2)))
            add(by_member["reason"], key, cells.sum(axis=(0, 2)))
            add(by_member["segment"], key, cells.sum(axis=(0, 1)))
            if scenario.routing is not None:
                add(by_pair, key, cells.sum(axis=0))
        q_start, q_end = queued
        add(per_interval, "queue_s", overlap(q_start, q_end, *queue_edges))
        add(totals, "queue_s", overlap(q_start, q_end, *queue_window))
        add(per_day, "queue_s", overlap(q_start, q_end, day_lo, day_close))

    for key in (*summed, "queue_s", "busy_s"):
        per_interval.setdefault(key, np.zeros(n))
        totals.setdefault(key, np.zeros(1))
    for key in ("queue_s", "busy_s"):
        per_day.setdefault(key, np.zeros(len(day_lo)))
    for kind in CALL_SLICES:
        for key in summed:
            by_member[kind].setdefault(key, np.zeros(sizes[kind]))
    for key in summed:
        totals[key] = np.array([per_interval[key].sum()])

    pay = _pay_spans(sessions, roster, scenario.agents.overtime_premium)
    switch_start, switch_end = _on_spans(timelines.switch, grid.horizon_end)
    for into, (lo_t, hi_t) in (
        (per_interval, edges),
        (totals, window),
        (per_day, (day_lo, day_hi)),
    ):
        into["logged_s"] = overlap(sessions.start, sessions.end, lo_t, hi_t)
        into["paid_s"] = overlap(pay.start, pay.end, lo_t, hi_t)
        into["cost"] = overlap(pay.start, pay.end, lo_t, hi_t, pay.cost_per_s)
        into["switch_s"] = overlap(
            switch_start, switch_end, lo_t, np.minimum(hi_t, grid.horizon_end)
        )
    per_interval["max_queue"] = timelines.queue_peaks
    measured = grid.ends > grid.warmup_end
    totals["max_queue"] = np.array([timelines.queue_peaks[measured].max(initial=0.0)])

    intervals = kpi_table(per_interval, goal.definition, np.full(n, grid.length_s))
    intervals["agents_logged_in"] = per_interval["logged_s"] / grid.length_s
    intervals["agents_paid"] = per_interval["paid_s"] / grid.length_s
    # Intervals wholly inside the warm-up are not measured.
    intervals = {name: np.where(measured, v, np.nan) for name, v in intervals.items()}
    training = timelines.training
    training_s = overlap(training[:, 1], training[:, 2], *window)
    span = np.array([grid.horizon_end - grid.warmup_end])
    horizon = {name: float(v[0]) for name, v in kpi_table(totals, goal.definition, span).items()}
    horizon.update(
        agent_hours=float(totals["logged_s"][0]) / 3600,
        paid_hours=float(totals["paid_s"][0]) / 3600,
        overtime_hours=float(sessions.overtime.sum()) / 3600,
        training_hours=float(training_s[0]) / 3600,
        outbound_revenue_per_agent_hour=_outbound_per_agent_hour(scenario),
        # Counted over the whole run, warm-up included: they are events of the closed hours.
        sent_away_at_close=float(calls.column("closed_out").sum()),
        calls_again_moved=float(timelines.again_moved),
        calls_again_lost=float(timelines.again_lost),
    )
    if scenario.standby is not None:
        callups = timelines.standby_callups
        assert callups is not None  # a run with a pool records its call-ups
        horizon.update(standby_kpis(calls, roster, grid, scenario, callups))
    if scenario.window is not None:
        horizon.update(window_kpis(per_interval, grid, scenario))
    agents = _agent_kpis(agent_sums, sessions, roster, grid, pay)
    slices = {kind: call_kpis(by_member[kind], goal.definition) for kind in CALL_SLICES}
    days = day_totals(per_interval, per_day, grid)
    slices["day"] = kpi_table(days, goal.definition, day_close - day_lo)
    if weekly.has_weeks(scenario):
        slices[weekly.WEEK] = weekly.by_week(days, grid, roster, scenario, goal.definition)
    if scenario.workforce is not None:
        horizon.update(weekly.workforce_totals(slices[weekly.WEEK], scenario))
    for kind in ("group", "shift"):
        owner = agent_key(kind, roster)
        slices[kind] = by_agents(agents, owner, len(members(kind, scenario, roster, grid)))
    horizon.update(stability(intervals, slices["day"], agents, goal.target))
    if scenario.routing is not None:
        for key in summed:
            by_pair.setdefault(key, np.zeros((sizes["reason"], sizes["segment"])))
        slices.update(routing_kpis.slices(by_pair, calls, grid, roster, scenario, slices["group"]))
    return ReplicationKpis(
        horizon=horizon,
        intervals=intervals,
        agents=agents,
        sums={name: float(v[0]) for name, v in totals.items()},
        interval_sums=per_interval,
        slices=slices,
        answered_within=within,
        products=per_product,
    )


def stability(
    intervals: dict[str, np.ndarray],
    days: dict[str, np.ndarray],
    agents: dict[str, np.ndarray],
    target: float,
) -> dict[str, float]:
    """How evenly the day went and how often the goal held: a mean service level that meets the
    goal can hide intervals, days and agents far from it ("how sure" is also "how often")."""
    sl = intervals["service_level"]
    sl = sl[~np.isnan(sl)]
    day_sl = days["service_level"]
    day_sl = day_sl[~np.isnan(day_sl)]
    occupancy = agents["occupancy"][agents["logged_in_h"] > 0]
    occupancy = occupancy[~np.isnan(occupancy)]
    met = float(np.sum(sl >= target))
    return {
        "sl_interval_sd": float(sl.std()) if len(sl) else np.nan,
        "sl_worst_interval": float(sl.min()) if len(sl) else np.nan,
        "intervals_meeting_goal": met,
        "intervals_meeting_goal_share": met / len(sl) if len(sl) else np.nan,
        "days_meeting_goal_share": float(np.mean(day_sl >= target)) if len(day_sl) else np.nan,
        "occupancy_agent_sd": float(occupancy.std()) if len(occupancy) else np.nan,
    }


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
    "segment",
    "customer",
    "talk_factor",
    "agent",
    "pitch",
    "wrap",
    "resolved",
    "ivr",
    "ivr_s",
    "steered",
    "announced",
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
    "talk",
    "pitch",
    "wrap",
    "offers",
    "conversions",
    "revenue",
    "score",
    "satisfaction",
    "top_box",
    "rated",
    *resolution.INDICATORS,
    "balked",
    "balk_out",
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
    reached = resolution.reached_queue(col, scenario)
    if reached is not None:
        waiting &= reached  # the menu resolved the others: they never waited
    wait = np.where(answered, col["answer"] - arrival, np.where(abandoned, col["patience"], 0.0))
    queue_wait = np.where(waiting, grid.horizon_end - arrival, wait)
    wait = resolution.with_menu_time(queue_wait, reached, col, scenario)
    product = col["product"].astype(int)  # -1 picks the trailing zero of value and weight
    sold = col["converted"] == 1
    balked = col["outcome"] == BALKED
    score, top_box, rated = call_scores(
        col, wait, answered, abandoned, repeated, scenario, balked=balked, resolved=col["resolved"]
    )
    # A balk counts in the service level as the scenario says (callsim.service_level).
    as_abandon = abandoned | balked if goal.balked == "abandoned" else abandoned
    short = as_abandon & (wait < goal.short_abandon_s)
    handle = np.where(answered, col["end"] - col["answer"], 0.0)
    pitch = np.where(answered, col["pitch"], 0.0)
    wrap = np.where(answered, col["wrap"], 0.0)
    indicators = {
        "offered": np.ones_like(wait) if reached is None else reached.astype(float),
        "answered": answered,
        "abandoned": abandoned,
        "short": short,
        "waiting": waiting,
        "retrial": col["attempt"] > 0,
        "repeat": col["repeat"] > 0,
        "ans_t": answered & (wait <= goal.threshold_s),
        "ab_t": as_abandon & (wait <= goal.threshold_s) & ~short,
        "waited": wait > 0,
        "wait_answered": np.where(answered, wait, 0.0),
        "wait_resolved": np.where(waiting, 0.0, wait),
        "handle": handle,
        # Talk is what is left of the handle time, so the three parts add up to it exactly:
        # the agent's handle-time factor and a policy's talk flex act on talk only.
        "talk": handle - pitch - wrap,
        "pitch": pitch,
        "wrap": wrap,
        "offers": product >= 0,
        "conversions": sold,
        "revenue": np.where(sold, value[product], 0.0),
        "score": np.where(sold, weight[product], 0.0),
        "satisfaction": np.where(rated, score, 0.0),
        "top_box": np.where(rated, top_box, 0.0),
        "rated": rated,
        **resolution.indicators(col, answered, scenario),
        "balked": balked,
        "balk_out": balked & (goal.balked == "excluded"),
    }
    leave = arrival + queue_wait  # answer, abandonment, or the close for callers still waiting
    queued = leave > arrival
    return indicators, (arrival[queued], leave[queued])


_AGENT_CALL_SUMS = (
    "calls",
    "busy_s",
    "handle_s",
    "offers",
    "conversions",
    "revenue",
    "sales_score",
    "first_contacts",
    "first_resolved",
)


def _add_agent_sums(
    sums: dict[str, np.ndarray],
    col: dict[str, np.ndarray],
    busy: np.ndarray,
    warmup_end: float,
    value: np.ndarray,
    weight: np.ndarray,
    *,
    resolution_sums: bool,
) -> None:
    n = len(sums["calls"])
    agent = col["agent"][busy]
    answer, end = col["answer"][busy], col["end"][busy]
    in_window = col["arrival"][busy] >= warmup_end
    by = agent[in_window]
    product = col["product"][busy][in_window].astype(int)
    sold = col["converted"][busy][in_window] == 1
    busy_s = np.clip(end, warmup_end, None) - np.clip(answer, warmup_end, None)
    sums["calls"] += np.bincount(by, minlength=n)
    sums["busy_s"] += np.bincount(agent, weights=busy_s, minlength=n)
    sums["handle_s"] += np.bincount(by, weights=(end - answer)[in_window], minlength=n)
    sums["offers"] += np.bincount(by, weights=product >= 0, minlength=n)
    sums["conversions"] += np.bincount(by, weights=sold, minlength=n)
    sums["revenue"] += np.bincount(by, weights=np.where(sold, value[product], 0.0), minlength=n)
    sums["sales_score"] += np.bincount(
        by, weights=np.where(sold, weight[product], 0.0), minlength=n
    )
    if not resolution_sums:
        return
    contact = col["repeat"][busy][in_window] == 0
    resolved = contact & (col["resolved"][busy][in_window] == 1)
    sums["first_contacts"] += np.bincount(by, weights=contact, minlength=n)
    sums["first_resolved"] += np.bincount(by, weights=resolved, minlength=n)


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


def retention_values(scenario: Scenario) -> np.ndarray:
    """Retention value of a sale (``callsim.scenario.retention``) by the customer's segment
    (rows) and the catalogue's products they held before it (columns)."""
    retention = scenario.retention
    assert retention is not None  # held_at_sales comes only with retention
    segments = list(scenario.customers.segments)
    return np.array(retention.sale_values(segments, len(scenario.products)))


def _outbound_per_agent_hour(scenario: Scenario) -> float:
    """Revenue an agent-hour of outbound calling would bring, for the same products valued the
    same way; every hour of it is spent selling, so it compares with revenue per selling hour."""
    out = scenario.outbound
    if out is None or not scenario.products:
        return np.nan
    mean_value = np.mean([p.value_per_sale for p in scenario.products.values()])
    return float(out.dials_per_hour * out.contact_rate * out.conversion * mean_value)


def _agent_kpis(
    sums: dict[str, np.ndarray], sessions: Sessions, roster: Roster, grid: TimeGrid, pay: _Pay
) -> dict[str, np.ndarray]:
    n = len(roster)
    w0 = grid.warmup_end
    logged = np.clip(sessions.end, w0, None) - np.clip(sessions.start, w0, None)
    paid = np.clip(pay.end, w0, None) - np.clip(pay.start, w0, None)
    logged_s = np.bincount(sessions.agent, weights=logged, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        occupancy = sums["busy_s"] / logged_s
        aht = sums["handle_s"] / sums["calls"]
        fcr = sums["first_resolved"] / sums["first_contacts"]
    return {
        "calls": sums["calls"],
        "aht_s": aht,
        "busy_h": sums["busy_s"] / 3600,
        "logged_in_h": logged_s / 3600,
        "paid_h": np.bincount(pay.agent, weights=paid, minlength=n) / 3600,
        "overtime_h": np.bincount(sessions.agent, weights=sessions.overtime, minlength=n) / 3600,
        "occupancy": occupancy,
        "cost": np.bincount(pay.agent, weights=paid * pay.cost_per_s, minlength=n),
        "offers": sums["offers"],
        "conversions": sums["conversions"],
        "revenue": sums["revenue"],
        "sales_score": sums["sales_score"],
        "first_contacts": sums["first_contacts"],
        "fcr": fcr,
    }
