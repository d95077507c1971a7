"""The data of each review section, as plain DataFrames with canonical (English) columns.

Pure functions of the zone, the as-of date and (for sections 1, 2 and 7) the forecast; the
notebook shows them, the runner writes them to Excel and JSON. Labels are applied later
(`workbook.review.report`), so every figure here is testable on its own.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from workbook.forecast.backtest import inside_p10_p90
from workbook.text.labels import STAGES
from workbook.zone.ledger import Ledger, rates
from workbook.zone.metrics import (
    BIG_PROJECT,
    HUNDRED_BILLION,
    count_masks,
    definitions,
    money_by_month,
    unit_of,
)
from workbook.zone.pacing import phased_share, status, time_progress
from workbook.zone.params import ZoneParams

FORECAST_COLUMNS = ["p_attain", "p_stretch", "p10", "p50", "p90"]
# Outlook from the chance of reaching the floor: likely >= 0.8 > uncertain >= 0.5 > at risk.
OUTLOOK_LIKELY = 0.8
OUTLOOK_UNCERTAIN = 0.5
TIERS = ((HUNDRED_BILLION, "tier_100"), (50.0, "tier_50"), (BIG_PROJECT, "tier_30"))
CHANGES = ("advanced", "new", "stalled", "moved_back", "dropped", "unchanged")


def month_start(day: dt.date) -> pd.Timestamp:
    return pd.Timestamp(day.year, day.month, 1)


def month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def outlook(p_attain: float) -> str:
    """'likely', 'uncertain' or 'at_risk' from P(reach the floor)."""
    if not np.isfinite(p_attain):
        return "unknown"
    if p_attain >= OUTLOOK_LIKELY:
        return "likely"
    if p_attain >= OUTLOOK_UNCERTAIN:
        return "uncertain"
    return "at_risk"


# ---- 1. headline ---------------------------------------------------------------------------


def headline(
    params: ZoneParams, ledger: Ledger, as_of: dt.date, forecast: pd.DataFrame | None
) -> pd.DataFrame:
    """Every target: pacing (target, actual, completion, 序时进度, phased target, verdict) beside
    the forecast (P(attain floor), P(attain stretch), P10/P50/P90 year-end) and an outlook."""
    table = status(params, ledger, as_of, "en").drop(columns=["label"])
    if forecast is not None:
        fc = forecast.reindex(table["metric"])[FORECAST_COLUMNS].reset_index(drop=True)
        table = pd.concat([table, fc], axis=1)
        # Without a stretch target, "stretch" is the floor itself.
        no_stretch = table["stretch"].isna()
        table.loc[no_stretch, "p_stretch"] = np.nan
    else:
        for col in FORECAST_COLUMNS:
            table[col] = np.nan
    table["outlook"] = [outlook(p) for p in table["p_attain"]]
    return table


# ---- 1b. track record: the backtest's past forecasts in plain bands of confidence ----------

# From most to least sure: (key, lower bound, upper bound); a band holds lower <= P < upper,
# the first one up to and including 1. Words in workbook.text.labels (kind "confidence").
CONFIDENCE_BANDS: tuple[tuple[str, float, float], ...] = (
    ("sure", 0.9, 1.0),
    ("likely", 0.6, 0.9),
    ("even", 0.4, 0.6),
    ("unlikely", 0.1, 0.4),
    ("remote", 0.0, 0.1),
)
TRACK_COLUMNS = ["band", "lo", "hi", "forecasts", "met", "mean_p", "share_met"]


def track_bands(forecasts: pd.DataFrame) -> pd.DataFrame:
    """Past forecasts (workbook.forecast.backtest.FORECAST_COLUMNS) grouped by the chance they
    gave: per band (CONFIDENCE_BANDS order, every band, empty ones with 0 forecasts) how many
    forecasts, how many were met, their mean P(attain) and the share met (NaN when empty)."""
    p = forecasts["p_attain"].to_numpy(float)
    met = forecasts["met"].to_numpy(bool)
    rows = []
    for key, lo, hi in CONFIDENCE_BANDS:
        inside = (p >= lo) & ((p < hi) | (hi >= 1.0))
        n = int(inside.sum())
        rows.append(
            {
                "band": key,
                "lo": lo,
                "hi": hi,
                "forecasts": n,
                "met": int(met[inside].sum()),
                "mean_p": float(p[inside].mean()) if n else np.nan,
                "share_met": float(met[inside].mean()) if n else np.nan,
            }
        )
    return pd.DataFrame(rows, columns=TRACK_COLUMNS)


def track_coverage(forecasts: pd.DataFrame) -> tuple[int, int]:
    """(outcomes inside their forecast's P10–P90, forecasts)."""
    inside = inside_p10_p90(forecasts)
    return int(inside.sum()), len(forecasts)


# ---- 2. burn-up ----------------------------------------------------------------------------


def money_metrics(params: ZoneParams) -> list[str]:
    defs = definitions(params)
    return [k for k, _ in params.targets.items() if defs[k].kind == "money"]


def burnup(
    params: ZoneParams,
    ledger: Ledger,
    as_of: dt.date,
    metric: str,
    fan: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Month by month for one money target: cumulative actual (to the as-of month), the phased
    target due at each month end, and the forecast fan (p10/p50/p90) from the as-of month on."""
    target = dict(params.targets.items())[metric]
    defs = definitions(params)
    monthly = money_by_month(
        ledger, defs[metric], unit_of(metric, target, defs), params.fx_cny_per_usd, as_of
    )
    months = pd.date_range(f"{params.year}-01-01", periods=12, freq="MS")
    monthly = monthly[monthly.index >= months[0]].reindex(months, fill_value=0.0)
    cutoff = month_start(as_of)
    actual = monthly.cumsum().where(months <= cutoff)
    due = [
        phased_share(target, time_progress(month_end(params.year, t.month), params.year))
        * target.annual
        for t in months
    ]
    out = pd.DataFrame(
        {
            "month": months,
            "actual": actual.to_numpy(),
            "phased_target": due,
            "target": target.annual,
            "p10": np.nan,
            "p50": np.nan,
            "p90": np.nan,
        }
    )
    if fan is not None and len(fan):
        f = fan.copy()
        f["month"] = [_as_month(v, params.year) for v in f["month"]]
        f = f.set_index("month")[["p10", "p50", "p90"]]
        later = out["month"] > cutoff
        for col in ("p10", "p50", "p90"):
            out.loc[later, col] = out.loc[later, "month"].map(f[col]).to_numpy()
        at = out["month"] == cutoff
        for col in ("p10", "p50", "p90"):  # the fan starts from where the year stands
            out.loc[at, col] = out.loc[at, "actual"]
    return out


def _as_month(value: object, year: int) -> pd.Timestamp:
    if isinstance(value, int | np.integer):
        return pd.Timestamp(year, int(value), 1)
    t = pd.Timestamp(value)
    return pd.Timestamp(t.year, t.month, 1)


# ---- 3. pipeline ---------------------------------------------------------------------------


def funnel(projects: pd.DataFrame) -> pd.DataFrame:
    """Projects and money at each stage, and how many reached at least that stage."""
    g = projects.groupby("stage", observed=False).agg(
        projects=("project_id", "size"),
        total_investment=("total_investment", "sum"),
        planned_inflow=("planned_inflow", lambda s: float(s.fillna(0).sum())),
    )
    g = g.reindex(list(STAGES), fill_value=0)
    g["reached"] = g["projects"][::-1].cumsum()[::-1]
    g.index.name = "stage"
    return g.reset_index()


def changes(previous: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """Each project against the previous quarter's ledger: advanced, new, stalled (same stage
    before production), moved back, dropped, or unchanged (still producing)."""
    cols = ["project_id", "name", "stage", "total_investment", "team", "owner"]
    before = previous[cols].set_index("project_id")
    now = current[cols].set_index("project_id")
    ids = list(now.index) + [i for i in before.index if i not in now.index]
    rows = []
    order = {s: i for i, s in enumerate(STAGES)}
    for pid in ids:
        b = before.loc[pid] if pid in before.index else None
        n = now.loc[pid] if pid in now.index else None
        if b is None:
            change = "new"
        elif n is None:
            change = "dropped"
        else:
            sb, sn = order[str(b["stage"])], order[str(n["stage"])]
            if sn > sb:
                change = "advanced"
            elif sn < sb:
                change = "moved_back"
            elif str(n["stage"]) == STAGES[-1]:
                change = "unchanged"
            else:
                change = "stalled"
        src = n if n is not None else b
        rows.append(
            {
                "project_id": pid,
                "name": src["name"],
                "change": change,
                "stage_before": None if b is None else str(b["stage"]),
                "stage_now": None if n is None else str(n["stage"]),
                "total_investment": float(src["total_investment"]),
                "team": src["team"],
                "owner": src["owner"],
            }
        )
    out = pd.DataFrame(rows)
    out["_o"] = out["change"].map({c: i for i, c in enumerate(CHANGES)})
    out = out.sort_values(["_o", "total_investment"], ascending=[True, False]).drop(columns="_o")
    return out.reset_index(drop=True)


def change_counts(table: pd.DataFrame) -> dict[str, int]:
    counts = table["change"].value_counts()
    return {c: int(counts.get(c, 0)) for c in CHANGES}


# ---- 4. 500强 tracker ----------------------------------------------------------------------


def tracker_500(params: ZoneParams, ledger: Ledger, as_of: dt.date) -> pd.DataFrame:
    """Every 500强 project: list, stage, dates, next milestone, and what it counts toward this
    year (new 世界/中国500强 signing, 500强 bonus item)."""
    p = ledger.projects
    masks = count_masks(p, dt.date(params.year, 1, 1), as_of, definitions(params))
    keep = p["list_flag"] != "none"
    out = p.loc[
        keep,
        [
            "project_id",
            "name",
            "investor",
            "list_flag",
            "stage",
            "total_investment",
            "signed_date",
            "new_500_signing",
            "next_milestone",
            "milestone_date",
            "team",
            "owner",
        ],
    ].copy()
    out["stage"] = out["stage"].astype(str)
    for key in ("global500_signings", "china500_signings", "bonus_500"):
        out[key] = masks[key][keep].to_numpy()
    out["overdue"] = _overdue(p.loc[keep], as_of).to_numpy()
    order = {"global500": 0, "china500": 1, "private500": 2}
    out["_o"] = out["list_flag"].map(order)
    out = out.sort_values(["_o", "bonus_500", "total_investment"], ascending=[True, False, False])
    return out.drop(columns="_o").reset_index(drop=True)


def tracker_counts(table: pd.DataFrame) -> dict[str, int]:
    return {
        "projects": len(table),
        "global500": int((table["list_flag"] == "global500").sum()),
        "china500": int((table["list_flag"] == "china500").sum()),
        "private500": int((table["list_flag"] == "private500").sum()),
        "global500_signings": int(table["global500_signings"].sum()),
        "china500_signings": int(table["china500_signings"].sum()),
        "bonus_500": int(table["bonus_500"].sum()),
    }


# ---- 5. big-project ladder -----------------------------------------------------------------


def _overdue(p: pd.DataFrame, as_of: dt.date) -> pd.Series:
    """A milestone is overdue when its date has passed and the project is not yet producing."""
    return (
        p["milestone_date"].notna()
        & (p["milestone_date"] < pd.Timestamp(as_of))
        & (p["stage"].astype(str) != STAGES[-1])
    )


def tier_of(total_investment: float) -> str | None:
    for floor, name in TIERS:
        if total_investment >= floor:
            return name
    return None


def ladder(params: ZoneParams, ledger: Ledger, as_of: dt.date) -> pd.DataFrame:
    """Projects of >= 30亿元 by tier (>= 100, >= 50, >= 30亿元) with 专班, owner, next time node
    and whether it is overdue (days past the node)."""
    p = ledger.projects
    big = p[p["total_investment"] >= BIG_PROJECT]
    out = big[
        [
            "project_id",
            "name",
            "total_investment",
            "stage",
            "signed_date",
            "team",
            "owner",
            "next_milestone",
            "milestone_date",
        ]
    ].copy()
    out.insert(0, "tier", [tier_of(v) for v in out["total_investment"]])
    out["stage"] = out["stage"].astype(str)
    year_start = pd.Timestamp(params.year, 1, 1)
    out["signed_this_year"] = (
        out["signed_date"].notna()
        & (out["signed_date"] >= year_start)
        & (out["signed_date"] <= pd.Timestamp(as_of))
    )
    out["overdue"] = _overdue(big, as_of).to_numpy()
    late = (pd.Timestamp(as_of) - out["milestone_date"]).dt.days
    out["days_overdue"] = late.where(out["overdue"]).astype("Int64")
    tier_rank = {name: i for i, (_, name) in enumerate(TIERS)}
    out["_o"] = out["tier"].map(tier_rank)
    out = out.sort_values(["_o", "total_investment"], ascending=[True, False]).drop(columns="_o")
    return out.reset_index(drop=True)


def ladder_counts(table: pd.DataFrame) -> dict[str, dict[str, int]]:
    out = {}
    for floor, name in TIERS:
        at_least = table[table["total_investment"] >= floor]
        out[name] = {
            "projects": len(at_least),
            "signed_this_year": int(at_least["signed_this_year"].sum()),
            "overdue": int(at_least["overdue"].sum()),
        }
    return out


# ---- 6. channels and events ----------------------------------------------------------------

_SUFFIX = re.compile(r"[(（][^()（）]*[)）]\s*$")
_EVENT_WORDS = ("会", "云", "峰", "展", "节")


def _bare(name: str) -> str:
    """An event name without a trailing '(春季)' style qualifier."""
    return _SUFFIX.sub("", str(name)).strip()


def channel_kind(
    name: str, params: ZoneParams, event_names: set[str]
) -> tuple[str, str | None, str | None]:
    """(kind, channel id, English name) of a ledger's 招商渠道 value.

    kind is 'office' or 'platform' when the value names one of the params' channels (by name,
    English name or id), 'event' when it names a catalogue event or reads like one
    (…会, 云…), else 'other' (e.g. 以商招商)."""
    for kind, channels in (("office", params.offices), ("platform", params.platforms)):
        for ch in channels:
            if name in (ch.name, ch.name_en, ch.id):
                return kind, ch.id, ch.name_en
    if _bare(name) in event_names or any(w in name for w in _EVENT_WORDS):
        return "event", None, None
    return "other", None, None


def channels(
    params: ZoneParams, ledger: Ledger, events: pd.DataFrame | None, as_of: dt.date
) -> pd.DataFrame:
    """Leads, signings, signed investment, arrived capital (亿元, USD at the params' rate) and
    cost per signing by office, platform and event, year to date.

    Leads are the ledger's projects from the channel (every project entered as a lead).
    Cost (万元) is the catalogue cost of the events of the params' `event_plan` held by the
    as-of month, charged to the event when the ledger names it as a channel, else to the
    office or platform running it (each cost counted once); a channel without such events
    has no cost and no cost per signing.
    """
    p = ledger.projects
    year_start = pd.Timestamp(params.year, 1, 1)
    signed = (
        p["signed_date"].notna()
        & (p["signed_date"] >= year_start)
        & (p["signed_date"] <= pd.Timestamp(as_of))
    )
    a = ledger.arrivals
    a = a[(a["month"] >= year_start) & (a["month"] <= month_start(as_of))]
    rate = rates(a["currency"], "CNY", params.fx_cny_per_usd)
    arrived = (a["amount"].astype(float) * rate).groupby(a["project_id"]).sum()
    frame = pd.DataFrame(
        {
            "channel": p["channel"].fillna("").astype(str),
            "signed": signed,
            "signed_investment": p["total_investment"].where(signed, 0.0),
            "arrived": p["project_id"].map(arrived).fillna(0.0).astype(float),
        }
    )
    g = frame.groupby("channel", sort=False).agg(
        leads=("signed", "size"),
        signings=("signed", "sum"),
        signed_investment=("signed_investment", "sum"),
        arrived=("arrived", "sum"),
    )
    # Offices and platforms without any project still appear (zero leads is news too).
    for ch in params.channels:
        if ch.name not in g.index:
            g.loc[ch.name] = [0, 0, 0.0, 0.0]
    catalogue = events if events is not None else pd.DataFrame(columns=["name", "channel"])
    event_names = {_bare(n) for n in catalogue["name"]}
    kinds = {str(n): channel_kind(str(n), params, event_names) for n in g.index}
    # An event the ledger names as a channel carries its own cost; the rest is charged to the
    # office or platform that runs it. Each catalogue cost is counted once.
    named_events = {_bare(n) for n, k in kinds.items() if k[0] == "event"}
    cost_by_channel: dict[str, float] = {}
    cost_by_event: dict[str, float] = {}
    if len(catalogue):
        held = [e.event_id for e in params.event_plan if e.month <= as_of.month]
        by_id = catalogue.set_index("event_id")
        due = by_id.loc[[e for e in held if e in by_id.index]].reset_index()
        due = due.assign(bare=[_bare(n) for n in due["name"]])
        own = due["bare"].isin(named_events)
        cost_by_event = due[own].groupby("bare")["cost"].sum().to_dict()
        cost_by_channel = due[~own].groupby("channel")["cost"].sum().to_dict()
    rows = []
    for name, r in g.iterrows():
        kind, cid, name_en = kinds[str(name)]
        if not name:
            kind = "other"
        cost = (
            cost_by_channel.get(cid)
            if cid is not None
            else cost_by_event.get(_bare(str(name)))
            if kind == "event"
            else None
        )
        signings = int(r["signings"])
        rows.append(
            {
                "kind": kind,
                "channel_id": cid,
                "channel": str(name) or "—",
                "channel_en": name_en or str(name) or "—",
                "leads": int(r["leads"]),
                "signings": signings,
                "signing_rate": signings / r["leads"] if r["leads"] else np.nan,
                "signed_investment": float(r["signed_investment"]),
                "arrived": float(r["arrived"]),
                "cost": float(cost) if cost is not None else np.nan,
                "cost_per_signing": float(cost) / signings
                if cost is not None and signings
                else np.nan,
            }
        )
    out = pd.DataFrame(rows)
    kind_rank = {"office": 0, "platform": 1, "event": 2, "other": 3}
    out["_o"] = out["kind"].map(kind_rank)
    out = out.sort_values(["_o", "arrived", "leads"], ascending=[True, False, False])
    return out.drop(columns="_o").reset_index(drop=True)


def channel_totals(table: pd.DataFrame) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for kind, g in table.groupby("kind", sort=False):
        cost = g["cost"].sum(min_count=1)
        signings_with_cost = g.loc[g["cost"].notna(), "signings"].sum()
        out[str(kind)] = {
            "leads": int(g["leads"].sum()),
            "signings": int(g["signings"].sum()),
            "arrived": float(g["arrived"].sum()),
            "cost": float(cost) if pd.notna(cost) else None,
            "cost_per_signing": float(cost) / float(signings_with_cost)
            if pd.notna(cost) and signings_with_cost
            else None,
        }
    return out


# ---- 7. next quarter -----------------------------------------------------------------------


def at_stake(project_forecast: pd.DataFrame, ledger: Ledger, n: int = 10) -> pd.DataFrame:
    """The open projects (not yet started) whose outcome moves the year most: largest expected
    in-year contribution under the forecast, with who is responsible and the next time node."""
    fc = project_forecast[["project_id", "p_sign", "p_start", "p_money", "expected_contribution"]]
    p = ledger.projects[
        [
            "project_id",
            "name",
            "stage",
            "total_investment",
            "team",
            "owner",
            "next_milestone",
            "milestone_date",
        ]
    ]
    merged = p.merge(fc, on="project_id", how="inner")
    merged["stage"] = merged["stage"].astype(str)
    open_ = merged[merged["stage"].isin(STAGES[: STAGES.index("started")])]
    open_ = open_.sort_values(
        ["expected_contribution", "p_sign", "total_investment"], ascending=False, kind="stable"
    )
    cols = [
        "project_id",
        "name",
        "stage",
        "total_investment",
        "p_sign",
        "p_start",
        "p_money",
        "expected_contribution",
        "team",
        "owner",
        "next_milestone",
        "milestone_date",
    ]
    return open_[cols].head(n).reset_index(drop=True)


def records(df: pd.DataFrame) -> list[dict[str, object]]:
    """JSON-ready rows: NaN/NaT -> None, timestamps -> ISO dates, numpy -> Python."""
    out = []
    for row in df.to_dict(orient="records"):
        out.append({k: _plain(v) for k, v in row.items()})
    return out


def _plain(v: object) -> object:
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, pd.Timestamp | dt.datetime):
        return v.date().isoformat() if not pd.isna(v) else None
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, np.bool_ | bool):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, float | np.floating):
        f = float(v)
        return None if not np.isfinite(f) else f
    if isinstance(v, Mapping):
        return {k: _plain(x) for k, x in v.items()}
    return v
