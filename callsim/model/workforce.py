"""Who holds each seat of the roster over the weeks: leavers, empty seats, trainees and new hires
who learn (the scenario's ``workforce:``, :mod:`callsim.scenario.workforce`).

A seat is a roster row (``group/08:00-16:00#3``): its shifts stay the plan's, its holders change.
The seat's history is drawn from a stream of its own, keyed by its label, so two plans on the
same seed see the same people leave the seats they share, however many other seats either plan
has (common random numbers). Histories are drawn before the clock starts, and the roster takes
them in before shrinkage is allocated, so the time off the phones is shared among the agents
actually there.

The engine reads a holder's skills at each login (:meth:`Turnover.skills`): a session is worked
at the skill its holder had when it began, which over a learning curve of weeks is exact to a
shift.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field

import numpy as np

from callsim.model.streams import SOURCES
from callsim.scenario.schema import SECONDS_PER_DAY, Scenario
from callsim.scenario.workforce import Workforce

SECONDS_PER_WEEK = 7 * SECONDS_PER_DAY

Span = tuple[float, float]


@dataclass(frozen=True)
class Holder:
    """One person in a seat: hired (training starts), on the phones, gone. The roster's own
    agents were hired before the horizon (``-inf``); a holder who stays is gone at ``inf``."""

    hired: float
    on_phones: float
    gone: float

    @property
    def new(self) -> bool:
        return self.hired > -math.inf


@dataclass
class Turnover:
    """The seats' histories for one replication, and the learning curve they are read with."""

    config: Workforce
    seed: int
    replication: int
    sells: bool
    """Whether the plan sells: the selling factor on attrition applies only then."""
    horizon_end: float
    holders: list[list[Holder]] = field(default_factory=list)
    """Per roster agent (seat), its holders in time order; empty for agents outside the
    workforce (the standby pool)."""

    @classmethod
    def for_run(cls, scenario: Scenario, seed: int, replication: int) -> Turnover | None:
        if scenario.workforce is None:
            return None
        return cls(
            config=scenario.workforce,
            seed=seed,
            replication=replication,
            sells=scenario.selling.policy.may_sell(),
            horizon_end=scenario.horizon.days * SECONDS_PER_DAY,
        )

    def draw(self, label: str, trained_to_sell: bool) -> list[Holder]:
        """The seat's holders over the horizon, from its own stream."""
        config = self.config
        rate = -math.log1p(-config.attrition_per_week) / SECONDS_PER_WEEK
        if self.sells and trained_to_sell and config.selling_attrition_factor is not None:
            rate *= config.selling_attrition_factor
        delay = round(config.hiring_delay_weeks * 7) * SECONDS_PER_DAY
        training = round(config.training_weeks * 7) * SECONDS_PER_DAY
        key = (self.replication, SOURCES.index("workforce"), _seat_key(label))
        rng = np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=key))
        holders: list[Holder] = []
        hired, on_phones, clock = -math.inf, -math.inf, 0.0
        while True:
            decides = clock + rng.standard_exponential() / rate if rate > 0 else math.inf
            # They work out the day they decide on and are gone from the next one's start.
            gone = (
                (math.floor(decides / SECONDS_PER_DAY) + 1) * SECONDS_PER_DAY
                if decides < self.horizon_end
                else math.inf
            )
            if gone >= self.horizon_end:
                holders.append(Holder(hired, on_phones, math.inf))
                return holders
            holders.append(Holder(hired, on_phones, gone))
            hired = gone + delay
            if hired >= self.horizon_end:
                return holders
            on_phones, clock = hired + training, hired

    def take(self, agents: list[tuple[str, bool]]) -> None:
        """Draw the history of every seat: ``(label, trained_to_sell)`` per roster agent."""
        self.holders = [self.draw(label, trained) for label, trained in agents]

    def away(self, agent: int) -> tuple[list[Span], list[Span]]:
        """The seat's time empty (unpaid, off the phones) and in training (paid, off them)."""
        held = self.holders[agent]
        empty = [
            (before.gone, after.hired if after is not None else math.inf)
            for before, after in zip(held, [*held[1:], None], strict=True)
            if before.gone < math.inf
        ]
        training = [(h.hired, min(h.on_phones, h.gone)) for h in held if h.new]
        return empty, training

    def skills(self, agent: int, now: float) -> tuple[float, float, float]:
        """Multipliers of the agent's handle-time factor, sales skill and resolution odds for
        a session starting ``now``: 1 for a tenured holder; along the learning curve for a new
        hire, by their weeks on the phones."""
        if agent >= len(self.holders):  # outside the workforce: the standby pool
            return 1.0, 1.0, 1.0
        for holder in self.holders[agent]:
            if holder.hired <= now < holder.gone:
                if not holder.new:
                    return 1.0, 1.0, 1.0
                weeks = max(now - holder.on_phones, 0.0) / SECONDS_PER_WEEK
                left = 2.0 ** (-weeks / self.config.learning_half_life_weeks)
                start = self.config.new_hire
                return (
                    1.0 + (start.handle_time_factor - 1.0) * left,
                    1.0 + (start.sales_skill - 1.0) * left,
                    1.0 + (start.resolution_skill - 1.0) * left,
                )
        return 1.0, 1.0, 1.0


def _seat_key(label: str) -> int:
    """A 128-bit key of the seat's label: with a 32-bit one, two of the thousands of seats a
    large centre has would share a history now and then."""
    return int.from_bytes(hashlib.blake2b(label.encode(), digest_size=16).digest(), "little")


def subtract(spans: list[Span], holes: list[Span]) -> list[Span]:
    """``spans`` (disjoint, in time order) without any time inside ``holes``."""
    out = list(spans)
    for h_start, h_end in holes:
        if h_end <= h_start:
            continue
        kept: list[Span] = []
        for s, e in out:
            if e <= h_start or s >= h_end:
                kept.append((s, e))
                continue
            if s < h_start:
                kept.append((s, h_start))
            if e > h_end:
                kept.append((h_end, e))
        out = kept
    return out
