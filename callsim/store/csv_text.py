"""CSV text made by whole-array numpy operations, a block of rows at a time.

pandas' ``to_csv`` formats every cell through Python: about 20 µs a row of the call table, more
than simulating the call. Here each column becomes a byte matrix, one row per line and as wide as
its widest cell, with a mask of the bytes that belong to each cell; the columns are joined with
commas and one boolean index drops the padding, leaving the rows in order as CSV text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

_ZERO, _MINUS, _POINT = ord("0"), ord("-"), ord(".")
_EXACT = 2.0**53  # beyond this a float64 no longer holds every whole number


class Cells(NamedTuple):
    """One column's cells: ``chars[i, :]`` holds row i's bytes where ``keep[i, :]`` is set."""

    chars: np.ndarray
    keep: np.ndarray


def numbers(values: np.ndarray, places: int = 0) -> Cells:
    """Numbers rounded to ``places`` decimals with trailing zeros dropped (``12.5``, ``3``,
    ``-0.25``), as ``float(text)`` reads them back; NaN an empty cell, infinities ``inf`` and
    ``-inf``. Whole-number arrays are written exactly."""
    if values.dtype.kind in "iub":
        magnitude = np.abs(values.astype(np.int64))
        negative = values < 0
        finite = None
    else:
        x = values.astype(np.float64, copy=False)
        finite = np.isfinite(x)
        scaled = np.rint(np.where(finite, x, 0.0) * 10.0**places)
        if np.any(np.abs(scaled) >= _EXACT):
            raise ValueError(f"numbers too large to write with {places} decimals")
        negative = scaled < 0
        magnitude = np.abs(scaled).astype(np.int64)
    unit = 10**places
    whole, fraction = np.divmod(magnitude, unit)
    digits = len(str(int(whole.max(initial=0))))
    infinite = None if finite is None else ~finite & ~np.isnan(values)
    signed = bool(negative.any()) or (infinite is not None and bool(np.any(values[infinite] < 0)))
    if infinite is not None and infinite.any():
        digits = max(digits, 3)  # room for "inf"
    rows, sign = len(values), int(signed)  # no column for a sign no number has
    width = sign + digits + (1 + places if places else 0)
    chars = np.empty((rows, width), dtype=np.uint8)
    keep = np.empty((rows, width), dtype=bool)
    if signed:
        chars[:, 0] = _MINUS
        keep[:, 0] = negative
    _digits(whole, chars[:, sign : sign + digits])
    for k in range(digits - 1):  # leading zeros go, the units digit always stays
        keep[:, sign + k] = whole >= 10 ** (digits - 1 - k)
    keep[:, sign + digits - 1] = True
    if places:
        point = sign + digits
        chars[:, point] = _POINT
        keep[:, point] = fraction != 0
        _digits(fraction, chars[:, point + 1 :])
        for j in range(places):  # a decimal stays while a non-zero one follows it
            keep[:, point + 1 + j] = fraction % 10 ** (places - j) != 0
    if finite is not None and not finite.all():
        keep[~finite] = False
        if infinite is not None and infinite.any():
            chars[infinite, sign : sign + 3] = np.frombuffer(b"inf", dtype=np.uint8)
            keep[infinite, sign : sign + 3] = True
            if signed:
                keep[infinite, 0] = values[infinite] < 0
    return Cells(chars, keep)


def _digits(values: np.ndarray, into: np.ndarray) -> None:
    """The decimal digits of non-negative whole numbers, right-aligned and zero-padded."""
    rest = values.copy()
    for k in range(into.shape[1] - 1, -1, -1):
        rest, digit = np.divmod(rest, 10)
        into[:, k] = digit + _ZERO


def labels(codes: np.ndarray, names: Sequence[str]) -> Cells:
    """``names[code]`` for each code, and an empty cell for a negative code (none)."""
    if len(codes) and codes.max(initial=-1) >= len(names):
        raise ValueError(f"code {int(codes.max())} has no name (there are {len(names)})")
    encoded = [b""] + [quote(name).encode("utf-8") for name in names]
    width = max(len(e) for e in encoded)
    if width == 0:
        return Cells(np.empty((len(codes), 0), np.uint8), np.empty((len(codes), 0), bool))
    # Gathering whole fixed-width byte strings is much faster than gathering (row, byte) pairs.
    table = np.array(encoded, dtype=f"S{width}")
    lengths = np.array([len(e) for e in encoded])
    index = np.where(codes < 0, 0, codes.astype(np.int64) + 1)
    chars = table[index].view(np.uint8).reshape(len(codes), width)
    keep = np.arange(width) < lengths[index][:, None]
    return Cells(chars, keep)


def quote(text: str) -> str:
    """A CSV cell holding ``text`` (RFC 4180): quoted when it holds a comma, a quote or a line
    break, or has spaces at either end."""
    if any(c in text for c in ',"\r\n') or text != text.strip():
        return '"' + text.replace('"', '""') + '"'
    return text


def header(names: Sequence[str]) -> bytes:
    return (",".join(quote(name) for name in names) + "\n").encode("utf-8")


def lines(columns: Sequence[Cells]) -> bytes:
    """The rows as CSV lines, cells separated by commas, each line ending with a newline."""
    rows = len(columns[0].chars)
    comma = np.full((rows, 1), ord(","), dtype=np.uint8)
    newline = np.full((rows, 1), ord("\n"), dtype=np.uint8)
    always = np.ones((rows, 1), dtype=bool)
    chars: list[np.ndarray] = []
    keep: list[np.ndarray] = []
    for k, cells in enumerate(columns):
        if len(cells.chars) != rows:
            raise ValueError("columns of different lengths")
        chars += [cells.chars] if k == 0 else [comma, cells.chars]
        keep += [cells.keep] if k == 0 else [always, cells.keep]
    block = np.concatenate([*chars, newline], axis=1)
    mask = np.concatenate([*keep, always], axis=1)
    return np.compress(mask.ravel(), block.ravel()).tobytes()  # 3x faster than block[mask]
