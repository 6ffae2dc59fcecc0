"""What a person sees overlapping on a drawn report page, as the browser lays it out.

Shared by the browser tests: the checks read the bounding boxes Chromium computed, so they hold
for the fonts and widths the page is really drawn with (Chinese text is wider than English, a
phone narrower than a desktop).
"""

from __future__ import annotations

from typing import Any

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
