"""The quarterly review's charts: pure functions of the section tables (workbook.review.sections).

Each takes the canonical-column DataFrame a section computes and the language, and returns an
`alt.Chart` (or layer) in the house theme. Categories are always sorted explicitly (Chinese
sorts by code point otherwise) and months are naive local dates.
"""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import numpy as np
import pandas as pd

import workbook.charts  # noqa: F401  (registers the house theme)
from workbook.charts.parts import layer
from workbook.charts.theme import GREY, METRIC_COLORS, OUTLOOK_COLORS, VERDICT_COLORS, WIDTH
from workbook.text.catalogue import Entry, label, say
from workbook.text.labels import STAGES

HALF = 420  # two charts side by side on a report page


def _t(key: str, lang: str) -> str:
    return label("review", key, lang)


def _month_axis(lang: str) -> alt.Axis:
    return alt.Axis(format=say("chart.month_format", lang), labelAngle=0, tickCount=12)


def completion_chart(
    headline: pd.DataFrame, lang: str = "zh", declared: Mapping[str, Entry] | None = None
) -> alt.LayerChart:
    """Completion of every target (bar, coloured by pace verdict) beside the share due by now
    (black tick): "时间过半、任务过半" at a glance. `declared`: the zone's own metric labels
    (`ZoneParams.metric_labels`)."""
    df = pd.DataFrame(
        {
            "metric": [label("metric", m, lang, declared) for m in headline["metric"]],
            "completion": headline["completion"].clip(upper=2.0),
            "phased_share": headline["phased_share"],
            "verdict": [label("verdict", v, lang) for v in headline["verdict"]],
            "text": [f"{c:.0%}" for c in headline["completion"]],
        }
    )
    order = list(df["metric"])
    y = alt.Y("metric:N", sort=order, title=None)
    verdicts = ["ahead", "on_pace", "behind"]
    color = alt.Color(
        "verdict:N",
        title=_t("verdict", lang),
        scale=alt.Scale(
            domain=[label("verdict", v, lang) for v in verdicts],
            range=[VERDICT_COLORS[v] for v in verdicts],
        ),
    )
    base = alt.Chart(df).encode(y=y)
    bars = base.mark_bar(height=14).encode(
        x=alt.X("completion:Q", title=_t("completion_axis", lang), axis=alt.Axis(format="%")),
        color=color,
        tooltip=[
            alt.Tooltip("metric:N", title=_t("metric", lang)),
            alt.Tooltip("completion:Q", title=_t("completion", lang), format=".1%"),
            alt.Tooltip("phased_share:Q", title=_t("phased_share", lang), format=".1%"),
        ],
    )
    ticks = base.mark_tick(color="black", thickness=2, size=22).encode(x=alt.X("phased_share:Q"))
    text = base.mark_text(align="left", dx=4, fontSize=11).encode(
        x=alt.X("completion:Q"), text=alt.Text("text:N")
    )
    return layer(bars, ticks, text).properties(
        width=HALF,
        height=alt.Step(24),
        title=alt.Title(_t("completion_axis", lang), subtitle=_t("tick_legend", lang)),
    )


def attainment_chart(
    headline: pd.DataFrame, lang: str = "zh", declared: Mapping[str, Entry] | None = None
) -> alt.LayerChart:
    """P(reach the floor) of every target, coloured by outlook, with the 80% line (`declared`:
    the zone's own metric labels)."""
    df = pd.DataFrame(
        {
            "metric": [label("metric", m, lang, declared) for m in headline["metric"]],
            "p_attain": headline["p_attain"],
            "outlook": [label("outlook", o, lang) for o in headline["outlook"]],
            "text": [f"{p:.0%}" for p in headline["p_attain"]],
        }
    )
    outlooks = ["likely", "uncertain", "at_risk"]
    base = alt.Chart(df).encode(y=alt.Y("metric:N", sort=list(df["metric"]), title=None))
    bars = base.mark_bar(height=14).encode(
        x=alt.X(
            "p_attain:Q",
            title=_t("p_attain", lang),
            scale=alt.Scale(domain=[0, 1]),
            axis=alt.Axis(format="%"),
        ),
        color=alt.Color(
            "outlook:N",
            title=_t("outlook", lang),
            scale=alt.Scale(
                domain=[label("outlook", o, lang) for o in outlooks],
                range=[OUTLOOK_COLORS[o] for o in outlooks],
            ),
        ),
        tooltip=[
            alt.Tooltip("metric:N", title=_t("metric", lang)),
            alt.Tooltip("p_attain:Q", title=_t("p_attain", lang), format=".1%"),
        ],
    )
    text = base.mark_text(align="left", dx=4, fontSize=11).encode(
        x=alt.X("p_attain:Q"), text=alt.Text("text:N")
    )
    rule = (
        alt.Chart(pd.DataFrame({"x": [0.8], "text": [_t("line_80", lang)]}))
        .mark_rule(color=GREY, strokeDash=[4, 3])
        .encode(x=alt.X("x:Q"))
    )
    return (bars + text + rule).properties(
        width=HALF,
        height=alt.Step(24),
        title=alt.Title(_t("p_attain", lang), subtitle=_t("line_80", lang)),
    )


def burnup_chart(
    burnup: pd.DataFrame,
    metric: str,
    unit: str,
    lang: str = "zh",
    declared: Mapping[str, Entry] | None = None,
) -> alt.LayerChart:
    """Cumulative capital arrived by month, the phased target line, the annual target, and the
    forecast fan (P10–P90 band, P50 dashed) to December (`declared`: the zone's own metric
    labels)."""
    color = METRIC_COLORS.get(metric, "#c0392b")
    names = {
        "actual": _t("actual", lang),
        "phased": _t("phased", lang),
        "p50": _t("forecast_p50", lang),
    }
    long = pd.concat(
        [
            pd.DataFrame({"month": burnup["month"], "series": names[s], "value": burnup[col]})
            for s, col in (("actual", "actual"), ("phased", "phased_target"), ("p50", "p50"))
        ]
    ).dropna(subset=["value"])
    unit_text = label("unit", unit, lang)
    y_title = f"{label('metric', metric, lang, declared)} ({unit_text})"
    x = alt.X("month:T", title=None, axis=_month_axis(lang))
    lines = (
        alt.Chart(long)
        .mark_line(point=True, strokeWidth=2)
        .encode(
            x=x,
            y=alt.Y("value:Q", title=y_title),
            color=alt.Color(
                "series:N",
                title=None,
                scale=alt.Scale(
                    domain=[names["actual"], names["phased"], names["p50"]],
                    range=[color, GREY, color],
                ),
            ),
            strokeDash=alt.StrokeDash(
                "series:N",
                title=None,
                legend=alt.Legend(symbolType="stroke", symbolStrokeWidth=2, symbolSize=300),
                scale=alt.Scale(
                    domain=[names["actual"], names["phased"], names["p50"]],
                    range=[[1, 0], [2, 2], [6, 3]],
                ),
            ),
            tooltip=[
                alt.Tooltip("month:T", title=_t("month", lang), format="%Y-%m"),
                alt.Tooltip("series:N", title=_t("series", lang)),
                alt.Tooltip("value:Q", title=unit_text, format=",.2f"),
            ],
        )
    )
    layers = []
    fan = burnup.dropna(subset=["p10", "p90"]).assign(band=_t("forecast_band", lang))
    if len(fan):
        layers.append(
            alt.Chart(fan)
            .mark_area(opacity=0.18)
            .encode(
                x=x,
                y=alt.Y("p10:Q"),
                y2=alt.Y2("p90:Q"),
                fill=alt.Fill(
                    "band:N",
                    title=None,
                    scale=alt.Scale(domain=[_t("forecast_band", lang)], range=[color]),
                ),
                tooltip=[
                    alt.Tooltip("month:T", title=_t("month", lang), format="%Y-%m"),
                    alt.Tooltip("p10:Q", title=_t("band_low", lang), format=",.2f"),
                    alt.Tooltip("p90:Q", title=_t("band_high", lang), format=",.2f"),
                ],
            )
        )
    target = float(burnup["target"].iloc[0])
    rule = (
        alt.Chart(
            pd.DataFrame({"y": [target], "text": [f"{_t('annual_target', lang)} {target:g}"]})
        )
        .mark_rule(color="black", strokeDash=[1, 2])
        .encode(y=alt.Y("y:Q"))
    )
    rule_text = rule.mark_text(align="left", dx=4, dy=-7, fontSize=11).encode(
        y=alt.Y("y:Q"), x=alt.XValue(0), text=alt.Text("text:N")
    )
    return (
        alt.layer(*layers, lines, rule, rule_text)
        .resolve_legend(color="independent", fill="independent", strokeDash="independent")
        .properties(width=HALF, height=280, title=label("metric", metric, lang, declared))
    )


def funnel_chart(funnel: pd.DataFrame, lang: str = "zh") -> alt.LayerChart:
    """Projects at each stage in pipeline order, with their total investment."""
    df = pd.DataFrame(
        {
            "stage": [label("stage", s, lang) for s in funnel["stage"]],
            "projects": funnel["projects"],
            "total_investment": funnel["total_investment"],
            "text": [
                _t("funnel_label", lang).format(n=int(n), v=float(v))
                for n, v in zip(funnel["projects"], funnel["total_investment"], strict=True)
            ],
        }
    )
    order = [label("stage", s, lang) for s in STAGES]
    base = alt.Chart(df).encode(y=alt.Y("stage:N", sort=order, title=None))
    bars = base.mark_bar(height=16, color="#1f5fa8").encode(
        x=alt.X("projects:Q", title=_t("projects", lang)),
        tooltip=[
            alt.Tooltip("stage:N", title=_t("stage", lang)),
            alt.Tooltip("projects:Q", title=_t("projects", lang)),
            alt.Tooltip("total_investment:Q", title=_t("total_investment", lang), format=",.1f"),
        ],
    )
    text = base.mark_text(align="left", dx=4, fontSize=11).encode(
        x=alt.X("projects:Q"), text=alt.Text("text:N")
    )
    return (bars + text).properties(
        width=WIDTH,
        height=alt.Step(26),
        title=alt.Title(_t("s3", lang)[2:], subtitle=_t("funnel_legend", lang)),
    )


def changes_chart(counts: dict[str, int], lang: str = "zh") -> alt.LayerChart:
    """How many projects advanced, are new, stalled, moved back or were dropped."""
    keys = [k for k in ("advanced", "new", "stalled", "moved_back", "dropped") if k in counts]
    df = pd.DataFrame(
        {"change": [label("change", k, lang) for k in keys], "projects": [counts[k] for k in keys]}
    )
    colors = {
        "advanced": "#27ae60",
        "new": "#2e86c1",
        "stalled": "#f39c12",
        "moved_back": "#c0392b",
        "dropped": GREY,
    }
    base = alt.Chart(df).encode(
        x=alt.X("change:N", sort=list(df["change"]), title=None, axis=alt.Axis(labelAngle=0))
    )
    bars = base.mark_bar(width=40).encode(
        y=alt.Y("projects:Q", title=_t("projects", lang)),
        color=alt.Color(
            "change:N",
            legend=None,
            scale=alt.Scale(domain=list(df["change"]), range=[colors[k] for k in keys]),
        ),
        tooltip=[
            alt.Tooltip("change:N", title=_t("change", lang)),
            alt.Tooltip("projects:Q", title=_t("projects", lang)),
        ],
    )
    text = base.mark_text(dy=-8, fontSize=11).encode(
        y=alt.Y("projects:Q"), text=alt.Text("projects:Q")
    )
    return (bars + text).properties(width=360, height=200, title=_t("change", lang))


def channels_chart(channels: pd.DataFrame, lang: str = "zh") -> alt.LayerChart:
    """Capital arrived this year by channel (bars coloured by office / platform / event / other),
    with the number of signings."""
    name = channels[Entry("channel", "channel_en").text(lang)]  # the column in `lang`
    df = pd.DataFrame(
        {
            "channel": name,
            "kind": [label("channel_kind", k, lang) for k in channels["kind"]],
            "arrived": channels["arrived"],
            "signings": channels["signings"],
            "leads": channels["leads"],
            "text": [f"{a:,.2f}" for a in channels["arrived"]],
        }
    )
    kinds = ["office", "platform", "event", "other"]
    df = df.sort_values("arrived", ascending=False, kind="stable")
    base = alt.Chart(df).encode(y=alt.Y("channel:N", sort=list(df["channel"]), title=None))
    bars = base.mark_bar(height=14).encode(
        x=alt.X("arrived:Q", title=_t("arrived", lang)),
        color=alt.Color(
            "kind:N",
            title=_t("kind", lang),
            scale=alt.Scale(
                domain=[label("channel_kind", k, lang) for k in kinds],
                range=["#c0392b", "#1f5fa8", "#f39c12", GREY],
            ),
        ),
        tooltip=[
            alt.Tooltip("channel:N", title=_t("channel", lang)),
            alt.Tooltip("leads:Q", title=_t("leads", lang)),
            alt.Tooltip("signings:Q", title=_t("signings", lang)),
            alt.Tooltip("arrived:Q", title=_t("arrived", lang), format=",.2f"),
        ],
    )
    text = base.mark_text(align="left", dx=4, fontSize=10).encode(
        x=alt.X("arrived:Q"), text=alt.Text("text:N")
    )
    return (bars + text).properties(width=WIDTH, height=alt.Step(20), title=_t("arrived", lang))


def _band_range(lo: float, hi: float) -> str:
    """A band's range as read on the page: '≥90%', '60–90%', '<10%'."""
    if hi >= 1.0:
        return f"≥{lo:.0%}"
    if lo <= 0.0:
        return f"<{hi:.0%}"
    return f"{lo * 100:.0f}–{hi:.0%}"


TRACK_SIZE = 360  # the track-record picture is square: its diagonal reads at 45 degrees
TRACK_AREA = 900  # px² of the largest point (the band with most forecasts)
TRACK_PAD = 0.04  # of the unit scale on each side, so that a point on an edge is drawn whole
# Most to least sure, each band its colour (green for what we called near certain).
TRACK_COLORS = {
    "sure": "#1e8449",
    "likely": "#7dbb5c",
    "even": "#f39c12",
    "unlikely": "#e67e22",
    "remote": "#c0392b",
}


def track_record_data(bands: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The picture's points: one per band holding forecasts (workbook.review.sections.headline.
    track_bands), x the mean chance we gave in it, y the share met, its label in words."""
    b = bands[bands["forecasts"] > 0]
    # each point's label just below it (above it under 50%), clear of its circle: the
    # circle's radius from its area (TRACK_AREA for the most forecasts) in px, then in units
    n = b["forecasts"].to_numpy(float)
    radius = np.sqrt(TRACK_AREA * n / max(1.0, n.max(initial=1.0)) / np.pi)
    offset = (radius + 10) / TRACK_SIZE * (1 + 2 * TRACK_PAD)
    share = b["share_met"].to_numpy(float)
    return pd.DataFrame(
        {
            "band": [
                _t("track_band_item", lang).format(
                    band=label("confidence", k, lang), range=_band_range(lo, hi)
                )
                for k, lo, hi in zip(b["band"], b["lo"], b["hi"], strict=True)
            ],
            "key": b["band"].to_numpy(),
            "mean_p": b["mean_p"].to_numpy(float),
            "share_met": b["share_met"].to_numpy(float),
            "forecasts": b["forecasts"].to_numpy(int),
            "met": b["met"].to_numpy(int),
            "text": [f"{m}/{n}" for m, n in zip(b["met"], b["forecasts"], strict=True)],
            "label_y": np.where(share >= 0.5, share - offset, share + offset),
        }
    )


def track_record_chart(bands: pd.DataFrame, lang: str = "zh") -> alt.LayerChart:
    """What we said against what came true (a reliability diagram): per band of confidence the
    mean chance given (x) and the share met (y), the point's area by its number of forecasts,
    labelled met/forecasts, over the diagonal where the two agree."""
    df = track_record_data(bands, lang)
    domain = list(df["band"])  # most to least sure, as the bands come
    unit = alt.Scale(domain=[-TRACK_PAD, 1 + TRACK_PAD], nice=False, zero=False)
    ticks = [i / 10 for i in range(0, 11, 2)]
    x = alt.X(
        "mean_p:Q",
        title=_t("track_x", lang),
        scale=unit,
        axis=alt.Axis(format="%", values=ticks, grid=True),
    )
    y = alt.Y(
        "share_met:Q",
        title=_t("track_y", lang),
        scale=unit,
        axis=alt.Axis(format="%", values=ticks, grid=True),
    )
    diagonal = (
        alt.Chart(pd.DataFrame({"mean_p": [0.0, 1.0], "share_met": [0.0, 1.0]}))
        .mark_line(color=GREY, strokeDash=[5, 4], strokeWidth=1.5)
        .encode(x=x, y=y)
    )
    diagonal_text = (
        alt.Chart(
            pd.DataFrame(
                {"mean_p": [0.5], "share_met": [0.5], "text": [_t("track_diagonal", lang)]}
            )
        )
        .mark_text(color=GREY, align="center", dx=9, dy=9, angle=315, fontSize=11)
        .encode(x=x, y=y, text=alt.Text("text:N"))
    )
    base = alt.Chart(df).encode(x=x, y=y)
    points = base.mark_circle(opacity=0.85, stroke="white", strokeWidth=1).encode(
        size=alt.Size(
            "forecasts:Q",
            scale=alt.Scale(domain=[0, max(1, int(df["forecasts"].max()))], range=[0, TRACK_AREA]),
            legend=None,
        ),
        color=alt.Color(
            "band:N",
            title=_t("track_band", lang),
            sort=domain,
            scale=alt.Scale(domain=domain, range=[TRACK_COLORS.get(k, GREY) for k in df["key"]]),
            legend=alt.Legend(orient="right", symbolSize=120),
        ),
        tooltip=[
            alt.Tooltip("band:N", title=_t("track_band", lang)),
            alt.Tooltip("mean_p:Q", title=_t("track_x", lang), format=".0%"),
            alt.Tooltip("forecasts:Q", title=_t("track_forecasts", lang)),
            alt.Tooltip("met:Q", title=_t("track_met", lang)),
            alt.Tooltip("share_met:Q", title=_t("track_y", lang), format=".0%"),
        ],
    )
    text = (
        alt.Chart(df)
        .mark_text(fontSize=12, fontWeight="bold", baseline="middle")
        .encode(x=x, y=alt.Y("label_y:Q", scale=unit), text=alt.Text("text:N"))
    )
    return layer(diagonal, diagonal_text, points, text).properties(
        width=TRACK_SIZE,
        height=TRACK_SIZE,
        title=alt.Title(
            _t("track_chart_title", lang), subtitle=_t("track_chart_subtitle", lang).split("\n")
        ),
    )
