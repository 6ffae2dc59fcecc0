"""Overtime when busy, training when idle: the lagging lever the sources describe.

A supervisor reviews the floor every few minutes. When many agents are idle, some are sent to
training; when callers queue, trainees are recalled — but orders take ``decision_lag`` to be given
and recalled agents ``sign_in_delay`` to be back, so the peak is often over by then. At a shift's
end, agents stay on (paid at the overtime premium) while a backlog remains. A floor keeps enough
agents on the phones whatever the idle share says: without it a quiet hour sends most of the
floor away just before the next peak.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import Field

from callsim.policies.contract import Call, Centre, LeverConfig, SellingPolicy
from callsim.policies.registry import register


class OvertimeTrainingConfig(LeverConfig):
    """The usual way to shave peaks and fill valleys, with the lag the sources complain of."""

    kind: Literal["overtime_training"]
    review_every_min: float = Field(
        15.0, ge=1 / 60, description="A supervisor's review period, at least a second."
    )
    train_when_idle_share: float = Field(
        0.3, ge=0, le=1, description="Idle / logged in at a review."
    )
    train_share: float = Field(
        0.5, ge=0, le=1, description="Share of the idle agents sent to train."
    )
    recall_when_queue: int = Field(5, ge=0, description="Callers waiting at a review.")
    decision_lag_min: float = Field(10.0, ge=0, description="From review to order given.")
    sign_in_delay_min: float = Field(5.0, ge=0, description="From recall to back on the phones.")
    min_on_phones: int = Field(1, ge=0, description="Never train below this many agents on.")
    min_on_phones_share: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Never train below this share of the agents on shift (assumption: half).",
    )
    overtime_when_queue: int = Field(3, ge=0, description="Backlog that keeps a shift on.")
    max_overtime_min: float = Field(60.0, ge=0)


class OvertimeTraining(SellingPolicy):
    def __init__(self, config: OvertimeTrainingConfig) -> None:
        self.config = config
        self.sells = config.may_sell()
        # Agents in training: when they went, and when their login session was due to end
        # (training ends then at the latest: a break or the shift's end).
        self.in_training: dict[int, tuple[float, float]] = {}
        self.spans: list[tuple[int, float, float]] = []

    def bind(self, centre: Centre) -> None:
        super().bind(centre)
        centre.every(self.config.review_every_min * 60.0, self._review)

    def may_offer(self, agent: int, call: Call) -> bool:
        return self.sells

    def keep_on(self, agent: int, overtime_s: float) -> bool:
        c = self.config
        return self.centre.waiting() >= c.overtime_when_queue and (
            overtime_s < c.max_overtime_min * 60.0
        )

    def off_phone_spans(self, end: float) -> list[tuple[int, float, float]]:
        still = [(a, start, min(end, due)) for a, (start, due) in self.in_training.items()]
        return self.spans + still

    def _review(self) -> None:
        centre, c = self.centre, self.config
        self._forget_ended()
        logged = centre.logged_in()
        if centre.waiting() >= c.recall_when_queue and self.in_training:
            agents = list(self.in_training)
            delay = (c.decision_lag_min + c.sign_in_delay_min) * 60.0
            centre.after(delay, lambda: self._recall(agents))
        elif logged and centre.n_idle() / logged >= c.train_when_idle_share:
            n = int(centre.n_idle() * c.train_share)
            if n:
                centre.after(c.decision_lag_min * 60.0, lambda: self._train(n))

    def _train(self, n: int) -> None:
        centre, c = self.centre, self.config
        self._forget_ended()
        # The floor: those on shift are on the phones or in training; enough stay on the phones.
        on_shift = centre.logged_in() + len(self.in_training)
        floor = max(c.min_on_phones, math.ceil(c.min_on_phones_share * on_shift - 1e-9))
        n = min(n, centre.logged_in() - floor)
        # By the time the order is given, only those still idle can go.
        for agent in centre.idle_agents()[: max(n, 0)]:
            if centre.take_off_phones(agent):
                self.in_training[agent] = (centre.now, centre.session_end(agent))

    def _recall(self, agents: list[int]) -> None:
        centre = self.centre
        self._forget_ended()
        for agent in agents:
            if agent in self.in_training and centre.put_back_on_phones(agent):
                start, _ = self.in_training.pop(agent)
                self.spans.append((agent, start, centre.now))

    def _forget_ended(self) -> None:
        """Training whose session has ended (a break, the shift's end) is over by itself."""
        now = self.centre.now
        for agent, (start, due) in list(self.in_training.items()):
            if due <= now:
                del self.in_training[agent]
                self.spans.append((agent, start, due))


register(OvertimeTrainingConfig, OvertimeTraining)
