"""A forecast of few trials runs on numpy (workbook.forecast.plain) before numba is loaded: the
same numbers as the compiled kernels to the last bit, on the sample zone (with and without a
climate, at two as-of dates), on a synthetic zone at the engine's threshold, and kernel by
kernel on the months a fan reads."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from tests.sim_zones import AS_OF, sample_zone
from tests.synth_truth import make_zone
from workbook.forecast import compiled, draws, fused, plain
from workbook.forecast.engine import NUMPY_TRIALS, Engine
from workbook.forecast.setup import CHUNK
from workbook.zone.loader import load_zone

TWINS = [name for name, v in vars(fused).items() if isinstance(v, compiled.Lazy) and v.twin]


def _with_climate(zone, shock: float, spread: float):
    drivers = zone.params.drivers.apply({"shared_shock": shock, "driver_spread": spread})
    return zone.__class__(
        zone.params.model_copy(update={"drivers": drivers}), zone.ledger, zone.events
    )


def _everything(engine: Engine) -> dict[str, np.ndarray]:
    """A forecast's trials, parts, per-project and per-source sums, and a month-by-month pass."""
    fc = engine.forecast()
    out = {"future": fc._future}
    out.update({f"part:{k}": v for k, v in fc.setup.parts.items()})
    n = len(engine.projects)
    projects = {k: np.zeros(n) for k in ("sign", "start", "money", "amount")}
    engine.run_pass(fc.setup, (12,), projects=projects)
    out.update({f"project:{k}": v for k, v in projects.items()})
    months = tuple(range(engine.month + 1, 13))
    out["deals by month"] = engine.deal_pass.part(fc.setup, months, None, tuple(range(3)))
    return out


def _both(make_engine, monkeypatch) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The same forecast with every kernel that has a numpy twin on the twin, then compiled."""
    compiled.load(fused.__name__)  # dispatchers first, so what is put back is compiled
    with monkeypatch.context() as m:
        for name in TWINS:
            m.setattr(fused, name, getattr(plain, name))
        with_numpy = _everything(make_engine())
    assert not isinstance(fused.milestones, compiled.Lazy)
    return with_numpy, _everything(make_engine())


def _assert_same(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> None:
    assert a.keys() == b.keys()
    for k in a:
        assert a[k].dtype == b[k].dtype, k
        assert np.array_equal(a[k], b[k]), k


def test_every_kernel_the_first_forecast_calls_has_a_numpy_twin():
    assert set(TWINS) == {
        "hash_uniform",
        "trial_order",
        "place_codes",
        "milestones",
        "money",
        "deal_span",
        "climate_counts",
        "pool_deals",
    }


@pytest.mark.parametrize("climate", [(0.0, 0.0), (0.3, 0.1), (1.0, 0.5)])
@pytest.mark.parametrize("as_of", [AS_OF, dt.date(2020, 3, 31)])
def test_the_numpy_path_gives_the_compiled_numbers_on_the_sample(climate, as_of, monkeypatch):
    zone = _with_climate(sample_zone(), *climate)
    numpy_run, compiled_run = _both(
        lambda: Engine(zone, as_of=as_of, trials=CHUNK + 904, seed=7), monkeypatch
    )
    _assert_same(numpy_run, compiled_run)
    assert numpy_run["future"].any() and numpy_run["deals by month"].any()


def test_the_numpy_path_gives_the_compiled_numbers_on_a_synthetic_zone_at_the_threshold(
    tmp_path, monkeypatch
):
    synth = make_zone(tmp_path, seed=3)
    zone = load_zone(synth.params)
    as_of = dt.date(2020, 6, 30)
    numpy_run, compiled_run = _both(
        lambda: Engine(zone, as_of=as_of, trials=NUMPY_TRIALS, seed=2), monkeypatch
    )
    _assert_same(numpy_run, compiled_run)


def test_the_hash_of_deal_codes_is_the_same_on_numpy():
    rng = np.random.default_rng(5)
    code = rng.integers(0, 1 << 15, size=(9, 5000)).astype(np.uint16)
    for salt in (0, 1, 2**32 - 1):
        compiled.load(fused.__name__)
        got = plain.hash_uniform(code, np.uint64(salt))
        assert np.array_equal(got, fused.hash_uniform(code, np.uint64(salt)))
        assert got.min() >= 0 and got.max() < 1


def test_deals_taken_from_a_pool_are_the_same_on_numpy():
    """Trial t holds room[t] rows of the pool and takes the first take[t]: the same trials
    and rows compiled, and row by row what the definition gives."""
    compiled.load(fused.__name__)
    rng = np.random.default_rng(8)
    room = rng.poisson(3.0, 2000)
    room[:3] = 0  # trials with no room
    take = np.minimum(rng.poisson(2.5, 2000), room)
    pool = rng.integers(0, 1 << 15, size=(int(room.sum()), 8)).astype(np.uint16)
    trial, codes = fused.pool_deals(room, take, pool)
    want_trial, want_codes = plain.pool_deals(room, take, pool)
    assert trial.dtype == want_trial.dtype and codes.dtype == want_codes.dtype
    assert np.array_equal(trial, want_trial) and np.array_equal(codes, want_codes)
    start = np.concatenate([[0], np.cumsum(room)[:-1]])  # each trial's first row
    for t in (3, 500, 1999):
        rows = codes[trial == t]
        assert np.array_equal(rows, pool[start[t] : start[t] + take[t]])
    assert len(trial) == take.sum()


def _codes_from_bytes(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    n = int(np.prod(shape))
    return np.frombuffer(rng.bytes(2 * n), dtype=np.uint16).reshape(shape) & np.uint16(0x7FFF)


@pytest.mark.parametrize("shape", [(1,), (7,), (3, 5), (CHUNK, 1), (CHUNK, 37), (2, 3, 5), (0, 3)])
def test_codes_are_the_low_bits_of_the_generators_bytes(shape):
    for seed in (1, 2, 99):
        mine, theirs = np.random.default_rng(seed), np.random.default_rng(seed)
        got = draws.codes(mine, shape)
        assert got.shape == shape and got.dtype == np.uint16
        assert np.array_equal(got, _codes_from_bytes(theirs, shape))
        assert mine.random() == theirs.random()  # the stream goes on from the same state
