"""Start-up: what a fresh ``callsim`` process costs before and around its work.

Every figure is the best wall time of a fresh interpreter reading cached bytecode, as an installed
callsim does, printed beside and as a multiple of a
bare ``python -c "import numpy, simpy"`` measured in the same run (the least any SimPy model
written with numpy pays), the contenders run in turn so that load drifts hit all alike. Nothing
here asserts a limit.

    python benchmarks/bench_startup.py              # about half a minute on 2 cores
    python benchmarks/bench_startup.py --repeats 10
    python benchmarks/bench_startup.py --json out.json

See benchmarks/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_engine import Clock, model_b, run_fresh  # noqa: E402

from callsim.scenario import bundled  # noqa: E402

CLI = "from callsim.cli import main; import sys; sys.argv[0] = 'callsim'; main()"
BARE = "python -c 'import numpy, simpy'"
DAY = "500-agent day, callsim.simulate"
GOAL_DAY_X_BARE = 2.0
"""Issue 10: the 500-agent day's whole process at most 2× the bare import of the same run."""

# The day again in a fresh process, once to import and warm up, then timed: the simulation's
# own cost, which no start-up work can remove. What the whole process costs beyond it is the
# fixed start-up (interpreter, imports, the first call's lazy imports).
WARM_DAY = """
import json, time, callsim
scenario = {scenario!r}
callsim.simulate(scenario, replications=1, workers=1)
t0, c0 = time.perf_counter(), time.process_time()
callsim.simulate(scenario, replications=1, workers=1)
print(json.dumps([time.perf_counter() - t0, time.process_time() - c0]))
"""


def contenders() -> dict[str, list[str]]:
    day = f"import callsim; callsim.simulate({model_b().scenario()!r}, replications=1, workers=1)"
    return {
        "python -c 'import numpy, simpy'": ["-c", "import numpy, simpy"],
        "python -c 'import callsim'": ["-c", "import callsim"],
        "python -c 'import callsim.cli'": ["-c", "import callsim.cli"],
        "callsim --help": ["-c", CLI, "--help"],
        "callsim validate (default scenario)": ["-c", CLI, "validate", str(bundled.default_path())],
        "import what simulate needs": ["-c", "import callsim.experiment.runner"],
        DAY: ["-c", day],
    }


def _warm_day() -> tuple[float, float]:
    """Wall and CPU seconds of the day's ``simulate`` in a process that has run it once."""
    code = WARM_DAY.format(scenario=model_b().scenario())
    done = run_fresh(["-c", code], capture_output=True, text=True)
    wall, cpu = json.loads(done.stdout.strip().splitlines()[-1])
    return wall, cpu


def measure(repeats: int) -> tuple[dict[str, float], tuple[float, float]]:
    """Best of ``repeats`` for every contender and for the warm day, all run in turn, after an
    untimed round that leaves every module's bytecode cached (``run_fresh``)."""
    for argv in contenders().values():
        run_fresh(argv, stdout=subprocess.DEVNULL)
    best = dict.fromkeys(contenders(), math.inf)
    warm = (math.inf, math.inf)
    for _ in range(repeats):
        for name, argv in contenders().items():
            t0 = Clock.children()
            run_fresh(argv, stdout=subprocess.DEVNULL)
            best[name] = min(best[name], Clock.children() - t0)
        wall, cpu = _warm_day()
        warm = (min(warm[0], wall), min(warm[1], cpu))
    return best, warm


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=5, help="best of N (default 5)")
    p.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    p.add_argument("--cpu", action="store_true", help="time by CPU seconds, not wall seconds")
    args = p.parse_args(argv)
    Clock.cpu = args.cpu
    best, (warm_wall, warm_cpu) = measure(args.repeats)
    bare = best[BARE]
    day = best[DAY]
    warm = warm_cpu if args.cpu else warm_wall
    overhead = day - warm
    split = {
        "  the simulation, warm, in process (wall)": warm_wall,
        "  the simulation, warm, in process (CPU)": warm_cpu,
        f"  fixed start-up (whole process - warm {Clock.name()})": overhead,
    }
    print(
        f"python {sys.version.split()[0]}, best of {args.repeats}, fresh interpreter each, "
        f"timed by {Clock.name()} seconds\n"
    )
    width = max(len(name) for name in (*best, *split))
    print(f"{'process':<{width}}  {Clock.name() + ' s':>7}  {'× bare':>7}")
    print("-" * (width + 18))
    for name, seconds in (*best.items(), *split.items()):
        print(f"{name:<{width}}  {seconds:7.3f}  {seconds / bare:7.2f}")
    limit = GOAL_DAY_X_BARE * bare
    print(
        f"\n{DAY}: {day / bare:.2f}x bare, goal <= {GOAL_DAY_X_BARE:g}x: "
        f"{'met' if day <= limit else 'MISSED'}"
    )
    if warm > limit:
        print(
            f"  out of reach at this engine speed: the simulation alone is {warm / bare:.2f}x "
            f"bare; the fixed start-up adds {overhead / bare:.2f}x bare"
        )
    if args.json:
        figures = {
            **best,
            "day simulation warm, wall s": warm_wall,
            "day simulation warm, CPU s": warm_cpu,
            "day fixed start-up s": overhead,
        }
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
