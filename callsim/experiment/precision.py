"""Replications to a precision: batches of replications until named KPIs are known well enough.

A fixed number of replications is either wasted on a quiet centre or too few for a busy one,
whose intervals stay too wide to call the service-level verdict. Sequential stopping (as
ContactCenters offers it) runs a first batch, then more, until every named KPI's 95% half-width
is at most its target or a maximum is reached.

The batch rule: the first batch is the run's ``replications``. After ``n`` replications the
KPI furthest from its target, at half-width ``h`` against target ``t``, projects a need of
``n·(h/t)²`` replications in all (the half-width shrinks as one over √n). The next total is
that projection, but at least ``n + ⌈n/10⌉`` (so a KPI just above its target does not crawl
one replication at a time) and at most ``2n`` (so a first batch that happened to look noisy
does not send the run straight to the maximum), and never past the maximum. With several
plans (a comparison, a sweep) every plan runs the same replications and the widest plan
decides. Replication r always gets the same streams, and the rule sees only the replications'
values, so the replications used depend only on the seed, never on the workers.

The half-width is the one the summary's 95% CI shows: the t-interval of the mean over
replications.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from callsim.errors import UserError
from callsim.measure.catalogue import kpis_in
from callsim.measure.confidence import t_interval

DEFAULT_MAX_REPLICATIONS = 200
"""Assumption: the default scenario runs 200 replications in about 20 CPU seconds; a target
that needs more is better raised on purpose (``max_replications``) than run by surprise."""

MIN_GROWTH = 0.1
"""Assumption: each further batch adds at least a tenth of the replications run so far."""


@dataclass(frozen=True)
class StoppingRule:
    """KPI → half-width target, in the KPI's own unit, and the most replications to run."""

    targets: dict[str, float]
    max_replications: int


@dataclass(frozen=True)
class PrecisionOutcome:
    """How a run to a precision ended: the targets, whether every one was met, the half-widths
    at the replications used (the widest plan's), and the total after each batch."""

    targets: dict[str, float]
    max_replications: int
    reached: bool
    half_widths: dict[str, float]
    batches: tuple[int, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "targets": dict(self.targets),
            "max_replications": self.max_replications,
            "reached": self.reached,
            "half_widths": {
                k: (None if math.isnan(v) else float(v)) for k, v in self.half_widths.items()
            },
            "batches": list(self.batches),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PrecisionOutcome:
        return cls(
            targets={str(k): float(v) for k, v in data["targets"].items()},
            max_replications=int(data["max_replications"]),
            reached=bool(data["reached"]),
            half_widths={
                str(k): (math.nan if v is None else float(v))
                for k, v in data["half_widths"].items()
            },
            batches=tuple(int(b) for b in data["batches"]),
        )


def check_targets(targets: Mapping[str, float], where: str) -> dict[str, float]:
    """The targets, if every name is a whole-horizon KPI and every half-width a positive
    number; otherwise a one-line error starting with ``where``."""
    known = kpis_in("horizon")
    out = {}
    for name, value in targets.items():
        if name not in known:
            close = difflib.get_close_matches(name, known, n=3)
            hint = f"did you mean {' or '.join(close)}?" if close else f"KPIs: {', '.join(known)}"
            raise UserError(f"{where}: unknown KPI {name!r}; {hint}")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise UserError(f"{where}: {name}: expected a half-width, got {value!r}")
        if not (math.isfinite(value) and value > 0):
            raise UserError(f"{where}: {name}: the half-width must be above 0, got {value!r}")
        out[name] = float(value)
    if not out:
        raise UserError(f"{where}: no KPI named; give KPI=HALFWIDTH, e.g. service_level=0.01")
    return out


def parse_targets(items: Sequence[str], where: str = "--precision") -> dict[str, float]:
    """``KPI=HALFWIDTH`` items (``service_level=0.01``, ``asa_s=2``) as targets."""
    targets: dict[str, float] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UserError(
                f"{where}: expected KPI=HALFWIDTH (e.g. service_level=0.01), got {item!r}"
            )
        try:
            value = float(text)
        except ValueError:
            raise UserError(f"{where}: {name}: expected a number, got {text.strip()!r}") from None
        if name in targets:
            raise UserError(f"{where}: {name}: given twice")
        targets[name] = value
    return check_targets(targets, where)


def stopping_rule(
    targets: Mapping[str, float] | None,
    max_replications: int | None,
    first_batch: int,
    *,
    where: str = "precision",
) -> StoppingRule | None:
    """The rule a run follows, or ``None`` for a fixed number of replications; ``where`` names
    where the targets came from, for the errors."""
    if not targets:
        if max_replications is not None:
            raise UserError("max_replications: only used with precision targets")
        return None
    checked = check_targets(targets, where)
    maximum = DEFAULT_MAX_REPLICATIONS if max_replications is None else max_replications
    if first_batch < 2:
        raise UserError(
            f"{where}: a half-width needs at least 2 replications in the first batch, "
            f"got replications={first_batch}"
        )
    if maximum < first_batch:
        raise UserError(
            f"max_replications: {maximum} is below the first batch of {first_batch} "
            "replications; raise it or run fewer replications first"
        )
    return StoppingRule(checked, maximum)


def half_widths(values: Sequence[np.ndarray], names: Sequence[str]) -> dict[str, float]:
    """Each KPI's widest 95% half-width over the plans; ``values`` holds one (replication,
    KPI) array per plan, the KPIs in ``names``' order. Undefined (NaN) if any plan has fewer
    than two replications where the KPI is defined."""
    widest = np.zeros(len(names))
    for table in values:
        _, low, high = t_interval(table)
        widest = np.maximum(widest, (high - low) / 2)  # NaN wins: an undefined width is not met
    return {name: float(w) for name, w in zip(names, widest, strict=True)}


def reached(widths: Mapping[str, float], rule: StoppingRule) -> bool:
    return all(widths[k] <= t for k, t in rule.targets.items())  # NaN compares False


def next_total(n: int, widths: Mapping[str, float], rule: StoppingRule) -> int:
    """Replications in all after the next batch (the module's batch rule)."""
    ratio = max(
        math.inf if math.isnan(widths[k]) else widths[k] / t for k, t in rule.targets.items()
    )
    projected = math.ceil(n * ratio**2) if math.isfinite(ratio) else 2 * n
    step = max(projected, n + math.ceil(MIN_GROWTH * n))
    return min(step, 2 * n, rule.max_replications)
