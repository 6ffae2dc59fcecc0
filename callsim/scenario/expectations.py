"""What each segment expects of a call (SPEC §1: satisfaction is perception against
expectation; expectations come in levels and differ by segment).

The levels are waits in seconds: up to ``ideal_s`` a caller is above expectation (very
satisfied), at ``standard_s`` just meets it (satisfied), at ``acceptable_s`` is neutral, at
``tolerable_s`` (minimum tolerable) dissatisfied, and as far again past it very dissatisfied.
No source gives these waits: the defaults are assumptions.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from callsim.scenario.strict import Strict

Seconds = Annotated[float, Field(ge=0)]
Penalty = Annotated[float, Field(ge=0, le=0.8)]


class WaitExpectation(Strict):
    ideal_s: Seconds = Field(10.0, description="assumption: a wait still above expectation.")
    standard_s: Seconds = Field(30.0, description="assumption: the wait that meets it.")
    acceptable_s: Seconds = Field(90.0, description="assumption: a wait judged neutral.")
    tolerable_s: Seconds = Field(180.0, description="assumption: the minimum tolerable.")

    @model_validator(mode="after")
    def _increasing(self) -> WaitExpectation:
        # Equal levels would make the score jump from one level to the next at that wait.
        levels = [self.ideal_s, self.standard_s, self.acceptable_s, self.tolerable_s]
        names = ["ideal_s", "standard_s", "acceptable_s", "tolerable_s"]
        for k in range(1, 4):
            if levels[k] <= levels[k - 1]:
                raise ValueError(
                    f"{names[k]} ({levels[k]:g}) must be longer than {names[k - 1]} "
                    f"({levels[k - 1]:g}): the levels run from ideal to minimum tolerable"
                )
        return self

    def points(self) -> tuple[list[float], list[float]]:
        """(wait, score) points the score is read between, from very satisfied to very
        dissatisfied; the last level is as far past the minimum tolerable as that is past the
        acceptable."""
        last = self.tolerable_s + (self.tolerable_s - self.acceptable_s)
        waits = [self.ideal_s, self.standard_s, self.acceptable_s, self.tolerable_s, last]
        return waits, [1.0, 0.8, 0.6, 0.4, 0.2]


class Expectations(Strict):
    """Perception against expectation: the wait sets the score by where it falls between the
    caller's segment's levels; then an unresolved request, an unwanted or repeated offer, a
    complaint and stretched talk lower it (the penalties of the satisfaction block, plus
    ``unresolved``). A wait that was announced is perceived shorter
    (``announcement.wait_discount``)."""

    wait: WaitExpectation = Field(
        default_factory=WaitExpectation, description="Every segment's, unless it has its own."
    )
    segments: dict[str, WaitExpectation] = Field(
        default_factory=dict, description="A segment's own levels (VIPs expect more)."
    )
    unresolved: Penalty = Field(
        0.2, description="assumption: an answered call left unresolved costs one level."
    )
    long_talk_full_at: float = Field(
        1.5,
        gt=1,
        description="assumption: the talk factor at which the long_talk penalty is whole; "
        "it grows in proportion from factor 1, so a slightly stretched call costs a little.",
    )

    def of_segment(self, name: str) -> WaitExpectation:
        return self.segments.get(name, self.wait)
