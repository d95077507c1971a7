"""The page of an official document (GB/T 9704-2012, 党政机关公文格式) in python-docx terms:
A4 with margins top 37, bottom 35, left 28, right 26 mm; body 仿宋_GB2312 三号 on a document
grid of 22 lines x 28 characters; title 方正小标宋简体 二号; headings 黑体 / 楷体_GB2312 / 仿宋;
page numbers "— 1 —" in 四号 半角宋体 on the outer side (odd pages right, even pages left);
each GB font's fallback in fontTable.xml; no theme font anywhere; Chinese core properties.
workbook.review.word writes the review's blocks onto this page.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workbook.text.catalogue import say

if TYPE_CHECKING:
    from workbook.review.section import Context

TWIPS_PER_MM = 1440 / 25.4
PAGE_MM = (210.0, 297.0)  # A4, width x height
MARGIN_MM = {"top": 37.0, "bottom": 35.0, "left": 28.0, "right": 26.0}  # a 156 x 225 mm type area
FOOTER_MM = 25.0  # the page number's line about 7 mm below the type area
LINES, CHARS = 22, 28  # lines a page and characters a line (the document grid)
BODY_PT, TITLE_PT, PAGE_NUMBER_PT = 16, 22, 14  # 三号, 二号, 四号
GRID_TRACKING = -5  # 1/20 pt after each body character (see set_styles)

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


# A hyphen between letters or digits: add_run (and the docx writer) keep it from breaking a line.
HYPHEN = re.compile(r"(?<=[A-Za-z0-9])-(?=[A-Za-z0-9])")


# ---- runs, paragraphs, styles, sections, package ------------------------------------------------


def child(parent: Any, tag: str, before: Sequence[str] = ()) -> Any:
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


def set_fonts(target: Any, latin: str, east: str) -> None:
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


def add_run(
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
    for i, piece in enumerate(HYPHEN.split(text)):
        if i:
            run._r.append(OxmlElement("w:noBreakHyphen"))
        if piece:
            run.add_text(piece)
    set_fonts(run, latin, east)
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.bold = bold
    return run


_AFTER_SPACING = ("w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:lang")


def tracking(rpr: Any, twentieths: int) -> None:
    """w:spacing of a run or style: the space added after each character (1/20 pt)."""
    from docx.oxml.ns import qn

    child(rpr, "w:spacing", before=_AFTER_SPACING).set(qn("w:val"), str(twentieths))


def indent(pf: Any, chars: int) -> None:
    """A first-line indent of `chars` 三号 characters (w:firstLineChars, and in points)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    pf.first_line_indent = Pt(chars * BODY_PT)
    ind = pf._element.get_or_add_pPr().get_or_add_ind()
    ind.set(qn("w:firstLineChars"), str(chars * 100))


def off_grid(paragraph: Any) -> None:
    """Lines of a table cell, picture or footer take their own height, not the body's grid."""
    from docx.oxml.ns import qn

    ppr = paragraph._p.get_or_add_pPr()
    snap = child(ppr, "w:snapToGrid", before=("w:spacing", "w:ind", "w:jc", "w:rPr"))
    snap.set(qn("w:val"), "0")


def _style(doc: Any, name: str, east: str, size: float, bold: bool, chars: int) -> Any:
    from docx.shared import Pt, RGBColor

    style = doc.styles[name]
    set_fonts(style, LATIN, east)
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    pf = style.paragraph_format
    pf.space_before = pf.space_after = Pt(0)
    pf.line_spacing = 1.0
    if chars:
        indent(pf, chars)
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

    el = child(parent, "w:lang")
    el.set(qn("w:val"), say("review.docx.lang", lang))
    el.set(qn("w:eastAsia"), "zh-CN")
    el.set(qn("w:bidi"), "ar-SA")


def set_styles(doc: Any, lang: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Twips

    root = doc.styles.element
    _theme_free(root)
    rpr = root.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if rpr is not None:
        fonts = child(rpr, "w:rFonts")
        for key in ("w:ascii", "w:hAnsi", "w:cs"):
            fonts.set(qn(key), LATIN)
        fonts.set(qn("w:eastAsia"), BODY_FONT)
        # the grid's character pitch counts from the default size (LibreOffice reads it here)
        for tag in ("w:sz", "w:szCs"):
            child(rpr, tag, before=("w:lang",)).set(qn("w:val"), str(2 * BODY_PT))
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
    tracking(normal.element.get_or_add_rPr(), GRID_TRACKING)
    _lang(normal.element.get_or_add_rPr(), lang)
    title = _style(doc, "Title", TITLE_FONT, TITLE_PT, False, 0)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = Twips(document_grid()[0])  # one blank line below
    ppr = title.element.get_or_add_pPr()
    for rule in ppr.findall(qn("w:pBdr")):  # the template's blue rule under the title
        ppr.remove(rule)
    child(ppr, "w:snapToGrid", before=("w:spacing", "w:ind", "w:jc")).set(qn("w:val"), "0")
    tracking(title.element.get_or_add_rPr(), 0)
    for level, east in enumerate(HEADING_FONTS, start=1):
        style = _style(doc, f"Heading {level}", east, BODY_PT, level == 3, 2)
        style.paragraph_format.keep_with_next = True
        style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    footer = _style(doc, "Footer", NUMBER_FONT, PAGE_NUMBER_PT, False, 0)
    set_fonts(footer, NUMBER_FONT, NUMBER_FONT)
    tracking(footer.element.get_or_add_rPr(), 0)


def set_page(section: Any, page: Page) -> None:
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
    grid = child(section._sectPr, "w:docGrid", before=("w:printerSettings",))
    grid.attrib.clear()
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(line_pitch))
    grid.set(qn("w:charSpace"), str(char_space))


def _field(paragraph: Any, instruction: str, shown: str, east: str, size: float) -> None:
    """A field (PAGE) that every editor updates; `shown` until it does."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def part(kind: str | None, text: str | None = None) -> None:
        run = add_run(paragraph, "", east, size, latin=east)
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
    add_run(paragraph, shown, east, size, latin=east)
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
    off_grid(paragraph)
    add_run(paragraph, "— ", NUMBER_FONT, PAGE_NUMBER_PT, latin=NUMBER_FONT)
    _field(paragraph, "PAGE", "1", NUMBER_FONT, PAGE_NUMBER_PT)
    add_run(paragraph, " —", NUMBER_FONT, PAGE_NUMBER_PT, latin=NUMBER_FONT)


def first_page(doc: Any) -> None:
    section = doc.sections[0]
    set_page(section, Page())
    doc.settings.odd_and_even_pages_header_footer = True  # w:evenAndOddHeaders
    section.footer.is_linked_to_previous = False
    _page_number(section.footer.paragraphs[0], odd=True)
    section.even_page_footer.is_linked_to_previous = False
    _page_number(section.even_page_footer.paragraphs[0], odd=False)


def set_settings(doc: Any, lang: str) -> None:
    from docx.oxml.ns import qn

    root = doc.settings.element
    el = child(
        root, "w:themeFontLang", before=("w:clrSchemeMapping", "w:doNotIncludeSubdocsInStats")
    )
    el.attrib.clear()
    el.set(qn("w:val"), say("review.docx.lang", lang))
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


def clean_package(doc: Any, author: str) -> None:
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


def set_core(doc: Any, ctx: Context, title: str) -> None:
    core = doc.core_properties
    author = author_of(ctx)
    when = made_at()
    core.title = title
    core.subject = title
    core.author = core.last_modified_by = author
    core.created = core.modified = when
    core.language = say("review.docx.lang", ctx.lang)
    core.comments = core.keywords = core.category = ""
    core.revision = 1


__all__ = [
    "BODY_FONT",
    "BODY_PT",
    "FALLBACK",
    "HEADING_FONTS",
    "MARGIN_MM",
    "PAGE_NUMBER_PT",
    "TITLE_FONT",
    "TITLE_PT",
    "Page",
    "add_run",
    "author_of",
    "child",
    "clean_package",
    "document_grid",
    "first_page",
    "indent",
    "made_at",
    "off_grid",
    "set_core",
    "set_fonts",
    "set_page",
    "set_settings",
    "set_styles",
    "tracking",
    "twips",
]
