"""A selling policy is one file: a config class, a rule behind the Centre contract, a register call.

The toy policy here lives in this test alone — the engine, the scenario schema and the error
messages learn of it only through the registry — and it decides per call, which the contract's
``may_offer(agent, call)`` makes possible without touching the engine.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pytest

import callsim
from callsim.model.replication import run_model
from callsim.policies import registry
from callsim.policies.contract import Call, Centre, PolicyConfig, SellingPolicy
from callsim.scenario.files import ScenarioError, load_scenario

POLICIES = Path(callsim.__file__).parent / "policies"


class VipWhenQuietConfig(PolicyConfig):
    """Offer only to VIP callers, and only while at most ``k`` callers wait."""

    kind: Literal["vip_when_quiet"]
    k: int = 0


class VipWhenQuiet(SellingPolicy):
    sells = True

    def __init__(self, config: VipWhenQuietConfig) -> None:
        self.k = config.k
        self.decisions: list[tuple[int, int, bool]] = []  # (segment, waiting, offered)

    def bind(self, centre: Centre) -> None:
        super().bind(centre)
        self.vip = centre.segment_index("vip")

    def may_offer(self, agent: int, call: Call) -> bool:
        waiting = self.centre.waiting()
        offer = call.segment == self.vip and waiting <= self.k
        self.decisions.append((call.segment, waiting, offer))
        return offer


MADE: list[VipWhenQuiet] = []


def _make(config: VipWhenQuietConfig) -> VipWhenQuiet:
    policy = VipWhenQuiet(config)
    MADE.append(policy)
    return policy


SCENARIO: dict[str, Any] = {
    "name": "toy policy",
    "horizon": {"interval_min": 30, "open": "08:00", "close": "11:00"},
    "arrivals": {"rate_per_hour": 150},
    "reasons": {"bill": {"share": 1.0, "talk": {"dist": "exponential", "mean_s": 170}}},
    "customers": {
        "patience": {"dist": "exponential", "mean_s": 300},
        "segments": {"vip": {"share": 0.3, "priority": 1}, "regular": {"share": 0.7}},
    },
    "agents": {
        "groups": {
            "sellers": {
                "trained_to_sell": True,
                "shifts": [{"start": "08:00", "end": "11:00", "count": 8}],
            }
        }
    },
    "products": {
        "card": {"value": 100, "pitch": {"dist": "fixed", "value_s": 60}, "conversion": 0.3}
    },
    "selling": {
        "policy": {"kind": "vip_when_quiet", "k": 1},
        "contact_rules": {"max_offers": 1000, "cooldown_after_refusal_days": 0.0},
    },
    "simulation": {"replications": 2, "seed": 3},
}


@pytest.fixture
def toy_policy() -> Iterator[None]:
    registry.register(VipWhenQuietConfig, _make)
    MADE.clear()
    yield
    registry.unregister("vip_when_quiet")


def test_a_policy_registered_from_outside_runs_in_the_engine(toy_policy: None) -> None:
    scenario = load_scenario(SCENARIO)
    assert isinstance(scenario.selling.policy, VipWhenQuietConfig)
    run = run_model(scenario, seed=3, replication=0)
    policy = MADE[-1]
    decisions = np.array(policy.decisions)
    # It was asked at every talk end of the run and decided by the call and the queue.
    answered = int((run.calls.column("agent") >= 0).sum())
    assert len(decisions) == answered
    offered = decisions[:, 2] == 1
    assert offered.any() and not offered.all()
    assert (decisions[offered, 0] == 0).all()  # VIPs only (segment 0)
    assert (decisions[offered, 1] <= 1).all()  # only while at most k = 1 waits
    vip_refused = (decisions[:, 0] == 0) & ~offered
    assert (decisions[vip_refused, 1] > 1).all()
    # Every offer the engine made is one the policy allowed, to a VIP caller.
    product = run.calls.column("product")
    segment = run.calls.column("segment")
    assert (product >= 0).sum() == offered.sum()
    assert (segment[product >= 0] == 0).all()


def test_a_registered_policy_is_in_the_schema_and_its_errors_name_the_field(
    toy_policy: None,
) -> None:
    from callsim.scenario.schema import Scenario

    assert "VipWhenQuietConfig" in Scenario.model_json_schema()["$defs"]
    bad = copy.deepcopy(SCENARIO)
    bad["selling"]["policy"]["k"] = "one"
    with pytest.raises(ScenarioError, match=r"selling\.policy\.k: "):
        load_scenario(bad)


def test_an_unregistered_policy_is_refused_again() -> None:
    with pytest.raises(ScenarioError, match=r"selling\.policy"):
        load_scenario(SCENARIO)


def test_built_in_policies_are_all_registered_from_their_own_files() -> None:
    modules = {p.stem for p in POLICIES.glob("*.py")} - {"__init__", "contract", "registry"}
    assert set(registry.kinds()) == modules


def test_no_policy_imports_the_engine_or_the_model() -> None:
    """Policies see the centre through the contract only."""
    for path in POLICIES.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                assert not name.startswith("callsim.model"), f"{path.name} imports {name}"
