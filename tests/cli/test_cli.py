"""The `workbook` command: exit codes, output, JSON shape, and that the README documents it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from tests.conftest import LEDGER_HEADER, REPO, SAMPLE_PARAMS, write_xlsx
from workbook.cli import build_parser, main
from workbook.text.messages import Message


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workbook", *args], capture_output=True, text=True, cwd=REPO
    )


def test_validate_sample_zone_prints_a_summary():
    r = run("validate", str(SAMPLE_PARAMS))
    assert r.returncode == 0, r.stderr
    assert "220 projects, OK" in r.stdout
    assert "25 candidate events, OK" in r.stdout
    assert re.search(r"开工\s+34\s+412\.43", r.stdout)


def test_validate_bad_ledger_prints_every_error_and_exits_2(tmp_path, capsys):
    rows = [
        LEDGER_HEADER,
        ["P1", "甲", "x", "内资", "无", "已签", 1, 0, None, None, None, "否", "否"],
        ["P1", "乙", "x", "内资", "无", "签约", 1, 0, None, None, None, "否", "否"],
    ]
    path = write_xlsx(tmp_path / "bad.xlsx", rows)
    assert main(["validate", "--ledger", str(path), "--lang", "en"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"error: {path}, sheet 项目台账, row 2, column 阶段: unknown stage '已签' (expected one of 线索, 接洽, 考察, 在谈, 意向, 签约, 开工, 投产, lead, contact, visit, negotiating, intent, signed, started, producing, negotiation, sign, start, production, site visit)",
        f"error: {path}, sheet 项目台账, row 3, column 项目编号: duplicate project id 'P1' (first at row 2)",
        f"error: {path}, sheet 项目台账, row 3, column 签约日期: stage 签约 requires a date in this column, found it empty",
    ]


def test_validate_bad_ledger_speaks_chinese_by_default_and_english_on_request(tmp_path):
    rows = [
        LEDGER_HEADER,
        ["P1", "甲", "x", "内资", "无", "签约", -5, 0, "2020-03-01", None, None, "否", "否"],
    ]
    path = write_xlsx(tmp_path / "bad.xlsx", rows)
    zh = run("validate", "--ledger", str(path))
    assert zh.returncode == 2 and zh.stdout == ""
    assert zh.stderr.splitlines() == [
        f"error: {path}，工作表 项目台账，第2行，列 总投资(亿元)：应为不小于0的金额，实际为 -5"
    ]
    en = run("validate", "--ledger", str(path), "--lang", "en")
    assert en.returncode == 2
    assert en.stderr.splitlines() == [
        f"error: {path}, sheet 项目台账, row 2, column 总投资(亿元): expected an amount >= 0, found -5"
    ]


def test_params_errors_follow_the_commands_lang(tmp_path, capsys):
    bad = tmp_path / "p.yaml"
    bad.write_text("zone: x\nzone_en: x\nyear: 1999\n", encoding="utf-8")
    assert main(["status", str(bad), "--as-of", "2020-06-30"]) == 2
    assert f"error: {bad}：year 必须 >= 2000，实际为 1999" in capsys.readouterr().err.splitlines()
    assert main(["plan", str(bad), "--lang", "en"]) == 2
    assert f"error: {bad}: year must be >= 2000, got 1999" in capsys.readouterr().err.splitlines()


def test_validate_needs_params_or_ledger(capsys):
    assert main(["validate"]) == 2
    assert "请给出参数文件或 --ledger FILE 之一" in capsys.readouterr().err
    assert main(["validate", "--lang", "en"]) == 2
    assert "give either a params file or --ledger FILE" in capsys.readouterr().err


def test_status_json_has_the_documented_keys():
    r = run("status", str(SAMPLE_PARAMS), "--as-of", "2020-06-30", "--json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert {"metric", "target", "actual", "completion", "time_progress"} <= set(rows[0])
    dom = next(x for x in rows if x["metric"] == "domestic_capital")
    assert dom["target"] == 56 and dom["time_progress"] == 0.5
    assert dom["actual"] == pytest.approx(23.39099)


def test_status_table_in_chinese_and_english(small_zone):
    zh = run("status", str(small_zone), "--as-of", "2020年3月31日")
    assert zh.returncode == 0 and "内资到位" in zh.stdout and "滞后序时" in zh.stdout
    en = run("status", str(small_zone), "--as-of", "2020-03-31", "--lang", "en")
    assert "Domestic capital arrived" in en.stdout and "behind" in en.stdout


def test_bad_date_and_bad_params_exit_2(tmp_path):
    r = run("status", str(SAMPLE_PARAMS), "--as-of", "2020-02-30")
    assert r.returncode == 2
    assert r.stderr.splitlines()[-1] == (
        "workbook status: 错误：参数 --as-of：'2020-02-30' 不是有效的日期"
    )
    r = run("status", str(SAMPLE_PARAMS), "--as-of", "2020-02-30", "--lang", "en")
    assert r.returncode == 2 and "not a real date: '2020-02-30'" in r.stderr
    bad = tmp_path / "p.yaml"
    bad.write_text("zone: x\n", encoding="utf-8")
    r = run("status", str(bad), "--as-of", "2020-06-30", "--lang", "en")
    assert r.returncode == 2
    assert f"error: {bad}: zone_en is required" in r.stderr.splitlines()


def test_every_command_has_help_and_is_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert sub.choices, "no subcommands"
    for name, p in sub.choices.items():
        assert p.description, f"workbook {name} has no help text"
        assert f"workbook {name}" in readme, f"README does not document `workbook {name}`"


def test_readme_shows_the_two_commands():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci


def test_status_without_a_date_takes_the_last_month_with_arrivals(tmp_path, capsys, monkeypatch):
    """As the forecasts do: the sample's arrivals end in June, so no --as-of is 2020-06-30; a
    zone with no arrivals for its year is asked for a date, in the command's language."""
    from tests.sim_zones import make_zone, project

    assert main(["status", str(SAMPLE_PARAMS), "--json"]) == 0
    default = capsys.readouterr().out
    assert main(["status", str(SAMPLE_PARAMS), "--json", "--as-of", "2020-06-30"]) == 0
    assert capsys.readouterr().out == default
    assert main(["status", str(SAMPLE_PARAMS)]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "济宁高新区 2020 — 2020-06-30"

    bare = make_zone(tmp_path, [project("X", "lead")])  # no arrivals at all
    monkeypatch.setattr("workbook.zone.loader.load_zone", lambda path: bare)
    assert main(["status", "zone.yaml"]) == 2
    err = capsys.readouterr().err
    assert "2020 年没有到位资金记录，无法确定截至日期：请指定（--as-of 2020-06-30）" in err
    assert main(["status", "zone.yaml", "--lang", "en"]) == 2
    assert "no arrivals are logged for 2020" in capsys.readouterr().err


CAUGHT_INSIDE_EXEC = """
import runpy, sys
import workbook.review.runner as runner
import workbook.cli.validate as validate

def interrupted(*args, **kwargs):  # an interrupt landing in code run from a string
    exec("raise KeyboardInterrupt")

runner.review = validate.run = interrupted
sys.argv = ["workbook", *sys.argv[1:]]
runpy.run_module("workbook", run_name="__main__", alter_sys=True)
"""


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "--lang", "en"],  # caught by the command line's own handler
        ["review", str(SAMPLE_PARAMS), "--quarter", "2020Q2", "--lang", "en"],  # by review's
    ],
)
def test_an_interrupt_caught_inside_exec_still_exits_130(tmp_path, args):
    """CPython marks a KeyboardInterrupt raised in code run from a string as unhandled even
    once caught, and `python -m` then kills itself with SIGINT (-2) instead of exiting 130."""
    (tmp_path / "interrupted_cli.py").write_text(CAUGHT_INSIDE_EXEC, encoding="utf-8")
    r = subprocess.run(
        [sys.executable, "-m", "interrupted_cli", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO)])},
    )
    line = "error: " + Message("interrupted").render("en") + "\n"
    assert (r.returncode, r.stderr) == (130, line)


AT_EXIT = """
import atexit, sys, threading, time
from pathlib import Path
import workbook.cli.validate as validate

out = Path(sys.argv.pop(1))

def run(args):  # a command that leaves a thread at work and a handler for the exit
    def late():
        time.sleep(0.3)
        (out / "thread").write_text("done")
    threading.Thread(target=late).start()
    atexit.register(lambda: (out / "atexit").write_text("done"))
    sys.stdout.write("x" * 200_000)  # more than a pipe holds: flushed as the process ends
    return 3

validate.run = run
sys.argv = ["workbook", *sys.argv[1:]]
import runpy
runpy.run_module("workbook", run_name="__main__", alter_sys=True)
"""


def test_the_command_ends_as_python_would_without_its_teardown(tmp_path):
    """`python -m workbook` skips the interpreter's teardown but nothing a command leaves to
    the exit: its threads finish, its `atexit` handlers run, its whole output is written and
    its exit code is the command's."""
    (tmp_path / "at_exit_cli.py").write_text(AT_EXIT, encoding="utf-8")
    r = subprocess.run(
        [sys.executable, "-m", "at_exit_cli", str(tmp_path), "validate", str(SAMPLE_PARAMS)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO)])},
    )
    assert (r.returncode, r.stderr, r.stdout) == (3, "", "x" * 200_000)
    assert (tmp_path / "thread").read_text() == "done"
    assert (tmp_path / "atexit").read_text() == "done"
