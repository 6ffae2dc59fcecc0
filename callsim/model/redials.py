"""Who calls again, and when: retrials after hanging up, repeat calls after an unresolved answer.

Every draw is the caller's own: whether they call again, after how long and with what patience
come from uniforms drawn with the callers (:mod:`callsim.model.demand`) and kept in the call log,
and a call made again gets its own from those of the call before. So the same caller decides the
same in two plans even when they hang up at a different time, and a plan that changes who hangs
up does not shift the random numbers of anyone else. A call again that would fall in closed hours
is moved to the next opening (as late after it as it fell after the close) or lost, as the
scenario says.
"""

from __future__ import annotations

from callsim.model.calllog import CallLog
from callsim.model.opening_hours import OpeningHours
from callsim.model.resolution import Resolver
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
        resolver: Resolver | None = None,
    ) -> None:
        self.calls = calls
        self.hours = hours
        self.move_after_hours = after_hours == "next_opening"
        self.moved = 0  # calls again moved from closed hours to the next opening
        self.lost = 0  # calls again lost because the line was closed by then
        self.retrial = retrial
        self.repeats = repeats
        self.patience_of_segment = patience_of_segment
        self.resolver = resolver
        calling_again = retrial is not None or repeats is not None or resolver is not None
        if calling_again and "u_again" not in calls.draws:
            raise ValueError("calls made again need the callers' own uniforms (u_again) drawn")

    @staticmethod
    def spare_rows(n_first: int, retrial: Retrial | None, repeats: Repeats | None) -> int:
        """Rows to reserve in the call log for calls made again (it grows if these run out)."""
        again = (retrial.probability if retrial else 0.0) + (repeats.per_cut if repeats else 0.0)
        return int(n_first * min(again, 1.0)) + 64 if again else 0

    def after_abandon(self, job: Job, now: float) -> tuple[float, Job] | None:
        """The caller who just hung up (or was sent away at the close) may try again:
        (delay, the new attempt), or None."""
        retrial = self.retrial
        if retrial is None or self._u("u_again", job[0]) >= retrial.probability:
            return None
        return self._again(job, now, retrial.delay, repeat=False)

    def after_talk(
        self, job: Job, now: float, talk_factor: float, agent: int
    ) -> tuple[float, Job] | None:
        """An unresolved caller rings again later: by the scenario's resolution model
        (:mod:`callsim.model.resolution`), or, without one, only when talk was cut short, by the
        policy's own chance per cut (every other answered call resolves the request)."""
        cut = 1.0 - talk_factor
        resolver = self.resolver
        if resolver is not None:
            if resolver.resolves(self.calls, job[0], agent, cut):
                return None
            delay = resolver.delay
        else:
            repeats = self.repeats
            if repeats is None or cut <= 0 or self._u("u_again", job[0]) >= repeats.per_cut * cut:
                return None
            delay = repeats.delay
        self.calls.resolved[job[0]] = 0
        return self._again(job, now, delay, repeat=True)

    def _u(self, name: str, row: int) -> float:
        """The caller's own uniform (the log may grow: looked up, not kept)."""
        return float(self.calls.draws[name][row])

    def _again(
        self, job: Job, now: float, delay_dist: Sampler, *, repeat: bool
    ) -> tuple[float, Job] | None:
        row = job[0]
        delay = delay_dist.quantile(self._u("u_delay", row))
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
        segment = int(self.calls.segment[row])
        patience = self.patience_of_segment[segment].quantile(self._u("u_patience", row))
        new = self.calls.append_call(row, at, patience, repeat=repeat)
        return delay, (new, at, job[2], patience, job[4], job[5])
