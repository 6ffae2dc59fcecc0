"""Armony & Gurvich's threshold rule, decided as each talk phase completes.

K ≥ 0: offer iff at most K callers are waiting. K < 0: offer iff at least |K| *other* agents are
idle (the completing agent is still counted busy).
"""

from __future__ import annotations

from typing import Literal

from callsim.policies.contract import Call, LoadGate, PolicyConfig, SellingPolicy
from callsim.policies.registry import register


class ThresholdConfig(PolicyConfig):
    """Armony & Gurvich: offer iff ≤ K callers wait (K ≥ 0), or ≥ |K| other agents idle."""

    kind: Literal["threshold"]
    k: int


class Threshold(SellingPolicy):
    sells = True

    def __init__(self, k: int) -> None:
        self.k = k

    def may_offer(self, agent: int, call: Call) -> bool:
        if self.k >= 0:
            return self.centre.waiting() <= self.k
        return self.centre.n_idle() >= -self.k

    def offer_gate(self) -> LoadGate:
        if self.k >= 0:
            return LoadGate(max_waiting=self.k, min_idle=0)
        return LoadGate(max_waiting=float("inf"), min_idle=-self.k)


register(ThresholdConfig, lambda config: Threshold(config.k))
