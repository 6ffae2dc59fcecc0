"""Agents required per interval, by simulation: the iterative staffing algorithm (ISA).

Per-interval Erlang (SIPP) sizes each interval as if it were a steady queue of its own, so it
ignores what callsim models: congestion lags the arrivals by about one handle time, a queue and a
peak's calls are carried into the next intervals, callers who gave up call again, offers lengthen
calls under a selling rule that reacts to the load, priorities, handle-time factors. Feldman,
Mandelbaum, Massey & Whitt (2008, Management Science 54(2)) size by simulation instead: simulate
with the current staffing, estimate at each time the law of the number of callers in the system,
set the staffing to the fewest agents s for which P(number in system ≥ s) stays within the delay
target, and repeat until no time changes by more than one agent. Their fixed point stabilises the
delay probability over the day.

How this module adapts it to callsim's intervals and targets, and why:

* **State.** Interval k is sized from the law of the number of others in the system found by the
  callers who arrive in interval k (:mod:`callsim.planning.state_law`), counted at their
  arrivals in R replications of the current staffing on common random numbers. The count holds
  the lag: calls of a peak still in service, a queue carried over, retrials and pitches are in
  it. Calls held past the end of their agent's session are left out (the engine lets a leaving
  agent finish the call in hand), so "found n ≥ s" means exactly "no free agent among the
  interval's s", the P(wait) the engine measures; without that, every drop in staffing would look
  congested.
* **Sizing from the state.** A caller who finds n with c agents waits if n ≥ c, behind n − c
  others. While they wait, agents free up at rate c/h (h: the interval's simulated mean handle
  time, pitch and handle-time factors included) and each caller waiting gives up at rate 1/p (p:
  the callers' mean patience), the Erlang A dynamics (:func:`callsim.analytic.callers_finding`).
  That turns the law into the service level, ASA, abandonment and P(wait) the interval would get
  with c agents, and the interval gets the fewest c meeting its target. For a P(wait) target
  this is the paper's rule itself; for the others it is the same rule with the interval's own
  target in place of the delay probability. The law is measured at the interval's arrivals, not
  as a time average at one instant: callsim's intervals are 15 to 60 minutes, and a law over the
  whole interval is what its service level is computed from.
* **Calibration.** P(wait) is read off the simulation without approximation, but the waiting
  dynamics are an approximation where service is not exponential, priorities reorder the queue
  or the staffing changes during a wait (on the default scenario they overstate the shortfall by
  a tenth to a fifth). So the predicted shortfall (1 − SL, ASA, abandonment or P(wait)) is
  multiplied by one factor for the whole horizon, simulated ÷ predicted at the current staffing
  over the intervals near the target, weighted by their callers and kept within [1/2, 2]. One
  factor rather than one per interval, because an interval's own ratio carries the noise of its
  own few callers, which the fixed point would then chase.
* **Lag.** Each interval is sized from its own callers' state, but that state is measured with
  every interval's staffing in place: more agents at the end of a peak lower what the next
  interval's callers find, and the next iteration sizes that interval from it. Iterating to the
  fixed point is what accounts for the lag, as in the paper; sizing an interval from its own
  forecast (Erlang) is what misses it.
* **Start and stop.** The first staffing is generous: each interval's offered load (at the
  slowest group's handle time, with the longest pitch) plus four standard deviations of a Poisson
  count, nearly the paper's infinite-server start. Iteration stops when no interval's proposal
  differs from the staffing just simulated by more than one agent (the paper's rule), when a
  proposal was already simulated (on common random numbers the iteration would go round that
  cycle for ever: the sizing from a state measured with more agents is optimistic about fewer,
  and the other way round), or after ``max_iterations``. The result is, interval by interval, the
  largest staffing of the last one (or of the cycle) and the proposal, plus one agent over the
  last simulated staffing wherever that simulation missed the target; a last simulation of it
  gives the KPIs reported, and ``meets`` says where it meets the target by the mean.
* **Groups and shrinkage.** The total is split over the agent groups by their share of the
  scenario's own roster in each interval (:mod:`callsim.planning.staffed`). Simulations run with
  exactly the on-phone agents (shrinkage 0, no breaks); the scheduled requirement is
  ``scheduled_for(on_phones, shrinkage)``.
* **Limits.** A requirement from R replications carries their noise, about one agent at R = 20
  (a 15-minute interval's service level with long calls varies a lot from day to day). Under a
  selling rule that reacts to the load, fewer agents also means fewer offers, which a law
  measured at the current staffing does not foresee: the ISA then tends to ask for one agent
  more than the fewest.

Everything is a function of (scenario, seed, replications, target): the same on any number of
workers.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import numpy as np
import pandas as pd

from callsim.analytic import callers_finding, fewest_agents, scheduled_for
from callsim.experiment.results import SimulationResult
from callsim.experiment.runner import simulate_many
from callsim.measure.catalogue import clip_interval
from callsim.measure.overlap import overlap
from callsim.model.roster import build_roster
from callsim.model.timegrid import time_grid
from callsim.planning.agent_load import agent_load
from callsim.planning.isa_iterations import MAX_ITERATIONS
from callsim.planning.sizing import Target, erlang_for
from callsim.planning.staffed import with_staffing
from callsim.planning.state_law import StateLaws, state_laws
from callsim.scenario.schema import Scenario
from callsim.version import __version__

Stop = Literal["converged", "cycle", "max_iterations"]
"""Why the iteration stopped: no interval's proposal more than one agent from the staffing just
simulated (the paper's rule); a proposal already simulated before (under common random numbers
the iteration would go round for ever); or ``max_iterations``."""
IsaProgress = Callable[[int, int, int], None]
"""Called with (iteration, replications done in it, replications per iteration)."""

CALIBRATION_LIMITS = (0.5, 2.0)
"""Assumption: the Erlang A waiting dynamics are trusted to within a factor of two of the
simulated shortfall; beyond that the factor is clipped, so that a few noisy intervals cannot
throw every interval's sizing far."""
CALIBRATE_FROM = 0.25
"""Assumption: the model is scaled to the simulation only where the predicted shortfall at the
current staffing is at least a quarter of the allowed one; further below, both are nearly zero
and their ratio is noise."""
START_SD = 4.0
"""Assumption: the first staffing covers each interval's load plus four standard deviations of a
Poisson count (fewer than 1 in 10,000 callers of a steady queue would find no free agent)."""

REPORTED = ("service_level", "asa_s", "abandon_rate", "p_wait", "occupancy")
_COLUMN = {"service_level": "sl"}


@dataclass(frozen=True)
class IsaResult:
    """What :func:`isa_requirement` found. ``table``: one row per interval with ``day``,
    ``start``, ``calls`` (forecast), ``load_erlangs``, ``isa_on_phones``, ``erlang_on_phones``
    (per-interval Erlang for the same target), ``required_scheduled`` (ISA after shrinkage),
    ``planned_scheduled`` (the scenario's own roster), the simulated ``sl``, ``asa_s``,
    ``abandon_rate``, ``p_wait`` and ``occupancy`` with the ISA staffing (``_mean``,
    ``_ci_low``, ``_ci_high``) and ``meets`` (the target met by the simulated mean).
    ``iterations``: simulations of the loop (the last one's proposal is within one agent of its
    staffing when ``converged``). ``history``: the on-phone staffing simulated at each
    iteration; ``calibration``: the factor each one scaled the model's shortfall by.
    ``result``: the simulation of the ISA staffing."""

    scenario: Scenario
    target: Target
    table: pd.DataFrame
    iterations: int
    stop: Stop
    seed: int
    replications: int
    history: tuple[tuple[int, ...], ...]
    calibration: tuple[float, ...]
    result: SimulationResult = field(repr=False)
    created: str

    @property
    def converged(self) -> bool:
        return self.stop == "converged"

    def staffed(self) -> Scenario:
        """The scenario scheduled with the requirement (its shrinkage kept), to run or compare."""
        return with_staffing(self.scenario, self.table["required_scheduled"].tolist())

    def to_summary_dict(self) -> dict[str, Any]:
        t = self.table
        horizon = {k: _json_kpi(self.result.kpi(k)) for k in REPORTED}
        step = time_grid(self.scenario).length_s / 3600
        return {
            "scenario": self.scenario.name,
            "method": "isa",
            "target": self.target.as_dict(),
            "seed": self.seed,
            "replications": self.replications,
            "iterations": self.iterations,
            "converged": self.converged,
            "stop": self.stop,
            "callsim_version": __version__,
            "created": self.created,
            "shrinkage": self.scenario.agents.shrinkage,
            "intervals": len(t),
            "intervals_meeting_target": int(t["meets"].sum()),
            "agent_hours_on_phones": {
                "isa": float(t["isa_on_phones"].sum() * step),
                "erlang": float(t["erlang_on_phones"].sum() * step),
            },
            "scheduled_hours": float(t["required_scheduled"].sum() * step),
            "kpis_with_isa_staffing": horizon,
            "history": [list(s) for s in self.history],
            "calibration": list(self.calibration),
        }


def isa_requirement(
    scenario: Scenario,
    *,
    replications: int = 20,
    seed: int | None = None,
    target: Target | None = None,
    max_iterations: int = MAX_ITERATIONS,
    workers: int | None = None,
    progress: IsaProgress | None = None,
    cluster: Any = None,
) -> IsaResult:
    """The fewest agents on the phones per interval meeting ``target`` (default: the scenario's
    service-level goal) in every interval, by the iterative staffing algorithm; ``seed``
    defaults to the scenario's. See the module's docstring for the rule."""
    if replications < 2:
        raise ValueError("the ISA needs at least 2 replications per iteration")
    if max_iterations < 1:
        raise ValueError("max_iterations must be at least 1")
    # The requirement is for the plan's seats as written: a workforce's leavers and trainees
    # differ from replication to replication, and the state laws are read off one roster.
    scenario = scenario.model_copy(update={"workforce": None})
    target = target or Target.of(scenario)
    seed = scenario.simulation.seed if seed is None else seed
    grid = time_grid(scenario)
    staffing = _start(scenario)
    history: list[tuple[int, ...]] = []
    factors: list[float] = []
    iteration = 0
    while True:
        iteration += 1
        result = _simulate(
            scenario, staffing, replications, seed, (workers, cluster), progress, iteration
        )
        history.append(tuple(staffing))
        assert result.calls is not None  # kept by _simulate
        laws = state_laws(result.calls, grid, build_roster(result.scenario, grid))
        proposal, factor = _size(scenario, laws, staffing, result, target)
        factors.append(factor)
        change = max((abs(p - s) for p, s in zip(proposal, staffing, strict=True)), default=0)
        if change <= 1:
            stop: Stop = "converged"
            break
        if tuple(proposal) in history:
            stop = "cycle"
            break
        if iteration >= max_iterations:
            stop = "max_iterations"
            break
        staffing = proposal
    # In a cycle every staffing since the proposal's first visit comes round again: keep the
    # largest of them, interval by interval.
    since = history.index(tuple(proposal)) if stop == "cycle" else len(history) - 1
    kept = [max(column) for column in zip(*history[since:], strict=True)]
    final = _settle(kept, proposal, staffing, result, target)
    if final != staffing:
        result = _simulate(
            scenario, final, replications, seed, (workers, cluster), progress, iteration + 1
        )
    return IsaResult(
        scenario=scenario,
        target=target,
        table=_table(scenario, final, erlang_on_phones(scenario, target), result, target),
        iterations=iteration,
        stop=stop,
        seed=seed,
        replications=replications,
        history=tuple(history),
        calibration=tuple(factors),
        result=result,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def _settle(
    kept: list[int],
    proposal: list[int],
    last: list[int],
    result: SimulationResult,
    target: Target,
) -> list[int]:
    """The larger of the staffing kept and the proposal, and one agent more than the last
    simulated staffing where its simulation missed the target (the proposal may not say so: the
    calibration is one factor for the whole horizon)."""
    simulated = result.intervals[f"{target.kpi}_mean"].to_numpy()
    out = []
    for k, (s, p, was) in enumerate(zip(kept, proposal, last, strict=True)):
        missed = not math.isnan(simulated[k]) and not target.met(float(simulated[k]))
        out.append(max(s, p, was + 1 if missed else 0))
    return out


def erlang_on_phones(scenario: Scenario, target: Target) -> list[int]:
    """Per-interval Erlang for ``target``: the calls reaching the agents in each interval
    (:mod:`callsim.planning.agent_load`) as a steady queue."""
    grid = time_grid(scenario)
    patience = scenario.mean_patience_s()
    volume, handle = agent_load(scenario, grid)
    return [
        erlang_for(v / grid.length_s, float(h), patience, target)
        for v, h in zip(volume, handle, strict=True)
    ]


def _start(scenario: Scenario) -> list[int]:
    grid = time_grid(scenario)
    slowest = max(g.handle_time_factor for g in scenario.agents.groups.values())
    pitch = max((p.pitch.mean for p in scenario.products.values()), default=0.0)
    volume, handle = agent_load(scenario, grid)
    load = volume * (handle * slowest + pitch) / grid.length_s
    return [math.ceil(a + START_SD * math.sqrt(a)) + 1 for a in load]


def _simulate(
    scenario: Scenario,
    staffing: list[int],
    replications: int,
    seed: int,
    where: tuple[int | None, Any],
    progress: IsaProgress | None,
    iteration: int,
) -> SimulationResult:
    """One iteration's simulation, on ``where``: (local workers, or a Dask cluster)."""

    def report(done: int, total: int) -> None:
        if progress is not None:
            progress(iteration, done, total)

    plan = with_staffing(scenario, staffing, shrinkage=0.0)
    return simulate_many(
        [plan],
        replications=replications,
        seed=seed,
        workers=where[0],
        keep_calls=True,
        progress=report,
        cluster=where[1],
    )[0]


def _size(
    scenario: Scenario,
    laws: StateLaws,
    staffing: list[int],
    result: SimulationResult,
    target: Target,
) -> tuple[list[int], float]:
    """Each interval's fewest agents for the target given the state its callers found, and the
    calibration factor used."""
    patience = scenario.mean_patience_s()
    fallback = agent_load(scenario, time_grid(scenario))[1]
    allowed = target.allowed_shortfall
    curves: list[Callable[[int], float] | None] = []
    for k in range(len(staffing)):
        law = laws.law(k)
        if law.size == 0:
            curves.append(None)
            continue
        handle = float(fallback[k] if math.isnan(laws.handle_s[k]) else laws.handle_s[k])

        def shortfall(c: int, law: np.ndarray = law, handle: float = handle) -> float:
            return target.shortfall(callers_finding(law, c, handle, patience, target.threshold_s))

        curves.append(shortfall)
    factor = _calibration(curves, staffing, result, target)
    out: list[int] = []
    for k, curve in enumerate(curves):
        if curve is None:
            out.append(0)
            continue

        def meets(c: int, curve: Callable[[int], float] = curve) -> bool:
            return factor * curve(c) <= allowed + 1e-12

        out.append(fewest_agents(meets, laws.law(k).size))
    return out, factor


def _calibration(
    curves: list[Callable[[int], float] | None],
    staffing: list[int],
    result: SimulationResult,
    target: Target,
) -> float:
    """Simulated ÷ predicted shortfall at the current staffing, over the intervals near the
    target, weighted by their callers."""
    simulated = result.intervals[f"{target.kpi}_mean"].to_numpy()
    callers = result.intervals["offered_mean"].to_numpy()
    measured = predicted = 0.0
    for k, curve in enumerate(curves):
        value = target.shortfall_of(float(simulated[k]))
        if curve is None or staffing[k] == 0 or math.isnan(value):
            continue
        guess = curve(staffing[k])
        if guess >= CALIBRATE_FROM * target.allowed_shortfall:
            measured += callers[k] * value
            predicted += callers[k] * guess
    if predicted <= 0:
        return 1.0
    return float(min(max(measured / predicted, CALIBRATION_LIMITS[0]), CALIBRATION_LIMITS[1]))


def _table(
    scenario: Scenario,
    on_phones: list[int],
    erlang: list[int],
    result: SimulationResult,
    target: Target,
) -> pd.DataFrame:
    grid = time_grid(scenario)
    day, start = grid.labels()
    volume, handle = agent_load(scenario, grid)
    roster = build_roster(scenario, grid)
    paid = np.asarray(roster.paid, dtype=float).reshape(-1, 3)
    shrinkage = scenario.agents.shrinkage
    columns: dict[str, Any] = {
        "day": day,
        "start": start,
        "calls": volume,
        "load_erlangs": volume * handle / grid.length_s,
        "isa_on_phones": on_phones,
        "erlang_on_phones": erlang,
        "required_scheduled": [scheduled_for(n, shrinkage) for n in on_phones],
        "erlang_scheduled": [scheduled_for(n, shrinkage) for n in erlang],
        "planned_scheduled": overlap(paid[:, 1], paid[:, 2], grid.starts, grid.ends)
        / grid.length_s,
    }
    iv = result.intervals
    for kpi in REPORTED:
        name = _COLUMN.get(kpi, kpi)
        bounds = [
            clip_interval(kpi, lo, hi)
            for lo, hi in zip(iv[f"{kpi}_ci_low"], iv[f"{kpi}_ci_high"], strict=True)
        ]
        columns[f"{name}_mean"] = iv[f"{kpi}_mean"].to_numpy()
        columns[f"{name}_ci_low"] = [lo for lo, _ in bounds]
        columns[f"{name}_ci_high"] = [hi for _, hi in bounds]
    simulated = iv[f"{target.kpi}_mean"].to_numpy()
    columns["meets"] = [bool(math.isnan(v) or target.met(float(v))) for v in simulated]
    return pd.DataFrame(columns)


def _json_kpi(kpi: dict[str, float]) -> dict[str, float | None]:
    return {k: (None if math.isnan(v) else v) for k, v in kpi.items()}
