"""The staffing × selling frontier: for each candidate selling policy, the cheapest staffing
that meets the service-level goal, and what it earns.

Selling lengthens calls, so a policy that sells more needs more agents to keep the goal; the
question a planner asks is whether what it earns pays for them. Each candidate is therefore
staffed for itself, as ``callsim staff`` and ``callsim schedule`` would: its requirement sized
by simulation (the iterative staffing algorithm, with that policy's offers in the calls), then,
when the scenario has shift templates, covered by the cheapest shifts that the simulation shows
meeting the goal (``callsim schedule``'s loop); without templates the requirement itself is the
staffing (agents per interval). The staffed candidates are then simulated together on common
random numbers, so their differences in staff cost, revenue and net contribution are paired
differences with narrow intervals, and the verdicts are the comparison's.

**The best candidate** earns the most net contribution among those whose own service-level
verdict is met (the CI's lower end reaches the target: the rule of every verdict); the
baseline of the paired differences is ``never`` when it is a candidate (does selling pay for
itself?), else the first candidate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from callsim.experiment.pairing import Comparison, compare_results
from callsim.experiment.runner import simulate_many
from callsim.model.roster import build_roster
from callsim.model.timegrid import time_grid
from callsim.planning.isa import IsaResult, isa_requirement
from callsim.planning.schedule import Schedule, build_schedule
from callsim.scenario.candidates import expand
from callsim.scenario.files import scenario_from_dict
from callsim.scenario.overrides import deep_merge
from callsim.scenario.schema import Scenario

PlanProgress = Callable[[str, int, int], None]
"""Called with (what is being done, candidates done, candidates in all)."""


@dataclass(frozen=True)
class Candidate:
    name: str
    policy: dict[str, Any]
    scenario: Scenario
    """The input with this selling policy."""
    requirement: IsaResult
    schedule: Schedule | None
    """The shifts, when the scenario has templates (``scheduling:``)."""
    staffed: Scenario
    """What is finally simulated: the schedule's roster, or the requirement as staffing."""


@dataclass(frozen=True)
class Plan:
    base: Scenario
    candidates: list[Candidate]
    comparison: Comparison
    """The staffed candidates side by side, paired against the baseline."""
    best: str | None
    """Most net contribution among the candidates meeting the goal; None if none does."""

    @property
    def baseline(self) -> str:
        return self.comparison.baseline

    def table(self) -> pd.DataFrame:
        """One row per candidate: its staffing (agents, paid hours), service level and
        verdict, staff cost, revenue and net contribution (mean and CI), the paired difference
        in net contribution to the baseline with its CI and verdict, and ``best``."""
        t = self.comparison.table
        nets = {str(r["plan"]): r for r in t[t["kpi"] == "net_contribution"].to_dict("records")}
        rows = []
        for cand in self.candidates:
            result = self.comparison.results[cand.name]
            row: dict[str, Any] = {
                "candidate": cand.name,
                "kind": cand.policy["kind"],
                "staffing": "shifts" if cand.schedule is not None else "per interval",
                "agents": len(build_roster(cand.staffed, time_grid(cand.staffed))),
                "paid_hours": result.kpi("paid_hours")["mean"],
                "verdict": result.verdict,
            }
            for kpi in ("service_level", "staff_cost", "revenue", "net_contribution"):
                k = result.kpi(kpi)
                row[f"{kpi}_mean"], row[f"{kpi}_ci_low"], row[f"{kpi}_ci_high"] = (
                    k["mean"],
                    k["ci_low"],
                    k["ci_high"],
                )
            net = nets[cand.name]
            row["net_diff"] = net["diff"]
            row["net_diff_ci_low"] = net["diff_ci_low"]
            row["net_diff_ci_high"] = net["diff_ci_high"]
            row["net_diff_verdict"] = net["verdict"]
            row["best"] = cand.name == self.best
            rows.append(row)
        return pd.DataFrame(rows)


def plan_policies(
    scenario: Scenario,
    policies: list[dict[str, Any]] | None = None,
    *,
    replications: int = 20,
    seed: int | None = None,
    workers: int | None = None,
    progress: PlanProgress | None = None,
    cluster: Any = None,
) -> Plan:
    """Staff each candidate policy for the goal and compare them at that staffing (see the
    module's docstring). ``policies``: candidate ``selling.policy`` mappings (ranges expand,
    as in ``plan:``); default the scenario's ``plan.policies``, else ``never`` and the
    scenario's own policy."""
    candidates = expand(policies if policies is not None else _default_policies(scenario))
    seed = scenario.simulation.seed if seed is None else seed
    base = scenario.model_dump(mode="json", exclude_none=True)
    base.pop("plan", None)
    staffed: list[Candidate] = []
    for done, (name, policy) in enumerate(candidates.items()):
        data = deep_merge(base, {"name": f"{scenario.name} ({name})"})
        data["selling"] = {**data.get("selling", {}), "policy": policy}
        # The scenario is resolved (CSV tables inlined), so no path is read from base_dir.
        own = scenario_from_dict(data, label=f"plan candidate {name}", base_dir=Path.cwd())
        if progress:
            progress(f"{name}: sizing by simulation", done, len(candidates))
        need = isa_requirement(
            own, replications=replications, seed=seed, workers=workers, cluster=cluster
        )
        schedule = None
        roster = need.staffed()
        if own.scheduling is not None:
            if progress:
                progress(f"{name}: shifts", done, len(candidates))
            schedule = build_schedule(
                own,
                need.table["required_scheduled"].to_numpy(dtype=float),
                replications=replications,
                seed=seed,
                workers=workers,
                cluster=cluster,
            )
            roster = schedule.scheduled
        staffed.append(Candidate(name, policy, own, need, schedule, roster))
    if progress:
        progress("comparing at goal-meeting staffing", len(candidates), len(candidates))
    order = sorted(staffed, key=lambda c: c.policy["kind"] != "never")  # never first, if any
    results = simulate_many(
        [c.staffed for c in order],
        replications=replications,
        seed=seed,
        workers=workers,
        cluster=cluster,
    )
    comparison = compare_results({c.name: r for c, r in zip(order, results, strict=True)})
    met = [c.name for c in staffed if comparison.results[c.name].verdict == "met"]
    net = {n: comparison.results[n].kpi("net_contribution")["mean"] for n in met}
    best = max(met, key=lambda n: net[n]) if met else None
    return Plan(base=scenario, candidates=staffed, comparison=comparison, best=best)


def _default_policies(scenario: Scenario) -> list[dict[str, Any]]:
    if scenario.plan is not None:
        return scenario.plan.policies
    own = scenario.selling.policy.model_dump(mode="json", exclude_none=True)
    return [{"kind": "never"}] + ([own] if own["kind"] != "never" else [])
