"""Scenarios side by side, and one-at-a-time sensitivity (tornado data), on common random numbers.

Every forecast here reads the engine's same draws, so a difference between two columns (or
between a driver's low and high value) is the drivers', not Monte Carlo noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from workbook.forecast.engine import Engine
from workbook.text.catalogue import label
from workbook.text.errors import InputError
from workbook.text.labels import STATS
from workbook.text.messages import Message
from workbook.zone.drivers import Drivers

ALL = "all"  # the row of P(all targets met)


def compare(engine: Engine, names: list[str] | None = None, stat: str = "p_attain") -> pd.DataFrame:
    """One column per scenario (params order, or `names`), one row per assessed target (and
    'all' for P(all targets met) when `stat` is p_attain): the chosen statistic."""
    if stat not in STATS:
        raise InputError(Message("err.unknown_stat", stat=stat, valid=", ".join(STATS)))
    names = [engine.scenario_key(n) for n in (names or engine.scenarios)]
    if not names:
        raise InputError(Message("err.no_scenarios"))
    columns = {}
    first = None
    for name in names:
        fc = engine.forecast_scenario(name)
        first = first if first is not None else fc.targets
        col = fc.targets[stat].copy()
        if stat == "p_attain":
            col.loc[ALL] = fc.p_all
        columns[name] = col
    assert first is not None
    out = pd.DataFrame(columns)
    out.insert(0, "target", first["target"].reindex(out.index))
    out.insert(0, "unit", first["unit"].reindex(out.index))
    own = engine.params.metric_labels
    out.insert(0, "label", [label("metric", k, engine.lang, own) for k in out.index])
    if ALL in out.index:
        out.loc[ALL, "label"] = label("forecast", "p_all", engine.lang)
        out.loc[ALL, "unit"] = ""
    out.index.name = "metric"
    return out


@dataclass(frozen=True)
class Step:
    """A driver moved down and up by `step` (absolute), kept within [lo, hi]."""

    driver: str
    step: float
    lo: float = 0.0
    hi: float = float("inf")
    whole: bool = False


STEPS: tuple[Step, ...] = (
    *(Step(f"stage_probability.{s}", 0.05, hi=1.0) for s in ("lead", "contact", "visit")),
    *(Step(f"stage_probability.{s}", 0.10, hi=1.0) for s in ("negotiating", "intent")),
    *(
        Step(f"months_to_sign.{s}", 1.0, hi=120.0)
        for s in ("lead", "contact", "visit", "negotiating", "intent")
    ),
    Step("start_probability", 0.1, hi=1.0),
    Step("months_to_start", 1.0, hi=120.0),
    Step("production_probability", 0.1, hi=1.0),
    Step("months_to_production", 2.0, hi=120.0),
    Step("lag_sigma", 0.2, hi=3.0),
    Step("slip_months", 1, hi=24, whole=True),
    Step("arrival_ratio.mean", 0.1, hi=1.0),
    Step("unplanned_share.mean", 0.05, hi=1.0),
    Step("size_sigma", 0.2, hi=3.0),
    Step("four_new_share", 0.1, hi=1.0),
    Step("fx_cny_per_usd", 0.3, lo=0.01),
    Step("channels.lead_multiplier", 0.25, hi=10.0),
    Step("channels.conversion", 0.01, hi=1.0),
    Step("channels.months_to_sign", 2.0, hi=120.0),
    Step("events.conversion_multiplier", 0.25, hi=10.0),
)

SENSITIVITY_COLUMNS = [
    "driver",
    "label",
    "base",
    "step",
    "low",
    "high",
    "metric",
    "p_base",
    "p_low",
    "p_high",
    "swing",
]


def sensitivity(
    engine: Engine,
    drivers: Drivers | None = None,
    plan: pd.DataFrame | None = None,
    steps: tuple[Step, ...] = STEPS,
) -> pd.DataFrame:
    """Tornado data: each driver moved down and up by its step, one at a time, and P(attain)
    of every assessed target at the low, base and high value. `swing` = |p_high − p_low|;
    rows are sorted by target, then largest swing first."""
    drivers = drivers if drivers is not None else engine.params.drivers
    base_fc = engine.forecast(drivers, plan)
    p_base = base_fc.targets["p_attain"]
    rows = []
    for s in steps:
        value = drivers.get(s.driver)
        if value is None and s.driver == "fx_cny_per_usd":
            value = engine.params.fx_cny_per_usd
        low, high = max(s.lo, value - s.step), min(s.hi, value + s.step)
        if s.whole:
            low, high = int(low), int(high)
        p = {}
        for side, v in (("low", low), ("high", high)):
            p[side] = (
                p_base
                if v == value
                else engine.forecast(drivers.replace(s.driver, v), plan).targets["p_attain"]
            )
        for metric in p_base.index:
            rows.append(
                {
                    "driver": s.driver,
                    "label": driver_label(s.driver, engine.lang),
                    "base": float(value),
                    "step": s.step,
                    "low": float(low),
                    "high": float(high),
                    "metric": metric,
                    "p_base": float(p_base[metric]),
                    "p_low": float(p["low"][metric]),
                    "p_high": float(p["high"][metric]),
                }
            )
    df = pd.DataFrame(rows, columns=SENSITIVITY_COLUMNS[:-1])
    df["swing"] = (df["p_high"] - df["p_low"]).abs()
    order = {m: i for i, m in enumerate(p_base.index)}
    df["_m"] = df["metric"].map(order)
    df = df.sort_values(["_m", "swing"], ascending=[True, False], kind="stable")
    return df.drop(columns="_m").reset_index(drop=True)[SENSITIVITY_COLUMNS]


def tornado(table: pd.DataFrame, metric: str, top: int | None = None) -> pd.DataFrame:
    """The sensitivity rows of one target, largest swing first."""
    rows = table[table["metric"] == metric]
    if rows.empty:
        raise InputError(Message("err.no_sensitivity", metric=metric))
    rows = rows.sort_values("swing", ascending=False, kind="stable")
    return (rows.head(top) if top else rows).reset_index(drop=True)


def driver_label(path: str, lang: str = "zh") -> str:
    """A driver's name for people: '考察阶段签约概率' for stage_probability.visit."""
    head, _, tail = path.partition(".")
    if tail and head in ("stage_probability", "months_to_sign"):
        return label("driver", head, lang).format(stage=label("stage", tail, lang))
    return label("driver", path, lang)
