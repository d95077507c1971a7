"""Synthetic truth: zones whose history is drawn, in continuous time, from the documented model.

`make_zone(folder, seed)` writes one zone in the project's input formats: ``zone.yaml``
(params), ``ledger.xlsx`` (the ledger at the year end), ``arrivals.xlsx`` (every month of the
year) and the quarterly snapshots ``ledger-2020Q1.xlsx`` … ``ledger-2020Q3.xlsx`` (the ledger
as it stood at each quarter end, with the date each project entered its current stage in the
column 阶段日期). The histories are drawn here with numpy only, from the model as the README
documents it, never from the engine; scoring the engine on them (`workbook backtest`, or
`workbook.forecast.backtest.backtest`) judges it by outcomes it did not design.

Time is in months from 2020-01-01; calendar month s covers (s − 1, s]. A lag of mean M is
M·exp(σZ − σ²/2). One zone:

* a signed cohort, signed at times uniform over the 12 months before the year start and the
  first quarter; each starts with START_P after a lag of mean MONTHS_TO_START from signing,
  then produces with PRODUCTION_P after a lag of mean MONTHS_TO_PRODUCTION from the start;
* 意向 and 在谈 projects that entered their stage at times uniform over the same 15 months;
  each ever signs with its stage's probability, a lag (of its stage's mean) after the entry,
  then starts and produces like the cohort. Nothing enters a pre-signing stage after the
  first quarter end: the model has no moves between two pre-signing stages, so a project
  entering 意向 mid-year would be a signing no forecast made at an earlier quarter could see;
* two offices whose leads arrive as a Poisson process (leads_per_quarter / 3 a month) from a
  year before the year start to its end; a lead signs with the channel's conversion, a lag of
  mean months_to_sign after it arrives, then starts and produces like any signed project and
  pays like a project without a plan whose total investment is its size (lognormal). Each
  lead stands in the ledger as a 线索 project from the day it arrives (`leads_in_ledger`), so
  the truth's drivers for 线索 are the channels' (stage_probability.lead = conversion,
  months_to_sign.lead = months_to_sign): a lead that arrived before a quarter end and signs
  after it is then a ledger project to that quarter's forecast, and the leads still to come
  are the channel's new deals, as the model says;
* money: every project draws its pace X once (Beta with the drivers' mean and concentration:
  arrival_ratio with a planned inflow P, unplanned_share without, on total investment T) and
  pays X·P/12 (or X·T/12) in every month from the month it starts (January when it started
  before the year) to December; foreign projects log it in USD at the params' rate.

Targets (内资到位, 实际使用外资, 新开工, 新投产, 新签约): each is the zone's expected year-end
value (the mean over `TARGET_DRAWS` other histories of the same zone: the same projects as
written before the first quarter end, every later fate drawn again) times a factor uniform on
0.6..1.4, so P(attain) spreads over 0..1 and the target tells nothing about the one history
written.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from openpyxl import Workbook

YEAR = 2020
FX = 7.0  # CNY per USD
QUARTER_ENDS = {"2020Q1": 3.0, "2020Q2": 6.0, "2020Q3": 9.0}
FIRST_AS_OF = 3.0  # nothing enters the pipeline after the first quarter end (see above)
HISTORY = 12.0  # months before the year start the cohort, the pipeline and the leads begin
TARGET_DRAWS = 300

# The truth's drivers (written to the params as they are: the forecast gets the right ones).
LAG_SIGMA = 0.6
STAGE_P = {"lead": 0.08, "contact": 0.10, "visit": 0.25, "negotiating": 0.35, "intent": 0.50}
STAGE_MONTHS = {"lead": 4.0, "contact": 9.0, "visit": 6.0, "negotiating": 5.0, "intent": 3.0}
START_P, MONTHS_TO_START = 0.70, 8.0
PRODUCTION_P, MONTHS_TO_PRODUCTION = 0.60, 10.0
ARRIVAL_RATIO = (0.6, 6.0)  # mean, concentration
UNPLANNED_SHARE = (2 / 7, 7.0)
CONVERSION, CHANNEL_MONTHS = 0.08, 4.0
SIZE_MEDIAN, SIZE_SIGMA = 1.5, 1.0
FOREIGN_OVERSEAS, FOREIGN_DOMESTIC = 0.85, 0.05
OFFICES = (
    {"id": "yrd", "name": "驻长三角招商机构", "name_en": "YRD office", "region": "长三角"},
    {"id": "japan", "name": "驻日本招商机构", "name_en": "Japan office", "region": "日本"},
)

STAGE_ZH = {
    "lead": "线索",
    "negotiating": "在谈",
    "intent": "意向",
    "signed": "签约",
    "started": "开工",
    "producing": "投产",
}
LEDGER_HEADER = [
    "项目编号",
    "项目名称",
    "内外资",
    "招商渠道",
    "阶段",
    "总投资(亿元)",
    "年度计划到位(亿元)",
    "签约日期",
    "开工日期",
    "投产日期",
    "阶段日期",
]
ARRIVALS_HEADER = ["项目编号", "月份", "到位金额(亿)", "币种"]
METRICS = ("domestic_capital", "foreign_capital", "new_starts", "new_production", "new_signings")


def lag(rng: np.random.Generator, mean: float, size: int | tuple[int, ...]) -> np.ndarray:
    """Lognormal lags of the given mean and log-sd LAG_SIGMA."""
    return mean * np.exp(LAG_SIGMA * rng.standard_normal(size) - LAG_SIGMA**2 / 2)


def beta(rng: np.random.Generator, mean_c: tuple[float, float], size: int) -> np.ndarray:
    mean, c = mean_c
    return rng.beta(mean * c, (1 - mean) * c, size)


def month_of(t: np.ndarray) -> np.ndarray:
    """The calendar month (1 = January of the year; 0 = the December before) holding time t."""
    return np.ceil(t).astype(int)


def to_date(t: float) -> dt.date | None:
    """The day holding time t (months from the year start): month ceil(t), day by its fraction."""
    if not math.isfinite(t):
        return None
    m = math.ceil(t)
    year, month = YEAR + (m - 1) // 12, (m - 1) % 12 + 1
    first = dt.date(year, month, 1)
    days = ((first + dt.timedelta(days=32)).replace(day=1) - first).days
    day = min(days, max(1, math.ceil((t - (m - 1)) * days)))
    return dt.date(year, month, day)


@dataclass(frozen=True)
class Design:
    """What a zone is before its fates are drawn: the ledger projects known by the first
    quarter end (stage, entry time, sizes, plans, capital type) and the offices' lead rates."""

    kind: np.ndarray  # 'signed' (the cohort), 'intent' or 'negotiating'
    entered: np.ndarray  # time entered that stage (signing time for the cohort)
    total: np.ndarray  # 亿元
    planned: np.ndarray  # 亿元; 0: no plan
    foreign: np.ndarray  # bool
    leads_per_quarter: tuple[float, ...]  # per office (OFFICES order)


def draw_design(rng: np.random.Generator, foreign_share: float = 0.25) -> Design:
    counts = {
        "signed": int(rng.integers(12, 26)),
        "intent": int(rng.integers(10, 23)),
        "negotiating": int(rng.integers(10, 23)),
    }
    kind = np.concatenate([np.full(n, k, dtype=object) for k, n in counts.items()])
    n = len(kind)
    entered = rng.uniform(-HISTORY, FIRST_AS_OF, n)
    total = np.round(np.exp(rng.normal(np.log(3.0), 1.0, n)), 2).clip(0.1)
    share = rng.uniform(0.15, 0.5, n)
    planned = np.where(rng.random(n) < 0.8, np.round(total * share, 2), 0.0)
    foreign = rng.random(n) < foreign_share
    leads = (float(rng.integers(4, 10)), float(rng.integers(3, 8)))
    return Design(kind, entered, total, planned, foreign, leads)


def _history_columns(rng: np.random.Generator, d: Design) -> dict[str, np.ndarray]:
    """draw_history's columns as arrays, ledger projects then each office's leads (the draws
    made in draw_history's order): what year_end reads, without a DataFrame (targets_of draws
    hundreds of histories per zone)."""
    n = len(d.kind)
    signs = np.ones(n, bool)
    t_sign = d.entered.copy()
    for stage in ("intent", "negotiating"):
        at = d.kind == stage
        k = int(at.sum())
        signs[at] = rng.random(k) < STAGE_P[stage]
        t_sign[at] = d.entered[at] + lag(rng, STAGE_MONTHS[stage], k)
    t_sign = np.where(signs, t_sign, np.nan)
    parts: dict[str, list] = {
        "kind": [d.kind],
        "entered": [d.entered],
        "t_sign": [t_sign],
        "total": [d.total],
        "planned": [d.planned],
        "foreign": [d.foreign],
        "channel": [np.full(n, "")],
    }
    for office, rate in zip(OFFICES, d.leads_per_quarter, strict=True):
        span = HISTORY + 12
        m = int(rng.poisson(rate / 3 * span))
        arrive = np.sort(rng.uniform(-HISTORY, 12, m))
        converts = rng.random(m) < CONVERSION
        signed = np.where(converts, arrive + lag(rng, CHANNEL_MONTHS, m), np.nan)
        size = np.round(np.exp(rng.normal(np.log(SIZE_MEDIAN), SIZE_SIGMA, m)), 2).clip(0.01)
        share = FOREIGN_OVERSEAS if office["id"] == "japan" else FOREIGN_DOMESTIC
        parts["kind"].append(np.full(m, "lead"))
        parts["entered"].append(arrive)
        parts["t_sign"].append(signed)
        parts["total"].append(size)
        parts["planned"].append(np.zeros(m))
        parts["foreign"].append(rng.random(m) < share)
        parts["channel"].append(np.full(m, office["name"]))
    h = {key: np.concatenate(arrays) for key, arrays in parts.items()}
    n = len(h["t_sign"])
    starts = rng.random(n) < START_P
    h["t_start"] = np.where(starts, h["t_sign"] + lag(rng, MONTHS_TO_START, n), np.nan)
    produces = rng.random(n) < PRODUCTION_P
    h["t_prod"] = np.where(produces, h["t_start"] + lag(rng, MONTHS_TO_PRODUCTION, n), np.nan)
    plan = h["planned"] > 0
    pace = np.where(plan, beta(rng, ARRIVAL_RATIO, n), beta(rng, UNPLANNED_SHARE, n))
    base = np.where(plan, h["planned"], h["total"])
    h["monthly_cny"] = pace * base / 12  # from the start month to December
    return h


def draw_history(rng: np.random.Generator, d: Design) -> pd.DataFrame:
    """One history: a row per ledger project and per lead, with every time (NaN: never)."""
    h = _history_columns(rng, d)
    return pd.DataFrame({key: list(v) if v.dtype.kind == "U" else v for key, v in h.items()})


def monthly_arrivals(h: pd.DataFrame | dict[str, np.ndarray]) -> np.ndarray:
    """(projects, 12) CNY arrived in each month of the year."""
    first = np.clip(month_of(np.nan_to_num(np.asarray(h["t_start"]), nan=99.0)), 1, 13)
    months = np.arange(1, 13)
    paying = (months[None, :] >= first[:, None]) & (first[:, None] <= 12)
    return paying * np.asarray(h["monthly_cny"])[:, None]


def year_end(h: pd.DataFrame | dict[str, np.ndarray]) -> dict[str, float]:
    """What the year-end ledger shows for each target's metric (of draw_history's frame or of
    its columns as arrays)."""

    def in_year(col: str) -> int:
        t = np.asarray(h[col])
        return int(np.sum((t > 0) & (t <= 12)))

    money = monthly_arrivals(h).sum(axis=1)
    foreign = np.asarray(h["foreign"], bool)
    return {
        "domestic_capital": float(money[~foreign].sum()),
        "foreign_capital": float(money[foreign].sum() / FX),
        "new_starts": in_year("t_start"),
        "new_production": in_year("t_prod"),
        "new_signings": in_year("t_sign"),
    }


def ledger_rows(h: pd.DataFrame, tau: float, leads_in_ledger: bool = True) -> list[list]:
    """The ledger as it stood at time tau: projects known by then, stages and dates as of tau."""
    out = []
    for i, r in enumerate(h.itertuples(index=False)):
        visible_from = r.entered if (r.kind != "lead" or leads_in_ledger) else r.t_sign
        if not visible_from <= tau:  # NaN (a lead that never signs) is never visible then
            continue
        t_sign = r.t_sign if r.t_sign <= tau else math.nan
        t_start = r.t_start if r.t_start <= tau else math.nan
        t_prod = r.t_prod if r.t_prod <= tau else math.nan
        if math.isfinite(t_prod):
            stage, since = "producing", t_prod
        elif math.isfinite(t_start):
            stage, since = "started", t_start
        elif math.isfinite(t_sign):
            stage, since = "signed", t_sign
        else:
            stage, since = r.kind, r.entered
        out.append(
            [
                pid(i),
                f"合成项目{i + 1:03d}",
                "外资" if r.foreign else "内资",
                r.channel or None,
                STAGE_ZH[stage],
                float(r.total),
                float(r.planned) if r.planned > 0 else None,
                to_date(t_sign),
                to_date(t_start),
                to_date(t_prod),
                to_date(since),
            ]
        )
    return out


def pid(i: int) -> str:
    return f"SZ{i + 1:04d}"


def arrival_rows(h: pd.DataFrame) -> list[list]:
    money = monthly_arrivals(h)
    rows = []
    for i, m in zip(*np.nonzero(money > 0), strict=True):
        foreign = bool(h["foreign"].iat[i])
        amount = money[i, m] / FX if foreign else money[i, m]
        rows.append(
            [
                pid(int(i)),
                dt.date(YEAR, int(m) + 1, 1),
                round(float(amount), 8),
                "美元" if foreign else "人民币",
            ]
        )
    return rows


def write_xlsx(path: Path, sheet: str, header: list[str], rows: list[list]) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)


def targets_of(rng: np.random.Generator, d: Design) -> dict[str, float]:
    """Each metric's expected year-end over other histories of the zone, times U(0.6, 1.4)."""
    draws = pd.DataFrame([year_end(_history_columns(rng, d)) for _ in range(TARGET_DRAWS)])
    out = {}
    for metric in METRICS:
        level = float(draws[metric].mean()) * rng.uniform(0.6, 1.4)
        out[metric] = max(1, round(level)) if metric.startswith("new_") else round(level, 3)
    return out


def params_of(ledger: str, arrivals: str, targets: dict[str, float], d: Design) -> dict:
    money = {"domestic_capital": "CNY", "foreign_capital": "USD"}
    return {
        "zone": "合成园区",
        "zone_en": "Synthetic zone",
        "year": YEAR,
        "fx_cny_per_usd": FX,
        "targets": {
            m: {"annual": v, **({"currency": money[m]} if m in money else {})}
            for m, v in targets.items()
            if v > 0
        },
        "metrics": {
            "new_signings": {"label": "新签约项目", "label_en": "New signings", "count": "signed"}
        },
        "offices": [
            {**o, "overseas": o["id"] == "japan", "leads_per_quarter": rate}
            for o, rate in zip(OFFICES, d.leads_per_quarter, strict=True)
        ],
        "drivers": {
            "stage_probability": dict(STAGE_P),
            "months_to_sign": dict(STAGE_MONTHS),
            "start_probability": START_P,
            "months_to_start": MONTHS_TO_START,
            "production_probability": PRODUCTION_P,
            "months_to_production": MONTHS_TO_PRODUCTION,
            "lag_sigma": LAG_SIGMA,
            "slip_months": 0,
            "arrival_ratio": {"mean": ARRIVAL_RATIO[0], "concentration": ARRIVAL_RATIO[1]},
            "unplanned_share": {"mean": UNPLANNED_SHARE[0], "concentration": UNPLANNED_SHARE[1]},
            "size_sigma": SIZE_SIGMA,
            "driver_spread": 0,
            "shared_shock": 0,
            "channels": {
                "conversion": CONVERSION,
                "months_to_sign": CHANNEL_MONTHS,
                "size_median": SIZE_MEDIAN,
                "share_500": 0.0,
                "foreign_share_overseas": FOREIGN_OVERSEAS,
                "foreign_share_domestic": FOREIGN_DOMESTIC,
            },
        },
        "event_plan": [],
        "data": {"ledger": ledger, "arrivals": arrivals},
    }


@dataclass(frozen=True)
class SynthZone:
    params: Path
    truth: dict[str, float]  # the year-end values the final ledger shows
    targets: dict[str, float]
    projects: int  # rows of the final ledger


def make_zone(folder: str | Path, seed: int, *, leads_in_ledger: bool = True) -> SynthZone:
    """Draw one zone and write its params, ledger, arrivals and Q1–Q3 snapshots to `folder`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    design_rng, fate_rng, target_rng = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3)
    )
    d = draw_design(design_rng)
    h = draw_history(fate_rng, d)
    targets = targets_of(target_rng, d)
    final = ledger_rows(h, 12.0, leads_in_ledger)
    write_xlsx(folder / "ledger.xlsx", "项目台账", LEDGER_HEADER, final)
    for quarter, tau in QUARTER_ENDS.items():
        rows = ledger_rows(h, tau, leads_in_ledger)
        write_xlsx(folder / f"ledger-{quarter}.xlsx", "项目台账", LEDGER_HEADER, rows)
    write_xlsx(folder / "arrivals.xlsx", "到位资金", ARRIVALS_HEADER, arrival_rows(h))
    params = params_of("ledger.xlsx", "arrivals.xlsx", targets, d)
    path = folder / "zone.yaml"
    path.write_text(yaml.safe_dump(params, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return SynthZone(path, year_end(h), targets, len(final))


# ---- scoring: the project's own backtest on the written files ------------------------------

QUARTERS = "2020Q1-2020Q3"
COUNT_METRICS = ("new_starts", "new_production", "new_signings")
DECILE_MIN = 30  # forecasts a P-decile needs to be judged


def backtest_zone(folder: str | Path, seed: int, trials: int) -> pd.DataFrame:
    """Draw a zone into `folder` and backtest it from 2020Q1, Q2, Q3 to the year end with the
    public `workbook.forecast.backtest.backtest` (its forecasts, one row per quarter and target)."""
    from workbook.forecast.backtest import backtest
    from workbook.zone.loader import load_zone

    z = make_zone(folder, seed)
    bt = backtest(load_zone(z.params), QUARTERS, trials=trials, seed=seed)
    f = bt.forecasts.copy()
    f["zone"] = seed
    f["kind"] = np.where(f["metric"].isin(COUNT_METRICS), "count", "money")
    return f


def inside_band(f: pd.DataFrame) -> pd.Series:
    """Whether each outcome lies in [P10, P90] to float rounding: an outcome equal to its P10
    (no new money after the quarter, the forecast's own floor) is inside, not 1e-8 below."""
    tol = 1e-6 * np.maximum(1.0, np.maximum(f["p10"].abs(), f["p90"].abs()))
    return (f["p10"] - tol <= f["outcome"]) & (f["outcome"] <= f["p90"] + tol)


def calibration(f: pd.DataFrame) -> dict:
    """The pooled figures of a set of backtest forecasts (columns quarter, kind, p_attain, p10,
    p50, p90, outcome, met)."""
    met = f["met"].astype(float)
    inside = inside_band(f)
    coverage = {
        (q, k): float(inside[(f["quarter"] == q) & (f["kind"] == k)].mean())
        for q in sorted(f["quarter"].unique())
        for k in ("money", "count")
    }
    # The randomized rank of each outcome among its forecast's trials, u uniform on
    # [P(X < y), P(X <= y)]: its chance of falling in [0.1, 0.9] is the coverage a count (whole
    # numbers) or a forecast with an atom earns; pooled, 0.8 when the forecast is calibrated.
    lo, hi = f["below"].to_numpy(float), f["at_or_below"].to_numpy(float)
    width = hi - lo
    point = ((lo >= 0.1) & (lo <= 0.9)).astype(float)
    overlap = np.clip(np.minimum(hi, 0.9) - np.maximum(lo, 0.1), 0.0, None)
    central = pd.Series(np.divide(overlap, width, out=point, where=width > 0), index=f.index)
    central_80 = {
        (q, k): float(central[(f["quarter"] == q) & (f["kind"] == k)].mean())
        for q in sorted(f["quarter"].unique())
        for k in ("money", "count")
    }
    below = {k: float((f["outcome"] < f["p50"])[f["kind"] == k].mean()) for k in ("money", "count")}
    bins = np.minimum((f["p_attain"] * 10).astype(int), 9)
    deciles = (
        pd.DataFrame({"bin": bins, "p": f["p_attain"], "met": met})
        .groupby("bin")
        .agg(n=("p", "size"), mean_p=("p", "mean"), share_met=("met", "mean"))
        .reset_index()
    )
    base = float(met.mean())
    return {
        "forecasts": len(f),
        "coverage": coverage,
        "central_80": central_80,
        "below_p50": below,
        "mean_p": float(f["p_attain"].mean()),
        "share_met": base,
        "bias": float(f["p_attain"].mean() - base),
        "deciles": deciles,
        "brier": float(np.mean((f["p_attain"] - met) ** 2)),
        "brier_constant": base * (1 - base),
    }


# ---- the oracle: the documented model's own forecast, from what was known at a quarter end --


def _after(rng, p, mean, waited, shape):
    """(happens, lag from the entry) for a milestone of probability p and lag mean `mean`
    not reached after `waited` months: p·S/(1 − p + p·S), and the lag given L > waited."""
    from scipy.stats import norm

    z = (np.log(np.maximum(waited, 1e-12) / mean) + LAG_SIGMA**2 / 2) / LAG_SIGMA
    z = np.where(waited > 0, z, -np.inf)
    s = norm.sf(z)
    q = p * s / (1 - p + p * s)
    happens = rng.random(shape) < q
    u = norm.cdf(z) + rng.random(shape) * s
    lag_ = mean * np.exp(LAG_SIGMA * norm.ppf(np.clip(u, 1e-15, 1 - 1e-15)) - LAG_SIGMA**2 / 2)
    return happens, lag_


def _paying_months(t_start: np.ndarray) -> np.ndarray:
    first = np.clip(np.ceil(np.nan_to_num(t_start, nan=99.0)), 1, 13)
    return np.where(t_start <= 12, 13 - first, 0)


def oracle(h: pd.DataFrame, tau: float, trials: int, rng: np.random.Generator, d: Design) -> dict:
    """Year-end values (trials,) per metric, simulated from the state at tau by the model itself:
    what a forecast that follows the spec exactly gives (the benchmark's reference)."""
    v = h[h["entered"] <= tau]
    n, shape = len(v), (trials, len(v))
    known = {c: np.where(v[c] <= tau, v[c], np.nan) for c in ("t_sign", "t_start", "t_prod")}
    entered = v["entered"].to_numpy()
    t_sign = np.broadcast_to(known["t_sign"], shape).copy()
    p = np.array([STAGE_P.get(k, 1.0) for k in v["kind"]])
    mean = np.array([STAGE_MONTHS.get(k, 1.0) for k in v["kind"]])
    todo = np.isnan(known["t_sign"])
    ok, lg = _after(rng, p, mean, tau - entered, shape)
    t_sign[:, todo] = np.where(ok, entered + lg, np.nan)[:, todo]

    def next_stage(prev, fact, prob, mean_):
        out = np.broadcast_to(fact, shape).copy()
        waited = np.where(prev <= tau, tau - prev, 0.0)  # known: waited since; else fresh
        ok, lg = _after(rng, prob, mean_, waited, shape)
        fresh = np.isnan(fact)[None, :] & np.ones(shape, bool)
        out[fresh] = np.where(ok & ~np.isnan(prev), prev + lg, np.nan)[fresh]
        return out

    t_start = next_stage(t_sign, known["t_start"], START_P, MONTHS_TO_START)
    t_prod = next_stage(t_start, known["t_prod"], PRODUCTION_P, MONTHS_TO_PRODUCTION)
    plan = v["planned"].to_numpy() > 0
    base = np.where(plan, v["planned"], v["total"])
    planned_pace = beta(rng, ARRIVAL_RATIO, n * trials).reshape(shape)
    pace = np.where(plan, planned_pace, beta(rng, UNPLANNED_SHARE, n * trials).reshape(shape))
    monthly = np.where(known["t_start"] <= tau, v["monthly_cny"], pace * base / 12)
    money = monthly * _paying_months(t_start)
    foreign = v["foreign"].to_numpy(bool)
    out = {
        "domestic_capital": money[:, ~foreign].sum(axis=1),
        "foreign_capital": money[:, foreign].sum(axis=1) / FX,
    }
    for metric, t in (
        ("new_starts", t_start),
        ("new_production", t_prod),
        ("new_signings", t_sign),
    ):
        out[metric] = ((t > 0) & (t <= 12)).sum(axis=1).astype(float)
    # leads still to come: Poisson over (tau, 12], then like any unplanned signed project
    for office, rate in zip(OFFICES, d.leads_per_quarter, strict=True):
        m = rng.poisson(rate / 3 * (12 - tau), trials)
        trial = np.repeat(np.arange(trials), m)
        k = len(trial)
        arrive = rng.uniform(tau, 12, k)
        sign = np.where(rng.random(k) < CONVERSION, arrive + lag(rng, CHANNEL_MONTHS, k), np.nan)
        start = np.where(rng.random(k) < START_P, sign + lag(rng, MONTHS_TO_START, k), np.nan)
        prod = np.where(
            rng.random(k) < PRODUCTION_P, start + lag(rng, MONTHS_TO_PRODUCTION, k), np.nan
        )
        size = np.exp(rng.normal(np.log(SIZE_MEDIAN), SIZE_SIGMA, k))
        pay = beta(rng, UNPLANNED_SHARE, k) * size / 12 * _paying_months(start)
        share = FOREIGN_OVERSEAS if office["id"] == "japan" else FOREIGN_DOMESTIC
        fgn = rng.random(k) < share
        out["domestic_capital"] += np.bincount(trial, pay * ~fgn, trials)
        out["foreign_capital"] += np.bincount(trial, pay * fgn, trials) / FX
        for metric, t in (("new_starts", start), ("new_production", prod), ("new_signings", sign)):
            out[metric] += np.bincount(trial, (t <= 12).astype(float), trials)
    return out


def oracle_zone(seed: int, trials: int) -> pd.DataFrame:
    """The oracle's forecasts for zone `seed` (the same draws as make_zone), scored like the
    backtest (its quantiles and P(attain) rule)."""
    from workbook.forecast.results import quantiles, reached

    design_rng, fate_rng, target_rng = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3)
    )
    d = draw_design(design_rng)
    h = draw_history(fate_rng, d)
    targets = targets_of(target_rng, d)
    truth = year_end(h)
    rng = np.random.default_rng([seed, 99])
    rows = []
    for quarter, tau in QUARTER_ENDS.items():
        values = oracle(h, tau, trials, rng, d)
        for metric, level in targets.items():
            if level <= 0:
                continue
            x = values[metric]
            p10, p50, p90 = quantiles(x, metric in COUNT_METRICS)
            met = bool(reached(np.array([truth[metric]]), level)[0])
            rows.append(
                {
                    "zone": seed,
                    "quarter": quarter,
                    "metric": metric,
                    "kind": "count" if metric in COUNT_METRICS else "money",
                    "p_attain": float(reached(x, level).mean()),
                    **{"p10": p10, "p50": p50, "p90": p90},
                    "outcome": truth[metric],
                    "met": met,
                    "below": float(np.mean(x < truth[metric] - 1e-6 * max(1, abs(truth[metric])))),
                    "at_or_below": float(
                        np.mean(x <= truth[metric] + 1e-6 * max(1, abs(truth[metric])))
                    ),
                }
            )
    return pd.DataFrame(rows)
