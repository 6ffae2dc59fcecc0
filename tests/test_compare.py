"""Paired comparisons over common random numbers, against the unpaired view of the same runs."""

from __future__ import annotations

import numpy as np

from callsim.experiment.compare import compare
from callsim.experiment.pairing import paired_difference, unpaired_difference, verdict
from callsim.scenario.files import load_plans

PLAN = {
    "name": "base",
    "horizon": {"days": 1, "interval_min": 60, "open": "08:00", "close": "14:00"},
    "arrivals": {"rate_per_hour": 110},
    "reasons": {"general": {"share": 1, "talk": {"dist": "exponential", "mean_s": 180}}},
    "customers": {"patience": {"dist": "exponential", "mean_s": 200}},
    "agents": {
        "groups": {
            "team": {
                "wage_per_hour": 20,
                "shifts": [{"start": "08:00", "end": "14:00", "count": 7}],
            }
        }
    },
    "variants": {"one more agent": {"agents": {"scale": 8 / 7}}},
}


def test_paired_interval_is_markedly_narrower_than_unpaired() -> None:
    comparison = compare(load_plans(PLAN), replications=30, seed=11, workers=2)
    t = comparison.table.set_index(["kpi", "plan"])
    widths = {}
    for kpi in ("service_level", "asa_s", "abandon_rate"):
        row = t.loc[(kpi, "one more agent")]
        paired = row["diff_ci_high"] - row["diff_ci_low"]
        unpaired = row["unpaired_ci_high"] - row["unpaired_ci_low"]
        widths[kpi] = paired / unpaired
        # Both intervals are centred on the same difference; pairing only removes shared noise.
        assert np.isclose((row["diff_ci_high"] + row["diff_ci_low"]) / 2, row["diff"])
    # The same callers meet both plans, so most of the noise cancels.
    assert max(widths.values()) < 0.6, widths
    assert t.loc[("service_level", "one more agent"), "verdict"] == "better"
    assert t.loc[("staff_cost", "one more agent"), "verdict"] == "worse"


def test_difference_intervals_by_hand() -> None:
    base = np.array([1.0, 2.0, 3.0, 4.0])
    other = base + np.array([0.5, 0.7, 0.3, 0.5])  # differences: mean 0.5, sd 0.1633
    mean, lo, hi = paired_difference(base, other)
    half = 3.182446305284263 * np.std([0.5, 0.7, 0.3, 0.5], ddof=1) / 2  # t(0.975, 3)
    assert np.isclose(mean, 0.5) and np.isclose(hi - mean, half) and np.isclose(mean - lo, half)
    u_lo, u_hi = unpaired_difference(base, other)
    assert u_hi - u_lo > 5 * (hi - lo)
    assert verdict("service_level", lo, hi) == "better"
    assert verdict("asa_s", lo, hi) == "worse"
    assert verdict("offers", lo, hi) == "higher"
    assert verdict("asa_s", -1.0, 1.0) == "no significant difference"
