"""Counter-based uniforms: numbers that are a function of a key alone, so a caller's or a
customer's draws do not depend on the order in which the run asks for them (common random
numbers across plans)."""

from __future__ import annotations

import numpy as np

M64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
"""The splitmix64 increment (2**64 / golden ratio)."""

_MIX1, _MIX2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


def splitmix64(x: int) -> int:
    """The splitmix64 finaliser: a bijection of 64-bit integers that scrambles every bit.

    Plain integer arithmetic modulo 2**64: for the handful of values drawn per decision it is
    several times faster than numpy's uint64 scalars."""
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M64
    return x ^ (x >> 31)


def splitmix64_array(x: np.ndarray) -> np.ndarray:
    """:func:`splitmix64` of every element of a uint64 array (numpy wraps modulo 2**64), for
    hashing many keys at once before the clock starts."""
    x = (x ^ (x >> np.uint64(30))) * _MIX1
    x = (x ^ (x >> np.uint64(27))) * _MIX2
    mixed: np.ndarray = x ^ (x >> np.uint64(31))
    return mixed
