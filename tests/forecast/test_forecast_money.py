"""Money in the forecast, in closed form (README, "Money"): a project pays a pace X·P/12 a
month from its start month through December; a started project that has paid shows its pace
and keeps it, so a forecast updated with on-pace arrivals keeps its expectation; a start does
not make money jump; a scenario's FX rate moves only the money still to come."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from tests.sim_zones import AS_OF, CERTAIN, make_zone, project
from workbook.forecast.backtest import backtest
from workbook.forecast.campaigns import campaign_forecast
from workbook.forecast.engine import Engine
from workbook.forecast.results import reached

SIGNED = {"signed_date": "2020-06-20"}  # waited less than the 1-month lag: starts in July
STARTED = {"signed_date": "2019-10-01", "start_date": "2020-02-01"}  # paid Feb..Jun: 5 months
EARLY = {"signed_date": "2018-10-01", "start_date": "2019-05-01"}  # pays every month of 2020


def _engine(tmp_path, projects, arrivals, drivers=CERTAIN, trials=200, as_of=AS_OF, **kw):
    tmp_path.mkdir(parents=True, exist_ok=True)
    zone = make_zone(tmp_path, projects, arrivals, drivers=drivers, **kw)
    return Engine(zone, as_of=as_of, trials=trials, seed=5)


def _arrived(pid: str, amount: float, month: str = "2020-03-01", **kw) -> dict:
    return {"project_id": pid, "month": month, "amount": amount, **kw}


def test_a_signed_project_pays_its_pace_from_its_start_month(tmp_path):
    """Plan 12, pace 1 (ratio 1), 10 arrived before it started, starts in July for certain:
    1 a month July..December on top of the 10: ends at 16, month by month."""
    engine = _engine(
        tmp_path, [project("A", "signed", planned_inflow=12, **SIGNED)], [_arrived("A", 10)]
    )
    fc = engine.forecast()
    assert np.allclose(fc.year_end("domestic_capital"), 16.0, rtol=0, atol=1e-5)
    assert fc.projects.set_index("project_id").loc["A", "expected_contribution"] == pytest.approx(
        6.0, abs=1e-5
    )
    fan = fc.fan("domestic_capital")["p50"].tolist()
    assert fan[5:] == pytest.approx([10, 11, 12, 13, 14, 15, 16], abs=1e-5)
    at = engine.run_pass(fc.setup, months=(7, 8, 12))[:, :, 0]
    assert np.allclose(at, [1.0, 2.0, 6.0], atol=1e-5)


def test_a_started_project_keeps_the_pace_it_has_shown(tmp_path):
    """Started 1 February, 5 arrived by June (5 months paid): 1 a month for the six months
    left, whatever `arrival_ratio` says (its pace is known): ends at 11."""
    projects = [project("A", "started", planned_inflow=10, **STARTED)]
    engine = _engine(tmp_path, projects, [_arrived("A", 5)], trials=400)
    base = engine.params.drivers
    for mean in (1.0, 0.0, 0.6):
        fc = engine.forecast(base.replace("arrival_ratio", {"mean": mean}))
        assert np.allclose(fc.year_end("domestic_capital"), 11.0, atol=1e-5)
    fan = engine.forecast().fan("domestic_capital")["p50"].tolist()
    assert fan[5:] == pytest.approx([5 + i for i in range(7)], abs=1e-5)


def test_a_started_project_with_nothing_arrived_draws_its_pace(tmp_path):
    """Started, plan 10, nothing arrived yet: a pace X (mean 0.6) from July, 6 months:
    0.6 x 10/12 x 6 = 3.0 on average, 5.0 at ratio 1."""
    projects = [project("A", "started", planned_inflow=10, **STARTED)]
    engine = _engine(tmp_path, projects, [], trials=4000)
    base = engine.params.drivers
    fc = engine.forecast(base.replace("arrival_ratio", {"mean": 1.0}))
    assert np.allclose(fc.year_end("domestic_capital"), 5.0, atol=1e-5)
    fc = engine.forecast(base.replace("arrival_ratio", {"mean": 0.6, "concentration": 10_000}))
    assert fc.year_end("domestic_capital").mean() == pytest.approx(3.0, abs=2e-3)
    fc = engine.forecast(base.replace("arrival_ratio", {"mean": 0.6}))  # the default spread
    assert fc.year_end("domestic_capital").mean() == pytest.approx(3.0, abs=0.05)


def test_a_lead_that_signs_pays_from_its_start(tmp_path):
    """A lead with plan 12 and 10 arrived signs in July with probability 0.2; a deal signed
    within July starts one month on (a 1-month lag from a time within July lands in August)
    and pays 1 a month August..December: 15 or 10."""
    drivers = {**CERTAIN, "stage_probability": {**CERTAIN["stage_probability"], "lead": 0.2}}
    engine = _engine(
        tmp_path, [project("L", "lead", planned_inflow=12)], [_arrived("L", 10)], drivers, 2000
    )
    fc = engine.forecast()
    ye = fc.year_end("domestic_capital")
    assert set(np.round(ye, 5)) == {10.0, 15.0}
    assert np.isclose(ye, 15.0).mean() == pytest.approx(0.2, abs=0.03)
    monthly = engine.run_pass(fc.setup, months=tuple(range(7, 13)))[:, :, 0]
    signers = np.isclose(ye, 15.0)
    assert np.allclose(monthly[signers], [0, 1, 2, 3, 4, 5], atol=1e-5)
    assert np.allclose(monthly[~signers], 0, atol=1e-6)


def test_on_pace_arrivals_keep_the_expectation(tmp_path):
    """Coherence: started before the year, plan 10, pace drawn with mean 0.6. The 31 January
    forecast (0.5 arrived in January) expects 0.5 a month, 6.0 in all; with arrivals at that
    pace through June, the 30 June forecast still expects 6.0 (it used to drift up to 7.2)."""
    projects = [project("A", "started", planned_inflow=10, **EARLY)]
    drivers = {**CERTAIN, "arrival_ratio": {"mean": 0.6}}
    jan = _engine(
        tmp_path / "jan",
        projects,
        [_arrived("A", 0.5, "2020-01-01")],
        drivers,
        as_of=dt.date(2020, 1, 31),
    )
    jan_mean = jan.forecast().year_end("domestic_capital").mean()
    assert jan_mean == pytest.approx(6.0, abs=1e-5)
    on_pace = [_arrived("A", 0.5, f"2020-{m:02d}-01") for m in range(1, 7)]
    jun = _engine(tmp_path / "jun", projects, on_pace, drivers)
    assert jun.forecast().year_end("domestic_capital").mean() == pytest.approx(jan_mean, abs=1e-5)


def test_a_start_does_not_make_money_jump(tmp_path):
    """Coherence at a start: signed, plan 12, certain to start in October at pace 1 (ratio 1).
    The 30 September forecast expects 3 (October..December); on 31 October, started with the
    October payment of 1 arrived, it expects 1 + 2 = 3 (it used to jump to the whole plan)."""
    signed = [project("A", "signed", planned_inflow=12, signed_date="2020-09-20")]
    sep = _engine(tmp_path / "sep", signed, [], as_of=dt.date(2020, 9, 30))
    assert np.allclose(sep.forecast().year_end("domestic_capital"), 3.0, atol=1e-5)
    started = [
        project(
            "A", "started", planned_inflow=12, signed_date="2020-09-20", start_date="2020-10-05"
        )
    ]
    octo = _engine(
        tmp_path / "oct", started, [_arrived("A", 1.0, "2020-10-01")], as_of=dt.date(2020, 10, 31)
    )
    assert np.allclose(octo.forecast().year_end("domestic_capital"), 3.0, atol=1e-5)


def test_scenario_fx_applies_to_money_still_to_come_only(tmp_path):
    """外资, started 1 February; 0.5亿美元 and 2.5亿元 arrived (5亿元 at the params' 5 CNY/USD over
    5 months: a pace of 1亿元 a month), so 6亿元 to come. At 5: 1 + 1.2; a scenario at 10: the
    facts stay 1 (not 0.75), and what is to come is 0.6."""
    projects = [project("F", "started", capital_type="foreign", planned_inflow=7, **STARTED)]
    arrivals = [_arrived("F", 0.5, currency="USD"), _arrived("F", 2.5, "2020-04-01")]
    targets = {
        "domestic_capital": {"annual": 1},
        "foreign_capital": {"annual": 1, "currency": "USD"},
    }
    engine = _engine(tmp_path, projects, arrivals, targets=targets)
    fc = engine.forecast()
    assert fc.facts["foreign_capital"] == pytest.approx(1.0)
    assert np.allclose(fc.year_end("foreign_capital"), 2.2, atol=1e-6)
    fc10 = engine.forecast(engine.params.drivers.replace("fx_cny_per_usd", 10.0))
    assert fc10.facts["foreign_capital"] == pytest.approx(1.0)
    assert fc10.targets.loc["foreign_capital", "actual_to_date"] == pytest.approx(1.0)
    assert np.allclose(fc10.year_end("foreign_capital"), 1.6, atol=1e-6)
    fan = fc10.fan("foreign_capital")
    assert fan["actual"].iloc[5] == pytest.approx(1.0)
    assert fan["p50"].iloc[-1] == pytest.approx(1.6, abs=1e-6)


def _reach_zone(tmp_path, annual: float, **kw):
    """Started before the year, 0.7 arrived by June (its pace shown: 0.7/6 a month), 0.7 more
    logged in December: the year ends at 1.4 exactly, in the forecast and in fact (the
    forecast's float32 sum is 1.39999999)."""
    return make_zone(
        tmp_path,
        [project("A", "started", planned_inflow=1.0, **EARLY)],
        [_arrived("A", 0.7), _arrived("A", 0.7, "2020-12-01")],
        targets={"domestic_capital": {"annual": annual, "stretch": annual}},
        drivers=CERTAIN,
        **kw,
    )


def test_a_certain_target_is_met_despite_float_rounding(tmp_path):
    """Attain, stretch, a campaign goal and the backtest's `met` all judge reaching a level
    with the one tolerance (1e-6 of max(1, level)): P = 1 at 1.4, P = 0 at 1.4 + 3e-6."""
    campaign = {"name": "下半年", "start": "2020-07-01", "days": 184, "goals": {}}
    campaign["goals"] = {"domestic_capital": 0.7}
    zone = _reach_zone(tmp_path, 1.4, campaigns=[campaign])
    engine = Engine(zone, as_of=AS_OF, trials=200, seed=5)
    fc = engine.forecast()
    assert np.allclose(fc.year_end("domestic_capital"), 1.4, rtol=0, atol=1e-6)
    row = fc.targets.loc["domestic_capital"]
    assert (row["p_attain"], row["p_stretch"], fc.p_all) == (1.0, 1.0, 1.0)
    goals = campaign_forecast(engine, "下半年").set_index("metric")
    assert goals.loc["domestic_capital", "p_met"] == 1.0
    bt = backtest(zone, "2020Q2", trials=200, horizon=dt.date(2020, 12, 31))
    assert bt.forecasts["p_attain"].tolist() == [1.0] and bt.forecasts["met"].tolist() == [True]

    above = Engine(_reach_zone(tmp_path, 1.4 + 3e-6), as_of=AS_OF, trials=200, seed=5)
    row = above.forecast().targets.loc["domestic_capital"]
    assert (row["p_attain"], row["p_stretch"]) == (0.0, 0.0)
    assert reached(np.array([1 - 0.9e-6, 1 - 1.1e-6]), 1.0).tolist() == [True, False]
    assert reached(np.array([100 - 0.9e-4, 100 - 1.1e-4]), 100.0).tolist() == [True, False]
