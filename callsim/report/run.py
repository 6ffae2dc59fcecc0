"""The report of one plan: the goal and its verdict first, then the day interval by interval,
then selling, so a planner reads whether the plan works before how it behaves."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from callsim.experiment.goal import goal_statement
from callsim.experiment.results import SimulationResult
from callsim.measure import weekly
from callsim.measure.catalogue import kpis_in, value_range
from callsim.report import html as h
from callsim.report.charts import (
    Chart,
    add_band,
    axis_format,
    clipped,
    colour,
    interval_axis,
    legend_text,
    plot_text,
    style,
    target_line,
)
from callsim.report.i18n import Words
from callsim.report.names import AGENTS_PER_AGENT_MAX
from callsim.report.product_chart import product_chart, product_table
from callsim.report.switch_chart import has_switch, switch_signal
from callsim.report.wfm import (
    interval_table,
    requirement,
    service_level_chart,
    slice_chart,
    spread_chart,
    staffing_chart,
    wait_chart,
)
from callsim.report.zoom import zoom
from callsim.scenario.schema import Scenario
from callsim.version import __version__


def has_selling(scenario: Scenario) -> bool:
    """Selling charts only make sense with something to sell."""
    return bool(scenario.products)


def interval_names(intervals: pd.DataFrame, words: Words) -> list[str]:
    """Interval starts; the day is named only when there is more than one, to keep axes short."""
    multi = intervals["day"].nunique() > 1
    return [
        words.interval_label(int(d), str(c), multi)
        for d, c in zip(intervals["day"], intervals["start"], strict=True)
    ]


def x_labels(intervals: pd.DataFrame, words: Words) -> list[str]:
    """``interval_names`` as plotly labels."""
    return [plot_text(name) for name in interval_names(intervals, words)]


def series(intervals: pd.DataFrame, kpi: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    mean, low, high = (
        intervals[f"{kpi}_{part}"].to_numpy(dtype=float) for part in ("mean", "ci_low", "ci_high")
    )
    return mean, low, high


def pct(value: float) -> str:
    return f"{100 * value:g}%"


def goal_text(scenario: Scenario, words: Words) -> str:
    goal = scenario.service_level
    return sl_text(goal.target, goal.threshold_s, goal.definition, words)


def sl_text(target: float, threshold_s: float, definition: str, words: Words) -> str:
    """A service-level goal in words, with the definition it is counted by."""
    text = words["goal_text"].format(target=pct(target), threshold=f"{threshold_s:g}")
    name = re.split(r"[:\uff1a]\s*", words.kpi(f"sl_{definition}"), maxsplit=1)[-1]
    return f"{text} · {words.pair(words['definition'], name)}"


# -- per-interval charts ------------------------------------------------------------------------


def band_chart(
    name: str,
    kpis: Sequence[str],
    intervals: pd.DataFrame,
    words: Words,
    *,
    target: float | None = None,
    share: bool = False,
    title: str | None = None,
) -> Chart:
    """One or more KPIs of the same unit over the intervals, each in its band."""
    fig = go.Figure()
    x = x_labels(intervals, words)
    for k, kpi in enumerate(kpis):
        mean, low, high = series(intervals, kpi)
        add_band(
            fig, x, kpi, mean, low, high, name=words.kpi(kpi), words=words, colour_hex=colour(k)
        )
    if target is not None:
        target_line(fig, target, words)
    style(fig)
    fig.update_layout(showlegend=len(kpis) > 1)
    interval_axis(fig, words)
    fig.update_yaxes(**axis_format(kpis[0], words), rangemode="tozero")
    if share:  # zoomed to the data: a 0-100% axis flattens 0-9% into the floor
        shown = [v for kpi in kpis for part in series(intervals, kpi)[1:] for v in part]
        fig.update_yaxes(range=zoom(clipped(kpis[0], shown).tolist(), value_range(kpis[0])))
    return Chart(name, words[title or f"chart_{name}"], fig)


def interval_charts(result: SimulationResult, need: pd.DataFrame, words: Words) -> list[Chart]:
    iv = result.intervals
    return [
        staffing_chart(result, need, words),  # wide, so the pairs below stay paired
        band_chart("offered", ["offered"], iv, words),
        service_level_chart(result, words),
        band_chart("asa", ["asa_s"], iv, words),
        band_chart("abandonment", ["abandon_rate"], iv, words, share=True),
        band_chart("occupancy", ["occupancy"], iv, words, share=True),
        band_chart("queue", ["mean_queue", "max_queue"], iv, words, title="chart_queue_mean_max"),
    ]


# -- selling ------------------------------------------------------------------------------------


BAR_PX = 18
"""Assumption: the height of one agent's bar with its name beside it, enough for 12 px text."""


def unique_names(names: Sequence[str]) -> list[str]:
    """Names made unique by a counter: bars on a category axis that share a name are drawn as
    one, hiding agents."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def agent_scores(result: SimulationResult, words: Words) -> Chart:
    """Per agent while bars stay readable, else the mean per agent of each group."""
    agents = result.agents
    per_agent = len(agents) <= AGENTS_PER_AGENT_MAX
    fig = go.Figure()
    names = dict(zip(agents.index, unique_names(agents["agent"].astype(str).tolist()), strict=True))
    for k, (group, rows) in enumerate(agents.groupby("group", sort=False)):
        if per_agent:
            x = [plot_text(names[i]) for i in rows.index]
            y = rows["sales_score"].to_numpy(dtype=float)
            stats = rows
        else:
            x = [plot_text(group)]
            y = np.array([rows["sales_score"].mean()])
            stats = rows[["offers", "conversions", "revenue", "sales_score"]].mean().to_frame().T
        text = [
            plot_text(
                f"{words.pair(name, words['score'])} "
                f"{words.number('sales_score', s['sales_score'])} · "
                f"{words.kpi('offers')} {words.number('offers', s['offers'])} · "
                f"{words.kpi('conversions')} {words.number('conversions', s['conversions'])} · "
                f"{words.kpi('revenue')} {words.number('revenue', s['revenue'])}"
            )
            for name, (_, s) in zip(
                rows["agent"] if per_agent else [group], stats.iterrows(), strict=True
            )
        ]
        fig.add_trace(
            go.Bar(
                x=y,
                y=x,
                orientation="h",
                name=legend_text(group),
                marker_color=colour(k),
                text=text,
                textposition="none",
                hovertemplate="%{text}<extra></extra>",
            )
        )
    bars = len(agents) if per_agent else agents["group"].nunique()
    style(fig, height=max(240, 90 + BAR_PX * bars), hovermode="closest")
    fig.update_yaxes(
        type="category",
        autorange="reversed",
        automargin=True,
        title_text=plot_text(words["agent"] if per_agent else words["group"]),
    )
    fig.update_xaxes(
        title_text=plot_text(words["score"] if per_agent else words["score_per_agent"]),
        rangemode="tozero",
    )
    title = words["chart_agent_scores"] if per_agent else words["chart_group_scores"]
    return Chart("agent_scores", title, fig, wide=True)


def selling_charts(result: SimulationResult, words: Words) -> list[Chart]:
    """The switch's charts only for a policy that has a switch: elsewhere they are a flat 0%
    and an empty timeline."""
    iv = result.intervals
    charts = [
        band_chart("offers_conversions", ["offers", "conversions"], iv, words),
        band_chart("revenue", ["revenue", "staff_cost"], iv, words),
        *([c] if (c := product_chart(result, words)) else []),
    ]
    if has_switch(result.scenario):
        charts.append(switch_signal(result, words))
    return [*charts, agent_scores(result, words)]


# -- tables and cards ---------------------------------------------------------------------------


def headline(result: SimulationResult, words: Words) -> h.Html:
    selling = has_selling(result.scenario)
    goal = result.scenario.service_level
    cards = []
    for kpi in kpis_in("card"):
        money_made = kpi in kpis_in("needs_products") or kpi == "net_contribution"
        if (money_made and not selling) or kpi not in result.summary.index:
            continue
        k = result.kpi(kpi)
        interval = words.interval(kpi, k["ci_low"], k["ci_high"])
        detail: list[h.Content] = [words.pair(words["ci95"], interval)]
        if kpi == "service_level":
            detail.append(words["target_value"].format(target=pct(goal.target)))
            detail.append(h.badge(words.goal_verdict(result.verdict), result.verdict))
        if kpi == "satisfaction" and "satisfaction_top_box" in result.summary.index:
            top = result.kpi("satisfaction_top_box")["mean"]
            detail.append(words.pair(words["top_box"], words.number("satisfaction_top_box", top)))
        cards.append(h.card(words.kpi(kpi), words.number(kpi, k["mean"]), detail, kpi=kpi))
    goal_line = h.tag(
        "div",
        [
            h.tag("strong", f"{words['goal']}{words.colon.strip()}"),
            h.tag("span", goal_text(result.scenario, words)),
            h.badge(words.goal_verdict(result.verdict), result.verdict),
        ],
        class_="goal",
        data_verdict=result.verdict,
    )
    return h.join(
        [
            goal_line,
            h.tag("div", cards, class_="cards"),
            h.paragraph(words["verdict_note"], class_="note"),
        ]
    )


def goal_sentence(result: SimulationResult, words: Words) -> h.Html:
    """The page's answer, first: the same statement as the CLI's and ``summary.json``'s."""
    st = goal_statement(result)
    text = words["goal_sentence"].format(
        verdict=words[f"sentence_{st.verdict}"],
        goal=st.goal,
        how=words[f"sentence_{st.estimate}"],
        ci=st.ci_text,
        days_met=st.days_met,
        days=st.days,
        intervals_met=st.intervals_met,
        intervals=st.intervals,
    )
    return h.tag(
        "p",
        text,
        class_=f"verdict verdict-{st.verdict}",
        id="goal-sentence",
        data_verdict=st.verdict,
    )


def kpi_table(result: SimulationResult, words: Words) -> h.Html:
    """Every KPI's mean and interval, and for the ratios the call-weighted value beside them."""
    closing = tuple(k for k in kpis_in("closing") if result.kpi(k)["mean"] > 0)
    same_sl = f"sl_{result.scenario.service_level.definition}"  # the "service level" row
    if result.scenario.announcement.enabled:
        closing += kpis_in("announcement")
    groups = [
        ("group_service", kpis_in("headline") + closing),
        ("group_stability", kpis_in("stability")),
        ("group_sl", tuple(k for k in kpis_in("service_levels") if k != same_sl)),
    ]
    if has_selling(result.scenario):
        groups.append(("group_selling", kpis_in("selling")))
    ratios = kpis_in("ratios")
    rows: list[list[h.Content]] = []
    classes: list[str] = []
    for key, kpis in groups:
        rows.append([h.cell(words[key], colspan=5)])
        classes.append("group-head")
        for kpi in kpis:
            if kpi not in result.summary.index or (
                kpi in kpis_in("needs_retention") and result.scenario.retention is None
            ):
                continue
            k = result.kpi(kpi)
            w = result.kpi(kpi, "call_weighted")
            weighted = kpi in ratios
            rows.append(
                [
                    words.kpi(kpi),
                    words.number(kpi, k["mean"]),
                    words.interval(kpi, k["ci_low"], k["ci_high"]),
                    words.number(kpi, w["mean"]) if weighted else "",
                    words.interval(kpi, w["ci_low"], w["ci_high"]) if weighted else "",
                ]
            )
            classes.append("")
    head = [words["kpi"], words["mean"], words["ci95"], words["call_weighted"], words["ci95"]]
    return h.join(
        [
            h.paragraph(words["call_weighted_note"], class_="note"),
            h.table(head, rows, row_classes=classes),
        ]
    )


_SLICE_COLUMNS = {
    "reason": ("offered", "service_level", "asa_s", "abandon_rate", "aht_s"),
    "segment": ("offered", "service_level", "asa_s", "abandon_rate", "satisfaction"),
    "group": ("agents", "calls", "aht_s", "occupancy", "cost"),
    "shift": ("agents", "calls", "aht_s", "occupancy", "cost"),
    "day": ("offered", "service_level", "asa_s", "abandon_rate", "occupancy", "staff_cost"),
    # Two weeks or more, or a workforce: the headcount and its mix beside the service it gave.
    weekly.WEEK: weekly.SHOWN,
}
_SLICE_SELLING = {
    "reason": ("offers", "conversion_rate", "revenue"),
    "segment": ("offers", "conversion_rate", "revenue"),
    "group": ("offers", "conversion_rate", "revenue"),
    "shift": ("offers", "conversion_rate", "revenue"),
    "day": ("conversions", "revenue", "net_contribution"),
    weekly.WEEK: ("conversions", "revenue", "net_contribution"),
}


def slice_tables(result: SimulationResult, words: Words) -> list[h.Html]:
    """The drill-downs a planner reads after the headline: means, with the interval of the
    figure the slice is about (its service level or occupancy) in the cell's title."""
    selling = has_selling(result.scenario)
    out: list[h.Html] = []
    for kind, kpis in _SLICE_COLUMNS.items():
        if kind not in result.slices:
            continue  # a slice only some scenarios have
        table = result.by(kind)
        if len(table) < 2 and kind != "group":
            continue  # one reason, one segment, one day: the headline says it all
        shown = kpis + (_SLICE_SELLING[kind] if selling else ())
        rows: list[list[h.Content]] = []
        for _, row in table.iterrows():
            cells: list[h.Content] = [h.cell(str(row[kind]), class_="name")]
            for kpi in shown:
                interval = words.interval(kpi, row[f"{kpi}_ci_low"], row[f"{kpi}_ci_high"])
                mean = row[f"{kpi}_mean"]
                text = f"{mean:,.0f}" if kpi == "agents" else words.number(kpi, mean)
                cells.append(h.cell(text, title=words.pair(words["ci95"], interval)))
            rows.append(cells)
        head = [words[f"slice_{kind}"], *(words.kpi(k) for k in shown)]
        out.append(h.tag("div", h.table(head, rows), class_="slice", data_slice=kind))
    return out


def scenario_details(scenario: Scenario, summary: str) -> h.Html:
    return h.details(summary, h.scenario_yaml(scenario.model_dump(mode="json", exclude_none=True)))


def run_page(result: SimulationResult, words: Words) -> str:
    scenario = result.scenario
    need = requirement(result)
    body: list[h.Content] = [
        goal_sentence(result, words),
        *h.few_replications(words, result.replications),
        h.section(words["headline"], headline(result, words), id_="headline"),
        h.section(
            words["intervals"],
            h.paragraph(words["band_note"], class_="note"),
            h.charts(interval_charts(result, need, words)),
            interval_table(result, need, words),
            id_="intervals",
        ),
        h.section(
            words["often"],
            h.charts([c for c in (spread_chart(result, words), wait_chart(result, words)) if c]),
            id_="often",
        ),
        h.section(
            words["by_slice"],
            h.charts([slice_chart(result, k, words) for k in ("service_level", "asa_s")]),
            id_="by-slice",
        ),
    ]
    if has_selling(scenario):
        body.append(
            h.section(
                words["selling"],
                h.charts(selling_charts(result, words)),
                product_table(result, words),
                id_="selling",
            )
        )
    body += [
        h.section(words["slices"], *slice_tables(result, words), id_="slices"),
        h.section(words["all_kpis"], kpi_table(result, words), id_="kpis"),
        h.section(
            words["scenario"], scenario_details(scenario, words["scenario_yaml"]), id_="scenario"
        ),
    ]
    return h.page(
        kind="run",
        words=words,
        kind_title=words["run_title"],
        title=scenario.name,
        lead=scenario.description or "",
        body=body,
        footer=h.provenance(words, __version__, result.seed, result.replications, result.created),
    )
