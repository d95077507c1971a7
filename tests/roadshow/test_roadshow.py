"""The roadshow optimiser: optimal against brute force, limits never broken, holidays and
restrictions respected, more budget never worse, and infeasible cases named in words."""

from __future__ import annotations

import datetime as dt
import functools
import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.roadshow_fixtures import catalogue, event, random_catalogue, zone_params
from workbook.roadshow.problem import PLAN_COLUMNS, build_problem, plannable_months, slot_value
from workbook.roadshow.solve import (
    greedy_plan,
    plan_objective,
    solve,
    unmet_requirements,
    violations,
)
from workbook.text.errors import InfeasiblePlanError, InputError, ParamsError
from workbook.zone.drivers import Drivers
from workbook.zone.holidays import event_windows, holiday_weeks, is_workday
from workbook.zone.loader import load_zone
from workbook.zone.params import load_params
from workbook.zone.roadshow_settings import Restriction

SAMPLE = "params/jining-2020.yaml"


# ---- an independent checker and a brute-force optimum ------------------------------------------


def breaks(problem, rows: pd.DataFrame) -> bool:
    """True when the chosen slot rows break any constraint (written apart from the solver)."""
    st_ = problem.settings
    if rows["event_id"].duplicated().any() or rows["cost"].sum() > st_.budget + 1e-9:
        return True
    for _, grp in rows.groupby("month"):
        if grp["staff_days"].sum() > st_.staff_days_per_month + 1e-9:
            return True
        if len(grp) > st_.max_events_per_month:
            return True
    if any(not (rows["channel"] == o).any() for o in problem.required_offices):
        return True
    return bool((rows["kind"] == "cloud").sum() < st_.min_cloud_events)


@functools.cache
def brute_force(seed: int) -> float | None:
    """The best objective of small_problem(seed) over every way of holding each event in one
    of its slots or not (numpy arrays: a few thousand plans in milliseconds)."""
    problem = small_problem(seed)
    s, st_ = problem.slots, problem.settings
    cost, staff, value = (s[c].to_numpy(float) for c in ("cost", "staff_days", "value"))
    month = s["month"].to_numpy()
    cloud = (s["kind"] == "cloud").to_numpy()
    offices = [(s["channel"] == o).to_numpy() for o in problem.required_offices]
    options = [[None, *np.flatnonzero(s["event_id"] == e)] for e in s["event_id"].unique()]
    best = None
    for choice in itertools.product(*options):
        idx = np.array([i for i in choice if i is not None], dtype=int)
        if cost[idx].sum() > st_.budget + 1e-9 or cloud[idx].sum() < st_.min_cloud_events:
            continue
        if any(not o[idx].any() for o in offices):
            continue
        ms = month[idx]
        if any(
            staff[idx][ms == m].sum() > st_.staff_days_per_month + 1e-9
            or (ms == m).sum() > st_.max_events_per_month
            for m in set(ms.tolist())
        ):
            continue
        v = float(value[idx].sum())
        best = v if best is None else max(best, v)
    return best


def small_problem(seed: int, n_events: int = 6):
    rng = np.random.default_rng(seed)
    cat = random_catalogue(rng, n_events, (3, 4, 5))
    params = zone_params(
        offices=int(rng.integers(0, 3)),
        budget=float(rng.integers(20, 150)),
        staff_days_per_month=float(rng.integers(15, 60)),
        max_events_per_month=int(rng.integers(1, 4)),
        min_cloud_events=int(rng.integers(0, 3)),
    )
    return build_problem(params, cat)


@pytest.mark.parametrize("seed", range(24))
def test_milp_matches_brute_force_on_small_catalogues(seed):
    problem = small_problem(seed)
    expected = brute_force(seed)
    if expected is None:
        with pytest.raises(InfeasiblePlanError):
            solve(problem)
        return
    plan = solve(problem)
    assert plan.proven_optimal
    assert plan.objective == pytest.approx(expected, abs=1e-7)
    assert not breaks(problem, plan.table)


def test_brute_force_cases_include_feasible_and_infeasible_ones():
    """The seeds above exercise both outcomes (otherwise the comparison proves little)."""
    outcomes = {brute_force(seed) is None for seed in range(24)}
    assert outcomes == {True, False}


# ---- properties ----------------------------------------------------------------------------------


@st.composite
def problems(draw):
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    months = tuple(sorted(draw(st.sets(st.integers(3, 12), min_size=1, max_size=6))))
    cat = random_catalogue(rng, draw(st.integers(1, 14)), months)
    params = zone_params(
        offices=draw(st.integers(0, 3)),
        budget=draw(st.floats(0, 400)),
        staff_days_per_month=draw(st.floats(5, 80)),
        max_events_per_month=draw(st.integers(1, 4)),
        min_cloud_events=draw(st.integers(0, 2)),
        weight_500=draw(st.floats(0, 10)),
    )
    return build_problem(params, cat)


FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(problems())
def test_plans_never_exceed_budget_staff_or_event_limits(problem):
    try:
        plan = solve(problem)
    except InfeasiblePlanError as exc:
        assert exc.lines() and all(line for line in exc.lines())
    else:
        assert violations(problem, plan.table) == []
        assert plan.cost <= problem.budget + 1e-9
    greedy = greedy_plan(problem)
    limits = set(violations(problem, greedy.table)) - set(unmet_requirements(problem, greedy.table))
    assert limits == set(), "greedy may miss a requirement but never breaks a limit"


@FAST
@given(problems(), st.floats(0, 300))
def test_more_budget_never_lowers_the_optimum(problem, extra):
    richer = problem.with_budget(problem.budget + extra)
    try:
        low = solve(problem).objective
    except InfeasiblePlanError:
        return
    high = solve(richer).objective  # a plan feasible at a budget stays feasible above it
    assert high >= low - 1e-7 * max(1.0, abs(low))


@FAST
@given(problems())
def test_greedy_never_beats_the_optimum(problem):
    try:
        best = solve(problem)
    except InfeasiblePlanError:
        return
    greedy = greedy_plan(problem)
    if not greedy.unmet:
        assert greedy.objective <= best.objective + 1e-7


# ---- the value model -----------------------------------------------------------------------------


def test_earlier_months_pay_more_through_the_lag():
    ev = event("A", "yrd", 10, (3, 6, 9), lag=2, size=2.0, conversion=0.1, leads=20)
    spread = Drivers()  # lags spread as the forecast draws them
    values = [slot_value(ev, m, spread, 5.0)["expected_capital"] for m in (3, 6, 9, 10, 11)]
    assert values[0] > values[1] > values[2] > values[3] > 0
    # November: a deal signs in December only on a short lag from early in the month, and
    # starts within December more rarely still; with exact lags (2 months) never
    assert 0 < values[4] < values[3] / 5
    exact = Drivers(lag_sigma=0)
    assert slot_value(ev, 11, exact, 5.0)["expected_capital"] == 0
    late = [slot_value(ev, m, spread, 5.0)["expected_500"] for m in (9, 10, 11, 12)]
    # a December event's deals sign within the year only on a lag shorter than the rest of
    # December after the lead: a few under spread lags, none under exact ones
    assert late[0] > late[1] > late[2] > late[3] > 0
    assert slot_value(ev, 12, exact, 5.0)["expected_500"] == 0
    # Without spread: signs 2 months on (May), starts 4 months later (September), then four
    # months of 2/7 a year of a deal's mean size (median 2, sigma 1), 70% of deals starting.
    exact = Drivers(lag_sigma=0, size_sigma=1.0)
    expected = 20 * 0.1 * 2 * np.exp(0.5) * 0.7 * (2 / 7) * 4 / 12
    v = slot_value(ev, 3, exact, 5.0)
    assert v["expected_capital"] == pytest.approx(expected)
    assert v["expected_foreign"] == pytest.approx(0.1 * expected)
    assert v["value"] == pytest.approx(expected + 5.0 * 2 * 0.05)
    assert slot_value(ev, 8, exact, 5.0)["expected_capital"] == 0  # starts in January
    assert slot_value(ev, 10, exact, 5.0)["expected_500"] == pytest.approx(2 * 0.05)
    assert slot_value(ev, 11, exact, 5.0)["expected_500"] == 0  # signs in January


def test_scenario_drivers_scale_leads_and_cancel_events():
    zone = load_zone(SAMPLE)
    base = build_problem(zone.params, zone.events, as_of=dt.date(2020, 3, 31))
    covid = build_problem(zone.params, zone.events, as_of=dt.date(2020, 3, 31), scenario="疫情延迟")
    overseas = covid.slots[covid.slots["kind"] == "overseas"]
    assert len(overseas) and (overseas["month"] >= 7).all()
    assert set(covid.excluded["reason"]) == {"elapsed", "restricted"}
    assert len(base.slots) > len(covid.slots)
    with pytest.raises(InputError, match="unknown scenario '无此情景'"):
        build_problem(zone.params, zone.events, scenario="无此情景")


def test_plannable_months_start_after_the_as_of_date():
    assert plannable_months(2020, None) == tuple(range(1, 13))
    assert plannable_months(2020, dt.date(2020, 1, 1)) == tuple(range(1, 13))
    assert plannable_months(2020, dt.date(2020, 6, 30)) == (7, 8, 9, 10, 11, 12)
    assert plannable_months(2020, dt.date(2020, 7, 1)) == (7, 8, 9, 10, 11, 12)
    assert plannable_months(2020, dt.date(2021, 1, 1)) == ()


# ---- holidays and restrictions -----------------------------------------------------------------


def test_holiday_weeks_come_from_the_official_calendar():
    weeks = {
        w.holiday: (w.first, w.last)
        for w in holiday_weeks(2020, ["spring_festival", "national_day"])
    }
    # 2020: Spring Festival extended to 2 February; National Day and Mid-Autumn 1-8 October
    assert weeks["spring_festival"] == (dt.date(2020, 1, 24), dt.date(2020, 2, 2))
    assert weeks["national_day"] == (dt.date(2020, 10, 1), dt.date(2020, 10, 8))
    assert is_workday(dt.date(2020, 10, 10))  # a Saturday swapped to a working day
    assert not is_workday(dt.date(2020, 10, 11))


def test_calendar_year_without_official_data_is_a_clear_error():
    with pytest.raises(InputError, match="no data for 2099"):
        holiday_weeks(2099, ["national_day"])


def test_no_planned_day_falls_in_a_blocked_holiday_week():
    zone = load_zone(SAMPLE)
    settings_ = zone.params.roadshow.model_copy(
        update={"budget": 2000, "max_events_per_month": 25, "staff_days_per_month": 1000}
    )
    problem = build_problem(zone.params, zone.events, settings=settings_)
    plan = solve(problem)
    weeks = holiday_weeks(2020, ["spring_festival", "national_day"])
    held_in = set(plan.table["month"])
    assert {1, 10} <= held_in, "the holiday months are used, around the holidays"
    for r in plan.table.itertuples():
        for i in range((r.last_day - r.first_day).days + 1):
            day = r.first_day + dt.timedelta(days=i)
            assert not any(day in w for w in weeks), (r.event_id, day)
            assert day.month == r.month
        if r.kind != "overseas":
            assert is_workday(r.first_day) and is_workday(r.last_day)


def test_a_month_without_room_between_holidays_is_not_offered():
    # National Day 2020 (1-8 Oct) leaves runs of at most five working days in October
    weeks = holiday_weeks(2020, ["national_day"])
    assert event_windows(2020, 10, 6, weeks, workdays_only=True) == []
    assert event_windows(2020, 10, 5, weeks, workdays_only=True)[0][0] == dt.date(2020, 10, 12)
    params = zone_params(offices=1, event_days={"domestic": 6}, min_cloud_events=0)
    cat = catalogue(event("A", "japan", 10, (10,)), event("B", "japan", 10, (10,), kind="overseas"))
    problem = build_problem(params, cat)
    assert problem.slots["event_id"].tolist() == ["B"]
    assert problem.excluded.query("event_id == 'A'")["reason"].tolist() == ["holiday"]
    assert all(first > dt.date(2020, 10, 8) for first, _ in problem.windows[("B", 10)])


def test_a_trip_may_not_run_into_the_spring_festival_unless_the_rule_is_off():
    cat = catalogue(event("T", "japan", 10, (1,), kind="overseas"))
    blocked = build_problem(zone_params(offices=1, min_cloud_events=0), cat)
    open_ = build_problem(zone_params(offices=1, min_cloud_events=0, blocked_holidays=[]), cat)
    festival = dt.date(2020, 1, 24)
    assert all(last < festival for _, last in blocked.windows[("T", 1)])
    assert any(first < festival <= last for first, last in open_.windows[("T", 1)])


def test_restrictions_forbid_kinds_events_and_months():
    params = zone_params(offices=1, min_cloud_events=0, budget=1000)
    cat = catalogue(
        event("OV", "japan", 30, (4, 5, 7, 8), kind="overseas"),
        event("CL", "japan", 5, (4, 5), kind="cloud"),
        event("DM", "chamber", 20, (4, 5, 6)),
    )
    rules = [
        Restriction(kinds=("overseas",), months=(1, 2, 3, 4, 5, 6), reason="暂停出境"),
        Restriction(events=("DM",), reason="取消"),
    ]
    problem = build_problem(params, cat, restrictions=rules)
    plan = solve(problem)
    assert "DM" not in set(plan.table["event_id"])
    ov = plan.table[plan.table["kind"] == "overseas"]
    assert (ov["month"] >= 7).all()
    assert set(problem.excluded["reason"]) == {"restricted"}


def test_restriction_naming_an_unknown_event_is_an_error():
    params = zone_params(offices=1)
    cat = catalogue(event("A", "japan", 10, (5,)))
    with pytest.raises(InputError, match="unknown events or channels: EV99"):
        build_problem(params, cat, restrictions=[Restriction(events=("EV99",))])


def test_plan_table_has_the_documented_columns_and_dates():
    zone = load_zone(SAMPLE)
    plan = solve(build_problem(zone.params, zone.events, as_of=dt.date(2020, 6, 30)))
    assert tuple(plan.table.columns) == PLAN_COLUMNS
    assert (plan.table["month"] >= 7).all()
    assert plan.cost <= 300
    assert plan.objective == pytest.approx(
        plan_objective(
            build_problem(zone.params, zone.events, as_of=dt.date(2020, 6, 30)),
            zip(plan.table["event_id"], plan.table["month"], strict=True),
        )
    )
    assert list(plan.held().columns) == ["event_id", "month"]
    # every resident office runs an event, and at least two cloud events are held
    assert {"japan", "korea", "jjj", "yrd", "prd"} <= set(plan.table["channel"])
    assert (plan.table["kind"] == "cloud").sum() >= 2


# ---- infeasible cases name the constraint --------------------------------------------------------


def yrd_over_budget():
    params = zone_params(offices=2, budget=40, min_cloud_events=0)
    cat = catalogue(
        event("J1", "japan", 10, (5,), kind="overseas"),
        event("J2", "japan", 25, (6,), kind="overseas"),
        event("Y1", "yrd", 35, (5, 6), name="长三角新材料产业链招商会"),
        event("Y2", "yrd", 50, (7,)),
    )
    return build_problem(params, cat)


def test_office_priced_out_by_the_remaining_budget_is_named():
    problem = yrd_over_budget()
    with pytest.raises(InfeasiblePlanError) as exc:
        solve(problem, lang="en")
    text = "\n".join(exc.value.lines())
    assert (
        "长三角 office must run an event but every candidate of it costs more than the "
        "remaining budget" in text
    )
    assert "leaving 30万元" in text and "Y1 长三角新材料产业链招商会, costs 35万元" in text
    assert "a budget of at least 45万元 would make a plan possible" in text
    assert "infeasible" not in text.lower()


def test_infeasible_message_in_chinese_by_default():
    with pytest.raises(InfeasiblePlanError) as exc:
        solve(yrd_over_budget())
    text = "\n".join(exc.value.lines())
    assert "驻长三角招商机构须至少举办一场活动，但其每个候选活动的费用都超过剩余预算" in text
    assert "预算至少45万元才有可行方案" in text


def test_office_alone_over_budget_names_the_budget():
    params = zone_params(offices=2, budget=20, min_cloud_events=0)
    cat = catalogue(event("J1", "japan", 10, (5,)), event("Y1", "yrd", 25, (5,)))
    with pytest.raises(InfeasiblePlanError) as exc:
        solve(build_problem(params, cat), lang="en")
    assert str(exc.value).startswith(
        "长三角 office must run an event but every candidate of it costs more than the budget "
        "(20万元); its cheapest candidate, Y1 活动Y1, costs 25万元"
    )


def test_office_without_any_candidate_is_named():
    params = zone_params(offices=2, budget=100, min_cloud_events=0)
    cat = catalogue(event("Y1", "yrd", 25, (5,)))
    with pytest.raises(InfeasiblePlanError) as exc:
        solve(build_problem(params, cat), lang="en")
    assert str(exc.value) == (
        "日本 office must run an event but the catalogue has no candidate event of it"
    )


def test_office_whose_events_are_all_forbidden_names_the_restriction():
    params = zone_params(offices=1, min_cloud_events=0)
    cat = catalogue(
        event("J1", "japan", 10, (4, 5), kind="overseas"),
        event("J2", "japan", 10, (8,), kind="overseas"),
    )
    rule = Restriction(kinds=("overseas",), months=tuple(range(1, 8)), reason="疫情期间暂停出境")
    problem = build_problem(params, cat, as_of=dt.date(2020, 6, 30), restrictions=[rule])
    assert problem.slots["event_id"].tolist() == ["J2"]
    ok = solve(problem)
    assert ok.table["event_id"].tolist() == ["J2"]
    problem = build_problem(params, cat.iloc[:1], as_of=dt.date(2020, 3, 31), restrictions=[rule])
    with pytest.raises(InfeasiblePlanError) as exc:
        solve(problem, lang="en")
    text = str(exc.value)
    assert "日本 office must run an event but none of its candidates can be held" in text
    assert "forbidden in Apr–May by “疫情期间暂停出境”" in text


def test_too_few_cloud_candidates_is_named():
    params = zone_params(offices=0, min_cloud_events=3)
    cat = catalogue(
        event("C1", "chamber", 5, (5,), kind="cloud"),
        event("C2", "chamber", 5, (6,), kind="cloud"),
    )
    with pytest.raises(
        InfeasiblePlanError, match="at least 3 cloud events must be held but only 2"
    ):
        solve(build_problem(params, cat), lang="en")


def test_staff_capacity_below_every_candidate_is_named():
    params = zone_params(offices=1, staff_days_per_month=8, min_cloud_events=0)
    cat = catalogue(event("J1", "japan", 5, (5,), staff_days=10), event("P", "chamber", 5, (5,)))
    with pytest.raises(InfeasiblePlanError) as exc:
        solve(build_problem(params, cat), lang="en")
    assert "needs more staff-days (at least 10) than a month allows (8)" in str(exc.value)


def test_monthly_event_limit_is_named_with_the_count_needed():
    params = zone_params(offices=3, max_events_per_month=1, min_cloud_events=0)
    cat = catalogue(
        event("J", "japan", 5, (5, 6)), event("Y", "yrd", 5, (5, 6)), event("P", "prd", 5, (5, 6))
    )
    with pytest.raises(InfeasiblePlanError) as exc:
        solve(build_problem(params, cat), lang="en")
    text = str(exc.value)
    assert "at most 1 event in May" in text and "at most 1 event in Jun" in text
    assert "the required events number at least 3, but May–Jun take at most 2" in text


def test_no_month_left_is_named():
    params = zone_params(offices=1)
    cat = catalogue(event("J", "japan", 5, (5,)))
    with pytest.raises(InfeasiblePlanError, match="no month of 2020 is left to plan"):
        solve(build_problem(params, cat, as_of=dt.date(2021, 1, 1)), lang="en")


def test_feasible_problem_has_no_explanation():
    from workbook.roadshow.explain import explain_infeasible

    zone = load_zone(SAMPLE)
    assert explain_infeasible(build_problem(zone.params, zone.events)) == []


# ---- params ----------------------------------------------------------------------------------------


def test_sample_params_carry_the_roadshow_section():
    rs = load_params(SAMPLE).roadshow
    assert rs.budget == 300 and rs.min_cloud_events == 2 and rs.each_office_runs_one
    assert rs.blocked_holidays == ("spring_festival", "national_day")


def test_bad_roadshow_keys_name_the_key(tmp_path):
    with open(SAMPLE, encoding="utf-8") as f:
        text = f.read().replace("  budget: 300 ", "  budgett: 300 ")
    text = text.replace("../data", str((tmp_path / "..").resolve()) + "/x")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ParamsError) as exc:
        load_params(bad)
    assert any("roadshow: unknown key 'budgett'" in line for line in exc.value.lines("en"))
    with pytest.raises(ParamsError, match="unknown holiday 'xmas'"):
        zone_params(blocked_holidays=["xmas"])
    with pytest.raises(ParamsError, match=r"roadshow.budget must be >= 0"):
        zone_params(budget=-1)
