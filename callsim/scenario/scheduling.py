"""The ``scheduling:`` section: the shift templates ``callsim schedule`` may build a roster from.

A template is what a centre's rules allow, not a roster: shifts start in a window at a step, last
one of a few lengths, and carry breaks placed in a window after the start. The scheduler picks
how many agents work each shift pattern the template allows. Limits that are hard (a template's
or a group's headcount, the agents available) are checked here to be satisfiable together, so
the integer program always has a schedule; what the limits cannot cover is reported as short
intervals, never an empty answer.

Headcounts are per day: ``min_agents`` and ``max_agents`` bound the agents working that
template (or group, or the whole roster) on each day of the horizon.
"""

from __future__ import annotations

import itertools
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from callsim.scenario.clock import check_clock, clock, minutes
from callsim.scenario.strict import Strict

Name = Annotated[str, Field(min_length=1, max_length=80)]
Count = Annotated[int, Field(ge=0)]
DAY_MIN = 24 * 60


class StartWindow(Strict):
    """Shift starts from ``earliest`` to ``latest`` (both included) every ``step_min``; a window
    reaching past 24:00 starts the next morning (a night window 22:00-26:00)."""

    earliest: str
    latest: str
    step_min: int | None = Field(
        None, gt=0, le=DAY_MIN, description="Default: the horizon's interval."
    )

    _clock = field_validator("earliest", "latest")(check_clock)

    @model_validator(mode="after")
    def _check(self) -> StartWindow:
        first, last = minutes(self.earliest), minutes(self.latest)
        if last < first:
            raise ValueError(
                f"empty start window: latest {self.latest} is before earliest {self.earliest}"
            )
        if last - first >= DAY_MIN:
            raise ValueError(f"start window {self.earliest}-{self.latest} spans a day or more")
        if first >= DAY_MIN:
            raise ValueError(f"earliest {self.earliest} is not a time of the day (before 24:00)")
        return self

    def starts(self, default_step: int) -> list[int]:
        """Start minutes after midnight, each within the day (a start past 24:00 wraps)."""
        step = self.step_min or default_step
        first, last = minutes(self.earliest), minutes(self.latest)
        return sorted({m % DAY_MIN for m in range(first, last + 1, step)})


class BreakRule(Strict):
    """A break of ``duration_min`` starting between ``earliest_min`` and ``latest_min`` after
    the shift's start, every ``step_min``."""

    duration_min: int = Field(gt=0, le=DAY_MIN)
    paid: bool = Field(True, description="An unpaid break (a meal) is not paid time.")
    earliest_min: int = Field(ge=0, description="Earliest start, minutes after the shift's.")
    latest_min: int = Field(ge=0, description="Latest start, minutes after the shift's.")
    step_min: int | None = Field(
        None, gt=0, le=DAY_MIN, description="Default: the horizon's interval."
    )

    @model_validator(mode="after")
    def _check(self) -> BreakRule:
        if self.latest_min < self.earliest_min:
            raise ValueError(
                f"empty break window: latest_min {self.latest_min} is before earliest_min "
                f"{self.earliest_min}"
            )
        return self

    def offsets(self, default_step: int) -> list[int]:
        step = self.step_min or default_step
        return list(range(self.earliest_min, self.latest_min + 1, step))


class Template(Strict):
    start: StartWindow
    lengths_h: list[Annotated[float, Field(gt=0, le=24)]] = Field(
        min_length=1, description="Shift lengths in hours, breaks included (4, 6, 8, 8.5)."
    )
    breaks: list[BreakRule] = Field(
        default_factory=list, description="In the order they are taken; none overlap."
    )
    min_agents: Count = 0
    max_agents: Count | None = None

    @field_validator("lengths_h")
    @classmethod
    def _whole_minutes(cls, lengths: list[float]) -> list[float]:
        for length in lengths:
            if abs(length * 60 - round(length * 60)) > 1e-9:
                raise ValueError(f"{length:g} h is not a whole number of minutes")
        if len(set(lengths)) != len(lengths):
            raise ValueError("a length is listed twice")
        return lengths

    @model_validator(mode="after")
    def _check(self) -> Template:
        if self.max_agents is not None and self.min_agents > self.max_agents:
            raise ValueError(
                f"min_agents {self.min_agents} is more than max_agents {self.max_agents}"
            )
        return self

    def length_minutes(self) -> list[int]:
        return [round(h * 60) for h in self.lengths_h]

    def placements(self, length: int, default_step: int) -> list[tuple[int, ...]]:
        """Every way to place the breaks in a shift of ``length`` minutes: break start offsets,
        in order, each break inside the shift and after the one before."""
        options = [rule.offsets(default_step) for rule in self.breaks]
        out = []
        for offsets in itertools.product(*options):
            end = 0
            for rule, at in zip(self.breaks, offsets, strict=True):
                if at < end or at + rule.duration_min > length:
                    break
                end = at + rule.duration_min
            else:
                out.append(offsets)
        return out


class GroupScheduling(Strict):
    cost_per_hour: float | None = Field(
        None, ge=0, description="Cost of a paid hour; default the group's wage_per_hour."
    )
    min_agents: Count = 0
    max_agents: Count | None = Field(None, description="Agents of this group available a day.")
    templates: dict[Name, Template] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> GroupScheduling:
        low = max(self.min_agents, sum(t.min_agents for t in self.templates.values()))
        caps = [t.max_agents for t in self.templates.values()]
        high = None if None in caps else sum(c or 0 for c in caps)
        if self.max_agents is not None:
            high = self.max_agents if high is None else min(high, self.max_agents)
        if high is not None and low > high:
            raise ValueError(
                f"the group needs at least {low} agents a day (its and its templates' "
                f"min_agents) but may have at most {high} (max_agents)"
            )
        return self

    def least_agents(self) -> int:
        return max(self.min_agents, sum(t.min_agents for t in self.templates.values()))


class Scheduling(Strict):
    groups: dict[Name, GroupScheduling] = Field(
        min_length=1, description="Agent groups to schedule; the others keep their roster."
    )
    max_agents: Count | None = Field(None, description="Agents available a day, all groups.")
    under_coverage_penalty: float | None = Field(
        None,
        gt=0,
        description="Cost of one agent short for one interval. Default: coverage first (the "
        "least shortfall the templates allow, then the cheapest schedule with it).",
    )
    max_iterations: int = Field(
        10, ge=1, le=100, description="Rounds of simulate, raise the requirement, re-solve."
    )

    @model_validator(mode="after")
    def _check(self) -> Scheduling:
        least = sum(g.least_agents() for g in self.groups.values())
        if self.max_agents is not None and least > self.max_agents:
            raise ValueError(
                f"max_agents {self.max_agents} is fewer than the {least} agents a day the "
                f"groups' min_agents need"
            )
        return self


def check_scheduling(
    scheduling: Scheduling, groups: list[str], open_min: int, close_min: int, interval_min: int
) -> None:
    """What the section says against the rest of the scenario: groups that exist, shifts that
    fit the opening hours, breaks that fit the shifts. Raises ValueError naming the field."""
    always_open = open_min == 0 and close_min == DAY_MIN
    for name, group in scheduling.groups.items():
        where = f"scheduling.groups.{name}"
        if name not in groups:
            raise ValueError(f"{where}: no agent group '{name}' in agents.groups")
        for t_name, template in group.templates.items():
            here = f"{where}.templates.{t_name}"
            starts = template.start.starts(interval_min)
            if not always_open and not any(open_min <= s < close_min for s in starts):
                raise ValueError(
                    f"{here}.start: {template.start.earliest}-{template.start.latest} lies "
                    f"outside the opening hours {clock(open_min)}-{clock(close_min)}"
                )
            for hours, length in zip(template.lengths_h, template.length_minutes(), strict=True):
                if not always_open and not any(
                    open_min <= s and s + length <= close_min for s in starts
                ):
                    raise ValueError(
                        f"{here}.lengths_h: a {hours:g} h shift starting "
                        f"{template.start.earliest}-{template.start.latest} does not fit in the "
                        f"opening hours {clock(open_min)}-{clock(close_min)}"
                    )
                for k, rule in enumerate(template.breaks):
                    if rule.earliest_min + rule.duration_min > length:
                        raise ValueError(
                            f"{here}.breaks.{k}: a {rule.duration_min}-min break from "
                            f"{rule.earliest_min} min after the start does not fit in a "
                            f"{hours:g} h shift"
                        )
                if template.breaks and not template.placements(length, interval_min):
                    raise ValueError(
                        f"{here}.breaks: no placement of the breaks, in order and not "
                        f"overlapping, fits in a {hours:g} h shift"
                    )
