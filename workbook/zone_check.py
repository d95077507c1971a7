"""Everything a zone's later commands would refuse, refused at once: data files, event plans
(every plan names catalogue events in months they can be held), scenarios' drivers, and the
roadshow settings and restrictions against the catalogue.

`validate` runs it, and `review`/`batch` run it before any kernel starts, so a planner sees
the same file/sheet/row/column message that `status` prints, never a notebook's traceback.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from workbook.errors import InputError, ParamsError
from workbook.messages import Message
from workbook.zone import Zone, load_zone


def check_zone(params_path: str | Path, as_of: dt.date | None = None) -> Zone:
    """The loaded zone; raises the WorkbookError that simulate or review would raise later."""
    from workbook.simulate import Engine

    zone = load_zone(params_path)
    day = as_of or dt.date(zone.params.year, 12, 31)
    engine = Engine(zone, as_of=day, trials=1)  # checks every event plan against the catalogue
    for key in zone.params.scenarios:
        engine.scenario_drivers(key)
    if zone.events is not None and len(zone.events):
        from workbook.roadshow import build_problem

        for scenario in (None, *zone.params.scenarios):  # restrictions name real events
            try:
                build_problem(zone.params, zone.events, scenario=scenario)
            except InputError as exc:  # located in the params file that holds the rule
                where = str(zone.params.source or params_path)
                problems = [Message("at", where=where, body=p) for p in exc.problems]
                raise ParamsError(problems) from None

    return zone
