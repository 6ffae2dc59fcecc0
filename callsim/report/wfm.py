"""The charts and table a workforce planner expects of a run: agents required against agents
scheduled and logged in, each interval judged against the goal, the spread of outcomes from one
simulated day to the next, and service by segment and call reason.

Agents are drawn on one axis with their requirement: calls and agents on two independent axes
invite reading "the agents line is above the calls line" as overstaffing.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from callsim.experiment.results import SimulationResult
from callsim.measure.catalogue import value_range
from callsim.planning.requirement import staffing_requirement
from callsim.report import html as h
from callsim.report.charts import (
    NARROW_STEP_LABELS,
    STEP_LABELS,
    TARGET_COLOUR,
    Chart,
    add_band,
    add_steps,
    axis_format,
    centres,
    clipped,
    colour,
    error_bars,
    legend_text,
    plot_text,
    step_axis,
    style,
    target_line,
)
from callsim.report.i18n import Words
from callsim.report.zoom import zoom

STATUS_COLOURS = {"met": "#2f9e44", "close": "#f08c00", "short": "#c92a2a"}
"""Red, amber, green as planners colour intervals; the same green and red as the verdicts."""


def interval_status(mean: np.ndarray, low: np.ndarray, target: float) -> list[str]:
    """Green where the interval surely meets the goal (its CI's lower end reaches the target),
    amber where it meets it on average only, red where its mean falls short; intervals without
    calls (warm-up, closed) get none. Green and amber together are the intervals the goal
    sentence counts as meeting the goal."""
    out = []
    for m, lo in zip(mean, low, strict=True):
        if math.isnan(m):
            out.append("")
        elif m < target:
            out.append("short")
        elif math.isnan(lo) or lo >= target:
            out.append("met")
        else:
            out.append("close")
    return out


def requirement(result: SimulationResult) -> pd.DataFrame:
    """Erlang's agents per interval for the run's scenario (each interval a steady queue)."""
    return staffing_requirement(result.scenario)


def staffing_chart(result: SimulationResult, need: pd.DataFrame, words: Words) -> Chart:
    """Required, scheduled and logged-in agents, on one axis of agents."""
    iv = result.intervals
    labels = [
        words.interval_label(int(d), str(c), iv["day"].nunique() > 1)
        for d, c in zip(iv["day"], iv["start"], strict=True)
    ]
    fig = go.Figure()
    lines = (
        ("required_erlang", need["required_on_phones"].to_numpy(dtype=float), "dash", 0),
        ("required_scheduled", need["required_scheduled"].to_numpy(dtype=float), "dot", 1),
    )
    for key, values, dash, k in lines:
        hover = [
            f"{p} · {words[key]}{words.colon}{v:,.0f}" for p, v in zip(labels, values, strict=True)
        ]
        add_steps(fig, values, name=words[key], hover=hover, colour_hex=colour(k), dash=dash)
    paid = iv["agents_paid_mean"].to_numpy(dtype=float)
    hover = [
        f"{p} · {words['scheduled']}{words.colon}{v:,.1f}"
        for p, v in zip(labels, paid, strict=True)
    ]
    add_steps(fig, paid, name=words["scheduled_paid"], hover=hover, colour_hex=colour(3), width=1.5)
    logged, low, high = (
        iv[f"agents_logged_in_{part}"].to_numpy(dtype=float)
        for part in ("mean", "ci_low", "ci_high")
    )
    add_band(
        fig,
        centres(len(iv)),
        "agents_logged_in",
        logged,
        low,
        high,
        name=words["logged_in"],
        words=words,
        colour_hex=colour(2),
        places=labels,
    )
    style(fig, height=340, hovermode="closest")
    fig.update_yaxes(title_text=plot_text(words["agents_axis"]), rangemode="tozero")
    return Chart(
        "staffing",
        words["chart_staffing"],
        interval_ticks(fig, labels, words),
        note=words["staffing_note"],
        wide=True,
        narrow=interval_ticks(go.Figure(fig), labels, words, NARROW_STEP_LABELS),
    )


def interval_ticks(
    fig: go.Figure, labels: list[str], words: Words, most: int = STEP_LABELS
) -> go.Figure:
    """``step_axis`` with its labels drawn below ticks, so the first clears the y-axis's own
    lowest label."""
    return step_axis(fig, labels, words, most).update_xaxes(ticks="outside", ticklen=8)


def service_level_chart(result: SimulationResult, words: Words) -> Chart:
    """The service level per interval, each interval's mark coloured by its status."""
    iv = result.intervals
    target = result.scenario.service_level.target
    mean, low, high = (
        iv[f"service_level_{part}"].to_numpy(dtype=float) for part in ("mean", "ci_low", "ci_high")
    )
    x = [
        plot_text(words.interval_label(int(d), str(c), iv["day"].nunique() > 1))
        for d, c in zip(iv["day"], iv["start"], strict=True)
    ]
    fig = go.Figure()
    add_band(
        fig,
        x,
        "service_level",
        mean,
        low,
        high,
        name=words.kpi("service_level"),
        words=words,
        colour_hex=colour(0),
    )
    status = interval_status(mean, low, target)
    fig.data[-1].marker = {"size": 9, "color": [STATUS_COLOURS.get(s, "#adb5bd") for s in status]}
    fig.data[-1].showlegend = False
    target_line(fig, target, words)
    style(fig)
    fig.update_xaxes(type="category", title_text=plot_text(words["interval_start"]))
    shown = [*clipped("service_level", low), *clipped("service_level", high), target]
    fig.update_yaxes(**axis_format("service_level", words), range=zoom(shown, (0.0, 1.0)))
    return Chart("service_level", words["chart_service_level"], fig, note=words["status_note"])


def interval_table(result: SimulationResult, need: pd.DataFrame, words: Words) -> h.Html:
    """Every interval's figures with its status, as a planner's interval report lists them."""
    iv = result.intervals
    target = result.scenario.service_level.target
    mean = iv["service_level_mean"].to_numpy(dtype=float)
    status = interval_status(mean, iv["service_level_ci_low"].to_numpy(dtype=float), target)
    multi = iv["day"].nunique() > 1
    rows: list[list[h.Content]] = []
    classes: list[str] = []
    for k, (_, row) in enumerate(iv.iterrows()):
        s = status[k]
        if not s:
            continue
        rows.append(
            [
                words.interval_label(int(row["day"]), str(row["start"]), multi),
                words.number("offered", row["offered_mean"]),
                f"{need['required_on_phones'].iloc[k]:,.0f}",
                f"{row['agents_logged_in_mean']:,.1f}",
                h.cell(
                    [
                        words.number("service_level", row["service_level_mean"]),
                        h.tag(
                            "span",
                            words.interval(
                                "service_level",
                                row["service_level_ci_low"],
                                row["service_level_ci_high"],
                            ),
                            class_="ci",
                        ),
                    ]
                ),
                words.number("asa_s", row["asa_s_mean"]),
                words.number("abandon_rate", row["abandon_rate_mean"]),
                h.cell(words[f"rag_{s}"], class_=f"status status-{s}", data_status=s),
            ]
        )
        classes.append("")
    head = [
        words["interval_start"],
        words.kpi("offered"),
        words["required_erlang"],
        words["logged_in"],
        words.kpi("service_level"),
        words.kpi("asa_s"),
        words.kpi("abandon_rate"),
        words["status"],
    ]
    return h.tag(
        "details",
        [h.tag("summary", words["interval_table"]), h.table(head, rows, class_="intervals")],
        id="interval-table",
    )


def spread_chart(result: SimulationResult, words: Words) -> Chart:
    """Each replication's service level as a point: the range of outcomes a day may bring,
    which the interval of the mean is not."""
    target = result.scenario.service_level.target
    sl = result.per_replication["service_level"].to_numpy(dtype=float)
    met = sl >= target
    days = result.scenario.horizon.days
    fig = go.Figure()
    for ok, key, k in ((True, "day_met", "met"), (False, "day_short", "short")):
        picked = np.flatnonzero(met == ok)
        if len(picked) == 0:
            continue
        fig.add_trace(
            go.Scatter(
                x=(picked + 1).tolist(),
                y=sl[picked].tolist(),
                mode="markers",
                marker={"size": 9, "color": STATUS_COLOURS[k]},
                name=legend_text(words[key]),
                text=[
                    plot_text(
                        f"{words['replication_n'].format(n=r + 1)} · "
                        f"{words.number('service_level', sl[r])}"
                    )
                    for r in picked
                ],
                hovertemplate="%{text}<extra></extra>",
            )
        )
    target_line(fig, target, words)
    style(fig, height=300, hovermode="closest")
    title = words["replication_axis"] if days == 1 else words["replication_axis_days"]
    fig.update_xaxes(title_text=plot_text(title.format(days=days)), range=[0.5, len(sl) + 0.5])
    fig.update_yaxes(
        **axis_format("service_level", words), range=zoom([*sl.tolist(), target], (0.0, 1.0))
    )
    return Chart("sl_spread", words["chart_sl_spread"], fig, note=words["spread_note"])


def slice_chart(result: SimulationResult, kpi: str, words: Words) -> Chart:
    """A KPI by customer segment and by call reason, as bars with their 95% intervals; the
    two kinds of slice are told apart by colour and by the prefix of each name."""
    fig = go.Figure()
    shown: list[float] = []
    for k, kind in enumerate(("segment", "reason")):
        table = result.by(kind)
        mean, low, high = (
            table[f"{kpi}_{part}"].to_numpy(dtype=float) for part in ("mean", "ci_low", "ci_high")
        )
        names = [plot_text(words.pair(words[f"slice_kind_{kind}"], n)) for n in table[kind]]
        fig.add_trace(  # dots, not bars: on a zoomed axis a bar's length would mislead
            go.Scatter(
                x=mean.tolist(),
                y=names,
                mode="markers",
                marker={"size": 10, "color": colour(k)},
                name=legend_text(words[f"slice_{kind}"]),
                error_x={**error_bars(mean, low, high, kpi), "color": colour(k)},
                text=[
                    plot_text(f"{n} · {words.number(kpi, m)} ({words.interval(kpi, lo, hi)})")
                    for n, m, lo, hi in zip(table[kind], mean, low, high, strict=True)
                ],
                hovertemplate="%{text}<extra></extra>",
            )
        )
        shown += [*clipped(kpi, low).tolist(), *clipped(kpi, high).tolist()]
    bars = sum(len(result.by(kind)) for kind in ("segment", "reason"))
    style(fig, height=max(240, 60 + 26 * bars), hovermode="closest")
    fig.update_yaxes(autorange="reversed", automargin=True)
    if kpi == "service_level":
        target = result.scenario.service_level.target
        fig.add_vline(x=target, line={"color": TARGET_COLOUR, "dash": "dash", "width": 1.5})
        shown.append(target)
    fig.update_xaxes(**axis_format(kpi, words), range=zoom(shown, value_range(kpi)))
    fig.update_layout(margin={"l": 10})
    narrow = go.Figure(fig).update_xaxes(
        nticks=NARROW_STEP_LABELS - 1
    )  # long names leave little room
    return Chart(f"{kpi}_by_slice", words[f"chart_{kpi}_by_slice"], fig, narrow=narrow)


def wait_chart(result: SimulationResult, words: Words) -> Chart | None:
    """The share of offered calls answered within t: the service level at every threshold,
    with the goal's own threshold and target marked where the curve must pass above."""
    waits = result.waits
    if waits is None:
        return None
    goal = result.scenario.service_level
    mean, low, high = (
        waits[f"answered_within_{part}"].to_numpy(dtype=float)
        for part in ("mean", "ci_low", "ci_high")
    )
    x = waits["wait_s"].to_numpy(dtype=float)
    fig = go.Figure()
    add_band(
        fig,
        x.tolist(),
        "service_level",
        mean,
        low,
        high,
        name=words["answered_within"],
        words=words,
        colour_hex=colour(0),
        places=[words["within_s"].format(t=f"{t:g}") for t in x],
    )
    fig.add_trace(
        go.Scatter(
            x=[goal.threshold_s],
            y=[goal.target],
            mode="markers",
            marker={"symbol": "x", "size": 12, "color": TARGET_COLOUR},
            name=legend_text(
                words["goal_point"].format(goal=f"{100 * goal.target:g}/{goal.threshold_s:g}")
            ),
            hoverinfo="skip",
        )
    )
    style(fig, height=320, hovermode="closest")
    fig.update_xaxes(
        title_text=plot_text(words["wait_axis"]), ticksuffix=f" {words['unit_s']}", range=[0, x[-1]]
    )
    shown = [*clipped("service_level", low).tolist(), goal.target]
    fig.update_yaxes(**axis_format("service_level", words), range=zoom(shown, (0.0, 1.0)))
    return Chart(
        "wait_distribution", words["chart_wait_distribution"], fig, note=words["wait_note"]
    )
