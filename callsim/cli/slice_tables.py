"""The slice tables the command line prints beside the KPI table, for the scenarios that have
them: by call type and by agent group when the scenario routes (service level, ASA,
abandonment, the overflow between groups; :mod:`callsim.measure.routing`), and by week over a
horizon of two weeks or more (headcount and its mix, leavers and hires, service level, money;
:mod:`callsim.measure.weekly`). Nothing is printed for a scenario without them.
"""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from callsim.experiment.results import SimulationResult
from callsim.measure.catalogue import fmt, label
from callsim.measure.weekly import SHOWN, WEEK

TYPE_KPIS = ("offered", "service_level", "asa_s", "abandon_rate", "overflow_share")
GROUP_KPIS = ("calls", "occupancy", "overflow_taken", "overflow_taken_share")
WEEK_KPIS = (*SHOWN, "revenue")


def print_slice_tables(console: Console, results: dict[str, SimulationResult]) -> None:
    """A row per plan and member, means over replications (the plans' paired differences are
    in the comparison's main tables)."""
    for kind, kpis, title, header in (
        ("call_type", TYPE_KPIS, "By call type", "Call type"),
        ("routing_group", GROUP_KPIS, "By agent group (routing)", "Group"),
        (WEEK, WEEK_KPIS, "By week", "Week"),
    ):
        having = {plan: r for plan, r in results.items() if kind in r.slices}
        if not having:
            continue
        several = len(results) > 1
        table = Table(title=title, title_justify="left")
        if several:
            table.add_column("Plan")
        table.add_column(header)
        for kpi in kpis:
            table.add_column(label(kpi), justify="right")
        for plan, result in having.items():
            for row in result.slices[kind].itertuples(index=False):
                values = [fmt(kpi, getattr(row, f"{kpi}_mean")) for kpi in kpis]
                member = escape(str(getattr(row, kind)))
                table.add_row(*([escape(plan)] if several else []), member, *values)
            if several:
                table.add_section()
        console.print(table)
