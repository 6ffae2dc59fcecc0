"""HTML reports of runs, comparisons, sweeps, staffing requirements, schedules and staffing ×
selling plans: one self-contained page each, in English or Simplified Chinese.

Each page inlines plotly.js and its data, so it opens offline and can be mailed as one file.
Charts are marked ``data-chart=<name>``; ``expected_charts`` lists the names a page must hold.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from callsim.experiment.results import SimulationResult
from callsim.measure.money import money_terms
from callsim.planning.isa import IsaResult
from callsim.planning.plan import Plan
from callsim.planning.schedule import Schedule
from callsim.report.frontier import point_scenarios, sweep_page
from callsim.report.i18n import LANGS, Words
from callsim.report.names import expected_charts
from callsim.report.plan_page import plan_page
from callsim.report.plans import compare_page
from callsim.report.run import has_selling, run_page
from callsim.report.schedule import schedule_page
from callsim.report.staffing import staff_page

__all__ = [
    "LANGS",
    "compare_report",
    "expected_charts",
    "has_selling",
    "plan_report",
    "run_report",
    "schedule_report",
    "staff_report",
    "sweep_report",
]


def run_report(result: SimulationResult, lang: str = "en") -> str:
    """The report of one plan's run, as one HTML document."""
    words = Words(lang)  # an unknown language is refused before anything is read
    return run_page(result, replace(words, money=money_terms([result.scenario])))


def compare_report(comparison: Any, lang: str = "en") -> str:
    """The report of a ``callsim.compare.Comparison``, as one HTML document."""
    words = Words(lang)
    plans = [r.scenario for r in comparison.results.values()]
    return compare_page(comparison, replace(words, money=money_terms(plans)))


def sweep_report(sweep: Any, lang: str = "en") -> str:
    """The report of a sweep: anything with ``points``, ``params``, ``base``, ``seed``,
    ``replications``, ``created`` and ``pick`` as ``callsim.sweep.Sweep`` has them."""
    words = Words(lang)
    return sweep_page(sweep, replace(words, money=money_terms(point_scenarios(sweep))))


def staff_report(isa: IsaResult, lang: str = "en") -> str:
    """The report of a staffing requirement sized by simulation (``isa_requirement``)."""
    words = Words(lang)
    return staff_page(isa, replace(words, money=money_terms([isa.scenario])))


def schedule_report(schedule: Schedule, lang: str = "en") -> str:
    """The report of shifts built and checked by ``build_schedule``."""
    words = Words(lang)
    return schedule_page(schedule, replace(words, money=money_terms([schedule.scenario])))


def plan_report(plan: Plan, lang: str = "en") -> str:
    """The report of a staffing × selling plan (``plan_policies``)."""
    words = Words(lang)
    plans = [c.staffed for c in plan.candidates]
    return plan_page(plan, replace(words, money=money_terms(plans)))
