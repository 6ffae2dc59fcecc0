"""Closed-form and exact queueing results (Erlang B, C and A) and the inverse staffing questions
planners ask of them: what the simulator is checked against, importable without it."""

from callsim.analytic.erlang import (
    SERVICE_LEVEL_DEFINITIONS,
    QueueMetrics,
    agents_for_abandonment,
    agents_for_asa,
    agents_for_service_level,
    erlang_b,
    erlang_c,
    mmc,
    mmc_m,
    scheduled_for,
    square_root_staffing,
)

__all__ = [
    "SERVICE_LEVEL_DEFINITIONS",
    "QueueMetrics",
    "agents_for_abandonment",
    "agents_for_asa",
    "agents_for_service_level",
    "erlang_b",
    "erlang_c",
    "mmc",
    "mmc_m",
    "scheduled_for",
    "square_root_staffing",
]
