"""Time already spent in a stage, in closed form (a mixture cure model): a project ever
advances with probability p after a lognormal lag L (mean `months_to_*`, log-sd `lag_sigma`);
one that has waited e months advances with p·S(e) / (1 - p + p·S(e)), after L - e given L > e."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from tests.sim_zones import AS_OF, CERTAIN, make_zone, project
from workbook.forecast import draws
from workbook.forecast.engine import Engine


def survival(x: float, mean: float, sigma: float) -> float:
    """P(L > x), L lognormal with mean `mean` and log-sd `sigma` (scipy's parametrisation)."""
    return float(stats.lognorm(s=sigma, scale=mean * math.exp(-sigma * sigma / 2)).sf(x))


def p_by(month: int, p: float, mean: float, sigma: float, waited: float, base: int) -> float:
    """P(the milestone falls in a month <= `month`, counted from `base`) after waiting."""
    s = survival(waited, mean, sigma)
    p_e = p * s / (1 - p + p * s)
    k = month - base
    return p_e * (1 - survival(waited + k, mean, sigma) / s)


@pytest.mark.parametrize("waited", [0.5, 3.0, 8.25, 30.0])
@pytest.mark.parametrize("p, mean, sigma", [(0.7, 4.0, 0.6), (0.9, 8.0, 1.0), (0.3, 2.0, 0.3)])
def test_stuck_table_is_the_conditioned_mixture(p, mean, sigma, waited):
    s = survival(waited, mean, sigma)
    assert draws.p_still_advancing(p, mean, sigma, waited) == pytest.approx(
        p * s / (1 - p + p * s), rel=1e-9
    )
    table = draws.stuck_table(p, mean, sigma, 6, 1, waited)
    for month in range(7, 13):
        share = np.count_nonzero(table <= month) / draws.Q
        assert share == pytest.approx(p_by(month, p, mean, sigma, waited, 6), abs=2 / draws.Q)
    assert table.min() >= 7  # at least a month after the as-of month


def test_no_time_waited_is_the_plain_month_table():
    for args in ((0.7, 4.0, 0.6, 6, 1), (1.0, 1.0, 0.0, 6, 1), (0.5, 9.0, 1.2, 3, 0)):
        assert np.array_equal(draws.stuck_table(*args, 0.0), draws.month_table(*args))
        assert np.array_equal(draws.stuck_table(*args, 1e-9), draws.month_table(*args))


def test_probability_of_ever_advancing_falls_with_time_stuck():
    values = [draws.p_still_advancing(0.7, 4.0, 0.6, e) for e in (0, 2, 4, 8, 16, 32)]
    assert values[0] == pytest.approx(0.7)
    assert all(a > b for a, b in zip(values, values[1:], strict=False))
    assert draws.p_still_advancing(0.7, 1.0, 0.0, 2.0) == 0.0  # past a certain lag: never


def test_engine_conditions_start_on_the_months_since_signing(tmp_path):
    """Signed last month vs in January 2018, as of 30 June: P(start by each month) as the
    closed form gives for the months each has waited (the engine counts quarters of a month)."""
    projects = [
        project("NEW", "signed", signed_date="2020-06-01"),
        project("OLD", "signed", signed_date="2018-01-01"),
    ]
    drivers = {"start_probability": 0.7, "months_to_start": 4.0, "lag_sigma": 0.6}
    targets = {"domestic_capital": {"annual": 1}, "new_starts": {"annual": 1}}
    zone = make_zone(tmp_path, projects, targets=targets, drivers=drivers)
    engine = Engine(zone, as_of=AS_OF, trials=20_000, seed=2)
    waited = dict(zip(engine.projects["project_id"], engine.waited, strict=True))
    assert waited == {"NEW": 1.0, "OLD": 30.0}  # 29 and 911 days, to quarters of a month
    fc = engine.forecast()
    p_start = fc.projects.set_index("project_id")["p_start"]
    for pid in ("NEW", "OLD"):
        closed = p_by(12, 0.7, 4.0, 0.6, waited[pid], 6)
        assert p_start[pid] == pytest.approx(closed, abs=0.012), pid
    assert p_start["OLD"] < 0.05 < 0.5 < p_start["NEW"]
    # Month by month, new starts (both projects) follow the sum of the two closed forms.
    monthly = engine.run_pass(fc.setup, months=tuple(range(7, 13)))[
        :, :, engine.keys.index("new_starts")
    ]
    fan = fc.fan("new_starts")
    for j, month in enumerate(range(7, 13)):
        expected = sum(p_by(month, 0.7, 4.0, 0.6, waited[pid], 6) for pid in ("NEW", "OLD"))
        assert monthly[:, j].mean() == pytest.approx(expected, abs=0.015)
        assert fan["p90"].iloc[month - 1] <= 2


def test_stacked_tables_are_the_tables_one_by_one():
    """The engine builds a group's time-in-stage tables in one call: each row is the table
    `stuck_table` gives for its wait, over probabilities, lags, bases and long waits."""
    waits = np.array([0.0, 0.25, 1.0, 5.5, 12.0, 30.0, 100.0])
    for p in (0.0, 0.3, 0.999, 1.0):
        for mean, sigma in ((1.0, 0.0), (6.0, 0.5), (8.3, 1.2)):
            for base in (3, 11, 13):
                stacked = draws.stuck_tables(p, mean, sigma, base, 1, waits)
                for row, e in zip(stacked, waits, strict=True):
                    assert np.array_equal(row, draws.stuck_table(p, mean, sigma, base, 1, e))


def test_pre_signing_stages_age_from_their_stage_date(tmp_path):
    """Three 意向 projects as of 30 June: one without an entry date (fresh), one that entered
    the stage in April 2019 (14 months) and one in May 2020 (a month). Each signs by December
    as the closed form gives for its wait; the old one far less often."""
    projects = [
        project("NEW", "intent"),
        project("OLD", "intent", stage_date="2019-04-30"),
        project("LATE", "intent", stage_date="2020-05-31"),
    ]
    drivers = {
        "stage_probability": {"intent": 0.5},
        "months_to_sign": {"intent": 3.0},
        "lag_sigma": 0.6,
        "start_probability": 0,
        "channels": {"conversion": 0},
    }
    targets = {"domestic_capital": {"annual": 1}, "new_starts": {"annual": 1}}
    zone = make_zone(tmp_path, projects, targets=targets, drivers=drivers)
    engine = Engine(zone, as_of=AS_OF, trials=20_000, seed=3)
    waited = dict(zip(engine.projects["project_id"], engine.waited, strict=True))
    assert waited == {"NEW": 0.0, "OLD": 14.0, "LATE": 1.0}
    p_sign = engine.forecast().projects.set_index("project_id")["p_sign"]
    for pid in ("NEW", "OLD", "LATE"):
        closed = p_by(12, 0.5, 3.0, 0.6, waited[pid], 6)
        assert p_sign[pid] == pytest.approx(closed, abs=0.012), pid
    assert p_sign["OLD"] < 0.1 < 0.4 < p_sign["NEW"]


def test_a_stage_date_of_another_stage_is_not_a_wait(tmp_path):
    """The ledger's stage is 签约 (signed in August), so as of 30 June the project is replayed
    to 意向: its stage date (of the ledger's stage) says nothing of when it became 意向."""
    projects = [project("S", "signed", signed_date="2020-08-01", stage_date="2020-08-01")]
    zone = make_zone(tmp_path, projects)
    engine = Engine(zone, as_of=AS_OF, trials=10, seed=3)
    assert engine.stage.tolist() == ["intent"] and engine.waited.tolist() == [0.0]


@pytest.mark.parametrize("p, mean, sigma", [(1.0, 1.5, 0.0), (0.7, 4.0, 0.6), (1.0, 0.3, 1.0)])
def test_chain_table_follows_an_event_from_within_its_month(p, mean, sigma):
    """A milestone after another: the first at a time uniform within its month, the next a
    lognormal lag later. The table's months (from the first's month) have the law of
    ceil(U + L) - 1, drawn here plainly."""
    rng = np.random.default_rng(0)
    n = 1_000_000
    lag = mean * np.exp(sigma * rng.standard_normal(n) - sigma * sigma / 2) if sigma else mean
    d = np.ceil(rng.random(n) + lag) - 1
    d = np.where(rng.random(n) < p, np.minimum(d, draws.OUT), draws.OUT)
    table = draws.chain_table(p, mean, sigma)
    for k in range(draws.OUT):
        assert np.mean(table <= k) == pytest.approx(np.mean(d <= k), abs=2e-3), k


@pytest.mark.parametrize("sigma, waited", [(0.0, 4.0), (0.0, 30.0), (0.05, 12.0), (0.1, 30.0)])
def test_an_overdue_certain_milestone_comes_next_month(sigma, waited):
    """p = 1 and S(e) = 0 (a lag certain to have ended, or one whose survival underflows):
    the project advances for sure, in the month after the as-of month; not 0/0 = never."""
    assert sigma == 0 or survival(waited, 1.0, sigma) < 1e-100  # mean 1: past it
    assert draws.p_still_advancing(1.0, 1.0, sigma, waited) == 1.0
    assert (draws.stuck_table(1.0, 1.0, sigma, 6, 1, waited) == 7).all()
    stacked = draws.stuck_tables(1.0, 1.0, sigma, 6, 1, np.array([0.0, waited]))
    assert np.array_equal(stacked[0], draws.month_table(1.0, 1.0, sigma, 6, 1))
    assert (stacked[1] == 7).all()
    assert draws.p_still_advancing(0.9, 1.0, sigma, waited) == pytest.approx(0.0, abs=1e-90)


def test_a_certain_milestone_deep_in_its_tail_keeps_the_conditioned_lag():
    """p = 1, S(e) ~ 1e-9: certain to advance, after L - e given L > e (not 0/0)."""
    mean, sigma, waited = 1.0, 0.5, 16.0
    assert 1e-12 < survival(waited, mean, sigma) < 1e-6
    assert draws.p_still_advancing(1.0, mean, sigma, waited) == 1.0
    table = draws.stuck_table(1.0, mean, sigma, 6, 1, waited)
    assert np.array_equal(table, draws.stuck_tables(1.0, mean, sigma, 6, 1, [waited])[0])
    for month in range(7, 13):
        share = np.count_nonzero(table <= month) / draws.Q
        assert share == pytest.approx(p_by(month, 1.0, mean, sigma, waited, 6), abs=2 / draws.Q)


def test_engine_starts_an_overdue_certain_project_next_month(tmp_path):
    """Start certain after exactly one month (sigma 0), signed in March, as of 30 June: it
    starts in July in every trial and pays its plan 1.2 at 0.1 a month from July: 0.6."""
    projects = [project("LATE", "signed", signed_date="2020-03-01", planned_inflow=1.2)]
    targets = {"domestic_capital": {"annual": 0.6}, "new_starts": {"annual": 1}}
    zone = make_zone(tmp_path, projects, targets=targets, drivers=CERTAIN)
    engine = Engine(zone, as_of=AS_OF, trials=500, seed=2)
    assert engine.waited.tolist() == [4.0]
    fc = engine.forecast()
    assert fc.projects.set_index("project_id").loc["LATE", "p_start"] == 1.0
    assert fc.targets["p_attain"].tolist() == [1.0, 1.0]
    assert np.array_equal(fc.year_end("new_starts"), np.ones(500))
    assert np.allclose(fc.year_end("domestic_capital"), 0.6, rtol=0, atol=1e-6)
    starts = fc.fan("new_starts")["p50"].tolist()
    assert starts == [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]
