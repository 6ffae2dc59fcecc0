"""The standby surge pool on the phones: back-office staff called up on a load signal.

The pool's members are agents of the roster without scheduled sessions (group ``standby``,
labels ``standby#k``). A controller watches the load through the policy contract
(:class:`~callsim.policies.contract.Centre`) and composes with the scenario's selling policy:
:class:`WithStandby` hands every hook to that policy and adds the pool's review to the load
notifications, so the engine needs no branch of its own for the pool, and a run without
``standby:`` never builds any of this.

The rules (``scenario.standby``, :mod:`callsim.scenario.standby`):

* **Call-up.** At a review where the signal is at the call-up level or past it, and no member
  called earlier is still on the way, the next ``step`` members still in the pool are called
  (all of them without a step). Each is on the phones ``call_up_delay_min`` later, until the
  line's next close (or the horizon's end). A call-up that would arrive at or after that
  close is not made: nobody is fetched to a line that is closed by the time they sit down.
* **Release.** At a review where the signal is back at the release level or past it, every
  member who has been on the phones for ``min_stay_min`` is released; one on a call finishes
  it first. The two levels differ (hysteresis), and the minimum stay bounds how often a member
  can come and go, so the pool does not flap on a noisy signal.
* **Reviews.** Without ``review_every_min``, at every change of the load, and also the moment a
  member arrives and the moment a member's minimum stay is over (a release then does not wait
  for the next call to come in); with it, only every so many minutes, as a supervisor would.
* **Pay.** From the call-up to the end of the member's last session of that call-up (the delay
  is paid: they stop their back-office work when called; an assumption). Members not called are
  paid from the back office's budget, not the phones' (an assumption), and cost nothing here.
"""

from __future__ import annotations

import bisect
from functools import partial
from typing import TYPE_CHECKING

from callsim.policies.contract import Call, Centre, LoadGate, SellingPolicy
from callsim.policies.load_toggle import load_signal
from callsim.scenario.standby import STANDBY_GROUP, Standby

if TYPE_CHECKING:
    from callsim.model.roster import Roster
    from callsim.model.run_record import Sessions
    from callsim.scenario.schema import Scenario

_POOL, _COMING, _ON, _RELEASED = range(4)


def add_standby(roster: Roster, config: Standby, group: int) -> None:
    """The pool's members, appended after every scheduled agent (whose numbers do not move)."""
    for k in range(config.count):
        roster.add_agent(group, f"{STANDBY_GROUP}#{k + 1}", config)


def group_names(scenario: Scenario) -> list[str]:
    """The roster's agent groups in the order of their numbers: the scenario's, then the pool."""
    return list(scenario.agents.groups) + ([STANDBY_GROUP] if scenario.standby else [])


def standby_agents(roster: Roster, scenario: Scenario) -> list[int]:
    """The pool's members' agent numbers."""
    group = len(scenario.agents.groups)
    return [a for a, g in enumerate(roster.group) if g == group]


class StandbyPool:
    def __init__(
        self, config: Standby, agents: list[int], closes: list[float], horizon_end: float
    ) -> None:
        self.config = config
        self.agents = agents
        self.state = dict.fromkeys(agents, _POOL)
        self.on_since: dict[int, float] = {}
        self.callups: list[tuple[int, float]] = []  # (agent, time called)
        self.delay_s = config.call_up_delay_min * 60.0
        self.stay_s = config.min_stay_min * 60.0
        self.step = config.step or config.count
        self.window_s = config.window_min * 60.0
        self.closes = [c for c in closes if c < horizon_end] + [horizon_end]
        self.realtime = config.review_every_min is None
        self.coming = 0
        self.reviewing = False

    def bind(self, centre: Centre) -> None:
        self.centre = centre
        if self.config.review_every_min is not None:
            centre.every(self.config.review_every_min * 60.0, self.review)

    def review(self) -> None:
        """Call up or release as the signal says. Logging members in and out changes the load
        and comes back here: those nested notifications are ignored, the review in progress
        sees what it did."""
        if self.reviewing:
            return
        self.reviewing = True
        try:
            self._review()
        finally:
            self.reviewing = False

    def _review(self) -> None:
        c, cfg = self.centre, self.config
        for agent in self.agents:
            if self.state[agent] in (_ON, _RELEASED) and not c.on_phones(agent):
                self.state[agent] = _POOL  # released and done, or sent home at a close
        value = load_signal(c, cfg.signal, self.window_s)
        if cfg.short_is_low:
            short, back = value <= cfg.call_up_at, value >= cfg.release_at
        else:
            short, back = value >= cfg.call_up_at, value <= cfg.release_at
        if short and not self.coming:
            self._call_up(c.now)
        elif back:
            self._release(c.now)

    def _call_up(self, now: float) -> None:
        until = self.closes[min(bisect.bisect_right(self.closes, now), len(self.closes) - 1)]
        if now + self.delay_s >= until:
            return
        called = [a for a in self.agents if self.state[a] == _POOL][: self.step]
        for agent in called:
            self.state[agent] = _COMING
            self.callups.append((agent, now))
            self.coming += 1
            self.centre.after(self.delay_s, partial(self._arrive, agent, until))

    def _arrive(self, agent: int, until: float) -> None:
        self.coming -= 1
        self.reviewing = True  # the login's own notification: the review follows below
        try:
            on = self.centre.call_to_phones(agent, until)
        finally:
            self.reviewing = False
        self.state[agent] = _ON if on else _POOL
        if on:
            self.on_since[agent] = self.centre.now
            if self.realtime:
                self.centre.after(self.stay_s, self.review)
        if self.realtime:
            self.review()

    def _release(self, now: float) -> None:
        for agent in self.agents:
            if self.state[agent] == _ON and self.on_since[agent] + self.stay_s <= now:
                self.state[agent] = _RELEASED
                self.centre.release(agent)

    def paid_spans(self, sessions: Sessions, horizon_end: float) -> list[tuple[int, float, float]]:
        """(agent, start, end) paid per call-up: from the call-up to the end of the last session
        it gave (to the arrival if it gave none)."""
        spans = []
        for k, (agent, called) in enumerate(self.callups):
            later = [t for a, t in self.callups[k + 1 :] if a == agent]
            before = later[0] if later else float("inf")
            ends = [
                float(e)
                for a, s, e in zip(sessions.agent, sessions.start, sessions.end, strict=True)
                if a == agent and called <= s < before
            ]
            end = max(ends, default=min(called + self.delay_s, horizon_end))
            spans.append((agent, called, end))
        return spans


class WithStandby(SellingPolicy):
    """The scenario's selling policy, with the pool's review added to the load notifications."""

    def __init__(self, policy: SellingPolicy, pool: StandbyPool) -> None:
        self.policy = policy
        self.pool = pool
        self.sells = policy.sells
        self.flexes_talk = policy.flexes_talk
        self.repeats = policy.repeats
        self.watches_load = policy.watches_load or pool.realtime

    def bind(self, centre: Centre) -> None:
        super().bind(centre)
        self.policy.bind(centre)
        self.pool.bind(centre)

    def may_offer(self, agent: int, call: Call) -> bool:
        return self.policy.may_offer(agent, call)

    def offer_gate(self) -> LoadGate | None:
        return self.policy.offer_gate()

    def talk_factor(self, agent: int, call: Call) -> float:
        return self.policy.talk_factor(agent, call)

    def load_changed(self) -> None:
        if self.policy.watches_load:
            self.policy.load_changed()
        if self.pool.realtime:
            self.pool.review()

    def keep_on(self, agent: int, overtime_s: float) -> bool:
        return self.policy.keep_on(agent, overtime_s)

    def switch_timeline(self) -> list[tuple[float, bool]]:
        return self.policy.switch_timeline()

    def off_phone_spans(self, end: float) -> list[tuple[int, float, float]]:
        return self.policy.off_phone_spans(end)
