"""Everything a zone's later commands would refuse, refused at once: data files, event plans
(every plan names catalogue events in months they can be held) and scenarios' drivers.

`validate` runs it, and `review`/`batch` run it before any kernel starts, so a planner sees
the same file/sheet/row/column message that `status` prints, never a notebook's traceback.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from workbook.zone import Zone, load_zone


def check_zone(params_path: str | Path, as_of: dt.date | None = None) -> Zone:
    """The loaded zone; raises the WorkbookError that simulate or review would raise later."""
    from workbook.simulate import Engine

    zone = load_zone(params_path)
    day = as_of or dt.date(zone.params.year, 12, 31)
    engine = Engine(zone, as_of=day, trials=1)  # checks every event plan against the catalogue
    for key in zone.params.scenarios:
        engine.scenario_drivers(key)
    return zone
