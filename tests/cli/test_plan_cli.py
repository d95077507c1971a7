"""`workbook plan`: prints the plan and the P(attain) comparison, writes plan.xlsx and plan.ics,
and names the constraint (exit 2, no files) when no plan is feasible."""

from __future__ import annotations

import io
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from icalendar import Calendar
from openpyxl import load_workbook

from tests.conftest import REPO
from workbook.cli import build_parser, main

SAMPLE = "params/jining-2020.yaml"


def test_plan_prints_the_plan_and_comparison_and_writes_both_files(tmp_path, capsys):
    out = tmp_path / "out"
    args = [SAMPLE, "--budget", "300", "--as-of", "2020-06-30", "--out", str(out)]
    rc = main(["plan", *args, "--trials", "2000", "--scenario", "疫情延迟"])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    text = captured.out
    assert "预算300万元，计划月份7–12月（截至2020-06-30，情景：疫情延迟）" in text
    for header in ("月份", "活动名称", "承办机构", "费用(万元)", "预期线索", "预期年内到位(万元)"):
        assert header in text
    assert "优化方案：" in text and "已证明最优" in text
    assert "目标：内资到位达标的概率最大（样本平均近似，S=2,000次模拟" in text
    assert "最优性差距0.00%" in text
    assert "达标概率对比（2,000次模拟，共同随机数）" in text
    assert "不办新活动" in text and "性价比贪心方案" in text
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "plan.ics", "plan.xlsx"]

    wb = load_workbook(out / "plan.xlsx")
    assert wb.sheetnames == ["活动计划", "汇总", "达标概率对比"]
    ids = [r[1] for r in wb["活动计划"].iter_rows(min_row=3, values_only=True) if r[1]]
    cal = Calendar.from_ical((out / "plan.ics").read_bytes())
    uids = [str(e["uid"]).split("-")[0] for e in cal.walk("VEVENT")]
    assert ids == uids and len(ids) > 0
    months = [r[0] for r in wb["活动计划"].iter_rows(min_row=3, values_only=True) if r[1]]
    assert min(months) >= 7
    summary = dict(wb["汇总"].iter_rows(values_only=True))
    assert summary["预算(万元)"] == 300 and summary["情景"] == "疫情延迟"
    assert summary["计划费用(万元)"] <= 300
    assert summary["避开节假日"] == "春节、国庆节" and summary["截至日期"].year == 2020
    assert summary["优化目标"] == "p:domestic_capital" and summary["模拟次数S"] == 2000
    formats = {r[0].value: r[1].number_format for r in wb["汇总"].iter_rows(min_row=2)}
    assert formats["预算(万元)"] == "#,##0.00" and formats["年度"] == "0"
    assert formats["截至日期"] == "yyyy-mm-dd" and formats["样本内达标概率"] == "0.0%"
    cmp = wb["达标概率对比"]
    header = [c.value for c in cmp[1]]
    assert header == [
        "指标",
        "单位",
        "年度目标",
        "不办新活动",
        "原年度活动计划",
        "性价比贪心方案",
        "优化方案",
    ]
    rows = list(cmp.iter_rows(min_row=2))
    assert rows[0][0].value == "内资到位" and rows[0][2].number_format == "#,##0.00"
    counts = [r for r in rows if r[1].value == "个"]
    assert counts and all(r[2].number_format == "#,##0" for r in counts)
    assert all(c.number_format == "0.0%" for r in rows for c in r[3:])
    for ws in wb:
        assert ws.freeze_panes in ("A2", "A3"), ws.title
    plan_sheet = wb["活动计划"]
    assert {r[0].number_format for r in plan_sheet.iter_rows(min_row=3) if r[1].value} == {'0"月"'}


def test_plan_in_english_without_simulation(tmp_path, capsys):
    rc = main(["plan", SAMPLE, "--out", str(tmp_path), "--no-simulate", "--lang", "en"])
    text = capsys.readouterr().out
    assert rc == 0
    # without --as-of: from the end of the last month with arrivals, as simulate and the review
    assert "roadshow plan — budget 300 (10k CNY), months Jul–Dec (as of 2020-06-30)" in text
    assert "objective: expected in-year capital" in text
    assert "Japan office" in text and "optimal plan:" in text and "greedy plan" in text
    assert "P(attain)" not in text
    wb = load_workbook(io.BytesIO((tmp_path / "plan.xlsx").read_bytes()))
    assert wb.sheetnames == ["Plan", "Summary"]


def test_infeasible_budget_names_the_constraint_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "out"
    rc = main(["plan", SAMPLE, "--budget", "60", "--out", str(out), "--no-simulate"])
    err = capsys.readouterr().err
    assert rc == 2
    assert err.startswith(
        "error: 驻日本招商机构须至少举办一场活动，但其每个候选活动的费用都超过预算（60万元）"
    )
    assert "error: 预算至少108万元才有可行方案" in err
    assert not out.exists()


def test_bad_arguments_are_clear(tmp_path, capsys):
    assert main(["plan", SAMPLE, "--scenario", "无此情景", "--out", str(tmp_path)]) == 2
    assert "未知情景 '无此情景'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["plan", SAMPLE, "--budget", "很多"])
    assert exc.value.code == 2
    assert "应为以万元计的预算，如 300，实际为 '很多'" in capsys.readouterr().err  # --lang zh
    with pytest.raises(SystemExit) as exc:
        main(["plan", SAMPLE, "--budget", "很多", "--lang", "en"])
    assert "expected a budget in 万元 such as 300, found '很多'" in capsys.readouterr().err
    assert build_parser().parse_args(["plan", SAMPLE, "--budget", "300万元"]).budget == 300


def test_plan_json_has_every_plan_and_the_optimal_is_never_below_greedy_or_none(tmp_path, capsys):
    import json

    rc = main(["plan", SAMPLE, "--out", str(tmp_path), "--json", "--trials", "3000"])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    data = json.loads(captured.out)  # nothing but the JSON on stdout
    assert set(data) == {"as_of", "objective", "solver", "plans"}
    assert data["as_of"] == "2020-06-30" and data["objective"] == "p:domestic_capital"
    solver = data["solver"]  # how the solve went: proven within 1% of the SAA optimum or not
    assert set(solver) == {"proven", "gap", "seconds", "samples"}
    assert solver["samples"] == 3000 and solver["seconds"] >= 0
    assert solver["proven"] is (solver["gap"] is not None and solver["gap"] <= 0.01)
    plans = data["plans"]
    assert list(plans) == ["none", "baseline", "greedy", "optimal"]
    for plan in plans.values():
        assert set(plan) == {"events", "cost", "p_attain", "p_all"}
        assert plan["cost"] == pytest.approx(sum(e["cost"] for e in plan["events"]))
        for e in plan["events"]:
            assert set(e) == {"event_id", "month", "start", "end", "cost"}
            assert e["month"] >= 7 and e["start"] >= "2020-07-01" and e["start"] <= e["end"]
        assert 0 <= plan["p_all"] <= 1
    assert plans["none"]["events"] == [] and plans["optimal"]["cost"] <= 300
    p = {k: v["p_attain"]["domestic_capital"] for k, v in plans.items()}
    assert p["optimal"] >= p["greedy"] and p["optimal"] >= p["none"]
    assert sorted(f.name for f in tmp_path.iterdir()) == ["manifest.json", "plan.ics", "plan.xlsx"]


def test_the_objective_may_be_a_zones_own_target(tmp_path, capsys):
    """p:<a declared target> is an objective like the built-ins; P(attain) of every target,
    the zone's own too, is in the JSON and in plan.xlsx with its unit."""
    import json

    from openpyxl import load_workbook

    from workbook.zone.loader import load_zone

    targets = [k for k, _ in load_zone(SAMPLE).params.targets.items()]
    argv = ["plan", SAMPLE, "--out", str(tmp_path), "--json", "--trials", "500"]
    assert main([*argv, "--objective", "p:ten_strong_10"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["objective"] == "p:ten_strong_10"
    for plan in data["plans"].values():
        assert list(plan["p_attain"]) == targets  # 12: ten built-ins and the zone's two
    assert {"ten_strong_10", "yrd_domestic"} <= set(targets)
    ws = load_workbook(tmp_path / "plan.xlsx")["达标概率对比"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["长三角内资到位"][1:3] == ("亿元", 12)
    assert rows["十强产业10亿元以上项目"][1:3] == ("个", 3)


def test_objective_choices_are_checked_in_the_commands_language(tmp_path, capsys):
    bad = ["plan", SAMPLE, "--out", str(tmp_path), "--objective", "p:内资"]
    assert main(bad) == 2
    err = capsys.readouterr().err
    assert "--objective 须为以下之一：expected, p:all, p:domestic_capital" in err
    assert main([*bad, "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "--objective must be one of expected, p:all, p:domestic_capital" in err
    args = ["plan", SAMPLE, "--out", str(tmp_path), "--objective", "p:all", "--no-simulate"]
    assert main(args) == 2
    assert "需要模拟" in capsys.readouterr().err
    assert main([*args, "--lang", "en"]) == 2
    assert "needs the simulation" in capsys.readouterr().err


def test_plan_before_any_arrival_plans_the_whole_year_or_asks_for_an_as_of(tmp_path, capsys):
    """No arrivals logged yet: --no-simulate plans the whole year as of its start (it used to
    stop on a traceback); with the simulation, the one-line error (exit 2) `simulate` gives."""
    import shutil

    from openpyxl import load_workbook as load

    from tests.conftest import REPO

    shutil.copytree(REPO / "params", tmp_path / "params")
    shutil.copytree(REPO / "data", tmp_path / "data")
    arrivals = tmp_path / "data" / "jining-2020" / "arrivals.xlsx"
    wb = load(arrivals)
    wb.active.delete_rows(3, wb.active.max_row)  # the title and header rows stay
    wb.save(arrivals)
    params = str(tmp_path / "params" / "jining-2020.yaml")

    rc = main(["plan", params, "--out", str(tmp_path / "a"), "--no-simulate", "--lang", "en"])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    assert "months Jan–Dec (as of 2020-01-01)" in captured.out
    assert (tmp_path / "a" / "plan.xlsx").exists()

    assert main(["simulate", params, "--trials", "100"]) == 2
    simulate_err = capsys.readouterr().err
    assert main(["plan", params, "--out", str(tmp_path / "b"), "--trials", "100"]) == 2
    captured = capsys.readouterr()
    assert captured.err == simulate_err and captured.err.count("\n") == 1
    assert "2020 年没有到位资金记录" in captured.err and "--as-of" in captured.err
    assert "Traceback" not in captured.err and not (tmp_path / "b").exists()


def _children(pid: int) -> list[int]:
    try:
        text = (Path(f"/proc/{pid}/task/{pid}/children")).read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc (Linux)")
def test_kill_of_plan_while_a_copy_solves_parts_stops_both_with_one_line_and_130(tmp_path):
    """`kill PID` (SIGTERM) of `workbook plan` from 31 March, while its forked copy solves parts
    of the events' bound: the command stops as Ctrl-C stops it (one line, exit 130, nothing
    written) and the copy is gone with it, not left solving."""
    from workbook.roadshow.forked import forks

    if not forks():
        pytest.skip("needs os.fork and two cores")
    out = tmp_path / "out"
    argv = [sys.executable, "-m", "workbook", "plan", SAMPLE, "--as-of", "2020-03-31"]
    proc = subprocess.Popen(
        [*argv, "--out", str(out)], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    copies: list[int] = []
    deadline = time.monotonic() + 120
    while not copies and proc.poll() is None and time.monotonic() < deadline:
        copies = _children(proc.pid)
        time.sleep(0.01)
    assert copies, "the plan ended before its copy was seen"
    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130
    lines = stderr.decode().strip().splitlines()
    assert len(lines) == 1 and "中断" in lines[0]
    assert not out.exists() or not any(out.iterdir())
    time.sleep(0.2)
    for pid in copies:
        assert not Path(f"/proc/{pid}").exists() or "Z" in _state_of(pid)


def _state_of(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1].split()[0]
    except (OSError, IndexError):
        return "gone"
