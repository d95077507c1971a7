"""DealPass.forget drops the arrays kept for earlier forecasts' new deals and nothing that
changes a number: forecasts made after it, at the drivers forecast before it and at others,
are bit for bit those of an engine that never forgot."""

from __future__ import annotations

import datetime as dt

import numpy as np

from tests.conftest import SAMPLE_PARAMS
from workbook.forecast.engine import Engine
from workbook.zone.loader import load_zone

AS_OF = dt.date(2020, 6, 30)
TRIALS = 1500  # more than one chunk


def test_forecasts_after_forget_are_those_of_an_engine_that_kept_everything():
    zone = load_zone(SAMPLE_PARAMS)
    base = zone.params.drivers
    moved = base.replace("channels.conversion", base.get("channels.conversion") * 1.2)
    kept = Engine(zone, as_of=AS_OF, trials=TRIALS, seed=4)
    forgot = Engine(zone, as_of=AS_OF, trials=TRIALS, seed=4)
    for engine in (kept, forgot):
        engine.forecast(base).fan("domestic_capital")
        engine.forecast(moved)
    dp = forgot.deal_pass
    assert dp._active and dp._marks and dp._last  # something was kept to be forgotten
    dp.forget()
    assert not (dp._active or dp._marks or dp._last or dp._drivers)
    for drivers in (base, moved, base):
        a, b = kept.forecast(drivers), forgot.forecast(drivers)
        assert np.array_equal(a._future, b._future)
        assert a.fan("domestic_capital").equals(b.fan("domestic_capital"))
        for name, part in a.setup.parts.items():
            assert np.array_equal(b.setup.parts[name], part), name
