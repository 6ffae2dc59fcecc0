"""Writing a results directory: all files appear at once or not at all, and nothing is clobbered.

Files are written into a hidden sibling directory which is then renamed into place, so an
interrupted run never leaves a half-written results directory that looks complete.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import yaml

from callsim.experiment.compare import Comparison
from callsim.experiment.results import SimulationResult
from callsim.experiment.sweep import Sweep
from callsim.scenario.schema import Scenario
from callsim.version import __version__


class OutputExistsError(FileExistsError):
    """The target directory holds earlier results and the user did not ask to replace them."""


def check_target(out: Path, force: bool) -> None:
    """Refuse before any work is done, rather than after an hour of simulation. ``force``
    replaces earlier callsim results only, never a folder of other files."""
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
    parent = out.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK):
        raise OutputExistsError(f"{out}: cannot create it: {parent} is not a writable directory")


def write_directory(out: Path, force: bool, writers: dict[str, Callable[[Path], None]]) -> Path:
    """Create ``out`` with one file per writer (name -> function writing that path), atomically."""
    check_target(out, force)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.partial-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        for name, write in writers.items():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            write(staging / name)
        if out.exists():
            retired = out.parent / f".{out.name}.replaced-{os.getpid()}"
            out.rename(retired)
            staging.rename(out)
            shutil.rmtree(retired)
        else:
            staging.rename(out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out


Writers = dict[str, Callable[[Path], None]]


def _json(data: object) -> Callable[[Path], None]:
    text = json.dumps(data, indent=2, allow_nan=False, ensure_ascii=False) + "\n"
    return lambda p: p.write_text(text, encoding="utf-8")


def _yaml(scenario: Scenario) -> Callable[[Path], None]:
    text = yaml.safe_dump(
        scenario.model_dump(mode="json", exclude_none=True), sort_keys=False, allow_unicode=True
    )
    return lambda p: p.write_text(text, encoding="utf-8")


def _csv(frame: pd.DataFrame) -> Callable[[Path], None]:
    return lambda p: frame.to_csv(p, index=False)


def _html(report: str | None) -> Writers:
    return {} if report is None else {"report.html": lambda p: p.write_text(report, "utf-8")}


def manifest(kind: str, seed: int, replications: int, plans: list[str], **extra: object) -> dict:
    """What a results directory holds and how it was made, so it can be kept and re-read."""
    return {
        "kind": kind,
        "callsim_version": __version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "seed": seed,
        "replications": replications,
        "plans": plans,
        "command": " ".join(sys.argv),
        **extra,
    }


def _run_files(result: SimulationResult, prefix: str = "") -> Writers:
    writers: Writers = {
        f"{prefix}summary.json": _json(result.to_summary_dict()),
        f"{prefix}intervals.csv": _csv(result.intervals),
        f"{prefix}agents.csv": _csv(result.agents),
        f"{prefix}replications.csv": _csv(result.per_replication.reset_index()),
        f"{prefix}switch.csv": _csv(result.switch),
        f"{prefix}scenario.yaml": _yaml(result.scenario),
    }
    if result.calls is not None:
        writers[f"{prefix}calls.csv.gz"] = _csv(result.calls)
    return writers


def write_run(
    result: SimulationResult, out: Path, *, force: bool = False, report: str | None = None
) -> Path:
    """One plan: ``summary.json``, ``intervals.csv``, ``agents.csv``, ``replications.csv``
    (each replication's KPIs, for later paired comparisons), ``switch.csv``, ``scenario.yaml``
    (the resolved input), ``manifest.json``, ``report.html`` and, if kept, ``calls.csv.gz``."""
    files = _run_files(result)
    files["manifest.json"] = _json(
        manifest("run", result.seed, result.replications, [result.scenario.name])
    )
    return write_directory(out, force, {**files, **_html(report)})


def write_compare(
    comparison: Comparison, out: Path, *, force: bool = False, report: str | None = None
) -> Path:
    """Each plan's run files under ``plans/<n>-<name>/``, and ``comparison.csv``."""
    files: Writers = {"comparison.csv": _csv(comparison.table)}
    folders = {}
    for k, (name, result) in enumerate(comparison.results.items()):
        folder = f"plans/{k + 1:02d}-{_slug(name)}"
        folders[name] = folder
        files.update(_run_files(result, prefix=f"{folder}/"))
    first = comparison.results[comparison.baseline]
    files["manifest.json"] = _json(
        manifest(
            "compare",
            first.seed,
            first.replications,
            list(comparison.results),
            baseline=comparison.baseline,
            folders=folders,
        )
    )
    return write_directory(out, force, {**files, **_html(report)})


def write_sweep(sweep: Sweep, out: Path, *, force: bool = False, report: str | None = None) -> Path:
    """``sweep.csv`` (one row per point) and the base ``scenario.yaml``."""
    files: Writers = {
        "sweep.csv": _csv(sweep.points),
        "scenario.yaml": _yaml(sweep.base),
        "manifest.json": _json(
            manifest(
                "sweep", sweep.seed, sweep.replications, [sweep.base.name], params=sweep.params
            )
        ),
    }
    return write_directory(out, force, {**files, **_html(report)})


def _slug(name: str) -> str:
    """A file-system-safe folder name for a plan (the manifest keeps the real name)."""
    slug = "".join(c if c.isalnum() or c in "-_" else "-" for c in name).strip("-")
    return slug[:40] or "plan"
