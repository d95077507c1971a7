"""The review's opening paragraph, written from its figures.

Three to five sentences in the report language: where the targets stand against pacing
(ahead, on pace, behind), the chance of meeting the money targets, the biggest risk (the target
least likely to be met, and why, from the forecast's parts: arrived so far, the ledger's
projects by stage, new deals), and the one action the figures support (the extra signed capital
for an 80% chance of 内资到位, else the recommended events and what they do to P(attain)).

`money_parts(fc, params)` (workbook.review.sections.headline) splits each money target's
expected year-end value into those parts (they add up to the forecast's mean); `abstract(ctx, done)` writes the paragraph.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from workbook.text.labels import label
from workbook.text.numbers import figure
from workbook.zone.cells import num
from workbook.zone.metrics import definitions

if TYPE_CHECKING:
    from workbook.review.section import Context, Results
    from workbook.review.sections.headline import Headline
    from workbook.review.sections.next_quarter import NextQuarter


def _list(names: list[str], lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(names)


def abstract(ctx: Context, done: Results) -> str:
    """The opening paragraph (see the module docstring), from the results of the headline and
    next-quarter sections."""
    head: Headline = done["headline"]
    nq: NextQuarter = done["next_quarter"]
    lang = ctx.lang
    zh = lang == "zh"
    h = head.table.set_index("metric")
    units = {m: label("unit", str(h.at[m, "unit"]), lang) for m in h.index}
    names = {m: label("metric", m, lang) for m in h.index}
    defs = definitions(ctx.zone.params)
    sentences: list[str] = []

    # 1. pacing
    counts = h["verdict"].value_counts()
    behind = [names[m] for m in h.index if h.at[m, "verdict"] == "behind"]
    as_of = ctx.params.as_of
    day = f"{as_of.year}年{as_of.month}月{as_of.day}日" if zh else as_of.isoformat()
    n = len(h)
    a, o, b = (int(counts.get(k, 0)) for k in ("ahead", "on_pace", "behind"))
    if zh:
        text = f"截至{day}，{n}项考核指标中{a}项超序时、{o}项符合序时、{b}项滞后序时"
        text += f"（{_list(behind, lang)}）。" if behind else "。"
    else:
        text = f"As of {day}, of {n} targets {a} are ahead of pace, {o} on pace and {b} behind"
        text += f" ({_list(behind, lang)})." if behind else "."
    sentences.append(text)

    # 2. the money targets' chances
    money = [
        m for m in h.index if defs[m].kind == "money" and not math.isnan(num(h.at[m, "p_attain"]))
    ]
    if money:
        parts = []
        for m in money:
            u = units[m]
            p, p50, t = num(h.at[m, "p_attain"]), num(h.at[m, "p50"]), num(h.at[m, "target"])
            parts.append(
                f"{names[m]}达标概率{p:.0%}（年末中位数{p50:,.2f}{u}，目标{t:,.2f}{u}）"
                if zh
                else f"{names[m]} {p:.0%} (year-end median {p50:,.2f} against {t:,.2f} {u})"
            )
        sentences.append(
            f"全年预测：{'，'.join(parts)}。"
            if zh
            else f"Chance of meeting the year's target: {'; '.join(parts)}."
        )

    # 3. the biggest risk: the target least likely to be met, money first on a tie
    known = [m for m in h.index if not math.isnan(num(h.at[m, "p_attain"]))]
    if known:
        risk = min(known, key=lambda m: (num(h.at[m, "p_attain"]), defs[m].kind != "money"))
        p = num(h.at[risk, "p_attain"])
        if p < 0.8:
            sentences.append(_risk(head, risk, p, units[risk], names[risk], lang))

    # 4. the one action
    action = _action(head, nq, lang)
    if action:
        sentences.append(action)
    return ("" if zh else " ").join(sentences)


def _risk(head: Headline, metric: str, p: float, unit: str, name: str, lang: str) -> str:
    zh = lang == "zh"
    h = head.table.set_index("metric")
    target = num(h.at[metric, "target"])
    parts = head.parts.get(metric)
    if parts is not None:
        pipeline = parts["started"] + parts["signed"] + parts["before_signing"]
        short = target - parts["mean"]
        if zh:
            why = (
                f"已到位{parts['facts']:,.2f}{unit}，台账在途项目预计年内再到位{pipeline:,.2f}{unit}"
                f"（其中已开工项目{parts['started']:,.2f}{unit}），新引进项目预计{parts['new']:,.2f}{unit}，"
                f"年末预期{parts['mean']:,.2f}{unit}"
            )
            why += f"，比目标少{short:,.2f}{unit}" if short > 0 else "，仅略高于目标、波动大"
            return f"最大风险是{name}（达标概率{p:.0%}）：{why}。"
        why = (
            f"{parts['facts']:,.2f} has arrived, the ledger's projects are expected to add "
            f"{pipeline:,.2f} this year ({parts['started']:,.2f} from started projects) and new "
            f"deals {parts['new']:,.2f}, so the year is expected to end at {parts['mean']:,.2f} {unit}"
        )
        why += f", {short:,.2f} short of the target" if short > 0 else ", barely above the target"
        return f"The biggest risk is {name} ({p:.0%} chance): {why}."
    actual, p50 = num(h.at[metric, "actual"]), num(h.at[metric, "p50"])
    if zh:
        return (
            f"最大风险是{name}（达标概率{p:.0%}）：目前完成{figure(actual, 'count')}{unit}，"
            f"年末中位数{figure(p50, 'count')}{unit}，目标{figure(target, 'count')}{unit}。"
        )
    return (
        f"The biggest risk is {name} ({p:.0%} chance): {figure(actual, 'count')} so far, a year-end "
        f"median of {figure(p50, 'count')} against a target of {figure(target, 'count')}."
    )


def _action(head: Headline, nq: NextQuarter, lang: str) -> str:
    zh = lang == "zh"
    g = nq.goal_seek
    if g is not None and g["current"] < g["probability"] and g["extra_signed_capital"] is not None:
        name = label("metric", g["metric"], lang)
        unit = label("unit", g["unit"], lang)
        return (
            f"建议：在现有基础上新增签约资金约{g['extra_signed_capital']:,.2f}{unit}，可使{name}达标概率由"
            f"{g['current']:.0%}升至{g['probability']:.0%}。"
            if zh
            else f"Action: about {g['extra_signed_capital']:,.2f} {unit} of extra signed capital lifts "
            f"the chance of meeting {name} from {g['current']:.0%} to {g['probability']:.0%}."
        )
    if nq.plan is not None and len(nq.plan) and nq.p_with_plan is not None:
        h = head.table.set_index("metric")
        gains = (nq.p_with_plan - h["p_attain"]).dropna()
        metric = str(gains.idxmax()) if len(gains) else None
        cost = float(nq.plan["cost"].sum())
        if metric is None:
            return ""
        name = label("metric", metric, lang)
        before, after = num(h.at[metric, "p_attain"]), float(nq.p_with_plan[metric])
        return (
            f"建议：按剩余预算安排{len(nq.plan)}场招商活动（费用{cost:,.0f}万元），{name}达标概率由"
            f"{before:.0%}变为{after:.0%}。"
            if zh
            else f"Action: hold the {len(nq.plan)} recommended events ({cost:,.0f} 10k CNY); the "
            f"chance of meeting {name} moves from {before:.0%} to {after:.0%}."
        )
    return ""


__all__ = ["abstract"]
