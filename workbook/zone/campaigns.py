"""Campaign status (百日攻坚): each goal of a window, what counts inside it up to a date.

Time progress is the elapsed share of the window's days: day 1 is the start date, so on the
start date one day of `days` has passed, on the last day all of them. Counts are judged on
stage dates inside [start, min(last day, as-of)]; money on arrivals, which are logged by
month, in the months the window covers at least half of (up to the as-of month).
Verdicts compare completion with time progress, within the params' pacing tolerance.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping

import pandas as pd

from workbook.text.catalogue import Entry, label, say
from workbook.text.errors import InputError
from workbook.text.labels import check_lang
from workbook.text.messages import BadValue
from workbook.text.numbers import figure
from workbook.zone.declarations import Campaign
from workbook.zone.ledger import Ledger
from workbook.zone.metrics import count_masks, definitions, money_by_month
from workbook.zone.pacing import verdict
from workbook.zone.params import ZoneParams

CAMPAIGN_COLUMNS = [
    "metric",
    "label",
    "unit",
    "goal",
    "actual",
    "completion",
    "time_progress",
    "gap",
    "verdict",
]


def find_campaign(params: ZoneParams, name: str) -> Campaign:
    """A campaign of the params by name; InputError listing the campaigns otherwise."""
    try:
        return params.campaign(name)
    except BadValue as exc:
        raise InputError([exc.message]) from None


def elapsed_days(c: Campaign, as_of: dt.date) -> int:
    """Days of the window passed at the end of `as_of` (day 1 = the start date), 0..days."""
    return max(0, min((as_of - c.start).days + 1, c.days))


def campaign_time_progress(c: Campaign, as_of: dt.date) -> float:
    """Elapsed days / days."""
    return elapsed_days(c, as_of) / c.days


def window_months(start: dt.date, end: dt.date) -> list[pd.Timestamp]:
    """First days of the months that [start, end] covers at least half of."""
    out = []
    m = dt.date(start.year, start.month, 1)
    while m <= end:
        days = calendar.monthrange(m.year, m.month)[1]
        last = dt.date(m.year, m.month, days)
        covered = (min(end, last) - max(start, m)).days + 1
        if covered * 2 >= days:
            out.append(pd.Timestamp(m))
        m = last + dt.timedelta(days=1)
    return out


def window_values(
    params: ZoneParams,
    ledger: Ledger,
    c: Campaign,
    until: dt.date,
    fx: float | None = None,
) -> dict[str, float]:
    """What counts toward each goal inside the window, up to `until` (0 before the start)."""
    defs = definitions(params)
    end = min(c.end, until)
    fx = float(fx or params.fx_cny_per_usd)
    out: dict[str, float] = {}
    if end < c.start:
        return {k: 0.0 for k in c.goals}
    masks = count_masks(ledger.projects, c.start, end, {k: defs[k] for k in c.goals})
    months = window_months(c.start, c.end)  # the window's months; logged ones up to `end`'s
    for key in c.goals:
        m = defs[key]
        if m.kind == "count":
            out[key] = float(masks[key].sum())
            continue
        series = money_by_month(ledger, m, goal_unit(params, key), fx, end)
        out[key] = float(series[series.index.isin(months)].sum())
    return out


def goal_unit(params: ZoneParams, key: str) -> str:
    """A goal's unit: its metric's target currency (or the metric's default), or 'count'."""
    m = definitions(params)[key]
    if m.kind == "count":
        return "count"
    target = dict(params.targets.items()).get(key)
    return (target.currency if target and target.currency else None) or m.default_currency or "CNY"


def campaign_status(
    params: ZoneParams, ledger: Ledger, name: str, as_of: dt.date, lang: str = "zh"
) -> pd.DataFrame:
    """One row per goal of a campaign: goal, actual inside the window up to `as_of`,
    completion, time progress (elapsed days / days) and verdict."""
    check_lang(lang)
    c = find_campaign(params, name)
    values = window_values(params, ledger, c, as_of)
    elapsed = campaign_time_progress(c, as_of)
    rows = []
    own = params.metric_labels
    for key, goal in c.goals.items():
        completion = values[key] / goal
        rows.append(
            {
                "metric": key,
                "label": label("metric", key, lang, own),
                "unit": goal_unit(params, key),
                "goal": float(goal),
                "actual": values[key],
                "completion": completion,
                "time_progress": elapsed,
                "gap": completion - elapsed,
                "verdict": verdict(completion, elapsed, params.pacing_tolerance),
            }
        )
    table = pd.DataFrame(rows, columns=CAMPAIGN_COLUMNS)
    table.attrs["metric_labels"] = own  # format_campaign names the zone's own metrics by them
    return table


def campaigns_overlapping(params: ZoneParams, start: dt.date, end: dt.date) -> list[Campaign]:
    """The campaigns whose window overlaps [start, end] (e.g. a quarter)."""
    return [c for c in params.campaigns if c.start <= end and c.end >= start]


def format_campaign(
    table: pd.DataFrame, lang: str = "zh", declared: Mapping[str, Entry] | None = None
) -> pd.DataFrame:
    """The campaign table as a planner reads it: labels, units, percentages, verdict words.
    The zone's own metrics are named by `declared` (default: those `campaign_status` put on it)."""
    own = table.attrs.get("metric_labels") if declared is None else declared
    return pd.DataFrame(
        {
            label("column", "metric", lang): [
                label("metric", k, lang, own) for k in table["metric"]
            ],
            label("column", "unit", lang): [label("unit", u, lang) for u in table["unit"]],
            # money with two decimals, counts whole (as `workbook status` writes targets)
            label("column", "goal", lang): [
                figure(v, u) for v, u in zip(table["goal"], table["unit"], strict=True)
            ],
            label("column", "window_actual", lang): [
                figure(v, u) for v, u in zip(table["actual"], table["unit"], strict=True)
            ],
            label("column", "completion", lang): [f"{v:.1%}" for v in table["completion"]],
            label("column", "window_progress", lang): [f"{v:.1%}" for v in table["time_progress"]],
            label("column", "verdict", lang): [label("verdict", v, lang) for v in table["verdict"]],
        }
    )


def campaign_heading(c: Campaign, as_of: dt.date, lang: str = "zh") -> str:
    """'百日攻坚（春季） 2020-03-22 至 2020-06-29，截至 2020-05-31 第 71/100 天' (or its English);
    after the window '已结束（共 100 天）', before it '尚未开始'."""
    day = (as_of - c.start).days + 1
    key = (
        "campaign.heading.ended"
        if day > c.days
        else "campaign.heading.not_started"
        if day < 1
        else "campaign.heading"
    )
    return say(
        key,
        lang,
        name=c.display(lang),
        start=c.start,
        end=c.end,
        as_of=as_of,
        day=day,
        days=c.days,
    )
