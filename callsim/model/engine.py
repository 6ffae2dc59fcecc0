"""The hotline as a discrete-event model: one SimPy clock and a dispatcher that owns the agents.

Calls are row indices into :class:`~callsim.records.CallLog`; patience and service are plain
calendar entries with callbacks, and only rare events (logins, logouts, a supervisor's reviews) are
SimPy processes. A process per call, ``simpy.Resource`` and the ``request | timeout`` renege
pattern are what make SimPy models slow, so none of them is used here.

A call goes through phases: queue → talk → (offer) → wrap-up. When the selling policy can never
offer nor change talk time, talk and wrap-up are one calendar entry (the fast path); otherwise the
talk phase ends in a decision that consults the live state of the centre.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import simpy
from simpy.events import NORMAL

from callsim.model.calllog import ABANDONED, ANSWERED, CallLog
from callsim.model.demand import Demand
from callsim.model.offers import SalesDesk
from callsim.model.roster import Roster
from callsim.model.run_record import Sessions, Timelines
from callsim.model.timegrid import TimeGrid
from callsim.policies import SellingPolicy
from callsim.scenario.distributions import Sampler
from callsim.scenario.schema import Retrial
from callsim.scenario.selling import TalkFlexPolicy

_LOGOUT, _LOGIN = 0, 1
_CHUNK = 4096
_INF = float("inf")
_OVERTIME_CHECK_S = 300.0
Job = tuple[int, float, int, float, float, float]
"""A call in flight: (row, arrival, queue, patience, talk, wrap), all Python numbers."""


class _Due:
    """A calendar entry for SimPy's event loop, which reads only ``callbacks`` and ``_ok``.

    ``simpy.Timeout`` carries a per-instance ``__dict__`` and argument checks; with two or three
    timeouts per call that overhead dominated the engine (measured 4.2 vs 2.5 µs per event).
    """

    __slots__ = ("_value", "callbacks")
    _ok = True

    def __init__(self, callback: Callable[[_Due], None], value: object) -> None:
        self.callbacks = [callback]
        self._value = value


@dataclass(frozen=True)
class Repeats:
    """Unresolved calls come back: the chance per unit of talk time cut, and after how long."""

    per_cut: float
    delay: Sampler

    @classmethod
    def of(cls, policy: object) -> Repeats | None:
        if isinstance(policy, TalkFlexPolicy):
            return cls(policy.repeat_per_cut, policy.repeat_delay)
        return None


class Engine:
    def __init__(
        self,
        grid: TimeGrid,
        demand: Demand,
        roster: Roster,
        priorities: list[int],
        retrial: Retrial | None,
        patience_of_segment: list[Sampler],
        rng: dict[str, np.random.Generator],
        policy: SellingPolicy,
        sales: SalesDesk | None = None,
        repeats: Repeats | None = None,
        mean_handle_s: float = 0.0,
        threshold_s: float = 20.0,
    ) -> None:
        self.grid = grid
        self.env = simpy.Environment(initial_time=min(grid.horizon_start, _first_login(roster)))
        # Rows for calls made again (retrials, repeats); the log grows if these run out.
        again = (retrial.probability if retrial else 0.0) + (repeats.per_cut if repeats else 0.0)
        self.calls = CallLog(demand, int(len(demand) * min(again, 1.0)) + 64 if again else 0)
        self.n_first = len(demand)
        # One FIFO per priority level, highest first; OrderedDict gives O(1) removal on abandonment.
        levels = sorted(set(priorities), reverse=True)
        self.queues: list[OrderedDict[int, Job]] = [OrderedDict() for _ in levels]
        self.queue_of_segment = [levels.index(p) for p in priorities]
        self.n_waiting = 0
        self.arrivals = self._first_attempts()
        # Agents: idle ones in an OrderedDict so the longest-idle agent takes the next call.
        n = len(roster)
        self.roster = roster
        self.factor = list(roster.factor)
        self.idle: OrderedDict[int, None] = OrderedDict()
        self.current: list[Job | None] = [None] * n
        self.leaving = [False] * n
        self.logged_in = [False] * n
        self.n_logged_in = 0
        self.session_start = [0.0] * n
        self.scheduled_end = [0.0] * n
        self.shift_ends = roster.shift_ends()
        self.session_log: list[tuple[int, float, float, float]] = []
        self.in_training: dict[int, float] = {}
        self.training_log: list[tuple[int, float, float]] = []
        self.retrial = retrial
        self.patience_of_segment = patience_of_segment
        self.rng = rng
        self.policy = policy
        self.sales = sales
        self.repeats = repeats
        self.two_phase = policy.sells or policy.flexes_talk
        self.mean_handle_s = mean_handle_s
        self.threshold_s = threshold_s
        self.closed = False
        self.queue_peaks = np.zeros(len(grid))
        self.interval = -1
        self.queue_peak = 0

    # -- running ---------------------------------------------------------------------------

    def run(self) -> tuple[CallLog, Sessions, Timelines]:
        env = self.env
        env.process(self._roster_process())
        env.process(self._interval_process())
        self.policy.bind(self)
        self._next_arrival()
        env.run(until=self.grid.horizon_end)
        self._end_interval()
        self._drain()
        self._derive_outcomes()
        return self.calls, self._close_sessions(), self._timelines()

    def _drain(self) -> None:
        """After the close, calls in hand finish every phase (offer included); nobody new is
        answered and the roster stands still, so the horizon's KPIs are not cut mid-call."""
        self.closed = True
        for agent, job in enumerate(self.current):
            if job is not None:
                self.leaving[agent] = True
        while any(job is not None for job in self.current):
            self.env.step()

    def _derive_outcomes(self) -> None:
        """Fill what the hot path leaves out: who was answered, and when each call ended.

        Computed in place over whole columns (no masked copies): a call never answered has no
        answer time, so its end comes out undefined by itself."""
        calls = self.calls
        agent = calls.column("agent")
        calls.column("outcome")[agent >= 0] = ANSWERED
        end = calls.column("end")
        factor = np.asarray(self.factor or [1.0], dtype=float)  # no agents: nobody answered
        np.take(factor, agent, out=end, mode="wrap")  # "wrap" is unbuffered; -1 reads a real one
        end *= calls.column("talk")
        end *= calls.column("talk_factor")
        end += calls.column("pitch")
        end += calls.column("wrap")
        end += calls.column("answer")

    def _roster_process(self):
        events = sorted(
            [(s, _LOGIN, a, e) for a, s, e in self.roster.sessions]
            + [(e, _LOGOUT, a, e) for a, _, e in self.roster.sessions]
        )
        env = self.env
        for t, kind, agent, end in events:
            if t > env.now:
                yield env.timeout(t - env.now)
            if kind == _LOGIN:
                self._login(agent, end)
            else:
                self._logout(agent)

    def _interval_process(self):
        """Marks planning intervals so the engine can keep each one's longest queue."""
        env = self.env
        for k, (start, end) in enumerate(zip(self.grid.starts, self.grid.ends, strict=True)):
            if start > env.now:
                yield env.timeout(start - env.now)
            self.interval, self.queue_peak = k, self.n_waiting
            yield env.timeout(end - env.now)
            self._end_interval()

    def _end_interval(self) -> None:
        if self.interval >= 0:
            self.queue_peaks[self.interval] = self.queue_peak
            self.interval = -1

    # -- what policies may read of the centre ------------------------------------------------

    def expected_wait_s(self) -> float:
        """What a caller joining now would expect to wait: nothing if an agent is idle, else
        the queue ahead × AHT / agents on."""
        if self.idle:
            return 0.0
        return (self.n_waiting + 1) * self.mean_handle_s / max(self.n_logged_in, 1)

    def recent_service_level(self, window_s: float) -> float:
        """Answered within the threshold among first calls of the last ``window_s`` whose fate
        is known (answered, abandoned, or already waiting past the threshold); 1 if none."""
        now = self.env.now
        calls = self.calls
        arrival = calls.arrival[: self.n_first]
        lo, hi = np.searchsorted(arrival, [now - window_s, now])
        arrival = arrival[lo:hi]
        answered = calls.agent[lo:hi] >= 0
        wait = np.where(answered, calls.answer[lo:hi] - arrival, now - arrival)
        good = answered & (wait <= self.threshold_s)
        late = (wait > self.threshold_s) | (calls.outcome[lo:hi] == ABANDONED)
        decided = int(good.sum() + (late & ~good).sum())
        return float(good.sum() / decided) if decided else 1.0

    # -- agents ----------------------------------------------------------------------------

    def _login(self, agent: int, scheduled_end: float) -> None:
        if self.closed or (self.logged_in[agent] and not self.leaving[agent]):
            return
        self._end_training(agent)
        now = self.env.now
        if self.leaving[agent]:
            # Still on the last call of the previous session: that session ends now (time past a
            # shift's end is overtime) and the new one begins with the call in hand.
            self._end_session(agent, now)
            self.scheduled_end[agent] = scheduled_end
            self._open_session(agent, now)
            return
        self.scheduled_end[agent] = scheduled_end
        self._open_session(agent, now)
        self._take_next(agent)

    def _open_session(self, agent: int, now: float) -> None:
        self.logged_in[agent] = True
        self.n_logged_in += 1
        self.session_start[agent] = now

    def _logout(self, agent: int) -> None:
        if self.closed:
            return
        if self._end_training(agent):
            return  # the shift ended while in training
        if not self.logged_in[agent]:
            return
        overtime = self.env.now - self.scheduled_end[agent]
        at_shift_end = (agent, self.scheduled_end[agent]) in self.shift_ends  # not a break
        if at_shift_end and self.policy.keep_on(agent, overtime):
            self.env.schedule(_Due(self._on_overtime_check, agent), NORMAL, _OVERTIME_CHECK_S)
            return
        if self.current[agent] is not None:
            self.leaving[agent] = True  # finish the call in hand first
            return
        del self.idle[agent]
        self._end_session(agent, self.env.now)

    def _on_overtime_check(self, event: _Due) -> None:
        self._logout(event._value)

    def _end_session(self, agent: int, at: float) -> None:
        self.logged_in[agent] = False
        self.n_logged_in -= 1
        self.leaving[agent] = False
        sched = self.scheduled_end[agent]
        self.session_log.append((agent, self.session_start[agent], at, sched))

    def send_to_training(self, agent: int) -> None:
        """Take an idle agent off the phones (still paid) until recalled or the shift ends."""
        if agent not in self.idle:
            return
        del self.idle[agent]
        self._end_session(agent, self.env.now)
        self.in_training[agent] = self.env.now

    def recall_from_training(self, agent: int) -> None:
        if agent in self.in_training and self.scheduled_end[agent] > self.env.now:
            self._login(agent, self.scheduled_end[agent])

    def _end_training(self, agent: int) -> bool:
        start = self.in_training.pop(agent, None)
        if start is None:
            return False
        self.training_log.append((agent, start, self.env.now))
        return True

    def _take_next(self, agent: int) -> None:
        if self.n_waiting:
            for queue in self.queues:
                if queue:
                    job = queue.popitem(last=False)[1]
                    self.n_waiting -= 1
                    self._start(job, agent, self.env.now)
                    return
        self.idle[agent] = None

    # -- calls -----------------------------------------------------------------------------

    def _first_attempts(self) -> Iterator[Job]:
        """Jobs of the first attempts in arrival order, converted from numpy a chunk at a time."""
        c, n = self.calls, self.n_first
        queue_of = np.asarray(self.queue_of_segment)
        for lo in range(0, n, _CHUNK):
            hi = min(lo + _CHUNK, n)
            yield from zip(
                range(lo, hi),
                c.arrival[lo:hi].tolist(),
                queue_of[c.segment[lo:hi]].tolist(),
                c.patience[lo:hi].tolist(),
                c.talk[lo:hi].tolist(),
                c.wrap[lo:hi].tolist(),
                strict=True,
            )

    def _next_arrival(self) -> None:
        job = next(self.arrivals, None)
        if job is not None:
            self.env.schedule(_Due(self._on_arrival, job), NORMAL, job[1] - self.env.now)

    def _on_arrival(self, event: _Due) -> None:
        self._next_arrival()
        self._arrive(event._value)

    def _arrive(self, job: Job) -> None:
        if self.idle:
            # ``job[1]`` is the drawn arrival time itself: answered at once means a wait of 0.
            self._start(job, self.idle.popitem(last=False)[0], job[1])
            return
        self.queues[job[2]][job[0]] = job
        self.n_waiting += 1
        if self.n_waiting > self.queue_peak:
            self.queue_peak = self.n_waiting
        if job[3] < _INF:
            self.env.schedule(_Due(self._on_patience, job), NORMAL, job[3])

    def _start(self, job: Job, agent: int, at: float) -> None:
        i = job[0]
        self.calls.answer[i] = at
        self.calls.agent[i] = agent
        self.current[agent] = job
        talk = job[4] * self.factor[agent]
        if not self.two_phase:
            self.env.schedule(_Due(self._on_done, agent), NORMAL, talk + job[5])
            return
        if self.policy.flexes_talk:
            flex = self.policy.talk_factor()
            self.calls.talk_factor[i] = flex
            talk *= flex
        self.env.schedule(_Due(self._on_talk_end, agent), NORMAL, talk)

    def _on_talk_end(self, event: _Due) -> None:
        """The request is solved: offer a product now, if the policy and the screen allow."""
        agent = event._value
        job = self.current[agent]
        i = job[0]  # type: ignore[index]
        calls = self.calls
        rest = job[5]  # type: ignore[index]
        if self.sales is not None and self.roster.trained[agent] and self.policy.may_offer(agent):
            pitch = self.sales.pitch(
                int(calls.customer[i]),
                int(calls.reason[i]),
                int(calls.segment[i]),
                self.roster.sales_skill[agent],
                self.env.now,
            )
            if pitch is not None:
                calls.product[i] = pitch.product
                calls.converted[i] = pitch.converted
                calls.pitch[i] = pitch.duration_s
                rest += pitch.duration_s
        if self.repeats is not None:
            self._maybe_repeat(job)  # type: ignore[arg-type]
        self.env.schedule(_Due(self._on_done, agent), NORMAL, rest)

    def _on_done(self, event: _Due) -> None:
        agent = event._value
        self.current[agent] = None
        if self.leaving[agent]:
            self._end_session(agent, self.env.now)
        else:
            self._take_next(agent)

    def _on_patience(self, event: _Due) -> None:
        if self.closed:
            return  # callers still queued at the close stay "waiting at end"
        job = event._value
        queue = self.queues[job[2]]
        if job[0] not in queue:
            return  # answered before patience ran out
        del queue[job[0]]
        self.n_waiting -= 1
        self.calls.outcome[job[0]] = ABANDONED
        retrial = self.retrial
        if retrial is not None and self.rng["retrial"].random() < retrial.probability:
            self._call_again(job, retrial.delay, self.rng["retrial"], repeat=False)

    def _maybe_repeat(self, job: Job) -> None:
        """A call cut short is left unresolved more often, and the caller rings again later."""
        cut = 1.0 - float(self.calls.talk_factor[job[0]])
        rng = self.rng["repeats"]
        if cut > 0 and rng.random() < self.repeats.per_cut * cut:  # type: ignore[union-attr]
            self._call_again(job, self.repeats.delay, rng, repeat=True)  # type: ignore[union-attr]

    def _call_again(
        self, job: Job, delay_dist: Sampler, rng: np.random.Generator, *, repeat: bool
    ) -> None:
        delay = float(delay_dist.sample(rng, 1)[0])
        at = self.env.now + delay
        if at >= self.grid.horizon_end or self.grid.index_of(np.array([at]))[0] < 0:
            return  # the line is closed by then; the caller is lost to this horizon
        segment = int(self.calls.segment[job[0]])
        patience = float(self.patience_of_segment[segment].sample(rng, 1)[0])
        j = self.calls.append_call(job[0], at, patience, repeat=repeat)
        again = (j, at, job[2], patience, job[4], job[5])
        self.env.schedule(_Due(self._on_again, again), NORMAL, delay)

    def _on_again(self, event: _Due) -> None:
        self._arrive(event._value)

    # -- wrapping up -----------------------------------------------------------------------

    def _close_sessions(self) -> Sessions:
        """Close the sessions of agents still idle at the close (busy ones left when done)."""
        for agent, logged in enumerate(self.logged_in):
            if logged:
                self._end_session(agent, self.grid.horizon_end)
        log = np.array(self.session_log, dtype=float).reshape(-1, 4)
        agent, start, end, scheduled = log.T
        ends_shift = np.array(
            [(int(a), s) in self.shift_ends for a, s in zip(agent, scheduled, strict=True)],
            dtype=bool,
        )
        overtime = np.where(ends_shift, np.maximum(end - scheduled, 0.0), 0.0)
        return Sessions(agent.astype(int), start, end, overtime)

    def _timelines(self) -> Timelines:
        for agent in list(self.in_training):
            self._end_training(agent)
        training = np.array(self.training_log, dtype=float).reshape(-1, 3)
        switch = np.array(self.policy.switch_timeline(), dtype=float).reshape(-1, 2)
        return Timelines(training=training, switch=switch, queue_peaks=self.queue_peaks)


def _first_login(roster: Roster) -> float:
    return min((s for _, s, _ in roster.sessions), default=np.inf)
