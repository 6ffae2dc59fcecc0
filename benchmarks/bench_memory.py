"""Memory per call of long runs and of many replications, and the cost of writing calls.csv.gz.

Each memory figure comes from a fresh process, so one run's garbage or allocator arenas do not
carry over into the next. The writing cost is printed next to the simulation's own cost per call
measured in the same run: a ratio, comparable across machines and loads. Nothing here asserts a
limit.

    python benchmarks/bench_memory.py                         # 2-4 minutes on 2 cores
    python benchmarks/bench_memory.py --quick                 # smoke run, under a minute
    python benchmarks/bench_memory.py --only long --days 30   # the long run at ~5.1M calls

See benchmarks/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_engine import Model, model_a, model_b  # noqa: E402

import callsim  # noqa: E402
from callsim.experiment.replication import run_replication  # noqa: E402
from callsim.store.write import write_run  # noqa: E402

GOAL_BYTES_PER_CALL = 100.0
SEED = 1


def _peak_kib() -> int:
    """This process's own peak resident memory since exec (``VmHWM``; see bench_engine.py for
    why not ``ru_maxrss``)."""
    try:
        with open("/proc/self/status") as f:
            return int(next(line.split()[1] for line in f if line.startswith("VmHWM:")))
    except (OSError, StopIteration):
        import resource

        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return rss // 1024 if sys.platform == "darwin" else rss


# -- the children ----------------------------------------------------------------------------


def child(mode: str, scenario_json: str, replications: int, keep_calls: bool) -> None:
    """Body of a fresh process; prints one JSON line.

    ``base``: import and load the scenario only. ``one``: one ``run_replication``. ``many``:
    ``callsim.simulate`` with ``replications`` on one worker. ``one-trace``/``many-trace``: the
    same under tracemalloc (numpy buffers included)."""
    scenario = callsim.load_scenario(json.loads(scenario_json))
    out: dict[str, Any] = {}
    trace = mode.endswith("-trace")
    if trace:
        tracemalloc.start()
    if mode.startswith("one"):
        rep = run_replication(scenario, SEED, 0, keep_calls=keep_calls)
        out["calls"] = float(rep.kpis.horizon["offered"])
        out["kept_rows"] = 0 if rep.calls is None else len(rep.calls)
    elif mode.startswith("many"):
        result = callsim.simulate(
            scenario, replications=replications, seed=SEED, workers=1, keep_calls=keep_calls
        )
        out["calls"] = float(result.per_replication["offered"].sum())
        out["kept_rows"] = 0 if result.calls is None else len(result.calls)
    if trace:
        out["traced_peak"] = tracemalloc.get_traced_memory()[1]
    out["peak_kib"] = _peak_kib()
    print(json.dumps(out))


def _child(mode: str, model: Model, replications: int = 1, keep_calls: bool = False) -> dict:
    argv = [
        sys.executable,
        __file__,
        "--child",
        mode,
        json.dumps(model.scenario()),
        str(replications),
        "1" if keep_calls else "0",
    ]
    done = subprocess.run(argv, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the figures -----------------------------------------------------------------------------


def long_run(model: Model, base_kib: int, keep_calls: bool, trace: bool) -> dict[str, float]:
    run = _child("one", model, keep_calls=keep_calls)
    calls = run["calls"]
    fig = {
        "calls": calls,
        "kept_rows": run["kept_rows"],
        "rss_bytes_per_call": (run["peak_kib"] - base_kib) * 1024 / calls,
    }
    if trace:
        fig["traced_bytes_per_call"] = (
            _child("one-trace", model, keep_calls=keep_calls)["traced_peak"] / calls
        )
    return fig


def many_runs(model: Model, counts: tuple[int, int], keep_calls: bool) -> dict[str, Any]:
    """Peak memory of ``simulate`` at two replication counts: what each extra replication adds,
    set against what its calls would take if they were kept (bytes per call of that growth)."""
    runs = [_child("many-trace", model, r, keep_calls) for r in counts]
    extra_reps = counts[1] - counts[0]
    calls_per_rep = runs[1]["calls"] / counts[1]
    traced = (runs[1]["traced_peak"] - runs[0]["traced_peak"]) / extra_reps
    rss = (runs[1]["peak_kib"] - runs[0]["peak_kib"]) * 1024 / extra_reps
    return {
        "replications": counts,
        "calls_per_replication": calls_per_rep,
        "kept_rows": [r["kept_rows"] for r in runs],
        "traced_peak_mib": [r["traced_peak"] / 2**20 for r in runs],
        "rss_peak_mib": [r["peak_kib"] / 1024 for r in runs],
        "traced_bytes_per_extra_replication": traced,
        "rss_bytes_per_extra_replication": rss,
        "traced_bytes_per_call_of_extra_replications": traced / calls_per_rep,
    }


def _timed(run: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU seconds (CPU of every thread of this process) of ``run()``."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - wall, time.process_time() - cpu


def writing_cost(model: Model, replications: int, repeats: int) -> dict[str, float]:
    """Seconds per row of the calls file (``write_run`` with calls minus without), against
    seconds per call of the simulation (``run_replication``), best of ``repeats`` each, by the
    wall clock and by CPU time (the writer compresses on a second thread)."""
    scenario = callsim.load_scenario(model.scenario())
    result = callsim.simulate(
        scenario, replications=replications, seed=SEED, workers=1, keep_calls=True
    )
    assert result.calls is not None
    rows = len(result.calls)
    without = replace(result, calls=None)
    times: dict[str, list[tuple[float, float]]] = {"sim": [], "with": [], "without": []}
    size = 0
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(repeats):  # interleaved, so that load drifts hit all alike
            times["sim"].append(_timed(lambda: run_replication(scenario, SEED, 0)))
            for res, key in ((result, "with"), (without, "without")):
                target = Path(tmp) / f"res{k}"
                times[key].append(_timed(lambda res=res, target=target: write_run(res, target)))
                if res is result:
                    size = (target / "calls.csv.gz").stat().st_size
                shutil.rmtree(target)
    calls_per_rep = float(result.per_replication["offered"].iloc[0])
    fig: dict[str, float] = {"rows": rows, "file_bytes_per_row": size / rows}
    for k, clock in enumerate(("wall", "cpu")):
        best = {key: min(t[k] for t in runs) for key, runs in times.items()}
        per_row = (best["with"] - best["without"]) / rows
        per_call = best["sim"] / calls_per_rep
        fig[f"sim_us_per_call_{clock}"] = per_call * 1e6
        fig[f"write_us_per_row_{clock}"] = per_row * 1e6
        fig[f"write_over_sim_{clock}"] = per_row / per_call
        fig[f"other_files_s_{clock}"] = best["without"]
    return fig


# -- main ------------------------------------------------------------------------------------


def _met(ok: bool) -> str:
    return "met" if ok else "MISSED"


def report_long(model: Model, quick: bool) -> dict[str, Any]:
    base = _child("base", model)["peak_kib"]
    print(
        f"long run: model B centre (500 agents) for {model.days} day(s), one replication, "
        f"fresh process; RSS is peak growth over an import-and-load-only process"
    )
    figures: dict[str, Any] = {}
    for keep in (False, True):
        fig = long_run(model, base, keep, trace=not quick)
        figures["keep_calls" if keep else "no_calls"] = fig
        tm = fig.get("traced_bytes_per_call")
        tm_text = "" if tm is None else f", tracemalloc peak {tm:6.1f} B/call"
        best = min(fig["rss_bytes_per_call"], tm if tm is not None else float("inf"))
        print(
            f"  keep_calls={keep!s:5} {fig['calls']:>11,.0f} calls: peak RSS "
            f"{fig['rss_bytes_per_call']:6.1f} B/call{tm_text}   goal < "
            f"{GOAL_BYTES_PER_CALL:g}: {_met(best < GOAL_BYTES_PER_CALL)}"
        )
    return figures


def report_many(model: Model, counts: tuple[int, int]) -> dict[str, Any]:
    print(
        f"many replications: model A centre (50 agents, 1 day), simulate(workers=1), "
        f"{counts[0]} then {counts[1]} replications, fresh processes"
    )
    figures: dict[str, Any] = {}
    for keep in (False, True):
        fig = many_runs(model, counts, keep)
        figures["keep_calls" if keep else "no_calls"] = fig
        print(
            f"  keep_calls={keep!s:5} rows kept {fig['kept_rows']}, tracemalloc peak "
            f"{fig['traced_peak_mib'][0]:.1f} -> {fig['traced_peak_mib'][1]:.1f} MiB, RSS "
            f"{fig['rss_peak_mib'][0]:.1f} -> {fig['rss_peak_mib'][1]:.1f} MiB: each extra "
            f"replication adds {fig['traced_bytes_per_extra_replication'] / 1024:,.0f} KiB "
            f"traced = {fig['traced_bytes_per_call_of_extra_replications']:.1f} B per call it "
            f"simulated ({fig['calls_per_replication']:,.0f})"
        )
    return figures


def report_writing(model: Model, replications: int, repeats: int) -> dict[str, float]:
    fig = writing_cost(model, replications, repeats)
    print(
        f"writing calls.csv.gz: model B day, {replications} replication(s), {fig['rows']:,} "
        f"rows, best of {repeats}"
    )
    for clock in ("wall", "cpu"):
        print(
            f"  {clock:4}: simulating {fig[f'sim_us_per_call_{clock}']:5.2f} us/call; writing "
            f"{fig[f'write_us_per_row_{clock}']:5.2f} us/row = "
            f"{fig[f'write_over_sim_{clock}']:.2f}x the simulation "
            f"(the other result files {fig[f'other_files_s_{clock}']:.2f} s)"
        )
    print(f"  file {fig['file_bytes_per_row']:.1f} B/row")
    return fig


PARTS = ("long", "many", "writing")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="smaller runs, one repeat: a smoke test")
    p.add_argument("--days", type=int, help="days of the long model-B run (default 6, quick 1)")
    p.add_argument("--repeats", type=int, help="best of N for timings (default 3, quick 1)")
    p.add_argument("--only", choices=PARTS, action="append", help="run only this part")
    p.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    p.add_argument("--child", nargs=4, metavar=("MODE", "SCENARIO", "R", "KEEP"), help="internal")
    args = p.parse_args(argv)
    if args.child:
        mode, scenario, reps, keep = args.child
        child(mode, scenario, int(reps), keep == "1")
        return
    quick = args.quick
    parts = args.only or PARTS
    started = time.perf_counter()
    print(f"callsim {callsim.__version__}, python {sys.version.split()[0]}")
    figures: dict[str, Any] = {}
    if "long" in parts:
        print()
        figures["long_run"] = report_long(model_b(days=args.days or (1 if quick else 6)), quick)
    if "many" in parts:
        print()
        figures["many"] = report_many(model_a(days=1), (4, 12) if quick else (10, 40))
    if "writing" in parts:
        print()
        repeats = args.repeats or (1 if quick else 3)
        figures["writing"] = report_writing(model_b(days=1), 1 if quick else 2, repeats)
    print(f"\n(benchmark wall time {time.perf_counter() - started:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
