"""What a control rule may read of the centre, what it may do to it, and when it is asked.

Selling policies (and the control rules to come: surge call-up, IVR deflection, routing) never see
the engine. They get a :class:`Centre` — a read-only view of the live state plus a few named
actions — and the engine asks them at fixed moments: when a talk phase starts (how long to talk),
when it ends (offer or not), when a shift ends (stay on for overtime) and, if it asks to, at every
change of the load. Keeping them behind
this contract lets the engine change its internals, and lets a planner's own rule ("offer only to
VIPs when the queue is short") be one file with no engine change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from pydantic import Field

from callsim.scenario.distributions import Sampler
from callsim.scenario.strict import Strict


class Call(Protocol):
    """The call a decision concerns, as the agent's screen shows it."""

    @property
    def segment(self) -> int:
        """Index into the scenario's segments (see :meth:`Centre.segment_index`)."""
        ...

    @property
    def reason(self) -> int:
        """Index into the scenario's call reasons (see :meth:`Centre.reason_index`)."""
        ...

    @property
    def customer(self) -> int: ...

    @property
    def wait_s(self) -> float:
        """How long the caller waited before being answered."""
        ...


class Centre(Protocol):
    """The live centre as a control rule sees it."""

    @property
    def now(self) -> float:
        """Simulation clock, seconds after day 1, 00:00."""
        ...

    def waiting(self, level: int | None = None) -> int:
        """Callers waiting now, in all queues or in one priority level (0 = highest)."""
        ...

    def n_idle(self) -> int:
        """Agents logged in and free (during a talk-end decision the deciding agent is busy)."""
        ...

    def idle_agents(self) -> list[int]:
        """The free agents, longest idle first."""
        ...

    def logged_in(self) -> int: ...

    def session_end(self, agent: int) -> float:
        """When the agent's current (or last) login session is scheduled to end."""
        ...

    def expected_wait_s(self) -> float:
        """What a caller joining now would expect to wait."""
        ...

    def recent_service_level(self, window_s: float) -> float:
        """Service level of the first calls of the last ``window_s`` whose fate is known."""
        ...

    def segment_index(self, name: str) -> int: ...

    def reason_index(self, name: str) -> int: ...

    def every(self, period_s: float, review: Callable[[], None]) -> None:
        """Run ``review`` every ``period_s`` from now on (a supervisor's periodic look)."""
        ...

    def after(self, delay_s: float, action: Callable[[], None]) -> None:
        """Run ``action`` once, ``delay_s`` from now (an order takes time to be carried out)."""
        ...

    # -- actions ------------------------------------------------------------------------------

    def take_off_phones(self, agent: int) -> bool:
        """Log an idle agent out before the session's end (still paid); False if not idle."""
        ...

    def put_back_on_phones(self, agent: int) -> bool:
        """Log an agent taken off the phones back in, if the session has not ended meanwhile."""
        ...

    def call_to_phones(self, agent: int, until: float) -> bool:
        """Log in an agent who has no session now (a standby member called up) until ``until``;
        False if the line is closed or the agent is on the phones already."""
        ...

    def release(self, agent: int) -> None:
        """End the agent's session now, after the call in hand if there is one."""
        ...

    def on_phones(self, agent: int) -> bool:
        """Whether the agent is logged in (finishing a last call included)."""
        ...


@dataclass(frozen=True)
class LoadGate:
    """An offer rule that reads nothing but the load: offer iff at most ``max_waiting`` callers
    wait and at least ``min_idle`` other agents are idle. Stated as data so the engine can check
    it with two comparisons instead of asking the policy at every talk end."""

    max_waiting: float
    min_idle: int


@dataclass(frozen=True)
class Repeats:
    """Calls cut short come back unresolved: the chance per unit of talk time cut, and when."""

    per_cut: float
    delay: Sampler


class PolicyConfig(Strict):
    """A policy's section of the scenario (``selling.policy``); ``kind`` names the policy."""

    kind: str

    def may_sell(self) -> bool:
        """Whether the policy can ever make an offer (the scenario then needs products)."""
        return True


class LeverConfig(PolicyConfig):
    """A lever that is not itself a selling rule (overtime and training, talk-time flex): it may
    be run with selling on top, on every eligible call, or without."""

    sells: Literal["never", "always"] = Field("never", description="Selling on top of it.")

    def may_sell(self) -> bool:
        return self.sells == "always"


class SellingPolicy:
    """Default answers of every hook: never offer, talk as drawn, no overtime, no switch."""

    sells = False
    """Whether calls may get an offer phase at all; a policy that never offers nor flexes talk
    keeps the engine's fast path (talk and wrap-up as one calendar entry)."""
    flexes_talk = False
    repeats: Repeats | None = None
    watches_load = False
    """Whether :meth:`load_changed` is called at every change of queue or agents (a real-time
    rule); off by default, since the call costs time on every event."""

    def bind(self, centre: Centre) -> None:
        """Called once before the run: keep the view, start periodic reviews."""
        self.centre = centre

    def may_offer(self, agent: int, call: Call) -> bool:
        """At the end of a talk phase, with ``agent`` still counted busy; not asked where no
        offer could be made whatever the answer (an agent not trained to sell, a caller with
        nothing eligible they do not hold already)."""
        return False

    def offer_gate(self) -> LoadGate | None:
        """Asked once before the run: the load alone decides :meth:`may_offer`, as this gate
        (which must then give the same answers), or ``None``, and :meth:`may_offer` is asked."""
        return None

    def talk_factor(self, agent: int, call: Call) -> float:
        """Multiplier on the talk time of a call being answered now."""
        return 1.0

    def load_changed(self) -> None:
        """After an arrival, answer, abandonment, completion, login or logout."""

    def keep_on(self, agent: int, overtime_s: float) -> bool:
        """At a shift's end: keep ``agent`` on the phones a while longer?"""
        return False

    def switch_timeline(self) -> list[tuple[float, bool]]:
        """When the marketing screen went on or off: (time, on). Empty if it has no switch."""
        return []

    def off_phone_spans(self, end: float) -> list[tuple[int, float, float]]:
        """(agent, start, end) of time the policy took agents off the phones, closed at ``end``."""
        return []
