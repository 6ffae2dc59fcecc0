"""KPIs of skills-based routing: by call type and by agent group, with the overflow between them.

Computed only when the scenario routes (``routing:``), so tables without routing are as they
were. A call type is a set of (segment, reason) pairs, so its calls' KPIs are the sums of those
pairs' cells, which the KPI pass keeps for routed scenarios beside the reason and segment
marginals: the very indicators and formulas of the reason and segment slices
(:func:`callsim.measure.tables.call_kpis`). Overflow is what only routing has: a call answered
by a group other than its type's primary (``overflowed``), and, per group, the calls it answered
of types it is not the primary of (``overflow_taken``). A group's occupancy is its agents'
busy time over their logged-in time, as in the group slice.
"""

from __future__ import annotations

import numpy as np

from callsim.measure.tables import Sums, call_kpis
from callsim.model.calllog import CallLog
from callsim.model.roster import Roster
from callsim.model.routing_plan import plan_routing
from callsim.model.timegrid import TimeGrid
from callsim.scenario.schema import Scenario

SLICES = ("call_type", "routing_group")
"""The slices routing adds, in the order the results list them."""
KPI_GROUP = {"call_type": "by_call_type", "routing_group": "by_routing_group"}


def members(kind: str, scenario: Scenario) -> list[str]:
    assert scenario.routing is not None  # routing slices exist only for routed scenarios
    if kind == "call_type":
        return list(scenario.routing.call_types)
    return list(scenario.agents.groups)


def slices(
    pair_sums: Sums,
    calls: CallLog,
    grid: TimeGrid,
    roster: Roster,
    scenario: Scenario,
    groups: dict[str, np.ndarray],
) -> dict[str, dict[str, np.ndarray]]:
    """The two routing slices of one replication.

    ``pair_sums``: the calls' indicators summed per (reason, segment), the calls counted as in
    every other table (arriving past the warm-up, in an interval); ``groups``: the group
    slice's KPIs."""
    plan = plan_routing(scenario)
    n_types, n_groups = len(plan.types), len(plan.groups)
    type_of_pair = plan.type_of.T.ravel()  # the cells are [reason, segment]
    by_type = {
        key: np.bincount(type_of_pair, weights=v.ravel(), minlength=n_types)
        for key, v in pair_sums.items()
    }
    call_type = plan.type_of[calls.column("segment"), calls.column("reason")]
    agent = calls.column("agent")
    arrival = calls.column("arrival")
    counted = grid.counted(arrival)
    answered = counted & (agent >= 0)
    group = np.asarray(roster.group, dtype=np.int64)[agent[answered]]
    t = call_type[answered]
    over = group != np.asarray(plan.primary, dtype=np.int64)[t]
    overflowed = np.bincount(t[over], minlength=n_types).astype(float)
    taken = np.bincount(group[over], minlength=n_groups).astype(float)
    types = call_kpis(by_type, scenario.service_level.definition)
    with np.errstate(invalid="ignore", divide="ignore"):
        types["overflowed"] = overflowed
        types["overflow_share"] = overflowed / types["answered"]
        by_group = {
            "calls": groups["calls"],
            "occupancy": groups["occupancy"],
            "overflow_taken": taken,
            "overflow_taken_share": taken / groups["calls"],
        }
    return {"call_type": types, "routing_group": by_group}
