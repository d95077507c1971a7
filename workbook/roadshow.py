"""The roadshow plan: which candidate events to hold, in which month, for a budget.

`build_problem` turns the event catalogue and the `roadshow:` settings into slots (event x
month) that can be held: inside the catalogue's months, not before the as-of date, not
forbidden by a restriction (standing or a scenario's), and with a run of days that touches no
blocked holiday week. Each slot carries its expected value under the optimiser's own model
(`ValueModel`): in-year arrived capital (an event pays less the later it is held, through
the lag) plus `weight_500` x expected new 500强 signings.

`solve` picks the plan by a mixed-integer programme (scipy.optimize.milp, HiGHS) under the
budget, staff-days and event count per month, each resident office running at least one
event and at least M cloud events; `greedy_plan` picks by value per 万元 for comparison.
When nothing is feasible, `solve` raises InfeasiblePlanError naming the constraints that
conflict (see `workbook.roadshow_explain`).
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from workbook.errors import InputError
from workbook.holidays import HolidayWeek, event_windows, holiday_label, holiday_weeks
from workbook.messages import Message
from workbook.params import Channel, ZoneParams
from workbook.roadshow_params import Restriction, RoadshowSettings

if TYPE_CHECKING:  # drivers import params, which must load first
    from workbook.drivers import Drivers

# Columns of a plan table, in order.
PLAN_COLUMNS: tuple[str, ...] = (
    "month",
    "event_id",
    "name",
    "kind",
    "city",
    "channel",
    "office",
    "first_day",
    "last_day",
    "cost",
    "staff_days",
    "expected_leads",
    "expected_signings",
    "expected_capital",
    "expected_domestic",
    "expected_foreign",
    "expected_500",
    "value",
)


@dataclass(frozen=True)
class RoadshowProblem:
    """Everything the optimiser needs, checked and precomputed; build with `build_problem`.

    `slots` holds one row per (event, month) that may be held with its value; `excluded`
    one row per (event, month) the catalogue allows but the plan may not use, with the reason
    (elapsed, restricted, holiday) for explanations.
    """

    year: int
    as_of: dt.date | None
    months: tuple[int, ...]
    settings: RoadshowSettings
    events: pd.DataFrame
    channels: Mapping[str, Channel]
    required_offices: tuple[str, ...]
    slots: pd.DataFrame
    excluded: pd.DataFrame
    holiday_weeks: tuple[HolidayWeek, ...]
    restrictions: tuple[Restriction, ...]
    windows: Mapping[tuple[str, int], tuple[tuple[dt.date, dt.date], ...]] = field(repr=False)

    @property
    def budget(self) -> float:
        return self.settings.budget

    def office_label(self, channel: str, lang: str = "zh") -> str:
        ch = self.channels.get(channel)
        if ch is None:
            return channel
        return ch.name if lang == "zh" else ch.name_en

    def with_budget(self, budget: float) -> RoadshowProblem:
        """The same problem with another budget (slots and values are unchanged)."""
        if budget < 0:
            raise InputError(f"budget must be >= 0 万元, got {budget:g}")
        settings = self.settings.model_copy(update={"budget": float(budget)})
        return replace(self, settings=settings)


@dataclass(frozen=True)
class Plan:
    """A chosen set of (event, month) with dates and expected value; see PLAN_COLUMNS.

    `method` is 'optimal' (MILP), 'greedy' or 'manual' (plan_of); `unmet` lists requirements
    a greedy plan misses (an optimal plan meets them all or is not returned). Office names are
    in the language the plan was made in.
    """

    table: pd.DataFrame
    objective: float
    budget: float
    method: str
    proven_optimal: bool = False
    gap: float | None = None
    seconds: float = 0.0
    unmet: tuple[str, ...] = ()

    @property
    def cost(self) -> float:
        return float(self.table["cost"].sum())

    @property
    def expected_capital(self) -> float:
        return float(self.table["expected_capital"].sum())

    @property
    def expected_500(self) -> float:
        return float(self.table["expected_500"].sum())

    def held(self) -> pd.DataFrame:
        """The plan as the scenario engine takes it: DataFrame[event_id, month]."""
        return self.table[["event_id", "month"]].reset_index(drop=True)


# ---- building the problem ----------------------------------------------------------------------


def plannable_months(year: int, as_of: dt.date | None) -> tuple[int, ...]:
    """Months whose first day is on or after `as_of` (all twelve when as_of is None)."""
    if as_of is None:
        return tuple(range(1, 13))
    if as_of.year > year:
        return ()
    if as_of.year < year:
        return tuple(range(1, 13))
    return tuple(m for m in range(1, 13) if dt.date(year, m, 1) >= as_of)


@lru_cache(maxsize=256)
def lag_pmf(mean: float, sigma: float) -> tuple[tuple[int, float], ...]:
    """P(lag = k months), k = 0..13 (13: after the year), for the lag the forecast draws:
    ceil(mean x L), L lognormal with mean 1 and log-sd `sigma` (workbook.draws.month_table)."""
    from workbook.draws import Q, month_table

    counts = np.bincount(month_table(1.0, float(mean), float(sigma), 0, 0), minlength=14)
    return tuple((k, c / Q) for k, c in enumerate(counts.tolist()) if c)


@lru_cache(maxsize=4096)
def _timing(
    month: int, lag: float, slip: int, to_start: float, sigma: float
) -> tuple[float, float]:
    """(P(signing lands in the year), expected months of arrivals by December) of a deal from
    an event in `month`: it signs `slip` + a `lag` draw later, starts a `to_start` draw after
    signing, and money flows every month from the start month to December, as in the forecast."""
    p_sign = pay = 0.0
    starts = lag_pmf(to_start, sigma)
    for k, pk in lag_pmf(lag, sigma):
        signed = month + slip + k
        if signed > 12:
            continue
        p_sign += pk
        for j, pj in starts:
            pay += pk * pj * max(0, 13 - (signed + j))
    return p_sign, pay


def slot_value(
    event: Mapping[str, object] | pd.Series,
    month: int,
    drivers: Drivers,
    weight_500: float,
) -> dict[str, float]:
    """What holding `event` in `month` is expected to bring, under the forecast's drivers:
    leads (x the kind's lead multiplier), signings (x conversion multiplier), in-year arrived
    capital in 亿元 (split domestic/foreign) and new 500强 signings in the year, and its value
    in the objective: capital + weight_500 x 500强 signings.

    Each signed deal has a lognormal size around the catalogue median (sigma `size_sigma`),
    signs `slip_months` + the catalogue lag later, starts with `start_probability` after
    `months_to_start`, and then brings the `unplanned_share` of its size per twelve months
    until December; lags are spread as the forecast draws them (`lag_sigma`), so this is the
    forecast's expectation for the event (Forecast.sources). Earlier months pay more.
    """
    ev_drivers = drivers.events
    kind = str(event["kind"])
    leads = float(event["expected_leads"]) * ev_drivers.lead_multiplier.of(kind)
    conversion = min(1.0, float(event["conversion"]) * ev_drivers.conversion_multiplier)
    signings = leads * conversion
    p_sign, pay_months = _timing(
        int(month),
        float(event["lag_months"]),
        drivers.slip_months,
        drivers.months_to_start,
        drivers.lag_sigma,
    )
    mean_size = float(event["size_median"]) * math.exp(drivers.size_sigma**2 / 2)
    capital = (
        signings
        * mean_size
        * drivers.start_probability
        * drivers.unplanned_share.mean
        * pay_months
        / 12
    )
    e500 = signings * float(event["share_500"]) * p_sign
    foreign = capital * float(event["foreign_share"])
    return {
        "expected_leads": leads,
        "expected_signings": signings,
        "expected_capital": capital,
        "expected_domestic": capital - foreign,
        "expected_foreign": foreign,
        "expected_500": e500,
        "value": capital + weight_500 * e500,
    }


def build_problem(
    params: ZoneParams,
    events: pd.DataFrame | None,
    *,
    settings: RoadshowSettings | None = None,
    budget: float | None = None,
    as_of: dt.date | None = None,
    scenario: str | None = None,
    drivers: Drivers | None = None,
    restrictions: Sequence[Restriction] = (),
) -> RoadshowProblem:
    """Check the catalogue against the settings and list every (event, month) slot with its value.

    `settings` defaults to `params.roadshow`, `budget` (万元) overrides its budget. `drivers`
    default to the params' drivers with the named `scenario`'s overrides laid over them; the
    drivers' cancelled events and `restrictions` add to the settings' standing restrictions.
    """
    if events is None or len(events) == 0:
        raise InputError("the zone has no event catalogue (params data.events): nothing to plan")
    settings = settings if settings is not None else params.roadshow
    if budget is not None:
        if not math.isfinite(budget) or budget < 0:
            raise InputError(f"budget must be a number >= 0 万元, got {budget:g}")
        settings = settings.model_copy(update={"budget": float(budget)})
    if drivers is None:
        drivers = scenario_drivers(params, scenario)
    year = params.year
    months = plannable_months(year, as_of)
    channels = {c.id: c for c in params.channels}
    unknown = sorted(set(events["channel"]) - set(channels))
    if unknown:
        raise InputError(
            f"event catalogue names unknown offices or platforms: {', '.join(unknown)} "
            f"(expected one of {', '.join(sorted(channels))})"
        )
    rules = tuple(settings.restrictions) + tuple(drivers.events.cancelled) + tuple(restrictions)
    known = set(events["event_id"])
    for rule in rules:
        bad = [e for e in rule.events if e not in known] + [
            c for c in rule.channels if c not in channels
        ]
        if bad:
            raise InputError(
                Message("plan.restriction_unknown", reason=rule.reason or "-", bad=", ".join(bad))
            )
    weeks = holiday_weeks(year, settings.blocked_holidays)
    rows, excluded = [], []
    windows: dict[tuple[str, int], tuple[tuple[dt.date, dt.date], ...]] = {}
    events = events.reset_index(drop=True)
    for _, ev in events.iterrows():
        eid, kind, channel = str(ev["event_id"]), str(ev["kind"]), str(ev["channel"])
        for m in sorted(ev["months"]):
            reason = detail = None
            if m not in months:
                reason, detail = "elapsed", ""
            else:
                rule = next((r for r in rules if r.forbids(eid, kind, channel, m)), None)
                if rule is not None:
                    reason, detail = "restricted", rule.reason
            if reason is None:
                days = settings.event_days.of(kind)
                w = event_windows(year, m, days, weeks, workdays_only=kind != "overseas")
                if not w:
                    reason = "holiday"
                    touched = [x for x in weeks if x.first.month <= m <= x.last.month]
                    detail = ", ".join(holiday_label(x.holiday) for x in touched)
                else:
                    windows[(eid, m)] = tuple(w)
            if reason is not None:
                excluded.append({"event_id": eid, "month": m, "reason": reason, "detail": detail})
                continue
            value = slot_value(ev, m, drivers, settings.weight_500)
            rows.append(
                {
                    "event_id": eid,
                    "month": m,
                    "kind": kind,
                    "channel": channel,
                    "cost": float(ev["cost"]),
                    "staff_days": float(ev["staff_days"]),
                    **value,
                }
            )
    slot_cols = ["event_id", "month", "kind", "channel", "cost", "staff_days"] + [
        c for c in PLAN_COLUMNS if c.startswith("expected_") or c == "value"
    ]
    slots = pd.DataFrame(rows, columns=slot_cols)
    required = (
        tuple(o.id for o in params.offices) if settings.each_office_runs_one else tuple[str, ...]()
    )
    return RoadshowProblem(
        year=year,
        as_of=as_of,
        months=months,
        settings=settings,
        events=events,
        channels=channels,
        required_offices=required,
        slots=slots,
        excluded=pd.DataFrame(excluded, columns=["event_id", "month", "reason", "detail"]),
        holiday_weeks=weeks,
        restrictions=rules,
        windows=windows,
    )


def scenario_drivers(params: ZoneParams, scenario: str | None) -> Drivers:
    """The params' drivers with a named scenario's overrides laid over them (None: as they are).
    An unknown name is an InputError listing the scenarios the params define."""
    if scenario is None:
        return params.drivers
    if scenario not in params.scenarios:
        names = ", ".join(params.scenarios) or "none"
        raise InputError(f"unknown scenario {scenario!r} (the params define: {names})")
    return params.drivers.apply(params.scenarios[scenario].drivers)


# ---- the mixed-integer programme ---------------------------------------------------------------


@dataclass(frozen=True)
class _Rows:
    """Constraint rows of one named group over the variables [x; y]: lb <= A [x; y] <= ub."""

    name: str
    a: np.ndarray
    lb: np.ndarray
    ub: np.ndarray


def _events_of(problem: RoadshowProblem) -> list[str]:
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
    events = _events_of(problem)
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


def _milp(
    objective: np.ndarray,
    groups: Iterable[_Rows],
    time_limit: float | None = None,
    rel_gap: float = 0.0,
):
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
    options: dict[str, object] = {"mip_rel_gap": rel_gap, "presolve": True}
    if time_limit is not None:
        options["time_limit"] = float(time_limit)
    return milp(
        c=-objective,
        integrality=np.ones(len(objective)),
        bounds=Bounds(0, 1),
        constraints=constraints,
        options=options,
    )


def min_cost(
    problem: RoadshowProblem, keep: Iterable[str], weight: str | None = "cost"
) -> float | None:
    """The least total `weight` of the events of a plan that meets the named groups (events
    held at most once always): 'cost' in 万元, None to count events. None when no plan meets
    them."""
    n, events = len(problem.slots), _events_of(problem)
    names = set(keep) | {"link"}
    groups = [g for g in constraint_groups(problem) if g.name in names]
    if n == 0:
        return 0.0 if all((g.lb <= 0).all() for g in groups) else None
    info = problem.slots.drop_duplicates("event_id").set_index("event_id").loc[events]
    w = np.ones(len(events)) if weight is None else info[weight].to_numpy(dtype=float)
    res = _milp(np.concatenate([np.zeros(n), -w]), groups)
    return float(res.fun) if res.status == 0 else None


def feasible(problem: RoadshowProblem, drop: Iterable[str] = ()) -> bool:
    """Whether some plan meets every constraint group except those named in `drop`."""
    skip = set(drop)
    return (
        min_cost(problem, [g.name for g in constraint_groups(problem) if g.name not in skip])
        is not None
    )


def solve(problem: RoadshowProblem, *, time_limit: float = 60.0, lang: str = "zh") -> Plan:
    """The plan of greatest expected value meeting every constraint, proven optimal by HiGHS
    (relative gap 0) unless the time limit stops it first (then `proven_optimal` is False).
    Raises InfeasiblePlanError naming the constraints that conflict when no plan meets them."""
    n = len(problem.slots)
    t0 = time.perf_counter()
    if n == 0:
        if not feasible(problem):
            _raise_infeasible(problem, lang)
        return _make_plan(problem, [], "optimal", lang, proven=True, gap=0.0, seconds=0.0)
    objective = np.concatenate(
        [problem.slots["value"].to_numpy(float), np.zeros(len(_events_of(problem)))]
    )
    res = _milp(objective, constraint_groups(problem), time_limit=time_limit)
    seconds = time.perf_counter() - t0
    if res.status == 2:
        _raise_infeasible(problem, lang)
    if res.x is None:
        raise InputError(f"the plan could not be solved: {res.message}")
    chosen = [i for i in range(n) if res.x[i] > 0.5]
    gap = getattr(res, "mip_gap", None)
    return _make_plan(
        problem,
        chosen,
        "optimal",
        lang,
        proven=res.status == 0,
        gap=float(gap) if gap is not None else None,
        seconds=seconds,
    )


def _raise_infeasible(problem: RoadshowProblem, lang: str) -> None:
    from workbook.errors import InfeasiblePlanError
    from workbook.roadshow_explain import explain_infeasible

    reasons = explain_infeasible(problem, lang) or [
        "没有满足全部约束的活动方案（求解器判定，未能定位到具体约束）"
        if lang == "zh"
        else "no plan meets every constraint (the solver says so; no smaller conflict was found)"
    ]
    raise InfeasiblePlanError(reasons)


# ---- greedy comparison -------------------------------------------------------------------------


def greedy_plan(problem: RoadshowProblem, lang: str = "zh") -> Plan:
    """The plan a careful planner picks by hand: first the cheapest-per-value events that meet
    the requirements (each office one event, M cloud events), then the best value per 万元,
    each at its best month still open, while budget, staff and event count allow."""
    s, st = problem.slots, problem.settings
    t0 = time.perf_counter()
    ratio = np.where(
        s["cost"].to_numpy() > 0,
        s["value"].to_numpy() / np.maximum(s["cost"].to_numpy(), 1e-12),
        np.where(s["value"].to_numpy() > 0, np.inf, 0.0),
    )
    order = sorted(
        range(len(s)),
        key=lambda i: (-ratio[i], -s["value"].iat[i], s["month"].iat[i], s["event_id"].iat[i]),
    )
    chosen: list[int] = []
    used: set[str] = set()
    spent = 0.0
    staff: dict[int, float] = {}
    count: dict[int, int] = {}

    def fits(i: int) -> bool:
        m = int(s["month"].iat[i])
        return (
            s["event_id"].iat[i] not in used
            and spent + s["cost"].iat[i] <= st.budget + 1e-9
            and staff.get(m, 0.0) + s["staff_days"].iat[i] <= st.staff_days_per_month + 1e-9
            and count.get(m, 0) + 1 <= st.max_events_per_month
        )

    def take(i: int) -> None:
        nonlocal spent
        m = int(s["month"].iat[i])
        chosen.append(i)
        used.add(s["event_id"].iat[i])
        spent += float(s["cost"].iat[i])
        staff[m] = staff.get(m, 0.0) + float(s["staff_days"].iat[i])
        count[m] = count.get(m, 0) + 1

    for office in problem.required_offices:
        if any(s["channel"].iat[i] == office for i in chosen):
            continue
        pick = next((i for i in order if s["channel"].iat[i] == office and fits(i)), None)
        if pick is not None:
            take(pick)
    while sum(s["kind"].iat[i] == "cloud" for i in chosen) < st.min_cloud_events:
        pick = next((i for i in order if s["kind"].iat[i] == "cloud" and fits(i)), None)
        if pick is None:
            break
        take(pick)
    for i in order:
        if ratio[i] > 0 and fits(i):
            take(i)
    plan = _make_plan(problem, chosen, "greedy", lang, seconds=time.perf_counter() - t0)
    return replace(plan, unmet=tuple(unmet_requirements(problem, plan.table, lang)))


# ---- plans -------------------------------------------------------------------------------------


def _make_plan(
    problem: RoadshowProblem,
    chosen: Sequence[int],
    method: str,
    lang: str = "zh",
    *,
    proven: bool = False,
    gap: float | None = None,
    seconds: float = 0.0,
) -> Plan:
    s = problem.slots.iloc[list(chosen)]
    info = problem.events.set_index("event_id")
    table = s.assign(
        name=[str(info.at[e, "name"]) for e in s["event_id"]],
        city=[_text(info.at[e, "city"]) for e in s["event_id"]],
        office=[problem.office_label(c, lang) for c in s["channel"]],
    )
    table = table.sort_values(["month", "event_id"]).reset_index(drop=True)
    days = schedule(problem, table)
    table["first_day"] = [d[0] for d in days]
    table["last_day"] = [d[1] for d in days]
    table = table[list(PLAN_COLUMNS)]
    return Plan(
        table=table,
        objective=float(table["value"].sum()),
        budget=problem.budget,
        method=method,
        proven_optimal=proven,
        gap=gap,
        seconds=seconds,
    )


def _text(v: object) -> str:
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)


def schedule(problem: RoadshowProblem, table: pd.DataFrame) -> list[tuple[dt.date, dt.date]]:
    """Dates for each planned event: a run of days inside its month that avoids the blocked
    holiday weeks (guaranteed by the slot), preferring not to overlap another event of the same
    office, then the fewest overlaps with any event that month, then the earliest."""
    placed: list[tuple[int, str, dt.date, dt.date]] = []
    out: list[tuple[dt.date, dt.date]] = []
    for eid, m, ch in zip(table["event_id"], table["month"], table["channel"], strict=True):
        options = problem.windows[(str(eid), int(m))]

        def clashes(w: tuple[dt.date, dt.date], same: bool, m: int = int(m), ch: str = ch) -> int:
            return sum(
                1
                for pm, pc, a, b in placed
                if pm == m and (pc == ch or not same) and a <= w[1] and w[0] <= b
            )

        best = min(options, key=lambda w: (clashes(w, True), clashes(w, False), w[0]))
        placed.append((int(m), ch, best[0], best[1]))
        out.append(best)
    return out


def plan_of(
    problem: RoadshowProblem,
    held: Iterable[tuple[str, int]],
    method: str = "manual",
    lang: str = "zh",
) -> Plan:
    """A Plan from (event_id, month) pairs, e.g. a planner's own choice, to compare or export
    (office names in `lang`). Raises InputError for a pair the problem does not allow."""
    index = {
        (e, int(m)): i
        for i, (e, m) in enumerate(
            zip(problem.slots["event_id"], problem.slots["month"], strict=True)
        )
    }
    chosen = []
    for e, m in held:
        if (e, int(m)) not in index:
            raise InputError(f"event {e} cannot be held in month {m} under this plan's rules")
        chosen.append(index[(e, int(m))])
    return _make_plan(problem, chosen, method, lang)


def unmet_requirements(
    problem: RoadshowProblem, table: pd.DataFrame, lang: str = "zh"
) -> list[str]:
    """The requirements (each office one event, M cloud events) a plan table misses."""
    from workbook.roadshow_explain import requirement_label

    out = [
        requirement_label(problem, f"office:{office}", lang)
        for office in problem.required_offices
        if not (table["channel"] == office).any()
    ]
    if (table["kind"] == "cloud").sum() < problem.settings.min_cloud_events:
        out.append(requirement_label(problem, "cloud", lang))
    return out


def violations(problem: RoadshowProblem, table: pd.DataFrame, lang: str = "zh") -> list[str]:
    """Every constraint a plan table breaks (limits, allowed slots, holidays, requirements), as
    messages; an empty list means the plan is feasible."""
    st = problem.settings
    out: list[str] = []
    if table["event_id"].duplicated().any():
        out.append("an event is held twice")
    if table["cost"].sum() > st.budget + 1e-6:
        out.append(f"cost {table['cost'].sum():g}万元 > budget {st.budget:g}万元")
    for m, grp in table.groupby("month"):
        if grp["staff_days"].sum() > st.staff_days_per_month + 1e-6:
            out.append(f"month {m}: {grp['staff_days'].sum():g} staff-days > capacity")
        if len(grp) > st.max_events_per_month:
            out.append(f"month {m}: {len(grp)} events > {st.max_events_per_month}")
    allowed = set(zip(problem.slots["event_id"], problem.slots["month"], strict=True))
    for e, m in zip(table["event_id"], table["month"], strict=True):
        if (e, m) not in allowed:
            out.append(f"{e} is not allowed in month {m}")
    if "first_day" in table:
        for e, a, b in zip(table["event_id"], table["first_day"], table["last_day"], strict=True):
            if any(w.first <= b and a <= w.last for w in problem.holiday_weeks):
                out.append(f"{e} falls in a blocked holiday week ({a} to {b})")
    return out + unmet_requirements(problem, table, lang)


def plan_objective(problem: RoadshowProblem, held: Iterable[tuple[str, int]]) -> float:
    """The objective of holding the given (event_id, month) slots."""
    value = {
        (e, int(m)): v
        for e, m, v in zip(
            problem.slots["event_id"], problem.slots["month"], problem.slots["value"], strict=True
        )
    }
    return float(sum(value[(e, int(m))] for e, m in held))
