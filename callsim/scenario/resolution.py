"""The scenario's words for how well a call is served: resolution at first contact, the IVR.

Both are off unless the scenario has the block, and each leaves a scenario without it exactly as
it was. ``resolution:`` says how likely an answered call is to settle the caller's request (by
call reason; an agent group's ``resolution_skill`` moves it) and how long an unresolved caller
waits before calling again. ``ivr:`` puts a self-service menu in front of the queue: per call
reason, the share of first calls it resolves, and the time callers spend in it.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from callsim.scenario.distributions import Duration, Exponential, Fixed
from callsim.scenario.strict import Strict

Probability = Annotated[float, Field(ge=0, le=1)]
ReasonName = Annotated[str, Field(min_length=1, max_length=80)]


class Resolution(Strict):
    """First-contact resolution: an answered call settles the request with probability
    ``probability`` (or ``by_reason[reason]``) for an agent of ``resolution_skill`` 1.

    An agent group's skill ``s`` multiplies the odds of resolving, so a call resolved with
    probability ``p`` by an average agent is resolved with ``p·s / (p·s + 1 − p)`` by theirs:
    still a probability whatever the skill, ``s = 0.5`` for new hires halves the odds, and a
    reason always resolved (``p = 1``) stays so. Talk cut short by a talk-flex policy lowers it
    further, by the policy's ``repeat_per_cut`` per unit of talk cut. An unresolved caller calls
    again after ``repeat_delay``, the same customer about the same reason, as a repeat call; a
    repeat call is resolved or not like any other answered call, so with probability ``p``
    throughout a first call brings ``(1 − p)/p`` repeats on average. With this block, repeat
    calls wait ``repeat_delay`` (a talk-flex policy's own ``repeat_delay`` applies only
    without it: one model of repeat calls, not two).
    """

    probability: Probability = Field(
        description="Chance an answered call is resolved by an agent of skill 1."
    )
    by_reason: dict[ReasonName, Probability] = Field(
        default_factory=dict, description="Per call reason, instead of probability."
    )
    repeat_delay: Duration = Field(
        default_factory=lambda: Exponential(dist="exponential", mean_min=1440.0),
        description="How long an unresolved caller waits before calling again; "
        "assumption: a day on average, no source gives it.",
    )


class Steering(Strict):
    """Agents steering callers to self-service, like an offer: it takes talk time now and
    lowers that customer's calls to come about the same reason.

    On an answered call of one of ``reasons``, the agent steers the caller with chance
    ``share``, which adds ``time_s`` of talk. For ``window_days`` after, each first call the
    customer makes about that reason is resolved in self-service instead with chance
    ``effect`` (never reaching the queue: counted as deflected). Customers call more than once
    only with ``selling.population``, so steering needs it; calls made again (retrials, repeat
    calls) are not steered away.
    """

    share: Probability = Field(description="Chance an agent steers a caller of these reasons.")
    reasons: list[ReasonName] = Field(min_length=1, description="Call reasons it applies to.")
    time_s: float = Field(
        30.0, ge=0, description="Talk time it adds; assumption: 30 s, no source gives it."
    )
    effect: Probability = Field(
        description="Chance a steered customer's later call about the reason self-serves."
    )
    window_days: float = Field(
        30.0, gt=0, description="How long the effect lasts; assumption: 30 days."
    )


class Ivr(Strict):
    """A self-service menu (IVR) every first call passes through before the queue.

    ``containment[reason]`` is the share of that reason's first calls the IVR resolves
    (reasons not listed: none); those callers hang up satisfied and never reach the queue
    (deflected). The others reach the queue after ``time`` in the menu; that time counts in their
    wait (service level, ASA) only with ``time_counts_as_wait``. Calls made again (retrials,
    repeat calls) go straight to the queue: assumption, a caller calling back about a request
    the menu did not settle skips it.
    """

    containment: dict[ReasonName, Probability] = Field(
        description="Per call reason, the share of first calls resolved in the IVR."
    )
    time: Duration = Field(
        default_factory=lambda: Fixed(dist="fixed", value_s=45.0),
        description="Time in the menu; assumption: 45 s, no source gives it.",
    )
    time_counts_as_wait: bool = Field(
        False, description="Count the menu's time in the wait of callers who reach an agent."
    )
    steering: Steering | None = Field(None, description="Agents steering callers to it.")
