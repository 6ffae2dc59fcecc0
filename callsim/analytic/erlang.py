"""Closed-form and exact queueing results a planner checks the simulator against.

Erlang B (loss), Erlang C (M/M/c) and Erlang A (M/M/c+M, Palm's model with exponential patience),
plus the inverse "how many agents?" questions planners ask of them. All times are in seconds and
all rates per second. Everything is computed by recursions or in log space, so c in the thousands
and loads of thousands of Erlangs neither overflow nor lose precision.

Erlang A is solved exactly: the stationary law of the birth-death chain (truncated where the tail
mass is below 1e-15) is combined, through PASTA, with the law of a tagged caller's wait. A caller
who finds all agents busy and ``i`` callers ahead leaves that position at rate ``c*mu + i*theta``
(someone ahead is served or gives up) and gives up itself at rate ``theta``; it is served when an
agent frees while it is at the head. References: Palm (1943); Garnett, Mandelbaum & Reiman (2002),
"Designing a call center with impatient customers"; Mandelbaum & Zeltyn, "The M/M/n+G queue:
summary of performance measures".
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from callsim.service_level import SERVICE_LEVEL_DEFINITIONS

__all__ = [
    "SERVICE_LEVEL_DEFINITIONS",
    "QueueMetrics",
    "agents_for_abandonment",
    "agents_for_asa",
    "agents_for_service_level",
    "callers_finding",
    "erlang_b",
    "erlang_c",
    "fewest_agents",
    "mmc",
    "mmc_m",
    "scheduled_for",
    "square_root_staffing",
]


# Relative mass left out when the infinite birth-death chain is truncated.
_TAIL_MASS = 1e-16
# Longest queue the exact Erlang A solver will hold in memory.
_MAX_QUEUE_STATES = 1 << 22
# Slack when comparing a computed metric with a target, so that a target hit exactly is not
# missed through rounding.
_TOL = 1e-12


@dataclass(frozen=True)
class QueueMetrics:
    """Steady-state figures for one queue, in the simulator's vocabulary.

    ``p_wait``: share of arrivals that find all agents busy. ``asa_s``: mean wait of answered
    calls. ``mean_wait_s``: mean wait of all calls (answered and abandoned). ``abandon_rate``:
    share of arrivals that abandon. ``service_level``: definition name -> value (see
    ``SERVICE_LEVEL_DEFINITIONS``). ``occupancy``: mean busy agents / c. ``mean_queue``:
    time-average number waiting.
    """

    p_wait: float
    asa_s: float
    mean_wait_s: float
    abandon_rate: float
    service_level: dict[str, float] = field(hash=False)
    occupancy: float
    mean_queue: float


# --------------------------------------------------------------------------------------------
# validation helpers


def _check_agents(c: int, name: str = "c", minimum: int = 1) -> int:
    if isinstance(c, bool) or not isinstance(c, int | np.integer):
        raise ValueError(f"{name} must be an integer number of agents, got {c!r}")
    if c < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {c}")
    return int(c)


def _check_nonneg(x: float, name: str) -> float:
    x = float(x)
    if not math.isfinite(x) or x < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {x!r}")
    return x


def _check_pos(x: float, name: str, allow_inf: bool = False) -> float:
    x = float(x)
    if math.isnan(x) or x <= 0 or (math.isinf(x) and not allow_inf):
        kind = "a number > 0 (inf allowed)" if allow_inf else "a finite number > 0"
        raise ValueError(f"{name} must be {kind}, got {x!r}")
    return x


def _check_fraction(x: float, name: str) -> float:
    x = float(x)
    if not 0 < x <= 1:
        raise ValueError(f"{name} must be in (0, 1], got {x!r}")
    return x


def _check_shrinkage(x: float) -> float:
    x = float(x)
    if not 0 <= x < 1:
        raise ValueError(f"shrinkage must be in [0, 1), got {x!r}")
    return x


def _clip01(x: float) -> float:
    """Probabilities assembled from differences can stray from [0, 1] by rounding dust."""
    return min(1.0, max(0.0, x))


def _ceil(x: float) -> int:
    """Ceiling that ignores floating-point dust (7 / 0.7 must give 10, not 11)."""
    return math.ceil(x - 1e-9 * max(1.0, abs(x)))


# --------------------------------------------------------------------------------------------
# Erlang B and C


def erlang_b(c: int, load: float) -> float:
    """Blocking probability of M/M/c/c; the recursion B(k) = A·B(k-1)/(k + A·B(k-1)) never
    overflows, unlike the textbook ratio of power series."""
    c = _check_agents(c, minimum=0)
    a = _check_nonneg(load, "load")
    b = 1.0
    for k in range(1, c + 1):
        ab = a * b
        b = ab / (k + ab)
    return b


def _c_from_b(c: int, a: float, b: float) -> float:
    return c * b / (c - a * (1.0 - b))


def erlang_c(c: int, load: float) -> float:
    """P(wait > 0) in M/M/c, via Erlang B for stability; 1.0 when the queue is unstable."""
    c = _check_agents(c)
    a = _check_nonneg(load, "load")
    if a >= c:
        return 1.0
    if a == 0:
        return 0.0
    return _c_from_b(c, a, erlang_b(c, a))


def _mmc_from_c(rate: float, mu: float, c: int, pw: float, threshold_s: float) -> QueueMetrics:
    a = rate / mu
    gap = c * mu - rate  # decay rate of the conditional wait distribution
    asa = pw / gap if pw > 0 else 0.0
    sl = 1.0 - pw * math.exp(-gap * threshold_s)
    return QueueMetrics(
        p_wait=pw,
        asa_s=asa,
        mean_wait_s=asa,
        abandon_rate=0.0,
        service_level=dict.fromkeys(SERVICE_LEVEL_DEFINITIONS, sl),
        occupancy=a / c,
        mean_queue=rate * asa,
    )


def mmc(rate: float, mean_service_s: float, c: int, threshold_s: float) -> QueueMetrics:
    """Erlang C: the benchmark with infinitely patient callers; all service-level definitions
    coincide because nobody abandons."""
    rate = _check_nonneg(rate, "rate")
    mean_service_s = _check_pos(mean_service_s, "mean_service_s")
    c = _check_agents(c)
    threshold_s = _check_nonneg(threshold_s, "threshold_s")
    load = rate * mean_service_s
    if load >= c:
        raise ValueError(
            f"M/M/c is unstable: load {load:g} Erlangs >= c = {c} agents "
            "(use mmc_m with finite patience for overload)"
        )
    return _mmc_from_c(rate, 1.0 / mean_service_s, c, erlang_c(c, load), threshold_s)


# --------------------------------------------------------------------------------------------
# Erlang A


def _erlang_a_state_law(rate: float, mu: float, theta: float, c: int) -> np.ndarray:
    """Stationary probabilities of n = 0..N in system, N chosen so the cut tail is < 1e-15.

    Built in log space: n <= c is a Poisson(load) shape, beyond c each step multiplies by
    rate / (c*mu + k*theta).
    """
    from scipy import special  # here, not at the top: the other formulas do without scipy

    a = rate / mu
    n = np.arange(c + 1, dtype=float)
    log_head = n * math.log(a) - special.gammaln(n + 1.0)
    log_pc = float(log_head[-1])
    # Beyond the mode k* the ratios are < 1 and shrinking, so the tail after the last kept
    # state is bounded by a geometric series.
    k_star = max(0, math.ceil((rate - c * mu) / theta))
    size = max(64, k_star + 64)
    while True:
        if size > _MAX_QUEUE_STATES:
            raise ValueError(
                "Erlang A queue too long to solve exactly: overload with mean_patience_s "
                f"= {1.0 / theta:g} keeps about {k_star} callers waiting"
            )
        k = np.arange(1, size + 1, dtype=float)
        log_tail = log_pc + np.cumsum(np.log(rate) - np.log(c * mu + k * theta))
        log_all = np.concatenate([log_head, log_tail])
        log_total = float(special.logsumexp(log_all))
        rho_next = rate / (c * mu + (size + 1) * theta)
        if rho_next < 1.0:
            log_bound = float(log_tail[-1]) + math.log(rho_next / (1.0 - rho_next))
            if log_bound - log_total < math.log(_TAIL_MASS):
                break
        size *= 2
    p = np.exp(log_all - log_total)
    # Drop the negligible end of the tail so the transient computation stays small.
    tail = np.cumsum(p[::-1])[::-1]
    keep = max(c + 1, int(np.searchsorted(-tail, -_TAIL_MASS, side="left")) + 1)
    p = p[: min(keep, p.size)]
    return p / float(p.sum())


def _still_waiting_at(q: np.ndarray, r: np.ndarray, theta: float, t: float) -> np.ndarray:
    """Law at time t of a tagged caller who is still waiting, from initial law q over "callers
    ahead" (index i), by uniformization.

    From position i the caller moves to i-1 at rate c*mu + i*theta (= r[i-1]), is served from
    position 0 at rate c*mu, and abandons at rate theta; total exit rate r[i]. Uniformization keeps
    every term non-negative, so it is exact up to the truncated Poisson tail (< 1e-16).
    """
    if t == 0 or q.sum() == 0:
        return q.copy()
    lam = float(r[-1])
    m = lam * t
    stay = 1.0 - r / lam
    down = r[:-1] / lam  # from i+1 to i
    # Beyond m + 10 sd + 40 the Poisson weights sum to far less than 1e-16.
    k_max = int(m + 10.0 * math.sqrt(m) + 40)
    log_m = math.log(m)
    v = q.copy()
    acc = np.zeros_like(q)
    for k in range(k_max + 1):
        w = math.exp(k * log_m - m - math.lgamma(k + 1.0))
        if w > 0:
            acc += w * v
        if v.sum() < 1e-18:  # later terms add at most this much
            break
        nv = v * stay
        nv[:-1] += v[1:] * down
        v = nv
    return acc


def _erlang_a(
    rate: float, mu: float, theta: float, c: int, threshold_s: float | None
) -> QueueMetrics:
    """Exact M/M/c+M figures; service levels only when a threshold is given (they cost more)."""
    if rate == 0:
        sl: dict[str, float] = (
            {} if threshold_s is None else dict.fromkeys(SERVICE_LEVEL_DEFINITIONS, 1.0)
        )
        return QueueMetrics(0.0, 0.0, 0.0, 0.0, sl, 0.0, 0.0)
    return _callers_finding(_erlang_a_state_law(rate, mu, theta, c), c, mu, theta, threshold_s)


def _callers_finding(
    p: np.ndarray, c: int, mu: float, theta: float, threshold_s: float | None
) -> QueueMetrics:
    """Figures of callers who find n in the system with probability p[n], when c agents serve at
    rate mu each and everyone waiting gives up at rate theta (theta = 0: nobody does)."""
    q = p[c:]  # arrival finds j = 0, 1, ... callers waiting and all agents busy
    j = np.arange(q.size, dtype=float)
    cmu = c * mu
    r = cmu + (j + 1.0) * theta  # exit rate of a tagged caller with j ahead
    p_free = float(p[:c].sum())  # summed directly: 1 - p_wait loses digits in overload
    p_wait = float(q.sum())
    serve_given_j = cmu / r  # telescoping product of (cmu + i*theta) / (cmu + (i+1)*theta)
    served_after_wait = float(q @ serve_given_j)
    abandon = _clip01(p_wait - served_after_wait)
    p_served = _clip01(p_free + served_after_wait)
    # E[wait | j] = (j+1)/r_j; E[wait; served | j] = (cmu/r_j) * sum_{i<=j} 1/r_i.
    mean_wait = float(q @ ((j + 1.0) / r))
    wait_served = float(q @ (serve_given_j * np.cumsum(1.0 / r)))
    asa = wait_served / p_served if p_served > 0 else 0.0
    n = np.arange(p.size, dtype=float)
    occupancy = float(p @ np.minimum(n, c)) / c
    mean_queue = float(q @ j)

    sl = {}
    if threshold_s is not None:
        late = _still_waiting_at(q, r, theta, threshold_s)
        still_waiting = float(late.sum())
        served_late = float(late @ serve_given_j)
        answered_in_t = _clip01(p_free + served_after_wait - served_late)
        abandoned_in_t = _clip01(p_wait - still_waiting - (served_after_wait - served_late))
        sl = {
            "offered": answered_in_t,
            "answered": _clip01(answered_in_t / p_served) if p_served > 0 else 1.0,
            "offered_abandons_ok": _clip01(answered_in_t + abandoned_in_t),
            "offered_minus_early_abandons": (
                _clip01(answered_in_t / (1.0 - abandoned_in_t)) if abandoned_in_t < 1.0 else 1.0
            ),
        }
    return QueueMetrics(
        p_wait=p_wait,
        asa_s=asa,
        mean_wait_s=mean_wait,
        abandon_rate=abandon,
        service_level=sl,
        occupancy=occupancy,
        mean_queue=mean_queue,
    )


def callers_finding(
    state_law: np.ndarray,
    c: int,
    mean_service_s: float,
    mean_patience_s: float,
    threshold_s: float,
) -> QueueMetrics:
    """What callers get who find n callers in the system with probability ``state_law[n]``
    (answered or waiting, themselves not counted), when ``c`` agents serve them.

    While a caller waits, agents free up at rate c/mean_service_s and everyone waiting gives up
    at rate 1/mean_patience_s, as in Erlang A; the law of the state they find is given rather
    than the stationary one, so a law measured by simulation (queues carried over from earlier,
    a peak still in service) can be sized for. ``mmc_m`` is this with Erlang A's stationary law
    (PASTA). ``occupancy`` and ``mean_queue`` are as the callers find them.
    """
    p = np.asarray(state_law, dtype=float)
    if p.ndim != 1 or p.size == 0 or not np.all(np.isfinite(p)) or np.any(p < 0) or p.sum() <= 0:
        raise ValueError("state_law must be a non-empty 1-d array of probabilities")
    c = _check_agents(c)
    mean_service_s = _check_pos(mean_service_s, "mean_service_s")
    mean_patience_s = _check_pos(mean_patience_s, "mean_patience_s", allow_inf=True)
    threshold_s = _check_nonneg(threshold_s, "threshold_s")
    if p.size <= c:  # nobody finds the agents all busy: pad so the queue part is not empty
        p = np.concatenate([p, np.zeros(c + 1 - p.size)])
    theta = 0.0 if math.isinf(mean_patience_s) else 1.0 / mean_patience_s
    return _callers_finding(p / p.sum(), c, 1.0 / mean_service_s, theta, threshold_s)


def mmc_m(
    rate: float, mean_service_s: float, c: int, mean_patience_s: float, threshold_s: float
) -> QueueMetrics:
    """Erlang A: the model a planner should check abandonment against, valid in overload too.

    ``mean_patience_s = inf`` means nobody abandons and falls back to Erlang C.
    """
    rate = _check_nonneg(rate, "rate")
    mean_service_s = _check_pos(mean_service_s, "mean_service_s")
    c = _check_agents(c)
    mean_patience_s = _check_pos(mean_patience_s, "mean_patience_s", allow_inf=True)
    threshold_s = _check_nonneg(threshold_s, "threshold_s")
    if math.isinf(mean_patience_s):
        return mmc(rate, mean_service_s, c, threshold_s)
    return _erlang_a(rate, 1.0 / mean_service_s, 1.0 / mean_patience_s, c, threshold_s)


# --------------------------------------------------------------------------------------------
# staffing


def square_root_staffing(load: float, beta: float) -> int:
    """Halfin-Whitt rule c = a + beta*sqrt(a): the quick answer that inverse Erlang C refines."""
    a = _check_nonneg(load, "load")
    beta = float(beta)
    if not math.isfinite(beta):
        raise ValueError(f"beta must be finite, got {beta!r}")
    return max(0, _ceil(a + beta * math.sqrt(a)))


def scheduled_for(on_phones: int, shrinkage: float) -> int:
    """Agents to schedule so that ``on_phones`` remain after shrinkage: ceil(n / (1 - s)), with
    floating-point dust ignored (21 at 30% is 30, not the 31 that 21 / 0.7 = 30.000…04 gives)."""
    return _ceil(on_phones / (1.0 - _check_shrinkage(shrinkage)))


def _erlang_c_search(load: float, meets: Callable[[int, float], bool], max_occupancy: float) -> int:
    """Fewest c > load meeting the target (given c and Erlang C) and load/c <= max_occupancy.

    Erlang B is carried from c to c+1 in O(1), so the upward walk costs O(answer).
    """
    c = max(1, math.floor(load) + 1, _ceil(load / max_occupancy))
    b = erlang_b(c, load)
    while True:
        pw = _c_from_b(c, load, b) if load > 0 else 0.0
        if meets(c, pw):
            return c
        c += 1
        b = load * b / (c + load * b)


def fewest_agents(ok: Callable[[int], bool], guess: int) -> int:
    """Fewest c >= 1 with ok(c), for ok monotone in c: gallop from a guess, then bisect."""
    guess = max(1, guess)
    if ok(guess):
        hi, step = guess, 1
        lo = guess - step
        while lo >= 1 and ok(lo):
            hi = lo
            step *= 2
            lo = hi - step
        lo = max(lo, 0)  # ok(lo) is False, or lo == 0
    else:
        lo, step = guess, 1
        hi = guess + step
        while not ok(hi):
            lo = hi
            step *= 2
            hi = lo + step
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid
    return hi


def _check_staffing_inputs(
    rate: float, mean_service_s: float, shrinkage: float, max_occupancy: float
) -> tuple[float, float, float, float]:
    return (
        _check_nonneg(rate, "rate"),
        _check_pos(mean_service_s, "mean_service_s"),
        _check_shrinkage(shrinkage),
        _check_fraction(max_occupancy, "max_occupancy"),
    )


def _staff(
    rate: float,
    mean_service_s: float,
    mean_patience_s: float,
    threshold_s: float | None,
    shrinkage: float,
    max_occupancy: float,
    meets_c: Callable[[int, float], bool],
    meets_a: Callable[[QueueMetrics], bool],
) -> int:
    """The search all staffing targets share: Erlang C walking up from the load when nobody
    abandons, else Erlang A with a monotone bracket; then grossed up for shrinkage."""
    if rate == 0:
        return 0
    mu = 1.0 / mean_service_s
    load = rate * mean_service_s
    if math.isinf(mean_patience_s):
        n = _erlang_c_search(load, meets_c, max_occupancy)
    else:
        theta = 1.0 / mean_patience_s

        def ok(c: int) -> bool:
            m = _erlang_a(rate, mu, theta, c, threshold_s)
            return meets_a(m) and m.occupancy <= max_occupancy + _TOL

        n = fewest_agents(ok, _ceil(load))
    return scheduled_for(n, shrinkage)


def agents_for_service_level(
    rate: float,
    mean_service_s: float,
    threshold_s: float,
    target: float,
    mean_patience_s: float = math.inf,
    definition: str = "offered",
    shrinkage: float = 0.0,
    max_occupancy: float = 1.0,
) -> int:
    """Agents to SCHEDULE so that the service level meets ``target`` (e.g. 80/20).

    The fewest agents on the phones meeting the target and the occupancy cap (Erlang C, or Erlang A
    when patience is finite), grossed up for shrinkage as ceil(n / (1 - shrinkage)).
    """
    rate, mean_service_s, shrinkage, max_occupancy = _check_staffing_inputs(
        rate, mean_service_s, shrinkage, max_occupancy
    )
    threshold_s = _check_nonneg(threshold_s, "threshold_s")
    target = _check_fraction(target, "target")
    mean_patience_s = _check_pos(mean_patience_s, "mean_patience_s", allow_inf=True)
    if definition not in SERVICE_LEVEL_DEFINITIONS:
        raise ValueError(
            f"definition must be one of {SERVICE_LEVEL_DEFINITIONS}, got {definition!r}"
        )

    def meets_c(c: int, pw: float) -> bool:
        gap = c / mean_service_s - rate
        return 1.0 - pw * math.exp(-gap * threshold_s) >= target - _TOL

    return _staff(
        rate,
        mean_service_s,
        mean_patience_s,
        threshold_s,
        shrinkage,
        max_occupancy,
        meets_c,
        lambda m: m.service_level[definition] >= target - _TOL,
    )


def agents_for_asa(
    rate: float,
    mean_service_s: float,
    target_asa_s: float,
    mean_patience_s: float = math.inf,
    shrinkage: float = 0.0,
    max_occupancy: float = 1.0,
) -> int:
    """Agents to SCHEDULE so that the mean wait of answered calls is at most ``target_asa_s``."""
    rate, mean_service_s, shrinkage, max_occupancy = _check_staffing_inputs(
        rate, mean_service_s, shrinkage, max_occupancy
    )
    target_asa_s = _check_pos(target_asa_s, "target_asa_s")
    mean_patience_s = _check_pos(mean_patience_s, "mean_patience_s", allow_inf=True)
    return _staff(
        rate,
        mean_service_s,
        mean_patience_s,
        None,
        shrinkage,
        max_occupancy,
        lambda c, pw: pw / (c / mean_service_s - rate) <= target_asa_s + _TOL,
        lambda m: m.asa_s <= target_asa_s + _TOL,
    )


def agents_for_abandonment(
    rate: float,
    mean_service_s: float,
    mean_patience_s: float,
    target_rate: float,
    shrinkage: float = 0.0,
    max_occupancy: float = 1.0,
) -> int:
    """Agents to SCHEDULE so that at most ``target_rate`` of callers abandon (Erlang A).

    With infinite patience nobody abandons, so only stability and the occupancy cap bind.
    """
    rate, mean_service_s, shrinkage, max_occupancy = _check_staffing_inputs(
        rate, mean_service_s, shrinkage, max_occupancy
    )
    mean_patience_s = _check_pos(mean_patience_s, "mean_patience_s", allow_inf=True)
    target_rate = _check_fraction(target_rate, "target_rate")
    return _staff(
        rate,
        mean_service_s,
        mean_patience_s,
        None,
        shrinkage,
        max_occupancy,
        lambda c, pw: True,
        lambda m: m.abandon_rate <= target_rate + _TOL,
    )
