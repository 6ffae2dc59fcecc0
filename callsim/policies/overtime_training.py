"""Overtime when busy, training when idle: the lagging lever the sources describe.

A supervisor reviews the floor every few minutes. When many agents are idle, some are sent to
training; when callers queue, trainees are recalled — but orders take ``decision_lag`` to be given
and recalled agents ``sign_in_delay`` to be back, so the peak is often over by then. At a shift's
end, agents stay on (paid at the overtime premium) while a backlog remains.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from callsim.policies.contract import SellingPolicy
from callsim.scenario.selling import OvertimeTrainingPolicy

if TYPE_CHECKING:
    from callsim.model.engine import Engine


class OvertimeTraining(SellingPolicy):
    def __init__(self, config: OvertimeTrainingPolicy) -> None:
        self.config = config
        self.sells = config.sells == "always"

    def bind(self, engine: Engine) -> None:
        super().bind(engine)
        engine.env.process(self._reviews())

    def may_offer(self, agent: int) -> bool:
        return self.sells

    def keep_on(self, agent: int, overtime_s: float) -> bool:
        c = self.config
        return self.engine.n_waiting >= c.overtime_when_queue and (
            overtime_s < c.max_overtime_min * 60.0
        )

    def _reviews(self):
        e, c = self.engine, self.config
        env = e.env
        while True:
            yield env.timeout(c.review_every_min * 60.0)
            logged = e.n_logged_in
            if e.n_waiting >= c.recall_when_queue and e.in_training:
                env.process(self._recall(list(e.in_training)))
            elif logged and len(e.idle) / logged >= c.train_when_idle_share:
                n = int(len(e.idle) * c.train_share)
                if n:
                    env.process(self._train(n))

    def _train(self, n: int):
        e = self.engine
        yield e.env.timeout(self.config.decision_lag_min * 60.0)
        # By the time the order is given, only those still idle can go.
        for agent in list(e.idle)[:n]:
            e.send_to_training(agent)

    def _recall(self, agents: list[int]):
        e, c = self.engine, self.config
        yield e.env.timeout((c.decision_lag_min + c.sign_in_delay_min) * 60.0)
        for agent in agents:
            e.recall_from_training(agent)
