"""The calendar entries the engine puts on SimPy's event loop behave as SimPy events do.

``callsim.model.calendar.Due`` relies on ``Environment.step()`` reading only ``callbacks`` and
``_ok`` of what it pops; these tests step a real ``simpy.Environment`` with them, mixed with
SimPy's own timeouts and processes, so that a SimPy release that changes this shows up here before
it shows up as wrong results.
"""

from __future__ import annotations

from collections.abc import Generator

import pytest
import simpy

from callsim.model.calendar import NORMAL, Due


def test_entries_fire_in_time_order_with_their_value() -> None:
    env = simpy.Environment()
    fired: list[tuple[float, object]] = []
    for delay, value in ((5.0, "c"), (1.0, "a"), (3.0, "b")):
        env.schedule(Due(lambda e: fired.append((env.now, e._value)), value), NORMAL, delay)
    env.run()
    assert fired == [(1.0, "a"), (3.0, "b"), (5.0, "c")]


def test_equal_times_keep_the_order_of_scheduling() -> None:
    env = simpy.Environment()
    fired: list[int] = []
    for k in range(50):
        env.schedule(Due(lambda e: fired.append(e._value), k), NORMAL, 2.0)
    env.run()
    assert fired == list(range(50))


def test_entries_interleave_with_timeouts_and_processes() -> None:
    env = simpy.Environment()
    log: list[tuple[float, str]] = []

    def proc() -> Generator[simpy.Event]:
        yield env.timeout(2.0)
        log.append((env.now, "process"))
        env.schedule(Due(lambda e: log.append((env.now, "due from process")), None), NORMAL, 1.0)
        yield env.timeout(2.0)
        log.append((env.now, "process again"))

    env.process(proc())
    env.schedule(Due(lambda e: log.append((env.now, "due")), None), NORMAL, 2.5)
    env.run()
    assert log == [
        (2.0, "process"),
        (2.5, "due"),
        (3.0, "due from process"),
        (4.0, "process again"),
    ]


def test_an_entry_scheduled_from_a_callback_runs_later_in_the_same_run() -> None:
    env = simpy.Environment()
    seen: list[float] = []

    def chain(event: Due) -> None:
        seen.append(env.now)
        if event._value:
            env.schedule(Due(chain, event._value - 1), NORMAL, 0.5)

    env.schedule(Due(chain, 3), NORMAL, 1.0)
    env.run()
    assert seen == [1.0, 1.5, 2.0, 2.5]


def test_run_until_stops_before_entries_at_that_time_and_stepping_drains_the_rest() -> None:
    """The engine runs to the close, then steps on until the calls in hand are done."""
    env = simpy.Environment(initial_time=10.0)
    fired: list[float] = []
    for t in (1.0, 5.0, 7.0):
        env.schedule(Due(lambda e: fired.append(env.now), None), NORMAL, t)
    env.run(until=15.0)
    assert fired == [11.0] and env.now == 15.0
    with pytest.raises(simpy.core.EmptySchedule):
        while True:
            env.step()
    assert fired == [11.0, 15.0, 17.0]


def test_an_entry_carries_no_per_instance_dict() -> None:
    """The point of the class: no ``__dict__`` per entry (what made ``simpy.Timeout`` slow)."""
    entry = Due(lambda e: None, 1)
    assert not hasattr(entry, "__dict__")
    assert entry._ok is True and len(entry.callbacks) == 1
