"""A mixture cure model with right-censoring: P(ever advancing) and a lognormal lag, jointly.

Each transition k (signed → started, started → producing, a stage before signing → signed)
has a probability p_k that a project ever advances and, for those that do, a lognormal lag
with mean m_k months; every transition shares one log-sd `sigma` (the drivers' `lag_sigma`).
This is exactly what the engine consumes: it draws "advances?" with p_k and the lag from
that lognormal, and conditions on time already spent as P(advance | stuck t) =
p·S(t) / (1 − p + p·S(t)).

A project watched for t months (counted from the date it entered the earlier stage)
contributes
  - p · f(t)            if it advanced after t months (f the lag's density),
  - 1 − p + p · S(t)    if it had not advanced when last seen (right-censored, not a failure),
  - 1 − p               if it is known never to advance (it left the ledger),
each divided by 1 − p + p · S(t0) when it was first seen only t0 > 0 months after its entry
(delayed entry: it is in the data because it had not advanced by then, i.e. left-truncated).

The estimate is the posterior mode in (logit p, log m, log sigma), with the params' drivers
as priors each worth `weight` projects: p ~ Beta(p0·w, (1 − p0)·w) (its mode in logit space is
p0, and with fully observed outcomes the estimate is the Beta posterior mean (p0·w + k)/(w + n)),
log m ~ Normal(log m0, sigma0² / w) (w lags' worth of information) and
log sigma ~ Normal(log sigma0, 1 / (2w)) (the information in w lags). Intervals are the
Laplace approximation (the inverse Hessian at the mode) in those coordinates, mapped back,
so they stay inside (0, 1) and (0, ∞).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import optimize, special, stats

MIN_MONTHS = 0.1  # a lag observed as zero (same-day dates) counts as this many months
MIN_SIGMA = 0.05  # a prior lag_sigma of 0 (exact lags) is taken as this small spread
MAX_MONTHS = 120.0  # the drivers' upper bound for a mean lag
MAX_SIGMA = 3.0  # the drivers' upper bound for lag_sigma
MIN_LAGS_FOR_SIGMA = 3  # fewer observed lags than this: sigma keeps its prior
_LOG_2PI = math.log(2 * math.pi)


@dataclass(frozen=True)
class Spells:
    """One transition's observations: months watched, and how each spell ended."""

    months: np.ndarray  # months from entering the earlier stage to the advance or last sight
    advanced: np.ndarray  # bool: advanced after `months`
    never: np.ndarray  # bool: known never to advance (left the ledger); else censored
    entry: np.ndarray  # months from entering the stage to the first sight (0: seen from entry)

    @classmethod
    def of(
        cls,
        months: ArrayLike,
        advanced: ArrayLike,
        never: ArrayLike | None = None,
        entry: ArrayLike | None = None,
    ) -> Spells:
        raw = np.asarray(months, float)
        t = np.maximum(raw, MIN_MONTHS)
        adv = np.asarray(advanced, bool)
        nev = np.zeros(len(t), bool) if never is None else np.asarray(never, bool)
        t0 = np.zeros(len(t)) if entry is None else np.asarray(entry, float)
        if not (len(t) == len(adv) == len(nev) == len(t0)):
            raise ValueError("months, advanced, never and entry must have the same length")
        if (adv & nev).any():
            raise ValueError("a spell cannot both advance and never advance")
        if (t0 < 0).any() or (t0 > raw + 1e-9).any():
            raise ValueError("a spell's entry must be between 0 and its months")
        return cls(t, adv, nev, np.minimum(t0, t))

    @property
    def n(self) -> int:
        return len(self.months)

    @property
    def k(self) -> int:
        return int(self.advanced.sum())


@dataclass(frozen=True)
class Estimate:
    """A posterior mode with its interval."""

    value: float
    lo: float
    hi: float


@dataclass(frozen=True)
class CureFit:
    """Per transition: P(ever advancing) and the mean lag; the shared sigma (None if not fitted)."""

    p: dict[str, Estimate]
    mean: dict[str, Estimate]
    sigma: Estimate | None
    level: float


def _log_terms(sp: Spells, p: float, log_m: float, s: float) -> float:
    """Log-likelihood of one transition's spells."""
    mu = log_m - s * s / 2
    lt = np.log(sp.months)
    z = (lt - mu) / s
    log_p, log_q = math.log(p), math.log1p(-p)
    adv, nev = sp.advanced, sp.never
    cen = ~(adv | nev)
    out = 0.0
    if adv.any():
        za = z[adv]
        out += float(np.sum(log_p - lt[adv] - math.log(s) - 0.5 * _LOG_2PI - 0.5 * za * za))
    if cen.any():
        out += float(np.sum(np.logaddexp(log_q, log_p + special.log_ndtr(-z[cen]))))
    if nev.any():
        out += float(nev.sum()) * log_q
    late = sp.entry > 0
    if late.any():
        z0 = (np.log(sp.entry[late]) - mu) / s
        out -= float(np.sum(np.logaddexp(log_q, log_p + special.log_ndtr(-z0))))
    return out


def fit(
    spells: dict[str, Spells],
    priors: dict[str, tuple[float, float]],
    sigma0: float,
    weight: float,
    level: float = 0.9,
) -> CureFit:
    """Posterior mode and `level` intervals of every transition with spells, sigma shared.

    `priors[name]` is (p0, m0) for each name in `spells`; transitions without spells are left
    out of the fit (the caller keeps their priors).
    """
    names = [k for k, sp in spells.items() if sp.n > 0]
    s0 = max(float(sigma0), MIN_SIGMA)
    lags = sum(spells[k].k for k in names)
    fit_sigma = lags >= MIN_LAGS_FOR_SIGMA
    a_b, log_m0 = {}, {}
    for k in names:
        p0 = min(max(float(priors[k][0]), 1e-4), 1 - 1e-4)  # a prior of 0 or 1 would never move
        a_b[k] = (p0 * weight, (1 - p0) * weight)
        log_m0[k] = math.log(max(float(priors[k][1]), MIN_MONTHS))
    m_sd = s0 / math.sqrt(weight)

    def negative_log_posterior(x: np.ndarray) -> float:
        log_s = x[-1] if fit_sigma else math.log(s0)
        s = math.exp(log_s)
        total = 0.0
        for i, k in enumerate(names):
            logit, log_m = x[2 * i], x[2 * i + 1]
            p = float(special.expit(logit))
            p = min(max(p, 1e-12), 1 - 1e-12)
            a, b = a_b[k]
            total += a * math.log(p) + b * math.log1p(-p)
            total -= (log_m - log_m0[k]) ** 2 / (2 * m_sd * m_sd)
            total += _log_terms(spells[k], p, log_m, s)
        if fit_sigma:
            total -= weight * (log_s - math.log(s0)) ** 2
        return -total

    x0 = []
    for k in names:
        a, b = a_b[k]
        x0 += [math.log(a / b), log_m0[k]]
    if fit_sigma:
        x0.append(math.log(s0))
    x0_arr = np.array(x0, float)
    if not len(x0_arr):
        return CureFit({}, {}, None, level)
    res = optimize.minimize(
        negative_log_posterior, x0_arr, method="L-BFGS-B", options={"ftol": 1e-13, "gtol": 1e-9}
    )
    x = res.x
    cov = _inverse_hessian(negative_log_posterior, x)
    z = float(stats.norm.ppf((1 + level) / 2))
    half = z * np.sqrt(np.clip(np.diag(cov), 0, None))
    p_est: dict[str, Estimate] = {}
    m_est: dict[str, Estimate] = {}
    for i, k in enumerate(names):
        j = 2 * i
        p_est[k] = Estimate(
            *(float(special.expit(v)) for v in (x[j], x[j] - half[j], x[j] + half[j]))
        )
        j += 1
        m_est[k] = Estimate(
            *(min(math.exp(v), MAX_MONTHS) for v in (x[j], x[j] - half[j], x[j] + half[j]))
        )
    sigma = None
    if fit_sigma:
        sigma = Estimate(
            *(min(math.exp(v), MAX_SIGMA) for v in (x[-1], x[-1] - half[-1], x[-1] + half[-1]))
        )
    return CureFit(p_est, m_est, sigma, level)


def _inverse_hessian(
    f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-4
) -> np.ndarray:
    """Inverse of f's Hessian at x by central differences (the Laplace covariance)."""
    n = len(x)
    hess = np.empty((n, n))
    f0 = f(x)
    for i in range(n):
        for j in range(i, n):
            ei, ej = np.zeros(n), np.zeros(n)
            ei[i], ej[j] = h, h
            if i == j:
                v = (f(x + ei) - 2 * f0 + f(x - ei)) / (h * h)
            else:
                v = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (
                    4 * h * h
                )
            hess[i, j] = hess[j, i] = v
    try:
        return np.linalg.inv(hess)
    except np.linalg.LinAlgError:
        return np.linalg.pinv(hess)
