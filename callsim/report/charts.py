"""Plotly building blocks shared by every report: a mean line in its confidence band, axes that
format each kind of KPI, and one look for all charts.

Figures carry no titles: the page gives each chart a heading, so titles are translated and
escaped in one place and the browser test finds them as text.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from callsim.measure.catalogue import unit, value_range
from callsim.report.i18n import Words
from callsim.report.palette import plan_colour

FONT = (
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'PingFang SC', "
    "'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif"
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
    narrow: go.Figure | None = None
    """The same chart laid out for a narrow box (a phone), whose layout the page draws there
    instead: small multiples three to a row would be too cramped to read."""


def plot_text(text: object) -> str:
    """Text for plotly's labels, which read a subset of HTML: escaping keeps a scenario's names
    (which may hold ``<`` or ``&``) literal instead of letting them become tags."""
    return html.escape(str(text), quote=False)


LEGEND_LINE = 32
"""Assumption: the longest legend line, in character cells (a Chinese character takes two), that
fits a chart on a phone (about 300 px of 12 px text). Plotly never wraps legend text, so a
longer name is broken onto more lines here."""

_TOKENS = re.compile(r"\s+|[^\s\u2e80-\u9fff\uac00-\ud7af\uff00-\uffef]+|\S")
"""A run of spaces, a word, or one wide (CJK) character: the places a line may break."""


def cells(text: str) -> int:
    """Width of text in character cells: wide (CJK, full-width) characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrap_cells(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` cells, broken at spaces or between wide characters, and
    inside a word only when the word alone is longer than a line."""
    lines, line = [], ""
    for token in _TOKENS.findall(text):
        if token.isspace():
            line += " " if line else ""
            continue
        while cells(token) > width:  # a word longer than a line: cut it
            cut = next(k for k in range(len(token), 0, -1) if cells(token[:k]) <= width)
            if line.strip():
                lines.append(line.rstrip())
            lines.append(token[:cut])
            line, token = "", token[cut:]
        if line.strip() and cells(line + token) > width:
            lines.append(line.rstrip())
            line = ""
        line += token
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


def plot_lines(text: object, width: int) -> str:
    """Text escaped as ``plot_text`` escapes it, on lines of at most ``width`` cells: plotly
    wraps no label itself."""
    return "<br>".join(plot_text(line) for line in wrap_cells(str(text), width))


def legend_text(text: object) -> str:
    """A name for a legend, wrapped to fit a phone."""
    return plot_lines(text, LEGEND_LINE)


NARROW_TITLE = 28
"""Assumption: the longest axis-title line, in character cells, that a phone's chart shows whole
(about 200 px of plotly's 14 px title text). Plotly centres an axis title on the plot area,
which long tick labels push right, and never wraps it, so the end of a longer title was cut off
at the chart's edge."""


def narrow_titles(layout: dict[str, object]) -> bool:
    """Wrap, in place, every axis title of a plotly layout to ``NARROW_TITLE`` cells a line (the
    layout a phone draws); says whether any title needed it. Each title grows its margin rather
    than run into the tick labels."""
    changed = False
    for key, axis in layout.items():
        if not (key.startswith(("xaxis", "yaxis")) and isinstance(axis, dict)):
            continue
        title = axis.get("title")
        if not isinstance(title, dict) or not isinstance(title.get("text"), str):
            continue
        text = title["text"]
        lines = [part for line in text.split("<br>") for part in wrap_cells(line, NARROW_TITLE)]
        if len(lines) > text.count("<br>") + 1:
            title["text"] = "<br>".join(lines)
            axis["automargin"] = True
            changed = True
    return changed


def colour(k: int) -> str:
    """The ``k``-th series' colour, from the palette that keeps clear of the verdicts'."""
    return plan_colour(k)


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
    places: Sequence[str] | None = None,
    **where: object,
) -> None:
    """A mean line over a shaded 95% band; ``where`` places it (row, col, secondary_y).
    ``places`` name the x positions in the hover text, for an axis whose values are not the
    names (the intervals of ``step_axis``)."""
    group = legendgroup or name
    text = hover_texts(kpi, name, mean, low, high, words)
    if places is not None:
        text = [f"{plot_text(p)} · {t}" for p, t in zip(places, text, strict=True)]
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
            name=legend_text(name),
            legendgroup=group,
            text=text,
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


def _template() -> go.layout.Template:
    """plotly_white cut to what flat charts of lines and bars read. Every figure carries its
    template in the page, and plotly copies it into each figure it is set on: the whole
    plotly_white (its colour scales, 3-D, map and polar settings, the defaults of two dozen
    trace types) was 7 KB of each chart's JSON and most of the time of building a report's
    charts; this one is about 1 KB and draws the same."""
    white = pio.templates["plotly_white"]
    flat = ("polar", "ternary", "coloraxis", "colorscale", "scene", "geo")
    layout = {k: v for k, v in white.layout.to_plotly_json().items() if k not in flat}
    return go.layout.Template(
        layout=layout, data={"bar": white.data.bar, "scatter": white.data.scatter}
    )


TEMPLATE = _template()


def style(fig: go.Figure, *, height: int = 320, hovermode: str = "x unified") -> go.Figure:
    """One look for every chart (``TEMPLATE``).

    The legend goes below the plot, at the foot of the figure: above it, it ran into plotly's
    mode bar (top right), and on a phone, wrapped onto many rows, over the plot. The page makes
    the figure taller by the legend's height (``RENDER``), so it never squeezes the plot, and no
    height cap (``maxheight``) turns it into a scrolling box."""
    fig.update_layout(
        template=TEMPLATE,
        height=height,
        margin={"l": 60, "r": 20, "t": 30, "b": 50},
        font={"family": FONT, "size": 12},
        hovermode=hovermode,
        legend={
            "orientation": "h",
            "yref": "container",
            "yanchor": "bottom",
            "y": 0,
            "x": 0,
            "maxheight": LEGEND_MAX_PX,
        },
        separators=".,",
    )
    return fig


LEGEND_MAX_PX = 5000
"""Taller than any legend (plotly reads a ``maxheight`` above 1 as pixels): a legend is shown
whole, with the figure grown to hold it."""


def add_steps(
    fig: go.Figure,
    values: Values,
    *,
    name: str,
    hover: Sequence[str],
    colour_hex: str,
    dash: str = "solid",
    width: float = 2.0,
) -> None:
    """Agents per interval as a step held over the whole interval: interval k spans [k, k + 1]
    on the axis (``step_axis``), so the last interval shows as a step too, not a lone point."""
    y = np.asarray(values, dtype=float)
    fig.add_trace(
        go.Scatter(
            x=list(range(len(y) + 1)),
            y=[*y.tolist(), *y[-1:].tolist()],
            mode="lines",
            line={"shape": "hv", "color": colour_hex, "width": width, "dash": dash},
            name=legend_text(name),
            text=[plot_text(t) for t in [*hover, *hover[-1:]]],
            hovertemplate="%{text}<extra></extra>",
        )
    )


def centres(n: int) -> list[float]:
    """Where a per-interval value sits on the axis of ``add_steps``: the middle of its interval,
    so a band chart lines up under a step chart of the same intervals."""
    return [k + 0.5 for k in range(n)]


STEP_LABELS, NARROW_STEP_LABELS = 12, 5
"""Assumption: the interval labels that fit side by side under a desktop's plot, and under a
phone's (about 300 px)."""


def step_axis(
    fig: go.Figure, labels: Sequence[str], words: Words, most: int = STEP_LABELS
) -> go.Figure:
    """The interval axis of ``add_steps``: a tick at each interval's start, at most ``most``
    labelled so they stay readable."""
    n = len(labels)
    step = max(1, -(-n // most))
    fig.update_xaxes(
        tickmode="array",
        tickvals=list(range(0, n, step)),
        ticktext=[plot_text(label) for label in labels[::step]],
        range=[0, n],
        title_text=plot_text(words["interval_start"]),
        # The first tick sits on the y axis: pushed down, it clears the "0" at the axis' foot.
        ticklabelstandoff=STEP_TICK_STANDOFF_PX,
    )
    return fig


def narrow_steps(fig: go.Figure, labels: Sequence[str], words: Words) -> go.Figure:
    """A finished interval chart laid out for a phone: a dozen "08:00" labels side by side
    overlap there."""
    return step_axis(go.Figure(fig), labels, words, NARROW_STEP_LABELS)


STEP_TICK_STANDOFF_PX = 6
"""Assumption: half a 12 px label's height, enough for the interval under the y axis' zero."""


def interval_axis(fig: go.Figure, words: Words, **where: object) -> None:
    """Interval starts are categories: plotly would otherwise read "08:00" as a time of today."""
    fig.update_xaxes(type="category", title_text=plot_text(words["interval_start"]), **where)


def target_line(
    fig: go.Figure, target: float, words: Words, kpi: str = "service_level", **where: object
) -> None:
    """The dashed line a KPI's curve must stay on the right side of."""
    shown = f"{100 * target:g}%" if unit(kpi) == "pct" else words.number(kpi, target)
    fig.add_hline(
        y=target,
        line={"color": TARGET_COLOUR, "dash": "dash", "width": 1.5},
        annotation_text=plot_text(words["target_value"].format(target=shown)),
        annotation_position="bottom right",
        annotation_font_color=TARGET_COLOUR,
        **where,
    )
