"""Talk less when lines are busy, more when quiet — the second usual lever, with its costs.

Calls cut short come back as repeat calls more often; calls stretched when idle cost satisfaction.
"""

from callsim.policies.contract import SellingPolicy
from callsim.scenario.selling import TalkFlexPolicy


class TalkFlex(SellingPolicy):
    flexes_talk = True

    def __init__(self, config: TalkFlexPolicy) -> None:
        self.config = config
        self.sells = config.sells == "always"

    def may_offer(self, agent: int) -> bool:
        return self.sells

    def talk_factor(self) -> float:
        e, c = self.engine, self.config
        if e.n_waiting >= c.busy_when_queue:
            return c.busy_factor
        if len(e.idle) >= c.idle_when_idle_agents:
            return c.idle_factor
        return 1.0
