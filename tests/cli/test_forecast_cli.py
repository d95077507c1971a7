"""The forecast commands: they print, `--json` has the promised shape, bad input exits 2."""

from __future__ import annotations

import json

import pytest

from tests.conftest import SAMPLE_PARAMS
from workbook.cli import main

SAMPLE = str(SAMPLE_PARAMS)
FAST = ["--trials", "300", "--seed", "3"]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_simulate_prints_the_table_in_chinese(capsys):
    rc, out, _ = run(capsys, "simulate", SAMPLE, *FAST, "--projects", "3")
    assert rc == 0
    assert "济宁高新区2020年全年目标预测　截至2020-06-30" in out  # as-of from the data
    assert "内资到位" in out and "达标概率" in out and "P50" in out
    assert "全部目标同时达成的概率" in out and "年内到位贡献最大的项目" in out
    # each target's "why" line under the table, the zone's own targets by their own names
    assert "\n十强产业10亿元以上项目: 已完成3；" in out and "\n长三角内资到位: 已完成2.5；" in out
    assert "ten_strong_10" not in out and "yrd_domestic" not in out


def test_simulate_names_the_zones_own_targets_in_english(capsys):
    rc, out, _ = run(capsys, "simulate", SAMPLE, *FAST, "--lang", "en")
    assert rc == 0
    assert "ten_strong_10" not in out and "yrd_domestic" not in out


def test_simulate_json_shape(capsys):
    rc, out, _ = run(capsys, "simulate", SAMPLE, *FAST, "--json", "--scenario", "乐观")
    assert rc == 0
    data = json.loads(out)
    assert data["scenario"] == "乐观" and data["as_of"] == "2020-06-30" and data["trials"] == 300
    assert set(data["targets"]) == {
        "domestic_capital",
        "foreign_capital",
        "global500_signings",
        "china500_signings",
        "bonus_500",
        "big_projects_30",
        "projects_100",
        "new_starts",
        "new_production",
        "four_new",
        "ten_strong_10",  # the sample zone's own metrics
        "yrd_domestic",
    }
    for row in data["targets"].values():
        assert {"p_attain", "p10", "p50", "p90"} <= set(row)
        assert 0 <= row["p_attain"] <= 1 and row["p10"] <= row["p50"] <= row["p90"]
    assert data["targets"]["domestic_capital"]["p_stretch"] is None
    assert 0 <= data["p_all"] <= 1 and len(data["projects"]) == 10


def test_simulate_same_seed_same_output(capsys):
    a = run(capsys, "simulate", SAMPLE, *FAST, "--json", "--as-of", "2020-03-31")[1]
    b = run(capsys, "simulate", SAMPLE, *FAST, "--json", "--as-of", "2020年3月31日")[1]
    assert a == b and json.loads(a)["as_of"] == "2020-03-31"


def test_compare_sensitivity_goalseek_calibrate_print(capsys):
    rc, out, _ = run(capsys, "compare", SAMPLE, *FAST, "--lang", "en")
    assert rc == 0 and "baseline" in out and "covid-delay" in out and "optimistic" in out
    assert "P(all targets met)" in out
    rc, out, _ = run(capsys, "compare", SAMPLE, *FAST, "--json", "--stat", "p50")
    data = json.loads(out)
    assert data["scenarios"] == ["基准", "疫情延迟", "乐观"] and "all" not in data["metrics"]
    rc, out, _ = run(capsys, "sensitivity", SAMPLE, *FAST, "--top", "4")
    assert rc == 0 and "计划资金到位比例" in out and "摆幅" in out
    rc, out, _ = run(
        capsys, "goalseek", SAMPLE, *FAST, "--metric", "foreign_capital", "--probability", "0.9"
    )
    assert rc == 0 and "需在2020-06-30后新增签约资金约" in out
    rc, out, _ = run(
        capsys,
        "goalseek",
        SAMPLE,
        *FAST,
        "--metric",
        "china500_signings",
        "--probability",
        "35%",
        "--lever",
        "events",
        "--json",
    )
    data = json.loads(out)
    assert (
        data["lever"] == "events"
        and data["achieved"] >= 0.35
        and len(data["events"]) == data["extra"]
    )
    rc, out, _ = run(capsys, "calibrate", SAMPLE)
    assert rc == 0 and "签约后开工概率" in out and "drivers:\n  start_probability:" in out
    assert "含删失的混合治愈模型" in out and "  lag_sigma:" in out and "意向阶段签约概率" in out
    rc, out, _ = run(capsys, "calibrate", SAMPLE, "--json", "--lang", "en")
    data = json.loads(out)
    assert set(data) == {"as_of", "prior_weight", "level", "snapshots", "rows", "drivers"}
    assert data["snapshots"] == ["ledger-2020Q1.xlsx"]
    rows = {r["driver"]: r for r in data["rows"]}
    assert data["drivers"]["start_probability"] == rows["start_probability"]["estimate"]
    assert rows["stage_probability.intent"]["n"] == 0  # no stage dates, one snapshot: prior


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["simulate", SAMPLE, "--scenario", "悲观"], "error: 未知情景 '悲观'"),
        (["simulate", SAMPLE, "--as-of", "2019-12-31"], "不在计划年度 2020 内"),
        (["goalseek", SAMPLE, "--metric", "new_starts"], "new_starts 是计数指标"),
        (["sensitivity", SAMPLE, "--metric", "gdp"], "--metric：'gdp' 不是本园区的考核指标"),
        (["sensitivity", SAMPLE, "--metric", "gdp", "--lang", "en"], "'gdp' is not an assessed"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, argv, message):
    rc, out, err = run(capsys, *argv, *FAST)
    assert rc == 2 and message in err and out == ""


def test_bad_trials_and_probability_are_argument_errors(capsys):
    for argv, zh, en in (
        (["simulate", SAMPLE, "--trials", "0"], "须在 1 到 1,000,000 之间", "must be between"),
        (["goalseek", SAMPLE, "--probability", "1.5"], "须大于0且不超过1", "must be in (0, 1]"),
    ):
        for lang, words in (("zh", zh), ("en", en)):
            with pytest.raises(SystemExit) as exc:
                main([*argv, "--lang", lang])
            assert exc.value.code == 2
            assert words in capsys.readouterr().err


# A forecast command reports, through a spy on workbook.files.heap, whether its process was
# told it ends with the command, and whether glibc's malloc was set to keep freed memory.
_HEAP_SPY = """
import sys
from workbook.files import heap

real = heap.keep_freed_memory


def spy():
    done = real()
    print(f"own={heap._own} kept={done}", file=sys.stderr)
    return done


heap.keep_freed_memory = spy
sys.argv = ["workbook", "simulate", sys.argv[1], "--trials", "300"]
from workbook.cli import console

console()
"""


def test_the_workbook_command_keeps_freed_memory_and_a_caller_of_main_does_not(capsys):
    import os
    import subprocess
    import sys

    env = dict(os.environ, WORKBOOK_SERVER="0")  # the command's own process, not a copy
    done = subprocess.run(
        [sys.executable, "-c", _HEAP_SPY, SAMPLE], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    want = "own=True kept=True" if sys.platform.startswith("linux") else "own=True kept=False"
    assert want in done.stderr
    from workbook.files import heap

    rc, _, _ = run(capsys, "simulate", SAMPLE, *FAST)  # this test process goes on
    assert rc == 0 and not heap._own
