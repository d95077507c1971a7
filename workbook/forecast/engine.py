"""Monte Carlo forecast of every target: how the year ends, as probabilities (DESIGN.md §3).

    engine = Engine(zone, as_of=dt.date(2020, 6, 30), trials=20_000, seed=1)
    fc = engine.forecast()                    # params' drivers and event plan
    fc = engine.forecast_scenario("疫情延迟")  # a named scenario
    fc.targets, fc.p_all, fc.fan("domestic_capital"), fc.year_end("new_starts"), fc.projects

The model, month by month after the as-of month (what lands after December does not count):

- Facts are facts: arrivals logged up to the as-of month and stage dates up to the as-of date
  count exactly as `workbook.zone.metrics` counts them; the forecast only adds to them. A project's
  stage is the one its dates show at the as-of date (so an earlier as-of replays the past).
- A project before signing signs with its stage's probability, `months_to_sign` after the
  date it entered its stage; a signed one starts with `start_probability`, `months_to_start`
  after its signing; a started one produces with `production_probability`. Lags are
  lognormal around their means; the first milestone still ahead of each project slips by
  `slip_months`. A milestone that follows another in the simulation follows it from a time
  uniform within that month (`draws.chain_table`).
- Time already spent counts (a mixture cure model, what `calibrate` estimates): a project that
  has waited e months in its stage (since its signing or start date, or before signing since
  its `stage_date`) advances with p·S(e) / (1 - p + p·S(e)), S the lognormal survival of its
  lag, after the rest of the lag given it exceeded e. Without an entry date a stage before
  signing counts from the as-of date.
- Money arrives, not signatures: a project pays a pace X (Beta, `arrival_ratio`) of its
  planned in-year inflow P, X·P/12 a month from its start month through December (without a
  plan: `unplanned_share` of its total investment). A started project that has paid A over
  the k months since it started this year has shown its pace and pays A/k a month for the
  months left, so arrivals on the pace the forecast expected keep its expectation. Foreign
  money counts in the target's currency: facts at the params' FX rate, money still to come
  at the forecast's (a scenario's) rate.
- Offices and platforms bring leads through every month, events in the plan through their
  month (events already held are in the ledger); a share of leads sign after a lag as new
  deals with a heavy-tailed size, a foreign share, a 500强 share (foreign ones on the
  世界500强 list, domestic ones on the 中国500强 list) and a 四新 share, then start and pay
  like a project without a plan.

Common random numbers: every draw is a 15-bit code (workbook.forecast.draws) made once per (seed,
trials, as-of) and per (catalogue event, month) slot, and kept on the engine; a driver change
or another plan rebuilds small tables and re-reads the same codes. Same seed, same result.
Trials run in chunks of `CHUNK` so memory stays bounded; draws above `cache_mb` are
regenerated (identically) instead of kept.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from workbook.forecast import cachekeys, compiled, declared, draws, shared
from workbook.forecast.cachekeys import DriverKeys
from workbook.forecast.climate import Climate, StuckTables
from workbook.forecast.deals import DealPass
from workbook.forecast.kernels import LedgerPass, ledger_layout
from workbook.forecast.memo import Memo
from workbook.forecast.setup import (
    CHUNK,
    EXTRA_SLOTS,
    KINDS_OF_STAGE,
    PRE_SIGN,
    PROJECT_SUMS,
    STREAM_CLIMATE,
    ProjectGroup,
    Setup,
    Source,
    catalogue_events,
    check_plans,
    default_as_of,
    plan_frame,
    plan_problem,
    scenario_problem,
    stage_at,
)
from workbook.forecast.store import DrawStore
from workbook.forecast.windows import ledger_windows
from workbook.text.errors import InputError, ParamsError
from workbook.text.labels import STAGES, check_lang
from workbook.text.messages import Message
from workbook.zone.drivers import Drivers, PlannedEvent
from workbook.zone.ledger import convert_rate
from workbook.zone.loader import Zone
from workbook.zone.metrics import metric_values, unit_of
from workbook.zone.pacing import check_as_of

if TYPE_CHECKING:
    from workbook.forecast.results import Forecast

# An engine of at most this many trials makes its first forecast with numpy
# (workbook.forecast.plain: the same numbers); one with more trials, or its second forecast
# (a slider, a scenario, a sensitivity step), loads the compiled kernels, once per process.
# A single forecast of 10,000 trials takes less than numba's loading alone.
NUMPY_TRIALS = 10_000


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
        draws_dir: str | Path | None = None,
        one_shot: bool = False,
    ):
        """`one_shot`: an engine for one forecast (a command's): it keeps between forecasts
        only its climate's draws, so its memory is freed pass by pass as it goes; a second
        forecast makes again, identically, what it reads."""
        if not isinstance(trials, int | np.integer) or trials < 1:
            raise InputError(Message("err.trials", found=trials))
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
        # The draws, made once and read again by every forecast (workbook.forecast.store), in
        # files shared with other processes under `draws_dir` or $WORKBOOK_DRAWS_DIR if set
        # (workbook.forecast.shared).
        root = shared.draws_root(draws_dir)
        folder = None
        if root is not None:
            folder = root / shared.engine_digest(zone, self.as_of, self.seed, self.trials)
        streams = frozenset({STREAM_CLIMATE}) if one_shot else None
        self.store = DrawStore(self.seed, self.trials, cache_mb, folder, streams)
        self.climate = Climate(self.store)
        # The metrics simulated, as the zone declares them (workbook.forecast.declared).
        self.layout = declared.layout(params)
        self.defs, self.keys, self.n_money = self.layout.defs, self.layout.keys, self.layout.n_money
        self._prepare_ledger()
        # The passes of a forecast, each built with what it reads: the ledger projects', the
        # new deals' (workbook.forecast.kernels, workbook.forecast.deals).
        self.stuck = StuckTables(self.groups, self.waited)
        memo = Memo(0 if one_shot else self.store.limit / 4)  # derived arrays (.memo)
        self.ledger_pass = LedgerPass(
            self.store, self.climate, self.groups, self.ledger, self.windows, self.paced,
            len(self.keys), self.n_money, self.month, memo,
        )  # fmt: skip
        self.deal_pass = DealPass(
            self.store, self.climate, self.layout, self.deal_shares, keep=not one_shot
        )
        self._has_catalogue = zone.events is not None
        self._event = catalogue_events(zone.events)  # a forecast reads them per planned event
        check_plans(self.params, self._event, self._has_catalogue)
        self._base: pd.DataFrame | None = None  # the params' event plan, once checked
        self._facts: dict[float, dict[str, float]] = {}
        self._monthly_facts: dict[float, np.ndarray] = {}
        self._setups = 0  # forecasts set up so far (NUMPY_TRIALS)

    # ---- the ledger at the as-of date ----------------------------------------------------

    def _prepare_ledger(self) -> None:
        p = self.zone.ledger.projects.reset_index(drop=True)
        self.projects = p
        year_start = dt.date(self.params.year, 1, 1)
        self.stage = stage_at(p, self.as_of).to_numpy()
        count_w, self.money_mask = declared.ledger_weights(self.layout, p, year_start, self.as_of)
        window_w = declared.window_weights(self.layout, p, year_start, self.as_of)
        self.deal_shares = declared.deal_shares(self.layout, p, year_start, self.as_of)
        plan = p["planned_inflow"].fillna(0).to_numpy(float)
        self.plan_inflow = plan
        self.total = p["total_investment"].fillna(0).to_numpy(float)
        self.foreign = (p["capital_type"] == "foreign").to_numpy()

        # Months each project has waited in its stage at the as-of date, in quarters of a
        # month: the engine conditions its next lag on them. A signed (started) project from
        # its signing (start) date; one before signing from the date it entered its stage
        # (`stage_date`, when the ledger's stage is still its stage at the as-of date).
        ts = pd.Timestamp(self.as_of)
        waited = np.zeros(len(p))
        entered = p["stage_date"] if "stage_date" in p else pd.Series(pd.NaT, index=p.index)
        same = (p["stage"].astype(str).to_numpy() == self.stage) & np.isin(self.stage, PRE_SIGN)
        for here, col in (
            (self.stage == "signed", p["signed_date"]),
            (self.stage == "started", p["start_date"]),
            (same, entered),
        ):
            days = (ts - pd.to_datetime(col)).dt.days.to_numpy(dtype=float, na_value=0.0)
            waited[here] = np.maximum(days[here], 0) / (365.25 / 12)
        self.waited = np.round(waited * 4) / 4

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

        # The pace a started project has shown: what arrived this year from its start month
        # (January if it started before the year) to the as-of month, over those months
        # (README, "Money"). Paced projects pay it for the months left.
        began = pd.to_datetime(p["start_date"]).fillna(pd.to_datetime(p["production_date"]))
        first = pd.Series(
            np.where(
                began.dt.year.to_numpy(dtype=float, na_value=0) == self.params.year,
                began.dt.month.to_numpy(dtype=float, na_value=1),
                1,
            ),
            index=p["project_id"],
        )
        since = a[a["month"].dt.month.to_numpy() >= first.reindex(a["project_id"]).to_numpy()]
        fx = float(self.params.fx_cny_per_usd)
        shown = (
            since["amount"]
            .where(since["currency"] != "USD", since["amount"] * fx)
            .groupby(since["project_id"])
            .sum()
        )
        paid = np.zeros(len(p))
        np.add.at(paid, pos.reindex(shown.index).to_numpy(), shown.to_numpy())
        paid_months = np.maximum(self.month - first.to_numpy() + 1, 1)
        self.paced = np.isin(self.stage, ("started", "producing")) & (paid > 0)
        self.pace = np.where(self.paced, paid / paid_months, 0.0)

        self.groups: list[ProjectGroup] = []
        for si, stage in enumerate(STAGES):
            for has_plan in (True, False):
                cols = np.flatnonzero((self.stage == stage) & ((plan > 0) == has_plan))
                if not len(cols):
                    continue
                g = ProjectGroup(stage, has_plan, cols, KINDS_OF_STAGE[stage], (si, int(has_plan)))
                for family, kind in (("sign", "S"), ("start", "T"), ("produce", "P")):
                    if kind not in g.kinds:
                        continue
                    w = declared.group_weights(self.layout, family, stage, cols, count_w)
                    g.full[family] = w
                    w = declared.group_weights(self.layout, family, stage, cols, {}, window_w)
                    if w.any():
                        g.window[family] = w
                self.groups.append(g)
        self.ledger = ledger_layout(self.groups, self.n_money, len(self.keys) - self.n_money)
        self.windows = ledger_windows(self.layout, self.groups, self.ledger)

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
        raise InputError(
            Message("err.unknown_scenario", name=name, valid=valid or Message("err.none_defined"))
        )

    def scenario_drivers(self, name: str) -> Drivers:
        sc = self.params.scenarios[self.scenario_key(name)]
        try:
            return self.params.drivers.apply(sc.drivers)
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            raise ParamsError([scenario_problem(self._source(), name, exc)]) from None

    def scenario_plan(self, name: str) -> pd.DataFrame:
        sc = self.params.scenarios[self.scenario_key(name)]
        return plan_frame(sc.event_plan if sc.event_plan is not None else self.params.event_plan)

    @property
    def base_plan(self) -> pd.DataFrame:
        """The params' event plan as DataFrame[event_id, month]."""
        return plan_frame(self.params.event_plan)

    def _source(self) -> str:
        return str(self.params.source) if self.params.source else "<params>"

    def _plan_problem(self, event_id: str, month: int) -> Message | None:
        return plan_problem(self._event, self._has_catalogue, event_id, month)

    def resolve_plan(self, plan: pd.DataFrame | Iterable[PlannedEvent] | None) -> pd.DataFrame:
        """A plan as DataFrame[event_id, month] (None: the params' plan), checked."""
        if plan is None:  # the params' plan, checked when the engine was made
            if self._base is None:
                self._base = self.base_plan
            return self._base.copy()
        df = plan_frame(plan)
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
        from workbook.forecast.results import Forecast

        drivers = drivers if drivers is not None else self.params.drivers
        setup = self.setup(drivers, self.resolve_plan(plan))
        # the per-project sums come with the pass (its rows' sums), for `Forecast.projects`
        sums = {k: np.zeros(len(self.projects)) for k in PROJECT_SUMS}
        future = self.run_pass(setup, months=(12,), projects=sums, parts=setup.parts)[:, 0, :]
        return Forecast(self, setup, future, scenario=scenario, project_sums=sums)

    def new_deal_values(
        self, drivers: Drivers | None, plan: pd.DataFrame, metrics: Sequence[str]
    ) -> np.ndarray:
        """(trials, len(metrics)): what new deals add to each metric by December under these
        drivers (None: the params') and this event plan (checked), on the draws of `forecast`
        (workbook.forecast.protocol.DealForecaster)."""
        d = drivers if drivers is not None else self.params.drivers
        setup = self.setup(d, self.resolve_plan(plan))
        keys = tuple(self.keys.index(m) for m in metrics)
        return self.deal_pass.part(setup, (12,), None, keys)[:, 0, :]

    def event_values(
        self, drivers: Drivers | None, plan: pd.DataFrame, metrics: Sequence[str]
    ) -> np.ndarray:
        """(trials, len(plan), len(metrics)): what each row of the event plan (checked) adds
        to each metric by December under these drivers, trial by trial, on the draws of
        `forecast`: one pass for the whole plan, each row as `new_deal_values` with that row
        held alone less with none (0 for a row held already or cancelled)
        (workbook.forecast.protocol.EventForecaster)."""
        d = drivers if drivers is not None else self.params.drivers
        plan = self.resolve_plan(plan)
        setup = self.setup(d, plan, alone=True)
        at = {(s.name, s.month): i for i, s in enumerate(setup.sources) if s.kind == "event"}
        rows, chosen = [], []
        for r, (eid, month) in enumerate(zip(plan["event_id"], plan["month"], strict=True)):
            i = at.get((str(eid), int(month)))
            if i is not None:
                rows.append(r)
                chosen.append(i)
        keys = tuple(self.keys.index(m) for m in metrics)
        out = np.zeros((self.trials, len(plan), len(keys)))
        if chosen:
            out[:, rows, :] = self.deal_pass.by_source(setup, np.array(chosen), keys)
        return out

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
            out = np.full((12, len(self.keys)), np.nan)
            for m in range(1, self.month + 1):
                end = (pd.Timestamp(self.params.year, m, 1) + pd.offsets.MonthEnd(0)).date()
                values = self._facts_at(min(end, self.as_of), fx)
                out[m - 1] = [values[k] for k in self.keys]
            self._monthly_facts[fx] = out
        return self._monthly_facts[fx]

    def _facts_at(self, date: dt.date, fx: float) -> dict[str, float]:
        # Every metric by its definition, exactly as `status` counts the assessed ones (at
        # this FX rate), so a forecast can add to every metric.
        params = self.params.model_copy(update={"fx_cny_per_usd": fx})
        year_start = dt.date(self.params.year, 1, 1)
        return metric_values(params, self.zone.ledger, year_start, date, list(self.keys), fx)

    def unit(self, key: str) -> str:
        """The unit a metric is counted in: its target's currency, or 'count'."""
        target = dict(self.params.targets.items()).get(key)
        if target is not None:
            return unit_of(key, target, self.defs)
        m = self.defs[key]
        return (m.default_currency or "CNY") if m.kind == "money" else "count"

    # ---- one forecast's tables, weights and sources --------------------------------------

    def setup(self, d: Drivers, plan: pd.DataFrame, alone: bool = False) -> Setup:
        """What one forecast under drivers `d` and event plan `plan` needs beyond the draws.
        `alone`: every event row on its event's first draws, as if it were the only holding
        (`event_values` measures each row alone)."""
        self._setups += 1
        if self.trials > NUMPY_TRIALS or self._setups > 1:
            compiled.load("workbook.forecast.fused")  # once per process (NUMPY_TRIALS)
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
        tables["T:chain"] = draws.chain_table(d.start_probability, d.months_to_start, sigma)
        tables["P:first"] = draws.month_table(
            d.production_probability, d.months_to_production, sigma, base, 1
        )
        tables["P:chain"] = draws.chain_table(
            d.production_probability, d.months_to_production, sigma
        )
        tables["R:plan"] = draws.share_table(d.arrival_ratio.mean, d.arrival_ratio.concentration)
        tables["R:none"] = draws.share_table(
            d.unplanned_share.mean, d.unplanned_share.concentration
        )
        tables["size"] = draws.size_table(d.size_sigma)

        # Money of each ledger project (README, "Money"): a pace X drawn once for the year
        # (`arrival_ratio` of its planned in-year inflow P, or `unplanned_share` of its total
        # investment T without a plan) paid as X·P/12 in every month from its start month
        # through December. A started project that has paid A over the k months of this year
        # since it started has shown its pace: A/k a month for the months left (R:shown, a
        # constant 1 times `scale`); one started with nothing arrived yet pays from the next
        # month at a drawn pace. Arrivals are facts (at the params' rate: a scenario's FX
        # moves only the money still to come) and never change a pace not yet shown.
        tables["R:shown"] = draws.share_table(1.0, 1.0)
        planned = self.plan_inflow > 0
        amount = np.where(planned, self.plan_inflow, self.total)
        started = np.isin(self.stage, ("started", "producing"))
        monthly = np.where(self.paced, self.pace, amount / 12)
        scale = np.where(started, monthly * self.future, monthly)
        money = self.keys[: self.n_money]
        deal_fx = np.array([convert_rate("CNY", self.unit(k), fx) for k in money], np.float32)
        money_w = {}
        for gi, g in enumerate(self.groups):
            w = np.zeros((len(g.cols), self.n_money), np.float32)
            for i, k in enumerate(money):  # the metric's capital type and `where`
                hit = self.money_mask[k][g.cols]
                w[hit, i] = scale[g.cols][hit] * deal_fx[i]
            money_w[gi] = w
        keys = DriverKeys(d)
        sources = self._sources(d, plan, alone)
        setup = Setup(d, fx, plan, sources, tables, money_w, scale, deal_fx, keys)
        setup.stuck = self.stuck.tables(d, base)
        if d.shared_shock > 0 or d.driver_spread > 0:
            setup.climate = (float(d.shared_shock), float(d.driver_spread))
        self._source_arrays(setup)
        setup.deal_key = (tuple(setup.sources), fx, keys.without(cachekeys.DEAL_RESULT))
        return setup

    def _sources(self, d: Drivers, plan: pd.DataFrame, alone: bool = False) -> list[Source]:
        out: list[Source] = []
        if self.future <= 0:
            return out
        ch = d.channels
        for c in self.params.channels:
            out.append(
                Source(
                    kind="channel",
                    name=c.id,
                    month=self.month + 1,
                    copy=0,
                    expected_signings=self._expected_signings(d, "channel", c.id),
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
        # The how-many-th holding of its event each row is, by month (ties in plan order);
        # every row the first when each is measured alone (`event_values`).
        months = [int(m) for m in plan["month"]]
        held: Counter[str] = Counter()
        copies = [0] * len(months)
        for r in sorted(range(len(months)), key=lambda r: months[r]):
            eid = str(plan["event_id"].iloc[r])
            copies[r] = 0 if alone else held[eid]
            held[eid] += 1
        for eid, month, copy in zip(plan["event_id"], months, copies, strict=True):
            if month <= self.month:
                continue  # held already: its leads are in the ledger
            ev = self._event[str(eid)]
            kind, channel = str(ev["kind"]), str(ev["channel"])
            if d.events.is_cancelled(eid, kind, channel, month):
                continue
            out.append(
                Source(
                    kind="event",
                    name=str(eid),
                    month=month,
                    copy=copy,
                    expected_signings=self._expected_signings(d, "event", str(eid)),
                    spread=0,
                    lag=float(ev["lag_months"]),
                    size_median=float(ev["size_median"]),
                    foreign_share=float(ev["foreign_share"]),
                    share_500=float(ev["share_500"]),
                    cap=self._cap("event", str(eid)),
                )
            )
        return out

    def _expected_signings(self, d: Drivers, kind: str, name: str) -> float:
        """A source's mean signings under drivers `d`: a channel's leads over the months left
        (an overseas one's scaled) times the conversion; an event's leads times its
        conversion (at most 1)."""
        if kind == "channel":
            c = next(c for c in self.params.channels if c.id == name)
            leads = c.leads_per_quarter / 3 * d.channels.lead_multiplier * self.future
            if c.overseas:
                leads *= d.channels.overseas_lead_multiplier
            return leads * d.channels.conversion
        ev = self._event[name]
        leads = float(ev["expected_leads"]) * d.events.lead_multiplier.of(str(ev["kind"]))
        return leads * min(1.0, float(ev["conversion"]) * d.events.conversion_multiplier)

    def _cap(self, kind: str, name: str) -> float:
        """How many deals a source's pool holds per trial on average: twice its mean under
        the params' drivers, plus two."""
        return 2 * self._expected_signings(self.params.drivers, kind, name) + 2

    def _source_arrays(self, setup: Setup) -> None:
        d, srcs = setup.drivers, setup.sources
        setup.src = {
            "lag": np.stack(
                [draws.chain_table(1.0, s.lag, d.lag_sigma) for s in srcs]
                or [np.zeros(draws.Q, np.int8)]
            ),
            "first": np.array([s.month for s in srcs], np.int32),
            "spread": np.array([s.spread for s in srcs], np.int32),
            "size": np.array([s.size_median for s in srcs], np.float32),
            "foreign": np.array([draws.threshold(s.foreign_share) for s in srcs], np.int32),
            "is500": np.array([draws.threshold(s.share_500) for s in srcs], np.int32),
            "part": np.array([self._deal_part_of(s) for s in srcs], np.intp),
        }

    def _deal_part_of(self, s: Source) -> int:
        """Which of DEAL_PARTS a source of new deals is (offices, platforms, events)."""
        if s.kind == "event":
            return 2
        return 0 if any(c.id == s.name for c in self.params.offices) else 1

    # ---- the passes of a forecast ---------------------------------------------------------

    def run_pass(
        self,
        setup: Setup,
        months: tuple[int, ...],
        projects: dict[str, np.ndarray] | None = None,
        sources: dict[str, np.ndarray] | None = None,
        keys: tuple[int, ...] | None = None,
        parts: dict[str, np.ndarray] | None = None,
    ) -> np.ndarray:
        """Future value (on top of facts) at the end of each of `months` (increasing) of every
        metric, or of the metrics at positions `keys` of the engine's keys only: (trials,
        len(months), len(keys)): the ledger projects' part and the new deals'. With `months`
        (12,) only, fills per-project and per-source sums if given, and `parts` (every metric):
        the sum over trials at December of what each stage's ledger projects ("stage:<stage>")
        and each kind of source of new deals ("offices", "platforms", "events") add. A
        metric's values do not depend on which other metrics are asked for."""
        keys = tuple(range(len(self.keys))) if keys is None else tuple(keys)
        out = self.ledger_pass.run(setup, months, keys, projects, parts)
        if self.future > 0:
            out += self.deal_pass.part(setup, months, sources, keys, parts)
        return out

    @property
    def cached_mb(self) -> float:
        """Megabytes of draws kept on the engine."""
        return self.store.cached_mb

    def extra_codes(self, c: int, n: int) -> np.ndarray:
        """Codes of the goal seek's extra signed projects (`DrawStore.extra_codes`)."""
        return self.store.extra_codes(c, n)

    def climate_codes(
        self, c: int, n: int, codes: np.ndarray, kind: str, with_shock: bool,
        climate: tuple[float, float],
    ) -> np.ndarray:  # fmt: skip
        """A chunk's codes moved by each trial's climate (`Climate.codes`)."""
        return self.climate.codes(c, n, codes, kind, with_shock, climate)

    # ---- goal seek support ---------------------------------------------------------------

    def signed_capital_yield(self, drivers: Drivers, metric: str) -> np.ndarray:
        """Per trial: the year-end value added to a money metric by 1亿元 more capital signed
        right after the as-of date (spread over EXTRA_SLOTS projects without a plan, each
        starting and paying like a signed ledger project, under the trial's climate)."""
        m = self.defs[metric]
        if m.kind != "money":
            raise InputError(Message("err.count_metric", metric=metric))
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
        climate = (float(d.shared_shock), float(d.driver_spread))
        for c, n in self.store.chunks():
            start_code, share_code = self.extra_codes(c, n)
            if climate != (0.0, 0.0):  # moved as a signed ledger project's: its start first
                start_code = self.climate_codes(c, n, start_code, "T", True, climate)
                share_code = self.climate_codes(c, n, share_code, "R", False, climate)
            start = start_t[start_code]
            paid = share_t[share_code] * np.maximum(13 - start, 0)
            out[c * CHUNK : c * CHUNK + n] = paid.sum(axis=1) / (12 * EXTRA_SLOTS) * to_unit
        return out
