"""An upper bound on the trials any plan meets, from the choice of events alone
(workbook.roadshow.saa).

The probability model decides events *and* months (one binary a slot); its LP relaxation is weak
(each event a quarter held rescues a quarter of many trials) and HiGHS's bound closes slowly.
Leaving the months out gives a smaller model whose optimum is still an upper bound of every
plan: in trial t, event e adds at most ``V[t, e]``, its largest contribution over its months (an
event's draws are the same in every month, so that is its earliest month), and a plan that holds
the events ``y`` meets trial t only if ``sum_e min(V[t, e], r[t]) y_e >= r[t]``. Every
constraint on events alone (budget, offices, cloud events) is kept; those on months (staff-days,
events per month) are dropped, which can only raise the optimum.

The first month is kept exact (`first_month`, the default): an event is held in it or later,
``u_e <= y_e``, and adds ``A[t, e]`` (its first month's contribution) or ``L[t, e]`` (its largest
over the later months), ``sum_e L y_e + (max(A, L) - L) u_e``; the first month's staff-days and
events a month stay on ``u``. A plan maps to it (an event in its first month: u = y = 1; later:
y = 1, adding at most L), so its optimum is still a bound. The first month is where the months
bind: as of 31 March (April's four events for the twelve of the events-only optimum) this bound
is the best plan (144 decided trials for 164 without the first month), as of 30 June one trial
above it (72 for 85; the best plan 71); when the months do not bind it is the events-only bound.

When the months do not bind (an early as-of date leaves room for every event in its first
month) this bound meets the best plan and proves it; when they bind it still caps HiGHS's bound.

Where HiGHS does not close it at once (as of 31 March: 11-13 s of one core), `split` solves it
in parts, each with the first month of the top events fixed (held there or not), on two cores
at once (`workbook.roadshow.forked`); the bound is the largest of the parts'. With a `cutoff`
(the trials the best plan known meets) HiGHS prunes every branch that cannot meet more: a part
that holds no better choice closes fast, and the bound comes back as the cutoff, which proves
that plan.
"""

from __future__ import annotations

import functools
import itertools
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from workbook.roadshow.forked import shared
from workbook.roadshow.milp import constraint_groups, events_of
from workbook.roadshow.problem import RoadshowProblem
from workbook.roadshow.reach import event_values

# `split`: the whole relaxation first, for this long at most, where the first month binds (a
# forked copy already takes parts beside it)
# (30 June closes in 0.04-0.2 s; 31 March's root alone takes ~3 s, 780 nodes, 12-13 s in all)
QUICK_SECONDS = 1.0
# with a cutoff HiGHS needs no plan of its own: no time on primal heuristics
CUT_OPTIONS = {"mip_heuristic_effort": 0.0}
SPLIT_EVENTS = 8  # `split`: the first month of this many events splits the relaxation in parts
FORK_GRACE = 0.5  # seconds the copy may take beyond the time limit to answer (then: no bound)


@dataclass(frozen=True)
class EventBound:
    """The events-only relaxation solved: `trials` no plan meets more of the decided trials
    (None: HiGHS found no bound in time), `events` the positions (in `events_of`) of its best
    choice of events (empty without one) and whether that choice is proven best; `met` the
    decided trials that choice meets in the relaxation (None: not known)."""

    trials: int | None
    events: tuple[int, ...]
    proven: bool
    met: int | None = None


def event_bound(
    problem: RoadshowProblem,
    contrib: np.ndarray,
    need: np.ndarray,
    time_limit: float | None = None,
    first_month: bool = True,
    split: bool = False,
    cutoff: int | None = None,
    quick_seconds: float = QUICK_SECONDS,
) -> EventBound:
    """The relaxation (module docstring) over the decided trials: `contrib` (T, K, slots) and
    `need` (T, K), a target already met in a trial needing 0. `first_month`: keep the plan's
    first month exact (its staff-days and events a month; False: every month relaxed).

    `split`: where the first month's limits rule out some ways to hold the first SPLIT_EVENTS
    of `split_events` there (the month binds), first the whole relaxation here for at most
    `quick_seconds` (its result as it was when that closes it) while a forked copy already
    takes parts, then in parts on two cores at once (`forked.shared`; here alone where nothing
    forks): those events each held in the first month or not; elsewhere the whole relaxation
    as without `split`. `cutoff` (the parts only): only a bound above this many trials is asked
    for (HiGHS prunes every branch that cannot meet more, as if it had a choice meeting
    `cutoff` + 1/2): the bound of the parts is then never below `cutoff`, and `cutoff` itself
    when no choice meets more."""
    t = contrib.shape[0]
    if t == 0:
        return EventBound(0, (), True)
    model = _model(problem, contrib, need, first_month)
    top = split_events(model)[:SPLIT_EVENTS] if split else []
    if not top:
        return _solve(model, time_limit)
    end = None if time_limit is None else time.monotonic() + time_limit

    def left() -> float | None:
        return None if end is None else max(end - time.monotonic(), 0.05)

    def part(held: tuple[bool, ...]) -> Callable[[], EventBound]:
        def run() -> EventBound:
            if end is not None and time.monotonic() >= end:
                return EventBound(None, (), False)  # out of time: no bound from this part
            return _solve(model, left(), dict(zip(top, held, strict=True)), cutoff)

        return run

    # every way to hold the top events in the first month or not, all of them held first
    # (where the best choices are, the longest part) to none; a way that breaks one of the
    # first month's limits by itself (more events than the month holds) has no plan: no part
    every = sorted(itertools.product((True, False), repeat=len(top)), key=lambda w: -sum(w))
    ways = [w for w, ok in zip(every, _possible(model, top, every), strict=True) if ok]
    if len(ways) == len(every):
        # none ruled out: the first month does not bind these events and each part is about
        # as hard as the whole (1 January: three events possible in February, eight parts of
        # ~1 s for a whole of ~2 s): the whole, with all the time
        return _solve(model, time_limit)
    whole: list[EventBound] = []

    def quick() -> bool:
        limit = quick_seconds if time_limit is None else min(quick_seconds, time_limit)
        whole.append(_solve(model, limit))
        return whole[0].proven or (end is not None and time.monotonic() >= end)

    done = shared(
        [part(w) for w in ways],
        FORK_GRACE + (left() or 1e9),
        first=quick if quick_seconds > 0 else None,
    )
    if done is None:
        return whole[0]
    solved = [d for d in done if d is not None]
    if len(solved) < len(done):  # a part's copy failed: no bound from the parts
        return whole[0] if whole else EventBound(None, (), False)
    out = functools.reduce(_either, solved)
    return tighter(out, whole[0]) if whole else out


@dataclass(frozen=True)
class _Model:
    """The relaxation as HiGHS takes it: variables [u; y; z] (u and y k each, z one a trial),
    their upper bounds and the rows."""

    k: int
    t: int
    upper: np.ndarray
    matrix: Any
    lb: np.ndarray
    ub: np.ndarray
    value: np.ndarray  # (k,): what each event's first month adds, over the trials (shares)


def _model(
    problem: RoadshowProblem, contrib: np.ndarray, need: np.ndarray, first_month: bool
) -> _Model:
    from scipy import sparse

    t, kk, n = contrib.shape
    events = events_of(problem)
    k = len(events)
    pos = {e: i for i, e in enumerate(events)}
    slot_events = np.array([pos[e] for e in problem.slots["event_id"]], dtype=np.intp)
    months = problem.slots["month"].to_numpy()
    # the earliest month of any slot (any one month kept exact leaves a bound)
    first = months == months.min() if first_month and n else np.zeros(n, bool)
    # variables [u (events, held in the first month); y (events, held at all); z (trials)]
    width = 2 * k + t
    u_of = np.full(k, -1, np.intp)  # the first-month slot of each event, -1 for none
    u_of[slot_events[first]] = np.flatnonzero(first)
    blocks, lbs, ubs = [], [], []
    value = np.zeros(k)
    for g in constraint_groups(problem):
        on_slots = g.a[:, :n]
        if g.name == "link" or np.any(on_slots[:, ~first]):
            continue  # rows on later months (and the link of months to events) are relaxed
        rows = np.zeros((g.a.shape[0], width))
        has = u_of >= 0  # the first month's slots are u, the events y: the row as it is
        rows[:, np.flatnonzero(has)] = on_slots[:, u_of[has]]
        rows[:, k : 2 * k] = g.a[:, n:]
        blocks.append(sparse.csr_matrix(rows))
        lbs.append(g.lb)
        ubs.append(g.ub)
    if first.any():  # held in the first month only if held: u_e - y_e <= 0
        held = np.flatnonzero(u_of >= 0)
        link = np.zeros((len(held), width))
        link[np.arange(len(held)), held] = 1.0
        link[np.arange(len(held)), k + held] = -1.0
        blocks.append(sparse.csr_matrix(link))
        lbs.append(np.full(len(held), -np.inf))
        ubs.append(np.zeros(len(held)))
    for q in range(kk):  # one row per trial and open target (module docstring)
        r = need[:, q]
        open_ = np.flatnonzero(r > 0)
        if not len(open_):
            continue
        c = np.minimum(contrib[open_, q, :], r[open_, None])
        later = event_values(np.where(first[None, :], 0.0, c), slot_events, k)
        best = np.maximum(event_values(np.where(first[None, :], c, 0.0), slot_events, k), later)
        rows = np.zeros((len(open_), width))
        rows[:, :k] = best - later
        value += (np.where(u_of >= 0, best, 0.0) / r[open_, None]).sum(axis=0)
        rows[:, k : 2 * k] = later
        rows[np.arange(len(open_)), 2 * k + open_] = -r[open_]
        blocks.append(sparse.csr_matrix(rows))
        lbs.append(np.zeros(len(open_)))
        ubs.append(np.full(len(open_), np.inf))
    upper = np.ones(width)
    upper[:k] = u_of >= 0
    return _Model(
        k,
        t,
        upper,
        sparse.vstack(blocks, format="csr"),
        np.concatenate(lbs),
        np.concatenate(ubs),
        value,
    )


def _possible(model: _Model, top: list[int], ways: list[tuple[bool, ...]]) -> np.ndarray:
    """For each way to hold the `top` events in the first month or not: whether holding those
    held there (their u and y at 1) leaves every row with no negative coefficient within its
    upper bound (the other variables only add to it)."""
    rows = model.matrix
    nonneg = np.asarray((rows.minimum(0) != 0).sum(axis=1)).ravel() == 0
    cols = rows[nonneg][:, top] + rows[nonneg][:, [model.k + e for e in top]]  # u and y at 1
    held = np.array(ways, dtype=float).reshape(len(ways), len(top))
    return np.asarray((cols @ held.T <= model.ub[nonneg][:, None] + 1e-9).all(axis=0))


def split_events(model: _Model) -> list[int]:
    """The events (positions in `events_of`) that can be held in the first month, the one
    whose first month adds most over the decided trials (each trial's part of its need)
    first: held there or not, they split the relaxation into parts about as hard."""
    can = np.flatnonzero(model.upper[: model.k] > 0)
    return [int(i) for i in can[np.argsort(-model.value[can], kind="stable")]]


def _solve(
    model: _Model,
    time_limit: float | None,
    first: dict[int, bool] | None = None,
    cutoff: int | None = None,
    nodes: int | None = None,
) -> EventBound:
    """HiGHS on the relaxation, the events of `first` held in the first month (True) or not
    (False); `cutoff` as in `event_bound`; at most `nodes` branch-and-bound nodes."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    k, t = model.k, model.t
    lower, upper = np.zeros(len(model.upper)), model.upper.copy()
    for e, held in (first or {}).items():
        if held:
            lower[e] = lower[k + e] = 1.0  # held in the first month: held
        else:
            upper[e] = 0.0
    floor = 0 if cutoff is None else int(cutoff)  # no bound below it is asked for
    if (lower > upper).any():
        return EventBound(floor, (), True)  # no plan in this part
    options: dict[str, float | bool | int] = {"mip_rel_gap": 0.0, "presolve": True}
    if time_limit is not None:
        options["time_limit"] = float(max(time_limit, 0.05))
    if nodes is not None:
        options["node_limit"] = int(nodes)
    if cutoff is not None:  # a HiGHS option scipy passes on (with a warning it does not know it)
        options["objective_bound"] = -(float(cutoff) + 0.5)
        options.update(CUT_OPTIONS)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Unrecognized options", RuntimeWarning)
        res = milp(
            c=-np.concatenate([np.zeros(2 * k), np.ones(t)]),
            integrality=np.ones(len(upper), np.int64),
            bounds=Bounds(lower, upper),
            constraints=[LinearConstraint(model.matrix, model.lb, model.ub)],
            options=cast(Any, options),  # objective_bound: not in scipy's typed options
        )
    if res.status == 2:  # infeasible: no plan in this part meets more than `floor` trials
        return EventBound(floor, (), True)
    dual = res.fun if res.status == 0 else getattr(res, "mip_dual_bound", None)
    trials = None
    if dual is not None and np.isfinite(dual):
        # every branch HiGHS pruned against the cutoff meets at most `floor` trials
        trials = max(int(min(np.floor(-float(dual) + 1e-6), t)), floor)
    chosen: tuple[int, ...] = ()
    met = None
    if res.x is not None:
        chosen = tuple(int(i) for i in np.flatnonzero(res.x[k : 2 * k] > 0.5))
        met = int(round(float(res.x[2 * k :].sum())))
    return EventBound(trials, chosen, res.status == 0, met)


def tighter(a: EventBound, b: EventBound) -> EventBound:
    """Two bounds of the same plans together: the smaller (either's), proven when `a` is;
    the events of the better choice found."""
    return _either(a, b, tighter=True)


def _either(a: EventBound, b: EventBound, tighter: bool = False) -> EventBound:
    """Two bounds together: of two halves that hold every plan between them, the larger bound
    (None when either has none), proven when both are; `tighter`: of the same plans, the
    smaller one (either's), proven when the first is. The events of the better choice found."""
    if tighter:
        known = [x.trials for x in (a, b) if x.trials is not None]
        trials = min(known) if known else None
        proven = a.proven
    else:
        trials = None if a.trials is None or b.trials is None else max(a.trials, b.trials)
        proven = a.proven and b.proven
    found = [x for x in (a, b) if x.met is not None]
    best = max(found, key=lambda x: x.met or 0) if found else a
    return EventBound(trials, best.events, proven, best.met)


__all__ = ["EventBound", "event_bound", "split_events", "tighter"]
