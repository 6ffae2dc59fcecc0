"""Words and numbers of the reports, in English and Simplified Chinese.

Kept apart from the page code so a translator can work on one file, and so a test can check that
every key has a word in every language (a missing word would show up as an English label in a
Chinese report, which planners read as a bug). KPI names are translated in the KPI catalogue
(``callsim.measure.catalogue``), beside the rest of each KPI's definition.
"""

# ruff: noqa: RUF001 (Chinese text uses full-width punctuation, as it should)

from __future__ import annotations

import math
from dataclasses import dataclass, field

from callsim.measure.catalogue import clip_interval, unit
from callsim.measure.money import MoneyTerms, money_label

LANGS = ("en", "zh")

EN: dict[str, str] = {
    # Titles and sections
    "run_title": "Simulation report",
    "compare_title": "Plan comparison",
    "sweep_title": "Parameter sweep",
    "headline": "Headline KPIs against the goal",
    "goal": "Service-level goal",
    "goal_text": "{target} of calls answered within {threshold} s",
    "definition": "Definition",
    "verdict_met": "Goal met",
    "verdict_missed": "Goal missed",
    "verdict_inconclusive": "Inconclusive",
    "verdict_note": (
        "Judged on the whole 95% confidence interval: met if its lower end reaches the target, "
        "missed if its upper end falls short, inconclusive otherwise (run more replications)."
    ),
    "few_replications": (
        "{n} replication(s) are too few for a meaningful 95% confidence interval: the intervals "
        "and verdicts below are rough. Run {min} or more for figures to rely on."
    ),
    "ci95": "95% CI",
    "mean": "Mean",
    "kpi": "KPI",
    "target": "Target",
    "target_value": "target {target}",
    "top_box": "very satisfied",
    "all_kpis": "All KPIs, whole horizon",
    "call_weighted": "Call-weighted",
    "call_weighted_note": (
        "Mean: each replication's own value, averaged (each simulated day counts once). "
        "Call-weighted: the counts of all replications pooled first (every call counts once, "
        "as in a monthly report), with a jackknife 95% interval."
    ),
    "group_stability": "How even, and how often the goal held",
    "slices": "By reason, segment, group, shift, day and week",
    "slice_reason": "By call reason",
    "slice_segment": "By customer segment",
    "slice_group": "By agent group",
    "slice_shift": "By shift",
    "slice_day": "By day",
    "slice_week": "By week",
    "group_service": "Service and staff",
    "group_sl": "Service level under every definition",
    "group_selling": "Selling",
    "intervals": "Per interval",
    "band_note": (
        "Lines are means over replications; shaded bands are 95% confidence intervals, drawn "
        "within the range the measure can take."
    ),
    "selling": "Selling",
    # Chart titles
    "chart_service_level": "Service level",
    "chart_asa": "Average speed of answer",
    "chart_abandonment": "Abandonment",
    "chart_occupancy": "Occupancy",
    "chart_offers_conversions": "Offers and sales",
    "chart_revenue": "Revenue and staff cost",
    "chart_agent_scores": "Value-weighted sales score per agent",
    "chart_group_scores": "Value-weighted sales score per agent, by group (mean)",
    "chart_compare_kpis": "KPIs by plan",
    "chart_differences": "Paired difference to the baseline",
    "chart_plans_service_level": "Service level per interval, by plan",
    "chart_frontier": "Service level against net contribution",
    # Axes and legends
    "interval_start": "Interval start",
    "time": "Time",
    "agents_axis": "Agents",
    "seconds": "Seconds",
    "callers": "Callers",
    "agent": "Agent",
    "group": "Group",
    "agent_count": "Agents",
    "score": "Score",
    "score_per_agent": "Score per agent",
    "points_all": "All points",
    "points_frontier": "Frontier",
    "points_best": "Best",
    "day_clock": "D{day} {clock}",
    # Units
    "unit_s": "s",
    "unit_h": "h",
    "unit_pp": "pp",
    # Compare
    "baseline": "Baseline",
    "plans": "Plans",
    "plan": "Plan",
    "value": "Value",
    "difference": "Difference to baseline",
    "paired_ci": "Paired 95% CI",
    "unpaired_ci": "Unpaired 95% CI",
    "verdict": "Verdict",
    "goal_verdict": "Service-level goal",
    "differences_table": "Differences to the baseline",
    "paired_note": (
        "Every plan met the same callers replication by replication (common random numbers), so "
        "the paired interval of a difference is much narrower than the unpaired one, shown for "
        "reference. A verdict needs the paired interval to exclude zero."
    ),
    "diff_colour_note": (
        "Green: better than the baseline; red: worse; blue: higher or lower where neither is "
        "better; grey: no significant difference. Differences of shares are in percentage points."
    ),
    "v_baseline": "baseline",
    "v_better": "better",
    "v_worse": "worse",
    "v_no significant difference": "no significant difference",
    "v_higher": "higher",
    "v_lower": "lower",
    # Sweep
    "swept": "Swept parameters",
    "points": "Points",
    "values": "Values",
    "points_table": "All points",
    "frontier": "Frontier",
    "best": "Best",
    "yes": "yes",
    "best_text": "Best point meeting the goal (highest net contribution): {point}",
    "no_best": "No point meets the service-level goal.",
    "pick_confident": (
        "A point meets the goal when the lower end of its service level's 95% confidence "
        "interval reaches the target: the rule of every verdict."
    ),
    "pick_mean": (
        "Picked by the mean: a point meets the goal when its mean service level reaches the "
        "target, so the best point's interval may still reach below it."
    ),
    "best_at_risk": (
        "The best point's verdict is not met: its interval reaches below the target, so the "
        "plan may miss the goal. Run more replications, or pick by the confidence interval."
    ),
    "frontier_note": (
        "A point is on the frontier when no other point has both a higher service level and a "
        "higher net contribution. Bars are 95% confidence intervals; the dashed line is the "
        "service-level target."
    ),
    # Staffing requirement
    "staff_title": "Staffing requirement",
    "staff_lead": (
        "Agents required per interval by simulation (the iterative staffing algorithm), beside "
        "per-interval Erlang"
    ),
    "staff_target": "Target in every interval",
    "target_asa": "mean wait of answered calls (ASA) at most {value}",
    "target_abandon": "at most {value} of callers abandon",
    "target_p_wait": "at most {value} of callers wait at all",
    "isa_converged": (
        "The iterative staffing algorithm converged after {n} iteration(s): no interval's "
        "proposal is more than one agent from the staffing simulated."
    ),
    "isa_cycle": (
        "The iterative staffing algorithm stopped at a cycle after {n} iteration(s) (it would go "
        "round the same staffings for ever); each interval keeps the cycle's largest staffing."
    ),
    "isa_max_iterations": (
        "The iterative staffing algorithm reached its limit of {n} iteration(s) without "
        "converging: the requirement may still be more than one agent off."
    ),
    "isa_meets": (
        "{met} of {total} intervals meet the target by the simulated mean with this staffing."
    ),
    "hours_isa": "Agent-hours on the phones, ISA",
    "hours_erlang": "Agent-hours on the phones, Erlang",
    "vs_erlang": "Against Erlang",
    "hours_scheduled": "Scheduled hours, ISA",
    "hours_planned": "Scheduled hours of the scenario's roster",
    "after_shrinkage": "after shrinkage of {shrinkage}",
    "simulated_isa": "simulated with the ISA staffing",
    "on_phones_note": (
        "On the phones: agents taking calls, what both methods size. Scheduled: the agents to "
        "roster so that, after shrinkage of {shrinkage} (meetings, coaching, absence), that many "
        "are on the phones. Erlang sizes each interval as a steady queue of its own; the ISA "
        "simulates the whole day, with its peaks carried over, patience, retrials and selling."
    ),
    "s_isa_on": "ISA, on the phones",
    "s_erlang_on": "Erlang, on the phones",
    "s_isa_scheduled": "ISA, scheduled",
    "s_planned": "Scenario's roster, scheduled",
    "chart_staff_agents": "Agents required per interval",
    "chart_staff_target": "Simulated per interval with the ISA staffing: {kpi}",
    "interval": "Interval",
    "forecast_calls": "Calls (forecast)",
    "load": "Load (Erlangs)",
    "meets_target": "Meets the target",
    "requirement_table": "Requirement per interval",
    # Schedule
    "schedule_title": "Shift schedule",
    "schedule_lead": (
        "Shifts built from the scenario's templates by integer programming, checked by simulation"
    ),
    "status_met": "Every interval meets the goal",
    "status_short": "Some intervals cannot be met with these templates and limits",
    "status_iteration cap": "The round limit was reached with intervals still short",
    "schedule_made": (
        "After {rounds} round(s): {agents} agents on {rows} shift row(s), planned cost {cost}."
    ),
    "roster_compare": (
        "The scenario's own roster, at the same costs per hour, costs {cost}: the schedule "
        "differs by {diff} ({share})."
    ),
    "short_none": "No interval is short of the goal.",
    "short_some": "{n} interval(s) short of the goal:",
    "short_item": "{interval} ({sl}): {reason}",
    "reason_uncoverable": "the templates and limits cannot cover it",
    "reason_rounds": "still short after {rounds} round(s)",
    "meets_rule": (
        "An interval meets the goal when its service level, averaged over the replications, "
        "reaches the target (one interval's interval over few replications is too wide to "
        "staff for its lower end); the band shows the 95% confidence interval."
    ),
    "planned_cost": "Planned cost",
    "schedule_agents": "Scheduled agents",
    "intervals_short": "Intervals short",
    "chart_schedule_gantt": "Shifts over the day",
    "chart_schedule_coverage": "Scheduled agents against the requirement",
    "chart_schedule_service_level": "Simulated service level per interval",
    "s_required": "Requirement",
    "s_raised": "Requirement as raised by the loop",
    "s_coverage": "Scheduled (on shift, not on a break)",
    "break": "Break",
    "unpaid": "unpaid",
    "gantt_note": ("One bar per shift; the number on a bar is its agents; hatched: breaks."),
    "coverage_note": (
        "Agents on shift and not on a break, before shrinkage, as the requirement counts them. "
        "The loop raises the requirement where the simulated schedule misses the goal."
    ),
    "shifts": "Shifts",
    "template": "Template",
    "day": "Day",
    "start": "Start",
    "end": "End",
    "breaks": "Breaks",
    "every_day": "every day",
    "list_sep": ", ",
    "day_n": "D{day}",
    "own_roster": "Scenario's own roster",
    "coverage_table": "Coverage per interval",
    "required": "Required",
    "raised_to": "Raised to",
    "scheduled": "Scheduled",
    "uncovered": "Uncovered",
    "rounds": "Rounds of the loop",
    "round": "Round",
    "required_agent_intervals": "Required agent-intervals",
    "intervals_missed": "Intervals missed",
    "agent_intervals_short": "Agent-intervals uncovered",
    "schedule_yaml": "What schedule.yaml writes over the scenario (YAML)",
    # Staffing and selling plan
    "plan_title": "Staffing and selling plan",
    "plan_lead": (
        "Each candidate selling policy staffed for the goal by simulation, then all compared on "
        "common random numbers"
    ),
    "plan_best": "Best policy: {best}, with a net contribution of {net} ({ci}).",
    "plan_best_diff": (
        "Against the baseline {baseline}: {diff} (paired 95% CI {interval}), {verdict}."
    ),
    "plan_best_is_baseline": (
        "It is the baseline itself: no other candidate meeting the goal earns more."
    ),
    "plan_no_best": "No candidate meets the service-level goal at its staffing.",
    "plan_more_not_met": "Earn more by the mean but do not meet the goal: {names}.",
    "plan_rule": (
        "The best candidate earns the most net contribution among those whose service-level "
        "verdict is met (the lower end of its 95% confidence interval reaches the target). Each "
        "is staffed for itself: selling lengthens calls, so a policy that sells more needs more "
        "agents to keep the goal."
    ),
    "chart_plan_net": "Net contribution at goal-meeting staffing",
    "chart_plan_money": "Staff cost and revenue at that staffing",
    "chart_plan_staffing": "Scheduled agents per interval, by candidate",
    "r_best": "Best",
    "r_met": "Meets the goal",
    "r_not_met": "Goal not met with confidence",
    "plan_net_note": (
        "Bars: means; whiskers: 95% confidence intervals. The best candidate is starred, the "
        "baseline named below its bar."
    ),
    "candidates": "Candidates",
    "candidate": "Candidate",
    "policy_kind": "Policy",
    "staffing": "Staffing",
    "staffing_shifts": "shifts",
    "staffing_per interval": "per interval",
    "net_diff": "Net contribution against the baseline",
    # Scenario and provenance
    "scenario": "Scenario",
    "scenario_yaml": "Scenario (YAML)",
    "base_scenario_yaml": "Base scenario (YAML)",
    "plan_yaml": "Scenario of plan {plan} (YAML)",
    "provenance": "Provenance",
    "version": "callsim version",
    "seed": "Seed",
    "replications": "Replications",
    "created": "Created (UTC)",
    # run page (issue 13)
    "goal_sentence": (
        "{verdict} {goal} {how} (CI {ci}); {days_met} of {days} simulated days and "
        "{intervals_met} of {intervals} intervals met it"
    ),
    "sentence_met": "Met",
    "sentence_missed": "Missed",
    "sentence_inconclusive": "Inconclusive on",
    "sentence_replication_mean": "on average",
    "sentence_call_weighted": "call-weighted",
    "often": "How often the goal held",
    "by_slice": "Service by customer segment and call reason",
    "chart_offered": "Calls offered",
    "chart_staffing": "Agents required, scheduled and logged in",
    "staffing_note": (
        "Required: each interval sized by Erlang as a steady queue of its own (Erlang A with "
        "the callers' patience, C when nobody hangs up), on the phones and scheduled (with "
        "shrinkage). Scheduled: agents paid; logged in: simulated, with its 95% band."
    ),
    "required_erlang": "Required on the phones (Erlang)",
    "required_scheduled": "Required scheduled (with shrinkage)",
    "scheduled_paid": "Scheduled (paid)",
    "logged_in": "Logged in (simulated)",
    "chart_queue_mean_max": "Queue length: mean and max callers waiting",
    "status_note": (
        "Marks: green where the interval's 95% CI lies above the target, amber where only its "
        "mean does, red where its mean falls short."
    ),
    "status": "Status",
    "rag_met": "Met",
    "rag_close": "Met on average",
    "rag_short": "Short",
    "interval_table": "Every interval: calls, agents, service level",
    "chart_sl_spread": "Service level of each replication",
    "spread_note": (
        "One point per replication: the spread of outcomes from one simulated period to the "
        "next, which the confidence interval of the mean, much narrower, is not."
    ),
    "day_met": "Met the goal",
    "day_short": "Missed the goal",
    "replication_n": "Replication {n}",
    "replication_axis": "Simulated day (replication)",
    "replication_axis_days": "Replication ({days} days each)",
    "slice_kind_segment": "Segment",
    "slice_kind_reason": "Reason",
    "chart_service_level_by_slice": "Service level by customer segment and call reason",
    "chart_asa_s_by_slice": "ASA by customer segment and call reason",
    "chart_switch_signal": "Marketing switch over the load signal it follows",
    "switch_signal_note": (
        "Line: the signal per interval, mean over replications; shaded: when the switch was on "
        "in the first replication; dashed: the levels that turn it on and off."
    ),
    "signal_queue": "Callers waiting",
    "signal_idle_agents": "Idle agents",
    "signal_service_level": "Service level",
    "signal_expected_wait_s": "Mean wait (s)",
    "switch_on_at": "on at {value}",
    "switch_off_at": "off at {value}",
    "switch_on_period": "Switch on (first replication)",
    "chart_wait_distribution": "Wait-time distribution: share of calls answered within t",
    "answered_within": "Answered within t (of calls offered)",
    "within_s": "within {t} s",
    "goal_point": "Goal {goal}",
    "wait_axis": "Wait t",
    "chart_products": "Offers and sales per product",
    "product": "Product",
    "wait_note": (
        "Each point is the service level with that threshold (answered within t over calls "
        "offered), mean over replications with its 95% band; the cross marks the goal."
    ),
    # comparison page (issue 13)
    "compare_page": "Comparison",
    "compare_lead": "{n} plans against the baseline, {baseline}",
    "recommended": "recommended",
    "forest_title": "{kpi}: difference to the baseline",
    "forest_axis": "Paired difference to the baseline",
    "forest_note": (
        "A mark per plan: its mean difference to the baseline over the same callers, and the "
        "bar its paired 95% CI; a bar across the zero line is no significant difference. "
        "Green: better; red: worse; blue: higher or lower where neither is better; grey: no "
        "significant difference. ★ marks the recommended plan."
    ),
    "headline_differences": "Headline KPIs: paired difference to the baseline",
    "all_differences": "All {n} compared KPIs, plan by plan",
    "sl_plans_note": (
        "The baseline and the recommended plan are drawn; click a plan in the legend to add it. "
        "Lines: means; shading: 95% CI; the dashed line is the target."
    ),
    "sweep_best": (
        "Best point {point}: the most net contribution among points meeting the {goal} goal "
        "({rule}): {net} (95% CI {net_ci}); service level {sl} (95% CI {sl_ci}), {verdict}."
    ),
    "sweep_none": (
        "No point meets the {goal} goal ({rule}); the nearest, by service level, is {point}: "
        "{sl} (95% CI {sl_ci}), {verdict}."
    ),
    "sweep_rule_confident": "its CI's lower end at the target",
    "sweep_rule_mean": "judged by the mean alone",
    "staff_verdict": (
        "The ISA staffing schedules {hours} agent-hours ({vs_erlang} h on the phones against "
        "Erlang's) for the target {target}; simulated, {met} of {total} intervals meet it; over "
        "the day, {kpi}: {value} (95% CI {ci}), {verdict}."
    ),
    "tv_met": "met",
    "tv_missed": "missed",
    "tv_inconclusive": "inconclusive",
}

ZH: dict[str, str] = {
    "run_title": "仿真报告",
    "compare_title": "方案比较",
    "sweep_title": "参数扫描",
    "headline": "核心指标与目标对照",
    "goal": "服务水平目标",
    "goal_text": "{target} 的来电在 {threshold} 秒内接通",
    "definition": "口径",
    "verdict_met": "达标",
    "verdict_missed": "未达标",
    "verdict_inconclusive": "无法判定",
    "verdict_note": (
        "按整个 95% 置信区间判定：下限达到目标为达标，上限低于目标为未达标，"
        "否则无法判定（请增加重复次数）。"
    ),
    "few_replications": (
        "仅有 {n} 次重复，不足以得出有意义的 95% 置信区间：以下区间和结论都很粗略。"
        "请至少运行 {min} 次重复，结果才可依据。"
    ),
    "ci95": "95% 置信区间",
    "mean": "均值",
    "kpi": "指标",
    "target": "目标",
    "target_value": "目标 {target}",
    "top_box": "非常满意",
    "all_kpis": "全部指标（整个时段）",
    "call_weighted": "按来电加权",
    "call_weighted_note": (
        "均值：各次重复模拟各自的值取平均（每个模拟日计一次）。按来电加权：先汇总全部重复模拟的"
        "计数（每通来电计一次，与月度报表相同），并给出刀切法 95% 置信区间。"
    ),
    "group_stability": "均衡程度与达标频率",
    "slices": "按来电原因、客户分群、坐席组、班次、日期和周",
    "slice_reason": "按来电原因",
    "slice_segment": "按客户分群",
    "slice_group": "按坐席组",
    "slice_shift": "按班次",
    "slice_day": "按日期",
    "slice_week": "按周",
    "group_service": "服务与人力",
    "group_sl": "各口径下的服务水平",
    "group_selling": "营销",
    "intervals": "分时段",
    "band_note": "线为各次重复的均值；阴影为 95% 置信区间，并限制在该指标可取的范围内。",
    "selling": "营销",
    "chart_service_level": "服务水平",
    "chart_asa": "平均应答速度",
    "chart_abandonment": "放弃率",
    "chart_occupancy": "占用率",
    "chart_offers_conversions": "推荐与成交",
    "chart_revenue": "营收与人力成本",
    "chart_agent_scores": "各坐席价值加权营销得分",
    "chart_group_scores": "各坐席组人均价值加权营销得分",
    "chart_compare_kpis": "各方案指标",
    "chart_differences": "与基准方案的配对差异",
    "chart_plans_service_level": "各方案分时段服务水平",
    "chart_frontier": "服务水平与净贡献",
    "interval_start": "时段开始",
    "time": "时间",
    "agents_axis": "坐席数",
    "seconds": "秒",
    "callers": "排队人数",
    "agent": "坐席",
    "group": "坐席组",
    "agent_count": "坐席数",
    "score": "得分",
    "score_per_agent": "人均得分",
    "points_all": "全部参数点",
    "points_frontier": "有效前沿",
    "points_best": "最优",
    "day_clock": "第{day}天 {clock}",
    "unit_s": "秒",
    "unit_h": "小时",
    "unit_pp": "个百分点",
    "baseline": "基准方案",
    "plans": "方案",
    "plan": "方案",
    "value": "数值",
    "difference": "与基准方案之差",
    "paired_ci": "配对 95% 置信区间",
    "unpaired_ci": "非配对 95% 置信区间",
    "verdict": "结论",
    "goal_verdict": "服务水平目标",
    "differences_table": "与基准方案的差异",
    "paired_note": (
        "各方案在每次重复中面对相同的来电（公共随机数），因此差异的配对置信区间远窄于"
        "仅供参考的非配对区间。只有配对区间不含零时才给出优劣结论。"
    ),
    "diff_colour_note": (
        "绿色：优于基准；红色：劣于基准；蓝色：无优劣之分的升高或降低；灰色：无显著差异。"
        "比例类指标的差异以百分点表示。"
    ),
    "v_baseline": "基准",
    "v_better": "更好",
    "v_worse": "更差",
    "v_no significant difference": "无显著差异",
    "v_higher": "更高",
    "v_lower": "更低",
    "swept": "扫描参数",
    "points": "参数点数",
    "values": "取值",
    "points_table": "全部参数点",
    "frontier": "有效前沿",
    "best": "最优",
    "yes": "是",
    "best_text": "达到目标且净贡献最高的参数点：{point}",
    "no_best": "没有参数点达到服务水平目标。",
    "pick_confident": (
        "服务水平 95% 置信区间的下限达到目标，即视为该参数点达标：与所有结论的判定规则相同。"
    ),
    "pick_mean": (
        "按均值选取：服务水平均值达到目标即视为该参数点达标，因此最优参数点的置信区间"
        "仍可能有一部分低于目标。"
    ),
    "best_at_risk": (
        "最优参数点的结论并非达标：其置信区间有一部分低于目标，该方案可能达不到目标。"
        "请增加重复次数，或改按置信区间选取。"
    ),
    "frontier_note": (
        "若没有其他参数点的服务水平和净贡献同时更高，该点即位于有效前沿上。"
        "误差线为 95% 置信区间；虚线为服务水平目标。"
    ),
    "staff_title": "人力需求",
    "staff_lead": "按仿真（迭代人力算法）求得的分时段所需坐席数，并与分时段 Erlang 结果对照",
    "staff_target": "每个时段的目标",
    "target_asa": "已接通来电的平均等待时间（平均应答速度）不超过 {value}",
    "target_abandon": "放弃的来电不超过 {value}",
    "target_p_wait": "需要排队的来电不超过 {value}",
    "isa_converged": (
        "迭代人力算法经 {n} 次迭代后收敛：各时段的建议人数与仿真所用人数相差均不超过 1 人。"
    ),
    "isa_cycle": (
        "迭代人力算法经 {n} 次迭代后进入循环（会在相同的人数方案之间反复）；"
        "各时段取循环中最大的人数。"
    ),
    "isa_max_iterations": (
        "迭代人力算法达到 {n} 次迭代上限仍未收敛：所需人数的偏差可能仍超过 1 人。"
    ),
    "isa_meets": "按此人数仿真，{total} 个时段中有 {met} 个的均值达到目标。",
    "hours_isa": "在线坐席工时（ISA）",
    "hours_erlang": "在线坐席工时（Erlang）",
    "vs_erlang": "与 Erlang 相比",
    "hours_scheduled": "排班工时（ISA）",
    "hours_planned": "场景现有排班工时",
    "after_shrinkage": "计入 {shrinkage} 的缩减",
    "simulated_isa": "按 ISA 人数仿真",
    "on_phones_note": (
        "在线：实际接听来电的坐席数，即两种方法求得的人数。排班：计入 {shrinkage} 的缩减"
        "（会议、辅导、缺勤）后，为保证该在线人数所需排班的坐席数。Erlang 把每个时段当作各自"
        "独立的稳态排队来计算；ISA 对全天进行仿真，计入高峰的延续、客户耐心、重拨和营销。"
    ),
    "s_isa_on": "ISA（在线）",
    "s_erlang_on": "Erlang（在线）",
    "s_isa_scheduled": "ISA（排班）",
    "s_planned": "场景现有排班（排班）",
    "chart_staff_agents": "分时段所需坐席数",
    "chart_staff_target": "按 ISA 人数仿真的分时段结果：{kpi}",
    "interval": "时段",
    "forecast_calls": "预测来电数",
    "load": "话务量（Erlang）",
    "meets_target": "达到目标",
    "requirement_table": "分时段需求",
    "schedule_title": "排班方案",
    "schedule_lead": "按场景的班次模板以整数规划生成班次，并经仿真检验",
    "status_met": "所有时段均达标",
    "status_short": "部分时段在现有模板和人数限制下无法达标",
    "status_iteration cap": "已达轮数上限，仍有时段未达标",
    "schedule_made": "共 {rounds} 轮：{rows} 个班次共 {agents} 名坐席，计划成本 {cost}。",
    "roster_compare": "场景现有排班按相同小时成本计为 {cost}：本方案与之相差 {diff}（{share}）。",
    "short_none": "没有未达标的时段。",
    "short_some": "{n} 个时段未达标：",
    "short_item": "{interval}（{sl}）：{reason}",
    "reason_uncoverable": "现有模板和人数限制无法覆盖",
    "reason_rounds": "经 {rounds} 轮后仍未达标",
    "meets_rule": (
        "某时段服务水平在各次重复中的均值达到目标，即视为该时段达标（重复次数较少时单个时段的"
        "置信区间过宽，不宜按其下限配置人力）；阴影为 95% 置信区间。"
    ),
    "planned_cost": "计划成本",
    "schedule_agents": "排班坐席数",
    "intervals_short": "未达标时段",
    "chart_schedule_gantt": "班次时间分布",
    "chart_schedule_coverage": "排班人数与需求对照",
    "chart_schedule_service_level": "分时段仿真服务水平",
    "s_required": "需求",
    "s_raised": "循环上调后的需求",
    "s_coverage": "排班（在班且不在休息）",
    "break": "休息",
    "unpaid": "无薪",
    "gantt_note": "每条为一个班次，条上数字为坐席数；斜线部分为休息。",
    "coverage_note": (
        "在班且不在休息的坐席数，与需求一样按缩减前计。仿真结果未达标的时段，循环会上调其需求。"
    ),
    "shifts": "班次",
    "template": "模板",
    "day": "日期",
    "start": "开始",
    "end": "结束",
    "breaks": "休息",
    "every_day": "每天",
    "list_sep": "、",
    "day_n": "第{day}天",
    "own_roster": "场景现有排班",
    "coverage_table": "分时段覆盖",
    "required": "需求",
    "raised_to": "上调至",
    "scheduled": "排班",
    "uncovered": "未覆盖",
    "rounds": "循环各轮",
    "round": "轮次",
    "required_agent_intervals": "需求（坐席·时段）",
    "intervals_missed": "未达标时段数",
    "agent_intervals_short": "未覆盖（坐席·时段）",
    "schedule_yaml": "schedule.yaml 覆盖到场景上的内容（YAML）",
    "plan_title": "人力与营销方案",
    "plan_lead": "每个候选营销策略先按仿真配置满足目标的人力，再以公共随机数一同比较",
    "plan_best": "最优策略：{best}，净贡献 {net}（{ci}）。",
    "plan_best_diff": (
        "与基准方案 {baseline} 相比：{diff}（配对 95% 置信区间 {interval}），{verdict}。"
    ),
    "plan_best_is_baseline": "它即为基准方案：没有其他达标的候选策略净贡献更高。",
    "plan_no_best": "没有候选策略在其人力配置下达到服务水平目标。",
    "plan_more_not_met": "均值上净贡献更高但未达标：{names}。",
    "plan_rule": (
        "最优候选为服务水平结论为达标（95% 置信区间下限达到目标）者中净贡献最高的一个。"
        "每个候选策略各自配置人力：营销会延长通话，营销越多的策略需要越多坐席才能保持目标。"
    ),
    "chart_plan_net": "达标人力下的净贡献",
    "chart_plan_money": "该人力下的人力成本与营收",
    "chart_plan_staffing": "各候选策略分时段排班人数",
    "r_best": "最优",
    "r_met": "达标",
    "r_not_met": "未确定达标",
    "plan_net_note": "柱为均值，误差线为 95% 置信区间。最优候选以星号标出，基准方案在柱下注明。",
    "candidates": "候选策略",
    "candidate": "候选策略",
    "policy_kind": "策略类型",
    "staffing": "人力配置",
    "staffing_shifts": "班次",
    "staffing_per interval": "分时段人数",
    "net_diff": "净贡献与基准之差",
    "scenario": "场景",
    "scenario_yaml": "场景（YAML）",
    "base_scenario_yaml": "基础场景（YAML）",
    "plan_yaml": "方案 {plan} 的场景（YAML）",
    "provenance": "来源信息",
    "version": "callsim 版本",
    "seed": "随机种子",
    "replications": "重复次数",
    "created": "生成时间（UTC）",
    # run page (issue 13)
    "goal_sentence": (
        "{verdict} {goal} 目标（{how}，置信区间 {ci}）；{days} 个模拟日中 {days_met} 个达标，"
        "{intervals} 个时段中 {intervals_met} 个达标"
    ),
    "sentence_met": "达成",
    "sentence_missed": "未达成",
    "sentence_inconclusive": "无法判定是否达成",
    "sentence_replication_mean": "按均值",
    "sentence_call_weighted": "按来电加权",
    "often": "目标达成的频率",
    "by_slice": "按客户分群与来电原因的服务",
    "chart_offered": "呼入量",
    "chart_staffing": "所需、排班与在线坐席数",
    "staffing_note": (
        "所需：每个时段按 Erlang 公式单独作为稳态队列计算（有放弃时用 Erlang A，无放弃时用 "
        "Erlang C），分为在线所需与排班所需（含缩减）。排班：带薪坐席；"
        "在线：仿真结果及其 95% 区间。"
    ),
    "required_erlang": "所需在线坐席（Erlang）",
    "required_scheduled": "所需排班（含缩减）",
    "scheduled_paid": "排班（带薪）",
    "logged_in": "在线（仿真）",
    "chart_queue_mean_max": "队列长度：平均与最大排队人数",
    "status_note": (
        "标记：绿色为该时段 95% 置信区间高于目标，琥珀色为仅均值达标，红色为均值未达标。"
    ),
    "status": "状态",
    "rag_met": "达标",
    "rag_close": "均值达标",
    "rag_short": "未达标",
    "interval_table": "各时段明细：来电、坐席、服务水平",
    "chart_sl_spread": "每次重复的服务水平",
    "spread_note": (
        "每点为一次重复：反映各模拟周期之间结果的波动，而均值的置信区间（窄得多）并不反映这一点。"
    ),
    "day_met": "达标",
    "day_short": "未达标",
    "replication_n": "第 {n} 次重复",
    "replication_axis": "模拟日（重复次序）",
    "replication_axis_days": "重复次序（每次 {days} 天）",
    "slice_kind_segment": "客户分群",
    "slice_kind_reason": "来电原因",
    "chart_service_level_by_slice": "按客户分群与来电原因的服务水平",
    "chart_asa_s_by_slice": "按客户分群与来电原因的平均应答速度",
    "chart_switch_signal": "营销开关与其跟随的负载信号",
    "switch_signal_note": (
        "线：各时段信号在各次重复中的均值；阴影：第 1 次重复中开关开启的时间；"
        "虚线：开启与关闭的阈值。"
    ),
    "signal_queue": "排队人数",
    "signal_idle_agents": "空闲坐席数",
    "signal_service_level": "服务水平",
    "signal_expected_wait_s": "平均等待时间（秒）",
    "switch_on_at": "开启阈值 {value}",
    "switch_off_at": "关闭阈值 {value}",
    "switch_on_period": "开关开启（第 1 次重复）",
    "chart_wait_distribution": "等待时间分布：t 内接通的来电占比",
    "answered_within": "t 内接通（占呼入量）",
    "within_s": "{t} 秒内",
    "goal_point": "目标 {goal}",
    "wait_axis": "等待时间 t",
    "chart_products": "各产品的推荐与成交",
    "product": "产品",
    "wait_note": (
        "每点为以该时长为阈值的服务水平（t 内接通 / 呼入量），"
        "为各次重复的均值及 95% 区间；叉号为目标。"
    ),
    # comparison page (issue 13)
    "compare_page": "方案比较",
    "compare_lead": "共 {n} 个方案，基准方案为 {baseline}",
    "recommended": "推荐",
    "forest_title": "{kpi}：与基准方案之差",
    "forest_axis": "与基准方案的配对差异",
    "forest_note": (
        "每个标记为一个方案在相同来电下与基准方案的平均差异，横线为其配对 95% 置信区间；"
        "横线跨过零线即无显著差异。绿色：更好；红色：更差；蓝色：无优劣之分的升高或降低；"
        "灰色：无显著差异。★ 为推荐方案。"
    ),
    "headline_differences": "核心指标：与基准方案的配对差异",
    "all_differences": "全部 {n} 项比较指标（逐方案）",
    "sl_plans_note": (
        "默认只画出基准方案与推荐方案；点击图例中的方案可加入。线为均值，阴影为 95% "
        "置信区间，虚线为目标。"
    ),
    "sweep_best": (
        "最佳参数点 {point}：在达到 {goal} 目标（{rule}）的参数点中净贡献最高：{net}"
        "（95% 置信区间 {net_ci}）；服务水平 {sl}（95% 置信区间 {sl_ci}），{verdict}。"
    ),
    "sweep_none": (
        "没有参数点达到 {goal} 目标（{rule}）；服务水平最高的是 {point}：{sl}"
        "（95% 置信区间 {sl_ci}），{verdict}。"
    ),
    "sweep_rule_confident": "置信区间下限达到目标",
    "sweep_rule_mean": "仅按均值判断",
    "staff_verdict": (
        "ISA 人数共排班 {hours} 坐席小时（在线人时比 Erlang {vs_erlang} 小时），目标为 {target}；"
        "仿真中 {total} 个时段有 {met} 个达到，全天{kpi}为 {value}"
        "（95% 置信区间 {ci}）：{verdict}。"
    ),
    "tv_met": "达标",
    "tv_missed": "未达标",
    "tv_inconclusive": "无法判定",
}

# comparison page (issue 13)
ZH_RECOMMENDATION: dict[str, str] = {
    "sl": "服务水平 {value}（{ci}），{verdict}",
    "ci": "95% 置信区间 {interval}",
    "no_ci": "无置信区间",
    "diff_ci": "95% 置信区间 {low} 至 {high}",
    "within": "，且人力成本不超过 {cost}",
    "rule_net_contribution": "在达到 {goal} 目标的方案中净贡献最高{within}",
    "rule_service_level": "服务水平最高{within}",
    "rule_staff_cost": "在达到 {goal} 目标的方案中人力成本最低{within}（不销售）",
    "plan": (
        "推荐方案：{plan}，{rule}：与基准方案 {baseline} 相比 {diff}（{ci}），{verdict}；{sl}。"
    ),
    "baseline": "推荐方案：{plan}（基准方案），{rule}；{sl}。",
    "none_goal": ("没有方案能以足够把握达到 {goal} 目标{within}；服务水平最高的是 {plan}：{sl}。"),
    "none_cost": "没有方案的人力成本在 {cost} 以内；成本最低的是 {plan}：{value}；{sl}。",
}
"""The recommendation's sentence in Chinese; the English one is the recommendation's own
(``Recommendation.sentence``), as the command line prints it and ``summary.json`` records it."""

ZH_LOCALE: dict[str, object] = {
    "moduleType": "locale",
    "name": "zh-CN",
    "dictionary": {
        "Autoscale": "自动缩放",
        "Box Select": "矩形框选",
        "Click to enter Colorscale title": "点击输入色阶的标题",
        "Compare data on hover": "悬停时比较数据",
        "Double-click on legend to isolate one trace": "双击图例以单独显示该数据",
        "Double-click to zoom back out": "双击返回缩放前状态",
        "Download plot as a png": "下载图表为 PNG 格式",
        "Download plot": "下载图表",
        "Lasso Select": "套索选择",
        "Orbital rotation": "轨道旋转",
        "Pan": "平移",
        "Produced with Plotly": "由 Plotly 生成",
        "Reset": "重置",
        "Reset axes": "重置坐标轴",
        "Reset view": "重置视图",
        "Show closest data on hover": "悬停时显示最近的数据",
        "Snapshot succeeded": "截图成功",
        "Sorry, there was a problem downloading your snapshot!": "抱歉，下载截图时出现问题！",
        "Taking snapshot - this may take a few seconds": "正在截图，可能需要几秒钟",
        "Toggle Spike Lines": "切换辅助线",
        "Zoom": "缩放",
        "Zoom in": "放大",
        "Zoom out": "缩小",
    },
    "format": {"decimal": ".", "thousands": ","},
}
"""plotly.js's own words (the mode bar) in Chinese, registered by the page itself: plotly's
locale files would be one more thing to load."""

_WORDS = {"en": EN, "zh": ZH}


@dataclass(frozen=True)
class Words:
    """Everything language-dependent a page needs: words, KPI labels and number formats.

    Numbers use the same grouping and decimals in both languages ("1,234.5", "85.2%") because
    planners in mainland China read that form in their WFM tools; only units change. Money
    carries no currency symbol: its label names the scenario's currency code (the same in both
    languages, as banks write it) and what revenue counts (``money``), and a scenario without a
    currency shows plain numbers rather than a guessed one.
    """

    lang: str
    money: MoneyTerms = field(default_factory=MoneyTerms)

    def __post_init__(self) -> None:
        if self.lang not in LANGS:
            choices = ", ".join(LANGS)
            raise ValueError(f"report language must be one of {choices}, not {self.lang!r}")

    @property
    def html_lang(self) -> str:
        return "zh-CN" if self.lang == "zh" else "en"

    def __getitem__(self, key: str) -> str:
        return _WORDS[self.lang][key]

    @property
    def colon(self) -> str:
        """Chinese text takes the full-width colon, with no space after it."""
        return "：" if self.lang == "zh" else ": "

    def pair(self, label: str, value: object) -> str:
        return f"{label}{self.colon}{value}"

    def kpi(self, name: str) -> str:
        return money_label(name, self.lang, self.money)

    def with_currency(self, label: str) -> str:
        """A money label naming the scenario's currency, as the money KPIs' labels do."""
        currency = self.money.currency
        if not currency:
            return label
        return f"{label}（{currency}）" if self.lang == "zh" else f"{label} ({currency})"

    def verdict(self, verdict: str) -> str:
        return _WORDS[self.lang].get(f"v_{verdict}", verdict)

    def goal_verdict(self, verdict: str) -> str:
        return _WORDS[self.lang].get(f"verdict_{verdict}", verdict)

    def interval_label(self, day: int, clock: str, multi_day: bool) -> str:
        return self["day_clock"].format(day=day, clock=clock) if multi_day else clock

    def number(self, kpi: str, value: float | None) -> str:
        """A KPI value as people read it: the same rules as the CLI tables, localised units."""
        if value is None or math.isnan(value):
            return "–"
        k = unit(kpi)
        if k == "pct":
            return f"{100 * value:.1f}%"
        if k == "seconds":
            return f"{value:,.1f} {self['unit_s']}"
        if k == "count":
            return f"{value:,.1f}" if abs(value) < 100 else f"{value:,.0f}"
        if k == "hours":
            return f"{value:,.1f} {self['unit_h']}"
        if k == "money":
            sign = "-" if value < 0 and round(value) != 0 else ""
            return f"{sign}{abs(value):,.0f}"
        return f"{value:,.2f}"

    def interval(self, kpi: str, low: float, high: float) -> str:
        """A confidence interval within the values the KPI can take."""
        if any(v is None or math.isnan(v) for v in (low, high)):
            return "–"
        low, high = clip_interval(kpi, low, high)
        return f"{self.number(kpi, low)} – {self.number(kpi, high)}"

    def difference(self, kpi: str, value: float) -> str:
        """A signed difference; differences of shares are in percentage points, not percent,
        because "+2%" of an 80% service level would be ambiguous."""
        if value is None or math.isnan(value):
            return "–"
        if unit(kpi) == "pct":
            return f"{100 * value:+.1f} {self['unit_pp']}"
        text = self.number(kpi, abs(value))
        return f"{'-' if value < 0 else '+'}{text}"

    def difference_interval(self, kpi: str, low: float, high: float) -> str:
        if any(v is None or math.isnan(v) for v in (low, high)):
            return "–"
        return f"{self.difference(kpi, low)} … {self.difference(kpi, high)}"
