"""The run page of issue 13 in a real browser, as a manager would look at it: the bundled
default run and the utility line (which sells nothing), at 1440 and 390 px, in English and
Chinese. No chart text overlaps another, the goal sentence is there and says what
``summary.json`` says, every chart is drawn, and a centre that does not sell shows no selling.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from layout import broken_words, clipped_text, needs_chromium, open_page, overlapping_text
from typer.testing import CliRunner

from callsim.cli.commands import app
from callsim.report import expected_charts
from callsim.store.plotly_file import PLOTLY_FILE

pytestmark = needs_chromium

LINES = {"default": "credit_card_hotline", "utility": "utility_hotline_24h"}
WIDTHS = {"1440": {"width": 1440, "height": 900}, "390": {"width": 390, "height": 844}}
CASES = [(line, lang) for line in LINES for lang in ("en", "zh")]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """Each line run once by the CLI, as a user runs it, with its report in each language."""
    folder = tmp_path_factory.mktemp("run_pages")
    out: dict[tuple[str, str], Path] = {}
    runner = CliRunner()
    for line, scenario in LINES.items():
        target = folder / line
        result = runner.invoke(app, ["run", scenario, "-r", "10", "-w", "1", "--out", str(target)])
        assert result.exit_code == 0, result.output
        for lang in ("en", "zh"):
            copy = folder / f"{line}-{lang}"
            shutil.copytree(target, copy)
            result = runner.invoke(app, ["report", str(copy), "--lang", lang])
            assert result.exit_code == 0, result.output
            out[(line, lang)] = copy
    return out


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize(("line", "lang"), CASES)
def test_run_page_as_a_manager_sees_it(
    browser, runs: dict[tuple[str, str], Path], line: str, lang: str, width: str
) -> None:
    folder = runs[(line, lang)]
    assert (folder / PLOTLY_FILE).is_file()  # loaded from beside the page, offline
    page, problems = open_page(browser, folder, WIDTHS[width])
    assert problems == []
    assert overlapping_text(page) == []
    assert clipped_text(page) == []
    assert broken_words(page) == []

    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    stated = summary["goal_statement"]
    sentence = page.locator("#goal-sentence")
    assert sentence.count() == 1 and sentence.is_visible()
    shown = sentence.inner_text().strip()
    if lang == "en":
        assert shown == stated["sentence"]
    else:
        for figure in (stated["goal"], stated["days"], stated["days_met"], stated["intervals"]):
            assert str(figure) in shown
    assert sentence.get_attribute("data-verdict") == summary["service_level_goal"]["verdict"]
    # First thing under the header.
    assert page.evaluate(
        "() => document.querySelector('main').firstElementChild.id === 'goal-sentence'"
    )

    selling = line == "default"
    drawn = page.evaluate(
        "() => [...document.querySelectorAll('figure[data-chart][data-rendered=true]')]"
        ".map(f => f.dataset.chart)"
    )
    assert drawn == expected_charts("run", has_selling=selling)
    if not selling:
        assert page.locator("#selling").count() == 0
        for kpi in ("net_contribution", "revenue"):
            assert page.locator(f"[data-kpi='{kpi}']").count() == 0
    page.close()
