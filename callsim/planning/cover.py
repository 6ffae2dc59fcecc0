"""The covering integer program (Dantzig 1954, breaks in windows as in Aykin 1996), by HiGHS.

Variables: an integer headcount ``x_p ≥ 0`` per shift pattern and a shortfall ``s_i ≥ 0`` per
interval. Constraints: ``Σ_p a_ip x_p + s_i ≥ r_i`` in every interval (``a_ip``: the share of
interval ``i`` pattern ``p`` is on the phones) and ``lo ≤ Σ_{p∈L} x_p ≤ hi`` for every headcount
limit ``L`` (a template's, a group's, the roster's, on each day). The shortfall makes every
requirement feasible: when the limits cannot cover it, the answer is the best schedule and the
intervals left short, never an error.

The objective is staff cost plus a penalty per agent-interval short. No finite penalty makes
coverage win in every instance (a break that leaves half an interval can make covering the last
half agent cost a whole shift), so without one the program is solved lexicographically: first
the least total shortfall, then the cheapest schedule with no more than that shortfall, which is
what an infinite penalty would give.

A shortfall counts alike wherever it falls, so when the limits cannot cover the requirement the
program is indifferent between one interval left empty and two left half short (two agents'
breaks may be put in the same interval); the loop's simulation shows the difference.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, OptimizeResult, milp
from scipy.sparse import csr_array, hstack, identity

TIME_LIMIT_S = 60.0
"""Per solve: HiGHS returns the best schedule found by then, with its gap (assumption: a planner
waits a minute; the bundled scenario solves in well under a second)."""
REL_GAP = 1e-3
"""HiGHS stops at a schedule it proves within 0.1% of the least objective (assumption: 8 of a
day's 8,000 of staff cost, a third of an agent-hour, is nothing to a planner). Proving the last
0.1% can take minutes where many patterns cost the same: a 463-pattern program found its best
schedule in 2 s and had not closed a 0.07% gap after 20."""
_TOL = 1e-6


@dataclass(frozen=True)
class Limit:
    """At least ``low`` and at most ``high`` (None: no cap) agents over ``patterns``."""

    patterns: np.ndarray
    low: int
    high: int | None


@dataclass(frozen=True)
class Cover:
    counts: np.ndarray
    """Agents per pattern."""
    shortfall: np.ndarray
    """Agent-intervals short, per interval."""
    cost: float
    status: str
    """``optimal`` (within ``gap`` of the bound, at most :data:`REL_GAP`), or ``time limit``
    (the best schedule found by then, ``gap`` from the bound)."""
    gap: float
    solve_s: float
    variables: int
    constraints: int


def solve_cover(
    coverage: np.ndarray,
    cost: np.ndarray,
    requirement: np.ndarray,
    limits: list[Limit],
    penalty: float | None = None,
    time_limit_s: float = TIME_LIMIT_S,
    rel_gap: float = REL_GAP,
) -> Cover:
    """Headcounts per pattern meeting ``requirement`` (per interval) at least cost, with
    ``penalty`` per agent-interval short (None: coverage first, then cost), within ``rel_gap``
    of the optimum."""
    n_int, n_pat = coverage.shape
    a = csr_array(coverage)
    rows = [LinearConstraint(hstack([a, identity(n_int, format="csr")]), lb=requirement)]
    if limits:
        m = np.zeros((len(limits), n_pat + n_int))
        for k, lim in enumerate(limits):
            m[k, lim.patterns] = 1.0
        lo = [lim.low for lim in limits]
        hi = [np.inf if lim.high is None else lim.high for lim in limits]
        rows.append(LinearConstraint(csr_array(m), lb=lo, ub=hi))
    integrality = np.concatenate([np.ones(n_pat), np.zeros(n_int)])
    bounds = Bounds(0.0, np.inf)
    started = time.perf_counter()
    if penalty is None:
        total_short = np.concatenate([np.zeros(n_pat), np.ones(n_int)])
        least = _solve(total_short, rows, integrality, bounds, time_limit_s, rel_gap)
        short = float(least.x[n_pat:].sum())
        cap = LinearConstraint(total_short[None, :], ub=short + _TOL * max(1.0, short))
        objective = np.concatenate([cost, np.zeros(n_int)])
        res = _solve(objective, [*rows, cap], integrality, bounds, time_limit_s, rel_gap)
        timed_out = least.status == 1 or res.status == 1
    else:
        objective = np.concatenate([cost, np.full(n_int, penalty)])
        res = _solve(objective, rows, integrality, bounds, time_limit_s, rel_gap)
        timed_out = res.status == 1
    elapsed = time.perf_counter() - started
    counts = np.rint(res.x[:n_pat]).astype(int)
    shortfall = np.clip(requirement - coverage @ counts, 0.0, None)
    shortfall[shortfall < _TOL] = 0.0
    return Cover(
        counts=counts,
        shortfall=shortfall,
        cost=float(cost @ counts),
        status="time limit" if timed_out else "optimal",
        gap=float(getattr(res, "mip_gap", 0.0) or 0.0),
        solve_s=elapsed,
        variables=n_pat + n_int,
        constraints=n_int + len(limits),
    )


def _solve(
    objective: np.ndarray,
    rows: list[LinearConstraint],
    integrality: np.ndarray,
    bounds: Bounds,
    time_limit_s: float,
    rel_gap: float,
) -> OptimizeResult:
    res = milp(
        objective,
        constraints=rows,
        integrality=integrality,
        bounds=bounds,
        options={"time_limit": time_limit_s, "mip_rel_gap": rel_gap},
    )
    # Every program here is feasible (the shortfall absorbs any requirement, the limits are
    # checked to agree when the scenario is read), so no solution is a bug, not a user error.
    if res.x is None:
        raise RuntimeError(f"HiGHS found no schedule: {res.message}")
    return res
