"""A zone for one year: its params and the data files they point to, loaded and checked together."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from workbook.text.errors import CellProblem, DataFileError, ParamsError
from workbook.text.messages import Message
from workbook.zone.events import load_events
from workbook.zone.ledger import Ledger, load_ledger
from workbook.zone.params import ZoneParams, load_params


@dataclass(frozen=True)
class Zone:
    """Params, ledger (with arrivals) and the event catalogue (None when the params name none)."""

    params: ZoneParams
    ledger: Ledger
    events: pd.DataFrame | None


def load_zone(params_path: str | Path) -> Zone:
    """Load a params file and every data file it names; report the problems of all files at once."""
    return zone_of(load_params(params_path))


def zone_of(params: ZoneParams) -> Zone:
    """The zone of params already read: load every data file it names (problems of all files
    at once)."""
    problems: list[CellProblem] = []
    ledger = events = None
    try:
        ledger = load_ledger(params.data.ledger, params.data.arrivals)
    except DataFileError as exc:
        problems += exc.problems
    if params.data.events is not None:
        try:
            events = load_events(params.data.events, {c.id for c in params.channels})
        except DataFileError as exc:
            problems += exc.problems
    if problems:
        raise DataFileError(problems)
    assert ledger is not None
    return Zone(params, with_extra_columns(params, ledger), events)


def with_extra_columns(params: ZoneParams, ledger: Ledger) -> Ledger:
    """The ledger with the columns of its own (备注, …) that a `where` names beside the
    schema's, so every count and the forecast read them like any column; a `where` on a
    column the ledger does not have is a params error naming its key path."""
    from workbook.zone.declarations import WHERE_COLUMNS, check_extra_columns
    from workbook.zone.metrics import extra_columns

    wanted = extra_columns(params)
    if not wanted:
        return ledger
    own = [str(c) for c in ledger.extras.columns]
    missing = check_extra_columns(params.metric_decls(), own)
    if missing:
        source = str(params.source) if params.source else "<params>"
        valid = ", ".join([*WHERE_COLUMNS, *own])
        raise ParamsError(
            [
                Message(
                    "at",
                    where=source,
                    body=Message(
                        "at",
                        where=f"metrics.{key}.where",
                        body=Message("decl.unknown_column", column=column, valid=valid),
                    ),
                )
                for key, column in missing
            ]
        )
    extra = ledger.extras[wanted].reindex(ledger.projects["project_id"]).to_numpy()
    projects = ledger.projects.copy()
    projects[wanted] = extra
    return Ledger(
        projects, ledger.arrivals, ledger.extras, ledger.ledger_path, ledger.arrivals_path
    )
