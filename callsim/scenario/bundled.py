"""The scenarios shipped with callsim, found through the installed package, not the checkout.

They ship as package data (``callsim.scenarios``), so ``callsim run`` works from any folder after
a plain ``pip install``; ``callsim init`` copies one out, with the files it names, to be edited.
A bundled scenario is named by its path under that folder without ``.yaml``
(``credit_card_hotline``, ``policies/threshold``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

from callsim.errors import UserError
from callsim.scenario.yaml_file import ScenarioError, read_yaml

DEFAULT = "credit_card_hotline"


class InitTargetExistsError(UserError):
    """``callsim init`` would replace a file that is already there."""


def root() -> Path:
    """The folder of the bundled scenarios.

    Installed packages are plain folders on disk; scenarios that extend one another and name CSV
    tables by relative path need that, so a zipped install is refused in one line rather than
    half working."""
    base = files("callsim.scenarios")
    path = Path(str(base))
    if not path.is_dir():
        raise ScenarioError(f"{base}: the bundled scenarios are not a folder on disk")
    return path


def names() -> list[str]:
    """Every bundled scenario, as ``callsim run NAME`` takes it (``policies/threshold``)."""
    base = root()
    found = (p.relative_to(base) for p in base.rglob("*.yaml") if p.is_file())
    return sorted(
        p.with_suffix("").as_posix()
        for p in found
        if not any(part.startswith((".", "_")) for part in p.parts)
    )


def is_bundled(name: str) -> bool:
    """Whether ``name`` (with or without ``.yaml``) is a bundled scenario."""
    return _stem(name) in names()


def path_of(name: str) -> Path:
    """The file of a bundled scenario, by name (with or without ``.yaml``)."""
    stem = _stem(name)
    if stem not in names():
        raise ScenarioError(f"{name}: no such bundled scenario (see `callsim scenarios`)")
    return root() / f"{stem}.yaml"


def default_path() -> Path:
    return path_of(DEFAULT)


def resolve(source: Path) -> Path:
    """``source`` itself if such a file (or folder) exists, else the bundled scenario it names;
    a path that is neither stays as given, so the error names what the user typed."""
    if source.exists() or not is_bundled(str(source)):
        return source
    return path_of(str(source))


def describe(name: str) -> tuple[str, str]:
    """A bundled scenario's ``name:`` (inherited through ``extends:`` if it has none) and a
    one-line description: its ``description:``, else the first sentence of its leading comment;
    empty strings where there is none. Never raises on an odd file: it is only a listing."""
    path = path_of(name)
    title = ""
    for data in _chain(path):
        if isinstance(data.get("name"), str | int | float):
            title = str(data["name"])
            break
    own = next(_chain(path), {})
    text = own.get("description")
    summary = " ".join(text.split()) if isinstance(text, str) else _leading_comment(path)
    return title, _first_sentence(summary)


def copy_out(name: str, target: Path) -> list[Path]:
    """Copy a bundled scenario into ``target`` with the files it names (the scenario it
    extends, CSV tables), keeping their relative places; never replaces an existing file.

    Every destination is checked before anything is written, so a refusal leaves ``target`` as
    it was; each file is then created exclusively, so one appearing meanwhile is not replaced
    either. Returns the files written, the scenario first."""
    base = root().resolve()  # dependencies are resolved paths (an install may be symlinked)
    needed = _dependencies(path_of(name), base)
    destinations = [target / p.relative_to(base) for p in needed]
    for dest in destinations:
        blocker = next((p for p in (dest, *dest.parents) if p.is_file()), None)
        if blocker is not None and (blocker == dest or _inside(blocker, target)):
            raise InitTargetExistsError(f"{blocker}: exists; callsim init never replaces a file")
        if dest.is_dir():
            raise InitTargetExistsError(f"{dest}: exists (a folder); callsim init needs the name")
    written = []
    for source, dest in zip(needed, destinations, strict=True):
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            with dest.open("xb") as handle:
                handle.write(source.read_bytes())
        except FileExistsError:
            raise InitTargetExistsError(
                f"{dest}: exists; callsim init never replaces a file"
            ) from None
        written.append(dest)
    return written


def _stem(name: str) -> str:
    return name.replace(os.sep, "/").removeprefix("./").removesuffix(".yaml")


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def _dependencies(path: Path, base: Path) -> list[Path]:
    """``path`` and every file it needs, transitively: the scenario it ``extends:``, and the CSV
    tables named by it or by its ``variants:``. Odd YAML (a section that is a list, a number
    where a file name goes) names no file; it is the scenario loader's to report."""
    base = base.resolve()
    out: list[Path] = []
    todo = [path.resolve()]
    while todo:
        current = todo.pop(0)
        if current in out:
            continue  # a cycle or a file named twice
        if not current.is_relative_to(base):
            raise ScenarioError(f"{current}: a bundled scenario names a file outside the bundle")
        if not current.is_file():
            raise ScenarioError(f"{current}: a bundled scenario names a missing file")
        out.append(current)
        if current.suffix != ".yaml":
            continue
        data = read_yaml(current)
        parent = data.get("extends")
        if isinstance(parent, str):
            todo.append((current.parent / parent).resolve())
        todo += [(current.parent / t).resolve() for t in _tables(data)]
    return out


def _tables(data: dict[str, Any]) -> Iterator[str]:
    """The CSV file names in a scenario mapping and in each of its variants."""
    sections = [data]
    variants = data.get("variants")
    if isinstance(variants, dict):
        sections += [v for v in variants.values() if isinstance(v, dict)]
    for section in sections:
        arrivals = section.get("arrivals")
        if isinstance(arrivals, dict) and isinstance(arrivals.get("volume_csv"), str):
            yield arrivals["volume_csv"]
        agents = section.get("agents")
        groups = agents.get("groups") if isinstance(agents, dict) else None
        if isinstance(groups, dict):
            for group in groups.values():
                if isinstance(group, dict) and isinstance(group.get("staffing_csv"), str):
                    yield group["staffing_csv"]


def _chain(path: Path) -> Iterator[dict[str, Any]]:
    """The raw mappings of ``path`` and the files it extends, nearest first (not validated)."""
    seen: set[Path] = set()
    current: Path | None = path.resolve()
    while current is not None and current not in seen and current.is_file():
        seen.add(current)
        try:
            data = read_yaml(current)
        except ScenarioError:
            return
        yield data
        parent = data.get("extends")
        current = (current.parent / parent).resolve() if isinstance(parent, str) else None


def _leading_comment(path: Path) -> str:
    lines = []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        words = line.lstrip("#").strip()
        if not words:
            break  # the first paragraph only
        lines.append(words)
    return " ".join(lines)


def _first_sentence(text: str, limit: int = 110) -> str:
    """Up to the first full stop followed by a space, cut to ``limit`` characters."""
    sentence = re.split(r"(?<=\.)\s", text, maxsplit=1)[0].rstrip(".")
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"
