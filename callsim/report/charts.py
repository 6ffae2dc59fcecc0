"""Plotly building blocks shared by every report: a mean line in its confidence band, axes that
format each kind of KPI, and one look for all charts.

Figures carry no titles: the page gives each chart a heading, so titles are translated and
escaped in one place and the browser test finds them as text.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from callsim.measure.catalogue import unit, value_range
from callsim.report.i18n import Words

FONT = (
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'PingFang SC', "
    "'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif"
)
PALETTE = (
    "#1f6feb",
    "#e8590c",
    "#2f9e44",
    "#ae3ec9",
    "#c92a2a",
    "#0b7285",
    "#5c940d",
    "#d6336c",
    "#495057",
    "#f59f00",
)
VERDICT_COLOURS = {
    "baseline": "#495057",
    "better": "#2f9e44",
    "worse": "#c92a2a",
    "higher": "#1f6feb",
    "lower": "#1f6feb",
    "no significant difference": "#868e96",
}
TARGET_COLOUR = "#c92a2a"

Values = np.ndarray | Sequence[float]
"""Numbers along a chart's axis: the report passes arrays, callers may pass plain lists."""


@dataclass(frozen=True)
class Chart:
    """A figure and the words around it; ``name`` is the page's ``data-chart`` marker."""

    name: str
    title: str
    figure: go.Figure
    note: str = ""
    wide: bool = False


def plot_text(text: object) -> str:
    """Text for plotly's labels, which read a subset of HTML: escaping keeps a scenario's names
    (which may hold ``<`` or ``&``) literal instead of letting them become tags."""
    return html.escape(str(text), quote=False)


def colour(k: int) -> str:
    return PALETTE[k % len(PALETTE)]


def rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def clipped(kpi: str, values: Values) -> np.ndarray:
    """Values within what the KPI can take: Student-t intervals are symmetric, so near a bound
    they cross it, and a band or bar drawn past it would show impossible values."""
    low, high = value_range(kpi)
    result: np.ndarray = np.clip(np.asarray(values, dtype=float), low, high)
    return result


def axis_format(kpi: str, words: Words) -> dict[str, object]:
    """Tick format of an axis showing ``kpi``, in the report's units."""
    k = unit(kpi)
    if k == "pct":
        return {"tickformat": ".0%"}
    if k == "seconds":
        return {"ticksuffix": f" {words['unit_s']}", "tickformat": ",~r"}
    if k == "hours":
        return {"ticksuffix": f" {words['unit_h']}", "tickformat": ",~r"}
    if k == "money":
        return {"tickprefix": words.money_prefix, "tickformat": ",~r"}
    return {"tickformat": ",~r"}


def hover_texts(
    kpi: str,
    label: str,
    mean: Values,
    low: Values,
    high: Values,
    words: Words,
) -> list[str]:
    """Hover lines in the report's number format; plotly's own would differ from the tables."""
    return [
        plot_text(words.pair(label, f"{words.number(kpi, m)} ({words.interval(kpi, lo, hi)})"))
        for m, lo, hi in zip(mean, low, high, strict=True)
    ]


def add_band(
    fig: go.Figure,
    x: Sequence[object],
    kpi: str,
    mean: Values,
    low: Values,
    high: Values,
    *,
    name: str,
    words: Words,
    colour_hex: str,
    legendgroup: str | None = None,
    **where: object,
) -> None:
    """A mean line over a shaded 95% band; ``where`` places it (row, col, secondary_y)."""
    group = legendgroup or name
    fig.add_trace(
        go.Scatter(
            x=list(x),
            y=clipped(kpi, np.asarray(high, dtype=float)),
            mode="lines",
            line={"width": 0},
            hoverinfo="skip",
            showlegend=False,
            legendgroup=group,
        ),
        **where,
    )
    fig.add_trace(
        go.Scatter(
            x=list(x),
            y=clipped(kpi, np.asarray(low, dtype=float)),
            mode="lines",
            line={"width": 0},
            fill="tonexty",
            fillcolor=rgba(colour_hex, 0.18),
            hoverinfo="skip",
            showlegend=False,
            legendgroup=group,
        ),
        **where,
    )
    fig.add_trace(
        go.Scatter(
            x=list(x),
            y=np.asarray(mean, dtype=float),
            mode="lines+markers",
            marker={"size": 4},
            line={"color": colour_hex, "width": 2},
            name=plot_text(name),
            legendgroup=group,
            text=hover_texts(kpi, name, mean, low, high, words),
            hovertemplate="%{text}<extra></extra>",
        ),
        **where,
    )


def error_bars(
    mean: Values,
    low: Values,
    high: Values,
    kpi: str | None = None,
) -> dict[str, object]:
    """Asymmetric error bars, within the KPI's bounds when it is given; a missing interval
    (one replication) draws none."""
    m, lo, hi = (np.asarray(v, dtype=float) for v in (mean, low, high))
    if kpi is not None:
        lo, hi = clipped(kpi, lo), clipped(kpi, hi)
    return {
        "type": "data",
        "symmetric": False,
        "array": np.nan_to_num(hi - m).tolist(),
        "arrayminus": np.nan_to_num(m - lo).tolist(),
        "thickness": 1.2,
        "width": 4,
    }


def style(fig: go.Figure, *, height: int = 320, hovermode: str = "x unified") -> go.Figure:
    """One look for every chart; the template is plain so the page stays small."""
    fig.update_layout(
        template="plotly_white",
        height=height,
        margin={"l": 60, "r": 20, "t": 30, "b": 50},
        font={"family": FONT, "size": 12},
        hovermode=hovermode,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        separators=".,",
    )
    return fig


def interval_axis(fig: go.Figure, words: Words, **where: object) -> None:
    """Interval starts are categories: plotly would otherwise read "08:00" as a time of today."""
    fig.update_xaxes(type="category", title_text=plot_text(words["interval_start"]), **where)
