"""Who calls again, and when: retrials after hanging up, repeat calls after an unresolved answer.

The draws of both come from their own streams, so a plan that changes who hangs up does not shift
the random numbers of anything else.
"""

from __future__ import annotations

import numpy as np

from callsim.model.calllog import CallLog
from callsim.model.timegrid import TimeGrid
from callsim.policies.contract import Repeats
from callsim.scenario.distributions import Sampler
from callsim.scenario.schema import Retrial

Job = tuple[int, float, int, float, float, float]
"""A call in flight: (row, arrival, queue, patience, talk, wrap), all Python numbers."""


class Redials:
    def __init__(
        self,
        calls: CallLog,
        grid: TimeGrid,
        retrial: Retrial | None,
        repeats: Repeats | None,
        patience_of_segment: list[Sampler],
        rng: dict[str, np.random.Generator],
    ) -> None:
        self.calls = calls
        self.grid = grid
        self.retrial = retrial
        self.repeats = repeats
        self.patience_of_segment = patience_of_segment
        self.retrial_rng = rng["retrial"]
        self.repeat_rng = rng["repeats"]

    @staticmethod
    def spare_rows(n_first: int, retrial: Retrial | None, repeats: Repeats | None) -> int:
        """Rows to reserve in the call log for calls made again (it grows if these run out)."""
        again = (retrial.probability if retrial else 0.0) + (repeats.per_cut if repeats else 0.0)
        return int(n_first * min(again, 1.0)) + 64 if again else 0

    def after_abandon(self, job: Job, now: float) -> tuple[float, Job] | None:
        """The caller who just hung up may try again: (delay, the new attempt), or None."""
        retrial, rng = self.retrial, self.retrial_rng
        if retrial is None or rng.random() >= retrial.probability:
            return None
        return self._again(job, now, retrial.delay, rng, repeat=False)

    def after_talk(self, job: Job, now: float, talk_factor: float) -> tuple[float, Job] | None:
        """A call cut short is left unresolved more often, and the caller rings again later."""
        repeats, rng = self.repeats, self.repeat_rng
        cut = 1.0 - talk_factor
        if repeats is None or cut <= 0 or rng.random() >= repeats.per_cut * cut:
            return None
        return self._again(job, now, repeats.delay, rng, repeat=True)

    def _again(
        self, job: Job, now: float, delay_dist: Sampler, rng: np.random.Generator, *, repeat: bool
    ) -> tuple[float, Job] | None:
        delay = float(delay_dist.sample(rng, 1)[0])
        at = now + delay
        if at >= self.grid.horizon_end or self.grid.index_of(np.array([at]))[0] < 0:
            return None  # the line is closed by then; the caller is lost to this horizon
        segment = int(self.calls.segment[job[0]])
        patience = float(self.patience_of_segment[segment].sample(rng, 1)[0])
        row = self.calls.append_call(job[0], at, patience, repeat=repeat)
        return delay, (row, at, job[2], patience, job[4], job[5])
