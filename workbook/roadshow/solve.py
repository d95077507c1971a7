"""Solving the roadshow plan: the optimal plan (MILP), the greedy plan for comparison, a
manual plan checked against the rules, and the plan table with its dates. When nothing is
feasible, `solve` raises InfeasiblePlanError naming the conflicting constraints."""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from workbook.text.catalogue import say
from workbook.text.errors import InputError
from workbook.text.messages import Message

if TYPE_CHECKING:  # drivers import params, which must load first
    pass

from workbook.roadshow.explain import explain_infeasible, requirement_label
from workbook.roadshow.milp import constraint_groups, events_of, feasible, run_milp
from workbook.roadshow.problem import PLAN_COLUMNS, Plan, RoadshowProblem
from workbook.text.errors import InfeasiblePlanError


def solve(problem: RoadshowProblem, *, time_limit: float = 60.0, lang: str = "zh") -> Plan:
    """The plan of greatest expected value meeting every constraint, proven optimal by HiGHS
    (relative gap 0) unless the time limit stops it first (then `proven_optimal` is False).
    Raises InfeasiblePlanError naming the constraints that conflict when no plan meets them."""
    n = len(problem.slots)
    t0 = time.perf_counter()
    if n == 0:
        if not feasible(problem):
            _raise_infeasible(problem, lang)
        return make_plan(problem, [], "optimal", lang, proven=True, gap=0.0, seconds=0.0)
    objective = np.concatenate(
        [problem.slots["value"].to_numpy(float), np.zeros(len(events_of(problem)))]
    )
    res = run_milp(objective, constraint_groups(problem), time_limit=time_limit)
    seconds = time.perf_counter() - t0
    if res.status == 2:
        _raise_infeasible(problem, lang)
    if res.x is None:
        raise InputError(Message("err.not_solved", reason=res.message))
    chosen = [i for i in range(n) if res.x[i] > 0.5]
    gap = getattr(res, "mip_gap", None)
    return make_plan(
        problem,
        chosen,
        "optimal",
        lang,
        proven=res.status == 0,
        gap=float(gap) if gap is not None else None,
        seconds=seconds,
    )


def _raise_infeasible(problem: RoadshowProblem, lang: str) -> None:

    reasons = explain_infeasible(problem, lang) or [say("rs.no_plan", lang)]
    raise InfeasiblePlanError(reasons)


# ---- greedy comparison -------------------------------------------------------------------------


def greedy_plan(problem: RoadshowProblem, lang: str = "zh") -> Plan:
    """The plan a careful planner picks by hand: first the cheapest-per-value events that meet
    the requirements (each office one event, M cloud events), then the best value per 万元,
    each at its best month still open, while budget, staff and event count allow."""
    s, st = problem.slots, problem.settings
    t0 = time.perf_counter()
    value, cost = s["value"].to_numpy(float), s["cost"].to_numpy(float)
    staff_days, month = s["staff_days"].to_numpy(float), s["month"].to_numpy(np.int64)
    event_id: list[str] = s["event_id"].tolist()
    channel: list[str] = s["channel"].tolist()
    kind: list[str] = s["kind"].tolist()
    ratio = np.where(
        cost > 0,
        value / np.maximum(cost, 1e-12),
        np.where(value > 0, np.inf, 0.0),
    )
    order = sorted(
        range(len(s)),
        key=lambda i: (-ratio[i], -value[i], month[i], event_id[i]),
    )
    chosen: list[int] = []
    used: set[str] = set()
    spent = 0.0
    staff: dict[int, float] = {}
    count: dict[int, int] = {}

    def fits(i: int) -> bool:
        m = int(month[i])
        return bool(
            event_id[i] not in used
            and spent + cost[i] <= st.budget + 1e-9
            and staff.get(m, 0.0) + staff_days[i] <= st.staff_days_per_month + 1e-9
            and count.get(m, 0) + 1 <= st.max_events_per_month
        )

    def take(i: int) -> None:
        nonlocal spent
        m = int(month[i])
        chosen.append(i)
        used.add(event_id[i])
        spent += float(cost[i])
        staff[m] = staff.get(m, 0.0) + float(staff_days[i])
        count[m] = count.get(m, 0) + 1

    for office in problem.required_offices:
        if any(channel[i] == office for i in chosen):
            continue
        pick = next((i for i in order if channel[i] == office and fits(i)), None)
        if pick is not None:
            take(pick)
    while sum(kind[i] == "cloud" for i in chosen) < st.min_cloud_events:
        pick = next((i for i in order if kind[i] == "cloud" and fits(i)), None)
        if pick is None:
            break
        take(pick)
    for i in order:
        if ratio[i] > 0 and fits(i):
            take(i)
    plan = make_plan(problem, chosen, "greedy", lang, seconds=time.perf_counter() - t0)
    return replace(plan, unmet=tuple(unmet_requirements(problem, plan.table, lang)))


# ---- plans -------------------------------------------------------------------------------------


def make_plan(
    problem: RoadshowProblem,
    chosen: Sequence[int],
    method: str,
    lang: str = "zh",
    *,
    proven: bool = False,
    gap: float | None = None,
    seconds: float = 0.0,
) -> Plan:
    """The plan holding the slots `chosen` (positions in `problem.slots`), dated and named."""
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
            raise InputError(Message("err.event_month", id=e, month=m))
        chosen.append(index[(e, int(m))])
    return make_plan(problem, chosen, method, lang)


def unmet_requirements(
    problem: RoadshowProblem, table: pd.DataFrame, lang: str = "zh"
) -> list[str]:
    """The requirements (each office one event, M cloud events) a plan table misses."""

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
