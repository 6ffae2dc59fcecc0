"""The scenarios shipped with callsim, found through the installed package, not the checkout.

They ship as package data (``callsim.scenarios``), so ``callsim run`` works from any folder after
a plain ``pip install``; ``callsim init`` copies one out, with the files it names, to be edited.
"""

from __future__ import annotations

import shutil
from importlib.resources import files
from pathlib import Path

from callsim.scenario.files import ScenarioError, read_yaml

DEFAULT = "credit_card_hotline"


def root() -> Path:
    """The folder of the bundled scenarios (installed packages are plain folders on disk)."""
    return Path(str(files("callsim.scenarios")))


def names() -> list[str]:
    """Every bundled scenario, as ``callsim run NAME`` takes it (``policies/threshold``)."""
    base = root()
    return sorted(p.relative_to(base).with_suffix("").as_posix() for p in base.rglob("*.yaml"))


def path_of(name: str) -> Path:
    """The file of a bundled scenario, by name (with or without ``.yaml``)."""
    stem = name.removesuffix(".yaml")
    if stem not in names():
        raise ScenarioError(f"{name}: no such bundled scenario (see `callsim scenarios`)")
    return root() / f"{stem}.yaml"


def default_path() -> Path:
    return path_of(DEFAULT)


def copy_out(name: str, target: Path) -> list[Path]:
    """Copy a bundled scenario into ``target`` with the files it names (the scenario it
    extends, CSV tables), keeping their relative places; never replaces an existing file."""
    base = root()
    needed = _dependencies(path_of(name), base)
    destinations = [target / p.relative_to(base) for p in needed]
    taken = [d for d in destinations if d.exists()]
    if taken:
        raise ScenarioError(f"{taken[0]}: exists; callsim init never replaces a file")
    for source, dest in zip(needed, destinations, strict=True):
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, dest)
    return destinations


def _dependencies(path: Path, base: Path) -> list[Path]:
    data = read_yaml(path)
    out = [path]
    parent = data.get("extends")
    if isinstance(parent, str):
        out += _dependencies((path.parent / parent).resolve(), base)
    tables = [data.get("arrivals", {}).get("volume_csv")]
    tables += [g.get("staffing_csv") for g in data.get("agents", {}).get("groups", {}).values()]
    out += [(path.parent / t).resolve() for t in tables if isinstance(t, str)]
    return list(dict.fromkeys(p.resolve() for p in out))
