"""The zone's own targets show wherever a target shows: the scenario planner's table, metric
picker and charts, the review's first section (with its campaign part), review.xlsx,
summary.json, the roll-up, goal seek and sensitivity."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest

from tests.sim_zones import sample_zone
from workbook.cli import main
from workbook.forecast.engine import Engine
from workbook.planners.scenario import ScenarioPlanner
from workbook.review.params import review_params
from workbook.review.report import build_review

SAMPLE = "params/jining-2020.yaml"
OWN = {"ten_strong_10": "十强产业10亿元以上项目", "yrd_domestic": "长三角内资到位"}


@pytest.fixture(scope="module")
def engine():
    return Engine(sample_zone(), as_of=dt.date(2020, 6, 30), trials=600, seed=1)


def test_scenario_planner_table_picker_and_charts_show_the_zones_own_targets(engine, tmp_path):
    planner = ScenarioPlanner(engine, save_dir=tmp_path)
    for key, text in OWN.items():
        assert text in planner.table.value
        assert key in [v for _, v in planner.metric_pick.options]
    planner.metric_pick.value = "ten_strong_10"
    assert planner.charts["fan"].spec["title"]["text"].startswith(OWN["ten_strong_10"])
    assert planner.charts["hist"].spec["title"].startswith(OWN["ten_strong_10"])
    compare = planner.compare_frame()
    assert set(OWN) <= set(compare["metric"])


@pytest.fixture(scope="module")
def review():
    return build_review(review_params(SAMPLE, "2020Q2", trials=600))


def test_review_first_section_shows_own_targets_and_the_campaign(review, tmp_path):
    head = review["headline"].table.set_index("metric")
    assert set(OWN) <= set(head.index)
    html = review.section_html("headline")
    for text in OWN.values():
        assert text in html
    assert "百日攻坚（春季）（2020-03-22 至 2020-06-29），时间进度 100%" in html
    camp = review["headline"].campaigns.set_index("metric")
    assert list(camp.index) == ["ten_strong_10", "new_starts", "domestic_capital"]
    assert (camp["window_progress"] == 1.0).all()  # the window ended on 29 June
    review.save(tmp_path)
    wb = openpyxl.load_workbook(tmp_path / "review.xlsx")
    firsts = [row[0] for row in wb["目标完成情况"].iter_rows(values_only=True)]
    assert set(OWN.values()) <= set(firsts)
    campaign_rows = list(wb["攻坚行动"].iter_rows(values_only=True))
    assert campaign_rows[1][0] == "百日攻坚（春季）" and campaign_rows[1][3] == OWN["ten_strong_10"]
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["targets"]["yrd_domestic"]["label"] == OWN["yrd_domestic"]
    assert [c["metric"] for c in summary["campaigns"]] == list(camp.index)


def test_a_quarter_without_a_campaign_has_no_campaign_part():
    # (the sample's spring push overlaps every quarter its data reach: the second zone has none)
    rv = build_review(review_params("params/zoucheng-2020.yaml", "2020Q2", trials=200))
    assert rv["headline"].campaigns is None
    assert "攻坚行动" not in rv.section_html("headline")
    assert "攻坚行动" not in rv.tables()


def test_rollup_names_the_zones_own_targets_from_the_run(review, tmp_path):
    from workbook.review.batch import rollup_tables
    from workbook.review.runner import RunResult

    review.save(tmp_path)
    run = RunResult(review.params, tmp_path, "ok", seconds=1.0)
    tables = rollup_tables([run], "zh")  # from summary.json: this process need not read params
    targets = tables["目标汇总"]
    assert set(OWN.values()) <= set(targets["指标"])


def test_goal_seek_and_sensitivity_take_own_targets(capsys):
    fast = ["--trials", "600", "--as-of", "2020-06-30"]
    assert main(["goalseek", SAMPLE, *fast, "--metric", "yrd_domestic", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["metric"] == "yrd_domestic" and out["extra"] > 0
    argv = ["sensitivity", SAMPLE, *fast, "--metric", "ten_strong_10", "--json", "--top", "3"]
    assert main(argv) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]  # every target's rows
    assert set(OWN) <= {r["metric"] for r in rows}
    assert main(argv[:-3]) == 0  # the table: the tornado of the zone's own target
    assert "十强产业10亿元以上项目达标概率对各驱动因素的敏感性" in capsys.readouterr().out
