"""Which plan is better, and by how much: paired comparisons of finished runs.

Reading results back and comparing them needs no simulation, so nothing here imports the runner.

Replication r of every plan meets the same callers, so the per-replication differences cancel the
noise the plans share; their t-interval is much narrower than the interval for two independent
samples (kept here as ``unpaired_*`` to show it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import stdtrit

from callsim.experiment.results import SimulationResult
from callsim.measure.catalogue import better, kpis_in
from callsim.measure.confidence import LEVEL, t_interval
from callsim.measure.money import one_currency


@dataclass(frozen=True)
class Comparison:
    baseline: str
    results: dict[str, SimulationResult]
    table: pd.DataFrame
    """One row per (kpi, plan): mean and CI, and the difference to the baseline with its paired
    and unpaired CIs and a verdict."""


def compare_results(
    results: dict[str, SimulationResult], kpis: tuple[str, ...] = kpis_in("compare")
) -> Comparison:
    """Compare finished runs; pairing needs the same seed and number of replications."""
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
    rows = []
    for kpi in kpis:
        base = first.per_replication[kpi].to_numpy()
        for name in names:
            r = results[name]
            row = {"kpi": kpi, "plan": name, **r.kpi(kpi)}
            values = r.per_replication[kpi].to_numpy()
            diff, lo, hi = paired_difference(base, values)
            u_lo, u_hi = unpaired_difference(base, values)
            row.update(
                diff=diff,
                diff_ci_low=lo,
                diff_ci_high=hi,
                unpaired_ci_low=u_lo,
                unpaired_ci_high=u_hi,
                verdict="baseline" if name == names[0] else verdict(kpi, lo, hi),
            )
            rows.append(row)
    return Comparison(baseline=names[0], results=results, table=pd.DataFrame(rows))


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
