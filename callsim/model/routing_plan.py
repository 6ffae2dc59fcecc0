"""The routing block as the engine uses it: call types and agent groups as indices.

Apart from the engine (:mod:`callsim.model.routing`) so that measuring routed runs, which needs
the same call types and primary groups, does not import the engine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from callsim.model.router_rules import RULES
from callsim.scenario.schema import Scenario


@dataclass(frozen=True)
class RoutingPlan:
    """The routing block as indices: call types and agent groups in the scenario's order."""

    types: list[str]
    groups: list[str]
    type_of: np.ndarray
    """Call type of each (segment, reason), indexed ``[segment, reason]``."""
    at_once: list[list[list[int]]]
    """Per type, the groups that take it at once, in the rule's tiers."""
    delayed: list[list[tuple[int, float]]]
    """Per type, the backup groups with a delay and their delays."""
    serves: list[list[tuple[int, float]]]
    """Per group, the types it takes and its delay for each."""
    skill_factor: list[list[float]]
    """Per group and type, the factor on talk time (1 where not given)."""
    primary: list[int]
    """Per type, its primary group."""


def plan_routing(scenario: Scenario) -> RoutingPlan:
    routing = scenario.routing
    assert routing is not None  # only scenarios that route are planned
    types = list(routing.call_types)
    groups = list(scenario.agents.groups)
    segments, reasons = list(scenario.customers.segments), list(scenario.reasons)
    type_of = np.array(
        [[routing.type_of(s, r) for r in reasons] for s in segments], dtype=np.int64
    ).reshape(len(segments), len(reasons))
    n_skills = [len(routing.skills(g)) for g in groups]
    rule = RULES[routing.rule]
    at_once, delayed = [], []
    serves: list[list[tuple[int, float]]] = [[] for _ in groups]
    for t, call_type in enumerate(routing.call_types.values()):
        now = [groups.index(step.group) for step in call_type.groups if step.after_s == 0]
        at_once.append(rule(now, n_skills))
        delayed.append(
            [(groups.index(s.group), s.after_s) for s in call_type.groups if s.after_s > 0]
        )
        for step in call_type.groups:
            serves[groups.index(step.group)].append((t, step.after_s))
    skill_factor = [
        [(spec.skill_factors or {}).get(t, 1.0) for t in types]
        for spec in scenario.agents.groups.values()
    ]
    primary = [groups.index(c.groups[0].group) for c in routing.call_types.values()]
    return RoutingPlan(types, groups, type_of, at_once, delayed, serves, skill_factor, primary)
