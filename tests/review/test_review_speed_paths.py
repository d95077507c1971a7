"""What the review's fast paths leave out is still checked: every chart the review embeds
(unvalidated, for speed: workbook.review.render.chart_html) is a valid Vega-Lite spec and is
embedded exactly as Altair's validated output; a batch kernel skips Altair's widget, a
notebook a person runs keeps it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.review_helpers import JINING, REPO
from workbook.review import BATCH_KERNEL, review_params
from workbook.review.report import build_review

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("quarter", ["2020Q1", "2020Q2"])
def test_every_chart_of_the_review_validates_and_is_embedded_as_validated(quarter):
    rv = build_review(review_params(JINING, quarter, trials=300))
    charts = rv.charts()
    assert len(charts) >= 5
    page = "".join(rv.page_html())
    for name, chart in charts.items():
        spec = chart.to_dict()  # validates against the Vega-Lite schema (raises if not valid)
        spec.pop("$schema", None)
        start = page.index(f'data-chart="{name}"')
        body = page[page.index('class="wb-spec">', start) + len('class="wb-spec">') :]
        embedded = json.loads(body[: body.index("</script>")])
        assert embedded == json.loads(json.dumps(spec, default=str)), name


def _altair_widget(env_value: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != BATCH_KERNEL}
    if env_value is not None:
        env[BATCH_KERNEL] = env_value
    env["PYTHONPATH"] = str(REPO)
    code = (
        "from workbook.review import skip_slow_optional_imports\n"
        "skip_slow_optional_imports()\n"
        "import sys, altair\n"
        "print('anywidget' in sys.modules and sys.modules['anywidget'] is not None)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def test_a_batch_kernel_skips_altairs_widget_and_a_persons_notebook_keeps_it():
    assert _altair_widget("1") == "False"
    assert _altair_widget(None) == "True"
