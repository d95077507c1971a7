"""Random draws kept as 15-bit quantile codes, and the inverse-CDF tables that read them.

Every uniform the forecast needs is stored once as a code q in [0, 32768): two bytes, drawn
from a seeded `numpy.random.Generator`. A driver value never touches the draws: it builds a
32,768-entry table (the distribution's quantile at (q + 0.5) / 32768) and the simulation
reads `table[q]`. Changing a driver costs a table (microseconds) and a gather, and every
value moves monotonically with its driver under the same codes (common random numbers).

A "month table" folds an event's chance and its timing into one code: with probability p
the event happens `ceil(mean x L)` months after `base` (L a unit-mean lognormal), otherwise
never; codes below p·32768 map to the lag quantiles, the rest to OUT. Raising p therefore
only adds events and brings existing ones forward, never removes one.
"""

from __future__ import annotations

import math
import sys
import threading
from functools import lru_cache

import numpy as np

from workbook.forecast import special

BITS = 15
Q = 1 << BITS  # number of distinct codes
OUT = 13  # a month past December: whatever lands here does not count for the year
_MID = (np.arange(Q, dtype=np.float64) + 0.5) / Q
_GRID = (1 - np.cos(np.pi * np.linspace(0, 1, 4097))) / 2  # dense near 0 and 1


def codes(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Uniform 15-bit codes (uint16) of the given shape: the low 15 bits of each pair of
    `rng.bytes(2 * n)`. Those bytes are `rng.integers(0, 2**32, ceil(n / 2), uint32)` laid out
    little-endian (numpy's `Generator.bytes`), and PCG64 gives those 32-bit words as the low
    then the high half of each of its 64-bit words: so they are read here straight from the
    generator's 64-bit words (`random_raw`, twice as fast), four codes a word
    (tests/forecast/test_numpy_path.py holds the two equal, and the stream's next draw)."""
    n = math.prod(shape)
    if n == 0 or sys.byteorder != "little" or not isinstance(rng.bit_generator, np.random.PCG64):
        raw = np.frombuffer(rng.bytes(2 * n), dtype=np.uint16).reshape(shape)
        return raw & np.uint16(Q - 1)
    words = rng.bit_generator.random_raw((n + 3) // 4)
    out = words.view(np.uint16)[:n]
    np.bitwise_and(out, np.uint16(Q - 1), out=out)
    return out.reshape(shape)


def stream(seed: int, *key: int) -> np.random.Generator:
    """An independent generator for one named block of draws: same (seed, key), same draws."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))


def threshold(p: float) -> int:
    """Codes below this happen with probability p (to 1/32768)."""
    return int(round(min(max(p, 0.0), 1.0) * Q))


@lru_cache(maxsize=512)
def month_table(p: float, mean: float, sigma: float, base: int, min_lag: int) -> np.ndarray:
    """int8[Q]: the month an event happens (base + lag, at most OUT), or OUT when it does not.

    The lag is max(min_lag, ceil(mean x L)) with L lognormal of mean 1 and log-sd `sigma`:
    code q < thr takes L's quantile at (q + 0.5) / thr. Only whole months count, so the table
    is built from L's CDF at them: the lag is at most k for the codes below thr·F_k + 0.5,
    F_k = P(mean x L <= k) (the codes the quantiles would give, without a quantile each).
    """
    thr = threshold(p)
    out = np.full(Q, OUT, dtype=np.int8)
    if thr and (sigma <= 0 or mean <= 0):  # one lag for every code (mean <= 0: min_lag)
        out[:thr] = min(base + max(math.ceil(mean - 1e-9), min_lag), OUT)
    elif thr:
        k = np.arange(max(min_lag, 0), max(OUT - base, min_lag))  # lags landing by December
        z = (np.log((k + 1e-9) / mean) + sigma * sigma / 2) / sigma  # ceil(x - 1e-9) <= k
        with np.errstate(divide="ignore"):
            _fill(out, special.ndtr(z), thr, np.minimum(base + k, OUT).astype(np.int8))
    out.setflags(write=False)
    return out


def _fill(table: np.ndarray, cdf: np.ndarray, thr: int, months: np.ndarray) -> None:
    """The codes below thr of a month table from the CDF of its months: code q takes the first
    of `months` whose CDF reaches (q + 0.5) / thr (those below thr·cdf[i] + 0.5, rounded
    down); codes past the last CDF value keep what `table` holds (OUT)."""
    ends = np.maximum.accumulate(np.clip(np.floor(cdf * thr + 0.5), 0, thr).astype(np.int64))
    if len(ends):
        table[: ends[-1]] = np.repeat(months, np.diff(ends, prepend=0))


def _lag_cdf_integral(x: np.ndarray, mean: float, sigma: float) -> np.ndarray:
    """∫₀ˣ P(L <= y) dy for the lag L = mean x a lognormal of mean 1 and log-sd `sigma`:
    x·F(x) − E[L; L <= x] (x >= 0)."""
    x = np.maximum(np.asarray(x, dtype=np.float64), 0.0)
    if sigma <= 0:
        return np.maximum(x - mean, 0.0)
    mu = math.log(mean) - sigma * sigma / 2
    with np.errstate(divide="ignore"):
        z = (np.log(x) - mu) / sigma
    out: np.ndarray = x * special.ndtr(z) - mean * special.ndtr(z - sigma)
    return out


@lru_cache(maxsize=512)
def chain_table(p: float, mean: float, sigma: float) -> np.ndarray:
    """int8[Q]: months from the month of one event to the month of the next, when the first
    happens at a time uniform within its month and the next follows it after a lag L (mean x
    a unit-mean lognormal of log-sd `sigma`) with probability p, else OUT.

    An event at time s − 1 + U (month s, U uniform) is followed in month s − 1 + ceil(U + L):
    D = ceil(U + L) − 1 months later (0: the same month), P(D <= k) = P(U + L <= k + 1) =
    G(k + 1) − G(k) with G(x) = ∫₀ˣ P(L <= y) dy. Codes below p·Q map to D's quantiles,
    in order, so a larger p only adds events, and a longer lag only delays them."""
    thr = threshold(p)
    out = np.full(Q, OUT, dtype=np.int8)
    if thr and mean > 0:
        k = np.arange(OUT + 1, dtype=np.float64)  # D = 0 … OUT
        g = _lag_cdf_integral(np.arange(OUT + 2, dtype=np.float64), mean, sigma)
        _fill(out, np.clip(g[1:] - g[:-1], 0.0, 1.0), thr, k.astype(np.int8))
    elif thr:  # no lag: the next event in the same month
        out[:thr] = 0
    out.setflags(write=False)
    return out


def lag_survival(months: float | np.ndarray, mean: float, sigma: float) -> np.ndarray:
    """P(L > months) for the lag L = mean x a lognormal of mean 1 and log-sd `sigma`."""
    x = np.asarray(months, dtype=np.float64)
    if mean <= 0:
        return np.zeros_like(x)
    if sigma <= 0:
        return (x < mean).astype(np.float64)
    with np.errstate(divide="ignore"):
        z = (np.log(np.maximum(x, 0) / mean) + sigma * sigma / 2) / sigma
    return special.ndtr(-z)


def _log_survival(months: np.ndarray, mean: float, sigma: float) -> np.ndarray:
    """log P(L > months), accurate far in the tail (where P(L > months) underflows to 0)."""
    x = np.asarray(months, dtype=np.float64)
    if mean <= 0 or sigma <= 0:
        with np.errstate(divide="ignore"):
            out: np.ndarray = np.log(lag_survival(x, mean, sigma))
            return out
    with np.errstate(divide="ignore"):
        z = (np.log(np.maximum(x, 0) / mean) + sigma * sigma / 2) / sigma
    return special.log_ndtr(-z)


def _remaining_cdf(elapsed: np.ndarray, k: np.ndarray, mean: float, sigma: float) -> np.ndarray:
    """P(L - e <= k | L > e) for each e (rows) and k (columns): 1 - S(e + k) / S(e), the
    ratio taken in logs. Where S(e) = 0 (a project past a certain lag) the rest of the lag
    is nothing: it advances in the next month."""
    log_s = _log_survival(elapsed, mean, sigma)[:, None]
    log_sk = _log_survival(elapsed[:, None] + k[None, :], mean, sigma)
    with np.errstate(invalid="ignore"):
        ratio = np.exp(log_sk - log_s)
    return np.where(np.isneginf(log_s), 1.0, 1 - np.nan_to_num(ratio, nan=0.0))


def p_still_advancing(p: float, mean: float, sigma: float, elapsed: float) -> float:
    """P(a project ever advances | it has not in `elapsed` months) in a mixture cure model
    where it ever advances with probability p, after a lag L: p·S(e) / (1 - p + p·S(e)).
    With p = 1 it is 1 whatever S(e), even 0 (an overdue certain milestone comes next month)."""
    if p >= 1:
        return 1.0
    s = float(lag_survival(elapsed, mean, sigma))
    denominator = 1 - p + p * s
    return p * s / denominator if denominator > 0 else 0.0


@lru_cache(maxsize=1024)  # 32 KB each: a few dozen waits x a few driver values
def stuck_table(
    p: float, mean: float, sigma: float, base: int, min_lag: int, elapsed: float
) -> np.ndarray:
    """int8[Q]: `month_table` for a project that has already spent `elapsed` months waiting:
    it advances with `p_still_advancing`, after the rest of a lag conditioned on exceeding
    the elapsed months, L - e given L > e (months counted from `base`). `elapsed` 0 gives
    `month_table` itself.

    Built from the conditional CDF at whole months (the lag only matters in whole months):
    the codes whose remaining lag is at most k months are those below
    thr·P(L - e <= k | L > e), the same codes the quantile construction would give."""
    if elapsed <= 0:
        return month_table(p, mean, sigma, base, min_lag)
    thr = threshold(p_still_advancing(p, mean, sigma, elapsed))
    out = np.full(Q, OUT, dtype=np.int8)
    span = OUT - base  # months counted; a longer remaining lag lands past December
    if thr and span > 0:
        k = np.arange(1, span + 1)
        cdf = _remaining_cdf(np.array([float(elapsed)]), k, mean, sigma)[0]
        _fill(out, cdf, thr, np.minimum(base + np.maximum(k, min_lag), OUT).astype(np.int8))
    out.setflags(write=False)
    return out


def stuck_tables(
    p: float, mean: float, sigma: float, base: int, min_lag: int, elapsed: np.ndarray
) -> np.ndarray:
    """`stuck_table` for each of `elapsed`, stacked (len(elapsed) x Q): the same tables, the
    survival of every (wait, month) computed in one call."""
    e = np.asarray(elapsed, dtype=np.float64)
    out = np.full((len(e), Q), OUT, dtype=np.int8)
    span = OUT - base
    waited = e > 0
    for i in np.flatnonzero(~waited):
        out[i] = month_table(p, mean, sigma, base, min_lag)
    if not waited.any() or span <= 0:
        out.setflags(write=False)
        return out
    ew = e[waited]
    k = np.arange(1, span + 1)
    still = [p_still_advancing(p, mean, sigma, float(x)) for x in ew]
    cdf = _remaining_cdf(ew, k, mean, sigma)
    months = np.minimum(base + np.maximum(k, min_lag), OUT).astype(np.int8)
    for row, thr_p, c in zip(np.flatnonzero(waited), still, cdf, strict=True):
        thr = threshold(float(thr_p))
        if thr:
            _fill(out[row], c, thr, months)
    out.setflags(write=False)
    return out


@lru_cache(maxsize=256)
def share_table(mean: float, concentration: float) -> np.ndarray:
    """float32[Q]: quantiles of Beta(mean·c, (1 − mean)·c); a constant when mean is 0 or 1.

    The CDF is evaluated on a grid dense near 0 and 1 and inverted by linear interpolation
    (error ~1e-6, fifty times faster than exact inversion): a slider move stays cheap, and a
    larger mean still gives a larger share for every code.
    """
    if mean <= 0 or mean >= 1:
        out = np.full(Q, min(max(mean, 0.0), 1.0), dtype=np.float32)
    else:
        a, b = mean * concentration, (1 - mean) * concentration
        out = np.interp(_MID, special.betainc(a, b, _GRID), _GRID).astype(np.float32)
    out.setflags(write=False)
    return out


@lru_cache(maxsize=1)
def _normal_scores() -> np.ndarray:
    """Φ⁻¹ at every code's midpoint (read-only), made on first use."""
    out = special.ndtri(_MID)
    out.setflags(write=False)
    return out


@lru_cache(maxsize=64)
def size_table(sigma: float) -> np.ndarray:
    """float32[Q]: quantiles of a lognormal with median 1 and log-sd `sigma` (deal sizes)."""
    out: np.ndarray = np.exp(sigma * _normal_scores()).astype(np.float32)
    out.setflags(write=False)
    return out


def poisson_counts(u: np.ndarray, lam: float) -> np.ndarray:
    """Poisson(lam) counts by inversion of uniforms `u`: more lam never gives fewer."""
    if lam <= 0:
        return np.zeros(u.shape, dtype=np.int64)
    return np.searchsorted(poisson_table(lam), u, side="right")


@lru_cache(maxsize=256)
def poisson_table(lam: float) -> np.ndarray:
    """P(N <= k), N Poisson(lam > 0), for k up to far past its mean (the counts' inversion
    table; read-only, kept for the chunks of every span)."""
    top = int(lam + 12 * math.sqrt(lam) + 30)
    out = special.poisson_cdf(top, lam)
    out.setflags(write=False)
    return out


# The climate of a trial (engine `shared_shock`, `driver_spread`) moves every code of the
# trial: the code's normal score x becomes a·x + shift, a = 1/sqrt(1 + shock²) and shift =
# a·shock·z + spread·ζ (z the trial's climate, ζ its own shift of one family of drivers).
# Shifts are rounded to a grid of CLIMATE_LEVELS steps of CLIMATE_STEP.
CLIMATE_STEP = 0.05
CLIMATE_LEVELS = 241
CLIMATE_MID = CLIMATE_LEVELS // 2
_NDTR_X = np.linspace(-12.0, 12.0, 1 << 17)


_NDTR_LOCK = threading.Lock()  # the chunks' threads ask for it at once


@lru_cache(maxsize=1)
def _ndtr_y_made() -> np.ndarray:
    half = len(_NDTR_X) // 2  # the grid is symmetric about 0, and Φ(x) = 1 − Φ(−x)
    low = special.ndtr(_NDTR_X[:half])
    return np.concatenate([low, 1 - low[::-1]])


def _ndtr_y() -> np.ndarray:
    """Φ on the grid _NDTR_X, made once, on first use."""
    with _NDTR_LOCK:
        return _ndtr_y_made()


def prepare() -> None:
    """Make now the tables every forecast reads and no driver changes (a process that forks
    copies to run forecasts makes them once for all)."""
    _normal_scores()
    _ndtr_y()


_REMAPS: dict[float, tuple[np.ndarray, np.ndarray]] = {}


def climate_remap(scale: float, levels: np.ndarray | None = None) -> np.ndarray:
    """uint16[CLIMATE_LEVELS·Q]: code q at shift level l -> the code of Φ(scale·x_q + shift_l).
    With scale 1 the middle level is the identity. Only the rows of `levels` (None: all) are
    sure to be filled; rows are built on first use and kept."""
    if scale not in _REMAPS:
        while len(_REMAPS) >= 4:  # a few shock values at once (16 MB each when full)
            _REMAPS.pop(next(iter(_REMAPS)))
        _REMAPS[scale] = (np.zeros(CLIMATE_LEVELS * Q, np.uint16), np.zeros(CLIMATE_LEVELS, bool))
    table, built = _REMAPS[scale]
    wanted = np.arange(CLIMATE_LEVELS) if levels is None else np.unique(levels)
    x = None
    for level in wanted[~built[wanted]]:
        if x is None:
            x = scale * _normal_scores()
        u = np.interp(x + (level - CLIMATE_MID) * CLIMATE_STEP, _NDTR_X, _ndtr_y())
        row = table[level * Q : (level + 1) * Q]
        np.minimum(np.floor(u * Q), Q - 1, out=u)
        row[:] = u
        built[level] = True
    return table


def forget_remap(scale: float) -> None:
    """Drop the table of `scale` kept here (a copy is kept elsewhere)."""
    _REMAPS.pop(scale, None)


def climate_level(shift: np.ndarray) -> np.ndarray:
    """int32 offsets into `climate_remap` of per-trial shifts (clipped to the grid)."""
    level = np.clip(np.rint(shift / CLIMATE_STEP) + CLIMATE_MID, 0, CLIMATE_LEVELS - 1)
    offsets: np.ndarray = level.astype(np.int32) * Q
    return offsets
