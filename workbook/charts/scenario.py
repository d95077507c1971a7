"""The scenario planner's charts: pure functions of the engine's DataFrames, in the house theme.

Each takes the canonical-column DataFrame the engine returns (already aggregated: a Monte
Carlo run is binned or summarised in pandas first, never handed to Altair trial by trial) and
the language, and returns an `alt.Chart` or layer; its `*_parts` twin returns the same chart as
`ChartParts` (its layers' data apart from its structure) for the live planners' redraws. Categories are always sorted explicitly
(Chinese sorts by code point otherwise); months are naive local dates; every colour of a
target comes from `METRIC_COLORS`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import altair as alt
import numpy as np
import pandas as pd

import workbook.charts  # noqa: F401  (registers the house theme)
from workbook.charts.parts import ChartParts, layer
from workbook.charts.theme import CATEGORY, GREY, LIGHT, METRIC_COLORS, WIDTH
from workbook.forecast.results import reach_floor
from workbook.text.catalogue import Entry, label, say

DEFAULT_COLOR = CATEGORY[0]
HIST_BINS = 40


def _t(key: str, lang: str) -> str:
    return label("planner", key, lang)


def _metric(metric: str, lang: str, declared: Mapping[str, Entry] | None = None) -> str:
    return label("metric", metric, lang, declared)


def _unit(unit: str, lang: str) -> str:
    return label("unit", unit, lang)


def _month_axis(lang: str) -> alt.Axis:
    return alt.Axis(format=say("chart.month_format", lang), labelAngle=0, tickCount=12)


def _months(values: pd.Series, year: int | None = None) -> pd.Series | pd.DatetimeIndex:
    """Month values as naive first-of-month timestamps (ints 1..12 need the year)."""
    if pd.api.types.is_integer_dtype(values) or pd.api.types.is_float_dtype(values):
        y = year if year is not None else dt.date.today().year
        return pd.to_datetime([dt.date(y, int(m), 1) for m in values])
    ts = pd.to_datetime(values)
    if getattr(ts.dt, "tz", None) is not None:
        ts = ts.dt.tz_localize(None)
    # pandas-stubs types Series.dt.to_timestamp() as a DatetimeArray; it returns a Series.
    return ts.dt.to_period("M").dt.to_timestamp()  # type: ignore[return-value]


def _metric_frame(targets: pd.DataFrame) -> pd.DataFrame:
    """The targets table with `metric` as a column whether it came as the index or a column."""
    return targets if "metric" in targets.columns else targets.rename_axis("metric").reset_index()


def p_attain_chart(targets: pd.DataFrame, lang: str = "zh") -> alt.LayerChart:
    """P(reach the floor) of every target as a bar in the target's colour, the chance of the
    stretch as a black tick where a stretch is set, and the 80% line."""
    return p_attain_parts(targets, lang).chart()


def p_attain_parts(
    targets: pd.DataFrame, lang: str = "zh", declared: Mapping[str, Entry] | None = None
) -> ChartParts:
    """`p_attain_chart` as parts; `declared` names the zone's own metrics."""
    t = _metric_frame(targets)
    metrics = list(t["metric"])
    names = [_metric(m, lang, declared) for m in metrics]
    df = pd.DataFrame(
        {
            "metric": names,
            "p_attain": t["p_attain"].astype(float).to_numpy(),
            "p_stretch": t["p_stretch"].astype(float).to_numpy(),
            "text": [f"{p:.0%}" for p in t["p_attain"]],
        }
    )
    stretch_df = df.dropna(subset=["p_stretch"])
    rule_df = pd.DataFrame({"x": [0.8]})
    title = _t("p_attain_title", lang)

    def build() -> alt.LayerChart:
        return _p_attain(df, stretch_df, rule_df, metrics, names, title, lang)

    key = ("p_attain", lang, tuple(metrics))
    return ChartParts(key, (df, stretch_df, df, rule_df), build, title)


def _p_attain(
    df: pd.DataFrame,
    stretch_df: pd.DataFrame,
    rule_df: pd.DataFrame,
    metrics: list[str],
    names: list[str],
    title: str,
    lang: str,
) -> alt.LayerChart:
    base = alt.Chart(df).encode(y=alt.Y("metric:N", sort=names, title=None))
    p_title = _t("p_attain", lang)
    bars = base.mark_bar(height=14).encode(
        x=alt.X(
            "p_attain:Q", title=p_title, scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")
        ),
        color=alt.Color(
            "metric:N",
            legend=None,
            scale=alt.Scale(
                domain=names, range=[METRIC_COLORS.get(m, DEFAULT_COLOR) for m in metrics]
            ),
        ),
        tooltip=[
            alt.Tooltip("metric:N", title=_t("metric", lang)),
            alt.Tooltip("p_attain:Q", title=p_title, format=".1%"),
            alt.Tooltip("p_stretch:Q", title=_t("p_stretch", lang), format=".1%"),
        ],
    )
    stretch = (
        alt.Chart(stretch_df)
        .mark_tick(color="black", thickness=2, size=18)
        .encode(y=alt.Y("metric:N", sort=names), x=alt.X("p_stretch:Q"))
    )
    text = base.mark_text(align="left", dx=4, fontSize=11).encode(
        x=alt.X("p_attain:Q"), text=alt.Text("text:N")
    )
    rule = alt.Chart(rule_df).mark_rule(color=GREY, strokeDash=[4, 3]).encode(x=alt.X("x:Q"))
    return layer(bars, stretch, text, rule).properties(
        width=WIDTH, height=alt.Step(24), title=title
    )


def fan_chart(
    fan: pd.DataFrame,
    *,
    metric: str = "domestic_capital",
    target: float,
    unit: str = "CNY",
    year: int | None = None,
    lang: str = "zh",
    subtitle: str | None = None,
) -> alt.LayerChart:
    """The cumulative year-to-date value of a target by month: the P10–P90 band and the P50
    line of the forecast, the annual target (rule), the phased target (dashed) and the
    actuals so far (points). `fan` has month, actual, p10, p50, p90, phased_target."""
    return fan_parts(
        fan, metric=metric, target=target, unit=unit, year=year, lang=lang, subtitle=subtitle
    ).chart()


def fan_parts(
    fan: pd.DataFrame,
    *,
    metric: str = "domestic_capital",
    target: float,
    unit: str = "CNY",
    year: int | None = None,
    lang: str = "zh",
    subtitle: str | None = None,
    declared: Mapping[str, Entry] | None = None,
) -> ChartParts:
    """`fan_chart` as parts."""
    df = fan.assign(month=_months(fan["month"], year))
    names = {
        "actual": _t("actual", lang),
        "p50": _t("p50_line", lang),
        "phased": _t("phased_target", lang),
    }
    long = pd.concat(
        [
            pd.DataFrame({"month": df["month"], "series": names[s], "value": df[col]})
            for s, col in (("p50", "p50"), ("phased", "phased_target"), ("actual", "actual"))
        ]
    ).dropna(subset=["value"])
    is_actual = long["series"] == names["actual"]
    rule_df = pd.DataFrame({"y": [float(target)], "text": [f"{_t('target', lang)} {target:g}"]})
    layers = (df.dropna(subset=["p10", "p90"]), long[~is_actual], long[is_actual], rule_df, rule_df)
    title = f"{_metric(metric, lang, declared)}: {_t('fan_title', lang)}"

    def build() -> alt.LayerChart:
        return _fan(layers, names, metric, unit, lang, title, subtitle, declared)

    key = ("fan", metric, unit, lang, subtitle is None)
    return ChartParts(key, layers, build, title, subtitle)


def _fan(
    layers: tuple[pd.DataFrame, ...],
    names: dict[str, str],
    metric: str,
    unit: str,
    lang: str,
    title: str,
    subtitle: str | None,
    declared: Mapping[str, Entry] | None = None,
) -> alt.LayerChart:
    band_df, lines_df, actual_df, rule_df, _ = layers
    color = METRIC_COLORS.get(metric, DEFAULT_COLOR)
    unit_text = _unit(unit, lang)
    x = alt.X("month:T", title=None, axis=_month_axis(lang))
    month_tip = alt.Tooltip("month:T", title=_t("month", lang), format="%Y-%m")
    band = (
        alt.Chart(band_df)
        .mark_area(opacity=0.2, color=color)
        .encode(
            x=x,
            y=alt.Y("p10:Q", title=f"{_metric(metric, lang, declared)} ({unit_text})"),
            y2=alt.Y2("p90"),
            tooltip=[
                month_tip,
                alt.Tooltip("p10:Q", title="P10", format=",.2f"),
                alt.Tooltip("p50:Q", title="P50", format=",.2f"),
                alt.Tooltip("p90:Q", title="P90", format=",.2f"),
            ],
        )
    )
    domain = [names["actual"], names["p50"], names["phased"]]
    series = alt.Color(
        "series:N", title=None, scale=alt.Scale(domain=domain, range=[color, color, GREY])
    )
    dash = alt.StrokeDash(
        "series:N", title=None, scale=alt.Scale(domain=domain, range=[[1, 0], [6, 3], [2, 2]])
    )
    value_tip = alt.Tooltip("value:Q", title=unit_text, format=",.2f")
    lines = (
        alt.Chart(lines_df)
        .mark_line(strokeWidth=2)
        .encode(
            x=x, y=alt.Y("value:Q"), color=series, strokeDash=dash, tooltip=[month_tip, value_tip]
        )
    )
    actual = (
        alt.Chart(actual_df)
        .mark_line(point=alt.OverlayMarkDef(filled=True, size=45), strokeWidth=2.5)
        .encode(x=x, y=alt.Y("value:Q"), color=series, tooltip=[month_tip, value_tip])
    )
    rule = alt.Chart(rule_df).mark_rule(color="black", strokeDash=[2, 2]).encode(y=alt.Y("y:Q"))
    rule_text = rule.mark_text(align="left", dx=4, dy=-7, fontSize=11).encode(
        x=alt.XValue(0), y=alt.Y("y:Q"), text=alt.Text("text:N")
    )
    heading = title if subtitle is None else alt.TitleParams(text=title, subtitle=subtitle)
    return layer(band, lines, actual, rule, rule_text).properties(
        width=WIDTH, height=280, title=heading
    )


def year_end_bins(values: np.ndarray, bins: int = HIST_BINS) -> pd.DataFrame:
    """A histogram of per-trial year-end values: lo, hi, trials, share (one row per bin).

    Pre-aggregates the Monte Carlo run for charting (Altair refuses more than 5,000 rows).
    Whole-number values (counts) get one bin per integer when that is no more than `bins`.
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return pd.DataFrame(columns=["lo", "hi", "trials", "share"])
    lo, hi = float(v.min()), float(v.max())
    if np.all(v == np.round(v)) and hi - lo + 1 <= bins:
        edges = np.arange(lo - 0.5, hi + 1.5)
    elif hi == lo:
        edges = np.array([lo - 0.5, hi + 0.5])
    else:
        edges = np.linspace(lo, hi, bins + 1)
    counts, edges = np.histogram(v, bins=edges)
    return pd.DataFrame(
        {"lo": edges[:-1], "hi": edges[1:], "trials": counts, "share": counts / v.size}
    )


def histogram_chart(
    bins: pd.DataFrame,
    *,
    metric: str = "domestic_capital",
    target: float,
    stretch: float | None = None,
    unit: str = "CNY",
    lang: str = "zh",
) -> alt.LayerChart:
    """The distribution of the year-end value (pre-binned by `year_end_bins`), bars at or
    above the target in the target's colour, the target (and stretch) as rules."""
    return histogram_parts(
        bins, metric=metric, target=target, stretch=stretch, unit=unit, lang=lang
    ).chart()


def histogram_parts(
    bins: pd.DataFrame,
    *,
    metric: str = "domestic_capital",
    target: float,
    stretch: float | None = None,
    unit: str = "CNY",
    lang: str = "zh",
    declared: Mapping[str, Entry] | None = None,
) -> ChartParts:
    """`histogram_chart` as parts."""
    reached, short = _t("reached", lang), _t("short", lang)
    df = bins.assign(
        side=np.where(bins["lo"] >= reach_floor(float(target)), reached, short),
    )
    lines = [(float(target), _t("target", lang))]
    if stretch is not None and np.isfinite(stretch):
        lines.append((float(stretch), _t("stretch", lang)))
    rules_df = pd.DataFrame(
        {"x": [x for x, _ in lines], "text": [f"{name} {x:g}" for x, name in lines]}
    )
    layers = (df, rules_df, *(rules_df.iloc[[i]] for i in range(len(rules_df))))
    title = f"{_metric(metric, lang, declared)}: {_t('hist_title', lang)}"

    def build() -> alt.LayerChart:
        return _histogram(layers, metric, unit, lang, title)

    return ChartParts(("hist", metric, unit, lang, len(rules_df)), layers, build, title)


def _histogram(
    layers: tuple[pd.DataFrame, ...], metric: str, unit: str, lang: str, title: str
) -> alt.LayerChart:
    df, rules_df, *text_dfs = layers
    color = METRIC_COLORS.get(metric, DEFAULT_COLOR)
    reached, short = _t("reached", lang), _t("short", lang)
    unit_text = _unit(unit, lang)
    bars = (
        alt.Chart(df)
        .mark_bar(stroke="white", strokeWidth=0.5)
        .encode(
            x=alt.X("lo:Q", bin="binned", title=f"{_t('year_end', lang)} ({unit_text})"),
            x2=alt.X2("hi"),
            y=alt.Y("share:Q", title=_t("share_of_trials", lang), axis=alt.Axis(format="%")),
            color=alt.Color(
                "side:N",
                title=None,
                scale=alt.Scale(domain=[reached, short], range=[color, LIGHT]),
            ),
            tooltip=[
                alt.Tooltip("lo:Q", title=_t("from", lang), format=",.2f"),
                alt.Tooltip("hi:Q", title=_t("to", lang), format=",.2f"),
                alt.Tooltip("share:Q", title=_t("share_of_trials", lang), format=".1%"),
            ],
        )
    )
    rules = alt.Chart(rules_df).mark_rule(color="black", strokeDash=[2, 2]).encode(x=alt.X("x:Q"))
    texts = [  # one text per rule, staggered so close target and stretch stay readable
        alt.Chart(text_df)
        .mark_text(align="left", dx=4, baseline="top", fontSize=11)
        .encode(x=alt.X("x:Q"), y=alt.YValue(2 + 15 * i), text=alt.Text("text:N"))
        for i, text_df in enumerate(text_dfs)
    ]
    return layer(bars, rules, *texts).properties(width=WIDTH, height=220, title=title)


def compare_chart(compare: pd.DataFrame, lang: str = "zh") -> alt.LayerChart:
    """P(attain) of every target under each scenario, side by side: one row per target, one
    bar per scenario (in the order given). `compare` is DataFrame[scenario, metric, p_attain]."""
    return compare_parts(compare, lang).chart()


def compare_parts(
    compare: pd.DataFrame, lang: str = "zh", declared: Mapping[str, Entry] | None = None
) -> ChartParts:
    """`compare_chart` as parts; `declared` names the zone's own metrics."""
    metrics = list(dict.fromkeys(compare["metric"]))
    names = [_metric(m, lang, declared) for m in metrics]
    scenarios = list(dict.fromkeys(compare["scenario"]))
    df = pd.DataFrame(
        {
            "metric": [_metric(m, lang, declared) for m in compare["metric"]],
            "scenario": compare["scenario"].astype(str).to_numpy(),
            "p_attain": compare["p_attain"].astype(float).to_numpy(),
        }
    )
    title = _t("compare_title", lang)

    def build() -> alt.Chart:
        return _compare(df, names, scenarios, lang, title)

    return ChartParts(("compare", lang, tuple(names), tuple(scenarios)), (df,), build, title)


def _compare(
    df: pd.DataFrame, names: list[str], scenarios: list[str], lang: str, title: str
) -> alt.Chart:
    palette = [GREY, *CATEGORY[1:], *CATEGORY[:1]]
    colors = [palette[i % len(palette)] for i in range(len(scenarios) - 1)] + [DEFAULT_COLOR]
    p_title = _t("p_attain", lang)
    base = alt.Chart(df).encode(
        y=alt.Y("metric:N", sort=names, title=None),
        yOffset=alt.YOffset("scenario:N", sort=scenarios),
    )
    bars = base.mark_bar(height=alt.RelativeBandSize(0.9)).encode(
        x=alt.X(
            "p_attain:Q", title=p_title, scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")
        ),
        color=alt.Color(
            "scenario:N",
            title=_t("scenario", lang),
            sort=scenarios,
            scale=alt.Scale(domain=scenarios, range=colors),
        ),
        tooltip=[
            alt.Tooltip("metric:N", title=_t("metric", lang)),
            alt.Tooltip("scenario:N", title=_t("scenario", lang)),
            alt.Tooltip("p_attain:Q", title=p_title, format=".1%"),
        ],
    )
    return bars.properties(width=WIDTH, height=alt.Step(9), title=title)


TORNADO_COLUMNS = ["driver", "metric", "delta_down", "delta_up"]


def empty_sensitivity() -> pd.DataFrame:
    """A sensitivity table with no rows (draws an empty tornado)."""
    return pd.DataFrame(columns=TORNADO_COLUMNS)


def tornado_chart(
    sensitivity: pd.DataFrame,
    *,
    metric: str = "domestic_capital",
    lang: str = "zh",
    declared: Mapping[str, Entry] | None = None,
) -> alt.LayerChart:
    """One-at-a-time sensitivity of one target: for each driver (largest effect on top), the
    change in P(attain) when it moves down and when it moves up. `sensitivity` is
    DataFrame[driver, metric, delta_down, delta_up] with `driver` as it should be read."""
    s = sensitivity[sensitivity["metric"] == metric]
    s = s.assign(size=np.maximum(s["delta_down"].abs(), s["delta_up"].abs()))
    s = s.sort_values("size", ascending=False, kind="stable")
    order = list(s["driver"])
    down, up = _t("down", lang), _t("up", lang)
    long = pd.concat(
        [
            pd.DataFrame({"driver": s["driver"], "direction": down, "delta": s["delta_down"]}),
            pd.DataFrame({"driver": s["driver"], "direction": up, "delta": s["delta_up"]}),
        ],
        ignore_index=True,
    ).astype({"delta": float})
    color = METRIC_COLORS.get(metric, DEFAULT_COLOR)
    axis_title = f"{_metric(metric, lang, declared)} {_t('tornado_axis', lang)}"
    bars = (
        alt.Chart(long)
        .mark_bar(height=12)
        .encode(
            y=alt.Y("driver:N", sort=order, title=None),
            x=alt.X("delta:Q", title=axis_title, axis=alt.Axis(format="+%")),
            color=alt.Color(
                "direction:N",
                title=None,
                sort=[down, up],
                scale=alt.Scale(domain=[down, up], range=[LIGHT, color]),
            ),
            tooltip=[
                alt.Tooltip("driver:N", title=_t("driver", lang)),
                alt.Tooltip("direction:N", title=None),
                alt.Tooltip("delta:Q", title=_t("tornado_axis", lang), format="+.1%"),
            ],
        )
    )
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(color="black").encode(x=alt.X("x:Q"))
    return layer(bars, zero).properties(
        width=WIDTH, height=alt.Step(20), title=_t("tornado_title", lang)
    )
