"""Calendar entries for SimPy's event loop that cost a fraction of a ``simpy.Timeout``.

``Environment.step()`` pops an entry and reads only its ``callbacks`` and ``_ok`` (and ``_value``
for callbacks that look at it); it never checks the entry's type. A slotted object with those
attributes is therefore a complete event for the loop. ``simpy.Timeout`` carries a per-instance
``__dict__`` and argument checks; with two or three timeouts per call that overhead dominated the
engine (measured 4.2 against 2.5 µs per event). This reliance on SimPy's internals is why simpy is
pinned below 5, and ``tests/test_calendar.py`` steps a real ``Environment`` with these entries so
that widening the pin is one test run away.
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappush
from typing import TYPE_CHECKING, Any

from simpy import Environment
from simpy.events import NORMAL, URGENT

__all__ = ["NORMAL", "URGENT", "Due", "schedule_at"]

if TYPE_CHECKING:  # to the type checker an entry is the event SimPy's loop takes it for
    from simpy import Event as _Entry
else:
    _Entry = object


class Due(_Entry):
    """One calendar entry: at its time, ``callback(entry)`` runs; ``entry._value`` is its datum."""

    __slots__ = ("_value", "callbacks")
    _ok = True

    def __init__(self, callback: Callable[[Any], None], value: Any) -> None:
        self.callbacks = [callback]
        self._value = value

    def then(self, callback: Callable[[Any], None]) -> Due:
        """This entry again, with its datum, for ``callback``: to be scheduled from inside its
        own callback. The loop takes an entry's callbacks off it before running them and never
        looks at it again, so one entry can carry a call from one phase to the next; a call has
        several phases, and an entry fewer to build per phase showed in the engine's time."""
        self.callbacks = [callback]
        return self


def schedule_at(env: Environment, entry: Due, priority: int, at: float) -> None:
    """Put ``entry`` on the loop for time ``at`` exactly, as ``env.schedule`` does for a delay
    (``now + (at - now)`` need not be ``at`` in floating point): for an entry that must fire
    at the very time a chain of delays would have reached."""
    queue: list[tuple[float, int, int, Due]] = env._queue  # type: ignore[assignment]
    heappush(queue, (at, priority, next(env._eid), entry))
