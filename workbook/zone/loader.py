"""A zone for one year: its params and the data files they point to, loaded and checked together."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from workbook.text.errors import CellProblem, DataFileError
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
    params = load_params(params_path)
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
    return Zone(params, ledger, events)
