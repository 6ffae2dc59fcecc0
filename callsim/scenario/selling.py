"""The selling part of a scenario: products, recommender, contact rules, policy, satisfaction.

No source gives inbound conversion rates, pitch times or satisfaction weights (SPEC §1), so every
default here is an assumption a centre is expected to replace with its own figures.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from callsim.policies import registry
from callsim.policies.never import NeverConfig
from callsim.scenario.distributions import Duration
from callsim.scenario.expectations import Expectations
from callsim.scenario.strict import Strict

Probability = Annotated[float, Field(ge=0, le=1)]
Multiplier = Annotated[float, Field(ge=0)]


ValueBasis = Literal["one_off", "yearly"]
MAX_VALUE_YEARS = 50
"""Longer than any product a hotline sells lasts (a mortgage runs 30-40 years): more is a slip."""


class Product(Strict):
    """One product of the catalogue. Its ``value`` is what a sale earns, on a stated basis: once
    (``one_off``, the default: a fee, a premium's margin) or every year for ``years`` years
    (``yearly``: a card's fees, a plan's interest), so revenue is always the value earned over a
    stated horizon and a planner can tell it from one day's staff cost."""

    value: float = Field(
        ge=0, description="Revenue per sale (one_off), or per year of a sale (yearly)."
    )
    value_basis: ValueBasis = Field(
        "one_off",
        description="one_off: value is earned once per sale; yearly: value is earned every year "
        "for `years` years.",
    )
    years: float | None = Field(
        None,
        gt=0,
        le=MAX_VALUE_YEARS,
        description="With value_basis yearly: over how many years a sale's value counts.",
    )
    kpi_weight: float = Field(1.0, ge=0, description="Value-and-difficulty weight of a sale.")
    pitch: Duration = Field(description="Extra talk time the offer takes.")
    conversion: Probability = Field(description="Base chance a pitch sells (skill 1).")
    reasons: list[str] | None = Field(None, description="Eligible call reasons; default all.")
    segments: list[str] | None = Field(None, description="Eligible segments; default all.")
    segment_factor: dict[str, Multiplier] = Field(
        default_factory=dict, description="Conversion multiplier by customer segment."
    )
    reason_factor: dict[str, Multiplier] = Field(
        default_factory=dict, description="Conversion multiplier by call reason."
    )
    owned_share: Probability = Field(
        0.0, description="Share of customers who already hold it (never offered again)."
    )

    @model_validator(mode="after")
    def _check_basis(self) -> Product:
        if self.value_basis == "yearly" and self.years is None:
            raise ValueError(
                "years: required with value_basis: yearly (over how many years a sale earns "
                "its yearly value)"
            )
        if self.value_basis == "one_off" and self.years is not None:
            raise ValueError(
                "years: only with value_basis: yearly (a one_off value is earned once; set "
                "value_basis: yearly to count it every year)"
            )
        return self

    @property
    def value_per_sale(self) -> float:
        """What one sale earns over the product's stated horizon: the value itself, or the
        yearly value times the years.

        assumption: undiscounted, and every customer keeps the product for the whole horizon
        (no cancellations): no source gives a discount rate or how long customers keep a
        product, so a centre that wants either states fewer years or a lower value.
        """
        return self.value * (self.years or 1.0)  # years is set exactly when yearly


class ContactRules(Strict):
    """Guards against over-marketing (SPEC §1: pitching blindly loses trust)."""

    max_offers: int = Field(1, ge=0, description="At most this many offers per customer ...")
    window_days: float = Field(30.0, gt=0, description="... within this many days.")
    cooldown_after_refusal_days: float = Field(
        7.0, ge=0, description="No offer to a customer who refused this recently."
    )
    never_reasons: list[str] = Field(
        default_factory=lambda: ["complaint"],
        description="Call reasons never offered anything (nobody pitches to a complaint).",
    )
    refused_before_factor: Multiplier = Field(
        0.7, description="Conversion multiplier once a customer has refused an offer."
    )


class Recommender(Strict):
    """The marketing screen lists the ``size`` eligible products of highest expected value for
    this caller's reason and segment (SPEC §1: 3-5 products, for the agent to choose from).

    Customers differ in taste: each customer's chance of buying a product is its conversion
    times a fit factor of the customer's own (lognormal, mean 1, spread ``taste_cv``; the same
    customer has the same taste in every plan). ``rule`` is how the agent picks from the screen:

    - ``top``: the product ranked first, whoever the customer is (the screen's size then does not
      matter);
    - ``weighted``: one drawn with chances proportional to expected value;
    - ``fit``: the one of highest expected value for this customer (value × conversion × fit):
      the agent reads the customer's fit off the screen (past spending) and the conversation, so
      a longer screen gives more to choose from and sells more. The default: the sources
      describe the screen as a list for the agent to choose from for this customer.

    assumption: the sources give no figures for how much customers differ in taste nor how well
    agents read it; ``taste_cv`` 0.5 (a customer's fit for a product within about ×0.4-×1.9 in
    nine cases of ten) and an agent who reads the fit exactly are placeholders to replace with a
    centre's own. ``taste_cv: 0`` with ``rule: top`` is the model without tastes.
    """

    size: int = Field(3, ge=1, le=5, description="Products listed on the marketing screen.")
    rule: Literal["top", "weighted", "fit"] = Field(
        "fit",
        description="Offer the best-ranked product, one drawn by expected value, or the one "
        "of highest expected value for this customer's taste.",
    )
    taste_cv: float = Field(
        0.5,
        ge=0,
        le=3,
        description="assumption: spread (coefficient of variation) of a customer's fit factor "
        "for a product, mean 1; 0 means every customer is alike.",
    )


class Satisfaction(Strict):
    """A call's score on the 5-level scale (1.0 very satisfied … 0.2 very dissatisfied).

    Start from ``base`` and subtract penalties (:mod:`callsim.measure.satisfaction`); with
    ``expectations``, start instead from where the perceived wait falls against the caller's
    segment's expected levels (:mod:`callsim.measure.expectation`).
    """

    base: float = Field(1.0, ge=0.2, le=1.0, description="Score of a prompt, plain call.")
    tolerable_wait_s: float = Field(30.0, ge=0, description="Waits up to this cost nothing.")
    per_wait_min: float = Field(0.1, ge=0, description="Penalty per minute past tolerable.")
    abandoned: float = Field(0.2, ge=0.2, le=1.0, description="Score of a caller who hung up.")
    refused_offer: float = Field(
        0.15, ge=0, description="An unwanted pitch: very satisfied becomes satisfied."
    )
    repeated_offer: float = Field(0.15, ge=0, description="Offered again within the window.")
    complaint: float = Field(0.2, ge=0, description="Calling to complain at all.")
    complaint_reasons: list[str] = Field(default_factory=lambda: ["complaint"])
    long_talk: float = Field(
        0.2, ge=0, description="Talk stretched past the reason's norm: one level down."
    )
    balked: float = Field(
        0.4,
        ge=0.2,
        le=1.0,
        description="assumption: score of a caller who hung up on hearing the announced wait "
        "(dissatisfied, but spared the wait).",
    )
    expectations: Expectations | None = Field(
        None,
        description="Score by perception against each segment's expected levels instead of "
        "base minus penalties (callsim.measure.expectation).",
    )


class Outbound(Strict):
    """An outbound campaign of the same products, for comparison per agent-hour."""

    dials_per_hour: float = Field(30.0, gt=0, description="Per agent.")
    contact_rate: Probability = Field(0.3, description="Dials that reach the customer.")
    conversion: Probability = Field(
        0.08, description="Cold-call success (SPEC §1: fell below 8% for a new card)."
    )


class Selling(Strict):
    policy: registry.config_union() = Field(  # type: ignore[valid-type]
        default_factory=lambda: NeverConfig(kind="never"),
        description="The selling rule; its kind is one of the registered policies.",
    )
    recommender: Recommender = Field(default_factory=Recommender)
    contact_rules: ContactRules = Field(default_factory=ContactRules)
    population: int | None = Field(
        None,
        ge=1,
        description="Customers in the base; callers are drawn from it, so history "
        "carries across their calls. None: every first call is a new customer.",
    )


def _accept_registered_policies() -> None:
    """A policy registered after this module was imported (a planner's own rule) becomes a valid
    ``selling.policy``: the field's union is rebuilt from the registry."""
    field = Selling.model_fields["policy"]
    union = registry.config_union()
    field.annotation, field.discriminator = union.__origin__, "kind"
    Selling.model_rebuild(force=True)


registry.on_change(_accept_registered_policies)
