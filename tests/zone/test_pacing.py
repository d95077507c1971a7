"""Pacing (序时进度) and the status table, on a small hand-computed case."""

from __future__ import annotations

import datetime as dt

import pytest

from workbook.text.errors import InputError
from workbook.zone.loader import load_zone
from workbook.zone.pacing import format_status, phased_share, status, time_progress, verdict
from workbook.zone.params import Target


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (dt.date(2020, 3, 31), 0.25),
        (dt.date(2020, 6, 30), 0.5),
        (dt.date(2020, 12, 31), 1.0),
        (dt.date(2020, 5, 15), (4 + 15 / 31) / 12),
        (dt.date(2020, 2, 29), 2 / 12),
        (dt.date(2019, 12, 31), 0.0),
        (dt.date(2021, 1, 1), 1.0),
    ],
)
def test_time_progress_counts_months_with_the_current_one_pro_rata(as_of, expected):
    assert time_progress(as_of, 2020) == pytest.approx(expected)


def test_phasing_interpolates_inside_the_quarter():
    t = Target(annual=10, phasing=(0.2, 0.45, 0.75, 1.0))
    assert phased_share(t, 0.25) == pytest.approx(0.2)
    assert phased_share(t, 0.5) == pytest.approx(0.45)
    assert phased_share(t, 0.625) == pytest.approx(0.6)
    assert phased_share(t, 1.0) == pytest.approx(1.0)
    assert phased_share(Target(annual=10), 0.3) == pytest.approx(0.3)


def test_verdict_thresholds():
    assert verdict(0.50, 0.45, 0.05) == "on_pace"
    assert verdict(0.51, 0.45, 0.05) == "ahead"
    assert verdict(0.39, 0.45, 0.05) == "behind"


def test_status_hand_computed_at_end_of_q1(small_zone):
    zone = load_zone(small_zone)
    s = status(zone.params, zone.ledger, dt.date(2020, 3, 31)).set_index("metric")
    # Domestic: P1's 1亿元 in January; April's 2亿元 is after the as-of date.
    assert s.loc["domestic_capital", "actual"] == pytest.approx(1.0)
    assert s.loc["domestic_capital", "completion"] == pytest.approx(0.1)
    assert s.loc["domestic_capital", "phased_share"] == pytest.approx(0.25)
    assert s.loc["domestic_capital", "verdict"] == "behind"
    # Foreign in USD: P2's 0.1亿美元 in February; P3's December 2019 arrival is last year's.
    assert s.loc["foreign_capital", "actual"] == pytest.approx(0.1)
    assert s.loc["foreign_capital", "phased_target"] == pytest.approx(0.2)
    assert s.loc["foreign_capital", "verdict"] == "behind"
    counts = s["actual"].to_dict()
    assert counts["global500_signings"] == 1  # P1: 世界500强, 新签, signed 2020-02-10
    assert counts["bonus_500"] == 1  # P1 only; P3 produces in May
    assert counts["big_projects_30"] == 1  # P1 (40亿); P3 (120亿) signed in 2019
    assert counts["projects_100"] == 0
    assert counts["new_starts"] == 1 and counts["four_new"] == 1  # P2 started 2020-03-01, 四新
    assert counts["new_production"] == 0
    assert s.loc["big_projects_30", "stretch"] == 2
    assert s.loc["global500_signings", "verdict"] == "ahead"  # 100% done at 25% of the year


def test_status_hand_computed_mid_year(small_zone):
    zone = load_zone(small_zone)
    s = status(zone.params, zone.ledger, dt.date(2020, 6, 30)).set_index("metric")
    assert s.loc["domestic_capital", "actual"] == pytest.approx(3.0)
    assert s.loc["bonus_500", "actual"] == 2  # P3 (中国500强) produced 2020-05-20
    assert s.loc["new_production", "actual"] == 1
    assert s.loc["foreign_capital", "phased_share"] == pytest.approx(0.4)


def test_usd_arrivals_of_a_domestic_target_convert_at_the_params_rate(small_zone, tmp_path):
    from tests.conftest import small_arrival_rows, small_ledger_rows, write_params, write_xlsx

    rows = small_arrival_rows() + [
        ["P4", "2020-02", 100, "美元"]
    ]  # 100万美元 to a domestic project
    ledger = write_xlsx(tmp_path / "l2.xlsx", small_ledger_rows())
    arrivals = write_xlsx(tmp_path / "a2.xlsx", rows, sheet="到位资金")
    zone = load_zone(write_params(tmp_path / "z2.yaml", ledger, arrivals))
    s = status(zone.params, zone.ledger, dt.date(2020, 3, 31)).set_index("metric")
    assert s.loc["domestic_capital", "actual"] == pytest.approx(1.0 + 0.01 * 7.0)


def test_as_of_outside_the_year_is_an_error(small_zone):
    zone = load_zone(small_zone)
    with pytest.raises(InputError, match="--as-of 2021-01-31 is outside the plan year 2020"):
        status(zone.params, zone.ledger, dt.date(2021, 1, 31))


def test_a_figure_reads_by_its_unit():
    """One rule for every table and sentence: money (亿元, 亿美元) with two decimals, a count
    whole, a count's phased target with one decimal; nothing for a missing value."""
    import numpy as np
    import pandas as pd

    from workbook.text.numbers import figure

    assert figure(1234.5678, "CNY") == "1,234.57"
    assert figure(np.float64(0.125), "USD") == "0.12"  # half to even, as format() rounds
    assert figure(12, "count") == "12"
    assert figure(np.int64(1234), "count") == "1,234"
    assert figure(2.5, "count", "phased_target") == "2.5"
    assert figure(2.5, "CNY", "phased_target") == "2.50"
    assert figure(2.5, None) == "2.50"
    assert [figure(v, "CNY") for v in (None, np.nan, np.inf, pd.NA, pd.NaT)] == [""] * 5


def test_format_status_speaks_both_languages(small_zone):
    zone = load_zone(small_zone)
    s = status(zone.params, zone.ledger, dt.date(2020, 3, 31))
    zh = format_status(s, "zh")
    en = format_status(s, "en")
    assert list(zh.columns)[:2] == ["指标", "单位"] and zh.iloc[0, 0] == "内资到位"
    assert zh.iloc[0, -1] == "滞后序时" and zh.iloc[0, 1] == "亿元"
    assert en.iloc[0, 0] == "Domestic capital arrived" and en.iloc[0, -1] == "behind"
    assert zh["完成率"].iloc[0] == "10.0%"
    # money with two decimals, counts whole, a count's phased target with one decimal
    units = list(s["unit"])
    for col, values in (("年度目标", zh["年度目标"]), ("序时目标", zh["序时目标"])):
        for text, unit in zip(values, units, strict=True):
            decimals = len(text.split(".")[1]) if "." in text else 0
            if unit == "count":
                assert decimals == (1 if col == "序时目标" else 0), (col, text)
            else:
                assert decimals == 2, (col, text)
    assert zh["年度目标"].iloc[0] == "10.00"


def test_the_package_face_example_runs():
    """workbook/__init__.py's own example, as a notebook would type it."""
    import datetime as dt

    import workbook

    zone = workbook.load_zone("params/jining-2020.yaml")
    table = workbook.format_status(workbook.status(zone.params, zone.ledger, dt.date(2020, 6, 30)))
    assert "内资到位" in table.to_string() and "判断" in table.columns
    assert "workbook.status(zone.params, zone.ledger, as_of)" in workbook.__doc__
