"""The probability objective for the roadshow plan (workbook.roadshow.saa): the SAA model on
hand-made trials, the objectives, the fall-back, and on the sample zone a chosen plan that is
never below the greedy, the expected-value or the no-new-events plan on the same numbers."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from tests.roadshow_fixtures import catalogue, event, zone_params
from workbook.forecast.engine import Engine
from workbook.roadshow.judge import compare_plans
from workbook.roadshow.problem import build_problem
from workbook.roadshow.relax import EventBound
from workbook.roadshow.saa import best_plan, objective_metrics, out_of_reach, p_of, saa_milp
from workbook.roadshow.solve import greedy_plan, solve
from workbook.text.errors import InputError
from workbook.zone.loader import load_zone

SAMPLE = "params/jining-2020.yaml"
AS_OF = dt.date(2020, 6, 30)


def _tiny_problem(budget: float = 30):
    """Three events in July, one affordable at a time; no office must run one, no cloud."""
    params = zone_params(offices=0, budget=budget, min_cloud_events=0, blocked_holidays=[])
    events = catalogue(
        event("A", "yrd", 30, (7,), leads=5),
        event("B", "prd", 30, (7,), leads=40),  # the largest expected value
        event("C", "chamber", 30, (7,), leads=10),
    )
    problem = build_problem(params, events, as_of=dt.date(2020, 7, 1))
    assert list(problem.slots["event_id"]) == ["A", "B", "C"]
    return problem


def test_saa_picks_the_event_that_rescues_most_trials_not_the_largest_mean():
    problem = _tiny_problem()
    # four trials, target 10: trial 3 is met without events; A lifts trials 0-2 just over,
    # B adds a lot but only to trial 2, C half of what trial 0 needs
    base = np.array([[9.0], [9.5], [9.0], [12.0]])
    contrib = np.zeros((4, 1, 3))
    contrib[:, 0, 0] = [1.0, 0.5, 1.0, 0.0]
    contrib[:, 0, 1] = [0.0, 0.0, 8.0, 8.0]
    contrib[:, 0, 2] = [0.5, 0.0, 0.0, 0.0]
    goal = np.array([10.0])
    chosen, res, m = saa_milp(problem, base, contrib, goal)
    assert res.status == 0 and m == 3  # trial 3 needs no decision
    assert chosen == [0]
    assert p_of(base, contrib, goal, chosen) == 1.0
    assert p_of(base, contrib, goal, [1]) == 0.5 and p_of(base, contrib, goal, []) == 0.25
    # the expected-value plan takes B (most leads), worse on these trials
    assert list(solve(problem).table["event_id"]) == ["B"]
    # with budget for two, A and B together: still every trial, and B adds expected value
    chosen2, res2, _ = saa_milp(problem.with_budget(60), base, contrib, goal)
    assert res2.status == 0 and sorted(chosen2) == [0, 1]


def test_a_trial_no_plan_can_rescue_is_left_out_of_the_model():
    problem = _tiny_problem()
    base = np.array([[1.0], [9.0]])
    contrib = np.zeros((2, 1, 3))
    contrib[:, 0, :] = [[1.0, 1.0, 1.0], [0.0, 0.2, 1.0]]
    chosen, res, m = saa_milp(problem, base, contrib, np.array([10.0]))
    assert m == 1 and chosen == [2]


def test_objectives_name_targets_and_unknown_ones_are_refused():
    targets = ["domestic_capital", "foreign_capital"]
    assert objective_metrics("p:domestic_capital", targets) == ("domestic_capital",)
    assert objective_metrics("p:all", targets) == ("domestic_capital", "foreign_capital")
    assert objective_metrics("expected", targets) == ()
    with pytest.raises(InputError) as err:
        objective_metrics("p:内资", targets)
    assert "p:domestic_capital" in str(err.value) and "p:内资" in str(err.value)


@pytest.fixture(scope="module")
def sample():
    zone = load_zone(SAMPLE)
    engine = Engine(zone, as_of=AS_OF, trials=4000, seed=3)
    problem = build_problem(zone.params, zone.events, as_of=AS_OF + dt.timedelta(days=1))
    return engine, problem


def test_the_chosen_plan_is_never_below_greedy_expected_or_none_on_the_same_numbers(sample):
    engine, problem = sample
    result = best_plan(engine, problem, "p:domestic_capital")
    assert result.samples == 4000 and result.metrics == ("domestic_capital",)
    assert result.method in ("saa", "expected", "greedy") and not result.time_limit_hit
    assert result.proven_optimal and result.gap == pytest.approx(0.0, abs=1e-9)
    scores = result.p_in_sample
    chosen = scores[result.method]
    assert chosen >= max(scores["greedy"], scores["expected"], scores["none"])
    # judged by the engine on the same trials, the in-sample figures are the reported ones
    table = compare_plans(
        engine,
        {
            "none": None,
            "greedy": greedy_plan(problem),
            "expected": solve(problem),
            "chosen": result.plan,
        },
    )
    p = table.loc["domestic_capital"]
    assert p["chosen"] == pytest.approx(chosen, abs=1e-12)
    assert p["chosen"] >= p["greedy"] and p["chosen"] >= p["none"] and p["chosen"] >= p["expected"]
    assert not result.plan.table.empty and result.plan.cost <= problem.budget + 1e-9


def test_the_expected_objective_is_the_expected_value_plan(sample):
    engine, problem = sample
    result = best_plan(engine, problem, "expected")
    assert result.method == "expected" and result.samples == 0
    assert result.plan.table["event_id"].tolist() == solve(problem).table["event_id"].tolist()


def test_at_the_time_limit_the_solvers_plan_is_a_candidate_and_the_gap_is_honest(
    sample, monkeypatch
):
    """HiGHS stopped by its time limit: its plan so far competes with the expected-value and
    greedy plans on the same trials, and the gap is of P against HiGHS's bound."""
    engine, problem = sample
    import workbook.roadshow.saa as saa

    real = saa.saa_milp
    above: list[int] = []

    def limited(*args, **kw):
        chosen, res, m = real(*args, **kw)
        res.status = 1  # as HiGHS reports a time limit
        # a bound up to two trials above the plan found (no more than the trials it decides)
        above.append(min(2, m - int(np.floor(-res.fun))))
        res.mip_dual_bound = res.fun - above[-1]
        return chosen, res, m

    monkeypatch.setattr(saa, "saa_milp", limited)
    monkeypatch.setattr(saa, "event_bound", lambda *a, **kw: EventBound(None, (), False))
    result = best_plan(engine, problem, "p:domestic_capital", samples=1000)
    assert result.time_limit_hit and result.samples == 1000 and not result.proven_optimal
    scores = result.p_in_sample
    assert result.method == "saa" and scores["saa"] >= scores["expected"]
    assert above[0] >= 1
    assert result.bound == pytest.approx(scores["saa"] + above[0] / 1000, abs=1e-12)
    assert result.gap == pytest.approx(above[0] / 1000 / result.bound, abs=1e-12)
    assert result.proven == (result.gap <= 0.01)
    assert result.solver() == {
        "proven": result.proven,
        "gap": round(result.gap, 6),
        "seconds": round(result.seconds, 3),
        "samples": 1000,
    }


def test_the_whole_model_asked_for_more_than_the_best_plan_so_far_proves_the_optimum(
    sample, monkeypatch
):
    """Without the events-only bound, the whole model is asked only for plans that meet more
    trials than the best one so far (at_least): whether HiGHS finds one or rules them out,
    the plan taken is the SAA optimum, as the model without the bar finds it."""
    engine, problem = sample
    import workbook.roadshow.saa as saa

    asked = _whole_model_asked(monkeypatch)
    monkeypatch.setattr(saa, "event_bound", lambda *a, **kw: EventBound(None, (), False))
    result = best_plan(engine, problem, "p:domestic_capital", samples=1000, time_limit=600)
    assert asked and asked[-1] is not None and asked[-1] >= 1
    assert result.proven_optimal and result.gap == 0.0 and not result.time_limit_hit
    scores = result.p_in_sample
    assert result.bound == scores[result.method]
    base, contrib, goal = saa.trial_values(engine, problem, ["domestic_capital"], samples=1000)
    chosen, res, _ = saa_milp(problem, base, contrib, goal, time_limit=None)
    assert res.status == 0 and chosen is not None
    assert scores[result.method] == pytest.approx(p_of(base, contrib, goal, chosen), abs=1e-12)


def _whole_model_asked(monkeypatch) -> list[int | None]:
    """Each call of the SAA model from here on, recorded: the trials it was asked to meet more
    than (`at_least`; None: the model as it is)."""
    import workbook.roadshow.saa as saa

    asked: list[int | None] = []

    def recorded(*args, **kw):
        asked.append(kw.get("at_least"))
        return saa_milp(*args, **kw)

    monkeypatch.setattr(saa, "saa_milp", recorded)
    return asked


@pytest.mark.parametrize("confirmed", [True, False])
def test_a_plan_within_the_tolerance_of_a_looser_bound_is_checked_against_the_whole_model(
    sample, monkeypatch, confirmed
):
    """The events' bound one trial above the best plan (as from 30 June): the plan is within
    GAP_TOLERANCE, and a short look at the whole model for a plan meeting one trial more
    makes it optimal when there is none (gap 0); when that look ends without an answer, the
    plan stays proven within the tolerance, at the bound's gap."""
    engine, problem = sample
    import workbook.roadshow.saa as saa

    real_bound, real_milp = saa.event_bound, saa.saa_milp
    asked: list[int | None] = []

    def looser(*args, **kw):
        b = real_bound(*args, **kw)
        return EventBound(b.trials + 1, b.events, b.proven)

    def recorded(*args, **kw):
        asked.append(kw.get("at_least"))
        chosen, res, m = real_milp(*args, **kw)
        if kw.get("at_least") is not None and not confirmed:
            res.status = 1  # time limit: no plan and no proof
            return None, res, m
        return chosen, res, m

    monkeypatch.setattr(saa, "event_bound", looser)
    monkeypatch.setattr(saa, "saa_milp", recorded)
    monkeypatch.setattr(saa, "GAP_TOLERANCE", 1.0)  # one trial in 1000 samples is within it
    result = best_plan(engine, problem, "p:domestic_capital", samples=1000, time_limit=600)
    scores = result.p_in_sample
    met = round((scores[result.method] - scores["none"]) * 1000)
    assert asked[-1] == met + 1
    bound = real_bound(problem, *_decided_values(engine, problem, saa), time_limit=None).trials
    assert bound == met  # the plan is the optimum (the real bound meets it here)
    if confirmed:
        assert result.proven_optimal and result.gap == 0.0
        assert result.bound == scores[result.method]
    else:
        assert not result.proven_optimal and result.proven
        assert result.bound == pytest.approx(scores["none"] + (met + 1) / 1000, abs=1e-12)
        assert result.gap == pytest.approx(1 / 1000 / result.bound, rel=1e-9)  # (bound - P) / bound


def _decided_values(engine, problem, saa):
    """The events' bound's inputs as best_plan gives them: the decided trials' values."""
    base, contrib, goal = saa.trial_values(engine, problem, ["domestic_capital"], samples=1000)
    rows, need, _ = saa.decided_trials(problem, base, contrib, goal)
    return contrib[rows], need[rows]


def test_a_time_limit_without_a_plan_falls_back_to_the_best_candidate_or_better(
    sample, monkeypatch
):
    engine, problem = sample
    import workbook.roadshow.saa as saa

    real = saa.saa_milp

    def limited(*args, **kw):
        _, res, m = real(*args, **kw)
        res.status = 1
        res.mip_dual_bound = None  # no incumbent, no bound
        return None, res, m

    monkeypatch.setattr(saa, "saa_milp", limited)
    monkeypatch.setattr(saa, "event_bound", lambda *a, **kw: EventBound(None, (), False))
    result = best_plan(engine, problem, "p:domestic_capital", samples=1000)
    assert result.time_limit_hit and result.samples == 1000
    scores = result.p_in_sample
    best_candidate = max(scores["expected"], scores["greedy"])
    if result.method == "saa":  # single moves around the best candidate found a better plan
        assert scores["saa"] > best_candidate
    else:
        assert result.method in ("expected", "greedy") and "saa" not in scores
        assert scores[result.method] == best_candidate
    assert result.gap is None and result.bound is None and not result.proven


def test_slot_contributions_from_the_new_deals_equal_whole_forecasts(sample):
    """The fast path (the engine's new-deal part) gives the numbers whole forecasts give."""
    from workbook.roadshow.saa import forecast_contributions, trial_values

    engine, problem = sample
    metrics = ["domestic_capital", "china500_signings"]
    base, fast, goal = trial_values(engine, problem, metrics, samples=1500)
    slow = forecast_contributions(engine, problem, metrics, None, 1500, base)
    np.maximum(slow, 0.0, out=slow)
    assert fast.shape == (1500, 2, len(problem.slots)) and list(goal) == [56.0, 2.0]
    assert np.abs(fast - slow).max() < 1e-9
    assert fast[:, 0, :].sum() > 0 and set(np.unique(fast[:, 1, :])) <= {0.0, 1.0, 2.0, 3.0}


def test_the_zones_own_targets_have_the_same_fast_contributions(sample):
    """A declared metric (the zone's own money and count targets) sits at its place among the
    engine's keys: the new-deal part gives what whole forecasts give for it too."""
    from workbook.roadshow.saa import forecast_contributions, trial_values

    engine, problem = sample
    metrics = ["yrd_domestic", "ten_strong_10"]
    assert all(m in engine.keys for m in metrics)
    base, fast, goal = trial_values(engine, problem, metrics, samples=500)
    slow = forecast_contributions(engine, problem, metrics, None, 500, base)
    np.maximum(slow, 0.0, out=slow)
    assert list(goal) == [12.0, 3.0]
    assert np.abs(fast - slow).max() < 1e-9
    assert fast[:, 0, :].sum() > 0  # events bring 长三角 deals


def test_p_all_leaves_out_the_targets_no_plan_can_meet_with_the_others():
    """Three targets over four trials, every slot held: target 1 is met in no trial (out of
    reach); targets 0 and 2 are each met in some trial but never together, so the one met in
    fewer trials (2) goes too; target 0 alone is left to plan for."""
    base = np.array([[9.0, 0.0, 0.0], [9.0, 0.0, 5.0], [12.0, 0.0, 0.0], [9.0, 0.0, 0.0]])
    contrib = np.zeros((4, 3, 2))
    contrib[:, 0, 0] = [1.0, 0.0, 0.0, 1.0]  # target 0 (goal 10): trials 0, 2, 3
    contrib[:, 1, 1] = [1.0, 1.0, 1.0, 1.0]  # target 1 (goal 5): never
    goal = np.array([10.0, 5.0, 5.0])  # target 2: trial 1 only
    assert out_of_reach(base, contrib, goal) == [1, 2]
    # nothing to leave out when every target can be met together in some trial
    assert out_of_reach(base[:, [0]], contrib[:, [0], :], goal[[0]]) == []


def test_every_slot_in_one_pass_equals_one_pass_per_slot(sample):
    """Engine.event_values (all slots at once, each from its own draws) gives each slot what
    the engine's new-deal part gives with that slot held alone less with none."""
    from workbook.roadshow.saa import _deal_contributions, _held

    engine, problem = sample
    metrics = ["domestic_capital", "global500_signings", "yrd_domestic"]
    one_by_one = _deal_contributions(engine, problem, metrics, None, engine.trials)
    held = _held(problem, range(len(problem.slots)))
    at_once = engine.event_values(None, held, metrics).transpose(0, 2, 1)
    assert at_once.shape == one_by_one.shape == (4000, 3, len(problem.slots))
    assert np.abs(at_once - one_by_one).max() < 1e-9
    assert at_once[:, 0, :].sum() > 0 and at_once[:, 1, :].sum() > 0


def test_no_whole_model_once_the_bound_has_taken_the_time_the_planner_gave(sample, monkeypatch):
    """The events' bound uses its share of the limit and proves nothing: with less than a
    solve's minimum left, the whole model is not run past the limit; the plan is the best
    candidate polished, said to be stopped by the limit, its gap against no bound unknown."""
    engine, problem = sample
    import time

    import workbook.roadshow.saa as saa

    def slow_bound(*args, time_limit=None, **kw):
        time.sleep(time_limit)  # the bound takes all the time it was given, and finds none
        return EventBound(None, (), False)

    asked = _whole_model_asked(monkeypatch)
    monkeypatch.setattr(saa, "event_bound", slow_bound)
    result = best_plan(engine, problem, "p:domestic_capital", samples=1000, time_limit=1.5)
    assert asked == []
    assert result.time_limit_hit and not result.proven_optimal and result.gap is None
    scores = result.p_in_sample
    assert scores[result.method] >= max(scores["expected"], scores["greedy"])
    # with the time to run it, the whole model is asked for more than the best plan so far
    monkeypatch.setattr(saa, "event_bound", lambda *a, **kw: EventBound(None, (), False))
    best_plan(engine, problem, "p:domestic_capital", samples=1000, time_limit=600)
    assert asked and asked[-1] is not None
