"""The review's opening paragraph, written from its figures.

Three to five sentences in the report language: where the targets stand against pacing
(ahead, on pace, behind), the chance of meeting the money targets, the biggest risk (the target
least likely to be met, and why, from the forecast's parts: arrived so far, the ledger's
projects by stage, new deals), and the one action the figures support (the extra signed capital
for an 80% chance of 内资到位, else the recommended events and what they do to P(attain)).

`money_parts(fc, params)` splits each money target's expected year-end value into those parts
(they add up to the forecast's mean); `abstract(review)` writes the paragraph.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbook.forecast.setup import DEAL_PARTS
from workbook.text.labels import label
from workbook.zone.metrics import definitions

if TYPE_CHECKING:
    from workbook.review.report import Review
    from workbook.zone.params import ZoneParams

STARTED = ("started", "producing")
SIGNED = ("signed",)


def money_parts(fc: Any, params: ZoneParams) -> dict[str, dict[str, float]]:
    """Per money target (built-in or the zone's own), its expected year-end value in parts (in
    the target's unit): 'facts' (arrived to date), 'started' (ledger projects started or
    producing), 'signed' (signed, not started), 'before_signing' (the ledger's projects not
    yet signed), 'new' (deals from offices, platforms and events still to come) and their sum
    'mean'. The parts are the engine's own (`workbook.forecast.explain.sources`)."""
    from workbook.forecast.explain import sources

    defs = definitions(params)
    by_target = sources(fc)
    out: dict[str, dict[str, float]] = {}
    for key, _ in params.targets.items():
        if defs[key].kind != "money" or key not in by_target:
            continue
        row = by_target[key]
        stage = {k.split(":", 1)[1]: v for k, v in row.items() if k.startswith("stage:")}
        started = sum(stage.get(s, 0.0) for s in STARTED)
        signed = sum(stage.get(s, 0.0) for s in SIGNED)
        before = sum(v for s, v in stage.items() if s not in STARTED + SIGNED)
        new = sum(row.get(part, 0.0) for part in DEAL_PARTS)
        facts = float(row["facts"])
        out[key] = {
            "facts": facts,
            "started": started,
            "signed": signed,
            "before_signing": before,
            "new": new,
            "mean": facts + started + signed + before + new,
        }
    return out


def _num(value: float, unit: str) -> str:
    return f"{value:,.0f}" if unit == "count" else f"{value:,.2f}"


def _list(names: list[str], lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(names)


def abstract(rv: Review) -> str:
    """The opening paragraph (see the module docstring)."""
    lang = rv.lang
    zh = lang == "zh"
    h = rv.headline.set_index("metric")
    units = {m: label("unit", str(h.at[m, "unit"]), lang) for m in h.index}
    names = {m: label("metric", m, lang) for m in h.index}
    defs = definitions(rv.zone.params)
    sentences: list[str] = []

    # 1. pacing
    counts = h["verdict"].value_counts()
    behind = [names[m] for m in h.index if h.at[m, "verdict"] == "behind"]
    as_of = rv.params.as_of
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
        m for m in h.index if defs[m].kind == "money" and h.at[m, "p_attain"] == h.at[m, "p_attain"]
    ]
    if money:
        parts = []
        for m in money:
            u = units[m]
            p, p50, t = float(h.at[m, "p_attain"]), float(h.at[m, "p50"]), float(h.at[m, "target"])
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
    known = [m for m in h.index if h.at[m, "p_attain"] == h.at[m, "p_attain"]]
    if known:
        risk = min(known, key=lambda m: (float(h.at[m, "p_attain"]), defs[m].kind != "money"))
        p = float(h.at[risk, "p_attain"])
        if p < 0.8:
            sentences.append(_risk(rv, risk, p, units[risk], names[risk], lang))

    # 4. the one action
    action = _action(rv, lang)
    if action:
        sentences.append(action)
    return ("" if zh else " ").join(sentences)


def _risk(rv: Review, metric: str, p: float, unit: str, name: str, lang: str) -> str:
    zh = lang == "zh"
    h = rv.headline.set_index("metric")
    target = float(h.at[metric, "target"])
    parts = rv.parts.get(metric)
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
    actual, p50 = float(h.at[metric, "actual"]), float(h.at[metric, "p50"])
    if zh:
        return (
            f"最大风险是{name}（达标概率{p:.0%}）：目前完成{_num(actual, 'count')}{unit}，"
            f"年末中位数{_num(p50, 'count')}{unit}，目标{_num(target, 'count')}{unit}。"
        )
    return (
        f"The biggest risk is {name} ({p:.0%} chance): {_num(actual, 'count')} so far, a year-end "
        f"median of {_num(p50, 'count')} against a target of {_num(target, 'count')}."
    )


def _action(rv: Review, lang: str) -> str:
    zh = lang == "zh"
    nq = rv.next_quarter
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
        h = rv.headline.set_index("metric")
        gains = (nq.p_with_plan - h["p_attain"]).dropna()
        metric = str(gains.idxmax()) if len(gains) else None
        cost = float(nq.plan["cost"].sum())
        if metric is None:
            return ""
        name = label("metric", metric, lang)
        before, after = float(h.at[metric, "p_attain"]), float(nq.p_with_plan[metric])
        return (
            f"建议：按剩余预算安排{len(nq.plan)}场招商活动（费用{cost:,.0f}万元），{name}达标概率由"
            f"{before:.0%}变为{after:.0%}。"
            if zh
            else f"Action: hold the {len(nq.plan)} recommended events ({cost:,.0f} 10k CNY); the "
            f"chance of meeting {name} moves from {before:.0%} to {after:.0%}."
        )
    return ""


__all__ = ["abstract", "money_parts"]
