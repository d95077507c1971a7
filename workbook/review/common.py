"""What the review's sections share: month arithmetic and overdue time nodes."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from workbook.text.labels import STAGES


def month_start(day: dt.date) -> pd.Timestamp:
    return pd.Timestamp(day.year, day.month, 1)


def month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def overdue(p: pd.DataFrame, as_of: dt.date) -> pd.Series:
    """A milestone is overdue when its date has passed and the project is not yet producing."""
    return (
        p["milestone_date"].notna()
        & (p["milestone_date"] < pd.Timestamp(as_of))
        & (p["stage"].astype(str) != STAGES[-1])
    )
