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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbook.roadshow.milp import constraint_groups, events_of
from workbook.roadshow.problem import RoadshowProblem
from workbook.roadshow.reach import event_values


@dataclass(frozen=True)
class EventBound:
    """The events-only relaxation solved: `trials` no plan meets more of the decided trials
    (None: HiGHS found no bound in time), `events` the positions (in `events_of`) of its best
    choice of events (empty without one) and whether that choice is proven best."""

    trials: int | None
    events: tuple[int, ...]
    proven: bool


def event_bound(
    problem: RoadshowProblem,
    contrib: np.ndarray,
    need: np.ndarray,
    time_limit: float | None = None,
    first_month: bool = True,
) -> EventBound:
    """The relaxation (module docstring) over the decided trials: `contrib` (T, K, slots) and
    `need` (T, K), a target already met in a trial needing 0. `first_month`: keep the plan's
    first month exact (its staff-days and events a month; False: every month relaxed)."""
    from scipy import sparse
    from scipy.optimize import Bounds, LinearConstraint, milp

    t, kk, n = contrib.shape
    events = events_of(problem)
    k = len(events)
    if t == 0:
        return EventBound(0, (), True)
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
        rows[:, k : 2 * k] = later
        rows[np.arange(len(open_)), 2 * k + open_] = -r[open_]
        blocks.append(sparse.csr_matrix(rows))
        lbs.append(np.zeros(len(open_)))
        ubs.append(np.full(len(open_), np.inf))
    upper = np.ones(width)
    upper[:k] = u_of >= 0
    res = milp(
        c=-np.concatenate([np.zeros(2 * k), np.ones(t)]),
        integrality=np.ones(width, np.int64),
        bounds=Bounds(0, upper),
        constraints=[
            LinearConstraint(
                sparse.vstack(blocks, format="csr"), np.concatenate(lbs), np.concatenate(ubs)
            )
        ],
        options=(
            {"mip_rel_gap": 0.0, "presolve": True}
            if time_limit is None
            else {"mip_rel_gap": 0.0, "presolve": True, "time_limit": float(max(time_limit, 0.05))}
        ),
    )
    dual = res.fun if res.status == 0 else getattr(res, "mip_dual_bound", None)
    trials = None
    if dual is not None and np.isfinite(dual):
        trials = int(min(np.floor(-float(dual) + 1e-6), t))
    chosen: tuple[int, ...] = ()
    if res.x is not None:
        chosen = tuple(int(i) for i in np.flatnonzero(res.x[k : 2 * k] > 0.5))
    return EventBound(trials, chosen, res.status == 0)


__all__ = ["EventBound", "event_bound"]
