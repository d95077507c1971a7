"""Why: each target's forecast mean split into facts, pipeline stages and new deals, adding
up to the mean exactly; and the one line a leader reads."""

from __future__ import annotations

import json

import pytest

from tests.conftest import SAMPLE_PARAMS
from tests.sim_zones import AS_OF, sample_engine
from tests.test_simulate import certain_zone
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
        "1 so far; 2 intent projects may add ~2.0; other pipeline ~1.0; new deals ~0.0 → P50 4 of 4"
    )
    assert why(fc, "domestic_capital") == (
        "已完成6.0；开工阶段1个项目预计贡献约6.0；其他在途项目约4.0；新引进项目约0.0"
        " → P50 16.0（目标16.0）"
    )


def test_parts_add_up_to_the_mean_on_the_sample_zone():
    """Random drivers, climate on, offices, platforms and events: the parts still add up."""
    engine = sample_engine()
    fc = engine.forecast()
    assert fc._setup.climate is not None
    parts = sources(fc)
    assert set(parts) == set(fc.metrics)
    for metric, row in parts.items():
        assert sum(row.values()) == pytest.approx(
            fc.targets.loc[metric, "mean"], rel=1e-9, abs=1e-9
        )
    deals = sum(parts["new_starts"][k] for k in ("offices", "platforms", "events"))
    assert deals > 0
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
        assert " → P50 " in row["why"] and row["why"].endswith("）")
    assert data["targets"]["new_starts"]["why"].startswith("已完成33；")
