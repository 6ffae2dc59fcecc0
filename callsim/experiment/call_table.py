"""The names behind the call table's codes.

In memory a run keeps each call's reason, segment, agent, outcome and product as small integers:
positions in the scenario's ``reasons``, ``customers.segments`` and ``products``, rows of the
agents table, and :data:`callsim.model.calllog.OUTCOMES`; -1 where there is no agent or no
product. That is compact and what analysis indexes other tables with, but not readable, so the
calls file and :func:`named` give every code its name from the :func:`legend`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from callsim.model.calllog import OUTCOMES
from callsim.scenario.schema import Scenario

Legend = Mapping[str, Sequence[str]]
"""For each coded column, the name of each code (code k is ``legend[column][k]``)."""


def legend(scenario: Scenario, agents: Iterable[str]) -> dict[str, list[str]]:
    """The names of a run's codes; ``agents``: the roster's labels, in the agents table's order."""
    return {
        "reason": list(scenario.reasons),
        "segment": list(scenario.customers.segments),
        "agent": [str(label) for label in agents],
        "outcome": list(OUTCOMES),
        "product": list(scenario.products),
    }


def named(calls: pd.DataFrame, names: Legend) -> pd.DataFrame:
    """The call table with each coded column a categorical of its names (missing where the code
    is -1): as compact as the codes, since a categorical keeps them, and readable."""
    columns: dict[str, object] = {}
    for column in calls.columns:
        values = calls[column]
        if column in names:
            columns[column] = pd.Categorical.from_codes(
                values.to_numpy(), categories=_categories(names[column])
            )
        else:
            columns[column] = values.to_numpy()
    return pd.DataFrame(columns, index=calls.index)


def _categories(names: Sequence[str]) -> pd.Index:
    """Text categories whether or not there are any (an empty index would be of objects)."""
    return pd.Index(list(names), dtype="str")
