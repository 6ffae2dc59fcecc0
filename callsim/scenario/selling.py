"""The selling part of a scenario: products, recommender, contact rules, policy, satisfaction.

No source gives inbound conversion rates, pitch times or satisfaction weights (SPEC §1), so every
default here is an assumption a centre is expected to replace with its own figures.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from callsim.scenario.distributions import Duration, Exponential

Probability = Annotated[float, Field(ge=0, le=1)]
Multiplier = Annotated[float, Field(ge=0)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, strict=True)


class Product(_Strict):
    value: float = Field(ge=0, description="Revenue per sale.")
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


class ContactRules(_Strict):
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


class Recommender(_Strict):
    size: int = Field(3, ge=1, le=5, description="Products listed on the marketing screen.")
    rule: Literal["top", "weighted"] = Field(
        "top", description="Offer the best-ranked product, or one drawn by expected value."
    )


class NeverPolicy(_Strict):
    kind: Literal["never"]


class AlwaysPolicy(_Strict):
    kind: Literal["always"]


class ThresholdPolicy(_Strict):
    """Armony & Gurvich: offer iff ≤ K callers wait (K ≥ 0), or ≥ |K| other agents idle."""

    kind: Literal["threshold"]
    k: int


class LoadTogglePolicy(_Strict):
    """A centre-wide marketing switch driven by a load signal, with hysteresis and dwell."""

    kind: Literal["load_toggle"]
    signal: Literal["queue", "idle_agents", "service_level", "expected_wait_s"]
    on_at: float = Field(description="Switch on when the signal is at or past this level.")
    off_at: float = Field(description="Switch off when the signal is at or past this level.")
    min_dwell_min: float = Field(0.0, ge=0, description="Least time between two switches.")
    review_every_min: float | None = Field(
        None, gt=0, description="A supervisor's review period; none means real time."
    )
    window_min: float = Field(15.0, gt=0, description="Look-back of the service_level signal.")

    @model_validator(mode="after")
    def _hysteresis(self) -> LoadTogglePolicy:
        # For signals where more means quieter (idle agents, service level) selling goes on when
        # the signal is high; for the others (queue, expected wait) when it is low.
        if self.quiet_is_high and self.on_at < self.off_at:
            raise ValueError(f"for {self.signal}, on_at must be ≥ off_at (hysteresis)")
        if not self.quiet_is_high and self.on_at > self.off_at:
            raise ValueError(f"for {self.signal}, on_at must be ≤ off_at (hysteresis)")
        return self

    @property
    def quiet_is_high(self) -> bool:
        return self.signal in ("idle_agents", "service_level")


class OvertimeTrainingPolicy(_Strict):
    """The usual way to shave peaks and fill valleys, with the lag the sources complain of."""

    kind: Literal["overtime_training"]
    sells: Literal["never", "always"] = Field("never", description="Selling on top of it.")
    review_every_min: float = Field(15.0, gt=0)
    train_when_idle_share: Probability = Field(0.3, description="Idle / logged in at a review.")
    train_share: Probability = Field(0.5, description="Share of the idle agents sent to train.")
    recall_when_queue: int = Field(5, ge=0, description="Callers waiting at a review.")
    decision_lag_min: float = Field(10.0, ge=0, description="From review to order given.")
    sign_in_delay_min: float = Field(5.0, ge=0, description="From recall to back on the phones.")
    overtime_when_queue: int = Field(3, ge=0, description="Backlog that keeps a shift on.")
    max_overtime_min: float = Field(60.0, ge=0)


class TalkFlexPolicy(_Strict):
    """Talk less when busy, more when idle — and pay for it in repeats and satisfaction."""

    kind: Literal["talk_flex"]
    sells: Literal["never", "always"] = Field("never", description="Selling on top of it.")
    busy_when_queue: int = Field(3, ge=0)
    idle_when_idle_agents: int = Field(3, ge=1)
    busy_factor: float = Field(0.8, gt=0, le=1, description="Talk-time multiplier when busy.")
    idle_factor: float = Field(1.2, ge=1, description="Talk-time multiplier when idle.")
    repeat_per_cut: Probability = Field(
        0.5, description="Added repeat-call chance per unit of talk time cut (0.2 cut → +0.1)."
    )
    repeat_delay: Duration = Field(
        default_factory=lambda: Exponential(dist="exponential", mean_min=120.0),
        description="How long an unresolved caller waits before calling again.",
    )


Policy = Annotated[
    NeverPolicy
    | AlwaysPolicy
    | ThresholdPolicy
    | LoadTogglePolicy
    | OvertimeTrainingPolicy
    | TalkFlexPolicy,
    Field(discriminator="kind"),
]


class Satisfaction(_Strict):
    """A call's score on the 5-level scale (1.0 very satisfied … 0.2 very dissatisfied).

    Start from ``base`` and subtract penalties; the result is rounded to the nearest level.
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


class Outbound(_Strict):
    """An outbound campaign of the same products, for comparison per agent-hour."""

    dials_per_hour: float = Field(30.0, gt=0, description="Per agent.")
    contact_rate: Probability = Field(0.3, description="Dials that reach the customer.")
    conversion: Probability = Field(
        0.08, description="Cold-call success (SPEC §1: fell below 8% for a new card)."
    )


class Selling(_Strict):
    policy: Policy = Field(default_factory=lambda: NeverPolicy(kind="never"))
    recommender: Recommender = Field(default_factory=Recommender)
    contact_rules: ContactRules = Field(default_factory=ContactRules)
    population: int | None = Field(
        None,
        ge=1,
        description="Customers in the base; callers are drawn from it, so history "
        "carries across their calls. None: every first call is a new customer.",
    )
