"""Time and memory of long horizons: do they stay linear in the number of days?

One replication of the bundled 12-week scenario (``scenarios/credit_card_12_weeks.yaml``: the
default centre over 84 days with a weekly profile, attrition, hiring, training and learning) cut
to 1, 4 and 12 weeks, and the same centre without the ``workforce:`` block, in the same process.
Each figure is the best of ``--repeats`` by CPU time, the whole replication as a worker runs it
(demand, roster, engine and KPIs, by week included); memory is the traced peak of one
replication. Ratios are per simulated day against the one-week run of the same kind: 1.00
everywhere means linear.

    python benchmarks/bench_horizon.py             # best of 3
    python benchmarks/bench_horizon.py --repeats 1
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from pathlib import Path

from callsim.experiment.replication import run_replication
from callsim.scenario.files import load_plans
from callsim.scenario.schema import Scenario

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "credit_card_12_weeks.yaml"
SEED = 1


def _cut(scenario: Scenario, weeks: int, workforce: bool) -> Scenario:
    horizon = scenario.horizon.model_copy(update={"days": 7 * weeks})
    update: dict[str, object] = {"horizon": horizon}
    if not workforce:
        update["workforce"] = None
    return scenario.model_copy(update=update)


def measure(scenario: Scenario, repeats: int) -> tuple[float, float]:
    """Best CPU seconds of one replication, and its traced peak in MiB."""
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        run_replication(scenario, SEED, 0)
        best = min(best, time.process_time() - start)
    tracemalloc.start()
    run_replication(scenario, SEED, 0)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return best, peak


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=3, help="best of N (default 3)")
    args = p.parse_args()
    base = next(iter(load_plans(SCENARIO).values()))
    print(f"one replication, CPU best of {args.repeats}; per day against one week of its kind")
    print(f"  {'centre':<20} {'weeks':>5} {'CPU s':>7} {'ms/day':>7} {'ratio':>6} {'MiB':>7}")
    for workforce in (True, False):
        kind = "with workforce" if workforce else "without workforce"
        first = None
        for weeks in (1, 4, 12):
            cpu, peak = measure(_cut(base, weeks, workforce), args.repeats)
            per_day = 1000 * cpu / (7 * weeks)
            first = first or per_day
            print(
                f"  {kind:<20} {weeks:>5} {cpu:7.2f} {per_day:7.1f} {per_day / first:5.2f}x"
                f" {peak:7.1f}"
            )


if __name__ == "__main__":
    main()
