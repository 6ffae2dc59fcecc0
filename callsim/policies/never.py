"""Only serve: the service-level baseline."""

from callsim.policies.base import SellingPolicy


class Never(SellingPolicy):
    pass
