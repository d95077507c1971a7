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
``p:all`` (every target met) or ``expected`` (today's expected-value plan). Under ``p:all`` a
target no plan can meet together with the others (`out_of_reach`) is left out and named, so
the plan maximises the chance of meeting the rest at once instead of a chance of 0 for all.

`best_plan` returns the chosen plan with the S used, HiGHS's optimality gap and the in-sample
P of the candidates, and the gap of P against HiGHS's bound (`p_bound`: no plan does better
on these trials, or the lower bound of the events with only the first month's limits,
`workbook.roadshow.relax`, solved first: whole for a moment, then in parts on two cores at
once, asked only for a bound above the trials the best plan so far meets; when the best months
of its events meet it the whole model is not needed, and a plan within GAP_TOLERANCE of it is
checked against the whole model for at most CONFIRM_SECONDS: no plan meeting more trials
makes it optimal); a plan within
GAP_TOLERANCE of it counts as proven. The whole model is solved over held-by variables
(`workbook.roadshow.milp.held_by`) and asked only for plans that meet more trials than the
best plan so far (`at_least`): when there is none, that plan is optimal. Trials no plan within
the budget can rescue are left out first (`decided_trials`, `workbook.roadshow.reach`). And
whatever the solver returns, the chosen plan is the best in-sample of the SAA plan (HiGHS's,
or at its time limit the best plan improved by single moves: `workbook.roadshow.polish`), the
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

from workbook.forecast.protocol import DealForecaster, EventForecaster, Forecaster
from workbook.forecast.results import reach_floor, reached
from workbook.roadshow.milp import (
    MilpResult,
    constraint_groups,
    events_of,
    held_by,
    held_matrix,
)
from workbook.roadshow.polish import polish
from workbook.roadshow.problem import Plan, RoadshowProblem
from workbook.roadshow.reach import event_values, knapsack
from workbook.roadshow.relax import event_bound
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
GAP_TOLERANCE = 0.01  # a plan within 1% of the SAA optimum counts as proven
POLISH_SECONDS = 1.0  # single moves around the best plan when HiGHS proves nothing
RESTRICTED_SHARE = 0.25  # of the time left then: the months of the bound's events
MIN_SECONDS = 0.5  # each solve has at least this long
LAST_SECONDS = 0.2  # of the limit, kept for the last polish of the plan (single moves)
RESERVE_SECONDS = 0.5  # of the time left, kept from the events' bound for the plan of its events
CONFIRM_SECONDS = 1.0  # a plan within GAP_TOLERANCE: the whole model's look for one better
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
    # p:all: targets no plan can meet together with the others (`out_of_reach`), left out of
    # `metrics`, each with its in-sample chance were every candidate event held
    out_of_reach: tuple[tuple[str, float], ...] = ()
    bound: float | None = None  # no plan's in-sample P exceeds this (None: no bound known)

    @property
    def proven(self) -> bool:
        """Whether the plan is proven within GAP_TOLERANCE of the SAA optimum (the best
        in-sample P any plan reaches on these trials)."""
        return self.gap is not None and self.gap <= GAP_TOLERANCE

    def solver(self) -> dict[str, Any]:
        """How the solve went, as `plan --json` gives it: proven (within GAP_TOLERANCE of the
        SAA optimum), gap (of P, relative to the bound; None without one), seconds and the
        trials S."""
        gap = None if self.gap is None else round(float(self.gap), 6)
        return {
            "proven": self.proven,
            "gap": gap,
            "seconds": round(float(self.seconds), 3),
            "samples": int(self.samples),
        }


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

    An event changes only the new deals, and each slot's deals are its own draws, so an engine
    that gives every event's part (EventForecaster) measures all slots in one pass; one with
    the new-deal part alone is asked slot by slot (tens of milliseconds a slot), any other for
    whole forecasts (the same numbers, slower)."""
    s = engine.trials if samples is None else min(int(samples), engine.trials)
    base_fc = engine.forecast(drivers=drivers, plan=NO_EVENTS)
    base = np.stack([base_fc.year_end(m)[:s] for m in metrics], axis=1)
    if isinstance(engine, EventForecaster):
        every = engine.event_values(drivers, _held(problem, range(len(problem.slots))), metrics)
        contrib = np.ascontiguousarray(every[:s].transpose(0, 2, 1))
    elif isinstance(engine, DealForecaster):
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
    return np.asarray(reached(values, goal).all(axis=1))


def out_of_reach(base: np.ndarray, contrib: np.ndarray, goal: np.ndarray) -> list[int]:
    """The targets (columns) to leave out of a joint objective because no plan can meet them
    together with the rest: with every candidate slot held (more than any budget buys, so
    an upper bound of every plan) a target met in no trial is out of reach; while no trial
    meets all the remaining ones at once, the one met in the fewest trials goes too. Indices
    in the order they were left out."""
    upper = reached(base + contrib.sum(axis=2), goal)  # (S, K)
    keep = list(range(goal.shape[0]))
    gone = [k for k in keep if not upper[:, k].any()]
    keep = [k for k in keep if k not in gone]
    while keep and not upper[:, keep].all(axis=1).any():
        worst = min(keep, key=lambda k: (upper[:, k].mean(), k))
        keep.remove(worst)
        gone.append(worst)
    return gone


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


def decided_trials(
    problem: RoadshowProblem, base: np.ndarray, contrib: np.ndarray, goal: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rows, need[S, K], open[S, K]): the trials the plan decides, how far each trial is from
    each target without events (the forecast's `reached`) and which targets are not met
    without them. A trial is decided when some target is open and every open target can be
    reached by a plan within the budget (`workbook.roadshow.reach`: each event at most once,
    in its best month); trials met anyway or out of any affordable plan's reach are left out,
    which changes no plan's count of trials met."""
    need = np.maximum(reach_floor(goal)[None, :] - base, 0.0)
    open_ = need > 0  # targets not met without events
    rescue = open_.any(axis=1) & (contrib.sum(axis=2) >= need).all(axis=1)
    rows = np.flatnonzero(rescue)
    if not len(rows):
        return rows, need, open_
    events = events_of(problem)
    pos = {e: i for i, e in enumerate(events)}
    slot_events = np.array([pos[e] for e in problem.slots["event_id"]], dtype=np.intp)
    costs = problem.slots.drop_duplicates("event_id").set_index("event_id").loc[events, "cost"]
    ok = np.ones(len(rows), bool)
    for kk in range(need.shape[1]):
        r = need[rows, kk]
        c = np.minimum(contrib[rows, kk, :], r[:, None])
        values = event_values(c, slot_events, len(events))
        best = knapsack(values, costs.to_numpy(float), problem.budget)
        ok &= (r <= 0) | (best >= r - 1e-9 * np.maximum(r, 1.0))  # float sums: keep the edge
    return rows[ok], need, open_


def saa_milp(
    problem: RoadshowProblem,
    base: np.ndarray,
    contrib: np.ndarray,
    goal: np.ndarray,
    time_limit: float | None = 60.0,
    events: Sequence[int] | None = None,
    decided: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    at_least: int | None = None,
) -> tuple[list[int] | None, MilpResult, int]:
    """Solve the SAA model (module docstring): (chosen slots or None, HiGHS result, number of
    trials in the model). `events`: only these events (positions in `events_of`) may be held;
    `decided`: `decided_trials` already computed; `at_least`: only plans that meet at least
    this many of the decided trials (none: HiGHS reports the model infeasible, status 2).

    HiGHS solves it over the held-by variables of `workbook.roadshow.milp.held_by` (the same
    plans: x = H w)."""
    from scipy import sparse
    from scipy.optimize import Bounds, LinearConstraint, milp

    event_ids = events_of(problem)
    n, k = len(problem.slots), len(event_ids)
    rows, need, open_ = decided or decided_trials(problem, base, contrib, goal)
    m = len(rows)
    earlier, _ = held_by(problem)
    h = held_matrix(earlier)
    blocks = [
        sparse.csr_matrix(np.hstack([g.a[:, :n] @ h, g.a[:, n:], np.zeros((g.a.shape[0], m))]))
        for g in constraint_groups(problem)
    ]
    lbs = [g.lb for g in constraint_groups(problem)]
    ubs = [g.ub for g in constraint_groups(problem)]
    # an event held by a month is held by every later one: w_earlier(j) - w_j <= 0
    step = np.flatnonzero(earlier >= 0)
    blocks.append(
        sparse.csr_matrix(
            (
                np.concatenate([np.ones(len(step)), -np.ones(len(step))]),
                (np.tile(np.arange(len(step)), 2), np.concatenate([earlier[step], step])),
            ),
            shape=(len(step), n + k + m),
        )
    )
    lbs.append(np.full(len(step), -np.inf))
    ubs.append(np.zeros(len(step)))
    # one row per decided trial and open target: sum_j min(c, r) x_j - r z_t >= 0, over w
    at, ak = np.nonzero(open_[rows])
    r = need[rows[at], ak]
    c = np.minimum(contrib[rows[at], ak, :], r[:, None])
    c = c @ h  # c_j - c_later(j): what holding the event by slot j's month adds
    ri, ci = np.nonzero(c)
    rows_ = len(at)
    a = sparse.csr_matrix(
        (
            np.concatenate([c[ri, ci], -r]),
            (np.concatenate([ri, np.arange(rows_)]), np.concatenate([ci, n + k + at])),
        ),
        shape=(rows_, n + k + m),
    )
    blocks.append(a)
    lbs.append(np.zeros(rows_))
    ubs.append(np.full(rows_, np.inf))
    if at_least is not None:
        blocks.append(sparse.csr_matrix(np.concatenate([np.zeros(n + k), np.ones(m)])[None, :]))
        lbs.append(np.array([float(at_least)]))
        ubs.append(np.array([np.inf]))
    value = problem.slots["value"].to_numpy(float)
    positive = value.clip(min=0)
    tie = 0.5 * positive / (positive.sum() + 1.0)  # all of it together is worth < one trial
    objective = np.concatenate([tie @ h, np.zeros(k), np.ones(m)])
    matrix = sparse.vstack(blocks, format="csr")
    constraints = [LinearConstraint(matrix, np.concatenate(lbs), np.concatenate(ubs))]
    upper = np.ones(n + k + m)
    if events is not None:  # the other events' slots and events held at 0
        keep = {event_ids[i] for i in events}
        upper[:n] = problem.slots["event_id"].isin(keep).to_numpy(float)
        upper[n : n + k] = [float(e in keep) for e in event_ids]
    res = milp(
        c=-objective,
        integrality=np.ones(n + k + m, np.int64),
        bounds=Bounds(0, upper),
        constraints=constraints,
        options=(
            {"mip_rel_gap": 0.0, "presolve": True}
            if time_limit is None
            else {"mip_rel_gap": 0.0, "presolve": True, "time_limit": float(time_limit)}
        ),
    )
    chosen = None
    if res.x is not None:
        x = h @ res.x[:n]
        chosen = [i for i in range(n) if x[i] > 0.5]
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
    dropped: tuple[tuple[str, float], ...] = ()
    if len(metrics) > 1:  # p:all: the targets a plan can meet together, named the others
        gone = out_of_reach(base, contrib, goal)
        if gone and len(gone) < len(metrics):
            upper = reached(base + contrib.sum(axis=2), goal).mean(axis=0)
            dropped = tuple((metrics[k], float(upper[k])) for k in gone)
            keep = [k for k in range(len(metrics)) if k not in gone]
            metrics = tuple(metrics[k] for k in keep)
            base, contrib, goal = base[:, keep], contrib[:, keep, :], goal[keep]
    scores = {
        "expected": p_of(base, contrib, goal, _slot_index(problem, expected)),
        "greedy": p_of(base, contrib, goal, _slot_index(problem, greedy)),
        "none": p_of(base, contrib, goal, []),
    }
    plans = {"expected": expected, "greedy": greedy}
    decided = decided_trials(problem, base, contrib, goal)
    rows, need, _ = decided
    m = len(rows)

    def left(share: float) -> float:
        return max(share * (time_limit - (time.perf_counter() - t0)), MIN_SECONDS)

    def polished(method: str) -> str:
        """The plan of `method` improved by single moves (`polish`), kept as the SAA plan when
        it meets more trials; the method of the best plan after it."""
        start = _slot_index(problem, plans[method])
        seconds = min(POLISH_SECONDS, max(time_limit - (time.perf_counter() - t0), LAST_SECONDS))
        better = polish(problem, contrib[rows], need[rows], start, seconds=seconds)
        p = p_of(base, contrib, goal, better)
        if p <= scores[method]:
            return method
        plans["saa"] = make_plan(problem, better, "optimal", lang)
        scores["saa"] = p
        return "saa"

    tried: set[tuple[int, ...]] = set()

    def restricted(events: tuple[int, ...]) -> None:
        """The best plan of these events' months (HiGHS), kept as the SAA plan when it meets
        more trials than the one so far."""
        if not events or events in tried:
            return
        tried.add(events)
        chosen, _, _ = saa_milp(
            problem, base, contrib, goal, left(RESTRICTED_SHARE), events, decided
        )
        if chosen is not None and (p := p_of(base, contrib, goal, chosen)) > scores.get(
            "saa", -1.0
        ):
            plans["saa"] = make_plan(problem, chosen, "optimal", lang)
            scores["saa"] = p

    # Events with the first month exact (later months relaxed): a bound on every plan, and its
    # events as a first plan; where the months bind it is the bound that proves the plan. The
    # whole relaxation first (it closes at once where the months do not bind, or bind little),
    # else in parts on two cores, asked only for a bound above the trials the best plan so far
    # (improved by single moves) meets: a bound at that proves it.
    start = _slot_index(problem, plans[_best(plans, scores)])
    better = polish(problem, contrib[rows], need[rows], start, seconds=POLISH_SECONDS)
    known = round((p_of(base, contrib, goal, better) - scores["none"]) * s)
    relax = event_bound(
        problem,
        contrib[rows],
        need[rows],
        time_limit=max(left(1.0) - RESERVE_SECONDS, MIN_SECONDS),
        split=True,
        cutoff=known if 0 <= known <= m else None,
    )
    restricted(relax.events)
    optimal = enough = False  # proven best / proven within GAP_TOLERANCE of the best
    if "saa" in scores and relax.trials is not None:
        # the bound met: no plan meets more trials (later months cost these events nothing)
        met = round((scores["saa"] - scores["none"]) * s)
        optimal = relax.proven and met >= relax.trials
        close = relative_gap(scores["none"] + relax.trials / s, scores["saa"])
        enough = close is not None and close <= GAP_TOLERANCE
    if enough and not optimal:
        # Within GAP_TOLERANCE by the bound, which may stand a trial or two above the plan
        # (as from 30 June): a short look at the whole model for a plan meeting more trials;
        # none makes the plan optimal, one found replaces it.
        met = round((scores["saa"] - scores["none"]) * s)
        if 0 <= met < m:
            more, confirm, _ = saa_milp(
                problem,
                base,
                contrib,
                goal,
                min(left(1.0), CONFIRM_SECONDS),
                decided=decided,
                at_least=met + 1,
            )
            optimal = confirm.status == 2
            if more is not None and (p := p_of(base, contrib, goal, more)) > scores["saa"]:
                plans["saa"] = make_plan(problem, more, "optimal", lang)
                scores["saa"] = p
    res: MilpResult | None = None
    bar: int | None = None  # the whole model was asked for plans that meet more than this
    if not (optimal or enough):
        # the best plan so far, improved by single moves, sets the bar: the whole model only
        # looks for plans that meet more trials (at_least), and HiGHS prunes every branch
        # that cannot from the start
        method = polished(_best(plans, scores))
        bar = round((scores[method] - scores["none"]) * s)
        # what is left of the limit, but the last polish's: none left (the bound took it), no
        # whole model, rather than one run past the limit the planner gave
        rest = time_limit - (time.perf_counter() - t0) - LAST_SECONDS
        if not 0 <= bar < m:  # no plan meets more (or no trial met): the model as it is
            bar = None
        if rest >= MIN_SECONDS:
            chosen, res, m = saa_milp(
                problem,
                base,
                contrib,
                goal,
                rest,
                decided=decided,
                at_least=None if bar is None else bar + 1,
            )
            if res.status == 2 and bar is not None:  # no plan meets more: the best is optimal
                optimal = True
            optimal = optimal or res.status == 0  # at_least: every plan below it meets fewer
            if chosen is not None:  # HiGHS's plan meets every constraint, even at the limit
                p = p_of(base, contrib, goal, chosen)
                if "saa" not in scores or p >= scores["saa"]:
                    plans["saa"] = make_plan(problem, chosen, "optimal", lang, proven=optimal)
                    scores["saa"] = p
    hit_limit = not (optimal or enough)  # a solver stopped by its time limit
    # The best in-sample among the eligible plans; ties go to the SAA plan, then expected.
    method = _best(plans, scores)
    if not optimal:  # not proven: look for a better plan around the best one
        method = polished(method)
    bounds = []  # what no plan exceeds: HiGHS's bound on the whole model, the events-only one
    if res is not None and (whole := p_bound(res, m, scores["none"], s)) is not None:
        if bar is not None:  # HiGHS's bound is over the plans that meet more than `bar`
            whole = max(whole, scores["none"] + bar / s)
        bounds.append(whole)
    if relax.trials is not None:
        bounds.append(scores["none"] + relax.trials / s)
    bound = scores[method] if optimal else (min(bounds) if bounds else None)
    gap = 0.0 if optimal else relative_gap(bound, scores[method])
    plan = replace(
        plans[method],
        method="optimal",
        proven_optimal=optimal,
        gap=gap,
        seconds=time.perf_counter() - t0,
    )
    return SaaResult(
        plan=plan,
        objective=str(objective).strip(),
        metrics=metrics,
        samples=s,
        method=method,
        proven_optimal=optimal,
        gap=gap,
        time_limit_hit=hit_limit,
        seconds=time.perf_counter() - t0,
        p_in_sample=scores,
        trials_in_model=m,
        out_of_reach=dropped,
        bound=bound,
    )


def _best(plans: dict[str, Plan], scores: dict[str, float]) -> str:
    """The best in-sample among the eligible plans (a plan that misses a requirement is not);
    ties go to the SAA plan, then expected."""
    eligible = [k for k in ("saa", "expected", "greedy") if k in plans and not plans[k].unmet]
    return max(eligible, key=lambda k: (scores[k], -eligible.index(k)))


def p_bound(res: Any, m: int, p_none: float, s: int) -> float | None:
    """An upper bound on the in-sample P of any plan: the trials met without events plus
    HiGHS's bound on the decided trials (its dual bound, less the tie-break worth < one
    trial: the whole trials below it), or None when HiGHS gives no bound."""
    dual = getattr(res, "mip_dual_bound", None)
    if res.status == 0 and res.fun is not None:
        dual = res.fun
    if dual is None or not np.isfinite(dual):
        return None
    trials = min(float(np.floor(-float(dual) + 1e-9)), float(m))
    return p_none + max(trials, 0.0) / s


def relative_gap(bound: float | None, p: float) -> float | None:
    """How far a plan's P may be below the best any plan reaches on the same trials, as a
    share of that best: (bound - p) / bound (0 when the bound is 0; None without a bound)."""
    if bound is None:
        return None
    if bound <= 0:
        return 0.0
    return max(bound - p, 0.0) / bound


__all__ = [
    "DEFAULT_OBJECTIVE",
    "DEFAULT_SAMPLES",
    "EXPECTED",
    "GAP_TOLERANCE",
    "P_ALL",
    "SaaResult",
    "best_plan",
    "decided_trials",
    "objective_metrics",
    "out_of_reach",
    "p_bound",
    "p_of",
    "relative_gap",
    "saa_milp",
    "trial_values",
]
