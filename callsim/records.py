"""Per-call records in preallocated numpy arrays: no Python object per finished call survives."""

from __future__ import annotations

import numpy as np
import pandas as pd

from callsim.demand import Demand

WAITING, ANSWERED, ABANDONED = 0, 1, 2
OUTCOMES = ("waiting", "answered", "abandoned")

_FIELDS: dict[str, type] = {
    "arrival": np.float64,
    "patience": np.float64,
    "talk": np.float64,
    "wrap": np.float64,
    "answer": np.float64,
    "end": np.float64,
    "reason": np.int16,
    "segment": np.int16,
    "agent": np.int32,
    "outcome": np.int8,
    "attempt": np.int8,
}


class CallLog:
    """Call table columns: first attempts fill rows 0..n-1 in arrival order, retrials follow."""

    arrival: np.ndarray
    patience: np.ndarray
    talk: np.ndarray
    wrap: np.ndarray
    answer: np.ndarray
    end: np.ndarray
    reason: np.ndarray
    segment: np.ndarray
    agent: np.ndarray
    outcome: np.ndarray
    attempt: np.ndarray

    def __init__(self, demand: Demand, spare: int) -> None:
        n = len(demand)
        self.size = n
        capacity = n + spare
        for name, dtype in _FIELDS.items():
            setattr(self, name, np.empty(capacity, dtype=dtype))
        for name in ("arrival", "patience", "talk", "wrap", "reason", "segment"):
            getattr(self, name)[:n] = getattr(demand, name)
        self.answer[:n] = np.nan
        self.end[:n] = np.nan
        self.agent[:n] = -1
        self.outcome[:n] = WAITING
        self.attempt[:n] = 0

    def append_retrial(self, of: int, arrival: float, patience: float) -> int:
        """A new attempt by the caller of row ``of``: same request, fresh patience."""
        if self.size == len(self.arrival):
            self._grow()
        j = self.size
        self.size += 1
        self.arrival[j] = arrival
        self.patience[j] = patience
        for name in ("talk", "wrap", "reason", "segment"):
            column = getattr(self, name)
            column[j] = column[of]
        self.answer[j] = np.nan
        self.end[j] = np.nan
        self.agent[j] = -1
        self.outcome[j] = WAITING
        self.attempt[j] = self.attempt[of] + 1
        return j

    def _grow(self) -> None:
        capacity = max(64, 2 * len(self.arrival))
        for name in _FIELDS:
            column = getattr(self, name)
            grown = np.empty(capacity, dtype=column.dtype)
            grown[: len(column)] = column
            setattr(self, name, grown)

    def column(self, name: str) -> np.ndarray:
        return getattr(self, name)[: self.size]

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame({name: self.column(name) for name in _FIELDS})
