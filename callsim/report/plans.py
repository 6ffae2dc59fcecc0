"""The comparison report, read top down as a manager reads it: which plan (one sentence), how
each plan differs from the baseline on the KPIs that matter (a forest plot each), every plan's
values, then the rest on demand.

The differences shown are the paired ones the verdicts judge: every plan met the same callers,
so the noise they share cancels. The unpaired interval is kept for reference only, behind the
disclosure with the other KPIs.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from callsim.measure.catalogue import kpis_in, unit
from callsim.report import html as h
from callsim.report.charts import (
    VERDICT_COLOURS,
    Chart,
    add_band,
    clipped,
    colour,
    interval_axis,
    plot_lines,
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
from callsim.report.verdict import recommendation
from callsim.report.zoom import share_range
from callsim.version import __version__

TICK_CELLS = 24
"""Assumption: the widest plan name on a forest plot's axis, in character cells, before it
wraps: about 150 px of 11 px text, which leaves a phone's plot (about 340 px) room for marks."""

FOREST_PAD = 0.06
"""Assumption: room beside the outermost interval, as a share of the axis, so its mark and bar
end are drawn whole rather than cut by the frame."""

WIDE_TICKS = 8
"""Assumption: ticks a desktop's forest plot labels; plotly's own choice left a money axis of
±40,000 with a single tick at zero."""

NARROW_TICKS = 6
"""Assumption: the most ticks a narrow forest plot (a phone's, or one of two side by side)
labels without crowding; plotly may draw fewer."""

FOREST_ROW_PX = 26
"""Assumption: height per line of plan name; two wrapped lines still read apart."""

PLAN_LIST_STYLE = (
    "list-style:none;margin:6px 0 0;padding:0;display:grid;gap:2px 16px;"
    "grid-template-columns:repeat(auto-fill,minmax(min(100%,300px),1fr));font-size:13px;"
    "color:#495057"
)
"""The plans under the title, in their colours: set on the element, as the page's style sheet
is every page's."""

LEGEND_ROW_PX = 34
"""Assumption: a phone's legend row per plan (a long name wraps onto two lines)."""

MONEY_CHART = "diff_money"
"""The forest plot of net contribution, or of staff cost where no plan sells."""


def sells(comparison: Any) -> bool:
    return any(has_selling(r.scenario) for r in comparison.results.values())


def compared_kpis(comparison: Any) -> list[str]:
    kpis = list(dict.fromkeys(comparison.table["kpi"]))
    if not sells(comparison):
        # A row of zeros says nothing.
        kpis = [k for k in kpis if k not in kpis_in("needs_products")]
    return kpis


def headline_kpis(comparison: Any) -> list[str]:
    """Five KPIs a manager looks at first; without sales, net contribution is only the staff
    cost negated, so the cost itself is shown."""
    money = "net_contribution" if sells(comparison) else "staff_cost"
    kpis = [money if k == "net_contribution" else k for k in kpis_in("compare_headline")]
    return [k for k in kpis if k in set(comparison.table["kpi"])]


def chart_name(kpi: str) -> str:
    return MONEY_CHART if kpi in ("net_contribution", "staff_cost") else f"diff_{kpi}"


def judged(row: pd.Series | dict[str, Any]) -> tuple[float, float, float]:
    """The difference and interval the verdict was drawn from (call-weighted when the goal
    judges that estimate)."""
    prefix = "call_weighted_" if row["verdict_on"] == "call_weighted" else ""
    return tuple(float(row[f"{prefix}diff{part}"]) for part in ("", "_ci_low", "_ci_high"))  # type: ignore[return-value]


def tick_label(plan: str, recommended: bool) -> str:
    text = plot_lines(plan, TICK_CELLS)
    return f"<b>★ {text}</b>" if recommended else text


def forest(comparison: Any, kpi: str, words: Words, chosen: str | None) -> Chart:
    """Plans down the side, each plan's paired difference to the baseline as a mark with its
    interval as a bar, and the zero line: which plans differ, in which direction, how surely."""
    others = [p for p in comparison.results if p != comparison.baseline]
    table = comparison.table.set_index(["kpi", "plan"])
    pct = unit(kpi) == "pct"
    scale = 100.0 if pct else 1.0
    labels = [tick_label(p, p == chosen) for p in others]
    fig = go.Figure()
    rows = {p: table.loc[(kpi, p)] for p in others}
    verdicts = {p: str(rows[p]["verdict"]) for p in others}
    for verdict in sorted(set(verdicts.values()), key=list(VERDICT_COLOURS).index):
        plans = [p for p in others if verdicts[p] == verdict]
        diff, low, high = (
            np.array(v, dtype=float) * scale
            for v in zip(*(judged(rows[p]) for p in plans), strict=True)
        )
        text = [
            plot_text(
                words.pair(
                    p,
                    f"{words.difference(kpi, judged(rows[p])[0])} "
                    f"({words.difference_interval(kpi, *judged(rows[p])[1:])})"
                    f" · {words.verdict(verdict)}",
                )
            )
            for p in plans
        ]
        fig.add_trace(
            go.Scatter(
                x=diff,
                y=[labels[others.index(p)] for p in plans],
                mode="markers",
                name=plot_text(words.verdict(verdict)),
                marker={"size": 10, "symbol": "diamond", "color": VERDICT_COLOURS[verdict]},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": np.nan_to_num(high - diff).tolist(),
                    "arrayminus": np.nan_to_num(diff - low).tolist(),
                    "thickness": 2,
                    "width": 5,
                    "color": VERDICT_COLOURS[verdict],
                },
                text=text,
                hovertemplate="%{text}<extra></extra>",
            )
        )
    fig.add_vline(x=0, line={"color": "#212529", "width": 1})
    ends = np.array([0.0, *(v * scale for p in others for v in judged(rows[p]))])
    ends = ends[np.isfinite(ends)]
    pad = FOREST_PAD * (float(ends.max() - ends.min()) or 1.0)
    lines = sum(label.count("<br>") + 1 for label in labels)
    style(fig, height=90 + FOREST_ROW_PX * max(lines, 2), hovermode="closest")
    fig.update_yaxes(
        type="category",
        categoryorder="array",
        categoryarray=labels,
        autorange="reversed",
        tickfont_size=11,
        automargin=True,
    )
    fig.update_xaxes(
        # Thousands as "k" on a money axis: "−40,000" four times over does not fit a phone.
        tickformat="+~s" if unit(kpi) == "money" else "+,~r",
        nticks=WIDE_TICKS,
        range=[float(ends.min()) - pad, float(ends.max()) + pad],
        zeroline=False,
        title_text=plot_text(words["forest_axis"] + axis_unit(kpi, words)),
        automargin=True,
    )
    fig.update_layout(margin={"l": 10, "t": 10}, showlegend=len(set(verdicts.values())) > 1)
    narrow = go.Figure(fig).update_xaxes(nticks=NARROW_TICKS)
    return Chart(
        chart_name(kpi), words["forest_title"].format(kpi=words.kpi(kpi)), fig, narrow=narrow
    )


def axis_unit(kpi: str, words: Words) -> str:
    """The unit of a difference, named once in the axis title rather than on every tick:
    "+5 个百分点" on each tick would not fit a phone."""
    name = {
        "pct": words["unit_pp"],
        "seconds": words["unit_s"],
        "hours": words["unit_h"],
        "money": words.money.currency or "",
    }.get(unit(kpi), "")
    if not name:
        return ""
    return f"\uff08{name}\uff09" if words.lang == "zh" else f" ({name})"  # full-width in Chinese


def plans_service_level(comparison: Any, words: Words, chosen: str | None) -> Chart:
    """Per-interval service level of the baseline and the recommended plan; every other plan
    is in the legend, one click away, so twelve bands do not hide each other."""
    fig = go.Figure()
    targets = []
    drawn = []
    for p, (plan, result) in enumerate(comparison.results.items()):
        mean, low, high = series(result.intervals, "service_level")
        before = len(fig.data)
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
        shown = plan in (comparison.baseline, chosen)
        if shown:
            drawn += [clipped("service_level", low), clipped("service_level", high), mean]
        else:
            for trace in fig.data[before:]:
                trace.visible = "legendonly"
        targets.append(result.scenario.service_level.target)
    for target in dict.fromkeys(targets):
        target_line(fig, target, words)
    style(fig, height=380)
    interval_axis(fig, words)
    fig.update_yaxes(tickformat=".0%", range=share_range(drawn, targets))
    # On a phone the legend takes a row per plan below the plot; the figure must hold it on
    # its first drawing, before the page grows it by the legend's height.
    narrow = go.Figure(fig).update_layout(
        height=300 + LEGEND_ROW_PX * len(comparison.results), legend_font_size=11
    )
    return Chart(
        "plans_service_level",
        words["chart_plans_service_level"],
        fig,
        note=words["sl_plans_note"],
        wide=True,
        narrow=narrow,
    )


def swatch(k: int) -> h.Html:
    return h.tag(
        "span",
        "",
        class_="swatch",
        data_colour=colour(k),
        style=f"display:inline-block;width:10px;height:10px;border-radius:2px;"
        f"margin-right:6px;background:{colour(k)}",
    )


def plan_cell(comparison: Any, plan: str, k: int, words: Words, chosen: str | None) -> h.Html:
    name: list[h.Content] = [swatch(k), plan]
    if plan == comparison.baseline:
        name += [" ", h.badge(words.verdict("baseline"), "baseline")]
    if plan == chosen:
        name += [" ", h.badge(words["recommended"], "better")]
    return h.cell(name, class_="name")


def plans_table(comparison: Any, words: Words, chosen: str | None) -> h.Html:
    kpis = [k for k in kpis_in("plans_table") if sells(comparison) or k != "net_contribution"]
    head = [words["plan"], *(words.kpi(k) for k in kpis), words["goal_verdict"]]
    rows = []
    for k, (plan, result) in enumerate(comparison.results.items()):
        row: list[h.Content] = [plan_cell(comparison, plan, k, words, chosen)]
        for kpi in kpis:
            v = result.kpi(kpi)
            row.append(
                h.with_ci(
                    words.number(kpi, v["mean"]), words.interval(kpi, v["ci_low"], v["ci_high"])
                )
            )
        row.append(h.badge(words.goal_verdict(result.verdict), result.verdict))
        rows.append(row)
    classes = ["best" if p == chosen else "" for p in comparison.results]
    return h.table(head, rows, row_classes=classes, class_="plans")


def difference_cell(kpi: str, row: pd.Series, words: Words) -> h.Html:
    """The paired difference and its interval at full weight: the interval decides."""
    verdict = str(row["verdict"])
    diff, low, high = judged(row)
    return h.cell(
        [
            h.tag("span", words.difference(kpi, diff), class_="diff"),
            h.tag(
                "span",
                words.difference_interval(kpi, low, high),
                class_="paired",
                style="display:block;white-space:nowrap",
            ),
        ],
        class_=f"verdict-{verdict.replace(' ', '-')}",
        data_verdict=verdict,
    )


def headline_differences(comparison: Any, words: Words, chosen: str | None) -> h.Html:
    """Plans down, headline KPIs across: each cell the paired difference over its CI."""
    kpis = headline_kpis(comparison)
    table = comparison.table.set_index(["kpi", "plan"])
    head = [words["plan"], *(words.kpi(k) for k in kpis)]
    rows = []
    for k, plan in enumerate(comparison.results):
        if plan == comparison.baseline:
            continue
        row: list[h.Content] = [plan_cell(comparison, plan, k, words, chosen)]
        row += [difference_cell(kpi, table.loc[(kpi, plan)], words) for kpi in kpis]
        rows.append(row)
    classes = [
        "best" if p == chosen else "" for p in comparison.results if p != comparison.baseline
    ]
    return h.table(head, rows, row_classes=classes, class_="differences headline")


def all_differences(comparison: Any, words: Words) -> h.Html:
    """Every compared KPI, plan by plan, behind a disclosure: the paired CI first, the value
    and the unpaired CI (for reference) after it."""
    head = [
        words["kpi"],
        words["plan"],
        words["difference"],
        words["verdict"],
        words["value"],
        words["unpaired_ci"],
    ]
    table: pd.DataFrame = comparison.table
    kpis = compared_kpis(comparison)
    rows = []
    for kpi in kpis:
        block = table[(table["kpi"] == kpi) & (table["plan"] != comparison.baseline)]
        for j, (_, r) in enumerate(block.iterrows()):
            verdict = str(r["verdict"])
            row: list[h.Content] = []
            if j == 0:
                row.append(h.cell(words.kpi(kpi), rowspan=len(block), class_="name"))
            row += [
                h.cell(r["plan"], class_="name"),
                difference_cell(kpi, r, words),
                h.badge(words.verdict(verdict), verdict),
                h.with_ci(
                    words.number(kpi, r["mean"]), words.interval(kpi, r["ci_low"], r["ci_high"])
                ),
                h.tag(
                    "span",
                    words.difference_interval(kpi, r["unpaired_ci_low"], r["unpaired_ci_high"]),
                    class_="ci",
                ),
            ]
            rows.append(row)
    return h.tag(
        "details",
        [
            h.tag("summary", words["all_differences"].format(n=len(kpis))),
            h.table(head, rows, class_="differences", text_columns=2),
        ],
        id="all-differences",
    )


def compare_page(comparison: Any, words: Words) -> str:
    first = comparison.results[comparison.baseline]
    rec = comparison.recommendation
    chosen = rec.plan
    forests = [forest(comparison, kpi, words, chosen) for kpi in headline_kpis(comparison)]
    plans = list(comparison.results)
    listed = h.tag(
        "ul",
        [h.tag("li", [swatch(k), plan]) for k, plan in enumerate(plans)],
        class_="plan-list",
        style=PLAN_LIST_STYLE,
    )
    body: list[h.Content] = [
        recommendation(rec, words),
        listed,
        *h.few_replications(words, first.replications),
        h.section(
            words["differences_table"],
            h.paragraph(words.pair(words["goal"], goal_text(first.scenario, words)), class_="note"),
            h.charts(forests),
            h.paragraph(words["forest_note"], class_="note"),
            h.tag("h3", words["headline_differences"]),
            headline_differences(comparison, words, chosen),
            h.paragraph(words["paired_note"], class_="note"),
            all_differences(comparison, words),
            id_="differences",
        ),
        h.section(words["plans"], plans_table(comparison, words, chosen), id_="plans"),
        h.section(
            words["intervals"],
            h.charts([plans_service_level(comparison, words, chosen)]),
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
    lead = words["compare_lead"].format(n=len(plans), baseline=comparison.baseline)
    return h.page(
        kind="compare",
        words=words,
        kind_title=words["compare_page"],
        title=first.scenario.name,
        lead=lead,
        body=body,
        footer=h.provenance(words, __version__, first.seed, first.replications, first.created),
    )
