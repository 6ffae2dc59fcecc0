"""``calls.csv.gz``: one row per call and replication, with names rather than codes.

Written a block of rows at a time (:mod:`callsim.store.csv_text`), so it costs a small fraction
of simulating the calls and needs memory for one block beside the call table, however many
calls there are. Choices that shape the file:

- Times (seconds from the start of day 1) are rounded to the millisecond: far below anything
  the KPIs resolve (service-level thresholds are whole seconds), and fewer digits to write and
  compress. ``talk_factor`` keeps 6 decimals (assumption: below any factor a policy states).
- gzip level 1: on the call table's text it is about 4x faster than level 6 and 10x faster
  than level 9 (Python's default, so pandas'), for a file about 15% larger (29 against 25-26
  bytes a call); level 2 is 20% slower for 3% less, level 3 twice as slow for 6% less.
  Compressing is half the cost of writing, and disk is cheaper than the planner's wait.
- The header has no timestamp, so the same run writes the same bytes.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from callsim.experiment.call_table import Legend, named
from callsim.model.calllog import FIELDS
from callsim.store.csv_text import Column, header, labels, lines, numbers

LEVEL = 1
BLOCK_ROWS = 65_536  # assumption: a few MiB of text per block, large enough to amortise numpy calls
PLACES = {"talk_factor": 6}
TIME_PLACES = 3  # milliseconds


def write_calls(path: Path, calls: pd.DataFrame, names: Legend) -> None:
    """The call table (codes, as a run keeps it) as CSV with names, ``replication`` first.

    Compressing and writing a block (zlib lets other threads run meanwhile) overlaps with
    turning the next one into text."""
    order = ["replication", *(c for c in calls.columns if c != "replication")]
    columns = {c: calls[c].to_numpy() for c in order if c in calls.columns}
    with (
        open(path, "wb") as raw,
        gzip.GzipFile(filename="", mode="wb", compresslevel=LEVEL, fileobj=raw, mtime=0) as out,
        ThreadPoolExecutor(max_workers=1) as pool,
    ):
        pending: Future[int] = pool.submit(out.write, header(list(columns)))
        for text in _blocks(columns, names):
            pending.result()
            pending = pool.submit(out.write, text)
        pending.result()


def _blocks(columns: dict[str, np.ndarray], names: Legend) -> Iterator[bytes]:
    rows = len(next(iter(columns.values()), ()))
    for start in range(0, rows, BLOCK_ROWS):
        block = slice(start, start + BLOCK_ROWS)
        yield lines([_cells(name, values[block], names) for name, values in columns.items()])


def _cells(name: str, values: np.ndarray, names: Legend) -> Column:
    if name in names:
        return labels(values, names[name])
    if values.dtype.kind == "f":
        return numbers(values, PLACES.get(name, TIME_PLACES))
    return numbers(values)


def read_calls(path: Path, names: Legend) -> pd.DataFrame:
    """A calls file back as the table :func:`callsim.experiment.call_table.named` gives: named
    columns as categoricals in the legend's order. A name the legend does not know (a file of
    another run, or edited) is a ``ValueError`` naming the column and the name."""
    text = list(names)
    dtypes: dict[str, Any] = {"replication": np.int32, **FIELDS, **{c: "str" for c in text}}
    frame = pd.read_csv(
        path,
        dtype=dtypes,
        keep_default_na=False,  # only an empty cell is missing: a segment may be called "NA"
        na_values=[""],
    )
    for column in text:
        if column not in frame.columns:
            continue
        values = frame[column]
        known = pd.Index(list(names[column]), dtype="str")
        codes = known.get_indexer(pd.Index(values))
        unknown = (codes < 0) & values.notna().to_numpy()
        if unknown.any():
            raise ValueError(f"{column}: {values[unknown].iloc[0]!r} is not a name of this run")
        frame[column] = codes
    return named(frame, {c: v for c, v in names.items() if c in frame.columns})
