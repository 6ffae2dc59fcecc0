"""The KPI catalogue is the one list of KPIs: everything computed is in it, everything in it is
computed, every table shows its names with its words, and each named value is the quantity its
name says (a KPI computed under another KPI's name would pass every check of shape)."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path
from typing import Any, get_args

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import callsim
from callsim.cli.commands import app
from callsim.experiment.pairing import compare_results
from callsim.experiment.replication import run_replication
from callsim.experiment.results import SimulationResult
from callsim.measure.catalogue import CATALOGUE, GROUPS, Unit, clip_interval, kpis_in, label
from callsim.measure.money import money_label, money_terms
from callsim.model.calllog import ABANDONED, ANSWERED
from callsim.report import run_report
from callsim.scenario.files import load_scenario

DATA = Path(__file__).parent / "data"
SELLING = Path(__file__).resolve().parent.parent / "scenarios" / "policies" / "always.yaml"
COMPUTED = ("horizon", "interval", "agent")
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def small() -> SimulationResult:
    return callsim.simulate(DATA / "small.yaml", replications=2, workers=1)


# -- the catalogue itself ---------------------------------------------------------------------


def test_every_kpi_has_a_unit_and_words_in_both_languages() -> None:
    for name, kpi in CATALOGUE.items():
        assert kpi.name == name
        assert kpi.unit in get_args(Unit), name
        assert kpi.label.strip() and kpi.label != name, name
        assert CJK.search(kpi.label_zh), f"{name}: no Chinese label"
        assert kpi.better in (-1, 0, 1), name
        assert kpi.groups, f"{name} is in no group: neither computed nor shown"
    for lang in ("en", "zh"):
        labels = [label(name, lang) for name in CATALOGUE]
        assert len(set(labels)) == len(labels), f"two KPIs share a {lang} label"


def test_groups_name_catalogue_kpis_once() -> None:
    for group, names in GROUPS.items():
        assert set(names) <= set(CATALOGUE), f"{group}: {set(names) - set(CATALOGUE)}"
        assert len(set(names)) == len(names), f"{group} names a KPI twice"


def test_every_kpi_a_table_shows_is_computed() -> None:
    horizon = set(kpis_in("horizon"))
    for group in ("headline", "service_levels", "selling", "compare", "card", "plans_table"):
        assert set(kpis_in(group)) <= horizon, group
    # A sweep's points hold the compared KPIs only.
    assert set(kpis_in("sweep_table")) <= set(kpis_in("compare"))


def test_every_kpi_whose_unit_cannot_tell_its_range_declares_it() -> None:
    # A share lies in 0-100% and a count is never negative, but money and plain numbers may be
    # anything: revenue is never negative, net contribution may be, satisfaction is 0.2-1.0.
    for name, kpi in CATALOGUE.items():
        if kpi.unit in ("money", "number"):
            assert kpi.bounds is not None, f"{name}: a {kpi.unit} KPI must declare its bounds"
        low, high = kpi.range
        assert low < high, name


@pytest.mark.parametrize(
    ("kpi", "interval", "clipped"),
    [
        ("satisfaction", (0.05, 1.35), (0.2, 1.0)),
        ("satisfaction", (0.6, 0.9), (0.6, 0.9)),
        ("mean_queue", (-0.4, 2.5), (0.0, 2.5)),
        ("max_queue", (-1.0, 9.0), (0.0, 9.0)),
        ("sales_score", (-3.0, 12.0), (0.0, 12.0)),
        ("revenue", (-40.0, 900.0), (0.0, 900.0)),
        ("staff_cost", (-5.0, 60.0), (0.0, 60.0)),
        ("net_contribution", (-500.0, 800.0), (-500.0, 800.0)),
        ("service_level", (0.7, 1.2), (0.7, 1.0)),
        ("asa_s", (-3.0, 12.0), (0.0, 12.0)),
    ],
)
def test_intervals_are_clipped_to_the_declared_range(
    kpi: str, interval: tuple[float, float], clipped: tuple[float, float]
) -> None:
    assert clip_interval(kpi, *interval) == clipped


def test_every_simulated_value_lies_in_its_kpis_range() -> None:
    # The declared ranges are true of what the simulator computes, replication by replication
    # and interval by interval, on a busy selling centre (queues, sales and satisfaction vary).
    scenario = load_scenario(SELLING)
    result = callsim.simulate(scenario, replications=2, seed=3, workers=1)
    for name in kpis_in("horizon"):
        low, high = CATALOGUE[name].range
        values = result.per_replication[name].dropna()
        assert ((values >= low) & (values <= high)).all(), (name, values.tolist())
    for name in kpis_in("interval"):
        low, high = CATALOGUE[name].range
        values = result.intervals[f"{name}_mean"].dropna()
        assert ((values >= low) & (values <= high)).all(), (name, values.tolist())
    assert result.per_replication["satisfaction"].between(0.2, 1.0, inclusive="neither").all()


def test_unknown_names_are_refused() -> None:
    with pytest.raises(KeyError, match="not in the KPI catalogue"):
        label("asa")


# -- computed against catalogued ----------------------------------------------------------------


def test_computed_kpis_are_exactly_the_catalogue_groups() -> None:
    scenario = load_scenario(DATA / "small.yaml")
    for r in range(2):
        kpis = run_replication(scenario, 1, r).kpis
        assert set(kpis.horizon) == set(kpis_in("horizon"))
        assert set(kpis.intervals) == set(kpis_in("interval"))
        assert set(kpis.agents) == set(kpis_in("agent"))
        assert {len(v) for v in kpis.intervals.values()} == {4}
        assert {len(v) for v in kpis.agents.values()} == {5}


def test_results_tables_follow_the_catalogue(small: SimulationResult) -> None:
    assert list(small.summary.index) == list(kpis_in("horizon"))
    assert list(small.per_replication.columns) == list(kpis_in("horizon"))
    means = [c.removesuffix("_mean") for c in small.intervals.columns if c.endswith("_mean")]
    assert means == list(kpis_in("interval"))
    assert [c for c in small.agents.columns if c in CATALOGUE] == list(kpis_in("agent"))


# -- what is shown comes from the catalogue -----------------------------------------------------


def cli(*args: str, cwd: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(cwd)
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def in_order(text: str, words: list[str]) -> bool:
    at = [text.find(w) for w in words]
    return -1 not in at and at == sorted(at)


def test_cli_tables_show_the_catalogue_lists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("small.yaml", "small_csv.yaml", "volume.csv", "staffing.csv"):
        shutil.copy(DATA / name, tmp_path / name)
    out = cli("run", "small.yaml", "-r", "2", "-w", "1", cwd=tmp_path, monkeypatch=monkeypatch)
    renamed = {"service_level", "offers"}  # the CLI spells out the goal and the policy
    # Money's labels say what the money is, from the scenarios shown.
    money = money_terms(
        [load_scenario(DATA / "small.yaml"), load_scenario(DATA / "small_csv.yaml")]
    )
    shown = [money_label(k, "en", money) for k in kpis_in("headline") if k not in renamed]
    assert in_order(out, shown)
    out = cli(
        *("compare", "small.yaml", "small_csv.yaml", "-r", "2", "-w", "1"),
        cwd=tmp_path,
        monkeypatch=monkeypatch,
    )
    # Each compared KPI is a table titled with its label, in the catalogue's order.
    assert in_order(out, [money_label(k, "en", money) for k in kpis_in("compare")])


def test_report_cards_and_tables_show_the_catalogue_lists(small: SimulationResult) -> None:
    for lang in ("en", "zh"):
        page = run_report(small, lang=lang)
        cards = re.findall(r'class="card" data-kpi="([^"]+)"', page)
        # No selling cards for a centre that does not sell: net contribution is then only
        # the staff cost, negated.
        unsold = (*kpis_in("needs_products"), "net_contribution")
        assert cards == [k for k in kpis_in("card") if k not in unsold]
        # The goal's own definition is the "service level" row: it is not listed twice.
        same = f"sl_{small.scenario.service_level.definition}"
        others = [k for k in kpis_in("service_levels") if k != same]
        for kpi in (*kpis_in("headline"), *others):
            assert html.escape(label(kpi, lang), quote=False) in page, kpi
        assert html.escape(label(same, lang), quote=False) not in page


def test_comparison_table_is_the_compare_group(small: SimulationResult) -> None:
    table = compare_results({"a": small, "b": small}).table
    assert list(dict.fromkeys(table["kpi"])) == list(kpis_in("compare"))


# -- each name holds its own quantity -----------------------------------------------------------

# Few agents and impatient callers: answered and abandoned counts differ, and so do the ASA (waits
# of answered calls) and the mean wait (abandoned calls' waits included).
BUSY: dict[str, Any] = {
    "name": "busy",
    "horizon": {"interval_min": 30, "open": "08:00", "close": "10:00"},
    "arrivals": {"rate_per_hour": 90},
    "reasons": {"general": {"share": 1.0, "talk": {"dist": "exponential", "mean_s": 180}}},
    "customers": {"patience": {"dist": "exponential", "mean_s": 60}},
    "agents": {
        "groups": {
            "team": {
                "wage_per_hour": 20,
                "shifts": [{"start": "08:00", "end": "10:00", "count": 3}],
            }
        }
    },
}


def expected_from_calls(calls: pd.DataFrame) -> dict[str, float]:
    """Horizon KPIs worked out from one replication's call records, not from the KPI code."""
    answered = calls[calls["outcome"] == ANSWERED]
    abandoned = calls[calls["outcome"] == ABANDONED]
    answered_wait = answered["answer"] - answered["arrival"]
    resolved_wait = pd.concat([answered_wait, abandoned["patience"]])
    return {
        "offered": len(calls),
        "answered": len(answered),
        "abandoned": len(abandoned),
        "asa_s": answered_wait.mean(),
        "mean_wait_s": resolved_wait.mean(),
        "aht_s": (answered["end"] - answered["answer"]).mean(),
        "abandon_rate": len(abandoned) / len(calls),
        "p_wait": ((answered_wait > 0).sum() + (abandoned["patience"] > 0).sum()) / len(calls),
    }


def test_each_kpi_name_holds_its_own_value() -> None:
    result = callsim.simulate(BUSY, replications=2, workers=1, keep_calls=True)
    assert result.calls is not None
    for r, calls in result.calls.groupby("replication"):
        expected = expected_from_calls(calls)
        assert expected["answered"] != expected["abandoned"]
        assert expected["asa_s"] != pytest.approx(expected["mean_wait_s"])
        got = result.per_replication.loc[r]
        for name, value in expected.items():
            assert got[name] == pytest.approx(value), name


def test_interval_and_agent_kpis_hold_their_own_values() -> None:
    result = callsim.simulate(BUSY, replications=2, workers=1, keep_calls=True)
    assert result.calls is not None
    per_rep = []
    for _, calls in result.calls.groupby("replication"):
        interval = ((calls["arrival"] - 8 * 3600) // 1800).astype(int)
        answered = calls["outcome"] == ANSWERED
        served = calls[calls["agent"] >= 0]
        per_rep.append(
            {
                "answered": np.bincount(interval[answered], minlength=4),
                "abandoned": np.bincount(interval[calls["outcome"] == ABANDONED], minlength=4),
                "calls": np.bincount(served["agent"], minlength=3),
                "busy_h": np.bincount(
                    served["agent"], weights=served["end"] - served["answer"], minlength=3
                )
                / 3600,
            }
        )
    mean = {k: np.mean([p[k] for p in per_rep], axis=0) for k in per_rep[0]}
    assert not np.allclose(mean["answered"], mean["abandoned"])
    for name in ("answered", "abandoned"):
        assert result.intervals[f"{name}_mean"].to_numpy() == pytest.approx(mean[name]), name
    for name in ("calls", "busy_h"):
        assert result.agents[name].to_numpy() == pytest.approx(mean[name]), name
