"""Common random numbers for selling and calling again, and a marketing screen whose size matters.

Every decision taken after the callers are drawn (buying, the pitch's length, calling again, its
delay and patience) uses the caller's own uniforms, and what a customer holds and likes comes from
a hash of the customer's number. So two plans on the same seed that make the same caller the same
offer get the same answer, whatever happened before it in either plan. The tests check that
agreement call by call (exactly, not statistically), and show it matters with a control that
draws the same quantities in decision order (what the engine did before).

Measured on the default scenario (``scenarios/credit_card_hotline.yaml``, seed 1, 100
replications), the paired 95% CI half-width of revenue(K=0) − revenue(K=−1):
- the older checkout (/tmp/old, decision-order draws): ±785 (difference 5,236);
- this tree just before the change (decision-order draws): ±828 (difference 4,342);
- with per-caller draws: ±679 (difference 5,128).

The duration distributions' ``quantile`` (the inverse CDF the pitch, delay and patience are now
drawn by) is checked against scipy's CDF of the same distribution.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd
import pytest
from helpers import merge
from scipy import stats

import callsim
from callsim.model.calllog import CallLog
from callsim.model.demand import draw_demand
from callsim.model.hashing import splitmix64, splitmix64_array
from callsim.model.offers import SalesDesk, customer_uniform, customer_uniforms
from callsim.model.replication import run_model
from callsim.model.streams import streams
from callsim.model.timegrid import time_grid
from callsim.scenario.distributions import (
    Busyness,
    Empirical,
    Exponential,
    Fixed,
    Gamma,
    Lognormal,
    NoPatience,
    standard_normal_quantile,
    standard_normal_quantiles,
)

U = np.concatenate([[0.0, 1e-7, 0.001], np.linspace(0.01, 0.99, 99), [0.999, 1 - 2.0**-24]])


def _t_half_width(d: np.ndarray) -> float:
    return float(stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d)))


# --------------------------------------------------------------------------------------------
# inverse CDFs


@pytest.mark.parametrize(
    ("dist", "cdf"),
    [
        (Exponential(dist="exponential", mean_s=90), stats.expon(scale=90).cdf),
        (
            Lognormal(dist="lognormal", mean_s=200, cv=1.3),
            stats.lognorm(s=math.sqrt(math.log1p(1.3**2)), scale=200 / math.sqrt(1 + 1.3**2)).cdf,
        ),
        (Gamma(dist="gamma", mean_min=6, cv=0.8), stats.gamma(a=1 / 0.64, scale=360 * 0.64).cdf),
        (Gamma(dist="gamma", mean_s=30, cv=2.0), stats.gamma(a=0.25, scale=120).cdf),
        (Busyness(cv=0.1), stats.gamma(a=100, scale=0.01).cdf),
    ],
    ids=["exponential", "lognormal", "gamma", "gamma-cv2", "busyness"],
)
def test_quantile_inverts_the_distributions_own_cdf(dist: Any, cdf: Any) -> None:
    q = np.array([dist.quantile(u) for u in U])
    assert (np.diff(q) >= 0).all()
    assert q[0] == pytest.approx(0.0, abs=1e-9) or isinstance(dist, Busyness | Lognormal)
    np.testing.assert_allclose(cdf(q[1:]), U[1:], rtol=1e-6, atol=1e-9)


def test_quantile_of_fixed_and_no_patience() -> None:
    assert {Fixed(dist="fixed", value_min=2).quantile(u) for u in U} == {120.0}
    assert {NoPatience(dist="none").quantile(u) for u in U} == {math.inf}


def test_quantile_of_an_empirical_distribution_is_its_step_inverse() -> None:
    # Values out of order, with weights: sorted 10 (0.5), 20 (0.2), 40 (0.3) in seconds.
    dist = Empirical(dist="empirical", values_min=[40 / 60, 10 / 60, 20 / 60], weights=[3, 5, 2])
    values, cum = np.array([10.0, 20.0, 40.0]), np.array([0.5, 0.7, 1.0])
    for u in U:
        q = dist.quantile(u)
        k = int(np.flatnonzero(np.isclose(values, q))[0])
        # The step inverse: F(q−) ≤ u < F(q).
        assert (cum[k - 1] if k else 0.0) <= u + 1e-12
        assert u < cum[k] + 1e-12
    unweighted = Empirical(dist="empirical", values_s=[5, 1, 3])
    assert [unweighted.quantile(u) for u in (0.0, 0.34, 0.67, 0.999)] == [1.0, 3.0, 5.0, 5.0]


# --------------------------------------------------------------------------------------------
# the customer's holdings and tastes do not depend on who came first

CATALOGUE: dict[str, Any] = {
    "name": "crn",
    "horizon": {"interval_min": 30, "open": "08:00", "close": "14:00"},
    "arrivals": {"rate_per_hour": 100},
    "reasons": {
        "bill": {"share": 0.6, "talk": {"dist": "lognormal", "mean_s": 150, "cv": 0.8}},
        "complaint": {"share": 0.1, "talk": {"dist": "lognormal", "mean_s": 300, "cv": 0.8}},
        "other": {"share": 0.3, "talk": {"dist": "lognormal", "mean_s": 150, "cv": 0.8}},
    },
    "customers": {
        "patience": {"dist": "exponential", "mean_s": 90},
        "segments": {"vip": {"share": 0.2, "priority": 1}, "regular": {"share": 0.8}},
        "retrial": {"probability": 0.5, "delay": {"dist": "exponential", "mean_min": 4}},
    },
    "agents": {
        "groups": {
            "senior": {
                "trained_to_sell": True,
                "sales_skill": 1.2,
                "shifts": [{"start": "08:00", "end": "14:00", "count": 3}],
            },
            "junior": {
                "trained_to_sell": True,
                "sales_skill": 0.8,
                "shifts": [{"start": "08:00", "end": "14:00", "count": 2}],
            },
        }
    },
    # Five products of about the same expected value (28.8-30 at skill 1, value × conversion),
    # all eligible for a bill or other call: the screen's order matters little, the customer's
    # taste a lot. (With very unequal values, picking by fit can trade conversion for value.)
    "products": {
        "a": {
            "value": 100,
            "conversion": 0.30,
            "pitch": {"dist": "lognormal", "mean_s": 60, "cv": 0.5},
        },
        "b": {
            "value": 150,
            "conversion": 0.20,
            "pitch": {"dist": "fixed", "value_s": 120},
            "owned_share": 0.3,
        },
        "c": {"value": 80, "conversion": 0.36, "pitch": {"dist": "exponential", "mean_s": 40}},
        "d": {
            "value": 120,
            "conversion": 0.24,
            "pitch": {"dist": "gamma", "mean_s": 90, "cv": 0.5},
        },
        "e": {
            "value": 90,
            "conversion": 0.32,
            "pitch": {"dist": "lognormal", "mean_s": 30, "cv": 0.4},
        },
    },
    "selling": {
        # No policy here: each plan below names its own.
        "recommender": {"size": 3, "rule": "fit"},
        "contact_rules": {"max_offers": 1000, "cooldown_after_refusal_days": 0.0},
    },
}


def _desk(over: dict[str, Any] | None = None, seed: int = 4) -> SalesDesk:
    scenario = callsim.load_scenario(merge(CATALOGUE, over or {}))
    return SalesDesk(scenario, np.random.default_rng(seed), np.random.default_rng(seed + 1))


def _tastes(desk: SalesDesk, customer: int) -> np.ndarray:
    return desk.tastes_of(np.full(len(desk.products), customer), np.arange(len(desk.products)))


def test_holdings_and_tastes_belong_to_the_customer_not_to_the_order_of_offers() -> None:
    forward, backward = _desk(), _desk()
    customers = list(range(500))
    for c in customers:
        forward.pitch(c, 0, 1, 1.0, 0.0, (0.5, 0.5, 0.5))
    for c in reversed(customers):
        backward.pitch(c, 0, 1, 1.0, 0.0, (0.5, 0.5, 0.5))
    for c in customers:
        assert forward.holdings(c) == backward.holdings(c)
        assert (_tastes(forward, c) == _tastes(backward, c)).all()
    # And they are draws of the right law: b held by ~30%, tastes of mean 1 and cv 0.5.
    n = 20_000
    u = customer_uniforms(forward.owned_key, np.arange(n)[:, None], np.arange(5)[None, :])
    held = (u[:, 1] < 0.3).mean()
    assert abs(held - 0.3) < 4.5 * math.sqrt(0.3 * 0.7 / n)
    fit = np.concatenate([_tastes(forward, c) for c in range(2000)])
    assert len(fit) == 2000 * 5
    # Mean 1 within 4.5 standard errors (sd 0.5); log-normal by Kolmogorov-Smirnov.
    assert abs(fit.mean() - 1.0) < 4.5 * 0.5 / math.sqrt(len(fit))
    sigma2 = math.log1p(0.5**2)
    log_normal = stats.norm(-sigma2 / 2, math.sqrt(sigma2))
    assert stats.kstest(np.log(fit), log_normal.cdf).pvalue > 1e-4


def test_one_customers_hash_is_the_vectorised_hash() -> None:
    """The general path hashes one customer in plain integers, the table of first contacts all
    callers in numpy: the same bits, so a customer is the same whichever path meets them."""
    rng = np.random.default_rng(8)
    key = int(rng.integers(0, 2**63))
    customers = rng.integers(0, 2**31 - 1, 3000)
    products = rng.integers(0, 40, 3000)
    many = customer_uniforms(key, customers, products)
    one = [customer_uniform(key, int(c), int(k)) for c, k in zip(customers, products, strict=True)]
    assert many.tolist() == one
    assert splitmix64_array(np.array([0, 1, 2**64 - 1], dtype=np.uint64)).tolist() == [
        splitmix64(0),
        splitmix64(1),
        splitmix64(2**64 - 1),
    ]


def test_the_normal_quantile_is_the_standard_librarys() -> None:
    u = np.concatenate([[0.0, 1e-300, 1e-17, 0.075, 0.425, 0.5, 0.925], np.linspace(0, 1, 5001)])
    u = u[u < 1]
    expected = [NormalDist().inv_cdf(max(float(x), 1e-300)) for x in u]
    assert standard_normal_quantiles(u).tolist() == expected
    assert [standard_normal_quantile(max(float(x), 1e-300)) for x in u] == expected


@pytest.mark.parametrize(
    "recommender",
    [
        {"size": 3, "rule": "fit"},
        {"size": 1, "rule": "fit"},
        {"size": 5, "rule": "fit", "taste_cv": 0.0},
        {"size": 2, "rule": "top"},
        {"size": 4, "rule": "weighted"},
        {"size": 2, "rule": "weighted", "taste_cv": 0.0},
    ],
)
def test_first_contacts_from_the_table_are_the_rule_as_written(recommender: dict) -> None:
    """Each call of a replication offered in turn, once by a desk with the table of first
    contacts and once by one without (every offer on the general path): the same offers,
    products, pitch times and answers, customers met twice included (a population of 300)."""
    over = {"selling": {"recommender": recommender, "population": 300}}
    scenario = callsim.load_scenario(merge(CATALOGUE, over))
    rng = streams(6, 0)
    demand = draw_demand(scenario, time_grid(scenario), rng)
    calls = CallLog(demand, 0)
    table = SalesDesk(scenario, rng["offers"], rng["history"], callers=demand)
    rng = streams(6, 0)
    general = SalesDesk(scenario, rng["offers"], rng["history"])
    assert table.owned_key == general.owned_key
    offers = 0
    for row in range(len(demand)):
        skill, now = (0.8, 1.2)[row % 2], 60.0 * row
        got = table.pitch_call(calls, row, skill, now)
        expected = general.pitch_call(calls, row, skill, now)
        assert got == expected, row
        offers += got is not None
    assert offers > 100
    # The table said which callers nothing could be offered to; the general path agrees.
    nothing = ~table.offerable
    assert nothing.any()
    fresh = SalesDesk(scenario, rng["offers"], rng["history"])
    for row in np.flatnonzero(nothing)[:200]:
        reason, segment = int(demand.reason[row]), int(demand.segment[row])
        assert fresh.recommend(int(demand.customer[row]), reason, segment, 0.0) == []


def test_fit_picks_the_best_product_for_this_customer_and_top_ignores_taste() -> None:
    fit, top = _desk(), _desk({"selling": {"recommender": {"rule": "top"}}})
    ev = fit.base[0, 1] * fit.value  # a regular bill caller, skill 1
    for c in range(300):
        screen = fit.recommend(c, 0, 1, 0.0)
        best = screen[int(np.argmax(ev[screen] * _tastes(fit, c)[screen]))]
        pitch = fit.pitch(c, 0, 1, 1.0, 0.0, (0.5, 0.5, 0.5))
        assert pitch is not None and pitch.product == best
        first = top.recommend(c, 0, 1, 0.0)[0]
        assert first == (0 if 0 not in top.holdings(c) else 1)
        top_pitch = top.pitch(c, 0, 1, 1.0, 0.0, (0.5, 0.5, 0.5))
        assert top_pitch is not None and top_pitch.product == first


# --------------------------------------------------------------------------------------------
# two plans, one set of callers


def _calls(
    over: dict[str, Any], replication: int = 0, seed: int = 11
) -> tuple[pd.DataFrame, np.ndarray, int]:
    scenario = callsim.load_scenario(merge(CATALOGUE, over))
    run = run_model(scenario, seed, replication)
    calls = pd.DataFrame(run.calls.columns())
    skill = np.asarray(run.roster.sales_skill, dtype=float)
    n_first = int((calls["attempt"] == 0).sum())
    return calls, skill, n_first


K0 = {"selling": {"policy": {"kind": "threshold", "k": 0}}}
ALWAYS = {"selling": {"policy": {"kind": "always"}}}


def _same_offers(
    a: pd.DataFrame, b: pd.DataFrame, skill_a: np.ndarray, skill_b: np.ndarray, n: int
) -> pd.DataFrame:
    """First attempts (same row = same caller) offered the same product by agents of the same
    skill in both plans: their outcomes and pitch times side by side."""
    a, b = a.iloc[:n], b.iloc[:n]
    both = ((a["product"] >= 0) & (a["product"] == b["product"])).to_numpy()
    same_skill = np.zeros(n, dtype=bool)
    sa = skill_a[a["agent"].to_numpy()[both]]
    sb = skill_b[b["agent"].to_numpy()[both]]
    same_skill[np.flatnonzero(both)] = sa == sb
    rows = np.flatnonzero(same_skill)
    return pd.DataFrame(
        {
            "converted_a": a["converted"].to_numpy()[rows],
            "converted_b": b["converted"].to_numpy()[rows],
            "pitch_a": a["pitch"].to_numpy()[rows],
            "pitch_b": b["pitch"].to_numpy()[rows],
        }
    )


def test_the_same_caller_offered_the_same_product_decides_the_same_in_two_plans() -> None:
    for replication in (0, 1):
        a, skill_a, n = _calls(K0, replication)
        b, skill_b, n_b = _calls(ALWAYS, replication)
        assert n == n_b
        assert (a["customer"].iloc[:n].to_numpy() == b["customer"].iloc[:n].to_numpy()).all()
        same = _same_offers(a, b, skill_a, skill_b, n)
        # Enough shared offers, both outcomes among them, and the plans do differ.
        assert len(same) > 60
        assert 0 < same["converted_a"].sum() < len(same)
        assert (a["product"] >= 0).sum() < (b["product"] >= 0).sum()
        assert (same["converted_a"] == same["converted_b"]).all()
        assert (same["pitch_a"] == same["pitch_b"]).all()


def test_the_control_with_decision_order_draws_disagrees(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the test above would see with the old decision-order draws: many disagreements."""

    def decision_order(self: SalesDesk, calls: Any, row: int, skill: float, now: float) -> Any:
        c = int(calls.customer[row])
        return self.pitch(c, int(calls.reason[row]), int(calls.segment[row]), skill, now)

    monkeypatch.setattr(SalesDesk, "pitch_call", decision_order)
    a, skill_a, n = _calls(K0)
    b, skill_b, _ = _calls(ALWAYS)
    same = _same_offers(a, b, skill_a, skill_b, n)
    assert len(same) > 60
    assert (same["pitch_a"] != same["pitch_b"]).mean() > 0.5
    assert (same["converted_a"] != same["converted_b"]).sum() > 5


def test_the_same_caller_calls_again_the_same_way_in_two_plans() -> None:
    """Every caller is a new customer here, so ``customer`` names the first call's row, and a
    caller's attempts are the rows with that customer. An attempt abandoned in both plans leads
    to a next attempt in both or in neither, at the same time and with the same patience: the
    abandonment time is the same too (same arrival, same patience)."""
    # Seven agents against six: the plans' queues differ, so abandonments do too.
    fewer = {
        "agents": {
            "groups": {"junior": {"shifts": [{"start": "08:00", "end": "14:00", "count": 1}]}}
        }
    }
    checked = retried = 0
    for replication in (0, 1):
        a, _, _ = _calls(K0, replication)
        b, _, _ = _calls(merge(ALWAYS, fewer), replication)
        keys = ["customer", "attempt"]
        pa, pb = a.set_index(keys), b.set_index(keys)
        assert pa.index.is_unique and pb.index.is_unique
        abandoned_a = pa.index[(pa["outcome"] == 2) & (pa["closed_out"] == 0)]
        abandoned_b = pb.index[(pb["outcome"] == 2) & (pb["closed_out"] == 0)]
        both = abandoned_a.intersection(abandoned_b)
        assert len(abandoned_a.symmetric_difference(abandoned_b)) > 0  # the plans differ
        for customer, attempt in both:
            nxt = (customer, attempt + 1)
            assert (nxt in pa.index) == (nxt in pb.index), nxt
            checked += 1
            if nxt in pa.index:
                retried += 1
                assert pa.loc[nxt, "arrival"] == pb.loc[nxt, "arrival"]
                assert pa.loc[nxt, "patience"] == pb.loc[nxt, "patience"] or (
                    pa.loc[nxt, "closed_out"] or pb.loc[nxt, "closed_out"]
                )
    assert checked > 50
    assert 0.3 * checked < retried < 0.7 * checked  # probability 0.5


def test_per_caller_draws_narrow_the_paired_revenue_interval(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Revenue(K=0) − revenue(always) over 30 paired replications, seed 11: the paired CI is
    narrower with the callers' own draws than with the decision-order control (measured: ±477
    against ±517, a difference of about −7,300 either way). The seed is fixed, so this is a
    regression check of the figures, not a statistical claim; the default scenario's figures at
    100 replications are in the module docstring."""
    plans = [callsim.load_scenario(merge(CATALOGUE, over)) for over in (K0, ALWAYS)]

    def half_width() -> float:
        revenue = [
            [
                float(
                    np.nansum(
                        np.where(
                            run.calls.column("converted") == 1,
                            value[run.calls.column("product")],
                            0.0,
                        )
                    )
                )
                for run in (run_model(p, 11, r) for p in plans)
            ]
            for r in range(30)
        ]
        d = np.array(revenue) @ np.array([1.0, -1.0])
        return _t_half_width(d)

    value = np.array([p["value"] for p in CATALOGUE["products"].values()])
    crn = half_width()

    def decision_order(self: SalesDesk, calls: Any, row: int, skill: float, now: float) -> Any:
        c = int(calls.customer[row])
        return self.pitch(c, int(calls.reason[row]), int(calls.segment[row]), skill, now)

    monkeypatch.setattr(SalesDesk, "pitch_call", decision_order)
    control = half_width()
    assert crn < control, (crn, control)


# --------------------------------------------------------------------------------------------
# the screen's size


def test_a_longer_screen_sells_more_when_the_agent_picks_by_fit() -> None:
    """Always offer, rule ``fit``, 40 paired replications: conversion rate and revenue rise from
    a screen of 1 to 3 and from 3 to 5 by more than their paired 95% CI.

    Measured (seed 3): conversion rate 0.312 / 0.426 / 0.479 for sizes 1 / 3 / 5 (1→3 +0.114 ±
    0.007, 3→5 +0.053 ± 0.006), revenue 12,180 / 16,876 / 18,720 (+4,697 ± 260, +1,844 ± 272).
    ``rule: top`` gives the size-1 figures whatever the size. How much a longer screen gains
    follows from the assumed ``taste_cv`` (0.5)."""
    over = merge(ALWAYS, {"customers": {"retrial": None}})
    results = {
        size: callsim.simulate(
            merge(CATALOGUE, merge(over, {"selling": {"recommender": {"size": size}}})),
            replications=40,
            seed=3,
            workers=1,
        ).per_replication
        for size in (1, 3, 5)
    }
    rate = {s: r["conversions"] / r["offers"] for s, r in results.items()}
    for lo, hi in ((1, 3), (3, 5)):
        for name, series in (
            ("conversion rate", rate),
            ("revenue", {s: r["revenue"] for s, r in results.items()}),
        ):
            d = (series[hi] - series[lo]).to_numpy()
            assert d.mean() - _t_half_width(d) > 0, (name, lo, hi, d.mean(), _t_half_width(d))
