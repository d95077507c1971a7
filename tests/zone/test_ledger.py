"""The ledger and arrivals readers: every quirk planners' Excel files have, and every bad input."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from tests.conftest import (
    LEDGER_HEADER,
    small_arrival_rows,
    small_ledger_rows,
    write_csv,
    write_xlsx,
)
from workbook.text.errors import DataFileError
from workbook.zone.ledger import load_ledger


def _problems(ledger: Path, arrivals: Path | None = None, lang: str = "en") -> list[str]:
    with pytest.raises(DataFileError) as info:
        load_ledger(ledger, arrivals)
    return [line.replace(str(ledger.parent) + "/", "") for line in info.value.lines(lang)]


def test_reads_a_ledger_as_planners_keep_it(tmp_path):
    """Title rows, 序号/备注 columns, spaces in headers and cells, units in half- and full-width
    parentheses, text amounts with separators, blank rows, a 合计 row, every date format."""
    rows = [
        ["济宁高新区2020年重点项目台账"],
        ["填报单位：投资促进局", None, None, "更新日期：2020年6月30日"],
        [
            "序号",
            " 项目编号 ",
            "项目名称",
            "内外资",
            "500强类别",
            "阶段",
            "总投资（亿元）",
            "年度计划到位(万元)",
            "签约日期",
            "开工日期",
            "投产日期",
            "新签500强",
            "四新",
            "备注",
        ],
        [
            1,
            " A-01 ",
            " 智能终端产业园 ",
            "内资",
            "世界500强",
            " 签约 ",
            "120",
            "1,500",
            "2020-03-15",
            None,
            None,
            "是",
            "否",
            "市重点",
        ],
        [],
        [
            2,
            "A-02",
            "纺纱项目",
            "港澳台",
            "中国500强",
            "开工",
            3.5,
            2000,
            "2020/3/15",
            "2020.4.1",
            None,
            "否",
            "是",
            None,
        ],
        [
            3,
            "A-03",
            "物流项目",
            "外资",
            None,
            "producing",
            "1,234.5",
            None,
            "2019年3月15日",
            dt.date(2019, 6, 1),
            dt.datetime(2020, 1, 2),
            "否",
            "否",
            None,
        ],
        [None, None, None, None, None, None, None, None, None, None, None, None, None, None],
        ["合计", None, None, None, None, None, 1358, 3500],
    ]
    path = write_xlsx(tmp_path / "ledger.xlsx", rows)
    ledger = load_ledger(path)
    p = ledger.projects.set_index("project_id")
    assert list(p.index) == ["A-01", "A-02", "A-03"]
    assert p.loc["A-01", "name"] == "智能终端产业园"
    assert p.loc["A-01", "stage"] == "signed" and p.loc["A-03", "stage"] == "producing"
    assert list(p["capital_type"]) == ["domestic", "foreign", "foreign"]  # 港澳台 counts as 外资
    assert list(p["list_flag"]) == ["global500", "china500", "none"]
    assert list(p["total_investment"]) == [120.0, 3.5, 1234.5]
    assert p.loc["A-01", "planned_inflow"] == pytest.approx(0.15)  # 1,500 万元 = 0.15 亿元
    assert p.loc["A-02", "planned_inflow"] == pytest.approx(0.2)
    assert [d.date() for d in p["signed_date"]] == [
        dt.date(2020, 3, 15),
        dt.date(2020, 3, 15),
        dt.date(2019, 3, 15),
    ]
    assert p.loc["A-02", "start_date"].date() == dt.date(2020, 4, 1)
    assert p.loc["A-03", "production_date"].date() == dt.date(2020, 1, 2)
    assert list(p["new_500_signing"]) == [True, False, False]
    assert list(p["row"]) == [4, 6, 7]  # Excel row numbers
    assert list(ledger.extras.columns) == ["序号", "备注"]
    assert ledger.extras.loc["A-01", "备注"] == "市重点"


def test_english_headers_and_csv_in_gbk(tmp_path):
    rows = [
        ["project_id", "name", "capital_type", "stage", "total_investment", "signed_date"],
        ["E1", "项目一", "domestic", "negotiating", 2, None],
        ["E2", "项目二", "外资", "签约", 3, "2020年5月6日"],
    ]
    path = write_csv(tmp_path / "ledger.csv", rows, encoding="gb18030")
    ledger = load_ledger(path)
    assert list(ledger.projects["stage"]) == ["negotiating", "signed"]
    assert ledger.projects["signed_date"].iloc[1].date() == dt.date(2020, 5, 6)


def test_arrivals_months_units_and_currencies(tmp_path):
    ledger = write_xlsx(tmp_path / "ledger.xlsx", small_ledger_rows())
    rows = [
        ["2020年1-6月到位资金"],
        ["项目编号", "月份", "到位金额（万美元）"],
        ["P2", "2020年3月", "1,000"],
        ["P2", dt.date(2020, 4, 1), 500],
        ["P2", " 2020-05 ", 250.5],
        ["合计", None, 1750.5],
    ]
    arrivals = write_xlsx(tmp_path / "arrivals.xlsx", rows, sheet="到位资金")
    a = load_ledger(ledger, arrivals).arrivals
    assert [m.date() for m in a["month"]] == [
        dt.date(2020, 3, 1),
        dt.date(2020, 4, 1),
        dt.date(2020, 5, 1),
    ]
    assert list(a["currency"]) == ["USD"] * 3
    assert list(a["amount"]) == pytest.approx([0.1, 0.05, 0.02505])
    assert list(a["row"]) == [3, 4, 5]


def _bad_files(tmp_path: Path) -> tuple[Path, Path]:
    """A ledger and arrivals with one of every cell and row problem."""
    rows = [
        ["台账"],
        LEDGER_HEADER,
        ["P1", "甲", "甲公司", "内资", "无", "已签", 1, 0, None, None, None, "否", "否"],
        ["P2", "乙", "乙公司", "内资", "无", "签约", -5, 0, None, None, None, "否", "否"],
        ["P1", "丙", "丙公司", "内资", "无", "在谈", 1, 0, "2020-02-30", None, None, "否", "否"],
        [
            "P4",
            "丁",
            "丁公司",
            "合资",
            "世界50强",
            "开工",
            "十亿",
            0,
            "2020-05-01",
            "2020-04-01",
            None,
            "也许",
            "否",
        ],
    ]
    ledger = write_xlsx(tmp_path / "ledger.xlsx", rows)
    arrivals = write_xlsx(
        tmp_path / "arrivals.xlsx",
        [
            ["项目编号", "月份", "到位金额(万元)"],
            ["P9", "2020-01", 100],
            ["P2", "2020-13", 5],
            ["P2", "2020-02", "-3"],
        ],
        sheet="到位资金",
    )
    return ledger, arrivals


def test_every_bad_input_is_reported_at_once_with_its_place(tmp_path):
    assert _problems(*_bad_files(tmp_path)) == [
        "ledger.xlsx, sheet 项目台账, row 3, column 阶段: unknown stage '已签' (expected one of 线索, 接洽, 考察, 在谈, 意向, 签约, 开工, 投产, lead, contact, visit, negotiating, intent, signed, started, producing, negotiation, sign, start, production, site visit)",
        "ledger.xlsx, sheet 项目台账, row 4, column 总投资(亿元): expected an amount >= 0, found -5",
        "ledger.xlsx, sheet 项目台账, row 4, column 签约日期: stage 签约 requires a date in this column, found it empty",
        "ledger.xlsx, sheet 项目台账, row 5, column 项目编号: duplicate project id 'P1' (first at row 3)",
        "ledger.xlsx, sheet 项目台账, row 5, column 签约日期: not a real date: '2020-02-30'",
        "ledger.xlsx, sheet 项目台账, row 6, column 内外资: unknown capital type '合资' (expected one of 内资, 外资, 港澳台, 港资, 台资, 澳资, domestic, foreign)",
        "ledger.xlsx, sheet 项目台账, row 6, column 500强类别: unknown 500强 list '世界50强' (expected one of 世界500强, 中国500强, 民营500强, 无, global500, china500, private500, none)",
        "ledger.xlsx, sheet 项目台账, row 6, column 总投资(亿元): expected a number, found '十亿'",
        "ledger.xlsx, sheet 项目台账, row 6, column 开工日期: 2020-04-01 is before 签约日期 2020-05-01",
        "ledger.xlsx, sheet 项目台账, row 6, column 新签500强: expected 是 or 否, found '也许'",
        "arrivals.xlsx, sheet 到位资金, row 2, column 项目编号: arrival for unknown project 'P9' (not in ledger.xlsx)",
        "arrivals.xlsx, sheet 到位资金, row 3, column 月份: not a real month: '2020-13'",
        "arrivals.xlsx, sheet 到位资金, row 4, column 到位金额(万元): expected an amount >= 0, found -3",
    ]


def test_every_bad_input_in_chinese_by_default(tmp_path):
    """The same problems as above in the report's default language: file, sheet, header and
    found values unchanged, the words around them in Chinese."""
    assert _problems(*_bad_files(tmp_path), lang="zh") == [
        "ledger.xlsx，工作表 项目台账，第3行，列 阶段：未知阶段 '已签'（应为以下之一：线索, 接洽, 考察, 在谈, 意向, 签约, 开工, 投产, lead, contact, visit, negotiating, intent, signed, started, producing, negotiation, sign, start, production, site visit）",
        "ledger.xlsx，工作表 项目台账，第4行，列 总投资(亿元)：应为不小于0的金额，实际为 -5",
        "ledger.xlsx，工作表 项目台账，第4行，列 签约日期：阶段为签约，本列须填日期，实际为空",
        "ledger.xlsx，工作表 项目台账，第5行，列 项目编号：项目编号 'P1' 重复（首次出现在第3行）",
        "ledger.xlsx，工作表 项目台账，第5行，列 签约日期：'2020-02-30' 不是有效的日期",
        "ledger.xlsx，工作表 项目台账，第6行，列 内外资：未知内外资类型 '合资'（应为以下之一：内资, 外资, 港澳台, 港资, 台资, 澳资, domestic, foreign）",
        "ledger.xlsx，工作表 项目台账，第6行，列 500强类别：未知500强类别 '世界50强'（应为以下之一：世界500强, 中国500强, 民营500强, 无, global500, china500, private500, none）",
        "ledger.xlsx，工作表 项目台账，第6行，列 总投资(亿元)：应为数字，实际为 '十亿'",
        "ledger.xlsx，工作表 项目台账，第6行，列 开工日期：2020-04-01 早于签约日期 2020-05-01",
        "ledger.xlsx，工作表 项目台账，第6行，列 新签500强：应为 是 或 否，实际为 '也许'",
        "arrivals.xlsx，工作表 到位资金，第2行，列 项目编号：到位资金对应未知项目 'P9'（ledger.xlsx 中没有该项目）",
        "arrivals.xlsx，工作表 到位资金，第3行，列 月份：'2020-13' 不是有效的月份",
        "arrivals.xlsx，工作表 到位资金，第4行，列 到位金额(万元)：应为不小于0的金额，实际为 -3",
    ]


def test_empty_cells_bad_dates_and_currency_mismatch_in_both_languages(tmp_path):
    rows = [
        LEDGER_HEADER,
        [None, "甲", "甲公司", "内资", "无", "在谈", 1, 0, "三月", None, None, "否", "否"],
        ["P2", "乙", "乙公司", "外资", "无", "在谈", 1, 0, None, None, None, "否", "否"],
    ]
    ledger = write_xlsx(tmp_path / "ledger.xlsx", rows)
    arrivals = write_xlsx(
        tmp_path / "arrivals.xlsx",
        [
            ["项目编号", "月份", "到位金额(万美元)", "币种"],
            ["P2", "三月", 100, "人民币"],
            ["P2", "2020-02", None, "美元"],
        ],
        sheet="到位资金",
    )
    assert _problems(ledger, arrivals) == [
        "ledger.xlsx, sheet 项目台账, row 2, column 项目编号: is empty (a value is required)",
        "ledger.xlsx, sheet 项目台账, row 2, column 签约日期: expected a date such as 2020-03-15, 2020/3/15, 2020.3.15 or 2020年3月15日, found '三月'",
        "arrivals.xlsx, sheet 到位资金, row 2, column 月份: expected a month such as 2020-03 or 2020年3月, found '三月'",
        "arrivals.xlsx, sheet 到位资金, row 2, column 币种: CNY does not match the unit 万美元 in the amount header",
        "arrivals.xlsx, sheet 到位资金, row 3, column 到位金额(万美元): is empty (a value is required)",
    ]
    assert _problems(ledger, arrivals, lang="zh") == [
        "ledger.xlsx，工作表 项目台账，第2行，列 项目编号：为空（必须填写）",
        "ledger.xlsx，工作表 项目台账，第2行，列 签约日期：应为日期，如 2020-03-15、2020/3/15、2020.3.15 或 2020年3月15日，实际为 '三月'",
        "arrivals.xlsx，工作表 到位资金，第2行，列 月份：应为月份，如 2020-03 或 2020年3月，实际为 '三月'",
        "arrivals.xlsx，工作表 到位资金，第2行，列 币种：币种 CNY 与金额表头的单位 万美元 不符",
        "arrivals.xlsx，工作表 到位资金，第3行，列 到位金额(万美元)：为空（必须填写）",
    ]


def test_header_and_file_problems_in_chinese(tmp_path):
    rows = [["标题"], ["项目编号", "项目名称", "阶段", "内外资"], ["P1", "甲", "签约", "内资"]]
    assert _problems(write_xlsx(tmp_path / "a.xlsx", rows), lang="zh") == [
        "a.xlsx，工作表 项目台账，第2行：表头行缺少列 总投资（total_investment）"
    ]
    rows = [["项目编号", "项目名称", "阶段", "内外资", "总投资"], ["P1", "甲", "开工", "内资", 1]]
    assert _problems(write_xlsx(tmp_path / "b.xlsx", rows), lang="zh") == [
        "b.xlsx，工作表 项目台账，第2行，列 signed_date：阶段为开工，须有 签约日期 列，但文件中没有该列",
        "b.xlsx，工作表 项目台账，第2行，列 start_date：阶段为开工，须有 开工日期 列，但文件中没有该列",
    ]
    (msg,) = _problems(write_xlsx(tmp_path / "c.xlsx", [["随便"], [1, 2, 3]]), lang="zh")
    assert msg.startswith(
        "c.xlsx，工作表 项目台账：前15行中找不到表头行（应有 项目编号/project_id, 项目名称/name,"
    )
    rows = small_ledger_rows()
    rows[0] = [h.replace("总投资(亿元)", "总投资(万美元)") for h in rows[0]] + ["编号"]
    assert _problems(write_xlsx(tmp_path / "d.xlsx", rows), lang="zh") == [
        "d.xlsx，工作表 项目台账，第1行，列 编号：列 项目编号 出现两次（另一处为 项目编号）",
        "d.xlsx，工作表 项目台账，第1行，列 总投资(万美元)：未知单位 '万美元'（应为以下之一：元, 万元, 亿元, 亿, 万）",
    ]
    txt = tmp_path / "ledger.txt"
    txt.write_text("x")
    assert _problems(txt, lang="zh") == ["ledger.txt：应为 .xlsx 或 .csv 文件，实际为 .txt"]
    assert _problems(tmp_path / "none.xlsx", lang="zh") == ["none.xlsx：文件不存在"]


def test_missing_required_column_names_the_header_row(tmp_path):
    rows = [["标题"], ["项目编号", "项目名称", "阶段", "内外资"], ["P1", "甲", "签约", "内资"]]
    ledger = write_xlsx(tmp_path / "ledger.xlsx", rows)
    assert _problems(ledger) == [
        "ledger.xlsx, sheet 项目台账, row 2: missing column 总投资 (total_investment) in the header row"
    ]


def test_a_stage_date_column_missing_from_the_file(tmp_path):
    rows = [["项目编号", "项目名称", "阶段", "内外资", "总投资"], ["P1", "甲", "开工", "内资", 1]]
    ledger = write_xlsx(tmp_path / "ledger.xlsx", rows)
    assert _problems(ledger) == [
        "ledger.xlsx, sheet 项目台账, row 2, column signed_date: stage 开工 requires a 签约日期 column, which the file does not have",
        "ledger.xlsx, sheet 项目台账, row 2, column start_date: stage 开工 requires a 开工日期 column, which the file does not have",
    ]


def test_a_file_with_no_header_says_what_it_expected(tmp_path):
    ledger = write_xlsx(tmp_path / "ledger.xlsx", [["随便"], [1, 2, 3]])
    (msg,) = _problems(ledger)
    assert msg.startswith(
        "ledger.xlsx, sheet 项目台账: no header row found in the first 15 rows (expected columns such as 项目编号/project_id"
    )


def test_unknown_unit_in_a_header(tmp_path):
    rows = small_ledger_rows()
    rows[0] = [h.replace("总投资(亿元)", "总投资(万美元)") for h in rows[0]]
    ledger = write_xlsx(tmp_path / "ledger.xlsx", rows)
    assert _problems(ledger) == [
        "ledger.xlsx, sheet 项目台账, row 1, column 总投资(万美元): unknown unit '万美元' (expected one of 元, 万元, 亿元, 亿, 万)"
    ]


def test_wrong_file_type_and_missing_file(tmp_path):
    txt = tmp_path / "ledger.txt"
    txt.write_text("x")
    assert _problems(txt) == ["ledger.txt: expected an .xlsx or .csv file, found .txt"]
    assert _problems(tmp_path / "none.xlsx") == ["none.xlsx: file not found"]


def test_files_are_only_read(tmp_path, small_zone):
    files = sorted(small_zone.parent.glob("*.xlsx"))
    before = {f: (hashlib.sha256(f.read_bytes()).hexdigest(), f.stat().st_mtime_ns) for f in files}
    load_ledger(small_zone.parent / "ledger.xlsx", small_zone.parent / "arrivals.xlsx")
    assert {
        f: (hashlib.sha256(f.read_bytes()).hexdigest(), f.stat().st_mtime_ns) for f in files
    } == before


def test_small_arrivals_convert_units(tmp_path):
    ledger = write_xlsx(tmp_path / "ledger.xlsx", small_ledger_rows())
    arrivals = write_xlsx(tmp_path / "arrivals.xlsx", small_arrival_rows(), sheet="到位资金")
    a = load_ledger(ledger, arrivals).arrivals
    assert list(a["currency"]) == ["CNY", "CNY", "USD", "USD"]
    assert list(a["amount"]) == pytest.approx([1.0, 2.0, 0.1, 0.5])


def test_sample_zone_data_loads():
    from tests.conftest import SAMPLE_PARAMS
    from workbook.zone.loader import load_zone

    zone = load_zone(SAMPLE_PARAMS)
    p = zone.ledger.projects
    assert len(p) == 220
    assert {
        "济宁智能终端产业园",
        "宁峰飞行机器人项目",
        "凯爱瑞配料项目",
        "济宁华润蓼河万象新城",
        "麒麟岛创业基地",
    } <= set(p["name"])
    assert 0.10 <= (p["capital_type"] == "foreign").mean() <= 0.20
    assert p["total_investment"].max() > 100
    assert 1.0 <= p["total_investment"].median() <= 2.5
    assert zone.ledger.arrivals["month"].dt.month.between(1, 6).all()
    assert len(zone.events) == 25
