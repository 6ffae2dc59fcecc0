"""A centre-wide marketing switch, turned by a load signal as a supervisor would.

Hysteresis (separate on and off levels) and a minimum dwell time keep it from flapping; a review
period models a supervisor who looks only every N minutes — the lag the sources complain of.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from callsim.policies.contract import SellingPolicy
from callsim.scenario.selling import LoadTogglePolicy

if TYPE_CHECKING:
    from callsim.model.engine import Engine


class LoadToggle(SellingPolicy):
    sells = True

    def __init__(self, config: LoadTogglePolicy) -> None:
        self.config = config
        self.on = False
        self.last_switch = -float("inf")
        self.timeline: list[tuple[float, bool]] = []  # (time, on) at each switch

    def bind(self, engine: Engine) -> None:
        super().bind(engine)
        self.review()  # the screen's state is set at opening, not left off until a first review
        if not self.timeline:
            self.timeline.append((engine.env.now, False))
        if self.config.review_every_min is not None:
            engine.env.process(self._reviews(self.config.review_every_min * 60.0))

    def _reviews(self, period_s: float):
        env = self.engine.env
        while True:
            yield env.timeout(period_s)
            self.review()

    def signal(self) -> float:
        e, kind = self.engine, self.config.signal
        if kind == "queue":
            return float(e.n_waiting)
        if kind == "idle_agents":
            return float(len(e.idle))
        if kind == "expected_wait_s":
            return e.expected_wait_s()
        return e.recent_service_level(self.config.window_min * 60.0)

    def review(self) -> None:
        now = self.engine.env.now
        if now - self.last_switch < self.config.min_dwell_min * 60.0:
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

    def may_offer(self, agent: int) -> bool:
        if self.config.review_every_min is None:
            self.review()
        return self.on

    def switch_timeline(self) -> list[tuple[float, bool]]:
        return self.timeline
