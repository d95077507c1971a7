"""The roadshow plan as a mixed-integer programme: constraint groups (budget, staff-days,
events per month, offices, cloud events), the HiGHS call, the least cost of meeting a set of
groups and a feasibility check. `solve` and `explain` build on these."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:  # drivers import params, which must load first
    pass

from workbook.roadshow.problem import RoadshowProblem

# ---- the mixed-integer programme ---------------------------------------------------------------


class MilpResult(Protocol):
    """What the workbook reads of scipy's `milp` result (an OptimizeResult)."""

    @property
    def status(self) -> int: ...  # 0 optimal, 1 stopped by a limit, 2 infeasible, ...
    @property
    def x(self) -> NDArray[np.float64] | None: ...  # the values of [x; y], None without a plan
    @property
    def message(self) -> str: ...
    @property
    def fun(self) -> float | None: ...  # the objective's value, None without a plan
    @property
    def mip_gap(self) -> float | None: ...


@dataclass(frozen=True)
class _Rows:
    """Constraint rows of one named group over the variables [x; y]: lb <= A [x; y] <= ub."""

    name: str
    a: np.ndarray
    lb: np.ndarray
    ub: np.ndarray


def events_of(problem: RoadshowProblem) -> list[str]:
    """The events that have at least one slot, in slot order: one y variable each."""
    return list(dict.fromkeys(problem.slots["event_id"]))


def constraint_groups(problem: RoadshowProblem) -> list[_Rows]:
    """Every constraint as a named group over x (one binary per slot: the event is held in that
    month) and y (one binary per event: it is held at all):

    'link' (y_i = sum of its x: an event at most once), 'budget' (on y), 'staff:<m>' and
    'count:<m>' (on the month's x), 'office:<id>' and 'cloud' (on y).

    Deciding events (y) apart from months (x) lets HiGHS branch on the event choice, where
    the budget bites: on 60 events x 12 months this closes in one node where the x-only
    model needed thousands.
    """
    s, st = problem.slots, problem.settings
    n = len(s)
    events = events_of(problem)
    k = len(events)
    info = s.drop_duplicates("event_id").set_index("event_id").loc[events]
    groups: list[_Rows] = []

    def on_x(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        row = np.zeros((1, n + k))
        row[0, :n] = np.where(mask, 1.0 if weights is None else weights, 0.0)
        return row

    def on_y(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        row = np.zeros((1, n + k))
        row[0, n:] = np.where(mask, 1.0 if weights is None else weights, 0.0)
        return row

    if k:
        link = np.zeros((k, n + k))
        pos = {e: i for i, e in enumerate(events)}
        link[[pos[e] for e in s["event_id"]], np.arange(n)] = 1.0
        link[np.arange(k), n + np.arange(k)] = -1.0
        groups.append(_Rows("link", link, np.zeros(k), np.zeros(k)))
    groups.append(
        _Rows(
            "budget",
            on_y(np.ones(k, bool), info["cost"].to_numpy(float)),
            np.zeros(1),
            np.array([st.budget]),
        )
    )
    months = s["month"].to_numpy()
    for m in problem.months:
        mask = months == m
        if not mask.any():
            continue
        groups.append(
            _Rows(
                f"staff:{m}",
                on_x(mask, s["staff_days"].to_numpy(float)),
                np.zeros(1),
                np.array([st.staff_days_per_month]),
            )
        )
        if mask.sum() > st.max_events_per_month:
            groups.append(
                _Rows(
                    f"count:{m}",
                    on_x(mask),
                    np.zeros(1),
                    np.array([float(st.max_events_per_month)]),
                )
            )
    channels = info["channel"].to_numpy()
    for office in problem.required_offices:
        groups.append(
            _Rows(f"office:{office}", on_y(channels == office), np.ones(1), np.full(1, k + 1.0))
        )
    if st.min_cloud_events > 0:
        groups.append(
            _Rows(
                "cloud",
                on_y(info["kind"].to_numpy() == "cloud"),
                np.array([float(st.min_cloud_events)]),
                np.full(1, k + 1.0),
            )
        )
    return groups


def held_by(problem: RoadshowProblem) -> tuple[np.ndarray, np.ndarray]:
    """(earlier, later): for each slot, the slot of the same event in its previous (next)
    possible month, -1 for none.

    The probability model (workbook.roadshow.saa) solves over w_j = "slot j's event is held in
    slot j's month or earlier" instead of x_j = "held in that month": x_j = w_j - w_earlier(j),
    w_earlier(j) <= w_j, and an event's w in its last month is its y. The plans and the
    optimum are the same (a change of variables), but a branch on w_j = 0 sends the event to a
    later month or drops it, which moves the bound where a branch on x_j = 0 only shifts the
    event to the neighbouring month: with the months binding (the sample as of 31 March)
    HiGHS proves the optimum in this form, where in the other it was 19 trials from it
    after 900 s.
    """
    s = problem.slots
    n = len(s)
    events = s["event_id"].astype(str).to_numpy()
    months = s["month"].to_numpy()
    earlier, later = np.full(n, -1, np.intp), np.full(n, -1, np.intp)
    order = sorted(range(n), key=lambda j: (events[j], int(months[j])))
    for a, b in zip(order[:-1], order[1:], strict=True):
        if events[a] == events[b]:
            earlier[b], later[a] = a, b
    return earlier, later


def held_matrix(earlier: np.ndarray) -> np.ndarray:
    """(slots, slots): x = H w for the held-by variables w of `held_by`."""
    n = len(earlier)
    h = np.eye(n)
    has = np.flatnonzero(earlier >= 0)
    h[has, earlier[has]] = -1.0
    return h


def run_milp(
    objective: np.ndarray,
    groups: Iterable[_Rows],
    time_limit: float | None = None,
    rel_gap: float = 0.0,
) -> MilpResult:
    """Maximise objective . [x; y] over binaries under the groups (HiGHS)."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    groups = list(groups)
    constraints = (
        [
            LinearConstraint(
                np.vstack([g.a for g in groups]),
                np.concatenate([g.lb for g in groups]),
                np.concatenate([g.ub for g in groups]),
            )
        ]
        if groups
        else []
    )
    return milp(
        c=-objective,
        integrality=np.ones(len(objective), np.int64),
        bounds=Bounds(0, 1),
        constraints=constraints,
        options=(
            {"mip_rel_gap": rel_gap, "presolve": True}
            if time_limit is None
            else {"mip_rel_gap": rel_gap, "presolve": True, "time_limit": float(time_limit)}
        ),
    )


def min_cost(
    problem: RoadshowProblem, keep: Iterable[str], weight: str | None = "cost"
) -> float | None:
    """The least total `weight` of the events of a plan that meets the named groups (events
    held at most once always): 'cost' in 万元, None to count events. None when no plan meets
    them."""
    n, events = len(problem.slots), events_of(problem)
    names = set(keep) | {"link"}
    groups = [g for g in constraint_groups(problem) if g.name in names]
    if n == 0:
        return 0.0 if all((g.lb <= 0).all() for g in groups) else None
    info = problem.slots.drop_duplicates("event_id").set_index("event_id").loc[events]
    w = np.ones(len(events)) if weight is None else info[weight].to_numpy(dtype=float)
    res = run_milp(np.concatenate([np.zeros(n), -w]), groups)
    return float(res.fun) if res.status == 0 and res.fun is not None else None


def feasible(problem: RoadshowProblem, drop: Iterable[str] = ()) -> bool:
    """Whether some plan meets every constraint group except those named in `drop`."""
    skip = set(drop)
    return (
        min_cost(problem, [g.name for g in constraint_groups(problem) if g.name not in skip])
        is not None
    )
