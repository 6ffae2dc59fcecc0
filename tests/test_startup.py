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
loaded = sorted({name.split(".")[0] for name in sys.modules})
print(json.dumps({"code": code, "loaded": loaded}), file=sys.stderr)
"""


def _loaded(*args: str, cwd: Path | None = None) -> tuple[int, set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", REPORT, json.dumps(list(args))],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )
    found = json.loads(done.stderr.strip().splitlines()[-1])
    return int(found["code"] or 0), set(found["loaded"])


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
