"""The self-service menu in front of the queue: which first calls it resolves, and when the
others reach the queue.

Decided for every caller before the clock starts, from the caller's own draws (streams ``ivr``
and ``ivr_time``), so two plans on the same seed see the same callers deflected. A call's arrival
becomes the moment the menu lets it go: into the queue, or hung up resolved; the rows are put
back in that order, as the engine takes first calls in arrival order. A caller still in the menu
when the line closes reaches the queue just before the close, whose rule then applies to them as
to everyone waiting (nobody reaches a closed line's queue).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from callsim.model.demand import Demand
from callsim.model.timegrid import TimeGrid
from callsim.scenario.resolution import Ivr


def through_ivr(
    demand: Demand,
    ivr: Ivr,
    reasons: list[str],
    grid: TimeGrid,
    rng: dict[str, np.random.Generator],
) -> Demand:
    n = len(demand)
    share = np.array([ivr.containment.get(r, 0.0) for r in reasons])
    deflected = rng["ivr"].random(n) < share[demand.reason]
    drawn = ivr.time.sample(rng["ivr_time"], n)
    closes = np.nextafter(_close_after(grid)[grid.index_of(demand.arrival)], -np.inf)
    released = np.minimum(demand.arrival + drawn, closes)
    time_s = released - demand.arrival
    order = np.argsort(released, kind="stable")
    return replace(
        demand,
        arrival=released[order],
        reason=demand.reason[order],
        segment=demand.segment[order],
        patience=demand.patience[order],
        talk=demand.talk[order],
        wrap=demand.wrap[order],
        customer=demand.customer[order],
        draws={name: u[order] for name, u in demand.draws.items()},
        ivr=deflected[order].astype(np.int8),
        ivr_s=time_s[order],
    )


def _close_after(grid: TimeGrid) -> np.ndarray:
    """For each interval, the end of the opening period it belongs to."""
    ends = grid.ends
    close = ends.copy()
    for k in range(len(ends) - 2, -1, -1):
        if grid.starts[k + 1] == ends[k]:
            close[k] = close[k + 1]
    return close
