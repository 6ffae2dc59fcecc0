"""What ships: every package and every bundled scenario is in the wheel, and the installed
command works from any folder (not only from the checkout, where the scenarios lie about)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import time
import tomllib
import zipfile
from pathlib import Path

import pytest

import callsim
from callsim.errors import UserError
from callsim.scenario import bundled

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]


def package_dirs() -> dict[str, Path]:
    """Each package the project ships, by dotted name, from the source tree: folders with an
    ``__init__.py`` under ``callsim/`` and under every folder ``package-dir`` maps in."""
    roots = {"callsim": ROOT / "callsim"} | {
        name: ROOT / folder for name, folder in SETUPTOOLS.get("package-dir", {}).items()
    }
    found = {}
    for name, folder in roots.items():
        for init in folder.rglob("__init__.py"):
            parts = init.parent.relative_to(folder).parts
            if "__pycache__" not in parts:
                found[".".join((name, *parts))] = init.parent
    return found


def test_every_package_is_listed_for_the_wheel() -> None:
    """A package missing from ``[tool.setuptools] packages`` silently drops out of the wheel:
    the checkout (and an editable install) keeps working, an installed callsim does not."""
    listed = set(SETUPTOOLS["packages"])
    on_disk = set(package_dirs())
    assert on_disk - listed == set(), "packages missing from pyproject's [tool.setuptools]"
    assert listed - on_disk == set(), "listed packages without an __init__.py"


def test_every_bundled_file_matches_the_package_data_globs() -> None:
    """setuptools takes each glob relative to the package's folder, ``*`` within one folder."""
    folder = ROOT / SETUPTOOLS["package-dir"]["callsim.scenarios"]
    globs = SETUPTOOLS["package-data"]["callsim.scenarios"]
    shipped = {p for pattern in globs for p in folder.glob(pattern) if p.is_file()}
    data = {
        p
        for p in folder.rglob("*")
        if p.suffix in (".yaml", ".yml", ".csv")
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    }
    assert data, "no bundled scenarios found"
    missing = sorted(str(p.relative_to(folder)) for p in data - shipped)
    assert missing == [], "bundled files the package-data globs leave out of the wheel"
    assert not any(p.suffix == ".yml" for p in data), "bundled scenarios end in .yaml"


def test_bundled_names_are_the_yaml_files() -> None:
    folder = ROOT / SETUPTOOLS["package-dir"]["callsim.scenarios"]
    expected = sorted(
        p.relative_to(folder).with_suffix("").as_posix() for p in folder.rglob("*.yaml")
    )
    assert bundled.names() == expected
    assert bundled.DEFAULT in bundled.names()
    assert bundled.default_path().resolve() == (folder / "credit_card_hotline.yaml").resolve()


def test_py_typed_ships() -> None:
    assert "py.typed" in SETUPTOOLS["package-data"]["callsim"]
    assert (ROOT / "callsim" / "py.typed").is_file()


# -- bundled.py on odd files ------------------------------------------------------------------


@pytest.fixture
def bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty stand-in for the bundled scenarios' folder."""
    folder = tmp_path / "bundle"
    folder.mkdir()
    monkeypatch.setattr(bundled, "root", lambda: folder)
    return folder


def test_copy_out_names_no_file_for_odd_yaml_types(bundle: Path, tmp_path: Path) -> None:
    """Sections of the wrong type name no file; the loader, not init, reports them."""
    (bundle / "odd.yaml").write_text(
        "name: 7\narrivals: [1, 2]\nagents: 5\nextends: 7\nvariants: oops\n", encoding="utf-8"
    )
    (bundle / "groups.yaml").write_text(
        "arrivals: {volume_csv: null}\n"
        "agents: {groups: {a: 3, b: [1], c: {staffing_csv: 4}, d: null}}\n"
        "variants: {v: 3, w: {arrivals: 2}}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert bundled.copy_out("odd", out) == [out / "odd.yaml"]
    assert bundled.copy_out("groups", out) == [out / "groups.yaml"]
    assert bundled.describe("odd") == ("7", "")


def test_copy_out_follows_extends_and_the_tables_of_variants(bundle: Path, tmp_path: Path) -> None:
    (bundle / "sub").mkdir()
    (bundle / "a.csv").write_text("x\n", encoding="utf-8")
    (bundle / "b.csv").write_text("x\n", encoding="utf-8")
    (bundle / "base.yaml").write_text(
        "name: base\nagents: {groups: {g: {staffing_csv: a.csv}}}\n", encoding="utf-8"
    )
    (bundle / "sub" / "child.yaml").write_text(
        "# The child. More words.\nextends: ../base.yaml\n"
        "variants: {more: {arrivals: {volume_csv: ../b.csv}}}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    written = bundled.copy_out("sub/child", out)
    assert [p.relative_to(out).as_posix() for p in written] == [
        "sub/child.yaml",
        "base.yaml",
        "b.csv",
        "a.csv",
    ]
    assert bundled.describe("sub/child") == ("base", "The child")


def test_copy_out_stops_at_an_extends_cycle(bundle: Path, tmp_path: Path) -> None:
    (bundle / "a.yaml").write_text("extends: b.yaml\n", encoding="utf-8")
    (bundle / "b.yaml").write_text("extends: a.yaml\n", encoding="utf-8")
    written = bundled.copy_out("a", tmp_path / "out")
    assert sorted(p.name for p in written) == ["a.yaml", "b.yaml"]
    assert bundled.describe("a") == ("", "")


def test_copy_out_refuses_files_outside_the_bundle_as_a_user_error(
    bundle: Path, tmp_path: Path
) -> None:
    (tmp_path / "outside.csv").write_text("x\n", encoding="utf-8")
    (bundle / "leak.yaml").write_text("arrivals: {volume_csv: ../outside.csv}\n", encoding="utf-8")
    (bundle / "gone.yaml").write_text("extends: missing.yaml\n", encoding="utf-8")
    with pytest.raises(UserError, match="outside the bundle"):
        bundled.copy_out("leak", tmp_path / "out")
    with pytest.raises(UserError, match="missing"):
        bundled.copy_out("gone", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_copy_out_onto_a_file_is_refused_in_one_line(bundle: Path, tmp_path: Path) -> None:
    (bundle / "s.yaml").write_text("name: s\n", encoding="utf-8")
    (tmp_path / "taken").write_text("mine", encoding="utf-8")
    with pytest.raises(UserError, match="exists"):
        bundled.copy_out("s", tmp_path / "taken")
    assert (tmp_path / "taken").read_text(encoding="utf-8") == "mine"


# -- the built wheel, installed into a fresh environment ----------------------------------------


def _copy_source(target: Path) -> Path:
    """The files a build reads, copied, so building leaves no build/ or egg-info in the
    checkout."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", ".*")
    target.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, target / name)
    for name in ("callsim", "scenarios"):
        shutil.copytree(ROOT / name, target / name, ignore=ignore)
    return target


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.mark.slow
def test_installed_wheel_runs_outside_the_checkout(tmp_path: Path) -> None:
    started = time.monotonic()
    source = _copy_source(tmp_path / "src")
    wheels = tmp_path / "wheels"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    pip = [sys.executable, "-m", "pip"]
    _run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(source)],
        cwd=tmp_path,
        env=env,
    )
    (wheel,) = wheels.glob("callsim-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        inside = set(archive.namelist())
    for name in bundled.names():
        assert f"callsim/scenarios/{name}.yaml" in inside, name
    assert "callsim/scenarios/credit_card_volume.csv" in inside
    assert "callsim/py.typed" in inside

    # A fresh environment holding callsim from the wheel only; its dependencies come from the
    # test runner's environment through a .pth line (which does not run that environment's
    # editable-install hook, so the checkout's callsim stays out of reach).
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp_path, env=env)
    python = venv / "bin" / "python"
    _run(
        [*pip, "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)],
        cwd=tmp_path,
        env=env,
    )
    site = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            cwd=tmp_path,
            env=env,
        ).stdout.strip()
    )
    (site / "_test_runner_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"

    work = tmp_path / "elsewhere"
    work.mkdir()
    where = _run([str(python), "-c", "import callsim; print(callsim.__file__)"], cwd=work, env=env)
    installed = Path(where.stdout.strip())
    assert installed.is_relative_to(venv), installed
    assert not installed.is_relative_to(ROOT)

    callsim_cmd = str(venv / "bin" / "callsim")
    done = _run([callsim_cmd, "run", "-r", "2", "-w", "1", "--json"], cwd=work, env=env)
    summary = json.loads(done.stdout)
    assert summary["scenario"] == callsim.load_scenario(bundled.default_path()).name
    assert summary["replications"] == 2
    assert summary["kpis"]["offered"]["mean"] > 0

    listing = _run([callsim_cmd, "scenarios"], cwd=work, env=env).stdout
    for name in bundled.names():
        assert name in listing, name

    done = _run(
        [callsim_cmd, "init", "mine", "--scenario", "policies/threshold"], cwd=work, env=env
    )
    copied = {p.relative_to(work / "mine").as_posix() for p in (work / "mine").rglob("*")}
    assert copied >= {
        "policies/threshold.yaml",
        "credit_card_hotline.yaml",
        "credit_card_volume.csv",
    }
    assert "callsim run mine/policies/threshold.yaml" in done.stdout
    done = _run(
        [callsim_cmd, "run", "mine/policies/threshold.yaml", "-r", "1", "-w", "1", "--json"],
        cwd=work,
        env=env,
    )
    assert json.loads(done.stdout)["scenario"] == "Policy: threshold K=-3"
    # by name, from the installed package
    done = _run([callsim_cmd, "validate", "validation/mmc_load70"], cwd=work, env=env)
    assert "OK" in done.stdout
    assert time.monotonic() - started < 60
