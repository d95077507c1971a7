"""The title: the zone and quarter, the abstract (workbook.review.abstract), how the review
was made, which pipeline it reads; and the head of summary.json."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from workbook.review.abstract import abstract
from workbook.review.params import review_title
from workbook.review.render import heading, note
from workbook.review.section import Context, Results, Section
from workbook.text.dates import day_name, month_name

SUMMARY_SCHEMA = 1
STALE_DAYS = 62  # the last arrival older than this at the as-of date: the page warns


def last_arrival(ctx: Context) -> dt.date | None:
    """The month of the ledger's latest arrival (its first day), or None without arrivals."""
    arrivals = ctx.zone.ledger.arrivals
    if not len(arrivals):
        return None
    m = arrivals["month"].max()
    return dt.date(m.year, m.month, 1)


def source_note(ctx: Context) -> str:
    """Which pipeline the review reads: the ledger, a quarter-end snapshot, or a replay."""
    ledger = ctx.zone.params.data.ledger
    if ctx.pipeline_source == "snapshot" and ctx.snapshot is not None:
        file = ctx.snapshot.name
    elif ctx.pipeline_source == "replay":
        file = f"{ledger.stem}-{ctx.params.quarter}{ledger.suffix}"
    else:
        file = ledger.name
    return ctx.t(
        f"source_{ctx.pipeline_source}", file=file, as_of=day_name(ctx.params.as_of, ctx.lang)
    )


class Title(Section):
    name = "title"

    def compute(self, ctx: Context, done: Results) -> dt.date | None:
        return last_arrival(ctx)

    def html(self, ctx: Context, done: Results, charts: Mapping[str, Any]) -> str:
        p, rp, last = ctx.zone.params, ctx.params, done[self.name]
        parts = [
            heading(review_title(p.zone_name(ctx.lang), rp), 1),
            note(abstract(ctx, done), "wb-abstract"),
            note(
                ctx.t(
                    "subtitle", as_of=day_name(rp.as_of, ctx.lang), trials=rp.trials, seed=rp.seed
                ),
                "wb-subtitle",
            ),
        ]
        if last is not None and (rp.as_of - last).days > STALE_DAYS:
            parts.append(note(ctx.t("data_note", last=month_name(last, ctx.lang)), "wb-warn"))
        parts.append(note(source_note(ctx), "wb-subtitle"))
        return f'<header class="wb-title">{"".join(parts)}</header>'

    def summary(self, ctx: Context, done: Results) -> dict[str, Any]:
        rp, p, last = ctx.params, ctx.zone.params, done[self.name]
        return {
            "schema": SUMMARY_SCHEMA,
            "zone": p.zone,
            "zone_en": p.zone_en,
            "params": rp.params_path.name,
            "year": p.year,
            "quarter": str(rp.quarter),
            "as_of": rp.as_of.isoformat(),
            "lang": rp.lang,
            "abstract": abstract(ctx, done),
            "trials": rp.trials,
            "seed": rp.seed,
            "last_arrival": last.isoformat() if last else None,
        }


SECTION = Title()
