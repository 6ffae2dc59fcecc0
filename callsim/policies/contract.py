"""What a selling policy can do, and what it may read of the centre.

The engine asks the policy at three moments: when a talk phase ends (offer or not), when a talk
phase starts (how long to talk), and when a shift ends (stay on for overtime). A policy may also
run its own SimPy processes (a supervisor's reviews). A new policy is one file with one class.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from callsim.model.engine import Engine


class SellingPolicy:
    sells = False
    """Whether calls may get an offer phase at all; ``never`` keeps the engine's fast path."""
    flexes_talk = False

    def bind(self, engine: Engine) -> None:
        """Called once before the run; start processes here."""
        self.engine = engine

    def may_offer(self, agent: int) -> bool:
        """At the end of a talk phase, with ``agent`` still counted busy."""
        return False

    def talk_factor(self) -> float:
        """Multiplier on talk time of a call starting now."""
        return 1.0

    def keep_on(self, agent: int, overtime_s: float) -> bool:
        """At a shift's end: keep ``agent`` on the phones a while longer?"""
        return False

    def switch_timeline(self) -> list[tuple[float, bool]]:
        """When the marketing screen went on or off: (time, on). Empty if it has no switch."""
        return []
