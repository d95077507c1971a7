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

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from workbook.review.sections.headline import RISK, biggest_risk
from workbook.text.catalogue import Entry, label, say
from workbook.text.dates import day_name, month_word
from workbook.text.numbers import figure
from workbook.text.writing import WRITING
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
    return say("review.abstract.sep", lang).join(names)


def abstract(ctx: Context, done: Results) -> str:
    """The opening paragraph (see the module docstring), from the results of the headline and
    next-quarter sections."""
    head: Headline = done["headline"]
    nq: NextQuarter = done["next_quarter"]
    lang = ctx.lang
    h = head.table.set_index("metric")
    means = ctx.forecast.targets.get("mean")
    defs = definitions(ctx.zone.params)
    words = _Say(h, defs, means, lang, ctx.declared)
    sentences: list[str] = []

    # 1. pacing
    counts = h["verdict"].value_counts()
    day = day_name(ctx.params.as_of, lang)
    a, o, b = (int(counts.get(k, 0)) for k in ("ahead", "on_pace", "behind"))
    sentences.append(say("review.abstract.pacing", lang, day=day, n=len(h), a=a, o=o, b=b))

    # 2. every target needing attention, with its chance
    p = h["p_attain"].astype(float)
    behind = [m for m in h.index if h.at[m, "verdict"] == "behind"]
    unlikely = [m for m in h.index if m not in behind and p[m] < ATTENTION]
    likely = [m for m in h.index if m not in behind and p[m] >= ATTENTION]
    parts = []
    if behind:
        listed = _list([words.chance(m) for m in behind], lang)
        parts.append(say("review.abstract.behind", lang, listed=listed))
    if unlikely:
        listed = _list([words.chance(m) for m in unlikely], lang)
        parts.append(say("review.abstract.unlikely", lang, listed=listed))
    if parts:
        text = say("review.abstract.attention", lang, parts=say("sep.clause", lang).join(parts))
        if likely:
            text += say("review.abstract.likely", lang, n=len(likely))
        else:
            text += say("review.abstract.stop", lang)
        sentences.append(text)

    # 3. the biggest risk
    risk = biggest_risk(head.table, defs)
    if risk is not None and p[risk] < RISK:
        sentences.append(words.risk(risk, head.parts.get(risk)))

    # 4. the action
    action = _action(words, nq, risk if risk is not None and p[risk] < RISK else None, head)
    if action:
        sentences.append(action)
    return WRITING[lang].gap.join(sentences)


class _Say:
    """The phrases of the abstract for one review's targets."""

    def __init__(
        self,
        h: pd.DataFrame,
        defs: Any,
        means: pd.Series | None,
        lang: str,
        declared: Mapping[str, Entry] | None = None,
    ):
        self.h, self.defs, self.means, self.lang = h, defs, means, lang
        self.declared = declared  # the zone's own metric labels (ZoneParams.metric_labels)

    def say(self, id: str, **fields: Any) -> str:
        """The phrase `id` in the review's language."""
        return say(id, self.lang, **fields)

    def name(self, m: str) -> str:
        return label("metric", m, self.lang, self.declared)

    def unit(self, m: str) -> str:
        return label("unit", str(self.h.at[m, "unit"]), self.lang)

    def money(self, m: str) -> bool:
        return self.defs[m].kind == "money"

    def amount(self, m: str, value: float) -> str:
        """A figure in the target's unit: money with two decimals, a count whole."""
        unit = self.unit(m)
        kind = "count" if not self.money(m) else str(self.h.at[m, "unit"])
        text = figure(value, kind)
        if self.money(m):
            return self.say("review.abstract.money", figure=text, unit=unit)
        return self.say("review.abstract.count", figure=text, unit=unit)  # English: the number

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
            return self.say(
                "review.abstract.chance_money",
                name=self.name(m),
                p=p,
                mean=self.amount(m, mean),
                target=target,
            )
        done = self.amount(m, num(self.h.at[m, "actual"]))
        return self.say(
            "review.abstract.chance_count", name=self.name(m), p=p, done=done, target=target
        )

    def risk(self, m: str, parts: dict[str, float] | None) -> str:
        """The biggest risk and why: the parts of its expected year-end value (money), or the
        count so far and the count expected (counts)."""
        p = num(self.h.at[m, "p_attain"])
        target = num(self.h.at[m, "target"])
        name = self.name(m)
        if parts is not None:
            a = lambda v: self.amount(m, v)  # noqa: E731
            pipeline = parts["started"] + parts["signed"] + parts["before_signing"]
            short = target - parts["mean"]
            why = self.say(
                "review.abstract.risk_parts",
                facts=a(parts["facts"]),
                pipeline=a(pipeline),
                started=a(parts["started"]),
                new=a(parts["new"]),
                mean=a(parts["mean"]),
            )
            if short > 0:
                why += self.say("review.abstract.risk_short", short=a(short))
            else:
                why += self.say("review.abstract.risk_above")
            return self.say("review.abstract.risk", name=name, p=p, why=why)
        done = self.amount(m, num(self.h.at[m, "actual"]))
        mean = self.mean(m)
        expected = f"{mean:,.1f}" if mean is not None else ""
        unit = self.unit(m)
        tail = (
            self.say("review.abstract.risk_tail", expected=expected, unit=unit) if expected else ""
        )
        why = self.say(
            "review.abstract.risk_count", done=done, tail=tail, target=self.amount(m, target)
        )
        return self.say("review.abstract.risk", name=name, p=p, why=why)


def _events(plan: pd.DataFrame, lang: str) -> str:
    """The plan's largest events (by expected capital) in date order: month, name, office and
    cost each, and how many more."""
    order = "expected_capital" if "expected_capital" in plan.columns else "cost"
    top = plan.sort_values(order, ascending=False, kind="stable").head(EVENTS_NAMED)
    top = top.sort_values(["month", "first_day"] if "first_day" in top.columns else ["month"])
    named = []
    for r in top.itertuples():
        cost = f"{num(r.cost):,.0f}"
        named.append(
            say(
                "review.abstract.event",
                lang,
                month=month_word(whole(r.month), lang),
                name=r.name,
                office=r.office,
                cost=cost,
            )
        )
    text = _list(named, lang)
    more = len(plan) - len(top)
    if more > 0:
        text += say("review.abstract.more_events", lang, n=len(plan), more=more)
    return text


def _action(words: _Say, nq: NextQuarter, risk: str | None, head: Headline) -> str:
    """What to do: the recommended events and what they do to the biggest risk; what would
    move it when they do not (the goal seek, guarded against asks beyond the year's target)."""
    h = words.h
    out = []
    plan, p_with_plan = nq.plan, nq.p_with_plan
    moved = False
    if plan is not None and len(plan) and p_with_plan is not None:
        cost = float(plan["cost"].sum())
        events = _events(plan, words.lang)
        lead = words.say("review.abstract.plan", n=len(plan), cost=cost, events=events)
        after = p_with_plan.reindex(h.index).astype(float)
        before = h["p_attain"].astype(float)
        gains = (after - before).dropna()
        if risk is not None and risk in gains.index and gains[risk] >= MOVES:
            moved = True
            change = words.say(
                "review.abstract.lifts",
                name=words.name(risk),
                before=before[risk],
                after=after[risk],
            )
        else:
            best = str(gains.idxmax()) if len(gains) else None
            helps = ""
            if best is not None and gains[best] >= MOVES:
                helps = words.say(
                    "review.abstract.helps",
                    name=words.name(best),
                    before=before[best],
                    after=after[best],
                )
            if risk is not None:
                change = words.say(
                    "review.abstract.not_moved",
                    helps=helps,
                    name=words.name(risk),
                    before=before[risk],
                )
            else:
                change = helps + words.say("review.abstract.stop")
        out.append(lead + change)
    elif risk is not None:
        out.append(words.say("review.abstract.no_event", name=words.name(risk)))
    if risk is not None and not moved:
        out.append(_what_would(words, nq, risk, head))
    return WRITING[words.lang].gap.join(s for s in out if s)


def _what_would(words: _Say, nq: NextQuarter, risk: str, head: Headline) -> str:
    """What would move the biggest risk: the extra signed capital for an 80% chance when it
    is within the year's target; else that new signings cannot close the gap this year, which
    rests on the projects in hand; for a count, how many more it needs."""
    name = words.name(risk)
    h = words.h
    target = num(h.at[risk, "target"])
    g = nq.risk_goal_seek
    if words.money(risk):
        parts = head.parts.get(risk)
        short = target - parts["mean"] if parts is not None else None
        in_hand = parts["started"] + parts["signed"] + parts["before_signing"] if parts else None
        if (
            g is not None
            and g.get("extra_signed_capital") is not None
            and not g.get("beyond_target")
        ):
            extra = f"{g['extra_signed_capital']:,.2f}{label('unit', g['unit'], words.lang)}"
            return words.say(
                "review.abstract.sign_more", name=name, p=g["probability"], extra=extra
            )
        if g is not None and g.get("extra_signed_capital") is not None:
            times = g["extra_signed_capital"] / g["target"]  # both in the goal seek's unit
            reason = words.say("review.abstract.beyond", name=name, p=g["probability"], times=times)
        else:
            reason = words.say("review.abstract.out")
        if short is not None and short > 0 and in_hand is not None:
            gap, hand = words.amount(risk, short), words.amount(risk, in_hand)
            return words.say("review.abstract.gap", reason=reason, gap=gap, hand=hand)
        return words.say("review.abstract.cannot", reason=reason)
    done = num(h.at[risk, "actual"])
    need = max(target - done, 0.0)
    if need <= 0:
        return ""
    more = words.amount(risk, need)
    return words.say("review.abstract.needs", name=name, more=more)


__all__ = ["abstract"]
