"""New deals' counts under a climate: the compiled count (the C library's Φ and Φ⁻¹) gives
numpy's count (workbook.forecast.special) for every trial, or says it is unsure and numpy
counts that trial; forecasts are the same whichever counts them."""

from __future__ import annotations

import numpy as np
import pytest

from tests.sim_zones import sample_zone
from workbook.forecast import climate, compiled, draws, fused, plain, special
from workbook.forecast.engine import Engine
from workbook.forecast.setup import CHUNK


@pytest.fixture(scope="module", autouse=True)
def _compiled():
    compiled.load(fused.__name__)


def _exact(u: np.ndarray, a: float, shift: np.ndarray, lam: float) -> np.ndarray:
    """The count by the definition: Φ(a·Φ⁻¹(u) + shift) against the Poisson CDF."""
    moved = special.ndtr(a * special.ndtri(np.clip(u, 1e-12, 1 - 1e-12)) + shift)
    return np.searchsorted(draws.poisson_table(lam), moved, side="right")


@pytest.mark.parametrize("lam", [0.02, 0.4, 1.0, 3.7, 12.0, 45.0])
@pytest.mark.parametrize("a", [1.0, 0.8, 0.35])  # no climate, a mild one, a wild one
def test_compiled_counts_are_numpys_or_unsure(lam, a):
    rng = np.random.default_rng(int(lam * 100) + int(a * 10))
    n = 200_000
    u = rng.random(n)
    tail = 10 ** rng.uniform(-12, -1, n // 4)  # Φ⁻¹'s tails, where its approximation differs
    u[: n // 4] = tail
    u[n // 4 : n // 2] = 1 - tail
    u[:4] = [0.0, 1e-13, 1 - 1e-13, 0.5]  # clipped at both ends, and the middle
    shift = np.sqrt(1 - a * a) * rng.normal(0.0, 1.0, n)  # as a climate moves it: still uniform
    cdf = draws.poisson_table(lam)
    k = fused.climate_counts(u, a, shift, cdf, climate.MARGIN)
    exact = _exact(u, a, shift, lam)
    sure = k >= 0
    assert np.array_equal(k[sure], exact[sure])
    plain_u = k[n // 2 :]  # uniforms as drawn (the first half crowd the tails' steps)
    assert (plain_u < 0).sum() < 20  # numpy counts a handful again, not a share of the trials
    assert exact[n // 2 :].mean() == pytest.approx(lam, rel=0.05)  # still Poisson(lam)


def test_a_trial_near_a_step_of_the_table_is_unsure():
    cdf = draws.poisson_table(2.0)
    # u whose moved value (a = 1, no shift) is a step of the table, and one far from any
    on_step = special.ndtr(special.ndtri(np.array([cdf[1], cdf[3]])))
    u = np.array([*on_step, 0.5 * (cdf[0] + cdf[1])])
    k = fused.climate_counts(u, 1.0, np.zeros(3), cdf, climate.MARGIN)
    assert k[0] == -1 and k[1] == -1
    assert k[2] == 1
    # with a margin as wide as the whole table, every trial is unsure
    assert (fused.climate_counts(u, 1.0, np.zeros(3), cdf, 1.0) == -1).all()


def test_a_forecast_is_the_same_when_numpy_counts_every_trial(monkeypatch):
    """MARGIN = 1 makes every compiled count unsure, so numpy counts them all: the same
    forecast to the last bit."""
    zone = sample_zone()
    drivers = zone.params.drivers.apply({"shared_shock": 0.6, "driver_spread": 0.3})
    zone = zone.__class__(
        zone.params.model_copy(update={"drivers": drivers}), zone.ledger, zone.events
    )
    usual = Engine(zone, trials=CHUNK + 500, seed=5).forecast()
    calls = []
    twin = plain.climate_counts

    def counted(*args):
        calls.append(len(args[0]))
        return twin(*args)

    monkeypatch.setattr(climate, "MARGIN", 1.0)
    monkeypatch.setattr(plain, "climate_counts", counted)
    every = Engine(zone, trials=CHUNK + 500, seed=5).forecast()
    assert sum(calls) > CHUNK  # numpy counted every trial of every source
    assert np.array_equal(usual._future, every._future)
    assert usual._targets().equals(every._targets())
