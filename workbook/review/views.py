"""What each section of the review shows: HTML built from the section tables and charts."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from workbook.review import sections as sec
from workbook.review.campaign import campaign_html
from workbook.review.render import chart_html, heading, note, table_html
from workbook.text.labels import label, quarter_words

if TYPE_CHECKING:
    from workbook.review.report import Review

CHANGES_SHOWN = 10  # per kind of change, largest first; review.xlsx lists them all
HEADLINE_COLUMNS = [
    "metric",
    "unit",
    "target",
    "stretch",
    "actual",
    "completion",
    "time_progress",
    "phased_target",
    "verdict",
    "p_attain",
    "p_stretch",
    "p50",
    "outlook",
]


def charts(rv: Review) -> dict[str, Any]:
    """Every chart of the review, by a stable name."""
    from workbook.charts import review as rc

    lang = rv.lang
    out: dict[str, Any] = {
        "completion": rc.completion_chart(rv.headline, lang),
        "attainment": rc.attainment_chart(rv.headline, lang),
    }
    forecasts = _past_forecasts(rv)
    if forecasts is not None:
        out["track_record"] = rc.track_record_chart(sec.track_bands(forecasts), lang)
    for m, b in rv.burnups.items():
        out[f"burnup_{m}"] = rc.burnup_chart(b, m, _unit(rv, m), lang)
    out["funnel"] = rc.funnel_chart(rv.funnel, lang)
    if rv.changes is not None:
        out["changes"] = rc.changes_chart(sec.change_counts(rv.changes), lang)
    out["channels"] = rc.channels_chart(rv.channels, lang)
    if rv.next_quarter.plan_chart is not None:
        out["plan"] = rv.next_quarter.plan_chart
    return out


def _unit(rv: Review, metric: str) -> str:
    from workbook.zone.metrics import definitions, unit_of

    params = rv.zone.params
    return unit_of(metric, dict(params.targets.items())[metric], definitions(params))


def _section(rv: Review, key: str, *parts: str) -> str:
    return f'<section class="wb-section">{heading(rv.t(key))}{"".join(parts)}</section>'


def title(rv: Review) -> str:
    p, rp = rv.zone.params, rv.params
    parts = [
        heading(rv.t("title", zone=p.zone_name(rv.lang), quarter=str(rp.quarter)), 1),
        note(rv.abstract(), "wb-abstract"),
        note(
            rv.t("subtitle", as_of=rp.as_of.isoformat(), trials=rp.trials, seed=rp.seed),
            "wb-subtitle",
        ),
    ]
    if rv.last_arrival is not None and (rp.as_of - rv.last_arrival).days > 62:
        parts.append(note(rv.t("data_note", last=rv.last_arrival.strftime("%Y-%m")), "wb-warn"))
    parts.append(note(source_note(rv), "wb-subtitle"))
    return f'<header class="wb-title">{"".join(parts)}</header>'


def source_note(rv: Review) -> str:
    """Which pipeline the review reads: the ledger, a quarter-end snapshot, or a replay."""
    ledger = rv.zone.params.data.ledger
    if rv.pipeline_source == "snapshot" and rv.snapshot is not None:
        file = rv.snapshot.name
    elif rv.pipeline_source == "replay":
        file = f"{ledger.stem}-{rv.params.quarter}{ledger.suffix}"
    else:
        file = ledger.name
    return rv.t(f"source_{rv.pipeline_source}", file=file, as_of=rv.params.as_of.isoformat())


def headline(rv: Review) -> str:
    from workbook.charts import review as rc

    parts = [table_html(rv.headline, rv.lang, HEADLINE_COLUMNS, unit_column="unit")]
    if rv.p_all is not None:
        parts.append(note(rv.t("p_all_note", p=rv.p_all, n=len(rv.headline))))
    colon = "：" if rv.lang == "zh" else ": "
    for metric, line in rv.why.items():
        parts.append(note(f"{label('metric', metric, rv.lang)}{colon}{line}", "wb-why"))
    parts.append('<div class="wb-row">')
    parts.append(chart_html(rc.completion_chart(rv.headline, rv.lang), "completion"))
    parts.append(chart_html(rc.attainment_chart(rv.headline, rv.lang), "attainment"))
    parts.append("</div>")
    parts.append(track_record(rv))
    parts.append(campaign_html(rv))
    return _section(rv, "s1", *parts)


def _past_forecasts(rv: Review) -> Any:
    """The backtest's forecasts from earlier quarter ends, or None when there are none."""
    bt = rv.backtest
    return bt.forecasts if bt is not None and len(bt.forecasts) else None


def track_record_text(forecasts: Any, horizon: dt.date, lang: str) -> str:
    """The zone's track record in two plain sentences: per band of the chance we gave
    (sections.CONFIDENCE_BANDS) how many targets were met of how many, and how many outcomes
    fell inside the P10–P90 range we gave. Scored at the year end when `horizon` is in
    December, else against the phased targets at `horizon` (as workbook.forecast.backtest)."""
    t = lambda key, **kw: label("review", key, lang).format(**kw)  # noqa: E731
    scored = "year_end" if horizon.month == 12 else "phased"
    quarters = t("track_quarter_sep").join(
        dict.fromkeys(quarter_words(str(q), lang) for q in forecasts["quarter"])
    )
    bands = sec.track_bands(forecasts)
    said = [
        t(
            "track_next" if i else "track_first",
            band=label("confidence", r.band, lang),
            n=r.forecasts,
            met=r.met,
        )
        for i, r in enumerate(bands[bands["forecasts"] > 0].itertuples())
    ]
    inside, n = sec.track_coverage(forecasts)
    return (
        t(f"track_intro_{scored}", quarters=quarters, n=len(forecasts), h=horizon)
        + t("track_sep").join(said)
        + t("track_end")
        + t(f"track_coverage_{scored}", inside=inside, n=n, h=horizon)
    )


def track_record(rv: Review) -> str:
    """What we said before against what came true: the sentences and the picture (nothing
    when there are no past forecasts)."""
    from workbook.charts import review as rc

    forecasts = _past_forecasts(rv)
    if forecasts is None:
        return ""
    text = track_record_text(forecasts, rv.backtest.horizon, rv.lang)
    chart = rc.track_record_chart(sec.track_bands(forecasts), rv.lang)
    return (
        f'<div class="wb-track">{heading(rv.t("track_title"), 3)}{note(text)}'
        f"{chart_html(chart, 'track_record', alt=text)}</div>"
    )


def burnup(rv: Review) -> str:
    from workbook.charts import review as rc

    parts = [
        chart_html(rc.burnup_chart(b, m, _unit(rv, m), rv.lang), f"burnup_{m}")
        for m, b in rv.burnups.items()
    ]
    return _section(rv, "s2", '<div class="wb-row">', *parts, "</div>")


def pipeline(rv: Review) -> str:
    from workbook.charts import review as rc

    f = rv.funnel
    signed = int(f.loc[f["stage"] == "signed", "reached"].iloc[0])
    parts = [
        note(
            rv.t(
                "funnel_note",
                projects=int(f["projects"].sum()),
                investment=float(f["total_investment"].sum()),
                signed=signed,
            )
        ),
        '<div class="wb-row">',
        table_html(
            f, rv.lang, ["stage", "projects", "reached", "total_investment", "planned_inflow"]
        ),
        chart_html(rc.funnel_chart(f, rv.lang), "funnel"),
        "</div>",
    ]
    if rv.changes is None:
        parts.append(note(rv.t("no_previous")))
    else:
        prev = rv.params.previous_ledger
        parts.append(note(rv.t("previous", file=prev.name if prev else "")))
        parts.append(
            chart_html(rc.changes_chart(sec.change_counts(rv.changes), rv.lang), "changes")
        )
        moved = rv.changes[rv.changes["change"] != "unchanged"]
        moved = moved.groupby("change", sort=False, group_keys=False).head(CHANGES_SHOWN)
        parts.append(note(rv.t("changes_note", n=CHANGES_SHOWN)))
        parts.append(
            table_html(
                moved,
                rv.lang,
                [
                    "change",
                    "project_id",
                    "name",
                    "stage_before",
                    "stage_now",
                    "total_investment",
                    "team",
                    "owner",
                ],
            )
        )
    return _section(rv, "s3", *parts)


def tracker(rv: Review) -> str:
    counts = sec.tracker_counts(rv.tracker)
    cols = [
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
    return _section(
        rv,
        "s4",
        note(rv.t("tracker_note", **counts)),
        table_html(rv.tracker, rv.lang, cols, flag="overdue"),
    )


def ladder(rv: Review) -> str:
    counts = sec.ladder_counts(rv.ladder)
    text = rv.t(
        "ladder_note",
        n30=counts["tier_30"]["projects"],
        s30=counts["tier_30"]["signed_this_year"],
        n50=counts["tier_50"]["projects"],
        n100=counts["tier_100"]["projects"],
        overdue=counts["tier_30"]["overdue"],
    )
    cols = [
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
    return _section(rv, "s5", note(text), table_html(rv.ladder, rv.lang, cols, flag="overdue"))


def channels(rv: Review) -> str:
    from workbook.charts import review as rc

    df = rv.channels.copy()
    if rv.lang != "zh":
        df["channel"] = df["channel_en"]
    cols = [
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
    return _section(
        rv,
        "s6",
        table_html(df, rv.lang, cols),
        chart_html(rc.channels_chart(rv.channels, rv.lang), "channels"),
        note(rv.t("channels_note", fx=rv.zone.params.fx_cny_per_usd)),
    )


def next_quarter(rv: Review) -> str:
    nq = rv.next_quarter
    lang = rv.lang
    parts = []
    budget = nq.budget or 0.0
    parts.append(heading(rv.t("plan_title", budget=budget), 3))
    how = nq.objective
    if how and how.get("objective", "").startswith("p:") and nq.plan is not None and len(nq.plan):
        gap = "—" if how.get("gap") is None else f"{how['gap']:.2%}"
        metric = label("metric", how["objective"][2:], lang)
        key = "plan_objective_fallback" if how.get("time_limit_hit") else "plan_objective"
        parts.append(note(rv.t(key, metric=metric, samples=how["samples"], gap=gap)))
    if nq.plan is not None and len(nq.plan):
        cols = [
            "month",
            "first_day",
            "last_day",
            "name",
            "city",
            "office",
            "cost",
            "expected_leads",
            "expected_capital_wan",
        ]
        plan = nq.plan.copy()
        if "month" in plan.columns and plan["month"].dtype.kind in "iu":
            plan["month"] = [f"{m}月" if lang == "zh" else f"{m:02d}" for m in plan["month"]]
        # an event's capital in 万元: in 亿元 most rows would read 0.00
        plan["expected_capital_wan"] = plan["expected_capital"] * 10_000
        plan = plan.rename(columns={"name": "event_name"})
        cols = ["event_name" if c == "name" else c for c in cols]
        table = table_html(plan, lang, [c for c in cols if c in plan.columns])
        if nq.p_with_plan is not None:  # the plan's effect on each target's P beside it
            head = rv.headline.set_index("metric")
            rows = head[["p_attain"]].copy()
            rows["p_with_plan"] = nq.p_with_plan.reindex(rows.index)
            rows = rows.reset_index()
            parts.append(f'<div class="wb-row">{table}{_plan_effect(rows, lang)}</div>')
        else:
            parts.append(table)
        if nq.plan_chart is not None:
            parts.append(chart_html(nq.plan_chart, "plan"))
    else:
        for line in nq.plan_problems or (rv.t("plan_none"),):
            parts.append(note(line))
    g = nq.goal_seek
    if g is not None:
        metric = label("metric", g["metric"], lang)
        unit = label("unit", g["unit"], lang)
        if g["current"] >= g["probability"]:
            text = rv.t(
                "goal_seek_met", metric=metric, current=g["current"], probability=g["probability"]
            )
        elif g["extra_signed_capital"] is None:
            text = rv.t(
                "goal_seek_out", metric=metric, probability=g["probability"], achieved=g["achieved"]
            )
        else:
            text = rv.t(
                "goal_seek",
                metric=metric,
                probability=g["probability"],
                extra=g["extra_signed_capital"],
                unit=unit,
                current=g["current"],
            )
        parts.append(note(text, "wb-key"))
    if nq.at_stake is not None and len(nq.at_stake):
        parts.append(heading(rv.t("stake_title"), 3))
        cols = [
            "name",
            "stage",
            "total_investment",
            "p_sign",
            "p_money",
            "expected_contribution",
            "team",
            "owner",
            "next_milestone",
            "milestone_date",
        ]
        parts.append(table_html(nq.at_stake, lang, [c for c in cols if c in nq.at_stake.columns]))
    return _section(rv, "s7", *parts)


def _plan_effect(rows: Any, lang: str) -> str:
    import html as _html

    t = lambda key: _html.escape(label("review", key, lang))  # noqa: E731
    body = "".join(
        f"<tr><td>{_html.escape(label('metric', r.metric, lang))}</td>"
        f'<td class="num">{r.p_attain:.1%}</td><td class="num">{r.p_with_plan:.1%}</td>'
        f'<td class="num">{(r.p_with_plan - r.p_attain) * 100:+.1f}</td></tr>'
        for r in rows.itertuples()
        if r.p_attain == r.p_attain and r.p_with_plan == r.p_with_plan
    )
    return (
        f'<table class="wb-table"><thead><tr><th>{t("metric")}</th>'
        f"<th>{t('p_base_plan')}</th><th>{t('p_with_plan')}</th><th>{t('p_change')}</th></tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )
