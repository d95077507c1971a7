"""Why no roadshow plan is feasible, in the planner's terms rather than "infeasible".

A deletion filter over the constraint groups of `workbook.roadshow.problem.constraint_groups` finds a
smallest set that cannot hold together (an irreducible infeasible subset at the level of
budget, a month's staff or event limit, an office's or the cloud requirement). The set is
then put in words with the figures that make it so, e.g. "长三角 office must run an event
but every candidate of it costs more than the remaining budget: …".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from workbook.roadshow.milp import constraint_groups, min_cost
from workbook.roadshow.problem import RoadshowProblem
from workbook.text.dates import day_name

if TYPE_CHECKING:
    import pandas as pd

from workbook.text.catalogue import Entry, say


def _month(m: int, lang: str) -> str:
    return say("month.one", lang, m=say(f"month.name.{m}", lang))


def month_span(ms: Iterable[int], lang: str) -> str:
    """(3, 4, 5, 9) -> '3–5月、9月' / 'Mar–May, Sep'."""
    ms = sorted(set(ms))
    runs: list[tuple[int, int]] = []
    for m in ms:
        if runs and m == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], m)
        else:
            runs.append((m, m))
    parts = [
        _month(a, lang)
        if a == b
        else say("month.run", lang, a=say(f"month.name.{a}", lang), b=say(f"month.name.{b}", lang))
        for a, b in runs
    ]
    return say("sep.list", lang).join(parts) if parts else say("word.none", lang)


def window_lines(problem: RoadshowProblem, plan_table: Any, as_of: Any, lang: str) -> list[str]:
    """Why the plan's events fall in the months they do: the months planned are those after
    the as-of date; when the plan leaves the later ones empty, the figure that says why (an
    event of the plan held in its month against the same event held in its latest month: an
    event held later has less of the year left for its deals to sign, start and pay)."""
    months = month_span(problem.months, lang)
    day = day_name(as_of, lang) if as_of is not None else ""
    lines = [say("plan.window.months", lang, months=months, day=day)]
    if plan_table is None or not len(plan_table) or not problem.months:
        return lines
    used = sorted({int(m) for m in plan_table["month"]})
    if max(used) >= max(problem.months):
        return lines
    slots = problem.slots
    best = None  # (event, its month, its capital there, its latest month, capital then)
    for r in plan_table.sort_values("expected_capital", ascending=False).itertuples():
        mine = slots[slots["event_id"] == r.event_id]
        later = mine[mine["month"] > int(r.month)]
        if len(later):
            last = later.loc[later["month"].idxmax()]
            now = mine.loc[mine["month"] == int(r.month), "expected_capital"]
            best = (
                r,
                int(r.month),
                float(now.iloc[0]),
                int(last["month"]),
                float(last["expected_capital"]),
            )
            break
    span = month_span(used, lang)
    if best is None:
        lines.append(say("plan.window.early", lang, span=span))
        return lines
    r, m, now, late, then = best

    def wan(x: float) -> str:  # 亿元 -> 万元
        return f"{x * 10_000:,.0f}"

    lines.append(
        say(
            "plan.window.example",
            lang,
            span=span,
            name=r.name,
            month=_month(m, lang),
            now=wan(now),
            late=_month(late, lang),
            then=wan(then),
        )
    )
    return lines


def office_name(problem: RoadshowProblem, office: str, lang: str) -> str:
    ch = problem.channels.get(office)
    if ch is None:
        return office
    # the zone names its office in Chinese; in English it is named by its region
    return Entry(ch.name, say("rs.office", "en", region=ch.region)).text(lang)


def _money(x: float) -> str:
    return f"{x:,.4g}万元" if abs(x) < 1e4 else f"{x:,.0f}万元"


def requirement_label(problem: RoadshowProblem, group: str, lang: str = "zh") -> str:
    """A requirement group ('office:yrd', 'cloud') as the planner reads it."""
    if group.startswith("office:"):
        name = office_name(problem, group.split(":", 1)[1], lang)
        return say("rs.office_must", lang, name=name)
    return say("rs.cloud_must", lang, m=problem.settings.min_cloud_events)


def group_label(problem: RoadshowProblem, group: str, lang: str = "zh") -> str:
    """Any constraint group in words."""
    st = problem.settings
    if group == "budget":
        return say("rs.budget", lang, budget=_money(st.budget))
    if group.startswith("staff:"):
        m = int(group.split(":")[1])
        return say("rs.staff_limit", lang, month=_month(m, lang), cap=st.staff_days_per_month)
    if group.startswith("count:"):
        m = int(group.split(":")[1])
        n = st.max_events_per_month
        key = "rs.count_limit" if n > 1 else "rs.count_limit_one"
        return say(key, lang, month=_month(m, lang), n=n)
    return requirement_label(problem, group, lang)


def _feasible(problem: RoadshowProblem, keep: set[str]) -> bool:
    return min_cost(problem, keep) is not None


def conflict_set(problem: RoadshowProblem) -> list[str]:
    """A smallest set of constraint groups that no plan meets together (deletion filter):
    the monthly limits are dropped first, the budget last, so the set names the requirement
    and what it runs into. Empty when the problem is feasible."""
    names = [g.name for g in constraint_groups(problem) if g.name != "link"]
    active = set(names)
    if _feasible(problem, active):
        return []

    def rank(name: str) -> tuple[int, str]:
        kind = name.split(":")[0]
        return ({"count": 0, "staff": 1, "cloud": 2, "office": 3, "budget": 4}[kind], name)

    for name in sorted(names, key=rank):
        if not _feasible(problem, active - {name}):
            active.discard(name)
    return [n for n in names if n in active]


def _candidates(problem: RoadshowProblem, group: str) -> list[str]:
    """Catalogue events that could meet a requirement group."""
    ev = problem.events
    if group == "cloud":
        return list(ev.loc[ev["kind"] == "cloud", "event_id"])
    return list(ev.loc[ev["channel"] == group.split(":", 1)[1], "event_id"])


def _slots_of(problem: RoadshowProblem, group: str) -> pd.DataFrame:
    s = problem.slots
    if group == "cloud":
        return s[s["kind"] == "cloud"]
    return s[s["channel"] == group.split(":", 1)[1]]


def _why_not(problem: RoadshowProblem, event_id: str, lang: str) -> str:
    """Why an event has no slot in the months planned."""
    ev = problem.events.set_index("event_id").loc[event_id]
    ex = problem.excluded[problem.excluded["event_id"] == event_id]
    head = f"{event_id} {str(ev['name'])}"
    parts = []
    elapsed = list(ex.loc[ex["reason"] == "elapsed", "month"])
    if elapsed:
        parts.append(say("rs.past", lang, months=month_span(elapsed, lang)))
    for reason, grp in ex[ex["reason"] == "restricted"].groupby("detail", sort=False):
        months = month_span(grp["month"], lang)
        if reason:
            parts.append(say("rs.restricted_by", lang, months=months, reason=reason))
        else:
            parts.append(say("rs.restricted", lang, months=months))
    hol = ex[ex["reason"] == "holiday"]
    if len(hol):
        days = problem.settings.event_days.of(str(ev["kind"]))
        names = "、".join(sorted(set(hol["detail"]))) or ""
        months = month_span(hol["month"], lang)
        parts.append(say("rs.holiday", lang, months=months, names=names, days=days))
    if not parts:
        parts.append(say("rs.no_month", lang))
    return say("at", lang, where=head, body=say("sep.comma", lang).join(parts))


def _no_slots(problem: RoadshowProblem, group: str, lang: str) -> str:
    events = _candidates(problem, group)
    months = month_span(problem.months, lang)
    have = sorted(set(_slots_of(problem, group)["event_id"]))
    blocked = [e for e in events if e not in have]
    detail = say("sep.clause", lang).join(_why_not(problem, e, lang) for e in blocked)
    if group.startswith("office:"):
        name = office_name(problem, group.split(":", 1)[1], lang)
        if not events:
            return say("rs.office_no_candidate", lang, name=name)
        return say("rs.office_no_month", lang, name=name, months=months, detail=detail)
    m = problem.settings.min_cloud_events
    line = say("rs.cloud_no_month", lang, m=m, months=months, k=len(have))
    return say("at", lang, where=line, body=detail) if detail else line


def _cheapest(problem: RoadshowProblem, group: str) -> tuple[float, list[str]]:
    """The least a requirement costs on its own, and the events that cost it."""
    s = _slots_of(problem, group)
    per_event = s.groupby("event_id")["cost"].min().sort_values(kind="stable")
    need = problem.settings.min_cloud_events if group == "cloud" else 1
    pick = per_event.iloc[:need]
    return float(pick.sum()), list(pick.index)


def _event_names(problem: RoadshowProblem, ids: list[str]) -> str:
    names = problem.events.set_index("event_id")["name"]
    return "、".join(f"{e} {names[e]}" for e in ids)


def _budget_conflict(problem: RoadshowProblem, reqs: list[str], lang: str) -> str | None:
    budget = problem.budget
    # The requirement priced out by the most (ties: the dearest one), with what the others cost.
    best: tuple[float, float, str, float, list[str]] | None = None
    for r in reqs:
        others = [q for q in reqs if q != r]
        spent = min_cost(problem, set(others)) if others else 0.0
        if spent is None:
            continue
        cost, ids = _cheapest(problem, r)
        left = budget - spent
        if cost > left + 1e-9 and (best is None or (cost - left, cost) > best[:2]):
            best = (cost - left, cost, r, spent, ids)
    if best is None:
        return None
    _, cost, r, spent, ids = best
    others = [q for q in reqs if q != r]
    what = _event_names(problem, ids)
    if r.startswith("office:"):
        name = office_name(problem, r.split(":", 1)[1], lang)
        head = say("rs.office_priced_out", lang, name=name)
        cheap = say("rs.office_cheapest", lang, what=what, cost=_money(cost))
    else:
        m = problem.settings.min_cloud_events
        head = say("rs.cloud_priced_out", lang, m=m)
        cheap = say("rs.cloud_cheapest", lang, what=what, cost=_money(cost))
    if not others:
        return say("rs.over_budget", lang, head=head, budget=_money(budget), cheap=cheap)
    names = say("sep.list", lang).join(_short(problem, q, lang) for q in others)
    return say(
        "rs.over_remaining",
        lang,
        head=head,
        budget=_money(budget),
        names=names,
        spent=_money(spent),
        left=_money(budget - spent),
        cheap=cheap,
    )


def _short(problem: RoadshowProblem, group: str, lang: str) -> str:
    if group.startswith("office:"):
        return office_name(problem, group.split(":", 1)[1], lang)
    return say("rs.cloud_n", lang, m=problem.settings.min_cloud_events)


def _staff_conflict(problem: RoadshowProblem, req: str, lang: str) -> str:
    s = _slots_of(problem, req)
    least = float(s["staff_days"].min())
    cap = problem.settings.staff_days_per_month
    if req.startswith("office:"):
        name = office_name(problem, req.split(":", 1)[1], lang)
        return say("rs.office_staff", lang, name=name, least=least, cap=cap)
    return say("rs.cloud_staff", lang, m=problem.settings.min_cloud_events, cap=cap)


def explain_infeasible(problem: RoadshowProblem, lang: str = "zh") -> list[str]:
    """Why no plan meets the constraints: one line per conflict, naming the constraint and the
    figures, plus what would lift it (the least budget that would do, when the budget is in it)."""
    conflict = conflict_set(problem)
    if not conflict:
        return []
    if not problem.months:
        after = problem.as_of.isoformat() if problem.as_of else ""
        return [say("rs.no_month_left", lang, year=problem.year, after=after)]
    reqs = [g for g in conflict if g.startswith("office:") or g == "cloud"]
    limits = [g for g in conflict if g not in reqs]
    lines: list[str] = []
    if not limits:
        lines = [_no_slots(problem, r, lang) for r in reqs]
    elif limits == ["budget"]:
        line = _budget_conflict(problem, reqs, lang)
        if line is None:
            need = min_cost(problem, set(reqs))
            names = say("sep.list", lang).join(_short(problem, q, lang) for q in reqs)
            line = say(
                "rs.required_cost",
                lang,
                names=names,
                need=_money(need or 0),
                budget=_money(problem.budget),
            )
        lines = [line]
    elif len(reqs) == 1 and all(g.startswith("staff:") for g in limits):
        lines = [_staff_conflict(problem, reqs[0], lang)]
    else:
        parts = say("sep.clause", lang).join(group_label(problem, g, lang) for g in conflict)
        lines = [say("rs.together", lang, parts=parts)]
        counts = [int(g.split(":")[1]) for g in limits if g.startswith("count:")]
        need = min_cost(problem, set(reqs), weight=None)
        if counts and need is not None:
            room = len(counts) * problem.settings.max_events_per_month
            months = month_span(counts, lang)
            lines.append(say("rs.count_room", lang, need=need, months=months, room=room))
    if "budget" in limits:
        others = {g.name for g in constraint_groups(problem)} - {"budget"}
        need = min_cost(problem, others)
        if need is not None:
            lines.append(say("rs.budget_needed", lang, need=_money(need)))
    return lines
