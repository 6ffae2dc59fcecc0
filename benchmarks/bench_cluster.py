"""Throughput of replications on two workers, local processes or a Dask LocalCluster, against one.

    python benchmarks/bench_cluster.py               # 20 replications, 3 rounds, about a minute
    python benchmarks/bench_cluster.py -r 40 --repeats 5

Needs the cluster extra (``pip install -e ".[cluster]"``). Each contender runs the default
scenario's replications; they take turns, round after round, and both the best of the rounds
(wall and CPU each on its own) and the median of each round's own ratio are printed. Wall time
on a shared machine measures the neighbours too, so CPU seconds are counted as well, in every
process that worked (this one, the pool's children, the cluster's workers): on two free cores a
two-worker run could at best be ``2 × cpu(one) / cpu(two)`` times as fast as one worker, and
that figure does not depend on the load. The LocalCluster is started before the timing (its
start-up, printed apart, is paid once per command, not per batch). Nothing here fails on a time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from callsim.experiment.cluster import Cluster, connect
from callsim.experiment.runner import simulate
from callsim.scenario import bundled
from callsim.scenario.files import load_scenario
from callsim.scenario.schema import Scenario

GOAL = 1.7
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Figure:
    wall_s: float
    cpu_s: float


def _own_and_children_cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _pid_cpu(pids: list[int]) -> float:
    """CPU seconds of running processes (the cluster's workers outlive a run)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def measure(run: Callable[[], object], pids: list[int]) -> Figure:
    cpu0, extra0, wall0 = _own_and_children_cpu(), _pid_cpu(pids), time.perf_counter()
    run()
    wall = time.perf_counter() - wall0
    cpu = _own_and_children_cpu() - cpu0 + _pid_cpu(pids) - extra0
    return Figure(wall, cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-r", "--replications", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    scenario: Scenario = load_scenario(bundled.default_path())
    n = args.replications

    start = time.perf_counter()
    cluster: Cluster = connect("local:2")
    started = time.perf_counter() - start
    contenders: dict[str, tuple[Callable[[], object], list[int]]] = {
        "1 local worker": (lambda: simulate(scenario, replications=n, workers=1), []),
        "local pool of 2": (lambda: simulate(scenario, replications=n, workers=2), []),
        "LocalCluster of 2": (
            lambda: simulate(scenario, replications=n, cluster=cluster),
            cluster.worker_pids,
        ),
    }
    rounds: list[dict[str, Figure]] = []
    try:
        for _ in range(args.repeats):
            rounds.append({name: measure(run, pids) for name, (run, pids) in contenders.items()})
    finally:
        cluster.close()

    print(f"{n} replications of {scenario.name!r}, {args.repeats} rounds; {os.cpu_count()} cores")
    print(f"LocalCluster start-up: {started:.2f} s (not in the figures)")
    print(
        f"{'':20} {'wall s':>8} {'CPU s':>8} {'repl/s':>8} {'× wall':>8} {'× on free cores':>16}"
        f" {'median × wall':>14} {'median × free':>14}"
    )
    solo = "1 local worker"
    for name in contenders:
        # Best of the rounds, wall and CPU each on its own: the quietest moment of each.
        wall = min(r[name].wall_s for r in rounds)
        cpu = min(r[name].cpu_s for r in rounds)
        one_wall = min(r[solo].wall_s for r in rounds)
        one_cpu = min(r[solo].cpu_s for r in rounds)
        workers = 1 if name == solo else 2
        # And the median of each round's ratio: a round's contenders run back to back, so a
        # neighbour's load weighs on both sides of the ratio alike.
        by_wall = statistics.median(r[solo].wall_s / r[name].wall_s for r in rounds)
        by_cpu = statistics.median(workers * r[solo].cpu_s / r[name].cpu_s for r in rounds)
        print(
            f"{name:20} {wall:8.2f} {cpu:8.2f} {n / wall:8.1f} {one_wall / wall:8.2f} "
            f"{workers * one_cpu / cpu:16.2f} {by_wall:14.2f} {by_cpu:14.2f}"
        )
    print(
        f"goal: two workers at least {GOAL}× one; '× wall' is measured on this machine as loaded "
        "now, '× on free cores' is 2 × CPU s of one worker / CPU s of the two-worker run; best "
        "of the rounds, then the median of the rounds' own ratios"
    )


if __name__ == "__main__":
    main()
