"""The roadshow plan: which candidate events to hold, in which month, for a budget.

`build_problem` turns the event catalogue and the `roadshow:` settings into slots (event x
month) that can be held: inside the catalogue's months, not before the as-of date, not
forbidden by a restriction (standing or a scenario's), and with a run of days that touches no
blocked holiday week. Each slot carries its expected value under the optimiser's own model
(`ValueModel`): in-year arrived capital (an event pays less the later it is held, through
the lag) plus `weight_500` x expected new 500强 signings.

`solve` picks the plan by a mixed-integer programme (scipy.optimize.milp, HiGHS) under the
budget, staff-days and event count per month, each resident office running at least one
event and at least M cloud events; `greedy_plan` picks by value per 万元 for comparison.
When nothing is feasible, `solve` raises InfeasiblePlanError naming the constraints that
conflict (see `workbook.roadshow.explain`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from workbook.text.catalogue import Entry
from workbook.text.errors import InputError
from workbook.text.messages import Message
from workbook.zone.cells import num
from workbook.zone.holidays import HolidayWeek, event_windows, holiday_label, holiday_weeks
from workbook.zone.params import Channel, ZoneParams
from workbook.zone.roadshow_settings import Restriction, RoadshowSettings

if TYPE_CHECKING:  # drivers import params, which must load first
    from workbook.zone.drivers import Cancellation, Drivers

# Columns of a plan table, in order.
PLAN_COLUMNS: tuple[str, ...] = (
    "month",
    "event_id",
    "name",
    "kind",
    "city",
    "channel",
    "office",
    "first_day",
    "last_day",
    "cost",
    "staff_days",
    "expected_leads",
    "expected_signings",
    "expected_capital",
    "expected_domestic",
    "expected_foreign",
    "expected_500",
    "value",
)


@dataclass(frozen=True)
class RoadshowProblem:
    """Everything the optimiser needs, checked and precomputed; build with `build_problem`.

    `slots` holds one row per (event, month) that may be held with its value; `excluded`
    one row per (event, month) the catalogue allows but the plan may not use, with the reason
    (elapsed, restricted, holiday) for explanations.
    """

    year: int
    as_of: dt.date | None
    months: tuple[int, ...]
    settings: RoadshowSettings
    events: pd.DataFrame
    channels: Mapping[str, Channel]
    required_offices: tuple[str, ...]
    slots: pd.DataFrame
    excluded: pd.DataFrame
    holiday_weeks: tuple[HolidayWeek, ...]
    restrictions: tuple[Restriction | Cancellation, ...]  # the settings', the drivers', the run's
    windows: Mapping[tuple[str, int], tuple[tuple[dt.date, dt.date], ...]] = field(repr=False)

    @property
    def budget(self) -> float:
        return self.settings.budget

    def office_label(self, channel: str, lang: str = "zh") -> str:
        ch = self.channels.get(channel)
        if ch is None:
            return channel
        return Entry(ch.name, ch.name_en).text(lang)

    def with_budget(self, budget: float) -> RoadshowProblem:
        """The same problem with another budget (slots and values are unchanged)."""
        if budget < 0:
            raise InputError(Message("review.budget", found=f"{budget:g}"))
        settings = self.settings.model_copy(update={"budget": float(budget)})
        return replace(self, settings=settings)


@dataclass(frozen=True)
class Plan:
    """A chosen set of (event, month) with dates and expected value; see PLAN_COLUMNS.

    `method` is 'optimal' (MILP), 'greedy' or 'manual' (plan_of); `unmet` lists requirements
    a greedy plan misses (an optimal plan meets them all or is not returned). Office names are
    in the language the plan was made in.
    """

    table: pd.DataFrame
    objective: float
    budget: float
    method: str
    proven_optimal: bool = False
    gap: float | None = None
    seconds: float = 0.0
    unmet: tuple[str, ...] = ()

    @property
    def cost(self) -> float:
        return float(self.table["cost"].sum())

    @property
    def expected_capital(self) -> float:
        return float(self.table["expected_capital"].sum())

    @property
    def expected_500(self) -> float:
        return float(self.table["expected_500"].sum())

    def held(self) -> pd.DataFrame:
        """The plan as the scenario engine takes it: DataFrame[event_id, month]."""
        return self.table[["event_id", "month"]].reset_index(drop=True)


# ---- building the problem ----------------------------------------------------------------------


def plannable_months(year: int, as_of: dt.date | None) -> tuple[int, ...]:
    """Months whose first day is on or after `as_of` (all twelve when as_of is None)."""
    if as_of is None:
        return tuple(range(1, 13))
    if as_of.year > year:
        return ()
    if as_of.year < year:
        return tuple(range(1, 13))
    return tuple(m for m in range(1, 13) if dt.date(year, m, 1) >= as_of)


@lru_cache(maxsize=256)
def lag_pmf(mean: float, sigma: float) -> tuple[tuple[int, float], ...]:
    """P(lag = k months), k = 0..13 (13: after the year), for the lag the forecast draws from
    an event within one month to the next: ceil(U + mean x L) - 1, U uniform, L lognormal with
    mean 1 and log-sd `sigma` (workbook.forecast.draws.chain_table)."""
    from workbook.forecast.draws import Q, chain_table

    counts = np.bincount(chain_table(1.0, float(mean), float(sigma)), minlength=14)
    return tuple((k, c / Q) for k, c in enumerate(counts.tolist()) if c)


@lru_cache(maxsize=4096)
def _timing(
    month: int, lag: float, slip: int, to_start: float, sigma: float
) -> tuple[float, float]:
    """(P(signing lands in the year), expected months of arrivals by December) of a deal from
    an event in `month`: it signs `slip` + a `lag` draw later, starts a `to_start` draw after
    signing, and money flows every month from the start month to December, as in the forecast."""
    p_sign = pay = 0.0
    starts = lag_pmf(to_start, sigma)
    for k, pk in lag_pmf(lag, sigma):
        signed = month + slip + k
        if signed > 12:
            continue
        p_sign += pk
        for j, pj in starts:
            pay += pk * pj * max(0, 13 - (signed + j))
    return p_sign, pay


def slot_value(
    event: Mapping[str, object] | pd.Series,
    month: int,
    drivers: Drivers,
    weight_500: float,
) -> dict[str, float]:
    """What holding `event` in `month` is expected to bring, under the forecast's drivers:
    leads (x the kind's lead multiplier), signings (x conversion multiplier), in-year arrived
    capital in 亿元 (split domestic/foreign) and new 500强 signings in the year, and its value
    in the objective: capital + weight_500 x 500强 signings.

    Each signed deal has a lognormal size around the catalogue median (sigma `size_sigma`),
    signs `slip_months` + the catalogue lag later, starts with `start_probability` after
    `months_to_start`, and then brings the `unplanned_share` of its size per twelve months
    until December; lags are spread as the forecast draws them (`lag_sigma`), so this is the
    forecast's expectation for the event (Forecast.sources). Earlier months pay more.
    """
    ev_drivers = drivers.events
    kind = str(event["kind"])
    leads = num(event["expected_leads"]) * ev_drivers.lead_multiplier.of(kind)
    conversion = min(1.0, num(event["conversion"]) * ev_drivers.conversion_multiplier)
    signings = leads * conversion
    p_sign, pay_months = _timing(
        int(month),
        num(event["lag_months"]),
        drivers.slip_months,
        drivers.months_to_start,
        drivers.lag_sigma,
    )
    mean_size = num(event["size_median"]) * math.exp(drivers.size_sigma**2 / 2)
    capital = (
        signings
        * mean_size
        * drivers.start_probability
        * drivers.unplanned_share.mean
        * pay_months
        / 12
    )
    e500 = signings * num(event["share_500"]) * p_sign
    foreign = capital * num(event["foreign_share"])
    return {
        "expected_leads": leads,
        "expected_signings": signings,
        "expected_capital": capital,
        "expected_domestic": capital - foreign,
        "expected_foreign": foreign,
        "expected_500": e500,
        "value": capital + weight_500 * e500,
    }


def build_problem(
    params: ZoneParams,
    events: pd.DataFrame | None,
    *,
    settings: RoadshowSettings | None = None,
    budget: float | None = None,
    as_of: dt.date | None = None,
    scenario: str | None = None,
    drivers: Drivers | None = None,
    restrictions: Sequence[Restriction] = (),
) -> RoadshowProblem:
    """Check the catalogue against the settings and list every (event, month) slot with its value.

    `settings` defaults to `params.roadshow`, `budget` (万元) overrides its budget. `drivers`
    default to the params' drivers with the named `scenario`'s overrides laid over them; the
    drivers' cancelled events and `restrictions` add to the settings' standing restrictions.
    """
    if events is None or len(events) == 0:
        raise InputError(Message("err.no_catalogue_to_plan"))
    settings = settings if settings is not None else params.roadshow
    if budget is not None:
        if not math.isfinite(budget) or budget < 0:
            raise InputError(Message("review.budget", found=f"{budget:g}"))
        settings = settings.model_copy(update={"budget": float(budget)})
    if drivers is None:
        drivers = scenario_drivers(params, scenario)
    year = params.year
    months = plannable_months(year, as_of)
    channels = {c.id: c for c in params.channels}
    rules = plan_rules(params, events, settings, drivers, restrictions)
    weeks = holiday_weeks(year, settings.blocked_holidays)
    rows: list[dict[str, object]] = []
    excluded: list[dict[str, object]] = []
    windows: dict[tuple[str, int], tuple[tuple[dt.date, dt.date], ...]] = {}
    events = events.reset_index(drop=True)
    for _, ev in events.iterrows():
        eid, kind, channel = str(ev["event_id"]), str(ev["kind"]), str(ev["channel"])
        for m in sorted(ev["months"]):
            reason = detail = None
            if m not in months:
                reason, detail = "elapsed", ""
            else:
                hit = next((r for r in rules if r.forbids(eid, kind, channel, m)), None)
                if hit is not None:
                    reason, detail = "restricted", hit.reason
            if reason is None:
                days = settings.event_days.of(kind)
                w = event_windows(year, m, days, weeks, workdays_only=kind != "overseas")
                if not w:
                    reason = "holiday"
                    touched = [x for x in weeks if x.first.month <= m <= x.last.month]
                    detail = ", ".join(holiday_label(x.holiday) for x in touched)
                else:
                    windows[(eid, m)] = tuple(w)
            if reason is not None:
                excluded.append({"event_id": eid, "month": m, "reason": reason, "detail": detail})
                continue
            value = slot_value(ev, m, drivers, settings.weight_500)
            rows.append(
                {
                    "event_id": eid,
                    "month": m,
                    "kind": kind,
                    "channel": channel,
                    "cost": float(ev["cost"]),
                    "staff_days": float(ev["staff_days"]),
                    **value,
                }
            )
    slot_cols = ["event_id", "month", "kind", "channel", "cost", "staff_days"] + [
        c for c in PLAN_COLUMNS if c.startswith("expected_") or c == "value"
    ]
    slots = pd.DataFrame(rows, columns=slot_cols)
    required = (
        tuple(o.id for o in params.offices) if settings.each_office_runs_one else tuple[str, ...]()
    )
    return RoadshowProblem(
        year=year,
        as_of=as_of,
        months=months,
        settings=settings,
        events=events,
        channels=channels,
        required_offices=required,
        slots=slots,
        excluded=pd.DataFrame(excluded, columns=["event_id", "month", "reason", "detail"]),
        holiday_weeks=weeks,
        restrictions=rules,
        windows=windows,
    )


def plan_rules(
    params: ZoneParams,
    events: pd.DataFrame,
    settings: RoadshowSettings,
    drivers: Drivers,
    restrictions: Sequence[Restriction] = (),
) -> tuple[Restriction | Cancellation, ...]:
    """Every restriction a plan obeys (the settings' standing ones, the drivers' cancelled
    events, `restrictions`), once the catalogue's offices and platforms and every name the
    rules use are checked: an InputError names what is unknown. No slot is valued here, so
    checking a zone's inputs needs none of the forecast's tables."""
    channels = {c.id for c in params.channels}
    unknown = sorted(set(events["channel"]) - channels)
    if unknown:
        raise InputError(
            Message(
                "err.unknown_channels", names=", ".join(unknown), valid=", ".join(sorted(channels))
            )
        )
    rules = tuple(settings.restrictions) + tuple(drivers.events.cancelled) + tuple(restrictions)
    known = set(events["event_id"])
    for rule in rules:
        bad = [e for e in rule.events if e not in known] + [
            c for c in rule.channels if c not in channels
        ]
        if bad:
            raise InputError(
                Message("plan.restriction_unknown", reason=rule.reason or "-", bad=", ".join(bad))
            )
    return rules


def scenario_drivers(params: ZoneParams, scenario: str | None) -> Drivers:
    """The params' drivers with a named scenario's overrides laid over them (None: as they are).
    An unknown name is an InputError listing the scenarios the params define."""
    if scenario is None:
        return params.drivers
    if scenario not in params.scenarios:
        names = ", ".join(params.scenarios) or "none"
        raise InputError(Message("err.unknown_plan_scenario", name=scenario, names=names))
    return params.drivers.apply(params.scenarios[scenario].drivers)
