"""The one list of selling policies: the scenario's ``selling.policy`` union, the factory and the
tags an error message leaves out are all derived from it.

A policy module registers its config class and factory at import; ``callsim.policies`` imports
every module of the package, so a new built-in policy is one new file. A policy defined elsewhere
(a notebook, a test) registers the same way, and the scenario schema is rebuilt to accept it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar, Union, get_args

from pydantic import Field

from callsim.policies.contract import PolicyConfig, SellingPolicy

C = TypeVar("C", bound=PolicyConfig)


@dataclass(frozen=True)
class _Entry:
    config: type[PolicyConfig]
    make: Callable[[Any], SellingPolicy]


_POLICIES: dict[str, _Entry] = {}
_LISTENERS: list[Callable[[], None]] = []


def register(config: type[C], make: Callable[[C], SellingPolicy]) -> None:
    """Make ``config`` (a :class:`PolicyConfig` whose ``kind`` is one ``Literal``) a valid
    ``selling.policy`` and ``make`` the way to build its policy for a replication."""
    kind = _kind_of(config)
    _POLICIES[kind] = _Entry(config, make)
    _changed()


def unregister(kind: str) -> None:
    """Forget a policy registered from outside the package (tests, notebooks)."""
    del _POLICIES[kind]
    _changed()


def on_change(listener: Callable[[], None]) -> None:
    """Call ``listener`` whenever the list changes (the schema rebuilds its union)."""
    _LISTENERS.append(listener)


def kinds() -> tuple[str, ...]:
    return tuple(_POLICIES)


def config_union() -> Any:
    """The ``selling.policy`` type: the registered configs, told apart by ``kind``."""
    configs = tuple(entry.config for entry in _POLICIES.values())
    return Annotated[Union[configs], Field(discriminator="kind")]  # noqa: UP007 (runtime tuple)


def make_policy(config: PolicyConfig) -> SellingPolicy:
    """A fresh policy for one replication (policies hold the state of their run)."""
    entry = _POLICIES.get(config.kind)
    if entry is None or not isinstance(config, entry.config):
        raise LookupError(f"no selling policy registered for {config!r}")
    return entry.make(config)


def _kind_of(config: type[PolicyConfig]) -> str:
    choices = get_args(config.model_fields["kind"].annotation)
    if len(choices) != 1 or not isinstance(choices[0], str):
        raise TypeError(f"{config.__name__}.kind must be a Literal of one string")
    return choices[0]


def _changed() -> None:
    for listener in _LISTENERS:
        listener()
