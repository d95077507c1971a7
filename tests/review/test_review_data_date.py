"""A review is honest about its data's date: a quarter whose end (or as-of day) lies after the
last month with arrivals logged is refused with one line naming that month, exit 2, before any
kernel starts; a batch marks such runs and runs the rest."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from openpyxl import load_workbook

from tests.review_helpers import JINING, ZOUCHENG
from workbook.cli import main
from workbook.review import open_review
from workbook.review.batch import NO_DATA, run_batch
from workbook.review.params import beyond_data, parse_quarters, review_params, review_title
from workbook.text.errors import InputError
from workbook.zone.loader import load_zone
from workbook.zone.replay import arrivals_until


def test_a_quarter_past_the_data_is_refused_in_one_line_naming_the_last_month(tmp_path, capsys):
    out = tmp_path / "x"
    assert main(["review", str(JINING), "--quarter", "2020Q4", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err == (
        "error: 数据只到2020年6月（arrivals.xlsx中最后一个有到位资金记录的月份），"
        "评估2020年第四季度（截至2020年12月31日）需要以后月份的数据："
        "请评估2020年第二季度或更早的季度，或补录以后月份的数据后再运行\n"
    )
    assert not out.exists() and list(tmp_path.iterdir()) == []
    args = ["review", str(ZOUCHENG), "--quarter", "2020Q3", "--out", str(out), "--lang", "en"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: the data end with June 2020 ")
    assert "a review of 2020 Q3 as of 30 September 2020" in err
    assert "review 2020 Q2 or an earlier quarter" in err


def test_the_notebook_path_refuses_too():
    with pytest.raises(InputError, match="the data end with June 2020"):
        open_review(JINING, "2020Q3", trials=100)


def test_a_quarter_the_data_end_inside_is_offered_as_of_the_last_data_month():
    zone = load_zone(JINING)
    ledger = zone.ledger
    may = dataclasses.replace(
        ledger, arrivals=arrivals_until(ledger.arrivals, dt.date(2020, 5, 31))
    )
    rp = review_params(JINING, "2020Q2")
    why = beyond_data(rp, may)
    assert why is not None
    assert "可用 --as-of 2020-05-31 评估截至该月末的情况" in why.render("zh")
    assert "with --as-of 2020-05-31" in why.render("en")
    # as of the data's last day: a review, titled with the day it is as of
    rp = review_params(JINING, "2020Q2", as_of="2020-05-31")
    assert beyond_data(rp, may) is None
    assert (
        review_title("济宁高新区", rp)
        == "济宁高新区2020年第二季度（截至2020年5月31日）招商引资工作季度评估"
    )
    # the quarter the data reach: no objection, and the title has no day
    rp = review_params(JINING, "2020Q2")
    assert beyond_data(rp, ledger) is None
    assert review_title("济宁高新区", rp) == "济宁高新区2020年第二季度招商引资工作季度评估"


def test_a_batch_of_quarters_all_past_the_data_is_refused(tmp_path):
    with pytest.raises(InputError, match="the data end with June 2020") as exc:
        run_batch([JINING, ZOUCHENG], parse_quarters("2020Q3-2020Q4"), root=tmp_path)
    assert "数据只到2020年6月" in exc.value.lines("zh")[0]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
@pytest.mark.notebook
def test_a_batch_runs_the_quarters_the_data_reach_and_marks_the_others(tmp_path, capsys):
    out = tmp_path / "reports"
    code = main(
        [
            "batch",
            str(ZOUCHENG),
            "--quarters",
            "2020Q2-2020Q4",
            "--out",
            str(out),
            "--jobs",
            "1",
            "--no-progress",
            "--trials",
            "1000",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    lines = captured.out.splitlines()
    assert [line.split("  ")[0] for line in lines[:3]] == ["数据未覆盖(未评估)"] * 2 + ["完成"]
    assert "数据只到2020年6月" in lines[0] and "2020年第三季度" in lines[0]
    assert "完成1份，跳过0份，数据未覆盖、未评估2份，失败0份" in captured.out
    assert {p.name for p in (out / "zoucheng-2020").iterdir()} == {"2020Q2"}  # no Q3, Q4 folder
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.count("数据未覆盖(未评估)") == 2 and "2020Q3/review.html" not in index
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [r["status"] for r in manifest["runs"]] == ["ok", NO_DATA, NO_DATA]
    wb = load_workbook(out / "rollup.xlsx", read_only=True)
    quarters = {row[1] for row in list(wb["目标汇总"].iter_rows(values_only=True))[1:]}
    wb.close()
    assert quarters == {"2020Q2"}  # no figure of a quarter past the data


def test_the_command_itself_refuses_q4_on_june_data(tmp_path):
    """From the user's side: `python -m workbook review … --quarter 2020Q4` exits 2 with one
    line and writes nothing."""
    import os
    import subprocess
    import sys

    from tests.review_helpers import REPO

    out = tmp_path / "x"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "workbook", "review", str(JINING), "--quarter", "2020Q4"]
    done = subprocess.run(
        [*cmd, "--out", str(out)], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: 数据只到2020年6月")
    assert list(tmp_path.iterdir()) == []
