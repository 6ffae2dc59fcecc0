"""Skills-based routing: exact equivalences with the unrouted engine, a hand-worked overflow,
the two rules, and bad input.

The routed engine only changes who takes which call, so wherever routing cannot matter it must
give the unrouted engine's calls exactly: one type and one group; one type taken at once by every
group (the whole bundled credit-card line); and, for the waits and outcomes, several types each
overflowing at once to every group of identical agents (one pooled group, FCFS within priority).
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from test_oracle import check_against_oracle, scenario

import callsim.model.replication as replication
from callsim.errors import UserError
from callsim.experiment.replication import run_replication
from callsim.measure.kpis import ReplicationKpis
from callsim.model.demand import Demand
from callsim.model.replication import run_model
from callsim.model.routing import IdlePool
from callsim.scenario.bundled import path_of
from callsim.scenario.files import load_scenario


def columns(spec: dict[str, Any], seed: int) -> dict[str, np.ndarray]:
    return run_model(load_scenario(spec), seed, 0).calls.columns()


def assert_same(a: dict[str, np.ndarray], b: dict[str, np.ndarray], names: list[str]) -> None:
    for name in names:
        assert np.array_equal(a[name], b[name], equal_nan=True), name


def with_routing(spec: dict[str, Any], routing: dict[str, Any]) -> dict[str, Any]:
    return {**copy.deepcopy(spec), "routing": routing}


# -- (a) routing that cannot matter -----------------------------------------------------------

ONE_TYPE = {"call_types": {"all": {"groups": [{"group": "desk"}]}}}


def test_one_type_one_group_is_the_unrouted_engine_call_for_call() -> None:
    spec = scenario(agents=5, rate_per_hour=150, mean_talk_s=150, wrap_s=30, mean_patience_s=90)
    plain, routed = columns(spec, 11), columns(with_routing(spec, ONE_TYPE), 11)
    assert_same(plain, routed, list(plain))


def test_the_oracle_holds_with_a_routing_block() -> None:
    """The Kiefer–Wolfowitz recursion of FCFS G/G/c+G still decides every call."""
    spec = scenario(agents=4, rate_per_hour=100, mean_talk_s=140, wrap_s=20, mean_patience_s=120)
    check_against_oracle(with_routing(spec, ONE_TYPE), seed=5)


def credit_card_line() -> dict[str, Any]:
    path = path_of("credit_card_hotline.yaml")
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    spec["arrivals"]["volume_csv"] = str(path.parent / spec["arrivals"]["volume_csv"])
    return spec


@pytest.mark.parametrize("announced", [False, True])
def test_every_group_at_once_is_the_unrouted_credit_card_line(announced: bool) -> None:
    """Selling, resolution and repeat calls, the menu, retrials, shifts, shrinkage and the close
    (and the announced wait, with its balking) all run through the routed engine: with one type
    every group takes at once, nothing moves."""
    spec = credit_card_line()
    if announced:
        spec["announcement"] = {"enabled": True}
    pooled = {
        "call_types": {
            "all": {
                "groups": [
                    {"group": "senior"},
                    {"group": "junior", "after_s": 0},
                    {"group": "new_hires", "after_s": 0},
                ]
            }
        }
    }
    plain, routed = columns(spec, 3), columns(with_routing(spec, pooled), 3)
    assert_same(plain, routed, list(plain))


# -- (b) full overflow at delay 0 is one pooled group ----------------------------------------


def two_desks(rule: str = "longest_idle") -> tuple[dict[str, Any], dict[str, Any]]:
    """Two reasons, two segments (VIPs first), two groups of identical agents; routed, each
    reason has its own group and overflows at once to the other."""
    spec = scenario(agents=3, rate_per_hour=200, mean_talk_s=150, wrap_s=20, mean_patience_s=200)
    spec["reasons"] = {
        "cards": {"share": 0.6, "talk": {"dist": "exponential", "mean_s": 150}},
        "loans": {"share": 0.4, "talk": {"dist": "lognormal", "mean_s": 200, "cv": 1.2}},
    }
    spec["customers"]["segments"] = {
        "vip": {"share": 0.2, "priority": 1},
        "regular": {"share": 0.8},
    }
    shift = {"start": "08:00", "end": "20:00", "count": 3}
    spec["agents"]["groups"] = {"a": {"shifts": [shift]}, "b": {"shifts": [{**shift, "count": 4}]}}
    routing = {
        "rule": rule,
        "call_types": {
            "cards": {"reasons": ["cards"], "groups": [{"group": "a"}, {"group": "b"}]},
            "loans": {"reasons": ["loans"], "groups": [{"group": "b"}, {"group": "a"}]},
        },
    }
    return spec, with_routing(spec, routing)


@pytest.mark.parametrize("rule", ["longest_idle", "least_skilled_first"])
def test_full_overflow_at_delay_zero_is_one_pooled_group(rule: str) -> None:
    plain_spec, routed_spec = two_desks(rule)
    plain, routed = columns(plain_spec, 8), columns(routed_spec, 8)
    assert (plain["answer"] > plain["arrival"]).sum() > 300, "a real queue"
    assert_same(plain, routed, ["answer", "outcome", "patience", "end", "closed_out"])


# -- delayed overflow, worked by hand ----------------------------------------------------------

T0 = 8 * 3600.0


def hand_worked(
    monkeypatch: pytest.MonkeyPatch,
    routing: dict[str, Any],
    calls: list[tuple[float, int, float]],
    groups: list[str],
    skill_factors: dict[str, dict[str, float]] | None = None,
    ends: dict[str, str] | None = None,
) -> dict[str, np.ndarray]:
    """Run the given calls (offset from 08:00, reason index, talk s; no wrap-up, no patience)
    on one agent per group, logged in from 08:00 to 09:00 (or to the group's ``ends``), the
    line closing at 09:00."""
    return hand_worked_run(monkeypatch, routing, calls, groups, skill_factors, ends)[0]


def hand_worked_run(
    monkeypatch: pytest.MonkeyPatch,
    routing: dict[str, Any],
    calls: list[tuple[float, int, float]],
    groups: list[str],
    skill_factors: dict[str, dict[str, float]] | None = None,
    ends: dict[str, str] | None = None,
) -> tuple[dict[str, np.ndarray], ReplicationKpis]:
    spec = scenario(agents=1, rate_per_hour=10, mean_talk_s=100, wrap_s=0, mean_patience_s=1)
    spec["horizon"]["close"] = "09:00"
    spec["customers"] = {}
    spec["reasons"] = {
        "hard": {"share": 0.5, "talk": {"dist": "fixed", "value_s": 100}},
        "easy": {"share": 0.5, "talk": {"dist": "fixed", "value_s": 100}},
    }
    spec["agents"]["groups"] = {
        g: {"shifts": [{"start": "08:00", "end": (ends or {}).get(g, "09:00"), "count": 1}]}
        for g in groups
    }
    for g, factors in (skill_factors or {}).items():
        spec["agents"]["groups"][g]["skill_factors"] = factors
    spec["routing"] = routing
    n = len(calls)
    demand = Demand(
        arrival=np.array([T0 + c[0] for c in calls]),
        reason=np.array([c[1] for c in calls], dtype=np.int8),
        segment=np.zeros(n, dtype=np.int8),
        patience=np.full(n, np.inf),
        talk=np.array([c[2] for c in calls]),
        wrap=np.zeros(n),
        customer=np.arange(n),
    )
    monkeypatch.setattr(replication, "draw_demand", lambda *_: demand)
    run = run_replication(load_scenario(spec), 1, 0, keep_calls=True)
    assert run.calls is not None
    out = {name: run.calls[name].to_numpy() for name in run.calls.columns}
    out["group"] = out["agent"]  # one agent per group, numbered in the groups' order
    return out, run.kpis


HARD, EASY = 0, 1
SPECIALIST_FIRST = {
    "call_types": {
        "hard": {
            "reasons": ["hard"],
            "groups": [{"group": "spec"}, {"group": "gen", "after_s": 30}],
        },
        "easy": {"groups": [{"group": "gen"}]},
    }
}


def test_delayed_overflow_by_hand(monkeypatch: pytest.MonkeyPatch) -> None:
    """spec takes hard calls; gen takes easy ones, and hard ones after 30 s of waiting.

    - c0 (0 s, hard): spec is idle and takes it, busy to 100.
    - c1 (10 s, hard): spec busy; gen idle but may take it only at 40: gen answers at 40, to 140.
    - c2 (50 s, easy): gen busy, waits.
    - c3 (60 s, hard): waits; at 90 its overflow finds gen busy.
    - 100: spec frees and takes c3 (its own type, first in line), busy to 200.
    - c4 (110 s, hard): waits.
    - 140: gen frees; c2 (its own type) and c4 (overflowed, waited exactly 30 s) are both
      eligible: its own first, c2 at 140, to 190. c4's overflow at 140 finds gen busy.
    - 190: gen frees and takes c4 (waited 80 s), to 290.
    - c5 (195 s, easy): waits; spec frees at 200 and does not take easy calls: idle. c5 waits
      for gen, answered at 290.
    """
    calls = [(0, HARD, 100), (10, HARD, 100), (50, EASY, 50), (60, HARD, 100)]
    calls += [(110, HARD, 100), (195, EASY, 50)]
    out = hand_worked(monkeypatch, SPECIALIST_FIRST, calls, ["spec", "gen"])
    np.testing.assert_array_equal(out["answer"] - T0, [0, 40, 140, 100, 190, 290])
    np.testing.assert_array_equal(out["group"], [0, 1, 1, 0, 1, 1])
    np.testing.assert_array_equal(out["end"] - T0, [100, 140, 190, 200, 290, 340])


def test_kpis_by_call_type_and_group_by_hand(monkeypatch: pytest.MonkeyPatch) -> None:
    """The run above: hard calls waited 0, 30, 40 and 80 s, two of them answered by gen (the
    backup); easy calls waited 90 and 95 s, both by gen, their primary. Busy: spec 200 s,
    gen 40-340 s, 300 s, of the hour logged in."""
    calls = [(0, HARD, 100), (10, HARD, 100), (50, EASY, 50), (60, HARD, 100)]
    calls += [(110, HARD, 100), (195, EASY, 50)]
    _, kpis = hand_worked_run(monkeypatch, SPECIALIST_FIRST, calls, ["spec", "gen"])
    types, groups = kpis.slices["call_type"], kpis.slices["routing_group"]
    np.testing.assert_array_equal(types["offered"], [4, 2])
    np.testing.assert_allclose(types["service_level"], [1 / 4, 0])
    np.testing.assert_allclose(types["asa_s"], [150 / 4, 185 / 2])
    np.testing.assert_array_equal(types["overflowed"], [2, 0])
    np.testing.assert_allclose(types["overflow_share"], [0.5, 0])
    np.testing.assert_array_equal(groups["calls"], [2, 4])
    np.testing.assert_array_equal(groups["overflow_taken"], [0, 2])
    np.testing.assert_allclose(groups["occupancy"], [200 / 3600, 300 / 3600])


def test_unrouted_kpis_have_no_routing_slices() -> None:
    spec = scenario(agents=2, rate_per_hour=20, mean_talk_s=100, wrap_s=0, mean_patience_s=60)
    kpis = run_replication(load_scenario(spec), 1, 0).kpis
    assert "call_type" not in kpis.slices and "routing_group" not in kpis.slices


def test_a_type_nobody_left_takes_is_called_back_at_the_close(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """spec goes home at 08:30; a hard call at 08:40 waits for nobody (gen does not take hard
    calls): at the 09:00 close it is told to call back, after its 20 minutes' wait, and the
    run ends."""
    routing = {
        "call_types": {
            "hard": {"reasons": ["hard"], "groups": [{"group": "spec"}]},
            "easy": {"groups": [{"group": "gen"}]},
        }
    }
    out = hand_worked(
        monkeypatch, routing, [(2400, HARD, 100)], ["spec", "gen"], ends={"spec": "08:30"}
    )
    assert out["closed_out"][0] == 1 and out["agent"][0] == -1
    assert out["patience"][0] == 1200


def test_an_agent_past_their_shift_does_not_count_as_on_at_the_close(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """spec's shift ends at 08:50 during a call that runs to 09:05; a hard call at 08:55 waits
    for spec alone. At the 09:00 close spec is still logged in but only finishing that call,
    so the hard call is told to call back then."""
    routing = {
        "call_types": {
            "hard": {"reasons": ["hard"], "groups": [{"group": "spec"}]},
            "easy": {"groups": [{"group": "gen"}]},
        }
    }
    calls = [(2700, HARD, 1200), (3300, HARD, 100)]
    out = hand_worked(monkeypatch, routing, calls, ["spec", "gen"], ends={"spec": "08:50"})
    assert out["end"][0] - T0 == 3900
    assert out["closed_out"][1] == 1 and out["patience"][1] == 300


def test_a_backup_on_at_the_close_serves_without_its_delay(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """gen may take hard calls after 10 minutes; one arriving at 08:55 with spec gone is
    answered by gen at the 09:00 close (nobody else is coming), not sent away."""
    routing = {
        "call_types": {
            "hard": {
                "reasons": ["hard"],
                "groups": [{"group": "spec"}, {"group": "gen", "after_s": 600}],
            },
            "easy": {"groups": [{"group": "gen"}]},
        }
    }
    out = hand_worked(
        monkeypatch, routing, [(3300, HARD, 100)], ["spec", "gen"], ends={"spec": "08:30"}
    )
    assert out["answer"][0] - T0 == 3600 and out["group"][0] == 1


def test_skill_factor_scales_talk_for_that_type_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """gen takes hard calls 1.5 times slower: c1 (overflowed to gen) talks 150 s, the easy
    call gen takes after it its own 50 s."""
    calls = [(0, HARD, 100), (10, HARD, 100), (50, EASY, 50)]
    out = hand_worked(
        monkeypatch, SPECIALIST_FIRST, calls, ["spec", "gen"], skill_factors={"gen": {"hard": 1.5}}
    )
    np.testing.assert_array_equal(out["answer"] - T0, [0, 40, 190])
    np.testing.assert_array_equal(out["end"] - T0, [100, 190, 240])


SHARED = {
    "call_types": {
        "hard": {"reasons": ["hard"], "groups": [{"group": "gen"}, {"group": "spec"}]},
        "easy": {"groups": [{"group": "gen"}]},
    }
}


@pytest.mark.parametrize(("rule", "group"), [("longest_idle", 0), ("least_skilled_first", 1)])
def test_least_skilled_first_keeps_the_generalist_free(
    monkeypatch: pytest.MonkeyPatch, rule: str, group: int
) -> None:
    """Both agents idle since 08:00, gen (listed first) the longer: a hard call goes to gen
    under longest_idle, to the specialist (one skill against two) under least_skilled_first."""
    out = hand_worked(monkeypatch, {**SHARED, "rule": rule}, [(10, HARD, 100)], ["gen", "spec"])
    assert out["group"][0] == group


def test_idle_pool_is_longest_idle_first_across_groups() -> None:
    """Agents 0, 2 of group 0 and 1, 3 of group 1 going idle in the order 3, 0, 1, 2: the
    pool iterates in that order, and the longest idle of a set of groups is taken first."""
    pool = IdlePool([0, 1, 0, 1], 2)
    for agent in (3, 0, 1, 2):
        pool[agent] = None
    pool[3] = None  # already idle: keeps its place, as an OrderedDict key does
    assert list(pool) == [3, 0, 1, 2] and len(pool) == 4
    assert pool.take_oldest([0]) == 0 and pool.take_oldest([0, 1]) == 3
    del pool[1]
    assert 1 not in pool and 2 in pool and list(pool) == [2]
    assert pool.take_oldest([1]) == -1 and pool.take_oldest([0, 1]) == 2 and not pool


# -- bad input --------------------------------------------------------------------------------

BASE: dict[str, Any] = {
    "name": "tiny",
    "horizon": {"interval_min": 30, "open": "08:00", "close": "10:00"},
    "arrivals": {"rate_per_hour": 60},
    "reasons": {
        "general": {"share": 0.9, "talk": {"dist": "exponential", "mean_s": 180}},
        "complaint": {"share": 0.1, "talk": {"dist": "exponential", "mean_s": 300}},
    },
    "customers": {"segments": {"vip": {"share": 0.1}, "regular": {"share": 0.9}}},
    "agents": {
        "groups": {
            "senior": {"shifts": [{"start": "08:00", "end": "10:00", "count": 2}]},
            "junior": {"shifts": [{"start": "08:00", "end": "10:00", "count": 5}]},
        }
    },
    "routing": {
        "call_types": {
            "vip": {"segments": ["vip"], "groups": [{"group": "senior"}]},
            "rest": {"groups": [{"group": "junior"}, {"group": "senior", "after_s": 20}]},
        }
    },
}


def test_the_base_routing_scenario_is_valid() -> None:
    load_scenario(BASE)


def bad(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    change(data)
    return data


def _types(data: dict[str, Any]) -> dict[str, Any]:
    types: dict[str, Any] = data["routing"]["call_types"]
    return types


BAD = {
    "unknown group": (
        lambda d: _types(d)["vip"]["groups"].append({"group": "nobody"}),
        "routing.call_types.vip.groups.1: unknown agent group 'nobody'",
    ),
    "a group taking nothing": (
        lambda d: d["agents"]["groups"].update(
            idle={"shifts": [{"start": "08:00", "end": "10:00", "count": 1}]}
        ),
        "agent group 'idle' takes no call type",
    ),
    "unknown segment": (
        lambda d: _types(d)["vip"].update(segments=["gold"]),
        "routing.call_types.vip.segments: unknown segment 'gold'",
    ),
    "unknown reason": (
        lambda d: _types(d)["vip"].update(reasons=["fraud"]),
        "routing.call_types.vip.reasons: unknown call reason 'fraud'",
    ),
    "primary with a delay": (
        lambda d: _types(d)["vip"]["groups"][0].update(after_s=5),
        "primary group: its after_s must be 0",
    ),
    "group twice": (
        lambda d: _types(d)["vip"]["groups"].append({"group": "senior", "after_s": 9}),
        "group 'senior' is listed twice",
    ),
    "negative delay": (
        lambda d: _types(d)["rest"]["groups"][1].update(after_s=-1),
        "after_s",
    ),
    "delay as text": (
        lambda d: _types(d)["rest"]["groups"][1].update(after_s="20"),
        "after_s",
    ),
    "a pair without a type": (
        lambda d: _types(d)["rest"].update(segments=["regular"], reasons=["general"]),
        "no call type takes segment 'regular' with reason 'complaint'",
    ),
    "unknown key": (
        lambda d: _types(d)["vip"].update(priority=3),
        "priority",
    ),
    "unknown rule": (
        lambda d: d["routing"].update(rule="random"),
        "rule",
    ),
    "no call types": (
        lambda d: d["routing"].update(call_types={}),
        "call_types",
    ),
    "skill factor for a type not taken": (
        lambda d: d["agents"]["groups"]["junior"].update(skill_factors={"vip": 1.2}),
        "agents.groups.junior.skill_factors: 'vip' is not a call type this group takes",
    ),
    "skill factor not positive": (
        lambda d: d["agents"]["groups"]["senior"].update(skill_factors={"vip": 0}),
        "skill_factors",
    ),
    "skill factors without routing": (
        lambda d: (
            d.pop("routing"),
            d["agents"]["groups"]["senior"].update(skill_factors={"vip": 1.2}),
        ),
        "skill_factors: has no effect without a routing block",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_routing_is_one_line_naming_the_field(case: str) -> None:
    change, fragment = BAD[case]
    with pytest.raises(UserError) as error:
        load_scenario(bad(change))
    message = str(error.value)
    assert fragment in message
    assert "\n" not in message


# -- (c) two independent groups match Erlang C and A for their own load ---------------------

ERLANG_REPLICATIONS = 100
CI_FACTOR = 1.5  # as tests/test_validation.py: 2.9 standard errors
SHARE_ALLOWANCE = 0.003  # a finite day's bias on a share (tests/test_validation.py: 0.002)
RELATIVE_ALLOWANCE = 0.015  # and on a time

# Per type: (share of the 240 calls an hour, mean talk s, agents of its group).
DESKS = {"cards": (0.6, 180.0, 9), "loans": (0.4, 300.0, 10)}


def two_independent_desks(mean_patience_s: float | None) -> dict[str, Any]:
    patience = (
        {"dist": "none"}
        if mean_patience_s is None
        else {"dist": "exponential", "mean_s": mean_patience_s}
    )
    return {
        "name": "two desks",
        "horizon": {"open": "00:00", "close": "24:00", "interval_min": 60, "warmup_min": 120},
        "arrivals": {"rate_per_hour": 240},
        "reasons": {
            name: {"share": share, "talk": {"dist": "exponential", "mean_s": talk}}
            for name, (share, talk, _) in DESKS.items()
        },
        "customers": {"patience": patience},
        "agents": {
            "groups": {
                f"{name}_desk": {"shifts": [{"start": "00:00", "end": "24:00", "count": c}]}
                for name, (_, _, c) in DESKS.items()
            }
        },
        "routing": {
            "call_types": {
                name: {"reasons": [name], "groups": [{"group": f"{name}_desk"}]} for name in DESKS
            }
        },
        "simulation": {"replications": ERLANG_REPLICATIONS, "seed": 20240601},
    }


@pytest.mark.slow
@pytest.mark.parametrize("mean_patience_s", [None, 240.0], ids=["erlang_c", "erlang_a"])
def test_two_independent_groups_each_match_erlang(mean_patience_s: float | None) -> None:
    """Poisson arrivals split by reason are two independent Poisson streams; with no overflow
    each group is its own M/M/c (+M) queue at its own load."""
    import callsim
    from callsim.analytic.erlang import mmc_m

    result = callsim.simulate(load_scenario(two_independent_desks(mean_patience_s)), workers=2)
    types = result.slices["call_type"].set_index("call_type")
    groups = result.slices["routing_group"].set_index("routing_group")
    for name, (share, talk, agents) in DESKS.items():
        exact = mmc_m(240 * share / 3600, talk, agents, mean_patience_s or math.inf, 20.0)
        want = {
            "service_level": exact.service_level["offered"],
            "p_wait": exact.p_wait,
            "abandon_rate": exact.abandon_rate,
            "asa_s": exact.asa_s,
        }
        rows = {kpi: (types, name) for kpi in want}
        want["occupancy"] = exact.occupancy
        rows["occupancy"] = (groups, f"{name}_desk")
        for kpi, value in want.items():
            table, member = rows[kpi]
            mean = table.loc[member, f"{kpi}_mean"]
            half = (table.loc[member, f"{kpi}_ci_high"] - table.loc[member, f"{kpi}_ci_low"]) / 2
            allowance = RELATIVE_ALLOWANCE * value if kpi == "asa_s" else SHARE_ALLOWANCE
            assert abs(mean - value) <= CI_FACTOR * half + allowance, (name, kpi, mean, value)


def test_run_prints_and_writes_the_routing_tables(tmp_path: Path) -> None:
    """With routing, ``callsim run`` prints the tables by call type and group and writes them
    (by_call_type.csv, by_routing_group.csv); without, neither."""
    from typer.testing import CliRunner

    from callsim.cli.commands import app

    for routed, data in ((True, BASE), (False, {k: v for k, v in BASE.items() if k != "routing"})):
        path = tmp_path / f"{routed}.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        out = tmp_path / f"out_{routed}"
        result = CliRunner().invoke(app, ["run", str(path), "-r", "2", "-w", "1", "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert ("By call type" in result.output) is routed
        assert (out / "by_call_type.csv").exists() is routed
        assert (out / "by_routing_group.csv").exists() is routed
        if routed:
            table = pd.read_csv(out / "by_call_type.csv")
            assert list(table["call_type"]) == ["vip", "rest"]
