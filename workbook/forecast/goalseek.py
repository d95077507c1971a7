"""Goal seek: the least extra effort that lifts P(target met) to a chosen level, e.g. 0.8.

Two levers, both on the engine's common random numbers so the answer is exact for its draws:

- `signed_capital`: extra capital (亿元, contracted) signed right after the as-of date, as
  projects without a planned inflow that start and pay like the ledger's signed projects.
  A trial's year-end grows linearly with the amount, so the smallest amount is a quantile of
  what each trial needs; no search.
- `events`: extra catalogue events (one kind, or one event) held in the months still open,
  earliest month first (then the most expected deals). More events never lower a trial's
  value, so the smallest number is found by bisection.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbook.forecast.engine import Engine
from workbook.forecast.results import Forecast, reached
from workbook.text.errors import InputError
from workbook.text.labels import LEVERS
from workbook.text.messages import Message
from workbook.zone.cells import num
from workbook.zone.drivers import Drivers


@dataclass(frozen=True)
class GoalSeek:
    """The answer: `extra` is 亿元 of signed capital or a number of events; 0 when the level is
    met already, None when the lever cannot reach it (then `achieved` is the best it reaches)."""

    metric: str
    probability: float
    lever: str
    current: float
    extra: float | None
    achieved: float
    unit: str  # of `extra`: "CNY" for signed capital, "events"
    events: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def reachable(self) -> bool:
        return self.extra is not None


def goal_seek(
    engine: Engine,
    metric: str = "domestic_capital",
    probability: float = 0.8,
    lever: str = "signed_capital",
    *,
    drivers: Drivers | None = None,
    plan: pd.DataFrame | None = None,
    kind: str | None = None,
    event_id: str | None = None,
) -> GoalSeek:
    """The smallest extra signed capital, or number of extra events (of `kind`, or copies of
    `event_id` in other months), for P(metric reaches its floor) >= `probability`."""
    if not 0 < probability <= 1:
        raise InputError(Message("err.probability", found=probability))
    if lever not in LEVERS:
        raise InputError(Message("err.unknown_lever", lever=lever, valid=", ".join(LEVERS)))
    drivers = drivers if drivers is not None else engine.params.drivers
    plan = engine.resolve_plan(plan)
    fc = engine.forecast(drivers, plan)
    fc._check(metric)
    target = num(fc.targets.loc[metric, "target"])
    current = num(fc.targets.loc[metric, "p_attain"])
    if lever == "signed_capital":
        return _signed_capital(engine, fc, metric, target, probability, current)
    return _events(engine, drivers, plan, metric, target, probability, current, kind, event_id)


def _signed_capital(
    engine: Engine, fc: Forecast, metric: str, target: float, probability: float, current: float
) -> GoalSeek:
    base = fc.year_end(metric)
    gain = engine.signed_capital_yield(fc.drivers, metric)  # per 亿元 signed
    short = ~reached(base, target)
    with np.errstate(divide="ignore", invalid="ignore"):
        need = np.where(short, np.where(gain > 0, (target - base) / gain, np.inf), 0.0)
    k = math.ceil(probability * len(need) - 1e-9)
    extra = float(np.sort(need)[k - 1])
    if current >= probability:
        return GoalSeek(metric, probability, "signed_capital", current, 0.0, current, "CNY")
    if not np.isfinite(extra):
        best = float(np.isfinite(need).mean())
        return GoalSeek(metric, probability, "signed_capital", current, None, best, "CNY")
    extra *= 1 + 1e-9  # the trial that sets the amount reaches its target exactly
    achieved = float(reached(base + extra * gain, target).mean())
    return GoalSeek(metric, probability, "signed_capital", current, extra, achieved, "CNY")


def candidate_events(
    engine: Engine,
    drivers: Drivers,
    plan: pd.DataFrame,
    kind: str | None = None,
    event_id: str | None = None,
) -> pd.DataFrame:
    """Catalogue events that could still be added, in the order goal seek adds them."""
    cat = engine.zone.events
    if cat is None or not len(cat):
        raise InputError(Message("err.no_catalogue"))
    if kind is not None and kind not in set(cat["kind"]):
        kinds = ", ".join(sorted(set(cat["kind"])))
        raise InputError(Message("err.no_events_of_kind", kind=kind, kinds=kinds))
    if event_id is not None and event_id not in set(cat["event_id"]):
        raise InputError(
            Message("plan.unknown_event", id=event_id, valid=", ".join(cat["event_id"]))
        )
    held = set(zip(plan["event_id"], plan["month"].astype(int), strict=True))
    rows = []
    for _, ev in cat.iterrows():
        eid, k, channel = str(ev["event_id"]), str(ev["kind"]), str(ev["channel"])
        if (kind is not None and k != kind) or (event_id is not None and eid != event_id):
            continue
        for m in ev["months"]:
            if m <= engine.month or (eid, m) in held:
                continue
            if drivers.events.is_cancelled(eid, k, channel, m):
                continue
            deals = float(ev["expected_leads"]) * float(ev["conversion"])
            rows.append(
                {
                    "event_id": eid,
                    "month": int(m),
                    "name": ev["name"],
                    "kind": k,
                    "cost": float(ev["cost"]),
                    "expected_deals": deals,
                }
            )
    out = pd.DataFrame(
        rows, columns=["event_id", "month", "name", "kind", "cost", "expected_deals"]
    )
    out = out.sort_values(["month", "expected_deals", "event_id"], ascending=[True, False, True])
    return out.reset_index(drop=True)


def _events(
    engine: Engine,
    drivers: Drivers,
    plan: pd.DataFrame,
    metric: str,
    target: float,
    probability: float,
    current: float,
    kind: str | None,
    event_id: str | None,
) -> GoalSeek:
    extra = candidate_events(engine, drivers, plan, kind, event_id)
    if current >= probability:
        return GoalSeek(metric, probability, "events", current, 0, current, "events", extra[:0])

    def p_with(n: int) -> float:
        more = pd.concat([plan, extra.head(n)[["event_id", "month"]]], ignore_index=True)
        values = engine.forecast(drivers, more).year_end(metric)
        return float(reached(values, target).mean())

    best = p_with(len(extra)) if len(extra) else current
    if best < probability:
        return GoalSeek(metric, probability, "events", current, None, best, "events", extra)
    lo, hi, p_hi = 0, len(extra), best  # P(lo) < probability <= P(hi)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        p = p_with(mid)
        if p >= probability:
            hi, p_hi = mid, p
        else:
            lo = mid
    return GoalSeek(
        metric,
        probability,
        "events",
        current,
        hi,
        p_hi,
        "events",
        extra.head(hi).reset_index(drop=True),
    )
