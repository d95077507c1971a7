"""The roadshow-plan service (workbook.roadshow.service): the one path `workbook plan`, the
review and the planner take. Its as-of rule, its choice of objective, the plan it returns
against the solvers it calls, and the answers without a plan, on the sample zone."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from workbook.forecast.engine import Engine
from workbook.roadshow.judge import compare_plans, plans_for_comparison
from workbook.roadshow.problem import build_problem
from workbook.roadshow.saa import best_plan
from workbook.roadshow.service import (
    PlanRequest,
    default_objective,
    plan_roadshow,
    plan_start,
    resolve_as_of,
    resolve_objective,
)
from workbook.roadshow.solve import greedy_plan, solve
from workbook.text.catalogue import label
from workbook.text.errors import InfeasiblePlanError, InputError
from workbook.zone.loader import load_zone

SAMPLE = "params/jining-2020.yaml"
AS_OF = dt.date(2020, 6, 30)


@pytest.fixture(scope="module")
def zone():
    return load_zone(SAMPLE)


@pytest.fixture(scope="module")
def engine(zone):
    return Engine(zone, as_of=AS_OF, trials=1_000, seed=3)


def _no_arrivals(zone):
    arrivals = zone.ledger.arrivals.iloc[0:0]
    return replace(zone, ledger=replace(zone.ledger, arrivals=arrivals))


def _events(plan):
    return list(zip(plan.table["event_id"], plan.table["month"], strict=True))


def test_a_plan_starts_the_day_after_its_as_of_date(zone, engine):
    assert plan_start(dt.date(2020, 6, 30)) == dt.date(2020, 7, 1)
    assert plan_start(dt.date(2020, 3, 1)) == dt.date(2020, 3, 2)  # March is fact: April on
    asked = PlanRequest(zone, as_of=dt.date(2020, 3, 31))
    assert resolve_as_of(asked, engine) == (dt.date(2020, 3, 31), dt.date(2020, 4, 1))
    # none asked: the engine's, else the end of the last month with arrivals
    assert resolve_as_of(PlanRequest(zone), engine) == (AS_OF, dt.date(2020, 7, 1))
    last = resolve_as_of(PlanRequest(zone))[0]
    month = zone.ledger.arrivals["month"].max()
    assert last.day > 27 and (last.year, last.month) == (month.year, month.month)
    assert resolve_as_of(PlanRequest(zone))[1] == last + dt.timedelta(days=1)


def test_with_nothing_arrived_the_whole_year_is_planned_only_without_simulation(zone):
    empty = _no_arrivals(zone)
    start = dt.date(2020, 1, 1)
    assert resolve_as_of(PlanRequest(empty, simulate=False)) == (start, start)
    with pytest.raises(InputError, match="no arrivals are logged for 2020"):
        resolve_as_of(PlanRequest(empty))
    result = plan_roadshow(PlanRequest(empty, simulate=False, lang="en"))
    assert result.problem.months == tuple(range(1, 13)) and result.as_of == start


def test_the_objective_is_p_domestic_capital_by_default_when_simulated(zone):
    targets = [k for k, _ in zone.params.targets.items()]
    assert default_objective(targets) == "p:domestic_capital"
    assert default_objective(targets, simulate=False) == "expected"
    assert default_objective(["foreign_capital"]) == "expected"
    assert resolve_objective(PlanRequest(zone)) == "p:domestic_capital"
    assert resolve_objective(PlanRequest(zone, objective=" p:all ")) == "p:all"
    with pytest.raises(InputError, match="--objective must be one of expected, p:all"):
        resolve_objective(PlanRequest(zone, objective="p:nothing"))
    with pytest.raises(InputError, match="needs the simulation"):
        resolve_objective(PlanRequest(zone, objective="p:all", simulate=False))


def test_the_expected_value_plan_is_the_solvers_and_is_compared_with_greedy(zone, engine):
    result = plan_roadshow(PlanRequest(zone, objective="expected", budget=200), engine=engine)
    problem = build_problem(zone.params, zone.events, budget=200, as_of=dt.date(2020, 7, 1))
    assert result.problem.months == problem.months == tuple(range(7, 13))
    assert _events(result.plan) == _events(solve(problem))
    assert _events(result.greedy) == _events(greedy_plan(problem))
    assert result.status() == {
        "objective": "expected",
        "samples": 0,
        "gap": result.plan.gap,
        "method": "expected",
        "time_limit_hit": False,
        "p_in_sample": None,
    }
    plans = plans_for_comparison(problem, zone.params, result.plan, result.greedy)
    assert list(result.plans) == list(plans) == ["none", "baseline", "greedy", "optimal"]
    expected = compare_plans(engine, plans)
    assert result.comparison.equals(expected)
    assert result.explanation[0] == "目标：预期年内到位资金加500强签约（期望值）"
    assert result.explanation[1].startswith("计划月份7–12月：截至日期（2020年6月30日）之后的月份")
    assert result.explanation[-2].startswith(f"优化方案：{len(result.plan.table)}场活动")
    assert result.by_value and result.budget == 200.0


def test_the_probability_plan_is_best_plans_and_judged_with_the_plan_held(zone, engine):
    """What the review asks: the default objective's plan and P(attain) with it, no greedy."""
    request = PlanRequest(zone, as_of=AS_OF, compare=False, time_limit=30.0, lang="en")
    result = plan_roadshow(request, engine=engine)
    problem = build_problem(zone.params, zone.events, as_of=dt.date(2020, 7, 1))
    direct = best_plan(engine, problem, "p:domestic_capital", time_limit=30.0, lang="en")
    assert result.objective == "p:domestic_capital" and not result.by_value
    assert _events(result.plan) == _events(direct.plan)
    status = result.status()
    assert status["method"] == direct.method and status["samples"] == 1_000
    assert status["p_in_sample"] == direct.p_in_sample[direct.method]
    assert result.greedy is None and result.comparison is None and result.plans is None
    held = engine.forecast(plan=direct.plan.held()).targets["p_attain"]
    assert result.p_attain.equals(held)
    assert result.explanation[0].startswith(
        "objective: the chance of Domestic capital arrived met (sample average approximation "
        "over S=1,000 trials"
    )
    assert set(result.timings) == {"solve", "judge"}


def test_no_catalogue_and_no_feasible_plan_are_answers_not_crashes(zone, engine):
    bare = replace(zone, events=None)
    result = plan_roadshow(PlanRequest(bare, compare=False), engine=engine)
    assert result.plan is None and result.status() is None
    assert result.problems == (label("review", "plan_none", "zh"),) == result.explanation
    assert result.budget == zone.params.roadshow.budget
    with pytest.raises(InputError, match="the zone has no event catalogue"):
        result.require()

    broke = plan_roadshow(PlanRequest(zone, objective="expected", budget=0), engine=engine)
    assert broke.plan is None and broke.budget == 0.0
    problem = build_problem(zone.params, zone.events, budget=0, as_of=dt.date(2020, 7, 1))
    with pytest.raises(InfeasiblePlanError) as exc:
        solve(problem)
    assert broke.problems == tuple(exc.value.lines()) and broke.problems
    with pytest.raises(InfeasiblePlanError):
        broke.require()


def test_the_plan_says_why_its_events_fall_in_its_months(zone, engine):
    """The months planned are those after the as-of date; a plan that leaves the later ones
    empty says why with an event of its own: held later, it brings less this year."""
    request = PlanRequest(zone, as_of=AS_OF, budget=200, objective="expected", trials=1_000)
    result = plan_roadshow(request, engine=engine)
    lines = result.explanation
    assert lines[1] == (
        "计划月份7–12月：截至日期（2020年6月30日）之后的月份，此前的月份已过，活动只能在各自目录所列月份举办。"
    )
    used = sorted(set(result.plan.table["month"]))
    assert max(used) < 12  # the sample's plan keeps to the early months
    slots = result.problem.slots
    for r in result.plan.table.sort_values("expected_capital", ascending=False).itertuples():
        mine = slots[slots["event_id"] == r.event_id]
        if (mine["month"] > r.month).any():
            break
    late = mine.loc[mine["month"].idxmax()]
    now = float(mine.loc[mine["month"] == r.month, "expected_capital"].iloc[0])
    assert f"例如{r.name}{r.month}月举办预期年内到位{now * 10_000:,.0f}万元，" in lines[2]
    assert lines[2].endswith(
        f"{int(late['month'])}月举办仅{float(late['expected_capital']) * 10_000:,.0f}万元。"
    )
    assert now > float(late["expected_capital"])


def test_p_all_names_the_targets_out_of_reach_and_plans_for_the_rest(zone, engine):
    """On the sample 实际使用外资 cannot be met in any trial whatever is held: p:all leaves it
    out by name and maximises the chance of the other targets together (not 0 for all)."""
    request = PlanRequest(zone, as_of=AS_OF, objective="p:all", compare=False, time_limit=30.0)
    result = plan_roadshow(request, engine=engine)
    choice = result.choice
    gone = dict(choice.out_of_reach)
    assert "foreign_capital" in gone and gone["foreign_capital"] == 0.0
    assert not set(gone) & set(choice.metrics)
    assert len(gone) + len(choice.metrics) == len(dict(zone.params.targets.items()))
    assert choice.trials_in_model > 0  # some trials are the plan's to decide
    assert choice.p_in_sample[choice.method] >= choice.p_in_sample["none"]
    assert result.explanation[0].startswith(
        f"目标：其余{len(choice.metrics)}项目标同时达成的概率最大（样本平均近似，S=1,000次模拟"
    )
    assert result.explanation[1].startswith("无法达成的目标：实际使用外资（0.0%）")
