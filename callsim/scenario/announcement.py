"""Announcing the expected wait on arrival (SPEC §1: managing expectations is cheaper than
raising quality): who hangs up on hearing it, and how the others wait.

Off unless ``enabled``. No source gives balking rates or how much an announcement stretches
patience, so every default here is an assumption a centre is expected to replace with its own
figures (from the share of callers who hang up in the seconds after the message plays).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from callsim.scenario.strict import Strict

Tolerance = Annotated[float, Field(gt=0)]


class Balking(Strict):
    """Who hangs up at once: a caller told ``A`` seconds balks with probability
    ``1 − 2^(−(A / tolerance)^shape)``, 0 for no wait, one half at the tolerance, rising
    smoothly towards 1 (``shape`` sets how sharply around the tolerance)."""

    tolerance_s: Tolerance = Field(
        300.0,
        description="assumption: the announced wait at which half the callers hang up at once.",
    )
    shape: float = Field(
        2.0, gt=0, le=20, description="assumption: how steeply balking rises around it."
    )
    segments: dict[str, Tolerance] = Field(
        default_factory=dict,
        description="Tolerance of a segment that differs from tolerance_s (VIPs who tolerate "
        "less, say).",
    )


class Announcement(Strict):
    """The expected wait told to every caller who would queue (nobody is told anything when an
    agent is free), worked out from what the centre knows at that instant.

    ``estimator: position``: the callers ahead in this caller's queue and those above it, plus
    the caller, × the mean handle time of the call mix ÷ the agents logged in — the expected
    wait the policies' view computes, counted for this caller's priority. It ignores callers
    who will hang up before their turn and higher-priority callers who will overtake, as the
    announcements of real centres do.

    Callers who stay measure their patience against the announcement: their own patience ``p``
    is stretched towards it, ``p + patience_stretch × max(A − p, 0)`` (0: unchanged, 1: they
    wait at least as long as they were told). Callers who balk call again by the retrial model,
    as those who hang up in the queue do.
    """

    enabled: bool = False
    estimator: Literal["position"] = "position"
    balking: Balking = Field(default_factory=Balking)
    patience_stretch: float = Field(
        0.5,
        ge=0,
        le=1,
        description="assumption: how far towards the announced wait a caller's patience moves.",
    )
    wait_discount: float = Field(
        0.5,
        ge=0,
        le=1,
        description="assumption: the share of an announced wait (the part waited up to the "
        "announcement) that the caller no longer perceives as waiting, for satisfaction.",
    )
