"""The reports in a real browser: Debian's Chromium driven by Playwright.

Each report is made by the CLI (run, compare, sweep) from a scenario whose names carry HTML
specials, opened from disk with the network closed, and checked the way a manager would use it:
no console error, every expected chart drawn with data, a hover that shows a value, and the
scenario's names shown as text (never run as markup).
"""

from __future__ import annotations

import copy
import os
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from callsim.cli.commands import app
from callsim.report import expected_charts

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None and os.environ.get("CALLSIM_REQUIRE_BROWSER"):
    raise RuntimeError("CALLSIM_REQUIRE_BROWSER is set but no chromium is installed")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")

HOSTILE = """Desk <b>&amp;</b> "quoted" 'single' </script><script>alert(1)</script>"""
GROUP = "<img src=x onerror=alert(2)>&team"

SCENARIO = {
    "name": HOSTILE,
    "horizon": {"days": 1, "interval_min": 30, "open": "08:00", "close": "11:00"},
    "arrivals": {"rate_per_hour": 90},
    "reasons": {
        "bill": {"share": 0.7, "talk": {"dist": "exponential", "mean_s": 180}},
        "complaint": {"share": 0.3, "talk": {"dist": "exponential", "mean_s": 240}},
    },
    "customers": {"patience": {"dist": "exponential", "mean_s": 240}},
    "agents": {
        "groups": {
            GROUP: {
                "trained_to_sell": True,
                "wage_per_hour": 25,
                "shifts": [{"start": "08:00", "end": "11:00", "count": 6}],
            }
        }
    },
    "products": {
        "card": {"value": 300, "conversion": 0.2, "pitch": {"dist": "fixed", "value_s": 60}}
    },
    "selling": {"policy": {"kind": "load_toggle", "signal": "queue", "on_at": 0, "off_at": 2}},
    "variants": {"K=0 <&>": {"selling": {"policy": {"kind": "threshold", "k": 0}}}},
    "simulation": {"replications": 3, "seed": 5},
}


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("reports")
    scenario = folder / "plan.yaml"
    scenario.write_text(yaml.safe_dump(copy.deepcopy(SCENARIO)), encoding="utf-8")
    runner = CliRunner()
    commands = {
        "run": ["run", str(scenario), "-w", "1", "--out", str(folder / "run")],
        "compare": ["compare", str(scenario), "-w", "1", "--out", str(folder / "compare")],
        "sweep": [
            "sweep",
            str(scenario),
            "-w",
            "1",
            "--param",
            "agents.scale=0.8,1.0",
            "--out",
            str(folder / "sweep"),
        ],
        "run_zh": ["run", str(scenario), "-w", "1", "--lang", "zh", "--out", str(folder / "zh")],
    }
    for name, args in commands.items():
        result = runner.invoke(app, args)
        assert result.exit_code == 0, f"{name}: {result.output}"
    return {
        "run": folder / "run" / "report.html",
        "compare": folder / "compare" / "report.html",
        "sweep": folder / "sweep" / "report.html",
        "run_zh": folder / "zh" / "report.html",
    }


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield b
        b.close()


def open_report(browser, path: Path):
    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.on("request", lambda r: None if r.url.startswith("file:") else problems.append(r.url))
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-rendered='true']", timeout=30_000)
    return page, problems


@pytest.mark.parametrize(
    ("kind", "key", "selling"),
    [("run", "run", True), ("compare", "compare", True), ("sweep", "sweep", True)],
)
def test_every_chart_renders_with_data_and_no_errors(
    browser, reports: dict[str, Path], kind: str, key: str, selling: bool
) -> None:
    page, problems = open_report(browser, reports[key])
    for chart in expected_charts(kind, selling):
        figure = page.locator(f"[data-chart='{chart}']")
        assert figure.count() == 1, f"{kind}: chart {chart} missing"
        assert figure.get_attribute("data-rendered") == "true", f"{kind}: {chart} not drawn"
        points = figure.evaluate(
            """f => { const gd = f.querySelector('.js-plotly-plot');
                      return gd.calcdata.reduce((n, trace) => n + trace.length, 0); }"""
        )
        assert points > 0, f"{kind}: chart {chart} has no data"
    assert problems == []
    page.close()


def test_hover_shows_a_value(browser, reports: dict[str, Path]) -> None:
    page, problems = open_report(browser, reports["run"])
    figure = page.locator("[data-chart='service_level']")
    figure.scroll_into_view_if_needed()
    box = figure.locator(".nsewdrag").first.bounding_box()
    assert box is not None
    text = ""
    for frac in (0.5, 0.3, 0.7, 0.1, 0.9):  # move across the plot as a person would
        page.mouse.move(box["x"] + box["width"] * frac, box["y"] + box["height"] / 2)
        page.wait_for_timeout(150)
        text = figure.evaluate("f => f.querySelector('.hoverlayer').textContent")
        if any(ch.isdigit() for ch in text):
            break
    assert any(ch.isdigit() for ch in text), f"hover shows no value: {text!r}"
    assert problems == []
    page.close()


@pytest.mark.parametrize("key", ["run", "compare", "sweep", "run_zh"])
def test_scenario_names_are_shown_as_text(browser, reports: dict[str, Path], key: str) -> None:
    page, problems = open_report(browser, reports[key])
    body = page.inner_text("body")
    assert HOSTILE.split("</script>")[0] in body, "the scenario's name is not shown as text"
    # Nothing the user wrote became an element: no <b>, <img> or extra <script> from names.
    assert page.locator("img").count() == 0
    assert page.evaluate("document.querySelectorAll('b').length") == page.evaluate(
        "Array.from(document.querySelectorAll('b')).filter(b => !b.closest('svg')).length"
    )
    assert (
        page.locator("script").count()
        <= 2 + page.locator("script[type='application/json']").count()
    )
    assert problems == []  # no alert() dialog fired
    page.close()


def test_chinese_report_has_chinese_headings(browser, reports: dict[str, Path]) -> None:
    page, problems = open_report(browser, reports["run_zh"])
    assert page.get_attribute("body", "data-lang") == "zh"
    assert "服务水平" in page.inner_text("body")
    assert problems == []
    page.close()
