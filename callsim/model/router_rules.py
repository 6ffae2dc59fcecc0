"""Which idle agent an arriving call goes to, when several groups may take it at once.

A rule sees only the groups (and their skills), never the agents: it orders the groups that may
take a call into tiers, and the engine gives the call to the longest-idle agent of the first
tier with one idle (:class:`callsim.model.routing.IdlePool`). So a rule is decided once per call
type when the run starts and costs nothing per call; ties within a tier always go to the longest
idle, which keeps the one-group case identical to the unrouted engine.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

Tiers = list[list[int]]
RoutingRule = Callable[[Sequence[int], Sequence[int]], Tiers]
"""(groups that may take the call at once, each group's number of skills) -> tiers."""


def longest_idle(groups: Sequence[int], n_skills: Sequence[int]) -> Tiers:
    """Every group alike: the agent idle the longest takes the call."""
    return [list(groups)] if groups else []


def least_skilled_first(groups: Sequence[int], n_skills: Sequence[int]) -> Tiers:
    """The group with the fewest skills first, so agents who can take other types stay free
    for them (Wallace & Whitt 2005's reason to cross-train sparingly); ties: longest idle."""
    counts = sorted({n_skills[g] for g in groups})
    return [[g for g in groups if n_skills[g] == c] for c in counts]


RULES: dict[str, RoutingRule] = {
    "longest_idle": longest_idle,
    "least_skilled_first": least_skilled_first,
}
