"""The one sentence at the top of a comparison, sweep, staffing or plan page: which plan (or
point), and how sure the numbers let us be.

The English sentence of a comparison is the recommendation's own (``Recommendation.sentence``),
the one the command line prints and ``summary.json`` records; the Chinese one says the same
from the same figures. The element carries the plan and verdict it states as ``data-plan`` and
``data-verdict``, so a test can hold the page to ``summary.json``.
"""

from __future__ import annotations

import math

from callsim.experiment.recommend import Figure, Recommendation
from callsim.report import html as h
from callsim.report.i18n import ZH_RECOMMENDATION as ZH
from callsim.report.i18n import Words

STYLE = (
    "font-size: 17px; font-weight: 600; margin: 14px 0 4px; padding: 10px 14px; "
    "border-left: 4px solid #5f3dc4; background: #f3f0ff;"
)
"""Set on the element itself: the page's shared style sheet belongs to every page."""


def verdict_sentence(
    text: h.Content, *, plan: str | None, verdict: str, class_: str = "verdict"
) -> h.Html:
    return h.tag(
        "p",
        text,
        class_=class_,
        id="verdict",
        style=STYLE,
        data_plan=plan,
        data_verdict=verdict,
    )


def recommendation_text(rec: Recommendation, words: Words) -> str:
    if words.lang == "en":
        return rec.sentence()
    sl = ZH["sl"].format(
        value=words.number("service_level", rec.service_level.mean),
        ci=_ci(words, "service_level", rec.service_level),
        verdict=words[f"tv_{rec.verdict}"],
    )
    within = (
        ""
        if rec.max_cost is None
        else ZH["within"].format(cost=words.number("staff_cost", rec.max_cost))
    )
    money = words.with_currency
    if rec.plan is None and rec.over_budget:
        return ZH["none_cost"].format(
            cost=words.number("staff_cost", rec.max_cost or 0),
            plan=rec.named,
            value=money(words.number("staff_cost", rec.value.mean)),
            sl=sl,
        )
    if rec.plan is None:
        return ZH["none_goal"].format(goal=rec.goal, within=within, plan=rec.named, sl=sl)
    rule = ZH[f"rule_{rec.rule}"].format(goal=rec.goal, within=within)
    if rec.plan == rec.baseline:
        return ZH["baseline"].format(plan=rec.plan, rule=rule, sl=sl)
    d = rec.difference
    diff = words.difference(rec.kpi, d.mean)
    interval = (
        ZH["no_ci"]
        if math.isnan(d.low)
        else ZH["diff_ci"].format(
            low=words.difference(rec.kpi, d.low), high=words.difference(rec.kpi, d.high)
        )
    )
    return ZH["plan"].format(
        plan=rec.plan,
        rule=rule,
        baseline=rec.baseline,
        diff=diff,
        ci=interval,
        verdict=words.verdict(rec.difference_verdict),
        sl=sl,
    )


def _ci(words: Words, kpi: str, f: Figure) -> str:
    if math.isnan(f.low):
        return ZH["no_ci"]
    return ZH["ci"].format(interval=words.interval(kpi, f.low, f.high))


def recommendation(rec: Recommendation, words: Words) -> h.Html:
    return verdict_sentence(
        recommendation_text(rec, words), plan=rec.plan or rec.closest, verdict=rec.verdict
    )
