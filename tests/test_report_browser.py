"""The reports in a real browser: Debian's Chromium driven by Playwright.

Each report is made by the CLI (run, compare, sweep) from a scenario whose names carry HTML
specials, opened from disk with the network closed, and checked the way a manager would use it:
no console error, every expected chart drawn with data, a hover that shows a value, and the
scenario's names shown as text (never run as markup).
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from layout import broken_words, clipped_text, needs_chromium, open_page, overlapping_text
from typer.testing import CliRunner

from callsim.cli.commands import app
from callsim.planning.plan import plan_policies
from callsim.report import expected_charts, plan_report
from callsim.scenario.files import load_scenario

pytestmark = needs_chromium

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


# The same line with shift templates, for the staffing, schedule and plan pages: a two-hour
# shift at two starts and the whole three hours with a 15-minute break at one of two places.
PLANNING = {
    **{k: v for k, v in SCENARIO.items() if k != "variants"},
    "scheduling": {
        "groups": {
            GROUP: {
                "templates": {
                    "short": {
                        "start": {"earliest": "08:00", "latest": "09:00", "step_min": 60},
                        "lengths_h": [2],
                    },
                    "long": {
                        "start": {"earliest": "08:00", "latest": "08:00"},
                        "lengths_h": [3],
                        "breaks": [
                            {
                                "duration_min": 15,
                                "earliest_min": 60,
                                "latest_min": 120,
                                "step_min": 60,
                            }
                        ],
                    },
                }
            }
        }
    },
}
PLANNING_PAGES = [
    (kind, f"{kind}_{lang}") for kind in ("staff", "schedule", "plan") for lang in ("en", "zh")
]


@pytest.fixture(scope="module")
def planning_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The staffing and schedule pages as their commands write them; the plan's through the
    API (its command lives elsewhere)."""
    folder = tmp_path_factory.mktemp("planning")
    scenario = folder / "line.yaml"
    scenario.write_text(yaml.safe_dump(copy.deepcopy(PLANNING)), encoding="utf-8")
    runner = CliRunner()
    pages = {}
    plan = plan_policies(
        load_scenario(scenario), [{"kind": "never"}, {"kind": "always"}], replications=3, workers=1
    )
    for lang in ("en", "zh"):
        for command in ("staff", "schedule"):
            out = folder / f"{command}_{lang}"
            args = [command, str(scenario), "-r", "3", "-w", "1", "--lang", lang, "--out", str(out)]
            result = runner.invoke(app, args)
            assert result.exit_code == 0, f"{command}: {result.output}"
            pages[f"{command}_{lang}"] = out / "report.html"
        pages[f"plan_{lang}"] = folder / f"plan_{lang}.html"
        pages[f"plan_{lang}"].write_text(plan_report(plan, lang), encoding="utf-8")
    return pages


@pytest.mark.parametrize(
    ("kind", "key", "selling"),
    [("run", "run", True), ("compare", "compare", True), ("sweep", "sweep", True)],
)
def test_every_chart_renders_with_data_and_no_errors(
    browser, reports: dict[str, Path], kind: str, key: str, selling: bool
) -> None:
    page, problems = open_page(browser, reports[key])
    for chart in expected_charts(kind, selling, has_switch=selling):
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
    page, problems = open_page(browser, reports["run"])
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


@pytest.mark.parametrize(
    "key", ["run", "compare", "sweep", "run_zh", "staff_en", "schedule_zh", "plan_en"]
)
def test_scenario_names_are_shown_as_text(
    browser, reports: dict[str, Path], planning_reports: dict[str, Path], key: str
) -> None:
    page, problems = open_page(browser, {**reports, **planning_reports}[key])
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
    page, problems = open_page(browser, reports["run_zh"])
    assert page.get_attribute("body", "data-lang") == "zh"
    assert "服务水平" in page.inner_text("body")
    assert problems == []
    page.close()


# -- a phone held upright -------------------------------------------------------------------

PHONE = {"width": 390, "height": 844}

# Long plan names, several of them: the legend wraps onto many rows on a phone.
PLANS = {
    f"{name} (a planner's long description of the plan)": {
        "selling": {"policy": {"kind": "threshold", "k": k}}
    }
    for k, name in enumerate(("cautious", "moderate", "balanced", "eager", "pushy"), start=-2)
}

OVERFLOW = """() => {
  // Every element's right edge within the viewport, except inside a box that scrolls or
  // clips sideways (a wide table in its scrolling wrapper), which must fit itself.
  const width = document.documentElement.clientWidth;
  const clips = el => ["auto", "scroll", "hidden"].includes(getComputedStyle(el).overflowX);
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    let up = el.parentElement, inside = false;
    for (; up && up !== document.body; up = up.parentElement) {
      if (clips(up)) { inside = true; break; }
    }
    if (!inside && box.right > width + 0.5) {
      const where = el.closest("[data-chart]") || el.closest("section") || el;
      const name = where.getAttribute("data-chart") || where.id || where.tagName;
      out.push(`${el.tagName.toLowerCase()}.${el.getAttribute("class") || ""} in ${name} `
        + `ends at ${Math.round(box.right)}`);
    }
  }
  return {width: width, scroll: document.documentElement.scrollWidth, out: out.slice(0, 10)};
}"""

LEGENDS = """() => Array.from(document.querySelectorAll("figure[data-chart]")).flatMap(fig => {
  // A legend clear of plotly's mode bar and of the plot, inside its figure.
  const legend = fig.querySelector(".legend");
  if (!legend) return [];
  const meet = (a, b) =>
    a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  const l = legend.getBoundingClientRect();
  const svg = fig.querySelector("svg.main-svg").getBoundingClientRect();
  const problems = [];
  const bar = fig.querySelector(".modebar");
  if (bar && meet(bar.getBoundingClientRect(), l)) problems.push("overlaps the mode bar");
  for (const area of fig.querySelectorAll(".nsewdrag")) {
    if (meet(area.getBoundingClientRect(), l)) { problems.push("overlaps a plot"); break; }
  }
  if (l.bottom > svg.bottom + 0.5 || l.right > svg.right + 0.5) {
    problems.push("runs out of the figure");
  }
  return problems.map(p => `${fig.dataset.chart}: legend ${p}`);
})"""


@pytest.fixture(scope="module")
def phone_reports(
    reports: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("phone")
    data = copy.deepcopy(SCENARIO)
    data["variants"] = PLANS
    scenario = folder / "plans.yaml"
    scenario.write_text(yaml.safe_dump(data), encoding="utf-8")
    out = folder / "compare"
    result = CliRunner().invoke(app, ["compare", str(scenario), "-w", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return {"run": reports["run"], "sweep": reports["sweep"], "compare": out / "report.html"}


@pytest.mark.parametrize("key", ["run", "compare", "sweep"])
def test_a_phone_shows_the_report_within_its_width(
    browser, phone_reports: dict[str, Path], key: str
) -> None:
    page = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(phone_reports[key].as_uri())
    page.wait_for_selector("body[data-rendered='true']", timeout=30_000)
    found = page.evaluate(OVERFLOW)
    assert found["width"] == PHONE["width"]
    assert found["out"] == [], found["out"]
    assert found["scroll"] <= found["width"], "the page scrolls sideways"
    assert page.evaluate(LEGENDS) == []
    if key != "run":  # the run page's texts are checked by its own tests
        assert overlapping_text(page) == []
        assert clipped_text(page) == []
        assert broken_words(page) == []
    page.close()


def test_forest_plots_stack_on_a_phone_and_sit_side_by_side_on_a_desktop(
    browser, phone_reports: dict[str, Path]
) -> None:
    tops = """() => ["diff_service_level", "diff_abandon_rate"].map(name =>
      Math.round(document.querySelector(`[data-chart='${name}']`).getBoundingClientRect().top))"""
    for viewport, side_by_side in ((PHONE, False), ({"width": 1280, "height": 900}, True)):
        page = browser.new_page(viewport=viewport)
        page.goto(phone_reports["compare"].as_uri())
        page.wait_for_selector("body[data-rendered='true']", timeout=30_000)
        first, second = page.evaluate(tops)
        assert (first == second) == side_by_side, viewport
        page.close()


@pytest.mark.parametrize(("kind", "key"), PLANNING_PAGES)
@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, PHONE], ids=["1280", "390"])
def test_planning_pages_render_within_the_width(
    browser, planning_reports: dict[str, Path], kind: str, key: str, viewport: dict[str, int]
) -> None:
    """The staffing, schedule and plan pages, in both languages, on a desktop and a phone:
    every chart drawn with data, no console error, nothing wider than the screen."""
    phone = viewport == PHONE
    page = browser.new_page(viewport=viewport, is_mobile=phone, has_touch=phone)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: None if r.url.startswith("file:") else problems.append(r.url))
    page.goto(planning_reports[key].as_uri())
    page.wait_for_selector("body[data-rendered='true']", timeout=30_000)
    assert page.get_attribute("body", "data-report") == kind
    for chart in expected_charts(kind):
        figure = page.locator(f"[data-chart='{chart}']")
        assert figure.get_attribute("data-rendered") == "true", f"{key}: {chart} not drawn"
        points = figure.evaluate(
            """f => { const gd = f.querySelector('.js-plotly-plot');
                      return gd.calcdata.reduce((n, trace) => n + trace.length, 0); }"""
        )
        assert points > 0, f"{key}: chart {chart} has no data"
    found = page.evaluate(OVERFLOW)
    assert found["out"] == [], found["out"]
    assert found["scroll"] <= found["width"], "the page scrolls sideways"
    assert page.evaluate(LEGENDS) == []
    assert overlapping_text(page) == []
    assert clipped_text(page) == []
    assert broken_words(page) == []
    assert problems == []
    page.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_bundled_centre_s_schedule_page_fits_a_phone(
    browser, tmp_path_factory: pytest.TempPathFactory, lang: str
) -> None:
    """The default centre's day, 28 intervals, with too few agents to hire for the goal: a
    dozen "08:00" labels overlapped under a phone's per-interval charts, and the status
    sentence, a badge that never wrapped, made the page scroll sideways."""
    folder = tmp_path_factory.mktemp("bundled_schedule")
    assert CliRunner().invoke(app, ["init", str(folder)]).exit_code == 0
    path = folder / "credit_card_hotline.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for group, most in (("senior", 8), ("junior", 4), ("new_hires", 3)):
        data["scheduling"]["groups"][group]["max_agents"] = most
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = folder / lang
    args = ["schedule", str(path), "-r", "3", "-w", "1", "--lang", lang, "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    page, problems = open_page(browser, out, PHONE)
    assert page.get_attribute("[data-status]", "data-status") == "short"  # the long sentence
    found = page.evaluate(OVERFLOW)
    assert found["out"] == [], found["out"]
    assert found["scroll"] <= found["width"], "the page scrolls sideways"
    assert overlapping_text(page) == []
    assert clipped_text(page) == []
    assert problems == []
    page.close()
