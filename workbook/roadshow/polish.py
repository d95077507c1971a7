"""A better plan near a good one, when HiGHS stops at its time limit (workbook.roadshow.saa).

From a feasible plan, `polish` tries every single move (hold one more slot, drop one, move an
event to another month or swap it for another event) and takes the one that meets the most
trials (then the most expected value), until no move helps or its time is up. Every move is
checked against the same constraint rows HiGHS solves (budget, staff-days and events per
month, offices, cloud events; an event held at most once), so the plan stays feasible; it
only ever meets more trials than the plan it started from.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from workbook.roadshow.milp import constraint_groups, events_of
from workbook.roadshow.problem import RoadshowProblem


def polish(
    problem: RoadshowProblem,
    c: np.ndarray,
    r: np.ndarray,
    start: Sequence[int],
    seconds: float = 1.0,
) -> list[int]:
    """The plan (slot positions) reached from `start` by improving single moves; `c` (T, K,
    slots) and `r` (T, K) are the decided trials' contributions and needs (a target already
    met in a trial needs 0). A trial counts when every target reaches its need."""
    t0 = time.perf_counter()
    n = len(problem.slots)
    events = events_of(problem)
    pos = {e: i for i, e in enumerate(events)}
    slot_event = np.array([pos[e] for e in problem.slots["event_id"]], dtype=np.intp)
    groups = [g for g in constraint_groups(problem) if g.name != "link"]
    if groups:
        a_all = np.vstack([g.a for g in groups])
        lb = np.concatenate([g.lb for g in groups]) - 1e-9
        ub = np.concatenate([g.ub for g in groups]) + 1e-9
    else:
        a_all, lb, ub = np.zeros((0, n + len(events))), np.zeros(0), np.zeros(0)
    # holding slot j moves the rows by its own column and its event's
    cols = a_all[:, :n] + a_all[:, n + slot_event]
    value = problem.slots["value"].to_numpy(float)
    held = np.zeros(n, bool)
    held[list(start)] = True

    def fits(act: np.ndarray) -> np.ndarray:
        return np.asarray(((act >= lb[:, None]) & (act <= ub[:, None])).all(axis=0))

    def met(total: np.ndarray) -> np.ndarray:
        """(T, ...) -> trials met: every target at its need (total is (T, K, ...))."""
        need = r.reshape(r.shape + (1,) * (total.ndim - 2))
        return np.asarray((total >= need).all(axis=1))

    while time.perf_counter() - t0 < seconds:
        act = cols @ held
        total = c @ held  # (T, K)
        score = (int(met(total[..., None]).sum()), float(value @ held))
        used = np.zeros(len(events), bool)
        used[slot_event[held]] = True
        best: tuple[tuple[int, float], int | None, int | None] = (score, None, None)
        # add a slot of an event not held yet
        add = ~held & ~used[slot_event]
        add[add] = fits(act[:, None] + cols[:, add])
        for j in np.flatnonzero(add):
            s = (int(met(total + c[:, :, j]).sum()), score[1] + value[j])
            if s > best[0]:
                best = s, None, int(j)
        # drop a slot, or swap it for a slot of its own event (another month) or of an event
        # not held
        for i in np.flatnonzero(held):
            after = act - cols[:, i]
            if fits(after[:, None])[0]:
                s = (int(met(total - c[:, :, i]).sum()), score[1] - value[i])
                if s > best[0]:
                    best = s, int(i), None
            free = ~held & (~used[slot_event] | (slot_event == slot_event[i]))
            cand = np.flatnonzero(free)
            if not len(cand):
                continue
            cand = cand[fits(after[:, None] + cols[:, cand])]
            if not len(cand):
                continue
            moved = (total - c[:, :, i])[:, :, None] + c[:, :, cand]  # (T, K, candidates)
            counts = met(moved).sum(axis=0)
            for j, k in zip(cand, counts, strict=True):
                s = (int(k), score[1] - value[i] + value[j])
                if s > best[0]:
                    best = s, int(i), int(j)
        (_, drop, take) = best
        if drop is None and take is None:
            break
        if drop is not None:
            held[drop] = False
        if take is not None:
            held[take] = True
    return [int(j) for j in np.flatnonzero(held)]


__all__ = ["polish"]
