"""Functions of the layers below the command line, imported at their first call.

``callsim --help``, ``callsim validate`` and the other quick commands are what a planner waits
for most often, and they use nothing of pandas, scipy or plotly; importing the whole package
behind every command at start-up made each of them wait about a second for those libraries.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def deferred(module: str, name: str) -> Callable[..., Any]:
    """``module.name``, a function, looked up when called (the module imported then, once)."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"{module}.{name}, imported at its first call."
    return call
