"""The planners' widgets, headless: set a control's value, and the model (drivers, forecast,
plan) and the outputs (numbers, tables, chart specs) change; callback errors are shown in
the planner, not swallowed; sliders act on release; saving never clobbers a file."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys

import pytest

from tests.conftest import REPO, SAMPLE_PARAMS
from workbook.forecast.engine import Engine
from workbook.planners.app import ENV_AS_OF, ENV_LANG, ENV_PARAMS
from workbook.planners.controls import resolve_settings
from workbook.planners.driver_controls import (
    DRIVER_CONTROLS,
    TORNADO_STEPS,
    control_values,
    what_if,
)
from workbook.planners.roadshow import RoadshowPlanner
from workbook.planners.scenario import ScenarioPlanner
from workbook.text.errors import InputError
from workbook.zone.drivers import Drivers
from workbook.zone.loader import load_zone

TRIALS = 2000
AS_OF = dt.date(2020, 6, 30)


@pytest.fixture(scope="module")
def engine() -> Engine:
    """One engine (cached draws) shared by the module: what a notebook session holds."""
    return Engine(load_zone(SAMPLE_PARAMS), as_of=AS_OF, trials=TRIALS, seed=1)


@pytest.fixture
def planner(engine, tmp_path) -> ScenarioPlanner:
    return ScenarioPlanner(engine, save_dir=tmp_path / "saved")


@pytest.fixture(scope="module")
def roadshow(engine, tmp_path_factory) -> RoadshowPlanner:
    return RoadshowPlanner(engine, out_dir=tmp_path_factory.mktemp("plans"))


def _p(planner: ScenarioPlanner, metric: str = "domestic_capital") -> float:
    return float(planner.forecast.targets.at[metric, "p_attain"])


# ---- settings and driver mapping -----------------------------------------------------------


def test_settings_take_explicit_values_then_the_apps_environment_then_defaults(monkeypatch):
    for name in (ENV_PARAMS, ENV_AS_OF, ENV_LANG):
        monkeypatch.delenv(name, raising=False)
    s = resolve_settings()
    assert (s.params_path, s.as_of, s.lang) == (SAMPLE_PARAMS, None, "zh")
    monkeypatch.setenv(ENV_PARAMS, "/x/zone.yaml")
    monkeypatch.setenv(ENV_AS_OF, "2020年3月31日")
    monkeypatch.setenv(ENV_LANG, "en")
    s = resolve_settings()
    assert (str(s.params_path), s.as_of, s.lang) == ("/x/zone.yaml", dt.date(2020, 3, 31), "en")
    s = resolve_settings("p.yaml", "2020-06-30", "zh")
    assert (str(s.params_path), s.as_of, s.lang) == ("p.yaml", dt.date(2020, 6, 30), "zh")
    with pytest.raises(InputError, match="language"):
        resolve_settings(lang="fr")


def test_what_if_of_the_controls_own_values_is_the_drivers_themselves():
    base = Drivers().replace("slip_months", 2)
    values = control_values(base, fx_default=6.9)
    assert what_if(base, values, fx_default=6.9) == base


def test_conversion_multiplier_scales_every_signing_chance_capped_at_one():
    base = Drivers()
    d = what_if(base, {"conversion": 2.0})
    assert d.stage_probability.negotiating == pytest.approx(0.8)
    assert d.stage_probability.intent == 1.0  # 0.65 x 2 capped
    assert d.channels.conversion == pytest.approx(0.06)
    assert d.events.conversion_multiplier == pytest.approx(2.0)


def test_cancelled_events_are_added_to_the_drivers_cancellations():
    base = Drivers().apply({"events": {"cancelled": [{"kinds": ["overseas"], "months": [1]}]}})
    d = what_if(base, {}, cancelled=("EV02", "EV16"), reason="手动取消")
    assert len(d.events.cancelled) == 2
    assert d.events.cancelled[1].events == ("EV02", "EV16")
    assert d.events.is_cancelled("EV16", "conference", "x", 10)


# ---- the scenario planner ---------------------------------------------------------------------


def test_moving_a_driver_slider_updates_forecast_numbers_and_charts(planner):
    p0, headline0, table0 = _p(planner), planner.headline.value, planner.table.value
    fan0, draws0 = planner.charts["fan"].spec, planner.charts["fan"].draws
    planner.controls["arrival_ratio"].value = 0.2
    assert planner.drivers.arrival_ratio.mean == pytest.approx(0.2)
    assert _p(planner) < p0
    assert planner.headline.value != headline0
    assert f"{_p(planner):.1%}" in planner.headline.value
    assert planner.table.value != table0
    assert planner.charts["fan"].draws == draws0 + 1
    assert planner.charts["fan"].spec != fan0
    assert planner.charts["hist"].spec["datasets"] != {}
    assert planner.errors.text == ""
    assert planner.timings["engine_ms"] > 0 and planner.timings["draw_ms"] > 0


def test_the_chosen_targets_why_line_follows_the_forecast(planner):
    """The planner shows the chosen target's forecast by its sources, in one line."""
    from workbook.forecast.explain import why

    assert planner.why.value.count("内资到位: 已完成") == 1
    planner.controls["arrival_ratio"].value = 0.3
    assert why(planner.forecast, "domestic_capital") in planner.why.value
    assert (
        f"中位数{planner.forecast.targets.at['domestic_capital', 'p50']:,.1f}" in planner.why.value
    )
    planner.metric_pick.value = "ten_strong_10"  # a target the zone declares: its own name
    assert ">十强产业10亿元以上项目: 已完成3；" in planner.why.value


def _outputs(planner: ScenarioPlanner) -> dict:
    return {
        "headline": planner.headline.value,
        "table": planner.table.value,
        **{name: slot.spec for name, slot in planner.charts.items()},
    }


def test_the_last_of_several_quick_driver_moves_is_what_every_output_shows(planner):
    """A browser sends slider values as fast as they are pressed: each is recomputed in full and
    in order, so after the last one the fan (drawn in a second pass) is that of the last value,
    the same as after a single move there."""
    slider = planner.controls["arrival_ratio"]
    assert slider.value == pytest.approx(0.6)
    slider.value = 0.45
    direct = _outputs(planner)
    slider.value = 0.6
    draws = planner.charts["fan"].draws
    for v in (0.55, 0.5, 0.45):
        slider.value = v
    assert planner.charts["fan"].draws == draws + 3  # none skipped
    assert _outputs(planner) == direct
    p = f"{_p(planner):.1%}"
    assert f'data-metric="domestic_capital">{p}<' in planner.headline.value
    assert planner.charts["fan"].spec["title"]["subtitle"].startswith(f"达标概率{p}，")
    assert planner.adjusted() == ["计划资金到位比例 0.60→0.45"]
    assert "已调整：计划资金到位比例 0.60→0.45" in planner.headline.value
    first = next(iter(planner.cancel_boxes.values()))
    first.value = True
    assert "取消活动1场" in planner.headline.value
    planner.reset_button.click()
    assert planner.adjusted() == [] and "wb-adjusted" not in planner.headline.value


def test_every_slider_acts_on_release_not_while_dragged(planner):
    sliders = [planner.controls[c.key] for c in DRIVER_CONTROLS]
    assert len(sliders) == len(DRIVER_CONTROLS) == 11
    assert all(s.continuous_update is False for s in sliders)


def test_picking_a_scenario_sets_its_controls_and_recomputes_once(planner, monkeypatch):
    calls = []
    real = planner.engine.forecast
    monkeypatch.setattr(
        planner.engine, "forecast", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    monkeypatch.setattr(planner, "_refresh_tornado", lambda: None)
    planner.scenario.value = ("params", "疫情延迟")
    assert planner.controls["slip_months"].value == 3
    assert planner.controls["overseas_leads"].value == pytest.approx(0.5)
    assert len(calls) == 1  # eleven controls set, one recompute
    assert planner.drivers == planner.engine.scenario_drivers("疫情延迟")
    assert "与所选情景相同" in planner.headline.value


def test_reset_returns_to_the_scenario(planner):
    p0 = _p(planner)
    planner.controls["slip_months"].value = 6
    planner.controls["conversion"].value = 0.5
    assert planner.drivers != planner.base_drivers
    planner.reset_button.click()
    assert planner.drivers == planner.base_drivers
    assert _p(planner) == p0


def test_cancelling_a_planned_event_cancels_it_in_the_drivers(planner):
    assert planner.cancel_boxes, "the sample plan has events after June"
    eid = next(iter(planner.cancel_boxes))
    assert all(m > 6 for m in planner._future_plan()["month"])
    planner.cancel_boxes[eid].value = True
    assert planner.cancelled == (eid,)
    assert planner.drivers.events.cancelled[-1].events == (eid,)


def test_an_exception_in_a_callback_is_shown_in_the_planner_then_cleared(planner, monkeypatch):
    real = planner.engine.forecast

    def boom(*a, **k):
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(planner.engine, "forecast", boom)
    planner.controls["slip_months"].value = 2  # must not raise out of the callback
    # One sentence in the page's language and what to do; no traceback, no internals.
    assert planner.errors.text == (
        "内部错误（RuntimeError）：这次改动没有生效。"
        "请刷新页面后重试；如仍出现，请把程序日志交给维护人员。"
    )
    assert "engine exploded" not in planner.errors.widget.value
    assert "traceback" not in planner.errors.widget.value.lower()
    assert ".py" not in planner.errors.widget.value
    monkeypatch.setattr(planner.engine, "forecast", real)
    planner.controls["slip_months"].value = 1
    assert planner.errors.text == "" and planner.errors.widget.value == ""


def test_choosing_the_chart_metric_redraws_fan_and_histogram_for_it(planner):
    planner.metric_pick.value = "foreign_capital"
    fan_title = planner.charts["fan"].spec["title"]
    assert fan_title["text"].startswith("实际使用外资")
    p = planner.forecast.targets.at["foreign_capital", "p_attain"]
    assert fan_title["subtitle"].startswith(f"达标概率{p:.1%}，年末P50 ")
    assert planner.charts["hist"].spec["title"].startswith("实际使用外资")
    assert list(planner.fan_data.columns) == [
        "month",
        "actual",
        "p10",
        "p50",
        "p90",
        "phased_target",
    ]


def test_compare_chart_holds_every_scenario_and_the_current_settings(planner):
    df = planner.compare_frame()
    assert list(dict.fromkeys(df["scenario"])) == ["基准", "疫情延迟", "乐观", "当前设定"]
    planner.controls["arrival_ratio"].value = 0.9
    current = df[df["scenario"] == "当前设定"]
    new = planner.compare_frame()
    assert not new[new["scenario"] == "当前设定"]["p_attain"].equals(current["p_attain"])


def test_tornado_marks_itself_stale_and_recomputes_on_the_button(planner):
    assert "当前设定" in planner.tornado_note.value
    tornado = planner.charts["tornado"].spec
    planner.controls["slip_months"].value = 4
    assert "之前" in planner.tornado_note.value
    assert planner.charts["tornado"].spec == tornado  # not redrawn by a driver move
    planner.tornado_button.click()
    assert "当前设定" in planner.tornado_note.value
    assert planner.charts["tornado"].spec != tornado
    rows = planner.sensitivity[planner.sensitivity["metric"] == "domestic_capital"]
    assert len(rows) == len(TORNADO_STEPS)


def test_save_scenario_writes_a_new_file_and_never_overwrites_without_the_box(planner, tmp_path):
    planner.controls["slip_months"].value = 5
    planner.save_name.value = "  "
    planner.save_button.click()
    # Beside the save button, in Chinese, one sentence and what to do.
    assert planner.save_errors.text == "情景还没有名称：请在“名称”框中填写后再保存。"
    assert planner.errors.text == ""
    assert "traceback" not in planner.save_errors.widget.value.lower()
    planner.save_name.value = "基准"  # a scenario of the params file
    planner.save_button.click()
    assert planner.save_errors.text == "“基准”已是参数文件中的情景：请换一个名称。"
    planner.save_name.value = "延迟五个月"
    planner.save_button.click()
    path = planner.saved_path
    assert path == tmp_path / "saved" / "延迟五个月.yaml"
    assert "已保存" in planner.save_status.value
    first = path.read_bytes()
    # the dropdown now offers it, the current choice is kept
    assert ("file", str(path)) in [v for _, v in planner.scenario.options]
    assert planner.scenario.value == ("params", "基准")
    planner.controls["slip_months"].value = 7
    planner.save_button.click()
    assert planner.save_errors.text == (
        f"已有名为“延迟五个月”的保存情景（{path}）：请换一个名称，或勾选“覆盖同名文件”后替换。"
    )
    assert path.read_bytes() == first
    planner.save_overwrite.value = True
    planner.save_button.click()
    assert planner.save_errors.text == ""
    assert path.read_bytes() != first
    assert planner.save_overwrite.value is False  # the choice is made per save
    planner.scenario.value = ("file", str(path))
    assert planner.controls["slip_months"].value == 7
    assert planner.drivers.slip_months == 7


def test_a_saved_scenario_can_be_opened_by_name(engine, tmp_path):
    first = ScenarioPlanner(engine, save_dir=tmp_path)
    first.controls["arrival_ratio"].value = 0.35
    first.save_name.value = "低到位"
    first.save_button.click()
    again = ScenarioPlanner(engine, scenario="低到位", save_dir=tmp_path)
    assert again.drivers.arrival_ratio.mean == pytest.approx(0.35)
    with pytest.raises(InputError, match="unknown scenario"):
        ScenarioPlanner(engine, scenario="没有这个", save_dir=tmp_path)


def test_scenario_planner_in_english(engine, tmp_path):
    en = ScenarioPlanner(engine, lang="en", save_dir=tmp_path)
    assert "Domestic capital arrived P(attain)" in en.headline.value
    assert "Phased target" in en.table.value
    assert en.scenario.options[1][0] == "covid-delay"
    assert en.charts["p_attain"].spec["title"] == "Chance of meeting each target"
    en.save_button.click()  # no name: the answer is in the page's language, beside the button
    assert en.save_errors.text == (
        "The scenario has no name: type one in the Name box, then save again."
    )
    controls = en.widget.children[2].children[0].children
    assert controls.index(en.save_errors.widget) == controls.index(en.save_description) + 2


# ---- the roadshow planner ---------------------------------------------------------------------


def test_budget_slider_resolves_the_plan_and_redraws(roadshow):
    cost0, table0 = roadshow.plan.cost, roadshow.table.value
    gantt0, draws0 = roadshow.charts["gantt"].spec, roadshow.charts["gantt"].draws
    assert roadshow.budget.continuous_update is False
    roadshow.budget.value = 120
    assert roadshow.problem.budget == 120
    assert roadshow.plan.cost <= 120 < cost0
    assert roadshow.table.value != table0
    assert roadshow.charts["gantt"].draws == draws0 + 1
    assert roadshow.charts["gantt"].spec != gantt0
    assert "wb-plan-p" in roadshow.summary.value
    assert list(roadshow.comparison.columns[-2:]) == ["greedy", "optimal"]
    roadshow.budget.value = 300


def _plan_outputs(roadshow: RoadshowPlanner) -> dict:
    return {
        "summary": roadshow.summary.value,
        "table": roadshow.table.value,
        "compare": roadshow.compare_table.value,
        **{name: slot.spec for name, slot in roadshow.charts.items()},
    }


def _rows(spec: dict, key: str) -> list[dict]:
    (rows,) = [r for r in spec["datasets"].values() if r and key in r[0]]
    return rows


def test_ten_quick_budget_steps_end_with_every_output_at_the_last_budget(roadshow):
    """Ten key presses 300 -> 200: each budget is re-planned and redrawn in order (none skipped,
    none merged), and what the page ends on is the plan of 200, calendar and frontier marker
    included, the same as after one move straight to 200."""
    assert roadshow.budget.value == 300
    roadshow.budget.value = 200
    direct = _plan_outputs(roadshow)
    roadshow.budget.value = 300
    draws = roadshow.charts["gantt"].draws
    for b in range(290, 190, -10):
        roadshow.budget.value = b
    assert roadshow.charts["gantt"].draws == draws + 10
    assert _plan_outputs(roadshow) == direct
    gantt, frontier = roadshow.charts["gantt"].spec, roadshow.charts["frontier"].spec
    assert "预算200万元" in roadshow.summary.value
    assert gantt["title"] == "优化方案日程（预算200万元）"
    bars = _rows(gantt, "event")
    assert len(bars) == len(roadshow.plan.table) > 0
    assert {r["event_id"] for r in bars} == set(roadshow.plan.table["event_id"])
    assert {r["event"] for r in bars} == set(roadshow.plan.table["name"])  # names, not codes
    (marker,) = _rows(frontier, "text")
    assert marker == {"budget": 200.0, "text": "当前预算200万元"}
    roadshow.budget.value = 300


def test_a_chart_failing_to_build_leaves_numbers_and_charts_at_one_plan(roadshow, monkeypatch):
    """Everything is built before anything is replaced: a failure shows the error and leaves the
    previous plan everywhere (never new numbers beside an old calendar); the next move heals."""
    from workbook.charts import roadshow as cr

    before = _plan_outputs(roadshow)
    real = cr.plan_parts
    monkeypatch.setattr(cr, "plan_parts", lambda *a, **k: 1 / 0)
    roadshow.budget.value = 250
    assert "ZeroDivisionError" in roadshow.errors.text
    assert _plan_outputs(roadshow) == before
    monkeypatch.setattr(cr, "plan_parts", real)
    roadshow.budget.value = 240
    assert roadshow.errors.text == ""
    assert "预算240万元" in roadshow.summary.value
    assert roadshow.charts["gantt"].spec["title"] == "优化方案日程（预算240万元）"
    roadshow.budget.value = 300


def test_a_budget_below_the_least_feasible_one_says_so_beside_the_slider(roadshow):
    roadshow.budget.value = 100
    assert roadshow.plan is None
    text = roadshow.errors.text
    assert text.startswith(
        "驻日本招商机构须至少举办一场活动，但其每个候选活动的费用都超过剩余预算："
    )
    assert text.endswith("。预算至少108万元才有可行方案。")  # what to do, last
    shown = roadshow.errors.widget.value
    assert "traceback" not in shown.lower() and ".py" not in shown and "Error" not in shown
    # The error sits right under the budget slider, not at the top of the page.
    controls = roadshow.widget.children[1].children[0].children
    assert controls.index(roadshow.errors.widget) == controls.index(roadshow.budget) + 1
    roadshow.budget.value = 300
    assert roadshow.errors.text == "" and roadshow.errors.widget.value == ""


def test_an_infeasible_budget_is_explained_in_the_planner(roadshow):
    roadshow.budget.value = 0
    assert roadshow.plan is None
    assert "云招商" in roadshow.errors.text  # the constraint that makes it infeasible
    assert "没有可行方案" in roadshow.summary.value
    roadshow.budget.value = 300
    assert roadshow.plan is not None and roadshow.errors.text == ""


def test_constraint_toggles_change_the_problem_and_the_frontier(roadshow):
    frontier0 = roadshow.frontier
    roadshow.each_office.value = False
    assert roadshow.problem.required_offices == ()
    assert roadshow.frontier is not frontier0
    roadshow.min_cloud.value = 0
    assert roadshow.problem.settings.min_cloud_events == 0
    roadshow.avoid_holidays.value = False
    assert roadshow.problem.settings.blocked_holidays == ()
    for w, v in (
        (roadshow.each_office, True),
        (roadshow.min_cloud, 2),
        (roadshow.avoid_holidays, True),
    ):
        w.value = v
    assert roadshow.errors.text == ""


def test_no_overseas_toggle_drops_overseas_events_from_the_plan(roadshow):
    assert (roadshow.problem.slots["kind"] == "overseas").any()
    roadshow.no_overseas.value = True
    # the Japan office can only run overseas events: the planner says so
    assert roadshow.plan is None and "驻日本招商机构" in roadshow.errors.text
    roadshow.each_office.value = False
    assert not (roadshow.problem.slots["kind"] == "overseas").any()
    assert "overseas" not in set(roadshow.plan.table["kind"])
    roadshow.no_overseas.value = False
    roadshow.each_office.value = True
    assert roadshow.errors.text == "" and roadshow.plan is not None


def test_picking_a_scenario_plans_under_its_drivers(roadshow):
    from workbook.roadshow.problem import scenario_drivers

    roadshow.scenario.value = "乐观"
    assert roadshow.drivers == scenario_drivers(roadshow.params, "乐观")
    assert roadshow.plan is not None and roadshow.errors.text == ""
    roadshow.scenario.value = ""
    assert roadshow.drivers == roadshow.params.drivers


def test_judged_plans_read_again_are_the_plans_judged_now(roadshow):
    """A budget move reads a plan judged before from a cache: after moves there and back and a
    scenario's drivers, every column is what judging the shown plans afresh gives."""
    from workbook.roadshow.judge import compare_plans

    for budget, scenario in ((150, ""), (300, ""), (150, ""), (150, "乐观"), (300, "")):
        roadshow.scenario.value = scenario
        roadshow.budget.value = budget
        for key, plan in (("greedy", roadshow.greedy), ("optimal", roadshow.plan)):
            fresh = compare_plans(roadshow.engine, {key: plan}, drivers=roadshow.drivers)
            assert roadshow.comparison[key].equals(fresh[key]), (budget, scenario, key)


def test_export_buttons_write_xlsx_and_ics_that_read_back(roadshow):
    from icalendar import Calendar
    from openpyxl import load_workbook

    roadshow.xlsx_button.click()
    roadshow.ics_button.click()
    assert roadshow.errors.text == ""
    xlsx, ics = roadshow.exported["xlsx"], roadshow.exported["ics"]
    assert xlsx.name == "plan.xlsx" and ics.name == "plan.ics"
    wb = load_workbook(io.BytesIO(xlsx.read_bytes()))
    assert wb.sheetnames[0] == "活动计划"
    events = Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
    assert len(events) == len(roadshow.plan.table)
    assert 'download="plan.ics"' in roadshow.export_status.value


def test_roadshow_planner_in_english(engine, tmp_path):
    en = RoadshowPlanner(engine, lang="en", out_dir=tmp_path, budget=200)
    assert en.budget.value == 200
    assert "Optimal plan" in en.summary.value
    assert en.budget.description == "Budget (10k CNY)"


# ---- packaging ---------------------------------------------------------------------------------


def test_import_workbook_does_not_import_jupyter_or_widgets():
    code = (
        "import sys, workbook; "
        "bad = [m for m in ('ipywidgets', 'altair', 'voila', 'papermill', 'jupyter_server')"
        " if m in sys.modules]; print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert out.stdout.strip() == "[]", out.stderr
