"""Reading scenario files and the CSV tables they point to, with one-line errors.

A planner's mistake must be reported as *which file, which field, what is wrong* — the CLI turns
:class:`ScenarioError` into that line and exit code 2.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from callsim.policies import registry
from callsim.scenario.overrides import deep_merge
from callsim.scenario.reason_mix import SHARE_SUM_TOLERANCE, interval_label
from callsim.scenario.schema import Horizon, Scenario, minutes
from callsim.scenario.sweep_grammar import parse_values
from callsim.scenario.yaml_file import ScenarioError, read_yaml


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
    """The file's ``sweep:`` section: parameter path -> values (a list, or text like -3:3),
    each value checked against the file's scenario. A file that ``extends`` another does not
    inherit its sweep."""
    data = resolve_extends(path)
    spec = data.get("sweep")
    if spec is None:
        return {}
    if not isinstance(spec, dict):
        raise ScenarioError(f"{path}: sweep: expected a mapping of parameter -> values")
    out = {}
    for name, values in spec.items():
        if not isinstance(name, str) or not name.strip():
            raise ScenarioError(f"{path}: sweep: {name!r} is not a parameter path (agents.scale)")
        if isinstance(values, dict) or values is None:
            raise ScenarioError(
                f"{path}: sweep.{name}: expected a list of values or text like -3:3 or 0.9,1.1"
            )
        try:
            out[name] = values if isinstance(values, list) else parse_values(str(values))
        except ValueError as exc:
            raise ScenarioError(f"{path}: sweep.{name}: {exc}") from None
    if out:
        check_sweep(load_scenario(path), out, f"{path}: sweep.")
    return out


def check_sweep(base: Scenario, params: dict[str, list], where: str) -> None:
    """Each parameter has values, and each value alone makes a valid scenario of ``base``;
    ``where`` starts the message (``plan.yaml: sweep.`` or ``--param ``)."""
    from callsim.scenario.sweep_grammar import nested

    resolved = base.model_dump(mode="json", exclude_none=True)
    for name, values in params.items():
        if not values:
            raise ScenarioError(f"{where}{name}: no values to sweep")
        if name == "currency" and len(set(values)) > 1:
            raise ScenarioError(
                f"{where}{name}: points in different currencies cannot be compared; sweep in "
                "one currency"
            )
        for value in values:
            scenario_from_dict(
                deep_merge(resolved, nested(name, value)),
                label=f"{where}{name}={value}",
                base_dir=Path.cwd(),
            )


def file_json_schema() -> dict[str, Any]:
    """The JSON Schema of a scenario *file*: the scenario's, with the keys only files have
    (``extends``, ``variants``, ``sweep``) as optional top-level keys. The scenario's required
    sections are required only of a file without ``extends``: a file that extends another
    gets them from it, and an editor must not flag it for writing only what differs."""
    schema = Scenario.model_json_schema()
    required = schema.pop("required", [])
    schema["if"] = {"required": ["extends"]}
    schema["then"] = {}
    schema["else"] = {"required": required}
    schema["properties"] = {
        "extends": {
            "type": "string",
            "title": "Extends",
            "description": "Path of a scenario file (relative to this one) to start from: this "
            "file overrides only what differs (mappings merge, null removes a key). The other "
            "file's variants and sweep are not inherited.",
        },
        **schema["properties"],
        "variants": {
            "type": "object",
            "title": "Variants",
            "description": "Plans for callsim compare: name -> overrides of this scenario.",
            "additionalProperties": {"type": "object"},
        },
        "sweep": {
            "type": "object",
            "title": "Sweep",
            "description": "Grid for callsim sweep: parameter path (agents.scale) -> values, a "
            "list or text like -3:3, 0.8:1.2:0.1 or a,b,c.",
            "additionalProperties": {"anyOf": [{"type": "array"}, {"type": "string"}]},
        },
    }
    return schema


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
    base_data.pop("variants", None)  # the base's variants and sweep are not inherited
    base_data.pop("sweep", None)
    base = scenario_from_dict(base_data, label=str(base_path), base_dir=base_path.parent)
    return deep_merge(base.model_dump(mode="json", exclude_none=True), data)


def scenario_from_dict(data: dict[str, Any], *, label: str, base_dir: Path) -> Scenario:
    """Validate ``data``, then inline the CSV tables so the scenario is self-contained."""
    scenario = _validate(data, label)
    resolved = scenario.model_dump(mode="json", exclude_none=True)
    arrivals = resolved["arrivals"]
    source = next(k for k in ("rate_per_hour", "volume", "volume_csv") if k in arrivals)
    if "volume_csv" in arrivals:
        csv = arrivals.pop("volume_csv")
        source = f"volume_csv: {csv}"
        where = f"{label}: arrivals.volume_csv"
        reasons = _reason_columns(base_dir / csv, list(scenario.reasons), where)
        if reasons is None:
            arrivals["volume"] = _read_interval_table(
                base_dir / csv, "calls", scenario.horizon, where
            )
        else:
            # The table's columns are the mix: they replace a mix the plan inherited (a base or
            # a variant's base read from another table by reason); a share table beside it is
            # a second mix, refused.
            if "reason_mix_csv" in arrivals:
                raise ScenarioError(
                    f"{where}: {csv} forecasts calls by reason, so it sets the reason mix; drop "
                    "arrivals.reason_mix_csv or give the CSV a 'calls' column"
                )
            table = read_interval_columns(
                base_dir / csv, reasons, scenario.horizon, where, finite=True
            )
            arrivals["volume"] = [math.fsum(row) for row in zip(*table.values(), strict=True)]
            arrivals["reason_mix"] = table
    if "reason_mix_csv" in arrivals:
        csv = arrivals.pop("reason_mix_csv")
        arrivals["reason_mix"] = _read_share_table(
            base_dir / csv,
            list(scenario.reasons),
            scenario.horizon,
            f"{label}: arrivals.reason_mix_csv",
        )
    tables: dict[str, str] = {}  # group -> the staffing CSV it was read from
    for name, group in resolved["agents"]["groups"].items():
        if "staffing_csv" in group:
            csv = tables[name] = group.pop("staffing_csv")
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
    if resolved != scenario.model_dump(mode="json", exclude_none=True):
        scenario = _validate(resolved, label)
    _check_limits(scenario, resolved, label, source, tables)
    return scenario


def _validate(data: dict[str, Any], label: str) -> Scenario:
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(format_validation_error(exc, label)) from None


MAX_POPULATION = 2**31 - 1
"""Customers are numbered with 32-bit integers."""
MAX_CV = 10.0
"""Beyond this spread a lognormal's (or gamma's) mean sits in draws too rare to occur in a run:
with cv 1000 a talk time of mean 180 s simulates as about 20 s. Real durations have cv 0.3-3."""


def _check_limits(
    scenario: Scenario, resolved: dict[str, Any], label: str, source: str, tables: dict[str, str]
) -> None:
    """Numbers the schema accepts but callsim cannot honour: each a one-line error naming the
    field, the limit and why."""
    a, h = scenario.arrivals, scenario.horizon
    factors = a.factor_per_day(h.days)
    days = _day_volumes(scenario)
    per_day = a.scale * max(v * f for v, f in zip(days, factors or [1.0] * h.days, strict=True))
    limits = scenario.simulation.limits
    if not per_day <= limits.calls_per_day:
        given = f"{a.rate_per_hour:g} calls an hour" if a.rate_per_hour else "the volume"
        scaled = f" at scale {a.scale:g}" if a.scale != 1 else ""
        scaled += " with its day_factors" if factors is not None else ""
        day = f"{per_day:.3g}" if per_day < float("inf") else "over 1e308"
        raise ScenarioError(
            f"{label}: arrivals.{source}: {given}{scaled} is {day} calls a day; callsim "
            f"simulates every call and takes at most {limits.calls_per_day:,} a day (the "
            f"largest centres take about 100,000; simulation.limits.calls_per_day raises it): "
            f"is it a daily figure typed as hourly?"
        )
    for path, agents in _headcounts(scenario, tables):
        if agents > limits.agents:
            raise ScenarioError(
                f"{label}: {path}: {agents:,.0f} agents is more than {limits.agents:,} (the "
                f"largest centres seat a few thousand; simulation.limits.agents raises it)"
            )
    population = scenario.selling.population
    if population is not None and population > MAX_POPULATION:
        raise ScenarioError(
            f"{label}: selling.population: at most {MAX_POPULATION:,} customers (they are "
            f"numbered with 32-bit integers; got {population:,})"
        )
    for path, cv in _spreads(resolved):
        if cv > MAX_CV:
            raise ScenarioError(
                f"{label}: {path}.cv: {cv:g} is more than {MAX_CV:g}: with that spread the mean "
                f"lies in draws too rare to occur, so the simulated mean would fall far short "
                f"of the one given (cv is the standard deviation / the mean, not in seconds)"
            )


def _day_volumes(scenario: Scenario) -> list[float]:
    """Each day's forecast calls before ``scale`` and ``day_factors``, as the model's forecast
    counts them (model code is not imported here: it is a layer above the scenario)."""
    a, h = scenario.arrivals, scenario.horizon
    n = h.intervals_per_day
    if a.rate_per_hour is not None:
        return [a.rate_per_hour * n * h.interval_min / 60.0] * h.days
    volume = a.volume or []
    days = [sum(volume[k : k + n]) for k in range(0, len(volume), n)]
    return days * h.days if len(days) == 1 else days


def _headcounts(scenario: Scenario, tables: dict[str, str]) -> list[tuple[str, float]]:
    """(field, agents it puts on at once at the roster's scale): each group's shift rows added
    up, or its staffing table's largest entry, and the roster in all."""
    scale = scenario.agents.scale
    out: list[tuple[str, float]] = []
    total = 0.0
    for name, group in scenario.agents.groups.items():
        if group.shifts is not None:
            count = sum(s.count for s in group.shifts) * scale
            field = f"agents.groups.{name}.shifts"
        else:
            count = max(group.staffing or [0]) * scale
            field = f"agents.groups.{name}.staffing"
            if name in tables:
                field = f"agents.groups.{name}.staffing_csv: {tables[name]}"
        out.append((field, count))
        total += count
    return [*out, ("agents.groups", total)]


def _spreads(data: dict[str, Any]) -> list[tuple[str, float]]:
    """(path, cv) of every lognormal or gamma distribution in a resolved scenario."""
    out: list[tuple[str, float]] = []
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            cv = node.get("cv")
            if node.get("dist") in ("lognormal", "gamma") and isinstance(cv, float | int):
                out.append((path, float(cv)))
            stack += [(v, f"{path}.{k}" if path else str(k)) for k, v in node.items()]
        elif isinstance(node, list):
            stack += [(v, f"{path}.{k}") for k, v in enumerate(node)]
    return sorted(out)


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
    """Values per interval, in horizon order, from a table keyed by interval start (and day).

    Read with the csv module, not pandas: validating a scenario should not wait for pandas to
    import. Blank lines are skipped, a short row's missing cells are empty, and a row with more
    cells than the header is refused, as pandas reads a table."""
    return read_interval_columns(path, [column], horizon, where)[column]


def read_csv_header(path: Path, where: str) -> list[str]:
    """The names in a CSV's header row, stripped."""
    return [name.strip() for name in _read_csv(path, where)[0]]


def read_interval_columns(
    path: Path, columns: list[str], horizon: Horizon, where: str, *, finite: bool = False
) -> dict[str, list[float]]:
    """:func:`_read_interval_table` for several columns at once (a number ≥ 0 in each cell;
    ``finite`` refuses an infinite one too)."""
    header, rows, lines = _read_csv(path, where)
    header = [name.strip() for name in header]
    for required in ("interval_start", *columns):
        if required not in header:
            raise ScenarioError(f"{where}: {path} has no column '{required}'")
    cells = [dict(zip(header, row + [""] * (len(header) - len(row)), strict=True)) for row in rows]
    by_day = "day" in header
    return {
        column: _interval_order(path, cells, lines, column, horizon, where, by_day, finite)
        for column in columns
    }


def _interval_order(
    path: Path,
    cells: list[dict[str, str]],
    lines: list[int],
    column: str,
    horizon: Horizon,
    where: str,
    by_day: bool,
    finite: bool,
) -> list[float]:
    values: list[float] = []
    for cell, line in zip(cells, lines, strict=True):
        text = cell[column].strip()
        value = _number(text)
        if value is None or not value >= 0 or (finite and value == math.inf):
            shown = text if value is not None else repr(text)
            if text.lower() in _EMPTY:
                shown = "an empty cell"
            kind = "a finite number" if finite else "a number"
            raise ScenarioError(
                f"{where}: {path} line {line}: '{column}' must be {kind} ≥ 0 (got {shown})"
            )
        values.append(value)
    open_min = minutes(horizon.open)
    starts = [open_min + k * horizon.interval_min for k in range(horizon.intervals_per_day)]
    labels = [f"{m // 60:02d}:{m % 60:02d}" for m in starts]
    days = list(range(1, horizon.days + 1)) if by_day else [None]
    keys = [cell["interval_start"].strip().zfill(5) for cell in cells]
    if by_day:
        keys = [f"{_day(cell['day'])}/{key}" for cell, key in zip(cells, keys, strict=True)]
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
            out.append(lookup.pop(key))
    if lookup:
        extra = next(iter(lookup))
        raise ScenarioError(
            f"{where}: {path} row '{extra}' is not a {horizon.interval_min}-minute interval "
            f"between {horizon.open} and {horizon.close}"
        )
    return out


def _reason_columns(path: Path, reasons: list[str], where: str) -> list[str] | None:
    """The reasons of a volume CSV forecast by reason (a column for each, no 'calls'), or None
    for a CSV of total calls, which may carry other columns (notes) as before. Once one column
    names a reason, every other one must too: a misspelt reason is an error, not a note."""
    header = read_csv_header(path, where)
    others = [name for name in header if name not in ("interval_start", "day")]
    if "calls" in header:
        return None
    if not any(name in reasons for name in others):
        raise ScenarioError(
            f"{where}: {path} has no column 'calls' (nor one per call reason: {', '.join(reasons)})"
        )
    _same_reasons(path, others, reasons, where)
    return reasons


def _same_reasons(path: Path, columns: list[str], reasons: list[str], where: str) -> None:
    for name in columns:
        if name not in reasons:
            raise ScenarioError(
                f"{where}: {path} column '{name}' is not a call reason of the scenario "
                f"({', '.join(reasons)})"
            )
    for name in reasons:
        if name not in columns:
            raise ScenarioError(
                f"{where}: {path} has no column for call reason '{name}' (a forecast by reason "
                "needs one for each)"
            )


def _read_share_table(
    path: Path, reasons: list[str], horizon: Horizon, where: str
) -> dict[str, list[float]]:
    """Each reason's share per interval, every share at most 1 and each interval's adding up to
    1 (within rounding)."""
    header = read_csv_header(path, where)
    _same_reasons(path, [h for h in header if h not in ("interval_start", "day")], reasons, where)
    table = read_interval_columns(path, reasons, horizon, where, finite=True)
    for k, row in enumerate(zip(*table.values(), strict=True)):
        interval = interval_label(horizon, k)
        for name, share in zip(reasons, row, strict=True):
            if share > 1:
                raise ScenarioError(
                    f"{where}: {path} {interval}: '{name}' is a share, at most 1 (got {share:g})"
                )
        total = math.fsum(row)
        if abs(total - 1) > SHARE_SUM_TOLERANCE:
            raise ScenarioError(f"{where}: {path} {interval}: the shares sum to {total:g}, not 1")
    return table


_EMPTY = {"", "nan", "na", "n/a", "null", "none", "#n/a", "<na>"}
"""Cells that stand for no value (what pandas would read as missing)."""


def _read_csv(path: Path, where: str) -> tuple[list[str], list[list[str]], list[int]]:
    """The header, the data rows and the line each starts on, blank lines skipped."""
    import csv

    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f, strict=True)
            last = 0
            for row in reader:
                start, last = last + 1, reader.line_num
                if row and not (len(row) == 1 and not row[0].strip()):
                    rows.append(row)
                    lines.append(start)
    except FileNotFoundError:
        raise ScenarioError(f"{where}: no such file {path}") from None
    except (csv.Error, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{where}: {path} is not a readable CSV ({exc})") from None
    if not rows:
        raise ScenarioError(f"{where}: {path} is not a readable CSV (no header row)")
    width = len(rows[0])
    for row, line in zip(rows[1:], lines[1:], strict=True):
        if len(row) > width:
            raise ScenarioError(
                f"{where}: {path} is not a readable CSV (line {line} has {len(row)} cells, "
                f"the header {width})"
            )
    return rows[0], rows[1:], lines[1:]


def _number(text: str) -> float | None:
    """The cell's number (None if it is not one, or empty); NaN for a missing-value word."""
    if text.lower() in _EMPTY:
        return math.nan
    try:
        return float(text)
    except ValueError:
        return None


def _day(text: str) -> str:
    """The day column's cell as a key: 1 and 01 are the same day."""
    text = text.strip()
    return str(int(text)) if text.lstrip("+").isdigit() else text
