"""callsim: simulate inbound customer-service hotlines that sell.

The public API is loaded on first use, so that importing one layer (reading a results folder,
the Erlang formulas) does not import the engine and the rest behind it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from callsim.version import __version__

if TYPE_CHECKING:
    from callsim.experiment.results import SimulationResult
    from callsim.experiment.runner import simulate
    from callsim.scenario.files import ScenarioError, load_scenario

_API = {
    "ScenarioError": "callsim.scenario.files",
    "SimulationResult": "callsim.experiment.results",
    "load_scenario": "callsim.scenario.files",
    "simulate": "callsim.experiment.runner",
}

__all__ = ["ScenarioError", "SimulationResult", "__version__", "load_scenario", "simulate"]


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(importlib.import_module(_API[name]), name)
    if name in ("analytic",):
        return importlib.import_module(f"callsim.{name}")
    raise AttributeError(f"module 'callsim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
