"""Offer on every eligible call, whatever the load: the revenue ceiling."""

from __future__ import annotations

from typing import Literal

from callsim.policies.contract import Call, LoadGate, PolicyConfig, SellingPolicy
from callsim.policies.registry import register


class AlwaysConfig(PolicyConfig):
    kind: Literal["always"]


class Always(SellingPolicy):
    sells = True

    def may_offer(self, agent: int, call: Call) -> bool:
        return True

    def offer_gate(self) -> LoadGate:
        return LoadGate(max_waiting=float("inf"), min_idle=0)


register(AlwaysConfig, lambda config: Always())
