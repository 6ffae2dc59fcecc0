"""What each product sold: offers and sales side by side per product, with revenue in the
hover and the table beneath, so a manager sees which product the selling effort went into."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from callsim.experiment.results import SimulationResult
from callsim.measure.products import PRODUCT_KPIS
from callsim.report import html as h
from callsim.report.charts import Chart, colour, error_bars, legend_text, plot_text, style
from callsim.report.i18n import Words

PRODUCT_PX = 36
"""Assumption: the height of one product's pair of bars, enough for its name in 12 px text."""


def product_chart(result: SimulationResult, words: Words) -> Chart | None:
    table = result.products
    if table is None:
        return None
    fig = go.Figure()
    names = [plot_text(n) for n in table["product"]]
    for k, kpi in enumerate(("offers", "conversions")):
        mean, low, high = (
            table[f"{kpi}_{part}"].to_numpy(dtype=float) for part in ("mean", "ci_low", "ci_high")
        )
        revenue = table["revenue_mean"].to_numpy(dtype=float)
        fig.add_trace(
            go.Bar(  # names beside horizontal bars: on a phone, names under bars collide
                x=np.nan_to_num(mean).tolist(),
                y=names,
                orientation="h",
                name=legend_text(words.kpi(kpi)),
                marker_color=colour(k),
                error_x=error_bars(mean, low, high, kpi),
                text=[
                    plot_text(
                        f"{n} · {words.kpi(kpi)} {words.number(kpi, m)} · "
                        f"{words.kpi('revenue')} {words.number('revenue', r)}"
                    )
                    for n, m, r in zip(table["product"], mean, revenue, strict=True)
                ],
                textposition="none",
                hovertemplate="%{text}<extra></extra>",
            )
        )
    style(fig, height=max(240, 90 + PRODUCT_PX * len(table)), hovermode="closest")
    fig.update_layout(barmode="group")
    fig.update_yaxes(type="category", automargin=True, autorange="reversed")
    fig.update_xaxes(rangemode="tozero", tickformat=",~r")
    return Chart("products", words["chart_products"], fig)


def product_table(result: SimulationResult, words: Words) -> h.Html:
    """Offers, sales and revenue per product, each with its 95% interval."""
    table = result.products
    if table is None:
        return h.Html("")
    rows: list[list[h.Content]] = []
    for _, row in table.iterrows():
        cells: list[h.Content] = [h.cell(str(row["product"]), class_="name")]
        for kpi in PRODUCT_KPIS:
            interval = words.interval(kpi, row[f"{kpi}_ci_low"], row[f"{kpi}_ci_high"])
            cells.append(h.cell(h.with_ci(words.number(kpi, row[f"{kpi}_mean"]), interval)))
        rows.append(cells)
    head = [words["product"], *(words.kpi(k) for k in PRODUCT_KPIS)]
    return h.tag("div", h.table(head, rows), class_="slice", data_slice="product")
