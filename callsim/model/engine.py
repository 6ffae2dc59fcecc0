"""The hotline as a discrete-event model: one SimPy clock and a dispatcher that owns the agents.

Calls are row indices into :class:`~callsim.model.calllog.CallLog`. The drawn arrivals are
merged with the calendar by the run loop (:mod:`callsim.model.event_loop`) instead of each being
scheduled; a call's end and its patience go on the calendar as bare entries the loop tells apart,
other steps as :class:`~callsim.model.calendar.Due` entries, and only rare events (logins,
logouts, a supervisor's reviews) are SimPy processes. A process per call,
``simpy.Resource`` and the ``request | timeout`` renege pattern are what make SimPy models slow,
so none of them is used here.

A call goes through phases: queue → talk → (offer) → wrap-up. When the selling policy can never
offer nor change talk time, talk and wrap-up are one calendar entry (the fast path); otherwise the
talk phase ends in a decision that consults the policy, except on calls no offer can be made on
(an untrained agent; a caller with nothing eligible they do not hold already), which end at the
time the offer phase would have ended them, without the stop (unless calls cut short are
redialled, which is decided at the talk end).

This module is the hot path only. What a policy may read of the centre is
:mod:`callsim.model.view`; who calls again is :mod:`callsim.model.redials`, whether an answer
resolved the request :mod:`callsim.model.resolution`, who the self-service menu resolves
:mod:`callsim.model.ivr` and who agents steer there :mod:`callsim.model.steering`, what a caller
is told of the wait :mod:`callsim.model.announcement`; queue peaks and session records are
:mod:`callsim.model.observers`; policies keep their own state.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Generator, Iterator, MutableSequence
from heapq import heappush
from itertools import chain
from typing import cast

import numpy as np
import simpy

from callsim.model.announcement import Announcer
from callsim.model.calendar import NORMAL, URGENT, Due
from callsim.model.calllog import ABANDONED, SELLING_COLUMNS, CallLog
from callsim.model.demand import Demand
from callsim.model.event_loop import CallLoop
from callsim.model.observers import QueuePeaks, SessionLog
from callsim.model.offers import SalesDesk
from callsim.model.opening_hours import OpeningHours
from callsim.model.redials import Job, Redials
from callsim.model.resolution import Resolver
from callsim.model.roster import Roster
from callsim.model.run_record import Sessions, Timelines
from callsim.model.steering import SteeringDesk
from callsim.model.timegrid import TimeGrid
from callsim.model.view import CallOnScreen, CentreView
from callsim.policies.contract import SellingPolicy
from callsim.scenario.announcement import Announcement
from callsim.scenario.distributions import Sampler
from callsim.scenario.schema import Closing, Retrial

_LOGOUT, _LOGIN = 0, 1
_CHUNK = 4096
_INF = float("inf")
_OVERTIME_CHECK_S = 300.0
"""How often an agent kept on past a shift's end is asked again whether to stay (assumption)."""


class Engine:
    def __init__(
        self,
        grid: TimeGrid,
        demand: Demand,
        roster: Roster,
        *,
        hours: OpeningHours,
        closing: Closing,
        priorities: list[int],
        segments: list[str],
        reasons: list[str],
        retrial: Retrial | None,
        patience_of_segment: list[Sampler],
        policy: SellingPolicy,
        sales: SalesDesk | None = None,
        mean_handle_s: float = 0.0,
        threshold_s: float = 20.0,
        resolver: Resolver | None = None,
        steering: SteeringDesk | None = None,
        announcement: Announcement | None = None,
    ) -> None:
        self.grid = grid
        self.env = simpy.Environment(initial_time=min(grid.horizon_start, _first_login(roster)))
        # SimPy's calendar and its numbering, pushed onto directly on the hot path.
        self.calendar: list[tuple[float, int, int, object]] = self.env._queue  # type: ignore[assignment]
        self.eid: Iterator[int] = self.env._eid
        spare = Redials.spare_rows(len(demand), retrial, policy.repeats)
        unwritten = [] if policy.flexes_talk else ["talk_factor"]
        if sales is None or not policy.sells:
            unwritten += SELLING_COLUMNS
        self.calls = CallLog(demand, spare, unwritten)
        self.n_first = len(demand)
        self._bind_columns()
        self.calls.grown.append(self._bind_columns)
        self.hours = hours
        self.closing = closing
        # Calls made again draw on the callers' own uniforms in the call log.
        self.redials = Redials(
            self.calls,
            hours,
            closing.redials,
            retrial,
            policy.repeats,
            patience_of_segment,
            resolver,
        )
        # Callers the self-service menu resolved never reach the queue.
        self.deflects = demand.ivr is not None
        # One FIFO per priority level, highest first; OrderedDict gives O(1) removal on abandonment.
        levels = sorted(set(priorities), reverse=True)
        self.queues: list[OrderedDict[int, Job]] = [OrderedDict() for _ in levels]
        self.queue_of_segment = [levels.index(p) for p in priorities]
        self.n_waiting = 0
        self.arrivals = self._first_attempts()
        # Agents: idle ones in an OrderedDict so the longest-idle agent takes the next call.
        n = len(roster)
        self.roster = roster
        self.factor = list(roster.factor)
        self.idle: OrderedDict[int, None] = OrderedDict()
        self.current: list[Job | None] = [None] * n
        self.leaving = [False] * n  # finishing the call in hand, then off
        self.staying = [False] * n  # serving the queue left at the close, then off
        self.kept_on: set[int] = set()  # kept past a shift's end by the policy
        self.logged_in = [False] * n
        self.n_logged_in = 0
        self.session_start = [0.0] * n
        self.scheduled_end = [0.0] * n
        self.shift_ends = roster.shift_ends()
        self.policy = policy
        self.sales = sales
        if sales is not None:
            self.pitch_call = sales.pitch_call
        # Resolution and steering are decided at the talk end, like an offer.
        at_talk_end = resolver is not None or steering is not None
        self.two_phase = policy.sells or policy.flexes_talk or at_talk_end
        self.steering = steering
        # Looked up once: the talk-end decision runs on every answered call of a selling plan.
        self.may_sell = [sales is not None and policy.sells and t for t in roster.trained]
        self.may_offer = policy.may_offer
        # A rule on the load alone is checked here, without a call to the policy per talk end.
        gate = policy.offer_gate()
        self.gated = gate is not None
        self.gate_waiting = gate.max_waiting if gate is not None else 0.0
        self.gate_idle = gate.min_idle if gate is not None else 0
        self.sales_skill = list(roster.sales_skill)
        # With a workforce that turns over, a seat's holder may be a new hire still learning:
        # their skills are read at each login, and the factors calls were answered at kept.
        self.turnover = roster.turnover
        self.resolver = resolver
        self.factor_changes: list[tuple[int, float, float]] = []
        self.flexes_talk = policy.flexes_talk
        self.repeats = policy.repeats is not None or at_talk_end
        # First attempts that no offer can be made to, whatever the policy says (nothing
        # eligible that the caller does not hold already); calls made again are not known.
        offerable = sales.offerable if sales is not None else np.zeros(0, dtype=bool)
        self.offerable = cast("MutableSequence[bool]", offerable.data)
        self.n_known = len(offerable)
        # A talk end that only sells, on a rule of the load alone, takes the lean path.
        self.sells_only = self.gated and not self.repeats and not self.flexes_talk
        self.watch = policy.watches_load
        self.view = CentreView(self, segments, reasons, mean_handle_s, threshold_s)
        self.queue_peaks = QueuePeaks(grid)
        self.session_log = SessionLog(self.shift_ends)
        self.announcer = (
            None
            if announcement is None
            else Announcer(self.calls, announcement, segments, mean_handle_s)
        )

    def _bind_columns(self) -> None:
        """Memoryviews of the columns every answer writes: storing into one costs less than
        half of a numpy item assignment. Bound again whenever the call log grows (it moves its
        columns then)."""
        self._answer = cast("MutableSequence[float]", self.calls.answer.data)
        self._agent = cast("MutableSequence[int]", self.calls.agent.data)
        # And those an offer writes.
        self._product = cast("MutableSequence[int]", self.calls.product.data)
        self._converted = cast("MutableSequence[int]", self.calls.converted.data)
        self._pitch = cast("MutableSequence[float]", self.calls.pitch.data)

    # -- running ---------------------------------------------------------------------------

    def run(self) -> tuple[CallLog, Sessions, Timelines]:
        env = self.env
        env.process(self._roster_process())
        for close in self.hours.closes:
            # Before anything else at that instant (shift ends included), so the rule is applied
            # to the queue as it stands at the close.
            env.schedule(Due(self._on_close, close), URGENT, close - env.now)
        self.queue_peaks.start(env, self.view.waiting)
        self.policy.bind(self.view)
        loop = CallLoop(
            env,
            self.arrivals,
            # A steered customer's later first calls may be made in self-service instead.
            arrive=self._arrive if self.steering is None else self._arrive_past_steering,
            on_done=self._on_done,
            on_talk_end=self._on_gated_talk_end if self.sells_only else self._on_talk_end,
            on_patience=self._on_patience,
            talk_rest=self._gated_rest if self.sells_only else None,
        )
        end = self.grid.horizon_end
        loop.run_until(end)
        peaks = self.queue_peaks.close()
        # The last close like every other: its events, then whatever it leaves — calls in hand,
        # callers served after the close, agents the policy keeps on.
        while loop.peek() <= end or self.n_waiting or self.kept_on or any(self.current):
            loop.step()
        self.calls.finish(
            self.factor,
            self.steering.time_s if self.steering else 0.0,
            self._factors_of_calls() if self.factor_changes else None,
        )
        for agent, logged in enumerate(self.logged_in):
            if logged:  # a session running past the horizon: it counts up to the horizon's end
                self._end_session(agent, end)
        training = np.array(self.policy.off_phone_spans(env.now), dtype=float).reshape(-1, 3)
        switch = np.array(self.policy.switch_timeline(), dtype=float).reshape(-1, 2)
        timelines = Timelines(
            training=training,
            switch=switch,
            queue_peaks=peaks,
            again_moved=self.redials.moved,
            again_lost=self.redials.lost,
        )
        return self.calls, self.session_log.sessions(), timelines

    def _on_close(self, event: Due) -> None:
        """Nobody waits through the night: the queue is served by the agents still on, or told
        to call back, or lost (``horizon.at_close``); idle agents go home."""
        mode = self.closing.waiting
        if self.n_waiting and not (mode == "served" and self.n_logged_in):
            self._send_queue_away(call_back=mode != "lost")
        for agent, logged in enumerate(self.logged_in):
            if not logged:
                continue
            if self.current[agent] is None:
                del self.idle[agent]
                self._end_session(agent, self.env.now)
            elif self.n_waiting:
                self.staying[agent] = True
            else:
                self.leaving[agent] = True

    def _send_queue_away(self, *, call_back: bool) -> None:
        now = self.env.now
        calls = self.calls
        for queue in self.queues:
            while queue:
                row, job = queue.popitem(last=False)
                calls.outcome[row] = ABANDONED
                calls.patience[row] = now - job[1]  # the wait they had when told
                calls.closed_out[row] = 1
                again = self.redials.after_abandon(job, now) if call_back else None
                if again is not None:
                    self.env.schedule(Due(self._on_again, again[1]), NORMAL, again[0])
        self.n_waiting = 0

    def _roster_process(self) -> Generator[simpy.Event]:
        events = sorted(
            [(s, _LOGIN, a, e) for a, s, e in self.roster.sessions]
            + [(e, _LOGOUT, a, e) for a, _, e in self.roster.sessions]
        )
        env = self.env
        for t, kind, agent, end in events:
            if t > env.now:
                yield env.timeout(t - env.now)
            if kind == _LOGIN:
                self._login(agent, end)
            else:
                self._logout(agent)

    # -- agents ----------------------------------------------------------------------------

    def _login(self, agent: int, scheduled_end: float) -> None:
        if self.env.now >= self.grid.horizon_end or (
            self.logged_in[agent] and not self.leaving[agent]
        ):
            return
        now = self.env.now
        if self.leaving[agent]:
            # Still on the last call of the previous session: that session ends now (time past a
            # shift's end is overtime) and the new one begins with the call in hand.
            self._end_session(agent, now)
            self.scheduled_end[agent] = scheduled_end
            self._open_session(agent, now)
            return
        self.scheduled_end[agent] = scheduled_end
        self._open_session(agent, now)
        self._take_next(agent)
        if self.watch:
            self.policy.load_changed()

    def _open_session(self, agent: int, now: float) -> None:
        if self.turnover is not None:
            self._learn(agent, now)
        self.logged_in[agent] = True
        self.n_logged_in += 1
        self.session_start[agent] = now

    def _learn(self, agent: int, now: float) -> None:
        """The session's holder's skills, from their weeks on the phones."""
        assert self.turnover is not None  # called only with a workforce that turns over
        handle, sales, resolve = self.turnover.skills(agent, now)
        factor = self.roster.factor[agent] * handle
        if factor != self.factor[agent]:
            self.factor[agent] = factor
            self.factor_changes.append((agent, now, factor))
        self.sales_skill[agent] = self.roster.sales_skill[agent] * sales
        if self.resolver is not None:
            self.resolver.set_odds(agent, resolve, len(self.roster))

    def _factors_of_calls(self) -> np.ndarray:
        """Each call's handle-time factor: its agent's at the call's answer. A factor changes
        only at a login, and an agent answers nothing between the login and the change."""
        agent, answer = self.calls.column("agent"), self.calls.column("answer")
        factor = np.take(np.asarray(self.roster.factor, dtype=float), agent, mode="wrap")
        changes = np.array(self.factor_changes, dtype=float).reshape(-1, 3)
        for a in np.unique(changes[:, 0]).astype(int):
            times, values = changes[changes[:, 0] == a, 1:].T
            rows = np.flatnonzero(agent == a)
            since = np.searchsorted(times, answer[rows], side="right") - 1
            known = since >= 0
            factor[rows[known]] = values[since[known]]
        return factor

    def _logout(self, agent: int) -> None:
        self.kept_on.discard(agent)
        if not self.logged_in[agent] or self.staying[agent]:
            return  # off the phones already (a policy took them off), or serving the close
        overtime = self.env.now - self.scheduled_end[agent]
        at_shift_end = (agent, self.scheduled_end[agent]) in self.shift_ends  # not a break
        if at_shift_end and self.policy.keep_on(agent, overtime):
            self.kept_on.add(agent)
            self.env.schedule(Due(self._on_overtime_check, agent), NORMAL, _OVERTIME_CHECK_S)
            return
        if self.current[agent] is not None:
            self.leaving[agent] = True  # finish the call in hand first
            return
        del self.idle[agent]
        self._end_session(agent, self.env.now)
        if self.watch:
            self.policy.load_changed()

    def _on_overtime_check(self, event: Due) -> None:
        self._logout(event._value)

    def _end_session(self, agent: int, at: float) -> None:
        self.logged_in[agent] = False
        self.n_logged_in -= 1
        self.leaving[agent] = False
        self.staying[agent] = False
        self.session_log.ended(agent, self.session_start[agent], at, self.scheduled_end[agent])

    def take_off_phones(self, agent: int) -> bool:
        """An idle agent leaves the phones (still paid) until put back or the session ends."""
        if agent not in self.idle:
            return False
        del self.idle[agent]
        self._end_session(agent, self.env.now)
        if self.watch:
            self.policy.load_changed()
        return True

    def put_back_on_phones(self, agent: int) -> bool:
        now = self.env.now
        if not self.hours.is_open(now) or self.logged_in[agent] or self.scheduled_end[agent] <= now:
            return False
        self._login(agent, self.scheduled_end[agent])
        return True

    def call_to_phones(self, agent: int, until: float) -> bool:
        """An agent without a scheduled session (a standby member) logs in until ``until``."""
        if self.logged_in[agent] or not self.hours.is_open(self.env.now):
            return False
        self._login(agent, until)
        return self.logged_in[agent]

    def release(self, agent: int) -> None:
        """The agent's session ends now, or after the call in hand."""
        self._logout(agent)

    def _take_next(self, agent: int) -> None:
        if self.n_waiting:
            for queue in self.queues:
                if queue:
                    job = queue.popitem(last=False)[1]
                    self.n_waiting -= 1
                    self._start(job, agent, self.env.now)
                    return
        if self.staying[agent]:
            self._end_session(agent, self.env.now)  # the queue left at the close is served
        else:
            self.idle[agent] = None

    # -- calls -----------------------------------------------------------------------------

    def _first_attempts(self) -> Iterator[Job]:
        """Jobs of the first attempts in arrival order, converted from numpy a chunk at a time
        (the loop takes them straight from each chunk's ``zip``)."""
        return chain.from_iterable(self._chunks())

    def _chunks(self) -> Iterator[Iterator[Job]]:
        c, n = self.calls, self.n_first
        for lo in range(0, n, _CHUNK):
            hi = min(lo + _CHUNK, n)
            rows: slice | list[int] = slice(lo, hi)
            if self.deflects:
                rows = (np.flatnonzero(c.ivr[lo:hi] == 0) + lo).tolist()
            yield zip(
                range(lo, hi) if isinstance(rows, slice) else rows,
                c.arrival[rows].tolist(),
                self._queue_index(rows).tolist(),
                c.patience[rows].tolist(),
                c.talk[rows].tolist(),
                c.wrap[rows].tolist(),
                strict=True,
            )

    def _queue_index(self, rows: slice | list[int]) -> np.ndarray:
        """The queue each of these calls joins: its segment's priority level (one chunk at a
        time; a routed engine keeps a queue per call type too)."""
        level: np.ndarray = np.asarray(self.queue_of_segment)[self.calls.segment[rows]]
        return level

    def _arrive_past_steering(self, job: Job) -> None:
        assert self.steering is not None  # only the loop's arrival with steering
        if self.steering.self_serves(self.calls, job[0], self.env.now):
            self.calls.ivr[job[0]] = 1  # made in self-service: never reaches the queue
            return
        self._arrive(job)

    def _arrive(self, job: Job) -> None:
        """A call comes in, a first attempt from the loop (:mod:`callsim.model.event_loop`)
        or a call made again."""
        if self.idle:
            # ``job[1]`` is the drawn arrival time itself: answered at once means a wait of 0.
            self._start(job, self.idle.popitem(last=False)[0], job[1])
        else:
            if self.announcer is not None:
                stays = self.announcer.hear(job, self.queues, self.n_logged_in)
                if stays is None:
                    self._balked(job)
                    return
                job = stays
            self.queues[job[2]][job[0]] = job
            self.n_waiting += 1
            self.queue_peaks.joined(self.n_waiting)
            if job[3] < _INF:
                # The queued call itself is its patience entry (see the loop).
                heappush(self.calendar, (self.env._now + job[3], NORMAL, next(self.eid), job))
        if self.watch:
            self.policy.load_changed()

    def _start(self, job: Job, agent: int, at: float) -> None:
        i = job[0]
        self._answer[i] = at
        self._agent[i] = agent
        self.current[agent] = job
        talk = job[4] * self.factor[agent]
        if not self.two_phase:
            # The agent's number is the entry of its call's end (see the loop).
            end = self.env._now + (talk + job[5])
            heappush(self.calendar, (end, NORMAL, next(self.eid), agent))
            return
        if self.flexes_talk:
            flex = self.policy.talk_factor(agent, CallOnScreen(self.calls, i))
            self.calls.talk_factor[i] = flex
            talk *= flex
        if not self.repeats and not (
            self.may_sell[agent] and (i >= self.n_known or self.offerable[i])
        ):
            # No offer can be made on this call and nothing else happens at its talk end: it
            # ends when the offer phase would have ended it, (talk end) + wrap-up, without the
            # stop on the way that serving a call that may sell costs.
            end = self.env._now + talk + job[5]
            heappush(self.calendar, (end, NORMAL, next(self.eid), agent))
            return
        # ``~agent`` is the entry of the talk's end (see the loop).
        heappush(self.calendar, (self.env._now + talk, NORMAL, next(self.eid), ~agent))

    def _on_talk_end(self, agent: int) -> None:
        """The request is solved: offer a product now, if the policy and the screen allow."""
        job = self.current[agent]
        assert job is not None  # the agent is on this call until _on_done
        i = job[0]
        calls = self.calls
        rest = job[5]
        now = self.env._now
        if self.may_sell[agent] and (
            (self.n_waiting <= self.gate_waiting and len(self.idle) >= self.gate_idle)
            if self.gated
            else self.may_offer(agent, CallOnScreen(calls, i))
        ):
            rest += self._offer(i, agent, now)
        if self.steering is not None:
            rest += self.steering.at_talk_end(calls, i, now)
        if self.repeats:
            again = self.redials.after_talk(job, now, float(calls.talk_factor[i]), agent)
            if again is not None:
                self.env.schedule(Due(self._on_again, again[1]), NORMAL, again[0])
        heappush(self.calendar, (now + rest, NORMAL, next(self.eid), agent))

    def _on_gated_talk_end(self, agent: int) -> None:
        """:meth:`_on_talk_end` when the talk end only sells and the policy is a load gate:
        only calls an offer can be made on stop here (see :meth:`_start`), so what is left is
        the gate and the pitch. A third of the stops under a threshold rule end in no offer;
        each look-up saved here is saved on every one of them."""
        now = self.env._now
        heappush(self.calendar, (now + self._gated_rest(agent), NORMAL, next(self.eid), agent))

    def _gated_rest(self, agent: int) -> float:
        """The gate and the pitch of :meth:`_on_gated_talk_end`: how long the call goes on
        after its talk, for the loop to put the call's end in place of the talk end's entry."""
        job = self.current[agent]
        assert job is not None  # the agent is on this call until _on_done
        if self.n_waiting <= self.gate_waiting and len(self.idle) >= self.gate_idle:
            # :meth:`_offer`, written out: this runs on every offer of a selling plan.
            i = job[0]
            pitch = self.pitch_call(self.calls, i, self.sales_skill[agent], self.env._now)
            if pitch is not None:
                self._product[i], duration, self._converted[i] = pitch
                self._pitch[i] = duration
                return job[5] + duration
        return job[5]

    def _offer(self, i: int, agent: int, now: float) -> float:
        """The agent pitches on call ``i`` (the screen and the contact rules permitting) and the
        call log records it: the time the pitch adds to the call, 0 without one."""
        pitch = self.pitch_call(self.calls, i, self.sales_skill[agent], now)
        if pitch is None:
            return 0.0
        product, duration, converted = pitch
        self._product[i] = product
        self._converted[i] = converted
        self._pitch[i] = duration
        return duration

    def _on_done(self, agent: int) -> None:
        self.current[agent] = None
        if self.leaving[agent]:
            self._end_session(agent, self.env.now)
        elif self.n_waiting or self.staying[agent]:
            self._take_next(agent)
        else:
            self.idle[agent] = None  # what _take_next would do, without the call to it
        if self.watch:
            self.policy.load_changed()

    def _on_patience(self, job: Job) -> None:
        queue = self.queues[job[2]]
        if job[0] not in queue:
            return  # answered before patience ran out
        del queue[job[0]]
        self.n_waiting -= 1
        self.calls.outcome[job[0]] = ABANDONED
        if self.watch:
            self.policy.load_changed()
        again = self.redials.after_abandon(job, self.env.now)
        if again is not None:
            self.env.schedule(Due(self._on_again, again[1]), NORMAL, again[0])

    def _balked(self, job: Job) -> None:
        """Hung up on hearing the expected wait: may call again, as one who hung up waiting."""
        again = self.redials.after_abandon(job, self.env.now)
        if again is not None:
            self.env.schedule(Due(self._on_again, again[1]), NORMAL, again[0])

    def _on_again(self, event: Due) -> None:
        self._arrive(event._value)


def _first_login(roster: Roster) -> float:
    return min((s for _, s, _ in roster.sessions), default=np.inf)
