"""Closed-form and exact queueing results (Erlang B, C and A) and the inverse staffing questions
planners ask of them: what the simulator is checked against, importable without it."""

from callsim.analytic import erlang
from callsim.analytic.erlang import *  # noqa: F403 (the formulas' own list of public names)

__all__ = erlang.__all__
