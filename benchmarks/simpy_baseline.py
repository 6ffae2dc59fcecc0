"""The reference model in plain SimPy: M/M/c+M written the way SimPy models usually are.

One process per call, the agents as a ``simpy.Resource(capacity=c)`` and reneging with
``req | env.timeout(patience)``. Interarrival, handle and patience times are exponential and drawn
with numpy up front, as callsim draws its callers up front. Only three tallies are kept (answered,
abandoned, total wait of answered calls), which makes this baseline as cheap as a useful SimPy
model can be.

Runnable on its own for whole-process timing::

    python benchmarks/simpy_baseline.py --agents 500 --rate-per-hour 7125 --hours 24 \
        --handle-s 240 --patience-s 300
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass

import numpy as np
import simpy


@dataclass(frozen=True)
class BaselineResult:
    offered: int
    answered: int
    abandoned: int
    mean_wait_answered_s: float


def run_baseline(
    agents: int,
    rate_per_hour: float,
    horizon_s: float,
    handle_mean_s: float,
    patience_mean_s: float,
    seed: int = 1,
) -> BaselineResult:
    """Simulate ``horizon_s`` seconds of an M/M/c+M queue; calls still queued at the end stay."""
    rng = np.random.default_rng(seed)
    rate = rate_per_hour / 3600.0
    expected = rate * horizon_s
    n_max = int(expected + 10.0 * math.sqrt(expected) + 100)
    gaps = rng.exponential(1.0 / rate, n_max)
    n = int(np.searchsorted(np.cumsum(gaps), horizon_s, side="right"))
    gaps_l = gaps[:n].tolist()
    handle = rng.exponential(handle_mean_s, n).tolist()
    patience = rng.exponential(patience_mean_s, n).tolist()

    env = simpy.Environment()
    staff = simpy.Resource(env, capacity=agents)
    tally = [0, 0, 0.0]  # answered, abandoned, total wait of answered calls

    def call(i: int):
        arrived = env.now
        with staff.request() as req:
            got = yield req | env.timeout(patience[i])
            if req in got:
                tally[0] += 1
                tally[2] += env.now - arrived
                yield env.timeout(handle[i])
            else:
                tally[1] += 1

    def source():
        for i in range(n):
            yield env.timeout(gaps_l[i])
            env.process(call(i))

    env.process(source())
    env.run(until=horizon_s)
    answered, abandoned, wait = tally
    return BaselineResult(n, answered, abandoned, wait / answered if answered else 0.0)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--agents", type=int, required=True)
    p.add_argument("--rate-per-hour", type=float, required=True)
    p.add_argument("--hours", type=float, required=True)
    p.add_argument("--handle-s", type=float, required=True)
    p.add_argument("--patience-s", type=float, required=True)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    r = run_baseline(a.agents, a.rate_per_hour, a.hours * 3600.0, a.handle_s, a.patience_s, a.seed)
    print(f"offered={r.offered} answered={r.answered} abandoned={r.abandoned}")


if __name__ == "__main__":
    main()
