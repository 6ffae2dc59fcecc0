# ruff: noqa: RUF001 (Chinese text uses full-width punctuation, as it should)

"""What a sale is worth: the customer-years it keeps, in closed form against a worked example
and numerical integration, counted per sale from the products the customer held, labelled, and
weighed by the marketing screen for this customer's segment."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from helpers import merge
from scipy.integrate import quad

import callsim
from callsim.experiment.pairing import compare_results
from callsim.experiment.runner import simulate_many
from callsim.measure.catalogue import kpis_in
from callsim.measure.money import money_label, money_terms
from callsim.model.calllog import CallLog
from callsim.model.demand import draw_demand
from callsim.model.offers import SalesDesk
from callsim.model.replication import run_model
from callsim.model.streams import streams
from callsim.model.timegrid import time_grid
from callsim.scenario.retention import Retention, customer_years
from callsim.scenario.schema import Scenario

# SPEC §1: half of single-product customers leave within a year, under 1% a year of those also
# holding a mortgage and a card; the 10% for two products is made up for the tests.
CHURN = [0.5, 0.1, 0.01]
RETENTION = {"churn_per_year": CHURN, "value_per_customer_year": 200, "horizon_years": 3}
# Worked by hand (log and powers on a pocket calculator), over 3 years:
#   one product:   λ = ln 2 = 0.693147,       Y = (1 − 0.5³) / λ = 0.875 / 0.693147 = 1.262358
#   two products:  λ = −ln 0.9 = 0.1053605,   Y = (1 − 0.9³) / λ = 0.271 / 0.1053605 = 2.572121
#   three:         λ = −ln 0.99 = 0.01005034, Y = (1 − 0.99³) / λ = 0.029701 / 0.01005034 = 2.955225
# A first sale (one product to two) keeps 1.309763 customer-years, worth 261.95 at 200 a year;
# a second (two to three) 0.383104, worth 76.62; a third adds nothing (the last entry holds on).
BY_HAND = {1: 261.95, 2: 76.62, 3: 0.0}

BASE: dict[str, Any] = {
    "name": "retention",
    "horizon": {"interval_min": 30, "open": "08:00", "close": "12:00"},
    "arrivals": {"rate_per_hour": 90},
    "reasons": {"bill": {"share": 1.0, "talk": {"dist": "exponential", "mean_s": 150}}},
    "customers": {
        "segments": {"regular": {"share": 0.7}, "vip": {"share": 0.3}},
        "patience": {"dist": "exponential", "mean_s": 300},
    },
    "agents": {
        "groups": {
            "team": {
                "wage_per_hour": 30,
                "trained_to_sell": True,
                "shifts": [{"start": "08:00", "end": "12:00", "count": 5}],
            }
        }
    },
    # Expected values without retention: big 100 × 0.1 = 10, small 20 × 0.4 = 8: big first.
    "products": {
        "big": {"value": 100, "conversion": 0.1, "pitch": {"dist": "fixed", "value_s": 60}},
        "small": {"value": 20, "conversion": 0.4, "pitch": {"dist": "fixed", "value_s": 60}},
    },
    "selling": {
        "policy": {"kind": "always"},
        "recommender": {"size": 2, "rule": "top", "taste_cv": 0.0},
        "contact_rules": {"max_offers": 10, "cooldown_after_refusal_days": 0.0},
    },
}
BIG, SMALL = 0, 1
REGULAR, VIP = 0, 1


def scenario(over: dict[str, Any] | None = None) -> Scenario:
    return callsim.load_scenario(merge(BASE, {"retention": RETENTION, **(over or {})}))


# -- the closed form ------------------------------------------------------------------------


def test_a_sales_retention_value_is_the_worked_example() -> None:
    r = Retention.model_validate(RETENTION)
    for held, value in BY_HAND.items():
        assert r.sale_value(held) == pytest.approx(value, abs=0.01), held
    assert r.sale_value(1, 3.0) == pytest.approx(3 * 261.95, abs=0.03)
    assert r.churn(7) == 0.01  # the last entry holds for more products


@pytest.mark.parametrize("churn", [0.0, 1e-9, 0.01, 0.3, 0.5, 0.999, 1.0])
@pytest.mark.parametrize("years", [0.5, 1.0, 3.0, 20.0])
def test_customer_years_integrate_the_yearly_survival(churn: float, years: float) -> None:
    # Survival after t years is (1 − churn)^t: its integral, numerically, with no hazard.
    expected = 0.0 if churn == 1.0 else quad(lambda t: (1 - churn) ** t, 0, years)[0]
    assert customer_years(churn, years) == pytest.approx(expected, rel=1e-9, abs=1e-12)


# -- counted per sale -----------------------------------------------------------------------


def test_with_new_customers_every_sale_keeps_a_first_sales_worth() -> None:
    # Every first call a new customer holding only their account: each sale takes them from
    # one product to two, worth 261.95 a regular's and three times that a VIP's.
    plan = scenario({"retention": {**RETENTION, "segment_value": {"vip": 3.0}}})
    result = callsim.simulate(plan, replications=3, seed=4, workers=1, keep_calls=True)
    assert result.calls is not None
    for r, calls in result.calls.groupby("replication"):
        sold = calls[calls["converted"] == 1]
        regular = int((sold["segment"] == REGULAR).sum())
        vip = int((sold["segment"] == VIP).sum())
        assert regular > 10 and vip > 3
        got = result.per_replication.loc[r]
        by_hand = (regular + 3 * vip) * 261.9526
        assert got["retention_value"] == pytest.approx(by_hand, rel=1e-4)
        assert got["net_contribution_with_retention"] == pytest.approx(
            got["net_contribution"] + got["retention_value"]
        )
    by_segment = result.slices["segment"].set_index("segment")["retention_value_mean"]
    assert by_segment.sum() == pytest.approx(result.kpi("retention_value")["mean"])


def test_the_holdings_at_each_sale_are_those_before_and_bought_since() -> None:
    # Customers called again (a population of 150) and holding products already: the count
    # each sale is priced at, against a plain loop over the sales in the order they happened.
    plan = scenario(
        {
            "products": {
                "big": {"owned_share": 0.3},
                "small": {"owned_share": 0.5},
                "third": {
                    "value": 50,
                    "conversion": 0.3,
                    "owned_share": 0.2,
                    "pitch": {"dist": "fixed", "value_s": 60},
                },
            },
            "horizon": {"days": 3},
            "selling": {"population": 150},
        }
    )
    run = run_model(plan, 9, 0)
    assert run.held_at_sales is not None
    rng = streams(9, 0)
    desk = SalesDesk(plan, rng["offers"], rng["history"])
    calls = pd.DataFrame(run.calls.columns())
    sold = calls[calls["converted"] == 1].copy()
    sold["at"] = sold["end"] - sold["pitch"] - sold["wrap"]
    bought: dict[int, int] = {}
    repeat_buyers = 0
    for row in sold.sort_values("at").itertuples():
        customer = int(row.customer)
        before = sum(desk._held_before(customer, k) for k in range(3))
        repeat_buyers += customer in bought
        assert run.held_at_sales[row.Index] == before + bought.get(customer, 0), row.Index
        bought[customer] = bought.get(customer, 0) + 1
    assert repeat_buyers > 10
    assert set(np.unique(run.held_at_sales[sold.index])) >= {0, 1, 2}
    assert (np.delete(run.held_at_sales, sold.index.to_numpy()) == -1).all()


def test_without_retention_nothing_is_priced_and_the_run_is_unchanged() -> None:
    plain = callsim.load_scenario(BASE)
    assert run_model(plain, 2, 0).held_at_sales is None
    result = callsim.simulate(plain, replications=2, seed=2, workers=1)
    assert result.per_replication["retention_value"].isna().all()
    assert result.per_replication["net_contribution_with_retention"].isna().all()


# -- the marketing screen -------------------------------------------------------------------


def test_customer_value_by_segment_changes_what_the_screen_ranks_first() -> None:
    # With a customer-year worth G to this customer, big is worth 0.1 × (100 + G) and small
    # 0.4 × (20 + G): small comes first once G > 6.67. A first sale keeps 1.3097 customer-years:
    # at 200 × 0.01 a year (G = 2.6) big stays first; at 200 × 1 (G = 262) small does.
    plan = scenario({"retention": {**RETENTION, "segment_value": {"regular": 0.01}}})
    rng = streams(1, 0)
    desk = SalesDesk(plan, rng["offers"], rng["history"])
    assert desk.recommend(5, 0, REGULAR, 0.0) == [BIG, SMALL]
    assert desk.recommend(5, 0, VIP, 0.0) == [SMALL, BIG]
    # A VIP holding big already: the next sale keeps 0.3831 years (G = 76.6), small still
    # first; and with nothing worth keeping the screen ranks by price as before.
    owns_big = {"products": {"big": {"owned_share": 1.0}}}
    held = SalesDesk(scenario(owns_big), rng["offers"], rng["history"])
    assert held.recommend(5, 0, VIP, 0.0) == [SMALL]
    flat = scenario({"retention": {**RETENTION, "value_per_customer_year": 0}})
    assert SalesDesk(flat, rng["offers"], rng["history"]).recommend(5, 0, VIP, 0.0) == [BIG, SMALL]


def test_the_screen_offers_vips_the_product_that_keeps_them() -> None:
    plan = scenario({"retention": {**RETENTION, "segment_value": {"regular": 0.01}}})
    result = callsim.simulate(plan, replications=2, seed=3, workers=1, keep_calls=True)
    assert result.calls is not None
    offered = result.calls[result.calls["product"] >= 0]
    by_segment = offered.groupby("segment")["product"].unique()
    assert by_segment[REGULAR].tolist() == [BIG]
    assert by_segment[VIP].tolist() == [SMALL]


@pytest.mark.parametrize("rule", ["top", "fit", "weighted"])
def test_first_contacts_from_the_table_agree_with_the_general_path(rule: str) -> None:
    over = {
        "products": {
            "big": {"owned_share": 0.2},
            "small": {"owned_share": 0.2},
            "third": {
                "value": 50,
                "conversion": 0.3,
                "owned_share": 0.4,
                "pitch": {"dist": "fixed", "value_s": 60},
            },
        },
        "selling": {"population": 200, "recommender": {"rule": rule, "taste_cv": 0.5}},
        # A VIP's first sale keeps 13.1 (third, small, big), a second 3.8 (third, big, small):
        # the screen depends on what the customer holds.
        "retention": {**RETENTION, "segment_value": {"regular": 0.01, "vip": 0.05}},
    }
    plan = scenario(over)
    rng = streams(6, 0)
    levels = SalesDesk(plan, rng["offers"], rng["history"])
    assert levels.ranked[VIP * levels.levels] != levels.ranked[VIP * levels.levels + 1]
    rng = streams(6, 0)
    demand = draw_demand(plan, time_grid(plan), rng)
    calls = CallLog(demand, 0)
    table = SalesDesk(plan, rng["offers"], rng["history"], callers=demand)
    rng = streams(6, 0)
    general = SalesDesk(plan, rng["offers"], rng["history"])
    offers = 0
    for row in range(len(demand)):
        got = table.pitch_call(calls, row, 1.0, 60.0 * row)
        assert got == general.pitch_call(calls, row, 1.0, 60.0 * row), row
        offers += got is not None
    assert offers > 50


def test_plans_that_value_retention_are_compared_on_it() -> None:
    # Twice the agents on the same callers: the same sales are made, or nearly, so the paired
    # difference in retention value is much narrower than the unpaired one.
    plan = scenario()
    more = plan.model_copy(
        update={"name": "more", "agents": plan.agents.model_copy(update={"scale": 2.0})}
    )
    a, b = simulate_many([plan, more], replications=8, seed=5)
    table = compare_results({"base": a, "more": b}).table.set_index(["kpi", "plan"])
    row = table.loc[("retention_value", "more")]
    assert (
        row["diff_ci_high"] - row["diff_ci_low"] < row["unpaired_ci_high"] - row["unpaired_ci_low"]
    )
    net = table.loc[("net_contribution_with_retention", "more")]
    plain = table.loc[("net_contribution", "more")]
    assert net["diff"] == pytest.approx(plain["diff"] + row["diff"])
    # A plan that does not value retention has no such figure to compare.
    without = simulate_many([callsim.load_scenario(BASE), plan], replications=2, seed=5)
    kpis = set(compare_results(dict(zip(("plain", "kept"), without, strict=True))).table["kpi"])
    assert "net_contribution" in kpis and not kpis & set(kpis_in("needs_retention"))


# -- words and bad input --------------------------------------------------------------------


def test_labels_say_what_the_retention_figures_count() -> None:
    plan = scenario()
    terms = money_terms([plan.model_copy(update={"currency": "CNY"})])
    en = money_label("retention_value", "en", terms)
    assert en == (
        "Retention value (customer-years the day's sales keep over 3 years × value per year, CNY)"
    )
    net = money_label("net_contribution_with_retention", "en", terms)
    assert net.startswith("Net contribution with retention (one-off revenue of the day's sales")
    assert "+ their retention value over 3 years − the day's staff cost, CNY" in net
    assert money_label("retention_value", "zh", terms).startswith("留存价值（当日成交在 3 年内")
    without = money_terms([callsim.load_scenario(BASE)])
    assert money_label("retention_value", "en", without) == (
        "Retention value (customer-years the sales keep × their value)"
    )


@pytest.mark.parametrize(
    ("retention", "fragment"),
    [
        ({**RETENTION, "churn_per_year": []}, "retention.churn_per_year"),
        ({**RETENTION, "churn_per_year": [0.5, 1.5]}, "retention.churn_per_year.1"),
        ({**RETENTION, "horizon_years": 0}, "retention.horizon_years"),
        ({**RETENTION, "horizon_years": 500}, "retention.horizon_years"),
        ({**RETENTION, "value_per_customer_year": -1}, "retention.value_per_customer_year"),
        ({**RETENTION, "segment_value": {"gold": 2}}, "unknown segment 'gold'"),
        ({"churn_per_year": CHURN, "horizon_years": 3}, "retention.value_per_customer_year"),
    ],
)
def test_a_bad_retention_section_names_the_field(retention: dict, fragment: str) -> None:
    with pytest.raises(callsim.ScenarioError) as info:
        callsim.load_scenario(merge(BASE, {"retention": retention}))
    message = str(info.value)
    assert fragment in message and "\n" not in message, message
