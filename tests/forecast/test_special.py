"""The draws' special functions (workbook.forecast.special) against the exact values: mpmath at
50 digits for the normal CDF, its log and its quantile; scipy for the incomplete beta and the
Poisson CDF, to the accuracy their tables need (a code is 1/32768)."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import scipy.special

from workbook.forecast import special

mpmath.mp.dps = 50
EPS = np.finfo(np.float64).eps


def _exact(fn, xs) -> np.ndarray:
    return np.array([float(fn(mpmath.mpf(float(x)))) for x in xs])


def _ulps(got: np.ndarray, want: np.ndarray) -> float:
    """The largest error in units of the last place of the exact value."""
    return float(np.max(np.abs(got - want) / (np.abs(want) * EPS)))


# from deep in the lower tail (Φ 1e-300) to where 1 − Φ is 1e-23, densely around 0
POINTS = np.concatenate([np.linspace(-37.0, 10.0, 941), np.linspace(-2.0, 2.0, 401)])


def test_ndtr_is_within_a_few_ulps_of_the_exact_cdf_in_both_tails():
    """A piece of erfcx, its samples and the exponential add a few ulps each (scipy's own
    ndtr is 890 ulps off at -36, where it rounds a/√2 before squaring it)."""
    exact = _exact(mpmath.ncdf, POINTS)
    assert _ulps(special.ndtr(POINTS), exact) <= 16


def test_log_ndtr_is_accurate_where_the_cdf_underflows_and_where_it_rounds_to_one():
    points = np.concatenate([POINTS, [-40.0, -100.0, -1e4, -1e20, 11.0, 20.0, 37.0]])
    exact = _exact(
        lambda x: mpmath.log1p(-mpmath.ncdf(-x)) if x > 0 else mpmath.log(mpmath.ncdf(x)), points
    )
    assert _ulps(special.log_ndtr(points), exact) <= 16


def test_ndtri_inverts_ndtr_to_a_few_ulps():
    p = np.concatenate(
        [
            (np.arange(0, 32768, 37) + 0.5) / 32768,  # the codes' midpoints
            10.0 ** -np.linspace(1, 300, 300),
            1 - 10.0 ** -np.linspace(1, 15, 60),
        ]
    )

    def quantile(q):
        return mpmath.findroot(lambda x: mpmath.ncdf(x) - q, float(scipy.special.ndtri(float(q))))

    exact = _exact(quantile, p)
    got = special.ndtri(p)
    # near p = 1/2 the quantile is tiny and the error is absolute: 1e-16 of Φ's slope
    assert float(np.max(np.abs(got - exact) / np.maximum(np.abs(exact), 1) / EPS)) <= 16
    far = np.abs(exact) > 0.1
    assert _ulps(got[far], exact[far]) <= 64  # p = 1 − 1e-15 carries 1-p's own rounding


def test_the_ends_and_what_lies_outside():
    assert special.ndtr([-np.inf, np.inf, 0.0, -40.0]).tolist() == [0.0, 1.0, 0.5, 0.0]
    assert np.isnan(special.ndtr(np.nan))
    assert special.log_ndtr([np.inf, -np.inf]).tolist() == [0.0, -np.inf]
    assert special.ndtri([0.0, 1.0, 0.5]).tolist() == [-np.inf, np.inf, 0.0]
    assert np.isnan(special.ndtri([-0.1, 1.1, np.nan])).all()
    assert special.ndtri(0.975) == pytest.approx(1.959963984540054, rel=1e-15)
    assert special.ndtri(np.array(0.3)).shape == ()  # a scalar in, a scalar out


@pytest.mark.parametrize("mean", [0.02, 0.2, 0.5, 0.7, 0.97])
@pytest.mark.parametrize("concentration", [0.5, 2.0, 8.0, 40.0, 400.0])
def test_betainc_is_the_beta_cdf(mean, concentration):
    a, b = mean * concentration, (1 - mean) * concentration
    grid = (1 - np.cos(np.pi * np.linspace(0, 1, 4097))) / 2  # the share tables' own grid
    got = special.betainc(a, b, grid)
    assert np.max(np.abs(got - scipy.special.betainc(a, b, grid))) < 1e-12
    assert (got[0], got[-1]) == (0.0, 1.0)
    assert np.all(np.diff(got) >= 0)


@pytest.mark.parametrize("lam", [0.003, 0.4, 2.5, 17.25, 140.0, 2500.0])
def test_poisson_cdf_is_scipys_pdtr(lam):
    top = int(lam + 12 * math.sqrt(lam) + 30)
    got = special.poisson_cdf(top, lam)
    assert np.max(np.abs(got - scipy.special.pdtr(np.arange(top + 1), lam))) < 1e-12
    assert got[0] == pytest.approx(math.exp(-lam), rel=1e-14)
    assert np.all(np.diff(got) >= 0) and got[-1] <= 1.0
