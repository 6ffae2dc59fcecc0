"""What skills-based routing costs per call, against the unrouted engine in the same process.

Four runs of the same callers (M/M/50+M at load 0.95, one day, about 17,000 calls), each the
best of ``--repeats`` by CPU time, engine only (demand, roster and the call log's finish
included, KPIs not):

* ``unrouted``: no ``routing:`` block, the plain engine (the fast path);
* ``routed, one type``: a routing block with one type taken by the one group, so every call
  goes through the routed engine's choices and nothing else changes (its calls are the
  unrouted run's, call for call);
* ``routed, two types at once``: the calls split by reason over two groups of 25 that each
  take the other's calls at once;
* ``routed, delayed overflow``: the same groups, each taking the other's calls after 20 s
  (a calendar entry per waiting call and backup).

    python benchmarks/bench_routing.py            # best of 5
    python benchmarks/bench_routing.py --repeats 3
"""

from __future__ import annotations

import argparse
import copy
import time
from typing import Any

from callsim.model.replication import run_model
from callsim.scenario.files import load_scenario

SEED = 1

BASE: dict[str, Any] = {
    "name": "routing bench",
    "horizon": {"open": "00:00", "close": "24:00", "interval_min": 60},
    "arrivals": {"rate_per_hour": 712.5},
    "reasons": {
        "cards": {"share": 0.5, "talk": {"dist": "exponential", "mean_s": 240}},
        "loans": {"share": 0.5, "talk": {"dist": "exponential", "mean_s": 240}},
    },
    "customers": {"patience": {"dist": "exponential", "mean_s": 120}},
    "agents": {"groups": {"desk": {"shifts": [{"start": "00:00", "end": "24:00", "count": 50}]}}},
}


def _two_groups(after_s: float) -> dict[str, Any]:
    spec = copy.deepcopy(BASE)
    shift = [{"start": "00:00", "end": "24:00", "count": 25}]
    spec["agents"]["groups"] = {"a": {"shifts": shift}, "b": {"shifts": shift}}
    spec["routing"] = {
        "call_types": {
            "cards": {
                "reasons": ["cards"],
                "groups": [{"group": "a"}, {"group": "b", "after_s": after_s}],
            },
            "loans": {
                "reasons": ["loans"],
                "groups": [{"group": "b"}, {"group": "a", "after_s": after_s}],
            },
        }
    }
    return spec


CASES: dict[str, dict[str, Any]] = {
    "unrouted": BASE,
    "routed, one type": {
        **BASE,
        "routing": {"call_types": {"all": {"groups": [{"group": "desk"}]}}},
    },
    "routed, two types at once": _two_groups(0.0),
    "routed, delayed overflow": _two_groups(20.0),
}


def best_us_per_call(spec: dict[str, Any], repeats: int) -> tuple[float, int]:
    scenario = load_scenario(spec)
    best, n = float("inf"), 0
    for _ in range(repeats):
        start = time.process_time()
        run = run_model(scenario, SEED, 0)
        best = min(best, time.process_time() - start)
        n = run.calls.size
    return 1e6 * best / n, n


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=5, help="best of N (default 5)")
    args = p.parse_args()
    results = {name: best_us_per_call(spec, args.repeats) for name, spec in CASES.items()}
    base = results["unrouted"][0]
    print(f"engine µs per call (CPU, best of {args.repeats}); ratio against unrouted")
    for name, (us, n) in results.items():
        print(f"  {name:<28} {n:>7,} calls  {us:6.2f} µs/call  {us / base:5.2f}x")


if __name__ == "__main__":
    main()
