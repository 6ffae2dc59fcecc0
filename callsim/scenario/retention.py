"""What a sale is worth beyond its price: the customers it keeps (SPEC §1: in one bank half of
the customers holding only a current account left within a year, under 1% a year of those also
holding a mortgage and a card).

The model, in closed form: a customer holding ``n`` products leaves at a constant hazard
``λ_n = −ln(1 − c_n)`` a year, ``c_n`` being the scenario's churn for ``n`` products (the share
who leave within a year), so the chance of still being a customer after ``t`` years is
``(1 − c_n)^t = exp(−λ_n t)``, and the expected customer-years over a horizon of ``H`` years
are ``∫₀ᴴ exp(−λ_n t) dt = (1 − exp(−λ_n H)) / λ_n`` (``H`` when nobody leaves, 0 when all do
at once). A sale moving a customer from ``n`` to ``n + 1`` products is worth the customer-years
it adds, ``Y(c_{n+1}) − Y(c_n)``, times the value of a customer-year (times the segment's
factor: a VIP's year is worth more).

assumption: the holding count is the customer's from the sale on (no later sale, no product
given up), customer-years are undiscounted, and every customer holds one product outside the
catalogue (the account or card they call about), so a customer holding none of the
catalogue's products holds one and the first sale makes two. No source gives more than the two
churn figures above; a centre states its own.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Annotated

from pydantic import Field

from callsim.scenario.strict import Strict

Probability = Annotated[float, Field(ge=0, le=1)]
Multiplier = Annotated[float, Field(ge=0)]
MAX_HORIZON_YEARS = 50
"""As for a product's yearly value: longer than any customer relationship a plan can weigh."""


class Retention(Strict):
    """Churn by products held and what a retained customer-year is worth; with it, each sale's
    retention value is reported (``retention_value``, and net contribution with it), and the
    marketing screen ranks products by price plus retention value for this customer."""

    churn_per_year: list[Probability] = Field(
        min_length=1,
        max_length=20,
        description="Share of customers leaving within a year by products held: the first "
        "entry for one product (the account alone), the next for two, ...; the last entry "
        "holds for that many products or more.",
        examples=[[0.5, 0.1, 0.01]],
    )
    value_per_customer_year: float = Field(
        ge=0, description="What a customer who stays a year is worth (margin on their business)."
    )
    horizon_years: float = Field(
        gt=0,
        le=MAX_HORIZON_YEARS,
        description="Over how many years the customer-years a sale adds are counted.",
    )
    segment_value: dict[str, Multiplier] = Field(
        default_factory=dict,
        description="Customer value by segment: multiplies the value of a customer-year "
        "(default 1), so the screen weighs a VIP's retention more.",
    )

    def churn(self, held: int) -> float:
        """Yearly churn of a customer holding ``held`` products (at least one)."""
        return self.churn_per_year[min(max(held, 1), len(self.churn_per_year)) - 1]

    def sale_value(self, held: int, segment_factor: float = 1.0) -> float:
        """Retention value of a sale to a customer holding ``held`` products before it."""
        years = self.horizon_years
        gained = customer_years(self.churn(held + 1), years) - customer_years(
            self.churn(held), years
        )
        return gained * self.value_per_customer_year * segment_factor

    def sale_values(self, segments: Sequence[str], catalogue: int) -> list[list[float]]:
        """Per segment (in order), the retention value of a sale to a customer holding ``h``
        of the catalogue's products (``h`` = 0 … ``catalogue``; ``h + 1`` products in all)."""
        return [
            [self.sale_value(h + 1, self.segment_value.get(s, 1.0)) for h in range(catalogue + 1)]
            for s in segments
        ]


def customer_years(churn: float, years: float) -> float:
    """Expected years a customer stays within ``years``, leaving at a constant hazard whose
    yearly churn is ``churn``."""
    if churn <= 0:
        return years
    if churn >= 1:
        return 0.0
    hazard = -math.log1p(-churn)
    return -math.expm1(-hazard * years) / hazard
