"""Writing a results directory: all files appear at once or not at all, and nothing is clobbered.

Files are written into a hidden sibling directory which is then renamed into place, so an
interrupted run never leaves a half-written results directory that looks complete.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import yaml

from callsim.errors import UserError
from callsim.experiment.pairing import Comparison
from callsim.experiment.results import SimulationResult
from callsim.experiment.sweep_result import Sweep
from callsim.measure.routing import SLICES as ROUTING_SLICES
from callsim.measure.slices import SLICES
from callsim.measure.weekly import WEEK
from callsim.scenario.schema import Scenario
from callsim.store.calls_file import write_calls
from callsim.store.plotly_file import PLOTLY_FILE, is_plotly, needs_file, write_plotly
from callsim.version import __version__

if TYPE_CHECKING:  # writing results must not import the runner, the engine or the MILP solver
    from callsim.planning.plan import Plan
    from callsim.planning.schedule import Schedule


class OutputExistsError(UserError, FileExistsError):
    """The target directory holds earlier results and the user did not ask to replace them (or
    cannot be created); still a ``FileExistsError`` for code that catches that."""


def check_target(out: Path, force: bool, names: Iterable[str] = ()) -> None:
    """Refuse before any work is done, rather than after an hour of simulation. ``force``
    replaces earlier callsim results only, never a folder of other files, and never a file
    callsim did not write: files a user added to a results directory are kept. ``names``: the
    files about to be written (relative paths), none of which may be such a user's file."""
    if out.exists() and not out.is_dir():
        raise OutputExistsError(f"{out}: exists and is not a directory")
    if out.is_dir() and any(out.iterdir()):
        if not force:
            raise OutputExistsError(
                f"{out}: directory is not empty (earlier results?); use --force to replace it"
            )
        if not (out / "manifest.json").is_file() and not (out / "summary.json").is_file():
            raise OutputExistsError(
                f"{out}: not a callsim results directory; refusing to replace it even with --force"
            )
        # A user's file named as callsim names its files would be taken for results (and may
        # be about to be written): refuse, before any simulation.
        wanted = set(names)
        clash = [f for f in user_files(out) if f in wanted or _known(f)]
        if clash:
            raise OutputExistsError(
                f"{out / clash[0]}: not written by callsim, but named as its results are; "
                f"refusing to replace it even with --force (move or rename it first)"
            )
    parent = out.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK):
        raise OutputExistsError(f"{out}: cannot create it: {parent} is not a writable directory")


KNOWN_FILES = frozenset(
    {
        "summary.json",
        "intervals.csv",
        "agents.csv",
        "replications.csv",
        "switch.csv",
        "replication_sums.csv",
        "waits.csv",
        "products.csv",
        *(f"by_{kind}.csv" for kind in SLICES),
        *(f"by_{kind}.csv" for kind in ROUTING_SLICES),  # scenarios that route only
        f"by_{WEEK}.csv",  # two weeks or more, or a workforce
        "scenario.yaml",
        "calls.csv.gz",
        "comparison.csv",
        "sweep.csv",
        "manifest.json",
        "report.html",
        "report.zh.html",
    }
)
"""The names callsim writes, for a results directory whose manifest does not list its files
(written before manifests did): at the top, or in a comparison's ``plans/<plan>/``."""


def callsim_files(out: Path) -> set[str]:
    """Relative paths (``/``-separated) of the files callsim wrote in ``out``: those its
    manifest lists, with the manifest and the report (which ``callsim report`` rewrites)."""
    try:
        listed = json.loads((out / "manifest.json").read_text(encoding="utf-8")).get("files")
    except (OSError, ValueError, AttributeError):
        listed = None
    # ``callsim report`` rewrites the report, and writes plotly.js beside it: plotly.js there
    # is callsim's whether the manifest lists it or not, and a file of its name that is not
    # plotly.js is the user's whatever the manifest says.
    rewritten = {"manifest.json", "report.html"}
    if isinstance(listed, list) and all(isinstance(f, str) for f in listed):
        ours = {*listed, *rewritten}
    else:
        ours = {rel for rel in _entries(out) if _known(rel)} | (rewritten & set(_entries(out)))
    if (out / PLOTLY_FILE).exists():
        ours = ours | {PLOTLY_FILE} if is_plotly(out / PLOTLY_FILE) else ours - {PLOTLY_FILE}
    return ours


def _known(rel: str) -> bool:
    """Whether a relative path is one callsim writes: at the top, or in a plan's folder."""
    parts = rel.split("/")
    top = len(parts) == 1
    in_plan = len(parts) == 3 and parts[0] == "plans"
    return (top or in_plan) and parts[-1] in KNOWN_FILES


def user_files(out: Path) -> list[str]:
    """What a user added to a results directory: every file, link or empty folder in it that
    callsim did not write, as relative paths."""
    ours = callsim_files(out)
    return [rel for rel in _entries(out) if rel not in ours]


def _entries(out: Path) -> list[str]:
    """Files, links and empty folders below ``out`` (links are not followed)."""
    found = []
    for root, dirs, files in os.walk(out):
        here = Path(root)
        for name in [*files, *(d for d in dirs if (here / d).is_symlink())]:
            found.append((here / name).relative_to(out).as_posix())
        if not dirs and not files and here != out:
            found.append(here.relative_to(out).as_posix())
    return sorted(found)


def _keep(source: Path, target: Path) -> None:
    """Put a user's file or folder at ``target`` too: a hard link (the same file, no copy), a
    copy where links are impossible, the link itself for a symbolic link."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_symlink():
        os.symlink(os.readlink(source), target)
    elif source.is_dir():
        target.mkdir(exist_ok=True)
    else:
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)


Writer = Callable[[Path], object]
"""Writes one file at the path it is given (whatever it returns is ignored)."""
Writers = dict[str, Writer]


def write_directory(out: Path, force: bool, writers: Writers) -> Path:
    """Create ``out`` with one file per writer (name -> function writing that path), atomically.
    With ``force``, earlier callsim results in ``out`` are replaced and files a user added to
    them are kept."""
    check_target(out, force, writers)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.partial-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        for name, write in writers.items():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            write(staging / name)
        if out.exists():
            for rel in user_files(out):
                _keep(out / rel, staging / rel)
            retired = out.parent / f".{out.name}.replaced-{os.getpid()}"
            out.rename(retired)
            staging.rename(out)
            shutil.rmtree(retired)
        else:
            staging.rename(out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out


def _json(data: object) -> Writer:
    text = json.dumps(data, indent=2, allow_nan=False, ensure_ascii=False) + "\n"
    return lambda p: p.write_text(text, encoding="utf-8")


def _yaml(scenario: Scenario) -> Writer:
    text = yaml.safe_dump(
        scenario.model_dump(mode="json", exclude_none=True), sort_keys=False, allow_unicode=True
    )
    return lambda p: p.write_text(text, encoding="utf-8")


def _csv(frame: pd.DataFrame) -> Writer:
    return lambda p: frame.to_csv(p, index=False)


def report_writers(report: str | None) -> Writers:
    """``report.html``, and the plotly.js it loads from beside it unless it holds its own."""
    if report is None:
        return {}
    writers: Writers = {"report.html": lambda p: p.write_text(report, "utf-8")}
    if needs_file(report):
        writers[PLOTLY_FILE] = write_plotly
    return writers


def manifest(
    kind: str,
    seed: int,
    replications: int,
    plans: list[str],
    *,
    call: dict[str, object],
    command: str | None = None,
    **extra: object,
) -> dict:
    """What a results directory holds and how it was made, so it can be kept and re-read.

    ``call`` is the API call that made the results, by its own parameters (what the results
    depend on; not the number of workers, which they do not). The process's ``sys.argv`` is not
    recorded: through the Python API it is whatever ran the API (pytest, a notebook's kernel),
    not a way to make the results again. ``command`` is the user's command line, when the
    ``callsim`` command writes the directory."""
    out: dict = {
        "kind": kind,
        "callsim_version": __version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "seed": seed,
        "replications": replications,
        "plans": plans,
        "call": call,
    }
    if command is not None:
        out["command"] = command
    return {**out, **extra}


def _run_files(result: SimulationResult, prefix: str = "") -> Writers:
    writers: Writers = {
        f"{prefix}summary.json": _json(result.to_summary_dict()),
        f"{prefix}intervals.csv": _csv(result.intervals),
        f"{prefix}agents.csv": _csv(result.agents),
        f"{prefix}replications.csv": _csv(result.per_replication.reset_index()),
        f"{prefix}switch.csv": _csv(result.switch),
        f"{prefix}scenario.yaml": _yaml(result.scenario),
        f"{prefix}replication_sums.csv": _csv(result.replication_sums.reset_index()),
        **{f"{prefix}by_{kind}.csv": _csv(table) for kind, table in result.slices.items()},
    }
    if result.waits is not None:
        writers[f"{prefix}waits.csv"] = _csv(result.waits)
    if result.products is not None:
        writers[f"{prefix}products.csv"] = _csv(result.products)
    calls = result.calls
    if calls is not None:
        names = result.call_names()
        writers[f"{prefix}calls.csv.gz"] = lambda p: write_calls(p, calls, names)
    return writers


def write_run(
    result: SimulationResult,
    out: Path,
    *,
    force: bool = False,
    report: str | None = None,
    command: str | None = None,
) -> Path:
    """One plan: ``summary.json``, ``intervals.csv``, ``agents.csv``, ``replications.csv``
    (each replication's KPIs, for later paired comparisons) and ``replication_sums.csv`` (the
    counts they are made of, for call-weighted ones), ``by_reason.csv``, ``by_segment.csv``,
    ``by_day.csv``, ``by_group.csv``, ``by_shift.csv``, ``switch.csv``, ``scenario.yaml``
    (the resolved input), ``manifest.json``, ``report.html`` and, if kept, ``calls.csv.gz``.
    ``command``: the command line to record, when a command (not the API) writes them."""
    files = _run_files(result)
    call = {
        "function": "simulate",
        "scenario": result.scenario.name,
        "seed": result.seed,
        "replications": result.replications,
        "keep_calls": result.calls is not None,
    }
    made = manifest(
        "run", result.seed, result.replications, [result.scenario.name], call=call, command=command
    )
    return _write(out, force, files, made, report)


def write_compare(
    comparison: Comparison,
    out: Path,
    *,
    force: bool = False,
    report: str | None = None,
    command: str | None = None,
) -> Path:
    """Each plan's run files under ``plans/<n>-<name>/``, ``comparison.csv``, and
    ``summary.json``: the recommended plan, by the objective the manifest records."""
    choice = comparison.recommendation
    summary = {"baseline": comparison.baseline, "recommendation": choice.to_dict()}
    files: Writers = {"comparison.csv": _csv(comparison.table), "summary.json": _json(summary)}
    folders = {}
    for k, (name, result) in enumerate(comparison.results.items()):
        folder = f"plans/{k + 1:02d}-{_slug(name)}"
        folders[name] = folder
        files.update(_run_files(result, prefix=f"{folder}/"))
    first = comparison.results[comparison.baseline]
    made = manifest(
        "compare",
        first.seed,
        first.replications,
        list(comparison.results),
        call={
            "function": "compare",
            "plans": list(comparison.results),
            "seed": first.seed,
            "replications": first.replications,
            "objective": {"maximise": choice.objective, "max_cost": choice.max_cost},
        },
        command=command,
        baseline=comparison.baseline,
        folders=folders,
    )
    return _write(out, force, files, made, report)


def write_sweep(
    sweep: Sweep,
    out: Path,
    *,
    force: bool = False,
    report: str | None = None,
    command: str | None = None,
) -> Path:
    """``sweep.csv`` (one row per point) and the base ``scenario.yaml``; the manifest records
    the rule that picked the best point."""
    call = {
        "function": "sweep",
        "scenario": sweep.base.name,
        "params": {name: _grid_values(sweep.points, name) for name in sweep.params},
        "seed": sweep.seed,
        "replications": sweep.replications,
        "pick": sweep.pick,
    }
    files: Writers = {"sweep.csv": _csv(sweep.points), "scenario.yaml": _yaml(sweep.base)}
    made = manifest(
        "sweep",
        sweep.seed,
        sweep.replications,
        [sweep.base.name],
        call=call,
        command=command,
        params=sweep.params,
        pick=sweep.pick,
    )
    return _write(out, force, files, made, report)


def write_schedule(
    schedule: Schedule,
    out: Path,
    source: Path,
    *,
    requirement: str = "erlang",
    force: bool = False,
    command: str | None = None,
    report: str | None = None,
) -> Path:
    """``schedule.yaml`` (a scenario that ``extends`` the input file ``source`` by a path
    relative to ``out``, with the scheduled groups' shifts replaced: ``callsim run`` and
    ``callsim compare`` take it as it is), ``schedule.csv`` (the shifts), ``coverage.csv`` (per
    interval: requirement, coverage, shortfall, simulated service level), ``summary.json`` and
    the ``report`` as ``report.html`` when one is given. ``requirement``: where the requirement
    came from (``erlang``, ``isa`` or the file's path)."""
    base = source.resolve()
    try:
        extends = Path(os.path.relpath(base, out.resolve())).as_posix()
    except ValueError:  # another drive: no relative path exists
        extends = base.as_posix()
    header = (
        f"# Written by callsim schedule from {source.name}: that scenario, with the shifts of\n"
        f"# {', '.join(schedule.overrides['agents']['groups'])} replaced by the schedule.\n"
        f"# Run it with: callsim run schedule.yaml (from this folder)\n"
    )
    body = yaml.safe_dump(
        {"extends": extends, **schedule.overrides}, sort_keys=False, allow_unicode=True
    )
    text = header + body
    summary = {**schedule.to_summary_dict(), "requirement": requirement, "extends": extends}
    files: Writers = {
        "schedule.yaml": lambda p: p.write_text(text, encoding="utf-8"),
        "schedule.csv": _csv(schedule.shifts()),
        "coverage.csv": _csv(schedule.coverage()),
        "summary.json": _json(summary),
    }
    result = schedule.result
    call = {
        "function": "build_schedule",
        "scenario": schedule.scenario.name,
        "requirement": requirement,
        "seed": result.seed,
        "replications": result.replications,
    }
    made = manifest(
        "schedule",
        result.seed,
        result.replications,
        [schedule.scheduled.name],
        call=call,
        command=command,
    )
    return _write(out, force, files, made, report)


def write_plan(
    plan: Plan,
    out: Path,
    *,
    force: bool = False,
    report: str | None = None,
    command: str | None = None,
) -> Path:
    """``plan.csv`` (one row per candidate policy at its goal-meeting staffing),
    ``comparison.csv`` (every compared KPI, paired against the baseline), ``summary.json``
    (the best candidate and the baseline), and ``candidates/<n>-<name>.yaml``: each candidate's
    staffed scenario, self-contained, for ``callsim run`` and ``compare``."""
    table = plan.table()
    files: Writers = {
        "plan.csv": _csv(table),
        "comparison.csv": _csv(plan.comparison.table),
        "summary.json": _json(
            {
                "scenario": plan.base.name,
                "best": plan.best,
                "baseline": plan.baseline,
                "candidates": _records(table),
            }
        ),
    }
    for k, cand in enumerate(plan.candidates, start=1):
        files[f"candidates/{k}-{_slug(cand.name)}.yaml"] = _yaml(cand.staffed)
    first = plan.comparison.results[plan.baseline]
    call = {
        "function": "plan_policies",
        "scenario": plan.base.name,
        "policies": [c.policy for c in plan.candidates],
        "seed": first.seed,
        "replications": first.replications,
    }
    names = [c.name for c in plan.candidates]
    made = manifest("plan", first.seed, first.replications, names, call=call, command=command)
    return _write(out, force, files, made, report)


def _records(table: pd.DataFrame) -> list[dict[str, object]]:
    """Rows as JSON objects, undefined numbers as null."""
    return [
        {str(k): (None if isinstance(v, float) and v != v else v) for k, v in row.items()}
        for row in table.to_dict("records")
    ]


def _write(out: Path, force: bool, files: Writers, made: dict, report: str | None) -> Path:
    """The files, their manifest (which lists them: what a later ``--force`` may replace) and
    the report."""
    writers = {**files, **report_writers(report)}
    made["files"] = sorted([*writers, "manifest.json"])
    return write_directory(out, force, {**writers, "manifest.json": _json(made)})


def _grid_values(points: pd.DataFrame, name: str) -> list[object]:
    """A swept parameter's values, in grid order, as plain JSON values."""
    if name not in points.columns:
        return []
    values: list[object] = []
    for value in points[name].tolist():  # values may be lists or mappings: not hashable
        if value not in values:
            values.append(value)
    return values


def _slug(name: str) -> str:
    """A file-system-safe folder name for a plan (the manifest keeps the real name)."""
    slug = "".join(c if c.isalnum() or c in "-_" else "-" for c in name).strip("-")
    return slug[:40] or "plan"
