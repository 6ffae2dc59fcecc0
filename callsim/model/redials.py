"""Who calls again, and when: retrials after hanging up, repeat calls after an unresolved answer.

The draws of both come from their own streams, so a plan that changes who hangs up does not shift
the random numbers of anything else. A call again that would fall in closed hours is moved to the
next opening (as late after it as it fell after the close) or lost, as the scenario says.
"""

from __future__ import annotations

import numpy as np

from callsim.model.calllog import CallLog
from callsim.model.opening_hours import OpeningHours
from callsim.policies.contract import Repeats
from callsim.scenario.distributions import Sampler
from callsim.scenario.schema import Retrial

Job = tuple[int, float, int, float, float, float]
"""A call in flight: (row, arrival, queue, patience, talk, wrap), all Python numbers."""


class Redials:
    def __init__(
        self,
        calls: CallLog,
        hours: OpeningHours,
        after_hours: str,
        retrial: Retrial | None,
        repeats: Repeats | None,
        patience_of_segment: list[Sampler],
        rng: dict[str, np.random.Generator],
    ) -> None:
        self.calls = calls
        self.hours = hours
        self.move_after_hours = after_hours == "next_opening"
        self.moved = 0  # calls again moved from closed hours to the next opening
        self.lost = 0  # calls again lost because the line was closed by then
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
        """The caller who just hung up (or was sent away at the close) may try again:
        (delay, the new attempt), or None."""
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
        if not self.hours.is_open(at):
            opening = self.hours.next_open_after(at) if self.move_after_hours else None
            closed_at = self.hours.close_before(at)
            if opening is None or closed_at is None:
                self.lost += 1  # closed by then, and no opening left in the horizon
                return None
            self.moved += 1
            at = opening + (at - closed_at)
            if not self.hours.is_open(at):  # fell further than a night past the close
                at = opening
            delay = at - now
        segment = int(self.calls.segment[job[0]])
        patience = float(self.patience_of_segment[segment].sample(rng, 1)[0])
        row = self.calls.append_call(job[0], at, patience, repeat=repeat)
        return delay, (row, at, job[2], patience, job[4], job[5])
