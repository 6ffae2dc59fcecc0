"""Scenario overrides: one scenario written as changes to another.

Mappings merge key by key; anything else (numbers, lists, strings) replaces; ``null`` removes a
key, so an override can switch ``arrivals`` from a volume table to a ``rate_per_hour``.
"""

from __future__ import annotations

from typing import Any


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged
