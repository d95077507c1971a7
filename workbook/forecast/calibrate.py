"""Calibration: estimate drivers from the ledger's own stage dates, with the params' drivers as priors.

The ledger dates signing (签约), start (开工) and production (投产), so it can speak to the
transitions between them; it has no dates for the stages before signing, so those
probabilities and lags keep their priors (the table says so).

- A probability (e.g. P(start within `window` months of signing)) is Beta-binomial: the prior
  is Beta(p0·w, (1 − p0)·w), worth `prior_weight` w projects; the cohort is every project
  whose earlier date is at least `window` months before the as-of date (so its outcome is
  known); the posterior is Beta(p0·w + k, (1 − p0)·w + n − k).
- A mean lag is Gamma-exponential on the monthly rate: the prior is w projects at the
  prior mean; the data are the lags of the cohort's successes (months, within the window).
  The estimate is the mean lag at the posterior mean rate, (w·m0 + Σ lags) / (w + k); the
  interval is the posterior's (wider than a lognormal's would be: a conservative interval).
- The share of 四新 projects is Beta-binomial over the whole ledger.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import yaml
from scipy import stats

from workbook.forecast.scenarios import driver_label
from workbook.text.errors import InputError
from workbook.text.labels import label
from workbook.zone.drivers import Drivers
from workbook.zone.loader import Zone

DAYS_PER_MONTH = 365.25 / 12
CALIBRATION_COLUMNS = [
    "driver",
    "label",
    "kind",
    "prior",
    "n",
    "events",
    "estimate",
    "lo",
    "hi",
    "note",
]


@dataclass(frozen=True)
class Calibration:
    """The estimates (one row per driver) and the drivers with every estimate put in."""

    table: pd.DataFrame
    drivers: Drivers
    as_of: dt.date
    level: float
    prior_weight: float
    window: int

    def to_yaml(self) -> str:
        """The estimated drivers as a `drivers:` block to paste into a params file."""
        est = self.table[self.table["n"] > 0]
        nested: dict = {}
        for path, value in zip(est["driver"], est["estimate"], strict=True):
            node = nested
            *heads, leaf = path.split(".")
            for h in heads:
                node = node.setdefault(h, {})
            node[leaf] = round(float(value), 3)
        return yaml.safe_dump({"drivers": nested}, allow_unicode=True, sort_keys=False)


def calibrate(
    zone: Zone,
    as_of: dt.date,
    drivers: Drivers | None = None,
    *,
    prior_weight: float = 10.0,
    level: float = 0.9,
    window: int = 12,
    lang: str = "zh",
) -> Calibration:
    """Estimate the drivers the ledger's dates speak to, with `level` credible intervals."""
    if not prior_weight > 0:
        raise InputError(f"prior weight must be > 0, got {prior_weight:g}")
    if not 0 < level < 1:
        raise InputError(f"credible level must be between 0 and 1, got {level:g}")
    if window < 1:
        raise InputError(f"window must be at least one month, got {window}")
    d = drivers if drivers is not None else zone.params.drivers
    p = zone.ledger.projects
    ts = pd.Timestamp(as_of)
    cutoff = ts - pd.DateOffset(months=window)
    rows: list[dict] = []

    def note(key: str, **fmt: object) -> str:
        return label("calibration", key, lang).format(**fmt)

    for first, then, prob, lag in (
        ("signed_date", "start_date", "start_probability", "months_to_start"),
        ("start_date", "production_date", "production_probability", "months_to_production"),
    ):
        began = p[first]
        cohort = p[began.notna() & (began <= cutoff)]
        after = cohort[then]
        gap = (after - cohort[first]).dt.days / DAYS_PER_MONTH
        ok = after.notna() & (after <= ts) & (gap <= window)
        lags = gap[ok].to_numpy(float)
        what = note("cohort", window=window, cutoff=cutoff.date().isoformat())
        rows.append(
            _beta_row(prob, d.get(prob), len(cohort), int(ok.sum()), prior_weight, level, what)
        )
        rows.append(
            _lag_row(lag, d.get(lag), lags, prior_weight, level, note("lags", window=window))
        )
    four = p["four_new"].fillna(False).astype(bool)
    rows.append(
        _beta_row(
            "four_new_share",
            d.four_new_share,
            len(p),
            int(four.sum()),
            prior_weight,
            level,
            note("ledger"),
        )
    )
    for stage in ("lead", "contact", "visit", "negotiating", "intent"):
        for head, kind in (("stage_probability", "probability"), ("months_to_sign", "months")):
            path = f"{head}.{stage}"
            v = float(d.get(path))
            rows.append(_row(path, kind, v, 0, 0, v, np.nan, np.nan, note("no_dates")))
    table = pd.DataFrame(rows, columns=[c for c in CALIBRATION_COLUMNS if c != "label"])
    table.insert(1, "label", [driver_label(x, lang) for x in table["driver"]])
    estimated = d
    for path, n, value in zip(table["driver"], table["n"], table["estimate"], strict=True):
        if n > 0:
            estimated = estimated.replace(path, float(value))
    return Calibration(table, estimated, as_of, level, prior_weight, window)


def _row(
    path: str,
    kind: str,
    prior: float,
    n: int,
    events: float,
    est: float,
    lo: float,
    hi: float,
    note: str,
) -> dict:
    return {
        "driver": path,
        "kind": kind,
        "prior": prior,
        "n": n,
        "events": events,
        "estimate": est,
        "lo": lo,
        "hi": hi,
        "note": note,
    }


def _beta_row(path: str, p0: float, n: int, k: int, w: float, level: float, note: str) -> dict:
    p0 = min(max(float(p0), 1e-6), 1 - 1e-6)  # a prior of exactly 0 or 1 would never move
    a, b = p0 * w + k, (1 - p0) * w + n - k
    lo, hi = stats.beta.ppf([(1 - level) / 2, (1 + level) / 2], a, b)
    return _row(path, "probability", float(p0), n, k, a / (a + b), float(lo), float(hi), note)


def _lag_row(path: str, m0: float, lags: np.ndarray, w: float, level: float, note: str) -> dict:
    m0 = max(float(m0), 1e-6)
    k, total = len(lags), float(lags.sum())
    shape, rate = w + k, w * m0 + total  # posterior of the monthly rate: Gamma(shape, rate)
    # The mean lag is 1/rate: its interval bounds come from the rate's upper and lower quantiles.
    slow, fast = stats.gamma.ppf([(1 - level) / 2, (1 + level) / 2], shape)
    return _row(path, "months", m0, k, total, rate / shape, rate / fast, rate / slow, note)
