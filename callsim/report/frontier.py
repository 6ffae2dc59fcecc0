"""The sweep report: the trade-off between service and money across a grid of plans, and the
point a planner would pick.

The sweep is read through its attributes only (``points``, ``params``, ``base``, ``seed``,
``replications``, ``created``, ``pick``), so a sweep read back from a results directory renders
the same.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from callsim.measure.catalogue import kpis_in
from callsim.report import html as h
from callsim.report.charts import (
    TARGET_COLOUR,
    Chart,
    axis_format,
    colour,
    error_bars,
    plot_text,
    style,
)
from callsim.report.i18n import Words
from callsim.report.run import goal_text, has_selling, pct, scenario_details
from callsim.report.verdict import verdict_sentence
from callsim.scenario.files import scenario_from_dict
from callsim.scenario.overrides import deep_merge
from callsim.scenario.schema import Scenario
from callsim.scenario.sweep_grammar import nested
from callsim.version import __version__

_MONEY_PARAMS = ("currency", "products.", "horizon.days")
"""Parameters that change what the sweep's money is: its currency, products' value bases, or
whose sales and costs they are."""


def point_scenarios(sweep: Any) -> list[Scenario]:
    """The plans a sweep's money labels must describe: every point's, when the sweep varies
    what its money is (a product's years), else the base's. A sweep read back from a results
    directory has only its base and points table, so the points are rebuilt from them."""
    if getattr(sweep, "results", None):
        return [r.scenario for r in sweep.results]
    if not any(p.startswith(_MONEY_PARAMS) for p in sweep.params):
        return [sweep.base]
    resolved = sweep.base.model_dump(mode="json", exclude_none=True)
    plans = []
    for _, row in sweep.points.iterrows():
        data = resolved
        for name in sweep.params:
            value = row[name]
            data = deep_merge(data, nested(name, value.item() if hasattr(value, "item") else value))
        plans.append(scenario_from_dict(data, label="sweep point", base_dir=Path.cwd()))
    return plans


def value_text(value: object) -> str:
    """A parameter value as the planner typed it: 1.0 reads "1", not "1.0"."""
    if isinstance(value, bool | np.bool_):
        return str(bool(value)).lower()
    if isinstance(value, float | np.floating):
        return f"{float(value):g}"
    return str(value)


def point_label(row: pd.Series, params: list[str]) -> str:
    return ", ".join(f"{p}={value_text(row[p])}" for p in params)


def flags(points: pd.DataFrame, column: str) -> np.ndarray:
    if column not in points:
        return np.zeros(len(points), dtype=bool)
    return points[column].fillna(False).astype(bool).to_numpy()


def kpi_columns(points: pd.DataFrame, kpi: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    mean, low, high = (
        points[f"{kpi}_{part}"].to_numpy(dtype=float) for part in ("mean", "ci_low", "ci_high")
    )
    return mean, low, high


def frontier_chart(sweep: Any, words: Words) -> Chart:
    """Every point with its intervals in both directions, the frontier joined in order of
    service level, the best point starred, and the target as the line to stay right of."""
    points: pd.DataFrame = sweep.points.reset_index(drop=True)
    sl, sl_lo, sl_hi = kpi_columns(points, "service_level")
    net, net_lo, net_hi = kpi_columns(points, "net_contribution")
    text = [
        "<br>".join(
            plot_text(t)
            for t in (
                point_label(row, sweep.params),
                words.pair(
                    words.kpi("service_level"),
                    f"{words.number('service_level', sl[i])} "
                    f"({words.interval('service_level', sl_lo[i], sl_hi[i])})",
                ),
                words.pair(
                    words.kpi("net_contribution"),
                    f"{words.number('net_contribution', net[i])} "
                    f"({words.interval('net_contribution', net_lo[i], net_hi[i])})",
                ),
            )
        )
        for i, (_, row) in enumerate(points.iterrows())
    ]
    grey = "#adb5bd"
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=sl,
            y=net,
            mode="markers",
            marker={"size": 8, "color": grey},
            error_x={**error_bars(sl, sl_lo, sl_hi, "service_level"), "color": grey},
            error_y={**error_bars(net, net_lo, net_hi, "net_contribution"), "color": grey},
            name=plot_text(words["points_all"]),
            text=text,
            hovertemplate="%{text}<extra></extra>",
        )
    )
    on = np.flatnonzero(flags(points, "frontier"))
    on = on[np.argsort(sl[on], kind="stable")]
    fig.add_trace(
        go.Scatter(
            x=sl[on],
            y=net[on],
            mode="lines+markers",
            marker={"size": 9, "color": colour(0)},
            line={"color": colour(0), "width": 2},
            name=plot_text(words["points_frontier"]),
            text=[text[i] for i in on],
            hovertemplate="%{text}<extra></extra>",
        )
    )
    best = np.flatnonzero(flags(points, "best"))
    fig.add_trace(
        go.Scatter(
            x=sl[best],
            y=net[best],
            mode="markers",
            marker={
                "size": 20,
                "symbol": "star",
                "color": "#f59f00",
                "line": {"color": "#212529", "width": 1},
            },
            name=plot_text(words["points_best"]),
            text=[text[i] for i in best],
            hovertemplate="%{text}<extra></extra>",
        )
    )
    target = sweep.base.service_level.target
    fig.add_vline(
        x=target,
        line={"color": TARGET_COLOUR, "dash": "dash", "width": 1.5},
        annotation_text=plot_text(words["target_value"].format(target=pct(target))),
        annotation_position="top left",
        annotation_font_color=TARGET_COLOUR,
    )
    style(fig, height=480, hovermode="closest")
    fig.update_xaxes(
        title_text=plot_text(words.kpi("service_level")), **axis_format("service_level", words)
    )
    fig.update_yaxes(
        title_text=plot_text(words.kpi("net_contribution")),
        **axis_format("net_contribution", words),
    )
    return Chart("frontier", words["chart_frontier"], fig, note=words["frontier_note"], wide=True)


def table_kpis(sweep: Any) -> list[str]:
    kpis = [k for k in kpis_in("sweep_table") if f"{k}_mean" in sweep.points]
    if not has_selling(sweep.base):
        kpis = [k for k in kpis if k not in kpis_in("needs_products")]
    return kpis


def points_table(sweep: Any, words: Words) -> h.Html:
    """Each point with what it costs in people (its roster's agents, the hours paid) beside what
    it gives, and its service-level verdict: the risk a point picked by its mean carries."""
    points: pd.DataFrame = sweep.points.reset_index(drop=True)
    kpis = ["paid_hours", *table_kpis(sweep)]
    frontier, best = flags(points, "frontier"), flags(points, "best")
    head = [
        *sweep.params,
        words["frontier"],
        words["best"],
        words["agent_count"],
        words["goal_verdict"],
        *(words.kpi(k) for k in kpis),
    ]
    rows, classes = [], []
    # the index was reset, so a row's position is its label
    for i, (_, row) in enumerate(points.iterrows()):
        cells: list[h.Content] = [h.cell(value_text(row[p]), class_="name") for p in sweep.params]
        cells.append(h.cell("✓" if frontier[i] else "", class_="flag"))
        cells.append(h.cell("★" if best[i] else "", class_="flag"))
        cells.append(value_text(row["agents"]))
        cells.append(h.badge(words.goal_verdict(row["verdict"]), row["verdict"]))
        for kpi in kpis:
            cells.append(
                h.with_ci(
                    words.number(kpi, row[f"{kpi}_mean"]),
                    words.interval(kpi, row[f"{kpi}_ci_low"], row[f"{kpi}_ci_high"]),
                )
            )
        rows.append(cells)
        classes.append(
            " ".join(c for c, on in (("frontier", frontier[i]), ("best", best[i])) if on)
        )
    return h.table(head, rows, class_="points", row_classes=classes, text_columns=len(sweep.params))


def summary(sweep: Any, words: Words) -> h.Html:
    points: pd.DataFrame = sweep.points.reset_index(drop=True)
    rows = [
        [h.cell(p, class_="name"), ", ".join(value_text(v) for v in pd.unique(points[p]))]
        for p in sweep.params
    ]
    best = np.flatnonzero(flags(points, "best"))
    lines: list[h.Content] = [
        h.paragraph(words.pair(words["goal"], goal_text(sweep.base, words)), class_="note"),
        h.table([words["swept"], words["values"]], rows),
        h.paragraph(words.pair(words["points"], len(points))),
        h.paragraph(words[f"pick_{sweep.pick}"], class_="pick-rule"),
    ]
    if not len(best):
        lines.append(h.tag("p", h.tag("strong", words["no_best"]), class_="best-line"))
        return h.join(lines)
    row = points.iloc[best[0]]
    sl = "service_level"
    risk = words.pair(
        words.kpi(sl),
        f"{words.number(sl, row[f'{sl}_mean'])} "
        f"({words['ci95']} {words.interval(sl, row[f'{sl}_ci_low'], row[f'{sl}_ci_high'])})",
    )
    best_line = words["best_text"].format(point=point_label(row, sweep.params))
    lines.append(h.tag("p", h.tag("strong", best_line), class_="best-line"))
    badge = h.badge(words.goal_verdict(row["verdict"]), row["verdict"])
    lines.append(h.tag("p", [risk, " ", badge], class_="best-risk"))
    if row["verdict"] != "met":
        lines.append(h.paragraph(words["best_at_risk"], class_="note"))
    return h.join(lines)


def sweep_sentence(sweep: Any, words: Words) -> h.Html:
    """The sweep's best point (chosen by the sweep, by its ``pick`` rule), or the point nearest
    the goal when none meets it."""
    points: pd.DataFrame = sweep.points.reset_index(drop=True)
    best = np.flatnonzero(flags(points, "best"))
    goal = sweep.base.service_level
    short = f"{100 * goal.target:g}/{goal.threshold_s:g}"  # as planners write it
    rule = words[f"sweep_rule_{sweep.pick}"]
    sl = "service_level"
    if len(best):
        row = points.iloc[int(best[0])]
        key = "sweep_best"
    else:
        row = points.iloc[int(points[f"{sl}_mean"].to_numpy(float).argmax())]
        key = "sweep_none"
    net = "net_contribution"
    text = words[key].format(
        point=point_label(row, sweep.params),
        goal=short,
        rule=rule,
        net=words.number(net, row[f"{net}_mean"]),
        net_ci=words.interval(net, row[f"{net}_ci_low"], row[f"{net}_ci_high"]),
        sl=words.number(sl, row[f"{sl}_mean"]),
        sl_ci=words.interval(sl, row[f"{sl}_ci_low"], row[f"{sl}_ci_high"]),
        verdict=words[f"tv_{row['verdict']}"],
    )
    return verdict_sentence(
        text,
        plan=point_label(row, sweep.params) if len(best) else None,
        verdict=str(row["verdict"]),
    )


def sweep_page(sweep: Any, words: Words) -> str:
    body: list[h.Content] = [
        sweep_sentence(sweep, words),
        *h.few_replications(words, sweep.replications),
        h.section(words["swept"], summary(sweep, words), id_="summary"),
        h.section(
            words["chart_frontier"], h.charts([frontier_chart(sweep, words)]), id_="frontier"
        ),
        h.section(words["points_table"], points_table(sweep, words), id_="points"),
        h.section(
            words["scenario"],
            scenario_details(sweep.base, words["base_scenario_yaml"]),
            id_="scenario",
        ),
    ]
    return h.page(
        kind="sweep",
        words=words,
        kind_title=words["sweep_title"],
        title=sweep.base.name,
        lead=", ".join(sweep.params),
        body=body,
        footer=h.provenance(words, __version__, sweep.seed, sweep.replications, sweep.created),
    )
