"""The engine as control rules see it: the :class:`~callsim.policies.contract.Centre` contract.

Signals a rule may read (expected wait, recent service level) are computed here from the
engine's state, on demand, so the engine's hot path does not maintain them for rules that never
ask.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import TYPE_CHECKING

import numpy as np
import simpy

from callsim.model.calllog import ABANDONED, BALKED, CallLog

if TYPE_CHECKING:
    from callsim.model.engine import Engine


class CallOnScreen:
    """A call a decision concerns, read from the call log on demand (built only when asked)."""

    __slots__ = ("_calls", "_row")

    def __init__(self, calls: CallLog, row: int) -> None:
        self._calls = calls
        self._row = row

    @property
    def segment(self) -> int:
        return int(self._calls.segment[self._row])

    @property
    def reason(self) -> int:
        return int(self._calls.reason[self._row])

    @property
    def customer(self) -> int:
        return int(self._calls.customer[self._row])

    @property
    def wait_s(self) -> float:
        return float(self._calls.answer[self._row] - self._calls.arrival[self._row])


class CentreView:
    def __init__(
        self,
        engine: Engine,
        segments: list[str],
        reasons: list[str],
        mean_handle_s: float,
        threshold_s: float,
    ) -> None:
        self._engine = engine
        self._segments = segments
        self._reasons = reasons
        self._mean_handle_s = mean_handle_s
        self._threshold_s = threshold_s

    @property
    def now(self) -> float:
        return float(self._engine.env.now)

    def waiting(self, level: int | None = None) -> int:
        engine = self._engine
        return engine.n_waiting if level is None else len(engine.queues[level])

    def n_idle(self) -> int:
        return len(self._engine.idle)

    def idle_agents(self) -> list[int]:
        return list(self._engine.idle)

    def logged_in(self) -> int:
        return self._engine.n_logged_in

    def session_end(self, agent: int) -> float:
        return self._engine.scheduled_end[agent]

    def expected_wait_s(self) -> float:
        """Nothing if an agent is idle, else the queue ahead (the joining caller included) ×
        AHT / agents on."""
        engine = self._engine
        if engine.idle:
            return 0.0
        return (engine.n_waiting + 1) * self._mean_handle_s / max(engine.n_logged_in, 1)

    def recent_service_level(self, window_s: float) -> float:
        """Answered within the threshold among first calls of the last ``window_s`` whose fate
        is known (answered, abandoned, balked, or already waiting past the threshold); 1 if
        none."""
        engine = self._engine
        now, calls, threshold = engine.env.now, engine.calls, self._threshold_s
        arrival = calls.arrival[: engine.n_first]
        lo, hi = np.searchsorted(arrival, [now - window_s, now])
        arrival = arrival[lo:hi]
        answered = calls.agent[lo:hi] >= 0
        wait = np.where(answered, calls.answer[lo:hi] - arrival, now - arrival)
        good = answered & (wait <= threshold)
        queued = calls.ivr[lo:hi] == 0  # not resolved in the self-service menu
        outcome = calls.outcome[lo:hi]
        late = ((wait > threshold) & queued) | (outcome == ABANDONED) | (outcome == BALKED)
        decided = int(good.sum() + (late & ~good).sum())
        return float(good.sum() / decided) if decided else 1.0

    def segment_index(self, name: str) -> int:
        return self._segments.index(name)

    def reason_index(self, name: str) -> int:
        return self._reasons.index(name)

    def every(self, period_s: float, review: Callable[[], None]) -> None:
        self._engine.env.process(_every(self._engine.env, period_s, review))

    def after(self, delay_s: float, action: Callable[[], None]) -> None:
        self._engine.env.process(_after(self._engine.env, delay_s, action))

    def take_off_phones(self, agent: int) -> bool:
        return self._engine.take_off_phones(agent)

    def put_back_on_phones(self, agent: int) -> bool:
        return self._engine.put_back_on_phones(agent)

    def call_to_phones(self, agent: int, until: float) -> bool:
        return self._engine.call_to_phones(agent, until)

    def release(self, agent: int) -> None:
        self._engine.release(agent)

    def on_phones(self, agent: int) -> bool:
        return self._engine.logged_in[agent]


def _every(
    env: simpy.Environment, period_s: float, review: Callable[[], None]
) -> Generator[simpy.Event]:
    while True:
        yield env.timeout(period_s)
        review()


def _after(
    env: simpy.Environment, delay_s: float, action: Callable[[], None]
) -> Generator[simpy.Event]:
    yield env.timeout(delay_s)
    action()
