"""Analytic queueing formulas, checked against values computed independently of the module.

Reference values come from exact rational arithmetic (``fractions.Fraction``) on the textbook
formulas, from published tables, or (for Erlang A) from a brute-force continuous-time Markov chain
built here with a linear solve and ``scipy.linalg.expm``, sharing no code with the module.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import linalg, stats

from callsim.analytic.erlang import (
    SERVICE_LEVEL_DEFINITIONS,
    QueueMetrics,
    agents_for_abandonment,
    agents_for_asa,
    agents_for_service_level,
    erlang_b,
    erlang_c,
    mmc,
    mmc_m,
    square_root_staffing,
)

# --------------------------------------------------------------------------------------------
# independent reference implementations


def exact_erlang_b(c: int, a: Fraction) -> Fraction:
    terms = [a**k / math.factorial(k) for k in range(c + 1)]
    return terms[-1] / sum(terms)


def exact_erlang_c(c: int, a: Fraction) -> Fraction:
    top = a**c / math.factorial(c) * Fraction(c) / (c - a)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


def brute_force_erlang_a(
    rate: float, mean_service_s: float, c: int, mean_patience_s: float, t: float, n_max: int
) -> dict[str, float]:
    """M/M/c+M by brute force: solve pi Q = 0 on 0..n_max, then follow a tagged caller through
    an absorbing chain (positions ahead, served, abandoned) for every state it may find."""
    mu, theta = 1.0 / mean_service_s, 1.0 / mean_patience_s
    size = n_max + 1
    gen = np.zeros((size, size))
    for n in range(size):
        if n < n_max:
            gen[n, n + 1] = rate
        if n > 0:
            gen[n, n - 1] = min(n, c) * mu + max(n - c, 0) * theta
        gen[n, n] = -gen[n].sum()
    lhs = np.vstack([gen.T, np.ones(size)])
    rhs = np.zeros(size + 1)
    rhs[-1] = 1.0
    pi = np.linalg.lstsq(lhs, rhs, rcond=None)[0]

    out = dict.fromkeys(
        ["p_wait", "served", "wait", "wait_served", "served_t", "abandon_t", "queue"], 0.0
    )
    out["served"] = float(pi[:c].sum())
    out["served_t"] = float(pi[:c].sum())
    for n in range(c, size):
        if pi[n] < 1e-300:
            continue
        j = n - c  # callers ahead of the tagged arrival
        m = j + 1  # transient positions 0..j, then served (m) and abandoned (m + 1)
        q = np.zeros((m + 2, m + 2))
        for i in range(m):
            if i > 0:
                q[i, i - 1] = c * mu + i * theta
            else:
                q[i, m] = c * mu
            q[i, m + 1] = theta
            q[i, i] = -q[i].sum()
        transient = q[:m, :m]
        fundamental = np.linalg.inv(-transient)
        to_served = q[:m, m]
        p_serv = (fundamental @ to_served)[j]
        exp_wait = fundamental.sum(axis=1)[j]
        exp_wait_served = (fundamental @ fundamental @ to_served)[j]
        at_t = linalg.expm(q * t)[j]
        out["p_wait"] += pi[n]
        out["served"] += pi[n] * p_serv
        out["wait"] += pi[n] * exp_wait
        out["wait_served"] += pi[n] * exp_wait_served
        out["served_t"] += pi[n] * at_t[m]
        out["abandon_t"] += pi[n] * at_t[m + 1]
        out["queue"] += pi[n] * j
    out["busy"] = float(sum(pi[n] * min(n, c) for n in range(size)))
    return out


# --------------------------------------------------------------------------------------------
# Erlang B and C


def test_erlang_b_published_table_value() -> None:
    # Erlang B tables: 10 circuits offered 5 Erlangs block 1.8385% of calls.
    assert erlang_b(10, 5.0) == pytest.approx(0.018385, abs=5e-7)


@pytest.mark.parametrize(
    ("c", "a"),
    [(1, Fraction(1)), (2, Fraction(3, 2)), (10, Fraction(5)), (20, Fraction(27, 2)), (30, 25)],
)
def test_erlang_b_exact(c: int, a: Fraction | int) -> None:
    assert erlang_b(c, float(a)) == pytest.approx(float(exact_erlang_b(c, Fraction(a))), rel=1e-12)


@pytest.mark.parametrize(
    ("c", "a"), [(1, Fraction(1, 2)), (3, Fraction(5, 2)), (11, Fraction(10)), (14, Fraction(10))]
)
def test_erlang_c_exact(c: int, a: Fraction) -> None:
    assert erlang_c(c, float(a)) == pytest.approx(float(exact_erlang_c(c, a)), rel=1e-12)


def test_erlang_c_unstable_and_empty() -> None:
    assert erlang_c(5, 5.0) == 1.0
    assert erlang_c(5, 7.5) == 1.0
    assert erlang_c(5, 0.0) == 0.0
    assert erlang_b(0, 3.0) == 1.0


def test_erlang_large_c_is_stable() -> None:
    # Independent log-space form: B(c, A) = Poisson pmf(c) / Poisson cdf(c).
    for c, a in [(2000, 2000.0), (2000, 1900.0), (1500, 1800.0), (1000, 10.0)]:
        expected = stats.poisson.pmf(c, a) / stats.poisson.cdf(c, a)
        assert erlang_b(c, a) == pytest.approx(expected, rel=1e-9)
    pc = erlang_c(2000, 1950.0)
    assert 0.0 < pc < 1.0 and math.isfinite(pc)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=300), st.floats(min_value=0.0, max_value=400.0))
def test_erlang_b_bounded_and_decreasing(c: int, a: float) -> None:
    b = erlang_b(c, a)
    assert 0.0 <= b <= 1.0
    assert erlang_b(c + 1, a) <= b


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=300), st.floats(min_value=0.0, max_value=1.0))
def test_erlang_c_at_least_erlang_b(c: int, share: float) -> None:
    a = share * c
    pc = erlang_c(c, a)
    assert 0.0 <= pc <= 1.0
    assert pc >= erlang_b(c, a) - 1e-15


# --------------------------------------------------------------------------------------------
# M/M/c


def test_mmc_matches_exact_formulas() -> None:
    # 100 calls per 30 min, 180 s handle time: 10 Erlangs.
    rate, aht, t = 100 / 1800, 180.0, 20.0
    for c in range(11, 16):
        pw = float(exact_erlang_c(c, Fraction(10)))
        gap = c / aht - rate
        m = mmc(rate, aht, c, t)
        assert m.p_wait == pytest.approx(pw, rel=1e-12)
        assert m.asa_s == pytest.approx(pw / gap, rel=1e-12)
        assert m.mean_wait_s == m.asa_s
        assert m.mean_queue == pytest.approx(rate * pw / gap, rel=1e-12)
        assert m.occupancy == pytest.approx(10 / c)
        assert m.abandon_rate == 0.0
        assert set(m.service_level) == set(SERVICE_LEVEL_DEFINITIONS)
        for v in m.service_level.values():
            assert v == pytest.approx(1 - pw * math.exp(-gap * t), rel=1e-12)


def test_mmc_rejects_unstable_and_bad_input() -> None:
    with pytest.raises(ValueError, match="unstable"):
        mmc(10 / 180, 180.0, 10, 20.0)
    with pytest.raises(ValueError, match="rate"):
        mmc(-1.0, 180.0, 10, 20.0)
    with pytest.raises(ValueError, match="mean_service_s"):
        mmc(1.0, 0.0, 10, 20.0)
    with pytest.raises(ValueError, match="threshold_s"):
        mmc(0.01, 180.0, 10, -1.0)


def test_mmc_no_calls() -> None:
    m = mmc(0.0, 180.0, 3, 20.0)
    assert m.p_wait == 0.0 and m.asa_s == 0.0 and m.occupancy == 0.0
    assert all(v == 1.0 for v in m.service_level.values())


# --------------------------------------------------------------------------------------------
# M/M/c+M (Erlang A)


@pytest.mark.parametrize(
    ("rate", "aht", "c", "patience", "t"),
    [
        (2.4 / 60, 60.0, 3, 120.0, 30.0),  # 80% load
        (4.5 / 60, 60.0, 3, 120.0, 30.0),  # overloaded: load 4.5 on 3 agents
        (5.0 / 180, 180.0, 5, 90.0, 20.0),  # impatient callers, critically loaded
    ],
)
def test_erlang_a_against_brute_force_chain(
    rate: float, aht: float, c: int, patience: float, t: float
) -> None:
    ref = brute_force_erlang_a(rate, aht, c, patience, t, n_max=c + 90)
    m = mmc_m(rate, aht, c, patience, t)
    assert m.p_wait == pytest.approx(ref["p_wait"], rel=1e-8)
    assert m.abandon_rate == pytest.approx(1 - ref["served"], rel=1e-8)
    assert m.mean_wait_s == pytest.approx(ref["wait"], rel=1e-8)
    assert m.asa_s == pytest.approx(ref["wait_served"] / ref["served"], rel=1e-8)
    assert m.mean_queue == pytest.approx(ref["queue"], rel=1e-8)
    assert m.occupancy == pytest.approx(ref["busy"] / c, rel=1e-8)
    sl = m.service_level
    served_t, abandon_t = ref["served_t"], ref["abandon_t"]
    assert sl["offered"] == pytest.approx(served_t, rel=1e-8)
    assert sl["answered"] == pytest.approx(served_t / ref["served"], rel=1e-8)
    assert sl["offered_abandons_ok"] == pytest.approx(served_t + abandon_t, rel=1e-8)
    assert sl["offered_minus_early_abandons"] == pytest.approx(served_t / (1 - abandon_t), rel=1e-8)


def test_erlang_a_patience_equal_to_service_is_poisson() -> None:
    # With theta == mu every caller in system leaves at rate mu: the number in system is
    # Poisson(load), exactly as in M/M/inf.
    load, aht, c = 12.0, 200.0, 10
    m = mmc_m(load / aht, aht, c, aht, 20.0)
    pois = stats.poisson(load)
    assert m.p_wait == pytest.approx(pois.sf(c - 1), rel=1e-10)
    n = np.arange(c, 200)
    assert m.mean_queue == pytest.approx(float(((n - c) * pois.pmf(n)).sum()), rel=1e-10)


def test_erlang_a_without_abandonment_limit_is_erlang_c() -> None:
    rate, aht, c, t = 100 / 1800, 180.0, 13, 20.0
    c_metrics = mmc(rate, aht, c, t)
    a_metrics = mmc_m(rate, aht, c, 1e8, t)
    assert a_metrics.p_wait == pytest.approx(c_metrics.p_wait, rel=1e-5)
    assert a_metrics.asa_s == pytest.approx(c_metrics.asa_s, rel=1e-5)
    assert a_metrics.mean_queue == pytest.approx(c_metrics.mean_queue, rel=1e-5)
    for key in SERVICE_LEVEL_DEFINITIONS:
        assert a_metrics.service_level[key] == pytest.approx(c_metrics.service_level["offered"])
    assert mmc_m(rate, aht, c, math.inf, t) == c_metrics


@pytest.mark.parametrize("load_per_agent", [0.7, 0.95, 1.0, 1.3, 3.0])
def test_erlang_a_little_and_flow_balance(load_per_agent: float) -> None:
    aht, patience, c = 180.0, 345.0, 40
    rate = load_per_agent * c / aht
    m = mmc_m(rate, aht, c, patience, 20.0)
    theta = 1 / patience
    assert 0.0 < m.abandon_rate < 1.0
    assert m.abandon_rate == pytest.approx(theta * m.mean_queue / rate, rel=1e-9)
    assert m.mean_queue == pytest.approx(rate * m.mean_wait_s, rel=1e-9)
    # busy agents complete what was not abandoned
    assert m.occupancy * c / aht == pytest.approx(rate * (1 - m.abandon_rate), rel=1e-9)
    sl = m.service_level
    assert 0.0 <= sl["offered"] <= sl["answered"] <= 1.0
    assert sl["offered"] <= sl["offered_minus_early_abandons"] <= 1.0
    assert sl["offered"] <= sl["offered_abandons_ok"] <= 1.0


def test_erlang_a_threshold_extremes() -> None:
    rate, aht, c, patience = 30 / 180, 180.0, 30, 300.0
    at_zero = mmc_m(rate, aht, c, patience, 0.0)
    assert at_zero.service_level["offered"] == pytest.approx(1 - at_zero.p_wait, rel=1e-12)
    assert at_zero.service_level["offered_abandons_ok"] == pytest.approx(1 - at_zero.p_wait)
    late = mmc_m(rate, aht, c, patience, 1e4)
    assert late.service_level["offered"] == pytest.approx(1 - late.abandon_rate, rel=1e-9)
    assert late.service_level["answered"] == pytest.approx(1.0, rel=1e-9)
    assert late.service_level["offered_abandons_ok"] == pytest.approx(1.0, rel=1e-9)


def test_erlang_a_large() -> None:
    aht, patience = 180.0, 345.0
    for c, load in [(2000, 2000.0), (1000, 2000.0), (2000, 1950.0)]:
        m = mmc_m(load / aht, aht, c, patience, 20.0)
        assert isinstance(m, QueueMetrics)
        for v in [m.p_wait, m.abandon_rate, m.occupancy, *m.service_level.values()]:
            assert 0.0 <= v <= 1.0
        assert m.abandon_rate == pytest.approx(m.mean_queue / patience / (load / aht), rel=1e-9)
    # Half the load cannot be served: fluid limit abandonment = 1 - c/load.
    assert mmc_m(2000 / aht, aht, 1000, patience, 20.0).abandon_rate == pytest.approx(0.5, 1e-6)


def test_mmc_m_validation() -> None:
    with pytest.raises(ValueError, match="mean_patience_s"):
        mmc_m(0.1, 180.0, 10, 0.0, 20.0)
    with pytest.raises(ValueError, match="c must be"):
        mmc_m(0.1, 180.0, 0, 300.0, 20.0)


# --------------------------------------------------------------------------------------------
# staffing


def test_classic_80_20_example() -> None:
    # Worked example widely used in call-centre training: 100 calls per 30 minutes, AHT 180 s,
    # 80% answered within 20 s, max occupancy 85%, shrinkage 30%.
    rate, aht = 100 / 1800, 180.0

    def sl(c: int) -> float:
        return 1 - float(exact_erlang_c(c, Fraction(10))) * math.exp(-(c / aht - rate) * 20)

    assert sl(13) < 0.8 <= sl(14)
    assert agents_for_service_level(rate, aht, 20.0, 0.8) == 14
    assert agents_for_service_level(rate, aht, 20.0, 0.8, max_occupancy=0.85) == 14
    assert agents_for_service_level(rate, aht, 20.0, 0.8, max_occupancy=0.85, shrinkage=0.3) == 20
    # an occupancy cap of 70% binds: 10/14 > 0.7, 10/15 <= 0.7
    assert agents_for_service_level(rate, aht, 20.0, 0.8, max_occupancy=0.7) == 15


def test_shrinkage_scaling() -> None:
    rate, aht = 300 / 1800, 240.0
    on_phones = agents_for_service_level(rate, aht, 20.0, 0.8)
    for s in [0.1, 0.25, 0.3, 0.35]:
        scheduled = agents_for_service_level(rate, aht, 20.0, 0.8, shrinkage=s)
        assert scheduled == math.ceil(round(on_phones / (1 - s), 9))
        assert scheduled * (1 - s) >= on_phones - 1e-9
        assert (scheduled - 1) * (1 - s) < on_phones
    assert agents_for_asa(rate, aht, 15.0, shrinkage=0.3) == math.ceil(
        round(agents_for_asa(rate, aht, 15.0) / 0.7, 9)
    )


@pytest.mark.parametrize("load", [0.3, 4.0, 37.5, 180.0])
def test_agents_for_erlang_c_targets_are_minimal(load: float) -> None:
    aht = 180.0
    rate = load / aht
    n = agents_for_service_level(rate, aht, 20.0, 0.9)
    assert mmc(rate, aht, n, 20.0).service_level["offered"] >= 0.9
    if n - 1 > load:
        assert mmc(rate, aht, n - 1, 20.0).service_level["offered"] < 0.9
    n = agents_for_asa(rate, aht, 10.0)
    assert mmc(rate, aht, n, 20.0).asa_s <= 10.0
    if n - 1 > load:
        assert mmc(rate, aht, n - 1, 20.0).asa_s > 10.0


@pytest.mark.parametrize("definition", SERVICE_LEVEL_DEFINITIONS)
def test_agents_for_erlang_a_service_level_is_minimal(definition: str) -> None:
    aht, patience, t, target = 180.0, 345.0, 20.0, 0.8
    rate = 60 / aht
    n = agents_for_service_level(rate, aht, t, target, patience, definition)
    assert mmc_m(rate, aht, n, patience, t).service_level[definition] >= target
    assert mmc_m(rate, aht, n - 1, patience, t).service_level[definition] < target
    # abandonment helps: Erlang A never needs more than Erlang C for the strict definition
    if definition == "offered":
        assert n <= agents_for_service_level(rate, aht, t, target)


def test_agents_for_erlang_a_asa_and_abandonment_are_minimal() -> None:
    aht, patience = 180.0, 345.0
    rate = 250 / aht
    n = agents_for_asa(rate, aht, 15.0, patience)
    assert mmc_m(rate, aht, n, patience, 20.0).asa_s <= 15.0
    assert mmc_m(rate, aht, n - 1, patience, 20.0).asa_s > 15.0
    n = agents_for_abandonment(rate, aht, patience, 0.03)
    assert mmc_m(rate, aht, n, patience, 20.0).abandon_rate <= 0.03
    assert mmc_m(rate, aht, n - 1, patience, 20.0).abandon_rate > 0.03
    n_cap = agents_for_abandonment(rate, aht, patience, 0.5, max_occupancy=0.8)
    assert mmc_m(rate, aht, n_cap, patience, 20.0).occupancy <= 0.8
    assert mmc_m(rate, aht, n_cap - 1, patience, 20.0).occupancy > 0.8


def test_staffing_large_load() -> None:
    # How fast these are is a figure of benchmarks/bench_analytic.py, not a test.
    aht, patience = 180.0, 345.0
    rate = 1000 / aht
    n_c = agents_for_service_level(rate, aht, 20.0, 0.8)
    n_a = agents_for_service_level(rate, aht, 20.0, 0.8, patience)
    n_ab = agents_for_abandonment(rate, aht, patience, 0.02)
    assert 1000 < n_c <= square_root_staffing(1000.0, 2.0)
    assert n_a <= n_c
    assert mmc_m(rate, aht, n_ab, patience, 20.0).abandon_rate <= 0.02


def test_staffing_edge_cases_and_validation() -> None:
    assert agents_for_service_level(0.0, 180.0, 20.0, 0.8) == 0
    assert agents_for_asa(0.0, 180.0, 20.0, 300.0) == 0
    assert agents_for_abandonment(0.0, 180.0, 300.0, 0.05) == 0
    # no abandonment with infinite patience: only stability binds
    assert agents_for_abandonment(10 / 180, 180.0, math.inf, 0.05) == 11
    with pytest.raises(ValueError, match="rate"):
        agents_for_service_level(-1.0, 180.0, 20.0, 0.8)
    with pytest.raises(ValueError, match="shrinkage"):
        agents_for_service_level(1.0, 180.0, 20.0, 0.8, shrinkage=1.0)
    with pytest.raises(ValueError, match="shrinkage"):
        agents_for_asa(1.0, 180.0, 20.0, shrinkage=-0.1)
    with pytest.raises(ValueError, match="target"):
        agents_for_service_level(1.0, 180.0, 20.0, 0.0)
    with pytest.raises(ValueError, match="target"):
        agents_for_service_level(1.0, 180.0, 20.0, 1.2)
    with pytest.raises(ValueError, match="target_rate"):
        agents_for_abandonment(1.0, 180.0, 300.0, 0.0)
    with pytest.raises(ValueError, match="target_asa_s"):
        agents_for_asa(1.0, 180.0, -5.0)
    with pytest.raises(ValueError, match="definition"):
        agents_for_service_level(1.0, 180.0, 20.0, 0.8, 300.0, "bogus")
    with pytest.raises(ValueError, match="max_occupancy"):
        agents_for_asa(1.0, 180.0, 20.0, max_occupancy=0.0)


def test_square_root_staffing() -> None:
    assert square_root_staffing(100.0, 0.5) == 105
    assert square_root_staffing(10.0, 1.0) == math.ceil(10 + math.sqrt(10))
    assert square_root_staffing(0.0, 1.0) == 0
    # Halfin & Whitt (1981): with c = a + beta*sqrt(a), P(wait) tends to
    # 1 / (1 + beta * Phi(beta) / phi(beta)) as the load grows.
    for beta in [0.5, 1.0, 1.5]:
        halfin_whitt = 1 / (1 + beta * stats.norm.cdf(beta) / stats.norm.pdf(beta))
        c = square_root_staffing(2000.0, beta)
        assert erlang_c(c, 2000.0) == pytest.approx(halfin_whitt, abs=0.01)
