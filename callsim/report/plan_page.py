"""The staffing × selling plan report: what each candidate selling policy earns once it is
staffed to meet the goal, which one is best, and by how much it beats the baseline beyond the
noise the candidates share.

The page reads a :class:`~callsim.planning.plan.Plan`: the bars are the rows of its ``table()``,
the staffing lines each candidate's schedule coverage (or its requirement when the scenario has
no shift templates).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go

from callsim.report import html as h
from callsim.report.charts import (
    Chart,
    add_steps,
    colour,
    error_bars,
    narrow_steps,
    plot_text,
    step_axis,
    style,
)
from callsim.report.i18n import Words
from callsim.report.run import goal_text, interval_names, scenario_details
from callsim.report.staffing import count_text
from callsim.report.verdict import verdict_sentence
from callsim.version import __version__

if TYPE_CHECKING:  # annotations only: a run's report and results must not import the MILP solver
    from callsim.planning.plan import Candidate, Plan

ROLE_COLOURS = {
    "best": "#f59f00",
    "baseline": "#495057",
    "met": "#1f6feb",
    "not_met": "#adb5bd",
}
"""Best in the sweep's star colour, the baseline in its badge's grey, the other candidates
meeting the goal in the report's blue and those that do not in a pale grey."""


DASHES = ("solid", "dash", "dot", "dashdot")
"""Candidates often need the same agents in an interval: dashes keep each line visible where
they overlap."""


def role(row: pd.Series, baseline: str) -> str:
    if row["best"]:
        return "best"
    if row["candidate"] == baseline:
        return "baseline"
    return "met" if row["verdict"] == "met" else "not_met"


def role_label(name: str, words: Words) -> str:
    return words["baseline"] if name == "baseline" else words[f"r_{name}"]


def tick_texts(table: pd.DataFrame, baseline: str, words: Words) -> list[str]:
    """Candidate names under their bars, the best starred and the baseline named."""
    out = []
    for _, row in table.iterrows():
        text = plot_text(row["candidate"])
        if row["best"]:
            text = f"★ {text}"
        if row["candidate"] == baseline:
            text = f"{text}<br>({plot_text(words['baseline'])})"
        out.append(text)
    return out


def hover(row: pd.Series, kpi: str, words: Words) -> str:
    return plot_text(
        words.pair(
            str(row["candidate"]),
            f"{words.number(kpi, row[f'{kpi}_mean'])} "
            f"({words.interval(kpi, row[f'{kpi}_ci_low'], row[f'{kpi}_ci_high'])})",
        )
    )


def candidate_axis(fig: go.Figure, table: pd.DataFrame, baseline: str, words: Words) -> None:
    names = [plot_text(n) for n in table["candidate"]]
    fig.update_xaxes(
        type="category",
        categoryorder="array",
        categoryarray=names,
        tickmode="array",
        tickvals=names,
        ticktext=tick_texts(table, baseline, words),
        automargin=True,
    )


def net_chart(plan: Plan, words: Words) -> Chart:
    """Each candidate's net contribution with its interval, coloured by its role: the best,
    the baseline, the others meeting the goal and those that do not."""
    table = plan.table()
    kpi = "net_contribution"
    roles = [role(row, plan.baseline) for _, row in table.iterrows()]
    fig = go.Figure()
    for name in ROLE_COLOURS:
        rows = table[[r == name for r in roles]]
        if rows.empty:
            continue
        mean, low, high = (
            rows[f"{kpi}_{p}"].to_numpy(dtype=float) for p in ("mean", "ci_low", "ci_high")
        )
        fig.add_trace(
            go.Bar(
                x=[plot_text(n) for n in rows["candidate"]],
                y=mean,
                error_y={**error_bars(mean, low, high, kpi), "color": "#212529"},
                marker={"color": ROLE_COLOURS[name]},
                name=plot_text(role_label(name, words)),
                text=[hover(row, kpi, words) for _, row in rows.iterrows()],
                textposition="none",
                hovertemplate="%{text}<extra></extra>",
            )
        )
    fig.add_hline(y=0, line={"color": "#868e96", "width": 1})
    style(fig, height=380, hovermode="closest")
    fig.update_layout(barmode="overlay", bargap=0.35)
    candidate_axis(fig, table, plan.baseline, words)
    fig.update_yaxes(title_text=plot_text(words.money.currency or ""), tickformat=",~r")
    return Chart("plan_net", words["chart_plan_net"], fig, note=words["plan_net_note"])


def money_chart(plan: Plan, words: Words) -> Chart:
    """What the net contribution is made of: the staffing's cost beside the sales' revenue."""
    table = plan.table()
    fig = go.Figure()
    for k, kpi in ((1, "staff_cost"), (2, "revenue")):
        mean, low, high = (
            table[f"{kpi}_{p}"].to_numpy(dtype=float) for p in ("mean", "ci_low", "ci_high")
        )
        fig.add_trace(
            go.Bar(
                x=[plot_text(n) for n in table["candidate"]],
                y=mean,
                error_y={**error_bars(mean, low, high, kpi), "color": "#212529"},
                marker={"color": colour(k)},
                name=plot_text(words.kpi(kpi)),
                text=[hover(row, kpi, words) for _, row in table.iterrows()],
                textposition="none",
                hovertemplate="%{text}<extra></extra>",
            )
        )
    style(fig, height=380, hovermode="closest")
    fig.update_layout(barmode="group", bargap=0.3)
    candidate_axis(fig, table, plan.baseline, words)
    fig.update_yaxes(
        title_text=plot_text(words.money.currency or ""), tickformat=",~r", rangemode="tozero"
    )
    return Chart("plan_money", words["chart_plan_money"], fig)


def scheduled_agents(cand: Candidate) -> list[float]:
    """Agents scheduled per interval at the staffing the candidate is judged at: its shifts'
    coverage, or its requirement when there are no templates."""
    if cand.schedule is not None:
        values = cand.schedule.coverage()["coverage"]
    else:
        values = cand.requirement.table["required_scheduled"]
    return [float(v) for v in values]


def staffing_chart(plan: Plan, words: Words) -> Chart:
    labels = interval_names(plan.candidates[0].requirement.table, words)
    fig = go.Figure()
    for k, cand in enumerate(plan.candidates):
        values = scheduled_agents(cand)
        text = [
            words.pair(f"{x} · {cand.name}", count_text(v))
            for x, v in zip(labels, values, strict=True)
        ]
        dash = DASHES[k % len(DASHES)]
        add_steps(fig, values, name=cand.name, hover=text, colour_hex=colour(k), dash=dash)
    style(fig, height=360, hovermode="closest")
    step_axis(fig, labels, words)
    fig.update_yaxes(title_text=plot_text(words["agents_axis"]), rangemode="tozero")
    narrow = narrow_steps(fig, labels, words)
    return Chart("plan_staffing", words["chart_plan_staffing"], fig, wide=True, narrow=narrow)


def best_text(plan: Plan, words: Words) -> list[h.Content]:
    """The best candidate (chosen by ``plan_policies``: the most net contribution among those
    meeting the goal), its net contribution and its paired difference to the baseline."""
    table = plan.table()
    kpi = "net_contribution"
    if plan.best is None:
        return [words["plan_no_best"]]
    row = table[table["best"]].iloc[0]
    interval = words.interval(kpi, row[f"{kpi}_ci_low"], row[f"{kpi}_ci_high"])
    top: list[h.Content] = [
        words["plan_best"].format(
            best=plan.best,
            net=words.number(kpi, row[f"{kpi}_mean"]),
            ci=f"{words['ci95']} {interval}",
        )
    ]
    if plan.best == plan.baseline:
        top.append(" " + words["plan_best_is_baseline"])
    else:
        top.append(
            " "
            + words["plan_best_diff"].format(
                baseline=plan.baseline,
                diff=words.difference(kpi, row["net_diff"]),
                interval=words.difference_interval(
                    kpi, row["net_diff_ci_low"], row["net_diff_ci_high"]
                ),
                verdict=words.verdict(str(row["net_diff_verdict"])),
            )
        )
    return top


def best_sentence(plan: Plan, words: Words) -> h.Html:
    """The page's first line: which candidate, and how sure."""
    verdict = "none" if plan.best is None else plan.comparison.results[plan.best].verdict
    return verdict_sentence(
        h.join(best_text(plan, words)), plan=plan.best, verdict=verdict, class_="best-line"
    )


def summary(plan: Plan, words: Words) -> h.Html:
    table = plan.table()
    kpi = "net_contribution"
    lines: list[h.Content] = [
        h.paragraph(words.pair(words["goal"], goal_text(plan.base, words)), class_="note"),
    ]
    bar = float("-inf")
    if plan.best is not None:
        bar = float(table[table["best"]].iloc[0][f"{kpi}_mean"])
    richer = table[(table[f"{kpi}_mean"] > bar) & (table["verdict"] != "met")]
    if len(richer):
        names = words["list_sep"].join(richer["candidate"])
        lines.append(h.paragraph(words["plan_more_not_met"].format(names=names), class_="note"))
    lines.append(h.paragraph(words["plan_rule"], class_="note"))
    return h.join(lines)


def candidates_table(plan: Plan, words: Words) -> h.Html:
    table = plan.table()
    kpis = ("service_level", "staff_cost", "revenue", "net_contribution")
    head = [
        words["candidate"],
        words["policy_kind"],
        words["staffing"],
        words["agent_count"],
        words.kpi("paid_hours"),
        words.kpi("service_level"),
        words["goal_verdict"],
        *(words.kpi(k) for k in kpis[1:]),
        words["net_diff"],
        words["verdict"],
    ]
    rows, classes = [], []
    for _, row in table.iterrows():
        name: list[h.Content] = [("★ " if row["best"] else "") + str(row["candidate"])]
        if row["candidate"] == plan.baseline:
            name += [" ", h.badge(words.verdict("baseline"), "baseline")]
        cells: list[h.Content] = [
            h.cell(name, class_="name"),
            str(row["kind"]),
            words[f"staffing_{row['staffing']}"],
            f"{int(row['agents']):,}",
            words.number("paid_hours", row["paid_hours"]),
        ]
        for kpi in kpis:
            cells.append(
                h.with_ci(
                    words.number(kpi, row[f"{kpi}_mean"]),
                    words.interval(kpi, row[f"{kpi}_ci_low"], row[f"{kpi}_ci_high"]),
                )
            )
            if kpi == "service_level":
                cells.append(h.badge(words.goal_verdict(row["verdict"]), row["verdict"]))
        verdict = str(row["net_diff_verdict"])
        base = verdict == "baseline"
        cells.append(
            "—"
            if base
            else h.with_ci(
                words.difference("net_contribution", row["net_diff"]),
                words.difference_interval(
                    "net_contribution", row["net_diff_ci_low"], row["net_diff_ci_high"]
                ),
            )
        )
        cells.append(
            h.cell(
                h.badge(words.verdict(verdict), verdict),
                class_=f"verdict-{verdict.replace(' ', '-')}",
            )
        )
        rows.append(cells)
        classes.append("best" if row["best"] else "")
    return h.table(head, rows, class_="candidates", row_classes=classes)


def plan_page(plan: Plan, words: Words) -> str:
    first = plan.comparison.results[plan.baseline]
    body: list[h.Content] = [
        best_sentence(plan, words),
        *h.few_replications(words, first.replications),
        h.section(words["plan_title"], summary(plan, words), id_="summary"),
        h.section(
            words["candidates"],
            h.charts([net_chart(plan, words), money_chart(plan, words)]),
            candidates_table(plan, words),
            id_="candidates",
        ),
        h.section(words["intervals"], h.charts([staffing_chart(plan, words)]), id_="intervals"),
        h.section(
            words["scenario"],
            scenario_details(plan.base, words["base_scenario_yaml"]),
            *(
                scenario_details(c.staffed, words["plan_yaml"].format(plan=c.name))
                for c in plan.candidates
            ),
            id_="scenario",
        ),
    ]
    return h.page(
        kind="plan",
        words=words,
        kind_title=words["plan_title"],
        title=plan.base.name,
        lead=words["plan_lead"],
        body=body,
        footer=h.provenance(words, __version__, first.seed, first.replications, first.created),
    )
