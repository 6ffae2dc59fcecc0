"""The staffing requirement report: what the iterative staffing algorithm asks for, interval by
interval, beside per-interval Erlang and the scenario's own roster, and whether the simulation of
that staffing meets the target.

The page reads an :class:`~callsim.planning.isa.IsaResult` and nothing else: every number drawn
is a cell of its ``table`` or a figure of its simulation.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from callsim.measure.catalogue import unit
from callsim.model.timegrid import time_grid
from callsim.planning.isa import IsaResult
from callsim.planning.sizing import Target
from callsim.planning.target_verdict import target_verdict
from callsim.report import html as h
from callsim.report.charts import (
    Chart,
    add_band,
    add_steps,
    axis_format,
    centres,
    clipped,
    colour,
    narrow_steps,
    step_axis,
    style,
)
from callsim.report.i18n import Words
from callsim.report.run import (
    interval_names,
    pct,
    scenario_details,
    sl_text,
    target_line,
)
from callsim.report.verdict import verdict_sentence
from callsim.report.zoom import share_range
from callsim.version import __version__

STEP_SERIES = (
    ("isa_on_phones", "s_isa_on", 0, "solid"),
    ("erlang_on_phones", "s_erlang_on", 1, "dash"),
    ("required_scheduled", "s_isa_scheduled", 2, "solid"),
    ("planned_scheduled", "s_planned", 8, "dot"),
)
"""Columns of the requirement drawn as steps, all on one axis of agents: (column, label, colour
index in the palette, dash). The roster is dotted, Erlang dashed."""

SHOWN_KPIS = ("service_level", "asa_s", "abandon_rate", "p_wait", "occupancy")
_COLUMN = {"service_level": "sl"}


def column(kpi: str) -> str:
    """The table's name for a KPI's columns (``sl_mean`` for the service level)."""
    return _COLUMN.get(kpi, kpi)


def count_text(value: float) -> str:
    """Agents: whole numbers as they are, a roster's average over an interval to one decimal."""
    v = float(value)
    return f"{v:,.0f}" if abs(v - round(v)) < 1e-9 else f"{v:,.1f}"


def agent_steps(
    fig: go.Figure,
    table: pd.DataFrame,
    series: Sequence[tuple[str, str, int, str]],
    labels: list[str],
    words: Words,
) -> None:
    """Agent counts per interval as step lines: (column, word key, colour, dash) each, hovered
    with the interval and the count."""
    for name, key, k, dash in series:
        values = table[name].to_numpy(dtype=float)
        hover = [
            words.pair(f"{x} · {words[key]}", count_text(v))
            for x, v in zip(labels, values, strict=True)
        ]
        add_steps(fig, values, name=words[key], hover=hover, colour_hex=colour(k), dash=dash)


def target_text(target: Target, words: Words) -> str:
    if target.kind == "sl":
        return sl_text(target.value, target.threshold_s, target.definition, words)
    value = words.number(target.kpi, target.value)
    return words[f"target_{target.kind}"].format(value=value)


def agents_chart(isa: IsaResult, words: Words) -> Chart:
    """The ISA's and Erlang's agents on the phones, the ISA's scheduled after shrinkage, and
    the scenario's own roster, as steps held over each interval."""
    t = isa.table
    labels = interval_names(t, words)
    fig = go.Figure()
    agent_steps(fig, t, STEP_SERIES, labels, words)
    style(fig, height=380, hovermode="closest")
    step_axis(fig, labels, words)
    fig.update_yaxes(title_text=words["agents_axis"], rangemode="tozero")
    note = words["on_phones_note"].format(shrinkage=pct(isa.scenario.agents.shrinkage))
    return Chart(
        "staff_agents",
        words["chart_staff_agents"],
        fig,
        note=note,
        wide=True,
        narrow=narrow_steps(fig, labels, words),
    )


def target_chart(isa: IsaResult, words: Words) -> Chart:
    """The simulated KPI the target is set on, in its band, against the target."""
    kpi = isa.target.kpi
    name = column(kpi)
    t = isa.table
    mean, low, high = (
        t[f"{name}_{p}"].to_numpy(dtype=float) for p in ("mean", "ci_low", "ci_high")
    )
    fig = go.Figure()
    label = words.kpi(kpi)
    names = interval_names(t, words)
    add_band(
        fig,
        centres(len(t)),
        kpi,
        mean,
        low,
        high,
        name=label,
        words=words,
        colour_hex=colour(0),
        places=names,
    )
    target_line(fig, isa.target.value, words, kpi)
    style(fig, height=340, hovermode="closest")
    fig.update_layout(showlegend=False)  # one series: the chart's heading names it
    step_axis(fig, names, words)
    fig.update_yaxes(**axis_format(kpi, words), rangemode="tozero")
    if unit(kpi) == "pct":
        drawn = [clipped(kpi, low), clipped(kpi, high), mean]
        fig.update_yaxes(range=share_range(drawn, [isa.target.value]))
    title = words["chart_staff_target"].format(kpi=label)
    narrow = narrow_steps(fig, names, words)
    return Chart("staff_target", title, fig, note=words["band_note"], wide=True, narrow=narrow)


def stop_text(isa: IsaResult, words: Words) -> str:
    return words[f"isa_{isa.stop}"].format(n=isa.iterations)


def hours(isa: IsaResult, name: str) -> float:
    step = time_grid(isa.scenario).length_s / 3600
    return float(isa.table[name].sum() * step)


def summary(isa: IsaResult, words: Words) -> h.Html:
    t = isa.table
    meets = words["isa_meets"].format(met=int(t["meets"].sum()), total=len(t))
    kpi = isa.target.kpi
    k = isa.result.kpi(kpi)
    shrinkage = words["after_shrinkage"].format(shrinkage=pct(isa.scenario.agents.shrinkage))
    cards = [
        h.card(
            words["hours_isa"],
            words.number("agent_hours", hours(isa, "isa_on_phones")),
            [
                words.pair(
                    words["vs_erlang"],
                    words.difference(
                        "agent_hours",
                        hours(isa, "isa_on_phones") - hours(isa, "erlang_on_phones"),
                    ),
                )
            ],
            kpi="hours_isa",
        ),
        h.card(
            words["hours_erlang"],
            words.number("agent_hours", hours(isa, "erlang_on_phones")),
            kpi="hours_erlang",
        ),
        h.card(
            words["hours_scheduled"],
            words.number("agent_hours", hours(isa, "required_scheduled")),
            [shrinkage],
            kpi="hours_scheduled",
        ),
        h.card(
            words["hours_planned"],
            words.number("agent_hours", hours(isa, "planned_scheduled")),
            kpi="hours_planned",
        ),
        h.card(
            words.kpi(kpi),
            words.number(kpi, k["mean"]),
            [
                words.pair(words["ci95"], words.interval(kpi, k["ci_low"], k["ci_high"])),
                words["simulated_isa"],
            ],
            kpi=kpi,
        ),
    ]
    goal = h.tag(
        "div",
        [
            h.tag("strong", f"{words['staff_target']}{words.colon.strip()}"),
            h.tag("span", target_text(isa.target, words)),
        ],
        class_="goal",
    )
    return h.join(
        [
            goal,
            h.tag(
                "p",
                h.tag("strong", f"{stop_text(isa, words)} {meets}"),
                class_="top-line",
                data_stop=isa.stop,
            ),
            h.tag("div", cards, class_="cards"),
        ]
    )


def requirement_table(isa: IsaResult, words: Words) -> h.Html:
    t = isa.table
    labels = interval_names(t, words)
    head = [
        words["interval"],
        words["forecast_calls"],
        words["load"],
        words["s_erlang_on"],
        words["s_isa_on"],
        words["s_isa_scheduled"],
        words["s_planned"],
        *(words.kpi(k) for k in SHOWN_KPIS),
        words["meets_target"],
    ]
    rows = []
    for k, (_, row) in enumerate(t.iterrows()):
        cells: list[h.Content] = [
            h.cell(labels[k], class_="name"),
            words.number("offered", row["calls"]),
            f"{row['load_erlangs']:,.2f}",
            count_text(row["erlang_on_phones"]),
            count_text(row["isa_on_phones"]),
            count_text(row["required_scheduled"]),
            count_text(row["planned_scheduled"]),
        ]
        for kpi in SHOWN_KPIS:
            name = column(kpi)
            cells.append(
                h.with_ci(
                    words.number(kpi, row[f"{name}_mean"]),
                    words.interval(kpi, row[f"{name}_ci_low"], row[f"{name}_ci_high"]),
                )
            )
        cells.append(h.cell("✓" if row["meets"] else "✗", class_="flag"))
        rows.append(cells)
    classes = ["" if m else "short" for m in t["meets"]]
    return h.table(head, rows, class_="requirement", row_classes=classes)


def short_target(target: Target, words: Words) -> str:
    """A target as a planner writes it in a sentence: 80/20 for a service level."""
    if target.kind == "sl":
        return f"{100 * target.value:g}/{target.threshold_s:g}"
    return target_text(target, words)


def staff_sentence(isa: IsaResult, words: Words) -> h.Html:
    """The staffing the ISA chose, what it costs in hours against Erlang's, and whether its
    simulation keeps the target: per interval and over the day, on the interval."""
    kpi = isa.target.kpi
    k = isa.result.kpi(kpi)
    verdict = target_verdict(kpi, isa.target.value, k["mean"], k["ci_low"], k["ci_high"])
    step = time_grid(isa.scenario).length_s / 3600
    t = isa.table
    hours = {
        name: float(t[name].sum() * step)
        for name in ("required_scheduled", "isa_on_phones", "erlang_on_phones")
    }
    text = words["staff_verdict"].format(
        hours=f"{hours['required_scheduled']:,.1f}",
        vs_erlang=f"{hours['isa_on_phones'] - hours['erlang_on_phones']:+,.1f}",
        target=short_target(isa.target, words),
        met=int(t["meets"].sum()),
        total=len(t),
        kpi=words.kpi(kpi),
        value=words.number(kpi, k["mean"]),
        ci=words.interval(kpi, k["ci_low"], k["ci_high"]),
        verdict=words[f"tv_{verdict}"],
    )
    return verdict_sentence(text, plan=None, verdict=verdict)


def staff_page(isa: IsaResult, words: Words) -> str:
    scenario = isa.scenario
    body: list[h.Content] = [
        staff_sentence(isa, words),
        *h.few_replications(words, isa.replications),
        h.section(words["staff_title"], summary(isa, words), id_="summary"),
        h.section(
            words["intervals"],
            h.charts([agents_chart(isa, words), target_chart(isa, words)]),
            id_="intervals",
        ),
        h.section(words["requirement_table"], requirement_table(isa, words), id_="requirement"),
        h.section(
            words["scenario"], scenario_details(scenario, words["scenario_yaml"]), id_="scenario"
        ),
    ]
    return h.page(
        kind="staff",
        words=words,
        kind_title=words["staff_title"],
        title=scenario.name,
        lead=words["staff_lead"],
        body=body,
        footer=h.provenance(words, __version__, isa.seed, isa.replications, isa.created),
    )
