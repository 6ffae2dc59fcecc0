"""The quick commands start without the heavy libraries behind the others.

``callsim --help`` and ``callsim validate`` are what a planner runs most often; pandas, scipy and
plotly take about a second to import and neither command needs them. Each command runs in a
fresh interpreter (an import in this test process would hide one in the command), which then
reports the top-level packages it has loaded.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from callsim.scenario import bundled

HEAVY = {"pandas", "plotly", "scipy"}
REPORT = """
import json, sys
sys.argv = ["callsim", *json.loads(sys.argv[1])]
from callsim.cli import main
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
print(json.dumps({"code": code, "loaded": sorted(sys.modules)}), file=sys.stderr)
"""


def _modules(*args: str, cwd: Path | None = None) -> tuple[int, set[str]]:
    """The command's exit code and every module it loaded."""
    done = subprocess.run(
        [sys.executable, "-c", REPORT, json.dumps(list(args))],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )
    found = json.loads(done.stderr.strip().splitlines()[-1])
    return int(found["code"] or 0), set(found["loaded"])


def _loaded(*args: str, cwd: Path | None = None) -> tuple[int, set[str]]:
    """The command's exit code and the top-level packages it loaded."""
    code, modules = _modules(*args, cwd=cwd)
    return code, {name.split(".")[0] for name in modules}


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["run", "--help"],
        ["staff", "--help"],
        ["validate", str(bundled.default_path())],  # with a CSV table of call volumes
        ["validate", str(bundled.path_of("policies/threshold"))],  # extends, variants, a sweep
        ["scenarios"],
        ["schema"],
    ],
    ids=lambda args: " ".join(Path(a).name for a in args),
)
def test_quick_commands_import_neither_pandas_nor_scipy_nor_plotly(args: list[str]) -> None:
    code, loaded = _loaded(*args)
    assert code == 0
    assert "callsim" in loaded and "typer" in loaded  # the command did run
    assert not loaded & HEAVY, loaded & HEAVY


@pytest.mark.parametrize(
    "args",
    [["--help"], *([command, "--help"] for command in ("run", "compare", "sweep", "staff"))],
    ids=" ".join,
)
def test_help_does_without_numpy_and_the_scenario_schema(args: list[str]) -> None:
    """Help is read more than any command is run: it loads no numpy and, for the list of
    commands, not even pydantic (typer itself imports pydantic to parse a command's options)."""
    code, modules = _modules(*args)
    loaded = {name.split(".")[0] for name in modules}
    assert code == 0
    assert "numpy" not in loaded
    assert "callsim.scenario.schema" not in modules
    if args == ["--help"]:
        assert "pydantic" not in loaded


def test_a_command_that_simulates_still_imports_what_it_needs(tmp_path: Path) -> None:
    """The control: the same wrapper sees pandas once a command uses it."""
    code, loaded = _loaded("run", "-r", "2", "-w", "1", str(bundled.default_path()), cwd=tmp_path)
    assert code == 0
    assert "pandas" in loaded


def test_the_version_is_known_without_reading_the_installed_metadata() -> None:
    """``importlib.metadata`` took 20-30 ms of every start to tell a version written in the
    source; the installed metadata still says the same (pyproject reads it from the source)."""
    code = "import sys, callsim; print(callsim.__version__, 'importlib.metadata' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    version, loaded = done.stdout.split()
    assert loaded == "False"
    from importlib.metadata import version as installed

    assert installed("callsim") == version


def test_a_run_and_its_report_do_without_the_milp_solver(tmp_path: Path) -> None:
    """Writing a run's results and report named the staffing plan's and the schedule's types,
    which loaded ``scipy.optimize`` (a quarter of a second or more) for annotations only; the
    solver is for ``schedule`` and ``plan``. The control: the same wrapper sees the part of
    scipy a run does use (``scipy.special``, for the t quantiles of its intervals)."""
    out = tmp_path / "results"
    for args in (["run", "-r", "2", "-w", "1", "--out", str(out)], ["report", str(out)]):
        code, loaded = _modules(*args, cwd=tmp_path)
        assert code == 0 and (out / "report.html").is_file()
        assert "scipy.special" in loaded
        assert "scipy.optimize" not in loaded
