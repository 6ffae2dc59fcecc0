"""The standby surge pool's section of the scenario (``standby:``) and the window of the day a
set of KPIs is measured apart in (``window:``).

A pool of back-office staff is called to the phones when a load signal crosses a level and sent
back when it has fallen back past another, like the marketing switch
(:mod:`callsim.policies.load_toggle`), whose signals it reads. The engine's side is
:mod:`callsim.model.standby`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from callsim.scenario.clock import check_clock, minutes
from callsim.scenario.strict import Strict
from callsim.service_level import check_fraction_levels

STANDBY_GROUP = "standby"
"""The agent group the pool's members belong to in the roster, the results and the slices."""


class Standby(Strict):
    """Back-office staff called to the phones on a signal, sent back with hysteresis."""

    count: int = Field(ge=1, le=10_000, description="Members of the pool.")
    call_up_delay_min: float = Field(
        ge=0, le=24 * 60, description="From the call-up to being on the phones."
    )
    min_stay_min: float = Field(
        0.0, ge=0, le=24 * 60, description="Least time on the phones before a release."
    )
    handle_time_factor: float = Field(
        1.0, gt=0, le=10, description="Multiplies their talk time (back-office staff are slower)."
    )
    cost_per_hour: float = Field(
        ge=0, le=1e6, description="Paid from the call-up to the end of the stay on the phones."
    )
    signal: Literal["queue", "expected_wait_s", "service_level"]
    call_up_at: float = Field(
        description="Call up when the signal reaches this level (at or above it; for "
        "service_level at or below it)."
    )
    release_at: float = Field(
        description="Release when the signal is back at this level (at or below it; for "
        "service_level at or above it)."
    )
    step: Annotated[int, Field(ge=1)] | None = Field(
        None,
        description="Members called per call-up; the next call-up only once the last one is on "
        "the phones. None calls the whole pool at once.",
    )
    review_every_min: float | None = Field(
        None,
        ge=1 / 60,
        description="A supervisor's review period, at least a second; none means at every "
        "change of the load.",
    )
    window_min: float = Field(
        15.0, gt=0, le=24 * 60, description="Look-back of the service_level signal."
    )
    trained_to_sell: bool = Field(False, description="Whether they may make offers.")
    sales_skill: float = Field(1.0, ge=0, le=100, description="Multiplies their conversion.")
    resolution_skill: float | None = Field(
        None, gt=0, le=100, description="Multiplies their odds of resolving (scenario.resolution)."
    )

    @model_validator(mode="after")
    def _hysteresis(self) -> Standby:
        if self.signal == "service_level":
            levels = {"standby.call_up_at": self.call_up_at, "standby.release_at": self.release_at}
            check_fraction_levels(levels, "0.8 for 80%")
            if not self.call_up_at < self.release_at:
                raise ValueError(
                    "standby: for service_level, call_up_at must be below release_at "
                    "(called when service falls, released when it is back: hysteresis)"
                )
        else:
            if self.call_up_at <= 0:
                raise ValueError(f"standby.call_up_at: must be > 0 for {self.signal}")
            if not 0 <= self.release_at < self.call_up_at:
                raise ValueError(
                    f"standby: for {self.signal}, release_at must be ≥ 0 and below call_up_at "
                    "(hysteresis)"
                )
        return self

    @property
    def wage_per_hour(self) -> float:
        """The pool's hourly pay, as the roster keeps every agent's wage."""
        return self.cost_per_hour

    @property
    def short_is_low(self) -> bool:
        """Whether a low signal means the line is short of agents (service level)."""
        return self.signal == "service_level"


class KpiWindow(Strict):
    """A stretch of every day whose calls get their own service level, abandonment and ASA
    (e.g. an outage's hours), so plans can be compared on it with paired intervals."""

    start: str = Field(examples=["14:00"])
    end: str = Field(examples=["16:00"])

    _clock = field_validator("start", "end")(check_clock)

    @model_validator(mode="after")
    def _ordered(self) -> KpiWindow:
        if minutes(self.end) <= minutes(self.start):
            raise ValueError(f"window: end {self.end} must be after start {self.start}")
        if minutes(self.end) > 24 * 60:
            raise ValueError(f"window.end: {self.end} is past 24:00; a window lies in one day")
        return self


def check_window(window: KpiWindow, interval_min: int) -> None:
    """The window is made of whole planning intervals: its KPIs sum the intervals' counts."""
    for key in ("start", "end"):
        if minutes(getattr(window, key)) % interval_min:
            raise ValueError(
                f"window.{key}: {getattr(window, key)} is not on a {interval_min}-minute "
                "interval boundary"
            )


def check_standby(standby: Standby, groups: list[str], resolution: bool) -> None:
    """Settings that clash with the rest of the scenario."""
    if STANDBY_GROUP in groups:
        raise ValueError(
            f"agents.groups.{STANDBY_GROUP}: the name is the standby pool's; rename the group"
        )
    if standby.resolution_skill is not None and not resolution:
        raise ValueError(
            "standby.resolution_skill: has no effect without a resolution block; add one or "
            "remove it"
        )
