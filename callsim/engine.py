"""The hotline as a discrete-event model: one SimPy clock and a dispatcher that owns the agents.

Calls are row indices into :class:`~callsim.records.CallLog`; patience and service are plain
timeouts with callbacks, and only rare events (logins, logouts) are SimPy processes. A process per
call, ``simpy.Resource`` and the ``request | timeout`` renege pattern are what make SimPy models
slow, so none of them is used here.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import simpy
from simpy.events import Timeout

from callsim.demand import Demand
from callsim.records import ABANDONED, ANSWERED, WAITING, CallLog
from callsim.roster import Roster
from callsim.scenario import Retrial
from callsim.timegrid import TimeGrid

_LOGOUT, _LOGIN = 0, 1


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
        self.next_first = 0
        # One FIFO per priority level, highest first; OrderedDict gives O(1) removal on abandonment.
        levels = sorted(set(priorities), reverse=True)
        self.queues: list[OrderedDict[int, None]] = [OrderedDict() for _ in levels]
        self.queue_of_segment = [levels.index(p) for p in priorities]
        self.n_waiting = 0
        # Agents: idle ones in an OrderedDict so the longest-idle agent takes the next call.
        n = len(roster)
        self.roster = roster
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
        if self.n_first:
            Timeout(env, self.calls.arrival[0] - env.now).callbacks.append(self._on_arrival)
        env.run(until=self.grid.horizon_end)
        return self.calls, self._close_sessions()

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
                    call = queue.popitem(last=False)[0]
                    self.n_waiting -= 1
                    self._start(call, agent, self.env.now)
                    return
        self.idle[agent] = None

    # -- calls -----------------------------------------------------------------------------

    def _on_arrival(self, _event: Timeout) -> None:
        i = self.next_first
        self.next_first = i + 1
        if self.next_first < self.n_first:
            delay = self.calls.arrival[self.next_first] - self.env.now
            Timeout(self.env, delay).callbacks.append(self._on_arrival)
        self._arrive(i)

    def _on_retrial(self, event: Timeout) -> None:
        self._arrive(event._value)

    def _arrive(self, i: int) -> None:
        calls = self.calls
        if self.idle:
            agent = self.idle.popitem(last=False)[0]
            self._start(i, agent, float(calls.arrival[i]))
            return
        self.queues[self.queue_of_segment[calls.segment[i]]][i] = None
        self.n_waiting += 1
        patience = calls.patience[i]
        if patience < np.inf:
            Timeout(self.env, patience, i).callbacks.append(self._on_patience)

    def _start(self, i: int, agent: int, now: float) -> None:
        calls = self.calls
        duration = calls.talk[i] * self.roster.factor[agent] + calls.wrap[i]
        calls.answer[i] = now
        calls.end[i] = now + duration
        calls.agent[i] = agent
        calls.outcome[i] = ANSWERED
        self.current[agent] = i
        Timeout(self.env, duration, agent).callbacks.append(self._on_done)

    def _on_done(self, event: Timeout) -> None:
        agent = event._value
        self.current[agent] = -1
        if self.leaving[agent]:
            self._end_session(agent, self.env.now)
        else:
            self._take_next(agent)

    def _on_patience(self, event: Timeout) -> None:
        i = event._value
        calls = self.calls
        if calls.outcome[i] != WAITING:
            return
        del self.queues[self.queue_of_segment[calls.segment[i]]][i]
        self.n_waiting -= 1
        calls.outcome[i] = ABANDONED
        retrial = self.retrial
        if retrial is not None and self.retrial_rng.random() < retrial.probability:
            rng = self.retrial_rng
            delay = float(retrial.delay.sample(rng, 1)[0])
            patience_dist = self.patience_of_retrial[calls.segment[i]]
            patience = float(patience_dist.sample(rng, 1)[0])
            j = calls.append_retrial(i, self.env.now + delay, patience)
            Timeout(self.env, delay, j).callbacks.append(self._on_retrial)

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
