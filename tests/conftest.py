"""Shared fixtures, and the ``slow`` marker's opt-in.

Tests marked ``slow`` (the long statistical validations against Erlang C/A and the selling Markov
chains) are skipped by a plain ``pytest``; ``pytest -m slow`` runs only them, ``pytest --run-slow``
runs everything. ``.ci/run`` runs them after the default run, so CI always runs them.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

DATA = Path(__file__).parent / "data"
SCENARIO_FILES = ("small.yaml", "small_csv.yaml", "volume.csv", "staffing.csv")
SLOW_REASON = "slow statistical validation: run with `pytest -m slow` or `pytest --run-slow`"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--run-slow",
        action="store_true",
        default=False,
        help="also run the tests marked slow (the long statistical validations)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Run slow tests when asked for by option or named in a -m expression (`-m slow`).
    if config.getoption("--run-slow") or "slow" in (config.getoption("markexpr") or ""):
        return
    skip_slow = pytest.mark.skip(reason=SLOW_REASON)
    for item in items:
        if item.get_closest_marker("slow") is not None:
            item.add_marker(skip_slow)


@pytest.fixture
def data_dir() -> Path:
    """The folder of test scenarios and CSV files (``tests/data``)."""
    return DATA


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work in an empty directory so messages show short relative file names."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def scenarios(in_tmp: Path) -> Path:
    """A working directory holding copies of the test scenarios and their CSV files."""
    for name in SCENARIO_FILES:
        shutil.copy(DATA / name, in_tmp / name)
    return in_tmp


@pytest.fixture
def write_yaml() -> Callable[[Path, dict[str, Any] | str], Path]:
    """Write a mapping as YAML (or a string as it is) to a path, creating its folder."""

    def write(path: Path, data: dict[str, Any] | str) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def browser() -> Any:
    """One Chromium for every browser test of the session (launching costs about a second)."""
    from layout import launched_chromium

    with launched_chromium() as b:
        yield b
