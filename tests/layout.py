"""What a person sees go wrong on a drawn report page, as the browser lays it out: chart text
that overlaps or runs past its chart's edge, names broken inside a word.

Shared by the browser tests: the checks read the bounding boxes Chromium computed, so they hold
for the fonts and widths the page is really drawn with (Chinese text is wider than English, a
phone narrower than a desktop).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

OVERLAPPING_TEXT = """(tolerance) => {
  // Every visible piece of chart text: tick labels, axis and panel titles, annotations, legend
  // entries. Each <text> is one box (its tspans are inside it).
  const boxes = [];
  for (const fig of document.querySelectorAll('[data-chart]')) {
    for (const t of fig.querySelectorAll('svg text')) {
      const label = (t.textContent || '').trim();
      if (!label) continue;
      const style = getComputedStyle(t);
      const faded = parseFloat(style.opacity || '1') === 0 ||
                    parseFloat(t.getAttribute('opacity') || '1') === 0;
      if (style.display === 'none' || style.visibility === 'hidden' || faded) continue;
      if (t.closest('.hoverlayer, .modebar, .infolayer .rangeslider-container')) continue;
      const r = t.getBoundingClientRect();
      if (r.width < 1 || r.height < 1) continue;
      boxes.push({chart: fig.dataset.chart, label, r});
    }
  }
  const found = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i].r, b = boxes[j].r;
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > tolerance && h > tolerance) {
        found.push(`${boxes[i].chart}: "${boxes[i].label}" overlaps "${boxes[j].label}"` +
                   (boxes[i].chart === boxes[j].chart ? '' : ` (${boxes[j].chart})`));
      }
    }
  }
  return found;
}"""


def overlapping_text(page: Any, tolerance_px: float = 1.0) -> list[str]:
    """Pairs of chart texts whose boxes intersect by more than ``tolerance_px`` both ways
    (anti-aliasing makes touching boxes share a pixel, which nobody reads as overlap)."""
    found: list[str] = page.evaluate(OVERLAPPING_TEXT, tolerance_px)
    return found


CLIPPED_TEXT = """(tolerance) => {
  // Chart text drawn past its chart's edge: plotly does not wrap an axis title or shrink it to
  // the width, and the figure's box cuts off what sticks out ("Staff cost (CNY" on a phone).
  const found = [];
  for (const fig of document.querySelectorAll('[data-chart]')) {
    const svg = fig.querySelector('svg.main-svg');
    if (!svg) continue;
    const edge = svg.getBoundingClientRect();
    for (const t of fig.querySelectorAll('svg text')) {
      const label = (t.textContent || '').trim();
      if (!label || t.closest('.hoverlayer, .modebar')) continue;
      const style = getComputedStyle(t);
      if (style.display === 'none' || style.visibility === 'hidden') continue;
      if (parseFloat(style.opacity || '1') === 0) continue;
      const r = t.getBoundingClientRect();
      if (r.width < 1 || r.height < 1) continue;
      if (r.left < edge.left - tolerance || r.right > edge.right + tolerance ||
          r.top < edge.top - tolerance || r.bottom > edge.bottom + tolerance) {
        found.push(`${fig.dataset.chart}: "${label}" runs past the chart's edge`);
      }
    }
  }
  return found;
}"""


def clipped_text(page: Any, tolerance_px: float = 1.0) -> list[str]:
    """Chart texts that stick out of their chart by more than ``tolerance_px``: cut off there."""
    found: list[str] = page.evaluate(CLIPPED_TEXT, tolerance_px)
    return found


BROKEN_WORDS = """() => {
  // Words of a table's name cells that the layout breaks across lines though they would fit
  // the widest a name cell may grow: a squeezed column reads "alwa / ys / sell".
  const found = [];
  const probe = document.createElement('span');
  probe.style.cssText = 'position:absolute;visibility:hidden;white-space:nowrap';
  document.body.appendChild(probe);
  for (const cell of document.querySelectorAll('td.name')) {
    const style = getComputedStyle(cell);
    probe.style.font = style.font;
    const room = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const widest = parseFloat(style.maxWidth) || Infinity;
    // Words are runs of letters and digits: Chinese breaks between any two characters, and a
    // line may break at punctuation ("a/b").
    const words = (cell.textContent || '').match(
      /[^\\s\\p{P}\\p{S}\\u2e80-\\u9fff\\uff00-\\uffef]+/gu) || [];
    for (const word of words) {
      probe.textContent = word;
      const width = probe.getBoundingClientRect().width;
      if (width > room + 0.5 && width <= widest) {
        found.push(`"${word}" broken in a cell ${Math.round(room)} px wide`);
      }
    }
  }
  probe.remove();
  return found;
}"""


def broken_words(page: Any) -> list[str]:
    """Words of name cells that a too-narrow column breaks though they would fit a cell."""
    found: list[str] = page.evaluate(BROKEN_WORDS)
    return found


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None and os.environ.get("CALLSIM_REQUIRE_BROWSER"):
    raise RuntimeError("CALLSIM_REQUIRE_BROWSER is set but no chromium is installed")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
"""Browser tests skip where Chromium is missing, unless CI requires it (then they fail)."""


@contextmanager
def launched_chromium() -> Iterator[Any]:
    """Debian's Chromium under Playwright, without a sandbox (CI runs as root) or anything that
    reaches the network on its own."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
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
        yield browser
        browser.close()


def open_page(
    browser: Any, path: Path, viewport: dict[str, int] | None = None
) -> tuple[Any, list[str]]:
    """A drawn report page (``path`` is the page, or the results directory holding
    ``report.html``) and the problems seen on the way: console errors, page errors, dialogs
    (a script the page should not run) and any request off the local disk."""
    if path.is_dir():
        path = path / "report.html"
    phone = viewport is not None and viewport["width"] < 600
    options: dict[str, Any] = {} if viewport is None else {"viewport": viewport}
    page = browser.new_page(**options, is_mobile=phone, has_touch=phone)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.on("request", lambda r: None if r.url.startswith("file:") else problems.append(r.url))
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-rendered='true']", timeout=60_000)
    return page, problems
