"""The comparison report: every plan's KPIs side by side, then what differs from the baseline
beyond the noise the plans share, then how service level moves through the day under each."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from callsim.measure.catalogue import kpis_in, unit
from callsim.report import html as h
from callsim.report.charts import (
    VERDICT_COLOURS,
    Chart,
    add_band,
    axis_format,
    colour,
    error_bars,
    interval_axis,
    legend_text,
    plot_text,
    style,
)
from callsim.report.i18n import Words
from callsim.report.run import (
    goal_text,
    has_selling,
    scenario_details,
    series,
    target_line,
    x_labels,
)
from callsim.version import __version__

COLUMNS = 3
"""Small multiples to a row on a wide page; a narrow box (a phone) stacks them one to a row."""


def compared_kpis(comparison: Any) -> list[str]:
    kpis = list(dict.fromkeys(comparison.table["kpi"]))
    if not any(has_selling(r.scenario) for r in comparison.results.values()):
        # A row of zeros says nothing.
        kpis = [k for k in kpis if k not in kpis_in("needs_products")]
    return kpis


def charted_kpis(comparison: Any) -> list[str]:
    """KPIs worth a small chart: one that is zero in every plan (training hours without a
    training policy) would be an empty panel."""
    table = comparison.table
    keep = []
    for kpi in compared_kpis(comparison):
        values = table.loc[table["kpi"] == kpi, ["mean", "ci_low", "ci_high"]].to_numpy(float)
        if np.nan_to_num(np.abs(values)).sum() > 0:
            keep.append(kpi)
    return keep


def small_multiples(kpis: list[str], words: Words, columns: int) -> tuple[go.Figure, int]:
    rows = max(1, math.ceil(len(kpis) / columns))
    height = 70 + 230 * rows
    fig = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=[plot_text(words.kpi(k)) for k in kpis],
        vertical_spacing=min(0.3, 75 / height),
        horizontal_spacing=0.09,
    )
    fig.update_annotations(font_size=12)
    return fig, height


def place(i: int, columns: int) -> dict[str, int]:
    return {"row": i // columns + 1, "col": i % columns + 1}


def kpi_bars(comparison: Any, words: Words) -> Chart:
    """One panel per KPI, a bar per plan with its 95% interval; colours name the plans."""
    return Chart(
        "compare_kpis",
        words["chart_compare_kpis"],
        kpi_bars_figure(comparison, words, COLUMNS),
        wide=True,
        narrow=kpi_bars_figure(comparison, words, 1),
    )


def kpi_bars_figure(comparison: Any, words: Words, columns: int) -> go.Figure:
    kpis = charted_kpis(comparison)
    plans = list(comparison.results)
    table = comparison.table.set_index(["kpi", "plan"])
    fig, height = small_multiples(kpis, words, columns)
    for i, kpi in enumerate(kpis):
        for p, plan in enumerate(plans):
            row = table.loc[(kpi, plan)]
            text = words.pair(
                plan,
                f"{words.number(kpi, row['mean'])} "
                f"({words.interval(kpi, row['ci_low'], row['ci_high'])})",
            )
            fig.add_trace(
                go.Bar(
                    x=[plot_text(plan)],
                    y=[row["mean"]],
                    error_y=error_bars([row["mean"]], [row["ci_low"]], [row["ci_high"]], kpi),
                    marker_color=colour(p),
                    name=legend_text(plan),
                    legendgroup=plot_text(plan),
                    showlegend=i == 0,
                    text=[plot_text(text)],
                    textposition="none",
                    hovertemplate="%{text}<extra></extra>",
                ),
                **place(i, columns),
            )
        fig.update_yaxes(**axis_format(kpi, words), rangemode="tozero", **place(i, columns))
    style(fig, height=height, hovermode="closest")
    fig.update_xaxes(type="category", showticklabels=False)
    fig.update_layout(margin={"t": 60}, bargap=0.25)
    return fig


def difference_points(comparison: Any, words: Words) -> Chart:
    """Paired differences with their intervals, one panel per KPI: a point whose bar crosses
    the zero line is no significant difference. Shares are in percentage points."""
    return Chart(
        "differences",
        words["chart_differences"],
        difference_figure(comparison, words, COLUMNS),
        note=words["diff_colour_note"],
        wide=True,
        narrow=difference_figure(comparison, words, 1),
    )


def difference_figure(comparison: Any, words: Words, columns: int) -> go.Figure:
    kpis = charted_kpis(comparison)
    others = [p for p in comparison.results if p != comparison.baseline]
    table = comparison.table.set_index(["kpi", "plan"])
    fig, height = small_multiples(kpis, words, columns)
    for i, kpi in enumerate(kpis):
        scale = 100.0 if unit(kpi) == "pct" else 1.0
        rows = [table.loc[(kpi, p)] for p in others]
        diff = np.array([r["diff"] for r in rows], dtype=float) * scale
        low = np.array([r["diff_ci_low"] for r in rows], dtype=float) * scale
        high = np.array([r["diff_ci_high"] for r in rows], dtype=float) * scale
        verdicts = [str(r["verdict"]) for r in rows]
        text = [
            plot_text(
                words.pair(
                    p,
                    f"{words.difference(kpi, r['diff'])} "
                    f"({words.difference_interval(kpi, r['diff_ci_low'], r['diff_ci_high'])})"
                    f" · {words.verdict(v)}",
                )
            )
            for p, r, v in zip(others, rows, verdicts, strict=True)
        ]
        fig.add_trace(
            go.Scatter(
                x=[plot_text(p) for p in others],
                y=diff,
                mode="markers",
                marker={
                    "size": 11,
                    "color": [VERDICT_COLOURS.get(v, "#868e96") for v in verdicts],
                },
                error_y={**error_bars(diff, low, high), "color": "#495057"},
                showlegend=False,
                text=text,
                hovertemplate="%{text}<extra></extra>",
            ),
            **place(i, columns),
        )
        fig.add_hline(y=0, line={"color": "#868e96", "width": 1}, **place(i, columns))
        where = place(i, columns)
        if unit(kpi) == "pct":
            fig.update_yaxes(tickformat="+,~r", title_text=plot_text(words["unit_pp"]), **where)
        else:
            fig.update_yaxes(**{**axis_format(kpi, words), "tickformat": "+,~r"}, **where)
    style(fig, height=height, hovermode="closest")
    fig.update_xaxes(type="category", tickfont_size=11)
    fig.update_layout(margin={"t": 40})
    return fig


def plans_service_level(comparison: Any, words: Words) -> Chart:
    fig = go.Figure()
    targets = []
    for p, (plan, result) in enumerate(comparison.results.items()):
        mean, low, high = series(result.intervals, "service_level")
        add_band(
            fig,
            x_labels(result.intervals, words),
            "service_level",
            mean,
            low,
            high,
            name=plan,
            words=words,
            colour_hex=colour(p),
        )
        targets.append(result.scenario.service_level.target)
    for target in dict.fromkeys(targets):
        target_line(fig, target, words)
    style(fig, height=380)
    interval_axis(fig, words)
    fig.update_yaxes(tickformat=".0%", range=[0, 1.05])
    return Chart("plans_service_level", words["chart_plans_service_level"], fig, wide=True)


def plans_table(comparison: Any, words: Words) -> h.Html:
    kpis = kpis_in("plans_table")
    head = [words["plan"], *(words.kpi(k) for k in kpis), words["goal_verdict"]]
    rows = []
    for plan, result in comparison.results.items():
        name: list[h.Content] = [plan]
        if plan == comparison.baseline:
            name += [" ", h.badge(words.verdict("baseline"), "baseline")]
        row: list[h.Content] = [h.cell(name, class_="name")]
        for kpi in kpis:
            k = result.kpi(kpi)
            row.append(
                h.with_ci(
                    words.number(kpi, k["mean"]), words.interval(kpi, k["ci_low"], k["ci_high"])
                )
            )
        row.append(h.badge(words.goal_verdict(result.verdict), result.verdict))
        rows.append(row)
    return h.table(head, rows)


def differences_table(comparison: Any, words: Words) -> h.Html:
    head = [
        words["kpi"],
        words["plan"],
        words["value"],
        words["difference"],
        words["unpaired_ci"],
        words["verdict"],
    ]
    table: pd.DataFrame = comparison.table
    rows = []
    for kpi in compared_kpis(comparison):
        block = table[table["kpi"] == kpi]
        for j, (_, r) in enumerate(block.iterrows()):
            verdict = str(r["verdict"])
            row: list[h.Content] = []
            if j == 0:
                row.append(h.cell(words.kpi(kpi), rowspan=len(block), class_="name"))
            base = verdict == "baseline"
            row += [
                h.cell(r["plan"], class_="name"),
                h.with_ci(
                    words.number(kpi, r["mean"]), words.interval(kpi, r["ci_low"], r["ci_high"])
                ),
                "—"
                if base
                else h.with_ci(
                    words.difference(kpi, r["diff"]),
                    words.difference_interval(kpi, r["diff_ci_low"], r["diff_ci_high"]),
                ),
                "—"
                if base
                else words.difference_interval(kpi, r["unpaired_ci_low"], r["unpaired_ci_high"]),
                h.cell(
                    h.badge(words.verdict(verdict), verdict),
                    class_=f"verdict-{verdict.replace(' ', '-')}",
                ),
            ]
            rows.append(row)
    return h.table(head, rows, class_="differences", text_columns=2)


def compare_page(comparison: Any, words: Words) -> str:
    plans = list(comparison.results)
    first = comparison.results[comparison.baseline]
    charts = [kpi_bars(comparison, words), difference_points(comparison, words)]
    body: list[h.Content] = [
        *h.few_replications(words, first.replications),
        h.section(
            words["plans"],
            h.paragraph(words.pair(words["goal"], goal_text(first.scenario, words)), class_="note"),
            plans_table(comparison, words),
            h.charts(charts[:1]),
            id_="plans",
        ),
        h.section(
            words["differences_table"],
            h.paragraph(words["paired_note"], class_="note"),
            h.charts(charts[1:]),
            differences_table(comparison, words),
            id_="differences",
        ),
        h.section(
            words["intervals"],
            h.paragraph(words["band_note"], class_="note"),
            h.charts([plans_service_level(comparison, words)]),
            id_="intervals",
        ),
        h.section(
            words["scenario"],
            *(
                scenario_details(r.scenario, words["plan_yaml"].format(plan=name))
                for name, r in comparison.results.items()
            ),
            id_="scenario",
        ),
    ]
    return h.page(
        kind="compare",
        words=words,
        kind_title=words["compare_title"],
        title=" · ".join(plans),
        lead=words.pair(words["baseline"], comparison.baseline),
        body=body,
        footer=h.provenance(words, __version__, first.seed, first.replications, first.created),
    )
