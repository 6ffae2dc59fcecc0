"""The expected wait told to a caller about to queue, and what the caller does on hearing it.

The announcement is computed from what the centre knows at the instant of arrival (callers
ahead, agents logged in, the mix's mean handle time), never from the wait the caller will
actually have. Whether the caller balks draws on the caller's own uniform (``u_balk``, drawn
with the demand in its own stream), so two plans on the same seed see the same callers decide
the same way when told the same wait. Scenario keys and the model's assumptions:
:class:`callsim.scenario.announcement.Announcement`.
"""

from __future__ import annotations

import math
from collections import OrderedDict

from callsim.model.calllog import BALKED, CallLog
from callsim.model.redials import Job
from callsim.scenario.announcement import Announcement

_LN2 = math.log(2.0)


def balk_probability(announced_s: float, tolerance_s: float, shape: float) -> float:
    """``1 − 2^(−(A / tolerance)^shape)``: 0 for no wait, one half at the tolerance, smooth and
    increasing in the announced wait, decreasing in the tolerance."""
    return -math.expm1(-_LN2 * (announced_s / tolerance_s) ** shape)


def stretched_patience(patience_s: float, announced_s: float, stretch: float) -> float:
    """A caller who stays measures their patience against what they were told: it moves
    ``stretch`` of the way up to the announced wait, never down."""
    return patience_s + stretch * max(announced_s - patience_s, 0.0)


class Announcer:
    def __init__(
        self, calls: CallLog, config: Announcement, segments: list[str], mean_handle_s: float
    ) -> None:
        self.calls = calls
        balking = config.balking
        self.tolerance = [balking.segments.get(s, balking.tolerance_s) for s in segments]
        self.shape = balking.shape
        self.stretch = config.patience_stretch
        self.mean_handle_s = mean_handle_s
        if "u_balk" not in calls.draws:
            raise ValueError("announcing the wait needs the callers' own uniforms (u_balk) drawn")

    def expected_wait_s(self, ahead: int, agents_on: int) -> float:
        """The callers ahead and this one, each taking a mean handle time of one of the agents
        on (one agent if nobody is logged in yet)."""
        return (ahead + 1) * self.mean_handle_s / max(agents_on, 1)

    def hear(self, job: Job, queues: list[OrderedDict[int, Job]], agents_on: int) -> Job | None:
        """The caller about to join ``queues[job[2]]`` is told the expected wait: None if they
        hang up at once (recorded as balked), else their job with the stretched patience."""
        row, level = job[0], job[2]
        ahead = sum(len(queues[k]) for k in range(level + 1))  # this priority and those above
        announced = self.expected_wait_s(ahead, agents_on)
        calls = self.calls
        calls.announced[row] = announced
        segment = int(calls.segment[row])
        p = balk_probability(announced, self.tolerance[segment], self.shape)
        if float(calls.draws["u_balk"][row]) < p:
            calls.outcome[row] = BALKED
            return None
        patience = stretched_patience(job[3], announced, self.stretch)
        if patience == job[3]:
            return job
        calls.patience[row] = patience
        return (row, job[1], level, patience, job[4], job[5])
