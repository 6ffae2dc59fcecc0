"""KPIs from the counts and spans they are made of, for any set of bins: intervals, the whole
horizon, a reason, a day, or the pooled sums of many replications.

Keeping the ratios a function of the sums is what lets one formula serve every table, and
lets the call-weighted ratio (total answered within T over total offered, over all
replications) be computed by the same code as a single day's.
"""

from __future__ import annotations

import numpy as np

from callsim.measure import resolution
from callsim.service_level import SERVICE_LEVEL_DEFINITIONS

Sums = dict[str, np.ndarray]


def call_kpis(s: Sums, definition: str) -> dict[str, np.ndarray]:
    """What the calls' own indicators give: counts, service levels, waits, handle times, sales
    and satisfaction. Meaningful for any set of calls (a reason, a segment), unlike the
    time-based measures, which need the agents' and the queue's time."""
    with np.errstate(invalid="ignore", divide="ignore"):
        base = s["offered"] - s["short"] - s["balk_out"]  # balks out only if the goal says
        sl = {
            "offered": s["ans_t"] / base,
            "answered": s["ans_t"] / s["answered"],
            "offered_abandons_ok": (s["ans_t"] + s["ab_t"]) / base,
            "offered_minus_early_abandons": s["ans_t"] / (base - s["ab_t"]),
        }
        resolved = s["answered"] + s["abandoned"]
        return {
            "offered": s["offered"],
            "answered": s["answered"],
            "abandoned": s["abandoned"],
            "short_abandons": s["short"],
            "balked": s["balked"],
            "waiting_at_end": s["waiting"],
            "retrials": s["retrial"],
            "repeat_calls": s["repeat"],
            "service_level": sl[definition],
            **{f"sl_{d}": sl[d] for d in SERVICE_LEVEL_DEFINITIONS},
            "asa_s": s["wait_answered"] / s["answered"],
            "mean_wait_s": s["wait_resolved"] / resolved,
            "p_wait": s["waited"] / s["offered"],
            "abandon_rate": s["abandoned"] / s["offered"],
            "balk_rate": s["balked"] / s["offered"],
            "aht_s": s["handle"] / s["answered"],
            "talk_time_s": s["talk"] / s["answered"],
            "offer_time_s": s["pitch"] / s["answered"],
            "wrap_time_s": s["wrap"] / s["answered"],
            "offers": s["offers"],
            "offer_rate": s["offers"] / s["answered"],
            "conversions": s["conversions"],
            "conversion_rate": s["conversions"] / s["offers"],
            "revenue": s["revenue"],
            "retention_value": _retention(s),
            "sales_score": s["score"],
            "satisfaction": s["satisfaction"] / s["rated"],
            "satisfaction_top_box": s["top_box"] / s["rated"],
            "selling_hours": s["pitch"] / 3600,
            "revenue_per_selling_hour": _per_hour(s["revenue"], s["pitch"]),
            **resolution.kpis(s),
        }


def kpi_table(s: Sums, definition: str, span_s: np.ndarray) -> dict[str, np.ndarray]:
    """The KPIs measured alike per interval and for the horizon, one value per bin."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            **call_kpis(s, definition),
            "mean_queue": s["queue_s"] / span_s,
            "max_queue": s["max_queue"],
            "occupancy": s["busy_s"] / s["logged_s"],
            "utilisation": s["busy_s"] / s["paid_s"],
            "staff_cost": s["cost"],
            "net_contribution": s["revenue"] - s["cost"],
            "net_contribution_with_retention": s["revenue"] + _retention(s) - s["cost"],
            "revenue_per_logged_in_hour": _per_hour(s["revenue"], s["logged_s"]),
            "switch_on_share": s["switch_s"] / span_s,
        }


def _retention(s: Sums) -> np.ndarray:
    """The sales' retention value; undefined for a scenario without retention, whose sums
    have none (it is not zero: nobody said what a kept customer is worth)."""
    if "retention" in s:
        return s["retention"]
    return np.full(np.shape(s["offered"]), np.nan)


def _per_hour(money: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    """Money per hour of ``seconds``; undefined without any such time (a sale counted in an
    interval nobody was logged in, answered later, would otherwise be infinite)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(seconds > 0, money / (seconds / 3600), np.nan)
