"""Calibration: estimate drivers from the ledger's own dates, with the params' drivers as priors.

What is estimated is exactly what the engine consumes: per stage transition, p = P(ever
advancing) and a lognormal lag with mean `months_to_*` (log-sd `lag_sigma`, shared by every
lag), fitted jointly as a mixture cure model with right-censoring (`workbook.forecast.cure`):
a project that has not reached the next stage by the as-of date is censored (it may still
get there), not a failure.

- 签约 → 开工 and 开工 → 投产: every project with the earlier date by the as-of date; the
  months from that date to the next one, or to the as-of date when there is none yet.
- The stages before signing (线索 … 意向), which the ledger does not date: from the quarterly
  snapshots kept beside the ledger (``ledger-2020Q1.xlsx``, ...). A project at such a stage in
  one snapshot is watched until the next snapshot (or the ledger at the as-of date): signed
  in between (an event after the months from the snapshot to its signing date), still
  there unsigned (censored at the interval), or gone from the ledger (known never to sign).
  Without snapshots these keep their priors (the table says so).
- The share of 四新 projects is Beta-binomial over the whole ledger.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import yaml
from scipy import stats

from workbook.forecast.cure import MIN_LAGS_FOR_SIGMA, Spells, fit
from workbook.forecast.scenarios import driver_label
from workbook.text.errors import InputError
from workbook.text.labels import label
from workbook.zone.drivers import Drivers
from workbook.zone.ledger import load_ledger
from workbook.zone.loader import Zone
from workbook.zone.snapshots import find_snapshots

DAYS_PER_MONTH = 365.25 / 12
PRE_SIGN = ("lead", "contact", "visit", "negotiating", "intent")
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
# (earlier date, later date, probability driver, lag driver) of the dated transitions
DATED = (
    ("signed_date", "start_date", "start_probability", "months_to_start"),
    ("start_date", "production_date", "production_probability", "months_to_production"),
)


@dataclass(frozen=True)
class Calibration:
    """The estimates (one row per driver) and the drivers with every estimate put in."""

    table: pd.DataFrame
    drivers: Drivers
    as_of: dt.date
    level: float
    prior_weight: float
    snapshots: tuple[str, ...] = ()  # the snapshot files whose stage moves were used

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


def months_between(a: pd.Series, b: pd.Series | pd.Timestamp) -> np.ndarray:
    return ((b - a).dt.days / DAYS_PER_MONTH).to_numpy(float)


def dated_spells(projects: pd.DataFrame, first: str, then: str, as_of: dt.date) -> Spells:
    """Spells of one dated transition at the as-of date (later dates are not yet known)."""
    ts = pd.Timestamp(as_of)
    began = projects[first]
    cohort = projects[began.notna() & (began <= ts)]
    after = cohort[then]
    done = (after.notna() & (after <= ts)).to_numpy()
    end = after.where(done, ts)
    return Spells.of(months_between(cohort[first], end), done)


def snapshot_spells(
    chain: list[tuple[dt.date, pd.DataFrame]], as_of: dt.date, stage: str
) -> Spells:
    """Spells of `stage` → signed between consecutive ledgers (dates ascending, the last being
    the ledger at the as-of date): signed in between, still unsigned, or gone."""
    months, advanced, never = [], [], []
    for (t0, before), (t1, after) in zip(chain, chain[1:], strict=False):
        lo, hi = pd.Timestamp(t0), pd.Timestamp(min(t1, as_of))
        at = before[before["stage"].astype(str) == stage]
        if not len(at):
            continue
        later = after.set_index("project_id")["signed_date"]
        present = at["project_id"].isin(later.index).to_numpy()
        signed = at["project_id"].map(later)
        ok = (signed.notna() & (signed > lo) & (signed <= hi)).to_numpy()
        span = (hi - lo).days / DAYS_PER_MONTH
        t = np.where(ok, ((signed - lo).dt.days / DAYS_PER_MONTH).to_numpy(float), span)
        months.append(t)
        advanced.append(ok)
        never.append(~present)
    if not months:
        return Spells.of([], [])
    return Spells.of(np.concatenate(months), np.concatenate(advanced), np.concatenate(never))


def _snapshot_chain(zone: Zone, as_of: dt.date) -> tuple[list, tuple[str, ...]]:
    snaps = [s for s in find_snapshots(zone.ledger.ledger_path) if s.date < as_of]
    chain = [(s.date, load_ledger(s.path).projects) for s in snaps]
    if not chain:
        return [], ()
    return [*chain, (as_of, zone.ledger.projects)], tuple(s.path.name for s in snaps)


def calibrate(
    zone: Zone,
    as_of: dt.date,
    drivers: Drivers | None = None,
    *,
    prior_weight: float = 10.0,
    level: float = 0.9,
    lang: str = "zh",
    snapshots: list[tuple[dt.date, pd.DataFrame]] | None = None,
) -> Calibration:
    """Estimate the drivers the ledger's dates speak to, with `level` credible intervals.

    `snapshots` are (quarter-end date, projects) of earlier ledgers; by default the
    ``<ledger>-<YYYYQn>`` files beside the ledger dated before `as_of`.
    """
    if not prior_weight > 0:
        raise InputError(f"prior weight must be > 0, got {prior_weight:g}")
    if not 0 < level < 1:
        raise InputError(f"credible level must be between 0 and 1, got {level:g}")
    d = drivers if drivers is not None else zone.params.drivers
    p = zone.ledger.projects
    if snapshots is None:
        chain, used = _snapshot_chain(zone, as_of)
    else:
        chain = sorted([s for s in snapshots if s[0] < as_of], key=lambda s: s[0])
        used = tuple(t.isoformat() for t, _ in chain)
        chain = [*chain, (as_of, p)] if chain else []

    def note(key: str, **fmt: object) -> str:
        return label("calibration", key, lang).format(**fmt)

    spells: dict[str, Spells] = {}
    priors: dict[str, tuple[float, float]] = {}
    lags: dict[str, str] = {}
    for first, then, prob, lag in DATED:
        spells[prob] = dated_spells(p, first, then, as_of)
        priors[prob] = (float(d.get(prob)), float(d.get(lag)))
        lags[prob] = lag
    for stage in PRE_SIGN if chain else ():
        prob, lag = f"stage_probability.{stage}", f"months_to_sign.{stage}"
        spells[prob] = snapshot_spells(chain, as_of, stage)
        priors[prob] = (float(d.get(prob)), float(d.get(lag)))
        lags[prob] = lag
    cure = fit(spells, priors, d.lag_sigma, prior_weight, level)

    rows: list[dict] = []
    for prob, sp in spells.items():
        dated = not prob.startswith("stage_probability.")
        if sp.n == 0:
            why = note("no_projects")
            for path, kind in ((prob, "probability"), (lags[prob], "months")):
                v = float(d.get(path))
                rows.append(_row(path, kind, v, 0, 0, v, np.nan, np.nan, why))
            continue
        what = (
            note("cohort", as_of=as_of.isoformat())
            if dated
            else note("snapshots", n=len(chain) - 1, as_of=as_of.isoformat())
        )
        e, m = cure.p[prob], cure.mean[prob]
        rows.append(
            _row(prob, "probability", priors[prob][0], sp.n, sp.k, e.value, e.lo, e.hi, what)
        )
        rows.append(
            _row(lags[prob], "months", priors[prob][1], sp.n, sp.k, m.value, m.lo, m.hi, what)
        )
    n_all = sum(sp.n for sp in spells.values())
    k_all = sum(sp.k for sp in spells.values())
    if cure.sigma is not None:
        s = cure.sigma
        rows.append(
            _row(
                "lag_sigma", "spread", d.lag_sigma, n_all, k_all, s.value, s.lo, s.hi, note("sigma")
            )
        )
    else:
        why = note("few_lags", k=MIN_LAGS_FOR_SIGMA)
        rows.append(
            _row("lag_sigma", "spread", d.lag_sigma, 0, 0, d.lag_sigma, np.nan, np.nan, why)
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
    if not chain:
        for stage in PRE_SIGN:
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
    return Calibration(table, estimated, as_of, level, prior_weight, used)


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
