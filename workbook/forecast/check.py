"""The forecast's part of checking a zone's inputs at once (see `workbook.zone.check`): every
event plan (the params' and each scenario's) names catalogue events in months they can be held,
and every scenario's drivers lay over the params' drivers."""

from __future__ import annotations

import datetime as dt

from workbook.forecast.engine import Engine
from workbook.zone.loader import Zone


def check_forecast(zone: Zone, as_of: dt.date) -> None:
    """Raises the WorkbookError that simulate or review would raise later for these inputs."""
    engine = Engine(zone, as_of=as_of, trials=1)  # checks every event plan against the catalogue
    for key in zone.params.scenarios:
        engine.scenario_drivers(key)
