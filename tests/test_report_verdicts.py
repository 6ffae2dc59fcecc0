"""The sentence at the top of the sweep, staffing and plan pages, and the share axes zoomed to
their data: each against the figures the page is made from."""

from __future__ import annotations

import html
import math
import re
from dataclasses import replace

import numpy as np
import pytest
from test_report import fake_sweep, isa, plan  # noqa: F401 (fixtures)

from callsim.planning.isa import IsaResult
from callsim.planning.plan import Plan
from callsim.planning.target_verdict import target_verdict
from callsim.report import plan_report, staff_report, sweep_report
from callsim.report.zoom import share_range


def sentence(page: str) -> tuple[str, dict[str, str]]:
    """The text of the page's verdict sentence and its attributes; it opens the page's body."""
    main = page.index("<main>")
    match = re.match(r'<p ([^>]*id="verdict"[^>]*)>(.*?)</p>', page[main + len("<main>") :], re.S)
    assert match, "the body does not open with the verdict sentence"
    attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', match.group(1)))
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(2))), attrs


@pytest.mark.parametrize(
    ("kpi", "target", "interval", "verdict"),
    [
        ("service_level", 0.8, (0.82, 0.81, 0.83), "met"),
        ("service_level", 0.8, (0.82, 0.79, 0.85), "inconclusive"),
        ("service_level", 0.8, (0.75, 0.70, 0.79), "missed"),
        ("asa_s", 30.0, (25.0, 20.0, 29.0), "met"),  # less is better: the top end decides
        ("asa_s", 30.0, (28.0, 20.0, 31.0), "inconclusive"),
        ("abandon_rate", 0.05, (0.07, 0.06, 0.08), "missed"),
        ("asa_s", 30.0, (29.0, math.nan, math.nan), "met"),  # one replication: the mean
    ],
)
def test_target_verdict_by_the_whole_interval(
    kpi: str, target: float, interval: tuple[float, float, float], verdict: str
) -> None:
    assert target_verdict(kpi, target, *interval) == verdict


def test_the_sweep_opens_with_its_best_point() -> None:
    text, attrs = sentence(sweep_report(fake_sweep()))
    # fake_sweep's best point is its last: kind c, scale 1.1, service level 90%.
    assert attrs["data-plan"] == "selling.policy.kind=c, agents.scale=1.1"
    assert text.startswith("Best point selling.policy.kind=c, agents.scale=1.1:")
    assert "service level 90.0% (95% CI 81.0% – 99.0%), met" in text
    none, attrs = sentence(sweep_report(fake_sweep(best=False)))
    assert none.startswith("No point meets the 80/20 goal")
    assert "data-plan" not in attrs


def test_the_staffing_page_opens_with_the_isa_staffing_and_its_verdict(isa: IsaResult) -> None:  # noqa: F811
    text, attrs = sentence(staff_report(isa))
    k = isa.result.kpi("service_level")
    assert attrs["data-verdict"] == target_verdict(
        "service_level", isa.target.value, k["mean"], k["ci_low"], k["ci_high"]
    )
    met, total = int(isa.table["meets"].sum()), len(isa.table)
    assert f"{met} of {total} intervals meet it" in text
    assert f"{100 * k['mean']:.1f}%" in text
    zh, _ = sentence(staff_report(isa, lang="zh"))
    assert f"{total} 个时段有 {met} 个达到" in zh


def test_the_plan_page_opens_with_the_best_candidate(plan: Plan) -> None:  # noqa: F811
    text, attrs = sentence(plan_report(plan))
    assert attrs.get("data-plan") == plan.best
    if plan.best is not None:
        assert text.startswith(f"Best policy: {plan.best}")
        assert attrs["data-verdict"] == "met"
    _, none = sentence(plan_report(replace(plan, best=None)))
    assert none["data-verdict"] == "none" and "data-plan" not in none


def test_a_share_axis_holds_the_data_and_the_target_and_no_more_than_it_needs() -> None:
    low, high = share_range([np.array([0.72, 0.9, np.nan]), [0.95]], [0.8])
    assert low < 0.72 and high > 0.95
    assert high - low < 0.4  # not 0-100%
    assert share_range([[0.02, 0.09]], [0.05])[0] == 0.0  # never below 0%
    assert share_range([[0.97, 1.0]], [0.8])[1] <= 1.01  # nor much above 100%
    assert share_range([[0.5]], [0.9])[1] > 0.9  # the target stays in view
