"""The run page of issue 13, checked on the page's markup and data (no browser): the goal
sentence against counts made here, the wait-time distribution against the service level,
the WFM charts against the tables they draw, selling only where it applies, and plotly.js
shared beside the reports of a results directory."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import callsim
from callsim.cli.commands import app
from callsim.experiment.goal import goal_statement
from callsim.experiment.results import SimulationResult
from callsim.planning.requirement import staffing_requirement
from callsim.report import expected_charts, run_report
from callsim.report.i18n import EN, Words
from callsim.report.run import goal_sentence, unique_names
from callsim.report.wfm import interval_status
from callsim.report.zoom import zoom
from callsim.scenario.files import load_scenario
from callsim.store.plotly_file import PLOTLY_FILE, SCRIPT_TAG, inline, needs_file
from callsim.store.write import write_run

DATA = Path(__file__).parent / "data"
SCENARIOS = Path(__file__).parent.parent / "scenarios"
runner = CliRunner()


@pytest.fixture(scope="module")
def small() -> SimulationResult:
    return callsim.simulate(DATA / "small.yaml", replications=6, seed=3, workers=1)


@pytest.fixture(scope="module")
def utility() -> SimulationResult:
    return callsim.simulate(
        SCENARIOS / "utility_hotline_24h.yaml", replications=3, seed=1, workers=1
    )


@pytest.fixture(scope="module")
def toggle() -> SimulationResult:
    return callsim.simulate(
        SCENARIOS / "policies" / "load_toggle.yaml", replications=3, seed=1, workers=1
    )


def chart_data(page: str, name: str) -> dict:
    match = re.search(
        rf'data-chart="{name}".*?<script type="application/json" class="chart-data">(.*?)</script>',
        page,
        flags=re.S,
    )
    assert match, name
    data: dict = json.loads(match.group(1))
    return data


def charts(page: str) -> list[str]:
    return re.findall(r'<figure [^>]*data-chart="([^"]+)"', page)


# -- the goal sentence --------------------------------------------------------------------------


def test_goal_statement_counts_days_and_intervals_as_counted_here(small: SimulationResult) -> None:
    st = goal_statement(small)
    target = small.scenario.service_level.target
    # One day per replication: a simulated day met the goal when its replication did.
    assert small.scenario.horizon.days == 1
    assert st.days == small.replications
    assert st.days_met == int((small.per_replication["service_level"] >= target).sum())
    sl = small.intervals["service_level_mean"].dropna()
    assert (st.intervals_met, st.intervals) == (int((sl >= target).sum()), len(sl))
    assert st.verdict == small.verdict
    sentence = st.sentence()
    word = {"met": "Met", "missed": "Missed", "inconclusive": "Inconclusive on"}[small.verdict]
    assert sentence.startswith(f"{word} 80/20 on average (CI ")
    assert sentence.endswith(
        f"{st.days_met} of {st.days} simulated days and "
        f"{st.intervals_met} of {st.intervals} intervals met it"
    )


def test_the_sentence_is_the_same_in_summary_json_the_page_and_the_cli(
    small: SimulationResult,
) -> None:
    sentence = goal_statement(small).sentence()
    assert small.to_summary_dict()["goal_statement"]["sentence"] == sentence
    page = run_report(small)
    shown = re.search(r'<p class="verdict[^"]*" id="goal-sentence"[^>]*>(.*?)</p>', page)
    assert shown and shown.group(1) == sentence
    assert page.index('id="goal-sentence"') < page.index('id="headline"')  # first
    # The Chinese sentence is made of the same figures.
    zh = run_report(small, lang="zh")
    st = goal_statement(small)
    assert f"{st.days} 个模拟日中 {st.days_met} 个达标" in zh
    result = runner.invoke(
        app, ["run", str(DATA / "small.yaml"), "-r", "6", "--seed", "3", "-w", "1"]
    )
    assert result.exit_code == 0, result.output
    assert sentence in " ".join(result.output.split())


def test_the_english_template_is_the_sentence(small: SimulationResult) -> None:
    """The page formats the sentence from its words; in English they must give the very
    sentence the CLI prints."""
    shown = str(goal_sentence(small, Words("en")))
    assert html.escape(goal_statement(small).sentence(), quote=True) in shown


# -- how sure is also how often -----------------------------------------------------------------


def test_the_wait_distribution_at_the_threshold_is_the_service_level(
    small: SimulationResult,
) -> None:
    """Answered within 20 s over offered, replication by replication, is sl_offered."""
    waits = small.waits
    assert waits is not None
    at = waits.set_index("wait_s").loc[20.0, "answered_within_mean"]
    assert at == pytest.approx(small.per_replication["sl_offered"].mean())
    mean = waits["answered_within_mean"].to_numpy()
    assert (np.diff(mean) >= 0).all() and mean[-1] <= 1.0
    # Within 0 s: the calls answered at once, fewer than within 20 s unless nobody waited.
    assert mean[0] <= at


def test_interval_status_by_hand() -> None:
    nan = float("nan")
    mean = np.array([0.9, 0.85, 0.7, nan, 0.8])
    low = np.array([0.82, 0.75, 0.6, nan, nan])
    assert interval_status(mean, low, 0.8) == ["met", "close", "short", "", "met"]


def test_zoom_keeps_small_shares_off_the_floor() -> None:
    low, high = zoom([0.01, 0.09], (0.0, 1.0))
    assert 0.0 <= low < 0.01 and 0.09 < high < 0.2
    assert zoom([0.7, 0.8, 0.95], (0.0, 1.0))[0] > 0.6


def test_run_page_charts(small: SimulationResult) -> None:
    page = run_report(small)
    assert charts(page) == expected_charts("run")
    # Single-series charts carry no legend; the queue chart says it plots the mean and max.
    for name in ("offered", "asa", "abandonment", "occupancy"):
        assert chart_data(page, name)["layout"]["showlegend"] is False, name
    queue = chart_data(page, "queue")
    assert queue["layout"]["showlegend"] is True
    assert EN["chart_queue_mean_max"] in page
    # Abandonment's axis is zoomed to its data, not 0-100%.
    top = small.intervals["abandon_rate_ci_high"].clip(0, 1).max()
    y_range = chart_data(page, "abandonment")["layout"]["yaxis"]["range"]
    assert y_range[1] == pytest.approx(min(1.0, top + (top - y_range[0]) * 0.08 / 1.08), rel=0.2)
    assert y_range[1] < 0.5
    # Agents on one axis: required (Erlang), scheduled and logged in, no second y-axis.
    staffing = chart_data(page, "staffing")
    assert "yaxis2" not in staffing["layout"]
    need = staffing_requirement(small.scenario)
    required = staffing["data"][0]["y"][:-1]
    assert required == pytest.approx(need["required_on_phones"].to_numpy(dtype=float))
    # Each replication's service level is a point on the spread chart.
    spread = chart_data(page, "sl_spread")["data"]
    shown = sorted(v for trace in spread for v in trace["y"])
    assert shown == pytest.approx(sorted(small.per_replication["service_level"]))
    # Service level by segment and reason, from result.by().
    by = chart_data(page, "service_level_by_slice")["data"]
    assert by[1]["x"] == pytest.approx(small.by("reason")["service_level_mean"].tolist())


def test_the_goal_definitions_service_level_appears_once_in_the_kpi_table(
    small: SimulationResult,
) -> None:
    page = run_report(small)
    table = page.split('id="kpis"')[1]
    definition = small.scenario.service_level.definition
    label = Words("en").kpi(f"sl_{definition}").replace("≤", "&le;")
    rows = re.findall(r"<tr><td>([^<]*)</td>", table)
    assert rows.count("Service level") == 1
    assert Words("en").kpi(f"sl_{definition}") not in rows and label not in rows
    assert Words("en").kpi("sl_answered") in rows  # the other definitions stay


# -- selling only where it applies ----------------------------------------------------------------


def test_a_centre_that_does_not_sell_has_no_selling_cards_or_charts(
    utility: SimulationResult,
) -> None:
    page = run_report(utility)
    assert not utility.scenario.products
    assert charts(page) == expected_charts("run")
    cards = re.findall(r'class="card" data-kpi="([^"]+)"', page)
    assert "net_contribution" not in cards and "revenue" not in cards
    assert 'id="selling"' not in page


def test_the_switch_is_drawn_only_for_a_policy_with_one(
    toggle: SimulationResult, small: SimulationResult
) -> None:
    page = run_report(toggle)
    assert charts(page) == expected_charts("run", has_selling=True, has_switch=True)
    signal = chart_data(page, "switch_signal")
    line = signal["data"][-1]["y"]
    assert line == pytest.approx(toggle.intervals["mean_queue_mean"].tolist())
    shading = [s for s in signal["layout"]["shapes"] if s.get("type") == "rect"]
    assert shading  # the first replication's switch did go on
    never = callsim.simulate(
        load_scenario(SCENARIOS / "credit_card_hotline.yaml"), replications=2, seed=1, workers=1
    )
    assert "switch_signal" not in charts(run_report(never))  # threshold: no switch


def test_agent_names_on_a_category_axis_are_unique() -> None:
    assert unique_names(["a", "b", "a", "a"]) == ["a", "b", "a (2)", "a (3)"]


# -- plotly.js beside the report ------------------------------------------------------------------


def test_a_results_directory_shares_one_plotly_file(
    small: SimulationResult, tmp_path: Path
) -> None:
    shared = run_report(small, single_file=False)
    assert needs_file(shared) and "Plotly.register" in shared  # the drawing script stays
    assert len(shared.encode()) < 1_500_000
    whole = run_report(small)
    assert not needs_file(whole) and len(whole.encode()) > 4_000_000
    assert inline(shared) == whole
    out = write_run(small, tmp_path / "run", report=shared)
    assert (out / PLOTLY_FILE).read_text(encoding="utf-8").startswith("/**\n* plotly.js v")
    assert PLOTLY_FILE in json.loads((out / "manifest.json").read_text())["files"]
    assert SCRIPT_TAG in (out / "report.html").read_text(encoding="utf-8")
    # A single-file report writes no copy.
    alone = write_run(small, tmp_path / "alone", report=whole)
    assert not (alone / PLOTLY_FILE).exists()


def test_callsim_report_single_file_and_a_users_file_of_that_name(tmp_path: Path) -> None:
    out = tmp_path / "run"
    args = ["run", str(DATA / "small.yaml"), "-r", "3", "-w", "1", "--out", str(out)]
    assert runner.invoke(app, args).exit_code == 0
    assert (out / PLOTLY_FILE).is_file()
    result = runner.invoke(app, ["report", str(out), "--single-file"])
    assert result.exit_code == 0, result.output
    assert not needs_file((out / "report.html").read_text(encoding="utf-8"))
    # A file of that name that is not plotly.js is never replaced.
    (out / PLOTLY_FILE).write_text("my own notes", encoding="utf-8")
    result = runner.invoke(app, ["report", str(out)])
    assert result.exit_code == 2
    assert "not plotly.js" in result.output and "Traceback" not in result.output
    assert (out / PLOTLY_FILE).read_text(encoding="utf-8") == "my own notes"
    # Replacing the results keeps it too (and refuses to clobber it).
    result = runner.invoke(app, [*args, "--force"])
    assert result.exit_code == 2 and (out / PLOTLY_FILE).read_text() == "my own notes"


def test_products_add_up_to_the_totals(toggle: SimulationResult) -> None:
    """Each replication's offers, sales and revenue per product sum to its totals, so the means
    do too."""
    table = toggle.products
    assert table is not None and list(table["product"]) == list(toggle.scenario.products)
    for kpi in ("offers", "conversions", "revenue"):
        assert table[f"{kpi}_mean"].sum() == pytest.approx(toggle.kpi(kpi)["mean"]), kpi
    page = run_report(toggle)
    bars = chart_data(page, "products")["data"]
    assert bars[0]["x"] == pytest.approx(table["offers_mean"].tolist())
    assert 'data-slice="product"' in page
