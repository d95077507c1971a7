"""Section 6: leads, signings, signed investment, arrived capital and cost per signing by
office, platform and event, year to date."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from workbook.review.common import month_start
from workbook.review.render import chart_html, localize, note, table_html
from workbook.review.section import Context, Results, Section, frame
from workbook.text.catalogue import Entry
from workbook.zone.ledger import Ledger, rates
from workbook.zone.params import ZoneParams

SHOWN = [
    "kind",
    "channel",
    "leads",
    "signings",
    "signing_rate",
    "signed_investment",
    "arrived",
    "cost",
    "cost_per_signing",
]

# The columns holding a channel's name in each report language (its params give both).
NAME_COLUMN = Entry("channel", "channel_en")

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
    cost_by_channel: dict[Hashable, float] = {}
    cost_by_event: dict[Hashable, float] = {}
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


def channel_totals(table: pd.DataFrame) -> dict[str, dict[str, float | None]]:
    out: dict[str, dict[str, float | None]] = {}
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


class Channels(Section):
    """Result: the channels table."""

    name = "channels"

    def compute(self, ctx: Context, done: Results) -> pd.DataFrame:
        zone = ctx.zone
        return channels(zone.params, zone.ledger, zone.events, ctx.params.as_of)

    def charts(self, ctx: Context, done: Results) -> dict[str, Any]:
        from workbook.charts import review as rc

        return {"channels": rc.channels_chart(done[self.name], ctx.lang)}

    def html(self, ctx: Context, done: Results, charts: Mapping[str, Any]) -> str:
        df = done[self.name].copy()
        df["channel"] = df[NAME_COLUMN.text(ctx.lang)]
        return frame(
            ctx,
            "s6",
            table_html(df, ctx.lang, SHOWN),
            chart_html(charts["channels"], "channels"),
            note(ctx.t("channels_note", fx=ctx.zone.params.fx_cny_per_usd)),
        )

    def sheets(self, ctx: Context, done: Results) -> dict[str, pd.DataFrame]:
        lang = ctx.lang
        shown = NAME_COLUMN.text(lang)  # the channel's name in the other language goes
        ch = done[self.name].drop(columns=[c for c in NAME_COLUMN if c != shown] + ["channel_id"])
        ch = ch.rename(columns={"channel_en": "channel"})
        return {ctx.t("sheet_channels"): localize(ch, lang, ctx.declared)}

    def summary(self, ctx: Context, done: Results) -> dict[str, Any]:
        return {"channels": channel_totals(done[self.name])}


SECTION = Channels()
