"""What a simulation returns: pandas tables of KPIs with 95% intervals over replications."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from callsim.measure.catalogue import kpis_in
from callsim.measure.confidence import t_interval
from callsim.model.roster import Roster
from callsim.model.timegrid import TimeGrid
from callsim.scenario.schema import Scenario
from callsim.version import __version__

if TYPE_CHECKING:  # reading results back must not import the engine
    from callsim.experiment.replication import ReplicationOutput


@dataclass(frozen=True)
class SimulationResult:
    """KPIs of a scenario: ``summary`` (whole horizon), ``intervals``, ``agents``, ``calls``,
    and ``switch``, the marketing switch's (time_s, on) timeline of every replication.

    ``per_replication`` keeps every replication's horizon KPIs: comparisons of plans pair them
    replication by replication (common random numbers).
    """

    scenario: Scenario
    seed: int
    replications: int
    summary: pd.DataFrame
    intervals: pd.DataFrame
    agents: pd.DataFrame
    per_replication: pd.DataFrame
    calls: pd.DataFrame | None
    switch: pd.DataFrame
    created: str

    def kpi(self, name: str) -> dict[str, float]:
        row = self.summary.loc[name].to_dict()
        return {part: float(row[part]) for part in ("mean", "ci_low", "ci_high")}

    @property
    def verdict(self) -> str:
        """Whether the service-level goal is met, judged on the whole confidence interval."""
        sl = self.kpi("service_level")
        target = self.scenario.service_level.target
        if sl["ci_low"] >= target:
            return "met"
        if sl["ci_high"] < target:
            return "missed"
        if np.isnan(sl["ci_low"]):
            return "met" if sl["mean"] >= target else "missed"
        return "inconclusive"

    def to_summary_dict(self) -> dict[str, Any]:
        goal = self.scenario.service_level
        return {
            "scenario": self.scenario.name,
            "seed": self.seed,
            "replications": self.replications,
            "callsim_version": __version__,
            "created": self.created,
            "service_level_goal": {
                "target": goal.target,
                "threshold_s": goal.threshold_s,
                "definition": goal.definition,
                "short_abandon_s": goal.short_abandon_s,
                "verdict": self.verdict,
            },
            "kpis": {name: _json_kpi(self.kpi(name)) for name in self.summary.index},
        }


def _json_kpi(kpi: dict[str, float]) -> dict[str, float | None]:
    return {k: (None if np.isnan(v) else v) for k, v in kpi.items()}


def assemble(
    scenario: Scenario,
    seed: int,
    outputs: list[ReplicationOutput],
    grid: TimeGrid,
    roster: Roster,
) -> SimulationResult:
    names = kpis_in("horizon")
    horizon = np.array([[o.kpis.horizon[k] for k in names] for o in outputs])
    mean, lo, hi = t_interval(horizon)
    summary = pd.DataFrame({"mean": mean, "ci_low": lo, "ci_high": hi}, index=list(names))
    summary.index.name = "kpi"

    day, clock = grid.labels()
    columns: dict[str, object] = {"day": day, "start": clock}
    interval_kpis = kpis_in("interval")
    mean, lo, hi = t_interval(_stacked([o.kpis.intervals for o in outputs], interval_kpis))
    for k, name in enumerate(interval_kpis):
        columns[f"{name}_mean"] = mean[:, k]
        columns[f"{name}_ci_low"] = lo[:, k]
        columns[f"{name}_ci_high"] = hi[:, k]
    intervals = pd.DataFrame(columns)

    groups = list(scenario.agents.groups)
    agent_kpis = kpis_in("agent")
    mean, lo, hi = t_interval(_stacked([o.kpis.agents for o in outputs], agent_kpis))
    columns = {"agent": roster.label, "group": [groups[g] for g in roster.group]}
    columns.update({name: mean[:, k] for k, name in enumerate(agent_kpis)})
    columns["occupancy_ci_low"] = lo[:, agent_kpis.index("occupancy")]
    columns["occupancy_ci_high"] = hi[:, agent_kpis.index("occupancy")]
    agents = pd.DataFrame(columns)

    per_rep = pd.DataFrame(horizon, columns=list(names))
    per_rep.index.name = "replication"
    frames = [o.calls.assign(replication=r) for r, o in enumerate(outputs) if o.calls is not None]
    calls = pd.concat(frames, ignore_index=True) if frames else None
    switch = pd.concat(
        [o.switch.assign(replication=r) for r, o in enumerate(outputs)], ignore_index=True
    )
    return SimulationResult(
        scenario=scenario,
        seed=seed,
        replications=len(outputs),
        summary=summary,
        intervals=intervals,
        agents=agents,
        per_replication=per_rep,
        calls=calls,
        switch=switch,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def _stacked(tables: list[dict[str, np.ndarray]], names: tuple[str, ...]) -> np.ndarray:
    """(replication, row, KPI) with the KPIs in the catalogue's order, for one t-interval pass."""
    return np.stack([np.column_stack([t[k] for k in names]) for t in tables])
