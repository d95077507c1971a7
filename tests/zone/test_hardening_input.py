"""Hostile inputs get a message, not a silent loss or a broken file: total rows are only rows
without an id (and validate names them), inf/nan are errors naming row and column, every JSON
written is strict, and a ledger with a problem on every row is reported in O(N) lines."""

from __future__ import annotations

import json
import math

import pytest
import yaml

from tests.conftest import (
    LEDGER_HEADER,
    small_arrival_rows,
    small_ledger_rows,
    write_csv,
    write_params,
    write_xlsx,
)
from workbook.cli import main
from workbook.files.jsonsafe import dumps
from workbook.text.errors import REPORT_LIMIT, DataFileError, ParamsError
from workbook.zone.ledger import load_ledger
from workbook.zone.params import load_params


def strict_loads(text: str):
    def refuse(name: str):
        raise AssertionError(f"not strict JSON: {name}")

    return json.loads(text, parse_constant=refuse)


def test_projects_named_total_or_sum_are_kept_only_id_less_total_rows_are_skipped(tmp_path):
    rows = small_ledger_rows()
    p1 = rows[1]
    rows[1] = [p1[0], "Total", "TotalEnergies", *p1[3:]]
    rows[2] = [rows[2][0], "sum", "合计", *rows[2][3:]]
    rows[3] = [rows[3][0], "小计", "Subtotal", *rows[3][3:]]
    rows.append(["", "合计", None, None, None, None, 167, 70000, None, None, None, None, None])
    rows.append(["小计", None, None, None, None, None, 167, 70000, None, None, None, None, None])
    ledger = write_xlsx(tmp_path / "ledger.xlsx", rows)
    led = load_ledger(ledger)
    assert list(led.projects["project_id"]) == ["P1", "P2", "P3", "P4"]
    assert list(led.projects["name"]) == ["Total", "sum", "小计", "丁项目"]
    assert list(led.projects["investor"])[:3] == ["TotalEnergies", "合计", "Subtotal"]
    assert [p.render("zh") for p in led.skipped] == [
        f"{ledger}，工作表 项目台账，第6行，列 项目名称：已作为合计行跳过（写有 '合计' 且项目编号为空）",
        f"{ledger}，工作表 项目台账，第7行，列 项目编号：已作为合计行跳过（编号为 '小计'）",
    ]


def test_validate_says_which_rows_it_skipped_and_why(tmp_path, capsys):
    rows = [*small_ledger_rows(), [None, None, "Total", None, None, None, 167]]
    ledger = write_xlsx(tmp_path / "ledger.xlsx", rows)
    assert main(["validate", "--ledger", str(ledger), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert (
        f"{ledger}, sheet 项目台账, row 6, column 投资方: skipped as a total row "
        "('Total' and no 项目编号)"
    ) in out
    assert "4 projects, OK" in out


def test_a_row_without_id_or_total_word_is_an_error_not_a_total(tmp_path):
    rows = [*small_ledger_rows(), [None, "戊项目", "戊公司", "内资", "无", "在谈", 3]]
    with pytest.raises(DataFileError) as exc:
        load_ledger(write_xlsx(tmp_path / "ledger.xlsx", rows))
    assert exc.value.lines("en") == [
        f"{tmp_path / 'ledger.xlsx'}, sheet 项目台账, row 6, column 项目编号: "
        "is empty (a value is required)"
    ]


@pytest.mark.parametrize("bad", ["inf", "nan", "-inf", "Infinity", "1e999", "NaN"])
def test_non_finite_amounts_are_errors_naming_row_and_column(tmp_path, bad):
    rows = small_ledger_rows()
    rows[2][6] = bad  # P2's total investment
    rows[3][7] = bad  # P3's planned inflow
    ledger = write_csv(tmp_path / "ledger.csv", rows)
    with pytest.raises(DataFileError) as exc:
        load_ledger(ledger)
    assert exc.value.lines("zh") == [
        f"{ledger}，第3行，列 总投资(亿元)：应为有限的数（不能是无穷大或非数），实际为 {bad!r}",
        f"{ledger}，第4行，列 年度计划到位(万元)：应为有限的数（不能是无穷大或非数），实际为 {bad!r}",
    ]


def test_non_finite_arrivals_and_event_cells_are_errors(tmp_path):
    arrivals = small_arrival_rows()
    arrivals[1][2] = "nan"
    ledger = write_xlsx(tmp_path / "ledger.xlsx", small_ledger_rows())
    a = write_csv(tmp_path / "arrivals.csv", arrivals)
    with pytest.raises(DataFileError) as exc:
        load_ledger(ledger, a)
    assert len(exc.value.problems) == 1
    assert "row 2" in exc.value.lines("en")[0] and "expected a finite number" in str(exc.value)


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan"])
def test_non_finite_params_values_are_errors_naming_the_key(tmp_path, value):
    ledger = write_xlsx(tmp_path / "ledger.xlsx", small_ledger_rows())
    params = write_params(tmp_path / "zone.yaml", ledger)
    data = yaml.safe_load(params.read_text(encoding="utf-8"))
    text = params.read_text(encoding="utf-8").replace(
        "fx_cny_per_usd: 7.0", f"fx_cny_per_usd: {value}"
    )
    assert data["fx_cny_per_usd"] == 7.0 and text != params.read_text(encoding="utf-8")
    params.write_text(text, encoding="utf-8")
    with pytest.raises(ParamsError) as exc:
        load_params(params)
    [line] = exc.value.lines("en")
    assert line.startswith(f"{params}: fx_cny_per_usd must be a finite number, got ")
    [zh] = exc.value.lines("zh")
    assert "fx_cny_per_usd 必须是有限的数（不能是 inf 或 nan）" in zh


def test_json_written_is_strict(tmp_path, capsys):
    import numpy as np

    from workbook.cli._common import print_json
    from workbook.review.output import write_json

    obj = {"a": float("nan"), "b": [np.float64("inf"), -math.inf, 1.5], "c": np.float32("nan")}
    path = write_json(tmp_path / "s.json", obj)
    assert strict_loads(path.read_text(encoding="utf-8")) == {
        "a": None,
        "b": [None, None, 1.5],
        "c": None,
    }
    print_json(obj)
    assert strict_loads(capsys.readouterr().out)["b"] == [None, None, 1.5]
    assert dumps({"x": np.int64(3)}, default=lambda o: o.item()) == '{"x": 3}'


def test_plain_is_one_rule_for_every_json_value():
    """The review's summary, every --json output and a forecast's to_json share one rule:
    numpy scalars as Python, a date or a Timestamp as its ISO day, NaN/NaT/NA as null,
    containers item by item; a type with no JSON form is an error, never a broken file."""
    import datetime as dt

    import numpy as np
    import pandas as pd

    from workbook.files.jsonsafe import plain

    value = {
        "i": np.int64(3),
        "b": np.bool_(False),
        "f": np.float32(0.5),
        "d": dt.date(2020, 3, 22),
        "t": pd.Timestamp("2020-03-22 15:30"),
        "nat": pd.NaT,
        "na": pd.NA,
        "nested": ({"x": np.nan, "y": [np.int32(-1)]},),
    }
    out = plain(value)
    assert out == {
        "i": 3,
        "b": False,
        "f": 0.5,
        "d": "2020-03-22",
        "t": "2020-03-22",
        "nat": None,
        "na": None,
        "nested": [{"x": None, "y": [-1]}],
    }
    assert [type(out[k]) for k in ("i", "b", "f")] == [int, bool, float]
    with pytest.raises(TypeError, match="cannot write set as JSON"):
        plain({"s": {1}})
    assert dumps({"s": {1}}, default=sorted) == '{"s": [1]}'


def test_status_json_of_the_sample_is_strict(capsys):
    assert main(["status", "params/jining-2020.yaml", "--json", "--as-of", "2020-06-30"]) == 0
    records = strict_loads(capsys.readouterr().out)
    assert records and all(isinstance(r, dict) for r in records)


def test_a_problem_on_every_row_is_reported_as_the_first_200_and_counts_by_kind(tmp_path):
    n = 1000
    rows: list[list] = [LEDGER_HEADER]
    for i in range(n):
        stage = "已签" if i % 4 == 0 else "在谈"
        amount = 5 if i % 4 == 0 else -5
        rows.append([f"P{i}", f"项目{i}", "某公司", "内资", "无", stage, amount, None])
    ledger = write_xlsx(tmp_path / "ledger.xlsx", rows)
    with pytest.raises(DataFileError) as exc:
        load_ledger(ledger)
    assert len(exc.value.problems) == n
    lines = exc.value.lines("zh")
    assert len(lines) == REPORT_LIMIT + 1 + 2
    assert lines[0].startswith(f"{ledger}，工作表 项目台账，第2行，列 阶段：未知阶段 '已签'")
    assert lines[REPORT_LIMIT] == "……另有 800 个问题未逐条列出；全部 1,000 个问题按类别统计："
    assert lines[REPORT_LIMIT + 1] == (
        f"750 处 {ledger}，工作表 项目台账，列 总投资(亿元)：应为不小于0的金额，实际为 -5"
    )
    assert lines[REPORT_LIMIT + 2].startswith(f"250 处 {ledger}，工作表 项目台账，列 阶段：")
    en = exc.value.lines("en")
    assert en[REPORT_LIMIT] == "... and 800 more problems not listed; all 1,000 problems by kind:"
    assert len(str(exc.value).splitlines()) == REPORT_LIMIT + 3


def test_validate_of_a_folder_says_it_is_a_folder(tmp_path, capsys):
    folder = tmp_path / "ledger.xlsx"
    folder.mkdir()
    assert main(["validate", "--ledger", str(folder)]) == 2
    assert capsys.readouterr().err == f"error: {folder}：是文件夹而不是文件\n"
    assert main(["validate", str(tmp_path), "--lang", "en"]) == 2
    assert capsys.readouterr().err == f"error: {tmp_path}: is a folder, not a file\n"


def test_backtest_json_is_strict_a_non_finite_score_is_null(capsys, monkeypatch):
    from workbook.forecast import backtest as bt

    args = ["backtest", "params/jining-2020.yaml", "--quarters", "2020Q1", "--as-of"]
    args += ["2020-06-30", "--trials", "200", "--json"]
    assert main(args) == 0
    doc = strict_loads(capsys.readouterr().out)
    assert doc["forecasts"] and {f["quarter"] for f in doc["forecasts"]} == {"2020Q1"}
    real = bt.Backtest.to_json
    monkeypatch.setattr(bt.Backtest, "to_json", lambda self: {**real(self), "brier": math.nan})
    assert main(args) == 0
    assert strict_loads(capsys.readouterr().out)["brier"] is None


def test_status_campaign_json_is_strict(capsys):
    args = ["status", "params/jining-2020.yaml", "--campaign", "百日攻坚（春季）", "--json"]
    for day in ("2020-03-01", "2020-06-30"):  # before the window opens, and after it closed
        assert main([*args, "--as-of", day]) == 0
        doc = strict_loads(capsys.readouterr().out)
        assert [g["metric"] for g in doc["goals"]] == [
            "ten_strong_10",
            "new_starts",
            "domestic_capital",
        ]
