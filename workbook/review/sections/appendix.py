"""The technical appendix (附：技术说明): what the review's plain words stand for in the
forecast's terms, and the track record's Brier score with one sentence on what it means. The
only place of the review where such terms appear."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workbook.review.render import note
from workbook.review.section import Context, Results, Section, frame


class Appendix(Section):
    name = "appendix"

    def html(self, ctx: Context, done: Results, charts: Mapping[str, Any]) -> str:
        rp = ctx.params
        parts = [note(ctx.t("appendix_terms", trials=rp.trials, seed=rp.seed))]
        bt = done["headline"].backtest if "headline" in done else None
        if bt is not None and len(bt.forecasts):
            parts.append(
                note(
                    ctx.t(
                        "appendix_brier",
                        n=len(bt.forecasts),
                        brier=bt.brier,
                        expected=bt.expected_brier,
                    )
                )
            )
        return frame(ctx, "appendix", *parts)


SECTION = Appendix()
