"""What any affordable plan can add in a trial: an upper bound that leaves trials out of the
probability model (workbook.roadshow.saa) before HiGHS sees them.

A plan holds each event at most once and pays for it out of the budget. In trial t, event e
adds at most ``v[t, e] = max over its months of c[t, e, m]`` (c: the slot's contribution), so
no plan adds more than the best 0/1 knapsack of those values under the budget. A trial whose
knapsack falls short of what it needs can be rescued by no plan: it is not a decision of the
model, exactly like a trial out of reach with every slot held.

The knapsack is a dynamic programme over budget units, vectorised over trials. Costs are
rounded *down* to the unit (the budget too), which can only raise the knapsack: the bound
stays valid on any catalogue, and is exact when costs and budget are whole 万元 (the usual
case) and the budget is at most `MAX_UNITS` 万元.
"""

from __future__ import annotations

import numpy as np

MAX_UNITS = 2_000  # budget units of the programme at most
_CHUNK = 1_024  # trials per pass: a pass holds CHUNK x (units + 1) floats


def budget_units(costs: np.ndarray, budget: float) -> tuple[np.ndarray, int]:
    """(each cost in units, the budget in units), rounded down: 1 万元 a unit when costs and
    budget are whole and the budget is at most MAX_UNITS, else budget / MAX_UNITS."""
    costs = np.asarray(costs, float)
    whole = np.all(np.abs(costs - np.round(costs)) < 1e-9) and abs(budget - round(budget)) < 1e-9
    unit = 1.0 if whole and budget <= MAX_UNITS else max(budget, 1e-12) / MAX_UNITS
    w = np.floor(costs / unit + 1e-9).astype(np.int64)
    return w, int(np.floor(budget / unit + 1e-9))


def knapsack(values: np.ndarray, costs: np.ndarray, budget: float) -> np.ndarray:
    """(T,): for each row of `values` (T, E), the largest sum of values of a set of columns
    whose costs fit in `budget` (an upper bound when costs are not whole units; see the module
    docstring). Values are taken as they are (negative ones are never worth taking)."""
    values = np.maximum(np.asarray(values, float), 0.0)
    t, e = values.shape
    w, cap = budget_units(costs, budget)
    out = np.zeros(t)
    if cap < 0:
        return out
    for lo in range(0, t, _CHUNK):
        v = values[lo : lo + _CHUNK]
        dp = np.zeros((len(v), cap + 1))  # dp[:, b]: the best within b units
        for j in range(e):
            wj = int(w[j])
            if wj > cap:
                continue
            take = dp[:, : cap + 1 - wj] + v[:, j : j + 1]  # a new array: reads the old dp
            np.maximum(dp[:, wj:], take, out=dp[:, wj:])
        out[lo : lo + len(v)] = dp[:, cap]
    return out


def event_values(contrib: np.ndarray, slot_events: np.ndarray, n_events: int) -> np.ndarray:
    """(T, events): each event's largest contribution over its slots (months) in each trial,
    from `contrib` (T, slots) and the event index of each slot."""
    out = np.zeros((contrib.shape[0], n_events))
    for j, e in enumerate(slot_events):
        np.maximum(out[:, e], contrib[:, j], out=out[:, e])
    return out


__all__ = ["MAX_UNITS", "budget_units", "event_values", "knapsack"]
