"""A live planner's redraw of a chart whose structure is unchanged builds no Altair chart: the
chart functions give their layers' frames apart from their structure (`ChartParts`), and the
rows and titles sent are exactly those the full Altair spec carries, for every control state."""

from __future__ import annotations

import datetime as dt

import altair as alt
import numpy as np
import pandas as pd
import pytest

from tests.conftest import SAMPLE_PARAMS
from workbook.charts import roadshow as cr
from workbook.charts import scenario as cs
from workbook.charts.parts import ChartParts, records
from workbook.forecast.engine import Engine
from workbook.planners import controls
from workbook.planners.app import CHART_JS, ENV_CHART_JS
from workbook.planners.driver_controls import control_values, what_if
from workbook.planners.live_chart import LiveSpec, signals_of
from workbook.planners.roadshow import RoadshowPlanner
from workbook.planners.scenario import ScenarioPlanner
from workbook.zone.loader import load_zone

AS_OF = dt.date(2020, 6, 30)


def _altair_rows(df: pd.DataFrame) -> list[dict]:
    return alt.utils.data.to_values(df)["values"]


def test_records_are_the_rows_altair_writes_for_every_column_type():
    df = pd.DataFrame(
        {
            "f": [1.5, np.nan, np.inf],
            "i": np.array([1, 2, 3], dtype="int64"),
            "b": [True, False, True],
            "s": pd.array(["内资", None, "外资"], dtype="str"),
            "o": pd.array(["a", "b", "c"], dtype=object),
            "c": pd.Categorical(["x", None, "y"]),
            "n": pd.array([1, None, 3], dtype="Int64"),
            "d": pd.to_datetime(["2020-01-01", None, "2020-03-01"]),
        },
        index=[5, 7, 9],
    )
    assert records(df) == _altair_rows(df)
    assert records(df.iloc[[1]]) == _altair_rows(df.iloc[[1]])
    assert records(df.iloc[:0]) == _altair_rows(df.iloc[:0]) == []


def _check(parts: ChartParts) -> LiveSpec:
    """The parts' rows and titles are those of the spec Altair makes of their chart."""
    live = LiveSpec.of(parts.chart().to_dict(validate=False))
    _, data = parts.rows()
    assert data == live.data
    assert signals_of(parts) == live.signals
    return live


def _same_key_same_skeleton(all_parts: list[ChartParts]) -> None:
    skeletons: dict = {}
    for parts in all_parts:
        live = _check(parts)
        assert parts.key is not None
        key = (parts.key, parts.rows()[0])
        assert skeletons.setdefault(key, live.skeleton) == live.skeleton, parts.key


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(load_zone(SAMPLE_PARAMS), as_of=AS_OF, trials=2000, seed=1)


@pytest.fixture
def app_charts(monkeypatch):
    monkeypatch.setenv(ENV_CHART_JS, CHART_JS)
    monkeypatch.setattr(controls.AppChart, "_esm", "")
    controls.enable_offline()


def test_the_scenario_charts_parts_carry_the_rows_and_titles_of_their_altair_spec(engine):
    """Several driver settings and targets, both languages: same key, same skeleton."""
    seen = []
    for lang in ("zh", "en"):
        for ratio in (0.3, 0.6, 0.9):
            values = {**control_values(engine.params.drivers, 7.0), "arrival_ratio": ratio}
            drivers = what_if(engine.params.drivers, values, (), "", fx_default=7.0)
            fc = engine.forecast(drivers, engine.base_plan)
            seen.append(cs.p_attain_parts(fc.targets, lang))
            compare = pd.DataFrame(
                {
                    "scenario": ["基准", "基准", "当前", "当前"],
                    "metric": ["domestic_capital", "new_starts"] * 2,
                    "p_attain": [0.5, 0.2, ratio, ratio / 2],
                }
            )
            seen.append(cs.compare_parts(compare, lang))
            for metric in ("domestic_capital", "big_projects_30", "foreign_capital"):
                row = fc.targets.loc[metric]
                target, unit = float(row["target"]), str(row["unit"])
                stretch = None if pd.isna(row["stretch"]) else float(row["stretch"])
                seen.append(
                    cs.fan_parts(
                        fc.fan(metric),
                        metric=metric,
                        target=target,
                        unit=unit,
                        lang=lang,
                        subtitle=f"P {row['p_attain']:.1%}",
                    )
                )
                bins = cs.year_end_bins(fc.year_end(metric))
                for s in (stretch, None):
                    seen.append(
                        cs.histogram_parts(
                            bins, metric=metric, target=target, stretch=s, unit=unit, lang=lang
                        )
                    )
    _same_key_same_skeleton(seen)


def test_a_fan_with_a_subtitle_is_the_fan_titled_anew(engine):
    """The planner's fan (subtitle given) is the spec it was when the subtitle was added to the
    fan chart afterwards; without one the title stays a plain string."""
    fan = engine.forecast(engine.params.drivers, engine.base_plan).fan("domestic_capital")
    plain = cs.fan_chart(fan, target=56.0)
    assert isinstance(plain.to_dict(validate=False)["title"], str)
    titled = plain.properties(title=alt.TitleParams(text=plain.title, subtitle="达标概率97.0%"))
    with_subtitle = cs.fan_chart(fan, target=56.0, subtitle="达标概率97.0%")
    assert with_subtitle.to_dict() == titled.to_dict()


def _page(slot: controls.ChartSlot, page: dict) -> list:
    """What the page shows after the slot's last message: its embedded spec's data sets with
    the last update applied (as CHART_JS does), in order."""
    spec = slot.widget.spec
    gen = spec["usermeta"]["wb_gen"]
    if page.get("gen") != gen:
        page.clear()
        page.update(
            gen=gen,
            data=dict(spec["datasets"]),
            signals={p["name"]: p["value"] for p in spec.get("params", [])},
        )
    update = slot.widget._wb_update
    if update is not None and update["gen"] == gen:
        page["data"].update(update["data"])
        page["signals"].update(update["signals"])
    return list(page["data"].values())


def _assert_page_shows_full_spec(slots: dict[str, controls.ChartSlot], pages: dict) -> None:
    for name, slot in slots.items():
        shown = _page(slot, pages.setdefault(name, {}))
        full = LiveSpec.of(slot.spec)  # built by Altair from the chart's parts
        assert shown == full.data, name
        assert pages[name]["signals"] == full.signals, name
        embedded = LiveSpec.of(slot.widget.spec).skeleton
        embedded = {k: v for k, v in embedded.items() if k not in ("params", "usermeta")}
        assert embedded == full.skeleton, name


def test_in_the_app_scenario_moves_send_the_rows_of_the_full_spec_without_building_it(
    engine, app_charts, monkeypatch, tmp_path
):
    planner = ScenarioPlanner(engine, save_dir=tmp_path)
    pages: dict = {}
    _assert_page_shows_full_spec(planner.charts, pages)
    embeds = {n: s.embeds for n, s in planner.charts.items()}
    built = []
    real = ChartParts.chart
    monkeypatch.setattr(ChartParts, "chart", lambda self: built.append(self.key) or real(self))
    for ratio in (0.45, 0.5, 0.9, 0.3):
        built.clear()  # (the check below builds the full spec)
        planner.controls["arrival_ratio"].value = ratio
        assert built == []  # no Altair chart built for a driver move
        _assert_page_shows_full_spec(planner.charts, pages)
    assert {n: s.embeds for n, s in planner.charts.items()} == embeds
    for box in list(planner.cancel_boxes.values())[:2]:
        box.value = True
        _assert_page_shows_full_spec(planner.charts, pages)
    # Another target: another unit and title, so its fan and histogram are embedded anew ...
    planner.metric_pick.value = "big_projects_30"
    assert planner.charts["fan"].embeds == embeds["fan"] + 1
    _assert_page_shows_full_spec(planner.charts, pages)
    # ... and then move as data again.
    built.clear()
    planner.controls["conversion"].value = 1.2
    assert built == []
    _assert_page_shows_full_spec(planner.charts, pages)
    planner.metric_pick.value = "domestic_capital"
    planner.controls["conversion"].value = 0.8
    _assert_page_shows_full_spec(planner.charts, pages)


def test_in_the_app_budget_moves_send_the_rows_of_the_full_spec(engine, app_charts, tmp_path):
    planner = RoadshowPlanner(engine, out_dir=tmp_path)
    pages: dict = {}
    _assert_page_shows_full_spec(planner.charts, pages)
    frontier_embeds = planner.charts["frontier"].embeds
    for budget in (290, 200, 210, 200, 300, 600):
        planner.budget.value = budget
        _assert_page_shows_full_spec(planner.charts, pages)
    assert planner.charts["frontier"].embeds <= frontier_embeds + 1  # the label switched side


def test_the_roadshow_charts_parts_carry_the_rows_and_titles_of_their_altair_spec(engine):
    planner = RoadshowPlanner(engine)
    seen = []
    for budget in (300, 200, 210, 600):
        planner.budget.value = budget
        seen.extend(planner._charts().values())
    seen.append(cr.plan_parts(planner.plan.table, lang="en", title="Plan"))
    _same_key_same_skeleton(seen)


def test_a_key_is_trusted_only_when_the_embedded_spec_has_the_parts_rows_and_titles(
    app_charts, monkeypatch
):
    """Parts whose frames are not what their chart draws never take the short way: the slot
    builds every draw of them (and still sends data only when the structure is the same)."""
    df = pd.DataFrame({"x": [1.0, 2.0]})

    def parts(xs: list[float], honest: bool = True) -> ChartParts:
        frame = pd.DataFrame({"x": xs})
        drawn = frame if honest else df  # a chart that does not draw its own frames

        def build() -> alt.Chart:
            return alt.Chart(drawn).mark_tick().encode(x="x:Q").properties(title="刻度")

        return ChartParts(("tick",), (frame,), build, "刻度")

    honest = controls.ChartSlot("tick", parts([1.0, 2.0]))
    assert honest._live is not None and honest._live.key == ("tick",)
    honest.show(parts([3.0]))
    assert honest.widget._wb_update["data"] == {
        next(iter(honest.widget.spec["datasets"])): [{"x": 3.0}]
    }
    liar = controls.ChartSlot("tick", parts([5.0], honest=False))
    assert liar._live is not None and liar._live.key is None
    built = []
    real = ChartParts.chart
    monkeypatch.setattr(ChartParts, "chart", lambda self: built.append(1) or real(self))
    liar.show(parts([6.0], honest=False))
    assert built == [1] and liar.embeds == 1
