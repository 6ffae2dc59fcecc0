"""Scenario overrides: one scenario written as changes to another.

Mappings merge key by key; anything else (numbers, lists, strings) replaces; ``null`` removes a
key, so an override can switch ``arrivals`` from a volume table to a ``rate_per_hour``. A mapping
that names another ``kind`` (policy) or ``dist`` (distribution) replaces the old one whole: the
keys of a threshold policy mean nothing to a load toggle.
"""

from __future__ import annotations

from typing import Any

_TAGS = ("kind", "dist")
_EXCLUSIVE = (
    ("rate_per_hour", "volume", "volume_csv"),
    ("shifts", "staffing", "staffing_csv"),
    ("reason_mix", "reason_mix_csv"),
)
"""Keys of which a section takes exactly one: setting one drops the others it had (a base
resolved from a CSV holds ``volume``, though its file said ``volume_csv``)."""


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for group in _EXCLUSIVE:
        if any(override.get(k) is not None for k in group):
            for k in group:
                if k not in override:
                    merged.pop(k, None)
    for key, value in override.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            old = merged[key]
            retagged = any(t in value and value[t] != old.get(t) for t in _TAGS)
            merged[key] = value if retagged else deep_merge(old, value)
        else:
            merged[key] = value
    return merged
