"""The pipeline as it stood at an earlier date: from a quarter-end snapshot, or replayed.

A planner's ledger (项目台账) is kept up to date: its stages are today's. A review of a past
quarter (or a backtest of a forecast made then) needs the pipeline as it stood at that
quarter's end. `ledger_at(ledger, as_of, snapshot)` gives it:

- ``"ledger"``: the as-of date is at or after the end of the last month with arrivals logged,
  so the ledger is the pipeline at that date and is used as it is;
- ``"snapshot"``: a copy of the ledger kept at the quarter's end, ``ledger-2020Q1.xlsx``
  beside ``ledger.xlsx`` (`snapshot_for`, from `workbook.zone.snapshots`), holds the projects as they stood; arrivals are the
  ledger's up to the as-of month (of projects the snapshot knows);
- ``"replay"``: no snapshot, so the ledger is replayed by its stage dates
  (`replay_projects`): a signing, start or production dated after the as-of date has not
  happened yet, so the project stands at the stage before it (意向 before a signing, as the
  forecast engine reads it), and arrivals after the as-of month are dropped. Stages before
  签约 carry no dates in a ledger, so they keep today's stage: a replay is exact from 签约 on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from workbook.text.errors import InputError
from workbook.text.labels import STAGES
from workbook.text.messages import Message
from workbook.zone.ledger import Ledger, load_ledger
from workbook.zone.snapshots import find_snapshots, parse_quarter_text

SOURCES = ("ledger", "snapshot", "replay")
DATE_STAGES = (
    ("signed_date", "signed"),
    ("start_date", "started"),
    ("production_date", "producing"),
)


@dataclass(frozen=True)
class PipelineAt:
    """The ledger as it stood at `as_of` and where it came from (one of SOURCES)."""

    ledger: Ledger
    as_of: dt.date
    source: str
    snapshot: Path | None = None
    # arrivals up to the as-of month of projects the snapshot does not list (left out)
    orphan_arrivals: int = 0


def snapshot_for(ledger_path: Path, quarter: str) -> Path | None:
    """The snapshot of the ledger kept at the end of `quarter` ('2020Q1'), if there is one:
    a file named like the ledger with the quarter appended (``ledger-2020Q1.xlsx``), as
    `workbook.zone.snapshots.find_snapshots` finds them."""
    year, q = parse_quarter_text(str(quarter))
    for snap in find_snapshots(ledger_path):
        if snap.quarter == f"{year}Q{q}":
            return snap.path
    return None


def data_end(ledger: Ledger) -> dt.date | None:
    """The last day of the last month with arrivals logged (None without arrivals): the date
    up to which the ledger is known to be current."""
    a = ledger.arrivals
    if not len(a):
        return None
    last = pd.Timestamp(a["month"].max())
    return (last + pd.offsets.MonthEnd(0)).date()


def last_data_day(ledger: Ledger, year: int) -> dt.date:
    """The end of the last month with arrivals logged in the plan year `year`: the date a
    forecast or a status takes when given none; an InputError (in the command's language)
    without any arrival that year."""
    months = pd.to_datetime(ledger.arrivals["month"])
    months = months[months.dt.year == year]
    if not len(months):
        raise InputError(Message("err.no_arrivals", year=year))
    return (months.max() + pd.offsets.MonthEnd(0)).date()


def stage_by_dates(projects: pd.DataFrame, as_of: dt.date) -> pd.Series:
    """Each project's stage at `as_of` by its stage dates: the latest of 签约/开工/投产 dated on
    or before it; 意向 for a project at 签约 or beyond whose signing comes later; the ledger's
    own stage for a project before 签约 (no dates to go by)."""
    ts = pd.Timestamp(as_of)
    stage = projects["stage"].astype(str).to_numpy(dtype=object).copy()
    signed_at = STAGES.index("signed")
    reached = pd.Series([STAGES.index(s) >= signed_at for s in stage], index=projects.index)
    stage[reached.to_numpy()] = "intent"
    for col, name in DATE_STAGES:
        d = projects[col]
        stage[(d.notna() & (d <= ts)).to_numpy()] = name
    return pd.Series(stage, index=projects.index, name="stage")


def replay_projects(projects: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """The ledger's projects as they stood at `as_of`: stages by their dates
    (`stage_by_dates`), and every stage date after `as_of` cleared. Other columns unchanged."""
    out = projects.copy()
    stage = stage_by_dates(projects, as_of)
    out["stage"] = pd.Categorical(stage, categories=list(STAGES), ordered=True)
    ts = pd.Timestamp(as_of)
    for col, _ in DATE_STAGES:
        out[col] = out[col].where(~(out[col] > ts))
    return out


def arrivals_until(arrivals: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Arrivals logged for months up to and including the as-of month."""
    cutoff = pd.Timestamp(as_of.year, as_of.month, 1)
    return arrivals[arrivals["month"] <= cutoff].reset_index(drop=True)


def ledger_at(ledger: Ledger, as_of: dt.date, snapshot: Path | None = None) -> PipelineAt:
    """The pipeline at `as_of` (see the module docstring): the ledger itself when it is not
    older than the as-of date, else the snapshot when given, else the ledger replayed.

    A snapshot is read and checked like a ledger (a bad one raises DataFileError naming its
    file, sheet, row and column); it is also replayed to `as_of`, which changes nothing when
    it was kept on that date.
    """
    end = data_end(ledger)
    if end is None or as_of >= end:
        return PipelineAt(ledger, as_of, "ledger")
    arrivals = arrivals_until(ledger.arrivals, as_of)
    if snapshot is not None:
        snap = load_ledger(snapshot)
        known = arrivals["project_id"].isin(set(snap.projects["project_id"]))
        projects = replay_projects(snap.projects, as_of)
        past = replace(snap, projects=projects, arrivals=arrivals[known].reset_index(drop=True))
        past = replace(past, arrivals_path=ledger.arrivals_path)
        return PipelineAt(past, as_of, "snapshot", Path(snapshot), int((~known).sum()))
    projects = replay_projects(ledger.projects, as_of)
    return PipelineAt(replace(ledger, projects=projects, arrivals=arrivals), as_of, "replay")


__all__ = [
    "SOURCES",
    "PipelineAt",
    "arrivals_until",
    "data_end",
    "ledger_at",
    "replay_projects",
    "snapshot_for",
    "stage_by_dates",
]
