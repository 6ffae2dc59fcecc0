"""Staffing targets: what a planner asks of every interval, and the Erlang answer for one.

A target is the service level under the scenario's definition (the default), a longest mean wait
of answered calls (ASA), a largest abandonment rate, or a largest probability of waiting at all.
Each reads "shortfall ≤ allowed" — 1 − SL against 1 − the SL target, the ASA, abandonment or
P(wait) against the target itself — so the iterative staffing algorithm treats them alike, and
each is judged on a :class:`~callsim.analytic.QueueMetrics` from a state law or on the simulated
KPI of the same name.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from callsim.analytic import (
    QueueMetrics,
    agents_for_abandonment,
    agents_for_asa,
    agents_for_service_level,
)
from callsim.scenario.schema import Scenario

TargetKind = Literal["sl", "asa", "abandon", "p_wait"]
TARGET_KINDS: tuple[TargetKind, ...] = ("sl", "asa", "abandon", "p_wait")
_KPI = {"sl": "service_level", "asa": "asa_s", "abandon": "abandon_rate", "p_wait": "p_wait"}
_TOL = 1e-12


@dataclass(frozen=True)
class Target:
    """``value``: the service-level share to reach (sl), the longest mean wait of answered calls
    in seconds (asa), or the largest share of callers who abandon (abandon) or wait (p_wait).
    ``threshold_s`` and ``definition`` are the service level's (used by sl only)."""

    kind: TargetKind
    value: float
    threshold_s: float = 20.0
    definition: str = "offered"

    @classmethod
    def of(cls, scenario: Scenario, kind: TargetKind = "sl", value: float | None = None) -> Target:
        """The scenario's service-level goal (its target, threshold and definition), or another
        kind of target with its value."""
        goal = scenario.service_level
        if value is None:
            if kind != "sl":
                raise ValueError(f"a {kind} target needs a value")
            value = goal.target
        return cls(kind, value, goal.threshold_s, goal.definition)

    def __post_init__(self) -> None:
        if self.kind not in TARGET_KINDS:
            raise ValueError(f"target must be one of {', '.join(TARGET_KINDS)}, got {self.kind!r}")
        v = self.value
        if self.kind == "asa" and not (math.isfinite(v) and v > 0):
            raise ValueError(f"an ASA target must be a number of seconds > 0, got {v}")
        if self.kind == "sl" and not 0 < v <= 1:
            raise ValueError(f"a service-level target must be in (0, 1], got {v}")
        if self.kind in ("abandon", "p_wait") and not 0 < v < 1:
            raise ValueError(f"a {self.kind} target must be in (0, 1), got {v}")

    @property
    def kpi(self) -> str:
        """The catalogue KPI the target is judged on in a simulation."""
        return _KPI[self.kind]

    def describe(self) -> str:
        if self.kind == "sl":
            return f"service level {100 * self.value:g}/{self.threshold_s:g} ({self.definition})"
        if self.kind == "asa":
            return f"ASA ≤ {self.value:g} s"
        word = "abandonment" if self.kind == "abandon" else "P(wait)"
        return f"{word} ≤ {100 * self.value:g}%"

    def as_dict(self) -> dict[str, float | str]:
        out: dict[str, float | str] = {"kind": self.kind, "value": self.value}
        if self.kind == "sl":
            out.update(threshold_s=self.threshold_s, definition=self.definition)
        return out

    @property
    def allowed_shortfall(self) -> float:
        return 1.0 - self.value if self.kind == "sl" else self.value

    def shortfall(self, m: QueueMetrics) -> float:
        if self.kind == "sl":
            return 1.0 - m.service_level[self.definition]
        return {"asa": m.asa_s, "abandon": m.abandon_rate, "p_wait": m.p_wait}[self.kind]

    def shortfall_of(self, simulated: float) -> float:
        """The shortfall of a simulated value of :attr:`kpi`."""
        return 1.0 - simulated if self.kind == "sl" else simulated

    def met(self, simulated: float) -> bool:
        """Whether a simulated value of :attr:`kpi` meets the target."""
        return self.shortfall_of(simulated) <= self.allowed_shortfall + _TOL


def erlang_for(rate: float, mean_service_s: float, mean_patience_s: float, target: Target) -> int:
    """Agents on the phones for ``target`` in a steady queue (Erlang A with finite patience, else
    C). P(wait) ≤ p is the service level within 0 seconds at 1 − p."""
    if rate <= 0:
        return 0
    if target.kind == "sl":
        return agents_for_service_level(
            rate,
            mean_service_s,
            target.threshold_s,
            target.value,
            mean_patience_s,
            target.definition,
        )
    if target.kind == "asa":
        return agents_for_asa(rate, mean_service_s, target.value, mean_patience_s)
    if target.kind == "abandon":
        return agents_for_abandonment(rate, mean_service_s, mean_patience_s, target.value)
    return agents_for_service_level(rate, mean_service_s, 0.0, 1.0 - target.value, mean_patience_s)
