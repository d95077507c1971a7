"""Why a forecast says what it says: each target's mean split into its sources, and one line
a leader can read.

    parts = sources(fc)   # {"new_starts": {"facts": 33.0, "stage:signed": 15.2, ...}, ...}
    why(fc, "new_starts") # "已完成33；签约阶段31个项目预计贡献约15.2；…；新引进项目约3.0 → P50 51（目标60）"

Each target's parts add up to its forecast mean (`fc.targets["mean"]`): the facts to date,
the expected contribution of the ledger projects at each stage (at the as-of date), and of
the new deals from offices, platforms and events. The parts read the forecast's own draws
(same trials, same drivers): a group of projects or a set of sources simulated alone adds
exactly what it adds within the whole, so the sum is the mean to rounding.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from workbook.forecast.setup import KEYS, _Setup
from workbook.text.labels import STAGES, label
from workbook.zone.metrics import METRICS

Forecast = Any  # workbook.forecast.results.Forecast (not imported: results imports this)

DEAL_PARTS = ("offices", "platforms", "events")


def _stage_sums(fc: Forecast) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Per stage: the mean year-end contribution to every metric (len(KEYS),) and how many
    projects can contribute to each metric at all."""
    e, setup = fc.engine, fc._setup
    sums: dict[str, np.ndarray] = {}
    able: dict[str, np.ndarray] = {}
    for gi, g in enumerate(e.groups):
        total = sums.setdefault(g.stage, np.zeros(len(KEYS)))
        count = able.setdefault(g.stage, np.zeros(len(KEYS), int))
        if e.future > 0:
            for c, n in e._chunks():
                buf = np.zeros((n, 1, len(KEYS)))
                e._group_kernel(setup, c, n, gi, g, (12,), buf, None)
                total += buf[:, 0, :].sum(axis=0)
        for cur in (0, 1):
            count[cur] += int(np.count_nonzero(setup.money_w[gi][:, cur]))
        reach = np.zeros((len(g.cols), len(KEYS) - 2), bool)
        for w in g.full.values():
            reach |= w != 0
        count[2:] += reach.sum(axis=0)
    return {s: v / e.trials for s, v in sums.items()}, able


def _deal_sums(fc: Forecast) -> dict[str, np.ndarray]:
    """Mean year-end contribution of the new deals of each kind of source."""
    e, setup = fc.engine, fc._setup
    office_ids = {c.id for c in e.params.offices}
    kind_of = {
        "offices": lambda s: s.kind == "channel" and s.name in office_ids,
        "platforms": lambda s: s.kind == "channel" and s.name not in office_ids,
        "events": lambda s: s.kind == "event",
    }
    out = {}
    everything = tuple(range(len(KEYS)))
    for part, belongs in kind_of.items():
        chosen = [s for s in setup.sources if belongs(s)]
        if not chosen or e.future <= 0:
            out[part] = np.zeros(len(KEYS))
            continue
        sub: _Setup = dataclasses.replace(setup, sources=chosen)
        e._source_arrays(sub)
        sub.deal_key = (*setup.deal_key, part)
        total = np.zeros(len(KEYS))
        for span, chunks in enumerate(e._spans()):
            n = sum(k for _, k in chunks)
            buf = np.zeros((n, 1, len(KEYS)))
            e._deal_kernel(sub, span, (12,), buf, None, everything)
            total += buf[:, 0, :].sum(axis=0)
        e._deals_last.clear()  # the subsets' deals: not the forecast's
        out[part] = total / e.trials
    return out


def sources(fc: Forecast) -> dict[str, dict[str, float]]:
    """Per assessed target: {"facts", "stage:<stage>" for each stage with projects,
    "offices", "platforms", "events"} -> expected year-end contribution, in the target's
    unit; the values add up to the target's forecast mean."""
    cached = getattr(fc, "_sources_parts", None)
    if cached is not None:
        return cached
    stages, _ = _stage_sums_cached(fc)
    deals = _deal_sums(fc)
    out = {}
    for metric in fc.metrics:
        k = KEYS.index(metric)
        row = {"facts": float(fc.facts[metric])}
        for stage in STAGES:
            if stage in stages:
                row[f"stage:{stage}"] = float(stages[stage][k])
        for part in DEAL_PARTS:
            row[part] = float(deals[part][k])
        out[metric] = row
    fc._sources_parts = out
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
    _, able = _stage_sums_cached(fc)
    k = KEYS.index(metric)
    count = METRICS[metric].kind == "count"
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
    sep = "；" if lang == "zh" else "; "
    return sep.join(pieces) + " → " + result


def _num1(v: float) -> str:
    return f"{v:,.1f}"


def _stage_sums_cached(fc: Forecast) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    cached = getattr(fc, "_why_stages", None)
    if cached is None:
        cached = _stage_sums(fc)
        fc._why_stages = cached
    return cached
