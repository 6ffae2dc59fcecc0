"""The self-service menu in front of the queue: which first calls it resolves, and when the
others reach the queue.

Decided for every caller before the clock starts, from the caller's own draws (streams ``ivr``
and ``ivr_time``), so two plans on the same seed see the same callers deflected. A call's arrival
becomes the moment the menu lets it go: into the queue, or hung up resolved; the rows are put
back in that order, as the engine takes first calls in arrival order.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from callsim.model.demand import Demand
from callsim.scenario.resolution import Ivr


def through_ivr(
    demand: Demand, ivr: Ivr, reasons: list[str], rng: dict[str, np.random.Generator]
) -> Demand:
    n = len(demand)
    share = np.array([ivr.containment.get(r, 0.0) for r in reasons])
    deflected = rng["ivr"].random(n) < share[demand.reason]
    time_s = ivr.time.sample(rng["ivr_time"], n)
    released = demand.arrival + time_s
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
