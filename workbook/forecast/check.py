"""The forecast's part of checking a zone's inputs at once (see `workbook.zone.check`): every
event plan (the params' and each scenario's) names catalogue events in months they can be held,
and every scenario's drivers lay over the params' drivers. Builds no engine: the review checks
its inputs with it before any kernel starts."""

from __future__ import annotations

from workbook.forecast.setup import catalogue_events, check_plans, scenario_problem
from workbook.text.errors import ParamsError
from workbook.zone.loader import Zone


def check_forecast(zone: Zone) -> None:
    """Raises the WorkbookError that simulate or review would raise later for these inputs."""
    params = zone.params
    check_plans(params, catalogue_events(zone.events), zone.events is not None)
    source = str(params.source) if params.source else "<params>"
    for key, sc in params.scenarios.items():
        try:
            params.drivers.apply(sc.drivers)
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            raise ParamsError([scenario_problem(source, key, exc)]) from None
