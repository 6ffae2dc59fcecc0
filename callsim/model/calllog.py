"""Per-call records in preallocated numpy arrays: no Python object per finished call survives."""

from __future__ import annotations

import numpy as np

from callsim.model.demand import Demand

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
    "repeat": np.int8,
    "customer": np.int32,
    "talk_factor": np.float64,
    "pitch": np.float64,
    "product": np.int16,
    "converted": np.int8,
    "closed_out": np.int8,
}


_DRAWN = ("arrival", "patience", "talk", "wrap", "reason", "segment", "customer")


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
    repeat: np.ndarray
    customer: np.ndarray
    talk_factor: np.ndarray
    pitch: np.ndarray
    product: np.ndarray
    converted: np.ndarray
    closed_out: np.ndarray  # told at the close that the line is closed (1)

    def __init__(self, demand: Demand, spare: int) -> None:
        """With no ``spare`` rows needed (no retrials, no repeats) the drawn callers' arrays are
        taken over as they are rather than copied: memory per call is what the run measures."""
        n = len(demand)
        self.size = n
        capacity = n + spare
        for name, dtype in _FIELDS.items():
            if name in _DRAWN and spare == 0:
                setattr(self, name, getattr(demand, name).astype(dtype, copy=False))
                continue
            setattr(self, name, np.empty(capacity, dtype=dtype))
            if name in _DRAWN:
                getattr(self, name)[:n] = getattr(demand, name)
        self._blank(slice(0, n))
        self.attempt[:n] = 0
        self.repeat[:n] = 0

    def _blank(self, rows: slice | int) -> None:
        """What the engine fills in: no answer, no agent, no offer yet."""
        self.answer[rows] = np.nan
        self.end[rows] = np.nan
        self.agent[rows] = -1
        self.outcome[rows] = WAITING
        self.talk_factor[rows] = 1.0
        self.pitch[rows] = 0.0
        self.product[rows] = -1
        self.converted[rows] = 0
        self.closed_out[rows] = 0

    def append_call(self, of: int, arrival: float, patience: float, *, repeat: bool) -> int:
        """Another call by the caller of row ``of`` about the same request, with fresh patience:
        a retrial after hanging up, or a repeat call after an unresolved answer."""
        if self.size == len(self.arrival):
            self._grow()
        j = self.size
        self.size += 1
        self.arrival[j] = arrival
        self.patience[j] = patience
        for name in ("talk", "wrap", "reason", "segment", "customer"):
            column = getattr(self, name)
            column[j] = column[of]
        self._blank(j)
        self.attempt[j] = 0 if repeat else self.attempt[of] + 1
        self.repeat[j] = repeat
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

    def columns(self) -> dict[str, np.ndarray]:
        """Every column, trimmed to the calls made (what a saved call file holds)."""
        return {name: self.column(name) for name in _FIELDS}

    def finish(self, handle_time_factor: list[float]) -> None:
        """Fill what the engine's hot path leaves out: who was answered, and when each call
        ended (talk × the agent's and the policy's factors, pitch, wrap-up).

        Computed in place over whole columns (no masked copies): a call never answered has no
        answer time, so its end comes out undefined by itself."""
        agent = self.column("agent")
        self.column("outcome")[agent >= 0] = ANSWERED
        end = self.column("end")
        factor = np.asarray(handle_time_factor or [1.0], dtype=float)  # no agents: none answered
        np.take(factor, agent, out=end, mode="wrap")  # "wrap" is unbuffered; -1 reads a real one
        end *= self.column("talk")
        end *= self.column("talk_factor")
        end += self.column("pitch")
        end += self.column("wrap")
        end += self.column("answer")
