"""A customer-satisfaction estimate per call on the common 5-level survey scale (SPEC §1).

Satisfaction is perception against expectation; for a hotline that is mostly the wait, being
resolved, and not being pushed. Each call starts from the scenario's ``base`` score and loses
points for a long wait, an unwanted or repeated offer, a complaint or stretched talk, down to the
lowest level, 0.2; a wait that was announced counts less (``announcement.wait_discount``).
Hanging up scores ``abandoned``, hanging up on hearing the announced wait ``balked``. Calls
still waiting are not rated. With ``satisfaction.expectations`` the score is perception
against each segment's expected levels instead (:mod:`callsim.measure.expectation`).

A score between two levels is read as a mix of those two answers in proportion to its distance
from them: 0.9 is half "very satisfied" (1.0), half "satisfied" (0.8). The mean is then the score
itself and the top-box share (very satisfied) is ``(score − 0.8) / 0.2`` above 0.8, else 0.
Rounding each call to the nearest level instead made the estimate jump: a refused-offer penalty
of 0.09 gave a top box of 0.73, one of 0.11 gave 0.22. This reading is continuous and monotone in
every weight.
"""

from __future__ import annotations

import numpy as np

from callsim.measure.expectation import expectation_scores, perceived_wait
from callsim.scenario.schema import Scenario

LEVELS = np.array([0.2, 0.4, 0.6, 0.8, 1.0])
"""Very dissatisfied … very satisfied."""


def call_scores(
    col: dict[str, np.ndarray],
    wait: np.ndarray,
    answered: np.ndarray,
    abandoned: np.ndarray,
    repeated: np.ndarray,
    scenario: Scenario,
    *,
    balked: np.ndarray | None = None,
    resolved: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per call: the score (0.2 to 1.0), the chance it is a top-box answer, whether it is
    rated.

    With ``satisfaction.expectations`` the score is perception against expectation
    (:mod:`callsim.measure.expectation`), else ``base`` minus penalties. ``balked``: hung up on
    the announced wait (scores ``satisfaction.balked``); ``resolved``: 1 resolved at this
    contact, 0 not, -1 not answered — without it every answered call counts as resolved."""
    c = scenario.satisfaction
    if balked is None:
        balked = np.zeros(len(wait), dtype=bool)
    complaint = np.isin(col["reason"], _indices(scenario, c.complaint_reasons))
    offered = col["product"] >= 0
    refused = offered & (col["converted"] == 0)
    if c.expectations is not None:
        if resolved is None:
            resolved = np.where(answered, 1, -1)
        penalties = {"refused": refused, "repeated": repeated, "complaint": complaint}
        score = expectation_scores(col, wait, abandoned, balked, resolved, penalties, scenario)
    else:
        if "announced" in col:  # an announced wait is perceived shorter
            wait = perceived_wait(wait, col["announced"], scenario.announcement.wait_discount)
        raw = (
            c.base
            - c.per_wait_min * np.maximum(wait - c.tolerable_wait_s, 0.0) / 60.0
            - c.refused_offer * refused
            - c.repeated_offer * repeated
            - c.complaint * complaint
            - c.long_talk * (col["talk_factor"] > 1.0)
        )
        raw = np.where(balked, c.balked, raw)
        score = np.clip(np.where(abandoned, c.abandoned, raw), LEVELS[0], LEVELS[-1])
    top_box = np.clip((score - LEVELS[-2]) / (LEVELS[-1] - LEVELS[-2]), 0.0, 1.0)
    return score, top_box, answered | abandoned | balked


def _indices(scenario: Scenario, names: list[str]) -> list[int]:
    reasons = list(scenario.reasons)
    return [reasons.index(n) for n in names if n in reasons]


def repeated_offers(
    customer: np.ndarray, answer: np.ndarray, product: np.ndarray, window_days: float
) -> np.ndarray:
    """Per call: an offer to a customer who had had another within the contact-rule window."""
    rows = np.flatnonzero(product >= 0)
    out = np.zeros(len(product), dtype=bool)
    if len(rows) < 2:
        return out
    who, at = customer[rows], answer[rows]
    order = np.lexsort((at, who))
    same = who[order][1:] == who[order][:-1]
    close = at[order][1:] - at[order][:-1] < window_days * 86_400.0
    out[rows[order][1:][same & close]] = True
    return out
