"""The marketing screen (SalesDesk) and the contact rules, directly and inside a simulation.

Direct tests build a validated scenario, a SalesDesk on seeded generators, and call ``recommend``
and ``pitch`` with hand-chosen customers and clock times. Expected rankings and conversion chances
are worked out by hand from the catalogue: expected value = value × conversion × segment factor ×
reason factor. Frequencies are checked against a binomial interval of ±4.5 standard errors, so a
correct implementation fails by chance far less than once in 10⁵ runs.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from helpers import merge

import callsim
from callsim.model.offers import SECONDS_PER_DAY, Pitch, SalesDesk

Z = 4.5
DAY = SECONDS_PER_DAY


def _product(value: float, conversion: float, **extra: Any) -> dict[str, Any]:
    return {
        "value": value,
        "conversion": conversion,
        "pitch": {"dist": "fixed", "value_s": 60},
        **extra,
    }


# Reasons: 0 bill, 1 promotion, 2 complaint. Segments: 0 vip, 1 regular.
BASE: dict[str, Any] = {
    "name": "sales",
    "horizon": {"interval_min": 30, "open": "08:00", "close": "10:00"},
    "arrivals": {"rate_per_hour": 60},
    "reasons": {
        "bill": {"share": 0.5, "talk": {"dist": "fixed", "value_s": 120}},
        "promotion": {"share": 0.3, "talk": {"dist": "fixed", "value_s": 120}},
        "complaint": {"share": 0.2, "talk": {"dist": "fixed", "value_s": 120}},
    },
    "customers": {"segments": {"vip": {"share": 0.2}, "regular": {"share": 0.8}}},
    "agents": {
        "groups": {
            "team": {
                "trained_to_sell": True,
                "shifts": [{"start": "08:00", "end": "10:00", "count": 3}],
            }
        }
    },
    # Expected values for a regular bill caller: a 100×0.10 = 10, b 50×0.40 = 20,
    # c 400×0.02 = 8, d 30×0.50 = 15, e 1000×0.03 = 30 → e, b, d, a, c.
    "products": {
        "a": _product(100, 0.10),
        "b": _product(50, 0.40),
        "c": _product(400, 0.02),
        "d": _product(30, 0.50),
        "e": _product(1000, 0.03),
    },
    "selling": {
        "policy": {"kind": "always"},
        # Customers without tastes (taste_cv 0): the chances below are the catalogue's own
        # arithmetic. Tastes and the agent's choice by fit are tested further down.
        "recommender": {"size": 5, "taste_cv": 0.0},
        "contact_rules": {"max_offers": 1000, "cooldown_after_refusal_days": 0.0},
    },
}
BILL, PROMOTION, COMPLAINT = 0, 1, 2
VIP, REGULAR = 0, 1


def desk(over: dict[str, Any] | None = None, seed: int = 1) -> SalesDesk:
    scenario = callsim.load_scenario(merge(BASE, over or {}))
    return SalesDesk(scenario, np.random.default_rng(seed), np.random.default_rng(seed + 1_000_003))


def offer(
    d: SalesDesk, customer: int, reason: int, segment: int, skill: float, now: float
) -> Pitch:
    """A pitch that the rules allow (the test fails if they do not)."""
    pitch = d.pitch(customer, reason, segment, skill, now)
    assert pitch is not None, (customer, now)
    return pitch


def names(d: SalesDesk, screen: list[int]) -> list[str]:
    catalogue = list(BASE["products"])  # products keep the file's order
    assert len(d.products) == len(catalogue)
    return [catalogue[k] for k in screen]


def in_ci(hits: int, n: int, p: float) -> bool:
    se = math.sqrt(p * (1 - p) / n)
    return abs(hits / n - p) <= Z * se + 1e-12


# --------------------------------------------------------------------------------------------
# ranking and the screen


def test_ranked_by_expected_value_not_value_nor_conversion() -> None:
    d = desk()
    assert names(d, d.recommend(1, BILL, REGULAR, 0.0)) == ["e", "b", "d", "a", "c"]


def test_segment_and_reason_factors_change_the_ranking() -> None:
    # vip: c 400×0.02×6 = 48; promotion: a 100×0.10×4 = 40; the others as for a regular bill.
    d = desk(
        {
            "products": {
                "c": {"segment_factor": {"vip": 6.0}},
                "a": {"reason_factor": {"promotion": 4.0}},
            }
        }
    )
    assert names(d, d.recommend(1, BILL, VIP, 0.0)) == ["c", "e", "b", "d", "a"]
    assert names(d, d.recommend(2, PROMOTION, REGULAR, 0.0)) == ["a", "e", "b", "d", "c"]
    assert names(d, d.recommend(3, PROMOTION, VIP, 0.0)) == ["c", "a", "e", "b", "d"]


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5])
def test_screen_size_is_honoured(size: int) -> None:
    d = desk({"selling": {"recommender": {"size": size}}})
    screen = names(d, d.recommend(7, BILL, REGULAR, 0.0))
    assert screen == ["e", "b", "d", "a", "c"][:size]


def test_screen_is_shorter_when_fewer_products_are_eligible() -> None:
    d = desk({"products": {k: {"reasons": ["promotion"]} for k in "abc"}})
    assert names(d, d.recommend(1, BILL, REGULAR, 0.0)) == ["e", "d"]


@pytest.mark.parametrize("size", [0, 6])
def test_screen_size_outside_one_to_five_is_rejected(size: int) -> None:
    with pytest.raises(callsim.ScenarioError, match=r"selling\.recommender\.size"):
        callsim.load_scenario(merge(BASE, {"selling": {"recommender": {"size": size}}}))


def test_ineligible_reasons_and_segments_are_never_recommended() -> None:
    d = desk(
        {
            "products": {
                "e": {"reasons": ["promotion"]},  # the best product, but only for promotions
                "b": {"segments": ["vip"]},
                "d": {"segment_factor": {"vip": 0.0}},  # a zero factor makes it ineligible
            }
        }
    )
    assert names(d, d.recommend(1, BILL, REGULAR, 0.0)) == ["d", "a", "c"]
    assert names(d, d.recommend(2, BILL, VIP, 0.0)) == ["b", "a", "c"]
    assert names(d, d.recommend(3, PROMOTION, REGULAR, 0.0)) == ["e", "d", "a", "c"]
    for customer in range(200):
        for reason in (BILL, PROMOTION):
            for segment in (VIP, REGULAR):
                screen = set(names(d, d.recommend(10 + customer, reason, segment, 0.0)))
                assert reason == PROMOTION or "e" not in screen
                assert segment == VIP or "b" not in screen
                assert segment == REGULAR or "d" not in screen


def test_complaints_are_never_offered_anything() -> None:
    d = desk({"products": {k: {"reason_factor": {"complaint": 10.0}} for k in "abcde"}})
    for customer in range(100):
        for segment in (VIP, REGULAR):
            assert d.recommend(customer, COMPLAINT, segment, 0.0) == []
            assert d.pitch(customer, COMPLAINT, segment, 1.0, 0.0) is None


def test_never_reasons_can_name_other_reasons() -> None:
    d = desk({"selling": {"contact_rules": {"never_reasons": ["complaint", "promotion"]}}})
    assert d.recommend(1, PROMOTION, REGULAR, 0.0) == []
    assert d.recommend(1, COMPLAINT, REGULAR, 0.0) == []
    assert len(d.recommend(1, BILL, REGULAR, 0.0)) == 5


def test_owned_everything_means_nothing_is_offered() -> None:
    d = desk({"products": {k: {"owned_share": 1.0} for k in "abcde"}})
    for customer in range(200):
        assert d.recommend(customer, BILL, REGULAR, 0.0) == []
        assert d.pitch(customer, BILL, REGULAR, 1.0, 0.0) is None


def test_an_owned_product_is_never_on_the_screen() -> None:
    d = desk({"products": {"e": {"owned_share": 0.5}, "b": {"owned_share": 0.3}}})
    e, b = 4, 1
    n, owned_e, owned_b = 4000, 0, 0
    for customer in range(n):
        screen = d.recommend(customer, BILL, REGULAR, 0.0)
        owned = d.holdings(customer)
        assert not owned & set(screen)
        assert set(screen) | owned == {0, 1, 2, 3, 4}
        owned_e += e in owned
        owned_b += b in owned
    assert in_ci(owned_e, n, 0.5)
    assert in_ci(owned_b, n, 0.3)


def test_a_bought_product_is_not_offered_again() -> None:
    d = desk({"products": {k: {"conversion": 1.0} for k in "abcde"}})  # every pitch sells
    offered = []
    for t in range(5):
        pitch = offer(d, 1, BILL, REGULAR, 1.0, 100.0 * t)
        assert pitch.converted
        offered.append(pitch.product)
    # Each once, best expected value first: with every conversion 1 that is the value.
    assert names(d, offered) == ["e", "c", "a", "b", "d"]
    assert d.pitch(1, BILL, REGULAR, 1.0, 600.0) is None


# --------------------------------------------------------------------------------------------
# contact rules


def test_max_offers_per_window() -> None:
    d = desk({"selling": {"contact_rules": {"max_offers": 2, "window_days": 1.0}}})
    assert d.pitch(1, BILL, REGULAR, 1.0, 0.0) is not None
    assert d.pitch(1, BILL, REGULAR, 1.0, 3600.0) is not None
    # Two offers in the last day: nothing more until the first one leaves the window.
    for now in (3601.0, 0.5 * DAY, DAY - 1.0):
        assert d.recommend(1, BILL, REGULAR, now) == []
        assert d.pitch(1, BILL, REGULAR, 1.0, now) is None
    assert d.pitch(1, BILL, REGULAR, 1.0, DAY + 1.0) is not None  # the 0.0 offer has aged out
    assert d.recommend(1, BILL, REGULAR, DAY + 2.0) == []  # 3600 and DAY+1 are in the window
    assert d.recommend(1, BILL, REGULAR, DAY + 3601.0) != []
    # Other customers are not affected.
    assert d.recommend(2, BILL, REGULAR, 3601.0) != []


def test_max_offers_zero_means_no_offers() -> None:
    d = desk({"selling": {"contact_rules": {"max_offers": 0}}})
    assert d.recommend(1, BILL, REGULAR, 0.0) == []
    assert d.pitch(1, BILL, REGULAR, 1.0, 0.0) is None


def test_cooldown_after_refusal() -> None:
    d = desk({"selling": {"contact_rules": {"cooldown_after_refusal_days": 7.0}}})
    # An agent with sales skill 0 never sells: every pitch is refused.
    assert not offer(d, 1, BILL, REGULAR, 0.0, 0.0).converted
    for now in (1.0, DAY, 7 * DAY - 1.0):
        assert d.pitch(1, BILL, REGULAR, 0.0, now) is None
    assert not offer(d, 1, BILL, REGULAR, 0.0, 7 * DAY + 1.0).converted
    assert d.recommend(1, BILL, REGULAR, 7 * DAY + 2.0) == []  # the new refusal restarts it
    assert d.recommend(1, BILL, REGULAR, 14 * DAY + 2.0) != []


def test_no_cooldown_after_a_sale() -> None:
    d = desk(
        {
            "products": {k: {"conversion": 1.0} for k in "abcde"},
            "selling": {"contact_rules": {"cooldown_after_refusal_days": 7.0}},
        }
    )
    assert offer(d, 1, BILL, REGULAR, 1.0, 0.0).converted
    assert d.pitch(1, BILL, REGULAR, 1.0, 60.0) is not None


# --------------------------------------------------------------------------------------------
# conversion


def test_conversion_is_base_times_segment_reason_and_skill() -> None:
    # Only product a is eligible; for a vip promotion caller its chance is
    # 0.20 × 1.5 (vip) × 0.5 (promotion) × 1.2 (skill) = 0.18.
    d = desk(
        {
            "products": {
                "a": {
                    "conversion": 0.2,
                    "segment_factor": {"vip": 1.5},
                    "reason_factor": {"promotion": 0.5},
                },
                **{k: {"reasons": ["bill"]} for k in "bcde"},
            }
        },
        seed=7,
    )
    n = 20_000
    pitches = [offer(d, c, PROMOTION, VIP, 1.2, 0.0) for c in range(n)]
    assert all(p.product == 0 for p in pitches)
    sold = sum(p.converted for p in pitches)
    assert in_ci(sold, n, 0.18), sold / n
    # A regular promotion caller and an average agent: 0.20 × 0.5 = 0.10.
    sold = sum(offer(d, n + c, PROMOTION, REGULAR, 1.0, 0.0).converted for c in range(n))
    assert in_ci(sold, n, 0.10), sold / n


def test_conversion_is_capped_at_one() -> None:
    d = desk({"products": {"e": {"conversion": 0.8, "segment_factor": {"vip": 2.0}}}})
    assert all(offer(d, c, BILL, VIP, 3.0, 0.0).converted for c in range(300))


def test_unskilled_agent_never_sells() -> None:
    d = desk()
    assert not any(offer(d, c, BILL, REGULAR, 0.0, 0.0).converted for c in range(300))


def test_refused_before_factor_applies_after_a_refusal() -> None:
    # One eligible product, conversion 0.6; after a refusal the chance is 0.6 × 0.5 = 0.3.
    d = desk(
        {
            "products": {
                "e": {"conversion": 0.6},
                **{k: {"reasons": ["promotion"]} for k in "abcd"},
            },
            "selling": {"contact_rules": {"refused_before_factor": 0.5}},
        },
        seed=11,
    )
    n = 15_000
    first = [offer(d, c, BILL, REGULAR, 1.0, 0.0) for c in range(n)]
    assert all(p.product == 4 for p in first)
    sold_first = sum(p.converted for p in first)
    assert in_ci(sold_first, n, 0.6)
    refusers = [c for c, p in enumerate(first) if not p.converted]
    buyers = [c for c, p in enumerate(first) if p.converted]
    second = [offer(d, c, BILL, REGULAR, 1.0, 60.0) for c in refusers]
    sold_second = sum(p.converted for p in second)
    assert in_ci(sold_second, len(refusers), 0.3), sold_second / len(refusers)
    # Buyers own the only product: nothing left to offer.
    assert all(d.pitch(c, BILL, REGULAR, 1.0, 60.0) is None for c in buyers[:200])
    # A third refusal does not compound the factor: still 0.3.
    again = [c for c, p in zip(refusers, second, strict=True) if not p.converted]
    third = [offer(d, c, BILL, REGULAR, 1.0, 120.0) for c in again]
    sold_third = sum(p.converted for p in third)
    assert in_ci(sold_third, len(again), 0.3)


def test_top_rule_always_offers_the_best_and_weighted_draws_by_expected_value() -> None:
    top = desk()
    assert {offer(top, c, BILL, REGULAR, 1.0, 0.0).product for c in range(300)} == {4}
    # Weighted over a screen of 3: e 30, b 20, d 15 → shares 30/65, 20/65, 15/65.
    weighted = desk({"selling": {"recommender": {"size": 3, "rule": "weighted"}}}, seed=3)
    n = 13_000
    drawn = np.array([offer(weighted, c, BILL, REGULAR, 1.0, 0.0).product for c in range(n)])
    counts = {k: int((drawn == k).sum()) for k in range(5)}
    assert counts[0] == counts[2] == 0  # a and c are off the screen
    assert in_ci(counts[4], n, 30 / 65)
    assert in_ci(counts[1], n, 20 / 65)
    assert in_ci(counts[3], n, 15 / 65)


# --------------------------------------------------------------------------------------------
# inside a simulation


def _sim(over: dict[str, Any], replications: int = 2, seed: int = 5) -> callsim.SimulationResult:
    return callsim.simulate(
        merge(BASE, over), replications=replications, seed=seed, workers=1, keep_calls=True
    )


TWO_GROUPS: dict[str, Any] = {
    "horizon": {"open": "08:00", "close": "12:00"},
    "arrivals": {"rate_per_hour": 80},
    "customers": {"patience": {"dist": "exponential", "mean_s": 600}},
    "agents": {
        "groups": {
            "team": {"shifts": [{"start": "08:00", "end": "12:00", "count": 3}]},
            "rookies": {
                "trained_to_sell": False,
                "shifts": [{"start": "08:00", "end": "12:00", "count": 3}],
            },
        }
    },
}


def test_untrained_agents_make_no_offers_and_complaints_get_none() -> None:
    res = _sim(TWO_GROUPS)
    agents, calls = res.agents, res.calls
    assert calls is not None
    group_of = agents["group"].to_numpy()
    rookie = agents["group"] == "rookies"
    assert (agents.loc[rookie, "offers"] == 0).all()
    assert (agents.loc[rookie, "conversions"] == 0).all()
    assert (agents.loc[rookie, "calls"] > 0).all()  # they did take calls
    assert (agents.loc[~rookie, "offers"] > 0).all()
    served = calls[calls["agent"] >= 0]
    by_rookie = group_of[served["agent"].to_numpy()] == "rookies"
    assert (served.loc[by_rookie, "product"] == -1).all()
    assert (served.loc[by_rookie, "pitch"] == 0).all()
    complaint = list(BASE["reasons"]).index("complaint")
    assert (calls.loc[calls["reason"] == complaint, "product"] == -1).all()
    assert (calls.loc[calls["reason"] != complaint, "product"] >= 0).any()
    # Unanswered calls never carry an offer.
    assert (calls.loc[calls["agent"] < 0, "product"] == -1).all()


def test_no_customer_gets_more_than_max_offers_per_window_over_days() -> None:
    window_days, max_offers, cooldown_days = 1.0, 2, 0.25
    res = _sim(
        {
            "horizon": {"days": 3, "open": "08:00", "close": "14:00"},
            "arrivals": {"rate_per_hour": 40},
            "agents": {
                "groups": {"team": {"shifts": [{"start": "08:00", "end": "14:00", "count": 4}]}}
            },
            "selling": {
                "population": 25,  # ~30 calls per customer over the horizon
                "contact_rules": {
                    "max_offers": max_offers,
                    "window_days": window_days,
                    "cooldown_after_refusal_days": cooldown_days,
                },
            },
        },
        replications=2,
    )
    calls = res.calls
    assert calls is not None
    offers = calls[calls["product"] >= 0].copy()
    # The offer is made when the talk phase ends: before the pitch and the wrap-up.
    offers["at"] = offers["end"] - offers["pitch"] - offers["wrap"]
    window, cooldown = window_days * DAY, cooldown_days * DAY
    calls_per_customer = calls.groupby(["replication", "customer"]).size()
    offers_per_customer = offers.groupby(["replication", "customer"]).size()
    assert calls_per_customer.median() > 10
    assert offers_per_customer.max() > max_offers  # over 3 days the rule must bind, not starve
    for _, one in offers.groupby(["replication", "customer"]):
        at = np.sort(one["at"].to_numpy())
        # In any window of window_days, at most max_offers offers.
        later = np.searchsorted(at, at + window, side="left")
        assert (later - np.arange(len(at)) <= max_offers).all(), at
        # Nothing within the cool-down after a refusal.
        refused = one.loc[one["converted"] == 0, "at"].to_numpy()
        for t in refused:
            assert not ((at > t) & (at < t + cooldown)).any(), (t, at)
    assert offers["converted"].isin([0, 1]).all()


def test_scores_and_revenue_add_up_from_the_calls() -> None:
    over = merge(
        TWO_GROUPS,
        {
            "horizon": {"warmup_min": 30},
            "products": {
                "a": {"kpi_weight": 1.5},
                "b": {"kpi_weight": 2.0},
                "c": {"kpi_weight": 4.0},
                "d": {"kpi_weight": 0.5},
                "e": {"kpi_weight": 3.0},
            },
            "selling": {"recommender": {"size": 3, "rule": "weighted"}},
        },
    )
    reps = 3
    res = _sim(over, replications=reps)
    calls = res.calls
    assert calls is not None
    value = np.array([p["value"] for p in BASE["products"].values()])
    weight = np.array([over["products"][k]["kpi_weight"] for k in BASE["products"]])
    warmup_end = 8 * 3600 + 30 * 60
    counted = calls[(calls["arrival"] >= warmup_end) & (calls["converted"] == 1)]
    assert len(counted) > 0
    assert (counted["product"] >= 0).all()
    assert counted["product"].nunique() > 1
    per_agent = (
        pd.DataFrame(
            {
                "agent": counted["agent"],
                "revenue": value[counted["product"]],
                "score": weight[counted["product"]],
                "one": 1.0,
            }
        )
        .groupby("agent")[["revenue", "score", "one"]]
        .sum()
        / reps
    )
    agents = res.agents
    for k in range(len(agents)):
        row = per_agent.loc[k] if k in per_agent.index else pd.Series(0.0, per_agent.columns)
        assert agents.loc[k, "sales_score"] == pytest.approx(row["score"])
        assert agents.loc[k, "revenue"] == pytest.approx(row["revenue"])
        assert agents.loc[k, "conversions"] == pytest.approx(row["one"])
    summary = res.summary["mean"]
    assert summary["revenue"] == pytest.approx(value[counted["product"]].sum() / reps)
    assert summary["sales_score"] == pytest.approx(weight[counted["product"]].sum() / reps)
    assert summary["revenue"] == pytest.approx(agents["revenue"].sum())
    assert summary["sales_score"] == pytest.approx(agents["sales_score"].sum())
    assert summary["conversions"] == pytest.approx(len(counted) / reps)
    offered = calls[(calls["arrival"] >= warmup_end) & (calls["product"] >= 0)]
    assert summary["offers"] == pytest.approx(len(offered) / reps)


def test_calls_nothing_can_be_offered_on_skip_the_talk_end_stop_with_the_same_results(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The bundled centre has calls no offer can be made on (complaints, untrained agents,
    callers holding every eligible product): they are served as a plan that never sells serves
    them, in one calendar entry. The oracle is the same run with every call stopping at its talk
    end (as when calls cut short are redialled from there): the same call table, bit for bit."""
    from callsim.model.engine import Engine
    from callsim.model.replication import run_model
    from callsim.scenario import bundled

    scenario = callsim.load_scenario(bundled.path_of("credit_card_hotline"))
    skipped = run_model(scenario, 3, 0)
    built = Engine.__init__

    def stop_at_every_talk_end(self: Engine, *args: Any, **kwargs: Any) -> None:
        built(self, *args, **kwargs)
        assert self.sales is not None and not self.sales.offerable.all()
        assert not all(self.may_sell)
        self.repeats = True  # redials after talk: none, as the policy has no repeats

    monkeypatch.setattr(Engine, "__init__", stop_at_every_talk_end)
    stopped = run_model(scenario, 3, 0)
    a, b = skipped.calls.columns(), stopped.calls.columns()
    assert (a["product"] >= 0).sum() > 100
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)
