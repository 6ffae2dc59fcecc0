"""What a simulation returns: pandas tables of KPIs with 95% intervals over replications."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from callsim.experiment.call_table import legend, named
from callsim.experiment.goal import goal_statement
from callsim.experiment.precision import PrecisionOutcome
from callsim.measure import routing as routing_kpis
from callsim.measure import weekly
from callsim.measure.catalogue import extra_kpis, kpis_in
from callsim.measure.confidence import jackknife_interval, t_interval
from callsim.measure.products import product_table
from callsim.measure.slices import KPI_GROUP, SLICES, members
from callsim.measure.tables import kpi_table
from callsim.measure.waits import wait_distribution
from callsim.model.roster import Roster
from callsim.model.standby import group_names
from callsim.model.timegrid import TimeGrid
from callsim.scenario.schema import Scenario
from callsim.version import __version__

if TYPE_CHECKING:  # reading results back must not import the engine
    from callsim.experiment.replication import ReplicationOutput


@dataclass(frozen=True)
class SimulationResult:
    """KPIs of a scenario: ``summary`` (whole horizon), ``intervals``, ``agents``, ``calls``,
    and ``switch``, the marketing switch's (time_s, on) timeline of every replication.

    Every KPI is given two ways. ``mean`` and its CI average each replication's own value (the
    service level of each simulated day, averaged over days); ``call_weighted`` pools the
    replications' counts first (every call counted once: answered within T over all offered),
    as a planner's monthly report does, with a jackknife CI. They differ when busy days have
    more calls and a worse service level; the scenario's ``service_level.verdict_on`` says
    which one the verdict uses.

    ``per_replication`` keeps every replication's horizon KPIs, and ``replication_sums`` the
    counts and spans they are made of: comparisons of plans pair them replication by
    replication (common random numbers). ``slices`` holds the KPIs by reason, segment, day,
    agent group and shift (see :meth:`by`).

    ``calls`` (only when asked for: ``keep_calls``) is one row per call and replication, with
    reason, segment, agent, outcome and product as integer codes, as the model keeps them
    (:mod:`callsim.experiment.call_table`); :meth:`named_calls` gives the same table with names.
    ``precision``, for a run to a precision, says whether every half-width target was met,
    and ``replications`` how many that took.
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
    replication_sums: pd.DataFrame
    slices: dict[str, pd.DataFrame]
    precision: PrecisionOutcome | None = None
    waits: pd.DataFrame | None = None
    """The share of offered calls answered within t (``wait_s``), mean and 95% CI over
    replications; none for results saved before it was kept."""
    products: pd.DataFrame | None = None
    """Offers, sales and revenue per product (mean and 95% CI); none without products."""

    def kpi(self, name: str, estimate: str = "mean") -> dict[str, float]:
        """Mean and CI of a KPI, by the mean of the replications' values (``"mean"``) or the
        call-weighted ratio (``"call_weighted"``)."""
        row = self.summary.loc[name].to_dict()
        prefix = "" if estimate == "mean" else f"{estimate}_"
        mean = "mean" if estimate == "mean" else estimate
        return {
            "mean": float(row[mean]),
            "ci_low": float(row[f"{prefix}ci_low"]),
            "ci_high": float(row[f"{prefix}ci_high"]),
        }

    def call_names(self) -> dict[str, list[str]]:
        """The name of each code in ``calls``: reasons, segments, agents (the agents table's
        labels), outcomes and products."""
        return legend(self.scenario, self.agents["agent"])

    def named_calls(self) -> pd.DataFrame | None:
        """``calls`` with names instead of codes (categoricals), as ``calls.csv.gz`` holds it."""
        return None if self.calls is None else named(self.calls, self.call_names())

    def by(self, kind: str) -> pd.DataFrame:
        """KPIs by ``"reason"``, ``"segment"``, ``"day"``, ``"group"``, ``"shift"`` or
        ``"interval"``, and where the scenario has them by ``"week"``, ``"call_type"`` or
        ``"routing_group"``: one row per member, columns ``<kpi>_mean``, ``_ci_low``, ``_ci_high``
        (95% CIs over replications)."""
        if kind == "interval":
            return self.intervals
        try:
            return self.slices[kind]
        except KeyError:
            known = ", ".join(["interval", *self.slices])
            raise KeyError(f"no slice {kind!r}; this result's slices are {known}") from None

    @property
    def verdict(self) -> str:
        """Whether the service-level goal is met, judged on the whole confidence interval of
        the estimate the goal names (``service_level.verdict_on``)."""
        sl = self.kpi("service_level", _ESTIMATES[self.scenario.service_level.verdict_on])
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
                "verdict_on": goal.verdict_on,
                "verdict": self.verdict,
            },
            "precision": None if self.precision is None else self.precision.to_dict(),
            "goal_statement": goal_statement(self).to_dict(),
            "kpis": {name: _json_kpi(row) for name, row in self.summary.iterrows()},
        }


_ESTIMATES = {"replication_mean": "mean", "call_weighted": "call_weighted"}
SUMMARY_COLUMNS = (
    "mean",
    "ci_low",
    "ci_high",
    "call_weighted",
    "call_weighted_ci_low",
    "call_weighted_ci_high",
)


def _json_kpi(row: pd.Series) -> dict[str, float | None]:
    return {k: (None if np.isnan(row[k]) else float(row[k])) for k in SUMMARY_COLUMNS}


def assemble(
    scenario: Scenario,
    seed: int,
    outputs: list[ReplicationOutput],
    grid: TimeGrid,
    roster: Roster,
) -> SimulationResult:
    definition = scenario.service_level.definition
    names = kpis_in("horizon") + extra_kpis(scenario)
    horizon = np.array([[o.kpis.horizon[k] for k in names] for o in outputs])
    mean, lo, hi = t_interval(horizon)
    summary = pd.DataFrame({"mean": mean, "ci_low": lo, "ci_high": hi}, index=list(names))
    summary.index.name = "kpi"
    sums = {k: np.array([[o.kpis.sums[k]] for o in outputs]) for k in outputs[0].kpis.sums}
    span = np.array([grid.horizon_end - grid.warmup_end])
    pooled = jackknife_interval(lambda s: kpi_table(s, definition, span), sums)
    for column, part in zip(SUMMARY_COLUMNS[3:], range(3), strict=True):
        summary[column] = np.array(
            [
                pooled[k][part][0] if k in pooled else summary.loc[k, SUMMARY_COLUMNS[part]]
                for k in names
            ],
            dtype=float,
        )

    day, clock = grid.labels()
    columns: dict[str, object] = {"day": day, "start": clock}
    interval_kpis = kpis_in("interval")
    mean, lo, hi = t_interval(_stacked([o.kpis.intervals for o in outputs], interval_kpis))
    for k, name in enumerate(interval_kpis):
        columns[f"{name}_mean"] = mean[:, k]
        columns[f"{name}_ci_low"] = lo[:, k]
        columns[f"{name}_ci_high"] = hi[:, k]
    per_interval = {
        k: np.stack([o.kpis.interval_sums[k] for o in outputs]) for k in outputs[0].kpis.sums
    }
    lengths = np.full(len(grid), grid.length_s)
    pooled = jackknife_interval(lambda s: kpi_table(s, definition, lengths), per_interval)
    measured = grid.ends > grid.warmup_end
    for name in kpis_in("ratios"):
        for part, suffix in enumerate(("", "_ci_low", "_ci_high")):
            columns[f"{name}_call_weighted{suffix}"] = np.where(
                measured, pooled[name][part], np.nan
            )
    intervals = pd.DataFrame(columns)

    groups = group_names(scenario)
    agent_kpis = kpis_in("agent")
    mean, lo, hi = t_interval(_stacked([o.kpis.agents for o in outputs], agent_kpis))
    columns = {"agent": roster.label, "group": [groups[g] for g in roster.group]}
    columns.update({name: mean[:, k] for k, name in enumerate(agent_kpis)})
    columns["occupancy_ci_low"] = lo[:, agent_kpis.index("occupancy")]
    columns["occupancy_ci_high"] = hi[:, agent_kpis.index("occupancy")]
    agents = pd.DataFrame(columns)

    per_rep = pd.DataFrame(horizon, columns=list(names))
    per_rep.index.name = "replication"
    replication_sums = pd.DataFrame({k: v[:, 0] for k, v in sums.items()})
    replication_sums.index.name = "replication"
    calls = _calls(outputs)
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
        replication_sums=replication_sums,
        slices={
            **{
                kind: _slice_table(
                    kind, [o.kpis.slices[kind] for o in outputs], scenario, roster, grid
                )
                for kind in SLICES
            },
            **_routing_slices(outputs, scenario),
            **_week_slice(outputs, scenario),
        },
        waits=_waits(outputs),
        products=_products(outputs, scenario),
    )


def _products(outputs: list[ReplicationOutput], scenario: Scenario) -> pd.DataFrame | None:
    counts = [o.kpis.products for o in outputs]
    if not scenario.products or any(c is None for c in counts):
        return None
    values = np.array([p.value_per_sale for p in scenario.products.values()])
    return product_table(list(scenario.products), values, [c for c in counts if c is not None])


def _waits(outputs: list[ReplicationOutput]) -> pd.DataFrame | None:
    kept = [o.kpis.answered_within for o in outputs]
    if any(k is None for k in kept):
        return None
    offered = np.array([o.kpis.sums["offered"] for o in outputs])
    return wait_distribution(np.stack([k for k in kept if k is not None]), offered)


def _calls(outputs: list[ReplicationOutput]) -> pd.DataFrame | None:
    """Every replication's calls in one table, in replication order, ``replication`` first."""
    frames = []
    for r, output in enumerate(outputs):
        if output.calls is not None:
            frame = output.calls.copy(deep=False)
            frame.insert(0, "replication", np.full(len(frame), r, dtype=np.int32))
            frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else None


def _slice_table(
    kind: str,
    tables: list[dict[str, np.ndarray]],
    scenario: Scenario,
    roster: Roster,
    grid: TimeGrid,
) -> pd.DataFrame:
    return _member_table(kind, members(kind, scenario, roster, grid), tables, KPI_GROUP[kind])


def _routing_slices(
    outputs: list[ReplicationOutput], scenario: Scenario
) -> dict[str, pd.DataFrame]:
    """By call type and by agent group, for a scenario that routes (none otherwise)."""
    if scenario.routing is None:
        return {}
    return {
        kind: _member_table(
            kind,
            routing_kpis.members(kind, scenario),
            [o.kpis.slices[kind] for o in outputs],
            routing_kpis.KPI_GROUP[kind],
        )
        for kind in routing_kpis.SLICES
    }


def _week_slice(outputs: list[ReplicationOutput], scenario: Scenario) -> dict[str, pd.DataFrame]:
    """By week, for a horizon of two weeks or more or a workforce (none otherwise)."""
    if not weekly.has_weeks(scenario):
        return {}
    tables = [o.kpis.slices[weekly.WEEK] for o in outputs]
    return {weekly.WEEK: _member_table(weekly.WEEK, weekly.members(scenario), tables, "by_week")}


def _member_table(
    kind: str, names: list[str], tables: list[dict[str, np.ndarray]], group: str
) -> pd.DataFrame:
    """A slice's members, each KPI of the catalogue's ``group`` with its 95% CI over the
    replications' ``tables``."""
    kpis = kpis_in(group)
    mean, lo, hi = t_interval(_stacked(tables, kpis))
    columns: dict[str, object] = {kind: names}
    for k, name in enumerate(kpis):
        columns[f"{name}_mean"] = mean[:, k]
        columns[f"{name}_ci_low"] = lo[:, k]
        columns[f"{name}_ci_high"] = hi[:, k]
    return pd.DataFrame(columns)


def _stacked(tables: list[dict[str, np.ndarray]], names: tuple[str, ...]) -> np.ndarray:
    """(replication, row, KPI) with the KPIs in the catalogue's order, for one t-interval pass."""
    return np.stack([np.column_stack([t[k] for k in names]) for t in tables])
