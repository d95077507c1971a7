"""The engine's building blocks: constants, the as-of stage of each ledger project, groups
of projects, sources of new deals, a forecast's set-up and event plans."""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from workbook.forecast.cachekeys import DriverKeys, Key
from workbook.text.errors import InputError, ParamsError
from workbook.text.labels import STAGES
from workbook.text.messages import Message
from workbook.zone.drivers import Drivers, PlannedEvent
from workbook.zone.loader import Zone
from workbook.zone.metrics import METRICS
from workbook.zone.replay import last_data_day

if TYPE_CHECKING:  # kernels import this module
    from workbook.forecast.kernels import FusedTables

CHUNK = 4096  # trials per chunk; part of the draws' identity, so fixed
DEAL_SPAN = 8  # chunks of trials kept and simulated together (ledger codes, new deals)
BLOCK = 4  # deal slots per overflow block (deals beyond a source's pool)
# The built-in layout (every built-in metric, in METRICS order). An engine simulates the
# metrics its zone declares (`Engine.keys`, money first: workbook.forecast.declared), which
# are these when the zone declares none of its own.
KEYS: tuple[str, ...] = tuple(METRICS)
PRE_SIGN = STAGES[:5]
# Families of draws a ledger project has ahead of it at each as-of stage.
KINDS_OF_STAGE = {
    **{s: ("S", "T", "P", "R") for s in PRE_SIGN},
    "signed": ("T", "P", "R"),
    "started": ("P", "R"),
    "producing": ("R",),
}
# Marks of one new deal, in the order its codes are drawn.
DEAL_MARKS = ("lag", "month", "size", "foreign", "is500", "four_new", "start", "produce", "share")
MARK_INDEX = {name: i for i, name in enumerate(DEAL_MARKS)}
# Stream families (first element of every draw key).
STREAM_PROJECTS, STREAM_CHANNEL, STREAM_EVENT, STREAM_EXTRA, STREAM_CLIMATE = 1, 2, 3, 4, 5
# Families of draws a trial's climate moves, and the way a good climate moves their codes
# (down for a milestone: sooner and more likely; up for a share or a count of new deals).
CLIMATE_KINDS = {"S": -1.0, "T": -1.0, "P": -1.0, "R": 1.0, "N": 1.0}
DEAL_PARTS = ("offices", "platforms", "events")  # kinds of sources of new deals
# A pass's sums per ledger project (`Engine.run_pass(projects=...)`): Σ over trials of signed
# and started by December, of money arriving, and of the amount (亿元)
PROJECT_SUMS = ("sign", "start", "money", "amount")
EXTRA_SLOTS = 20  # goal seek: extra signed capital is spread over this many signed projects


def default_as_of(zone: Zone) -> dt.date:
    """The end of the last month with arrivals logged in the plan year; an error without any."""
    return last_data_day(zone.ledger, zone.params.year)


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
class ProjectGroup:
    """Ledger projects of one stage (at the as-of date) and one plan status, simulated together."""

    stage: str
    has_plan: bool
    cols: np.ndarray  # positions in the ledger
    kinds: tuple[str, ...]
    key: tuple[int, ...]
    # Per family of milestones (sign, start, produce): (projects, count metrics) weights, the
    # count metrics each project counts for when it reaches that milestone.
    full: dict[str, np.ndarray] = field(default_factory=dict)
    # The same for the count metrics whose condition on that milestone's own date is judged
    # on its simulated month (workbook.forecast.windows); `full` is 0 there.
    window: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass(frozen=True)
class Source:
    """Where new deals come from: an office or platform, or one event held in one month."""

    kind: str  # "channel" | "event"
    name: str  # channel id or event id
    month: int  # the event's month; for a channel the first month of leads
    # An event's draws: 0 for its first holding in the plan year, 1 for its second, … (by
    # month). The month is not part of the key: the same event held in May instead of April
    # has the same leads, sizes and lags, only later (common random numbers across months),
    # so moving it never changes its luck, only its timing.
    copy: int
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
            return (STREAM_CHANNEL, crc)
        return (STREAM_EVENT, crc, self.copy)


@dataclass
class Setup:
    """What one forecast needs beyond the draws: tables, weights and sources."""

    drivers: Drivers
    fx: float
    plan: pd.DataFrame
    sources: list[Source]
    tables: dict[str, np.ndarray]
    money_w: dict[int, np.ndarray]  # group index -> (n, money metrics): scale x CNY -> unit
    scale: np.ndarray  # per ledger project: 亿元 per unit of its pace row (see Engine.setup)
    deal_fx: np.ndarray  # (money metrics,) CNY -> unit of each money metric
    driver_keys: DriverKeys  # the drivers as cache keys, read once (workbook.forecast.cachekeys)
    src: dict[str, np.ndarray] = field(default_factory=dict)
    deal_key: Key = ()  # everything new deals depend on (workbook.forecast.cachekeys)
    # group index -> (stacked month tables, per-project offsets) for projects that have
    # waited in their stage (their first milestone conditioned on the months waited)
    stuck: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    climate: tuple[float, float] | None = None  # (shared_shock, driver_spread); None: off
    # The forecast's sums over trials at December, by part (workbook.forecast.explain)
    parts: dict[str, np.ndarray] = field(default_factory=dict)
    # stacked tables of the compiled pass (workbook.forecast.kernels)
    fused: FusedTables | None = None


def plan_frame(plan: pd.DataFrame | Iterable[PlannedEvent] | None) -> pd.DataFrame:
    """An event plan as DataFrame[event_id, month] from a DataFrame or PlannedEvent values."""
    if plan is None:
        return pd.DataFrame(
            {"event_id": pd.Series([], dtype=object), "month": pd.Series([], dtype=int)}
        )
    if isinstance(plan, pd.DataFrame):
        missing = [c for c in ("event_id", "month") if c not in plan.columns]
        if missing and len(plan.columns):
            raise InputError(Message("err.plan_columns", missing=", ".join(missing)))
        if missing:
            return plan_frame(None)
        months = pd.to_numeric(plan["month"], errors="coerce")
        bad = plan.index[months.isna() | (months % 1 != 0) | (months < 1) | (months > 12)]
        if len(bad):
            raise InputError(Message("err.plan_months", found=plan.loc[bad[0], "month"]))
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


def catalogue_events(events: pd.DataFrame | None) -> dict[str, dict[str, Any]]:
    """Each catalogue event as a plain dict by id (a forecast reads them for every planned
    event); empty without a catalogue."""
    if events is None:
        return {}
    rows = events.set_index("event_id").to_dict("index")
    return {str(k): {str(c): v for c, v in row.items()} for k, row in rows.items()}


def plan_problem(
    events: dict[str, dict[str, Any]], has_catalogue: bool, event_id: str, month: int
) -> Message | None:
    """What is wrong with holding `event_id` in `month`, or None: no catalogue, an event the
    catalogue does not hold, or a month it cannot be held in."""
    if not has_catalogue:
        return Message("plan.no_catalogue", id=event_id)
    if event_id not in events:
        return Message("plan.unknown_event", id=event_id, valid=", ".join(events))
    months = tuple(events[event_id]["months"])
    if month not in months:
        return Message("plan.month", id=event_id, month=month, months=_months_text(months))
    return None


def check_plans(params: Any, events: dict[str, dict[str, Any]], has_catalogue: bool) -> None:
    """Every event plan of the params (its own and each scenario's) names catalogue events in
    months they can be held; a ParamsError listing every problem otherwise."""
    source = str(params.source) if params.source else "<params>"
    plans: list[tuple[str, Any]] = [("event_plan", params.event_plan)]
    for key, sc in params.scenarios.items():
        if sc.event_plan is not None:
            plans.append((f"scenarios.{key}.event_plan", sc.event_plan))
    problems: list[Message] = []
    for where, plan in plans:
        for i, ev in enumerate(plan):
            problem = plan_problem(events, has_catalogue, ev.event_id, ev.month)
            if problem:
                at_key = Message("at", where=f"{where}.{i}", body=problem)
                problems.append(Message("at", where=source, body=at_key))
    if problems:
        raise ParamsError(problems)


def _months_text(months: tuple[int, ...]) -> str:
    """(3, 4, 5, 9) -> '3-5, 9'."""
    runs: list[list[int]] = []
    for m in sorted(months):
        if runs and m == runs[-1][-1] + 1:
            runs[-1].append(m)
        else:
            runs.append([m])
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else f"{r[0]}" for r in runs)


def scenario_problem(source: str, name: str, exc: Exception) -> Message:
    """'<params>: scenarios.<name>.drivers: <what pydantic says>', in either language."""
    where = Message("at", where=source, body=f"scenarios.{name}.drivers")
    return Message("at", where=where, body=Message.text(str(exc)))
