"""The review's sections behind one contract (workbook.review.section): a section added in a
test shows on the page, in review.xlsx and in summary.json; and the params file is read once
in the runner and once in the kernel."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pandas as pd
import pytest
from openpyxl import load_workbook

from tests.review_helpers import JINING
from workbook.review import open_review, review_params
from workbook.review.render import chart_html, note, table_html
from workbook.review.report import SECTIONS, build_review
from workbook.review.section import Context, Results, Section, frame

pytestmark = pytest.mark.slow


class Projects(Section):
    """A tiny section: how many projects each team leads, with a chart."""

    name = "teams"

    def compute(self, ctx: Context, done: Results) -> pd.DataFrame:
        p = ctx.zone.ledger.projects
        return p.groupby("team").size().rename("projects").reset_index()

    def charts(self, ctx: Context, done: Results) -> dict[str, Any]:
        import altair as alt

        data = done[self.name]
        return {"teams": alt.Chart(data).mark_bar().encode(x="projects:Q", y="team:N")}

    def html(self, ctx: Context, done: Results, charts: Mapping[str, Any]) -> str:
        table = done[self.name]
        return frame(
            ctx,
            "s3",  # a label the catalogue has; a real section adds its own
            note(f"teams: {len(table)}"),
            table_html(table, ctx.lang, ["team", "projects"]),
            chart_html(charts["teams"], "teams"),
        )

    def sheets(self, ctx: Context, done: Results) -> dict[str, pd.DataFrame]:
        return {"teams": done[self.name]}

    def summary(self, ctx: Context, done: Results) -> dict[str, Any]:
        table = done[self.name]
        return {
            "teams": {str(t): int(n) for t, n in zip(table["team"], table["projects"], strict=True)}
        }


def test_a_section_added_in_a_test_shows_on_the_page_in_the_sheets_and_in_the_summary(tmp_path):
    rp = review_params(JINING, "2020Q2", trials=300)
    rv = build_review(rp, sections=(*SECTIONS, Projects()))
    teams = rv["teams"]
    expected = rv.zone.ledger.projects["team"].value_counts()
    assert len(teams) == len(expected) and teams["projects"].sum() == len(rv.zone.ledger.projects)

    assert rv.names[-1] == "teams"
    page = rv.page_html()
    assert len(page) == len(SECTIONS) + 1
    assert f"teams: {len(teams)}" in page[-1] and 'data-chart="teams"' in page[-1]
    assert list(rv.charts())[-1] == "teams"

    rv.save(tmp_path)
    wb = load_workbook(tmp_path / "review.xlsx")
    assert wb.sheetnames[-1] == "teams"
    rows = list(wb["teams"].iter_rows(values_only=True))
    assert len(rows) == len(teams) + 1
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert list(summary)[-1] == "teams"
    assert summary["teams"] == {str(t): int(n) for t, n in expected.items()}
    # the built-in sections are all still there, in order
    assert list(summary)[:2] == ["schema", "zone"] and "next_quarter" in summary


def test_an_unknown_section_is_named_with_the_known_ones():
    rv = build_review(review_params(JINING, "2020Q2", trials=300), sections=SECTIONS[:2])
    with pytest.raises(KeyError, match="expected one of title, headline"):
        rv.section_html("burnup")


@pytest.fixture
def parses(monkeypatch):
    """How many times a params file is parsed (workbook.zone.params.parse_params)."""
    import workbook.zone.params as zp

    calls: list[str] = []
    parse = zp.parse_params

    def counting(*a: Any, **k: Any) -> Any:
        calls.append(str(k.get("source", a[1] if len(a) > 1 else "")))
        return parse(*a, **k)

    monkeypatch.setattr(zp, "parse_params", counting)
    return calls


def test_the_kernel_reads_the_params_file_once(parses):
    rv = open_review(str(JINING), "2020Q2", trials=300)  # what the notebook's first cell does
    rv.page_html()
    rv.tables()
    rv.summary()
    assert parses == [str(JINING.resolve())]


def test_the_runner_reads_the_params_file_once_before_and_after_the_kernel(
    parses, tmp_path, monkeypatch
):
    """Checking the inputs, the run folder's manifest and fingerprint: one read in the
    runner (the kernel, another process, reads it once more)."""
    import papermill

    from workbook.review.runner import review

    kernels: list[Any] = []
    monkeypatch.setattr(papermill, "execute_notebook", lambda *a, **k: kernels.append(k))
    result = review(JINING, "2020Q2", tmp_path / "run")
    assert len(kernels) == 1 and result.status == "failed"  # no kernel ran: no outputs
    assert parses == [str(JINING.resolve())]
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["inputs"]) >= {"params", "ledger", "events"}
