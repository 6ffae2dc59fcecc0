"""Whether an answered call resolves the caller's request, so that they need not call again.

The chance belongs to the agent's group and the call's reason (``scenario.resolution``; a group's
``resolution_skill`` multiplies the odds) and falls when a talk-flex policy cut the talk short.
The draw is the caller's own uniform ``u_resolve`` (:mod:`callsim.model.demand`), so a caller
resolved by a less skilled agent in one plan is resolved by a more skilled one in another, and
two plans see the same callers resolved wherever they are served alike (common random numbers).
"""

from __future__ import annotations

import numpy as np

from callsim.model.calllog import CallLog
from callsim.scenario.distributions import Sampler
from callsim.scenario.schema import Scenario


def resolution_chance(p: float, skill: float) -> float:
    """``p`` for an agent of skill 1, moved by ``skill`` on the odds: a probability whatever
    the skill, and a request always (never) resolved stays so."""
    return p * skill / (p * skill + 1.0 - p) if p < 1.0 else 1.0


class Resolver:
    def __init__(self, scenario: Scenario, group_of_agent: list[int], per_cut: float) -> None:
        resolution = scenario.resolution
        assert resolution is not None  # built only for a scenario with a resolution block
        base = [resolution.by_reason.get(r, resolution.probability) for r in scenario.reasons]
        skills = [
            1.0 if g.resolution_skill is None else g.resolution_skill
            for g in scenario.agents.groups.values()
        ]
        if scenario.standby is not None:  # the pool is the last group (model.standby)
            skills.append(scenario.standby.resolution_skill or 1.0)
        # One row per agent group, one column per reason: looked up once per answered call.
        self.chance = [[resolution_chance(p, s) for p in base] for s in skills]
        self.group_of_agent = group_of_agent
        self.per_cut = per_cut
        self.delay: Sampler = resolution.repeat_delay
        self.odds: list[float] | None = None
        """Per agent, a factor on the odds beside their group's (a new hire still learning)."""

    def set_odds(self, agent: int, odds: float, agents: int) -> None:
        if self.odds is None:
            if odds == 1.0:
                return
            self.odds = [1.0] * agents
        self.odds[agent] = odds

    def resolves(self, calls: CallLog, row: int, agent: int, cut: float) -> bool:
        """Whether the call in ``row``, answered by ``agent`` with its talk cut by ``cut``
        (0.2 = a fifth shorter), resolves the request."""
        p = self.chance[self.group_of_agent[agent]][int(calls.reason[row])]
        if self.odds is not None:
            p = resolution_chance(p, self.odds[agent])
        if cut > 0:
            p *= max(0.0, 1.0 - self.per_cut * cut)
        return float(calls.draws["u_resolve"][row]) < p


def group_chances(scenario: Scenario) -> np.ndarray:
    """The configured chance of resolving by (agent group, reason): what FCR by group should be."""
    resolver = Resolver(scenario, [], 0.0)
    return np.array(resolver.chance)
