"""What the callers of each planning interval found when they called, read off simulated calls.

The iterative staffing algorithm sizes an interval from the number of callers in the system
(being served or waiting) that its own callers find on arrival. Counted from the call log, that
number holds everything earlier intervals left behind: calls of a peak still in service, a queue
carried over, retrials of callers who gave up before, offers being pitched. It is measured at the
arrival instants themselves, so no assumption about Poisson arrivals seeing time averages is
needed for the law to be the one callers meet.

An agent whose session ends while on a call finishes it (the engine's rule), so just after the
staffing drops some calls in service are held by agents who are no longer among the interval's
agents. Those calls are not counted: a caller competes for the interval's agents with the others
waiting and with the calls those agents hold, and with nobody else.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from callsim.model.calllog import ABANDONED, ANSWERED, BALKED
from callsim.model.roster import Roster
from callsim.model.timegrid import TimeGrid
from callsim.scenario.schema import SECONDS_PER_DAY


@dataclass(frozen=True)
class StateLaws:
    """Per interval.

    ``laws[k, n]``: the share of interval k's callers who found n others in the system, averaged
    over the replications in which anyone called in it (each replication weighs the same, as in
    the per-interval KPIs, so a busy day does not count for more than a quiet one).
    ``callers[k]``: how many called in it, over all replications.
    ``handle_s[k]``: the mean time an agent spent on the answered ones (talk under the agent's
    and the policy's factors, pitch, wrap-up), NaN where none was answered.
    """

    laws: np.ndarray
    callers: np.ndarray
    handle_s: np.ndarray

    def law(self, k: int) -> np.ndarray:
        """Interval k's law of the number found (empty if nobody called in it)."""
        row: np.ndarray = self.laws[k]
        return row[: int(np.flatnonzero(row).max(initial=-1)) + 1]


def state_laws(calls: pd.DataFrame, grid: TimeGrid, roster: Roster) -> StateLaws:
    """From the call tables of several replications (a ``replication`` column tells them apart)
    of one roster.

    A call resolved in the self-service menu (``ivr``) is not in the queue's system at all. A
    call is in the system from its arrival until it ends (answered), gives up (abandoned, or is
    told at the close to call back; a balk on hearing the announced wait leaves at once), or the
    run ends (still waiting); from the end of its agent's session on it no longer holds one of
    the interval's agents."""
    sessions = _Sessions(roster)
    n = len(grid)
    per_rep: list[tuple[np.ndarray, np.ndarray]] = []
    handle_sum = np.zeros(n)
    handled = np.zeros(n)
    if "ivr" in calls.columns:  # resolved in the self-service menu: never queued, nobody's wait
        calls = calls[calls["ivr"].to_numpy() == 0]
    for _, rep in calls.groupby("replication", sort=True):
        arrival = rep["arrival"].to_numpy(dtype=float)
        outcome = rep["outcome"].to_numpy()
        answered = outcome == ANSWERED
        leave = np.where(
            answered,
            rep["end"].to_numpy(dtype=float),
            np.where(
                outcome == ABANDONED,
                arrival + rep["patience"].to_numpy(dtype=float),
                np.where(outcome == BALKED, arrival, np.inf),  # hung up on the announcement
            ),
        )
        answer = rep["answer"].to_numpy(dtype=float)
        end = rep["end"].to_numpy(dtype=float)
        # Others in the system at an arrival: those who came before, minus those gone by then,
        # minus the calls held past their agent's session.
        before = np.searchsorted(np.sort(arrival), arrival, side="left")
        gone = np.searchsorted(np.sort(leave), arrival, side="right")
        agent = rep["agent"].to_numpy()
        held_from = np.maximum(sessions.end_at(agent[answered], answer[answered]), answer[answered])
        held_to = end[answered]
        past = held_to > held_from
        held_from, held_to = np.sort(held_from[past]), np.sort(held_to[past])
        held = np.searchsorted(held_from, arrival, side="right") - np.searchsorted(
            held_to, arrival, side="right"
        )
        found = (before - gone - held).astype(np.int64)
        interval = grid.index_of(arrival)
        inside = interval >= 0
        per_rep.append((interval[inside], found[inside]))
        busy = answered & inside
        spent = end - answer
        handle_sum += np.bincount(interval[busy], weights=spent[busy], minlength=n)
        handled += np.bincount(interval[busy], minlength=n)
    width = 1 + max((int(f.max(initial=0)) for _, f in per_rep), default=0)
    shares = np.zeros((n, width))
    callers = np.zeros(n, dtype=np.int64)
    reps_with_callers = np.zeros(n)
    for interval, found in per_rep:
        counts = np.bincount(interval * width + found, minlength=n * width).reshape(n, width)
        here = counts.sum(axis=1)
        shares += counts / np.maximum(here, 1)[:, None]
        callers += here
        reps_with_callers += here > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        handle_s = handle_sum / handled
    laws = shares / np.maximum(reps_with_callers, 1)[:, None]
    return StateLaws(laws=laws, callers=callers, handle_s=handle_s)


class _Sessions:
    """The roster's login sessions, to look up when the session an agent was in at some time
    ends: sorted by agent, then start, on one key (agent × span + start) for one binary search."""

    def __init__(self, roster: Roster) -> None:
        rows = np.asarray(roster.sessions, dtype=float).reshape(-1, 3)
        self.span = float(np.abs(rows[:, 1:]).max(initial=0.0)) + SECONDS_PER_DAY
        order = np.lexsort((rows[:, 1], rows[:, 0]))
        self.agent = rows[order, 0].astype(np.int64)
        self.key = self.agent * self.span + rows[order, 1]
        self.end = rows[order, 2]

    def end_at(self, agent: np.ndarray, time: np.ndarray) -> np.ndarray:
        """End of the last session of ``agent`` that started by ``time`` (-inf if none did)."""
        out = np.full(len(agent), -np.inf)
        if len(self.key) == 0:
            return out
        k = np.searchsorted(self.key, agent * self.span + time, side="right") - 1
        at = np.clip(k, 0, None)
        found = (k >= 0) & (self.agent[at] == agent)
        out[found] = self.end[at[found]]
        return out
