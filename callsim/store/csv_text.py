"""CSV text made by whole-array numpy operations, a block of rows at a time.

pandas' ``to_csv`` formats every cell through Python: about 20 µs a row of the call table, more
than simulating the call. Here the rows are laid out in one byte matrix, a line per row, each
column as wide as its widest cell, with a mask of the bytes that belong to the cells; one boolean
index then drops the padding, leaving the rows in order as CSV text. Each column fills its own
slice of the matrix, so no column is built apart and copied in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np

_ZERO, _MINUS, _POINT = ord("0"), ord("-"), ord(".")
_EXACT = 2.0**53  # beyond this a float64 no longer holds every whole number

Fill = Callable[[np.ndarray, np.ndarray], None]


class Column(NamedTuple):
    """A column's cells: ``fill(chars, keep)`` writes row i's bytes in ``chars[i, :]`` (of
    ``width`` bytes) and sets ``keep[i, :]`` where they belong to the cell."""

    rows: int
    width: int
    fill: Fill


def numbers(values: np.ndarray, places: int = 0) -> Column:
    """Numbers rounded to ``places`` decimals with trailing zeros dropped (``12.5``, ``3``,
    ``-0.25``), as ``float(text)`` reads them back; NaN an empty cell, infinities ``inf`` and
    ``-inf``. Whole-number arrays are written exactly."""
    infinite: np.ndarray | None = None
    missing: np.ndarray | None = None
    if values.dtype.kind in "iub":
        magnitude = np.abs(values.astype(np.int64))
        negative = values < 0
    else:
        x = values.astype(np.float64, copy=False)
        finite = np.isfinite(x)
        if not finite.all():
            missing, infinite = ~finite, np.isinf(x)
            x = np.where(finite, x, 0.0)
        scaled = np.rint(x * 10.0**places)
        if np.any(np.abs(scaled) >= _EXACT):
            raise ValueError(f"numbers too large to write with {places} decimals")
        negative = scaled < 0
        magnitude = np.abs(scaled).astype(np.int64)
    whole, fraction = np.divmod(magnitude, 10**places)
    digits = len(str(int(whole.max(initial=0))))
    minus_inf = None if infinite is None else infinite & (values < 0)
    signed = bool(negative.any()) or (minus_inf is not None and bool(minus_inf.any()))
    if infinite is not None and infinite.any():
        digits = max(digits, 3)  # room for "inf"
    sign = int(signed)  # no byte for a sign no number has
    point = sign + digits

    def fill(chars: np.ndarray, keep: np.ndarray) -> None:
        if signed:
            chars[:, 0] = _MINUS
            keep[:, 0] = negative
        _digits(whole, chars[:, sign:point])
        for k in range(digits - 1):  # leading zeros go, the units digit always stays
            np.greater_equal(whole, 10 ** (digits - 1 - k), out=keep[:, sign + k])
        keep[:, point - 1] = True
        if places:
            chars[:, point] = _POINT
            np.not_equal(fraction, 0, out=keep[:, point])
            _digits(fraction, chars[:, point + 1 :])
            for j in range(places):  # a decimal stays while a non-zero one follows it
                np.not_equal(fraction % 10 ** (places - j), 0, out=keep[:, point + 1 + j])
        if missing is not None:
            keep[missing] = False
        if infinite is not None and infinite.any():
            chars[infinite, sign : sign + 3] = np.frombuffer(b"inf", dtype=np.uint8)
            keep[infinite, sign : sign + 3] = True
            if signed and minus_inf is not None:
                keep[minus_inf, 0] = True

    return Column(len(values), point + (1 + places if places else 0), fill)


def _digits(values: np.ndarray, into: np.ndarray) -> None:
    """The decimal digits of non-negative whole numbers, right-aligned and zero-padded."""
    rest = values.copy()
    digit = np.empty_like(rest)
    for k in range(into.shape[1] - 1, -1, -1):
        np.divmod(rest, 10, out=(rest, digit))
        np.add(digit, _ZERO, out=into[:, k], casting="unsafe")


def labels(codes: np.ndarray, names: Sequence[str]) -> Column:
    """``names[code]`` for each code, and an empty cell for a negative code (none)."""
    if len(codes) and codes.max(initial=-1) >= len(names):
        raise ValueError(f"code {int(codes.max())} has no name (there are {len(names)})")
    encoded = [b""] + [quote(name).encode("utf-8") for name in names]
    width = max(len(e) for e in encoded)
    # Gathering whole fixed-width byte strings is much faster than gathering (row, byte) pairs.
    table = np.array(encoded, dtype=f"S{max(width, 1)}")
    lengths = np.array([len(e) for e in encoded])
    index = np.where(codes < 0, 0, codes.astype(np.int64) + 1)

    def fill(chars: np.ndarray, keep: np.ndarray) -> None:
        if width:
            chars[:] = table[index].view(np.uint8).reshape(len(codes), width)
            np.less(np.arange(width), lengths[index][:, None], out=keep)

    return Column(len(codes), width, fill)


def quote(text: str) -> str:
    """A CSV cell holding ``text`` (RFC 4180): quoted when it holds a comma, a quote or a line
    break, or has spaces at either end."""
    if any(c in text for c in ',"\r\n') or text != text.strip():
        return '"' + text.replace('"', '""') + '"'
    return text


def header(names: Sequence[str]) -> bytes:
    return (",".join(quote(name) for name in names) + "\n").encode("utf-8")


def lines(columns: Sequence[Column]) -> bytes:
    """The rows as CSV lines, cells separated by commas, each line ending with a newline."""
    rows = columns[0].rows
    if any(column.rows != rows for column in columns):
        raise ValueError("columns of different lengths")
    width = sum(column.width for column in columns) + len(columns)
    chars = np.empty((rows, width), dtype=np.uint8)
    keep = np.empty((rows, width), dtype=bool)
    at = 0
    for column in columns:
        column.fill(chars[:, at : at + column.width], keep[:, at : at + column.width])
        at += column.width
        chars[:, at] = ord(",")
        keep[:, at] = True
        at += 1
    chars[:, -1] = ord("\n")
    return chars.ravel()[keep.ravel()].tobytes()
