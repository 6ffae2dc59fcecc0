"""callsim: simulate inbound customer-service hotlines that sell."""

from callsim.experiment.results import SimulationResult
from callsim.experiment.runner import simulate
from callsim.scenario.files import ScenarioError, load_scenario
from callsim.version import __version__

__all__ = ["ScenarioError", "SimulationResult", "__version__", "load_scenario", "simulate"]
