"""The review's opening paragraph, written from its figures.

A few sentences in the report language, with one statistic throughout (the forecast's mean,
"预计年末": the parts of a money target's forecast add up to it, so the risk's reasons and its
total are the same figure):

1. where the targets stand against pacing (ahead, on pace, behind);
2. every target that needs attention, each with its chance: those behind pace, and those on or
   ahead of pace whose chance of being met is under one half (money with its expected year-end
   value, counts with the count so far), and how many others are likely;
3. the biggest risk (the target least likely to be met, money first on a tie) and why, from
   the forecast's parts: arrived so far, the ledger's projects, new deals;
4. the action: the recommended events (name, month, office, cost; the largest few) and what
   they do to the biggest risk's chance; when they do not move it (under one point), that is
   said, with what would (the extra signed capital from the goal seek, unless it exceeds the
   year's target: then that it would, and that the gap rests on the projects in hand).

`money_parts(fc, params)` (workbook.review.sections.headline) splits each money target's
expected year-end value into those parts; `abstract(ctx, done)` writes the paragraph.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from workbook.review.sections.headline import RISK, biggest_risk
from workbook.text.dates import day_name
from workbook.text.labels import label
from workbook.text.numbers import figure
from workbook.zone.cells import num, whole
from workbook.zone.metrics import definitions

if TYPE_CHECKING:
    from workbook.review.section import Context, Results
    from workbook.review.sections.headline import Headline
    from workbook.review.sections.next_quarter import NextQuarter

ATTENTION = 0.5  # a target on pace with a chance under this is named with the ones behind
MOVES = 0.01  # a plan moves a target's chance when it changes it by at least a point
EVENTS_NAMED = 4  # the plan's events named in the abstract (largest expected capital first)


def _list(names: list[str], lang: str) -> str:
    return ("、" if lang == "zh" else "; ").join(names)


def abstract(ctx: Context, done: Results) -> str:
    """The opening paragraph (see the module docstring), from the results of the headline and
    next-quarter sections."""
    head: Headline = done["headline"]
    nq: NextQuarter = done["next_quarter"]
    lang = ctx.lang
    zh = lang == "zh"
    h = head.table.set_index("metric")
    means = ctx.forecast.targets.get("mean")
    defs = definitions(ctx.zone.params)
    say = _Say(h, defs, means, lang)
    sentences: list[str] = []

    # 1. pacing
    counts = h["verdict"].value_counts()
    day = day_name(ctx.params.as_of, lang)
    a, o, b = (int(counts.get(k, 0)) for k in ("ahead", "on_pace", "behind"))
    sentences.append(
        f"截至{day}，{len(h)}项考核指标中{a}项超序时、{o}项符合序时、{b}项滞后序时。"
        if zh
        else f"As of {day}, of {len(h)} targets {a} are ahead of pace, {o} on pace and {b} behind."
    )

    # 2. every target needing attention, with its chance
    p = h["p_attain"].astype(float)
    behind = [m for m in h.index if h.at[m, "verdict"] == "behind"]
    unlikely = [m for m in h.index if m not in behind and p[m] < ATTENTION]
    likely = [m for m in h.index if m not in behind and p[m] >= ATTENTION]
    parts = []
    if behind:
        listed = _list([say.chance(m) for m in behind], lang)
        parts.append(f"滞后序时的{listed}" if zh else f"behind pace: {listed}")
    if unlikely:
        listed = _list([say.chance(m) for m in unlikely], lang)
        parts.append(
            f"进度不落后但全年把握不足五成的{listed}"
            if zh
            else f"on pace but less likely than not to be met: {listed}"
        )
    if parts:
        text = (
            f"全年达标概率：{'；'.join(parts)}"
            if zh
            else f"Targets needing attention (the chance of meeting each) {'; '.join(parts)}"
        )
        if likely:
            text += (
                f"；其余{len(likely)}项达标概率不低于五成。"
                if zh
                else f"; the other {len(likely)} are likely to be met (50% or more)."
            )
        else:
            text += "。" if zh else "."
        sentences.append(text)

    # 3. the biggest risk
    risk = biggest_risk(head.table, defs)
    if risk is not None and p[risk] < RISK:
        sentences.append(say.risk(risk, head.parts.get(risk)))

    # 4. the action
    action = _action(say, nq, risk if risk is not None and p[risk] < RISK else None, head)
    if action:
        sentences.append(action)
    return ("" if zh else " ").join(sentences)


class _Say:
    """The phrases of the abstract for one review's targets."""

    def __init__(self, h: pd.DataFrame, defs: Any, means: pd.Series | None, lang: str):
        self.h, self.defs, self.means, self.lang = h, defs, means, lang
        self.zh = lang == "zh"

    def name(self, m: str) -> str:
        return label("metric", m, self.lang)

    def unit(self, m: str) -> str:
        return label("unit", str(self.h.at[m, "unit"]), self.lang)

    def money(self, m: str) -> bool:
        return self.defs[m].kind == "money"

    def amount(self, m: str, value: float) -> str:
        """A figure in the target's unit: money with two decimals, a count whole."""
        unit = self.unit(m)
        kind = "count" if not self.money(m) else str(self.h.at[m, "unit"])
        text = figure(value, kind)
        if self.zh:
            return f"{text}{unit}"
        return f"{text} {unit}" if self.money(m) else text  # an English count: the number

    def mean(self, m: str) -> float | None:
        if self.means is None or m not in self.means.index:
            return None
        v = float(self.means[m])
        return v if v == v else None

    def chance(self, m: str) -> str:
        """'内资到位1%（预计年末51.56亿元，目标56.00亿元）'; a count with its count so far."""
        p = num(self.h.at[m, "p_attain"])
        target = self.amount(m, num(self.h.at[m, "target"]))
        mean = self.mean(m)
        if self.money(m) and mean is not None:
            if self.zh:
                return f"{self.name(m)}{p:.0%}（预计年末{self.amount(m, mean)}，目标{target}）"
            return f"{self.name(m)} {p:.0%} (expected {self.amount(m, mean)} by the year end, target {target})"
        done = self.amount(m, num(self.h.at[m, "actual"]))
        if self.zh:
            return f"{self.name(m)}{p:.0%}（目前{done}，目标{target}）"
        return f"{self.name(m)} {p:.0%} ({done} so far, target {target})"

    def risk(self, m: str, parts: dict[str, float] | None) -> str:
        """The biggest risk and why: the parts of its expected year-end value (money), or the
        count so far and the count expected (counts)."""
        p = num(self.h.at[m, "p_attain"])
        target = num(self.h.at[m, "target"])
        name, zh = self.name(m), self.zh
        if parts is not None:
            a = lambda v: self.amount(m, v)  # noqa: E731
            pipeline = parts["started"] + parts["signed"] + parts["before_signing"]
            short = target - parts["mean"]
            if zh:
                why = (
                    f"已到位{a(parts['facts'])}，台账在途项目预计年内再到位{a(pipeline)}"
                    f"（其中已开工项目{a(parts['started'])}），新引进项目预计{a(parts['new'])}，"
                    f"预计年末{a(parts['mean'])}"
                )
                why += f"，比目标少{a(short)}" if short > 0 else "，仅略高于目标、波动大"
                return f"最大风险是{name}（达标概率{p:.0%}）：{why}。"
            why = (
                f"{a(parts['facts'])} has arrived, the ledger's projects are expected to add "
                f"{a(pipeline)} this year ({a(parts['started'])} from started projects) and new "
                f"deals {a(parts['new'])}, so the year is expected to end at {a(parts['mean'])}"
            )
            why += f", {a(short)} short of the target" if short > 0 else ", barely above the target"
            return f"The biggest risk is {name} ({p:.0%} chance): {why}."
        done = self.amount(m, num(self.h.at[m, "actual"]))
        mean = self.mean(m)
        expected = f"{mean:,.1f}" if mean is not None else ""
        unit = self.unit(m)
        if zh:
            tail = f"，预计年末约{expected}{unit}" if expected else ""
            return (
                f"最大风险是{name}（达标概率{p:.0%}）：目前{done}{tail}，"
                f"目标{self.amount(m, target)}。"
            )
        tail = f", about {expected} expected by the year end" if expected else ""
        return (
            f"The biggest risk is {name} ({p:.0%} chance): {done} so far{tail}, against a target "
            f"of {self.amount(m, target)}."
        )


def _events(plan: pd.DataFrame, lang: str) -> str:
    """The plan's largest events (by expected capital) in date order: month, name, office and
    cost each, and how many more."""
    zh = lang == "zh"
    order = "expected_capital" if "expected_capital" in plan.columns else "cost"
    top = plan.sort_values(order, ascending=False, kind="stable").head(EVENTS_NAMED)
    top = top.sort_values(["month", "first_day"] if "first_day" in top.columns else ["month"])
    named = []
    for r in top.itertuples():
        cost = f"{num(r.cost):,.0f}"
        if zh:
            named.append(f"{whole(r.month)}月{r.name}（{r.office}，{cost}万元）")
        else:
            month = pd.Timestamp(2000, whole(r.month), 1).strftime("%B")
            named.append(f"{r.name} in {month} ({r.office}, {cost} 10k CNY)")
    text = _list(named, lang)
    more = len(plan) - len(top)
    if more > 0:
        text += f"等{len(plan)}场" if zh else f" and {more} more"
    return text


def _action(say: _Say, nq: NextQuarter, risk: str | None, head: Headline) -> str:
    """What to do: the recommended events and what they do to the biggest risk; what would
    move it when they do not (the goal seek, guarded against asks beyond the year's target)."""
    zh = say.zh
    h = say.h
    out = []
    plan, p_with_plan = nq.plan, nq.p_with_plan
    moved = False
    if plan is not None and len(plan) and p_with_plan is not None:
        cost = float(plan["cost"].sum())
        events = _events(plan, say.lang)
        lead = (
            f"建议用剩余预算安排{len(plan)}场招商活动（共{cost:,.0f}万元）：{events}"
            if zh
            else f"Action: hold the {len(plan)} recommended events ({cost:,.0f} 10k CNY in all): {events}"
        )
        after = p_with_plan.reindex(h.index).astype(float)
        before = h["p_attain"].astype(float)
        gains = (after - before).dropna()
        if risk is not None and risk in gains.index and gains[risk] >= MOVES:
            moved = True
            change = (
                f"，可使{say.name(risk)}达标概率由{before[risk]:.0%}升至{after[risk]:.0%}。"
                if zh
                else f"; they lift the chance of meeting {say.name(risk)} from {before[risk]:.0%} to {after[risk]:.0%}."
            )
        else:
            best = str(gains.idxmax()) if len(gains) else None
            helps = ""
            if best is not None and gains[best] >= MOVES:
                helps = (
                    f"，主要提高{say.name(best)}的达标概率（{before[best]:.0%}→{after[best]:.0%}）"
                    if zh
                    else f", mainly lifting {say.name(best)} ({before[best]:.0%} → {after[best]:.0%})"
                )
            if risk is not None:
                change = (
                    f"{helps}，但改变不了{say.name(risk)}的达标概率（仍约{before[risk]:.0%}）。"
                    if zh
                    else f"{helps}, but they do not move the chance of meeting {say.name(risk)} (about {before[risk]:.0%})."
                )
            else:
                change = f"{helps}。" if zh else f"{helps}."
        out.append(lead + change)
    elif risk is not None:
        out.append(
            f"剩余预算内没有可安排的活动能改变{say.name(risk)}的达标概率。"
            if zh
            else f"No event within the remaining budget can move the chance of meeting {say.name(risk)}."
        )
    if risk is not None and not moved:
        out.append(_what_would(say, nq, risk, head))
    return ("" if zh else " ").join(s for s in out if s)


def _what_would(say: _Say, nq: NextQuarter, risk: str, head: Headline) -> str:
    """What would move the biggest risk: the extra signed capital for an 80% chance when it
    is within the year's target; else that new signings cannot close the gap this year, which
    rests on the projects in hand; for a count, how many more it needs."""
    zh = say.zh
    name = say.name(risk)
    h = say.h
    target = num(h.at[risk, "target"])
    g = nq.risk_goal_seek
    if say.money(risk):
        parts = head.parts.get(risk)
        short = target - parts["mean"] if parts is not None else None
        in_hand = parts["started"] + parts["signed"] + parts["before_signing"] if parts else None
        if (
            g is not None
            and g.get("extra_signed_capital") is not None
            and not g.get("beyond_target")
        ):
            extra = f"{g['extra_signed_capital']:,.2f}{label('unit', g['unit'], say.lang)}"
            return (
                f"要使{name}达标概率达到{g['probability']:.0%}，需在现有基础上尽快新增签约资金约{extra}。"
                if zh
                else f"An {g['probability']:.0%} chance of meeting {name} needs about {extra} of extra capital signed soon."
            )
        if g is not None and g.get("extra_signed_capital") is not None:
            times = g["extra_signed_capital"] / g["target"]  # both in the goal seek's unit
            reason = (
                f"新签约项目今年余下月份到位有限，要使{name}有{g['probability']:.0%}把握，需新增的签约资金约为全年目标的{times:.1f}倍"
                if zh
                else f"projects signed now pay little before the year ends: an {g['probability']:.0%} chance would need extra signings of about {times:.1f} times the year's target"
            )
        else:
            reason = (
                "新增签约资金也达不到八成把握"
                if zh
                else "no amount of extra signed capital reaches an 80% chance"
            )
        if short is not None and short > 0 and in_hand is not None:
            gap, hand = say.amount(risk, short), say.amount(risk, in_hand)
            return (
                f"仅靠新签约补不上这一缺口（{reason}）；约{gap}的缺口只能靠台账在途项目比预计（年内再到位{hand}）更快开工、更多到位。"
                if zh
                else f"New signings cannot close this gap ({reason}); the {gap} short can only come from the ledger's projects starting sooner and paying more than expected (they are expected to add {hand} this year)."
            )
        return (
            f"仅靠新签约难以改变这一判断（{reason}）。"
            if zh
            else f"New signings alone cannot change this ({reason})."
        )
    done = num(h.at[risk, "actual"])
    need = max(target - done, 0.0)
    if need <= 0:
        return ""
    more = say.amount(risk, need)
    return (
        f"要达标，{name}年内还需再有{more}。" if zh else f"Meeting it needs {more} more this year."
    )


__all__ = ["abstract"]
