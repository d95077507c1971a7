"""The scenario planner's charts, as parts (`workbook.charts.parts`): those of every target, those
of the chosen target with the fan's subtitle, the tornado when it must be redrawn, and the
comparison of the params' scenarios with the current settings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from workbook.charts import scenario as cs
from workbook.charts.parts import ChartParts
from workbook.planners.controls import planner_text
from workbook.text.catalogue import label
from workbook.text.numbers import figure
from workbook.zone.cells import num

if TYPE_CHECKING:
    from workbook.planners.scenario import ScenarioPlanner


def planner_charts(
    p: ScenarioPlanner, numbers: bool = True, metric: bool = True
) -> dict[str, ChartParts]:
    """The charts to (re)draw: those of every target (`numbers`) and those of the chosen
    target (`metric`); the tornado only when its data or target changed."""
    fc, lang, m = p.forecast, p.lang, p.metric
    own = p.params.metric_labels
    out: dict[str, ChartParts] = {}
    if numbers:
        out["p_attain"] = cs.p_attain_parts(fc.targets, lang, own)
        out["compare"] = cs.compare_parts(p.compare_frame(), lang, own)
    if metric:
        row = fc.targets.loc[m]
        assert isinstance(row, pd.Series)  # one row: the index holds each metric once
        stretch = None if pd.isna(row["stretch"]) else num(row["stretch"])
        target, unit = num(row["target"]), str(row["unit"])
        # The subtitle says which outlook the fan draws: the same P(attain) as the headline.
        out["fan"] = cs.fan_parts(
            p.fan_data,
            metric=m,
            target=target,
            unit=unit,
            lang=lang,
            subtitle=fan_note(row, lang),
            declared=own,
        )
        out["hist"] = cs.histogram_parts(
            p.bins, metric=m, target=target, stretch=stretch, unit=unit, lang=lang, declared=own
        )
        if p._tornado_now() != p._tornado_key:  # a driver move leaves it as it is
            sens = p.sensitivity if p.sensitivity is not None else cs.empty_sensitivity()
            out["tornado"] = ChartParts.whole(
                cs.tornado_chart(sens, metric=m, lang=lang, declared=own)
            )
    return out


def fan_note(row: pd.Series, lang: str) -> str:
    """The fan's subtitle: the chosen target's P(attain) and year-end P50."""
    unit = str(row["unit"])
    p50 = float(row["p50"])
    return planner_text(
        "fan_note",
        lang,
        p=float(row["p_attain"]),
        p50=figure(p50, unit),
        unit=label("unit", unit, lang),
    )


def compare_frame(
    params: Any, scenario_table: pd.DataFrame, targets: pd.DataFrame, lang: str
) -> pd.DataFrame:
    """P(attain) per target under each params scenario and the current settings (`targets`),
    long form DataFrame[scenario, metric, p_attain] in display order."""
    rows = []
    for key, sc in params.scenarios.items():
        for metric, p in scenario_table[key].items():
            rows.append({"scenario": sc.display(key, lang), "metric": metric, "p_attain": p})
    current = planner_text("current", lang)
    for metric, p in targets["p_attain"].items():
        rows.append({"scenario": current, "metric": metric, "p_attain": float(p)})
    return pd.DataFrame(rows, columns=["scenario", "metric", "p_attain"])
