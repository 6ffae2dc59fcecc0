"""How tasks are grouped for worker processes, local or on Dask.

Each message to a worker costs pickling on both sides (the scenario travels with every task,
once per message when tasks share it) and a wake-up of the parent: sent one by one, a day's
replications spent a tenth of the work in the parent. Grouped, the cost is paid per chunk, and
the chunks are still small enough to share the work evenly and keep the progress bar moving.
The grouping never changes a result, only how the work is shared.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from typing import Any

CHUNKS_PER_THREAD = 4
"""Assumption: four chunks per worker thread balance the load (a slow chunk is a quarter of a
thread's share) while keeping a chunk's scheduling cost negligible."""
MAX_CHUNK = 10
"""Assumption: ten replications a chunk keep the progress bar moving on a long run (a
replication of a day takes a tenth of a second or more, a chunk a second or more, against
Dask's millisecond per task)."""


def chunks(tasks: int, threads: int) -> list[range]:
    """The tasks' ranges, in order: :data:`CHUNKS_PER_THREAD` chunks per worker thread (fewer
    when there are fewer tasks), more when a chunk would pass :data:`MAX_CHUNK`, and sizes that
    differ by one at most, so that the threads' shares come out even."""
    count = max(min(tasks, CHUNKS_PER_THREAD * max(1, threads)), math.ceil(tasks / MAX_CHUNK))
    size, extra = divmod(tasks, count) if count else (0, 0)
    bounds = [k * size + min(k, extra) for k in range(count + 1)]
    return [range(a, b) for a, b in itertools.pairwise(bounds)]


class Chunk:
    """Some tasks as one unit of work, called with no arguments. The tasks travel inside this
    object, not as arguments, which Dask would search for tasks of its own (a tuple starting
    with a function is one to Dask)."""

    def __init__(
        self, func: Callable[..., Any], tasks: Sequence[tuple[Any, ...]], start: int = 0
    ) -> None:
        self.func = func
        self.tasks = list(tasks)
        self.start = start
        """The first task's place among all the tasks, for putting the results back in order."""

    def __call__(self) -> list[Any]:
        return [self.func(*task) for task in self.tasks]


def split(func: Callable[..., Any], tasks: Sequence[tuple[Any, ...]], threads: int) -> list[Chunk]:
    """The tasks as :func:`chunks` groups them."""
    return [
        Chunk(func, tasks[part.start : part.stop], part.start)
        for part in chunks(len(tasks), threads)
    ]
