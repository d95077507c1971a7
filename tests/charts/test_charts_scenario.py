"""The scenario planner's charts: valid Vega-Lite, pre-aggregated data, explicit sort orders,
the house colour of each target, and labels in Chinese or English."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbook.charts import scenario as cs
from workbook.charts.theme import METRIC_COLORS


def _targets() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "label": ["内资到位", "30亿元以上大项目", "新开工项目"],
            "unit": ["CNY", "count", "count"],
            "target": [56.0, 2.0, 60.0],
            "stretch": [np.nan, 3.0, 70.0],
            "p_attain": [0.8, 0.55, 0.1],
            "p_stretch": [np.nan, 0.2, 0.01],
        },
        index=pd.Index(["domestic_capital", "big_projects_30", "new_starts"], name="metric"),
    )


def _fan() -> pd.DataFrame:
    months = pd.date_range("2020-01-01", periods=12, freq="MS")
    actual = [2.0, 5, 9, 14, 18, 23] + [np.nan] * 6
    p50 = [2.0, 5, 9, 14, 18, 23, 28, 33, 38, 44, 50, 57]
    return pd.DataFrame(
        {
            "month": months,
            "actual": actual,
            "p10": [v * 0.9 if i > 5 else v for i, v in enumerate(p50)],
            "p50": p50,
            "p90": [v * 1.1 if i > 5 else v for i, v in enumerate(p50)],
            "phased_target": np.linspace(56 / 12, 56, 12),
        }
    )


def _datasets(spec: dict) -> list[list[dict]]:
    return list(spec.get("datasets", {}).values())


def test_p_attain_chart_sorts_targets_in_file_order_with_house_colours():
    spec = cs.p_attain_chart(_targets()).to_dict()
    bars = spec["layer"][0]["encoding"]
    assert bars["y"]["sort"] == ["内资到位", "30亿元以上大项目", "新开工项目"]
    assert bars["color"]["scale"]["range"] == [
        METRIC_COLORS["domestic_capital"],
        METRIC_COLORS["big_projects_30"],
        METRIC_COLORS["new_starts"],
    ]
    assert bars["x"]["scale"]["domain"] == [0, 1]
    assert spec["title"] == "各项目标达标概率"


def test_p_attain_chart_in_english():
    spec = cs.p_attain_chart(_targets(), lang="en").to_dict()
    assert spec["layer"][0]["encoding"]["y"]["sort"][0] == "Domestic capital arrived"
    assert spec["title"] == "Chance of meeting each target"


def test_fan_chart_has_band_p50_phased_target_actuals_and_target_rule():
    spec = cs.fan_chart(_fan(), metric="domestic_capital", target=56, unit="CNY").to_dict()
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert marks == ["area", "line", "line", "rule", "text"]
    band = spec["layer"][0]["encoding"]
    assert band["y"]["field"] == "p10" and band["y2"]["field"] == "p90"
    series = spec["layer"][1]["encoding"]["color"]["scale"]["domain"]
    assert series == ["实际累计", "预测中位数(P50)", "序时目标"]
    rule_rows = [rows for rows in _datasets(spec) if rows and "y" in rows[0]]
    assert rule_rows[0][0]["y"] == 56
    # actuals only up to the as-of month: the six NaN months are dropped, not drawn as zero
    line_rows = [r for rows in _datasets(spec) for r in rows if r.get("series") == "实际累计"]
    assert len(line_rows) == 6
    assert all("T" in str(r["month"]) or "-" in str(r["month"]) for r in line_rows)


def test_fan_chart_takes_integer_months_with_a_year():
    fan = _fan().assign(month=range(1, 13))
    spec = cs.fan_chart(fan, target=56, year=2020).to_dict()
    months = {r["month"] for rows in _datasets(spec) for r in rows if "month" in r}
    assert min(months).startswith("2020-01-01")


def test_year_end_bins_pre_aggregate_a_large_run_below_altairs_row_limit():
    values = np.random.default_rng(1).lognormal(4, 0.3, 100_000)
    bins = cs.year_end_bins(values)
    assert len(bins) == cs.HIST_BINS
    assert bins["trials"].sum() == 100_000
    assert bins["share"].sum() == pytest.approx(1.0)
    assert (bins["hi"] > bins["lo"]).all()
    spec = cs.histogram_chart(bins, target=56, stretch=70).to_dict()  # no MaxRowsError
    assert spec["layer"][0]["encoding"]["x"]["bin"] == "binned"


def test_year_end_bins_use_one_bin_per_whole_number_for_counts():
    bins = cs.year_end_bins(np.array([0, 1, 1, 2, 2, 2, 5]))
    assert list(bins["lo"]) == [-0.5, 0.5, 1.5, 2.5, 3.5, 4.5]
    assert list(bins["trials"]) == [1, 2, 3, 0, 0, 1]


def test_year_end_bins_of_a_constant_and_of_nothing():
    assert len(cs.year_end_bins(np.full(10, 3.7))) == 1
    assert cs.year_end_bins(np.array([])).empty


def test_histogram_colours_bins_at_or_above_the_target_and_draws_target_and_stretch():
    bins = cs.year_end_bins(np.arange(0, 100, dtype=float))
    spec = cs.histogram_chart(bins, metric="foreign_capital", target=50, stretch=80).to_dict()
    color = spec["layer"][0]["encoding"]["color"]["scale"]
    assert color["domain"] == ["达标", "未达标"]
    assert color["range"][0] == METRIC_COLORS["foreign_capital"]
    rows = [r for rows in _datasets(spec) for r in rows]
    sides = {r["side"] for r in rows if "side" in r and r["lo"] >= 50}
    assert sides == {"达标"}
    assert {r["text"] for r in rows if "text" in r} == {"年度目标 50", "冲刺目标 80"}


def test_tornado_puts_the_largest_swing_on_top_for_the_chosen_target():
    sens = pd.DataFrame(
        {
            "driver": ["甲", "乙", "丙", "甲"],
            "metric": ["domestic_capital"] * 3 + ["new_starts"],
            "delta_down": [-0.01, -0.3, 0.0, -0.5],
            "delta_up": [0.02, 0.1, 0.05, 0.5],
        }
    )
    spec = cs.tornado_chart(sens, metric="domestic_capital").to_dict()
    bars = spec["layer"][0]["encoding"]
    assert bars["y"]["sort"] == ["乙", "丙", "甲"]
    assert bars["color"]["scale"]["domain"] == ["下调", "上调"]
    assert len(_datasets(spec)[0]) == 6  # two bars per driver of this target only


def test_empty_tornado_still_draws():
    """Before the first sensitivity run the tornado has no rows: it must still render (a real
    Vega render, which catches field-type errors that to_dict() does not) with no bars."""
    import vl_convert as vlc

    spec = cs.tornado_chart(cs.empty_sensitivity()).to_dict()
    svg = vlc.vegalite_to_svg(spec)
    assert svg.startswith("<svg") and 'aria-roledescription="rule mark"' in svg  # the zero line
    assert 'aria-roledescription="bar"' not in svg
    one = pd.DataFrame(
        {"driver": ["a"], "metric": ["domestic_capital"], "delta_down": [-0.1], "delta_up": [0.05]}
    )
    assert 'aria-roledescription="bar"' in vlc.vegalite_to_svg(cs.tornado_chart(one).to_dict())


def test_compare_chart_keeps_scenario_and_target_order():
    df = pd.DataFrame(
        {
            "scenario": ["基准", "基准", "疫情延迟", "疫情延迟", "当前设定", "当前设定"],
            "metric": ["new_starts", "domestic_capital"] * 3,
            "p_attain": [0.1, 0.8, 0.05, 0.6, 0.2, 0.9],
        }
    )
    spec = cs.compare_chart(df).to_dict()
    enc = spec["encoding"]
    assert enc["y"]["sort"] == ["新开工项目", "内资到位"]
    assert enc["yOffset"]["sort"] == ["基准", "疫情延迟", "当前设定"]
    assert enc["color"]["scale"]["range"][-1] == cs.DEFAULT_COLOR  # the current settings in red


def test_charts_render_to_svg_with_chinese_text():
    """One real render (vl-convert): catches specs that validate but fail to draw."""
    import vl_convert as vlc

    svg = vlc.vegalite_to_svg(cs.fan_chart(_fan(), target=56).to_dict())
    assert "内资到位" in svg or "&#" in svg
    assert "<svg" in svg
