"""Only serve: the service-level baseline."""

from __future__ import annotations

from typing import Literal

from callsim.policies.contract import PolicyConfig, SellingPolicy
from callsim.policies.registry import register


class NeverConfig(PolicyConfig):
    kind: Literal["never"]

    def may_sell(self) -> bool:
        return False


class Never(SellingPolicy):
    pass


register(NeverConfig, lambda config: Never())
