"""Why a forecast says what it says: each target's mean split into its sources, and one line
a leader can read.

    parts = sources(fc)   # {"new_starts": {"facts": 33.0, "stage:signed": 15.2, ...}, ...}
    why(fc, "new_starts") # "已完成33；签约阶段31个项目预计贡献约15.2；…；新引进项目约3.0 → P50 51（目标60）"

Each target's parts add up to its forecast mean (`fc.targets["mean"]`): the facts to date,
the expected contribution of the ledger projects at each stage (at the as-of date), and of
the new deals from offices, platforms and events. The engine sums them as the forecast runs
(what each stage's group of projects adds, the new deals split by the kind of their source),
so they cost nothing more and add up to the mean to rounding.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from workbook.forecast.setup import DEAL_PARTS
from workbook.text.catalogue import label, say
from workbook.text.labels import STAGES

Forecast = Any  # workbook.forecast.results.Forecast (not imported: results imports this)


def _able(fc: Forecast) -> dict[str, np.ndarray]:
    """Per stage: how many of its projects can add to each metric at all."""
    e, setup = fc.engine, fc.setup
    nm = e.n_money
    able: dict[str, np.ndarray] = {}
    for gi, g in enumerate(e.groups):
        count = able.setdefault(g.stage, np.zeros(len(e.keys), int))
        count[:nm] += np.count_nonzero(setup.money_w[gi], axis=0)
        reach = np.zeros((len(g.cols), len(e.keys) - nm), bool)
        for w in (*g.full.values(), *g.window.values()):
            reach |= w != 0
        count[nm:] += reach.sum(axis=0)
    return able


def sources(fc: Forecast) -> dict[str, dict[str, float]]:
    """Per assessed target: {"facts", "stage:<stage>" for each stage with projects,
    "offices", "platforms", "events"} -> expected year-end contribution, in the target's
    unit; the values add up to the target's forecast mean."""
    e = fc.engine
    sums = fc.setup.parts  # filled as the forecast ran: sums over trials at December
    zero = np.zeros(len(e.keys))
    stages = [st for st in STAGES if any(g.stage == st for g in e.groups)]
    out = {}
    for metric in fc.metrics:
        k = e.keys.index(metric)
        row = {"facts": float(fc.facts[metric])}
        for stage in stages:
            row[f"stage:{stage}"] = float(sums.get(f"stage:{stage}", zero)[k] / e.trials)
        for part in DEAL_PARTS:
            row[part] = float(sums.get(part, zero)[k] / e.trials)
        out[metric] = row
    return out


def _num(v: float, count: bool) -> str:
    return f"{v:,.0f}" if count else f"{v:,.1f}"


def why(fc: Forecast, metric: str, lang: str | None = None) -> str:
    """One line: facts so far; the stage that adds most (how many of its projects can add,
    and how much is expected); the rest of the pipeline; new deals; P50 against the target.
    E.g. '33 so far; 31 signed projects may add ~15.2; other pipeline ~2.1; new deals ~3.0
    → P50 51 of 60'."""
    lang = lang or fc.engine.lang
    fc._check(metric)
    parts = sources(fc)[metric]
    able = _able(fc)
    k = fc.engine.keys.index(metric)
    count = fc.engine.defs[metric].kind == "count"
    row = fc.targets.loc[metric]
    stage_parts = {s.split(":", 1)[1]: v for s, v in parts.items() if s.startswith("stage:")}
    pieces = [label("why", "facts", lang).format(facts=_num(parts["facts"], count))]
    if stage_parts:
        top = max(stage_parts, key=lambda s: stage_parts[s])
        if stage_parts[top] >= 0.05:
            pieces.append(
                label("why", "stage", lang).format(
                    stage=label("stage", top, lang),
                    n=int(able[top][k]),
                    x=_num1(stage_parts[top]),
                )
            )
            rest = sum(v for s, v in stage_parts.items() if s != top)
            if rest > 0.05:
                pieces.append(label("why", "other", lang).format(x=_num1(rest)))
    deals = sum(parts[p] for p in DEAL_PARTS)
    pieces.append(label("why", "deals", lang).format(x=_num1(deals)))
    result = label("why", "result", lang).format(
        p50=_num(float(row["p50"]), count), target=_num(float(row["target"]), count)
    )
    return say("sep.clause", lang).join(pieces) + " → " + result


def _num1(v: float) -> str:
    return f"{v:,.1f}"
