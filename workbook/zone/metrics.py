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

Each is a declaration (`workbook.zone.declarations.BUILTIN`) that a params file may override,
beside the zone's own metrics (`metrics:`); `definitions(params)` gives them all, resolved.
"""

from __future__ import annotations

import datetime as dt
import operator
import weakref
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from workbook.zone.declarations import (
    AMOUNT_COLUMNS,
    BOOL_COLUMNS,
    BUILTIN,
    DATE_COLUMNS,
    Condition,
    MetricDecl,
)
from workbook.zone.ledger import Ledger, rates
from workbook.zone.params import Target, ZoneParams


@dataclass(frozen=True)
class Metric:
    """How a metric is measured: money (which capital type, default currency) or a count (of
    projects reaching one of `stages`), of the projects every `where` condition holds for."""

    key: str
    kind: str  # "money" | "count"
    capital_type: str | None = None  # money metrics: "domestic" | "foreign" | "all"
    default_currency: str | None = None
    stages: tuple[str, ...] = ()  # count metrics: "signed" | "started" | "producing"
    where: tuple[Condition, ...] = ()
    builtin: bool = True


def _metric(key: str, d: MetricDecl) -> Metric:
    if d.kind == "money":
        return Metric(key, "money", d.money, d.currency or "CNY", (), d.where, key in BUILTIN)
    return Metric(key, "count", None, None, d.stages, d.where, key in BUILTIN)


METRICS: dict[str, Metric] = {k: _metric(k, d) for k, d in BUILTIN.items()}
BIG_PROJECT = 30.0  # 亿元 (the review's tiers; the metric's threshold is its declaration's)
HUNDRED_BILLION = 100.0  # 亿元
OPERATORS = {
    "==": operator.eq,
    "!=": operator.ne,
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
}
STAGE_DATE = {"signed": "signed_date", "started": "start_date", "producing": "production_date"}


def definitions(params: ZoneParams | None = None) -> dict[str, Metric]:
    """Every metric of a zone: the built-ins (with the params' overrides), then its own."""
    if params is None or not params.metrics:
        return dict(METRICS)
    return {k: _metric(k, d) for k, d in params.metric_decls().items()}


def unit_of(metric: str, target: Target, defs: Mapping[str, Metric] = METRICS) -> str:
    """'CNY' / 'USD' for money metrics (the target's currency), 'count' otherwise."""
    m = defs[metric]
    return (target.currency or m.default_currency or "CNY") if m.kind == "money" else "count"


def condition_mask(projects: pd.DataFrame, c: Condition) -> pd.Series:
    """Which projects a `where` condition holds for (an empty cell never matches a comparison)."""
    col = projects[c.column]
    values: pd.Series  # the column as its kind compares: text, numbers, dates or flags
    if c.extra:  # a column of the ledger's own: text, or by order as a number or a date
        if c.op in ("==", "!=", "in"):
            values = col.astype(object).where(col.notna(), "").astype(str).str.strip()
            v = c.value
        elif isinstance(c.value, dt.date):
            values, v = pd.to_datetime(col, errors="coerce"), pd.Timestamp(c.value)
        else:
            values, v = pd.to_numeric(col, errors="coerce"), c.value
    elif c.column in AMOUNT_COLUMNS:
        values, v = pd.to_numeric(col, errors="coerce"), c.value
    elif c.column in DATE_COLUMNS:
        values = pd.to_datetime(col)
        v = tuple(pd.Timestamp(x) for x in c.value) if c.op == "in" else pd.Timestamp(c.value)
    elif c.column in BOOL_COLUMNS:
        values, v = col.fillna(False).astype(bool), c.value
    else:
        values = col.astype(object).where(col.notna(), "").astype(str).str.strip()
        v = c.value
    present = values.notna()
    if c.op == "in":
        return present & values.isin(list(v))
    holds: pd.Series = OPERATORS[c.op](values, v)
    return present & holds.fillna(False).astype(bool)


def extra_columns(params: ZoneParams) -> list[str]:
    """Columns of the ledger's own (not the schema's) that the params' declarations name."""
    return list(
        dict.fromkeys(c.column for d in params.metric_decls().values() for c in d.where if c.extra)
    )


def where_mask(projects: pd.DataFrame, where: tuple[Condition, ...]) -> pd.Series:
    """Projects every condition holds for (a new Series: the caller may change it)."""
    if not where:
        return pd.Series(True, index=projects.index)
    try:
        held = _masks_of(projects).get(where)
    except TypeError:  # a condition's value that does not hash (a list): not kept
        return _all_hold(projects, where)
    if held is None:
        held = _MASKS[id(projects)][1][where] = _all_hold(projects, where)
    return held.copy()


def _all_hold(projects: pd.DataFrame, where: tuple[Condition, ...]) -> pd.Series:
    out = pd.Series(True, index=projects.index)
    for c in where:
        out &= condition_mask(projects, c)
    return out


# Masks already worked out, by frame: a review asks for the same metrics' `where` masks of one
# ledger in every window it counts (each condition parses a column's text or dates: ~2 ms).
# Kept while the frame lives, and only while its shape and columns are those they were made on
# (the loader adds the params' own columns to a frame; nothing changes a ledger's cells after).
_MASKS: dict[int, tuple[tuple[object, ...], dict[tuple[Condition, ...], pd.Series]]] = {}


def _masks_of(projects: pd.DataFrame) -> dict[tuple[Condition, ...], pd.Series]:
    key = id(projects)
    stamp = (projects.shape, tuple(projects.columns), tuple(projects.dtypes))
    kept = _MASKS.get(key)
    if kept is None or kept[0] != stamp:
        if kept is None:
            weakref.finalize(projects, _MASKS.pop, key, None)
        kept = _MASKS[key] = (stamp, {})
    return kept[1]


def count_masks(
    projects: pd.DataFrame,
    start: dt.date,
    end: dt.date,
    defs: Mapping[str, Metric] = METRICS,
) -> dict[str, pd.Series]:
    """For each count metric, which projects count, judged on stage dates in [start, end]."""
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)

    def within(col: str) -> pd.Series:
        d = projects[col]
        return d.notna() & (d >= lo) & (d <= hi)

    reached = {stage: within(col) for stage, col in STAGE_DATE.items()}
    out = {}
    for key, m in defs.items():
        if m.kind != "count":
            continue
        hit = pd.Series(False, index=projects.index)
        for stage in m.stages:
            hit |= reached[stage]
        out[key] = hit & where_mask(projects, m.where)
    return out


def money_mask(projects: pd.DataFrame, m: Metric) -> pd.Series:
    """Projects whose arrivals a money metric sums: its capital type, and its `where`."""
    mask = where_mask(projects, m.where)
    if m.capital_type in ("domestic", "foreign"):
        mask &= projects["capital_type"] == m.capital_type
    return mask


def money_by_month(
    ledger: Ledger,
    m: Metric,
    currency: str,
    fx_cny_per_usd: float,
    until: dt.date | None = None,
) -> pd.Series:
    """Monthly arrived capital of a money metric's projects, in 亿 of `currency`, up to and
    including `until`'s month."""
    p = ledger.projects
    ids = p.loc[money_mask(p, m), "project_id"]
    a = ledger.arrivals[ledger.arrivals["project_id"].isin(ids)]
    if until is not None:
        a = a[a["month"] <= pd.Timestamp(until.year, until.month, 1)]
    amount = a["amount"].to_numpy(float) * rates(a["currency"], currency, fx_cny_per_usd)
    out = pd.Series(amount, index=a["month"], dtype="float64")
    return out.groupby(level=0).sum().sort_index()


def metric_values(
    params: ZoneParams,
    ledger: Ledger,
    start: dt.date,
    end: dt.date,
    keys: list[str] | None = None,
    fx: float | None = None,
) -> dict[str, float]:
    """Value of metrics (the assessed ones by default) in [start, end]: counts by stage dates,
    money by arrivals in the months from `start`'s to `end`'s."""
    defs = definitions(params)
    targets = dict(params.targets.items())
    keys = list(targets) if keys is None else keys
    fx = float(fx or params.fx_cny_per_usd)
    masks = count_masks(ledger.projects, start, end, {k: defs[k] for k in keys})
    out: dict[str, float] = {}
    for key in keys:
        m = defs[key]
        if m.kind == "money":
            target = targets.get(key)
            unit = unit_of(key, target, defs) if target else (m.default_currency or "CNY")
            series = money_by_month(ledger, m, unit, fx, end)
            series = series[series.index >= pd.Timestamp(start.year, start.month, 1)]
            out[key] = float(series.sum())
        else:
            out[key] = float(masks[key].sum())
    return out


def actuals(params: ZoneParams, ledger: Ledger, as_of: dt.date) -> dict[str, float]:
    """Year-to-date value of every assessed metric, as of a date (arrivals up to its month)."""
    return metric_values(params, ledger, dt.date(params.year, 1, 1), as_of)
