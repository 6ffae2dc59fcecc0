"""A reason mix per interval: read from a forecast by reason or a share table, drawn per
interval, followed by the per-reason KPIs and by the Erlang staffing's handle time, and refused
in one line when a table is bad."""

from __future__ import annotations

import copy
import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from scipy.stats import norm
from typer.testing import CliRunner

import callsim
from callsim.analytic import scheduled_for
from callsim.cli.commands import app
from callsim.experiment.runner import simulate_many
from callsim.model.demand import draw_demand
from callsim.model.replication import _mean_handle_s
from callsim.model.streams import streams
from callsim.model.timegrid import time_grid
from callsim.planning.isa import erlang_on_phones
from callsim.planning.requirement import staffing_requirement
from callsim.planning.sizing import Target, erlang_for
from callsim.scenario.files import load_plans, load_scenario
from callsim.scenario.reason_mix import handle_per_interval, reason_shares

DATA = Path(__file__).parent / "data"
MIX = DATA / "reason_mix.yaml"
BY_REASON = {  # tests/data/reason_volume.csv, by hand
    "bill_inquiry": [40, 35, 30, 25, 20, 15, 10, 5],
    "activation": [5, 10, 15, 20, 25, 30, 35, 40],
    "complaint": [5] * 8,
}
TALK = {"bill_inquiry": 300.0, "activation": 90.0, "complaint": 420.0}
runner = CliRunner()
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _raw() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(MIX.read_text(encoding="utf-8"))
    return data


# -- reading --------------------------------------------------------------------------------


def test_a_forecast_by_reason_sets_the_volume_and_the_mix() -> None:
    scenario = load_scenario(MIX)
    assert scenario.arrivals.volume == [50.0] * 8
    assert scenario.arrivals.reason_mix == {
        k: [float(v) for v in vs] for k, vs in BY_REASON.items()
    }
    shares = reason_shares(scenario, 8)
    assert shares[0] == pytest.approx([0.8, 0.1, 0.1])
    assert shares[7] == pytest.approx([0.1, 0.8, 0.1])


def test_a_share_table_sets_the_mix_of_any_arrivals(tmp_path: Path) -> None:
    shutil.copy(DATA / "reason_shares.csv", tmp_path)
    data = _raw()
    data["arrivals"] = {"rate_per_hour": 100, "reason_mix_csv": "reason_shares.csv"}
    (tmp_path / "plan.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    scenario = load_scenario(tmp_path / "plan.yaml")
    assert scenario.arrivals.reason_mix is not None
    assert scenario.arrivals.reason_mix["activation"] == pytest.approx(
        [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]
    )
    # The same mix as the forecast by reason (whose intervals all have 50 calls).
    assert reason_shares(scenario, 8) == pytest.approx(reason_shares(load_scenario(MIX), 8))


def test_a_one_day_mix_repeats_over_the_days() -> None:
    data = _raw()
    data["horizon"]["days"] = 2
    data["arrivals"] = {"rate_per_hour": 100, "reason_mix": BY_REASON}
    scenario = load_scenario(data)
    shares = reason_shares(scenario, 16)
    assert shares[8:] == pytest.approx(shares[:8])


# -- drawing --------------------------------------------------------------------------------


def test_per_interval_shares_of_drawn_callers_match_the_forecast_within_their_cis() -> None:
    scenario = load_scenario(MIX)
    grid = time_grid(scenario)
    counts = np.zeros((8, 3))
    for r in range(200):
        demand = draw_demand(scenario, grid, streams(11, r))
        interval = grid.index_of(demand.arrival)
        counts += np.bincount(interval * 3 + demand.reason, minlength=24).reshape(8, 3)
    n = counts.sum(axis=1, keepdims=True)
    expected = np.array(list(BY_REASON.values()), dtype=float).T / 50.0
    # 95% for the 24 shares together (Bonferroni): the binomial standard error of each.
    z = norm.ppf(1 - 0.05 / 2 / expected.size)
    half_width = z * np.sqrt(expected * (1 - expected) / n)
    assert np.abs(counts / n - expected).max() > 0.001  # a sample, not the shares themselves
    assert (np.abs(counts / n - expected) <= half_width).all(), counts / n - expected


def test_a_mix_equal_to_the_shares_everywhere_draws_the_same_reasons() -> None:
    base = _raw()
    base["arrivals"] = {"rate_per_hour": 100}
    flat = copy.deepcopy(base)
    flat["arrivals"]["reason_mix"] = {"bill_inquiry": [5], "activation": [4], "complaint": [1]}
    flat["horizon"]["interval_min"] = 60
    base["horizon"]["interval_min"] = 60
    flat["arrivals"]["reason_mix"] = {k: v * 4 for k, v in flat["arrivals"]["reason_mix"].items()}
    plain, mixed = load_scenario(base), load_scenario(flat)
    grid = time_grid(plain)
    a = draw_demand(plain, grid, streams(3, 0))
    b = draw_demand(mixed, grid, streams(3, 0))
    assert len(a) > 300
    assert np.array_equal(a.reason, b.reason)
    assert np.array_equal(a.talk, b.talk)


def test_plans_facing_the_same_callers_give_them_the_same_reasons() -> None:
    small = load_scenario(MIX)
    big = load_scenario(
        {
            **small.model_dump(mode="json", exclude_none=True),
            "agents": {**small.agents.model_dump(mode="json", exclude_none=True), "scale": 2.0},
        }
    )
    results = simulate_many([small, big], replications=2, seed=5, keep_calls=True)
    calls = [r.calls for r in results]
    assert calls[0] is not None and calls[1] is not None
    first = [c[c["attempt"] == 0] for c in calls]
    assert (first[0]["reason"].to_numpy() == first[1]["reason"].to_numpy()).all()
    assert results[0].per_replication["asa_s"].mean() > results[1].per_replication["asa_s"].mean()


def test_per_reason_kpis_follow_the_mix() -> None:
    # Over the horizon each reason's expected calls are its column's total (bill inquiries 180,
    # activations 180, complaints 40): the per-reason slices count them, within their CIs.
    result = callsim.simulate(MIX, replications=30, seed=2, workers=1)
    table = result.slices["reason"].set_index("reason")
    for name, column in BY_REASON.items():
        low, high = table.loc[name, ["offered_ci_low", "offered_ci_high"]]
        assert low <= sum(column) <= high, (name, low, high)
    # Complaints are a tenth of the calls all day: their count differs from the others'.
    assert table.loc["complaint", "offered_ci_high"] < table.loc["activation", "offered_ci_low"]


# -- staffing ------------------------------------------------------------------------------


def test_erlang_staffing_uses_each_intervals_own_handle_time() -> None:
    scenario = load_scenario(MIX)
    handle = handle_per_interval(scenario, 8)
    by_hand = [
        sum(BY_REASON[r][k] * TALK[r] for r in TALK) / 50.0 for k in range(8)
    ]  # no wrap-up in this scenario
    assert handle == pytest.approx(by_hand)
    table = staffing_requirement(scenario)
    assert table["load_erlangs"].to_numpy() == pytest.approx(50.0 * np.array(by_hand) / 1800)
    target = Target.of(scenario)
    expected = [erlang_for(50.0 / 1800, h, scenario.mean_patience_s(), target) for h in by_hand]
    assert table["required_on_phones"].tolist() == expected
    assert erlang_on_phones(scenario, target) == expected  # the ISA's Erlang column
    assert table["required_scheduled"].tolist() == [scheduled_for(n, 0.0) for n in expected]
    # The morning of long bill inquiries needs more agents than the afternoon of activations,
    # which one mean handle time for the day would staff alike.
    assert expected[0] > expected[-1]


def test_the_expected_wait_signal_assumes_the_mixs_mean_handle_time() -> None:
    # Over the day the forecast has 180 bill inquiries (300 s), 180 activations (90 s) and 40
    # complaints (420 s): 87,000 s over 400 calls, 217.5 s a call, not the shares' 228 s.
    scenario = load_scenario(MIX)
    assert scenario.mean_handle_s() == pytest.approx(228.0)
    assert _mean_handle_s(scenario, time_grid(scenario)) == pytest.approx(217.5)


# -- bad tables -----------------------------------------------------------------------------


def _bad(tmp_path: Path, csv_text: str, *, share_table: bool = False) -> str:
    data = _raw()
    name = "mix.csv"
    if share_table:
        data["arrivals"] = {"rate_per_hour": 100, "reason_mix_csv": name}
    else:
        data["arrivals"] = {"volume_csv": name}
    (tmp_path / "plan.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    (tmp_path / name).write_text(csv_text, encoding="utf-8")
    result = runner.invoke(app, ["validate", "plan.yaml"])
    assert result.exit_code == 2, result.output
    lines = ANSI.sub("", result.stderr).splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in lines[0]
    assert "plan.yaml" in lines[0] and "mix.csv" in lines[0], lines[0]
    return lines[0]


HEADER = "interval_start,bill_inquiry,activation,complaint\n"
ROWS = [f"{8 + k // 2:02d}:{30 * (k % 2):02d}" for k in range(8)]


def _volume(cells: dict[int, str] | None = None, header: str = HEADER) -> str:
    cells = cells or {}
    body = "".join(f"{t},{cells.get(k, '10,10,5')}\n" for k, t in enumerate(ROWS))
    return header + body


def _shares(cells: dict[int, str] | None = None, header: str = HEADER) -> str:
    cells = cells or {}
    return header + "".join(f"{t},{cells.get(k, '0.5,0.4,0.1')}\n" for k, t in enumerate(ROWS))


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("text", "share_table", "fragments"),
    [
        (
            _volume(header="interval_start,bill_inquiry,activaton,complaint\n"),
            False,
            ("arrivals.volume_csv", "column 'activaton' is not a call reason"),
        ),
        (
            _volume(header="interval_start,bill_inquiry,complaint\n").replace(",10,10,5", ",10,5"),
            False,
            ("arrivals.volume_csv", "no column for call reason 'activation'"),
        ),
        (_volume({2: "10,-3,5"}), False, ("line 4", "'activation'", "-3")),
        (_volume({5: "10,,5"}), False, ("line 7", "'activation'", "an empty cell")),
        (_volume({1: "inf,10,5"}), False, ("line 3", "'bill_inquiry'", "finite", "inf")),
        (_volume({1: "1e12,10,5"}), False, ("arrivals.volume_csv", "calls a day")),
        (_volume()[: -len("11:30,10,10,5\n")], False, ("no row for 11:30",)),
        (
            _shares(header="interval_start,bill_inquiry,activation,complaint,fraud\n").replace(
                "0.1\n", "0.1,0\n"
            ),
            True,
            ("arrivals.reason_mix_csv", "column 'fraud' is not a call reason"),
        ),
        (_shares({3: "0.5,0.4,5"}), True, ("09:30", "'complaint'", "at most 1", "5")),
        (_shares({6: "0.5,0.5,0.1"}), True, ("11:00", "sum to 1.1")),
        (_shares({0: "0.5,-0.4,0.1"}), True, ("line 2", "'activation'", "-0.4")),
        (_shares({0: "0.5,x,0.1"}), True, ("line 2", "'activation'", "x")),
    ],
    ids=[
        "unknown_reason_column",
        "reason_column_missing",
        "negative_cell",
        "empty_cell",
        "infinite_cell",
        "huge_cell",
        "missing_row",
        "share_table_unknown_column",
        "share_above_one",
        "shares_not_summing_to_one",
        "negative_share",
        "non_numeric_share",
    ],
)
def test_a_bad_table_is_one_line_naming_file_row_and_column(
    in_tmp: Path, text: str, share_table: bool, fragments: tuple[str, ...]
) -> None:
    line = _bad(in_tmp, text, share_table=share_table)
    for fragment in fragments:
        assert fragment in line, (fragment, line)


def test_a_mix_given_twice_is_refused(in_tmp: Path) -> None:
    data = _raw()
    data["arrivals"]["reason_mix_csv"] = "reason_shares.csv"
    shutil.copy(DATA / "reason_volume.csv", in_tmp)
    shutil.copy(DATA / "reason_shares.csv", in_tmp)
    with pytest.raises(callsim.ScenarioError, match="sets the reason mix"):
        load_scenario({**data, "arrivals": data["arrivals"]})


def test_variants_and_extending_files_replace_the_mix(in_tmp: Path) -> None:
    # A variant with its own forecast by reason, another with its own share table: each plan
    # has its table's mix, not the base's.
    shutil.copy(DATA / "reason_volume.csv", in_tmp)
    shutil.copy(DATA / "reason_shares.csv", in_tmp)
    flipped = (DATA / "reason_volume.csv").read_text(encoding="utf-8").splitlines()
    header, rows = flipped[0], flipped[1:]
    times, counts = [r.split(",", 1)[0] for r in rows], [r.split(",", 1)[1] for r in rows]
    late = [f"{t},{c}" for t, c in zip(times, counts[::-1], strict=True)]  # the day turned round
    (in_tmp / "late.csv").write_text("\n".join([header, *late]) + "\n", encoding="utf-8")
    data = _raw()
    data["variants"] = {
        "late": {"arrivals": {"volume_csv": "late.csv"}},
        "shares": {"arrivals": {"rate_per_hour": 100, "reason_mix_csv": "reason_shares.csv"}},
    }
    (in_tmp / "plan.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    plans = load_plans(in_tmp / "plan.yaml")
    base, late, shares = (reason_shares(p, 8) for p in plans.values())
    assert late == pytest.approx(base[::-1])
    assert shares == pytest.approx(base)  # the share table is the forecast's mix
    (in_tmp / "child.yaml").write_text(
        yaml.safe_dump({"extends": "plan.yaml", "arrivals": {"volume_csv": "late.csv"}}),
        encoding="utf-8",
    )
    assert reason_shares(load_scenario(in_tmp / "child.yaml"), 8) == pytest.approx(base[::-1])


@pytest.mark.parametrize(
    ("mix", "fragment"),
    [
        ({"bill_inquiry": [1] * 8, "activation": [1] * 8, "fraud": [1] * 8}, "unknown call reason"),
        (
            {"bill_inquiry": [1] * 8, "activation": [1] * 8},
            "no weights for call reason 'complaint'",
        ),
        ({"bill_inquiry": [1] * 7, "activation": [1] * 7, "complaint": [1] * 7}, "7 entries"),
        ({"bill_inquiry": [0] * 8, "activation": [0] * 8, "complaint": [0] * 8}, "no weight"),
        (
            {"bill_inquiry": [1] * 8, "activation": [-1] * 8, "complaint": [1] * 8},
            "arrivals.reason_mix.activation.0",
        ),
    ],
)
def test_a_bad_inline_mix_names_the_field(mix: dict[str, list[int]], fragment: str) -> None:
    data = _raw()
    data["arrivals"] = {"rate_per_hour": 100, "reason_mix": mix}
    with pytest.raises(callsim.ScenarioError, match=re.escape(fragment)) as info:
        load_scenario(data)
    assert "\n" not in str(info.value)
