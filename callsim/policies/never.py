"""Only serve: the service-level baseline."""

from callsim.policies.contract import SellingPolicy


class Never(SellingPolicy):
    pass
