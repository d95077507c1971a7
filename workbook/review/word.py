"""review.docx: the review as a Word document an office can edit and forward (python-docx).

The document is made from the same section fragments as review.html (each section's `html`),
so it holds exactly what the page shows: the title, the abstract, every section's notes,
tables and charts. The fragments are a small, fixed subset of HTML (h1-h3, p with a class,
table.wb-table with thead/tbody, div.wb-chart holding a Vega-Lite spec), read with the
standard library's HTMLParser. Charts become PNG images by vl-convert (rendered on a few
threads: the renderer releases the GIL).

Headings are set in 黑体 and the body in 宋体 (east-asian fonts through w:eastAsia, which Word,
WPS and LibreOffice all honour), Latin text in Times New Roman / Arial; pages are A4 with
the page number in the footer (a PAGE field, so it counts in any editor). English with
--lang en (the fragments are already in the report language).
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbook.review.section import Context

HEADING_FONT = "黑体"
BODY_FONT = "宋体"
LATIN_BODY = "Times New Roman"
LATIN_HEADING = "Arial"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHART_SCALE = 1.5  # PNG pixels per CSS pixel: about 150 dpi at 16 cm, sharp enough in print
MAX_IMAGE_CM = 16.0  # A4 with 2.5 cm margins leaves 16 cm
FLAG_RGB = (0xA0, 0x1C, 0x1C)  # rows with an overdue time node, as the page shows them


# ---- reading the fragments -------------------------------------------------------------------


@dataclass
class Table:
    header: list[str] = field(default_factory=list)
    rows: list[list[tuple[str, bool]]] = field(default_factory=list)  # (text, is a number)
    flagged: list[bool] = field(default_factory=list)


@dataclass
class Block:
    kind: str  # "h1" | "h2" | "h3" | "p" | "table" | "chart"
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
        if tag in ("h1", "h2", "h3", "p") and self._table is None:
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
        if tag in ("h1", "h2", "h3", "p") and self._current is not None and self._text is not None:
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


# ---- writing the document ---------------------------------------------------------------------


def _fonts(target: Any, latin: str, east: str) -> None:
    """Set the Latin and the east-asian font of a style or a run (w:rFonts w:eastAsia)."""
    from docx.oxml.ns import qn

    target.font.name = latin
    rpr = target.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for key in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(key), latin)
    fonts.set(qn("w:eastAsia"), east)


def _page_number(paragraph: Any, lang: str) -> None:
    """'第 N 页' (or 'Page N') with N a PAGE field, which every editor updates."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def field_run(kind: str, text: str | None = None) -> None:
        run = paragraph.add_run()
        if text is not None:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        run._r.append(el)

    paragraph.add_run("第 " if lang == "zh" else "Page ")
    field_run("begin")
    field_run("", " PAGE ")
    field_run("separate")
    paragraph.add_run("1")
    field_run("end")
    if lang == "zh":
        paragraph.add_run(" 页")


def _styles(doc: Any) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    normal = doc.styles["Normal"]
    _fonts(normal, LATIN_BODY, BODY_FONT)
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    for name, size in (("Title", 20), ("Heading 1", 15), ("Heading 2", 13)):
        style = doc.styles[name]
        _fonts(style, LATIN_HEADING, HEADING_FONT)
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = RGBColor(0, 0, 0)
    doc.styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _page(doc: Any, lang: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.5))
    section.top_margin = section.bottom_margin = Cm(2.5)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number(footer, lang)


def _repeat_header(row: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _table(doc: Any, table: Table) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    cols = len(table.header)
    if not cols:
        return
    size = Pt(9 if cols <= 8 else 7.5)
    t = doc.add_table(rows=1 + len(table.rows), cols=cols)
    t.style = doc.styles["Table Grid"]
    for j, text in enumerate(table.header):
        p = t.rows[0].cells[j].paragraphs[0]
        run = p.add_run(text)
        run.bold = True
        run.font.size = size
        _fonts(run, LATIN_HEADING, HEADING_FONT)
    _repeat_header(t.rows[0])
    for i, (cells, flagged) in enumerate(zip(table.rows, table.flagged, strict=False), start=1):
        for j, (text, number) in enumerate(cells[:cols]):
            p = t.rows[i].cells[j].paragraphs[0]
            if number:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            run = p.add_run(text)
            run.font.size = size
            if flagged:
                run.font.color.rgb = RGBColor(*FLAG_RGB)
    doc.add_paragraph()


def _images(specs: list[str]) -> list[bytes]:
    """Each chart spec as a PNG: from the cache by the spec's hash (`png_cache`), else drawn
    by vl-convert (the charts not cached, on a few threads) and kept there."""
    import vl_convert as vlc

    folder = png_cache()
    keys = [_png_key(spec, vlc.__version__) for spec in specs]
    out: dict[str, bytes] = {}
    for key in keys:
        with contextlib.suppress(OSError):
            data = (folder / f"{key}.png").read_bytes()
            if data.startswith(PNG_SIGNATURE):
                out[key] = data
    todo = {key: spec for key, spec in zip(keys, specs, strict=True) if key not in out}

    def png(spec: str) -> bytes:
        return vlc.vegalite_to_png(json.loads(spec), scale=CHART_SCALE)

    if todo:
        with ThreadPoolExecutor(max_workers=min(4, len(todo))) as pool:
            drawn = list(pool.map(png, todo.values()))
        for key, data in zip(todo, drawn, strict=True):
            out[key] = data
            _keep(folder / f"{key}.png", data)
    return [out[key] for key in keys]


def png_cache() -> Path:
    """The folder of chart pictures by spec hash (beside the Vega bundle's cache)."""
    from workbook.review.html import cache_dir

    return cache_dir() / "png"


def _png_key(spec: str, version: str) -> str:
    """A picture's cache key: the spec's text, the scale and vl-convert's version (which
    fixes the Vega, Vega-Lite and font handling that draw it)."""
    import hashlib

    text = f"vl-convert {version}\nscale {CHART_SCALE}\n{spec}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _keep(path: Path, data: bytes) -> None:
    """Write a cached picture whole (a temporary name, then moved); a read-only home only
    makes the next review slower."""
    import os
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError:
        pass


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


def _picture(doc: Any, data: bytes, alt: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    width_px = int.from_bytes(data[16:20], "big")  # PNG IHDR width
    width_cm = min(MAX_IMAGE_CM, width_px / CHART_SCALE / 96 * 2.54)
    shape = doc.add_picture(io.BytesIO(data), width=Cm(width_cm))
    shape._inline.docPr.set("descr", alt)  # the picture's alt text in Word and WPS
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER


def build_docx(ctx: Context, fragments: Sequence[str]) -> bytes:
    """The review as a .docx file (bytes), from the page's fragments in order."""
    from docx import Document
    from docx.shared import Pt, RGBColor

    doc = Document()
    _styles(doc)
    _page(doc, ctx.lang)
    parsed = [blocks_of(html) for html in fragments]
    specs = [b.spec for blocks in parsed for b in blocks if b.kind == "chart"]
    images = iter(_images(specs))
    core = doc.core_properties
    core.author = "workbook review"
    for blocks in parsed:
        for b in blocks:
            if b.kind == "h1":
                doc.add_paragraph(b.text, style="Title")
                core.title = b.text
            elif b.kind == "h2":
                doc.add_heading(b.text, level=1)
            elif b.kind == "h3":
                doc.add_heading(b.text, level=2)
            elif b.kind == "p":
                p = doc.add_paragraph()
                run = p.add_run(b.text)
                if "wb-abstract" in b.css:
                    run.font.size = Pt(12)
                    p.paragraph_format.first_line_indent = Pt(24) if ctx.lang == "zh" else None
                elif "wb-subtitle" in b.css:
                    run.font.size = Pt(9)
                    run.font.color.rgb = RGBColor(0x66, 0x66, 0x66)
                elif "wb-warn" in b.css or "wb-key" in b.css:
                    run.bold = True
            elif b.kind == "table" and b.table is not None:
                _table(doc, b.table)
            elif b.kind == "chart":
                _picture(doc, next(images), alt_text(b))
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


__all__ = ["Block", "Table", "alt_text", "blocks_of", "build_docx", "write_docx"]
