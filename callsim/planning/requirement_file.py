"""A requirement from a file: scheduled agents per interval, as ``callsim staff --out`` writes it
(columns ``day``, ``start``, ``required_scheduled``), or as any other method sizes it."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from callsim.errors import UserError
from callsim.model.timegrid import TimeGrid

COLUMNS = ("day", "start", "required_scheduled")


class RequirementError(UserError):
    """A requirement file cannot be used; the message is one line naming the file and field."""


def read_requirement(path: Path, grid: TimeGrid) -> np.ndarray:
    """``required_scheduled`` of every interval of ``grid``, in the grid's order."""
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise RequirementError(f"{path}: no such file") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        detail = " ".join(str(exc).split())
        raise RequirementError(f"{path}: not a readable CSV ({detail})") from None
    table.columns = [str(c).strip() for c in table.columns]
    for column in COLUMNS:
        if column not in table.columns:
            raise RequirementError(f"{path}: no column '{column}' (columns: {', '.join(COLUMNS)})")
    days, starts = grid.labels()
    wanted = {(int(d), s): k for k, (d, s) in enumerate(zip(days, starts, strict=True))}
    out = np.full(len(grid), np.nan)
    for row, (day, start, value) in enumerate(
        zip(table["day"], table["start"], table["required_scheduled"], strict=True), start=1
    ):
        key = (_number(day), start.strip().zfill(5))
        if key not in wanted:
            raise RequirementError(
                f"{path}: row {row}: day {day.strip()!r} {start.strip()!r} is not an interval "
                f"of the scenario's horizon"
            )
        k = wanted[key]
        if not math.isnan(out[k]):
            raise RequirementError(f"{path}: row {row}: day {key[0]} {key[1]} is listed twice")
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not (math.isfinite(number) and number >= 0):
            raise RequirementError(
                f"{path}: row {row}: required_scheduled must be a number ≥ 0 (got {value!r})"
            )
        out[k] = number
    missing = np.flatnonzero(np.isnan(out))
    if len(missing):
        k = int(missing[0])
        raise RequirementError(f"{path}: no row for day {days[k]} {starts[k]}")
    return out


def _number(text: str) -> int:
    """A day number as written (``1``, ``1.0``), or -1 for what is not one."""
    try:
        value = float(text)
    except ValueError:
        return -1
    return int(value) if value.is_integer() else -1
