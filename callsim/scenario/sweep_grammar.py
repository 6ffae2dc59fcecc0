"""Parameter values as planners type them: ``-3:3``, ``0.8:1.2:0.1`` or ``a,b,c``."""

from __future__ import annotations

from typing import Any

import numpy as np

from callsim.errors import UserError

Value = int | float | str


def parse_values(text: str) -> list[Value]:
    """``-3:3`` (integers, inclusive), ``0.8:1.2:0.1`` (with a step) or ``a,b,c``; a
    :class:`UserError` for text that is none of them."""
    if ":" in text and "," not in text:
        parts = [_number(p) for p in text.split(":")]
        if len(parts) not in (2, 3) or not all(isinstance(p, int | float) for p in parts):
            raise UserError(f"'{text}' is not a range lo:hi or lo:hi:step")
        lo, hi = parts[0], parts[1]
        step = parts[2] if len(parts) == 3 else 1
        if step <= 0 or hi < lo:  # type: ignore[operator]
            raise UserError(f"'{text}' is an empty range")
        count = int(np.floor((hi - lo) / step + 1e-9)) + 1  # type: ignore[operator]
        values = [lo + k * step for k in range(count)]  # type: ignore[operator]
        if all(isinstance(p, int) for p in parts):
            return [int(v) for v in values]
        return [round(float(v), 12) for v in values]
    return [_number(v.strip()) for v in text.split(",") if v.strip()]


def parse_param(spec: str) -> tuple[str, list[Value]]:
    """``path=values`` as given on the command line."""
    path, sep, values = spec.partition("=")
    if not sep or not path.strip():
        raise UserError(f"--param '{spec}': expected PATH=VALUES, e.g. selling.policy.k=-3:3")
    try:
        return path.strip(), parse_values(values)
    except UserError as exc:
        raise UserError(f"--param {path.strip()}: {exc}") from None


def _number(text: str) -> Value:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def nested(path: str, value: Any) -> dict[str, Any]:
    """``a.b.c`` = v as {"a": {"b": {"c": v}}}."""
    *outer, last = path.split(".")
    out: dict[str, Any] = {last: value}
    for key in reversed(outer):
        out = {key: out}
    return out
