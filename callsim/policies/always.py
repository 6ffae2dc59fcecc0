"""Offer on every eligible call, whatever the load: the revenue ceiling."""

from callsim.policies.contract import SellingPolicy


class Always(SellingPolicy):
    sells = True

    def may_offer(self, agent: int) -> bool:
        return True
