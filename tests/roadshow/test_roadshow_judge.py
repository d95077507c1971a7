"""Plans judged by the scenario engine: the optimiser's expected values are the simulation's,
and on common random numbers a plan that adds events never lowers P(attain)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from workbook.forecast.engine import Engine
from workbook.roadshow.judge import (
    ALL,
    baseline_plan,
    compare_plans,
    p_attain_frontier,
    plans_for_comparison,
)
from workbook.roadshow.problem import build_problem
from workbook.roadshow.solve import greedy_plan, solve
from workbook.zone.loader import load_zone

SAMPLE = "params/jining-2020.yaml"
AS_OF = dt.date(2020, 3, 31)


@pytest.fixture(scope="module")
def zone():
    return load_zone(SAMPLE)


@pytest.fixture(scope="module")
def engine(zone):
    return Engine(zone, as_of=AS_OF, trials=20_000, seed=7)


@pytest.fixture(scope="module")
def problem(zone):
    return build_problem(zone.params, zone.events, as_of=AS_OF)


def test_expected_values_match_the_simulation_event_by_event(problem, engine):
    plan = solve(problem)
    src = engine.forecast(plan=plan.held()).sources
    sim = src[src["kind"] == "event"].set_index("source")
    mine = plan.table.set_index("event_id")
    assert set(sim.index) == set(mine.index)
    for col in ("expected_capital", "expected_500"):
        a, b = sim.loc[mine.index, col].to_numpy(), mine[col].to_numpy()
        # per event within Monte Carlo noise; the plan's total within 3%
        assert np.allclose(a, b, rtol=0.25, atol=0.01), col
        assert a.sum() == pytest.approx(b.sum(), rel=0.03), col


def test_more_events_never_lower_p_attain_on_common_random_numbers(zone, problem, engine):
    best, greedy = solve(problem), greedy_plan(problem)
    plans = plans_for_comparison(problem, zone.params, best, greedy)
    assert list(plans) == ["none", "baseline", "greedy", "optimal"]
    assert set(plans["baseline"]["month"]) <= set(problem.months)
    table = compare_plans(engine, plans, lang="zh")
    assert list(table.columns) == ["label", "target", "none", "baseline", "greedy", "optimal"]
    assert table.loc["domestic_capital", "label"] == "内资到位"
    assert table.loc["domestic_capital", "target"] == 56
    assert table.loc[ALL, "label"] == "全部目标"
    p = table[["none", "baseline", "greedy", "optimal"]]
    assert ((p >= 0) & (p <= 1)).all().all()
    assert (p["optimal"] >= p["none"]).all() and (p["greedy"] >= p["none"]).all()
    assert p.loc["china500_signings", "optimal"] > p.loc["china500_signings", "none"]


def test_baseline_plan_comes_from_the_params_or_the_scenario(zone):
    base = baseline_plan(zone.params)
    assert list(base.columns) == ["event_id", "month"] and len(base) == len(zone.params.event_plan)
    assert baseline_plan(zone.params, "疫情延迟").equals(base)  # the scenario keeps the plan
    assert baseline_plan(zone.params.model_copy(update={"event_plan": ()})) is None


def test_frontier_rises_with_the_budget(problem, engine):
    df = p_attain_frontier(engine, problem, [0, 120, 200, 400], metrics=["china500_signings"])
    assert set(df["budget"]) == {120, 200, 400}  # 0万元 cannot meet the office requirement
    opt = df[df["plan"] == "optimal"].sort_values("budget")
    assert opt["objective"].is_monotonic_increasing
    assert (opt["cost"] <= opt["budget"]).all()
    assert opt["p_attain"].iloc[-1] >= opt["p_attain"].iloc[0]
    assert set(df["plan"]) == {"optimal", "greedy"}
