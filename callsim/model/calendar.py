"""Calendar entries for SimPy's event loop that cost a fraction of a ``simpy.Timeout``.

``Environment.step()`` pops an entry and reads only its ``callbacks`` and ``_ok`` (and ``_value``
for callbacks that look at it); it never checks the entry's type. A slotted object with those
attributes is therefore a complete event for the loop. ``simpy.Timeout`` carries a per-instance
``__dict__`` and argument checks; with two or three timeouts per call that overhead dominated the
engine (measured 4.2 against 2.5 µs per event). The most frequent entries, a call's end and its
patience, need no entry object at all: they are the agent's number and the queued call's tuple,
which the engine's own loop (:mod:`callsim.model.event_loop`) tells apart. This reliance on
SimPy's internals is why simpy is pinned below 5, and ``tests/test_calendar.py`` and
``tests/test_event_loop.py`` step a real ``Environment`` with these entries so that widening the
pin is one test run away.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from simpy.events import NORMAL, URGENT

__all__ = ["NORMAL", "URGENT", "Due"]

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
