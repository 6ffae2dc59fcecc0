"""Agents steering callers to self-service, and the calls that spares later.

Steering is decided at the talk end like an offer, from the caller's own uniform ``u_steer``; a
steered customer's later first calls about the same reason, within the window, self-serve with
the chance the scenario gives, from their own ``u_self_service``. The centre remembers when it
last steered each (customer, reason): what the effect on future load needs, and no more.
"""

from __future__ import annotations

from callsim.model.calllog import CallLog
from callsim.scenario.resolution import Steering

SECONDS_PER_DAY = 86_400.0


class SteeringDesk:
    def __init__(self, steering: Steering, reasons: list[str]) -> None:
        self.eligible = [r in steering.reasons for r in reasons]
        self.share = steering.share
        self.effect = steering.effect
        self.window_s = steering.window_days * SECONDS_PER_DAY
        self.time_s = steering.time_s
        self.last: dict[tuple[int, int], float] = {}

    def at_talk_end(self, calls: CallLog, row: int, now: float) -> float:
        """Whether the agent steers this caller: the talk time it adds (0 if not)."""
        reason = int(calls.reason[row])
        if not self.eligible[reason] or float(calls.draws["u_steer"][row]) >= self.share:
            return 0.0
        calls.steered[row] = 1
        self.last[(int(calls.customer[row]), reason)] = now
        return self.time_s

    def self_serves(self, calls: CallLog, row: int, now: float) -> bool:
        """Whether this first call is made in self-service, its customer having been steered
        there for this reason within the window."""
        steered_at = self.last.get((int(calls.customer[row]), int(calls.reason[row])))
        if steered_at is None or now - steered_at > self.window_s:
            return False
        return float(calls.draws["u_self_service"][row]) < self.effect
