"""The routing tables the command line prints, for runs and comparisons of scenarios that route.

By call type (service level, ASA, abandonment, the share answered by a backup group) and by agent
group (calls, occupancy, the calls taken as overflow), from the results' routing slices
(:mod:`callsim.measure.routing`); nothing is printed for a scenario without ``routing:``.
"""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from callsim.experiment.results import SimulationResult
from callsim.measure.catalogue import fmt, label

TYPE_KPIS = ("offered", "service_level", "asa_s", "abandon_rate", "overflow_share")
GROUP_KPIS = ("calls", "occupancy", "overflow_taken", "overflow_taken_share")


def print_routing(console: Console, results: dict[str, SimulationResult]) -> None:
    """One table by call type and one by group, a row per plan and member (means over
    replications; the plans' paired differences are in the comparison's main tables)."""
    routed = {plan: r for plan, r in results.items() if "call_type" in r.slices}
    if not routed:
        return
    several = len(results) > 1
    for kind, kpis, title in (
        ("call_type", TYPE_KPIS, "By call type"),
        ("routing_group", GROUP_KPIS, "By agent group (routing)"),
    ):
        table = Table(title=title, title_justify="left")
        if several:
            table.add_column("Plan")
        table.add_column("Call type" if kind == "call_type" else "Group")
        for kpi in kpis:
            table.add_column(label(kpi), justify="right")
        for plan, result in routed.items():
            for row in result.slices[kind].itertuples(index=False):
                values = [fmt(kpi, getattr(row, f"{kpi}_mean")) for kpi in kpis]
                member = escape(str(getattr(row, kind)))
                table.add_row(*([escape(plan)] if several else []), member, *values)
            if several:
                table.add_section()
        console.print(table)
