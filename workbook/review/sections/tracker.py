"""Section 4: every 500强 project, what it counts toward this year and its next time node."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd

from workbook.review.common import overdue
from workbook.review.render import localize, note, table_html
from workbook.review.section import Context, Results, Section, frame
from workbook.zone.ledger import Ledger
from workbook.zone.metrics import count_masks, definitions
from workbook.zone.params import ZoneParams

SHOWN = [
    "list_flag",
    "name",
    "investor",
    "stage",
    "total_investment",
    "signed_date",
    "global500_signings",
    "china500_signings",
    "bonus_500",
    "next_milestone",
    "milestone_date",
    "team",
    "owner",
]


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
    out["overdue"] = overdue(p.loc[keep], as_of).to_numpy()
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


class Tracker(Section):
    """Result: the tracker_500 table."""

    name = "tracker"

    def compute(self, ctx: Context, done: Results) -> pd.DataFrame:
        return tracker_500(ctx.zone.params, ctx.zone.ledger, ctx.params.as_of)

    def html(self, ctx: Context, done: Results, charts: Mapping[str, Any]) -> str:
        table = done[self.name]
        return frame(
            ctx,
            "s4",
            note(ctx.t("tracker_note", **tracker_counts(table))),
            table_html(table, ctx.lang, SHOWN, flag="overdue"),
        )

    def sheets(self, ctx: Context, done: Results) -> dict[str, pd.DataFrame]:
        return {ctx.t("sheet_tracker"): localize(done[self.name], ctx.lang, ctx.declared)}

    def summary(self, ctx: Context, done: Results) -> dict[str, Any]:
        return {"tracker_500": tracker_counts(done[self.name])}


SECTION = Tracker()
