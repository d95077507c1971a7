"""A roadshow plan that maximises the chance of meeting a target (sample average approximation).

The expected-value plan (`workbook.roadshow.solve`) maximises expected in-year capital, but
planners are judged on whether the target is met. Here the plan is chosen over S simulated
trials of the scenario engine (its common random numbers): in each trial t, a target k ends
the year at ``base[t, k] + sum_j c[t, k, j] x_j`` where ``base`` is the year without new
events and ``c[:, :, j]`` what holding slot j (an event in a month) adds in that trial (an
event's new deals have their own draws, so contributions add up trial by trial). With one
binary z_t per trial,

    maximise   sum_t z_t  (+ a tie-break by expected value worth less than one trial)
    subject to sum_j min(c[t,k,j], r[t,k]) x_j >= r[t,k] z_t   for every target k of the
               objective not met in trial t without events (r = target - base > 0),
               and every constraint of the roadshow problem (budget, staff, offices, ...),

solved by HiGHS (scipy.optimize.milp). Trials met without any event count anyway; trials that
no plan can rescue are left out. The objective is ``p:<metric>`` (that target met),
``p:all`` (every target met) or ``expected`` (today's expected-value plan).

`best_plan` returns the chosen plan with the S used, HiGHS's optimality gap and the in-sample
P of the candidates. When HiGHS hits its time limit, the expected-value plan is taken; and
whatever the solver returns, the chosen plan is the best in-sample of the SAA plan, the
expected-value plan and the greedy plan (a greedy plan that misses a requirement is not
eligible), so it never scores below them, nor below holding no new events, on the same numbers.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from workbook.forecast.protocol import DealForecaster, Forecaster
from workbook.forecast.results import reach_floor, reached
from workbook.roadshow.milp import constraint_groups, events_of
from workbook.roadshow.problem import Plan, RoadshowProblem
from workbook.roadshow.solve import greedy_plan, make_plan, solve
from workbook.text.errors import InputError
from workbook.text.messages import Message

if TYPE_CHECKING:
    from workbook.zone.drivers import Drivers

EXPECTED = "expected"
P_ALL = "p:all"
DEFAULT_OBJECTIVE = "p:domestic_capital"
DEFAULT_SAMPLES: int | None = (
    None  # trials in the MILP: None for all of the engine's (in-sample = judged)
)
NO_EVENTS = pd.DataFrame({"event_id": pd.Series([], dtype=str), "month": pd.Series([], dtype=int)})


@dataclass(frozen=True)
class SaaResult:
    """The plan chosen for an objective and how it was found.

    `method` says which plan was taken: 'saa' (the probability MILP), 'expected' (the
    expected-value plan: the objective asked for it, the time limit was hit, or it scores
    higher in-sample) or 'greedy' (it scores higher in-sample). `p_in_sample` holds the
    in-sample P of every candidate ('saa', 'expected', 'greedy', 'none') over the S trials.
    """

    plan: Plan
    objective: str
    metrics: tuple[str, ...]
    samples: int
    method: str
    proven_optimal: bool
    gap: float | None
    time_limit_hit: bool
    seconds: float
    p_in_sample: dict[str, float]
    trials_in_model: int = 0  # trials the MILP had to decide (neither met nor out of reach)


def objective_metrics(objective: str, targets: Sequence[str]) -> tuple[str, ...]:
    """The targets an objective asks to meet: () for 'expected', every target for 'p:all'."""
    text = str(objective).strip()
    if text == EXPECTED:
        return ()
    if text == P_ALL:
        return tuple(targets)
    if text.startswith("p:") and text[2:] in targets:
        return (text[2:],)
    choices = ", ".join([EXPECTED, P_ALL, *(f"p:{t}" for t in targets)])
    raise InputError(Message("err.objective", valid=choices, found=objective))


def _held(problem: RoadshowProblem, index: Sequence[int]) -> pd.DataFrame:
    s = problem.slots.iloc[list(index)]
    return pd.DataFrame(
        {"event_id": s["event_id"].astype(str).to_numpy(), "month": s["month"].astype(int)}
    ).reset_index(drop=True)


def trial_values(
    engine: Forecaster,
    problem: RoadshowProblem,
    metrics: Sequence[str],
    drivers: Drivers | None = None,
    samples: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(base[S, K], contributions[S, K, J], targets[K]): year-end value of each metric without
    new events in the first S trials of the engine, what each slot j of the problem adds to it
    in each trial, and the metrics' annual targets. Contributions are never negative (a new
    event only adds deals); float noise below zero is cut off.

    An event changes only the new deals, so a slot's contribution is measured on the engine's
    new-deal part alone (a few milliseconds a slot); an engine without that part is asked for
    whole forecasts instead (the same numbers, slower)."""
    s = engine.trials if samples is None else min(int(samples), engine.trials)
    base_fc = engine.forecast(drivers=drivers, plan=NO_EVENTS)
    base = np.stack([base_fc.year_end(m)[:s] for m in metrics], axis=1)
    if isinstance(engine, DealForecaster):
        contrib = _deal_contributions(engine, problem, metrics, drivers, s)
    else:
        contrib = forecast_contributions(engine, problem, metrics, drivers, s, base)
    np.maximum(contrib, 0.0, out=contrib)
    targets = dict(engine.params.targets.items())
    goal = np.array([float(targets[m].annual) for m in metrics])
    return base, contrib, goal


def forecast_contributions(
    engine: Forecaster,
    problem: RoadshowProblem,
    metrics: Sequence[str],
    drivers: Drivers | None,
    s: int,
    base: np.ndarray,
) -> np.ndarray:
    """Each slot's contribution from a whole forecast with that slot held, less `base`."""
    contrib = np.zeros((s, len(metrics), len(problem.slots)))
    for j in range(len(problem.slots)):
        fc = engine.forecast(drivers=drivers, plan=_held(problem, [j]))
        for k, m in enumerate(metrics):
            contrib[:, k, j] = fc.year_end(m)[:s] - base[:, k]
    return contrib


def _deal_contributions(
    engine: DealForecaster,
    problem: RoadshowProblem,
    metrics: Sequence[str],
    drivers: Drivers | None,
    s: int,
) -> np.ndarray:
    """Each slot's contribution as the engine's new-deal part with the slot held, less the part
    without it (the ledger's projects do not depend on the events held)."""
    without = engine.new_deal_values(drivers, NO_EVENTS, metrics)[:s]
    contrib = np.zeros((s, len(metrics), len(problem.slots)))
    for j in range(len(problem.slots)):
        contrib[:, :, j] = (
            engine.new_deal_values(drivers, _held(problem, [j]), metrics)[:s] - without
        )
    return contrib


def _met(values: np.ndarray, goal: np.ndarray) -> np.ndarray:
    """Trials (rows) where every metric (column) reaches its target (the forecast's
    `reached`)."""
    return reached(values, goal).all(axis=1)


def p_of(base: np.ndarray, contrib: np.ndarray, goal: np.ndarray, chosen: Sequence[int]) -> float:
    """In-sample P(every metric met) when the slots `chosen` are held."""
    values = base + contrib[:, :, list(chosen)].sum(axis=2)
    return float(_met(values, goal).mean())


def _slot_index(problem: RoadshowProblem, plan: Plan) -> list[int]:
    pos = {
        (str(e), int(m)): i
        for i, (e, m) in enumerate(
            zip(problem.slots["event_id"], problem.slots["month"], strict=True)
        )
    }
    return [
        pos[(str(e), int(m))]
        for e, m in zip(plan.table["event_id"], plan.table["month"], strict=True)
    ]


def saa_milp(
    problem: RoadshowProblem,
    base: np.ndarray,
    contrib: np.ndarray,
    goal: np.ndarray,
    time_limit: float | None = 60.0,
) -> tuple[list[int] | None, Any, int]:
    """Solve the SAA model (module docstring): (chosen slots or None, HiGHS result, number of
    trials in the model)."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    n, k = len(problem.slots), len(events_of(problem))
    # (S, K): how far each trial is from reaching each target (the forecast's `reached`)
    need = np.maximum(reach_floor(goal)[None, :] - base, 0.0)
    open_ = need > 0  # targets not met without events
    reach = contrib.sum(axis=2) >= need  # met if every slot were held
    rescue = open_.any(axis=1) & reach.all(axis=1)  # the trials a plan decides
    rows = np.flatnonzero(rescue)
    m = len(rows)
    groups = constraint_groups(problem)
    blocks = [np.hstack([g.a, np.zeros((g.a.shape[0], m))]) for g in groups]
    lbs = [g.lb for g in groups]
    ubs = [g.ub for g in groups]
    for i, t in enumerate(rows):
        for kk in np.flatnonzero(open_[t]):
            r = need[t, kk]
            row = np.zeros((1, n + k + m))
            row[0, :n] = np.minimum(contrib[t, kk], r)
            row[0, n + k + i] = -r
            blocks.append(row)
            lbs.append(np.zeros(1))
            ubs.append(np.full(1, np.inf))
    value = problem.slots["value"].to_numpy(float)
    positive = value.clip(min=0)
    tie = 0.5 * positive / (positive.sum() + 1.0)  # all of it together is worth < one trial
    objective = np.concatenate([tie, np.zeros(k), np.ones(m)])
    options: dict[str, object] = {"mip_rel_gap": 0.0, "presolve": True}
    if time_limit is not None:
        options["time_limit"] = float(time_limit)
    constraints = [LinearConstraint(np.vstack(blocks), np.concatenate(lbs), np.concatenate(ubs))]
    res = milp(
        c=-objective,
        integrality=np.ones(n + k + m),
        bounds=Bounds(0, 1),
        constraints=constraints,
        options=options,
    )
    chosen = None if res.x is None else [i for i in range(n) if res.x[i] > 0.5]
    return chosen, res, m


def best_plan(
    engine: Forecaster,
    problem: RoadshowProblem,
    objective: str = DEFAULT_OBJECTIVE,
    drivers: Drivers | None = None,
    samples: int | None = DEFAULT_SAMPLES,
    time_limit: float = 60.0,
    lang: str = "zh",
) -> SaaResult:
    """The plan for `objective` (see the module docstring). Raises InfeasiblePlanError (from
    the expected-value solve) when no plan meets the constraints, InputError for an unknown
    objective."""
    t0 = time.perf_counter()
    metrics = objective_metrics(objective, [k for k, _ in engine.params.targets.items()])
    expected = solve(problem, time_limit=time_limit, lang=lang)
    if not metrics:
        return SaaResult(
            expected, EXPECTED, (), 0, "expected", expected.proven_optimal, expected.gap,
            not expected.proven_optimal, time.perf_counter() - t0, {},
        )  # fmt: skip
    greedy = greedy_plan(problem, lang=lang)
    base, contrib, goal = trial_values(engine, problem, metrics, drivers, samples)
    s = base.shape[0]
    scores = {
        "expected": p_of(base, contrib, goal, _slot_index(problem, expected)),
        "greedy": p_of(base, contrib, goal, _slot_index(problem, greedy)),
        "none": p_of(base, contrib, goal, []),
    }
    plans = {"expected": expected, "greedy": greedy}
    remaining = max(time_limit - (time.perf_counter() - t0), 1.0)
    chosen, res, m = saa_milp(problem, base, contrib, goal, time_limit=remaining)
    hit_limit = res.status == 1
    gap = getattr(res, "mip_gap", None)
    gap = float(gap) if gap is not None and np.isfinite(gap) else None
    if chosen is not None and not hit_limit:
        saa = make_plan(problem, chosen, "optimal", lang, proven=res.status == 0, gap=gap)
        plans["saa"] = saa
        scores["saa"] = p_of(base, contrib, goal, chosen)
    # The best in-sample among the eligible plans; ties go to the SAA plan, then expected.
    eligible = [k for k in ("saa", "expected", "greedy") if k in plans and not plans[k].unmet]
    method = max(eligible, key=lambda k: (scores[k], -eligible.index(k)))
    plan = plans[method]
    plan = replace(
        plan,
        method="optimal",
        proven_optimal=method == "saa" and res.status == 0,
        gap=gap,
        seconds=time.perf_counter() - t0,
    )
    return SaaResult(
        plan=plan,
        objective=str(objective).strip(),
        metrics=metrics,
        samples=s,
        method=method,
        proven_optimal=res.status == 0,
        gap=gap,
        time_limit_hit=hit_limit,
        seconds=time.perf_counter() - t0,
        p_in_sample=scores,
        trials_in_model=m,
    )


__all__ = [
    "DEFAULT_OBJECTIVE",
    "DEFAULT_SAMPLES",
    "EXPECTED",
    "P_ALL",
    "SaaResult",
    "best_plan",
    "objective_metrics",
    "p_of",
    "saa_milp",
    "trial_values",
]
