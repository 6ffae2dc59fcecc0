"""A run's answer to "is the goal met, and how sure are we", as one sentence: the verdict on
the confidence interval (the rule of every verdict), and how often the goal held, day by day
and interval by interval, so the interval of the mean is not read as the range of outcomes.

The CLI prints the sentence, ``summary.json`` keeps it with its figures, and the report shows
it at the top of the run page (translated from the same figures).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from callsim.measure.catalogue import clip_interval, fmt

if TYPE_CHECKING:  # results.py writes the statement into summary.json
    from callsim.experiment.results import SimulationResult

_VERDICT_WORD = {"met": "Met", "missed": "Missed", "inconclusive": "Inconclusive on"}


@dataclass(frozen=True)
class GoalStatement:
    """The figures of the sentence; ``estimate`` is ``replication_mean`` or ``call_weighted``
    (the goal's ``verdict_on``), whose mean and CI the verdict was judged on."""

    verdict: str
    target: float
    threshold_s: float
    estimate: str
    mean: float
    ci_low: float
    ci_high: float
    days_met: int
    days: int
    intervals_met: int
    intervals: int

    @property
    def goal(self) -> str:
        """The goal the way planners say it: 80/20 is 80% within 20 s."""
        return f"{100 * self.target:g}/{self.threshold_s:g}"

    @property
    def ci_text(self) -> str:
        if math.isnan(self.ci_low) or math.isnan(self.ci_high):
            return "–"
        low, high = clip_interval("service_level", self.ci_low, self.ci_high)
        return f"{fmt('service_level', low)} – {fmt('service_level', high)}"

    def sentence(self) -> str:
        how = "call-weighted" if self.estimate == "call_weighted" else "on average"
        return (
            f"{_VERDICT_WORD[self.verdict]} {self.goal} {how} (CI {self.ci_text}); "
            f"{self.days_met} of {self.days} simulated days and "
            f"{self.intervals_met} of {self.intervals} intervals met it"
        )

    def to_dict(self) -> dict[str, Any]:
        data = {
            k: (None if isinstance(v, float) and math.isnan(v) else v)
            for k, v in asdict(self).items()
        }
        return {**data, "goal": self.goal, "sentence": self.sentence()}


def goal_statement(result: SimulationResult) -> GoalStatement:
    """Days are every replication's measured days (a replication of one day is one simulated
    day); intervals are judged on their mean service level over the replications."""
    goal = result.scenario.service_level
    estimate = "call_weighted" if goal.verdict_on == "call_weighted" else "mean"
    sl = result.kpi("service_level", estimate)
    day_sl = result.by("day")["service_level_mean"].to_numpy(dtype=float)
    measured_days = int(np.sum(~np.isnan(day_sl)))
    shares = result.per_replication["days_meeting_goal_share"].to_numpy(dtype=float)
    days_met = round(float(np.nansum(shares)) * measured_days)
    interval_sl = result.intervals["service_level_mean"].to_numpy(dtype=float)
    interval_sl = interval_sl[~np.isnan(interval_sl)]
    return GoalStatement(
        verdict=result.verdict,
        target=goal.target,
        threshold_s=goal.threshold_s,
        estimate=goal.verdict_on,
        mean=sl["mean"],
        ci_low=sl["ci_low"],
        ci_high=sl["ci_high"],
        days_met=days_met,
        days=measured_days * result.replications,
        intervals_met=int(np.sum(interval_sl >= goal.target)),
        intervals=len(interval_sl),
    )
