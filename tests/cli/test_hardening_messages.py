"""Every bad input is one line in the command's language (Chinese by default) and exit 2, never
a traceback: params files in other encodings, nested too deep or with a key twice; out-of-range
numbers on the command line; argparse's own usage errors; and a review whose data are bad fails
before any kernel starts with the message `status` prints."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.review_helpers import REPO
from workbook.cli import main

SAMPLE = str(REPO / "params" / "jining-2020.yaml")


def last_line(err: str) -> str:
    assert "Traceback" not in err
    return err.strip().splitlines()[-1]


def exits_2(argv: list[str], capsys) -> str:
    """Run the CLI; it must exit 2 (returned or by argparse); its last stderr line."""
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    assert code == 2, argv
    return last_line(capsys.readouterr().err)


@pytest.fixture
def zone_copy(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "params", tmp_path / "params")
    shutil.copytree(REPO / "data", tmp_path / "data")
    return tmp_path / "params" / "jining-2020.yaml"


@pytest.mark.parametrize(
    ("content", "zh"),
    [
        ("zone: 济宁\n".encode("gbk"), "不是 UTF-8 文本（疑似 GBK，第6字节起无法按 UTF-8 读取）"),
        ("zone: 济宁\n".encode("utf-16"), "不是 UTF-8 文本（疑似 UTF-16，第0字节起无法按"),
        (bytes(range(256)) * 2, "不是 UTF-8 文本（疑似 二进制文件，第128字节起无法按"),
        (b"a: " + b"[" * 5000 + b"]" * 5000 + b"\n", "嵌套超过64层"),
        ("".join("  " * i + f"k{i}:\n" for i in range(2000)).encode(), "嵌套超过64层"),
        (b"zone: a\nyear: 2020\nzone: b\n", "键 'zone' 出现两次（第1行和第3行）：请只保留一个"),
    ],
    ids=["gbk", "utf16", "binary", "deep-flow", "deep-block", "duplicate-key"],
)
def test_unreadable_params_files_are_one_line(tmp_path, capsys, content, zh):
    path = tmp_path / "p.yaml"
    path.write_bytes(content)
    for cmd in (["validate", str(path)], ["simulate", str(path)]):
        line = exits_2(cmd, capsys)
        assert line.startswith(f"error: {path}：") and zh in line


def test_duplicate_key_in_english_names_both_lines(tmp_path, capsys):
    path = tmp_path / "p.yaml"
    path.write_text("targets:\n  a: 1\n  b: 2\n  a: 3\n", encoding="utf-8")
    assert exits_2(["validate", str(path), "--lang", "en"], capsys) == (
        f"error: {path}: key 'a' is written twice (lines 2 and 4): keep one"
    )


@pytest.mark.parametrize(
    ("argv", "zh", "en"),
    [
        (
            ["simulate", SAMPLE, "--trials", "10000000000"],
            "参数 --trials：须在 1 到 1,000,000 之间，实际为 10,000,000,000",
            "argument --trials: must be between 1 and 1,000,000, got 10,000,000,000",
        ),
        (
            ["simulate", SAMPLE, "--seed", "-1"],
            "参数 --seed：须在 0 到 4,294,967,295 之间，实际为 -1",
            "argument --seed: must be between 0 and 4,294,967,295, got -1",
        ),
        (
            ["sensitivity", SAMPLE, "--top", "-1"],
            "参数 --top：须在 1 到 10,000 之间，实际为 -1",
            "argument --top: must be between 1 and 10,000, got -1",
        ),
        (
            ["plan", SAMPLE, "--time-limit", "-1"],
            "参数 --time-limit：应为大于0的数，实际为 '-1'",
            "argument --time-limit: expected a number > 0, found '-1'",
        ),
        (
            ["plan", SAMPLE, "--time-limit", "nan"],
            "参数 --time-limit：应为大于0的数，实际为 'nan'",
            "argument --time-limit: expected a number > 0, found 'nan'",
        ),
        (
            ["backtest", SAMPLE, "--trials", "0"],
            "参数 --trials：须在 1 到 1,000,000 之间，实际为 0",
            "argument --trials: must be between 1 and 1,000,000, got 0",
        ),
        (
            ["backtest", SAMPLE, "--seed", "2**40"],
            "参数 --seed：应为整数，实际为 '2**40'",
            "argument --seed: expected a whole number, found '2**40'",
        ),
        (
            ["backtest", SAMPLE, "--as-of", "2020-02-30"],
            "参数 --as-of：'2020-02-30' 不是有效的日期",
            "argument --as-of: not a real date: '2020-02-30'",
        ),
        (
            ["calibrate", SAMPLE, "--prior-weight", "inf"],
            "参数 --prior-weight：应为大于0的数，实际为 'inf'",
            "argument --prior-weight: expected a number > 0, found 'inf'",
        ),
        (
            ["calibrate", SAMPLE, "--level", "1.5"],
            "参数 --level：须大于0且不超过1，实际为 1.5",
            "argument --level: must be in (0, 1], got 1.5",
        ),
        (
            ["goalseek", SAMPLE, "--probability", "很高"],
            "参数 --probability：应为概率，如 0.8 或 80%，实际为 '很高'",
            "argument --probability: expected a probability such as 0.8, found '很高'",
        ),
        (
            ["status", SAMPLE, "--as-of", "2020-06-31"],
            "参数 --as-of：'2020-06-31' 不是有效的日期",
            "argument --as-of: not a real date: '2020-06-31'",
        ),
        (
            ["status", SAMPLE, "--as-of", "六月底"],
            "参数 --as-of：应为日期，如 2020-03-15、2020/3/15、2020.3.15 或 2020年3月15日，实际为 '六月底'",
            "argument --as-of: expected a date such as 2020-03-15",
        ),
        (
            ["review", SAMPLE],
            "缺少必需的参数：--quarter",
            "the following arguments are required: --quarter",
        ),
        (
            ["review", SAMPLE, "--quarter", "2020Q2", "--trials", "many"],
            "参数 --trials：无效的值 'many'（应为整数）",
            "argument --trials: invalid int value: 'many'",
        ),
        (
            ["batch", SAMPLE, "--quarters", "2020Q2", "--dask", "local", "--scheduler", "x"],
            "参数 --scheduler：不能与参数 --dask 同时使用",
            "argument --scheduler: not allowed with argument --dask",
        ),
    ],
)
def test_argument_errors_speak_the_command_language(capsys, argv, zh, en):
    line = exits_2(argv, capsys)
    assert line.split("错误：", 1)[1].startswith(zh), line
    line = exits_2([*argv, "--lang", "en"], capsys)
    assert line.split("error: ", 1)[1].startswith(en), line


def test_argparse_own_errors_in_chinese_by_default(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["nosuch"])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and err.startswith("用法：workbook [-h] COMMAND ...")
    assert "workbook: 错误：参数 COMMAND：无效的选项 'nosuch'（可选：'validate'" in err
    with pytest.raises(SystemExit):
        main(["status", SAMPLE, "--as-of", "2020-06-30", "--bogus"])
    assert last_line(capsys.readouterr().err) == "workbook: 错误：无法识别的参数：--bogus"


@pytest.mark.parametrize(
    ("extra", "zh", "en"),
    [
        (
            ["--quarter", "2020Q5"],
            "季度应形如 2020Q2，实际为 '2020Q5'",
            "quarter must look like 2020Q2, got '2020Q5'",
        ),
        (
            ["--quarter", "2021Q1"],
            "季度 2021Q1 不在 jining-2020.yaml 的计划年度 2020 内",
            "quarter 2021Q1 is outside the plan year 2020 of jining-2020.yaml",
        ),
        (
            ["--quarter", "2020Q2", "--as-of", "2020-06-31"],
            "as_of：'2020-06-31' 不是有效的日期",
            "as_of: not a real date: '2020-06-31'",
        ),
        (
            ["--quarter", "2020Q2", "--trials", "10000000000"],
            "trials 须在 100 到 1,000,000 之间，实际为 10,000,000,000",
            "trials must be between 100 and 1,000,000, got 10,000,000,000",
        ),
        (
            ["--quarter", "2020Q2", "--seed", "-1"],
            "seed 须在 0 到 4,294,967,295 之间，实际为 -1",
            "seed must be between 0 and 4,294,967,295, got -1",
        ),
        (
            ["--quarter", "2020Q2", "--budget", "inf"],
            "预算应为不小于0的金额（万元），实际为 inf",
            "budget must be an amount >= 0 in 万元, got inf",
        ),
    ],
)
def test_review_values_are_one_line_in_the_command_language(
    tmp_path, capsys, monkeypatch, extra, zh, en
):
    import papermill

    monkeypatch.setattr(papermill, "execute_notebook", None)  # calling it would fail loudly
    out = ["--out", str(tmp_path / "run")]
    assert exits_2(["review", SAMPLE, *extra, *out], capsys) == f"error: {zh}"
    assert exits_2(["review", SAMPLE, *extra, *out, "--lang", "en"], capsys) == f"error: {en}"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("extra", "zh", "en"),
    [
        (
            ["--quarters", "2020Q5"],
            "季度应形如 2020Q2，实际为 '2020Q5'",
            "quarter must look like 2020Q2, got '2020Q5'",
        ),
        (
            ["--quarters", "2020Q3-2020Q1"],
            "季度范围 '2020Q3-2020Q1' 的终点早于起点",
            "quarter range '2020Q3-2020Q1' ends before it starts",
        ),
        (
            ["--quarters", "2019Q4"],
            "季度 2019Q4 不在计划年度 2020 内",
            "quarter 2019Q4 is outside the plan year 2020",
        ),
        (
            ["--quarters", "2020Q2", "--as-of", "2020-05-31"],
            "季度 2020Q2 于 2020-06-30 结束，不早于评分日期 2020-05-31：无可评分的预测",
            "quarter 2020Q2 ends on 2020-06-30, not before 2020-05-31, the date scored",
        ),
        (
            ["--as-of", "2020-02-29"],
            "2020 年没有在评分日期 2020-02-29 之前结束的季度：尚无可评分的预测",
            "no quarter of 2020 ends before 2020-02-29, the date scored: nothing to score yet",
        ),
        (
            ["--as-of", "2021-03-31"],
            "截至日期 --as-of 2021-03-31 不在计划年度 2020 内",
            "--as-of 2021-03-31 is outside the plan year 2020",
        ),
    ],
)
def test_backtest_values_are_one_line_in_the_command_language(capsys, extra, zh, en):
    assert exits_2(["backtest", SAMPLE, *extra], capsys) == f"error: {zh}"
    line = exits_2(["backtest", SAMPLE, *extra, "--lang", "en"], capsys)
    assert line.startswith(f"error: {en}"), line


def test_status_as_of_outside_the_plan_year_in_chinese(capsys):
    assert exits_2(["status", SAMPLE, "--as-of", "2021-01-01"], capsys) == (
        "error: 截至日期 --as-of 2021-01-01 不在计划年度 2020 内"
    )


def test_a_review_with_bad_data_fails_before_any_kernel_with_the_status_message(
    zone_copy, tmp_path, capsys, monkeypatch
):
    import papermill
    from openpyxl import load_workbook

    ledger = zone_copy.parent.parent / "data" / "jining-2020" / "ledger.xlsx"
    wb = load_workbook(ledger)
    wb.active["M5"] = "很多"  # 总投资(亿元) of the third project
    wb.save(ledger)
    assert main(["status", str(zone_copy), "--as-of", "2020-06-30"]) == 2
    status_err = capsys.readouterr().err
    assert (
        status_err
        == f"error: {ledger}，工作表 项目台账，第5行，列 总投资(亿元)：应为数字，实际为 '很多'\n"
    )

    def no_kernel(*a, **k):  # pragma: no cover - reaching it is the failure
        raise AssertionError("a kernel was started")

    monkeypatch.setattr(papermill, "execute_notebook", no_kernel)
    out = tmp_path / "run"
    assert main(["review", str(zone_copy), "--quarter", "2020Q2", "--out", str(out)]) == 2
    assert capsys.readouterr().err == status_err
    assert not out.exists()
    root = tmp_path / "batch"
    args = ["batch", str(zone_copy), "--quarters", "2020Q1-2020Q2", "--out", str(root)]
    assert main([*args, "--no-progress"]) == 2
    assert capsys.readouterr().err == status_err
    assert not root.exists()


def test_validate_catches_an_event_plan_naming_no_catalogue_event(zone_copy, capsys):
    text = zone_copy.read_text(encoding="utf-8")
    zone_copy.write_text(text.replace("{event_id: EV09, month: 5}", "{event_id: EV99, month: 5}"))
    line = exits_2(["validate", str(zone_copy)], capsys)
    assert line.startswith(
        f"error: {zone_copy}：event_plan.1：未知活动 'EV99'（应为以下之一：EV01,"
    )
    line = exits_2(["validate", str(zone_copy), "--lang", "en"], capsys)
    assert line.startswith(f"error: {zone_copy}: event_plan.1: unknown event 'EV99'")


def test_a_folder_given_for_a_file_says_it_is_a_folder(tmp_path, capsys):
    assert exits_2(["status", str(tmp_path), "--as-of", "2020-06-30"], capsys) == (
        f"error: {tmp_path}：是文件夹而不是文件"
    )
    line = exits_2(
        ["review", SAMPLE, "--quarter", "2020Q2", "--notebook", str(tmp_path), "--lang", "en"],
        capsys,
    )
    assert line == f"error: --notebook {tmp_path}: is a folder, not a file"


def test_a_data_path_naming_a_folder_says_it_is_a_folder(zone_copy, capsys):
    folder = zone_copy.parent.parent / "data" / "jining-2020"
    text = zone_copy.read_text(encoding="utf-8")
    zone_copy.write_text(text.replace("events: ../data/jining-2020/events.xlsx", "events: ../data"))
    line = exits_2(["validate", str(zone_copy)], capsys)
    assert line == f"error: {zone_copy}：data.events：是文件夹而不是文件：{folder.parent}"


def test_validate_catches_a_roadshow_restriction_naming_no_catalogue_event(zone_copy, capsys):
    text = zone_copy.read_text(encoding="utf-8")
    bad = text.replace(
        "  blocked_holidays: [spring_festival, national_day]",
        "  blocked_holidays: [spring_festival, national_day]\n"
        "  restrictions: [{events: [EV99], reason: 停办}]",
    )
    assert bad != text
    zone_copy.write_text(bad, encoding="utf-8")
    assert main(["validate", str(zone_copy), "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "unknown events or channels: EV99" in err and "Traceback" not in err


def test_review_refuses_a_bad_event_plan_before_any_kernel(zone_copy, tmp_path, capsys):
    """The review checks its inputs without a forecast engine, the event plans included: the
    same one line as validate, exit 2, and no run folder."""
    text = zone_copy.read_text(encoding="utf-8")
    zone_copy.write_text(text.replace("{event_id: EV09, month: 5}", "{event_id: EV99, month: 5}"))
    out = tmp_path / "q2"
    line = exits_2(["review", str(zone_copy), "--quarter", "2020Q2", "--out", str(out)], capsys)
    assert line.startswith(
        f"error: {zone_copy}：event_plan.1：未知活动 'EV99'（应为以下之一：EV01,"
    )
    assert not out.exists()
