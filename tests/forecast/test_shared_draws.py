"""Draws shared between processes (workbook.forecast.shared): an engine whose draws are written
to files and memory-mapped forecasts exactly what a fresh engine forecasts, bit for bit, whether
it wrote the files or found them; the mapped files are never written to; another zone, seed or
date gets files of its own; a damaged file is made again."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import SAMPLE_PARAMS
from workbook.forecast import shared
from workbook.forecast.engine import Engine
from workbook.zone.loader import load_zone

AS_OF = dt.date(2020, 6, 30)
TRIALS = 1500  # two chunks and a part: every kind of draw, in more than one chunk


@pytest.fixture(scope="module")
def zone():
    return load_zone(SAMPLE_PARAMS)


def _futures(engine: Engine) -> list[np.ndarray]:
    """Every target's future per trial: the params' forecast, each scenario's, and one with the
    climate (shared shock and spread) moved off the params' values."""
    fcs = [engine.forecast()] + [engine.forecast_scenario(s) for s in engine.scenarios]
    d = engine.params.drivers
    fcs.append(engine.forecast(d.model_copy(update={"shared_shock": 0.45, "driver_spread": 0.2})))
    return [fc._future for fc in fcs]


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*.npy")}


def test_a_mapped_engine_forecasts_exactly_what_a_fresh_one_does(zone, tmp_path, monkeypatch):
    monkeypatch.delenv(shared.ENV_DRAWS_DIR, raising=False)
    fresh = Engine(zone, as_of=AS_OF, trials=TRIALS, seed=3)
    assert fresh.store.shared is None  # no folder given: nothing written, as before
    expected = _futures(fresh)
    writer = Engine(zone, as_of=AS_OF, trials=TRIALS, seed=3, draws_dir=tmp_path)
    written = _futures(writer)
    files = _digests(tmp_path)
    assert len(files) > 10
    reader = Engine(zone, as_of=AS_OF, trials=TRIALS, seed=3, draws_dir=tmp_path)
    read = _futures(reader)
    for a, b, c in zip(expected, written, read, strict=True):
        assert a.dtype == b.dtype == c.dtype and a.tobytes() == b.tobytes() == c.tobytes()
    kept = list(reader.store._cache.values())
    assert kept and all(isinstance(a.base, np.memmap) for a in kept)  # mapped, not copied
    assert _digests(tmp_path) == files  # nothing wrote to a mapped draw


def test_the_folder_is_named_by_everything_that_makes_the_draws(zone, tmp_path):
    def folder(**kw):
        args = {"as_of": AS_OF, "trials": TRIALS, "seed": 3, "draws_dir": tmp_path, **kw}
        return Engine(zone, **args).store.shared

    same = folder()
    assert same == folder() and same.parent == tmp_path
    others = {folder(seed=4), folder(trials=TRIALS + 1), folder(as_of=dt.date(2020, 5, 31))}
    fewer = zone.ledger.projects.iloc[:-1]
    ledger = type(zone.ledger)(**{**vars(zone.ledger), "projects": fewer})
    others.add(Engine(type(zone)(zone.params, ledger, zone.events), as_of=AS_OF, trials=TRIALS,
                      seed=3, draws_dir=tmp_path).store.shared)  # fmt: skip
    assert len(others) == 4 and same not in others


def test_a_damaged_file_is_made_again(zone, tmp_path):
    e = Engine(zone, as_of=AS_OF, trials=TRIALS, seed=3, draws_dir=tmp_path)
    expected = e.forecast()._future
    for path in e.store.shared.glob("*.npy"):
        path.write_bytes(path.read_bytes()[:100])  # cut short (a disk filled up elsewhere)
    again = Engine(zone, as_of=AS_OF, trials=TRIALS, seed=3, draws_dir=tmp_path)
    assert again.forecast()._future.tobytes() == expected.tobytes()
    fixed = Engine(zone, as_of=AS_OF, trials=TRIALS, seed=3, draws_dir=tmp_path)
    assert fixed.forecast()._future.tobytes() == expected.tobytes()
    assert all(isinstance(a.base, np.memmap) for a in fixed.store._cache.values())
