"""The merged loop (callsim.model.event_loop) handles events in the very order SimPy would.

The oracle is SimPy itself: the same little model is run once the way the engine used to run
(each arrival a calendar entry that schedules the next one, everything stepped by
``env.run(until=...)`` and ``env.step()``) and once through :class:`CallLoop`, with times on a
coarse grid so that many events share an instant. The two logs of (time, what, which) must be
equal, ties included.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Generator
from heapq import heappush
from itertools import count

import pytest
import simpy
from simpy.core import EmptySchedule

from callsim.model.calendar import NORMAL, URGENT, Due
from callsim.model.event_loop import CallLoop

Log = list[tuple[float, str, int]]


def _plan(seed: int, n: int) -> list[tuple[int, float, int, float, float, float]]:
    """Jobs (row, arrival, queue, patience, talk, wrap) on a grid of whole seconds."""
    rnd = random.Random(seed)
    t = 0.0
    jobs = []
    for row in range(n):
        t += rnd.choice((0.0, 0.0, 1.0, 2.0))
        jobs.append((row, t, 0, float(rnd.randint(0, 3)), float(rnd.randint(0, 4)), 0.0))
    return jobs


class _Model:
    """What happens at each event, the same for both loops: ``push_*`` put an entry on the
    calendar for a call's end, its talk's end or its patience."""

    def __init__(
        self,
        env: simpy.Environment,
        push_done: Callable[[float, int], None],
        push_talk_end: Callable[[float, int], None],
        push_patience: Callable[[float, tuple], None],
    ) -> None:
        self.env = env
        self.log: Log = []
        self.push_done = push_done
        self.push_talk_end = push_talk_end
        self.push_patience = push_patience

    def arrive(self, job: tuple) -> None:
        now = self.env.now
        self.log.append((now, "arrive", job[0]))
        if job[0] % 3 == 0:
            self.push_patience(now + job[3], job)
        elif job[0] % 3 == 1:
            self.push_talk_end(now + job[4], job[0])
        else:
            self.push_done(now + job[4], job[0])
        if job[0] % 5 == 0:  # an urgent entry at the same instant or later
            self.env.schedule(Due(self.urgent, job[0]), URGENT, job[4])

    def urgent(self, event: Due) -> None:
        self.log.append((self.env.now, "urgent", event._value))

    def done(self, row: int) -> None:
        self.log.append((self.env.now, "done", row))

    def talk_end(self, row: int) -> None:
        self.push_done(self.env.now + self.talk_rest(row), row)

    def talk_rest(self, row: int) -> float:
        self.log.append((self.env.now, "talk end", row))
        return float(row % 2)  # wrap-up of 0 or 1 s

    def patience(self, job: tuple) -> None:
        self.log.append((self.env.now, "patience", job[0]))

    def ticks(self) -> Generator[simpy.Event]:
        while True:
            yield self.env.timeout(1.0)
            self.log.append((self.env.now, "tick", -1))


def _reference(jobs: list, until: float) -> Log:
    env = simpy.Environment()
    model = _Model(
        env,
        lambda at, row: env.schedule(
            Due(lambda e: model.done(e._value), row), NORMAL, at - env.now
        ),
        lambda at, row: env.schedule(
            Due(lambda e: model.talk_end(e._value), row), NORMAL, at - env.now
        ),
        lambda at, job: env.schedule(
            Due(lambda e: model.patience(e._value), job), NORMAL, at - env.now
        ),
    )
    env.process(model.ticks())
    it = iter(jobs)

    def next_arrival() -> None:
        job = next(it, None)
        if job is not None:
            env.schedule(Due(on_arrival, job), NORMAL, job[1] - env.now)

    def on_arrival(event: Due) -> None:
        next_arrival()
        model.arrive(event._value)

    next_arrival()
    env.run(until=until)
    model.log.append((env.now, "until", -1))
    while env.peek() <= until + 30.0:  # the ticks run for ever: the engine's way of going on
        env.step()
    return model.log


def _merged(jobs: list, until: float, lean: bool) -> Log:
    env = simpy.Environment()
    queue = env._queue
    eid: count[int] = env._eid
    model = _Model(
        env,
        lambda at, row: heappush(queue, (at, NORMAL, next(eid), row)),
        lambda at, row: heappush(queue, (at, NORMAL, next(eid), ~row)),
        lambda at, job: heappush(queue, (at, NORMAL, next(eid), job)),
    )
    env.process(model.ticks())
    loop = CallLoop(
        env,
        iter(jobs),
        arrive=model.arrive,
        on_done=model.done,
        on_talk_end=model.talk_end,
        on_patience=model.patience,
        # The lean talk end: the loop puts the call's end in the talk end's place on the heap.
        talk_rest=model.talk_rest if lean else None,
    )
    loop.run_until(until)
    model.log.append((env.now, "until", -1))
    while loop.peek() <= until + 30.0:
        loop.step()
    return model.log


@pytest.mark.parametrize("lean", [False, True])
@pytest.mark.parametrize("seed", range(8))
def test_the_merged_loop_keeps_simpys_order_ties_included(seed: int, lean: bool) -> None:
    jobs = _plan(seed, 300)
    until = jobs[len(jobs) // 2][1]  # half the arrivals come after the stop, some at its instant
    reference = _reference(jobs, until)
    assert len({t for t, _, _ in reference}) < len(reference) / 2  # plenty of ties to get wrong
    assert _merged(jobs, until, lean) == reference


def test_peek_sees_the_next_arrival_and_an_empty_loop_raises() -> None:
    env = simpy.Environment()
    seen: list[int] = []
    jobs = [(0, 2.0, 0, 1.0, 1.0, 0.0)]
    loop = CallLoop(
        env,
        iter(jobs),
        arrive=lambda j: seen.append(j[0]),
        on_done=seen.append,
        on_talk_end=print,
        on_patience=print,
    )
    env._queue.append((5.0, NORMAL, next(env._eid), 7))
    assert loop.peek() == 2.0
    loop.step()
    assert seen == [0] and env.now == 2.0 and loop.peek() == 5.0
    loop.step()
    assert seen == [0, 7] and env.now == 5.0 and loop.peek() == float("inf")
    with pytest.raises(EmptySchedule):
        loop.step()


def test_a_failed_event_stops_the_run_as_in_simpy() -> None:
    env = simpy.Environment()

    def fails() -> Generator[simpy.Event]:
        yield env.timeout(1.0)
        raise ValueError("broken process")

    env.process(fails())
    loop = CallLoop(
        env, iter([]), arrive=print, on_done=print, on_talk_end=print, on_patience=print
    )
    with pytest.raises(ValueError, match="broken process"):
        loop.run_until(10.0)
