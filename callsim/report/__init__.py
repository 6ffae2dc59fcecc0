"""HTML reports of runs, comparisons, sweeps, staffing requirements, schedules and staffing ×
selling plans: one self-contained page each, in English or Simplified Chinese.

Each page holds its data and, by default, plotly.js too, so it opens offline and can be mailed
as one file; with ``single_file=False`` it loads ``plotly.min.js`` from its own folder instead
(4.8 MB less per report; the results directory writers put the file there).
Charts are marked ``data-chart=<name>``; ``expected_charts`` lists the names a page must hold.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from callsim.experiment.results import SimulationResult
from callsim.measure.money import money_terms
from callsim.report.frontier import point_scenarios, sweep_page
from callsim.report.i18n import LANGS, Words
from callsim.report.names import expected_charts
from callsim.report.plan_page import plan_page
from callsim.report.plans import compare_page
from callsim.report.run import has_selling, run_page
from callsim.report.schedule import schedule_page
from callsim.report.staffing import staff_page
from callsim.store.plotly_file import inline

if TYPE_CHECKING:  # annotations only: a run's report and results must not import the MILP solver
    from callsim.planning.isa import IsaResult
    from callsim.planning.plan import Plan
    from callsim.planning.schedule import Schedule

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


def run_report(result: SimulationResult, lang: str = "en", *, single_file: bool = True) -> str:
    """The report of one plan's run, as one HTML document."""
    words = Words(lang)  # an unknown language is refused before anything is read
    return _finish(
        run_page(result, replace(words, money=money_terms([result.scenario]))), single_file
    )


def compare_report(comparison: Any, lang: str = "en", *, single_file: bool = True) -> str:
    """The report of a ``callsim.compare.Comparison``, as one HTML document."""
    words = Words(lang)
    plans = [r.scenario for r in comparison.results.values()]
    return _finish(compare_page(comparison, replace(words, money=money_terms(plans))), single_file)


def sweep_report(sweep: Any, lang: str = "en", *, single_file: bool = True) -> str:
    """The report of a sweep: anything with ``points``, ``params``, ``base``, ``seed``,
    ``replications``, ``created`` and ``pick`` as ``callsim.sweep.Sweep`` has them."""
    words = Words(lang)
    return _finish(
        sweep_page(sweep, replace(words, money=money_terms(point_scenarios(sweep)))), single_file
    )


def staff_report(isa: IsaResult, lang: str = "en", *, single_file: bool = True) -> str:
    """The report of a staffing requirement sized by simulation (``isa_requirement``)."""
    words = Words(lang)
    return _finish(staff_page(isa, replace(words, money=money_terms([isa.scenario]))), single_file)


def schedule_report(schedule: Schedule, lang: str = "en", *, single_file: bool = True) -> str:
    """The report of shifts built and checked by ``build_schedule``."""
    words = Words(lang)
    return _finish(
        schedule_page(schedule, replace(words, money=money_terms([schedule.scenario]))), single_file
    )


def plan_report(plan: Plan, lang: str = "en", *, single_file: bool = True) -> str:
    """The report of a staffing × selling plan (``plan_policies``)."""
    words = Words(lang)
    plans = [c.staffed for c in plan.candidates]
    return _finish(plan_page(plan, replace(words, money=money_terms(plans))), single_file)


def _finish(page: str, single_file: bool) -> str:
    """A page with plotly.js inside it, or loading it from beside it."""
    return inline(page) if single_file else page
