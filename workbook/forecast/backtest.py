"""Backtest: the forecasts the model would have made at earlier quarter ends, scored against
what the latest ledger shows happened (a track record a planner can show leadership).

From each quarter end the forecast starts from the ledger as it stood then: the quarter's
snapshot kept beside the ledger (``ledger-2020Q1.xlsx``) when there is one, else the latest
ledger replayed to that date (stages by their dates, as the engine does for any earlier
as-of date). Either way the arrivals are cut at that quarter's last month, so nothing that
happened later is a fact to the forecast.

Each target is scored at the horizon: the year end when the latest ledger covers the whole
year, else the latest date it covers (the end of the last month with arrivals logged), where
the level to reach is the target's phased share (序时目标) at that date. Per (quarter, target):
P(attain) given, P10/P50/P90, the outcome the latest ledger shows and whether it was met; over
all of them the Brier score, mean((P(attain) − met)²), and the P10–P90 coverage, the share of
outcomes inside [P10, P90] (about 0.8 for a forecast whose spread is right; more for counts,
whose quantiles are whole numbers). `expected_brier`, mean(P·(1 − P)), is what the Brier
score would be on average if every P(attain) were exactly right.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from workbook.forecast.engine import Engine
from workbook.forecast.results import quantiles, reached
from workbook.forecast.setup import default_as_of
from workbook.text.catalogue import label
from workbook.text.errors import InputError
from workbook.text.messages import Message
from workbook.zone.ledger import Ledger, load_ledger
from workbook.zone.loader import Zone
from workbook.zone.metrics import actuals, definitions
from workbook.zone.pacing import phased_share, time_progress
from workbook.zone.replay import arrivals_until
from workbook.zone.snapshots import fill_stage_dates, find_snapshots, quarter_end, quarter_range

FORECAST_COLUMNS = [
    "quarter",
    "as_of",
    "source",  # 'snapshot' or 'replay'
    "metric",
    "label",
    "unit",
    "level",  # what had to be reached at the horizon (the target, phased when before year end)
    "actual_to_date",  # the fact at the quarter end the forecast started from
    "p_attain",
    "p10",
    "p50",
    "p90",
    "outcome",
    "met",
    "below",  # the forecast's share of trials below the outcome, P(X < outcome)
    "at_or_below",  # P(X <= outcome)
]
JSON_KEYS = ("quarter", "metric", "p_attain", "p10", "p50", "p90", "outcome", "met")


def _ranks(values: np.ndarray, outcome: float) -> dict[str, float]:
    """Where an outcome falls among a forecast's trials: P(X < y) and P(X <= y), to float
    rounding (a forecast's sums are single precision)."""
    tol = 1e-6 * max(1.0, abs(outcome))
    return {
        "below": float(np.mean(values < outcome - tol)),
        "at_or_below": float(np.mean(values <= outcome + tol)),
    }


def central_80(f: pd.DataFrame) -> pd.Series:
    """Per forecast, the chance that its outcome's randomized rank u, uniform on [P(X < y),
    P(X <= y)], lies in [0.1, 0.9]: the share of [P10, P90] coverage a whole-number count or a
    forecast with an atom (no new money: its P10 is its floor) earns. Pooled, 0.8 for a
    calibrated forecast, where the plain P10–P90 share of a count runs above it."""
    lo, hi = f["below"].to_numpy(float), f["at_or_below"].to_numpy(float)
    overlap = np.clip(np.minimum(hi, 0.9) - np.maximum(lo, 0.1), 0.0, None)
    width = hi - lo
    point = ((lo >= 0.1) & (lo <= 0.9)).astype(float)
    share = np.divide(overlap, width, out=point, where=width > 0)
    return pd.Series(share, index=f.index)


def inside_p10_p90(f: pd.DataFrame) -> pd.Series:
    """Whether each outcome lies in its [P10, P90], to float rounding (a forecast's quantiles
    are sums in single precision: an outcome equal to its P10 is inside, not 1e-8 below)."""
    tol = 1e-6 * np.maximum(1.0, np.maximum(f["p10"].abs(), f["p90"].abs()))
    return (f["p10"] - tol <= f["outcome"]) & (f["outcome"] <= f["p90"] + tol)


@dataclass(frozen=True)
class Backtest:
    """Per (quarter, target) forecasts and outcomes, and their scores."""

    forecasts: pd.DataFrame  # FORECAST_COLUMNS
    horizon: dt.date
    trials: int
    seed: int

    @property
    def brier(self) -> float:
        f = self.forecasts
        return float(np.mean((f["p_attain"] - f["met"].astype(float)) ** 2))

    @property
    def expected_brier(self) -> float:
        """The Brier score to expect if every P(attain) were exactly right: mean(P·(1 − P))."""
        p = self.forecasts["p_attain"]
        return float(np.mean(p * (1 - p)))

    @property
    def coverage_p10_p90(self) -> float:
        return float(np.mean(inside_p10_p90(self.forecasts)))

    @property
    def coverage_central_80(self) -> float:
        """The share of outcomes inside the forecasts' central 80%, by the randomized rank of
        each outcome (`central_80`): 0.8 for a calibrated forecast, counts and atoms too."""
        return float(np.mean(central_80(self.forecasts)))

    def to_json(self) -> dict[str, Any]:
        """``{"forecasts": [{quarter, metric, p_attain, p10, p50, p90, outcome, met}], "brier",
        "coverage_p10_p90"}`` with plain (finite) Python values."""
        rows = [
            {
                "quarter": str(r["quarter"]),
                "metric": str(r["metric"]),
                **{k: float(r[k]) for k in ("p_attain", "p10", "p50", "p90", "outcome")},
                "met": bool(r["met"]),
            }
            for r in self.forecasts.to_dict(orient="records")
        ]
        return {"forecasts": rows, "brier": self.brier, "coverage_p10_p90": self.coverage_p10_p90}


def zone_at(zone: Zone, as_of: dt.date, snapshot: Ledger | None = None) -> Zone:
    """The zone as it stood at `as_of`: the snapshot's projects (or the latest ledger's, to be
    replayed by their dates), with the arrivals logged up to `as_of`'s month only."""
    ledger = zone.ledger
    projects = snapshot.projects if snapshot is not None else ledger.projects
    a = arrivals_until(ledger.arrivals, as_of)  # the review's replay cuts arrivals the same way
    cut = Ledger(
        projects,
        a[a["project_id"].isin(projects["project_id"])].reset_index(drop=True),
        snapshot.extras if snapshot is not None else ledger.extras,
        snapshot.ledger_path if snapshot is not None else ledger.ledger_path,
        ledger.arrivals_path,
    )
    return Zone(zone.params, cut, zone.events)


def default_quarters(zone: Zone, horizon: dt.date) -> list[tuple[int, int]]:
    """Every quarter of the plan year that ends before the horizon."""
    year = zone.params.year
    return [(year, q) for q in range(1, 5) if quarter_end(year, q) < horizon]


def backtest(
    zone: Zone,
    quarters: str | list[tuple[int, int]] | None = None,
    *,
    trials: int = 10_000,
    seed: int = 1,
    horizon: dt.date | None = None,
    lang: str = "zh",
) -> Backtest:
    """Forecast every target from each quarter end and score it against the latest ledger.

    `quarters`: '2020Q1-2020Q3' or [(2020, 1), ...]; default every quarter of the plan year
    ending before the horizon. `horizon`: the date scored; default the latest ledger's date
    (the end of the last month with arrivals logged, Dec 31 once the year is complete).
    """
    params = zone.params
    year = params.year
    horizon = horizon if horizon is not None else default_as_of(zone)
    if horizon.year != year:
        raise InputError(Message("review.as_of_year", day=horizon.isoformat(), year=year))
    if quarters is None:
        chosen = default_quarters(zone, horizon)
        if not chosen:
            raise InputError(Message("backtest.nothing_yet", year=year, day=horizon.isoformat()))
    else:
        chosen = quarter_range(quarters) if isinstance(quarters, str) else sorted(quarters)
    for y, q in chosen:
        if y != year:
            raise InputError(Message("backtest.quarter_year", quarter=f"{y}Q{q}", year=year))
        if quarter_end(y, q) >= horizon:
            raise InputError(
                Message(
                    "backtest.quarter_late",
                    quarter=f"{y}Q{q}",
                    end=quarter_end(y, q).isoformat(),
                    day=horizon.isoformat(),
                )
            )
    snapshots = {s.quarter: s for s in find_snapshots(zone.ledger.ledger_path)}
    truth = actuals(params, zone.ledger, horizon)
    defs = definitions(params)
    elapsed = time_progress(horizon, year)
    rows: list[dict[str, Any]] = []
    loaded: dict[str, Ledger] = {}

    def snapshot_ledger(quarter: str) -> Ledger:
        if quarter not in loaded:
            loaded[quarter] = load_ledger(snapshots[quarter].path)
        return loaded[quarter]

    for y, q in chosen:
        name, as_of = f"{y}Q{q}", quarter_end(y, q)
        snap = snapshots.get(name)
        past = zone_at(zone, as_of, snapshot_ledger(name) if snap is not None else None)
        if snap is not None:
            # A project before signing without its 阶段日期 ages from the earlier snapshots
            # that show it at the same stage (README, "Time in stage").
            earlier = [
                (s.date, snapshot_ledger(s.quarter).projects)
                for s in snapshots.values()
                if s.date < as_of
            ]
            if earlier:
                projects = fill_stage_dates(past.ledger.projects, earlier)
                past = Zone(past.params, replace(past.ledger, projects=projects), past.events)
        engine = Engine(past, as_of=as_of, trials=trials, seed=seed, lang=lang)
        fc = engine.forecast()
        metrics = list(fc.metrics)
        if horizon.month < 12:
            fc.fans(metrics)  # one monthly pass for every target
        for metric in metrics:
            target = dict(params.targets.items())[metric]
            if horizon.month == 12:
                values = fc.year_end(metric)
                level = float(target.annual)
            else:
                # the trials' values at the horizon month: facts + what each trial added by then
                values = fc.facts[metric] + fc.monthly(metric)[:, horizon.month - as_of.month - 1]
                level = float(phased_share(target, elapsed) * target.annual)
            p10, p50, p90 = quantiles(values, defs[metric].kind == "count")
            outcome = float(truth[metric])
            rows.append(
                {
                    "quarter": name,
                    "as_of": as_of,
                    "source": "snapshot" if snap is not None else "replay",
                    "metric": metric,
                    "label": label("metric", metric, lang, params.metric_labels),
                    "unit": engine.unit(metric),
                    "level": level,
                    "actual_to_date": float(fc.facts[metric]),
                    "p_attain": float(reached(values, level).mean()),
                    "p10": p10,
                    "p50": p50,
                    "p90": p90,
                    "outcome": outcome,
                    "met": bool(reached(np.array([outcome]), level)[0]),
                    **_ranks(values, outcome),
                }
            )
    return Backtest(pd.DataFrame(rows, columns=FORECAST_COLUMNS), horizon, trials, seed)
