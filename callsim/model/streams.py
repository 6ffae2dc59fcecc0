"""One independent random stream per source of randomness and replication.

Streams are keyed by (seed, replication, source) and never by the order they are created in, so
replication r sees the same callers whatever the number of workers, and two plans run on the same
seed see the same callers too (common random numbers). New sources get new numbers at the end of
:data:`SOURCES`; existing streams never move.
"""

from __future__ import annotations

import numpy as np

SOURCES = (
    "busyness",
    "arrivals",
    "reasons",
    "segments",
    "patience",
    "talk",
    "wrapup",
    "retrial",  # retired: calls made again draw on the callers' own "again" uniforms
    "customers",
    "history",
    "offers",
    "repeats",  # retired, likewise (the position is kept so that later streams do not move)
    # Per-caller uniforms drawn with the callers (callsim.model.demand), so that a decision
    # belongs to the caller, not to the order decisions happen in.
    "purchase",
    "pitch_time",
    "product_choice",
    "again",
    "again_delay",
    "again_patience",
    "resolution",  # the caller's own uniform: is the request resolved when answered
    "ivr",  # does the self-service menu resolve the call
    "ivr_time",  # how long the caller spends in the menu
    "steering",  # does the agent steer the caller to self-service
    "self_service",  # does a steered customer's later call self-serve
    "balk",  # whether a caller hangs up on hearing the announced wait
    "workforce",  # who leaves when: one stream per seat, keyed by its label (model.workforce)
)


def streams(seed: int, replication: int) -> dict[str, np.random.Generator]:
    return {
        name: np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(replication, k)))
        for k, name in enumerate(SOURCES)
    }
