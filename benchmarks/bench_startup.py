"""Start-up: what a fresh ``callsim`` process costs before and around its work.

Every figure is the best wall time of a fresh interpreter, printed beside and as a multiple of a
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
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_engine import model_b  # noqa: E402

from callsim.scenario import bundled  # noqa: E402

CLI = "from callsim.cli import main; import sys; sys.argv[0] = 'callsim'; main()"


def contenders() -> dict[str, list[str]]:
    day = f"import callsim; callsim.simulate({model_b().scenario()!r}, replications=1, workers=1)"
    return {
        "python -c 'import numpy, simpy'": ["-c", "import numpy, simpy"],
        "python -c 'import callsim'": ["-c", "import callsim"],
        "python -c 'import callsim.cli'": ["-c", "import callsim.cli"],
        "callsim --help": ["-c", CLI, "--help"],
        "callsim validate (default scenario)": ["-c", CLI, "validate", str(bundled.default_path())],
        "import what simulate needs": ["-c", "import callsim.experiment.runner"],
        "500-agent day, callsim.simulate": ["-c", day],
    }


def measure(repeats: int) -> dict[str, float]:
    best = dict.fromkeys(contenders(), math.inf)
    for _ in range(repeats):
        for name, argv in contenders().items():
            t0 = time.perf_counter()
            subprocess.run([sys.executable, *argv], check=True, stdout=subprocess.DEVNULL)
            best[name] = min(best[name], time.perf_counter() - t0)
    return best


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=5, help="best of N (default 5)")
    p.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = p.parse_args(argv)
    best = measure(args.repeats)
    bare = best["python -c 'import numpy, simpy'"]
    print(f"python {sys.version.split()[0]}, best of {args.repeats}, fresh interpreter each\n")
    width = max(len(name) for name in best)
    print(f"{'process':<{width}}  {'wall s':>7}  {'× bare':>7}")
    print("-" * (width + 18))
    for name, seconds in best.items():
        print(f"{name:<{width}}  {seconds:7.3f}  {seconds / bare:7.2f}")
    if args.json:
        args.json.write_text(json.dumps(best, indent=2) + "\n")


if __name__ == "__main__":
    main()
