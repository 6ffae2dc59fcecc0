"""Armony & Gurvich's threshold rule, decided as each talk phase completes.

K ≥ 0: offer iff at most K callers are waiting. K < 0: offer iff at least |K| *other* agents are
idle (the completing agent is still counted busy).
"""

from callsim.policies.contract import SellingPolicy


class Threshold(SellingPolicy):
    sells = True

    def __init__(self, k: int) -> None:
        self.k = k

    def may_offer(self, agent: int) -> bool:
        if self.k >= 0:
            return self.engine.n_waiting <= self.k
        return len(self.engine.idle) >= -self.k
