"""The package's folders are its layers, and imports only go down.

The import graph is read from the source (imports at module level; those under ``TYPE_CHECKING``
or inside functions are deferred and do not count), checked to have no cycle, and checked against
the layer order a newcomer reads off the folder names. Each module is also imported on its own in
a fresh interpreter, which is what a cycle would break.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "callsim"

LAYERS: list[tuple[str, ...]] = [
    # the vocabulary everything shares: versions, user errors, formulas, strict sections, durations
    ("callsim.version", "callsim.errors", "callsim.service_level", "callsim.analytic",
     "callsim.scenario.strict", "callsim.scenario.distributions"),
    ("callsim.policies",),  # control rules, behind the Centre contract
    ("callsim.scenario",),  # what a planner writes
    ("callsim.model",),  # one replication: numpy in, numpy out
    ("callsim.measure",),  # KPIs and statistics of runs
    ("callsim.experiment", "callsim.planning"),  # replications, comparisons, sweeps, staffing
    ("callsim.store",),  # results on disk
    ("callsim.report",),  # HTML pages
    ("callsim.cli",),  # the command
]  # fmt: skip


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _layer(module: str) -> int:
    best, rank = -1, -1
    for k, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, rank = len(prefix), k
    return rank


def _eager_imports(path: Path) -> set[str]:
    """callsim modules imported when ``path`` is imported (not deferred ones)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                submodules = {f"{node.module}.{a.name}" for a in node.names} & MODULES.keys()
                found.update(submodules)
                if len(submodules) < len(node.names):  # names defined by the module itself
                    found.add(node.module)
            elif isinstance(node, ast.If | ast.Try | ast.With | ast.For):
                for part in ("body", "orelse", "finalbody", "handlers"):
                    for child in getattr(node, part, []):
                        visit(child.body if isinstance(child, ast.ExceptHandler) else [child])

    visit(tree.body)
    this = _module_name(path)
    # A submodule's own packages are imported before it by Python itself, never a cycle.
    return {m for m in found if m in MODULES and not this.startswith(m + ".")}


GRAPH = {module: _eager_imports(path) for module, path in MODULES.items()}


def test_every_module_has_a_layer() -> None:
    assert [m for m in MODULES if m != "callsim" and _layer(m) < 0] == []


def test_the_import_graph_has_no_cycle() -> None:
    try:
        list(TopologicalSorter(GRAPH).static_order())
    except CycleError as exc:  # pragma: no cover - the message is the diagnosis
        pytest.fail(f"import cycle: {' -> '.join(exc.args[1])}")


def test_imports_go_down_the_layers() -> None:
    upward = [
        f"{module} (layer {_layer(module)}) imports {target} (layer {_layer(target)})"
        for module, targets in GRAPH.items()
        if module != "callsim"
        for target in targets
        if target != "callsim" and _layer(target) > _layer(module)
    ]
    assert upward == []


def test_reading_results_does_not_import_the_engine() -> None:
    code = (
        "import sys, callsim.store.read; "
        "print(sorted(m for m in sys.modules if m.startswith('callsim.model.engine')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.slow
def test_each_module_imports_on_its_own() -> None:
    """One fresh interpreter per module: an import cycle breaks exactly this."""
    script = (
        "import importlib, subprocess, sys\n"
        "failed = []\n"
        "for name in sys.argv[1:]:\n"
        "    r = subprocess.run([sys.executable, '-c', f'import {name}'], capture_output=True)\n"
        "    if r.returncode:\n"
        "        failed.append(name + ': ' + r.stderr.decode().strip().splitlines()[-1])\n"
        "print('\\n'.join(failed))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, *MODULES], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""
