"""Writing a results directory: all files appear at once or not at all, and nothing is clobbered.

Files are written into a hidden sibling directory which is then renamed into place, so an
interrupted run never leaves a half-written results directory that looks complete.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import yaml

from callsim.results import SimulationResult


class OutputExistsError(FileExistsError):
    """The target directory holds earlier results and the user did not ask to replace them."""


def check_target(out: Path, force: bool) -> None:
    """Refuse before any work is done, rather than after an hour of simulation."""
    if out.exists() and not out.is_dir():
        raise OutputExistsError(f"{out}: exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise OutputExistsError(
            f"{out}: directory is not empty (earlier results?); use --force to replace it"
        )


def write_directory(out: Path, force: bool, writers: dict[str, Callable[[Path], None]]) -> Path:
    """Create ``out`` with one file per writer (name -> function writing that path), atomically."""
    check_target(out, force)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.partial-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        for name, write in writers.items():
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


def write_results(result: SimulationResult, out: Path, *, force: bool = False) -> Path:
    """``summary.json``, ``intervals.csv``, ``agents.csv``, ``scenario.yaml`` (the resolved input)
    and, when the run kept them, ``calls.csv.gz``."""
    writers: dict[str, Callable[[Path], None]] = {
        "summary.json": lambda p: p.write_text(
            json.dumps(result.to_summary_dict(), indent=2, allow_nan=False) + "\n",
            encoding="utf-8",
        ),
        "intervals.csv": lambda p: result.intervals.to_csv(p, index=False),
        "agents.csv": lambda p: result.agents.to_csv(p, index=False),
        "scenario.yaml": lambda p: p.write_text(
            yaml.safe_dump(
                result.scenario.model_dump(mode="json", exclude_none=True),
                sort_keys=False,
                allow_unicode=True,
            ),
            encoding="utf-8",
        ),
    }
    if result.calls is not None:
        writers["calls.csv.gz"] = lambda p: result.calls.to_csv(p, index=False)  # type: ignore[union-attr]
    return write_directory(out, force, writers)
