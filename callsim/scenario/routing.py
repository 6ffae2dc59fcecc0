"""Skills-based routing: call types, the agent groups that take them, and after what delay.

Off unless the scenario has a ``routing:`` block; without one every agent takes every call, as
one pool. With one, each call gets a type (by its segment and/or reason), each type a primary
group and optional backup groups that take its calls once they have waited ``after_s`` (at once
with 0): the "with delays" router planners use, the simplest that lets specialists answer their
own calls first and share the load when they are swamped. A group's skills are the call types
that list it; ``agents.groups.<g>.skill_factors`` scales its talk time per type.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from callsim.scenario.strict import Strict

Name = Annotated[str, Field(min_length=1, max_length=80)]

RULES = ("longest_idle", "least_skilled_first")
"""How an arriving call picks among idle agents (:mod:`callsim.model.router_rules`)."""


class GroupStep(Strict):
    """One group that takes a call type, after the call has waited ``after_s``."""

    group: Name
    after_s: float = Field(
        0.0, ge=0, le=86_400, description="Wait after which this group takes the call; 0: at once."
    )


class CallType(Strict):
    """Calls of these segments and reasons (either list left out: any), and who takes them."""

    segments: list[Name] | None = Field(None, min_length=1)
    reasons: list[Name] | None = Field(None, min_length=1)
    groups: list[GroupStep] = Field(
        min_length=1, description="The primary group first, then the backups."
    )

    @model_validator(mode="after")
    def _check(self) -> CallType:
        if self.groups[0].after_s != 0:
            raise ValueError(
                f"groups.0 ({self.groups[0].group}) is the primary group: its after_s must be 0"
            )
        seen: set[str] = set()
        for i, step in enumerate(self.groups):
            if step.group in seen:
                raise ValueError(f"groups.{i}: group '{step.group}' is listed twice")
            seen.add(step.group)
        return self

    def matches(self, segment: str, reason: str) -> bool:
        return (self.segments is None or segment in self.segments) and (
            self.reasons is None or reason in self.reasons
        )


class Routing(Strict):
    """Call types in file order: a call is of the first type that matches it."""

    rule: Literal["longest_idle", "least_skilled_first"] = Field(
        "longest_idle",
        description="Among the idle agents who may take an arriving call: the longest idle, or "
        "one of the group with the fewest skills (keeping generalists free; ties: longest idle).",
    )
    call_types: dict[Name, CallType] = Field(min_length=1)

    def type_of(self, segment: str, reason: str) -> int | None:
        """Index of the call type a (segment, reason) call is of, None if none matches."""
        for t, call_type in enumerate(self.call_types.values()):
            if call_type.matches(segment, reason):
                return t
        return None

    def skills(self, group: str) -> list[str]:
        """The call types a group takes, in file order."""
        return [
            name
            for name, call_type in self.call_types.items()
            if any(step.group == group for step in call_type.groups)
        ]

    def check(
        self,
        segments: list[str],
        reasons: list[str],
        groups: list[str],
        skill_factors: dict[str, dict[str, float] | None],
    ) -> None:
        """Names against the scenario's, and every call given a type; one-line errors."""
        for name, call_type in self.call_types.items():
            where = f"routing.call_types.{name}"
            for s in call_type.segments or []:
                if s not in segments:
                    raise ValueError(f"{where}.segments: unknown segment '{s}'")
            for r in call_type.reasons or []:
                if r not in reasons:
                    raise ValueError(f"{where}.reasons: unknown call reason '{r}'")
            for i, step in enumerate(call_type.groups):
                if step.group not in groups:
                    raise ValueError(f"{where}.groups.{i}: unknown agent group '{step.group}'")
        for group in groups:
            if not self.skills(group):
                raise ValueError(
                    f"routing.call_types: agent group '{group}' takes no call type; list it in "
                    "one (its agents would sit idle) or remove the group"
                )
        for s in segments:
            for r in reasons:
                if self.type_of(s, r) is None:
                    raise ValueError(
                        f"routing.call_types: no call type takes segment '{s}' with reason "
                        f"'{r}'; add one (a type without segments and reasons takes the rest)"
                    )
        for group, factors in skill_factors.items():
            served = self.skills(group)
            for t in factors or {}:
                if t not in served:
                    raise ValueError(
                        f"agents.groups.{group}.skill_factors: '{t}' is not a call type this "
                        f"group takes (it takes {', '.join(served) or 'none'})"
                    )
