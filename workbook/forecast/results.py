"""One forecast's results as plain DataFrames: per target, per month, per project, per source.

`Engine.forecast(...)` returns a `Forecast`. The per-target table and P(all) are computed at
once; the monthly fan of a target, the per-project and per-source tables are computed on first
use (each a second pass over the same draws; a fan's pass simulates only its own metric).

Year-end value of a metric = its fact at the as-of date (exactly what `workbook status`
counts) + what the trial adds after it; so no trial ever ends below the facts.
"""

from __future__ import annotations

import calendar
import datetime as dt
from functools import cached_property
from typing import TYPE_CHECKING, Any, overload

import numpy as np
import pandas as pd

from workbook.files.jsonsafe import plain
from workbook.forecast.setup import PROJECT_SUMS
from workbook.text.catalogue import label
from workbook.text.errors import InputError
from workbook.text.messages import Message
from workbook.text.numbers import figure
from workbook.zone.pacing import phased_share, time_progress

if TYPE_CHECKING:
    from workbook.forecast.engine import Engine
    from workbook.forecast.setup import Setup
    from workbook.zone.drivers import Drivers

TARGET_COLUMNS = [
    "label",
    "unit",
    "target",
    "stretch",
    "actual_to_date",
    "p_attain",
    "p_stretch",
    "p10",
    "p50",
    "p90",
    "mean",
]
PROJECT_COLUMNS = [
    "project_id",
    "name",
    "stage",
    "capital_type",
    "list_flag",
    "total_investment",
    "planned_inflow",
    "p_sign",
    "p_start",
    "p_money",
    "expected_contribution",
]


LEVELS = (0.1, 0.5, 0.9)


def quantiles(values: np.ndarray, count: bool) -> tuple[float, float, float]:
    """P10, P50, P90 of trial values: sample values for counts, interpolated for money."""
    q = column_quantiles(values[:, None], np.array([count]))[:, 0]
    return float(q[0]), float(q[1]), float(q[2])


def column_quantiles(values: np.ndarray, count: np.ndarray) -> np.ndarray:
    """(3, columns): P10, P50, P90 of each column of (trials, columns) values; columns where
    `count` holds take sample values (numpy's inverted_cdf), others interpolate (linear). A
    column of whole numbers is counted out (one pass) instead of partitioned."""
    out = np.empty((3, values.shape[1]))
    n = len(values)
    by_column = np.ascontiguousarray(values.T)  # each column's trials side by side
    for i in range(values.shape[1]):
        v = by_column[i]
        whole = v.astype(np.int64) if count[i] else None
        if whole is not None and whole.min() >= 0 and np.array_equal(whole, v):
            low = int(whole.min())
            cum = np.cumsum(np.bincount(whole - low))
            # inverted_cdf: the smallest value whose share of trials at or below it is >= q
            ranks = np.ceil(np.array(LEVELS) * n - 1e-9).astype(np.int64)
            out[:, i] = low + np.searchsorted(cum, np.maximum(ranks, 1))
        elif count[i]:
            out[:, i] = np.quantile(v, LEVELS, method="inverted_cdf")
        else:
            out[:, i] = _linear_quantiles(np.sort(v))
    return out


def _linear_quantiles(s: np.ndarray) -> np.ndarray:
    """numpy's linear quantile at LEVELS of sorted values, computed the way numpy computes it
    (the same floats) from one sort, where numpy partitions once for every level."""
    n, q = len(s), np.array(LEVELS)
    virtual = (n - 1) * q
    below = np.floor(virtual)
    at = below.astype(np.int64)
    top = virtual >= n - 1
    lo = np.where(top, s[-1], s[np.minimum(at, n - 1)])
    hi = np.where(top, s[-1], s[np.minimum(at + 1, n - 1)])
    gamma = virtual - np.where(top, -1, below)
    diff = hi - lo
    out: np.ndarray = np.where(gamma >= 0.5, hi - diff * (1 - gamma), lo + diff * gamma)
    return out


REACH_TOLERANCE = 1e-6  # relative (to max(1, |level|)): sums of float32 amounts


@overload
def reach_floor(level: float) -> float: ...
@overload
def reach_floor(level: np.ndarray) -> np.ndarray: ...
def reach_floor(level: float | np.ndarray) -> float | np.ndarray:
    """The least value that counts as reaching `level`: level − 1e-6·max(1, |level|), so a
    year that ends a float32 rounding short of its target (0.99999999 of 1.0) still meets it."""
    return level - REACH_TOLERANCE * np.maximum(1.0, np.abs(level))


def reached(values: np.ndarray, level: float | np.ndarray) -> np.ndarray:
    """Trials whose value reaches `level` (`reach_floor`); levels per column when `values` is
    (trials, targets). Every attain, stretch, goal and `met` judgement goes through here."""
    return values >= reach_floor(level)


class Forecast:
    """How the year ends under one set of drivers and one event plan."""

    def __init__(
        self,
        engine: Engine,
        setup: Setup,
        future: np.ndarray,
        scenario: str | None = None,
        project_sums: dict[str, np.ndarray] | None = None,
    ):
        self.engine = engine
        self.scenario = scenario
        self.drivers: Drivers = setup.drivers
        self.plan: pd.DataFrame = setup.plan
        self.fx = setup.fx
        self.setup = setup
        self._keys = engine.keys
        self._future = future  # (trials, len(keys)): what trials add after the as-of date
        self._project_sums = project_sums  # `Engine.run_pass`'s per-project sums, if made
        self._months: dict[str, np.ndarray] = {}  # metric -> (trials, months after the as-of)
        self.facts = engine.facts()  # facts at the params rate, whatever the scenario FX
        self.metrics = [k for k, _ in engine.params.targets.items()]
        self.targets = self._targets()
        self.p_all = float(self._hit.all(axis=1).mean()) if self.metrics else 1.0

    # ---- per target ----------------------------------------------------------------------

    def _target(self, metric: str) -> Any:
        return dict(self.engine.params.targets.items())[metric]

    def _check(self, metric: str) -> str:
        if metric not in self.metrics:
            valid = ", ".join(self.metrics)
            raise InputError(Message("input.unknown_target", metric=metric, valid=valid))
        return metric

    def year_end(self, metric: str) -> np.ndarray:
        """Per-trial year-end value of an assessed metric (facts + the trial's future)."""
        k = self._keys.index(self._check(metric))
        return self.facts[metric] + self._future[:, k]

    def _targets(self) -> pd.DataFrame:
        e, lang = self.engine, self.engine.lang
        targets = [self._target(key) for key in self.metrics]
        cols = [self._keys.index(key) for key in self.metrics]
        facts = np.array([self.facts[key] for key in self.metrics])
        values = facts + self._future[:, cols]  # (trials, targets): every year end at once
        count = np.array([e.defs[key].kind == "count" for key in self.metrics])
        q = column_quantiles(values, count)
        annual = np.array([float(t.annual) for t in targets])
        stretch = np.array([np.nan if t.stretch is None else float(t.stretch) for t in targets])
        self._hit = reached(values, annual)
        p_attain = self._hit.mean(axis=0)
        p_stretch = np.where(np.isnan(stretch), np.nan, reached(values, stretch).mean(axis=0))
        columns = {
            "label": [label("metric", key, lang, e.params.metric_labels) for key in self.metrics],
            "unit": [e.unit(key) for key in self.metrics],
            "target": annual,
            "stretch": stretch,
            "actual_to_date": facts,
            "p_attain": p_attain,
            "p_stretch": p_stretch,
            "p10": q[0],
            "p50": q[1],
            "p90": q[2],
            "mean": values.mean(axis=0),
        }
        index = pd.Index(self.metrics, name="metric")
        return pd.DataFrame(columns, index=index, columns=TARGET_COLUMNS)

    # ---- per month -----------------------------------------------------------------------

    def monthly(self, metric: str) -> np.ndarray:
        """(trials, months after the as-of month): what each trial adds to `metric` by the end
        of each month, simulated on first use."""
        if metric not in self._months:
            self._simulate_months([metric])
        return self._months[metric]

    def _simulate_months(self, metrics: list[str]) -> None:
        """One monthly pass over the draws for these metrics only (each metric's values are
        the same whichever others share the pass)."""
        e = self.engine
        months = tuple(range(e.month + 1, 13))
        keys = tuple(self._keys.index(m) for m in metrics)
        values = e.run_pass(self.setup, months=months, keys=keys)
        for i, metric in enumerate(metrics):
            self._months[metric] = values[:, :, i]

    def fans(self, metrics: list[str] | None = None) -> dict[str, pd.DataFrame]:
        """`fan` of several targets (every target by default), the months of those not yet
        simulated in one pass: cheaper than one pass per target when several are needed."""
        metrics = list(self.metrics if metrics is None else metrics)
        for metric in metrics:
            self._check(metric)
        todo = list(dict.fromkeys(m for m in metrics if m not in self._months))
        if todo:
            self._simulate_months(todo)
        return {metric: self.fan(metric) for metric in metrics}

    def fan(self, metric: str) -> pd.DataFrame:
        """Month by month (Jan..Dec, cumulative): actual to the as-of month, P10/P50/P90 of
        the forecast (equal to the actual up to the as-of month) and the phased target."""
        self._check(metric)
        e = self.engine
        year, k = e.params.year, self._keys.index(metric)
        target = self._target(metric)
        facts = e.monthly_facts()[:, k]
        count = e.defs[metric].kind == "count"
        future = self.monthly(metric)
        rows = []
        for m in range(1, 13):
            end = dt.date(year, m, calendar.monthrange(year, m)[1])
            due = phased_share(target, time_progress(end, year)) * target.annual
            if m <= e.month:
                actual = float(facts[m - 1])
                p10 = p50 = p90 = actual
            else:
                actual = np.nan
                values = self.facts[metric] + future[:, m - e.month - 1]
                p10, p50, p90 = quantiles(values, count)
            rows.append(
                {
                    "month": pd.Timestamp(year, m, 1),
                    "actual": actual,
                    "p10": p10,
                    "p50": p50,
                    "p90": p90,
                    "phased_target": due,
                }
            )
        return pd.DataFrame(rows)

    # ---- per project and per source ------------------------------------------------------

    @cached_property
    def projects(self) -> pd.DataFrame:
        """Per ledger project: P(signed / started by December), P(money arrives after the
        as-of date this year) and its expected in-year contribution (亿元, CNY-equivalent),
        largest first."""
        e = self.engine
        sums = self._project_sums
        if sums is None:
            sums = {k: np.zeros(len(e.projects)) for k in PROJECT_SUMS}
            e.run_pass(self.setup, months=(12,), projects=sums)
        stage = pd.Series(e.stage)
        order = {s: i for i, s in enumerate(("signed", "started", "producing"))}
        signed = stage.isin(list(order)).to_numpy()
        started = stage.isin(["started", "producing"]).to_numpy()
        p = e.projects
        df = pd.DataFrame(
            {
                "project_id": p["project_id"].to_numpy(),
                "name": p["name"].to_numpy(),
                "stage": e.stage,
                "capital_type": p["capital_type"].to_numpy(),
                "list_flag": p["list_flag"].to_numpy(),
                "total_investment": p["total_investment"].to_numpy(),
                "planned_inflow": p["planned_inflow"].to_numpy(),
                "p_sign": np.where(signed, 1.0, sums["sign"] / e.trials),
                "p_start": np.where(started, 1.0, sums["start"] / e.trials),
                "p_money": sums["money"] / e.trials,
                "expected_contribution": sums["amount"] / e.trials,
            },
            columns=PROJECT_COLUMNS,
        )
        if e.future <= 0:
            df["p_sign"] = np.where(signed, 1.0, 0.0)
            df["p_start"] = np.where(started, 1.0, 0.0)
        df = df.sort_values(
            ["expected_contribution", "p_sign", "total_investment"], ascending=False, kind="stable"
        )
        return df.reset_index(drop=True)

    @cached_property
    def sources(self) -> pd.DataFrame:
        """Per source of new deals (office/platform, or event held in a month): expected
        in-year signings, 500强 signings and arrived capital (亿元, CNY-equivalent)."""
        e = self.engine
        srcs = self.setup.sources
        sums = {k: np.zeros(len(srcs)) for k in ("signings", "signings_500", "capital", "domestic")}
        if srcs:
            e.run_pass(self.setup, months=(12,), sources=sums)
        return pd.DataFrame(
            {
                "kind": [s.kind for s in srcs],
                "source": [s.name for s in srcs],
                "month": [s.month if s.kind == "event" else np.nan for s in srcs],
                "expected_deals": [s.expected_signings for s in srcs],
                "expected_signings": sums["signings"] / e.trials,
                "expected_500": sums["signings_500"] / e.trials,
                "expected_capital": sums["capital"] / e.trials,
                "expected_domestic": sums["domestic"] / e.trials,
            }
        )

    # ---- display -------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready summary: the run, P(all) and every target's row."""
        e = self.engine

        return {
            "zone": e.params.zone,
            "year": e.params.year,
            "as_of": e.as_of.isoformat(),
            "scenario": self.scenario,
            "trials": e.trials,
            "seed": e.seed,
            "p_all": self.p_all,
            "targets": {
                key: {col: plain(row[col]) for col in TARGET_COLUMNS}
                for key, row in self.targets.iterrows()
            },
        }


def format_targets(fc: Forecast, lang: str = "zh") -> pd.DataFrame:
    """The per-target table as a planner reads it: labels, units, percentages."""
    t = fc.targets
    col = _column_labels(lang)
    own = fc.engine.params.metric_labels

    units = list(t["unit"])
    return pd.DataFrame(
        {
            col["metric"]: [label("metric", k, lang, own) for k in t.index],
            col["unit"]: [label("unit", u, lang) for u in units],
            col["target"]: [figure(v, u) for v, u in zip(t["target"], units, strict=True)],
            col["stretch"]: [figure(v, u) for v, u in zip(t["stretch"], units, strict=True)],
            col["actual_to_date"]: [
                figure(v, u) for v, u in zip(t["actual_to_date"], units, strict=True)
            ],
            col["p_attain"]: [f"{v:.1%}" for v in t["p_attain"]],
            col["p_stretch"]: ["" if np.isnan(v) else f"{v:.1%}" for v in t["p_stretch"]],
            col["p10"]: [figure(v, u) for v, u in zip(t["p10"], units, strict=True)],
            col["p50"]: [figure(v, u) for v, u in zip(t["p50"], units, strict=True)],
            col["p90"]: [figure(v, u) for v, u in zip(t["p90"], units, strict=True)],
        }
    )


def _column_labels(lang: str) -> dict[str, str]:
    keys = ("metric", "unit", "target", "stretch", "actual_to_date", "p_attain", "p_stretch")
    out = {k: label("forecast", k, lang) for k in keys}
    out.update({k: k.upper() for k in ("p10", "p50", "p90")})
    return out
