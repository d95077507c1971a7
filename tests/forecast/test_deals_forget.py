"""DealPass.forget drops the arrays kept for earlier forecasts' new deals and nothing that
changes a number: forecasts made after it, at the drivers forecast before it and at others,
are bit for bit those of an engine that never forgot. An engine for one forecast (`one_shot`)
keeps nothing but its climate, with the same numbers."""

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


def test_a_one_shot_engine_keeps_only_its_climate_and_gives_the_same_forecasts():
    """An engine for one forecast (`one_shot`, what `workbook simulate` makes) keeps nothing
    between forecasts but its climate's draws; every number is the keeping engine's, the first
    forecast's and those after it (made again from the same draws)."""
    from workbook.forecast.setup import STREAM_CLIMATE

    zone = load_zone(SAMPLE_PARAMS)
    base = zone.params.drivers
    moved = base.replace("channels.conversion", base.get("channels.conversion") * 1.2)
    trials = 2 * 4096 + 300  # compiled passes, more than one unit of deals
    kept = Engine(zone, as_of=AS_OF, trials=trials, seed=6)
    once = Engine(zone, as_of=AS_OF, trials=trials, seed=6, one_shot=True)
    for drivers in (base, moved):
        a, b = kept.forecast(drivers), once.forecast(drivers)
        assert np.array_equal(a._future, b._future)
        assert a.projects.equals(b.projects)
        assert a.sources.equals(b.sources)
        assert a.fan("domestic_capital").equals(b.fan("domestic_capital"))
        for name, part in a.setup.parts.items():
            assert np.array_equal(b.setup.parts[name], part), name
    assert {key[0] for key in once.store._cache} == {STREAM_CLIMATE}
    assert {key[0] for key in kept.store._cache} > {STREAM_CLIMATE}
    dp = once.deal_pass
    assert not (dp._active or dp._marks or dp._last)
    assert kept.deal_pass._active and kept.deal_pass._last
