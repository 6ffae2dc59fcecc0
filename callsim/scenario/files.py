"""Reading scenario files and the CSV tables they point to, with one-line errors.

A planner's mistake must be reported as *which file, which field, what is wrong* — the CLI turns
:class:`ScenarioError` into that line and exit code 2.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from callsim.errors import UserError
from callsim.policies import registry
from callsim.scenario.overrides import deep_merge
from callsim.scenario.schema import Horizon, Scenario, minutes
from callsim.scenario.sweep_grammar import parse_values


class ScenarioError(UserError):
    """A scenario (or a table it names) cannot be used; the message is one line for the user."""


class _ScenarioLoader(yaml.SafeLoader):
    """Safe YAML with two traps for planners removed: a repeated key is an error rather than a
    silent overwrite, and ``10:00`` stays a clock time (YAML 1.1 would read it as 600)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key '{key}' appears twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_INT, _FLOAT = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_ScenarioLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_INT, _FLOAT)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_ScenarioLoader.add_implicit_resolver(
    _INT,
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"),
)
_ScenarioLoader.add_implicit_resolver(
    _FLOAT,
    re.compile(
        r"^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?\.[0-9_]+(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


def load_scenario(source: str | Path | dict[str, Any] | Scenario) -> Scenario:
    """Validate a scenario from a YAML path or a plain dict (CSV paths relative to the file).

    A file's ``variants`` are validated too, but only the base plan is returned."""
    if isinstance(source, Scenario):
        return source
    return next(iter(load_plans(source).values()))


def load_plans(source: str | Path | dict[str, Any]) -> dict[str, Scenario]:
    """The base plan and each of its ``variants`` (name -> overrides of the base), by name."""
    if isinstance(source, dict):
        data, label, base_dir = dict(source), "<scenario>", Path.cwd()
    else:
        path = Path(source)
        data, label, base_dir = resolve_extends(path), str(path), path.parent
    data.pop("sweep", None)  # read by load_sweep_spec
    variants = data.pop("variants", None) or {}
    if not isinstance(variants, dict) or not all(isinstance(v, dict) for v in variants.values()):
        raise ScenarioError(f"{label}: variants: expected a mapping of name -> overrides")
    base = scenario_from_dict(data, label=label, base_dir=base_dir)
    plans = {base.name: base}
    resolved = base.model_dump(mode="json", exclude_none=True)
    for name, overrides in variants.items():
        merged = deep_merge(resolved, {"name": str(name), **overrides})
        if merged["name"] in plans:
            raise ScenarioError(f"{label}: variants.{name}: plan name '{merged['name']}' is taken")
        plans[merged["name"]] = scenario_from_dict(
            merged, label=f"{label}: variants.{name}", base_dir=base_dir
        )
    return plans


def load_sweep_spec(path: Path) -> dict[str, list]:
    """The file's ``sweep:`` section: parameter path -> values (a list, or text like -3:3)."""
    spec = resolve_extends(path).get("sweep") or {}
    if not isinstance(spec, dict):
        raise ScenarioError(f"{path}: sweep: expected a mapping of parameter -> values")
    out = {}
    for name, values in spec.items():
        try:
            out[str(name)] = values if isinstance(values, list) else parse_values(str(values))
        except ValueError as exc:
            raise ScenarioError(f"{path}: sweep.{name}: {exc}") from None
    return out


def resolve_extends(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The file's mapping with ``extends: other.yaml`` applied: the other scenario, resolved
    (CSV tables inlined), with this file's keys merged over it."""
    data = read_yaml(path)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ScenarioError(f"{path}: extends: expected the path of a scenario file")
    base_path = (path.parent / parent).resolve()
    if not base_path.is_file():
        raise ScenarioError(f"{path}: extends: {parent}: no such file")
    if base_path in seen:
        raise ScenarioError(f"{path}: extends: {parent} is already being extended (a cycle)")
    base_data = resolve_extends(base_path, (*seen, path.resolve()))
    base_data.pop("variants", None)  # variants of the base are not inherited
    base = scenario_from_dict(base_data, label=str(base_path), base_dir=base_path.parent)
    return deep_merge(base.model_dump(mode="json", exclude_none=True), data)


def read_yaml(path: Path) -> dict[str, Any]:
    """The mapping in a YAML file, or a ScenarioError naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read: {' '.join(str(exc).split())}") from None
    try:
        data = yaml.load(text, Loader=_ScenarioLoader)  # a SafeLoader: no arbitrary objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise ScenarioError(f"{path}: not valid YAML{where}: {problem}") from None
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: expected a YAML mapping of scenario sections at the top")
    return data


def scenario_from_dict(data: dict[str, Any], *, label: str, base_dir: Path) -> Scenario:
    """Validate ``data``, then inline the CSV tables so the scenario is self-contained."""
    scenario = _validate(data, label)
    resolved = scenario.model_dump(mode="json", exclude_none=True)
    arrivals = resolved["arrivals"]
    if "volume_csv" in arrivals:
        csv = arrivals.pop("volume_csv")
        arrivals["volume"] = _read_interval_table(
            base_dir / csv, "calls", scenario.horizon, f"{label}: arrivals.volume_csv"
        )
    for name, group in resolved["agents"]["groups"].items():
        if "staffing_csv" in group:
            csv = group.pop("staffing_csv")
            values = _read_interval_table(
                base_dir / csv,
                "agents",
                scenario.horizon,
                f"{label}: agents.groups.{name}.staffing_csv",
            )
            fractional = [v for v in values if v != int(v)]
            if fractional:
                raise ScenarioError(
                    f"{label}: agents.groups.{name}.staffing_csv: {csv}: 'agents' must be whole "
                    f"numbers (got {fractional[0]:g})"
                )
            group["staffing"] = [int(v) for v in values]
    if resolved == scenario.model_dump(mode="json", exclude_none=True):
        return scenario
    return _validate(resolved, label)


def _validate(data: dict[str, Any], label: str) -> Scenario:
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(format_validation_error(exc, label)) from None


def format_validation_error(exc: ValidationError, label: str) -> str:
    """The first problem as ``file: field.path: message`` (with a count of any others)."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    loc = [str(p) for p in first["loc"]]
    # Pydantic puts a union's tag in the path (talk.exponential.mean); the file has no such level.
    tags = _DIST_TAGS | set(registry.kinds())
    loc = [p for k, p in enumerate(loc) if not (k and loc[k - 1] in _UNION_FIELDS and p in tags)]
    path = ".".join(loc)
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown key"
        if loc and loc[-1] in ("mean", "value", "values"):
            message += f" (durations name their unit: {loc[-1]}_s or {loc[-1]}_min)"
    elif first["type"] == "missing":
        message = "required key is missing"
    elif "input" in first and not isinstance(first["input"], dict | list):
        message += f" (got {first['input']!r})"
    more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
    where = f"{path}: " if path else ""
    return f"{label}: {where}{message}{more}"


_UNION_FIELDS = {"talk", "wrapup", "patience", "delay", "pitch", "repeat_delay", "policy"}
_DIST_TAGS = {"exponential", "lognormal", "gamma", "fixed", "empirical", "none"}


def _read_interval_table(path: Path, column: str, horizon: Horizon, where: str) -> list[float]:
    """Values per interval, in horizon order, from a table keyed by interval start (and day)."""
    import pandas as pd  # only scenarios with CSV tables pay for importing pandas

    try:
        table = pd.read_csv(path)
    except FileNotFoundError:
        raise ScenarioError(f"{where}: no such file {path}") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        detail = " ".join(str(exc).split())  # pandas' messages may span lines
        raise ScenarioError(f"{where}: {path} is not a readable CSV ({detail})") from None
    table.columns = [str(c).strip() for c in table.columns]
    for required in ("interval_start", column):
        if required not in table.columns:
            raise ScenarioError(f"{where}: {path} has no column '{required}'")
    values = pd.to_numeric(table[column], errors="coerce")
    if values.isna().any() or (values < 0).any():
        row = int((values.isna() | (values < 0)).to_numpy().argmax()) + 2
        raise ScenarioError(
            f"{where}: {path} line {row}: '{column}' must be a number ≥ 0 "
            f"(got {table[column].iloc[row - 2]!r})"
        )
    open_min = minutes(horizon.open)
    starts = [open_min + k * horizon.interval_min for k in range(horizon.intervals_per_day)]
    labels = [f"{m // 60:02d}:{m % 60:02d}" for m in starts]
    days = list(range(1, horizon.days + 1)) if "day" in table.columns else [None]
    keys = table["interval_start"].astype(str).str.strip().str.zfill(5)
    if "day" in table.columns:
        keys = table["day"].astype(str) + "/" + keys
    lookup = dict(zip(keys, values, strict=True))
    if len(lookup) != len(keys):
        raise ScenarioError(f"{where}: {path} lists an interval more than once")
    out: list[float] = []
    for day in days:
        for label in labels:
            key = label if day is None else f"{day}/{label}"
            if key not in lookup:
                day_txt = "" if day is None else f"day {day} "
                raise ScenarioError(f"{where}: {path} has no row for {day_txt}{label}")
            out.append(float(lookup.pop(key)))
    if lookup:
        extra = next(iter(lookup))
        raise ScenarioError(
            f"{where}: {path} row '{extra}' is not a {horizon.interval_min}-minute interval "
            f"between {horizon.open} and {horizon.close}"
        )
    return out
