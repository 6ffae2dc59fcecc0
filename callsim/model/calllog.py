"""Per-call records in preallocated numpy arrays: no Python object per finished call survives."""

from __future__ import annotations

from collections.abc import Callable, Collection

import numpy as np

from callsim.model.demand import (
    AGAIN_DRAWS,
    BALK_DRAWS,
    RESOLUTION_DRAWS,
    SELLING_DRAWS,
    STEERING_DRAWS,
    Demand,
)
from callsim.model.hashing import GOLDEN, M64, splitmix64

WAITING, ANSWERED, ABANDONED, BALKED = 0, 1, 2, 3
OUTCOMES = ("waiting", "answered", "abandoned", "balked")
"""Balked: hung up at once on hearing the announced wait (:mod:`callsim.model.announcement`)."""

FIELDS: dict[str, type] = {
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
    "resolved": np.int8,
    "ivr": np.int8,
    "ivr_s": np.float64,
    "steered": np.int8,
    "announced": np.float64,
}
"""The call table's columns, in order, with the type each is kept in."""


_DRAWN = ("arrival", "patience", "talk", "wrap", "reason", "segment", "customer")
BLANK: dict[str, float] = {
    "talk_factor": 1.0,
    "pitch": 0.0,
    "product": -1,
    "converted": 0,
    "ivr_s": 0.0,
    "announced": np.nan,
}
"""Columns many runs never write, with the value they keep then: such a run holds each as a
read-only constant view that costs no memory per call (a plan that neither sells nor flexes
talk saves 27 bytes a call). ``ivr_s`` stays blank without a self-service menu, ``announced``
when the callers' ``u_balk`` is not drawn; the engine names the others it leaves alone."""
SELLING_COLUMNS = ("pitch", "product", "converted")
"""What an offer writes: blank throughout a run that makes none."""

_SALT_AGAIN, _SALT_SELLING, _SALT_RESOLVE, _SALT_BALK = (
    0x5EED_A6A1,
    0x5EED_5E11,
    0x5EED_8E50,
    0x5EED_BA1C,
)
_FINISH_BLOCK = 1 << 16
"""Rows :meth:`CallLog.finish` works on at once (assumption: large enough for numpy's per-call
overhead to vanish, small enough for its temporaries not to count)."""


def _derived(bits: list[int], salt: int, n: int) -> list[float]:
    """``n`` uniforms in [0, 1) on the float32 grid, a function of a parent call's uniforms
    (their float32 bit patterns): the same parent gives the same child in every plan."""
    x = salt
    for b in bits:
        x = splitmix64((x ^ b) + GOLDEN & M64)
    return [(splitmix64(x + (k + 1) * GOLDEN & M64) >> 40) / 16_777_216.0 for k in range(n)]


def _blank_column(name: str, n: int) -> np.ndarray:
    """``n`` rows of the column's blank value that take no memory (read-only)."""
    return np.broadcast_to(FIELDS[name](BLANK[name]), (n,))


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
    resolved: np.ndarray  # the request resolved at this contact (1), not (0), not answered (-1)
    ivr: np.ndarray  # resolved in the self-service menu, never queued (1)
    ivr_s: np.ndarray  # seconds in the menu before the queue (or before hanging up, resolved)
    steered: np.ndarray  # the agent steered the caller to self-service (1)
    announced: np.ndarray  # the expected wait told on arrival, s (NaN: nothing announced)
    draws: dict[str, np.ndarray]
    """The callers' own float32 uniforms (:mod:`callsim.model.demand`), only those the scenario
    uses; kept for the decisions taken later, not part of the saved call table."""

    def __init__(self, demand: Demand, spare: int, unwritten: Collection[str] = ()) -> None:
        """With no ``spare`` rows needed (no retrials, no repeats) the drawn callers' arrays are
        taken over as they are rather than copied: memory per call is what the run measures.
        ``unwritten``: columns of :data:`BLANK` the run will not write."""
        n = len(demand)
        constant = set(unwritten)
        if demand.ivr_s is None:
            constant.add("ivr_s")
        if "u_balk" not in demand.draws:
            constant.add("announced")
        self._written_blank = tuple((k, v) for k, v in BLANK.items() if k not in constant)
        """What of :data:`BLANK` each new row is given; the rest is constant."""
        self.size = n
        self.grown: list[Callable[[], None]] = []
        """Told when the columns move to bigger arrays (views of them are then stale)."""
        capacity = n + spare
        self.draws = {}
        for name, drawn in demand.draws.items():
            column = drawn if spare == 0 else np.empty(capacity, dtype=np.float32)
            column[:n] = drawn
            self.draws[name] = column
        for name, dtype in FIELDS.items():
            if name in constant:
                setattr(self, name, _blank_column(name, capacity))
                continue
            if name in _DRAWN and spare == 0:
                setattr(self, name, getattr(demand, name).astype(dtype, copy=False))
                continue
            setattr(self, name, np.empty(capacity, dtype=dtype))
            if name in _DRAWN:
                getattr(self, name)[:n] = getattr(demand, name)
        self._blank(slice(0, n))
        self.attempt[:n] = 0
        self.repeat[:n] = 0
        self.ivr[:n] = 0 if demand.ivr is None else demand.ivr
        if demand.ivr_s is not None:
            self.ivr_s[:n] = demand.ivr_s

    def _blank(self, rows: slice | int) -> None:
        """What the engine fills in: no answer, no agent, no offer yet."""
        self.answer[rows] = np.nan
        self.end[rows] = np.nan
        self.agent[rows] = -1
        self.outcome[rows] = WAITING
        self.closed_out[rows] = 0
        self.resolved[rows] = -1
        self.steered[rows] = 0
        for name, value in self._written_blank:
            getattr(self, name)[rows] = value

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
        self._draws_of_call_again(of, j, repeat=repeat)
        self._blank(j)
        self.attempt[j] = 0 if repeat else self.attempt[of] + 1
        self.repeat[j] = repeat
        self.ivr[j] = 0  # calls made again go straight to the queue (ivr_s blank)
        return j

    def _draws_of_call_again(self, of: int, j: int, *, repeat: bool) -> None:
        """The same caller, so uniforms that are the same in every plan: derived from those of
        the call before, not drawn in event order.

        A retrial inherits the offer's uniforms (nobody offered anything to a caller who hung
        up: it is the same decision, taken later); a repeat call, after an answered call that
        may have had its offer, gets its own. Uniforms for calling yet again are new either way,
        or the caller would redial for ever; so is the one for balking, or a caller who balked
        once would balk at every announcement as long. Resolution goes like the offer: a retrial
        is the same request answered later, a repeat call another try at it."""
        draws = self.draws
        again = [name for name in AGAIN_DRAWS if name in draws]
        selling = [name for name in SELLING_DRAWS if name in draws]
        resolve = [name for name in (*RESOLUTION_DRAWS, *STEERING_DRAWS) if name in draws]
        balk = [name for name in BALK_DRAWS if name in draws]
        for names, salt, fresh in (
            (again, _SALT_AGAIN, True),
            (selling, _SALT_SELLING, repeat),
            (resolve, _SALT_RESOLVE, repeat),
            (balk, _SALT_BALK, True),
        ):
            if not names:
                continue
            if not fresh:
                for name in names:
                    draws[name][j] = draws[name][of]
                continue
            bits = [int(draws[name][of : of + 1].view(np.uint32)[0]) for name in names]
            for name, u in zip(names, _derived(bits, salt, len(names)), strict=True):
                draws[name][j] = u

    def _grow(self) -> None:
        capacity = max(64, 2 * len(self.arrival))
        for name in FIELDS:
            column = getattr(self, name)
            if not column.flags.writeable:
                setattr(self, name, _blank_column(name, capacity))
                continue
            grown = np.empty(capacity, dtype=column.dtype)
            grown[: len(column)] = column
            setattr(self, name, grown)
        for name, column in self.draws.items():
            grown = np.empty(capacity, dtype=column.dtype)
            grown[: len(column)] = column
            self.draws[name] = grown
        for listener in self.grown:
            listener()

    def column(self, name: str) -> np.ndarray:
        column: np.ndarray = getattr(self, name)
        return column[: self.size]

    def columns(self) -> dict[str, np.ndarray]:
        """Every column, trimmed to the calls made (what a saved call file holds): the log's
        own arrays where they hold just those calls, so keeping them costs no memory beside the
        run; copies where rows to spare for calls made again would stay allocated with them."""
        spare = len(self.arrival) > self.size
        return {name: self.column(name).copy() if spare else self.column(name) for name in FIELDS}

    def finish(
        self,
        handle_time_factor: list[float],
        steer_s: float = 0.0,
        factor_of_call: np.ndarray | None = None,
    ) -> None:
        """Fill what the engine's hot path leaves out: who was answered, when each call ended
        (talk × the agent's and the policy's factors, pitch, wrap-up), and that an answered
        call the engine did not mark unresolved was resolved. ``factor_of_call``: each call's
        own factor, where an agent's changed during the run (a new hire learning).

        Computed in place over whole columns (no masked copies): a call never answered has no
        answer time, so its end comes out undefined by itself. Done a block of rows at a time,
        so that the temporaries (``take`` makes its indices ``intp``, 8 bytes a call) stay a
        block's size, not a share of every call's memory."""
        factor = np.asarray(handle_time_factor or [1.0], dtype=float)  # no agents: none answered
        agents, outcome, end = self.column("agent"), self.column("outcome"), self.column("end")
        talk, talk_factor = self.column("talk"), self.column("talk_factor")
        pitch, wrap, answer = self.column("pitch"), self.column("wrap"), self.column("answer")
        steered, resolved = self.column("steered"), self.column("resolved")
        for lo in range(0, self.size, _FINISH_BLOCK):
            rows = slice(lo, lo + _FINISH_BLOCK)
            agent = agents[rows]
            answered = agent >= 0
            outcome[rows][answered] = ANSWERED
            block = end[rows]
            if factor_of_call is None:
                np.take(factor, agent, out=block, mode="wrap")  # unbuffered; -1 reads a real one
            else:
                block[:] = factor_of_call[rows]
            block *= talk[rows]
            block *= talk_factor[rows]
            block += pitch[rows]
            block += wrap[rows]
            block += answer[rows]
            if steer_s:  # steering a caller to self-service is talk time too
                block += steer_s * steered[rows]
            kept = resolved[rows]
            kept[answered & (kept < 0)] = 1  # answered, and nothing left it unresolved
