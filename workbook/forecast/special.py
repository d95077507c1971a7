"""The special functions the draws' tables read, on numpy arrays: the normal CDF (`ndtr`), its
log (`log_ndtr`) and quantile (`ndtri`), the regularised incomplete beta (`betainc`) and the
Poisson CDF (`poisson_cdf`).

scipy.special has them all, but importing it takes a command about 0.15 s (its array-API layer
loads numpy.f2py and rewrites docstrings): a fifth of what `workbook simulate` may take. Here
they rest on `math.erfc` and `math.lgamma` alone and agree with scipy to a few units in the
last place (tests/forecast/test_special.py compares them over their whole range). scipy stays
where it does more (calibration's fits, the plan's solver).

- erfcx(x) = exp(x²)·erfc(x) for x in [0, 8) is a Chebyshev polynomial on each sixteenth,
  fitted once (first use) to `math.erfc` at its nodes; from 8 on, its asymptotic series.
- 1 − Φ(z) = exp(−z²/2)·erfcx(z/√2)/2, with z² split into an exact part and a small rest so
  the exponential keeps its relative accuracy far into the tail.
- ndtri: Acklam's rational approximation (relative error below 1.2e-9), then one Halley step
  on `ndtr`, which makes it as accurate as `ndtr` itself.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

_H = 1 / 16  # width of a piece of erfcx
_X_END = 8.0  # erfcx by pieces below, by its asymptotic series from here on
_NODES = 9  # Chebyshev nodes (and coefficients) per piece
_PIECES = int(_X_END / _H)
_TERMS = 18  # of the asymptotic series at x >= 8: the last is below 1e-17
_SQRT1_2 = math.sqrt(0.5)
_SQRT_PI = math.sqrt(math.pi)
_SQRT_2PI = math.sqrt(2 * math.pi)


def _split_square(x: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x² as hi + lo: hi the exact square of x rounded to 1/4096 (17 bits below 32), lo the
    small rest, so exp(-hi)·exp(-lo) is exp(-x²) to a unit or two in the last place."""
    xh = np.round(np.asarray(x, dtype=np.float64) * 4096.0) / 4096.0
    xl = x - xh
    return xh * xh, xl * (2 * xh + xl)


@lru_cache(maxsize=1)
def _pieces() -> np.ndarray:
    """(_NODES, _PIECES): Chebyshev coefficients of erfcx on each piece, row k for T_k."""
    j = np.arange(_NODES)
    t = np.cos(np.pi * (j + 0.5) / _NODES)  # the nodes on [-1, 1]
    x = ((np.arange(_PIECES) + 0.5)[:, None] + t[None, :] / 2) * _H
    hi, lo = _split_square(x)
    erfc = np.array([math.erfc(v) for v in x.ravel().tolist()]).reshape(x.shape)
    f = erfc * np.exp(hi) * np.exp(lo)
    chebyshev = np.cos(np.pi * np.outer(j, j + 0.5) / _NODES)  # T_k at node j
    c: np.ndarray = (2.0 / _NODES) * (f @ chebyshev.T)
    c[:, 0] /= 2
    return np.ascontiguousarray(c.T)


def _erfcx(x: np.ndarray) -> np.ndarray:
    """exp(x²)·erfc(x) for x >= 0 (inf gives 0, NaN gives NaN)."""
    near = x < _X_END
    if near.all():
        return _erfcx_near(x)
    out = np.empty_like(x)
    out[near] = _erfcx_near(x[near])
    xf = x[~near]
    with np.errstate(divide="ignore"):
        v = 0.5 / (xf * xf)
    s = np.ones_like(xf)
    for n in range(_TERMS, 0, -1):  # 1 - v + 3v² - 15v³ + … (v = 1/(2x²))
        s = 1 - (2 * n - 1) * v * s
    with np.errstate(divide="ignore", invalid="ignore"):
        out[~near] = np.where(np.isinf(xf), 0.0, s / (xf * _SQRT_PI))
    return out


def _erfcx_near(x: np.ndarray) -> np.ndarray:
    """erfcx on [0, 8): the piece's Chebyshev sum by Clenshaw's recurrence."""
    y = x * (1 / _H)
    i = y.astype(np.intp)
    t2 = 4 * (y - i) - 2  # 2t, t in [-1, 1] on the piece
    c = _pieces()
    b1 = c[_NODES - 1].take(i)
    b0 = t2 * b1 + c[_NODES - 2].take(i)
    for k in range(_NODES - 3, 0, -1):
        b1, b0 = b0, t2 * b0 - b1 + c[k].take(i)
    out: np.ndarray = 0.5 * t2 * b0 - b1 + c[0].take(i)
    return out


def _upper_tail(z: np.ndarray) -> np.ndarray:
    """1 − Φ(z) = exp(−z²/2)·erfcx(z/√2)/2 for z >= 0, z² taken from z itself (not from
    z/√2, whose rounding would cost the far tail ten bits)."""
    hi, lo = _split_square(np.minimum(z, 40.0))  # Φ(-z) is 0 from 38.5 on; keeps inf out
    with np.errstate(under="ignore"):
        out: np.ndarray = 0.5 * np.exp(-0.5 * hi) * np.exp(-0.5 * lo) * _erfcx(z * _SQRT1_2)
    return out


def ndtr(a: float | np.ndarray) -> np.ndarray:
    """Φ(a), the standard normal CDF (relative error a few units in the last place, also in
    the lower tail)."""
    a = np.asarray(a, dtype=np.float64)
    tail = _upper_tail(np.abs(a))
    out: np.ndarray = np.where(a < 0, tail, 1 - tail)
    return out


def log_ndtr(a: float | np.ndarray) -> np.ndarray:
    """log Φ(a), accurate where Φ(a) underflows (a below -38) and where it rounds to 1."""
    a = np.asarray(a, dtype=np.float64)
    out = np.empty_like(a)
    low = a < -1
    if low.any():  # log Φ(a) = log erfcx(z/√2) − z²/2 − log 2, z = −a
        z = -a[low]
        with np.errstate(divide="ignore", over="ignore"):
            hi, lo = _split_square(np.minimum(z, 1e300))  # hi is inf past 1e154
            out[low] = np.log(_erfcx(z * _SQRT1_2)) - 0.5 * hi - 0.5 * lo - math.log(2)
    mid = (a >= -1) & (a <= 0)
    out[mid] = np.log(ndtr(a[mid]))
    high = ~(low | mid)  # and NaN
    out[high] = np.log1p(-ndtr(-a[high]))
    return out


# Acklam's approximation of the normal quantile: rational functions of p - 1/2 in the middle,
# of sqrt(-2 log p) in the tails (relative error below 1.15e-9).
_A = (
    -39.69683028665376,
    220.9460984245205,
    -275.9285104469687,
    138.3577518672690,
    -30.66479806614716,
    2.506628277459239,
)
_B = (
    -54.47609879822406,
    161.5858368580409,
    -155.6989798598866,
    66.80131188771972,
    -13.28068155288572,
    1.0,
)
_C = (
    -7.784894002430293e-03,
    -0.3223964580411365,
    -2.400758277161838,
    -2.549732539343734,
    4.374664141464968,
    2.938163982698783,
)
_D = (7.784695709041462e-03, 0.3224671290700398, 2.445134137142996, 3.754408661907416, 1.0)
_P_LOW = 0.02425
ACKLAM = (_A, _B, _C, _D, _P_LOW)  # for the compiled quantile (workbook.forecast.fused)


def _horner(coefficients: tuple[float, ...], x: np.ndarray) -> np.ndarray:
    out = np.full_like(x, coefficients[0])
    for c in coefficients[1:]:
        out = out * x + c
    return out


def ndtri(p: float | np.ndarray) -> np.ndarray:
    """Φ⁻¹(p): -inf at 0, inf at 1, NaN outside [0, 1]; as accurate as `ndtr`."""
    p = np.asarray(p, dtype=np.float64)
    q = np.minimum(p, 1 - p)  # exact for p >= 1/2; the lower half, x <= 0
    x = np.empty_like(q)
    tail = q < _P_LOW
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        r = np.sqrt(-2 * np.log(q[tail]))
        x[tail] = _horner(_C, r) / _horner(_D, r)
        m = q[~tail] - 0.5
        x[~tail] = m * _horner(_A, m * m) / _horner(_B, m * m)
        # one Halley step on Φ(x) = q: cubic, so Acklam's 1e-9 becomes ndtr's own accuracy
        e = ndtr(x) - q
        u = e * _SQRT_2PI * np.exp(0.5 * x * x)
        x = np.where(q > 1e-305, x - u / (1 + 0.5 * x * u), x)  # exp(x²/2) finite
    x = np.where(q == 0, -np.inf, x)
    out: np.ndarray = np.where(p > 0.5, -x, x)
    return np.where((p < 0) | (p > 1), np.nan, out)


def betainc(a: float, b: float, x: np.ndarray) -> np.ndarray:
    """I_x(a, b), the regularised incomplete beta function (the Beta(a, b) CDF), for a, b > 0:
    its continued fraction (Abramowitz & Stegun 26.5.8), on the side of the mean where it
    converges fast."""
    x = np.asarray(x, dtype=np.float64)
    out = np.where(x <= 0, 0.0, 1.0)
    inside = (x > 0) & (x < 1)
    if not inside.any():
        return out
    xi = x[inside]
    log_beta = math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    front = np.exp(a * np.log(xi) + b * np.log1p(-xi) - log_beta)
    value = np.empty_like(xi)
    flip = xi > (a + 1) / (a + b + 2)  # past the mean: I_x(a, b) = 1 - I_(1-x)(b, a)
    value[~flip] = front[~flip] * _beta_fraction(a, b, xi[~flip]) / a
    value[flip] = 1 - front[flip] * _beta_fraction(b, a, 1 - xi[flip]) / b
    out[inside] = value
    return out


def _beta_fraction(a: float, b: float, x: np.ndarray) -> np.ndarray:
    """The continued fraction of I_x(a, b) by Lentz's method, every x at once."""
    tiny = 1e-300
    c = np.ones_like(x)
    d = 1 - (a + b) * x / (a + 1)
    d = 1 / np.where(np.abs(d) < tiny, tiny, d)
    h: np.ndarray = d.copy()
    for m in range(1, 10_000):
        for coefficient in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1 + coefficient * d
            d = 1 / np.where(np.abs(d) < tiny, tiny, d)
            c = 1 + coefficient / c
            c = np.where(np.abs(c) < tiny, tiny, c)
            step = c * d
            h = h * step
        if np.all(np.abs(step - 1) < 1e-15):
            return h
    raise ArithmeticError(f"incomplete beta: no convergence for a={a}, b={b}")


def poisson_cdf(top: int, lam: float) -> np.ndarray:
    """P(N <= k) for k = 0 … top, N Poisson with mean lam > 0: the probabilities summed in
    order, each exp(k·log lam − lam − log k!)."""
    k = np.arange(top + 1)
    log_factorial = np.array([math.lgamma(i + 1.0) for i in range(top + 1)])
    out: np.ndarray = np.minimum(np.cumsum(np.exp(k * math.log(lam) - lam - log_factorial)), 1.0)
    return out
