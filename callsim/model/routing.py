"""Skills-based routing with delayed overflow: the engine when the scenario has ``routing:``.

:class:`RoutedEngine` changes only the choices the unrouted engine makes — which idle agent an
arriving call goes to, which waiting call a freed agent takes — and leaves everything else
(talk, offers, patience, redials, the close) to :class:`~callsim.model.engine.Engine`, so the
unrouted engine's hot path stays as it is and routing costs only where it is used.

Queues are one FIFO per (call type, priority level), kept flat at ``type × levels + level``, so
a call's queue index (``job[2]``) still names its FIFO for the base engine's patience and close
code. Idle agents are kept per group with a number per insertion, so "the longest idle across
several groups" is exact and, with one group, ties break as the unrouted engine's single
``OrderedDict`` does.

The choices (scenario keys: :mod:`callsim.scenario.routing`):

* An arriving call goes at once to an idle agent of a group that takes its type with
  ``after_s`` 0, the one the rule picks (:mod:`callsim.model.router_rules`); otherwise it waits,
  and each backup group with ``after_s > 0`` gets a calendar entry at arrival + ``after_s`` at
  which it takes the call if the call still waits and the group has an agent idle.
* A freed agent takes, among the oldest waiting call of each (type its group takes, level)
  that has waited its group's ``after_s`` for that type, the one with the highest priority,
  then its group's smallest delay for the type (calls it is first in line for before those
  overflowed to it), then the earliest arrival. With every delay 0 this is first come, first
  served within priority across types: one pooled group.
* After a close, whoever stays on serves the queue left without the delays (nobody else is
  coming); calls no agent still on may take are told to call back, as a queue nobody serves is.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Sequence
from heapq import heappush, merge
from itertools import count
from typing import Any, cast

import numpy as np

from callsim.model.calendar import NORMAL, Due
from callsim.model.calllog import ABANDONED
from callsim.model.demand import Demand
from callsim.model.engine import Engine
from callsim.model.redials import Job
from callsim.model.roster import Roster
from callsim.model.routing_plan import RoutingPlan
from callsim.model.timegrid import TimeGrid
from callsim.model.view import CentreView

_INF = float("inf")


class IdlePool:
    """Idle agents, per group, longest idle first; what the base engine and the view use of an
    ``OrderedDict[int, None]`` (``in``, ``del``, ``[agent] = None``, ``len``, iteration)."""

    __slots__ = ("_group", "_n", "_seq", "pools")

    def __init__(self, group_of: Sequence[int], n_groups: int) -> None:
        self._group = list(group_of)
        self.pools: list[OrderedDict[int, int]] = [OrderedDict() for _ in range(n_groups)]
        self._seq = count()
        self._n = 0

    def __setitem__(self, agent: int, _: None) -> None:
        pool = self.pools[self._group[agent]]
        if agent not in pool:  # as an OrderedDict: setting a key again keeps its place
            pool[agent] = next(self._seq)
            self._n += 1

    def __delitem__(self, agent: int) -> None:
        del self.pools[self._group[agent]][agent]
        self._n -= 1

    def __contains__(self, agent: object) -> bool:
        return isinstance(agent, int) and agent in self.pools[self._group[agent]]

    def __len__(self) -> int:
        return self._n

    def __bool__(self) -> bool:
        return self._n > 0

    def __iter__(self) -> Iterator[int]:
        ordered = merge(*[[(seq, a) for a, seq in p.items()] for p in self.pools])
        return (a for _, a in ordered)

    def take_oldest(self, groups: Sequence[int]) -> int:
        """Remove and return the longest-idle agent of these groups, -1 if none is idle."""
        best, best_seq = -1, _INF
        pools = self.pools
        for g in groups:
            pool = pools[g]
            if pool:
                agent, seq = next(iter(pool.items()))
                if seq < best_seq:
                    best, best_seq = agent, seq
        if best >= 0:
            del pools[self._group[best]][best]
            self._n -= 1
        return best


class RoutedView(CentreView):
    """The view with queues per call type: a priority level's waiting callers are summed over
    the types."""

    def waiting(self, level: int | None = None) -> int:
        engine = cast("RoutedEngine", self._engine)
        if level is None:
            return engine.n_waiting
        return sum(len(q) for q in engine.queues[level :: engine.n_levels])


class RoutedEngine(Engine):
    def __init__(
        self,
        grid: TimeGrid,
        demand: Demand,
        roster: Roster,
        *,
        routing: RoutingPlan,
        **options: Any,
    ) -> None:
        super().__init__(grid, demand, roster, **options)
        self.routing = routing
        levels = len(self.queues)
        self.n_levels = levels
        n_types = len(routing.types)
        self.queues = [OrderedDict() for _ in range(n_types * levels)]
        # The base engine's idle agents, kept per group (the same object, typed as the pool).
        self.pool = IdlePool(roster.group, len(routing.groups))
        self.idle = self.pool  # type: ignore[assignment]
        self.group_of = list(roster.group)
        self.at_once = routing.at_once
        self.delayed = routing.delayed
        # Per group: (queue index, level, delay) of every FIFO it takes calls from.
        self.sources = [
            [(t * levels + lv, lv, d) for t, d in served for lv in range(levels)]
            for served in routing.serves
        ]
        # Per group and queue index: the factor on talk time.
        self.skill = [
            [f for f in factors for _ in range(levels)] for factors in routing.skill_factor
        ]
        self.view = RoutedView(
            self,
            options["segments"],
            options["reasons"],
            options.get("mean_handle_s", 0.0),
            options.get("threshold_s", 20.0),
        )

    def _queue_index(self, rows: slice | list[int]) -> np.ndarray:
        c = self.calls
        level = np.asarray(self.queue_of_segment)[c.segment[rows]]
        call_type = self.routing.type_of[c.segment[rows], c.reason[rows]]
        return cast("np.ndarray", call_type * self.n_levels + level)

    # -- choices ---------------------------------------------------------------------------

    def _arrive(self, job: Job) -> None:
        call_type = job[2] // self.n_levels
        for tier in self.at_once[call_type]:
            agent = self.pool.take_oldest(tier)
            if agent >= 0:
                self._start(job, agent, job[1])
                break
        else:
            if self.announcer is not None:
                level = job[2] % self.n_levels
                per_level = [self.view.waiting(lv) for lv in range(self.n_levels)]
                heard = (job[0], job[1], level, job[3], job[4], job[5])
                # The announcer counts callers ahead by priority level, over every type.
                sizes = cast("list[OrderedDict[int, Job]]", [range(n) for n in per_level])
                stays = self.announcer.hear(heard, sizes, self.n_logged_in)
                if stays is None:
                    self._balked(job)
                    return
                job = (job[0], job[1], job[2], stays[3], job[4], job[5])
            self.queues[job[2]][job[0]] = job
            self.n_waiting += 1
            self.queue_peaks.joined(self.n_waiting)
            now = self.env._now
            if job[3] < _INF:
                heappush(self.calendar, (now + job[3], NORMAL, next(self.eid), job))
            for group, delay in self.delayed[call_type]:
                self.env.schedule(Due(self._on_overflow, (job[0], job[2], group)), NORMAL, delay)
        if self.watch:
            self.policy.load_changed()

    def _on_overflow(self, event: Due) -> None:
        """A backup group's delay for a waiting call is up: an idle agent of it takes the call."""
        row, index, group = event._value
        queue = self.queues[index]
        if row not in queue:
            return  # answered or gone before
        agent = self.pool.take_oldest((group,))
        if agent < 0:
            return  # the group's next free agent finds the call (it is eligible by now)
        job = queue.pop(row)
        self.n_waiting -= 1
        self._start(job, agent, self.env.now)
        if self.watch:
            self.policy.load_changed()

    def _take_next(self, agent: int) -> None:
        if self.n_waiting:
            job = self._pick_call(agent)
            if job is not None:
                del self.queues[job[2]][job[0]]
                self.n_waiting -= 1
                self._start(job, agent, self.env.now)
                return
        if self.staying[agent]:
            self._end_session(agent, self.env.now)
        else:
            self.idle[agent] = None

    def _pick_call(self, agent: int) -> Job | None:
        now = self.env._now
        queues = self.queues
        any_wait = self.staying[agent]  # serving the queue left at a close: no delays
        best: Job | None = None
        best_key = (_INF, _INF, _INF, _INF)
        for index, level, delay in self.sources[self.group_of[agent]]:
            queue = queues[index]
            if queue:
                job = next(iter(queue.values()))
                if any_wait or job[1] + delay <= now:
                    key = (level, delay, job[1], job[0])
                    if key < best_key:
                        best, best_key = job, key
        return best

    def _start(self, job: Job, agent: int, at: float) -> None:
        factor = self.skill[self.group_of[agent]][job[2]]
        if factor == 1.0:
            super()._start(job, agent, at)
            return
        # The call log's talk is the call's at the agent's factor 1 (its end is computed from it
        # when the run finishes); the job keeps the drawn talk, so a call made again is drawn
        # anew for whoever answers it. The agent's factor holds this call's skill for the start.
        self.calls.talk[job[0]] = job[4] * factor
        base = self.factor[agent]
        self.factor[agent] = base * factor
        try:
            super()._start(job, agent, at)
        finally:
            self.factor[agent] = base

    # -- the close -------------------------------------------------------------------------

    def _on_close(self, event: Due) -> None:
        if self.closing.waiting == "served" and self.n_waiting:
            # Idle agents serve the queue left at the close before they go (delays no longer
            # hold: nobody else is coming).
            for agent in list(self.idle):
                job = self._pick_any(agent)
                if job is not None:
                    del self.idle[agent]
                    del self.queues[job[2]][job[0]]
                    self.n_waiting -= 1
                    self._start(job, agent, self.env.now)
        super()._on_close(event)
        if self.n_waiting:
            self._send_unserved_away()

    def _pick_any(self, agent: int) -> Job | None:
        staying = self.staying[agent]
        self.staying[agent] = True
        try:
            return self._pick_call(agent)
        finally:
            self.staying[agent] = staying

    def _send_unserved_away(self) -> None:
        """Calls of the types no agent still on takes are told to call back (an agent past
        their shift's end leaves after the call in hand, taking none)."""
        leaving = self.leaving
        on = {
            self.group_of[a] for a, logged in enumerate(self.logged_in) if logged and not leaving[a]
        }
        served = {index for g in on for index, _, _ in self.sources[g]}
        now = self.env.now
        calls = self.calls
        for index, queue in enumerate(self.queues):
            while queue and index not in served:
                row, job = queue.popitem(last=False)
                self.n_waiting -= 1
                calls.outcome[row] = ABANDONED
                calls.patience[row] = now - job[1]  # the wait they had when told
                calls.closed_out[row] = 1
                again = self.redials.after_abandon(job, now)
                if again is not None:
                    self.env.schedule(Due(self._on_again, again[1]), NORMAL, again[0])
