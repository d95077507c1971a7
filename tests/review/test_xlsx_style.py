"""Excel sheets that read right (workbook.text.formats): formats per column or per row, widths,
frozen bold header, autofilter and a landscape one-page-wide print set-up; and the batch
roll-up with zones x quarters side by side per target."""

from __future__ import annotations

import json

import pandas as pd
from openpyxl import Workbook, load_workbook

from tests.conftest import SAMPLE_PARAMS
from workbook.review.batch import rollup_tables, write_rollup
from workbook.review.params import review_params
from workbook.review.runner import RunResult
from workbook.text import formats as xs


def test_formats_per_column_per_row_and_inferred():
    df = pd.DataFrame(
        {
            "指标": ["甲", "乙"],
            "目标": [56.0, 2.0],
            "概率": [0.5, 0.25],
            "个数": [3, 4],
            "日期": pd.to_datetime(["2020-01-02", "2020-03-04"]),
        }
    )
    xs.with_formats(df, {"目标": [xs.MONEY, xs.COUNT], "概率": xs.PERCENT, "无此列": xs.MONEY})
    f = xs.formats_of(df)
    assert f["目标"] == [xs.MONEY, xs.COUNT] and f["概率"] == xs.PERCENT
    assert f["个数"] == xs.COUNT and f["日期"] == xs.DATE and "无此列" not in f
    wb = Workbook()
    ws = wb.active
    ws.append(list(df.columns))
    for row in df.itertuples(index=False):
        ws.append([v.to_pydatetime() if hasattr(v, "to_pydatetime") else v for v in row])
    xs.style_sheet(ws, list(df.columns), f)
    assert ws.freeze_panes == "A2" and ws["A1"].font.b
    assert [ws["B2"].number_format, ws["B3"].number_format] == ["#,##0.00", "#,##0"]
    assert ws["C2"].number_format == "0.0%" and ws["E2"].number_format == "yyyy-mm-dd"
    assert ws["A2"].number_format == "General"  # text stays text
    assert ws.column_dimensions["A"].width == 8  # at least 8
    assert xs.display_width("内资到位ab") == 10


def _summary(zone, quarter, actual, p):
    target = {
        "unit": "CNY",
        "target": 56.0,
        "actual": actual,
        "completion": actual / 56,
        "phased_target": 28.0,
        "verdict": "on_pace",
        "p_attain": p,
        "p50": 60.0,
        "outlook": "likely",
    }
    count = dict(target, unit="count", target=2.0, actual=1.0, completion=0.5, phased_target=1.5)
    return {
        "zone": zone,
        "zone_en": zone,
        "quarter": quarter,
        "targets": {"domestic_capital": target, "new_starts": count},
        "tracker_500": {"global500_signings": 1, "china500_signings": 0, "bonus_500": 2},
        "big_projects": {"tier_30": {"projects": 3}, "overdue_projects": ["P1"]},
        "pipeline": {"projects": 10, "total_investment": 12.5, "signed_or_beyond": 4},
        "p_all": 0.1,
    }


def test_rollup_puts_zones_and_quarters_side_by_side_per_target(tmp_path):
    results = []
    for zone, quarter, actual, p in (
        ("甲区", "2020Q1", 10.0, 0.4),
        ("甲区", "2020Q2", 20.0, 0.6),
        ("乙区", "2020Q2", 30.0, 0.9),
    ):
        folder = tmp_path / f"{zone}-{quarter}"
        folder.mkdir()
        summary = _summary(zone, quarter, actual, p)
        (folder / "summary.json").write_text(json.dumps(summary, ensure_ascii=False))
        results.append(RunResult(review_params(SAMPLE_PARAMS, quarter), folder, "ok"))
    tables = rollup_tables(results, "zh")
    assert list(tables) == ["目标对比", "目标汇总", "项目汇总", "运行情况"]
    pivot = tables["目标对比"]
    assert list(pivot.columns) == [
        "指标",
        "单位",
        "园区",
        "年度目标",
        "2020Q1 累计完成",
        "2020Q1 完成率",
        "2020Q1 达标概率",
        "2020Q2 累计完成",
        "2020Q2 完成率",
        "2020Q2 达标概率",
    ]
    assert list(pivot["指标"]) == ["内资到位", "内资到位", "新开工项目", "新开工项目"]
    assert list(pivot["园区"]) == ["甲区", "乙区", "甲区", "乙区"]
    assert list(pivot["2020Q2 累计完成"]) == [20.0, 30.0, 1.0, 1.0]
    assert pivot["2020Q1 累计完成"].iloc[0] == 10.0 and pd.isna(pivot["2020Q1 累计完成"].iloc[1])
    assert len(tables["目标汇总"]) == 6  # the long table: zone x quarter x target

    path = write_rollup(tmp_path / "rollup.xlsx", results, "zh")
    wb = load_workbook(path)
    ws = wb["目标对比"]
    assert ws.freeze_panes == "A2"
    assert [ws["D2"].number_format, ws["D4"].number_format] == ["#,##0.00", "#,##0"]
    assert ws["F2"].number_format == "0.0%" and ws["G2"].number_format == "0.0%"
    assert [ws["H2"].number_format, ws["H4"].number_format] == ["#,##0.00", "#,##0"]
    long = wb["目标汇总"]
    header = [c.value for c in long[1]]
    phased = header.index("序时目标") + 1
    assert long.cell(row=2, column=phased).number_format == "#,##0.00"
    assert long.cell(row=3, column=phased).number_format == "#,##0.0"  # a count's phased target
    pipe = wb["项目汇总"]
    header = [c.value for c in pipe[1]]
    assert pipe.cell(row=2, column=header.index("全部达标概率") + 1).number_format == "0.0%"


def test_review_sheets_filter_and_print_landscape_one_page_wide(tmp_path):
    """write_xlsx: each table sheet has an autofilter over all its rows, prints on landscape A4
    one page wide with the header repeated, and a column mixing 亿元 and 个 rows takes each
    row's format from its unit (counts whole: 2, not 2.00)."""
    from workbook.review.output import write_xlsx
    from workbook.review.render import localize

    targets = pd.DataFrame(
        {
            "metric": ["domestic_capital", "foreign_capital", "new_starts"],
            "unit": ["CNY", "USD", "count"],
            "target": [56.0, 1.9, 60.0],
            "actual": [23.39, 0.55, 33.0],
        }
    )
    path = write_xlsx(
        tmp_path / "review.xlsx",
        {"目标": localize(targets, "zh"), "空表": pd.DataFrame({"甲": []})},
    )
    wb = load_workbook(path)
    ws = wb["目标"]
    assert [c.value for c in ws[1]] == ["指标", "单位", "年度目标", "累计完成"]
    assert [ws.cell(row=r, column=2).value for r in (2, 3, 4)] == ["亿元", "亿美元", "个"]
    assert [ws.cell(row=r, column=3).number_format for r in (2, 3, 4)] == [
        "#,##0.00",
        "#,##0.00",
        "#,##0",
    ]
    assert ws.auto_filter.ref == "A1:D4"
    assert ws.freeze_panes == "A2"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9  # A4
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.print_title_rows == "$1:$1"
    assert wb["空表"].auto_filter.ref == "A1:A1"
