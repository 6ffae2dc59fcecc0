"""Tasks on local worker processes that stop when the user does.

A process pool's own shutdown waits for every queued task: the first Ctrl-C froze the progress
bar while the remaining replications still ran, and SIGTERM left workers burning CPU. Here the
workers ignore Ctrl-C (the terminal sends it to the whole process group) and the parent, on
``KeyboardInterrupt``, terminates them at once and raises :class:`Interrupted`, saying how far
the work got.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from callsim.experiment.chunks import Chunk, split

T = TypeVar("T")

Progress = Callable[[int, int], None]
"""Called with (tasks done, tasks in all) as each one finishes."""


class Interrupted(Exception):
    """The user stopped the run (Ctrl-C or SIGTERM) after ``done`` of ``total`` tasks."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__(f"interrupted after {done} of {total}")
        self.done = done
        self.total = total


def run_tasks(
    func: Callable[..., T],
    tasks: Sequence[tuple[Any, ...]],
    workers: int,
    progress: Progress | None = None,
) -> list[T]:
    """``func(*task)`` for every task, in the tasks' order, on ``workers`` processes (in this
    process when 1), sent in chunks (:mod:`callsim.experiment.chunks`)."""
    done = 0
    results: list[T | None] = [None] * len(tasks)
    try:
        if workers <= 1:
            for k, task in enumerate(tasks):
                results[k] = func(*task)
                done += 1
                if progress:
                    progress(done, len(tasks))
        else:
            with multiprocessing.Pool(workers, initializer=_worker_signals) as pool:
                try:
                    jobs = pool.imap_unordered(_run, split(func, tasks, workers))
                    for k, values in jobs:
                        results[k : k + len(values)] = values
                        done += len(values)
                        if progress:
                            progress(done, len(tasks))
                except BaseException:
                    pool.terminate()
                    pool.join()
                    raise
    except KeyboardInterrupt:
        raise Interrupted(done, len(tasks)) from None
    return results  # type: ignore[return-value]


def _worker_signals() -> None:
    """Workers leave Ctrl-C to the parent, and die at once when it terminates them."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _run(chunk: Chunk) -> tuple[int, list[Any]]:
    """A chunk's results, with its place (chunks finish out of order)."""
    return chunk.start, chunk()
