"""A sweep picks its best point by the rule every verdict uses, and shows what each point costs."""

from __future__ import annotations

import functools
import html
import json
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import callsim
from callsim.cli.commands import app
from callsim.errors import UserError
from callsim.experiment.sweep import sweep
from callsim.experiment.sweep_result import Pick, Sweep
from callsim.measure.catalogue import clip_interval, fmt, label
from callsim.model.roster import build_roster
from callsim.model.timegrid import time_grid
from callsim.report import sweep_report
from callsim.report.i18n import EN, ZH
from callsim.scenario.schema import Scenario
from callsim.store.read import load_results
from callsim.store.write import write_sweep

DATA = Path(__file__).resolve().parent / "data"
GRID = {"agents.scale": [0.8, 1.0, 1.2, 1.6]}


def _with_target(target: float) -> Scenario:
    data = callsim.load_scenario(DATA / "small.yaml").model_dump(mode="json", exclude_none=True)
    data["service_level"] = {"target": target}
    return callsim.load_scenario(data)


@functools.cache
def _risky_target() -> float:
    """A target the cheapest point meets by its mean but not by its interval, from a pilot run
    with a goal every point meets: that point's verdict is then inconclusive."""
    pilot = sweep(_with_target(0.01), GRID, replications=3, seed=5, workers=1).points
    cheapest = pilot.loc[pilot["net_contribution_mean"].idxmax()]
    assert cheapest["service_level_ci_low"] < cheapest["service_level_mean"]
    return float((cheapest["service_level_mean"] + cheapest["service_level_ci_low"]) / 2)


def test_best_point_meets_the_goal_by_the_verdicts_rule_unless_asked_to_pick_by_mean() -> None:
    pilot = sweep(_with_target(0.01), GRID, replications=3, seed=5, workers=1).points
    cheapest = pilot.loc[pilot["net_contribution_mean"].idxmax()]
    base = _with_target(_risky_target())

    run = sweep(base, GRID, replications=3, seed=5, workers=1)
    confident = run.points
    by_mean = sweep(base, GRID, replications=3, seed=5, workers=1, pick="mean").points
    i = int(cheapest.name)
    assert confident.loc[i, "verdict"] == "inconclusive"
    # By the mean the cheapest point wins, and the table says the risk: inconclusive.
    assert bool(by_mean.loc[i, "best"]) and by_mean.loc[i, "verdict"] == "inconclusive"
    # By the rule of the verdict it cannot be best; the best, if any, is a point that is met.
    assert not confident.loc[i, "best"]
    assert (confident.loc[confident["best"], "verdict"] == "met").all()
    # Each point's verdict is the one its own run reports.
    assert confident["verdict"].tolist() == [r.verdict for r in run.results]


def test_each_point_shows_its_agents_and_paid_hours() -> None:
    base = _with_target(0.8)
    points = sweep(base, GRID, replications=2, seed=1, workers=1).points
    for scale, agents, paid in zip(
        points["agents.scale"], points["agents"], points["paid_hours_mean"], strict=True
    ):
        data = base.model_dump(mode="json", exclude_none=True)
        data["agents"]["scale"] = scale
        plan = callsim.load_scenario(data)
        assert agents == len(build_roster(plan, time_grid(plan)))
        # every agent on the 08:00-10:00 shift, plus overtime serving the queue at the close
        assert agents * 2.0 <= paid <= agents * 2.5
    assert points["agents"].is_monotonic_increasing


ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
runner = CliRunner()


def _cli_sweep(folder: Path, *args: str) -> str:
    """``callsim sweep`` of the grid on the small scenario with the risky target; its output."""
    data = yaml.safe_load((DATA / "small.yaml").read_text(encoding="utf-8"))
    data["service_level"] = {"target": _risky_target()}
    (folder / "plan.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    for name in ("volume.csv", "staffing.csv"):
        (folder / name).write_bytes((DATA / name).read_bytes())
    grid = ",".join(str(v) for v in GRID["agents.scale"])
    argv = ["sweep", str(folder / "plan.yaml"), "-p", f"agents.scale={grid}"]
    result = runner.invoke(app, [*argv, "-r", "3", "--seed", "5", "-w", "1", *args])
    assert result.exit_code == 0, result.output
    return " ".join(ANSI.sub("", result.stdout).split())


@pytest.mark.parametrize("pick", ["confident", "mean"])
def test_cli_picks_by_the_rule_asked_for_and_says_the_risk(tmp_path: Path, pick: str) -> None:
    args = [] if pick == "confident" else ["--pick", "mean"]  # confident is the default
    out = _cli_sweep(tmp_path, *args, "--out", str(tmp_path / "out"))
    swept = load_results(tmp_path / "out")
    assert isinstance(swept, Sweep) and swept.pick == pick
    points = swept.points
    best = points[points["best"]].iloc[0]
    # The sentence naming the best point gives its service level's interval and verdict.
    low, high = clip_interval(
        "service_level", best["service_level_ci_low"], best["service_level_ci_high"]
    )
    sl = [fmt("service_level", v) for v in (best["service_level_mean"], low, high)]
    assert f"agents.scale={best['agents.scale']}" in out
    assert f"service level {sl[0]} (95% CI {sl[1]} – {sl[2]}), verdict {best['verdict']}" in out
    if pick == "mean":
        assert best["verdict"] == "inconclusive"  # the cheapest point, at a risk
        assert "the mean service level alone" in out and "may well be missed" in out
    else:
        assert best["verdict"] == "met"
        assert "lower end of the service level's 95% CI" in out
        assert "may well be missed" not in out


def test_cli_refuses_an_unknown_pick_rule() -> None:
    result = runner.invoke(
        app, ["sweep", str(DATA / "small.yaml"), "-p", "agents.scale=1", "--pick", "median"]
    )
    assert result.exit_code == 2
    assert "--pick" in ANSI.sub("", result.output)


def test_report_shows_each_points_agents_paid_hours_and_the_pick_rule() -> None:
    base = _with_target(_risky_target())
    picks: list[tuple[Pick, str]] = [("confident", "en"), ("mean", "en"), ("mean", "zh")]
    for pick, lang in picks:
        words = ZH if lang == "zh" else EN
        run = sweep(base, GRID, replications=3, seed=5, workers=1, pick=pick)
        page = sweep_report(run, lang)
        assert html.escape(words[f"pick_{pick}"]) in page
        assert (
            html.escape(words["pick_mean" if pick == "confident" else "pick_confident"]) not in page
        )
        table = page[
            page.index('class="points"') : page.index("</table>", page.index('class="points"'))
        ]
        head = re.findall(r"<th[^>]*>(.*?)</th>", table)
        rows = [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in table.split("<tr")[2:]]
        assert len(rows) == len(run.points)
        for cells, (_, point) in zip(rows, run.points.iterrows(), strict=True):
            cell = dict(zip(head, cells, strict=True))
            assert cell[words["agent_count"]] == str(point["agents"])
            paid = cell[html.escape(label("paid_hours", lang))]
            assert paid.startswith(f"{point['paid_hours_mean']:,.1f} ")
            assert f'data-verdict="{point["verdict"]}"' in cell[words["goal_verdict"]]
        # Picked by the mean, the best point is at risk, and the page says so.
        assert (html.escape(words["best_at_risk"]) in page) == (pick == "mean")


def test_manifest_keeps_the_pick_rule_and_a_bad_one_is_refused(tmp_path: Path) -> None:
    run = sweep(_with_target(0.5), {"agents.scale": [1.0]}, replications=2, seed=1, workers=1)
    write_sweep(run, tmp_path / "s", report=None)
    manifest = tmp_path / "s" / "manifest.json"
    data = json.loads(manifest.read_text())
    assert data["pick"] == "confident" and data["call"]["pick"] == "confident"
    data["pick"] = "median"
    manifest.write_text(json.dumps(data))
    with pytest.raises(UserError, match=r"manifest.json: pick: expected one of confident, mean"):
        load_results(tmp_path / "s")


def test_a_goal_judged_call_weighted_shows_and_picks_call_weighted_points() -> None:
    data = callsim.load_scenario(DATA / "small.yaml").model_dump(mode="json", exclude_none=True)
    data["service_level"] = {"verdict_on": "call_weighted"}
    data["arrivals"]["busyness"] = {"dist": "gamma", "cv": 0.3}  # so the two estimates differ
    run = sweep(callsim.load_scenario(data), GRID, replications=4, seed=5, workers=1)
    for point, result in zip(run.points.to_dict("records"), run.results, strict=True):
        weighted = result.kpi("service_level", "call_weighted")
        assert point["service_level_mean"] == weighted["mean"]
        assert point["service_level_ci_low"] == weighted["ci_low"]
        assert point["service_level_mean"] != result.kpi("service_level")["mean"]
        assert point["staff_cost_mean"] == result.kpi("staff_cost")["mean"]
