"""The staffing × selling frontier (``callsim plan``): each candidate policy staffed for the goal,
then compared at that staffing on common random numbers.

A policy that offers on every call adds its pitch time to the load, so it must be staffed with
more agents than one that never sells; the comparison must be exactly the paired comparison of
the staffed scenarios; the best candidate is the one earning most among those meeting the goal.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

import callsim
from callsim.cli.commands import app
from callsim.experiment.pairing import compare_results
from callsim.experiment.runner import simulate_many
from callsim.planning.plan import Plan, plan_policies
from callsim.scenario.candidates import expand, parse_policy
from callsim.scenario.files import ScenarioError, load_scenario

runner = CliRunner()
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

# Three hours of about six Erlangs, with one product pitched in a fixed minute: offering on every
# call adds 120 calls/h × 60 s = 2 Erlangs of offer load.
LINE: dict[str, Any] = {
    "name": "selling line",
    "horizon": {"interval_min": 30, "open": "08:00", "close": "11:00"},
    "arrivals": {"rate_per_hour": 120},
    "reasons": {"any": {"share": 1.0, "talk": {"dist": "exponential", "mean_s": 180}}},
    "customers": {"patience": {"dist": "exponential", "mean_s": 300}},
    "agents": {
        "groups": {
            "team": {
                "wage_per_hour": 20,
                "trained_to_sell": True,
                "shifts": [{"start": "08:00", "end": "11:00", "count": 9}],
            }
        }
    },
    "products": {
        "card": {
            "value": 50,
            "conversion": 0.2,
            "pitch": {"dist": "fixed", "value_s": 60},
        }
    },
    "selling": {"policy": {"kind": "always"}},
    "simulation": {"replications": 4, "seed": 3},
}


@pytest.fixture(scope="module")
def plan() -> Plan:
    return plan_policies(
        load_scenario(LINE), [{"kind": "never"}, {"kind": "always"}], replications=4, workers=1
    )


def test_candidates_expand_like_a_sweep_and_are_checked() -> None:
    names = list(expand([{"kind": "never"}, {"kind": "threshold", "k": "-1:1"}]))
    assert names == ["never", "threshold k=-1", "threshold k=0", "threshold k=1"]
    assert parse_policy("threshold k=-3:2") == {"kind": "threshold", "k": [-3, -2, -1, 0, 1, 2]}
    assert parse_policy("load_toggle signal=queue on_at=0 off_at=3")["off_at"] == 3
    with pytest.raises(ValueError, match=r"policies\.1\.k"):
        expand([{"kind": "never"}, {"kind": "threshold", "k": "x"}])
    with pytest.raises(ValueError, match="listed twice"):
        expand([{"kind": "never"}, {"kind": "never"}])
    data = {**copy.deepcopy(LINE), "plan": {"policies": [{"kind": "sell_harder"}]}}
    with pytest.raises(ScenarioError, match=r"plan\.policies"):
        load_scenario(data)


def test_selling_to_everyone_is_staffed_for_its_offer_load(plan: Plan) -> None:
    never, always = (c.requirement.table for c in plan.candidates)
    assert always["isa_on_phones"].sum() > never["isa_on_phones"].sum()
    # Revenue only where offers are made; staffing for them costs more.
    table = plan.table().set_index("candidate")
    assert table.loc["never", "revenue_mean"] == 0
    assert table.loc["always", "revenue_mean"] > 0
    assert table.loc["always", "staff_cost_mean"] > table.loc["never", "staff_cost_mean"]


def test_the_comparison_is_the_paired_comparison_of_the_staffed_scenarios(plan: Plan) -> None:
    staffed = [c.staffed for c in plan.candidates]
    again = simulate_many(staffed, replications=4, seed=plan.base.simulation.seed, workers=1)
    expected = compare_results({c.name: r for c, r in zip(plan.candidates, again, strict=True)})
    assert plan.baseline == "never"
    np.testing.assert_allclose(
        plan.comparison.table["diff"].to_numpy(float),
        expected.table["diff"].to_numpy(float),
        equal_nan=True,
    )
    row = plan.table().set_index("candidate").loc["always"]
    assert row["net_diff"] == pytest.approx(
        again[1].kpi("net_contribution")["mean"] - again[0].kpi("net_contribution")["mean"]
    )
    assert row["net_diff_ci_low"] < row["net_diff"] < row["net_diff_ci_high"]


def test_the_best_candidate_earns_most_among_those_meeting_the_goal(plan: Plan) -> None:
    table = plan.table()
    met = table[table["verdict"] == "met"]
    if met.empty:
        assert plan.best is None
    else:
        assert plan.best == met.loc[met["net_contribution_mean"].idxmax(), "candidate"]
    assert table["best"].sum() == (0 if plan.best is None else 1)


def test_plan_command_writes_the_frontier_and_runnable_candidates(tmp_path: Path) -> None:
    line = tmp_path / "line.yaml"
    line.write_text(json.dumps(LINE), encoding="utf-8")
    out = tmp_path / "plan"
    args = ["plan", str(line), "--policy", "never", "--policy", "always", "-r", "3", "-w", "1"]
    done = runner.invoke(app, [*args, "--out", str(out), "--lang", "zh"])
    assert done.exit_code == 0, done.output
    assert "at goal-meeting staffing" in done.stdout
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert summary["baseline"] == "never"
    assert [c["candidate"] for c in summary["candidates"]] == ["never", "always"]
    written = sorted(p.name for p in (out / "candidates").iterdir())
    assert written == ["1-never.yaml", "2-always.yaml"]
    ran = runner.invoke(
        app, ["run", str(out / "candidates" / "2-always.yaml"), "-r", "2", "-w", "1"]
    )
    assert ran.exit_code == 0, ran.output
    assert (out / "plan.csv").is_file() and (out / "comparison.csv").is_file()
    page = (out / "report.html").read_text("utf-8")
    assert 'lang="zh-CN"' in page and "plan_net" in page
    assert "report.html" in json.loads((out / "manifest.json").read_text("utf-8"))["files"]


@pytest.mark.parametrize(
    ("policy", "fragment"),
    [("threshold k=x", "--policy: policies.0.k"), ("k=3", "expected KIND")],
)
def test_a_bad_policy_is_one_line_and_exit_2(tmp_path: Path, policy: str, fragment: str) -> None:
    line = tmp_path / "line.yaml"
    line.write_text(json.dumps(LINE), encoding="utf-8")
    done = runner.invoke(app, ["plan", str(line), "--policy", policy, "-w", "1"])
    assert done.exit_code == 2
    text = ANSI.sub("", done.stderr).strip()
    assert len(text.splitlines()) == 1 and fragment in text, text


def test_the_default_candidates_are_never_and_the_scenario_s_own() -> None:
    from callsim.planning.plan import _default_policies

    assert [p["kind"] for p in _default_policies(load_scenario(LINE))] == ["never", "always"]
    with_plan = {**copy.deepcopy(LINE), "plan": {"policies": [{"kind": "threshold", "k": "0:1"}]}}
    assert _default_policies(load_scenario(with_plan)) == [{"kind": "threshold", "k": "0:1"}]
    assert callsim.load_scenario(with_plan).plan is not None
