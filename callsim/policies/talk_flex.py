"""Talk less when lines are busy, more when quiet — the second usual lever, with its costs.

Calls cut short come back as repeat calls more often; calls stretched when idle cost satisfaction.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from callsim.policies.contract import Call, LeverConfig, Repeats, SellingPolicy
from callsim.policies.registry import register
from callsim.scenario.distributions import Duration, Exponential


class TalkFlexConfig(LeverConfig):
    """Talk less when busy, more when idle — and pay for it in repeats and satisfaction."""

    kind: Literal["talk_flex"]
    busy_when_queue: int = Field(3, ge=0)
    idle_when_idle_agents: int = Field(3, ge=1)
    busy_factor: float = Field(0.8, gt=0, le=1, description="Talk-time multiplier when busy.")
    idle_factor: float = Field(1.2, ge=1, description="Talk-time multiplier when idle.")
    repeat_per_cut: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Added repeat-call chance per unit of talk time cut (0.2 cut → +0.1).",
    )
    repeat_delay: Duration = Field(
        default_factory=lambda: Exponential(dist="exponential", mean_min=120.0),
        description="How long an unresolved caller waits before calling again.",
    )


class TalkFlex(SellingPolicy):
    flexes_talk = True

    def __init__(self, config: TalkFlexConfig) -> None:
        self.config = config
        self.sells = config.may_sell()
        self.repeats = Repeats(config.repeat_per_cut, config.repeat_delay)

    def may_offer(self, agent: int, call: Call) -> bool:
        return self.sells

    def talk_factor(self, agent: int, call: Call) -> float:
        centre, c = self.centre, self.config
        if centre.waiting() >= c.busy_when_queue:
            return c.busy_factor
        if centre.n_idle() >= c.idle_when_idle_agents:
            return c.idle_factor
        return 1.0


register(TalkFlexConfig, TalkFlex)
