"""What the review's sections share: month arithmetic, overdue time nodes, JSON-ready rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np
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


def records(df: pd.DataFrame) -> list[dict[str, object]]:
    """JSON-ready rows: NaN/NaT -> None, timestamps -> ISO dates, numpy -> Python."""
    out = []
    for row in df.to_dict(orient="records"):
        out.append({k: plain(v) for k, v in row.items()})
    return out


def plain(v: object) -> object:
    """One value as JSON has it: NaN/NaT -> None, dates -> ISO text, numpy -> Python."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, pd.Timestamp | dt.datetime):
        return v.date().isoformat() if not pd.isna(v) else None
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, np.bool_ | bool):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, float | np.floating):
        f = float(v)
        return None if not np.isfinite(f) else f
    if isinstance(v, Mapping):
        return {k: plain(x) for k, x in v.items()}
    return v
