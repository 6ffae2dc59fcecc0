"""HTML reports: one self-contained file, every expected chart, planners' names shown literally
and never able to break out of the page, and a complete Chinese translation."""

from __future__ import annotations

import base64
import html
import json
import math
import re
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
from callsim.report import compare_report, expected_charts, run_report, sweep_report
from callsim.report.charts import cells, legend_text, wrap_cells
from callsim.report.i18n import EN, ZH, Words
from callsim.report.plans import charted_kpis
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
        "arrivals_staffing",
        "service_level",
        "asa",
        "abandonment",
        "occupancy",
        "queue",
    ]
    assert expected_charts("run", has_selling=True)[-5:] == [
        "offers_conversions",
        "revenue",
        "switch_share",
        "switch_timeline",
        "agent_scores",
    ]
    assert expected_charts("compare") == ["compare_kpis", "differences", "plans_service_level"]
    assert expected_charts("sweep") == ["frontier"]
    with pytest.raises(ValueError, match="report kind"):
        expected_charts("pie")


# -- run ----------------------------------------------------------------------------------------


def test_run_report_is_one_self_contained_page(selling: SimulationResult) -> None:
    page = run_report(selling)
    assert_self_contained(page)
    assert charts(page) == expected_charts("run", has_selling=True)
    assert 'data-report="run"' in page and 'lang="en"' in page


def test_run_report_without_products_has_no_selling_charts(plain: SimulationResult) -> None:
    page = run_report(plain)
    assert_self_contained(page)
    assert charts(page) == expected_charts("run", has_selling=False)
    assert 'id="selling"' not in page


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
    assert charts(page) == expected_charts("run", has_selling=True)


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
        ("arrivals_staffing", "offered"),
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
    kpis = charted_kpis(comparison)
    assert {"service_level", "revenue", "net_contribution"} <= set(kpis)
    # Panels are filled in order: axes x, x2, x3, ... hold the charted KPIs, one bar per plan.
    bars = [t for t in chart_data(page, "compare_kpis")["data"] if t["type"] == "bar"]
    assert len(bars) == len(comparison.results) * len(kpis)
    for t in bars:
        kpi = kpis[0 if t["xaxis"] == "x" else int(t["xaxis"][1:]) - 1]
        plan = html.unescape(t["x"][0])
        assert values(t["y"])[0] == pytest.approx(table.loc[(kpi, plan), "mean"]), (kpi, plan)
    diffs = chart_data(page, "differences")["data"]
    others = [p for p in comparison.results if p != comparison.baseline]
    for panel, kpi in enumerate(kpis):
        scale = 100.0 if unit(kpi) == "pct" else 1.0
        expected = [table.loc[(kpi, p), "diff"] * scale for p in others]
        assert values(diffs[panel]["y"]) == pytest.approx(expected), kpi


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
    assert f"{met} of {len(sl)} intervals met the goal" in page
    # The call-weighted service level sits beside the mean in the KPI table.
    weighted = selling.kpi("service_level", "call_weighted")["mean"]
    assert words.number("service_level", weighted) in page.split('id="kpis"')[1]
