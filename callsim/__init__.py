"""callsim: simulate inbound customer-service hotlines that sell."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("callsim")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

from callsim.loading import ScenarioError, load_scenario
from callsim.results import SimulationResult
from callsim.runner import simulate

__all__ = ["ScenarioError", "SimulationResult", "__version__", "load_scenario", "simulate"]
