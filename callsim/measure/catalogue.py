"""How each KPI is named and formatted for people (CLI tables and reports)."""

from __future__ import annotations

import math

# kpi -> (label, kind); kind decides the format.
KPI_LABELS: dict[str, tuple[str, str]] = {
    "offered": ("Calls offered", "count"),
    "answered": ("Answered", "count"),
    "abandoned": ("Abandoned", "count"),
    "short_abandons": ("Short abandons", "count"),
    "waiting_at_end": ("Still waiting at end", "count"),
    "retrials": ("Retrials", "count"),
    "service_level": ("Service level", "pct"),
    "sl_offered": ("SL: answered ≤ T / offered", "pct"),
    "sl_answered": ("SL: answered ≤ T / answered", "pct"),
    "sl_offered_abandons_ok": ("SL: (answered + abandoned) ≤ T / offered", "pct"),
    "sl_offered_minus_early_abandons": ("SL: answered ≤ T / (offered − abandoned ≤ T)", "pct"),
    "asa_s": ("ASA (answered)", "seconds"),
    "mean_wait_s": ("Mean wait (all)", "seconds"),
    "p_wait": ("P(wait > 0)", "pct"),
    "abandon_rate": ("Abandonment", "pct"),
    "aht_s": ("AHT", "seconds"),
    "mean_queue": ("Mean queue", "number"),
    "max_queue": ("Max queue", "number"),
    "occupancy": ("Occupancy (busy / logged in)", "pct"),
    "utilisation": ("Utilisation (busy / paid)", "pct"),
    "agent_hours": ("Agent-hours logged in", "hours"),
    "paid_hours": ("Paid hours", "hours"),
    "overtime_hours": ("Overtime hours", "hours"),
    "staff_cost": ("Staff cost", "money"),
    "agents_logged_in": ("Agents logged in", "number"),
    "agents_paid": ("Agents paid", "number"),
    "repeat_calls": ("Repeat calls", "count"),
    "offers": ("Offers made", "count"),
    "offer_rate": ("Offer rate (per answered)", "pct"),
    "conversions": ("Sales", "count"),
    "conversion_rate": ("Conversion rate (per offer)", "pct"),
    "revenue": ("Revenue", "money"),
    "sales_score": ("Value-weighted sales score", "number"),
    "net_contribution": ("Net contribution (revenue − staff cost)", "money"),
    "revenue_per_agent_hour": ("Revenue per agent-hour", "money"),
    "outbound_revenue_per_agent_hour": ("Outbound revenue per agent-hour", "money"),
    "switch_on_share": ("Marketing switch on", "pct"),
    "training_hours": ("Training hours", "hours"),
    "satisfaction": ("Satisfaction (mean, 0.2–1.0)", "number"),
    "satisfaction_top_box": ("Very satisfied (top box)", "pct"),
}

HEADLINE_KPIS = (
    "offered",
    "answered",
    "abandoned",
    "retrials",
    "repeat_calls",
    "service_level",
    "asa_s",
    "mean_wait_s",
    "p_wait",
    "abandon_rate",
    "aht_s",
    "mean_queue",
    "max_queue",
    "occupancy",
    "utilisation",
    "agent_hours",
    "paid_hours",
    "overtime_hours",
    "training_hours",
    "staff_cost",
    "satisfaction",
    "satisfaction_top_box",
)

SELLING_KPIS = (
    "offers",
    "offer_rate",
    "conversions",
    "conversion_rate",
    "revenue",
    "sales_score",
    "revenue_per_agent_hour",
    "outbound_revenue_per_agent_hour",
    "switch_on_share",
    "net_contribution",
)


def label(kpi: str) -> str:
    return KPI_LABELS.get(kpi, (kpi, "number"))[0]


def fmt(kpi: str, value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    kind = KPI_LABELS.get(kpi, (kpi, "number"))[1]
    if kind == "pct":
        return f"{100 * value:.1f}%"
    if kind == "seconds":
        return f"{value:.1f} s"
    if kind == "count":
        return f"{value:,.1f}" if abs(value) < 100 else f"{value:,.0f}"
    if kind == "hours":
        return f"{value:,.1f} h"
    if kind == "money":
        return f"{value:,.0f}"
    return f"{value:,.2f}"


BETTER: dict[str, int] = {
    "service_level": 1,
    "sl_offered": 1,
    "sl_answered": 1,
    "sl_offered_abandons_ok": 1,
    "sl_offered_minus_early_abandons": 1,
    "answered": 1,
    "abandoned": -1,
    "asa_s": -1,
    "mean_wait_s": -1,
    "p_wait": -1,
    "abandon_rate": -1,
    "mean_queue": -1,
    "max_queue": -1,
    "repeat_calls": -1,
    "staff_cost": -1,
    "overtime_hours": -1,
    "conversions": 1,
    "conversion_rate": 1,
    "revenue": 1,
    "sales_score": 1,
    "net_contribution": 1,
    "revenue_per_agent_hour": 1,
    "satisfaction": 1,
    "satisfaction_top_box": 1,
}
"""+1 where more is better, -1 where less is; KPIs not listed are neither (occupancy, offers)."""

COMPARE_KPIS = (
    "service_level",
    "asa_s",
    "abandon_rate",
    "p_wait",
    "occupancy",
    "aht_s",
    "offers",
    "conversions",
    "revenue",
    "staff_cost",
    "net_contribution",
    "satisfaction",
    "satisfaction_top_box",
    "overtime_hours",
    "training_hours",
)
