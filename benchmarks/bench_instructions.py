"""What selling costs the engine, in machine instructions: figures that a busy machine cannot move.

``bench_selling.py`` times the engine by CPU seconds, which still drift by several percent from
one run to the next on a shared machine: too much to tell 1.52x from 1.57x. Instructions, as
``valgrind --tool=callgrind`` counts them, repeat to a few thousand in two billion when the
process is made deterministic (``PYTHONHASHSEED=0``, one BLAS thread, no address
randomisation), so a change of a few percent shows plainly. Each contender runs the same days of
the default centre in a fresh process twice: once whole, once stopped as the sales desk or the
engine is built; the difference is what building and running the engine and its sales desk
cost, as in ``bench_selling.py``. Contenders run two at a time (the counts do not depend on it).

    python benchmarks/bench_instructions.py                        # about 2 minutes on 2 cores
    python benchmarks/bench_instructions.py --without-resolution   # the centre the goal was set on

Two contenders split what the threshold plan adds. ``threshold, gate shut`` never opens its
gate: every call an offer could be made on still stops at its talk end, none is made, and the
calls are never's, so its excess over never is the stop. ``threshold, instant pitch`` makes its
offers in no time, so the calls are not lengthened: its excess over the gate-shut one is the
offer decisions themselves, and threshold's excess over it is what the longer calls cost (more
callers waiting, more patience entries, a fuller calendar). Needs valgrind (Debian package
``valgrind``). See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_selling import GOAL_THRESHOLD_RATIO, POLICIES, SEED, without_resolution  # noqa: E402

import callsim  # noqa: E402
import callsim.model.replication as model_module  # noqa: E402
from callsim.model.replication import run_model  # noqa: E402
from callsim.scenario import bundled  # noqa: E402
from callsim.scenario.schema import Scenario  # noqa: E402

CONTENDERS = {
    "never": "never",
    "threshold, gate shut": "threshold",
    "threshold": "threshold",
    "threshold, instant pitch": "threshold",
    "always": "always",
}
QUIET = {"PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
"""What makes a run's count repeat: string hashes, and BLAS threads that spin at import."""


class _Stop(Exception):
    pass


def _scenario(policy: str, plain: bool) -> Scenario:
    scenario = callsim.load_scenario(bundled.path_of(POLICIES[policy]))
    return without_resolution(scenario) if plain else scenario


@contextmanager
def _contender(name: str) -> Iterator[None]:
    """The engine as the contender has it: the gate-shut one never opens its gate, the
    instant-pitch one pitches in no time."""
    build, desk = model_module.Engine.__init__, model_module.SalesDesk.__init__

    def shut(engine: model_module.Engine, *args: Any, **kwargs: Any) -> None:
        build(engine, *args, **kwargs)
        engine.gate_idle = 1 << 30

    def instant(sales: model_module.SalesDesk, *args: Any, **kwargs: Any) -> None:
        desk(sales, *args, **kwargs)
        sales._pitch_time = [_no_time for _ in sales._pitch_time]

    if name == "threshold, gate shut":
        model_module.Engine.__init__ = shut  # type: ignore[method-assign,assignment]
    if name == "threshold, instant pitch":
        model_module.SalesDesk.__init__ = instant  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        model_module.Engine.__init__ = build  # type: ignore[method-assign]
        model_module.SalesDesk.__init__ = desk  # type: ignore[method-assign]


def _no_time(u: float) -> float:
    return 0.0


def child(contender: str, days: int, stop: bool, plain: bool) -> None:
    """The contender's days in this process (under valgrind), after a day not counted, so that
    first-call work is in both runs; with ``stop``, each day ends where the sales desk or the
    engine would be built."""
    scenario = _scenario(CONTENDERS[contender], plain)
    with _contender(contender):
        run_model(scenario, SEED, days)

    def halt(*args: Any, **kwargs: Any) -> None:
        raise _Stop

    if stop:
        model_module.SalesDesk.__init__ = halt  # type: ignore[method-assign]
        model_module.Engine.__init__ = halt  # type: ignore[method-assign]
    with _contender(contender):
        for day in range(days):
            with suppress(_Stop):
                run_model(scenario, SEED, day)


def instructions(contender: str, days: int, stop: bool, plain: bool) -> int:
    command = [sys.executable, __file__, "--child", contender, str(days), str(int(stop))]
    command += ["--without-resolution"] if plain else []
    valgrind = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
    machine = os.uname().machine
    done = subprocess.run(
        ["setarch", machine, "-R", *valgrind, *command],
        env={**os.environ, **QUIET},
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"Collected\s*:\s*(\d+)", done.stderr)
    if found is None:
        raise RuntimeError(f"no instruction count from valgrind:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def counts(contender: str, days: int, plain: bool) -> tuple[int, int]:
    """Calls and offers of the contender's days, run here (the numbers are the same)."""
    scenario = _scenario(CONTENDERS[contender], plain)
    calls = offers = 0
    with _contender(contender):
        for day in range(days):
            run = run_model(scenario, SEED, day)
            calls += run.calls.size
            offers += int((run.calls.column("product") >= 0).sum())
    return calls, offers


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--days", type=int, default=5, help="days per contender (default 5)")
    p.add_argument(
        "--without-resolution",
        action="store_true",
        help="the default centre without resolution, self-service and retention",
    )
    p.add_argument("--child", nargs=3, metavar=("CONTENDER", "DAYS", "STOP"), help="internal")
    args = p.parse_args()
    if args.child:
        name, days, stop = args.child
        child(name, int(days), stop == "1", args.without_resolution)
        return
    if shutil.which("valgrind") is None or shutil.which("setarch") is None:
        sys.exit("bench_instructions.py needs valgrind and setarch (apt-get install valgrind)")
    plain = args.without_resolution
    jobs = [(name, stop) for name in CONTENDERS for stop in (True, False)]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        counted = pool.map(lambda job: instructions(job[0], args.days, job[1], plain), jobs)
        found = dict(zip(jobs, counted, strict=True))
    centre = "the default centre without resolution" if plain else "the default centre"
    print(
        f"callsim {callsim.__version__}, python {sys.version.split()[0]}: {centre}, "
        f"{args.days} days (seed {SEED}), instructions of building and running the engine and "
        "its sales desk (valgrind callgrind)\n"
    )
    head = f"{'contender':<22} {'calls':>7} {'offers':>7} {'M instr':>9} {'instr/call':>11}"
    head += f" {'×never':>7} {'instr/offer':>12}"
    print(head)
    print("-" * len(head))
    per_call_never = 0.0
    ratios: dict[str, float] = {}
    for name in CONTENDERS:
        engine = found[(name, False)] - found[(name, True)]
        calls, offers = counts(name, args.days, plain)
        per_call = engine / calls
        per_call_never = per_call_never or per_call
        ratios[name] = per_call / per_call_never
        extra = engine - calls * per_call_never
        per_offer = f"{extra / offers:12,.0f}" if offers else f"{'-':>12}"
        print(
            f"{name:<22} {calls:7d} {offers:7d} {engine / 1e6:9.1f} {per_call:11,.0f} "
            f"{ratios[name]:7.3f} {per_offer}"
        )
    met = "met" if ratios["threshold"] <= GOAL_THRESHOLD_RATIO else "MISSED"
    print(
        f"\nthreshold / never per call {ratios['threshold']:.3f}x   "
        f"goal <= {GOAL_THRESHOLD_RATIO:g}x: {met}"
    )
    print(
        "(instr/offer: instructions beyond the calls at never's instr/call, per offer. Gate shut: "
        "no offer, its excess over never is the stop at the talk end; instant pitch: the offers "
        "without the longer calls they bring.)"
    )


if __name__ == "__main__":
    main()
