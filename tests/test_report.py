"""HTML reports: one self-contained file, every expected chart, planners' names shown literally
and never able to break out of the page, and a complete Chinese translation."""

from __future__ import annotations

import base64
import html
import json
import math
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import callsim
from callsim.experiment.compare import compare
from callsim.experiment.results import SimulationResult
from callsim.measure.catalogue import CATALOGUE, fmt, kpis_in, unit
from callsim.measure.money import money_label, money_terms
from callsim.planning.isa import IsaResult, isa_requirement
from callsim.planning.plan import Plan, plan_policies
from callsim.planning.schedule import Schedule, build_schedule
from callsim.planning.sizing import Target
from callsim.report import (
    compare_report,
    expected_charts,
    plan_report,
    run_report,
    schedule_report,
    staff_report,
    sweep_report,
)
from callsim.report.charts import NARROW_TITLE, cells, legend_text, narrow_titles, wrap_cells
from callsim.report.html import table
from callsim.report.i18n import EN, ZH, Words
from callsim.report.plans import chart_name, headline_kpis, tick_label
from callsim.scenario.files import load_scenario
from callsim.scenario.schema import Scenario

DATA = Path(__file__).parent / "data"
NAME = 'Tiny <b>&"q"</script><script>alert(1)</script>'
GROUP = '</script><script>alert(1)</script> & "x"'
PRODUCT = "<card & co>"
REASON = 'bill "<&>"'


def selling_scenario(name: str = NAME, policy: dict | None = None) -> Scenario:
    """Two days of two hours: small, but with the day in the interval labels."""
    return load_scenario(
        {
            "name": name,
            "horizon": {"days": 2, "interval_min": 30, "open": "08:00", "close": "10:00"},
            "arrivals": {"rate_per_hour": 50},
            "reasons": {REASON: {"share": 1.0, "talk": {"dist": "exponential", "mean_s": 180}}},
            "customers": {"patience": {"dist": "exponential", "mean_s": 300}},
            "agents": {
                "groups": {
                    GROUP: {
                        "wage_per_hour": 20,
                        "trained_to_sell": True,
                        "shifts": [{"start": "08:00", "end": "10:00", "count": 3}],
                    },
                    "juniors": {
                        "wage_per_hour": 15,
                        "trained_to_sell": True,
                        "sales_skill": 0.6,
                        "shifts": [{"start": "08:00", "end": "10:00", "count": 3}],
                    },
                }
            },
            "products": {
                PRODUCT: {
                    "value": 100,
                    "kpi_weight": 2,
                    "pitch": {"dist": "exponential", "mean_s": 60},
                    "conversion": 0.3,
                }
            },
            "selling": {
                "policy": policy
                or {"kind": "load_toggle", "signal": "queue", "on_at": 0, "off_at": 2},
                "contact_rules": {"max_offers": 100, "cooldown_after_refusal_days": 0},
            },
        }
    )


@pytest.fixture(scope="module")
def selling() -> SimulationResult:
    return callsim.simulate(selling_scenario(), replications=3, seed=7, workers=1)


@pytest.fixture(scope="module")
def plain() -> SimulationResult:
    return callsim.simulate(DATA / "small.yaml", replications=3, seed=7, workers=1)


@pytest.fixture(scope="module")
def comparison() -> Any:
    plans = {
        "toggle </script><script>alert(1)</script>": selling_scenario("toggle"),
        'never "sell"': selling_scenario("never", {"kind": "never"}),
        "always": selling_scenario("always", {"kind": "always"}),
    }
    return compare(plans, replications=3, seed=7, workers=1)


def fake_sweep(best: bool = True) -> SimpleNamespace:
    """The shape ``callsim.sweep.Sweep`` has, built by hand: the report must not need more."""
    rows = []
    for k, (kind, scale) in enumerate([("<a&b>", 0.9), ("<a&b>", 1.1), ("c", 0.9), ("c", 1.1)]):
        row: dict[str, Any] = {"selling.policy.kind": kind, "agents.scale": scale}
        row.update(agents=5 + k, verdict="met" if k > 1 else "missed")
        for kpi in ("paid_hours", *kpis_in("compare")):
            mean = 0.6 + 0.1 * k if unit(kpi) == "pct" else 100.0 * (k + 1)
            row.update({f"{kpi}_mean": mean, f"{kpi}_ci_low": mean * 0.9})
            row[f"{kpi}_ci_high"] = mean * 1.1
        rows.append(row)
    points = pd.DataFrame(rows)
    points["frontier"] = [False, False, True, True]
    points["best"] = [False, False, False, best]
    return SimpleNamespace(
        points=points,
        params=["selling.policy.kind", "agents.scale"],
        base=selling_scenario(),
        seed=7,
        replications=3,
        created="2025-01-01T00:00:00+00:00",
        pick="confident",
    )


class Scripts(HTMLParser):
    """Every ``<script>`` as the browser would split the page: (attributes, text)."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._open: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self._open = dict(attrs)
            self.scripts.append((self._open, ""))

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._open = None


def scripts(page: str) -> list[tuple[dict[str, str | None], str]]:
    parser = Scripts()
    parser.feed(page)
    return parser.scripts


def charts(page: str) -> list[str]:
    return re.findall(r'<figure [^>]*data-chart="([^"]+)"', page)


def chart_data(page: str, name: str) -> dict:
    match = re.search(
        rf'data-chart="{name}".*?<script type="application/json" class="chart-data">(.*?)</script>',
        page,
        flags=re.S,
    )
    assert match, name
    return json.loads(match.group(1))


def points(values: list | dict) -> int:
    """How many values a trace holds; plotly writes numeric arrays as base64 ``bdata``."""
    if isinstance(values, dict):
        return len(base64.b64decode(values["bdata"])) // int(values["dtype"][1:])
    return len(values)


def assert_self_contained(page: str) -> None:
    """No element loads anything; plotly.js's own code (which mentions URLs) is left out of
    the search, the page's markup and styles are not."""
    assert page.startswith("<!DOCTYPE html>")
    markup = re.sub(r"(<script[^>]*>).*?(</script>)", r"\1\2", page, flags=re.S | re.I)
    assert markup.count("<html") == 1 and markup.rstrip().endswith("</html>")
    assert not re.search(r"<(script|img|iframe|embed|object)[^>]*\ssrc=", markup, flags=re.I)
    assert not re.search(r"<link\b", markup, flags=re.I)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", markup, flags=re.I)
    assert not re.search(r"@import|url\(", markup, flags=re.I)
    code = [text for attrs, text in scripts(page) if attrs.get("type") == "text/javascript"]
    assert len(code) == 2, "plotly.js once, and the one script that draws the charts"
    assert sum("plotly.js v" in text for text in code) == 1


def assert_cannot_break_out(page: str) -> None:
    """A name holding ``</script><script>`` stays data: every JSON block parses, and no script
    but the two of the page runs."""
    found = scripts(page)
    for attrs, text in found:
        if attrs.get("type") == "application/json":
            json.loads(text)
        else:
            assert attrs.get("type") == "text/javascript", attrs
            assert "alert(1)" not in text
    assert len(found) == 2 + 1 + len(charts(page))  # code, setup, one block per chart


# -- the chart catalogue ------------------------------------------------------------------------


def test_expected_charts_per_kind() -> None:
    assert expected_charts("run") == [
        "staffing",
        "offered",
        "service_level",
        "asa",
        "abandonment",
        "occupancy",
        "queue",
        "sl_spread",
        "wait_distribution",
        "service_level_by_slice",
        "asa_s_by_slice",
    ]
    assert expected_charts("run", has_selling=True)[-4:] == [
        "offers_conversions",
        "revenue",
        "products",
        "agent_scores",
    ]
    assert expected_charts("run", has_selling=True, has_switch=True)[-5:] == [
        "offers_conversions",
        "revenue",
        "products",
        "switch_signal",
        "agent_scores",
    ]
    assert expected_charts("compare") == [
        "diff_service_level",
        "diff_abandon_rate",
        "diff_asa_s",
        "diff_money",
        "diff_occupancy",
        "plans_service_level",
    ]
    assert expected_charts("sweep") == ["frontier"]
    with pytest.raises(ValueError, match="report kind"):
        expected_charts("pie")


# -- run ----------------------------------------------------------------------------------------


def test_run_report_is_one_self_contained_page(selling: SimulationResult) -> None:
    page = run_report(selling)
    assert_self_contained(page)
    assert charts(page) == expected_charts("run", has_selling=True, has_switch=True)
    assert 'data-report="run"' in page and 'lang="en"' in page


def test_run_report_without_products_has_no_selling_charts(plain: SimulationResult) -> None:
    page = run_report(plain)
    assert_self_contained(page)
    assert charts(page) == expected_charts("run", has_selling=False)
    assert 'id="selling"' not in page


def test_every_chart_carries_plotly_white_as_flat_charts_read_it(selling: SimulationResult) -> None:
    """The page holds each chart's template in its JSON. The whole plotly_white (colour
    scales, 3-D, maps, two dozen trace types) was 7 KB a chart, most of a report's size and
    of the time to build its charts; what lines and bars read of it must stay plotly_white's
    own, word for word."""
    import plotly.io as pio

    white = pio.templates["plotly_white"].to_plotly_json()
    page = run_report(selling)
    for name in charts(page):
        template = chart_data(page, name)["layout"]["template"]
        assert len(json.dumps(template)) < 1500, name
        assert set(template["data"]) == {"bar", "scatter"}
        for trace, defaults in template["data"].items():
            assert defaults == white["data"][trace]
        for key in ("plot_bgcolor", "paper_bgcolor", "xaxis", "yaxis", "colorway", "font"):
            assert template["layout"][key] == white["layout"][key], (name, key)
        assert set(template["layout"]) <= set(white["layout"])


def test_names_are_escaped_and_cannot_break_out(selling: SimulationResult) -> None:
    page = run_report(selling)
    assert NAME not in page
    assert "<script>alert(1)" not in page
    assert html.escape(NAME) in page
    assert html.escape(GROUP) in page  # agent-group table
    assert html.escape(PRODUCT) in page and html.escape(REASON) in page  # scenario YAML
    assert_cannot_break_out(page)
    bars = chart_data(page, "agent_scores")["data"]
    assert [t["name"] for t in bars] == [legend_text(GROUP), "juniors"]


def test_headline_and_intervals(selling: SimulationResult) -> None:
    page = run_report(selling)
    verdict = selling.verdict
    assert f'data-verdict="{verdict}"' in page
    for kpi in ("service_level", "asa_s", "abandon_rate", "occupancy", "revenue"):
        assert f'data-kpi="{kpi}"' in page
    assert Words("en").number("service_level", selling.kpi("service_level")["mean"]) in page
    x = chart_data(page, "service_level")["data"][-1]["x"]
    assert x[:2] == ["D1 08:00", "D1 08:30"] and x[-1] == "D2 09:30"
    assert "<details>" in page and f"callsim version</dt><dd>{callsim.__version__}" in page


def test_one_replication_has_no_intervals_but_builds(plain: SimulationResult) -> None:
    result = callsim.simulate(DATA / "small.yaml", replications=1, seed=7, workers=1)
    page = run_report(result)
    assert charts(page) == expected_charts("run")
    assert "–" in page


# -- languages ----------------------------------------------------------------------------------


def test_chinese_report(selling: SimulationResult) -> None:
    page = run_report(selling, lang="zh")
    assert 'lang="zh-CN"' in page
    for word in ("服务水平", "平均应答速度", "放弃率", "占用率", "营销开关", ZH["headline"]):
        assert word in page
    for english in (EN["headline"], EN["intervals"], EN["chart_asa"], "Service level"):
        assert english not in page
    assert "¥" not in page  # the scenario names no currency: none is invented
    assert charts(page) == expected_charts("run", has_selling=True, has_switch=True)


def test_every_word_and_kpi_is_translated() -> None:
    assert set(ZH) == set(EN)
    assert all(v.strip() for v in [*ZH.values(), *(k.label_zh for k in CATALOGUE.values())])


def test_numbers_per_locale() -> None:
    en, zh = Words("en"), Words("zh")
    for kpi, value in [
        ("service_level", 0.8523),
        ("asa_s", 12.34),
        ("offered", 1234.5),
        ("offered", 12.34),
        ("agent_hours", 1234.56),
        ("revenue", 1234.5),
        ("mean_queue", 1234.5),
    ]:
        assert en.number(kpi, value) == fmt(kpi, value)
    assert en.number("service_level", 0.852) == zh.number("service_level", 0.852) == "85.2%"
    assert zh.number("revenue", 1234.5) == "1,234" and zh.number("revenue", -1234.5) == "-1,234"
    assert zh.number("asa_s", 12.34) == "12.3 秒"
    assert en.difference("service_level", 0.023) == "+2.3 pp"
    assert en.difference("asa_s", -4.0) == "-4.0 s"
    assert en.number("asa_s", math.nan) == "–"
    with pytest.raises(ValueError, match="language"):
        Words("fr")
    with pytest.raises(ValueError, match="language"):
        run_report(None, lang="fr")  # type: ignore[arg-type]


# -- compare and sweep --------------------------------------------------------------------------


def test_compare_report(comparison: Any) -> None:
    page = compare_report(comparison)
    assert_self_contained(page)
    assert_cannot_break_out(page)
    assert charts(page) == expected_charts("compare")
    for plan in comparison.results:
        assert html.escape(plan) in page
    assert "toggle </script>" not in page
    assert 'data-verdict="baseline"' in page
    verdicts = set(comparison.table["verdict"])
    for verdict in verdicts:
        assert f'data-verdict="{verdict}"' in page
    lines = chart_data(page, "plans_service_level")["data"]
    assert {t["name"] for t in lines if "name" in t} == {legend_text(p) for p in comparison.results}
    zh = compare_report(comparison, lang="zh")
    assert "与基准方案的配对差异" in zh and "基准" in zh
    assert charts(zh) == expected_charts("compare")


def test_sweep_report_from_a_fake_sweep() -> None:
    sweep = fake_sweep()
    page = sweep_report(sweep)
    assert_self_contained(page)
    assert_cannot_break_out(page)
    assert charts(page) == expected_charts("sweep")
    assert "<a&b>" not in page and "&lt;a&amp;b&gt;" in page
    assert html.escape(NAME) in page and NAME not in page
    assert page.count('class="frontier best"') == 1
    traces = chart_data(page, "frontier")["data"]
    assert [points(t["x"]) for t in traces] == [4, 2, 1]
    assert "selling.policy.kind=c, agents.scale=1.1" in page
    zh = sweep_report(sweep, lang="zh")
    assert "有效前沿" in zh and charts(zh) == expected_charts("sweep")


def test_sweep_without_a_best_point_says_so() -> None:
    page = sweep_report(fake_sweep(best=False))
    assert EN["no_best"] in page
    assert charts(page) == expected_charts("sweep")


# -- too few replications ---------------------------------------------------------------------


def few_note(page: str, words: dict[str, str], replications: int) -> bool:
    """Whether the page warns of too few replications, before its first section."""
    text = html.escape(words["few_replications"].format(n=replications, min=5))
    if text not in page:
        return False
    assert page.index(text) < page.index("<section"), "the warning comes first"
    return True


@pytest.fixture(scope="module")
def five() -> tuple[SimulationResult, Any]:
    """A run and a comparison of five replications: enough for an interval."""
    run = callsim.simulate(DATA / "small.yaml", replications=5, seed=7, workers=1)
    plans = {"a": selling_scenario("a"), "b": selling_scenario("b", {"kind": "never"})}
    return run, compare(plans, replications=5, seed=7, workers=1)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_too_few_replications_are_said_first(
    selling: SimulationResult, comparison: Any, five: tuple[SimulationResult, Any], lang: str
) -> None:
    words = ZH if lang == "zh" else EN
    assert selling.replications == 3
    assert few_note(run_report(selling, lang), words, 3)
    assert few_note(compare_report(comparison, lang), words, 3)
    assert few_note(sweep_report(fake_sweep(), lang), words, 3)
    run, pair = five
    assert 'id="few-replications"' not in run_report(run, lang)
    assert 'id="few-replications"' not in compare_report(pair, lang)


# -- what is drawn is what the results say ----------------------------------------------------


def values(data: list | dict) -> np.ndarray:
    """A trace's numbers, from a list or plotly's base64 ``bdata``."""
    if isinstance(data, dict):
        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"]).astype(float)
    return np.asarray(data, dtype=float)


def band(page: str, chart: str, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The mean line called ``name`` in a band chart, and its band's upper and lower edges
    (the two traces drawn before it)."""
    traces = chart_data(page, chart)["data"]
    k = next(i for i, t in enumerate(traces) if t.get("name") == legend_text(name))
    return values(traces[k]["y"]), values(traces[k - 2]["y"]), values(traces[k - 1]["y"])


def card_value(page: str, kpi: str) -> str:
    match = re.search(
        rf'data-kpi="{kpi}"><div class="label">.*?<div class="value">(.*?)</div>', page
    )
    assert match, kpi
    return html.unescape(match.group(1))


def test_run_report_draws_the_results_tables(selling: SimulationResult) -> None:
    page = run_report(selling)
    words = Words("en")
    iv = selling.intervals
    for chart, kpi in [
        ("service_level", "service_level"),
        ("asa", "asa_s"),
        ("abandonment", "abandon_rate"),
        ("queue", "mean_queue"),
        ("queue", "max_queue"),
        ("offered", "offered"),
        ("revenue", "revenue"),
    ]:
        name = money_label(kpi, "en", money_terms([selling.scenario]))
        mean, high, low = band(page, chart, name)
        assert mean == pytest.approx(iv[f"{kpi}_mean"].to_numpy(float), nan_ok=True), kpi
        lowest, highest = CATALOGUE[kpi].range
        expected_high = iv[f"{kpi}_ci_high"].clip(lowest, highest).to_numpy(float)
        expected_low = iv[f"{kpi}_ci_low"].clip(lowest, highest).to_numpy(float)
        assert high == pytest.approx(expected_high, nan_ok=True), kpi
        assert low == pytest.approx(expected_low, nan_ok=True), kpi
    # The per-interval service level does vary, so a shifted or constant line would fail.
    assert iv["service_level_mean"].nunique() > 2
    for kpi in kpis_in("card"):
        assert card_value(page, kpi) == words.number(kpi, selling.summary.loc[kpi, "mean"]), kpi


def test_compare_report_draws_the_results_tables(comparison: Any) -> None:
    page = compare_report(comparison)
    table = comparison.table.set_index(["kpi", "plan"])
    for plan, result in comparison.results.items():
        mean, _, _ = band(page, "plans_service_level", plan)
        assert mean == pytest.approx(result.intervals["service_level_mean"].to_numpy(float))
    kpis = headline_kpis(comparison)
    assert kpis == ["service_level", "abandon_rate", "asa_s", "net_contribution", "occupancy"]
    chosen = comparison.recommendation.plan
    others = [p for p in comparison.results if p != comparison.baseline]
    for kpi in kpis:
        # Each forest plot's marks: a plan's paired difference, its bar the paired CI.
        scale = 100.0 if unit(kpi) == "pct" else 1.0
        drawn = {}
        for t in chart_data(page, chart_name(kpi))["data"]:
            x, plus, minus = values(t["x"]), t["error_x"]["array"], t["error_x"]["arrayminus"]
            for y, d, hi, lo in zip(t["y"], x, plus, minus, strict=True):
                drawn[y] = (d, d + hi, d - lo)
        for p in others:
            row = table.loc[(kpi, p)]
            expected = (row["diff"], row["diff_ci_high"], row["diff_ci_low"])
            assert drawn[tick_label(p, p == chosen)] == pytest.approx(
                tuple(v * scale for v in expected)
            ), (kpi, p)
        assert len(drawn) == len(others)
    # The baseline and the recommended plan are drawn; the others wait in the legend.
    traces = chart_data(page, "plans_service_level")["data"]
    shown = {t["name"] for t in traces if "name" in t and t.get("visible", True) is True}
    assert shown == {legend_text(p) for p in {comparison.baseline, chosen}}


# -- legend names on a phone --------------------------------------------------------------------


@given(text=st.text(alphabet=st.sampled_from("ab c-\u9ad8\u5cf0\uff08 "), max_size=80))
@settings(max_examples=300, deadline=None)
def test_wrapped_names_fit_their_lines_and_keep_every_character(text: str) -> None:
    lines = wrap_cells(text, 12)
    assert all(cells(line) <= 12 for line in lines), lines
    assert "".join("".join(lines).split()) == "".join(text.split())


def test_long_names_wrap_at_spaces_and_chinese_counts_double() -> None:
    assert wrap_cells("balanced (a planner's long description)", 20) == [
        "balanced (a",
        "planner's long",
        "description)",
    ]
    assert wrap_cells("高峰时段不营销", 8) == ["高峰时段", "不营销"]
    assert legend_text("<b> & a very long name that needs two lines") == (
        "&lt;b&gt; &amp; a very long name that<br>needs two lines"
    )


def slice_rows(page: str, kind: str) -> dict[str, list[str]]:
    """A slice table's cells by member name, as text."""
    match = re.search(rf'<div class="slice" data-slice="{kind}">(.*?)</table>', page, re.S)
    assert match, kind
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", match.group(1), re.S):
        texts = [
            html.unescape(re.sub(r"<[^>]+>", "", c))
            for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        if texts:
            rows[texts[0]] = texts[1:]
    return rows


def test_run_report_drills_into_the_slices_and_says_how_often(selling: SimulationResult) -> None:
    page = run_report(selling)
    words = Words("en")
    # Two days: the day slice is shown, with each day's service level as result.by("day").
    days = slice_rows(page, "day")
    by_day = selling.by("day").set_index("day")
    assert set(days) == {"1", "2"}
    for day, row in days.items():
        assert row[1] == words.number("service_level", by_day.loc[day, "service_level_mean"])
    groups = slice_rows(page, "group")
    by_group = selling.by("group").set_index("group")
    for group, row in groups.items():
        assert row[0] == f"{by_group.loc[group, 'agents_mean']:,.0f}"
        assert row[3] == words.number("occupancy", by_group.loc[group, "occupancy_mean"])
    # "How often": intervals whose mean meets the target, counted here from the table.
    sl = selling.intervals["service_level_mean"].dropna()
    met = int((sl >= selling.scenario.service_level.target).sum())
    assert f"{met} of {len(sl)} intervals met it" in page
    # The call-weighted service level sits beside the mean in the KPI table.
    weighted = selling.kpi("service_level", "call_weighted")["mean"]
    assert words.number("service_level", weighted) in page.split('id="kpis"')[1]


# -- staffing, schedules and plans ------------------------------------------------------------


def planning_scenario(policy: dict | None = None) -> Scenario:
    """A four-hour selling line of about two Erlangs, 20% shrinkage, named to break pages,
    with one shift template of four hours whose 30-minute break goes at one of two places: a
    schedule of it has breaks to draw and rows of the same hours to tell apart."""
    return load_scenario(
        {
            "name": NAME,
            "currency": "CNY",
            "horizon": {"interval_min": 30, "open": "08:00", "close": "12:00"},
            "arrivals": {"rate_per_hour": 40},
            "reasons": {REASON: {"share": 1.0, "talk": {"dist": "exponential", "mean_s": 180}}},
            "customers": {"patience": {"dist": "exponential", "mean_s": 300}},
            "agents": {
                "shrinkage": 0.2,
                "groups": {
                    GROUP: {
                        "wage_per_hour": 20,
                        "trained_to_sell": True,
                        "shifts": [{"start": "08:00", "end": "12:00", "count": 3}],
                    }
                },
            },
            "products": {
                PRODUCT: {
                    "value": 100,
                    "pitch": {"dist": "fixed", "value_s": 60},
                    "conversion": 0.2,
                }
            },
            "selling": {
                "policy": policy or {"kind": "threshold", "k": 1},
                "contact_rules": {"max_offers": 100, "cooldown_after_refusal_days": 0},
            },
            "scheduling": {
                "groups": {
                    GROUP: {
                        "templates": {
                            "long": {
                                "start": {"earliest": "08:00", "latest": "08:00"},
                                "lengths_h": [4],
                                "breaks": [
                                    {
                                        "duration_min": 30,
                                        "earliest_min": 60,
                                        "latest_min": 120,
                                        "step_min": 60,
                                    }
                                ],
                            }
                        }
                    }
                }
            },
        }
    )


@pytest.fixture(scope="module")
def isa() -> IsaResult:
    return isa_requirement(planning_scenario(), replications=3, seed=7, workers=1)


@pytest.fixture(scope="module")
def schedule(isa: IsaResult) -> Schedule:
    need = isa.table["required_scheduled"].to_numpy(float)
    return build_schedule(isa.scenario, need, replications=3, seed=7, workers=1)


@pytest.fixture(scope="module")
def plan() -> Plan:
    policies = [{"kind": "never"}, {"kind": "always"}, {"kind": "threshold", "k": 1}]
    return plan_policies(planning_scenario(), policies, replications=3, seed=7, workers=1)


def steps(page: str, chart: str, name: str) -> np.ndarray:
    """A step line's values, one per interval (its last point only holds the last step)."""
    trace = next(t for t in chart_data(page, chart)["data"] if t.get("name") == legend_text(name))
    y = values(trace["y"])
    assert y[-1] == y[-2] and values(trace["x"]).tolist() == list(range(len(y)))
    return y[:-1]


def target_lines(page: str, chart: str) -> list[float]:
    shapes = chart_data(page, chart)["layout"].get("shapes", [])
    return [s["y0"] for s in shapes if s.get("line", {}).get("dash") == "dash"]


def text_of(page: str, css_class: str) -> str:
    match = re.search(rf'<p class="{css_class}"[^>]*>(.*?)</p>', page, re.S)
    assert match, css_class
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1)))


def test_expected_charts_of_the_planning_pages() -> None:
    assert expected_charts("staff") == ["staff_agents", "staff_target"]
    assert expected_charts("schedule") == [
        "schedule_gantt",
        "schedule_coverage",
        "schedule_service_level",
    ]
    assert expected_charts("plan") == ["plan_net", "plan_money", "plan_staffing"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_planning_pages_are_self_contained_and_escape_names(
    isa: IsaResult, schedule: Schedule, plan: Plan, lang: str
) -> None:
    words = ZH if lang == "zh" else EN
    pages = {
        "staff": staff_report(isa, lang),
        "schedule": schedule_report(schedule, lang),
        "plan": plan_report(plan, lang),
    }
    for kind, page in pages.items():
        assert_self_contained(page)
        assert_cannot_break_out(page)
        assert charts(page) == expected_charts(kind), kind
        assert f'data-report="{kind}"' in page
        assert NAME not in page and "<script>alert(1)" not in page
        assert html.escape(NAME) in page, kind
        assert few_note(page, words, 3), kind  # three replications: rough, and said first
        assert html.escape(words[f"{kind}_title"]) in page
    assert html.escape(GROUP) in pages["schedule"]  # the shifts table names the group
    if lang == "zh":
        for page in pages.values():
            for english in (EN["intervals"], EN["provenance"], EN["interval_start"]):
                assert english not in page


def test_staff_report_draws_the_requirement_table(isa: IsaResult) -> None:
    page = staff_report(isa)
    t = isa.table
    for column, key in [
        ("isa_on_phones", "s_isa_on"),
        ("erlang_on_phones", "s_erlang_on"),
        ("required_scheduled", "s_isa_scheduled"),
        ("planned_scheduled", "s_planned"),
    ]:
        assert steps(page, "staff_agents", EN[key]) == pytest.approx(t[column].to_numpy(float))
    # Scheduled is on the phones over 1 - shrinkage, rounded up: the two lines differ.
    assert (t["required_scheduled"] > t["isa_on_phones"]).any()
    mean, high, low = band(page, "staff_target", "Service level")
    assert mean == pytest.approx(t["sl_mean"].to_numpy(float))
    assert high == pytest.approx(t["sl_ci_high"].to_numpy(float))
    assert low == pytest.approx(t["sl_ci_low"].to_numpy(float))
    assert target_lines(page, "staff_target") == [0.8]
    top = text_of(page, "top-line")
    assert f"{int(t['meets'].sum())} of {len(t)} intervals meet the target" in top
    assert f"after {isa.iterations} iteration(s)" in top
    # Half-hour intervals: agent-hours are half the agents summed over the intervals.
    assert card_value(page, "hours_isa") == f"{t['isa_on_phones'].sum() / 2:,.1f} h"
    assert card_value(page, "hours_planned") == f"{t['planned_scheduled'].sum() / 2:,.1f} h"
    summary = isa.to_summary_dict()
    assert card_value(page, "hours_scheduled") == f"{summary['scheduled_hours']:,.1f} h"


def test_staff_report_of_another_target_draws_that_kpi_and_its_line() -> None:
    found = isa_requirement(
        planning_scenario(), replications=3, seed=7, workers=1, target=Target("asa", 15.0)
    )
    page = staff_report(found)
    mean, _, _ = band(page, "staff_target", "ASA (answered)")
    assert mean == pytest.approx(found.table["asa_s_mean"].to_numpy(float))
    assert target_lines(page, "staff_target") == [15.0]
    assert "mean wait of answered calls (ASA) at most 15.0 s" in page


def clock_hours(text: str) -> float:
    hours, minutes = text.split(":")
    return int(hours) + int(minutes) / 60


def test_schedule_report_draws_the_shifts_and_the_coverage(schedule: Schedule) -> None:
    page = schedule_report(schedule)
    shifts = schedule.shifts()
    traces = chart_data(page, "schedule_gantt")["data"]
    bars, breaks = traces[0], traces[1]
    assert bars["name"] == legend_text(GROUP) and breaks["name"] == "Break"
    # One bar per row of shifts(), from its start to its end, its agents printed on it.
    assert values(bars["base"]) == pytest.approx([clock_hours(s) for s in shifts["start"]])
    ends = values(bars["base"]) + values(bars["x"])
    assert ends == pytest.approx([clock_hours(s) for s in shifts["end"]])
    assert bars["text"] == [str(n) for n in shifts["agents"]]
    assert len(set(bars["y"])) == len(shifts)  # rows of the same hours are told apart
    # Each break as shifts() writes it ("10:00 30 min"), over its own shift's bar.
    listed = [
        (row, clock_hours(b.split()[0]), int(b.split()[1]) / 60)
        for row, text in enumerate(shifts["breaks"])
        for b in text.split("; ")
        if b
    ]
    assert len(listed) == len(shifts) and len(shifts) >= 2
    assert values(breaks["base"]) == pytest.approx([start for _, start, _ in listed])
    assert values(breaks["x"]) == pytest.approx([length for _, _, length in listed])
    assert breaks["y"] == [bars["y"][row] for row, _, _ in listed]
    cov = schedule.coverage()
    chart = "schedule_coverage"
    assert steps(page, chart, EN["s_coverage"]) == pytest.approx(cov["coverage"].to_numpy(float))
    required = cov["required_scheduled"].to_numpy(float)
    assert steps(page, chart, EN["s_required"]) == pytest.approx(required)
    mean, high, low = band(page, "schedule_service_level", "Service level")
    assert mean == pytest.approx(cov["service_level_mean"].to_numpy(float))
    assert high == pytest.approx(cov["service_level_ci_high"].clip(0, 1).to_numpy(float))
    assert low == pytest.approx(cov["service_level_ci_low"].clip(0, 1).to_numpy(float))
    assert target_lines(page, "schedule_service_level") == [0.8]
    # The scenario's own roster, by hand: 3 agents × 4 paid hours × 20 an hour.
    assert schedule.roster_cost() == pytest.approx(240.0)
    top = text_of(page, "top-line")
    cost = shifts["cost"].sum()
    assert f"planned cost {cost:,.0f}" in top and "costs 240" in top
    assert f"{100 * (cost - 240) / 240:+.1f}%" in top
    assert f"{shifts['agents'].sum()} agents on {len(shifts)} shift row(s)" in top
    assert f'data-status="{schedule.status}"' in page


def test_schedule_report_names_the_intervals_short(schedule: Schedule) -> None:
    """A requirement beyond the templates' headcount limit leaves intervals uncovered."""
    spec = schedule.scenario.model_dump(mode="json", exclude_none=True)
    spec["scheduling"]["groups"][GROUP]["max_agents"] = 2
    capped = load_scenario(spec)
    short = build_schedule(capped, np.full(8, 6.0), replications=3, seed=7, workers=1)
    cov = short.coverage()
    missed = int((~cov["meets_goal"]).sum())
    assert short.status == "short" and missed > 0
    page = schedule_report(short)
    assert f"{missed} interval(s) short of the goal" in page
    assert page.count("the templates and limits cannot cover it") == missed
    assert page.count('<tr class="short">') == missed
    assert card_value(page, "intervals_short") == f"{missed} / {len(cov)}"


def test_plan_report_draws_the_plan_table(plan: Plan) -> None:
    page = plan_report(plan)
    table = plan.table().set_index("candidate")
    net = chart_data(page, "plan_net")
    drawn = {}
    for trace in net["data"]:
        for k, name in enumerate(trace["x"]):
            mean = values(trace["y"])[k]
            high = mean + values(trace["error_y"]["array"])[k]
            low = mean - values(trace["error_y"]["arrayminus"])[k]
            drawn[html.unescape(name)] = (trace["name"], mean, low, high)
    assert set(drawn) == set(table.index)
    for name, (role, mean, low, high) in drawn.items():
        row = table.loc[name]
        assert mean == pytest.approx(row["net_contribution_mean"])
        assert (low, high) == pytest.approx(
            (row["net_contribution_ci_low"], row["net_contribution_ci_high"])
        )
        expected = (
            "Best"
            if row["best"]
            else "Baseline"
            if name == plan.baseline
            else "Meets the goal"
            if row["verdict"] == "met"
            else "Goal not met with confidence"
        )
        assert role == expected, name
    # The axis keeps the table's order; the best is starred, the baseline named.
    axis = net["layout"]["xaxis"]
    assert [html.unescape(c) for c in axis["categoryarray"]] == list(table.index)
    assert plan.best is not None
    assert axis["ticktext"][list(table.index).index(plan.best)].startswith("★ ")
    assert "(Baseline)" in axis["ticktext"][list(table.index).index(plan.baseline)]
    money = chart_data(page, "plan_money")["data"]
    assert values(money[0]["y"]) == pytest.approx(table["staff_cost_mean"].to_numpy(float))
    assert values(money[1]["y"]) == pytest.approx(table["revenue_mean"].to_numpy(float))
    for cand in plan.candidates:
        assert cand.schedule is not None
        expected_agents = cand.schedule.coverage()["coverage"].to_numpy(float)
        assert steps(page, "plan_staffing", cand.name) == pytest.approx(expected_agents)
    best = table.loc[plan.best]
    top = text_of(page, "best-line")
    assert top.startswith(f"Best policy: {plan.best}, with a net contribution of ")
    assert f"{best['net_contribution_mean']:,.0f}" in top
    if plan.best != plan.baseline:
        diff = f"+{best['net_diff']:,.0f}" if best["net_diff"] >= 0 else f"{best['net_diff']:,.0f}"
        assert f"Against the baseline {plan.baseline}: {diff} (paired 95% CI" in top
    assert page.count('<tr class="best">') == 1


def test_plan_report_says_when_the_best_is_the_baseline_or_there_is_none(plan: Plan) -> None:
    itself = plan_report(replace(plan, best=plan.baseline))
    assert EN["plan_best_is_baseline"] in text_of(itself, "best-line")
    assert "Against the baseline" not in text_of(itself, "best-line")
    none = plan_report(replace(plan, best=None))
    assert text_of(none, "best-line") == EN["plan_no_best"]
    assert "★" not in none and charts(none) == expected_charts("plan")
    zh = plan_report(replace(plan, best=None), lang="zh")
    assert text_of(zh, "best-line") == ZH["plan_no_best"]


def test_a_phone_s_layout_wraps_long_axis_titles_and_only_those() -> None:
    """Plotly never wraps an axis title: on a phone "Paired difference to the baseline (CNY)"
    ran past the chart's edge and lost its unit."""
    long = "Paired difference to the baseline (CNY)"
    layout: dict[str, object] = {
        "xaxis": {"title": {"text": long}},
        "xaxis2": {"title": {"text": "Time"}},
        "yaxis": {"title": {"text": "与基准方案的配对差异\uff08个百分点\uff09与基准方案"}},
        "yaxis2": {"title": {"text": "first line<br>second"}},
        "legend": {"title": {"text": long}},
    }
    assert narrow_titles(layout)
    x = layout["xaxis"]
    assert isinstance(x, dict)
    lines = x["title"]["text"].split("<br>")
    assert " ".join(lines) == long and len(lines) == 2
    assert all(cells(line) <= NARROW_TITLE for line in lines)
    assert x["automargin"] is True
    y = layout["yaxis"]
    assert isinstance(y, dict)
    assert (
        "".join(y["title"]["text"].split("<br>"))
        == "与基准方案的配对差异\uff08个百分点\uff09与基准方案"
    )
    assert layout["xaxis2"] == {"title": {"text": "Time"}}  # short titles stay as they were
    assert layout["yaxis2"] == {"title": {"text": "first line<br>second"}}
    assert layout["legend"] == {"title": {"text": long}}  # axes only
    assert not narrow_titles({"xaxis": {"title": {"text": "Agents"}}})


def test_a_column_heading_sets_its_definition_in_brackets_small_under_the_name() -> None:
    head = [
        "Plan",
        "Net contribution (value over 1 year of the day's sales − the day's staff cost, CNY)",
        "净贡献\uff08一年价值\uff09",
        "Service level",
    ]
    page = table(head, [["a", 1, 2, 3]])
    assert (
        '<th>Net contribution <span class="gloss">(value over 1 year of the day&#x27;s sales − '
        "the day&#x27;s staff cost, CNY)</span></th>" in page
    )
    assert '<th>净贡献<span class="gloss">\uff08一年价值\uff09</span></th>' in page
    assert "<th>Service level</th>" in page
