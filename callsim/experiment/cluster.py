"""Replications as Dask tasks: on a ``dask.distributed`` scheduler, or a ``LocalCluster``.

Dask is an optional extra (``pip install "callsim[cluster]"``) and is imported only when a
cluster is asked for, so a plain run never pays for it. Tasks go in chunks
(:mod:`callsim.experiment.chunks`) so that the scheduler's per-task cost stays small next to a
chunk's simulation; chunks stream back as they finish, for the progress bar, and are put back in
order, so a cluster's results equal a local run's bit for bit (each replication depends only on its
scenario, seed and index).
"""

from __future__ import annotations

import logging
import os
import signal
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any, TypeVar

from callsim.errors import UserError
from callsim.experiment.chunks import split
from callsim.experiment.pool import Interrupted, Progress
from callsim.version import __version__

T = TypeVar("T")

INSTALL = 'pip install "callsim[cluster]"'
CONNECT_TIMEOUT_S = 10
"""Assumption: a scheduler that does not answer in ten seconds is a wrong address, not a slow
one."""


class Cluster:
    """A Dask client to run tasks on, and the ``LocalCluster`` behind it when callsim started
    one; closing closes what callsim opened, never a scheduler it only connected to."""

    def __init__(self, client: Any, local: Any = None, *, owned: bool = True) -> None:
        self.client = client
        self.local = local
        self.owned = owned
        self.worker_pids: list[int] = []
        """The LocalCluster's worker processes, to stop at once on Ctrl-C."""

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.owned:
            with _quiet():
                self.client.close()
                if self.local is not None:
                    self.local.close()

    def threads(self) -> int:
        """Worker threads now on the cluster, waiting for a first worker (a batch system may
        still be starting them)."""
        nthreads = self.client.nthreads()
        if not nthreads:
            self.client.wait_for_workers(1)
            nthreads = self.client.nthreads()
        return max(1, int(sum(nthreads.values())))

    def run(
        self,
        func: Callable[..., T],
        tasks: Sequence[tuple[Any, ...]],
        progress: Progress | None = None,
    ) -> list[T]:
        """``func(*task)`` for every task, in the tasks' order, as chunks on the cluster. On
        Ctrl-C the chunks are cancelled and :class:`Interrupted` says how far the work got."""
        from distributed import as_completed

        batch = uuid.uuid4().hex
        futures = {
            self.client.submit(chunk, key=f"callsim-{batch}-{k}"): chunk.start
            for k, chunk in enumerate(split(func, tasks, self.threads()))
        }
        results: list[Any] = [None] * len(tasks)
        done = 0
        try:
            for future in as_completed(futures):
                values = future.result()
                k = futures[future]
                results[k : k + len(values)] = values
                done += len(values)
                if progress:
                    progress(done, len(tasks))
        except KeyboardInterrupt:
            with _quiet():
                self.client.cancel(list(futures))
                self._stop_local_workers()
            raise Interrupted(done, len(tasks)) from None
        except BaseException:
            self.client.cancel(list(futures))
            raise
        return results

    def _stop_local_workers(self) -> None:
        """A running chunk is Python code in a worker's thread, which cancelling cannot stop:
        the LocalCluster's workers would finish it (seconds) before closing. Terminated, they
        stop now, and closing the cluster is quick."""
        for pid in self.worker_pids if self.owned else ():
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)


@contextmanager
def _quiet() -> Iterator[None]:
    """While callsim closes a cluster or abandons its tasks, Dask's complaints (results it can
    no longer gather, heartbeats to a scheduler gone) say nothing the user needs."""
    logger = logging.getLogger("distributed")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def connect(spec: str, where: str = "cluster") -> Cluster:
    """A cluster from ``local:N`` (a ``LocalCluster`` of N one-thread worker processes, closed
    with the returned object) or a scheduler's address (``tcp://host:8786``); ``where`` starts
    the errors (the option's name on the command line)."""
    spec = spec.strip()
    if spec.startswith("local"):
        count = spec.removeprefix("local").removeprefix(":")
        if not (spec.startswith("local:") and count.isdigit() and int(count) >= 1):
            raise UserError(f"{where}: expected local:N with N ≥ 1 workers, got {spec!r}")
    elif not spec:
        raise UserError(f"{where}: expected a scheduler address (tcp://host:8786) or local:N")
    distributed = _distributed(where)
    if spec.startswith("local:"):
        import dask

        # Dask's workers sample their threads' stacks every 10 ms for the dashboard's profile,
        # which callsim's LocalCluster does not show: that is CPU taken from the replications.
        with dask.config.set({"distributed.worker.profile.enabled": False}):
            local = _local_cluster(distributed, int(count))
        cluster = Cluster(distributed.Client(local), local)
    else:
        try:
            client = distributed.Client(spec, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError, ValueError) as exc:
            raise UserError(f"{where}: cannot reach a Dask scheduler at {spec!r} ({exc})") from None
        cluster = Cluster(client)
    try:
        _prepare(cluster, where, local=spec.startswith("local:"))
    except BaseException:
        cluster.close()
        raise
    return cluster


def _local_cluster(distributed: Any, workers: int) -> Any:
    return distributed.LocalCluster(
        n_workers=workers,
        threads_per_worker=1,  # the simulation is pure Python: one thread per process
        processes=True,
        dashboard_address=None,
        # no dashboard, and the scheduler's HTTP server (health, metrics) on a free port, not
        # on 8787 where another cluster may already be
        scheduler_kwargs={"dashboard_address": ":0"},
        # workers closing race their last heartbeat and log it as an error: noise, since a
        # task's own failure comes back to callsim as its exception
        silence_logs=logging.CRITICAL,
    )


def _prepare(cluster: Cluster, where: str, *, local: bool) -> None:
    """Import callsim on every worker now (not in the first chunk, where it would look like a
    slow replication) and check it is this version, whose streams give these results."""
    try:
        versions = cluster.client.run(_worker_ready, local)
    except ImportError as exc:
        raise UserError(
            f"{where}: a worker cannot import callsim ({exc}); install callsim on every worker"
        ) from None
    if local:
        cluster.worker_pids = [pid for _, pid in versions.values()]
    wrong = {w: v for w, (v, _) in versions.items() if v != __version__}
    if wrong:
        worker, version = next(iter(wrong.items()))
        raise UserError(
            f"{where}: worker {worker} runs callsim {version}, this is {__version__}; "
            "install the same version on every worker"
        )


def _worker_ready(local: bool) -> tuple[str, int]:
    """On a worker: load the engine, and, on a LocalCluster (whose processes share the
    terminal's process group), leave Ctrl-C to callsim, which closes the cluster."""
    import callsim.experiment.replication  # noqa: F401  (the import is the point)

    if local:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    return __version__, os.getpid()


@contextmanager
def opened(cluster: Cluster | str | Any) -> Iterator[Cluster]:
    """The cluster to run on: a :class:`Cluster` or a ``distributed.Client`` as given (left
    open for the caller), or one opened from a spec string and closed afterwards."""
    if isinstance(cluster, Cluster):
        yield cluster
    elif isinstance(cluster, str):
        with connect(cluster) as made:
            yield made
    elif isinstance(cluster, _distributed().Client):
        yield Cluster(cluster, owned=False)
    else:
        raise TypeError(f"cluster: expected an address, local:N or a Client, got {cluster!r}")


def _distributed(where: str = "cluster") -> Any:
    try:
        import distributed
    except ImportError:
        raise UserError(
            f"{where}: Dask is not installed; install the extra with: {INSTALL}"
        ) from None
    return distributed
