"""Under `workbook app` the chart widgets import the Vega bundle the app serves (one download
per page, cached) instead of each carrying the ~0.9 MB bundle in its state; elsewhere (JupyterLab,
papermill) they keep Altair's offline bundle."""

from __future__ import annotations

import altair as alt
import pandas as pd

from workbook.planners import controls
from workbook.planners.app import CHART_JS, ENV_CHART_JS


def _chart() -> alt.Chart:
    return alt.Chart(pd.DataFrame({"x": [1, 2]})).mark_bar().encode(x="x:Q")


def test_in_the_app_charts_share_the_bundle_the_app_serves(monkeypatch):
    monkeypatch.setenv(ENV_CHART_JS, CHART_JS)
    monkeypatch.setattr(controls.AppChart, "_esm", "")
    controls.enable_offline()
    slot = controls.ChartSlot("fan", _chart())
    assert isinstance(slot.widget, controls.AppChart)
    esm = slot.widget._esm
    assert '"workbook/static/jupyter-chart.js"' in esm and "config.baseUrl" in esm
    assert len(esm) < 1000  # not the bundle
    assert "http" not in esm  # resolved against the page's own address


def test_outside_the_app_charts_carry_the_offline_bundle(monkeypatch):
    monkeypatch.delenv(ENV_CHART_JS, raising=False)
    monkeypatch.setattr(controls.AppChart, "_esm", "")
    controls.enable_offline()
    slot = controls.ChartSlot("fan", _chart())
    assert not isinstance(slot.widget, controls.AppChart)
    assert len(slot.widget._esm) > 500_000 and "https://" not in slot.widget._esm[:2000]
