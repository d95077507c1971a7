"""The event catalogue reader: month ranges, cost units, shares, and unknown offices."""

from __future__ import annotations

import pytest

from tests.conftest import write_xlsx
from workbook.text.errors import DataFileError
from workbook.zone.events import load_events, parse_months

HEADER = [
    "活动编号",
    "活动名称",
    "类型",
    "城市",
    "承办机构",
    "费用(万元)",
    "人天",
    "可办月份",
    "预期线索",
    "转化率",
    "转化滞后(月)",
    "项目规模中位数(亿元)",
    "外资占比",
    "500强占比",
]


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("3-5,9-11", (3, 4, 5, 9, 10, 11)),
        ("全年", tuple(range(1, 13))),
        ("10", (10,)),
        ("3月、5月", (3, 5)),
        (9, (9,)),
    ],
)
def test_month_ranges(text, months):
    assert parse_months(text) == months


@pytest.mark.parametrize("text", ["13", "5-3", "春季"])
def test_bad_month_ranges(text):
    with pytest.raises(ValueError):
        parse_months(text)


def test_catalogue_reads_units_and_percentages(tmp_path):
    rows = [
        HEADER,
        [
            "E1",
            "上海推介会",
            "国内推介会",
            "上海",
            "yrd",
            "45",
            30,
            "3-6",
            25,
            "6%",
            4,
            2,
            0.05,
            "4%",
        ],
    ]
    ev = load_events(write_xlsx(tmp_path / "ev.xlsx", rows, sheet="活动目录"), {"yrd"})
    row = ev.iloc[0]
    assert (row.kind, row.cost, row.months) == ("domestic", 45.0, (3, 4, 5, 6))
    assert row.conversion == pytest.approx(0.06) and row.share_500 == pytest.approx(0.04)


def test_catalogue_errors_name_row_and_column(tmp_path):
    rows = [
        HEADER,
        ["E1", "东京推介会", "出国", "东京", "tokyo", 80, 40, "4-6", 15, 1.5, 6, 1.8, 0.9, 0.06],
        ["E1", "首尔推介会", "境外招商", "首尔", "korea", 60, 35, "0", 15, 0.06, 5, 1.6, 0.9, 0.05],
    ]
    path = write_xlsx(tmp_path / "ev.xlsx", rows, sheet="活动目录")
    with pytest.raises(DataFileError) as info:
        load_events(path, {"yrd", "korea"})
    assert [line.replace(str(path), "ev.xlsx") for line in info.value.lines("en")] == [
        "ev.xlsx, sheet 活动目录, row 2, column 类型: unknown event kind '出国' (expected one of 国内推介会, 国内推介, 境外招商, 境外推介会, 云招商, 大节会, 平台活动, domestic, overseas, cloud, conference, platform)",
        "ev.xlsx, sheet 活动目录, row 2, column 承办机构: unknown office or platform 'tokyo' (expected one of korea, yrd)",
        "ev.xlsx, sheet 活动目录, row 2, column 转化率: expected a share between 0 and 1 (or 0% to 100%), found 1.5",
        "ev.xlsx, sheet 活动目录, row 3, column 活动编号: duplicate event id 'E1' (first at row 2)",
        "ev.xlsx, sheet 活动目录, row 3, column 可办月份: months must be between 1 and 12, found '0'",
    ]


def test_catalogue_errors_in_chinese_by_default(tmp_path):
    rows = [
        HEADER,
        ["E1", "东京推介会", "出国", "东京", "tokyo", 80, 40, "4-6", 15, 1.5, 6, 1.8, 0.9, 0.06],
        ["E1", "首尔推介会", "境外招商", "首尔", "korea", 60, 35, "0", 15, 0.06, 5, 1.6, 0.9, 0.05],
        ["E3", None, "云招商", None, "yrd", -1, 2, "春季", 5, 0.1, 2, 0.5, 0, 0],
    ]
    path = write_xlsx(tmp_path / "ev.xlsx", rows, sheet="活动目录")
    with pytest.raises(DataFileError) as info:
        load_events(path, {"yrd", "korea"})
    assert [line.replace(str(path), "ev.xlsx") for line in info.value.lines()] == [
        "ev.xlsx，工作表 活动目录，第2行，列 类型：未知活动类型 '出国'（应为以下之一：国内推介会, 国内推介, 境外招商, 境外推介会, 云招商, 大节会, 平台活动, domestic, overseas, cloud, conference, platform）",
        "ev.xlsx，工作表 活动目录，第2行，列 承办机构：未知招商机构或平台 'tokyo'（应为以下之一：korea, yrd）",
        "ev.xlsx，工作表 活动目录，第2行，列 转化率：应为0到1之间的比例（或0%到100%），实际为 1.5",
        "ev.xlsx，工作表 活动目录，第3行，列 活动编号：活动编号 'E1' 重复（首次出现在第2行）",
        "ev.xlsx，工作表 活动目录，第3行，列 可办月份：月份须在1到12之间，实际为 '0'",
        "ev.xlsx，工作表 活动目录，第4行，列 活动名称：为空（必须填写）",
        "ev.xlsx，工作表 活动目录，第4行，列 费用(万元)：应为不小于0的数，实际为 -1",
        "ev.xlsx，工作表 活动目录，第4行，列 可办月份：应为可办月份，如 3-5,9-11 或 全年，实际为 '春季'",
    ]
    assert str(info.value).splitlines()[-1] == (
        f"{path}, sheet 活动目录, row 4, column 可办月份: expected months such as 3-5,9-11 or 全年, found '春季'"
    )
