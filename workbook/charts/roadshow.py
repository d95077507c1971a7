"""Roadshow plan charts: the plan as a calendar (Gantt) and the budget -> P(attain) frontier.

Pure functions DataFrame -> alt.Chart in the house theme. Dates are naive local dates sent
as ISO strings (no time zone, so nothing shifts on a UTC host); Chinese categories are
always given an explicit sort order.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import altair as alt
import pandas as pd

from workbook.charts.parts import ChartParts, layer
from workbook.charts.theme import CATEGORY, GREY, LIGHT, METRIC_COLORS, WIDTH
from workbook.text.catalogue import Entry, label, say
from workbook.text.labels import check_lang
from workbook.zone.holidays import HolidayWeek, holiday_label
from workbook.zone.roadshow_settings import EVENT_KIND_ORDER

KIND_COLORS = dict(zip(EVENT_KIND_ORDER, CATEGORY, strict=False))
PLAN_ORDER: tuple[str, ...] = ("none", "greedy", "optimal")


def _month_start(d: dt.date) -> dt.date:
    return dt.date(d.year, d.month, 1)


def _next_month(d: dt.date) -> dt.date:
    return dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def plan_chart(
    table: pd.DataFrame,
    lang: str = "zh",
    holidays: pd.DataFrame | None = None,
    title: str | None = None,
) -> alt.Chart | alt.LayerChart:
    """The plan as a calendar: one bar per event from its first to its last day, coloured by
    kind, in date order; blocked holiday weeks (DataFrame[holiday, first, last]) shaded grey.

    `table` has the plan's columns (workbook.roadshow.problem.PLAN_COLUMNS): at least event_id, name,
    kind, office, first_day, last_day, cost, expected_leads, expected_capital.
    """
    return plan_parts(table, lang, holidays, title).chart()


def event_names(ids: Iterable[Any], names: Iterable[Any]) -> list[str]:
    """What a reader sees for each event: its name; a name two events of the plan share gets
    its code in brackets, so each bar keeps its own row."""
    ids, names = [str(i) for i in ids], [str(n) for n in names]
    seen = Counter(names)
    return [n if seen[n] == 1 else f"{n}（{i}）" for i, n in zip(ids, names, strict=True)]


def plan_parts(
    table: pd.DataFrame,
    lang: str = "zh",
    holidays: pd.DataFrame | None = None,
    title: str | None = None,
    live: bool = False,
) -> ChartParts:
    """`plan_chart` as parts. The months shown are structure; so are the events' order and the
    height, unless `live`: then a plan of three events or more lists them in the data's order
    and takes 22 pixels per event (`alt.Step`, the same drawing), so that a plan of other events
    in the same months is the same chart with other data."""
    check_lang(lang)
    t = table.sort_values(["first_day", "event_id"]).reset_index(drop=True)
    data = pd.DataFrame(
        {
            "event": event_names(t["event_id"], t["name"]),
            "event_id": t["event_id"].astype(str),
            "start": [d.isoformat() for d in t["first_day"]],
            "end": [(d + dt.timedelta(days=1)).isoformat() for d in t["last_day"]],
            "first_day": [d.isoformat() for d in t["first_day"]],
            "last_day": [d.isoformat() for d in t["last_day"]],
            "kind": [label("event_kind", k, lang) for k in t["kind"]],
            "office": t["office"].astype(str),
            "cost": t["cost"].astype(float),
            "expected_leads": t["expected_leads"].astype(float).round(1),
            "expected_capital": t["expected_capital"].astype(float).round(3),
        }
    )
    lo = _month_start(min(t["first_day"])) if len(t) else None
    hi = _next_month(max(t["last_day"])) if len(t) else None
    heading = title or say("plan.chart_title", lang)
    shade = None
    if holidays is not None and len(holidays) and lo and hi:
        h = holidays[(holidays["last"] >= lo) & (holidays["first"] < hi)]
        if len(h):
            shade = pd.DataFrame(
                {
                    "start": [max(d, lo).isoformat() for d in h["first"]],
                    "end": [(min(d, hi) + dt.timedelta(days=1)).isoformat() for d in h["last"]],
                    "holiday": [holiday_label(n, lang) for n in h["holiday"]],
                }
            )
    layers = (data,) if shade is None else (shade, shade, data)
    steps = live and len(data) >= 3  # (fewer take the least height, 60 pixels)

    def build() -> alt.Chart | alt.LayerChart:
        return _plan(data, shade, lo, hi, heading, lang, steps)

    events = None if steps else tuple(data["event"])
    return ChartParts(("plan", lang, events, lo, hi, shade is None), layers, build, heading)


def _plan(
    data: pd.DataFrame,
    shade: pd.DataFrame | None,
    lo: dt.date | None,
    hi: dt.date | None,
    title: str,
    lang: str,
    steps: bool = False,
) -> alt.Chart | alt.LayerChart:
    kinds = [label("event_kind", k, lang) for k in EVENT_KIND_ORDER]
    colors = [KIND_COLORS[k] for k in EVENT_KIND_ORDER]
    fmt = say("chart.month_format", lang)
    x = alt.X(
        "start:T",
        title=None,
        scale=alt.Scale(domain=[lo.isoformat(), hi.isoformat()]) if lo and hi else alt.Scale(),
        axis=alt.Axis(format=fmt, tickCount="month", grid=True),
    )

    def lab(key: str) -> str:
        return label("plan", key, lang)

    bars = (
        alt.Chart(data)
        .mark_bar(cornerRadius=2, height=14)
        .encode(
            x=x,
            x2=alt.X2("end:T"),
            y=alt.Y("event:N", sort=None if steps else list(data["event"]), title=None),
            color=alt.Color(
                "kind:N",
                title=lab("kind"),
                sort=kinds,
                scale=alt.Scale(domain=kinds, range=colors),
            ),
            tooltip=[
                alt.Tooltip("event:N", title=lab("name")),
                alt.Tooltip("kind:N", title=lab("kind")),
                alt.Tooltip("office:N", title=lab("office")),
                alt.Tooltip("first_day:N", title=lab("first_day")),
                alt.Tooltip("last_day:N", title=lab("last_day")),
                alt.Tooltip("cost:Q", title=lab("cost"), format=",.1f"),
                alt.Tooltip("expected_leads:Q", title=lab("expected_leads"), format=".1f"),
                alt.Tooltip("expected_capital:Q", title=lab("expected_capital"), format=".3f"),
            ],
        )
    )
    # Size and title given to the layer directly: `.properties` on a layer copies it again.
    height = alt.Step(22) if steps else max(60, 22 * len(data))
    size = {"width": WIDTH, "height": height, "title": title}
    if shade is not None:
        band = (
            alt.Chart(shade)
            .mark_rect(color=LIGHT, opacity=0.7)
            .encode(x=x, x2=alt.X2("end:T"), tooltip=[alt.Tooltip("holiday:N", title=None)])
        )
        text = (
            alt.Chart(shade)
            .mark_text(align="left", baseline="top", dx=2, dy=2, color=GREY, fontSize=10)
            .encode(x=x, y=alt.YValue(0), text=alt.Text("holiday:N"))
        )
        return layer(band, text, bars, **size)
    return bars.properties(**size)


def holiday_frame(weeks: Sequence[HolidayWeek]) -> pd.DataFrame:
    """DataFrame[holiday, first, last] of holiday weeks, for `plan_chart`."""
    return pd.DataFrame(
        [(w.holiday, w.first, w.last) for w in weeks], columns=["holiday", "first", "last"]
    )


def frontier_chart(
    frontier: pd.DataFrame,
    lang: str = "zh",
    metrics: Sequence[str] | None = None,
    title: str | None = None,
    declared: Mapping[str, Entry] | None = None,
) -> alt.Chart:
    """Budget (万元) -> P(attain) per target: one colour per metric, solid for the optimal plan,
    dashed for the greedy plan when `frontier` has a `plan` column holding both.

    `frontier` has columns budget, metric, p_attain and optionally plan ('optimal',
    'greedy'); metrics are drawn in the order given (default: the order they appear).
    """
    check_lang(lang)
    data, labels, colors, plans = _frontier_data(frontier, lang, metrics, declared)
    return _frontier(data, labels, colors, plans, lang, title)


def _frontier_data(
    frontier: pd.DataFrame,
    lang: str,
    metrics: Sequence[str] | None,
    declared: Mapping[str, Entry] | None = None,
) -> tuple[pd.DataFrame, list[str], list[str], list[str]]:
    """The frontier's rows (budget, metric_label, plan_label, p_attain), its metrics' labels
    and colours in order, and its plans in order."""
    df = frontier.copy()
    if "plan" not in df.columns:
        df["plan"] = "optimal"
    order = list(metrics) if metrics is not None else list(dict.fromkeys(df["metric"]))
    df = df[df["metric"].isin(order)]
    df["metric_label"] = [label("metric", m, lang, declared) for m in df["metric"]]
    df["plan_label"] = [label("plan", p, lang) for p in df["plan"]]
    labels = [label("metric", m, lang, declared) for m in order]
    colors = [METRIC_COLORS.get(m, GREY) for m in order]
    plans = [p for p in PLAN_ORDER if p in set(df["plan"])]
    return df[["budget", "metric_label", "plan_label", "p_attain"]], labels, colors, plans


def _frontier(
    data: pd.DataFrame,
    labels: list[str],
    colors: list[str],
    plans: list[str],
    lang: str,
    title: str | None,
) -> alt.Chart:
    plan_labels = [label("plan", p, lang) for p in plans]
    dashes = {"optimal": [1, 0], "greedy": [5, 3], "none": [1, 3]}
    return (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X("budget:Q", title=label("plan", "budget", lang)),
            y=alt.Y(
                "p_attain:Q",
                title=label("plan", "p_attain", lang),
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%"),
            ),
            color=alt.Color(
                "metric_label:N",
                title=None,
                sort=labels,
                scale=alt.Scale(domain=labels, range=colors),
            ),
            strokeDash=alt.StrokeDash(
                "plan_label:N",
                title=None,
                sort=plan_labels,
                # The lines' points make Vega-Lite fill the legend's symbols black with no
                # stroke, so a stroke symbol showed no dash: no fill, a grey 20 px stroke.
                legend=alt.Legend(
                    symbolType="stroke",
                    symbolFillColor="transparent",
                    symbolStrokeColor=GREY,
                    symbolStrokeWidth=2,
                    symbolSize=400,
                ),
                scale=alt.Scale(domain=plan_labels, range=[dashes[p] for p in plans]),
            ),
            tooltip=[
                alt.Tooltip("metric_label:N", title=label("column", "metric", lang)),
                alt.Tooltip("plan_label:N", title=None),
                alt.Tooltip("budget:Q", title=label("plan", "budget", lang), format=",.0f"),
                alt.Tooltip("p_attain:Q", title=label("plan", "p_attain", lang), format=".0%"),
            ],
        )
        .properties(
            width=WIDTH,
            height=280,
            title=title or say("plan.frontier_title", lang),
        )
    )


def budget_frontier_parts(
    frontier: pd.DataFrame,
    budget: float,
    marker: str,
    lang: str = "zh",
    metrics: Sequence[str] | None = None,
    title: str | None = None,
    declared: Mapping[str, Entry] | None = None,
) -> ChartParts:
    """The frontier (`frontier_chart`) with the current budget as a dashed rule labelled
    `marker`, on the side of the chart with room, as parts."""
    check_lang(lang)
    data, labels, colors, plans = _frontier_data(frontier, lang, metrics, declared)
    budgets = data["budget"]
    right = len(budgets) > 0 and budget > (budgets.min() + budgets.max()) / 2
    rule_df = pd.DataFrame({"budget": [float(budget)], "text": [marker]})

    def build() -> alt.LayerChart:
        rule = (
            alt.Chart(rule_df)
            .mark_rule(color="black", strokeDash=[2, 2])
            .encode(x=alt.X("budget:Q"))
        )
        rule_label = rule.mark_text(
            align="right" if right else "left", baseline="top", dx=-4 if right else 4, dy=2
        ).encode(x=alt.X("budget:Q"), y=alt.YValue(0), text=alt.Text("text:N"))
        lines = _frontier(data, labels, colors, plans, lang, None)
        return layer(lines, rule, rule_label, title=title)

    key = ("frontier", lang, tuple(labels), tuple(plans), right)
    return ChartParts(key, (data, rule_df, rule_df), build, title)
