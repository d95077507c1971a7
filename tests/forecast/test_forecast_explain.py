"""Why: each target's forecast mean split into facts, pipeline stages and new deals, adding
up to the mean exactly; and the one line a leader reads."""

from __future__ import annotations

import json

import pytest

from tests.conftest import SAMPLE_PARAMS
from tests.forecast.test_simulate import certain_zone
from tests.sim_zones import AS_OF, CERTAIN, make_zone, project, sample_engine
from workbook.cli import main
from workbook.forecast.engine import Engine
from workbook.forecast.explain import sources, why


def test_certain_zone_parts_are_the_schedule(tmp_path):
    """A (started) +6, B (intent) +4 on 6 of facts; C (signed, foreign) 0.5亿美元; starts:
    A counted already, C in July, B and F (intent) in September."""
    fc = Engine(certain_zone(tmp_path), as_of=AS_OF, trials=50, seed=1).forecast()
    parts = sources(fc)
    dom = parts["domestic_capital"]
    assert dom["facts"] == pytest.approx(6.0)
    assert dom["stage:started"] == pytest.approx(6.0, abs=1e-5)
    assert dom["stage:intent"] == pytest.approx(4.0, abs=1e-5)
    assert dom["stage:signed"] == pytest.approx(0.0, abs=1e-6)
    assert dom["offices"] == dom["platforms"] == dom["events"] == 0.0
    assert parts["foreign_capital"]["stage:signed"] == pytest.approx(0.5, abs=1e-6)
    starts = parts["new_starts"]
    assert (starts["facts"], starts["stage:signed"], starts["stage:intent"]) == pytest.approx(
        (1.0, 1.0, 2.0)
    )
    assert why(fc, "new_starts", "en") == (
        "1 so far; 2 intent projects may add ~2.0; other pipeline ~1.0; new deals ~0.0 → median 4 of 4"
    )
    assert why(fc, "domestic_capital") == (
        "已完成6.0；开工阶段1个项目预计贡献约6.0；其他在途项目约4.0；新引进项目约0.0"
        " → 中位数16.0（目标16.0）"
    )


def test_declared_targets_have_their_own_parts(tmp_path):
    """The zone's own metrics split like the built-ins, on their own projects only (CERTAIN,
    as of 30 June). YRD = 江苏, 浙江, 上海. A started (江苏) in January, 6 paid in six months:
    +1 a month, +6; B intent (浙江), plan 12: signs Aug, starts Sep, +1 a month: +4; C signed
    (广东), plan 6, 2 arrived before its start: starts July at 0.5 a month: +3 (domestic only);
    D intent (上海), no plan: signs Aug; E signed (江苏) in March: a fact of yrd_signed."""
    projects = [
        project(
            "A",
            "started",
            planned_inflow=10,
            region="江苏",
            signed_date="2019-10-01",
            start_date="2020-01-15",
        ),
        project("B", "intent", planned_inflow=12, region="浙江"),
        project("C", "signed", planned_inflow=6, region="广东", signed_date="2020-06-20"),
        project("D", "intent", total_investment=35, region="上海"),
        project("E", "signed", region="江苏", signed_date="2020-03-01"),
    ]
    arrivals = [
        {"project_id": "A", "month": "2020-01-01", "amount": 1.0},
        {"project_id": "A", "month": "2020-04-01", "amount": 5.0},
        {"project_id": "C", "month": "2020-03-01", "amount": 2.0},
    ]
    yrd = ["江苏", "浙江", "上海"]
    metrics = {
        "yrd_money": {"label": "长三角内资到位", "money": "domestic", "where": {"region": yrd}},
        "yrd_signed": {"label": "长三角签约", "count": "signed", "where": {"region": yrd}},
    }
    targets = {
        "domestic_capital": {"annual": 21},
        "yrd_money": {"annual": 16, "currency": "CNY"},
        "yrd_signed": {"annual": 3},
    }
    zone = make_zone(
        tmp_path, projects, arrivals, targets=targets, drivers=CERTAIN, metrics=metrics
    )
    fc = Engine(zone, as_of=AS_OF, trials=50, seed=1).forecast()
    assert fc.setup.climate is not None  # the default climate, harmless under certainty
    parts = sources(fc)
    assert set(parts) == {"domestic_capital", "yrd_money", "yrd_signed"}
    expected = {
        "domestic_capital": {"facts": 8, "stage:started": 6, "stage:signed": 3, "stage:intent": 4},
        "yrd_money": {"facts": 6, "stage:started": 6, "stage:signed": 0, "stage:intent": 4},
        "yrd_signed": {"facts": 1, "stage:started": 0, "stage:signed": 0, "stage:intent": 2},
    }
    for metric, want in expected.items():
        row = parts[metric]
        assert {k: row[k] for k in want} == pytest.approx(want, abs=1e-5), metric
        assert row["offices"] == row["platforms"] == row["events"] == 0.0
        assert sum(row.values()) == pytest.approx(fc.targets.loc[metric, "mean"], abs=1e-9)
    assert why(fc, "yrd_money", "en") == (
        "6.0 so far; 1 started projects may add ~6.0; other pipeline ~4.0; new deals ~0.0"
        " → median 16.0 of 16.0"
    )
    assert (
        why(fc, "yrd_signed")
        == "已完成1；意向阶段2个项目预计贡献约2.0；新引进项目约0.0 → 中位数3（目标3）"
    )


def test_parts_add_up_to_the_mean_on_the_sample_zone():
    """Random drivers, climate on, offices, platforms and events: the parts still add up."""
    engine = sample_engine()
    fc = engine.forecast()
    assert fc.setup.climate is not None
    parts = sources(fc)
    assert set(parts) == set(fc.metrics)
    assert {"ten_strong_10", "yrd_domestic"} <= set(parts)  # the zone's own targets too
    for metric, row in parts.items():
        assert sum(row.values()) == pytest.approx(
            fc.targets.loc[metric, "mean"], rel=1e-9, abs=1e-9
        )
    for metric in ("new_starts", "ten_strong_10", "yrd_domestic"):
        deals = sum(parts[metric][k] for k in ("offices", "platforms", "events"))
        assert deals > 0, metric
        assert sum(v for k, v in parts[metric].items() if k.startswith("stage:")) > 0, metric
    # The parts use the forecast's own draws: the forecast afterwards is unchanged.
    again = engine.forecast()
    assert (again.targets["mean"] == fc.targets["mean"]).all()


def test_simulate_json_carries_sources_and_why(capsys):
    rc = main(["simulate", str(SAMPLE_PARAMS), "--trials", "300", "--seed", "3", "--json"])
    out, _ = capsys.readouterr()
    assert rc == 0
    data = json.loads(out)
    for row in data["targets"].values():
        assert set(row["sources"]) >= {"facts", "offices", "platforms", "events"}
        assert sum(row["sources"].values()) == pytest.approx(row["mean"], rel=1e-9, abs=1e-9)
        assert " → 中位数" in row["why"] and row["why"].endswith("）")
    assert {"ten_strong_10", "yrd_domestic"} <= set(data["targets"])
    assert data["targets"]["new_starts"]["why"].startswith("已完成33；")
