"""Satisfaction as perception against expectation (SPEC §1), on the 5-level survey scale.

The perceived wait is the wait, less ``announcement.wait_discount`` of the part of it that was
announced (a caller told three minutes who waits two perceives less than two; past the
announcement every second counts in full). Where it falls between the caller's segment's
expected levels (:class:`callsim.scenario.expectations.WaitExpectation`) sets the score,
read linearly between the levels: at or under ideal 1.0, at standard 0.8, at acceptable 0.6,
at minimum tolerable 0.4, and 0.2 as far again past it. An answered call left unresolved, a
refused or repeated offer, a complaint and stretched talk (in proportion to the stretch) then
lower it, down to 0.2. Every step is continuous in the wait, the announced wait and the talk
factor, so a small change in them moves the score a little, never a whole level.

Callers who hung up in the queue score ``satisfaction.abandoned``, those who hung up on hearing
the announcement ``satisfaction.balked``.
"""

from __future__ import annotations

import numpy as np

from callsim.scenario.schema import Scenario

LOWEST, HIGHEST = 0.2, 1.0


def perceived_wait(wait: np.ndarray, announced: np.ndarray, discount: float) -> np.ndarray:
    """The wait less ``discount`` of its announced part (NaN: nothing was announced)."""
    told = np.where(np.isnan(announced), 0.0, announced)
    out: np.ndarray = wait - discount * np.minimum(wait, told)
    return out


def wait_scores(perceived: np.ndarray, segment: np.ndarray, scenario: Scenario) -> np.ndarray:
    """The score each call's perceived wait earns against its segment's expected levels."""
    expectations = scenario.satisfaction.expectations
    assert expectations is not None  # only called for the expectation model
    out = np.empty(len(perceived))
    for k, name in enumerate(scenario.customers.segments):
        mine = segment == k
        waits, levels = expectations.of_segment(name).points()
        out[mine] = np.interp(perceived[mine], waits, levels)
    return out


def expectation_scores(
    col: dict[str, np.ndarray],
    wait: np.ndarray,
    abandoned: np.ndarray,
    balked: np.ndarray,
    resolved: np.ndarray,
    penalties: dict[str, np.ndarray],
    scenario: Scenario,
) -> np.ndarray:
    """Per call, the score (0.2 to 1.0). ``resolved``: 1 resolved at this contact, 0 not, -1
    not answered. ``penalties``: the satisfaction block's refused, repeated and complaint
    indicators (booleans), shared with the penalty model."""
    c = scenario.satisfaction
    expectations = c.expectations
    assert expectations is not None
    announced = col.get("announced")
    if announced is None:
        announced = np.full(len(wait), np.nan)
    perceived = perceived_wait(wait, announced, scenario.announcement.wait_discount)
    stretch = np.clip((col["talk_factor"] - 1.0) / (expectations.long_talk_full_at - 1.0), 0, 1)
    raw = (
        wait_scores(perceived, col["segment"], scenario)
        - expectations.unresolved * (resolved == 0)
        - c.refused_offer * penalties["refused"]
        - c.repeated_offer * penalties["repeated"]
        - c.complaint * penalties["complaint"]
        - c.long_talk * stretch
    )
    score = np.where(abandoned, c.abandoned, np.where(balked, c.balked, raw))
    out: np.ndarray = np.clip(score, LOWEST, HIGHEST)
    return out
