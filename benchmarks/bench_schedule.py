"""How big the scheduling program gets and how long ``callsim schedule`` takes.

On the bundled default scenario: the shift patterns, the integer program's size, HiGHS's time
per solve, the rounds of the simulate-and-raise loop, and the whole command as a fresh process
(interpreter start-up, imports, every round's simulation), against the goal of at most two
minutes on 2 cores. Also the schedule's cost and service level beside the bundled roster's.
A larger program (the same templates over seven days) shows how the solver time grows. Nothing
here asserts a time; it prints figures.

    python benchmarks/bench_schedule.py            # about half a minute on 2 cores
    python benchmarks/bench_schedule.py --quick    # skip the seven-day program
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

import callsim
from callsim.planning.cover import solve_cover
from callsim.planning.schedule import build_schedule, erlang_requirement, shift_program
from callsim.scenario import bundled
from callsim.scenario.files import load_scenario, scenario_from_dict
from callsim.scenario.schema import Scenario

GOAL_S = 120.0


def program(scenario: Scenario) -> None:
    """Sizes and solve times of the first round's program."""
    started = time.perf_counter()
    built = shift_program(scenario)
    build_s = time.perf_counter() - started
    need = erlang_requirement(scenario) - built.fixed_coverage
    first = solve_cover(built.coverage, built.cost, need, built.limits, None)
    penalised = solve_cover(built.coverage, built.cost, need, built.limits, 1000.0)
    n = len(built.patterns)
    print(f"  intervals                 {built.coverage.shape[0]}")
    print(f"  patterns                  {n} (built with their coverage in {build_s:.3f} s)")
    print(f"  variables                 {first.variables} ({n} integer)")
    print(f"  constraints               {first.constraints}")
    for name, cover in (("coverage first", first), ("penalty 1000", penalised)):
        print(
            f"  solve, {name:18s} {cover.solve_s:.3f} s ({cover.status}), cost "
            f"{cover.cost:,.0f}, {cover.shortfall.sum():g} agent-intervals short"
        )


def week(scenario: Scenario) -> Scenario:
    """The same day seven times: the templates on every day."""
    data = scenario.model_dump(mode="json", exclude_none=True)
    data["horizon"]["days"] = 7
    data["arrivals"]["volume"] = data["arrivals"]["volume"] * 7
    return scenario_from_dict(data, label="seven days", base_dir=Path.cwd())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the seven-day program")
    args = parser.parse_args()
    path = bundled.default_path()
    scenario = load_scenario(path)
    print(f"Scenario: {scenario.name} ({path.name})")
    print("\nThe first round's integer program")
    program(scenario)
    if not args.quick:
        print("\nThe same templates over seven days")
        program(week(scenario))

    print("\nThe loop (20 replications a round, all cores)")
    started = time.perf_counter()
    schedule = build_schedule(scenario)
    loop_s = time.perf_counter() - started
    for r in schedule.rounds:
        sl = r.result.kpi("service_level")["mean"]
        print(
            f"  round {r.number}: {int(r.requirement.sum())} agent-intervals required, "
            f"planned cost {r.cover.cost + schedule.program.fixed_cost:,.0f}, day's SL {sl:.1%}, "
            f"{int(r.missed.sum())} interval(s) missed, solve {r.cover.solve_s:.3f} s"
        )
    print(f"  status {schedule.status!r} after {len(schedule.rounds)} round(s), {loop_s:.1f} s")

    bundled_run = callsim.simulate(scenario)
    new = schedule.result
    worst_old = float(np.nanmin(bundled_run.intervals["service_level_mean"]))
    worst_new = float(np.nanmin(new.intervals["service_level_mean"]))
    target = scenario.service_level.target
    misses_old = int((bundled_run.intervals["service_level_mean"] < target).sum())
    print("\nAgainst the bundled roster (same seed and replications)")
    for name, result, worst, misses in (
        ("bundled roster", bundled_run, worst_old, misses_old),
        ("schedule", new, worst_new, int(schedule.final.missed.sum())),
    ):
        sl, cost = result.kpi("service_level"), result.kpi("staff_cost")
        print(
            f"  {name:15s} staff cost {cost['mean']:8,.0f}  paid hours "
            f"{result.kpi('paid_hours')['mean']:6.1f}  day's SL {sl['mean']:.1%} "
            f"({sl['ci_low']:.1%}-{sl['ci_high']:.1%})  worst interval {worst:.1%}  "
            f"intervals below {target:.0%}: {misses}"
        )

    print("\nThe whole command, a fresh process")
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", "from callsim.cli import app; app()", "schedule", str(path)],
        check=True,
        capture_output=True,
    )
    whole = time.perf_counter() - started
    print(f"  callsim schedule {path.name}: {whole:.1f} s (goal: at most {GOAL_S:.0f} s)")


if __name__ == "__main__":
    main()
