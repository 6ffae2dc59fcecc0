"""Which charts each report holds, by name: the page marks each chart with ``data-chart=<name>``
and a browser test checks the drawn page against this list, so the two cannot drift apart."""

from __future__ import annotations

RUN_CHARTS = (
    "staffing",
    "offered",
    "service_level",
    "asa",
    "abandonment",
    "occupancy",
    "queue",
    "sl_spread",
    "wait_distribution",
    "service_level_by_slice",
    "asa_s_by_slice",
)
SELLING_CHARTS = ("offers_conversions", "revenue", "products", "agent_scores")
"""Added to a run report when the scenario has products."""
SWITCH_CHARTS = ("switch_signal",)
"""Added to the selling charts, before the agents' scores, when the policy has a switch."""
COMPARE_CHARTS = (
    "diff_service_level",
    "diff_abandon_rate",
    "diff_asa_s",
    "diff_money",
    "diff_occupancy",
    "plans_service_level",
)
"""A forest plot per headline KPI (``diff_money``: net contribution, or staff cost where no
plan sells), then service level per interval."""
SWEEP_CHARTS = ("frontier",)
STAFF_CHARTS = ("staff_agents", "staff_target")
SCHEDULE_CHARTS = ("schedule_gantt", "schedule_coverage", "schedule_service_level")
PLAN_CHARTS = ("plan_net", "plan_money", "plan_staffing")
KINDS = ("run", "compare", "sweep", "staff", "schedule", "plan")
_FIXED = {
    "compare": COMPARE_CHARTS,
    "sweep": SWEEP_CHARTS,
    "staff": STAFF_CHARTS,
    "schedule": SCHEDULE_CHARTS,
    "plan": PLAN_CHARTS,
}

AGENTS_PER_AGENT_MAX = 60
"""Above this many agents, sales scores are shown per group: per-agent bars become unreadable."""


def expected_charts(kind: str, has_selling: bool = False, has_switch: bool = False) -> list[str]:
    """The ``data-chart`` names a report of ``kind`` (one of ``KINDS``) must hold.

    ``has_selling`` (the scenario has products) and ``has_switch`` (its policy has a marketing
    switch) matter for run reports only: the other pages hold the same charts either way.
    """
    if kind == "run":
        if not has_selling:
            return list(RUN_CHARTS)
        switch = SWITCH_CHARTS if has_switch else ()
        return [*RUN_CHARTS, *SELLING_CHARTS[:-1], *switch, SELLING_CHARTS[-1]]
    if kind in _FIXED:
        return list(_FIXED[kind])
    raise ValueError(f"report kind must be one of {', '.join(KINDS)}, not {kind!r}")
