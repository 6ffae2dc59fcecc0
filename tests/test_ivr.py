"""The self-service menu in front of the queue: who it resolves, and what its time costs.

Each reason's first calls are resolved in the menu with the configured share, so the share
deflected per reason must match it within the confidence interval over replications (fixed
seed). The menu's time is exact: with agents always free, a caller's only wait is the menu's,
and it counts in ASA only when the scenario says so.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import yaml
from helpers import merge
from typer.testing import CliRunner

import callsim
from callsim.cli.commands import app
from callsim.model.replication import run_model

SHARES = {"bill": 0.4, "activation": 0.25, "complaint": 0.0}

BASE: dict[str, Any] = {
    "name": "ivr",
    "horizon": {"days": 1, "interval_min": 60},
    "arrivals": {"rate_per_hour": 60},
    "reasons": {
        "bill": {"share": 0.5, "talk": {"dist": "exponential", "mean_s": 180}},
        "activation": {"share": 0.3, "talk": {"dist": "exponential", "mean_s": 120}},
        "complaint": {"share": 0.2, "talk": {"dist": "exponential", "mean_s": 300}},
    },
    "customers": {"patience": {"dist": "exponential", "mean_s": 240}},
    "agents": {"groups": {"team": {"shifts": [{"start": "00:00", "end": "24:00", "count": 4}]}}},
    "ivr": {"containment": SHARES, "time": {"dist": "fixed", "value_s": 40}},
    "simulation": {"replications": 12, "seed": 11},
}


def test_deflected_share_per_reason_matches_the_configured_one() -> None:
    result = callsim.simulate(BASE, workers=1)
    by_reason = result.by("reason").set_index("reason")
    for reason, share in SHARES.items():
        row = by_reason.loc[reason]
        if share == 0:
            assert row["deflected_calls_mean"] == 0
            continue
        assert row["ivr_containment_ci_low"] <= share <= row["ivr_containment_ci_high"], reason
    overall = sum(BASE["reasons"][r]["share"] * s for r, s in SHARES.items())  # 0.275
    c = result.kpi("ivr_containment")
    assert c["ci_low"] <= overall <= c["ci_high"]


def test_deflected_calls_never_reach_the_queue() -> None:
    run = run_model(callsim.load_scenario(BASE), 11, 0)
    c = run.calls
    deflected = c.column("ivr") == 1
    assert deflected.sum() > 100
    assert (c.column("agent")[deflected] == -1).all()
    assert (c.column("resolved")[deflected] == -1).all()
    result = callsim.simulate(merge(BASE, {"simulation": {"replications": 2}}), workers=1)
    per = result.per_replication
    # Calls offered to the agents plus deflected ones are every call.
    first = per["offered"] + per["deflected_calls"] - per["retrials"]
    assert (first > 0).all()
    assert (per["ivr_containment"] == per["deflected_calls"] / first).all()


@pytest.mark.parametrize("counts", [False, True])
def test_menu_time_counts_as_wait_only_when_asked(counts: bool) -> None:
    ample = merge(
        BASE,
        {
            "arrivals": {"rate_per_hour": 4},
            "agents": {
                "groups": {"team": {"shifts": [{"start": "00:00", "end": "24:00", "count": 20}]}}
            },
            "ivr": {"time_counts_as_wait": counts},
            "simulation": {"replications": 2},
        },
    )
    result = callsim.simulate(ample, workers=1)
    assert result.kpi("asa_s")["mean"] == pytest.approx(40.0 if counts else 0.0)
    assert result.kpi("mean_queue")["mean"] == 0.0  # the menu is not the queue


def test_calls_made_again_skip_the_menu() -> None:
    scenario = merge(
        BASE,
        {
            "customers": {
                "retrial": {"probability": 0.5, "delay": {"dist": "fixed", "value_s": 60}}
            },
            "agents": {
                "groups": {"team": {"shifts": [{"start": "00:00", "end": "24:00", "count": 2}]}}
            },
        },
    )
    c = run_model(callsim.load_scenario(scenario), 11, 0).calls
    again = c.column("attempt") > 0
    assert again.sum() > 0
    assert (c.column("ivr")[again] == 0).all() and (c.column("ivr_s")[again] == 0).all()
    first = ~again & (c.column("repeat") == 0)
    assert np.allclose(c.column("ivr_s")[first], 40.0)


runner = CliRunner()


@pytest.mark.parametrize(
    ("change", "fragments"),
    [
        ({"ivr": {"containment": {"bill": 1.2}}}, ("ivr.containment.bill",)),
        ({"ivr": {"containment": {"billing": 0.4}}}, ("ivr.containment", "billing")),
        ({"ivr": {"time": {"dist": "fixed", "value_s": -3}}}, ("ivr.time",)),
        ({"ivr": {"time_counts_as_wait": "yes"}}, ("ivr.time_counts_as_wait",)),
        ({"ivr": {"containment": SHARES, "menu": 3}}, ("ivr.menu",)),
    ],
)
def test_bad_ivr_settings_name_the_field(
    tmp_path: Any, change: dict[str, Any], fragments: tuple[str, ...]
) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(merge(BASE, change), sort_keys=False), encoding="utf-8")
    out = runner.invoke(app, ["validate", str(path)])
    assert out.exit_code == 2, out.output
    message = out.output.strip()
    assert len(message.splitlines()) == 1 and "Traceback" not in message
    for fragment in (path.name, *fragments):
        assert fragment in message, (fragment, message)


# Steering: customers who call several times (a population), one reason, a generous agent.
STEER: dict[str, Any] = {
    "name": "steering",
    "horizon": {"days": 4, "interval_min": 60},
    "arrivals": {"rate_per_hour": 40},
    "reasons": {"bill": {"share": 1.0, "talk": {"dist": "exponential", "mean_s": 180}}},
    "agents": {"groups": {"team": {"shifts": [{"start": "00:00", "end": "24:00", "count": 5}]}}},
    "selling": {"population": 600},
    "ivr": {
        "containment": {},
        "steering": {"share": 0.5, "reasons": ["bill"], "effect": 0.6, "time_s": 20},
    },
    "simulation": {"replications": 6, "seed": 5},
}


def _steered_before(c: Any) -> tuple[np.ndarray, np.ndarray]:
    """First calls whose customer an agent had steered before they rang (worked out from the
    call log alone: the steer happens at the talk end, the call's end less its 20 s), and
    which of those were made in self-service."""
    n = len(c.column("arrival"))
    steered = c.column("steered") == 1
    talk_end = c.column("end") - c.column("wrap") - c.column("pitch") - 20.0
    first_steer: dict[int, float] = {}
    for row in np.flatnonzero(steered):
        customer = int(c.column("customer")[row])
        first_steer[customer] = min(first_steer.get(customer, np.inf), float(talk_end[row]))
    first = (c.column("attempt") == 0) & (c.column("repeat") == 0)
    eligible = np.zeros(n, dtype=bool)
    for row in np.flatnonzero(first):
        eligible[row] = (
            first_steer.get(int(c.column("customer")[row]), np.inf) < c.column("arrival")[row]
        )
    return eligible, first & (c.column("ivr") == 1)


def test_steered_customers_later_calls_self_serve_with_the_configured_effect() -> None:
    model = callsim.load_scenario(STEER)
    shares, talk_added = [], []
    for r in range(6):
        c = run_model(model, 5, r).calls
        eligible, self_served = _steered_before(c)
        assert not (self_served & ~eligible).any()  # only steered customers self-serve
        shares.append(float(self_served[eligible].mean()))
        answered = c.column("agent") >= 0
        steered = c.column("steered") == 1
        talk_added.append(float(steered[answered].mean()))
    d = np.array(shares)
    half = 2.571 * d.std(ddof=1) / np.sqrt(len(d))  # t(0.975, 5)
    assert abs(d.mean() - 0.6) <= half, (d.mean(), half)
    s = np.array(talk_added)
    assert abs(s.mean() - 0.5) <= 2.571 * s.std(ddof=1) / np.sqrt(len(s))


def test_steering_lowers_the_load_of_the_days_after() -> None:
    steered = callsim.simulate(STEER, workers=1).by("day")
    never = callsim.simulate(merge(STEER, {"ivr": {"steering": {"share": 0.0}}}), workers=1).by(
        "day"
    )
    assert (never["deflected_calls_mean"] == 0).all()
    offered = steered["offered_mean"].to_numpy() / never["offered_mean"].to_numpy()
    # Day 1 barely differs; each later day more of the customers have been steered.
    assert offered[0] > offered[1] > offered[3]
    assert offered[3] < 0.85


def test_callers_still_in_the_menu_at_the_close_reach_the_queue_before_it() -> None:
    closing = merge(
        BASE,
        {
            "horizon": {"open": "08:00", "close": "10:00", "interval_min": 30},
            "agents": {
                "groups": {"team": {"shifts": [{"start": "08:00", "end": "10:00", "count": 4}]}}
            },
            "ivr": {"time": {"dist": "fixed", "value_s": 600}},
        },
    )
    c = run_model(callsim.load_scenario(closing), 11, 0).calls
    first = (c.column("attempt") == 0) & (c.column("repeat") == 0)
    close = 10 * 3600.0
    assert (c.column("arrival")[first] < close).all()
    late = first & (c.column("ivr_s") < 599.9)
    assert late.any() and np.allclose(c.column("arrival")[late], close)
    assert (c.column("outcome")[first & (c.column("ivr") == 0)] != 0).all()  # none left waiting


def test_a_menu_that_resolves_nobody_and_takes_no_time_changes_nothing() -> None:
    """The menu's own draws are on their own streams: nobody else's numbers move."""
    plain = {k: v for k, v in BASE.items() if k != "ivr"}
    idle = merge(plain, {"ivr": {"containment": {}, "time": {"dist": "fixed", "value_s": 0}}})
    a = callsim.simulate(merge(plain, {"simulation": {"replications": 3}}), workers=1)
    b = callsim.simulate(merge(idle, {"simulation": {"replications": 3}}), workers=1)
    menu = ["deflected_calls", "ivr_containment", "fcr", "repeats_per_first_call"]
    assert (b.per_replication["ivr_containment"] == 0).all()
    assert a.per_replication.drop(columns=menu).equals(b.per_replication.drop(columns=menu))
