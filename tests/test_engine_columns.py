"""The engine writes answers through views of the call log's columns; when the log grows (more
calls made again than rows reserved for them) the views must follow the columns they moved to.
Columns a run never writes are constant views that take no memory, and read as their blanks.
"""

from __future__ import annotations

import numpy as np
import pytest

from callsim.model.calllog import BLANK, FIELDS
from callsim.model.redials import Redials
from callsim.model.replication import run_model
from callsim.scenario import bundled
from callsim.scenario.files import load_scenario

PLANS = {"sells": "credit_card_hotline", "never sells": "policies/never"}


def _columns(
    monkeypatch: pytest.MonkeyPatch, spare: int | None, plan: str = "sells"
) -> dict[str, np.ndarray]:
    if spare is not None:
        monkeypatch.setattr(Redials, "spare_rows", staticmethod(lambda *args: spare))
    scenario = load_scenario(bundled.path_of(PLANS[plan]))
    assert scenario.customers.retrial is not None  # calls made again grow the log
    return run_model(scenario, 3, 0).calls.columns()


@pytest.mark.parametrize("plan", PLANS)
def test_a_log_that_grows_mid_run_records_every_answer(
    monkeypatch: pytest.MonkeyPatch, plan: str
) -> None:
    reserved = _columns(monkeypatch, None, plan)
    made_again = int(((reserved["attempt"] > 0) | (reserved["repeat"] > 0)).sum())
    assert made_again > 10  # retrials and repeat calls
    grown = _columns(monkeypatch, 1, plan)  # one row to spare: the log grows during the run
    assert grown.keys() == reserved.keys()
    for name, column in reserved.items():
        np.testing.assert_array_equal(grown[name], column, err_msg=name)


def test_what_a_plan_that_never_sells_leaves_blank_takes_no_memory() -> None:
    """Without offers, talk flexing or announcing, those columns are constant views; with
    offers, what an offer writes is a column of its own again."""
    never = run_model(load_scenario(bundled.path_of(PLANS["never sells"])), 3, 0).calls
    blank = ("talk_factor", "pitch", "product", "converted", "announced")
    for name in blank:
        column = getattr(never, name)
        assert column.strides == (0,), name
        np.testing.assert_array_equal(
            never.column(name), np.full(never.size, BLANK[name], dtype=FIELDS[name]), name
        )
    sells = run_model(load_scenario(bundled.path_of(PLANS["sells"])), 3, 0).calls
    for name in ("pitch", "product", "converted"):
        assert getattr(sells, name).strides != (0,), name
    assert (sells.column("product") >= 0).sum() > 100
    assert sells.talk_factor.strides == (0,)  # the threshold rule does not flex talk
