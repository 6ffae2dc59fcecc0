"""The local pool sends tasks in chunks and gives them back in the tasks' order.

A message per replication cost the parent a tenth of a day's work (pickling the scenario with
every task, a wake-up per result); chunks pay it once per chunk. Chunking must change nothing
but the sharing: results in order whatever finishes first, progress up to the total.
"""

from __future__ import annotations

import time

from callsim.experiment.chunks import chunks
from callsim.experiment.pool import run_tasks


def _slow_echo(k: int, pause: float) -> int:
    time.sleep(pause)
    return k


def test_the_pool_sends_chunks_and_keeps_the_tasks_order() -> None:
    # The first chunk is the slowest, so it finishes last.
    tasks = [(k, 0.3 if k < 2 else 0.0) for k in range(16)]
    seen: list[tuple[int, int]] = []
    assert run_tasks(_slow_echo, tasks, 2, lambda d, t: seen.append((d, t))) == list(range(16))
    # Four chunks per worker, of two tasks each: one progress step per chunk.
    assert [len(part) for part in chunks(16, 2)] == [2] * 8
    assert len(seen) == 8 and seen[-1] == (16, 16)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert {d for d, _ in seen} <= set(range(2, 17, 2))


def test_one_worker_runs_the_tasks_here_one_by_one() -> None:
    seen: list[int] = []
    tasks = [(k, 0.0) for k in range(5)]
    assert run_tasks(_slow_echo, tasks, 1, lambda d, t: seen.append(d)) == [0, 1, 2, 3, 4]
    assert seen == [1, 2, 3, 4, 5]
