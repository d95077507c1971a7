"""Quarterly ledger snapshots: ``ledger-2020Q1.xlsx`` beside ``ledger.xlsx`` is the ledger as it
stood at the end of 2020Q1 (the review reads the previous one for its changes; calibration
reads the stage moves between them; the backtest forecasts from them)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from workbook.text.errors import InputError
from workbook.text.messages import Message

if TYPE_CHECKING:
    import pandas as pd

SUFFIXES = (".xlsx", ".csv")
_QUARTER = re.compile(r"^\s*(\d{4})\s*[-_ ]?\s*[Qq]([1-4])\s*$")


def quarter_end(year: int, q: int) -> dt.date:
    """The last day of quarter `q` of `year`."""
    if q == 4:
        return dt.date(year, 12, 31)
    return dt.date(year, 3 * q + 1, 1) - dt.timedelta(days=1)


def parse_quarter_text(text: str) -> tuple[int, int]:
    """'2020Q2', '2020-Q2' or '2020 q2' -> (2020, 2)."""
    m = _QUARTER.match(text)
    if m is None:
        raise InputError(Message("review.quarter", found=text))
    return int(m.group(1)), int(m.group(2))


def quarter_range(text: str) -> list[tuple[int, int]]:
    """'2020Q1-2020Q3' (a range), '2020Q1,2020Q3' (a list) or '2020Q2' -> quarters in order."""
    out: set[tuple[int, int]] = set()
    for part in str(text).split(","):
        if not part.strip():
            continue
        bounds = re.split(r"\s*(?:-|~|\.\.|to)\s*(?=\d{4})", part.strip())
        if len(bounds) > 2:
            raise InputError(Message("review.quarters", found=text))
        lo = parse_quarter_text(bounds[0])
        hi = parse_quarter_text(bounds[-1])
        if hi < lo:
            raise InputError(Message("review.quarters_backwards", found=text))
        y, q = lo
        while (y, q) <= hi:
            out.add((y, q))
            y, q = (y + 1, 1) if q == 4 else (y, q + 1)
    if not out:
        raise InputError(Message("review.quarters", found=text))
    return sorted(out)


@dataclass(frozen=True)
class Snapshot:
    """One quarter-end copy of the ledger."""

    quarter: str  # '2020Q1'
    date: dt.date  # the quarter's last day
    path: Path


def find_snapshots(ledger_path: str | Path) -> list[Snapshot]:
    """Every ``<ledger stem>-<YYYYQn>.xlsx`` (or .csv) beside the ledger, oldest first (one per
    quarter: the ledger's own suffix first, then .xlsx, then .csv)."""
    ledger = Path(ledger_path)
    if not ledger.parent.is_dir():
        return []
    found: dict[tuple[int, int], Path] = {}
    order = list(dict.fromkeys((ledger.suffix.lower(), *SUFFIXES)))
    pattern = re.compile(rf"^{re.escape(ledger.stem)}-(\d{{4}})Q([1-4])$", re.IGNORECASE)
    for path in ledger.parent.iterdir():
        m = pattern.match(path.stem)
        if m is None or path.suffix.lower() not in order or not path.is_file():
            continue
        key = (int(m.group(1)), int(m.group(2)))
        best = found.get(key)
        if best is None or order.index(path.suffix.lower()) < order.index(best.suffix.lower()):
            found[key] = path
    return [Snapshot(f"{y}Q{q}", quarter_end(y, q), found[(y, q)]) for y, q in sorted(found)]


def fill_stage_dates(
    projects: pd.DataFrame, earlier: list[tuple[dt.date, pd.DataFrame]]
) -> pd.DataFrame:
    """`projects` (a ledger frame) with `stage_date` filled from earlier quarterly snapshots
    where the ledger leaves it empty, for projects before signing: a project that has stood at
    its stage in every snapshot back to snapshot j entered it after snapshot j − 1, taken as
    the middle of that quarter; one already there in the first snapshot known entered by that
    snapshot's date at the latest, taken as that date (its age is at least that). `earlier`:
    [(date, projects)] of the snapshots before, oldest first. Returns a copy; a date the
    ledger gives is kept.
    """
    import pandas as pd

    from workbook.text.labels import STAGES

    out = projects.copy()
    if "stage_date" not in out:
        out["stage_date"] = pd.NaT
    out["stage_date"] = pd.to_datetime(out["stage_date"])
    pre_sign = set(STAGES[: STAGES.index("signed")])
    stage_of = [dict(zip(p["project_id"], p["stage"].astype(str), strict=True)) for _, p in earlier]
    stage_date = list(out.columns).index("stage_date")  # its position (column names are unique)
    for i, (pid, stage, known) in enumerate(
        zip(out["project_id"], out["stage"].astype(str), out["stage_date"], strict=True)
    ):
        if stage not in pre_sign or pd.notna(known):
            continue
        first = len(earlier)
        while first > 0 and stage_of[first - 1].get(pid) == stage:
            first -= 1
        if first == len(earlier):
            continue  # not in the last snapshot at this stage: entered since, date unknown
        if first == 0:
            entry = pd.Timestamp(earlier[0][0])
        else:
            before, seen = pd.Timestamp(earlier[first - 1][0]), pd.Timestamp(earlier[first][0])
            entry = before + (seen - before) / 2
        out.iloc[i, stage_date] = entry
    return out
