"""Helpers the test modules share (pytest puts this folder on the import path)."""

from __future__ import annotations

import copy
from typing import Any


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """A scenario mapping with ``over``'s keys laid over ``base`` (nested mappings merge, any
    other value replaces). Written here rather than taken from callsim's own override merge,
    so the scenarios a test builds do not depend on the code under test."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out
