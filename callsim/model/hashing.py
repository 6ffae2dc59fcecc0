"""Counter-based uniforms: numbers that are a function of a key alone, so a caller's or a
customer's draws do not depend on the order in which the run asks for them (common random
numbers across plans)."""

from __future__ import annotations

M64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
"""The splitmix64 increment (2**64 / golden ratio)."""


def splitmix64(x: int) -> int:
    """The splitmix64 finaliser: a bijection of 64-bit integers that scrambles every bit.

    Plain integer arithmetic modulo 2**64: for the handful of values drawn per decision it is
    several times faster than numpy's uint64 scalars."""
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M64
    return x ^ (x >> 31)
