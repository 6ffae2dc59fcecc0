"""The scenario file's schema: what a planner can say about one hotline.

Validation is strict (unknown keys and impossible values are errors) because a typo in a key that
silently falls back to a default is the worst kind of planning error: it looks like a result.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from callsim.policies import registry
from callsim.scenario.announcement import Announcement
from callsim.scenario.candidates import PlanSpec
from callsim.scenario.clock import check_clock as _check_clock
from callsim.scenario.clock import minutes
from callsim.scenario.distributions import Busyness, Duration, Fixed, NoPatience, Patience
from callsim.scenario.objective import Objective
from callsim.scenario.reason_mix import check_reason_mix
from callsim.scenario.resolution import Ivr, Resolution
from callsim.scenario.retention import Retention
from callsim.scenario.routing import Routing
from callsim.scenario.scheduling import Scheduling, check_scheduling
from callsim.scenario.selling import Outbound, Product, Satisfaction, Selling
from callsim.scenario.standby import KpiWindow, Standby, check_standby, check_window
from callsim.scenario.strict import Strict
from callsim.scenario.workforce import Workforce
from callsim.service_level import BALKED_IN_SL, SERVICE_LEVEL_DEFINITIONS

Share = Annotated[float, Field(gt=0, le=1)]
Probability = Annotated[float, Field(ge=0, le=1)]
Name = Annotated[str, Field(min_length=1, max_length=80)]

SECONDS_PER_DAY = 86_400.0


TimeOfDay = Annotated[str, Field(examples=["08:00"])]


class Closing(Strict):
    """What happens at each day's close: nobody waits through the night.

    ``waiting``: callers still queued at the close are ``served`` by the agents logged in then,
    who stay on (paid as overtime) until the queue is empty — or, with nobody left to serve
    them, told to call back; ``call_back``: told to call back, and they retry at the next
    opening by the retrial model (lost without one); ``lost``: told the line is closed. A
    retrial or repeat call falling in closed hours is moved to the next opening (``redials:
    next_opening``, as late after it as it fell after the close) or lost (``lost``). A 24-hour
    line never closes until the horizon's end.
    """

    waiting: Literal["served", "call_back", "lost"] = "served"
    redials: Literal["next_opening", "lost"] = "next_opening"


class Horizon(Strict):
    days: int = Field(1, ge=1, le=366)
    interval_min: Literal[15, 30, 60] = 30
    open: TimeOfDay = "00:00"
    close: TimeOfDay = "24:00"
    warmup_min: float = Field(0.0, ge=0, description="Calls arriving earlier are not counted.")
    at_close: Closing = Field(default_factory=Closing)

    _clock = field_validator("open", "close")(_check_clock)

    @model_validator(mode="after")
    def _check(self) -> Horizon:
        start, end = minutes(self.open), minutes(self.close)
        if end > 24 * 60:
            raise ValueError("close must be at most 24:00")
        if end <= start:
            raise ValueError(f"close {self.close} is not after open {self.open}")
        if (end - start) % self.interval_min:
            raise ValueError(
                f"opening hours {self.open}-{self.close} are not a whole number of "
                f"{self.interval_min}-minute intervals"
            )
        if self.warmup_min >= self.days * (end - start):
            raise ValueError("warmup_min covers the whole horizon")
        return self

    @property
    def intervals_per_day(self) -> int:
        return (minutes(self.close) - minutes(self.open)) // self.interval_min


class Arrivals(Strict):
    """Offered volume: a constant rate, or a forecast per interval as WFM tools export it."""

    rate_per_hour: float | None = Field(None, gt=0)
    volume: list[Annotated[float, Field(ge=0)]] | None = Field(
        None, description="Calls per interval: one day (repeated) or every day of the horizon."
    )
    volume_csv: str | None = Field(
        None, description="CSV next to the scenario: columns interval_start, calls[, day]."
    )
    scale: float = Field(1.0, gt=0, description="Multiplies every rate (what-if on volume).")
    busyness: Busyness | None = None
    reason_mix: dict[Name, list[Annotated[float, Field(ge=0)]]] | None = Field(
        None,
        description="Per call reason, its weight in each interval (calls or shares; every "
        "interval is normalised): one day (repeated) or every day. Replaces the reasons' share "
        "interval by interval. A volume_csv with one column per reason instead of 'calls' sets it.",
    )
    reason_mix_csv: str | None = Field(
        None,
        description="CSV next to the scenario: columns interval_start[, day] and one per call "
        "reason, each row's shares summing to 1.",
    )
    day_factors: list[Annotated[float, Field(gt=0)]] | None = Field(
        None,
        description="Multiplies each day's forecast, whatever its source: 7 entries (a week; "
        "day 1 of the horizon takes the first, day 8 the first again) or one per day of the "
        "horizon. Each > 0 and finite: a day's service level and its by-day KPIs are ratios "
        "over its calls, so a day with none (a factor 0) would be undefined rather than closed.",
    )

    def factor_per_day(self, days: int) -> list[float] | None:
        """Each day's factor over ``days`` days (a week's profile repeated); None without
        ``day_factors``, so callers skip the multiplication and results stay as they were."""
        if self.day_factors is None:
            return None
        week = self.day_factors
        return [week[d % len(week)] for d in range(days)]

    @model_validator(mode="after")
    def _one_source(self) -> Arrivals:
        given = [
            k for k in ("rate_per_hour", "volume", "volume_csv") if getattr(self, k) is not None
        ]
        if len(given) != 1:
            raise ValueError("give exactly one of rate_per_hour, volume or volume_csv")
        if self.reason_mix is not None and self.reason_mix_csv is not None:
            raise ValueError("give at most one of reason_mix or reason_mix_csv")
        return self


class Reason(Strict):
    """A call reason: its share of calls and how long it takes to handle."""

    share: Share
    talk: Duration
    wrapup: Duration | None = Field(None, description="Defaults to the scenario's wrapup.")


class Retrial(Strict):
    probability: Probability
    delay: Duration


class Segment(Strict):
    share: Share
    priority: int = Field(0, description="Higher is answered first; FCFS within a priority.")
    patience: Patience | None = Field(None, description="Defaults to customers.patience.")


class Customers(Strict):
    segments: dict[Name, Segment] = Field(
        default_factory=lambda: {"regular": Segment(share=1.0)}, min_length=1
    )
    patience: Patience = NoPatience(dist="none")
    retrial: Retrial | None = None


class Break(Strict):
    start: TimeOfDay
    duration_min: float = Field(gt=0)
    paid: bool = Field(
        True,
        description="Paid breaks count in paid time and staff cost; an unpaid one (a meal "
        "break) is neither paid nor on the phones.",
    )

    _clock = field_validator("start")(_check_clock)


class Shift(Strict):
    start: TimeOfDay
    end: TimeOfDay = Field(description="After start; hours past 24 reach into the next day.")
    count: int = Field(ge=0)
    days: list[Annotated[int, Field(ge=1)]] | None = Field(
        None, description="Days of the horizon (1-based) this shift works; default every day."
    )
    weekdays: list[Annotated[int, Field(ge=1, le=7)]] | None = Field(
        None,
        min_length=1,
        description="Days of the week (1-7) this shift works, repeating every 7 days: day 1 of "
        "the horizon is weekday 1. Instead of days; default every day.",
    )
    breaks: list[Break] = Field(default_factory=list)

    _clock = field_validator("start", "end")(_check_clock)

    @model_validator(mode="after")
    def _check(self) -> Shift:
        if self.days is not None and self.weekdays is not None:
            raise ValueError("weekdays: give days (of the horizon) or weekdays, not both")
        if self.weekdays is not None and len(set(self.weekdays)) < len(self.weekdays):
            twice = next(d for d in self.weekdays if self.weekdays.count(d) > 1)
            raise ValueError(f"weekdays: weekday {twice} is listed twice")
        start, end = minutes(self.start), minutes(self.end)
        if end <= start:
            raise ValueError(f"shift ends at {self.end}, not after its start {self.start}")
        for b in self.breaks:
            b_start = minutes(b.start)
            if b_start < start or b_start + b.duration_min > end:
                raise ValueError(f"break at {b.start} is not inside the shift")
        ordered = sorted(enumerate(self.breaks), key=lambda ib: minutes(ib[1].start))
        for k in range(1, len(ordered)):
            (j, first), (i, b) = ordered[k - 1], ordered[k]
            if minutes(b.start) < minutes(first.start) + first.duration_min:
                same = "repeats" if b == first else "overlaps"
                raise ValueError(
                    f"breaks.{i} at {b.start} {same} breaks.{j} at {first.start} "
                    f"({first.duration_min:g} min)"
                )
        return self

    def days_worked(self, days: int) -> list[int]:
        """Days of a ``days``-day horizon the shift starts on; a shift worked every day that
        runs past midnight also starts on day 0, the night before the horizon, whose tail is on
        in day 1. With ``weekdays`` the week repeats from day 1 (weekday 1), so day 0 is weekday
        7: its night's tail is on in day 1 only if the shift works weekday 7."""
        if self.days is not None:
            return sorted(set(self.days))
        crosses = minutes(self.end) > 24 * 60
        every = range(0 if crosses else 1, days + 1)
        if self.weekdays is not None:
            return [d for d in every if (d - 1) % 7 + 1 in self.weekdays]
        return list(every)


class AgentGroup(Strict):
    wage_per_hour: float = Field(0.0, ge=0)
    handle_time_factor: float = Field(
        1.0, gt=0, description="Multiplies talk time: 1.2 for agents 20% slower than average."
    )
    sales_skill: float = Field(1.0, ge=0, description="Multiplies conversion of their pitches.")
    trained_to_sell: bool = Field(False, description="Only trained agents may make offers.")
    resolution_skill: float | None = Field(
        None,
        gt=0,
        description="Multiplies the odds that their calls are resolved (the scenario's "
        "resolution block; 1 when not given): 0.5 for new hires who resolve half as well, "
        "in odds.",
    )
    skill_factors: dict[Name, Annotated[float, Field(gt=0, le=100)]] | None = Field(
        None,
        description="With routing: per call type this group takes, a factor on its talk time "
        "(times handle_time_factor); 1 for types not given.",
    )
    shifts: list[Shift] | None = None
    staffing: list[Annotated[int, Field(ge=0)]] | None = Field(
        None, description="Agents scheduled per interval: one day (repeated) or every day."
    )
    staffing_csv: str | None = Field(
        None, description="CSV next to the scenario: columns interval_start, agents[, day]."
    )

    @model_validator(mode="after")
    def _one_source(self) -> AgentGroup:
        given = [k for k in ("shifts", "staffing", "staffing_csv") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of shifts, staffing or staffing_csv")
        return self


class Agents(Strict):
    shrinkage: float = Field(
        0.0, ge=0, lt=1, description="Share of scheduled agents not on the phones (paid anyway)."
    )
    overtime_premium: float = Field(1.5, ge=1, description="Wage multiplier past shift end.")
    scale: float = Field(
        1.0, gt=0, description="Multiplies every shift count and staffing entry (what-if)."
    )
    groups: dict[Name, AgentGroup] = Field(min_length=1)


class ServiceLevelGoal(Strict):
    target: float = Field(0.8, gt=0, le=1)
    threshold_s: float = Field(20.0, gt=0)
    definition: Literal[SERVICE_LEVEL_DEFINITIONS] = "offered"  # type: ignore[valid-type]
    verdict_on: Literal["replication_mean", "call_weighted"] = Field(
        "replication_mean",
        description="Judge the goal on the mean of the replications' service levels (each "
        "simulated day counts once) or on the call-weighted one (every call counts once, as in "
        "a monthly report).",
    )
    short_abandon_s: float = Field(
        0.0, ge=0, description="Abandons sooner than this count as neither answered nor lost."
    )
    balked: Literal[BALKED_IN_SL] = Field(  # type: ignore[valid-type]
        "offered",
        description="How callers who hang up on hearing the announced wait count: 'offered' "
        "(offered, never within T), 'excluded' (like short abandons: neither answered nor "
        "lost) or 'abandoned' (an abandon after no wait).",
    )


class Limits(Strict):
    """Sizes past which a number is almost surely a slip (a daily figure typed as hourly, a
    count with three zeros too many): callsim simulates every call and every agent, so such a
    scenario would run for hours or run out of memory rather than fail. Raise a limit here
    when a scenario really is that large."""

    calls_per_day: int = Field(
        1_000_000,
        gt=0,
        description="assumption: the largest centres take about 100,000 calls a day; a "
        "million a day takes minutes per replication.",
    )
    agents: int = Field(
        20_000,
        gt=0,
        description="assumption: the largest single centres seat a few thousand agents.",
    )


HalfWidth = Annotated[float, Field(gt=0, allow_inf_nan=False)]


class Simulation(Strict):
    replications: int = Field(
        10, ge=1, le=100_000, description="Replications; with precision, the first batch."
    )
    seed: int = Field(1, ge=0)
    precision: dict[str, HalfWidth] | None = Field(
        None,
        description="KPI -> largest 95% CI half-width, in the KPI's own unit (0.01 = one point "
        "of service level, seconds for ASA): batches of replications run until every one is "
        "met or max_replications is reached.",
    )
    max_replications: int | None = Field(
        None, ge=2, le=100_000, description="The most replications precision may run."
    )
    limits: Limits = Field(default_factory=Limits)

    @model_validator(mode="after")
    def _max_needs_precision(self) -> Simulation:
        if self.max_replications is not None and not self.precision:
            raise ValueError("max_replications: only used with precision targets; add precision")
        return self


_CURRENCY = re.compile(r"^[A-Z]{3}$")
_NOT_ISO_4217 = {"RMB": "CNY", "NTD": "TWD", "YEN": "JPY"}
"""Three-letter names of currencies in everyday use that are not their ISO 4217 codes."""


def _check_currency(value: str | None) -> str | None:
    if value is None:
        return value
    if value in _NOT_ISO_4217:
        raise ValueError(f"not an ISO 4217 code; that currency's code is {_NOT_ISO_4217[value]}")
    if not _CURRENCY.match(value):
        hint = f"; did you mean {value.upper()}?" if _CURRENCY.match(value.upper()) else ""
        raise ValueError(
            f"expected an ISO 4217 code: three capital letters such as CNY or EUR{hint}"
        )
    return value


class Scenario(Strict):
    name: Name
    description: str | None = None
    currency: str | None = Field(
        None,
        description="ISO 4217 code of every money figure (wages, product values), e.g. CNY or "
        "EUR; without one, money is shown as plain numbers.",
    )
    horizon: Horizon = Field(default_factory=Horizon)
    arrivals: Arrivals
    reasons: dict[Name, Reason] = Field(min_length=1)
    wrapup: Duration = Fixed(dist="fixed", value_s=0)
    customers: Customers = Field(default_factory=Customers)
    agents: Agents
    service_level: ServiceLevelGoal = Field(default_factory=ServiceLevelGoal)
    products: dict[Name, Product] = Field(default_factory=dict)
    selling: Selling = Field(default_factory=Selling)
    announcement: Announcement = Field(default_factory=Announcement)
    satisfaction: Satisfaction = Field(default_factory=Satisfaction)
    outbound: Outbound | None = None
    retention: Retention | None = Field(
        None,
        description="Churn by products held and the value of a retained customer-year: a "
        "sale's value then includes the churn it prevents.",
    )
    resolution: Resolution | None = Field(
        None, description="First-contact resolution and repeat calls; off without it."
    )
    ivr: Ivr | None = Field(None, description="Self-service menu in front of the queue.")
    routing: Routing | None = Field(
        None, description="Call types and the agent groups that take them; one pool without it."
    )
    simulation: Simulation = Field(default_factory=Simulation)
    plan: PlanSpec | None = Field(
        None, description="The selling policies callsim plan staffs and compares."
    )
    scheduling: Scheduling | None = Field(
        None, description="Shift templates for callsim schedule; the roster runs without them."
    )
    objective: Objective | None = Field(
        None,
        description="Which plan a comparison recommends (default: the most net contribution "
        "among plans meeting the goal).",
    )
    standby: Standby | None = Field(
        None, description="Back-office staff called to the phones on a load signal."
    )
    window: KpiWindow | None = Field(
        None, description="A stretch of every day measured apart (service level, abandonment)."
    )
    workforce: Workforce | None = Field(
        None,
        description="Attrition, hiring, training and learning over the weeks; the roster's "
        "agents stay all horizon without it.",
    )

    _currency = field_validator("currency")(_check_currency)

    def mean_handle_s(self) -> float:
        """Mix-weighted mean talk plus wrap-up of one call, at handle-time factor 1."""
        return sum(
            r.share * (r.talk.mean + (r.wrapup or self.wrapup).mean) for r in self.reasons.values()
        )

    def mean_patience_s(self) -> float:
        """Patience of the caller mix: segments' abandonment rates averaged by share (∞ if
        nobody hangs up)."""
        rate = sum(
            s.share / (s.patience or self.customers.patience).mean
            for s in self.customers.segments.values()
        )
        return math.inf if rate == 0 else 1.0 / rate

    @model_validator(mode="after")
    def _check(self) -> Scenario:
        self._check_staffing()
        if self.arrivals.reason_mix is not None:
            check_reason_mix(
                self.arrivals.reason_mix, list(self.reasons), self.arrivals.volume, self.horizon
            )
        self._check_selling()
        self._check_resolution()
        self._check_routing()
        if self.standby is not None and self.routing is not None:
            raise ValueError(
                "standby: a standby pool cannot be combined with routing yet (the pool's staff "
                "take no call type); remove one of the two"
            )
        if self.standby is not None:
            check_standby(self.standby, list(self.agents.groups), self.resolution is not None)
        if self.window is not None:
            check_window(self.window, self.horizon.interval_min)
        if self.scheduling is not None:
            h = self.horizon
            check_scheduling(
                self.scheduling,
                list(self.agents.groups),
                minutes(h.open),
                minutes(h.close),
                h.interval_min,
            )
        return self

    def _check_selling(self) -> None:
        for name, product in self.products.items():
            for r in product.reasons or []:
                if r not in self.reasons:
                    raise ValueError(f"products.{name}.reasons: unknown call reason '{r}'")
            for s in product.segments or []:
                if s not in self.customers.segments:
                    raise ValueError(f"products.{name}.segments: unknown segment '{s}'")
            for r in product.reason_factor:
                if r not in self.reasons:
                    raise ValueError(f"products.{name}.reason_factor: unknown call reason '{r}'")
            for s in product.segment_factor:
                if s not in self.customers.segments:
                    raise ValueError(f"products.{name}.segment_factor: unknown segment '{s}'")
        for s in self.retention.segment_value if self.retention else ():
            if s not in self.customers.segments:
                raise ValueError(f"retention.segment_value: unknown segment '{s}'")
        expectations = self.satisfaction.expectations
        segments = self.customers.segments
        for where, named in (
            ("announcement.balking.segments", self.announcement.balking.segments),
            ("satisfaction.expectations.segments", expectations.segments if expectations else {}),
        ):
            for s in named:
                if s not in segments:
                    raise ValueError(f"{where}: unknown segment '{s}'")
        for where, names in (
            ("selling.contact_rules.never_reasons", self.selling.contact_rules.never_reasons),
            ("satisfaction.complaint_reasons", self.satisfaction.complaint_reasons),
        ):
            for r in names:
                if r not in self.reasons and r != "complaint":  # the default may go unused
                    raise ValueError(f"{where}: unknown call reason '{r}'")
        kind = self.selling.policy.kind
        sells = self.selling.policy.may_sell()
        if sells and not self.products:
            raise ValueError(f"selling.policy: '{kind}' sells, but the scenario has no products")
        if sells and not any(g.trained_to_sell for g in self.agents.groups.values()):
            raise ValueError(
                f"selling.policy: '{kind}' sells, but no agent group is trained_to_sell"
            )

    def _check_resolution(self) -> None:
        """Settings that would do nothing are errors, not silent defaults."""
        steering = self.ivr.steering if self.ivr else None
        known = [
            ("resolution.by_reason", self.resolution.by_reason if self.resolution else {}),
            ("ivr.containment", self.ivr.containment if self.ivr else {}),
            ("ivr.steering.reasons", steering.reasons if steering else []),
        ]
        for where, table in known:
            for r in table:
                if r not in self.reasons:
                    raise ValueError(f"{where}: unknown call reason '{r}'")
        if steering is not None and self.selling.population is None:
            raise ValueError(
                "ivr.steering: every first call is a different customer without "
                "selling.population, so steering would change nothing; set a population"
            )
        if self.resolution is None:
            for name, group in self.agents.groups.items():
                if group.resolution_skill is not None:
                    raise ValueError(
                        f"agents.groups.{name}.resolution_skill: has no effect without a "
                        "resolution block; add one or remove it"
                    )

    def _check_routing(self) -> None:
        groups = self.agents.groups
        if self.routing is None:
            for name, group in groups.items():
                if group.skill_factors is not None:
                    raise ValueError(
                        f"agents.groups.{name}.skill_factors: has no effect without a routing "
                        "block; add one or remove it"
                    )
            return
        self.routing.check(
            list(self.customers.segments),
            list(self.reasons),
            list(groups),
            {name: g.skill_factors for name, g in groups.items()},
        )

    def _check_staffing(self) -> None:
        _shares_sum_to_one("reasons", {k: r.share for k, r in self.reasons.items()})
        _shares_sum_to_one(
            "customers.segments", {k: s.share for k, s in self.customers.segments.items()}
        )
        n_day = self.horizon.intervals_per_day
        n_all = n_day * self.horizon.days
        expected = f"{n_day}" if n_day == n_all else f"{n_day} (one day) or {n_all} (every day)"
        if self.arrivals.volume is not None and len(self.arrivals.volume) not in (n_day, n_all):
            raise ValueError(
                f"arrivals.volume has {len(self.arrivals.volume)} entries; expected {expected}"
            )
        factors = self.arrivals.day_factors
        if factors is not None and len(factors) not in (7, self.horizon.days):
            every = "" if self.horizon.days == 7 else f" or {self.horizon.days} (every day)"
            raise ValueError(
                f"arrivals.day_factors has {len(factors)} entries; expected 7 (a week){every}"
            )
        open_m, close_m = minutes(self.horizon.open), minutes(self.horizon.close)
        for name, group in self.agents.groups.items():
            for i, shift in enumerate(group.shifts or []):
                # A shift may reach into the next day (up to 48:00): compare it with the opening
                # hours of the day it starts and of the days either side. A 24-hour line is
                # always open.
                start, end = minutes(shift.start), minutes(shift.end)
                if not any(
                    start < close_m + day and end > open_m + day for day in (-1440, 0, 1440)
                ):
                    raise ValueError(
                        f"agents.groups.{name}.shifts.{i} ({shift.start}-{shift.end}) lies "
                        f"entirely outside the opening hours "
                        f"{self.horizon.open}-{self.horizon.close}"
                    )
            if group.staffing is not None and len(group.staffing) not in (n_day, n_all):
                raise ValueError(
                    f"agents.groups.{name}.staffing has {len(group.staffing)} entries; "
                    f"expected {expected}"
                )
            for i, shift in enumerate(group.shifts or []):
                bad = [d for d in shift.days or [] if d > self.horizon.days]
                if bad:
                    raise ValueError(
                        f"agents.groups.{name}.shifts.{i}.days: day {bad[0]} is past the "
                        f"horizon of {self.horizon.days} day(s)"
                    )
                # A horizon shorter than a week may hold none of the shift's weekdays.
                if shift.weekdays is not None and not shift.days_worked(self.horizon.days):
                    raise ValueError(
                        f"agents.groups.{name}.shifts.{i}.weekdays: none of them falls in the "
                        f"horizon of {self.horizon.days} day(s), so the shift never works"
                    )


def _shares_sum_to_one(where: str, shares: dict[str, float]) -> None:
    total = sum(shares.values())
    if abs(total - 1.0) > 1e-6:
        raise ValueError(f"{where}: shares sum to {total:g}, not 1")


def _accept_registered_policies() -> None:
    """Rebuilt after ``selling`` rebuilds its policy union, which this model embeds."""
    Scenario.model_rebuild(force=True)


registry.on_change(_accept_registered_policies)
