"""review.docx: the review as a Word document an office can edit and forward (python-docx),
in the layout of GB/T 9704-2012 (党政机关公文格式).

The document is made from the same section fragments as review.html (each section's `html`),
so it holds exactly what the page shows: the title, the abstract, every section's notes,
tables and charts. The fragments are a small, fixed subset of HTML (h1-h4, p with a class,
table.wb-table with thead/tbody, div.wb-chart holding a Vega-Lite spec), read with the
standard library's HTMLParser. Charts become PNG images by vl-convert (rendered on a few
threads: the renderer releases the GIL), each with its alt text (wp:docPr descr).

The page: A4, margins top 37, bottom 35, left 28, right 26 mm; body 仿宋_GB2312 三号 (16 pt)
on a document grid of 22 lines x 28 characters; the title 方正小标宋简体 二号 centred; headings
"一、" 黑体, "（一）" 楷体_GB2312, "1." 仿宋 bold, all 三号 and kept with the next paragraph;
page numbers "— 1 —" in 四号 半角宋体 one character in from the outer side (odd pages right,
even pages left: w:evenAndOddHeaders). Every run and style names its east-asian font
(w:eastAsia) and no style refers to the theme's fonts; fontTable.xml gives each GB font the
next of its fallback chain (w:altName). A table too wide for the portrait type area sets in a
landscape section (the same type area turned), at the first size where no figure, date or id
must break; hyphens inside ids and dates do not break (w:noBreakHyphen). Prose dates and
quarters read 2020年6月30日 and 2020年第二季度. The document's properties name the zone's bureau
as author, the run's date, zh-CN. English with --lang en (the fragments are already in the
report language; the layout is the same).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbook.review.section import Context


# ---- reading the fragments -------------------------------------------------------------------


@dataclass
class Table:
    header: list[str] = field(default_factory=list)
    rows: list[list[tuple[str, bool]]] = field(default_factory=list)  # (text, is a number)
    flagged: list[bool] = field(default_factory=list)


@dataclass
class Block:
    kind: str  # "h1" | "h2" | "h3" | "h4" | "p" | "table" | "chart"
    text: str = ""
    css: str = ""
    table: Table | None = None
    spec: str = ""
    name: str = ""
    alt: str = ""  # a chart's description (aria-label), else its title


class _Fragments(HTMLParser):
    """Blocks of a review fragment, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._text: list[str] | None = None
        self._current: Block | None = None
        self._table: Table | None = None
        self._row: list[tuple[str, bool]] | None = None
        self._cell_num = False
        self._in_head = False
        self._chart: Block | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        css = a.get("class") or ""
        if tag in ("h1", "h2", "h3", "h4", "p") and self._table is None:
            self._current = Block(tag, css=css)
            self._text = []
        elif tag == "table":
            self._table = Table()
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr" and self._table is not None:
            self._row = []
            if not self._in_head:
                self._table.flagged.append("wb-flag" in css)
        elif tag in ("td", "th") and self._row is not None:
            self._text = []
            self._cell_num = "num" in css
        elif tag == "div" and "wb-chart" in css:
            self._chart = Block(
                "chart", name=a.get("data-chart") or "", alt=a.get("aria-label") or ""
            )
        elif tag == "script" and self._chart is not None:
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if (
            tag in ("h1", "h2", "h3", "h4", "p")
            and self._current is not None
            and self._text is not None
        ):
            self._current.text = "".join(self._text).strip()
            self.blocks.append(self._current)
            self._current, self._text = None, None
        elif tag in ("td", "th") and self._row is not None and self._text is not None:
            self._row.append(("".join(self._text).strip(), self._cell_num))
            self._text = None
        elif tag == "tr" and self._table is not None and self._row is not None:
            if self._in_head:
                self._table.header = [t for t, _ in self._row]
            else:
                self._table.rows.append(self._row)
            self._row = None
        elif tag == "thead":
            self._in_head = False
        elif tag == "table" and self._table is not None:
            self.blocks.append(Block("table", table=self._table))
            self._table = None
        elif tag == "script" and self._chart is not None and self._text is not None:
            self._chart.spec = "".join(self._text)
            self._text = None
        elif tag == "div" and self._chart is not None and self._chart.spec:
            self.blocks.append(self._chart)
            self._chart = None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


def blocks_of(fragment: str) -> list[Block]:
    """The blocks (headings, notes, tables, charts) of one review fragment, in order."""
    parser = _Fragments()
    parser.feed(fragment)
    parser.close()
    return parser.blocks


# ---- the page: GB/T 9704-2012 (党政机关公文格式) --------------------------------------------------

TWIPS_PER_MM = 1440 / 25.4
PAGE_MM = (210.0, 297.0)  # A4, width x height
MARGIN_MM = {"top": 37.0, "bottom": 35.0, "left": 28.0, "right": 26.0}  # a 156 x 225 mm type area
FOOTER_MM = 25.0  # the page number's line about 7 mm below the type area
LINES, CHARS = 22, 28  # lines a page and characters a line (the document grid)
BODY_PT, TITLE_PT, PAGE_NUMBER_PT = 16, 22, 14  # 三号, 二号, 四号
TABLE_PT = (10.5, 9.0, 7.5)  # 五号, 小五, then smaller: the first that lets a table fit
GRID_TRACKING = -5  # 1/20 pt after each body character (see _styles)
CELL_PAD_PT = 12.0  # a cell's left and right margins (Word's 0.19 cm each) and a little air

LATIN = "Times New Roman"
BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING_FONTS = ("黑体", "楷体_GB2312", "仿宋_GB2312")  # 一、 / （一） / 1.
NUMBER_FONT = "宋体"  # page numbers: 半角宋体
# What Word and WPS use on a machine without a font: each font's w:altName in fontTable.xml
# names the next one of its chain (仿宋_GB2312 → 仿宋 → FangSong, 方正小标宋简体 → 华文中宋 → 黑体,
# 楷体_GB2312 → 楷体 → KaiTi), and every CJK font is marked GB2312 (charset 86), so an editor
# that has none of them still picks a Chinese face of the same kind.
FALLBACK = {
    "仿宋_GB2312": "仿宋",
    "仿宋": "FangSong",
    "方正小标宋简体": "华文中宋",
    "华文中宋": "黑体",
    "楷体_GB2312": "楷体",
    "楷体": "KaiTi",
    "黑体": "SimHei",
    "宋体": "SimSun",
}
FLAG_RGB = (0xA0, 0x1C, 0x1C)  # rows with an overdue time node, as the page shows them
CHART_SCALE = 1.5  # PNG pixels per CSS pixel: about 150 dpi at 16 cm, sharp enough in print
_ORDINALS = "一二三四五六七八九十"

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def twips(mm: float) -> int:
    return round(mm * TWIPS_PER_MM)


@dataclass(frozen=True)
class Page:
    """One orientation of the page in twips: a landscape page turns the same type area."""

    landscape: bool = False

    @property
    def size(self) -> tuple[int, int]:
        w, h = twips(PAGE_MM[0]), twips(PAGE_MM[1])
        return (h, w) if self.landscape else (w, h)

    @property
    def margins(self) -> dict[str, int]:
        m = {k: twips(v) for k, v in MARGIN_MM.items()}
        if self.landscape:  # turned a quarter: the binding side (left) becomes the top
            return {"top": m["left"], "bottom": m["right"], "left": m["bottom"], "right": m["top"]}
        return m

    @property
    def text_width(self) -> int:
        return self.size[0] - self.margins["left"] - self.margins["right"]

    @property
    def text_height(self) -> int:
        return self.size[1] - self.margins["top"] - self.margins["bottom"]


def document_grid() -> tuple[int, int]:
    """w:docGrid's linePitch (twips a line: 22 lines fill the type area's height) and charSpace
    (4096ths of a point added to each 三号 character so that 28 fill its width)."""
    page = Page()
    line_pitch = page.text_height // LINES
    char_space = round((page.text_width / 20 / CHARS - BODY_PT) * 4096)
    return line_pitch, char_space


# ---- leader-facing words ------------------------------------------------------------------------

_DATE = re.compile(r"(?<![A-Za-z0-9\-])(\d{4})-(\d{2})-(\d{2})(?![\d\-])")
_MONTH = re.compile(r"(?<![A-Za-z0-9\-])(\d{4})-(0[1-9]|1[0-2])(?![\d\-])")
# not inside an id or a file name (JN2020-002, ledger-2020Q1.xlsx)
_QUARTER = re.compile(r"(?<![A-Za-z0-9_.\-])(\d{4})Q([1-4])(?![A-Za-z0-9_\-]|\.[A-Za-z])")
_RANGE = re.compile(r"(\d日)\s*至\s*(\d{4}年)")


def leader_words(text: str, lang: str) -> str:
    """Dates and quarters of a Chinese prose text as a leader reads them: 2020-06-30 →
    2020年6月30日, 2020-06 → 2020年6月, 2020Q2 → 2020年第二季度 (English text as it is)."""
    from workbook.text.labels import quarter_words

    if lang != "zh":
        return text
    text = _DATE.sub(lambda m: f"{m[1]}年{int(m[2])}月{int(m[3])}日", text)
    text = _MONTH.sub(lambda m: f"{m[1]}年{int(m[2])}月", text)
    text = _QUARTER.sub(lambda m: quarter_words(m[0], "zh"), text)
    return _RANGE.sub(r"\1至\2", text)


_HYPHEN = re.compile(r"(?<=[A-Za-z0-9])-(?=[A-Za-z0-9])")


# ---- writing the document -----------------------------------------------------------------------


def _el(parent: Any, tag: str, before: Sequence[str] = ()) -> Any:
    """The child `tag` of `parent` (w:-prefixed), made if missing (before the first of `before`)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    found = parent.find(qn(tag))
    if found is not None:
        return found
    el = OxmlElement(tag)
    for name in before:
        nxt = parent.find(qn(name))
        if nxt is not None:
            nxt.addprevious(el)
            return el
    parent.append(el)
    return el


def _fonts(target: Any, latin: str, east: str) -> None:
    """Set the Latin and the east-asian font of a style or a run (w:rFonts w:eastAsia)."""
    from docx.oxml.ns import qn

    rpr = (
        target.element.get_or_add_rPr()
        if hasattr(target, "element")
        else target._r.get_or_add_rPr()
    )
    fonts = rpr.get_or_add_rFonts()
    for attr in list(fonts.attrib):
        if "theme" in attr.lower():
            del fonts.attrib[attr]
    for key in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(key), latin)
    fonts.set(qn("w:eastAsia"), east)


def _run(
    paragraph: Any,
    text: str,
    east: str = BODY_FONT,
    size: float | None = None,
    bold: bool | None = None,
    latin: str = LATIN,
) -> Any:
    """A run of `text` with both its fonts set; a hyphen inside an id or a date
    (JN2020-002, 2019-06-18) becomes a non-breaking one (w:noBreakHyphen)."""
    from docx.oxml import OxmlElement
    from docx.shared import Pt

    run = paragraph.add_run()
    for i, piece in enumerate(_HYPHEN.split(text)):
        if i:
            run._r.append(OxmlElement("w:noBreakHyphen"))
        if piece:
            run.add_text(piece)
    _fonts(run, latin, east)
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.bold = bold
    return run


_AFTER_SPACING = ("w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:lang")


def _tracking(rpr: Any, twentieths: int) -> None:
    """w:spacing of a run or style: the space added after each character (1/20 pt)."""
    from docx.oxml.ns import qn

    _el(rpr, "w:spacing", before=_AFTER_SPACING).set(qn("w:val"), str(twentieths))


def _indent(pf: Any, chars: int) -> None:
    """A first-line indent of `chars` 三号 characters (w:firstLineChars, and in points)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    pf.first_line_indent = Pt(chars * BODY_PT)
    ind = pf._element.get_or_add_pPr().get_or_add_ind()
    ind.set(qn("w:firstLineChars"), str(chars * 100))


def _off_grid(paragraph: Any) -> None:
    """Lines of a table cell, picture or footer take their own height, not the body's grid."""
    from docx.oxml.ns import qn

    ppr = paragraph._p.get_or_add_pPr()
    snap = _el(ppr, "w:snapToGrid", before=("w:spacing", "w:ind", "w:jc", "w:rPr"))
    snap.set(qn("w:val"), "0")


def _style(doc: Any, name: str, east: str, size: float, bold: bool, indent: int) -> Any:
    from docx.shared import Pt, RGBColor

    style = doc.styles[name]
    _fonts(style, LATIN, east)
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    pf = style.paragraph_format
    pf.space_before = pf.space_after = Pt(0)
    pf.line_spacing = 1.0
    if indent:
        _indent(pf, indent)
    return style


def _theme_free(root: Any) -> None:
    """Drop every theme reference (asciiTheme, eastAsiaTheme, themeColor, ...) so that Word
    never prefers the theme's Calibri/Cambria over the fonts named here."""
    for el in root.iter():
        for attr in list(el.attrib):
            if "theme" in attr.lower():
                del el.attrib[attr]


def _lang(parent: Any, lang: str) -> None:
    from docx.oxml.ns import qn

    el = _el(parent, "w:lang")
    el.set(qn("w:val"), "zh-CN" if lang == "zh" else "en-US")
    el.set(qn("w:eastAsia"), "zh-CN")
    el.set(qn("w:bidi"), "ar-SA")


def _styles(doc: Any, lang: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Twips

    root = doc.styles.element
    _theme_free(root)
    rpr = root.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if rpr is not None:
        fonts = _el(rpr, "w:rFonts")
        for key in ("w:ascii", "w:hAnsi", "w:cs"):
            fonts.set(qn(key), LATIN)
        fonts.set(qn("w:eastAsia"), BODY_FONT)
        # the grid's character pitch counts from the default size (LibreOffice reads it here)
        for tag in ("w:sz", "w:szCs"):
            _el(rpr, tag, before=("w:lang",)).set(qn("w:val"), str(2 * BODY_PT))
        _lang(rpr, lang)
    ppr = root.find(f"{qn('w:docDefaults')}/{qn('w:pPrDefault')}/{qn('w:pPr')}")
    if ppr is not None:  # single lines on the grid, no space after: the template had 1.15 and 10 pt
        for spacing in ppr.findall(qn("w:spacing")):
            ppr.remove(spacing)
    normal = _style(doc, "Normal", BODY_FONT, BODY_PT, False, 0)
    normal.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    # 0.25 pt less after each character: a 三号 character then fits one 15.79 pt cell of the
    # grid in editors that do not compress to it (LibreOffice spreads it over two); Word and
    # WPS set 28 a line either way
    _tracking(normal.element.get_or_add_rPr(), GRID_TRACKING)
    _lang(normal.element.get_or_add_rPr(), lang)
    title = _style(doc, "Title", TITLE_FONT, TITLE_PT, False, 0)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = Twips(document_grid()[0])  # one blank line below
    ppr = title.element.get_or_add_pPr()
    for rule in ppr.findall(qn("w:pBdr")):  # the template's blue rule under the title
        ppr.remove(rule)
    _el(ppr, "w:snapToGrid", before=("w:spacing", "w:ind", "w:jc")).set(qn("w:val"), "0")
    _tracking(title.element.get_or_add_rPr(), 0)
    for level, east in enumerate(HEADING_FONTS, start=1):
        style = _style(doc, f"Heading {level}", east, BODY_PT, level == 3, 2)
        style.paragraph_format.keep_with_next = True
        style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    footer = _style(doc, "Footer", NUMBER_FONT, PAGE_NUMBER_PT, False, 0)
    _fonts(footer, NUMBER_FONT, NUMBER_FONT)
    _tracking(footer.element.get_or_add_rPr(), 0)


def _set_page(section: Any, page: Page) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn
    from docx.shared import Twips

    section.orientation = WD_ORIENT.LANDSCAPE if page.landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (Twips(v) for v in page.size)
    m = page.margins
    section.top_margin, section.bottom_margin = Twips(m["top"]), Twips(m["bottom"])
    section.left_margin, section.right_margin = Twips(m["left"]), Twips(m["right"])
    section.gutter = Twips(0)
    section.header_distance = Twips(twips(15))
    section.footer_distance = Twips(twips(FOOTER_MM))
    line_pitch, char_space = document_grid()
    grid = _el(section._sectPr, "w:docGrid", before=("w:printerSettings",))
    grid.attrib.clear()
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(line_pitch))
    grid.set(qn("w:charSpace"), str(char_space))


def _field(paragraph: Any, instruction: str, shown: str, east: str, size: float) -> None:
    """A field (PAGE) that every editor updates; `shown` until it does."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def part(kind: str | None, text: str | None = None) -> None:
        run = _run(paragraph, "", east, size, latin=east)
        if kind is None:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        run._r.append(el)

    part("begin")
    part(None, f" {instruction} ")
    part("separate")
    _run(paragraph, shown, east, size, latin=east)
    part("end")


def _page_number(paragraph: Any, odd: bool) -> None:
    """'— N —' in 四号 半角宋体, one character in from the outer side: odd pages right,
    even pages left."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    pf = paragraph.paragraph_format
    pf.first_line_indent = Pt(0)
    if odd:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        pf.right_indent = Pt(PAGE_NUMBER_PT)
    else:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
        pf.left_indent = Pt(PAGE_NUMBER_PT)
    _off_grid(paragraph)
    _run(paragraph, "— ", NUMBER_FONT, PAGE_NUMBER_PT, latin=NUMBER_FONT)
    _field(paragraph, "PAGE", "1", NUMBER_FONT, PAGE_NUMBER_PT)
    _run(paragraph, " —", NUMBER_FONT, PAGE_NUMBER_PT, latin=NUMBER_FONT)


def _first_page(doc: Any) -> None:
    section = doc.sections[0]
    _set_page(section, Page())
    doc.settings.odd_and_even_pages_header_footer = True  # w:evenAndOddHeaders
    section.footer.is_linked_to_previous = False
    _page_number(section.footer.paragraphs[0], odd=True)
    section.even_page_footer.is_linked_to_previous = False
    _page_number(section.even_page_footer.paragraphs[0], odd=False)


def _settings(doc: Any, lang: str) -> None:
    from docx.oxml.ns import qn

    root = doc.settings.element
    el = _el(root, "w:themeFontLang", before=("w:clrSchemeMapping", "w:doNotIncludeSubdocsInStats"))
    el.attrib.clear()
    el.set(qn("w:val"), "zh-CN" if lang == "zh" else "en-US")
    el.set(qn("w:eastAsia"), "zh-CN")


def _font_table() -> bytes:
    """fontTable.xml: every font the document names, each with its fallback (w:altName)."""
    entries = [
        f'<w:font w:name="{LATIN}"><w:charset w:val="00"/><w:family w:val="roman"/>'
        '<w:pitch w:val="variable"/></w:font>'
    ]
    names = list(dict.fromkeys([*FALLBACK, *FALLBACK.values()]))
    for name in names:
        alt = f'<w:altName w:val="{FALLBACK[name]}"/>' if name in FALLBACK else ""
        entries.append(
            f'<w:font w:name="{name}">{alt}<w:charset w:val="86"/><w:family w:val="modern"/>'
            '<w:pitch w:val="fixed"/></w:font>'
        )
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        f'<w:fonts xmlns:w="{_W}">{"".join(entries)}</w:fonts>'
    ).encode()


def _theme_fonts(xml: bytes) -> bytes:
    """The theme's fonts (for anything still asking the theme) set to the document's own."""
    text = xml.decode("utf-8")
    for block, east in (("majorFont", HEADING_FONTS[0]), ("minorFont", BODY_FONT)):
        m = re.search(rf"<a:{block}>.*?</a:{block}>", text, re.S)
        if not m:
            continue
        part = re.sub(r'(<a:latin typeface=")[^"]*', rf"\g<1>{LATIN}", m[0])
        part = re.sub(r'(<a:ea typeface=")[^"]*', rf"\g<1>{east}", part)
        part = re.sub(r'(<a:font script="Hans" typeface=")[^"]*', rf"\g<1>{east}", part)
        text = text[: m.start()] + part + text[m.end() :]
    return text.encode("utf-8")


def _package(doc: Any, author: str) -> None:
    """The package's parts: no stylesWithEffects (old theme fonts), no template thumbnail,
    the font table with fallbacks, the theme's fonts, app.xml without another program's name."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    for rid, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            doc.part.drop_rel(rid)
    package = doc.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package.rels.pop(rid)
    for part in package.iter_parts():
        name = str(part.partname)
        if name == "/word/fontTable.xml":
            part._blob = _font_table()
        elif name.startswith("/word/theme/"):
            part._blob = _theme_fonts(part.blob)
        elif name == "/docProps/app.xml":
            from xml.sax.saxutils import escape

            part._blob = (
                "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
                '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
                'extended-properties"><Application>workbook</Application>'
                f"<Company>{escape(author)}</Company><DocSecurity>0</DocSecurity></Properties>"
            ).encode()


def made_at() -> dt.datetime:
    """When the document is made (UTC, whole seconds): now, or SOURCE_DATE_EPOCH when set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).replace(tzinfo=None)
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def author_of(ctx: Context) -> str:
    """The document's author: the zone's bureau (params `bureau`), else the zone's name."""
    zone = ctx.zone.params
    return getattr(zone, "bureau", None) or zone.zone_name("zh")


def _core(doc: Any, ctx: Context, title: str) -> None:
    core = doc.core_properties
    author = author_of(ctx)
    when = made_at()
    core.title = title
    core.subject = title
    core.author = core.last_modified_by = author
    core.created = core.modified = when
    core.language = "zh-CN" if ctx.lang == "zh" else "en-US"
    core.comments = core.keywords = core.category = ""
    core.revision = 1


# ---- tables --------------------------------------------------------------------------------------


def text_points(text: str, size: float) -> float:
    """Roughly how wide `text` sets at `size` points: CJK a full em, the rest about half."""
    return sum(size if ord(ch) > 0x2E80 else 0.55 * size for ch in text)


_WORD = re.compile(r"[!-~\u2011]+")  # a run of Latin letters, digits and signs: one piece


def _least(text: str, size: float, whole_if_plain: bool, cjk_chars: int) -> float:
    """The narrowest a cell's text may set: a figure, date or id (one piece without spaces)
    whole; else its longest Latin word, and at least `cjk_chars` characters of a CJK name."""
    whole = text_points(text, size)
    if whole_if_plain and not re.search(r"\s|[\u2e80-\uffff]", text.strip()):
        return whole
    words = [text_points(w, size) for w in _WORD.findall(text)]
    return max(min(whole, cjk_chars * size), *words, 0.0)


def _widths(table: Table, size: float) -> tuple[list[float], list[float]]:
    """Each column's narrowest width (points) that breaks nothing a reader must see whole
    (figures, dates, ids, words: never; names: not under four characters) and its natural
    width (everything on one line)."""
    cols = len(table.header)
    hard = [_least(h, size, False, 3) for h in table.header]
    soft = [text_points(h, size) for h in table.header]
    for cells in table.rows:
        for j, (text, number) in enumerate(cells[:cols]):
            least = text_points(text, size) if number else _least(text, size, True, 4)
            hard[j] = max(hard[j], least)
            soft[j] = max(soft[j], text_points(text, size))
    return hard, soft


@dataclass(frozen=True)
class TableLayout:
    landscape: bool
    size: float
    widths: tuple[int, ...]  # twips, each column


def table_layout(table: Table, landscape: bool | None = None) -> TableLayout:
    """How a table sets: the first of (portrait, 五号), (landscape, 五号), (landscape, 小五),
    (landscape, smaller) in which no figure, date or id has to break; its columns fill the
    type area's width, the room left over going to the columns that would otherwise wrap."""
    cols = len(table.header)
    tries = [(False, TABLE_PT[0])] + [(True, s) for s in TABLE_PT]
    if landscape is not None:
        tries = [(landscape, s) for s in TABLE_PT]
    for orient, size in tries:
        hard, soft = _widths(table, size)
        room = Page(orient).text_width / 20 - CELL_PAD_PT * cols
        if sum(hard) <= room or (orient, size) == tries[-1]:
            break
    if sum(soft) <= room:
        widths = [w * room / sum(soft) for w in soft]
    elif sum(hard) >= room:  # even the smallest size cannot keep every piece whole
        widths = [h * room / sum(hard) for h in hard]
    else:
        slack = [s - h for s, h in zip(soft, hard, strict=True)]
        extra = room - sum(hard)
        widths = [h + extra * s / (sum(slack) or 1) for h, s in zip(hard, slack, strict=True)]
    return TableLayout(orient, size, tuple(round((w + CELL_PAD_PT) * 20) for w in widths))


def _repeat_header(row: Any) -> None:
    from docx.oxml.ns import qn

    tr_pr = row._tr.get_or_add_trPr()
    _el(tr_pr, "w:tblHeader").set(qn("w:val"), "true")


def _cell(cell: Any, width: int, text: str, layout: TableLayout, **run: Any) -> Any:
    from docx.shared import Pt, Twips

    cell.width = Twips(width)
    p = cell.paragraphs[0]
    p.paragraph_format.first_line_indent = Pt(0)
    p.paragraph_format.line_spacing = 1.0
    _off_grid(p)
    if run.pop("no_wrap", False):
        _el(cell._tc.get_or_add_tcPr(), "w:noWrap", before=("w:vAlign", "w:hideMark"))
    r = _run(p, text, size=layout.size, **run)
    _tracking(r._r.get_or_add_rPr(), 0)  # off the grid: no tightening
    return p, r


def _table(doc: Any, table: Table, layout: TableLayout) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import RGBColor, Twips

    cols = len(table.header)
    t = doc.add_table(rows=1 + len(table.rows), cols=cols)
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    for j, w in enumerate(layout.widths):
        t.columns[j].width = Twips(w)
    for j, text in enumerate(table.header):
        p, _ = _cell(t.rows[0].cells[j], layout.widths[j], text, layout, east=HEADING_FONTS[0])
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _repeat_header(t.rows[0])
    for i, (cells, flagged) in enumerate(zip(table.rows, table.flagged, strict=False), start=1):
        for j, (text, number) in enumerate(cells[:cols]):
            whole = number or not re.search(r"[\u2e80-\uffff]", text)
            p, r = _cell(t.rows[i].cells[j], layout.widths[j], text, layout, no_wrap=whole)
            if number:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            if flagged:
                r.font.color.rgb = RGBColor(*FLAG_RGB)


# ---- pictures ------------------------------------------------------------------------------------


def _images(specs: list[str]) -> list[bytes]:
    import vl_convert as vlc

    def png(spec: str) -> bytes:
        return vlc.vegalite_to_png(json.loads(spec), scale=CHART_SCALE)

    with ThreadPoolExecutor(max_workers=min(4, max(1, len(specs)))) as pool:
        return list(pool.map(png, specs))


def alt_text(block: Block) -> str:
    """What a chart's picture says in words: its description, else its title and subtitle."""
    if block.alt:
        return block.alt
    title = json.loads(block.spec).get("title") if block.spec else None
    if isinstance(title, dict):
        sub = title.get("subtitle") or []
        parts = [title.get("text") or "", *([sub] if isinstance(sub, str) else sub)]
        return " — ".join(str(p) for p in parts if p)
    return str(title or block.name)


def _picture(doc: Any, data: bytes, alt: str, page: Page) -> None:
    """A chart at its own size, shrunk to the type area (width, and 85% of its height)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, Twips

    width_px = int.from_bytes(data[16:20], "big")  # PNG IHDR width and height
    height_px = int.from_bytes(data[20:24], "big")
    natural = width_px / CHART_SCALE / 96 * 1440  # twips
    scale = min(
        1.0, page.text_width / natural, 0.85 * page.text_height / (natural * height_px / width_px)
    )
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.first_line_indent = Pt(0)
    _off_grid(p)
    shape = p.add_run().add_picture(io.BytesIO(data), width=Twips(int(natural * scale)))
    shape._inline.docPr.set("descr", alt)  # the picture's alt text in Word and WPS
    shape._inline.docPr.set("title", alt[:80])


# ---- the document --------------------------------------------------------------------------------


def _parts(blocks: list[Block]) -> list[list[Block]]:
    """The blocks cut at each heading (a heading right after another stays with it)."""
    parts: list[list[Block]] = [[]]
    for b in blocks:
        headings_only = all(x.kind in ("h1", "h2", "h3", "h4") for x in parts[-1])
        if b.kind in ("h2", "h3", "h4") and not headings_only:
            parts.append([])
        parts[-1].append(b)
    return [p for p in parts if p]


def _spacer(doc: Any) -> None:
    """A half-line gap after a table (off the grid): a table never runs into the next one."""
    from docx.shared import Pt

    p = doc.add_paragraph()
    _off_grid(p)
    p.paragraph_format.line_spacing = Pt(BODY_PT / 2)
    p.paragraph_format.first_line_indent = Pt(0)


def _landscape(part: list[Block]) -> list[bool]:
    """Which blocks of a part set on landscape pages: from its heading through its last wide
    table (a full page as often as not); what follows (prose, charts) is on portrait pages."""
    wide = [
        i
        for i, b in enumerate(part)
        if b.kind == "table"
        and b.table is not None
        and b.table.header
        and table_layout(b.table).landscape
    ]
    if not wide:
        return [False] * len(part)
    return [i <= wide[-1] for i in range(len(part))]


def _paragraph(doc: Any, b: Block, lang: str) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    p = doc.add_paragraph()
    text = leader_words(b.text, lang)
    if "wb-subtitle" in b.css:  # the run's data date and source: 楷体, centred, 四号
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(p, text, HEADING_FONTS[1], PAGE_NUMBER_PT)
        return p
    _indent(p.paragraph_format, 2)
    run = _run(p, text)
    if "wb-warn" in b.css:
        run.bold = True
        run.font.color.rgb = RGBColor(*FLAG_RGB)
    elif "wb-key" in b.css:
        run.bold = True
    elif "wb-why" in b.css:
        run.font.size = Pt(PAGE_NUMBER_PT)
    return p


def build_docx(ctx: Context, fragments: Sequence[str]) -> bytes:
    """The review as a .docx file (bytes), from the page's fragments in order, in the
    GB/T 9704-2012 layout (see the module docstring)."""
    from docx import Document
    from docx.enum.section import WD_SECTION

    lang = ctx.lang
    doc = Document()
    _styles(doc, lang)
    _settings(doc, lang)
    _first_page(doc)
    parsed = [blocks_of(html) for html in fragments]
    specs = [b.spec for blocks in parsed for b in blocks if b.kind == "chart"]
    images = iter(_images(specs))
    page, title, h3 = Page(), "", 0
    for blocks in parsed:
        for part in _parts(blocks):
            for b, landscape in zip(part, _landscape(part), strict=True):
                if landscape != page.landscape:
                    page = Page(landscape)
                    _set_page(doc.add_section(WD_SECTION.NEW_PAGE), page)
                if b.kind == "h1":
                    title = leader_words(b.text, lang)
                    _run(doc.add_paragraph(style="Title"), title, TITLE_FONT)
                elif b.kind in ("h2", "h3", "h4"):
                    level = int(b.kind[1]) - 1
                    text = leader_words(b.text, lang)
                    if b.kind == "h2":
                        h3 = 0
                    elif b.kind == "h3":
                        h3 += 1
                        if lang == "zh" and not text.startswith("（") and h3 <= len(_ORDINALS):
                            text = f"（{_ORDINALS[h3 - 1]}）{text}"
                    p = doc.add_paragraph(style=f"Heading {level}")
                    _run(p, text, HEADING_FONTS[level - 1], bold=level == 3)
                elif b.kind == "p":
                    _paragraph(doc, b, lang)
                elif b.kind == "table" and b.table is not None and b.table.header:
                    _table(doc, b.table, table_layout(b.table, page.landscape))
                    _spacer(doc)
                elif b.kind == "chart":
                    _picture(doc, next(images), alt_text(b), page)
    _core(doc, ctx, title)
    _package(doc, author_of(ctx))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def write_docx(path: Path, ctx: Context, fragments: Sequence[str]) -> Path:
    """Write review.docx whole to a temporary name beside `path`, then move it into place."""
    import os

    from workbook.review.output import readable, temp_beside

    data = build_docx(ctx, fragments)
    tmp = temp_beside(path)
    tmp.write_bytes(data)
    readable(tmp)
    os.replace(tmp, path)
    return path


__all__ = [
    "Block",
    "Page",
    "Table",
    "alt_text",
    "blocks_of",
    "build_docx",
    "document_grid",
    "leader_words",
    "table_layout",
    "write_docx",
]
