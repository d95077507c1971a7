"""Scenarios side by side, sensitivity, goal seek and calibration, on common random numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.sim_zones import AS_OF, CERTAIN, event, make_zone, project, sample_engine
from workbook.forecast.engine import Engine
from workbook.forecast.goalseek import candidate_events, goal_seek
from workbook.forecast.results import reached
from workbook.forecast.scenarios import ALL, compare, sensitivity, tornado
from workbook.text.errors import InputError


def test_compare_puts_scenarios_side_by_side():
    engine = sample_engine()
    table = compare(engine)
    assert list(table.columns) == ["label", "unit", "target", "基准", "疫情延迟", "乐观"]
    assert list(table.index) == [*engine.forecast().targets.index, ALL]
    for name in ("基准", "疫情延迟", "乐观"):
        fc = engine.forecast_scenario(name)
        assert table[name].iloc[:-1].tolist() == fc.targets["p_attain"].tolist()
        assert table.loc[ALL, name] == fc.p_all
    p50 = compare(engine, ["乐观", "baseline"], stat="p50")
    assert list(p50.columns[3:]) == ["乐观", "基准"] and ALL not in p50.index
    with pytest.raises(InputError, match="unknown statistic 'p42'"):
        compare(engine, stat="p42")


def test_sensitivity_moves_each_driver_both_ways():
    engine = sample_engine()
    table = sensitivity(engine)
    metrics = list(engine.forecast().targets.index)
    assert set(table["metric"]) == set(metrics)
    assert table.groupby("driver").size().eq(len(metrics)).all()
    assert (table["swing"] == (table["p_high"] - table["p_low"]).abs()).all()
    base = engine.forecast().targets["p_attain"]
    assert np.allclose(table["p_base"], table["metric"].map(base))
    # More conversion never lowers P(attain) under common random numbers.
    conv = table[
        table["driver"].str.startswith("stage_probability")
        | table["driver"].isin(["start_probability", "channels.conversion"])
    ]
    assert (conv["p_high"] >= conv["p_low"]).all()
    slip = table[(table["driver"] == "slip_months") & (table["metric"] == "domestic_capital")].iloc[
        0
    ]
    assert (slip["low"], slip["high"]) == (0, 1) and slip["p_low"] == slip["p_base"]
    top = tornado(table, "domestic_capital", 3)
    assert len(top) == 3 and top["swing"].is_monotonic_decreasing
    assert "arrival_ratio.mean" in set(top["driver"])  # money arrives, not signatures


def goal_zone(tmp_path, **kw):
    """One started project: 5 arrived in its first six months, so it keeps a pace of 5/6 a
    month and ends at 10. Capital signed now starts in July and pays 1/12 of itself a month."""
    drivers = {**CERTAIN, "unplanned_share": {"mean": 1}}
    return make_zone(
        tmp_path,
        [
            project(
                "A", "started", planned_inflow=10, signed_date="2019-10-01", start_date="2020-01-15"
            )
        ],
        [{"project_id": "A", "month": "2020-03-01", "amount": 5.0}],
        targets={"domestic_capital": {"annual": 12}},
        drivers=drivers,
        **kw,
    )


def test_goal_seek_signed_capital_is_exact_when_nothing_is_random(tmp_path):
    engine = Engine(goal_zone(tmp_path), as_of=AS_OF, trials=200, seed=1)
    r = goal_seek(engine, "domestic_capital", 0.8)
    # Short by 2; 1亿元 signed now pays 6/12 by December: 4亿元.
    assert r.current == 0.0 and r.reachable
    assert r.extra == pytest.approx(4.0, rel=1e-6) and r.achieved == 1.0 and r.unit == "CNY"


def test_goal_seek_signed_capital_is_the_least_that_reaches_the_level():
    engine = sample_engine()
    r = goal_seek(engine, "domestic_capital", 0.999)
    assert r.current < 0.999 <= r.achieved and r.extra > 0
    fc = engine.forecast()
    gain = engine.signed_capital_yield(fc.drivers, "domestic_capital")

    def p(x: float) -> float:
        return float(reached(fc.year_end("domestic_capital") + x * gain, 56).mean())

    assert p(r.extra) == r.achieved >= 0.999
    assert p(r.extra * 0.999) < 0.999
    assert r.current < 0.5
    assert goal_seek(engine, "domestic_capital", r.current / 2).extra == 0.0  # already as likely


def test_goal_seek_counts_cannot_use_signed_capital_and_levels_are_checked():
    engine = sample_engine()
    with pytest.raises(InputError, match="china500_signings is a count"):
        goal_seek(engine, "china500_signings", 0.8)
    with pytest.raises(InputError, match=r"probability must be in \(0, 1\], got 1.2"):
        goal_seek(engine, "domestic_capital", 1.2)
    with pytest.raises(InputError, match="unknown lever 'luck'"):
        goal_seek(engine, "domestic_capital", 0.8, "luck")
    with pytest.raises(InputError, match="not an assessed target"):
        goal_seek(engine, "nothing", 0.8)


def test_goal_seek_events_finds_the_fewest():
    engine = sample_engine()
    r = goal_seek(engine, "china500_signings", 0.35, "events")
    assert r.reachable and r.extra >= 1 and r.achieved >= 0.35
    plan = engine.base_plan
    extra = candidate_events(engine, engine.params.drivers, plan)
    assert r.events.equals(extra.head(int(r.extra)).reset_index(drop=True))
    fewer = pd.concat([plan, extra.head(int(r.extra) - 1)[["event_id", "month"]]])
    assert engine.forecast(plan=fewer).targets.loc["china500_signings", "p_attain"] < 0.35
    assert (extra["month"] > engine.month).all()
    held = set(zip(plan["event_id"], plan["month"], strict=True))
    assert not set(zip(extra["event_id"], extra["month"], strict=True)) & held


def test_goal_seek_events_out_of_reach(tmp_path):
    zone = make_zone(
        tmp_path,
        [project("X", "lead")],
        targets={"domestic_capital": {"annual": 5}, "china500_signings": {"annual": 3}},
        events=[event("EV1", months=(8,), expected_leads=5, conversion=0.1, share_500=0.5)],
        drivers=CERTAIN,
    )
    engine = Engine(zone, as_of=AS_OF, trials=300, seed=2)
    r = goal_seek(engine, "china500_signings", 0.9, "events", kind="domestic")
    assert r.extra is None and not r.reachable and r.achieved < 0.9
    assert r.events["event_id"].tolist() == ["EV1"]
    with pytest.raises(InputError, match="no events of kind 'cloud'"):
        goal_seek(engine, "china500_signings", 0.9, "events", kind="cloud")
