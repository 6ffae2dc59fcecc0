"""Reading a results directory back, to rebuild its report or compare it without re-running."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from callsim.errors import UserError
from callsim.experiment.pairing import Comparison, compare_results
from callsim.experiment.results import SimulationResult
from callsim.experiment.sweep_result import Sweep
from callsim.scenario.files import load_scenario


class ResultsError(UserError):
    """A results directory is missing, incomplete or of an unknown kind; one line for the user."""


def read_manifest(folder: Path) -> dict:
    path = folder / "manifest.json"
    if not folder.is_dir():
        raise ResultsError(f"{folder}: no such results directory")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ResultsError(
            f"{folder}: no manifest.json — not a callsim results directory"
        ) from None
    except json.JSONDecodeError as exc:
        raise ResultsError(f"{path}: not valid JSON ({exc.msg})") from None
    except UnicodeDecodeError:
        raise ResultsError(f"{path}: not valid JSON (not UTF-8 text)") from None
    if not isinstance(data, dict):
        raise ResultsError(f"{path}: expected a JSON object")
    return data


def load_results(folder: Path) -> SimulationResult | Comparison | Sweep:
    kind = read_manifest(folder).get("kind")
    if kind == "run":
        return load_run(folder)
    if kind == "compare":
        return load_compare(folder)
    if kind == "sweep":
        return load_sweep(folder)
    raise ResultsError(f"{folder}/manifest.json: unknown kind {kind!r}")


def load_run(folder: Path) -> SimulationResult:
    try:
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        table = pd.DataFrame.from_dict(summary["kpis"], orient="index").astype(float)
        table.index.name = "kpi"
        per_rep = pd.read_csv(folder / "replications.csv", index_col="replication")
        return SimulationResult(
            scenario=load_scenario(folder / "scenario.yaml"),
            seed=int(summary["seed"]),
            replications=int(summary["replications"]),
            summary=table.fillna(np.nan),
            intervals=pd.read_csv(folder / "intervals.csv", dtype={"start": str}),
            agents=pd.read_csv(folder / "agents.csv"),
            per_replication=per_rep,
            calls=None,
            switch=pd.read_csv(folder / "switch.csv"),
            created=summary.get("created", ""),
        )
    except FileNotFoundError as exc:
        raise ResultsError(f"{folder}: missing {Path(exc.filename).name}") from None
    except (KeyError, ValueError, pd.errors.ParserError) as exc:
        raise ResultsError(f"{folder}: unreadable results ({' '.join(str(exc).split())})") from None


def load_compare(folder: Path) -> Comparison:
    folders = read_manifest(folder).get("folders")
    if not isinstance(folders, dict) or not folders:
        raise ResultsError(f"{folder}/manifest.json: 'folders' should map plans to folders")
    results = {str(name): load_run(folder / str(sub)) for name, sub in folders.items()}
    return compare_results(results)


def load_sweep(folder: Path) -> Sweep:
    manifest = read_manifest(folder)
    try:
        points = pd.read_csv(folder / "sweep.csv")
    except FileNotFoundError:
        raise ResultsError(f"{folder}: missing sweep.csv") from None
    try:
        params, seed, replications = (
            [str(p) for p in manifest["params"]],
            int(manifest["seed"]),
            int(manifest["replications"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ResultsError(f"{folder}/manifest.json: unreadable ({exc!r})") from None
    return Sweep(
        base=load_scenario(folder / "scenario.yaml"),
        params=params,
        points=points,
        results=[],
        seed=seed,
        replications=replications,
        created=str(manifest.get("created", "")),
    )
