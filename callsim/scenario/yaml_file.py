"""A scenario file's YAML, read with one-line errors and without the scenario schema.

Kept apart from :mod:`callsim.scenario.files` so that what only reads a file (the bundled
scenarios' list and descriptions, ``callsim init``, the command line's start) does without
pydantic and numpy, which validating a scenario needs.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from callsim.errors import UserError


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
    except RecursionError:
        raise ScenarioError(f"{path}: not valid YAML: nested too deeply") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise ScenarioError(f"{path}: not valid YAML{where}: {problem}") from None
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: expected a YAML mapping of scenario sections at the top")
    deep = _too_deep(data)
    if deep is not None:
        raise ScenarioError(
            f"{path}: {deep}: nested more than {MAX_DEPTH} levels deep; no scenario needs that"
        )
    return data


MAX_DEPTH = 40
"""Scenario files nest about six levels; far deeper is a broken file, and would exhaust Python's
stack in the validation that follows."""


def _too_deep(data: dict[str, Any]) -> str | None:
    """The path of the first value nested deeper than MAX_DEPTH, or None (no recursion)."""
    stack: list[tuple[Any, list[str]]] = [(data, [])]
    while stack:
        node, path = stack.pop()
        if len(path) > MAX_DEPTH:
            shown = path[:3]
            return ".".join(shown) + ("..." if len(path) > 3 else "")
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, child in items:
            if isinstance(child, dict | list):
                stack.append((child, [*path, str(key)]))
    return None
