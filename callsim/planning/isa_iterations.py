"""How many iterations the iterative staffing algorithm (:mod:`callsim.planning.isa`) may take:
on its own, so that the command line can show the default without importing the algorithm."""

MAX_ITERATIONS = 20
"""Assumption: the paper's experiments converge in about ten iterations; twice that leaves room."""
