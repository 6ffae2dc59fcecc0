"""Reading a results directory back, to rebuild its report or compare it without re-running."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from callsim.errors import UserError
from callsim.experiment.call_table import legend
from callsim.experiment.pairing import Comparison, compare_results
from callsim.experiment.precision import PrecisionOutcome
from callsim.experiment.results import SUMMARY_COLUMNS, SimulationResult
from callsim.experiment.sweep_result import PICKS, Sweep
from callsim.measure.catalogue import kpis_in
from callsim.measure.routing import SLICES as ROUTING_SLICES
from callsim.measure.slices import SLICES
from callsim.measure.weekly import WEEK
from callsim.scenario.files import load_scenario
from callsim.scenario.objective import Objective
from callsim.store.calls_file import read_calls
from callsim.version import __version__


class ResultsError(UserError):
    """A results directory is missing, incomplete or of an unknown kind; one line for the user."""


def read_manifest(folder: Path) -> dict:
    """The folder's ``manifest.json``: a JSON object with at least ``kind``, ``seed`` and
    ``replications``."""
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
    _field(data, "kind", str, path)
    for key in ("seed", "replications"):
        _field(data, key, int, path)
    return data


def _field(data: dict, key: str, kind: type, path: Path) -> object:
    """``data[key]`` if it is of ``kind``, else a one-line error naming the file and key."""
    if key not in data:
        raise ResultsError(f"{path}: {key}: required key is missing")
    value = data[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ResultsError(f"{path}: {key}: expected {_KINDS[kind]}, got {json.dumps(value)}")
    return value


_KINDS = {str: "text", int: "a whole number", dict: "an object", list: "a list"}


def load_results(folder: Path) -> SimulationResult | Comparison | Sweep:
    kind = read_manifest(folder)["kind"]
    if kind == "run":
        return load_run(folder)
    if kind == "compare":
        return load_compare(folder)
    if kind == "sweep":
        return load_sweep(folder)
    raise ResultsError(f"{folder}/manifest.json: kind: unknown kind {kind!r}")


def load_run(folder: Path) -> SimulationResult:
    """One plan's results: a run's folder, or a plan's folder inside a comparison's. A folder
    with a manifest must be a run's (a comparison or sweep is not one plan)."""
    if not folder.is_dir():
        raise ResultsError(f"{folder}: no such results directory")
    if (folder / "manifest.json").exists():
        kind = read_manifest(folder)["kind"]
        if kind != "run":
            raise ResultsError(
                f"{folder}: holds the results of a {kind}, not of one run (its plans are under "
                f"{folder}/plans/)"
                if kind == "compare"
                else f"{folder}: holds the results of a {kind}, not of one run"
            )
    summary = _summary(folder / "summary.json")
    try:
        table = pd.DataFrame.from_dict(summary["kpis"], orient="index").astype(float)
        table = table.reindex(columns=list(SUMMARY_COLUMNS))
        table.index.name = "kpi"
        per_rep = pd.read_csv(folder / "replications.csv", index_col="replication")
        return SimulationResult(
            scenario=load_scenario(folder / "scenario.yaml"),
            seed=summary["seed"],
            replications=summary["replications"],
            summary=table.fillna(np.nan),
            intervals=pd.read_csv(folder / "intervals.csv", dtype={"start": str}),
            agents=pd.read_csv(folder / "agents.csv"),
            per_replication=per_rep,
            calls=None,
            switch=pd.read_csv(folder / "switch.csv"),
            created=str(summary.get("created", "")),
            replication_sums=pd.read_csv(folder / "replication_sums.csv", index_col="replication"),
            slices={
                kind: pd.read_csv(folder / f"by_{kind}.csv", dtype={kind: str})
                for kind in SLICES + ROUTING_SLICES + (WEEK,)
                if kind in SLICES or (folder / f"by_{kind}.csv").is_file()
            },
            precision=_precision(summary, folder / "summary.json"),
            waits=pd.read_csv(waits) if (waits := folder / "waits.csv").is_file() else None,
            products=_products(folder / "products.csv"),
        )
    except FileNotFoundError as exc:
        raise ResultsError(f"{folder}: missing {Path(exc.filename).name}") from None
    except UserError as exc:
        raise ResultsError(f"{folder}: a results file cannot be read: {exc}") from None
    except (KeyError, ValueError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ResultsError(f"{folder}: unreadable results ({' '.join(str(exc).split())})") from None


def load_calls(folder: Path) -> pd.DataFrame:
    """A run's ``calls.csv.gz`` (written with ``--save-calls``), reason, segment, agent, outcome
    and product as categoricals of their names, as :meth:`SimulationResult.named_calls` gives
    them (times to the millisecond). The names are checked against the run's own scenario and
    agents table."""
    path = folder / "calls.csv.gz"
    if not path.is_file():
        if folder.is_dir() and (folder / "summary.json").is_file():
            raise ResultsError(f"{folder}: no calls.csv.gz (the run did not save its calls)")
        raise ResultsError(f"{folder}: no such run's results directory")
    try:
        agents = pd.read_csv(folder / "agents.csv", usecols=["agent"], dtype=str)["agent"]
        names = legend(load_scenario(folder / "scenario.yaml"), agents)
        return read_calls(path, names)
    except FileNotFoundError as exc:
        raise ResultsError(f"{folder}: missing {Path(exc.filename).name}") from None
    except UserError as exc:
        raise ResultsError(f"{folder}: a results file cannot be read: {exc}") from None
    except (OSError, EOFError) as exc:
        raise ResultsError(f"{path}: unreadable ({' '.join(str(exc).split())})") from None
    except (KeyError, ValueError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ResultsError(f"{path}: unreadable calls ({' '.join(str(exc).split())})") from None


def _summary(path: Path) -> dict:
    """``summary.json``, checked: seed, replications, and every KPI as mean and CI bounds."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ResultsError(f"{path.parent}: missing {path.name}") from None
    except json.JSONDecodeError as exc:
        raise ResultsError(f"{path}: not valid JSON ({exc.msg})") from None
    except UnicodeDecodeError:
        raise ResultsError(f"{path}: not valid JSON (not UTF-8 text)") from None
    if not isinstance(data, dict):
        raise ResultsError(f"{path}: expected a JSON object")
    for key in ("seed", "replications"):
        _field(data, key, int, path)
    kpis = _field(data, "kpis", dict, path)
    assert isinstance(kpis, dict)
    for name in kpis_in("horizon"):
        if name not in kpis:
            raise ResultsError(f"{path}: kpis.{name}: required key is missing{_older(data)}")
    for name, entry in kpis.items():
        if not isinstance(entry, dict):
            raise ResultsError(f"{path}: kpis.{name}: expected an object of mean, ci_low, ci_high")
        for key in SUMMARY_COLUMNS:
            value = entry.get(key)
            if value is not None and (
                not isinstance(value, int | float) or isinstance(value, bool)
            ):
                raise ResultsError(
                    f"{path}: kpis.{name}.{key}: expected a number or null, got {json.dumps(value)}"
                )
    return data


def _precision(summary: dict, path: Path) -> PrecisionOutcome | None:
    """How a run to a precision ended, if it was one (results of earlier versions say nothing)."""
    data = summary.get("precision")
    if data is None:
        return None
    try:
        return PrecisionOutcome.from_dict(data)
    except (KeyError, TypeError, ValueError, AttributeError):
        raise ResultsError(
            f"{path}: precision: expected targets, max_replications, reached, half_widths "
            "and batches"
        ) from None


def _older(summary: dict) -> str:
    """Why a KPI may be missing: results of another callsim version, which measured others
    (``revenue_per_agent_hour`` became ``revenue_per_logged_in_hour``)."""
    written = summary.get("callsim_version")
    if not isinstance(written, str) or written == __version__:
        return ""
    return f" (written by callsim {written}, this is {__version__}: run the scenario again)"


def load_compare(folder: Path) -> Comparison:
    path = folder / "manifest.json"
    made = read_manifest(folder)
    folders = made.get("folders")
    if not isinstance(folders, dict) or not folders:
        raise ResultsError(f"{path}: folders: should map plans to folders")
    results = {}
    for name, sub in folders.items():
        if (
            not isinstance(sub, str)
            or not sub
            or Path(sub).is_absolute()
            or ".." in Path(sub).parts
        ):
            raise ResultsError(
                f"{path}: folders.{name}: expected a folder inside {folder}, got {json.dumps(sub)}"
            )
        results[str(name)] = load_run(folder / sub)
    if len(results) < 2:
        raise ResultsError(f"{path}: folders: a comparison needs two plans or more")
    return compare_results(results, objective=_objective(made.get("call"), path))


def _objective(call: object, path: Path) -> Objective | None:
    """The objective the comparison recommended by (none recorded: the scenario's)."""
    spec = call.get("objective") if isinstance(call, dict) else None
    if spec is None:
        return None
    try:
        return Objective.model_validate(spec)
    except ValueError:
        raise ResultsError(
            f"{path}: call.objective: expected maximise (net_contribution or service_level) "
            f"and max_cost (a positive amount or null), got {json.dumps(spec)}"
        ) from None


def load_sweep(folder: Path) -> Sweep:
    path = folder / "manifest.json"
    manifest = read_manifest(folder)
    params = _field(manifest, "params", list, path)
    assert isinstance(params, list)
    if not params or not all(isinstance(p, str) for p in params):
        raise ResultsError(f"{path}: params: expected a list of parameter paths")
    pick = _field(manifest, "pick", str, path)
    if pick not in PICKS:
        raise ResultsError(
            f"{path}: pick: expected one of {', '.join(PICKS)}, got {json.dumps(pick)}"
        )
    try:
        points = pd.read_csv(folder / "sweep.csv")
    except FileNotFoundError:
        raise ResultsError(f"{folder}: missing sweep.csv") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ResultsError(
            f"{folder}/sweep.csv: unreadable ({' '.join(str(exc).split())})"
        ) from None
    missing = [p for p in params if p not in points.columns]
    if missing:
        raise ResultsError(f"{folder}/sweep.csv: no column for the parameter '{missing[0]}'")
    return Sweep(
        base=load_scenario(folder / "scenario.yaml"),
        params=params,
        points=points,
        results=[],
        seed=manifest["seed"],
        replications=manifest["replications"],
        created=str(manifest.get("created", "")),
        pick=pick,
    )


def _products(path: Path) -> pd.DataFrame | None:
    """Offers, sales and revenue per product, named as the scenario names them."""
    return pd.read_csv(path, dtype={"product": str}) if path.is_file() else None
