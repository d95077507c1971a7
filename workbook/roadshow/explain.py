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

MONTH_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _month(m: int, lang: str) -> str:
    return f"{m}月" if lang == "zh" else MONTH_EN[m - 1]


def month_span(ms: Iterable[int], lang: str) -> str:
    """(3, 4, 5, 9) -> '3–5月、9月' / 'Mar–May, Sep'."""
    ms = sorted(set(ms))
    runs: list[tuple[int, int]] = []
    for m in ms:
        if runs and m == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], m)
        else:
            runs.append((m, m))
    if lang == "zh":
        parts = [f"{a}月" if a == b else f"{a}–{b}月" for a, b in runs]
        return "、".join(parts) if parts else "无"
    parts = [MONTH_EN[a - 1] if a == b else f"{MONTH_EN[a - 1]}–{MONTH_EN[b - 1]}" for a, b in runs]
    return ", ".join(parts) if parts else "none"


def window_lines(problem: RoadshowProblem, plan_table: Any, as_of: Any, lang: str) -> list[str]:
    """Why the plan's events fall in the months they do: the months planned are those after
    the as-of date; when the plan leaves the later ones empty, the figure that says why (an
    event of the plan held in its month against the same event held in its latest month: an
    event held later has less of the year left for its deals to sign, start and pay)."""
    zh = lang == "zh"
    months = month_span(problem.months, lang)
    day = day_name(as_of, lang) if as_of is not None else ""
    lines = [
        f"计划月份{months}：截至日期（{day}）之后的月份，此前的月份已过，活动只能在各自目录所列月份举办。"
        if zh
        else f"months planned {months}: the months after the as-of date ({day}), the earlier ones "
        "being past; each event only in the months its catalogue lists."
    ]
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
        lines.append(
            f"方案的活动都在{span}：越早举办，活动带来的项目在年内签约、开工和资金到位的时间越长。"
            if zh
            else f"the plan's events are all in {span}: the earlier an event, the more of the year "
            "is left for its deals to sign, start and pay."
        )
        return lines
    r, m, now, late, then = best

    def wan(x: float) -> str:  # 亿元 -> 万元
        return f"{x * 10_000:,.0f}"

    lines.append(
        f"方案的活动都在{span}：越早举办，活动带来的项目在年内签约、开工和资金到位的时间越长，"
        f"例如{r.name}{_month(m, lang)}举办预期年内到位{wan(now)}万元，{_month(late, lang)}举办仅{wan(then)}万元。"
        if zh
        else f"the plan's events are all in {span}: the earlier an event, the more of the year is "
        f"left for its deals to sign, start and pay; e.g. {r.name} held in {_month(m, lang)} is "
        f"expected to bring {wan(now)} (10k CNY) this year, held in {_month(late, lang)} {wan(then)}."
    )
    return lines


def office_name(problem: RoadshowProblem, office: str, lang: str) -> str:
    ch = problem.channels.get(office)
    if ch is None:
        return office
    return ch.name if lang == "zh" else f"{ch.region} office"


def _money(x: float) -> str:
    return f"{x:,.4g}万元" if abs(x) < 1e4 else f"{x:,.0f}万元"


def requirement_label(problem: RoadshowProblem, group: str, lang: str = "zh") -> str:
    """A requirement group ('office:yrd', 'cloud') as the planner reads it."""
    if group.startswith("office:"):
        name = office_name(problem, group.split(":", 1)[1], lang)
        return (
            f"{name}须至少举办一场活动" if lang == "zh" else f"{name} must run at least one event"
        )
    m = problem.settings.min_cloud_events
    return (
        f"须至少举办{m}场云招商活动" if lang == "zh" else f"at least {m} cloud events must be held"
    )


def group_label(problem: RoadshowProblem, group: str, lang: str = "zh") -> str:
    """Any constraint group in words."""
    st = problem.settings
    if group == "budget":
        return f"预算{_money(st.budget)}" if lang == "zh" else f"a budget of {_money(st.budget)}"
    if group.startswith("staff:"):
        m = int(group.split(":")[1])
        if lang == "zh":
            return f"{_month(m, lang)}人力不超过{st.staff_days_per_month:g}人天"
        return f"at most {st.staff_days_per_month:g} staff-days in {_month(m, lang)}"
    if group.startswith("count:"):
        m = int(group.split(":")[1])
        if lang == "zh":
            return f"{_month(m, lang)}最多{st.max_events_per_month}场活动"
        n = st.max_events_per_month
        return f"at most {n} event{'s' if n > 1 else ''} in {_month(m, lang)}"
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
        parts.append(
            f"{month_span(elapsed, lang)}已过"
            if lang == "zh"
            else f"{month_span(elapsed, lang)} already past"
        )
    for reason, grp in ex[ex["reason"] == "restricted"].groupby("detail", sort=False):
        why = f"“{str(reason)}”" if reason else ""
        parts.append(
            f"{month_span(grp['month'], lang)}受限制{why}"
            if lang == "zh"
            else f"forbidden in {month_span(grp['month'], lang)}{' by ' + why if why else ''}"
        )
    hol = ex[ex["reason"] == "holiday"]
    if len(hol):
        days = problem.settings.event_days.of(str(ev["kind"]))
        names = "、".join(sorted(set(hol["detail"]))) or ""
        parts.append(
            f"{month_span(hol['month'], lang)}避开{names}后排不下{days}天"
            if lang == "zh"
            else f"no {days}-day run clear of {names} in {month_span(hol['month'], lang)}"
        )
    if not parts:
        parts.append("无可办月份" if lang == "zh" else "no month it can be held")
    sep = "，" if lang == "zh" else ", "
    return f"{head}: {sep.join(parts)}" if lang == "en" else f"{head}：{sep.join(parts)}"


def _no_slots(problem: RoadshowProblem, group: str, lang: str) -> str:
    events = _candidates(problem, group)
    months = month_span(problem.months, lang)
    have = sorted(set(_slots_of(problem, group)["event_id"]))
    blocked = [e for e in events if e not in have]
    detail = ("；" if lang == "zh" else "; ").join(_why_not(problem, e, lang) for e in blocked)
    if group.startswith("office:"):
        name = office_name(problem, group.split(":", 1)[1], lang)
        if not events:
            return (
                f"{name}须至少举办一场活动，但活动目录中没有它承办的候选活动"
                if lang == "zh"
                else f"{name} must run an event but the catalogue has no candidate event of it"
            )
        return (
            f"{name}须至少举办一场活动，但其候选活动在计划月份（{months}）都不能举办：{detail}"
            if lang == "zh"
            else f"{name} must run an event but none of its candidates can be held in the "
            f"months planned ({months}): {detail}"
        )
    m = problem.settings.min_cloud_events
    k = len(have)
    return (
        f"须至少举办{m}场云招商活动，但计划月份（{months}）只有{k}场云招商候选活动可以举办"
        + (f"：{detail}" if detail else "")
        if lang == "zh"
        else f"at least {m} cloud events must be held but only {k} cloud candidates can be held "
        f"in the months planned ({months})" + (f": {detail}" if detail else "")
    )


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
        head_zh = f"{name}须至少举办一场活动，但其每个候选活动的费用都超过"
        head_en = f"{name} must run an event but every candidate of it costs more than the"
        cheap_zh = f"其最便宜的候选活动{what}需{_money(cost)}"
        cheap_en = f"its cheapest candidate, {what}, costs {_money(cost)}"
    else:
        m = problem.settings.min_cloud_events
        head_zh = f"须至少举办{m}场云招商活动，但最便宜的{m}场云招商活动合计费用超过"
        head_en = f"at least {m} cloud events must be held but the cheapest {m} cloud candidates cost more than the"
        cheap_zh = f"最便宜的是{what}，合计{_money(cost)}"
        cheap_en = f"the cheapest are {what}, {_money(cost)} together"
    if not others:
        return (
            f"{head_zh}预算（{_money(budget)}）；{cheap_zh}"
            if lang == "zh"
            else f"{head_en} budget ({_money(budget)}); {cheap_en}"
        )
    names = ("、" if lang == "zh" else ", ").join(_short(problem, q, lang) for q in others)
    return (
        f"{head_zh}剩余预算：预算{_money(budget)}，其他必办活动（{names}）至少需{_money(spent)}，"
        f"剩余{_money(budget - spent)}；{cheap_zh}"
        if lang == "zh"
        else f"{head_en} remaining budget: of the budget of {_money(budget)}, the other required "
        f"events ({names}) need at least {_money(spent)}, leaving {_money(budget - spent)}; "
        f"{cheap_en}"
    )


def _short(problem: RoadshowProblem, group: str, lang: str) -> str:
    if group.startswith("office:"):
        return office_name(problem, group.split(":", 1)[1], lang)
    m = problem.settings.min_cloud_events
    return f"{m}场云招商" if lang == "zh" else f"{m} cloud events"


def _staff_conflict(problem: RoadshowProblem, req: str, lang: str) -> str:
    s = _slots_of(problem, req)
    least = float(s["staff_days"].min())
    cap = problem.settings.staff_days_per_month
    if req.startswith("office:"):
        name = office_name(problem, req.split(":", 1)[1], lang)
        return (
            f"{name}须至少举办一场活动，但其每个候选活动所需人力（至少{least:g}人天）都超过每月人力上限（{cap:g}人天）"
            if lang == "zh"
            else f"{name} must run an event but every candidate of it needs more staff-days "
            f"(at least {least:g}) than a month allows ({cap:g})"
        )
    return (
        f"须至少举办{problem.settings.min_cloud_events}场云招商活动，但每月人力上限（{cap:g}人天）容纳不下"
        if lang == "zh"
        else f"at least {problem.settings.min_cloud_events} cloud events must be held but they do "
        f"not fit in the staff capacity of {cap:g} staff-days a month"
    )


def explain_infeasible(problem: RoadshowProblem, lang: str = "zh") -> list[str]:
    """Why no plan meets the constraints: one line per conflict, naming the constraint and the
    figures, plus what would lift it (the least budget that would do, when the budget is in it)."""
    conflict = conflict_set(problem)
    if not conflict:
        return []
    if not problem.months:
        after = problem.as_of.isoformat() if problem.as_of else ""
        return [
            f"{problem.year}年在{after}之后已没有可安排活动的月份，必办活动无法安排"
            if lang == "zh"
            else f"no month of {problem.year} is left to plan after {after}, so the required "
            "events cannot be held"
        ]
    reqs = [g for g in conflict if g.startswith("office:") or g == "cloud"]
    limits = [g for g in conflict if g not in reqs]
    lines: list[str] = []
    if not limits:
        lines = [_no_slots(problem, r, lang) for r in reqs]
    elif limits == ["budget"]:
        line = _budget_conflict(problem, reqs, lang)
        if line is None:
            need = min_cost(problem, set(reqs))
            names = ("、" if lang == "zh" else ", ").join(_short(problem, q, lang) for q in reqs)
            line = (
                f"必办活动（{names}）合计至少需{_money(need or 0)}，超过预算{_money(problem.budget)}"
                if lang == "zh"
                else f"the required events ({names}) cost at least {_money(need or 0)} together, "
                f"more than the budget of {_money(problem.budget)}"
            )
        lines = [line]
    elif len(reqs) == 1 and all(g.startswith("staff:") for g in limits):
        lines = [_staff_conflict(problem, reqs[0], lang)]
    else:
        parts = ("；" if lang == "zh" else "; ").join(
            group_label(problem, g, lang) for g in conflict
        )
        lines = [
            f"以下约束不能同时满足：{parts}"
            if lang == "zh"
            else f"no plan meets these constraints together: {parts}"
        ]
        counts = [int(g.split(":")[1]) for g in limits if g.startswith("count:")]
        need = min_cost(problem, set(reqs), weight=None)
        if counts and need is not None:
            room = len(counts) * problem.settings.max_events_per_month
            lines.append(
                f"必办活动至少{need:g}场，而{month_span(counts, lang)}最多只能安排{room}场"
                if lang == "zh"
                else f"the required events number at least {need:g}, but "
                f"{month_span(counts, lang)} take at most {room}"
            )
    if "budget" in limits:
        others = {g.name for g in constraint_groups(problem)} - {"budget"}
        need = min_cost(problem, others)
        if need is not None:
            lines.append(
                f"预算至少{_money(need)}才有可行方案"
                if lang == "zh"
                else f"a budget of at least {_money(need)} would make a plan possible"
            )
    return lines
