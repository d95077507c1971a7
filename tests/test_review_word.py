"""review.docx: the page as a Word document (title, abstract, every section's notes, tables
and charts as PNG), 黑体 headings and 宋体 body through w:eastAsia, a PAGE field in the footer,
English with --lang en; and a past quarter's full run carries it too."""

from __future__ import annotations

import io
import json
import re

import pytest
from docx import Document
from docx.oxml.ns import qn

from tests.conftest import SAMPLE_PARAMS
from tests.review_helpers import JINING, REPORT_FILES
from workbook.review import review_params
from workbook.review.report import build_review
from workbook.review.word import blocks_of, build_docx


def test_fragments_are_read_into_headings_notes_tables_and_charts():
    fragment = (
        '<section class="wb-section"><h2>一、目标</h2><p class="wb-note">说明 &amp; 注</p>'
        '<table class="wb-table"><thead><tr><th>指标</th><th>完成率</th></tr></thead><tbody>'
        '<tr><td>内资到位</td><td class="num">41.8%</td></tr>'
        '<tr class="wb-flag"><td>外资</td><td class="num">29.0%</td></tr></tbody></table>'
        '<div class="wb-chart" data-chart="funnel"><script type="application/json" '
        'class="wb-spec">{"mark":"bar"}</script></div></section>'
    )
    blocks = blocks_of(fragment)
    assert [b.kind for b in blocks] == ["h2", "p", "table", "chart"]
    assert blocks[0].text == "一、目标" and blocks[1].text == "说明 & 注"
    table = blocks[2].table
    assert table.header == ["指标", "完成率"]
    assert table.rows == [
        [("内资到位", False), ("41.8%", True)],
        [("外资", False), ("29.0%", True)],
    ]
    assert table.flagged == [False, True]
    assert blocks[3].name == "funnel" and json.loads(blocks[3].spec) == {"mark": "bar"}


def _east_asia(style) -> str:
    return style.element.rPr.rFonts.get(qn("w:eastAsia"))


@pytest.fixture(scope="module")
def q2():
    return build_review(review_params(SAMPLE_PARAMS, "2020Q2", trials=1000))


def test_docx_holds_title_abstract_every_section_table_and_chart(q2):
    doc = Document(io.BytesIO(build_docx(q2.context, q2.page_html())))
    paragraphs = [p for p in doc.paragraphs if p.text.strip()]
    assert paragraphs[0].style.name == "Title"
    assert paragraphs[0].text == "济宁高新区2020年第二季度招商引资工作季度评估"
    assert paragraphs[1].text == q2.abstract()  # the abstract comes right after the title
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == [*(q2.t(f"s{i}") for i in range(1, 8)), q2.t("appendix")]
    page = "".join(q2.section_html(s) for s in q2.names)
    assert len(doc.inline_shapes) == page.count('class="wb-chart"') == len(q2.charts())
    assert len(doc.tables) == page.count('<table class="wb-table">')
    head = doc.tables[0]
    assert [c.text for c in head.rows[0].cells][:3] == ["指标", "单位", "年度目标"]
    assert head.rows[1].cells[0].text == "内资到位"
    assert head.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeats on each page
    assert _east_asia(doc.styles["Normal"]) == "宋体"
    assert (
        _east_asia(doc.styles["Heading 1"]) == "黑体" and _east_asia(doc.styles["Title"]) == "黑体"
    )
    footer = doc.sections[0].footer.paragraphs[0]
    assert " PAGE " in footer._p.xml and footer.text.startswith("第 ")
    assert abs(doc.sections[0].page_width.cm - 21.0) < 0.01  # A4


def test_docx_in_english():
    rv = build_review(review_params(SAMPLE_PARAMS, "2020Q2", trials=500, lang="en"))
    doc = Document(io.BytesIO(build_docx(rv.context, rv.page_html())))
    headings = [p.text for p in doc.paragraphs if p.style.name in ("Title", "Heading 1")]
    assert headings[0].startswith("Jining High-tech Zone: quarterly investment-promotion review")
    assert headings[1] == "1. Targets: where we stand and how the year ends"
    assert not any(re.search(r"[\u4e00-\u9fff]", h) for h in headings)
    assert doc.sections[0].footer.paragraphs[0].text.startswith("Page ")


@pytest.mark.slow
@pytest.mark.notebook
def test_a_past_quarter_run_has_its_own_pipeline_an_abstract_and_a_word_file(tmp_path):
    """The 2020Q1 review of the sample zone, run end to end: every report file, the pipeline
    from ledger-2020Q1.xlsx (not today's), an abstract, review.docx with every chart."""
    from openpyxl import load_workbook

    from workbook.review.runner import review

    result = review(JINING, "2020Q1", tmp_path / "2020Q1", trials=2000)
    assert result.status == "ok", result.error
    assert {p.name for p in result.run_dir.iterdir()} == REPORT_FILES
    summary = json.loads((result.run_dir / "summary.json").read_text(encoding="utf-8"))
    assert summary["pipeline"]["source"] == "snapshot"
    assert summary["pipeline"]["projects"] == 197  # ledger-2020Q1.xlsx, not the 220 of June
    assert summary["abstract"].startswith("截至2020年3月31日")
    manifest = json.loads((result.run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["inputs"]["snapshot"]  # the snapshot is part of the run's fingerprint
    page = (result.run_dir / "review.html").read_text(encoding="utf-8")
    assert "ledger-2020Q1.xlsx" in page
    doc = Document(result.run_dir / "review.docx")
    assert len(doc.inline_shapes) == page.count('class="wb-chart"') > 5
    wb = load_workbook(result.run_dir / "review.xlsx")
    funnel = {r[0]: r[1] for r in wb["项目漏斗"].iter_rows(min_row=2, values_only=True)}
    assert sum(funnel.values()) == 197
