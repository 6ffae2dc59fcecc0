"""Money says what it is (a currency, and the horizon a sale's value is earned over), AHT splits
into talk, offer and wrap-up, and revenue per hour compares like with like.

Checked against hand-worked figures (fixed durations, offers that always sell) and against the
call records themselves, never against the KPI code's own arithmetic."""

# ruff: noqa: RUF001 (Chinese text uses full-width punctuation, as it should)

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

import callsim
from callsim.cli.commands import app
from callsim.errors import UserError
from callsim.experiment.compare import compare
from callsim.experiment.pairing import compare_results
from callsim.measure.catalogue import kpis_in
from callsim.measure.money import money_label, money_terms
from callsim.model.calllog import ANSWERED
from callsim.report import compare_report, run_report
from callsim.scenario import bundled
from callsim.scenario.files import ScenarioError, load_scenario

HOUR = 3600.0


def page_text(path: str) -> str:
    """A report page with its tags taken out: a column heading sets its bracketed definition
    in an element of its own, and the words are what is asserted."""
    return re.sub(r"<[^>]+>", "", Path(path).read_text(encoding="utf-8"))


# One hour of calls, every one offered the one product, which always sells: every figure below
# can be worked out by hand.
FIXED: dict[str, Any] = {
    "name": "fixed",
    "currency": "EUR",
    "horizon": {"interval_min": 30, "open": "08:00", "close": "09:00"},
    "arrivals": {"rate_per_hour": 40},
    "reasons": {"general": {"share": 1.0, "talk": {"dist": "fixed", "value_s": 100}}},
    "wrapup": {"dist": "fixed", "value_s": 20},
    "agents": {
        "groups": {
            "team": {
                "wage_per_hour": 30,
                "handle_time_factor": 1.5,  # talk 100 s becomes 150 s; pitch and wrap-up do not
                "trained_to_sell": True,
                "shifts": [{"start": "08:00", "end": "09:00", "count": 6}],
            }
        }
    },
    "products": {
        "card": {
            "value": 100,
            "value_basis": "yearly",
            "years": 3,
            "pitch": {"dist": "fixed", "value_s": 30},
            "conversion": 1.0,
        }
    },
    "selling": {"policy": {"kind": "always"}, "recommender": {"taste_cv": 0}},
    "outbound": {"dials_per_hour": 20, "contact_rate": 0.5, "conversion": 0.1},
}


def scenario(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(FIXED)
    data.update(changes)
    return data


@pytest.fixture(scope="module")
def fixed() -> callsim.SimulationResult:
    return callsim.simulate(FIXED, replications=3, seed=5, workers=1, keep_calls=True)


# -- AHT in three parts -------------------------------------------------------------------------


def test_aht_parts_are_the_drawn_durations_in_a_hand_checked_case(
    fixed: callsim.SimulationResult,
) -> None:
    per = fixed.per_replication
    assert (per["answered"] > 20).all()
    assert per["offers"].equals(per["answered"])  # every answered call was offered the card
    # talk 100 s × the group's factor 1.5, the pitch's 30 s and the wrap-up's 20 s, exactly.
    assert per["talk_time_s"].to_numpy() == pytest.approx(150.0, abs=1e-9)
    assert per["offer_time_s"].to_numpy() == pytest.approx(30.0, abs=1e-9)
    assert per["wrap_time_s"].to_numpy() == pytest.approx(20.0, abs=1e-9)
    assert per["aht_s"].to_numpy() == pytest.approx(200.0, abs=1e-9)
    iv = fixed.intervals
    for kpi, seconds in (("talk_time_s", 150), ("offer_time_s", 30), ("wrap_time_s", 20)):
        assert iv[f"{kpi}_mean"].to_numpy() == pytest.approx(seconds, abs=1e-9), kpi


TWO_GROUPS: dict[str, Any] = {
    "name": "two groups",
    "horizon": {"interval_min": 30, "open": "08:00", "close": "10:00"},
    "arrivals": {"rate_per_hour": 70},
    "reasons": {
        "bill": {"share": 0.6, "talk": {"dist": "lognormal", "mean_s": 180, "cv": 0.8}},
        "complaint": {
            "share": 0.4,
            "talk": {"dist": "exponential", "mean_s": 240},
            "wrapup": {"dist": "exponential", "mean_s": 60},
        },
    },
    "wrapup": {"dist": "lognormal", "mean_s": 25, "cv": 0.5},
    "customers": {"patience": {"dist": "exponential", "mean_s": 200}},
    "agents": {
        "groups": {
            "fast": {
                "handle_time_factor": 0.8,
                "trained_to_sell": True,
                "shifts": [{"start": "08:00", "end": "10:00", "count": 3}],
            },
            "slow": {
                "handle_time_factor": 1.3,
                "shifts": [{"start": "08:00", "end": "10:00", "count": 3}],
            },
        }
    },
    "products": {
        "plan": {
            "value": 50,
            "pitch": {"dist": "exponential", "mean_s": 60},
            "conversion": 0.3,
            "reasons": ["bill"],
        }
    },
    "selling": {"policy": {"kind": "always"}},
}


@pytest.mark.parametrize(
    "policy",
    [
        {"kind": "always"},  # trained agents sell on bill calls: pitches on some calls only
        {"kind": "talk_flex"},  # talk time changes with load: a third factor on talk alone
    ],
)
def test_aht_parts_match_the_call_records(policy: dict[str, Any]) -> None:
    """Talk is the drawn talk × the agent group's factor × the policy's flex; offer and wrap-up
    are the drawn pitch and wrap-up; calls not answered count in none of them."""
    data = {**TWO_GROUPS, "selling": {"policy": policy}}
    result = callsim.simulate(data, replications=2, seed=3, workers=1, keep_calls=True)
    assert result.calls is not None
    factor = {"fast": 0.8, "slow": 1.3}
    group_factor = np.array([factor[g] for g in result.agents["group"]])
    for r, calls in result.calls.groupby("replication"):
        answered = calls[calls["outcome"] == ANSWERED]
        assert len(answered) < len(calls)  # some hung up
        talk = answered["talk"] * group_factor[answered["agent"]] * answered["talk_factor"]
        if policy["kind"] == "talk_flex":
            assert answered["talk_factor"].nunique() > 1  # the flex did act
        else:
            assert (answered["pitch"] > 0).any() and (answered["pitch"] == 0).any()
        got = result.per_replication.loc[r]
        assert got["talk_time_s"] == pytest.approx(talk.mean())
        assert got["offer_time_s"] == pytest.approx(answered["pitch"].mean())
        assert got["wrap_time_s"] == pytest.approx(answered["wrap"].mean())
        assert got["selling_hours"] == pytest.approx(answered["pitch"].sum() / HOUR)
        parts = got["talk_time_s"] + got["offer_time_s"] + got["wrap_time_s"]
        assert parts == pytest.approx(got["aht_s"], rel=1e-12)
    iv = result.intervals
    parts = sum(iv[f"{k}_mean"] for k in ("talk_time_s", "offer_time_s", "wrap_time_s"))
    assert parts.to_numpy() == pytest.approx(iv["aht_s_mean"].to_numpy(), rel=1e-12)


# -- value over a stated horizon ----------------------------------------------------------------


def test_yearly_value_counts_its_years_in_revenue(fixed: callsim.SimulationResult) -> None:
    per = fixed.per_replication
    assert per["conversions"].equals(per["offers"])  # every offer sold
    assert np.array_equal(per["revenue"], 100 * 3 * per["conversions"])
    assert np.array_equal(per["net_contribution"], per["revenue"] - per["staff_cost"])
    # Six agents for an hour at 30 an hour, and time and a half for calls past the shift's end.
    overtime = 1.5 * 30 * per["overtime_hours"]
    assert per["staff_cost"].to_numpy() == pytest.approx((180 + overtime).to_numpy())
    # Outbound sells the same products valued the same way: 20 dials × 0.5 × 0.1 × 300.
    assert per["outbound_revenue_per_agent_hour"].to_numpy() == pytest.approx(300.0)
    once = callsim.simulate(
        scenario(
            products={
                "card": {**FIXED["products"]["card"], "value_basis": "one_off", "years": None}
            }
        ),
        replications=3,
        seed=5,
        workers=1,
    ).per_replication
    assert np.array_equal(once["conversions"], per["conversions"])  # the same callers
    assert np.array_equal(once["revenue"], 100 * once["conversions"])


def test_the_screen_ranks_products_by_their_value_over_the_horizon() -> None:
    """A yearly 100 over 3 years (300) outranks a one-off 200 on the screen's first place."""
    products = {
        "once": {
            **FIXED["products"]["card"],
            "value": 200,
            "value_basis": "one_off",
            "years": None,
        },
        "yearly": FIXED["products"]["card"],
    }
    data = scenario(products=products)
    data["selling"] = {"policy": {"kind": "always"}, "recommender": {"taste_cv": 0, "size": 1}}
    result = callsim.simulate(data, replications=1, seed=5, workers=1, keep_calls=True)
    assert result.calls is not None
    offered = result.calls.loc[result.calls["product"] >= 0, "product"]
    assert len(offered) > 20 and (offered == 1).all()


def test_value_basis_and_years_go_together() -> None:
    card = FIXED["products"]["card"]
    with pytest.raises(ScenarioError, match=r"products\.card: years: required with value_basis"):
        load_scenario(scenario(products={"card": {**card, "years": None}}))
    with pytest.raises(ScenarioError, match=r"products\.card: years: only with value_basis"):
        load_scenario(scenario(products={"card": {**card, "value_basis": "one_off"}}))
    with pytest.raises(ScenarioError, match=r"products\.card\.value_basis"):
        load_scenario(scenario(products={"card": {**card, "value_basis": "monthly"}}))
    with pytest.raises(ScenarioError, match=r"products\.card\.years"):
        load_scenario(scenario(products={"card": {**card, "years": 0}}))


# -- revenue per hour, like with like -----------------------------------------------------------


def test_revenue_per_selling_hour_is_revenue_over_selling_hours(
    fixed: callsim.SimulationResult,
) -> None:
    per = fixed.per_replication
    # Every answered call took a 30 s pitch.
    assert per["selling_hours"].to_numpy() == pytest.approx(per["answered"] * 30 / HOUR)
    assert per["revenue_per_selling_hour"].to_numpy() == pytest.approx(
        (per["revenue"] / per["selling_hours"]).to_numpy()
    )
    # 300 a sale, a sale per 30 s of selling: 36,000 per hour spent selling, whatever the load.
    assert per["revenue_per_selling_hour"].to_numpy() == pytest.approx(36_000.0)
    assert per["revenue_per_logged_in_hour"].to_numpy() == pytest.approx(
        (per["revenue"] / per["agent_hours"]).to_numpy()
    )
    assert (per["revenue_per_logged_in_hour"] < per["revenue_per_selling_hour"]).all()
    iv = fixed.intervals
    assert iv["selling_hours_mean"].sum() == pytest.approx(per["selling_hours"].mean())
    assert iv["revenue_per_selling_hour_mean"].to_numpy() == pytest.approx(36_000.0)


def test_a_rate_per_hour_without_any_hours_is_undefined() -> None:
    """No pitch time at all (a pitch of 0 s) gives no revenue per selling hour, not infinity."""
    card = {**FIXED["products"]["card"], "pitch": {"dist": "fixed", "value_s": 0}}
    per = callsim.simulate(
        scenario(products={"card": card}), replications=2, seed=5, workers=1
    ).per_replication
    assert (per["revenue"] > 0).all()
    assert per["revenue_per_selling_hour"].isna().all()


def test_outbound_is_compared_per_selling_hour() -> None:
    selling = kpis_in("selling")
    out = selling.index("outbound_revenue_per_agent_hour")
    assert selling[out - 1] == "revenue_per_selling_hour"
    assert "revenue_per_logged_in_hour" in selling
    terms = money_terms([load_scenario(FIXED)])
    assert money_label("outbound_revenue_per_agent_hour", "en", terms) == (
        "Outbound revenue per hour of calling, all of it selling (value over 3 years, EUR)"
    )
    assert money_label("revenue_per_selling_hour", "en", terms) == (
        "Revenue per hour spent selling (value over 3 years, EUR)"
    )
    assert money_label("revenue_per_logged_in_hour", "en", terms) == (
        "Revenue per logged-in agent-hour (value over 3 years, EUR)"
    )


# -- labels say what the money is ---------------------------------------------------------------


def test_labels_say_currency_and_basis_in_both_languages() -> None:
    terms = money_terms([load_scenario(FIXED)])
    assert money_label("revenue", "en", terms) == (
        "Revenue (value over 3 years of the day's sales, EUR)"
    )
    assert money_label("net_contribution", "en", terms) == (
        "Net contribution (value over 3 years of the day's sales − the day's staff cost, EUR)"
    )
    assert money_label("staff_cost", "en", terms) == "Staff cost (EUR)"
    assert money_label("revenue", "zh", terms) == "营收（当日成交在 3 年内的价值，EUR）"
    assert money_label("net_contribution", "zh", terms) == (
        "净贡献（当日成交在 3 年内的价值 − 当日人力成本，EUR）"
    )
    assert money_label("aht_s", "en", terms) == "AHT"
    # Products on both bases, over a week, and no currency: none is invented.
    card = FIXED["products"]["card"]
    mixed = scenario(
        currency=None,
        horizon={**FIXED["horizon"], "days": 7},
        products={
            "card": card,
            "alerts": {**card, "value_basis": "one_off", "years": None},
            "plan": {**card, "years": 1},
        },
    )
    terms = money_terms([load_scenario(mixed)])
    assert money_label("revenue", "en", terms) == (
        "Revenue (value of the 7 days' sales, one-off or over 1 or 3 years by product)"
    )
    assert money_label("staff_cost", "en", terms) == "Staff cost"
    assert (
        money_label("revenue", "zh", terms)
        == "营收（7 天内成交按产品计一次性或 1 或 3 年内的价值）"
    )
    assert money_label("net_contribution", "zh", terms).endswith("− 7 天内人力成本）")


def test_the_cli_table_says_what_the_money_is(tmp_path: Path) -> None:
    path = tmp_path / "fixed.yaml"
    path.write_text(yaml.safe_dump(FIXED), encoding="utf-8")
    result = CliRunner().invoke(app, ["run", str(path), "-r", "2", "-w", "1"])
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.replace("│", " ").split())
    for text in (
        "Revenue (value over 3 years of the day's sales, EUR)",
        "Net contribution (value over 3 years of the day's sales − the day's staff cost, EUR)",
        "Staff cost (EUR)",
        "AHT 200.0 s",
        "Talk time (per answered call) 150.0 s",
        "Offer time (per answered call) 30.0 s",
        "Wrap-up time (per answered call) 20.0 s",
    ):
        assert text in out, text


def test_chinese_report_names_the_currency_and_invents_none(
    fixed: callsim.SimulationResult,
) -> None:
    page = run_report(fixed, lang="zh")
    assert "EUR" in page and "¥" not in page and "￥" not in page
    assert "营收（当日成交在 3 年内的价值，EUR）" in page
    assert "人力成本（EUR）" in page
    english = run_report(fixed, lang="en")
    assert "Revenue (value over 3 years of the day&#x27;s sales, EUR)" in english
    assert "¥" not in english


# -- currency ------------------------------------------------------------------------------------


@pytest.mark.parametrize("currency", ["eur", "EURO", "RMB", "12", 978, ""])
def test_a_malformed_currency_is_refused_in_one_line(tmp_path: Path, currency: object) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(scenario(currency=currency)), encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.stderr
    assert f"{path}: currency: " in " ".join(result.stderr.split())


def test_the_yuan_is_cny() -> None:
    with pytest.raises(ScenarioError, match="code is CNY"):
        load_scenario(scenario(currency="RMB"))
    with pytest.raises(ScenarioError, match="did you mean CNY"):
        load_scenario(scenario(currency="cny"))
    assert load_scenario(scenario(currency="CNY")).currency == "CNY"


def test_plans_in_different_currencies_are_not_compared(
    fixed: callsim.SimulationResult,
) -> None:
    cny = callsim.simulate(scenario(currency="CNY"), replications=3, seed=5, workers=1)
    with pytest.raises(
        UserError, match="currency: plan 'cny' counts money in CNY but 'eur' in EUR"
    ):
        compare_results({"eur": fixed, "cny": cny})
    with pytest.raises(UserError, match="currency"):
        compare({"eur": load_scenario(FIXED), "none": load_scenario(scenario(currency=None))})
    same = compare_results({"a": fixed, "b": fixed})
    assert "营收（当日成交在 3 年内的价值，EUR）" in compare_report(same, lang="zh")


def test_bundled_scenarios_count_in_yuan() -> None:
    root = bundled.root()
    for name in ("credit_card_hotline.yaml", "utility_hotline_24h.yaml", "policies/always.yaml"):
        plan = load_scenario(root / name)
        assert plan.currency == "CNY", name
        assert all(p.value_basis == "yearly" and p.years for p in plan.products.values()), name


def test_a_sweep_is_in_one_currency(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("plan.yaml").write_text(yaml.safe_dump(FIXED), encoding="utf-8")
    args = ["sweep", "plan.yaml", "-p", "currency=EUR,CNY", "-r", "2", "-w", "1"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and "--param currency: " in result.stderr


def test_a_swept_horizon_of_value_is_labelled_from_every_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read back from its results directory, a sweep of a product's years still says that its
    revenue is the value over 1 or 3 years: the points are rebuilt from the points table."""
    monkeypatch.chdir(tmp_path)
    Path("plan.yaml").write_text(yaml.safe_dump(FIXED), encoding="utf-8")
    args = ["sweep", "plan.yaml", "-p", "products.card.years=1,3", "-r", "2", "-w", "1"]
    assert CliRunner().invoke(app, [*args, "--out", "sw"]).exit_code == 0
    page = page_text("sw/report.html")
    assert "Revenue (value over 1 or 3 years of the day&#x27;s sales, EUR)" in page
    assert CliRunner().invoke(app, ["report", "sw", "--lang", "zh"]).exit_code == 0
    page = page_text("sw/report.html")
    assert "净贡献（当日成交在 1 或 3 年内的价值 − 当日人力成本，EUR）" in page
