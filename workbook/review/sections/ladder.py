"""Section 5: the big projects (>= 30亿元) by tier, with 专班, owner and their time nodes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd

from workbook.review.common import overdue
from workbook.review.render import localize, note, table_html
from workbook.review.section import Context, Results, Section, frame
from workbook.zone.ledger import Ledger
from workbook.zone.metrics import BIG_PROJECT, HUNDRED_BILLION
from workbook.zone.params import ZoneParams

TIERS = ((HUNDRED_BILLION, "tier_100"), (50.0, "tier_50"), (BIG_PROJECT, "tier_30"))
SHOWN = [
    "tier",
    "name",
    "total_investment",
    "stage",
    "signed_date",
    "team",
    "owner",
    "next_milestone",
    "milestone_date",
    "days_overdue",
]


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
    out["overdue"] = overdue(big, as_of).to_numpy()
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


class Ladder(Section):
    """Result: the ladder table."""

    name = "ladder"

    def compute(self, ctx: Context, done: Results) -> pd.DataFrame:
        return ladder(ctx.zone.params, ctx.zone.ledger, ctx.params.as_of)

    def html(self, ctx: Context, done: Results, charts: Mapping[str, Any]) -> str:
        table = done[self.name]
        counts = ladder_counts(table)
        text = ctx.t(
            "ladder_note",
            n30=counts["tier_30"]["projects"],
            s30=counts["tier_30"]["signed_this_year"],
            n50=counts["tier_50"]["projects"],
            n100=counts["tier_100"]["projects"],
            overdue=counts["tier_30"]["overdue"],
        )
        return frame(ctx, "s5", note(text), table_html(table, ctx.lang, SHOWN, flag="overdue"))

    def sheets(self, ctx: Context, done: Results) -> dict[str, pd.DataFrame]:
        return {ctx.t("sheet_ladder"): localize(done[self.name], ctx.lang, ctx.declared)}

    def summary(self, ctx: Context, done: Results) -> dict[str, Any]:
        table = done[self.name]
        return {
            "big_projects": {
                **ladder_counts(table),
                "overdue_projects": [str(x) for x in table.loc[table["overdue"], "project_id"]],
            }
        }


SECTION = Ladder()
