"""Staffing by simulation: the iterative staffing algorithm (callsim.planning.isa) and its parts.

The parts are checked against hand-worked examples: what a caller who finds a given state gets
(one agent-free exponential race), the state callers found in a call table worked out by hand,
and how a requirement is split over agent groups. The algorithm is checked against what it must
reproduce or beat:

* on stationary M/M/c+M and M/M/c centres, the fewest agents by the exact Erlang A / C inverse
  (``callsim.analytic``), within one agent in every interval but the first (a day starts empty,
  so its first interval needs less than a steady queue);
* on a centre with a sharp peak and 10-minute calls, per-interval Erlang misses the target just
  after the peak while the ISA staffing meets it in at least 90% of intervals, with a much
  smaller spread of service level across intervals, both judged on a fresh seed;
* on a selling centre, selling to everyone needs about the offer load more agents than never
  selling (λ × offer share × pitch), and a threshold rule needs something in between.

Tolerances: a simulated interval is "significantly below" the target when the upper end of its
95% interval over replications is below it; "not significantly below" otherwise. Requirements are
integers; Erlang's inverse is exact, so "within one agent" is the ISA's whole allowance for the
noise of R replications.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from callsim.analytic import (
    agents_for_abandonment,
    agents_for_asa,
    agents_for_service_level,
    callers_finding,
    mmc_m,
)
from callsim.analytic.erlang import _erlang_a_state_law
from callsim.experiment.runner import simulate_many
from callsim.model.calllog import ABANDONED, ANSWERED, WAITING
from callsim.model.roster import build_roster
from callsim.model.timegrid import time_grid
from callsim.planning import isa as isa_module
from callsim.planning.isa import isa_requirement
from callsim.planning.sizing import Target, erlang_for
from callsim.planning.staffed import group_shares, with_staffing
from callsim.planning.state_law import state_laws
from callsim.scenario.files import load_scenario
from callsim.scenario.schema import Scenario


def centre(
    rate_per_hour: float,
    talk_s: float,
    *,
    patience_s: float | None = None,
    hours: int = 3,
    interval_min: int = 30,
    seed: int = 3,
    **extra: Any,
) -> Scenario:
    """A stationary Markovian centre: Poisson arrivals, exponential talk (and patience)."""
    close = f"{8 + hours:02d}:00"
    data: dict[str, Any] = {
        "name": f"M/M/c{'+M' if patience_s else ''} {rate_per_hour}/h",
        "horizon": {"interval_min": interval_min, "open": "08:00", "close": close},
        "arrivals": {"rate_per_hour": rate_per_hour},
        "reasons": {"any": {"share": 1.0, "talk": {"dist": "exponential", "mean_s": talk_s}}},
        "agents": {"groups": {"team": {"shifts": [{"start": "08:00", "end": close, "count": 50}]}}},
        "simulation": {"replications": 20, "seed": seed},
    }
    if patience_s is not None:
        data["customers"] = {"patience": {"dist": "exponential", "mean_s": patience_s}}
    data.update(extra)
    return load_scenario(data)


# -- what a caller who finds a given state gets -------------------------------------------------


def test_callers_finding_the_stationary_law_is_erlang_a() -> None:
    rate, service, patience, c = 10 / 180, 180.0, 300.0, 12
    law = _erlang_a_state_law(rate, 1 / service, 1 / patience, c)
    got = callers_finding(law, c, service, patience, 20.0)
    want = mmc_m(rate, service, c, patience, 20.0)
    assert got.p_wait == pytest.approx(want.p_wait, rel=1e-12)
    assert got.asa_s == pytest.approx(want.asa_s, rel=1e-12)
    assert got.abandon_rate == pytest.approx(want.abandon_rate, rel=1e-12)
    for definition, value in want.service_level.items():
        assert got.service_level[definition] == pytest.approx(value, rel=1e-12)


def test_a_caller_who_finds_every_agent_busy_and_nobody_waiting() -> None:
    """Found c in the system: they wait for the first of c exponential completions, a race at
    rate c/h, against their own patience at rate 1/p (worked by hand)."""
    c, h, p, t = 4, 200.0, 100.0, 20.0
    law = np.zeros(c + 1)
    law[c] = 1.0
    got = callers_finding(law, c, h, p, t)
    serve, give_up = c / h, 1 / p
    assert got.p_wait == 1.0
    assert got.abandon_rate == pytest.approx(give_up / (serve + give_up))
    # Answered within t: the completion comes first and before t.
    answered_in_t = serve / (serve + give_up) * (1 - math.exp(-(serve + give_up) * t))
    assert got.service_level["offered"] == pytest.approx(answered_in_t)
    assert got.asa_s == pytest.approx(1 / (serve + give_up))  # E[wait | served first]
    nobody_hangs_up = callers_finding(law, c, h, math.inf, t)
    assert nobody_hangs_up.service_level["offered"] == pytest.approx(1 - math.exp(-serve * t))
    assert nobody_hangs_up.asa_s == pytest.approx(h / c)


def test_callers_who_find_a_free_agent_never_wait() -> None:
    got = callers_finding(np.array([0.5, 0.3, 0.2]), 3, 300.0, 60.0, 20.0)
    assert (got.p_wait, got.asa_s, got.abandon_rate) == (0.0, 0.0, 0.0)
    assert got.service_level["offered"] == 1.0


# -- the state callers found, read off a call table -------------------------------------------


def by_hand() -> tuple[Scenario, pd.DataFrame]:
    """Two 15-minute intervals, two agents in the first and one in the second, and the call
    table of two days worked out in ``test_state_laws_count_who_each_caller_found_by_hand``."""
    sc = load_scenario(
        {
            "name": "by hand",
            "horizon": {"interval_min": 15, "open": "08:00", "close": "08:30"},
            "arrivals": {"volume": [1, 1]},
            "reasons": {"any": {"share": 1.0, "talk": {"dist": "fixed", "value_s": 60}}},
            "agents": {"groups": {"team": {"staffing": [2, 1]}}},
        }
    )
    t0 = 8 * 3600.0  # 08:00; 08:15 is t0 + 900
    a, b = ANSWERED, ABANDONED
    rows = [
        # replication, arrival, answer, end, patience, outcome, agent
        (0, t0 + 10, t0 + 10, t0 + 1000, 600, a, 1),  # held past agent 1's session from t0+900
        (0, t0 + 20, t0 + 20, t0 + 100, 600, a, 0),  # found call 0
        (0, t0 + 30, np.nan, np.nan, 30, b, -1),  # found calls 0 and 1; gave up at t0+60
        (0, t0 + 950, t0 + 950, t0 + 1100, 600, a, 0),  # call 0 is held: found nobody
        (0, t0 + 960, t0 + 1100, t0 + 1200, 600, a, 0),  # found call 3
        (0, t0 + 970, np.nan, np.nan, 10, b, -1),  # found calls 3 and 4; gave up at t0+980
        (0, t0 + 990, t0 + 1200, t0 + 1300, 600, a, 0),  # found calls 3 and 4
        (1, t0 + 100, t0 + 100, t0 + 200, 600, a, 0),  # another day: alone
    ]
    calls = pd.DataFrame(
        rows, columns=["replication", "arrival", "answer", "end", "patience", "outcome", "agent"]
    )
    return sc, calls


def test_state_laws_count_who_each_caller_found_by_hand() -> None:
    """Agent 1's session ends at 08:15 while on call 0, which it finishes: from then on call 0
    holds none of the interval's agents, and callers after 08:15 do not count it."""
    sc, calls = by_hand()
    grid = time_grid(sc)
    laws = state_laws(calls, grid, build_roster(sc, grid))
    # Interval 0: found 0, 1, 2 on day 0 and 0 on day 1; each day weighs the same.
    np.testing.assert_allclose(laws.law(0), [(1 / 3 + 1) / 2, 1 / 6, 1 / 6])
    np.testing.assert_allclose(laws.law(1), [1 / 4, 1 / 4, 2 / 4])  # day 0 only
    assert laws.callers.tolist() == [4, 4]
    np.testing.assert_allclose(laws.handle_s, [(990 + 80 + 100) / 3, (150 + 100 + 100) / 3])


def test_callers_served_by_the_self_service_menu_are_nobody_in_the_queue() -> None:
    """A call resolved in the menu never queues, and its outcome stays "waiting": counted as in
    the system until the run's end, every later caller found one more, and on the bundled
    centre (649 of 3,367 calls served by the menu) the ISA's requirement climbed to 799 agents
    by the evening against Erlang's 20 or so. The laws are those of the table without them."""
    sc, calls = by_hand()
    grid = time_grid(sc)
    roster = build_roster(sc, grid)
    t0 = 8 * 3600.0
    menu = pd.DataFrame(
        [(0, t0 + k, np.nan, np.nan, 600, WAITING, -1) for k in (5, 25, 940)],
        columns=calls.columns,
    )
    both = pd.concat([calls.assign(ivr=0), menu.assign(ivr=1)], ignore_index=True)
    both = both.sort_values(["replication", "arrival"], ignore_index=True)
    alone, mixed = state_laws(calls, grid, roster), state_laws(both, grid, roster)
    for k in range(len(grid)):
        np.testing.assert_allclose(mixed.law(k), alone.law(k))
    assert mixed.callers.tolist() == alone.callers.tolist() == [4, 4]
    np.testing.assert_allclose(mixed.handle_s, alone.handle_s)


# -- a requirement as a scenario --------------------------------------------------------------


def two_groups() -> Scenario:
    return load_scenario(
        {
            "name": "two groups",
            "horizon": {"interval_min": 30, "open": "08:00", "close": "10:00"},
            "arrivals": {"rate_per_hour": 60},
            "reasons": {"any": {"share": 1.0, "talk": {"dist": "exponential", "mean_s": 180}}},
            "agents": {
                "shrinkage": 0.25,
                "scale": 2.0,
                "groups": {
                    "day": {"shifts": [{"start": "08:00", "end": "10:00", "count": 3}]},
                    "late": {
                        "handle_time_factor": 1.2,
                        "shifts": [{"start": "09:00", "end": "10:00", "count": 1}],
                    },
                },
            },
        }
    )


def test_group_shares_follow_the_roster_interval_by_interval() -> None:
    np.testing.assert_allclose(
        group_shares(two_groups()), [[1, 0], [1, 0], [0.75, 0.25], [0.75, 0.25]]
    )


def test_with_staffing_splits_the_requirement_over_the_groups() -> None:
    sc = two_groups()
    staffed = with_staffing(sc, [2, 4, 4, 5], shrinkage=0.0)
    groups = staffed.agents.groups
    # 5 x 0.75 = 3.75 and 5 x 0.25 = 1.25: the larger remainder takes the odd agent.
    assert groups["day"].staffing == [2, 4, 3, 4]
    assert groups["late"].staffing == [0, 0, 1, 1]
    assert (groups["day"].shifts, staffed.agents.scale, staffed.agents.shrinkage) == (None, 1, 0)
    grid = time_grid(staffed)
    sessions = np.asarray(build_roster(staffed, grid).sessions).reshape(-1, 3)
    on = [((sessions[:, 1] <= s) & (sessions[:, 2] > s)).sum() for s in grid.starts]
    assert on == [2, 4, 4, 5]
    assert with_staffing(sc, [2, 4, 4, 5]).agents.shrinkage == 0.25  # planning keeps it


def test_with_staffing_refuses_a_wrong_length_or_fractions() -> None:
    with pytest.raises(ValueError, match="4 intervals"):
        with_staffing(two_groups(), [1, 2, 3])
    with pytest.raises(ValueError, match="whole numbers"):
        with_staffing(two_groups(), [1, 2, 3, 2.5])  # type: ignore[list-item]


# -- targets -----------------------------------------------------------------------------------


def erlang_c_by_hand(c: int, load: float) -> float:
    top = load**c / math.factorial(c) * c / (c - load)
    return top / (sum(load**k / math.factorial(k) for k in range(c)) + top)


def test_erlang_for_p_wait_is_the_fewest_with_that_delay_probability() -> None:
    rate, aht = 100 / 3600, 180.0  # 5 Erlangs
    need = erlang_for(rate, aht, math.inf, Target("p_wait", 0.2))
    assert erlang_c_by_hand(need, 5.0) <= 0.2 < erlang_c_by_hand(need - 1, 5.0)


def test_erlang_for_each_target_is_the_analytic_inverse() -> None:
    rate, aht, patience = 200 / 3600, 180.0, 300.0
    assert erlang_for(rate, aht, patience, Target("sl", 0.8)) == agents_for_service_level(
        rate, aht, 20.0, 0.8, patience
    )
    assert erlang_for(rate, aht, patience, Target("asa", 15)) == agents_for_asa(
        rate, aht, 15, patience
    )
    assert erlang_for(rate, aht, patience, Target("abandon", 0.03)) == agents_for_abandonment(
        rate, aht, patience, 0.03
    )
    assert erlang_for(0.0, aht, patience, Target("sl", 0.8)) == 0


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("sl", 1.5, "service-level target"),
        ("asa", -3, "ASA target"),
        ("abandon", 1.0, "abandon target"),
        ("p_wait", 0.0, "p_wait target"),
        ("speed", 1.0, "target must be one of"),
    ],
)
def test_targets_refuse_impossible_values(kind: Any, value: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Target(kind, value)


def test_the_default_target_is_the_scenarios_goal() -> None:
    sc = centre(60, 180, service_level={"target": 0.9, "threshold_s": 15, "definition": "answered"})
    assert Target.of(sc) == Target("sl", 0.9, 15, "answered")
    with pytest.raises(ValueError, match="needs a value"):
        Target.of(sc, "asa")


# -- the algorithm -----------------------------------------------------------------------------


def test_isa_on_a_steady_erlang_a_centre_is_the_erlang_a_inverse() -> None:
    """9 Erlangs, 5-minute patience, 80/20: the exact inverse is the fewest agents."""
    sc = centre(180, 180, patience_s=300)
    found = isa_requirement(sc, replications=20, workers=1)
    exact = agents_for_service_level(180 / 3600, 180, 20, 0.8, 300)
    assert found.converged
    assert (found.table["erlang_on_phones"] == exact).all()
    isa = found.table["isa_on_phones"].to_numpy()
    assert np.abs(isa[1:] - exact).max() <= 1, isa
    assert isa[0] <= exact  # the day starts with nobody waiting
    assert list(found.table["required_scheduled"]) == list(isa)  # no shrinkage


def test_isa_is_reproducible_whatever_the_workers(data_dir: Any) -> None:
    sc = load_scenario(data_dir / "small.yaml")
    one = isa_requirement(sc, replications=4, workers=1)
    two = isa_requirement(sc, replications=4, workers=2)
    pd.testing.assert_frame_equal(one.table, two.table)
    assert one.history == two.history
    assert one.iterations == two.iterations


def test_isa_reports_iterations_history_and_the_staffed_scenario() -> None:
    shifts = [{"start": "08:00", "end": "11:00", "count": 9}]
    sc = centre(
        120, 180, patience_s=300, agents={"shrinkage": 0.3, "groups": {"team": {"shifts": shifts}}}
    )
    found = isa_requirement(sc, replications=6, workers=1, max_iterations=1)
    assert found.iterations == 1
    # From a generous start the first proposal is far below it: not converged.
    assert not found.converged
    assert len(found.history) == found.iterations == len(found.calibration)
    # The first staffing is generous: the load plus four standard deviations, and one.
    load = 120 / 3600 * 180
    assert found.history[0] == (math.ceil(load + 4 * math.sqrt(load)) + 1,) * 6
    t = found.table
    assert list(t["required_scheduled"]) == [math.ceil(n / 0.7 - 1e-9) for n in t["isa_on_phones"]]
    staffed = found.staffed()
    assert staffed.agents.groups["team"].staffing == list(t["required_scheduled"])
    assert staffed.agents.shrinkage == 0.3
    summary = found.to_summary_dict()
    assert summary["method"] == "isa"
    assert summary["iterations"] == found.iterations
    goal = {"kind": "sl", "value": 0.8, "threshold_s": 20.0, "definition": "offered"}
    assert summary["target"] == goal
    assert summary["intervals_meeting_target"] == int(t["meets"].sum())


def scripted(monkeypatch: pytest.MonkeyPatch, proposals: list[list[int]]) -> None:
    """The sizing step replaced by a script of proposals, to follow the loop's stopping rules."""
    script = iter(proposals)
    monkeypatch.setattr(isa_module, "_size", lambda *args: (next(script), 1.0))


def test_the_loop_stops_at_a_cycle_and_keeps_its_largest_staffing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sc = centre(60, 180, hours=1)  # 3 Erlangs: 9 or more agents never miss 80/20
    scripted(monkeypatch, [[12, 9], [9, 12], [12, 9]])
    found = isa_requirement(sc, replications=4, workers=1)
    assert found.stop == "cycle" and not found.converged
    assert found.history[1:] == ((12, 9), (9, 12))
    assert list(found.table["isa_on_phones"]) == [12, 12]


def test_the_loop_stops_within_one_agent_and_keeps_the_larger(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sc = centre(60, 180, hours=1)
    scripted(monkeypatch, [[12, 9], [11, 10]])
    found = isa_requirement(sc, replications=4, workers=1)
    assert (found.stop, found.iterations) == ("converged", 2)
    assert list(found.table["isa_on_phones"]) == [12, 10]


def test_an_interval_that_missed_gets_one_agent_more(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two agents for 3 Erlangs miss 80/20 by far; the proposal says two again."""
    sc = centre(60, 180, hours=1)
    scripted(monkeypatch, [[2, 9], [2, 9]])
    found = isa_requirement(sc, replications=4, workers=1)
    assert found.history[-1] == (2, 9)
    assert found.result.intervals["service_level_mean"][0] < 0.8  # the final run, with 3
    assert list(found.table["isa_on_phones"]) == [3, 9]


def test_the_loop_stops_at_max_iterations(monkeypatch: pytest.MonkeyPatch) -> None:
    sc = centre(60, 180, hours=1)
    scripted(monkeypatch, [[20, 9], [9, 20], [15, 15]])
    found = isa_requirement(sc, replications=4, workers=1, max_iterations=2)
    assert (found.stop, found.iterations) == ("max_iterations", 2)
    assert found.history[-1] == (20, 9)
    # The larger of the last staffing simulated and its proposal, interval by interval.
    assert list(found.table["isa_on_phones"]) == [20, 20]


def test_the_table_reports_the_simulated_kpis_of_the_isa_staffing() -> None:
    sc = centre(120, 180, patience_s=300)
    found = isa_requirement(sc, replications=6, workers=1)
    iv = found.result.intervals
    t = found.table
    np.testing.assert_allclose(t["sl_mean"], iv["service_level_mean"])
    np.testing.assert_allclose(t["abandon_rate_mean"], iv["abandon_rate_mean"])
    assert (t["sl_ci_low"] <= t["sl_mean"] + 1e-12).all()
    assert (t["sl_ci_high"] <= 1.0).all()
    agents = iv["agents_logged_in_mean"].to_numpy()
    np.testing.assert_allclose(agents, t["isa_on_phones"], atol=0.05)  # shrinkage 0 in the run
    assert list(t["meets"]) == [bool(v >= 0.8 - 1e-12) for v in t["sl_mean"]]


# -- slow validations --------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("rate_per_hour", "talk_s", "patience_s"),
    [(127.5, 240, 180), (450, 200, 300), (105, 240, None), (300, 240, None)],
    ids=["M/M/c+M 8.5 Erl", "M/M/c+M 25 Erl", "M/M/c 7 Erl", "M/M/c 20 Erl"],
)
def test_isa_on_steady_centres_is_the_analytic_inverse(
    rate_per_hour: float, talk_s: float, patience_s: float | None
) -> None:
    sc = centre(rate_per_hour, talk_s, patience_s=patience_s, hours=4)
    found = isa_requirement(sc, replications=40, workers=2)
    patience = math.inf if patience_s is None else patience_s
    exact = agents_for_service_level(rate_per_hour / 3600, talk_s, 20, 0.8, patience)
    isa = found.table["isa_on_phones"].to_numpy()
    assert found.converged
    assert np.abs(isa[1:] - exact).max() <= 1, (isa, exact)


def peak_centre() -> Scenario:
    """15-minute intervals, 10-minute exponential calls, nobody hangs up: an hour of base load
    (13 calls an interval, 8.7 Erlangs), an hour of a six-fold peak (80 calls, 53 Erlangs), then
    the base again. Erlang C gives 12 agents at the base (80.5% at 80/20) and 61 at the peak."""
    return load_scenario(
        {
            "name": "sharp peak, long calls",
            "horizon": {"interval_min": 15, "open": "08:00", "close": "11:30"},
            "arrivals": {"volume": [13] * 4 + [80] * 4 + [13] * 6},
            "reasons": {"any": {"share": 1.0, "talk": {"dist": "exponential", "mean_s": 600}}},
            "agents": {
                "groups": {"team": {"shifts": [{"start": "08:00", "end": "11:30", "count": 61}]}}
            },
            "simulation": {"replications": 200, "seed": 7},
        }
    )


@pytest.mark.slow
def test_isa_meets_the_target_after_a_peak_where_erlang_misses_it() -> None:
    """Measured (ISA with 200 replications on the scenario's seed; both staffings then on seed 999,
    600 replications): Erlang's first interval after the peak at 75.1% (95% CI up to 77.8%), the
    ISA's at 86.5% with 17 agents instead of 12; the ISA meets the target in all 14 intervals,
    Erlang in 11 by the mean; the spread (standard deviation) of interval service levels is 0.021
    under the ISA against 0.082 under Erlang, which over-staffs the peak's start (100% answered
    within 20 s: the load has not built up yet) and under-staffs its end. The ISA uses 334
    agent-intervals against Erlang's 364."""
    sc = peak_centre()
    found = isa_requirement(sc, replications=200, workers=2)
    isa = found.table["isa_on_phones"].tolist()
    erlang = found.table["erlang_on_phones"].tolist()
    plans = [with_staffing(sc, s, shrinkage=0.0) for s in (isa, erlang)]
    fresh = simulate_many(plans, replications=600, seed=999, workers=2)
    sl = {}
    high = {}
    for name, result in zip(("isa", "erlang"), fresh, strict=True):
        sl[name] = result.intervals["service_level_mean"].to_numpy()
        high[name] = result.intervals["service_level_ci_high"].to_numpy()
    after = 8  # the first interval after the peak
    assert high["erlang"][after] < 0.8, sl["erlang"]
    assert sl["isa"][after] >= 0.8, sl["isa"]
    assert isa[after] > erlang[after]
    assert (high["isa"] >= 0.8).mean() >= 0.9, sl["isa"]
    spread = {name: float(np.std(v, ddof=1)) for name, v in sl.items()}
    assert spread["isa"] < 0.5 * spread["erlang"], spread


def selling_centre(policy: dict[str, Any]) -> Scenario:
    """360 calls an hour of 5-minute calls (30 Erlangs), 10-minute patience; one product every
    caller may be offered, a fixed one-minute pitch: selling to all adds 0.1/s × 60 s = 6
    Erlangs."""
    return centre(
        360,
        300,
        patience_s=600,
        hours=4,
        seed=11,
        agents={
            "groups": {
                "team": {
                    "trained_to_sell": True,
                    "shifts": [{"start": "08:00", "end": "12:00", "count": 40}],
                }
            }
        },
        products={
            "card": {"value": 100, "pitch": {"dist": "fixed", "value_s": 60}, "conversion": 0.2}
        },
        selling={
            "policy": policy,
            "contact_rules": {
                "max_offers": 1000,
                "cooldown_after_refusal_days": 0,
                "never_reasons": [],
            },
        },
    )


@pytest.mark.slow
def test_selling_to_everyone_needs_about_the_offer_load_more_agents() -> None:
    """Measured (40 replications, intervals after the first): 34.1 agents on average never
    selling (Erlang A says 34), 40.1 selling to all (Erlang A with the pitch added to every call
    says 41; a fixed pitch makes calls less variable), 6.0 more for an offer load of 6 Erlangs;
    35.3 by the threshold rule that offers when two other agents are idle (52% of calls)."""
    found = {
        name: isa_requirement(selling_centre(policy), replications=40, workers=2)
        for name, policy in (
            ("never", {"kind": "never"}),
            ("threshold", {"kind": "threshold", "k": -2}),
            ("always", {"kind": "always"}),
        )
    }
    steady = {name: float(r.table["isa_on_phones"][1:].mean()) for name, r in found.items()}
    offer_share = float(found["always"].result.kpi("offer_rate")["mean"])
    assert offer_share == pytest.approx(1.0)
    offer_load = 360 / 3600 * offer_share * 60
    # Square-root staffing c = a + β√a: adding Δa Erlangs adds Δa + β(√(a + Δa) − √a) agents,
    # 0.5 more at β ≈ 1; one more agent for rounding.
    extra = math.sqrt(30 + offer_load) - math.sqrt(30)
    assert abs(steady["always"] - steady["never"] - offer_load) <= extra + 1, steady
    assert steady["never"] < steady["threshold"] < steady["always"], steady
    exact = agents_for_service_level(0.1, 300, 20, 0.8, 600)
    assert abs(steady["never"] - exact) <= 1, steady
