"""The probability plan is the best plan on its trials: on instances small enough to try every
plan, the MILP's plan meets as many trials as the best of them (workbook.roadshow.saa), and the
knapsack bound that leaves trials out never drops one a plan could rescue
(workbook.roadshow.reach)."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pytest

from tests.roadshow_fixtures import catalogue, event, zone_params
from workbook.roadshow.milp import constraint_groups, events_of
from workbook.roadshow.problem import build_problem
from workbook.roadshow.reach import knapsack
from workbook.roadshow.relax import event_bound
from workbook.roadshow.saa import decided_trials, p_bound, p_of, relative_gap, saa_milp
from workbook.roadshow.solve import make_plan, violations


def _problem(budget: float, offices: int = 0, cloud: int = 0, **roadshow):
    """Five events over July and August (ten slots), costs 10 to 30 万元."""
    params = zone_params(
        offices=offices, budget=budget, min_cloud_events=cloud, blocked_holidays=[], **roadshow
    )
    events = catalogue(
        event("A", "japan", 10, (7, 8)),
        event("B", "yrd", 20, (7, 8)),
        event("C", "prd", 30, (7, 8)),
        event("D", "chamber", 15, (7, 8), kind="cloud"),
        event("E", "chamber", 25, (7, 8)),
    )
    return build_problem(params, events, as_of=dt.date(2020, 7, 1))


def _brute_force(problem, base, contrib, goal) -> float:
    """The best in-sample P over every plan that meets every constraint group (an event held
    at most once, budget, staff, count, offices, cloud), tried one by one."""
    n, events = len(problem.slots), events_of(problem)
    groups = constraint_groups(problem)
    a = np.vstack([g.a for g in groups])
    lb, ub = np.concatenate([g.lb for g in groups]), np.concatenate([g.ub for g in groups])
    slot_event = [events.index(e) for e in problem.slots["event_id"]]
    best = -1.0
    for size in range(n + 1):
        for chosen in itertools.combinations(range(n), size):
            v = np.zeros(n + len(events))
            v[list(chosen)] = 1.0
            for j in chosen:
                v[n + slot_event[j]] += 1.0
            if (v[n:] > 1).any():
                continue
            act = a @ v
            if (act < lb - 1e-9).any() or (act > ub + 1e-9).any():
                continue
            best = max(best, p_of(base, contrib, goal, list(chosen)))
    return best


def _trials(rng: np.random.Generator, s: int, n: int, k: int = 1):
    """Heavy-tailed contributions (most slots add little, a few a lot), targets 10."""
    base = rng.uniform(4, 11, size=(s, k))
    big = rng.random((s, k, n)) < 0.25
    contrib = np.where(big, rng.lognormal(1.0, 0.8, (s, k, n)), rng.uniform(0, 0.5, (s, k, n)))
    contrib[rng.random((s, k, n)) < 0.3] = 0.0
    return base, contrib, np.full(k, 10.0)


@pytest.mark.parametrize(
    ("seed", "budget", "offices", "cloud", "k"),
    [(0, 30, 0, 0, 1), (1, 45, 0, 0, 1), (2, 60, 2, 0, 1), (3, 40, 0, 1, 1), (4, 55, 1, 1, 2)],
)
def test_the_milps_plan_meets_as_many_trials_as_the_best_of_every_plan(
    seed, budget, offices, cloud, k
):
    problem = _problem(budget, offices, cloud)
    assert len(problem.slots) == 10
    base, contrib, goal = _trials(np.random.default_rng(seed), 60, 10, k)
    chosen, res, m = saa_milp(problem, base, contrib, goal)
    assert res.status == 0 and chosen is not None
    assert not violations(problem, make_plan(problem, chosen, "optimal").table)
    best = _brute_force(problem, base, contrib, goal)
    assert p_of(base, contrib, goal, chosen) == pytest.approx(best, abs=1e-12)
    # proven: the bound is the optimum itself
    bound = p_bound(res, m, p_of(base, contrib, goal, []), 60)
    assert bound == pytest.approx(best, abs=1e-12)
    assert relative_gap(bound, best) == pytest.approx(0.0, abs=1e-12)


def test_trials_out_of_every_affordable_plans_reach_are_left_out_and_only_those():
    """Budget 30: A (10) and B (20) together, or C (30) alone. A trial needing A+C is out."""
    problem = _problem(30)
    n = len(problem.slots)
    slot = {
        (e, m): j
        for j, (e, m) in enumerate(
            zip(problem.slots["event_id"], problem.slots["month"], strict=True)
        )
    }
    base = np.full((4, 1), 6.0)
    contrib = np.zeros((4, 1, n))
    contrib[0, 0, [slot["A", 7], slot["B", 8]]] = 2.0  # A + B reach 10: affordable
    contrib[1, 0, [slot["A", 7], slot["C", 7]]] = 2.0  # A + C: 40 万元, over the budget
    contrib[2, 0, slot["C", 8]] = 4.0  # C alone
    contrib[3, 0, [slot["A", 7], slot["A", 8]]] = 2.0  # A twice: an event is held once
    rows, need, _ = decided_trials(problem, base, contrib, np.array([10.0]))
    assert rows.tolist() == [0, 2]
    assert _brute_force(problem, base, contrib, np.array([10.0])) == 0.25


def test_the_knapsack_is_the_best_affordable_set_and_an_upper_bound_on_fractional_costs():
    rng = np.random.default_rng(7)
    values = rng.uniform(0, 5, size=(40, 6))
    costs = np.array([3.0, 5.0, 7.0, 2.0, 4.0, 6.0])
    best = np.zeros(40)
    for size in range(7):
        for sub in itertools.combinations(range(6), size):
            if costs[list(sub)].sum() <= 12:
                best = np.maximum(best, values[:, list(sub)].sum(axis=1))
    assert np.allclose(knapsack(values, costs, 12.0), best)
    # costs off the unit grid: rounded down, the programme may only overestimate
    frac = costs + 0.37
    exact = np.zeros(40)
    for size in range(7):
        for sub in itertools.combinations(range(6), size):
            if frac[list(sub)].sum() <= 12.5:
                exact = np.maximum(exact, values[:, list(sub)].sum(axis=1))
    assert (knapsack(values, frac, 12.5) >= exact - 1e-12).all()


def test_polishing_a_plan_keeps_it_feasible_and_never_meets_fewer_trials():
    from workbook.roadshow.polish import polish

    for seed in range(4):
        problem = _problem(45 + 5 * seed, offices=seed % 2, cloud=seed % 2)
        base, contrib, goal = _trials(np.random.default_rng(10 + seed), 60, 10)
        rows, need, _ = decided_trials(problem, base, contrib, goal)
        start, _, _ = saa_milp(problem, base, contrib, goal)  # the optimum: nothing to add
        assert start is not None
        assert sorted(polish(problem, contrib[rows], need[rows], start)) == sorted(start)
        from workbook.roadshow.solve import greedy_plan

        greedy = greedy_plan(problem)
        if greedy.unmet:
            continue
        first = [
            j
            for j, (e, m) in enumerate(
                zip(problem.slots["event_id"], problem.slots["month"], strict=True)
            )
            if (e, m) in set(zip(greedy.table["event_id"], greedy.table["month"], strict=True))
        ]
        better = polish(problem, contrib[rows], need[rows], first)
        assert not violations(problem, make_plan(problem, better, "x").table)
        assert p_of(base, contrib, goal, better) >= p_of(base, contrib, goal, first)


def test_polishing_swaps_an_event_for_the_one_the_trials_need():
    """Budget 30; every trial needs C: from B held alone, one swap for C meets them all."""
    from workbook.roadshow.polish import polish

    problem = _problem(30)
    slot = {
        (e, m): j
        for j, (e, m) in enumerate(
            zip(problem.slots["event_id"], problem.slots["month"], strict=True)
        )
    }
    base = np.full((3, 1), 6.0)
    contrib = np.zeros((3, 1, len(problem.slots)))
    contrib[:, 0, slot["C", 8]] = 5.0
    rows, need, _ = decided_trials(problem, base, contrib, np.array([10.0]))
    assert polish(problem, contrib[rows], need[rows], [slot["B", 7]]) == [slot["C", 8]]


def _later_is_less(problem, contrib: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The engine's law across months: an event held in August has July's draws, later, so in
    every trial it adds a share (here 40-90%) of what it adds in July."""
    out = contrib.copy()
    at = {
        (e, m): j
        for j, (e, m) in enumerate(
            zip(problem.slots["event_id"], problem.slots["month"], strict=True)
        )
    }
    for (e, m), j in at.items():
        if m == 8:
            out[:, :, j] = out[:, :, at[e, 7]] * rng.uniform(0.4, 0.9, size=out.shape[:2])
    return out


@pytest.mark.parametrize(
    ("seed", "budget", "per_month", "k"),
    [(0, 45, 1, 1), (1, 60, 1, 1), (2, 60, 2, 1), (3, 75, 1, 2), (4, 90, 2, 1)],
)
def test_the_events_only_bound_is_never_below_the_best_plan(seed, budget, per_month, k):
    """Months relaxed (one or two events a month allowed here, so they bind): no plan meets
    more trials than the bound, on contributions independent across months or not."""
    rng = np.random.default_rng(seed)
    problem = _problem(budget, max_events_per_month=per_month)
    base, contrib, goal = _trials(rng, 60, 10, k)
    for c in (contrib, _later_is_less(problem, contrib, rng)):
        rows, need, _ = decided_trials(problem, base, c, goal)
        bound = event_bound(problem, c[rows], need[rows])
        none = p_of(base, c, goal, [])
        best = _brute_force(problem, base, c, goal)
        assert bound.proven and bound.trials is not None
        assert none + bound.trials / 60 >= best - 1e-12


@pytest.mark.parametrize(("seed", "budget"), [(5, 30), (6, 45), (7, 60), (8, 75)])
def test_the_events_only_bound_is_the_best_plan_when_the_months_do_not_bind(seed, budget):
    """Every event fits in July (no cap a month): each event's July is its best month in every
    trial, so the best choice of events held in July is the best plan, and the bound is it."""
    rng = np.random.default_rng(seed)
    problem = _problem(budget, max_events_per_month=10, staff_days_per_month=1000)
    base, contrib, goal = _trials(rng, 60, 10)
    contrib = _later_is_less(problem, contrib, rng)
    rows, need, _ = decided_trials(problem, base, contrib, goal)
    bound = event_bound(problem, contrib[rows], need[rows])
    best = _brute_force(problem, base, contrib, goal)
    assert bound.trials is not None
    assert p_of(base, contrib, goal, []) + bound.trials / 60 == pytest.approx(best, abs=1e-12)
    # its events, each in July, are such a plan
    july = [
        j
        for j, (e, m) in enumerate(
            zip(problem.slots["event_id"], problem.slots["month"], strict=True)
        )
        if m == 7 and events_of(problem).index(e) in bound.events
    ]
    assert p_of(base, contrib, goal, july) == pytest.approx(best, abs=1e-12)


def _three_months(budget: float, per_month: int, staff: float | None = None):
    """Five events over July to September (13 slots: B skips August, E has July and
    September only), costs 10 to 30 万元, at most `per_month` events a month (and `staff`
    staff-days a month: 10 an event)."""
    params = zone_params(
        offices=0,
        budget=budget,
        min_cloud_events=0,
        blocked_holidays=[],
        max_events_per_month=per_month,
        **({} if staff is None else {"staff_days_per_month": staff}),
    )
    events = catalogue(
        event("A", "japan", 10, (7, 8, 9)),
        event("B", "yrd", 20, (7, 9)),
        event("C", "prd", 30, (7, 8, 9)),
        event("D", "chamber", 15, (7, 8, 9), kind="cloud"),
        event("E", "chamber", 25, (7, 9)),
    )
    return build_problem(params, events, as_of=dt.date(2020, 7, 1))


def _decaying(problem, contrib: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The engine's law across months: an event held later adds, in every trial, a share
    (40-90%) of what it adds in its previous possible month."""
    out = contrib.copy()
    slots = problem.slots
    for e in slots["event_id"].unique():
        js = slots.index[slots["event_id"] == e].to_numpy()
        js = js[np.argsort(slots["month"].to_numpy()[js])]
        for a, b in zip(js[:-1], js[1:], strict=True):
            out[:, :, b] = out[:, :, a] * rng.uniform(0.4, 0.9, size=out.shape[:2])
    return out


@pytest.mark.parametrize(
    ("seed", "budget", "per_month", "decay"),
    [(20, 45, 1, True), (21, 60, 1, True), (22, 75, 2, True), (23, 60, 1, False)],
)
def test_the_held_by_form_finds_the_best_plan_with_three_months_binding(
    seed, budget, per_month, decay
):
    """The MILP over held-by variables (x = H w) is the same model: with one or two events
    a month and up to three months an event, its plan meets as many trials as the best of
    every plan, on contributions that fall month by month or not; asked for one trial more
    than that best, no plan qualifies (status 2), and at exactly the best it finds one."""
    from workbook.roadshow.milp import held_by, held_matrix

    rng = np.random.default_rng(seed)
    problem = _three_months(budget, per_month)
    assert len(problem.slots) == 13
    base, contrib, goal = _trials(rng, 60, 13)
    if decay:
        contrib = _decaying(problem, contrib, rng)
    earlier, later = held_by(problem)
    slots = problem.slots
    for j in range(len(slots)):  # the previous and next possible month of the same event
        for k in (earlier[j], later[j]):
            if k >= 0:
                assert slots["event_id"].iloc[k] == slots["event_id"].iloc[j]
    # A in August, B in September, C in July: held by their month and every later one
    at = {
        (e, mo): j for j, (e, mo) in enumerate(zip(slots["event_id"], slots["month"], strict=True))
    }
    plan = [at["A", 8], at["B", 9], at["C", 7]]
    w = np.zeros(len(slots))
    w[[at["A", 8], at["A", 9], at["B", 9], at["C", 7], at["C", 8], at["C", 9]]] = 1.0
    x = np.zeros(len(slots))
    x[plan] = 1.0
    assert (held_matrix(earlier) @ w == x).all()
    chosen, res, m = saa_milp(problem, base, contrib, goal)
    assert res.status == 0 and chosen is not None
    assert not violations(problem, make_plan(problem, chosen, "optimal").table)
    best = _brute_force(problem, base, contrib, goal)
    assert p_of(base, contrib, goal, chosen) == pytest.approx(best, abs=1e-12)
    met = round((best - p_of(base, contrib, goal, [])) * 60)
    _, more, _ = saa_milp(problem, base, contrib, goal, at_least=met + 1)
    assert more.status == 2
    again, exact, _ = saa_milp(problem, base, contrib, goal, at_least=met)
    assert exact.status == 0 and again is not None
    assert p_of(base, contrib, goal, again) == pytest.approx(best, abs=1e-12)


@pytest.mark.parametrize(
    ("seed", "budget", "per_month", "staff"),
    [(30, 45, 1, 100), (31, 60, 1, 100), (32, 75, 2, 100), (33, 100, 2, 25), (34, 60, 3, 15)],
)
def test_the_first_month_bound_is_never_below_the_best_plan(seed, budget, per_month, staff):
    """The first month exact and the later ones relaxed (one to three events and 15 to 100
    staff-days a month, so every month binds): no plan meets more trials than the bound, on
    contributions that fall month by month or are drawn for each month on their own (an
    event's best later month is then not its next one), and the bound is never above the
    events-only one."""
    rng = np.random.default_rng(seed)
    problem = _three_months(budget, per_month, staff)
    base, contrib, goal = _trials(rng, 60, 13)
    for c in (contrib, _decaying(problem, contrib, rng)):
        rows, need, _ = decided_trials(problem, base, c, goal)
        first = event_bound(problem, c[rows], need[rows])
        alone = event_bound(problem, c[rows], need[rows], first_month=False)
        best = _brute_force(problem, base, c, goal)
        assert first.proven and first.trials is not None and alone.trials is not None
        assert p_of(base, c, goal, []) + first.trials / 60 >= best - 1e-12
        assert first.trials <= alone.trials


def test_the_first_month_bound_is_the_best_plan_when_only_the_first_month_binds():
    """Two events a month and a budget of two to four events: July's limit binds, and the
    later months have room for every event not held in July, so the relaxation loses nothing
    and the bound is the best plan, where the events-only bound (every event in July) is above
    it on some of these trials."""
    above = 0
    for seed, budget in [(40, 45), (41, 60), (42, 75), (43, 60), (44, 75), (45, 70)]:
        rng = np.random.default_rng(seed)
        problem = _three_months(budget, 2)
        base, contrib, goal = _trials(rng, 60, 13)
        contrib = _decaying(problem, contrib, rng)
        rows, need, _ = decided_trials(problem, base, contrib, goal)
        first = event_bound(problem, contrib[rows], need[rows])
        alone = event_bound(problem, contrib[rows], need[rows], first_month=False)
        best = _brute_force(problem, base, contrib, goal)
        none = p_of(base, contrib, goal, [])
        assert first.trials is not None and alone.trials is not None
        assert none + first.trials / 60 == pytest.approx(best, abs=1e-12)
        above += alone.trials > first.trials
    assert above >= 1


@pytest.mark.parametrize(
    ("seed", "budget", "per_month", "staff"),
    [(50, 45, 1, 100), (51, 60, 1, 100), (52, 75, 2, 100), (53, 100, 2, 25)],
)
def test_the_first_month_bound_in_parts_with_a_cutoff_is_the_same_bound(
    seed, budget, per_month, staff
):
    """Solved in parts on two cores (the first month of the top events held or not; no whole
    try first), asked only for a bound above a cutoff: the bound is never below the best plan,
    and it is exactly the larger of the cutoff and the relaxation's own optimum (a cutoff at
    or above the optimum comes back as the cutoff; below it, the optimum)."""
    rng = np.random.default_rng(seed)
    problem = _three_months(budget, per_month, staff)
    base, contrib, goal = _trials(rng, 60, 13)
    contrib = _decaying(problem, contrib, rng)
    rows, need, _ = decided_trials(problem, base, contrib, goal)
    whole = event_bound(problem, contrib[rows], need[rows])
    best = _brute_force(problem, base, contrib, goal)
    none = p_of(base, contrib, goal, [])
    assert whole.proven and whole.trials is not None
    for cutoff in (None, whole.trials - 2, whole.trials - 1, whole.trials, whole.trials + 1):
        if cutoff is not None and cutoff < 0:
            continue
        parts = event_bound(
            problem, contrib[rows], need[rows], split=True, cutoff=cutoff, quick_seconds=0
        )
        assert parts.proven and parts.trials is not None
        assert parts.trials == max(whole.trials, cutoff or 0)
        assert none + parts.trials / 60 >= best - 1e-12
