"""Section 1: every target's pacing beside its forecast, why each forecast is what it is, the
track record of the forecasts made at earlier quarter ends, and the campaigns (百日攻坚)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from workbook.files.jsonsafe import plain, records
from workbook.forecast.backtest import inside_p10_p90
from workbook.forecast.setup import DEAL_PARTS
from workbook.review.campaign import campaign_html, campaign_records, campaign_table
from workbook.review.render import chart_html, heading, localize, note, table_html
from workbook.review.section import Context, Results, Section, frame
from workbook.text.catalogue import label, say
from workbook.text.labels import quarter_words
from workbook.zone.cells import num
from workbook.zone.ledger import Ledger
from workbook.zone.metrics import definitions
from workbook.zone.pacing import status
from workbook.zone.params import ZoneParams

FORECAST_COLUMNS = ["p_attain", "p_stretch", "p10", "p50", "p90"]
# Outlook from the chance of reaching the floor: likely >= 0.8 > uncertain >= 0.5 > at risk.
OUTLOOK_LIKELY = 0.8
OUTLOOK_UNCERTAIN = 0.5
BACKTEST_TRIALS = 2_000  # per earlier quarter: enough for a Brier score, cheap beside the review
HEADLINE_COLUMNS = [
    "metric",
    "unit",
    "target",
    "stretch",
    "actual",
    "completion",
    "time_progress",
    "phased_share",
    "phased_target",
    "verdict",
    "p_attain",
    "p_stretch",
    "p50",
    "outlook",
]
# The parts of a money target's expected year-end value (money_parts).
STARTED = ("started", "producing")
SIGNED = ("signed",)


RISK = 0.8  # the least likely target is the review's biggest risk when its chance is under this


def biggest_risk(table: pd.DataFrame, defs: Any) -> str | None:
    """The target least likely to be met (money first on a tie), or None without chances:
    the risk the abstract explains and the next quarter's goal seek is run for."""
    h = table.set_index("metric")
    known = [m for m in h.index if not math.isnan(num(h.at[m, "p_attain"]))]
    if not known:
        return None
    return str(min(known, key=lambda m: (num(h.at[m, "p_attain"]), defs[m].kind != "money")))


def outlook(p_attain: float) -> str:
    """'likely', 'uncertain' or 'at_risk' from P(reach the floor)."""
    if not np.isfinite(p_attain):
        return "unknown"
    if p_attain >= OUTLOOK_LIKELY:
        return "likely"
    if p_attain >= OUTLOOK_UNCERTAIN:
        return "uncertain"
    return "at_risk"


def headline_table(
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


def money_parts(fc: Any, params: ZoneParams) -> dict[str, dict[str, float]]:
    """Per money target (built-in or the zone's own), its expected year-end value in parts (in
    the target's unit): 'facts' (arrived to date), 'started' (ledger projects started or
    producing), 'signed' (signed, not started), 'before_signing' (the ledger's projects not
    yet signed), 'new' (deals from offices, platforms and events still to come) and their sum
    'mean'. The parts are the engine's own (`workbook.forecast.explain.sources`)."""
    from workbook.forecast.explain import sources

    defs = definitions(params)
    by_target = sources(fc)
    out: dict[str, dict[str, float]] = {}
    for key, _ in params.targets.items():
        if defs[key].kind != "money" or key not in by_target:
            continue
        row = by_target[key]
        stage = {k.split(":", 1)[1]: v for k, v in row.items() if k.startswith("stage:")}
        started = sum(stage.get(s, 0.0) for s in STARTED)
        signed = sum(stage.get(s, 0.0) for s in SIGNED)
        before = sum(v for s, v in stage.items() if s not in STARTED + SIGNED)
        new = sum(row.get(part, 0.0) for part in DEAL_PARTS)
        facts = float(row["facts"])
        out[key] = {
            "facts": facts,
            "started": started,
            "signed": signed,
            "before_signing": before,
            "new": new,
            "mean": facts + started + signed + before + new,
        }
    return out


# ---- track record: the backtest's past forecasts in plain bands of confidence ---------------

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


def track_record_text(forecasts: Any, horizon: dt.date, lang: str) -> str:
    """The zone's track record in two plain sentences: per band of the chance we gave
    (CONFIDENCE_BANDS) how many targets were met of how many, and how many outcomes fell
    inside the P10–P90 range we gave. Scored at the year end when `horizon` is in December,
    else against the phased targets at `horizon` (as workbook.forecast.backtest)."""
    t = lambda key, **kw: label("review", key, lang).format(**kw)  # noqa: E731
    scored = "year_end" if horizon.month == 12 else "phased"
    quarters = t("track_quarter_sep").join(
        dict.fromkeys(quarter_words(str(q), lang) for q in forecasts["quarter"])
    )
    bands = track_bands(forecasts)
    said = [
        t(
            "track_next" if i else "track_first",
            band=label("confidence", str(r.band), lang),
            n=r.forecasts,
            met=r.met,
        )
        for i, r in enumerate(bands[bands["forecasts"] > 0].itertuples())
    ]
    inside, n = track_coverage(forecasts)
    return (
        t(f"track_intro_{scored}", quarters=quarters, n=len(forecasts), h=horizon)
        + t("track_sep").join(said)
        + t("track_end")
        + t(f"track_coverage_{scored}", inside=inside, n=n, h=horizon)
    )


def backtest_of(ctx: Context) -> Any:
    """The forecasts from this year's earlier quarter-end snapshots scored at the as-of date
    (None when the ledger keeps no snapshot of an earlier quarter of the year)."""
    from workbook.forecast.backtest import backtest
    from workbook.zone.snapshots import find_snapshots

    zone, rp = ctx.zone, ctx.params
    quarters = [
        s.quarter
        for s in find_snapshots(zone.ledger.ledger_path)
        if s.date.year == zone.params.year and s.date < rp.as_of
    ]
    if not quarters:
        return None
    trials = min(rp.trials, BACKTEST_TRIALS)
    return backtest(
        zone, ",".join(quarters), trials=trials, seed=rp.seed, horizon=rp.as_of, lang=rp.lang
    )


def backtest_summary(bt: Any, lang: str) -> dict[str, Any] | None:
    """The forecasts made at earlier quarter ends, scored at the as-of date: their scores and
    the table of bands of confidence the page reads (None without past forecasts)."""
    if bt is None or not len(bt.forecasts):
        return None
    f = bt.forecasts
    inside, n = track_coverage(f)
    return {
        "quarters": list(dict.fromkeys(str(q) for q in f["quarter"])),
        "horizon": bt.horizon.isoformat(),
        "trials": bt.trials,
        "forecasts": n,
        "brier": bt.brier,
        "expected_brier": bt.expected_brier,
        "coverage_p10_p90": bt.coverage_p10_p90,
        "inside_p10_p90": inside,
        "bands": [
            {**row, "label": label("confidence", str(row["band"]), lang)}
            for row in records(track_bands(f))
        ],
    }


# ---- the section ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    """Section 1's result."""

    table: pd.DataFrame  # headline_table
    p_all: float | None  # P(every target met)
    # Per target: why the forecast says what it says, one line (workbook.forecast.explain).
    why: dict[str, str] = field(default_factory=dict)
    backtest: Any = None  # workbook.forecast.backtest.Backtest from this year's snapshots, or None
    # The campaigns (百日攻坚) overlapping the quarter: workbook.review.campaign; None if none.
    campaigns: pd.DataFrame | None = None
    # each money target's expected year-end value in parts (money_parts)
    parts: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def past_forecasts(self) -> Any:
        """The backtest's forecasts from earlier quarter ends, or None when there are none."""
        bt = self.backtest
        return bt.forecasts if bt is not None and len(bt.forecasts) else None


def _why(fc: Any, lang: str) -> dict[str, str]:
    from workbook.forecast.explain import why

    return {m: why(fc, m, lang) for m in fc.metrics}


class HeadlineSection(Section):
    name = "headline"

    def compute(self, ctx: Context, done: Results) -> Headline:
        p, fc = ctx.zone.params, ctx.forecast
        table = headline_table(p, ctx.zone.ledger, ctx.params.as_of, fc.targets)
        why = ctx.timed("why", lambda: _why(fc, ctx.lang))
        backtest = ctx.timed("backtest", lambda: backtest_of(ctx))
        return Headline(
            table=table,
            p_all=float(fc.p_all),
            why=why,
            backtest=backtest,
            campaigns=campaign_table(ctx),
            parts=money_parts(fc, p),
        )

    def charts(self, ctx: Context, done: Results) -> dict[str, Any]:
        from workbook.charts import review as rc

        h: Headline = done[self.name]
        out = {
            "completion": rc.completion_chart(h.table, ctx.lang, ctx.declared),
            "attainment": rc.attainment_chart(h.table, ctx.lang, ctx.declared),
        }
        if h.past_forecasts is not None:
            out["track_record"] = rc.track_record_chart(track_bands(h.past_forecasts), ctx.lang)
        return out

    def html(self, ctx: Context, done: Results, charts: Mapping[str, Any]) -> str:
        h: Headline = done[self.name]
        lang = ctx.lang
        parts = [
            table_html(h.table, lang, HEADLINE_COLUMNS, unit_column="unit", declared=ctx.declared)
        ]
        if h.p_all is not None:
            parts.append(note(ctx.t("p_all_note", p=h.p_all, n=len(h.table))))
        for metric, line in h.why.items():
            why = say("review.why", lang, metric=ctx.metric(metric), why=line)
            parts.append(note(why, "wb-why"))
        parts.append('<div class="wb-row">')
        parts.append(chart_html(charts["completion"], "completion"))
        parts.append(chart_html(charts["attainment"], "attainment"))
        parts.append("</div>")
        parts.append(_track_record(ctx, h, charts))
        parts.append(campaign_html(ctx, h.campaigns))
        return frame(ctx, "s1", *parts)

    def sheets(self, ctx: Context, done: Results) -> dict[str, pd.DataFrame]:
        h: Headline = done[self.name]
        out = {
            ctx.t("sheet_headline"): localize(
                h.table.drop(columns=["gap"]).copy(), ctx.lang, ctx.declared
            )
        }
        if h.campaigns is not None:
            out[ctx.t("sheet_campaign")] = localize(h.campaigns, ctx.lang, ctx.declared)
        return out

    def summary(self, ctx: Context, done: Results) -> dict[str, Any]:
        h: Headline = done[self.name]
        targets = {}
        for row in records(h.table):
            key = row.pop("metric")
            row["label"] = ctx.metric(key)
            targets[key] = row
        return {
            "targets": targets,
            "campaigns": campaign_records(h.campaigns, ctx.lang, ctx.declared),
            "p_all": plain(h.p_all),
            "backtest": backtest_summary(h.backtest, ctx.lang),
        }


def _track_record(ctx: Context, h: Headline, charts: Mapping[str, Any]) -> str:
    """What we said before against what came true: the sentences and the picture (nothing
    when there are no past forecasts)."""
    forecasts = h.past_forecasts
    if forecasts is None:
        return ""
    text = track_record_text(forecasts, h.backtest.horizon, ctx.lang)
    return (
        f'<div class="wb-track">{heading(ctx.t("track_title"), 3)}{note(text)}'
        f"{chart_html(charts['track_record'], 'track_record', alt=text)}</div>"
    )


SECTION = HeadlineSection()
