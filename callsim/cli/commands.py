"""The ``callsim`` command: a thin layer over the Python API.

Every user mistake (a :class:`~callsim.errors.UserError`, or file-system trouble) ends in one line
on stderr naming the file and field, and exit code 2; any other exception is a bug in callsim and
ends in a traceback, not in a message that sends the user looking for a mistake they did not make.
"""

from __future__ import annotations

import json
import math
import shlex
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from callsim.cli.deferred import deferred
from callsim.errors import UserError
from callsim.experiment.cluster import Cluster, connect
from callsim.experiment.pool import Interrupted
from callsim.experiment.sweep_result import Pick
from callsim.measure.catalogue import clip_interval, extra_kpis, fmt, kpis_in
from callsim.planning.isa_iterations import MAX_ITERATIONS
from callsim.scenario import bundled
from callsim.store.plotly_file import PLOTLY_FILE, needs_file, write_plotly

if TYPE_CHECKING:
    import pandas as pd

    from callsim.experiment.compare import compare
    from callsim.experiment.goal import goal_statement
    from callsim.experiment.pairing import Comparison, compare_results
    from callsim.experiment.precision import PrecisionOutcome, parse_targets, stopping_rule
    from callsim.experiment.results import SimulationResult
    from callsim.experiment.runner import simulate
    from callsim.experiment.sweep import sweep
    from callsim.experiment.sweep_result import Sweep
    from callsim.measure.money import money_label, money_terms
    from callsim.measure.resolution import shown as resolution_shown
    from callsim.model.timegrid import time_grid
    from callsim.planning.isa import IsaProgress, IsaResult, isa_requirement
    from callsim.planning.plan import Plan, PlanProgress, plan_policies
    from callsim.planning.requirement import erlang_summary, staffing_requirement
    from callsim.planning.requirement_file import read_requirement
    from callsim.planning.schedule import Schedule, build_schedule
    from callsim.planning.sizing import Target
    from callsim.scenario.candidates import expand, parse_policy
    from callsim.scenario.files import (
        check_sweep,
        file_json_schema,
        load_plans,
        load_scenario,
        load_sweep_spec,
    )
    from callsim.scenario.objective import Objective
    from callsim.scenario.schema import Scenario
    from callsim.scenario.sweep_grammar import parse_param
    from callsim.store.read import load_results, load_run
    from callsim.store.staffing import write_requirements
    from callsim.store.write import (
        check_target,
        write_compare,
        write_plan,
        write_run,
        write_schedule,
        write_sweep,
    )
else:
    # Imported when a command first calls them (callsim.cli.deferred): they bring pandas, scipy
    # or plotly, which --help, validate, schema, scenarios and init do without, or numpy and
    # the scenario schema, which --help does without.
    goal_statement = deferred("callsim.experiment.goal", "goal_statement")
    parse_targets = deferred("callsim.experiment.precision", "parse_targets")
    stopping_rule = deferred("callsim.experiment.precision", "stopping_rule")
    money_label = deferred("callsim.measure.money", "money_label")
    money_terms = deferred("callsim.measure.money", "money_terms")
    resolution_shown = deferred("callsim.measure.resolution", "shown")
    time_grid = deferred("callsim.model.timegrid", "time_grid")
    expand = deferred("callsim.scenario.candidates", "expand")
    parse_policy = deferred("callsim.scenario.candidates", "parse_policy")
    check_sweep = deferred("callsim.scenario.files", "check_sweep")
    file_json_schema = deferred("callsim.scenario.files", "file_json_schema")
    load_plans = deferred("callsim.scenario.files", "load_plans")
    load_scenario = deferred("callsim.scenario.files", "load_scenario")
    load_sweep_spec = deferred("callsim.scenario.files", "load_sweep_spec")
    parse_param = deferred("callsim.scenario.sweep_grammar", "parse_param")
    compare = deferred("callsim.experiment.compare", "compare")
    compare_results = deferred("callsim.experiment.pairing", "compare_results")
    simulate = deferred("callsim.experiment.runner", "simulate")
    sweep = deferred("callsim.experiment.sweep", "sweep")
    isa_requirement = deferred("callsim.planning.isa", "isa_requirement")
    plan_policies = deferred("callsim.planning.plan", "plan_policies")
    erlang_summary = deferred("callsim.planning.requirement", "erlang_summary")
    staffing_requirement = deferred("callsim.planning.requirement", "staffing_requirement")
    read_requirement = deferred("callsim.planning.requirement_file", "read_requirement")
    build_schedule = deferred("callsim.planning.schedule", "build_schedule")
    load_results = deferred("callsim.store.read", "load_results")
    load_run = deferred("callsim.store.read", "load_run")
    write_requirements = deferred("callsim.store.staffing", "write_requirements")
    check_target = deferred("callsim.store.write", "check_target")
    write_compare = deferred("callsim.store.write", "write_compare")
    write_plan = deferred("callsim.store.write", "write_plan")
    write_run = deferred("callsim.store.write", "write_run")
    write_schedule = deferred("callsim.store.write", "write_schedule")
    write_sweep = deferred("callsim.store.write", "write_sweep")

app = typer.Typer(
    add_completion=False,
    rich_markup_mode="markdown",
    no_args_is_help=True,
    help="Simulate inbound customer-service hotlines: service, staffing and selling.",
)
# Wide when piped (CI logs, files), so tables are not cut to 80 columns.
out_console = Console(width=None if sys.stdout.isatty() else 140)
err_console = Console(stderr=True, width=None if sys.stderr.isatty() else 140)

DEFAULT_SCENARIO = bundled.default_path()

ScenarioArg = Annotated[
    Path,
    typer.Argument(
        help="Scenario YAML file, or a bundled scenario's name (see `callsim scenarios`).",
        show_default=False,
    ),
]
Replications = Annotated[
    int | None, typer.Option("--replications", "-r", min=1, help="Default: the scenario's.")
]
Seed = Annotated[int | None, typer.Option(min=0, help="Default: the scenario's.")]
Workers = Annotated[int | None, typer.Option("--workers", "-w", min=1, help="Default: all cores.")]
Out = Annotated[Path | None, typer.Option("--out", "-o", help="Results directory.")]
ClusterOpt = Annotated[
    str | None,
    typer.Option(
        "--cluster",
        # The backslash keeps rich from reading "[cluster]" as markup and dropping it.
        help="Run the replications on Dask: a scheduler's address (tcp://host:8786), or local:N "
        'for a LocalCluster of N workers (needs pip install "callsim\\[cluster]").',
        show_default=False,
    ),
]
Force = Annotated[bool, typer.Option(help="Replace a non-empty results directory.")]
Lang = Annotated[
    str, typer.Option(help="Language of report.html: en or zh (one report, in that language).")
]


def fail(message: str) -> NoReturn:
    err_console.print(Text.assemble(("error:", "bold red"), " ", message), soft_wrap=True)
    raise typer.Exit(2)


def say(message: str) -> None:
    """A plain line on stderr; user text (file names) is never read as markup."""
    err_console.print(Text(message), soft_wrap=True)


@contextmanager
def user_errors(*also: type[Exception]) -> Iterator[None]:
    """Turn the errors a user can cause into one line and exit code 2: a :class:`UserError`,
    file-system trouble, and the exception types in ``also`` where a command knows that they
    can only come from its input. Anything else is a bug in callsim and ends in a traceback.
    Ctrl-C or SIGTERM (see :func:`main`) end in one line and exit code 130, with the workers
    stopped and no results directory half written."""
    try:
        yield
    except Interrupted as exc:
        say(f"interrupted after {exc.done} of {exc.total} replications; nothing written")
        raise typer.Exit(130) from None
    except KeyboardInterrupt:
        say("interrupted; nothing written")
        raise typer.Exit(130) from None
    except UserError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "))
    except also as exc:
        fail(str(exc))


def _scenario_path(path: Path) -> Path:
    """The file itself, or the bundled scenario of that name when no such file exists."""
    with user_errors():
        return bundled.resolve(path)


def _load(path: Path) -> Scenario:
    with user_errors():
        return load_scenario(path)


def _command_line(ctx: typer.Context) -> str:
    """The running command as the user gave it (what they typed, not the defaults), to record in
    a results directory's manifest; rebuilt from the parsed parameters, so it is the same whether
    a shell or a test called the command."""
    words = ["callsim", str(ctx.info_name)]
    for param in ctx.command.params:
        name = str(param.name)
        source = ctx.get_parameter_source(name)
        if source is None or source.name not in ("COMMANDLINE", "ENVIRONMENT"):
            continue
        value = ctx.params.get(name)
        values = list(value) if isinstance(value, list | tuple) else [value]
        if param.param_type_name == "argument":
            words += [str(v) for v in values]
        elif getattr(param, "is_flag", False):
            secondary = getattr(param, "secondary_opts", [])
            if value or not secondary:
                words.append(_long(param.opts))
            else:
                words.append(_long(secondary))
        else:
            for v in values:
                words += [_long(param.opts), str(v)]
    return shlex.join(words)


def _long(opts: list[str]) -> str:
    return next((o for o in opts if o.startswith("--")), opts[0])


@app.command()
def run(
    ctx: typer.Context,
    scenario: Annotated[
        Path | None,
        typer.Argument(
            help="Scenario YAML file, or a bundled scenario's name (default: the bundled "
            "credit-card hotline).",
            show_default=False,
        ),
    ] = None,
    replications: Replications = None,
    seed: Seed = None,
    workers: Workers = None,
    out: Out = None,
    force: Force = False,
    save_calls: Annotated[bool, typer.Option(help="Also write calls.csv.gz.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print summary.json to stdout.")] = False,
    lang: Lang = "en",
    precision: Annotated[
        list[str] | None,
        typer.Option(
            "--precision",
            help="KPI=HALFWIDTH, e.g. service_level=0.01 (one point) or asa_s=2 (seconds): run "
            "batches of replications, the first of -r, until each KPI's 95% CI half-width is at "
            "most this (repeat for several; replaces the scenario's simulation.precision).",
            show_default=False,
        ),
    ] = None,
    max_replications: Annotated[
        int | None,
        typer.Option(
            "--max-replications",
            min=2,
            help="With --precision: the most replications to run (default: the scenario's "
            "simulation.max_replications, else 200).",
            show_default=False,
        ),
    ] = None,
    cluster: ClusterOpt = None,
) -> None:
    """Run a scenario's replications and print its KPIs with 95% confidence intervals."""
    path = DEFAULT_SCENARIO if scenario is None else _scenario_path(scenario)
    model = _load(path)
    _check_outputs(lang, out, force)
    if save_calls and out is None:
        fail("--save-calls needs --out DIR to write calls.csv.gz into")
    targets = _stopping(model, path, precision, max_replications, replications)
    with user_errors(), _cluster(cluster, workers) as on, _progress("Simulating") as progress:
        result = simulate(
            model,
            replications=replications,
            seed=seed,
            workers=workers,
            keep_calls=save_calls,
            progress=progress,
            precision=targets,
            max_replications=max_replications,
            cluster=on,
        )
    if as_json:
        sys.stdout.write(json.dumps(result.to_summary_dict(), indent=2, allow_nan=False) + "\n")
    else:
        _print_summary(result, path)
    _save(ctx, result, out, force, lang)


@app.command("compare")
def compare_cmd(
    ctx: typer.Context,
    sources: Annotated[
        list[Path],
        typer.Argument(
            help="Scenario files or bundled names (each with its variants), or results "
            "directories of earlier runs with the same seed and replications. The first plan "
            "is the baseline.",
            show_default=False,
        ),
    ],
    replications: Replications = None,
    seed: Seed = None,
    workers: Workers = None,
    out: Out = None,
    force: Force = False,
    lang: Lang = "en",
    cluster: ClusterOpt = None,
    objective: Annotated[
        str | None,
        typer.Option(
            help="Which plan to recommend: net_contribution (the most net contribution among "
            "plans meeting the service-level goal) or service_level (the best service level). "
            "Default: the baseline scenario's objective, else net_contribution.",
            show_default=False,
        ),
    ] = None,
    max_cost: Annotated[
        str | None,
        typer.Option(
            help="Recommend only plans whose mean staff cost over the horizon is at most this "
            "amount. Default: the baseline scenario's objective.max_cost, else none.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Compare plans on common random numbers: each KPI with its CI, the paired difference
    to the baseline with a verdict, and the plan to recommend."""
    from callsim.scenario.objective import OBJECTIVES

    _check_outputs(lang, out, force)
    ceiling = _max_cost(max_cost)
    if objective is not None and objective not in OBJECTIVES:
        fail(f"--objective: expected {' or '.join(OBJECTIVES)}, got {objective!r}")
    sources = [_scenario_path(p) for p in sources]
    _check_distinct(sources)
    with user_errors():
        if all(p.is_dir() for p in sources):
            if len(sources) < 2:
                fail(f"{sources[0]}: one results directory only; compare it with another")
            runs: dict[str, SimulationResult] = {}
            for folder in sources:
                result = load_run(folder)
                runs[f"{result.scenario.name} ({_shown(folder)})"] = result
            comparison = compare_results(runs)
        elif any(p.is_dir() for p in sources):
            fail("compare takes either scenario files or results directories, not both")
        else:
            plans: dict[str, Scenario] = {}
            for path in sources:
                for name, plan in load_plans(path).items():
                    key = name if name not in plans else f"{_shown(path)}: {name}"
                    if key in plans:
                        fail(f"{path}: plan name '{name}' is taken by another file's plan")
                    plans[key] = plan
            if len(plans) < 2:
                fail(f"{sources[0]}: one plan only; give two files or a file with variants")
            _stopping(next(iter(plans.values())), sources[0], None, None, replications)
            with _cluster(cluster, workers) as on, _progress("Simulating plans") as progress:
                comparison = compare(
                    plans,
                    replications=replications,
                    seed=seed,
                    workers=workers,
                    progress=progress,
                    cluster=on,
                )
        chosen = _objective(comparison, objective, ceiling)
        comparison = replace(comparison, objective=chosen)
    _print_comparison(comparison)
    _save(ctx, comparison, out, force, lang)


def _max_cost(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        fail(f"--max-cost: expected a positive amount, got {text!r}")
    if not (math.isfinite(value) and value > 0):
        fail(f"--max-cost: expected a positive amount, got {text!r}")
    return value


def _objective(comparison: Comparison, maximise: str | None, ceiling: float | None) -> Objective:
    """The command line's choice over the baseline scenario's ``objective:``, key by key."""
    from callsim.scenario.objective import Objective

    own = comparison.results[comparison.baseline].scenario.objective or Objective()
    return Objective(
        maximise=maximise or own.maximise,  # type: ignore[arg-type]
        max_cost=own.max_cost if ceiling is None else ceiling,
    )


@app.command("sweep")
def sweep_cmd(
    ctx: typer.Context,
    scenario: ScenarioArg,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            "-p",
            help="PATH=VALUES, e.g. selling.policy.k=-3:3 or agents.scale=0.9,1.0,1.1 "
            "(repeat for a grid; default: the file's sweep section).",
        ),
    ] = None,
    replications: Replications = None,
    seed: Seed = None,
    workers: Workers = None,
    out: Out = None,
    force: Force = False,
    lang: Lang = "en",
    pick: Annotated[
        Pick,
        typer.Option(
            help="How a point meets the goal, to be the best: confident (the service level's "
            "95% CI reaches the target, the rule of every verdict) or mean (the mean alone: "
            "cheaper points, at the risk shown)."
        ),
    ] = "confident",
    cluster: ClusterOpt = None,
) -> None:
    """Run a grid of plans and find the efficient frontier of service level against net
    contribution, and the best point meeting the service-level goal."""
    scenario = _scenario_path(scenario)
    model = _load(scenario)
    _check_outputs(lang, out, force)
    with user_errors():
        if param:
            params = dict(parse_param(p) for p in param)
            check_sweep(model, params, "--param ")
        else:
            params = load_sweep_spec(scenario)
        if not params:
            fail(f"{scenario}: nothing to sweep; give --param PATH=VALUES or a sweep: section")
        _stopping(model, scenario, None, None, replications)
        with _cluster(cluster, workers) as on, _progress("Sweeping") as progress:
            result = sweep(
                model,
                params,
                replications=replications,
                seed=seed,
                workers=workers,
                progress=progress,
                pick=pick,
                cluster=on,
            )
    _print_sweep(result)
    _save(ctx, result, out, force, lang)


@app.command("report")
def report_cmd(
    results: Annotated[Path, typer.Argument(help="A results directory.", show_default=False)],
    lang: Lang = "en",
    single_file: Annotated[
        bool,
        typer.Option(
            "--single-file",
            help="Put plotly.js inside report.html (4.8 MB more), to mail it on its own; "
            "by default the report loads plotly.min.js from its folder.",
        ),
    ] = False,
) -> None:
    """Rebuild report.html from a results directory, in the language of --lang (as run,
    compare and sweep write it): the report is always report.html, in one language."""
    _check_lang(lang)
    with user_errors():
        html = _report(load_results(results), lang, single_file)
        if needs_file(html):
            write_plotly(results / PLOTLY_FILE)
    target = results / "report.html"
    _write_file(target, lambda p: p.write_text(html, encoding="utf-8"))
    say(f"Report written to {target}")


@app.command()
def validate(scenario: ScenarioArg) -> None:
    """Check a scenario file (and the CSV files it names) without running it."""
    scenario = _scenario_path(scenario)
    model = _load(scenario)
    with user_errors():
        plans = len(load_plans(scenario))
        grid = load_sweep_spec(scenario)
    extra = f", {plans - 1} variant(s)" if plans > 1 else ""
    if grid:
        extra += f", a sweep of {math.prod(len(v) for v in grid.values())} point(s)"
    out_console.print(
        Text(
            f"{scenario}: OK — '{model.name}', {model.horizon.days} day(s) of "
            f"{model.horizon.intervals_per_day} × {model.horizon.interval_min}-min intervals, "
            f"{len(model.reasons)} call reason(s), {len(model.agents.groups)} agent group(s), "
            f"{len(model.products)} product(s), selling policy '{model.selling.policy.kind}'"
            f"{extra}"
        ),
        soft_wrap=True,
    )


@app.command()
def schema() -> None:
    """Print the scenario file's JSON Schema (for editor autocompletion)."""
    sys.stdout.write(json.dumps(file_json_schema(), indent=2) + "\n")


@app.command("scenarios")
def scenarios_cmd() -> None:
    """List the bundled scenarios, to run by name (callsim run policies/threshold) or to copy
    out with callsim init."""
    with user_errors():
        rows = [(name, *bundled.describe(name)) for name in bundled.names()]
    table = Table(
        title="Bundled scenarios",
        caption="callsim run NAME · callsim init DIR --scenario NAME",
    )
    for col in ("Scenario", "Name", "Description"):
        table.add_column(col)
    for name, title, description in rows:
        table.add_row(
            Text(name + (" (default)" if name == bundled.DEFAULT else "")),
            Text(title),
            Text(description),
        )
    out_console.print(table)


@app.command()
def init(
    directory: Annotated[
        Path, typer.Argument(help="Folder to copy the scenario into.", show_default=False)
    ],
    scenario: Annotated[
        str, typer.Option("--scenario", "-s", help="Bundled scenario (see `callsim scenarios`).")
    ] = bundled.DEFAULT,
) -> None:
    """Copy a bundled scenario, with the files it names (the scenario it extends, its CSV
    tables), into a folder to edit; never replaces a file."""
    with user_errors():
        written = bundled.copy_out(scenario, directory)
    for path in written:
        out_console.print(Text(f"wrote {path}"), soft_wrap=True)
    out_console.print(Text(f"Run it with: callsim run {shlex.quote(str(written[0]))}"))


Method = Annotated[
    str | None,
    typer.Option(
        help="isa: by simulation (the iterative staffing algorithm); erlang: each interval's "
        "forecast as a steady queue. Default: isa when the scenario sells or callers call again, "
        "else erlang.",
        show_default=False,
    ),
]
TARGET_VALUES = {"sl": "--sl", "asa": "--asa-s", "abandon": "--abandon", "p_wait": "--p-wait"}
SIMULATION_OPTIONS = ("replications", "seed", "workers", "max_iterations")


@app.command()
def staff(
    ctx: typer.Context,
    scenario: ScenarioArg,
    method: Method = None,
    target: Annotated[
        str, typer.Option(help="What every interval must meet: sl, asa, abandon or p_wait.")
    ] = "sl",
    sl: Annotated[
        float | None, typer.Option("--sl", help="Service-level share (default: the scenario's).")
    ] = None,
    asa_s: Annotated[
        float | None, typer.Option("--asa-s", help="Longest mean wait of answered calls, s.")
    ] = None,
    abandon: Annotated[
        float | None, typer.Option("--abandon", help="Largest share of callers who abandon.")
    ] = None,
    p_wait: Annotated[
        float | None, typer.Option("--p-wait", help="Largest share of callers who wait at all.")
    ] = None,
    replications: Annotated[
        int, typer.Option("--replications", "-r", min=2, help="Per ISA iteration.")
    ] = 20,
    seed: Seed = None,
    workers: Workers = None,
    cluster: ClusterOpt = None,
    max_iterations: Annotated[int, typer.Option(min=1, help="ISA iterations at most.")] = (
        MAX_ITERATIONS
    ),
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Results directory: requirements.csv, summary.json, staffed.yaml and (ISA) "
            "report.html.",
        ),
    ] = None,
    force: Force = False,
    lang: Lang = "en",
) -> None:
    """Agents required per interval for a target: by simulation (ISA, with the scenario's
    selling, patience, retrials, priorities and handle-time factors) beside per-interval Erlang,
    or Erlang alone; scheduled agents after shrinkage."""
    _check_lang(lang)
    model = _load(_scenario_path(scenario))
    chosen = _staff_method(model, method)
    values = {"sl": sl, "asa": asa_s, "abandon": abandon, "p_wait": p_wait}
    goal = _staff_target(model, target, values)
    if chosen == "erlang":
        given = [n for n in SIMULATION_OPTIONS if _given(ctx, n)]
        if given:
            fail(f"--{given[0].replace('_', '-')} is for --method isa (erlang does not simulate)")
        if _given(ctx, "lang"):
            fail("--lang is for --method isa (report.html shows a simulation; erlang has none)")
    if out is not None:
        if out.suffix == ".csv":
            fail(f"{out}: --out takes a results directory (requirements.csv is written in it)")
        with user_errors():
            check_target(out, force)
    if chosen == "erlang":
        with user_errors():
            table = staffing_requirement(model, goal)
        _print_erlang_requirement(model, table, goal)
        summary = erlang_summary(model, table, goal)
        call: dict[str, Any] = {"function": "staffing_requirement"}
        staffed = None
        found = None
    else:
        with (
            user_errors(),
            _cluster(cluster, workers) as on,
            _isa_progress(max_iterations) as progress,
        ):
            found = isa_requirement(
                model,
                replications=replications,
                seed=seed,
                target=goal,
                max_iterations=max_iterations,
                workers=workers,
                progress=progress,
                cluster=on,
            )
        _print_isa_requirement(found)
        table, summary, staffed = found.table, found.to_summary_dict(), found.staffed()
        call = {
            "function": "isa_requirement",
            "seed": found.seed,
            "replications": found.replications,
            "max_iterations": max_iterations,
        }
    if out is None:
        return
    call.update(scenario=model.name, target=goal.as_dict())
    with user_errors():
        report = (
            None if found is None else str(_reports().staff_report(found, lang, single_file=False))
        )
        write_requirements(
            out,
            table=table,
            summary=summary,
            call=call,
            staffed=staffed,
            force=force,
            command=_command_line(ctx),
            report=report,
        )
    say(f"Requirement{'' if report is None else ' and report.html'} written to {out}/")


def _given(ctx: typer.Context, name: str) -> bool:
    source = ctx.get_parameter_source(name)
    return source is not None and source.name in ("COMMANDLINE", "ENVIRONMENT")


def _staff_method(model: Scenario, method: str | None) -> str:
    if method is None:
        sells = bool(model.products) and model.selling.policy.may_sell()
        return "isa" if sells or model.customers.retrial is not None else "erlang"
    if method not in ("isa", "erlang"):
        fail(f"--method: expected isa or erlang, got {method!r}")
    return method


def _staff_target(model: Scenario, name: str, values: dict[str, float | None]) -> Target:
    from callsim.planning.sizing import TARGET_KINDS, Target

    kind = next((k for k in TARGET_KINDS if k == name), None)
    if kind is None:
        fail(f"--target: expected one of {', '.join(TARGET_KINDS)}, got {name!r}")
    for other, value in values.items():
        if value is not None and other != kind:
            fail(f"{TARGET_VALUES[other]} is the value of --target {other}, not of --target {kind}")
    value = values[kind]
    if value is None and kind != "sl":
        fail(f"--target {kind} needs its value: {TARGET_VALUES[kind]}")
    try:
        return Target.of(model, kind, value)
    except ValueError as exc:
        fail(f"{TARGET_VALUES[kind]}: {exc}")


def _print_erlang_requirement(model: Scenario, table: pd.DataFrame, goal: Target) -> None:
    grid = Table(
        title=f"Staffing requirement — {escape(model.name)} "
        f"({escape(goal.describe())}, shrinkage {model.agents.shrinkage:.0%})",
        caption="per-interval Erlang (A with the callers' patience, C without)",
    )
    for col in (
        "Day",
        "Start",
        "Calls",
        "Erlangs",
        "Need on phones",
        "Need scheduled",
        "Planned scheduled",
        "Planned on phones",
        "Gap",
    ):
        grid.add_column(col, justify="right")
    for row in _rows(table):
        gap = row.gap_on_phones
        style = "red" if gap < 0 else ""
        grid.add_row(
            str(row.day),
            row.start,
            f"{row.calls:.1f}",
            f"{row.load_erlangs:.1f}",
            str(row.required_on_phones),
            str(row.required_scheduled),
            f"{row.planned_scheduled:.1f}",
            f"{row.planned_on_phones:.1f}",
            f"[{style}]{gap:+.1f}[/]" if style else f"{gap:+.1f}",
        )
    out_console.print(grid)


def _print_isa_requirement(found: IsaResult) -> None:
    model, goal, t = found.scenario, found.target, found.table
    state = {
        "converged": "converged",
        "cycle": "stopped at a cycle (the largest staffing of the cycle is kept)",
        "max_iterations": "not converged (--max-iterations)",
    }[found.stop]
    grid = Table(
        title=f"Staffing requirement by simulation (ISA) — {escape(model.name)} "
        f"({escape(goal.describe())}, shrinkage {model.agents.shrinkage:.0%})",
        caption=f"Erlang, ISA: agents on the phones; ISA scheduled: after shrinkage; Planned: the "
        f"roster's scheduled agents. {found.iterations} iteration(s), {state}; "
        f"{found.replications} replications each, seed {found.seed}; KPIs simulated with the "
        "ISA staffing, 95% CIs.",
    )
    for col in ("Day", "Start", "Calls", "Erlang", "ISA", "ISA scheduled", "Planned"):
        grid.add_column(col, justify="right")
    for col in ("Service level", "ASA", "Abandon"):
        grid.add_column(col, justify="right")
    kpi = {"service_level": "sl", "asa_s": "asa_s", "abandon_rate": "abandon_rate"}
    for row in t.to_dict("records"):
        cells = [
            f"{fmt(name, row[f'{col}_mean'])} "
            f"({_ci(name, row[f'{col}_ci_low'], row[f'{col}_ci_high'])})"
            for name, col in kpi.items()
        ]
        meets = "" if row["meets"] else "[red]"
        grid.add_row(
            str(row["day"]),
            str(row["start"]),
            f"{row['calls']:.1f}",
            str(row["erlang_on_phones"]),
            f"{meets}{row['isa_on_phones']}[/]" if meets else str(row["isa_on_phones"]),
            str(row["required_scheduled"]),
            f"{row['planned_scheduled']:.1f}",
            *cells,
        )
    step = time_grid(model).length_s / 3600
    grid.add_section()
    grid.add_row(
        "",
        "total",
        f"{t['calls'].sum():.0f}",
        f"{t['erlang_on_phones'].sum() * step:.1f} h",
        f"{t['isa_on_phones'].sum() * step:.1f} h",
        f"{t['required_scheduled'].sum() * step:.1f} h",
        f"{t['planned_scheduled'].sum() * step:.1f} h",
        *(fmt(k, found.result.kpi(k)["mean"]) for k in kpi),
    )
    out_console.print(grid)
    missed = int((~t["meets"]).sum())
    if missed:
        out_console.print(
            Text(
                f"{missed} interval(s) miss the target by the simulated mean with the ISA "
                "staffing (shown in red); more replications (-r) or iterations narrow it."
            ),
            soft_wrap=True,
        )


@app.command()
def erlang(
    calls_per_hour: Annotated[float, typer.Option(min=0, help="Offered calls per hour.")],
    aht_s: Annotated[float, typer.Option(min=0.001, help="Mean handle time, seconds.")],
    agents: Annotated[
        int | None, typer.Option(min=1, help="Agents on the phones (default: size for target).")
    ] = None,
    patience_s: Annotated[
        float | None, typer.Option(min=0.001, help="Mean patience, seconds (Erlang A).")
    ] = None,
    threshold_s: Annotated[float, typer.Option(min=0, help="Service-level threshold T.")] = 20.0,
    target: Annotated[float, typer.Option(min=0.0, max=1.0, help="Service-level target.")] = 0.8,
    shrinkage: Annotated[float, typer.Option(min=0.0, max=0.99)] = 0.0,
    max_occupancy: Annotated[float, typer.Option(min=0.01, max=1.0)] = 1.0,
) -> None:
    """Erlang C (or A with --patience-s) calculator: KPIs for N agents, or the N for a target."""
    from callsim import analytic

    rate = calls_per_hour / 3600.0
    patience = math.inf if patience_s is None else patience_s
    # Every number here is the user's, and analytic checks them with ValueError.
    with user_errors(ValueError):
        if agents is None:
            scheduled = analytic.agents_for_service_level(
                rate,
                aht_s,
                threshold_s,
                target,
                patience,
                shrinkage=shrinkage,
                max_occupancy=max_occupancy,
            )
            needed = analytic.agents_for_service_level(
                rate, aht_s, threshold_s, target, patience, max_occupancy=max_occupancy
            )
            out_console.print(
                f"Agents on the phones for {100 * target:.0f}/{threshold_s:g}: [bold]{needed}[/]"
                f" — to schedule with {shrinkage:.0%} shrinkage: [bold]{scheduled}[/]"
            )
            candidates = range(max(1, needed - 2), needed + 4)
        else:
            candidates = range(agents, agents + 1)
        model = "Erlang A" if patience_s is not None else "Erlang C"
        table = Table(
            title=f"{model}: {calls_per_hour:g} calls/h, AHT {aht_s:g} s, "
            f"load {rate * aht_s:.2f} Erlangs"
        )
        for col in ("Agents", "Service level", "ASA", "P(wait)", "Abandon", "Occupancy"):
            table.add_column(col, justify="right")
        for c in candidates:
            if patience_s is None and rate * aht_s >= c:
                table.add_row(str(c), "unstable", "∞", "100.0%", "–", "100.0%")
                continue
            m = (
                analytic.mmc(rate, aht_s, c, threshold_s)
                if patience_s is None
                else analytic.mmc_m(rate, aht_s, c, patience, threshold_s)
            )
            table.add_row(
                str(c),
                fmt("service_level", m.service_level["offered"]),
                fmt("asa_s", m.asa_s),
                fmt("p_wait", m.p_wait),
                fmt("abandon_rate", m.abandon_rate),
                fmt("occupancy", m.occupancy),
            )
    out_console.print(table)


@app.command("schedule")
def schedule_cmd(
    ctx: typer.Context,
    scenario: ScenarioArg,
    requirement: Annotated[
        Path | None,
        typer.Option(
            help="CSV of scheduled agents per interval (columns day, start, required_scheduled, "
            "as callsim staff --out writes it in requirements.csv). Default: the requirement "
            "callsim staff sizes (see --method).",
            show_default=False,
        ),
    ] = None,
    method: Method = None,
    replications: Replications = None,
    seed: Seed = None,
    workers: Workers = None,
    cluster: ClusterOpt = None,
    max_iterations: Annotated[
        int | None,
        typer.Option(min=1, max=100, help="Default: the scenario's scheduling.max_iterations."),
    ] = None,
    out: Out = None,
    force: Force = False,
    lang: Lang = "en",
) -> None:
    """Build shifts from the scenario's templates (scheduling section) by integer programming,
    simulate them, raise the requirement where the service-level goal is missed, and repeat;
    --out writes schedule.yaml, a scenario callsim run and compare take. The requirement is
    sized as callsim staff sizes it: by simulation (ISA) when the scenario sells or callers
    call again, else by Erlang; or read from --requirement."""
    _check_lang(lang)
    path = _scenario_path(scenario)
    model = _load(path)
    files = ("schedule.yaml", "schedule.csv", "coverage.csv", "summary.json", "report.html")
    if out is not None:
        with user_errors():
            check_target(out, force, files)
    if requirement is not None and method is not None:
        fail("--requirement and --method: give one (a file's requirement or one to size)")
    chosen = str(requirement) if requirement is not None else _staff_method(model, method)
    with user_errors(), _cluster(cluster, workers) as on:
        if requirement is not None:
            needed = read_requirement(requirement, time_grid(model))
        elif chosen == "isa":
            with _isa_progress(MAX_ITERATIONS) as on_iteration:
                found = isa_requirement(
                    model,
                    replications=replications or 20,
                    seed=seed,
                    workers=workers,
                    progress=on_iteration,
                    cluster=on,
                )
            needed = found.table["required_scheduled"].to_numpy(dtype=float)
        else:
            needed = None  # Erlang's, sized by build_schedule
        from callsim.planning.schedule import ScheduleError  # scipy's solver: with the command

        try:
            with _round_progress() as progress:
                result = build_schedule(
                    model,
                    needed,
                    replications=replications,
                    seed=seed,
                    workers=workers,
                    max_iterations=max_iterations,
                    progress=progress,
                    cluster=on,
                )
        except ScheduleError as exc:
            fail(f"{path}: {exc}")
    _print_schedule(result)
    if out is not None:
        with user_errors():
            write_schedule(
                result,
                out,
                path,
                requirement=chosen,
                force=force,
                command=_command_line(ctx),
                report=str(_reports().schedule_report(result, lang, single_file=False)),
            )
        say(
            f"Schedule and report.html written to {out}/ "
            f"(run it with: callsim run {out / 'schedule.yaml'})"
        )


@app.command("plan")
def plan_cmd(
    ctx: typer.Context,
    scenario: ScenarioArg,
    policy: Annotated[
        list[str] | None,
        typer.Option(
            "--policy",
            help="A candidate selling policy, KIND [KEY=VALUES ...] (ranges as in a sweep: "
            "'threshold k=-3:2'); repeat for more. Default: the scenario's plan.policies, "
            "else never and the scenario's own policy.",
            show_default=False,
        ),
    ] = None,
    replications: Annotated[
        int, typer.Option("--replications", "-r", min=2, help="Per simulation.")
    ] = 20,
    seed: Seed = None,
    workers: Workers = None,
    cluster: ClusterOpt = None,
    out: Out = None,
    force: Force = False,
    lang: Lang = "en",
) -> None:
    """The staffing × selling frontier: each candidate selling policy staffed for the goal by
    simulation (and shifts, when the scenario has templates), then compared on common random
    numbers: its staff cost, revenue and net contribution, and the best one meeting the goal."""
    model = _load(_scenario_path(scenario))
    _check_lang(lang)
    with user_errors():
        if out is not None:
            check_target(out, force)
        policies = None if not policy else [parse_policy(p) for p in policy]
        if policies is not None:
            try:
                expand(policies)
            except ValueError as exc:
                raise UserError(f"--policy: {exc}") from None
        with _cluster(cluster, workers) as on, _stage_progress() as progress:
            found = plan_policies(
                model,
                policies,
                replications=replications,
                seed=seed,
                workers=workers,
                progress=progress,
                cluster=on,
            )
    _print_plan(found)
    if out is not None:
        with user_errors():
            report = str(_reports().plan_report(found, lang, single_file=False))
            write_plan(found, out, force=force, report=report, command=_command_line(ctx))
        say(f"Plan written to {out}/")


def _print_plan(plan: Plan) -> None:
    t = plan.table()
    money = money_terms([plan.base])
    table = Table(
        title=f"Selling policies at goal-meeting staffing — {escape(plan.base.name)}",
        caption=f"{escape(money_label('net_contribution', 'en', money))}; paired differences "
        f"against '{escape(plan.baseline)}' on common random numbers; 95% confidence intervals",
    )
    for col in ("Policy", "Agents", "Paid hours", "Service level", "Verdict"):
        table.add_column(col, justify="left" if col in ("Policy", "Verdict") else "right")
    for col in ("Staff cost", "Revenue", "Net contribution", f"Δ net vs {plan.baseline}", "95% CI"):
        table.add_column(escape(col), justify="right")
    for r in _rows(t):
        best = " [bold green](best)[/]" if r.best else ""
        base = r.candidate == plan.baseline
        table.add_row(
            escape(str(r.candidate)) + best,
            str(r.agents),
            fmt("paid_hours", r.paid_hours),
            fmt("service_level", r.service_level_mean),
            str(r.verdict),
            fmt("staff_cost", r.staff_cost_mean),
            fmt("revenue", r.revenue_mean),
            fmt("net_contribution", r.net_contribution_mean),
            "" if base else _signed("net_contribution", r.net_diff),
            "" if base else _diff_ci("net_contribution", r.net_diff_ci_low, r.net_diff_ci_high),
        )
    out_console.print(table)
    if plan.best is None:
        out_console.print("No candidate meets the service-level goal at its staffing.")
        return
    row = next(r for r in _rows(t) if r.candidate == plan.best)
    net = fmt("net_contribution", row.net_contribution_mean)
    against = ""
    if plan.best != plan.baseline:
        interval = _diff_ci("net_contribution", row.net_diff_ci_low, row.net_diff_ci_high)
        against = (
            f", {_signed('net_contribution', row.net_diff)} against {plan.baseline} "
            f"(95% CI {interval}; {row.net_diff_verdict})"
        )
    out_console.print(Text(f"Best: {plan.best}, net contribution {net}{against}"), soft_wrap=True)


def _print_schedule(schedule: Schedule) -> None:
    shifts = schedule.shifts()
    table = Table(title=f"Schedule — {escape(schedule.scenario.name)}")
    for col in ("Group", "Template", "Day", "Start", "End", "Breaks", "Agents", "Cost"):
        table.add_column(col, justify="right" if col in ("Agents", "Cost") else "left")
    for row in _rows(shifts):
        table.add_row(
            escape(row.group),
            escape(row.template),
            str(row.day),
            row.start,
            row.end,
            row.breaks,
            str(row.agents),
            fmt("staff_cost", row.cost),
        )
    out_console.print(table)
    goal = schedule.scenario.service_level
    grid = Table(
        title=f"Coverage and simulated service level "
        f"({100 * goal.target:.0f}/{goal.threshold_s:g}, mean over replications)"
    )
    for col in ("Day", "Start", "Required", "Raised to", "Scheduled", "Short", "SL", "95% CI"):
        grid.add_column(col, justify="right")
    for r in _rows(schedule.coverage()):
        style = "" if r.meets_goal else "red"
        shown = fmt("service_level", r.service_level_mean)
        grid.add_row(
            str(r.day),
            r.start,
            f"{r.required_scheduled:g}",
            f"{r.raised_to:g}",
            f"{r.coverage:.1f}",
            f"{r.shortfall:.1f}" if r.shortfall > 0 else "",
            f"[{style}]{shown}[/]" if style else shown,
            _ci("service_level", r.service_level_ci_low, r.service_level_ci_high),
        )
    out_console.print(grid)
    result = schedule.result
    sl, cost = result.kpi("service_level"), result.kpi("staff_cost")
    status = {
        "met": "[bold green]every interval meets the goal[/]",
        "short": "[bold red]some intervals cannot be met with these templates and limits[/]",
        "iteration cap": "[bold yellow]the round limit was reached[/]",
    }[schedule.status]
    cover = schedule.final.cover
    out_console.print(
        f"{status} after {len(schedule.rounds)} round(s) "
        f"({int(cover.counts.sum())} scheduled agents, {len(schedule.patterns)} shift patterns; "
        f"solver: {cover.status}, gap {cover.gap:.2%} to its bound)",
        soft_wrap=True,
    )
    out_console.print(
        f"Planned cost {fmt('staff_cost', schedule.planned_cost)}; simulated staff cost "
        f"{fmt('staff_cost', cost['mean'])} (overtime included); service level over the day "
        f"{fmt('service_level', sl['mean'])} "
        f"({_ci('service_level', sl['ci_low'], sl['ci_high'])}): {result.verdict}",
        soft_wrap=True,
    )
    for miss in schedule.unmet():
        out_console.print(
            Text(
                f"Short: day {miss['day']} {miss['start']}, service level "
                f"{fmt('service_level', miss['service_level'])}: {miss['reason']}"
            ),
            soft_wrap=True,
        )
    _few_replications(result.replications)


def _print_summary(result: SimulationResult, path: Path) -> None:
    goal = result.scenario.service_level
    table = Table(
        title=f"{escape(result.scenario.name)} — {result.replications} replication(s), "
        f"seed {result.seed}",
        caption=f"{escape(str(path))}; 95% confidence intervals over replications; "
        "call-weighted: every call counts once (totals pooled over replications)",
    )
    table.add_column("KPI")
    table.add_column("Mean", justify="right")
    table.add_column("95% CI", justify="right")
    table.add_column("Call-weighted", justify="right")
    policy = result.scenario.selling.policy.kind
    selling = kpis_in("selling")
    if result.scenario.retention is None:
        selling = tuple(k for k in selling if k not in kpis_in("needs_retention"))
    stability = kpis_in("stability")
    closing = tuple(k for k in kpis_in("closing") if result.kpi(k)["mean"] > 0)
    if result.scenario.announcement.enabled:
        closing += kpis_in("announcement")
    shown = kpis_in("headline") + resolution_shown([result.scenario]) + closing
    shown += extra_kpis(result.scenario) + stability  # the pool's, the window's, the workforce's
    kpis = shown + (selling if result.scenario.products else ())
    ratios = set(kpis_in("ratios"))
    money = money_terms([result.scenario])
    for kpi in kpis:
        if kpi in (selling[0], stability[0]):
            table.add_section()
        row = result.kpi(kpi)
        ci = _ci(kpi, row["ci_low"], row["ci_high"])
        name = money_label(kpi, "en", money)
        if kpi == "service_level":
            name = f"Service level {100 * goal.target:.0f}/{goal.threshold_s:g} ({goal.definition})"
        elif kpi == "offers":
            name = f"Offers made (policy: {policy})"
        weighted = fmt(kpi, result.kpi(kpi, "call_weighted")["mean"]) if kpi in ratios else ""
        table.add_row(name, fmt(kpi, row["mean"]), ci, weighted)
    out_console.print(table)
    from callsim.cli.slice_tables import print_slice_tables  # pandas: not for quick commands

    print_slice_tables(out_console, {result.scenario.name: result})
    _few_replications(result.replications)
    _print_precision(result.precision, result.replications)
    colour = {"met": "green", "missed": "red", "inconclusive": "yellow"}[result.verdict]
    judged = ""
    if goal.verdict_on == "call_weighted":
        sl = result.kpi("service_level", "call_weighted")
        judged = (
            f" (call-weighted {fmt('service_level', sl['mean'])}, CI "
            + _ci("service_level", sl["ci_low"], sl["ci_high"])
            + ")"
        )
    out_console.print(
        f"Service-level goal {100 * goal.target:.0f}% within {goal.threshold_s:g} s{judged}: "
        f"[bold {colour}]{result.verdict}[/]"
        + (
            " (the target lies inside the confidence interval)"
            if result.verdict == "inconclusive"
            else ""
        ),
        soft_wrap=True,
    )
    out_console.print(Text(goal_statement(result).sentence()), soft_wrap=True)


def _reports() -> ModuleType:
    """The report module, imported only when a report is written: plotly is slow to import."""
    from callsim import report

    return report


def _check_outputs(lang: str, out: Path | None, force: bool) -> None:
    """Refuse a bad language or results directory before any simulation runs."""
    _check_lang(lang)
    if out is not None:
        with user_errors():
            check_target(out, force)


def _report(
    results: SimulationResult | Comparison | Sweep, lang: str, single_file: bool = False
) -> str:
    """The report.html of a run, a comparison or a sweep; unless ``single_file``, it loads
    plotly.js from beside it, where the results directory's writers put it."""
    from callsim.experiment.pairing import Comparison
    from callsim.experiment.sweep_result import Sweep

    reports = _reports()
    if isinstance(results, Comparison):
        return str(reports.compare_report(results, lang, single_file=single_file))
    if isinstance(results, Sweep):
        return str(reports.sweep_report(results, lang, single_file=single_file))
    return str(reports.run_report(results, lang, single_file=single_file))


def _save(
    ctx: typer.Context,
    results: SimulationResult | Comparison | Sweep,
    out: Path | None,
    force: bool,
    lang: str,
) -> None:
    """The results directory of ``--out``, with its report and the command line that made it."""
    from callsim.experiment.pairing import Comparison
    from callsim.experiment.sweep_result import Sweep

    if out is None:
        return
    with user_errors():
        report, command = _report(results, lang), _command_line(ctx)
        if isinstance(results, Comparison):
            write_compare(results, out, force=force, report=report, command=command)
        elif isinstance(results, Sweep):
            write_sweep(results, out, force=force, report=report, command=command)
        else:
            write_run(results, out, force=force, report=report, command=command)
    what = {Comparison: "Comparison", Sweep: "Sweep"}.get(type(results), "Results")
    say(f"{what} and report.html written to {out}/")


def _check_lang(lang: str) -> None:
    if lang not in ("en", "zh"):
        fail(f"--lang: expected en or zh, got {lang!r}")


def _shown(path: Path) -> str:
    """A path as the user would type it here: relative to the working folder where it can be."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path.resolve())


def _check_distinct(sources: list[Path]) -> None:
    """The same plan twice would compare it with itself: nothing to learn, and a plan lost."""
    seen: dict[Path, Path] = {}
    for path in sources:
        key = path.resolve()
        if key in seen:
            also = f" (as {seen[key]} too)" if str(seen[key]) != str(path) else ""
            fail(f"{path}: given twice{also}; compare it with another plan")
        seen[key] = path


def _print_comparison(comparison: Comparison) -> None:
    t = comparison.table
    colour = {"better": "green", "worse": "red"}
    weighted = bool((t["verdict_on"] == "call_weighted").any())
    ratios = kpis_in("ratios")
    money = money_terms(r.scenario for r in comparison.results.values())
    for kpi in dict.fromkeys(t.kpi):  # the compare group, resolution and retention if modelled
        rows = t[t.kpi == kpi]
        title = money_label(kpi, "en", money)
        if weighted and kpi in ratios:
            title += " — call-weighted"
            rows = rows.assign(
                mean=rows["call_weighted"],
                ci_low=rows["call_weighted_ci_low"],
                ci_high=rows["call_weighted_ci_high"],
                diff=rows["call_weighted_diff"],
                diff_ci_low=rows["call_weighted_diff_ci_low"],
                diff_ci_high=rows["call_weighted_diff_ci_high"],
            )
        table = Table(title=escape(title), title_justify="left", min_width=90)
        for col in ("Plan", "Mean", "95% CI", f"Δ vs {comparison.baseline}", "Δ 95% CI", "Verdict"):
            table.add_column(col, justify="left" if col in ("Plan", "Verdict") else "right")
        for r in _rows(rows):
            base = r.verdict == "baseline"
            style = colour.get(r.verdict, "")
            table.add_row(
                escape(str(r.plan)),
                fmt(kpi, r.mean),
                _ci(kpi, r.ci_low, r.ci_high),
                "" if base else _signed(kpi, r.diff),
                "" if base else _diff_ci(kpi, r.diff_ci_low, r.diff_ci_high),
                f"[{style}]{r.verdict}[/]" if style else r.verdict,
            )
        out_console.print(table)
    from callsim.cli.slice_tables import print_slice_tables  # pandas: not for quick commands

    print_slice_tables(out_console, comparison.results)
    first = next(iter(comparison.results.values()))
    _few_replications(first.replications)
    _print_precision(first.precision, first.replications)
    out_console.print(Text(comparison.recommendation.sentence(), style="bold"), soft_wrap=True)


def _print_sweep(result: Sweep) -> None:
    p = result.points
    table = Table(title=f"Sweep of {escape(result.base.name)}: {len(p)} point(s)")
    for name in result.params:
        table.add_column(escape(name), justify="right")
    for col in ("Agents", "Paid hours", "Service level", "Verdict", "Net contribution"):
        table.add_column(col, justify="right")
    for col in ("Revenue", "Frontier", "Best"):
        table.add_column(col, justify="right")
    for _, row in p.iterrows():
        table.add_row(
            *(escape(str(row[n])) for n in result.params),
            str(row["agents"]),
            fmt("paid_hours", row["paid_hours_mean"]),
            fmt("service_level", row["service_level_mean"]),
            str(row["verdict"]),
            fmt("net_contribution", row["net_contribution_mean"]),
            fmt("revenue", row["revenue_mean"]),
            "●" if row["frontier"] else "",
            "[bold green]best[/]" if row["best"] else "",
        )
    out_console.print(table)
    _print_precision(result.results[0].precision, result.replications)
    judged = PICK_RULES[result.pick]
    best = p[p["best"].astype(bool)]
    if best.empty:
        out_console.print(
            Text(f"No point meets the service-level goal (judged by {judged})."), soft_wrap=True
        )
        return
    row = best.iloc[0]
    point = ", ".join(f"{n}={row[n]}" for n in result.params)
    sl = _ci("service_level", row["service_level_ci_low"], row["service_level_ci_high"])
    risk = "" if row["verdict"] == "met" else ": the goal may well be missed"
    out_console.print(
        Text(
            f"Best point, the highest net contribution among those meeting the goal judged by "
            f"{judged}: {point} — service level {fmt('service_level', row['service_level_mean'])}"
            f" (95% CI {sl}), verdict {row['verdict']}{risk}."
        ),
        soft_wrap=True,
    )


PICK_RULES: dict[Pick, str] = {
    "confident": "the lower end of the service level's 95% CI, as every verdict is",
    "mean": "the mean service level alone (--pick mean)",
}
"""What each ``--pick`` rule judges a point's service level by, as the CLI says it."""


def _rows(frame: pd.DataFrame) -> Iterator[Any]:
    """A table's rows as named tuples (typed loosely: the columns hold numbers and text)."""
    return frame.itertuples(index=False)


def _ci(kpi: str, lo: float, hi: float) -> str:
    """A KPI's confidence interval within the values the KPI can take."""
    if math.isnan(lo) or math.isnan(hi):
        return "–"
    lo, hi = clip_interval(kpi, lo, hi)
    return f"{fmt(kpi, lo)} – {fmt(kpi, hi)}"


def _diff_ci(kpi: str, lo: float, hi: float) -> str:
    """A difference's interval: negative differences are possible, so nothing is clipped."""
    return "–" if math.isnan(lo) or math.isnan(hi) else f"{fmt(kpi, lo)} – {fmt(kpi, hi)}"


def _few_replications(replications: int) -> None:
    from callsim.measure.confidence import MIN_REPLICATIONS_FOR_CI

    if replications < MIN_REPLICATIONS_FOR_CI:
        out_console.print(
            Text(
                f"Note: {replications} replication(s) are too few for a meaningful 95% interval "
                f"(the intervals above are rough and clipped to possible values); run "
                f"{MIN_REPLICATIONS_FOR_CI} or more with -r."
            ),
            soft_wrap=True,
        )


def _print_precision(outcome: PrecisionOutcome | None, replications: int) -> None:
    """How a run to a precision ended: the replications it took, each KPI's half-width
    against its target, and, when the maximum stopped it, that the targets were not met."""
    if outcome is None:
        return
    widths = ", ".join(
        f"{k} ±{outcome.half_widths[k]:.3g} (target {t:g})" for k, t in outcome.targets.items()
    )
    batches = ", ".join(str(b) for b in outcome.batches)
    if outcome.reached:
        head = f"Precision reached with {replications} replications"
        style = "green"
    else:
        head = (
            f"Precision NOT reached: stopped at the maximum of {outcome.max_replications} "
            "replications"
        )
        style = "yellow"
    out_console.print(
        Text.assemble((head, f"bold {style}"), f": {widths}; batches {batches}."),
        soft_wrap=True,
    )


def _stopping(
    model: Scenario,
    path: Path,
    precision: list[str] | None,
    max_replications: int | None,
    replications: int | None,
) -> dict[str, float] | None:
    """The ``--precision`` targets, after checking them, and the scenario's own, against the
    first batch and the maximum before anything runs."""
    sim = model.simulation
    with user_errors():
        targets = parse_targets(precision) if precision else None
        if max_replications is not None and not (targets or sim.precision):
            fail("--max-replications: only used with --precision (or simulation.precision)")
        stopping_rule(
            targets or sim.precision,
            max_replications if max_replications is not None else sim.max_replications,
            replications if replications is not None else sim.replications,
            where="--precision" if targets else f"{path}: simulation.precision",
        )
    return targets


@contextmanager
def _cluster(spec: str | None, workers: int | None) -> Iterator[Cluster | None]:
    """The Dask cluster of ``--cluster``, open for the whole command (every batch, plan and
    point runs on it) and closed after it, also on Ctrl-C; ``None`` runs on local processes."""
    if spec is None:
        yield None
        return
    if workers is not None:
        fail("--workers and --cluster exclude each other; use --cluster local:N for N workers")
    with connect(spec, "--cluster") as on:
        say(f"Dask cluster {spec}: {on.threads()} worker thread(s)")
        yield on


def _signed(kpi: str, value: float) -> str:
    text = fmt(kpi, abs(value))
    return text if math.isnan(value) else ("+" if value >= 0 else "−") + text


Bar = Callable[[str, int, int], None]
"""Moves a progress bar: (what is being done, steps done, steps in all)."""


@contextmanager
def _bar(what: str) -> Iterator[Bar]:
    """A progress bar on stderr that disappears when the work is done."""
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task(escape(what), total=None)

        def update(description: str, done: int, total: int) -> None:
            bar.update(task, description=escape(description), completed=done, total=total)

        yield update


@contextmanager
def _progress(what: str) -> Iterator[Callable[[int, int], None]]:
    with _bar(what) as bar:
        yield lambda done, total: bar(what, done, total)


@contextmanager
def _stage_progress() -> Iterator[PlanProgress]:
    with _bar("Planning") as bar:
        yield bar


@contextmanager
def _round_progress() -> Iterator[Callable[[int, int, int], None]]:
    with _bar("Solving") as bar:
        yield lambda round_, done, total: bar(
            f"Round {round_}: simulating the schedule", done, total
        )


@contextmanager
def _isa_progress(max_iterations: int) -> Iterator[IsaProgress]:
    with _bar("ISA") as bar:
        yield lambda iteration, done, total: bar(
            f"ISA iteration {iteration} (at most {max_iterations}, then a last run)", done, total
        )


def _write_file(path: Path, write: Callable[[Path], object]) -> None:
    """Write through a temporary file and rename, so a crash never leaves half a file."""
    tmp = path.with_name(f".{path.name}.partial")
    try:
        write(tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def main() -> None:
    """The ``callsim`` command: SIGTERM stops a run as Ctrl-C does (workers terminated, nothing
    written, exit 130) instead of killing this process and leaving its workers behind."""
    signal.signal(signal.SIGTERM, _terminate)
    app()


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
