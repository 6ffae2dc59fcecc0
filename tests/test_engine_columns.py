"""The engine writes answers through views of the call log's columns; when the log grows (more
calls made again than rows reserved for them) the views must follow the columns they moved to.
"""

from __future__ import annotations

import numpy as np
import pytest

from callsim.model.redials import Redials
from callsim.model.replication import run_model
from callsim.scenario import bundled
from callsim.scenario.files import load_scenario


def _columns(monkeypatch: pytest.MonkeyPatch, spare: int | None) -> dict[str, np.ndarray]:
    if spare is not None:
        monkeypatch.setattr(Redials, "spare_rows", staticmethod(lambda *args: spare))
    scenario = load_scenario(bundled.default_path())
    assert scenario.customers.retrial is not None  # calls made again grow the log
    return run_model(scenario, 3, 0).calls.columns()


def test_a_log_that_grows_mid_run_records_every_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    reserved = _columns(monkeypatch, None)
    made_again = int(((reserved["attempt"] > 0) | (reserved["repeat"] > 0)).sum())
    assert made_again > 10  # retrials and repeat calls
    grown = _columns(monkeypatch, 1)  # one row to spare: the log grows during the run
    assert grown.keys() == reserved.keys()
    for name, column in reserved.items():
        np.testing.assert_array_equal(grown[name], column, err_msg=name)
