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
) -> EventBound:
    """The relaxation (module docstring) over the decided trials: `contrib` (T, K, slots) and
    `need` (T, K), a target already met in a trial needing 0."""
    from scipy import sparse
    from scipy.optimize import Bounds, LinearConstraint, milp

    t, kk, n = contrib.shape
    events = events_of(problem)
    k = len(events)
    if t == 0:
        return EventBound(0, (), True)
    pos = {e: i for i, e in enumerate(events)}
    slot_events = np.array([pos[e] for e in problem.slots["event_id"]], dtype=np.intp)
    blocks, lbs, ubs = [], [], []
    for g in constraint_groups(problem):
        if g.name == "link" or np.any(g.a[:, :n]):
            continue  # months' rows (and the link of months to events) are what is relaxed
        blocks.append(sparse.csr_matrix(np.hstack([g.a[:, n:], np.zeros((g.a.shape[0], t))])))
        lbs.append(g.lb)
        ubs.append(g.ub)
    for q in range(kk):  # one row per trial and open target: sum_e min(V, r) y_e - r z_t >= 0
        r = need[:, q]
        open_ = np.flatnonzero(r > 0)
        if not len(open_):
            continue
        v = event_values(np.minimum(contrib[open_, q, :], r[open_, None]), slot_events, k)
        rows = np.hstack([v, np.zeros((len(open_), t))])
        rows[np.arange(len(open_)), k + open_] = -r[open_]
        blocks.append(sparse.csr_matrix(rows))
        lbs.append(np.zeros(len(open_)))
        ubs.append(np.full(len(open_), np.inf))
    res = milp(
        c=-np.concatenate([np.zeros(k), np.ones(t)]),
        integrality=np.ones(k + t, np.int64),
        bounds=Bounds(0, 1),
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
        chosen = tuple(int(i) for i in np.flatnonzero(res.x[:k] > 0.5))
    return EventBound(trials, chosen, res.status == 0)


__all__ = ["EventBound", "event_bound"]
