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
from workbook.forecast.setup import EXTRA_SLOTS
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


# Ten signed projects with a plan (whose codes the extra projects below never share: another
# group) and money that depends on when, and whether, they start: the goal seek's extra
# capital carries most of the target, so the trials it must rescue are the bad years.
CLIMATE_DRIVERS = {
    "start_probability": 0.6,
    "months_to_start": 2,
    "lag_sigma": 0.5,
    "production_probability": 0,
    "arrival_ratio": {"mean": 0.5, "concentration": 4},
    "unplanned_share": {"mean": 0.5, "concentration": 4},
    "channels": {"conversion": 0},
}


def _climate_zone(tmp_path, extra: float = 0.0, **drivers):
    """The ten projects, and `extra` 亿元 signed on the as-of date as goal seek models it:
    EXTRA_SLOTS signed projects without a plan, extra / EXTRA_SLOTS each."""
    signed = {"signed_date": str(AS_OF)}
    projects = [project(f"S{i}", "signed", planned_inflow=1.0, **signed) for i in range(10)]
    if extra:
        each = extra / EXTRA_SLOTS
        projects += [
            project(f"G{i}", "signed", total_investment=each, **signed) for i in range(EXTRA_SLOTS)
        ]
    targets = {"domestic_capital": {"annual": 5}}
    return make_zone(tmp_path, projects, targets=targets, drivers={**CLIMATE_DRIVERS, **drivers})


def test_goal_seek_signed_capital_holds_under_the_climate(tmp_path):
    """Under the default climate (shared_shock 0.3, driver_spread 0.1), the capital goal seek
    answers for P = 0.99, put in the ledger as signed projects of the same form and simulated
    again with the same seed, gives P = 0.99 within Monte Carlo error. The answer a yield
    without the climate gave fell short (the extra projects start less in the bad years it
    must rescue); with the climate off both answers agree."""
    trials, level = 20_000, 0.99
    tolerance = 4 * np.sqrt(level * (1 - level) / trials)  # 0.0028

    def p_with(extra: float, **drivers) -> float:
        zone = _climate_zone(tmp_path, extra, **drivers)
        fc = Engine(zone, as_of=AS_OF, trials=trials, seed=3).forecast()
        return float(fc.targets.loc["domestic_capital", "p_attain"])

    def without_climate_yield(engine: Engine) -> float:
        """The answer from a yield drawn without the trial's climate (the old one)."""
        fc = engine.forecast()
        calm = fc.drivers.apply({"shared_shock": 0, "driver_spread": 0})
        gain = engine.signed_capital_yield(calm, "domestic_capital")
        base = fc.year_end("domestic_capital")
        need = np.where(reached(base, 5), 0.0, (5 - base) / gain)
        return float(np.sort(need)[int(np.ceil(level * trials)) - 1])

    engine = Engine(_climate_zone(tmp_path), as_of=AS_OF, trials=trials, seed=3)
    assert engine.params.drivers.shared_shock == 0.3 and engine.params.drivers.driver_spread == 0.1
    r = goal_seek(engine, "domestic_capital", level)
    assert r.current < 0.01 and r.achieved >= level
    assert p_with(r.extra) == pytest.approx(level, abs=tolerance)
    old = without_climate_yield(engine)
    assert r.extra > 1.5 * old  # the climate changes the answer
    assert p_with(old) < level - 10 * tolerance

    calm = {"shared_shock": 0, "driver_spread": 0}
    engine = Engine(_climate_zone(tmp_path, **calm), as_of=AS_OF, trials=trials, seed=3)
    r = goal_seek(engine, "domestic_capital", level)
    assert r.extra == pytest.approx(without_climate_yield(engine), rel=1e-8)
    assert p_with(r.extra, **calm) == pytest.approx(level, abs=tolerance)
