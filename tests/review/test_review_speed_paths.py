"""What the review's fast paths leave out is still checked: every chart the review embeds
(unvalidated, for speed: workbook.review.render.chart_html) is a valid Vega-Lite spec and is
embedded exactly as Altair's validated output; a batch kernel skips Altair's widget, a
notebook a person runs keeps it; review.html's body, written without nbconvert, is nbconvert's
`basic` output (attributes in any order), and any other kind of output still goes through
nbconvert."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from html.parser import HTMLParser

import nbformat
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


class _Tree(HTMLParser):
    """A page as its tags (attributes sorted), text and references: what a browser reads."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[tuple] = []

    def handle_starttag(self, tag, attrs):
        self.items.append(("start", tag, tuple(sorted(attrs))))

    def handle_endtag(self, tag):
        self.items.append(("end", tag))

    def handle_data(self, data):
        self.items.append(("text", data))


def _tree(page: str) -> list[tuple]:
    t = _Tree()
    t.feed(page)
    t.close()
    return t.items


def _notebook(outputs_per_cell: list[list]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# notes for notebook readers")]
    for i, outputs in enumerate(outputs_per_cell):
        cell = nbformat.v4.new_code_cell(
            f"cell_{i}()", metadata={"tags": ["parameters"]} if i == 0 else {}
        )
        cell.outputs = outputs
        nb.cells.append(cell)
    return nb


def test_the_report_body_is_nbconverts_basic_output_without_nbconvert():
    from workbook.review.html import _basic_body, _nbconvert_body, report_body

    rv = build_review(review_params(JINING, "2020Q2", trials=300))
    sections = [
        nbformat.v4.new_output("display_data", data={"text/html": f, "text/plain": "x"})
        for f in rv.page_html()
    ]
    other = [
        nbformat.v4.new_output(
            "execute_result", data={"text/html": "<p>A</p>", "text/plain": "A"}, execution_count=1
        ),
        nbformat.v4.new_output("display_data", data={"text/plain": 'plain <x> & "q"'}),
        nbformat.v4.new_output("stream", name="stdout", text="a <&>\n"),
        nbformat.v4.new_output("stream", name="stderr", text="a warning"),
        nbformat.v4.new_output("execute_result", data={"text/plain": "42"}, execution_count=2),
    ]
    nb = _notebook([[], sections, other, []])
    fast = _basic_body(nb)
    assert fast is not None and fast == report_body(nb)
    assert _tree(fast) == _tree(_nbconvert_body(nb))
    assert "a warning" not in fast and "notes for notebook readers" not in fast


def test_an_output_of_another_kind_goes_through_nbconvert():
    from workbook.review.html import _basic_body, _nbconvert_body, report_body

    png = nbformat.v4.new_output(
        "display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}
    )
    nb = _notebook([[png]])
    assert _basic_body(nb) is None
    assert report_body(nb) == _nbconvert_body(nb) and "data:image/png;base64" in report_body(nb)
