"""SimPy's calendar and the callers' sorted arrivals, stepped as one loop.

The first attempts are drawn up front and sorted, so each needs no calendar entry of its own:
the loop compares the next arrival with the calendar's next entry and takes whichever comes
first. That removes an entry, a heap push and pop and two callbacks from every call; what is
left on the calendar per call is its end of service and, if it queues, its patience.

Order of simultaneous events is SimPy's: time, then priority (``URGENT`` before ``NORMAL``),
then the order of scheduling. An arrival ranks as the ``NORMAL`` entry it used to be, scheduled
when the arrival before it was handled: the loop takes a scheduling number for the next arrival
at that very moment, so arrivals interleave with everything else exactly as scheduled ones did.

Entries on the calendar are ``(time, priority, number, what)``, as SimPy keeps them, and
``what`` tells what to do:

- an ``int`` ``agent >= 0``: that agent ends the call in hand (``on_done(agent)``);
- an ``int`` ``~agent`` (negative): that agent's talk ends, the call goes on to an offer or
  wrap-up (``on_talk_end(agent)``; or, when the talk end schedules nothing but the call's end,
  ``talk_rest(agent)`` tells how long the call goes on and the loop puts its end in place);
- a ``tuple`` (a call in the queue, :data:`~callsim.model.redials.Job`): its patience runs out
  (``on_patience(job)``);
- anything else is an event as SimPy's ``Environment.step`` processes it (its callbacks run,
  and a failed event not defused stops the run), which is what processes, timeouts and
  :class:`~callsim.model.calendar.Due` entries are.

An ``int`` or the queued call's own tuple costs no allocation, and SimPy's own code never
looks past an entry's number, so it never sees what the entry holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from heapq import heappop, heappush, heapreplace
from typing import Any

from simpy import Environment
from simpy.core import EmptySchedule
from simpy.events import NORMAL, URGENT

from callsim.model.redials import Job

_INF = float("inf")


class _Stop:
    """The entry that ends :meth:`CallLoop.run_until`, ranked as ``env.run(until=...)``'s."""

    __slots__ = ()


_STOP = _Stop()


class CallLoop:
    def __init__(
        self,
        env: Environment,
        arrivals: Iterator[Job],
        *,
        arrive: Callable[[Job], None],
        on_done: Callable[[int], None],
        on_talk_end: Callable[[int], None],
        on_patience: Callable[[Job], None],
        talk_rest: Callable[[int], float] | None = None,
    ) -> None:
        self.env = env
        self.arrivals = arrivals
        self.arrive = arrive
        self.on_done = on_done
        self.on_talk_end = on_talk_end
        self.on_patience = on_patience
        self.talk_rest = talk_rest
        self._queue: list[tuple[float, int, int, Any]] = env._queue  # type: ignore[assignment]
        self._eid: Iterator[int] = env._eid
        self._take_next_arrival()

    def _take_next_arrival(self) -> None:
        """The next arrival and its scheduling number, taken now as scheduling it would have."""
        job = next(self.arrivals, None)
        self.job = job
        self.t_arrival = _INF if job is None else job[1]
        self.n_arrival = next(self._eid) if job is not None else 0

    def peek(self) -> float:
        """The time of the next event, arrivals included (``inf`` when there is none)."""
        queue = self._queue
        return min(self.t_arrival, queue[0][0] if queue else _INF)

    def run_until(self, at: float) -> None:
        """Run every event before ``at`` and those at ``at`` that rank before a stop scheduled
        now with ``URGENT`` priority, as ``env.run(until=at)`` does; the clock is left at ``at``.

        The hot path: everything in locals, and the calendar is never empty (the stop is on it).
        """
        env = self.env
        queue = self._queue
        eid = self._eid
        heappush(queue, (at, URGENT, next(eid), _STOP))
        arrivals = self.arrivals
        arrive, on_done, on_patience = self.arrive, self.on_done, self.on_patience
        on_talk_end, talk_rest = self.on_talk_end, self.talk_rest
        job, t_a, n_a = self.job, self.t_arrival, self.n_arrival
        try:
            while True:
                top = queue[0]
                t = top[0]
                if t_a < t or (t_a == t and top[1] == NORMAL and n_a < top[2]):
                    env._now = t_a
                    this = job
                    job = next(arrivals, None)
                    if job is None:
                        t_a = _INF
                    else:
                        t_a = job[1]
                        n_a = next(eid)
                    arrive(this)  # type: ignore[arg-type]  # t_a was finite: there was a job
                    continue
                env._now = t
                what = top[3]
                kind = what.__class__
                if kind is int:
                    if what >= 0:
                        heappop(queue)
                        on_done(what)
                    elif talk_rest is None:
                        heappop(queue)
                        on_talk_end(~what)
                    else:
                        # The call's end takes the talk end's place: one sift from the top,
                        # which stops soon (the end is near), instead of a pop and a push.
                        heapreplace(queue, (t + talk_rest(~what), NORMAL, next(eid), ~what))
                    continue
                heappop(queue)
                if kind is tuple:
                    on_patience(what)
                elif what is _STOP:
                    return
                else:
                    _process(what)
        finally:
            self.job, self.t_arrival, self.n_arrival = job, t_a, n_a

    def step(self) -> None:
        """Process the next event, as ``env.step()`` does (``EmptySchedule`` if there is none)."""
        queue = self._queue
        job = self.job
        if job is not None and (not queue or _ranks_first(job[1], self.n_arrival, queue[0])):
            self.env._now = job[1]
            self._take_next_arrival()
            self.arrive(job)
            return
        if not queue:
            raise EmptySchedule
        t, _, _, what = heappop(queue)
        self.env._now = t
        kind = what.__class__
        if kind is int:
            if what >= 0:
                self.on_done(what)
            else:
                self.on_talk_end(~what)
        elif kind is tuple:
            self.on_patience(what)
        elif what is not _STOP:
            _process(what)


def _ranks_first(t_a: float, n_a: int, top: tuple[float, int, int, Any]) -> bool:
    """Whether an arrival at ``t_a`` numbered ``n_a`` comes before the calendar's first entry,
    as the ``NORMAL`` entry it would have been."""
    return t_a < top[0] or (t_a == top[0] and top[1] == NORMAL and n_a < top[2])


def _process(event: Any) -> None:
    """What ``Environment.step()`` does with an event it popped."""
    callbacks, event.callbacks = event.callbacks, None
    for callback in callbacks:
        callback(event)
    if not event._ok and not hasattr(event, "_defused"):
        exc = type(event._value)(*event._value.args)
        exc.__cause__ = event._value
        raise exc
