"""review.docx: the page as a Word document (title, abstract, every section's notes, tables
and charts as PNG) in the GB/T 9704-2012 layout, read from the package's XML: A4 with the
standard margins, 仿宋_GB2312 三号 on a 22 x 28 grid, 方正小标宋简体 二号 title, 黑体/楷体/仿宋
headings, "— 1 —" page numbers on the outer side, a fallback for each GB font, no theme fonts,
wide tables on landscape pages with ids and dates unbroken, Chinese document properties;
English with --lang en; and a past quarter's full run carries it too."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import types
import zipfile

import pytest
from docx import Document
from docx.oxml.ns import qn
from lxml import etree

from tests.conftest import SAMPLE_PARAMS
from tests.review_helpers import JINING, REPORT_FILES
from workbook.review import review_params
from workbook.review.report import build_review
from workbook.review.word import (
    CELL_PAD_PT,
    Page,
    blocks_of,
    build_docx,
    document_grid,
    leader_words,
    table_layout,
)
from workbook.zone.params import load_params

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NS = {
    "w": W[1:-1],
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
}


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
    # the abstract comes right after the title (its dates read 2020年6月30日 already)
    assert paragraphs[1].text == leader_words(q2.abstract(), "zh")
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == [*(q2.t(f"s{i}") for i in range(1, 8)), q2.t("appendix")]
    page = "".join(q2.section_html(s) for s in q2.names)
    assert len(doc.inline_shapes) == page.count('class="wb-chart"') == len(q2.charts())
    assert len(doc.tables) == page.count('<table class="wb-table">')
    head = doc.tables[0]
    assert [c.text for c in head.rows[0].cells][:3] == ["指标", "单位", "年度目标"]
    assert head.rows[1].cells[0].text == "内资到位"
    assert head.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeats on each page
    assert _east_asia(doc.styles["Normal"]) == "仿宋_GB2312"
    assert _east_asia(doc.styles["Heading 1"]) == "黑体"
    assert _east_asia(doc.styles["Heading 2"]) == "楷体_GB2312"
    assert _east_asia(doc.styles["Title"]) == "方正小标宋简体"
    footer = doc.sections[0].footer.paragraphs[0]
    assert " PAGE " in footer._p.xml and footer.text == "— 1 —"
    assert abs(doc.sections[0].page_width.cm - 21.0) < 0.01  # A4
    # the sections' own headings numbered （一）（二） under each 一、
    h2 = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert h2[:2] == ["（一）我们以往的预测准不准", "（二）攻坚行动"]
    assert all(re.match(r"（[一二三四五六七八九十]）", t) for t in h2)


def test_docx_in_english():
    rv = build_review(review_params(SAMPLE_PARAMS, "2020Q2", trials=500, lang="en"))
    doc = Document(io.BytesIO(build_docx(rv.context, rv.page_html())))
    headings = [p.text for p in doc.paragraphs if p.style.name in ("Title", "Heading 1")]
    assert headings[0].startswith("Jining High-tech Zone: quarterly investment-promotion review")
    assert headings[1] == "1. Targets: where we stand and how the year ends"
    assert not any(re.search(r"[\u4e00-\u9fff]", h) for h in headings)
    assert doc.sections[0].footer.paragraphs[0].text == "— 1 —"  # the same layout


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


# ---- the GB/T 9704-2012 layout, read from the package's XML -------------------------------------

BODY = (
    "截至2020-06-30，内资到位完成23.39亿元，2020Q2滞后序时；百日攻坚（2020-03-22 至 2020-06-29）。"
)
WIDE = (
    '<table class="wb-table"><thead><tr>'
    + "".join(f"<th>列{i}</th>" for i in range(13))
    + "</tr></thead><tbody><tr>"
    + '<td>济宁华润蓼河万象新城</td><td>JN2020-002</td><td class="date">2019-06-18</td>'
    + "".join(f'<td class="num">{i}.0%</td>' for i in range(10))
    + "</tr></tbody></table>"
)
NARROW = (
    '<table class="wb-table"><thead><tr><th>指标</th><th>完成率</th></tr></thead>'
    '<tbody><tr><td>内资到位</td><td class="num">41.8%</td></tr></tbody></table>'
)
FRAGMENTS = [
    f'<header><h1>济宁高新区2020Q2招商引资工作季度评估</h1><p class="wb-abstract">{BODY}</p></header>',
    f'<section><h2>一、目标</h2><p class="wb-note">{BODY}</p>{NARROW}<h3>攻坚行动</h3>'
    f'<p class="wb-note">说明</p><h3>（三）已编号</h3><h4>1.第三级</h4></section>',
    f'<section><h2>二、项目</h2>{WIDE}<p class="wb-note">见上表。</p><p class="wb-why">{BODY}</p>'
    "</section>",
]
RUN_DAY = dt.datetime(2020, 7, 3, 9, 30)


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    """A small review (title, prose, a narrow and a 13-column table, three heading levels) as a
    .docx made on a fixed day (SOURCE_DATE_EPOCH), opened as its XML parts."""
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", str(int(RUN_DAY.replace(tzinfo=dt.UTC).timestamp())))
    ctx = types.SimpleNamespace(
        lang="zh", zone=types.SimpleNamespace(params=load_params(SAMPLE_PARAMS))
    )
    try:
        data = build_docx(ctx, FRAGMENTS)
    finally:
        mp.undo()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist()}


def _xml(package, name):
    return etree.fromstring(package[name])


def _attr(el, name):
    return el.get(f"{W}{name}")


def test_page_is_a4_with_the_standard_margins_and_a_22_by_28_grid(package):
    doc = _xml(package, "word/document.xml")
    first = doc.xpath("//w:sectPr", namespaces=NS)[0]
    size = first.find(f"{W}pgSz")
    assert (_attr(size, "w"), _attr(size, "h")) == ("11906", "16838")  # 210 x 297 mm
    margins = first.find(f"{W}pgMar")
    # 37, 35, 28, 26 mm in twips (1 mm = 1440 / 25.4 twips)
    assert {k: _attr(margins, k) for k in ("top", "bottom", "left", "right")} == {
        "top": "2098",
        "bottom": "1984",
        "left": "1587",
        "right": "1474",
    }
    grid = first.find(f"{W}docGrid")
    assert _attr(grid, "type") == "linesAndChars"
    pitch, space = int(_attr(grid, "linePitch")), int(_attr(grid, "charSpace"))
    assert (pitch, space) == document_grid() == (579, -841)
    height = 16838 - 2098 - 1984
    width = 11906 - 1587 - 1474
    assert 22 * pitch <= height < 23 * pitch  # 22 lines fill the type area, a 23rd does not fit
    # 28 三号 characters at the grid's pitch fill the width to within one twip
    assert abs(28 * (16 + space / 4096) * 20 - width) < 1


def test_styles_name_gb_fonts_sizes_and_no_theme_font(package):
    styles = _xml(package, "word/styles.xml")
    assert b"Theme" not in package["word/styles.xml"]  # no asciiTheme / eastAsiaTheme / hAnsiTheme
    assert "word/stylesWithEffects.xml" not in package  # the template's second copy, with them

    def style(sid):
        return styles.xpath(f"//w:style[@w:styleId='{sid}']", namespaces=NS)[0]

    def rpr(sid, tag):
        return style(sid).find(f"{W}rPr/{W}{tag}")

    expected = {  # style: (east-asian font, half-points, bold)
        "Normal": ("仿宋_GB2312", "32", "0"),
        "Title": ("方正小标宋简体", "44", "0"),
        "Heading1": ("黑体", "32", "0"),
        "Heading2": ("楷体_GB2312", "32", "0"),
        "Heading3": ("仿宋_GB2312", "32", None),
    }
    for sid, (east, size, bold) in expected.items():
        assert _attr(rpr(sid, "rFonts"), "eastAsia") == east, sid
        assert _attr(rpr(sid, "sz"), "val") == size, sid
        b = rpr(sid, "b")
        assert (b is None or _attr(b, "val") != "0") if bold is None else _attr(b, "val") == bold
    assert _attr(style("Title").find(f"{W}pPr/{W}jc"), "val") == "center"
    assert style("Title").find(f"{W}pPr/{W}pBdr") is None  # no rule under the title
    for sid in ("Heading1", "Heading2", "Heading3"):
        assert style(sid).find(f"{W}pPr/{W}keepNext") is not None, sid
    defaults = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
    assert _attr(defaults.find(f"{W}rFonts"), "eastAsia") == "仿宋_GB2312"
    assert _attr(defaults.find(f"{W}sz"), "val") == "32"
    assert _attr(defaults.find(f"{W}lang"), "eastAsia") == "zh-CN"
    settings = _xml(package, "word/settings.xml")
    assert settings.find(f"{W}evenAndOddHeaders") is not None
    assert _attr(settings.find(f"{W}themeFontLang"), "eastAsia") == "zh-CN"


def test_every_run_names_its_east_asian_font(package):
    doc = _xml(package, "word/document.xml")
    runs = doc.xpath("//w:r[w:t]", namespaces=NS)
    assert runs
    fonts = [r.find(f"{W}rPr/{W}rFonts") for r in runs]
    assert all(f is not None and _attr(f, "eastAsia") for f in fonts)
    assert {_attr(f, "eastAsia") for f in fonts} == {
        "方正小标宋简体",
        "仿宋_GB2312",
        "黑体",
        "楷体_GB2312",
    }
    assert b"Theme" not in package["word/document.xml"]


def test_font_table_gives_each_gb_font_its_fallback(package):
    table = _xml(package, "word/fontTable.xml")
    alt = {
        _attr(f, "name"): _attr(f.find(f"{W}altName"), "val")
        for f in table.findall(f"{W}font")
        if f.find(f"{W}altName") is not None
    }
    assert alt["仿宋_GB2312"] == "仿宋" and alt["仿宋"] == "FangSong"
    assert alt["方正小标宋简体"] == "华文中宋" and alt["华文中宋"] == "黑体"
    assert alt["楷体_GB2312"] == "楷体" and alt["楷体"] == "KaiTi"
    gb = table.xpath("//w:font[@w:name='仿宋_GB2312']/w:charset", namespaces=NS)[0]
    assert _attr(gb, "val") == "86"  # GB2312: an editor without the font picks a Chinese one


def test_page_numbers_are_dashed_in_sihao_songti_on_the_outer_side(package):
    doc = _xml(package, "word/document.xml")
    refs = doc.xpath("//w:sectPr[1]/w:footerReference", namespaces=NS)
    rels = _xml(package, "word/_rels/document.xml.rels")
    target = {r.get("Id"): r.get("Target") for r in rels}
    sides = {}
    for ref in refs:
        rid = ref.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
        footer = _xml(package, f"word/{target[rid]}")
        p = footer.find(f"{W}p")
        text = "".join(p.itertext())
        assert text == "—  PAGE 1 —"  # "— ", the field's code and its result "1", " —"
        assert [t.text for t in p.iter(f"{W}instrText")] == [" PAGE "]
        sizes = {_attr(s, "val") for s in p.iter(f"{W}sz")}
        fonts = {_attr(f, "eastAsia") for f in p.iter(f"{W}rFonts")}
        ascii_fonts = {_attr(f, "ascii") for f in p.iter(f"{W}rFonts")}
        assert sizes == {"28"} and fonts == {"宋体"} and ascii_fonts == {"宋体"}  # 四号 半角宋体
        ind = p.find(f"{W}pPr/{W}ind")
        sides[_attr(ref, "type")] = (_attr(p.find(f"{W}pPr/{W}jc"), "val"), dict(ind.attrib))
    assert sides["default"][0] == "right" and sides["even"][0] == "left"
    assert sides["default"][1] == {f"{W}right": "280", f"{W}firstLine": "0"}  # one 四号 character
    assert sides["even"][1] == {f"{W}left": "280", f"{W}firstLine": "0"}


def test_document_properties_are_chinese_the_bureau_and_the_run_day(package):
    core = _xml(package, "docProps/core.xml")
    assert (
        core.findtext("dc:title", namespaces=NS) == "济宁高新区2020年第二季度招商引资工作季度评估"
    )
    assert core.findtext("dc:creator", namespaces=NS) == "济宁高新区投资促进局"  # params `bureau`
    assert core.findtext("cp:lastModifiedBy", namespaces=NS) == "济宁高新区投资促进局"
    assert core.findtext("dc:language", namespaces=NS) == "zh-CN"
    for tag in ("dcterms:created", "dcterms:modified"):
        assert core.findtext(tag, namespaces=NS) == "2020-07-03T09:30:00Z"
    assert core.findtext("dc:description", namespaces=NS) in (None, "")
    for name, data in package.items():
        assert b"python-docx" not in data, name
        assert b"Macintosh" not in data, name
    assert b"2013" not in package["docProps/core.xml"] + package["docProps/app.xml"]
    assert "docProps/thumbnail.jpeg" not in package


def test_author_falls_back_to_the_zone_name(tmp_path):
    from workbook.review.word import author_of

    zone = load_params(SAMPLE_PARAMS).model_copy(update={"bureau": None})
    ctx = types.SimpleNamespace(lang="zh", zone=types.SimpleNamespace(params=zone))
    assert author_of(ctx) == "济宁高新区"


def test_wide_table_sets_landscape_with_ids_and_dates_unbroken(package):
    doc = _xml(package, "word/document.xml")
    body = doc.find(f"{W}body")
    # the sections in order: each ends at a paragraph's sectPr, the last at the body's
    orient, tables = [], []
    current = []
    for el in body:
        if el.tag == f"{W}tbl":
            current.append(el)
        sect = el.find(f"{W}pPr/{W}sectPr") if el.tag == f"{W}p" else None
        if el.tag == f"{W}sectPr":
            sect = el
        if sect is not None:
            orient.append(_attr(sect.find(f"{W}pgSz"), "orient") or "portrait")
            tables.append([len(t.findall(f"{W}tblGrid/{W}gridCol")) for t in current])
            current = []
    # portrait (title, narrow table, headings), landscape (二、 heading and the wide table),
    # portrait (the notes after it)
    assert orient == ["portrait", "landscape", "portrait"]
    assert tables == [[2], [13], []]
    landscape = doc.xpath("//w:sectPr[w:pgSz/@w:orient='landscape']", namespaces=NS)[0]
    assert {
        k: _attr(landscape.find(f"{W}pgMar"), k) for k in ("top", "bottom", "left", "right")
    } == {
        "top": "1587",
        "bottom": "1474",
        "left": "1984",
        "right": "2098",
    }  # the same type area, turned
    wide = doc.xpath("//w:tbl[count(w:tblGrid/w:gridCol)=13]", namespaces=NS)[0]
    widths = [int(_attr(c, "w")) for c in wide.findall(f"{W}tblGrid/{W}gridCol")]
    assert abs(sum(widths) - Page(landscape=True).text_width) <= 13
    cells = wide.findall(f"{W}tr")[1].findall(f"{W}tc")
    for cell, pieces in ((cells[1], ["JN2020", "002"]), (cells[2], ["2019", "06", "18"])):
        run = cell.find(f"{W}p/{W}r")
        assert [t.text for t in run.findall(f"{W}t")] == pieces
        assert len(run.findall(f"{W}noBreakHyphen")) == len(pieces) - 1
        assert cell.find(f"{W}tcPr/{W}noWrap") is not None
    assert cells[3].find(f"{W}tcPr/{W}noWrap") is not None  # "0.0%"
    assert cells[0].find(f"{W}tcPr/{W}noWrap") is None  # a name may wrap
    assert "-" not in "".join(wide.itertext())


def test_headings_are_numbered_and_prose_dates_read_as_words(package):
    doc = _xml(package, "word/document.xml")

    def texts(style):
        return [
            "".join(p.itertext())
            for p in doc.xpath(f"//w:p[w:pPr/w:pStyle/@w:val='{style}']", namespaces=NS)
        ]

    assert texts("Title") == ["济宁高新区2020年第二季度招商引资工作季度评估"]
    assert texts("Heading1") == ["一、目标", "二、项目"]
    assert texts("Heading2") == ["（一）攻坚行动", "（三）已编号"]
    assert texts("Heading3") == ["1.第三级"]
    prose = "".join(doc.itertext())
    assert "截至2020年6月30日，内资到位完成23.39亿元，2020年第二季度滞后序时" in prose
    assert "百日攻坚（2020年3月22日至2020年6月29日）" in prose
    assert "2020-06-30" not in prose and "2020Q2" not in prose


def test_leader_words():
    assert leader_words("数据截至2020-06-30，2020-06到位；2020Q2、2019Q4", "zh") == (
        "数据截至2020年6月30日，2020年6月到位；2020年第二季度、2019年第四季度"
    )
    assert (
        leader_words("JN2020-002 与 ledger-2020Q1.xlsx", "zh") == "JN2020-002 与 ledger-2020Q1.xlsx"
    )
    assert leader_words("as of 2020-06-30", "en") == "as of 2020-06-30"


def test_table_layout_keeps_figures_whole_and_turns_only_what_must():
    narrow = blocks_of(NARROW)[0].table
    layout = table_layout(narrow)
    assert not layout.landscape and layout.size == 10.5
    assert sum(layout.widths) == pytest.approx(Page().text_width, abs=2)
    wide = blocks_of(WIDE)[0].table
    layout = table_layout(wide)
    assert layout.landscape
    # every figure, date and id fits its column in one line (about half an em a digit)
    for j, (text, _) in enumerate(wide.rows[0]):
        if not re.search(r"[\u4e00-\u9fff]", text):
            assert layout.widths[j] / 20 - CELL_PAD_PT >= 0.55 * layout.size * len(text), text


def test_pictures_carry_alt_text_and_headings_keep_with_the_next(q2):
    data = build_docx(q2.context, q2.page_html())
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        doc = etree.fromstring(z.read("word/document.xml"))
    pictures = doc.xpath("//wp:docPr", namespaces=NS)
    assert len(pictures) == len(q2.charts())
    assert all(p.get("descr") for p in pictures)
    # every east-asian run of the real review names its font, and no id in a table breaks
    runs = doc.xpath("//w:r[w:t]", namespaces=NS)
    assert all(r.find(f"{W}rPr/{W}rFonts").get(f"{W}eastAsia") for r in runs)
    cells = "".join(t.text or "" for t in doc.xpath("//w:tc//w:t", namespaces=NS))
    assert not re.search(r"JN2020-|\d{4}-\d{2}-\d{2}", cells)
    landscape = doc.xpath("//w:sectPr[w:pgSz/@w:orient='landscape']", namespaces=NS)
    assert landscape  # the 13-column tables


@pytest.mark.slow
def test_libreoffice_sets_the_wide_table_on_a_landscape_page_with_ids_and_dates_whole(
    package, tmp_path
):
    """A real render (LibreOffice, when the machine has it): portrait A4 pages with a landscape
    one for the 13-column table, whose id, date and percentages each stay on one line."""
    import shutil
    import subprocess

    soffice, pdftotext = shutil.which("soffice"), shutil.which("pdftotext")
    if not soffice or not pdftotext:
        pytest.skip("LibreOffice (soffice) and poppler (pdftotext) are not installed")
    docx = tmp_path / "review.docx"
    with zipfile.ZipFile(docx, "w") as z:
        for name, data in package.items():
            z.writestr(name, data)
    profile = f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}"
    subprocess.run(
        [
            soffice,
            profile,
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(docx),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = tmp_path / "review.pdf"
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "9", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    sizes = re.findall(r"size:\s+([\d.]+) x ([\d.]+) pts", info)
    shapes = ["landscape" if float(w) > float(h) else "portrait" for w, h in sizes]
    assert shapes[0] == "portrait" and "landscape" in shapes
    pages = (
        subprocess.run(
            [pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        )
        .stdout.replace("\u2011", "-")
        .split("\f")
    )
    wide = pages[shapes.index("landscape")]
    lines = wide.splitlines()
    for whole in ("JN2020-002", "2019-06-18", "9.0%"):
        assert any(whole in line for line in lines), whole
    assert re.search(r"—\s*1\s*—", pages[0])  # the first page's number
