"""The report of one plan: the goal and its verdict first, then the day interval by interval,
then selling, so a planner reads whether the plan works before how it behaves."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from callsim.experiment.results import SimulationResult
from callsim.measure.catalogue import kpis_in, unit
from callsim.report import html as h
from callsim.report.charts import (
    TARGET_COLOUR,
    Chart,
    add_band,
    axis_format,
    colour,
    interval_axis,
    legend_text,
    plot_text,
    rgba,
    style,
)
from callsim.report.i18n import Words
from callsim.report.names import AGENTS_PER_AGENT_MAX
from callsim.scenario.schema import SECONDS_PER_DAY, Scenario, minutes
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


def target_line(
    fig: go.Figure, target: float, words: Words, kpi: str = "service_level", **where: object
) -> None:
    """The dashed line a KPI's curve must stay on the right side of."""
    shown = pct(target) if unit(kpi) == "pct" else words.number(kpi, target)
    fig.add_hline(
        y=target,
        line={"color": TARGET_COLOUR, "dash": "dash", "width": 1.5},
        annotation_text=plot_text(words["target_value"].format(target=shown)),
        annotation_position="bottom right",
        annotation_font_color=TARGET_COLOUR,
        **where,
    )


# -- per-interval charts ------------------------------------------------------------------------


def band_chart(
    name: str,
    kpis: Sequence[str],
    intervals: pd.DataFrame,
    words: Words,
    *,
    target: float | None = None,
    share: bool = False,
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
    interval_axis(fig, words)
    fig.update_yaxes(**axis_format(kpis[0], words), rangemode="tozero")
    if share:
        fig.update_yaxes(range=[0, 1.05])
    return Chart(name, words[f"chart_{name}"], fig)


def arrivals_staffing(intervals: pd.DataFrame, words: Words) -> Chart:
    """Calls and agents differ in unit, so agents get the right-hand axis."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    x = x_labels(intervals, words)
    for k, (kpi, secondary) in enumerate((("offered", False), ("agents_logged_in", True))):
        mean, low, high = series(intervals, kpi)
        add_band(
            fig,
            x,
            kpi,
            mean,
            low,
            high,
            name=words.kpi(kpi),
            words=words,
            colour_hex=colour(k),
            secondary_y=secondary,
        )
    style(fig)
    interval_axis(fig, words)
    fig.update_yaxes(title_text=plot_text(words["calls"]), rangemode="tozero", secondary_y=False)
    fig.update_yaxes(
        title_text=plot_text(words["agents_axis"]),
        rangemode="tozero",
        showgrid=False,
        tickmode="auto",
        secondary_y=True,
    )
    return Chart("arrivals_staffing", words["chart_arrivals_staffing"], fig, wide=True)


def interval_charts(result: SimulationResult, words: Words) -> list[Chart]:
    iv = result.intervals
    target = result.scenario.service_level.target
    return [
        arrivals_staffing(iv, words),
        band_chart("service_level", ["service_level"], iv, words, target=target, share=True),
        band_chart("asa", ["asa_s"], iv, words),
        band_chart("abandonment", ["abandon_rate"], iv, words, share=True),
        band_chart("occupancy", ["occupancy"], iv, words, share=True),
        band_chart("queue", ["mean_queue", "max_queue"], iv, words),
    ]


# -- selling ------------------------------------------------------------------------------------


def interval_positions(result: SimulationResult, times_s: np.ndarray) -> np.ndarray:
    """Where moments fall on the interval axis: interval k spans [k, k + 1] and closed hours
    shrink to nothing, so a multi-day horizon is not drawn as mostly night. A moment after
    closing sits at the start of the next open interval, where it takes effect."""
    iv = result.intervals
    clock = iv["start"].map(lambda c: minutes(str(c)) * 60.0).to_numpy(dtype=float)
    starts = (iv["day"].to_numpy(dtype=float) - 1) * SECONDS_PER_DAY + clock
    length = result.scenario.horizon.interval_min * 60.0
    k = np.searchsorted(starts, times_s, side="right") - 1
    inside = np.clip(k, 0, len(starts) - 1)
    share = np.clip((times_s - starts[inside]) / length, 0.0, 1.0)
    return np.where(k < 0, 0.0, inside + share)


def switch_timeline(result: SimulationResult, words: Words) -> Chart:
    """The first replication's switch as a step line, where the lag of a supervisor's review
    shows; the per-interval share averages it away."""
    iv = result.intervals
    n = len(iv)
    events = result.switch
    if len(events):
        events = events[events["replication"] == events["replication"].min()]
    events = events.sort_values("time_s", kind="stable")
    times = events["time_s"].to_numpy(dtype=float)
    x = interval_positions(result, times).tolist()
    y = events["on"].to_numpy(dtype=float).tolist()
    multi = iv["day"].nunique() > 1
    text = [
        plot_text(
            words.pair(
                words.interval_label(int(t // SECONDS_PER_DAY) + 1, _clock(t), multi),
                words["switch_on"] if on else words["switch_off"],
            )
        )
        for t, on in zip(times, y, strict=True)
    ]
    if y:
        x.append(float(n))
        y.append(y[-1])
        text.append(text[-1])
    step = max(1, math.ceil(n / 12))
    fig = go.Figure(
        go.Scatter(
            x=x,
            y=y,
            mode="lines",
            line={"shape": "hv", "color": colour(2), "width": 2},
            fill="tozeroy",
            fillcolor=rgba(colour(2), 0.15),
            name=plot_text(words.kpi("switch_on_share")),
            text=text,
            hovertemplate="%{text}<extra></extra>",
        )
    )
    style(fig, height=260, hovermode="closest")
    fig.update_xaxes(
        tickmode="array",
        tickvals=list(range(0, n, step)),
        ticktext=x_labels(iv, words)[::step],
        title_text=plot_text(words["interval_start"]),
        range=[0, n],
    )
    fig.update_yaxes(
        tickmode="array",
        tickvals=[0, 1],
        ticktext=[plot_text(words["switch_off"]), plot_text(words["switch_on"])],
        range=[-0.05, 1.15],
    )
    note = "" if len(events) > 1 else words["no_switch_events"]
    return Chart("switch_timeline", words["chart_switch_timeline"], fig, note=note, wide=True)


def _clock(seconds: float) -> str:
    minute = int(seconds % SECONDS_PER_DAY // 60)
    return f"{minute // 60:02d}:{minute % 60:02d}"


def agent_scores(result: SimulationResult, words: Words) -> Chart:
    """Per agent while bars stay readable, else the mean per agent of each group."""
    agents = result.agents
    per_agent = len(agents) <= AGENTS_PER_AGENT_MAX
    fig = go.Figure()
    for k, (group, rows) in enumerate(agents.groupby("group", sort=False)):
        if per_agent:
            x = [plot_text(a) for a in rows["agent"]]
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
                x=x,
                y=y,
                name=legend_text(group),
                marker_color=colour(k),
                text=text,
                textposition="none",
                hovertemplate="%{text}<extra></extra>",
            )
        )
    style(fig, height=340, hovermode="closest")
    fig.update_xaxes(
        type="category",
        title_text=plot_text(words["agent"] if per_agent else words["group"]),
        tickangle=-45 if per_agent else 0,
    )
    fig.update_yaxes(
        title_text=plot_text(words["score"] if per_agent else words["score_per_agent"]),
        rangemode="tozero",
    )
    title = words["chart_agent_scores"] if per_agent else words["chart_group_scores"]
    return Chart("agent_scores", title, fig, wide=True)


def selling_charts(result: SimulationResult, words: Words) -> list[Chart]:
    iv = result.intervals
    return [
        band_chart("offers_conversions", ["offers", "conversions"], iv, words),
        band_chart("revenue", ["revenue", "staff_cost"], iv, words),
        band_chart("switch_share", ["switch_on_share"], iv, words, share=True),
        switch_timeline(result, words),
        agent_scores(result, words),
    ]


# -- tables and cards ---------------------------------------------------------------------------


def headline(result: SimulationResult, words: Words) -> h.Html:
    selling = has_selling(result.scenario)
    goal = result.scenario.service_level
    cards = []
    for kpi in kpis_in("card"):
        if (kpi in kpis_in("needs_products") and not selling) or kpi not in result.summary.index:
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
            h.paragraph(goal_often(result, words), class_="often"),
            h.tag("div", cards, class_="cards"),
            h.paragraph(words["verdict_note"], class_="note"),
        ]
    )


def goal_often(result: SimulationResult, words: Words) -> str:
    """ "How sure" is also "how often": the intervals whose mean service level meets the goal,
    and the share of simulated days that met it, beside the mean's interval."""
    sl = result.intervals["service_level_mean"].to_numpy(dtype=float)
    measured = sl[~np.isnan(sl)]
    met = int(np.sum(measured >= result.scenario.service_level.target))
    days = result.kpi("days_meeting_goal_share")["mean"]
    return words["goal_often"].format(
        intervals=met,
        measured=len(measured),
        days=words.number("days_meeting_goal_share", days),
    )


def kpi_table(result: SimulationResult, words: Words) -> h.Html:
    """Every KPI's mean and interval, and for the ratios the call-weighted value beside them."""
    closing = tuple(k for k in kpis_in("closing") if result.kpi(k)["mean"] > 0)
    if result.scenario.announcement.enabled:
        closing += kpis_in("announcement")
    groups = [
        ("group_service", kpis_in("headline") + closing),
        ("group_stability", kpis_in("stability")),
        ("group_sl", kpis_in("service_levels")),
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
            if kpi not in result.summary.index:
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
}
_SLICE_SELLING = {
    "reason": ("offers", "conversion_rate", "revenue"),
    "segment": ("offers", "conversion_rate", "revenue"),
    "group": ("offers", "conversion_rate", "revenue"),
    "shift": ("offers", "conversion_rate", "revenue"),
    "day": ("conversions", "revenue", "net_contribution"),
}


def slice_tables(result: SimulationResult, words: Words) -> list[h.Html]:
    """The drill-downs a planner reads after the headline: means, with the interval of the
    figure the slice is about (its service level or occupancy) in the cell's title."""
    selling = has_selling(result.scenario)
    out: list[h.Html] = []
    for kind, kpis in _SLICE_COLUMNS.items():
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
    body: list[h.Content] = [
        *h.few_replications(words, result.replications),
        h.section(words["headline"], headline(result, words), id_="headline"),
        h.section(
            words["intervals"],
            h.paragraph(words["band_note"], class_="note"),
            h.charts(interval_charts(result, words)),
            id_="intervals",
        ),
    ]
    if has_selling(scenario):
        body.append(
            h.section(words["selling"], h.charts(selling_charts(result, words)), id_="selling")
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
