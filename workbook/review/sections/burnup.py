"""Section 2: month by month for each money target, the cumulative actual, the phased target
due and the forecast fan from the as-of month on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from workbook.files.jsonsafe import plain
from workbook.review.common import month_end, month_start
from workbook.review.render import chart_html, localize
from workbook.review.section import Context, Results, Section, frame
from workbook.zone.ledger import Ledger
from workbook.zone.metrics import definitions, money_by_month, unit_of
from workbook.zone.pacing import phased_share, time_progress
from workbook.zone.params import ZoneParams


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


def _as_month(value: int | np.integer | str | dt.date, year: int) -> pd.Timestamp:
    if isinstance(value, int | np.integer):
        return pd.Timestamp(year, int(value), 1)
    t = pd.Timestamp(value)
    return pd.Timestamp(t.year, t.month, 1)


def unit(params: ZoneParams, metric: str) -> str:
    return unit_of(metric, dict(params.targets.items())[metric], definitions(params))


class Burnup(Section):
    """Result: money target -> its burnup table."""

    name = "burnup"

    def compute(self, ctx: Context, done: Results) -> dict[str, pd.DataFrame]:
        p, ledger, as_of = ctx.zone.params, ctx.zone.ledger, ctx.params.as_of
        fans = ctx.forecast.fans(money_metrics(p))  # their months in one pass
        return {m: burnup(p, ledger, as_of, m, fan) for m, fan in fans.items()}

    def charts(self, ctx: Context, done: Results) -> dict[str, Any]:
        from workbook.charts import review as rc

        p = ctx.zone.params
        return {
            f"burnup_{m}": rc.burnup_chart(b, m, unit(p, m), ctx.lang, ctx.declared)
            for m, b in done[self.name].items()
        }

    def html(self, ctx: Context, done: Results, charts: Mapping[str, Any]) -> str:
        parts = [chart_html(charts[f"burnup_{m}"], f"burnup_{m}") for m in done[self.name]]
        return frame(ctx, "s2", '<div class="wb-row">', *parts, "</div>")

    def sheets(self, ctx: Context, done: Results) -> dict[str, pd.DataFrame]:
        burnups = done[self.name]
        params = ctx.zone.params
        burn = pd.concat(  # each row names its unit: 亿元 and 亿美元 targets share the sheet
            [
                b.assign(metric=m, unit=unit(params, m))[["metric", "unit", *b.columns]]
                for m, b in burnups.items()
            ],
            ignore_index=True,
        )  # the fan's columns are month-end cumulative quantiles, not year-end ones
        burn = burn.rename(columns={q: f"fan_{q}" for q in ("p10", "p50", "p90")})
        return {ctx.t("sheet_burnup"): localize(burn, ctx.lang, ctx.declared)}

    def summary(self, ctx: Context, done: Results) -> dict[str, Any]:
        burn = {}
        for m, b in done[self.name].items():
            known = b.dropna(subset=["actual"])
            dec = b.iloc[-1]
            burn[m] = {
                "actual_to_date": plain(known["actual"].iloc[-1]) if len(known) else 0.0,
                "phased_target_now": plain(known["phased_target"].iloc[-1]) if len(known) else 0.0,
                "p10_december": plain(dec["p10"]),
                "p50_december": plain(dec["p50"]),
                "p90_december": plain(dec["p90"]),
            }
        return {"burnup": burn}


SECTION = Burnup()
