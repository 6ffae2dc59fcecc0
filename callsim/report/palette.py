"""Colours that name plans, series and groups, kept apart from the colours that judge.

A comparison of a dozen plans needs a dozen colours a reader tells apart, and none of them may
read as a verdict: green (better, met), red (worse, missed), orange (inconclusive), blue (higher
or lower) and greys (baseline, no significant difference) are the verdicts' own
(``charts.VERDICT_COLOURS`` and the page's badges). The colours below were chosen by hand so that
any two differ by a CIE76 colour difference of at least 24 (a clearly visible step), each
differs from every verdict colour by at least 22, and none is so light that a line of it
vanishes on the white page; ``tests/test_report_palette.py`` checks these bounds.
"""

from __future__ import annotations

PLAN_COLOURS = (
    "#5f3dc4",  # violet
    "#0b7285",  # dark teal
    "#d6336c",  # raspberry
    "#d9a400",  # mustard
    "#22b8cf",  # cyan
    "#8c6d1f",  # ochre brown
    "#cc5de8",  # orchid
    "#74c0fc",  # sky
    "#1b2a5e",  # navy
    "#b197fc",  # lavender
    "#5c3a0c",  # dark brown
    "#f783ac",  # light pink
    "#087f5b",  # deep sea green
)
"""Thirteen: an eleven-plan comparison and a baseline, with one to spare; a longer list of
plans repeats them from the start."""


def plan_colour(k: int) -> str:
    """The colour of the ``k``-th plan or series."""
    return PLAN_COLOURS[k % len(PLAN_COLOURS)]
