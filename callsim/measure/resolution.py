"""Resolution and self-service measures: first-contact resolution, repeat calls per first call,
calls the self-service menu resolved (SPEC §3: "FCR, repeat calls, deflected calls").

A first contact is an answered call that is not a repeat call: the first time an agent heard
this request (a retrial after hanging up on a repeat call is not told apart from one after
hanging up on a first call, and counts as a first contact). A first call is a request's first
attempt, deflected or not, so repeats per first call is the extra load unresolved requests
bring; with every call resolved with probability p it is (1 − p)/p. The menu's containment
rate is deflected calls over the first calls that went through it.
"""

from __future__ import annotations

import numpy as np

from callsim.measure.catalogue import kpis_in
from callsim.policies import make_policy
from callsim.scenario.schema import Scenario

INDICATORS = ("first_call", "first_contact", "first_resolved", "deflected", "ivr_call", "steered")
"""Per-call counts these KPIs are made of, summed per interval and slice like the others."""


def measured(scenario: Scenario) -> bool:
    """Whether anything can leave a call unresolved or resolve it outside the queue: without,
    these KPIs are undefined (not computed, so measuring costs nothing more)."""
    return (
        scenario.resolution is not None
        or scenario.ivr is not None
        or make_policy(scenario.selling.policy).repeats is not None
    )


def shown(scenarios: list[Scenario]) -> tuple[str, ...]:
    """The resolution KPIs tables show for these plans: FCR and repeats where a plan models
    resolution, the menu's where one has a menu, steering where one steers."""
    fcr, repeats, deflected, containment, steered = kpis_in("resolution")
    out: tuple[str, ...] = ()
    if any(s.resolution is not None for s in scenarios):
        out += (fcr, repeats)
    if any(s.ivr is not None for s in scenarios):
        out += (deflected, containment)
    if any(s.ivr is not None and s.ivr.steering is not None for s in scenarios):
        out += (steered,)
    return out


def reached_queue(col: dict[str, np.ndarray], scenario: Scenario) -> np.ndarray | None:
    """Which calls reached the queue (not resolved in the menu); None without a menu."""
    return col["ivr"] == 0 if scenario.ivr is not None else None


def with_menu_time(
    wait: np.ndarray, queued: np.ndarray | None, col: dict[str, np.ndarray], scenario: Scenario
) -> np.ndarray:
    """The caller's wait as the service level counts it: the queue's, plus the menu's time
    when the scenario says so (for callers who went on to the queue only)."""
    if queued is None or scenario.ivr is None or not scenario.ivr.time_counts_as_wait:
        return wait
    return wait + np.where(queued, col["ivr_s"], 0.0)


def indicators(
    col: dict[str, np.ndarray], answered: np.ndarray, scenario: Scenario
) -> dict[str, np.ndarray]:
    if not measured(scenario):
        return {}
    first = (col["attempt"] == 0) & (col["repeat"] == 0)
    contact = answered & (col["repeat"] == 0)
    deflected = col["ivr"] == 1
    return {
        "first_call": first,
        "first_contact": contact,
        "first_resolved": contact & (col["resolved"] == 1),
        "deflected": deflected,
        "ivr_call": first if scenario.ivr is not None else np.zeros_like(first),
        "steered": col["steered"] == 1,
    }


def kpis(s: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "fcr": s["first_resolved"] / s["first_contact"],
            "repeats_per_first_call": s["repeat"] / s["first_call"],
            "deflected_calls": s["deflected"],
            "ivr_containment": s["deflected"] / s["ivr_call"],
            "steered_calls": s["steered"],
        }
