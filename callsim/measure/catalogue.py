"""Every KPI, declared once: its unit, its words in each report language, which way is better,
and the tables it appears in.

The computation (``callsim.measure.kpis``) returns KPIs by name, and every table, report and
comparison takes its names, words and number formats from here, so a KPI cannot be labelled as
another one, and a test can check that what is computed and what is shown agree with this list.
"""

# ruff: noqa: RUF001 (Chinese text uses full-width punctuation, as it should)

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from callsim.scenario.schema import Scenario

Unit = Literal["count", "pct", "seconds", "hours", "money", "number"]

_FORMATS: dict[Unit, Callable[[float], str]] = {
    "pct": lambda v: f"{100 * v:.1f}%",
    "seconds": lambda v: f"{v:.1f} s",
    "count": lambda v: f"{v:,.1f}" if abs(v) < 100 else f"{v:,.0f}",
    "hours": lambda v: f"{v:,.1f} h",
    "money": lambda v: f"{v:,.0f}",
    "number": lambda v: f"{v:,.2f}",
}
"""How the CLI writes a value of each unit; reports localise the unit words (``report.i18n``)."""

UNIT_RANGES: dict[Unit, tuple[float, float]] = {
    "pct": (0.0, 1.0),
    "count": (0.0, math.inf),
    "seconds": (0.0, math.inf),
    "hours": (0.0, math.inf),
}
"""The values a KPI of these units can take. Money and plain numbers say nothing of their range
(revenue is never negative, net contribution may be; satisfaction lies in 0.2-1.0, a queue is at
least empty), so a KPI of those units declares its ``bounds`` itself."""


@dataclass(frozen=True)
class Kpi:
    name: str
    unit: Unit
    label: str
    label_zh: str
    better: Literal[-1, 0, 1] = 0
    """+1 where more is better, -1 where less is, 0 where neither is (occupancy, offers)."""
    bounds: tuple[float, float] | None = None
    """The lowest and highest value the KPI can take (``math.inf`` where it has no bound); when
    not given, its unit's range (``UNIT_RANGES``)."""

    @property
    def range(self) -> tuple[float, float]:
        if self.bounds is not None:
            return self.bounds
        return UNIT_RANGES.get(self.unit, (-math.inf, math.inf))

    @property
    def groups(self) -> tuple[str, ...]:
        return tuple(g for g, names in GROUPS.items() if self.name in names)

    def format(self, value: float | None) -> str:
        if value is None or math.isnan(value):
            return "–"
        return _FORMATS[self.unit](value)


_KPIS = (
    Kpi("offered", "count", "Calls offered", "呼入量"),
    Kpi("answered", "count", "Answered", "接通量", 1),
    Kpi("abandoned", "count", "Abandoned", "放弃量", -1),
    Kpi("short_abandons", "count", "Short abandons", "短时放弃量"),
    Kpi("balked", "count", "Balked (hung up on the announced wait)", "听到预计等待后挂断量", -1),
    Kpi("waiting_at_end", "count", "Still waiting at end", "结束时仍在排队"),
    Kpi("retrials", "count", "Retrials", "重拨次数"),
    Kpi("repeat_calls", "count", "Repeat calls", "重复来电", -1),
    Kpi("fcr", "pct", "First-contact resolution", "首次解决率", 1),
    Kpi(
        "repeats_per_first_call",
        "number",
        "Repeat calls per first call",
        "每通首次来电的重复来电",
        -1,
        bounds=(0.0, math.inf),
    ),
    Kpi("deflected_calls", "count", "Resolved in self-service (IVR)", "自助语音（IVR）解决量", 1),
    Kpi("ivr_containment", "pct", "IVR containment rate", "IVR 自助解决率", 1),
    Kpi("steered_calls", "count", "Callers steered to self-service", "引导至自助服务的来电"),
    Kpi("service_level", "pct", "Service level", "服务水平", 1),
    Kpi("sl_offered", "pct", "SL: answered ≤ T / offered", "服务水平：T 内接通 / 呼入量", 1),
    Kpi("sl_answered", "pct", "SL: answered ≤ T / answered", "服务水平：T 内接通 / 接通量", 1),
    Kpi(
        "sl_offered_abandons_ok",
        "pct",
        "SL: (answered + abandoned) ≤ T / offered",
        "服务水平：T 内（接通 + 放弃）/ 呼入量",
        1,
    ),
    Kpi(
        "sl_offered_minus_early_abandons",
        "pct",
        "SL: answered ≤ T / (offered − abandoned ≤ T)",
        "服务水平：T 内接通 / （呼入量 − T 内放弃）",
        1,
    ),
    Kpi("asa_s", "seconds", "ASA (answered)", "平均应答速度（已接通）", -1),
    Kpi("mean_wait_s", "seconds", "Mean wait (all)", "平均等待时间（全部）", -1),
    Kpi("p_wait", "pct", "P(wait > 0)", "需等待概率", -1),
    Kpi("abandon_rate", "pct", "Abandonment", "放弃率", -1),
    Kpi("balk_rate", "pct", "Balk rate (per offered)", "听到预计等待后挂断率", -1),
    Kpi("aht_s", "seconds", "AHT", "平均处理时长"),
    Kpi("talk_time_s", "seconds", "Talk time (per answered call)", "通话时长（每接通来电）"),
    Kpi("offer_time_s", "seconds", "Offer time (per answered call)", "推荐时长（每接通来电）"),
    Kpi("wrap_time_s", "seconds", "Wrap-up time (per answered call)", "话后处理时长（每接通来电）"),
    Kpi("offers", "count", "Offers made", "推荐次数"),
    Kpi("offer_rate", "pct", "Offer rate (per answered)", "推荐率（每接通来电）"),
    Kpi("conversions", "count", "Sales", "成交数", 1),
    Kpi("conversion_rate", "pct", "Conversion rate (per offer)", "成交率（每次推荐）", 1),
    Kpi("revenue", "money", "Revenue", "营收", 1, bounds=(0.0, math.inf)),
    Kpi(
        "retention_value",
        "money",
        "Retention value (customer-years the sales keep × their value)",
        "留存价值（成交留住的客户年 × 每客户年价值）",
        1,
        # Negative where a scenario says customers holding more products leave sooner.
        bounds=(-math.inf, math.inf),
    ),
    Kpi(
        "sales_score",
        "number",
        "Value-weighted sales score",
        "价值加权营销得分",
        1,
        bounds=(0.0, math.inf),
    ),
    Kpi(
        "satisfaction",
        "number",
        "Satisfaction (mean, 0.2–1.0)",
        "满意度（均值，0.2–1.0）",
        1,
        bounds=(0.2, 1.0),  # the survey scale's lowest and highest score
    ),
    Kpi("satisfaction_top_box", "pct", "Very satisfied (top box)", "非常满意占比", 1),
    Kpi("mean_queue", "number", "Mean queue", "平均队列长度", -1, bounds=(0.0, math.inf)),
    Kpi("max_queue", "number", "Max queue", "最大队列长度", -1, bounds=(0.0, math.inf)),
    Kpi("occupancy", "pct", "Occupancy (busy / logged in)", "占用率（忙碌 / 在线）"),
    Kpi("utilisation", "pct", "Utilisation (busy / paid)", "利用率（忙碌 / 带薪）"),
    Kpi("staff_cost", "money", "Staff cost", "人力成本", -1, bounds=(0.0, math.inf)),
    Kpi(
        "net_contribution",
        "money",
        "Net contribution (revenue − staff cost)",
        "净贡献（营收 − 人力成本）",
        1,
        bounds=(-math.inf, math.inf),
    ),
    Kpi(
        "net_contribution_with_retention",
        "money",
        "Net contribution with retention (revenue + retention value − staff cost)",
        "含留存的净贡献（营收 + 留存价值 − 人力成本）",
        1,
        bounds=(-math.inf, math.inf),
    ),
    Kpi("selling_hours", "hours", "Agent-hours spent selling (offers)", "推荐所用坐席工时"),
    Kpi(
        "revenue_per_selling_hour",
        "money",
        "Revenue per hour spent selling",
        "按推荐工时计的每小时营收",
        1,
        bounds=(0.0, math.inf),
    ),
    Kpi(
        "revenue_per_logged_in_hour",
        "money",
        "Revenue per logged-in agent-hour",
        "按在线工时计的每小时营收",
        1,
        bounds=(0.0, math.inf),
    ),
    Kpi("switch_on_share", "pct", "Marketing switch on", "营销开关开启占比"),
    Kpi("agent_hours", "hours", "Agent-hours logged in", "坐席在线工时"),
    Kpi("paid_hours", "hours", "Paid hours", "带薪工时"),
    Kpi("overtime_hours", "hours", "Overtime hours", "加班工时", -1),
    Kpi("training_hours", "hours", "Training hours", "培训工时"),
    Kpi(
        "outbound_revenue_per_agent_hour",
        "money",
        "Outbound revenue per hour of calling, all of it selling",
        "外呼每小时营收，外呼工时全部用于销售",
        bounds=(0.0, math.inf),
    ),
    Kpi(
        "sl_interval_sd",
        "pct",
        "Spread of SL across intervals (s.d.)",
        "各时段服务水平离散度（标准差）",
        -1,
    ),
    Kpi("sl_worst_interval", "pct", "Worst interval's SL", "最差时段服务水平", 1),
    Kpi("intervals_meeting_goal", "count", "Intervals meeting the goal", "达标时段数", 1),
    Kpi(
        "intervals_meeting_goal_share",
        "pct",
        "Share of intervals meeting the goal",
        "达标时段占比",
        1,
    ),
    Kpi("days_meeting_goal_share", "pct", "Share of days meeting the goal", "达标天数占比", 1),
    Kpi(
        "occupancy_agent_sd",
        "pct",
        "Spread of occupancy across agents (s.d.)",
        "坐席占用率离散度（标准差）",
    ),
    Kpi("sent_away_at_close", "count", "Told at the close to call back", "闭店时被告知回拨", -1),
    Kpi(
        "calls_again_moved",
        "count",
        "Calls again moved to the next opening",
        "闭店期间的重拨顺延至下次开门",
    ),
    Kpi("calls_again_lost", "count", "Calls again lost in closed hours", "闭店期间丢失的重拨", -1),
    Kpi("agents", "count", "Agents", "坐席人数"),
    Kpi("agents_logged_in", "number", "Agents logged in", "在线坐席数", bounds=(0.0, math.inf)),
    Kpi("agents_paid", "number", "Agents paid", "带薪坐席数", bounds=(0.0, math.inf)),
    Kpi("calls", "count", "Calls handled", "处理来电数"),
    Kpi("busy_h", "hours", "Busy hours", "忙碌工时"),
    Kpi("logged_in_h", "hours", "Hours logged in", "在线工时"),
    Kpi("paid_h", "hours", "Hours paid", "带薪时长"),
    Kpi("overtime_h", "hours", "Hours of overtime", "加班时长", -1),
    Kpi("cost", "money", "Cost", "成本", -1, bounds=(0.0, math.inf)),
    Kpi("first_contacts", "count", "First contacts answered", "首次接通来电"),
    # Routing (``callsim.measure.routing``): calls answered by a group other than their type's
    # primary, and the calls a group answered of types it is not the primary of.
    Kpi("overflowed", "count", "Answered by a backup group", "由后备组接听"),
    Kpi("overflow_share", "pct", "Share answered by a backup group", "后备组接听占比"),
    Kpi("overflow_taken", "count", "Overflow calls taken", "接听的溢出来电"),
    Kpi("overflow_taken_share", "pct", "Share of calls taken as overflow", "溢出来电占接听比"),
    # The standby surge pool (``standby:``) and the KPI window (``window:``): computed only for
    # scenarios that have them (``measure.standby``).
    Kpi("standby_hours", "hours", "Standby hours used", "备岗人员使用工时"),
    Kpi("standby_cost", "money", "Standby cost", "备岗人员成本", -1, bounds=(0.0, math.inf)),
    Kpi("standby_calls", "count", "Calls answered by standby staff", "备岗人员接通量"),
    Kpi("standby_answer_share", "pct", "Share of answered calls by standby staff", "备岗接通占比"),
    Kpi("standby_callups", "count", "Standby call-ups", "备岗召集人次"),
    Kpi("window_offered", "count", "Calls offered in the window", "时段内呼入量"),
    Kpi("window_service_level", "pct", "Service level in the window", "时段内服务水平", 1),
    Kpi("window_abandon_rate", "pct", "Abandonment in the window", "时段内放弃率", -1),
    Kpi("window_asa_s", "seconds", "ASA in the window", "时段内平均应答速度", -1),
    Kpi("headcount", "count", "Headcount", "在岗人数"),
    Kpi("tenured", "count", "Tenured agents", "熟练坐席"),
    Kpi("new_on_phones", "count", "New on phones", "上线新员工"),
    Kpi("in_training", "count", "In training", "培训中"),
    Kpi("vacant", "count", "Empty seats", "空缺岗位", -1),
    Kpi("leavers", "count", "Leavers", "离职", -1),
    Kpi("hires", "count", "Hires", "入职"),
    Kpi("training_paid_hours", "hours", "Paid training hours", "带薪培训工时"),
)
CATALOGUE: dict[str, Kpi] = {k.name: k for k in _KPIS}

_BY_CALLS = (
    "offered",
    "answered",
    "abandoned",
    "short_abandons",
    "balked",
    "waiting_at_end",
    "retrials",
    "repeat_calls",
    "fcr",
    "repeats_per_first_call",
    "deflected_calls",
    "ivr_containment",
    "steered_calls",
    "service_level",
    "sl_offered",
    "sl_answered",
    "sl_offered_abandons_ok",
    "sl_offered_minus_early_abandons",
    "asa_s",
    "mean_wait_s",
    "p_wait",
    "abandon_rate",
    "balk_rate",
    "aht_s",
    "talk_time_s",
    "offer_time_s",
    "wrap_time_s",
    "offers",
    "offer_rate",
    "conversions",
    "conversion_rate",
    "revenue",
    "sales_score",
    "selling_hours",
    "revenue_per_selling_hour",
    "satisfaction",
    "satisfaction_top_box",
    "retention_value",
)
"""What a set of calls gives on its own (``callsim.measure.tables.call_kpis``)."""

_PER_BIN = (
    *_BY_CALLS,
    "mean_queue",
    "max_queue",
    "occupancy",
    "utilisation",
    "staff_cost",
    "net_contribution",
    "revenue_per_logged_in_hour",
    "switch_on_share",
    "net_contribution_with_retention",
)
"""Measured alike for the whole horizon and for each interval."""

_STABILITY = (
    "sl_interval_sd",
    "sl_worst_interval",
    "intervals_meeting_goal",
    "intervals_meeting_goal_share",
    "days_meeting_goal_share",
    "occupancy_agent_sd",
)

_WORKFORCE = (
    "headcount",
    "tenured",
    "new_on_phones",
    "in_training",
    "vacant",
    "leavers",
    "hires",
    "training_paid_hours",
)

GROUPS: dict[str, tuple[str, ...]] = {
    # What a replication computes; the order of the columns in the results files.
    "horizon": (
        *_PER_BIN,
        "agent_hours",
        "paid_hours",
        "overtime_hours",
        "training_hours",
        "outbound_revenue_per_agent_hour",
        "sent_away_at_close",
        "calls_again_moved",
        "calls_again_lost",
        *_STABILITY,
    ),
    "interval": (*_PER_BIN, "agents_logged_in", "agents_paid"),
    "agent": (
        "calls",
        "aht_s",
        "busy_h",
        "logged_in_h",
        "paid_h",
        "overtime_h",
        "occupancy",
        "cost",
        "offers",
        "conversions",
        "revenue",
        "sales_score",
        "first_contacts",
        "fcr",
    ),
    # The slices (``callsim.measure.slices``): the calls' own KPIs by reason and segment, the
    # agents' by group and shift, and a day's like an interval's.
    "by_calls": _BY_CALLS,
    # With routing only: by call type and by agent group (``callsim.measure.routing``).
    "by_call_type": (*_BY_CALLS, "overflowed", "overflow_share"),
    "by_routing_group": ("calls", "occupancy", "overflow_taken", "overflow_taken_share"),
    "by_day": _PER_BIN,
    # Ratios of totals: the mean of the replications' values and the call-weighted ratio differ.
    "ratios": (
        "service_level",
        "sl_offered",
        "sl_answered",
        "sl_offered_abandons_ok",
        "sl_offered_minus_early_abandons",
        "asa_s",
        "mean_wait_s",
        "p_wait",
        "abandon_rate",
        "balk_rate",
        "aht_s",
        "offer_rate",
        "conversion_rate",
        "satisfaction",
        "satisfaction_top_box",
        "occupancy",
        "utilisation",
        "revenue_per_logged_in_hour",
        "revenue_per_selling_hour",
        "talk_time_s",
        "offer_time_s",
        "wrap_time_s",
        "fcr",
        "repeats_per_first_call",
        "ivr_containment",
    ),
    "by_agents": (
        "agents",
        "calls",
        "aht_s",
        "occupancy",
        "busy_h",
        "logged_in_h",
        "paid_h",
        "overtime_h",
        "cost",
        "offers",
        "offer_rate",
        "conversions",
        "conversion_rate",
        "revenue",
        "sales_score",
        "first_contacts",
        "fcr",
    ),
    # What the tables and reports show, in the order they show it.
    "stability": _STABILITY,
    # Events of the closed hours, shown when a line closes and something happened then.
    "closing": ("sent_away_at_close", "calls_again_moved", "calls_again_lost"),
    # Shown where the scenario resolves or deflects calls (undefined or zero elsewhere).
    "resolution": (
        "fcr",
        "repeats_per_first_call",
        "deflected_calls",
        "ivr_containment",
        "steered_calls",
    ),
    # Shown when the expected wait is announced and someone hung up on hearing it.
    "announcement": ("balked", "balk_rate"),
    "headline": (
        "offered",
        "answered",
        "abandoned",
        "retrials",
        "repeat_calls",
        "service_level",
        "asa_s",
        "mean_wait_s",
        "p_wait",
        "abandon_rate",
        "aht_s",
        "talk_time_s",
        "offer_time_s",
        "wrap_time_s",
        "mean_queue",
        "max_queue",
        "occupancy",
        "utilisation",
        "agent_hours",
        "paid_hours",
        "overtime_hours",
        "training_hours",
        "staff_cost",
        "satisfaction",
        "satisfaction_top_box",
    ),
    "service_levels": (
        "sl_offered",
        "sl_answered",
        "sl_offered_abandons_ok",
        "sl_offered_minus_early_abandons",
    ),
    "selling": (
        "offers",
        "offer_rate",
        "conversions",
        "conversion_rate",
        "revenue",
        "sales_score",
        "selling_hours",
        "revenue_per_selling_hour",
        "outbound_revenue_per_agent_hour",
        "revenue_per_logged_in_hour",
        "switch_on_share",
        "net_contribution",
        "retention_value",
        "net_contribution_with_retention",
    ),
    "compare": (
        "service_level",
        "asa_s",
        "abandon_rate",
        "p_wait",
        "occupancy",
        "aht_s",
        "offers",
        "conversions",
        "revenue",
        "staff_cost",
        "net_contribution",
        "satisfaction",
        "satisfaction_top_box",
        "overtime_hours",
        "training_hours",
    ),
    "card": (
        "service_level",
        "asa_s",
        "abandon_rate",
        "occupancy",
        "satisfaction",
        "staff_cost",
        "revenue",
        "net_contribution",
    ),
    "plans_table": ("service_level", "asa_s", "abandon_rate", "staff_cost", "net_contribution"),
    # The comparison's forest plots, shown first; net contribution gives way to staff cost
    # where no plan sells (it is then only the cost, negated).
    "compare_headline": (
        "service_level",
        "abandon_rate",
        "asa_s",
        "net_contribution",
        "occupancy",
    ),
    "sweep_table": (
        "service_level",
        "asa_s",
        "abandon_rate",
        "occupancy",
        "conversions",
        "revenue",
        "staff_cost",
        "net_contribution",
        "satisfaction",
    ),
    # Zero or undefined without products: shown only when a plan sells.
    "needs_products": (
        "offers",
        "offer_rate",
        "conversions",
        "conversion_rate",
        "revenue",
        "sales_score",
        "selling_hours",
        "revenue_per_selling_hour",
        "outbound_revenue_per_agent_hour",
        "revenue_per_logged_in_hour",
    ),
    # Computed only for a scenario with a standby pool, or a KPI window (``measure.standby``).
    "standby": (
        "standby_hours",
        "standby_cost",
        "standby_calls",
        "standby_answer_share",
        "standby_callups",
    ),
    "window": ("window_offered", "window_service_level", "window_abandon_rate", "window_asa_s"),
    # With ``workforce:`` only (``callsim.measure.weekly``): mean counts over the horizon, and
    # the people who left and started in it.
    "workforce": _WORKFORCE,
    # By week, for horizons of two weeks or more and scenarios with a workforce: a week's
    # KPIs like an interval's, and its workforce's.
    "by_week": (*_PER_BIN, *_WORKFORCE),
    # Undefined without a retention section: shown only when a plan has one.
    "needs_retention": ("retention_value", "net_contribution_with_retention"),
}
"""Each table's KPIs in the order it shows them. The orders differ between tables (the CLI puts
staff cost after the hours, the results files before them), so a group is a list of names, not a
flag on the entries."""


def entry(name: str) -> Kpi:
    try:
        return CATALOGUE[name]
    except KeyError:
        raise KeyError(f"{name!r} is not in the KPI catalogue") from None


def kpis_in(group: str) -> tuple[str, ...]:
    return GROUPS[group]


def label(name: str, lang: str = "en") -> str:
    kpi = entry(name)
    return kpi.label_zh if lang == "zh" else kpi.label


def unit(name: str) -> Unit:
    return entry(name).unit


def better(name: str) -> int:
    return entry(name).better


def fmt(name: str, value: float | None) -> str:
    return entry(name).format(value)


def value_range(name: str) -> tuple[float, float]:
    return entry(name).range


def clip_interval(name: str, low: float, high: float) -> tuple[float, float]:
    """A confidence interval within the values the KPI can take (its ``range``): a symmetric
    interval over few replications runs past them, and no planner should read a share of
    -3% or a satisfaction above the scale's top."""
    lowest, highest = value_range(name)
    return min(max(low, lowest), highest), min(max(high, lowest), highest)


def extra_kpis(scenario: Scenario) -> tuple[str, ...]:
    """The horizon KPIs beyond the ``horizon`` group this scenario computes: its standby
    pool's, its KPI window's and its workforce's."""
    extra: tuple[str, ...] = ()
    if scenario.standby is not None:
        extra += kpis_in("standby")
    if scenario.window is not None:
        extra += kpis_in("window")
    if scenario.workforce is not None:
        extra += kpis_in("workforce")
    return extra
