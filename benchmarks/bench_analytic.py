"""Speed of the analytic formulas (callsim.analytic), against a baseline measured in the same run.

The baseline is Erlang C for 100 agents at 90 Erlangs written out in plain Python (the Erlang B
recursion); every figure is printed as its time and as a multiple of the baseline's time, so runs
on different or busy machines stay comparable. Nothing here asserts a time limit.

    python benchmarks/bench_analytic.py              # best of 5
    python benchmarks/bench_analytic.py --repeats 9
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from callsim.analytic import erlang

AHT_S = 180.0
PATIENCE_S = 345.0
THRESHOLD_S = 20.0


def baseline_erlang_c(c: int = 100, load: float = 90.0) -> float:
    b = 1.0
    for k in range(1, c + 1):
        b = load * b / (k + load * b)
    return c * b / (c - load * (1 - b))


CASES: dict[str, Callable[[], object]] = {
    "erlang_c, 100 agents": lambda: erlang.erlang_c(100, 90.0),
    "mmc_m, 100 agents": lambda: erlang.mmc_m(100 / AHT_S, AHT_S, 100, PATIENCE_S, THRESHOLD_S),
    "mmc_m, 2000 agents": lambda: erlang.mmc_m(2000 / AHT_S, AHT_S, 2000, PATIENCE_S, THRESHOLD_S),
    "staff C for SL, 1000 Erlangs": lambda: erlang.agents_for_service_level(
        1000 / AHT_S, AHT_S, THRESHOLD_S, 0.8
    ),
    "staff A for SL, 1000 Erlangs": lambda: erlang.agents_for_service_level(
        1000 / AHT_S, AHT_S, THRESHOLD_S, 0.8, PATIENCE_S
    ),
    "staff A for abandonment, 1000 Erlangs": lambda: erlang.agents_for_abandonment(
        1000 / AHT_S, AHT_S, PATIENCE_S, 0.02
    ),
}


def best_time(fn: Callable[[], object], repeats: int) -> float:
    """Best of `repeats` timings, each over enough calls to last about 50 ms; seconds per call."""
    calls, start = 0, time.perf_counter()
    while time.perf_counter() - start < 0.05:  # calibrate
        fn()
        calls += 1
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, (time.perf_counter() - start) / calls)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timings per figure; best kept")
    args = parser.parse_args()
    base = best_time(baseline_erlang_c, args.repeats)
    print(f"{'figure':<40} {'per call':>12} {'× baseline':>12}")
    print(f"{'baseline: plain-Python Erlang C, 100':<40} {base * 1e6:>9.1f} µs {1.0:>12.1f}")
    for name, fn in CASES.items():
        t = best_time(fn, args.repeats)
        print(f"{name:<40} {t * 1e6:>9.1f} µs {t / base:>12.1f}")


if __name__ == "__main__":
    main()
