"""The marketing screen: which product to offer this caller, and whether the pitch sells.

Eligibility (reason, segment, product not already held), the contact rules and the customer's
history decide what may be offered; products are ranked by expected value and the screen lists
the best few. The agent offers the first, one drawn by expected value, or the one that fits this
customer best (``selling.recommender.rule``).

Common random numbers: whether the caller buys, how long the pitch takes and which product a
weighted screen picks come from the caller's own uniforms in the call log
(:mod:`callsim.model.demand`), and what a customer already holds and how much they like each
product come from a hash of the customer's number keyed by the replication's ``history`` stream.
None of them depends on the order in which offers are made, so two plans on the same seed that
offer the same caller the same product get the same answer.

Speed: an offer may be decided at every talk end, so the decision must cost about what serving
the call does. A customer's holdings and tastes, and so which product they would be offered on a
first contact, depend on nothing the run does; for the drawn callers they are worked out for all
at once before the clock starts (:func:`first_contacts`), and an offer to a customer the run has
not met yet is a table look-up and a comparison. Customers met before (and calls made again,
which come after the table) take the general path, :meth:`SalesDesk.pitch`, the rule as written;
the table is that path's answer for a customer without history, and a test checks the two agree.
What the run changes (offers made, refusals, products bought) is kept only for customers who have
been offered something, so its memory grows with offers, not with calls.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple, cast

import numpy as np

from callsim.model.hashing import GOLDEN, M64, splitmix64, splitmix64_array
from callsim.scenario.distributions import (
    quantile_function,
    standard_normal_quantile,
    standard_normal_quantiles,
)
from callsim.scenario.schema import Scenario

if TYPE_CHECKING:
    from collections.abc import Sequence

    from callsim.model.calllog import CallLog
    from callsim.model.demand import Demand

SECONDS_PER_DAY = 86_400.0
_TINY = 1e-300
"""The normal quantile refuses 0; a uniform of exactly 0 maps to the far lower tail instead."""
_NEVER = -math.inf


class Contact:
    """What the run has done with one customer: when they were offered something, their last
    refusal, and what they bought (on top of what they held before)."""

    __slots__ = ("bought", "last_refusal", "offers")

    def __init__(self, now: float, product: int, converted: bool) -> None:
        """The first offer: ``product`` at ``now``, bought or refused."""
        self.offers = [now]
        self.bought = {product} if converted else set()
        self.last_refusal = _NEVER if converted else now

    def offered(self, now: float, product: int, converted: bool) -> None:
        self.offers.append(now)
        if converted:
            self.bought.add(product)
        else:
            self.last_refusal = now


FirstOffer = tuple[float, int, bool]
"""A customer offered something once: (when, the product, bought). What most customers' history
is, kept as a tuple, cheaper to build and to collect than a :class:`Contact` with its list and
set (it showed in the time per offer); made a :class:`Contact` when the customer is met again."""


class Pitch(NamedTuple):
    product: int
    duration_s: float
    converted: bool


def customer_uniforms(key: int, customers: np.ndarray, products: np.ndarray) -> np.ndarray:
    """Uniforms in [0, 1), one per (customer, product) pair (the arrays broadcast), each a
    function of (key, customer, product) only: a splitmix64 hash of a counter, so a customer's
    draws do not depend on when, or whether, others were drawn."""
    # At least one dimension each: numpy warns of wrap-around on scalars, not on arrays.
    x = np.uint64(key) ^ (np.atleast_1d(customers).astype(np.uint64) * np.uint64(GOLDEN))
    counter = np.atleast_1d(products).astype(np.uint64) + np.uint64(1)
    bits = splitmix64_array(x + np.uint64(GOLDEN) * counter) >> np.uint64(11)
    return bits.astype(np.float64) * 2.0**-53


def customer_uniform(key: int, customer: int, product: int) -> float:
    """One of :func:`customer_uniforms`, in plain integer arithmetic (cheaper for one)."""
    x = (key ^ (customer * GOLDEN)) & M64
    return (splitmix64((x + GOLDEN * (product + 1)) & M64) >> 11) * 2.0**-53


def first_contacts(desk: SalesDesk, callers: Demand) -> np.ndarray:
    """For each drawn caller, what a first offer to them would be, as :meth:`SalesDesk.pitch`
    decides it for a customer without history: one row of floats per call, (product (-1:
    nothing to offer), its conversion before the agent's skill, the customer's taste for it,
    the caller's uniforms for buying and for the pitch's length).

    Worked out on (call × ranked product) arrays, position j being the group's j-th best."""
    groups = len(desk.ranked)
    width = max(max(len(ranked) for ranked in desk.ranked), 1)
    product_of = np.full((groups, width), -1, dtype=np.int64)
    share_of = np.full((groups, width), 2.0)  # padding: held by all, so never on the screen
    ev_of = np.zeros((groups, width))
    conversion_of = np.zeros((groups, width))
    for g, ranked in enumerate(desk.ranked):
        product_of[g, : len(ranked)] = ranked
        share_of[g, : len(ranked)] = desk.owned_share[list(ranked)]
        ev_of[g, : len(ranked)] = desk.ev[g]
        conversion_of[g, : len(ranked)] = desk.conversion[g]
    group = callers.reason.astype(np.intp) * desk.n_segments + callers.segment
    if desk.levels > 1:
        group = group * desk.levels + desk.held_before_counts(callers.customer)
    product = product_of[group]
    customer = callers.customer[:, None]
    free = customer_uniforms(desk.owned_key, customer, product) >= share_of[group]
    screen = free & (np.cumsum(free, axis=1) <= desk.size) if width > desk.size else free
    fit = np.ones(product.shape)
    if desk.taste_sigma > 0:
        every = np.broadcast_to(customer, product.shape)
        fit[screen] = desk.tastes_of(every[screen], product[screen])
    if desk.rule == "top":
        pick = np.argmax(screen, axis=1)
    elif desk.rule == "fit":
        pick = np.argmax(np.where(screen, ev_of[group] * fit, -np.inf), axis=1)
    else:  # "weighted": the running total of expected value over the screen, as pitch adds
        cumulative = np.cumsum(np.where(screen, ev_of[group], 0.0), axis=1)
        total = cumulative[:, -1]
        u_pick = callers.draws["u_choice"].astype(np.float64)
        below = ((cumulative <= (u_pick * total)[:, None]) & screen).sum(axis=1)
        last = np.maximum(screen.sum(axis=1) - 1, 0)
        nth = np.minimum(np.where(total != 0, below, 0), last)
        pick = np.argmax(np.cumsum(screen, axis=1) > nth[:, None], axis=1)
    at = np.arange(len(group)) * width + pick  # the pick's place in the flattened arrays
    # By columns: the hot path reads each column as a memoryview of its own.
    table = np.empty((len(group), 5), order="F")
    table[:, 0] = np.where(screen.any(axis=1), product.ravel()[at], -1)
    table[:, 1] = conversion_of.ravel()[group * width + pick]
    table[:, 2] = fit.ravel()[at]
    table[:, 3] = callers.draws["u_purchase"]
    table[:, 4] = callers.draws["u_pitch"]
    return table


class SalesDesk:
    def __init__(
        self,
        scenario: Scenario,
        offer_rng: np.random.Generator,
        history_rng: np.random.Generator,
        callers: Demand | None = None,
    ) -> None:
        """``offer_rng`` serves only direct calls of :meth:`pitch` without the caller's own
        uniforms; ``history_rng`` gives the keys of the customers' holdings and tastes.
        ``callers``: the replication's first attempts, for the table of first contacts."""
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
        # Per (reason, segment) group, numbered reason × segments + segment: the eligible
        # products best expected value first (none if no offer may ever be made), and their
        # conversion and expected value in that order.
        # With retention, a sale is also worth the customer-years it adds, which depend on how
        # many products the customer holds: the groups are then (reason, segment, catalogue
        # products held), numbered (reason × segments + segment) × levels + held.
        self.n_segments = len(segments)
        retention = scenario.retention
        self.levels = len(self.products) + 1 if retention is not None else 1
        kept = retention.sale_values(segments, len(self.products)) if retention else None
        self.ranked: list[tuple[int, ...]] = []
        self.conversion: list[list[float]] = []
        self.ev: list[list[float]] = []
        for r in range(len(reasons)):
            for s in range(len(segments)):
                base = self.base[r, s]
                for held in range(self.levels):
                    worth = self.value if kept is None else self.value + kept[s][held]
                    ev = base * worth
                    ranked = [int(k) for k in np.argsort(-ev, kind="stable") if base[k] > 0]
                    if self.max_offers == 0:
                        ranked = []
                    self.ranked.append(tuple(ranked))
                    self.conversion.append([float(base[k]) for k in ranked])
                    self.ev.append([float(ev[k]) for k in ranked])
        self._owned_share: list[float] = self.owned_share.tolist()
        self._pitch_time = [quantile_function(p.pitch) for p in self.products]
        self.offer_rng = offer_rng
        self.owned_key, self.taste_key = (int(k) for k in history_rng.integers(0, 2**63, 2))
        self.history: dict[int, Contact | FirstOffer] = {}
        # No table (direct use of pitch): every customer takes the general path.
        self._first_table = np.zeros((0, 5))
        if callers is not None:
            self._first_table = first_contacts(self, callers)
        self._n_first = len(self._first_table)
        # Read an item at a time on the hot path: a memoryview's item costs a fraction of
        # numpy's (a row's ``tolist`` or ``item``), and a column's (one index) less than half
        # of a two-dimensional view's (a tuple to build and parse per item).
        table = np.asfortranarray(self._first_table)
        # Products as integers (8 bytes a call more), so an offer needs no conversion.
        self._first_product = cast("Sequence[int]", table[:, 0].astype(np.int64).data)
        self._first_conversion = _items(table[:, 1])
        self._first_fit = _items(table[:, 2])
        self._first_u_buy = _items(table[:, 3])
        self._first_u_pitch = _items(table[:, 4])
        self._first_customer = np.ascontiguousarray(
            callers.customer if callers is not None else [], dtype=np.int64
        ).data
        self.offerable = self._first_table[:, 0] >= 0
        """Per drawn caller, whether any offer could ever be made to them (something eligible
        they did not hold before the run: buying only adds to what they hold)."""

    # -- the customers ---------------------------------------------------------------------

    def tastes_of(self, customers: np.ndarray, products: np.ndarray) -> np.ndarray:
        """Per (customer, product) pair, the customer's factor on the product's conversion:
        lognormal, mean 1 over customers (all 1 without tastes)."""
        if self.taste_sigma == 0:
            return np.ones(np.broadcast(customers, products).shape)
        u = customer_uniforms(self.taste_key, customers, products)
        z = standard_normal_quantiles(u.ravel()).reshape(u.shape)
        return np.exp(self.taste_mu + self.taste_sigma * z)

    def _tastes(self, customer: int, products: list[int]) -> list[float]:
        """:meth:`tastes_of` one customer, the hashes and quantiles in plain arithmetic (cheaper
        for a few); the exponential stays numpy's, whose last digit can differ from math's."""
        if self.taste_sigma == 0:
            return [1.0] * len(products)
        key = self.taste_key
        z = [
            standard_normal_quantile(max(customer_uniform(key, customer, k), _TINY))
            for k in products
        ]
        fit: list[float] = np.exp(self.taste_mu + self.taste_sigma * np.array(z)).tolist()
        return fit

    def _contact(self, customer: int) -> Contact | None:
        """The customer's history, a first offer's tuple made a :class:`Contact`."""
        record = self.history.get(customer)
        if isinstance(record, tuple):
            record = self.history[customer] = Contact(*record)
        return record

    def holdings(self, customer: int) -> set[int]:
        """The products a customer holds now: before the run, or bought during it."""
        contact = self._contact(customer)
        return self._before(customer) | (contact.bought if contact else set())

    def _before(self, customer: int) -> set[int]:
        """The products a customer held before the run."""
        return {k for k in range(len(self.products)) if self._held_before(customer, k)}

    def held_before_counts(self, customers: np.ndarray) -> np.ndarray:
        """How many of the catalogue's products each customer held before the run."""
        u = customer_uniforms(
            self.owned_key, customers[:, None], np.arange(len(self.products))[None, :]
        )
        counts: np.ndarray = (u < self.owned_share[None, :]).sum(axis=1)
        return counts

    def _group(self, reason: int, segment: int, before: set[int], contact: Contact | None) -> int:
        """The customer's group: (reason, segment), and with retention the number of products
        held now (:meth:`holdings`)."""
        group = reason * self.n_segments + segment
        if self.levels > 1:
            group = group * self.levels + len(before)
            group += len(contact.bought) if contact is not None else 0
        return group

    def held_at_sales(self, calls: CallLog) -> np.ndarray:
        """Per call, how many of the catalogue's products the customer held just before the
        call's sale (-1 on a call without one): those held before the run and those bought on
        the customer's earlier sales, in the order the pitches were made (at each talk's end)."""
        sold = np.flatnonzero(calls.column("converted") == 1)
        customer = calls.column("customer")[sold].astype(np.int64)
        pitched_at = (calls.column("end") - calls.column("pitch") - calls.column("wrap"))[sold]
        order = np.lexsort((pitched_at, customer))
        ranked = customer[order]
        first = np.r_[True, ranked[1:] != ranked[:-1]] if len(ranked) else np.zeros(0, bool)
        start = np.maximum.accumulate(np.where(first, np.arange(len(ranked)), 0))
        earlier = np.empty(len(ranked), dtype=np.int64)
        earlier[order] = np.arange(len(ranked)) - start
        held = np.full(calls.size, -1, dtype=np.int64)
        held[sold] = self.held_before_counts(customer) + earlier
        return held

    def _held_before(self, customer: int, product: int) -> bool:
        share: float = self._owned_share[product]
        return customer_uniform(self.owned_key, customer, product) < share

    # -- the screen and the pitch ----------------------------------------------------------

    def _may_contact(self, contact: Contact | FirstOffer | None, now: float) -> bool:
        if contact is None:
            return True
        if isinstance(contact, tuple):  # one offer so far: the rule below on (when, _, bought)
            at, _, converted = contact
            if not converted and now - at < self.cooldown_s:
                return False
            return (1 if now - at < self.window_s else 0) < self.max_offers
        if now - contact.last_refusal < self.cooldown_s:
            return False
        window = self.window_s
        return sum(1 for t in contact.offers if now - t < window) < self.max_offers

    def _screen(self, group: int, before: set[int], contact: Contact | None) -> list[int]:
        """Positions in the group's ranking of the products on the screen."""
        bought = contact.bought if contact is not None else ()
        ranked = self.ranked[group]
        screen = [j for j, k in enumerate(ranked) if k not in bought and k not in before]
        return screen[: self.size]

    def _may_offer(self, customer: int, reason: int, segment: int, now: float) -> bool:
        """Whether anything may be offered to the customer now, by the contact rules and the
        eligibility of (reason, segment): whether a group has a ranking at all does not depend
        on the products held, so this is decided before working out what they hold."""
        if not self.ranked[(reason * self.n_segments + segment) * self.levels]:
            return False
        return self._may_contact(self.history.get(customer), now)

    def recommend(self, customer: int, reason: int, segment: int, now: float) -> list[int]:
        """Products for the screen, best expected value first; empty if the rules forbid."""
        if not self._may_offer(customer, reason, segment, now):
            return []
        contact = self._contact(customer)
        before = self._before(customer)
        group = self._group(reason, segment, before, contact)
        return [self.ranked[group][j] for j in self._screen(group, before, contact)]

    def pitch_call(
        self, calls: CallLog, row: int, skill: float, now: float
    ) -> tuple[int, float, bool] | None:
        """:meth:`pitch` for the call in row ``row``, on that caller's own uniforms: from the
        table of first contacts when the customer has no history yet. The answer is a plain
        (product, duration, converted) tuple, a :class:`Pitch` but for its names, which would
        cost about as much to build as the rest of the decision."""
        if row < self._n_first:
            customer: int = self._first_customer[row]
            if customer not in self.history:
                k = self._first_product[row]
                if k < 0:
                    return None
                # u < min(p, 1) as u < 1
                converted = (
                    self._first_u_buy[row]
                    < self._first_conversion[row] * skill * self._first_fit[row]
                )
                self.history[customer] = (now, k, converted)
                return k, self._pitch_time[k](self._first_u_pitch[row]), converted
        else:
            customer = calls.customer.item(row)
        reason: int = calls.reason.item(row)
        segment: int = calls.segment.item(row)
        if not self._may_offer(customer, reason, segment, now):
            return None  # what pitch would say, before it works out the customer's holdings
        draws = calls.draws
        choice = draws.get("u_choice")
        return self.pitch(
            customer,
            reason,
            segment,
            skill,
            now,
            (
                float(draws["u_purchase"].item(row)),
                float(draws["u_pitch"].item(row)),
                0.0 if choice is None else float(choice.item(row)),
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
        if not self._may_offer(customer, reason, segment, now):
            return None
        contact = self._contact(customer)
        before = self._before(customer)
        group = self._group(reason, segment, before, contact)
        screen = self._screen(group, before, contact)
        if not screen:
            return None
        if uniforms is None:
            u_buy, u_time, u_pick = (float(u) for u in self.offer_rng.random(3))
        else:
            u_buy, u_time, u_pick = uniforms
        ranked = self.ranked[group]
        fit = self._tastes(customer, [ranked[j] for j in screen])
        ev = self.ev[group]
        if len(screen) == 1 or self.rule == "top":
            i = 0
        elif self.rule == "weighted":
            # The first product whose running total of expected value exceeds u × the total.
            cumulative, total = [], 0.0
            for j in screen:
                total += ev[j]
                cumulative.append(total)
            x = u_pick * total
            i = min(sum(1 for c in cumulative if c <= x), len(screen) - 1) if total else 0
        else:  # "fit": highest expected value for this customer (the first of equals)
            scores = [ev[j] * f for j, f in zip(screen, fit, strict=True)]
            i = scores.index(max(scores))
        j = screen[i]
        product = ranked[j]
        p = self.conversion[group][j] * skill * fit[i]
        if contact is not None and contact.last_refusal > _NEVER:
            p *= self.refused_factor
        converted = u_buy < min(p, 1.0)
        if contact is None:
            self.history[customer] = Contact(now, product, converted)
        else:
            contact.offered(now, product, converted)
        return Pitch(product, self._pitch_time[product](u_time), converted)


def _items(column: np.ndarray) -> Sequence[float]:
    """A contiguous column's values, read one at a time as Python floats (no copy)."""
    return cast("Sequence[float]", column.data)
