"""Selling checked against results that share no code with the simulator.

* ``never`` on a Markovian centre is M/M/N: Erlang C, written out here from the textbook formula.
* ``always`` adds a pitch to a fixed share p of the calls, so flow balance gives the occupancy
  λ(1/μ_s + p/μ_cs)/N and the offer rate λp whatever the queue does.
* ``threshold`` (offer at talk end iff ≤ K callers wait, or ≥ |K| other agents are idle) with
  exponential talk and pitch is a continuous-time Markov chain on (x, y): x callers waiting or
  talking, y agents pitching. It is built and solved here; a tagged caller's wait is followed
  through a second, absorbing chain to get the service level exactly.
* Qualitative facts planners rely on: revenue up and service down as K rises; selling in a quiet
  centre costs next to no service; a queue-driven marketing switch turns off soon after a surge.

Tolerances: the simulator reports a 95% Student-t interval over independent replications, a
half-width of 1.96 standard errors. A correct simulator misses the exact value by more than
``TOL_CI`` = 2 half-widths (3.9 standard errors) with probability about 1e-4, so the few dozen
checks of this file fail by chance for well under 1% of seeds, while a modelling error (an
off-by-one in K, the completing agent counted idle, a pitch added to the wrong calls) moves the
estimates by many half-widths: K = 0 and K = 1 differ by seven half-widths in P(wait) and nine in
offers. The small absolute floors cover what the interval does not: a one-day horizon starts after
a finite warm-up and ends with calls in flight.
"""

from __future__ import annotations

import itertools
import math
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from scipy import sparse, stats
from scipy.sparse.linalg import expm_multiply, spsolve

import callsim
from callsim.experiment.runner import simulate_many
from callsim.scenario.files import load_scenario

VALIDATION = Path(__file__).parents[1] / "scenarios" / "validation"
TOL_CI = 2.0
WORKERS = 2
SEED = 20240611


# --------------------------------------------------------------------------------------------
# independent references


def erlang_c_reference(rate: float, mean_talk_s: float, n: int, t: float) -> dict[str, float]:
    """M/M/n from the textbook: P(wait) = Erlang C, P(W ≤ t) = 1 − C e^{−(nμ−λ)t},
    ASA = C / (nμ − λ)."""
    a = rate * mean_talk_s
    terms = [a**k / math.factorial(k) for k in range(n)]
    top = a**n / math.factorial(n) * n / (n - a)
    c = top / (sum(terms) + top)
    drain = n / mean_talk_s - rate
    return {
        "p_wait": c,
        "service_level": 1.0 - c * math.exp(-drain * t),
        "asa_s": c / drain,
        "occupancy": a / n,
    }


def _allowed(rule: str | int, queue: int, idle_others: int) -> bool:
    """May the agent whose talk phase just ended offer? ``queue`` callers wait and
    ``idle_others`` agents are idle, the completing agent being still counted busy."""
    if rule == "always":
        return True
    if rule == "never":
        return False
    assert isinstance(rule, int)
    return queue <= rule if rule >= 0 else idle_others >= -rule


def _generator(n_states: int, edges: list[tuple[int, int, float]]) -> sparse.csr_matrix:
    src, dst, rate = zip(*edges, strict=True)
    q = sparse.csr_matrix((rate, (src, dst)), shape=(n_states, n_states))
    return (q - sparse.diags(np.asarray(q.sum(axis=1)).ravel())).tocsr()


@cache
def selling_chain(
    rate: float,
    mean_talk_s: float,
    mean_pitch_s: float,
    n: int,
    p: float,
    rule: str | int,
    t: float = 20.0,
) -> dict[str, float]:
    """Exact steady state of the Markovian centre that sells by ``rule`` ("never", "always" or
    the threshold K).

    State (x, y): x callers waiting or talking, y agents pitching; talking = min(x, n − y),
    waiting = x − talking. Arrivals at λ: x + 1. A talk phase ends at μ_s per talking agent; the
    caller is eligible with probability p, and the rule is read with the completing agent still
    busy: with an offer → (x − 1, y + 1) and the agent stays busy; without → (x − 1, y) and the
    agent takes the next waiting caller at once (no wrap-up). A pitch ends at μ_cs per pitching
    agent → (x, y − 1) and that agent takes the next waiting caller. The queue is truncated where
    the stationary mass at the cut is below 1e-13.
    """
    mu_s, mu_c = 1.0 / mean_talk_s, 1.0 / mean_pitch_s
    ny = n + 1
    x_max = n + 60
    while True:
        size = (x_max + 1) * ny
        edges: list[tuple[int, int, float]] = []
        offer_flow = np.zeros(size)
        for x in range(x_max + 1):
            for y in range(ny):
                s = x * ny + y
                talking = min(x, n - y)
                queue, idle = x - talking, n - y - talking
                if x < x_max:
                    edges.append((s, s + ny, rate))
                if talking:
                    offer = p if _allowed(rule, queue, idle) else 0.0
                    if offer:
                        edges.append((s, s - ny + 1, mu_s * talking * offer))
                        offer_flow[s] = mu_s * talking * offer
                    edges.append((s, s - ny, mu_s * talking * (1.0 - offer)))
                if y:
                    edges.append((s, s - 1, mu_c * y))
        gen = _generator(size, edges)
        lhs = gen.T.tolil()
        lhs[0, :] = np.ones(size)  # replace one balance equation by Σπ = 1
        rhs = np.zeros(size)
        rhs[0] = 1.0
        pi = spsolve(lhs.tocsr(), rhs)
        x_of, y_of = np.divmod(np.arange(size), ny)
        if pi[x_of == x_max].sum() < 1e-13:
            break
        x_max *= 2
    talking = np.minimum(x_of, n - y_of)
    queue = x_of - talking
    waits = x_of >= n - y_of  # PASTA: an arrival waits iff no agent is idle
    mean_queue = float(pi @ queue)
    wait_cdf, mean_wait = _tagged_wait(rate, mu_s, mu_c, n, p, rule, t, pi, x_max)
    # The chain's own mean wait must agree with Little's law: a check of the reference itself.
    assert mean_wait == pytest.approx(mean_queue / rate, rel=1e-6)
    return {
        "p_wait": float(pi[waits].sum()),
        "service_level": float(pi[~waits].sum()) + wait_cdf,
        "asa_s": mean_queue / rate,
        "mean_queue": mean_queue,
        "occupancy": float(pi @ (talking + y_of)) / n,
        "offers_per_s": float(pi @ offer_flow),
    }


def _tagged_wait(
    rate: float,
    mu_s: float,
    mu_c: float,
    n: int,
    p: float,
    rule: str | int,
    t: float,
    pi: np.ndarray,
    x_max: int,
) -> tuple[float, float]:
    """P(0 < W ≤ t) and E[W] of an arrival, following it through the queue.

    While it waits every agent is busy (talking = n − y). State (a, b, y): a callers ahead, b
    behind (only min(b, K) matters, for the rule "queue ≤ K"), y pitching. Callers behind
    arrive at λ; a talk completion with an allowed offer moves an agent to pitching (a, b, y + 1);
    a talk completion without offer, or a pitch completion (y − 1), hands the head of the queue
    to an agent: a − 1, or the tagged caller is served when a = 0.
    """
    cap = rule if isinstance(rule, int) and rule >= 0 else 0
    ny, nb, na = n + 1, cap + 1, x_max + 1
    size = na * nb * ny
    served = size

    def index(a: int, b: int, y: int) -> int:
        return (a * nb + b) * ny + y

    edges: list[tuple[int, int, float]] = []
    for a in range(na):
        for b in range(nb):
            for y in range(ny):
                s = index(a, b, y)
                talking = n - y
                if b < cap:
                    edges.append((s, index(a, b + 1, y), rate))
                offer = p if talking and _allowed(rule, a + 1 + b, 0) else 0.0
                if offer:
                    edges.append((s, index(a, b, y + 1), mu_s * talking * offer))
                if talking:
                    to = index(a - 1, b, y) if a else served
                    edges.append((s, to, mu_s * talking * (1.0 - offer)))
                if y:
                    to = index(a - 1, b, y - 1) if a else served
                    edges.append((s, to, mu_c * y))
    gen = _generator(size + 1, edges)
    start = np.zeros(size + 1)
    for x in range(x_max + 1):  # finding (x, y) with x ≥ n − y: a = x − (n − y) ahead
        for y in range(ny):
            if x >= n - y:
                start[index(x - (n - y), 0, y)] += pi[x * ny + y]
    at_t = expm_multiply(gen.T * t, start)
    transient = (-gen[:size, :size]).tocsc()
    mean_wait = float(start[:size] @ spsolve(transient, np.ones(size)))
    return float(at_t[served]), mean_wait


# --------------------------------------------------------------------------------------------
# helpers


def scenario_dict(file: str, **policy: Any) -> dict[str, Any]:
    data = yaml.safe_load((VALIDATION / file).read_text())
    if policy:
        data["selling"]["policy"] = policy
    return data


def model_of(data: dict[str, Any]) -> dict[str, float]:
    """The Markovian parameters of a validation scenario (rates per second)."""
    scenario = load_scenario(data)
    (product,) = scenario.products.values()
    (group,) = scenario.agents.groups.values()
    talks = {r.talk.mean for r in scenario.reasons.values()}
    assert len(talks) == 1 and all(r.talk.dist == "exponential" for r in scenario.reasons.values())
    assert product.pitch.dist == "exponential"
    h = scenario.horizon
    assert (h.days, h.open, h.close) == (1, "00:00", "24:00")
    return {
        "rate": scenario.arrivals.rate_per_hour / 3600.0,
        "mean_talk_s": talks.pop(),
        "mean_pitch_s": product.pitch.mean,
        "n": group.shifts[0].count,
        "p": sum(scenario.reasons[r].share for r in product.reasons),
        "conversion": product.conversion * group.sales_skill,
        "value": product.value,
        "counted_s": 86_400.0 - h.warmup_min * 60.0,
        "threshold_s": scenario.service_level.threshold_s,
    }


def expected_offers(m: dict[str, float], offers_per_s: float, in_flight: float) -> float:
    """Offers to callers arriving in the counted window: each answered caller reaches the
    decision (calls in talk at the close finish in the drain), but the ``in_flight`` callers
    still waiting at the close never do; each decision offers with probability r/λ, hence
    (r/λ)(λT − E[queue])."""
    return offers_per_s / m["rate"] * (m["rate"] * m["counted_s"] - in_flight)


def assert_close(result: callsim.SimulationResult, kpi: str, exact: float, floor: float) -> None:
    got = result.kpi(kpi)
    half = (got["ci_high"] - got["ci_low"]) / 2
    tol = max(TOL_CI * half, floor)
    assert abs(got["mean"] - exact) <= tol, (
        f"{kpi}: simulated {got['mean']:.5g} (95% CI {got['ci_low']:.5g}..{got['ci_high']:.5g}),"
        f" exact {exact:.5g}, tolerance {tol:.3g}"
    )


def mean_ci(samples: np.ndarray) -> tuple[float, float]:
    """Mean and half-width of the 95% Student-t interval over replications."""
    n = len(samples)
    half = stats.t.ppf(0.975, n - 1) * samples.std(ddof=1) / math.sqrt(n)
    return float(samples.mean()), float(half)


def assert_sells_at(result: callsim.SimulationResult, conversion: float) -> None:
    """Given the offers made, conversions ≈ offers × conversion: the residual per replication
    has mean zero (checked against its own 95% interval, like the exact values)."""
    per_rep = result.per_replication
    residual = (per_rep["conversions"] - conversion * per_rep["offers"]).to_numpy()
    mean, half = mean_ci(residual)
    tol = max(TOL_CI * half, 0.002 * per_rep["offers"].mean())
    assert abs(mean) <= tol, f"conversions − offers × {conversion}: {mean:.3g} ± {tol:.3g}"
    assert_close(result, "conversion_rate", conversion, floor=0.002)


def paired(a: callsim.SimulationResult, b: callsim.SimulationResult, kpi: str) -> np.ndarray:
    """Mean and 95% interval of b − a, replication by replication (common random numbers)."""
    diff = b.per_replication[kpi].to_numpy() - a.per_replication[kpi].to_numpy()
    mean, half = mean_ci(diff)
    return np.array([mean, mean - half, mean + half])


# --------------------------------------------------------------------------------------------
# the references agree with each other


def test_chain_references_agree() -> None:
    m = model_of(scenario_dict(THRESHOLD_FILE))
    args = (m["rate"], m["mean_talk_s"], m["mean_pitch_s"], int(m["n"]), m["p"])
    erlang = erlang_c_reference(m["rate"], m["mean_talk_s"], int(m["n"]), m["threshold_s"])
    never = selling_chain(*args, "never")
    for kpi in ("p_wait", "service_level", "asa_s", "occupancy"):
        assert never[kpi] == pytest.approx(erlang[kpi], rel=1e-9)
    # K = −N asks for N idle agents besides the completing one: never possible.
    assert selling_chain(*args, -int(m["n"]))["service_level"] == pytest.approx(
        never["service_level"], rel=1e-9
    )
    # Flow balance holds in the chain for any rule: busy agents = λ/μ_s + offer rate/μ_cs.
    for rule in (-1, 0, 2):
        chain = selling_chain(*args, rule)
        busy = m["rate"] * m["mean_talk_s"] + chain["offers_per_s"] * m["mean_pitch_s"]
        assert chain["occupancy"] * m["n"] == pytest.approx(busy, rel=1e-9)


# --------------------------------------------------------------------------------------------
# 1. never = Erlang C; always = flow balance


ALWAYS_FILE = "selling_always_load66.yaml"
REPS_FORMULA = 200


@pytest.fixture(scope="module")
def never_and_always() -> tuple[callsim.SimulationResult, callsim.SimulationResult]:
    plans = [load_scenario(scenario_dict(ALWAYS_FILE, kind=kind)) for kind in ("never", "always")]
    never, always = simulate_many(plans, replications=REPS_FORMULA, seed=SEED, workers=WORKERS)
    return never, always


@pytest.mark.slow
def test_never_reproduces_erlang_c(never_and_always) -> None:
    never, _ = never_and_always
    m = model_of(scenario_dict(ALWAYS_FILE))
    exact = erlang_c_reference(m["rate"], m["mean_talk_s"], int(m["n"]), m["threshold_s"])
    assert_close(never, "p_wait", exact["p_wait"], floor=0.002)
    assert_close(never, "service_level", exact["service_level"], floor=0.002)
    assert_close(never, "asa_s", exact["asa_s"], floor=0.5)
    assert_close(never, "occupancy", exact["occupancy"], floor=0.002)
    assert never.kpi("offers")["mean"] == 0


@pytest.mark.slow
def test_always_obeys_flow_balance(never_and_always) -> None:
    never, always = never_and_always
    m = model_of(scenario_dict(ALWAYS_FILE))
    rate, p = m["rate"], m["p"]
    # Every answered call talks 1/μ_s; a share p of them also pitches 1/μ_cs.
    occupancy = rate * (m["mean_talk_s"] + p * m["mean_pitch_s"]) / m["n"]
    assert_close(always, "occupancy", occupancy, floor=0.002)
    # Offers at rate λp. Callers still waiting at the close never reach the decision (the
    # simulated mean queue); those in talk finish in the drain and are offered like any other.
    offers = expected_offers(m, rate * p, always.kpi("mean_queue")["mean"])
    assert_close(always, "offers", offers, floor=0.002 * offers)
    assert_close(always, "offer_rate", p, floor=0.002)
    # Each pitch sells with probability conversion × sales skill, independently of the load.
    assert_sells_at(always, m["conversion"])
    revenue = always.per_replication["conversions"] * m["value"]
    assert np.allclose(always.per_replication["revenue"], revenue)
    # Service under `always` is the chain's too (service time = talk + a pitch for a share p).
    chain = selling_chain(
        rate, m["mean_talk_s"], m["mean_pitch_s"], int(m["n"]), p, "always", m["threshold_s"]
    )
    assert_close(always, "p_wait", chain["p_wait"], floor=0.002)
    assert_close(always, "service_level", chain["service_level"], floor=0.002)
    assert_close(always, "asa_s", chain["asa_s"], floor=0.5)
    # The same callers met both plans: selling made every replication busier and slower.
    assert paired(never, always, "occupancy")[1] > 0
    assert paired(never, always, "service_level")[2] < 0


# --------------------------------------------------------------------------------------------
# 2. threshold = the exact Markov chain


THRESHOLD_FILE = "selling_threshold_load80.yaml"
REPS_THRESHOLD = 200
SWEEP_K = (-2, -1, 0, 2, 5)


@pytest.fixture(scope="module")
def threshold_runs() -> dict[int, callsim.SimulationResult]:
    """Every K on the same callers (one seed: common random numbers), in one worker pool."""
    plans = [load_scenario(scenario_dict(THRESHOLD_FILE, kind="threshold", k=k)) for k in SWEEP_K]
    results = simulate_many(plans, replications=REPS_THRESHOLD, seed=SEED, workers=WORKERS)
    return dict(zip(SWEEP_K, results, strict=True))


@pytest.mark.slow
@pytest.mark.parametrize("k", [0, 2, -1])
def test_threshold_matches_markov_chain(threshold_runs, k: int) -> None:
    result = threshold_runs[k]
    m = model_of(scenario_dict(THRESHOLD_FILE))
    chain = selling_chain(
        m["rate"], m["mean_talk_s"], m["mean_pitch_s"], int(m["n"]), m["p"], k, m["threshold_s"]
    )
    assert_close(result, "p_wait", chain["p_wait"], floor=0.002)
    assert_close(result, "service_level", chain["service_level"], floor=0.002)
    assert_close(result, "asa_s", chain["asa_s"], floor=0.5)
    assert_close(result, "mean_queue", chain["mean_queue"], floor=0.01)
    assert_close(result, "occupancy", chain["occupancy"], floor=0.002)
    offers = expected_offers(m, chain["offers_per_s"], chain["mean_queue"])
    assert_close(result, "offers", offers, floor=0.002 * offers)
    assert_sells_at(result, m["conversion"])


# --------------------------------------------------------------------------------------------
# 3. what planners rely on


@pytest.mark.slow
def test_higher_threshold_sells_more_and_serves_worse(threshold_runs) -> None:
    ks = (-2, 0, 2, 5)
    revenue = [threshold_runs[k].kpi("revenue")["mean"] for k in ks]
    service = [threshold_runs[k].kpi("service_level")["mean"] for k in ks]
    assert revenue == sorted(revenue) and service == sorted(service, reverse=True)
    for lower, higher in itertools.pairwise(ks):
        a, b = threshold_runs[lower], threshold_runs[higher]
        # Paired over replications (same callers): each step is beyond chance, not just in the mean.
        assert paired(a, b, "revenue")[1] > 0, (lower, higher)
        assert paired(a, b, "service_level")[2] < 0, (lower, higher)


@pytest.mark.slow
def test_spare_capacity_sells_almost_for_free() -> None:
    plans = [
        load_scenario(scenario_dict("selling_spare_capacity.yaml", kind=kind))
        for kind in ("never", "always")
    ]
    never, always = simulate_many(plans, replications=100, seed=SEED, workers=WORKERS)
    drop = -paired(never, always, "service_level")  # never − always: mean, high, low
    assert 0 < drop[0] < 0.02
    assert drop[1] < 0.02  # even the pessimistic end of the paired interval: under 2 points
    assert always.kpi("service_level")["mean"] > 0.95
    assert always.kpi("revenue")["ci_low"] > 0


def test_outage_surge_switches_selling_off_in_time() -> None:
    data = scenario_dict("selling_outage_toggle.yaml")
    policy = data["selling"]["policy"]
    result = callsim.simulate(data, replications=50, seed=SEED, workers=WORKERS)
    volume = np.asarray(data["arrivals"]["volume"])
    surge = np.flatnonzero(volume > volume.min())  # intervals of the ×4 surge
    step = data["horizon"]["interval_min"]
    hours, mins = data["horizon"]["open"].split(":")
    start = (int(hours) * 60 + int(mins) + surge[0] * step) * 60.0
    deadline = start + (policy["review_every_min"] + policy["min_dwell_min"]) * 60.0

    def state_at(t: float) -> np.ndarray:
        events = result.switch[result.switch["time_s"] <= t]
        return events.groupby("replication")["on"].last().to_numpy()

    assert state_at(start).mean() > 0.8  # selling in the quiet morning...
    assert (state_at(deadline) == 0).all()  # ...and off everywhere by review + dwell
    share = result.intervals["switch_on_share_mean"].to_numpy()
    before = share[surge[0] - 180 // step : surge[0]]  # the three hours before the surge
    assert (before > 0.5).all()
    assert share[surge[1:]].max() < 0.02  # ≈ 0 for the rest of the surge
    assert share[surge[-1] + 1 + 60 // step :].min() > 0.5  # back on an hour after it ends
