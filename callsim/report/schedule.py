"""The schedule report: the shifts the integer program chose, drawn over the day with their
breaks, what they cover against the requirement, and the service level their simulation gives,
so a planner sees where the schedule is tight before rostering names onto it.

The page reads a :class:`~callsim.planning.schedule.Schedule`: the bars are its final round's
patterns and headcounts (the rows of ``shifts()``), the lines the columns of ``coverage()``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go
import yaml

from callsim.report import html as h
from callsim.report.charts import (
    Chart,
    add_band,
    centres,
    clipped,
    colour,
    legend_text,
    narrow_steps,
    plot_lines,
    plot_text,
    step_axis,
    style,
)
from callsim.report.i18n import Words
from callsim.report.run import (
    goal_text,
    interval_names,
    pct,
    scenario_details,
    target_line,
)
from callsim.report.staffing import agent_steps, count_text
from callsim.report.zoom import share_range
from callsim.scenario.clock import clock
from callsim.version import __version__

if TYPE_CHECKING:  # annotations only: a run's report and results must not import the MILP solver
    from callsim.planning.patterns import Pattern
    from callsim.planning.schedule import Schedule

STATUS_BADGE = {"met": "met", "short": "missed", "iteration cap": "inconclusive"}
"""The badge colour of each status: the goal's verdict colours."""

ROW_PX = 26
"""Height of one shift's row in the Gantt chart: an assumption that leaves room for the
headcount printed on the bar at 12 px."""
GANTT_LABEL, LABEL_LINE_PX = 18, 16
"""Assumption: on a phone a shift's name takes lines of at most 18 character cells (about 120
px of 12 px text, leaving the bars about 200 px), each 16 px high."""
TICKS_WIDE, TICKS_NARROW = 8, 4
"""Assumption: about eight hour labels fit under a desktop chart and four under a phone's
(about 200 px of plot beside the shift names); beyond that, ticks go every 2 or 4 hours."""


def worked(schedule: Schedule) -> list[tuple[Pattern, int]]:
    """The patterns with agents, in the order of ``schedule.shifts()``'s rows."""
    counts = schedule.final.cover.counts
    return [(p, int(n)) for p, n in zip(schedule.patterns, counts, strict=True) if n > 0]


def shift_rows(schedule: Schedule, words: Words) -> list[str]:
    """One label per worked pattern, unique: the same group and hours with the break
    elsewhere is another row, numbered."""
    multi = schedule.scenario.horizon.days > 1
    labels: list[str] = []
    seen: dict[str, int] = {}
    for pattern, _ in worked(schedule):
        label = f"{pattern.group} {clock(pattern.start)}–{clock(pattern.end)}"
        if multi and pattern.day is not None:
            label = f"{words['day_n'].format(day=pattern.day)} {label}"
        seen[label] = seen.get(label, 0) + 1
        labels.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return labels


def break_text(pattern: Pattern, words: Words) -> str:
    parts = []
    for at, length, paid in pattern.breaks:
        span = f"{clock(pattern.start + at)}–{clock(pattern.start + at + length)}"
        parts.append(span if paid else f"{span} ({words['unpaid']})")
    return ", ".join(parts)


def gantt_chart(schedule: Schedule, words: Words) -> Chart:
    """A bar per shift over the hours of its day, coloured by group, the headcount printed on
    it and each break hatched over it."""
    rows = worked(schedule)
    names = shift_rows(schedule, words)
    labels = [plot_text(label) for label in names]
    groups = list(dict.fromkeys(p.group for p, _ in rows))
    fig = go.Figure()
    for g, group in enumerate(groups):
        mine = [k for k, (p, _) in enumerate(rows) if p.group == group]
        text = [
            plot_text(
                " · ".join(
                    [
                        f"{rows[k][0].group} · {rows[k][0].template}",
                        f"{clock(rows[k][0].start)}–{clock(rows[k][0].end)}",
                        words.pair(words["agent_count"], rows[k][1]),
                    ]
                    + (
                        [words.pair(words["breaks"], break_text(rows[k][0], words))]
                        if rows[k][0].breaks
                        else []
                    )
                )
            )
            for k in mine
        ]
        fig.add_trace(
            go.Bar(
                y=[labels[k] for k in mine],
                base=[rows[k][0].start / 60 for k in mine],
                x=[rows[k][0].length / 60 for k in mine],
                orientation="h",
                marker={"color": colour(g)},
                name=legend_text(group),
                text=[str(rows[k][1]) for k in mine],
                textposition="inside",
                insidetextanchor="start",
                textangle=0,
                textfont={"color": "#fff"},
                customdata=text,
                hovertemplate="%{customdata}<extra></extra>",
            )
        )
    spans = [
        (k, p.start + at, length) for k, (p, _) in enumerate(rows) for at, length, _ in p.breaks
    ]
    if spans:
        fig.add_trace(
            go.Bar(
                y=[labels[k] for k, _, _ in spans],
                base=[at / 60 for _, at, _ in spans],
                x=[length / 60 for _, _, length in spans],
                orientation="h",
                marker={
                    "color": "rgba(255,255,255,0.85)",
                    "line": {"color": "#495057", "width": 1},
                    "pattern": {"shape": "/", "fgcolor": "#495057", "size": 6},
                },
                name=plot_text(words["break"]),
                hovertemplate=[
                    plot_text(words.pair(words["break"], f"{clock(at)}–{clock(at + length)}"))
                    + "<extra></extra>"
                    for _, at, length in spans
                ],
            )
        )
    first = min((p.start for p, _ in rows), default=0) // 60
    last = math.ceil(max((p.end for p, _ in rows), default=60) / 60)
    style(fig, height=90 + ROW_PX * max(len(rows), 3), hovermode="closest")
    fig.update_layout(barmode="overlay", bargap=0.25)
    fig.update_yaxes(type="category", autorange="reversed", automargin=True)
    # On a phone each shift's name goes onto lines of its own: on one line a long group name
    # pushed the plot off the chart and was itself cut off at the chart's left edge.
    wrapped = [plot_lines(name, GANTT_LABEL) for name in names]
    heights = [max(ROW_PX, LABEL_LINE_PX * (name.count("<br>") + 1) + 8) for name in wrapped]
    narrow = go.Figure(fig).update_layout(height=90 + sum(heights) + ROW_PX * max(3 - len(rows), 0))
    narrow.update_yaxes(tickmode="array", tickvals=labels, ticktext=wrapped)
    for figure, hours in ((fig, TICKS_WIDE), (narrow, TICKS_NARROW)):
        span = last - first
        step = 1 if span <= hours else 2 if span <= 2 * hours else 4
        ticks = list(range(int(first), int(last) + 1, step))
        figure.update_xaxes(
            tickmode="array",
            tickvals=ticks,
            ticktext=[clock(60 * t) for t in ticks],
            range=[first - 0.25, last + 0.25],
            title_text=plot_text(words["time"]),
        )
    return Chart(
        "schedule_gantt",
        words["chart_schedule_gantt"],
        fig,
        note=words["gantt_note"],
        wide=True,
        narrow=narrow,
    )


def coverage_chart(schedule: Schedule, words: Words) -> Chart:
    """Coverage and the requirement as steps; the requirement as raised only where the loop
    raised it, else it would hide the first under a line of the same values."""
    cov = schedule.coverage()
    labels = interval_names(cov, words)
    series = [("required_scheduled", "s_required", 8, "dash")]
    if not np.allclose(cov["raised_to"], cov["required_scheduled"]):
        series.append(("raised_to", "s_raised", 4, "dot"))
    series.append(("coverage", "s_coverage", 0, "solid"))
    fig = go.Figure()
    agent_steps(fig, cov, series, labels, words)
    style(fig, height=340, hovermode="closest")
    step_axis(fig, labels, words)
    top = max(float(cov[name].max()) for name, *_ in series)
    fig.update_yaxes(title_text=plot_text(words["agents_axis"]), range=[0, 1.1 * top + 0.5])
    return Chart(
        "schedule_coverage",
        words["chart_schedule_coverage"],
        fig,
        note=words["coverage_note"],
        wide=True,
        narrow=narrow_steps(fig, labels, words),
    )


def service_level_chart(schedule: Schedule, words: Words) -> Chart:
    cov = schedule.coverage()
    fig = go.Figure()
    names = interval_names(cov, words)
    add_band(
        fig,
        centres(len(cov)),
        "service_level",
        cov["service_level_mean"].to_numpy(dtype=float),
        cov["service_level_ci_low"].to_numpy(dtype=float),
        cov["service_level_ci_high"].to_numpy(dtype=float),
        name=words.kpi("service_level"),
        words=words,
        colour_hex=colour(0),
        places=names,
    )
    target = schedule.scenario.service_level.target
    target_line(fig, target, words)
    style(fig, height=340, hovermode="closest")
    fig.update_layout(showlegend=False)  # one series: the chart's heading names it
    step_axis(fig, names, words)
    drawn = [
        clipped("service_level", cov[f"service_level_{part}"].to_numpy(dtype=float))
        for part in ("mean", "ci_low", "ci_high")
    ]
    fig.update_yaxes(tickformat=".0%", range=share_range(drawn, [target]))
    return Chart(
        "schedule_service_level",
        words["chart_schedule_service_level"],
        fig,
        note=words["meets_rule"],
        wide=True,
        narrow=narrow_steps(fig, names, words),
    )


def short_intervals(schedule: Schedule, words: Words) -> h.Html:
    """The intervals missing the goal at the end, and why, in the page's words."""
    cov = schedule.coverage()
    names = interval_names(cov, words)
    missed = [k for k, ok in enumerate(cov["meets_goal"]) if not ok]
    if not missed:
        return h.paragraph(words["short_none"], class_="short-none")
    items = []
    for k in missed:
        if cov["shortfall"].iloc[k] > 0:
            reason = words["reason_uncoverable"]
        else:
            reason = words["reason_rounds"].format(rounds=len(schedule.rounds))
        sl = words.number("service_level", cov["service_level_mean"].iloc[k])
        items.append(
            h.tag("li", words["short_item"].format(interval=names[k], sl=sl, reason=reason))
        )
    return h.join(
        [
            h.paragraph(words["short_some"].format(n=len(missed))),
            h.tag("ul", items, class_="short-list"),
        ]
    )


def summary(schedule: Schedule, words: Words) -> h.Html:
    result = schedule.result
    cover = schedule.final.cover
    planned = schedule.planned_cost
    status = schedule.status
    lines: list[h.Content] = [
        h.tag(
            "div",
            [
                h.badge(words[f"status_{status}"], STATUS_BADGE[status]),
                h.tag("span", words.pair(words["goal"], goal_text(schedule.scenario, words))),
            ],
            class_="goal",
            data_status=status,
        ),
    ]
    made = words["schedule_made"].format(
        rounds=len(schedule.rounds),
        agents=int(cover.counts.sum()),
        rows=len(worked(schedule)),
        cost=words.number("staff_cost", planned),
    )
    top: list[h.Content] = [made]
    own = schedule.roster_cost()
    if own is not None and own > 0:
        diff = planned - own
        top.append(
            " "
            + words["roster_compare"].format(
                cost=words.number("staff_cost", own),
                diff=words.difference("staff_cost", diff),
                share=f"{100 * diff / own:+.1f}%",
            )
        )
    lines.append(h.tag("p", h.tag("strong", top), class_="top-line"))
    lines.append(short_intervals(schedule, words))
    sl, cost = result.kpi("service_level"), result.kpi("staff_cost")
    missed = int((~schedule.coverage()["meets_goal"]).sum())
    cards = [
        h.card(
            words.with_currency(words["planned_cost"]),
            words.number("staff_cost", planned),
            [words.pair(words["own_roster"], words.number("staff_cost", own))]
            if own is not None
            else [],
            kpi="planned_cost",
        ),
        h.card(words["schedule_agents"], f"{int(cover.counts.sum()):,}", kpi="agents"),
        h.card(
            words.kpi("service_level"),
            words.number("service_level", sl["mean"]),
            [
                words.pair(
                    words["ci95"], words.interval("service_level", sl["ci_low"], sl["ci_high"])
                ),
                words["target_value"].format(target=pct(schedule.scenario.service_level.target)),
                h.badge(words.goal_verdict(result.verdict), result.verdict),
            ],
            kpi="service_level",
        ),
        h.card(
            words.kpi("staff_cost"),
            words.number("staff_cost", cost["mean"]),
            [
                words.pair(
                    words["ci95"], words.interval("staff_cost", cost["ci_low"], cost["ci_high"])
                )
            ],
            kpi="staff_cost",
        ),
        h.card(
            words["intervals_short"],
            f"{missed} / {len(schedule.coverage())}",
            kpi="intervals_short",
        ),
    ]
    lines.append(h.tag("div", cards, class_="cards"))
    return h.join(lines)


def shifts_table(schedule: Schedule, words: Words) -> h.Html:
    shifts = schedule.shifts()
    head = [
        words["group"],
        words["template"],
        words["day"],
        words["start"],
        words["end"],
        words["breaks"],
        words["agent_count"],
        words.kpi("paid_hours"),
        words.with_currency(words["planned_cost"]),
    ]
    rows = []
    for (pattern, _), (_, row) in zip(worked(schedule), shifts.iterrows(), strict=True):
        day = words["every_day"] if row["day"] == "all" else str(row["day"])
        rows.append(
            [
                h.cell(str(row["group"]), class_="name"),
                h.cell(str(row["template"]), class_="name"),
                day,
                str(row["start"]),
                str(row["end"]),
                break_text(pattern, words) or "–",
                f"{int(row['agents']):,}",
                words.number("paid_hours", row["paid_hours"]),
                words.number("staff_cost", row["cost"]),
            ]
        )
    return h.table(head, rows, class_="shifts", text_columns=2)


def coverage_table(schedule: Schedule, words: Words) -> h.Html:
    cov = schedule.coverage()
    names = interval_names(cov, words)
    head = [
        words["interval"],
        words["required"],
        words["raised_to"],
        words["scheduled"],
        words["uncovered"],
        words.kpi("service_level"),
        words["meets_target"],
    ]
    rows = []
    for k, (_, r) in enumerate(cov.iterrows()):
        rows.append(
            [
                h.cell(names[k], class_="name"),
                count_text(r["required_scheduled"]),
                count_text(r["raised_to"]),
                count_text(r["coverage"]),
                count_text(r["shortfall"]) if r["shortfall"] > 0 else "",
                h.with_ci(
                    words.number("service_level", r["service_level_mean"]),
                    words.interval(
                        "service_level", r["service_level_ci_low"], r["service_level_ci_high"]
                    ),
                ),
                h.cell("✓" if r["meets_goal"] else "✗", class_="flag"),
            ]
        )
    classes = ["" if ok else "short" for ok in cov["meets_goal"]]
    return h.table(head, rows, class_="coverage", row_classes=classes)


def rounds_table(schedule: Schedule, words: Words) -> h.Html:
    head = [
        words["round"],
        words["required_agent_intervals"],
        words.with_currency(words["planned_cost"]),
        words.kpi("service_level"),
        words["intervals_missed"],
        words["agent_intervals_short"],
    ]
    rows = []
    for r in schedule.rounds:
        sl = r.result.kpi("service_level")
        rows.append(
            [
                h.cell(str(r.number), class_="name"),
                count_text(r.requirement.sum()),
                words.number("staff_cost", r.cover.cost + schedule.program.fixed_cost),
                h.with_ci(
                    words.number("service_level", sl["mean"]),
                    words.interval("service_level", sl["ci_low"], sl["ci_high"]),
                ),
                str(int(r.missed.sum())),
                count_text(r.cover.shortfall.sum()),
            ]
        )
    return h.table(head, rows, class_="rounds")


def schedule_page(schedule: Schedule, words: Words) -> str:
    scenario = schedule.scenario
    result = schedule.result
    overrides = yaml.safe_dump(schedule.overrides, sort_keys=False, allow_unicode=True)
    body: list[h.Content] = [
        *h.few_replications(words, result.replications),
        h.section(words["schedule_title"], summary(schedule, words), id_="summary"),
        h.section(
            words["shifts"],
            h.charts([gantt_chart(schedule, words)]),
            shifts_table(schedule, words),
            id_="shifts",
        ),
        h.section(
            words["intervals"],
            h.charts([coverage_chart(schedule, words), service_level_chart(schedule, words)]),
            id_="intervals",
        ),
        h.section(words["coverage_table"], coverage_table(schedule, words), id_="coverage"),
        h.section(words["rounds"], rounds_table(schedule, words), id_="rounds"),
        h.section(
            words["scenario"],
            h.details(words["schedule_yaml"], overrides),
            scenario_details(scenario, words["scenario_yaml"]),
            id_="scenario",
        ),
    ]
    return h.page(
        kind="schedule",
        words=words,
        kind_title=words["schedule_title"],
        title=scenario.name,
        lead=words["schedule_lead"],
        body=body,
        footer=h.provenance(words, __version__, result.seed, result.replications, result.created),
    )
