"""The technical appendix (附：技术说明): what the review's plain words stand for in the
forecast's terms, the track record's Brier score with one sentence on what it means, and how
the recommended events were solved (sample average approximation, optimality gap, and the
review's time limit when the solver reached it before a proof). The only
place of the review where such terms appear."""

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
        nq = done.get("next_quarter")
        how = nq.objective if nq is not None else None
        chosen = nq is not None and nq.plan is not None and len(nq.plan)
        solved = how and str(how.get("objective", "")).startswith("p:")
        if how is not None and solved and chosen:
            gap = "—" if how.get("gap") is None else f"{how['gap']:.2%}"
            if not how.get("time_limit_hit"):
                parts.append(note(ctx.t("appendix_plan", samples=how["samples"], gap=gap)))
            elif nq is not None and nq.time_limit is not None:  # stopped by the review's limit
                text = ctx.t(
                    "appendix_plan_limit", samples=how["samples"], gap=gap, seconds=nq.time_limit
                )
                parts.append(note(text))
        return frame(ctx, "appendix", *parts)


SECTION = Appendix()
