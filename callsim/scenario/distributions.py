"""Duration distributions as they appear in scenario files.

Every duration names its unit in the key (``mean_s`` or ``mean_min``) so a planner can never be
off by a factor of sixty without noticing. Internally everything is seconds.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from itertools import repeat
from typing import Annotated, Any, Literal, Protocol

import numpy as np
from pydantic import Field, model_validator

from callsim.scenario.strict import Strict

Positive = Annotated[float, Field(gt=0)]
NonNegative = Annotated[float, Field(ge=0)]


_TINY = 1e-300
"""The quantile refuses 0; a uniform of exactly 0 maps to the far lower tail instead."""
# The statistics module's own name for the routine behind NormalDist.inv_cdf (in C where
# available); not in the stubs. tests/test_common_random_numbers.py checks it gives the same
# numbers as the method.
_NORMAL_DIST_INV_CDF: Callable[[float, float, float], float]
_NORMAL_DIST_INV_CDF = statistics._normal_dist_inv_cdf  # type: ignore[attr-defined]


def standard_normal_quantile(p: float) -> float:
    """``statistics.NormalDist().inv_cdf(p)`` for p in (0, 1): the same number (the routine the
    method calls, with its mean 0 and sd 1), without the method's checks, which cost more than
    the quantile itself on paths taken for every offer or every caller."""
    return _NORMAL_DIST_INV_CDF(p, 0.0, 1.0)


def standard_normal_quantiles(u: np.ndarray) -> np.ndarray:
    """:func:`standard_normal_quantile` of every uniform in [0, 1) (0 maps to the far tail)."""
    p = np.maximum(u, _TINY).tolist()
    z = map(_NORMAL_DIST_INV_CDF, p, repeat(0.0), repeat(1.0))
    return np.fromiter(z, dtype=float, count=len(p))


class Sampler(Protocol):
    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray: ...

    def quantile(self, u: float) -> float:
        """The inverse CDF at ``u`` in [0, 1): a draw from a uniform of the caller's own, so the
        same caller gets the same duration whatever order the decisions come in."""
        ...


def _one_unit(values: dict[str, Any], name: str) -> float:
    """Return ``name`` in seconds from exactly one of ``{name}_s`` / ``{name}_min``."""
    s, m = values.get(f"{name}_s"), values.get(f"{name}_min")
    if s is not None and m is None:
        return float(s)
    if m is not None and s is None:
        return float(m) * 60.0
    raise ValueError(f"give exactly one of {name}_s or {name}_min")


class _WithMean(Strict):
    mean_s: Positive | None = None
    mean_min: Positive | None = None

    @model_validator(mode="after")
    def _check_unit(self) -> _WithMean:
        _one_unit(self.__dict__, "mean")
        return self

    @property
    def mean(self) -> float:
        """Mean in seconds."""
        return _one_unit(self.__dict__, "mean")


class Exponential(_WithMean):
    dist: Literal["exponential"]

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.exponential(self.mean, n)

    def quantile(self, u: float) -> float:
        return -self.mean * math.log1p(-float(u))


class Lognormal(_WithMean):
    """Parameterised by mean and coefficient of variation, the figures planners actually know."""

    dist: Literal["lognormal"]
    cv: Positive

    def log_parameters(self) -> tuple[float, float]:
        """(mu, sigma) of the underlying normal."""
        sigma2 = math.log1p(self.cv**2)
        return math.log(self.mean) - sigma2 / 2, math.sqrt(sigma2)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        mu, sigma = self.log_parameters()
        return rng.lognormal(mu, sigma, n)

    def quantile(self, u: float) -> float:
        mu, sigma = self.log_parameters()
        return math.exp(mu + sigma * standard_normal_quantile(max(float(u), _TINY)))


class Gamma(_WithMean):
    dist: Literal["gamma"]
    cv: Positive

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        shape = 1.0 / self.cv**2
        return rng.gamma(shape, self.mean / shape, n)

    def quantile(self, u: float) -> float:
        from scipy import special  # only when asked: scipy is slow to import

        shape = 1.0 / self.cv**2
        return float(special.gammaincinv(shape, float(u))) * self.mean / shape


class Fixed(Strict):
    dist: Literal["fixed"]
    value_s: NonNegative | None = None
    value_min: NonNegative | None = None

    @model_validator(mode="after")
    def _check_unit(self) -> Fixed:
        _one_unit(self.__dict__, "value")
        return self

    @property
    def mean(self) -> float:
        return _one_unit(self.__dict__, "value")

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.full(n, self.mean)

    def quantile(self, u: float) -> float:
        return self.mean


class Empirical(Strict):
    """Resample observed durations (e.g. from last month's call log), optionally weighted."""

    dist: Literal["empirical"]
    values_s: list[NonNegative] | None = Field(default=None, min_length=1)
    values_min: list[NonNegative] | None = Field(default=None, min_length=1)
    weights: list[NonNegative] | None = None

    @model_validator(mode="after")
    def _check(self) -> Empirical:
        if (self.values_s is None) == (self.values_min is None):
            raise ValueError("give exactly one of values_s or values_min")
        if self.weights is not None:
            if len(self.weights) != len(self._values()):
                raise ValueError("weights must have one entry per value")
            if sum(self.weights) <= 0:
                raise ValueError("weights must not all be zero")
        return self

    def _values(self) -> np.ndarray:
        if self.values_s is not None:
            return np.asarray(self.values_s, dtype=float)
        return np.asarray(self.values_min, dtype=float) * 60.0

    def _probs(self) -> np.ndarray | None:
        if self.weights is None:
            return None
        w = np.asarray(self.weights, dtype=float)
        return w / float(w.sum())

    @property
    def mean(self) -> float:
        p = self._probs()
        v = self._values()
        return float(v.mean() if p is None else v @ p)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.choice(self._values(), size=n, p=self._probs())

    def quantile(self, u: float) -> float:
        """The smallest observed value whose cumulative share exceeds ``u`` (values sorted)."""
        v = self._values()
        p = self._probs()
        order = np.argsort(v, kind="stable")
        w = np.full(len(v), 1.0 / len(v)) if p is None else p
        cumulative = np.cumsum(w[order])
        k = int(np.searchsorted(cumulative, float(u) * cumulative[-1], side="right"))
        return float(v[order][min(k, len(v) - 1)])


class NoPatience(Strict):
    """Callers who never hang up: the Erlang C world."""

    dist: Literal["none"]

    @property
    def mean(self) -> float:
        return math.inf

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.full(n, np.inf)

    def quantile(self, u: float) -> float:
        return math.inf


def quantile_function(dist: Sampler) -> Callable[[float], float]:
    """``dist.quantile`` with the distribution's parameters worked out once: the very same
    numbers, for a decision taken on every offer, where re-deriving them each time showed."""
    if isinstance(dist, Lognormal):
        mu, sigma = dist.log_parameters()
        inv_cdf = _NORMAL_DIST_INV_CDF
        return lambda u: math.exp(mu + sigma * inv_cdf(u if u >= _TINY else _TINY, 0.0, 1.0))
    if isinstance(dist, Exponential):
        minus_mean = -dist.mean
        return lambda u: minus_mean * math.log1p(-u)
    if isinstance(dist, Fixed):
        value = dist.mean
        return lambda u: value
    return dist.quantile


Duration = Annotated[
    Exponential | Lognormal | Gamma | Fixed | Empirical, Field(discriminator="dist")
]
Patience = Annotated[
    Exponential | Lognormal | Gamma | Fixed | Empirical | NoPatience,
    Field(discriminator="dist"),
]


class Busyness(Strict):
    """Day-level uncertainty: one gamma factor with mean 1 multiplies every rate of that day."""

    dist: Literal["gamma"] = "gamma"
    cv: Positive

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        shape = 1.0 / self.cv**2
        return rng.gamma(shape, 1.0 / shape, n)

    def quantile(self, u: float) -> float:
        from scipy import special  # only when asked: scipy is slow to import

        shape = 1.0 / self.cv**2
        return float(special.gammaincinv(shape, float(u))) / shape
