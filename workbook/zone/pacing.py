"""Pacing (序时进度): year-to-date progress against the elapsed share of the year.

Time progress is counted in months with the current month pro rata by day, so each quarter
end is exactly 25/50/75/100% ("时间过半、任务过半" at 30 June). A target's phased share at a
date interpolates its quarterly phasing linearly inside the quarter; without phasing it is
the time progress itself.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping

import pandas as pd

from workbook.text.catalogue import Entry, label
from workbook.text.errors import InputError
from workbook.text.labels import check_lang
from workbook.text.messages import Message
from workbook.text.numbers import figure
from workbook.zone.ledger import Ledger
from workbook.zone.metrics import actuals, definitions, unit_of
from workbook.zone.params import Target, ZoneParams

STATUS_COLUMNS = [
    "metric",
    "label",
    "unit",
    "target",
    "stretch",
    "actual",
    "completion",
    "time_progress",
    "phased_share",
    "phased_target",
    "gap",
    "verdict",
]


def time_progress(as_of: dt.date, year: int) -> float:
    """Elapsed share of `year` at the end of `as_of` (0 before the year, 1 after it)."""
    if as_of.year < year:
        return 0.0
    if as_of.year > year:
        return 1.0
    days = calendar.monthrange(as_of.year, as_of.month)[1]
    return (as_of.month - 1 + as_of.day / days) / 12


def phased_share(target: Target, elapsed: float) -> float:
    """Share of the annual target due after `elapsed` of the year, by the target's phasing."""
    if target.phasing is None:
        return elapsed
    knots = (0.0, *target.phasing)
    q = min(int(elapsed * 4), 3)
    frac = elapsed * 4 - q
    return knots[q] + (knots[q + 1] - knots[q]) * frac


def verdict(completion: float, due: float, tolerance: float) -> str:
    """'ahead', 'on_pace' or 'behind': completion beside the phased share, within ±tolerance."""
    gap = completion - due
    if gap > tolerance:
        return "ahead"
    if gap < -tolerance:
        return "behind"
    return "on_pace"


def check_as_of(as_of: dt.date, year: int) -> dt.date:
    if as_of.year != year:
        raise InputError(Message("review.as_of_year", day=as_of.isoformat(), year=year))
    return as_of


def status(params: ZoneParams, ledger: Ledger, as_of: dt.date, lang: str = "zh") -> pd.DataFrame:
    """One row per assessed target: target, year-to-date actual, completion, pacing and verdict."""
    check_lang(lang)
    check_as_of(as_of, params.year)
    elapsed = time_progress(as_of, params.year)
    values = actuals(params, ledger, as_of)
    defs = definitions(params)
    rows = []
    own = params.metric_labels
    for key, target in params.targets.items():
        actual = values[key]
        completion = actual / target.annual
        due = phased_share(target, elapsed)
        rows.append(
            {
                "metric": key,
                "label": label("metric", key, lang, own),
                "unit": unit_of(key, target, defs),
                "target": target.annual,
                "stretch": target.stretch,
                "actual": actual,
                "completion": completion,
                "time_progress": elapsed,
                "phased_share": due,
                "phased_target": due * target.annual,
                "gap": completion - due,
                "verdict": verdict(completion, due, params.pacing_tolerance),
            }
        )
    table = pd.DataFrame(rows, columns=STATUS_COLUMNS)
    table.attrs["metric_labels"] = own  # format_status names the zone's own metrics by them
    return table


def format_status(
    table: pd.DataFrame, lang: str = "zh", declared: Mapping[str, Entry] | None = None
) -> pd.DataFrame:
    """The status table as a planner reads it: labels, units, percentages, verdict words;
    money with two decimals, counts whole (a count's phased target with one decimal), as in
    the review's tables and sheets. The zone's own metrics are named by `declared` (default:
    the labels `status` put on the table)."""
    own = table.attrs.get("metric_labels") if declared is None else declared
    units = list(table["unit"])

    def nums(col: str) -> list[str]:
        return [figure(v, u, col) for v, u in zip(table[col], units, strict=True)]

    out = pd.DataFrame(
        {
            label("column", "metric", lang): [
                label("metric", k, lang, own) for k in table["metric"]
            ],
            label("column", "unit", lang): [label("unit", u, lang) for u in units],
            label("column", "target", lang): nums("target"),
            label("column", "stretch", lang): nums("stretch"),
            label("column", "actual", lang): nums("actual"),
            label("column", "completion", lang): [f"{v:.1%}" for v in table["completion"]],
            label("column", "time_progress", lang): [f"{v:.1%}" for v in table["time_progress"]],
            label("column", "phased_target", lang): nums("phased_target"),
            label("column", "verdict", lang): [label("verdict", v, lang) for v in table["verdict"]],
        }
    )
    return out
