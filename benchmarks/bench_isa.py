"""Speed of the iterative staffing algorithm (callsim.planning.isa) on the bundled default scenario.

The baseline, measured in the same run, is one plain simulation of the scenario's own roster with
the same replications and workers (what ``callsim run`` does); the ISA is printed as its wall time,
as a multiple of the baseline's, and as simulated calls per second against the baseline's. Nothing
here asserts a time limit; the goal (at most 2 minutes on 2 cores with 20 replications per
iteration) is printed beside the figure.

    python benchmarks/bench_isa.py                 # 20 replications per iteration, 2 workers
    python benchmarks/bench_isa.py -r 40 -w 4      # other settings
    python benchmarks/bench_isa.py --json out.json
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import callsim.planning.isa as isa_module
from callsim.experiment.runner import simulate_many
from callsim.planning.isa import isa_requirement
from callsim.scenario import bundled
from callsim.scenario.files import load_scenario

GOAL_S = 120.0


class Phases:
    """Wall time spent in the ISA's simulations, state laws and sizing, and the calls simulated,
    by wrapping the module's functions for the length of one run."""

    def __init__(self) -> None:
        self.seconds = {"simulate": 0.0, "state laws": 0.0, "sizing": 0.0}
        self.calls = 0
        self.simulations = 0
        self._saved: dict[str, Any] = {}

    def __enter__(self) -> Phases:
        wrapped = {"_simulate": "simulate", "state_laws": "state laws", "_size": "sizing"}
        for name, phase in wrapped.items():
            original = getattr(isa_module, name)
            self._saved[name] = original
            setattr(isa_module, name, self._timed(original, phase))
        return self

    def __exit__(self, *exc: object) -> None:
        for name, original in self._saved.items():
            setattr(isa_module, name, original)

    def _timed(self, fn: Any, phase: str) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            out = fn(*args, **kwargs)
            self.seconds[phase] += time.perf_counter() - start
            if phase == "simulate":
                self.simulations += 1
                self.calls += len(out.calls)
            return out

        return timed


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("-r", "--replications", type=int, default=20, help="per iteration (20)")
    p.add_argument("-w", "--workers", type=int, default=2, help="worker processes (2)")
    p.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = p.parse_args(argv)
    scenario = load_scenario(bundled.default_path())
    r, w = args.replications, args.workers

    start = time.perf_counter()
    plain = simulate_many([scenario], replications=r, workers=w, keep_calls=True)[0]
    baseline_s = time.perf_counter() - start
    assert plain.calls is not None
    baseline_calls = len(plain.calls)

    with Phases() as phases:
        start = time.perf_counter()
        found = isa_requirement(scenario, replications=r, workers=w)
        isa_s = time.perf_counter() - start

    figures = {
        "scenario": scenario.name,
        "replications_per_iteration": r,
        "workers": w,
        "iterations": found.iterations,
        "stop": found.stop,
        "simulations": phases.simulations,
        "isa_s": isa_s,
        "baseline_s": baseline_s,
        "isa_over_baseline": isa_s / baseline_s,
        "calls_simulated": phases.calls,
        "isa_calls_per_s": phases.calls / isa_s,
        "baseline_calls_per_s": baseline_calls / baseline_s,
        "phases_s": phases.seconds,
        "goal_s": GOAL_S,
    }
    calls_rate, baseline_rate = phases.calls / isa_s, baseline_calls / baseline_s
    verdict = "met" if isa_s <= GOAL_S else "NOT met"
    lines = [
        f"ISA on '{scenario.name}': {r} replications per iteration, {w} worker(s)",
        f"  iterations         {found.iterations} ({found.stop}), {phases.simulations} simulations",
        f"  wall time          {isa_s:7.1f} s   goal ≤ {GOAL_S:.0f} s: {verdict}",
        f"  baseline           {baseline_s:7.1f} s   one simulation of the scenario's roster",
        f"  ISA ÷ baseline     {isa_s / baseline_s:7.1f} ×",
        f"  calls simulated    {phases.calls:9,}",
        f"  ISA calls/s        {calls_rate:9,.0f}",
        f"  baseline calls/s   {baseline_rate:9,.0f}   ratio {calls_rate / baseline_rate:.2f}",
        *(f"  {phase:<18} {seconds:7.1f} s" for phase, seconds in phases.seconds.items()),
    ]
    print("\n".join(lines))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
