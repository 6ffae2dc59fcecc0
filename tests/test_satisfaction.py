"""Satisfaction per call on the 5-level scale, worked out by hand.

``call_scores`` starts from ``base`` and subtracts the penalties, down to the lowest level (0.2
very dissatisfied … 1.0 very satisfied); a score between two levels is a mix of the two answers,
so the top-box share is (score − 0.8) / 0.2 above 0.8. Each case below is one call whose score is
written out in the comment next to it.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import callsim
from callsim.measure.satisfaction import LEVELS, call_scores, repeated_offers
from callsim.model.calllog import ABANDONED, ANSWERED

DAY = 86_400.0

BASE: dict[str, Any] = {
    "name": "satisfaction",
    "horizon": {"interval_min": 30, "open": "08:00", "close": "10:00"},
    "arrivals": {"rate_per_hour": 60},
    "reasons": {
        "bill": {"share": 0.7, "talk": {"dist": "fixed", "value_s": 120}},
        "complaint": {"share": 0.3, "talk": {"dist": "fixed", "value_s": 120}},
    },
    "agents": {
        "groups": {
            "team": {
                "trained_to_sell": True,
                "shifts": [{"start": "08:00", "end": "10:00", "count": 2}],
            }
        }
    },
    "products": {
        "plan": {"value": 100, "pitch": {"dist": "fixed", "value_s": 60}, "conversion": 0.3}
    },
    "selling": {"policy": {"kind": "always"}, "contact_rules": {"window_days": 30.0}},
}
BILL, COMPLAINT = 0, 1


def scenario(satisfaction: dict[str, Any] | None = None, **over: Any) -> Any:
    data = copy.deepcopy(BASE)
    data["satisfaction"] = satisfaction or {}
    data.update(over)
    return callsim.load_scenario(data)


def score(
    sc: Any,
    *,
    wait: float = 0.0,
    reason: int = BILL,
    product: int = -1,
    converted: int = 0,
    talk_factor: float = 1.0,
    abandoned: bool = False,
) -> float:
    """The score of one call alone."""
    scores, _, rated = scores_of(
        sc,
        [
            dict(
                wait=wait,
                reason=reason,
                product=product,
                converted=converted,
                talk_factor=talk_factor,
                abandoned=abandoned,
            )
        ],
    )
    assert rated.tolist() == [True]
    return float(scores[0])


def scores_of(sc: Any, calls: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = len(calls)

    def column(key: str, default: Any, dtype: Any) -> np.ndarray:
        return np.array([c.get(key, default) for c in calls], dtype=dtype)

    abandoned = column("abandoned", False, bool)
    waiting = column("waiting", False, bool)
    answered = ~abandoned & ~waiting
    col = {
        "reason": column("reason", BILL, np.int16),
        "product": column("product", -1, np.int16),
        "converted": column("converted", 0, np.int8),
        "talk_factor": column("talk_factor", 1.0, np.float32),
        "customer": column("customer", np.arange(n), np.int32)
        if all("customer" in c for c in calls)
        else np.arange(n, dtype=np.int32),
        "answer": np.where(answered, column("answer", 0.0, float), np.nan),
    }
    window = sc.selling.contact_rules.window_days
    repeated = repeated_offers(col["customer"], col["answer"], col["product"], window)
    return call_scores(col, column("wait", 0.0, float), answered, abandoned, repeated, sc)


def test_levels_are_the_five_point_scale() -> None:
    assert LEVELS.tolist() == [0.2, 0.4, 0.6, 0.8, 1.0]


def test_prompt_plain_call_scores_base() -> None:
    assert score(scenario()) == pytest.approx(1.0)  # default base 1.0


@pytest.mark.parametrize("base", [1.0, 0.95, 0.9, 0.85, 0.75, 0.5, 0.25, 0.2])
def test_base_is_the_score_of_a_prompt_plain_call(base: float) -> None:
    assert score(scenario({"base": base})) == pytest.approx(base)


def test_abandoned_scores_abandoned_whatever_the_wait() -> None:
    assert score(scenario(), abandoned=True, wait=5.0) == pytest.approx(0.2)
    assert score(scenario({"abandoned": 0.6}), abandoned=True, wait=3000.0) == pytest.approx(0.6)
    assert score(scenario({"abandoned": 0.45}), abandoned=True) == pytest.approx(0.45)


def test_refused_offer_subtracts_refused_offer() -> None:
    sc = scenario()
    assert score(sc, product=0, converted=1) == pytest.approx(1.0)  # a sale costs nothing
    assert score(sc, product=0, converted=0) == pytest.approx(0.85)  # 1 − 0.15
    sc = scenario({"refused_offer": 0.4})
    assert score(sc, product=0, converted=0) == pytest.approx(0.6)  # 1 − 0.4


def test_complaint_subtracts_complaint() -> None:
    assert score(scenario(), reason=COMPLAINT) == pytest.approx(0.8)  # 1 − 0.2
    assert score(scenario({"complaint": 0.6}), reason=COMPLAINT) == pytest.approx(0.4)
    assert score(scenario({"complaint": 0.6}), reason=BILL) == pytest.approx(1.0)


def test_complaint_reasons_are_configurable() -> None:
    sc = scenario({"complaint": 0.4, "complaint_reasons": ["bill"]})
    assert score(sc, reason=BILL) == pytest.approx(0.6)
    assert score(sc, reason=COMPLAINT) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("wait", "level"),
    [
        (0.0, 1.0),
        (30.0, 1.0),  # up to the tolerable wait: no penalty
        (60.0, 0.9),  # 30 s past: 1 − 0.1
        (90.0, 0.8),  # 60 s past: 1 − 0.2
        (150.0, 0.6),  # 2 min past: 1 − 0.4
        (210.0, 0.4),  # 3 min past: 1 − 0.6
        (270.0, 0.2),  # 4 min past: 1 − 0.8
        (3600.0, 0.2),  # never below the lowest level
    ],
)
def test_wait_past_tolerable_costs_per_minute(wait: float, level: float) -> None:
    sc = scenario({"per_wait_min": 0.2})
    assert score(sc, wait=wait) == pytest.approx(level)


def test_wait_of_tolerable_plus_a_minute_subtracts_per_wait_min() -> None:
    # base 0.8, tolerable 45 s, per minute 0.2: a wait of 105 s is 0.8 − 0.2 = 0.6.
    sc = scenario({"base": 0.8, "tolerable_wait_s": 45.0, "per_wait_min": 0.2})
    assert score(sc, wait=45.0) == pytest.approx(0.8)
    assert score(sc, wait=105.0) == pytest.approx(0.6)


def test_long_talk_is_penalised_and_short_talk_is_not() -> None:
    sc = scenario({"long_talk": 0.2})
    assert score(sc, talk_factor=1.2) == pytest.approx(0.8)
    assert score(sc, talk_factor=0.8) == pytest.approx(1.0)
    assert score(sc, talk_factor=1.0) == pytest.approx(1.0)


def test_penalties_add_up() -> None:
    # A refused complaint? Complaints get no offers, so: a refused offer after 90 s of waiting
    # with stretched talk: 1 − 0.15 − 0.1 (1 min past 30 s) − 0.2 = 0.55.
    assert score(scenario(), product=0, converted=0, wait=90.0, talk_factor=1.2) == pytest.approx(
        0.55
    )
    # A complaint after 150 s: 1 − 0.2 − 0.2 = 0.6.
    assert score(scenario(), reason=COMPLAINT, wait=150.0) == pytest.approx(0.6)


def test_repeated_offer_within_window_is_penalised() -> None:
    sc = scenario({"repeated_offer": 0.3})
    hour = 3600.0
    calls = [
        # customer 1: offers at 0 and 2 days later (window 30 days): the second is repeated.
        dict(customer=1, answer=0.0, product=0, converted=1),
        dict(customer=1, answer=2 * DAY, product=0, converted=1),
        # customer 2: offers 31 days apart: neither is repeated.
        dict(customer=2, answer=hour, product=0, converted=1),
        dict(customer=2, answer=31 * DAY + hour, product=0, converted=1),
        # customer 3: one offer, and a later call without an offer.
        dict(customer=3, answer=hour, product=0, converted=1),
        dict(customer=3, answer=2 * hour, product=-1),
        # customer 4: a call without offer, then an offer: not repeated.
        dict(customer=4, answer=0.0, product=-1),
        dict(customer=4, answer=hour, product=0, converted=1),
        # customer 5: three offers within the window, listed out of time order.
        dict(customer=5, answer=3 * hour, product=0, converted=1),
        dict(customer=5, answer=1 * hour, product=0, converted=1),
        dict(customer=5, answer=2 * hour, product=0, converted=0),
    ]
    scores, _, rated = scores_of(sc, calls)
    assert rated.all()
    # A repeated offer costs 0.3: 1 − 0.3 = 0.7; a repeated and refused one: 1 − 0.3 − 0.15.
    expected = [1.0, 0.7, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.7, 1.0, 0.55]
    assert scores.tolist() == pytest.approx(expected)


def test_repeated_offer_uses_the_contact_rule_window() -> None:
    calls = [
        dict(customer=1, answer=0.0, product=0, converted=1),
        dict(customer=1, answer=2 * DAY, product=0, converted=1),
    ]
    short = copy.deepcopy(BASE)
    short["selling"]["contact_rules"]["window_days"] = 1.0
    short["satisfaction"] = {"repeated_offer": 0.4}
    scores, _, _ = scores_of(callsim.load_scenario(short), calls)
    assert scores.tolist() == pytest.approx([1.0, 1.0])
    long = copy.deepcopy(short)
    long["selling"]["contact_rules"]["window_days"] = 3.0
    scores, _, _ = scores_of(callsim.load_scenario(long), calls)
    assert scores.tolist() == pytest.approx([1.0, 0.6])


def test_waiting_calls_are_not_rated_and_top_box_is_the_share_of_very_satisfied() -> None:
    sc = scenario()
    calls = [
        dict(wait=0.0),  # 1.0: very satisfied
        dict(wait=0.0, product=0, converted=1),  # 1.0
        dict(wait=0.0, product=0, converted=0),  # 0.85: a quarter very satisfied
        dict(wait=90.0),  # 0.9: half very satisfied
        dict(wait=150.0),  # 0.8: satisfied
        dict(reason=COMPLAINT),  # 0.8
        dict(abandoned=True, wait=400.0),  # 0.2
        dict(waiting=True, wait=1000.0),  # not rated
    ]
    scores, top_box, rated = scores_of(sc, calls)
    assert rated.tolist() == [True] * 7 + [False]
    assert scores[:7].tolist() == pytest.approx([1.0, 1.0, 0.85, 0.9, 0.8, 0.8, 0.2])
    assert top_box[:7].tolist() == pytest.approx([1.0, 1.0, 0.25, 0.5, 0.0, 0.0, 0.0])
    assert float(top_box[rated].mean()) == pytest.approx(2.75 / 7)
    assert float(scores[rated].mean()) == pytest.approx((2 + 0.85 + 0.9 + 1.6 + 0.2) / 7)


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(
    weight=st.sampled_from(["refused_offer", "per_wait_min", "complaint", "long_talk"]),
    low=st.floats(0.0, 0.5),
    step=st.floats(1e-4, 0.3),
)
def test_satisfaction_is_continuous_and_monotone_in_every_weight(
    weight: str, low: float, step: float
) -> None:
    """A heavier penalty never raises the mean or the top box, and a small change of a weight
    moves them by at most as much (no cliff, as rounding to levels had at 0.09 → 0.11)."""
    calls = [
        dict(wait=w, reason=r, product=p, converted=0, talk_factor=f)
        for w in (0.0, 45.0, 90.0, 200.0)
        for r, p in ((BILL, 0), (BILL, -1), (COMPLAINT, -1))
        for f in (1.0, 1.2)
    ]
    light = scores_of(scenario({weight: low}), calls)
    heavy = scores_of(scenario({weight: low + step}), calls)
    for k in (0, 1):  # score, top box
        a, b = light[k].mean(), heavy[k].mean()
        assert b <= a + 1e-12
        # each call's penalty grows by at most step × (the largest multiplier: 4 minutes waited)
        assert a - b <= step * 4 / (0.2 if k else 1.0) + 1e-12


def test_simulated_satisfaction_matches_the_call_scores() -> None:
    """The summary's mean and top box are those of the calls' own scores."""
    data = copy.deepcopy(BASE)
    data["customers"] = {"patience": {"dist": "exponential", "mean_s": 200}}
    data["arrivals"] = {"rate_per_hour": 70}
    data["satisfaction"] = {"per_wait_min": 0.3}
    res = callsim.simulate(data, replications=1, seed=3, workers=1, keep_calls=True)
    calls = res.calls
    assert calls is not None
    answered = calls["outcome"] == ANSWERED
    abandoned = calls["outcome"] == ABANDONED
    assert answered.any() and abandoned.any()
    wait = np.where(
        answered,
        calls["answer"] - calls["arrival"],
        np.where(abandoned, calls["patience"], 0.0),
    )
    col = {k: calls[k].to_numpy() for k in ("reason", "product", "converted", "talk_factor")}
    col["customer"] = calls["customer"].to_numpy()
    col["answer"] = calls["answer"].to_numpy()
    window = res.scenario.selling.contact_rules.window_days
    repeated = repeated_offers(col["customer"], col["answer"], col["product"], window)
    scores, top_box, rated = call_scores(
        col, wait, answered.to_numpy(), abandoned.to_numpy(), repeated, res.scenario
    )
    summary = res.summary["mean"]
    assert summary["satisfaction"] == pytest.approx(scores[rated].mean())
    assert summary["satisfaction_top_box"] == pytest.approx(top_box[rated].mean())
    assert 0 < summary["satisfaction_top_box"] < 1
    assert len(set(scores[rated].round(6))) >= 3


def test_unknown_complaint_reason_is_rejected() -> None:
    """A typo here would silently drop the complaint penalty, as one in never_reasons would
    silently allow pitching to complaints (which is rejected)."""
    data = copy.deepcopy(BASE)
    data["satisfaction"] = {"complaint_reasons": ["complain"]}
    with pytest.raises(callsim.ScenarioError, match="complain"):
        callsim.load_scenario(data)
    # The default name is fine even for a line without a complaint reason.
    data = copy.deepcopy(BASE)
    data["reasons"] = {"bill": {"share": 1.0, "talk": {"dist": "fixed", "value_s": 120}}}
    assert callsim.load_scenario(data).satisfaction.complaint_reasons == ["complaint"]
