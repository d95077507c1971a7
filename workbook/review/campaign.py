"""The review's campaign part (百日攻坚): every campaign whose window overlaps the quarter,
its goals inside the window up to the as-of date, time progress (elapsed days / days),
verdicts and P(each goal met by the window's last day). Shown in the first section, one
sheet in review.xlsx, one list in summary.json."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from workbook.text.catalogue import Entry, label
from workbook.zone.campaigns import campaign_status, campaigns_overlapping

if TYPE_CHECKING:
    from workbook.review.section import Context

CAMPAIGN_COLUMNS = [
    "metric",
    "unit",
    "goal",
    "window_actual",
    "completion",
    "window_progress",
    "verdict",
    "p_met",
]


def campaign_table(ctx: Context) -> pd.DataFrame | None:
    """One row per (campaign, goal) of the campaigns overlapping the quarter; None if none."""
    from workbook.forecast.campaigns import campaign_forecast

    zone, rp, engine = ctx.zone, ctx.params, ctx.engine
    params = zone.params
    found = campaigns_overlapping(params, rp.quarter.start, rp.quarter.end)
    if not found:
        return None
    parts = []
    for c in found:
        st = campaign_status(params, zone.ledger, c.name, rp.as_of, rp.lang)
        st = st.rename(columns={"actual": "window_actual", "time_progress": "window_progress"})
        p_met = None
        if engine is not None:
            p_met = campaign_forecast(engine, c.name).set_index("metric")["p_met"]
        st["p_met"] = st["metric"].map(p_met) if p_met is not None else float("nan")
        st.insert(0, "campaign", c.display(rp.lang))
        st.insert(1, "start", pd.Timestamp(c.start))
        st.insert(2, "end", pd.Timestamp(c.end))
        parts.append(st[["campaign", "start", "end", *CAMPAIGN_COLUMNS]])
    return pd.concat(parts, ignore_index=True)


def campaign_html(ctx: Context, table: pd.DataFrame | None) -> str:
    """Each campaign as a sub-heading and a table (empty when none overlaps the quarter)."""
    from workbook.review.render import heading, note, table_html

    if table is None or not len(table):
        return ""
    out = [heading(ctx.t("campaign_heading"), 3)]
    for name, rows in table.groupby("campaign", sort=False):
        first = rows.iloc[0]
        out.append(
            note(
                ctx.t(
                    "campaign_title",
                    name=str(name),
                    start=first["start"].date().isoformat(),
                    end=first["end"].date().isoformat(),
                    progress=float(first["window_progress"]),
                ),
                "wb-key",
            )
        )
        out.append(
            table_html(rows, ctx.lang, CAMPAIGN_COLUMNS, unit_column="unit", declared=ctx.declared)
        )
    return "".join(out)


def campaign_records(
    table: pd.DataFrame | None, lang: str, declared: Mapping[str, Entry] | None = None
) -> list[dict[str, Any]]:
    """JSON-ready rows for summary.json (`declared`: the zone's own metric labels)."""
    if table is None:
        return []
    from workbook.files.jsonsafe import records

    rows = records(table.assign(start=table["start"].dt.date, end=table["end"].dt.date))
    for r in rows:
        r["label"] = html.unescape(label("metric", str(r["metric"]), lang, declared))
        r["start"], r["end"] = str(r["start"]), str(r["end"])
    return rows
