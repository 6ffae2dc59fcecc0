"""The comparison page of eleven plans in Chromium, read as a manager reads it: in English and
Chinese, on a desktop (1440 px) and a phone (390 px), no chart text overlaps another, every plan
has a colour of its own that no verdict uses, and the sentence at the top is the recommendation
``summary.json`` records.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from layout import broken_words, clipped_text, needs_chromium, open_page, overlapping_text
from typer.testing import CliRunner

from callsim.cli.commands import app
from callsim.report import expected_charts
from callsim.report.charts import VERDICT_COLOURS
from callsim.report.html import STYLE

pytestmark = needs_chromium

# A short selling line and ten variants of it: selling rules and staffing, names of every length.
SCENARIO = {
    "name": "Card desk <&> (weekday)",
    "currency": "CNY",
    "horizon": {"days": 1, "interval_min": 30, "open": "08:00", "close": "11:00"},
    "arrivals": {"rate_per_hour": 90},
    "reasons": {
        "bill": {"share": 0.7, "talk": {"dist": "exponential", "mean_s": 180}},
        "complaint": {"share": 0.3, "talk": {"dist": "exponential", "mean_s": 240}},
    },
    "customers": {"patience": {"dist": "exponential", "mean_s": 240}},
    "agents": {
        "groups": {
            "desk": {
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
    "variants": {
        "never sell": {"selling": {"policy": {"kind": "never"}}},
        "always sell": {"selling": {"policy": {"kind": "always"}}},
        **{
            f"threshold K={k}": {"selling": {"policy": {"kind": "threshold", "k": k}}}
            for k in (-2, 0, 2)
        },
        "one agent more (a planner's long description of the plan)": {"agents": {"scale": 7 / 6}},
        "two agents more": {"agents": {"scale": 8 / 6}},
        "one agent less, never sell": {
            "agents": {"scale": 5 / 6},
            "selling": {"policy": {"kind": "never"}},
        },
        "toggle on a longer queue (on at 3, off at 6)": {
            "selling": {
                "policy": {"kind": "load_toggle", "signal": "queue", "on_at": 3, "off_at": 6}
            }
        },
        "高峰时段少推销": {"selling": {"policy": {"kind": "threshold", "k": 1}}},
    },
    "simulation": {"replications": 3, "seed": 5},
}
PLANS = 11
VIEWPORTS = {"1440": {"width": 1440, "height": 900}, "390": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The comparison as ``callsim compare`` writes it, and its report rebuilt in Chinese."""
    folder = tmp_path_factory.mktemp("compare11")
    scenario = folder / "desk.yaml"
    scenario.write_text(yaml.safe_dump(copy.deepcopy(SCENARIO)), encoding="utf-8")
    out = {lang: folder / lang for lang in ("en", "zh")}
    runner = CliRunner()
    result = runner.invoke(app, ["compare", str(scenario), "-w", "1", "--out", str(out["en"])])
    assert result.exit_code == 0, result.output
    shutil.copytree(out["en"], out["zh"])
    result = runner.invoke(app, ["report", str(out["zh"]), "--lang", "zh"])
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("width", VIEWPORTS)
def test_eleven_plans_draw_without_overlapping_text(
    browser, pages: dict[str, Path], lang: str, width: str
) -> None:
    page, problems = open_page(browser, pages[lang], VIEWPORTS[width])
    assert page.locator("[data-chart]").count() == len(expected_charts("compare"))
    for chart in expected_charts("compare"):
        figure = page.locator(f"[data-chart='{chart}']")
        assert figure.get_attribute("data-error") is None, figure.get_attribute("data-error")
        assert figure.get_attribute("data-rendered") == "true", chart
    assert overlapping_text(page) == []
    assert clipped_text(page) == []
    assert broken_words(page) == []
    # The title is the scenario's name, not the eleven plans'.
    assert page.inner_text("h1") == SCENARIO["name"]
    assert problems == []
    page.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_sentence_at_the_top_is_summary_json_s_recommendation(
    browser, pages: dict[str, Path], lang: str
) -> None:
    rec = json.loads((pages[lang] / "summary.json").read_text(encoding="utf-8"))["recommendation"]
    page, problems = open_page(browser, pages[lang], VIEWPORTS["1440"])
    sentence = page.locator("#verdict")
    assert sentence.count() == 1
    text = sentence.inner_text()
    named = rec["plan"] or rec["closest"]
    assert sentence.get_attribute("data-plan") == named
    assert sentence.get_attribute("data-verdict") == rec["verdict"]
    if lang == "en":
        assert text == rec["sentence"]
    else:
        assert named in text and "服务水平" in text
    # Nothing of the page's body comes before it.
    first = page.evaluate("document.querySelector('main').firstElementChild.id")
    assert first == "verdict"
    assert problems == []
    page.close()


def test_every_plan_has_its_own_colour_and_none_is_a_verdict_s(
    browser, pages: dict[str, Path]
) -> None:
    page, problems = open_page(browser, pages["en"], VIEWPORTS["1440"])
    lines = page.evaluate(
        """() => {
          const gd = document.querySelector("[data-chart='plans_service_level'] .js-plotly-plot");
          return gd.data.filter(t => t.name).map(t => [t.name, t.line.color]); }"""
    )
    assert len(lines) == PLANS
    assert len({colour for _, colour in lines}) == PLANS
    swatches = page.evaluate(
        "() => Array.from(document.querySelectorAll('.plan-list .swatch'))"
        ".map(s => getComputedStyle(s).backgroundColor)"
    )
    assert len(set(swatches)) == PLANS
    verdicts = {c.lower() for c in VERDICT_COLOURS.values()}
    verdicts |= {
        c.lower() for c in re.findall(r"\.badge[^{]*\{[^}]*background: (#[0-9a-f]{6})", STYLE)
    }
    assert not {colour.lower() for _, colour in lines} & verdicts
    assert problems == []
    page.close()
