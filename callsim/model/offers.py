"""The marketing screen: which product to offer this caller, and whether the pitch sells.

Eligibility (reason, segment, product not already held), the contact rules and the customer's
history decide what may be offered; products are ranked by expected value and the screen lists
the best few. The agent offers the first, one drawn by expected value, or the one that fits this
customer best (``selling.recommender.rule``). History lives only for customers who have been
offered something, so its memory grows with offers, not with calls.

Common random numbers: whether the caller buys, how long the pitch takes and which product a
weighted screen picks come from the caller's own uniforms in the call log
(:mod:`callsim.model.demand`), and what a customer already holds and how much they like each
product come from a hash of the customer's number keyed by the replication's ``history`` stream.
None of them depends on the order in which offers are made, so two plans on the same seed that
offer the same caller the same product get the same answer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import TYPE_CHECKING

import numpy as np

from callsim.model.hashing import GOLDEN, M64, splitmix64
from callsim.scenario.schema import Scenario

if TYPE_CHECKING:
    from callsim.model.calllog import CallLog

SECONDS_PER_DAY = 86_400.0
_NORMAL = NormalDist()


@dataclass
class CustomerHistory:
    owned: set[int]
    fit: np.ndarray | None = None
    """Per product, this customer's factor on conversion (mean 1 over customers); None: all 1."""
    offers: list[float] = field(default_factory=list)
    last_refusal: float = -np.inf


@dataclass(frozen=True)
class Pitch:
    product: int
    duration_s: float
    converted: bool


def customer_uniforms(key: int, customer: int, n: int) -> np.ndarray:
    """``n`` uniforms in [0, 1) that are a function of (key, customer) only: a splitmix64 hash
    of a counter, so a customer's draws do not depend on when, or whether, others were drawn."""
    x = (key ^ (customer * GOLDEN)) & M64
    bits = [splitmix64((x + GOLDEN * i) & M64) >> 11 for i in range(1, n + 1)]
    return np.array(bits, dtype=float) * 2.0**-53


class SalesDesk:
    def __init__(
        self,
        scenario: Scenario,
        offer_rng: np.random.Generator,
        history_rng: np.random.Generator,
    ) -> None:
        """``offer_rng`` serves only direct calls of :meth:`pitch` without the caller's own
        uniforms; ``history_rng`` gives the keys of the customers' holdings and tastes."""
        selling = scenario.selling
        assert selling is not None
        reasons = list(scenario.reasons)
        segments = list(scenario.customers.segments)
        self.products = list(scenario.products.values())
        self.value = np.array([p.value_per_sale for p in self.products])
        self.weight = np.array([p.kpi_weight for p in self.products])
        self.owned_share = np.array([p.owned_share for p in self.products])
        rules = selling.contact_rules
        self.max_offers = rules.max_offers
        self.window_s = rules.window_days * SECONDS_PER_DAY
        self.cooldown_s = rules.cooldown_after_refusal_days * SECONDS_PER_DAY
        self.refused_factor = rules.refused_before_factor
        recommender = selling.recommender
        self.size = recommender.size
        self.rule = recommender.rule
        sigma2 = math.log1p(recommender.taste_cv**2)
        self.taste_sigma = math.sqrt(sigma2)
        self.taste_mu = -sigma2 / 2  # a lognormal factor of mean 1
        # Conversion before skill and history, per (reason, segment, product); 0 = not eligible.
        self.base = np.zeros((len(reasons), len(segments), len(self.products)))
        for k, p in enumerate(self.products):
            for r, reason in enumerate(reasons):
                if reason in rules.never_reasons or (p.reasons and reason not in p.reasons):
                    continue
                for s, segment in enumerate(segments):
                    if p.segments and segment not in p.segments:
                        continue
                    factor = p.segment_factor.get(segment, 1.0) * p.reason_factor.get(reason, 1.0)
                    self.base[r, s, k] = p.conversion * factor
        self.offer_rng = offer_rng
        self.owned_key, self.taste_key = (int(k) for k in history_rng.integers(0, 2**63, 2))
        self.history: dict[int, CustomerHistory] = {}

    def _history(self, customer: int) -> CustomerHistory:
        h = self.history.get(customer)
        if h is None:
            n = len(self.products)
            held = customer_uniforms(self.owned_key, customer, n) < self.owned_share
            fit = None
            if self.taste_sigma > 0:
                u = customer_uniforms(self.taste_key, customer, n)
                z = np.array([_NORMAL.inv_cdf(max(float(x), 1e-300)) for x in u])
                fit = np.exp(self.taste_mu + self.taste_sigma * z)
            h = CustomerHistory(owned=set(np.flatnonzero(held).tolist()), fit=fit)
            self.history[customer] = h
        return h

    def recommend(self, customer: int, reason: int, segment: int, now: float) -> list[int]:
        """Products for the screen, best expected value first; empty if the rules forbid."""
        base = self.base[reason, segment]
        if not base.any() or self.max_offers == 0:
            return []
        h = self._history(customer)
        if now - h.last_refusal < self.cooldown_s:
            return []
        if sum(1 for t in h.offers if now - t < self.window_s) >= self.max_offers:
            return []
        ev = base * self.value
        ranked = [int(k) for k in np.argsort(-ev, kind="stable") if base[k] > 0]
        return [k for k in ranked if k not in h.owned][: self.size]

    def pitch_call(self, calls: CallLog, row: int, skill: float, now: float) -> Pitch | None:
        """:meth:`pitch` for the call in row ``row``, on that caller's own uniforms."""
        draws = calls.draws
        choice = draws.get("u_choice")
        return self.pitch(
            int(calls.customer[row]),
            int(calls.reason[row]),
            int(calls.segment[row]),
            skill,
            now,
            (
                float(draws["u_purchase"][row]),
                float(draws["u_pitch"][row]),
                0.0 if choice is None else float(choice[row]),
            ),
        )

    def pitch(
        self,
        customer: int,
        reason: int,
        segment: int,
        skill: float,
        now: float,
        uniforms: tuple[float, float, float] | None = None,
    ) -> Pitch | None:
        """Offer a product now, if any may be offered; records the customer's response.

        ``uniforms`` are the caller's own (buying, pitch length, a weighted screen's pick), each
        in [0, 1); without them they are drawn from ``offer_rng`` in the order offers are made."""
        screen = self.recommend(customer, reason, segment, now)
        if not screen:
            return None
        if uniforms is None:
            u_buy, u_time, u_pick = (float(u) for u in self.offer_rng.random(3))
        else:
            u_buy, u_time, u_pick = uniforms
        h = self.history[customer]
        fit = h.fit
        if len(screen) == 1 or self.rule == "top":
            product = screen[0]
        elif self.rule == "weighted":
            ev = self.base[reason, segment, screen] * self.value[screen]
            cumulative = np.cumsum(ev)
            total = float(cumulative[-1])
            pick = int(np.searchsorted(cumulative, u_pick * total, side="right")) if total else 0
            product = screen[min(pick, len(screen) - 1)]
        else:  # "fit": highest expected value for this customer
            ev = self.base[reason, segment, screen] * self.value[screen]
            if fit is not None:
                ev = ev * fit[screen]
            product = screen[int(np.argmax(ev))]
        p = float(self.base[reason, segment, product]) * skill
        if fit is not None:
            p *= float(fit[product])
        if h.last_refusal > -np.inf:
            p *= self.refused_factor
        duration = self.products[product].pitch.quantile(u_time)
        converted = bool(u_buy < min(p, 1.0))
        h.offers.append(now)
        if converted:
            h.owned.add(product)
        else:
            h.last_refusal = now
        return Pitch(product, duration, converted)
