"""Speed and memory of the callsim engine against a plain SimPy model measured in the same run.

Every figure is printed as a ratio against, or next to, a baseline measured by this very run, so
results from different machines or different loads can be compared; nothing here asserts a
wall-clock limit.

    python benchmarks/bench_engine.py            # full run, about 1.5-3 minutes on 2 cores
    python benchmarks/bench_engine.py --quick    # smoke run, well under a minute
    python benchmarks/bench_engine.py --profile  # add a cProfile of one model-B replication

See benchmarks/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import heapq
import json
import math
import os
import pstats
import resource
import subprocess
import sys
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from simpy_baseline import run_baseline  # noqa: E402

import callsim  # noqa: E402
import callsim.experiment.replication as replication_module  # noqa: E402
import callsim.model.replication as model_module  # noqa: E402
from callsim.experiment.replication import run_replication  # noqa: E402

GOAL_RATIO = 6.0  # issue 10 item 2: the SimPy-as-clock dispatcher reference's level
GOAL_DAY_X_BARE = 2.0  # the 500-agent day's whole process, as a multiple of the bare import
GOAL_BYTES_PER_CALL = 100.0
SEED = 1
DAY_S = 86_400.0


class Clock:
    """What every figure is timed by: wall seconds, or with ``--cpu`` CPU seconds (this
    process's for in-process runs, the child's for fresh processes). On a shared machine the
    neighbours' load stretches wall time at random; CPU time stays close to the work done."""

    cpu = False

    @classmethod
    def now(cls) -> float:
        return time.process_time() if cls.cpu else time.perf_counter()

    @classmethod
    def children(cls) -> float:
        """Seconds used so far by finished children (wall clock: the clock itself)."""
        if not cls.cpu:
            return time.perf_counter()
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    @classmethod
    def name(cls) -> str:
        return "CPU" if cls.cpu else "wall"


# -- the models ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Model:
    key: str
    label: str
    agents: int
    rate_per_hour: float
    days: int
    handle_s: float
    patience_s: float

    @property
    def horizon_s(self) -> float:
        return self.days * DAY_S

    @property
    def expected_calls(self) -> float:
        return self.rate_per_hour * self.days * 24

    @property
    def load(self) -> float:
        return self.rate_per_hour / 3600.0 * self.handle_s / self.agents

    def scenario(self) -> dict[str, Any]:
        """The same model as a callsim scenario: constant rate, c agents logged in all along."""
        return {
            "name": f"bench-{self.key}",
            "horizon": {"days": self.days, "interval_min": 60, "open": "00:00", "close": "24:00"},
            "arrivals": {"rate_per_hour": self.rate_per_hour},
            "reasons": {
                "all": {"share": 1.0, "talk": {"dist": "exponential", "mean_s": self.handle_s}}
            },
            "customers": {"patience": {"dist": "exponential", "mean_s": self.patience_s}},
            "agents": {"groups": {"all": {"staffing": [self.agents] * 24}}},
            "simulation": {"replications": 1, "seed": SEED},
        }

    def baseline(self, seed: int = SEED):
        return run_baseline(
            self.agents, self.rate_per_hour, self.horizon_s, self.handle_s, self.patience_s, seed
        )

    def baseline_argv(self) -> list[str]:
        return [
            str(HERE / "simpy_baseline.py"),
            f"--agents={self.agents}",
            f"--rate-per-hour={self.rate_per_hour!r}",
            f"--hours={self.days * 24}",
            f"--handle-s={self.handle_s!r}",
            f"--patience-s={self.patience_s!r}",
            f"--seed={SEED}",
        ]


def model_a(days: int) -> Model:
    c, handle = 50, 240.0
    rate = 0.95 * c / handle * 3600.0  # 712.5 calls/h: load 0.95
    return Model("A", "M/M/50+M rho=.95", c, rate, days, handle, handle / 2)


def model_b(days: int = 1) -> Model:
    return Model("B", "500 agents, 24 h", 500, 7125.0, days, 240.0, 300.0)


# -- in-process timing -----------------------------------------------------------------------


def _kpi(kpis, name: str) -> float:
    return float(kpis.horizon[name])


class PhaseTimer:
    """Time the pieces ``run_replication`` calls by wrapping them for the length of a ``with``.

    Works on callsim's own ``run_replication`` (no copy of it to keep in step), and keeps working
    whatever the engine's constructor takes: only ``Engine.__init__``/``Engine.run`` and the
    module-level helpers the two replication modules import are wrapped (the model's run in
    ``callsim.model.replication``, its measurement in ``callsim.experiment.replication``), and
    missing ones are skipped.
    """

    FUNCTIONS: ClassVar[dict[str, tuple[object, str]]] = {
        "draw_demand": (model_module, "demand"),
        "build_roster": (model_module, "roster"),
        "compute_kpis": (replication_module, "kpis"),
    }

    def __init__(self, trace_peaks: bool = False) -> None:
        self.seconds: dict[str, float] = {}
        # With tracemalloc running: the traced-memory peak reached inside each phase (memory
        # still held from earlier phases included), and the overall peak across phase changes.
        self.trace_peaks = trace_peaks
        self.peaks: dict[str, int] = {}
        self._undo: list[tuple[object, str, object]] = []

    def overall_peak(self) -> int:
        return max(tracemalloc.get_traced_memory()[1], *self.peaks.values(), 0)

    def _wrap(self, owner: object, name: str, phase: str) -> None:
        original = getattr(owner, name, None)
        if original is None:
            return

        def timed(*args, **kwargs):
            if self.trace_peaks:
                self._fold_peak("between phases")
            t0 = Clock.now()
            try:
                return original(*args, **kwargs)
            finally:
                dt = Clock.now() - t0
                self.seconds[phase] = self.seconds.get(phase, 0.0) + dt
                if self.trace_peaks:
                    self._fold_peak(phase)

        self._undo.append((owner, name, original))
        setattr(owner, name, timed)

    def _fold_peak(self, phase: str) -> None:
        self.peaks[phase] = max(self.peaks.get(phase, 0), tracemalloc.get_traced_memory()[1])
        tracemalloc.reset_peak()

    def __enter__(self) -> PhaseTimer:
        self.seconds = {}
        self.peaks = {}
        if self.trace_peaks:
            tracemalloc.reset_peak()
        for name, (owner, phase) in self.FUNCTIONS.items():
            self._wrap(owner, name, phase)
        engine_cls = getattr(model_module, "Engine", None)
        if isinstance(engine_cls, type):
            # Building the engine (call table, queues) and running it both count as engine time.
            self._wrap(engine_cls, "__init__", "engine")
            self._wrap(engine_cls, "run", "engine")
        return self

    def __exit__(self, *exc: object) -> None:
        for owner, name, original in reversed(self._undo):
            setattr(owner, name, original)
        self._undo.clear()


@dataclass
class SpeedResult:
    model: Model
    baseline_calls: int
    baseline_abandon: float
    baseline_s: float
    callsim_calls: int
    callsim_abandon: float
    callsim_s: float
    phases_s: dict[str, float]

    @property
    def baseline_rate(self) -> float:
        return self.baseline_calls / self.baseline_s

    @property
    def callsim_rate(self) -> float:
        return self.callsim_calls / self.callsim_s

    @property
    def engine_rate(self) -> float | None:
        if "engine" not in self.phases_s:
            return None
        return self.callsim_calls / self.phases_s["engine"]


def measure_speed(model: Model, repeats: int) -> SpeedResult:
    """Best of ``repeats`` for each contender, interleaved so that load drifts hit all alike."""
    scenario = callsim.load_scenario(model.scenario())
    base_t, cs_t = [], []
    phases: dict[str, list[float]] = {}
    for _ in range(repeats):
        gc.collect()
        t0 = Clock.now()
        base = model.baseline()
        base_t.append(Clock.now() - t0)
        gc.collect()
        with PhaseTimer() as timer:
            t0 = Clock.now()
            out = run_replication(scenario, SEED, 0)
            cs_t.append(Clock.now() - t0)
        for k, v in timer.seconds.items():
            phases.setdefault(k, []).append(v)
    offered = _kpi(out.kpis, "offered")
    return SpeedResult(
        model=model,
        baseline_calls=base.offered,
        baseline_abandon=base.abandoned / base.offered,
        baseline_s=min(base_t),
        callsim_calls=int(offered),
        callsim_abandon=_kpi(out.kpis, "abandoned") / offered,
        callsim_s=min(cs_t),
        phases_s={k: min(v) for k, v in phases.items()},
    )


# -- subprocesses ----------------------------------------------------------------------------


def child_env() -> dict[str, str]:
    """The environment of every fresh interpreter timed here: this one's, less
    ``PYTHONDONTWRITEBYTECODE``. An installed callsim starts from cached bytecode (pip compiles
    it at install time, and Python caches what it imports); with that variable set, every process
    compiled each of callsim's modules from source again, about 0.15 s that no installed callsim
    pays. The first run of a command writes the cache; ``run_fresh`` callers time the ones after."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_fresh(argv: list[str], **options: Any) -> subprocess.CompletedProcess[str]:
    """A fresh interpreter running ``argv`` in ``child_env``."""
    return subprocess.run([sys.executable, *argv], check=True, env=child_env(), **options)


def _wall(argv: list[str], repeats: int) -> float:
    """Best time of a fresh interpreter running ``argv`` (start-up and imports included), after
    one untimed run that leaves its bytecode cached."""
    run_fresh(argv, stdout=subprocess.DEVNULL)
    best = math.inf
    for _ in range(repeats):
        t0 = Clock.children()
        run_fresh(argv, stdout=subprocess.DEVNULL)
        best = min(best, Clock.children() - t0)
    return best


@dataclass
class ProcessResult:
    callsim_s: float
    callsim_import_s: float
    baseline_s: float
    baseline_import_s: float


def measure_processes(model: Model, repeats: int) -> ProcessResult:
    sim = f"import callsim; callsim.simulate({model.scenario()!r}, replications=1, workers=1)"
    return ProcessResult(
        callsim_s=_wall(["-c", sim], repeats),
        callsim_import_s=_wall(["-c", "import callsim"], repeats),
        baseline_s=_wall(model.baseline_argv(), repeats),
        baseline_import_s=_wall(["-c", "import numpy, simpy"], repeats),
    )


def memory_child(scenario_json: str, mode: str) -> None:
    """Body of a fresh process for the memory figures; prints its findings as one JSON line.

    ``base``: only load the scenario. ``run``: also run one replication. ``trace``: the same under
    tracemalloc, with the peak reached in each phase.
    """
    scenario = callsim.load_scenario(json.loads(scenario_json))
    out: dict[str, Any] = {}
    if mode == "trace":
        tracemalloc.start()
    if mode in ("run", "trace"):
        with PhaseTimer(trace_peaks=mode == "trace") as timer:
            rep = run_replication(scenario, SEED, 0)
            if mode == "trace":
                out["traced_peak"] = timer.overall_peak()
                out["phase_peaks"] = timer.peaks
        out["calls"] = _kpi(rep.kpis, "offered")
    # VmHWM is this process's own peak since exec. ru_maxrss is not: a child spawned by a large
    # parent (subprocess uses vfork) starts with the parent's peak RSS folded in.
    try:
        with open("/proc/self/status") as f:
            hwm = [line.split()[1] for line in f if line.startswith("VmHWM:")]
        out["peak_kib"] = int(hwm[0])
    except (OSError, IndexError):
        import resource

        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        out["peak_kib"] = rss // 1024 if sys.platform == "darwin" else rss
    print(json.dumps(out))


def _memory_child(model: Model, mode: str) -> dict[str, float]:
    argv = [sys.executable, __file__, "--memory-child", mode, json.dumps(model.scenario())]
    done = subprocess.run(argv, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@dataclass
class MemoryResult:
    model: Model
    calls: int
    rss_growth: int
    traced_peak: int | None
    phase_peaks: dict[str, int] | None

    @property
    def rss_per_call(self) -> float:
        return self.rss_growth / self.calls

    @property
    def traced_per_call(self) -> float | None:
        return None if self.traced_peak is None else self.traced_peak / self.calls


def measure_memory(model: Model, trace: bool) -> MemoryResult:
    base = _memory_child(model, "base")
    run = _memory_child(model, "run")
    traced = _memory_child(model, "trace") if trace else None
    return MemoryResult(
        model=model,
        calls=int(run["calls"]),
        rss_growth=int((run["peak_kib"] - base["peak_kib"]) * 1024),
        traced_peak=None if traced is None else int(traced["traced_peak"]),
        phase_peaks=None if traced is None else traced["phase_peaks"],
    )


# -- reporting -------------------------------------------------------------------------------


def _met(ok: bool) -> str:
    return "met" if ok else "MISSED"


def _n(x: float) -> str:
    return f"{x:,.0f}"


def report_speed(r: SpeedResult) -> None:
    m = r.model
    print(
        f"model {m.key}: {m.label}: c={m.agents}, {m.rate_per_hour:g} calls/h, "
        f"E[S]={m.handle_s:g} s, patience mean {m.patience_s:g} s, load {m.load:.3f}, "
        f"{m.days} day(s), ~{_n(m.expected_calls)} calls"
    )
    print(
        f"  plain SimPy    {_n(r.baseline_calls):>9} calls in {r.baseline_s:6.3f} s "
        f"= {_n(r.baseline_rate):>9} calls/s   (abandoned {r.baseline_abandon:.2%})"
    )
    ratio = r.callsim_rate / r.baseline_rate
    print(
        f"  callsim run_replication {_n(r.callsim_calls):>9} calls in {r.callsim_s:6.3f} s "
        f"= {_n(r.callsim_rate):>9} calls/s   (abandoned {r.callsim_abandon:.2%})"
    )
    ok = ratio >= GOAL_RATIO
    print(f"  ratio callsim/baseline {ratio:.2f}x   goal >= {GOAL_RATIO:g}x: {_met(ok)}")
    eng = r.engine_rate
    if eng is not None:
        p = r.phases_s
        others = ", ".join(f"{k} {v:.3f} s" for k, v in p.items() if k != "engine")
        print(
            f"  engine alone (build + run) {p['engine']:.3f} s = {_n(eng)} calls/s, "
            f"ratio {eng / r.baseline_rate:.2f}x   (other phases: {others or 'n/a'})"
        )
    else:
        print("  engine alone: not measured (callsim.model.replication no longer calls Engine)")


def _day_met(p: ProcessResult) -> bool:
    return p.callsim_s <= GOAL_DAY_X_BARE * p.baseline_import_s


def report_processes(m: Model, p: ProcessResult) -> None:
    print(f"whole process, model {m.key} (fresh interpreter, start-up and imports included):")
    print(
        f"  callsim.simulate  {p.callsim_s:6.3f} s   (python -c 'import callsim' alone "
        f"{p.callsim_import_s:.3f} s)   {p.callsim_s / p.baseline_import_s:.2f}x the bare import, "
        f"goal <= {GOAL_DAY_X_BARE:g}x: {_met(_day_met(p))}"
    )
    print(
        f"  plain SimPy       {p.baseline_s:6.3f} s   (python -c 'import numpy, simpy' alone "
        f"{p.baseline_import_s:.3f} s)   ratio baseline/callsim {p.baseline_s / p.callsim_s:.2f}x"
    )


def report_memory(r: MemoryResult) -> None:
    m = r.model
    print(
        f"peak memory, model B centre for {m.days} day(s), one replication, workers=1: "
        f"{_n(r.calls)} calls"
    )
    ok = r.rss_per_call < GOAL_BYTES_PER_CALL
    print(
        f"  peak RSS growth over an import-and-load-only process {r.rss_growth / 2**20:7.1f} MiB "
        f"= {r.rss_per_call:6.1f} B/call   goal < {GOAL_BYTES_PER_CALL:g}: {_met(ok)}"
    )
    if r.traced_peak is not None:
        tp = r.traced_per_call or 0.0
        print(
            f"  tracemalloc peak during run_replication {r.traced_peak / 2**20:7.1f} MiB "
            f"= {tp:6.1f} B/call   goal < {GOAL_BYTES_PER_CALL:g}: "
            f"{_met(tp < GOAL_BYTES_PER_CALL)}"
        )
    if r.phase_peaks:
        by_phase = ", ".join(f"{k} {v / r.calls:.0f}" for k, v in r.phase_peaks.items())
        print(
            f"  tracemalloc peak inside each phase, B/call (data of earlier phases included): "
            f"{by_phase}"
        )


def print_table(
    speeds: list[SpeedResult], proc: ProcessResult, proc_model: Model, mem: MemoryResult
) -> None:
    head = ("model", "baseline calls/s", "callsim calls/s", "ratio", "whole-process s", "B/call")
    rows: list[tuple[str, ...]] = []
    goals: list[str] = []
    for r in speeds:
        ratio = r.callsim_rate / r.baseline_rate
        wp = "-"
        goal = f"ratio>={GOAL_RATIO:g}x {_met(ratio >= GOAL_RATIO)}"
        if r.model.key == proc_model.key:
            wp = f"{proc.callsim_s:.2f} (base {proc.baseline_s:.2f})"
            goal += f"; day<={GOAL_DAY_X_BARE:g}x bare import {_met(_day_met(proc))}"
        rows.append(
            (
                f"{r.model.key} {r.model.label}",
                _n(r.baseline_rate),
                _n(r.callsim_rate),
                f"{ratio:.2f}x",
                wp,
                "-",
            )
        )
        goals.append(goal)
        if r.engine_rate:
            rows.append(
                (
                    f"{r.model.key}   engine alone",
                    _n(r.baseline_rate),
                    _n(r.engine_rate),
                    f"{r.engine_rate / r.baseline_rate:.2f}x",
                    "-",
                    "-",
                )
            )
            goals.append("(info)")
    per_call = f"{mem.rss_per_call:.0f} rss"
    if mem.traced_per_call is not None:
        per_call += f", {mem.traced_per_call:.0f} tm"
    best = min(mem.rss_per_call, mem.traced_per_call or math.inf)
    rows.append((f"M {_n(mem.calls)} calls, 1 rep", "-", "-", "-", "-", per_call))
    goals.append(f"<{GOAL_BYTES_PER_CALL:g} B/call {_met(best < GOAL_BYTES_PER_CALL)}")
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(head)]
    align = ["<", ">", ">", ">", ">", ">"]

    def line(cells: tuple[str, ...], goal: str) -> str:
        body = "  ".join(f"{c:{a}{w}}" for c, a, w in zip(cells, align, widths, strict=True))
        return f"{body}  {goal}".rstrip()

    print(line(head, "goal"))
    print("-" * (sum(widths) + 2 * len(widths) + 28))
    for row, goal in zip(rows, goals, strict=True):
        print(line(row, goal))


def print_profile(model: Model, top: int = 15) -> None:
    """The cost of a call in calendar entries and Python function calls, then where it goes."""
    import callsim.model.event_loop as event_loop  # only here: the rest runs on older engines

    scenario = callsim.load_scenario(model.scenario())
    popped = [0]

    def counting_heappop(queue: list) -> Any:
        popped[0] += 1
        return heapq.heappop(queue)

    event_loop.heappop = counting_heappop  # the loop's only way of taking an entry off
    try:
        offered = _kpi(run_replication(scenario, SEED, 0).kpis, "offered")
    finally:
        event_loop.heappop = heapq.heappop
    prof = cProfile.Profile()
    prof.enable()
    run_replication(scenario, SEED, 0)
    prof.disable()
    stats = pstats.Stats(prof, stream=sys.stdout)
    python_calls = sum(row[1] for row in stats.stats.values())  # type: ignore[attr-defined]
    print(
        f"model {model.key}: {popped[0] / offered:.2f} calendar entries (SimPy events) and "
        f"{python_calls / offered:.1f} Python function calls per offered call"
    )
    print(f"cProfile of one run_replication, model {model.key}, top {top} by tottime:")
    stats.sort_stats("tottime").print_stats(top)


# -- main ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="smaller runs, one repeat: a smoke test")
    p.add_argument("--repeats", type=int, help="best of N (default 3, or 1 with --quick)")
    p.add_argument("--profile", action="store_true", help="cost a call and cProfile each model")
    p.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    p.add_argument("--cpu", action="store_true", help="time by CPU seconds, not wall seconds")
    p.add_argument("--memory-child", nargs=2, metavar=("MODE", "SCENARIO"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.memory_child:
        memory_child(args.memory_child[1], args.memory_child[0])
        return
    repeats = args.repeats or (1 if args.quick else 3)
    Clock.cpu = args.cpu
    a = model_a(days=2 if args.quick else 12)
    b = model_b(days=1)
    mem_model = model_b(days=1 if args.quick else 6)

    started = time.perf_counter()
    print(
        f"callsim {callsim.__version__}, python {sys.version.split()[0]}, "
        f"best of {repeats}{' (quick)' if args.quick else ''}, timed by {Clock.name()} seconds\n"
    )
    speeds = []
    for model in (a, b):
        speeds.append(measure_speed(model, repeats))
        report_speed(speeds[-1])
        print()
    proc = measure_processes(b, repeats)
    report_processes(b, proc)
    print()
    mem = measure_memory(mem_model, trace=not args.quick)
    report_memory(mem)
    print()
    print_table(speeds, proc, b, mem)
    print(f"\n(benchmark wall time {time.perf_counter() - started:.0f} s)")
    if args.profile:
        for model in (a, b):
            print()
            print_profile(model)
    if args.json:
        args.json.write_text(json.dumps(_as_json(speeds, proc, mem), indent=2) + "\n")


def _as_json(speeds: list[SpeedResult], proc: ProcessResult, mem: MemoryResult) -> dict:
    return {
        "models": [
            {
                "model": r.model.key,
                "baseline_calls_per_s": r.baseline_rate,
                "callsim_calls_per_s": r.callsim_rate,
                "engine_calls_per_s": r.engine_rate,
                "ratio": r.callsim_rate / r.baseline_rate,
                "engine_ratio": (r.engine_rate / r.baseline_rate) if r.engine_rate else None,
                "phases_s": r.phases_s,
            }
            for r in speeds
        ],
        "whole_process_s": {
            "callsim": proc.callsim_s,
            "callsim_import": proc.callsim_import_s,
            "baseline": proc.baseline_s,
            "baseline_import": proc.baseline_import_s,
        },
        "memory": {
            "calls": mem.calls,
            "rss_bytes_per_call": mem.rss_per_call,
            "tracemalloc_bytes_per_call": mem.traced_per_call,
            "tracemalloc_phase_peaks_bytes": mem.phase_peaks,
        },
    }


if __name__ == "__main__":
    main()
