"""Honest uncertainty, in closed form: `shared_shock` (one climate factor per trial) and
`driver_spread` (each family of drivers shifted per trial on the probit scale), both
mean-preserving: every draw stays uniform and a project's draws independent. n projects that start with probability 1/2 each: a trial's count has variance
n/4 + n(n - 1)·arcsin(ρ)/(2π), ρ the correlation of their normal scores."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from scipy import stats

from tests.sim_zones import AS_OF, make_zone, project
from workbook.forecast import draws
from workbook.forecast.engine import Engine
from workbook.zone.drivers import Drivers

N = 40


def _engine(tmp_path, p: float = 0.5, trials: int = 20_000, **climate) -> Engine:
    projects = [project(f"S{i}", "signed", signed_date=str(AS_OF)) for i in range(N)]
    drivers = {
        "start_probability": p,
        "months_to_start": 1,
        "lag_sigma": 0,
        "production_probability": 0,
        "channels": {"conversion": 0},
        **climate,
    }
    targets = {"domestic_capital": {"annual": 1}, "new_starts": {"annual": 1}}
    zone = make_zone(tmp_path, projects, targets=targets, drivers=drivers)
    return Engine(zone, as_of=AS_OF, trials=trials, seed=11)


def _starts(engine: Engine, **drivers) -> np.ndarray:
    d = engine.params.drivers.apply(drivers) if drivers else None
    return engine.forecast(d).year_end("new_starts")


def _variance(rho: float, n: int = N) -> float:
    return n / 4 + n * (n - 1) * math.asin(rho) / (2 * math.pi)


def test_defaults_are_documented_and_on():
    d = Drivers()
    assert d.shared_shock == 0.3 and d.driver_spread == 0.1


def test_both_zero_is_the_previous_model(tmp_path):
    """No climate: each trial's count is exactly the number of its plain codes below the
    threshold (the engine reads the draws it always read)."""
    engine = _engine(tmp_path, shared_shock=0, driver_spread=0, trials=3000)
    fc = engine.forecast()
    assert fc.setup.climate is None
    g = next(g for g in engine.groups if g.stage == "signed")
    counts = []
    for c, n in engine.store.chunks():
        codes = engine.ledger_pass.group_codes(c, n, g)[0]  # the start codes (kinds T, P, R)
        counts.append((codes < draws.threshold(0.5)).sum(axis=1))
    assert np.array_equal(fc.year_end("new_starts"), np.concatenate(counts).astype(float))
    assert fc.year_end("new_starts").var() == pytest.approx(_variance(0.0), rel=0.08)


@pytest.mark.parametrize("shock", [0.5, 1.0])
def test_shared_shock_keeps_each_probability_and_widens_the_joint_spread(tmp_path, shock):
    engine = _engine(tmp_path, shared_shock=shock, driver_spread=0)
    starts = _starts(engine)
    assert starts.mean() / N == pytest.approx(0.5, abs=0.005)  # each project's own P
    rho = shock**2 / (1 + shock**2)
    assert starts.var() == pytest.approx(_variance(rho), rel=0.08)
    assert starts.var() > 3 * _variance(0.0)


def test_shared_shock_is_mean_preserving_for_any_probability(tmp_path):
    """P(start) 0.8, a strong shock: one project still starts in 80% of trials."""
    engine = _engine(tmp_path, p=0.8, shared_shock=1.0, driver_spread=0)
    assert _starts(engine).mean() / N == pytest.approx(0.8, abs=0.006)
    remap = draws.climate_remap(1 / math.sqrt(2.0))  # every level
    levels = (np.arange(draws.CLIMATE_LEVELS) - draws.CLIMATE_MID) * draws.CLIMATE_STEP
    weights = stats.norm.pdf(levels, scale=1 / math.sqrt(2.0))
    below = (remap.reshape(draws.CLIMATE_LEVELS, -1) < draws.threshold(0.8)).mean(axis=1)
    assert np.average(below, weights=weights) == pytest.approx(0.8, abs=1e-3)


def test_driver_spread_moves_a_family_together_and_keeps_each_probability(tmp_path):
    """A probit shift of sd d per family, rescaled so every draw stays uniform: P(start) is
    still p; at p = 1/2 the count's variance is that of correlation d²/(1 + d²)."""
    d = 0.6
    engine = _engine(tmp_path, shared_shock=0, driver_spread=d)
    starts = _starts(engine)
    assert starts.mean() / N == pytest.approx(0.5, abs=0.006)
    assert starts.var() == pytest.approx(_variance(d * d / (1 + d * d)), rel=0.08)
    engine = _engine(tmp_path, p=0.8, shared_shock=0, driver_spread=d)
    assert _starts(engine).mean() / N == pytest.approx(0.8, abs=0.006)


def test_shock_and_spread_together(tmp_path):
    s, d = 0.5, 0.4
    engine = _engine(tmp_path, shared_shock=s, driver_spread=d)
    starts = _starts(engine)
    assert starts.mean() / N == pytest.approx(0.5, abs=0.006)
    rho = (s * s + d * d) / (1 + s * s + d * d)
    assert starts.var() == pytest.approx(_variance(rho), rel=0.08)


@pytest.mark.parametrize("climate", [(0.3, 0.1), (1.0, 0.5)])
def test_a_chain_of_milestones_keeps_its_probability(tmp_path, climate):
    """One 意向 project: it signs (p 0.5, 3 months) and then starts (p 0.7, 8 months), lags
    lognormal (sigma 0.6). P(started by December) from 31 March is the integral of the two
    lags, whatever the climate: the climate moves only its first draw, so its two draws stay
    independent (one factor on both made P(sign and start) rise with the shock)."""
    drivers = {
        "stage_probability": {"intent": 0.5},
        "months_to_sign": {"intent": 3},
        "start_probability": 0.7,
        "months_to_start": 8,
        "lag_sigma": 0.6,
        "production_probability": 0,
        "channels": {"conversion": 0},
    }
    as_of = dt.date(2020, 3, 31)
    targets = {"domestic_capital": {"annual": 1}, "new_starts": {"annual": 1}}
    zone = make_zone(tmp_path, [project("I", "intent")], targets=targets, drivers=drivers)
    engine = Engine(zone, as_of=as_of, trials=60_000, seed=2)
    plain = engine.forecast(engine.params.drivers.apply({"shared_shock": 0, "driver_spread": 0}))
    shock, spread = climate
    moved = engine.forecast(
        engine.params.drivers.apply({"shared_shock": shock, "driver_spread": spread})
    )
    # Exactly: sign month 3 + ceil(L1) (L1 from the as-of month end), start D = ceil(U + L2) - 1
    # months after the signing month (U uniform within it).
    sign = draws.month_table(0.5, 3.0, 0.6, 3, 1)
    start = draws.chain_table(0.7, 8.0, 0.6)
    p_sign = np.bincount(np.minimum(sign, 13), minlength=14) / draws.Q
    p_d = np.bincount(np.minimum(start, 13), minlength=14) / draws.Q
    exact = sum(p_sign[s] * p_d[: 13 - s].sum() for s in range(4, 13))
    se = math.sqrt(exact * (1 - exact) / engine.trials)
    assert plain.year_end("new_starts").mean() == pytest.approx(exact, abs=3 * se)
    assert moved.year_end("new_starts").mean() == pytest.approx(exact, abs=3 * se)


def test_climate_moves_new_deals_together(tmp_path):
    """Three offices, Poisson deals each: under a shock each office's count keeps its
    Poisson law (one draw per trial, moved), but the offices move together, so the total
    spreads more than a sum of independent Poisson counts."""
    offices = [
        {
            "id": f"o{i}",
            "name": f"机构{i}",
            "name_en": f"O{i}",
            "region": "长三角",
            "leads_per_quarter": 60,
        }
        for i in range(3)
    ]
    targets = {"domestic_capital": {"annual": 1}, "new_starts": {"annual": 1}}

    def deals(**climate) -> tuple[np.ndarray, np.ndarray]:
        drivers = {"channels": {"conversion": 0.1}, **climate}
        zone = make_zone(tmp_path, [], targets=targets, offices=offices, drivers=drivers)
        engine = Engine(zone, as_of=AS_OF, trials=8000, seed=4)
        setup = engine.forecast().setup
        trial, source = engine.deal_pass.deals(setup, 0)[:2]
        first = np.bincount(trial[source == 0], minlength=engine.trials)
        return first, np.bincount(trial, minlength=engine.trials)

    first, total = deals(shared_shock=0, driver_spread=0)
    assert first.mean() == pytest.approx(12.0, rel=0.03)  # 60/3 leads a month x 6 x 0.1
    assert total.var() == pytest.approx(total.mean(), rel=0.06)  # Poisson
    first_moved, moved = deals(shared_shock=1.0, driver_spread=0)
    assert first_moved.mean() == pytest.approx(12.0, rel=0.03)
    assert first_moved.var() == pytest.approx(first_moved.mean(), rel=0.08)
    assert moved.mean() == pytest.approx(total.mean(), rel=0.02)
    assert moved.var() > 1.5 * total.var()


def test_the_default_climate_keeps_every_targets_mean_on_the_sample_zone():
    """The sample zone as of 31 March, 40,000 trials: under the default climate (shock 0.3,
    spread 0.1) every target's mean is that of the climate switched off, within 3 Monte Carlo
    standard errors of the paired difference (one factor on all of a project's draws used to
    lift 内资到位 by 2.7%, z 21), and the money targets spread wider."""
    from tests.sim_zones import sample_zone

    engine = Engine(sample_zone(), as_of=dt.date(2020, 3, 31), trials=40_000, seed=1)
    d = engine.params.drivers
    assert (d.shared_shock, d.driver_spread) == (0.3, 0.1)
    off = engine.forecast(d.apply({"shared_shock": 0, "driver_spread": 0}))
    on = engine.forecast(d)
    for metric in engine.keys:
        a, b = on.year_end(metric), off.year_end(metric)
        se = np.std(a - b) / math.sqrt(len(a))
        assert abs(a.mean() - b.mean()) <= 3 * se + 1e-9, (metric, a.mean(), b.mean(), se)
    for metric in ("domestic_capital", "foreign_capital"):
        assert on.year_end(metric).std() > off.year_end(metric).std()
