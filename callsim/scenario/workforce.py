"""The workforce's section of the scenario (``workforce:``): agents who leave over the weeks, the
hires who replace them, their paid training and how they learn.

A centre's headcount is not the roster's: people leave every week, their seats stand empty while
the hiring runs, and a new hire spends weeks in training (paid, off the phones) and months getting
up to speed. Over a multi-week horizon that is the difference between the plan on paper and the
service a planner gets. The model's side is :mod:`callsim.model.workforce`.
"""

from __future__ import annotations

from pydantic import Field

from callsim.scenario.strict import Strict


class NewHire(Strict):
    """A new hire's skills on their first day on the phones, as multiples of their group's
    (tenured) values; they approach 1 along the learning curve."""

    handle_time_factor: float = Field(
        ge=1, le=5, description="Multiplies the group's handle-time factor: 1.3 = 30% slower."
    )
    sales_skill: float = Field(
        ge=0, le=1, description="Multiplies the group's sales skill: 0.6 = 40% fewer sales."
    )
    resolution_skill: float = Field(
        1.0,
        gt=0,
        le=1,
        description="Multiplies the odds that their calls are resolved (with a resolution "
        "block); 1 = as resolving as the tenured.",
    )


class Workforce(Strict):
    """Weekly attrition, seat-by-seat replacement, paid training and a learning curve.

    Every agent of the roster holds a seat (a row of a shift or of a staffing table). A holder
    leaves at a constant weekly rate and works out the day they decide on; the seat stays empty
    for the hiring delay; the new hire trains on the seat's shifts (paid, off the phones), then
    takes calls with the new-hire skills, which close on the tenured ones by half of the gap
    every ``learning_half_life_weeks``. Everyone on the roster at the start is tenured. Delays
    are rounded to whole days: people start and leave on a day, not at an hour of it."""

    attrition_per_week: float = Field(
        ge=0, lt=1, description="Chance that an agent leaves in a given week."
    )
    hiring_delay_weeks: float = Field(
        ge=0, le=52, description="From a leaver's last day to their replacement's first."
    )
    training_weeks: float = Field(
        ge=0, le=52, description="Paid training on the seat's shifts before taking calls."
    )
    new_hire: NewHire
    learning_half_life_weeks: float = Field(
        gt=0,
        le=104,
        description="Weeks on the phones in which a new hire closes half of the gap to the "
        "tenured skills (skill = 1 + (start - 1) * 2^(-weeks / half-life)).",
    )
    selling_attrition_factor: float | None = Field(
        None,
        gt=0,
        le=5,
        description="assumption (SPEC §1: selling adds variety to the job): multiplies the "
        "attrition of agents trained to sell when the plan sells; 0.8 = a fifth fewer leave. "
        "No source gives the size of the effect; without it, selling does not change attrition.",
    )
