"""The plan palette's promises, checked in CIE L*a*b* (computed here from sRGB, by the CIE
formulas): colours a reader tells apart, none a verdict's, none lost on the white page."""

from __future__ import annotations

import itertools
import math
import re

import pytest

from callsim.report.charts import VERDICT_COLOURS, colour
from callsim.report.html import STYLE
from callsim.report.palette import PLAN_COLOURS


def lab(hex_colour: str) -> tuple[float, float, float]:
    rgb = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def delta_e(a: str, b: str) -> float:
    return math.dist(lab(a), lab(b))


def verdict_colours() -> set[str]:
    """The verdicts' colours: the forest plots' marks and the page's badges."""
    badges = re.findall(r"\.badge[^{]*\{[^}]*background: (#[0-9a-f]{6})", STYLE)
    return {c.lower() for c in [*VERDICT_COLOURS.values(), *badges]}


def test_lab_of_known_colours() -> None:
    # Reference L*a*b* of white and of the sRGB primaries (D65).
    for hex_colour, expected in [
        ("#ffffff", (100.0, 0.0, 0.0)),
        ("#ff0000", (53.24, 80.09, 67.20)),
        ("#0000ff", (32.30, 79.19, -107.86)),
    ]:
        assert lab(hex_colour) == pytest.approx(expected, abs=0.1), hex_colour


def test_twelve_plans_and_more_get_distinct_colours() -> None:
    assert len(PLAN_COLOURS) >= 12
    assert len({colour(k) for k in range(len(PLAN_COLOURS))}) == len(PLAN_COLOURS)
    closest = min(delta_e(a, b) for a, b in itertools.combinations(PLAN_COLOURS, 2))
    assert closest >= 24


def test_no_plan_colour_reads_as_a_verdict_or_vanishes_on_white() -> None:
    verdicts = verdict_colours()
    assert {"#2f9e44", "#c92a2a", "#f08c00"} <= verdicts  # better/met, worse/missed, unsure
    assert min(delta_e(p, v) for p in PLAN_COLOURS for v in verdicts) >= 22
    assert min(delta_e(p, "#ffffff") for p in PLAN_COLOURS) >= 40
