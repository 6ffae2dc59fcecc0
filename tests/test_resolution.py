"""First-contact resolution and repeat calls, against the geometric chain they make.

With every answered call resolved with probability p, nobody hanging up and every repeat call
made inside the horizon, a first call brings a chain of repeats of geometric length: on average
(1 − p)/p of them, and FCR (resolved at first contact among first contacts) is p. With a
group's ``resolution_skill`` s, its chance is p·s / (p·s + 1 − p) (the odds times s), worked out
by hand below. Tolerances are the 95% confidence intervals over replications on fixed seeds.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from helpers import merge
from scipy import stats
from typer.testing import CliRunner

import callsim
from callsim.cli.commands import app
from callsim.model.replication import run_model
from callsim.model.resolution import resolution_chance

# A 24-hour line, agents enough that nobody waits long, nobody hangs up, repeats within minutes:
# the repeat chains end well inside the two days.
BASE: dict[str, Any] = {
    "name": "resolution",
    "horizon": {"days": 2, "interval_min": 60},
    "arrivals": {"rate_per_hour": 30},
    "reasons": {"general": {"share": 1.0, "talk": {"dist": "exponential", "mean_s": 180}}},
    "agents": {"groups": {"team": {"shifts": [{"start": "00:00", "end": "24:00", "count": 5}]}}},
    "resolution": {"probability": 0.6, "repeat_delay": {"dist": "exponential", "mean_min": 5}},
    "simulation": {"replications": 12, "seed": 7},
}


def _within_ci(result: callsim.SimulationResult, kpi: str, expected: float) -> None:
    row = result.kpi(kpi)
    assert row["ci_low"] <= expected <= row["ci_high"], (kpi, row, expected)


def _t_interval(values: np.ndarray) -> tuple[float, float]:
    half = stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / math.sqrt(len(values))
    return float(values.mean() - half), float(values.mean() + half)


def test_odds_skill_worked_by_hand() -> None:
    assert resolution_chance(0.6, 1.0) == pytest.approx(0.6)
    # odds 4 halved to 2: 2/3
    assert resolution_chance(0.8, 0.5) == pytest.approx(2 / 3)
    # odds 1/3 doubled to 2/3: 0.4
    assert resolution_chance(0.25, 2.0) == pytest.approx(0.4)
    assert resolution_chance(1.0, 0.1) == 1.0
    assert resolution_chance(0.0, 5.0) == 0.0


@pytest.mark.parametrize("p", [0.6, 0.85])
def test_repeats_per_first_call_is_the_geometric_mean(p: float) -> None:
    result = callsim.simulate(merge(BASE, {"resolution": {"probability": p}}), workers=1)
    assert result.kpi("abandoned")["mean"] == 0
    _within_ci(result, "repeats_per_first_call", (1 - p) / p)
    _within_ci(result, "fcr", p)


def test_every_unresolved_answer_brings_one_repeat_call() -> None:
    scenario = callsim.load_scenario(BASE)
    run = run_model(scenario, 7, 0)
    c = run.calls
    answered = c.column("agent") >= 0
    resolved = c.column("resolved")
    assert set(np.unique(resolved[answered])) <= {0, 1}
    assert (resolved[~answered] == -1).all()
    unresolved = int((resolved == 0).sum())
    repeats = int((c.column("repeat") == 1).sum())
    # Those that would ring after the horizon's end are lost (the line is closed by then).
    lost = run.timelines.again_lost
    assert unresolved == repeats + lost
    assert 0 < lost < 0.01 * repeats


def test_fcr_by_group_follows_each_groups_skill() -> None:
    p = 0.8
    scenario = merge(
        BASE,
        {
            "arrivals": {"rate_per_hour": 40},
            "resolution": {"probability": p},
            "agents": {
                "groups": {
                    "team": {"resolution_skill": 1.0},
                    "new_hires": {
                        "resolution_skill": 0.5,
                        "shifts": [{"start": "00:00", "end": "24:00", "count": 4}],
                    },
                }
            },
        },
    )
    result = callsim.simulate(scenario, workers=1)
    by_group = result.by("group").set_index("group")
    for group, skill in (("team", 1.0), ("new_hires", 0.5)):
        expected = p * skill / (p * skill + 1 - p)  # 0.8 and 2/3
        row = by_group.loc[group]
        assert row["fcr_ci_low"] <= expected <= row["fcr_ci_high"], (group, row["fcr_mean"])
    assert by_group.loc["new_hires", "fcr_mean"] < by_group.loc["team", "fcr_mean"]


def test_talk_cut_short_resolves_less() -> None:
    """A talk-flex policy cutting talk by 0.2 with repeat_per_cut 0.5 leaves resolution at
    p · (1 − 0.1) on the cut calls and p on the others."""
    p = 0.7
    scenario = merge(
        BASE,
        {
            "arrivals": {"rate_per_hour": 70},
            "resolution": {"probability": p},
            "agents": {
                "groups": {"team": {"shifts": [{"start": "00:00", "end": "24:00", "count": 5}]}}
            },
            "selling": {
                "policy": {
                    "kind": "talk_flex",
                    "busy_when_queue": 1,
                    "busy_factor": 0.8,
                    "idle_factor": 1.0,
                    "repeat_per_cut": 0.5,
                }
            },
        },
    )
    model = callsim.load_scenario(scenario)
    shares: dict[float, list[float]] = {0.8: [], 1.0: []}
    for r in range(10):
        c = run_model(model, 7, r).calls
        answered = c.column("agent") >= 0
        for factor in shares:
            mask = answered & (c.column("talk_factor") == factor)
            shares[factor].append(float((c.column("resolved")[mask] == 1).mean()))
    for factor, expected in ((0.8, p * 0.9), (1.0, p)):
        low, high = _t_interval(np.array(shares[factor]))
        assert low <= expected <= high, (factor, low, high)


def test_first_contacts_see_the_same_resolution_draws_in_two_plans() -> None:
    """Common random numbers: with more agents the same first calls are answered by others and
    at other times, yet each caller's request resolves (or not) alike."""
    small = callsim.load_scenario(BASE)
    large = callsim.load_scenario(
        merge(
            BASE,
            {
                "agents": {
                    "groups": {"team": {"shifts": [{"start": "00:00", "end": "24:00", "count": 9}]}}
                }
            },
        )
    )
    a, b = run_model(small, 7, 0).calls, run_model(large, 7, 0).calls
    n = int((a.column("repeat") == 0).sum())
    assert n > 1000
    first_a = a.column("resolved")[:n]
    first_b = b.column("resolved")[:n]
    assert (a.column("answer")[:n] != b.column("answer")[:n]).any()
    assert (first_a == first_b).all()


def test_same_seed_same_results_at_any_worker_count() -> None:
    scenario = merge(
        BASE,
        {
            "customers": {
                "patience": {"dist": "exponential", "mean_s": 120},
                "retrial": {"probability": 0.5, "delay": {"dist": "exponential", "mean_s": 300}},
            },
            "ivr": {"containment": {"general": 0.3}},
            "simulation": {"replications": 4},
        },
    )
    one = callsim.simulate(scenario, workers=1)
    two = callsim.simulate(scenario, workers=2)
    assert one.per_replication.equals(two.per_replication)
    assert one.kpi("repeat_calls")["mean"] > 0 and one.kpi("deflected_calls")["mean"] > 0


def test_without_resolution_every_answered_call_is_resolved() -> None:
    scenario = {k: v for k, v in BASE.items() if k != "resolution"}
    c = run_model(callsim.load_scenario(scenario), 7, 0).calls
    answered = c.column("agent") >= 0
    assert (c.column("resolved")[answered] == 1).all()
    assert "u_resolve" not in c.draws  # nothing drawn for a feature that is off


runner = CliRunner()


@pytest.mark.parametrize(
    ("change", "fragments"),
    [
        ({"resolution": {"probability": 1.5}}, ("resolution.probability",)),
        (
            {"resolution": {"probability": 0.8, "by_reason": {"billing": 0.5}}},
            ("resolution.by_reason", "billing"),
        ),
        (
            {"resolution": {"probability": 0.8, "repeat_delay": {"mean_min": -5}}},
            ("resolution.repeat_delay",),
        ),
        ({"resolution": {"probabilty": 0.8}}, ("resolution.probabilty",)),
        (
            {"agents": {"groups": {"team": {"resolution_skill": 0}}}},
            ("agents.groups.team.resolution_skill",),
        ),
        (
            {"resolution": None, "agents": {"groups": {"team": {"resolution_skill": 0.5}}}},
            ("agents.groups.team.resolution_skill", "resolution block"),
        ),
    ],
)
def test_bad_resolution_settings_name_the_field(
    tmp_path: Any, change: dict[str, Any], fragments: tuple[str, ...]
) -> None:
    data = merge(BASE, change)
    data = {k: v for k, v in data.items() if v is not None}
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    out = runner.invoke(app, ["validate", str(path)])
    assert out.exit_code == 2, out.output
    message = out.output.strip()
    assert len(message.splitlines()) == 1 and "Traceback" not in message
    for fragment in (str(path.name), *fragments):
        assert fragment in message, (fragment, message)
    with pytest.raises(callsim.ScenarioError):
        callsim.load_scenario(path)


DATA = Path(__file__).parent / "data"


def test_run_and_compare_show_resolution_where_the_scenario_models_it() -> None:
    example = str(DATA / "resolution.yaml")
    run = runner.invoke(app, ["run", example, "-r", "2", "-w", "1"])
    assert run.exit_code == 0, run.output
    for label in ("First-contact resolution", "Repeat calls per first call", "IVR containment"):
        assert label in run.output
    plain = runner.invoke(app, ["run", str(DATA / "small.yaml"), "-w", "1"])
    assert plain.exit_code == 0 and "First-contact resolution" not in plain.output
    compared = runner.invoke(app, ["compare", example, "-r", "2", "-w", "1"])
    assert compared.exit_code == 0, compared.output
    assert "First-contact resolution" in compared.output and "trained" in compared.output


def test_resolving_every_call_changes_nothing_but_the_resolution_kpis() -> None:
    """p = 1 leaves nobody to call again: the same callers, served the same (to rounding,
    since the call's end is reached through its talk end)."""
    plain = {k: v for k, v in BASE.items() if k != "resolution"}
    plain = merge(plain, {"customers": {"patience": {"dist": "exponential", "mean_s": 200}}})
    certain = merge(plain, {"resolution": {"probability": 1.0}})
    a = callsim.simulate(merge(plain, {"simulation": {"replications": 3}}), workers=1)
    b = callsim.simulate(merge(certain, {"simulation": {"replications": 3}}), workers=1)
    assert (b.per_replication["fcr"] == 1).all() and (b.per_replication["repeat_calls"] == 0).all()
    assert a.per_replication["fcr"].isna().all()  # not modelled, so not measured
    same = [c for c in a.per_replication.columns if c not in ("fcr", "repeats_per_first_call")]
    pd.testing.assert_frame_equal(a.per_replication[same], b.per_replication[same], rtol=1e-9)
