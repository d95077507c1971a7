"""Under `workbook app` a chart slot keeps the page's Vega view: a chart of the same structure
goes as its changed data sets and title texts, another structure as a whole spec."""

from __future__ import annotations

import altair as alt
import pandas as pd
import pytest

from workbook.planners import controls
from workbook.planners.app import CHART_JS, ENV_CHART_JS
from workbook.planners.live_chart import CHART_JS as WIDGET_JS
from workbook.planners.live_chart import LiveDraw, LiveSpec


def _bars(xs: list[int], title: str = "内资到位", subtitle: str = "达标概率97%") -> alt.Chart:
    df = pd.DataFrame({"x": xs, "m": ["2020-01-01", "2020-02-01"]})
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(x="x:Q", y="m:T")
        .properties(title=alt.TitleParams(title, subtitle=subtitle))
    )


def _layered(xs: list[int], ys: list[int]) -> alt.LayerChart:
    a = alt.Chart(pd.DataFrame({"x": xs})).mark_tick().encode(x="x:Q")
    b = alt.Chart(pd.DataFrame({"y": ys})).mark_rule().encode(x="y:Q")
    return alt.layer(a, b).properties(title="层")


@pytest.fixture
def app_charts(monkeypatch):
    monkeypatch.setenv(ENV_CHART_JS, CHART_JS)
    monkeypatch.setattr(controls.AppChart, "_esm", "")
    controls.enable_offline()


def test_a_spec_splits_into_skeleton_data_and_title_signals_and_back():
    spec = _layered([1, 2], [3]).to_dict(validate=False)
    live = LiveSpec.of(spec)
    assert live.data == [[{"x": 1}, {"x": 2}], [{"y": 3}]]
    assert live.names == list(spec["datasets"])
    assert [layer["data"] for layer in live.skeleton["layer"]] == [
        {"name": "__wb_data_0"},
        {"name": "__wb_data_1"},
    ]
    assert live.skeleton["title"] == {"text": {"expr": "wb_title"}}
    assert live.signals == {"wb_title": "层"}
    sent = live.embeddable(gen=3)
    assert sent["datasets"] == spec["datasets"]
    assert [layer["data"] for layer in sent["layer"]] == [layer["data"] for layer in spec["layer"]]
    assert sent["params"] == [{"name": "wb_title", "value": "层"}]
    assert sent["usermeta"] == {"wb_gen": 3}
    assert "datasets" not in live.skeleton and spec["title"] == "层"  # the spec is not changed


def test_an_update_carries_every_data_set_changed_since_the_embed_under_its_old_name():
    first = LiveSpec.of(_layered([1, 2], [3]).to_dict(validate=False))
    drawn = LiveDraw(first, gen=1)
    second = LiveSpec.of(_layered([1, 2], [4]).to_dict(validate=False))
    assert drawn.update_for(second) == {
        "gen": 1,
        "data": {first.names[1]: [{"y": 4}]},
        "signals": {"wb_title": "层"},
    }
    # Back to the embedded rows: the data set changed before still goes (the view has [4]).
    assert drawn.update_for(first) == {
        "gen": 1,
        "data": {first.names[1]: [{"y": 3}]},
        "signals": {"wb_title": "层"},
    }
    third = LiveSpec.of(_layered([5, 2], [3]).to_dict(validate=False))
    assert drawn.update_for(third)["data"] == {  # type: ignore[index]
        first.names[0]: [{"x": 5}, {"x": 2}],
        first.names[1]: [{"y": 3}],
    }


def test_another_structure_is_no_update():
    drawn = LiveDraw(LiveSpec.of(_bars([1, 2]).to_dict(validate=False)), gen=1)
    other = _bars([1, 2]).mark_line().to_dict(validate=False)
    assert drawn.update_for(LiveSpec.of(other)) is None
    assert drawn.update_for(LiveSpec.of(_layered([1], [2]).to_dict(validate=False))) is None


def test_in_the_app_a_slot_sends_data_and_titles_and_embeds_only_a_new_structure(app_charts):
    slot = controls.ChartSlot("fan", _bars([1, 2]))
    assert isinstance(slot.widget, controls.AppChart)
    embedded = slot.widget.spec
    assert embedded["title"] == {"text": {"expr": "wb_title"}, "subtitle": {"expr": "wb_subtitle"}}
    assert embedded["params"] == [
        {"name": "wb_title", "value": "内资到位"},
        {"name": "wb_subtitle", "value": "达标概率97%"},
    ]
    assert (slot.embeds, slot.draws) == (1, 1)
    (name,) = embedded["datasets"]

    slot.show(_bars([3, 4], subtitle="达标概率62.1%"))
    assert slot.widget.spec == embedded  # not re-embedded
    assert slot.widget._wb_update == {
        "gen": 1,
        "data": {name: [{"x": 3, "m": "2020-01-01"}, {"x": 4, "m": "2020-02-01"}]},
        "signals": {"wb_title": "内资到位", "wb_subtitle": "达标概率62.1%"},
    }
    assert (slot.embeds, slot.draws) == (1, 2)
    # What the slot shows is the last chart, as built.
    assert slot.spec["title"] == {"text": "内资到位", "subtitle": "达标概率62.1%"}
    assert list(slot.spec["datasets"].values()) == [
        list(slot.widget._wb_update["data"].values())[0]
    ]

    slot.show(_bars([3, 4]).mark_line())
    assert (slot.embeds, slot.draws) == (2, 3)
    assert slot.widget.spec["mark"] == {"type": "line"}
    assert slot.widget.spec["usermeta"] == {"wb_gen": 2}


def test_outside_the_app_a_slot_sends_whole_specs(monkeypatch):
    monkeypatch.delenv(ENV_CHART_JS, raising=False)
    monkeypatch.setattr(controls.AppChart, "_esm", "")
    controls.enable_offline()
    slot = controls.ChartSlot("fan", _bars([1, 2]))
    slot.show(_bars([3, 4], subtitle="达标概率62.1%"))
    assert slot.widget.spec["title"] == {"text": "内资到位", "subtitle": "达标概率62.1%"}
    assert slot.spec == slot.widget.spec and slot.draws == 2


def test_the_widget_code_applies_updates_of_the_spec_it_shows():
    assert "view.data(name" in WIDGET_JS and "view.signal(name" in WIDGET_JS
    assert "update.gen !== gen" in WIDGET_JS and "wb_gen" in WIDGET_JS
    assert "http" not in WIDGET_JS  # nothing fetched from anywhere
