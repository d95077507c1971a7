"""Money in the forecast, in closed form: arrived money is netted against the plan of every
project (started or not), `arrival_ratio` is the share of what is still to come of the year's
plan, and a scenario's FX rate moves only the money still to come."""

from __future__ import annotations

import numpy as np
import pytest

from tests.sim_zones import AS_OF, CERTAIN, make_zone, project
from workbook.forecast.engine import Engine

SIGNED = {"signed_date": "2020-06-20"}  # waited less than the 1-month lag
STARTED = {"signed_date": "2019-10-01", "start_date": "2020-02-01"}


def _engine(tmp_path, projects, arrivals, drivers=CERTAIN, trials=200, **kw) -> Engine:
    zone = make_zone(tmp_path, projects, arrivals, drivers=drivers, **kw)
    return Engine(zone, as_of=AS_OF, trials=trials, seed=5)


def _arrived(pid: str, amount: float, month: str = "2020-03-01", **kw) -> dict:
    return {"project_id": pid, "month": month, "amount": amount, **kw}


@pytest.mark.parametrize("stage, dates", [("signed", SIGNED), ("started", STARTED)])
def test_arrived_money_is_netted_for_started_and_not_started_alike(tmp_path, stage, dates):
    """Plan 12, 10 arrived, ratio 1 (a signed one starts in July for certain): ends at 12."""
    engine = _engine(
        tmp_path, [project("A", stage, planned_inflow=12, **dates)], [_arrived("A", 10)]
    )
    fc = engine.forecast()
    assert np.allclose(fc.year_end("domestic_capital"), 12.0, rtol=0, atol=1e-5)
    assert fc.projects.set_index("project_id").loc["A", "expected_contribution"] == pytest.approx(
        2.0, abs=1e-5
    )
    fan = fc.fan("domestic_capital")["p50"].tolist()
    if stage == "signed":  # at the plan's pace (1 a month) from July until the 2 have come
        assert fan[5:] == pytest.approx([10, 11, 12, 12, 12, 12, 12], abs=1e-5)
    else:  # started: the 2 still to come, evenly over the six months left
        assert fan[5:] == pytest.approx([10 + i / 3 for i in range(7)], abs=1e-5)


def test_netting_stops_part_way_through_a_month(tmp_path):
    """Plan 12, 10.5 arrived: 1 in July and the last 0.5 in August, month by month and at
    year end (the fan's histograms and the per-month sums agree)."""
    engine = _engine(
        tmp_path, [project("A", "signed", planned_inflow=12, **SIGNED)], [_arrived("A", 10.5)]
    )
    fc = engine.forecast()
    assert np.allclose(fc.year_end("domestic_capital"), 12.0, atol=1e-5)
    fan = fc.fan("domestic_capital")["p50"].tolist()
    assert fan[5:] == pytest.approx([10.5, 11.5, 12, 12, 12, 12, 12], abs=1e-5)
    at = engine._run(fc._setup, months=(7, 8, 12))[:, :, 0]
    assert np.allclose(at, [1.0, 1.5, 1.5], atol=1e-5)


def test_sparse_stage_nets_too(tmp_path):
    """A lead (few sign: the sparse path) with plan 12 and 10 arrived signs in July with
    probability 0.2, starts in August and then brings the 2 still to come: 12 or 10."""
    drivers = {**CERTAIN, "stage_probability": {**CERTAIN["stage_probability"], "lead": 0.2}}
    engine = _engine(
        tmp_path, [project("L", "lead", planned_inflow=12)], [_arrived("L", 10)], drivers, 2000
    )
    fc = engine.forecast()
    ye = fc.year_end("domestic_capital")
    assert set(np.round(ye, 5)) == {10.0, 12.0}
    assert np.isclose(ye, 12.0).mean() == pytest.approx(0.2, abs=0.03)
    monthly = engine._run(fc._setup, months=tuple(range(7, 13)))[:, :, 0]
    signers = np.isclose(ye, 12.0)
    assert np.allclose(monthly[signers], [0, 1, 2, 2, 2, 2], atol=1e-5)
    assert np.allclose(monthly[~signers], 0, atol=1e-6)


def test_arrival_ratio_is_a_share_of_what_is_still_to_come(tmp_path):
    """Started, plan 10, 5 arrived by June: ratio 1 ends at 10, ratio 0 stays at 5, mean 0.6
    adds 0.6 x 5 = 3.0 on average; a project ahead of its plan stays ahead."""
    projects = [project("A", "started", planned_inflow=10, **STARTED)]
    engine = _engine(tmp_path, projects, [_arrived("A", 5)], trials=4000)
    base = engine.params.drivers
    for mean, end in ((1.0, 10.0), (0.0, 5.0)):
        fc = engine.forecast(base.replace("arrival_ratio", {"mean": mean}))
        assert np.allclose(fc.year_end("domestic_capital"), end, atol=1e-5)
    fc = engine.forecast(base.replace("arrival_ratio", {"mean": 0.6, "concentration": 10_000}))
    added = fc.year_end("domestic_capital") - 5
    assert added.mean() == pytest.approx(3.0, abs=2e-3)
    fc = engine.forecast(base.replace("arrival_ratio", {"mean": 0.6}))  # the default spread
    assert (fc.year_end("domestic_capital") - 5).mean() == pytest.approx(3.0, abs=0.03)

    ahead = _engine(tmp_path, projects, [_arrived("A", 12)]).forecast()
    assert np.allclose(ahead.year_end("domestic_capital"), 12.0, atol=1e-6)


def test_scenario_fx_applies_to_money_still_to_come_only(tmp_path):
    """外资, started, plan 7亿元; 0.5亿美元 and 2.5亿元 arrived (1亿美元 = 5亿元 at the params'
    5 CNY/USD), ratio 1: 2亿元 still to come. At 5: 1 + 0.4; a scenario at 10: the facts stay
    1 (not 0.75), and what is to come is 0.2."""
    projects = [project("F", "started", capital_type="foreign", planned_inflow=7, **STARTED)]
    arrivals = [_arrived("F", 0.5, currency="USD"), _arrived("F", 2.5, "2020-04-01")]
    targets = {
        "domestic_capital": {"annual": 1},
        "foreign_capital": {"annual": 1, "currency": "USD"},
    }
    engine = _engine(tmp_path, projects, arrivals, targets=targets)
    fc = engine.forecast()
    assert fc.facts["foreign_capital"] == pytest.approx(1.0)
    assert np.allclose(fc.year_end("foreign_capital"), 1.4, atol=1e-6)
    fc10 = engine.forecast(engine.params.drivers.replace("fx_cny_per_usd", 10.0))
    assert fc10.facts["foreign_capital"] == pytest.approx(1.0)
    assert fc10.targets.loc["foreign_capital", "actual_to_date"] == pytest.approx(1.0)
    assert np.allclose(fc10.year_end("foreign_capital"), 1.2, atol=1e-6)
    fan = fc10.fan("foreign_capital")
    assert fan["actual"].iloc[5] == pytest.approx(1.0)
    assert fan["p50"].iloc[-1] == pytest.approx(1.2, abs=1e-6)
