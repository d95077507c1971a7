"""The roadshow's part of checking a zone's inputs at once (see `workbook.zone.check`): the
restrictions of the roadshow settings and of every scenario name events and channels the
catalogue has; and `check_inputs`, which runs every layer's part in order."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from workbook.forecast.check import check_forecast
from workbook.forecast.engine import Engine
from workbook.roadshow.problem import plan_rules, scenario_drivers
from workbook.text.errors import InputError, ParamsError
from workbook.text.messages import Message
from workbook.zone.check import check_zone
from workbook.zone.loader import Zone


def check_restrictions(zone: Zone, params_path: str | Path) -> None:
    """Restrictions name real events and channels; a problem is located in the params file."""
    if zone.events is None or not len(zone.events):
        return
    params = zone.params
    for scenario in (None, *params.scenarios):
        try:
            plan_rules(params, zone.events, params.roadshow, scenario_drivers(params, scenario))
        except InputError as exc:  # located in the params file that holds the rule
            where = str(params.source or params_path)
            problems = [Message("at", where=where, body=p) for p in exc.problems]
            raise ParamsError(problems) from None


def check_inputs(params_path: str | Path, as_of: dt.date | None = None) -> Zone:
    """The loaded zone, once the zone, forecast and roadshow checks all pass; raises the
    WorkbookError that simulate, plan or review would raise later otherwise."""
    zone = check_zone(params_path)
    check_forecast(zone)
    # and whatever else an engine refuses for this zone (its declared metrics on the ledger)
    Engine(zone, as_of=as_of or dt.date(zone.params.year, 12, 31), trials=1)
    check_restrictions(zone, params_path)
    return zone
