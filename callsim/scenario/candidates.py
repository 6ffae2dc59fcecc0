"""The selling policies ``callsim plan`` staffs and compares, as a planner lists them.

A candidate is a policy mapping (``{kind: threshold, k: -1}``); a value written as a range or a
list (``k: "-3:2"``, ``k: [-1, 0]``) stands for one candidate per value, as in a sweep, and
several such keys for their every combination. Each candidate must be a valid
``selling.policy`` on its own.
"""

from __future__ import annotations

import itertools
from typing import Any

from pydantic import Field, ValidationError, field_validator

from callsim.errors import UserError
from callsim.scenario.selling import Selling
from callsim.scenario.strict import Strict
from callsim.scenario.sweep_grammar import Value, parse_values


class PlanSpec(Strict):
    policies: list[dict[str, Any]] = Field(
        min_length=1,
        description="Candidate selling policies (selling.policy mappings); a range or list "
        "value (k: '-3:2') gives one candidate per value.",
    )

    @field_validator("policies")
    @classmethod
    def _valid(cls, policies: list[dict[str, Any]]) -> list[dict[str, Any]]:
        expand(policies)  # every candidate a valid policy, named once
        return policies


def expand(policies: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each candidate by its name (``threshold k=-1``), in the order given."""
    out: dict[str, dict[str, Any]] = {}
    for n, spec in enumerate(policies):
        if not isinstance(spec, dict) or "kind" not in spec:
            raise ValueError(f"policies.{n}: expected a policy mapping with a kind")
        grid: dict[str, list[Any]] = {}
        for key, value in spec.items():
            try:
                grid[key] = _values(value) if key != "kind" else [value]
            except UserError as exc:
                raise ValueError(f"policies.{n}.{key}: {exc}") from None
        for combo in itertools.product(*grid.values()):
            policy = dict(zip(grid, combo, strict=True))
            try:
                Selling.model_validate({"policy": policy})
            except ValidationError as exc:
                first = exc.errors(include_url=False)[0]
                where = ".".join(str(p) for p in first["loc"][2:])
                raise ValueError(
                    f"policies.{n}{'.' + where if where else ''}: {first['msg']}"
                ) from None
            name = " ".join(
                [str(policy["kind"])] + [f"{k}={v}" for k, v in policy.items() if k != "kind"]
            )
            if name in out:
                raise ValueError(f"policies.{n}: the candidate '{name}' is listed twice")
            out[name] = policy
    return out


def _values(value: Any) -> list[Value | Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, str) and (":" in value or "," in value):
        return list(parse_values(value))
    return [value]


def parse_policy(text: str) -> dict[str, Any]:
    """``threshold k=-3:2`` as typed on the command line: the kind, then key=values."""
    kind, *pairs = text.split()
    if not kind or "=" in kind:
        raise UserError(
            f"--policy '{text}': expected KIND [KEY=VALUES ...], e.g. 'threshold k=-3:2'"
        )
    policy: dict[str, Any] = {"kind": kind}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UserError(f"--policy '{text}': '{pair}' is not KEY=VALUES")
        values = parse_values(value)
        policy[key] = values[0] if len(values) == 1 and ":" not in value else values
    return policy
