"""Which plan is better, and by how much: paired comparisons of finished runs.

Reading results back and comparing them needs no simulation, so nothing here imports the runner.

Replication r of every plan meets the same callers, so the per-replication differences cancel the
noise the plans share; their t-interval is much narrower than the interval for two independent
samples (kept here as ``unpaired_*`` to show it). The call-weighted difference pairs the
replications' totals the same way (a jackknife over replications, both plans left out together).
The verdicts judge the estimate the baseline's service-level goal names (``verdict_on``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import stdtrit

from callsim.experiment.recommend import Recommendation, recommend
from callsim.experiment.results import SimulationResult
from callsim.measure import resolution
from callsim.measure.catalogue import better, kpis_in
from callsim.measure.confidence import LEVEL, jackknife_interval, t_interval
from callsim.measure.money import one_currency
from callsim.measure.tables import kpi_table
from callsim.model.timegrid import time_grid
from callsim.scenario.objective import Objective


@dataclass(frozen=True)
class Comparison:
    baseline: str
    results: dict[str, SimulationResult]
    table: pd.DataFrame
    """One row per (kpi, plan): mean and CI, and the difference to the baseline with its paired
    and unpaired CIs and a verdict."""
    objective: Objective | None = None
    """Which plan to recommend; None takes the baseline scenario's ``objective:``."""

    @property
    def recommendation(self) -> Recommendation:
        """The plan the objective picks, with its paired difference and verdict."""
        return recommend(self)


def compare_results(
    results: dict[str, SimulationResult],
    kpis: tuple[str, ...] | None = None,
    objective: Objective | None = None,
) -> Comparison:
    """Compare finished runs; pairing needs the same seed and number of replications.

    ``kpis`` defaults to the ``compare`` group, those of resolution and self-service where a plan
    models them, and the retention KPIs when every plan values retention (otherwise they are
    undefined in some plan, and no difference can be taken), and balking when a plan announces
    the wait; the KPI window's first when every plan has the same window, the standby pool's
    when every plan has one, and the headcount, its new hires, empty seats and leavers when
    every plan's workforce turns over."""
    if kpis is None:
        kpis = kpis_in("compare") + resolution.shown([r.scenario for r in results.values()])
        if all(r.scenario.retention is not None for r in results.values()):
            kpis += kpis_in("needs_retention")
        if any(r.scenario.announcement.enabled for r in results.values()):
            kpis += kpis_in("announcement")
        # Where every plan has them: a plan without a pool or a window has no such column.
        plans = [r.scenario for r in results.values()]
        if len({p.window for p in plans}) == 1 and plans[0].window is not None:
            kpis = kpis_in("window") + kpis
        if all(p.standby is not None for p in plans):
            kpis += kpis_in("standby")
        if all(p.workforce is not None for p in plans):
            kpis += ("headcount", "new_on_phones", "vacant", "leavers")
    names = list(results)
    first = results[names[0]]
    for name in names[1:]:
        r = results[name]
        if (r.seed, r.replications) != (first.seed, first.replications):
            from callsim.errors import UserError

            raise UserError(
                f"plan '{name}' ran seed {r.seed} × {r.replications} replications, but "
                f"'{names[0]}' ran seed {first.seed} × {first.replications}: "
                "paired comparison needs the same seed and replications"
            )
    one_currency({name: r.scenario for name, r in results.items()})
    weighted = first.scenario.service_level.verdict_on == "call_weighted"
    pooled = {name: call_weighted_difference(first, results[name]) for name in names}
    rows = []
    for kpi in kpis:
        base = first.per_replication[kpi].to_numpy()
        for name in names:
            r = results[name]
            row: dict[str, object] = {"kpi": kpi, "plan": name, **r.kpi(kpi)}
            values = r.per_replication[kpi].to_numpy()
            diff, lo, hi = paired_difference(base, values)
            u_lo, u_hi = unpaired_difference(base, values)
            w = r.kpi(kpi, "call_weighted")
            w_diff, w_lo, w_hi = pooled[name].get(kpi, (diff, lo, hi))
            judged = (w_lo, w_hi) if weighted else (lo, hi)
            row.update(
                diff=diff,
                diff_ci_low=lo,
                diff_ci_high=hi,
                unpaired_ci_low=u_lo,
                unpaired_ci_high=u_hi,
                call_weighted=w["mean"],
                call_weighted_ci_low=w["ci_low"],
                call_weighted_ci_high=w["ci_high"],
                call_weighted_diff=w_diff,
                call_weighted_diff_ci_low=w_lo,
                call_weighted_diff_ci_high=w_hi,
                verdict_on="call_weighted" if weighted else "replication_mean",
                verdict="baseline" if name == names[0] else verdict(kpi, *judged),
            )
            rows.append(row)
    return Comparison(
        baseline=names[0], results=results, table=pd.DataFrame(rows), objective=objective
    )


def call_weighted_difference(
    base: SimulationResult, other: SimulationResult
) -> dict[str, tuple[float, float, float]]:
    """Call-weighted KPI of ``other`` minus that of ``base``, with a paired jackknife interval:
    replication r of both plans is left out together, so the noise they share cancels."""
    span = {
        plan: np.array([grid.horizon_end - grid.warmup_end])
        for plan, grid in (("a", time_grid(base.scenario)), ("b", time_grid(other.scenario)))
    }
    definition = base.scenario.service_level.definition
    samples = {
        f"{plan}:{k}": frame[k].to_numpy()[:, None]
        for plan, frame in (("a", base.replication_sums), ("b", other.replication_sums))
        for k in frame.columns
    }

    def difference(s: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        a = kpi_table({k[2:]: v for k, v in s.items() if k[0] == "a"}, definition, span["a"])
        b = kpi_table({k[2:]: v for k, v in s.items() if k[0] == "b"}, definition, span["b"])
        return {k: b[k] - a[k] for k in a}

    out = jackknife_interval(difference, samples)
    return {k: (float(v[0][0]), float(v[1][0]), float(v[2][0])) for k, v in out.items()}


def paired_difference(base: np.ndarray, other: np.ndarray) -> tuple[float, float, float]:
    """Mean of (other − base) replication by replication, with its 95% t-interval."""
    mean, lo, hi = t_interval((other - base)[:, None])
    return float(mean[0]), float(lo[0]), float(hi[0])


def unpaired_difference(base: np.ndarray, other: np.ndarray) -> tuple[float, float]:
    """Welch's 95% interval for mean(other) − mean(base), as if the runs were independent."""
    a, b = base[~np.isnan(base)], other[~np.isnan(other)]
    if len(a) < 2 or len(b) < 2:
        return np.nan, np.nan
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = np.sqrt(va + vb)
    diff = b.mean() - a.mean()
    if se == 0:
        return float(diff), float(diff)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = stdtrit(df, 0.5 + LEVEL / 2) * se
    return float(diff - half), float(diff + half)


def verdict(kpi: str, lo: float, hi: float) -> str:
    if np.isnan(lo) or lo <= 0 <= hi:
        return "no significant difference"
    higher = lo > 0
    direction = better(kpi)
    if direction == 0:
        return "higher" if higher else "lower"
    return "better" if higher == (direction > 0) else "worse"
