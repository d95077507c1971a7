"""Calibration: estimate drivers from the ledger's own dates, with the params' drivers as priors.

What is estimated is exactly what the engine consumes: per stage transition, p = P(ever
advancing) and a lognormal lag with mean `months_to_*` (log-sd `lag_sigma`, shared by every
lag), fitted jointly as a mixture cure model with right-censoring (`workbook.forecast.cure`):
a project that has not reached the next stage by the as-of date is censored (it may still
get there), not a failure.

- 签约 → 开工 and 开工 → 投产: every project with the earlier date by the as-of date; the
  months from that date to the next one, or to the as-of date when there is none yet.
- The stages before signing (线索 … 意向): from the quarterly snapshots kept beside the ledger
  (``ledger-2020Q1.xlsx``, ...) and the ledger at the as-of date. A project's spell at such a
  stage runs from the date it entered the stage (阶段日期, else about the middle of the quarter
  before its first sighting there; one already there in the first snapshot without it is of
  unknown age and left out) across the snapshots until it signs, moves to another stage
  (censored), leaves the ledger (never signs) or is last seen (censored at the as-of date);
  one entered before its first sighting is left-truncated there (`pre_sign_spells`). Without
  such spells these keep their priors (the table says so).
- The share of 四新 projects is Beta-binomial over the whole ledger.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import pandas as pd
import yaml
from scipy import stats

from workbook.forecast.cure import MIN_LAGS_FOR_SIGMA, Spells, fit
from workbook.forecast.scenarios import driver_label
from workbook.text.catalogue import label
from workbook.text.errors import InputError
from workbook.text.messages import Message
from workbook.zone.drivers import Drivers
from workbook.zone.ledger import load_ledger
from workbook.zone.loader import Zone
from workbook.zone.snapshots import find_snapshots

# One run of a project at a stage: (months, advanced, never, entry), as `Spells` takes them
Run: TypeAlias = tuple[float, bool, bool, float]

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
        nested: dict[str, Any] = {}
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


def _stage_date(df: pd.DataFrame) -> pd.Series:
    """The ledger's optional 阶段日期 (the date the project entered its current stage)."""
    if "stage_date" not in df.columns:
        return pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    return pd.to_datetime(df["stage_date"])


def _days(values: pd.Series | np.ndarray) -> np.ndarray:
    """Dates as float days since 1970 (NaT as NaN)."""
    t = np.asarray(values, "datetime64[ns]")
    return np.where(np.isnat(t), np.nan, t.astype("int64") / 86_400e9)


def _sightings(chain: list[tuple[dt.date, pd.DataFrame]]) -> pd.DataFrame:
    """Every (project, ledger) pair of the chain, by project then oldest ledger first: what
    each ledger says of the project on its date (`i` its place in the chain). A stage or
    signing dated after the ledger's date (the ledger at a past as-of date) was not reached
    yet then: the row says nothing of the stage (`stage` None)."""
    parts = []
    for i, (when, df) in enumerate(chain):
        ts = pd.Timestamp(when)
        signed = pd.to_datetime(df["signed_date"])
        entered = _stage_date(df)
        stage = df["stage"].astype(object)
        pre = stage.isin(PRE_SIGN) & ~(entered > ts)
        done = signed.notna() & (signed <= ts)
        parts.append(
            pd.DataFrame(
                {
                    "project_id": df["project_id"].to_numpy(object),
                    "i": i,
                    "stage": np.where(
                        done.to_numpy(bool),
                        "signed",
                        np.where(pre.to_numpy(bool), stage.to_numpy(object), np.array(None)),
                    ),
                    "signed": _days(signed),
                    "entered": _days(entered.where(entered <= ts)),
                }
            )
        )
    rows = pd.concat(parts, ignore_index=True)
    return rows.sort_values(["project_id", "i"], kind="stable", ignore_index=True)


def pre_sign_spells(chain: list[tuple[dt.date, pd.DataFrame]], as_of: dt.date) -> dict[str, Spells]:
    """Per stage before signing, the spells of stage → signed that the ledgers show (dates
    ascending, the last being the ledger at the as-of date).

    A spell is a run of consecutive ledgers holding the project at one stage (a ledger it is
    missing from, but back in a later one, is skipped). It counts from the date the project
    entered the stage and is watched from its first sighting there (left-truncated: `entry` is
    the months between). The entry date is the ledgers' 阶段日期 (no later than the first
    sighting); without it, the middle of the quarter before the first sighting (it got there
    between the two ledgers: an approximation), and a run already in the first ledger, of
    unknown age, is left out. The spell ends when the project signs (advanced, at its signing
    date), moves to another stage before signing (censored at the move: the new stage's date,
    else that ledger's), leaves the ledger for good (known never to sign) or is last seen
    (censored at the as-of date). A run seen only in the ledger at the as-of date tells
    nothing and is left out too.
    """
    out: dict[str, list[tuple[float, bool, bool, float]]] = {s: [] for s in PRE_SIGN}
    if len(chain) >= 2:
        _follow(_sightings(chain), [pd.Timestamp(t) for t, _ in chain], out)
    spells = {}
    for stage, runs in out.items():
        m, a, n, e = (list(x) for x in zip(*runs, strict=True)) if runs else ([], [], [], [])
        spells[stage] = Spells.of(m, a, n, e)
    return spells


def _follow(rows: pd.DataFrame, dates: list[pd.Timestamp], out: dict[str, list[Run]]) -> None:
    """Append to out[stage] the (months, advanced, never, entry) of every run in `rows`."""
    day = _days(pd.Series(dates))
    pid = rows["project_id"].to_numpy(object)
    cols = (
        rows["i"].to_numpy(int),
        rows["stage"].to_numpy(object),
        rows["signed"].to_numpy(float),
        rows["entered"].to_numpy(float),
    )
    bounds = [0, *(np.flatnonzero(pid[1:] != pid[:-1]) + 1).tolist(), len(pid)]
    for lo, hi in zip(bounds, bounds[1:], strict=False):
        seen = tuple(c[lo:hi] for c in cols)
        # a ledger that says nothing of the stage keeps the one before
        status: list[str | None] = []
        for said in seen[1]:
            status.append(said if said is not None else (status[-1] if status else None))
        k = 0
        while k < len(status):
            k1 = k
            while k1 + 1 < len(status) and status[k1 + 1] == status[k]:
                k1 += 1
            now = status[k]
            if now is not None and now in out:
                run = _run(seen, status, k, k1, day)
                if run is not None:
                    out[now].append(run)
            k = k1 + 1


def _run(
    seen: tuple[np.ndarray, ...], status: list[str | None], k: int, k1: int, day: np.ndarray
) -> Run | None:
    """The (months, advanced, never, entry) of one project's run at status[k] over its
    sightings k..k1, or None when it tells nothing."""
    where, said, signed, entered = seen
    stage, first = status[k], day[where[k]]
    given = [entered[j] for j in range(k, k1 + 1) if said[j] == stage and entered[j] == entered[j]]
    if given:
        began = min(given[0], first)
    elif where[k] == 0:
        return None  # already there in the first ledger: its age is unknown
    else:
        began = (day[where[k] - 1] + first) / 2
    advanced = never = False
    last_seen = day[where[k1]]
    if k1 + 1 < len(status):
        nxt, hi = k1 + 1, day[where[k1 + 1]]
        if status[nxt] == "signed":
            end, advanced = min(max(signed[nxt], last_seen), hi), True
        elif np.isnan(entered[nxt]):  # another stage before signing: censored at the move
            end = hi
        else:
            end = min(max(entered[nxt], last_seen), hi)
    elif where[k1] == len(day) - 1:
        end = day[-1]
    else:  # gone from every later ledger
        end, never = day[where[k1] + 1], True
    if not (end > first or advanced or never):
        return None
    return (end - began) / DAYS_PER_MONTH, advanced, never, (first - began) / DAYS_PER_MONTH


def snapshot_spells(
    chain: list[tuple[dt.date, pd.DataFrame]], as_of: dt.date, stage: str
) -> Spells:
    """The spells of one stage before signing (see `pre_sign_spells`)."""
    return pre_sign_spells(chain, as_of)[stage]


def _snapshot_chain(
    zone: Zone, as_of: dt.date
) -> tuple[list[tuple[dt.date, pd.DataFrame]], tuple[str, ...]]:
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
        raise InputError(Message("err.prior_weight", found=prior_weight))
    if not 0 < level < 1:
        raise InputError(Message("err.credible_level", found=level))
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
    stage_spells = pre_sign_spells(chain, as_of) if chain else {}
    for stage in PRE_SIGN if chain else ():
        prob, lag = f"stage_probability.{stage}", f"months_to_sign.{stage}"
        spells[prob] = stage_spells[stage]
        priors[prob] = (float(d.get(prob)), float(d.get(lag)))
        lags[prob] = lag
    cure = fit(spells, priors, d.lag_sigma, prior_weight, level)

    rows: list[dict[str, object]] = []
    for prob, sp in spells.items():
        dated = not prob.startswith("stage_probability.")
        if sp.n == 0:
            why = note("no_projects" if dated else "unknown_entry")
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
) -> dict[str, object]:
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


def _beta_row(
    path: str, p0: float, n: int, k: int, w: float, level: float, note: str
) -> dict[str, object]:
    p0 = min(max(float(p0), 1e-6), 1 - 1e-6)  # a prior of exactly 0 or 1 would never move
    a, b = p0 * w + k, (1 - p0) * w + n - k
    lo, hi = stats.beta.ppf(np.array([(1 - level) / 2, (1 + level) / 2]), a, b)
    return _row(path, "probability", float(p0), n, k, a / (a + b), float(lo), float(hi), note)
