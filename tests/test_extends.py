"""A scenario file written as changes to another: ``extends: other.yaml`` plus overrides.

Every test writes its files to a temporary directory; base and child sit in different folders so
that paths relative to the wrong file would not be found.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

import callsim
from callsim.scenario import bundled
from callsim.scenario.files import load_plans, load_sweep_spec
from callsim.scenario.overrides import deep_merge

BASE: dict[str, Any] = {
    "name": "base",
    "description": "the base plan",
    "horizon": {"interval_min": 30, "open": "08:00", "close": "10:00"},
    "arrivals": {"volume": [25, 30, 35, 30], "busyness": {"cv": 0.1}},
    "reasons": {
        "bill": {"share": 0.6, "talk": {"dist": "exponential", "mean_s": 180}},
        "other": {"share": 0.4, "talk": {"dist": "lognormal", "mean_s": 150, "cv": 0.8}},
    },
    "customers": {
        "patience": {"dist": "exponential", "mean_s": 300},
        "retrial": {"probability": 0.3, "delay": {"dist": "exponential", "mean_min": 5}},
    },
    "agents": {
        "shrinkage": 0.2,
        "groups": {
            "team": {
                "wage_per_hour": 20,
                "handle_time_factor": 1.1,
                "shifts": [{"start": "08:00", "end": "10:00", "count": 5}],
            }
        },
    },
    "simulation": {"replications": 3, "seed": 7},
}

VOLUME_CSV = "interval_start,calls\n08:00,11\n08:30,12\n09:00,13\n09:30,14\n"
STAFFING_CSV = "interval_start,agents\n08:00,4\n08:30,5\n09:00,6\n09:30,5\n"


def write(path: Path, data: dict[str, Any] | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def one_line(exc: pytest.ExceptionInfo[BaseException]) -> str:
    message = str(exc.value)
    assert "\n" not in message
    assert "Traceback" not in message
    return message


@pytest.fixture
def base_file(tmp_path: Path) -> Path:
    return write(tmp_path / "plans" / "base.yaml", BASE)


@pytest.fixture
def csv_base(tmp_path: Path) -> Path:
    """A base that reads its forecast and staffing from CSV files next to it."""
    folder = tmp_path / "plans"
    write(folder / "volume.csv", VOLUME_CSV)
    write(folder / "staffing.csv", STAFFING_CSV)
    data = copy.deepcopy(BASE)
    data["arrivals"] = {"volume_csv": "volume.csv"}
    data["agents"]["groups"]["team"] = {"wage_per_hour": 20, "staffing_csv": "staffing.csv"}
    return write(folder / "base.yaml", data)


def child(tmp_path: Path, extends: str, **over: Any) -> Path:
    return write(tmp_path / "variants" / "child.yaml", {"extends": extends, **over})


# --------------------------------------------------------------------------------------------
# merging


def test_child_overrides_a_nested_key_and_keeps_the_rest(tmp_path: Path, base_file: Path) -> None:
    path = child(
        tmp_path,
        "../plans/base.yaml",
        name="child",
        agents={"groups": {"team": {"wage_per_hour": 30}}},
        reasons={"other": {"talk": {"mean_s": 90}}},
    )
    sc = callsim.load_scenario(path)
    base = callsim.load_scenario(base_file)
    assert sc.name == "child"
    team = sc.agents.groups["team"]
    assert team.wage_per_hour == 30
    assert team.handle_time_factor == 1.1  # kept
    assert team.shifts == base.agents.groups["team"].shifts  # kept
    assert sc.agents.shrinkage == 0.2  # a sibling of the changed key's parent: kept
    other = sc.reasons["other"].talk
    assert other.dist == "lognormal" and other.mean_s == 90 and other.cv == 0.8  # merged in
    assert sc.reasons["bill"] == base.reasons["bill"]
    assert sc.arrivals == base.arrivals
    assert sc.customers == base.customers
    assert sc.horizon == base.horizon
    assert sc.simulation == base.simulation
    assert sc.description == "the base plan"


def test_a_list_in_the_child_replaces_the_base_list(tmp_path: Path, base_file: Path) -> None:
    shifts = [
        {"start": "08:00", "end": "09:00", "count": 2},
        {"start": "09:00", "end": "10:00", "count": 3},
    ]
    path = child(tmp_path, "../plans/base.yaml", agents={"groups": {"team": {"shifts": shifts}}})
    team = callsim.load_scenario(path).agents.groups["team"]
    assert [(s.start, s.end, s.count) for s in team.shifts] == [
        ("08:00", "09:00", 2),
        ("09:00", "10:00", 3),
    ]


def test_a_new_distribution_kind_replaces_the_old_one_whole(
    tmp_path: Path, base_file: Path
) -> None:
    path = child(
        tmp_path,
        "../plans/base.yaml",
        reasons={"other": {"talk": {"dist": "exponential", "mean_s": 100}}},
    )
    talk = callsim.load_scenario(path).reasons["other"].talk
    assert talk.dist == "exponential" and talk.mean_s == 100  # no stray cv from the lognormal


def test_null_switches_arrivals_from_volume_to_rate(tmp_path: Path, base_file: Path) -> None:
    path = child(tmp_path, "../plans/base.yaml", arrivals={"volume": None, "rate_per_hour": 50})
    arrivals = callsim.load_scenario(path).arrivals
    assert arrivals.volume is None
    assert arrivals.rate_per_hour == 50
    assert arrivals.busyness is not None and arrivals.busyness.cv == 0.1  # the rest is kept


def test_a_new_source_replaces_the_base_source(tmp_path: Path, base_file: Path) -> None:
    # rate_per_hour, volume and volume_csv exclude each other: giving one drops the base's.
    path = child(tmp_path, "../plans/base.yaml", arrivals={"rate_per_hour": 50})
    arrivals = callsim.load_scenario(path).arrivals
    assert arrivals.rate_per_hour == 50 and arrivals.volume is None


def test_two_sources_in_one_file_are_an_error(tmp_path: Path, base_file: Path) -> None:
    path = child(tmp_path, "../plans/base.yaml", arrivals={"rate_per_hour": 50, "volume": [1]})
    with pytest.raises(callsim.ScenarioError) as exc:
        callsim.load_scenario(path)
    message = one_line(exc)
    assert "child.yaml" in message and "arrivals" in message


def test_null_removes_an_optional_section(tmp_path: Path, base_file: Path) -> None:
    path = child(tmp_path, "../plans/base.yaml", customers={"retrial": None})
    sc = callsim.load_scenario(path)
    assert sc.customers.retrial is None
    assert sc.customers.patience.mean_s == 300


def test_null_for_a_key_the_base_lacks_is_harmless(tmp_path: Path, base_file: Path) -> None:
    path = child(tmp_path, "../plans/base.yaml", outbound=None, name="same")
    sc = callsim.load_scenario(path)
    assert sc.outbound is None and sc.name == "same"


def test_extends_chains_over_several_files(tmp_path: Path, base_file: Path) -> None:
    middle = write(
        tmp_path / "mid" / "middle.yaml",
        {"extends": "../plans/base.yaml", "name": "middle", "agents": {"shrinkage": 0.3}},
    )
    top = write(
        tmp_path / "top" / "top.yaml",
        {"extends": "../mid/middle.yaml", "agents": {"groups": {"team": {"wage_per_hour": 40}}}},
    )
    sc = callsim.load_scenario(top)
    assert sc.name == "middle"
    assert sc.agents.shrinkage == 0.3
    assert sc.agents.groups["team"].wage_per_hour == 40
    assert sc.agents.groups["team"].handle_time_factor == 1.1
    assert middle.is_file()


def test_variants_of_the_base_are_not_inherited(tmp_path: Path) -> None:
    data = copy.deepcopy(BASE)
    data["variants"] = {"busy": {"arrivals": {"scale": 2.0}}}
    write(tmp_path / "plans" / "base.yaml", data)
    path = child(tmp_path, "../plans/base.yaml", name="child")
    plans = load_plans(path)
    assert list(plans) == ["child"]


def test_a_base_with_variants_and_a_sweep_can_be_extended(tmp_path: Path) -> None:
    """A child inherits neither its base's variants nor its sweep, and loads (it was refused
    with "sweep: unknown key", so no bundled policy file could be extended)."""
    data = copy.deepcopy(BASE)
    data["variants"] = {"busy": {"arrivals": {"scale": 2.0}}}
    data["sweep"] = {"agents.scale": "0.9,1.1"}
    write(tmp_path / "plans" / "base.yaml", data)
    path = child(tmp_path, "../plans/base.yaml", name="child")
    assert list(load_plans(path)) == ["child"]
    assert load_sweep_spec(path) == {}
    own = child(tmp_path, "../plans/base.yaml", name="child", sweep={"agents.scale": [1, 2]})
    assert load_sweep_spec(own) == {"agents.scale": [1, 2]}


def test_a_bundled_policy_file_can_be_extended(tmp_path: Path) -> None:
    threshold = bundled.resolve(Path("policies/threshold"))
    path = child(tmp_path, str(threshold), name="mine")
    plans = load_plans(path)
    assert list(plans) == ["mine"]
    assert plans["mine"].selling.policy.kind == "threshold"


def test_a_child_simulates_like_the_same_plan_written_out(tmp_path: Path, base_file: Path) -> None:
    path = child(tmp_path, "../plans/base.yaml", agents={"groups": {"team": {"wage_per_hour": 30}}})
    flat = copy.deepcopy(BASE)
    flat["agents"]["groups"]["team"]["wage_per_hour"] = 30
    a = callsim.simulate(path, replications=2, seed=3, workers=1)
    b = callsim.simulate(flat, replications=2, seed=3, workers=1)
    assert a.summary["mean"].equals(b.summary["mean"])


# --------------------------------------------------------------------------------------------
# CSV tables of the base


def test_csv_paths_of_the_base_resolve_next_to_the_base(tmp_path: Path, csv_base: Path) -> None:
    path = child(tmp_path, "../plans/base.yaml", name="child")
    assert not (path.parent / "volume.csv").exists()
    sc = callsim.load_scenario(path)
    assert sc.arrivals.volume == [11, 12, 13, 14]
    assert sc.agents.groups["team"].staffing == [4, 5, 6, 5]


def test_a_csv_path_of_the_child_resolves_next_to_the_child(tmp_path: Path, csv_base: Path) -> None:
    write(tmp_path / "variants" / "busy.csv", VOLUME_CSV.replace(",1", ",2"))
    path = child(
        tmp_path, "../plans/base.yaml", arrivals={"volume": None, "volume_csv": "busy.csv"}
    )
    sc = callsim.load_scenario(path)
    assert sc.arrivals.volume == [21, 22, 23, 24]
    assert sc.agents.groups["team"].staffing == [4, 5, 6, 5]  # still the base's table


def test_null_switches_a_csv_forecast_to_a_rate(tmp_path: Path, csv_base: Path) -> None:
    """The base file says ``volume_csv``; the child removes exactly that key."""
    path = child(tmp_path, "../plans/base.yaml", arrivals={"volume_csv": None, "rate_per_hour": 50})
    arrivals = callsim.load_scenario(path).arrivals
    assert arrivals.rate_per_hour == 50
    assert arrivals.volume is None and arrivals.volume_csv is None


def test_null_switches_csv_staffing_to_shifts(tmp_path: Path, csv_base: Path) -> None:
    shifts = [{"start": "08:00", "end": "10:00", "count": 3}]
    path = child(
        tmp_path,
        "../plans/base.yaml",
        agents={"groups": {"team": {"staffing_csv": None, "shifts": shifts}}},
    )
    team = callsim.load_scenario(path).agents.groups["team"]
    assert team.staffing is None and team.staffing_csv is None
    assert team.shifts is not None and team.shifts[0].count == 3


def test_a_missing_csv_of_the_base_names_the_base(tmp_path: Path, csv_base: Path) -> None:
    (csv_base.parent / "volume.csv").unlink()
    path = child(tmp_path, "../plans/base.yaml")
    with pytest.raises(callsim.ScenarioError) as exc:
        callsim.load_scenario(path)
    message = one_line(exc)
    assert "base.yaml" in message and "volume.csv" in message


# --------------------------------------------------------------------------------------------
# errors


def test_an_extends_cycle_is_a_one_line_error(tmp_path: Path) -> None:
    write(tmp_path / "a" / "a.yaml", {"extends": "../b/b.yaml", "name": "a"})
    write(tmp_path / "b" / "b.yaml", {"extends": "../a/a.yaml", "name": "b"})
    with pytest.raises(callsim.ScenarioError) as exc:
        callsim.load_scenario(tmp_path / "a" / "a.yaml")
    message = one_line(exc)
    assert "cycle" in message and "extends" in message


def test_a_file_extending_itself_is_a_cycle(tmp_path: Path) -> None:
    path = write(tmp_path / "self.yaml", {"extends": "self.yaml", "name": "s"})
    with pytest.raises(callsim.ScenarioError) as exc:
        callsim.load_scenario(path)
    assert "cycle" in one_line(exc)


def test_a_longer_cycle_is_caught(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", {"extends": "b.yaml"})
    write(tmp_path / "b.yaml", {"extends": "c.yaml"})
    write(tmp_path / "c.yaml", {"extends": "a.yaml"})
    with pytest.raises(callsim.ScenarioError) as exc:
        callsim.load_scenario(tmp_path / "a.yaml")
    assert "cycle" in one_line(exc)


def test_a_diamond_is_not_a_cycle(tmp_path: Path, base_file: Path) -> None:
    """Two files may extend the same base; only a file extending its own descendant loops."""
    write(tmp_path / "x" / "left.yaml", {"extends": "../plans/base.yaml", "name": "left"})
    path = write(tmp_path / "x" / "right.yaml", {"extends": "left.yaml", "name": "right"})
    assert callsim.load_scenario(path).name == "right"


def test_a_missing_base_file_is_a_one_line_error_naming_it(tmp_path: Path) -> None:
    path = child(tmp_path, "../plans/nowhere.yaml", name="child")
    with pytest.raises(callsim.ScenarioError) as exc:
        callsim.load_scenario(path)
    message = one_line(exc)
    assert "nowhere.yaml" in message
    assert "child.yaml" in message


def test_extends_must_be_a_path(tmp_path: Path) -> None:
    path = child(tmp_path, "ignored")
    write(path, "extends: [a.yaml, b.yaml]\nname: child\n")
    with pytest.raises(callsim.ScenarioError) as exc:
        callsim.load_scenario(path)
    assert "extends" in one_line(exc)


def test_a_bad_base_is_reported_against_the_base_file(tmp_path: Path) -> None:
    data = copy.deepcopy(BASE)
    data["agents"]["shrinkage"] = 1.5
    write(tmp_path / "plans" / "base.yaml", data)
    path = child(tmp_path, "../plans/base.yaml", name="child")
    with pytest.raises(callsim.ScenarioError) as exc:
        callsim.load_scenario(path)
    message = one_line(exc)
    assert "base.yaml" in message and "shrinkage" in message


def test_a_bad_override_is_reported_against_the_child(tmp_path: Path, base_file: Path) -> None:
    path = child(tmp_path, "../plans/base.yaml", agents={"groups": {"team": {"wage": 3}}})
    with pytest.raises(callsim.ScenarioError) as exc:
        callsim.load_scenario(path)
    message = one_line(exc)
    assert "child.yaml" in message and "agents.groups.team.wage" in message


# --------------------------------------------------------------------------------------------
# deep_merge itself


def test_deep_merge_rules() -> None:
    base = {
        "a": {"x": 1, "y": {"z": 2}},
        "b": [1, 2],
        "c": 3,
        "policy": {"kind": "threshold", "k": 2},
    }
    snapshot = copy.deepcopy(base)
    merged = deep_merge(
        base,
        {
            "a": {"y": {"w": 4}},
            "b": [9],
            "c": None,
            "d": None,
            "e": {"new": 1},
            "policy": {"kind": "load_toggle", "signal": "queue"},
        },
    )
    assert merged == {
        "a": {"x": 1, "y": {"z": 2, "w": 4}},
        "b": [9],
        "e": {"new": 1},
        "policy": {"kind": "load_toggle", "signal": "queue"},
    }
    assert base == snapshot  # the inputs are left alone
    # The same kind merges key by key.
    assert deep_merge(base, {"policy": {"kind": "threshold", "k": -1}})["policy"] == {
        "kind": "threshold",
        "k": -1,
    }
    assert deep_merge(base, {"policy": {"k": 0}})["policy"] == {"kind": "threshold", "k": 0}
