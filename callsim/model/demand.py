"""The callers of one replication, drawn before the clock starts.

Drawing every first-attempt caller up front (arrival, reason, segment, patience, talk and wrap-up
time) is what lets two plans on the same seed face the very same callers, and keeps random draws
out of the engine's hot path.

The caller's own uniforms for decisions taken later are drawn here too (float32, one stream per
kind): whether they buy, how long a pitch takes and which product a weighted screen picks (only
when the scenario has products), whether they call again, after how long and with what patience
(only when anyone calls again). A decision then depends on who the caller is, not on how many
decisions came before it, so two plans on the same seed offer the same caller the same choice
(common random numbers) even when one plan makes more offers than the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from callsim.model.timegrid import TimeGrid
from callsim.policies import make_policy
from callsim.scenario.reason_mix import reason_shares
from callsim.scenario.schema import Scenario

SELLING_DRAWS = ("u_purchase", "u_pitch", "u_choice")
"""The caller's uniforms for an offer: buying, the pitch's length, a weighted screen's pick."""
AGAIN_DRAWS = ("u_again", "u_delay", "u_patience")
"""The caller's uniforms for calling again: whether, after how long, and with what patience."""
RESOLUTION_DRAWS = ("u_resolve",)
"""The caller's uniform for whether an answered call resolves their request."""
STEERING_DRAWS = ("u_steer", "u_self_service")
"""The caller's uniforms for being steered to self-service, and for self-serving later."""
BALK_DRAWS = ("u_balk",)
"""The caller's uniform for hanging up on hearing the announced wait."""
_STREAM = {
    "u_purchase": "purchase",
    "u_pitch": "pitch_time",
    "u_choice": "product_choice",
    "u_again": "again",
    "u_delay": "again_delay",
    "u_patience": "again_patience",
    "u_resolve": "resolution",
    "u_steer": "steering",
    "u_self_service": "self_service",
    "u_balk": "balk",
}


@dataclass(frozen=True)
class Demand:
    arrival: np.ndarray
    reason: np.ndarray
    segment: np.ndarray
    patience: np.ndarray
    talk: np.ndarray
    wrap: np.ndarray
    customer: np.ndarray
    draws: dict[str, np.ndarray] = field(default_factory=dict)
    """Per-caller float32 uniforms by column name (:data:`SELLING_DRAWS`, :data:`AGAIN_DRAWS`),
    only those the scenario needs."""
    ivr: np.ndarray | None = None
    """Resolved in the self-service menu (1) or not (0); None without one (:mod:`.ivr`)."""
    ivr_s: np.ndarray | None = None
    """Seconds each caller spent in the menu."""

    def __len__(self) -> int:
        return len(self.arrival)


def expected_volume(scenario: Scenario, grid: TimeGrid) -> np.ndarray:
    """Forecast calls per interval (before any day-level busyness).

    The week's ``day_factors`` are applied here, the one place every reader of the forecast
    (the draw, Erlang and ISA staffing, the handle-time weights) goes through."""
    a = scenario.arrivals
    if a.rate_per_hour is not None:
        volume = np.full(len(grid), a.rate_per_hour * grid.length_s / 3600.0)
    else:
        volume = np.asarray(a.volume, dtype=float)
        if len(volume) != len(grid):
            volume = np.tile(volume, scenario.horizon.days)
    factors = a.factor_per_day(scenario.horizon.days)
    if factors is not None:
        volume = volume * np.repeat(factors, scenario.horizon.intervals_per_day)
    return volume * a.scale


def draw_demand(scenario: Scenario, grid: TimeGrid, rng: dict[str, np.random.Generator]) -> Demand:
    """Non-homogeneous Poisson arrivals: a Poisson count per interval, spread uniformly in it."""
    volume = expected_volume(scenario, grid)
    busyness = scenario.arrivals.busyness
    if busyness is not None:
        per_day = busyness.sample(rng["busyness"], scenario.horizon.days)
        volume = volume * np.repeat(per_day, scenario.horizon.intervals_per_day)
    counts = rng["arrivals"].poisson(volume)
    n = int(counts.sum())
    arrival = np.repeat(grid.starts, counts) + rng["arrivals"].random(n) * grid.length_s
    arrival.sort()

    reasons = list(scenario.reasons.values())
    if scenario.arrivals.reason_mix is None:
        reason = _pick(rng["reasons"], reasons, n)
    else:
        reason = _reasons_by_interval(scenario, counts, rng["reasons"].random(n))
    segments = list(scenario.customers.segments.values())
    segment = _pick(rng["segments"], segments, n)

    if len(segments) == 1:  # the same draws as the masked loop below, without the masks
        dist = segments[0].patience or scenario.customers.patience
        patience = np.asarray(dist.sample(rng["patience"], n), dtype=float)
    else:
        patience = np.empty(n)
        for k, seg in enumerate(segments):
            mask = segment == k
            dist = seg.patience or scenario.customers.patience
            patience[mask] = dist.sample(rng["patience"], int(mask.sum()))
    if len(reasons) == 1:
        talk = np.asarray(reasons[0].talk.sample(rng["talk"], n), dtype=float)
        wrapup = reasons[0].wrapup or scenario.wrapup
        wrap = np.asarray(wrapup.sample(rng["wrapup"], n), dtype=float)
    else:
        talk = np.empty(n)
        wrap = np.empty(n)
        for k, r in enumerate(reasons):
            mask = reason == k
            talk[mask] = r.talk.sample(rng["talk"], int(mask.sum()))
            wrap[mask] = (r.wrapup or scenario.wrapup).sample(rng["wrapup"], int(mask.sum()))
    population = scenario.selling.population
    if population is None:
        customer = np.arange(n, dtype=np.int32)  # every first call is a different customer
    else:
        customer = rng["customers"].integers(0, population, n, dtype=np.int32)
    draws = {
        name: rng[_STREAM[name]].random(n, dtype=np.float32) for name in needed_draws(scenario)
    }
    return Demand(arrival, reason, segment, patience, talk, wrap, customer, draws)


def needed_draws(scenario: Scenario) -> tuple[str, ...]:
    """The per-caller uniforms this scenario uses: none for a line that neither sells nor sees
    anyone call again, so the call log carries no columns it does not need."""
    names: tuple[str, ...] = ()
    if scenario.products:
        weighted = scenario.selling.recommender.rule == "weighted"
        names += SELLING_DRAWS if weighted else SELLING_DRAWS[:2]
    if (
        scenario.customers.retrial is not None
        or make_policy(scenario.selling.policy).repeats
        or scenario.resolution is not None
    ):
        names += AGAIN_DRAWS
    if scenario.resolution is not None:
        names += RESOLUTION_DRAWS
    if scenario.ivr is not None and scenario.ivr.steering is not None:
        names += STEERING_DRAWS
    if scenario.announcement.enabled:
        names += BALK_DRAWS
    return names


def _reasons_by_interval(scenario: Scenario, counts: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Each caller's reason from the mix of the interval they arrive in, by inversion of one
    uniform per caller: as numpy's weighted choice draws (so a mix equal to the shares in every
    interval gives the very same reasons), and two plans facing the same callers give each the
    same reason. Arrivals are sorted, so the callers of interval k are its ``counts[k]`` in
    turn."""
    cdf = np.cumsum(reason_shares(scenario, len(counts)), axis=1)
    cdf /= cdf[:, -1:]
    interval = np.repeat(np.arange(len(counts)), counts)
    reason: np.ndarray = np.minimum((cdf[interval] <= u[:, None]).sum(axis=1), cdf.shape[1] - 1)
    return reason.astype(np.int16)


def _pick(rng: np.random.Generator, items: list, n: int) -> np.ndarray:
    """Which of ``items`` each caller has, by share. With one there is nothing to draw: the
    stream is this choice's alone, so leaving it unused changes no other draw."""
    if len(items) == 1:
        return np.zeros(n, dtype=np.int16)
    return rng.choice(len(items), n, p=_shares(items)).astype(np.int16)


def _shares(items: list) -> np.ndarray:
    p = np.array([i.share for i in items], dtype=float)
    return p / float(p.sum())
