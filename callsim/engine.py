"""The hotline as a discrete-event model: one SimPy clock and a dispatcher that owns the agents.

Calls are row indices into :class:`~callsim.records.CallLog`; patience and service are plain
timeouts with callbacks, and only rare events (logins, logouts) are SimPy processes. A process per
call, ``simpy.Resource`` and the ``request | timeout`` renege pattern are what make SimPy models
slow, so none of them is used here.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import simpy
from simpy.events import NORMAL

from callsim.demand import Demand
from callsim.records import ABANDONED, ANSWERED, CallLog
from callsim.roster import Roster
from callsim.scenario import Retrial
from callsim.timegrid import TimeGrid

_LOGOUT, _LOGIN = 0, 1
_CHUNK = 4096
_INF = float("inf")
Job = tuple[int, float, int, float, float, float]


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
class Sessions:
    """Time each agent actually spent logged in; ``overtime`` is time past a paid shift end."""

    agent: np.ndarray
    start: np.ndarray
    end: np.ndarray
    overtime: np.ndarray


class Engine:
    def __init__(
        self,
        grid: TimeGrid,
        demand: Demand,
        roster: Roster,
        priorities: list[int],
        retrial: Retrial | None,
        retrial_rng: np.random.Generator,
        patience_of_retrial: list,
    ) -> None:
        self.grid = grid
        self.env = simpy.Environment(initial_time=min(grid.horizon_start, _first_login(roster)))
        spare = int(len(demand) * retrial.probability) + 64 if retrial else 64
        self.calls = CallLog(demand, spare)
        self.n_first = len(demand)
        # One FIFO per priority level, highest first; OrderedDict gives O(1) removal on abandonment.
        levels = sorted(set(priorities), reverse=True)
        self.queues: list[OrderedDict[int, Job]] = [OrderedDict() for _ in levels]
        self.queue_of_segment = [levels.index(p) for p in priorities]
        self.arrivals = self._first_attempts()
        self.n_waiting = 0
        # Agents: idle ones in an OrderedDict so the longest-idle agent takes the next call.
        n = len(roster)
        self.roster = roster
        self.factor = list(roster.factor)
        self.idle: OrderedDict[int, None] = OrderedDict()
        self.current = [-1] * n
        self.leaving = [False] * n
        self.logged_in = [False] * n
        self.session_start = [0.0] * n
        self.scheduled_end = [0.0] * n
        self.shift_ends = roster.shift_ends()
        self.session_log: list[tuple[int, float, float, float]] = []
        self.retrial = retrial
        self.retrial_rng = retrial_rng
        self.patience_of_retrial = patience_of_retrial

    # -- running ---------------------------------------------------------------------------

    def run(self) -> tuple[CallLog, Sessions]:
        env = self.env
        env.process(self._roster_process())
        self._next_arrival()
        env.run(until=self.grid.horizon_end)
        self._derive_outcomes()
        return self.calls, self._close_sessions()

    def _derive_outcomes(self) -> None:
        """Fill what the hot path leaves out: who was answered, and when each call ended."""
        calls = self.calls
        agent = calls.column("agent")
        answered = agent >= 0
        calls.column("outcome")[answered] = ANSWERED
        factor = np.asarray(self.roster.factor, dtype=float)
        end = calls.column("end")
        end[answered] = (
            calls.column("answer")[answered]
            + calls.column("talk")[answered] * factor[agent[answered]]
            + calls.column("wrap")[answered]
        )

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

    # -- agents ----------------------------------------------------------------------------

    def _login(self, agent: int, scheduled_end: float) -> None:
        self.scheduled_end[agent] = scheduled_end
        if self.leaving[agent]:
            # Still on the last call of the previous session: carry straight on.
            self.leaving[agent] = False
            return
        self.logged_in[agent] = True
        self.session_start[agent] = self.env.now
        self._take_next(agent)

    def _logout(self, agent: int) -> None:
        if self.current[agent] >= 0:
            self.leaving[agent] = True  # finish the call in hand first
            return
        del self.idle[agent]
        self._end_session(agent, self.env.now)

    def _end_session(self, agent: int, at: float) -> None:
        self.logged_in[agent] = False
        self.leaving[agent] = False
        sched = self.scheduled_end[agent]
        self.session_log.append((agent, self.session_start[agent], at, sched))

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
    # A call in flight is a job tuple (row, arrival, queue, patience, talk, wrap) of Python
    # floats, so the hot path never touches numpy scalars; only the outcome goes to the arrays.

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
        if job[3] < _INF:
            self.env.schedule(_Due(self._on_patience, job), NORMAL, job[3])

    def _start(self, job: Job, agent: int, at: float) -> None:
        i = job[0]
        self.calls.answer[i] = at
        self.calls.agent[i] = agent
        self.current[agent] = i
        duration = job[4] * self.factor[agent] + job[5]
        self.env.schedule(_Due(self._on_done, agent), NORMAL, duration)

    def _on_done(self, event: _Due) -> None:
        agent = event._value
        self.current[agent] = -1
        if self.leaving[agent]:
            self._end_session(agent, self.env.now)
        else:
            self._take_next(agent)

    def _on_patience(self, event: _Due) -> None:
        job = event._value
        queue = self.queues[job[2]]
        if job[0] not in queue:
            return  # answered before patience ran out
        del queue[job[0]]
        self.n_waiting -= 1
        self.calls.outcome[job[0]] = ABANDONED
        if self.retrial is not None and self.retrial_rng.random() < self.retrial.probability:
            self._schedule_retrial(job)

    def _schedule_retrial(self, job: Job) -> None:
        rng, calls = self.retrial_rng, self.calls
        delay = float(self.retrial.delay.sample(rng, 1)[0])  # type: ignore[union-attr]
        segment = int(calls.segment[job[0]])
        patience = float(self.patience_of_retrial[segment].sample(rng, 1)[0])
        at = self.env.now + delay
        j = calls.append_retrial(job[0], at, patience)
        retry = (j, at, job[2], patience, job[4], job[5])
        self.env.schedule(_Due(self._on_retrial, retry), NORMAL, delay)

    def _on_retrial(self, event: _Due) -> None:
        self._arrive(event._value)

    # -- wrapping up -----------------------------------------------------------------------

    def _close_sessions(self) -> Sessions:
        """Close sessions open at the horizon's end: a busy agent stays until the call ends."""
        horizon_end = self.grid.horizon_end
        for agent, logged in enumerate(self.logged_in):
            if not logged:
                continue
            call = self.current[agent]
            if call >= 0:
                self._end_session(agent, max(horizon_end, float(self.calls.end[call])))
            else:
                self._end_session(agent, horizon_end)
        log = np.array(self.session_log, dtype=float).reshape(-1, 4)
        agent, start, end, scheduled = log.T
        ends_shift = np.array(
            [(int(a), s) in self.shift_ends for a, s in zip(agent, scheduled, strict=True)],
            dtype=bool,
        )
        overtime = np.where(ends_shift, np.maximum(end - scheduled, 0.0), 0.0)
        return Sessions(agent.astype(int), start, end, overtime)


def _first_login(roster: Roster) -> float:
    return min((s for _, s, _ in roster.sessions), default=np.inf)
