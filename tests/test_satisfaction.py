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
from hypothesis import example, given, settings
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


# -- perception against expectation (satisfaction.expectations) ---------------------------
# Default levels (assumptions): ideal 10 s, standard 30 s, acceptable 90 s, minimum tolerable
# 180 s, and very dissatisfied as far again past it (270 s); scores 1.0, 0.8, 0.6, 0.4, 0.2.

REGULAR, VIP = 0, 1
VIP_LEVELS = {"ideal_s": 5.0, "standard_s": 15.0, "acceptable_s": 45.0, "tolerable_s": 90.0}


def expecting(
    expectations: dict[str, Any] | None = None, announcement: dict[str, Any] | None = None
) -> Any:
    data = copy.deepcopy(BASE)
    data["customers"] = {
        "segments": {"regular": {"share": 0.8}, "vip": {"share": 0.2, "priority": 1}}
    }
    data["satisfaction"] = {"expectations": expectations or {}}
    if announcement is not None:
        data["announcement"] = announcement
    return callsim.load_scenario(data)


def expectation_score(
    sc: Any,
    *,
    wait: float = 0.0,
    segment: int = REGULAR,
    announced: float = np.nan,
    resolved: int = 1,
    talk_factor: float = 1.0,
    product: int = -1,
    converted: int = 0,
    reason: int = BILL,
    outcome: str = "answered",
) -> float:
    one = np.ones(1, dtype=bool)
    col = {
        "reason": np.array([reason], dtype=np.int16),
        "segment": np.array([segment], dtype=np.int16),
        "product": np.array([product], dtype=np.int16),
        "converted": np.array([converted], dtype=np.int8),
        "talk_factor": np.array([talk_factor]),
        "announced": np.array([announced]),
    }
    scores, _, rated = call_scores(
        col,
        np.array([wait]),
        one & (outcome == "answered"),
        one & (outcome == "abandoned"),
        np.zeros(1, dtype=bool),
        sc,
        balked=one & (outcome == "balked"),
        resolved=np.array([resolved if outcome == "answered" else -1]),
    )
    assert rated.tolist() == [True]
    return float(scores[0])


@pytest.mark.parametrize(
    ("wait", "level"),
    [
        (0.0, 1.0),
        (10.0, 1.0),  # ideal: above expectation
        (20.0, 0.9),  # halfway from ideal to standard
        (30.0, 0.8),  # standard: meets it
        (60.0, 0.7),  # halfway to acceptable
        (90.0, 0.6),  # acceptable: neutral
        (180.0, 0.4),  # minimum tolerable: dissatisfied
        (225.0, 0.3),  # halfway to 270
        (270.0, 0.2),
        (3600.0, 0.2),
    ],
)
def test_wait_falls_between_the_expected_levels(wait: float, level: float) -> None:
    assert expectation_score(expecting(), wait=wait) == pytest.approx(level)


def test_vip_expect_more() -> None:
    sc = expecting({"segments": {"vip": VIP_LEVELS}})
    assert expectation_score(sc, wait=15.0, segment=VIP) == pytest.approx(0.8)
    assert expectation_score(sc, wait=90.0, segment=VIP) == pytest.approx(0.4)
    assert expectation_score(sc, wait=90.0, segment=REGULAR) == pytest.approx(0.6)


@settings(max_examples=200, deadline=None)
@given(st.floats(0, 600))
def test_vip_never_score_higher_for_the_same_wait(wait: float) -> None:
    sc = expecting({"segments": {"vip": VIP_LEVELS}})
    vip = expectation_score(sc, wait=wait, segment=VIP)
    regular = expectation_score(sc, wait=wait, segment=REGULAR)
    assert vip <= regular + 1e-12
    if 5.0 < wait < 270.0:
        assert vip < regular


def test_unresolved_and_offers_move_the_perception() -> None:
    sc = expecting({"unresolved": 0.3})
    assert expectation_score(sc, resolved=0) == pytest.approx(0.7)  # 1 − 0.3
    assert expectation_score(sc, wait=30.0, resolved=0) == pytest.approx(0.5)  # 0.8 − 0.3
    assert expectation_score(sc, product=0, converted=0) == pytest.approx(0.85)  # refused 0.15
    assert expectation_score(sc, product=0, converted=1) == pytest.approx(1.0)
    assert expectation_score(sc, reason=COMPLAINT) == pytest.approx(0.8)  # complaint 0.2
    # talk stretched by 1.25 is half way to long_talk_full_at 1.5: half the 0.2 penalty
    assert expectation_score(sc, talk_factor=1.25) == pytest.approx(0.9)
    assert expectation_score(sc, talk_factor=2.0) == pytest.approx(0.8)


def test_without_resolution_modelled_every_answered_call_counts_as_resolved() -> None:
    sc = expecting()
    one = np.ones(1, dtype=bool)
    col = {
        "reason": np.array([BILL], dtype=np.int16),
        "segment": np.array([REGULAR], dtype=np.int16),
        "product": np.array([-1], dtype=np.int16),
        "converted": np.array([0], dtype=np.int8),
        "talk_factor": np.array([1.0]),
    }
    args = (col, np.array([60.0]), one, ~one, ~one, sc)
    without = call_scores(*args)[0]
    assert without == pytest.approx(call_scores(*args, resolved=np.array([1]))[0])
    assert without == pytest.approx(0.7)


def test_announced_wait_is_perceived_shorter() -> None:
    sc = expecting(announcement={"enabled": True, "wait_discount": 0.5})
    # 60 s waited, 60 s announced: perceived 60 − 0.5 × 60 = 30 s, the standard: 0.8 (not 0.7).
    assert expectation_score(sc, wait=60.0, announced=60.0) == pytest.approx(0.8)
    assert expectation_score(sc, wait=60.0) == pytest.approx(0.7)
    # Past the announcement every second counts: 120 s waited, 40 announced → 100 s perceived.
    assert expectation_score(sc, wait=120.0, announced=40.0) == pytest.approx(0.6 - 0.2 * 10 / 90)
    # The penalty model perceives it alike: 90 s waited, 90 announced → 45 s, 15 s past 30.
    penalties = scenario(announcement={"enabled": True, "wait_discount": 0.5})
    one = np.ones(1, dtype=bool)
    col = {
        "reason": np.array([BILL], dtype=np.int16),
        "product": np.array([-1], dtype=np.int16),
        "converted": np.array([0], dtype=np.int8),
        "talk_factor": np.array([1.0]),
        "announced": np.array([90.0]),
    }
    told = call_scores(col, np.array([90.0]), one, ~one, ~one, penalties)[0]
    assert told == pytest.approx(1.0 - 0.1 * 15 / 60)


def test_who_hung_up_scores_their_own_level() -> None:
    sc = expecting()
    assert expectation_score(sc, wait=5.0, outcome="abandoned") == pytest.approx(0.2)
    assert expectation_score(sc, outcome="balked", announced=400.0) == pytest.approx(0.4)
    data = copy.deepcopy(BASE)
    data["satisfaction"] = {"balked": 0.6}
    assert score_balked(callsim.load_scenario(data)) == pytest.approx(0.6)


def score_balked(sc: Any) -> float:
    one = np.ones(1, dtype=bool)
    col = {
        "reason": np.array([BILL], dtype=np.int16),
        "product": np.array([-1], dtype=np.int16),
        "converted": np.array([0], dtype=np.int8),
        "talk_factor": np.array([1.0]),
    }
    scores, _, rated = call_scores(col, np.zeros(1), ~one, ~one, ~one, sc, balked=one)
    assert rated.tolist() == [True]
    return float(scores[0])


@settings(max_examples=300, deadline=None)
@given(
    wait=st.floats(0, 600),
    announced=st.floats(0, 600),
    talk_factor=st.floats(0.5, 2.5),
    segment=st.sampled_from([REGULAR, VIP]),
    dw=st.floats(-1.0, 1.0),
    da=st.floats(-1.0, 1.0),
    df=st.floats(-0.01, 0.01),
)
# Where a cliff would be: talk just past its norm, a wait just past a level, the announcement
# just reaching the wait.
@example(wait=0.0, announced=0.0, talk_factor=1.0, segment=REGULAR, dw=0.0, da=0.0, df=0.005)
@example(wait=29.5, announced=0.0, talk_factor=1.0, segment=REGULAR, dw=1.0, da=0.0, df=0.0)
@example(wait=60.0, announced=59.5, talk_factor=1.0, segment=VIP, dw=0.0, da=1.0, df=0.0)
def test_score_is_continuous_in_wait_announcement_and_talk(
    wait: float,
    announced: float,
    talk_factor: float,
    segment: int,
    dw: float,
    da: float,
    df: float,
) -> None:
    """No cliffs: moving the wait or the announcement by a second, or the talk factor by a
    hundredth, moves the score by at most the steepest slope of the levels times the move."""
    sc = expecting({"segments": {"vip": VIP_LEVELS}}, {"enabled": True, "wait_discount": 0.5})
    kw = dict(segment=segment, resolved=1)
    a = expectation_score(sc, wait=wait, announced=announced, talk_factor=talk_factor, **kw)
    b = expectation_score(
        sc,
        wait=max(wait + dw, 0.0),
        announced=max(announced + da, 0.0),
        talk_factor=talk_factor + df,
        **kw,
    )
    # steepest wait slope: 0.2 per 10 s (VIP ideal → standard); an announced second moves the
    # perceived wait by at most the discount; long_talk 0.2 over 0.5 of talk factor.
    bound = 0.02 * (abs(dw) + 0.5 * abs(da)) + 0.4 * abs(df)
    assert abs(a - b) <= bound + 1e-9


@pytest.mark.parametrize(
    ("levels", "field"),
    [
        ({"ideal_s": 30.0, "standard_s": 30.0}, "standard_s"),
        ({"acceptable_s": 20.0}, "acceptable_s"),
        ({"tolerable_s": -1.0}, "tolerable_s"),
    ],
)
def test_expected_levels_must_rise(levels: dict[str, float], field: str) -> None:
    with pytest.raises(callsim.ScenarioError, match=field):
        expecting({"wait": levels})


def test_expectations_of_an_unknown_segment_are_rejected() -> None:
    with pytest.raises(callsim.ScenarioError, match=r"satisfaction\.expectations\.segments"):
        expecting({"segments": {"gold": VIP_LEVELS}})
