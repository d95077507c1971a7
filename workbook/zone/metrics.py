"""What counts toward each target: one definition per metric, shared by status and forecast.

Money metrics sum capital that *arrived* (到位) in the year; count metrics count projects
that reached a stage in the year, as of a date:

| metric             | counts                                                              |
|--------------------|---------------------------------------------------------------------|
| domestic_capital   | arrivals of 内资 projects, in the target's currency (default CNY)    |
| foreign_capital    | arrivals of 外资 (incl. 港澳台) projects (default USD)                |
| global500_signings | projects flagged 新签500强 on the 世界500强 list signed in the year   |
| china500_signings  | the same for the 中国500强 list                                      |
| bonus_500          | 500强 projects (any list) that signed, started or produced in the year|
| big_projects_30    | projects of total investment >= 30亿元 signed in the year            |
| projects_100       | projects of total investment >= 100亿元 signed in the year           |
| new_starts         | projects started (开工) in the year                                  |
| new_production     | projects producing (投产) in the year                                |
| four_new           | 四新 projects started in the year                                    |
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from workbook.zone.ledger import Ledger, arrivals_in
from workbook.zone.params import Target, ZoneParams


@dataclass(frozen=True)
class Metric:
    """How a metric is measured: money (which capital type, default currency) or a count."""

    key: str
    kind: str  # "money" | "count"
    capital_type: str | None = None  # money metrics: "domestic" | "foreign"
    default_currency: str | None = None


METRICS: dict[str, Metric] = {
    "domestic_capital": Metric("domestic_capital", "money", "domestic", "CNY"),
    "foreign_capital": Metric("foreign_capital", "money", "foreign", "USD"),
    "global500_signings": Metric("global500_signings", "count"),
    "china500_signings": Metric("china500_signings", "count"),
    "bonus_500": Metric("bonus_500", "count"),
    "big_projects_30": Metric("big_projects_30", "count"),
    "projects_100": Metric("projects_100", "count"),
    "new_starts": Metric("new_starts", "count"),
    "new_production": Metric("new_production", "count"),
    "four_new": Metric("four_new", "count"),
}
BIG_PROJECT = 30.0  # 亿元
HUNDRED_BILLION = 100.0  # 亿元


def unit_of(metric: str, target: Target) -> str:
    """'CNY' / 'USD' for money metrics (the target's currency), 'count' otherwise."""
    m = METRICS[metric]
    return (target.currency or m.default_currency or "CNY") if m.kind == "money" else "count"


def count_masks(projects: pd.DataFrame, start: dt.date, end: dt.date) -> dict[str, pd.Series]:
    """For each count metric, which projects count, judged on stage dates in [start, end]."""
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)

    def within(col: str) -> pd.Series:
        d = projects[col]
        return d.notna() & (d >= lo) & (d <= hi)

    signed, started, producing = (
        within("signed_date"),
        within("start_date"),
        within("production_date"),
    )
    flag = projects["list_flag"]
    new500 = projects["new_500_signing"].astype(bool)
    size = projects["total_investment"]
    return {
        "global500_signings": signed & new500 & (flag == "global500"),
        "china500_signings": signed & new500 & (flag == "china500"),
        "bonus_500": (flag != "none") & (signed | started | producing),
        "big_projects_30": signed & (size >= BIG_PROJECT),
        "projects_100": signed & (size >= HUNDRED_BILLION),
        "new_starts": started,
        "new_production": producing,
        "four_new": started & projects["four_new"].astype(bool),
    }


def actuals(params: ZoneParams, ledger: Ledger, as_of: dt.date) -> dict[str, float]:
    """Year-to-date value of every assessed metric, as of a date (arrivals up to its month)."""
    year_start = dt.date(params.year, 1, 1)
    masks = count_masks(ledger.projects, year_start, as_of)
    out: dict[str, float] = {}
    for key, target in params.targets.items():
        m = METRICS[key]
        if m.kind == "money":
            series = arrivals_in(
                ledger, unit_of(key, target), params.fx_cny_per_usd, m.capital_type or "", as_of
            )
            series = series[series.index >= pd.Timestamp(year_start)]
            out[key] = float(series.sum())
        else:
            out[key] = float(masks[key].sum())
    return out
