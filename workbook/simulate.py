"""Monte Carlo forecast of every target: how the year ends, as probabilities (DESIGN.md §3).

    engine = Engine(zone, as_of=dt.date(2020, 6, 30), trials=20_000, seed=1)
    fc = engine.forecast()                    # params' drivers and event plan
    fc = engine.forecast_scenario("疫情延迟")  # a named scenario
    fc.targets, fc.p_all, fc.fan("domestic_capital"), fc.year_end("new_starts"), fc.projects

The model, month by month after the as-of month (what lands after December does not count):

- Facts are facts: arrivals logged up to the as-of month and stage dates up to the as-of date
  count exactly as `workbook.metrics` counts them; the forecast only adds to them. A project's
  stage is the one its dates show at the as-of date (so an earlier as-of replays the past).
- A project before signing signs with its stage's probability, `months_to_sign` after the
  as-of date; a signed one starts with `start_probability`, `months_to_start` later; a started
  one produces with `production_probability`. Lags are lognormal around their means; the
  first milestone still ahead of each project slips by `slip_months`.
- Money arrives, not signatures: a started project ends the year at a Beta `arrival_ratio`
  share of its planned in-year inflow (never below what has arrived), the rest paid evenly
  over the months left; one that starts later pays that share of its plan's monthly rate
  from its start month; one without a plan pays an `unplanned_share` of its total investment
  a year. Foreign money counts in the target's currency at the FX rate.
- Offices and platforms bring leads every month, events in the plan bring leads in their
  month (events already held are in the ledger); a share of leads sign after a lag as new
  deals with a heavy-tailed size, a foreign share, a 500强 share (foreign ones on the
  世界500强 list, domestic ones on the 中国500强 list) and a 四新 share, then start and pay
  like a project without a plan.

Common random numbers: every draw is a 15-bit code (workbook.draws) made once per (seed,
trials, as-of) and per (catalogue event, month) slot, and kept on the engine; a driver change
or another plan rebuilds small tables and re-reads the same codes. Same seed, same result.
Trials run in chunks of `CHUNK` so memory stays bounded; draws above `cache_mb` are
regenerated (identically) instead of kept.
"""

from __future__ import annotations

import datetime as dt
import math
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import sparse

from workbook import draws
from workbook.drivers import Drivers, PlannedEvent
from workbook.errors import InputError, ParamsError
from workbook.i18n import STAGES, check_lang
from workbook.ledger import convert_rate
from workbook.messages import Message
from workbook.metrics import BIG_PROJECT, HUNDRED_BILLION, METRICS, count_masks, unit_of
from workbook.pacing import check_as_of
from workbook.zone import Zone

if TYPE_CHECKING:
    from workbook.forecast import Forecast  # forecast.py imports this module

CHUNK = 4096  # trials per chunk; part of the draws' identity, so fixed
SPARSE = 0.3  # below this share of trials signing in the year, a stage runs sparse
DEAL_SPAN = 8  # chunks of trials whose new deals are simulated together
BLOCK = 4  # deal slots per overflow block (deals beyond a source's pool)
KEYS: tuple[str, ...] = tuple(METRICS)  # every metric, in METRICS order
MONEY = KEYS[:2]
COUNTS = KEYS[2:]
PRE_SIGN = STAGES[:5]
_KIND_OF_STAGE = {
    **{s: ("S", "T", "P", "R") for s in PRE_SIGN},
    "signed": ("T", "P", "R"),
    "started": ("P", "R"),
    "producing": ("R",),
}
# Marks of one new deal, in the order its codes are drawn.
_DEAL_MARKS = ("lag", "month", "size", "foreign", "is500", "four_new", "start", "produce", "share")
_M = {name: i for i, name in enumerate(_DEAL_MARKS)}
_C = {name: i for i, name in enumerate(COUNTS)}
# What a group of ledger projects simulates: milestone families (their count metrics) and money.
_EVERYTHING = frozenset({"sign", "start", "produce", "money"})
_STARTED = frozenset({"start", "produce", "money"})  # what needs the start month
# Stream families (first element of every draw key).
_PROJECTS, _CHANNEL, _EVENT, _EXTRA = 1, 2, 3, 4
EXTRA_SLOTS = 20  # goal seek: extra signed capital is spread over this many signed projects


# What the planning modules add on top of the engine, reachable from here as well.
_ELSEWHERE = {
    "goal_seek": "workbook.goalseek",
    "GoalSeek": "workbook.goalseek",
    "compare": "workbook.scenarios",
    "sensitivity": "workbook.scenarios",
    "calibrate": "workbook.calibrate",
    "Forecast": "workbook.forecast",
}


def __getattr__(name: str) -> Any:
    """`simulate.goal_seek`, `simulate.compare`, … without importing them with the engine."""
    if name in _ELSEWHERE:
        import importlib

        return getattr(importlib.import_module(_ELSEWHERE[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def default_as_of(zone: Zone) -> dt.date:
    """The end of the last month with arrivals logged in the plan year; an error without any."""
    year = zone.params.year
    months = pd.to_datetime(zone.ledger.arrivals["month"])
    months = months[months.dt.year == year]
    if not len(months):
        raise InputError(
            f"no arrivals are logged for {year}, so there is no as-of date to take: give one "
            "(--as-of 2020-06-30)"
        )
    return (months.max() + pd.offsets.MonthEnd(0)).date()


def stage_at(projects: pd.DataFrame, as_of: dt.date) -> pd.Series:
    """Each project's stage at the as-of date, by its dates (the ledger's stage when no date
    after signing applies; 意向 for a project whose signing falls after the as-of date)."""
    ts = pd.Timestamp(as_of)
    stage = projects["stage"].astype(str).to_numpy(dtype=object).copy()
    reached_sign = np.array([STAGES.index(s) >= STAGES.index("signed") for s in stage], bool)
    stage[reached_sign] = "intent"
    for col, name in (
        ("signed_date", "signed"),
        ("start_date", "started"),
        ("production_date", "producing"),
    ):
        d = projects[col]
        stage[(d.notna() & (d <= ts)).to_numpy()] = name
    return pd.Series(stage, index=projects.index, name="stage")


@dataclass
class _Group:
    """Ledger projects of one stage (at the as-of date) and one plan status, simulated together."""

    stage: str
    has_plan: bool
    cols: np.ndarray  # positions in the ledger
    kinds: tuple[str, ...]
    key: tuple[int, ...]
    # Count metrics reached by signing / starting / producing: the columns that count for
    # any of them (`sel_*`) and their weights (k, 8); new starts and new production count
    # every column and are summed directly.
    sel_sign: np.ndarray | None = None
    w_sign: np.ndarray | None = None
    sel_start: np.ndarray | None = None
    w_start: np.ndarray | None = None
    sel_produce: np.ndarray | None = None
    w_produce: np.ndarray | None = None

    full: dict[str, np.ndarray] = field(default_factory=dict)  # (n, 8) weights, every column
    # The count metrics each family counts for: positions in KEYS of the columns with a weight.
    metrics_of: dict[str, tuple[int, ...]] = field(default_factory=dict)

    def select(self, family: str, w: np.ndarray, every: str | None = None) -> None:
        """Keep the columns with a weight (besides `every`, which counts all of them)."""
        self.full[family] = w.copy()
        self.metrics_of[family] = tuple(2 + int(j) for j in np.flatnonzero(w.any(axis=0)))
        if every is not None:
            w[:, _C[every]] = 0
        sel = np.flatnonzero(w.any(axis=1))
        setattr(self, f"sel_{family}", sel)
        setattr(self, f"w_{family}", np.ascontiguousarray(w[sel]))


@dataclass(frozen=True)
class Source:
    """Where new deals come from: an office or platform, or one event held in one month."""

    kind: str  # "channel" | "event"
    name: str  # channel id or event id
    month: int  # the event's month; for a channel the first month of leads
    copy: int  # 0, 1, … when the same event is held twice in a month
    expected_signings: float  # Poisson mean of deals (leads x conversion)
    spread: int  # months over which a channel's leads arrive (0 for an event)
    lag: float  # mean months from lead to signing
    size_median: float
    foreign_share: float
    share_500: float
    # Deals drawn ahead per trial: Poisson at this mean (from the params' own drivers, so the
    # draws never depend on which forecast came first); a forecast with a larger mean draws
    # the rest in overflow blocks.
    cap: float = 0.0

    @property
    def key(self) -> tuple[int, ...]:
        crc = zlib.crc32(self.name.encode("utf-8"))
        if self.kind == "channel":
            return (_CHANNEL, crc)
        return (_EVENT, crc, self.month, self.copy)


@dataclass
class _Setup:
    """What one forecast needs beyond the draws: tables, weights and sources."""

    drivers: Drivers
    fx: float
    plan: pd.DataFrame
    sources: list[Source]
    tables: dict[str, np.ndarray]
    money_w: dict[int, np.ndarray]  # group index -> (n, 2): scale x (CNY -> metric unit)
    floors: dict[int, np.ndarray]  # group index -> (n,): arrived so far / amount (started)
    scale: np.ndarray  # per ledger project: 亿元 per unit of share (a year, or a month)
    deal_fx: np.ndarray  # (2,) CNY -> unit of the domestic / foreign money metric
    src: dict[str, np.ndarray] = field(default_factory=dict)
    deal_key: tuple = ()  # everything new deals depend on
    sparse: dict[str, bool] = field(default_factory=dict)  # stage -> few sign within the year


class Engine:
    """A zone's pipeline ready to simulate: draws made once, forecasts read them again."""

    def __init__(
        self,
        zone: Zone,
        as_of: dt.date | None = None,
        trials: int = 10_000,
        seed: int = 1,
        *,
        lang: str = "zh",
        cache_mb: float = 512.0,
    ):
        if not isinstance(trials, int | np.integer) or trials < 1:
            raise InputError(f"trials must be a whole number >= 1, got {trials}")
        params = zone.params
        self.zone = zone
        self.params = params
        self.as_of = as_of if as_of is not None else default_as_of(zone)
        check_as_of(self.as_of, params.year)
        self.trials = int(trials)
        self.seed = int(seed)
        self.lang = check_lang(lang)
        self.month = self.as_of.month  # the as-of month: the last one that is fact
        self.future = 12 - self.month  # months simulated
        self._cache: dict[tuple, np.ndarray] = {}
        self._cache_bytes = 0
        self._cache_limit = cache_mb * 2**20
        self._active: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
        self._deals_last: dict[int, tuple] = {}
        self._deal_result: dict[tuple, tuple] = {}  # (months, keys) -> (deal drivers, result)
        self._prepare_ledger()
        self._catalogue = None if zone.events is None else zone.events.set_index("event_id")
        self._check_plans()
        self._facts: dict[float, dict[str, float]] = {}
        self._monthly_facts: dict[float, np.ndarray] = {}

    # ---- the ledger at the as-of date ----------------------------------------------------

    def _prepare_ledger(self) -> None:
        p = self.zone.ledger.projects.reset_index(drop=True)
        self.projects = p
        year_start = dt.date(self.params.year, 1, 1)
        self.stage = stage_at(p, self.as_of).to_numpy()
        counted = count_masks(p, year_start, self.as_of)["bonus_500"].to_numpy(bool)
        plan = p["planned_inflow"].fillna(0).to_numpy(float)
        self.plan_inflow = plan
        self.total = p["total_investment"].fillna(0).to_numpy(float)
        self.foreign = (p["capital_type"] == "foreign").to_numpy()
        flag = p["list_flag"].fillna("none").to_numpy(dtype=object)
        new500 = p["new_500_signing"].fillna(False).astype(bool).to_numpy()
        four = p["four_new"].fillna(False).astype(bool).to_numpy()
        bonus = (flag != "none") & ~counted

        # Arrivals already logged this year, up to the as-of month, per project and currency.
        a = self.zone.ledger.arrivals
        lo = pd.Timestamp(year_start)
        hi = pd.Timestamp(self.as_of.year, self.as_of.month, 1)
        a = a[(a["month"] >= lo) & (a["month"] <= hi)]
        pos = pd.Series(np.arange(len(p)), index=p["project_id"])
        self.arrived_cny = np.zeros(len(p))
        self.arrived_usd = np.zeros(len(p))
        for cur, target in (("CNY", self.arrived_cny), ("USD", self.arrived_usd)):
            sums = a[a["currency"] == cur].groupby("project_id")["amount"].sum()
            np.add.at(target, pos.reindex(sums.index).to_numpy(), sums.to_numpy())

        self.groups: list[_Group] = []
        for si, stage in enumerate(STAGES):
            for has_plan in (True, False):
                cols = np.flatnonzero((self.stage == stage) & ((plan > 0) == has_plan))
                if not len(cols):
                    continue
                g = _Group(stage, has_plan, cols, _KIND_OF_STAGE[stage], (si, int(has_plan)))
                n = len(cols)
                if stage in PRE_SIGN:
                    w = np.zeros((n, len(COUNTS)), np.float32)
                    w[:, _C["global500_signings"]] = new500[cols] & (flag[cols] == "global500")
                    w[:, _C["china500_signings"]] = new500[cols] & (flag[cols] == "china500")
                    w[:, _C["bonus_500"]] = bonus[cols]
                    w[:, _C["big_projects_30"]] = self.total[cols] >= BIG_PROJECT
                    w[:, _C["projects_100"]] = self.total[cols] >= HUNDRED_BILLION
                    g.select("sign", w)
                if "T" in g.kinds:
                    w = np.zeros((n, len(COUNTS)), np.float32)
                    w[:, _C["new_starts"]] = 1
                    w[:, _C["four_new"]] = four[cols]
                    if stage == "signed":
                        w[:, _C["bonus_500"]] = bonus[cols]
                    g.select("start", w, every="new_starts")
                if "P" in g.kinds:
                    w = np.zeros((n, len(COUNTS)), np.float32)
                    w[:, _C["new_production"]] = 1
                    if stage == "started":
                        w[:, _C["bonus_500"]] = bonus[cols]
                    g.select("produce", w, every="new_production")
                self.groups.append(g)

    # ---- plans and scenarios -------------------------------------------------------------

    @property
    def scenarios(self) -> list[str]:
        """Names of the params' scenarios, in file order."""
        return list(self.params.scenarios)

    def scenario_key(self, name: str) -> str:
        """The params key of a scenario given by its key or its English name."""
        for key, sc in self.params.scenarios.items():
            if name in (key, sc.name_en):
                return key
        valid = ", ".join(
            f"{k} ({sc.name_en})" if sc.name_en else k for k, sc in self.params.scenarios.items()
        )
        raise InputError(f"unknown scenario {name!r} (expected one of {valid or 'none defined'})")

    def scenario_drivers(self, name: str) -> Drivers:
        sc = self.params.scenarios[self.scenario_key(name)]
        try:
            return self.params.drivers.apply(sc.drivers)
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            raise ParamsError([f"{self._source()}: scenarios.{name}.drivers: {exc}"]) from None

    def scenario_plan(self, name: str) -> pd.DataFrame:
        sc = self.params.scenarios[self.scenario_key(name)]
        return plan_frame(sc.event_plan if sc.event_plan is not None else self.params.event_plan)

    @property
    def base_plan(self) -> pd.DataFrame:
        """The params' event plan as DataFrame[event_id, month]."""
        return plan_frame(self.params.event_plan)

    def _source(self) -> str:
        return str(self.params.source) if self.params.source else "<params>"

    def _check_plans(self) -> None:
        problems: list[Message] = []
        plans: list[tuple[str, tuple[PlannedEvent, ...]]] = [("event_plan", self.params.event_plan)]
        for key, sc in self.params.scenarios.items():
            if sc.event_plan is not None:
                plans.append((f"scenarios.{key}.event_plan", sc.event_plan))
        for where, plan in plans:
            for i, ev in enumerate(plan):
                problem = self._plan_problem(ev.event_id, ev.month)
                if problem:
                    at_key = Message("at", where=f"{where}.{i}", body=problem)
                    problems.append(Message("at", where=self._source(), body=at_key))
        if problems:
            raise ParamsError(problems)

    def _plan_problem(self, event_id: str, month: int) -> Message | None:
        if self._catalogue is None:
            return Message("plan.no_catalogue", id=event_id)
        if event_id not in self._catalogue.index:
            valid = ", ".join(self._catalogue.index)
            return Message("plan.unknown_event", id=event_id, valid=valid)
        months = tuple(self._catalogue.at[event_id, "months"])
        if month not in months:
            return Message("plan.month", id=event_id, month=month, months=_months_text(months))
        return None

    def resolve_plan(self, plan: pd.DataFrame | Iterable[PlannedEvent] | None) -> pd.DataFrame:
        """A plan as DataFrame[event_id, month] (None: the params' plan), checked."""
        df = self.base_plan if plan is None else plan_frame(plan)
        problems = [
            Message("plan.row", row=i, body=msg)
            for i, (eid, m) in enumerate(zip(df["event_id"], df["month"], strict=True))
            if (msg := self._plan_problem(eid, int(m)))
        ]
        if problems:
            raise InputError(problems)
        return df

    # ---- forecasts -----------------------------------------------------------------------

    def forecast(
        self,
        drivers: Drivers | None = None,
        plan: pd.DataFrame | Iterable[PlannedEvent] | None = None,
        *,
        scenario: str | None = None,
    ) -> Forecast:
        """Simulate the rest of the year. `drivers` None: the params' drivers; `plan` None: the
        params' event plan, an empty DataFrame: no events."""
        from workbook.forecast import Forecast

        drivers = drivers if drivers is not None else self.params.drivers
        setup = self._setup(drivers, self.resolve_plan(plan))
        future = self._run(setup, months=(12,))[:, 0, :]
        return Forecast(self, setup, future, scenario=scenario)

    def forecast_scenario(self, name: str) -> Forecast:
        """The forecast under a named scenario of the params (its drivers and its plan)."""
        key = self.scenario_key(name)
        return self.forecast(self.scenario_drivers(key), self.scenario_plan(key), scenario=key)

    def facts(self, fx: float | None = None) -> dict[str, float]:
        """Year-to-date value of every metric at the as-of date (the same as `status`)."""
        fx = float(fx or self.params.fx_cny_per_usd)
        if fx not in self._facts:
            self._facts[fx] = self._facts_at(self.as_of, fx)
        return self._facts[fx]

    def monthly_facts(self, fx: float | None = None) -> np.ndarray:
        """(12, metrics): cumulative facts at each month end up to the as-of month, NaN after."""
        fx = float(fx or self.params.fx_cny_per_usd)
        if fx not in self._monthly_facts:
            out = np.full((12, len(KEYS)), np.nan)
            for m in range(1, self.month + 1):
                end = (pd.Timestamp(self.params.year, m, 1) + pd.offsets.MonthEnd(0)).date()
                values = self._facts_at(min(end, self.as_of), fx)
                out[m - 1] = [values[k] for k in KEYS]
            self._monthly_facts[fx] = out
        return self._monthly_facts[fx]

    def _facts_at(self, date: dt.date, fx: float) -> dict[str, float]:
        from workbook.metrics import actuals

        # Assessed metrics exactly as `status` counts them (at this FX rate); the others by
        # the same definitions, so a forecast can add to every metric.
        params = self.params.model_copy(update={"fx_cny_per_usd": fx})
        values = actuals(params, self.zone.ledger, date)
        ledger = self.zone.ledger
        masks = count_masks(ledger.projects, dt.date(self.params.year, 1, 1), date)
        out = {}
        for key in KEYS:
            if key in values:
                out[key] = float(values[key])
            elif key in MONEY:
                out[key] = self._money_to(key, date, fx)
            else:
                out[key] = float(masks[key].sum())
        return out

    def _money_to(self, key: str, date: dt.date, fx: float) -> float:
        from workbook.ledger import arrivals_in

        m = METRICS[key]
        s = arrivals_in(self.zone.ledger, self.unit(key), fx, m.capital_type or "", date)
        return float(s[s.index >= pd.Timestamp(self.params.year, 1, 1)].sum())

    def unit(self, key: str) -> str:
        """The unit a metric is counted in: its target's currency, or 'count'."""
        target = dict(self.params.targets.items()).get(key)
        if target is not None:
            return unit_of(key, target)
        m = METRICS[key]
        return (m.default_currency or "CNY") if m.kind == "money" else "count"

    # ---- one forecast's tables, weights and sources --------------------------------------

    def _setup(self, d: Drivers, plan: pd.DataFrame) -> _Setup:
        fx = float(d.fx_cny_per_usd or self.params.fx_cny_per_usd)
        base, sigma = self.month + d.slip_months, d.lag_sigma
        sp = d.stage_probability
        sm = d.months_to_sign
        tables = {
            f"S:{s}": draws.month_table(getattr(sp, s), getattr(sm, s), sigma, base, 1)
            for s in PRE_SIGN
        }
        tables["T:first"] = draws.month_table(
            d.start_probability, d.months_to_start, sigma, base, 1
        )
        tables["T:chain"] = draws.month_table(d.start_probability, d.months_to_start, sigma, 0, 0)
        tables["P:first"] = draws.month_table(
            d.production_probability, d.months_to_production, sigma, base, 1
        )
        tables["P:chain"] = draws.month_table(
            d.production_probability, d.months_to_production, sigma, 0, 0
        )
        tables["R:plan"] = draws.share_table(d.arrival_ratio.mean, d.arrival_ratio.concentration)
        tables["R:none"] = draws.share_table(
            d.unplanned_share.mean, d.unplanned_share.concentration
        )
        tables["size"] = draws.size_table(d.size_sigma)

        # Money of each ledger project: a share X (drawn) of an amount A (亿元): the planned
        # in-year inflow, or the total investment when there is no plan. A started project
        # ends the year at max(X·A, arrived so far); a later one pays X·A/12 a month once started.
        arrived = self.arrived_cny + self.arrived_usd * fx
        amount = np.where(self.plan_inflow > 0, self.plan_inflow, self.total)
        started = np.isin(self.stage, ("started", "producing"))
        scale = np.where(started, amount, amount / 12)
        floor = np.where(amount > 0, arrived / np.where(amount > 0, amount, 1), 1.0)
        deal_fx = np.array([convert_rate("CNY", self.unit(k), fx) for k in MONEY], np.float32)
        money_w, floors = {}, {}
        for gi, g in enumerate(self.groups):
            w = np.zeros((len(g.cols), 2), np.float32)
            fo = self.foreign[g.cols]
            w[~fo, 0] = scale[g.cols][~fo] * deal_fx[0]
            w[fo, 1] = scale[g.cols][fo] * deal_fx[1]
            money_w[gi] = w
            floors[gi] = floor[g.cols].astype(np.float32)
        setup = _Setup(d, fx, plan, self._sources(d, plan), tables, money_w, floors, scale, deal_fx)
        self._source_arrays(setup)
        setup.sparse = {
            st: float(np.count_nonzero(tables[f"S:{st}"] <= 12)) / draws.Q < SPARSE
            for st in PRE_SIGN
        }
        setup.deal_key = (
            tuple(setup.sources),
            d.slip_months,
            d.lag_sigma,
            d.size_sigma,
            d.four_new_share,
            d.start_probability,
            d.months_to_start,
            d.production_probability,
            d.months_to_production,
            d.unplanned_share,
            fx,
        )
        return setup

    def _sources(self, d: Drivers, plan: pd.DataFrame) -> list[Source]:
        out: list[Source] = []
        if self.future <= 0:
            return out
        ch = d.channels
        for c in self.params.channels:
            leads = c.leads_per_quarter / 3 * ch.lead_multiplier * self.future
            if c.overseas:
                leads *= ch.overseas_lead_multiplier
            out.append(
                Source(
                    kind="channel",
                    name=c.id,
                    month=self.month + 1,
                    copy=0,
                    expected_signings=leads * ch.conversion,
                    spread=self.future,
                    lag=ch.months_to_sign,
                    size_median=ch.size_median,
                    foreign_share=ch.foreign_share_overseas
                    if c.overseas
                    else ch.foreign_share_domestic,
                    share_500=ch.share_500,
                    cap=self._cap("channel", c.id),
                )
            )
        seen: Counter[tuple[str, int]] = Counter()
        for eid, month in zip(plan["event_id"], plan["month"], strict=True):
            month = int(month)
            copy = seen[(eid, month)]
            seen[(eid, month)] += 1
            if month <= self.month:
                continue  # held already: its leads are in the ledger
            ev = self._catalogue.loc[eid]  # type: ignore[union-attr]
            kind, channel = str(ev["kind"]), str(ev["channel"])
            if d.events.is_cancelled(eid, kind, channel, month):
                continue
            leads = float(ev["expected_leads"]) * d.events.lead_multiplier.of(kind)
            conversion = min(1.0, float(ev["conversion"]) * d.events.conversion_multiplier)
            out.append(
                Source(
                    kind="event",
                    name=str(eid),
                    month=month,
                    copy=copy,
                    expected_signings=leads * conversion,
                    spread=0,
                    lag=float(ev["lag_months"]),
                    size_median=float(ev["size_median"]),
                    foreign_share=float(ev["foreign_share"]),
                    share_500=float(ev["share_500"]),
                    cap=self._cap("event", str(eid)),
                )
            )
        return out

    def _cap(self, kind: str, name: str) -> float:
        """How many deals a source's pool holds per trial on average: twice its mean under
        the params' drivers, plus two."""
        d = self.params.drivers
        if kind == "channel":
            c = next(c for c in self.params.channels if c.id == name)
            leads = c.leads_per_quarter / 3 * self.future * d.channels.lead_multiplier
            if c.overseas:
                leads *= d.channels.overseas_lead_multiplier
            mean = leads * d.channels.conversion
        else:
            ev = self._catalogue.loc[name]  # type: ignore[union-attr]
            leads = float(ev["expected_leads"]) * d.events.lead_multiplier.of(str(ev["kind"]))
            mean = leads * min(1.0, float(ev["conversion"]) * d.events.conversion_multiplier)
        return 2 * mean + 2

    def _source_arrays(self, setup: _Setup) -> None:
        d, srcs = setup.drivers, setup.sources
        setup.src = {
            "lag": np.stack(
                [draws.month_table(1.0, s.lag, d.lag_sigma, 0, 0) for s in srcs]
                or [np.zeros(draws.Q, np.int8)]
            ),
            "first": np.array([s.month for s in srcs], np.int32),
            "spread": np.array([s.spread for s in srcs], np.int32),
            "size": np.array([s.size_median for s in srcs], np.float32),
            "foreign": np.array([draws.threshold(s.foreign_share) for s in srcs], np.int32),
            "is500": np.array([draws.threshold(s.share_500) for s in srcs], np.int32),
        }

    # ---- draws ---------------------------------------------------------------------------

    def _chunks(self) -> list[tuple[int, int]]:
        return [
            (c, min(CHUNK, self.trials - c * CHUNK)) for c in range(math.ceil(self.trials / CHUNK))
        ]

    def _draw(self, key: tuple, make) -> np.ndarray:  # type: ignore[no-untyped-def]
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        arr = make()
        if self._cache_bytes + arr.nbytes <= self._cache_limit:
            self._cache[key] = arr
            self._cache_bytes += arr.nbytes
        return arr

    def _group_codes(self, c: int, n: int, g: _Group) -> list[np.ndarray]:
        out = []
        for i in range(len(g.kinds)):
            key = (_PROJECTS, *g.key, c, i)
            shape = (n, len(g.cols))
            out.append(
                self._draw(key, lambda k=key, s=shape: draws.codes(draws.stream(self.seed, *k), s))
            )
        return out

    def _source_u(self, c: int, n: int, key: tuple[int, ...]) -> np.ndarray:
        full = (*key, c, 0)
        return self._draw(full, lambda: draws.stream(self.seed, *full).random(n))

    def _source_pool(self, c: int, s: Source, room: np.ndarray) -> np.ndarray:
        """(sum of room, marks) codes: trial after trial, `room[t]` deals each."""
        full = (*s.key, c, 1)
        shape = (int(room.sum()), len(_DEAL_MARKS))
        return self._draw(full, lambda: draws.codes(draws.stream(self.seed, *full), shape))

    def _overflow_block(self, c: int, n: int, key: tuple[int, ...], b: int) -> np.ndarray:
        full = (*key, c, b + 2)
        shape = (n, len(_DEAL_MARKS), BLOCK)
        return self._draw(full, lambda: draws.codes(draws.stream(self.seed, *full), shape))

    def extra_codes(self, c: int, n: int) -> np.ndarray:
        """Codes of the goal seek's extra signed projects: (2 [start, share], n, EXTRA_SLOTS)."""
        key = (_EXTRA, c)
        shape = (n, 2, EXTRA_SLOTS)
        return self._draw(key, lambda: _by_kind(draws.codes(draws.stream(self.seed, *key), shape)))

    @property
    def cached_mb(self) -> float:
        return self._cache_bytes / 2**20

    # ---- the simulation ------------------------------------------------------------------

    def _run(
        self,
        setup: _Setup,
        months: tuple[int, ...],
        projects: dict[str, np.ndarray] | None = None,
        sources: dict[str, np.ndarray] | None = None,
        keys: tuple[int, ...] | None = None,
    ) -> np.ndarray:
        """Future value (on top of facts) at the end of each of `months` of every metric, or of
        the metrics at positions `keys` of KEYS only: (trials, len(months), len(keys)). Fills
        per-project and per-source sums if given. A metric's values do not depend on which
        other metrics are asked for."""
        keys = tuple(range(len(KEYS))) if keys is None else tuple(keys)
        out = np.zeros((self.trials, len(months), len(keys)))
        if self.future <= 0:
            return out
        by_month = len(months) > 2 and months == tuple(range(months[0], 13))
        if not by_month and len(keys) < len(KEYS):
            # Month by month, products give every metric at once (and a product's sums may
            # depend on the columns it holds): take the metrics asked for from all of them.
            return self._run(setup, months, projects, sources)[:, :, list(keys)]
        for c, n in self._chunks():
            lo = c * CHUNK
            part = out[lo : lo + n]
            hist = _MonthHist(n, months, keys) if by_month else None
            for gi, g in enumerate(self.groups):
                self._group_kernel(setup, c, n, gi, g, months, part, projects, hist)
            if hist is not None:
                hist.add_to(part)
        out += self._deal_part(setup, months, sources, keys)
        return out

    def _group_kernel(
        self,
        setup: _Setup,
        c: int,
        n: int,
        gi: int,
        g: _Group,
        months: tuple[int, ...],
        out: np.ndarray,
        projects: dict[str, np.ndarray] | None,
        hist: _MonthHist | None = None,
    ) -> None:
        """One group of ledger projects in one chunk of trials: what they add to every
        metric at the end of each of `months` (or, for a fan, into `hist`: only what the
        metrics it holds need is simulated)."""
        need = _EVERYTHING if hist is None else hist.needs(g)
        if not need:
            return
        t = setup.tables
        codes = self._group_codes(c, n, g)
        code = dict(zip(g.kinds, codes, strict=True))
        sign = start = produce = share = year = None
        if g.stage in PRE_SIGN:
            sign = _take(t[f"S:{g.stage}"], code["S"])
            if setup.sparse[g.stage]:
                self._sparse_kernel(setup, n, gi, g, code, sign, months, out, projects, hist)
                return
            if need & _STARTED:
                start = sign + _take(t["T:chain"], code["T"])
            if "produce" in need:
                produce = start + _take(t["P:chain"], code["P"])
        elif g.stage == "signed":
            if need & _STARTED:
                start = _take(t["T:first"], code["T"])
            if "produce" in need:
                produce = start + _take(t["P:chain"], code["P"])
        elif g.stage == "started" and "produce" in need:
            produce = _take(t["P:first"], code["P"])
        w_money = setup.money_w[gi]
        if "money" in need:
            share = _take(t["R:plan"] if g.has_plan else t["R:none"], code["R"])
            if "T" not in g.kinds:  # started: the year's share less what arrived, to December
                share = np.maximum(share - setup.floors[gi], 0, out=share)
                year = share @ w_money
        if hist is not None:
            self._by_month(setup, n, gi, g, (sign, start, produce), share, year, months, out, hist)
            months = ()  # done: the fan's months in a few passes
        for j, m in enumerate(months):
            counts = out[:, j, 2:]
            if sign is not None and len(g.sel_sign):
                counts += (sign[:, g.sel_sign] <= m).astype(np.float32) @ g.w_sign
            if start is not None:
                hit = start <= m
                counts[:, _C["new_starts"]] += _row_count(hit)
                if len(g.sel_start):
                    counts += hit[:, g.sel_start].astype(np.float32) @ g.w_start
            if produce is not None:
                hit = produce <= m
                counts[:, _C["new_production"]] += _row_count(hit)
                if len(g.sel_produce):
                    counts += hit[:, g.sel_produce].astype(np.float32) @ g.w_produce
            if year is not None:
                out[:, j, :2] += year * ((m - self.month) / self.future)
            else:
                paying = np.maximum(m + 1 - start, 0)
                out[:, j, :2] += (share * paying) @ w_money
        if projects is not None:
            cols = g.cols
            if sign is not None:
                projects["sign"][cols] += np.count_nonzero(sign <= 12, axis=0)
            if start is not None:
                projects["start"][cols] += np.count_nonzero(start <= 12, axis=0)
                amount = share * np.maximum(13 - start, 0)
            else:
                amount = share
            amount = amount * setup.scale[cols].astype(np.float32)
            projects["money"][cols] += np.count_nonzero(amount > 0, axis=0)
            projects["amount"][cols] += amount.sum(axis=0, dtype=np.float64)

    def _by_month(
        self,
        setup: _Setup,
        n: int,
        gi: int,
        g: _Group,
        milestones: tuple[np.ndarray | None, ...],
        share: np.ndarray | None,
        year: np.ndarray | None,
        months: tuple[int, ...],
        out: np.ndarray,
        hist: _MonthHist,
    ) -> None:
        """Every month from the first after the as-of month to December at once (a dense
        group): milestones counted by (trial, month), money by the month it starts flowing
        (summed up month after month by `hist`): what the per-month loop gives, in a few
        passes. Only the metrics `hist` holds."""
        rows = (np.arange(n, dtype=np.int32) * (draws.OUT + 1))[:, None]
        for family, x in zip(("sign", "start", "produce"), milestones, strict=True):
            if x is None:
                continue
            for k in g.metrics_of[family]:
                if not hist.wants(k):
                    continue
                cols = np.flatnonzero(g.full[family][:, k - 2])
                hist.count(k, rows, x if len(cols) == x.shape[1] else x[:, cols])
        if share is not None and year is None:
            w_money = setup.money_w[gi]
            start = milestones[1]
            assert start is not None
            for cur in (0, 1):
                cols = np.flatnonzero(w_money[:, cur])
                if len(cols) and hist.wants(cur):
                    hist.pay(cur, rows, start[:, cols], share[:, cols] * w_money[cols, cur])
        if year is not None:  # started: evenly over the months left
            elapsed = (np.array(months) - self.month) / self.future
            for cur in (0, 1):
                if hist.wants(cur):
                    out[:, :, hist.slot[cur]] += year[:, cur, None] * elapsed[None, :]

    def _sparse_kernel(
        self,
        setup: _Setup,
        n: int,
        gi: int,
        g: _Group,
        code: dict[str, np.ndarray],
        sign: np.ndarray,
        months: tuple[int, ...],
        out: np.ndarray,
        projects: dict[str, np.ndarray] | None,
        hist: _MonthHist | None = None,
    ) -> None:
        """A stage before signing where few trials sign within the year (leads, contacts):
        only the (trial, project) pairs that sign by December go on, summed per trial by a
        sparse product. Same draws, same result as the dense path. For a fan (`hist`), only
        what the metrics it holds need."""
        t = setup.tables
        need = _EVERYTHING if hist is None else hist.needs(g)
        k = len(g.cols)
        nz = np.flatnonzero(sign <= 12)
        rows, cols = np.divmod(nz, k)
        s_ = sign.ravel()[nz]
        st = pr = share = None
        if need & _STARTED:
            st = s_ + _take(t["T:chain"], code["T"].ravel()[nz])
        if "produce" in need:
            pr = st + _take(t["P:chain"], code["P"].ravel()[nz])
        if "money" in need:
            share = _take(t["R:plan"] if g.has_plan else t["R:none"], code["R"].ravel()[nz])
        indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n))])

        def per_trial(values: np.ndarray, w: np.ndarray) -> np.ndarray:
            """Σ over the group's (trial, project) pairs of value x the project's weights."""
            m = sparse.csr_matrix((values.astype(np.float32), cols, indptr), shape=(n, k))
            return m @ w

        if hist is not None:
            base = rows.astype(np.int32) * (draws.OUT + 1)
            for family, x in (("sign", s_), ("start", st), ("produce", pr)):
                if x is None:
                    continue
                for k in g.metrics_of[family]:
                    if not hist.wants(k):
                        continue
                    w = g.full[family][cols, k - 2]  # the signing pairs' weights
                    if w.any():
                        hist.count(k, base, x, w)
            if share is not None:
                for cur in (0, 1):
                    if hist.wants(cur):
                        hist.pay(cur, base, st, share * setup.money_w[gi][cols, cur])
            months = ()
        for j, m in enumerate(months):
            counts = per_trial(s_ <= m, g.full["sign"])
            counts += per_trial(st <= m, g.full["start"])
            counts += per_trial(pr <= m, g.full["produce"])
            out[:, j, 2:] += counts
            out[:, j, :2] += per_trial(share * np.maximum(m + 1 - st, 0), setup.money_w[gi])
        if projects is not None:
            amount = share * np.maximum(13 - st, 0) * setup.scale[g.cols][cols].astype(np.float32)
            projects["sign"][g.cols] += np.bincount(cols, minlength=k)
            projects["start"][g.cols] += np.bincount(cols, weights=st <= 12, minlength=k)
            projects["money"][g.cols] += np.bincount(cols, weights=amount > 0, minlength=k)
            projects["amount"][g.cols] += np.bincount(cols, weights=amount, minlength=k)

    def _spans(self) -> list[list[tuple[int, int]]]:
        """Chunks grouped into spans of DEAL_SPAN chunks: new deals are simulated span by span."""
        chunks = self._chunks()
        return [chunks[i : i + DEAL_SPAN] for i in range(0, len(chunks), DEAL_SPAN)]

    def _deals(self, setup: _Setup, span: int) -> tuple[Any, ...]:
        """The new deals of one span of trials: (trial within the span, source, codes[marks,
        deal], trial-sum matrix). Which slots hold a deal depends only on each source's
        expected number of deals, so the compacted deals are kept per (source, chunk, mean):
        a driver change that keeps the means reuses them."""
        signature = tuple((s.key, s.expected_signings) for s in setup.sources)
        last = self._deals_last.get(span)
        if last is not None and last[0] == signature:
            return last[1]
        chunks = self._spans()[span]
        lo = chunks[0][0] * CHUNK
        trial, src, marks = [], [], []
        for si, s in enumerate(setup.sources):
            for c, n in chunks:
                t_idx, m = self._source_deals(c, n, s)
                trial.append(t_idx + (c * CHUNK - lo))
                src.append(np.full(len(t_idx), si, np.intp))
                marks.append(m)
        t_all = np.concatenate(trial) if trial else np.zeros(0, np.intp)
        s_all = np.concatenate(src) if src else np.zeros(0, np.intp)
        m_all = (
            np.concatenate(marks, axis=1) if marks else np.zeros((len(_DEAL_MARKS), 0), np.uint16)
        )
        # Sums per trial as one sparse product: agg[t, d] = 1 when deal d is in trial t.
        ones = np.ones(len(t_all), np.float32)
        shape = (sum(n for _, n in chunks), len(t_all))
        agg = sparse.csr_matrix((ones, (t_all, np.arange(len(t_all)))), shape=shape)
        out = (t_all, s_all, m_all, agg)
        self._deals_last[span] = (signature, out)
        return out

    def _source_deals(self, c: int, n: int, s: Source) -> tuple[np.ndarray, np.ndarray]:
        """One source's deals in one chunk: (trial of each deal, codes[marks, deal]). Trial t
        has `k[t]` deals; the first `room[t]` come from the pool, any more from overflow
        blocks, so a larger mean only ever adds deals to a trial."""
        key = (s.key, c, s.expected_signings)
        hit = self._active.get(key)
        if hit is not None:
            return hit
        u = self._source_u(c, n, s.key)
        k = draws.poisson_counts(u, s.expected_signings)
        room = draws.poisson_counts(u, s.cap)
        pool = self._source_pool(c, s, room)
        take = np.minimum(k, room)
        first = np.repeat(np.cumsum(room) - room - (np.cumsum(take) - take), take)
        trial = [np.repeat(np.arange(n), take)]
        marks = [pool[first + np.arange(int(take.sum()))].T]
        over = k - take
        for b in range(math.ceil(int(over.max(initial=0)) / BLOCK)):
            block = self._overflow_block(c, n, s.key, b)
            slot = np.arange(b * BLOCK, (b + 1) * BLOCK)
            t_idx, j_idx = np.nonzero(slot[None, :] < over[:, None])
            trial.append(t_idx)
            marks.append(block[t_idx, :, j_idx].T)
        hit = np.concatenate(trial), np.ascontiguousarray(np.concatenate(marks, axis=1))
        if len(self._active) > 4096:  # derived data: drop it all rather than grow without end
            self._active.clear()
        self._active[key] = hit
        return hit

    def _deal_part(
        self,
        setup: _Setup,
        months: tuple[int, ...],
        sources: dict[str, np.ndarray] | None,
        keys: tuple[int, ...],
    ) -> np.ndarray:
        """What new deals add to the metrics at positions `keys` of KEYS: (trials, len(months),
        len(keys)). Kept for the last deal drivers of each (`months`, `keys`): a change to
        ledger-only drivers does not redo it."""
        last = self._deal_result.get((months, keys))
        if sources is None and last is not None and last[0] == setup.deal_key:
            return last[1]
        out = np.zeros((self.trials, len(months), len(keys)))
        for span, chunks in enumerate(self._spans()):
            lo = chunks[0][0] * CHUNK
            hi = lo + sum(n for _, n in chunks)
            self._deal_kernel(setup, span, months, out[lo:hi], sources, keys)
        self._deal_result[(months, keys)] = (setup.deal_key, out)
        return out

    def _deal_kernel(
        self,
        setup: _Setup,
        span: int,
        months: tuple[int, ...],
        out: np.ndarray,
        sources: dict[str, np.ndarray] | None,
        keys: tuple[int, ...],
    ) -> None:
        trial, src, code, agg = self._deals(setup, span)
        if not len(trial):
            return
        d, t, a = setup.drivers, setup.tables, setup.src
        # Deals come grouped by source: per-source values are repeated, not gathered.
        per_src = np.bincount(src, minlength=len(setup.sources))
        bounds = np.concatenate([[0], np.cumsum(per_src)])

        def each(values: np.ndarray) -> np.ndarray:
            return np.repeat(values, per_src)

        lag = np.empty(len(trial), np.int8)
        for si in range(len(setup.sources)):
            lo, hi = bounds[si], bounds[si + 1]
            np.take(a["lag"][si], code[_M["lag"], lo:hi], mode="clip", out=lag[lo:hi])
        spread = each(a["spread"])
        lead = each(a["first"]) + ((code[_M["month"]].astype(np.int32) * spread) >> draws.BITS)
        sign = np.minimum(lead + (lag + d.slip_months), draws.OUT)  # int32
        start = sign + _take(t["T:chain"], code[_M["start"]])
        size = each(a["size"]) * _take(t["size"], code[_M["size"]])
        foreign = code[_M["foreign"]] < each(a["foreign"])
        is500 = code[_M["is500"]] < each(a["is500"])
        rate = size * _take(t["R:none"], code[_M["share"]]) * np.float32(1 / 12)  # 亿元 a month
        # One contiguous row per metric asked for (a metric's sums do not depend on the others).
        v = np.empty((len(keys), len(trial)), np.float32)
        col = {KEYS[k]: row for k, row in zip(keys, v, strict=True)}
        produce = four = None
        if "new_production" in col:
            produce = start + _take(t["P:chain"], code[_M["produce"]])
        if "four_new" in col:
            four = code[_M["four_new"]] < draws.threshold(d.four_new_share)
        big30, big100 = size >= BIG_PROJECT, size >= HUNDRED_BILLION
        fx_of = {}  # the money metrics asked for: CNY -> their unit, per deal
        if "domestic_capital" in col:
            fx_of["domestic_capital"] = np.where(foreign, 0, setup.deal_fx[0]).astype(np.float32)
        if "foreign_capital" in col:
            fx_of["foreign_capital"] = np.where(foreign, setup.deal_fx[1], 0).astype(np.float32)
        for j, m in enumerate(months):
            if fx_of:
                paid = rate * np.maximum(m + 1 - start, 0)
                for name, fx in fx_of.items():
                    np.multiply(paid, fx, out=col[name])
            if len(fx_of) < len(col):  # count metrics asked for too
                signed, started = sign <= m, start <= m
                s500 = signed & is500
                if "global500_signings" in col:
                    col["global500_signings"][:] = s500 & foreign
                if "china500_signings" in col:
                    col["china500_signings"][:] = s500 & ~foreign
                if "bonus_500" in col:
                    col["bonus_500"][:] = s500
                if "big_projects_30" in col:
                    col["big_projects_30"][:] = signed & big30
                if "projects_100" in col:
                    col["projects_100"][:] = signed & big100
                if "new_starts" in col:
                    col["new_starts"][:] = started
                if "new_production" in col:
                    col["new_production"][:] = produce <= m
                if "four_new" in col:
                    col["four_new"][:] = started & four
            out[:, j, :] += agg @ v.T
        if sources is not None:
            ns = len(setup.sources)
            paid = rate * np.maximum(13 - start, 0)
            sources["signings"] += np.bincount(src, weights=sign <= 12, minlength=ns)
            sources["signings_500"] += np.bincount(src, weights=(sign <= 12) & is500, minlength=ns)
            sources["capital"] += np.bincount(src, weights=paid, minlength=ns)
            sources["domestic"] += np.bincount(
                src, weights=np.where(foreign, 0, paid), minlength=ns
            )

    # ---- goal seek support ---------------------------------------------------------------

    def signed_capital_yield(self, drivers: Drivers, metric: str) -> np.ndarray:
        """Per trial: the year-end value added to a money metric by 1亿元 more capital signed
        right after the as-of date (spread over EXTRA_SLOTS projects without a plan, each
        starting and paying like a signed ledger project)."""
        m = METRICS[metric]
        if m.kind != "money":
            raise InputError(f"{metric} is a count: signed capital does not move it")
        out = np.zeros(self.trials)
        if self.future <= 0:
            return out
        d = drivers
        fx = float(d.fx_cny_per_usd or self.params.fx_cny_per_usd)
        start_t = draws.month_table(
            d.start_probability, d.months_to_start, d.lag_sigma, self.month + d.slip_months, 1
        )
        share_t = draws.share_table(d.unplanned_share.mean, d.unplanned_share.concentration)
        to_unit = convert_rate("CNY", self.unit(metric), fx)
        for c, n in self._chunks():
            codes = self.extra_codes(c, n)
            start = start_t[codes[0]]
            paid = share_t[codes[1]] * np.maximum(13 - start, 0)
            out[c * CHUNK : c * CHUNK + n] = paid.sum(axis=1) / (12 * EXTRA_SLOTS) * to_unit
        return out


class _MonthHist:
    """Per-trial values for every month of a fan, built from (trial, month) histograms: a
    count of milestones in each month, or money that starts flowing in each month (at a
    monthly rate, so its cumulative value is a double running sum). Holds the metrics at
    positions `keys` of KEYS, in that order."""

    def __init__(self, n: int, months: tuple[int, ...], keys: tuple[int, ...]):
        self.n, self.first = n, months[0]
        self.slot = {k: i for i, k in enumerate(keys)}
        self.counts = np.zeros((len(months), len(keys), n))  # month-major: fast running sums
        self.flows = np.zeros((len(months), len(keys), n))

    def wants(self, k: int) -> bool:
        return k in self.slot

    def needs(self, g: _Group) -> frozenset[str]:
        """What a group must simulate for the metrics held: the milestone families that
        count for one of them, and money for a money metric."""
        out = {f for f, ks in g.metrics_of.items() if any(self.wants(k) for k in ks)}
        if self.wants(0) or self.wants(1):
            out.add("money")
        return frozenset(out)

    def _hist(self, rows: np.ndarray, x: np.ndarray, weights: np.ndarray | None) -> np.ndarray:
        slots = draws.OUT + 1
        idx = (rows + np.minimum(x, draws.OUT)).ravel()
        w = None if weights is None else np.broadcast_to(weights, x.shape).ravel()
        h = np.bincount(idx, weights=w, minlength=self.n * slots).reshape(self.n, slots)
        return h[:, self.first : draws.OUT]

    def count(self, k: int, rows: np.ndarray, x: np.ndarray, weights: np.ndarray | None = None):
        self.counts[:, self.slot[k], :] += self._hist(rows, x, weights).T

    def pay(self, k: int, rows: np.ndarray, start: np.ndarray, rate: np.ndarray) -> None:
        self.flows[:, self.slot[k], :] += self._hist(rows, start, rate).T

    def add_to(self, out: np.ndarray) -> None:
        """out[trial, month, metric] += cumulative values (the histograms are used up)."""
        total = _running_sum(self.counts) + _running_sum(_running_sum(self.flows))
        out += total.transpose(2, 0, 1)


def _running_sum(a: np.ndarray) -> np.ndarray:
    """np.cumsum(a, axis=0), in place: the same additions, month after month, without
    numpy's slow accumulate over a short first axis."""
    for i in range(1, len(a)):
        a[i] += a[i - 1]
    return a


def _by_kind(raw: np.ndarray) -> np.ndarray:
    """(trials, kinds, …) codes as (kinds, trials, …), each kind contiguous. Drawn trial by
    trial, so the first trials of a chunk do not depend on how many trials it holds."""
    return np.ascontiguousarray(np.moveaxis(raw, 1, 0))


def _row_count(hit: np.ndarray) -> np.ndarray:
    """How many True in each row of a boolean matrix."""
    return hit.view(np.uint8).sum(axis=1, dtype=np.uint16)


def _take(table: np.ndarray, code: np.ndarray) -> np.ndarray:
    """table[code] (codes are always in range; 'clip' skips numpy's bounds checks)."""
    return np.take(table, code, mode="clip")


def plan_frame(plan: pd.DataFrame | Iterable[PlannedEvent] | None) -> pd.DataFrame:
    """An event plan as DataFrame[event_id, month] from a DataFrame or PlannedEvent values."""
    if plan is None:
        return pd.DataFrame(
            {"event_id": pd.Series([], dtype=object), "month": pd.Series([], dtype=int)}
        )
    if isinstance(plan, pd.DataFrame):
        missing = [c for c in ("event_id", "month") if c not in plan.columns]
        if missing and len(plan.columns):
            raise InputError(
                f"a plan needs columns event_id and month, missing {', '.join(missing)}"
            )
        if missing:
            return plan_frame(None)
        months = pd.to_numeric(plan["month"], errors="coerce")
        bad = plan.index[months.isna() | (months % 1 != 0) | (months < 1) | (months > 12)]
        if len(bad):
            raise InputError(
                f"plan months must be whole numbers 1..12, got {plan.loc[bad[0], 'month']!r}"
            )
        return pd.DataFrame(
            {
                "event_id": plan["event_id"].astype(str).to_numpy(dtype=object),
                "month": months.astype(int).to_numpy(),
            }
        )
    rows = [(p.event_id, p.month) for p in plan]
    return pd.DataFrame(
        {
            "event_id": pd.Series([r[0] for r in rows], dtype=object),
            "month": pd.Series([r[1] for r in rows], dtype=int),
        }
    )


def _months_text(months: tuple[int, ...]) -> str:
    """(3, 4, 5, 9) -> '3-5, 9'."""
    runs: list[list[int]] = []
    for m in sorted(months):
        if runs and m == runs[-1][-1] + 1:
            runs[-1].append(m)
        else:
            runs.append([m])
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else f"{r[0]}" for r in runs)
