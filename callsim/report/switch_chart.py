"""The marketing switch drawn over the load signal it follows, for the policies that have one:
a supervisor's lag, and whether the switch tracks the queue it watches, show there; a flat 0%
share and an empty timeline for a policy without a switch would say nothing."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from callsim.experiment.results import SimulationResult
from callsim.report.charts import (
    NARROW_STEP_LABELS,
    Chart,
    centres,
    colour,
    legend_text,
    plot_text,
    rgba,
    style,
)
from callsim.report.i18n import Words
from callsim.report.wfm import interval_ticks
from callsim.scenario.schema import SECONDS_PER_DAY, Scenario, minutes

SWITCH_COLOUR = colour(2)


def has_switch(scenario: Scenario) -> bool:
    """Policies with a switch watch a load signal (``load_toggle``); the others have none."""
    return getattr(scenario.selling.policy, "signal", None) is not None


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


def signal_values(result: SimulationResult, signal: str) -> np.ndarray:
    """The signal per interval, mean over replications, from the interval KPIs: idle agents
    are the logged-in agents not busy; the expected wait is read as the mean wait."""
    iv = result.intervals
    if signal == "queue":
        return iv["mean_queue_mean"].to_numpy(dtype=float)
    if signal == "idle_agents":
        logged = iv["agents_logged_in_mean"].to_numpy(dtype=float)
        idle: np.ndarray = logged * (
            1.0 - np.nan_to_num(iv["occupancy_mean"].to_numpy(dtype=float))
        )
        return idle
    if signal == "service_level":
        return iv["service_level_mean"].to_numpy(dtype=float)
    return iv["mean_wait_s_mean"].to_numpy(dtype=float)


def on_spans(result: SimulationResult) -> list[tuple[float, float]]:
    """When the switch was on in the first replication, as spans on the interval axis."""
    events = result.switch
    if not len(events):
        return []
    events = events[events["replication"] == events["replication"].min()]
    events = events.sort_values("time_s", kind="stable")
    x = interval_positions(result, events["time_s"].to_numpy(dtype=float))
    spans, since = [], None
    for at, on in zip(x, events["on"].to_numpy(dtype=bool), strict=True):
        if on and since is None:
            since = float(at)
        elif not on and since is not None:
            spans.append((since, float(at)))
            since = None
    if since is not None:
        spans.append((since, float(len(result.intervals))))
    return spans


def switch_signal(result: SimulationResult, words: Words) -> Chart:
    policy = result.scenario.selling.policy
    signal = str(policy.signal)
    iv = result.intervals
    multi = iv["day"].nunique() > 1
    labels = [
        words.interval_label(int(d), str(c), multi)
        for d, c in zip(iv["day"], iv["start"], strict=True)
    ]
    values = signal_values(result, signal)
    name = words[f"signal_{signal}"]
    fig = go.Figure()
    for x0, x1 in on_spans(result):
        fig.add_vrect(
            x0=x0, x1=x1, fillcolor=rgba(SWITCH_COLOUR, 0.18), line_width=0, layer="below"
        )
    fig.add_trace(  # the shading's legend entry
        go.Scatter(
            x=[None],
            y=[None],
            mode="markers",
            marker={"symbol": "square", "size": 12, "color": rgba(SWITCH_COLOUR, 0.35)},
            name=legend_text(words["switch_on_period"]),
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=centres(len(iv)),
            y=values.tolist(),
            mode="lines+markers",
            marker={"size": 4},
            line={"color": colour(0), "width": 2},
            name=legend_text(name),
            text=[
                plot_text(f"{p} · {name}{words.colon}{v:,.2f}")
                for p, v in zip(labels, values, strict=True)
            ],
            hovertemplate="%{text}<extra></extra>",
        )
    )
    for key, level, where in (
        ("switch_on_at", policy.on_at, "top left"),
        ("switch_off_at", policy.off_at, "top right"),
    ):
        fig.add_hline(
            y=level,
            line={"color": "#495057", "dash": "dash", "width": 1},
            annotation_text=plot_text(words[key].format(value=f"{level:g}")),
            annotation_position=where,
            annotation_font_color="#495057",
        )
    style(fig, height=320, hovermode="closest")
    fig.update_yaxes(title_text=plot_text(name), rangemode="tozero")
    return Chart(
        "switch_signal",
        words["chart_switch_signal"],
        interval_ticks(fig, labels, words),
        note=words["switch_signal_note"],
        wide=True,
        narrow=interval_ticks(go.Figure(fig), labels, words, NARROW_STEP_LABELS),
    )
