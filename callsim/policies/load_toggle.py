"""A centre-wide marketing switch, turned by a load signal as a supervisor would.

Hysteresis (separate on and off levels) and a minimum dwell time keep it from flapping; a review
period models a supervisor who looks only every N minutes — the lag the sources complain of.
Without one the switch is automatic: it is re-evaluated at every change of the load (arrival,
answer, abandonment, completion, login, logout), so its on-time measures the signal itself.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from callsim.policies.contract import Call, Centre, PolicyConfig, SellingPolicy
from callsim.policies.registry import register
from callsim.service_level import check_fraction_levels


class LoadToggleConfig(PolicyConfig):
    """A centre-wide marketing switch driven by a load signal, with hysteresis and dwell."""

    kind: Literal["load_toggle"]
    signal: Literal["queue", "idle_agents", "service_level", "expected_wait_s"]
    on_at: float = Field(description="Switch on when the signal is at or past this level.")
    off_at: float = Field(description="Switch off when the signal is at or past this level.")
    min_dwell_min: float = Field(0.0, ge=0, description="Least time between two switches.")
    review_every_min: float | None = Field(
        None,
        ge=1 / 60,
        description="A supervisor's review period, at least a second (a shorter one is a "
        "slip that would review without end); none means real time.",
    )
    window_min: float = Field(15.0, gt=0, description="Look-back of the service_level signal.")

    @model_validator(mode="after")
    def _hysteresis(self) -> LoadToggleConfig:
        if self.signal == "service_level":
            check_fraction_levels({"on_at": self.on_at, "off_at": self.off_at}, "0.9 for 90%")
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


def load_signal(centre: Centre, kind: str, window_s: float) -> float:
    """The load as a rule reads it; shared by every rule driven by a signal (the marketing
    switch, the standby pool's call-up) so that the same name means the same number."""
    if kind == "queue":
        return float(centre.waiting())
    if kind == "idle_agents":
        return float(centre.n_idle())
    if kind == "expected_wait_s":
        return centre.expected_wait_s()
    return centre.recent_service_level(window_s)


class LoadToggle(SellingPolicy):
    sells = True

    def __init__(self, config: LoadToggleConfig) -> None:
        self.config = config
        self.watches_load = config.review_every_min is None
        self.on = False
        self.last_switch = -float("inf")
        self.recheck_due = False
        self.timeline: list[tuple[float, bool]] = []  # (time, on) at each switch

    def bind(self, centre: Centre) -> None:
        super().bind(centre)
        self.review()  # the screen's state is set at opening, not left off until a first review
        if not self.timeline:
            self.timeline.append((centre.now, False))
        if self.config.review_every_min is not None:
            centre.every(self.config.review_every_min * 60.0, self.review)

    def signal(self) -> float:
        return load_signal(self.centre, self.config.signal, self.config.window_min * 60.0)

    def review(self) -> None:
        now = self.centre.now
        dwell_left = self.last_switch + self.config.min_dwell_min * 60.0 - now
        if dwell_left > 0:
            if self.watches_load and not self.recheck_due:
                # Held by the dwell: look again the moment it is over, event or no event.
                self.recheck_due = True
                self.centre.after(dwell_left, self._recheck)
            return
        value, c = self.signal(), self.config
        if c.quiet_is_high:
            turn = value <= c.off_at if self.on else value >= c.on_at
        else:
            turn = value >= c.off_at if self.on else value <= c.on_at
        if turn:
            self.on = not self.on
            self.last_switch = now
            self.timeline.append((now, self.on))

    def _recheck(self) -> None:
        self.recheck_due = False
        self.review()

    def load_changed(self) -> None:
        self.review()

    def may_offer(self, agent: int, call: Call) -> bool:
        return self.on

    def switch_timeline(self) -> list[tuple[float, bool]]:
        return self.timeline


register(LoadToggleConfig, LoadToggle)
