"""What a comparison recommends: the planner's objective, as a scenario states it.

A manager asks "which plan?", and the answer depends on what the centre is for: a centre that
sells wants the most net contribution that still keeps the service-level goal; a service centre
on a budget wants the best service level it can buy. Both are stated here once, so the command
line, the summary file and every report recommend the same plan.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from callsim.scenario.strict import Strict

ObjectiveKind = Literal["net_contribution", "service_level"]
OBJECTIVES: tuple[ObjectiveKind, ...] = ("net_contribution", "service_level")


class Objective(Strict):
    maximise: ObjectiveKind = Field(
        "net_contribution",
        description="net_contribution: the most net contribution among plans meeting the "
        "service-level goal; service_level: the best service level (within max_cost, if given).",
    )
    max_cost: float | None = Field(
        None,
        gt=0,
        allow_inf_nan=False,
        description="Plans whose mean staff cost over the horizon exceeds this are not "
        "recommended, whatever the objective.",
    )
