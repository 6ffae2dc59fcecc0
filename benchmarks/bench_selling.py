"""What selling costs the engine: the default centre's day under never, threshold and always.

The no-selling model is what ``bench_engine.py`` measures; selling is what callsim exists for,
and staffing by simulation multiplies every run by its iterations, so the offer path gets its own
figures. Each policy runs the same replications of the bundled default scenario (its own
threshold rule, and its ``never`` and ``always`` variants), interleaved, best of ``--repeats``.
Figures are ratios against ``never`` measured in the same run; nothing here asserts a limit.

    python benchmarks/bench_selling.py              # about 20 s on 2 cores
    python benchmarks/bench_selling.py --quick      # smoke run
    python benchmarks/bench_selling.py --profile    # add a cProfile of one ``always`` day

See benchmarks/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import pstats
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import callsim
import callsim.model.replication as model_module
from callsim.model.replication import run_model
from callsim.scenario import bundled
from callsim.scenario.files import scenario_from_dict
from callsim.scenario.schema import Scenario

POLICIES = {
    "never": "policies/never",
    "threshold": "credit_card_hotline",  # the default scenario's own rule (K = -3)
    "always": "policies/always",
}
GOAL_THRESHOLD_RATIO = 1.5
SEED = 1


@dataclass
class Tally:
    engine_s: float = 0.0
    model_s: float = 0.0
    calls: int = 0
    offers: int = 0


@contextmanager
def engine_cpu(tally: list[float]) -> Iterator[None]:
    """Add the CPU time spent building and running the engine and its sales desk to ``tally``.

    The sales desk is built beside the engine in ``run_model``; whatever it prepares before the
    clock starts is part of what an offer costs, so it counts as engine time."""
    targets: list[tuple[object, str]] = [(model_module.Engine, "__init__")]
    targets += [(model_module.Engine, "run"), (model_module.SalesDesk, "__init__")]
    undo: list[tuple[object, str, Callable[..., Any]]] = []
    for owner, name in targets:
        original = getattr(owner, name)

        def timed(*args: Any, _original: Callable[..., Any] = original, **kwargs: Any) -> Any:
            t0 = time.process_time()
            try:
                return _original(*args, **kwargs)
            finally:
                tally[0] += time.process_time() - t0

        undo.append((owner, name, original))
        setattr(owner, name, timed)
    try:
        yield
    finally:
        for owner, name, original in reversed(undo):
            setattr(owner, name, original)


def one_day(scenario: Scenario, replication: int) -> Tally:
    tally = [0.0]
    gc.collect()
    with engine_cpu(tally):
        t0 = time.process_time()
        run = run_model(scenario, SEED, replication)
        model_s = time.process_time() - t0
    calls = run.calls
    return Tally(
        engine_s=tally[0],
        model_s=model_s,
        calls=calls.size,
        offers=int((calls.column("product") >= 0).sum()),
    )


def without_resolution(scenario: Scenario) -> Scenario:
    """The scenario without first-contact resolution, self-service and retention: the centre as
    the goal of issue 10 was set on, where only selling stops a call at its talk end (with
    resolution every answered call stops there, under ``never`` too)."""
    data = scenario.model_dump(mode="json", exclude_none=True)
    for key in ("resolution", "ivr", "retention"):
        data.pop(key, None)
    data.get("satisfaction", {}).pop("expectations", None)
    for group in data["agents"]["groups"].values():
        group.pop("resolution_skill", None)
    return scenario_from_dict(data, label=scenario.name, base_dir=bundled.root())


def measure(replications: int, repeats: int, *, plain: bool = False) -> dict[str, Tally]:
    """Per policy, the sum over ``replications`` days of the best of ``repeats`` runs of each
    (``plain``: of the scenarios :func:`without_resolution`)."""
    scenarios = {k: callsim.load_scenario(bundled.path_of(v)) for k, v in POLICIES.items()}
    if plain:
        scenarios = {k: without_resolution(s) for k, s in scenarios.items()}
    for scenario in scenarios.values():
        one_day(scenario, 0)  # warm caches and imports once
    best: dict[tuple[str, int], Tally] = {}
    for _ in range(repeats):
        for r in range(replications):
            for key, scenario in scenarios.items():
                t = one_day(scenario, r)
                old = best.get((key, r))
                if old is None or t.engine_s < old.engine_s:
                    best[(key, r)] = t
    totals = {key: Tally() for key in scenarios}
    for (key, _), t in best.items():
        total = totals[key]
        total.engine_s += t.engine_s
        total.model_s += t.model_s
        total.calls += t.calls
        total.offers += t.offers
    return totals


def report(totals: dict[str, Tally], replications: int, repeats: int) -> dict[str, Any]:
    never = totals["never"]
    per_call_never = never.engine_s / never.calls
    print(
        f"callsim {callsim.__version__}, python {sys.version.split()[0]}: the default scenario's "
        f"day, {replications} replications (seed {SEED}), best of {repeats}, engine CPU time "
        "(engine and sales desk built and run)\n"
    )
    head = f"{'policy':<10} {'calls':>7} {'offers':>7} {'µs/call':>8} {'×never':>7}"
    head += f" {'µs/offer':>9} {'×never call':>11} {'model µs/call':>14}"
    print(head)
    print("-" * len(head))
    figures: dict[str, Any] = {}
    for key, t in totals.items():
        per_call = t.engine_s / t.calls * 1e6
        # What the offers add: the engine time beyond these calls at never's cost per call.
        extra = t.engine_s - t.calls * per_call_never
        per_offer = extra / t.offers * 1e6 if t.offers else None
        offer_cells = (
            f"{per_offer:9.1f} {per_offer / (per_call_never * 1e6):11.2f}"
            if per_offer is not None
            else f"{'-':>9} {'-':>11}"
        )
        print(
            f"{key:<10} {t.calls:7d} {t.offers:7d} {per_call:8.1f} "
            f"{per_call / (per_call_never * 1e6):7.2f} {offer_cells} "
            f"{t.model_s / t.calls * 1e6:14.1f}"
        )
        figures[key] = {
            "calls": t.calls,
            "offers": t.offers,
            "engine_us_per_call": per_call,
            "ratio_to_never": per_call / (per_call_never * 1e6),
            "engine_us_per_offer": per_offer,
            "model_us_per_call": t.model_s / t.calls * 1e6,
        }
    ratio = figures["threshold"]["ratio_to_never"]
    met = "met" if ratio <= GOAL_THRESHOLD_RATIO else "MISSED"
    print(f"\nthreshold / never per call {ratio:.2f}x   goal <= {GOAL_THRESHOLD_RATIO:g}x: {met}")
    print(
        "(µs/offer: engine time beyond the calls at never's µs/call, per offer; ×never call: "
        "that as a multiple of never's µs/call. model µs/call: all of run_model, demand and "
        "roster included.)"
    )
    return figures


def profile(top: int = 20) -> None:
    scenario = callsim.load_scenario(bundled.path_of(POLICIES["always"]))
    prof = cProfile.Profile()
    prof.enable()
    run_model(scenario, SEED, 0)
    prof.disable()
    print(f"\ncProfile of one run_model, policy always, top {top} by tottime:")
    pstats.Stats(prof, stream=sys.stdout).sort_stats("tottime").print_stats(top)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="fewer days, one repeat: a smoke test")
    p.add_argument("--replications", type=int, help="days per policy (default 20, 3 with --quick)")
    p.add_argument("--repeats", type=int, help="best of N (default 3, or 1 with --quick)")
    p.add_argument("--profile", action="store_true", help="print a cProfile of one always day")
    p.add_argument(
        "--without-resolution",
        action="store_true",
        help="the default centre without resolution, self-service and retention",
    )
    p.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = p.parse_args(argv)
    replications = args.replications or (3 if args.quick else 20)
    repeats = args.repeats or (1 if args.quick else 3)
    started = time.perf_counter()
    totals = measure(replications, repeats, plain=args.without_resolution)
    figures = report(totals, replications, repeats)
    print(f"(benchmark wall time {time.perf_counter() - started:.0f} s)")
    if args.profile:
        profile()
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
