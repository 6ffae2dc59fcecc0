"""The marketing screen: which product to offer this caller, and whether the pitch sells.

Eligibility (reason, segment, product not already held), the contact rules and the customer's
history decide what may be offered; products are ranked by expected value and the agent offers
the best one (or one drawn by expected value). History lives only for customers who have been
offered something, so its memory grows with offers, not with calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from callsim.scenario.schema import Scenario

SECONDS_PER_DAY = 86_400.0


@dataclass
class CustomerHistory:
    owned: set[int]
    offers: list[float] = field(default_factory=list)
    last_refusal: float = -np.inf


@dataclass(frozen=True)
class Pitch:
    product: int
    duration_s: float
    converted: bool


class SalesDesk:
    def __init__(
        self,
        scenario: Scenario,
        offer_rng: np.random.Generator,
        history_rng: np.random.Generator,
    ) -> None:
        selling = scenario.selling
        assert selling is not None
        reasons = list(scenario.reasons)
        segments = list(scenario.customers.segments)
        self.products = list(scenario.products.values())
        self.value = np.array([p.value for p in self.products])
        self.weight = np.array([p.kpi_weight for p in self.products])
        self.owned_share = np.array([p.owned_share for p in self.products])
        rules = selling.contact_rules
        self.max_offers = rules.max_offers
        self.window_s = rules.window_days * SECONDS_PER_DAY
        self.cooldown_s = rules.cooldown_after_refusal_days * SECONDS_PER_DAY
        self.refused_factor = rules.refused_before_factor
        self.size = selling.recommender.size
        self.weighted = selling.recommender.rule == "weighted"
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
        self.history_rng = history_rng
        self.history: dict[int, CustomerHistory] = {}

    def _history(self, customer: int) -> CustomerHistory:
        h = self.history.get(customer)
        if h is None:
            held = self.history_rng.random(len(self.products)) < self.owned_share
            h = CustomerHistory(owned=set(np.flatnonzero(held).tolist()))
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

    def pitch(
        self, customer: int, reason: int, segment: int, skill: float, now: float
    ) -> Pitch | None:
        """Offer a product now, if any may be offered; records the customer's response."""
        screen = self.recommend(customer, reason, segment, now)
        if not screen:
            return None
        rng = self.offer_rng
        if self.weighted and len(screen) > 1:
            ev = self.base[reason, segment, screen] * self.value[screen]
            total = ev.sum()
            product = screen[int(rng.choice(len(screen), p=ev / total))] if total else screen[0]
        else:
            product = screen[0]
        h = self.history[customer]
        p = self.base[reason, segment, product] * skill
        if h.last_refusal > -np.inf:
            p *= self.refused_factor
        duration = float(self.products[product].pitch.sample(rng, 1)[0])
        converted = bool(rng.random() < min(p, 1.0))
        h.offers.append(now)
        if converted:
            h.owned.add(product)
        else:
            h.last_refusal = now
        return Pitch(product, duration, converted)
