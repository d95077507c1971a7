"""Investment-promotion planning workbook (招商引资规划工作簿): targets, pipeline, roadshows, review.

The names a notebook needs, loaded on first use: `import workbook` itself imports no pandas,
scipy, Altair, ipywidgets, papermill or Jupyter.

    zone = workbook.load_zone("params/jining-2020.yaml")
    print(workbook.format_status(workbook.status(zone.params, zone.ledger, as_of)))
    fc = workbook.Engine(zone, as_of, trials=20_000).forecast()
    review = workbook.open_review("params/jining-2020.yaml", "2020Q2")   # in a notebook
    workbook.write_review("params/jining-2020.yaml", "2020Q2", out="reports/2020Q2")  # papermill
    workbook.scenario_planner(); workbook.roadshow_planner()             # the two planners
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# public name -> the module that defines it (and the name there, when it differs)
_FACE: dict[str, str | tuple[str, str]] = {
    "WorkbookError": "workbook.text.errors",
    "ZoneParams": "workbook.zone.params",
    "load_params": "workbook.zone.params",
    "Ledger": "workbook.zone.ledger",
    "load_ledger": "workbook.zone.ledger",
    "Zone": "workbook.zone.loader",
    "load_zone": "workbook.zone.loader",
    "status": "workbook.zone.pacing",
    "format_status": "workbook.zone.pacing",
    "Engine": "workbook.forecast.engine",
    "Forecast": "workbook.forecast.results",
    "open_review": "workbook.review",
    "write_review": ("workbook.review.runner", "review"),
    "scenario_planner": "workbook.planners.scenario",
    "roadshow_planner": "workbook.planners.roadshow",
}

if TYPE_CHECKING:
    from workbook.forecast.engine import Engine
    from workbook.forecast.results import Forecast
    from workbook.planners.roadshow import roadshow_planner
    from workbook.planners.scenario import scenario_planner
    from workbook.review import open_review
    from workbook.review.runner import review as write_review
    from workbook.text.errors import WorkbookError
    from workbook.zone.ledger import Ledger, load_ledger
    from workbook.zone.loader import Zone, load_zone
    from workbook.zone.pacing import format_status, status
    from workbook.zone.params import ZoneParams, load_params


def __getattr__(name: str) -> Any:
    """Load a public name's module when the name is first used."""
    where = _FACE.get(name)
    if where is None:
        raise AttributeError(f"module 'workbook' has no attribute {name!r}")
    module, attr = where if isinstance(where, tuple) else (where, name)
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_FACE])


__all__ = [
    "Engine",
    "Forecast",
    "Ledger",
    "WorkbookError",
    "Zone",
    "ZoneParams",
    "format_status",
    "load_ledger",
    "load_params",
    "load_zone",
    "open_review",
    "roadshow_planner",
    "scenario_planner",
    "status",
    "write_review",
]
