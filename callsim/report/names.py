"""Which charts each report holds, by name: the page marks each chart with ``data-chart=<name>``
and a browser test checks the drawn page against this list, so the two cannot drift apart."""

from __future__ import annotations

RUN_CHARTS = ("arrivals_staffing", "service_level", "asa", "abandonment", "occupancy", "queue")
SELLING_CHARTS = (
    "offers_conversions",
    "revenue",
    "switch_share",
    "switch_timeline",
    "agent_scores",
)
"""Added to a run report when the scenario has products."""
COMPARE_CHARTS = ("compare_kpis", "differences", "plans_service_level")
SWEEP_CHARTS = ("frontier",)
KINDS = ("run", "compare", "sweep")

AGENTS_PER_AGENT_MAX = 60
"""Above this many agents, sales scores are shown per group: per-agent bars become unreadable."""


def expected_charts(kind: str, has_selling: bool = False) -> list[str]:
    """The ``data-chart`` names a report of ``kind`` ("run", "compare", "sweep") must hold.

    ``has_selling`` (the scenario has products) matters for run reports only: compare and sweep
    pages hold the same charts either way.
    """
    if kind == "run":
        return [*RUN_CHARTS, *(SELLING_CHARTS if has_selling else ())]
    if kind == "compare":
        return list(COMPARE_CHARTS)
    if kind == "sweep":
        return list(SWEEP_CHARTS)
    raise ValueError(f"report kind must be one of {', '.join(KINDS)}, not {kind!r}")
