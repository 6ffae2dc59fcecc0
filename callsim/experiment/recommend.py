"""Which plan a comparison recommends, and how sure the numbers let us be.

The rule is the planner's objective (``callsim.scenario.objective``): the most net contribution
among the plans whose service-level verdict is met, or the best service level; either within a
staff-cost ceiling when one is given. "Met" is the rule of every verdict (the interval's lower
end reaches the target), so a recommended plan is one the simulation shows keeping the goal, not
one whose mean happens to. The difference to the baseline is the paired one the comparison
judges, on the estimate the goal names (``service_level.verdict_on``).

The command line, ``summary.json`` and every report take the recommendation and its sentence
from here, so they cannot disagree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from callsim.errors import UserError
from callsim.measure.catalogue import clip_interval, fmt, unit
from callsim.scenario.objective import OBJECTIVES, Objective

if TYPE_CHECKING:
    from callsim.experiment.pairing import Comparison

COST_KPI = "staff_cost"
"""What ``max_cost`` caps: the plan's mean staff cost over the horizon."""


@dataclass(frozen=True)
class Figure:
    """An estimate with its 95% interval."""

    mean: float
    low: float
    high: float

    def to_dict(self) -> dict[str, float | None]:
        return {k: None if math.isnan(v) else v for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class Recommendation:
    objective: str
    """``net_contribution`` or ``service_level``: what the plan is chosen to maximise."""
    max_cost: float | None
    kpi: str
    """The KPI the objective maximises, whose paired difference the sentence gives."""
    plan: str | None
    """The recommended plan; None when no plan qualifies (then ``closest`` is named)."""
    closest: str | None
    """With no plan qualifying: the one nearest to qualifying (the highest service level, or
    the cheapest when none is within the cost)."""
    baseline: str
    goal: str
    """The service-level goal as a planner writes it: ``80/20``."""
    verdict: str
    """The named plan's service-level verdict: met, missed or inconclusive."""
    service_level: Figure
    value: Figure
    """The named plan's objective KPI."""
    difference: Figure
    """Its paired difference to the baseline (zero for the baseline itself)."""
    difference_verdict: str
    """better, worse, no significant difference, or baseline."""
    over_budget: bool = False
    """Every plan costs more than ``max_cost``: none is recommended, the cheapest is named."""
    currency: str | None = None

    @property
    def named(self) -> str:
        """The plan the sentence is about: the recommended one, else the closest."""
        return self.plan if self.plan is not None else str(self.closest)

    def sentence(self) -> str:
        """The answer in one English sentence, the same on the command line, in
        ``summary.json`` and at the top of the English report."""
        sl = f"service level {fmt('service_level', self.service_level.mean)}"
        sl += f" ({_interval('service_level', self.service_level)}), {self.verdict}"
        if self.plan is None and self.over_budget:
            return (
                f"No plan's staff cost is within {self._money(self.max_cost or 0)}; the "
                f"cheapest is {self.named}: {self._money(self.value.mean)}; {sl}."
            )
        if self.plan is None:
            return (
                f"No plan meets the {self.goal} goal with confidence{self._within()}; the "
                f"nearest, by service level, is {self.named}: {sl}."
            )
        rule = {
            "net_contribution": "the most net contribution among plans meeting the "
            f"{self.goal} goal{self._within()}",
            COST_KPI: f"the lowest staff cost among plans meeting the {self.goal} goal"
            f"{self._within()} (nothing is sold)",
            "service_level": f"the best service level{self._within()}",
        }[self.rule]
        if self.plan == self.baseline:
            return f"Recommended: {self.plan} (the baseline), {rule}; {sl}."
        diff = (
            f"{self._signed(self.difference.mean)} ({self._diff_interval()}) against the "
            f"baseline {self.baseline}, {self.difference_verdict}"
        )
        return f"Recommended: {self.plan}, {rule}: {diff}; {sl}."

    @property
    def rule(self) -> str:
        """What decided: ``net_contribution``, ``staff_cost`` (the most net contribution where
        nothing is sold is the lowest cost) or ``service_level``."""
        return self.kpi if self.objective == "net_contribution" else self.objective

    def _within(self) -> str:
        return (
            "" if self.max_cost is None else f" within a staff cost of {self._money(self.max_cost)}"
        )

    def _money(self, value: float) -> str:
        text = fmt(COST_KPI, value)
        return f"{self.currency} {text}" if self.currency else text

    def _signed(self, value: float) -> str:
        if unit(self.kpi) == "pct":
            text = f"{100 * abs(value):.1f} pp"
        elif unit(self.kpi) == "money":
            text = self._money(abs(value))
        else:
            text = fmt(self.kpi, abs(value))
        return text if math.isnan(value) else ("+" if value >= 0 else "−") + text

    def _diff_interval(self) -> str:
        d = self.difference
        if math.isnan(d.low) or math.isnan(d.high):
            return "no CI"
        return f"95% CI {self._signed(d.low)} to {self._signed(d.high)}"

    def to_dict(self) -> dict[str, Any]:
        """What ``summary.json`` records: the choice, its figures and its sentence."""
        return {
            "objective": self.objective,
            "max_cost": self.max_cost,
            "kpi": self.kpi,
            "plan": self.plan,
            "closest": self.closest,
            "baseline": self.baseline,
            "goal": self.goal,
            "verdict": self.verdict,
            "service_level": self.service_level.to_dict(),
            "value": self.value.to_dict(),
            "difference": self.difference.to_dict(),
            "difference_verdict": self.difference_verdict,
            "over_budget": self.over_budget,
            "sentence": self.sentence(),
        }


def _interval(kpi: str, f: Figure) -> str:
    if math.isnan(f.low) or math.isnan(f.high):
        return "no CI"
    low, high = clip_interval(kpi, f.low, f.high)
    return f"95% CI {fmt(kpi, low)} to {fmt(kpi, high)}"


def check_objective(maximise: str, max_cost: float | None, where: str = "") -> None:
    """Refuse an objective no rule exists for, or a ceiling no plan could be under."""
    if maximise not in OBJECTIVES:
        raise UserError(f"{where}objective: expected {' or '.join(OBJECTIVES)}, got {maximise!r}")
    if max_cost is not None and not (math.isfinite(max_cost) and max_cost > 0):
        raise UserError(f"{where}max-cost: expected a positive amount, got {max_cost!r}")


def objective_of(comparison: Comparison) -> Objective:
    """The comparison's objective, else the baseline scenario's, else the default."""
    if comparison.objective is not None:
        return comparison.objective
    return comparison.results[comparison.baseline].scenario.objective or Objective()


def recommend(comparison: Comparison, objective: Objective | None = None) -> Recommendation:
    """The plan the objective picks among the compared ones (see the module's docstring)."""
    chosen = objective or objective_of(comparison)
    check_objective(chosen.maximise, chosen.max_cost)
    results = comparison.results
    base = results[comparison.baseline].scenario
    weighted = base.service_level.verdict_on == "call_weighted"
    sl_column = "call_weighted" if weighted else "mean"
    mean = {n: float(r.kpi("service_level", sl_column)["mean"]) for n, r in results.items()}
    cost = {n: float(r.kpi(COST_KPI)["mean"]) for n, r in results.items()}
    net = {n: float(r.kpi("net_contribution")["mean"]) for n, r in results.items()}
    affordable = [n for n in results if chosen.max_cost is None or cost[n] <= chosen.max_cost]
    sells = any(r.scenario.products for r in results.values())
    # Where nothing is sold, net contribution is the staff cost negated: say it as the cost.
    kpi: str = chosen.maximise if sells or chosen.maximise != "net_contribution" else COST_KPI
    plan: str | None = None
    closest: str | None = None
    if not affordable:
        kpi = COST_KPI
        closest = min(results, key=lambda n: cost[n])
    elif chosen.maximise == "net_contribution":
        met = [n for n in affordable if results[n].verdict == "met"]
        if met:
            plan = max(met, key=lambda n: net[n] if sells else -cost[n])
        else:
            closest = max(affordable, key=lambda n: mean[n])
    else:
        plan = max(affordable, key=lambda n: mean[n])
    named = plan if plan is not None else str(closest)
    goal = base.service_level
    return Recommendation(
        objective=chosen.maximise,
        max_cost=chosen.max_cost,
        kpi=kpi,
        plan=plan,
        closest=closest,
        baseline=comparison.baseline,
        goal=f"{100 * goal.target:g}/{goal.threshold_s:g}",
        verdict=results[named].verdict,
        service_level=_figure(comparison, "service_level", named, weighted, "value"),
        value=_figure(comparison, kpi, named, weighted, "value"),
        difference=_figure(comparison, kpi, named, weighted, "diff"),
        difference_verdict=_row(comparison, kpi, named)["verdict"],
        over_budget=not affordable,
        currency=base.currency,
    )


def _row(comparison: Comparison, kpi: str, plan: str) -> dict[str, Any]:
    t = comparison.table
    rows = t[(t["kpi"] == kpi) & (t["plan"] == plan)]
    if rows.empty:
        raise KeyError(f"{kpi!r} is not compared")
    return {str(k): v for k, v in rows.iloc[0].items()}


def _figure(comparison: Comparison, kpi: str, plan: str, weighted: bool, what: str) -> Figure:
    """An estimate of the comparison's table: the plan's value or its paired difference, on
    the estimate the verdicts judge."""
    row = _row(comparison, kpi, plan)
    prefix = "call_weighted" if weighted and not math.isnan(row["call_weighted"]) else ""
    if what == "value":
        names = ("mean", "ci_low", "ci_high")
        if prefix:
            names = ("call_weighted", "call_weighted_ci_low", "call_weighted_ci_high")
    else:
        names = ("diff", "diff_ci_low", "diff_ci_high")
        if prefix:
            names = tuple(f"call_weighted_{n}" for n in names)  # type: ignore[assignment]
    return Figure(*(float(row[n]) for n in names))
