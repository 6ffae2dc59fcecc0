"""The calls file names what it holds, reads back as written, and keeping calls (or not) costs
what it should in memory.

Names are checked against facts of a hand-made scenario (a reason's fixed talk time, a segment's
fixed patience, which group may sell which product), not against the writer's own legend; the
text encoder against Python's own formatting and csv module; memory with tracemalloc."""

from __future__ import annotations

import csv
import gc
import gzip
import io
import math
import tracemalloc
import weakref
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import callsim
import callsim.experiment.replication as replication_module
from callsim.experiment.replication import run_replication
from callsim.experiment.results import SimulationResult
from callsim.model.calllog import FIELDS
from callsim.scenario.schema import Scenario
from callsim.store import calls_file
from callsim.store.csv_text import header, labels, lines, numbers
from callsim.store.read import ResultsError, load_calls
from callsim.store.write import write_run

BUNDLED = Path(__file__).resolve().parent.parent / "scenarios"
BILLING, COMPLAINT = "billing, and more", "complaint"  # a comma: the name must be quoted
PATIENT, HASTY = "NA", "普通"  # "NA" must not read back as missing
TALK_S = {BILLING: 100.0, COMPLAINT: 300.0}
PITCH_S = {"card": 40.0, "plan": 20.0}
HASTY_PATIENCE_S = 5.0

# Two hours, two reasons of fixed talk time, a segment that never hangs up and one that hangs up
# after 5 s, two groups of which only one may sell, two products of fixed pitch times offered
# on billing calls only: which name goes with which row can be checked by hand.
NAMES: dict[str, Any] = {
    "name": "names",
    "horizon": {"interval_min": 30, "open": "08:00", "close": "10:00"},
    "arrivals": {"rate_per_hour": 150},
    "reasons": {
        BILLING: {"share": 0.6, "talk": {"dist": "fixed", "value_s": TALK_S[BILLING]}},
        COMPLAINT: {"share": 0.4, "talk": {"dist": "fixed", "value_s": TALK_S[COMPLAINT]}},
    },
    "customers": {
        "patience": {"dist": "fixed", "value_s": HASTY_PATIENCE_S},
        "segments": {
            PATIENT: {"share": 0.3, "priority": 1, "patience": {"dist": "none"}},
            HASTY: {"share": 0.7},
        },
    },
    "agents": {
        "groups": {
            "sellers": {
                "trained_to_sell": True,
                "shifts": [{"start": "08:00", "end": "10:00", "count": 2}],
            },
            "service": {"shifts": [{"start": "08:00", "end": "10:00", "count": 2}]},
        }
    },
    "products": {
        name: {
            "value": 10,
            "pitch": {"dist": "fixed", "value_s": pitch},
            "conversion": 0.5,
            "reasons": [BILLING],
        }
        for name, pitch in PITCH_S.items()
    },
    "selling": {"policy": {"kind": "always"}, "contact_rules": {"max_offers": 5}},
    "simulation": {"replications": 2, "seed": 4},
}


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> tuple[SimulationResult, Path]:
    result = callsim.simulate(NAMES, workers=1, keep_calls=True)
    return result, write_run(result, tmp_path_factory.mktemp("calls") / "res")


def raw(folder: Path) -> pd.DataFrame:
    """The file as any CSV reader sees it: text, and nothing taken for missing but empty cells."""
    return pd.read_csv(folder / "calls.csv.gz", dtype=str, keep_default_na=False)


def seconds(cells: pd.Series) -> np.ndarray:
    return np.array([float(c) if c else math.nan for c in cells])


# -- names -----------------------------------------------------------------------------------


def test_reasons_and_segments_are_named_on_their_own_rows(saved: Any) -> None:
    _, folder = saved
    calls = raw(folder)
    assert set(calls["reason"]) == set(TALK_S)
    for reason, talk in TALK_S.items():
        assert (seconds(calls.loc[calls["reason"] == reason, "talk"]) == talk).all()
    assert set(calls["segment"]) == {PATIENT, HASTY}
    patient = calls["segment"] == PATIENT
    assert (calls.loc[patient, "patience"] == "inf").all()
    assert (calls.loc[patient, "outcome"] != "abandoned").all()
    assert (seconds(calls.loc[~patient, "patience"]) == HASTY_PATIENCE_S).all()


def test_outcomes_are_words_and_agents_the_agents_tables_labels(saved: Any) -> None:
    _, folder = saved
    calls = raw(folder)
    assert set(calls["outcome"]) == {"answered", "abandoned"}  # all done by the close
    answered = calls["outcome"] == "answered"
    agents = pd.read_csv(folder / "agents.csv", dtype=str)
    assert set(calls.loc[answered, "agent"]) <= set(agents["agent"])
    assert calls.loc[answered, "agent"].nunique() == len(agents)  # every agent took calls
    assert (calls.loc[~answered, "agent"] == "").all()
    assert (calls.loc[~answered, "answer"] == "").all()
    served = calls[answered]
    handle = seconds(served["talk"]) + seconds(served["pitch"]) + seconds(served["wrap"])
    assert seconds(served["end"]) - seconds(served["answer"]) == pytest.approx(handle, abs=2e-3)


def test_products_are_named_and_offered_as_the_scenario_says(saved: Any) -> None:
    _, folder = saved
    calls = raw(folder)
    agents = pd.read_csv(folder / "agents.csv", dtype=str)
    sellers = set(agents.loc[agents["group"] == "sellers", "agent"])
    offered = calls["product"] != ""
    assert set(calls.loc[offered, "product"]) == set(PITCH_S)
    assert set(calls.loc[offered, "agent"]) <= sellers
    assert (calls.loc[offered, "reason"] == BILLING).all()
    for product, pitch in PITCH_S.items():
        assert (seconds(calls.loc[calls["product"] == product, "pitch"]) == pitch).all()
    assert (seconds(calls.loc[~offered, "pitch"]) == 0).all()
    assert set(calls.loc[offered, "converted"]) == {"0", "1"}


def test_each_row_names_the_code_the_model_kept(saved: Any) -> None:
    """Row by row against the in-memory codes, decoded with the scenario's own lists."""
    result, folder = saved
    calls, codes = raw(folder), result.calls
    agents = pd.read_csv(folder / "agents.csv", dtype=str)["agent"].tolist()
    decode = {
        "reason": list(NAMES["reasons"]),
        "segment": list(NAMES["customers"]["segments"]),
        "agent": agents,
        "product": list(NAMES["products"]),
        "outcome": ["waiting", "answered", "abandoned"],
    }
    assert len(calls) == len(codes)
    for column, names in decode.items():
        expected = [names[c] if c >= 0 else "" for c in codes[column]]
        assert calls[column].tolist() == expected, column


# -- reading back ----------------------------------------------------------------------------


def test_the_file_reads_back_as_the_named_table(saved: Any) -> None:
    result, folder = saved
    back, named = load_calls(folder), result.named_calls()
    assert named is not None
    assert list(back.columns) == list(result.calls.columns) == ["replication", *FIELDS]
    for column in back.columns:
        got, want = back[column], named[column]
        if want.dtype.kind == "f":
            assert np.array_equal(np.isnan(got), np.isnan(want)), column
            assert np.allclose(got, want, rtol=0, atol=5e-4, equal_nan=True), column
        else:
            pd.testing.assert_series_equal(got, want, check_names=False)
    assert isinstance(back["agent"].dtype, pd.CategoricalDtype)


def test_missing_or_foreign_calls_are_one_line_errors(saved: Any, tmp_path: Path) -> None:
    _, folder = saved
    plain = write_run(callsim.simulate(NAMES, replications=1, workers=1), tmp_path / "plain")
    with pytest.raises(ResultsError, match=r"no calls\.csv\.gz"):
        load_calls(plain)
    text = gzip.decompress((folder / "calls.csv.gz").read_bytes()).decode()
    (plain / "calls.csv.gz").write_bytes(gzip.compress(text.replace(COMPLAINT, "refund").encode()))
    with pytest.raises(ResultsError, match=r"reason: 'refund' is not a name of this run") as err:
        load_calls(plain)
    assert "\n" not in str(err.value)


def test_the_same_run_writes_the_same_bytes_whatever_the_workers_and_blocks(
    saved: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, folder = saved
    again = callsim.simulate(NAMES, workers=2, keep_calls=True)
    assert (write_run(again, tmp_path / "again") / "calls.csv.gz").read_bytes() == (
        folder / "calls.csv.gz"
    ).read_bytes()
    monkeypatch.setattr(calls_file, "BLOCK_ROWS", 7)  # many blocks, the last one short
    small = write_run(again, tmp_path / "blocks") / "calls.csv.gz"
    assert gzip.decompress(small.read_bytes()) == gzip.decompress(
        (folder / "calls.csv.gz").read_bytes()
    )


# -- the text encoder against Python's own formatting ----------------------------------------


def python_text(x: float, places: int) -> str:
    if math.isnan(x):
        return ""
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    text = f"{round(x * 10**places) / 10**places:.{places}f}"  # round() is half-even, as rint
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return "0" if text == "-0" else text


finite = st.floats(min_value=-1e7, max_value=1e7, allow_nan=False)
cell = st.one_of(finite, st.sampled_from([math.nan, math.inf, -math.inf, 0.0, -0.0, 0.0005]))


@settings(max_examples=200, deadline=None)
@given(values=st.lists(cell, min_size=1, max_size=40), places=st.integers(0, 6))
def test_numbers_are_written_as_python_rounds_them(values: list[float], places: int) -> None:
    x = np.array(values)
    text = lines([numbers(x, places)]).decode()
    assert text.split("\n")[:-1] == [python_text(v, places) for v in values]


@given(st.lists(st.integers(-(2**31), 2**31 - 1), min_size=1, max_size=40))
def test_whole_numbers_are_written_exactly(values: list[int]) -> None:
    text = lines([numbers(np.array(values, dtype=np.int64))]).decode()
    assert text.split("\n")[:-1] == [str(v) for v in values]


awkward = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1
)


@given(
    names=st.lists(awkward, min_size=1, max_size=5, unique=True),
    picks=st.lists(st.integers(-1, 4), min_size=1, max_size=30),
)
def test_names_read_back_with_the_csv_module(names: list[str], picks: list[int]) -> None:
    codes = np.array([p if p < len(names) else -1 for p in picks])
    text = header(["name", "n"]) + lines([labels(codes, names), numbers(np.arange(len(codes)))])
    rows = list(csv.reader(io.StringIO(text.decode("utf-8"), newline="")))
    assert rows[0] == ["name", "n"]
    assert [r[0] for r in rows[1:]] == [names[c] if c >= 0 else "" for c in codes]
    assert [int(r[1]) for r in rows[1:]] == list(range(len(codes)))


def test_a_code_without_a_name_is_refused() -> None:
    with pytest.raises(ValueError, match="code 2 has no name"):
        labels(np.array([0, 2]), ["a", "b"])


# -- memory ----------------------------------------------------------------------------------


def centre(agents: int, days: int = 1) -> Scenario:
    """A centre at 95% load, calls in proportion to agents (the benchmarks' model B shape)."""
    return callsim.load_scenario(
        {
            "name": f"centre-{agents}",
            "horizon": {"days": days, "interval_min": 60, "open": "00:00", "close": "24:00"},
            "arrivals": {"rate_per_hour": 14.25 * agents},
            "reasons": {"all": {"share": 1.0, "talk": {"dist": "exponential", "mean_s": 240}}},
            "customers": {"patience": {"dist": "exponential", "mean_s": 300}},
            "agents": {"groups": {"all": {"staffing": [agents] * 24}}},
        }
    )


def traced_peak(run: Any) -> tuple[int, Any]:
    gc.collect()
    tracemalloc.start()
    try:
        out = run()
        return tracemalloc.get_traced_memory()[1], out
    finally:
        tracemalloc.stop()


@pytest.mark.slow
@pytest.mark.parametrize("keep_calls", [False, True])
def test_memory_per_call_of_a_long_run_stays_under_100_bytes(keep_calls: bool) -> None:
    """What each further call costs at the peak of one replication (the run's fixed memory,
    roster and interval tables, drops out of the difference of two sizes), kept calls
    included: they are the run's own columns, not a copy."""
    run_replication(centre(10), 1, 0)  # imports and caches out of the way
    small, big = centre(250), centre(500)
    p_small, out_small = traced_peak(lambda: run_replication(small, 1, 0, keep_calls))
    p_big, out_big = traced_peak(lambda: run_replication(big, 1, 0, keep_calls))
    n_small, n_big = (o.kpis.horizon["offered"] for o in (out_small, out_big))
    assert n_big > 150_000
    assert (out_big.calls is not None) == keep_calls
    assert (p_big - p_small) / (n_big - n_small) < 100


def test_a_study_without_keep_calls_holds_no_calls() -> None:
    """Each extra replication adds its KPIs only: far less than the 80-odd bytes a call of the
    call table takes (the in-memory columns add up to that)."""
    scenario = centre(20)
    run_replication(scenario, 1, 0)
    counts = (2, 6)
    peaks, calls = [], []
    for n in counts:
        peak, result = traced_peak(
            lambda n=n: callsim.simulate(scenario, replications=n, seed=3, workers=1)
        )
        assert result.calls is None
        peaks.append(peak)
        calls.append(result.per_replication["offered"].mean())
    per_call = (peaks[1] - peaks[0]) / (counts[1] - counts[0]) / np.mean(calls)
    assert per_call < 8


@pytest.mark.parametrize(
    "scenario",
    ["credit_card_hotline.yaml", *(f"policies/{p}.yaml" for p in ("load_toggle", "talk_flex"))],
)
def test_a_replications_call_log_is_freed_when_it_ends(
    scenario: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """By reference counting alone (the garbage collector is off): not at the interpreter's
    next full collection, which may come many replications later. Bundled scenarios that sell,
    call again and run policies with periodic reviews."""
    logs: list[weakref.ref[Any]] = []
    run_model = replication_module.run_model

    def watched(*args: Any) -> Any:
        run = run_model(*args)
        logs.append(weakref.ref(run.calls))
        return run

    monkeypatch.setattr(replication_module, "run_model", watched)
    model = callsim.load_scenario(BUNDLED / scenario)
    gc.disable()
    try:
        for keep_calls in (False, True):
            out = run_replication(model, 1, 0, keep_calls)
            assert logs[-1]() is None
            assert (out.calls is not None and len(out.calls) > 1000) == keep_calls
    finally:
        gc.enable()
