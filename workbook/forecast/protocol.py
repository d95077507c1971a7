"""What the layers above ask of a forecast engine, as small typed protocols: the roadshow
(`workbook.roadshow.saa`) judges plans trial by trial on an engine's common random numbers,
and needs no more than this of it. `workbook.forecast.engine.Engine` implements all three."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from workbook.forecast.results import Forecast
    from workbook.zone.drivers import Drivers
    from workbook.zone.params import ZoneParams


@runtime_checkable
class Forecaster(Protocol):
    """Whole forecasts of a zone over a fixed set of trials (same seed, same trials)."""

    @property
    def trials(self) -> int: ...

    @property
    def keys(self) -> tuple[str, ...]: ...

    @property
    def params(self) -> ZoneParams: ...

    def forecast(
        self, drivers: Drivers | None = None, plan: pd.DataFrame | None = None
    ) -> Forecast:
        """The rest of the year under `drivers` (None: the params') and `plan` (None: the
        params' event plan; an empty frame: no events)."""
        ...


@runtime_checkable
class DealForecaster(Forecaster, Protocol):
    """A forecaster that also gives the new deals' part alone: an event plan moves only it."""

    def new_deal_values(
        self, drivers: Drivers | None, plan: pd.DataFrame, metrics: Sequence[str]
    ) -> np.ndarray:
        """(trials, len(metrics)): what new deals add to each metric by December under these
        drivers (None: the params') and this event plan, trial by trial on the same draws as
        `forecast`."""
        ...


@runtime_checkable
class EventForecaster(DealForecaster, Protocol):
    """A deal forecaster that gives every event of a plan its own part in one pass."""

    def event_values(
        self, drivers: Drivers | None, plan: pd.DataFrame, metrics: Sequence[str]
    ) -> np.ndarray:
        """(trials, len(plan), len(metrics)): what each row of the plan adds to each metric by
        December, trial by trial: the same numbers as `new_deal_values` with that row held
        alone less with no events."""
        ...
